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
 * full-barrier take of the inbox); everything else under the instance mutex.
 * A node is in the queue at most once: only the winner of the ENQUEUED bit
 * pushes it (registration.h).  Items pushed while a harvest runs land in the
 * inbox and are not seen by that harvest, which is what keeps a
 * level-triggered entry that the harvest itself re-queues from being reported
 * twice in one call.
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
};

void vepoll__readyq_push(struct vepoll__readyq *q, struct vepoll__reg *r);
/* Instance mutex: move the inbox to the tail of the private FIFO. */
void vepoll__readyq_collect(struct vepoll__readyq *q);
/* Instance mutex: pop the oldest private entry (collect first). */
struct vepoll__reg *vepoll__readyq_pop(struct vepoll__readyq *q);
/* Instance mutex: anything queued (private or inbox)? */
bool vepoll__readyq_busy(const struct vepoll__readyq *q);
/* Any thread: has a producer pushed since the last collect? */
static inline bool vepoll__readyq_inbox_busy(const struct vepoll__readyq *q)
{
    return AO_load((volatile AO_t *)&q->inbox) != 0;
}

#endif
