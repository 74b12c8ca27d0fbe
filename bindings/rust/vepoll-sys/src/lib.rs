//! Raw declarations of vepoll's C API, written by hand: every function, type
//! and constant of `include/vepoll.h`, `include/vepoll_objects.h`,
//! `include/vepoll_kfd.h`, `include/vepoll_wasix.h` and
//! `include/vepoll_wasix_abi.h`, with the C
//! names.  The safe API is the `vepoll` crate.
//!
//! The build script builds `libvepoll.a` from the repository's C sources
//! (or links an installed one: `VEPOLL_LIB_DIR`, `VEPOLL_PKG_CONFIG=1`), so
//! a crate that depends on this one links without extra flags.
//! `tests/layout.rs` checks every size, alignment, field offset and constant
//! here against the C headers, and that no name of the headers is missing.
//!
//! Every call returns `0` / a count, or a **negative errno** (the WASIX
//! imports: a WASI errno); none touches `errno`.  The rules of each call
//! (who may call what, from which thread, and when) are those of the C
//! headers and `docs/API.md`; nothing here checks them.
//!
//! ```
//! use std::ptr;
//! use vepoll_sys::*;
//!
//! unsafe {
//!     let mut ep = ptr::null_mut();
//!     let mut src = ptr::null_mut();
//!     assert_eq!(vepoll_create(&mut ep), 0);
//!     assert_eq!(vepoll_source_create(&mut src, 0), 0);
//!     let ev = vepoll_event { events: VEPOLL_IN | VEPOLL_ET, data: vepoll_data_t { u64: 42 } };
//!     assert_eq!(vepoll_ctl(ep, VEPOLL_CTL_ADD, 5, src, &ev), 0);
//!
//!     vepoll_source_update(src, VEPOLL_IN | VEPOLL_RDNORM, 0); // producer: data arrived
//!
//!     let mut out = [vepoll_event { events: 0, data: vepoll_data_t { u64: 0 } }; 16];
//!     assert_eq!(vepoll_wait(ep, out.as_mut_ptr(), 16, 1_000_000_000), 1);
//!     assert_eq!((out[0].events, out[0].data.u64), (VEPOLL_IN, 42));
//!     vepoll_source_close(src);
//!     assert_eq!(vepoll_close(ep), 0);
//! }
//! ```
#![allow(non_camel_case_types)]
#![deny(missing_docs)]

use std::marker::{PhantomData, PhantomPinned};
pub use std::os::raw::{c_int, c_uint, c_void};

/// C `ssize_t` (`isize` on every target Rust supports).
pub type ssize_t = isize;
/// C `socklen_t` (`unsigned int` on Linux).
pub type socklen_t = u32;

/// C `struct sockaddr`: opaque here; pass a pointer to the family's own
/// address (`sockaddr_in`, `sockaddr_in6`) with its length, as in C.
#[repr(C)]
pub struct sockaddr {
    _opaque: [u8; 0],
}

// ---- vepoll.h ---------------------------------------------------------------

/// Major version of the C library these declarations follow.
pub const VEPOLL_VERSION_MAJOR: u32 = 0;
/// Minor version.
pub const VEPOLL_VERSION_MINOR: u32 = 1;
/// Patch version.
pub const VEPOLL_VERSION_PATCH: u32 = 0;

/// Readable (Linux `EPOLLIN`).
pub const VEPOLL_IN: u32 = 0x001;
/// Priority data (`EPOLLPRI`).
pub const VEPOLL_PRI: u32 = 0x002;
/// Writable (`EPOLLOUT`).
pub const VEPOLL_OUT: u32 = 0x004;
/// Error, always reported (`EPOLLERR`).
pub const VEPOLL_ERR: u32 = 0x008;
/// Hang-up, always reported (`EPOLLHUP`).
pub const VEPOLL_HUP: u32 = 0x010;
/// Normal data readable (`EPOLLRDNORM`).
pub const VEPOLL_RDNORM: u32 = 0x040;
/// Priority band readable (`EPOLLRDBAND`).
pub const VEPOLL_RDBAND: u32 = 0x080;
/// Normal data writable (`EPOLLWRNORM`).
pub const VEPOLL_WRNORM: u32 = 0x100;
/// Priority band writable (`EPOLLWRBAND`).
pub const VEPOLL_WRBAND: u32 = 0x200;
/// `EPOLLMSG` (never produced by Linux; a plain bit here).
pub const VEPOLL_MSG: u32 = 0x400;
/// Peer shut down writing (`EPOLLRDHUP`).
pub const VEPOLL_RDHUP: u32 = 0x2000;
/// Exclusive wake-up (`EPOLLEXCLUSIVE`, ADD only).
pub const VEPOLL_EXCLUSIVE: u32 = 1 << 28;
/// Accepted and ignored (`EPOLLWAKEUP`).
pub const VEPOLL_WAKEUP: u32 = 1 << 29;
/// Disarm after one report until MOD (`EPOLLONESHOT`).
pub const VEPOLL_ONESHOT: u32 = 1 << 30;
/// Edge-triggered (`EPOLLET`).
pub const VEPOLL_ET: u32 = 1 << 31;

/// `vepoll_ctl` op: add a registration.
pub const VEPOLL_CTL_ADD: c_int = 1;
/// `vepoll_ctl` op: delete a registration.
pub const VEPOLL_CTL_DEL: c_int = 2;
/// `vepoll_ctl` op: modify a registration.
pub const VEPOLL_CTL_MOD: c_int = 3;

/// C `union vepoll_data` (`vepoll_data_t`): the caller's cookie, returned
/// verbatim (all 64 bits) with each event.
#[repr(C)]
#[derive(Clone, Copy)]
pub union vepoll_data_t {
    /// As a pointer.
    pub ptr: *mut c_void,
    /// As a descriptor number.
    pub fd: c_int,
    /// As 32 bits.
    pub u32: u32,
    /// As 64 bits (the whole union).
    pub u64: u64,
}

/// C `struct vepoll_event`: 16 bytes, `data` at offset 8 (natural layout,
/// unlike x86_64 Linux's packed `struct epoll_event`).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct vepoll_event {
    /// Event bits (ctl: the mask plus flags; wait: what is ready).
    pub events: u32,
    /// The cookie.
    pub data: vepoll_data_t,
}

/// C `vepoll_t` (`struct vepoll`): one epoll instance, opaque.
#[repr(C)]
pub struct vepoll_t {
    _opaque: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

/// C `vepoll_source_t` (`struct vepoll_source`): one pollable object, opaque.
#[repr(C)]
pub struct vepoll_source_t {
    _opaque: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

/// C `struct vepoll_stats`: the counters of `vepoll_get_stats`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct vepoll_stats {
    /// Hook calls that tried to queue a registration.
    pub enqueue_attempts: u64,
    /// ... that found it already queued or the bit pending.
    pub dedupe_hits: u64,
    /// Queue entries dropped because DEL/close made them stale.
    pub stale_generation_drops: u64,
    /// Queue entries that had nothing to report at harvest.
    pub empty_dequeues: u64,
}

/// C `struct vepoll_allocator`: the allocator of `vepoll_set_allocator`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct vepoll_allocator {
    /// Returns NULL on failure.
    pub alloc: Option<unsafe extern "C" fn(ctx: *mut c_void, size: usize) -> *mut c_void>,
    /// Receives the size that was allocated.
    pub free: Option<unsafe extern "C" fn(ctx: *mut c_void, ptr: *mut c_void, size: usize)>,
    /// Passed to both.
    pub ctx: *mut c_void,
}

extern "C" {
    /// Creates an empty instance in `*out`.  `-EINVAL`, `-ENOMEM`.
    ///
    /// ```
    /// let mut ep = std::ptr::null_mut();
    /// unsafe {
    ///     assert_eq!(vepoll_sys::vepoll_create(&mut ep), 0);
    ///     assert_eq!(vepoll_sys::vepoll_close(ep), 0);
    /// }
    /// ```
    pub fn vepoll_create(out: *mut *mut vepoll_t) -> c_int;
    /// Drops every registration of `ep`, wakes its waiters (`-EBADF`); no
    /// call may start on `ep` once it has started.
    pub fn vepoll_close(ep: *mut vepoll_t) -> c_int;
    /// ADD / MOD / DEL of the registration keyed by (`src`, `fd`); `ev` may be
    /// NULL for DEL.  Errors in docs/API.md's order.
    pub fn vepoll_ctl(
        ep: *mut vepoll_t,
        op: c_int,
        fd: c_int,
        src: *mut vepoll_source_t,
        ev: *const vepoll_event,
    ) -> c_int;
    /// Fills up to `maxevents` entries; `timeout_ns` < 0 forever, 0 never
    /// blocks.  Returns the count or `-EINVAL`/`-EFAULT`/`-EBADF`/`-EINTR`.
    pub fn vepoll_wait(
        ep: *mut vepoll_t,
        events: *mut vepoll_event,
        maxevents: c_int,
        timeout_ns: i64,
    ) -> c_int;
    /// Wakes every waiter of `ep` with `-EINTR` (or leaves one interrupt
    /// pending).
    pub fn vepoll_interrupt(ep: *mut vepoll_t) -> c_int;
    /// `fn(arg)` runs (on the producer's thread) whenever `ep` gets a new
    /// entry to report; NULL turns it off.
    pub fn vepoll_set_wakeup(
        ep: *mut vepoll_t,
        func: Option<unsafe extern "C" fn(arg: *mut c_void)>,
        arg: *mut c_void,
    ) -> c_int;
    /// `ep` as a source, for nesting; owned by `ep`.
    pub fn vepoll_as_source(ep: *mut vepoll_t) -> *mut vepoll_source_t;

    /// New source with readiness `initial_ready`.
    pub fn vepoll_source_create(out: *mut *mut vepoll_source_t, initial_ready: u32) -> c_int;
    /// The producer hook: readiness becomes `(old & !clear) | set`; every bit
    /// of `set` is an event.  Lock-free, any thread, never with
    /// `vepoll_source_close(src)`.
    pub fn vepoll_source_update(src: *mut vepoll_source_t, set: u32, clear: u32);
    /// Current readiness bits (0 for NULL).
    pub fn vepoll_source_ready(src: *const vepoll_source_t) -> u32;
    /// The final close of the object: removes every registration, frees it.
    pub fn vepoll_source_close(src: *mut vepoll_source_t);

    /// Counters of `ep`, or process-wide totals for NULL.
    pub fn vepoll_get_stats(ep: *const vepoll_t, out: *mut vepoll_stats) -> c_int;

    /// Spin up to `spin_ns` before parking.  `-EBADF`, `-EINVAL`.
    pub fn vepoll_set_spin(ep: *mut vepoll_t, spin_ns: i64) -> c_int;
    /// Process-wide registration limit (0 = none): ADD beyond it `-ENOSPC`.
    pub fn vepoll_set_max_watches(max: u64);
    /// The allocator of every vepoll object (NULL: malloc/free).  `-EBUSY`
    /// while any object exists, `-EINVAL`.
    pub fn vepoll_set_allocator(a: *const vepoll_allocator) -> c_int;
}

/// C `vepoll_intr_t`: a per-thread interruption handle (Linux's
/// signal_pending), opaque.  Raise, clear and pending are async-signal-safe
/// and may be called from any thread.
#[repr(C)]
pub struct vepoll_intr_t {
    _opaque: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

extern "C" {
    /// New handle, not pending, not bound.  `-EINVAL`, `-ENOMEM`.
    ///
    /// ```
    /// use vepoll_sys::*;
    /// let mut h = std::ptr::null_mut();
    /// unsafe {
    ///     assert_eq!(vepoll_intr_create(&mut h), 0);
    ///     assert_eq!(vepoll_intr_raise(h), 0);
    ///     assert_eq!(vepoll_intr_pending(h), 1);
    ///     assert_eq!(vepoll_intr_clear(h), 0);
    ///     assert_eq!(vepoll_intr_destroy(h), 0);
    /// }
    /// ```
    pub fn vepoll_intr_create(out: *mut *mut vepoll_intr_t) -> c_int;
    /// Frees `h`; `-EBUSY` while a thread is bound to it.
    pub fn vepoll_intr_destroy(h: *mut vepoll_intr_t) -> c_int;
    /// The calling thread's blocking calls watch `h` from now on (NULL
    /// unbinds); `-EBUSY` if `h` is bound to another thread.
    pub fn vepoll_intr_bind(h: *mut vepoll_intr_t) -> c_int;
    /// Makes `h` pending and wakes its thread's blocking call (-EINTR).
    pub fn vepoll_intr_raise(h: *mut vepoll_intr_t) -> c_int;
    /// Ends the pending state.
    pub fn vepoll_intr_clear(h: *mut vepoll_intr_t) -> c_int;
    /// 1 while raised and not cleared, else 0 (0 for NULL).
    pub fn vepoll_intr_pending(h: *const vepoll_intr_t) -> c_int;
}

// ---- vepoll_objects.h -------------------------------------------------------

/// Creation flag: never block (`O_NONBLOCK`).
pub const VEPOLL_NONBLOCK: c_int = 0o4000;
/// Creation flag of pipes, eventfds and socket pairs: the caller keeps the
/// object alive across each call on an end (it never closes an end while a
/// call on that end runs), so calls take no per-call reference.
pub const VEPOLL_CALLER_PINS: c_int = 0x4000_0000;
/// A pipe slot (page); writes up to this size are atomic.
pub const VEPOLL_PIPE_BUF: usize = 4096;
/// The read end of a pipe.
pub const VEPOLL_PIPE_READ: c_int = 0;
/// The write end of a pipe.
pub const VEPOLL_PIPE_WRITE: c_int = 1;
/// eventfd flag: semaphore mode.
pub const VEPOLL_EFD_SEMAPHORE: c_int = 1;
/// The largest eventfd counter value.
pub const VEPOLL_EFD_MAX: u64 = 0xffff_ffff_ffff_fffe;
/// Shut down receiving.
pub const VEPOLL_SHUT_RD: c_int = 0;
/// Shut down sending.
pub const VEPOLL_SHUT_WR: c_int = 1;
/// Shut down both directions.
pub const VEPOLL_SHUT_RDWR: c_int = 2;
/// Creation flag: close on exec (`O_CLOEXEC`).
pub const VEPOLL_CLOEXEC: c_int = 0o2000000;
/// recv flag `MSG_OOB` (`-EINVAL`: no out-of-band byte is ever pending).
pub const VEPOLL_MSG_OOB: c_int = 0x1;
/// recv flag `MSG_PEEK`: copy without consuming.
pub const VEPOLL_MSG_PEEK: c_int = 0x2;
/// send/recv flag `MSG_DONTWAIT`: this call never blocks.
pub const VEPOLL_MSG_DONTWAIT: c_int = 0x40;
/// recv flag `MSG_WAITALL`: wait for the whole length.
pub const VEPOLL_MSG_WAITALL: c_int = 0x100;
/// send flag `MSG_NOSIGNAL` (the objects never raise signals; accepted).
pub const VEPOLL_MSG_NOSIGNAL: c_int = 0x4000;
/// send flag `MSG_MORE` (accepted, no effect on a stream pair).
pub const VEPOLL_MSG_MORE: c_int = 0x8000;
/// timerfd clock: `CLOCK_REALTIME`.
pub const VEPOLL_CLOCK_REALTIME: c_int = 0;
/// timerfd clock: `CLOCK_MONOTONIC`.
pub const VEPOLL_CLOCK_MONOTONIC: c_int = 1;
/// settime flag `TFD_TIMER_ABSTIME`.
pub const VEPOLL_TFD_TIMER_ABSTIME: c_int = 1;
/// settime flag `TFD_TIMER_CANCEL_ON_SET`.
pub const VEPOLL_TFD_TIMER_CANCEL_ON_SET: c_int = 2;

/// C `struct vepoll_timespec`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct vepoll_timespec {
    /// Seconds.
    pub tv_sec: i64,
    /// Nanoseconds, 0..999,999,999.
    pub tv_nsec: i64,
}

/// C `struct vepoll_itimerspec`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct vepoll_itimerspec {
    /// The period (zero: one shot).
    pub it_interval: vepoll_timespec,
    /// The first expiration (zero: disarmed).
    pub it_value: vepoll_timespec,
}

/// C `vepoll_pipe_t`: a ready-made pipe, opaque.
#[repr(C)]
pub struct vepoll_pipe_t {
    _opaque: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

/// C `vepoll_eventfd_t`: a ready-made eventfd, opaque.
#[repr(C)]
pub struct vepoll_eventfd_t {
    _opaque: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

/// C `vepoll_socketpair_t`: a ready-made stream socket pair, opaque.
#[repr(C)]
pub struct vepoll_socketpair_t {
    _opaque: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

extern "C" {
    /// New pipe; `capacity` 0 = 65536; flags `VEPOLL_NONBLOCK`.
    ///
    /// ```
    /// use vepoll_sys::*;
    /// let mut p = std::ptr::null_mut();
    /// unsafe {
    ///     assert_eq!(vepoll_pipe_create(&mut p, 0, VEPOLL_NONBLOCK), 0);
    ///     assert_eq!(vepoll_pipe_write(p, b"hi".as_ptr().cast(), 2, 0), 2);
    ///     let mut buf = [0u8; 8];
    ///     assert_eq!(vepoll_pipe_read(p, buf.as_mut_ptr().cast(), 8, 0), 2);
    ///     assert_eq!(vepoll_pipe_close(p, VEPOLL_PIPE_WRITE), 0);
    ///     assert_eq!(vepoll_pipe_close(p, VEPOLL_PIPE_READ), 0);
    /// }
    /// ```
    pub fn vepoll_pipe_create(out: *mut *mut vepoll_pipe_t, capacity: usize, flags: c_int)
        -> c_int;
    /// The source of one end (NULL for a closed end or an end other than 0/1).
    pub fn vepoll_pipe_source(p: *mut vepoll_pipe_t, end: c_int) -> *mut vepoll_source_t;
    /// Read; timeout 0 never blocks, < 0 forever.
    pub fn vepoll_pipe_read(
        p: *mut vepoll_pipe_t,
        buf: *mut c_void,
        len: usize,
        timeout_ns: i64,
    ) -> ssize_t;
    /// Write; timeout as for read.
    pub fn vepoll_pipe_write(
        p: *mut vepoll_pipe_t,
        buf: *const c_void,
        len: usize,
        timeout_ns: i64,
    ) -> ssize_t;
    /// Bytes buffered (FIONREAD).
    pub fn vepoll_pipe_pending(p: *mut vepoll_pipe_t) -> usize;
    /// Capacity after rounding (F_GETPIPE_SZ); 0 for NULL.
    pub fn vepoll_pipe_capacity(p: *mut vepoll_pipe_t) -> usize;
    /// The final close of one end.
    pub fn vepoll_pipe_close(p: *mut vepoll_pipe_t, end: c_int) -> c_int;

    /// New eventfd; flags `VEPOLL_EFD_SEMAPHORE | VEPOLL_NONBLOCK`.
    pub fn vepoll_eventfd_create(
        out: *mut *mut vepoll_eventfd_t,
        initval: u64,
        flags: c_int,
    ) -> c_int;
    /// Its source.
    pub fn vepoll_eventfd_source(e: *mut vepoll_eventfd_t) -> *mut vepoll_source_t;
    /// Read 8 bytes (len >= 8).
    pub fn vepoll_eventfd_read(
        e: *mut vepoll_eventfd_t,
        buf: *mut c_void,
        len: usize,
        timeout_ns: i64,
    ) -> ssize_t;
    /// Write 8 bytes (len == 8).
    pub fn vepoll_eventfd_write(
        e: *mut vepoll_eventfd_t,
        buf: *const c_void,
        len: usize,
        timeout_ns: i64,
    ) -> ssize_t;
    /// The final close.
    pub fn vepoll_eventfd_close(e: *mut vepoll_eventfd_t) -> c_int;

    /// New stream socket pair (ends 0 and 1).
    pub fn vepoll_socketpair_create(
        out: *mut *mut vepoll_socketpair_t,
        capacity: usize,
        flags: c_int,
    ) -> c_int;
    /// The source of one end.
    pub fn vepoll_socketpair_source(
        s: *mut vepoll_socketpair_t,
        end: c_int,
    ) -> *mut vepoll_source_t;
    /// Read at `end`.
    pub fn vepoll_socketpair_read(
        s: *mut vepoll_socketpair_t,
        end: c_int,
        buf: *mut c_void,
        len: usize,
        timeout_ns: i64,
    ) -> ssize_t;
    /// Write at `end` (to the peer).
    pub fn vepoll_socketpair_write(
        s: *mut vepoll_socketpair_t,
        end: c_int,
        buf: *const c_void,
        len: usize,
        timeout_ns: i64,
    ) -> ssize_t;
    /// Bytes queued for `end` to read (FIONREAD).
    pub fn vepoll_socketpair_pending(s: *mut vepoll_socketpair_t, end: c_int) -> usize;
    /// `VEPOLL_SHUT_RD` / `WR` / `RDWR` at `end`.
    pub fn vepoll_socketpair_shutdown(s: *mut vepoll_socketpair_t, end: c_int, how: c_int)
        -> c_int;
    /// The final close of one end.
    pub fn vepoll_socketpair_close(s: *mut vepoll_socketpair_t, end: c_int) -> c_int;
    /// recv(2) at `end` with `VEPOLL_MSG_*` flags.
    pub fn vepoll_socketpair_recv(
        s: *mut vepoll_socketpair_t,
        end: c_int,
        buf: *mut c_void,
        len: usize,
        flags: c_int,
        timeout_ns: i64,
    ) -> ssize_t;
    /// send(2) at `end` with `VEPOLL_MSG_*` flags.
    pub fn vepoll_socketpair_send(
        s: *mut vepoll_socketpair_t,
        end: c_int,
        buf: *const c_void,
        len: usize,
        flags: c_int,
        timeout_ns: i64,
    ) -> ssize_t;
}

/// C `vepoll_timerfd_t`: a ready-made timerfd, opaque.
#[repr(C)]
pub struct vepoll_timerfd_t {
    _opaque: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

extern "C" {
    /// New disarmed timer on `clockid` (`VEPOLL_CLOCK_*`); flags
    /// `VEPOLL_NONBLOCK`.
    ///
    /// ```
    /// use vepoll_sys::*;
    /// let mut t = std::ptr::null_mut();
    /// let mut cur = vepoll_itimerspec::default();
    /// unsafe {
    ///     assert_eq!(vepoll_timerfd_create(&mut t, VEPOLL_CLOCK_MONOTONIC, VEPOLL_NONBLOCK), 0);
    ///     assert_eq!(vepoll_timerfd_gettime(t, &mut cur), 0);
    ///     assert_eq!(cur, vepoll_itimerspec::default());
    ///     assert_eq!(vepoll_timerfd_close(t), 0);
    /// }
    /// ```
    pub fn vepoll_timerfd_create(
        out: *mut *mut vepoll_timerfd_t,
        clockid: c_int,
        flags: c_int,
    ) -> c_int;
    /// The timer's source (IN while expirations are unread).
    pub fn vepoll_timerfd_source(t: *mut vepoll_timerfd_t) -> *mut vepoll_source_t;
    /// timerfd_settime(2); `old_value` may be NULL.
    pub fn vepoll_timerfd_settime(
        t: *mut vepoll_timerfd_t,
        flags: c_int,
        new_value: *const vepoll_itimerspec,
        old_value: *mut vepoll_itimerspec,
    ) -> c_int;
    /// timerfd_gettime(2).
    pub fn vepoll_timerfd_gettime(t: *mut vepoll_timerfd_t, cur: *mut vepoll_itimerspec) -> c_int;
    /// Reads the 8-byte expiration count; timeout as for the pipe.
    pub fn vepoll_timerfd_read(
        t: *mut vepoll_timerfd_t,
        buf: *mut c_void,
        len: usize,
        timeout_ns: i64,
    ) -> ssize_t;
    /// The final close.
    pub fn vepoll_timerfd_close(t: *mut vepoll_timerfd_t) -> c_int;
}

// ---- vepoll_kfd.h ------------------------------------------------------------

/// C `vepoll_kfd_t`: a kernel-descriptor source (a real socket, pipe or
/// terminal mirrored into vepoll), opaque.
#[repr(C)]
pub struct vepoll_kfd_t {
    _opaque: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

/// `vepoll_kfd_create` flag: closing the kfd leaves the descriptor open.
pub const VEPOLL_KFD_NOCLOSE: c_int = 1;

extern "C" {
    /// A source mirroring `fd` (owned by the kfd unless `VEPOLL_KFD_NOCLOSE`).
    ///
    /// ```
    /// use vepoll_sys::*;
    /// use std::os::unix::io::AsRawFd;
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// a.set_nonblocking(true).unwrap();
    /// let mut k = std::ptr::null_mut();
    /// let mut buf = [0u8; 4];
    /// // SAFETY: `k` is created before use and closed once; `buf` outlives the read.
    /// unsafe {
    ///     assert_eq!(vepoll_kfd_create(&mut k, a.as_raw_fd(), VEPOLL_KFD_NOCLOSE), 0);
    ///     std::io::Write::write_all(&mut &b, b"ping").unwrap();
    ///     let got = vepoll_kfd_read(k, buf.as_mut_ptr().cast(), 4, -1);
    ///     assert_eq!(got, 4);
    ///     assert_eq!(vepoll_kfd_close(k), 0);
    /// }
    /// assert_eq!(&buf, b"ping");
    /// ```
    pub fn vepoll_kfd_create(out: *mut *mut vepoll_kfd_t, fd: c_int, flags: c_int) -> c_int;
    /// The source to register (NULL for NULL or once closed).
    pub fn vepoll_kfd_source(k: *mut vepoll_kfd_t) -> *mut vepoll_source_t;
    /// The kernel descriptor (`-EBADF` for NULL or once closed).
    pub fn vepoll_kfd_fd(k: *mut vepoll_kfd_t) -> c_int;
    /// read(2); timeout as for the pipe.
    pub fn vepoll_kfd_read(
        k: *mut vepoll_kfd_t,
        buf: *mut c_void,
        len: usize,
        timeout_ns: i64,
    ) -> ssize_t;
    /// write(2); timeout as for the pipe.
    pub fn vepoll_kfd_write(
        k: *mut vepoll_kfd_t,
        buf: *const c_void,
        len: usize,
        timeout_ns: i64,
    ) -> ssize_t;
    /// recv(2) with Linux's `MSG_*` flags.
    pub fn vepoll_kfd_recv(
        k: *mut vepoll_kfd_t,
        buf: *mut c_void,
        len: usize,
        flags: c_int,
        timeout_ns: i64,
    ) -> ssize_t;
    /// send(2) with Linux's `MSG_*` flags (`MSG_NOSIGNAL` always added).
    pub fn vepoll_kfd_send(
        k: *mut vepoll_kfd_t,
        buf: *const c_void,
        len: usize,
        flags: c_int,
        timeout_ns: i64,
    ) -> ssize_t;
    /// accept4(2): the new connection's descriptor (non-blocking, close-on-exec).
    pub fn vepoll_kfd_accept(
        k: *mut vepoll_kfd_t,
        addr: *mut sockaddr,
        addrlen: *mut socklen_t,
        timeout_ns: i64,
    ) -> c_int;
    /// connect(2); timeout 0: `-EINPROGRESS` while the connection is made.
    pub fn vepoll_kfd_connect(
        k: *mut vepoll_kfd_t,
        addr: *const sockaddr,
        addrlen: socklen_t,
        timeout_ns: i64,
    ) -> c_int;
    /// shutdown(2): `VEPOLL_SHUT_*`.
    pub fn vepoll_kfd_shutdown(k: *mut vepoll_kfd_t, how: c_int) -> c_int;
    /// Asks the kernel and clears every bit no longer ready.
    pub fn vepoll_kfd_refresh(k: *mut vepoll_kfd_t) -> c_int;
    /// A ticket to take before I/O done on `vepoll_kfd_fd` directly.
    pub fn vepoll_kfd_ticket(k: *mut vepoll_kfd_t) -> u64;
    /// After that I/O failed with EAGAIN: the bits it proves not ready.
    pub fn vepoll_kfd_note_eagain(k: *mut vepoll_kfd_t, ticket: u64, bits: u32) -> c_int;
    /// The final close (the descriptor leaves the kernel set first).
    pub fn vepoll_kfd_close(k: *mut vepoll_kfd_t) -> c_int;
}

// ---- vepoll_wasix_abi.h -----------------------------------------------------

/// WASI errno: success.
pub const VEPOLL_WASI_ESUCCESS: u32 = 0;
/// WASI errno `E2BIG`.
pub const VEPOLL_WASI_E2BIG: u32 = 1;
/// WASI errno `EACCES`.
pub const VEPOLL_WASI_EACCES: u32 = 2;
/// WASI errno `EAGAIN`.
pub const VEPOLL_WASI_EAGAIN: u32 = 6;
/// WASI errno `EBADF`.
pub const VEPOLL_WASI_EBADF: u32 = 8;
/// WASI errno `EBUSY`.
pub const VEPOLL_WASI_EBUSY: u32 = 10;
/// WASI errno `EEXIST`.
pub const VEPOLL_WASI_EEXIST: u32 = 20;
/// WASI errno `EFAULT`.
pub const VEPOLL_WASI_EFAULT: u32 = 21;
/// WASI errno `EINTR`.
pub const VEPOLL_WASI_EINTR: u32 = 27;
/// WASI errno `EINVAL`.
pub const VEPOLL_WASI_EINVAL: u32 = 28;
/// WASI errno `EIO`.
pub const VEPOLL_WASI_EIO: u32 = 29;
/// WASI errno `ELOOP`.
pub const VEPOLL_WASI_ELOOP: u32 = 32;
/// WASI errno `EMFILE`.
pub const VEPOLL_WASI_EMFILE: u32 = 33;
/// WASI errno `ENFILE`.
pub const VEPOLL_WASI_ENFILE: u32 = 41;
/// WASI errno `ENOENT`.
pub const VEPOLL_WASI_ENOENT: u32 = 44;
/// WASI errno `ENOMEM`.
pub const VEPOLL_WASI_ENOMEM: u32 = 48;
/// WASI errno `ENOSPC`.
pub const VEPOLL_WASI_ENOSPC: u32 = 51;
/// WASI errno `ENOSYS`.
pub const VEPOLL_WASI_ENOSYS: u32 = 52;
/// WASI errno `ENOTCONN`.
pub const VEPOLL_WASI_ENOTCONN: u32 = 53;
/// WASI errno `ENOTSOCK`.
pub const VEPOLL_WASI_ENOTSOCK: u32 = 57;
/// WASI errno `ENOTSUP`.
pub const VEPOLL_WASI_ENOTSUP: u32 = 58;
/// WASI errno `EADDRINUSE`.
pub const VEPOLL_WASI_EADDRINUSE: u32 = 3;
/// WASI errno `EADDRNOTAVAIL`.
pub const VEPOLL_WASI_EADDRNOTAVAIL: u32 = 4;
/// WASI errno `EAFNOSUPPORT`.
pub const VEPOLL_WASI_EAFNOSUPPORT: u32 = 5;
/// WASI errno `EALREADY`.
pub const VEPOLL_WASI_EALREADY: u32 = 7;
/// WASI errno `ECONNABORTED`.
pub const VEPOLL_WASI_ECONNABORTED: u32 = 13;
/// WASI errno `ECONNREFUSED`.
pub const VEPOLL_WASI_ECONNREFUSED: u32 = 14;
/// WASI errno `ECONNRESET`.
pub const VEPOLL_WASI_ECONNRESET: u32 = 15;
/// WASI errno `EDESTADDRREQ`.
pub const VEPOLL_WASI_EDESTADDRREQ: u32 = 17;
/// WASI errno `EHOSTUNREACH`.
pub const VEPOLL_WASI_EHOSTUNREACH: u32 = 23;
/// WASI errno `EINPROGRESS`.
pub const VEPOLL_WASI_EINPROGRESS: u32 = 26;
/// WASI errno `EISCONN`.
pub const VEPOLL_WASI_EISCONN: u32 = 30;
/// WASI errno `EMSGSIZE`.
pub const VEPOLL_WASI_EMSGSIZE: u32 = 35;
/// WASI errno `ENETDOWN`.
pub const VEPOLL_WASI_ENETDOWN: u32 = 38;
/// WASI errno `ENETRESET`.
pub const VEPOLL_WASI_ENETRESET: u32 = 39;
/// WASI errno `ENETUNREACH`.
pub const VEPOLL_WASI_ENETUNREACH: u32 = 40;
/// WASI errno `ENOBUFS`.
pub const VEPOLL_WASI_ENOBUFS: u32 = 42;
/// WASI errno `ENOPROTOOPT`.
pub const VEPOLL_WASI_ENOPROTOOPT: u32 = 50;
/// WASI errno `EPROTONOSUPPORT`.
pub const VEPOLL_WASI_EPROTONOSUPPORT: u32 = 66;
/// WASI errno `EPROTOTYPE`.
pub const VEPOLL_WASI_EPROTOTYPE: u32 = 67;
/// WASI errno `EOVERFLOW`.
pub const VEPOLL_WASI_EOVERFLOW: u32 = 61;
/// WASI errno `EPERM`.
pub const VEPOLL_WASI_EPERM: u32 = 63;
/// WASI errno `EPIPE`.
pub const VEPOLL_WASI_EPIPE: u32 = 64;
/// WASI errno `ESPIPE`.
pub const VEPOLL_WASI_ESPIPE: u32 = 70;
/// WASI errno `ETIMEDOUT`.
pub const VEPOLL_WASI_ETIMEDOUT: u32 = 73;
/// WASI errno `ENOTCAPABLE`.
pub const VEPOLL_WASI_ENOTCAPABLE: u32 = 76;
/// WASIX errno `ESHUTDOWN`.
pub const VEPOLL_WASI_ESHUTDOWN: u32 = 77;
/// WASIX errno: a guest pointer out of bounds.
pub const VEPOLL_WASI_EMEMVIOLATION: u32 = 78;
/// WASIX errno: no WASI equivalent.
pub const VEPOLL_WASI_EUNKNOWN: u32 = 79;

/// WASIX epoll bit `EPOLLIN` (WASIX numbering, not Linux's).
pub const VEPOLL_WASIX_EPOLLIN: u32 = 0x01;
/// WASIX `EPOLLOUT`.
pub const VEPOLL_WASIX_EPOLLOUT: u32 = 0x02;
/// WASIX `EPOLLRDHUP`.
pub const VEPOLL_WASIX_EPOLLRDHUP: u32 = 0x04;
/// WASIX `EPOLLPRI`.
pub const VEPOLL_WASIX_EPOLLPRI: u32 = 0x08;
/// WASIX `EPOLLERR`.
pub const VEPOLL_WASIX_EPOLLERR: u32 = 0x10;
/// WASIX `EPOLLHUP`.
pub const VEPOLL_WASIX_EPOLLHUP: u32 = 0x20;
/// WASIX `EPOLLET`.
pub const VEPOLL_WASIX_EPOLLET: u32 = 0x40;
/// WASIX `EPOLLONESHOT`.
pub const VEPOLL_WASIX_EPOLLONESHOT: u32 = 0x80;
/// Every WASIX epoll bit.
pub const VEPOLL_WASIX_EPOLL_ALL: u32 = 0xff;

/// The WASIX epoll bits of Linux's (= vepoll's `VEPOLL_*`) bits; Linux bits
/// without a WASIX one are dropped (the header's static inline function).
///
/// ```
/// use vepoll_sys::*;
/// assert_eq!(vepoll_wasix_abi_events_from_linux(VEPOLL_IN | VEPOLL_ET | VEPOLL_RDNORM),
///            VEPOLL_WASIX_EPOLLIN | VEPOLL_WASIX_EPOLLET);
/// ```
pub const fn vepoll_wasix_abi_events_from_linux(l: u32) -> u32 {
    (l & 0x1)
        | ((l >> 1) & 0x2)
        | ((l >> 11) & 0x4)
        | ((l << 2) & 0x8)
        | ((l << 1) & 0x30)
        | ((l >> 25) & 0x40)
        | ((l >> 23) & 0x80)
}

/// Linux's bits of the WASIX epoll bits `w` (the header's static inline
/// function).
///
/// ```
/// use vepoll_sys::*;
/// for bit in 0..8 {
///     let w = 1u32 << bit;
///     assert_eq!(vepoll_wasix_abi_events_from_linux(vepoll_wasix_abi_events_to_linux(w)), w);
/// }
/// ```
pub const fn vepoll_wasix_abi_events_to_linux(w: u32) -> u32 {
    (w & 0x1)
        | ((w & 0x2) << 1)
        | ((w & 0x4) << 11)
        | ((w & 0x8) >> 2)
        | ((w & 0x30) >> 1)
        | ((w & 0x40) << 25)
        | ((w & 0x80) << 23)
}

/// WASIX epoll_ctl op ADD.
pub const VEPOLL_WASIX_CTL_ADD: u32 = 0;
/// WASIX epoll_ctl op MOD.
pub const VEPOLL_WASIX_CTL_MOD: u32 = 1;
/// WASIX epoll_ctl op DEL.
pub const VEPOLL_WASIX_CTL_DEL: u32 = 2;

/// epoll_wait's timeout that never expires.
pub const VEPOLL_WASIX_TIMEOUT_FOREVER: u64 = u64::MAX;

/// Size of `__wasi_epoll_event_t` (align 8).
pub const VEPOLL_WASIX_EVENT_SIZE: u32 = 32;
/// Offset of `events` (u32).
pub const VEPOLL_WASIX_EVENT_EVENTS: u32 = 0;
/// Offset of `data2` (u64).
pub const VEPOLL_WASIX_EVENT_DATA2: u32 = 24;
/// wasm32: offset of `ptr` (u32).
pub const VEPOLL_WASIX_EVENT32_PTR: u32 = 8;
/// wasm32: offset of `fd` (u32).
pub const VEPOLL_WASIX_EVENT32_FD: u32 = 12;
/// wasm32: offset of `data1` (u32).
pub const VEPOLL_WASIX_EVENT32_DATA1: u32 = 16;
/// wasm64: offset of `ptr` (u64).
pub const VEPOLL_WASIX_EVENT64_PTR: u32 = 8;
/// wasm64: offset of `fd` (u32).
pub const VEPOLL_WASIX_EVENT64_FD: u32 = 16;
/// wasm64: offset of `data1` (u32).
pub const VEPOLL_WASIX_EVENT64_DATA1: u32 = 20;
/// Size of Linux's wasm32 `struct epoll_event` (`vepoll_ext_v1` epoll,
/// `VEPOLL_WASIX_LINUX32`).
pub const VEPOLL_WASIX_LINUX_EVENT_SIZE: u32 = 16;
/// Linux event: offset of `events` (u32, Linux's bits).
pub const VEPOLL_WASIX_LINUX_EVENT_EVENTS: u32 = 0;
/// Linux event: offset of `data` (u64).
pub const VEPOLL_WASIX_LINUX_EVENT_DATA: u32 = 8;

/// The wasm32 `__wasi_epoll_event_t` (C declares it for `__wasm32__`
/// guests only; its layout is the same everywhere).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct vepoll_wasix_event32 {
    /// WASIX event bits.
    pub events: u32,
    /// Padding.
    pub pad0: u32,
    /// The guest's pointer.
    pub ptr: u32,
    /// The watched fd.
    pub fd: u32,
    /// The guest's data1.
    pub data1: u32,
    /// Padding.
    pub pad1: u32,
    /// The guest's data2.
    pub data2: u64,
}

/// sock_pair: `ADDRESS_FAMILY_UNIX`.
pub const VEPOLL_WASIX_AF_UNIX: u32 = 3;
/// sock_pair: `SOCK_TYPE_SOCKET_STREAM`.
pub const VEPOLL_WASIX_SOCK_STREAM: u32 = 1;
/// fd_event flag `EVENTFDFLAGS_SEMAPHORE`.
pub const VEPOLL_WASIX_EVENTFD_SEMAPHORE: u32 = 1;
/// `vepoll_ext_v1` `signal_action` disposition: the default action (`SIG_DFL`).
pub const VEPOLL_EXT_SIGNAL_DEFAULT: u32 = 0;
/// `vepoll_ext_v1` `signal_action` disposition: ignored (`SIG_IGN`).
pub const VEPOLL_EXT_SIGNAL_IGNORE: u32 = 1;
/// `vepoll_ext_v1` `signal_action` disposition: a guest handler.
pub const VEPOLL_EXT_SIGNAL_HANDLER: u32 = 2;
/// `vepoll_ext_v1` `signal_action` flag: `SA_RESTART`.
pub const VEPOLL_EXT_SIGNAL_RESTART: u32 = 1;

// ---- vepoll_wasix.h ---------------------------------------------------------

/// C `enum vepoll_wasix_abi`: the guest's pointer width (import module).
pub type vepoll_wasix_abi = c_uint;
/// `wasix_32v1`.
pub const VEPOLL_WASIX_32: vepoll_wasix_abi = 32;
/// `wasix_64v1`.
pub const VEPOLL_WASIX_64: vepoll_wasix_abi = 64;
/// `vepoll_ext_v1` epoll: wasm32, Linux's `struct epoll_event`, ops and bits.
pub const VEPOLL_WASIX_LINUX32: vepoll_wasix_abi = 132;

/// C `struct vepoll_wasix_mem`: the guest's linear memory during one call.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct vepoll_wasix_mem {
    /// Its first byte.
    pub base: *mut u8,
    /// Its size in bytes.
    pub size: u64,
}

/// C `struct vepoll_wasix_fdref`: what a guest fd refers to.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct vepoll_wasix_fdref {
    /// An epoll instance, or NULL.
    pub ep: *mut vepoll_t,
    /// A pollable object, or NULL.
    pub src: *mut vepoll_source_t,
    /// The table's own, handed back to release().
    pub handle: *mut c_void,
}

/// C `struct vepoll_wasix_fdtable`: a runtime's descriptor table.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct vepoll_wasix_fdtable {
    /// Resolves `fd` (`-EBADF` if not open), keeping it alive until release().
    pub lookup: Option<
        unsafe extern "C" fn(ctx: *mut c_void, fd: u32, out: *mut vepoll_wasix_fdref) -> c_int,
    >,
    /// Ends what lookup() started (may be None).
    pub release:
        Option<unsafe extern "C" fn(ctx: *mut c_void, fd: u32, r: *const vepoll_wasix_fdref)>,
    /// Stores a new instance under a new fd.
    pub install_epoll: Option<
        unsafe extern "C" fn(ctx: *mut c_void, ep: *mut vepoll_t, fd_out: *mut u32) -> c_int,
    >,
    /// Passed to all three.
    pub ctx: *mut c_void,
}

/// C `vepoll_wasix_t`: the WASIX adapter of one guest, opaque.
#[repr(C)]
pub struct vepoll_wasix_t {
    _opaque: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

/// The built-in table's first guest fd (0..2 are the host's stdio).
pub const VEPOLL_WASIX_FIRST_FD: u32 = 3;
/// The built-in table's size limit (`-EMFILE` beyond).
pub const VEPOLL_WASIX_MAX_FDS: u32 = 65536;

/// C `enum vepoll_wasix_kind`: what a built-in table fd is.
pub type vepoll_wasix_kind = c_uint;
/// fds 0..2.
pub const VEPOLL_WASIX_KIND_STDIO: vepoll_wasix_kind = 1;
/// An epoll instance.
pub const VEPOLL_WASIX_KIND_EPOLL: vepoll_wasix_kind = 2;
/// A pipe's read end.
pub const VEPOLL_WASIX_KIND_PIPE_READ: vepoll_wasix_kind = 3;
/// A pipe's write end.
pub const VEPOLL_WASIX_KIND_PIPE_WRITE: vepoll_wasix_kind = 4;
/// An eventfd.
pub const VEPOLL_WASIX_KIND_EVENTFD: vepoll_wasix_kind = 5;
/// A socket pair's end.
pub const VEPOLL_WASIX_KIND_SOCKET: vepoll_wasix_kind = 6;
/// A timerfd.
pub const VEPOLL_WASIX_KIND_TIMERFD: vepoll_wasix_kind = 7;
/// A host kernel descriptor (a real socket, or watched stdio).
pub const VEPOLL_WASIX_KIND_KFD: vepoll_wasix_kind = 8;

/// C `struct vepoll_wasix_fdinfo`: `vepoll_wasix_fd_info`'s answer.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct vepoll_wasix_fdinfo {
    /// What the fd is.
    pub kind: vepoll_wasix_kind,
    /// Non-zero when non-blocking.
    pub nonblock: c_int,
    /// Current vepoll readiness bits (0 for stdio).
    pub ready: u32,
    /// Bytes readable now.
    pub nbytes: u64,
    /// `VEPOLL_WASIX_KIND_STDIO`: the host stream 0, 1 or 2; else -1.
    pub host_stdio: c_int,
}

/// C `struct vepoll_wasix_pollitem`: one item of `vepoll_wasix_poll`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct vepoll_wasix_pollitem {
    /// The fd.
    pub fd: u32,
    /// `VEPOLL_IN` / `VEPOLL_OUT` to wait for.
    pub events: u32,
    /// What is ready.
    pub revents: u32,
    /// 0, or `-EBADF` for an fd that is not open.
    pub ok: c_int,
}

extern "C" {
    /// WASIX event bits -> vepoll (Linux) bits.
    pub fn vepoll_wasix_events_to_vepoll(wasix_events: u32) -> u32;
    /// vepoll bits -> WASIX bits (bits without an equivalent are dropped).
    pub fn vepoll_wasix_events_from_vepoll(vepoll_events: u32) -> u32;
    /// WASIX op -> `VEPOLL_CTL_*`, or `-EINVAL`.
    pub fn vepoll_wasix_op_to_vepoll(wasix_op: u32) -> c_int;
    /// `VEPOLL_CTL_*` -> WASIX op, or `-EINVAL`.
    pub fn vepoll_wasix_op_from_vepoll(vepoll_op: c_int) -> c_int;
    /// A negative errno -> WASI errno (0 -> 0; unknown -> `EUNKNOWN`).
    pub fn vepoll_wasix_errno(neg_errno: c_int) -> u32;

    /// New adapter; `table` NULL selects the built-in table.
    ///
    /// ```
    /// use vepoll_sys::*;
    /// let mut wx = std::ptr::null_mut();
    /// let mut fds = [0u32; 2];
    /// unsafe {
    ///     assert_eq!(vepoll_wasix_create(&mut wx, std::ptr::null()), 0);
    ///     assert_eq!(vepoll_wasix_pipe(wx, VEPOLL_NONBLOCK, fds.as_mut_ptr()), 0);
    ///     assert_eq!(fds, [VEPOLL_WASIX_FIRST_FD, VEPOLL_WASIX_FIRST_FD + 1]);
    ///     assert_eq!(vepoll_wasix_write(wx, fds[1], b"x".as_ptr().cast(), 1), 1);
    ///     vepoll_wasix_destroy(wx);
    /// }
    /// ```
    pub fn vepoll_wasix_create(
        out: *mut *mut vepoll_wasix_t,
        table: *const vepoll_wasix_fdtable,
    ) -> c_int;
    /// Closes everything of the built-in table and frees the adapter.
    pub fn vepoll_wasix_destroy(wx: *mut vepoll_wasix_t);
    /// Before the final close of `src`: frees the adapter's data for it.
    pub fn vepoll_wasix_forget_source(wx: *mut vepoll_wasix_t, src: *mut vepoll_source_t);
    /// Closes an instance made through the adapter.
    pub fn vepoll_wasix_close_epoll(wx: *mut vepoll_wasix_t, ep: *mut vepoll_t) -> c_int;

    /// Import `epoll_create(ret_fd)`; returns a WASI errno.
    pub fn vepoll_wasix_epoll_create(
        wx: *mut vepoll_wasix_t,
        mem: vepoll_wasix_mem,
        ret_fd_ptr: u64,
    ) -> u32;
    /// Import `epoll_ctl(epfd, op, fd, event)`.
    pub fn vepoll_wasix_epoll_ctl(
        wx: *mut vepoll_wasix_t,
        mem: vepoll_wasix_mem,
        abi: vepoll_wasix_abi,
        epfd: u32,
        op: u32,
        fd: u32,
        event_ptr: u64,
    ) -> u32;
    /// Import `epoll_wait(epfd, events, maxevents, timeout, ret_nevents)`.
    pub fn vepoll_wasix_epoll_wait(
        wx: *mut vepoll_wasix_t,
        mem: vepoll_wasix_mem,
        abi: vepoll_wasix_abi,
        epfd: u32,
        events_ptr: u64,
        maxevents: i64,
        timeout_ns: u64,
        ret_nevents_ptr: u64,
    ) -> u32;

    /// Import `fd_pipe(ret_rfd, ret_wfd)` (built-in table).
    pub fn vepoll_wasix_fd_pipe(
        wx: *mut vepoll_wasix_t,
        mem: vepoll_wasix_mem,
        ret_rfd_ptr: u64,
        ret_wfd_ptr: u64,
    ) -> u32;
    /// Import `fd_event(initval, flags, ret_fd)`.
    pub fn vepoll_wasix_fd_event(
        wx: *mut vepoll_wasix_t,
        mem: vepoll_wasix_mem,
        initval: u64,
        flags: u32,
        ret_fd_ptr: u64,
    ) -> u32;
    /// Import `sock_pair(af, type, proto, ret_fd0, ret_fd1)`.
    pub fn vepoll_wasix_sock_pair(
        wx: *mut vepoll_wasix_t,
        mem: vepoll_wasix_mem,
        af: u32,
        type_: u32,
        proto: u32,
        ret_fd0_ptr: u64,
        ret_fd1_ptr: u64,
    ) -> u32;
    /// Import `sock_shutdown(fd, how)` (WASI sdflags).
    pub fn vepoll_wasix_sock_shutdown(wx: *mut vepoll_wasix_t, fd: u32, how: u32) -> u32;

    /// New pipe in the built-in table (`fds[0]` read, `fds[1]` write).
    pub fn vepoll_wasix_pipe(wx: *mut vepoll_wasix_t, flags: c_int, fds: *mut u32) -> c_int;
    /// New eventfd in the built-in table.
    pub fn vepoll_wasix_eventfd(
        wx: *mut vepoll_wasix_t,
        initval: u64,
        flags: c_int,
        fd: *mut u32,
    ) -> c_int;
    /// New socket pair in the built-in table.
    pub fn vepoll_wasix_socketpair(wx: *mut vepoll_wasix_t, flags: c_int, fds: *mut u32) -> c_int;
    /// New epoll instance in the built-in table.
    pub fn vepoll_wasix_epoll(wx: *mut vepoll_wasix_t, fd: *mut u32) -> c_int;
    /// `VEPOLL_SHUT_*` on a built-in socket fd.
    pub fn vepoll_wasix_shutdown(wx: *mut vepoll_wasix_t, fd: u32, how: c_int) -> c_int;
    /// Read from a built-in fd.
    pub fn vepoll_wasix_read(wx: *mut vepoll_wasix_t, fd: u32, buf: *mut c_void, len: usize)
        -> i64;
    /// Write to a built-in fd.
    pub fn vepoll_wasix_write(
        wx: *mut vepoll_wasix_t,
        fd: u32,
        buf: *const c_void,
        len: usize,
    ) -> i64;
    /// Close a built-in fd.
    pub fn vepoll_wasix_close(wx: *mut vepoll_wasix_t, fd: u32) -> c_int;
    /// Set or clear non-blocking mode of a built-in fd.
    pub fn vepoll_wasix_set_nonblock(wx: *mut vepoll_wasix_t, fd: u32, on: c_int) -> c_int;
    /// What a built-in fd is.
    pub fn vepoll_wasix_fd_info(
        wx: *mut vepoll_wasix_t,
        fd: u32,
        out: *mut vepoll_wasix_fdinfo,
    ) -> c_int;
    /// poll(2) over built-in fds.
    pub fn vepoll_wasix_poll(
        wx: *mut vepoll_wasix_t,
        items: *mut vepoll_wasix_pollitem,
        n: usize,
        timeout_ns: i64,
    ) -> c_int;

    /// dup / `F_DUPFD(_CLOEXEC)`: the lowest free fd >= `min_fd`, sharing
    /// `fd`'s open file description.
    pub fn vepoll_wasix_dup(
        wx: *mut vepoll_wasix_t,
        fd: u32,
        min_fd: u32,
        cloexec: c_int,
        newfd: *mut u32,
    ) -> c_int;
    /// dup3: `newfd` (closed first if open) shares `fd`'s description.
    pub fn vepoll_wasix_dup3(wx: *mut vepoll_wasix_t, fd: u32, newfd: u32, cloexec: c_int)
        -> c_int;
    /// WASI fd_renumber: `from` moves to `to` (closed first if open).
    pub fn vepoll_wasix_renumber(wx: *mut vepoll_wasix_t, from: u32, to: u32) -> c_int;
    /// `FD_CLOEXEC` of `fd`.
    pub fn vepoll_wasix_get_cloexec(wx: *mut vepoll_wasix_t, fd: u32, on: *mut c_int) -> c_int;
    /// Sets or clears `FD_CLOEXEC` of `fd`.
    pub fn vepoll_wasix_set_cloexec(wx: *mut vepoll_wasix_t, fd: u32, on: c_int) -> c_int;
    /// recv(2) with `VEPOLL_MSG_*` flags on a built-in socket fd.
    pub fn vepoll_wasix_recv(
        wx: *mut vepoll_wasix_t,
        fd: u32,
        buf: *mut c_void,
        len: usize,
        flags: c_int,
    ) -> i64;
    /// send(2) with `VEPOLL_MSG_*` flags on a built-in socket fd.
    pub fn vepoll_wasix_send(
        wx: *mut vepoll_wasix_t,
        fd: u32,
        buf: *const c_void,
        len: usize,
        flags: c_int,
    ) -> i64;
    /// New timerfd in the built-in table.
    pub fn vepoll_wasix_timerfd_create(
        wx: *mut vepoll_wasix_t,
        clockid: c_int,
        flags: c_int,
        fd: *mut u32,
    ) -> c_int;
    /// timerfd_settime(2) on a built-in timerfd.
    pub fn vepoll_wasix_timerfd_settime(
        wx: *mut vepoll_wasix_t,
        fd: u32,
        flags: c_int,
        new_value: *const vepoll_itimerspec,
        old_value: *mut vepoll_itimerspec,
    ) -> c_int;
    /// timerfd_gettime(2) on a built-in timerfd.
    pub fn vepoll_wasix_timerfd_gettime(
        wx: *mut vepoll_wasix_t,
        fd: u32,
        cur: *mut vepoll_itimerspec,
    ) -> c_int;
    /// Installs a host descriptor (made a kfd) as the lowest free guest fd.
    pub fn vepoll_wasix_kfd_install(
        wx: *mut vepoll_wasix_t,
        host_fd: c_int,
        flags: c_int,
        fd: *mut u32,
    ) -> c_int;
    /// socket(2) for a guest: a real host socket in the table.
    pub fn vepoll_wasix_socket(
        wx: *mut vepoll_wasix_t,
        domain: c_int,
        type_: c_int,
        protocol: c_int,
        fd: *mut u32,
    ) -> c_int;
    /// bind(2) on a guest's host socket.
    pub fn vepoll_wasix_bind(
        wx: *mut vepoll_wasix_t,
        fd: u32,
        addr: *const sockaddr,
        len: socklen_t,
    ) -> c_int;
    /// listen(2) on a guest's host socket.
    pub fn vepoll_wasix_listen(wx: *mut vepoll_wasix_t, fd: u32, backlog: c_int) -> c_int;
    /// connect(2) on a guest's host socket.
    pub fn vepoll_wasix_connect(
        wx: *mut vepoll_wasix_t,
        fd: u32,
        addr: *const sockaddr,
        len: socklen_t,
    ) -> c_int;
    /// accept4(2) on a guest's listening host socket: the new guest fd.
    pub fn vepoll_wasix_accept(
        wx: *mut vepoll_wasix_t,
        fd: u32,
        flags: c_int,
        addr: *mut sockaddr,
        len: *mut socklen_t,
        newfd: *mut u32,
    ) -> c_int;
    /// getsockname(2) (`peer` 0) or getpeername(2) (`peer` non-zero).
    pub fn vepoll_wasix_sockname(
        wx: *mut vepoll_wasix_t,
        fd: u32,
        peer: c_int,
        addr: *mut sockaddr,
        len: *mut socklen_t,
    ) -> c_int;
    /// getsockopt(2) on a guest's host socket.
    pub fn vepoll_wasix_getsockopt(
        wx: *mut vepoll_wasix_t,
        fd: u32,
        level: c_int,
        name: c_int,
        val: *mut c_void,
        len: *mut socklen_t,
    ) -> c_int;
    /// setsockopt(2) on a guest's host socket.
    pub fn vepoll_wasix_setsockopt(
        wx: *mut vepoll_wasix_t,
        fd: u32,
        level: c_int,
        name: c_int,
        val: *const c_void,
        len: socklen_t,
    ) -> c_int;
    /// Watches the host's stdio through kfd sources where the kernel can.
    pub fn vepoll_wasix_watch_stdio(wx: *mut vepoll_wasix_t) -> c_int;
}
