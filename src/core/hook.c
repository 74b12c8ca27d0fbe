/*
 * The producer hook (Wasmer's EpollHandler): vepoll_source_update.
 *
 * Concurrency contract
 * --------------------
 * Runs on any thread, concurrently with everything but
 * vepoll_source_close(src).  It takes no lock and never allocates.  The same
 * delivery (queue_and_wake; vepoll__hook_queue_held for a token holder)
 * serves ADD and MOD finding a source ready (instance.c), so there is one
 * "queue and wake" sequence:
 *   0. fast path: if readiness does not change and the last fan-out found
 *      every registration already queued with these bits, and nothing has
 *      bumped the source's version since (`sat`/`ver` in source.h), the
 *      update is a dedupe hit everywhere: return after three loads;
 *   1. readiness: one CAS loop on src->ready (skipped when nothing changes);
 *   2. fan-out, inside the source's read-side section (source.h): for each
 *      registration of src in every instance, post the event
 *      (registration.h); the winner of ENQUEUED pushes it onto its
 *      instance's ready queue (readyq.h) and wakes one parked waiter
 *      (park.h) and runs the wake-up callback; then, as Linux's
 *      ep_poll_callback does even when the entry was already queued, the
 *      instance wakes the instances it is nested in with the key IN alone
 *      (ep_poll_safewake: an outer mask of RDNORM without IN is not woken,
 *      although polling reports IN|RDNORM); a recursive fan-out, at most 5
 *      deep (nest.c).
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
#include "order.h"
#include "registration.h"
#include "source.h"
#include "vepoll_core.h"

/* Runs ep's wake-up callback, if any (instance.h: fn_busy protocol). */
static void run_wake_fn(struct vepoll *ep)
{
    if (AO_load(&ep->wake_fn)) {
        void (*fn)(void *);
        AO_fetch_and_add1_full(&ep->fn_busy);
        fn = (void (*)(void *))AO_load_acquire(&ep->wake_fn);
        if (fn)
            fn((void *)AO_load(&ep->wake_arg));
        AO_fetch_and_sub1_release(&ep->fn_busy);
    }
}

/* After the full-barrier push: pairs with the waiter's increment of
 * nwaiters followed by its look at the queue (park.h). */
static int notify(struct vepoll *ep)
{
    int had_waiter;
    vepoll__fence_after_rmw();
    had_waiter = AO_load(&ep->nwaiters) != 0;
    if (had_waiter)
        vepoll__park_wake(&ep->park, 0);
    run_wake_fn(ep);
    return had_waiter;
}

/* ep_poll_safewake: every event of ep (a dedupe hit included) wakes the
 * instances ep is registered in, with the key IN alone.  Returns whether
 * there were any. */
static int propagate(struct vepoll *ep)
{
    if (!AO_load(&ep->self.watchers))
        return 0;
    vepoll__hook_fanout(&ep->self, VEPOLL_IN);
    return 1;
}

/* Under ep's token: r joins the private FIFO, behind everything pushed
 * before it (collect first: the queue's order is the order of becoming
 * ready). */
static inline void append_held(struct vepoll *ep, struct vepoll__reg *r)
{
    vepoll__readyq_collect(&ep->q);
    vepoll__readyq_append(&ep->q, r);
}

/* Queue and wake, for a producer: r, a registration of ep whose ENQUEUED
 * bit the caller has just won, joins ep's ready queue; one registered
 * waiter is woken and ep's wake-up callback runs; then the instances ep is
 * nested in are told (Linux's ep_poll_safewake).  Returns whether ep had a
 * registered waiter (EPOLLEXCLUSIVE's "this instance had someone to
 * wake").  A producer that may take ep's token through its fast path
 * (token.h: ep's consumer thread producing for itself) appends r to the
 * private FIFO directly instead of pushing it for a later collect: two RMWs
 * fewer per event.  Called inside a read-side section, whose entry
 * (vepoll__source_enter) has set up the thread's descriptor already. */
static int queue_and_wake(struct vepoll *ep, struct vepoll__reg *r)
{
    int had_waiter;
    int f = 0;
    /* Only without spinners: they watch the inbox, not the private FIFO.
     * (No reference needed: we reached ep through a registration, inside
     * its source's read-side section.) */
    if (!AO_load(&ep->spin_ns))
        f = vepoll__token_fast(&ep->tok);
    if (f < 0)
        vepoll__token_unannounce();
    if (f > 0) {
        append_held(ep, r);
        vepoll__token_leave(&ep->tok, 1);
        /* A waiter that registered meanwhile takes the token (revoking our
         * bias) before it looks at the queue, so it sees r whatever this
         * load returns (token.h). */
        had_waiter = AO_load(&ep->nwaiters) != 0;
        if (had_waiter)
            vepoll__park_wake(&ep->park, 0);
        run_wake_fn(ep);
    } else {
        vepoll__readyq_push(&ep->q, r);
        had_waiter = notify(ep);
    }
    propagate(ep);
    return had_waiter;
}

void vepoll__hook_queue_held(struct vepoll *ep, struct vepoll__reg *r)
{
    append_held(ep, r);
    vepoll__mbox_post_held(ep); /* spinners watch the inbox, not the FIFO */
    if (AO_load(&ep->nwaiters))
        vepoll__park_wake(&ep->park, 0);
    run_wake_fn(ep);
    propagate(ep);
}

int vepoll__hook_fanout(struct vepoll_source *src, uint32_t set)
{
    unsigned epoch = vepoll__source_enter(src);
    int excl_done = 0, absorbed = 1;
    struct vepoll__reg *r;
    for (r = (struct vepoll__reg *)AO_load_acquire(&src->watchers); r;
         r = (struct vepoll__reg *)AO_load_acquire(&r->snext)) {
        unsigned int s = vepoll__reg_state(r);
        int excl = (s & VEPOLL_EXCLUSIVE) != 0; /* a constant flag */
        int res, had_waiter;
        struct vepoll *ep;
        if (excl && excl_done)
            continue;
        if (excl)
            absorbed = 0; /* the exclusive walk depends on waiters */
        res = vepoll__reg_post(r, s, set);
        if (res == VEPOLL__POST_NONE)
            continue;
        ep = vepoll__reg_instance(r, s);
        if (res == VEPOLL__POST_QUEUED) {
            absorbed = 0;
            vepoll__stat(ep, VEPOLL__ST_QUEUED);
            had_waiter = queue_and_wake(ep, r);
        } else {
            vepoll__stat(ep, VEPOLL__ST_DEDUPE);
            had_waiter = excl && AO_load_full(&ep->nwaiters) != 0;
            if (propagate(ep))
                absorbed = 0; /* outer instances must hear every event */
        }
        /* Decided on the waiter count seen *before* the wake: a woken
         * waiter may already have left, and must still end the walk. */
        if (excl && had_waiter)
            excl_done = 1;
    }
    vepoll__source_exit(src, epoch);
    return absorbed;
}

#define SAT_SHIFT 16
#define SAT_BITS (((AO_t)1 << SAT_SHIFT) - 1)
#define FASTPATH (sizeof(AO_t) >= 8)

/* Would this update (which changes no readiness) be a dedupe hit on every
 * registration?  See source.h for why reading `sat` then an unchanged, even
 * `ver` proves it. */
static int absorbed_already(struct vepoll_source *src, uint32_t set)
{
    AO_t sat, ver;
    if (!FASTPATH)
        return 0;
    sat = AO_load_acquire(&src->sat);
    if ((set & VEPOLL__EVENT_BITS) & ~sat & SAT_BITS)
        return 0;
    ver = AO_load_acquire(&src->ver);
    return !(ver & 1) && (sat >> SAT_SHIFT) == (ver & ((AO_t)-1 >> SAT_SHIFT));
}

static void mark_absorbed(struct vepoll_source *src, AO_t ver, uint32_t set)
{
    AO_t old = AO_load(&src->sat), bits = set & VEPOLL__EVENT_BITS;
    if ((old >> SAT_SHIFT) == (ver & ((AO_t)-1 >> SAT_SHIFT)))
        bits |= old & SAT_BITS;
    AO_store_release(&src->sat, (ver << SAT_SHIFT) | bits);
}

/* Posts `set` to the watchers of src after its readiness word was written
 * (changed) or left as it was; returns the fan-out's "all absorbed", 0 when
 * nobody watches.  Store-load pair with ADD (ctl.c): ready CAS, fence, load
 * watchers vs. link, fence, load ready.  When readiness did not change there
 * is no store to order: an ADD racing with us reads the bits as they are. */
static int post_to_watchers(struct vepoll_source *src, int changed,
                            uint32_t set)
{
    if (changed)
        vepoll__fence_after_rmw(); /* after the readiness CAS */
    if (!AO_load_acquire(&src->watchers))
        return 0;
    return vepoll__hook_fanout(src, set);
}

/* Everything but the fast path, kept out of line so that the fast path in
 * vepoll_source_update stays a leaf without register saves. */
static __attribute__((noinline)) void update_slow(struct vepoll_source *src,
                                                  uint32_t set, uint32_t clear)
{
    unsigned int old = AO_int_load(&src->ready), nw, o;
    AO_t ver;
    for (;;) {
        nw = (old & ~clear) | set;
        if (nw == old)
            break;
        o = AO_int_fetch_compare_and_swap_full(&src->ready, old, nw);
        if (o == old)
            break;
        old = o;
    }
    if (!(set & VEPOLL__EVENT_BITS))
        return;
    /* Read before the fan-out looks at any registration (source.h). */
    ver = FASTPATH ? AO_load_acquire(&src->ver) : 1;
    if (post_to_watchers(src, nw != old, set) && !(ver & 1))
        mark_absorbed(src, ver, set);
}

void vepoll_source_update(vepoll_source_t *src, uint32_t set, uint32_t clear)
{
    unsigned int old;
    if (!src || vepoll__source_computed(src))
        return; /* a computed source (an instance's own) has no readiness word */
    old = AO_int_load(&src->ready);
    if (((old & ~clear) | set) == old && absorbed_already(src, set))
        return; /* fast path: nothing changes anywhere */
    update_slow(src, set, clear);
}

void vepoll__source_publish(vepoll_source_t *src, uint32_t now, uint32_t key)
{
    unsigned int old = AO_int_load(&src->ready), o;
    uint32_t post;
    int changed = old != now;
    /* Only the object (under its mu) writes this word, so the CAS succeeds
     * at once; the loop keeps it correct if a runtime also calls
     * vepoll_source_update on it. */
    while (changed &&
           (o = AO_int_fetch_compare_and_swap_full(&src->ready, old, now)) != old) {
        old = o;
        changed = old != now;
    }
    post = (key | (now & ~old)) & VEPOLL__EVENT_BITS;
    if (post)
        post_to_watchers(src, changed, post);
}
