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

void vepoll__readyq_collect(struct vepoll__readyq *q)
{
    struct vepoll__reg *lifo, *fifo = NULL, *first;
    AO_t h;
    /* A full load: a waiter increments nwaiters and then looks here; the
     * producer pushes and then reads nwaiters (park.h). */
    do {
        h = AO_load_full(&q->inbox);
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
    }
    if (q->tail)
        AO_store(&q->tail->qnext, (AO_t)fifo);
    else
        q->head = fifo;
    q->tail = first;
}

struct vepoll__reg *vepoll__readyq_pop(struct vepoll__readyq *q)
{
    struct vepoll__reg *r = q->head;
    if (r) {
        q->head = (struct vepoll__reg *)AO_load(&r->qnext);
        if (!q->head)
            q->tail = NULL;
    }
    return r;
}

bool vepoll__readyq_busy(const struct vepoll__readyq *q)
{
    return q->head || vepoll__readyq_inbox_busy(q);
}
