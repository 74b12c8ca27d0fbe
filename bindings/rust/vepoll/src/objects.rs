//! What the ready-made objects (pipe, eventfd, socket pair) share: one end
//! of a C object with its source and its blocking mode, the I/O calls with
//! a timeout, and the std::io::Read / Write impls of a handle type and its
//! reference.
use std::ffi::c_void;
use std::io;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use vepoll_sys as sys;

use crate::{timeout_ns, SourceRef};

/// The C calls of one kind of object; `end` is 0 or 1 (ignored by the
/// single-ended eventfd and timerfd).
pub(crate) trait Kind {
    type Raw;
    unsafe fn source(raw: *mut Self::Raw, end: i32) -> *mut sys::vepoll_source_t;
    unsafe fn read(raw: *mut Self::Raw, end: i32, buf: *mut c_void, len: usize, t: i64) -> isize;
    unsafe fn close(raw: *mut Self::Raw, end: i32) -> i32;
}

/// A kind of object that can also be written (all but the timerfd).
pub(crate) trait WriteKind: Kind {
    unsafe fn write(raw: *mut Self::Raw, end: i32, buf: *const c_void, len: usize, t: i64)
        -> isize;
}

/// One end of an object.  The C object stays allocated until every end
/// is closed and every call inside it has returned (vepoll_objects.h), so
/// each end keeps its own copy of the pointer; dropping the end is the
/// final close of that end.
pub(crate) struct End<K: Kind> {
    raw: NonNull<K::Raw>,
    end: i32,
    src: NonNull<sys::vepoll_source_t>,
    /// Linux's O_NONBLOCK is per open file, so per end here: a
    /// non-blocking call is a call with timeout 0 (the C object itself is
    /// always created blocking).
    nonblocking: AtomicBool,
}

// SAFETY: "Every object is thread-safe" (include/vepoll_objects.h): every
// call may run on any thread, concurrently with every other call on any
// end, including the close of the other end; the close of this end runs in
// Drop, when no call on it can be running or start.
unsafe impl<K: Kind> Send for End<K> {}
unsafe impl<K: Kind> Sync for End<K> {}

impl<K: Kind> End<K> {
    /// The end `end` of a freshly created object.
    ///
    /// # Safety
    /// `raw` is an open object whose end `end` is owned by the result.
    pub(crate) unsafe fn new(raw: NonNull<K::Raw>, end: i32) -> End<K> {
        // SAFETY: an open end has a source, valid until its close.
        let src = NonNull::new(unsafe { K::source(raw.as_ptr(), end) })
            .expect("an open end has a source");
        End { raw, end, src, nonblocking: AtomicBool::new(false) }
    }

    #[inline]
    pub(crate) fn raw(&self) -> *mut K::Raw {
        self.raw.as_ptr()
    }

    #[inline]
    pub(crate) fn end(&self) -> i32 {
        self.end
    }

    /// The default timeout of Read / Write: never block, or block.
    #[inline]
    pub(crate) fn io_timeout(&self) -> Option<Duration> {
        if self.nonblocking.load(Ordering::Relaxed) {
            Some(Duration::ZERO)
        } else {
            None
        }
    }

    #[inline]
    pub(crate) fn set_nonblocking(&self, on: bool) {
        self.nonblocking.store(on, Ordering::Relaxed);
    }

    #[inline]
    pub(crate) fn is_nonblocking(&self) -> bool {
        self.nonblocking.load(Ordering::Relaxed)
    }

    #[inline]
    pub(crate) fn source(&self) -> SourceRef<'_> {
        // SAFETY: the end's source lives until the end is closed (Drop).
        unsafe { SourceRef::from_raw(self.src) }
    }

    #[inline]
    pub(crate) fn read(&self, buf: &mut [u8], timeout: Option<Duration>) -> io::Result<usize> {
        // SAFETY: open end, a buffer of buf.len() bytes.
        cvt_len(unsafe {
            K::read(self.raw(), self.end, buf.as_mut_ptr().cast(), buf.len(), timeout_ns(timeout))
        })
    }

    /// Reads one native-endian u64: an eventfd's counter, a timerfd's
    /// expiration count.
    #[inline]
    pub(crate) fn read_u64(&self, timeout: Option<Duration>) -> io::Result<u64> {
        let mut buf = [0u8; 8];
        self.read(&mut buf, timeout)?;
        Ok(u64::from_ne_bytes(buf))
    }
}

impl<K: WriteKind> End<K> {
    #[inline]
    pub(crate) fn write(&self, buf: &[u8], timeout: Option<Duration>) -> io::Result<usize> {
        // SAFETY: open end, a buffer of buf.len() bytes.
        cvt_len(unsafe {
            K::write(self.raw(), self.end, buf.as_ptr().cast(), buf.len(), timeout_ns(timeout))
        })
    }
}

impl<K: Kind> Drop for End<K> {
    fn drop(&mut self) {
        // SAFETY: this end is open and nothing borrows it any more.
        unsafe { K::close(self.raw(), self.end) };
    }
}

/// A byte count, or the io::Error of a negative errno.
#[inline]
pub(crate) fn cvt_len(n: isize) -> io::Result<usize> {
    if n >= 0 {
        Ok(n as usize)
    } else {
        Err(crate::errno_error(n))
    }
}

/// The methods and traits every handle type `$t` (a tuple struct around an
/// `End`) has; `$make` is doc-test code that binds such a handle to `x`.
macro_rules! handle_common {
    ($t:ident, $make:expr) => {
        impl $t {
            #[doc = concat!("Makes this handle's [`Read`](std::io::Read) / ",
                "[`Write`](std::io::Write) calls return `WouldBlock` instead of blocking ",
                "(Linux's `O_NONBLOCK`, per handle); the `_timeout` methods are not affected.\n\n",
                "```\n", $make, "\nx.set_nonblocking(true);\nassert!(x.is_nonblocking());\n",
                "# Ok::<(), std::io::Error>(())\n```")]
            pub fn set_nonblocking(&self, nonblocking: bool) {
                self.0.set_nonblocking(nonblocking)
            }

            #[doc = concat!("Whether [`set_nonblocking`](Self::set_nonblocking) is on ",
                "(off for a new handle).\n\n",
                "```\n", $make, "\nassert!(!x.is_nonblocking());\n",
                "# Ok::<(), std::io::Error>(())\n```")]
            pub fn is_nonblocking(&self) -> bool {
                self.0.is_nonblocking()
            }
        }

        impl crate::AsSource for $t {
            #[inline]
            fn as_source(&self) -> crate::SourceRef<'_> {
                self.0.source()
            }
        }

        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($t))
                    .field("raw", &self.0.raw())
                    .field("end", &self.0.end())
                    .field("nonblocking", &self.0.is_nonblocking())
                    .finish()
            }
        }
    };
}

/// std::io::Read for `$t` and `&$t`: blocking unless set_nonblocking.
macro_rules! impl_read {
    ($t:ident) => {
        impl std::io::Read for $t {
            #[inline]
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                (&*self).read(buf)
            }
        }

        impl std::io::Read for &$t {
            #[inline]
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                self.0.read(buf, self.0.io_timeout())
            }
        }
    };
}

/// std::io::Write for `$t` and `&$t`: blocking unless set_nonblocking;
/// flush does nothing (nothing is buffered on this side).
macro_rules! impl_write {
    ($t:ident) => {
        impl std::io::Write for $t {
            #[inline]
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                (&*self).write(buf)
            }

            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }

        impl std::io::Write for &$t {
            #[inline]
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.write(buf, self.0.io_timeout())
            }

            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
    };
}

pub(crate) use {handle_common, impl_read, impl_write};
