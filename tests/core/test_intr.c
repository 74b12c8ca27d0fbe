/*
 * Per-thread interruption (vepoll_intr_*): Linux's signal_pending, thread by
 * thread.  A signal interrupts the thread it is delivered to: that thread's
 * epoll_wait returns EINTR and a second thread blocked on the same instance
 * keeps waiting (S145's thread-directed form); events already there come
 * first; a raise and a clear while nobody waits leave nothing behind; a
 * raise racing the thread's entry into the wait is never lost; a raise from
 * a signal handler works.  Built twice: on the futex back end and on the
 * condition-variable one (test_intr_condvar), where a raise from a signal
 * handler is noticed within one 10 ms slice.
 */
#include "vtest.h"

#include <signal.h>

struct intr_waiter {
    pthread_t th;
    vepoll_t *ep;
    vepoll_intr_t *h;  /* bound by the thread itself; NULL: none */
    int64_t timeout;
    atomic_int ret;
    atomic_int started;
    _Atomic pid_t tid;
    atomic_int done;
    struct vepoll_event ev[4];
};

static void *intr_waiter_main(void *arg)
{
    struct intr_waiter *w = arg;
    int rc = 0;
    atomic_store(&w->tid, vt_gettid());
    if (w->h)
        rc = vepoll_intr_bind(w->h);
    atomic_store(&w->started, 1);
    if (!rc)
        rc = vepoll_wait(w->ep, w->ev, 4, w->timeout);
    atomic_store(&w->ret, rc);
    atomic_store(&w->done, 1);
    if (w->h)
        vepoll_intr_bind(NULL);
    return NULL;
}

static void start(struct intr_waiter *w, vepoll_t *ep, vepoll_intr_t *h, int64_t timeout)
{
    memset(w, 0, sizeof(*w));
    w->ep = ep;
    w->h = h;
    w->timeout = timeout;
    atomic_store(&w->ret, 12345);
    assert_int_equal(pthread_create(&w->th, NULL, intr_waiter_main, w), 0);
    vt_until_asleep(&w->tid, &w->done);
}

static void test_s145_raise_interrupts_only_its_thread(void **state)
{
    vepoll_t *ep = vt_new_ep();
    vepoll_source_t *s = vt_new_source(0);
    vepoll_intr_t *ha, *hb;
    struct intr_waiter a, b;
    (void)state;
    VT_ADD(ep, VT_FD_A, s, VEPOLL_IN, 7);
    assert_int_equal(vepoll_intr_create(&ha), 0);
    assert_int_equal(vepoll_intr_create(&hb), 0);
    start(&a, ep, ha, -1);
    start(&b, ep, hb, 10 * VT_SEC);
    assert_int_equal(vepoll_intr_raise(ha), 0);
    assert_int_equal(pthread_join(a.th, NULL), 0);
    assert_int_equal(atomic_load(&a.ret), -EINTR);
    /* b is still blocked and gets the next event. */
    vt_sleep_ms(20);
    assert_int_equal(atomic_load(&b.done), 0);
    vepoll_source_update(s, VEPOLL_IN, 0);
    assert_int_equal(pthread_join(b.th, NULL), 0);
    assert_int_equal(atomic_load(&b.ret), 1);
    assert_true(b.ev[0].data.u64 == 7);
    assert_int_equal(vepoll_intr_pending(ha), 1); /* until the runtime clears it */
    assert_int_equal(vepoll_intr_pending(hb), 0);
    assert_int_equal(vepoll_intr_destroy(ha), 0);
    assert_int_equal(vepoll_intr_destroy(hb), 0);
    vt_free_ep(ep);
    vepoll_source_close(s);
}

static void test_s145_pending_wait_returns_events_first(void **state)
{
    vepoll_t *ep = vt_new_ep();
    vepoll_source_t *s = vt_new_source(VEPOLL_IN);
    vepoll_intr_t *h;
    struct vepoll_event out[4];
    (void)state;
    VT_ADD(ep, VT_FD_A, s, VEPOLL_IN | VEPOLL_ET, 3);
    assert_int_equal(vepoll_intr_create(&h), 0);
    assert_int_equal(vepoll_intr_bind(h), 0);
    assert_int_equal(vepoll_intr_raise(h), 0);
    /* Something to report: reported, the interrupt stays pending. */
    assert_int_equal(vepoll_wait(ep, out, 4, -1), 1);
    assert_int_equal(vepoll_intr_pending(h), 1);
    /* Nothing: -EINTR at once instead of sleeping; nothing was consumed. */
    assert_int_equal(vepoll_wait(ep, out, 4, -1), -EINTR);
    assert_int_equal(vepoll_wait(ep, out, 4, 10 * VT_SEC), -EINTR);
    /* A poll (timeout 0) never blocks, so it never sees the interrupt. */
    assert_int_equal(vepoll_wait(ep, out, 4, 0), 0);
    assert_int_equal(vepoll_intr_clear(h), 0);
    assert_int_equal(vepoll_wait(ep, out, 4, VT_MS), 0); /* times out as usual */
    vepoll_source_update(s, VEPOLL_IN, 0);
    assert_int_equal(vepoll_wait(ep, out, 4, -1), 1);
    assert_int_equal(vepoll_intr_bind(NULL), 0);
    assert_int_equal(vepoll_intr_destroy(h), 0);
    vt_free_ep(ep);
    vepoll_source_close(s);
}

static void test_s145_raise_then_clear_leaves_nothing(void **state)
{
    vepoll_t *ep = vt_new_ep();
    vepoll_intr_t *h;
    struct vepoll_event out[4];
    int64_t t0;
    (void)state;
    assert_int_equal(vepoll_intr_create(&h), 0);
    assert_int_equal(vepoll_intr_bind(h), 0);
    assert_int_equal(vepoll_intr_raise(h), 0);
    assert_int_equal(vepoll_intr_clear(h), 0);
    t0 = vt_now_ns();
    assert_int_equal(vepoll_wait(ep, out, 4, 20 * VT_MS), 0);
    assert_true(vt_now_ns() - t0 >= 20 * VT_MS);
    assert_int_equal(vepoll_intr_bind(NULL), 0);
    assert_int_equal(vepoll_intr_destroy(h), 0);
    vt_free_ep(ep);
}

static void test_intr_binding_rules(void **state)
{
    vepoll_intr_t *h;
    struct intr_waiter w;
    vepoll_t *ep = vt_new_ep();
    (void)state;
    assert_int_equal(vepoll_intr_create(NULL), -EINVAL);
    assert_int_equal(vepoll_intr_raise(NULL), -EINVAL);
    assert_int_equal(vepoll_intr_clear(NULL), -EINVAL);
    assert_int_equal(vepoll_intr_destroy(NULL), -EINVAL);
    assert_int_equal(vepoll_intr_pending(NULL), 0);
    assert_int_equal(vepoll_intr_bind(NULL), 0); /* unbinding nothing */
    assert_int_equal(vepoll_intr_create(&h), 0);
    start(&w, ep, h, -1);        /* bound by the other thread */
    assert_int_equal(vepoll_intr_bind(h), -EBUSY);
    assert_int_equal(vepoll_intr_destroy(h), -EBUSY);
    assert_int_equal(vepoll_intr_raise(h), 0);
    assert_int_equal(pthread_join(w.th, NULL), 0);
    assert_int_equal(atomic_load(&w.ret), -EINTR);
    /* The thread unbound (or exited): the handle is free again. */
    assert_int_equal(vepoll_intr_bind(h), 0);
    assert_int_equal(vepoll_intr_bind(h), 0); /* again: no change */
    assert_int_equal(vepoll_intr_bind(NULL), 0);
    assert_int_equal(vepoll_intr_destroy(h), 0);
    vt_free_ep(ep);
}

/* A raise racing the entry into the wait: every raise ends a wait. */
static long wait_call(void *ep)
{
    struct vepoll_event out[1];
    return vepoll_wait(ep, out, 1, 10 * VT_SEC);
}

static void test_s145_raise_racing_entry_is_never_lost(void **state)
{
    vepoll_t *ep = vt_new_ep();
    (void)state;
    assert_int_equal(vt_intr_race(2000, wait_call, ep), 0);
    vt_free_ep(ep);
}

/* From a signal handler, as a runtime delivers a signal to a guest thread. */
static vepoll_intr_t *sig_target;

static void on_sigusr1(int sig)
{
    (void)sig;
    vepoll_intr_raise(sig_target);
}

static void test_s145_raise_from_signal_handler(void **state)
{
    vepoll_t *ep = vt_new_ep();
    struct sigaction sa, old;
    struct intr_waiter w;
    (void)state;
    assert_int_equal(vepoll_intr_create(&sig_target), 0);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_sigusr1;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
    start(&w, ep, sig_target, -1);
    assert_int_equal(pthread_kill(w.th, SIGUSR1), 0);
    assert_int_equal(pthread_join(w.th, NULL), 0);
    assert_int_equal(atomic_load(&w.ret), -EINTR);
    assert_int_equal(sigaction(SIGUSR1, &old, NULL), 0);
    assert_int_equal(vepoll_intr_destroy(sig_target), 0);
    vt_free_ep(ep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_s145_raise_interrupts_only_its_thread),
        cmocka_unit_test(test_s145_pending_wait_returns_events_first),
        cmocka_unit_test(test_s145_raise_then_clear_leaves_nothing),
        cmocka_unit_test(test_intr_binding_rules),
        cmocka_unit_test(test_s145_raise_racing_entry_is_never_lost),
        cmocka_unit_test(test_s145_raise_from_signal_handler),
    };
    return cmocka_run_group_tests(tests, vt_reset_setup, vt_reset_teardown);
}
