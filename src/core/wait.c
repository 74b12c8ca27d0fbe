/*
 * vepoll_wait and vepoll_interrupt: blocking on an instance.
 *
 * Concurrency contract
 * --------------------
 * Any number of threads may wait on one instance.  Harvests are serialised
 * by the instance mutex; the mutex is never held while parked.
 *
 * No lost wake-up: a waiter registers in `nwaiters` (full barrier) and only
 * then harvests once more before it parks on the sequence number it read
 * *before* registering; a producer pushes (full barrier) and then reads
 * `nwaiters` (park.h has the pairing).
 *
 * Wake one, wake all: a producer wakes one waiter per new entry.  A waiter
 * that leaves entries behind after its harvest (more than maxevents, or
 * level-triggered entries it re-queued) wakes the next one.  So LT readiness
 * reaches every blocked waiter in turn (S132), an ET or ONESHOT event is
 * returned by exactly one (S133, S058), and a waiter never returns early
 * with 0 because another took the event (S144): it parks again until its
 * deadline.  Spinning waiters do not register: the same pass-on reaches
 * them through the mailbox (instance.h), which they watch beside the inbox.
 *
 * Per-thread interrupts (intr.h): a pending handle of the calling thread
 * makes the park return -EINTR instead of sleeping (or wakes it); the
 * waiter then harvests once more and returns what is there, else -EINTR.
 * The handle stays pending: clearing it is the runtime's business.
 *
 * Interrupts: vepoll_interrupt sets `intr_pending` and then bumps `intr_seq`
 * (both full barriers) and wakes everyone.  A waiter snapshots `intr_seq`
 * before it registers; a blocked waiter that sees it move consumes the
 * pending flag (so it does not also hit the next wait); a waiter that
 * would block and finds the flag set consumes it and returns -EINTR.
 *
 * Kernel descriptors (kpark.h): on an instance that watches kernel-
 * descriptor sources (kern), every wait first pumps the kernel set once,
 * and a blocking one parks through vepoll__kpark_wait (as the leader in the
 * kernel set, or as a candidate on the park) and does not spin; its return
 * gives the lead up.  Instances without them take none of these branches
 * but the load of `kern`.
 *
 * Timeouts are absolute deadlines on CLOCK_MONOTONIC computed once with
 * saturation (INT64_MAX ns cannot overflow); after the deadline a waiter
 * harvests one last time, so an event that raced with expiry is returned,
 * never stranded.
 */
#include <errno.h>
#include <limits.h>
#include <time.h>

#include "harvest.h"
#include "instance.h"
#include "intr.h"
#include "kpark.h"
#include "kwait.h"
#include "order.h"
#include "registration.h"
#include "vepoll_core.h"

/* Takes the token, harvests, passes what is left on to the next waiter
 * and gives the token back.  -EBADF once ep is closed.  With `pin`, a
 * harvest that found nothing takes a reference on ep before it leaves the
 * token, so ep outlives the park that follows (instance.h: close takes the
 * token before it frees anything, and a thread queued for the token holds a
 * reference or a slow announcement; the count is at least the owner's
 * reference here, since ep is not closed). */
static inline __attribute__((always_inline)) int
harvest_and_pass_on_inline(struct vepoll *ep, struct vepoll_event *events,
                           int maxevents, int pin)
{
    int n, how = vepoll__instance_enter(ep);
    if (AO_load(&ep->closed)) {
        n = -EBADF;
    } else {
        n = vepoll__harvest(ep, events, maxevents);
        /* Hand what is left to the next waiter (the LT chain, see above).
         * A plain load: a waiter that registers after it harvests by
         * itself.  (Waiters first: the common case has none, and gcc 12's
         * -fsanitize=undefined warns falsely about the other order.) */
        if (AO_load(&ep->nwaiters) && vepoll__readyq_busy(&ep->q))
            vepoll__park_wake(&ep->park, 0);
        /* ... and to the spinners, which do not register. */
        if (vepoll__readyq_busy(&ep->q))
            vepoll__mbox_post_held(ep);
        if (!n && pin)
            vepoll__instance_ref(ep);
    }
    vepoll__instance_leave(ep, how);
    return n;
}

/* The same, out of line, for the blocking and spinning paths: only the
 * first harvest of vepoll_wait (every wait(0)) is inlined, which saves the
 * call and its register saves on the hot path without copying the body
 * into every call site. */
static __attribute__((noinline)) int
harvest_and_pass_on(struct vepoll *ep, struct vepoll_event *events,
                    int maxevents, int pin)
{
    return harvest_and_pass_on_inline(ep, events, maxevents, pin);
}

static int take_interrupt(struct vepoll *ep)
{
    return AO_load(&ep->intr_pending) &&
           AO_compare_and_swap_full(&ep->intr_pending, 1, 0);
}

/* Spin (without registering, so producers make no syscall) until something
 * is pushed or posted to the mailbox, the instance is closed or interrupted,
 * or the spin ends.  Producers push onto the inbox; what waits in the
 * private FIFO (entries another harvest left behind, ctl's) is announced
 * by the mailbox (instance.h).  The mailbox is read before the harvest that
 * starts the spin, so entries left after that harvest move it.  What is
 * seen is harvested right here, without the registration round trip of
 * the parking path; returns what a harvest found (0: park, which registers
 * and looks again: park.h). */
static int spin(struct vepoll *ep, struct vepoll_event *events, int maxevents,
                AO_t intr0, int64_t deadline)
{
    int64_t spin_ns = (int64_t)AO_load(&ep->spin_ns), end;
    unsigned i = 0;
    AO_t seen;
    int n;
    if (!spin_ns || AO_load(&ep->kern))
        return 0; /* kernel events are not in the inbox until pumped */
    end = vepoll__now_ns() + spin_ns;
    if (deadline >= 0 && deadline < end)
        end = deadline;
    seen = AO_load_acquire(&ep->mbox);
    n = harvest_and_pass_on(ep, events, maxevents, 0);
    if (n)
        return n;
    while (!AO_load(&ep->closed) && AO_load(&ep->intr_seq) == intr0 &&
           !vepoll__intr_pending_self()) {
        AO_t now = AO_load_acquire(&ep->mbox);
        if (vepoll__readyq_inbox_busy(&ep->q) || now != seen) {
            seen = now;
            n = harvest_and_pass_on(ep, events, maxevents, 0);
            if (n)
                return n;
        }
        if ((++i & 63) == 0 && vepoll__now_ns() >= end)
            break;
    }
    return 0;
}

/* The parking rounds of one blocking wait; *lead: this thread leads the
 * kernel wait (kpark.h), kept from round to round. */
static int wait_rounds(struct vepoll *ep, struct vepoll_event *events,
                       int maxevents, int64_t timeout_ns, int *lead)
{
    int64_t deadline = -1;
    struct timespec ts, *tsp = NULL;
    AO_t intr0 = AO_load_full(&ep->intr_seq);
    int n;

    if (timeout_ns > 0) {
        deadline = vepoll__deadline_ns(timeout_ns);
        ts = vepoll__timespec(deadline);
        tsp = &ts;
    }
    n = spin(ep, events, maxevents, intr0, deadline);
    if (n)
        return n;
    for (;;) {
        unsigned int seq = vepoll__park_prepare(&ep->park);
        int timed_out, rc;
        AO_fetch_and_add1_full(&ep->nwaiters);
        /* Store-load pair with the producer's push, then load of nwaiters
         * (park.h): our look at the queue must come after the increment. */
        vepoll__fence_after_rmw();
        if (AO_load(&ep->closed)) {
            n = -EBADF;
            goto leave;
        }
        n = harvest_and_pass_on(ep, events, maxevents, 0);
        if (n)
            goto leave;
        if (AO_load_full(&ep->intr_seq) != intr0 || take_interrupt(ep)) {
            take_interrupt(ep);
            n = -EINTR;
            goto leave;
        }
        rc = AO_load(&ep->kern) ? vepoll__kpark_wait(ep, seq, deadline, tsp, lead)
                                : vepoll__park_wait(&ep->park, seq, tsp);
        timed_out = rc == -ETIMEDOUT;
        AO_fetch_and_sub1_full(&ep->nwaiters);
        if (AO_load(&ep->closed))
            return -EBADF;
        if (rc == -EINTR) {
            /* This thread's interrupt handle: what is there comes first. */
            n = harvest_and_pass_on(ep, events, maxevents, 0);
            return n ? n : -EINTR;
        }
        if (AO_load_full(&ep->intr_seq) != intr0) {
            take_interrupt(ep);
            n = harvest_and_pass_on(ep, events, maxevents, 0);
            return n ? n : -EINTR;
        }
        if (timed_out || (deadline >= 0 && vepoll__now_ns() >= deadline))
            return harvest_and_pass_on(ep, events, maxevents, 0);
    }
leave:
    AO_fetch_and_sub1_full(&ep->nwaiters);
    return n;
}

static int wait_blocking(struct vepoll *ep, struct vepoll_event *events,
                         int maxevents, int64_t timeout_ns)
{
    int lead = 0, n = wait_rounds(ep, events, maxevents, timeout_ns, &lead);
    if (AO_load(&ep->kern))
        vepoll__kpark_leave(lead);
    return n;
}

int vepoll_wait(vepoll_t *ep, struct vepoll_event *events, int maxevents,
                int64_t timeout_ns)
{
    int n;
    if (maxevents <= 0 ||
        (size_t)maxevents > INT_MAX / sizeof(struct vepoll_event))
        return -EINVAL;
    if (!events)
        return -EFAULT;
    if (!ep)
        return -EBADF;
    if (AO_load(&ep->kern))
        vepoll__kwait_pump(); /* what the kernel has, first (kpark.h) */
    n = harvest_and_pass_on_inline(ep, events, maxevents, timeout_ns != 0);
    if (n || !timeout_ns)
        return n;
    /* Nothing, and we may block: harvest_and_pass_on pinned ep for us. */
    n = wait_blocking(ep, events, maxevents, timeout_ns);
    vepoll__instance_unref(ep);
    return n;
}

int vepoll_interrupt(vepoll_t *ep)
{
    if (!ep)
        return -EBADF;
    AO_store_full(&ep->intr_pending, 1);
    AO_fetch_and_add1_full(&ep->intr_seq);
    vepoll__park_wake(&ep->park, 1);
    return 0;
}
