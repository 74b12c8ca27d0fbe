/*
 * The producer hook (vepoll_source_update) on a source registered in several
 * instances, LT, ET, EXCLUSIVE, under two fd numbers and through nested
 * instances, never allocates and never takes a lock:
 *   (a) a counting allocator (vepoll_set_allocator) sees no call during
 *       10,000 updates;
 *   (b) this executable is linked with -Wl,--wrap for the pthread lock calls
 *       (tests/CMakeLists.txt); the wrappers count calls made by the updating
 *       thread while it is inside vepoll_source_update: must be 0.
 * Also the vepoll_set_allocator rules (-EBUSY, -EINVAL, NULL restores) and
 * -ENOMEM paths that leak nothing and change nothing.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "vtest.h"

/* ---- lock-call counting wrappers -------------------------------------------- */

static _Thread_local int tl_counting;
static _Thread_local long tl_lock_calls;

int __real_pthread_mutex_lock(pthread_mutex_t *m);
int __real_pthread_mutex_trylock(pthread_mutex_t *m);
int __real_pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *t);
int __real_pthread_spin_lock(pthread_spinlock_t *l);
int __real_pthread_spin_trylock(pthread_spinlock_t *l);
int __real_pthread_rwlock_rdlock(pthread_rwlock_t *l);
int __real_pthread_rwlock_wrlock(pthread_rwlock_t *l);

int __wrap_pthread_mutex_lock(pthread_mutex_t *m);
int __wrap_pthread_mutex_trylock(pthread_mutex_t *m);
int __wrap_pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *t);
int __wrap_pthread_spin_lock(pthread_spinlock_t *l);
int __wrap_pthread_spin_trylock(pthread_spinlock_t *l);
int __wrap_pthread_rwlock_rdlock(pthread_rwlock_t *l);
int __wrap_pthread_rwlock_wrlock(pthread_rwlock_t *l);

#define COUNT() \
    do {                    \
        if (tl_counting)    \
            tl_lock_calls++; \
    } while (0)

int __wrap_pthread_mutex_lock(pthread_mutex_t *m) { COUNT(); return __real_pthread_mutex_lock(m); }
int __wrap_pthread_mutex_trylock(pthread_mutex_t *m) { COUNT(); return __real_pthread_mutex_trylock(m); }
int __wrap_pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *t)
{
    COUNT();
    return __real_pthread_mutex_timedlock(m, t);
}
int __wrap_pthread_spin_lock(pthread_spinlock_t *l) { COUNT(); return __real_pthread_spin_lock(l); }
int __wrap_pthread_spin_trylock(pthread_spinlock_t *l) { COUNT(); return __real_pthread_spin_trylock(l); }
int __wrap_pthread_rwlock_rdlock(pthread_rwlock_t *l) { COUNT(); return __real_pthread_rwlock_rdlock(l); }
int __wrap_pthread_rwlock_wrlock(pthread_rwlock_t *l) { COUNT(); return __real_pthread_rwlock_wrlock(l); }

/* ---- checks --------------------------------------------------------------------- */

static void assert_no_leak(void)
{
    assert_int_equal(atomic_load(&vt_alloc.live), 0);
    assert_int_equal(atomic_load(&vt_alloc.live_bytes), 0);
    assert_int_equal(atomic_load(&vt_alloc.bad_frees), 0);
}

/* One source s in many places:
 *   E[0] LT, E[1] ET, E[1] again under a second number (OUT|ET),
 *   E[2] EXCLUSIVE, E[3] EXCLUSIVE|ET, E[4] LT|ONESHOT,
 *   E[5] contains E[0] (LT), E[6] contains E[1] (ET) and E[5] (two levels). */
#define NE 7
struct topo {
    vepoll_t *e[NE];
    vepoll_source_t *s;
};

static void topo_build(struct topo *t)
{
    memset(t, 0, sizeof *t);
    for (int i = 0; i < NE; i++)
        assert_int_equal(vepoll_create(&t->e[i]), 0);
    assert_int_equal(vepoll_source_create(&t->s, 0), 0);
    assert_int_equal(vt_add(t->e[0], 3, t->s, VEPOLL_IN | VEPOLL_OUT, 1), 0);
    assert_int_equal(vt_add(t->e[1], 3, t->s, VEPOLL_IN | VEPOLL_ET, 2), 0);
    assert_int_equal(vt_add(t->e[1], 4, t->s, VEPOLL_OUT | VEPOLL_ET, 3), 0);
    assert_int_equal(vt_add(t->e[2], 3, t->s, VEPOLL_IN | VEPOLL_EXCLUSIVE, 4), 0);
    assert_int_equal(vt_add(t->e[3], 3, t->s, VEPOLL_IN | VEPOLL_ET | VEPOLL_EXCLUSIVE, 5), 0);
    assert_int_equal(vt_add(t->e[4], 3, t->s, VEPOLL_IN | VEPOLL_ONESHOT, 6), 0);
    assert_int_equal(vt_add(t->e[5], 10, vepoll_as_source(t->e[0]), VEPOLL_IN, 7), 0);
    assert_int_equal(vt_add(t->e[6], 11, vepoll_as_source(t->e[1]), VEPOLL_IN | VEPOLL_ET, 8), 0);
    assert_int_equal(vt_add(t->e[6], 12, vepoll_as_source(t->e[5]), VEPOLL_IN, 9), 0);
}

static void topo_destroy(struct topo *t)
{
    for (int i = NE - 1; i >= 0; i--)
        assert_int_equal(vepoll_close(t->e[i]), 0);
    vepoll_source_close(t->s);
}

static void topo_harvest(struct topo *t)
{
    struct vepoll_event out[8];
    for (int i = 0; i < NE; i++)
        (void)vepoll_wait(t->e[i], out, 8, 0);
    /* re-arm the one-shot entry */
    (void)vt_mod(t->e[4], 3, t->s, VEPOLL_IN | VEPOLL_ONESHOT, 6);
}

static void one_update(vepoll_source_t *s, unsigned i)
{
    switch (i % 5) {
    case 0: vepoll_source_update(s, VEPOLL_IN, 0); break;
    case 1: vepoll_source_update(s, VEPOLL_IN | VEPOLL_OUT, 0); break;
    case 2: vepoll_source_update(s, 0, VEPOLL_IN); break;
    case 3: vepoll_source_update(s, VEPOLL_OUT, VEPOLL_IN | VEPOLL_OUT); break;
    default: vepoll_source_update(s, VEPOLL_IN | VEPOLL_PRI, VEPOLL_OUT); break;
    }
}

static atomic_int wake_fn_calls;
static void wake_fn(void *arg)
{
    (void)arg;
    atomic_fetch_add(&wake_fn_calls, 1);
}

/* ---- (a) no allocation ------------------------------------------------------------- */

static void test_update_never_allocates(void **state)
{
    (void)state;
    struct topo t;
    topo_build(&t);
    assert_int_equal(vepoll_set_wakeup(t.e[1], wake_fn, NULL), 0);
    long during = 0;
    for (unsigned i = 0; i < 10000; i++) {
        long before = atomic_load(&vt_alloc.calls);
        one_update(t.s, i);
        during += atomic_load(&vt_alloc.calls) - before;
        if (i % 7 == 6)
            topo_harvest(&t);
    }
    assert_int_equal(during, 0);
    /* 10,000 updates in a row, no harvest in between */
    long before = atomic_load(&vt_alloc.calls);
    for (unsigned i = 0; i < 10000; i++)
        one_update(t.s, i);
    assert_int_equal(atomic_load(&vt_alloc.calls) - before, 0);
    assert_true(atomic_load(&wake_fn_calls) > 0);
    topo_destroy(&t);
    assert_no_leak();
}

/* ---- (b) no lock on the updating thread ---------------------------------------------- */

static void test_wrap_is_active(void **state)
{
    (void)state;
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    tl_lock_calls = 0;
    tl_counting = 1;
    pthread_mutex_lock(&m);
    pthread_mutex_unlock(&m);
    assert_int_equal(pthread_mutex_trylock(&m), 0);
    pthread_mutex_unlock(&m);
    tl_counting = 0;
    assert_int_equal(tl_lock_calls, 2); /* else the wrapping is not in effect */
}

struct bg_waiter {
    pthread_t th;
    vepoll_t *ep;
    atomic_int *stop;
    long got;
};

static void *bg_waiter_main(void *arg)
{
    struct bg_waiter *w = arg;
    struct vepoll_event out[8];
    while (!atomic_load(w->stop)) {
        int n = vepoll_wait(w->ep, out, 8, 20 * VT_MS);
        if (n > 0)
            w->got += n;
    }
    return NULL;
}

struct updater {
    pthread_t th;
    vepoll_source_t *s;
    long lock_calls;
    long updates;
};

static void *updater_main(void *arg)
{
    struct updater *u = arg;
    tl_lock_calls = 0;
    for (unsigned i = 0; i < 10000; i++) {
        tl_counting = 1;
        one_update(u->s, i);
        tl_counting = 0;
        u->updates++;
        if (i % 64 == 63)
            vt_sleep_ns(20000); /* let the waiters block again */
    }
    u->lock_calls = tl_lock_calls;
    return NULL;
}

static void test_update_takes_no_lock(void **state)
{
    (void)state;
    struct topo t;
    atomic_int stop = 0;
    struct bg_waiter w[4];
    struct updater u;
    topo_build(&t);
    /* blocked waiters on a plain LT, an ET, an EXCLUSIVE and a nested instance */
    const int which[4] = { 0, 1, 2, 6 };
    for (int i = 0; i < 4; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].ep = t.e[which[i]];
        w[i].stop = &stop;
        assert_int_equal(pthread_create(&w[i].th, NULL, bg_waiter_main, &w[i]), 0);
    }
    vt_sleep_ms(100);
    memset(&u, 0, sizeof u);
    u.s = t.s;
    assert_int_equal(pthread_create(&u.th, NULL, updater_main, &u), 0);
    assert_int_equal(pthread_join(u.th, NULL), 0);
    atomic_store(&stop, 1);
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_join(w[i].th, NULL), 0);
    assert_int_equal(u.updates, 10000);
    long got = 0;
    for (int i = 0; i < 4; i++)
        got += w[i].got;
    assert_true(got > 0); /* the waiters really were woken by the updates */
    if (u.lock_calls != 0)
        fail_msg("vepoll_source_update made %ld lock calls on the updating thread", u.lock_calls);
    topo_destroy(&t);
    assert_no_leak();
}

/* ---- vepoll_set_allocator rules --------------------------------------------------------- */

static void *plain_alloc(void *ctx, size_t size)
{
    (void)ctx;
    return malloc(size);
}

static void plain_free(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    (void)size;
    free(ptr);
}

static void test_set_allocator_busy_while_objects_exist(void **state)
{
    (void)state;
    const struct vepoll_allocator other = { plain_alloc, plain_free, NULL };
    vepoll_t *e;
    vepoll_source_t *s;
    assert_int_equal(vepoll_create(&e), 0);
    assert_true(atomic_load(&vt_alloc.live) > 0); /* it came from our allocator */
    assert_int_equal(vepoll_set_allocator(&other), -EBUSY);
    assert_int_equal(vepoll_set_allocator(NULL), -EBUSY);
    assert_int_equal(vepoll_close(e), 0);
    assert_no_leak();
    assert_int_equal(vepoll_source_create(&s, 0), 0);
    assert_int_equal(vepoll_set_allocator(&other), -EBUSY);
    vepoll_source_close(s);
    assert_no_leak();
    /* nothing left: switching works again */
    assert_int_equal(vepoll_set_allocator(&other), 0);
    assert_int_equal(vt_alloc_install(), 0);
}

static void test_set_allocator_null_functions_einval(void **state)
{
    (void)state;
    const struct vepoll_allocator no_alloc = { NULL, plain_free, NULL };
    const struct vepoll_allocator no_free = { plain_alloc, NULL, NULL };
    const struct vepoll_allocator neither = { NULL, NULL, NULL };
    assert_int_equal(vepoll_set_allocator(&no_alloc), -EINVAL);
    assert_int_equal(vepoll_set_allocator(&no_free), -EINVAL);
    assert_int_equal(vepoll_set_allocator(&neither), -EINVAL);
    /* the counting allocator is still the one in use */
    long before = atomic_load(&vt_alloc.allocs);
    vepoll_t *e;
    assert_int_equal(vepoll_create(&e), 0);
    assert_true(atomic_load(&vt_alloc.allocs) > before);
    assert_int_equal(vepoll_close(e), 0);
    assert_no_leak();
}

static void test_set_allocator_null_restores_malloc(void **state)
{
    (void)state;
    assert_int_equal(vepoll_set_allocator(NULL), 0);
    long before = atomic_load(&vt_alloc.calls);
    vepoll_t *e;
    vepoll_source_t *s;
    assert_int_equal(vepoll_create(&e), 0);
    assert_int_equal(vepoll_source_create(&s, 0), 0);
    assert_int_equal(vt_add(e, 1, s, VEPOLL_IN, 1), 0);
    assert_int_equal(atomic_load(&vt_alloc.calls), before);
    assert_int_equal(vepoll_close(e), 0);
    vepoll_source_close(s);
    assert_int_equal(atomic_load(&vt_alloc.frees), 0);
}

/* ---- -ENOMEM: fails cleanly, leaks nothing, changes nothing --------------------------------- */

static void test_enomem_create_and_source_create(void **state)
{
    (void)state;
    for (long k = 1; k <= 4; k++) {
        vepoll_t *e = NULL;
        vepoll_source_t *s = NULL;
        vt_alloc_fail_next(k);
        int r = vepoll_create(&e);
        vt_alloc_fail_none();
        if (r == 0)
            assert_int_equal(vepoll_close(e), 0);
        else
            assert_int_equal(r, -ENOMEM);
        assert_no_leak();
        vt_alloc_fail_next(k);
        r = vepoll_source_create(&s, 0);
        vt_alloc_fail_none();
        if (r == 0)
            vepoll_source_close(s);
        else
            assert_int_equal(r, -ENOMEM);
        assert_no_leak();
    }
    /* the very first allocation failing must fail the create */
    vepoll_t *e = NULL;
    vt_alloc_fail_next(1000);
    assert_int_equal(vepoll_create(&e), -ENOMEM);
    vt_alloc_fail_none();
    assert_no_leak();
}

static void test_enomem_add_changes_nothing(void **state)
{
    (void)state;
    vepoll_t *e, *o;
    vepoll_source_t *s;
    assert_int_equal(vepoll_create(&e), 0);
    assert_int_equal(vepoll_create(&o), 0);
    assert_int_equal(vepoll_source_create(&s, VEPOLL_IN), 0);
    for (int round = 0; round < 2; round++) {
        vt_alloc_fail_next(1000000);
        int r = round == 0 ? vt_add(e, 1, s, VEPOLL_IN, 1) : vt_add(o, 2, vepoll_as_source(e), VEPOLL_IN, 2);
        vt_alloc_fail_none();
        if (r == 0)
            continue; /* no allocation needed: fine */
        assert_int_equal(r, -ENOMEM);
        if (round == 0) {
            assert_int_equal(vt_poll1(e), 0);
            assert_int_equal(vt_del(e, 1, s), -ENOENT);
            assert_int_equal(vt_add(e, 1, s, VEPOLL_IN, 1), 0);
        } else {
            assert_int_equal(vt_del(o, 2, vepoll_as_source(e)), -ENOENT);
            assert_int_equal(vt_add(o, 2, vepoll_as_source(e), VEPOLL_IN, 2), 0);
        }
    }
    assert_int_equal(vt_poll1(e), 1);
    assert_int_equal(vt_poll1(o), 1);
    assert_int_equal(vepoll_close(o), 0);
    assert_int_equal(vepoll_close(e), 0);
    vepoll_source_close(s);
    assert_no_leak();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
/* no vepoll object exists between tests: each installs the counting
 * allocator and puts malloc back */
#define T(fn) cmocka_unit_test_setup_teardown(fn, vt_alloc_setup, vt_reset_teardown)
        T(test_update_never_allocates),
        T(test_wrap_is_active),
        T(test_update_takes_no_lock),
        T(test_set_allocator_busy_while_objects_exist),
        T(test_set_allocator_null_functions_einval),
        T(test_set_allocator_null_restores_malloc),
        T(test_enomem_create_and_source_create),
        T(test_enomem_add_changes_nothing),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
