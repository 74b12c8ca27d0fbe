//! The ready-made eventfd: [`EventFd`].
use std::ffi::c_void;
use std::io;
use std::time::Duration;

use vepoll_sys as sys;

use crate::create;
use crate::objects::{handle_common, impl_read, impl_write, End, Kind, WriteKind};

pub(crate) enum EventFdKind {}

impl Kind for EventFdKind {
    type Raw = sys::vepoll_eventfd_t;
    unsafe fn source(raw: *mut Self::Raw, _: i32) -> *mut sys::vepoll_source_t {
        // SAFETY: forwarded; End passes an open object.
        unsafe { sys::vepoll_eventfd_source(raw) }
    }
    unsafe fn read(raw: *mut Self::Raw, _: i32, buf: *mut c_void, len: usize, t: i64) -> isize {
        // SAFETY: forwarded; End passes an open object and a buffer of len bytes.
        unsafe { sys::vepoll_eventfd_read(raw, buf, len, t) }
    }
    unsafe fn close(raw: *mut Self::Raw, _: i32) -> i32 {
        // SAFETY: forwarded; End closes each end once, with no call left on it.
        unsafe { sys::vepoll_eventfd_close(raw) }
    }
}

impl WriteKind for EventFdKind {
    unsafe fn write(raw: *mut Self::Raw, _: i32, buf: *const c_void, len: usize, t: i64) -> isize {
        // SAFETY: forwarded; End passes an open object and a buffer of len bytes.
        unsafe { sys::vepoll_eventfd_write(raw, buf, len, t) }
    }
}

/// An eventfd: a 64-bit counter with Linux's rules.  A read takes the
/// value and resets it (semaphore mode: takes 1), blocking or
/// `WouldBlock` at 0; a write adds, blocking or `WouldBlock` while the sum
/// would pass `0xffff_ffff_ffff_fffe`.  Ready `IN` while the counter is
/// above 0, `OUT` while a write of 1 could succeed; every write is an `IN`
/// event, every read an `OUT` event.
///
/// [`Read`](std::io::Read) / [`Write`](std::io::Write) move the counter as
/// 8 native-endian bytes, as Linux's `read` / `write` do (a read needs 8
/// bytes of room, a write exactly 8, else `EINVAL`).
///
/// ```
/// let efd = vepoll::EventFd::new(0)?;
/// efd.write_value(2)?;
/// efd.write_value(3)?;
/// assert_eq!(efd.read_value()?, 5);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct EventFd(End<EventFdKind>);

impl EventFd {
    fn create(initval: u64, flags: i32) -> io::Result<EventFd> {
        // SAFETY: a valid out pointer.
        let raw = create(|out| unsafe { sys::vepoll_eventfd_create(out, initval, flags) })?;
        // SAFETY: a new eventfd, owned by the handle.
        Ok(EventFd(unsafe { End::new(raw, 0) }))
    }

    /// A new eventfd whose counter is `initval` (`eventfd(initval, 0)`);
    /// `EINVAL` above `0xffff_ffff_ffff_fffe`.
    ///
    /// ```
    /// use vepoll::{AsSource, EventFd, Interest};
    /// assert!(EventFd::new(1)?.as_source().ready().contains(Interest::IN));
    /// assert_eq!(EventFd::new(u64::MAX).unwrap_err().raw_os_error(), Some(22));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new(initval: u64) -> io::Result<EventFd> {
        EventFd::create(initval, 0)
    }

    /// A new eventfd in semaphore mode (`EFD_SEMAPHORE`): each read takes 1.
    ///
    /// ```
    /// let sem = vepoll::EventFd::new_semaphore(2)?;
    /// assert_eq!(sem.read_value()?, 1);
    /// assert_eq!(sem.read_value()?, 1);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new_semaphore(initval: u64) -> io::Result<EventFd> {
        EventFd::create(initval, sys::VEPOLL_EFD_SEMAPHORE)
    }

    /// Reads the counter, blocking at 0 unless
    /// [`set_nonblocking`](EventFd::set_nonblocking) (then `WouldBlock`).
    ///
    /// ```
    /// let efd = vepoll::EventFd::new(9)?;
    /// assert_eq!(efd.read_value()?, 9);
    /// efd.set_nonblocking(true);
    /// assert_eq!(efd.read_value().unwrap_err().kind(), std::io::ErrorKind::WouldBlock);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn read_value(&self) -> io::Result<u64> {
        self.read_value_timeout(self.0.io_timeout())
    }

    /// Reads the counter with a timeout (`Some(Duration::ZERO)`: never
    /// block; `None`: block until it is above 0).
    ///
    /// ```
    /// use std::time::Duration;
    /// let efd = vepoll::EventFd::new(0)?;
    /// let e = efd.read_value_timeout(Some(Duration::from_millis(1))).unwrap_err();
    /// assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn read_value_timeout(&self, timeout: Option<Duration>) -> io::Result<u64> {
        self.0.read_u64(timeout)
    }

    /// Adds `value` to the counter, blocking while it would pass the
    /// maximum unless non-blocking; `u64::MAX` is `EINVAL`.
    ///
    /// ```
    /// let efd = vepoll::EventFd::new(0)?;
    /// efd.write_value(1)?;
    /// assert_eq!(efd.write_value(u64::MAX).unwrap_err().raw_os_error(), Some(22));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn write_value(&self, value: u64) -> io::Result<()> {
        self.write_value_timeout(value, self.0.io_timeout())
    }

    /// Adds `value` with a timeout (`Some(Duration::ZERO)`: never block).
    ///
    /// ```
    /// use std::time::Duration;
    /// let efd = vepoll::EventFd::new(0xffff_ffff_ffff_fffe)?;
    /// let e = efd.write_value_timeout(1, Some(Duration::ZERO)).unwrap_err();
    /// assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn write_value_timeout(&self, value: u64, timeout: Option<Duration>) -> io::Result<()> {
        self.0.write(&value.to_ne_bytes(), timeout).map(drop)
    }

    /// The raw eventfd, for `vepoll_sys` calls (never its close).
    ///
    /// ```
    /// let efd = vepoll::EventFd::new(0)?;
    /// // SAFETY: an open eventfd, which `efd` keeps open.
    /// assert!(!unsafe { vepoll_sys::vepoll_eventfd_source(efd.as_raw()) }.is_null());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn as_raw(&self) -> *mut sys::vepoll_eventfd_t {
        self.0.raw()
    }
}

handle_common!(EventFd, "let x = vepoll::EventFd::new(0)?;");
impl_read!(EventFd);
impl_write!(EventFd);
