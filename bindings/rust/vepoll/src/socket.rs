//! The ready-made stream socket pair: [`socket_pair`], [`Socket`].
use std::ffi::c_void;
use std::io;
use std::net::Shutdown;
use std::ptr::{self, NonNull};
use std::time::Duration;

use vepoll_sys as sys;

use crate::cvt;
use crate::objects::{handle_common, impl_read, impl_write, End, Kind};

pub(crate) enum SocketKind {}

impl Kind for SocketKind {
    type Raw = sys::vepoll_socketpair_t;
    unsafe fn source(raw: *mut Self::Raw, end: i32) -> *mut sys::vepoll_source_t {
        unsafe { sys::vepoll_socketpair_source(raw, end) }
    }
    unsafe fn read(raw: *mut Self::Raw, end: i32, buf: *mut c_void, len: usize, t: i64) -> isize {
        unsafe { sys::vepoll_socketpair_read(raw, end, buf, len, t) }
    }
    unsafe fn write(
        raw: *mut Self::Raw,
        end: i32,
        buf: *const c_void,
        len: usize,
        t: i64,
    ) -> isize {
        unsafe { sys::vepoll_socketpair_write(raw, end, buf, len, t) }
    }
    unsafe fn close(raw: *mut Self::Raw, end: i32) -> i32 {
        unsafe { sys::vepoll_socketpair_close(raw, end) }
    }
}

/// A connected pair of stream sockets with 65536 bytes of buffer per
/// direction (`socketpair(AF_UNIX, SOCK_STREAM, 0)`).
///
/// Linux's `AF_UNIX` rules (include/vepoll_objects.h, S107-S115): an end is
/// `IN | RDNORM`-ready while data is queued for it, and also, with `RDHUP`,
/// once it cannot receive more (peer shut down writing or dropped);
/// `OUT | WRNORM | WRBAND` while the peer has room; `HUP` when both
/// directions are shut; `ERR` when the peer was dropped with unread data
/// (the next read then fails once with `ECONNRESET`).
///
/// ```
/// use std::io::{Read, Write};
/// let (mut a, mut b) = vepoll::socket_pair()?;
/// a.write_all(b"ping")?;
/// let mut buf = [0; 4];
/// b.read_exact(&mut buf)?;
/// b.write_all(&buf)?;
/// a.read_exact(&mut buf)?;
/// assert_eq!(&buf, b"ping");
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn socket_pair() -> io::Result<(Socket, Socket)> {
    socket_pair_with_capacity(0)
}

/// A socket pair with `capacity` bytes of buffer per direction (0 means
/// 65536; more than 1 GiB is `EINVAL`).
///
/// ```
/// use std::time::Duration;
/// let (a, _b) = vepoll::socket_pair_with_capacity(16)?;
/// assert_eq!(a.write_timeout(&[1; 64], Some(Duration::ZERO))?, 16);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn socket_pair_with_capacity(capacity: usize) -> io::Result<(Socket, Socket)> {
    let mut raw = ptr::null_mut();
    // SAFETY: raw is a valid out pointer.
    cvt(unsafe { sys::vepoll_socketpair_create(&mut raw, capacity, 0) })?;
    let raw = NonNull::new(raw).expect("vepoll_socketpair_create returned NULL");
    // SAFETY: a new pair; each end is owned by one handle.
    unsafe { Ok((Socket(End::new(raw, 0)), Socket(End::new(raw, 1)))) }
}

/// One end of a [`socket_pair`]: [`Read`](std::io::Read) and
/// [`Write`](std::io::Write) (also on `&Socket`), [`shutdown`](Socket::shutdown),
/// and a source to register.  Dropping it closes this end.
///
/// ```
/// use std::io::Read;
/// use vepoll::{AsSource, Interest};
/// let (a, b) = vepoll::socket_pair()?;
/// drop(b);
/// assert!(a.as_source().ready().contains(Interest::RDHUP));
/// assert_eq!((&a).read(&mut [0; 4])?, 0);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Socket(End<SocketKind>);

impl Socket {
    /// Reads with a timeout: `Some(Duration::ZERO)` never blocks
    /// (`WouldBlock`), `None` blocks until data or end of stream (`Ok(0)`).
    ///
    /// ```
    /// use std::time::Duration;
    /// let (a, _b) = vepoll::socket_pair()?;
    /// let e = a.read_timeout(&mut [0; 4], Some(Duration::ZERO)).unwrap_err();
    /// assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn read_timeout(&self, buf: &mut [u8], timeout: Option<Duration>) -> io::Result<usize> {
        self.0.read(buf, timeout)
    }

    /// Writes to the peer with a timeout (as [`PipeWriter::write_timeout`](crate::PipeWriter::write_timeout));
    /// `EPIPE` after this end's `Write` shutdown, the peer's `Read`
    /// shutdown, or the peer's drop.
    ///
    /// ```
    /// use std::net::Shutdown;
    /// let (a, _b) = vepoll::socket_pair()?;
    /// a.shutdown(Shutdown::Write)?;
    /// let e = a.write_timeout(b"x", None).unwrap_err();
    /// assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn write_timeout(&self, buf: &[u8], timeout: Option<Duration>) -> io::Result<usize> {
        self.0.write(buf, timeout)
    }

    /// Bytes queued for this end to read (`FIONREAD`).
    ///
    /// ```
    /// use std::io::Write;
    /// let (mut a, b) = vepoll::socket_pair()?;
    /// a.write_all(b"abc")?;
    /// assert_eq!((a.pending(), b.pending()), (0, 3));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn pending(&self) -> usize {
        // SAFETY: the pair is open while this end is.
        unsafe { sys::vepoll_socketpair_pending(self.0.raw(), self.0.end()) }
    }

    /// Shuts down receiving, sending or both (`shutdown(2)`); may be
    /// repeated (and, as on Linux, wakes both ends again).
    ///
    /// ```
    /// use std::net::Shutdown;
    /// use vepoll::{AsSource, Interest};
    /// let (a, b) = vepoll::socket_pair()?;
    /// a.shutdown(Shutdown::Write)?;
    /// assert!(b.as_source().ready().contains(Interest::IN | Interest::RDHUP));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        let how = match how {
            Shutdown::Read => sys::VEPOLL_SHUT_RD,
            Shutdown::Write => sys::VEPOLL_SHUT_WR,
            Shutdown::Both => sys::VEPOLL_SHUT_RDWR,
        };
        // SAFETY: the pair is open while this end is.
        cvt(unsafe { sys::vepoll_socketpair_shutdown(self.0.raw(), self.0.end(), how) }).map(drop)
    }

    /// The raw pair and this end's number (0 or 1), for `vepoll_sys` calls
    /// (never its close).
    ///
    /// ```
    /// let (a, b) = vepoll::socket_pair()?;
    /// assert_eq!((a.as_raw().1, b.as_raw().1), (0, 1));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn as_raw(&self) -> (*mut sys::vepoll_socketpair_t, i32) {
        (self.0.raw(), self.0.end())
    }
}

handle_common!(Socket, "let (x, _peer) = vepoll::socket_pair()?;");
impl_read!(Socket);
impl_write!(Socket);
