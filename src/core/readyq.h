/*
 * Ready queue: the FIFO of registrations an instance has to look at.
 *
 * Two parts:
 * - `inbox`: a lock-free LIFO (Treiber stack, Linux llist style) that any
 *   thread pushes onto with one CAS loop.  Push publishes a fully linked node
 *   in a single step, so there is no "mid-push" window in which the consumer
 *   would see a non-empty queue it cannot pop (the weakness of Vyukov's
 *   MPSC).  Being push-only plus take-all, it is ABA-free.
 * - `head`/`tail`: a consumer-private FIFO, touched only under the instance
 *   mutex.  Taking the inbox reverses it and appends it, so the order of the
 *   whole queue is the order in which registrations became ready.
 *
 * Links are registration handles + 1 (registration.h: 4 bytes in each
 * node); the inbox word holds the link of the newest push.  Turning a link
 * back into a node reads the instance's slab directory, which only the
 * token holder does: a producer pushes its own node, whose link it computes
 * from the node itself.
 *
 * Concurrency: push from any thread (full barrier, pairs with the consumer's
 * take of the inbox); everything else under the instance's token.  A node is
 * in the queue at most once: only the winner of the ENQUEUED bit pushes it
 * (registration.h).  A level-triggered entry that a harvest reports stays
 * ENQUEUED and moves to the private tail without any atomic operation (a
 * run spliced back after the harvest); a harvest looks at no more entries
 * than the private FIFO held when it started, so a moved entry is reported
 * once per call.
 */
#ifndef VEPOLL_READYQ_H
#define VEPOLL_READYQ_H

#include <atomic_ops.h>
#include <stdbool.h>
#include <stddef.h>

#include "registration.h"

struct vepoll__readyq {
    AO_t inbox;               /* link of the newest pushed node, 0: empty */
    struct vepoll__reg *head; /* private FIFO, oldest first */
    struct vepoll__reg *tail;
    size_t count;             /* entries in the private FIFO */
    const struct vepoll__slab *slab; /* the instance's registrations */
};

static inline void vepoll__readyq_init(struct vepoll__readyq *q,
                                       const struct vepoll__slab *slab)
{
    AO_store(&q->inbox, 0);
    q->head = q->tail = NULL;
    q->count = 0;
    q->slab = slab;
}

void vepoll__readyq_push(struct vepoll__readyq *q, struct vepoll__reg *r);
void vepoll__readyq_collect_inbox(struct vepoll__readyq *q);
/* Instance token: move the inbox to the tail of the private FIFO. */
static inline void vepoll__readyq_collect(struct vepoll__readyq *q)
{
    /* A plain load first: the common empty inbox costs no RMW. */
    if (AO_load(&q->inbox))
        vepoll__readyq_collect_inbox(q);
}

/* Instance token: the entry after r in the private FIFO, or NULL. */
static inline struct vepoll__reg *vepoll__readyq_next(const struct vepoll__readyq *q,
                                                      const struct vepoll__reg *r)
{
    return vepoll__reg_at(q->slab, r->qnext);
}

/* Instance token: pop the oldest private entry (collect first); NULL if
 * the private FIFO is empty. */
static inline struct vepoll__reg *vepoll__readyq_pop(struct vepoll__readyq *q)
{
    struct vepoll__reg *r = q->head;
    if (r) {
        q->head = vepoll__readyq_next(q, r);
        if (!q->head)
            q->tail = NULL;
        q->count--;
    }
    return r;
}

/* A run of popped entries that stay queued (ENQUEUED), kept in order and
 * put back at the tail in one splice (the harvest's LT rotation). */
struct vepoll__readyq_run {
    struct vepoll__reg *head, *tail;
    size_t count;
};

/* r at the tail of the list (head, tail, count): a run or the private
 * FIFO. */
static inline void vepoll__readyq_list_add(struct vepoll__reg **head,
                                           struct vepoll__reg **tail,
                                           size_t *count, struct vepoll__reg *r)
{
    r->qnext = 0;
    if (*tail)
        (*tail)->qnext = vepoll__reg_link(r);
    else
        *head = r;
    *tail = r;
    ++*count;
}

static inline void vepoll__readyq_run_add(struct vepoll__readyq_run *run,
                                          struct vepoll__reg *r)
{
    vepoll__readyq_list_add(&run->head, &run->tail, &run->count, r);
}

/* Instance token: r (ENQUEUED, in no queue) at the tail of the private
 * FIFO: a run of one, without the run. */
static inline void vepoll__readyq_append(struct vepoll__readyq *q,
                                         struct vepoll__reg *r)
{
    vepoll__readyq_list_add(&q->head, &q->tail, &q->count, r);
}

/* Instance token: append the run at the tail of the private FIFO. */
static inline void vepoll__readyq_splice(struct vepoll__readyq *q,
                                         const struct vepoll__readyq_run *run)
{
    if (!run->head)
        return;
    if (q->tail)
        q->tail->qnext = vepoll__reg_link(run->head);
    else
        q->head = run->head;
    q->tail = run->tail;
    q->count += run->count;
}

/* Instance token: remove r from the private FIFO; prev is its predecessor
 * (NULL: r is the head). */
void vepoll__readyq_unlink(struct vepoll__readyq *q, struct vepoll__reg *prev,
                           struct vepoll__reg *r);
/* Instance token: put r (ENQUEUED, not in the queue) back into the private
 * FIFO right after prev (NULL: at the head), where unlink took it from. */
void vepoll__readyq_insert_after(struct vepoll__readyq *q,
                                 struct vepoll__reg *prev,
                                 struct vepoll__reg *r);
/* Instance token: anything queued (private or inbox)? */
static inline bool vepoll__readyq_busy(const struct vepoll__readyq *q)
{
    return q->head || AO_load((volatile AO_t *)&q->inbox) != 0;
}
/* Any thread: has a producer pushed since the last collect? */
static inline bool vepoll__readyq_inbox_busy(const struct vepoll__readyq *q)
{
    return AO_load((volatile AO_t *)&q->inbox) != 0;
}

#endif
