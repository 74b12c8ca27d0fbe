/*
 * The ready-made objects' blocking calls are interruptible by the calling
 * thread's vepoll_intr handle, as Linux's pipe_read / pipe_write,
 * eventfd_read / eventfd_write, unix_stream_recvmsg / sendmsg and
 * timerfd_read are by a signal (S230-S237):
 *   - a call asleep wakes and returns -EINTR when its thread's handle is
 *     raised, one that starts while it is pending does not sleep;
 *   - what is there comes first (data is read), a write or a MSG_WAITALL
 *     receive that moved bytes returns their count;
 *   - an interrupted call consumes nothing: no byte, no eventfd count, no
 *     timer expiration; a later call finds everything;
 *   - only the raised thread is interrupted; a raise from a signal handler
 *     works; a raise racing the entry into the call is never lost.
 * Built twice: on the futex back end and on the condition-variable one
 * (test_obj_intr_condvar), where a raise is noticed within a 10 ms slice.
 * Worker threads never assert: they record, the test thread asserts.
 */
#include <signal.h>

#include "vepoll_objects.h"
#include "vtest.h"

/* A thread that binds `h` (if any) and makes one blocking call. */
struct blocked_call {
    pthread_t th;
    vepoll_intr_t *h;
    ssize_t (*fn)(struct blocked_call *c);
    void *obj;
    size_t len;
    int flags;
    unsigned char buf[1 << 17];
    _Atomic pid_t tid;
    atomic_int done;
    _Atomic ssize_t ret;
};

static void *blocked_call_main(void *arg)
{
    struct blocked_call *c = arg;
    ssize_t rc = 0;
    atomic_store(&c->tid, vt_gettid());
    if (c->h)
        rc = vepoll_intr_bind(c->h);
    if (!rc)
        rc = c->fn(c);
    atomic_store(&c->ret, rc);
    atomic_store(&c->done, 1);
    if (c->h)
        vepoll_intr_bind(NULL);
    return NULL;
}

/* Starts the call and returns once its thread sleeps in it. */
static struct blocked_call *start_call(ssize_t (*fn)(struct blocked_call *), void *obj,
                                       size_t len, int flags, vepoll_intr_t *h)
{
    struct blocked_call *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    c->fn = fn;
    c->obj = obj;
    c->len = len;
    c->flags = flags;
    c->h = h;
    atomic_store(&c->ret, 12345);
    assert_int_equal(pthread_create(&c->th, NULL, blocked_call_main, c), 0);
    vt_until_asleep(&c->tid, &c->done);
    return c;
}

/* Joins the call's thread: its result. */
static ssize_t finish_call(struct blocked_call *c)
{
    ssize_t rc;
    assert_int_equal(pthread_join(c->th, NULL), 0);
    rc = atomic_load(&c->ret);
    free(c);
    return rc;
}

static vepoll_intr_t *new_intr(void)
{
    vepoll_intr_t *h = NULL;
    assert_int_equal(vepoll_intr_create(&h), 0);
    return h;
}

/* Raises h, joins the call: its result; h is cleared and destroyed. */
static ssize_t interrupt_call(struct blocked_call *c, vepoll_intr_t *h)
{
    ssize_t rc;
    assert_int_equal(vepoll_intr_raise(h), 0);
    rc = finish_call(c);
    assert_int_equal(vepoll_intr_pending(h), 1); /* until the runtime clears it */
    assert_int_equal(vepoll_intr_clear(h), 0);
    assert_int_equal(vepoll_intr_destroy(h), 0);
    return rc;
}

/* ---- the calls ---------------------------------------------------------- */

static ssize_t pipe_read_call(struct blocked_call *c)
{
    return vepoll_pipe_read(c->obj, c->buf, c->len, -1);
}

static ssize_t pipe_write_call(struct blocked_call *c)
{
    return vepoll_pipe_write(c->obj, c->buf, c->len, -1);
}

static ssize_t efd_read_call(struct blocked_call *c)
{
    return vepoll_eventfd_read(c->obj, c->buf, 8, -1);
}

static ssize_t efd_write_one_call(struct blocked_call *c)
{
    uint64_t one = 1;
    return vepoll_eventfd_write(c->obj, &one, sizeof(one), -1);
}

static ssize_t sp_recv_call(struct blocked_call *c)
{
    return vepoll_socketpair_recv(c->obj, 0, c->buf, c->len, c->flags, -1);
}

static ssize_t sp_write_call(struct blocked_call *c)
{
    return vepoll_socketpair_write(c->obj, 1, c->buf, c->len, -1);
}

static ssize_t tfd_read_call(struct blocked_call *c)
{
    return vepoll_timerfd_read(c->obj, c->buf, 8, -1);
}

static vepoll_pipe_t *new_pipe(void)
{
    vepoll_pipe_t *p = NULL;
    assert_int_equal(vepoll_pipe_create(&p, 0, 0), 0);
    return p;
}

static void free_pipe(vepoll_pipe_t *p)
{
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_READ), 0);
    assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_WRITE), 0);
}

/* ---- S230 pipe read ------------------------------------------------------ */

static void test_s230_pipe_read_asleep_interrupted_consumes_nothing(void **state)
{
    vepoll_pipe_t *p = new_pipe();
    vepoll_intr_t *h = new_intr();
    char got[8] = {0};
    (void)state;
    assert_int_equal(interrupt_call(start_call(pipe_read_call, p, 8, 0, h), h), -EINTR);
    /* Nothing was consumed: what is written now is read whole. */
    assert_int_equal(vepoll_pipe_write(p, "abc", 3, 0), 3);
    assert_int_equal(vepoll_pipe_read(p, got, sizeof(got), 0), 3);
    assert_memory_equal(got, "abc", 3);
    free_pipe(p);
}

static void test_s230_pipe_read_pending_takes_data_first_then_eintr(void **state)
{
    vepoll_pipe_t *p = new_pipe();
    vepoll_intr_t *h = new_intr();
    char got[8];
    (void)state;
    assert_int_equal(vepoll_intr_bind(h), 0);
    assert_int_equal(vepoll_intr_raise(h), 0);
    assert_int_equal(vepoll_pipe_write(p, "xy", 2, 0), 2);
    assert_int_equal(vepoll_pipe_read(p, got, sizeof(got), -1), 2); /* data first */
    assert_int_equal(vepoll_pipe_read(p, got, sizeof(got), -1), -EINTR); /* no sleep */
    assert_int_equal(vepoll_pipe_read(p, got, sizeof(got), 10 * VT_SEC), -EINTR);
    /* A call that never sleeps is never interrupted. */
    assert_int_equal(vepoll_pipe_read(p, got, sizeof(got), 0), -EAGAIN);
    assert_int_equal(vepoll_intr_clear(h), 0);
    assert_int_equal(vepoll_pipe_read(p, got, sizeof(got), VT_MS), -EAGAIN); /* times out */
    assert_int_equal(vepoll_intr_bind(NULL), 0);
    assert_int_equal(vepoll_intr_destroy(h), 0);
    free_pipe(p);
}

/* ---- S231 pipe write ----------------------------------------------------- */

static void test_s231_pipe_write_interrupted_returns_moved_count(void **state)
{
    vepoll_pipe_t *p = new_pipe();
    size_t cap = vepoll_pipe_capacity(p);
    vepoll_intr_t *h = new_intr();
    (void)state;
    /* Fills the empty pipe (one page per slot), then sleeps for the rest. */
    assert_int_equal(interrupt_call(start_call(pipe_write_call, p, cap + 100, 0, h), h),
                     (ssize_t)cap);
    assert_int_equal(vepoll_pipe_pending(p), cap);
    /* Into the full pipe nothing moves: -EINTR and the pipe is unchanged. */
    h = new_intr();
    assert_int_equal(interrupt_call(start_call(pipe_write_call, p, 10, 0, h), h), -EINTR);
    assert_int_equal(vepoll_pipe_pending(p), cap);
    free_pipe(p);
}

/* ---- S232 eventfd -------------------------------------------------------- */

static void test_s232_eventfd_read_and_write_interrupted_keep_the_count(void **state)
{
    vepoll_eventfd_t *e = NULL;
    vepoll_intr_t *h = new_intr();
    uint64_t v = 5;
    (void)state;
    assert_int_equal(vepoll_eventfd_create(&e, 0, 0), 0);
    assert_int_equal(interrupt_call(start_call(efd_read_call, e, 8, 0, h), h), -EINTR);
    assert_int_equal(vepoll_eventfd_write(e, &v, 8, 0), 8);
    v = 0;
    assert_int_equal(vepoll_eventfd_read(e, &v, 8, 0), 8);
    assert_true(v == 5);
    /* At the ceiling a write of 1 sleeps; interrupted, it adds nothing. */
    v = VEPOLL_EFD_MAX;
    assert_int_equal(vepoll_eventfd_write(e, &v, 8, 0), 8);
    h = new_intr();
    assert_int_equal(interrupt_call(start_call(efd_write_one_call, e, 8, 0, h), h), -EINTR);
    v = 0;
    assert_int_equal(vepoll_eventfd_read(e, &v, 8, 0), 8);
    assert_true(v == VEPOLL_EFD_MAX);
    assert_int_equal(vepoll_eventfd_close(e), 0);
}

/* ---- S233 socket pair ---------------------------------------------------- */

static void test_s233_socketpair_recv_and_write_interrupted(void **state)
{
    vepoll_socketpair_t *s = NULL;
    vepoll_intr_t *h = new_intr();
    char got[16];
    struct blocked_call *c;
    (void)state;
    assert_int_equal(vepoll_socketpair_create(&s, 4096, 0), 0);
    /* Nothing queued: -EINTR, and nothing was taken. */
    assert_int_equal(interrupt_call(start_call(sp_recv_call, s, 8, 0, h), h), -EINTR);
    /* MSG_WAITALL that took 4 of 10 bytes: the count. */
    h = new_intr();
    c = start_call(sp_recv_call, s, 10, VEPOLL_MSG_WAITALL, h);
    assert_int_equal(vepoll_socketpair_write(s, 1, "abcd", 4, 0), 4);
    /* Taken before the raise or on the way out: 4 either way. */
    assert_int_equal(interrupt_call(c, h), 4);
    assert_int_equal(vepoll_socketpair_read(s, 0, got, sizeof(got), 0), -EAGAIN);
    /* A write larger than the buffer moves what fits, then sleeps. */
    h = new_intr();
    assert_int_equal(interrupt_call(start_call(sp_write_call, s, 8192, 0, h), h), 4096);
    h = new_intr();
    assert_int_equal(interrupt_call(start_call(sp_write_call, s, 10, 0, h), h), -EINTR);
    assert_int_equal(vepoll_socketpair_read(s, 0, got, sizeof(got), 0), (ssize_t)sizeof(got));
    assert_int_equal(vepoll_socketpair_close(s, 0), 0);
    assert_int_equal(vepoll_socketpair_close(s, 1), 0);
}

/* ---- S234 timerfd -------------------------------------------------------- */

static void test_s234_timerfd_read_interrupted_keeps_expirations(void **state)
{
    vepoll_timerfd_t *t = NULL;
    vepoll_intr_t *h = new_intr();
    struct vepoll_itimerspec later = {{0, 0}, {3600, 0}}, soon = {{0, 0}, {0, 1000000}};
    uint64_t ticks = 0;
    (void)state;
    assert_int_equal(vepoll_timerfd_create(&t, VEPOLL_CLOCK_MONOTONIC, 0), 0);
    assert_int_equal(vepoll_timerfd_settime(t, 0, &later, NULL), 0);
    assert_int_equal(interrupt_call(start_call(tfd_read_call, t, 8, 0, h), h), -EINTR);
    assert_int_equal(vepoll_timerfd_settime(t, 0, &soon, NULL), 0);
    assert_int_equal(vepoll_timerfd_read(t, &ticks, sizeof(ticks), -1), 8);
    assert_true(ticks == 1);
    assert_int_equal(vepoll_timerfd_close(t), 0);
}

/* ---- S235 only the raised thread ----------------------------------------- */

static void test_s235_raise_interrupts_only_its_threads_call(void **state)
{
    vepoll_pipe_t *p = new_pipe();
    vepoll_intr_t *ha = new_intr(), *hb = new_intr();
    struct blocked_call *a = start_call(pipe_read_call, p, 8, 0, ha);
    struct blocked_call *b = start_call(pipe_read_call, p, 8, 0, hb);
    (void)state;
    assert_int_equal(interrupt_call(a, ha), -EINTR);
    vt_sleep_ms(20);
    assert_int_equal(atomic_load(&b->done), 0); /* still asleep */
    assert_int_equal(vepoll_pipe_write(p, "data", 4, 0), 4);
    assert_int_equal(finish_call(b), 4);
    assert_int_equal(vepoll_intr_pending(hb), 0);
    assert_int_equal(vepoll_intr_destroy(hb), 0);
    free_pipe(p);
}

/* ---- S236 from a signal handler ------------------------------------------ */

static vepoll_intr_t *sig_target;

static void on_sigusr1(int sig)
{
    (void)sig;
    vepoll_intr_raise(sig_target);
}

static void test_s236_raise_from_signal_handler_interrupts_object_read(void **state)
{
    vepoll_eventfd_t *e = NULL;
    struct sigaction sa, old;
    struct blocked_call *c;
    (void)state;
    assert_int_equal(vepoll_eventfd_create(&e, 0, 0), 0);
    sig_target = new_intr();
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_sigusr1;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
    c = start_call(efd_read_call, e, 8, 0, sig_target);
    assert_int_equal(pthread_kill(c->th, SIGUSR1), 0);
    assert_int_equal(finish_call(c), -EINTR);
    assert_int_equal(sigaction(SIGUSR1, &old, NULL), 0);
    assert_int_equal(vepoll_intr_destroy(sig_target), 0);
    assert_int_equal(vepoll_eventfd_close(e), 0);
}

/* ---- S237 a raise racing the entry ---------------------------------------- */

static long pipe_read_long(void *p)
{
    char b[4];
    return vepoll_pipe_read(p, b, sizeof(b), 10 * VT_SEC);
}

static void test_s237_raise_racing_entry_into_object_call_is_never_lost(void **state)
{
    vepoll_pipe_t *p = new_pipe();
    (void)state;
    assert_int_equal(vt_intr_race(1000, pipe_read_long, p), 0);
    assert_int_equal(vepoll_pipe_pending(p), 0);
    free_pipe(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_s230_pipe_read_asleep_interrupted_consumes_nothing),
        cmocka_unit_test(test_s230_pipe_read_pending_takes_data_first_then_eintr),
        cmocka_unit_test(test_s231_pipe_write_interrupted_returns_moved_count),
        cmocka_unit_test(test_s232_eventfd_read_and_write_interrupted_keep_the_count),
        cmocka_unit_test(test_s233_socketpair_recv_and_write_interrupted),
        cmocka_unit_test(test_s234_timerfd_read_interrupted_keeps_expirations),
        cmocka_unit_test(test_s235_raise_interrupts_only_its_threads_call),
        cmocka_unit_test(test_s236_raise_from_signal_handler_interrupts_object_read),
        cmocka_unit_test(test_s237_raise_racing_entry_into_object_call_is_never_lost),
    };
    return cmocka_run_group_tests(tests, vt_reset_setup, vt_reset_teardown);
}
