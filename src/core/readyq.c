/* Ready queue; the protocol is in readyq.h. */
#include "readyq.h"

#include "registration.h"

void vepoll__readyq_push(struct vepoll__readyq *q, struct vepoll__reg *r)
{
    AO_t link = vepoll__reg_link(r), h;
    /* qnext is read only by the token holder after its take of the inbox,
     * which synchronises with this CAS: a plain store is enough. */
    do {
        h = AO_load(&q->inbox);
        r->qnext = (unsigned int)h;
    } while (!AO_compare_and_swap_full(&q->inbox, h, link));
}

void vepoll__readyq_collect_inbox(struct vepoll__readyq *q)
{
    struct vepoll__reg *r, *first;
    unsigned int fifo = 0, next;
    AO_t h;
    /* Acquire pairs with the push CAS.  (A waiter's store-load pair with the
     * producer is ordered by the fence after its nwaiters increment: wait.c.) */
    do {
        h = AO_load_acquire(&q->inbox);
        if (!h)
            return;
    } while (!AO_compare_and_swap_full(&q->inbox, h, 0));
    first = r = vepoll__reg_at(q->slab, (unsigned int)h);
    for (;;) { /* reverse: newest-first -> oldest-first */
        next = r->qnext;
        r->qnext = fifo;
        fifo = (unsigned int)h;
        q->count++;
        if (!next)
            break;
        h = next;
        r = vepoll__reg_at(q->slab, next);
    }
    if (q->tail)
        q->tail->qnext = fifo;
    else
        q->head = r;
    q->tail = first;
}

void vepoll__readyq_unlink(struct vepoll__readyq *q, struct vepoll__reg *prev,
                           struct vepoll__reg *r)
{
    if (prev)
        prev->qnext = r->qnext;
    else
        q->head = vepoll__readyq_next(q, r);
    if (q->tail == r)
        q->tail = prev;
    q->count--;
}

void vepoll__readyq_insert_after(struct vepoll__readyq *q,
                                 struct vepoll__reg *prev,
                                 struct vepoll__reg *r)
{
    unsigned int next = prev ? prev->qnext : q->head ? vepoll__reg_link(q->head) : 0;
    r->qnext = next;
    if (prev)
        prev->qnext = vepoll__reg_link(r);
    else
        q->head = r;
    if (!next)
        q->tail = r;
    q->count++;
}
