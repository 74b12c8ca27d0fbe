/*
 * Stress: many threads for a bounded time (VEPOLL_STRESS_SECONDS, default 3,
 * capped at 60), then a final phase.
 *
 *   producers (2)  vepoll_source_update on a pool of sources
 *   ctl (1)        ADD/MOD/DEL of keys (pool source, fd) in the main instance
 *                  M; the cookie encodes (key, generation) and generations
 *                  are never reused.  After each DEL/MOD returns it publishes
 *                  "key k is dead up to generation g".
 *   closer (1)     vepoll_source_close of pool sources + replacements; after
 *                  the close returns, the keys on that source are published
 *                  dead up to their current generation.
 *   churn (1)      creates instances, registers pool sources in them, nests
 *                  them in M, waits on them, closes them (published dead).
 *   waiters (2)    vepoll_wait(M) with small timeouts.  Before each wait a
 *                  waiter snapshots the "dead up to" table; an event whose
 *                  generation was already dead in the snapshot was reported
 *                  by a wait that started after its DEL/MOD/close returned:
 *                  a real violation.  Event bits are checked against the
 *                  mask that generation was registered with.
 *   ping (2)       a pinger updates an ET source in its own instance W and a
 *                  waiter blocked on W (10 s timeout) must see every ping
 *                  within 5 s: no lost wake-up under load.
 * Final phase: DEL everything (every DEL must succeed exactly as the ctl
 * bookkeeping says), M must then report nothing, then 20 rounds "blocked
 * waiter + ADD + update" must each return the event, then everything is
 * closed and the counting allocator must show 0 live allocations.
 * Workers only record failures; the test thread asserts.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtest.h"

#define NSLOT 16
#define NKEY 32               /* key k: slot k % NSLOT, fd 1000 + k */
#define NEST_KEY NKEY         /* cookies of churn instances nested in M */
#define PING_KEY (NKEY + 1)   /* the ping source, also registered in M */
#define NALLKEY (NKEY + 2)
#define GEN_BITS 48
#define GEN_MASK ((UINT64_C(1) << GEN_BITS) - 1)
#define COOKIE(k, g) (((uint64_t)(k) << GEN_BITS) | (g))
#define EVBITS (VEPOLL_IN | VEPOLL_PRI | VEPOLL_OUT | VEPOLL_ERR | VEPOLL_HUP | VEPOLL_RDHUP)

static const uint32_t gen_masks[5] = {
    VEPOLL_IN, VEPOLL_IN | VEPOLL_OUT, VEPOLL_IN | VEPOLL_OUT | VEPOLL_ET,
    VEPOLL_IN | VEPOLL_ONESHOT, VEPOLL_OUT | VEPOLL_PRI,
};
static uint32_t mask_of(uint64_t g) { return gen_masks[g % 5]; }

struct slot {
    pthread_rwlock_t lock; /* rd: producers, ctl, churn; wr: closer */
    vepoll_source_t *src;
};

struct key {                /* guarded by the slot lock (ctl: rd, closer: wr) */
    bool registered;
    uint64_t gen;
};

static struct {
    int64_t seconds;
    vepoll_t *m, *w;
    vepoll_source_t *ping;
    struct slot slot[NSLOT];
    struct key key[NKEY];
    atomic_uint_fast64_t dead_upto[NALLKEY];
    atomic_uint_fast64_t next_gen; /* every generation handed out is < this */
    atomic_int stop;
    /* counters */
    atomic_long n_update, n_ctl, n_close, n_churn, n_events, n_pings;
    /* failures */
    atomic_long f_stale, f_bits, f_cookie, f_ctl, f_wait, f_ping, f_churn;
    pthread_mutex_t msg_mu;
    char msg[512];
} g;

static void record(atomic_long *counter, const char *fmt, ...)
{
    atomic_fetch_add(counter, 1);
    pthread_mutex_lock(&g.msg_mu);
    if (!g.msg[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(g.msg, sizeof g.msg, fmt, ap);
        va_end(ap);
    }
    pthread_mutex_unlock(&g.msg_mu);
}

static uint64_t new_gen(void) { return atomic_fetch_add(&g.next_gen, 1); }

static uint32_t rnd(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

/* ---- producers -------------------------------------------------------------- */

static void *producer_main(void *arg)
{
    uint32_t r = (uint32_t)(uintptr_t)arg * 2654435761u + 1;
    while (!atomic_load(&g.stop)) {
        struct slot *sl = &g.slot[rnd(&r) % NSLOT];
        uint32_t x = rnd(&r);
        uint32_t set = x & (VEPOLL_IN | VEPOLL_OUT | VEPOLL_PRI);
        uint32_t clear = (x >> 8) & (VEPOLL_IN | VEPOLL_OUT | VEPOLL_PRI);
        if ((x >> 16) % 64 == 0)
            set |= VEPOLL_HUP;
        if ((x >> 16) % 64 == 1)
            set |= VEPOLL_ERR;
        if ((x >> 24) % 4 == 0)
            clear |= VEPOLL_HUP | VEPOLL_ERR;
        pthread_rwlock_rdlock(&sl->lock);
        vepoll_source_update(sl->src, set, clear & ~set);
        pthread_rwlock_unlock(&sl->lock);
        atomic_fetch_add(&g.n_update, 1);
        if ((x & 1023) == 0)
            sched_yield();
    }
    return NULL;
}

/* ---- ctl thread ---------------------------------------------------------------- */

static void *ctl_main(void *arg)
{
    (void)arg;
    uint32_t r = 12345;
    while (!atomic_load(&g.stop)) {
        int k = (int)(rnd(&r) % NKEY);
        struct slot *sl = &g.slot[k % NSLOT];
        struct key *ky = &g.key[k];
        uint32_t x = rnd(&r);
        int fd = 1000 + k, rc;
        pthread_rwlock_rdlock(&sl->lock);
        if (!ky->registered) {
            if (x % 16 == 0) {
                rc = vt_del(g.m, fd, sl->src);
                if (rc != -ENOENT)
                    record(&g.f_ctl, "DEL of unregistered key %d returned %d", k, rc);
            }
            uint64_t gen = new_gen();
            rc = vt_add(g.m, fd, sl->src, mask_of(gen), COOKIE(k, gen));
            if (rc != 0) {
                record(&g.f_ctl, "ADD of key %d gen %llu returned %d", k, (unsigned long long)gen, rc);
            } else {
                ky->registered = true;
                ky->gen = gen;
            }
        } else if (x % 16 == 1) {
            rc = vt_add(g.m, fd, sl->src, VEPOLL_IN, COOKIE(k, 0));
            if (rc != -EEXIST)
                record(&g.f_ctl, "ADD of registered key %d returned %d", k, rc);
        } else if (x % 2 == 0) {
            uint64_t gen = new_gen();
            rc = vt_mod(g.m, fd, sl->src, mask_of(gen), COOKIE(k, gen));
            if (rc != 0) {
                record(&g.f_ctl, "MOD of key %d returned %d", k, rc);
            } else {
                atomic_store(&g.dead_upto[k], ky->gen); /* the old cookie is dead */
                ky->gen = gen;
            }
        } else {
            rc = vt_del(g.m, fd, sl->src);
            if (rc != 0) {
                record(&g.f_ctl, "DEL of key %d returned %d", k, rc);
            } else {
                atomic_store(&g.dead_upto[k], ky->gen);
                ky->registered = false;
            }
        }
        pthread_rwlock_unlock(&sl->lock);
        atomic_fetch_add(&g.n_ctl, 1);
        if ((x >> 20) % 8 == 0)
            sched_yield();
    }
    return NULL;
}

/* ---- closer ---------------------------------------------------------------------- */

static void *closer_main(void *arg)
{
    (void)arg;
    uint32_t r = 777;
    while (!atomic_load(&g.stop)) {
        int j = (int)(rnd(&r) % NSLOT);
        struct slot *sl = &g.slot[j];
        vepoll_source_t *n = NULL;
        pthread_rwlock_wrlock(&sl->lock);
        vepoll_source_close(sl->src);
        for (int k = j; k < NKEY; k += NSLOT) {
            if (g.key[k].registered) {
                atomic_store(&g.dead_upto[k], g.key[k].gen);
                g.key[k].registered = false;
            }
        }
        if (vepoll_source_create(&n, rnd(&r) & (VEPOLL_IN | VEPOLL_OUT)) != 0) {
            record(&g.f_ctl, "vepoll_source_create failed");
            n = NULL;
        }
        sl->src = n;
        pthread_rwlock_unlock(&sl->lock);
        atomic_fetch_add(&g.n_close, 1);
        if (!n)
            break;
        vt_sleep_ns(1000000 + (rnd(&r) % 2000000));
    }
    return NULL;
}

/* ---- churn: instances created, nested, closed ---------------------------------------- */

static void *churn_main(void *arg)
{
    (void)arg;
    uint32_t r = 4242;
    while (!atomic_load(&g.stop)) {
        vepoll_t *t;
        if (vepoll_create(&t) != 0) {
            record(&g.f_churn, "vepoll_create failed");
            break;
        }
        for (int i = 0; i < 3; i++) {
            struct slot *sl = &g.slot[rnd(&r) % NSLOT];
            pthread_rwlock_rdlock(&sl->lock);
            int rc = vt_add(t, i, sl->src, (i == 1 ? VEPOLL_ET : 0) | VEPOLL_IN | VEPOLL_OUT, (uint64_t)i);
            pthread_rwlock_unlock(&sl->lock);
            if (rc != 0 && rc != -EEXIST)
                record(&g.f_churn, "churn ADD returned %d", rc);
        }
        uint64_t gen = new_gen();
        int nested = vt_add(g.m, 5000, vepoll_as_source(t), VEPOLL_IN, COOKIE(NEST_KEY, gen));
        if (nested != 0)
            record(&g.f_churn, "nesting a churn instance returned %d", nested);
        struct vepoll_event out[8];
        for (int i = 0; i < 3; i++) {
            int n = vepoll_wait(t, out, 8, 0);
            if (n < 0)
                record(&g.f_churn, "wait on churn instance returned %d", n);
            for (int j = 0; j < n; j++)
                if (out[j].data.u64 > 2 || (out[j].events & ~EVBITS) || !out[j].events)
                    record(&g.f_bits, "churn instance reported %#x/%llu", out[j].events,
                           (unsigned long long)out[j].data.u64);
            vt_sleep_ns(200000);
        }
        if (nested == 0 && rnd(&r) % 2) {
            int rc = vt_del(g.m, 5000, vepoll_as_source(t));
            if (rc != 0)
                record(&g.f_churn, "DEL of nested churn instance returned %d", rc);
            atomic_store(&g.dead_upto[NEST_KEY], gen);
        }
        if (vepoll_close(t) != 0)
            record(&g.f_churn, "vepoll_close(churn) failed");
        atomic_store(&g.dead_upto[NEST_KEY], gen);
        atomic_fetch_add(&g.n_churn, 1);
    }
    return NULL;
}

/* ---- waiters on M ------------------------------------------------------------------------ */

static void check_event(const struct vepoll_event *ev, const uint64_t *snap)
{
    uint64_t k = ev->data.u64 >> GEN_BITS, gen = ev->data.u64 & GEN_MASK;
    if (k >= NALLKEY || (k != PING_KEY && gen >= atomic_load(&g.next_gen))) {
        record(&g.f_cookie, "unknown cookie %#llx", (unsigned long long)ev->data.u64);
        return;
    }
    if (k != PING_KEY && gen <= snap[k])
        record(&g.f_stale, "key %llu gen %llu reported by a wait that started after it was dead (dead up to %llu)",
               (unsigned long long)k, (unsigned long long)gen, (unsigned long long)snap[k]);
    uint32_t allowed;
    if (k == NEST_KEY || k == PING_KEY)
        allowed = VEPOLL_IN | (k == PING_KEY ? VEPOLL_ERR | VEPOLL_HUP : 0);
    else
        allowed = (mask_of(gen) & EVBITS) | VEPOLL_ERR | VEPOLL_HUP;
    if (!ev->events || (ev->events & ~allowed))
        record(&g.f_bits, "key %llu gen %llu: events %#x, allowed %#x", (unsigned long long)k,
               (unsigned long long)gen, ev->events, allowed);
}

static void *waiter_main(void *arg)
{
    uint32_t r = (uint32_t)(uintptr_t)arg * 7919u + 3;
    uint64_t snap[NALLKEY];
    struct vepoll_event out[8];
    while (!atomic_load(&g.stop)) {
        for (int k = 0; k < NALLKEY; k++)
            snap[k] = atomic_load(&g.dead_upto[k]);
        int n = vepoll_wait(g.m, out, 8, (int64_t)(rnd(&r) % 3) * VT_MS);
        if (n < 0) {
            record(&g.f_wait, "vepoll_wait(M) returned %d", n);
            continue;
        }
        for (int i = 0; i < n; i++)
            check_event(&out[i], snap);
        atomic_fetch_add(&g.n_events, n);
    }
    return NULL;
}

/* ---- ping: no lost wake-up under load ------------------------------------------------------- */

static atomic_long ping_acks;

static void *ping_waiter_main(void *arg)
{
    (void)arg;
    struct vepoll_event out[4];
    for (;;) {
        int n = vepoll_wait(g.w, out, 4, 10 * VT_SEC);
        if (n > 0) {
            atomic_fetch_add(&ping_acks, 1);
        } else if (n == -EINTR) {
            if (atomic_load(&g.stop))
                break;
        } else if (n == 0) {
            if (atomic_load(&g.stop))
                break;
            record(&g.f_ping, "ping waiter: 10 s without the ping (lost wake-up)");
        } else {
            record(&g.f_ping, "ping waiter: vepoll_wait returned %d", n);
            break;
        }
    }
    return NULL;
}

static void *pinger_main(void *arg)
{
    (void)arg;
    for (long p = 1; !atomic_load(&g.stop); p++) {
        vepoll_source_update(g.ping, VEPOLL_IN, 0);
        int64_t t0 = vt_now_ns();
        while (atomic_load(&ping_acks) < p) {
            if (vt_now_ns() - t0 > 5 * VT_SEC) {
                record(&g.f_ping, "ping %ld not seen by the blocked waiter within 5 s", p);
                return NULL;
            }
            vt_sleep_ns(100000);
        }
        atomic_fetch_add(&g.n_pings, 1);
        vt_sleep_ns(500000);
    }
    return NULL;
}

/* ---- the test ----------------------------------------------------------------------------- */

static int64_t stress_seconds(void)
{
    const char *s = getenv("VEPOLL_STRESS_SECONDS");
    long v = s && *s ? strtol(s, NULL, 10) : 3;
    if (v < 1)
        v = 1;
    if (v > 60)
        v = 60;
    return v;
}

struct final_waiter {
    pthread_t th;
    int ret;
    struct vepoll_event ev[8];
};

static void *final_waiter_main(void *arg)
{
    struct final_waiter *f = arg;
    f->ret = vepoll_wait(g.m, f->ev, 8, 5 * VT_SEC);
    return NULL;
}

static void test_stress(void **state)
{
    (void)state;
    pthread_t prod[2], ctl, closer, churn, wt[2], pinger, pwaiter;
    pthread_rwlockattr_t ra;

    g.seconds = stress_seconds();
    assert_int_equal(pthread_mutex_init(&g.msg_mu, NULL), 0);
    assert_int_equal(pthread_rwlockattr_init(&ra), 0);
    pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    atomic_store(&g.next_gen, 1);
    assert_int_equal(vepoll_create(&g.m), 0);
    assert_int_equal(vepoll_create(&g.w), 0);
    assert_int_equal(vepoll_source_create(&g.ping, 0), 0);
    assert_int_equal(vt_add(g.w, 1, g.ping, VEPOLL_IN | VEPOLL_ET, 1), 0);
    assert_int_equal(vt_add(g.m, 1, g.ping, VEPOLL_IN | VEPOLL_ET, COOKIE(PING_KEY, 0)), 0);
    for (int j = 0; j < NSLOT; j++) {
        assert_int_equal(pthread_rwlock_init(&g.slot[j].lock, &ra), 0);
        assert_int_equal(vepoll_source_create(&g.slot[j].src, 0), 0);
    }

    assert_int_equal(pthread_create(&pwaiter, NULL, ping_waiter_main, NULL), 0);
    assert_int_equal(pthread_create(&pinger, NULL, pinger_main, NULL), 0);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pthread_create(&prod[i], NULL, producer_main, (void *)(uintptr_t)(i + 1)), 0);
        assert_int_equal(pthread_create(&wt[i], NULL, waiter_main, (void *)(uintptr_t)(i + 1)), 0);
    }
    assert_int_equal(pthread_create(&ctl, NULL, ctl_main, NULL), 0);
    assert_int_equal(pthread_create(&closer, NULL, closer_main, NULL), 0);
    assert_int_equal(pthread_create(&churn, NULL, churn_main, NULL), 0);

    vt_sleep_ns(g.seconds * VT_SEC);
    atomic_store(&g.stop, 1);

    for (int i = 0; i < 2; i++)
        pthread_join(prod[i], NULL);
    pthread_join(ctl, NULL);
    pthread_join(closer, NULL);
    pthread_join(churn, NULL);
    pthread_join(pinger, NULL);
    vepoll_interrupt(g.w);
    pthread_join(pwaiter, NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(wt[i], NULL);

    print_message("stress %llds: %ld updates, %ld ctl ops, %ld source closes, %ld churn instances, "
                  "%ld events, %ld pings\n",
                  (long long)g.seconds, atomic_load(&g.n_update), atomic_load(&g.n_ctl),
                  atomic_load(&g.n_close), atomic_load(&g.n_churn), atomic_load(&g.n_events),
                  atomic_load(&g.n_pings));
    if (g.msg[0])
        print_error("first failure: %s\n", g.msg);
    assert_int_equal(atomic_load(&g.f_stale), 0);
    assert_int_equal(atomic_load(&g.f_bits), 0);
    assert_int_equal(atomic_load(&g.f_cookie), 0);
    assert_int_equal(atomic_load(&g.f_ctl), 0);
    assert_int_equal(atomic_load(&g.f_wait), 0);
    assert_int_equal(atomic_load(&g.f_ping), 0);
    assert_int_equal(atomic_load(&g.f_churn), 0);
    /* every worker made progress */
    assert_true(atomic_load(&g.n_update) > 0 && atomic_load(&g.n_ctl) > 0);
    assert_true(atomic_load(&g.n_close) > 0 && atomic_load(&g.n_churn) > 0);
    assert_true(atomic_load(&g.n_pings) > 0);

    /* Final phase 1: DEL exactly what the bookkeeping says is registered. */
    for (int k = 0; k < NKEY; k++) {
        struct slot *sl = &g.slot[k % NSLOT];
        int rc = vt_del(g.m, 1000 + k, sl->src);
        assert_int_equal(rc, g.key[k].registered ? 0 : -ENOENT);
        g.key[k].registered = false;
    }
    assert_int_equal(vt_del(g.m, 1, g.ping), 0);
    assert_int_equal(vt_del(g.m, 5000, g.slot[0].src), -ENOENT);
    struct vepoll_event out[8];
    assert_int_equal(vepoll_wait(g.m, out, 8, 0), 0); /* nothing is left in M */
    assert_int_equal(vepoll_wait(g.m, out, 8, 10 * VT_MS), 0);

    /* Final phase 2: a blocked waiter gets a fresh registration's readiness. */
    for (int i = 0; i < 20; i++) {
        vepoll_source_t *x;
        struct final_waiter fw;
        uint64_t cookie = COOKIE(NKEY + 5, (uint64_t)i);
        assert_int_equal(vepoll_source_create(&x, 0), 0);
        assert_int_equal(vt_add(g.m, 7, x, VEPOLL_IN | (i % 2 ? VEPOLL_ET : 0), cookie), 0);
        memset(&fw, 0, sizeof fw);
        assert_int_equal(pthread_create(&fw.th, NULL, final_waiter_main, &fw), 0);
        vt_sleep_ns(i == 0 ? 100 * VT_MS : (int64_t)(i % 4) * 500000);
        vepoll_source_update(x, VEPOLL_IN, 0);
        assert_int_equal(pthread_join(fw.th, NULL), 0);
        assert_int_equal(fw.ret, 1);
        assert_true(fw.ev[0].data.u64 == cookie);
        assert_int_equal(vt_del(g.m, 7, x), 0);
        vepoll_source_close(x);
    }

    /* Close everything: no live allocation may remain. */
    for (int j = 0; j < NSLOT; j++) {
        vepoll_source_close(g.slot[j].src);
        pthread_rwlock_destroy(&g.slot[j].lock);
    }
    vepoll_source_close(g.ping);
    assert_int_equal(vepoll_close(g.w), 0);
    assert_int_equal(vepoll_close(g.m), 0);
    pthread_rwlockattr_destroy(&ra);
    pthread_mutex_destroy(&g.msg_mu);
    assert_int_equal(atomic_load(&vt_alloc.live), 0);
    assert_int_equal(atomic_load(&vt_alloc.live_bytes), 0);
    assert_int_equal(atomic_load(&vt_alloc.bad_frees), 0);
    assert_true(atomic_load(&vt_alloc.allocs) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stress),
    };
    return cmocka_run_group_tests(tests, vt_alloc_setup, vt_reset_teardown);
}
