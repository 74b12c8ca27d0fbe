/*
 * The producer hook (Wasmer's EpollHandler): vepoll_source_update.
 *
 * Concurrency contract
 * --------------------
 * Runs on any thread, concurrently with everything but
 * vepoll_source_close(src).  It takes no lock and never allocates:
 *   1. readiness: one CAS loop on src->ready (skipped when nothing changes);
 *   2. fan-out, inside the source's read-side section (source.h): for each
 *      registration of src in every instance, post the event
 *      (registration.h); the winner of ENQUEUED pushes it onto its
 *      instance's ready queue (readyq.h) and wakes one parked waiter
 *      (park.h); then, as Linux's ep_poll_callback does even when the entry
 *      was already queued, the instance signals IN|RDNORM to the instances
 *      it is nested in (a recursive fan-out, at most 5 deep: nest.c).
 *   3. EPOLLEXCLUSIVE: exclusive registrations are walked after the others,
 *      in registration order; once one of them was posted to an instance
 *      with a registered waiter, the rest are skipped and do not record the
 *      event (Linux's S139 behaviour).  Instances without a waiter record it
 *      and do not stop the walk.
 * Why no wake-up is lost: the push is a full-barrier CAS followed by the
 * load of nwaiters; see park.h for the pairing with the waiter.
 */
#include <atomic_ops.h>

#include "hook.h"
#include "instance.h"
#include "registration.h"
#include "source.h"

void vepoll__hook_fanout(struct vepoll_source *src, uint32_t set)
{
    unsigned epoch = vepoll__source_enter(src);
    int excl_done = 0;
    struct vepoll__reg *r;
    for (r = (struct vepoll__reg *)AO_load_acquire(&src->watchers); r;
         r = (struct vepoll__reg *)AO_load_acquire(&r->snext)) {
        struct vepoll *ep = r->ep;
        int excl = (vepoll__reg_events(r) & VEPOLL_EXCLUSIVE) != 0;
        int res, had_waiter;
        if (excl && excl_done)
            continue;
        res = vepoll__reg_post(r, set);
        if (res == VEPOLL__POST_NONE)
            continue;
        vepoll__stat(ep, VEPOLL__ST_ATTEMPTS);
        if (res == VEPOLL__POST_QUEUED) {
            vepoll__readyq_push(&ep->q, r);
            had_waiter = vepoll__instance_notify(ep);
        } else {
            vepoll__stat(ep, VEPOLL__ST_DEDUPE);
            had_waiter = excl && AO_load_full(&ep->nwaiters) != 0;
        }
        if (AO_load(&ep->self.watchers))
            vepoll__hook_fanout(&ep->self, VEPOLL_IN | VEPOLL_RDNORM);
        /* Decided on the waiter count seen *before* the wake: a woken
         * waiter may already have left, and must still end the walk. */
        if (excl && had_waiter)
            excl_done = 1;
    }
    vepoll__source_exit(src, epoch);
}

void vepoll_source_update(vepoll_source_t *src, uint32_t set, uint32_t clear)
{
    AO_t old, nw;
    if (!src || src->owner)
        return;
    old = AO_load(&src->ready);
    for (;;) {
        nw = (old & ~(AO_t)clear) | set;
        if (nw == old)
            break;
        if (AO_compare_and_swap_full(&src->ready, old, nw))
            break;
        old = AO_load(&src->ready);
    }
    if (!(set & VEPOLL__EVENT_BITS))
        return;
    /* Store-load pair with ADD (ctl.c): ready CAS, fence, load watchers vs.
     * link, fence, load ready.  When readiness did not change there is no
     * store to order: an ADD racing with us reads the bits as they are. */
    if (nw != old ? AO_load_full(&src->watchers)
                  : AO_load_acquire(&src->watchers))
        vepoll__hook_fanout(src, set);
}
