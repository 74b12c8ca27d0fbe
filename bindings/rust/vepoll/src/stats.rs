//! [`Stats`] and the process-wide settings.
use vepoll_sys as sys;

/// The four counters Wasmer keeps for its epoll, per instance
/// ([`Epoll::stats`](crate::Epoll::stats)) or process-wide
/// ([`Stats::global`]).  Counted without locked instructions: exact when
/// one instance's producers do not race, possibly slightly low when they do.
///
/// ```
/// let s = vepoll::Stats::global();
/// assert!(s.enqueue_attempts >= s.dedupe_hits);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Hook calls that tried to queue a registration.
    pub enqueue_attempts: u64,
    /// ... that found it already queued or the bit pending.
    pub dedupe_hits: u64,
    /// Queue entries dropped because delete or close made them stale.
    pub stale_generation_drops: u64,
    /// Queue entries that had nothing to report at harvest.
    pub empty_dequeues: u64,
}

impl Stats {
    /// Totals over every instance of the process, closed ones included.
    ///
    /// ```
    /// use vepoll::{Epoll, Interest, Source, Stats};
    /// let before = Stats::global();
    /// let ep = Epoll::new()?;
    /// let s = Source::new(Interest::empty())?;
    /// ep.add(&s, 1, Interest::IN, 1)?;
    /// s.update(Interest::IN, Interest::empty());
    /// assert!(Stats::global().enqueue_attempts > before.enqueue_attempts);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn global() -> Stats {
        let mut out = sys::vepoll_stats::default();
        // SAFETY: valid out pointer; NULL asks for the totals; cannot fail.
        unsafe { sys::vepoll_get_stats(std::ptr::null(), &mut out) };
        out.into()
    }
}

impl From<sys::vepoll_stats> for Stats {
    fn from(s: sys::vepoll_stats) -> Stats {
        Stats {
            enqueue_attempts: s.enqueue_attempts,
            dedupe_hits: s.dedupe_hits,
            stale_generation_drops: s.stale_generation_drops,
            empty_dequeues: s.empty_dequeues,
        }
    }
}

/// The process-wide limit on registrations (Linux's `max_user_watches`):
/// an [`add`](crate::Epoll::add) beyond it fails with `ENOSPC`.  0 (the
/// default) means no limit; lowering it below the current count only
/// blocks new adds.
///
/// ```
/// use vepoll::{Epoll, Interest, Source};
/// vepoll::set_max_watches(1);
/// let ep = Epoll::new()?;
/// let (a, b) = (Source::new(Interest::empty())?, Source::new(Interest::empty())?);
/// ep.add(&a, 1, Interest::IN, 1)?;
/// assert_eq!(ep.add(&b, 2, Interest::IN, 2).unwrap_err().raw_os_error(), Some(28)); // ENOSPC
/// vepoll::set_max_watches(0);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn set_max_watches(max: u64) {
    // SAFETY: a plain process-wide setting.
    unsafe { sys::vepoll_set_max_watches(max) }
}
