//! The ready-made pipe, eventfd and socket pair through std::io::Read /
//! Write, the `_timeout` calls and the socket's recv / send with MsgFlags,
//! blocking and non-blocking, with their readiness and every error path
//! (docs/SEMANTICS.md ids in the names; the timerfd is in timerfd.rs).
mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::Shutdown;
use std::thread;
use std::time::{Duration, Instant};

use common::*;
use vepoll::{
    pipe, pipe_with_capacity, socket_pair, socket_pair_with_capacity, AsSource, Epoll, EventFd,
    Interest, MsgFlags,
};

const ZERO: Option<Duration> = Some(Duration::ZERO);

#[test]
fn pipe_blocking_read_waits_for_the_writer_thread() {
    let (mut rd, wr) = pipe().unwrap();
    let t = thread::spawn(move || {
        thread::sleep(Duration::from_millis(20));
        (&wr).write_all(b"late").unwrap();
        wr // keep the write end open until joined
    });
    let mut buf = [0; 4];
    rd.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"late");
    drop(t.join().unwrap());
    assert_eq!(rd.read(&mut buf).unwrap(), 0); // S084: end of file
}

#[test]
fn pipe_nonblocking_calls_would_block() {
    let (mut rd, mut wr) = pipe_with_capacity(4096).unwrap();
    rd.set_nonblocking(true);
    wr.set_nonblocking(true);
    let e = rd.read(&mut [0; 8]).unwrap_err();
    assert_eq!((e.kind(), e.raw_os_error()), (ErrorKind::WouldBlock, Some(EAGAIN)));
    assert_eq!(wr.write(&[7; 5000]).unwrap(), 4096);
    assert_eq!(wr.write(b"x").unwrap_err().kind(), ErrorKind::WouldBlock);
    assert_eq!(rd.pending(), 4096);
    // The blocking mode of one end is its own (per open file, as Linux).
    let (rd2, wr2) = pipe().unwrap();
    rd2.set_nonblocking(true);
    assert!(!wr2.is_nonblocking());
}

#[test]
fn pipe_timeouts_give_up_after_at_least_the_timeout() {
    let (rd, wr) = pipe_with_capacity(4096).unwrap();
    let t = Instant::now();
    let e = rd.read_timeout(&mut [0; 8], Some(Duration::from_millis(15))).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::WouldBlock);
    assert!(t.elapsed() >= Duration::from_millis(15));
    assert_eq!(wr.write_timeout(&[1; 4096], ZERO).unwrap(), 4096);
    let t = Instant::now();
    assert_eq!(
        wr.write_timeout(b"x", Some(Duration::from_millis(15))).unwrap_err().kind(),
        ErrorKind::WouldBlock
    );
    assert!(t.elapsed() >= Duration::from_millis(15));
}

#[test]
fn s084_s087_pipe_hangup_eof_and_epipe() {
    let (rd, wr) = pipe().unwrap();
    (&wr).write_all(b"ab").unwrap();
    drop(wr);
    assert_eq!(rd.as_source().ready(), Interest::IN | Interest::RDNORM | Interest::HUP);
    let mut buf = [0; 8];
    assert_eq!((&rd).read(&mut buf).unwrap(), 2);
    assert_eq!((&rd).read(&mut buf).unwrap(), 0);

    let (rd, wr) = pipe().unwrap();
    drop(rd);
    assert!(wr.as_source().ready().contains(Interest::OUT | Interest::ERR));
    let e = (&wr).write(b"x").unwrap_err();
    assert_eq!((e.kind(), e.raw_os_error()), (ErrorKind::BrokenPipe, Some(EPIPE)));
    assert_eq!((&wr).write(b"").unwrap(), 0); // a write of 0 bytes returns 0 first
}

#[test]
fn pipe_capacity_rounds_up_and_rejects_more_than_1_gib() {
    assert_eq!(pipe().unwrap().0.capacity(), 65536);
    assert_eq!(pipe_with_capacity(4097).unwrap().1.capacity(), 8192);
    assert_eq!(errno(pipe_with_capacity((1 << 30) + 1)), EINVAL);
}

#[test]
fn s039_s147_every_pipe_write_is_an_et_event_until_the_end_is_dropped() {
    let ep = Epoll::new().unwrap();
    let (rd, wr) = pipe().unwrap();
    ep.add(&rd, 3, Interest::IN | Interest::ET, 3).unwrap();
    ep.add(&wr, 4, Interest::OUT | Interest::ET, 4).unwrap();
    assert_eq!(poll(&ep), [(Interest::OUT, 4)]); // S094: ready at ADD
    (&wr).write_all(b"1").unwrap();
    assert_eq!(poll(&ep), [(Interest::IN, 3)]);
    (&wr).write_all(b"2").unwrap(); // nothing read: still a new edge
    assert_eq!(poll(&ep), [(Interest::IN, 3)]);
    drop(rd);
    (&wr).write(b"3").unwrap_err();
    assert_eq!(poll(&ep), [(Interest::OUT | Interest::ERR, 4)]); // S090
}

#[test]
fn s099_s103_eventfd_sums_resets_and_signals_every_write() {
    let ep = Epoll::new().unwrap();
    let efd = EventFd::new(0).unwrap();
    ep.add(&efd, 5, Interest::IN | Interest::OUT | Interest::ET, 5).unwrap();
    assert_eq!(poll(&ep), [(Interest::OUT, 5)]); // S095
    efd.write_value(3).unwrap();
    assert_eq!(poll(&ep), [(Interest::IN | Interest::OUT, 5)]);
    efd.write_value(1).unwrap();
    assert_eq!(poll(&ep), [(Interest::IN | Interest::OUT, 5)]);
    assert_eq!(efd.read_value().unwrap(), 4);
    assert_eq!(efd.read_value_timeout(ZERO).unwrap_err().raw_os_error(), Some(EAGAIN));
}

#[test]
fn s100_eventfd_semaphore_reads_one_at_a_time() {
    let efd = EventFd::new_semaphore(2).unwrap();
    efd.set_nonblocking(true);
    assert_eq!(efd.read_value().unwrap(), 1);
    assert!(efd.as_source().ready().contains(Interest::IN));
    assert_eq!(efd.read_value().unwrap(), 1);
    assert_eq!(efd.read_value().unwrap_err().kind(), ErrorKind::WouldBlock);
}

#[test]
fn s101_eventfd_maximum_rules() {
    const MAX: u64 = 0xffff_ffff_ffff_fffe;
    assert_eq!(errno(EventFd::new(MAX + 1)), EINVAL);
    let efd = EventFd::new(MAX).unwrap();
    assert_eq!(efd.as_source().ready(), Interest::IN); // exactly IN: OUT gone
    assert_eq!(errno(efd.write_value(u64::MAX)), EINVAL);
    assert_eq!(errno(efd.write_value_timeout(1, ZERO)), EAGAIN);
    efd.write_value(0).unwrap(); // a write of 0 always succeeds
    assert_eq!(efd.read_value().unwrap(), MAX);
}

#[test]
fn s102_eventfd_io_traits_move_exactly_8_bytes() {
    let mut efd = EventFd::new(0).unwrap();
    assert_eq!(efd.write(&7u64.to_ne_bytes()).unwrap(), 8);
    assert_eq!(errno(efd.write(&[1; 4])), EINVAL);
    assert_eq!(errno(efd.write(&[1; 9])), EINVAL);
    assert_eq!(errno(efd.read(&mut [0; 4])), EINVAL);
    let mut buf = [0; 16];
    assert_eq!(efd.read(&mut buf).unwrap(), 8);
    assert_eq!(u64::from_ne_bytes(buf[..8].try_into().unwrap()), 7);
}

#[test]
fn eventfd_blocking_read_is_woken_by_a_writer_thread() {
    let efd = EventFd::new(0).unwrap();
    thread::scope(|s| {
        s.spawn(|| {
            thread::sleep(Duration::from_millis(20));
            efd.write_value(42).unwrap();
        });
        assert_eq!(efd.read_value().unwrap(), 42);
    });
}

#[test]
fn socket_pair_streams_both_ways_and_counts_pending() {
    let (mut a, mut b) = socket_pair().unwrap();
    a.write_all(b"ping").unwrap();
    assert_eq!((a.pending(), b.pending()), (0, 4));
    let mut buf = [0; 4];
    b.read_exact(&mut buf).unwrap();
    b.write_all(b"pong").unwrap();
    a.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"pong");
    b.set_nonblocking(true);
    assert_eq!(b.read(&mut buf).unwrap_err().kind(), ErrorKind::WouldBlock);
}

#[test]
fn s107_s110_socket_shutdowns() {
    let (a, b) = socket_pair().unwrap();
    a.shutdown(Shutdown::Write).unwrap();
    assert_eq!(
        b.as_source().ready(),
        Interest::IN
            | Interest::RDNORM
            | Interest::RDHUP
            | Interest::OUT
            | Interest::WRNORM
            | Interest::WRBAND
    );
    assert_eq!((&b).read(&mut [0; 4]).unwrap(), 0);
    assert!(a.as_source().ready().contains(Interest::OUT)); // S110: still OUT
    assert_eq!(errno(a.write_timeout(b"x", None)), EPIPE);
    a.shutdown(Shutdown::Write).unwrap(); // repeating is allowed
    b.shutdown(Shutdown::Read).unwrap();
    assert_eq!(errno(a.write_timeout(b"", ZERO)), EPIPE); // EPIPE even for 0 bytes
    a.shutdown(Shutdown::Both).unwrap();
    assert!(a.as_source().ready().contains(Interest::HUP)); // S109
}

#[test]
fn s112_econnreset_once_when_the_peer_drops_unread_data() {
    let (a, b) = socket_pair().unwrap();
    (&a).write_all(b"unread").unwrap();
    drop(b);
    assert!(a.as_source().ready().contains(Interest::ERR | Interest::HUP | Interest::RDHUP));
    let e = (&a).read(&mut [0; 8]).unwrap_err();
    assert_eq!((e.kind(), e.raw_os_error()), (ErrorKind::ConnectionReset, Some(ECONNRESET)));
    assert_eq!((&a).read(&mut [0; 8]).unwrap(), 0);
    assert_eq!(errno((&a).write(b"x")), EPIPE);
}

#[test]
fn socket_capacity_bounds_and_einval() {
    let (a, b) = socket_pair_with_capacity(16).unwrap();
    assert_eq!(a.write_timeout(&[1; 64], ZERO).unwrap(), 16);
    assert_eq!(b.pending(), 16);
    assert_eq!(errno(socket_pair_with_capacity((1 << 30) + 1)), EINVAL);
}

#[test]
fn a_blocked_socket_read_returns_when_the_peer_is_dropped() {
    let (a, b) = socket_pair().unwrap();
    thread::scope(|s| {
        let r = s.spawn(|| (&a).read(&mut [0; 8]).unwrap());
        thread::sleep(Duration::from_millis(20));
        drop(b);
        assert_eq!(r.join().unwrap(), 0);
    });
}

const PEEK: MsgFlags = MsgFlags::PEEK;
const WAITALL: MsgFlags = MsgFlags::WAITALL;
const DONTWAIT: MsgFlags = MsgFlags::DONTWAIT;
const NONE: MsgFlags = MsgFlags::empty();

#[test]
fn s163_peek_copies_without_consuming_or_waking_the_writer() {
    let ep = Epoll::new().unwrap();
    let (a, b) = socket_pair_with_capacity(8).unwrap();
    ep.add(&b, 4, Interest::OUT | Interest::ET, 1).unwrap();
    assert_eq!(poll(&ep), [(Interest::OUT, 1)]);
    assert_eq!(b.send(b"abc", NONE).unwrap(), 3);
    assert_eq!(b.send(b"defgh", NONE).unwrap(), 5); // full: 8 bytes
    assert_eq!(poll(&ep), []);
    // A peek spans writes and takes nothing.
    let mut buf = [0u8; 100];
    assert_eq!(a.recv(&mut buf[..6], PEEK).unwrap(), 6);
    assert_eq!(&buf[..6], b"abcdef");
    assert_eq!(a.recv(&mut buf, PEEK | DONTWAIT).unwrap(), 8);
    assert_eq!(&buf[..8], b"abcdefgh");
    assert_eq!(a.pending(), 8);
    // It freed no space: no OUT event for the writer, still full.
    assert_eq!(poll(&ep), []);
    assert_eq!(b.send(b"x", DONTWAIT).unwrap_err().kind(), ErrorKind::WouldBlock);
    // The read takes the same bytes; the first write's space comes back.
    assert_eq!(a.recv(&mut buf[..3], NONE).unwrap(), 3);
    assert_eq!(&buf[..3], b"abc");
    assert_eq!(poll(&ep), [(Interest::OUT, 1)]);
    assert_eq!(a.recv(&mut buf[..2], PEEK).unwrap(), 2);
    assert_eq!(&buf[..2], b"de");
}

#[test]
fn s164_waitall_takes_until_the_length_the_end_of_stream_or_the_timeout() {
    let (a, b) = socket_pair().unwrap();
    let mut buf = [0u8; 10];
    // Non-blocking: what is there.
    b.send(b"ab", NONE).unwrap();
    assert_eq!(a.recv_timeout(&mut buf, WAITALL, ZERO).unwrap(), 2);
    // Blocking: across several writes until the length.
    b.send(b"ab", NONE).unwrap();
    let sleeper = Sleeper::default();
    let n = thread::scope(|s| {
        let writer = s.spawn(|| {
            sleeper.until_asleep();
            b.send(b"cdefg", NONE)
        });
        sleeper.starting();
        let n = a.recv_timeout(&mut buf[..7], WAITALL, Some(Duration::from_secs(30)));
        sleeper.returned();
        (n.unwrap(), writer.join().unwrap().unwrap())
    });
    assert_eq!((n, &buf[..7]), ((7, 5), &b"abcdefg"[..]));
    // A timeout ends it with what was taken.
    b.send(b"xyz", NONE).unwrap();
    assert_eq!(a.recv_timeout(&mut buf, WAITALL, Some(Duration::from_millis(10))).unwrap(), 3);
    assert_eq!(&buf[..3], b"xyz");
    // So does the end of the stream.
    b.send(b"q", NONE).unwrap();
    b.shutdown(Shutdown::Write).unwrap();
    assert_eq!(a.recv(&mut buf, WAITALL).unwrap(), 1);
    assert_eq!(a.recv(&mut buf, WAITALL).unwrap(), 0);
}

#[test]
fn s164_waitall_that_took_bytes_consumes_a_pending_reset() {
    let (a, b) = socket_pair().unwrap();
    a.send(b"u", NONE).unwrap(); // unread by b: dropping b resets a
    b.send(b"hi", NONE).unwrap();
    drop(b);
    assert!(a.as_source().ready().contains(Interest::ERR));
    let mut buf = [0u8; 10];
    assert_eq!(a.recv_timeout(&mut buf, WAITALL, ZERO).unwrap(), 2);
    assert!(!a.as_source().ready().contains(Interest::ERR));
    assert_eq!(a.recv_timeout(&mut buf, NONE, ZERO).unwrap(), 0); // the reset is gone
                                                                  // Without WAITALL the next recv reports it, once.
    let (a, b) = socket_pair().unwrap();
    a.send(b"u", NONE).unwrap();
    b.send(b"hi", NONE).unwrap();
    drop(b);
    assert_eq!(a.recv_timeout(&mut buf, NONE, ZERO).unwrap(), 2);
    let e = a.recv_timeout(&mut buf, NONE, ZERO).unwrap_err();
    assert_eq!((e.kind(), e.raw_os_error()), (ErrorKind::ConnectionReset, Some(ECONNRESET)));
    assert_eq!(a.recv_timeout(&mut buf, NONE, ZERO).unwrap(), 0);
}

#[test]
fn s164_peek_waitall_waits_for_data_then_peeks_what_is_there() {
    let (a, b) = socket_pair().unwrap();
    let sleeper = Sleeper::default();
    let mut buf = [0u8; 10];
    let n = thread::scope(|s| {
        let writer = s.spawn(|| {
            sleeper.until_asleep();
            b.send(b"xyz", NONE)
        });
        sleeper.starting();
        let n = a.recv_timeout(&mut buf, PEEK | WAITALL, Some(Duration::from_secs(30)));
        sleeper.returned();
        writer.join().unwrap().unwrap();
        n.unwrap()
    });
    assert_eq!((n, &buf[..3], a.pending()), (3, &b"xyz"[..], 3));
}

#[test]
fn s165_recv_of_zero_bytes_needs_data_or_the_end_of_stream_and_dontwait_never_blocks() {
    let (mut a, b) = socket_pair().unwrap();
    assert_eq!(a.read(&mut []).unwrap(), 0); // read answers at once
    assert_eq!(errno(a.recv_timeout(&mut [], NONE, ZERO)), EAGAIN);
    assert_eq!(a.recv(&mut [], DONTWAIT).unwrap_err().kind(), ErrorKind::WouldBlock);
    assert_eq!(a.recv(&mut [0; 5], DONTWAIT).unwrap_err().kind(), ErrorKind::WouldBlock);
    b.send(b"abc", NONE).unwrap();
    assert_eq!(a.recv(&mut [], NONE).unwrap(), 0);
    assert_eq!(a.recv(&mut [], PEEK).unwrap(), 0);
    assert_eq!(a.pending(), 3);
    assert_eq!(a.recv(&mut [0; 5], NONE).unwrap(), 3);
    b.shutdown(Shutdown::Write).unwrap();
    assert_eq!(a.recv(&mut [], NONE).unwrap(), 0);
    assert_eq!(a.recv(&mut [0; 4], PEEK).unwrap(), 0);
}

#[test]
fn s166_flags_each_call_refuses_and_send_to_a_shut_peer() {
    let (a, b) = socket_pair_with_capacity(4).unwrap();
    let mut buf = [0u8; 4];
    assert_eq!(errno(a.recv(&mut buf[..1], MsgFlags::OOB)), EINVAL); // no OOB byte pending
    assert_eq!(errno(a.recv(&mut buf[..1], MsgFlags::MORE)), EINVAL);
    assert_eq!(errno(a.recv(&mut buf[..1], MsgFlags::from_bits(0x8))), EINVAL);
    assert_eq!(errno(a.recv(&mut buf[..1], MsgFlags::NOSIGNAL | DONTWAIT)), EAGAIN);
    assert_eq!(errno(a.send(b"x", MsgFlags::OOB)), EOPNOTSUPP);
    assert_eq!(errno(a.send(b"x", PEEK)), EINVAL);
    assert_eq!(errno(a.send(b"x", WAITALL)), EINVAL);
    assert_eq!(errno(a.send(b"x", MsgFlags::from_bits(0x10000))), EINVAL);
    // DONTWAIT on a full blocking pair; MORE is accepted and ignored.
    assert_eq!(a.send(b"abc", MsgFlags::MORE).unwrap(), 3);
    assert_eq!(a.send(b"d", NONE).unwrap(), 1);
    assert_eq!(a.send(b"e", DONTWAIT).unwrap_err().kind(), ErrorKind::WouldBlock);
    assert_eq!(b.recv(&mut buf, NONE).unwrap(), 4);
    assert_eq!(&buf, b"abcd");
    // No signal either way: EPIPE, even for 0 bytes.
    a.shutdown(Shutdown::Write).unwrap();
    let e = a.send(b"x", MsgFlags::NOSIGNAL).unwrap_err();
    assert_eq!((e.kind(), e.raw_os_error()), (ErrorKind::BrokenPipe, Some(EPIPE)));
    assert_eq!(errno(a.send(b"", NONE)), EPIPE);
}

#[test]
fn recv_and_send_follow_the_handles_nonblocking_mode() {
    let (a, b) = socket_pair_with_capacity(4).unwrap();
    a.set_nonblocking(true);
    b.set_nonblocking(true);
    assert_eq!(a.recv(&mut [0; 4], NONE).unwrap_err().kind(), ErrorKind::WouldBlock);
    assert_eq!(b.send(b"abcdef", NONE).unwrap(), 4);
    assert_eq!(b.send(b"g", NONE).unwrap_err().kind(), ErrorKind::WouldBlock);
    let start = Instant::now();
    let e = b.send_timeout(b"g", NONE, Some(Duration::from_millis(15))).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::WouldBlock); // the _timeout calls ignore the mode
    assert!(start.elapsed() >= Duration::from_millis(15));
}

#[test]
fn msg_flags_ops_and_debug() {
    let mut f = PEEK | WAITALL;
    f -= WAITALL;
    f |= DONTWAIT;
    assert_eq!(f, PEEK | DONTWAIT);
    assert!(f.contains(PEEK) && !f.contains(WAITALL) && f.intersects(DONTWAIT | WAITALL));
    assert_eq!(f & DONTWAIT, DONTWAIT);
    assert!(!(!PEEK).contains(PEEK));
    assert_eq!(format!("{:?}", MsgFlags::from_bits(0x4002)), "MsgFlags(PEEK | NOSIGNAL)");
    assert_eq!(format!("{:?}", MsgFlags::from_bits(0x10000)), "MsgFlags(0x10000)");
    assert_eq!(MsgFlags::default(), NONE);
}
