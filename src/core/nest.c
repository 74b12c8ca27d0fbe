/*
 * Nesting graph, loop and depth checks (Linux's ep_loop_check), and polling
 * an instance as a source.  See nest.h for the locking.
 */
#include "nest.h"

#include <errno.h>
#include <pthread.h>

#include "vepoll_core.h"
#include "instance.h"
#include "registration.h"

static pthread_mutex_t nest_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned long nest_visit; /* bumped per walk, under nest_mu */

/* Instances on the longest downward path starting at ep (ep included), or
 * a value > VEPOLL__MAX_NEST_PATH when `target` is reachable (a cycle).
 * Memoised per walk so a wide diamond costs O(edges). */
static int depth_down(struct vepoll *ep, struct vepoll *target)
{
    size_t i;
    int best = 0;
    if (ep == target)
        return VEPOLL__MAX_NEST_PATH + 100;
    if (ep->visit == nest_visit)
        return ep->memo;
    for (i = 0; i < ep->children.n; i++) {
        int d = depth_down(ep->children.v[i], target);
        if (d > best)
            best = d;
    }
    ep->visit = nest_visit;
    ep->memo = best + 1;
    return ep->memo;
}

static int depth_up(struct vepoll *ep)
{
    size_t i;
    int best = 0;
    if (ep->visit == nest_visit)
        return ep->memo;
    for (i = 0; i < ep->parents.n; i++) {
        int d = depth_up(ep->parents.v[i]);
        if (d > best)
            best = d;
    }
    ep->visit = nest_visit;
    ep->memo = best + 1;
    return ep->memo;
}

static int reserve(struct vepoll__nest *n)
{
    struct vepoll **v;
    size_t cap, i;
    if (n->n < n->cap)
        return 0;
    cap = n->cap ? n->cap * 2 : 4;
    v = vepoll__alloc(cap * sizeof(*v));
    if (!v)
        return -ENOMEM;
    for (i = 0; i < n->n; i++)
        v[i] = n->v[i];
    vepoll__free(n->v, n->cap * sizeof(*v));
    n->v = v;
    n->cap = cap;
    return 0;
}

static void drop(struct vepoll__nest *n, struct vepoll *ep)
{
    size_t i;
    for (i = 0; i < n->n; i++) {
        if (n->v[i] == ep) {
            n->v[i] = n->v[--n->n];
            break;
        }
    }
    if (!n->n) {
        vepoll__free(n->v, n->cap * sizeof(*n->v));
        n->v = NULL;
        n->cap = 0;
    }
}

static int link_or_check(struct vepoll *outer, struct vepoll *inner, int commit)
{
    int down, up, rc = 0;
    pthread_mutex_lock(&nest_mu);
    nest_visit++;
    down = depth_down(inner, outer);
    nest_visit++;
    up = depth_up(outer);
    if (down + up > VEPOLL__MAX_NEST_PATH) {
        rc = -ELOOP;
        goto out;
    }
    if (!commit)
        goto out;
    if ((rc = reserve(&outer->children)) || (rc = reserve(&inner->parents)))
        goto out; /* a reserved slot is kept for next time: no state change */
    outer->children.v[outer->children.n++] = inner;
    inner->parents.v[inner->parents.n++] = outer;
out:
    pthread_mutex_unlock(&nest_mu);
    return rc;
}

int vepoll__nest_check(struct vepoll *outer, struct vepoll *inner)
{
    return link_or_check(outer, inner, 0);
}

int vepoll__nest_link(struct vepoll *outer, struct vepoll *inner)
{
    return link_or_check(outer, inner, 1);
}

void vepoll__nest_unlink(struct vepoll *outer, struct vepoll *inner)
{
    pthread_mutex_lock(&nest_mu);
    drop(&outer->children, inner);
    drop(&inner->parents, outer);
    pthread_mutex_unlock(&nest_mu);
}

/* Linux's ep_eventpoll_poll: walk the ready list up to the first entry that
 * has something to report; the entries before it that have nothing are
 * dropped from the list (so a later MOD or event queues them afresh and
 * wakes the outer instances, as on Linux).  Dropping is the harvest's
 * "leaving the queue" step: unlink, then take before the re-check inside the
 * source's write section, so an event that races with it queues it again. */
uint32_t vepoll__nest_poll_locked(struct vepoll *ep, int depth)
{
    struct vepoll__readyq *q = &ep->q;
    struct vepoll__reg *prev = NULL, *r, *next;
    if (depth > VEPOLL__MAX_NEST_PATH)
        return 0;
    vepoll__readyq_collect(q);
    for (r = q->head; r; r = next) {
        unsigned int m;
        int ready;
        next = (struct vepoll__reg *)AO_load(&r->qnext);
        if (AO_load(&r->state) & VEPOLL__REG_DEAD) {
            prev = r; /* the harvest frees it */
            continue;
        }
        m = vepoll__reg_events(r);
        if (vepoll__source_poll(r->src, depth + 1) & m & VEPOLL__EVENT_BITS)
            return VEPOLL_IN | VEPOLL_RDNORM;
        vepoll__readyq_unlink(q, prev, r);
        vepoll__source_write_begin(r->src);
        vepoll__reg_take(r);
        ready = (vepoll__source_poll(r->src, depth + 1) & m &
                 VEPOLL__EVENT_BITS) != 0;
        if (ready && vepoll__reg_claim(r, 0))
            vepoll__readyq_insert_after(q, prev, r);
        vepoll__source_write_end(r->src);
        if (ready)
            return VEPOLL_IN | VEPOLL_RDNORM; /* queued here or by a producer */
        vepoll__stat(ep, VEPOLL__ST_EMPTY);
    }
    return 0;
}

uint32_t vepoll__nest_poll(struct vepoll *ep, int depth)
{
    uint32_t rc;
    pthread_mutex_lock(&ep->mu);
    rc = vepoll__nest_poll_locked(ep, depth);
    pthread_mutex_unlock(&ep->mu);
    return rc;
}
