/*
 * Close semantics and the host-facing extras: S147-S150 (closing a source is
 * vepoll_source_close; S148's dup = one source under two fd numbers), S006
 * (vepoll_close drops registrations, sources live on), vepoll_close with
 * blocked waiters (-EBADF), vepoll_source_close racing with updates of other
 * sources, vepoll_set_wakeup and vepoll_get_stats.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>

#include "vtest.h"

/* ---- S147 ------------------------------------------------------------------ */

static void test_s147_closing_registered_source_removes_it(void **state)
{
    (void)state;
    vepoll_t *e;
    vepoll_source_t *s, *n;
    assert_int_equal(vepoll_create(&e), 0);
    assert_int_equal(vepoll_source_create(&s, 0), 0);
    assert_int_equal(vt_add(e, 5, s, VEPOLL_IN, 1), 0);
    vepoll_source_update(s, VEPOLL_IN, 0); /* event pending */
    vepoll_source_close(s);
    assert_int_equal(vt_poll1(e), 0);
    /* a new object under the same number (maybe at the same address) */
    assert_int_equal(vepoll_source_create(&n, VEPOLL_IN), 0);
    assert_int_equal(vt_del(e, 5, n), -ENOENT);
    assert_int_equal(vt_add(e, 5, n, VEPOLL_IN, 2), 0);
    vt_expect1(e, VEPOLL_IN, 2);
    vepoll_source_close(n);
    assert_int_equal(vt_poll1(e), 0);
    assert_int_equal(vepoll_close(e), 0);
}

static void test_s147_closing_pipe_end_model(void **state)
{
    (void)state;
    vepoll_t *e;
    tpipe p;
    assert_int_equal(vepoll_create(&e), 0);
    assert_int_equal(tpipe_init(&p, 0), 0);
    assert_int_equal(vt_add(e, 5, p.r, VEPOLL_IN, 1), 0);
    assert_int_equal(tpipe_write(&p, 1), 1);
    tpipe_close_r(&p);
    assert_int_equal(vt_poll1(e), 0);
    assert_int_equal(vepoll_close(e), 0);
    tpipe_destroy(&p);
}

/* ---- S148 ------------------------------------------------------------------- */

static void test_s148_same_source_under_two_numbers(void **state)
{
    (void)state;
    vepoll_t *e;
    vepoll_source_t *s;
    assert_int_equal(vepoll_create(&e), 0);
    assert_int_equal(vepoll_source_create(&s, 0), 0);
    assert_int_equal(vt_add(e, 5, s, VEPOLL_IN, 11), 0);
    /* the "dup" number 6 is not registered: keyed by number and object */
    assert_int_equal(vt_del(e, 6, s), -ENOENT);
    vepoll_source_update(s, VEPOLL_IN, 0);
    vt_expect1(e, VEPOLL_IN, 11);
    assert_int_equal(vt_del(e, 5, s), 0);
    assert_int_equal(vt_poll1(e), 0);
    /* both numbers registered: two entries; DEL of one keeps the other;
     * the final close removes all of them */
    assert_int_equal(vt_add(e, 5, s, VEPOLL_IN, 11), 0);
    assert_int_equal(vt_add(e, 6, s, VEPOLL_IN | VEPOLL_OUT, 12), 0);
    vepoll_source_update(s, VEPOLL_OUT, 0);
    struct vepoll_event out[4];
    assert_int_equal(vepoll_wait(e, out, 4, 0), 2);
    assert_int_equal(vt_del(e, 5, s), 0);
    vt_expect1(e, VEPOLL_IN | VEPOLL_OUT, 12);
    assert_int_equal(vt_add(e, 7, s, VEPOLL_IN, 13), 0);
    vepoll_source_close(s);
    assert_int_equal(vt_poll1(e), 0);
    assert_int_equal(vepoll_close(e), 0);
}

/* ---- S149 -------------------------------------------------------------------- */

static void test_s149_same_source_in_two_instances_independent(void **state)
{
    (void)state;
    vepoll_t *a, *b;
    vepoll_source_t *s;
    assert_int_equal(vepoll_create(&a), 0);
    assert_int_equal(vepoll_create(&b), 0);
    assert_int_equal(vepoll_source_create(&s, 0), 0);
    assert_int_equal(vt_add(a, 5, s, VEPOLL_IN | VEPOLL_ET, 1), 0);
    assert_int_equal(vt_add(b, 5, s, VEPOLL_IN, 2), 0);
    vepoll_source_update(s, VEPOLL_IN, 0);
    vt_expect1(a, VEPOLL_IN, 1);
    vt_expect1(b, VEPOLL_IN, 2);
    assert_int_equal(vt_poll1(a), 0);
    vt_expect1(b, VEPOLL_IN, 2);
    assert_int_equal(vt_del(b, 5, s), 0);
    vepoll_source_update(s, VEPOLL_IN, 0);
    vt_expect1(a, VEPOLL_IN, 1);
    assert_int_equal(vt_poll1(b), 0);
    assert_int_equal(vt_add(b, 5, s, VEPOLL_IN | VEPOLL_ONESHOT, 3), 0);
    vt_expect1(b, VEPOLL_IN, 3); /* fired: disarmed */
    vepoll_source_update(s, VEPOLL_IN, 0);
    vt_expect1(a, VEPOLL_IN, 1);
    assert_int_equal(vt_poll1(b), 0);
    vepoll_source_update(s, VEPOLL_IN, 0);
    vepoll_source_close(s);
    assert_int_equal(vt_poll1(a), 0);
    assert_int_equal(vt_poll1(b), 0);
    assert_int_equal(vepoll_close(a), 0);
    assert_int_equal(vepoll_close(b), 0);
}

/* ---- S150 ---------------------------------------------------------------------- */

static void test_s150a_lt_ready_del_then_nothing(void **state)
{
    struct vt_fx *f = *state;
    assert_int_equal(vt_add(f->e, 5, f->s, VEPOLL_IN, 1), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    assert_int_equal(vt_del(f->e, 5, f->s), 0);
    assert_int_equal(vt_poll1(f->e), 0);
    assert_int_equal(vepoll_source_ready(vepoll_as_source(f->e)) & VEPOLL_IN, 0);
}

static void test_s150b_et_edge_queued_del_then_nothing(void **state)
{
    struct vt_fx *f = *state;
    assert_int_equal(vt_add(f->e, 5, f->s, VEPOLL_IN | VEPOLL_ET, 1), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    assert_int_equal(vt_del(f->e, 5, f->s), 0);
    assert_int_equal(vepoll_source_ready(vepoll_as_source(f->e)) & VEPOLL_IN, 0);
    assert_int_equal(vt_poll1(f->e), 0);
}

static void test_s150c_et_readd_while_readable_one_fresh_event(void **state)
{
    struct vt_fx *f = *state;
    assert_int_equal(vt_add(f->e, 5, f->s, VEPOLL_IN | VEPOLL_ET, 1), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    assert_int_equal(vt_del(f->e, 5, f->s), 0);
    assert_int_equal(vt_add(f->e, 5, f->s, VEPOLL_IN | VEPOLL_ET, 2), 0);
    struct vepoll_event out[4];
    assert_int_equal(vepoll_wait(f->e, out, 4, 0), 1);
    assert_true(out[0].data.u64 == 2);
    assert_int_equal(vt_poll1(f->e), 0);
}

static void test_s150d_et_readd_after_drain_nothing(void **state)
{
    struct vt_fx *f = *state;
    assert_int_equal(vt_add(f->e, 5, f->s, VEPOLL_IN | VEPOLL_ET, 1), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    assert_int_equal(vt_del(f->e, 5, f->s), 0);
    vepoll_source_update(f->s, 0, VEPOLL_IN);
    assert_int_equal(vt_add(f->e, 5, f->s, VEPOLL_IN | VEPOLL_ET, 2), 0);
    assert_int_equal(vt_poll1(f->e), 0);
}

static void test_s150e_nested_pending_outer_event_del(void **state)
{
    struct vt_fx *f = *state;
    vepoll_t *o;
    assert_int_equal(vepoll_create(&o), 0);
    assert_int_equal(vt_add(f->e, 5, f->s, VEPOLL_IN, 1), 0);
    assert_int_equal(vt_add(o, 9, vepoll_as_source(f->e), VEPOLL_IN | VEPOLL_ET, 2), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    assert_int_equal(vt_del(o, 9, vepoll_as_source(f->e)), 0);
    assert_int_equal(vt_poll1(o), 0);
    assert_int_equal(vepoll_close(o), 0);
}

/* ---- S006: vepoll_close drops registrations, sources live on ---------------- */

static void test_s006_instance_close_sources_live_on(void **state)
{
    (void)state;
    vepoll_t *e, *e2;
    vepoll_source_t *s;
    tpipe p;
    assert_int_equal(vepoll_create(&e), 0);
    assert_int_equal(vepoll_source_create(&s, 0), 0);
    assert_int_equal(tpipe_init(&p, 0), 0);
    assert_int_equal(vt_add(e, 1, s, VEPOLL_IN, 1), 0);
    assert_int_equal(vt_add(e, 2, p.r, VEPOLL_IN, 2), 0);
    assert_int_equal(tpipe_write(&p, 1), 1);
    vepoll_source_update(s, VEPOLL_IN, 0);
    assert_int_equal(vepoll_close(e), 0);
    /* the sources are fully usable */
    assert_int_equal(tpipe_read(&p, 1), 1);
    vepoll_source_update(s, VEPOLL_OUT, 0);
    assert_int_equal(vepoll_source_ready(s), VEPOLL_IN | VEPOLL_OUT);
    assert_int_equal(vepoll_create(&e2), 0);
    assert_int_equal(vt_add(e2, 1, s, VEPOLL_IN, 3), 0);
    vt_expect1(e2, VEPOLL_IN, 3);
    assert_int_equal(vepoll_close(e2), 0);
    vepoll_source_close(s);
    tpipe_destroy(&p);
}

static void test_api_null_arguments(void **state)
{
    (void)state;
    assert_int_equal(vepoll_close(NULL), -EBADF);
    assert_int_equal(vepoll_create(NULL), -EINVAL);
    assert_int_equal(vepoll_source_create(NULL, 0), -EINVAL);
    assert_int_equal(vepoll_set_wakeup(NULL, NULL, NULL), -EBADF);
}

/* ---- vepoll_close with blocked waiters ------------------------------------------ */

static void test_close_with_blocked_waiters_ebadf(void **state)
{
    (void)state;
    vepoll_t *e;
    vepoll_source_t *s;
    struct vt_waiter w[3];
    assert_int_equal(vepoll_create(&e), 0);
    assert_int_equal(vepoll_source_create(&s, 0), 0);
    assert_int_equal(vt_add(e, 1, s, VEPOLL_IN, 1), 0);
    for (int i = 0; i < 3; i++)
        vt_waiter_start(&w[i], e, 4, i == 2 ? 20 * VT_SEC : -1);
    vt_sleep_ms(200);
    assert_int_equal(vepoll_close(e), 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(pthread_join(w[i].th, NULL), 0);
        assert_int_equal(w[i].ret, -EBADF);
    }
    assert_true(w[2].elapsed < 10 * VT_SEC);
    /* the source is unaffected */
    vepoll_source_update(s, VEPOLL_IN, 0);
    assert_int_equal(vepoll_source_ready(s), VEPOLL_IN);
    vepoll_source_close(s);
}

static void test_close_nested_inner_with_blocked_waiters(void **state)
{
    (void)state;
    vepoll_t *i, *o;
    vepoll_source_t *s;
    struct vt_waiter wi, wo;
    assert_int_equal(vepoll_create(&i), 0);
    assert_int_equal(vepoll_create(&o), 0);
    assert_int_equal(vepoll_source_create(&s, 0), 0);
    assert_int_equal(vt_add(i, 1, s, VEPOLL_IN, 1), 0);
    assert_int_equal(vt_add(o, 2, vepoll_as_source(i), VEPOLL_IN, 2), 0);
    vt_waiter_start(&wi, i, 4, -1);
    vt_waiter_start(&wo, o, 4, 500 * VT_MS);
    vt_sleep_ms(200);
    assert_int_equal(vepoll_close(i), 0);
    vepoll_source_update(s, VEPOLL_IN, 0); /* reaches nobody now */
    assert_int_equal(pthread_join(wi.th, NULL), 0);
    assert_int_equal(pthread_join(wo.th, NULL), 0);
    assert_int_equal(wi.ret, -EBADF);
    assert_int_equal(wo.ret, 0);
    assert_true(wo.elapsed >= 500 * VT_MS);
    assert_int_equal(vepoll_close(o), 0);
    vepoll_source_close(s);
}

/* ---- vepoll_source_close racing with updates of other sources -------------------- */

#define RACE_OTHERS 4
#define RACE_ROUNDS 1000

struct race {
    vepoll_t *e1, *e2;
    vepoll_source_t *other[RACE_OTHERS];
    atomic_int stop;
};

static void *race_updater(void *arg)
{
    struct race *r = arg;
    unsigned i = 0;
    while (!atomic_load(&r->stop)) {
        vepoll_source_t *s = r->other[i % RACE_OTHERS];
        if (i & 1)
            vepoll_source_update(s, VEPOLL_IN, 0);
        else
            vepoll_source_update(s, VEPOLL_OUT, VEPOLL_IN);
        i++;
        if ((i & 255) == 0)
            sched_yield();
    }
    return NULL;
}

static void test_source_close_races_with_updates_of_other_sources(void **state)
{
    (void)state;
    struct race r;
    pthread_t th[2];
    memset(&r, 0, sizeof r);
    assert_int_equal(vepoll_create(&r.e1), 0);
    assert_int_equal(vepoll_create(&r.e2), 0);
    for (int i = 0; i < RACE_OTHERS; i++) {
        assert_int_equal(vepoll_source_create(&r.other[i], 0), 0);
        assert_int_equal(vt_add(r.e1, 100 + i, r.other[i], VEPOLL_IN | VEPOLL_OUT, (uint64_t)(100 + i)), 0);
        assert_int_equal(vt_add(r.e2, 100 + i, r.other[i], VEPOLL_IN | VEPOLL_ET, (uint64_t)(100 + i)), 0);
    }
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, race_updater, &r), 0);
    int stale = 0, bad_ctl = 0;
    for (int k = 0; k < RACE_ROUNDS; k++) {
        vepoll_source_t *x;
        uint64_t cookie = 1000000 + (uint64_t)k; /* never reused */
        if (vepoll_source_create(&x, 0) != 0) {
            bad_ctl++;
            break;
        }
        if (vt_add(r.e1, 7, x, VEPOLL_IN, cookie) || vt_add(r.e2, 7, x, VEPOLL_IN | VEPOLL_ET, cookie))
            bad_ctl++;
        vepoll_source_update(x, VEPOLL_IN, 0);
        vepoll_source_close(x);
        /* nothing reported for x after the close returned */
        struct vepoll_event out[16];
        for (int pass = 0; pass < 2; pass++) {
            vepoll_t *ep = pass ? r.e2 : r.e1;
            int n = vepoll_wait(ep, out, 16, 0);
            for (int j = 0; j < n; j++)
                if (out[j].data.u64 >= 1000000)
                    stale++;
        }
    }
    atomic_store(&r.stop, 1);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    assert_int_equal(bad_ctl, 0);
    assert_int_equal(stale, 0);
    /* the other registrations are intact in both instances */
    for (int i = 0; i < RACE_OTHERS; i++)
        vepoll_source_update(r.other[i], VEPOLL_IN, VEPOLL_OUT);
    struct vepoll_event out[16];
    memset(out, 0, sizeof out);
    int n1 = vepoll_wait(r.e1, out, 16, 0);
    assert_int_equal(n1, RACE_OTHERS);
    int n2 = vepoll_wait(r.e2, out, 16, 0);
    assert_int_equal(n2, RACE_OTHERS);
    for (int i = 0; i < RACE_OTHERS; i++) {
        assert_int_equal(vt_del(r.e1, 100 + i, r.other[i]), 0);
        assert_int_equal(vt_del(r.e2, 100 + i, r.other[i]), 0);
        vepoll_source_close(r.other[i]);
    }
    assert_int_equal(vt_del(r.e1, 7, r.other[0]), -ENOENT);
    vepoll_close(r.e1);
    vepoll_close(r.e2);
}

/* ---- vepoll_set_wakeup ------------------------------------------------------------ */

struct wk {
    atomic_int calls;
    atomic_int wrong_thread;
    pthread_t expect_thread;
    atomic_int check_thread;
};

static void wk_fn(void *arg)
{
    struct wk *w = arg;
    atomic_fetch_add(&w->calls, 1);
    if (atomic_load(&w->check_thread) && !pthread_equal(pthread_self(), w->expect_thread))
        atomic_fetch_add(&w->wrong_thread, 1);
}

static void test_set_wakeup_runs_per_new_entry_not_for_dedupe(void **state)
{
    struct vt_fx *f = *state;
    static struct wk w;
    memset(&w, 0, sizeof w);
    assert_int_equal(vt_add(f->e, 5, f->s, VEPOLL_IN | VEPOLL_ET, 1), 0);
    assert_int_equal(vepoll_set_wakeup(f->e, wk_fn, &w), 0);
    assert_int_equal(atomic_load(&w.calls), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    assert_int_equal(atomic_load(&w.calls), 1);
    vepoll_source_update(f->s, VEPOLL_IN, 0); /* still queued: dedupe */
    assert_int_equal(atomic_load(&w.calls), 1);
    vepoll_source_update(f->s, VEPOLL_OUT, 0); /* not in the mask */
    assert_int_equal(atomic_load(&w.calls), 1);
    assert_int_equal(vt_poll1(f->e), 1);
    vepoll_source_update(f->s, VEPOLL_IN, 0); /* a new entry */
    assert_int_equal(atomic_load(&w.calls), 2);
    assert_int_equal(vt_poll1(f->e), 1);
    /* a second registration in the same instance is another entry */
    vepoll_source_t *t;
    assert_int_equal(vepoll_source_create(&t, 0), 0);
    assert_int_equal(vt_add(f->e, 6, t, VEPOLL_IN, 2), 0);
    assert_int_equal(atomic_load(&w.calls), 2);
    vepoll_source_update(t, VEPOLL_IN, 0);
    assert_int_equal(atomic_load(&w.calls), 3);
    vepoll_source_close(t);
}

static void test_set_wakeup_on_add_and_mod_of_ready_source(void **state)
{
    struct vt_fx *f = *state;
    static struct wk w;
    memset(&w, 0, sizeof w);
    w.expect_thread = pthread_self();
    atomic_store(&w.check_thread, 1);
    assert_int_equal(vepoll_set_wakeup(f->e, wk_fn, &w), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0); /* ready, not registered yet */
    assert_int_equal(atomic_load(&w.calls), 0);
    assert_int_equal(vt_add(f->e, 5, f->s, VEPOLL_IN | VEPOLL_ET, 1), 0);
    assert_int_equal(atomic_load(&w.calls), 1); /* before ctl returned */
    assert_int_equal(vt_poll1(f->e), 1);
    assert_int_equal(vt_poll1(f->e), 0);
    assert_int_equal(vt_mod(f->e, 5, f->s, VEPOLL_IN | VEPOLL_ET, 2), 0); /* re-evaluates: queued */
    assert_int_equal(atomic_load(&w.calls), 2);
    assert_int_equal(atomic_load(&w.wrong_thread), 0);
    /* an ADD of a source that is not ready queues nothing */
    vepoll_source_t *t;
    assert_int_equal(vepoll_source_create(&t, 0), 0);
    assert_int_equal(vt_add(f->e, 6, t, VEPOLL_IN, 3), 0);
    assert_int_equal(atomic_load(&w.calls), 2);
    vepoll_source_close(t);
}

struct upd_thread {
    pthread_t th;
    vepoll_source_t *s;
};

static struct wk wk_thread;

static void *upd_main_fn_check(void *arg)
{
    struct upd_thread *u = arg;
    wk_thread.expect_thread = pthread_self();
    atomic_store(&wk_thread.check_thread, 1);
    vepoll_source_update(u->s, VEPOLL_IN, 0);
    atomic_store(&wk_thread.check_thread, 0);
    return NULL;
}

static void test_set_wakeup_runs_on_producer_thread(void **state)
{
    struct vt_fx *f = *state;
    memset(&wk_thread, 0, sizeof wk_thread);
    assert_int_equal(vt_add(f->e, 5, f->s, VEPOLL_IN | VEPOLL_ET, 1), 0);
    assert_int_equal(vepoll_set_wakeup(f->e, wk_fn, &wk_thread), 0);
    struct upd_thread u = { .s = f->s };
    assert_int_equal(pthread_create(&u.th, NULL, upd_main_fn_check, &u), 0);
    assert_int_equal(pthread_join(u.th, NULL), 0);
    assert_int_equal(atomic_load(&wk_thread.calls), 1);
    assert_int_equal(atomic_load(&wk_thread.wrong_thread), 0);
}

static void test_set_wakeup_null_turns_it_off(void **state)
{
    struct vt_fx *f = *state;
    static struct wk w;
    memset(&w, 0, sizeof w);
    assert_int_equal(vt_add(f->e, 5, f->s, VEPOLL_IN | VEPOLL_ET, 1), 0);
    assert_int_equal(vepoll_set_wakeup(f->e, wk_fn, &w), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    assert_int_equal(atomic_load(&w.calls), 1);
    assert_int_equal(vt_poll1(f->e), 1);
    assert_int_equal(vepoll_set_wakeup(f->e, NULL, NULL), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    assert_int_equal(atomic_load(&w.calls), 1);
    assert_int_equal(vt_poll1(f->e), 1); /* the event is still there */
    /* and back on */
    assert_int_equal(vepoll_set_wakeup(f->e, wk_fn, &w), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    assert_int_equal(atomic_load(&w.calls), 2);
}

static void test_set_wakeup_nested_outer_gets_new_entry(void **state)
{
    struct vt_fx *f = *state;
    static struct wk w;
    vepoll_t *o;
    memset(&w, 0, sizeof w);
    assert_int_equal(vepoll_create(&o), 0);
    assert_int_equal(vt_add(f->e, 5, f->s, VEPOLL_IN, 1), 0);
    assert_int_equal(vt_add(o, 9, vepoll_as_source(f->e), VEPOLL_IN | VEPOLL_ET, 2), 0);
    assert_int_equal(vepoll_set_wakeup(o, wk_fn, &w), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    assert_int_equal(atomic_load(&w.calls), 1);
    assert_int_equal(vt_poll1(o), 1);
    assert_int_equal(vepoll_close(o), 0);
}

/* ---- vepoll_get_stats ------------------------------------------------------------ */

static void test_get_stats_null_out_einval(void **state)
{
    struct vt_fx *f = *state;
    assert_int_equal(vepoll_get_stats(f->e, NULL), -EINVAL);
    assert_int_equal(vepoll_get_stats(NULL, NULL), -EINVAL);
}

static void test_get_stats_fresh_instance_zero(void **state)
{
    struct vt_fx *f = *state;
    struct vepoll_stats st;
    memset(&st, 0xff, sizeof st);
    assert_int_equal(vepoll_get_stats(f->e, &st), 0);
    assert_true(st.enqueue_attempts == 0 && st.dedupe_hits == 0);
    assert_true(st.stale_generation_drops == 0 && st.empty_dequeues == 0);
}

static void test_get_stats_dedupe_hits(void **state)
{
    struct vt_fx *f = *state;
    struct vepoll_stats a, b;
    assert_int_equal(vt_add(f->e, 5, f->s, VEPOLL_IN | VEPOLL_ET, 1), 0);
    assert_int_equal(vepoll_get_stats(f->e, &a), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0); /* queues the entry */
    vepoll_source_update(f->s, VEPOLL_IN, 0); /* finds it queued: dedupe */
    assert_int_equal(vepoll_get_stats(f->e, &b), 0);
    assert_true(b.enqueue_attempts - a.enqueue_attempts == 2);
    assert_true(b.dedupe_hits - a.dedupe_hits == 1);
    /* The same update again is absorbed by the source-level fast path
     * (readiness unchanged, every registration known to be queued): it
     * reaches no registration and is counted in neither counter. */
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    assert_int_equal(vepoll_get_stats(f->e, &a), 0);
    assert_true(a.enqueue_attempts == b.enqueue_attempts);
    assert_true(a.dedupe_hits == b.dedupe_hits);
    assert_int_equal(vt_poll1(f->e), 1);
    /* The harvest ends the fast path: the next update queues again. */
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    assert_int_equal(vepoll_get_stats(f->e, &b), 0);
    assert_true(b.enqueue_attempts - a.enqueue_attempts == 1);
    assert_true(b.dedupe_hits == a.dedupe_hits);
    assert_int_equal(vt_poll1(f->e), 1);
}

static void test_get_stats_stale_generation_drop_after_del(void **state)
{
    struct vt_fx *f = *state;
    struct vepoll_stats a, b;
    assert_int_equal(vt_add(f->e, 5, f->s, VEPOLL_IN, 1), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0); /* queued */
    assert_int_equal(vepoll_get_stats(f->e, &a), 0);
    assert_int_equal(vt_del(f->e, 5, f->s), 0);
    assert_int_equal(vt_poll1(f->e), 0);
    assert_int_equal(vepoll_get_stats(f->e, &b), 0);
    assert_true(b.stale_generation_drops - a.stale_generation_drops == 1);
}

static void test_get_stats_empty_dequeue_after_readiness_vanished(void **state)
{
    struct vt_fx *f = *state;
    struct vepoll_stats a, b;
    assert_int_equal(vt_add(f->e, 5, f->s, VEPOLL_IN, 1), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    vepoll_source_update(f->s, 0, VEPOLL_IN); /* vanished */
    assert_int_equal(vepoll_get_stats(f->e, &a), 0);
    assert_int_equal(vt_poll1(f->e), 0);
    assert_int_equal(vepoll_get_stats(f->e, &b), 0);
    assert_true(b.empty_dequeues - a.empty_dequeues == 1);
}

static void test_get_stats_process_wide_totals(void **state)
{
    struct vt_fx *f = *state;
    vepoll_t *e2;
    struct vepoll_stats g0, g1, a0, a1, b0, b1;
    assert_int_equal(vepoll_create(&e2), 0);
    assert_int_equal(vt_add(f->e, 5, f->s, VEPOLL_IN | VEPOLL_ET, 1), 0);
    assert_int_equal(vt_add(e2, 5, f->s, VEPOLL_IN, 2), 0);
    assert_int_equal(vepoll_get_stats(NULL, &g0), 0);
    assert_int_equal(vepoll_get_stats(f->e, &a0), 0);
    assert_int_equal(vepoll_get_stats(e2, &b0), 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    vepoll_source_update(f->s, VEPOLL_IN, 0);
    vepoll_source_update(f->s, 0, VEPOLL_IN);
    assert_int_equal(vt_poll1(f->e), 0);
    assert_int_equal(vt_poll1(e2), 0);
    assert_int_equal(vepoll_get_stats(NULL, &g1), 0);
    assert_int_equal(vepoll_get_stats(f->e, &a1), 0);
    assert_int_equal(vepoll_get_stats(e2, &b1), 0);
    assert_true(a1.enqueue_attempts - a0.enqueue_attempts == 2);
    assert_true(b1.enqueue_attempts - b0.enqueue_attempts == 2);
    assert_true(g1.enqueue_attempts - g0.enqueue_attempts == 4);
    assert_true(g1.dedupe_hits - g0.dedupe_hits ==
                (a1.dedupe_hits - a0.dedupe_hits) + (b1.dedupe_hits - b0.dedupe_hits));
    assert_true(g1.empty_dequeues - g0.empty_dequeues ==
                (a1.empty_dequeues - a0.empty_dequeues) + (b1.empty_dequeues - b0.empty_dequeues));
    assert_true(g1.empty_dequeues - g0.empty_dequeues == 2);
    assert_int_equal(vepoll_close(e2), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, vt_fx_setup, vt_fx_teardown)
        cmocka_unit_test(test_s147_closing_registered_source_removes_it),
        cmocka_unit_test(test_s147_closing_pipe_end_model),
        cmocka_unit_test(test_s148_same_source_under_two_numbers),
        cmocka_unit_test(test_s149_same_source_in_two_instances_independent),
        T(test_s150a_lt_ready_del_then_nothing),
        T(test_s150b_et_edge_queued_del_then_nothing),
        T(test_s150c_et_readd_while_readable_one_fresh_event),
        T(test_s150d_et_readd_after_drain_nothing),
        T(test_s150e_nested_pending_outer_event_del),
        cmocka_unit_test(test_s006_instance_close_sources_live_on),
        cmocka_unit_test(test_api_null_arguments),
        cmocka_unit_test(test_close_with_blocked_waiters_ebadf),
        cmocka_unit_test(test_close_nested_inner_with_blocked_waiters),
        cmocka_unit_test(test_source_close_races_with_updates_of_other_sources),
        T(test_set_wakeup_runs_per_new_entry_not_for_dedupe),
        T(test_set_wakeup_on_add_and_mod_of_ready_source),
        T(test_set_wakeup_runs_on_producer_thread),
        T(test_set_wakeup_null_turns_it_off),
        T(test_set_wakeup_nested_outer_gets_new_entry),
        T(test_get_stats_null_out_einval),
        T(test_get_stats_fresh_instance_zero),
        T(test_get_stats_dedupe_hits),
        T(test_get_stats_stale_generation_drop_after_del),
        T(test_get_stats_empty_dequeue_after_readiness_vanished),
        T(test_get_stats_process_wide_totals),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
