/* Write readiness on ADD: docs/SEMANTICS.md S094-S097. */
#include "vtest.h"

#define IN VEPOLL_IN
#define OUT VEPOLL_OUT

static void s094_empty_pipe_write_end_ready_at_add(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_W, p.w, OUT, 2);
    vt_expect_events(ep, 8, {2, OUT});
    vt_expect_events(ep, 8, {2, OUT}); /* LT */
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s094_pipe_reports_wrnorm_when_asked(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_W, p.w, OUT | VEPOLL_WRNORM, 2);
    VT_ADD(ep, VT_FD_R, p.r, IN | VEPOLL_RDNORM, 3);
    vt_expect_events(ep, 8, {2, OUT | VEPOLL_WRNORM});
    assert_int_equal(tpipe_write(&p, 1), 1);
    vt_expect_events_any(ep, 8, {2, OUT | VEPOLL_WRNORM}, {3, IN | VEPOLL_RDNORM});
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s095_fresh_counter_is_writable_only(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tefd f;
    assert_int_equal(tefd_init(&f, 0, false), 0);
    VT_ADD(ep, VT_FD_F, f.src, IN | OUT, 1);
    vt_expect_events(ep, 8, {1, OUT});
    vt_free_ep(ep);
    tefd_destroy(&f);
}

static void s096_fresh_socket_pair_end(void **state)
{
    (void)state;
    vepoll_t *e1 = vt_new_ep();
    vepoll_t *e2 = vt_new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    VT_ADD(e1, VT_FD_A, s.end[0], IN, 1);
    vt_expect_none(e1, 8);
    VT_ADD(e2, VT_FD_B, s.end[1], OUT, 2);
    vt_expect_events(e2, 8, {2, OUT});
    vt_free_ep(e1);
    vt_free_ep(e2);
    tsock_destroy(&s);
}

static void s097_et_write_readiness_at_add_reported_once(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    VT_ADD(ep, VT_FD_A, s.end[0], OUT | VEPOLL_ET, 1);
    vt_expect_events(ep, 8, {1, OUT});
    vt_expect_none(ep, 8);
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tsock_destroy(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(s094_empty_pipe_write_end_ready_at_add),
        cmocka_unit_test(s094_pipe_reports_wrnorm_when_asked),
        cmocka_unit_test(s095_fresh_counter_is_writable_only),
        cmocka_unit_test(s096_fresh_socket_pair_end),
        cmocka_unit_test(s097_et_write_readiness_at_add_reported_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
