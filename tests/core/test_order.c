/* Ordering and fairness: docs/SEMANTICS.md S075-S082. */
#include "vtest.h"

#define IN VEPOLL_IN
#define MAXP 18

struct pipes {
    vepoll_t *ep;
    int n;
    tpipe p[MAXP];
};

/* n pipes; pipe i registered (fd 10+i, cookie i) with `mask`, in index order
 * unless add is false. */
static void pipes_init(struct pipes *ps, int n, uint32_t mask, bool add)
{
    ps->ep = vt_new_ep();
    ps->n = n;
    for (int i = 0; i < n; i++) {
        assert_int_equal(tpipe_init(&ps->p[i], 0), 0);
        if (add)
            VT_ADD(ps->ep, 10 + i, ps->p[i].r, mask, (uint64_t)i);
    }
}

static void pipes_free(struct pipes *ps)
{
    vt_free_ep(ps->ep);
    for (int i = 0; i < ps->n; i++)
        tpipe_destroy(&ps->p[i]);
}

static void w1(struct pipes *ps, int i)
{
    assert_int_equal(tpipe_write(&ps->p[i], 1), 1);
}

static void s075_maxevents_cap_no_duplicates(void **state)
{
    (void)state;
    struct pipes ps;
    struct vepoll_event ev[3];
    int seen[MAXP] = {0};
    const int counts[] = {3, 3, 3, 3, 1, 0};
    pipes_init(&ps, 13, IN, true);
    /* 5 quiet pipes with cookies >= 100 */
    for (int i = 13; i < 18; i++) {
        assert_int_equal(tpipe_init(&ps.p[i], 0), 0);
        VT_ADD(ps.ep, 10 + i, ps.p[i].r, IN, (uint64_t)(100 + i));
    }
    ps.n = 18;
    for (int i = 0; i < 13; i++)
        w1(&ps, i);
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        int n = vt_poll(ps.ep, ev, 3);
        assert_int_equal(n, counts[c]);
        for (int k = 0; k < n; k++) {
            uint64_t ck = ev[k].data.u64;
            assert_true(ck < 13);
            assert_int_equal(ev[k].events, IN);
            seen[ck]++;
            assert_int_equal(tpipe_read(&ps.p[ck], 1), 1);
        }
    }
    for (int i = 0; i < 13; i++)
        assert_int_equal(seen[i], 1);
    pipes_free(&ps);
}

static void s076_round_robin_for_sources_that_stay_ready(void **state)
{
    (void)state;
    struct pipes ps;
    struct vepoll_event ev[3];
    int seen[13] = {0};
    int total = 0;
    pipes_init(&ps, 13, IN, true);
    for (int i = 0; i < 13; i++)
        w1(&ps, i);
    for (int call = 0; call < 18; call++) {
        int n = vt_poll(ps.ep, ev, 3);
        assert_int_equal(n, 3);
        for (int k = 0; k < n; k++) {
            assert_true(ev[k].data.u64 < 13);
            if (total < 52)
                seen[ev[k].data.u64]++;
            total++;
        }
    }
    for (int i = 0; i < 13; i++)
        assert_int_equal(seen[i], 4);
    pipes_free(&ps);
}

/* S077 steps on pipes 0..4: write to 3, 0, 4, 1; two full waits. */
static void s077_steps(struct pipes *ps)
{
    pipes_init(ps, 5, IN, true);
    w1(ps, 3);
    w1(ps, 0);
    w1(ps, 4);
    w1(ps, 1);
    vt_expect_events(ps->ep, 8, {3, IN}, {0, IN}, {4, IN}, {1, IN});
    vt_expect_events(ps->ep, 8, {3, IN}, {0, IN}, {4, IN}, {1, IN});
}

/* S078 steps (after S077). */
static void s078_steps(struct pipes *ps)
{
    vt_expect_events(ps->ep, 1, {3, IN});
    vt_expect_events(ps->ep, 1, {0, IN});
    vt_expect_events(ps->ep, 1, {4, IN});
    vt_expect_events(ps->ep, 1, {1, IN});
    vt_expect_events(ps->ep, 1, {3, IN});
    vt_expect_events(ps->ep, 3, {0, IN}, {4, IN}, {1, IN});
    vt_expect_events(ps->ep, 3, {3, IN}, {0, IN}, {4, IN});
}

static void s077_fifo_order_of_becoming_ready(void **state)
{
    (void)state;
    struct pipes ps;
    s077_steps(&ps);
    pipes_free(&ps);
}

static void s078_reported_lt_entries_move_to_tail(void **state)
{
    (void)state;
    struct pipes ps;
    s077_steps(&ps);
    s078_steps(&ps);
    pipes_free(&ps);
}

static void s079_new_readiness_on_queued_entry_keeps_place(void **state)
{
    (void)state;
    struct pipes ps;
    s077_steps(&ps);
    s078_steps(&ps); /* queue order now 1, 3, 0, 4 */
    w1(&ps, 3);
    vt_expect_events(ps.ep, 8, {1, IN}, {3, IN}, {0, IN}, {4, IN});
    pipes_free(&ps);
}

static void s080_ready_at_add_queued_in_add_order(void **state)
{
    (void)state;
    struct pipes ps;
    pipes_init(&ps, 5, IN, false);
    for (int i = 0; i < 5; i++)
        w1(&ps, i);
    for (int i = 4; i >= 0; i--)
        VT_ADD(ps.ep, 10 + i, ps.p[i].r, IN, (uint64_t)i);
    vt_expect_events(ps.ep, 8, {4, IN}, {3, IN}, {2, IN}, {1, IN}, {0, IN});
    pipes_free(&ps);
}

static void s081_et_queue_order_with_partial_collection(void **state)
{
    (void)state;
    struct pipes ps;
    pipes_init(&ps, 5, IN | VEPOLL_ET, true);
    w1(&ps, 2);
    w1(&ps, 0);
    w1(&ps, 4);
    vt_expect_events(ps.ep, 1, {2, IN});
    vt_expect_events(ps.ep, 1, {0, IN});
    w1(&ps, 2);
    vt_expect_events(ps.ep, 1, {4, IN});
    vt_expect_events(ps.ep, 8, {2, IN});
    vt_expect_none(ps.ep, 8);
    pipes_free(&ps);
}

static void s082_queued_lt_entry_whose_readiness_vanished_is_skipped(void **state)
{
    (void)state;
    struct pipes ps;
    pipes_init(&ps, 4, IN, true);
    w1(&ps, 1);
    w1(&ps, 2);
    w1(&ps, 3);
    assert_int_equal(tpipe_drain(&ps.p[2]), 1);
    vt_expect_events(ps.ep, 8, {1, IN}, {3, IN});
    pipes_free(&ps);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(s075_maxevents_cap_no_duplicates),
        cmocka_unit_test(s076_round_robin_for_sources_that_stay_ready),
        cmocka_unit_test(s077_fifo_order_of_becoming_ready),
        cmocka_unit_test(s078_reported_lt_entries_move_to_tail),
        cmocka_unit_test(s079_new_readiness_on_queued_entry_keeps_place),
        cmocka_unit_test(s080_ready_at_add_queued_in_add_order),
        cmocka_unit_test(s081_et_queue_order_with_partial_collection),
        cmocka_unit_test(s082_queued_lt_entry_whose_readiness_vanished_is_skipped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
