/*
 * Two details of how Linux couples nested instances, found by the
 * differential test against the kernel (tests/difftest):
 *  - an instance wakes its outer instances with the key EPOLLIN alone
 *    (ep_poll_safewake), so an outer registration whose mask has RDNORM but
 *    not IN is not queued by inner events, although polling the inner
 *    instance reports IN|RDNORM;
 *  - polling an instance (ep_eventpoll_poll: outer harvest, outer ADD/MOD,
 *    poll of the epoll fd) drops the queued entries that have nothing to
 *    report, so a later MOD of such an entry queues it afresh and wakes the
 *    outer instances.
 */
#include "vtest.h"

static void outer_rdnorm_only_mask_not_woken_by_inner_event(void **state)
{
    vepoll_t *in, *out;
    vepoll_source_t *s;
    struct vepoll_event ev[8];
    (void)state;
    assert_int_equal(vepoll_create(&in), 0);
    assert_int_equal(vepoll_create(&out), 0);
    assert_int_equal(vepoll_source_create(&s, 0), 0);
    VT_ADD(out, 9, vepoll_as_source(in), VEPOLL_RDNORM, 3);
    VT_ADD(in, 4, s, VEPOLL_IN, 1);
    vepoll_source_update(s, VEPOLL_IN, 0);
    assert_int_equal(vt_poll(out, ev, 8), 0); /* woken with IN only: no match */
    /* Polling says IN|RDNORM, and a MOD re-evaluates: now it is reported. */
    assert_int_equal(vepoll_source_ready(vepoll_as_source(in)),
                     VEPOLL_IN | VEPOLL_RDNORM);
    VT_MOD(out, 9, vepoll_as_source(in), VEPOLL_RDNORM, 4);
    assert_int_equal(vt_poll(out, ev, 8), 1);
    assert_true(ev[0].events == VEPOLL_RDNORM && ev[0].data.u64 == 4);
    vepoll_close(out);
    vepoll_close(in);
    vepoll_source_close(s);
}

static void poll_drops_idle_entry_so_mod_wakes_outer_et(void **state)
{
    vepoll_t *in, *out;
    vepoll_source_t *s;
    struct vepoll_event ev[8];
    (void)state;
    assert_int_equal(vepoll_create(&in), 0);
    assert_int_equal(vepoll_create(&out), 0);
    assert_int_equal(vepoll_source_create(&s, VEPOLL_IN), 0);
    /* Queued in `in`, then MOD to a mask the source does not satisfy: the
     * entry stays queued but has nothing to report. */
    VT_ADD(in, 4, s, VEPOLL_IN | VEPOLL_ET, 1);
    VT_MOD(in, 4, s, VEPOLL_RDBAND | VEPOLL_ET, 2);
    /* ADD to the outer instance polls `in`: nothing to report, and the idle
     * entry is dropped from `in`'s queue. */
    VT_ADD(out, 9, vepoll_as_source(in), VEPOLL_IN | VEPOLL_ET, 3);
    assert_int_equal(vt_poll(out, ev, 8), 0);
    /* MOD back to IN queues it afresh, which wakes the outer instance. */
    VT_MOD(in, 4, s, VEPOLL_IN | VEPOLL_ET, 5);
    assert_int_equal(vt_poll(out, ev, 8), 1);
    assert_true(ev[0].events == VEPOLL_IN && ev[0].data.u64 == 3);
    assert_int_equal(vt_poll(in, ev, 8), 1);
    assert_true(ev[0].data.u64 == 5);
    vepoll_close(out);
    vepoll_close(in);
    vepoll_source_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(outer_rdnorm_only_mask_not_woken_by_inner_event),
        cmocka_unit_test(poll_drops_idle_entry_so_mod_wakes_outer_et),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
