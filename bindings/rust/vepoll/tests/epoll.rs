//! Epoll, Source, Interest and Event through the safe API: the Linux
//! behaviours (docs/SEMANTICS.md ids in the names) the binding must pass
//! through unchanged, and every error path of ctl and wait.
mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use vepoll::{AsSource, Epoll, Event, Interest, Source, Stats};

const NONE: Interest = Interest::empty();

#[test]
fn s070_data_round_trips_all_64_bits() {
    let ep = Epoll::new().unwrap();
    let s = Source::new(Interest::IN).unwrap();
    ep.add(&s, 5, Interest::IN, 0xDEAD_BEEF_CAFE_BABE).unwrap();
    assert_eq!(poll(&ep), [(Interest::IN, 0xDEAD_BEEF_CAFE_BABE)]);
}

#[test]
fn s023_lt_reports_while_ready_and_stops_when_cleared() {
    let ep = Epoll::new().unwrap();
    let s = Source::new(NONE).unwrap();
    ep.add(&s, 7, Interest::IN, 7).unwrap();
    assert!(poll(&ep).is_empty());
    s.update(Interest::IN | Interest::RDNORM, NONE);
    assert_eq!(poll(&ep), [(Interest::IN, 7)]);
    assert_eq!(poll(&ep), [(Interest::IN, 7)]);
    s.update(NONE, Interest::IN | Interest::RDNORM);
    assert!(poll(&ep).is_empty());
}

#[test]
fn s039_et_every_update_is_an_edge() {
    let ep = Epoll::new().unwrap();
    let s = Source::new(NONE).unwrap();
    ep.add(&s, 1, Interest::IN | Interest::ET, 1).unwrap();
    s.update(Interest::IN, NONE);
    s.update(Interest::IN, NONE);
    assert_eq!(poll(&ep), [(Interest::IN, 1)]); // S037: two updates, one event
    assert!(poll(&ep).is_empty());
    s.update(Interest::IN, NONE); // already ready: still a new edge
    assert_eq!(poll(&ep), [(Interest::IN, 1)]);
}

#[test]
fn s052_s054_oneshot_disarms_until_modify() {
    let ep = Epoll::new().unwrap();
    let s = Source::new(NONE).unwrap();
    ep.add(&s, 1, Interest::IN | Interest::ONESHOT, 123).unwrap();
    s.update(Interest::IN, NONE);
    assert_eq!(poll(&ep), [(Interest::IN, 123)]);
    s.update(Interest::IN | Interest::HUP, NONE);
    assert!(poll(&ep).is_empty()); // S055: nothing, HUP included
    assert_eq!(errno(ep.add(&s, 1, Interest::IN, 0)), EEXIST); // S053
    ep.modify(&s, 1, Interest::IN | Interest::ONESHOT, 456).unwrap();
    assert_eq!(poll(&ep), [(Interest::IN | Interest::HUP, 456)]);
}

#[test]
fn s073_one_source_under_two_fds_is_two_registrations() {
    let ep = Epoll::new().unwrap();
    let s = Source::new(Interest::IN | Interest::OUT).unwrap();
    ep.add(&s, 3, Interest::IN, 100).unwrap();
    ep.add(&s, 4, Interest::OUT, 200).unwrap();
    let mut got = poll(&ep);
    got.sort_by_key(|e| e.1);
    assert_eq!(got, [(Interest::IN, 100), (Interest::OUT, 200)]);
}

#[test]
fn s074_one_source_in_two_instances() {
    let (a, b) = (Epoll::new().unwrap(), Epoll::new().unwrap());
    let s = Source::new(NONE).unwrap();
    a.add(&s, 1, Interest::IN | Interest::ET, 1).unwrap();
    b.add(&s, 1, Interest::IN, 2).unwrap();
    s.update(Interest::IN, NONE);
    assert_eq!(poll(&a), [(Interest::IN, 1)]);
    assert!(poll(&a).is_empty());
    assert_eq!(poll(&b), [(Interest::IN, 2)]);
    assert_eq!(poll(&b), [(Interest::IN, 2)]);
}

#[test]
fn s080_ready_at_add_joins_the_queue_in_add_order() {
    let ep = Epoll::new().unwrap();
    let srcs: Vec<Source> = (0..5).map(|_| Source::new(Interest::IN).unwrap()).collect();
    for i in (0..5).rev() {
        ep.add(&srcs[i], i as i32, Interest::IN, i as u64).unwrap();
    }
    let order: Vec<u64> = poll(&ep).into_iter().map(|e| e.1).collect();
    assert_eq!(order, [4, 3, 2, 1, 0]);
}

#[test]
fn s076_lt_entries_rotate_round_robin_through_a_small_buffer() {
    let ep = Epoll::new().unwrap();
    let srcs: Vec<Source> = (0..5).map(|_| Source::new(Interest::IN).unwrap()).collect();
    for (i, s) in srcs.iter().enumerate() {
        ep.add(s, i as i32, Interest::IN, i as u64).unwrap();
    }
    let mut count = [0; 5];
    let mut buf = [Event::default(); 2];
    for _ in 0..5 {
        assert_eq!(ep.wait(&mut buf, Some(Duration::ZERO)).unwrap(), 2);
        for e in &buf {
            count[e.data() as usize] += 1;
        }
    }
    assert_eq!(count, [2; 5]);
}

#[test]
fn s065_s150_delete_discards_a_queued_event() {
    let ep = Epoll::new().unwrap();
    let s = Source::new(NONE).unwrap();
    ep.add(&s, 1, Interest::IN | Interest::ET, 1).unwrap();
    s.update(Interest::IN, NONE);
    assert_eq!(ep.as_source().ready(), Interest::IN | Interest::RDNORM);
    ep.delete(&s, 1).unwrap();
    assert!(poll(&ep).is_empty());
    assert!(ep.as_source().ready().is_empty());
}

#[test]
fn s147_dropping_a_registered_source_removes_its_registrations() {
    let (a, b) = (Epoll::new().unwrap(), Epoll::new().unwrap());
    let s = Source::new(NONE).unwrap();
    a.add(&s, 1, Interest::IN, 1).unwrap();
    b.add(&s, 1, Interest::IN | Interest::ET, 1).unwrap();
    s.update(Interest::IN, NONE);
    drop(s);
    assert!(poll(&a).is_empty());
    assert!(poll(&b).is_empty());
}

#[test]
fn s017_unknown_bits_are_accepted_and_never_reported() {
    let ep = Epoll::new().unwrap();
    let s = Source::new(Interest::IN | Interest::from_bits(0x0010_0000)).unwrap();
    ep.add(&s, 1, Interest::IN | Interest::from_bits(0x0010_0000), 1).unwrap();
    assert_eq!(poll(&ep), [(Interest::IN, 1)]);
}

#[test]
fn s085_err_and_hup_are_reported_unasked() {
    let ep = Epoll::new().unwrap();
    let s = Source::new(NONE).unwrap();
    ep.add(&s, 1, NONE, 1).unwrap();
    s.update(Interest::ERR | Interest::HUP | Interest::IN, NONE);
    assert_eq!(poll(&ep), [(Interest::ERR | Interest::HUP, 1)]);
}

#[test]
fn s116_s127_nested_epoll_reports_and_leaves_on_drop() {
    let outer = Epoll::new().unwrap();
    let inner = Epoll::new().unwrap();
    let s = Source::new(NONE).unwrap();
    inner.add(&s, 1, Interest::IN, 1).unwrap();
    outer.add(&inner, 2, Interest::IN, 2).unwrap();
    assert!(poll(&outer).is_empty());
    s.update(Interest::IN, NONE);
    assert_eq!(poll(&outer), [(Interest::IN, 2)]);
    assert_eq!(outer.as_source().ready(), Interest::IN | Interest::RDNORM);
    drop(inner);
    assert!(poll(&outer).is_empty());
}

#[test]
fn s118_s119_nesting_cycles_and_depth_are_eloop() {
    let eps: Vec<Epoll> = (0..6).map(|_| Epoll::new().unwrap()).collect();
    eps[0].add(&eps[1], 1, Interest::IN, 0).unwrap();
    assert_eq!(errno(eps[1].add(&eps[0], 0, Interest::IN, 0)), ELOOP);
    for i in 1..4 {
        eps[i].add(&eps[i + 1], i as i32 + 1, Interest::IN, 0).unwrap();
    }
    // eps[0] > 1 > 2 > 3 > 4 is 5 instances; a sixth level is too deep.
    assert_eq!(errno(eps[4].add(&eps[5], 5, Interest::IN, 0)), ELOOP);
}

#[test]
fn s009_an_epoll_in_itself_is_einval() {
    let ep = Epoll::new().unwrap();
    assert_eq!(errno(ep.add(&ep, 1, Interest::IN, 0)), EINVAL);
    assert_eq!(errno(ep.modify(&ep, 1, Interest::IN, 0)), EINVAL);
    assert_eq!(errno(ep.delete(&ep, 1)), EINVAL);
}

#[test]
fn s012_s013_add_twice_is_eexist_and_unknown_keys_are_enoent() {
    let ep = Epoll::new().unwrap();
    let s = Source::new(Interest::IN).unwrap();
    ep.add(&s, 1, Interest::IN, 1).unwrap();
    let e = ep.add(&s, 1, Interest::OUT, 2).unwrap_err();
    assert_eq!((e.raw_os_error(), e.kind()), (Some(EEXIST), std::io::ErrorKind::AlreadyExists));
    assert_eq!(poll(&ep), [(Interest::IN, 1)]); // S072: the failed add changed nothing
    assert_eq!(errno(ep.modify(&s, 2, Interest::IN, 0)), ENOENT);
    assert_eq!(errno(ep.delete(&s, 2)), ENOENT);
    ep.delete(&s, 1).unwrap();
    let e = ep.delete(&s, 1).unwrap_err();
    assert_eq!((e.raw_os_error(), e.kind()), (Some(ENOENT), std::io::ErrorKind::NotFound));
}

#[test]
fn s018_s131_exclusive_rules_are_einval() {
    let ep = Epoll::new().unwrap();
    let s = Source::new(NONE).unwrap();
    let x = Interest::EXCLUSIVE;
    assert_eq!(errno(ep.add(&s, 1, Interest::IN | x | Interest::ONESHOT, 0)), EINVAL);
    assert_eq!(errno(ep.add(&s, 1, Interest::IN | x | Interest::RDHUP, 0)), EINVAL);
    ep.add(&s, 1, Interest::IN | Interest::OUT | Interest::ET | x, 0).unwrap();
    assert_eq!(errno(ep.modify(&s, 1, Interest::IN, 0)), EINVAL); // MOD of an EXCLUSIVE entry
    ep.add(&s, 2, Interest::IN, 0).unwrap();
    assert_eq!(errno(ep.modify(&s, 2, Interest::IN | x, 0)), EINVAL); // EXCLUSIVE in a MOD
    let inner = Epoll::new().unwrap();
    assert_eq!(errno(ep.add(&inner, 3, Interest::IN | x, 0)), EINVAL); // S131
}

#[test]
fn s019_wait_into_an_empty_buffer_is_einval() {
    let ep = Epoll::new().unwrap();
    let e = ep.wait(&mut [], Some(Duration::ZERO)).unwrap_err();
    assert_eq!((e.raw_os_error(), e.kind()), (Some(EINVAL), std::io::ErrorKind::InvalidInput));
}

#[test]
fn s004_s141_timeouts_poll_and_never_return_early() {
    let ep = Epoll::new().unwrap();
    assert!(poll(&ep).is_empty());
    let t = Instant::now();
    assert!(wait(&ep, Some(Duration::from_millis(20))).is_empty());
    assert!(t.elapsed() >= Duration::from_millis(20));
    // The largest Duration saturates to INT64_MAX ns instead of wrapping.
    let s = Source::new(Interest::IN).unwrap();
    ep.add(&s, 1, Interest::IN, 1).unwrap();
    assert_eq!(wait(&ep, Some(Duration::MAX)), [(Interest::IN, 1)]);
    assert_eq!(wait(&ep, None), [(Interest::IN, 1)]);
}

#[test]
fn s022_only_the_first_n_entries_are_written() {
    let ep = Epoll::new().unwrap();
    let s = Source::new(Interest::IN).unwrap();
    ep.add(&s, 1, Interest::IN, 1).unwrap();
    let mut buf = [Event::new(Interest::PRI, 99); 4];
    assert_eq!(ep.wait(&mut buf, Some(Duration::ZERO)).unwrap(), 1);
    assert_eq!(buf[0], Event::new(Interest::IN, 1));
    assert_eq!(&buf[1..], &[Event::new(Interest::PRI, 99); 3]);
}

#[test]
fn interrupt_stays_pending_across_nonblocking_waits_and_is_eintr_once() {
    let ep = Epoll::new().unwrap();
    ep.interrupt();
    assert!(poll(&ep).is_empty()); // timeout 0 leaves it pending
    let e = ep.wait(&mut [Event::default(); 1], None).unwrap_err();
    assert_eq!((e.raw_os_error(), e.kind()), (Some(EINTR), std::io::ErrorKind::Interrupted));
    assert!(wait(&ep, Some(Duration::from_millis(1))).is_empty()); // consumed
}

#[test]
fn wakeup_runs_per_new_entry_and_is_freed_when_replaced_or_closed() {
    let ep = Epoll::new().unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    ep.set_wakeup(move || {
        c.fetch_add(1, Ordering::SeqCst);
    });
    let s = Source::new(Interest::IN).unwrap();
    ep.add(&s, 1, Interest::IN, 1).unwrap(); // ready at ADD: runs on this thread
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    s.update(Interest::IN, NONE); // already queued: a dedupe hit, no callback
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    ep.clear_wakeup();
    assert_eq!(Arc::strong_count(&calls), 1); // the closure was dropped
    let _ = poll(&ep);
    s.update(Interest::IN, NONE);
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    let c = calls.clone();
    ep.set_wakeup(move || {
        c.fetch_add(1, Ordering::SeqCst);
    });
    assert_eq!(Arc::strong_count(&calls), 2);
    ep.close().unwrap();
    assert_eq!(Arc::strong_count(&calls), 1);
}

#[test]
fn stats_count_the_hook_per_instance_and_globally() {
    let before = Stats::global();
    let ep = Epoll::new().unwrap();
    let s = Source::new(NONE).unwrap();
    ep.add(&s, 1, Interest::IN | Interest::ET, 1).unwrap();
    s.update(Interest::IN, NONE);
    s.update(Interest::OUT, NONE); // not asked for: reaches no registration of ep
    assert_eq!(ep.stats().enqueue_attempts, 1);
    assert_eq!(poll(&ep).len(), 1);
    assert!(Stats::global().enqueue_attempts >= before.enqueue_attempts + 1);
}

#[test]
fn interest_ops_and_debug() {
    let mut i = Interest::IN | Interest::OUT;
    i -= Interest::OUT;
    i |= Interest::ET;
    assert_eq!(i, Interest::IN | Interest::ET);
    assert_eq!(i & Interest::ET, Interest::ET);
    assert!((!Interest::IN).contains(Interest::OUT));
    assert!(!(!Interest::IN).intersects(Interest::IN));
    assert_eq!(format!("{:?}", Interest::from_bits(0x0010_0004)), "Interest(OUT | 0x100000)");
    assert_eq!(
        format!("{:?}", Event::new(Interest::HUP, 3)),
        "Event { readiness: Interest(HUP), data: 3 }"
    );
}

#[test]
fn handles_are_send_and_sync() {
    fn both<T: Send + Sync>() {}
    both::<Epoll>();
    both::<Source>();
    both::<vepoll::SourceRef<'static>>();
    both::<vepoll::PipeReader>();
    both::<vepoll::PipeWriter>();
    both::<vepoll::EventFd>();
    both::<vepoll::Socket>();
}
