/*
 * Retired registrations (call_rcu style).  A DEL unlinks its registration
 * at once but does not wait for the per-thread readers' grace period
 * (token.h: a membarrier and a scan) when another thread could be inside a
 * section: the DEAD entry joins its instance's retired list, and one grace
 * period frees the whole list once it holds VEPOLL__RETIRE_BATCH entries,
 * or when the instance is closed.  One barrier per batch instead of one per
 * DEL, and at most VEPOLL__RETIRE_BATCH - 1 dead slots waiting per
 * instance (40 bytes each, in its slab).
 *
 * Concurrency contract
 * --------------------
 * - Everything here runs under the instance's token; producers never touch
 *   the list.  A retired entry is DEAD and out of the table (never
 *   reported, never found by its key) and in no queue (its queue link
 *   `qnext` chains the list), so only producers still inside a read-side
 *   section that reached it before its unlink may hold it.
 * - A flush waits for the grace period *before* it reads the list, and the
 *   list changes only under the token, so every entry it frees was
 *   unlinked (and that unlink followed by a full-barrier RMW: the source's
 *   epoch flip) before the grace period began.  An entry added after the
 *   barrier would not be covered: the model's BUG_RETIRE_LATE_ENTRY
 *   (tests/spin/readers.pml, config RETIRE).
 * - The source's counters are not deferred: each unlink drains them under
 *   the source's lock (instance.c), since the source may be freed right
 *   after it.
 * - vepoll_close flushes (its grace period runs even when the list is
 *   empty: it also frees the DEAD entries left in the queue), so every slot
 *   is back when it returns.
 */
#ifndef VEPOLL_RETIRE_H
#define VEPOLL_RETIRE_H

#include "instance.h"
#include "registration.h"

#define VEPOLL__RETIRE_BATCH 64u

/* Under ep's token: r (DEAD, in no queue) joins the retired list; no flush
 * (vepoll_close flushes once for all). */
void vepoll__retire_push(struct vepoll *ep, struct vepoll__reg *r);
/* Under ep's token: wait for a grace period, then free every retired
 * entry. */
void vepoll__retire_flush(struct vepoll *ep);
/* Under ep's token: r (DEAD, in no queue) is freed now if it owes no grace
 * period (registration.h), else retired, and the list flushed when it is
 * full. */
void vepoll__retire_or_free(struct vepoll *ep, struct vepoll__reg *r);

#endif
