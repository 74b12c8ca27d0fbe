//! Sources: [`Source`] (a runtime's own object, with the producer hook),
//! [`SourceRef`] (a borrowed source of any kind) and [`AsSource`].
use std::io;
use std::marker::PhantomData;
use std::ptr::NonNull;

use vepoll_sys as sys;

use crate::{create, Interest};

/// Anything that can be registered in an [`Epoll`](crate::Epoll): a
/// [`Source`], the ready-made objects, another `Epoll` (nesting), or a
/// runtime's own type that holds one of them.
///
/// ```
/// use vepoll::{AsSource, Epoll, Interest, Source, SourceRef};
///
/// /// A runtime's pipe end: its buffer and its source.
/// struct MyPipeEnd { buf: Vec<u8>, src: Source }
/// impl AsSource for MyPipeEnd {
///     fn as_source(&self) -> SourceRef<'_> { self.src.as_source() }
/// }
///
/// let end = MyPipeEnd { buf: Vec::new(), src: Source::new(Interest::empty())? };
/// let ep = Epoll::new()?;
/// ep.add(&end, 3, Interest::IN, 3)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub trait AsSource {
    /// The source, borrowed for as long as `self` is.
    fn as_source(&self) -> SourceRef<'_>;
}

/// A source borrowed from the object that owns it (`'a`): it can be
/// registered and asked for its readiness, never updated or closed.
///
/// ```
/// use vepoll::{AsSource, Interest, Source};
/// let src = Source::new(Interest::OUT)?;
/// let r = src.as_source();
/// assert_eq!(r.ready(), Interest::OUT);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct SourceRef<'a> {
    raw: NonNull<sys::vepoll_source_t>,
    _owner: PhantomData<&'a ()>,
}

// SAFETY: a SourceRef only reads readiness (vepoll_source_ready) and is
// passed to vepoll_ctl, both allowed from any thread at any time while the
// source lives (src/core/source.h, "Concurrency contract"), which 'a ensures.
unsafe impl Send for SourceRef<'_> {}
unsafe impl Sync for SourceRef<'_> {}

impl<'a> SourceRef<'a> {
    /// Wraps a raw source.
    ///
    /// # Safety
    /// `raw` must stay valid (not closed, its owner not closed) for `'a`.
    ///
    /// ```
    /// use std::ptr::NonNull;
    /// use vepoll::{Interest, Source, SourceRef};
    /// let src = Source::new(Interest::IN)?;
    /// // SAFETY: `src` is open, and outlives `r`.
    /// let r = unsafe { SourceRef::from_raw(NonNull::new(src.as_raw()).unwrap()) };
    /// assert_eq!(r.ready(), Interest::IN);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[inline]
    pub unsafe fn from_raw(raw: NonNull<sys::vepoll_source_t>) -> SourceRef<'a> {
        SourceRef { raw, _owner: PhantomData }
    }

    /// Current readiness (for an [`Epoll`](crate::Epoll): `IN | RDNORM`
    /// while a wait would return something, computed now).
    ///
    /// ```
    /// use vepoll::{AsSource, Epoll, Interest};
    /// let ep = Epoll::new()?;
    /// assert_eq!(ep.as_source().ready(), Interest::empty());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[inline]
    pub fn ready(self) -> Interest {
        // SAFETY: valid for 'a (from_raw's contract).
        Interest::from_bits(unsafe { sys::vepoll_source_ready(self.raw.as_ptr()) })
    }

    /// The raw pointer, for `vepoll_sys` calls.
    ///
    /// ```
    /// use vepoll::{AsSource, Interest, Source};
    /// let src = Source::new(Interest::empty())?;
    /// assert_eq!(src.as_source().as_raw(), src.as_raw());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[inline]
    pub fn as_raw(self) -> *mut sys::vepoll_source_t {
        self.raw.as_ptr()
    }
}

impl AsSource for SourceRef<'_> {
    #[inline]
    fn as_source(&self) -> SourceRef<'_> {
        *self
    }
}

impl<T: AsSource + ?Sized> AsSource for &T {
    #[inline]
    fn as_source(&self) -> SourceRef<'_> {
        (**self).as_source()
    }
}

impl<T: AsSource + ?Sized> AsSource for Box<T> {
    #[inline]
    fn as_source(&self) -> SourceRef<'_> {
        (**self).as_source()
    }
}

impl<T: AsSource + ?Sized> AsSource for std::sync::Arc<T> {
    #[inline]
    fn as_source(&self) -> SourceRef<'_> {
        (**self).as_source()
    }
}

/// A pollable object of the runtime's own (a pipe end, a socket, a timer
/// ...): its readiness, and the producer hook that changes it.
///
/// Dropping it is the object's final close (`vepoll_source_close`): every
/// registration of it, in every instance, is removed, and no wait reports
/// it afterwards.
///
/// `Send + Sync`: [`update`](Source::update) and [`ready`](Source::ready)
/// may run on any thread, concurrently with every call but the close
/// (src/core/source.h: producers walk the watchers without a lock and
/// retire nodes after a grace period; docs/API.md, `vepoll_source_update`);
/// the close needs the owned value, so no update can overlap it.
///
/// ```
/// use std::time::Duration;
/// use vepoll::{Epoll, Event, Interest, Source};
///
/// let ep = Epoll::new()?;
/// let src = Source::new(Interest::empty())?;
/// ep.add(&src, 7, Interest::IN | Interest::ET, 7)?;
/// std::thread::scope(|s| {
///     s.spawn(|| src.update(Interest::IN | Interest::RDNORM, Interest::empty()));
/// });
/// let mut events = [Event::default(); 8];
/// assert_eq!(ep.wait(&mut events, Some(Duration::from_secs(5)))?, 1);
/// assert_eq!(events[0].data(), 7);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct Source {
    raw: NonNull<sys::vepoll_source_t>,
}

// SAFETY: see the type's documentation.
unsafe impl Send for Source {}
unsafe impl Sync for Source {}

impl Source {
    /// A new source whose readiness is `initial`.
    ///
    /// ```
    /// use vepoll::{Interest, Source};
    /// let w = Source::new(Interest::OUT | Interest::WRNORM)?; // a new pipe's write end
    /// assert!(w.ready().contains(Interest::OUT));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new(initial: Interest) -> io::Result<Source> {
        // SAFETY: a valid out pointer.
        Ok(Source { raw: create(|out| unsafe { sys::vepoll_source_create(out, initial.bits()) })? })
    }

    /// The producer hook: readiness becomes `(old - clear) | set`, and every
    /// bit of `set` is an event for each registration that asks for it
    /// (even a bit that was already set: "every write wakes", S039).  Bits
    /// only cleared wake nobody.  Lock-free and allocation-free.
    ///
    /// ```
    /// use vepoll::{Interest, Source};
    /// let r = Source::new(Interest::empty())?;
    /// r.update(Interest::IN | Interest::RDNORM, Interest::empty()); // data written
    /// r.update(Interest::empty(), Interest::IN | Interest::RDNORM); // drained
    /// assert!(r.ready().is_empty());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[inline]
    pub fn update(&self, set: Interest, clear: Interest) {
        // SAFETY: the source is open (we own it) and no close can overlap.
        unsafe { sys::vepoll_source_update(self.raw.as_ptr(), set.bits(), clear.bits()) }
    }

    /// Current readiness.
    ///
    /// ```
    /// use vepoll::{Interest, Source};
    /// assert_eq!(Source::new(Interest::HUP)?.ready(), Interest::HUP);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[inline]
    pub fn ready(&self) -> Interest {
        // SAFETY: the source is open.
        Interest::from_bits(unsafe { sys::vepoll_source_ready(self.raw.as_ptr()) })
    }

    /// The raw pointer, for `vepoll_sys` calls (never for
    /// `vepoll_source_close`: dropping the `Source` does that).
    ///
    /// ```
    /// use vepoll::{Interest, Source};
    /// let s = Source::new(Interest::IN)?;
    /// // SAFETY: an open source, which `s` keeps open.
    /// assert_eq!(unsafe { vepoll_sys::vepoll_source_ready(s.as_raw()) }, Interest::IN.bits());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[inline]
    pub fn as_raw(&self) -> *mut sys::vepoll_source_t {
        self.raw.as_ptr()
    }
}

impl AsSource for Source {
    #[inline]
    fn as_source(&self) -> SourceRef<'_> {
        // SAFETY: valid while self is borrowed.
        unsafe { SourceRef::from_raw(self.raw) }
    }
}

impl Drop for Source {
    fn drop(&mut self) {
        // SAFETY: we own it; nothing else can be using it (no borrow left).
        unsafe { sys::vepoll_source_close(self.raw.as_ptr()) }
    }
}
