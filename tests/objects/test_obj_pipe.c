/*
 * The ready-made pipe (vepoll_objects.h): argument and error rules, Linux's
 * slot-based capacity and write atomicity, blocking with timeouts, and
 * readiness through vepoll_wait with LT/ET registrations (scenario ids from
 * docs/SEMANTICS.md in the test names).  Threads used here only block or
 * unblock the test thread; they never assert.
 */
#include <pthread.h>
#include <sched.h>

#include "vepoll_objects.h"
#include "vtest.h"

#define RDB (VEPOLL_IN | VEPOLL_RDNORM)
#define WRB (VEPOLL_OUT | VEPOLL_WRNORM)
#define PB VEPOLL_PIPE_BUF

static unsigned char wbuf[1 << 20];
static unsigned char rbuf[1 << 20];

static vepoll_pipe_t *newpipe(size_t cap, int flags)
{
    vepoll_pipe_t *p = NULL;
    assert_int_equal(vepoll_pipe_create(&p, cap, flags), 0);
    assert_non_null(p);
    return p;
}

static vepoll_source_t *R(vepoll_pipe_t *p)
{
    return vepoll_pipe_source(p, VEPOLL_PIPE_READ);
}

static vepoll_source_t *W(vepoll_pipe_t *p)
{
    return vepoll_pipe_source(p, VEPOLL_PIPE_WRITE);
}

static ssize_t wr(vepoll_pipe_t *p, size_t n)
{
    return vepoll_pipe_write(p, wbuf, n, 0);
}

static ssize_t rd(vepoll_pipe_t *p, size_t n)
{
    return vepoll_pipe_read(p, rbuf, n, 0);
}

/* Writes n-byte pieces until -EAGAIN; returns the bytes written. */
static size_t fill_with(vepoll_pipe_t *p, size_t n)
{
    size_t total = 0;
    ssize_t k;
    while ((k = wr(p, n)) > 0)
        total += (size_t)k;
    assert_int_equal(k, -EAGAIN);
    return total;
}

static size_t drain(vepoll_pipe_t *p)
{
    size_t total = 0;
    ssize_t k;
    while ((k = rd(p, sizeof rbuf)) > 0)
        total += (size_t)k;
    return total;
}

static void closeboth(vepoll_pipe_t *p)
{
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_READ), 0);
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_WRITE), 0);
}

static void pattern(unsigned char *b, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (unsigned char)((i * 131u + seed * 7u) ^ (i >> 8));
}

/* ---- arguments and errors ------------------------------------------------- */

static void test_pipe_create_rejects_bad_arguments(void **state)
{
    vepoll_pipe_t *p = NULL;
    (void)state;
    assert_int_equal(vepoll_pipe_create(NULL, 0, 0), -EINVAL);
    assert_int_equal(vepoll_pipe_create(&p, 0, 1), -EINVAL);
    assert_int_equal(vepoll_pipe_create(&p, 0, VEPOLL_NONBLOCK | 2), -EINVAL);
    assert_int_equal(vepoll_pipe_create(&p, ((size_t)1 << 30) + 1, 0), -EINVAL);
    assert_null(p);
}

static void test_pipe_capacity_rounds_like_f_setpipe_sz(void **state)
{
    static const size_t in[] = {0, 1, 4096, 4097, 12288, 65536, 100000, 1u << 20};
    static const size_t out[] = {65536, 4096, 4096, 8192, 16384, 65536, 131072, 1u << 20};
    (void)state;
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        vepoll_pipe_t *p = newpipe(in[i], 0);
        assert_int_equal(vepoll_pipe_capacity(p), out[i]);
        assert_int_equal(fill_with(p, PB), out[i]);
        closeboth(p);
    }
    assert_int_equal(vepoll_pipe_capacity(NULL), 0);
}

static void test_pipe_null_handle_and_bad_end(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    (void)state;
    assert_int_equal(vepoll_pipe_read(NULL, rbuf, 1, 0), -EBADF);
    assert_int_equal(vepoll_pipe_write(NULL, wbuf, 1, 0), -EBADF);
    assert_int_equal(vepoll_pipe_close(NULL, 0), -EBADF);
    assert_null(vepoll_pipe_source(NULL, 0));
    assert_int_equal(vepoll_pipe_pending(NULL), 0);
    assert_null(vepoll_pipe_source(p, 2));
    assert_null(vepoll_pipe_source(p, -1));
    assert_int_equal(vepoll_pipe_close(p, 2), -EINVAL);
    assert_int_equal(vepoll_pipe_close(p, -1), -EINVAL);
    assert_non_null(R(p));
    assert_non_null(W(p));
    assert_ptr_not_equal(R(p), W(p));
    closeboth(p);
}

static void test_pipe_bytes_round_trip_in_order(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    (void)state;
    pattern(wbuf, 70000, 1);
    assert_int_equal(vepoll_pipe_write(p, wbuf, 3, 0), 3);
    assert_int_equal(vepoll_pipe_write(p, wbuf + 3, 5000, 0), 5000);
    assert_int_equal(vepoll_pipe_pending(p), 5003);
    memset(rbuf, 0, 6000);
    assert_int_equal(vepoll_pipe_read(p, rbuf, 2, 0), 2);
    assert_int_equal(vepoll_pipe_read(p, rbuf + 2, 6000, 0), 5001);
    assert_memory_equal(rbuf, wbuf, 5003);
    assert_int_equal(vepoll_pipe_pending(p), 0);
    assert_int_equal(rd(p, 1), -EAGAIN);
    closeboth(p);
}

static void test_pipe_zero_length_and_null_buffer(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    (void)state;
    assert_int_equal(vepoll_pipe_read(p, NULL, 0, 0), 0);  /* empty: still 0 */
    assert_int_equal(vepoll_pipe_write(p, NULL, 0, 0), 0);
    assert_int_equal(vepoll_pipe_read(p, NULL, 1, 0), -EFAULT);
    assert_int_equal(vepoll_pipe_write(p, NULL, 1, 0), -EFAULT);
    assert_int_equal(vepoll_pipe_pending(p), 0);
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_READ), 0);
    assert_int_equal(wr(p, 0), 0); /* Linux: a write of 0 returns before EPIPE */
    assert_int_equal(wr(p, 1), -EPIPE);
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_WRITE), 0);
}

static void test_pipe_empty_read_eagain_and_nonblock_overrides_timeout(void **state)
{
    vepoll_pipe_t *p = newpipe(0, VEPOLL_NONBLOCK);
    int64_t t0;
    (void)state;
    assert_int_equal(rd(p, 1), -EAGAIN);
    t0 = vt_now_ns();
    assert_int_equal(vepoll_pipe_read(p, rbuf, 1, -1), -EAGAIN);
    assert_int_equal(vepoll_pipe_read(p, rbuf, 1, 5 * VT_SEC), -EAGAIN);
    fill_with(p, PB);
    assert_int_equal(vepoll_pipe_write(p, wbuf, 1, -1), -EAGAIN);
    assert_int_equal(vepoll_pipe_write(p, wbuf, 1, 5 * VT_SEC), -EAGAIN);
    assert_true(vt_now_ns() - t0 < 4 * VT_SEC); /* nothing waited */
    closeboth(p);
}

static void test_pipe_write_without_reader_is_epipe_S087(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    (void)state;
    assert_int_equal(wr(p, 10), 10);
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_READ), 0);
    assert_int_equal(wr(p, 1), -EPIPE);
    assert_int_equal(vepoll_pipe_write(p, wbuf, 1, -1), -EPIPE); /* never blocks */
    assert_int_equal(vepoll_pipe_read(p, rbuf, 1, 0), -EBADF);
    assert_null(R(p));
    assert_non_null(W(p));
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_WRITE), 0);
}

static void test_pipe_eof_after_writer_closed_S084(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    (void)state;
    assert_int_equal(wr(p, 3), 3);
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_WRITE), 0);
    assert_int_equal(vepoll_pipe_write(p, wbuf, 1, 0), -EBADF);
    assert_int_equal(rd(p, 2), 2);
    assert_int_equal(rd(p, 2), 1);
    assert_int_equal(rd(p, 2), 0);
    assert_int_equal(vepoll_pipe_read(p, rbuf, 1, -1), 0); /* EOF never blocks */
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_READ), 0);
}

static void test_pipe_closed_end_is_ebadf(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    (void)state;
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_WRITE), 0);
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_WRITE), -EBADF);
    assert_null(W(p));
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_READ), 0);
}

/* ---- capacity and atomicity (Linux's slots) -------------------------------- */

static void test_pipe_capacity_page_writes_fill_16_slots_S030(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    (void)state;
    assert_int_equal(fill_with(p, PB), 65536);
    assert_int_equal(vepoll_pipe_pending(p), 65536);
    assert_int_equal(wr(p, 1), -EAGAIN);
    closeboth(p);
}

static void test_pipe_small_writes_merge_into_pages(void **state)
{
    vepoll_pipe_t *p = newpipe(8192, 0);
    (void)state;
    /* 1-byte writes merge: two pages hold 8192 of them. */
    assert_int_equal(fill_with(p, 1), 8192);
    closeboth(p);
    /* 100-byte writes: 40 merge into a page (4000 bytes), the 41st needs a
     * new slot, so two slots hold 80 writes = 8000 bytes. */
    p = newpipe(8192, 0);
    assert_int_equal(fill_with(p, 100), 8000);
    closeboth(p);
}

static void test_pipe_full_when_every_slot_used_whatever_the_bytes(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    (void)state;
    /* 100 bytes, then 15 whole pages: 16 slots, 61540 bytes -- full. */
    assert_int_equal(wr(p, 100), 100);
    for (int i = 0; i < 15; i++)
        assert_int_equal(wr(p, PB), PB);
    assert_int_equal(vepoll_pipe_pending(p), 61540);
    assert_int_equal(wr(p, 1), -EAGAIN); /* the last page is full */
    closeboth(p);
}

static void test_pipe_read_space_is_not_reused_until_slot_freed_S031(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    (void)state;
    fill_with(p, PB);
    assert_int_equal(rd(p, 1), 1);
    assert_int_equal(wr(p, 1), -EAGAIN); /* 1 byte free, but no slot */
    assert_int_equal(rd(p, PB - 1), PB - 1);
    assert_int_equal(wr(p, PB), PB);
    closeboth(p);
}

static void test_pipe_writes_up_to_pipe_buf_are_atomic(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    (void)state;
    pattern(wbuf, PB, 3);
    assert_int_equal(wr(p, 100), 100);
    for (int i = 0; i < 14; i++)
        assert_int_equal(wr(p, PB), PB);
    assert_int_equal(wr(p, 4000), 4000); /* the 16th slot */
    assert_int_equal(wr(p, 100), -EAGAIN); /* 96 bytes left in it: all or nothing */
    assert_int_equal(vepoll_pipe_pending(p), 100 + 14 * PB + 4000);
    assert_int_equal(wr(p, 96), 96);      /* fits whole: merged */
    assert_int_equal(wr(p, 1), -EAGAIN);
    assert_int_equal(drain(p), 100 + 15 * PB);
    closeboth(p);
}

static void test_pipe_large_nonblocking_write_is_partial(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    (void)state;
    for (int i = 0; i < 15; i++)
        assert_int_equal(wr(p, PB), PB);
    /* 10000 % 4096 = 1808 cannot merge into a full page: one fresh slot. */
    assert_int_equal(wr(p, 10000), PB);
    assert_int_equal(wr(p, 10000), -EAGAIN);
    assert_int_equal(drain(p), 65536);
    /* 1 byte, then 8193: the 1-byte remainder merges, two fresh pages. */
    assert_int_equal(wr(p, 1), 1);
    assert_int_equal(wr(p, 8193), 8193);
    assert_int_equal(vepoll_pipe_pending(p), 8194);
    assert_int_equal(wr(p, 100000), 65536 - 3 * PB);
    closeboth(p);
}

static void test_pipe_large_write_content_intact(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    (void)state;
    pattern(wbuf, 65536, 9);
    assert_int_equal(wr(p, 7), 7);
    /* 65529 % 4096 = 4089 merges into the first page (7 + 4089 = 4096),
     * 15 fresh pages take the rest: exactly full. */
    assert_int_equal(vepoll_pipe_write(p, wbuf + 7, 65529, 0), 65529);
    assert_int_equal(wr(p, 1), -EAGAIN);
    memset(rbuf, 0, 65536);
    assert_int_equal(rd(p, 65536), 65536);
    assert_memory_equal(rbuf, wbuf, 65536);
    closeboth(p);
}

/* ---- blocking --------------------------------------------------------------- */

static void test_pipe_read_timeout_waits_at_least_the_timeout(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    int64_t t0 = vt_now_ns();
    (void)state;
    assert_int_equal(vepoll_pipe_read(p, rbuf, 1, 50 * VT_MS), -EAGAIN);
    assert_true(vt_now_ns() - t0 >= 50 * VT_MS);
    closeboth(p);
}

static void test_pipe_write_timeout_waits_and_partial_count(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    int64_t t0;
    (void)state;
    fill_with(p, PB);
    t0 = vt_now_ns();
    assert_int_equal(vepoll_pipe_write(p, wbuf, 1, 30 * VT_MS), -EAGAIN);
    assert_true(vt_now_ns() - t0 >= 30 * VT_MS);
    assert_int_equal(rd(p, PB), PB); /* one slot free */
    t0 = vt_now_ns();
    assert_int_equal(vepoll_pipe_write(p, wbuf, 3 * PB, 30 * VT_MS), PB);
    assert_true(vt_now_ns() - t0 >= 30 * VT_MS);
    closeboth(p);
}

enum { ACT_WRITE, ACT_READ, ACT_CLOSE_R, ACT_CLOSE_W };

struct actor {
    pthread_t th;
    vepoll_pipe_t *p;
    int act;
    size_t n;
    int64_t delay;
};

static void *actor_main(void *arg)
{
    struct actor *a = arg;
    static unsigned char junk[1 << 16];
    vt_sleep_ns(a->delay);
    switch (a->act) {
    case ACT_WRITE:
        (void)vepoll_pipe_write(a->p, wbuf, a->n, 0);
        break;
    case ACT_READ:
        (void)vepoll_pipe_read(a->p, junk, a->n, 0);
        break;
    case ACT_CLOSE_R:
        (void)vepoll_pipe_close(a->p, VEPOLL_PIPE_READ);
        break;
    default:
        (void)vepoll_pipe_close(a->p, VEPOLL_PIPE_WRITE);
        break;
    }
    return NULL;
}

static void actor_start(struct actor *a, vepoll_pipe_t *p, int act, size_t n)
{
    a->p = p;
    a->act = act;
    a->n = n;
    a->delay = 30 * VT_MS;
    assert_int_equal(pthread_create(&a->th, NULL, actor_main, a), 0);
}

/* A read blocked on p's empty buffer gets the 10 bytes another thread
 * writes a moment later. */
static void blocked_read_gets_a_later_write(vepoll_pipe_t *p, unsigned seed)
{
    struct actor a;
    pattern(wbuf, 10, seed);
    actor_start(&a, p, ACT_WRITE, 10);
    assert_int_equal(vepoll_pipe_read(p, rbuf, 100, 20 * VT_SEC), 10);
    assert_memory_equal(rbuf, wbuf, 10);
    assert_int_equal(pthread_join(a.th, NULL), 0);
}

static void test_pipe_blocked_reader_woken_by_data(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    (void)state;
    blocked_read_gets_a_later_write(p, 5);
    closeboth(p);
}

static void test_pipe_blocked_reader_woken_by_writer_close_S091(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    struct actor a;
    (void)state;
    actor_start(&a, p, ACT_CLOSE_W, 0);
    assert_int_equal(vepoll_pipe_read(p, rbuf, 100, -1), 0);
    assert_int_equal(pthread_join(a.th, NULL), 0);
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_READ), 0);
}

/* VEPOLL_CALLER_PINS: read/write take no reference of their own; the end's
 * reference keeps the pipe alive, so the *other* end may still be closed
 * during a call: a blocked read of a pinned pipe is woken by data, then by
 * the writer's close (EOF, S091), and the last close frees the pipe (ASan:
 * no leak, no use after free). */
static void test_pipe_pinned_behaves_the_same(void **state)
{
    vepoll_pipe_t *p = newpipe(0, VEPOLL_CALLER_PINS);
    struct actor a;
    (void)state;
    blocked_read_gets_a_later_write(p, 9);
    assert_int_equal(vepoll_pipe_pending(p), 0);
    actor_start(&a, p, ACT_CLOSE_W, 0);
    assert_int_equal(vepoll_pipe_read(p, rbuf, 100, -1), 0);
    assert_int_equal(pthread_join(a.th, NULL), 0);
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_READ), 0);
    p = NULL;
    assert_int_equal(vepoll_pipe_create(&p, 0, VEPOLL_CALLER_PINS >> 1), -EINVAL);
    assert_null(p);
}

static void test_pipe_blocked_writer_woken_by_read(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    struct actor a;
    (void)state;
    fill_with(p, PB);
    actor_start(&a, p, ACT_READ, PB);
    assert_int_equal(vepoll_pipe_write(p, wbuf, PB, 20 * VT_SEC), PB);
    assert_int_equal(pthread_join(a.th, NULL), 0);
    closeboth(p);
}

static void test_pipe_blocked_writer_woken_by_reader_close_S092(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    struct actor a;
    (void)state;
    fill_with(p, PB);
    actor_start(&a, p, ACT_CLOSE_R, 0);
    assert_int_equal(vepoll_pipe_write(p, wbuf, 1, -1), -EPIPE);
    assert_int_equal(pthread_join(a.th, NULL), 0);
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_WRITE), 0);
}

static void test_pipe_blocked_partial_writer_returns_count_on_reader_close(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    struct actor a;
    (void)state;
    for (int i = 0; i < 15; i++)
        assert_int_equal(wr(p, PB), PB);
    actor_start(&a, p, ACT_CLOSE_R, 0);
    assert_int_equal(vepoll_pipe_write(p, wbuf, 3 * PB, -1), PB);
    assert_int_equal(pthread_join(a.th, NULL), 0);
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_WRITE), 0);
}

static void test_pipe_blocked_reader_gets_ebadf_when_own_end_closed(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    struct actor a;
    (void)state;
    actor_start(&a, p, ACT_CLOSE_R, 0);
    assert_int_equal(vepoll_pipe_read(p, rbuf, 1, -1), -EBADF);
    assert_int_equal(pthread_join(a.th, NULL), 0);
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_WRITE), 0);
}

static void test_pipe_blocked_writer_gets_ebadf_when_own_end_closed(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    struct actor a;
    (void)state;
    fill_with(p, PB);
    actor_start(&a, p, ACT_CLOSE_W, 0);
    assert_int_equal(vepoll_pipe_write(p, wbuf, 1, -1), -EBADF);
    assert_int_equal(pthread_join(a.th, NULL), 0);
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_READ), 0);
}

/* A reader blocked while both ends are closed: it returns -EBADF and the
 * object is freed only after it left (ASan / TSan check the ordering). */
struct blocked_reader {
    pthread_t th;
    vepoll_pipe_t *p;
    atomic_int started;
    ssize_t ret;
};

static void *blocked_reader_main(void *arg)
{
    struct blocked_reader *b = arg;
    unsigned char c;
    atomic_store(&b->started, 1);
    b->ret = vepoll_pipe_read(b->p, &c, 1, -1);
    return NULL;
}

static void test_pipe_final_close_while_reader_blocked_frees_after_it_left(void **state)
{
    (void)state;
    for (int round = 0; round < 20; round++) {
        struct blocked_reader b = {.p = newpipe(0, 0), .ret = 12345};
        assert_int_equal(pthread_create(&b.th, NULL, blocked_reader_main, &b), 0);
        /* The read must have started before the final close (the
         * contract); the sleep lets it get there and block. */
        while (!atomic_load(&b.started))
            vt_sleep_ns(VT_MS / 10);
        vt_sleep_ns(10 * VT_MS);
        assert_int_equal(vepoll_pipe_close(b.p, VEPOLL_PIPE_READ), 0);
        if (round % 2)
            sched_yield(); /* vary the overlap with the reader's exit */
        assert_int_equal(vepoll_pipe_close(b.p, VEPOLL_PIPE_WRITE), 0);
        assert_int_equal(pthread_join(b.th, NULL), 0);
        /* Closed before it blocked, or while it blocked: -EBADF either way
         * (the read end was closed first, so EOF is impossible). */
        assert_int_equal(b.ret, -EBADF);
    }
}

/* ---- readiness through vepoll_wait -------------------------------------------- */

static void test_pipe_S023_lt_read_end(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    VT_ADD(ep, VT_FD_R, R(p), VEPOLL_IN, 7);
    vt_expect_none(ep, 8);
    assert_int_equal(wr(p, 1), 1);
    vt_expect_events(ep, 8, {7, VEPOLL_IN});
    vt_expect_events(ep, 8, {7, VEPOLL_IN});
    assert_int_equal(rd(p, 1), 1);
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    closeboth(p);
}

static void test_pipe_S024_readiness_rechecked_at_harvest(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    VT_ADD(ep, VT_FD_R, R(p), VEPOLL_IN, 7);
    assert_int_equal(wr(p, 1), 1);
    assert_int_equal(rd(p, 1), 1);
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    closeboth(p);
}

static void test_pipe_S025_S094_readiness_present_before_add(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    assert_int_equal(wr(p, 1), 1);
    VT_ADD(ep, VT_FD_R, R(p), VEPOLL_IN, 1);
    VT_ADD(ep, VT_FD_W, W(p), VEPOLL_OUT, 2);
    vt_expect_events(ep, 8, {1, VEPOLL_IN}, {2, VEPOLL_OUT});
    vt_free_ep(ep);
    closeboth(p);
}

static void test_pipe_S026_mask_filtering(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    VT_ADD(ep, VT_FD_W, W(p), VEPOLL_OUT, 2);
    VT_ADD(ep, VT_FD_R, R(p), VEPOLL_OUT, 3);
    vt_expect_events(ep, 8, {2, VEPOLL_OUT});
    VT_MOD(ep, VT_FD_W, W(p), VEPOLL_IN | VEPOLL_OUT, 2);
    vt_expect_events(ep, 8, {2, VEPOLL_OUT});
    assert_int_equal(wr(p, 1), 1);
    vt_expect_events(ep, 8, {2, VEPOLL_OUT});
    vt_free_ep(ep);
    closeboth(p);
}

static void test_pipe_rdnorm_wrnorm_reported_when_asked(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    VT_ADD(ep, VT_FD_R, R(p), VEPOLL_IN | VEPOLL_RDNORM | VEPOLL_RDBAND | VEPOLL_PRI, 1);
    VT_ADD(ep, VT_FD_W, W(p), VEPOLL_OUT | VEPOLL_WRNORM | VEPOLL_WRBAND, 2);
    assert_int_equal(wr(p, 1), 1);
    vt_expect_events(ep, 8, {2, VEPOLL_OUT | VEPOLL_WRNORM}, {1, VEPOLL_IN | VEPOLL_RDNORM});
    assert_int_equal(vepoll_source_ready(R(p)), RDB);
    assert_int_equal(vepoll_source_ready(W(p)), WRB);
    vt_free_ep(ep);
    closeboth(p);
}

static void test_pipe_S030_fills_up_and_drains(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    VT_ADD(ep, VT_FD_W, W(p), VEPOLL_OUT, 1);
    fill_with(p, 1000);
    vt_expect_none(ep, 8);
    assert_int_equal(vepoll_source_ready(W(p)), 0);
    drain(p);
    vt_expect_events(ep, 8, {1, VEPOLL_OUT});
    vt_free_ep(ep);
    closeboth(p);
}

static void test_pipe_S031_out_needs_a_whole_free_slot(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    VT_ADD(ep, VT_FD_W, W(p), VEPOLL_OUT, 1);
    fill_with(p, PB);
    assert_int_equal(rd(p, PB - 1), PB - 1);
    vt_expect_none(ep, 8);
    assert_int_equal(rd(p, 1), 1);
    vt_expect_events(ep, 8, {1, VEPOLL_OUT});
    assert_int_equal(wr(p, PB), PB); /* the reported OUT: a PIPE_BUF write fits */
    vt_free_ep(ep);
    closeboth(p);
}

static void test_pipe_S037_et_two_writes_coalesce(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    VT_ADD(ep, VT_FD_R, R(p), VEPOLL_IN | VEPOLL_ET, 1);
    assert_int_equal(wr(p, 1), 1);
    assert_int_equal(wr(p, 1), 1);
    vt_expect_events(ep, 8, {1, VEPOLL_IN});
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    closeboth(p);
}

static void test_pipe_S038_et_partial_read_does_not_rearm(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    VT_ADD(ep, VT_FD_R, R(p), VEPOLL_IN | VEPOLL_ET, 1);
    assert_int_equal(wr(p, 2), 2);
    vt_expect_events(ep, 8, {1, VEPOLL_IN});
    assert_int_equal(rd(p, 1), 1);
    vt_expect_none(ep, 8);
    assert_int_equal(vepoll_source_ready(R(p)) & VEPOLL_IN, VEPOLL_IN);
    vt_free_ep(ep);
    closeboth(p);
}

static void test_pipe_S039_every_write_rearms_et(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    VT_ADD(ep, VT_FD_R, R(p), VEPOLL_IN | VEPOLL_ET, 1);
    assert_int_equal(wr(p, 1), 1);
    vt_expect_events(ep, 8, {1, VEPOLL_IN});
    assert_int_equal(wr(p, 1), 1); /* data not read */
    vt_expect_events(ep, 8, {1, VEPOLL_IN});
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    closeboth(p);
}

static void test_pipe_S039_write_that_fails_eagain_still_wakes_reader(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    VT_ADD(ep, VT_FD_R, R(p), VEPOLL_IN | VEPOLL_ET, 1);
    fill_with(p, PB);
    vt_expect_events(ep, 8, {1, VEPOLL_IN});
    vt_expect_none(ep, 8);
    assert_int_equal(wr(p, 1), -EAGAIN); /* Linux 6.x pipe_write wakes anyway */
    vt_expect_events(ep, 8, {1, VEPOLL_IN});
    assert_int_equal(wr(p, 0), 0); /* a write of 0 returns before the lock */
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    closeboth(p);
}

static void test_pipe_S041_et_event_gone_before_harvest_is_dropped(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    VT_ADD(ep, VT_FD_R, R(p), VEPOLL_IN | VEPOLL_ET, 1);
    assert_int_equal(wr(p, 1), 1);
    drain(p);
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    closeboth(p);
}

static void test_pipe_S042_et_preexisting_readiness_at_add(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    assert_int_equal(wr(p, 1), 1);
    VT_ADD(ep, VT_FD_R, R(p), VEPOLL_IN | VEPOLL_ET, 1);
    vt_expect_events(ep, 8, {1, VEPOLL_IN});
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    closeboth(p);
    p = newpipe(0, 0);
    ep = vt_new_ep();
    VT_ADD(ep, VT_FD_W, W(p), VEPOLL_OUT | VEPOLL_ET, 2);
    vt_expect_events(ep, 8, {2, VEPOLL_OUT});
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    closeboth(p);
}

static void test_pipe_S045_et_out_edges(void **state)
{
    vepoll_pipe_t *p = newpipe(0, VEPOLL_NONBLOCK);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    VT_ADD(ep, VT_FD_W, W(p), VEPOLL_OUT | VEPOLL_ET, 1);
    vt_expect_events(ep, 8, {1, VEPOLL_OUT});
    assert_int_equal(wr(p, 1), 1);
    vt_expect_none(ep, 8);
    assert_int_equal(rd(p, 1), 1);
    vt_expect_none(ep, 8); /* the pipe was not full */
    fill_with(p, PB);
    vt_expect_none(ep, 8);
    assert_int_equal(rd(p, PB), PB);
    vt_expect_events(ep, 8, {1, VEPOLL_OUT});
    assert_int_equal(rd(p, 1), 1);
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    closeboth(p);
}

/* Since Linux 6.14 pipe_read wakes writers only when it frees a slot of a
 * full pipe: a read that leaves it full queues nothing, so the write end is
 * queued only by the read that frees the slot -- after an entry that became
 * ready in between (S077 order).  (Older kernels queued it at the first read
 * from the full pipe, ahead of that entry.) */
static void test_pipe_S031_S077_read_that_frees_no_slot_is_no_out_event(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0), *q = newpipe(0, 0);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    fill_with(p, PB);
    VT_ADD(ep, VT_FD_W, W(p), VEPOLL_OUT, 1);
    VT_ADD(ep, VT_FD_R, R(q), VEPOLL_IN, 2);
    assert_int_equal(rd(p, 1), 1);           /* no slot freed */
    assert_int_equal(wr(q, 1), 1);           /* q becomes ready first */
    assert_int_equal(rd(p, PB - 1), PB - 1); /* slot freed: OUT event */
    vt_expect_events(ep, 8, {2, VEPOLL_IN}, {1, VEPOLL_OUT});
    vt_free_ep(ep);
    closeboth(p);
    closeboth(q);
}

static void test_pipe_S083_read_end_writer_closed_nothing_buffered(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    VT_ADD(ep, VT_FD_R, R(p), VEPOLL_IN | VEPOLL_RDHUP, 1);
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_WRITE), 0);
    vt_expect_events(ep, 8, {1, VEPOLL_HUP});
    vt_expect_events(ep, 8, {1, VEPOLL_HUP});
    vt_free_ep(ep);
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_READ), 0);
}

static void test_pipe_S084_S093_writer_closed_data_buffered_then_eof(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    VT_ADD(ep, VT_FD_R, R(p), VEPOLL_IN | VEPOLL_RDHUP, 1);
    assert_int_equal(wr(p, 1), 1);
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_WRITE), 0);
    vt_expect_events(ep, 8, {1, VEPOLL_IN | VEPOLL_HUP});
    assert_int_equal(rd(p, 1), 1);
    vt_expect_events(ep, 8, {1, VEPOLL_HUP});
    assert_int_equal(rd(p, 1), 0);
    vt_expect_events(ep, 8, {1, VEPOLL_HUP});
    vt_expect_events(ep, 8, {1, VEPOLL_HUP});
    vt_free_ep(ep);
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_READ), 0);
}

static void test_pipe_S085_hup_without_asking(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    VT_ADD(ep, VT_FD_R, R(p), 0, 1);
    VT_ADD(ep, VT_FD_DUP, R(p), VEPOLL_OUT, 2);
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_WRITE), 0);
    vt_expect_events_any(ep, 8, {1, VEPOLL_HUP}, {2, VEPOLL_HUP});
    vt_free_ep(ep);
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_READ), 0);
}

static void test_pipe_S086_registration_after_hangup(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_WRITE), 0);
    VT_ADD(ep, VT_FD_R, R(p), VEPOLL_IN | VEPOLL_OUT | VEPOLL_RDHUP | VEPOLL_ET, 1);
    vt_expect_events(ep, 8, {1, VEPOLL_HUP});
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_READ), 0);
}

static void test_pipe_S087_write_end_reader_closed_empty_pipe(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    VT_ADD(ep, VT_FD_W, W(p), VEPOLL_OUT, 1);
    vt_expect_events(ep, 8, {1, VEPOLL_OUT});
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_READ), 0);
    vt_expect_events(ep, 8, {1, VEPOLL_OUT | VEPOLL_ERR});
    assert_int_equal(wr(p, 1), -EPIPE);
    vt_free_ep(ep);
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_WRITE), 0);
}

static void test_pipe_S088_write_end_reader_closed_full_pipe(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    fill_with(p, PB);
    VT_ADD(ep, VT_FD_W, W(p), VEPOLL_OUT, 1);
    vt_expect_none(ep, 8);
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_READ), 0);
    vt_expect_events(ep, 8, {1, VEPOLL_ERR});
    vt_free_ep(ep);
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_WRITE), 0);
}

static void test_pipe_S089_err_without_asking(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    fill_with(p, PB);
    VT_ADD(ep, VT_FD_W, W(p), 0, 1);
    VT_ADD(ep, VT_FD_DUP, W(p), VEPOLL_IN | VEPOLL_RDHUP | VEPOLL_ET, 2);
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_READ), 0);
    vt_expect_events_any(ep, 8, {1, VEPOLL_ERR}, {2, VEPOLL_ERR});
    vt_expect_events(ep, 8, {1, VEPOLL_ERR});
    vt_free_ep(ep);
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_WRITE), 0);
}

static void test_pipe_S090_et_write_end_fresh_edge_on_reader_close(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    VT_ADD(ep, VT_FD_W, W(p), VEPOLL_OUT | VEPOLL_ET, 1);
    vt_expect_events(ep, 8, {1, VEPOLL_OUT});
    vt_expect_none(ep, 8);
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_READ), 0);
    vt_expect_events(ep, 8, {1, VEPOLL_OUT | VEPOLL_ERR});
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_WRITE), 0);
}

static void test_pipe_closing_an_end_removes_its_registrations(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    VT_ADD(ep, VT_FD_R, R(p), VEPOLL_IN, 1);
    assert_int_equal(wr(p, 1), 1); /* queued, not harvested */
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_READ), 0);
    vt_expect_none(ep, 8);
    vt_free_ep(ep);
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_WRITE), 0);
}

static void test_pipe_S032_blocked_wait_woken_by_write(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    vepoll_t *ep = vt_new_ep();
    struct vt_waiter w;
    struct actor a;
    (void)state;
    VT_ADD(ep, VT_FD_R, R(p), VEPOLL_IN, 5);
    vt_waiter_start(&w, ep, 4, 20 * VT_SEC);
    actor_start(&a, p, ACT_WRITE, 1);
    vt_waiter_join(&w);
    assert_int_equal(pthread_join(a.th, NULL), 0);
    assert_int_equal(w.ret, 1);
    assert_int_equal(w.ev[0].events, VEPOLL_IN);
    assert_true(w.ev[0].data.u64 == 5);
    vt_free_ep(ep);
    closeboth(p);
}

static void test_pipe_S091_blocked_wait_woken_by_writer_close(void **state)
{
    vepoll_pipe_t *p = newpipe(0, 0);
    vepoll_t *ep = vt_new_ep();
    struct vt_waiter w;
    struct actor a;
    (void)state;
    VT_ADD(ep, VT_FD_R, R(p), VEPOLL_IN, 5);
    vt_waiter_start(&w, ep, 4, 20 * VT_SEC);
    actor_start(&a, p, ACT_CLOSE_W, 0);
    vt_waiter_join(&w);
    assert_int_equal(pthread_join(a.th, NULL), 0);
    assert_int_equal(w.ret, 1);
    assert_int_equal(w.ev[0].events, VEPOLL_HUP);
    vt_free_ep(ep);
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_READ), 0);
}

/* ---- allocation ------------------------------------------------------------- */

static int create_pipe(void **out)
{
    vepoll_pipe_t *p = NULL;
    int rc = vepoll_pipe_create(&p, 0, 0);
    *out = p;
    return rc;
}

static void destroy_pipe(void *p)
{
    closeboth(p);
}

static void test_pipe_allocation_failures_leave_nothing_allocated(void **state)
{
    (void)state;
    vt_each_alloc_fails(create_pipe, destroy_pipe, 3); /* pipe + 2 sources */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* first: vepoll_set_allocator needs no live object; the fixture
         * puts malloc back even when the sweep fails half-way */
        cmocka_unit_test_setup_teardown(test_pipe_allocation_failures_leave_nothing_allocated,
                                        vt_reset_setup, vt_reset_teardown),
        cmocka_unit_test(test_pipe_create_rejects_bad_arguments),
        cmocka_unit_test(test_pipe_capacity_rounds_like_f_setpipe_sz),
        cmocka_unit_test(test_pipe_null_handle_and_bad_end),
        cmocka_unit_test(test_pipe_bytes_round_trip_in_order),
        cmocka_unit_test(test_pipe_zero_length_and_null_buffer),
        cmocka_unit_test(test_pipe_empty_read_eagain_and_nonblock_overrides_timeout),
        cmocka_unit_test(test_pipe_write_without_reader_is_epipe_S087),
        cmocka_unit_test(test_pipe_eof_after_writer_closed_S084),
        cmocka_unit_test(test_pipe_closed_end_is_ebadf),
        cmocka_unit_test(test_pipe_capacity_page_writes_fill_16_slots_S030),
        cmocka_unit_test(test_pipe_small_writes_merge_into_pages),
        cmocka_unit_test(test_pipe_full_when_every_slot_used_whatever_the_bytes),
        cmocka_unit_test(test_pipe_read_space_is_not_reused_until_slot_freed_S031),
        cmocka_unit_test(test_pipe_writes_up_to_pipe_buf_are_atomic),
        cmocka_unit_test(test_pipe_large_nonblocking_write_is_partial),
        cmocka_unit_test(test_pipe_large_write_content_intact),
        cmocka_unit_test(test_pipe_read_timeout_waits_at_least_the_timeout),
        cmocka_unit_test(test_pipe_write_timeout_waits_and_partial_count),
        cmocka_unit_test(test_pipe_blocked_reader_woken_by_data),
        cmocka_unit_test(test_pipe_blocked_reader_woken_by_writer_close_S091),
        cmocka_unit_test(test_pipe_pinned_behaves_the_same),
        cmocka_unit_test(test_pipe_blocked_writer_woken_by_read),
        cmocka_unit_test(test_pipe_blocked_writer_woken_by_reader_close_S092),
        cmocka_unit_test(test_pipe_blocked_partial_writer_returns_count_on_reader_close),
        cmocka_unit_test(test_pipe_blocked_reader_gets_ebadf_when_own_end_closed),
        cmocka_unit_test(test_pipe_blocked_writer_gets_ebadf_when_own_end_closed),
        cmocka_unit_test(test_pipe_final_close_while_reader_blocked_frees_after_it_left),
        cmocka_unit_test(test_pipe_S023_lt_read_end),
        cmocka_unit_test(test_pipe_S024_readiness_rechecked_at_harvest),
        cmocka_unit_test(test_pipe_S025_S094_readiness_present_before_add),
        cmocka_unit_test(test_pipe_S026_mask_filtering),
        cmocka_unit_test(test_pipe_rdnorm_wrnorm_reported_when_asked),
        cmocka_unit_test(test_pipe_S030_fills_up_and_drains),
        cmocka_unit_test(test_pipe_S031_out_needs_a_whole_free_slot),
        cmocka_unit_test(test_pipe_S037_et_two_writes_coalesce),
        cmocka_unit_test(test_pipe_S038_et_partial_read_does_not_rearm),
        cmocka_unit_test(test_pipe_S039_every_write_rearms_et),
        cmocka_unit_test(test_pipe_S039_write_that_fails_eagain_still_wakes_reader),
        cmocka_unit_test(test_pipe_S041_et_event_gone_before_harvest_is_dropped),
        cmocka_unit_test(test_pipe_S042_et_preexisting_readiness_at_add),
        cmocka_unit_test(test_pipe_S045_et_out_edges),
        cmocka_unit_test(test_pipe_S031_S077_read_that_frees_no_slot_is_no_out_event),
        cmocka_unit_test(test_pipe_S083_read_end_writer_closed_nothing_buffered),
        cmocka_unit_test(test_pipe_S084_S093_writer_closed_data_buffered_then_eof),
        cmocka_unit_test(test_pipe_S085_hup_without_asking),
        cmocka_unit_test(test_pipe_S086_registration_after_hangup),
        cmocka_unit_test(test_pipe_S087_write_end_reader_closed_empty_pipe),
        cmocka_unit_test(test_pipe_S088_write_end_reader_closed_full_pipe),
        cmocka_unit_test(test_pipe_S089_err_without_asking),
        cmocka_unit_test(test_pipe_S090_et_write_end_fresh_edge_on_reader_close),
        cmocka_unit_test(test_pipe_closing_an_end_removes_its_registrations),
        cmocka_unit_test(test_pipe_S032_blocked_wait_woken_by_write),
        cmocka_unit_test(test_pipe_S091_blocked_wait_woken_by_writer_close),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
