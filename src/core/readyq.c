/* Ready queue; the protocol is in readyq.h. */
#include "readyq.h"

#include "registration.h"

void vepoll__readyq_push(struct vepoll__readyq *q, struct vepoll__reg *r)
{
    AO_t h;
    do {
        h = AO_load(&q->inbox);
        AO_store(&r->qnext, h);
    } while (!AO_compare_and_swap_full(&q->inbox, h, (AO_t)r));
}

void vepoll__readyq_collect_inbox(struct vepoll__readyq *q)
{
    struct vepoll__reg *lifo, *fifo = NULL, *first;
    AO_t h;
    /* Acquire pairs with the push CAS.  (A waiter's store-load pair with the
     * producer is ordered by the fence after its nwaiters increment: wait.c.) */
    do {
        h = AO_load_acquire(&q->inbox);
        if (!h)
            return;
    } while (!AO_compare_and_swap_full(&q->inbox, h, 0));
    lifo = (struct vepoll__reg *)h;
    first = lifo;
    while (lifo) { /* reverse: newest-first -> oldest-first */
        struct vepoll__reg *next = (struct vepoll__reg *)AO_load(&lifo->qnext);
        AO_store(&lifo->qnext, (AO_t)fifo);
        fifo = lifo;
        lifo = next;
        q->count++;
    }
    if (q->tail)
        AO_store(&q->tail->qnext, (AO_t)fifo);
    else
        q->head = fifo;
    q->tail = first;
}

void vepoll__readyq_unlink(struct vepoll__readyq *q, struct vepoll__reg *prev,
                           struct vepoll__reg *r)
{
    struct vepoll__reg *next = (struct vepoll__reg *)AO_load(&r->qnext);
    if (prev)
        AO_store(&prev->qnext, (AO_t)next);
    else
        q->head = next;
    if (q->tail == r)
        q->tail = prev;
    q->count--;
}

void vepoll__readyq_insert_after(struct vepoll__readyq *q,
                                 struct vepoll__reg *prev,
                                 struct vepoll__reg *r)
{
    struct vepoll__reg *next =
        prev ? (struct vepoll__reg *)AO_load(&prev->qnext) : q->head;
    AO_store(&r->qnext, (AO_t)next);
    if (prev)
        AO_store(&prev->qnext, (AO_t)r);
    else
        q->head = r;
    if (!next)
        q->tail = r;
    q->count++;
}
