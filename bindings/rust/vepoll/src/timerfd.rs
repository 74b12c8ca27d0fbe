//! The ready-made timerfd: [`TimerFd`], its [`Clock`], [`TimerSpec`] and
//! [`TimerFlags`].
use std::ffi::c_void;
use std::io;
use std::time::Duration;

use vepoll_sys as sys;

use crate::flags::flag_set;
use crate::objects::{handle_common, impl_read, End, Kind};
use crate::{create, cvt};

pub(crate) enum TimerKind {}

impl Kind for TimerKind {
    type Raw = sys::vepoll_timerfd_t;
    unsafe fn source(raw: *mut Self::Raw, _: i32) -> *mut sys::vepoll_source_t {
        // SAFETY: forwarded; End passes an open timer.
        unsafe { sys::vepoll_timerfd_source(raw) }
    }
    unsafe fn read(raw: *mut Self::Raw, _: i32, buf: *mut c_void, len: usize, t: i64) -> isize {
        // SAFETY: forwarded; End passes an open timer and a buffer of len bytes.
        unsafe { sys::vepoll_timerfd_read(raw, buf, len, t) }
    }
    unsafe fn close(raw: *mut Self::Raw, _: i32) -> i32 {
        // SAFETY: forwarded; End closes once, with no call left on the timer.
        unsafe { sys::vepoll_timerfd_close(raw) }
    }
}

/// The clock a [`TimerFd`] measures: what an absolute time
/// ([`TimerFlags::ABSTIME`]) is counted on.  A relative time runs on the
/// monotonic clock with either (as Linux does).
///
/// ```
/// use vepoll::{Clock, TimerFd};
/// let t = TimerFd::new(Clock::Realtime)?;
/// assert_eq!(t.clock(), Clock::Realtime);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Clock {
    /// `CLOCK_REALTIME`, the wall clock: an absolute time is a
    /// [`Duration`] since the Unix epoch, and the timer fires when the wall
    /// clock reaches it, also after the clock was set.
    Realtime,
    /// `CLOCK_MONOTONIC`: an absolute time is a [`Duration`] since the
    /// clock's start ([`Clock::now`]).
    Monotonic,
}

impl Clock {
    /// Linux's clock id (`VEPOLL_CLOCK_*`).
    ///
    /// ```
    /// assert_eq!(vepoll::Clock::Monotonic.id(), 1);
    /// ```
    pub fn id(self) -> i32 {
        match self {
            Clock::Realtime => sys::VEPOLL_CLOCK_REALTIME,
            Clock::Monotonic => sys::VEPOLL_CLOCK_MONOTONIC,
        }
    }

    /// The clock's current time (`clock_gettime`), the base of an absolute
    /// [`TimerSpec`]: a Duration since the Unix epoch for `Realtime`,
    /// since an unspecified start (the boot) for `Monotonic`.  Linux hosts
    /// only (it reads the host's clock by Linux's clock ids).
    ///
    /// ```
    /// use vepoll::Clock;
    /// let a = Clock::Monotonic.now();
    /// let b = Clock::Monotonic.now();
    /// assert!(b >= a);
    /// ```
    #[cfg(all(target_os = "linux", not(all(target_arch = "x86_64", target_pointer_width = "32"))))]
    pub fn now(self) -> Duration {
        let mut ts = host::Timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: a valid out pointer; on Linux the host's clock ids are
        // the VEPOLL_CLOCK_* values.
        let rc = unsafe { host::clock_gettime(self.id(), &mut ts) };
        assert_eq!(rc, 0, "clock_gettime cannot fail for CLOCK_REALTIME / CLOCK_MONOTONIC");
        Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
    }
}

/// The host's clock_gettime.  `struct timespec` is `{ long, long }`, as
/// glibc and musl declare it for the symbol `clock_gettime` on every Linux
/// target but x32 (64-bit seconds in a 32-bit long).
#[cfg(all(target_os = "linux", not(all(target_arch = "x86_64", target_pointer_width = "32"))))]
mod host {
    use std::os::raw::{c_int, c_long};

    #[repr(C)]
    pub(super) struct Timespec {
        pub(super) tv_sec: c_long,
        pub(super) tv_nsec: c_long,
    }

    extern "C" {
        pub(super) fn clock_gettime(clock: c_int, ts: *mut Timespec) -> c_int;
    }
}

/// A timer setting: the first expiration (`value`) and the period after
/// it (`interval`), Linux's `struct itimerspec` in [`Duration`]s.
///
/// `value` zero disarms; `interval` zero fires once.  With
/// [`TimerFlags::ABSTIME`], `value` is a time of the timer's [`Clock`]
/// ([`Clock::now`] gives the present), otherwise it is relative to now.
/// Times are kept in 64-bit nanoseconds, as Linux's ktime: beyond
/// `i64::MAX` nanoseconds (about 292 years) they saturate.
///
/// ```
/// use std::time::Duration;
/// use vepoll::TimerSpec;
/// let s = TimerSpec::periodic(Duration::from_millis(10), Duration::from_millis(5));
/// assert_eq!((s.value, s.interval), (Duration::from_millis(10), Duration::from_millis(5)));
/// assert!(TimerSpec::default().is_disarmed());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TimerSpec {
    /// Time to (or, absolute, time of) the first expiration; zero: disarmed.
    pub value: Duration,
    /// The period after the first expiration; zero: once.
    pub interval: Duration,
}

impl TimerSpec {
    /// Fires once, at `value`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let s = vepoll::TimerSpec::once(Duration::from_secs(1));
    /// assert_eq!(s.interval, Duration::ZERO);
    /// ```
    pub const fn once(value: Duration) -> TimerSpec {
        TimerSpec { value, interval: Duration::ZERO }
    }

    /// Fires at `first`, then every `interval`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let s = vepoll::TimerSpec::periodic(Duration::from_secs(1), Duration::from_secs(2));
    /// assert_eq!(s.interval, Duration::from_secs(2));
    /// ```
    pub const fn periodic(first: Duration, interval: Duration) -> TimerSpec {
        TimerSpec { value: first, interval }
    }

    /// `value` is zero: a setting that disarms, or (from
    /// [`gettime`](TimerFd::gettime)) a timer that will not fire again.
    ///
    /// ```
    /// assert!(vepoll::TimerSpec::once(std::time::Duration::ZERO).is_disarmed());
    /// ```
    pub fn is_disarmed(&self) -> bool {
        self.value.is_zero()
    }

    fn to_raw(self) -> sys::vepoll_itimerspec {
        sys::vepoll_itimerspec {
            it_interval: timespec(self.interval),
            it_value: timespec(self.value),
        }
    }

    fn from_raw(raw: sys::vepoll_itimerspec) -> TimerSpec {
        TimerSpec { value: duration(raw.it_value), interval: duration(raw.it_interval) }
    }
}

/// A Duration as a vepoll_timespec; seconds beyond i64::MAX saturate
/// (the C library saturates everything at or above 9223372036 s).
fn timespec(d: Duration) -> sys::vepoll_timespec {
    sys::vepoll_timespec {
        tv_sec: d.as_secs().min(i64::MAX as u64) as i64,
        tv_nsec: d.subsec_nanos() as i64,
    }
}

/// A vepoll_timespec from gettime (tv_sec >= 0, tv_nsec in [0, 1e9)).
fn duration(ts: sys::vepoll_timespec) -> Duration {
    Duration::new(ts.tv_sec.max(0) as u64, ts.tv_nsec.clamp(0, 999_999_999) as u32)
}

flag_set! {
    /// The flags of [`TimerFd::settime`], with Linux's `TFD_TIMER_*` values.
    ///
    /// ```
    /// use vepoll::TimerFlags;
    /// assert_eq!(TimerFlags::ABSTIME.bits(), 1);
    /// assert_eq!(format!("{:?}", TimerFlags::empty()), "TimerFlags()");
    /// ```
    pub struct TimerFlags(i32), examples(ABSTIME, CANCEL_ON_SET);
    /// `TFD_TIMER_ABSTIME`: the value is a time of the timer's clock, not
    /// a delay.
    ABSTIME = sys::VEPOLL_TFD_TIMER_ABSTIME;
    /// `TFD_TIMER_CANCEL_ON_SET`: accepted; a set of the wall clock is not
    /// detected, so a read never fails with `ECANCELED`.
    CANCEL_ON_SET = sys::VEPOLL_TFD_TIMER_CANCEL_ON_SET;
}

/// A timerfd (`timerfd_create(2)`): a timer whose expirations are counted
/// and read as one 8-byte number, with Linux's rules (include/vepoll_objects.h,
/// docs/OBJECTS.md, S151-S162).
///
/// It is `IN`-ready (only `IN`) while expirations are unread; every
/// expiration is an `IN` event, but a periodic timer is re-armed by the
/// read (or [`gettime`](TimerFd::gettime)) that follows, so an unread
/// periodic timer wakes an edge-triggered watcher once and the read
/// returns every expiration since.  [`Read`](std::io::Read) (also on
/// `&TimerFd`) moves the count as 8 native-endian bytes, blocking while it
/// is 0 unless [`set_nonblocking`](TimerFd::set_nonblocking) (a buffer of
/// fewer than 8 bytes is `EINVAL`).  There is no `Write` (Linux's `write`
/// on a timerfd is `EINVAL`).
///
/// No thread per timer: the library runs every timer of a clock on one
/// service thread.  Dropping the `TimerFd` disarms and closes it (its
/// registrations go).
///
/// ```
/// use std::time::Duration;
/// use vepoll::{Clock, Epoll, Interest, TimerFd, TimerSpec, TimerFlags};
///
/// let ep = Epoll::new()?;
/// let t = TimerFd::new(Clock::Monotonic)?;
/// ep.add(&t, 4, Interest::IN, 4)?;
/// t.settime(TimerSpec::once(Duration::from_millis(5)), TimerFlags::empty())?;
/// let mut ev = [vepoll::Event::default(); 4];
/// assert_eq!(ep.wait(&mut ev, Some(Duration::from_secs(5)))?, 1);
/// assert_eq!((ev[0].readiness(), ev[0].data()), (Interest::IN, 4));
/// assert_eq!(t.read_count()?, 1);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct TimerFd(End<TimerKind>, Clock);

impl TimerFd {
    /// A new, disarmed timer on `clock` (`timerfd_create(clock, 0)`).
    /// Errors: `ENOMEM`, and whatever starting the clock's service thread
    /// returns (`EAGAIN`) when this is its first timer.
    ///
    /// ```
    /// use vepoll::{AsSource, Clock, TimerFd};
    /// let t = TimerFd::new(Clock::Monotonic)?;
    /// assert!(t.gettime()?.is_disarmed());
    /// assert!(t.as_source().ready().is_empty());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new(clock: Clock) -> io::Result<TimerFd> {
        // SAFETY: a valid out pointer; clock and flags are valid.
        let raw = create(|out| unsafe { sys::vepoll_timerfd_create(out, clock.id(), 0) })?;
        // SAFETY: a new timer, owned by the handle.
        Ok(TimerFd(unsafe { End::new(raw, 0) }, clock))
    }

    /// The clock given to [`new`](TimerFd::new).
    ///
    /// ```
    /// use vepoll::{Clock, TimerFd};
    /// assert_eq!(TimerFd::new(Clock::Monotonic)?.clock(), Clock::Monotonic);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn clock(&self) -> Clock {
        self.1
    }

    /// Arms (or, with a zero `value`, disarms) the timer
    /// (`timerfd_settime(2)`) and returns the previous setting as
    /// [`gettime`](TimerFd::gettime) would have.  The expiration count is
    /// reset (readiness goes, nobody is woken).  An absolute time already
    /// past fires at once, inside the call.
    ///
    /// Errors: `EINVAL` for a flag other than `ABSTIME | CANCEL_ON_SET`
    /// (the timer is then unchanged).
    ///
    /// ```
    /// use std::time::Duration;
    /// use vepoll::{Clock, TimerFd, TimerFlags, TimerSpec};
    /// let t = TimerFd::new(Clock::Monotonic)?;
    /// let one_s = TimerSpec::periodic(Duration::from_secs(1), Duration::from_secs(1));
    /// assert!(t.settime(one_s, TimerFlags::empty())?.is_disarmed());
    /// let old = t.settime(TimerSpec::default(), TimerFlags::empty())?; // disarm
    /// assert!(old.value <= Duration::from_secs(1));
    /// assert_eq!(old.interval, Duration::from_secs(1));
    ///
    /// // Absolute: 10 ms on the timer's clock from now.
    /// let at = Clock::Monotonic.now() + Duration::from_millis(10);
    /// t.settime(TimerSpec::once(at), TimerFlags::ABSTIME)?;
    /// assert_eq!(t.read_count()?, 1); // blocks until then
    ///
    /// let e = t.settime(one_s, TimerFlags::from_bits(4)).unwrap_err();
    /// assert_eq!(e.raw_os_error(), Some(22)); // EINVAL
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn settime(&self, spec: TimerSpec, flags: TimerFlags) -> io::Result<TimerSpec> {
        let new = spec.to_raw();
        let mut old = sys::vepoll_itimerspec::default();
        // SAFETY: an open timer; valid in and out pointers.
        cvt(unsafe { sys::vepoll_timerfd_settime(self.0.raw(), flags.bits(), &new, &mut old) })?;
        Ok(TimerSpec::from_raw(old))
    }

    /// The time left until the next expiration (zero when disarmed or
    /// after a one-shot fired) and the interval (`timerfd_gettime(2)`).
    /// A periodic timer that fired is re-armed (its missed expirations are
    /// added to the count).  Cannot fail on an open timer.
    ///
    /// ```
    /// use std::time::Duration;
    /// use vepoll::{Clock, TimerFd, TimerFlags, TimerSpec};
    /// let t = TimerFd::new(Clock::Realtime)?;
    /// t.settime(TimerSpec::once(Duration::from_secs(60)), TimerFlags::empty())?;
    /// let cur = t.gettime()?;
    /// assert!(cur.value > Duration::ZERO && cur.value <= Duration::from_secs(60));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn gettime(&self) -> io::Result<TimerSpec> {
        let mut cur = sys::vepoll_itimerspec::default();
        // SAFETY: an open timer; a valid out pointer.
        cvt(unsafe { sys::vepoll_timerfd_gettime(self.0.raw(), &mut cur) })?;
        Ok(TimerSpec::from_raw(cur))
    }

    /// Reads and resets the expiration count, blocking while it is 0
    /// unless [`set_nonblocking`](TimerFd::set_nonblocking) (then
    /// `WouldBlock`).  `Interrupted` when the calling thread's
    /// [`Interrupt`](crate::Interrupt) is raised while it blocks.
    ///
    /// ```
    /// use vepoll::{Clock, TimerFd};
    /// let t = TimerFd::new(Clock::Monotonic)?;
    /// t.set_nonblocking(true);
    /// assert_eq!(t.read_count().unwrap_err().kind(), std::io::ErrorKind::WouldBlock);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn read_count(&self) -> io::Result<u64> {
        self.read_count_timeout(self.0.io_timeout())
    }

    /// Reads the expiration count with a timeout (`Some(Duration::ZERO)`:
    /// never block; `None`: block until an expiration; otherwise
    /// `WouldBlock` after at least the timeout).
    ///
    /// ```
    /// use std::time::Duration;
    /// use vepoll::{Clock, TimerFd};
    /// let t = TimerFd::new(Clock::Monotonic)?; // disarmed: never fires
    /// let e = t.read_count_timeout(Some(Duration::from_millis(2))).unwrap_err();
    /// assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn read_count_timeout(&self, timeout: Option<Duration>) -> io::Result<u64> {
        self.0.read_u64(timeout)
    }

    /// The raw timer, for `vepoll_sys` calls (never its close).
    ///
    /// ```
    /// use vepoll::{Clock, TimerFd};
    /// let t = TimerFd::new(Clock::Monotonic)?;
    /// // SAFETY: an open timer, which `t` keeps open.
    /// assert!(!unsafe { vepoll_sys::vepoll_timerfd_source(t.as_raw()) }.is_null());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn as_raw(&self) -> *mut sys::vepoll_timerfd_t {
        self.0.raw()
    }
}

handle_common!(TimerFd, "let x = vepoll::TimerFd::new(vepoll::Clock::Monotonic)?;");
impl_read!(TimerFd);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_map_to_timespecs_and_saturate() {
        let ts = timespec(Duration::new(3, 7));
        assert_eq!((ts.tv_sec, ts.tv_nsec), (3, 7));
        assert_eq!(timespec(Duration::MAX).tv_sec, i64::MAX);
        assert_eq!(duration(ts), Duration::new(3, 7));
        let spec = TimerSpec::periodic(Duration::new(1, 2), Duration::new(3, 4));
        assert_eq!(TimerSpec::from_raw(spec.to_raw()), spec);
    }
}
