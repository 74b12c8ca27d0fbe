/*
 * Wake-up races repeated many times, after the kernel's own epoll wake-up
 * suite (docs/SEMANTICS.md, section 19):
 *   S132  (epoll64) two threads blocked on one level-triggered registration
 *         are both woken by one write, round after round;
 *   S205  (epoll65) many threads calling wait(0) on an always-ready
 *         level-triggered registration never get 0: a harvest that is
 *         running (taking, rotating, passing the entry on) never hides the
 *         entry from another thread's look.
 * Counts are sized for two cores and scaled down under the sanitizers (the
 * property is the same at any count).  Worker threads record, the test
 * thread asserts.
 */
#include "vtest.h"

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define SCALE 4
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#define SCALE 4
#endif
#endif
#ifndef SCALE
#define SCALE 1
#endif

#define S132_ROUNDS (200 / (SCALE > 1 ? 4 : 1))
#define S205_THREADS 64
#define S205_WAITS (100000 / SCALE) /* the kernel test: 64 x 100,000 */

/* ---- S132: both waiters woken, every round (epoll64) ------------------------ */

static void test_s132_lt_wakes_both_waiters_every_round(void **state)
{
    (void)state;
    vepoll_t *e = vt_new_ep();
    vepoll_source_t *s = vt_new_source(0);
    int round, i, missed = 0;
    VT_ADD(e, VT_FD_A, s, VEPOLL_IN, 1);
    for (round = 0; round < S132_ROUNDS; round++) {
        struct vt_waiter w[2];
        for (i = 0; i < 2; i++) {
            vt_waiter_start(&w[i], e, 1, 10 * VT_SEC);
            vt_waiter_until_blocked(&w[i]);
        }
        vepoll_source_update(s, VEPOLL_IN, 0);
        for (i = 0; i < 2; i++) {
            vt_waiter_join(&w[i]);
            if (w[i].ret != 1 || w[i].ev[0].events != VEPOLL_IN || w[i].ev[0].data.u64 != 1)
                missed++;
        }
        vepoll_source_update(s, 0, VEPOLL_IN);
        vt_expect_none(e, 1);
    }
    assert_int_equal(missed, 0);
    vt_free_ep(e);
    vepoll_source_close(s);
}

/* ---- S205: wait(0) on an always-ready LT registration never gives 0 (epoll65) */

struct s205 {
    vepoll_t *e;
    pthread_barrier_t go;
    atomic_long zeros, errors, events;
};

static void *s205_main(void *arg)
{
    struct s205 *c = arg;
    struct vepoll_event ev[1];
    int i;
    pthread_barrier_wait(&c->go);
    for (i = 0; i < S205_WAITS; i++) {
        int n = vepoll_wait(c->e, ev, 1, 0);
        if (n == 0)
            atomic_fetch_add(&c->zeros, 1);
        else if (n != 1 || ev[0].events != VEPOLL_IN || ev[0].data.u64 != 7)
            atomic_fetch_add(&c->errors, 1);
        else
            atomic_fetch_add(&c->events, 1);
    }
    return NULL;
}

static void test_s205_zero_timeout_waits_on_always_ready_lt_never_empty(void **state)
{
    (void)state;
    struct s205 c;
    pthread_t th[S205_THREADS];
    vepoll_source_t *s = vt_new_source(0);
    int i;
    memset(&c, 0, sizeof(c));
    c.e = vt_new_ep();
    VT_ADD(c.e, VT_FD_A, s, VEPOLL_IN, 7);
    vepoll_source_update(s, VEPOLL_IN, 0); /* written once, never read */
    assert_int_equal(pthread_barrier_init(&c.go, NULL, S205_THREADS), 0);
    for (i = 0; i < S205_THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, s205_main, &c), 0);
    for (i = 0; i < S205_THREADS; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    pthread_barrier_destroy(&c.go);
    assert_int_equal(atomic_load(&c.zeros), 0);
    assert_int_equal(atomic_load(&c.errors), 0);
    assert_int_equal(atomic_load(&c.events), (long)S205_THREADS * S205_WAITS);
    vt_free_ep(c.e);
    vepoll_source_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_s132_lt_wakes_both_waiters_every_round,
                                        vt_reset_setup, vt_reset_teardown),
        cmocka_unit_test_setup_teardown(
            test_s205_zero_timeout_waits_on_always_ready_lt_never_empty, vt_reset_setup,
            vt_reset_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
