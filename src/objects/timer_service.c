/*
 * The timer service: a pairing heap of deadlines and one thread per clock
 * base (timer_service.h has the concurrency contract).  The pairing heap is
 * intrusive, so arming and disarming never allocate; insert is O(1), pop and
 * removal O(log n) amortised.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <time.h>

#include "timer_service.h"
#include "vepoll_core.h"

struct vepoll__timer_base {
    pthread_mutex_t mu;
    pthread_cond_t cv;   /* the thread sleeps here (clock of the base) */
    pthread_cond_t idle; /* quiesce waits here for `firing` to change */
    int conds_ready;     /* cv and idle initialised (once, under mu) */
    clockid_t clock;
    struct vepoll__timer *root;
    struct vepoll__timer *firing; /* popped, inside fire (or about to be) */
    unsigned users;
    int running;
};

static struct vepoll__timer_base bases[2] = {
    [VEPOLL__TIMER_MONO] = {.mu = PTHREAD_MUTEX_INITIALIZER, .clock = CLOCK_MONOTONIC},
    [VEPOLL__TIMER_REAL] = {.mu = PTHREAD_MUTEX_INITIALIZER, .clock = CLOCK_REALTIME},
};

/* ---- the pairing heap (under the base's mu) -------------------------------- */

/* Two heaps as one; the later deadline becomes the first child. */
static struct vepoll__timer *meld(struct vepoll__timer *a, struct vepoll__timer *b)
{
    struct vepoll__timer *t;
    if (!a)
        return b;
    if (!b)
        return a;
    if (b->when < a->when) {
        t = a;
        a = b;
        b = t;
    }
    b->prev = a;
    b->next = a->child;
    if (a->child)
        a->child->prev = b;
    a->child = b;
    return a;
}

/* The children list starting at `first` as one heap (the two passes). */
static struct vepoll__timer *merge_pairs(struct vepoll__timer *first)
{
    struct vepoll__timer *pairs = NULL, *root = NULL, *a, *b, *rest;
    while (first) { /* left to right: meld neighbours, stack the results */
        a = first;
        b = a->next;
        rest = b ? b->next : NULL;
        a->next = a->prev = NULL;
        if (b)
            b->next = b->prev = NULL;
        a = meld(a, b);
        a->next = pairs;
        pairs = a;
        first = rest;
    }
    while (pairs) { /* right to left: meld into one */
        rest = pairs->next;
        pairs->next = NULL;
        root = meld(root, pairs);
        pairs = rest;
    }
    return root;
}

static void heap_insert(struct vepoll__timer_base *b, struct vepoll__timer *t)
{
    t->child = t->next = t->prev = NULL;
    t->heap = b;
    b->root = meld(b->root, t);
}

static void heap_remove(struct vepoll__timer_base *b, struct vepoll__timer *t)
{
    struct vepoll__timer *sub;
    if (t == b->root) {
        b->root = merge_pairs(t->child);
    } else {
        if (t->prev->child == t) /* leftmost child: prev is the parent */
            t->prev->child = t->next;
        else
            t->prev->next = t->next;
        if (t->next)
            t->next->prev = t->prev;
        sub = merge_pairs(t->child);
        b->root = meld(b->root, sub);
    }
    t->child = t->next = t->prev = NULL;
    t->heap = NULL;
}

/* ---- the thread -------------------------------------------------------------- */

int64_t vepoll__timer_now(int base)
{
    struct timespec ts;
    if (base == VEPOLL__TIMER_MONO)
        return vepoll__now_ns();
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * VEPOLL__NS_PER_SEC + ts.tv_nsec;
}

static void *service(void *arg)
{
    struct vepoll__timer_base *b = arg;
    int base = (int)(b - bases);
    pthread_mutex_lock(&b->mu);
    while (b->users) {
        struct vepoll__timer *t = b->root;
        struct timespec at;
        AO_t gen;
        if (!t) {
            pthread_cond_wait(&b->cv, &b->mu);
            continue;
        }
        if (t->when > vepoll__timer_now(base)) {
            at = vepoll__timespec(t->when);
            pthread_cond_timedwait(&b->cv, &b->mu, &at);
            continue; /* the earliest deadline may have changed */
        }
        heap_remove(b, t);
        gen = AO_load(&t->gen);
        b->firing = t;
        pthread_mutex_unlock(&b->mu);
        t->fire(t, gen);
        pthread_mutex_lock(&b->mu);
        b->firing = NULL;
        pthread_cond_broadcast(&b->idle);
    }
    b->running = 0;
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

/* Under mu: the condition variables, once (cv on the base's clock). */
static int conds_init(struct vepoll__timer_base *b)
{
    pthread_condattr_t ca;
    int rc;
    if (b->conds_ready)
        return 0;
    rc = pthread_condattr_init(&ca);
    if (rc)
        return -rc;
    rc = pthread_condattr_setclock(&ca, b->clock);
    if (!rc)
        rc = pthread_cond_init(&b->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (rc)
        return -rc;
    rc = pthread_cond_init(&b->idle, NULL);
    if (rc) {
        pthread_cond_destroy(&b->cv);
        return -rc;
    }
    b->conds_ready = 1;
    return 0;
}

/* Under mu: a detached service thread with every signal blocked (the
 * host's handlers never run on it). */
static int start_thread(struct vepoll__timer_base *b)
{
    pthread_attr_t attr;
    pthread_t th;
    sigset_t all, old;
    int rc = pthread_attr_init(&attr);
    if (rc)
        return -rc;
    rc = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (!rc) {
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        rc = pthread_create(&th, &attr, service, b);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
#ifdef __linux__
        if (!rc) /* for ps and the tests: the thread is recognisable */
            pthread_setname_np(th, VEPOLL__TIMER_THREAD_NAME);
#endif
    }
    pthread_attr_destroy(&attr);
    if (rc)
        return -rc;
    b->running = 1;
    return 0;
}

int vepoll__timer_use(int base)
{
    struct vepoll__timer_base *b = &bases[base];
    int rc;
    pthread_mutex_lock(&b->mu);
    rc = conds_init(b);
    if (!rc && !b->running)
        rc = start_thread(b);
    if (!rc)
        b->users++;
    pthread_mutex_unlock(&b->mu);
    return rc;
}

void vepoll__timer_unuse(int base)
{
    struct vepoll__timer_base *b = &bases[base];
    pthread_mutex_lock(&b->mu);
    if (!--b->users)
        pthread_cond_signal(&b->cv); /* the thread exits */
    pthread_mutex_unlock(&b->mu);
}

/* ---- arming (owner's lock held) ------------------------------------------------ */

void vepoll__timer_init(struct vepoll__timer *t, void (*fire)(struct vepoll__timer *t, AO_t gen),
                        void *owner)
{
    t->owner = owner;
    t->child = t->next = t->prev = NULL;
    t->heap = NULL;
    t->when = 0;
    t->home = -1;
    AO_store(&t->gen, 0);
    t->fire = fire;
}

void vepoll__timer_disarm(struct vepoll__timer *t)
{
    struct vepoll__timer_base *b;
    AO_fetch_and_add1_full(&t->gen);
    if (t->home < 0)
        return;
    b = &bases[t->home];
    pthread_mutex_lock(&b->mu);
    if (t->heap == b)
        heap_remove(b, t);
    pthread_mutex_unlock(&b->mu);
}

void vepoll__timer_arm(struct vepoll__timer *t, int base, int64_t when)
{
    struct vepoll__timer_base *b = &bases[base];
    vepoll__timer_disarm(t);
    t->home = base;
    pthread_mutex_lock(&b->mu);
    t->when = when;
    heap_insert(b, t);
    if (b->root == t)
        pthread_cond_signal(&b->cv); /* a new earliest deadline */
    pthread_mutex_unlock(&b->mu);
}

int vepoll__timer_current(const struct vepoll__timer *t, AO_t gen)
{
    return AO_load(&t->gen) == gen;
}

void vepoll__timer_quiesce(struct vepoll__timer *t)
{
    for (int i = 0; i < 2; i++) {
        struct vepoll__timer_base *b = &bases[i];
        pthread_mutex_lock(&b->mu);
        while (b->firing == t)
            pthread_cond_wait(&b->idle, &b->mu);
        pthread_mutex_unlock(&b->mu);
    }
}
