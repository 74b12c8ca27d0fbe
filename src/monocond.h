/*
 * A mutex and a condition variable that times out on CLOCK_MONOTONIC (a
 * deadline must not move with the wall clock).  Shared by the portable
 * parking back end (park_condvar.c) and the objects' blocking calls
 * (objwait.c).
 */
#ifndef VEPOLL_MONOCOND_H
#define VEPOLL_MONOCOND_H

#include <pthread.h>
#include <time.h>

/* 0, or a negative errno with nothing left initialised. */
static inline int vepoll__monocond_init(pthread_mutex_t *mu,
                                        pthread_cond_t *cv)
{
    pthread_condattr_t ca;
    int rc = pthread_mutex_init(mu, NULL);
    if (rc)
        return -rc;
    rc = pthread_condattr_init(&ca);
    if (rc)
        goto err_mutex;
    rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (!rc)
        rc = pthread_cond_init(cv, &ca);
    pthread_condattr_destroy(&ca);
    if (rc)
        goto err_mutex;
    return 0;
err_mutex:
    pthread_mutex_destroy(mu);
    return -rc;
}

static inline void vepoll__monocond_destroy(pthread_mutex_t *mu,
                                            pthread_cond_t *cv)
{
    pthread_cond_destroy(cv);
    pthread_mutex_destroy(mu);
}

#endif
