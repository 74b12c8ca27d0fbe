/*
 * Shared machinery of the ready-made objects.  The concurrency contract is in
 * objwait.h.
 */
#include "objwait.h"
#include "vepoll_core.h"

#include <errno.h>


int vepoll__obj_init(struct vepoll__obj *o, unsigned ends)
{
    o->waiters = 0;
    AO_store(&o->refs, ends);
    return vepoll__monocond_init(&o->mu, &o->cv);
}

void vepoll__obj_destroy(struct vepoll__obj *o)
{
    vepoll__monocond_destroy(&o->mu, &o->cv);
}

void vepoll__obj_enter(struct vepoll__obj *o)
{
    AO_fetch_and_add1_full(&o->refs);
}

int vepoll__obj_leave(struct vepoll__obj *o)
{
    /* Full barrier: the last dropper must see every other thread's writes
     * (made before their own drop) before it destroys the object. */
    return AO_fetch_and_sub1_full(&o->refs) == 1;
}

void vepoll__deadline_init(struct vepoll__deadline *d, int64_t timeout_ns,
                           int nonblock)
{
    if (nonblock || timeout_ns == 0) {
        d->mode = VEPOLL__NOWAIT;
        return;
    }
    if (timeout_ns < 0) {
        d->mode = VEPOLL__FOREVER;
        return;
    }
    d->mode = VEPOLL__TIMED;
    d->at = vepoll__timespec(vepoll__deadline_ns(timeout_ns));
}

int vepoll__obj_wait(struct vepoll__obj *o, const struct vepoll__deadline *d)
{
    int rc;
    o->waiters++;
    if (d->mode == VEPOLL__FOREVER)
        rc = pthread_cond_wait(&o->cv, &o->mu);
    else
        rc = pthread_cond_timedwait(&o->cv, &o->mu, &d->at);
    o->waiters--;
    return rc == ETIMEDOUT ? -ETIMEDOUT : 0;
}

void vepoll__obj_wake(struct vepoll__obj *o)
{
    if (o->waiters)
        pthread_cond_broadcast(&o->cv);
}
