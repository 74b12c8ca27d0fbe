/*
 * Instance lifecycle, the close paths (of an instance, and the final close
 * of a source, which removes its registrations from every instance), the
 * wake-up callback and statistics.  The concurrency contract is in
 * instance.h.
 */
#include "instance.h"

#include <errno.h>
#include <sched.h>
#include <string.h>

#include "harvest.h"
#include "hook.h"
#include "nest.h"
#include "registration.h"
#include "retire.h"
#include "vepoll_core.h"

/* Live instances (for process-wide stats) and totals of closed ones. */
static pthread_mutex_t list_mu = PTHREAD_MUTEX_INITIALIZER;
static struct vepoll *list_head;
static uint64_t closed_totals[VEPOLL__ST_COUNT];

int vepoll_create(vepoll_t **out)
{
    struct vepoll *ep;
    int rc;
    if (!out)
        return -EINVAL;
    ep = vepoll__calloc(sizeof(*ep));
    if (!ep)
        return -ENOMEM;
    rc = vepoll__token_init(&ep->tok);
    if (rc)
        goto err_free;
    rc = vepoll__park_init(&ep->park);
    if (rc)
        goto err_mutex;
    vepoll__slab_init(&ep->regs, sizeof(struct vepoll__reg), ep);
    vepoll__readyq_init(&ep->q, &ep->regs);
    vepoll__table_init(&ep->table, &ep->regs);
    vepoll__source_init(&ep->self, 0, vepoll__nest_poll_source);
    AO_store(&ep->refs, 1);
    pthread_mutex_lock(&list_mu);
    ep->next = list_head;
    if (list_head)
        list_head->prev = ep;
    list_head = ep;
    pthread_mutex_unlock(&list_mu);
    *out = ep;
    return 0;
err_mutex:
    vepoll__token_destroy(&ep->tok);
err_free:
    vepoll__free(ep, sizeof(*ep));
    return rc == -ENOMEM ? rc : -ENOMEM;
}

void vepoll__instance_ref(struct vepoll *ep)
{
    AO_fetch_and_add1_full(&ep->refs);
}

void vepoll__instance_unref(struct vepoll *ep)
{
    if (AO_fetch_and_sub1_full(&ep->refs) != 1)
        return;
    /* 0: nobody may start a call any more, and nothing takes a reference
     * (a blocking wait pins only under the token, before vepoll_close's
     * token section marks ep closed), but a call that started announced
     * may still be inside or on its way through the mutex. */
    vepoll__token_quiesce(&ep->tok);
    vepoll__free(ep->children.v, ep->children.cap * sizeof(*ep->children.v));
    vepoll__free(ep->parents.v, ep->parents.cap * sizeof(*ep->parents.v));
    vepoll__park_destroy(&ep->park);
    vepoll__token_destroy(&ep->tok);
    vepoll__free(ep, sizeof(*ep));
}

/* Under ep->tok: r becomes DEAD and leaves its source's watcher list, and
 * the readers counted on the source have drained; the per-thread readers
 * are still to be waited for (vepoll__thr_wait_readers) before r may be
 * freed.  Returns r's state word before the kill. */
static unsigned int unlink_killed(struct vepoll *ep, struct vepoll__reg *r)
{
    struct vepoll_source *src = r->src;
    struct vepoll *inner = vepoll__nest_owner(src);
    unsigned int s = vepoll__reg_kill(r);
    /* The nesting edge goes first, while r still keeps inner alive: a
     * concurrent vepoll_close(inner) waits in detach_all until r has left
     * inner's source, and may free inner right after that. */
    if (inner)
        vepoll__nest_unlink(ep, inner);
    vepoll__source_lock(src);
    vepoll__source_unlink(src, r);
    vepoll__source_synchronize_counters(src);
    vepoll__source_unlock(src);
    /* src is not touched past this point: once r is unlinked, a concurrent
     * vepoll_source_close(src) (or vepoll_close of its instance) may find
     * the list empty and free it. */
    return s;
}

void vepoll__instance_detach(struct vepoll *ep, struct vepoll__reg *r,
                             int grace)
{
    unsigned int s = unlink_killed(ep, r);
    if (grace == VEPOLL__GRACE_WAIT)
        vepoll__thr_wait_readers();
    /* After unlink_killed's full-barrier epoch flip (token.h). */
    vepoll__reg_set_owes_grace(r, grace == VEPOLL__GRACE_DEFER &&
                                      vepoll__thr_readers_possible());
    /* DEAD stops new ENQUEUED claims, so the ENQUEUED bit we saw is final:
     * clear means r is ours; set means the queue owns it (a push may still
     * be in flight), and the harvest that pops it releases it.  An
     * instance that is never waited on would keep such entries forever, so
     * once they outnumber the live registrations (and 64), sweep them:
     * garbage stays bounded by the table size, and the sweep's O(queue)
     * cost is paid for by as many DELs. */
    if (!(s & VEPOLL__REG_ENQ)) {
        vepoll__retire_or_free(ep, r);
    } else if (++ep->qdead > 64 && ep->qdead > ep->table.count) {
        vepoll__harvest_sweep_dead(ep);
    }
}

void vepoll__instance_evaluate(struct vepoll *ep, struct vepoll__reg *r)
{
    unsigned int m = vepoll__reg_events(r);
    uint32_t rev = vepoll__source_poll(r->src, 0) & m & VEPOLL__EVENT_BITS;
    if (!rev)
        return;
    if (vepoll__reg_claim(r))
        vepoll__hook_queue_held(ep, r);
    /* else already queued: it keeps its place (S063) */
}

void vepoll__instance_touch_sources(struct vepoll *ep)
{
    size_t cursor = 0;
    struct vepoll__reg *r = NULL;
    int fast = vepoll__token_enter(&ep->tok);
    while ((r = vepoll__table_next(&ep->table, &cursor, r)))
        vepoll__source_bump(r->src);
    vepoll__token_leave(&ep->tok, fast);
}

/* Close path of a source: remove (src, fd) from ep if it is still there. */
static void remove_key(struct vepoll *ep, struct vepoll_source *src, int fd,
                       int grace)
{
    struct vepoll__reg *r;
    int fast = vepoll__token_enter(&ep->tok);
    r = vepoll__table_find(&ep->table, src, fd);
    if (r) {
        vepoll__table_remove(&ep->table, r);
        vepoll__instance_detach(ep, r, grace);
    }
    vepoll__token_leave(&ep->tok, fast);
}

/* Removes every registration of src from every instance.  An instance's
 * own source may have producers inside its fan-out (the inner instance's
 * propagation): wait for them.  A plain source has none (instance.h). */
static void detach_all(struct vepoll_source *src)
{
    int grace = vepoll__source_computed(src) ? VEPOLL__GRACE_WAIT
                                             : VEPOLL__GRACE_NONE;
    for (;;) {
        struct vepoll__reg *r;
        struct vepoll *ep;
        int fd;
        vepoll__source_lock(src);
        r = (struct vepoll__reg *)AO_load(&src->watchers);
        if (!r) {
            vepoll__source_unlock(src);
            return;
        }
        /* r may be freed as soon as the lock drops: copy the key and pin
         * the instance, then let the instance find it under its mutex. */
        ep = vepoll__reg_instance(r, vepoll__reg_state(r));
        fd = r->fd;
        vepoll__instance_ref(ep);
        vepoll__source_unlock(src);
        remove_key(ep, src, fd, grace);
        vepoll__instance_unref(ep);
    }
}

void vepoll_source_close(vepoll_source_t *src)
{
    if (!src || vepoll__source_computed(src))
        return; /* an instance's source dies with vepoll_close */
    detach_all(src);
    /* A producer enters a section of src only from an update of src, and
     * none may run now (the API's rule): no grace period of the per-thread
     * sections, for the registrations (VEPOLL__GRACE_NONE) or the source.
     * The counters are drained all the same (no syscall). */
    vepoll__source_lock(src);
    vepoll__source_synchronize_counters(src);
    vepoll__source_unlock(src);
    vepoll__free(src, sizeof(*src));
}

int vepoll_close(vepoll_t *ep)
{
    struct vepoll__reg *r;
    size_t cursor = 0;
    int i, fast;
    if (!ep)
        return -EBADF;
    AO_store_full(&ep->closed, 1);
    /* Leave the outer instances first: their tokens come before ours. */
    detach_all(&ep->self);
    fast = vepoll__token_enter(&ep->tok);
    /* One wait for the per-thread readers for all the registrations (one
     * membarrier, not one per registration): the unqueued dead ones join
     * the retired list, and the flush runs its grace period even when the
     * list is empty, because the queued ones are freed below. */
    while ((r = vepoll__table_drain(&ep->table, &cursor)))
        if (!(unlink_killed(ep, r) & VEPOLL__REG_ENQ))
            vepoll__retire_push(ep, r);
    vepoll__retire_flush(ep);
    vepoll__table_destroy(&ep->table);
    vepoll__readyq_collect(&ep->q);
    while ((r = vepoll__readyq_pop(&ep->q)))
        vepoll__reg_free(&ep->regs, r); /* all DEAD, and past the grace period */
    vepoll__token_leave(&ep->tok, fast);
    vepoll__park_wake(&ep->park, 1);

    pthread_mutex_lock(&list_mu);
    for (i = 0; i < VEPOLL__ST_COUNT; i++)
        closed_totals[i] += AO_load(&ep->stats[i]);
    if (ep->prev)
        ep->prev->next = ep->next;
    else
        list_head = ep->next;
    if (ep->next)
        ep->next->prev = ep->prev;
    pthread_mutex_unlock(&list_mu);
    vepoll__instance_unref(ep);
    return 0;
}

vepoll_source_t *vepoll_as_source(vepoll_t *ep)
{
    return ep ? &ep->self : NULL;
}

int vepoll_set_wakeup(vepoll_t *ep, void (*fn)(void *arg), void *arg)
{
    int how;
    if (!ep)
        return -EBADF;
    how = vepoll__instance_enter(ep);
    AO_store_full(&ep->wake_fn, 0);
    while (AO_load_full(&ep->fn_busy))
        sched_yield();
    AO_store(&ep->wake_arg, (AO_t)arg);
    AO_store_release(&ep->wake_fn, (AO_t)fn);
    vepoll__instance_leave(ep, how);
    return 0;
}

int vepoll_set_spin(vepoll_t *ep, int64_t spin_ns)
{
    if (!ep)
        return -EBADF;
    if (spin_ns < 0)
        return -EINVAL;
    AO_store(&ep->spin_ns, (AO_t)spin_ns);
    return 0;
}

static void fill(struct vepoll_stats *out, const uint64_t v[VEPOLL__ST_COUNT])
{
    /* One relaxed increment per attempt, into exactly one of the two
     * counters, so the sum can never fall below dedupe_hits. */
    out->enqueue_attempts = v[VEPOLL__ST_QUEUED] + v[VEPOLL__ST_DEDUPE];
    out->dedupe_hits = v[VEPOLL__ST_DEDUPE];
    out->stale_generation_drops = v[VEPOLL__ST_STALE];
    out->empty_dequeues = v[VEPOLL__ST_EMPTY];
}

int vepoll_get_stats(const vepoll_t *ep, struct vepoll_stats *out)
{
    uint64_t v[VEPOLL__ST_COUNT];
    int i;
    if (!out)
        return -EINVAL;
    if (ep) {
        for (i = 0; i < VEPOLL__ST_COUNT; i++)
            v[i] = AO_load((volatile AO_t *)&ep->stats[i]);
    } else {
        struct vepoll *it;
        pthread_mutex_lock(&list_mu);
        memcpy(v, closed_totals, sizeof(v));
        for (it = list_head; it; it = it->next)
            for (i = 0; i < VEPOLL__ST_COUNT; i++)
                v[i] += AO_load(&it->stats[i]);
        pthread_mutex_unlock(&list_mu);
    }
    fill(out, v);
    return 0;
}
