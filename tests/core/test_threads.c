/*
 * Threaded scenarios: blocked waiters woken by other threads (S032, S058,
 * S066, S067, S091, S092), concurrent MOD re-arm (S105), ET counters with
 * many waiters (S106), wake-all / wake-one / EXCLUSIVE (S132-S139).
 * Built twice: against vepoll (futex parking) and vepoll_condvar.
 * Worker threads never assert; they record results, the test thread joins
 * them and asserts.  Head starts 200 ms, waiter timeouts >= 1000 ms.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>

#include "vtest.h"

/* How long a waiter that must not block yet is given to get going, or a
 * later phase to start; whether a waiter is blocked is never guessed from a
 * sleep: vt_waiter_until_blocked asks the kernel. */
#define HEAD_START_MS 200
#define WAIT_NS (1000 * VT_MS)

/* ---- generic waiter (struct vt_waiter, vtest.h) -------------------------- */

/* A waiter that did not get the event must have timed out, never early. */
static void assert_timed_out(const struct vt_waiter *w)
{
    assert_int_equal(w->ret, 0);
    assert_true(w->elapsed >= w->timeout);
}

/* ---- S032 ---------------------------------------------------------------- */

static void test_s032_blocked_lt_wait_woken_by_other_thread(void **state)
{
    (void)state;
    vepoll_t *e;
    vepoll_source_t *s;
    struct vt_waiter w;
    assert_int_equal(vepoll_create(&e), 0);
    assert_int_equal(vepoll_source_create(&s, 0), 0);
    assert_int_equal(vt_add(e, 3, s, VEPOLL_IN, 7), 0);
    vt_waiter_start(&w, e, 1, -1);
    vt_waiter_until_blocked(&w);
    int64_t t_update = vt_now_ns();
    vepoll_source_update(s, VEPOLL_IN, 0);
    vt_waiter_join(&w);
    assert_int_equal(w.ret, 1);
    assert_int_equal(w.ev[0].events, VEPOLL_IN);
    assert_true(w.ev[0].data.u64 == 7);
    assert_true(w.end >= t_update); /* it did not return before the update */
    vepoll_close(e);
    vepoll_source_close(s);
}

/* ---- S058 ---------------------------------------------------------------- */

static void test_s058_oneshot_with_three_blocked_threads(void **state)
{
    (void)state;
    vepoll_t *e;
    vepoll_source_t *s;
    struct vt_waiter w[3];
    assert_int_equal(vepoll_create(&e), 0);
    assert_int_equal(vepoll_source_create(&s, 0), 0);
    assert_int_equal(vt_add(e, 3, s, VEPOLL_IN | VEPOLL_ONESHOT, 1), 0);
    for (int i = 0; i < 3; i++)
        vt_waiter_start(&w[i], e, 1, WAIT_NS);
    for (int i = 0; i < 3; i++)
        vt_waiter_until_blocked(&w[i]);
    vepoll_source_update(s, VEPOLL_IN, 0);
    int got = 0;
    for (int i = 0; i < 3; i++) {
        vt_waiter_join(&w[i]);
        if (w[i].ret == 1)
            got++;
        else
            assert_timed_out(&w[i]);
    }
    assert_int_equal(got, 1);
    vepoll_close(e);
    vepoll_source_close(s);
}

/* ---- S066, S067 ------------------------------------------------------------ */

static void test_s066_del_while_another_thread_waits(void **state)
{
    (void)state;
    vepoll_t *e;
    vepoll_source_t *s;
    struct vt_waiter w;
    assert_int_equal(vepoll_create(&e), 0);
    assert_int_equal(vepoll_source_create(&s, 0), 0);
    assert_int_equal(vt_add(e, 3, s, VEPOLL_IN, 1), 0);
    vt_waiter_start(&w, e, 8, 400 * VT_MS);
    vt_sleep_ms(100);
    assert_int_equal(vt_del(e, 3, s), 0);
    vt_waiter_join(&w);
    assert_timed_out(&w);
    vepoll_close(e);
    vepoll_source_close(s);
}

static void test_s067_add_while_another_thread_waits(void **state)
{
    (void)state;
    vepoll_t *e;
    vepoll_source_t *s;
    struct vt_waiter w;
    assert_int_equal(vepoll_create(&e), 0);
    assert_int_equal(vepoll_source_create(&s, VEPOLL_IN), 0); /* already readable */
    vt_waiter_start(&w, e, 8, 10 * VT_SEC);
    vt_sleep_ms(HEAD_START_MS);
    assert_int_equal(vt_add(e, 3, s, VEPOLL_IN, 5), 0);
    vt_waiter_join(&w);
    assert_int_equal(w.ret, 1);
    assert_int_equal(w.ev[0].events, VEPOLL_IN);
    assert_true(w.ev[0].data.u64 == 5);
    assert_true(w.elapsed < 5 * VT_SEC);
    vepoll_close(e);
    vepoll_source_close(s);
}

/* ---- S091, S092 (pipe model) ------------------------------------------------ */

static void test_s091_blocked_reader_woken_by_hangup(void **state)
{
    (void)state;
    vepoll_t *e;
    tpipe p;
    struct vt_waiter w;
    assert_int_equal(vepoll_create(&e), 0);
    assert_int_equal(tpipe_init(&p, 0), 0);
    assert_int_equal(vt_add(e, 3, p.r, VEPOLL_IN, 1), 0);
    vt_waiter_start(&w, e, 8, 5 * VT_SEC);
    vt_waiter_until_blocked(&w);
    tpipe_close_w(&p);
    vt_waiter_join(&w);
    assert_int_equal(w.ret, 1);
    assert_int_equal(w.ev[0].events, VEPOLL_HUP);
    assert_true(w.elapsed < 4 * VT_SEC);
    vepoll_close(e);
    tpipe_destroy(&p);
}

static void test_s092_blocked_writer_woken_by_reader_close(void **state)
{
    (void)state;
    vepoll_t *e;
    tpipe p;
    struct vt_waiter w;
    assert_int_equal(vepoll_create(&e), 0);
    assert_int_equal(tpipe_init(&p, 0), 0);
    assert_true(tpipe_fill(&p) > 0);
    assert_int_equal(vt_add(e, 3, p.w, VEPOLL_OUT, 1), 0);
    assert_int_equal(vt_poll1(e), 0);
    vt_waiter_start(&w, e, 8, 5 * VT_SEC);
    vt_waiter_until_blocked(&w);
    tpipe_close_r(&p);
    vt_waiter_join(&w);
    assert_int_equal(w.ret, 1);
    assert_int_equal(w.ev[0].events, VEPOLL_ERR);
    assert_true(w.elapsed < 4 * VT_SEC);
    vepoll_close(e);
    tpipe_destroy(&p);
}

/* ---- S105: concurrent MOD re-arm never loses the event --------------------- */

#define S105_ITERS 2000

struct s105 {
    vepoll_t *e;
    vepoll_source_t *f;
    atomic_int turn; /* 1: the MOD thread may re-arm; 0: done */
    atomic_int stop;
    int mod_errors;
};

static void *s105_mod_main(void *arg)
{
    struct s105 *c = arg;
    for (;;) {
        while (atomic_load(&c->turn) == 0) {
            if (atomic_load(&c->stop))
                return NULL;
            sched_yield();
        }
        if (vt_mod(c->e, 3, c->f, VEPOLL_IN | VEPOLL_ERR | VEPOLL_ET, 1) != 0)
            c->mod_errors++;
        atomic_store(&c->turn, 0);
    }
}

static void test_s105_concurrent_mod_rearm_never_loses_event(void **state)
{
    (void)state;
    struct s105 c;
    pthread_t th;
    memset(&c, 0, sizeof c);
    assert_int_equal(vepoll_create(&c.e), 0);
    assert_int_equal(vepoll_source_create(&c.f, VEPOLL_IN | VEPOLL_OUT), 0); /* F(1): always readable */
    assert_int_equal(vt_add(c.e, 3, c.f, VEPOLL_IN | VEPOLL_ERR | VEPOLL_ET, 1), 0);
    assert_int_equal(pthread_create(&th, NULL, s105_mod_main, &c), 0);
    int failures = 0, first_fail = -1;
    for (int i = 0; i < S105_ITERS; i++) {
        struct vepoll_event ev[1];
        int r = vepoll_wait(c.e, ev, 1, 1000 * VT_MS);
        if (r != 1) {
            if (first_fail < 0)
                first_fail = i;
            failures++;
            if (failures > 3)
                break;
        }
        while (atomic_load(&c.turn) != 0)
            sched_yield();
        atomic_store(&c.turn, 1); /* the next wait races with this MOD */
    }
    while (atomic_load(&c.turn) != 0)
        sched_yield();
    atomic_store(&c.stop, 1);
    assert_int_equal(pthread_join(th, NULL), 0);
    if (failures)
        fail_msg("%d waits did not return the event (first at iteration %d)", failures, first_fail);
    assert_int_equal(c.mod_errors, 0);
    vepoll_close(c.e);
    vepoll_source_close(c.f);
}

/* ---- S106: ET counters with many waiters ------------------------------------- */

#define S106_N 10
#define S106_ROUNDS 30

struct s106 {
    vepoll_t *e;
    tefd f[S106_N];
    pthread_barrier_t round_done;
    atomic_int no_event, bad_read, bad_cookie;
};

struct s106_thread {
    pthread_t th;
    struct s106 *c;
};

static void *s106_main(void *arg)
{
    struct s106 *c = ((struct s106_thread *)arg)->c;
    for (int r = 0; r < S106_ROUNDS; r++) {
        struct vepoll_event ev[1];
        int n = vepoll_wait(c->e, ev, 1, 2 * VT_SEC);
        if (n != 1) {
            atomic_fetch_add(&c->no_event, 1);
        } else if (ev[0].data.u64 >= S106_N) {
            atomic_fetch_add(&c->bad_cookie, 1);
        } else {
            uint64_t v;
            if (tefd_read(&c->f[ev[0].data.u64], &v) != 0)
                atomic_fetch_add(&c->bad_read, 1);
        }
        pthread_barrier_wait(&c->round_done);
    }
    return NULL;
}

static void test_s106_et_counters_with_many_waiters(void **state)
{
    (void)state;
    static struct s106 c;
    struct s106_thread t[S106_N];
    memset(&c, 0, sizeof c);
    assert_int_equal(vepoll_create(&c.e), 0);
    for (int i = 0; i < S106_N; i++) {
        assert_int_equal(tefd_init(&c.f[i], 0, false), 0);
        assert_int_equal(vt_add(c.e, 10 + i, c.f[i].src, VEPOLL_IN | VEPOLL_ET, (uint64_t)i), 0);
    }
    assert_int_equal(pthread_barrier_init(&c.round_done, NULL, S106_N + 1), 0);
    for (int i = 0; i < S106_N; i++) {
        t[i].c = &c;
        assert_int_equal(pthread_create(&t[i].th, NULL, s106_main, &t[i]), 0);
    }
    for (int r = 0; r < S106_ROUNDS; r++) {
        vt_sleep_ms(r == 0 ? HEAD_START_MS : 5);
        for (int i = 0; i < S106_N; i++)
            tefd_write(&c.f[i], 1);
        pthread_barrier_wait(&c.round_done);
    }
    for (int i = 0; i < S106_N; i++)
        assert_int_equal(pthread_join(t[i].th, NULL), 0);
    assert_int_equal(atomic_load(&c.no_event), 0);
    assert_int_equal(atomic_load(&c.bad_cookie), 0);
    assert_int_equal(atomic_load(&c.bad_read), 0);
    pthread_barrier_destroy(&c.round_done);
    vepoll_close(c.e);
    for (int i = 0; i < S106_N; i++)
        tefd_destroy(&c.f[i]);
}

/* ---- S132, S133: LT wakes all, ET wakes one ------------------------------------- */

static void wake_count(uint32_t mode, int nthreads, int expect)
{
    vepoll_t *e;
    vepoll_source_t *s;
    struct vt_waiter w[4];
    assert_int_equal(vepoll_create(&e), 0);
    assert_int_equal(vepoll_source_create(&s, 0), 0);
    assert_int_equal(vt_add(e, 3, s, VEPOLL_IN | mode, 1), 0);
    for (int i = 0; i < nthreads; i++)
        vt_waiter_start(&w[i], e, 1, WAIT_NS);
    for (int i = 0; i < nthreads; i++)
        vt_waiter_until_blocked(&w[i]);
    vepoll_source_update(s, VEPOLL_IN, 0);
    int got = 0;
    for (int i = 0; i < nthreads; i++) {
        vt_waiter_join(&w[i]);
        if (w[i].ret == 1) {
            got++;
            assert_int_equal(w[i].ev[0].events, VEPOLL_IN);
        } else {
            assert_timed_out(&w[i]);
        }
    }
    assert_int_equal(got, expect);
    vepoll_close(e);
    vepoll_source_close(s);
}

static void test_s132_lt_wakes_every_waiter_2(void **state) { (void)state; wake_count(0, 2, 2); }
static void test_s132_lt_wakes_every_waiter_4(void **state) { (void)state; wake_count(0, 4, 4); }
static void test_s133_et_wakes_exactly_one_of_2(void **state) { (void)state; wake_count(VEPOLL_ET, 2, 1); }
static void test_s133_et_wakes_exactly_one_of_4(void **state) { (void)state; wake_count(VEPOLL_ET, 4, 1); }

/* ---- S134 ------------------------------------------------------------------------ */

static void test_s134_lt_two_sources_two_waiters(void **state)
{
    (void)state;
    vepoll_t *e;
    vepoll_source_t *a, *b;
    struct vt_waiter w[2];
    assert_int_equal(vepoll_create(&e), 0);
    assert_int_equal(vepoll_source_create(&a, 0), 0);
    assert_int_equal(vepoll_source_create(&b, 0), 0);
    assert_int_equal(vt_add(e, 3, a, VEPOLL_IN, 1), 0);
    assert_int_equal(vt_add(e, 4, b, VEPOLL_IN, 2), 0);
    for (int i = 0; i < 2; i++)
        vt_waiter_start(&w[i], e, 2, WAIT_NS);
    for (int i = 0; i < 2; i++)
        vt_waiter_until_blocked(&w[i]);
    vepoll_source_update(a, VEPOLL_IN, 0);
    vepoll_source_update(b, VEPOLL_IN, 0);
    for (int i = 0; i < 2; i++) {
        vt_waiter_join(&w[i]);
        assert_true(w[i].ret >= 1 && w[i].ret <= 2);
    }
    vepoll_close(e);
    vepoll_source_close(a);
    vepoll_source_close(b);
}

static void test_s134_et_two_sources_two_waiters_distinct(void **state)
{
    (void)state;
    vepoll_t *e;
    vepoll_source_t *a, *b;
    struct vt_waiter w[2];
    assert_int_equal(vepoll_create(&e), 0);
    assert_int_equal(vepoll_source_create(&a, 0), 0);
    assert_int_equal(vepoll_source_create(&b, 0), 0);
    assert_int_equal(vt_add(e, 3, a, VEPOLL_IN | VEPOLL_ET, 1), 0);
    assert_int_equal(vt_add(e, 4, b, VEPOLL_IN | VEPOLL_ET, 2), 0);
    for (int i = 0; i < 2; i++)
        vt_waiter_start(&w[i], e, 1, WAIT_NS);
    for (int i = 0; i < 2; i++)
        vt_waiter_until_blocked(&w[i]);
    vepoll_source_update(a, VEPOLL_IN, 0);
    vepoll_source_update(b, VEPOLL_IN, 0);
    for (int i = 0; i < 2; i++) {
        vt_waiter_join(&w[i]);
        assert_int_equal(w[i].ret, 1);
    }
    assert_true(w[0].ev[0].data.u64 != w[1].ev[0].data.u64);
    vepoll_close(e);
    vepoll_source_close(a);
    vepoll_source_close(b);
}

/* ---- S135: no lost wake-up between a timed and an untimed waiter ---------------- */

#define S135_ITERS 100

struct s135 {
    vepoll_t *e;
    vepoll_source_t *f;
    int t2_ret, t3_ret;
};

static void *s135_writer(void *arg)
{
    struct s135 *c = arg;
    vt_sleep_ns(10950 * 1000);
    vepoll_source_update(c->f, VEPOLL_IN, 0);
    return NULL;
}

static void *s135_timed(void *arg)
{
    struct s135 *c = arg;
    struct vepoll_event ev[1];
    c->t2_ret = vepoll_wait(c->e, ev, 1, 11 * VT_MS);
    if (c->t2_ret == 1)
        vepoll_source_update(c->f, VEPOLL_IN, 0);
    return NULL;
}

static void *s135_untimed(void *arg)
{
    struct s135 *c = arg;
    struct vepoll_event ev[1];
    /* "forever", bounded so that a lost wake-up is reported, not hung */
    c->t3_ret = vepoll_wait(c->e, ev, 1, 10 * VT_SEC);
    return NULL;
}

static void test_s135_no_lost_wakeup_timed_and_untimed(void **state)
{
    (void)state;
    struct s135 c;
    memset(&c, 0, sizeof c);
    assert_int_equal(vepoll_create(&c.e), 0);
    assert_int_equal(vepoll_source_create(&c.f, 0), 0);
    assert_int_equal(vt_add(c.e, 3, c.f, VEPOLL_IN | VEPOLL_ET | VEPOLL_ERR | VEPOLL_HUP, 1), 0);
    int lost = 0, bad = 0;
    for (int i = 0; i < S135_ITERS && !lost; i++) {
        pthread_t t1, t2, t3;
        c.t2_ret = c.t3_ret = 12345;
        assert_int_equal(pthread_create(&t1, NULL, s135_writer, &c), 0);
        assert_int_equal(pthread_create(&t2, NULL, s135_timed, &c), 0);
        assert_int_equal(pthread_create(&t3, NULL, s135_untimed, &c), 0);
        pthread_join(t1, NULL);
        pthread_join(t2, NULL);
        pthread_join(t3, NULL);
        if (c.t3_ret != 1)
            lost++;
        if (c.t2_ret != 0 && c.t2_ret != 1)
            bad++;
    }
    assert_int_equal(lost, 0);
    assert_int_equal(bad, 0);
    vepoll_close(c.e);
    vepoll_source_close(c.f);
}

/* ---- S136-S139: fan-out across instances, EXCLUSIVE ------------------------------ */

#define NI 8

struct fan {
    vepoll_t *e[NI];
    vepoll_source_t *s;
    struct vt_waiter w[NI];
};

static void fan_setup(struct fan *f, int n, const uint32_t *masks)
{
    memset(f, 0, sizeof *f);
    assert_int_equal(vepoll_source_create(&f->s, 0), 0);
    for (int i = 0; i < n; i++) {
        assert_int_equal(vepoll_create(&f->e[i]), 0);
        assert_int_equal(vt_add(f->e[i], 3, f->s, masks[i], (uint64_t)i), 0);
    }
}

static void fan_teardown(struct fan *f, int n)
{
    for (int i = 0; i < n; i++)
        vepoll_close(f->e[i]);
    vepoll_source_close(f->s);
}

static void test_s136_non_exclusive_fan_out_wakes_all(void **state)
{
    (void)state;
    struct fan f;
    uint32_t m[NI];
    for (int i = 0; i < NI; i++)
        m[i] = VEPOLL_IN | VEPOLL_ET;
    fan_setup(&f, NI, m);
    for (int i = 0; i < NI; i++)
        vt_waiter_start(&f.w[i], f.e[i], 1, 5 * VT_SEC);
    for (int i = 0; i < NI; i++)
        vt_waiter_until_blocked(&f.w[i]);
    vepoll_source_update(f.s, VEPOLL_IN, 0);
    for (int i = 0; i < NI; i++) {
        vt_waiter_join(&f.w[i]);
        assert_int_equal(f.w[i].ret, 1);
        assert_true(f.w[i].ev[0].data.u64 == (uint64_t)i);
    }
    fan_teardown(&f, NI);
}

static atomic_int fan_done;

static void *fan_waiter_main(void *arg)
{
    vt_waiter_main(arg);
    atomic_fetch_add(&fan_done, 1);
    return NULL;
}

/* Rounds: each update wakes exactly one new exclusive waiter. */
static void exclusive_rounds(uint32_t mode)
{
    struct fan f;
    uint32_t m[NI];
    for (int i = 0; i < NI; i++)
        m[i] = VEPOLL_IN | VEPOLL_EXCLUSIVE | mode;
    fan_setup(&f, NI, m);
    atomic_store(&fan_done, 0);
    const int64_t timeout = 30 * VT_SEC;
    for (int i = 0; i < NI; i++) {
        vt_waiter_start_fn(&f.w[i], f.e[i], 1, timeout, fan_waiter_main);
    }
    /* Every waiter must really be blocked: one that arrives late finds the
     * event recorded and returns with it, as on Linux (S139), which would
     * count as an extra wake-up here. */
    for (int i = 0; i < NI; i++)
        vt_waiter_until_blocked(&f.w[i]);
    int per_round[NI];
    for (int r = 0; r < NI; r++)
        per_round[r] = -1;
    for (int r = 0; r < NI; r++) {
        if (r > 0)
            vepoll_source_update(f.s, 0, VEPOLL_IN); /* the woken one "read" it */
        vepoll_source_update(f.s, VEPOLL_IN, 0);
        int64_t t0 = vt_now_ns();
        while (atomic_load(&fan_done) < r + 1 && vt_now_ns() - t0 < 5 * VT_SEC)
            vt_sleep_ms(5);
        vt_sleep_ms(150); /* room for extra (wrong) wake-ups to show */
        per_round[r] = atomic_load(&fan_done);
        if (per_round[r] != r + 1)
            break;
    }
    /* release any waiter still blocked */
    for (int i = 0; i < NI; i++)
        vepoll_interrupt(f.e[i]);
    for (int i = 0; i < NI; i++)
        vt_waiter_join(&f.w[i]);
    for (int r = 0; r < NI; r++) {
        if (per_round[r] != r + 1)
            fail_msg("after update %d: %d waiters returned, expected %d", r + 1, per_round[r], r + 1);
    }
    for (int i = 0; i < NI; i++) {
        assert_int_equal(f.w[i].ret, 1);
        assert_true(f.w[i].ev[0].data.u64 == (uint64_t)i);
    }
    fan_teardown(&f, NI);
}

static void test_s137_exclusive_et_wakes_one_instance_per_update(void **state)
{
    (void)state;
    exclusive_rounds(VEPOLL_ET);
}

static void test_s137_exclusive_lt_wakes_one_instance_per_update(void **state)
{
    (void)state;
    exclusive_rounds(0);
}

static void test_s138_mixed_exclusive_and_non_exclusive(void **state)
{
    (void)state;
    struct fan f;
    uint32_t m[6];
    for (int i = 0; i < 6; i++)
        m[i] = VEPOLL_IN | (i < 3 ? VEPOLL_EXCLUSIVE : 0);
    fan_setup(&f, 6, m);
    for (int i = 0; i < 6; i++)
        vt_waiter_start(&f.w[i], f.e[i], 1, WAIT_NS);
    for (int i = 0; i < 6; i++)
        vt_waiter_until_blocked(&f.w[i]);
    vepoll_source_update(f.s, VEPOLL_IN, 0);
    int excl = 0;
    for (int i = 0; i < 6; i++) {
        vt_waiter_join(&f.w[i]);
        if (i >= 3) {
            assert_int_equal(f.w[i].ret, 1);
        } else if (f.w[i].ret == 1) {
            excl++;
        } else {
            assert_timed_out(&f.w[i]);
        }
    }
    assert_int_equal(excl, 1);
    fan_teardown(&f, 6);
}

static void test_s139_unwoken_exclusive_instances_did_not_record(void **state)
{
    (void)state;
    struct fan f;
    uint32_t m[4];
    for (int i = 0; i < 4; i++)
        m[i] = VEPOLL_IN | VEPOLL_EXCLUSIVE;
    fan_setup(&f, 4, m);
    for (int i = 0; i < 4; i++)
        vt_waiter_start(&f.w[i], f.e[i], 1, WAIT_NS);
    for (int i = 0; i < 4; i++)
        vt_waiter_until_blocked(&f.w[i]);
    vepoll_source_update(f.s, VEPOLL_IN, 0);
    int woken = -1, count = 0;
    for (int i = 0; i < 4; i++) {
        vt_waiter_join(&f.w[i]);
        if (f.w[i].ret == 1) {
            woken = i;
            count++;
        } else {
            assert_timed_out(&f.w[i]);
        }
    }
    assert_int_equal(count, 1);
    int total = 0;
    for (int i = 0; i < 4; i++) {
        int n = vt_poll1(f.e[i]);
        if (n == 1)
            assert_int_equal(i, woken);
        total += n;
    }
    assert_int_equal(total, 1);
    fan_teardown(&f, 4);
}

static void test_s139_exclusive_without_waiters_recorded_everywhere(void **state)
{
    (void)state;
    struct fan f;
    uint32_t m[4];
    for (int i = 0; i < 4; i++)
        m[i] = VEPOLL_IN | VEPOLL_EXCLUSIVE;
    fan_setup(&f, 4, m);
    vepoll_source_update(f.s, VEPOLL_IN, 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(vt_poll1(f.e[i]), 1);
    fan_teardown(&f, 4);
}

/* The consumer thread producing for itself (its events go straight to the
 * private FIFO when it holds the instance's token biased: src/core/hook.c)
 * still wakes another thread blocked on the same instance (S032). */
static void test_s032_own_event_wakes_other_blocked_thread(void **state)
{
    (void)state;
    vepoll_t *e;
    vepoll_source_t *s;
    struct vt_waiter w;
    struct vepoll_event out[4];
    assert_int_equal(vepoll_create(&e), 0);
    assert_int_equal(vepoll_source_create(&s, 0), 0);
    assert_int_equal(vt_add(e, 3, s, VEPOLL_IN | VEPOLL_ET, 9), 0);
    for (int i = 0; i < 256; i++) /* this thread becomes e's consumer */
        assert_int_equal(vepoll_wait(e, out, 4, 0), 0);
    vt_waiter_start(&w, e, 1, 10 * VT_SEC);
    vt_waiter_until_blocked(&w);
    for (int i = 0; i < 256; i++) /* ... again, after the waiter's turn */
        assert_int_equal(vepoll_wait(e, out, 4, 0), 0);
    vepoll_source_update(s, VEPOLL_IN, 0);
    vt_waiter_join(&w);
    assert_int_equal(w.ret, 1);
    assert_true(w.ev[0].data.u64 == 9);
    assert_int_equal(w.ev[0].events, VEPOLL_IN);
    vepoll_close(e);
    vepoll_source_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_s032_blocked_lt_wait_woken_by_other_thread),
        cmocka_unit_test(test_s032_own_event_wakes_other_blocked_thread),
        cmocka_unit_test(test_s058_oneshot_with_three_blocked_threads),
        cmocka_unit_test(test_s066_del_while_another_thread_waits),
        cmocka_unit_test(test_s067_add_while_another_thread_waits),
        cmocka_unit_test(test_s091_blocked_reader_woken_by_hangup),
        cmocka_unit_test(test_s092_blocked_writer_woken_by_reader_close),
        cmocka_unit_test(test_s105_concurrent_mod_rearm_never_loses_event),
        cmocka_unit_test(test_s106_et_counters_with_many_waiters),
        cmocka_unit_test(test_s132_lt_wakes_every_waiter_2),
        cmocka_unit_test(test_s132_lt_wakes_every_waiter_4),
        cmocka_unit_test(test_s133_et_wakes_exactly_one_of_2),
        cmocka_unit_test(test_s133_et_wakes_exactly_one_of_4),
        cmocka_unit_test(test_s134_lt_two_sources_two_waiters),
        cmocka_unit_test(test_s134_et_two_sources_two_waiters_distinct),
        cmocka_unit_test(test_s135_no_lost_wakeup_timed_and_untimed),
        cmocka_unit_test(test_s136_non_exclusive_fan_out_wakes_all),
        cmocka_unit_test(test_s137_exclusive_et_wakes_one_instance_per_update),
        cmocka_unit_test(test_s137_exclusive_lt_wakes_one_instance_per_update),
        cmocka_unit_test(test_s138_mixed_exclusive_and_non_exclusive),
        cmocka_unit_test(test_s139_unwoken_exclusive_instances_did_not_record),
        cmocka_unit_test(test_s139_exclusive_without_waiters_recorded_everywhere),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
