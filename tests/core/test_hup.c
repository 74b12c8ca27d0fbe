/* HUP / ERR always reported: docs/SEMANTICS.md S083-S090, S093.
 * (S091/S092, blocked waiters woken by a hang-up, belong to the thread tests.) */
#include "vtest.h"

#define IN VEPOLL_IN
#define OUT VEPOLL_OUT
#define ERR VEPOLL_ERR
#define HUP VEPOLL_HUP
#define RDHUP VEPOLL_RDHUP
#define ET VEPOLL_ET

static void s083_pipe_reader_writer_closed_empty(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_R, p.r, IN | RDHUP, 1);
    tpipe_close_w(&p);
    vt_expect_events(ep, 8, {1, HUP}); /* no IN, never RDHUP on a pipe */
    vt_expect_events(ep, 8, {1, HUP}); /* LT */
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

/* S084 steps; leaves the registration (cookie 1) in place. */
static void s084_steps(vepoll_t *ep, tpipe *p)
{
    assert_int_equal(tpipe_init(p, 0), 0);
    VT_ADD(ep, VT_FD_R, p->r, IN | RDHUP, 1);
    assert_int_equal(tpipe_write(p, 1), 1);
    tpipe_close_w(p);
    vt_expect_events(ep, 8, {1, IN | HUP});
    assert_int_equal(tpipe_read(p, 1), 1);
    vt_expect_events(ep, 8, {1, HUP});
    assert_int_equal(tpipe_read(p, 1), 0); /* EOF */
}

static void s084_pipe_reader_writer_closed_data_buffered(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    s084_steps(ep, &p);
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s085_hup_with_empty_mask(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_R, p.r, 0, 1);
    tpipe_close_w(&p);
    vt_expect_events(ep, 8, {1, HUP});
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s085_hup_with_out_mask(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_R, p.r, OUT, 1);
    tpipe_close_w(&p);
    vt_expect_events(ep, 8, {1, HUP});
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s086_registration_after_hangup(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    tpipe_close_w(&p);
    VT_ADD(ep, VT_FD_R, p.r, IN | OUT | RDHUP | ET, 1);
    vt_expect_events(ep, 8, {1, HUP});
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s087_pipe_writer_reader_closed_empty(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_W, p.w, OUT, 1);
    tpipe_close_r(&p);
    vt_expect_events(ep, 8, {1, OUT | ERR});
    assert_int_equal(tpipe_write(&p, 1), -EPIPE);
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s088_pipe_writer_reader_closed_full(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    assert_int_equal(tpipe_fill(&p), (ssize_t)TPIPE_DEFAULT_CAP);
    VT_ADD(ep, VT_FD_W, p.w, OUT, 1);
    vt_expect_none(ep, 8);
    tpipe_close_r(&p);
    vt_expect_events(ep, 8, {1, ERR});
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s089_err_with_empty_mask_lt(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_W, p.w, 0, 1);
    tpipe_close_r(&p);
    vt_expect_events(ep, 8, {1, ERR});
    vt_expect_events(ep, 8, {1, ERR});
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s089_err_with_in_rdhup_et_once(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_W, p.w, IN | RDHUP | ET, 1);
    vt_expect_none(ep, 8);
    tpipe_close_r(&p);
    vt_expect_events(ep, 8, {1, ERR});
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s090_et_writer_fresh_edge_on_reader_close(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_W, p.w, OUT | ET, 1);
    vt_expect_events(ep, 8, {1, OUT});
    vt_expect_none(ep, 8);
    tpipe_close_r(&p);
    vt_expect_events(ep, 8, {1, OUT | ERR});
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s093_hup_reported_after_eof_until_del(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    s084_steps(ep, &p);
    for (int i = 0; i < 5; i++)
        vt_expect_events(ep, 8, {1, HUP});
    assert_int_equal(tpipe_read(&p, 1), 0);
    vt_expect_events(ep, 8, {1, HUP});
    VT_DEL(ep, VT_FD_R, p.r);
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s093_hup_reported_after_eof_until_close(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    s084_steps(ep, &p);
    vt_expect_events(ep, 8, {1, HUP});
    vt_expect_events(ep, 8, {1, HUP});
    tpipe_close_r(&p);
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(s083_pipe_reader_writer_closed_empty),
        cmocka_unit_test(s084_pipe_reader_writer_closed_data_buffered),
        cmocka_unit_test(s085_hup_with_empty_mask),
        cmocka_unit_test(s085_hup_with_out_mask),
        cmocka_unit_test(s086_registration_after_hangup),
        cmocka_unit_test(s087_pipe_writer_reader_closed_empty),
        cmocka_unit_test(s088_pipe_writer_reader_closed_full),
        cmocka_unit_test(s089_err_with_empty_mask_lt),
        cmocka_unit_test(s089_err_with_in_rdhup_et_once),
        cmocka_unit_test(s090_et_writer_fresh_edge_on_reader_close),
        cmocka_unit_test(s093_hup_reported_after_eof_until_del),
        cmocka_unit_test(s093_hup_reported_after_eof_until_close),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
