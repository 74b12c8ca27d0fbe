/*
 * White-box tests of the retired registrations (src/core/retire.h,
 * "Retired registrations"): in a process where another thread has used
 * vepoll (so it holds a descriptor and could be inside a producer's
 * read-side section), a DEL does not wait for the grace period: the DEAD
 * registration sits on its instance's retired list, is never reported nor
 * found by its key, and one grace period frees the whole batch once it
 * holds VEPOLL__RETIRE_BATCH entries; that flush waits for a thread inside
 * a section.  A DEL of a still-queued registration leaves it to the
 * harvest, which retires it.  The closes free at once: vepoll_close flushes
 * the list, and the final close of a source frees its registrations with no
 * grace period at all (no update of it may run then).
 *
 * Where no other thread can hold a descriptor (membarrier's private
 * expedited command unavailable, or ThreadSanitizer: token.h), no grace
 * period of the per-thread sections is owed and a DEL frees at once; the
 * tests check that instead.
 */
#include "vtest.h"

#include "instance.h"
#include "retire.h"
#include "token.h"

/* A second thread that has used vepoll (it holds a descriptor, if
 * descriptors are handed out at all) and stays alive until released. */
struct companion {
    pthread_t th;
    atomic_int ready, release;
};

static void *companion_main(void *arg)
{
    struct companion *c = arg;
    struct vepoll_event ev;
    vepoll_t *ep;
    if (vepoll_create(&ep) == 0) {
        (void)vepoll_wait(ep, &ev, 1, 0); /* takes this thread's descriptor */
        (void)vepoll_close(ep);
    }
    atomic_store(&c->ready, 1);
    while (!atomic_load(&c->release))
        vt_sleep_ms(1);
    return NULL;
}

static void companion_start(struct companion *c)
{
    atomic_store(&c->ready, 0);
    atomic_store(&c->release, 0);
    assert_int_equal(pthread_create(&c->th, NULL, companion_main, c), 0);
    while (!atomic_load(&c->ready))
        sched_yield();
}

static void companion_stop(struct companion *c)
{
    atomic_store(&c->release, 1);
    assert_int_equal(pthread_join(c->th, NULL), 0);
}

/* Whether a DEL on this thread owes a grace period now. */
static int grace_owed(void)
{
    vepoll__self_ensure();
    return vepoll__thr_readers_possible();
}

static void test_del_retires_until_a_batch_shares_one_grace_period(void **state)
{
    struct companion c;
    vepoll_source_t *s = vt_new_source(0);
    vepoll_t *ep = vt_new_ep();
    unsigned i;
    (void)state;
    companion_start(&c);
    VT_ADD(ep, 1000, s, VEPOLL_IN, 1000); /* stays: the slab keeps a chunk */
    for (i = 1; i <= VEPOLL__RETIRE_BATCH; i++) {
        VT_ADD(ep, (int)i, s, VEPOLL_IN | VEPOLL_ET, i);
        VT_DEL(ep, (int)i, s);
        /* Never found by its key again: the same key adds afresh. */
        assert_null(vepoll__table_find(&ep->table, s, (int)i));
        if (!grace_owed()) {
            assert_int_equal(ep->nretired, 0);
            assert_int_equal(ep->regs.live, 1);
        } else if (i < VEPOLL__RETIRE_BATCH) {
            assert_int_equal(ep->nretired, i);
            assert_int_equal(ep->regs.live, 1 + i); /* the slots wait */
        } else {
            assert_int_equal(ep->nretired, 0); /* the batch's grace period */
            assert_int_equal(ep->regs.live, 1);
        }
    }
    /* Retire a few, then make s ready: only the live one reports. */
    for (i = 1; i <= 3; i++) {
        VT_ADD(ep, (int)i, s, VEPOLL_IN, i);
        VT_DEL(ep, (int)i, s);
    }
    vepoll_source_update(s, VEPOLL_IN, 0);
    vt_expect_events(ep, 8, {1000, VEPOLL_IN});
    VT_ADD(ep, 2, s, VEPOLL_IN, 2); /* a retired key is free */
    vt_expect_events(ep, 8, {1000, VEPOLL_IN}, {2, VEPOLL_IN});
    companion_stop(&c);
    vt_free_ep(ep);
    vepoll_source_close(s);
}

static void test_del_of_a_queued_registration_is_retired_by_the_harvest(void **state)
{
    struct companion c;
    vepoll_source_t *s = vt_new_source(VEPOLL_IN);
    vepoll_t *ep = vt_new_ep();
    int owed;
    (void)state;
    companion_start(&c);
    owed = grace_owed();
    VT_ADD(ep, 1, s, VEPOLL_IN, 1); /* ready: queued at once */
    VT_DEL(ep, 1, s);
    assert_int_equal(ep->nretired, 0); /* the queue owns it */
    assert_int_equal(ep->regs.live, 1);
    assert_int_equal(vt_poll(ep, NULL, 8), 0); /* dropped, not reported */
    assert_int_equal(ep->nretired, owed ? 1 : 0);
    assert_int_equal(ep->regs.live, owed ? 1 : 0);
    companion_stop(&c);
    vt_free_ep(ep);
    vepoll_source_close(s);
}

static void test_closes_free_at_once(void **state)
{
    struct companion c;
    vepoll_source_t *s, *t;
    vepoll_t *ep;
    long before;
    (void)state; /* the counting allocator: vt_alloc_setup */
    companion_start(&c);
    before = atomic_load(&vt_alloc.live);
    ep = vt_new_ep();
    s = vt_new_source(VEPOLL_IN);
    t = vt_new_source(0);
    for (int i = 0; i < 5; i++) {
        VT_ADD(ep, i, s, VEPOLL_IN, (uint64_t)i);
        VT_ADD(ep, i, t, VEPOLL_IN, (uint64_t)i);
    }
    VT_DEL(ep, 0, t);
    VT_DEL(ep, 0, s);
    /* The final close of a source: its registrations go with it. */
    vepoll_source_close(t);
    /* 4 live on s, DEL'd s 0 still queued, DEL'd t 0 retired if owed */
    assert_int_equal(ep->regs.live, 5 + (grace_owed() ? 1 : 0));
    vt_free_ep(ep); /* flushes the retired list and the queue */
    vepoll_source_close(s);
    assert_int_equal(atomic_load(&vt_alloc.live), before);
    assert_int_equal(atomic_load(&vt_alloc.bad_frees), 0);
    companion_stop(&c);
}

/* The flush's grace period waits for a thread inside a section: a
 * producer whose fan-out runs a wake-up callback that holds it there. */
struct reader {
    vepoll_t *ep;
    vepoll_source_t *src;
    atomic_int inside, release;
};

static void hold_inside(void *arg)
{
    struct reader *r = arg;
    atomic_store(&r->inside, 1);
    while (!atomic_load(&r->release))
        sched_yield();
}

static void *reader_main(void *arg)
{
    struct reader *r = arg;
    vepoll_source_update(r->src, VEPOLL_IN, 0);
    return NULL;
}

struct deleter {
    vepoll_t *ep;
    vepoll_source_t *src;
    atomic_int done;
    int rc;
};

static void *deleter_main(void *arg)
{
    struct deleter *d = arg;
    struct vepoll_event ev = vt_ev(VEPOLL_IN, 0);
    d->rc = vepoll_ctl(d->ep, VEPOLL_CTL_ADD, 7, d->src, &ev);
    if (!d->rc)
        d->rc = vepoll_ctl(d->ep, VEPOLL_CTL_DEL, 7, d->src, NULL);
    atomic_store(&d->done, 1);
    return NULL;
}

static void test_batch_flush_waits_for_a_thread_inside_a_section(void **state)
{
    static struct reader r;
    static struct deleter d;
    vepoll_source_t *other = vt_new_source(0);
    pthread_t tr, td;
    (void)state;
    memset(&r, 0, sizeof(r));
    memset(&d, 0, sizeof(d));
    r.src = other; /* a section of any source counts */
    r.ep = vt_new_ep();
    VT_ADD(r.ep, 1, other, VEPOLL_IN, 1);
    assert_int_equal(vepoll_set_wakeup(r.ep, hold_inside, &r), 0);
    d.ep = vt_new_ep();
    d.src = vt_new_source(0);
    assert_int_equal(pthread_create(&tr, NULL, reader_main, &r), 0);
    while (!atomic_load(&r.inside))
        sched_yield();
    if (!grace_owed()) {
        /* No descriptors (token.h): the reader counted itself on `other`,
         * and a DEL of another source owes it nothing. */
        atomic_store(&r.release, 1);
        assert_int_equal(pthread_join(tr, NULL), 0);
        vt_free_ep(r.ep);
        vt_free_ep(d.ep);
        vepoll_source_close(d.src);
        vepoll_source_close(other);
        skip();
    }
    for (unsigned i = 1; i < VEPOLL__RETIRE_BATCH; i++) {
        VT_ADD(d.ep, (int)i + 100, d.src, VEPOLL_IN, i);
        VT_DEL(d.ep, (int)i + 100, d.src); /* retired: no wait */
    }
    assert_int_equal(d.ep->nretired, VEPOLL__RETIRE_BATCH - 1);
    assert_int_equal(pthread_create(&td, NULL, deleter_main, &d), 0);
    vt_sleep_ms(50); /* a flush that missed the reader is done by now */
    assert_int_equal(atomic_load(&d.done), 0);
    atomic_store(&r.release, 1);
    assert_int_equal(pthread_join(tr, NULL), 0);
    assert_int_equal(pthread_join(td, NULL), 0);
    assert_int_equal(d.rc, 0);
    assert_int_equal(d.ep->nretired, 0);
    assert_int_equal(d.ep->regs.live, 0);
    vt_free_ep(r.ep);
    vt_free_ep(d.ep);
    vepoll_source_close(d.src);
    vepoll_source_close(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_del_retires_until_a_batch_shares_one_grace_period),
        cmocka_unit_test(test_del_of_a_queued_registration_is_retired_by_the_harvest),
        cmocka_unit_test_setup_teardown(test_closes_free_at_once, vt_alloc_setup,
                                        vt_reset_teardown),
        cmocka_unit_test(test_batch_flush_waits_for_a_thread_inside_a_section),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
