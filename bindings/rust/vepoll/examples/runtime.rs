//! A runtime's guest descriptor table over vepoll: the shape of Wasmer's
//! WASIX epoll (`EpollState` per epoll fd, an `EpollHandler` per watched
//! object calling into it) in a page.  Here `Epoll` is the EpollState (its
//! registrations, ready queue and waiters), and the producer side needs no
//! handler object at all: the ready-made pipe and eventfd publish their
//! own readiness, and a runtime's own object (the timer below) calls
//! `Source::update` from whatever thread changes it.  Closing a descriptor
//! drops its `Arc`; the last reference closes the object, which removes
//! its registrations from every instance.  Each guest thread gets an
//! `Interrupt`: a signal for that thread ends its blocked `epoll_wait` with
//! EINTR, as Linux delivers signals to threads.
//!
//!   cargo run --example runtime
use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use vepoll::{
    AsSource, Epoll, Event, EventFd, Interest, Interrupt, PipeReader, PipeWriter, Source, SourceRef,
};

const EBADF: i32 = 9;
const EINVAL: i32 = 22;
const EPERM: i32 = 1;

/// What a guest descriptor refers to.
enum File {
    Epoll(Epoll),
    PipeRead(PipeReader),
    PipeWrite(PipeWriter),
    Event(EventFd),
    Timer(Source), // the runtime's own object: a thread ticks it
    Regular,       // a file: not pollable (epoll_ctl answers EPERM, as Linux)
}

impl File {
    fn source(&self) -> Option<SourceRef<'_>> {
        match self {
            File::Epoll(e) => Some(e.as_source()),
            File::PipeRead(p) => Some(p.as_source()),
            File::PipeWrite(p) => Some(p.as_source()),
            File::Event(e) => Some(e.as_source()),
            File::Timer(s) => Some(s.as_source()),
            File::Regular => None,
        }
    }
}

#[derive(Default)]
struct FdTable {
    files: Mutex<HashMap<u32, Arc<File>>>,
}

fn err(errno: i32) -> io::Error {
    io::Error::from_raw_os_error(errno)
}

impl FdTable {
    fn insert(&self, f: File) -> u32 {
        let mut files = self.files.lock().unwrap();
        let fd = (3..).find(|fd| !files.contains_key(fd)).unwrap(); // lowest free
        files.insert(fd, Arc::new(f));
        fd
    }
    fn get(&self, fd: u32) -> io::Result<Arc<File>> {
        self.files.lock().unwrap().get(&fd).cloned().ok_or_else(|| err(EBADF))
    }
    fn dup(&self, fd: u32) -> io::Result<u32> {
        let f = self.get(fd)?;
        let mut files = self.files.lock().unwrap();
        let new = (3..).find(|fd| !files.contains_key(fd)).unwrap();
        files.insert(new, f);
        Ok(new)
    }
    fn close(&self, fd: u32) -> io::Result<()> {
        self.files.lock().unwrap().remove(&fd).map(drop).ok_or_else(|| err(EBADF))
    }

    // ---- the guest's imports ----
    fn epoll_create(&self) -> io::Result<u32> {
        Ok(self.insert(File::Epoll(Epoll::new()?)))
    }
    fn epoll_ctl(&self, epfd: u32, op: i32, fd: u32, events: u32, data: u64) -> io::Result<()> {
        let target = self.get(fd)?; // Linux checks fd, then epfd
        let file = self.get(epfd)?;
        let ep = match &*file {
            File::Epoll(ep) => ep,
            _ => return Err(err(EINVAL)),
        };
        let src = target.source().ok_or_else(|| err(EPERM))?;
        let interest = Interest::from_bits(events);
        match op {
            1 => ep.add(&src, fd as i32, interest, data),
            2 => ep.delete(&src, fd as i32),
            3 => ep.modify(&src, fd as i32, interest, data),
            _ => Err(err(EINVAL)),
        }
    }
    fn epoll_wait(&self, epfd: u32, out: &mut [Event], timeout_ms: i32) -> io::Result<usize> {
        let file = self.get(epfd)?; // the Arc keeps the instance alive while we wait
        let timeout = u64::try_from(timeout_ms).ok().map(Duration::from_millis);
        match &*file {
            File::Epoll(ep) => ep.wait(out, timeout),
            _ => Err(err(EINVAL)),
        }
    }
}

fn main() -> io::Result<()> {
    let table = Arc::new(FdTable::default());
    let epfd = table.epoll_create()?;
    let (rd, wr) = vepoll::pipe()?;
    let (rfd, wfd) = (table.insert(File::PipeRead(rd)), table.insert(File::PipeWrite(wr)));
    let efd = table.insert(File::Event(EventFd::new(0)?));
    let tfd = table.insert(File::Timer(Source::new(Interest::empty())?));
    let file = table.insert(File::Regular);
    let in_et = (Interest::IN | Interest::ET).bits();
    for fd in [rfd, efd, tfd] {
        table.epoll_ctl(epfd, 1, fd, in_et, fd as u64)?;
    }
    assert_eq!(table.epoll_ctl(epfd, 1, file, in_et, 0).unwrap_err().raw_os_error(), Some(EPERM));
    assert_eq!(table.epoll_ctl(rfd, 1, efd, in_et, 0).unwrap_err().raw_os_error(), Some(EINVAL));

    // Producer threads: a host socket feeding the pipe, a worker signalling
    // the eventfd, a timer ticking its source (the EpollHandler's job).
    let mut producers = Vec::new();
    for (fd, n) in [(wfd, 3u64), (efd, 2), (tfd, 4)] {
        let file = table.get(fd)?;
        producers.push(thread::spawn(move || {
            for i in 0..n {
                thread::sleep(Duration::from_millis(5));
                match &*file {
                    File::PipeWrite(w) => (&*w).write_all(format!("msg{} ", i).as_bytes()).unwrap(),
                    File::Event(e) => e.write_value(1).unwrap(),
                    File::Timer(s) => s.update(Interest::IN, Interest::empty()),
                    _ => unreachable!(),
                }
            }
        }));
    }
    producers.into_iter().for_each(|p| p.join().unwrap());
    table.close(wfd)?; // the last reference to the write end: the reader sees HUP

    // The guest's event loop: until the pipe hangs up.
    let (mut pipe_data, mut counted, mut ticks, mut hung_up) = (String::new(), 0, 0, false);
    let mut events = [Event::default(); 8];
    while !hung_up {
        let n = table.epoll_wait(epfd, &mut events, 1000)?;
        assert!(n > 0, "the producers' events were lost");
        for e in &events[..n] {
            let fd = e.data() as u32;
            match &*table.get(fd)? {
                File::PipeRead(r) => {
                    let mut buf = [0u8; 64];
                    let k = (&*r).read(&mut buf)?;
                    pipe_data.push_str(std::str::from_utf8(&buf[..k]).unwrap());
                    hung_up = e.readiness().contains(Interest::HUP) && r.pending() == 0;
                }
                File::Event(ev) => counted += ev.read_value()?,
                File::Timer(_) => ticks += 1, // coalesced edges: at least one
                _ => unreachable!(),
            }
            println!("fd {}: {:?}", fd, e.readiness());
        }
    }
    println!("pipe {:?}, eventfd total {}, timer events {}", pipe_data, counted, ticks);
    assert_eq!((pipe_data.as_str(), counted), ("msg0 msg1 msg2 ", 2));
    assert!(ticks >= 1);

    // dup: the same object under a second number is a second registration.
    // Closing one number keeps the object, and, as on Linux (S148), both
    // registrations: they go when the object's last descriptor closes.
    let efd2 = table.dup(efd)?;
    table.epoll_ctl(epfd, 1, efd2, Interest::IN.bits(), 100)?;
    table.close(efd)?;
    if let File::Event(e) = &*table.get(efd2)? {
        e.write_value(5)?;
    }
    let n = table.epoll_wait(epfd, &mut events, 1000)?;
    let mut data: Vec<u64> = events[..n].iter().map(|e| e.data()).collect();
    data.sort_unstable();
    assert_eq!(data, [efd as u64, 100]);
    println!("after dup + close of fd {}: events for data {:?}", efd, data);
    table.close(efd2)?; // the last descriptor: both registrations go
    assert_eq!(table.epoll_wait(epfd, &mut events, 0)?, 0);

    // A guest thread blocked in epoll_wait gets a signal: the runtime
    // raises that thread's Interrupt (from any thread, or from a host
    // signal handler), the wait returns EINTR, the guest's handler runs,
    // and the runtime clears the Interrupt once the signal is delivered.
    let guest_intr = Arc::new(Interrupt::new()?);
    let guest = {
        let (table, intr) = (table.clone(), guest_intr.clone());
        thread::spawn(move || -> io::Result<&'static str> {
            let _bound = intr.bind()?; // this thread's blocking calls watch intr
            let mut events = [Event::default(); 8];
            match table.epoll_wait(epfd, &mut events, -1) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                    intr.clear(); // the handler ran: delivered
                    Ok("EINTR, the signal handler ran")
                }
                other => other.map(|_| "events"),
            }
        })
    };
    thread::sleep(Duration::from_millis(10));
    guest_intr.raise(); // kill(guest, SIGUSR1)
    let outcome = guest.join().unwrap()?;
    println!("guest thread's epoll_wait: {}", outcome);
    assert_eq!(outcome, "EINTR, the signal handler ran");
    for fd in [epfd, rfd, tfd, file] {
        table.close(fd)?;
    }
    println!("runtime example: ok");
    Ok(())
}
