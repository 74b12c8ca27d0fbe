/*
 * The monotonic clock: now, deadlines, timespecs, and condition variables
 * that time out on CLOCK_MONOTONIC.  Every timeout in vepoll (vepoll_wait,
 * the objects' blocking calls, the WASIX adapter's epoll_wait) is turned
 * into an absolute deadline here, once, so a wait that wakes up early and
 * sleeps again never waits longer in total, and none overflows.
 * No shared state: callable from any thread.
 */
#include "vepoll_core.h"

int64_t vepoll__now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * VEPOLL__NS_PER_SEC + ts.tv_nsec;
}

int64_t vepoll__deadline_ns(int64_t timeout_ns)
{
    int64_t now = vepoll__now_ns();
    return timeout_ns > INT64_MAX - now ? INT64_MAX : now + timeout_ns;
}

struct timespec vepoll__timespec(int64_t ns)
{
    struct timespec ts;
    ts.tv_sec = (time_t)(ns / VEPOLL__NS_PER_SEC);
    ts.tv_nsec = (long)(ns % VEPOLL__NS_PER_SEC);
    return ts;
}

int vepoll__monocond_init(pthread_mutex_t *mu, pthread_cond_t *cv)
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

void vepoll__monocond_destroy(pthread_mutex_t *mu, pthread_cond_t *cv)
{
    pthread_cond_destroy(cv);
    pthread_mutex_destroy(mu);
}
