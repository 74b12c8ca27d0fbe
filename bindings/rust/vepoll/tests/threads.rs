//! Producer threads against consumers, through the safe API: no lost
//! wake-up, no lost or duplicated byte, LT/ET wake-up rules with several
//! waiters, interrupt, the wake-up callback as an async host uses it, and
//! ctl racing with producers.  Worker threads return their results; only
//! the test thread asserts.  Every blocking call has a bound (a hang fails
//! by timeout instead of hanging the suite).
mod common;

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use common::*;
use vepoll::{pipe, AsSource, Epoll, Event, EventFd, Interest, Source};

const PRODUCERS: usize = 4;
const UPDATES: u64 = 20_000;
const LIMIT: Duration = Duration::from_secs(60);

/// Each producer bumps its counter, then updates its ET source; the
/// consumer reads the counter of every source it gets an event for.  The
/// last update of each producer is an edge that comes after the consumer's
/// previous read, so the consumer must end up seeing every final value.
fn no_lost_edge(consume: impl FnOnce(&Epoll, &[AtomicU64]) -> Result<(), String>) {
    let ep = Epoll::new().unwrap();
    let sources: Vec<Source> =
        (0..PRODUCERS).map(|_| Source::new(Interest::empty()).unwrap()).collect();
    let counters: Vec<AtomicU64> = (0..PRODUCERS).map(|_| AtomicU64::new(0)).collect();
    for (i, s) in sources.iter().enumerate() {
        ep.add(s, i as i32, Interest::IN | Interest::ET, i as u64).unwrap();
    }
    let result = thread::scope(|sc| {
        for (s, c) in sources.iter().zip(&counters) {
            sc.spawn(move || {
                for _ in 0..UPDATES {
                    c.fetch_add(1, Ordering::SeqCst);
                    s.update(Interest::IN, Interest::empty());
                }
            });
        }
        consume(&ep, &counters)
    });
    assert_eq!(result, Ok(()));
}

/// Consumes until every counter's final value was seen after an event.
fn until_all_seen(
    mut next: impl FnMut(&mut [Event]) -> Result<usize, String>,
    counters: &[AtomicU64],
) -> Result<(), String> {
    let mut seen = vec![0u64; counters.len()];
    let mut events = [Event::default(); 8];
    let start = Instant::now();
    while seen.iter().any(|&v| v < UPDATES) {
        if start.elapsed() > LIMIT {
            return Err(format!("lost wake-up: seen {:?}", seen));
        }
        let n = next(&mut events)?;
        for e in &events[..n] {
            let i = e.data() as usize;
            seen[i] = counters[i].load(Ordering::SeqCst);
        }
    }
    Ok(())
}

#[test]
fn s039_producers_and_a_blocked_consumer_lose_no_edge() {
    no_lost_edge(|ep, counters| {
        until_all_seen(
            |ev| ep.wait(ev, Some(Duration::from_secs(5))).map_err(|e| e.to_string()),
            counters,
        )
    });
}

#[test]
fn wakeup_callback_drives_a_consumer_that_never_blocks_in_wait() {
    no_lost_edge(|ep, counters| {
        // The async-host shape: the callback only signals; the consumer
        // sleeps on its own channel and harvests with timeout 0.
        let (tx, rx) = mpsc::sync_channel::<()>(1);
        ep.set_wakeup(move || {
            let _ = tx.try_send(());
        });
        let r = until_all_seen(
            |ev| {
                let n = ep.wait(ev, Some(Duration::ZERO)).map_err(|e| e.to_string())?;
                if n == 0 {
                    let _ = rx.recv_timeout(Duration::from_secs(5));
                }
                Ok(n)
            },
            counters,
        );
        ep.clear_wakeup();
        r
    });
}

#[test]
fn pipe_byte_stream_between_threads_blocking() {
    let (mut rd, wr) = pipe().unwrap();
    let total: usize = 1 << 20;
    let writer = thread::spawn(move || {
        let mut wr = wr;
        let mut sent = 0usize;
        let mut chunk = 1usize;
        while sent < total {
            let n = chunk.min(total - sent);
            let data: Vec<u8> = (sent..sent + n).map(|i| (i % 251) as u8).collect();
            wr.write_all(&data)?;
            sent += n;
            chunk = chunk * 7 % 9001 + 1;
        }
        Ok::<usize, std::io::Error>(sent)
    }); // dropping wr at the end is the EOF
    let mut got = Vec::new();
    rd.read_to_end(&mut got).unwrap();
    assert_eq!(writer.join().unwrap().unwrap(), total);
    assert_eq!(got.len(), total);
    assert!(got.iter().enumerate().all(|(i, &b)| b == (i % 251) as u8));
}

#[test]
fn pipe_byte_stream_to_an_epoll_driven_nonblocking_reader() {
    let (rd, wr) = pipe().unwrap();
    rd.set_nonblocking(true);
    let ep = Epoll::new().unwrap();
    ep.add(&rd, 3, Interest::IN | Interest::RDHUP | Interest::ET, 3).unwrap();
    let total: usize = 1 << 20;
    let writer = thread::spawn(move || {
        let block: Vec<u8> = (0..8192u32).map(|i| i as u8).collect();
        let mut sent = 0;
        while sent < total {
            sent += (&wr).write(&block[..block.len().min(total - sent)])?;
        }
        Ok::<usize, std::io::Error>(sent)
    });
    let mut got = 0usize;
    let mut buf = vec![0u8; 10_000];
    let start = Instant::now();
    'outer: while start.elapsed() < LIMIT {
        let events = wait(&ep, Some(Duration::from_secs(5)));
        if events.is_empty() {
            continue;
        }
        loop {
            // ET: drain until WouldBlock (or end of file).
            match (&rd).read(&mut buf) {
                Ok(0) => break 'outer,
                Ok(n) => {
                    assert!(buf[..n]
                        .iter()
                        .enumerate()
                        .all(|(i, &b)| b == ((got + i) % 8192) as u8));
                    got += n;
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) => panic!("read: {}", e),
            }
        }
    }
    assert_eq!(writer.join().unwrap().unwrap(), total);
    assert_eq!(got, total);
}

#[test]
fn eventfd_counts_every_write_from_many_threads() {
    let efd = EventFd::new(0).unwrap();
    const WRITES: u64 = 5_000;
    let sum = thread::scope(|s| {
        for _ in 0..PRODUCERS {
            s.spawn(|| {
                for _ in 0..WRITES {
                    efd.write_value(1).unwrap();
                }
            });
        }
        let mut sum = 0;
        while sum < PRODUCERS as u64 * WRITES {
            match efd.read_value_timeout(Some(Duration::from_secs(5))) {
                Ok(v) => sum += v,
                Err(e) => return Err(e.to_string()),
            }
        }
        Ok(sum)
    });
    assert_eq!(sum, Ok(PRODUCERS as u64 * WRITES));
}

/// `waiters` threads wait (bounded) on one instance after a barrier; the
/// test thread makes the source ready once.  Returns how many got it.
fn waiters_woken(mode: Interest, waiters: usize) -> usize {
    let ep = Epoll::new().unwrap();
    let s = Source::new(Interest::empty()).unwrap();
    ep.add(&s, 1, Interest::IN | mode, 1).unwrap();
    let barrier = Barrier::new(waiters + 1);
    thread::scope(|sc| {
        let handles: Vec<_> = (0..waiters)
            .map(|_| {
                sc.spawn(|| {
                    barrier.wait();
                    ep.wait(&mut [Event::default(); 4], Some(Duration::from_millis(400))).unwrap()
                })
            })
            .collect();
        barrier.wait();
        thread::sleep(Duration::from_millis(30));
        s.update(Interest::IN, Interest::empty());
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    })
}

#[test]
fn s132_lt_readiness_reaches_every_waiter() {
    assert_eq!(waiters_woken(Interest::empty(), 3), 3);
}

#[test]
fn s133_an_et_event_goes_to_exactly_one_waiter() {
    assert_eq!(waiters_woken(Interest::ET, 3), 1);
}

#[test]
fn interrupt_ends_a_blocked_wait_with_eintr() {
    let ep = Epoll::new().unwrap();
    thread::scope(|s| {
        let h = s.spawn(|| ep.wait(&mut [Event::default(); 1], None).map_err(|e| e.raw_os_error()));
        thread::sleep(Duration::from_millis(20));
        ep.interrupt();
        assert_eq!(h.join().unwrap(), Err(Some(EINTR)));
    });
}

#[test]
fn s129_a_waiter_on_an_outer_instance_wakes_for_a_producer_inside_the_inner_one() {
    let outer = Arc::new(Epoll::new().unwrap());
    let inner = Epoll::new().unwrap();
    let s = Source::new(Interest::empty()).unwrap();
    inner.add(&s, 1, Interest::IN, 1).unwrap();
    outer.add(&inner, 9, Interest::IN, 9).unwrap();
    let o = outer.clone();
    let waiter = thread::spawn(move || wait(&o, Some(Duration::from_secs(30))));
    thread::sleep(Duration::from_millis(20));
    s.update(Interest::IN, Interest::empty());
    assert_eq!(waiter.join().unwrap(), [(Interest::IN, 9)]);
    assert_eq!(inner.as_source().ready(), Interest::IN | Interest::RDNORM);
}

#[test]
fn s150_ctl_and_source_drops_race_with_producers_and_a_waiter() {
    // Sources are added, modified, deleted and dropped while producers
    // update the live ones and a thread waits: nothing crashes or hangs,
    // and no wait that starts after a delete / drop returned reports that
    // registration.  `retired` holds the data of the newest registration
    // whose delete / drop has returned; the waiter reads it before each
    // wait, so any event carrying data in 1000..=retired is stale.
    let ep = Epoll::new().unwrap();
    let stop = AtomicBool::new(false);
    let retired = AtomicU64::new(0);
    let live: Vec<Source> = (0..4).map(|_| Source::new(Interest::empty()).unwrap()).collect();
    for (i, s) in live.iter().enumerate() {
        ep.add(s, i as i32, Interest::IN | Interest::ET, i as u64).unwrap();
    }
    let stale = thread::scope(|sc| {
        for s in &live {
            sc.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    s.update(Interest::IN, Interest::empty());
                }
            });
        }
        let waiter = sc.spawn(|| {
            let mut stale = Vec::new();
            while !stop.load(Ordering::SeqCst) {
                let gone = retired.load(Ordering::SeqCst);
                for (_, data) in wait(&ep, Some(Duration::from_millis(10))) {
                    if (1000..=gone).contains(&data) {
                        stale.push(data);
                    }
                }
            }
            stale
        });
        for round in 0..2000u64 {
            let tmp = Source::new(Interest::empty()).unwrap();
            ep.add(&tmp, 100, Interest::IN | Interest::ET, round + 1000).unwrap();
            let i = (round % 4) as usize;
            ep.modify(&live[i], i as i32, Interest::IN | Interest::ET, i as u64).unwrap();
            tmp.update(Interest::IN, Interest::empty());
            if round % 2 == 0 {
                ep.delete(&tmp, 100).unwrap();
            }
            drop(tmp); // odd rounds: dropped while registered
            retired.store(round + 1000, Ordering::SeqCst);
        }
        stop.store(true, Ordering::SeqCst);
        waiter.join().unwrap()
    });
    assert_eq!(stale, Vec::<u64>::new());
    assert!(poll(&ep).iter().all(|&(_, d)| d < 4));
}
