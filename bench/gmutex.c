/* The plain global-mutex epoll baseline; see gmutex.h. */
#include "gmutex.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#define ALWAYS (VEPOLL_ERR | VEPOLL_HUP)

struct gm_reg {
    struct gm_reg *snext;  /* the source's registrations */
    struct gm_reg *qnext;  /* the instance's FIFO */
    struct gm_reg *anext;  /* every registration of the instance */
    struct gm_state *ep;
    struct gm_source *src;
    uint32_t events;
    int queued;
    uint64_t data;
};

struct gm_source {
    uint32_t ready;
    struct gm_reg *watchers;
};

struct gm_state {
    struct gm_reg *head, *tail;
    size_t count;
    pthread_cond_t cv;
    int waiters;
    struct gm_reg *regs; /* every registration, for destroy */
};

static pthread_mutex_t gm_mu = PTHREAD_MUTEX_INITIALIZER;

int gm_create(struct gm_state **out)
{
    struct gm_state *ep = calloc(1, sizeof(*ep));
    pthread_condattr_t ca;
    if (!ep)
        return -ENOMEM;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&ep->cv, &ca);
    pthread_condattr_destroy(&ca);
    *out = ep;
    return 0;
}

void gm_destroy(struct gm_state *ep)
{
    pthread_mutex_lock(&gm_mu);
    while (ep->regs) {
        struct gm_reg *r = ep->regs, **pp = &r->src->watchers;
        while (*pp != r)
            pp = &(*pp)->snext;
        *pp = r->snext;
        ep->regs = r->anext;
        free(r);
    }
    pthread_mutex_unlock(&gm_mu);
    pthread_cond_destroy(&ep->cv);
    free(ep);
}

int gm_source_create(struct gm_source **out, uint32_t ready)
{
    struct gm_source *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->ready = ready;
    *out = s;
    return 0;
}

void gm_source_destroy(struct gm_source *s)
{
    free(s); /* the benchmarks destroy instances first */
}

/* r joins the ready list at its tail. */
static void append_locked(struct gm_state *ep, struct gm_reg *r)
{
    r->queued = 1;
    r->qnext = NULL;
    if (ep->tail)
        ep->tail->qnext = r;
    else
        ep->head = r;
    ep->tail = r;
    ep->count++;
}

static void enqueue_locked(struct gm_state *ep, struct gm_reg *r)
{
    append_locked(ep, r);
    if (ep->waiters)
        pthread_cond_signal(&ep->cv);
}

int gm_ctl_add(struct gm_state *ep, struct gm_source *src, uint32_t events,
               uint64_t data)
{
    struct gm_reg *r = calloc(1, sizeof(*r));
    if (!r)
        return -ENOMEM;
    r->events = events | ALWAYS;
    r->data = data;
    r->src = src;
    pthread_mutex_lock(&gm_mu);
    r->ep = ep;
    r->snext = src->watchers;
    src->watchers = r;
    r->anext = ep->regs;
    ep->regs = r;
    if (src->ready & r->events)
        enqueue_locked(ep, r);
    pthread_mutex_unlock(&gm_mu);
    return 0;
}

void gm_source_update(struct gm_source *s, uint32_t set, uint32_t clear)
{
    struct gm_reg *r;
    pthread_mutex_lock(&gm_mu);
    s->ready = (s->ready & ~clear) | set;
    for (r = s->watchers; set && r; r = r->snext)
        if (!r->queued && (r->events & set))
            enqueue_locked(r->ep, r);
    pthread_mutex_unlock(&gm_mu);
}

static int harvest_locked(struct gm_state *ep, struct vepoll_event *events,
                          int maxevents)
{
    size_t budget = ep->count;
    int n = 0;
    while (n < maxevents && budget--) {
        struct gm_reg *r = ep->head;
        uint32_t rev = r->src->ready & r->events &
                       ~(uint32_t)(VEPOLL_ET | VEPOLL_ONESHOT);
        ep->head = r->qnext;
        if (!ep->head)
            ep->tail = NULL;
        ep->count--;
        r->queued = 0;
        if (!rev)
            continue;
        events[n].events = rev;
        events[n].data.u64 = r->data;
        n++;
        if (!(r->events & VEPOLL_ET))
            append_locked(ep, r); /* level-triggered: stays, at the tail */
    }
    return n;
}

int gm_wait(struct gm_state *ep, struct vepoll_event *events, int maxevents,
            int64_t timeout_ns)
{
    struct timespec at;
    int n;
    if (timeout_ns > 0) {
        clock_gettime(CLOCK_MONOTONIC, &at);
        at.tv_sec += timeout_ns / 1000000000;
        at.tv_nsec += timeout_ns % 1000000000;
        if (at.tv_nsec >= 1000000000) {
            at.tv_sec++;
            at.tv_nsec -= 1000000000;
        }
    }
    pthread_mutex_lock(&gm_mu);
    while ((n = harvest_locked(ep, events, maxevents)) == 0 && timeout_ns) {
        int rc;
        ep->waiters++;
        rc = timeout_ns < 0 ? pthread_cond_wait(&ep->cv, &gm_mu)
                            : pthread_cond_timedwait(&ep->cv, &gm_mu, &at);
        ep->waiters--;
        if (rc == ETIMEDOUT) {
            n = harvest_locked(ep, events, maxevents);
            break;
        }
    }
    pthread_mutex_unlock(&gm_mu);
    return n;
}
