/*
 * Waiters that spin (vepoll_set_spin) instead of sleeping: what ends a spin
 * and who gets an event when several spin (issue #14 item 3).  A spinner
 * must behave as a blocked waiter: S132 (LT reaches every waiter), S133
 * (ET reaches exactly one), S145 (a thread's interrupt handle), and the
 * API's own rules (docs/API.md): vepoll_close ends a wait with -EBADF,
 * vepoll_interrupt with -EINTR; S067 (an ADD of a ready source reaches a
 * waiter).  The spin time is set far longer than any
 * test runs, so a spinner that a close, an interrupt or an event failed to
 * reach would spin until the ctest timeout: these tests fail by hanging,
 * never on a timing threshold.  Whether a waiter spins is read from its CPU
 * clock (vt_waiter_until_spinning), not guessed from a sleep.
 * Built twice: against vepoll (futex parking) and vepoll_condvar.
 * Worker threads never assert; the test thread joins them and asserts.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "vtest.h"

#define SPIN_FOREVER_NS (3600 * VT_SEC)
#define WAIT_NS (1000 * VT_MS)

struct fixture {
    vepoll_t *ep;
    vepoll_source_t *src;
};

static void setup(struct fixture *f, uint32_t mode, int64_t spin_ns)
{
    assert_int_equal(vepoll_create(&f->ep), 0);
    assert_int_equal(vepoll_source_create(&f->src, 0), 0);
    assert_int_equal(vt_add(f->ep, 3, f->src, VEPOLL_IN | mode, 7), 0);
    assert_int_equal(vepoll_set_spin(f->ep, spin_ns), 0);
}

/* A waiter in vepoll_wait(-1) on an instance that spins "forever" (`fn`:
 * vt_waiter_main or a wrapper), returned once it spins. */
static void start_spinner(struct fixture *f, struct vt_waiter *w, uint32_t mode,
                          void *(*fn)(void *))
{
    setup(f, mode, SPIN_FOREVER_NS);
    vt_waiter_start_fn(w, f->ep, 1, -1, fn);
    vt_waiter_until_spinning(w);
}

static void teardown(struct fixture *f)
{
    if (f->ep)
        vepoll_close(f->ep);
    vepoll_source_close(f->src);
}

/* A spinning waiter ends with -EBADF when its instance is closed (the
 * spin loop reads `closed`). */
static void test_spinner_ended_by_close(void **state)
{
    struct fixture f;
    struct vt_waiter w;
    (void)state;
    start_spinner(&f, &w, VEPOLL_ET, vt_waiter_main);
    vepoll_close(f.ep);
    f.ep = NULL;
    vt_waiter_join(&w);
    assert_int_equal(w.ret, -EBADF);
    teardown(&f);
}

/* vepoll_interrupt ends a spin with -EINTR, and is consumed. */
static void test_spinner_ended_by_vepoll_interrupt(void **state)
{
    struct fixture f;
    struct vt_waiter w;
    struct vepoll_event ev;
    (void)state;
    start_spinner(&f, &w, VEPOLL_ET, vt_waiter_main);
    assert_int_equal(vepoll_interrupt(f.ep), 0);
    vt_waiter_join(&w);
    assert_int_equal(w.ret, -EINTR);
    assert_int_equal(vepoll_set_spin(f.ep, 0), 0);
    assert_int_equal(vepoll_wait(f.ep, &ev, 1, VT_MS), 0); /* consumed */
    teardown(&f);
}

/* S145: a per-thread interruption handle raised from another thread ends
 * the bound thread's spin with -EINTR. */
static vepoll_intr_t *spin_handle;

static void *bound_waiter_main(void *arg)
{
    struct vt_waiter *w = arg;
    int rc = vepoll_intr_bind(spin_handle);
    if (rc) { /* the test fails on this ret */
        w->ret = rc == -EINTR ? -EBADF : rc;
        atomic_store(&w->tid, vt_gettid());
        atomic_store(&w->done, 1);
        return NULL;
    }
    vt_waiter_main(arg);
    vepoll_intr_bind(NULL);
    return NULL;
}

static void test_s145_spinner_ended_by_intr_handle(void **state)
{
    struct fixture f;
    struct vt_waiter w;
    (void)state;
    assert_int_equal(vepoll_intr_create(&spin_handle), 0);
    start_spinner(&f, &w, VEPOLL_ET, bound_waiter_main);
    assert_int_equal(vepoll_intr_raise(spin_handle), 0);
    vt_waiter_join(&w);
    assert_int_equal(w.ret, -EINTR);
    assert_int_equal(vepoll_intr_destroy(spin_handle), 0);
    teardown(&f);
}

/* ADD of a ready source while a thread spins (S067 for a spinner): ctl
 * queues it in the private FIFO under the token and posts to the mailbox. */
static void test_s067_spinner_sees_add_of_ready_source(void **state)
{
    struct fixture f;
    struct vt_waiter w;
    vepoll_source_t *s2;
    (void)state;
    assert_int_equal(vepoll_source_create(&s2, VEPOLL_IN), 0);
    start_spinner(&f, &w, VEPOLL_ET, vt_waiter_main);
    assert_int_equal(vt_add(f.ep, 4, s2, VEPOLL_IN, 9), 0);
    vt_waiter_join(&w);
    assert_int_equal(w.ret, 1);
    assert_int_equal(w.ev[0].data.u64, 9);
    teardown(&f);
    vepoll_source_close(s2);
}

/* An update reaches a spinner: it returns the event, with its cookie. */
static void test_spinner_gets_update(void **state)
{
    struct fixture f;
    struct vt_waiter w;
    (void)state;
    start_spinner(&f, &w, VEPOLL_ET, vt_waiter_main);
    vepoll_source_update(f.src, VEPOLL_IN, 0);
    vt_waiter_join(&w);
    assert_int_equal(w.ret, 1);
    assert_int_equal(w.ev[0].events, VEPOLL_IN);
    assert_int_equal(w.ev[0].data.u64, 7);
    teardown(&f);
}

/* Two spinners, one edge (S133): exactly one returns it; the other spins
 * on to its deadline and returns 0 (its spin covers the whole wait, so this
 * is the spin path alone). */
static void test_s133_two_spinners_et_wake_one(void **state)
{
    struct fixture f;
    struct vt_waiter w[2];
    int got = 0;
    (void)state;
    setup(&f, VEPOLL_ET, SPIN_FOREVER_NS);
    for (int i = 0; i < 2; i++)
        vt_waiter_start(&w[i], f.ep, 1, WAIT_NS);
    for (int i = 0; i < 2; i++)
        vt_waiter_until_spinning(&w[i]);
    vepoll_source_update(f.src, VEPOLL_IN, 0);
    for (int i = 0; i < 2; i++) {
        vt_waiter_join(&w[i]);
        if (w[i].ret == 1) {
            got++;
            assert_int_equal(w[i].ev[0].events, VEPOLL_IN);
        } else {
            assert_int_equal(w[i].ret, 0);
            assert_true(w[i].elapsed >= w[i].timeout);
        }
    }
    assert_int_equal(got, 1);
    teardown(&f);
}

/* Two spinners, level-triggered readiness (S132): both return it.  The
 * first harvests it from the inbox; the LT entry then stays in the private
 * FIFO, which a spinner cannot look at: the harvest posts to the mailbox,
 * which the second watches (without it, the second would spin on forever
 * here). */
static void test_s132_two_spinners_lt_both_report(void **state)
{
    struct fixture f;
    struct vt_waiter w[2];
    (void)state;
    setup(&f, 0, SPIN_FOREVER_NS);
    for (int i = 0; i < 2; i++)
        vt_waiter_start(&w[i], f.ep, 1, -1);
    for (int i = 0; i < 2; i++)
        vt_waiter_until_spinning(&w[i]);
    vepoll_source_update(f.src, VEPOLL_IN, 0);
    for (int i = 0; i < 2; i++) {
        vt_waiter_join(&w[i]);
        assert_int_equal(w[i].ret, 1);
        assert_int_equal(w[i].ev[0].events, VEPOLL_IN);
    }
    teardown(&f);
}

/* A spinner whose spin ends parks, and an update after that still wakes it
 * (the spin -> park hand-over: register, look again, sleep). */
static void test_spinner_parks_then_woken(void **state)
{
    struct fixture f;
    struct vt_waiter w;
    (void)state;
    setup(&f, VEPOLL_ET, 20 * VT_MS);
    vt_waiter_start(&w, f.ep, 1, -1);
    vt_waiter_until_blocked(&w); /* asleep: the spin is over */
    vepoll_source_update(f.src, VEPOLL_IN, 0);
    vt_waiter_join(&w);
    assert_int_equal(w.ret, 1);
    assert_int_equal(w.ev[0].data.u64, 7);
    teardown(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spinner_ended_by_close),
        cmocka_unit_test(test_spinner_ended_by_vepoll_interrupt),
        cmocka_unit_test(test_s145_spinner_ended_by_intr_handle),
        cmocka_unit_test(test_spinner_gets_update),
        cmocka_unit_test(test_s067_spinner_sees_add_of_ready_source),
        cmocka_unit_test(test_s133_two_spinners_et_wake_one),
        cmocka_unit_test(test_s132_two_spinners_lt_both_report),
        cmocka_unit_test(test_spinner_parks_then_woken),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
