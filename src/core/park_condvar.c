/*
 * Portable back end of park.h: a mutex + condition variable on
 * CLOCK_MONOTONIC.  The waiter re-checks `seq` under the mutex and the waker
 * bumps `seq` before taking the same mutex to signal, so a bump between the
 * waiter's snapshot and its sleep is always seen.
 */
#include "park.h"

#include "intr.h"
#include "kwait.h"

#include "vepoll_core.h"

#include <atomic_ops.h>
#include <errno.h>

int vepoll__park_init(struct vepoll__park *p)
{
    p->seq = 0;
    AO_store(&p->kring, 0);
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

/* While an interrupt handle is bound, sleep at most this long at a time: a
 * raise from a signal handler cannot signal the condition variable. */
#define SLICE_NS (10 * INT64_C(1000000))

int vepoll__park_wait(struct vepoll__park *p, unsigned int seq,
                      const struct timespec *deadline)
{
    int rc = vepoll__intr_sleep_begin(&p->seq), wrc = 0, sliced = 0;
    if (rc)
        return rc;
    pthread_mutex_lock(&p->mu);
    while (AO_int_load_acquire(&p->seq) == seq && !vepoll__intr_pending_self()) {
        const struct timespec *until = deadline;
        struct timespec slice;
        if (vepoll__intr_self) {
            int64_t end = vepoll__deadline_ns(SLICE_NS);
            slice = vepoll__timespec(end);
            if (!deadline || deadline->tv_sec > slice.tv_sec ||
                (deadline->tv_sec == slice.tv_sec &&
                 deadline->tv_nsec > slice.tv_nsec)) {
                until = &slice;
                sliced = 1;
            } else {
                sliced = 0;
            }
        }
        wrc = until ? pthread_cond_timedwait(&p->cv, &p->mu, until)
                    : pthread_cond_wait(&p->cv, &p->mu);
        if (wrc == ETIMEDOUT && !sliced)
            break;
    }
    pthread_mutex_unlock(&p->mu);
    rc = vepoll__intr_sleep_end();
    if (rc)
        return rc;
    return wrc == ETIMEDOUT && !sliced ? -ETIMEDOUT : 0;
}

static void kick(unsigned int *seq)
{
    AO_int_fetch_and_add1_full(seq); /* the sleeper's next slice sees it */
}

int vepoll_intr_raise(vepoll_intr_t *h)
{
    return vepoll__intr_raise(h, kick);
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
    if (AO_load(&p->kring))
        vepoll__kwait_ring();
}
