/*
 * The producer hook's dedupe fast path (source.h, hook.c): an update that
 * changes no readiness and finds every registration already queued is
 * absorbed at the source.  These tests pin the cases where the fast path
 * must NOT absorb, because Linux would report something new: each one first
 * establishes the "absorbed" state (two identical updates), then makes the
 * change that has to end it.
 */
#include <pthread.h>
#include <string.h>

#include "vtest.h"

/* Returns the number of events, checks the single cookie if one. */
static int poll1(vepoll_t *ep, uint64_t cookie)
{
    struct vepoll_event ev[4];
    int n = vepoll_wait(ep, ev, 4, 0);
    assert_true(n >= 0 && n <= 1);
    if (n == 1)
        assert_true(ev[0].data.u64 == cookie);
    return n;
}

static void absorb(vepoll_source_t *s)
{
    vepoll_source_update(s, VEPOLL_IN, 0);
    vepoll_source_update(s, VEPOLL_IN, 0);
    vepoll_source_update(s, VEPOLL_IN, 0);
}

/* S039 after absorption: an ET edge taken by a harvest must be re-armed by
 * the very next write, even though readiness did not change. */
static void et_edge_after_harvest_of_absorbed_entry(void **state)
{
    vepoll_t *ep = vt_new_ep();
    vepoll_source_t *s = vt_new_source(0);
    (void)state;
    VT_ADD(ep, 3, s, VEPOLL_IN | VEPOLL_ET, 7);
    absorb(s);
    assert_int_equal(poll1(ep, 7), 1);
    assert_int_equal(poll1(ep, 7), 0);
    vepoll_source_update(s, VEPOLL_IN, 0);
    assert_int_equal(poll1(ep, 7), 1);
    vepoll_close(ep);
    vepoll_source_close(s);
}

/* S122 after absorption: once the inner instance gets an outer ET one, every
 * write must be a new edge for the outer instance. */
static void s122_new_outer_ends_absorption(void **state)
{
    vepoll_t *in = vt_new_ep(), *out = vt_new_ep();
    vepoll_source_t *s = vt_new_source(0);
    (void)state;
    VT_ADD(in, 3, s, VEPOLL_IN, 1);
    absorb(s);
    VT_ADD(out, 9, vepoll_as_source(in), VEPOLL_IN | VEPOLL_ET, 2);
    assert_int_equal(poll1(out, 2), 1);
    assert_int_equal(poll1(out, 2), 0);
    vepoll_source_update(s, VEPOLL_IN, 0);
    assert_int_equal(poll1(out, 2), 1);
    vepoll_close(out);
    vepoll_close(in);
    vepoll_source_close(s);
}

/* S048/S051 after absorption: MOD LT -> ET re-evaluates, and the next write
 * after the ET report is an edge again. */
static void mod_lt_to_et_ends_absorption(void **state)
{
    vepoll_t *ep = vt_new_ep();
    vepoll_source_t *s = vt_new_source(0);
    (void)state;
    VT_ADD(ep, 3, s, VEPOLL_IN, 1);
    absorb(s);
    VT_MOD(ep, 3, s, VEPOLL_IN | VEPOLL_ET, 2);
    assert_int_equal(poll1(ep, 2), 1);
    assert_int_equal(poll1(ep, 2), 0);
    vepoll_source_update(s, VEPOLL_IN, 0);
    assert_int_equal(poll1(ep, 2), 1);
    vepoll_close(ep);
    vepoll_source_close(s);
}

/* A second registration added while the source is absorbed must get the
 * next event (ADD of a ready source queues it, ET sees a fresh edge). */
static void add_second_instance_while_absorbed(void **state)
{
    vepoll_t *a = vt_new_ep(), *b = vt_new_ep();
    vepoll_source_t *s = vt_new_source(0);
    (void)state;
    VT_ADD(a, 3, s, VEPOLL_IN, 1);
    absorb(s);
    VT_ADD(b, 3, s, VEPOLL_IN | VEPOLL_ET, 2);
    assert_int_equal(poll1(b, 2), 1);
    assert_int_equal(poll1(b, 2), 0);
    vepoll_source_update(s, VEPOLL_IN, 0);
    assert_int_equal(poll1(b, 2), 1);
    assert_int_equal(poll1(a, 1), 1);
    vepoll_close(a);
    vepoll_close(b);
    vepoll_source_close(s);
}

/* ONESHOT re-armed by MOD after absorption reports again. */
static void oneshot_rearm_after_absorption(void **state)
{
    vepoll_t *ep = vt_new_ep();
    vepoll_source_t *s = vt_new_source(0);
    (void)state;
    VT_ADD(ep, 3, s, VEPOLL_IN | VEPOLL_ONESHOT, 1);
    absorb(s);
    assert_int_equal(poll1(ep, 1), 1);
    vepoll_source_update(s, VEPOLL_IN, 0);
    assert_int_equal(poll1(ep, 1), 0); /* disarmed */
    VT_MOD(ep, 3, s, VEPOLL_IN | VEPOLL_ONESHOT, 2);
    assert_int_equal(poll1(ep, 2), 1);
    vepoll_close(ep);
    vepoll_source_close(s);
}

/* LT entry whose readiness vanished leaves the queue; the readiness coming
 * back (a changing update) must queue it again. */
static void lt_vanished_then_back(void **state)
{
    vepoll_t *ep = vt_new_ep();
    vepoll_source_t *s = vt_new_source(0);
    (void)state;
    VT_ADD(ep, 3, s, VEPOLL_IN, 1);
    absorb(s);
    vepoll_source_update(s, 0, VEPOLL_IN);
    assert_int_equal(poll1(ep, 1), 0);
    vepoll_source_update(s, VEPOLL_IN, 0);
    assert_int_equal(poll1(ep, 1), 1);
    assert_int_equal(poll1(ep, 1), 1);
    vepoll_close(ep);
    vepoll_source_close(s);
}

/* Concurrency: a producer hammering identical updates (mostly absorbed)
 * while the main thread harvests ET: every harvest is followed by a fresh
 * edge as long as the producer keeps writing, so the consumer never stalls.
 * The producer stops after the consumer saw enough edges. */
struct hammer {
    vepoll_source_t *s;
    volatile int stop;
    unsigned long updates;
};

static void *hammer_main(void *arg)
{
    struct hammer *h = arg;
    while (!__atomic_load_n(&h->stop, __ATOMIC_ACQUIRE)) {
        vepoll_source_update(h->s, VEPOLL_IN, 0);
        h->updates++;
    }
    return NULL;
}

static void et_consumer_never_stalls_under_absorbed_updates(void **state)
{
    vepoll_t *ep = vt_new_ep();
    struct hammer h;
    pthread_t th;
    int edges = 0, waits = 0;
    (void)state;
    memset(&h, 0, sizeof h);
    h.s = vt_new_source(0);
    VT_ADD(ep, 3, h.s, VEPOLL_IN | VEPOLL_ET, 1);
    assert_int_equal(pthread_create(&th, NULL, hammer_main, &h), 0);
    while (edges < 2000 && waits < 200000) {
        struct vepoll_event ev[2];
        int n = vepoll_wait(ep, ev, 2, 2000000000); /* 2 s: a stall fails */
        waits++;
        if (n != 1)
            break;
        edges++;
    }
    __atomic_store_n(&h.stop, 1, __ATOMIC_RELEASE);
    pthread_join(th, NULL);
    assert_int_equal(edges, 2000);
    vepoll_close(ep);
    vepoll_source_close(h.s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(et_edge_after_harvest_of_absorbed_entry),
        cmocka_unit_test(s122_new_outer_ends_absorption),
        cmocka_unit_test(mod_lt_to_et_ends_absorption),
        cmocka_unit_test(add_second_instance_while_absorbed),
        cmocka_unit_test(oneshot_rearm_after_absorption),
        cmocka_unit_test(lt_vanished_then_back),
        cmocka_unit_test(et_consumer_never_stalls_under_absorbed_updates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
