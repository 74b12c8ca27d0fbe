//! `Interest`: a set of Linux epoll bits.
use std::fmt;
use std::ops::{BitAnd, BitAndAssign, BitOr, BitOrAssign, Not, Sub, SubAssign};

use vepoll_sys as sys;

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
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Interest(u32);

macro_rules! bits {
    ($($(#[$doc:meta])* $name:ident = $value:expr;)*) => {
        impl Interest {
            $( $(#[$doc])* pub const $name: Interest = Interest($value); )*
        }
        const NAMES: &[(&str, u32)] = &[$((stringify!($name), $value)),*];
    };
}

bits! {
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

impl Interest {
    /// The empty set.
    ///
    /// ```
    /// assert!(vepoll::Interest::empty().is_empty());
    /// ```
    #[inline]
    pub const fn empty() -> Interest {
        Interest(0)
    }

    /// The set with exactly these bits (unknown bits are kept).
    ///
    /// ```
    /// use vepoll::Interest;
    /// assert_eq!(Interest::from_bits(0x5), Interest::IN | Interest::OUT);
    /// ```
    #[inline]
    pub const fn from_bits(bits: u32) -> Interest {
        Interest(bits)
    }

    /// The bits.
    ///
    /// ```
    /// assert_eq!(vepoll::Interest::OUT.bits(), 0x4);
    /// ```
    #[inline]
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// No bit set.
    ///
    /// ```
    /// assert!(!vepoll::Interest::IN.is_empty());
    /// ```
    #[inline]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Every bit of `other` is set in `self`.
    ///
    /// ```
    /// use vepoll::Interest;
    /// assert!((Interest::IN | Interest::RDNORM).contains(Interest::IN));
    /// ```
    #[inline]
    pub const fn contains(self, other: Interest) -> bool {
        self.0 & other.0 == other.0
    }

    /// Some bit of `other` is set in `self`.
    ///
    /// ```
    /// use vepoll::Interest;
    /// assert!(Interest::IN.intersects(Interest::IN | Interest::OUT));
    /// ```
    #[inline]
    pub const fn intersects(self, other: Interest) -> bool {
        self.0 & other.0 != 0
    }
}

impl BitOr for Interest {
    type Output = Interest;
    #[inline]
    fn bitor(self, rhs: Interest) -> Interest {
        Interest(self.0 | rhs.0)
    }
}

impl BitOrAssign for Interest {
    #[inline]
    fn bitor_assign(&mut self, rhs: Interest) {
        self.0 |= rhs.0;
    }
}

impl BitAnd for Interest {
    type Output = Interest;
    #[inline]
    fn bitand(self, rhs: Interest) -> Interest {
        Interest(self.0 & rhs.0)
    }
}

impl BitAndAssign for Interest {
    #[inline]
    fn bitand_assign(&mut self, rhs: Interest) {
        self.0 &= rhs.0;
    }
}

impl Sub for Interest {
    type Output = Interest;
    #[inline]
    fn sub(self, rhs: Interest) -> Interest {
        Interest(self.0 & !rhs.0)
    }
}

impl SubAssign for Interest {
    #[inline]
    fn sub_assign(&mut self, rhs: Interest) {
        self.0 &= !rhs.0;
    }
}

impl Not for Interest {
    type Output = Interest;
    #[inline]
    fn not(self) -> Interest {
        Interest(!self.0)
    }
}

/// `Interest(IN | RDNORM)`; unknown bits in hex.
impl fmt::Debug for Interest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        let mut parts = Vec::new();
        for &(name, bit) in NAMES {
            if rest & bit != 0 {
                parts.push(name.to_string());
                rest &= !bit;
            }
        }
        if rest != 0 {
            parts.push(format!("{:#x}", rest));
        }
        write!(f, "Interest({})", parts.join(" | "))
    }
}
