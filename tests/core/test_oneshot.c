/* One-shot and re-arm: docs/SEMANTICS.md S052-S057, S059, S060.
 * (S058, one-shot with several blocked threads, belongs to the thread tests.) */
#include "vtest.h"

#define IN VEPOLL_IN
#define OS VEPOLL_ONESHOT

/* S052 setup: ADD(E,P.r,IN|ONESHOT,123); w1; wait -> [123:IN]. */
static void fired_oneshot(vepoll_t *ep, tpipe *p)
{
    assert_int_equal(tpipe_init(p, 0), 0);
    VT_ADD(ep, VT_FD_R, p->r, IN | OS, 123);
    assert_int_equal(tpipe_write(p, 1), 1);
    vt_expect_events(ep, 10, {123, IN});
}

static void s052_oneshot_delivers_once(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    fired_oneshot(ep, &p);
    vt_expect_none(ep, 10); /* data left unread */
    assert_int_equal(tpipe_write(&p, 1), 1);
    vt_expect_none(ep, 10);
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s053_disarmed_entry_still_registered(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    fired_oneshot(ep, &p);
    assert_int_equal(vt_add(ep, VT_FD_R, p.r, IN | OS, 124), -EEXIST);
    assert_int_equal(vt_add(ep, VT_FD_R, p.r, IN, 125), -EEXIST);
    assert_false(vt_readable(ep));
    VT_DEL(ep, VT_FD_R, p.r);
    assert_int_equal(vt_del(ep, VT_FD_R, p.r), -ENOENT);
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s054_oneshot_rearm_with_mod(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    fired_oneshot(ep, &p);
    VT_MOD(ep, VT_FD_R, p.r, IN | OS, 456);
    vt_expect_events(ep, 10, {456, IN});
    vt_expect_none(ep, 10);
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s055_disarmed_entry_suppresses_hup(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    fired_oneshot(ep, &p);
    tpipe_close_w(&p);
    vt_expect_none(ep, 10);
    VT_MOD(ep, VT_FD_R, p.r, OS, 5);
    vt_expect_events(ep, 10, {5, VEPOLL_HUP});
    vt_expect_none(ep, 10);
    VT_MOD(ep, VT_FD_R, p.r, 0, 6);
    vt_expect_events(ep, 10, {6, VEPOLL_HUP});
    vt_expect_events(ep, 10, {6, VEPOLL_HUP}); /* LT */
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s055_disarmed_entry_suppresses_err(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_W, p.w, VEPOLL_OUT | OS, 1);
    vt_expect_events(ep, 10, {1, VEPOLL_OUT});
    tpipe_close_r(&p);
    vt_expect_none(ep, 10);
    VT_MOD(ep, VT_FD_W, p.w, OS, 2);
    vt_expect_events(ep, 10, {2, VEPOLL_ERR});
    vt_expect_none(ep, 10);
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s056_oneshot_et(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_R, p.r, IN | OS | VEPOLL_ET, 1);
    assert_int_equal(tpipe_write(&p, 1), 1);
    vt_expect_events(ep, 8, {1, IN});
    assert_int_equal(tpipe_write(&p, 1), 1);
    vt_expect_none(ep, 8);
    VT_MOD(ep, VT_FD_R, p.r, IN | OS | VEPOLL_ET, 2); /* data present */
    vt_expect_events(ep, 8, {2, IN});
    vt_expect_none(ep, 8);
    VT_MOD(ep, VT_FD_R, p.r, IN | VEPOLL_ET, 3);
    vt_expect_events(ep, 8, {3, IN});
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s057_oneshot_not_delivered_stays_armed(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe a, b;
    struct vepoll_event ev[1];
    assert_int_equal(tpipe_init(&a, 0), 0);
    assert_int_equal(tpipe_init(&b, 0), 0);
    VT_ADD(ep, 10, a.r, IN | OS, 1);
    VT_ADD(ep, 11, b.r, IN | OS, 2);
    assert_int_equal(tpipe_write(&a, 1), 1);
    assert_int_equal(tpipe_write(&b, 1), 1);
    assert_int_equal(vt_poll(ep, ev, 1), 1);
    assert_int_equal(ev[0].events, IN);
    uint64_t first = ev[0].data.u64;
    assert_true(first == 1 || first == 2);
    assert_int_equal(vt_poll(ep, ev, 1), 1);
    assert_int_equal(ev[0].events, IN);
    assert_int_equal(ev[0].data.u64, 3 - first); /* the other one */
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tpipe_destroy(&a);
    tpipe_destroy(&b);
}

static void s059_wait_on_only_disarmed_entry_times_out(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    struct vepoll_event ev[8];
    fired_oneshot(ep, &p);
    int64_t t0 = vt_now_ns();
    assert_int_equal(vepoll_wait(ep, ev, 8, 100 * VT_MS), 0);
    assert_true(vt_now_ns() - t0 >= 100 * VT_MS);
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s060_oneshot_socket_rearmed_for_rdhup(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tsock s;
    struct vepoll_event ev[8];
    assert_int_equal(tsock_init(&s, 0), 0);
    assert_int_equal(tsock_write(&s, 1, 4), 4);
    VT_ADD(ep, VT_FD_A, s.end[0], IN | OS, 1);
    vt_expect_events(ep, 8, {1, IN});
    assert_int_equal(tsock_read(&s, 0, 16), 4);
    int64_t t0 = vt_now_ns();
    assert_int_equal(vepoll_wait(ep, ev, 8, 250 * VT_MS), 0);
    assert_true(vt_now_ns() - t0 >= 250 * VT_MS);
    VT_MOD(ep, VT_FD_A, s.end[0], VEPOLL_RDHUP | OS, 2);
    assert_int_equal(tsock_write(&s, 1, 4), 4);
    assert_int_equal(tsock_shutdown(&s, 1, TSOCK_SHUT_WR), 0);
    vt_expect_events(ep, 8, {2, VEPOLL_RDHUP});
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tsock_destroy(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(s052_oneshot_delivers_once),
        cmocka_unit_test(s053_disarmed_entry_still_registered),
        cmocka_unit_test(s054_oneshot_rearm_with_mod),
        cmocka_unit_test(s055_disarmed_entry_suppresses_hup),
        cmocka_unit_test(s055_disarmed_entry_suppresses_err),
        cmocka_unit_test(s056_oneshot_et),
        cmocka_unit_test(s057_oneshot_not_delivered_stays_armed),
        cmocka_unit_test(s059_wait_on_only_disarmed_entry_times_out),
        cmocka_unit_test(s060_oneshot_socket_rearmed_for_rdhup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
