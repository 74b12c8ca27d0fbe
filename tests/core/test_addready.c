/* Write readiness on ADD: epoll-semantics.md S094-S097. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#define IN VEPOLL_IN
#define OUT VEPOLL_OUT

static void s094_empty_pipe_write_end_ready_at_add(void **state)
{
    (void)state;
    vepoll_t *ep = new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    ADD(ep, FD_W, p.w, OUT, 2);
    expect_events(ep, 8, {2, OUT});
    expect_events(ep, 8, {2, OUT}); /* LT */
    free_ep(ep);
    tpipe_destroy(&p);
}

static void s094_pipe_reports_wrnorm_when_asked(void **state)
{
    (void)state;
    vepoll_t *ep = new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    ADD(ep, FD_W, p.w, OUT | VEPOLL_WRNORM, 2);
    ADD(ep, FD_R, p.r, IN | VEPOLL_RDNORM, 3);
    expect_events(ep, 8, {2, OUT | VEPOLL_WRNORM});
    assert_int_equal(tpipe_write(&p, 1), 1);
    expect_events_any(ep, 8, {2, OUT | VEPOLL_WRNORM}, {3, IN | VEPOLL_RDNORM});
    free_ep(ep);
    tpipe_destroy(&p);
}

static void s095_fresh_counter_is_writable_only(void **state)
{
    (void)state;
    vepoll_t *ep = new_ep();
    tefd f;
    assert_int_equal(tefd_init(&f, 0, false), 0);
    ADD(ep, FD_F, f.src, IN | OUT, 1);
    expect_events(ep, 8, {1, OUT});
    free_ep(ep);
    tefd_destroy(&f);
}

static void s096_fresh_socket_pair_end(void **state)
{
    (void)state;
    vepoll_t *e1 = new_ep();
    vepoll_t *e2 = new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    ADD(e1, FD_A, s.end[0], IN, 1);
    expect_none(e1, 8);
    ADD(e2, FD_B, s.end[1], OUT, 2);
    expect_events(e2, 8, {2, OUT});
    free_ep(e1);
    free_ep(e2);
    tsock_destroy(&s);
}

static void s097_et_write_readiness_at_add_reported_once(void **state)
{
    (void)state;
    vepoll_t *ep = new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    ADD(ep, FD_A, s.end[0], OUT | VEPOLL_ET, 1);
    expect_events(ep, 8, {1, OUT});
    expect_none(ep, 8);
    expect_none(ep, 8);
    free_ep(ep);
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
