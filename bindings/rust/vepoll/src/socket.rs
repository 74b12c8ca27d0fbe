//! The ready-made stream socket pair: [`socket_pair`], [`Socket`].
use std::ffi::c_void;
use std::io;
use std::net::Shutdown;
use std::time::Duration;

use vepoll_sys as sys;

use crate::flags::flag_set;
use crate::objects::{cvt_len, handle_common, impl_read, impl_write, End, Kind, WriteKind};
use crate::{create, cvt, timeout_ns};

pub(crate) enum SocketKind {}

impl Kind for SocketKind {
    type Raw = sys::vepoll_socketpair_t;
    unsafe fn source(raw: *mut Self::Raw, end: i32) -> *mut sys::vepoll_source_t {
        // SAFETY: forwarded; End passes an open object.
        unsafe { sys::vepoll_socketpair_source(raw, end) }
    }
    unsafe fn read(raw: *mut Self::Raw, end: i32, buf: *mut c_void, len: usize, t: i64) -> isize {
        // SAFETY: forwarded; End passes an open object and a buffer of len bytes.
        unsafe { sys::vepoll_socketpair_read(raw, end, buf, len, t) }
    }
    unsafe fn close(raw: *mut Self::Raw, end: i32) -> i32 {
        // SAFETY: forwarded; End closes each end once, with no call left on it.
        unsafe { sys::vepoll_socketpair_close(raw, end) }
    }
}

impl WriteKind for SocketKind {
    unsafe fn write(
        raw: *mut Self::Raw,
        end: i32,
        buf: *const c_void,
        len: usize,
        t: i64,
    ) -> isize {
        // SAFETY: forwarded; End passes an open object and a buffer of len bytes.
        unsafe { sys::vepoll_socketpair_write(raw, end, buf, len, t) }
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
    // SAFETY: a valid out pointer.
    let raw = create(|out| unsafe { sys::vepoll_socketpair_create(out, capacity, 0) })?;
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

    /// `recv(2)`: reads with [`MsgFlags`], blocking unless
    /// [`set_nonblocking`](Socket::set_nonblocking) or
    /// [`MsgFlags::DONTWAIT`] (then `WouldBlock`).
    ///
    /// [`PEEK`](MsgFlags::PEEK) copies queued bytes without taking them;
    /// [`WAITALL`](MsgFlags::WAITALL) keeps taking until `buf` is full, end of
    /// stream, or an error.  Unlike [`read`](std::io::Read::read), an empty
    /// `buf` is not answered at once: `Ok(0)` when data is queued or at end
    /// of stream, else it blocks (or `WouldBlock`).  Errors: `EINVAL` for
    /// [`OOB`](MsgFlags::OOB) (no out-of-band byte is ever pending) and for
    /// flags `recv` does not know, `ECONNRESET` once after the peer was
    /// dropped with unread data, `EINTR` (`Interrupted`) when the
    /// calling thread's [`Interrupt`](crate::Interrupt) is raised.
    ///
    /// ```
    /// use std::io::Write;
    /// use vepoll::MsgFlags;
    /// let (mut a, b) = vepoll::socket_pair()?;
    /// a.write_all(b"hello")?;
    /// let mut buf = [0; 8];
    /// assert_eq!(b.recv(&mut buf, MsgFlags::PEEK)?, 5);       // still queued
    /// assert_eq!(b.recv(&mut buf[..2], MsgFlags::empty())?, 2);
    /// assert_eq!(&buf[..2], b"he");
    /// assert_eq!(b.pending(), 3);
    /// let e = b.recv(&mut buf, MsgFlags::OOB).unwrap_err();
    /// assert_eq!(e.raw_os_error(), Some(22)); // EINVAL
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn recv(&self, buf: &mut [u8], flags: MsgFlags) -> io::Result<usize> {
        self.recv_timeout(buf, flags, self.0.io_timeout())
    }

    /// [`recv`](Socket::recv) with a timeout (`Some(Duration::ZERO)`: never
    /// block; `None`: block; otherwise give up after at least the timeout,
    /// with `WouldBlock`, or, with [`WAITALL`](MsgFlags::WAITALL), the count
    /// taken so far).
    ///
    /// ```
    /// use std::io::Write;
    /// use std::time::Duration;
    /// use vepoll::MsgFlags;
    /// let (mut a, b) = vepoll::socket_pair()?;
    /// a.write_all(b"abc")?;
    /// let mut buf = [0; 8];
    /// let t = Some(Duration::from_millis(5));
    /// assert_eq!(b.recv_timeout(&mut buf, MsgFlags::WAITALL, t)?, 3); // not 8: timed out
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn recv_timeout(
        &self,
        buf: &mut [u8],
        flags: MsgFlags,
        timeout: Option<Duration>,
    ) -> io::Result<usize> {
        let (ptr, len) = (buf.as_mut_ptr().cast(), buf.len());
        // SAFETY: the pair is open while this end is; a buffer of len bytes.
        self.msg_call(flags, timeout, |s, end, f, t| unsafe {
            sys::vepoll_socketpair_recv(s, end, ptr, len, f, t)
        })
    }

    /// `send(2)`: writes with [`MsgFlags`], blocking unless
    /// [`set_nonblocking`](Socket::set_nonblocking) or
    /// [`MsgFlags::DONTWAIT`].  [`NOSIGNAL`](MsgFlags::NOSIGNAL) and
    /// [`MORE`](MsgFlags::MORE) are accepted and change nothing (no signal
    /// is ever raised: a shut or dropped peer is `EPIPE` either way).
    /// Errors: `EPIPE` (`BrokenPipe`) as [`write_timeout`](Socket::write_timeout),
    /// `EOPNOTSUPP` for [`OOB`](MsgFlags::OOB), `EINVAL` for flags `send`
    /// does not know, `EINTR` (`Interrupted`) when the calling thread's
    /// [`Interrupt`](crate::Interrupt) is raised before a byte moved.
    ///
    /// ```
    /// use vepoll::MsgFlags;
    /// let (a, _b) = vepoll::socket_pair_with_capacity(4)?;
    /// assert_eq!(a.send(b"hello", MsgFlags::DONTWAIT | MsgFlags::NOSIGNAL)?, 4); // room for 4
    /// let e = a.send(b"o", MsgFlags::DONTWAIT).unwrap_err();
    /// assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock);
    /// assert_eq!(a.send(b"o", MsgFlags::OOB).unwrap_err().raw_os_error(), Some(95)); // EOPNOTSUPP
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn send(&self, buf: &[u8], flags: MsgFlags) -> io::Result<usize> {
        self.send_timeout(buf, flags, self.0.io_timeout())
    }

    /// [`send`](Socket::send) with a timeout (as
    /// [`write_timeout`](Socket::write_timeout)).
    ///
    /// ```
    /// use std::time::Duration;
    /// use vepoll::MsgFlags;
    /// let (a, _b) = vepoll::socket_pair_with_capacity(4)?;
    /// assert_eq!(a.send_timeout(b"hello", MsgFlags::empty(), Some(Duration::from_millis(5)))?, 4);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn send_timeout(
        &self,
        buf: &[u8],
        flags: MsgFlags,
        timeout: Option<Duration>,
    ) -> io::Result<usize> {
        let (ptr, len) = (buf.as_ptr().cast(), buf.len());
        // SAFETY: the pair is open while this end is; a buffer of len bytes.
        self.msg_call(flags, timeout, |s, end, f, t| unsafe {
            sys::vepoll_socketpair_send(s, end, ptr, len, f, t)
        })
    }

    /// A recv or send on this end: `call` gets the pair, the end, the flags
    /// and the timeout in C's terms.
    #[inline]
    fn msg_call(
        &self,
        flags: MsgFlags,
        timeout: Option<Duration>,
        call: impl FnOnce(*mut sys::vepoll_socketpair_t, i32, i32, i64) -> isize,
    ) -> io::Result<usize> {
        cvt_len(call(self.0.raw(), self.0.end(), flags.bits(), timeout_ns(timeout)))
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

flag_set! {
    /// The flags of [`Socket::recv`] and [`Socket::send`], with Linux's
    /// `MSG_*` values.  Which call takes which (others are `EINVAL`; Linux
    /// ignores unknown flags, vepoll refuses them):
    ///
    /// | flag | `recv` | `send` |
    /// |---|---|---|
    /// | [`PEEK`](MsgFlags::PEEK) | copy without taking | `EINVAL` |
    /// | [`WAITALL`](MsgFlags::WAITALL) | take until the buffer is full | `EINVAL` |
    /// | [`DONTWAIT`](MsgFlags::DONTWAIT) | this call never blocks | this call never blocks |
    /// | [`NOSIGNAL`](MsgFlags::NOSIGNAL) | accepted | accepted |
    /// | [`MORE`](MsgFlags::MORE) | `EINVAL` | accepted |
    /// | [`OOB`](MsgFlags::OOB) | `EINVAL` | `EOPNOTSUPP` |
    ///
    /// ```
    /// use vepoll::MsgFlags;
    /// let f = MsgFlags::PEEK | MsgFlags::DONTWAIT;
    /// assert_eq!(f.bits(), 0x42);
    /// assert_eq!(format!("{:?}", f), "MsgFlags(PEEK | DONTWAIT)");
    /// ```
    pub struct MsgFlags(i32), examples(PEEK, DONTWAIT);
    /// `MSG_OOB`: out-of-band data (none is ever pending).
    OOB = sys::VEPOLL_MSG_OOB;
    /// `MSG_PEEK`: copy queued bytes without taking them (no space is
    /// freed, no writer is woken).
    PEEK = sys::VEPOLL_MSG_PEEK;
    /// `MSG_DONTWAIT`: this call never blocks (`WouldBlock`).
    DONTWAIT = sys::VEPOLL_MSG_DONTWAIT;
    /// `MSG_WAITALL`: take until the buffer is full, end of stream, an
    /// error or the timeout; with `PEEK`, wait only while nothing is queued.
    WAITALL = sys::VEPOLL_MSG_WAITALL;
    /// `MSG_NOSIGNAL`: accepted (the library raises no signal).
    NOSIGNAL = sys::VEPOLL_MSG_NOSIGNAL;
    /// `MSG_MORE`: accepted by `send` and ignored, as Linux does on unix streams.
    MORE = sys::VEPOLL_MSG_MORE;
}
