/* MOD / DEL semantics: docs/SEMANTICS.md S061-S065, S068, S069.
 * (S066/S067, MOD/DEL racing a blocked waiter, belong to the thread tests.) */
#include "vtest.h"

#define IN VEPOLL_IN
#define OUT VEPOLL_OUT

static void s061_mod_changes_reported_kinds(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_R, p.r, IN, 1);
    VT_ADD(ep, VT_FD_W, p.w, IN, 2);
    assert_int_equal(tpipe_write(&p, 1), 1);
    vt_expect_events(ep, 8, {1, IN});
    VT_MOD(ep, VT_FD_W, p.w, OUT, 2);
    assert_int_equal(tpipe_write(&p, 1), 1);
    vt_expect_events_any(ep, 8, {1, IN}, {2, OUT});
    VT_DEL(ep, VT_FD_W, p.w);
    assert_int_equal(tpipe_write(&p, 1), 1);
    vt_expect_events(ep, 8, {1, IN});
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s062_mod_applies_to_queued_event(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    VT_ADD(ep, VT_FD_A, s.end[0], IN | OUT, 1);
    assert_int_equal(tsock_write(&s, 1, 1), 1); /* ready IN|OUT, not collected */
    VT_MOD(ep, VT_FD_A, s.end[0], OUT, 2);
    vt_expect_events(ep, 8, {2, OUT});
    VT_MOD(ep, VT_FD_A, s.end[0], 0, 3);
    vt_expect_none(ep, 8);
    VT_MOD(ep, VT_FD_A, s.end[0], IN, 4);
    vt_expect_events(ep, 8, {4, IN});
    vt_free_ep(ep);
    tsock_destroy(&s);
}

static void s062_mod_applies_to_queued_et_event(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    VT_ADD(ep, VT_FD_A, s.end[0], IN | VEPOLL_ET, 1);
    vt_expect_none(ep, 8);
    assert_int_equal(tsock_write(&s, 1, 1), 1); /* IN edge queued, not collected */
    VT_MOD(ep, VT_FD_A, s.end[0], OUT | VEPOLL_ET, 2);
    vt_expect_events(ep, 8, {2, OUT});
    vt_expect_none(ep, 8);
    VT_MOD(ep, VT_FD_A, s.end[0], VEPOLL_ET, 3);
    vt_expect_none(ep, 8);
    VT_MOD(ep, VT_FD_A, s.end[0], IN | VEPOLL_ET, 4);
    vt_expect_events(ep, 8, {4, IN});
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tsock_destroy(&s);
}

static void s063_mod_does_not_reorder_queued_entry(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p[3];
    for (int i = 0; i < 3; i++) {
        assert_int_equal(tpipe_init(&p[i], 0), 0);
        VT_ADD(ep, 10 + i, p[i].r, IN, (uint64_t)(i + 1));
    }
    for (int i = 0; i < 3; i++)
        assert_int_equal(tpipe_write(&p[i], 1), 1);
    VT_MOD(ep, 10, p[0].r, IN, 11);
    vt_expect_events(ep, 8, {11, IN}, {2, IN}, {3, IN});
    vt_free_ep(ep);
    for (int i = 0; i < 3; i++)
        tpipe_destroy(&p[i]);
}

static void s064_del_stops_reporting(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    VT_ADD(ep, VT_FD_A, s.end[0], IN, 1);
    assert_int_equal(tsock_write(&s, 1, 1), 1); /* data pending */
    VT_DEL(ep, VT_FD_A, s.end[0]);
    vt_expect_none(ep, 8);
    VT_ADD(ep, VT_FD_A, s.end[0], IN, 2);
    vt_expect_events(ep, 8, {2, IN});
    vt_free_ep(ep);
    tsock_destroy(&s);
}

static void s065_pending_et_event_dies_with_del(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_R, p.r, IN | VEPOLL_ET, 1);
    assert_int_equal(tpipe_write(&p, 1), 1); /* edge queued, not collected */
    VT_DEL(ep, VT_FD_R, p.r);
    vt_expect_none(ep, 8);
    assert_false(vt_readable(ep));
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s065_pending_lt_event_dies_with_del(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_R, p.r, IN, 1);
    assert_int_equal(tpipe_write(&p, 1), 1);
    VT_DEL(ep, VT_FD_R, p.r);
    vt_expect_none(ep, 8);
    assert_false(vt_readable(ep));
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s068_readd_after_del_uses_new_cookie(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_R, p.r, IN, 1);
    VT_DEL(ep, VT_FD_R, p.r);
    VT_ADD(ep, VT_FD_R, p.r, IN, 2);
    assert_int_equal(tpipe_write(&p, 1), 1);
    vt_expect_events(ep, 8, {2, IN});
    VT_DEL(ep, VT_FD_R, p.r);
    assert_int_equal(vt_del(ep, VT_FD_R, p.r), -ENOENT);
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s069_inner_del_from_outer_drops_pending_event(void **state)
{
    (void)state;
    vepoll_t *inner = vt_new_ep();
    vepoll_t *outer = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(inner, VT_FD_R, p.r, IN, 1);
    VT_ADD(outer, VT_FD_E, vepoll_as_source(inner), IN | VEPOLL_ET, 2);
    assert_int_equal(tpipe_write(&p, 1), 1);
    VT_DEL(outer, VT_FD_E, vepoll_as_source(inner));
    vt_expect_none(outer, 8);
    assert_false(vt_readable(outer));
    vt_expect_events(inner, 8, {1, IN}); /* the inner is unaffected */
    vt_free_ep(outer);
    vt_free_ep(inner);
    tpipe_destroy(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(s061_mod_changes_reported_kinds),
        cmocka_unit_test(s062_mod_applies_to_queued_event),
        cmocka_unit_test(s062_mod_applies_to_queued_et_event),
        cmocka_unit_test(s063_mod_does_not_reorder_queued_entry),
        cmocka_unit_test(s064_del_stops_reporting),
        cmocka_unit_test(s065_pending_et_event_dies_with_del),
        cmocka_unit_test(s065_pending_lt_event_dies_with_del),
        cmocka_unit_test(s068_readd_after_del_uses_new_cookie),
        cmocka_unit_test(s069_inner_del_from_outer_drops_pending_event),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
