/*
 * Small helpers shared by the threaded / error / stress test files
 * (test_ctl_errors, test_wait_errors, test_nesting, test_threads,
 * test_close, test_producer_path, test_stress): monotonic time, sleeping,
 * a counting allocator for vepoll_set_allocator, a few wait shortcuts, the
 * one-instance/one-source fixture (th_fx), and a blocked-waiter thread
 * (th_waiter).  Everything is static inline so a file that uses only part of
 * it still builds with -Werror.  Worker threads never call cmocka asserts:
 * they use these helpers and record results, the test thread asserts (the
 * asserting helpers below are for the test thread only).
 */
#ifndef VEPOLL_TESTS_THELP_H
#define VEPOLL_TESTS_THELP_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vepoll.h"

#define TH_MS INT64_C(1000000)
#define TH_SEC INT64_C(1000000000)

static inline int64_t th_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * TH_SEC + ts.tv_nsec;
}

static inline void th_sleep_ns(int64_t ns)
{
    struct timespec ts = { (time_t)(ns / TH_SEC), (long)(ns % TH_SEC) };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static inline void th_sleep_ms(int64_t ms) { th_sleep_ns(ms * TH_MS); }

/* ---- event helpers ------------------------------------------------------ */

static inline struct vepoll_event th_ev(uint32_t events, uint64_t cookie)
{
    struct vepoll_event e;
    memset(&e, 0, sizeof e);
    e.events = events;
    e.data.u64 = cookie;
    return e;
}

static inline int th_add(vepoll_t *ep, int fd, vepoll_source_t *s, uint32_t events, uint64_t cookie)
{
    struct vepoll_event e = th_ev(events, cookie);
    return vepoll_ctl(ep, VEPOLL_CTL_ADD, fd, s, &e);
}

static inline int th_mod(vepoll_t *ep, int fd, vepoll_source_t *s, uint32_t events, uint64_t cookie)
{
    struct vepoll_event e = th_ev(events, cookie);
    return vepoll_ctl(ep, VEPOLL_CTL_MOD, fd, s, &e);
}

static inline int th_del(vepoll_t *ep, int fd, vepoll_source_t *s)
{
    return vepoll_ctl(ep, VEPOLL_CTL_DEL, fd, s, NULL);
}

/* Zero-timeout wait with room for 8 entries; out may be NULL. */
static inline int th_poll(vepoll_t *ep, struct vepoll_event *out, int max)
{
    struct vepoll_event buf[16];
    if (max > 16)
        max = 16;
    int n = vepoll_wait(ep, buf, max, 0);
    if (out && n > 0)
        memcpy(out, buf, (size_t)n * sizeof buf[0]);
    return n;
}

static inline int th_poll1(vepoll_t *ep) { return th_poll(ep, NULL, 1); }

/* Test thread only: a zero-timeout wait returns exactly one entry, with
 * exactly `bits` and `cookie`. */
static inline void th_expect1(vepoll_t *ep, uint32_t bits, uint64_t cookie)
{
    struct vepoll_event out[4];
    memset(out, 0, sizeof out);
    assert_int_equal(vepoll_wait(ep, out, 4, 0), 1);
    assert_int_equal(out[0].events, bits);
    assert_true(out[0].data.u64 == cookie);
}

/* ---- fixture: one instance, one source ---------------------------------- */

struct th_fx {
    vepoll_t *e;
    vepoll_source_t *s;
};

static inline int th_fx_setup(void **state)
{
    static struct th_fx f;
    memset(&f, 0, sizeof f);
    if (vepoll_create(&f.e) || vepoll_source_create(&f.s, 0))
        return -1;
    *state = &f;
    return 0;
}

static inline int th_fx_teardown(void **state)
{
    struct th_fx *f = *state;
    vepoll_close(f->e);
    vepoll_source_close(f->s);
    return 0;
}

/* ---- blocked waiter thread ------------------------------------------------ */

/* A thread blocked in vepoll_wait(ep, ev, maxevents, timeout); it records the
 * result, its end time and how long the wait took (never asserts). */
struct th_waiter {
    pthread_t th;
    vepoll_t *ep;
    int64_t timeout;
    int maxevents;
    int ret;
    int64_t elapsed, end;
    struct vepoll_event ev[8];
};

static inline void *th_waiter_main(void *arg)
{
    struct th_waiter *w = arg;
    int64_t t0 = th_now_ns();
    w->ret = vepoll_wait(w->ep, w->ev, w->maxevents, w->timeout);
    w->end = th_now_ns();
    w->elapsed = w->end - t0;
    return NULL;
}

/* Test thread only: fills in w and starts `fn` (th_waiter_main or a wrapper
 * around it) on it. */
static inline void th_waiter_start_fn(struct th_waiter *w, vepoll_t *ep, int maxevents,
                                      int64_t timeout, void *(*fn)(void *))
{
    memset(w, 0, sizeof *w);
    w->ep = ep;
    w->timeout = timeout;
    w->maxevents = maxevents;
    w->ret = 12345;
    assert_int_equal(pthread_create(&w->th, NULL, fn, w), 0);
}

static inline void th_waiter_start(struct th_waiter *w, vepoll_t *ep, int maxevents,
                                   int64_t timeout)
{
    th_waiter_start_fn(w, ep, maxevents, timeout, th_waiter_main);
}

static inline void th_waiter_join(struct th_waiter *w)
{
    assert_int_equal(pthread_join(w->th, NULL), 0);
}

/* ---- counting allocator ------------------------------------------------- */

/* Header in front of every block: the requested size, so the free size can be
 * checked.  16 bytes keep malloc's alignment. */
#define TH_HDR 16u

struct th_counting {
    atomic_long allocs;      /* successful alloc calls */
    atomic_long alloc_calls; /* every alloc call, incl. failed ones */
    atomic_long frees;
    atomic_long live;
    atomic_long live_bytes;
    atomic_long bad_frees;   /* free() with a size other than the allocated one */
    atomic_long fail_next;   /* > 0: fail that many of the next alloc calls */
    atomic_long fail_at;     /* >= 0: fail the call with that alloc_calls index */
};

static struct th_counting th_alloc_stats;

static inline void *th_counting_alloc(void *ctx, size_t size)
{
    struct th_counting *c = ctx;
    if (atomic_fetch_add(&c->alloc_calls, 1) == atomic_load(&c->fail_at))
        return NULL;
    long f = atomic_load(&c->fail_next);
    while (f > 0) {
        if (atomic_compare_exchange_weak(&c->fail_next, &f, f - 1))
            return NULL;
    }
    unsigned char *p = malloc(size + TH_HDR);
    if (!p)
        return NULL;
    memcpy(p, &size, sizeof size);
    atomic_fetch_add(&c->allocs, 1);
    atomic_fetch_add(&c->live, 1);
    atomic_fetch_add(&c->live_bytes, (long)size);
    return p + TH_HDR;
}

static inline void th_counting_free(void *ctx, void *ptr, size_t size)
{
    struct th_counting *c = ctx;
    if (!ptr)
        return;
    unsigned char *p = (unsigned char *)ptr - TH_HDR;
    size_t orig;
    memcpy(&orig, p, sizeof orig);
    if (orig != size)
        atomic_fetch_add(&c->bad_frees, 1);
    atomic_fetch_add(&c->frees, 1);
    atomic_fetch_sub(&c->live, 1);
    atomic_fetch_sub(&c->live_bytes, (long)orig);
    free(p);
}

static inline void th_counting_reset(void)
{
    atomic_store(&th_alloc_stats.allocs, 0);
    atomic_store(&th_alloc_stats.alloc_calls, 0);
    atomic_store(&th_alloc_stats.frees, 0);
    atomic_store(&th_alloc_stats.live, 0);
    atomic_store(&th_alloc_stats.live_bytes, 0);
    atomic_store(&th_alloc_stats.bad_frees, 0);
    atomic_store(&th_alloc_stats.fail_next, 0);
    atomic_store(&th_alloc_stats.fail_at, -1);
}

/* Installs the counting allocator; returns vepoll_set_allocator's result. */
static inline int th_counting_install(void)
{
    static const struct vepoll_allocator a = {
        th_counting_alloc, th_counting_free, &th_alloc_stats,
    };
    th_counting_reset();
    return vepoll_set_allocator(&a);
}

/* Allocation-failure sweep of one constructor (single-threaded; call it
 * before any vepoll object exists): run create once to count its
 * allocations (at least min_allocs), then once per allocation with exactly
 * that one failing: it must return -ENOMEM, hand back nothing and leave
 * nothing allocated.  destroy undoes a successful create. */
static inline void th_each_alloc_fails(int (*create)(void **out),
                                       void (*destroy)(void *obj),
                                       long min_allocs)
{
    void *obj = NULL;
    long n, k;
    assert_int_equal(th_counting_install(), 0);
    assert_int_equal(create(&obj), 0);
    n = atomic_load(&th_alloc_stats.alloc_calls);
    assert_true(n >= min_allocs);
    destroy(obj);
    assert_int_equal(atomic_load(&th_alloc_stats.live), 0);
    for (k = 0; k < n; k++) {
        atomic_store(&th_alloc_stats.alloc_calls, 0);
        atomic_store(&th_alloc_stats.fail_at, k);
        obj = NULL;
        assert_int_equal(create(&obj), -ENOMEM);
        assert_null(obj);
        assert_int_equal(atomic_load(&th_alloc_stats.live), 0);
    }
    assert_int_equal(atomic_load(&th_alloc_stats.bad_frees), 0);
    assert_int_equal(vepoll_set_allocator(NULL), 0);
}

#endif
