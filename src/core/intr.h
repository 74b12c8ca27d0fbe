/*
 * Per-thread interruption (vepoll_intr_*, include/vepoll.h).
 *
 * Concurrency contract
 * --------------------
 * - One thread is bound to a handle (a thread-local pointer, set by
 *   vepoll_intr_bind).  Only that thread sleeps on its behalf; any thread,
 *   or a signal handler, raises it.
 * - A sleeper publishes the word it sleeps on (`blocked_on`, a park's futex
 *   word) and then reads `pending`; a raiser sets `pending`, counts itself in
 *   `raisers` (full barrier) and then reads `blocked_on`.  Store-load pairs
 *   with a full barrier on both sides: either the sleeper sees the raise and
 *   does not sleep, or the raiser sees the word and moves it (seq + 1, then
 *   FUTEX_WAKE), so a raise racing the entry into a blocking call is never
 *   lost.
 * - The kernel-set leader (kpark.h) sleeps in epoll_wait, not on a word:
 *   it publishes the bell's word tagged with bit 0, and a raise that finds
 *   the tag rings the bell (one write(), async-signal-safe) instead.
 * - The word belongs to an object the sleeper keeps alive while it sleeps
 *   (an instance it holds a reference to, an object whose call is in
 *   progress).  After waking, the sleeper clears `blocked_on` and waits for
 *   `raisers` to drain, so no raiser touches the word after the sleeper has
 *   left; a raiser that counts itself later reads blocked_on == 0.  Raisers
 *   never wait for anything: raise is async-signal-safe.
 * - The handle outlives its binding: destroy refuses (-EBUSY) while bound.
 */
#ifndef VEPOLL_INTR_H
#define VEPOLL_INTR_H

#include <atomic_ops.h>
#include <errno.h>

#include "kwait.h"
#include "order.h"
#include "vepoll.h"

struct vepoll_intr {
    AO_t pending;    /* raised, not cleared */
    AO_t blocked_on; /* unsigned *: the word the bound thread sleeps on */
    AO_t raisers;    /* raises that may still use blocked_on */
    AO_t bound;      /* 1 while a thread is bound */
};

/* The calling thread's handle, or NULL. */
extern _Thread_local struct vepoll_intr *vepoll__intr_self;

static inline int vepoll__intr_pending_self(void)
{
    struct vepoll_intr *h = vepoll__intr_self;
    return h && AO_load(&h->pending);
}

/* The raise protocol (contract above): pending, count in, read the word,
 * kick it, count out.  kick moves the word and wakes its sleepers: the
 * parking back end's, async-signal-safe. */
static inline int vepoll__intr_raise(struct vepoll_intr *h,
                                     void (*kick)(unsigned int *word))
{
    AO_t w;
    if (!h)
        return -EINVAL;
    AO_store(&h->pending, 1);
    AO_fetch_and_add1_full(&h->raisers);
    vepoll__fence_after_rmw();
    w = AO_load(&h->blocked_on);
    if (w & VEPOLL__KWAIT_BELL_TAG)
        vepoll__kwait_ring(); /* it sleeps in the kernel set (kpark.h) */
    else if (w)
        kick((unsigned int *)w);
    AO_fetch_and_sub1_release(&h->raisers);
    return 0;
}

/* Before sleeping on *word: -EINTR if the calling thread's handle is
 * pending (then nothing is published), else 0 with the word published. */
int vepoll__intr_sleep_begin(unsigned int *word);
/* After sleeping: unpublishes the word (waiting out raisers that may still
 * use it); -EINTR if the handle is pending, else 0. */
int vepoll__intr_sleep_end(void);

#endif
