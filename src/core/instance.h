/*
 * Instance (Wasmer's EpollState): registration table, ready queue, parked
 * waiters, nesting links, statistics.
 *
 * Concurrency contract
 * --------------------
 * - `mu` serialises ctl and harvest (as the kernel's ep->mtx does).  The
 *   producer hook never takes it.  Lock order: an outer instance's `mu`
 *   before an inner one's (nesting is acyclic, see nest.c), `mu` before the
 *   global nesting mutex, `mu` before a source's spin lock.
 * - The ready queue, `nwaiters`, the park word, `wake_fn`/`wake_arg` and the
 *   stats are touched by producers; their protocols are in readyq.h,
 *   park.h, and below.
 * - `refs`: one reference for the owner (dropped by vepoll_close), one per
 *   thread inside vepoll_wait, and a temporary one taken by
 *   vepoll_source_close while it detaches a registration of this instance.
 *   Memory is freed when it reaches 0.  Producers need no reference: they
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
    pthread_mutex_t mu;
    struct vepoll__readyq q;
    struct vepoll__table table;
    size_t qdead;      /* DEAD entries still queued (under mu): see detach */
    struct vepoll_source self; /* vepoll_as_source(ep) */
    struct vepoll__park park;
    AO_t nwaiters;     /* threads registered to be woken */
    AO_t intr_seq;     /* bumped by vepoll_interrupt */
    AO_t intr_pending; /* one pending interrupt */
    AO_t closed;
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

/* A registration of ep was queued (by a producer or by ctl): wake one
 * waiter, run the wake-up callback.  Returns whether a waiter was
 * registered (EPOLLEXCLUSIVE's "this instance had someone to wake"). */
int vepoll__instance_notify(struct vepoll *ep);
void vepoll__instance_ref(struct vepoll *ep);
void vepoll__instance_unref(struct vepoll *ep);
/* Close path of a source: remove (src, fd) from ep if it is still there. */
void vepoll__instance_remove_key(struct vepoll *ep, struct vepoll_source *src,
                                 int fd);


/* Under ep->mu: unlink r from its source, mark it DEAD, wait for the
 * source's grace period, and free it unless it is still queued (then the
 * harvest frees it).  The caller has already taken r out of the table. */
void vepoll__instance_detach(struct vepoll *ep, struct vepoll__reg *r);
/* Under ep->mu: free a DEAD entry that was taken out of the ready queue
 * (harvest pop, sweep), counted as a stale drop. */
void vepoll__instance_free_dead(struct vepoll *ep, struct vepoll__reg *r);
/* Under ep->mu: if r has something to report now, queue it (keeping its
 * place if it is queued already) and notify.  Used by ADD and MOD. */
void vepoll__instance_evaluate(struct vepoll *ep, struct vepoll__reg *r);

/* ep just got an outer instance: end the dedupe fast path of every source
 * registered in ep, since their updates must now also reach the outer one
 * (source.h).  Takes ep's mutex (outer-before-inner order). */
void vepoll__instance_touch_sources(struct vepoll *ep);

/* Process-wide watch accounting (vepoll_set_max_watches): ctl.c. */
int vepoll__watch_acquire(void);
void vepoll__watch_release(void);

#endif
