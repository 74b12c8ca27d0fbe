//! The ready-made pipe: [`pipe`], [`PipeReader`], [`PipeWriter`].
use std::ffi::c_void;
use std::io;
use std::time::Duration;

use vepoll_sys as sys;

use crate::create;
use crate::objects::{handle_common, impl_read, impl_write, End, Kind, WriteKind};

pub(crate) enum PipeKind {}

impl Kind for PipeKind {
    type Raw = sys::vepoll_pipe_t;
    unsafe fn source(raw: *mut Self::Raw, end: i32) -> *mut sys::vepoll_source_t {
        // SAFETY: forwarded; End passes an open object.
        unsafe { sys::vepoll_pipe_source(raw, end) }
    }
    unsafe fn read(raw: *mut Self::Raw, _: i32, buf: *mut c_void, len: usize, t: i64) -> isize {
        // SAFETY: forwarded; End passes an open object and a buffer of len bytes.
        unsafe { sys::vepoll_pipe_read(raw, buf, len, t) }
    }
    unsafe fn close(raw: *mut Self::Raw, end: i32) -> i32 {
        // SAFETY: forwarded; End closes each end once, with no call left on it.
        unsafe { sys::vepoll_pipe_close(raw, end) }
    }
}

impl WriteKind for PipeKind {
    unsafe fn write(raw: *mut Self::Raw, _: i32, buf: *const c_void, len: usize, t: i64) -> isize {
        // SAFETY: forwarded; End passes an open object and a buffer of len bytes.
        unsafe { sys::vepoll_pipe_write(raw, buf, len, t) }
    }
}

/// A new pipe of 65536 bytes (`pipe2(fds, 0)`): its read and write ends.
///
/// Linux's rules (include/vepoll_objects.h, docs/OBJECTS.md): the read end
/// is `IN | RDNORM`-ready while there is data and `HUP` once the write end
/// is dropped (reads then return 0 at the end of the data); the write end
/// is `OUT | WRNORM`-ready while a 4 KiB slot is free and `ERR` once the
/// read end is dropped (writes then fail with `EPIPE`, `BrokenPipe`).
/// Writes of at most 4096 bytes are atomic; every write is a new `IN`
/// event for edge-triggered watchers.
///
/// ```
/// use std::io::{Read, Write};
/// let (mut rd, mut wr) = vepoll::pipe()?;
/// wr.write_all(b"abc")?;
/// drop(wr);
/// let mut s = String::new();
/// rd.read_to_string(&mut s)?;
/// assert_eq!(s, "abc");
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn pipe() -> io::Result<(PipeReader, PipeWriter)> {
    pipe_with_capacity(0)
}

/// A new pipe of `capacity` bytes, rounded up as `F_SETPIPE_SZ` does (a
/// power of two of 4 KiB slots; 0 means 65536; more than 1 GiB is
/// `EINVAL`).
///
/// ```
/// let (rd, _wr) = vepoll::pipe_with_capacity(5000)?;
/// assert_eq!(rd.capacity(), 8192);
/// assert_eq!(vepoll::pipe_with_capacity(2 << 30).unwrap_err().raw_os_error(), Some(22)); // EINVAL
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn pipe_with_capacity(capacity: usize) -> io::Result<(PipeReader, PipeWriter)> {
    // SAFETY: a valid out pointer.
    let raw = create(|out| unsafe { sys::vepoll_pipe_create(out, capacity, 0) })?;
    // SAFETY: a new pipe; each end is owned by one handle.
    unsafe {
        Ok((
            PipeReader(End::new(raw, sys::VEPOLL_PIPE_READ)),
            PipeWriter(End::new(raw, sys::VEPOLL_PIPE_WRITE)),
        ))
    }
}

/// The read end of a [`pipe`]: [`Read`](std::io::Read) (also on `&PipeReader`,
/// so several threads can read), and a source to register.  Dropping it
/// closes the read end.
///
/// ```
/// use std::io::Read;
/// use vepoll::{AsSource, Interest};
/// let (rd, wr) = vepoll::pipe()?;
/// assert!(rd.as_source().ready().is_empty());
/// drop(wr);
/// assert!(rd.as_source().ready().contains(Interest::HUP));
/// assert_eq!((&rd).read(&mut [0; 8])?, 0); // end of file
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct PipeReader(End<PipeKind>);

/// The write end of a [`pipe`]: [`Write`](std::io::Write) (also on
/// `&PipeWriter`), and a source to register.  Dropping it closes the
/// write end.
///
/// ```
/// use std::io::Write;
/// use vepoll::{AsSource, Interest};
/// let (rd, wr) = vepoll::pipe()?;
/// assert!(wr.as_source().ready().contains(Interest::OUT));
/// drop(rd);
/// assert_eq!((&wr).write(b"x").unwrap_err().kind(), std::io::ErrorKind::BrokenPipe);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct PipeWriter(End<PipeKind>);

impl PipeReader {
    /// Reads with a timeout: `Some(Duration::ZERO)` never blocks
    /// (`WouldBlock`), `None` blocks until there is data or the write end
    /// is closed (then `Ok(0)`), otherwise gives up with `WouldBlock` after
    /// at least `timeout`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let (rd, _wr) = vepoll::pipe()?;
    /// let e = rd.read_timeout(&mut [0; 4], Some(Duration::from_millis(1))).unwrap_err();
    /// assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn read_timeout(&self, buf: &mut [u8], timeout: Option<Duration>) -> io::Result<usize> {
        self.0.read(buf, timeout)
    }
}

impl PipeWriter {
    /// Writes with a timeout: `Some(Duration::ZERO)` never blocks
    /// (`WouldBlock` when full), `None` blocks until everything is written,
    /// otherwise returns after at least `timeout` with the count written
    /// (or `WouldBlock` if none).
    ///
    /// ```
    /// use std::time::Duration;
    /// let (_rd, wr) = vepoll::pipe_with_capacity(4096)?;
    /// assert_eq!(wr.write_timeout(&[0; 4096], Some(Duration::ZERO))?, 4096);
    /// let e = wr.write_timeout(b"more", Some(Duration::ZERO)).unwrap_err();
    /// assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn write_timeout(&self, buf: &[u8], timeout: Option<Duration>) -> io::Result<usize> {
        self.0.write(buf, timeout)
    }
}

/// What both ends have: pending, capacity, as_raw; `$make` is doc-test
/// code that binds the end to `x` and the other end to `_other`.
macro_rules! pipe_end {
    ($t:ident, $make:expr) => {
        impl $t {
            #[doc = concat!("Bytes buffered in the pipe (`FIONREAD`).\n\n```\n", $make,
                "\nassert_eq!(x.pending(), 0);\n# Ok::<(), std::io::Error>(())\n```")]
            pub fn pending(&self) -> usize {
                // SAFETY: the pipe is open while this end is.
                unsafe { sys::vepoll_pipe_pending(self.0.raw()) }
            }

            #[doc = concat!("Capacity in bytes after rounding (`F_GETPIPE_SZ`).\n\n```\n",
                $make, "\nassert_eq!(x.capacity(), 65536);\n# Ok::<(), std::io::Error>(())\n```")]
            pub fn capacity(&self) -> usize {
                // SAFETY: the pipe is open while this end is.
                unsafe { sys::vepoll_pipe_capacity(self.0.raw()) }
            }

            #[doc = concat!("The raw pipe, for `vepoll_sys` calls (never its close).\n\n```\n",
                $make, "\nassert_eq!(unsafe { vepoll_sys::vepoll_pipe_capacity(x.as_raw()) }, 65536);",
                "\n# Ok::<(), std::io::Error>(())\n```")]
            pub fn as_raw(&self) -> *mut sys::vepoll_pipe_t {
                self.0.raw()
            }
        }

        handle_common!($t, $make);
    };
}

pipe_end!(PipeReader, "let (x, _other) = vepoll::pipe()?;");
pipe_end!(PipeWriter, "let (_other, x) = vepoll::pipe()?;");
impl_read!(PipeReader);
impl_write!(PipeWriter);
