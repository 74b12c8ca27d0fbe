/*
 * Instances that die while the workload runs.
 *
 * Victims: SOAK_VICTIMS instances hold every channel with IN|ET|EXCLUSIVE
 * and have one waiter each, blocked forever.  The victim closer closes one
 * while its waiter is asleep inside vepoll_wait (and producers post to it):
 * the waiter must return -EBADF (or the events it had already taken, or
 * -EINTR), never 0, and nothing may touch the freed instance (the
 * sanitizers watch).  Then a new instance takes its place.
 *
 * The handshake (no thread may *start* a wait on a closed instance): the
 * waiter takes the instance pointer and sets `calling` under v->mu; the
 * closer takes the pointer away under v->mu, then waits until the waiter
 * is either back (`calling` 0) or asleep in the kernel, which it can only be
 * inside vepoll_wait, holding its reference.  Lock order: a channel's regmu
 * before v->mu (soak.h).
 *
 * Sweep: soak.sweep holds every channel (LT) and is never waited on; the
 * sweeper DELs and re-ADDs there, so DEAD entries pile up in its queue
 * until the dead-entry sweep frees them (instance.c).
 */
#include "soak.h"

#include <errno.h>
#include <sched.h>

#include "vtest.h"

int soak_victims_start(void)
{
    int i, rc;
    for (i = 0; i < SOAK_VICTIMS; i++) {
        struct soak_victim *v = &soak.victim[i];
        if (pthread_mutex_init(&v->mu, NULL))
            return -ENOMEM;
        if ((rc = vepoll_create(&v->ep)) != 0)
            return rc;
    }
    return 0;
}

void *soak_victim_waiter(void *arg)
{
    struct soak_victim *v = arg;
    atomic_store(&v->tid, vt_gettid());
    while (!atomic_load(&soak.stop)) {
        struct vepoll_event ev[8];
        vepoll_t *ep;
        int n, i;
        pthread_mutex_lock(&v->mu);
        ep = v->ep;
        if (ep)
            atomic_store(&v->calling, 1);
        pthread_mutex_unlock(&v->mu);
        if (!ep) {
            vt_sleep_ms(1);
            continue;
        }
        n = vepoll_wait(ep, ev, 8, -1);
        atomic_store(&v->calling, 0);
        if (n == -EBADF) {
            atomic_fetch_add(&soak.fig.ebadf_waiters, 1);
        } else if (n == -EINTR) {
            atomic_fetch_add(&soak.fig.eintr, 1);
        } else if (n <= 0) {
            soak_fail(&soak.fig.bad, "victim wait (forever) gave %d", n);
        } else {
            for (i = 0; i < n; i++)
                if (ev[i].events & ~(VEPOLL_IN | VEPOLL_ERR | VEPOLL_HUP))
                    soak_fail(&soak.fig.bad, "victim event bits %#x", ev[i].events);
            atomic_fetch_add(&soak.fig.events, (unsigned)n);
        }
        atomic_fetch_add(&soak.fig.waits, 1);
    }
    atomic_store(&v->done, 1);
    return NULL;
}

/* Takes v's instance away and closes it once its waiter is back or asleep
 * inside the wait; replace: put a new one with every channel in its place. */
static void close_victim(struct soak_victim *v, bool replace)
{
    vepoll_t *ep;
    int i, rc;
    pthread_mutex_lock(&v->mu);
    ep = v->ep;
    v->ep = NULL;
    pthread_mutex_unlock(&v->mu);
    if (!ep)
        return;
    while (atomic_load(&v->calling) && vt_thread_state(atomic_load(&v->tid)) != 'S')
        sched_yield();
    if ((rc = vepoll_close(ep)) != 0)
        soak_fail(&soak.fig.bad, "vepoll_close gave %d", rc);
    atomic_fetch_add(&soak.fig.instance_closes, 1);
    if (!replace)
        return;
    if ((rc = vepoll_create(&ep)) != 0) {
        soak_fail(&soak.fig.bad, "vepoll_create gave %d", rc);
        return;
    }
    for (i = 0; i < SOAK_CHANS; i++) {
        struct soak_chan *c = &soak.chan[i];
        pthread_mutex_lock(&c->regmu);
        if (c->gen) /* 0: between incarnations (cannot happen under regmu) */
            soak_chan_add_to(c, ep, VEPOLL_IN | VEPOLL_ET | VEPOLL_EXCLUSIVE);
        pthread_mutex_unlock(&c->regmu);
    }
    pthread_mutex_lock(&v->mu);
    v->ep = ep;
    pthread_mutex_unlock(&v->mu);
}

void *soak_victim_closer(void *arg)
{
    uint64_t rng = 86028121;
    (void)arg;
    while (!atomic_load(&soak.stop)) {
        soak_pause_point();
        close_victim(&soak.victim[soak_rand(&rng) % SOAK_VICTIMS], true);
        atomic_fetch_add(&soak.fig.ops, 1);
        vt_sleep_ms(30);
    }
    return NULL;
}

/* After soak.stop: close every victim (their waiters return -EBADF and see
 * the stop). */
void soak_victims_stop(void)
{
    int i;
    for (i = 0; i < SOAK_VICTIMS; i++)
        close_victim(&soak.victim[i], false);
}

void *soak_sweeper(void *arg)
{
    uint64_t rng = 122949823;
    (void)arg;
    while (!atomic_load(&soak.stop)) {
        soak_pause_point();
        soak_chan_churn(&soak.chan[soak_rand(&rng) % SOAK_CHANS], 2);
        atomic_fetch_add(&soak.fig.sweeps_driven, 1);
        atomic_fetch_add(&soak.fig.ops, 1);
        vt_sleep_ns(200 * 1000);
    }
    return NULL;
}
