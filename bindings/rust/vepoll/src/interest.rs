//! `Interest`: a set of Linux epoll bits.
use vepoll_sys as sys;

use crate::flags::flag_set;

flag_set! {
    /// A set of epoll bits, with Linux's values: what a registration asks for
    /// (kinds plus the flags `ET`, `ONESHOT`, `EXCLUSIVE`, `WAKEUP`), what a
    /// source is ready for, and what an [`Event`](crate::Event) reports.
    ///
    /// `ERR` and `HUP` are reported whether asked for or not; bits vepoll does
    /// not know are accepted and never reported (docs/API.md, `vepoll_ctl`).
    ///
    /// ```
    /// use vepoll::Interest;
    /// let i = Interest::IN | Interest::ET;
    /// assert!(i.contains(Interest::IN));
    /// assert!(!i.contains(Interest::OUT));
    /// assert_eq!(i.bits(), 0x8000_0001);
    /// assert_eq!(format!("{:?}", i), "Interest(IN | ET)");
    /// ```
    pub struct Interest(u32), examples(IN, OUT);
    /// Readable (`EPOLLIN`).
    IN = sys::VEPOLL_IN;
    /// Priority data (`EPOLLPRI`).
    PRI = sys::VEPOLL_PRI;
    /// Writable (`EPOLLOUT`).
    OUT = sys::VEPOLL_OUT;
    /// Error (`EPOLLERR`), always reported.
    ERR = sys::VEPOLL_ERR;
    /// Hang-up (`EPOLLHUP`), always reported.
    HUP = sys::VEPOLL_HUP;
    /// Normal data readable (`EPOLLRDNORM`).
    RDNORM = sys::VEPOLL_RDNORM;
    /// Priority band readable (`EPOLLRDBAND`).
    RDBAND = sys::VEPOLL_RDBAND;
    /// Normal data writable (`EPOLLWRNORM`).
    WRNORM = sys::VEPOLL_WRNORM;
    /// Priority band writable (`EPOLLWRBAND`).
    WRBAND = sys::VEPOLL_WRBAND;
    /// `EPOLLMSG`.
    MSG = sys::VEPOLL_MSG;
    /// The peer shut down writing (`EPOLLRDHUP`).
    RDHUP = sys::VEPOLL_RDHUP;
    /// Flag: wake one exclusive instance per event (`EPOLLEXCLUSIVE`, add only).
    EXCLUSIVE = sys::VEPOLL_EXCLUSIVE;
    /// Flag: accepted and ignored (`EPOLLWAKEUP`).
    WAKEUP = sys::VEPOLL_WAKEUP;
    /// Flag: disarm after one report until [`modify`](crate::Epoll::modify) (`EPOLLONESHOT`).
    ONESHOT = sys::VEPOLL_ONESHOT;
    /// Flag: edge-triggered (`EPOLLET`).
    ET = sys::VEPOLL_ET;
}
