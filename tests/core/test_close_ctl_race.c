/*
 * A vepoll_ctl that started before vepoll_close(ep) but gets ep's token only
 * after the close's token section (the API allows a call that started
 * before the close to be in flight; tests/spin/nest.pml, configuration
 * GRAPH_CTL, found the gap): it returns -EBADF and changes nothing, as on
 * Linux when the close wins the descriptor lookup.  Before the fix the ADD
 * went into the drained instance: the source (or, for an ADD of an inner
 * instance, its own source and its nesting graph) kept a registration, or
 * an edge, of freed memory.
 *
 * The order is forced, not hoped for: this executable is linked with
 * -Wl,--wrap=pthread_mutex_lock (tests/CMakeLists.txt).  The ctl thread,
 * announced on the token (inside its call), stops in the wrapper right
 * before it locks the instance's token mutex; the closer runs up to a lock
 * of any mutex outside the instance (the process-wide instance list, after
 * its token section) and releases it there.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>

#include "vtest.h"

/* ---- the wrapper ------------------------------------------------------------------ */

enum { ROLE_NONE, ROLE_CTL, ROLE_CLOSER };

static _Thread_local int tl_role;
static _Thread_local int tl_took_token;
static _Atomic(uintptr_t) watched; /* the instance being closed */
static atomic_int ctl_at_token, closer_past_token;

int __real_pthread_mutex_lock(pthread_mutex_t *m);
int __wrap_pthread_mutex_lock(pthread_mutex_t *m);

int __wrap_pthread_mutex_lock(pthread_mutex_t *m)
{
    uintptr_t a = (uintptr_t)m, lo = atomic_load(&watched);
    int inside = lo && a >= lo && a < lo + VT_PARK_SPAN;
    if (tl_role == ROLE_CTL && inside && !atomic_load(&ctl_at_token)) {
        atomic_store(&ctl_at_token, 1);
        while (!atomic_load(&closer_past_token))
            sched_yield();
    } else if (tl_role == ROLE_CLOSER) {
        if (inside)
            tl_took_token = 1;
        else if (tl_took_token)
            atomic_store(&closer_past_token, 1);
    }
    return __real_pthread_mutex_lock(m);
}

/* ---- the race ---------------------------------------------------------------------- */

struct call {
    pthread_t th;
    vepoll_t *ep;
    vepoll_source_t *src;
    int rc;
};

static void *ctl_main(void *arg)
{
    struct call *c = arg;
    tl_role = ROLE_CTL;
    c->rc = vt_add(c->ep, 7, c->src, VEPOLL_IN, 7);
    return NULL;
}

static void *close_main(void *arg)
{
    struct call *c = arg;
    tl_role = ROLE_CLOSER;
    c->rc = vepoll_close(c->ep);
    return NULL;
}

/* ADD of src into ep, started before vepoll_close(ep) and served after the
 * close's token section.  Returns the ADD's result. */
static int add_served_after_close(vepoll_t *ep, vepoll_source_t *src)
{
    struct call add = {.ep = ep, .src = src}, cl = {.ep = ep};
    atomic_store(&ctl_at_token, 0);
    atomic_store(&closer_past_token, 0);
    atomic_store(&watched, (uintptr_t)ep);
    assert_int_equal(pthread_create(&add.th, NULL, ctl_main, &add), 0);
    /* The ADD has started: it is announced (or holds a reference) and
     * waits at the token's mutex.  Only now may the close start. */
    while (!atomic_load(&ctl_at_token))
        sched_yield();
    assert_int_equal(pthread_create(&cl.th, NULL, close_main, &cl), 0);
    assert_int_equal(pthread_join(cl.th, NULL), 0);
    assert_int_equal(pthread_join(add.th, NULL), 0);
    atomic_store(&watched, 0);
    assert_int_equal(cl.rc, 0);
    return add.rc;
}

/* A plain source: the ADD fails with -EBADF, and the source has no
 * registration left (its updates and its close touch nothing freed: ASan
 * and TSan runs check that; an instance watching it still works). */
static void test_s290_ctl_add_served_after_close_is_ebadf(void **state)
{
    (void)state;
    vepoll_t *ep = vt_new_ep(), *other = vt_new_ep();
    vepoll_source_t *s = vt_new_source(VEPOLL_IN);
    assert_int_equal(vt_add(other, 1, s, VEPOLL_IN, 11), 0);
    assert_int_equal(add_served_after_close(ep, s), -EBADF);
    vepoll_source_update(s, VEPOLL_IN, 0);
    vt_expect_events(other, 8, {11, VEPOLL_IN});
    vepoll_source_close(s);
    assert_int_equal(vt_poll1(other), 0);
    vt_free_ep(other);
}

/* An inner instance: the ADD into the closed outer fails with -EBADF and
 * leaves no edge behind.  The inner keeps working: its events, a new outer
 * instance above it, an instance below it (the ADD walks the inner's
 * parents for the depth check), its close (which looks for registrations
 * of its own source). */
static void test_s290_ctl_add_of_inner_served_after_outer_close_is_ebadf(void **state)
{
    (void)state;
    vepoll_t *outer = vt_new_ep(), *inner = vt_new_ep(), *outer2 = vt_new_ep();
    vepoll_t *below = vt_new_ep();
    vepoll_source_t *s = vt_new_source(0);
    assert_int_equal(vt_add(inner, 1, s, VEPOLL_IN, 1), 0);
    assert_int_equal(add_served_after_close(outer, vepoll_as_source(inner)), -EBADF);
    assert_int_equal(vt_add(outer2, 2, vepoll_as_source(inner), VEPOLL_IN, 2), 0);
    assert_int_equal(vt_add(inner, 3, vepoll_as_source(below), VEPOLL_IN, 3), 0);
    vepoll_source_update(s, VEPOLL_IN, 0);
    vt_expect_events(outer2, 8, {2, VEPOLL_IN});
    vt_expect_events(inner, 8, {1, VEPOLL_IN});
    vt_free_ep(inner);
    assert_int_equal(vt_poll1(outer2), 0);
    vt_free_ep(below);
    vt_free_ep(outer2);
    vepoll_source_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_s290_ctl_add_served_after_close_is_ebadf),
        cmocka_unit_test(test_s290_ctl_add_of_inner_served_after_outer_close_is_ebadf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
