/*
 * Pollers and waiters on nested instances: the wake-up patterns of the
 * kernel's own epoll wake-up suite (epoll_wakeup_test.c) that the rest of
 * our suite did not prove, in our words (docs/SEMANTICS.md, section 19, maps
 * every epollN of that suite to an id):
 *   S200  two sources, one thread polls E then takes wait(E, 0), another is
 *         blocked in wait(E): both get an event, LT and ET (epoll15, 16);
 *   S201  polling an outer instance never consumes: poll(O) and wait(O)
 *         alternate on a chain O > I > source and on O over two inner
 *         instances, for every mode pair (epoll17-24, 49-52);
 *   S202  S130 through nesting: a poller and a waiter both on O: 2
 *         successes when O is LT, 1 when O is ET, whatever I's mode
 *         (epoll29-32);
 *   S203  one thread on I, one on O, each waiting or polling first: the one
 *         on I always succeeds, the one on O always when I is LT (epoll37-48,
 *         S129 with polls);
 *   S204  O over two inner instances, two threads on O (waiting or polling
 *         first), one event for each inner: both threads succeed
 *         (epoll53-58).
 * "Poll" is a blocking wait on a private instance that holds the target (as
 * in S130): vepoll has no poll(2), and that is what poll on an epoll
 * descriptor does.  Threads are started and left to block (vt_until_asleep)
 * before the write, so the wake-up is what is tested; a thread that gets
 * nothing returns at its timeout with 0 and the count says so.
 */
#include "vtest.h"

#define BLOCK_NS (2000 * VT_MS) /* a thread's wait; the losers sit it out */

/* One thread: waits on `target`, or (poll) first blocks on a private
 * instance holding it and then takes wait(target, 0), like the kernel's
 * waiter_entry*a and *ap.  success: it got at least one event.
 * A poll that succeeds is no promise: the other thread may take the event
 * between the poll and the wait(0) (on Linux too; the kernel's test only
 * wins that race by writing both sources before its threads run).  So a
 * poller whose wait(0) comes back empty polls again within its time: the
 * next update must wake it, and a lost wake-up still ends the count short. */
struct taker {
    pthread_t th;
    vepoll_t *priv, *target;
    int maxevents;
    _Atomic pid_t tid;
    atomic_int done;
    int poll_ret, ret;
};

static void *taker_main(void *arg)
{
    struct taker *t = arg;
    struct vepoll_event ev[2];
    atomic_store(&t->tid, vt_gettid());
    if (t->priv) {
        int64_t end = vt_now_ns() + BLOCK_NS, left;
        t->ret = 0;
        while (t->ret == 0 && (left = end - vt_now_ns()) > 0) {
            t->poll_ret = vepoll_wait(t->priv, ev, 1, left);
            if (t->poll_ret <= 0)
                break;
            t->ret = vepoll_wait(t->target, ev, t->maxevents, 0);
        }
    } else {
        t->ret = vepoll_wait(t->target, ev, t->maxevents, BLOCK_NS);
    }
    atomic_store(&t->done, 1);
    return NULL;
}

/* Starts a taker on target (polling first when poll) and returns once it
 * is blocked in the kernel. */
static void taker_start(struct taker *t, vepoll_t *target, int maxevents, bool poll)
{
    memset(t, 0, sizeof(*t));
    t->target = target;
    t->maxevents = maxevents;
    if (poll) {
        t->priv = vt_new_ep();
        assert_int_equal(vt_add(t->priv, 1, vepoll_as_source(target), VEPOLL_IN, 99), 0);
    }
    assert_int_equal(pthread_create(&t->th, NULL, taker_main, t), 0);
    vt_until_asleep(&t->tid, &t->done);
}

/* Joins; 1 if the taker got an event. */
static int taker_join(struct taker *t)
{
    assert_int_equal(pthread_join(t->th, NULL), 0);
    if (t->priv)
        vt_free_ep(t->priv);
    assert_true(t->ret >= 0 && t->ret <= t->maxevents);
    return t->ret > 0;
}

static void nest(vepoll_t *outer, vepoll_t *inner, uint32_t mode, uint64_t cookie)
{
    VT_ADD(outer, (int)cookie, vepoll_as_source(inner), VEPOLL_IN | mode, cookie);
}

/* ---- S200: two sources, a poller and a waiter (epoll15, epoll16) --------- */

static void s200(struct vt_fx *f, uint32_t mode)
{
    vepoll_t *E = f->ep[0];
    struct taker poller, waiter;
    int max = mode ? 1 : 2; /* as the kernel's test: ET takes one each */
    VT_ADD(E, VT_FD_A, f->s, VEPOLL_IN | mode, 1);
    VT_ADD(E, VT_FD_B, f->t, VEPOLL_IN | mode, 2);
    taker_start(&waiter, E, max, false);
    taker_start(&poller, E, max, true);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    vepoll_source_update(f->t, VEPOLL_IN, 0);
    assert_int_equal(taker_join(&poller) + taker_join(&waiter), 2);
}

static void test_s200_two_sources_poller_and_waiter_lt(void **state) { s200(*state, 0); }
static void test_s200_two_sources_poller_and_waiter_et(void **state) { s200(*state, VEPOLL_ET); }

/* ---- S201: polling an outer instance never consumes (epoll17-24, 49-52) -- */

static void s201_chain(struct vt_fx *f, uint32_t outer_mode, uint32_t inner_mode)
{
    vepoll_t *O = f->ep[0], *I = f->ep[1];
    int again = outer_mode ? 0 : 1;
    VT_ADD(I, VT_FD_A, f->s, VEPOLL_IN | inner_mode, 1);
    nest(O, I, outer_mode, 2);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    /* epoll17-20: wait, wait */
    assert_true(vt_readable(O));
    vt_expect1(O, VEPOLL_IN, 2);
    assert_int_equal(vt_readable(O), again);
    assert_int_equal(vt_poll(O, NULL, 1), again);
    /* epoll21-24 after a new event: poll, wait, poll, wait */
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    assert_true(vt_readable(O));
    vt_expect1(O, VEPOLL_IN, 2);
    assert_int_equal(vt_readable(O), again);
    assert_int_equal(vt_poll(O, NULL, 1), again);
    /* the inner instance still has its event unless something consumed it:
     * nothing did (polls and O's waits only look) */
    vt_expect1(I, VEPOLL_IN, 1);
}

static void test_s201_chain_outer_lt_inner_lt(void **state) { s201_chain(*state, 0, 0); }
static void test_s201_chain_outer_lt_inner_et(void **state) { s201_chain(*state, 0, VEPOLL_ET); }
static void test_s201_chain_outer_et_inner_lt(void **state) { s201_chain(*state, VEPOLL_ET, 0); }
static void test_s201_chain_outer_et_inner_et(void **state)
{
    s201_chain(*state, VEPOLL_ET, VEPOLL_ET);
}

static void s201_two_inners(struct vt_fx *f, uint32_t outer_mode)
{
    vepoll_t *O = f->ep[0], *I1 = f->ep[1], *I2 = f->ep[2];
    int again = outer_mode ? 0 : 2;
    VT_ADD(I1, VT_FD_A, f->s, VEPOLL_IN, 1);
    VT_ADD(I2, VT_FD_B, f->t, VEPOLL_IN, 2);
    nest(O, I1, outer_mode, 11);
    nest(O, I2, outer_mode, 12);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    vepoll_source_update(f->t, VEPOLL_IN, 0);
    assert_true(vt_readable(O));
    vt_expect_events_any(O, 2, {11, VEPOLL_IN}, {12, VEPOLL_IN});
    assert_int_equal(vt_readable(O), again != 0);
    assert_int_equal(vt_poll(O, NULL, 2), again);
}

static void test_s201_two_inners_outer_lt(void **state) { s201_two_inners(*state, 0); }
static void test_s201_two_inners_outer_et(void **state) { s201_two_inners(*state, VEPOLL_ET); }

/* ---- S202: a poller and a waiter on O (epoll29-32) ----------------------- */

static void s202(struct vt_fx *f, uint32_t outer_mode, uint32_t inner_mode)
{
    vepoll_t *O = f->ep[0], *I = f->ep[1];
    struct taker poller, waiter;
    VT_ADD(I, VT_FD_A, f->s, VEPOLL_IN | inner_mode, 1);
    nest(O, I, outer_mode, 2);
    taker_start(&waiter, O, 1, false);
    taker_start(&poller, O, 1, true);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    assert_int_equal(taker_join(&poller) + taker_join(&waiter), outer_mode ? 1 : 2);
}

static void test_s202_outer_lt_inner_lt_two(void **state) { s202(*state, 0, 0); }
static void test_s202_outer_lt_inner_et_two(void **state) { s202(*state, 0, VEPOLL_ET); }
static void test_s202_outer_et_inner_lt_one(void **state) { s202(*state, VEPOLL_ET, 0); }
static void test_s202_outer_et_inner_et_one(void **state) { s202(*state, VEPOLL_ET, VEPOLL_ET); }

/* ---- S203: one thread on I, one on O, polls mixed in (epoll37-48) -------- */

static void s203(struct vt_fx *f, uint32_t outer_mode, uint32_t inner_mode, bool poll_inner,
                 bool poll_outer)
{
    vepoll_t *O = f->ep[0], *I = f->ep[1];
    struct taker on_inner, on_outer;
    int got_inner, got_outer;
    VT_ADD(I, VT_FD_A, f->s, VEPOLL_IN | inner_mode, 1);
    nest(O, I, outer_mode, 2);
    taker_start(&on_outer, O, 1, poll_outer);
    taker_start(&on_inner, I, 1, poll_inner);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    got_inner = taker_join(&on_inner);
    got_outer = taker_join(&on_outer);
    assert_int_equal(got_inner, 1); /* nothing on O consumes I's event */
    if (!inner_mode)
        assert_int_equal(got_outer, 1); /* I stays readable for O */
    /* I ET: the thread on O succeeds only if it looks before I's event is
     * taken (the kernel's tests accept both) */
}

static void s203_all(struct vt_fx *f, bool poll_inner, bool poll_outer)
{
    static const uint32_t modes[2] = {0, VEPOLL_ET};
    int o, i, k;
    for (o = 0; o < 2; o++) {
        for (i = 0; i < 2; i++) {
            s203(f, modes[o], modes[i], poll_inner, poll_outer);
            /* a fresh pair for the next combination */
            for (k = 0; k < 2; k++) {
                vt_free_ep(f->ep[k]);
                f->ep[k] = vt_new_ep();
            }
            vepoll_source_update(f->s, 0, VEPOLL_IN);
        }
    }
}

static void test_s203_poll_inner_wait_outer(void **state) { s203_all(*state, true, false); }
static void test_s203_wait_inner_poll_outer(void **state) { s203_all(*state, false, true); }
static void test_s203_poll_inner_poll_outer(void **state) { s203_all(*state, true, true); }

/* ---- S204: O over two inners, two threads on O (epoll53-58) -------------- */

static void s204(struct vt_fx *f, uint32_t outer_mode, bool poll_a, bool poll_b)
{
    vepoll_t *O = f->ep[0], *I1 = f->ep[1], *I2 = f->ep[2];
    struct taker a, b;
    VT_ADD(I1, VT_FD_A, f->s, VEPOLL_IN, 1);
    VT_ADD(I2, VT_FD_B, f->t, VEPOLL_IN, 2);
    nest(O, I1, outer_mode, 11);
    nest(O, I2, outer_mode, 12);
    taker_start(&a, O, 1, poll_a);
    taker_start(&b, O, 1, poll_b);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    vepoll_source_update(f->t, VEPOLL_IN, 0);
    assert_int_equal(taker_join(&a) + taker_join(&b), 2);
}

static void test_s204_outer_lt_two_waiters(void **state) { s204(*state, 0, false, false); }
static void test_s204_outer_et_two_waiters(void **state) { s204(*state, VEPOLL_ET, false, false); }
static void test_s204_outer_lt_waiter_and_poller(void **state) { s204(*state, 0, false, true); }
static void test_s204_outer_et_waiter_and_poller(void **state)
{
    s204(*state, VEPOLL_ET, false, true);
}
static void test_s204_outer_lt_two_pollers(void **state) { s204(*state, 0, true, true); }
static void test_s204_outer_et_two_pollers(void **state) { s204(*state, VEPOLL_ET, true, true); }

#define T(fn) cmocka_unit_test_setup_teardown(fn, vt_fx_setup_8, vt_fx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_s200_two_sources_poller_and_waiter_lt),
        T(test_s200_two_sources_poller_and_waiter_et),
        T(test_s201_chain_outer_lt_inner_lt),
        T(test_s201_chain_outer_lt_inner_et),
        T(test_s201_chain_outer_et_inner_lt),
        T(test_s201_chain_outer_et_inner_et),
        T(test_s201_two_inners_outer_lt),
        T(test_s201_two_inners_outer_et),
        T(test_s202_outer_lt_inner_lt_two),
        T(test_s202_outer_lt_inner_et_two),
        T(test_s202_outer_et_inner_lt_one),
        T(test_s202_outer_et_inner_et_one),
        T(test_s203_poll_inner_wait_outer),
        T(test_s203_wait_inner_poll_outer),
        T(test_s203_poll_inner_poll_outer),
        T(test_s204_outer_lt_two_waiters),
        T(test_s204_outer_et_two_waiters),
        T(test_s204_outer_lt_waiter_and_poller),
        T(test_s204_outer_et_waiter_and_poller),
        T(test_s204_outer_lt_two_pollers),
        T(test_s204_outer_et_two_pollers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
