/*
 * Nested instances (S116-S131): an inner instance I is registered in an
 * outer O with vepoll_ctl(O, ADD, fd, vepoll_as_source(I), &ev).  Depth
 * limit (5 instances on a path) and cycles give -ELOOP; the LT/ET matrix
 * S121; auto-removal on vepoll_close (S127); threaded S128-S130.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "vtest.h"

static vepoll_source_t *as(vepoll_t *ep) { return vepoll_as_source(ep); }

/* ADD(outer, inner) with fd = 100 + index and the given mask/cookie */
static int nest(vepoll_t *outer, vepoll_t *inner, uint32_t mask, uint64_t cookie)
{
    return vt_add(outer, 100, as(inner), mask, cookie);
}

/* ---- S116, S117 ------------------------------------------------------------ */

static void test_s116_inner_readiness_propagates_as_in(void **state)
{
    struct vt_fx *f = *state;
    vepoll_t *I = f->ep[0], *O = f->ep[1];
    assert_int_equal(vt_add(I, 3, f->s, VEPOLL_IN | VEPOLL_OUT, 1), 0);
    assert_int_equal(nest(O, I, VEPOLL_IN, 2), 0);
    assert_int_equal(vt_poll1(O), 0);
    assert_int_equal(vepoll_source_ready(as(I)) & (VEPOLL_IN | VEPOLL_RDNORM), 0);
    vepoll_source_update(f->s, VEPOLL_IN | VEPOLL_OUT, 0);
    vt_expect1(O, VEPOLL_IN, 2);
    /* the instance-as-source is IN|RDNORM ready, never anything else */
    assert_int_equal(vepoll_source_ready(as(I)), VEPOLL_IN | VEPOLL_RDNORM);
    assert_int_equal(vt_mod(O, 100, as(I), VEPOLL_IN | VEPOLL_RDNORM | VEPOLL_OUT, 3), 0);
    vt_expect1(O, VEPOLL_IN | VEPOLL_RDNORM, 3);
}

static void test_s117_outer_mask_must_contain_in(void **state)
{
    struct vt_fx *f = *state;
    vepoll_t *I = f->ep[0], *O = f->ep[1];
    vepoll_source_update(f->s, VEPOLL_OUT, 0);
    assert_int_equal(vt_add(I, 3, f->s, VEPOLL_IN | VEPOLL_OUT, 1), 0);
    assert_int_equal(nest(O, I, VEPOLL_OUT, 2), 0);
    assert_int_equal(vt_poll1(O), 0);
    struct vepoll_event out[1];
    assert_int_equal(vepoll_wait(O, out, 1, 50 * VT_MS), 0);
    vepoll_source_update(f->s, VEPOLL_OUT, 0);
    assert_int_equal(vt_poll1(O), 0);
    assert_int_equal(vt_mod(O, 100, as(I), VEPOLL_IN | VEPOLL_OUT | VEPOLL_PRI | VEPOLL_RDHUP, 4), 0);
    vt_expect1(O, VEPOLL_IN, 4);
}

/* ---- S118: depth limit ------------------------------------------------------ */

static void test_s118_depth_limit_bottom_up_with_leaf(void **state)
{
    struct vt_fx *f = *state;
    vepoll_t **E = f->ep; /* E[0] innermost */
    assert_int_equal(vt_add(E[0], 3, f->s, VEPOLL_IN, 0), 0);
    for (int i = 1; i < 5; i++)
        assert_int_equal(nest(E[i], E[i - 1], VEPOLL_IN, (uint64_t)i), 0);
    assert_int_equal(nest(E[5], E[4], VEPOLL_IN, 5), -ELOOP);
    assert_int_equal(vt_del(E[5], 100, as(E[4])), -ENOENT); /* nothing registered */
    /* the chain still works */
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    vt_expect1(E[4], VEPOLL_IN, 4);
}

static void test_s118_depth_limit_pure_instance_chain(void **state)
{
    struct vt_fx *f = *state;
    vepoll_t **E = f->ep;
    for (int i = 1; i < 5; i++)
        assert_int_equal(nest(E[i], E[i - 1], VEPOLL_IN, (uint64_t)i), 0);
    assert_int_equal(nest(E[5], E[4], VEPOLL_IN | VEPOLL_ET, 5), -ELOOP);
    assert_int_equal(nest(E[5], E[4], VEPOLL_IN, 5), -ELOOP);
}

static void test_s118_depth_limit_top_down(void **state)
{
    struct vt_fx *f = *state;
    vepoll_t **E = f->ep; /* E[0] outermost */
    for (int i = 0; i < 4; i++)
        assert_int_equal(nest(E[i], E[i + 1], VEPOLL_IN, (uint64_t)i), 0);
    assert_int_equal(nest(E[4], E[5], VEPOLL_IN, 9), -ELOOP);
    assert_int_equal(vt_add(E[4], 3, f->s, VEPOLL_IN, 44), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    vt_expect1(E[0], VEPOLL_IN, 0);
    vt_expect1(E[4], VEPOLL_IN, 44);
}

static void test_s118_depth_limit_joining_two_chains(void **state)
{
    struct vt_fx *f = *state;
    vepoll_t **E = f->ep;
    /* E0 > E1 > E2 and E3 > E4 > E5: joining E2 > E3 gives 6 on a path */
    assert_int_equal(nest(E[0], E[1], VEPOLL_IN, 0), 0);
    assert_int_equal(nest(E[1], E[2], VEPOLL_IN, 0), 0);
    assert_int_equal(nest(E[3], E[4], VEPOLL_IN, 0), 0);
    assert_int_equal(nest(E[4], E[5], VEPOLL_IN, 0), 0);
    assert_int_equal(nest(E[2], E[3], VEPOLL_IN, 0), -ELOOP);
    /* E1 > E4 makes paths E0 E1 E4 E5 (4): fine */
    assert_int_equal(vt_add(E[1], 101, as(E[4]), VEPOLL_IN, 0), 0);
    /* now E2 > E3 would also give E0 E1 E2 E3 E4 E5: still ELOOP */
    assert_int_equal(nest(E[2], E[3], VEPOLL_IN, 0), -ELOOP);
    /* E2 > E5 gives E0 E1 E2 E5 (4): fine */
    assert_int_equal(vt_add(E[2], 102, as(E[5]), VEPOLL_IN, 0), 0);
}

/* ---- S119: cycles ------------------------------------------------------------ */

static void test_s119_cycles_eloop_diamond_ok(void **state)
{
    struct vt_fx *f = *state;
    vepoll_t *A = f->ep[0], *B = f->ep[1], *C = f->ep[2];
    assert_int_equal(vt_add(A, 1, as(B), VEPOLL_IN, 1), 0);
    assert_int_equal(vt_add(B, 2, as(A), VEPOLL_IN, 2), -ELOOP);
    assert_int_equal(vt_add(B, 3, as(C), VEPOLL_IN, 3), 0);
    assert_int_equal(vt_add(C, 4, as(A), VEPOLL_IN, 4), -ELOOP);
    assert_int_equal(vt_add(A, 5, as(C), VEPOLL_IN, 5), 0); /* diamond */
    assert_int_equal(vt_add(C, 6, as(B), VEPOLL_IN, 6), -ELOOP);
    assert_int_equal(vt_del(B, 2, as(A)), -ENOENT);
    assert_int_equal(vt_del(C, 4, as(A)), -ENOENT);
    /* readiness of C reaches A through both paths, as one entry each */
    assert_int_equal(vt_add(C, 7, f->s, VEPOLL_IN, 7), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    struct vepoll_event out[4];
    assert_int_equal(vepoll_wait(A, out, 4, 0), 2);
}

static void test_s119_closing_a_chain_into_a_loop(void **state)
{
    struct vt_fx *f = *state;
    vepoll_t **E = f->ep;
    assert_int_equal(vt_add(E[0], 3, f->s, VEPOLL_IN, 0), 0);
    for (int i = 1; i < 5; i++)
        assert_int_equal(nest(E[i], E[i - 1], VEPOLL_IN, (uint64_t)i), 0);
    assert_int_equal(vt_add(E[0], 7, as(E[4]), VEPOLL_IN, 9), -ELOOP);
    assert_int_equal(vt_add(E[2], 7, as(E[4]), VEPOLL_IN, 9), -ELOOP);
    assert_int_equal(vt_add(E[3], 7, as(E[4]), VEPOLL_IN, 9), -ELOOP);
    /* short chain: E5 > E6, E6 > E5 */
    assert_int_equal(nest(E[5], E[6], VEPOLL_IN, 0), 0);
    assert_int_equal(nest(E[6], E[5], VEPOLL_IN, 0), -ELOOP);
}

static void test_readd_existing_inner_eexist_not_eloop(void **state)
{
    struct vt_fx *f = *state;
    vepoll_t **E = f->ep;
    assert_int_equal(nest(E[1], E[0], VEPOLL_IN, 1), 0);
    assert_int_equal(nest(E[1], E[0], VEPOLL_IN, 2), -EEXIST);
    /* full-depth chain: re-adding any link is EEXIST, not ELOOP */
    for (int i = 2; i < 5; i++)
        assert_int_equal(nest(E[i], E[i - 1], VEPOLL_IN, (uint64_t)i), 0);
    for (int i = 1; i < 5; i++)
        assert_int_equal(nest(E[i], E[i - 1], VEPOLL_IN | VEPOLL_ET, 9), -EEXIST);
    /* the original cookie survived */
    assert_int_equal(vt_add(E[0], 3, f->s, VEPOLL_IN, 0), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    vt_expect1(E[1], VEPOLL_IN, 1);
}

static void test_inner_under_two_numbers_is_two_registrations(void **state)
{
    struct vt_fx *f = *state;
    vepoll_t *I = f->ep[0], *O = f->ep[1];
    assert_int_equal(vt_add(I, 3, f->s, VEPOLL_IN, 0), 0);
    assert_int_equal(vt_add(O, 10, as(I), VEPOLL_IN, 10), 0);
    assert_int_equal(vt_add(O, 11, as(I), VEPOLL_IN, 11), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    struct vepoll_event out[4];
    assert_int_equal(vepoll_wait(O, out, 4, 0), 2);
    assert_true(out[0].data.u64 + out[1].data.u64 == 21);
}

/* ---- S120 ---------------------------------------------------------------------- */

static void test_s120_five_level_chain_reports_at_every_level(void **state)
{
    struct vt_fx *f = *state;
    vepoll_t **E = f->ep;
    assert_int_equal(vt_add(E[0], 3, f->s, VEPOLL_IN, 1000), 0);
    for (int i = 1; i < 5; i++)
        assert_int_equal(nest(E[i], E[i - 1], VEPOLL_IN, (uint64_t)(i - 1)), 0);
    for (int i = 4; i >= 0; i--)
        assert_int_equal(vt_poll1(E[i]), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    for (int i = 4; i >= 1; i--)
        vt_expect1(E[i], VEPOLL_IN, (uint64_t)(i - 1));
    vt_expect1(E[0], VEPOLL_IN, 1000);
}

/* ---- S121: the LT/ET matrix ---------------------------------------------------- */

static void matrix(struct vt_fx *f, uint32_t o_mode, uint32_t i_mode, const int expect[5])
{
    vepoll_t *I = f->ep[0], *O = f->ep[1];
    assert_int_equal(vt_add(I, 3, f->s, VEPOLL_IN | i_mode, 1), 0);
    assert_int_equal(nest(O, I, VEPOLL_IN | o_mode, 2), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    vepoll_t *seq[5] = { O, O, I, O, I };
    int got[5];
    for (int k = 0; k < 5; k++)
        got[k] = vt_poll1(seq[k]);
    for (int k = 0; k < 5; k++)
        if (got[k] != expect[k])
            fail_msg("column %d: wait(%s) = %d, expected %d (got %d %d %d %d %d)", k + 1,
                     k == 2 || k == 4 ? "I" : "O", got[k], expect[k], got[0], got[1], got[2], got[3], got[4]);
}

static void test_s121_outer_lt_inner_lt(void **state)
{
    static const int e[5] = { 1, 1, 1, 1, 1 };
    matrix(*state, 0, 0, e);
}

static void test_s121_outer_lt_inner_et(void **state)
{
    static const int e[5] = { 1, 1, 1, 0, 0 };
    matrix(*state, 0, VEPOLL_ET, e);
}

static void test_s121_outer_et_inner_lt(void **state)
{
    static const int e[5] = { 1, 0, 1, 0, 1 };
    matrix(*state, VEPOLL_ET, 0, e);
}

static void test_s121_outer_et_inner_et(void **state)
{
    static const int e[5] = { 1, 0, 1, 0, 0 };
    matrix(*state, VEPOLL_ET, VEPOLL_ET, e);
}

/* ---- S122 ------------------------------------------------------------------------ */

static void outer_et_new_edge(struct vt_fx *f, uint32_t i_mode)
{
    vepoll_t *I = f->ep[0], *O = f->ep[1];
    assert_int_equal(vt_add(I, 3, f->s, VEPOLL_IN | i_mode, 1), 0);
    assert_int_equal(nest(O, I, VEPOLL_IN | VEPOLL_ET, 2), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    assert_int_equal(vt_poll1(O), 1);
    assert_int_equal(vt_poll1(O), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0); /* I's entry is still queued */
    assert_int_equal(vt_poll1(O), 1);
    assert_int_equal(vt_poll1(O), 0);
}

static void test_s122_outer_et_new_edge_inner_lt(void **state) { outer_et_new_edge(*state, 0); }
static void test_s122_outer_et_new_edge_inner_et(void **state) { outer_et_new_edge(*state, VEPOLL_ET); }

/* ---- S123, S124 ------------------------------------------------------------------- */

static void test_s123_inner_readiness_that_vanished(void **state)
{
    struct vt_fx *f = *state;
    vepoll_t *I = f->ep[0], *O = f->ep[1];
    assert_int_equal(vt_add(I, 3, f->s, VEPOLL_IN, 1), 0);
    assert_int_equal(nest(O, I, VEPOLL_IN, 2), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    vepoll_source_update(f->s, 0, VEPOLL_IN); /* read the byte */
    assert_int_equal(vepoll_source_ready(as(I)) & VEPOLL_IN, 0);
    assert_int_equal(vt_poll1(O), 0);
    assert_int_equal(vt_poll1(I), 0);
}

static void test_s124_inner_changes_propagate(void **state)
{
    struct vt_fx *f = *state;
    vepoll_t *I = f->ep[0], *O = f->ep[1];
    assert_int_equal(vt_add(I, 3, f->s, VEPOLL_IN, 1), 0);
    assert_int_equal(nest(O, I, VEPOLL_IN, 2), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    assert_int_equal(vt_poll1(O), 1);
    assert_int_equal(vt_del(I, 3, f->s), 0);
    assert_int_equal(vt_poll1(O), 0);
    assert_int_equal(vt_add(I, 3, f->s, VEPOLL_IN | VEPOLL_ONESHOT, 3), 0);
    assert_int_equal(vt_poll1(O), 1);
    vt_expect1(I, VEPOLL_IN, 3); /* disarms */
    assert_int_equal(vt_poll1(O), 0);
    assert_int_equal(vt_poll1(I), 0);
}

/* ---- S275 --------------------------------------------------------------------------- */

/* I over A and B (LT), O over I.  Both become readable, then A is not any
 * more while its entry is still on I's list.  Linux's MOD polls the source
 * even when O's entry is queued already, and polling I drops the entries
 * with nothing to report that the scan passes: A leaves I's list, and A's
 * next event queues it afresh, behind B.  Without the MOD, A keeps its
 * place (checked against the kernel: `[B, A]` and `[A, B]`). */
static void mod_of_queued_outer(struct vt_fx *f, int mod, uint64_t first, uint64_t second)
{
    vepoll_t *I = f->ep[0], *O = f->ep[1];
    VT_ADD(I, 3, f->s, VEPOLL_IN, 1);
    VT_ADD(I, 4, f->t, VEPOLL_IN, 2);
    assert_int_equal(nest(O, I, VEPOLL_IN, 9), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    vepoll_source_update(f->t, VEPOLL_IN, 0);
    vepoll_source_update(f->s, 0, VEPOLL_IN); /* A drained */
    if (mod)
        VT_MOD(O, 100, as(I), VEPOLL_IN | VEPOLL_ET, 9);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    vt_expect_events(I, 4, {first, VEPOLL_IN}, {second, VEPOLL_IN});
}

static void test_s275_mod_of_a_queued_outer_entry_polls_and_drops_stale_inner(void **state)
{
    mod_of_queued_outer(*state, 1, 2, 1);
}

static void test_s275_without_the_mod_the_stale_inner_entry_keeps_its_place(void **state)
{
    mod_of_queued_outer(*state, 0, 1, 2);
}

/* ---- S125, S126 --------------------------------------------------------------------- */

static void two_inners(struct vt_fx *f, uint32_t o_mode, int second)
{
    vepoll_t *I1 = f->ep[0], *I2 = f->ep[1], *O = f->ep[2];
    assert_int_equal(vt_add(I1, 3, f->s, VEPOLL_IN, 1), 0);
    assert_int_equal(vt_add(I2, 4, f->t, VEPOLL_IN, 2), 0);
    assert_int_equal(vt_add(O, 10, as(I1), VEPOLL_IN | o_mode, 10), 0);
    assert_int_equal(vt_add(O, 11, as(I2), VEPOLL_IN | o_mode, 11), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    vepoll_source_update(f->t, VEPOLL_IN, 0);
    struct vepoll_event out[2];
    assert_int_equal(vepoll_wait(O, out, 2, 0), 2);
    assert_int_equal(vepoll_wait(O, out, 2, 0), second);
}

static void test_s125_two_inners_outer_lt(void **state) { two_inners(*state, 0, 2); }
static void test_s125_two_inners_outer_et(void **state) { two_inners(*state, VEPOLL_ET, 0); }

static void test_s126_one_inner_under_two_outers(void **state)
{
    struct vt_fx *f = *state;
    vepoll_t *I = f->ep[0], *O1 = f->ep[1], *O2 = f->ep[2];
    assert_int_equal(vt_add(I, 3, f->s, VEPOLL_IN, 1), 0);
    assert_int_equal(vt_add(O1, 10, as(I), VEPOLL_IN, 10), 0);
    assert_int_equal(vt_add(O2, 10, as(I), VEPOLL_IN, 20), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    vt_expect1(O1, VEPOLL_IN, 10);
    vt_expect1(O2, VEPOLL_IN, 20);
}

/* ---- S127 ---------------------------------------------------------------------------- */

static void test_s127_empty_inner_never_ready(void **state)
{
    struct vt_fx *f = *state;
    vepoll_t *I = f->ep[0], *O = f->ep[1];
    assert_int_equal(nest(O, I, VEPOLL_IN, 2), 0);
    assert_int_equal(vt_poll1(O), 0);
    struct vepoll_event out[1];
    assert_int_equal(vepoll_wait(O, out, 1, 20 * VT_MS), 0);
}

static void test_s127_close_inner_auto_removes_it(void **state)
{
    struct vt_fx *f = *state;
    vepoll_t *I = f->ep[0], *O = f->ep[1], *O2 = f->ep[2];
    assert_int_equal(vt_add(I, 3, f->s, VEPOLL_IN, 1), 0);
    assert_int_equal(vt_add(O, 10, as(I), VEPOLL_IN, 10), 0);
    assert_int_equal(vt_add(O2, 10, as(I), VEPOLL_IN | VEPOLL_ET, 20), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0); /* outer events pending for I */
    assert_int_equal(vepoll_close(I), 0);
    f->ep[0] = NULL;
    assert_int_equal(vt_poll1(O), 0);
    assert_int_equal(vt_poll1(O2), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0); /* s lives on, reaches nobody */
    assert_int_equal(vt_poll1(O), 0);
    /* a new instance (maybe at the same address) under the same number */
    vepoll_t *J = NULL;
    assert_int_equal(vepoll_create(&J), 0);
    f->ep[0] = J;
    assert_int_equal(vt_add(O, 10, as(J), VEPOLL_IN, 30), 0);
    assert_int_equal(vt_add(J, 3, f->s, VEPOLL_IN, 1), 0);
    vt_expect1(O, VEPOLL_IN, 30);
}

static void test_s127_close_outer_leaves_inner_working(void **state)
{
    struct vt_fx *f = *state;
    vepoll_t *I = f->ep[0], *O = f->ep[1];
    assert_int_equal(vt_add(I, 3, f->s, VEPOLL_IN, 1), 0);
    assert_int_equal(nest(O, I, VEPOLL_IN, 2), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    assert_int_equal(vepoll_close(O), 0);
    f->ep[1] = NULL;
    vt_expect1(I, VEPOLL_IN, 1);
    /* I can be nested again elsewhere (its old registration is gone) */
    assert_int_equal(nest(f->ep[2], I, VEPOLL_IN, 5), 0);
    vt_expect1(f->ep[2], VEPOLL_IN, 5);
}

static void test_s127_close_middle_of_chain(void **state)
{
    struct vt_fx *f = *state;
    vepoll_t **E = f->ep;
    /* E0 > E1 > E2 > s; closing E1 cuts the path */
    assert_int_equal(nest(E[0], E[1], VEPOLL_IN, 1), 0);
    assert_int_equal(nest(E[1], E[2], VEPOLL_IN, 2), 0);
    assert_int_equal(vt_add(E[2], 3, f->s, VEPOLL_IN, 3), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    assert_int_equal(vt_poll1(E[0]), 1);
    assert_int_equal(vepoll_close(E[1]), 0);
    E[1] = NULL;
    assert_int_equal(vt_poll1(E[0]), 0);
    vt_expect1(E[2], VEPOLL_IN, 3);
    /* E0 > E2 is now a 2-instance path: fine */
    assert_int_equal(nest(E[0], E[2], VEPOLL_IN, 4), 0);
    vt_expect1(E[0], VEPOLL_IN, 4);
}

/* ---- S131 ------------------------------------------------------------------------------ */

static void test_s131_exclusive_on_nested_instance_einval(void **state)
{
    struct vt_fx *f = *state;
    vepoll_t *I = f->ep[0], *O = f->ep[1];
    assert_int_equal(nest(O, I, VEPOLL_IN | VEPOLL_EXCLUSIVE, 1), -EINVAL);
    assert_int_equal(nest(O, I, VEPOLL_IN | VEPOLL_ET | VEPOLL_EXCLUSIVE, 1), -EINVAL);
    assert_int_equal(vt_del(O, 100, as(I)), -ENOENT);
    assert_int_equal(nest(O, I, VEPOLL_IN, 1), 0);
}

/* ---- threaded: S128, S129, S130 ----------------------------------------------------- */

static void s128(struct vt_fx *f, uint32_t o_mode, uint32_t i_mode, int expect_woken)
{
    vepoll_t *I = f->ep[0], *O = f->ep[1];
    struct vt_waiter w[2];
    assert_int_equal(vt_add(I, 3, f->s, VEPOLL_IN | i_mode, 1), 0);
    assert_int_equal(nest(O, I, VEPOLL_IN | o_mode, 2), 0);
    vt_waiter_start(&w[0], O, 1, 1000 * VT_MS);
    vt_waiter_start(&w[1], O, 1, 1000 * VT_MS);
    vt_sleep_ms(200);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    int woken = 0;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pthread_join(w[i].th, NULL), 0);
        if (w[i].ret == 1) {
            woken++;
            assert_int_equal(w[i].ev[0].events, VEPOLL_IN);
            assert_true(w[i].ev[0].data.u64 == 2);
        } else {
            assert_int_equal(w[i].ret, 0);
            assert_true(w[i].elapsed >= 1000 * VT_MS);
        }
    }
    assert_int_equal(woken, expect_woken);
}

static void test_s128_outer_lt_inner_lt_wakes_both(void **state) { s128(*state, 0, 0, 2); }
static void test_s128_outer_lt_inner_et_wakes_both(void **state) { s128(*state, 0, VEPOLL_ET, 2); }
static void test_s128_outer_et_inner_lt_wakes_one(void **state) { s128(*state, VEPOLL_ET, 0, 1); }
static void test_s128_outer_et_inner_et_wakes_one(void **state) { s128(*state, VEPOLL_ET, VEPOLL_ET, 1); }

static void s129(struct vt_fx *f, uint32_t o_mode, uint32_t i_mode)
{
    vepoll_t *I = f->ep[0], *O = f->ep[1];
    struct vt_waiter a, b;
    assert_int_equal(vt_add(I, 3, f->s, VEPOLL_IN | i_mode, 1), 0);
    assert_int_equal(nest(O, I, VEPOLL_IN | o_mode, 2), 0);
    vt_waiter_start(&a, I, 1, 1000 * VT_MS);
    vt_waiter_start(&b, O, 1, 1000 * VT_MS);
    vt_sleep_ms(200);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    assert_int_equal(pthread_join(a.th, NULL), 0);
    assert_int_equal(pthread_join(b.th, NULL), 0);
    /* the waiter on I always wakes */
    assert_int_equal(a.ret, 1);
    assert_true(a.ev[0].data.u64 == 1);
    if (i_mode == 0) {
        /* I LT: I stays ready, the outer waiter wakes too */
        assert_int_equal(b.ret, 1);
    } else {
        /* I ET: B wakes iff it still saw I ready (a race); never an error */
        assert_true(b.ret == 0 || b.ret == 1);
        if (b.ret == 0)
            assert_true(b.elapsed >= 1000 * VT_MS);
    }
    if (b.ret == 1) {
        assert_int_equal(b.ev[0].events, VEPOLL_IN);
        assert_true(b.ev[0].data.u64 == 2);
    }
}

static void test_s129_inner_lt_outer_lt(void **state) { s129(*state, 0, 0); }
static void test_s129_inner_lt_outer_et(void **state) { s129(*state, VEPOLL_ET, 0); }
static void test_s129_inner_et_outer_lt(void **state) { s129(*state, 0, VEPOLL_ET); }
static void test_s129_inner_et_outer_et(void **state) { s129(*state, VEPOLL_ET, VEPOLL_ET); }

/* S130: thread A "polls" E (waits on a private instance that contains E),
 * then takes wait(E,1,0); thread B waits on E directly. */
struct poller {
    pthread_t th;
    vepoll_t *priv, *ep;
    int poll_ret, ret;
};

static void *poller_main(void *arg)
{
    struct poller *p = arg;
    struct vepoll_event ev[1];
    p->poll_ret = vepoll_wait(p->priv, ev, 1, 1000 * VT_MS);
    p->ret = vepoll_wait(p->ep, ev, 1, 0);
    return NULL;
}

static void s130(struct vt_fx *f, uint32_t mode, int expect_successes)
{
    vepoll_t *E = f->ep[0], *priv = f->ep[1];
    struct poller a;
    struct vt_waiter b;
    assert_int_equal(vt_add(E, 3, f->s, VEPOLL_IN | mode, 1), 0);
    assert_int_equal(nest(priv, E, VEPOLL_IN, 2), 0);
    memset(&a, 0, sizeof a);
    a.priv = priv;
    a.ep = E;
    assert_int_equal(pthread_create(&a.th, NULL, poller_main, &a), 0);
    vt_waiter_start(&b, E, 1, 1000 * VT_MS);
    vt_sleep_ms(200);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    assert_int_equal(pthread_join(a.th, NULL), 0);
    assert_int_equal(pthread_join(b.th, NULL), 0);
    if (mode == 0)
        assert_int_equal(a.poll_ret, 1); /* LT: the poll always sees E readable */
    else
        assert_true(a.poll_ret == 0 || a.poll_ret == 1); /* ET: B may have taken it */
    assert_true(a.ret == 0 || a.ret == 1);
    assert_true(b.ret == 0 || b.ret == 1);
    assert_int_equal(a.ret + b.ret, expect_successes);
}

static void test_s130_poll_and_wait_lt_two_successes(void **state) { s130(*state, 0, 2); }
static void test_s130_poll_and_wait_et_one_success(void **state) { s130(*state, VEPOLL_ET, 1); }

int main(void)
{
    const struct CMUnitTest tests[] = {
/* fixture: ep[0..7], s, t */
#define T(fn) cmocka_unit_test_setup_teardown(fn, vt_fx_setup_8, vt_fx_teardown)
        T(test_s116_inner_readiness_propagates_as_in),
        T(test_s117_outer_mask_must_contain_in),
        T(test_s118_depth_limit_bottom_up_with_leaf),
        T(test_s118_depth_limit_pure_instance_chain),
        T(test_s118_depth_limit_top_down),
        T(test_s118_depth_limit_joining_two_chains),
        T(test_s119_cycles_eloop_diamond_ok),
        T(test_s119_closing_a_chain_into_a_loop),
        T(test_readd_existing_inner_eexist_not_eloop),
        T(test_inner_under_two_numbers_is_two_registrations),
        T(test_s120_five_level_chain_reports_at_every_level),
        T(test_s121_outer_lt_inner_lt),
        T(test_s121_outer_lt_inner_et),
        T(test_s121_outer_et_inner_lt),
        T(test_s121_outer_et_inner_et),
        T(test_s122_outer_et_new_edge_inner_lt),
        T(test_s122_outer_et_new_edge_inner_et),
        T(test_s123_inner_readiness_that_vanished),
        T(test_s124_inner_changes_propagate),
        T(test_s275_mod_of_a_queued_outer_entry_polls_and_drops_stale_inner),
        T(test_s275_without_the_mod_the_stale_inner_entry_keeps_its_place),
        T(test_s125_two_inners_outer_lt),
        T(test_s125_two_inners_outer_et),
        T(test_s126_one_inner_under_two_outers),
        T(test_s127_empty_inner_never_ready),
        T(test_s127_close_inner_auto_removes_it),
        T(test_s127_close_outer_leaves_inner_working),
        T(test_s127_close_middle_of_chain),
        T(test_s131_exclusive_on_nested_instance_einval),
        T(test_s128_outer_lt_inner_lt_wakes_both),
        T(test_s128_outer_lt_inner_et_wakes_both),
        T(test_s128_outer_et_inner_lt_wakes_one),
        T(test_s128_outer_et_inner_et_wakes_one),
        T(test_s129_inner_lt_outer_lt),
        T(test_s129_inner_lt_outer_et),
        T(test_s129_inner_et_outer_lt),
        T(test_s129_inner_et_outer_et),
        T(test_s130_poll_and_wait_lt_two_successes),
        T(test_s130_poll_and_wait_et_one_success),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
