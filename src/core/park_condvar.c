/*
 * Portable back end of park.h: a mutex + condition variable on
 * CLOCK_MONOTONIC.  The waiter re-checks `seq` under the mutex and the waker
 * bumps `seq` before taking the same mutex to signal, so a bump between the
 * waiter's snapshot and its sleep is always seen.
 */
#include "park.h"

#include "vepoll_core.h"

#include <atomic_ops.h>
#include <errno.h>

int vepoll__park_init(struct vepoll__park *p)
{
    p->seq = 0;
    return vepoll__monocond_init(&p->mu, &p->cv);
}

void vepoll__park_destroy(struct vepoll__park *p)
{
    vepoll__monocond_destroy(&p->mu, &p->cv);
}

unsigned int vepoll__park_prepare(struct vepoll__park *p)
{
    return AO_int_load_acquire(&p->seq);
}

int vepoll__park_wait(struct vepoll__park *p, unsigned int seq,
                      const struct timespec *deadline)
{
    int rc = 0;
    pthread_mutex_lock(&p->mu);
    while (AO_int_load_acquire(&p->seq) == seq && rc != ETIMEDOUT)
        rc = deadline ? pthread_cond_timedwait(&p->cv, &p->mu, deadline)
                      : pthread_cond_wait(&p->cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
    return rc == ETIMEDOUT ? -ETIMEDOUT : 0;
}

void vepoll__park_wake(struct vepoll__park *p, int all)
{
    AO_int_fetch_and_add1_full(&p->seq);
    pthread_mutex_lock(&p->mu);
    if (all)
        pthread_cond_broadcast(&p->cv);
    else
        pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}
