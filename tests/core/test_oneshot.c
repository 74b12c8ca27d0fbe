/* One-shot and re-arm: epoll-semantics.md S052-S057, S059, S060.
 * (S058, one-shot with several blocked threads, belongs to the thread tests.) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#define IN VEPOLL_IN
#define OS VEPOLL_ONESHOT

/* S052 setup: ADD(E,P.r,IN|ONESHOT,123); w1; wait -> [123:IN]. */
static void fired_oneshot(vepoll_t *ep, tpipe *p)
{
    assert_int_equal(tpipe_init(p, 0), 0);
    ADD(ep, FD_R, p->r, IN | OS, 123);
    assert_int_equal(tpipe_write(p, 1), 1);
    expect_events(ep, 10, {123, IN});
}

static void s052_oneshot_delivers_once(void **state)
{
    (void)state;
    vepoll_t *ep = new_ep();
    tpipe p;
    fired_oneshot(ep, &p);
    expect_none(ep, 10); /* data left unread */
    assert_int_equal(tpipe_write(&p, 1), 1);
    expect_none(ep, 10);
    free_ep(ep);
    tpipe_destroy(&p);
}

static void s053_disarmed_entry_still_registered(void **state)
{
    (void)state;
    vepoll_t *ep = new_ep();
    tpipe p;
    fired_oneshot(ep, &p);
    assert_int_equal(ep_add(ep, FD_R, p.r, IN | OS, 124), -EEXIST);
    assert_int_equal(ep_add(ep, FD_R, p.r, IN, 125), -EEXIST);
    assert_false(ep_readable(ep));
    DEL(ep, FD_R, p.r);
    assert_int_equal(ep_del(ep, FD_R, p.r), -ENOENT);
    free_ep(ep);
    tpipe_destroy(&p);
}

static void s054_oneshot_rearm_with_mod(void **state)
{
    (void)state;
    vepoll_t *ep = new_ep();
    tpipe p;
    fired_oneshot(ep, &p);
    MOD(ep, FD_R, p.r, IN | OS, 456);
    expect_events(ep, 10, {456, IN});
    expect_none(ep, 10);
    free_ep(ep);
    tpipe_destroy(&p);
}

static void s055_disarmed_entry_suppresses_hup(void **state)
{
    (void)state;
    vepoll_t *ep = new_ep();
    tpipe p;
    fired_oneshot(ep, &p);
    tpipe_close_w(&p);
    expect_none(ep, 10);
    MOD(ep, FD_R, p.r, OS, 5);
    expect_events(ep, 10, {5, VEPOLL_HUP});
    expect_none(ep, 10);
    MOD(ep, FD_R, p.r, 0, 6);
    expect_events(ep, 10, {6, VEPOLL_HUP});
    expect_events(ep, 10, {6, VEPOLL_HUP}); /* LT */
    free_ep(ep);
    tpipe_destroy(&p);
}

static void s055_disarmed_entry_suppresses_err(void **state)
{
    (void)state;
    vepoll_t *ep = new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    ADD(ep, FD_W, p.w, VEPOLL_OUT | OS, 1);
    expect_events(ep, 10, {1, VEPOLL_OUT});
    tpipe_close_r(&p);
    expect_none(ep, 10);
    MOD(ep, FD_W, p.w, OS, 2);
    expect_events(ep, 10, {2, VEPOLL_ERR});
    expect_none(ep, 10);
    free_ep(ep);
    tpipe_destroy(&p);
}

static void s056_oneshot_et(void **state)
{
    (void)state;
    vepoll_t *ep = new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    ADD(ep, FD_R, p.r, IN | OS | VEPOLL_ET, 1);
    assert_int_equal(tpipe_write(&p, 1), 1);
    expect_events(ep, 8, {1, IN});
    assert_int_equal(tpipe_write(&p, 1), 1);
    expect_none(ep, 8);
    MOD(ep, FD_R, p.r, IN | OS | VEPOLL_ET, 2); /* data present */
    expect_events(ep, 8, {2, IN});
    expect_none(ep, 8);
    MOD(ep, FD_R, p.r, IN | VEPOLL_ET, 3);
    expect_events(ep, 8, {3, IN});
    expect_none(ep, 8);
    free_ep(ep);
    tpipe_destroy(&p);
}

static void s057_oneshot_not_delivered_stays_armed(void **state)
{
    (void)state;
    vepoll_t *ep = new_ep();
    tpipe a, b;
    struct vepoll_event ev[1];
    assert_int_equal(tpipe_init(&a, 0), 0);
    assert_int_equal(tpipe_init(&b, 0), 0);
    ADD(ep, 10, a.r, IN | OS, 1);
    ADD(ep, 11, b.r, IN | OS, 2);
    assert_int_equal(tpipe_write(&a, 1), 1);
    assert_int_equal(tpipe_write(&b, 1), 1);
    assert_int_equal(wait0(ep, ev, 1), 1);
    assert_int_equal(ev[0].events, IN);
    uint64_t first = ev[0].data.u64;
    assert_true(first == 1 || first == 2);
    assert_int_equal(wait0(ep, ev, 1), 1);
    assert_int_equal(ev[0].events, IN);
    assert_int_equal(ev[0].data.u64, 3 - first); /* the other one */
    expect_none(ep, 8);
    free_ep(ep);
    tpipe_destroy(&a);
    tpipe_destroy(&b);
}

static void s059_wait_on_only_disarmed_entry_times_out(void **state)
{
    (void)state;
    vepoll_t *ep = new_ep();
    tpipe p;
    struct vepoll_event ev[8];
    fired_oneshot(ep, &p);
    int64_t t0 = now_ns();
    assert_int_equal(vepoll_wait(ep, ev, 8, MS(100)), 0);
    assert_true(now_ns() - t0 >= MS(100));
    free_ep(ep);
    tpipe_destroy(&p);
}

static void s060_oneshot_socket_rearmed_for_rdhup(void **state)
{
    (void)state;
    vepoll_t *ep = new_ep();
    tsock s;
    struct vepoll_event ev[8];
    assert_int_equal(tsock_init(&s, 0), 0);
    assert_int_equal(tsock_write(&s, 1, 4), 4);
    ADD(ep, FD_A, s.end[0], IN | OS, 1);
    expect_events(ep, 8, {1, IN});
    assert_int_equal(tsock_read(&s, 0, 16), 4);
    int64_t t0 = now_ns();
    assert_int_equal(vepoll_wait(ep, ev, 8, MS(250)), 0);
    assert_true(now_ns() - t0 >= MS(250));
    MOD(ep, FD_A, s.end[0], VEPOLL_RDHUP | OS, 2);
    assert_int_equal(tsock_write(&s, 1, 4), 4);
    assert_int_equal(tsock_shutdown(&s, 1, TSOCK_SHUT_WR), 0);
    expect_events(ep, 8, {2, VEPOLL_RDHUP});
    expect_none(ep, 8);
    free_ep(ep);
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
