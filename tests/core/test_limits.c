/*
 * Limits and hostile input (issue 5, deliverable 4): the watch limit,
 * huge maxevents, timeout extremes, vepoll_close racing with waiters and
 * producers, vepoll_source_close racing with updates and ctl, deep nesting
 * fan-out.
 *
 * Threads: worker threads never assert; they record what they saw in their
 * own structs (or in atomics) and the test thread asserts after joining.
 * Timing: only "at least the timeout" and generous upper bounds.  A worker
 * that must be blocked inside vepoll_wait before the test proceeds is
 * recognised by its kernel state ('S' in /proc/self/task/TID/stat): in the
 * waiter loop the only place a thread can sleep is inside vepoll_wait.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "vtest.h"

#define BIG_MAXEV ((int)(INT_MAX / sizeof(struct vepoll_event)))

/* ---- the watch limit ------------------------------------------------------------ */

static void test_limits_watch_limit_enospc_and_recovery(void **state)
{
    vepoll_t *a, *b;
    vepoll_source_t *s;
    (void)state;
    assert_int_equal(vepoll_create(&a), 0);
    assert_int_equal(vepoll_create(&b), 0);
    assert_int_equal(vepoll_source_create(&s, VEPOLL_IN), 0);
    vepoll_set_max_watches(3);
    /* Process-wide: two instances share it; nesting links count too. */
    assert_int_equal(vt_add(a, 0, s, VEPOLL_IN, 1), 0);
    assert_int_equal(vt_add(b, 0, s, VEPOLL_IN, 2), 0);
    assert_int_equal(vt_add(a, 1, vepoll_as_source(b), VEPOLL_IN, 3), 0);
    assert_int_equal(vt_add(a, 2, s, VEPOLL_IN, 4), -ENOSPC);
    assert_int_equal(vt_add(b, 3, s, VEPOLL_IN, 5), -ENOSPC);
    /* A refused ADD changed nothing; existing entries keep working. */
    assert_int_equal(vt_mod(a, 2, s, VEPOLL_IN, 4), -ENOENT);
    assert_int_equal(vt_poll1(a), 1);
    /* MOD is not an ADD: allowed at the limit.  EEXIST wins over ENOSPC. */
    assert_int_equal(vt_mod(a, 0, s, VEPOLL_IN | VEPOLL_ET, 6), 0);
    assert_int_equal(vt_add(a, 0, s, VEPOLL_IN, 7), -EEXIST);
    /* DEL frees a slot. */
    assert_int_equal(vt_del(b, 0, s), 0);
    assert_int_equal(vt_add(b, 3, s, VEPOLL_IN, 5), 0);
    assert_int_equal(vt_add(b, 4, s, VEPOLL_IN, 8), -ENOSPC);
    /* Closing a source or an instance frees its registrations' slots. */
    assert_int_equal(vepoll_close(b), 0); /* b's entry and a's link: 2 */
    assert_int_equal(vt_add(a, 5, s, VEPOLL_IN, 9), 0);
    assert_int_equal(vt_add(a, 6, s, VEPOLL_IN, 10), 0);
    assert_int_equal(vt_add(a, 7, s, VEPOLL_IN, 11), -ENOSPC);
    /* Lowering below the count blocks new ADDs only. */
    vepoll_set_max_watches(1);
    assert_int_equal(vt_add(a, 7, s, VEPOLL_IN, 11), -ENOSPC);
    assert_int_equal(vt_poll(a, NULL, 8), 3);
    vepoll_source_close(s);
    assert_int_equal(vepoll_source_create(&s, 0), 0);
    assert_int_equal(vt_add(a, 0, s, VEPOLL_IN, 12), 0);
    assert_int_equal(vt_add(a, 1, s, VEPOLL_IN, 13), -ENOSPC);
    /* 0 = no limit; UINT64_MAX is as good as none. */
    vepoll_set_max_watches(UINT64_MAX);
    assert_int_equal(vt_add(a, 1, s, VEPOLL_IN, 13), 0);
    vepoll_set_max_watches(0);
    for (int fd = 2; fd < 200; fd++)
        assert_int_equal(vt_add(a, fd, s, VEPOLL_IN, 14), 0);
    vepoll_source_close(s);
    assert_int_equal(vepoll_close(a), 0);
}

/* ---- huge maxevents ---------------------------------------------------------------- */

static void test_limits_huge_maxevents_boundaries(void **state)
{
    vepoll_t *e;
    vepoll_source_t *s[3];
    struct vepoll_event buf[4];
    (void)state;
    assert_int_equal(vepoll_create(&e), 0);
    /* Nothing ready: the largest allowed count is accepted. */
    assert_int_equal(vepoll_wait(e, buf, BIG_MAXEV, 0), 0);
    assert_int_equal(vepoll_wait(e, buf, BIG_MAXEV + 1, 0), -EINVAL);
    assert_int_equal(vepoll_wait(e, buf, INT_MAX, 0), -EINVAL);
    assert_int_equal(vepoll_wait(e, buf, INT_MIN, 0), -EINVAL);
    assert_int_equal(vepoll_wait(e, buf, 0, 0), -EINVAL);
    /* EINVAL comes before EFAULT and EBADF (docs/API.md). */
    assert_int_equal(vepoll_wait(NULL, NULL, INT_MAX, 0), -EINVAL);
    assert_int_equal(vepoll_wait(NULL, NULL, BIG_MAXEV, 0), -EFAULT);
    assert_int_equal(vepoll_wait(NULL, buf, BIG_MAXEV, 0), -EBADF);
    /* With 3 entries ready and a 4-entry buffer, a huge maxevents writes 3
     * and leaves the rest alone (ASan would catch any write past it). */
    for (int i = 0; i < 3; i++) {
        assert_int_equal(vepoll_source_create(&s[i], VEPOLL_IN), 0);
        assert_int_equal(vt_add(e, i, s[i], VEPOLL_IN, (uint64_t)i + 1), 0);
    }
    memset(buf, 0x5a, sizeof buf);
    assert_int_equal(vepoll_wait(e, buf, BIG_MAXEV, 0), 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(buf[i].data.u64, (uint64_t)i + 1);
    assert_int_equal(buf[3].events, 0x5a5a5a5au);
    /* A blocking wait with a huge maxevents and events ready returns them. */
    assert_int_equal(vepoll_wait(e, buf, BIG_MAXEV, INT64_MAX), 3);
    for (int i = 0; i < 3; i++)
        vepoll_source_close(s[i]);
    assert_int_equal(vepoll_close(e), 0);
}

/* ---- timeout extremes -------------------------------------------------------------- */

static void test_limits_timeout_extremes_never_overflow_never_early(void **state)
{
    vepoll_t *e;
    vepoll_source_t *s;
    struct vepoll_event ev[2];
    struct vt_waiter b;
    int64_t t0, el;
    (void)state;
    assert_int_equal(vepoll_create(&e), 0);
    assert_int_equal(vepoll_source_create(&s, 0), 0);
    assert_int_equal(vt_add(e, 0, s, VEPOLL_IN, 1), 0);

    /* 1 ns: expires, returns 0, never before 1 ns has passed. */
    for (int i = 0; i < 100; i++) {
        t0 = vt_now_ns();
        assert_int_equal(vepoll_wait(e, ev, 2, 1), 0);
        assert_true(vt_now_ns() - t0 >= 1);
    }
    /* 20 ms: at least that. */
    t0 = vt_now_ns();
    assert_int_equal(vepoll_wait(e, ev, 2, 20 * VT_MS), 0);
    el = vt_now_ns() - t0;
    assert_true(el >= 20 * VT_MS);

    /* INT64_MAX, INT64_MAX - 1 and INT64_MIN block (a deadline that
     * overflowed would make them return at once), then an event ends them. */
    {
        static const int64_t extremes[] = {INT64_MAX, INT64_MAX - 1, INT64_MIN, -1};
        for (size_t i = 0; i < sizeof extremes / sizeof extremes[0]; i++) {
            vt_waiter_start(&b, e, 4, extremes[i]);
            vt_waiter_until_blocked(&b);
            vt_sleep_ms(30);
            assert_int_equal(atomic_load(&b.done), 0);
            vepoll_source_update(s, VEPOLL_IN, 0);
            vt_waiter_join(&b);
            assert_int_equal(b.ret, 1);
            assert_true(b.elapsed >= 30 * VT_MS);
            vepoll_source_update(s, 0, VEPOLL_IN);
            assert_int_equal(vt_poll1(e), 0);
        }
    }
    /* ... and vepoll_interrupt ends an INT64_MAX wait with -EINTR. */
    vt_waiter_start(&b, e, 4, INT64_MAX);
    vt_waiter_until_blocked(&b);
    assert_int_equal(vepoll_interrupt(e), 0);
    vt_waiter_join(&b);
    assert_int_equal(b.ret, -EINTR);
    /* A deadline near the clock's end with events ready returns them. */
    vepoll_source_update(s, VEPOLL_IN, 0);
    assert_int_equal(vepoll_wait(e, ev, 2, INT64_MAX), 1);
    assert_int_equal(vepoll_wait(e, ev, 2, INT64_MIN), 1);
    vepoll_source_close(s);
    assert_int_equal(vepoll_close(e), 0);
}

/* ---- vepoll_close racing with waiters and producers -------------------------------- */

#define RACE_WAITERS 3
#define RACE_SOURCES 4

struct race {
    vepoll_t *ep;
    vepoll_source_t *src[RACE_SOURCES];
    atomic_int closing;   /* set before vepoll_close: waiters start no new wait */
    atomic_int stop;      /* producers stop */
    atomic_long produced;
};

struct race_waiter {
    pthread_t th;
    struct race *r;
    _Atomic pid_t tid;
    _Atomic int done;
    int last_rc;
    int bad_rc; /* a result other than events, -EBADF */
    long waits;
};

static void *race_waiter_main(void *arg)
{
    struct race_waiter *w = arg;
    struct vepoll_event ev[8];
    atomic_store(&w->tid, vt_gettid());
    while (!atomic_load(&w->r->closing)) {
        int rc = vepoll_wait(w->r->ep, ev, 8, -1);
        w->waits++;
        w->last_rc = rc;
        if (rc == -EBADF)
            break;
        if (rc <= 0)
            w->bad_rc = rc ? rc : -1000;
    }
    atomic_store(&w->done, 1);
    return NULL;
}

static void *race_producer_main(void *arg)
{
    struct race *r = arg;
    unsigned i = 0;
    while (!atomic_load(&r->stop)) {
        vepoll_source_t *s = r->src[i++ % RACE_SOURCES];
        vepoll_source_update(s, VEPOLL_IN, 0);
        vepoll_source_update(s, 0, VEPOLL_IN);
        atomic_fetch_add(&r->produced, 1);
    }
    return NULL;
}

static void test_limits_close_races_waiters_and_producers(void **state)
{
    int rounds = 200, ebadf = 0, round;
    (void)state;
    for (round = 0; round < rounds; round++) {
        struct race r;
        struct race_waiter w[RACE_WAITERS];
        pthread_t prod;
        vepoll_t *outer;
        memset(&r, 0, sizeof r);
        assert_int_equal(vepoll_create(&r.ep), 0);
        assert_int_equal(vepoll_create(&outer), 0);
        /* ep is also nested in outer: close must leave it under load. */
        assert_int_equal(vt_add(outer, 0, vepoll_as_source(r.ep), VEPOLL_IN, 99), 0);
        for (int i = 0; i < RACE_SOURCES; i++) {
            assert_int_equal(vepoll_source_create(&r.src[i], 0), 0);
            /* LT, ET and ONESHOT entries: every kind of queue traffic. */
            uint32_t m = i == 0 ? VEPOLL_IN : i == 1 ? VEPOLL_IN | VEPOLL_ET
                                                     : VEPOLL_IN | VEPOLL_ONESHOT;
            assert_int_equal(vt_add(r.ep, i, r.src[i], m, (uint64_t)i), 0);
        }
        assert_int_equal(pthread_create(&prod, NULL, race_producer_main, &r), 0);
        for (int i = 0; i < RACE_WAITERS; i++) {
            memset(&w[i], 0, sizeof w[i]);
            w[i].r = &r;
            assert_int_equal(pthread_create(&w[i].th, NULL, race_waiter_main, &w[i]), 0);
        }
        /* Let the traffic run, vary the moment of the close. */
        while (atomic_load(&r.produced) < 50 + (round % 7) * 40)
            sched_yield();
        atomic_store(&r.closing, 1);
        /* Every waiter has left, or is parked inside vepoll_wait: from now
         * on none starts a new call (the runtime's descriptor-table rule). */
        for (int i = 0; i < RACE_WAITERS; i++)
            vt_until_parked_on(&w[i].tid, &w[i].done, r.ep);
        assert_int_equal(vepoll_close(r.ep), 0);
        for (int i = 0; i < RACE_WAITERS; i++) {
            assert_int_equal(pthread_join(w[i].th, NULL), 0);
            assert_int_equal(w[i].bad_rc, 0);
            /* (A waiter that saw `closing` before its first call made none.) */
            assert_true(w[i].waits == 0 || w[i].last_rc == -EBADF || w[i].last_rc > 0);
            ebadf += w[i].last_rc == -EBADF;
        }
        /* Producers keep going after the close; the sources live on and the
         * outer instance no longer sees ep. */
        {
            long p0 = atomic_load(&r.produced);
            while (atomic_load(&r.produced) < p0 + 100)
                sched_yield();
        }
        atomic_store(&r.stop, 1);
        assert_int_equal(pthread_join(prod, NULL), 0);
        assert_int_equal(vt_poll(outer, NULL, 8), 0);
        for (int i = 0; i < RACE_SOURCES; i++)
            vepoll_source_close(r.src[i]);
        assert_int_equal(vepoll_close(outer), 0);
    }
    /* The interesting case (a blocked waiter woken by the close) happened. */
    print_message("%d of %d waiters returned -EBADF from the close\n", ebadf,
                  rounds * RACE_WAITERS);
    assert_true(ebadf > 0);
}

static void test_limits_close_wakes_every_blocked_waiter_with_ebadf(void **state)
{
    struct vt_waiter b[4];
    vepoll_t *e;
    (void)state;
    for (int round = 0; round < 20; round++) {
        assert_int_equal(vepoll_create(&e), 0);
        for (int i = 0; i < 4; i++)
            vt_waiter_start(&b[i], e, 4, i % 2 ? -1 : INT64_MAX);
        for (int i = 0; i < 4; i++)
            vt_until_parked_on(&b[i].tid, &b[i].done, e);
        assert_int_equal(vepoll_close(e), 0);
        for (int i = 0; i < 4; i++) {
            vt_waiter_join(&b[i]);
            assert_int_equal(b[i].ret, -EBADF);
        }
    }
}

/* ---- an outer and its inner instance closed at the same time ---------------------- */

struct closer {
    pthread_t th;
    vepoll_t *ep;
    atomic_int *go;
    int rc;
};

static void *closer_main(void *arg)
{
    struct closer *c = arg;
    while (!atomic_load(c->go))
        ;
    c->rc = vepoll_close(c->ep);
    return NULL;
}

/* The outer's close unlinks the nesting edge to the inner while the inner's
 * own close looks for the registrations of its source: the inner must not
 * be freed under the outer's unlink (a use-after-free that ASan and TSan
 * report, and that hid behind a fixed order of closes everywhere else). */
static void test_limits_outer_and_inner_closed_at_the_same_time(void **state)
{
    (void)state;
    for (int round = 0; round < 2000; round++) {
        atomic_int go = 0;
        struct closer c[2];
        vepoll_t *outer, *inner;
        vepoll_source_t *s;
        assert_int_equal(vepoll_create(&outer), 0);
        assert_int_equal(vepoll_create(&inner), 0);
        assert_int_equal(vepoll_source_create(&s, VEPOLL_IN), 0);
        assert_int_equal(vt_add(inner, 1, s, VEPOLL_IN, 1), 0);
        assert_int_equal(vt_add(outer, 2, vepoll_as_source(inner), VEPOLL_IN, 2), 0);
        c[0] = (struct closer){.ep = round & 1 ? outer : inner, .go = &go};
        c[1] = (struct closer){.ep = round & 1 ? inner : outer, .go = &go};
        for (int i = 0; i < 2; i++)
            assert_int_equal(pthread_create(&c[i].th, NULL, closer_main, &c[i]), 0);
        atomic_store(&go, 1);
        for (int i = 0; i < 2; i++) {
            assert_int_equal(pthread_join(c[i].th, NULL), 0);
            assert_int_equal(c[i].rc, 0);
        }
        vepoll_source_close(s);
    }
}

/* ---- vepoll_source_close racing with updates and ctl ------------------------------- */

#define SC_STABLE 4
#define SC_ROUNDS 3000
#define SC_COOKIE 1000000 /* cookies >= this are closed-source ids */

struct sc {
    vepoll_t *ep[2];
    vepoll_source_t *stable[SC_STABLE];
    atomic_int stop;
    atomic_long closed_upto;  /* ids < this are closed (close returned) */
    atomic_long stale_seen;   /* a wait reported a source after its close */
    atomic_long events;
    atomic_long closing_events; /* events of the short-lived sources */
    atomic_long ctl_errors;
    atomic_long ctl_ops;
    atomic_long updates;
};

static void *sc_updater(void *arg)
{
    struct sc *c = arg;
    unsigned i = 0;
    while (!atomic_load(&c->stop)) {
        vepoll_source_update(c->stable[i % SC_STABLE], VEPOLL_IN | VEPOLL_OUT, 0);
        vepoll_source_update(c->stable[i % SC_STABLE], 0, VEPOLL_IN);
        i++;
        atomic_fetch_add(&c->updates, 1);
    }
    return NULL;
}

/* ADD / MOD / DEL on keys of the stable sources under fds 100.. */
static void *sc_ctl(void *arg)
{
    struct sc *c = arg;
    unsigned i = 0;
    while (!atomic_load(&c->stop)) {
        vepoll_t *ep = c->ep[i & 1];
        vepoll_source_t *s = c->stable[(i >> 1) % SC_STABLE];
        int fd = 100 + (int)(i % 5);
        int rc = vt_add(ep, fd, s, VEPOLL_OUT, 7);
        if (rc == 0 && vt_mod(ep, fd, s, VEPOLL_OUT | VEPOLL_ET, 8) != 0)
            atomic_fetch_add(&c->ctl_errors, 1);
        if (rc == 0 && vt_del(ep, fd, s) != 0)
            atomic_fetch_add(&c->ctl_errors, 1);
        if (rc != 0)
            atomic_fetch_add(&c->ctl_errors, 1);
        atomic_fetch_add(&c->ctl_ops, 1);
        i++;
    }
    return NULL;
}

static void *sc_reader(void *arg)
{
    struct sc *c = arg;
    unsigned i = 0;
    while (!atomic_load(&c->stop)) {
        struct vepoll_event ev[32];
        long closed = atomic_load(&c->closed_upto);
        int n = vepoll_wait(c->ep[i++ & 1], ev, 32, 0);
        for (int k = 0; k < n; k++) {
            uint64_t ck = ev[k].data.u64;
            if (ck >= SC_COOKIE && (long)(ck - SC_COOKIE) < closed)
                atomic_fetch_add(&c->stale_seen, 1);
            if (ck >= SC_COOKIE)
                atomic_fetch_add(&c->closing_events, 1);
        }
        if (n > 0)
            atomic_fetch_add(&c->events, n);
    }
    return NULL;
}

static void test_limits_source_close_races_updates_and_ctl(void **state)
{
    struct sc c;
    pthread_t th[3];
    (void)state;
    memset(&c, 0, sizeof c);
    for (int i = 0; i < 2; i++)
        assert_int_equal(vepoll_create(&c.ep[i]), 0);
    for (int i = 0; i < SC_STABLE; i++) {
        assert_int_equal(vepoll_source_create(&c.stable[i], 0), 0);
        assert_int_equal(vt_add(c.ep[0], i, c.stable[i], VEPOLL_IN, (uint64_t)i), 0);
        assert_int_equal(vt_add(c.ep[1], i, c.stable[i], VEPOLL_IN | VEPOLL_ET, (uint64_t)i), 0);
    }
    assert_int_equal(pthread_create(&th[0], NULL, sc_updater, &c), 0);
    assert_int_equal(pthread_create(&th[1], NULL, sc_ctl, &c), 0);
    assert_int_equal(pthread_create(&th[2], NULL, sc_reader, &c), 0);
    /* The test thread: short-lived sources, registered in both instances,
     * made ready (queued), closed while everything else runs; at least
     * SC_ROUNDS of them, and until the other threads have done real work. */
    for (long id = 0; id < SC_ROUNDS || atomic_load(&c.updates) < SC_ROUNDS ||
                         atomic_load(&c.ctl_ops) < SC_ROUNDS / 10;
         id++) {
        vepoll_source_t *d;
        assert_int_equal(vepoll_source_create(&d, 0), 0);
        assert_int_equal(vt_add(c.ep[0], 0, d, VEPOLL_IN, SC_COOKIE + (uint64_t)id), 0);
        assert_int_equal(vt_add(c.ep[1], 0, d, VEPOLL_IN | VEPOLL_ET,
                                SC_COOKIE + (uint64_t)id), 0);
        vepoll_source_update(d, VEPOLL_IN, 0);
        if (id % 3 == 0)
            vepoll_source_update(d, VEPOLL_HUP, 0);
        if (id % 8 == 0) /* let the reader reach it, sometimes */
            sched_yield();
        vepoll_source_close(d);
        atomic_store(&c.closed_upto, id + 1);
    }
    atomic_store(&c.stop, 1);
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    assert_int_equal(atomic_load(&c.stale_seen), 0);
    assert_int_equal(atomic_load(&c.ctl_errors), 0);
    print_message("%ld sources closed, %ld updates, %ld ctl rounds, %ld events "
                  "(%ld of closing sources)\n",
                  atomic_load(&c.closed_upto), atomic_load(&c.updates),
                  atomic_load(&c.ctl_ops), atomic_load(&c.events),
                  atomic_load(&c.closing_events));
    /* The stable sources still work in both instances. */
    for (int i = 0; i < SC_STABLE; i++)
        vepoll_source_update(c.stable[i], VEPOLL_IN, 0);
    assert_int_equal(vt_poll(c.ep[0], NULL, 8), SC_STABLE);
    assert_int_equal(vt_poll(c.ep[1], NULL, 8), SC_STABLE);
    for (int i = 0; i < SC_STABLE; i++)
        vepoll_source_close(c.stable[i]);
    for (int i = 0; i < 2; i++)
        assert_int_equal(vepoll_close(c.ep[i]), 0);
}

/* ---- deep nesting fan-out ------------------------------------------------------------ */

#define FAN_W 24     /* instances per level */
#define FAN_LEVELS 4 /* below the top: 5 instances on every path */

static void test_limits_deep_nesting_wide_diamonds(void **state)
{
    vepoll_t *top, *lv[FAN_LEVELS][FAN_W], *extra;
    vepoll_source_t *leaf;
    struct vepoll_event ev[FAN_W + 1];
    int64_t t0, el;
    int adds = 0;
    (void)state;
    assert_int_equal(vepoll_create(&top), 0);
    for (int l = 0; l < FAN_LEVELS; l++)
        for (int i = 0; i < FAN_W; i++)
            assert_int_equal(vepoll_create(&lv[l][i]), 0);
    assert_int_equal(vepoll_source_create(&leaf, 0), 0);

    /* Top-down: every instance of a level holds every instance of the next
     * one (full bipartite diamonds), so the number of paths is W^4 while
     * the number of edges is about 3 W^2. */
    t0 = vt_now_ns();
    for (int i = 0; i < FAN_W; i++, adds++)
        assert_int_equal(vt_add(top, i, vepoll_as_source(lv[0][i]), VEPOLL_IN, (uint64_t)i), 0);
    for (int l = 1; l < FAN_LEVELS; l++)
        for (int p = 0; p < FAN_W; p++)
            for (int i = 0; i < FAN_W; i++, adds++)
                assert_int_equal(vt_add(lv[l - 1][p], i, vepoll_as_source(lv[l][i]),
                                        VEPOLL_IN, (uint64_t)i), 0);
    for (int i = 0; i < FAN_W; i++, adds++)
        assert_int_equal(vt_add(lv[FAN_LEVELS - 1][i], 0, leaf, VEPOLL_IN, 7), 0);
    el = vt_now_ns() - t0;
    print_message("%d ADDs with loop/depth checks over %d-wide diamonds: %.1f ms\n",
                  adds, FAN_W, (double)el / 1e6);
    /* Generous: memoised checks take milliseconds; a walk over every path
     * (W^4 per check) would take minutes. */
    assert_true(el < 30 * VT_SEC);

    /* The checks stay correct: one more level anywhere is refused, as is
     * every cycle; a second leaf at the bottom is fine. */
    assert_int_equal(vepoll_create(&extra), 0);
    assert_int_equal(vt_add(extra, 0, vepoll_as_source(top), VEPOLL_IN, 1), -ELOOP);
    assert_int_equal(vt_add(lv[FAN_LEVELS - 1][3], 1, vepoll_as_source(extra), VEPOLL_IN, 1),
                     -ELOOP);
    assert_int_equal(vt_add(lv[FAN_LEVELS - 1][5], 1, vepoll_as_source(top), VEPOLL_IN, 1),
                     -ELOOP);
    assert_int_equal(vt_add(lv[2][0], 99, vepoll_as_source(lv[0][1]), VEPOLL_IN, 1), -ELOOP);
    assert_int_equal(vt_add(lv[0][0], 99, vepoll_as_source(lv[2][1]), VEPOLL_IN, 1), 0);

    /* One update at the bottom reaches the top through every level. */
    assert_int_equal(vepoll_wait(top, ev, FAN_W + 1, 0), 0);
    vepoll_source_update(leaf, VEPOLL_IN, 0);
    assert_int_equal(vepoll_wait(top, ev, FAN_W + 1, 0), FAN_W);
    for (int i = 0; i < FAN_W; i++)
        assert_int_equal(ev[i].events, VEPOLL_IN);
    assert_int_equal(vepoll_source_ready(vepoll_as_source(top)), VEPOLL_IN | VEPOLL_RDNORM);
    /* And clearing it clears every level. */
    vepoll_source_update(leaf, 0, VEPOLL_IN);
    assert_int_equal(vepoll_wait(top, ev, FAN_W + 1, 0), 0);
    assert_int_equal(vepoll_source_ready(vepoll_as_source(top)), 0);

    /* A blocked waiter on the top is woken by the leaf. */
    {
        struct vt_waiter b;
        vt_waiter_start(&b, top, 4, -1);
        vt_waiter_until_blocked(&b);
        vepoll_source_update(leaf, VEPOLL_IN, 0);
        vt_waiter_join(&b);
        assert_true(b.ret >= 1);
    }

    vepoll_source_close(leaf);
    assert_int_equal(vepoll_close(extra), 0);
    /* Close bottom-up and top-down halves: both orders tear down cleanly. */
    assert_int_equal(vepoll_close(top), 0);
    for (int l = FAN_LEVELS - 1; l >= 0; l--)
        for (int i = 0; i < FAN_W; i++)
            assert_int_equal(vepoll_close(lv[(i & 1) ? l : FAN_LEVELS - 1 - l][i]), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* sets the process-wide watch limit: the fixture puts it back */
        cmocka_unit_test_setup_teardown(test_limits_watch_limit_enospc_and_recovery,
                                        vt_reset_setup, vt_reset_teardown),
        cmocka_unit_test(test_limits_huge_maxevents_boundaries),
        cmocka_unit_test(test_limits_timeout_extremes_never_overflow_never_early),
        cmocka_unit_test(test_limits_close_wakes_every_blocked_waiter_with_ebadf),
        cmocka_unit_test(test_limits_close_races_waiters_and_producers),
        cmocka_unit_test(test_limits_outer_and_inner_closed_at_the_same_time),
        cmocka_unit_test(test_limits_source_close_races_updates_and_ctl),
        cmocka_unit_test(test_limits_deep_nesting_wide_diamonds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
