/* Edge-triggered readiness: epoll-semantics.md S036-S051. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#define IN VEPOLL_IN
#define OUT VEPOLL_OUT
#define ET VEPOLL_ET

/* ET socket: each of `writes` one-byte writes (data never read) reports IN
 * once; then nothing. */
static void et_socket_writes(int writes)
{
    vepoll_t *ep = new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    ADD(ep, FD_A, s.end[0], IN | ET, 1);
    for (int i = 0; i < writes; i++) {
        assert_int_equal(tsock_write(&s, 1, 1), 1);
        expect_events(ep, 8, {1, IN});
    }
    expect_none(ep, 8);
    free_ep(ep);
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
    vepoll_t *ep = new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    ADD(ep, FD_R, p.r, IN | ET, 1);
    assert_int_equal(tpipe_write(&p, 1), 1);
    assert_int_equal(tpipe_write(&p, 1), 1);
    expect_events(ep, 8, {1, IN});
    expect_none(ep, 8);
    free_ep(ep);
    tpipe_destroy(&p);
}

static void s038_et_partial_read_does_not_rearm(void **state)
{
    (void)state;
    vepoll_t *ep = new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    ADD(ep, FD_R, p.r, IN | ET, 1);
    assert_int_equal(tpipe_write(&p, 2), 2);
    expect_events(ep, 8, {1, IN});
    assert_int_equal(tpipe_read(&p, 1), 1);
    expect_none(ep, 8);
    assert_true(vepoll_source_ready(p.r) & IN); /* poll(P.r) still readable */
    free_ep(ep);
    tpipe_destroy(&p);
}

static void s039_every_write_rearms_et_pipe(void **state)
{
    (void)state;
    vepoll_t *ep = new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    ADD(ep, FD_R, p.r, IN | ET, 1);
    assert_int_equal(tpipe_write(&p, 1), 1);
    expect_events(ep, 8, {1, IN});
    assert_int_equal(tpipe_write(&p, 1), 1); /* data NOT read */
    expect_events(ep, 8, {1, IN});
    expect_none(ep, 8);
    free_ep(ep);
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
    vepoll_t *ep = new_ep();
    tefd f;
    assert_int_equal(tefd_init(&f, 0, false), 0);
    ADD(ep, FD_F, f.src, IN | ET, 1);
    assert_int_equal(tefd_write(&f, 1), 0);
    expect_events(ep, 8, {1, IN});
    assert_int_equal(tefd_write(&f, 1), 0);
    expect_events(ep, 8, {1, IN});
    expect_none(ep, 8);
    free_ep(ep);
    tefd_destroy(&f);
}

static void s040_et_counter_write_of_zero(void **state)
{
    (void)state;
    vepoll_t *ep = new_ep();
    tefd f;
    uint64_t v = 0;
    assert_int_equal(tefd_init(&f, 0, false), 0);
    ADD(ep, FD_F, f.src, IN | ET, 1);
    assert_int_equal(tefd_write(&f, 3), 0);
    expect_events(ep, 8, {1, IN});
    assert_int_equal(tefd_write(&f, 0), 0); /* counter still 3: new edge */
    expect_events(ep, 8, {1, IN});
    expect_none(ep, 8);
    assert_int_equal(tefd_read(&f, &v), 0);
    assert_int_equal(v, 3);
    assert_int_equal(tefd_write(&f, 0), 0); /* counter 0: not readable */
    expect_none(ep, 8);
    free_ep(ep);
    tefd_destroy(&f);
}

static void s041_et_vanished_readiness_dropped(void **state)
{
    (void)state;
    vepoll_t *ep = new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    ADD(ep, FD_R, p.r, IN | ET, 1);
    assert_int_equal(tpipe_write(&p, 1), 1);
    assert_int_equal(tpipe_drain(&p), 1);
    expect_none(ep, 8);
    free_ep(ep);
    tpipe_destroy(&p);
}

static void s041_et_vanished_counter_readiness_dropped(void **state)
{
    (void)state;
    vepoll_t *ep = new_ep();
    tefd f;
    uint64_t v = 0;
    assert_int_equal(tefd_init(&f, 0, false), 0);
    ADD(ep, FD_F, f.src, IN | ET, 1);
    assert_int_equal(tefd_write(&f, 1), 0);
    assert_int_equal(tefd_read(&f, &v), 0);
    expect_none(ep, 8);
    free_ep(ep);
    tefd_destroy(&f);
}

static void s042_et_readiness_present_at_add_read_end(void **state)
{
    (void)state;
    vepoll_t *ep = new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    assert_int_equal(tpipe_write(&p, 1), 1);
    ADD(ep, FD_R, p.r, IN | ET, 1);
    expect_events(ep, 8, {1, IN});
    expect_none(ep, 8);
    free_ep(ep);
    tpipe_destroy(&p);
}

static void s042_et_readiness_present_at_add_write_end(void **state)
{
    (void)state;
    vepoll_t *ep = new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    ADD(ep, FD_W, p.w, OUT | ET, 2);
    expect_events(ep, 8, {2, OUT});
    expect_none(ep, 8);
    free_ep(ep);
    tpipe_destroy(&p);
}

static void s043_et_reports_all_ready_requested_bits(void **state)
{
    (void)state;
    vepoll_t *ep = new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    ADD(ep, FD_A, s.end[0], OUT | ET, 1);
    expect_events(ep, 8, {1, OUT});
    MOD(ep, FD_A, s.end[0], IN | OUT | VEPOLL_RDHUP | ET, 1);
    expect_events(ep, 8, {1, OUT});
    assert_int_equal(tsock_write(&s, 1, 1), 1);
    expect_events(ep, 8, {1, IN | OUT});
    expect_none(ep, 8);
    free_ep(ep);
    tsock_destroy(&s);
}

static void s044_et_edges_are_per_event_kind(void **state)
{
    (void)state;
    vepoll_t *ep = new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    ADD(ep, FD_A, s.end[0], IN | ET, 1);
    assert_int_equal(tsock_write(&s, 1, 1), 1);
    expect_events(ep, 8, {1, IN}); /* 1 byte stays unread in S.a */
    assert_int_equal(tsock_write(&s, 0, 1), 1);
    assert_int_equal(tsock_read(&s, 1, 1), 1); /* OUT-kind wake-up on S.a */
    expect_none(ep, 8);
    MOD(ep, FD_A, s.end[0], IN | OUT | ET, 1);
    expect_events(ep, 8, {1, IN | OUT});
    expect_none(ep, 8);
    assert_int_equal(tsock_write(&s, 0, 1), 1);
    expect_none(ep, 8); /* a write by S.a wakes S.b only */
    assert_int_equal(tsock_read(&s, 1, 1), 1);
    expect_events(ep, 8, {1, IN | OUT});
    expect_none(ep, 8);
    free_ep(ep);
    tsock_destroy(&s);
}

static void s045_et_out_edges_on_pipe(void **state)
{
    (void)state;
    vepoll_t *ep = new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    ADD(ep, FD_W, p.w, OUT | ET, 1);
    expect_events(ep, 8, {1, OUT});
    assert_int_equal(tpipe_write(&p, 1), 1);
    expect_none(ep, 8);
    assert_int_equal(tpipe_read(&p, 1), 1); /* pipe was not full */
    expect_none(ep, 8);
    assert_int_equal(tpipe_fill(&p), (ssize_t)TPIPE_DEFAULT_CAP);
    expect_none(ep, 8);
    assert_int_equal(tpipe_read(&p, 4096), 4096);
    expect_events(ep, 8, {1, OUT});
    assert_int_equal(tpipe_read(&p, 1), 1);
    expect_none(ep, 8);
    free_ep(ep);
    tpipe_destroy(&p);
}

static void s046_et_out_edges_on_socket(void **state)
{
    (void)state;
    vepoll_t *ep = new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    ADD(ep, FD_A, s.end[0], OUT | ET, 1);
    expect_events(ep, 8, {1, OUT});
    assert_int_equal(tsock_write(&s, 0, 1), 1);
    expect_none(ep, 8);
    assert_int_equal(tsock_read(&s, 1, 1), 1);
    expect_events(ep, 8, {1, OUT});
    expect_none(ep, 8);
    free_ep(ep);
    tsock_destroy(&s);
}

static void s046_et_out_edges_on_counter(void **state)
{
    (void)state;
    vepoll_t *ep = new_ep();
    tefd f;
    uint64_t v = 0;
    assert_int_equal(tefd_init(&f, 0, false), 0);
    ADD(ep, FD_F, f.src, OUT | ET, 1);
    expect_events(ep, 8, {1, OUT});
    assert_int_equal(tefd_write(&f, 5), 0); /* IN-kind wake-up */
    expect_none(ep, 8);
    assert_int_equal(tefd_read(&f, &v), 0);
    assert_int_equal(v, 5);
    expect_events(ep, 8, {1, OUT});
    expect_none(ep, 8);
    free_ep(ep);
    tefd_destroy(&f);
}

static void s046_et_in_out_edges_on_counter(void **state)
{
    (void)state;
    vepoll_t *ep = new_ep();
    tefd f;
    uint64_t v = 0;
    assert_int_equal(tefd_init(&f, 0, false), 0);
    ADD(ep, FD_F, f.src, IN | OUT | ET, 1);
    expect_events(ep, 8, {1, OUT});
    expect_none(ep, 8);
    assert_int_equal(tefd_write(&f, 1), 0);
    expect_events(ep, 8, {1, IN | OUT});
    expect_none(ep, 8);
    assert_int_equal(tefd_read(&f, &v), 0);
    expect_events(ep, 8, {1, OUT});
    expect_none(ep, 8);
    free_ep(ep);
    tefd_destroy(&f);
}

static void s047_et_few_slots_lose_nothing(void **state)
{
    (void)state;
    enum { N = 10 };
    vepoll_t *ep = new_ep();
    tpipe p[N];
    int seen[N] = {0};
    struct vepoll_event ev[3];
    const int expect_counts[] = {3, 3, 3, 1, 0, 0};
    for (int i = 0; i < N; i++) {
        assert_int_equal(tpipe_init(&p[i], 0), 0);
        ADD(ep, 10 + i, p[i].r, IN | ET, (uint64_t)i);
    }
    for (int i = 0; i < N; i++)
        assert_int_equal(tpipe_write(&p[i], 1), 1);
    for (size_t call = 0; call < sizeof expect_counts / sizeof expect_counts[0]; call++) {
        int n = wait0(ep, ev, 3);
        assert_int_equal(n, expect_counts[call]);
        for (int k = 0; k < n; k++) {
            assert_true(ev[k].data.u64 < N);
            assert_int_equal(ev[k].events, IN);
            seen[ev[k].data.u64]++;
        }
    }
    for (int i = 0; i < N; i++)
        assert_int_equal(seen[i], 1);
    free_ep(ep);
    for (int i = 0; i < N; i++)
        tpipe_destroy(&p[i]);
}

static void s048_et_mod_reevaluates_readiness(void **state)
{
    (void)state;
    vepoll_t *ep = new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    ADD(ep, FD_A, s.end[0], OUT | ET, 1);
    expect_events(ep, 8, {1, OUT});
    expect_none(ep, 8);
    MOD(ep, FD_A, s.end[0], IN | OUT | VEPOLL_RDHUP | ET, 1);
    expect_events(ep, 8, {1, OUT});
    MOD(ep, FD_A, s.end[0], IN | OUT | VEPOLL_RDHUP | ET, 1); /* identical mask */
    expect_events(ep, 8, {1, OUT});
    expect_none(ep, 8);
    free_ep(ep);
    tsock_destroy(&s);
}

static void s048_et_mod_after_drain_reports_nothing(void **state)
{
    (void)state;
    vepoll_t *ep = new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    ADD(ep, FD_R, p.r, IN | ET, 1);
    assert_int_equal(tpipe_write(&p, 1), 1);
    expect_events(ep, 8, {1, IN});
    assert_int_equal(tpipe_drain(&p), 1);
    MOD(ep, FD_R, p.r, IN | ET, 1);
    expect_none(ep, 8);
    free_ep(ep);
    tpipe_destroy(&p);
}

static void s049_et_del_add_reevaluates(void **state)
{
    (void)state;
    vepoll_t *ep = new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    ADD(ep, FD_A, s.end[0], IN | ET, 1);
    assert_int_equal(tsock_write(&s, 1, 1), 1);
    expect_events(ep, 8, {1, IN});
    DEL(ep, FD_A, s.end[0]);
    ADD(ep, FD_A, s.end[0], IN | ET, 7);
    expect_events(ep, 8, {7, IN});
    expect_none(ep, 8);
    DEL(ep, FD_A, s.end[0]);
    assert_int_equal(tsock_read(&s, 0, 16), 1);
    ADD(ep, FD_A, s.end[0], IN | ET, 8);
    expect_none(ep, 8);
    free_ep(ep);
    tsock_destroy(&s);
}

static void s050_et_hangup_reported_once(void **state)
{
    (void)state;
    vepoll_t *ep = new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    ADD(ep, FD_R, p.r, ET, 1);
    tpipe_close_w(&p);
    expect_events(ep, 8, {1, VEPOLL_HUP});
    expect_none(ep, 8);
    free_ep(ep);
    tpipe_destroy(&p);
}

static void s051_lt_et_switching_via_mod(void **state)
{
    (void)state;
    vepoll_t *ep = new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    ADD(ep, FD_A, s.end[0], IN, 1);
    assert_int_equal(tsock_write(&s, 1, 1), 1); /* LT entry pending */
    MOD(ep, FD_A, s.end[0], IN | ET, 2);
    expect_events(ep, 8, {2, IN});
    expect_none(ep, 8);
    MOD(ep, FD_A, s.end[0], IN, 3);
    expect_events(ep, 8, {3, IN});
    expect_events(ep, 8, {3, IN});
    free_ep(ep);
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
