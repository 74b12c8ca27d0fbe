/*
 * Nesting graph, loop and depth checks (Linux's ep_loop_check), and polling
 * an instance as a source.  See nest.h for the locking.
 */
#include "nest.h"

#include <errno.h>
#include <pthread.h>

#include "harvest.h"
#include "instance.h"
#include "registration.h"
#include "vepoll_core.h"

static pthread_mutex_t nest_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned long nest_visit; /* bumped per walk, under nest_mu */

/* Instances on the longest path from ep along its children (down) or its
 * parents (up), ep included, or a value > VEPOLL__MAX_NEST_PATH when
 * `target` is on the way (a cycle).  Memoised per walk (nest_visit), so a
 * wide diamond costs O(edges). */
static int longest_path(struct vepoll *ep, int down, struct vepoll *target)
{
    const struct vepoll__nest *links = down ? &ep->children : &ep->parents;
    size_t i;
    int best = 0;
    if (ep == target)
        return VEPOLL__MAX_NEST_PATH + 100;
    if (ep->visit == nest_visit)
        return ep->memo;
    for (i = 0; i < links->n; i++) {
        int d = longest_path(links->v[i], down, target);
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
    down = longest_path(inner, 1, outer);
    nest_visit++;
    up = longest_path(outer, 0, NULL);
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

/* Under nest_mu: ep and its ancestors become kern; the parents of an
 * instance that is kern already are too (the flag is set on the way up). */
static void mark_up_locked(struct vepoll *ep)
{
    size_t i;
    if (AO_load(&ep->kern))
        return;
    AO_store_full(&ep->kern, 1);
    /* A thread parked before the flag sleeps on the futex alone: it must
     * come back and wait in the kernel (kpark.h). */
    vepoll__park_wake(&ep->park, 1);
    for (i = 0; i < ep->parents.n; i++)
        mark_up_locked(ep->parents.v[i]);
}

void vepoll__nest_mark_kernel(struct vepoll *ep)
{
    pthread_mutex_lock(&nest_mu);
    mark_up_locked(ep);
    pthread_mutex_unlock(&nest_mu);
}

/* Linux's ep_eventpoll_poll: walk the ready list up to the first entry that
 * has something to report; the entries before it that have nothing are
 * dropped from the list (so a later MOD or event queues them afresh and
 * wakes the outer instances, as on Linux).  Dropping is the harvest's
 * "leave the queue" step (harvest.c), keeping any readiness it finds: a poll
 * never consumes an event (S121). */
uint32_t vepoll__nest_poll_locked(struct vepoll *ep, int depth)
{
    struct vepoll__readyq *q = &ep->q;
    struct vepoll__reg *prev = NULL, *r, *next;
    if (depth > VEPOLL__MAX_NEST_PATH)
        return 0;
    vepoll__readyq_collect(q);
    for (r = q->head; r; r = next) {
        int requeue = 0;
        next = vepoll__readyq_next(q, r);
        if (vepoll__reg_state(r) & VEPOLL__REG_DEAD) {
            prev = r; /* the harvest frees it */
            continue;
        }
        if (vepoll__source_poll(r->src, depth + 1) & vepoll__reg_events(r) &
            VEPOLL__EVENT_BITS)
            return VEPOLL_IN | VEPOLL_RDNORM;
        vepoll__readyq_unlink(q, prev, r);
        if (vepoll__harvest_leave(ep, r, depth + 1, 1, &requeue)) {
            if (requeue)
                vepoll__readyq_insert_after(q, prev, r);
            return VEPOLL_IN | VEPOLL_RDNORM; /* queued here or by a producer */
        }
    }
    return 0;
}

uint32_t vepoll__nest_poll_source(const struct vepoll_source *src, int depth)
{
    struct vepoll *ep = vepoll__nest_owner(src);
    uint32_t rc;
    int fast = vepoll__token_enter(&ep->tok);
    rc = vepoll__nest_poll_locked(ep, depth);
    vepoll__token_leave(&ep->tok, fast);
    return rc;
}
