/* Level-triggered readiness: docs/SEMANTICS.md S023-S035. */
#include "vtest.h"

static void s023_lt_pipe_read_end(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_R, p.r, VEPOLL_IN, 7);
    vt_expect_none(ep, 8);
    assert_int_equal(tpipe_write(&p, 1), 1);
    vt_expect_events(ep, 8, {7, VEPOLL_IN});
    vt_expect_events(ep, 8, {7, VEPOLL_IN});
    assert_int_equal(tpipe_read(&p, 1), 1);
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s024_lt_readiness_rechecked_at_collection(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_R, p.r, VEPOLL_IN, 7);
    assert_int_equal(tpipe_write(&p, 1), 1);
    assert_int_equal(tpipe_read(&p, 1), 1);
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s025_lt_readiness_present_before_add(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    assert_int_equal(tpipe_write(&p, 1), 1);
    VT_ADD(ep, VT_FD_R, p.r, VEPOLL_IN, 1);
    vt_expect_events(ep, 8, {1, VEPOLL_IN});
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s026_lt_mask_filtering_on_pipe(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_W, p.w, VEPOLL_OUT, 2);
    VT_ADD(ep, VT_FD_R, p.r, VEPOLL_OUT, 3);
    vt_expect_events(ep, 8, {2, VEPOLL_OUT});
    VT_MOD(ep, VT_FD_W, p.w, VEPOLL_IN | VEPOLL_OUT, 2);
    vt_expect_events(ep, 8, {2, VEPOLL_OUT}); /* a write end is never readable */
    assert_int_equal(tpipe_write(&p, 1), 1);
    vt_expect_events(ep, 8, {2, VEPOLL_OUT}); /* read end with data, mask OUT */
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s027_lt_empty_mask_reports_nothing(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_R, p.r, 0, 1);
    VT_ADD(ep, VT_FD_W, p.w, 0, 2);
    assert_int_equal(tpipe_write(&p, 1), 1);
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s028_lt_one_entry_bits_combined(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    VT_ADD(ep, VT_FD_A, s.end[0], VEPOLL_IN | VEPOLL_OUT | VEPOLL_RDHUP, 1);
    assert_int_equal(tsock_write(&s, 1, 1), 1);
    assert_int_equal(tsock_shutdown(&s, 1, TSOCK_SHUT_WR), 0);
    vt_expect_events(ep, 8, {1, VEPOLL_IN | VEPOLL_OUT | VEPOLL_RDHUP});
    vt_free_ep(ep);
    tsock_destroy(&s);
}

static void s029_lt_two_sources_stay_ready(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tsock s, t;
    assert_int_equal(tsock_init(&s, 0), 0);
    assert_int_equal(tsock_init(&t, 0), 0);
    VT_ADD(ep, VT_FD_A, s.end[0], VEPOLL_IN, 1);
    VT_ADD(ep, VT_FD_B, t.end[0], VEPOLL_IN, 2);
    assert_int_equal(tsock_write(&s, 1, 1), 1);
    assert_int_equal(tsock_write(&t, 1, 1), 1);
    vt_expect_events_any(ep, 2, {1, VEPOLL_IN}, {2, VEPOLL_IN});
    vt_expect_events_any(ep, 2, {1, VEPOLL_IN}, {2, VEPOLL_IN});
    vt_free_ep(ep);
    tsock_destroy(&s);
    tsock_destroy(&t);
}

static void s030_lt_pipe_fills_up(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_W, p.w, VEPOLL_OUT, 1);
    assert_int_equal(tpipe_fill(&p), (ssize_t)TPIPE_DEFAULT_CAP);
    assert_int_equal(tpipe_write(&p, 1), -EAGAIN);
    vt_expect_none(ep, 8);
    assert_int_equal(tpipe_drain(&p), (ssize_t)TPIPE_DEFAULT_CAP);
    vt_expect_events(ep, 8, {1, VEPOLL_OUT});
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s031_lt_pipe_write_readiness_granularity(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_W, p.w, VEPOLL_OUT, 1);
    assert_int_equal(tpipe_fill(&p), (ssize_t)TPIPE_DEFAULT_CAP);
    vt_expect_none(ep, 8);
    assert_int_equal(tpipe_read(&p, 4095), 4095);
    vt_expect_none(ep, 8);
    assert_int_equal(tpipe_read(&p, 1), 1);
    vt_expect_events(ep, 8, {1, VEPOLL_OUT});
    /* OUT reported: a write of PIPE_BUF bytes succeeds whole */
    assert_int_equal(tpipe_write(&p, 4096), 4096);
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s032_lt_blocked_wait_woken_by_other_thread(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    struct vt_waiter w;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_R, p.r, VEPOLL_IN, 5);
    vt_waiter_start(&w, ep, 1, 10 * VT_SEC); /* 10 s: never hang */
    vt_sleep_ms(100);
    assert_int_equal(tpipe_write(&p, 1), 1);
    vt_waiter_join(&w);
    assert_int_equal(w.ret, 1);
    assert_int_equal(w.ev[0].events, VEPOLL_IN);
    assert_int_equal(w.ev[0].data.u64, 5);
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

/* poll(E, POLLIN) revents: readiness of E restricted to IN|ERR|HUP. */
static uint32_t poll_in(vepoll_t *ep)
{
    return vepoll_source_ready(vepoll_as_source(ep)) & (VEPOLL_IN | VEPOLL_ERR | VEPOLL_HUP);
}

static void s033_lt_instance_itself_pollable(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    VT_ADD(ep, VT_FD_A, s.end[0], VEPOLL_IN, 1);
    assert_int_equal(poll_in(ep), 0);
    assert_int_equal(tsock_write(&s, 1, 1), 1);
    assert_int_equal(poll_in(ep), VEPOLL_IN);
    vt_expect_events(ep, 1, {1, VEPOLL_IN});
    assert_int_equal(poll_in(ep), VEPOLL_IN);
    vt_expect_events(ep, 1, {1, VEPOLL_IN});
    vt_free_ep(ep);
    tsock_destroy(&s);
}

static void s033_et_instance_itself_pollable(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    VT_ADD(ep, VT_FD_A, s.end[0], VEPOLL_IN | VEPOLL_ET, 1);
    assert_int_equal(tsock_write(&s, 1, 1), 1);
    assert_int_equal(poll_in(ep), VEPOLL_IN);
    vt_expect_events(ep, 1, {1, VEPOLL_IN});
    assert_int_equal(poll_in(ep), 0);
    vt_expect_none(ep, 1);
    vt_free_ep(ep);
    tsock_destroy(&s);
}

static void s033_lt_instance_pollable_through_nesting(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    vepoll_t *outer = vt_new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    VT_ADD(ep, VT_FD_A, s.end[0], VEPOLL_IN, 1);
    VT_ADD(outer, VT_FD_E, vepoll_as_source(ep), VEPOLL_IN, 9);
    vt_expect_none(outer, 8);
    assert_int_equal(tsock_write(&s, 1, 1), 1);
    vt_expect_events(outer, 8, {9, VEPOLL_IN});
    vt_expect_events(ep, 1, {1, VEPOLL_IN});
    vt_expect_events(outer, 8, {9, VEPOLL_IN});
    vt_free_ep(outer);
    vt_free_ep(ep);
    tsock_destroy(&s);
}

static void s034_lt_instance_readability_rechecks_sources(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_R, p.r, VEPOLL_IN, 1);
    assert_int_equal(tpipe_write(&p, 1), 1);
    assert_int_equal(tpipe_read(&p, 1), 1);
    assert_false(vt_readable(ep));
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s035_lt_maxevents_larger_than_ready_set(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p[4];
    for (int i = 0; i < 4; i++) {
        assert_int_equal(tpipe_init(&p[i], 0), 0);
        VT_ADD(ep, 10 + i, p[i].r, VEPOLL_IN, (uint64_t)i);
        assert_int_equal(tpipe_write(&p[i], 1), 1);
    }
    vt_expect_events_any(ep, 8, {0, VEPOLL_IN}, {1, VEPOLL_IN}, {2, VEPOLL_IN}, {3, VEPOLL_IN});
    vt_free_ep(ep);
    for (int i = 0; i < 4; i++)
        tpipe_destroy(&p[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(s023_lt_pipe_read_end),
        cmocka_unit_test(s024_lt_readiness_rechecked_at_collection),
        cmocka_unit_test(s025_lt_readiness_present_before_add),
        cmocka_unit_test(s026_lt_mask_filtering_on_pipe),
        cmocka_unit_test(s027_lt_empty_mask_reports_nothing),
        cmocka_unit_test(s028_lt_one_entry_bits_combined),
        cmocka_unit_test(s029_lt_two_sources_stay_ready),
        cmocka_unit_test(s030_lt_pipe_fills_up),
        cmocka_unit_test(s031_lt_pipe_write_readiness_granularity),
        cmocka_unit_test(s032_lt_blocked_wait_woken_by_other_thread),
        cmocka_unit_test(s033_lt_instance_itself_pollable),
        cmocka_unit_test(s033_et_instance_itself_pollable),
        cmocka_unit_test(s033_lt_instance_pollable_through_nesting),
        cmocka_unit_test(s034_lt_instance_readability_rechecks_sources),
        cmocka_unit_test(s035_lt_maxevents_larger_than_ready_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
