/*
 * vepoll_ctl argument handling: the ctl error cases of docs/SEMANTICS.md
 * and the error order of docs/API.md (EFAULT, EBADF, EINVAL self, EXCLUSIVE
 * rules, ELOOP, EINVAL unknown op, EEXIST, ENOENT, ENOSPC), plus the
 * accepted-and-ignored facts (S015, S016, S017, WAKEUP) and "a failed call
 * changes nothing" (S072).
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "vtest.h"

#define EXCL_OK_BITS (VEPOLL_IN | VEPOLL_OUT | VEPOLL_ERR | VEPOLL_HUP | VEPOLL_WAKEUP | VEPOLL_ET | VEPOLL_EXCLUSIVE)

/* ---- EFAULT first ------------------------------------------------------- */

static void test_s011_null_event_efault_for_non_del_ops(void **state)
{
    struct vt_fx *f = *state;
    static const int ops[] = { VEPOLL_CTL_ADD, VEPOLL_CTL_MOD, 42, -1, 0, 4, INT_MAX, INT_MIN };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        /* plain case, unregistered source */
        assert_int_equal(vepoll_ctl(f->e, ops[i], 3, f->s, NULL), -EFAULT);
        /* EFAULT wins over EBADF (ep and/or src NULL) */
        assert_int_equal(vepoll_ctl(NULL, ops[i], 3, f->s, NULL), -EFAULT);
        assert_int_equal(vepoll_ctl(f->e, ops[i], 3, NULL, NULL), -EFAULT);
        assert_int_equal(vepoll_ctl(NULL, ops[i], 3, NULL, NULL), -EFAULT);
        /* EFAULT wins over EINVAL (self) */
        assert_int_equal(vepoll_ctl(f->e, ops[i], 3, vepoll_as_source(f->e), NULL), -EFAULT);
    }
    /* registered source: MOD with NULL is still EFAULT and changes nothing */
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN, 7), 0);
    assert_int_equal(vepoll_ctl(f->e, VEPOLL_CTL_MOD, 3, f->s, NULL), -EFAULT);
    assert_int_equal(vepoll_ctl(f->e, VEPOLL_CTL_ADD, 3, f->s, NULL), -EFAULT);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    vt_expect1(f->e, VEPOLL_IN, 7);
}

static void test_s011_del_null_event_ok_and_self_einval(void **state)
{
    struct vt_fx *f = *state;
    /* DEL(E,E,NULL) -> EINVAL, not EFAULT */
    assert_int_equal(vepoll_ctl(f->e, VEPOLL_CTL_DEL, 3, vepoll_as_source(f->e), NULL), -EINVAL);
    /* DEL of a registered key with NULL -> 0 */
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN, 1), 0);
    assert_int_equal(vepoll_ctl(f->e, VEPOLL_CTL_DEL, 3, f->s, NULL), 0);
    /* DEL with NULL on bad handles -> EBADF */
    assert_int_equal(vepoll_ctl(NULL, VEPOLL_CTL_DEL, 3, f->s, NULL), -EBADF);
    assert_int_equal(vepoll_ctl(f->e, VEPOLL_CTL_DEL, 3, NULL, NULL), -EBADF);
}

/* ---- EBADF -------------------------------------------------------------- */

static void test_s007_null_ep_or_src_ebadf(void **state)
{
    struct vt_fx *f = *state;
    struct vepoll_event ev = vt_ev(VEPOLL_IN, 1);
    static const int ops[] = { VEPOLL_CTL_ADD, VEPOLL_CTL_MOD, VEPOLL_CTL_DEL, 42, -1, 0, 4 };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        assert_int_equal(vepoll_ctl(NULL, ops[i], 3, f->s, &ev), -EBADF);
        assert_int_equal(vepoll_ctl(f->e, ops[i], 3, NULL, &ev), -EBADF);
        assert_int_equal(vepoll_ctl(NULL, ops[i], 3, NULL, &ev), -EBADF);
        /* EBADF wins over self (the other instance's source with a NULL ep) */
        assert_int_equal(vepoll_ctl(NULL, ops[i], 3, vepoll_as_source(f->e), &ev), -EBADF);
    }
    /* EBADF wins over EXCLUSIVE misuse */
    struct vepoll_event bad = vt_ev(VEPOLL_IN | VEPOLL_EXCLUSIVE | VEPOLL_ONESHOT, 1);
    assert_int_equal(vepoll_ctl(NULL, VEPOLL_CTL_ADD, 3, f->s, &bad), -EBADF);
    assert_int_equal(vepoll_ctl(f->e, VEPOLL_CTL_ADD, 3, NULL, &bad), -EBADF);
    assert_int_equal(vepoll_ctl(NULL, VEPOLL_CTL_MOD, 3, f->s, &bad), -EBADF);
}

/* ---- EINVAL self -------------------------------------------------------- */

static void test_s009_self_registration_einval(void **state)
{
    struct vt_fx *f = *state;
    struct vepoll_event ev = vt_ev(VEPOLL_IN, 1);
    vepoll_source_t *self = vepoll_as_source(f->e);
    assert_non_null(self);
    assert_int_equal(vepoll_ctl(f->e, VEPOLL_CTL_ADD, 3, self, &ev), -EINVAL);
    assert_int_equal(vepoll_ctl(f->e, VEPOLL_CTL_MOD, 3, self, &ev), -EINVAL);
    assert_int_equal(vepoll_ctl(f->e, VEPOLL_CTL_DEL, 3, self, &ev), -EINVAL);
    assert_int_equal(vepoll_ctl(f->e, 42, 3, self, &ev), -EINVAL);
    /* self wins over ELOOP: it is EINVAL, not ELOOP */
    assert_int_equal(vepoll_ctl(f->e, VEPOLL_CTL_ADD, 99, self, &ev), -EINVAL);
    /* and nothing was registered */
    assert_int_equal(vt_poll1(f->e), 0);
    /* another instance's source is fine */
    assert_int_equal(vepoll_ctl(f->e, VEPOLL_CTL_ADD, 3, vepoll_as_source(f->e2), &ev), 0);
    assert_int_equal(vt_del(f->e, 3, vepoll_as_source(f->e2)), 0);
}

/* ---- EXCLUSIVE rules (S018, S131) ---------------------------------------- */

static void test_s018_exclusive_add_then_mod_einval(void **state)
{
    struct vt_fx *f = *state;
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN | VEPOLL_EXCLUSIVE, 1), 0);
    assert_int_equal(vt_mod(f->e, 3, f->s, VEPOLL_IN, 2), -EINVAL);
    assert_int_equal(vt_mod(f->e, 3, f->s, VEPOLL_IN | VEPOLL_EXCLUSIVE, 3), -EINVAL);
    assert_int_equal(vt_mod(f->e, 3, f->s, 0, 4), -EINVAL);
    /* the failed MODs changed nothing: still cookie 1, mask IN */
    vepoll_source_update(f->s, VEPOLL_IN | VEPOLL_OUT, 0);
    vt_expect1(f->e, VEPOLL_IN, 1);
    assert_int_equal(vt_del(f->e, 3, f->s), 0);
}

static void test_s018_mod_to_exclusive_einval(void **state)
{
    struct vt_fx *f = *state;
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN, 1), 0);
    assert_int_equal(vt_mod(f->e, 3, f->s, VEPOLL_IN | VEPOLL_EXCLUSIVE, 2), -EINVAL);
    assert_int_equal(vt_mod(f->e, 3, f->s, VEPOLL_OUT | VEPOLL_EXCLUSIVE, 2), -EINVAL);
    vepoll_source_update(f->s, VEPOLL_IN | VEPOLL_OUT, 0);
    vt_expect1(f->e, VEPOLL_IN, 1);
    assert_int_equal(vt_del(f->e, 3, f->s), 0);
    /* MOD with EXCL on a missing key: EINVAL wins over ENOENT */
    assert_int_equal(vt_mod(f->e, 3, f->s, VEPOLL_IN | VEPOLL_EXCLUSIVE, 2), -EINVAL);
}

static void test_s018_exclusive_with_disallowed_bits_einval(void **state)
{
    struct vt_fx *f = *state;
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN | VEPOLL_EXCLUSIVE | VEPOLL_ONESHOT, 1), -EINVAL);
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN | VEPOLL_EXCLUSIVE | VEPOLL_RDHUP, 1), -EINVAL);
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN | VEPOLL_EXCLUSIVE | VEPOLL_PRI, 1), -EINVAL);
    /* every single bit outside IN/OUT/ERR/HUP/WAKEUP/ET (unknown ones too) */
    for (unsigned b = 0; b < 32; b++) {
        uint32_t bit = 1u << b;
        if (bit & EXCL_OK_BITS)
            continue;
        assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN | VEPOLL_EXCLUSIVE | bit, 1), -EINVAL);
    }
    /* none of these registered anything */
    assert_int_equal(vt_del(f->e, 3, f->s), -ENOENT);
    vepoll_source_update(f->s, 0xffffffffu & ~(VEPOLL_EXCLUSIVE | VEPOLL_WAKEUP | VEPOLL_ONESHOT | VEPOLL_ET), 0);
    assert_int_equal(vt_poll1(f->e), 0);
}

static void test_s018_exclusive_allowed_bits_ok(void **state)
{
    struct vt_fx *f = *state;
    assert_int_equal(vt_add(f->e, 3, f->s,
                            VEPOLL_IN | VEPOLL_OUT | VEPOLL_ERR | VEPOLL_HUP | VEPOLL_ET | VEPOLL_EXCLUSIVE, 1), 0);
    assert_int_equal(vt_add(f->e, 4, f->s, VEPOLL_EXCLUSIVE, 2), 0);
    assert_int_equal(vt_add(f->e, 5, f->s, VEPOLL_EXCLUSIVE | VEPOLL_WAKEUP | VEPOLL_IN, 3), 0);
    assert_int_equal(vt_del(f->e, 3, f->s), 0);
    assert_int_equal(vt_del(f->e, 4, f->s), 0);
    assert_int_equal(vt_del(f->e, 5, f->s), 0);
}

static void test_s018_s131_exclusive_on_nested_instance_einval(void **state)
{
    struct vt_fx *f = *state;
    vepoll_source_t *inner = vepoll_as_source(f->e2);
    assert_int_equal(vt_add(f->e, 3, inner, VEPOLL_IN | VEPOLL_EXCLUSIVE, 1), -EINVAL);
    assert_int_equal(vt_add(f->e, 3, inner, VEPOLL_IN | VEPOLL_ET | VEPOLL_EXCLUSIVE, 1), -EINVAL);
    assert_int_equal(vt_add(f->e, 3, inner, VEPOLL_EXCLUSIVE, 1), -EINVAL);
    assert_int_equal(vt_del(f->e, 3, inner), -ENOENT);
}

static void test_s018_del_of_exclusive_entry_ignores_event(void **state)
{
    struct vt_fx *f = *state;
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN | VEPOLL_EXCLUSIVE, 1), 0);
    /* DEL ignores ev, so an ev with EXCL misuse bits is not an error */
    struct vepoll_event bad = vt_ev(VEPOLL_IN | VEPOLL_EXCLUSIVE | VEPOLL_ONESHOT | VEPOLL_PRI, 1);
    assert_int_equal(vepoll_ctl(f->e, VEPOLL_CTL_DEL, 3, f->s, &bad), 0);
    assert_int_equal(vepoll_ctl(f->e, VEPOLL_CTL_DEL, 3, f->s, &bad), -ENOENT);
}

static void test_precedence_exclusive_before_eexist_and_eloop(void **state)
{
    struct vt_fx *f = *state;
    /* ADD of an existing key with EXCL misuse: EINVAL, not EEXIST */
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN, 1), 0);
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN | VEPOLL_EXCLUSIVE | VEPOLL_ONESHOT, 2), -EINVAL);
    /* E contains E2; ADD(E2, E, EXCL) would be a cycle: EXCL on a nested instance wins */
    assert_int_equal(vt_add(f->e, 4, vepoll_as_source(f->e2), VEPOLL_IN, 3), 0);
    assert_int_equal(vt_add(f->e2, 5, vepoll_as_source(f->e), VEPOLL_IN | VEPOLL_EXCLUSIVE, 4), -EINVAL);
    /* the same without EXCL: ELOOP */
    assert_int_equal(vt_add(f->e2, 5, vepoll_as_source(f->e), VEPOLL_IN, 4), -ELOOP);
    assert_int_equal(vt_del(f->e2, 5, vepoll_as_source(f->e)), -ENOENT);
    /* the original registration is intact */
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    struct vepoll_event out[4];
    assert_int_equal(vepoll_wait(f->e, out, 4, 0), 1);
    assert_int_equal(out[0].events, VEPOLL_IN);
    assert_true(out[0].data.u64 == 1);
}

/* ---- ELOOP -------------------------------------------------------------- */

static void test_eloop_cycle_and_failed_add_changes_nothing(void **state)
{
    struct vt_fx *f = *state;
    assert_int_equal(vt_add(f->e, 4, vepoll_as_source(f->e2), VEPOLL_IN, 1), 0);
    assert_int_equal(vt_add(f->e2, 5, vepoll_as_source(f->e), VEPOLL_IN, 2), -ELOOP);
    assert_int_equal(vt_add(f->e2, 5, vepoll_as_source(f->e), VEPOLL_IN | VEPOLL_ET, 2), -ELOOP);
    /* nothing registered by the failed ADDs */
    assert_int_equal(vt_del(f->e2, 5, vepoll_as_source(f->e)), -ENOENT);
    assert_int_equal(vt_mod(f->e2, 5, vepoll_as_source(f->e), VEPOLL_IN, 2), -ENOENT);
    /* E still sees E2's readiness */
    assert_int_equal(vt_add(f->e2, 6, f->s, VEPOLL_IN, 3), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    vt_expect1(f->e, VEPOLL_IN, 1);
}

/* ---- unknown op (S010) --------------------------------------------------- */

static void test_s010_unknown_op_einval(void **state)
{
    struct vt_fx *f = *state;
    static const int ops[] = { -1, 0, 4, 42, INT_MAX, INT_MIN };
    struct vepoll_event ev = vt_ev(VEPOLL_IN | VEPOLL_OUT, 99);
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN, 1), 0); /* registered: s */
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        assert_int_equal(vepoll_ctl(f->e, ops[i], 3, f->s, &ev), -EINVAL); /* registered */
        assert_int_equal(vepoll_ctl(f->e, ops[i], 3, f->t, &ev), -EINVAL); /* unregistered */
        assert_int_equal(vepoll_ctl(f->e, ops[i], 3, vepoll_as_source(f->e2), &ev), -EINVAL);
        /* EBADF wins */
        assert_int_equal(vepoll_ctl(NULL, ops[i], 3, f->s, &ev), -EBADF);
        assert_int_equal(vepoll_ctl(f->e, ops[i], 3, NULL, &ev), -EBADF);
    }
    /* nothing changed: t is unregistered, s keeps mask IN and cookie 1 */
    assert_int_equal(vt_del(f->e, 3, f->t), -ENOENT);
    vepoll_source_update(f->s, VEPOLL_IN | VEPOLL_OUT, 0);
    vepoll_source_update(f->t, VEPOLL_IN | VEPOLL_OUT, 0);
    vt_expect1(f->e, VEPOLL_IN, 1);
}

/* ---- EEXIST (S012) ------------------------------------------------------- */

static void test_s012_duplicate_add_eexist_keeps_original(void **state)
{
    struct vt_fx *f = *state;
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN, 42), 0);
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN, 43), -EEXIST);
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN | VEPOLL_OUT | VEPOLL_ET, 43), -EEXIST);
    vepoll_source_update(f->s, VEPOLL_IN | VEPOLL_OUT, 0);
    struct vepoll_event out[4];
    memset(out, 0, sizeof out);
    assert_int_equal(vepoll_wait(f->e, out, 4, -1), 1);
    assert_int_equal(out[0].events, VEPOLL_IN);
    assert_true(out[0].data.u64 == 42);
    /* still LT (the failed ET add did not switch it) */
    vt_expect1(f->e, VEPOLL_IN, 42);
}

static void test_s012_s053_add_of_disarmed_oneshot_eexist(void **state)
{
    struct vt_fx *f = *state;
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN | VEPOLL_ONESHOT, 5), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    vt_expect1(f->e, VEPOLL_IN, 5);
    assert_int_equal(vt_poll1(f->e), 0); /* disarmed */
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN, 6), -EEXIST);
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN | VEPOLL_ONESHOT, 6), -EEXIST);
    assert_int_equal(vt_poll1(f->e), 0); /* still disarmed */
    assert_int_equal(vt_del(f->e, 3, f->s), 0);
}

static void test_key_is_source_and_fd_pair(void **state)
{
    struct vt_fx *f = *state;
    /* same source under another number is a new registration, as is
     * another source under the same number */
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN, 1), 0);
    assert_int_equal(vt_add(f->e, 4, f->s, VEPOLL_IN, 2), 0);
    assert_int_equal(vt_add(f->e, 3, f->t, VEPOLL_IN, 3), 0);
    assert_int_equal(vt_add(f->e, 4, f->s, VEPOLL_IN, 2), -EEXIST);
    assert_int_equal(vt_del(f->e, 5, f->s), -ENOENT);
    assert_int_equal(vt_del(f->e, 4, f->t), -ENOENT);
    assert_int_equal(vt_del(f->e, 3, f->s), 0);
    assert_int_equal(vt_del(f->e, 4, f->s), 0);
    assert_int_equal(vt_del(f->e, 3, f->t), 0);
}

/* ---- ENOENT (S013) ------------------------------------------------------- */

static void test_s013_mod_del_of_unregistered_enoent(void **state)
{
    struct vt_fx *f = *state;
    assert_int_equal(vt_del(f->e, 3, f->s), -ENOENT);
    assert_int_equal(vt_mod(f->e, 3, f->s, VEPOLL_IN, 1), -ENOENT);
    vepoll_source_t *e2 = vepoll_as_source(f->e2);
    assert_int_equal(vt_del(f->e, 3, e2), -ENOENT);
    assert_int_equal(vt_mod(f->e, 3, e2, VEPOLL_IN, 1), -ENOENT);
    /* ADD + DEL, then a second DEL / a MOD */
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN, 1), 0);
    assert_int_equal(vt_del(f->e, 3, f->s), 0);
    assert_int_equal(vt_del(f->e, 3, f->s), -ENOENT);
    assert_int_equal(vt_mod(f->e, 3, f->s, VEPOLL_IN, 1), -ENOENT);
    /* registered in E2 only: still ENOENT in E */
    assert_int_equal(vt_add(f->e2, 3, f->s, VEPOLL_IN, 1), 0);
    assert_int_equal(vt_del(f->e, 3, f->s), -ENOENT);
    assert_int_equal(vt_del(f->e2, 3, f->s), 0);
}

static void test_s013_new_source_after_close_enoent(void **state)
{
    struct vt_fx *f = *state;
    vepoll_source_t *x = NULL, *y = NULL;
    assert_int_equal(vepoll_source_create(&x, VEPOLL_IN), 0);
    assert_int_equal(vt_add(f->e, 7, x, VEPOLL_IN, 1), 0);
    vepoll_source_close(x);
    /* a new object under the same number (maybe even at the same address) */
    assert_int_equal(vepoll_source_create(&y, VEPOLL_IN), 0);
    assert_int_equal(vt_del(f->e, 7, y), -ENOENT);
    assert_int_equal(vt_mod(f->e, 7, y, VEPOLL_IN, 2), -ENOENT);
    assert_int_equal(vt_poll1(f->e), 0);
    assert_int_equal(vt_add(f->e, 7, y, VEPOLL_IN, 3), 0);
    vt_expect1(f->e, VEPOLL_IN, 3);
    vepoll_source_close(y);
    assert_int_equal(vt_poll1(f->e), 0);
}

/* ---- ENOSPC -------------------------------------------------------------- */

static void test_enospc_watch_limit(void **state)
{
    struct vt_fx *f = *state;
    vepoll_set_max_watches(3);
    assert_int_equal(vt_add(f->e, 1, f->s, VEPOLL_IN, 1), 0);
    assert_int_equal(vt_add(f->e, 2, f->s, VEPOLL_IN, 2), 0);
    assert_int_equal(vt_add(f->e2, 1, f->s, VEPOLL_IN, 3), 0); /* process-wide */
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN, 4), -ENOSPC);
    assert_int_equal(vt_add(f->e2, 3, f->t, VEPOLL_IN, 4), -ENOSPC);
    /* the failed ADDs changed nothing */
    assert_int_equal(vt_del(f->e, 3, f->s), -ENOENT);
    assert_int_equal(vt_del(f->e2, 3, f->t), -ENOENT);
    /* MOD at the limit is fine; EEXIST wins over ENOSPC */
    assert_int_equal(vt_mod(f->e, 1, f->s, VEPOLL_IN | VEPOLL_OUT, 11), 0);
    assert_int_equal(vt_add(f->e, 1, f->s, VEPOLL_IN, 1), -EEXIST);
    /* EXCL misuse wins over ENOSPC */
    assert_int_equal(vt_add(f->e, 9, f->t, VEPOLL_IN | VEPOLL_EXCLUSIVE | VEPOLL_ONESHOT, 1), -EINVAL);
    /* DEL frees a slot */
    assert_int_equal(vt_del(f->e, 2, f->s), 0);
    assert_int_equal(vt_add(f->e, 3, f->t, VEPOLL_IN, 5), 0);
    assert_int_equal(vt_add(f->e, 4, f->t, VEPOLL_IN, 6), -ENOSPC);
    /* lowering below the current count only blocks new ADDs */
    vepoll_set_max_watches(1);
    assert_int_equal(vt_add(f->e, 4, f->t, VEPOLL_IN, 6), -ENOSPC);
    assert_int_equal(vt_mod(f->e, 3, f->t, VEPOLL_IN, 7), 0);
    vepoll_source_update(f->t, VEPOLL_IN, 0);
    vt_expect1(f->e, VEPOLL_IN, 7);
    assert_int_equal(vt_del(f->e, 3, f->t), 0);
    assert_int_equal(vt_add(f->e, 4, f->t, VEPOLL_IN, 6), -ENOSPC); /* 2 left > 1 */
    /* 0 = no limit */
    vepoll_set_max_watches(0);
    assert_int_equal(vt_add(f->e, 4, f->t, VEPOLL_IN, 6), 0);
    assert_int_equal(vt_add(f->e, 5, f->t, VEPOLL_IN, 6), 0);
}

static void test_enospc_released_by_source_close_and_instance_close(void **state)
{
    struct vt_fx *f = *state;
    vepoll_source_t *x = NULL;
    vepoll_t *tmp = NULL;
    assert_int_equal(vepoll_source_create(&x, 0), 0);
    assert_int_equal(vepoll_create(&tmp), 0);
    vepoll_set_max_watches(2);
    assert_int_equal(vt_add(f->e, 1, x, VEPOLL_IN, 1), 0);
    assert_int_equal(vt_add(tmp, 1, f->s, VEPOLL_IN, 1), 0);
    assert_int_equal(vt_add(f->e, 2, f->s, VEPOLL_IN, 1), -ENOSPC);
    vepoll_source_close(x); /* drops one registration */
    assert_int_equal(vt_add(f->e, 2, f->s, VEPOLL_IN, 1), 0);
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN, 1), -ENOSPC);
    assert_int_equal(vepoll_close(tmp), 0); /* drops the other */
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN, 1), 0);
    assert_int_equal(vt_add(f->e, 4, f->s, VEPOLL_IN, 1), -ENOSPC);
}

static void test_precedence_eloop_and_eexist_before_enospc(void **state)
{
    struct vt_fx *f = *state;
    assert_int_equal(vt_add(f->e, 1, vepoll_as_source(f->e2), VEPOLL_IN, 1), 0);
    vepoll_set_max_watches(1);
    assert_int_equal(vt_add(f->e2, 1, vepoll_as_source(f->e), VEPOLL_IN, 1), -ELOOP);
    assert_int_equal(vt_add(f->e, 1, vepoll_as_source(f->e2), VEPOLL_IN, 1), -EEXIST);
    assert_int_equal(vt_add(f->e, 2, f->s, VEPOLL_IN, 1), -ENOSPC);
    assert_int_equal(vepoll_ctl(f->e, 42, 2, f->s, &(struct vepoll_event){ 0 }), -EINVAL);
}

/* ---- S072: most recent ADD/MOD wins; failed calls change nothing -------- */

static void test_s072_most_recent_wins_failed_calls_change_nothing(void **state)
{
    struct vt_fx *f = *state;
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN, 1), 0);
    assert_int_equal(vt_mod(f->e, 3, f->s, VEPOLL_IN, 2), 0);
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_OUT | VEPOLL_ET, 3), -EEXIST);
    assert_int_equal(vt_mod(f->e, 3, f->s, VEPOLL_OUT | VEPOLL_EXCLUSIVE, 4), -EINVAL);
    assert_int_equal(vepoll_ctl(f->e, 42, 3, f->s, &(struct vepoll_event){ VEPOLL_OUT, { .u64 = 5 } }), -EINVAL);
    assert_int_equal(vepoll_ctl(f->e, VEPOLL_CTL_MOD, 3, f->s, NULL), -EFAULT);
    vepoll_source_update(f->s, VEPOLL_IN | VEPOLL_OUT, 0);
    vt_expect1(f->e, VEPOLL_IN, 2);
    vt_expect1(f->e, VEPOLL_IN, 2); /* still LT */
}

/* ---- S015: DEL ignores ev ------------------------------------------------ */

static void test_s015_del_ignores_event(void **state)
{
    struct vt_fx *f = *state;
    struct vepoll_event all;
    memset(&all, 0xff, sizeof all);
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN, 1), 0);
    assert_int_equal(vepoll_ctl(f->e, VEPOLL_CTL_DEL, 3, f->s, &all), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    assert_int_equal(vt_poll1(f->e), 0);
    assert_int_equal(vepoll_ctl(f->e, VEPOLL_CTL_DEL, 3, f->s, &all), -ENOENT);
}

/* ---- S016: all 256 mask combinations accepted by MOD --------------------- */

static void test_s016_all_256_mask_combinations_mod(void **state)
{
    struct vt_fx *f = *state;
    static const uint32_t bits[8] = { VEPOLL_IN, VEPOLL_OUT, VEPOLL_PRI, VEPOLL_ERR,
                                      VEPOLL_HUP, VEPOLL_ET, VEPOLL_ONESHOT, VEPOLL_RDHUP };
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN, 0), 0);
    for (unsigned m = 0; m < 256; m++) {
        uint32_t mask = 0;
        for (unsigned b = 0; b < 8; b++)
            if (m & (1u << b))
                mask |= bits[b];
        assert_int_equal(vt_mod(f->e, 3, f->s, mask, m), 0);
    }
    /* and as ADD masks */
    for (unsigned m = 0; m < 256; m++) {
        uint32_t mask = 0;
        for (unsigned b = 0; b < 8; b++)
            if (m & (1u << b))
                mask |= bits[b];
        assert_int_equal(vt_add(f->e, 4, f->s, mask, m), 0);
        assert_int_equal(vt_del(f->e, 4, f->s), 0);
    }
}

/* ---- S017: unknown bits accepted, never reported; WAKEUP accepted -------- */

static void test_s017_unknown_bits_accepted_never_reported(void **state)
{
    struct vt_fx *f = *state;
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN | 0x00100000u | 0x00800000u, 9), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    vt_expect1(f->e, VEPOLL_IN, 9);
    /* every unknown bit, via MOD */
    uint32_t unknown = 0x00000800u | 0x00001000u | 0x0fffc000u;
    assert_int_equal(vt_mod(f->e, 3, f->s, VEPOLL_IN | VEPOLL_OUT | unknown, 10), 0);
    vepoll_source_update(f->s, VEPOLL_OUT, 0);
    vt_expect1(f->e, VEPOLL_IN | VEPOLL_OUT, 10);
    assert_int_equal(vt_add(f->e, 4, f->t, unknown, 11), 0);
    vepoll_source_update(f->t, VEPOLL_IN | VEPOLL_OUT | VEPOLL_PRI, 0);
    struct vepoll_event out[4];
    assert_int_equal(vepoll_wait(f->e, out, 4, 0), 1); /* only s; t's mask asks nothing known */
    assert_true(out[0].data.u64 == 10);
}

static void test_wakeup_flag_accepted_never_reported(void **state)
{
    struct vt_fx *f = *state;
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN | VEPOLL_WAKEUP, 1), 0);
    assert_int_equal(vt_mod(f->e, 3, f->s, VEPOLL_IN | VEPOLL_OUT | VEPOLL_WAKEUP, 2), 0);
    assert_int_equal(vt_add(f->e, 4, f->s, VEPOLL_IN | VEPOLL_WAKEUP | VEPOLL_ET | VEPOLL_ONESHOT, 3), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    struct vepoll_event out[4];
    memset(out, 0, sizeof out);
    assert_int_equal(vepoll_wait(f->e, out, 4, 0), 2);
    for (int i = 0; i < 2; i++)
        assert_int_equal(out[i].events, VEPOLL_IN);
}

static void test_flags_never_reported(void **state)
{
    struct vt_fx *f = *state;
    /* ET/ONESHOT/EXCL/WAKEUP are input flags: never echoed in events */
    assert_int_equal(vt_add(f->e, 3, f->s, VEPOLL_IN | VEPOLL_ET | VEPOLL_ONESHOT, 1), 0);
    assert_int_equal(vt_add(f->e, 4, f->s, VEPOLL_IN | VEPOLL_ET | VEPOLL_EXCLUSIVE, 2), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    struct vepoll_event out[4];
    memset(out, 0, sizeof out);
    assert_int_equal(vepoll_wait(f->e, out, 4, 0), 2);
    assert_int_equal(out[0].events, VEPOLL_IN);
    assert_int_equal(out[1].events, VEPOLL_IN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
/* fixture: e, e2, s, t; the teardown also lifts the watch limit */
#define T(fn) cmocka_unit_test_setup_teardown(fn, vt_fx_setup_2, vt_fx_teardown)
        T(test_s011_null_event_efault_for_non_del_ops),
        T(test_s011_del_null_event_ok_and_self_einval),
        T(test_s007_null_ep_or_src_ebadf),
        T(test_s009_self_registration_einval),
        T(test_s018_exclusive_add_then_mod_einval),
        T(test_s018_mod_to_exclusive_einval),
        T(test_s018_exclusive_with_disallowed_bits_einval),
        T(test_s018_exclusive_allowed_bits_ok),
        T(test_s018_s131_exclusive_on_nested_instance_einval),
        T(test_s018_del_of_exclusive_entry_ignores_event),
        T(test_precedence_exclusive_before_eexist_and_eloop),
        T(test_eloop_cycle_and_failed_add_changes_nothing),
        T(test_s010_unknown_op_einval),
        T(test_s012_duplicate_add_eexist_keeps_original),
        T(test_s012_s053_add_of_disarmed_oneshot_eexist),
        T(test_key_is_source_and_fd_pair),
        T(test_s013_mod_del_of_unregistered_enoent),
        T(test_s013_new_source_after_close_enoent),
        T(test_enospc_watch_limit),
        T(test_enospc_released_by_source_close_and_instance_close),
        T(test_precedence_eloop_and_eexist_before_enospc),
        T(test_s072_most_recent_wins_failed_calls_change_nothing),
        T(test_s015_del_ignores_event),
        T(test_s016_all_256_mask_combinations_mod),
        T(test_s017_unknown_bits_accepted_never_reported),
        T(test_wakeup_flag_accepted_never_reported),
        T(test_flags_never_reported),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
