/*
 * vepoll_wait argument handling and timeouts (S004, S019-S022 adapted,
 * S140-S144, S146) and vepoll_interrupt as docs/API.md states it.
 * Timeouts are in nanoseconds; the only timing assertions are "never
 * earlier than the timeout" and generous upper bounds for early returns.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>

#include "vtest.h"

#define MAXEV ((int)(INT_MAX / sizeof(struct vepoll_event)))
#define SENTINEL 0xA5

static bool untouched(const struct vepoll_event *ev, size_t n)
{
    const unsigned char *p = (const unsigned char *)ev;
    for (size_t i = 0; i < n * sizeof *ev; i++)
        if (p[i] != SENTINEL)
            return false;
    return true;
}

/* ---- a thread that updates a source after a delay ----------------------- */

struct delayed {
    pthread_t th;
    vepoll_source_t *src;
    int64_t delay_ns;
    uint32_t set, clear;
    int repeat;           /* number of updates, delay_ns apart */
    int64_t updated_at;   /* time of the first update */
};

static void *delayed_main(void *arg)
{
    struct delayed *d = arg;
    for (int i = 0; i < d->repeat; i++) {
        vt_sleep_ns(d->delay_ns);
        if (i == 0)
            d->updated_at = vt_now_ns();
        vepoll_source_update(d->src, d->set, d->clear);
    }
    return NULL;
}

static void delayed_start(struct delayed *d, vepoll_source_t *s, int64_t delay_ns, uint32_t set, uint32_t clear,
                          int repeat)
{
    memset(d, 0, sizeof *d);
    d->src = s;
    d->delay_ns = delay_ns;
    d->set = set;
    d->clear = clear;
    d->repeat = repeat;
    assert_int_equal(pthread_create(&d->th, NULL, delayed_main, d), 0);
}

/* ---- argument errors (S019, docs/API.md order) ----------------------- */

static void test_s019_maxevents_einval(void **state)
{
    struct vt_fx *f = *state;
    struct vepoll_event buf[4];
    const int bad[] = { 0, -1, INT_MIN, MAXEV + 1, INT_MAX };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(vepoll_wait(f->e, buf, bad[i], 0), -EINVAL);
        assert_int_equal(vepoll_wait(f->e, buf, bad[i], -1), -EINVAL); /* never blocks */
        /* EINVAL is checked before EFAULT and EBADF */
        assert_int_equal(vepoll_wait(f->e, NULL, bad[i], 0), -EINVAL);
        assert_int_equal(vepoll_wait(NULL, buf, bad[i], 0), -EINVAL);
        assert_int_equal(vepoll_wait(NULL, NULL, bad[i], -1), -EINVAL);
    }
}

static void test_s019_maxevents_upper_limit_is_valid(void **state)
{
    struct vt_fx *f = *state;
    struct vepoll_event buf[2];
    memset(buf, SENTINEL, sizeof buf);
    /* INT_MAX / sizeof(event) is still valid: nothing ready -> 0 */
    assert_int_equal(vepoll_wait(f->e, buf, MAXEV, 0), 0);
    assert_true(untouched(buf, 2));
    /* one ready entry: exactly one is written */
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN, 77), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    assert_int_equal(vepoll_wait(f->e, buf, MAXEV, 0), 1);
    assert_int_equal(buf[0].events, VEPOLL_IN);
    assert_true(buf[0].data.u64 == 77);
    assert_true(untouched(&buf[1], 1));
}

static void test_s019_null_events_efault(void **state)
{
    struct vt_fx *f = *state;
    assert_int_equal(vepoll_wait(f->e, NULL, 1, 0), -EFAULT);
    assert_int_equal(vepoll_wait(f->e, NULL, 1, -1), -EFAULT); /* never blocks */
    assert_int_equal(vepoll_wait(f->e, NULL, MAXEV, 0), -EFAULT);
    /* EFAULT before EBADF */
    assert_int_equal(vepoll_wait(NULL, NULL, 1, 0), -EFAULT);
    /* a ready entry is not lost by the failed call (S020 analogue) */
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN | VEPOLL_ET, 5), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    assert_int_equal(vepoll_wait(f->e, NULL, 1, 0), -EFAULT);
    struct vepoll_event out[2];
    assert_int_equal(vepoll_wait(f->e, out, 2, 0), 1);
    assert_true(out[0].data.u64 == 5);
}

static void test_s019_null_ep_ebadf(void **state)
{
    (void)state;
    struct vepoll_event buf[2];
    memset(buf, SENTINEL, sizeof buf);
    assert_int_equal(vepoll_wait(NULL, buf, 1, 0), -EBADF);
    assert_int_equal(vepoll_wait(NULL, buf, 2, -1), -EBADF);
    assert_int_equal(vepoll_wait(NULL, buf, MAXEV, 100 * VT_MS), -EBADF);
    assert_true(untouched(buf, 2));
}

/* ---- S022 --------------------------------------------------------------- */

static void test_s022_entries_past_count_untouched(void **state)
{
    struct vt_fx *f = *state;
    struct vepoll_event buf[4];
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN, 1), 0);
    /* nothing ready: 0 and nothing written, also after a timeout */
    memset(buf, SENTINEL, sizeof buf);
    assert_int_equal(vepoll_wait(f->e, buf, 4, 0), 0);
    assert_true(untouched(buf, 4));
    assert_int_equal(vepoll_wait(f->e, buf, 4, 5 * VT_MS), 0);
    assert_true(untouched(buf, 4));
    /* one ready entry */
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    memset(buf, SENTINEL, sizeof buf);
    assert_int_equal(vepoll_wait(f->e, buf, 4, 0), 1);
    assert_int_equal(buf[0].events, VEPOLL_IN);
    assert_true(buf[0].data.u64 == 1);
    assert_true(untouched(&buf[1], 3));
    /* errors write nothing */
    memset(buf, SENTINEL, sizeof buf);
    assert_int_equal(vepoll_wait(f->e, buf, 0, 0), -EINVAL);
    assert_true(untouched(buf, 4));
}

/* ---- S004, S140, S141, S146 ---------------------------------------------- */

static void test_s004_empty_instance_waits(void **state)
{
    struct vt_fx *f = *state;
    struct vepoll_event buf[1];
    int64_t t0 = vt_now_ns();
    assert_int_equal(vepoll_wait(f->e, buf, 1, 0), 0);
    assert_true(vt_now_ns() - t0 < 500 * VT_MS);
    t0 = vt_now_ns();
    assert_int_equal(vepoll_wait(f->e, buf, 1, 1 * VT_MS), 0);
    assert_true(vt_now_ns() - t0 >= 1 * VT_MS);
}

static void test_s140_zero_timeout_returns_at_once(void **state)
{
    struct vt_fx *f = *state;
    struct vepoll_event buf[1];
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN, 1), 0); /* registered, not ready */
    vepoll_source_update(f->s, VEPOLL_OUT, 0);                /* ready, but not for IN */
    for (int i = 0; i < 100; i++) {
        int64_t t0 = vt_now_ns();
        assert_int_equal(vepoll_wait(f->e, buf, 1, 0), 0);
        assert_true(vt_now_ns() - t0 < 500 * VT_MS);
    }
}

static void check_timeout(vepoll_t *ep, int64_t timeout)
{
    struct vepoll_event buf[1];
    int64_t t0 = vt_now_ns();
    int r = vepoll_wait(ep, buf, 1, timeout);
    int64_t el = vt_now_ns() - t0;
    assert_int_equal(r, 0);
    if (el < timeout)
        fail_msg("timeout %lld ns returned after %lld ns (early)", (long long)timeout, (long long)el);
    if (el > timeout + 3 * VT_SEC)
        fail_msg("timeout %lld ns returned after %lld ns (far too late)", (long long)timeout, (long long)el);
}

static void test_s141_finite_timeout_never_early(void **state)
{
    struct vt_fx *f = *state;
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN, 1), 0);
    check_timeout(f->e, 50 * VT_MS);
    check_timeout(f->e, 1 * VT_MS);
    check_timeout(f->e, 10 * VT_MS);
    check_timeout(f->e, 1500 * 1000);  /* 1.5 ms: not a whole ms */
    check_timeout(f->e, 999999);
}

static void test_s146_small_timeouts_are_never_infinite(void **state)
{
    struct vt_fx *f = *state;
    const int64_t t[] = { 100 * VT_MS, 10 * VT_MS, 1 * VT_MS, 100000, 10000, 1000, 100, 10, 1 };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        check_timeout(f->e, t[i]);
}

/* ---- S142, S143, INT64_MAX ------------------------------------------------ */

static void wait_until_update(vepoll_t *ep, vepoll_source_t *s, int64_t timeout)
{
    struct delayed d;
    struct vepoll_event buf[2];
    memset(buf, 0, sizeof buf);
    int64_t t0 = vt_now_ns();
    delayed_start(&d, s, 100 * VT_MS, VEPOLL_IN, 0, 1);
    int r = vepoll_wait(ep, buf, 2, timeout);
    int64_t t1 = vt_now_ns();
    assert_int_equal(pthread_join(d.th, NULL), 0);
    assert_int_equal(r, 1);
    assert_int_equal(buf[0].events, VEPOLL_IN);
    assert_true(t1 - t0 >= 100 * VT_MS); /* did not return before the update */
    assert_true(t1 >= d.updated_at);
    assert_true(t1 - t0 < 5 * VT_SEC);   /* returned as soon as it could (generous) */
    vepoll_source_update(s, 0, VEPOLL_IN);
}

static void test_s142_negative_timeout_is_infinite(void **state)
{
    struct vt_fx *f = *state;
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN, 1), 0);
    wait_until_update(f->e, f->s, -1);
    wait_until_update(f->e, f->s, -2);
    wait_until_update(f->e, f->s, INT64_MIN);
}

static void test_s143_event_ends_long_wait_early(void **state)
{
    struct vt_fx *f = *state;
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN, 1), 0);
    wait_until_update(f->e, f->s, 10 * VT_SEC);
}

static void test_int64_max_timeout_does_not_overflow(void **state)
{
    struct vt_fx *f = *state;
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN, 1), 0);
    wait_until_update(f->e, f->s, INT64_MAX);
    wait_until_update(f->e, f->s, INT64_MAX - 1);
    wait_until_update(f->e, f->s, INT64_MAX / 2 + 1);
    /* already ready: returns at once */
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    struct vepoll_event buf[1];
    assert_int_equal(vepoll_wait(f->e, buf, 1, INT64_MAX), 1);
}

/* ---- S144 ---------------------------------------------------------------- */

static void test_s144_unrequested_wakeups_do_not_end_wait(void **state)
{
    struct vt_fx *f = *state;
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_OUT, 1), 0); /* IN never asked */
    struct delayed d;
    struct vepoll_event buf[2];
    memset(buf, SENTINEL, sizeof buf);
    delayed_start(&d, f->s, 40 * VT_MS, VEPOLL_IN | VEPOLL_PRI | VEPOLL_RDHUP, 0, 5);
    int64_t t0 = vt_now_ns();
    int r = vepoll_wait(f->e, buf, 2, 300 * VT_MS);
    int64_t el = vt_now_ns() - t0;
    assert_int_equal(pthread_join(d.th, NULL), 0);
    assert_int_equal(r, 0);
    assert_true(el >= 300 * VT_MS);
    assert_true(untouched(buf, 2));
}

static void test_s144_clear_only_updates_do_not_end_wait(void **state)
{
    struct vt_fx *f = *state;
    vepoll_source_update(f->s, VEPOLL_OUT, 0);
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN, 1), 0);
    struct delayed d;
    struct vepoll_event buf[1];
    delayed_start(&d, f->s, 20 * VT_MS, 0, VEPOLL_OUT | VEPOLL_IN, 5); /* clears only */
    int64_t t0 = vt_now_ns();
    int r = vepoll_wait(f->e, buf, 1, 200 * VT_MS);
    int64_t el = vt_now_ns() - t0;
    assert_int_equal(pthread_join(d.th, NULL), 0);
    assert_int_equal(r, 0);
    assert_true(el >= 200 * VT_MS);
}

/* ---- vepoll_interrupt ---------------------------------------------------- */

static void test_interrupt_wakes_all_blocked_waiters(void **state)
{
    struct vt_fx *f = *state;
    struct vt_waiter w[3];
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN, 1), 0);
    vt_waiter_start(&w[0], f->e, 4, -1);
    vt_waiter_start(&w[1], f->e, 4, -1);
    vt_waiter_start(&w[2], f->e, 4, 20 * VT_SEC);
    vt_sleep_ms(200);
    assert_int_equal(vepoll_interrupt(f->e), 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(pthread_join(w[i].th, NULL), 0);
        assert_int_equal(w[i].ret, -EINTR);
    }
    assert_true(w[2].elapsed < 10 * VT_SEC);
}

static void test_interrupt_consumed_by_blocked_waiter(void **state)
{
    struct vt_fx *f = *state;
    struct vt_waiter w;
    vt_waiter_start(&w, f->e, 4, -1);
    vt_sleep_ms(200);
    assert_int_equal(vepoll_interrupt(f->e), 0);
    assert_int_equal(pthread_join(w.th, NULL), 0);
    assert_int_equal(w.ret, -EINTR);
    /* the interrupt woke a blocked waiter: nothing is left pending */
    struct vepoll_event buf[1];
    int64_t t0 = vt_now_ns();
    assert_int_equal(vepoll_wait(f->e, buf, 1, 100 * VT_MS), 0);
    assert_true(vt_now_ns() - t0 >= 100 * VT_MS);
}

static void test_interrupt_pending_when_none_blocked(void **state)
{
    struct vt_fx *f = *state;
    struct vepoll_event buf[1];
    assert_int_equal(vepoll_interrupt(f->e), 0);
    int64_t t0 = vt_now_ns();
    assert_int_equal(vepoll_wait(f->e, buf, 1, -1), -EINTR);
    assert_true(vt_now_ns() - t0 < 5 * VT_SEC);
    /* consumed: the next wait times out normally */
    t0 = vt_now_ns();
    assert_int_equal(vepoll_wait(f->e, buf, 1, 50 * VT_MS), 0);
    assert_true(vt_now_ns() - t0 >= 50 * VT_MS);
}

static void test_interrupt_pending_with_finite_timeout(void **state)
{
    struct vt_fx *f = *state;
    struct vepoll_event buf[1];
    assert_int_equal(vepoll_interrupt(f->e), 0);
    int64_t t0 = vt_now_ns();
    assert_int_equal(vepoll_wait(f->e, buf, 1, 10 * VT_SEC), -EINTR);
    assert_true(vt_now_ns() - t0 < 5 * VT_SEC);
}

static void test_interrupt_is_not_a_counter(void **state)
{
    struct vt_fx *f = *state;
    struct vepoll_event buf[1];
    assert_int_equal(vepoll_interrupt(f->e), 0);
    assert_int_equal(vepoll_interrupt(f->e), 0);
    assert_int_equal(vepoll_interrupt(f->e), 0);
    assert_int_equal(vepoll_wait(f->e, buf, 1, -1), -EINTR);
    int64_t t0 = vt_now_ns();
    assert_int_equal(vepoll_wait(f->e, buf, 1, 50 * VT_MS), 0);
    assert_true(vt_now_ns() - t0 >= 50 * VT_MS);
}

static void test_interrupt_left_pending_by_zero_timeout_wait(void **state)
{
    struct vt_fx *f = *state;
    struct vepoll_event buf[1];
    assert_int_equal(vepoll_interrupt(f->e), 0);
    assert_int_equal(vepoll_wait(f->e, buf, 1, 0), 0);
    assert_int_equal(vepoll_wait(f->e, buf, 1, 0), 0);
    assert_int_equal(vepoll_wait(f->e, buf, 1, 10 * VT_SEC), -EINTR);
}

static void test_interrupt_left_pending_by_wait_with_events(void **state)
{
    struct vt_fx *f = *state;
    struct vepoll_event buf[2];
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN, 8), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    assert_int_equal(vepoll_interrupt(f->e), 0);
    /* events to report: returned normally, with and without a timeout */
    assert_int_equal(vepoll_wait(f->e, buf, 2, -1), 1);
    assert_true(buf[0].data.u64 == 8);
    assert_int_equal(vepoll_wait(f->e, buf, 2, 10 * VT_SEC), 1);
    /* readiness gone: the wait would block, so the pending interrupt fires */
    vepoll_source_update(f->s, 0, VEPOLL_IN);
    assert_int_equal(vepoll_wait(f->e, buf, 2, -1), -EINTR);
    int64_t t0 = vt_now_ns();
    assert_int_equal(vepoll_wait(f->e, buf, 2, 30 * VT_MS), 0);
    assert_true(vt_now_ns() - t0 >= 30 * VT_MS);
}

static void test_interrupt_is_per_instance(void **state)
{
    struct vt_fx *f = *state;
    vepoll_t *other = NULL;
    struct vepoll_event buf[1];
    assert_int_equal(vepoll_create(&other), 0);
    assert_int_equal(vepoll_interrupt(f->e), 0);
    int64_t t0 = vt_now_ns();
    assert_int_equal(vepoll_wait(other, buf, 1, 50 * VT_MS), 0);
    assert_true(vt_now_ns() - t0 >= 50 * VT_MS);
    assert_int_equal(vepoll_wait(f->e, buf, 1, -1), -EINTR);
    assert_int_equal(vepoll_close(other), 0);
}

static void test_interrupt_then_event_while_blocked_is_reported(void **state)
{
    struct vt_fx *f = *state;
    /* after an interrupt has been consumed, a blocked waiter still gets events */
    struct vepoll_event buf[1];
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN, 4), 0);
    assert_int_equal(vepoll_interrupt(f->e), 0);
    assert_int_equal(vepoll_wait(f->e, buf, 1, -1), -EINTR);
    struct vt_waiter w;
    vt_waiter_start(&w, f->e, 4, 10 * VT_SEC);
    vt_sleep_ms(100);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    assert_int_equal(pthread_join(w.th, NULL), 0);
    assert_int_equal(w.ret, 1);
    assert_true(w.ev[0].data.u64 == 4);
    assert_true(w.elapsed < 5 * VT_SEC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, vt_fx_setup, vt_fx_teardown)
        T(test_s019_maxevents_einval),
        T(test_s019_maxevents_upper_limit_is_valid),
        T(test_s019_null_events_efault),
        T(test_s019_null_ep_ebadf),
        T(test_s022_entries_past_count_untouched),
        T(test_s004_empty_instance_waits),
        T(test_s140_zero_timeout_returns_at_once),
        T(test_s141_finite_timeout_never_early),
        T(test_s146_small_timeouts_are_never_infinite),
        T(test_s142_negative_timeout_is_infinite),
        T(test_s143_event_ends_long_wait_early),
        T(test_int64_max_timeout_does_not_overflow),
        T(test_s144_unrequested_wakeups_do_not_end_wait),
        T(test_s144_clear_only_updates_do_not_end_wait),
        T(test_interrupt_wakes_all_blocked_waiters),
        T(test_interrupt_consumed_by_blocked_waiter),
        T(test_interrupt_pending_when_none_blocked),
        T(test_interrupt_pending_with_finite_timeout),
        T(test_interrupt_is_not_a_counter),
        T(test_interrupt_left_pending_by_zero_timeout_wait),
        T(test_interrupt_left_pending_by_wait_with_events),
        T(test_interrupt_is_per_instance),
        T(test_interrupt_then_event_while_blocked_is_reported),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
