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
 *   park.h, and below.
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

struct vepoll {
    struct vepoll__token tok;
    struct vepoll__readyq q;
    struct vepoll__table table;
    size_t qdead;      /* DEAD entries still queued (under tok): see detach */
    struct vepoll_source self; /* vepoll_as_source(ep): polls ep (nest.c) */
    struct vepoll__park park;
    AO_t nwaiters;     /* threads registered to be woken */
    AO_t intr_seq;     /* bumped by vepoll_interrupt */
    AO_t intr_pending; /* one pending interrupt */
    AO_t closed;
    AO_t kern;         /* watches a kernel-descriptor source, maybe through
                        * an inner instance: waits pump the kernel set
                        * (kpark.h).  Set under the nesting mutex, never
                        * cleared. */
    AO_t refs;
    AO_t spin_ns;
    AO_t wake_fn, wake_arg, fn_busy;
    AO_t stats[VEPOLL__ST_COUNT];
    /* Nesting graph, under the global nesting mutex (nest.c). */
    struct vepoll__nest children, parents;
    unsigned long visit;
    int memo;
    /* Process-wide instance list, under the global list mutex. */
    struct vepoll *prev, *next;
};

/* Relaxed, unlocked counter: exact when producers of one instance do not
 * race, may undercount when they do; never a locked RMW on the hot path. */
static inline void vepoll__stat(struct vepoll *ep, int which)
{
    AO_store(&ep->stats[which], AO_load(&ep->stats[which]) + 1);
}

void vepoll__instance_ref(struct vepoll *ep);
void vepoll__instance_unref(struct vepoll *ep);

/* A call's way into ep's token (token.h).  Through the fast path it needs
 * no reference: it is announced, and the memory goes only once no thread
 * announces the token (vepoll__instance_unref).  Through the mutex it takes
 * one first -- while still announced, if it tried the fast path -- so a
 * thread queued on the mutex when vepoll_close runs keeps the memory until
 * it has left.  Returns what vepoll__instance_leave needs. */
static inline int vepoll__instance_enter(struct vepoll *ep)
{
    struct vepoll__self *s = vepoll__self_get();
    int f = vepoll__token_fast(&ep->tok, s);
    if (f > 0)
        return 1;
    vepoll__instance_ref(ep);
    if (f < 0)
        vepoll__token_unannounce(s);
    vepoll__token_enter_slow(&ep->tok, s->id);
    return 0;
}

/* Gives the token back and the reference, if vepoll__instance_enter took
 * one (the last one frees ep: nothing may follow). */
static inline void vepoll__instance_leave(struct vepoll *ep, int fast)
{
    vepoll__token_leave(&ep->tok, fast);
    if (!fast)
        vepoll__instance_unref(ep);
}

/* Under ep->tok: unlink r from its source, mark it DEAD, wait for the
 * source's grace period, and free it unless it is still queued (then the
 * harvest frees it).  The caller has already taken r out of the table. */
void vepoll__instance_detach(struct vepoll *ep, struct vepoll__reg *r);
/* Under ep->tok: if r has something to report now, queue it (keeping its
 * place if it is queued already) and wake.  Used by ADD and MOD. */
void vepoll__instance_evaluate(struct vepoll *ep, struct vepoll__reg *r);

/* ep just got an outer instance: end the dedupe fast path of every source
 * registered in ep, since their updates must now also reach the outer one
 * (source.h).  Takes ep's token (outer-before-inner order). */
void vepoll__instance_touch_sources(struct vepoll *ep);

#endif
