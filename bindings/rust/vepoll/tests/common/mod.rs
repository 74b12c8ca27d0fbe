//! What the integration tests share: Linux errno values and a wait that
//! returns (readiness, data) pairs.
#![allow(dead_code)] // each test file uses its part

use std::time::Duration;

use vepoll::{Epoll, Event, Interest};

pub const ENOENT: i32 = 2;
pub const EINTR: i32 = 4;
pub const EAGAIN: i32 = 11;
pub const EEXIST: i32 = 17;
pub const EINVAL: i32 = 22;
pub const ENOSPC: i32 = 28;
pub const EPIPE: i32 = 32;
pub const ELOOP: i32 = 40;
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
