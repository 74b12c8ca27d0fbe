/* Counter (eventfd-like) semantics: docs/SEMANTICS.md S098-S104.
 * (S102, short read/write buffers, has no counterpart in the model API:
 * tefd_read/tefd_write always move exactly 8 bytes.) */
#include "vtest.h"

#define IN VEPOLL_IN
#define OUT VEPOLL_OUT
#define ET VEPOLL_ET

static void s098_initial_value_zero_not_readable(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tefd f;
    assert_int_equal(tefd_init(&f, 0, false), 0);
    VT_ADD(ep, VT_FD_F, f.src, IN, 1);
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tefd_destroy(&f);
}

/* A counter created with a non-zero value is readable right away. */
static void initial_value_readable(uint64_t value, bool semaphore)
{
    vepoll_t *ep = vt_new_ep();
    tefd f;
    assert_int_equal(tefd_init(&f, value, semaphore), 0);
    VT_ADD(ep, VT_FD_F, f.src, IN, 1);
    vt_expect_events(ep, 8, {1, IN});
    vt_free_ep(ep);
    tefd_destroy(&f);
}

static void s098_initial_value_five_readable(void **state)
{
    (void)state;
    initial_value_readable(5, false);
}

static void s098_initial_value_semaphore_readable(void **state)
{
    (void)state;
    initial_value_readable(2, true);
}

static void s099_accumulate_and_reset(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tefd f;
    uint64_t v = 0;
    assert_int_equal(tefd_init(&f, 0, false), 0);
    VT_ADD(ep, VT_FD_F, f.src, IN | OUT, 1);
    assert_int_equal(tefd_write(&f, 3), 0);
    vt_expect_events(ep, 8, {1, IN | OUT});
    assert_int_equal(tefd_read(&f, &v), 0);
    assert_int_equal(v, 3);
    vt_expect_events(ep, 8, {1, OUT});
    assert_int_equal(tefd_read(&f, &v), -EAGAIN);
    vt_free_ep(ep);
    tefd_destroy(&f);
}

static void s100_semaphore_mode(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tefd f;
    uint64_t v = 0;
    assert_int_equal(tefd_init(&f, 2, true), 0);
    VT_ADD(ep, VT_FD_F, f.src, IN, 1);
    vt_expect_events(ep, 8, {1, IN});
    assert_int_equal(tefd_read(&f, &v), 0);
    assert_int_equal(v, 1);
    vt_expect_events(ep, 8, {1, IN});
    assert_int_equal(tefd_read(&f, &v), 0);
    assert_int_equal(v, 1);
    vt_expect_none(ep, 8);
    assert_int_equal(tefd_read(&f, &v), -EAGAIN);
    vt_free_ep(ep);
    tefd_destroy(&f);
}

static void s101_counter_ceiling(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tefd f;
    uint64_t v = 0;
    assert_int_equal(tefd_init(&f, 0, false), 0);
    VT_ADD(ep, VT_FD_F, f.src, IN | OUT, 1);
    assert_int_equal(tefd_write(&f, UINT64_MAX), -EINVAL);
    assert_int_equal(tefd_write(&f, UINT64_MAX - 2), 0);
    vt_expect_events(ep, 8, {1, IN | OUT});
    assert_int_equal(tefd_write(&f, 1), 0); /* UINT64_MAX - 1: the maximum */
    vt_expect_events(ep, 8, {1, IN});
    assert_int_equal(tefd_write(&f, 1), -EAGAIN);
    assert_int_equal(tefd_write(&f, 0), 0);
    assert_int_equal(tefd_read(&f, &v), 0);
    assert_true(v == UINT64_MAX - 1);
    vt_expect_events(ep, 8, {1, OUT});
    vt_free_ep(ep);
    tefd_destroy(&f);
}

static void s103_et_rearms_on_each_write(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tefd f;
    assert_int_equal(tefd_init(&f, 0, false), 0);
    VT_ADD(ep, VT_FD_F, f.src, IN | ET, 1);
    assert_int_equal(tefd_write(&f, 3), 0);
    vt_expect_events(ep, 8, {1, IN});
    vt_expect_none(ep, 8);
    assert_int_equal(tefd_write(&f, 1), 0); /* no read in between */
    vt_expect_events(ep, 8, {1, IN});
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tefd_destroy(&f);
}

static void s104_counter_in_two_instances(void **state)
{
    (void)state;
    vepoll_t *a = vt_new_ep();
    vepoll_t *b = vt_new_ep();
    tefd f;
    assert_int_equal(tefd_init(&f, 0, false), 0);
    VT_ADD(a, VT_FD_F, f.src, IN | ET, 1);
    VT_ADD(b, VT_FD_F, f.src, IN | ET, 2);
    assert_int_equal(tefd_write(&f, 1), 0);
    vt_expect_events(a, 8, {1, IN});
    vt_expect_events(b, 8, {2, IN});
    vt_expect_none(a, 8);
    vt_expect_none(b, 8);
    vt_free_ep(a);
    vt_free_ep(b);
    tefd_destroy(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(s098_initial_value_zero_not_readable),
        cmocka_unit_test(s098_initial_value_five_readable),
        cmocka_unit_test(s098_initial_value_semaphore_readable),
        cmocka_unit_test(s099_accumulate_and_reset),
        cmocka_unit_test(s100_semaphore_mode),
        cmocka_unit_test(s101_counter_ceiling),
        cmocka_unit_test(s103_et_rearms_on_each_write),
        cmocka_unit_test(s104_counter_in_two_instances),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
