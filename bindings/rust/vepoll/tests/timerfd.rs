//! The ready-made timerfd through the safe API: settime / gettime with
//! Duration-based specs, relative and absolute on both clocks, the 8-byte
//! count through read_count and std::io::Read, blocking and non-blocking,
//! its readiness as a registered source, and every error path the safe
//! API can reach (docs/SEMANTICS.md S151-S162 in the names).
mod common;

use std::io::{ErrorKind, Read};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::*;
use vepoll::{AsSource, Clock, Epoll, Interest, TimerFd, TimerFlags, TimerSpec};

const ZERO: Option<Duration> = Some(Duration::ZERO);
const SEC: Duration = Duration::from_secs(1);
const LONG: Option<Duration> = Some(Duration::from_secs(30));

fn timer(clock: Clock) -> TimerFd {
    TimerFd::new(clock).unwrap()
}

fn relative(t: &TimerFd, spec: TimerSpec) -> TimerSpec {
    t.settime(spec, TimerFlags::empty()).unwrap()
}

#[test]
fn s151_a_new_timer_on_either_clock_is_disarmed_and_not_readable() {
    for clock in [Clock::Realtime, Clock::Monotonic] {
        let t = timer(clock);
        assert_eq!(t.clock(), clock);
        assert_eq!(t.gettime().unwrap(), TimerSpec::default());
        assert!(t.as_source().ready().is_empty());
        let e = t.read_count_timeout(ZERO).unwrap_err();
        assert_eq!((e.kind(), e.raw_os_error()), (ErrorKind::WouldBlock, Some(EAGAIN)));
    }
    assert_eq!((Clock::Realtime.id(), Clock::Monotonic.id()), (0, 1));
}

#[test]
fn s152_unknown_settime_flags_are_einval_and_change_nothing() {
    let t = timer(Clock::Monotonic);
    relative(&t, TimerSpec::periodic(60 * SEC, 5 * SEC));
    for bits in [4, 0x100, -1] {
        let e = t.settime(TimerSpec::default(), TimerFlags::from_bits(bits)).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(EINVAL), "flags {:#x}", bits);
    }
    let cur = t.gettime().unwrap();
    assert!(cur.value > Duration::ZERO && cur.value <= 60 * SEC);
    assert_eq!(cur.interval, 5 * SEC);
    // CANCEL_ON_SET is accepted (a wall-clock set is not detected).
    let at = SystemTime::now().duration_since(UNIX_EPOCH).unwrap() + 60 * SEC;
    let r = timer(Clock::Realtime)
        .settime(TimerSpec::once(at), TimerFlags::ABSTIME | TimerFlags::CANCEL_ON_SET);
    assert_eq!(r.unwrap(), TimerSpec::default());
}

#[test]
fn s153_a_zero_value_disarms_and_keeps_the_interval() {
    let t = timer(Clock::Monotonic);
    relative(&t, TimerSpec::once(Duration::from_millis(1)));
    assert_eq!(t.read_count().unwrap(), 1);
    relative(&t, TimerSpec::once(Duration::from_millis(1)));
    thread::sleep(Duration::from_millis(5)); // fired, unread
    relative(&t, TimerSpec::periodic(Duration::ZERO, 7 * SEC));
    let cur = t.gettime().unwrap();
    assert!(cur.is_disarmed());
    assert_eq!(cur.interval, 7 * SEC);
    // Disarming dropped the unread expiration.
    assert_eq!(t.read_count_timeout(ZERO).unwrap_err().kind(), ErrorKind::WouldBlock);
}

#[test]
fn s154_s160_gettime_reports_the_time_left_and_settime_the_old_setting() {
    let t = timer(Clock::Monotonic);
    assert_eq!(relative(&t, TimerSpec::periodic(1000 * SEC, 5 * SEC)), TimerSpec::default());
    let cur = t.gettime().unwrap();
    assert!(cur.value > Duration::ZERO && cur.value <= 1000 * SEC);
    assert_eq!(cur.interval, 5 * SEC);
    let old = relative(&t, TimerSpec::default());
    assert!(old.value > Duration::ZERO && old.value <= cur.value);
    assert_eq!(old.interval, 5 * SEC);
    // A one-shot that fired: no time left.
    relative(&t, TimerSpec::once(Duration::from_millis(1)));
    assert_eq!(t.read_count().unwrap(), 1);
    assert!(t.gettime().unwrap().is_disarmed());
}

/// Expirations of a periodic timer that started at `value` (absolute) by `now`.
fn expirations(value: Duration, interval: Duration, now: Duration) -> u64 {
    1 + ((now - value).as_nanos() / interval.as_nanos()) as u64
}

fn absolute_past_fires_at_once(clock: Clock) {
    let now = || match clock {
        Clock::Realtime => SystemTime::now().duration_since(UNIX_EPOCH).unwrap(),
        Clock::Monotonic => Clock::Monotonic.now(),
    };
    let t = timer(clock);
    // One-shot, long past: one expiration, inside settime.
    t.settime(TimerSpec::once(Duration::from_nanos(1)), TimerFlags::ABSTIME).unwrap();
    assert_eq!(t.as_source().ready(), Interest::IN);
    assert_eq!(t.read_count_timeout(ZERO).unwrap(), 1);
    assert_eq!(t.read_count_timeout(ZERO).unwrap_err().kind(), ErrorKind::WouldBlock);
    // Periodic, 10.5 intervals past: 1 + the whole intervals since.
    let value = now() - 10 * SEC - SEC / 2;
    t.settime(TimerSpec::periodic(value, SEC), TimerFlags::ABSTIME).unwrap();
    let lo = expirations(value, SEC, now());
    let n = t.read_count_timeout(ZERO).unwrap();
    let hi = expirations(value, SEC, now());
    assert!(n >= 11 && (lo..=hi).contains(&n), "{} not in {}..={}", n, lo, hi);
    // Re-armed for the next one: not ready, at most an interval left.
    let cur = t.gettime().unwrap();
    assert!(cur.value > Duration::ZERO && cur.value <= SEC);
    assert!(t.as_source().ready().is_empty());
}

#[test]
fn s155_an_absolute_monotonic_time_already_past_fires_at_once() {
    absolute_past_fires_at_once(Clock::Monotonic);
}

#[test]
fn s155_an_absolute_realtime_time_already_past_fires_at_once() {
    absolute_past_fires_at_once(Clock::Realtime);
}

#[test]
fn clock_now_reads_the_clock_the_timers_use() {
    let before = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let real = Clock::Realtime.now();
    let after = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    assert!(before <= real && real <= after);
    // An absolute monotonic time a little ahead of Clock::now has not
    // passed yet: the timer is armed, not fired.
    let t = timer(Clock::Monotonic);
    t.settime(TimerSpec::once(Clock::Monotonic.now() + 60 * SEC), TimerFlags::ABSTIME).unwrap();
    let cur = t.gettime().unwrap();
    assert!(cur.value > Duration::ZERO && cur.value <= 60 * SEC);
    assert!(t.as_source().ready().is_empty());
}

#[test]
fn s156_reads_move_the_count_as_8_bytes_and_refuse_smaller_buffers() {
    let mut t = timer(Clock::Monotonic);
    relative(&t, TimerSpec::once(Duration::from_millis(1)));
    thread::sleep(Duration::from_millis(5));
    // Fewer than 8 bytes: EINVAL, and the count stays.
    let e = t.read(&mut [0; 7]).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(EINVAL));
    assert_eq!(t.as_source().ready(), Interest::IN);
    let mut buf = [0u8; 16];
    assert_eq!(t.read(&mut buf).unwrap(), 8);
    assert_eq!(u64::from_ne_bytes(buf[..8].try_into().unwrap()), 1);
    // Count 0, non-blocking: WouldBlock through Read and read_count.
    t.set_nonblocking(true);
    assert!(t.is_nonblocking());
    assert_eq!((&t).read(&mut buf).unwrap_err().kind(), ErrorKind::WouldBlock);
    assert_eq!(t.read_count().unwrap_err().kind(), ErrorKind::WouldBlock);
    // A timed read of a disarmed timer gives up after at least its timeout.
    let start = Instant::now();
    let e = t.read_count_timeout(Some(Duration::from_millis(15))).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::WouldBlock);
    assert!(start.elapsed() >= Duration::from_millis(15));
}

#[test]
fn s157_readiness_is_in_only_and_settime_resets_it_silently() {
    let ep = Epoll::new().unwrap();
    let t = timer(Clock::Monotonic);
    ep.add(&t, 3, Interest::IN | Interest::OUT | Interest::RDNORM, 3).unwrap();
    relative(&t, TimerSpec::once(Duration::from_millis(1)));
    assert_eq!(wait(&ep, LONG), [(Interest::IN, 3)]);
    assert_eq!(t.as_source().ready(), Interest::IN);
    assert_eq!(poll(&ep), [(Interest::IN, 3)]); // LT: again, until read
    relative(&t, TimerSpec::once(1000 * SEC)); // resets the count
    assert!(t.as_source().ready().is_empty());
    assert_eq!(poll(&ep), []);
    drop(t); // its registration goes with it
    assert_eq!(poll(&ep), []);
}

#[test]
fn s158_an_unread_periodic_timer_wakes_an_et_watcher_once() {
    let ep = Epoll::new().unwrap();
    let t = timer(Clock::Monotonic);
    ep.add(&t, 4, Interest::IN | Interest::ET, 4).unwrap();
    let interval = Duration::from_millis(2);
    relative(&t, TimerSpec::periodic(interval, interval));
    assert_eq!(wait(&ep, LONG), [(Interest::IN, 4)]);
    let start = Instant::now();
    thread::sleep(Duration::from_millis(30));
    assert_eq!(poll(&ep), []); // not re-armed by its own expiration
                               // The read reports every expiration since the first (at least one per
                               // whole interval slept), and re-arms: the next expiration wakes again.
    let n = t.read_count().unwrap();
    let slept = start.elapsed().as_nanos() / interval.as_nanos();
    assert!(n as u128 >= slept, "{} expirations in {} intervals", n, slept);
    assert_eq!(wait(&ep, LONG), [(Interest::IN, 4)]);
}

#[test]
fn s161_times_saturate_like_ktime() {
    let t = timer(Clock::Monotonic);
    relative(&t, TimerSpec::periodic(1000 * SEC, Duration::MAX));
    // KTIME_MAX: i64::MAX nanoseconds.
    assert_eq!(t.gettime().unwrap().interval, Duration::from_nanos(i64::MAX as u64));
    relative(&t, TimerSpec::once(Duration::MAX)); // relative: saturates, no overflow
    assert!(t.gettime().unwrap().value > 1000 * SEC);
}

#[test]
fn s162_a_blocking_read_returns_at_the_expiry_never_before() {
    let t = timer(Clock::Monotonic);
    let start = Instant::now();
    relative(&t, TimerSpec::once(Duration::from_millis(20)));
    assert_eq!(t.read_count().unwrap(), 1);
    assert!(start.elapsed() >= Duration::from_millis(20));
}

#[test]
fn a_blocked_read_on_one_thread_is_woken_by_settime_on_another() {
    let t = timer(Clock::Monotonic);
    let sleeper = Sleeper::default();
    let n = thread::scope(|s| {
        let reader = s.spawn(|| {
            sleeper.starting();
            let n = t.read_count_timeout(LONG);
            sleeper.returned();
            n.map_err(|e| e.kind())
        });
        sleeper.until_asleep();
        // An absolute time in the past fires inside settime.
        t.settime(TimerSpec::once(Duration::from_nanos(1)), TimerFlags::ABSTIME).unwrap();
        reader.join().unwrap()
    });
    assert_eq!(n, Ok(1));
}

#[test]
fn timer_spec_constructors_and_debug() {
    let s = TimerSpec::periodic(SEC, 2 * SEC);
    assert_eq!(s, TimerSpec { value: SEC, interval: 2 * SEC });
    assert_eq!(TimerSpec::once(SEC).interval, Duration::ZERO);
    assert!(!s.is_disarmed());
    assert_eq!(
        format!("{:?}", TimerFlags::ABSTIME | TimerFlags::CANCEL_ON_SET),
        "TimerFlags(ABSTIME | CANCEL_ON_SET)"
    );
    assert_eq!(format!("{:?}", TimerFlags::from_bits(5)), "TimerFlags(ABSTIME | 0x4)");
    let t = timer(Clock::Realtime);
    assert!(format!("{:?}", t).starts_with("TimerFd {"));
}
