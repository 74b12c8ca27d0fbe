/*
 * The ready-made stream socket pair (vepoll_objects.h): AF_UNIX stream
 * rules -- per-write chunks that give space back only when fully read,
 * shutdown(RD|WR|RDWR), close, ECONNRESET -- blocking with timeouts, and
 * readiness through vepoll_wait (S028, S029, S043, S044, S046, S060, S096,
 * S107-S114), and recv / send with flags (S163-S166).  Helper threads never
 * assert.
 */
#include <pthread.h>

#include "vepoll_objects.h"
#include "vtest.h"

#define RDB (VEPOLL_IN | VEPOLL_RDNORM)
#define WRB (VEPOLL_OUT | VEPOLL_WRNORM | VEPOLL_WRBAND)
#define IOR (VEPOLL_IN | VEPOLL_OUT | VEPOLL_RDHUP)

static unsigned char wbuf[1 << 18];
static unsigned char rbuf[1 << 18];

static vepoll_socketpair_t *newsp(size_t cap, int flags)
{
    vepoll_socketpair_t *s = NULL;
    assert_int_equal(vepoll_socketpair_create(&s, cap, flags), 0);
    assert_non_null(s);
    return s;
}

static vepoll_source_t *SRC(vepoll_socketpair_t *s, int end)
{
    return vepoll_socketpair_source(s, end);
}

static ssize_t wr(vepoll_socketpair_t *s, int end, size_t n)
{
    return vepoll_socketpair_write(s, end, wbuf, n, 0);
}

static ssize_t rd(vepoll_socketpair_t *s, int end, size_t n)
{
    return vepoll_socketpair_read(s, end, rbuf, n, 0);
}

static void shut(vepoll_socketpair_t *s, int end, int how)
{
    assert_int_equal(vepoll_socketpair_shutdown(s, end, how), 0);
}

static void closeend(vepoll_socketpair_t *s, int end)
{
    assert_int_equal(vepoll_socketpair_close(s, end), 0);
}

static void closeboth(vepoll_socketpair_t *s)
{
    closeend(s, 0);
    closeend(s, 1);
}

/* ---- arguments and errors ------------------------------------------------- */

static void test_sp_create_rejects_bad_arguments(void **state)
{
    vepoll_socketpair_t *s = NULL;
    (void)state;
    assert_int_equal(vepoll_socketpair_create(NULL, 0, 0), -EINVAL);
    assert_int_equal(vepoll_socketpair_create(&s, 0, 1), -EINVAL);
    assert_int_equal(vepoll_socketpair_create(&s, ((size_t)1 << 30) + 1, 0), -EINVAL);
    assert_null(s);
}

static void test_sp_null_handle_bad_end_bad_how(void **state)
{
    vepoll_socketpair_t *s = newsp(0, 0);
    (void)state;
    assert_int_equal(vepoll_socketpair_read(NULL, 0, rbuf, 1, 0), -EBADF);
    assert_int_equal(vepoll_socketpair_write(NULL, 0, wbuf, 1, 0), -EBADF);
    assert_int_equal(vepoll_socketpair_shutdown(NULL, 0, VEPOLL_SHUT_WR), -EBADF);
    assert_int_equal(vepoll_socketpair_close(NULL, 0), -EBADF);
    assert_null(vepoll_socketpair_source(NULL, 0));
    assert_int_equal(vepoll_socketpair_pending(NULL, 0), 0);
    assert_int_equal(vepoll_socketpair_read(s, 2, rbuf, 1, 0), -EINVAL);
    assert_int_equal(vepoll_socketpair_write(s, -1, wbuf, 1, 0), -EINVAL);
    assert_int_equal(vepoll_socketpair_shutdown(s, 2, VEPOLL_SHUT_WR), -EINVAL);
    assert_int_equal(vepoll_socketpair_close(s, 2), -EINVAL);
    assert_null(SRC(s, 2));
    assert_int_equal(vepoll_socketpair_shutdown(s, 0, 3), -EINVAL);
    assert_int_equal(vepoll_socketpair_shutdown(s, 0, -1), -EINVAL);
    assert_int_equal(wr(s, 0, 1), 1); /* the failed shutdowns changed nothing */
    closeboth(s);
}

static void test_sp_round_trip_both_directions(void **state)
{
    vepoll_socketpair_t *s = newsp(0, 0);
    (void)state;
    for (size_t i = 0; i < 9000; i++)
        wbuf[i] = (unsigned char)(i * 7 + 3);
    assert_int_equal(wr(s, 0, 9000), 9000);
    assert_int_equal(vepoll_socketpair_write(s, 1, "xyz", 3, 0), 3);
    assert_int_equal(vepoll_socketpair_pending(s, 1), 9000);
    assert_int_equal(vepoll_socketpair_pending(s, 0), 3);
    memset(rbuf, 0, 9000);
    assert_int_equal(rd(s, 1, 100), 100);
    assert_int_equal(vepoll_socketpair_read(s, 1, rbuf + 100, 10000, 0), 8900);
    assert_memory_equal(rbuf, wbuf, 9000);
    assert_int_equal(rd(s, 0, 10), 3);
    assert_memory_equal(rbuf, "xyz", 3);
    assert_int_equal(rd(s, 0, 10), -EAGAIN);
    closeboth(s);
}

static void test_sp_zero_length_null_buffer_and_nonblock(void **state)
{
    vepoll_socketpair_t *s = newsp(0, VEPOLL_NONBLOCK);
    int64_t t0 = vt_now_ns();
    (void)state;
    assert_int_equal(vepoll_socketpair_read(s, 0, NULL, 0, 0), 0);
    assert_int_equal(vepoll_socketpair_write(s, 0, NULL, 0, 0), 0);
    assert_int_equal(vepoll_socketpair_read(s, 0, NULL, 1, 0), -EFAULT);
    assert_int_equal(vepoll_socketpair_write(s, 0, NULL, 1, 0), -EFAULT);
    assert_int_equal(vepoll_socketpair_read(s, 0, rbuf, 1, -1), -EAGAIN);
    assert_int_equal(vepoll_socketpair_read(s, 0, rbuf, 1, 5 * VT_SEC), -EAGAIN);
    assert_true(vt_now_ns() - t0 < 4 * VT_SEC);
    shut(s, 0, VEPOLL_SHUT_WR);
    assert_int_equal(wr(s, 0, 0), -EPIPE); /* Linux checks shutdown first */
    closeboth(s);
}

static void test_sp_closed_end_is_ebadf_peer_lives_on(void **state)
{
    vepoll_socketpair_t *s = newsp(0, 0);
    (void)state;
    assert_int_equal(wr(s, 1, 5), 5);
    closeend(s, 0);
    assert_int_equal(vepoll_socketpair_close(s, 0), -EBADF);
    assert_int_equal(rd(s, 0, 1), -EBADF);
    assert_int_equal(wr(s, 0, 1), -EBADF);
    assert_int_equal(vepoll_socketpair_shutdown(s, 0, VEPOLL_SHUT_RD), -EBADF);
    assert_int_equal(vepoll_socketpair_pending(s, 0), 0);
    assert_null(SRC(s, 0));
    assert_non_null(SRC(s, 1));
    assert_int_equal(wr(s, 1, 1), -EPIPE);
    closeend(s, 1);
}

/* ---- capacity and chunks ---------------------------------------------------- */

static void test_sp_capacity_partial_write_then_eagain(void **state)
{
    vepoll_socketpair_t *s = newsp(1000, 0);
    (void)state;
    assert_int_equal(wr(s, 0, 1500), 1000);
    assert_int_equal(wr(s, 0, 1), -EAGAIN);
    assert_int_equal(wr(s, 1, 1000), 1000); /* the other direction is separate */
    closeboth(s);
}

static void test_sp_space_returns_only_when_a_write_is_fully_read(void **state)
{
    vepoll_socketpair_t *s = newsp(100, 0);
    (void)state;
    assert_int_equal(wr(s, 0, 60), 60);
    assert_int_equal(wr(s, 0, 40), 40);
    assert_int_equal(rd(s, 1, 50), 50);
    assert_int_equal(wr(s, 0, 1), -EAGAIN); /* the first write is half read */
    assert_int_equal(vepoll_source_ready(SRC(s, 0)) & WRB, 0);
    assert_int_equal(rd(s, 1, 10), 10);
    assert_int_equal(wr(s, 0, 100), 60);
    assert_int_equal(vepoll_socketpair_pending(s, 1), 100);
    closeboth(s);
}

static void test_sp_at_most_capacity_over_256_writes_queued(void **state)
{
    vepoll_socketpair_t *s = newsp(4096, 0); /* max(16, 4096 / 256) = 16 */
    (void)state;
    for (int i = 0; i < 16; i++)
        assert_int_equal(wr(s, 0, 1), 1);
    assert_int_equal(wr(s, 0, 1), -EAGAIN);
    assert_int_equal(vepoll_source_ready(SRC(s, 0)) & WRB, 0);
    assert_int_equal(rd(s, 1, 1), 1);
    assert_int_equal(wr(s, 0, 1000), 1000);
    closeboth(s);
}

/* ---- readiness ---------------------------------------------------------------- */

static void test_sp_S096_fresh_pair(void **state)
{
    vepoll_socketpair_t *s = newsp(0, 0);
    vepoll_t *e = vt_new_ep(), *e2 = vt_new_ep();
    (void)state;
    VT_ADD(e, VT_FD_A, SRC(s, 0), VEPOLL_IN, 1);
    vt_expect_none(e, 8);
    VT_ADD(e2, VT_FD_B, SRC(s, 1), VEPOLL_OUT, 2);
    vt_expect_events(e2, 8, {2, VEPOLL_OUT});
    assert_int_equal(vepoll_source_ready(SRC(s, 0)), WRB);
    vt_free_ep(e);
    vt_free_ep(e2);
    closeboth(s);
}

static void test_sp_wrband_and_rdnorm_reported_when_asked(void **state)
{
    vepoll_socketpair_t *s = newsp(0, 0);
    vepoll_t *e = vt_new_ep();
    (void)state;
    VT_ADD(e, VT_FD_A, SRC(s, 0), VEPOLL_WRBAND | VEPOLL_RDNORM, 1);
    vt_expect_events(e, 8, {1, VEPOLL_WRBAND});
    assert_int_equal(wr(s, 1, 1), 1);
    vt_expect_events(e, 8, {1, VEPOLL_WRBAND | VEPOLL_RDNORM});
    vt_free_ep(e);
    closeboth(s);
}

static void test_sp_S028_one_entry_bits_combined(void **state)
{
    vepoll_socketpair_t *s = newsp(0, 0);
    vepoll_t *e = vt_new_ep();
    (void)state;
    VT_ADD(e, VT_FD_A, SRC(s, 0), IOR, 1);
    assert_int_equal(wr(s, 1, 1), 1);
    shut(s, 1, VEPOLL_SHUT_WR);
    vt_expect_events(e, 8, {1, IOR});
    vt_free_ep(e);
    closeboth(s);
}

static void test_sp_S029_two_lt_sources(void **state)
{
    vepoll_socketpair_t *s = newsp(0, 0), *t = newsp(0, 0);
    vepoll_t *e = vt_new_ep();
    struct vepoll_event ev[4];
    (void)state;
    VT_ADD(e, 1, SRC(s, 0), VEPOLL_IN, 1);
    VT_ADD(e, 2, SRC(t, 0), VEPOLL_IN, 2);
    assert_int_equal(wr(s, 1, 1), 1);
    assert_int_equal(wr(t, 1, 1), 1);
    assert_int_equal(vepoll_wait(e, ev, 2, 0), 2);
    assert_int_equal(vepoll_wait(e, ev, 2, 0), 2);
    vt_free_ep(e);
    closeboth(s);
    closeboth(t);
}

static void test_sp_S039_S114_every_write_rearms_et_partial_read_does_not(void **state)
{
    vepoll_socketpair_t *s = newsp(0, VEPOLL_NONBLOCK);
    vepoll_t *e = vt_new_ep();
    (void)state;
    VT_ADD(e, VT_FD_A, SRC(s, 0), VEPOLL_IN | VEPOLL_ET, 1);
    assert_int_equal(wr(s, 1, 1), 1);
    vt_expect_events(e, 8, {1, VEPOLL_IN});
    assert_int_equal(wr(s, 1, 1), 1);
    vt_expect_events(e, 8, {1, VEPOLL_IN});
    assert_int_equal(rd(s, 0, 1), 1); /* 1 left */
    vt_expect_none(e, 8);
    vt_free_ep(e);
    closeboth(s);
}

static void test_sp_S043_et_reports_all_ready_requested_bits(void **state)
{
    vepoll_socketpair_t *s = newsp(0, 0);
    vepoll_t *e = vt_new_ep();
    (void)state;
    VT_ADD(e, VT_FD_A, SRC(s, 0), VEPOLL_OUT | VEPOLL_ET, 1);
    vt_expect_events(e, 8, {1, VEPOLL_OUT});
    VT_MOD(e, VT_FD_A, SRC(s, 0), IOR | VEPOLL_ET, 1);
    vt_expect_events(e, 8, {1, VEPOLL_OUT});
    assert_int_equal(wr(s, 1, 1), 1);
    vt_expect_events(e, 8, {1, VEPOLL_IN | VEPOLL_OUT});
    vt_expect_none(e, 8);
    vt_free_ep(e);
    closeboth(s);
}

static void test_sp_S044_et_edges_are_per_kind(void **state)
{
    vepoll_socketpair_t *s = newsp(0, 0);
    vepoll_t *e = vt_new_ep();
    (void)state;
    VT_ADD(e, VT_FD_A, SRC(s, 0), VEPOLL_IN | VEPOLL_ET, 1);
    assert_int_equal(wr(s, 1, 1), 1);
    vt_expect_events(e, 8, {1, VEPOLL_IN});
    assert_int_equal(wr(s, 0, 1), 1);
    assert_int_equal(rd(s, 1, 1), 1); /* OUT-kind wake-up of end 0 */
    vt_expect_none(e, 8);
    VT_MOD(e, VT_FD_A, SRC(s, 0), VEPOLL_IN | VEPOLL_OUT | VEPOLL_ET, 1);
    vt_expect_events(e, 8, {1, VEPOLL_IN | VEPOLL_OUT});
    assert_int_equal(wr(s, 0, 1), 1);
    assert_int_equal(rd(s, 1, 1), 1);
    vt_expect_events(e, 8, {1, VEPOLL_IN | VEPOLL_OUT});
    vt_free_ep(e);
    closeboth(s);
}

static void test_sp_S046_et_out_edge_when_peer_reads(void **state)
{
    vepoll_socketpair_t *s = newsp(0, 0);
    vepoll_t *e = vt_new_ep();
    (void)state;
    VT_ADD(e, VT_FD_A, SRC(s, 0), VEPOLL_OUT | VEPOLL_ET, 1);
    vt_expect_events(e, 8, {1, VEPOLL_OUT});
    assert_int_equal(wr(s, 0, 1), 1);
    vt_expect_none(e, 8);
    assert_int_equal(rd(s, 1, 1), 1);
    vt_expect_events(e, 8, {1, VEPOLL_OUT});
    vt_expect_none(e, 8);
    vt_free_ep(e);
    closeboth(s);
}

/* sock_wfree -> unix_write_space runs when an skb is freed, i.e. when a
 * write has been read completely: a partial read wakes nobody. */
static void test_sp_partial_read_of_a_write_is_not_an_out_event(void **state)
{
    vepoll_socketpair_t *s = newsp(0, 0);
    vepoll_t *e = vt_new_ep();
    (void)state;
    VT_ADD(e, VT_FD_A, SRC(s, 0), VEPOLL_OUT | VEPOLL_ET, 1);
    vt_expect_events(e, 8, {1, VEPOLL_OUT});
    assert_int_equal(wr(s, 0, 2), 2);
    assert_int_equal(rd(s, 1, 1), 1);
    vt_expect_none(e, 8);
    assert_int_equal(rd(s, 1, 1), 1);
    vt_expect_events(e, 8, {1, VEPOLL_OUT});
    vt_free_ep(e);
    closeboth(s);
}

/* sock_def_readable wakes with IN|PRI|RDNORM|RDBAND: an ET entry asking for
 * PRI gets queued by a write and reports what is ready. */
static void test_sp_data_wakeup_key_includes_pri(void **state)
{
    vepoll_socketpair_t *s = newsp(0, 0);
    vepoll_t *e = vt_new_ep();
    (void)state;
    VT_ADD(e, VT_FD_A, SRC(s, 0), VEPOLL_OUT | VEPOLL_PRI | VEPOLL_ET, 1);
    vt_expect_events(e, 8, {1, VEPOLL_OUT});
    vt_expect_none(e, 8);
    assert_int_equal(wr(s, 1, 1), 1);
    vt_expect_events(e, 8, {1, VEPOLL_OUT});
    vt_free_ep(e);
    closeboth(s);
}

static void test_sp_S107_peer_shuts_down_writing(void **state)
{
    vepoll_socketpair_t *s = newsp(0, 0);
    vepoll_t *e = vt_new_ep();
    (void)state;
    VT_ADD(e, VT_FD_A, SRC(s, 0), IOR, 1);
    VT_ADD(e, VT_FD_DUP, SRC(s, 0), VEPOLL_IN | VEPOLL_OUT, 2);
    vt_expect_events(e, 8, {1, VEPOLL_OUT}, {2, VEPOLL_OUT});
    shut(s, 1, VEPOLL_SHUT_WR);
    vt_expect_events_any(e, 8, {1, IOR}, {2, VEPOLL_IN | VEPOLL_OUT});
    vt_expect_events_any(e, 8, {1, IOR}, {2, VEPOLL_IN | VEPOLL_OUT});
    assert_int_equal(rd(s, 0, 1), 0);
    assert_int_equal(wr(s, 1, 1), -EPIPE);
    assert_int_equal(wr(s, 0, 1), 1); /* the other direction still works */
    vt_free_ep(e);
    closeboth(s);
}

static void test_sp_S108_rdhup_only(void **state)
{
    vepoll_socketpair_t *s = newsp(0, 0);
    vepoll_t *e = vt_new_ep();
    (void)state;
    VT_ADD(e, VT_FD_A, SRC(s, 0), VEPOLL_RDHUP, 1);
    vt_expect_none(e, 8);
    shut(s, 1, VEPOLL_SHUT_WR);
    vt_expect_events(e, 8, {1, VEPOLL_RDHUP});
    vt_expect_events(e, 8, {1, VEPOLL_RDHUP});
    shut(s, 0, VEPOLL_SHUT_WR);
    vt_expect_events(e, 8, {1, VEPOLL_RDHUP | VEPOLL_HUP});
    vt_expect_events(e, 8, {1, VEPOLL_RDHUP | VEPOLL_HUP});
    vt_free_ep(e);
    closeboth(s);
}

static void test_sp_S109_hup_needs_both_directions(void **state)
{
    vepoll_socketpair_t *s = newsp(0, 0);
    vepoll_t *e = vt_new_ep();
    (void)state;
    VT_ADD(e, VT_FD_A, SRC(s, 0), VEPOLL_ET, 1);
    shut(s, 1, VEPOLL_SHUT_WR);
    vt_expect_none(e, 8);
    shut(s, 0, VEPOLL_SHUT_WR);
    vt_expect_events(e, 8, {1, VEPOLL_HUP});
    vt_expect_none(e, 8);
    vt_free_ep(e);
    closeboth(s);
}

static void test_sp_S110_own_write_shutdown_still_writable(void **state)
{
    vepoll_socketpair_t *s = newsp(0, 0);
    vepoll_t *e = vt_new_ep();
    (void)state;
    VT_ADD(e, VT_FD_A, SRC(s, 0), IOR, 1);
    VT_ADD(e, VT_FD_B, SRC(s, 1), IOR, 2);
    vt_expect_events(e, 8, {1, VEPOLL_OUT}, {2, VEPOLL_OUT});
    shut(s, 0, VEPOLL_SHUT_WR);
    vt_expect_events_any(e, 8, {1, VEPOLL_OUT}, {2, IOR});
    assert_int_equal(wr(s, 0, 1), -EPIPE);
    vt_free_ep(e);
    closeboth(s);
}

static void test_sp_S111_own_read_shutdown(void **state)
{
    vepoll_socketpair_t *s = newsp(0, 0);
    vepoll_t *e = vt_new_ep();
    (void)state;
    assert_int_equal(wr(s, 1, 2), 2);
    VT_ADD(e, VT_FD_A, SRC(s, 0), IOR, 1);
    shut(s, 0, VEPOLL_SHUT_RD);
    vt_expect_events(e, 8, {1, IOR});
    assert_int_equal(wr(s, 1, 1), -EPIPE); /* the peer may not send any more */
    assert_int_equal(rd(s, 0, 5), 2);      /* queued data is still read */
    assert_int_equal(rd(s, 0, 5), 0);
    vt_free_ep(e);
    closeboth(s);
}

static void test_sp_S112_peer_closes(void **state)
{
    vepoll_socketpair_t *s = newsp(0, 0);
    vepoll_t *e = vt_new_ep();
    (void)state;
    assert_int_equal(wr(s, 1, 1), 1); /* unread by end 0: no reset */
    VT_ADD(e, VT_FD_A, SRC(s, 0), IOR, 1);
    VT_ADD(e, VT_FD_DUP, SRC(s, 0), 0, 2);
    closeend(s, 1);
    vt_expect_events_any(e, 8, {1, IOR | VEPOLL_HUP}, {2, VEPOLL_HUP});
    assert_int_equal(wr(s, 0, 1), -EPIPE);
    vt_expect_events_any(e, 8, {1, IOR | VEPOLL_HUP}, {2, VEPOLL_HUP});
    assert_int_equal(rd(s, 0, 5), 1);
    assert_int_equal(rd(s, 0, 5), 0);
    vt_free_ep(e);
    closeend(s, 0);
}

/* unix_release_sock: closing with unread data in one's own queue sets
 * ECONNRESET on the peer: ERR until a read reports it. */
static void test_sp_close_with_unread_data_resets_peer(void **state)
{
    vepoll_socketpair_t *s = newsp(0, 0);
    vepoll_t *e = vt_new_ep();
    (void)state;
    assert_int_equal(wr(s, 0, 3), 3); /* for end 1, never read */
    assert_int_equal(wr(s, 1, 2), 2); /* for end 0 */
    VT_ADD(e, VT_FD_A, SRC(s, 0), IOR, 1);
    closeend(s, 1);
    vt_expect_events(e, 8, {1, IOR | VEPOLL_HUP | VEPOLL_ERR});
    assert_int_equal(wr(s, 0, 1), -EPIPE); /* shutdown wins, ERR stays */
    assert_int_equal(rd(s, 0, 5), 2);      /* data first */
    assert_int_equal(rd(s, 0, 5), -ECONNRESET);
    vt_expect_events(e, 8, {1, IOR | VEPOLL_HUP});
    assert_int_equal(rd(s, 0, 5), 0);
    vt_free_ep(e);
    closeend(s, 0);
}

static void test_sp_S113_et_shutdown_sequence(void **state)
{
    vepoll_socketpair_t *s = newsp(0, 0);
    vepoll_t *e = vt_new_ep();
    (void)state;
    VT_ADD(e, VT_FD_A, SRC(s, 0), IOR | VEPOLL_ET, 1);
    vt_expect_events(e, 8, {1, VEPOLL_OUT});
    shut(s, 1, VEPOLL_SHUT_WR);
    vt_expect_events(e, 8, {1, IOR});
    vt_expect_none(e, 8);
    shut(s, 0, VEPOLL_SHUT_RD);
    vt_expect_events(e, 8, {1, IOR});
    shut(s, 0, VEPOLL_SHUT_WR);
    vt_expect_events(e, 8, {1, IOR | VEPOLL_HUP});
    VT_MOD(e, VT_FD_A, SRC(s, 0), VEPOLL_ET, 1);
    vt_expect_events(e, 8, {1, VEPOLL_HUP});
    vt_expect_none(e, 8);
    VT_MOD(e, VT_FD_A, SRC(s, 0), VEPOLL_OUT, 1);
    vt_expect_events(e, 8, {1, VEPOLL_OUT | VEPOLL_HUP});
    vt_expect_events(e, 8, {1, VEPOLL_OUT | VEPOLL_HUP});
    VT_MOD(e, VT_FD_A, SRC(s, 0), VEPOLL_OUT | VEPOLL_ET, 1);
    vt_expect_events(e, 8, {1, VEPOLL_OUT | VEPOLL_HUP});
    vt_expect_none(e, 8);
    vt_free_ep(e);
    closeboth(s);
}

static void test_sp_repeated_shutdown_wakes_again(void **state)
{
    vepoll_socketpair_t *s = newsp(0, 0);
    vepoll_t *e = vt_new_ep();
    (void)state;
    VT_ADD(e, VT_FD_A, SRC(s, 0), IOR | VEPOLL_ET, 1);
    vt_expect_events(e, 8, {1, VEPOLL_OUT});
    shut(s, 0, VEPOLL_SHUT_WR);
    vt_expect_events(e, 8, {1, VEPOLL_OUT});
    shut(s, 0, VEPOLL_SHUT_WR); /* sk_state_change again */
    vt_expect_events(e, 8, {1, VEPOLL_OUT});
    vt_expect_none(e, 8);
    vt_free_ep(e);
    closeboth(s);
}

static void test_sp_S060_oneshot_rearmed_for_rdhup(void **state)
{
    vepoll_socketpair_t *s = newsp(0, 0);
    vepoll_t *e = vt_new_ep();
    (void)state;
    assert_int_equal(wr(s, 1, 1), 1);
    VT_ADD(e, VT_FD_A, SRC(s, 0), VEPOLL_IN | VEPOLL_ONESHOT, 1);
    vt_expect_events(e, 8, {1, VEPOLL_IN});
    assert_int_equal(rd(s, 0, 1), 1);
    vt_expect_none(e, 8);
    VT_MOD(e, VT_FD_A, SRC(s, 0), VEPOLL_RDHUP | VEPOLL_ONESHOT, 2);
    assert_int_equal(wr(s, 1, 1), 1);
    shut(s, 1, VEPOLL_SHUT_WR);
    vt_expect_events(e, 8, {2, VEPOLL_RDHUP});
    vt_expect_none(e, 8);
    vt_free_ep(e);
    closeboth(s);
}

/* ---- blocking ---------------------------------------------------------------- */

static void test_sp_timeouts_wait_at_least_the_timeout(void **state)
{
    vepoll_socketpair_t *s = newsp(100, 0);
    int64_t t0 = vt_now_ns();
    (void)state;
    assert_int_equal(vepoll_socketpair_read(s, 0, rbuf, 1, 40 * VT_MS), -EAGAIN);
    assert_true(vt_now_ns() - t0 >= 40 * VT_MS);
    t0 = vt_now_ns();
    assert_int_equal(vepoll_socketpair_write(s, 0, wbuf, 150, 40 * VT_MS), 100);
    assert_true(vt_now_ns() - t0 >= 40 * VT_MS);
    closeboth(s);
}

enum { ACT_WRITE, ACT_READ, ACT_SHUT_WR, ACT_CLOSE };

struct actor {
    pthread_t th;
    vepoll_socketpair_t *s;
    int act, end;
    size_t n;
};

static void *actor_main(void *arg)
{
    struct actor *a = arg;
    static unsigned char junk[1 << 16];
    vt_sleep_ns(30 * VT_MS);
    switch (a->act) {
    case ACT_WRITE:
        (void)vepoll_socketpair_write(a->s, a->end, wbuf, a->n, 0);
        break;
    case ACT_READ:
        (void)vepoll_socketpair_read(a->s, a->end, junk, a->n, 0);
        break;
    case ACT_SHUT_WR:
        (void)vepoll_socketpair_shutdown(a->s, a->end, VEPOLL_SHUT_WR);
        break;
    default:
        (void)vepoll_socketpair_close(a->s, a->end);
        break;
    }
    return NULL;
}

static void actor_run(struct actor *a, vepoll_socketpair_t *s, int act, int end, size_t n)
{
    a->s = s;
    a->act = act;
    a->end = end;
    a->n = n;
    assert_int_equal(pthread_create(&a->th, NULL, actor_main, a), 0);
}

static void actor_join(struct actor *a)
{
    assert_int_equal(pthread_join(a->th, NULL), 0);
}

static void test_sp_blocked_reader_woken_by_data(void **state)
{
    vepoll_socketpair_t *s = newsp(0, 0);
    struct actor a;
    (void)state;
    actor_run(&a, s, ACT_WRITE, 1, 7);
    assert_int_equal(vepoll_socketpair_read(s, 0, rbuf, 100, 20 * VT_SEC), 7);
    actor_join(&a);
    closeboth(s);
}

static void test_sp_blocked_reader_woken_by_peer_shutdown(void **state)
{
    vepoll_socketpair_t *s = newsp(0, 0);
    struct actor a;
    (void)state;
    actor_run(&a, s, ACT_SHUT_WR, 1, 0);
    assert_int_equal(vepoll_socketpair_read(s, 0, rbuf, 100, -1), 0);
    actor_join(&a);
    closeboth(s);
}

static void test_sp_blocked_reader_woken_by_peer_close(void **state)
{
    vepoll_socketpair_t *s = newsp(0, 0);
    struct actor a;
    (void)state;
    actor_run(&a, s, ACT_CLOSE, 1, 0);
    assert_int_equal(vepoll_socketpair_read(s, 0, rbuf, 100, -1), 0);
    actor_join(&a);
    closeend(s, 0);
}

/* VEPOLL_CALLER_PINS: calls take no reference of their own; the end's
 * reference keeps the pair alive, so the peer may still be closed during a
 * call: a blocked read of a pinned pair is woken by data, then by the
 * peer's close (EOF), and the last close frees the pair (ASan: no leak, no
 * use after free). */
static void test_sp_pinned_behaves_the_same(void **state)
{
    vepoll_socketpair_t *s = newsp(0, VEPOLL_CALLER_PINS);
    struct actor a;
    (void)state;
    actor_run(&a, s, ACT_WRITE, 1, 7);
    assert_int_equal(vepoll_socketpair_read(s, 0, rbuf, 100, 20 * VT_SEC), 7);
    actor_join(&a);
    actor_run(&a, s, ACT_CLOSE, 1, 0);
    assert_int_equal(vepoll_socketpair_read(s, 0, rbuf, 100, -1), 0);
    actor_join(&a);
    closeend(s, 0);
    s = NULL;
    assert_int_equal(vepoll_socketpair_create(&s, 0, VEPOLL_CALLER_PINS >> 1), -EINVAL);
    assert_null(s);
}

static void test_sp_blocked_reader_gets_ebadf_when_own_end_closed(void **state)
{
    vepoll_socketpair_t *s = newsp(0, 0);
    struct actor a;
    (void)state;
    actor_run(&a, s, ACT_CLOSE, 0, 0);
    assert_int_equal(vepoll_socketpair_read(s, 0, rbuf, 100, -1), -EBADF);
    actor_join(&a);
    closeend(s, 1);
}

static void test_sp_blocked_writer_woken_when_write_fully_read(void **state)
{
    vepoll_socketpair_t *s = newsp(100, 0);
    struct actor a;
    (void)state;
    assert_int_equal(wr(s, 0, 100), 100);
    actor_run(&a, s, ACT_READ, 1, 100);
    assert_int_equal(vepoll_socketpair_write(s, 0, wbuf, 50, 20 * VT_SEC), 50);
    actor_join(&a);
    closeboth(s);
}

static void test_sp_blocked_writer_gets_econnreset_when_peer_closes_unread(void **state)
{
    vepoll_socketpair_t *s = newsp(100, 0);
    struct actor a;
    (void)state;
    assert_int_equal(wr(s, 0, 100), 100);
    actor_run(&a, s, ACT_CLOSE, 1, 0);
    assert_int_equal(vepoll_socketpair_write(s, 0, wbuf, 1, -1), -ECONNRESET);
    actor_join(&a);
    assert_int_equal(wr(s, 0, 1), -EPIPE); /* reported once */
    closeend(s, 0);
}

static void test_sp_blocked_writer_gets_epipe_on_own_write_shutdown(void **state)
{
    vepoll_socketpair_t *s = newsp(100, 0);
    struct actor a;
    (void)state;
    assert_int_equal(wr(s, 0, 100), 100);
    actor_run(&a, s, ACT_SHUT_WR, 0, 0); /* own SHUT_WR from another thread */
    assert_int_equal(vepoll_socketpair_write(s, 0, wbuf, 1, -1), -EPIPE);
    actor_join(&a);
    closeboth(s);
}

/* ---- recv and send flags --------------------------------------------------------- */

#define PEEK VEPOLL_MSG_PEEK
#define WAITALL VEPOLL_MSG_WAITALL
#define DONTWAIT VEPOLL_MSG_DONTWAIT

static ssize_t rcv(vepoll_socketpair_t *s, int end, size_t n, int flags, int64_t timeout)
{
    memset(rbuf, 0, n < sizeof rbuf ? n : sizeof rbuf);
    return vepoll_socketpair_recv(s, end, rbuf, n, flags, timeout);
}

static ssize_t wrs(vepoll_socketpair_t *s, int end, const char *str)
{
    return vepoll_socketpair_write(s, end, str, strlen(str), 0);
}

static void test_sp_S163_peek_copies_without_consuming_or_waking_the_writer(void **state)
{
    struct vt_fx *fx = *state;
    vepoll_socketpair_t *s = newsp(8, 0);
    VT_ADD(fx->e, 4, SRC(s, 1), VEPOLL_OUT | VEPOLL_ET, 1);
    vt_expect1(fx->e, VEPOLL_OUT, 1);
    assert_int_equal(wrs(s, 1, "abc"), 3);
    assert_int_equal(wrs(s, 1, "defgh"), 5); /* full: 8 bytes */
    vt_expect_none(fx->e, 4);
    /* A peek spans chunks, and takes nothing. */
    assert_int_equal(rcv(s, 0, 6, PEEK, 0), 6);
    assert_memory_equal(rbuf, "abcdef", 6);
    assert_int_equal(rcv(s, 0, 100, PEEK | DONTWAIT, -1), 8);
    assert_memory_equal(rbuf, "abcdefgh", 8);
    assert_int_equal(vepoll_socketpair_pending(s, 0), 8);
    /* It freed no space: no OUT event for the writer, still full. */
    vt_expect_none(fx->e, 4);
    assert_int_equal(wr(s, 1, 1), -EAGAIN);
    assert_int_equal(vepoll_source_ready(SRC(s, 1)) & VEPOLL_OUT, 0);
    /* The read takes the same bytes; the first chunk's space comes back. */
    assert_int_equal(rcv(s, 0, 3, 0, 0), 3);
    assert_memory_equal(rbuf, "abc", 3);
    vt_expect1(fx->e, VEPOLL_OUT, 1);
    assert_int_equal(rcv(s, 0, 2, PEEK, 0), 2);
    assert_memory_equal(rbuf, "de", 2);
    closeboth(s);
}

static void test_sp_S164_waitall_takes_until_len_eof_or_timeout(void **state)
{
    vepoll_socketpair_t *s = newsp(0, 0);
    struct actor a;
    (void)state;
    /* Non-blocking WAITALL: what is there. */
    assert_int_equal(wrs(s, 1, "ab"), 2);
    assert_int_equal(rcv(s, 0, 10, WAITALL, 0), 2);
    /* Blocking: across several writes until len. */
    assert_int_equal(wrs(s, 1, "ab"), 2);
    actor_run(&a, s, ACT_WRITE, 1, 5);
    assert_int_equal(rcv(s, 0, 7, WAITALL, 20 * VT_SEC), 7);
    actor_join(&a);
    assert_memory_equal(rbuf, "ab", 2);
    assert_memory_equal(rbuf + 2, wbuf, 5);
    /* A timeout ends it with what was taken. */
    assert_int_equal(wrs(s, 1, "xyz"), 3);
    assert_int_equal(rcv(s, 0, 10, WAITALL, 10 * VT_MS), 3);
    assert_memory_equal(rbuf, "xyz", 3);
    /* So does EOF (the peer shuts down writing meanwhile). */
    assert_int_equal(wrs(s, 1, "q"), 1);
    actor_run(&a, s, ACT_SHUT_WR, 1, 0);
    assert_int_equal(rcv(s, 0, 10, WAITALL, -1), 1);
    actor_join(&a);
    assert_int_equal(rcv(s, 0, 10, WAITALL, -1), 0);
    closeboth(s);
}

static void test_sp_S164_waitall_with_bytes_consumes_a_pending_reset(void **state)
{
    vepoll_socketpair_t *s = newsp(0, 0), *t = newsp(0, 0);
    (void)state;
    /* End 1 closes with unread data: end 0 gets ECONNRESET pending, and
     * keeps the 2 bytes queued for it. */
    assert_int_equal(wrs(s, 0, "u"), 1);
    assert_int_equal(wrs(s, 1, "hi"), 2);
    closeend(s, 1);
    assert_int_equal(vepoll_source_ready(SRC(s, 0)) & VEPOLL_ERR, VEPOLL_ERR);
    /* WAITALL takes the bytes, meets the error, consumes it, returns 2. */
    assert_int_equal(rcv(s, 0, 10, WAITALL, 0), 2);
    assert_int_equal(vepoll_source_ready(SRC(s, 0)) & VEPOLL_ERR, 0);
    assert_int_equal(rcv(s, 0, 10, 0, 0), 0); /* EOF, the reset is gone */
    closeend(s, 0);
    /* Without WAITALL the read stops at the bytes; the next one reports
     * the reset. */
    assert_int_equal(wrs(t, 0, "u"), 1);
    assert_int_equal(wrs(t, 1, "hi"), 2);
    closeend(t, 1);
    assert_int_equal(rcv(t, 0, 10, 0, 0), 2);
    assert_int_equal(rcv(t, 0, 10, 0, 0), -ECONNRESET);
    assert_int_equal(rcv(t, 0, 10, 0, 0), 0);
    closeend(t, 0);
}

static void test_sp_S164_peek_waitall_waits_for_data_then_peeks_what_is_there(void **state)
{
    vepoll_socketpair_t *s = newsp(0, 0);
    struct actor a;
    (void)state;
    actor_run(&a, s, ACT_WRITE, 1, 3);
    assert_int_equal(rcv(s, 0, 10, PEEK | WAITALL, -1), 3);
    actor_join(&a);
    assert_memory_equal(rbuf, wbuf, 3);
    assert_int_equal(vepoll_socketpair_pending(s, 0), 3);
    closeboth(s);
}

static void test_sp_S165_recv_of_zero_bytes_and_dontwait(void **state)
{
    vepoll_socketpair_t *s = newsp(0, 0);
    (void)state;
    /* Unlike read, recv of 0 bytes needs data or EOF. */
    assert_int_equal(rd(s, 0, 0), 0);
    assert_int_equal(rcv(s, 0, 0, 0, 0), -EAGAIN);
    assert_int_equal(rcv(s, 0, 0, DONTWAIT, -1), -EAGAIN); /* a blocking pair */
    assert_int_equal(rcv(s, 0, 5, DONTWAIT, -1), -EAGAIN);
    assert_int_equal(wrs(s, 1, "abc"), 3);
    assert_int_equal(rcv(s, 0, 0, 0, 0), 0);
    assert_int_equal(rcv(s, 0, 0, PEEK, 0), 0);
    assert_int_equal(vepoll_socketpair_pending(s, 0), 3);
    assert_int_equal(rcv(s, 0, 5, 0, 0), 3);
    shut(s, 1, VEPOLL_SHUT_WR);
    assert_int_equal(rcv(s, 0, 0, 0, 0), 0);
    assert_int_equal(rcv(s, 0, 4, PEEK, -1), 0);
    /* A NULL buffer is EFAULT when there is something to copy only. */
    assert_int_equal(vepoll_socketpair_recv(s, 0, NULL, 4, 0, 0), 0);
    assert_int_equal(vepoll_socketpair_recv(s, 1, NULL, 4, 0, 0), -EAGAIN);
    assert_int_equal(wrs(s, 0, "abc"), 3);
    assert_int_equal(vepoll_socketpair_recv(s, 1, NULL, 4, 0, 0), -EFAULT);
    assert_int_equal(vepoll_socketpair_pending(s, 1), 3);
    closeboth(s);
}

static void test_sp_S166_flags_and_send(void **state)
{
    vepoll_socketpair_t *s = newsp(4, 0);
    (void)state;
    assert_int_equal(vepoll_socketpair_recv(NULL, 0, rbuf, 1, 0, 0), -EBADF);
    assert_int_equal(vepoll_socketpair_send(NULL, 0, wbuf, 1, 0, 0), -EBADF);
    assert_int_equal(vepoll_socketpair_recv(s, 2, rbuf, 1, 0, 0), -EINVAL);
    assert_int_equal(vepoll_socketpair_send(s, -1, wbuf, 1, 0, 0), -EINVAL);
    assert_int_equal(rcv(s, 0, 1, VEPOLL_MSG_OOB, 0), -EINVAL); /* no OOB byte pending */
    assert_int_equal(rcv(s, 0, 1, 0x8, 0), -EINVAL);
    assert_int_equal(rcv(s, 0, 1, VEPOLL_MSG_NOSIGNAL | DONTWAIT, 0), -EAGAIN);
    assert_int_equal(vepoll_socketpair_send(s, 0, wbuf, 1, VEPOLL_MSG_OOB, 0), -EOPNOTSUPP);
    assert_int_equal(vepoll_socketpair_send(s, 0, wbuf, 1, PEEK, 0), -EINVAL);
    assert_int_equal(vepoll_socketpair_send(s, 0, wbuf, 1, WAITALL, 0), -EINVAL);
    /* DONTWAIT on a full blocking pair. */
    assert_int_equal(vepoll_socketpair_send(s, 0, wbuf, 3, VEPOLL_MSG_MORE, -1), 3);
    assert_int_equal(vepoll_socketpair_send(s, 0, wbuf, 1, 0, -1), 1);
    assert_int_equal(vepoll_socketpair_send(s, 0, wbuf, 1, DONTWAIT, -1), -EAGAIN);
    /* No signal either way: EPIPE. */
    shut(s, 0, VEPOLL_SHUT_WR);
    assert_int_equal(vepoll_socketpair_send(s, 0, wbuf, 1, VEPOLL_MSG_NOSIGNAL, 0), -EPIPE);
    assert_int_equal(vepoll_socketpair_send(s, 0, wbuf, 0, 0, 0), -EPIPE);
    closeboth(s);
}

/* ---- allocation ---------------------------------------------------------------- */

static int create_sp(void **out)
{
    vepoll_socketpair_t *s = NULL;
    int rc = vepoll_socketpair_create(&s, 0, 0);
    *out = s;
    return rc;
}

static void destroy_sp(void *s)
{
    closeboth(s);
}

static void test_sp_allocation_failures_leave_nothing_allocated(void **state)
{
    (void)state;
    vt_each_alloc_fails(create_sp, destroy_sp, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* first: vepoll_set_allocator needs no live object; the fixture
         * puts malloc back even when the sweep fails half-way */
        cmocka_unit_test_setup_teardown(test_sp_allocation_failures_leave_nothing_allocated,
                                        vt_reset_setup, vt_reset_teardown),
        cmocka_unit_test(test_sp_create_rejects_bad_arguments),
        cmocka_unit_test(test_sp_null_handle_bad_end_bad_how),
        cmocka_unit_test(test_sp_round_trip_both_directions),
        cmocka_unit_test(test_sp_zero_length_null_buffer_and_nonblock),
        cmocka_unit_test(test_sp_closed_end_is_ebadf_peer_lives_on),
        cmocka_unit_test(test_sp_capacity_partial_write_then_eagain),
        cmocka_unit_test(test_sp_space_returns_only_when_a_write_is_fully_read),
        cmocka_unit_test(test_sp_at_most_capacity_over_256_writes_queued),
        cmocka_unit_test(test_sp_S096_fresh_pair),
        cmocka_unit_test(test_sp_wrband_and_rdnorm_reported_when_asked),
        cmocka_unit_test(test_sp_S028_one_entry_bits_combined),
        cmocka_unit_test(test_sp_S029_two_lt_sources),
        cmocka_unit_test(test_sp_S039_S114_every_write_rearms_et_partial_read_does_not),
        cmocka_unit_test(test_sp_S043_et_reports_all_ready_requested_bits),
        cmocka_unit_test(test_sp_S044_et_edges_are_per_kind),
        cmocka_unit_test(test_sp_S046_et_out_edge_when_peer_reads),
        cmocka_unit_test(test_sp_partial_read_of_a_write_is_not_an_out_event),
        cmocka_unit_test(test_sp_data_wakeup_key_includes_pri),
        cmocka_unit_test(test_sp_S107_peer_shuts_down_writing),
        cmocka_unit_test(test_sp_S108_rdhup_only),
        cmocka_unit_test(test_sp_S109_hup_needs_both_directions),
        cmocka_unit_test(test_sp_S110_own_write_shutdown_still_writable),
        cmocka_unit_test(test_sp_S111_own_read_shutdown),
        cmocka_unit_test(test_sp_S112_peer_closes),
        cmocka_unit_test(test_sp_close_with_unread_data_resets_peer),
        cmocka_unit_test(test_sp_S113_et_shutdown_sequence),
        cmocka_unit_test(test_sp_repeated_shutdown_wakes_again),
        cmocka_unit_test(test_sp_S060_oneshot_rearmed_for_rdhup),
        cmocka_unit_test(test_sp_timeouts_wait_at_least_the_timeout),
        cmocka_unit_test(test_sp_blocked_reader_woken_by_data),
        cmocka_unit_test(test_sp_blocked_reader_woken_by_peer_shutdown),
        cmocka_unit_test(test_sp_blocked_reader_woken_by_peer_close),
        cmocka_unit_test(test_sp_blocked_reader_gets_ebadf_when_own_end_closed),
        cmocka_unit_test(test_sp_pinned_behaves_the_same),
        cmocka_unit_test(test_sp_blocked_writer_woken_when_write_fully_read),
        cmocka_unit_test(test_sp_blocked_writer_gets_econnreset_when_peer_closes_unread),
        cmocka_unit_test(test_sp_blocked_writer_gets_epipe_on_own_write_shutdown),
        cmocka_unit_test_setup_teardown(
            test_sp_S163_peek_copies_without_consuming_or_waking_the_writer, vt_fx_setup,
            vt_fx_teardown),
        cmocka_unit_test(test_sp_S164_waitall_takes_until_len_eof_or_timeout),
        cmocka_unit_test(test_sp_S164_waitall_with_bytes_consumes_a_pending_reset),
        cmocka_unit_test(test_sp_S164_peek_waitall_waits_for_data_then_peeks_what_is_there),
        cmocka_unit_test(test_sp_S165_recv_of_zero_bytes_and_dontwait),
        cmocka_unit_test(test_sp_S166_flags_and_send),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
