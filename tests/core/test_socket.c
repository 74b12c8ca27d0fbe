/* Socket-pair shutdown semantics (AF_UNIX stream): docs/SEMANTICS.md S107-S114.
 * S.a = end[0], S.b = end[1]. */
#include "vtest.h"

#define IN VEPOLL_IN
#define OUT VEPOLL_OUT
#define HUP VEPOLL_HUP
#define RDHUP VEPOLL_RDHUP
#define ET VEPOLL_ET
#define SA 0
#define SB 1

static void s107_peer_shuts_down_writing(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    VT_ADD(ep, VT_FD_A, s.end[SA], IN | OUT | RDHUP, 1);
    vt_expect_events(ep, 8, {1, OUT});
    assert_int_equal(tsock_shutdown(&s, SB, TSOCK_SHUT_WR), 0);
    vt_expect_events(ep, 8, {1, IN | OUT | RDHUP});
    vt_expect_events(ep, 8, {1, IN | OUT | RDHUP});
    assert_int_equal(tsock_read(&s, SA, 1), 0); /* EOF */
    vt_expect_events(ep, 8, {1, IN | OUT | RDHUP});
    vt_free_ep(ep);
    tsock_destroy(&s);
}

static void s107_peer_shuts_down_writing_no_rdhup_mask(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    VT_ADD(ep, VT_FD_A, s.end[SA], IN | OUT, 1);
    vt_expect_events(ep, 8, {1, OUT});
    assert_int_equal(tsock_shutdown(&s, SB, TSOCK_SHUT_WR), 0);
    vt_expect_events(ep, 8, {1, IN | OUT});
    vt_free_ep(ep);
    tsock_destroy(&s);
}

static void s108_rdhup_only_mask(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    VT_ADD(ep, VT_FD_A, s.end[SA], RDHUP, 1);
    vt_expect_none(ep, 8);
    assert_int_equal(tsock_shutdown(&s, SB, TSOCK_SHUT_WR), 0);
    vt_expect_events(ep, 8, {1, RDHUP});
    vt_expect_events(ep, 8, {1, RDHUP});
    assert_int_equal(tsock_shutdown(&s, SA, TSOCK_SHUT_WR), 0);
    vt_expect_events(ep, 8, {1, RDHUP | HUP});
    vt_expect_events(ep, 8, {1, RDHUP | HUP});
    vt_free_ep(ep);
    tsock_destroy(&s);
}

static void s109_hup_needs_both_directions_closed(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    VT_ADD(ep, VT_FD_A, s.end[SA], ET, 1);
    assert_int_equal(tsock_shutdown(&s, SB, TSOCK_SHUT_WR), 0);
    vt_expect_none(ep, 8);
    assert_int_equal(tsock_shutdown(&s, SA, TSOCK_SHUT_WR), 0);
    vt_expect_events(ep, 8, {1, HUP});
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tsock_destroy(&s);
}

static void s110_own_write_shutdown_keeps_out(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    VT_ADD(ep, VT_FD_A, s.end[SA], IN | OUT | RDHUP, 1);
    VT_ADD(ep, VT_FD_B, s.end[SB], IN | OUT | RDHUP, 2);
    assert_int_equal(tsock_shutdown(&s, SA, TSOCK_SHUT_WR), 0);
    vt_expect_events_any(ep, 8, {1, OUT}, {2, IN | OUT | RDHUP});
    assert_int_equal(tsock_write(&s, SA, 1), -EPIPE); /* "writable", yet EPIPE */
    vt_expect_events_any(ep, 8, {1, OUT}, {2, IN | OUT | RDHUP});
    vt_free_ep(ep);
    tsock_destroy(&s);
}

static void s111_own_read_shutdown(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    VT_ADD(ep, VT_FD_A, s.end[SA], IN | OUT | RDHUP, 1);
    assert_int_equal(tsock_shutdown(&s, SA, TSOCK_SHUT_RD), 0);
    vt_expect_events(ep, 8, {1, IN | OUT | RDHUP});
    vt_free_ep(ep);
    tsock_destroy(&s);
}

static void s112_peer_closes(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    VT_ADD(ep, VT_FD_A, s.end[SA], IN | OUT | RDHUP, 1);
    tsock_close(&s, SB);
    vt_expect_events(ep, 8, {1, IN | OUT | HUP | RDHUP});
    assert_int_equal(tsock_write(&s, SA, 1), -EPIPE);
    vt_expect_events(ep, 8, {1, IN | OUT | HUP | RDHUP}); /* no ERR for unix stream */
    vt_free_ep(ep);
    tsock_destroy(&s);
}

static void s112_peer_closes_empty_mask(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    VT_ADD(ep, VT_FD_A, s.end[SA], 0, 1);
    vt_expect_none(ep, 8);
    tsock_close(&s, SB);
    vt_expect_events(ep, 8, {1, HUP});
    vt_free_ep(ep);
    tsock_destroy(&s);
}

static void s112_peer_closes_with_unread_byte(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    VT_ADD(ep, VT_FD_A, s.end[SA], IN | OUT | RDHUP, 1);
    assert_int_equal(tsock_write(&s, SB, 1), 1);
    tsock_close(&s, SB);
    vt_expect_events(ep, 8, {1, IN | OUT | HUP | RDHUP});
    assert_int_equal(tsock_read(&s, SA, 8), 1);
    assert_int_equal(tsock_read(&s, SA, 8), 0);
    vt_expect_events(ep, 8, {1, IN | OUT | HUP | RDHUP});
    vt_free_ep(ep);
    tsock_destroy(&s);
}

static void s113_et_shutdown_sequence(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    VT_ADD(ep, VT_FD_A, s.end[SA], IN | OUT | RDHUP | ET, 1);
    vt_expect_events(ep, 8, {1, OUT});
    vt_expect_none(ep, 8);
    assert_int_equal(tsock_shutdown(&s, SB, TSOCK_SHUT_WR), 0);
    vt_expect_events(ep, 8, {1, IN | OUT | RDHUP});
    vt_expect_none(ep, 8);
    assert_int_equal(tsock_shutdown(&s, SA, TSOCK_SHUT_RD), 0);
    vt_expect_events(ep, 8, {1, IN | OUT | RDHUP}); /* new edge */
    vt_expect_none(ep, 8);
    assert_int_equal(tsock_shutdown(&s, SA, TSOCK_SHUT_WR), 0);
    vt_expect_events(ep, 8, {1, IN | OUT | HUP | RDHUP});
    vt_expect_none(ep, 8);
    VT_MOD(ep, VT_FD_A, s.end[SA], ET, 2);
    vt_expect_events(ep, 8, {2, HUP});
    vt_expect_none(ep, 8);
    VT_MOD(ep, VT_FD_A, s.end[SA], OUT, 3);
    vt_expect_events(ep, 8, {3, OUT | HUP});
    vt_expect_events(ep, 8, {3, OUT | HUP});
    vt_expect_events(ep, 8, {3, OUT | HUP});
    VT_MOD(ep, VT_FD_A, s.end[SA], OUT | ET, 4);
    vt_expect_events(ep, 8, {4, OUT | HUP});
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tsock_destroy(&s);
}

static void s114_peer_data_then_et_drain(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    VT_ADD(ep, VT_FD_A, s.end[SA], IN | ET, 1);
    assert_int_equal(tsock_write(&s, SB, 1), 1);
    vt_expect_events(ep, 8, {1, IN});
    assert_int_equal(tsock_write(&s, SB, 1), 1); /* no read */
    vt_expect_events(ep, 8, {1, IN});
    assert_int_equal(tsock_read(&s, SA, 1), 1); /* 1 byte left */
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tsock_destroy(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(s107_peer_shuts_down_writing),
        cmocka_unit_test(s107_peer_shuts_down_writing_no_rdhup_mask),
        cmocka_unit_test(s108_rdhup_only_mask),
        cmocka_unit_test(s109_hup_needs_both_directions_closed),
        cmocka_unit_test(s110_own_write_shutdown_keeps_out),
        cmocka_unit_test(s111_own_read_shutdown),
        cmocka_unit_test(s112_peer_closes),
        cmocka_unit_test(s112_peer_closes_empty_mask),
        cmocka_unit_test(s112_peer_closes_with_unread_byte),
        cmocka_unit_test(s113_et_shutdown_sequence),
        cmocka_unit_test(s114_peer_data_then_et_drain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
