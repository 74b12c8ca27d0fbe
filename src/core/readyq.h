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
 * Concurrency: push from any thread (full barrier, pairs with the consumer's
 * take of the inbox); everything else under the instance mutex.  A node is
 * in the queue at most once: only the winner of the ENQUEUED bit pushes it
 * (registration.h).  A level-triggered entry that a harvest reports stays
 * ENQUEUED and moves to the private tail without any atomic operation
 * (requeue_private); a harvest looks at no more entries than the private
 * FIFO held when it started, so a moved entry is reported once per call.
 */
#ifndef VEPOLL_READYQ_H
#define VEPOLL_READYQ_H

#include <atomic_ops.h>
#include <stdbool.h>

struct vepoll__reg;

struct vepoll__readyq {
    AO_t inbox;               /* struct vepoll__reg *, newest first */
    struct vepoll__reg *head; /* private FIFO, oldest first */
    struct vepoll__reg *tail;
    size_t count;             /* entries in the private FIFO */
};

void vepoll__readyq_push(struct vepoll__readyq *q, struct vepoll__reg *r);
/* Instance mutex: move the inbox to the tail of the private FIFO. */
void vepoll__readyq_collect(struct vepoll__readyq *q);
/* Instance mutex: pop the oldest private entry (collect first). */
struct vepoll__reg *vepoll__readyq_pop(struct vepoll__readyq *q);
/* Instance mutex: append r (already ENQUEUED, just popped) to the tail. */
void vepoll__readyq_requeue_private(struct vepoll__readyq *q,
                                    struct vepoll__reg *r);
/* Instance mutex: remove r from the private FIFO; prev is its predecessor
 * (NULL: r is the head). */
void vepoll__readyq_unlink(struct vepoll__readyq *q, struct vepoll__reg *prev,
                           struct vepoll__reg *r);
/* Instance mutex: put r (ENQUEUED, not in the queue) back into the private
 * FIFO right after prev (NULL: at the head), where unlink took it from. */
void vepoll__readyq_insert_after(struct vepoll__readyq *q,
                                 struct vepoll__reg *prev,
                                 struct vepoll__reg *r);
/* Instance mutex: anything queued (private or inbox)? */
bool vepoll__readyq_busy(const struct vepoll__readyq *q);
/* Any thread: has a producer pushed since the last collect? */
static inline bool vepoll__readyq_inbox_busy(const struct vepoll__readyq *q)
{
    return AO_load((volatile AO_t *)&q->inbox) != 0;
}

#endif
