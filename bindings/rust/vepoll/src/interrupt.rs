//! [`Interrupt`]: per-thread interruption (Linux's `signal_pending`), and
//! the [`InterruptBinding`] that ties it to a thread.
//!
//! Contract (the C side's is in src/core/intr.h and docs/API.md):
//! - `raise`, `clear` and `is_pending` are one lock-free C call each,
//!   async-signal-safe, allowed from any thread at any time while the
//!   handle lives: `Interrupt` is `Send + Sync`.
//! - `vepoll_intr_bind` acts on the calling thread (its thread-local
//!   handle).  `bind` returns an `InterruptBinding`, neither `Send` nor
//!   `Sync`, whose `Drop` unbinds: the unbind runs on the thread that bound.
//! - The binding borrows the `Interrupt`, so the handle cannot be dropped
//!   while bound and `vepoll_intr_destroy` never sees `-EBUSY` in safe
//!   code.  Only a leaked binding (`mem::forget`) leaves a handle bound at
//!   its drop; the drop then leaks the handle rather than free memory the
//!   bound thread still points to (a thread that exits while bound unbinds
//!   itself in C, so a leaked binding of an ended thread frees normally).
//! - One binding per thread: `BOUND` (thread-local) says whether this
//!   thread holds one; a second `bind` on it is `EBUSY`.  (C would replace
//!   the first binding silently, and the first binding's drop would then
//!   unbind the second.)
use std::cell::Cell;
use std::fmt;
use std::io;
use std::marker::PhantomData;
use std::ptr::{self, NonNull};

use vepoll_sys as sys;

use crate::{create, cvt};

/// `EBUSY`: a second binding on one thread.
const EBUSY: i32 = 16;

thread_local! {
    /// Whether the calling thread holds an InterruptBinding.
    static BOUND: Cell<bool> = const { Cell::new(false) };
}

/// A per-thread interruption handle: what a runtime gives each guest
/// thread so a signal interrupts that thread alone, as Linux delivers
/// signals to threads (`vepoll_intr_*`).
///
/// While the handle is **pending** (raised and not yet cleared), the
/// blocking calls of the thread [bound](Interrupt::bind) to it do not
/// sleep: [`Epoll::wait`](crate::Epoll::wait) with a timeout other than
/// zero and the ready-made objects' blocking reads and writes
/// ([`PipeReader`](crate::PipeReader), [`PipeWriter`](crate::PipeWriter),
/// [`EventFd`](crate::EventFd), [`Socket`](crate::Socket) with
/// `recv`/`send`, [`TimerFd`](crate::TimerFd)) return
/// `ErrorKind::Interrupted` (`EINTR`), and one already asleep wakes up and
/// returns it.  What is already there comes first, as on Linux: events are
/// returned, bytes are read, a write that moved bytes returns their count;
/// an interrupted call consumes nothing.  A wait with a zero timeout never
/// sleeps, so it is never interrupted.  Other threads, also those blocked
/// on the same `Epoll`, are not affected ([`Epoll::interrupt`](crate::Epoll::interrupt)
/// is the instance-wide form).
///
/// A raise is never lost, even one that races the thread's entry into a
/// blocking call, and it is not a counter: the handle stays pending until
/// [`clear`](Interrupt::clear), which the runtime calls once it has
/// delivered the signal (ran the guest's handler, or chose to ignore it).
///
/// **Async-signal-safe:** [`raise`](Interrupt::raise),
/// [`clear`](Interrupt::clear) and [`is_pending`](Interrupt::is_pending)
/// take no lock, allocate nothing and never wait: call them from a signal
/// handler (through a `&'static Interrupt`) or from any thread.  Nothing
/// else here is.  With the futex parking back end (Linux, the default) a
/// raise wakes the bound thread at once; with the `park-condvar` feature a
/// bound thread sleeps in slices of at most 10 ms and notices a raise
/// within one slice.
///
/// **`Send + Sync`**: every method may run on any thread at any time
/// (src/core/intr.h: raisers only set `pending` and wake the word the bound
/// thread sleeps on; the sleeper waits out raisers before it leaves).
/// Binding needs the handle to outlive it, which the
/// [`InterruptBinding`]'s borrow ensures: share the handle with `Arc`.
///
/// **std's retry loops:** `read_exact`, `write_all`, `read_to_end` and the
/// like retry on `Interrupted`.  While the handle is pending, a blocking
/// call returns `Interrupted` at once, so such a loop spins until someone
/// clears it: in a bound thread, make single calls
/// ([`read`](std::io::Read::read), [`Epoll::wait`](crate::Epoll::wait)),
/// handle the signal on `Interrupted`, clear, and call again.
///
/// ```
/// use std::sync::Arc;
/// use std::thread;
/// use std::time::Duration;
/// use vepoll::{Epoll, Event, Interrupt};
///
/// let ep = Arc::new(Epoll::new()?);
/// let intr = Arc::new(Interrupt::new()?);
/// let (ep2, intr2) = (ep.clone(), intr.clone());
/// let guest = thread::spawn(move || {
///     let _bound = intr2.bind()?; // this thread's blocking calls watch intr2
///     let r = ep2.wait(&mut [Event::default(); 4], None); // blocks
///     intr2.clear(); // the runtime delivered the signal
///     r
/// });
/// thread::sleep(Duration::from_millis(10));
/// intr.raise(); // a signal for the guest thread
/// let e = guest.join().unwrap().unwrap_err();
/// assert_eq!(e.kind(), std::io::ErrorKind::Interrupted);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Interrupt {
    raw: NonNull<sys::vepoll_intr_t>,
}

// SAFETY: see the type's documentation and the module's contract.
unsafe impl Send for Interrupt {}
unsafe impl Sync for Interrupt {}

impl Interrupt {
    /// A new handle, not pending, bound to no thread.  `ENOMEM`.
    ///
    /// ```
    /// let h = vepoll::Interrupt::new()?;
    /// assert!(!h.is_pending());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new() -> io::Result<Interrupt> {
        // SAFETY: a valid out pointer.
        Ok(Interrupt { raw: create(|out| unsafe { sys::vepoll_intr_create(out) })? })
    }

    /// Binds the calling thread: its blocking calls watch this handle until
    /// the returned binding is dropped (on this thread: it is not `Send`).
    ///
    /// Errors (`EBUSY`, `raw_os_error()` 16): the handle is bound to
    /// another thread, or this thread already holds a binding (of this or
    /// another handle; drop it first).  A failed bind changes nothing.
    ///
    /// ```
    /// use vepoll::Interrupt;
    /// let (a, b) = (Interrupt::new()?, Interrupt::new()?);
    /// let bound = a.bind()?;
    /// assert_eq!(b.bind().unwrap_err().raw_os_error(), Some(16)); // one per thread
    /// drop(bound);
    /// let _bound = b.bind()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn bind(&self) -> io::Result<InterruptBinding<'_>> {
        if BOUND.with(Cell::get) {
            return Err(io::Error::from_raw_os_error(EBUSY));
        }
        // SAFETY: an open handle; the binding returned borrows it, so it
        // outlives the binding (the C rule "destroy: -EBUSY while bound").
        cvt(unsafe { sys::vepoll_intr_bind(self.raw.as_ptr()) })?;
        BOUND.with(|b| b.set(true));
        Ok(InterruptBinding { intr: self, _thread: PhantomData })
    }

    /// Makes the handle pending and wakes the bound thread if it sleeps in
    /// a blocking call, which then returns `Interrupted`.  Without a bound
    /// thread, or with one not blocked, the handle just stays pending.
    /// **Async-signal-safe.**
    ///
    /// ```
    /// let h = vepoll::Interrupt::new()?;
    /// h.raise();
    /// h.raise(); // not a counter
    /// assert!(h.is_pending());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[inline]
    pub fn raise(&self) {
        // SAFETY: an open handle; cannot fail for a non-NULL one.
        unsafe { sys::vepoll_intr_raise(self.raw.as_ptr()) };
    }

    /// Ends the pending state: the bound thread's blocking calls sleep
    /// again.  **Async-signal-safe.**
    ///
    /// ```
    /// let h = vepoll::Interrupt::new()?;
    /// h.raise();
    /// h.clear();
    /// assert!(!h.is_pending());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[inline]
    pub fn clear(&self) {
        // SAFETY: an open handle; cannot fail for a non-NULL one.
        unsafe { sys::vepoll_intr_clear(self.raw.as_ptr()) };
    }

    /// Whether the handle is raised and not cleared.
    /// **Async-signal-safe.**
    ///
    /// ```
    /// let h = vepoll::Interrupt::new()?;
    /// assert!(!h.is_pending());
    /// h.raise();
    /// assert!(h.is_pending());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[inline]
    pub fn is_pending(&self) -> bool {
        // SAFETY: an open handle.
        unsafe { sys::vepoll_intr_pending(self.raw.as_ptr()) != 0 }
    }

    /// The raw handle, for `vepoll_sys` calls (never `vepoll_intr_destroy`:
    /// dropping the `Interrupt` does that; and no `vepoll_intr_bind` behind
    /// a binding's back).
    ///
    /// ```
    /// let h = vepoll::Interrupt::new()?;
    /// // SAFETY: an open handle, which `h` keeps alive.
    /// unsafe { vepoll_sys::vepoll_intr_raise(h.as_raw()) };
    /// assert!(h.is_pending());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[inline]
    pub fn as_raw(&self) -> *mut sys::vepoll_intr_t {
        self.raw.as_ptr()
    }
}

impl Drop for Interrupt {
    fn drop(&mut self) {
        // SAFETY: nothing borrows the handle any more.  -EBUSY means a
        // leaked binding still binds a live thread to it: the memory is
        // then left allocated, since that thread still points to it.
        unsafe { sys::vepoll_intr_destroy(self.raw.as_ptr()) };
    }
}

impl fmt::Debug for Interrupt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Interrupt")
            .field("raw", &self.raw)
            .field("pending", &self.is_pending())
            .finish()
    }
}

/// The binding of an [`Interrupt`] to the thread that called
/// [`bind`](Interrupt::bind); dropping it unbinds that thread.  Neither
/// `Send` nor `Sync` (the unbind acts on the calling thread, so it must
/// run on the bound one), and it borrows the `Interrupt`, which therefore
/// cannot be dropped while bound.
///
/// ```
/// let h = vepoll::Interrupt::new()?;
/// let bound = h.bind()?;
/// assert!(std::ptr::eq(bound.interrupt(), &h));
/// drop(bound); // unbound: the handle may be bound again, here or elsewhere
/// std::thread::scope(|s| s.spawn(|| h.bind().map(drop)).join().unwrap())?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// It cannot leave its thread:
///
/// ```compile_fail
/// let h = vepoll::Interrupt::new().unwrap();
/// let bound = h.bind().unwrap();
/// std::thread::scope(|s| {
///     s.spawn(move || drop(bound)); // error: InterruptBinding is not Send
/// });
/// ```
pub struct InterruptBinding<'a> {
    intr: &'a Interrupt,
    /// Not Send, not Sync: the binding belongs to its thread.
    _thread: PhantomData<*const ()>,
}

impl<'a> InterruptBinding<'a> {
    /// The bound handle.
    ///
    /// ```
    /// let h = vepoll::Interrupt::new()?;
    /// let bound = h.bind()?;
    /// bound.interrupt().raise();
    /// assert!(h.is_pending());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn interrupt(&self) -> &'a Interrupt {
        self.intr
    }
}

impl Drop for InterruptBinding<'_> {
    fn drop(&mut self) {
        // SAFETY: runs on the bound thread (the binding is not Send);
        // unbinding (NULL) cannot fail.
        unsafe { sys::vepoll_intr_bind(ptr::null_mut()) };
        // try_with: at thread exit the flag may already be gone.
        let _ = BOUND.try_with(|b| b.set(false));
    }
}

impl fmt::Debug for InterruptBinding<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InterruptBinding").field("interrupt", &self.intr).finish()
    }
}
