//! What the integration tests share: Linux errno values, a wait that
//! returns (readiness, data) pairs, and a way to know that a thread is
//! asleep in a blocking call.
#![allow(dead_code)] // each test file uses its part

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use vepoll::{Epoll, Event, Interest};

pub const ENOENT: i32 = 2;
pub const EINTR: i32 = 4;
pub const EAGAIN: i32 = 11;
pub const EEXIST: i32 = 17;
pub const EBUSY: i32 = 16;
pub const EINVAL: i32 = 22;
pub const ENOSPC: i32 = 28;
pub const EPIPE: i32 = 32;
pub const ELOOP: i32 = 40;
pub const EOPNOTSUPP: i32 = 95;
pub const ECONNRESET: i32 = 104;

/// The errno of an io::Result's error (panics on Ok).
pub fn errno<T: std::fmt::Debug>(r: std::io::Result<T>) -> i32 {
    r.expect_err("expected an error").raw_os_error().expect("an errno")
}

/// One wait of up to 64 events: (readiness, data) of each.
pub fn wait(ep: &Epoll, timeout: Option<Duration>) -> Vec<(Interest, u64)> {
    let mut ev = [Event::default(); 64];
    let n = ep.wait(&mut ev, timeout).expect("wait");
    ev[..n].iter().map(|e| (e.readiness(), e.data())).collect()
}

/// A wait that never blocks.
pub fn poll(ep: &Epoll) -> Vec<(Interest, u64)> {
    wait(ep, Some(Duration::ZERO))
}

/// The calling thread's kernel id (Linux: /proc/self/task/<tid>).
pub fn gettid() -> i32 {
    extern "C" {
        #[link_name = "gettid"]
        fn c_gettid() -> i32;
    }
    // SAFETY: glibc's gettid(), no arguments, cannot fail.
    unsafe { c_gettid() }
}

/// Where a worker thread tells the test thread it is about to block
/// (`tid`) and that its call returned (`done`).
#[derive(Default)]
pub struct Sleeper {
    pub tid: AtomicI32,
    pub done: AtomicBool,
}

impl Sleeper {
    /// Called by the worker before its blocking call.
    pub fn starting(&self) {
        self.tid.store(gettid(), Ordering::SeqCst);
    }

    /// Called by the worker after its blocking call.
    pub fn returned(&self) {
        self.done.store(true, Ordering::SeqCst);
    }

    /// Until the worker sleeps in the kernel (state 'S' in its
    /// /proc/self/task/<tid>/stat) or its call returned.  Gives up after
    /// 10 s (the tests stay correct either way: a raise is never lost; this
    /// only makes "asleep" the likely case instead of a hope).
    pub fn until_asleep(&self) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            let tid = self.tid.load(Ordering::SeqCst);
            if self.done.load(Ordering::SeqCst) || (tid != 0 && thread_state(tid) == Some('S')) {
                return;
            }
            thread::yield_now();
        }
    }
}

/// The state letter of a thread of this process.
fn thread_state(tid: i32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/self/task/{}/stat", tid)).ok()?;
    stat[stat.rfind(')')? + 1..].trim_start().chars().next()
}
