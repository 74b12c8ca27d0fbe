/*
 * White-box tests of the consumer token (src/core/token.h): the bias is
 * earned by one thread's run of acquisitions and taken away by any other
 * thread, the token is exclusive whichever way it is taken, a thread that
 * is inside never enters twice, and a call that bailed from the fast path
 * stays announced (slow) while it goes through the mutex, so the free of
 * the instance waits for it while a revoker does not.
 *
 * The same descriptors carry the producers' read-side sections of sources
 * (source.h): a section marks the thread's own descriptor with no shared
 * RMW, nested sections keep the mark, and a writer's grace period
 * (vepoll__thr_wait_readers) waits for a thread that is inside.
 *
 * The fast path is off where membarrier's private expedited command is
 * missing and under ThreadSanitizer (token.h): there the bias tests check
 * that the token is never biased, the exclusion test runs on the mutex, and
 * sections use the source's counters.
 */
#include "vtest.h"

#include "instance.h"
#include "source.h"
#include "token.h"

#define NEED 8 /* token.c's NEED_FIRST */

static int bias_possible(void)
{
    /* Earn it once on a scratch token: only then is the fast path on. */
    struct vepoll__token t;
    int on;
    assert_int_equal(vepoll__token_init(&t), 0);
    for (int i = 0; i < 4 * NEED; i++)
        vepoll__token_leave(&t, vepoll__token_enter(&t));
    on = AO_load(&t.bias) != 0;
    vepoll__token_destroy(&t);
    return on;
}

static void test_token_bias_is_earned_by_a_run_of_one_thread(void **state)
{
    struct vepoll__token t;
    int fast = 0;
    (void)state;
    assert_int_equal(vepoll__token_init(&t), 0);
    for (int i = 0; i < NEED - 1; i++)
        vepoll__token_leave(&t, vepoll__token_enter(&t));
    assert_true(AO_load(&t.bias) == 0); /* not yet */
    for (int i = 0; i < 2 * NEED; i++) {
        int f = vepoll__token_enter(&t);
        fast += f;
        vepoll__token_leave(&t, f);
    }
    if (bias_possible()) {
        assert_true(AO_load(&t.bias) == (AO_t)vepoll__thread_id());
        assert_true(fast >= 2 * NEED - 1);
    } else {
        assert_true(AO_load(&t.bias) == 0);
        assert_int_equal(fast, 0);
    }
    vepoll__token_destroy(&t);
}

struct other {
    struct vepoll__token *t;
    int fast;
    int64_t biased_after; /* bias seen when the other thread left */
};

static void *other_main(void *arg)
{
    struct other *o = arg;
    o->fast = vepoll__token_enter(o->t);
    o->biased_after = (int64_t)AO_load(&o->t->bias);
    vepoll__token_leave(o->t, o->fast);
    return NULL;
}

static void test_token_other_thread_takes_the_bias_away(void **state)
{
    struct vepoll__token t;
    struct other o = {&t, -1, -1};
    pthread_t th;
    unsigned need0;
    (void)state;
    if (!bias_possible())
        skip();
    assert_int_equal(vepoll__token_init(&t), 0);
    for (int i = 0; i < 2 * NEED; i++)
        vepoll__token_leave(&t, vepoll__token_enter(&t));
    assert_true(AO_load(&t.bias) == (AO_t)vepoll__thread_id());
    need0 = t.need;
    assert_int_equal(pthread_create(&th, NULL, other_main, &o), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(o.fast, 0);       /* it came through the mutex */
    assert_true(o.biased_after == 0);  /* and took the bias away */
    assert_true(t.need == 2 * need0);  /* the next bias costs twice as much */
    /* This thread is back on the mutex until it earns the bias again. */
    assert_int_equal(vepoll__token_enter(&t), 0);
    vepoll__token_leave(&t, 0);
    vepoll__token_destroy(&t);
}

static void test_token_no_second_entry_from_inside(void **state)
{
    struct vepoll__token t;
    int f, again;
    (void)state;
    vepoll__self_ensure();
    assert_int_equal(vepoll__token_init(&t), 0);
    for (int i = 0; i < 2 * NEED; i++)
        vepoll__token_leave(&t, vepoll__token_enter(&t));
    f = vepoll__token_enter(&t);
    /* Inside through the fast path: a second fast entry is refused (0,
     * nothing announced); inside through the mutex there is nothing to
     * refuse here, since the bias would let it in: callers never do that. */
    if (f) {
        assert_int_equal(vepoll__token_fast(&t), 0);
        assert_int_equal(vepoll__self.depth, 1);
    }
    vepoll__token_leave(&t, f);
    assert_int_equal(vepoll__self.depth, 0);
    again = vepoll__token_fast(&t);
    assert_int_equal(again, bias_possible() ? 1 : 0);
    if (again > 0)
        vepoll__token_leave(&t, 1);
    else if (again < 0)
        vepoll__token_unannounce();
    assert_int_equal(vepoll__self.depth, 0);
    vepoll__token_destroy(&t);
}

/* Exclusion: threads add to a plain counter inside the token, each in long
 * runs (earning the bias) broken by the others' turns (revoking it). */
#define EXCL_THREADS 3
#define EXCL_ROUNDS 200
#define EXCL_RUN 64

struct excl {
    struct vepoll__token t;
    long counter;   /* plain: only ever touched inside the token */
    atomic_long fast_entries;
};

static void *excl_main(void *arg)
{
    struct excl *x = arg;
    for (int r = 0; r < EXCL_ROUNDS; r++) {
        for (int i = 0; i < EXCL_RUN; i++) {
            int f = vepoll__token_enter(&x->t);
            long v = x->counter;
            if ((i & 7) == 0)
                sched_yield(); /* widen the window a revoker could hit */
            x->counter = v + 1;
            atomic_fetch_add(&x->fast_entries, f);
            vepoll__token_leave(&x->t, f);
        }
        sched_yield();
    }
    return NULL;
}

static void test_token_is_exclusive_across_bias_and_revocation(void **state)
{
    static struct excl x;
    pthread_t th[EXCL_THREADS];
    (void)state;
    memset(&x, 0, sizeof(x));
    assert_int_equal(vepoll__token_init(&x.t), 0);
    for (int i = 0; i < EXCL_THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, excl_main, &x), 0);
    for (int i = 0; i < EXCL_THREADS; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    assert_int_equal(x.counter, (long)EXCL_THREADS * EXCL_ROUNDS * EXCL_RUN);
    print_message("%ld of %d entries through the fast path\n",
                  atomic_load(&x.fast_entries), EXCL_THREADS * EXCL_ROUNDS * EXCL_RUN);
    vepoll__token_destroy(&x.t);
}

/* The waiter thread (it sets *done when its wait ends) must still be
 * waiting 50 ms on, and end once the holder thread is released. */
static void ends_only_after_release(pthread_t waiter, atomic_int *done,
                                    pthread_t holder, atomic_int *release)
{
    vt_sleep_ms(50);
    assert_int_equal(atomic_load(done), 0);
    atomic_store(release, 1);
    assert_int_equal(pthread_join(holder, NULL), 0);
    assert_int_equal(pthread_join(waiter, NULL), 0);
    assert_int_equal(atomic_load(done), 1);
}

/* A call that bails stays announced as a slow call until it has left
 * (instance.h): the free's quiescence waits for it.  (The first design took
 * a reference instead, which could bring a count back from 0 and free the
 * instance twice over: docs/MODEL.md, BUG_TOKEN_PIN_ON_BAIL.) */
struct slow_call {
    vepoll_t *ep;
    int how;
    atomic_int inside, release;
};

static void *slow_call_main(void *arg)
{
    struct slow_call *c = arg;
    c->how = vepoll__instance_enter(c->ep);
    atomic_store(&c->inside, 1);
    while (!atomic_load(&c->release))
        sched_yield();
    vepoll__instance_leave(c->ep, c->how);
    return NULL;
}

struct quiescer {
    struct vepoll__token *t;
    atomic_int done;
};

static void *quiescer_main(void *arg)
{
    struct quiescer *q = arg;
    vepoll__token_quiesce(q->t);
    atomic_store(&q->done, 1);
    return NULL;
}

static int slow_announced(const struct vepoll__token *t)
{
    for (int i = 0; i < VEPOLL__MAX_THREADS; i++)
        for (int j = 0; j < VEPOLL__TOKEN_SLOTS; j++)
            if (AO_load(&vepoll__threads[i].held[j]) == ((AO_t)t | 1))
                return 1;
    return 0;
}

static void test_token_bailed_call_is_waited_for_by_the_free(void **state)
{
    struct vepoll_event ev;
    static struct slow_call c;
    static struct quiescer q;
    pthread_t tc, tq;
    (void)state;
    if (!bias_possible())
        skip();
    memset(&c, 0, sizeof(c));
    memset(&q, 0, sizeof(q));
    assert_int_equal(vepoll_create(&c.ep), 0);
    for (int i = 0; i < 2 * NEED; i++) /* earn this thread the bias */
        assert_int_equal(vepoll_wait(c.ep, &ev, 1, 0), 0);
    assert_true(AO_load(&c.ep->tok.bias) == (AO_t)vepoll__thread_id());
    assert_int_equal(pthread_create(&tc, NULL, slow_call_main, &c), 0);
    while (!atomic_load(&c.inside))
        sched_yield();
    /* It bailed (the bias was ours), revoked it, and holds the mutex while
     * announcing itself as a slow call: no reference taken. */
    assert_int_equal(c.how, VEPOLL__ENTERED_SLOW);
    assert_true(AO_load(&c.ep->tok.bias) == 0);
    assert_true(slow_announced(&c.ep->tok));
    assert_true(AO_load(&c.ep->refs) == 1); /* the owner's only */
    q.t = &c.ep->tok;
    assert_int_equal(pthread_create(&tq, NULL, quiescer_main, &q), 0);
    /* A quiescence that ignored the call would end now. */
    ends_only_after_release(tq, &q.done, tc, &c.release);
    assert_false(slow_announced(&c.ep->tok));
    assert_int_equal(vepoll_close(c.ep), 0);
}

static void test_section_marks_own_descriptor_and_nests(void **state)
{
    vepoll_source_t *a, *b;
    unsigned ea, eb;
    (void)state;
    assert_int_equal(vepoll_source_create(&a, 0), 0);
    assert_int_equal(vepoll_source_create(&b, 0), 0);
    ea = vepoll__source_enter(a);
    if (!vepoll__self.thr) {
        /* No descriptor: the source's counter of the current epoch. */
        assert_true(ea < VEPOLL__SRC_IN_SLOT);
        assert_int_equal(a->readers[ea], 1);
        vepoll__source_exit(a, ea);
        assert_int_equal(a->readers[ea], 0);
    } else {
        AO_t inside = AO_load(&vepoll__self.thr->rseq);
        assert_int_equal(ea, VEPOLL__SRC_IN_SLOT);
        assert_true(inside & 1);
        assert_int_equal(a->readers[0] + a->readers[1], 0); /* no RMW */
        eb = vepoll__source_enter(b); /* a nested fan-out (propagation) */
        assert_int_equal(eb, VEPOLL__SRC_IN_SLOT);
        assert_true(AO_load(&vepoll__self.thr->rseq) == inside);
        vepoll__source_exit(b, eb);
        assert_true(AO_load(&vepoll__self.thr->rseq) == inside); /* still in a */
        vepoll__source_exit(a, ea);
        assert_true(AO_load(&vepoll__self.thr->rseq) == inside + 1);
    }
    vepoll_source_close(a);
    vepoll_source_close(b);
}

struct reader {
    vepoll_source_t *src;
    atomic_int inside, release;
};

static void *reader_main(void *arg)
{
    struct reader *r = arg;
    unsigned e = vepoll__source_enter(r->src);
    atomic_store(&r->inside, 1);
    while (!atomic_load(&r->release))
        sched_yield();
    vepoll__source_exit(r->src, e);
    return NULL;
}

struct grace {
    atomic_int done;
};

static void *grace_main(void *arg)
{
    struct grace *g = arg;
    vepoll__self_ensure(); /* a writer with a descriptor of its own */
    vepoll__thr_wait_readers();
    atomic_store(&g->done, 1);
    return NULL;
}

static void test_grace_period_waits_for_a_thread_inside_a_section(void **state)
{
    static struct reader r;
    static struct grace g;
    pthread_t tr, tg;
    (void)state;
    if (!bias_possible())
        skip(); /* no descriptors: the counters' grace period (vepoll.pml) */
    memset(&r, 0, sizeof(r));
    memset(&g, 0, sizeof(g));
    assert_int_equal(vepoll_source_create(&r.src, 0), 0);
    assert_int_equal(pthread_create(&tr, NULL, reader_main, &r), 0);
    while (!atomic_load(&r.inside))
        sched_yield();
    assert_int_equal(pthread_create(&tg, NULL, grace_main, &g), 0);
    /* A grace period that missed the reader would end now. */
    ends_only_after_release(tg, &g.done, tr, &r.release);
    vepoll__thr_wait_readers(); /* nobody inside: returns at once */
    vepoll_source_close(r.src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_bias_is_earned_by_a_run_of_one_thread),
        cmocka_unit_test(test_token_other_thread_takes_the_bias_away),
        cmocka_unit_test(test_token_no_second_entry_from_inside),
        cmocka_unit_test(test_token_is_exclusive_across_bias_and_revocation),
        cmocka_unit_test(test_token_bailed_call_is_waited_for_by_the_free),
        cmocka_unit_test(test_section_marks_own_descriptor_and_nests),
        cmocka_unit_test(test_grace_period_waits_for_a_thread_inside_a_section),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
