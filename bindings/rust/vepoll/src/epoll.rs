//! [`Epoll`]: one epoll instance, and the [`Event`]s a wait fills in.
use std::ffi::c_void;
use std::fmt;
use std::io;
use std::mem::size_of;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::{self, NonNull};
use std::sync::Mutex;
use std::time::Duration;

use vepoll_sys as sys;

use crate::{create, cvt, timeout_ns, AsSource, Interest, SourceRef, Stats};

/// One event of a wait: what is ready, and the registration's `data`.
///
/// Laid out as C's `struct vepoll_event` (16 bytes), so a wait writes
/// straight into the caller's buffer.
///
/// ```
/// use vepoll::{Event, Interest};
/// let e = Event::new(Interest::IN, 42);
/// assert_eq!((e.readiness(), e.data()), (Interest::IN, 42));
/// assert_eq!(Event::default().data(), 0);
/// ```
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct Event(sys::vepoll_event);

impl Event {
    /// An event with these bits and data.
    ///
    /// ```
    /// let e = vepoll::Event::new(vepoll::Interest::OUT, 7);
    /// assert_eq!(e.data(), 7);
    /// ```
    #[inline]
    pub const fn new(readiness: Interest, data: u64) -> Event {
        Event(sys::vepoll_event {
            events: readiness.bits(),
            data: sys::vepoll_data_t { u64: data },
        })
    }

    /// The ready bits (masked by the registration; `ERR`/`HUP` always).
    ///
    /// ```
    /// use vepoll::{Event, Interest};
    /// assert!(Event::new(Interest::IN | Interest::HUP, 0).readiness().contains(Interest::HUP));
    /// ```
    #[inline]
    pub fn readiness(&self) -> Interest {
        Interest::from_bits(self.0.events)
    }

    /// The `data` given to [`Epoll::add`] / [`Epoll::modify`], all 64 bits.
    ///
    /// ```
    /// assert_eq!(vepoll::Event::new(vepoll::Interest::IN, u64::MAX).data(), u64::MAX);
    /// ```
    #[inline]
    pub fn data(&self) -> u64 {
        // SAFETY: every constructor and vepoll_wait write all 64 bits
        // (a registration's data is given as u64 and returned verbatim).
        unsafe { self.0.data.u64 }
    }
}

impl Default for Event {
    /// No bits, data 0.
    fn default() -> Event {
        Event::new(Interest::empty(), 0)
    }
}

impl PartialEq for Event {
    fn eq(&self, other: &Event) -> bool {
        self.readiness() == other.readiness() && self.data() == other.data()
    }
}

impl Eq for Event {}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("readiness", &self.readiness())
            .field("data", &self.data())
            .finish()
    }
}

/// The most events one wait may ask for (`vepoll_wait`: `maxevents` at most
/// `INT_MAX / sizeof(struct vepoll_event)`).
const MAX_EVENTS: usize = i32::MAX as usize / size_of::<sys::vepoll_event>();

type WakeFn = Box<dyn Fn() + Send + Sync + 'static>;

/// One epoll instance (Linux's epoll file; Wasmer's `EpollState`).
///
/// Registrations are keyed by (source, `fd`), `fd` being the caller's
/// descriptor number for the source: the same source under two numbers
/// (after `dup`) is two registrations.  Dropping the `Epoll` closes it
/// (`vepoll_close`): its registrations go (the sources live on) and it
/// leaves every instance it is registered in.
///
/// **Threads.** `Epoll` is `Send + Sync`: every method takes `&self` and
/// may run on any thread at the same time as any other (docs/API.md;
/// src/core/instance.h: the instance mutex serialises ctl and harvest, the
/// producer hook never takes it, and each waiter holds its own reference),
/// so share it with `Arc` or scoped threads.  Level-triggered readiness
/// wakes every waiter; an ET or ONESHOT event goes to exactly one.
///
/// **Close.** The C rule "no call may start on `ep` once `vepoll_close`
/// has started" holds by construction: only `Drop` (or
/// [`close`](Epoll::close), which consumes the value) closes, and neither
/// can run while any method still borrows the `Epoll`.
///
/// ```
/// use std::time::Duration;
/// use vepoll::{Epoll, Event, Interest, Source};
///
/// let ep = Epoll::new()?;
/// let pipe_rd = Source::new(Interest::empty())?;
/// ep.add(&pipe_rd, 5, Interest::IN | Interest::ET, 42)?;
/// pipe_rd.update(Interest::IN | Interest::RDNORM, Interest::empty()); // data arrived
///
/// let mut events = [Event::default(); 16];
/// let n = ep.wait(&mut events, Some(Duration::from_secs(1)))?;
/// assert_eq!(n, 1);
/// assert_eq!((events[0].readiness(), events[0].data()), (Interest::IN, 42));
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Epoll {
    raw: NonNull<sys::vepoll_t>,
    as_source: NonNull<sys::vepoll_source_t>,
    /// The wake-up callback now installed (freed only after
    /// vepoll_set_wakeup has replaced it: then it no longer runs).
    wakeup: Mutex<Option<Box<WakeFn>>>,
}

// SAFETY: see the type's documentation.
unsafe impl Send for Epoll {}
unsafe impl Sync for Epoll {}

impl Epoll {
    /// A new, empty instance (`epoll_create1(0)`).
    ///
    /// ```
    /// let ep = vepoll::Epoll::new()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new() -> io::Result<Epoll> {
        // SAFETY: a valid out pointer.
        let raw = create(|out| unsafe { sys::vepoll_create(out) })?;
        // SAFETY: an open instance; its source lives until vepoll_close.
        let as_source = NonNull::new(unsafe { sys::vepoll_as_source(raw.as_ptr()) })
            .expect("vepoll_as_source returned NULL");
        Ok(Epoll { raw, as_source, wakeup: Mutex::new(None) })
    }

    #[inline]
    fn ctl(&self, op: i32, source: SourceRef<'_>, fd: i32, ev: Option<&Event>) -> io::Result<()> {
        let ev = ev.map_or(ptr::null(), |e| &e.0 as *const sys::vepoll_event);
        // SAFETY: the instance is open while self is borrowed, the source
        // while `source` is; ev is NULL or points to a live event.
        cvt(unsafe { sys::vepoll_ctl(self.raw.as_ptr(), op, fd, source.as_raw(), ev) }).map(drop)
    }

    /// Registers `source` under `fd` (`EPOLL_CTL_ADD`).  If it is already
    /// ready for `interest`, it is queued at once and waiters wake.
    ///
    /// Errors (`raw_os_error()` is the errno): `EEXIST` (key already
    /// registered), `EINVAL` (the instance itself; `EXCLUSIVE` with other
    /// bits than IN/OUT/ERR/HUP/WAKEUP/ET, or on an `Epoll`), `ELOOP`
    /// (nesting cycle, or deeper than 5), `ENOSPC` (watch limit,
    /// [`set_max_watches`](crate::set_max_watches)), `ENOMEM`.
    ///
    /// ```
    /// use vepoll::{Epoll, Interest, Source};
    /// let ep = Epoll::new()?;
    /// let s = Source::new(Interest::empty())?;
    /// ep.add(&s, 3, Interest::IN, 3)?;
    /// ep.add(&s, 4, Interest::OUT, 4)?; // the same object under a dup'ed fd
    /// assert_eq!(ep.add(&s, 3, Interest::IN, 3).unwrap_err().kind(), std::io::ErrorKind::AlreadyExists);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn add<S: AsSource + ?Sized>(
        &self,
        source: &S,
        fd: i32,
        interest: Interest,
        data: u64,
    ) -> io::Result<()> {
        self.ctl(sys::VEPOLL_CTL_ADD, source.as_source(), fd, Some(&Event::new(interest, data)))
    }

    /// Replaces the mask and data of a registration (`EPOLL_CTL_MOD`) and
    /// re-evaluates it: an ET entry reports again if ready, a disarmed
    /// ONESHOT entry is re-armed.  `ENOENT` if not registered, `EINVAL`
    /// with `EXCLUSIVE`.
    ///
    /// ```
    /// use vepoll::{Epoll, Event, Interest, Source};
    /// let ep = Epoll::new()?;
    /// let s = Source::new(Interest::IN)?;
    /// ep.add(&s, 3, Interest::IN | Interest::ONESHOT, 1)?;
    /// let mut ev = [Event::default(); 4];
    /// assert_eq!(ep.wait(&mut ev, Some(std::time::Duration::ZERO))?, 1);
    /// assert_eq!(ep.wait(&mut ev, Some(std::time::Duration::ZERO))?, 0); // disarmed
    /// ep.modify(&s, 3, Interest::IN | Interest::ONESHOT, 2)?;             // re-armed
    /// assert_eq!(ep.wait(&mut ev, Some(std::time::Duration::ZERO))?, 1);
    /// assert_eq!(ev[0].data(), 2);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn modify<S: AsSource + ?Sized>(
        &self,
        source: &S,
        fd: i32,
        interest: Interest,
        data: u64,
    ) -> io::Result<()> {
        self.ctl(sys::VEPOLL_CTL_MOD, source.as_source(), fd, Some(&Event::new(interest, data)))
    }

    /// Removes a registration (`EPOLL_CTL_DEL`); nothing is reported for it
    /// once this returns, even if it was queued.  `ENOENT` if not
    /// registered.
    ///
    /// ```
    /// use vepoll::{Epoll, Interest, Source};
    /// let ep = Epoll::new()?;
    /// let s = Source::new(Interest::empty())?;
    /// ep.add(&s, 3, Interest::IN, 0)?;
    /// ep.delete(&s, 3)?;
    /// assert_eq!(ep.delete(&s, 3).unwrap_err().kind(), std::io::ErrorKind::NotFound);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn delete<S: AsSource + ?Sized>(&self, source: &S, fd: i32) -> io::Result<()> {
        self.ctl(sys::VEPOLL_CTL_DEL, source.as_source(), fd, None)
    }

    /// Waits for events and fills the front of `events`; returns how many.
    ///
    /// `timeout`: `None` waits forever, `Some(Duration::ZERO)` never
    /// blocks, otherwise returns as soon as there are events or after *at
    /// least* the timeout (`Ok(0)`).  Level-triggered entries still ready
    /// are reported again by the next wait (round robin).  Errors:
    /// `EINVAL` for an empty buffer; `EINTR` (`ErrorKind::Interrupted`)
    /// after [`interrupt`](Epoll::interrupt), or when nothing is ready and
    /// the calling thread's [`Interrupt`](crate::Interrupt) is raised
    /// (a zero timeout never sleeps, so it is never interrupted).  A buffer
    /// longer than the C call takes (`INT_MAX / 16` events) is filled up to
    /// that many.
    ///
    /// ```
    /// use std::time::Duration;
    /// use vepoll::{Epoll, Event};
    /// let ep = Epoll::new()?;
    /// let mut events = vec![Event::default(); 64];
    /// assert_eq!(ep.wait(&mut events, Some(Duration::from_millis(1)))?, 0); // expired
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[inline]
    pub fn wait(&self, events: &mut [Event], timeout: Option<Duration>) -> io::Result<usize> {
        let max = events.len().min(MAX_EVENTS) as i32;
        // SAFETY: Event is repr(transparent) over vepoll_event; the buffer
        // holds `max` of them; the instance is open while self is borrowed.
        let n = unsafe {
            sys::vepoll_wait(
                self.raw.as_ptr(),
                events.as_mut_ptr().cast(),
                max,
                timeout_ns(timeout),
            )
        };
        cvt(n).map(|n| n as usize)
    }

    /// Wakes every thread blocked in [`wait`](Epoll::wait) on this
    /// instance; each returns `EINTR` (`ErrorKind::Interrupted`) unless it
    /// has events.  With no waiter, the next wait that would block returns
    /// `EINTR` at once (one pending interrupt, not a counter).
    ///
    /// ```
    /// use vepoll::{Epoll, Event};
    /// let ep = Epoll::new()?;
    /// ep.interrupt();
    /// let err = ep.wait(&mut [Event::default(); 1], None).unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::Interrupted);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn interrupt(&self) {
        // SAFETY: open instance; cannot fail for a non-NULL ep.
        unsafe { sys::vepoll_interrupt(self.raw.as_ptr()) };
    }

    /// Installs `f` as the wake-up callback, for hosts that never block a
    /// thread in `wait` (an async runtime wakes its task here).  `f` runs
    /// on the producer's thread each time the instance gets a new entry to
    /// report, or on the thread of an `add` / `modify` that queues one.
    /// It replaces the previous callback, which is no longer running when
    /// this returns.
    ///
    /// `f` must not block and must not call into this `Epoll`, into a
    /// registered `Epoll`, or into the ready-made objects (they publish
    /// readiness under their own lock): doing so deadlocks.  It may update
    /// plain [`Source`](crate::Source)s.  A panic in `f` aborts the process.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// use vepoll::{Epoll, Interest, Source};
    ///
    /// let ep = Epoll::new()?;
    /// let woken = Arc::new(AtomicUsize::new(0));
    /// let w = woken.clone();
    /// ep.set_wakeup(move || { w.fetch_add(1, Ordering::SeqCst); });
    /// let s = Source::new(Interest::empty())?;
    /// ep.add(&s, 1, Interest::IN, 1)?;
    /// s.update(Interest::IN, Interest::empty());
    /// assert_eq!(woken.load(Ordering::SeqCst), 1);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_wakeup<F: Fn() + Send + Sync + 'static>(&self, f: F) {
        self.replace_wakeup(Some(Box::new(Box::new(f))));
    }

    /// Removes the wake-up callback; it is no longer running when this
    /// returns.
    ///
    /// ```
    /// let ep = vepoll::Epoll::new()?;
    /// ep.set_wakeup(|| {});
    /// ep.clear_wakeup();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn clear_wakeup(&self) {
        self.replace_wakeup(None);
    }

    fn replace_wakeup(&self, new: Option<Box<WakeFn>>) {
        unsafe extern "C" fn call(arg: *mut c_void) {
            // SAFETY: arg is the Box<WakeFn> installed below, alive until
            // vepoll_set_wakeup has replaced it.
            let f = unsafe { &*(arg as *const WakeFn) };
            if catch_unwind(AssertUnwindSafe(f)).is_err() {
                std::process::abort(); // never unwind into C
            }
        }
        let mut slot = self.wakeup.lock().unwrap_or_else(|e| e.into_inner());
        let (func, arg) = match &new {
            Some(b) => (
                Some(call as unsafe extern "C" fn(*mut c_void)),
                &**b as *const WakeFn as *mut c_void,
            ),
            None => (None, ptr::null_mut()),
        };
        // SAFETY: open instance; arg lives in `slot` until the next
        // replacement, which happens after this call returned.
        unsafe { sys::vepoll_set_wakeup(self.raw.as_ptr(), func, arg) };
        // The old callback no longer runs: it may go.
        *slot = new;
    }

    /// A waiter that finds nothing polls for up to `spin` before it sleeps
    /// (default 0).  Worth it only when producers run on other CPUs.
    ///
    /// ```
    /// let ep = vepoll::Epoll::new()?;
    /// ep.set_spin(std::time::Duration::from_micros(50));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_spin(&self, spin: Duration) {
        // SAFETY: open instance; the value is >= 0, so this cannot fail.
        unsafe { sys::vepoll_set_spin(self.raw.as_ptr(), timeout_ns(Some(spin))) };
    }

    /// The instance's counters (Wasmer's four epoll metrics).
    ///
    /// ```
    /// use vepoll::{Epoll, Interest, Source};
    /// let ep = Epoll::new()?;
    /// let s = Source::new(Interest::empty())?;
    /// ep.add(&s, 1, Interest::IN, 1)?;
    /// s.update(Interest::IN, Interest::empty());
    /// assert_eq!(ep.stats().enqueue_attempts, 1);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn stats(&self) -> Stats {
        let mut out = sys::vepoll_stats::default();
        // SAFETY: open instance, valid out pointer; cannot fail.
        unsafe { sys::vepoll_get_stats(self.raw.as_ptr(), &mut out) };
        out.into()
    }

    /// The raw instance, for `vepoll_sys` calls (never `vepoll_close`:
    /// dropping the `Epoll` does that).
    ///
    /// ```
    /// let ep = vepoll::Epoll::new()?;
    /// // SAFETY: an open instance, which `ep` keeps open.
    /// assert_eq!(unsafe { vepoll_sys::vepoll_interrupt(ep.as_raw()) }, 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[inline]
    pub fn as_raw(&self) -> *mut sys::vepoll_t {
        self.raw.as_ptr()
    }

    /// Closes the instance now (dropping it does the same).
    ///
    /// ```
    /// vepoll::Epoll::new()?.close()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn close(self) -> io::Result<()> {
        let rc = self.close_raw();
        let me = std::mem::ManuallyDrop::new(self);
        // The callback box is freed after the close (no callback runs then).
        // SAFETY: read once out of a value that is never dropped.
        drop(unsafe { ptr::read(&me.wakeup) });
        cvt(rc).map(drop)
    }

    fn close_raw(&self) -> i32 {
        if self.wakeup.lock().map_or(true, |w| w.is_some()) {
            self.clear_wakeup();
        }
        // SAFETY: called once, from close or drop, with no borrow left.
        unsafe { sys::vepoll_close(self.raw.as_ptr()) }
    }
}

/// The instance as a source, for registering it in another `Epoll`
/// (nesting, with Linux's loop and depth checks: `ELOOP`).  It is
/// `IN | RDNORM`-ready while a wait would return something.
///
/// ```
/// use std::time::Duration;
/// use vepoll::{Epoll, Event, Interest, Source};
/// let outer = Epoll::new()?;
/// let inner = Epoll::new()?;
/// outer.add(&inner, 10, Interest::IN, 10)?;
/// let s = Source::new(Interest::empty())?;
/// inner.add(&s, 1, Interest::IN, 1)?;
/// s.update(Interest::IN, Interest::empty());
/// let mut ev = [Event::default(); 4];
/// assert_eq!(outer.wait(&mut ev, Some(Duration::ZERO))?, 1);
/// assert_eq!(ev[0].data(), 10);
/// assert_eq!(inner.add(&outer, 11, Interest::IN, 0).unwrap_err().raw_os_error(), Some(40)); // ELOOP
/// # Ok::<(), std::io::Error>(())
/// ```
impl AsSource for Epoll {
    #[inline]
    fn as_source(&self) -> SourceRef<'_> {
        // SAFETY: owned by the instance, valid until it is closed, which
        // cannot happen while self is borrowed.
        unsafe { SourceRef::from_raw(self.as_source) }
    }
}

impl Drop for Epoll {
    fn drop(&mut self) {
        self.close_raw();
    }
}

impl fmt::Debug for Epoll {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Epoll").field("raw", &self.raw).finish()
    }
}
