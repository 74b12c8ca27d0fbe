//! The safe Rust API of vepoll: a complete, exact Linux `epoll` over a
//! WebAssembly runtime's virtual objects (its pipes, eventfds, sockets),
//! which the host kernel's epoll cannot see.
//!
//! - [`Epoll`]: one epoll instance (`epoll_create` / `epoll_ctl` as
//!   [`add`](Epoll::add) / [`modify`](Epoll::modify) /
//!   [`delete`](Epoll::delete) with an [`Interest`] set / `epoll_wait` as
//!   [`wait`](Epoll::wait) into the caller's [`Event`] buffer, with an
//!   `Option<Duration>` timeout).  An `Epoll` is itself a source: register
//!   it in another one (nesting).
//! - [`Source`]: a runtime's own object, whose producer hook
//!   [`update`](Source::update) is lock-free and callable from any thread.
//! - Ready-made objects with Linux's readiness rules, implementing
//!   [`std::io::Read`] / [`std::io::Write`], blocking or not:
//!   [`pipe`] ([`PipeReader`], [`PipeWriter`]), [`EventFd`],
//!   [`socket_pair`] ([`Socket`], with `recv` / `send` and [`MsgFlags`]),
//!   [`TimerFd`] (read only; [`Clock`], [`TimerSpec`], [`TimerFlags`]).
//! - [`Interrupt`]: per-thread interruption, Linux's signal delivery to one
//!   thread: the blocking calls of the thread bound to it return
//!   `ErrorKind::Interrupted` while it is raised.
//! - [`Stats`], [`set_max_watches`].
//!
//! Errors are [`std::io::Error`]s made from the C library's negative errno
//! (`raw_os_error()` is the Linux errno; docs/API.md lists each call's).
//!
//! ```
//! use std::io::{Read, Write};
//! use std::time::Duration;
//! use vepoll::{pipe, Epoll, Event, Interest};
//!
//! let ep = Epoll::new()?;
//! let (mut rd, wr) = pipe()?;
//! ep.add(&rd, 3, Interest::IN, 3)?;                   // guest fd 3
//! std::thread::spawn(move || (&wr).write_all(b"hello"));
//! let mut events = [Event::default(); 8];
//! let n = ep.wait(&mut events, Some(Duration::from_secs(5)))?;
//! assert_eq!((n, events[0].data()), (1, 3));
//! let mut buf = [0; 5];
//! rd.read_exact(&mut buf)?;
//! assert_eq!(&buf, b"hello");
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # Threads and lifetimes
//!
//! Every handle is `Send + Sync`, because the C contract allows every call
//! on it from any thread at any time, except the close, which `Drop` does:
//!
//! | type | concurrent `&self` calls | why (C contract) |
//! |---|---|---|
//! | [`Epoll`] | all | `src/core/instance.h`: the instance mutex serialises ctl and harvest, several threads may wait, the producer hook never takes it; docs/API.md `vepoll_wait`, `vepoll_interrupt` |
//! | [`Source`] | update, ready | `src/core/source.h`: producers are lock-free with a grace period for writers; docs/API.md `vepoll_source_update` ("may run on any thread concurrently with every other call except `vepoll_source_close(src)`") |
//! | [`SourceRef`] | ready, registering | as `Source`, borrowed from its owner |
//! | [`PipeReader`], [`PipeWriter`], [`EventFd`], [`Socket`], [`TimerFd`] | all | `include/vepoll_objects.h`: "Every object is thread-safe"; ends close individually |
//! | [`Interrupt`] | all; `raise`, `clear`, `is_pending` also from a signal handler | `src/core/intr.h`: raisers are lock-free and async-signal-safe, the sleeper waits out raisers before it leaves; docs/API.md "Per-thread interruption" |
//! | [`InterruptBinding`] | neither `Send` nor `Sync` | `vepoll_intr_bind` acts on the calling thread, so the unbind in its `Drop` must run on the bound thread |
//!
//! The closes (`vepoll_close`, `vepoll_source_close`, the objects'
//! `_close`) run only in `Drop` (or a consuming `close`), which cannot
//! start while anything still borrows the value: the C rules "no call may
//! start on `ep` once `vepoll_close` has started" and "a call must not
//! start once the final close has started" hold in safe code, and a
//! source is never closed under a running update.  A source dropped
//! while registered is the C library's business: its registrations
//! disappear from every instance, and nothing is reported for it after
//! the drop.
//!
//! A blocked [`wait`](Epoll::wait) or read keeps its object alive, as on
//! Linux, where `close()` of a descriptor another thread is blocked on
//! does not end that call: share the object through `Arc` and end the
//! wait with [`Epoll::interrupt`], the waiting thread's [`Interrupt`], or
//! an event (e.g. close the pipe's other end).
//!
//! An [`Interrupt`] cannot be dropped while a thread is bound to it (the C
//! library refuses to destroy a bound handle with `EBUSY`): the
//! [`InterruptBinding`] borrows it and unbinds in its `Drop`.
#![deny(missing_docs)]
#![warn(unsafe_op_in_unsafe_fn)]

use std::io;
use std::ptr::NonNull;
use std::time::Duration;

mod epoll;
mod eventfd;
mod flags;
mod interest;
mod interrupt;
mod objects;
mod pipe;
mod socket;
mod source;
mod stats;
mod timerfd;

pub use epoll::{Epoll, Event};
pub use eventfd::EventFd;
pub use interest::Interest;
pub use interrupt::{Interrupt, InterruptBinding};
pub use pipe::{pipe, pipe_with_capacity, PipeReader, PipeWriter};
pub use socket::{socket_pair, socket_pair_with_capacity, MsgFlags, Socket};
pub use source::{AsSource, Source, SourceRef};
pub use stats::{set_max_watches, Stats};
pub use timerfd::{Clock, TimerFd, TimerFlags, TimerSpec};

/// A C return value: the value, or the io::Error of its negative errno.
#[inline]
pub(crate) fn cvt(rc: i32) -> io::Result<i32> {
    if rc >= 0 {
        Ok(rc)
    } else {
        Err(errno_error(rc as isize))
    }
}

/// Runs a C constructor that writes the new object through its out pointer
/// and returns 0 or a negative errno: the object, or the errno's io::Error.
#[inline]
pub(crate) fn create<T>(ctor: impl FnOnce(*mut *mut T) -> i32) -> io::Result<NonNull<T>> {
    let mut raw = std::ptr::null_mut();
    cvt(ctor(&mut raw))?;
    Ok(NonNull::new(raw).expect("a vepoll constructor returned 0 and NULL"))
}

/// The error of a negative return value, out of line: keeps the success
/// path of every call short (wait's is the binding's hot path).
#[cold]
#[inline(never)]
pub(crate) fn errno_error(rc: isize) -> io::Error {
    io::Error::from_raw_os_error(-rc as i32)
}

/// `None` -> -1 (forever); otherwise nanoseconds, saturated at i64::MAX.
#[inline]
pub(crate) fn timeout_ns(timeout: Option<Duration>) -> i64 {
    match timeout {
        None => -1,
        Some(d) => d.as_nanos().min(i64::MAX as u128) as i64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_map_to_nanoseconds_and_saturate() {
        assert_eq!(timeout_ns(None), -1);
        assert_eq!(timeout_ns(Some(Duration::ZERO)), 0);
        assert_eq!(timeout_ns(Some(Duration::new(1, 5))), 1_000_000_005);
        assert_eq!(timeout_ns(Some(Duration::from_nanos(i64::MAX as u64))), i64::MAX);
        assert_eq!(timeout_ns(Some(Duration::MAX)), i64::MAX);
    }

    #[test]
    fn negative_returns_become_the_errno() {
        assert_eq!(cvt(3).unwrap(), 3);
        assert_eq!(cvt(-22).unwrap_err().raw_os_error(), Some(22));
    }
}
