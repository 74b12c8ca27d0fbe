/* User data cookie: docs/SEMANTICS.md S070-S074.
 * The registration key is the pair (source, fd): a dup is the same source
 * registered under another fd number. */
#include "vtest.h"

#define IN VEPOLL_IN
#define OUT VEPOLL_OUT

static void s070_cookie_64bit_round_trip(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_R, p.r, IN, UINT64_C(0xDEADBEEFCAFEBABE));
    assert_int_equal(tpipe_write(&p, 1), 1);
    vt_expect_events(ep, 8, {UINT64_C(0xDEADBEEFCAFEBABE), IN});
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s070_cookie_pointer_round_trip(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    struct vepoll_event ev, out[2];
    int marker = 0;
    assert_int_equal(tpipe_init(&p, 0), 0);
    memset(&ev, 0, sizeof ev);
    ev.events = IN;
    ev.data.ptr = &marker;
    assert_int_equal(vepoll_ctl(ep, VEPOLL_CTL_ADD, VT_FD_R, p.r, &ev), 0);
    assert_int_equal(tpipe_write(&p, 1), 1);
    assert_int_equal(vt_poll(ep, out, 2), 1);
    assert_ptr_equal(out[0].data.ptr, &marker);
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s071_cookie_is_opaque(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, 5, p.r, IN, 42); /* fd 5, cookie 42 */
    assert_int_equal(tpipe_write(&p, 1), 1);
    vt_expect_events(ep, 8, {42, IN});
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s072_most_recent_add_mod_wins_failed_add_changes_nothing(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_R, p.r, IN, 1);
    VT_MOD(ep, VT_FD_R, p.r, IN, 2);
    assert_int_equal(tpipe_write(&p, 1), 1);
    vt_expect_events(ep, 8, {2, IN});
    assert_int_equal(vt_add(ep, VT_FD_R, p.r, IN | OUT, 3), -EEXIST);
    vt_expect_events(ep, 8, {2, IN});
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s073_dup_handles_are_separate_registrations(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    VT_ADD(ep, VT_FD_A, s.end[0], IN, 100);
    VT_ADD(ep, VT_FD_DUP, s.end[0], OUT, 200); /* D = dup(S.a) */
    assert_int_equal(tsock_write(&s, 1, 1), 1);
    vt_expect_events_any(ep, 8, {100, IN}, {200, OUT});
    /* DEL through one number leaves the other registration alone */
    VT_DEL(ep, VT_FD_A, s.end[0]);
    vt_expect_events(ep, 8, {200, OUT});
    assert_int_equal(vt_del(ep, VT_FD_A, s.end[0]), -ENOENT);
    vt_free_ep(ep);
    tsock_destroy(&s);
}

static void s074_same_source_two_instances_two_cookies(void **state)
{
    (void)state;
    vepoll_t *a = vt_new_ep();
    vepoll_t *b = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(a, VT_FD_R, p.r, IN, 1);
    VT_ADD(b, VT_FD_R, p.r, IN, 2);
    assert_int_equal(tpipe_write(&p, 1), 1);
    vt_expect_events(a, 8, {1, IN});
    vt_expect_events(b, 8, {2, IN});
    vt_free_ep(a);
    vt_free_ep(b);
    tpipe_destroy(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(s070_cookie_64bit_round_trip),
        cmocka_unit_test(s070_cookie_pointer_round_trip),
        cmocka_unit_test(s071_cookie_is_opaque),
        cmocka_unit_test(s072_most_recent_add_mod_wins_failed_add_changes_nothing),
        cmocka_unit_test(s073_dup_handles_are_separate_registrations),
        cmocka_unit_test(s074_same_source_two_instances_two_cookies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
