/* Unit tests of the test models' own rules (models.h): sizes, error codes,
 * capacity, readiness bits.  No scenario id: these check the fixtures. */
#include "vtest.h"

#define RD (VEPOLL_IN | VEPOLL_RDNORM)
#define WR (VEPOLL_OUT | VEPOLL_WRNORM)

/* ---- pipe ---- */

static void models_pipe_initial_state(void **state)
{
    (void)state;
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    assert_int_equal(p.cap, TPIPE_DEFAULT_CAP);
    assert_int_equal(p.len, 0);
    assert_non_null(p.r);
    assert_non_null(p.w);
    assert_int_equal(vepoll_source_ready(p.r), 0);
    assert_int_equal(vepoll_source_ready(p.w), WR);
    tpipe_destroy(&p);
}

static void models_pipe_read_write_sizes_and_bits(void **state)
{
    (void)state;
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    assert_int_equal(tpipe_read(&p, 10), -EAGAIN);
    assert_int_equal(tpipe_write(&p, 10), 10);
    assert_int_equal(vepoll_source_ready(p.r), RD);
    assert_int_equal(tpipe_read(&p, 4), 4);
    assert_int_equal(vepoll_source_ready(p.r), RD);
    assert_int_equal(tpipe_read(&p, 100), 6);
    assert_int_equal(vepoll_source_ready(p.r), 0);
    assert_int_equal(tpipe_read(&p, 1), -EAGAIN);
    assert_int_equal(tpipe_write(&p, 0), 0);
    assert_int_equal(tpipe_read(&p, 0), 0);
    tpipe_destroy(&p);
}

static void models_pipe_capacity_fill_drain(void **state)
{
    (void)state;
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    assert_int_equal(tpipe_fill(&p), 65536);
    assert_int_equal(p.len, 65536);
    assert_int_equal(vepoll_source_ready(p.w), 0);
    assert_int_equal(tpipe_write(&p, 1), -EAGAIN);
    assert_int_equal(tpipe_fill(&p), 0);
    assert_int_equal(tpipe_read(&p, 4095), 4095);
    assert_int_equal(vepoll_source_ready(p.w), 0); /* no whole free slot */
    assert_int_equal(tpipe_read(&p, 1), 1);
    assert_int_equal(vepoll_source_ready(p.w), WR);
    assert_int_equal(tpipe_drain(&p), 65536 - 4096);
    assert_int_equal(tpipe_drain(&p), 0);
    assert_int_equal(vepoll_source_ready(p.r), 0);
    tpipe_destroy(&p);
}

static void models_pipe_small_writes_atomic_large_partial(void **state)
{
    (void)state;
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    assert_int_equal(tpipe_write(&p, 65536 - 100), 65536 - 100);
    assert_int_equal(tpipe_write(&p, 200), -EAGAIN); /* <= PIPE_BUF: all or nothing */
    assert_int_equal(tpipe_write(&p, 4096), -EAGAIN);
    assert_int_equal(tpipe_write(&p, 100), 100);
    assert_int_equal(tpipe_drain(&p), 65536);
    assert_int_equal(tpipe_write(&p, 70000), 65536); /* larger: partial */
    assert_int_equal(tpipe_drain(&p), 65536);
    assert_int_equal(tpipe_write(&p, 60000), 60000);
    assert_int_equal(tpipe_write(&p, 10000), 65536 - 60000);
    tpipe_destroy(&p);
}

static void models_pipe_custom_capacity(void **state)
{
    (void)state;
    tpipe p;
    assert_int_equal(tpipe_init(&p, 8192), 0);
    assert_int_equal(p.cap, 8192);
    assert_int_equal(tpipe_fill(&p), 8192);
    assert_int_equal(vepoll_source_ready(p.w), 0);
    assert_int_equal(tpipe_read(&p, 4096), 4096);
    assert_int_equal(vepoll_source_ready(p.w), WR);
    tpipe_destroy(&p);
}

static void models_pipe_writer_closed(void **state)
{
    (void)state;
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    assert_int_equal(tpipe_write(&p, 3), 3);
    tpipe_close_w(&p);
    assert_null(p.w);
    assert_int_equal(vepoll_source_ready(p.r), RD | VEPOLL_HUP);
    assert_int_equal(tpipe_read(&p, 2), 2);
    assert_int_equal(tpipe_read(&p, 2), 1);
    assert_int_equal(vepoll_source_ready(p.r), VEPOLL_HUP); /* never RDHUP */
    assert_int_equal(tpipe_read(&p, 2), 0); /* EOF */
    assert_int_equal(tpipe_drain(&p), 0);
    tpipe_close_w(&p); /* idempotent */
    tpipe_destroy(&p);
}

static void models_pipe_reader_closed(void **state)
{
    (void)state;
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    tpipe_close_r(&p);
    assert_null(p.r);
    assert_int_equal(vepoll_source_ready(p.w), WR | VEPOLL_ERR);
    assert_int_equal(tpipe_write(&p, 1), -EPIPE);
    assert_int_equal(tpipe_fill(&p), -EPIPE);
    tpipe_destroy(&p);
}

static void models_pipe_reader_closed_when_full(void **state)
{
    (void)state;
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    assert_int_equal(tpipe_fill(&p), 65536);
    tpipe_close_r(&p);
    assert_int_equal(vepoll_source_ready(p.w), VEPOLL_ERR);
    tpipe_destroy(&p);
}

static void models_pipe_every_write_is_an_in_event(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tpipe p;
    assert_int_equal(tpipe_init(&p, 0), 0);
    VT_ADD(ep, VT_FD_R, p.r, VEPOLL_IN | VEPOLL_ET, 1);
    VT_ADD(ep, VT_FD_W, p.w, VEPOLL_OUT | VEPOLL_ET, 2);
    vt_expect_events(ep, 8, {2, VEPOLL_OUT});
    for (int i = 0; i < 3; i++) {
        assert_int_equal(tpipe_write(&p, 1), 1);
        vt_expect_events(ep, 8, {1, VEPOLL_IN}); /* and no OUT event */
    }
    assert_int_equal(tpipe_read(&p, 1), 1); /* not from full: no OUT event */
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tpipe_destroy(&p);
}

/* ---- eventfd counter ---- */

static void models_efd_readiness_and_values(void **state)
{
    (void)state;
    tefd f;
    uint64_t v = 0;
    assert_int_equal(tefd_init(&f, 0, false), 0);
    assert_int_equal(vepoll_source_ready(f.src), VEPOLL_OUT);
    assert_int_equal(tefd_read(&f, &v), -EAGAIN);
    assert_int_equal(tefd_write(&f, 2), 0);
    assert_int_equal(tefd_write(&f, 5), 0);
    assert_int_equal(vepoll_source_ready(f.src), VEPOLL_IN | VEPOLL_OUT);
    assert_int_equal(tefd_read(&f, &v), 0);
    assert_int_equal(v, 7);
    assert_int_equal(f.value, 0);
    assert_int_equal(vepoll_source_ready(f.src), VEPOLL_OUT);
    tefd_destroy(&f);
}

static void models_efd_limits(void **state)
{
    (void)state;
    tefd f;
    uint64_t v = 0;
    assert_int_equal(tefd_init(&f, 0, false), 0);
    assert_int_equal(tefd_write(&f, UINT64_MAX), -EINVAL);
    assert_int_equal(tefd_write(&f, TEFD_MAX), 0);
    assert_int_equal(vepoll_source_ready(f.src), VEPOLL_IN);
    assert_int_equal(tefd_write(&f, 1), -EAGAIN);
    assert_int_equal(tefd_write(&f, 0), 0);
    assert_true(f.value == TEFD_MAX);
    assert_int_equal(tefd_read(&f, &v), 0);
    assert_true(v == TEFD_MAX);
    assert_int_equal(tefd_write(&f, TEFD_MAX - 1), 0);
    assert_int_equal(tefd_write(&f, 2), -EAGAIN);
    assert_int_equal(tefd_write(&f, 1), 0);
    tefd_destroy(&f);
    assert_int_equal(tefd_init(&f, UINT64_MAX, false), -EINVAL);
}

static void models_efd_semaphore(void **state)
{
    (void)state;
    tefd f;
    uint64_t v = 0;
    assert_int_equal(tefd_init(&f, 3, true), 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(vepoll_source_ready(f.src), VEPOLL_IN | VEPOLL_OUT);
        assert_int_equal(tefd_read(&f, &v), 0);
        assert_int_equal(v, 1);
    }
    assert_int_equal(vepoll_source_ready(f.src), VEPOLL_OUT);
    assert_int_equal(tefd_read(&f, &v), -EAGAIN);
    tefd_destroy(&f);
}

static void models_efd_every_read_is_an_out_event(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tefd f;
    uint64_t v = 0;
    assert_int_equal(tefd_init(&f, 5, true), 0);
    VT_ADD(ep, VT_FD_F, f.src, VEPOLL_OUT | VEPOLL_ET, 1);
    vt_expect_events(ep, 8, {1, VEPOLL_OUT});
    assert_int_equal(tefd_read(&f, &v), 0);
    vt_expect_events(ep, 8, {1, VEPOLL_OUT});
    assert_int_equal(tefd_read(&f, &v), 0);
    vt_expect_events(ep, 8, {1, VEPOLL_OUT});
    assert_int_equal(tefd_write(&f, 1), 0);
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    tefd_destroy(&f);
}

/* ---- socket pair ---- */

static void models_sock_initial_and_data(void **state)
{
    (void)state;
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    assert_int_equal(s.cap, 65536);
    assert_int_equal(vepoll_source_ready(s.end[0]), WR);
    assert_int_equal(vepoll_source_ready(s.end[1]), WR);
    assert_int_equal(tsock_read(&s, 0, 1), -EAGAIN);
    assert_int_equal(tsock_write(&s, 1, 5), 5);
    assert_int_equal(s.buf[0], 5);
    assert_int_equal(vepoll_source_ready(s.end[0]), RD | WR);
    assert_int_equal(vepoll_source_ready(s.end[1]), WR);
    assert_int_equal(tsock_read(&s, 0, 3), 3);
    assert_int_equal(tsock_read(&s, 0, 3), 2);
    assert_int_equal(vepoll_source_ready(s.end[0]), WR);
    assert_int_equal(tsock_read(&s, 1, 1), -EAGAIN);
    tsock_destroy(&s);
}

static void models_sock_capacity(void **state)
{
    (void)state;
    tsock s;
    assert_int_equal(tsock_init(&s, 100), 0);
    assert_int_equal(tsock_write(&s, 0, 150), 100); /* stream: partial */
    assert_int_equal(vepoll_source_ready(s.end[0]), 0); /* peer's queue full */
    assert_int_equal(tsock_write(&s, 0, 1), -EAGAIN);
    assert_int_equal(tsock_write(&s, 1, 1), 1); /* other direction independent */
    assert_int_equal(tsock_read(&s, 1, 10), 10);
    assert_int_equal(vepoll_source_ready(s.end[0]), RD | WR);
    assert_int_equal(tsock_write(&s, 0, 50), 10);
    tsock_destroy(&s);
}

static void models_sock_shutdown_wr(void **state)
{
    (void)state;
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    assert_int_equal(tsock_write(&s, 0, 2), 2);
    assert_int_equal(tsock_shutdown(&s, 0, TSOCK_SHUT_WR), 0);
    assert_true(s.wr_shut[0] && s.rd_shut[1] && !s.rd_shut[0] && !s.wr_shut[1]);
    assert_int_equal(tsock_write(&s, 0, 1), -EPIPE);
    assert_int_equal(vepoll_source_ready(s.end[0]), WR);
    assert_int_equal(vepoll_source_ready(s.end[1]), RD | VEPOLL_RDHUP | WR);
    assert_int_equal(tsock_read(&s, 1, 10), 2); /* data before EOF */
    assert_int_equal(tsock_read(&s, 1, 10), 0);
    assert_int_equal(tsock_write(&s, 1, 1), 1); /* other direction still open */
    assert_int_equal(tsock_shutdown(&s, 1, 7), -EINVAL);
    tsock_destroy(&s);
}

static void models_sock_shutdown_rd(void **state)
{
    (void)state;
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    assert_int_equal(tsock_shutdown(&s, 0, TSOCK_SHUT_RD), 0);
    assert_true(s.rd_shut[0] && s.wr_shut[1]);
    assert_int_equal(vepoll_source_ready(s.end[0]), RD | VEPOLL_RDHUP | WR);
    assert_int_equal(tsock_write(&s, 1, 1), -EPIPE);
    assert_int_equal(tsock_read(&s, 0, 1), 0);
    assert_int_equal(tsock_shutdown(&s, 0, TSOCK_SHUT_WR), 0);
    assert_int_equal(vepoll_source_ready(s.end[0]),
                     RD | VEPOLL_RDHUP | WR | VEPOLL_HUP);
    assert_int_equal(vepoll_source_ready(s.end[1]),
                     RD | VEPOLL_RDHUP | WR | VEPOLL_HUP);
    tsock_destroy(&s);
}

static void models_sock_close(void **state)
{
    (void)state;
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    assert_int_equal(tsock_write(&s, 0, 3), 3);  /* queued for end 1: purged */
    assert_int_equal(tsock_write(&s, 1, 4), 4);  /* queued for end 0: kept */
    tsock_close(&s, 1);
    assert_null(s.end[1]);
    assert_int_equal(vepoll_source_ready(s.end[0]),
                     RD | VEPOLL_RDHUP | WR | VEPOLL_HUP);
    assert_int_equal(tsock_write(&s, 0, 1), -EPIPE);
    assert_int_equal(tsock_read(&s, 0, 10), 4);
    assert_int_equal(tsock_read(&s, 0, 10), 0);
    assert_int_equal(tsock_read(&s, 1, 10), -EBADF);
    tsock_close(&s, 1); /* idempotent */
    tsock_destroy(&s);
}

static void models_sock_events(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep();
    tsock s;
    assert_int_equal(tsock_init(&s, 0), 0);
    VT_ADD(ep, VT_FD_A, s.end[0], VEPOLL_IN | VEPOLL_OUT | VEPOLL_ET, 1);
    VT_ADD(ep, VT_FD_B, s.end[1], VEPOLL_IN | VEPOLL_OUT | VEPOLL_ET, 2);
    vt_expect_events_any(ep, 8, {1, VEPOLL_OUT}, {2, VEPOLL_OUT});
    assert_int_equal(tsock_write(&s, 0, 1), 1); /* IN on 2 only */
    vt_expect_events(ep, 8, {2, VEPOLL_IN | VEPOLL_OUT});
    assert_int_equal(tsock_read(&s, 1, 1), 1); /* OUT on 1 only */
    vt_expect_events(ep, 8, {1, VEPOLL_OUT});
    assert_int_equal(tsock_shutdown(&s, 0, TSOCK_SHUT_WR), 0); /* wakes both */
    vt_expect_events_any(ep, 8, {1, VEPOLL_OUT}, {2, VEPOLL_IN | VEPOLL_OUT});
    vt_free_ep(ep);
    tsock_destroy(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(models_pipe_initial_state),
        cmocka_unit_test(models_pipe_read_write_sizes_and_bits),
        cmocka_unit_test(models_pipe_capacity_fill_drain),
        cmocka_unit_test(models_pipe_small_writes_atomic_large_partial),
        cmocka_unit_test(models_pipe_custom_capacity),
        cmocka_unit_test(models_pipe_writer_closed),
        cmocka_unit_test(models_pipe_reader_closed),
        cmocka_unit_test(models_pipe_reader_closed_when_full),
        cmocka_unit_test(models_pipe_every_write_is_an_in_event),
        cmocka_unit_test(models_efd_readiness_and_values),
        cmocka_unit_test(models_efd_limits),
        cmocka_unit_test(models_efd_semaphore),
        cmocka_unit_test(models_efd_every_read_is_an_out_event),
        cmocka_unit_test(models_sock_initial_and_data),
        cmocka_unit_test(models_sock_capacity),
        cmocka_unit_test(models_sock_shutdown_wr),
        cmocka_unit_test(models_sock_shutdown_rd),
        cmocka_unit_test(models_sock_close),
        cmocka_unit_test(models_sock_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
