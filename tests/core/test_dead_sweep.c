/*
 * A registration removed while it is queued (DEL, vepoll_source_close) is
 * freed by the harvest that pops it.  An instance that is never waited on
 * must not accumulate such entries without bound: detach sweeps them once
 * they outnumber the live registrations (src/core/instance.c).  Linux frees an
 * epitem at removal, so its memory never depends on waits either.
 */
#include "vtest.h"

static long live_bytes(void)
{
    return atomic_load(&vt_alloc.live_bytes);
}

static void queued_then_closed_entries_stay_bounded_without_waits(void **state)
{
    struct vepoll_event ev = {VEPOLL_IN, {0}}, out[8];
    vepoll_t *waited, *idle;
    long after_first = 0;
    int round, i;
    (void)state; /* the counting allocator: vt_alloc_setup */
    assert_int_equal(vepoll_create(&waited), 0);
    assert_int_equal(vepoll_create(&idle), 0);
    for (round = 0; round < 3000; round++) {
        vepoll_source_t *s[4];
        for (i = 0; i < 4; i++) {
            /* Ready at ADD: queued in both instances at once. */
            assert_int_equal(vepoll_source_create(&s[i], VEPOLL_IN), 0);
            assert_int_equal(vepoll_ctl(waited, VEPOLL_CTL_ADD, i, s[i], &ev), 0);
            assert_int_equal(vepoll_ctl(idle, VEPOLL_CTL_ADD, i, s[i], &ev), 0);
        }
        for (i = 0; i < 4; i++)
            vepoll_source_close(s[i]);
        assert_int_equal(vepoll_wait(waited, out, 8, 0), 0);
        if (round == 100)
            after_first = live_bytes();
    }
    /* 2,900 more rounds leave 11,600 more dead entries behind in `idle`
     * unless they are swept; allow the sweep threshold's worth of slack. */
    assert_true(live_bytes() <= after_first + 100 * 64);
    assert_int_equal(vepoll_close(waited), 0);
    assert_int_equal(vepoll_close(idle), 0);
    assert_int_equal(live_bytes(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(queued_then_closed_entries_stay_bounded_without_waits,
                                        vt_alloc_setup, vt_reset_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
