/* Edge-triggered readiness: docs/SEMANTICS.md S036-S051. */
#include "vtest.h"

#define IN VEPOLL_IN
#define OUT VEPOLL_OUT
#define ET VEPOLL_ET

/* ET socket: each of `writes` one-byte writes (data never read) reports IN
 * once; then nothing. */
static void et_socket_writes(int writes)
{
    vepoll_t *ep = vt_new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    VT_ADD(ep, VT_FD_A, s.end[0], IN | ET, 1);
    for (int i = 0; i < writes; i++) {
        assert_int_equal(tsock_write(&s, 1, 1), 1);
        vt_expect_events(ep, 8, {1, IN});
    }
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tsock_destroy(&s);
}

static void s036_et_basic_socket(void **state)
{
    (void)state;
    et_socket_writes(1);
}

static void s037_et_two_writes_coalesce(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_R, p.r, IN | ET, 1);
    assert_int_equal(tpipe_write(&p, 1), 1);
    assert_int_equal(tpipe_write(&p, 1), 1);
    vt_expect_events(ep, 8, {1, IN});
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s038_et_partial_read_does_not_rearm(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_R, p.r, IN | ET, 1);
    assert_int_equal(tpipe_write(&p, 2), 2);
    vt_expect_events(ep, 8, {1, IN});
    assert_int_equal(tpipe_read(&p, 1), 1);
    vt_expect_none(ep, 8);
    assert_true(vepoll_source_ready(p.r) & IN); /* poll(P.r) still readable */
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s039_every_write_rearms_et_pipe(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_R, p.r, IN | ET, 1);
    assert_int_equal(tpipe_write(&p, 1), 1);
    vt_expect_events(ep, 8, {1, IN});
    assert_int_equal(tpipe_write(&p, 1), 1); /* data NOT read */
    vt_expect_events(ep, 8, {1, IN});
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s039_every_write_rearms_et_socket(void **state)
{
    (void)state;
    et_socket_writes(2);
}

static void s039_every_write_rearms_et_counter(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tefd f;
    assert_int_equal(tefd_init(&f, 0, false), 0);
    VT_ADD(ep, VT_FD_F, f.src, IN | ET, 1);
    assert_int_equal(tefd_write(&f, 1), 0);
    vt_expect_events(ep, 8, {1, IN});
    assert_int_equal(tefd_write(&f, 1), 0);
    vt_expect_events(ep, 8, {1, IN});
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tefd_destroy(&f);
}

static void s040_et_counter_write_of_zero(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tefd f;
    uint64_t v = 0;
    assert_int_equal(tefd_init(&f, 0, false), 0);
    VT_ADD(ep, VT_FD_F, f.src, IN | ET, 1);
    assert_int_equal(tefd_write(&f, 3), 0);
    vt_expect_events(ep, 8, {1, IN});
    assert_int_equal(tefd_write(&f, 0), 0); /* counter still 3: new edge */
    vt_expect_events(ep, 8, {1, IN});
    vt_expect_none(ep, 8);
    assert_int_equal(tefd_read(&f, &v), 0);
    assert_int_equal(v, 3);
    assert_int_equal(tefd_write(&f, 0), 0); /* counter 0: not readable */
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tefd_destroy(&f);
}

static void s041_et_vanished_readiness_dropped(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_R, p.r, IN | ET, 1);
    assert_int_equal(tpipe_write(&p, 1), 1);
    assert_int_equal(tpipe_drain(&p), 1);
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s041_et_vanished_counter_readiness_dropped(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tefd f;
    uint64_t v = 0;
    assert_int_equal(tefd_init(&f, 0, false), 0);
    VT_ADD(ep, VT_FD_F, f.src, IN | ET, 1);
    assert_int_equal(tefd_write(&f, 1), 0);
    assert_int_equal(tefd_read(&f, &v), 0);
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tefd_destroy(&f);
}

static void s042_et_readiness_present_at_add_read_end(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    assert_int_equal(tpipe_write(&p, 1), 1);
    VT_ADD(ep, VT_FD_R, p.r, IN | ET, 1);
    vt_expect_events(ep, 8, {1, IN});
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s042_et_readiness_present_at_add_write_end(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_W, p.w, OUT | ET, 2);
    vt_expect_events(ep, 8, {2, OUT});
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s043_et_reports_all_ready_requested_bits(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    VT_ADD(ep, VT_FD_A, s.end[0], OUT | ET, 1);
    vt_expect_events(ep, 8, {1, OUT});
    VT_MOD(ep, VT_FD_A, s.end[0], IN | OUT | VEPOLL_RDHUP | ET, 1);
    vt_expect_events(ep, 8, {1, OUT});
    assert_int_equal(tsock_write(&s, 1, 1), 1);
    vt_expect_events(ep, 8, {1, IN | OUT});
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tsock_destroy(&s);
}

static void s044_et_edges_are_per_event_kind(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    VT_ADD(ep, VT_FD_A, s.end[0], IN | ET, 1);
    assert_int_equal(tsock_write(&s, 1, 1), 1);
    vt_expect_events(ep, 8, {1, IN}); /* 1 byte stays unread in S.a */
    assert_int_equal(tsock_write(&s, 0, 1), 1);
    assert_int_equal(tsock_read(&s, 1, 1), 1); /* OUT-kind wake-up on S.a */
    vt_expect_none(ep, 8);
    VT_MOD(ep, VT_FD_A, s.end[0], IN | OUT | ET, 1);
    vt_expect_events(ep, 8, {1, IN | OUT});
    vt_expect_none(ep, 8);
    assert_int_equal(tsock_write(&s, 0, 1), 1);
    vt_expect_none(ep, 8); /* a write by S.a wakes S.b only */
    assert_int_equal(tsock_read(&s, 1, 1), 1);
    vt_expect_events(ep, 8, {1, IN | OUT});
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tsock_destroy(&s);
}

static void s045_et_out_edges_on_pipe(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_W, p.w, OUT | ET, 1);
    vt_expect_events(ep, 8, {1, OUT});
    assert_int_equal(tpipe_write(&p, 1), 1);
    vt_expect_none(ep, 8);
    assert_int_equal(tpipe_read(&p, 1), 1); /* pipe was not full */
    vt_expect_none(ep, 8);
    assert_int_equal(tpipe_fill(&p), (ssize_t)TPIPE_DEFAULT_CAP);
    vt_expect_none(ep, 8);
    assert_int_equal(tpipe_read(&p, 4096), 4096);
    vt_expect_events(ep, 8, {1, OUT});
    assert_int_equal(tpipe_read(&p, 1), 1);
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s046_et_out_edges_on_socket(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    VT_ADD(ep, VT_FD_A, s.end[0], OUT | ET, 1);
    vt_expect_events(ep, 8, {1, OUT});
    assert_int_equal(tsock_write(&s, 0, 1), 1);
    vt_expect_none(ep, 8);
    assert_int_equal(tsock_read(&s, 1, 1), 1);
    vt_expect_events(ep, 8, {1, OUT});
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tsock_destroy(&s);
}

static void s046_et_out_edges_on_counter(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tefd f;
    uint64_t v = 0;
    assert_int_equal(tefd_init(&f, 0, false), 0);
    VT_ADD(ep, VT_FD_F, f.src, OUT | ET, 1);
    vt_expect_events(ep, 8, {1, OUT});
    assert_int_equal(tefd_write(&f, 5), 0); /* IN-kind wake-up */
    vt_expect_none(ep, 8);
    assert_int_equal(tefd_read(&f, &v), 0);
    assert_int_equal(v, 5);
    vt_expect_events(ep, 8, {1, OUT});
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tefd_destroy(&f);
}

static void s046_et_in_out_edges_on_counter(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tefd f;
    uint64_t v = 0;
    assert_int_equal(tefd_init(&f, 0, false), 0);
    VT_ADD(ep, VT_FD_F, f.src, IN | OUT | ET, 1);
    vt_expect_events(ep, 8, {1, OUT});
    vt_expect_none(ep, 8);
    assert_int_equal(tefd_write(&f, 1), 0);
    vt_expect_events(ep, 8, {1, IN | OUT});
    vt_expect_none(ep, 8);
    assert_int_equal(tefd_read(&f, &v), 0);
    vt_expect_events(ep, 8, {1, OUT});
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tefd_destroy(&f);
}

static void s047_et_few_slots_lose_nothing(void **state)
{
    (void)state;
    enum { N = 10 };
    vepoll_t *ep = vt_new_ep();
    tpipe p[N];
    int seen[N] = {0};
    struct vepoll_event ev[3];
    const int expect_counts[] = {3, 3, 3, 1, 0, 0};
    for (int i = 0; i < N; i++) {
        assert_int_equal(tpipe_init(&p[i], 0), 0);
        VT_ADD(ep, 10 + i, p[i].r, IN | ET, (uint64_t)i);
    }
    for (int i = 0; i < N; i++)
        assert_int_equal(tpipe_write(&p[i], 1), 1);
    for (size_t call = 0; call < sizeof expect_counts / sizeof expect_counts[0]; call++) {
        int n = vt_poll(ep, ev, 3);
        assert_int_equal(n, expect_counts[call]);
        for (int k = 0; k < n; k++) {
            assert_true(ev[k].data.u64 < N);
            assert_int_equal(ev[k].events, IN);
            seen[ev[k].data.u64]++;
        }
    }
    for (int i = 0; i < N; i++)
        assert_int_equal(seen[i], 1);
    vt_free_ep(ep);
    for (int i = 0; i < N; i++)
        tpipe_destroy(&p[i]);
}

static void s048_et_mod_reevaluates_readiness(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    VT_ADD(ep, VT_FD_A, s.end[0], OUT | ET, 1);
    vt_expect_events(ep, 8, {1, OUT});
    vt_expect_none(ep, 8);
    VT_MOD(ep, VT_FD_A, s.end[0], IN | OUT | VEPOLL_RDHUP | ET, 1);
    vt_expect_events(ep, 8, {1, OUT});
    VT_MOD(ep, VT_FD_A, s.end[0], IN | OUT | VEPOLL_RDHUP | ET, 1); /* identical mask */
    vt_expect_events(ep, 8, {1, OUT});
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tsock_destroy(&s);
}

static void s048_et_mod_after_drain_reports_nothing(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_R, p.r, IN | ET, 1);
    assert_int_equal(tpipe_write(&p, 1), 1);
    vt_expect_events(ep, 8, {1, IN});
    assert_int_equal(tpipe_drain(&p), 1);
    VT_MOD(ep, VT_FD_R, p.r, IN | ET, 1);
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s049_et_del_add_reevaluates(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    VT_ADD(ep, VT_FD_A, s.end[0], IN | ET, 1);
    assert_int_equal(tsock_write(&s, 1, 1), 1);
    vt_expect_events(ep, 8, {1, IN});
    VT_DEL(ep, VT_FD_A, s.end[0]);
    VT_ADD(ep, VT_FD_A, s.end[0], IN | ET, 7);
    vt_expect_events(ep, 8, {7, IN});
    vt_expect_none(ep, 8);
    VT_DEL(ep, VT_FD_A, s.end[0]);
    assert_int_equal(tsock_read(&s, 0, 16), 1);
    VT_ADD(ep, VT_FD_A, s.end[0], IN | ET, 8);
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tsock_destroy(&s);
}

static void s050_et_hangup_reported_once(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_R, p.r, ET, 1);
    tpipe_close_w(&p);
    vt_expect_events(ep, 8, {1, VEPOLL_HUP});
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

static void s051_lt_et_switching_via_mod(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    VT_ADD(ep, VT_FD_A, s.end[0], IN, 1);
    assert_int_equal(tsock_write(&s, 1, 1), 1); /* LT entry pending */
    VT_MOD(ep, VT_FD_A, s.end[0], IN | ET, 2);
    vt_expect_events(ep, 8, {2, IN});
    vt_expect_none(ep, 8);
    VT_MOD(ep, VT_FD_A, s.end[0], IN, 3);
    vt_expect_events(ep, 8, {3, IN});
    vt_expect_events(ep, 8, {3, IN});
    vt_free_ep(ep);
    tsock_destroy(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(s036_et_basic_socket),
        cmocka_unit_test(s037_et_two_writes_coalesce),
        cmocka_unit_test(s038_et_partial_read_does_not_rearm),
        cmocka_unit_test(s039_every_write_rearms_et_pipe),
        cmocka_unit_test(s039_every_write_rearms_et_socket),
        cmocka_unit_test(s039_every_write_rearms_et_counter),
        cmocka_unit_test(s040_et_counter_write_of_zero),
        cmocka_unit_test(s041_et_vanished_readiness_dropped),
        cmocka_unit_test(s041_et_vanished_counter_readiness_dropped),
        cmocka_unit_test(s042_et_readiness_present_at_add_read_end),
        cmocka_unit_test(s042_et_readiness_present_at_add_write_end),
        cmocka_unit_test(s043_et_reports_all_ready_requested_bits),
        cmocka_unit_test(s044_et_edges_are_per_event_kind),
        cmocka_unit_test(s045_et_out_edges_on_pipe),
        cmocka_unit_test(s046_et_out_edges_on_socket),
        cmocka_unit_test(s046_et_out_edges_on_counter),
        cmocka_unit_test(s046_et_in_out_edges_on_counter),
        cmocka_unit_test(s047_et_few_slots_lose_nothing),
        cmocka_unit_test(s048_et_mod_reevaluates_readiness),
        cmocka_unit_test(s048_et_mod_after_drain_reports_nothing),
        cmocka_unit_test(s049_et_del_add_reevaluates),
        cmocka_unit_test(s050_et_hangup_reported_once),
        cmocka_unit_test(s051_lt_et_switching_via_mod),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
