/*
 * The ready-made eventfd (vepoll_objects.h): argument and size rules, the
 * ceiling and the all-ones value, semaphore mode, writes of 0, blocking with
 * timeouts, and readiness through vepoll_wait (S040, S046, S095,
 * S098-S104).  Helper threads never assert.
 */
#include <pthread.h>

#include "vepoll_objects.h"
#include "vtest.h"

#define MAXV VEPOLL_EFD_MAX

static vepoll_eventfd_t *newefd(uint64_t init, int flags)
{
    vepoll_eventfd_t *e = NULL;
    assert_int_equal(vepoll_eventfd_create(&e, init, flags), 0);
    assert_non_null(e);
    return e;
}

static ssize_t put(vepoll_eventfd_t *e, uint64_t v)
{
    return vepoll_eventfd_write(e, &v, sizeof v, 0);
}

/* Reads with timeout 0: the value, and the call's result in *rc. */
static uint64_t get(vepoll_eventfd_t *e, ssize_t *rc)
{
    uint64_t v = 0xa5a5a5a5a5a5a5a5u;
    *rc = vepoll_eventfd_read(e, &v, sizeof v, 0);
    return v;
}

static void expect_count(vepoll_eventfd_t *e, uint64_t want)
{
    ssize_t rc;
    uint64_t v = get(e, &rc);
    assert_int_equal(rc, 8);
    assert_true(v == want);
}

static void expect_eagain(vepoll_eventfd_t *e)
{
    ssize_t rc;
    (void)get(e, &rc);
    assert_int_equal(rc, -EAGAIN);
}

static vepoll_source_t *S(vepoll_eventfd_t *e)
{
    return vepoll_eventfd_source(e);
}

static void closeefd(vepoll_eventfd_t *e)
{
    assert_int_equal(vepoll_eventfd_close(e), 0);
}

/* ---- arguments ------------------------------------------------------------- */

static void test_eventfd_create_rejects_bad_arguments(void **state)
{
    vepoll_eventfd_t *e = NULL;
    (void)state;
    assert_int_equal(vepoll_eventfd_create(NULL, 0, 0), -EINVAL);
    assert_int_equal(vepoll_eventfd_create(&e, 0, 2), -EINVAL);
    assert_int_equal(vepoll_eventfd_create(&e, 0, VEPOLL_NONBLOCK << 1), -EINVAL);
    assert_int_equal(vepoll_eventfd_create(&e, UINT64_MAX, 0), -EINVAL);
    assert_null(e);
    e = newefd(MAXV, VEPOLL_EFD_SEMAPHORE | VEPOLL_NONBLOCK);
    closeefd(e);
}

static void test_eventfd_null_handle_and_closed(void **state)
{
    vepoll_eventfd_t *e = newefd(1, 0);
    uint64_t v = 1;
    (void)state;
    assert_int_equal(vepoll_eventfd_read(NULL, &v, 8, 0), -EBADF);
    assert_int_equal(vepoll_eventfd_write(NULL, &v, 8, 0), -EBADF);
    assert_int_equal(vepoll_eventfd_close(NULL), -EBADF);
    assert_null(vepoll_eventfd_source(NULL));
    assert_non_null(S(e));
    closeefd(e);
}

static void test_eventfd_S102_size_rules(void **state)
{
    vepoll_eventfd_t *e = newefd(0, 0);
    unsigned char big[16];
    uint64_t v = 5;
    (void)state;
    assert_int_equal(vepoll_eventfd_write(e, &v, 7, 0), -EINVAL);
    assert_int_equal(vepoll_eventfd_write(e, &v, 0, 0), -EINVAL);
    assert_int_equal(vepoll_eventfd_read(e, &v, 7, 0), -EINVAL);
    assert_int_equal(vepoll_eventfd_read(e, &v, 0, 0), -EINVAL);
    assert_int_equal(vepoll_eventfd_write(e, NULL, 8, 0), -EFAULT);
    memset(big, 0, sizeof big);
    memcpy(big, &v, 8);
    /* Linux 6.x eventfd_write: count != 8 is -EINVAL, a longer one too */
    assert_int_equal(vepoll_eventfd_write(e, big, sizeof big, 0), -EINVAL);
    assert_int_equal(vepoll_eventfd_write(e, big, 9, 0), -EINVAL);
    assert_int_equal(vepoll_eventfd_write(e, big, 8, 0), 8);
    assert_int_equal(vepoll_eventfd_read(e, NULL, 8, 0), -EFAULT);
    memset(big, 0xee, sizeof big);
    assert_int_equal(vepoll_eventfd_read(e, big, sizeof big, 0), 8);
    memcpy(&v, big, 8);
    assert_true(v == 5);
    assert_int_equal(big[8], 0xee); /* a read accepts a longer buffer, fills 8 */
    closeefd(e);
}

/* ---- counter rules ----------------------------------------------------------- */

static void test_eventfd_S099_accumulate_and_reset(void **state)
{
    vepoll_eventfd_t *e = newefd(0, 0);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    VT_ADD(ep, VT_FD_F, S(e), VEPOLL_IN | VEPOLL_OUT, 1);
    vt_expect_events(ep, 8, {1, VEPOLL_OUT});
    assert_int_equal(put(e, 3), 8);
    assert_int_equal(put(e, 4), 8);
    vt_expect_events(ep, 8, {1, VEPOLL_IN | VEPOLL_OUT});
    expect_count(e, 7);
    vt_expect_events(ep, 8, {1, VEPOLL_OUT});
    expect_eagain(e);
    vt_free_ep(ep);
    closeefd(e);
}

static void test_eventfd_S098_initial_value(void **state)
{
    vepoll_eventfd_t *e0 = newefd(0, 0), *e5 = newefd(5, 0);
    vepoll_eventfd_t *s2 = newefd(2, VEPOLL_EFD_SEMAPHORE);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    VT_ADD(ep, 1, S(e0), VEPOLL_IN, 0);
    vt_expect_none(ep, 8);
    VT_ADD(ep, 2, S(e5), VEPOLL_IN, 5);
    VT_ADD(ep, 3, S(s2), VEPOLL_IN, 2);
    vt_expect_events(ep, 8, {5, VEPOLL_IN}, {2, VEPOLL_IN});
    expect_count(e5, 5);
    vt_free_ep(ep);
    closeefd(e0);
    closeefd(e5);
    closeefd(s2);
}

static void test_eventfd_S100_semaphore_mode(void **state)
{
    vepoll_eventfd_t *e = newefd(2, VEPOLL_EFD_SEMAPHORE);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    VT_ADD(ep, VT_FD_F, S(e), VEPOLL_IN, 1);
    vt_expect_events(ep, 8, {1, VEPOLL_IN});
    expect_count(e, 1);
    vt_expect_events(ep, 8, {1, VEPOLL_IN});
    expect_count(e, 1);
    vt_expect_none(ep, 8);
    expect_eagain(e);
    assert_int_equal(put(e, 3), 8);
    expect_count(e, 1);
    expect_count(e, 1);
    expect_count(e, 1);
    expect_eagain(e);
    vt_free_ep(ep);
    closeefd(e);
}

static void test_eventfd_S101_ceiling_and_all_ones(void **state)
{
    vepoll_eventfd_t *e = newefd(0, VEPOLL_NONBLOCK);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    VT_ADD(ep, VT_FD_F, S(e), VEPOLL_IN | VEPOLL_OUT, 1);
    vt_expect_events(ep, 8, {1, VEPOLL_OUT});
    assert_int_equal(put(e, UINT64_MAX), -EINVAL);
    assert_int_equal(put(e, UINT64_MAX - 2), 8);
    vt_expect_events(ep, 8, {1, VEPOLL_IN | VEPOLL_OUT});
    assert_int_equal(put(e, 1), 8); /* counter = MAX */
    vt_expect_events(ep, 8, {1, VEPOLL_IN});
    assert_int_equal(put(e, 1), -EAGAIN);
    assert_int_equal(put(e, 0), 8); /* 0 always fits */
    expect_count(e, MAXV);
    vt_expect_events(ep, 8, {1, VEPOLL_OUT});
    vt_free_ep(ep);
    closeefd(e);
}

static void test_eventfd_S040_write_of_zero_is_an_in_event(void **state)
{
    vepoll_eventfd_t *e = newefd(0, VEPOLL_NONBLOCK);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    VT_ADD(ep, VT_FD_F, S(e), VEPOLL_IN | VEPOLL_ET, 1);
    assert_int_equal(put(e, 3), 8);
    vt_expect_events(ep, 8, {1, VEPOLL_IN});
    vt_expect_none(ep, 8);
    assert_int_equal(put(e, 0), 8);
    vt_expect_events(ep, 8, {1, VEPOLL_IN}); /* counter still 3: new edge */
    expect_count(e, 3);
    assert_int_equal(put(e, 0), 8);
    vt_expect_none(ep, 8); /* counter 0: not readable */
    vt_free_ep(ep);
    closeefd(e);
}

/* The IN-kind wake-up of a write of 0 queues an IN|OUT|ET entry, which then
 * reports what is ready: OUT (Linux's ep_poll_callback + re-poll). */
static void test_eventfd_S040_write_of_zero_at_zero_reports_out_to_in_out_et(void **state)
{
    vepoll_eventfd_t *e = newefd(0, 0);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    VT_ADD(ep, VT_FD_F, S(e), VEPOLL_IN | VEPOLL_OUT | VEPOLL_ET, 1);
    vt_expect_events(ep, 8, {1, VEPOLL_OUT});
    vt_expect_none(ep, 8);
    assert_int_equal(put(e, 0), 8);
    vt_expect_events(ep, 8, {1, VEPOLL_OUT});
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    closeefd(e);
}

static void test_eventfd_S046_et_out_edges(void **state)
{
    vepoll_eventfd_t *e = newefd(0, 0);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    VT_ADD(ep, VT_FD_F, S(e), VEPOLL_OUT | VEPOLL_ET, 1);
    vt_expect_events(ep, 8, {1, VEPOLL_OUT});
    assert_int_equal(put(e, 5), 8);
    vt_expect_none(ep, 8); /* IN-kind wake-up, not in the mask */
    expect_count(e, 5);
    vt_expect_events(ep, 8, {1, VEPOLL_OUT});
    VT_MOD(ep, VT_FD_F, S(e), VEPOLL_IN | VEPOLL_OUT | VEPOLL_ET, 2);
    vt_expect_events(ep, 8, {2, VEPOLL_OUT});
    assert_int_equal(put(e, 1), 8);
    vt_expect_events(ep, 8, {2, VEPOLL_IN | VEPOLL_OUT});
    expect_count(e, 1);
    vt_expect_events(ep, 8, {2, VEPOLL_OUT});
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    closeefd(e);
}

static void test_eventfd_failed_calls_wake_nobody(void **state)
{
    vepoll_eventfd_t *e = newefd(MAXV, 0);
    vepoll_t *ep = vt_new_ep();
    uint64_t v = 1;
    (void)state;
    VT_ADD(ep, VT_FD_F, S(e), VEPOLL_IN | VEPOLL_OUT | VEPOLL_ET, 1);
    vt_expect_events(ep, 8, {1, VEPOLL_IN});
    assert_int_equal(put(e, 1), -EAGAIN);
    assert_int_equal(put(e, UINT64_MAX), -EINVAL);
    assert_int_equal(vepoll_eventfd_write(e, &v, 4, 0), -EINVAL);
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    closeefd(e);
}

static void test_eventfd_S103_et_rearms_on_each_write(void **state)
{
    vepoll_eventfd_t *e = newefd(0, VEPOLL_NONBLOCK);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    VT_ADD(ep, VT_FD_F, S(e), VEPOLL_IN | VEPOLL_ET, 1);
    assert_int_equal(put(e, 3), 8);
    vt_expect_events(ep, 8, {1, VEPOLL_IN});
    vt_expect_none(ep, 8);
    assert_int_equal(put(e, 1), 8);
    vt_expect_events(ep, 8, {1, VEPOLL_IN});
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    closeefd(e);
}

static void test_eventfd_S104_counter_in_two_instances(void **state)
{
    vepoll_eventfd_t *e = newefd(0, 0);
    vepoll_t *a = vt_new_ep(), *b = vt_new_ep();
    (void)state;
    VT_ADD(a, VT_FD_F, S(e), VEPOLL_IN | VEPOLL_ET, 1);
    VT_ADD(b, VT_FD_F, S(e), VEPOLL_IN | VEPOLL_ET, 2);
    assert_int_equal(put(e, 1), 8);
    vt_expect_events(a, 8, {1, VEPOLL_IN});
    vt_expect_events(b, 8, {2, VEPOLL_IN});
    vt_expect_none(a, 8);
    vt_expect_none(b, 8);
    vt_free_ep(a);
    vt_free_ep(b);
    closeefd(e);
}

static void test_eventfd_S095_fresh_counter_out_only(void **state)
{
    vepoll_eventfd_t *e = newefd(0, 0);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    VT_ADD(ep, VT_FD_F, S(e), VEPOLL_IN | VEPOLL_OUT, 1);
    vt_expect_events(ep, 8, {1, VEPOLL_OUT});
    assert_int_equal(vepoll_source_ready(S(e)), VEPOLL_OUT);
    vt_free_ep(ep);
    closeefd(e);
}

static void test_eventfd_close_removes_registrations_and_is_ebadf_after(void **state)
{
    vepoll_eventfd_t *e = newefd(1, 0);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    VT_ADD(ep, VT_FD_F, S(e), VEPOLL_IN, 1);
    closeefd(e);
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
}

/* ---- blocking ----------------------------------------------------------------- */

static void test_eventfd_nonblock_overrides_timeout(void **state)
{
    vepoll_eventfd_t *e = newefd(MAXV, VEPOLL_NONBLOCK);
    uint64_t v = 1;
    int64_t t0 = vt_now_ns();
    (void)state;
    assert_int_equal(vepoll_eventfd_write(e, &v, 8, -1), -EAGAIN);
    assert_int_equal(vepoll_eventfd_write(e, &v, 8, 5 * VT_SEC), -EAGAIN);
    expect_count(e, MAXV);
    assert_int_equal(vepoll_eventfd_read(e, &v, 8, -1), -EAGAIN);
    assert_true(vt_now_ns() - t0 < 4 * VT_SEC);
    closeefd(e);
}

static void test_eventfd_timeouts_wait_at_least_the_timeout(void **state)
{
    vepoll_eventfd_t *e = newefd(0, 0);
    uint64_t v = MAXV;
    int64_t t0 = vt_now_ns();
    (void)state;
    assert_int_equal(vepoll_eventfd_read(e, &v, 8, 40 * VT_MS), -EAGAIN);
    assert_true(vt_now_ns() - t0 >= 40 * VT_MS);
    assert_int_equal(put(e, MAXV), 8);
    v = 1;
    t0 = vt_now_ns();
    assert_int_equal(vepoll_eventfd_write(e, &v, 8, 40 * VT_MS), -EAGAIN);
    assert_true(vt_now_ns() - t0 >= 40 * VT_MS);
    closeefd(e);
}

enum { ACT_PUT, ACT_GET, ACT_CLOSE };

struct actor {
    pthread_t th;
    vepoll_eventfd_t *e;
    int act;
    uint64_t v;
};

static void *actor_main(void *arg)
{
    struct actor *a = arg;
    uint64_t v = a->v;
    /* A close must find the test thread's call already started (the
     * contract): give it ample time. */
    vt_sleep_ns(a->act == ACT_CLOSE ? 100 * VT_MS : 30 * VT_MS);
    if (a->act == ACT_PUT)
        (void)vepoll_eventfd_write(a->e, &v, 8, 0);
    else if (a->act == ACT_GET)
        (void)vepoll_eventfd_read(a->e, &v, 8, 0);
    else
        (void)vepoll_eventfd_close(a->e);
    return NULL;
}

static void actor_start(struct actor *a, vepoll_eventfd_t *e, int act, uint64_t v)
{
    a->e = e;
    a->act = act;
    a->v = v;
    assert_int_equal(pthread_create(&a->th, NULL, actor_main, a), 0);
}

static void test_eventfd_blocked_reader_woken_by_write(void **state)
{
    vepoll_eventfd_t *e = newefd(0, 0);
    struct actor a;
    uint64_t v = 0;
    (void)state;
    actor_start(&a, e, ACT_PUT, 42);
    assert_int_equal(vepoll_eventfd_read(e, &v, 8, 20 * VT_SEC), 8);
    assert_true(v == 42);
    assert_int_equal(pthread_join(a.th, NULL), 0);
    closeefd(e);
}

static void test_eventfd_blocked_writer_at_ceiling_woken_by_read(void **state)
{
    vepoll_eventfd_t *e = newefd(MAXV - 1, 0);
    struct actor a;
    uint64_t v = 2;
    (void)state;
    actor_start(&a, e, ACT_GET, 0);
    assert_int_equal(vepoll_eventfd_write(e, &v, 8, -1), 8);
    assert_int_equal(pthread_join(a.th, NULL), 0);
    expect_count(e, 2);
    closeefd(e);
}

static void test_eventfd_blocked_reader_gets_ebadf_on_close(void **state)
{
    vepoll_eventfd_t *e = newefd(0, 0);
    struct actor a;
    uint64_t v = 0;
    (void)state;
    /* The actor's close is the final one: the read (started first) holds
     * the object until it has returned. */
    actor_start(&a, e, ACT_CLOSE, 0);
    assert_int_equal(vepoll_eventfd_read(e, &v, 8, -1), -EBADF);
    assert_int_equal(pthread_join(a.th, NULL), 0);
}

/* VEPOLL_CALLER_PINS: the caller keeps the eventfd alive across its calls,
 * which then take no reference of their own.  Everything a caller sees is
 * the same: counts, readiness, a blocked read woken by another thread's
 * write, and the final close frees it (ASan: no leak, no use after free). */
static void test_eventfd_pinned_behaves_the_same(void **state)
{
    vepoll_eventfd_t *e = newefd(3, VEPOLL_CALLER_PINS | VEPOLL_EFD_SEMAPHORE);
    vepoll_t *ep = NULL;
    struct vepoll_event ev = {VEPOLL_IN | VEPOLL_ET, {.u64 = 9}}, got[2];
    struct actor a;
    uint64_t v = 0;
    ssize_t rc;
    (void)state;
    assert_int_equal(vepoll_create(&ep), 0);
    assert_int_equal(vepoll_ctl(ep, VEPOLL_CTL_ADD, 1, vepoll_eventfd_source(e), &ev), 0);
    assert_int_equal(vepoll_wait(ep, got, 2, 0), 1);
    expect_count(e, 1);
    expect_count(e, 1);
    expect_count(e, 1);
    (void)get(e, &rc);
    assert_int_equal(rc, -EAGAIN);
    assert_int_equal(vepoll_wait(ep, got, 2, 0), 0);
    actor_start(&a, e, ACT_PUT, 42);
    assert_int_equal(vepoll_eventfd_read(e, &v, 8, 20 * VT_SEC), 8);
    assert_true(v == 1);
    assert_int_equal(pthread_join(a.th, NULL), 0);
    assert_int_equal(vepoll_wait(ep, got, 2, 0), 1); /* the write's IN edge */
    assert_true(got[0].data.u64 == 9);
    assert_int_equal(vepoll_close(ep), 0);
    closeefd(e);
    assert_int_equal(vepoll_eventfd_create(&e, 0, VEPOLL_CALLER_PINS >> 1), -EINVAL);
}

/* ---- allocation ------------------------------------------------------------------ */

static int create_efd(void **out)
{
    vepoll_eventfd_t *e = NULL;
    int rc = vepoll_eventfd_create(&e, 0, 0);
    *out = e;
    return rc;
}

static void destroy_efd(void *e)
{
    closeefd(e);
}

static void test_eventfd_allocation_failures_leave_nothing_allocated(void **state)
{
    (void)state;
    vt_each_alloc_fails(create_efd, destroy_efd, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* first: vepoll_set_allocator needs no live object; the fixture
         * puts malloc back even when the sweep fails half-way */
        cmocka_unit_test_setup_teardown(test_eventfd_allocation_failures_leave_nothing_allocated,
                                        vt_reset_setup, vt_reset_teardown),
        cmocka_unit_test(test_eventfd_create_rejects_bad_arguments),
        cmocka_unit_test(test_eventfd_null_handle_and_closed),
        cmocka_unit_test(test_eventfd_S102_size_rules),
        cmocka_unit_test(test_eventfd_S099_accumulate_and_reset),
        cmocka_unit_test(test_eventfd_S098_initial_value),
        cmocka_unit_test(test_eventfd_S100_semaphore_mode),
        cmocka_unit_test(test_eventfd_S101_ceiling_and_all_ones),
        cmocka_unit_test(test_eventfd_S040_write_of_zero_is_an_in_event),
        cmocka_unit_test(test_eventfd_S040_write_of_zero_at_zero_reports_out_to_in_out_et),
        cmocka_unit_test(test_eventfd_S046_et_out_edges),
        cmocka_unit_test(test_eventfd_failed_calls_wake_nobody),
        cmocka_unit_test(test_eventfd_S103_et_rearms_on_each_write),
        cmocka_unit_test(test_eventfd_S104_counter_in_two_instances),
        cmocka_unit_test(test_eventfd_S095_fresh_counter_out_only),
        cmocka_unit_test(test_eventfd_close_removes_registrations_and_is_ebadf_after),
        cmocka_unit_test(test_eventfd_nonblock_overrides_timeout),
        cmocka_unit_test(test_eventfd_timeouts_wait_at_least_the_timeout),
        cmocka_unit_test(test_eventfd_blocked_reader_woken_by_write),
        cmocka_unit_test(test_eventfd_blocked_writer_at_ceiling_woken_by_read),
        cmocka_unit_test(test_eventfd_blocked_reader_gets_ebadf_on_close),
        cmocka_unit_test(test_eventfd_pinned_behaves_the_same),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
