//! The one macro behind every bit-set type of the crate ([`Interest`],
//! [`MsgFlags`], [`TimerFlags`]), so they all have the same methods,
//! operators and `Debug` form.
//!
//! [`Interest`]: crate::Interest
//! [`MsgFlags`]: crate::MsgFlags
//! [`TimerFlags`]: crate::TimerFlags

/// Defines `$t`, a tuple struct around a `$bits` integer (with the
/// attributes and docs given), its named constants, methods, operators and
/// `Debug`.  `$a` and `$b` are two distinct constants the generated doc
/// examples use.
macro_rules! flag_set {
    (
        $(#[$tmeta:meta])*
        pub struct $t:ident($bits:ty), examples($a:ident, $b:ident);
        $( $(#[$doc:meta])* $name:ident = $value:expr; )*
    ) => {
        $(#[$tmeta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct $t($bits);

        impl $t {
            $( $(#[$doc])* pub const $name: $t = $t($value); )*

            /// The named bits, for `Debug`.
            const NAMES: &'static [(&'static str, $bits)] = &[$((stringify!($name), $value)),*];

            #[doc = concat!("The empty set.\n\n```\nassert!(vepoll::", stringify!($t),
                "::empty().is_empty());\n```")]
            #[inline]
            pub const fn empty() -> $t {
                $t(0)
            }

            #[doc = concat!("The set with exactly these bits (unknown bits are kept, and ",
                "left to the C library to accept or refuse).\n\n```\nuse vepoll::",
                stringify!($t), ";\nlet bits = ", stringify!($t), "::", stringify!($a),
                ".bits() | ", stringify!($t), "::", stringify!($b), ".bits();\nassert_eq!(",
                stringify!($t), "::from_bits(bits), ", stringify!($t), "::", stringify!($a),
                " | ", stringify!($t), "::", stringify!($b), ");\n```")]
            #[inline]
            pub const fn from_bits(bits: $bits) -> $t {
                $t(bits)
            }

            #[doc = concat!("The bits, with Linux's values.\n\n```\nuse vepoll::",
                stringify!($t), ";\nassert_eq!(", stringify!($t), "::from_bits(", stringify!($t),
                "::", stringify!($a), ".bits()), ", stringify!($t), "::", stringify!($a),
                ");\n```")]
            #[inline]
            pub const fn bits(self) -> $bits {
                self.0
            }

            #[doc = concat!("No bit set.\n\n```\nassert!(!vepoll::", stringify!($t), "::",
                stringify!($a), ".is_empty());\n```")]
            #[inline]
            pub const fn is_empty(self) -> bool {
                self.0 == 0
            }

            #[doc = concat!("Every bit of `other` is set in `self`.\n\n```\nuse vepoll::",
                stringify!($t), ";\nassert!((", stringify!($t), "::", stringify!($a), " | ",
                stringify!($t), "::", stringify!($b), ").contains(", stringify!($t), "::",
                stringify!($a), "));\nassert!(!", stringify!($t), "::", stringify!($a),
                ".contains(", stringify!($t), "::", stringify!($b), "));\n```")]
            #[inline]
            pub const fn contains(self, other: $t) -> bool {
                self.0 & other.0 == other.0
            }

            #[doc = concat!("Some bit of `other` is set in `self`.\n\n```\nuse vepoll::",
                stringify!($t), ";\nassert!(", stringify!($t), "::", stringify!($a),
                ".intersects(", stringify!($t), "::", stringify!($a), " | ", stringify!($t),
                "::", stringify!($b), "));\n```")]
            #[inline]
            pub const fn intersects(self, other: $t) -> bool {
                self.0 & other.0 != 0
            }
        }

        impl std::ops::BitOr for $t {
            type Output = $t;
            #[inline]
            fn bitor(self, rhs: $t) -> $t {
                $t(self.0 | rhs.0)
            }
        }

        impl std::ops::BitOrAssign for $t {
            #[inline]
            fn bitor_assign(&mut self, rhs: $t) {
                self.0 |= rhs.0;
            }
        }

        impl std::ops::BitAnd for $t {
            type Output = $t;
            #[inline]
            fn bitand(self, rhs: $t) -> $t {
                $t(self.0 & rhs.0)
            }
        }

        impl std::ops::BitAndAssign for $t {
            #[inline]
            fn bitand_assign(&mut self, rhs: $t) {
                self.0 &= rhs.0;
            }
        }

        impl std::ops::Sub for $t {
            type Output = $t;
            #[inline]
            fn sub(self, rhs: $t) -> $t {
                $t(self.0 & !rhs.0)
            }
        }

        impl std::ops::SubAssign for $t {
            #[inline]
            fn sub_assign(&mut self, rhs: $t) {
                self.0 &= !rhs.0;
            }
        }

        impl std::ops::Not for $t {
            type Output = $t;
            #[inline]
            fn not(self) -> $t {
                $t(!self.0)
            }
        }

        #[doc = concat!("`", stringify!($t), "(", stringify!($a), " | ", stringify!($b),
            ")`; unknown bits in hex.")]
        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                let mut rest = self.0;
                let mut parts = Vec::new();
                for &(name, bit) in $t::NAMES {
                    if rest & bit != 0 {
                        parts.push(name.to_string());
                        rest &= !bit;
                    }
                }
                if rest != 0 {
                    parts.push(format!("{:#x}", rest));
                }
                write!(f, concat!(stringify!($t), "({})"), parts.join(" | "))
            }
        }
    };
}

pub(crate) use flag_set;
