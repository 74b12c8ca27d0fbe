/*
 * One writer, one reader and one epoll waiter per object, on separate
 * threads, checked end to end:
 *
 *   pipe, socket pair  a byte stream whose byte at position i is a hash of i;
 *                      the reader checks every byte at its position (a lost,
 *                      duplicated or reordered byte breaks the sequence) and
 *                      the total; the end of the stream is the writer's close
 *                      (pipe) or SHUT_WR (socket pair): EOF for the reader,
 *                      HUP / RDHUP for the waiter.
 *   eventfd            the writer adds a known series (small values and
 *                      values above VEPOLL_EFD_MAX / 2, so it hits the
 *                      ceiling and has to wait for the reader); the reader's
 *                      total must equal the series' exactly (128-bit sum);
 *                      semaphore mode counts single units.
 *
 * Each runs in two styles: blocking calls with timeouts, and non-blocking
 * calls that wait for readiness in their own instance (ET) on -EAGAIN.  The
 * epoll waiter watches both ends (ET) in a third instance and checks every
 * event's bits.  Worker threads never assert: they record, the test thread
 * asserts.  A stall shows up as a 10 s timeout, never a hang.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "vepoll_objects.h"
#include "vtest.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SCALE 2
#else
#define SCALE 16
#endif

#define STREAM_BYTES ((size_t)SCALE * 1024 * 1024)
#define EFD_WRITES (SCALE * 5000)
#define STALL (10 * VT_SEC)

static unsigned char stream_byte(uint64_t i)
{
    return (unsigned char)(((uint32_t)i * 2654435761u) >> 24);
}

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* ---- byte streams (pipe, socket pair) ------------------------------------- */

struct stream_ops {
    ssize_t (*write)(void *o, const void *b, size_t n, int64_t t);
    ssize_t (*read)(void *o, void *b, size_t n, int64_t t);
    vepoll_source_t *(*rsrc)(void *o);
    vepoll_source_t *(*wsrc)(void *o);
    int (*finish)(void *o);      /* writer done: close / SHUT_WR */
    uint32_t end_bit;            /* what the waiter sees on the read side */
    uint32_t r_allowed, w_allowed;
};

struct stream_run {
    const struct stream_ops *ops;
    void *o;
    int nonblock_style;
    size_t max_chunk;
    /* results */
    size_t written, read;
    int w_err, r_err, o_err;     /* first unexpected result, 0 if none */
    size_t mismatch_at;          /* SIZE_MAX if none */
    long w_waits, r_waits, o_events;
};

static void *stream_writer(void *arg)
{
    struct stream_run *r = arg;
    unsigned char *buf = malloc(r->max_chunk);
    uint64_t seed = 0x9e3779b97f4a7c15u;
    vepoll_t *ep = NULL;
    struct vepoll_event ev;
    if (!buf) {
        r->w_err = -ENOMEM;
        return NULL;
    }
    if (r->nonblock_style) {
        vepoll_create(&ep);
        vt_add(ep, 1, r->ops->wsrc(r->o), VEPOLL_OUT | VEPOLL_ET, 1);
    }
    while (r->written < STREAM_BYTES) {
        size_t n = 1 + (size_t)(xorshift(&seed) % r->max_chunk);
        ssize_t k;
        if (n > STREAM_BYTES - r->written)
            n = STREAM_BYTES - r->written;
        for (size_t j = 0; j < n; j++)
            buf[j] = stream_byte(r->written + j);
        k = r->ops->write(r->o, buf, n, r->nonblock_style ? 0 : STALL);
        if (k > 0) {
            r->written += (size_t)k;
        } else if (k == -EAGAIN && r->nonblock_style) {
            r->w_waits++;
            if (vepoll_wait(ep, &ev, 1, STALL) != 1) {
                r->w_err = -ETIMEDOUT;
                break;
            }
        } else {
            r->w_err = k == 0 ? -EIO : (int)k;
            break;
        }
    }
    if (r->ops->finish(r->o) != 0 && !r->w_err)
        r->w_err = -EBADF;
    if (ep)
        vepoll_close(ep);
    free(buf);
    return NULL;
}

static void *stream_reader(void *arg)
{
    struct stream_run *r = arg;
    unsigned char *buf = malloc(r->max_chunk);
    uint64_t seed = 0x2545f4914f6cdd1du;
    vepoll_t *ep = NULL;
    struct vepoll_event ev;
    if (!buf) {
        r->r_err = -ENOMEM;
        return NULL;
    }
    if (r->nonblock_style) {
        vepoll_create(&ep);
        vt_add(ep, 1, r->ops->rsrc(r->o), VEPOLL_IN | VEPOLL_ET, 1);
    }
    for (;;) {
        size_t n = 1 + (size_t)(xorshift(&seed) % r->max_chunk);
        ssize_t k = r->ops->read(r->o, buf, n, r->nonblock_style ? 0 : STALL);
        if (k > 0) {
            for (size_t j = 0; j < (size_t)k; j++) {
                if (buf[j] != stream_byte(r->read + j) && r->mismatch_at == SIZE_MAX)
                    r->mismatch_at = r->read + j;
            }
            r->read += (size_t)k;
        } else if (k == 0) {
            break; /* EOF */
        } else if (k == -EAGAIN && r->nonblock_style) {
            r->r_waits++;
            if (vepoll_wait(ep, &ev, 1, STALL) != 1) {
                r->r_err = -ETIMEDOUT;
                break;
            }
        } else {
            r->r_err = (int)k;
            break;
        }
    }
    if (ep)
        vepoll_close(ep);
    free(buf);
    return NULL;
}

/* The epoll waiter: both ends, ET, until the read side reports the end. */
struct observer {
    pthread_t th;
    vepoll_t *ep;
    struct stream_run *r;
};

static void *stream_observer(void *arg)
{
    struct observer *ob = arg;
    struct stream_run *r = ob->r;
    struct vepoll_event ev[4];
    for (;;) {
        int n = vepoll_wait(ob->ep, ev, 4, STALL);
        int done = 0;
        if (n <= 0) {
            r->o_err = n == 0 ? -ETIMEDOUT : n;
            return NULL;
        }
        for (int i = 0; i < n; i++) {
            uint32_t allowed = ev[i].data.u64 == 1 ? r->ops->r_allowed : r->ops->w_allowed;
            r->o_events++;
            if ((ev[i].events & ~allowed) || !ev[i].events)
                r->o_err = -EPROTO;
            if (ev[i].data.u64 == 1 && (ev[i].events & r->ops->end_bit))
                done = 1;
        }
        if (done)
            return NULL;
    }
}

static void run_stream(const struct stream_ops *ops, void *o, int nonblock_style,
                       size_t max_chunk, struct stream_run *r)
{
    pthread_t w, rd;
    struct observer ob;
    memset(r, 0, sizeof *r);
    r->ops = ops;
    r->o = o;
    r->nonblock_style = nonblock_style;
    r->max_chunk = max_chunk;
    r->mismatch_at = SIZE_MAX;
    ob.r = r;
    assert_int_equal(vepoll_create(&ob.ep), 0);
    assert_int_equal(vt_add(ob.ep, 1, ops->rsrc(o), VEPOLL_IN | VEPOLL_RDHUP | VEPOLL_ET, 1), 0);
    assert_int_equal(vt_add(ob.ep, 2, ops->wsrc(o), VEPOLL_OUT | VEPOLL_ET, 2), 0);
    assert_int_equal(pthread_create(&ob.th, NULL, stream_observer, &ob), 0);
    assert_int_equal(pthread_create(&rd, NULL, stream_reader, r), 0);
    assert_int_equal(pthread_create(&w, NULL, stream_writer, r), 0);
    assert_int_equal(pthread_join(w, NULL), 0);
    assert_int_equal(pthread_join(rd, NULL), 0);
    assert_int_equal(pthread_join(ob.th, NULL), 0);
    assert_int_equal(vepoll_close(ob.ep), 0);
    print_message("    %zu bytes, writer waited %ld, reader waited %ld, waiter saw %ld events\n",
                  r->read, r->w_waits, r->r_waits, r->o_events);
    assert_int_equal(r->w_err, 0);
    assert_int_equal(r->r_err, 0);
    assert_int_equal(r->o_err, 0);
    assert_int_equal(r->written, STREAM_BYTES);
    assert_int_equal(r->read, STREAM_BYTES);
    assert_true(r->mismatch_at == SIZE_MAX);
    assert_true(r->o_events >= 1);
}

/* pipe */
static ssize_t p_write(void *o, const void *b, size_t n, int64_t t)
{
    return vepoll_pipe_write(o, b, n, t);
}
static ssize_t p_read(void *o, void *b, size_t n, int64_t t)
{
    return vepoll_pipe_read(o, b, n, t);
}
static vepoll_source_t *p_rsrc(void *o)
{
    return vepoll_pipe_source(o, VEPOLL_PIPE_READ);
}
static vepoll_source_t *p_wsrc(void *o)
{
    return vepoll_pipe_source(o, VEPOLL_PIPE_WRITE);
}
static int p_finish(void *o)
{
    return vepoll_pipe_close(o, VEPOLL_PIPE_WRITE);
}
static const struct stream_ops pipe_ops = {
    p_write, p_read, p_rsrc, p_wsrc, p_finish, VEPOLL_HUP,
    VEPOLL_IN | VEPOLL_HUP, VEPOLL_OUT,
};

/* socket pair: end 0 writes, end 1 reads */
static ssize_t s_write(void *o, const void *b, size_t n, int64_t t)
{
    return vepoll_socketpair_write(o, 0, b, n, t);
}
static ssize_t s_read(void *o, void *b, size_t n, int64_t t)
{
    return vepoll_socketpair_read(o, 1, b, n, t);
}
static vepoll_source_t *s_rsrc(void *o)
{
    return vepoll_socketpair_source(o, 1);
}
static vepoll_source_t *s_wsrc(void *o)
{
    return vepoll_socketpair_source(o, 0);
}
static int s_finish(void *o)
{
    return vepoll_socketpair_shutdown(o, 0, VEPOLL_SHUT_WR);
}
static const struct stream_ops sock_ops = {
    s_write, s_read, s_rsrc, s_wsrc, s_finish, VEPOLL_RDHUP,
    VEPOLL_IN | VEPOLL_RDHUP, VEPOLL_OUT,
};

static void test_threads_pipe_blocking_with_timeouts(void **state)
{
    vepoll_pipe_t *p = NULL;
    struct stream_run r;
    (void)state;
    assert_int_equal(vepoll_pipe_create(&p, 16384, 0), 0);
    run_stream(&pipe_ops, p, 0, 20000, &r);
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_READ), 0);
}

static void test_threads_pipe_nonblocking_with_vepoll_wait(void **state)
{
    vepoll_pipe_t *p = NULL;
    struct stream_run r;
    (void)state;
    assert_int_equal(vepoll_pipe_create(&p, 16384, VEPOLL_NONBLOCK), 0);
    run_stream(&pipe_ops, p, 1, 6000, &r);
    assert_true(r.w_waits > 0 || r.r_waits > 0);
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_READ), 0);
}

static void test_threads_socketpair_blocking_with_timeouts(void **state)
{
    vepoll_socketpair_t *s = NULL;
    struct stream_run r;
    (void)state;
    assert_int_equal(vepoll_socketpair_create(&s, 8192, 0), 0);
    run_stream(&sock_ops, s, 0, 20000, &r);
    assert_int_equal(vepoll_socketpair_close(s, 0), 0);
    assert_int_equal(vepoll_socketpair_close(s, 1), 0);
}

static void test_threads_socketpair_nonblocking_with_vepoll_wait(void **state)
{
    vepoll_socketpair_t *s = NULL;
    struct stream_run r;
    (void)state;
    assert_int_equal(vepoll_socketpair_create(&s, 8192, VEPOLL_NONBLOCK), 0);
    run_stream(&sock_ops, s, 1, 3000, &r);
    assert_true(r.w_waits > 0 || r.r_waits > 0);
    assert_int_equal(vepoll_socketpair_close(s, 0), 0);
    assert_int_equal(vepoll_socketpair_close(s, 1), 0);
}

/* ---- eventfd ------------------------------------------------------------------ */

struct u128 {
    uint64_t hi, lo;
};

static void add128(struct u128 *a, uint64_t v)
{
    a->lo += v;
    if (a->lo < v)
        a->hi++;
}

static int eq128(struct u128 a, struct u128 b)
{
    return a.hi == b.hi && a.lo == b.lo;
}

/* gt: a > b */
static int gt128(struct u128 a, struct u128 b)
{
    return a.hi > b.hi || (a.hi == b.hi && a.lo > b.lo);
}

static uint64_t efd_value(uint64_t *seed, int semaphore)
{
    uint64_t x = xorshift(seed);
    if (semaphore)
        return 1 + x % 3;
    /* ~1 in 4 is above MAX / 2: two of them never fit together */
    return (x & 3) == 0 ? VEPOLL_EFD_MAX / 2 + x % 1000 : x % 1000;
}

struct efd_run {
    vepoll_eventfd_t *e;
    int nonblock_style, semaphore;
    struct u128 expect, got;
    int w_err, r_err, o_err;
    long w_waits, r_waits, o_events, reads;
    atomic_int stop;
};

static void *efd_writer(void *arg)
{
    struct efd_run *r = arg;
    uint64_t seed = 88172645463325252u;
    vepoll_t *ep = NULL;
    struct vepoll_event ev;
    if (r->nonblock_style) {
        vepoll_create(&ep);
        vt_add(ep, 1, vepoll_eventfd_source(r->e), VEPOLL_OUT | VEPOLL_ET, 1);
    }
    for (int i = 0; i < EFD_WRITES && !r->w_err; i++) {
        uint64_t v = efd_value(&seed, r->semaphore);
        for (;;) {
            ssize_t k = vepoll_eventfd_write(r->e, &v, 8, r->nonblock_style ? 0 : STALL);
            if (k == 8)
                break;
            if (k == -EAGAIN && r->nonblock_style) {
                r->w_waits++;
                if (vepoll_wait(ep, &ev, 1, STALL) == 1)
                    continue; /* the same value again */
                k = -ETIMEDOUT;
            }
            r->w_err = (int)k;
            break;
        }
    }
    if (ep)
        vepoll_close(ep);
    return NULL;
}

static void *efd_reader(void *arg)
{
    struct efd_run *r = arg;
    vepoll_t *ep = NULL;
    struct vepoll_event ev;
    if (r->nonblock_style) {
        vepoll_create(&ep);
        vt_add(ep, 1, vepoll_eventfd_source(r->e), VEPOLL_IN | VEPOLL_ET, 1);
    }
    while (!eq128(r->got, r->expect)) {
        uint64_t v = 0;
        ssize_t k = vepoll_eventfd_read(r->e, &v, 8, r->nonblock_style ? 0 : STALL);
        if (k == 8) {
            if (v == 0 || (r->semaphore && v != 1)) {
                r->r_err = -EPROTO;
                break;
            }
            r->reads++;
            add128(&r->got, v);
            if (gt128(r->got, r->expect)) {
                r->r_err = -EOVERFLOW; /* something counted twice */
                break;
            }
        } else if (k == -EAGAIN && r->nonblock_style) {
            r->r_waits++;
            if (vepoll_wait(ep, &ev, 1, STALL) != 1) {
                r->r_err = -ETIMEDOUT;
                break;
            }
        } else {
            r->r_err = (int)k;
            break;
        }
    }
    if (ep)
        vepoll_close(ep);
    return NULL;
}

struct efd_observer {
    pthread_t th;
    vepoll_t *ep;
    struct efd_run *r;
};

static void *efd_observer_main(void *arg)
{
    struct efd_observer *ob = arg;
    struct vepoll_event ev[2];
    /* At least one wait, even if the run ended before this thread was
     * scheduled: the registration was ready (OUT) at ADD, so it reports. */
    do {
        int n = vepoll_wait(ob->ep, ev, 2, 50 * VT_MS);
        if (n < 0) {
            ob->r->o_err = n;
            return NULL;
        }
        for (int i = 0; i < n; i++) {
            ob->r->o_events++;
            if (!ev[i].events || (ev[i].events & ~(VEPOLL_IN | VEPOLL_OUT)))
                ob->r->o_err = -EPROTO;
        }
    } while (!atomic_load(&ob->r->stop));
    return NULL;
}

static void run_efd(int nonblock_style, int semaphore)
{
    struct efd_run r;
    struct efd_observer ob;
    pthread_t w, rd;
    uint64_t seed = 88172645463325252u;
    int flags = (nonblock_style ? VEPOLL_NONBLOCK : 0) | (semaphore ? VEPOLL_EFD_SEMAPHORE : 0);
    memset(&r, 0, sizeof r);
    r.nonblock_style = nonblock_style;
    r.semaphore = semaphore;
    atomic_init(&r.stop, 0);
    for (int i = 0; i < EFD_WRITES; i++)
        add128(&r.expect, efd_value(&seed, semaphore));
    assert_int_equal(vepoll_eventfd_create(&r.e, 0, flags), 0);
    ob.r = &r;
    assert_int_equal(vepoll_create(&ob.ep), 0);
    assert_int_equal(vt_add(ob.ep, 1, vepoll_eventfd_source(r.e),
                            VEPOLL_IN | VEPOLL_OUT | VEPOLL_ET, 1), 0);
    assert_int_equal(pthread_create(&ob.th, NULL, efd_observer_main, &ob), 0);
    assert_int_equal(pthread_create(&rd, NULL, efd_reader, &r), 0);
    assert_int_equal(pthread_create(&w, NULL, efd_writer, &r), 0);
    assert_int_equal(pthread_join(w, NULL), 0);
    assert_int_equal(pthread_join(rd, NULL), 0);
    atomic_store(&r.stop, 1);
    assert_int_equal(pthread_join(ob.th, NULL), 0);
    assert_int_equal(vepoll_close(ob.ep), 0);
    print_message("    %d writes, %ld reads, writer waited %ld, reader waited %ld, "
                  "waiter saw %ld events\n",
                  EFD_WRITES, r.reads, r.w_waits, r.r_waits, r.o_events);
    assert_int_equal(r.w_err, 0);
    assert_int_equal(r.r_err, 0);
    assert_int_equal(r.o_err, 0);
    assert_true(eq128(r.got, r.expect));
    assert_true(r.o_events >= 1);
    /* nothing left over */
    {
        uint64_t v;
        assert_int_equal(vepoll_eventfd_read(r.e, &v, 8, 0), -EAGAIN);
    }
    assert_int_equal(vepoll_eventfd_close(r.e), 0);
}

static void test_threads_eventfd_blocking_with_timeouts(void **state)
{
    (void)state;
    run_efd(0, 0);
}

static void test_threads_eventfd_nonblocking_with_vepoll_wait(void **state)
{
    (void)state;
    run_efd(1, 0);
}

static void test_threads_eventfd_semaphore_blocking(void **state)
{
    (void)state;
    run_efd(0, 1);
}

static void test_threads_eventfd_semaphore_nonblocking(void **state)
{
    (void)state;
    run_efd(1, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_pipe_blocking_with_timeouts),
        cmocka_unit_test(test_threads_pipe_nonblocking_with_vepoll_wait),
        cmocka_unit_test(test_threads_socketpair_blocking_with_timeouts),
        cmocka_unit_test(test_threads_socketpair_nonblocking_with_vepoll_wait),
        cmocka_unit_test(test_threads_eventfd_blocking_with_timeouts),
        cmocka_unit_test(test_threads_eventfd_nonblocking_with_vepoll_wait),
        cmocka_unit_test(test_threads_eventfd_semaphore_blocking),
        cmocka_unit_test(test_threads_eventfd_semaphore_nonblocking),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
