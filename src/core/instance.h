/*
 * Instance (Wasmer's EpollState): registration table, ready queue, parked
 * waiters, nesting links, statistics.
 *
 * Concurrency contract
 * --------------------
 * - The consumer token `tok` (token.h) serialises ctl, harvest, polls of
 *   the instance and its close (as the kernel's ep->mtx does); "under the
 *   token" below means holding it, through its mutex or its biased fast
 *   path.  The producer hook never takes it.  Lock order: an outer
 *   instance's token before an inner one's (nesting is acyclic, see nest.c),
 *   the token before the global nesting mutex, the token before a source's
 *   spin lock.
 * - The ready queue, `nwaiters`, the park word, `wake_fn`/`wake_arg` and the
 *   stats are touched by producers; their protocols are in readyq.h,
 *   park.h, and below.  The spinners' mailbox `mbox` is written under the
 *   token only and read by spinning waiters (wait.c).
 * - `refs`: one reference for the owner (dropped by vepoll_close), one per
 *   call queued on or holding the token's mutex, one per thread that blocks
 *   in vepoll_wait (taken under the token, before it leaves it to park), and
 *   a temporary one taken by
 *   vepoll_source_close while it detaches a registration of this instance
 *   (the close paths of sources and instances are both in instance.c).
 *   A call on the token's fast path holds none: it is announced in its
 *   thread's descriptor (token.h).  Memory is freed when the count reaches
 *   0, no thread announces the token (vepoll__token_quiesce), and the count
 *   is still 0 then (a call bailing from the fast path pins the instance
 *   while announced; it frees it when it drops that reference).  Producers need no reference: they
 *   reach the instance only through a registration, and the grace period of
 *   that registration's source (source.h) ends before close frees anything.
 * - Wake-up callback: producers increment `fn_busy` (full barrier) before
 *   they load `wake_fn`, and decrement it after the call.  vepoll_set_wakeup
 *   clears `wake_fn`, waits for `fn_busy` to drain, then stores `wake_arg`
 *   and `wake_fn` (release).  So an old fn never runs after
 *   vepoll_set_wakeup returned, and fn and arg are always a matching pair.
 */
#ifndef VEPOLL_INSTANCE_H
#define VEPOLL_INSTANCE_H

#include <atomic_ops.h>
#include <pthread.h>
#include <stddef.h>

#include "park.h"
#include "readyq.h"
#include "slab.h"
#include "token.h"
#include "source.h"
#include "table.h"
#include "vepoll.h"

enum {
    VEPOLL__ST_QUEUED, /* attempts that queued; attempts = queued + dedupe */
    VEPOLL__ST_DEDUPE,
    VEPOLL__ST_STALE,
    VEPOLL__ST_EMPTY,
    VEPOLL__ST_COUNT
};

struct vepoll__nest {
    struct vepoll **v; /* with multiplicity: one per registration */
    size_t n, cap;
};

/* Bytes that keep what comes before them and what comes after them on
 * different cache lines whatever the allocator's alignment (the instance
 * comes from vepoll_set_allocator's hook, which promises no more than
 * malloc's 16 bytes). */
#define VEPOLL__LINE_GAP(name) char name[64]

/* The fields by who writes them, so that a producer and a spinning waiter
 * on two CPUs (docs/BENCHMARKS.md, wake_spin_vs_futex_spin_split) move only
 * the lines the protocol needs: the inbox (push, collect), the
 * registration and its source.  Before this split the producer's stats
 * stores and a blocking wait's `refs` updates shared the line of the words
 * every post and every turn of a spin read (nwaiters, closed, intr_seq,
 * spin_ns, wake_fn): each post invalidated it for the spinner, each wait
 * for the producer. */
struct vepoll {
    /* Written by the token holder and a blocking wait (`refs`), and by the
     * producer's push (the inbox, beside the private FIFO that its collect
     * writes: one line that moves with the event anyway). */
    struct vepoll__token tok;
    struct vepoll__readyq q;
    struct vepoll__table table;
    struct vepoll__slab regs; /* the registrations (under tok) */
    size_t qdead;      /* DEAD entries still queued (under tok): see detach */
    unsigned int retired;  /* DEAD entries waiting for a grace period
                            * (under tok): the first one's link, chained
                            * through qnext; 0: none */
    unsigned int nretired; /* how many (retire.h) */
    AO_t refs;
    /* Read by producers on every post and by spinners on every turn,
     * written rarely (ctl on `self`, waiters that park, close, interrupts,
     * vepoll_set_spin, vepoll_set_wakeup). */
    VEPOLL__LINE_GAP(gap_read);
    struct vepoll_source self; /* vepoll_as_source(ep): polls ep (nest.c) */
    AO_t nwaiters;     /* threads registered to be woken */
    AO_t intr_seq;     /* bumped by vepoll_interrupt */
    AO_t intr_pending; /* one pending interrupt */
    AO_t closed;
    AO_t kern;         /* watches a kernel-descriptor source, maybe through
                        * an inner instance: waits pump the kernel set
                        * (kpark.h).  Set under the nesting mutex, never
                        * cleared. */
    AO_t spin_ns;
    AO_t wake_fn, wake_arg;
    struct vepoll__park park; /* its word moves on wakes only */
    /* Written by producers on every post. */
    VEPOLL__LINE_GAP(gap_stats);
    AO_t stats[VEPOLL__ST_COUNT];
    AO_t fn_busy;
    /* The spinners' mailbox (wait.c: spin): bumped, under the token, when
     * entries wait in the private FIFO, which spinners cannot look at --
     * a harvest left some behind (level-triggered ones it re-queued, more
     * than maxevents) or ctl queued one there (hook.c).  Spinners watch it
     * with the inbox, where producers push.  Written by consumers, read by
     * spinners: a line of its own. */
    VEPOLL__LINE_GAP(gap_mbox);
    AO_t mbox;
    VEPOLL__LINE_GAP(gap_cold);
    /* Nesting graph, under the global nesting mutex (nest.c). */
    struct vepoll__nest children, parents;
    unsigned long visit;
    int memo;
    /* Process-wide instance list, under the global list mutex. */
    struct vepoll *prev, *next;
};

/* Under ep's token, with entries in the private FIFO: tell the spinners
 * (the mailbox above).  Release: a spinner that sees the new value takes
 * the token after us and finds what we left. */
static inline void vepoll__mbox_post_held(struct vepoll *ep)
{
    if (AO_load(&ep->spin_ns))
        AO_store_release(&ep->mbox, AO_load(&ep->mbox) + 1);
}

/* Relaxed, unlocked counter: exact when producers of one instance do not
 * race, may undercount when they do; never a locked RMW on the hot path. */
static inline void vepoll__stat(struct vepoll *ep, int which)
{
    AO_store(&ep->stats[which], AO_load(&ep->stats[which]) + 1);
}

void vepoll__instance_ref(struct vepoll *ep);
void vepoll__instance_unref(struct vepoll *ep);

/* A call's way into ep's token (token.h).  A call that announced itself
 * (every thread with a descriptor) stays announced until it has left: on the
 * fast path as inside, after a bail as a slow announcement while it takes
 * the mutex; the memory goes only once no thread announces the token either
 * way (vepoll__instance_unref), so it needs no reference.  (A bail must not
 * take a reference instead: the count may already have reached 0, and a
 * count that comes back from 0 can be freed twice over -- the model's
 * BUG_TOKEN_PIN_ON_BAIL.)  A thread without a descriptor takes a reference
 * first thing, before it touches ep: that reference is its start, and no
 * call starts once vepoll_close has.  Returns what vepoll__instance_leave
 * needs. */
#define VEPOLL__ENTERED_REF 0  /* the mutex, holding a reference */
#define VEPOLL__ENTERED_FAST 1 /* the fast path */
#define VEPOLL__ENTERED_SLOW 2 /* the mutex, slow-announced */
static inline int vepoll__instance_enter(struct vepoll *ep)
{
    int f;
    vepoll__self_ensure();
    f = vepoll__token_fast(&ep->tok);
    if (f > 0)
        return VEPOLL__ENTERED_FAST;
    if (f < 0) {
        vepoll__token_announce_slow(&ep->tok);
        vepoll__token_enter_slow(&ep->tok, vepoll__self.id);
        return VEPOLL__ENTERED_SLOW;
    }
    vepoll__instance_ref(ep);
    vepoll__token_enter_slow(&ep->tok, vepoll__self.id);
    return VEPOLL__ENTERED_REF;
}

/* Gives the token back, then the announcement or the reference (the last
 * reference frees ep: nothing may follow). */
static inline void vepoll__instance_leave(struct vepoll *ep, int how)
{
    if (how == VEPOLL__ENTERED_FAST) {
        vepoll__token_leave(&ep->tok, 1);
        return;
    }
    pthread_mutex_unlock(&ep->tok.mu);
    if (how == VEPOLL__ENTERED_SLOW)
        vepoll__token_unannounce();
    else
        vepoll__instance_unref(ep);
}

/*
 * How a detach ends r's grace period (source.h), the caller's choice:
 *   DEFER  DEL: retire r (retire.h) if a grace period is owed (another
 *          thread holds a descriptor), else free it now.
 *   WAIT   wait for the grace period now (vepoll_close's removal of ep from
 *          the instances it is registered in, whose producers may be
 *          walking ep's own source): the memory is back when close returns.
 *   NONE   the final close of r's source: no update of the source may run
 *          (the API's rule, docs/API.md), and r was only reachable from the
 *          source's list, so no reader can hold r; freed now.
 * A registration still queued is left to the queue either way, marked
 * with whether it owes a grace period (registration.h): the harvest that
 * pops it retires or frees it (vepoll__retire_or_free).
 */
enum { VEPOLL__GRACE_DEFER, VEPOLL__GRACE_WAIT, VEPOLL__GRACE_NONE };

/* Under ep->tok: unlink r from its source, mark it DEAD, and end its life
 * as `grace` says (above).  The caller has already taken r out of the
 * table. */
void vepoll__instance_detach(struct vepoll *ep, struct vepoll__reg *r,
                             int grace);
/* Under ep->tok: if r has something to report now, queue it (keeping its
 * place if it is queued already) and wake.  Used by ADD and MOD. */
void vepoll__instance_evaluate(struct vepoll *ep, struct vepoll__reg *r);

/* ep just got an outer instance: end the dedupe fast path of every source
 * registered in ep, since their updates must now also reach the outer one
 * (source.h).  Takes ep's token (outer-before-inner order). */
void vepoll__instance_touch_sources(struct vepoll *ep);

#endif
