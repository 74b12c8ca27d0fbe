/*
 * The ready-made timerfd (vepoll_objects.h): create, settime, gettime and
 * read rules, expirations and their wake-ups, readiness through vepoll_wait
 * (S151-S162), blocking reads, the timer service (deadline order, disarmed
 * timers never fire, one thread per clock that ends with the last timerfd)
 * and close racing an expiry.  Times are only ever checked as "not before"
 * (a deadline is a lower bound); nothing asserts an upper bound.  Helper
 * threads never assert.
 */
#include <pthread.h>
#include <time.h>

#include "vepoll_objects.h"
#include "vtest.h"

#define MONO VEPOLL_CLOCK_MONOTONIC
#define REAL VEPOLL_CLOCK_REALTIME
#define ABS VEPOLL_TFD_TIMER_ABSTIME
#define THREAD_NAME "vepoll-timer"

static vepoll_timerfd_t *newtfd(int clock, int flags)
{
    vepoll_timerfd_t *t = NULL;
    assert_int_equal(vepoll_timerfd_create(&t, clock, flags), 0);
    assert_non_null(t);
    return t;
}

static void closetfd(vepoll_timerfd_t *t)
{
    assert_int_equal(vepoll_timerfd_close(t), 0);
}

static vepoll_source_t *S(vepoll_timerfd_t *t)
{
    return vepoll_timerfd_source(t);
}

static struct vepoll_timespec ts_ns(int64_t ns)
{
    struct vepoll_timespec ts = {ns / VT_SEC, ns % VT_SEC};
    return ts;
}

static int64_t ns_ts(struct vepoll_timespec ts)
{
    return ts.tv_sec * VT_SEC + ts.tv_nsec;
}

/* {interval, value} in ns. */
static struct vepoll_itimerspec its(int64_t interval, int64_t value)
{
    struct vepoll_itimerspec v;
    v.it_interval = ts_ns(interval);
    v.it_value = ts_ns(value);
    return v;
}

static int64_t real_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * VT_SEC + ts.tv_nsec;
}

static void set(vepoll_timerfd_t *t, int flags, int64_t interval, int64_t value)
{
    struct vepoll_itimerspec v = its(interval, value);
    assert_int_equal(vepoll_timerfd_settime(t, flags, &v, NULL), 0);
}

static struct vepoll_itimerspec get(vepoll_timerfd_t *t)
{
    struct vepoll_itimerspec cur;
    memset(&cur, 0x5a, sizeof cur);
    assert_int_equal(vepoll_timerfd_gettime(t, &cur), 0);
    return cur;
}

/* A non-blocking read: its result, the count in *v. */
static ssize_t rd(vepoll_timerfd_t *t, uint64_t *v)
{
    *v = 0xa5a5a5a5a5a5a5a5u;
    return vepoll_timerfd_read(t, v, sizeof *v, 0);
}

static uint64_t expect_count(vepoll_timerfd_t *t)
{
    uint64_t v;
    assert_int_equal(rd(t, &v), 8);
    return v;
}

static void expect_eagain(vepoll_timerfd_t *t)
{
    uint64_t v;
    assert_int_equal(rd(t, &v), -EAGAIN);
}

/* The expirations of a periodic timer that first expired at `first`, as
 * counted by a read at `at` (hrtimer_forward: every first + k * interval
 * <= at). */
static uint64_t expirations(int64_t first, int64_t interval, int64_t at)
{
    return at < first ? 0 : 1 + (uint64_t)((at - first) / interval);
}

/* ---- create -------------------------------------------------------------------- */

static void test_timerfd_S151_create_clocks_and_flags(void **state)
{
    static const int bad_clocks[] = {-1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 42};
    static const int bad_flags[] = {1, 2, 0x100000, VEPOLL_NONBLOCK << 1, -1};
    vepoll_timerfd_t *t = NULL;
    (void)state;
    for (size_t i = 0; i < sizeof bad_clocks / sizeof bad_clocks[0]; i++)
        assert_int_equal(vepoll_timerfd_create(&t, bad_clocks[i], 0), -EINVAL);
    for (size_t i = 0; i < sizeof bad_flags / sizeof bad_flags[0]; i++)
        assert_int_equal(vepoll_timerfd_create(&t, MONO, bad_flags[i]), -EINVAL);
    assert_int_equal(vepoll_timerfd_create(NULL, MONO, 0), -EINVAL);
    assert_null(t);
    t = newtfd(MONO, VEPOLL_NONBLOCK | VEPOLL_CLOEXEC);
    /* A fresh timer: disarmed, nothing ready. */
    assert_int_equal(vepoll_source_ready(S(t)), 0);
    expect_eagain(t);
    closetfd(t);
    t = newtfd(REAL, VEPOLL_CLOEXEC);
    closetfd(t);
}

static void test_timerfd_null_and_closed_handles(void **state)
{
    vepoll_timerfd_t *t = newtfd(MONO, 0);
    struct vepoll_itimerspec v = its(0, VT_SEC), cur;
    uint64_t c = 0;
    (void)state;
    assert_int_equal(vepoll_timerfd_settime(NULL, 0, &v, NULL), -EBADF);
    assert_int_equal(vepoll_timerfd_gettime(NULL, &cur), -EBADF);
    assert_int_equal(vepoll_timerfd_read(NULL, &c, 8, 0), -EBADF);
    assert_int_equal(vepoll_timerfd_close(NULL), -EBADF);
    assert_null(vepoll_timerfd_source(NULL));
    assert_non_null(S(t));
    closetfd(t);
}

/* ---- settime / gettime ---------------------------------------------------------- */

static void test_timerfd_S152_settime_errors_in_linux_order_change_nothing(void **state)
{
    vepoll_timerfd_t *t = newtfd(MONO, 0);
    struct vepoll_itimerspec bad, cur, old;
    static const struct vepoll_timespec wrong[] = {
        {0, 1000000000}, {0, -1}, {-1, 0}, {INT64_MIN, 0}, {0, INT64_MAX}};
    (void)state;
    set(t, 0, 5 * VT_SEC, 1000 * VT_SEC);
    /* NULL new value: EFAULT, before bad flags and before a bad timer. */
    assert_int_equal(vepoll_timerfd_settime(t, 0, NULL, &old), -EFAULT);
    assert_int_equal(vepoll_timerfd_settime(t, 4, NULL, NULL), -EFAULT);
    assert_int_equal(vepoll_timerfd_settime(NULL, 4, NULL, NULL), -EFAULT);
    /* Flags other than ABSTIME | CANCEL_ON_SET. */
    bad = its(0, VT_SEC);
    assert_int_equal(vepoll_timerfd_settime(t, 4, &bad, NULL), -EINVAL);
    assert_int_equal(vepoll_timerfd_settime(t, -1, &bad, NULL), -EINVAL);
    assert_int_equal(vepoll_timerfd_settime(NULL, 4, &bad, NULL), -EINVAL);
    /* A value or an interval outside [0, 1e9) ns or with tv_sec < 0. */
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        bad = its(0, VT_SEC);
        bad.it_value = wrong[i];
        assert_int_equal(vepoll_timerfd_settime(t, 0, &bad, &old), -EINVAL);
        bad = its(0, VT_SEC);
        bad.it_interval = wrong[i];
        assert_int_equal(vepoll_timerfd_settime(t, ABS, &bad, &old), -EINVAL);
        assert_int_equal(vepoll_timerfd_settime(NULL, 0, &bad, NULL), -EINVAL);
    }
    /* Only then the timer. */
    bad = its(0, VT_SEC);
    assert_int_equal(vepoll_timerfd_settime(NULL, 0, &bad, NULL), -EBADF);
    /* Nothing changed: still armed, 1000 s away, interval 5 s. */
    cur = get(t);
    assert_int_equal(ns_ts(cur.it_interval), 5 * VT_SEC);
    assert_true(ns_ts(cur.it_value) > 900 * VT_SEC);
    assert_true(ns_ts(cur.it_value) <= 1000 * VT_SEC);
    /* CANCEL_ON_SET is a valid flag. */
    bad = its(0, 1000 * VT_SEC);
    assert_int_equal(vepoll_timerfd_settime(t, VEPOLL_TFD_TIMER_CANCEL_ON_SET, &bad, NULL), 0);
    assert_int_equal(vepoll_timerfd_settime(t, ABS | VEPOLL_TFD_TIMER_CANCEL_ON_SET, &bad, NULL),
                     0);
    closetfd(t);
}

static void test_timerfd_S153_value_zero_disarms_and_keeps_interval(void **state)
{
    vepoll_timerfd_t *t = newtfd(MONO, 0);
    struct vepoll_itimerspec cur;
    (void)state;
    cur = get(t);
    assert_int_equal(ns_ts(cur.it_value), 0);
    assert_int_equal(ns_ts(cur.it_interval), 0);
    set(t, 0, 0, 1000 * VT_SEC);
    /* Disarm: the interval given is kept, as Linux stores it. */
    set(t, 0, 7 * VT_SEC + 3, 0);
    cur = get(t);
    assert_int_equal(ns_ts(cur.it_value), 0);
    assert_int_equal(cur.it_interval.tv_sec, 7);
    assert_int_equal(cur.it_interval.tv_nsec, 3);
    /* A fired timer that is disarmed loses its count. */
    set(t, ABS, 0, 1);
    assert_int_equal(vepoll_source_ready(S(t)), VEPOLL_IN);
    set(t, 0, 0, 0);
    assert_int_equal(vepoll_source_ready(S(t)), 0);
    expect_eagain(t);
    closetfd(t);
}

static void test_timerfd_S154_gettime_reports_time_left_and_interval(void **state)
{
    vepoll_timerfd_t *t = newtfd(REAL, 0);
    struct vepoll_itimerspec cur;
    int64_t before, after, left;
    (void)state;
    before = vt_now_ns();
    set(t, 0, 3 * VT_SEC + 999999999, 1000 * VT_SEC);
    cur = get(t);
    after = vt_now_ns();
    left = ns_ts(cur.it_value);
    /* 1000 s from some moment in [before, after], seen at a later one. */
    assert_true(left > 0);
    assert_true(left <= 1000 * VT_SEC);
    assert_true(left >= 1000 * VT_SEC - (after - before));
    assert_int_equal(cur.it_interval.tv_sec, 3);
    assert_int_equal(cur.it_interval.tv_nsec, 999999999);
    /* An absolute wall-clock time: the time left is measured to it. */
    before = real_now();
    set(t, ABS, 0, before + 500 * VT_SEC);
    left = ns_ts(get(t).it_value);
    assert_true(left > 0 && left <= 500 * VT_SEC);
    /* After a one-shot fired: nothing left, no interval. */
    set(t, ABS, 0, before - VT_SEC);
    cur = get(t);
    assert_int_equal(ns_ts(cur.it_value), 0);
    assert_int_equal(ns_ts(cur.it_interval), 0);
    assert_int_equal(expect_count(t), 1);
    closetfd(t);
}

static void absolute_past_fires_at_once(int clock)
{
    vepoll_timerfd_t *t = newtfd(clock, 0);
    int64_t (*now)(void) = clock == MONO ? vt_now_ns : real_now;
    int64_t value, at;
    uint64_t n, lo, hi;
    /* One-shot, long past: one expiration, inside settime. */
    set(t, ABS, 0, 1);
    assert_int_equal(vepoll_source_ready(S(t)), VEPOLL_IN);
    assert_int_equal(expect_count(t), 1);
    expect_eagain(t);
    /* Periodic, 10.5 intervals past: 11 expirations (1 + whole intervals
     * since), counted when read. */
    value = now() - 10 * VT_SEC - VT_SEC / 2;
    set(t, ABS, VT_SEC, value);
    lo = expirations(value, VT_SEC, now());
    n = expect_count(t);
    hi = expirations(value, VT_SEC, now());
    assert_true(n >= lo && n <= hi);
    assert_true(n >= 11);
    /* Re-armed for the next one: not ready, less than an interval left. */
    at = ns_ts(get(t).it_value);
    assert_true(at > 0 && at <= VT_SEC);
    assert_int_equal(vepoll_source_ready(S(t)), 0);
    closetfd(t);
}

static void test_timerfd_S155_absolute_past_fires_at_once_monotonic(void **state)
{
    (void)state;
    absolute_past_fires_at_once(MONO);
}

static void test_timerfd_S155_absolute_past_fires_at_once_realtime(void **state)
{
    (void)state;
    absolute_past_fires_at_once(REAL);
}

static void test_timerfd_S160_settime_returns_the_old_setting(void **state)
{
    vepoll_timerfd_t *t = newtfd(MONO, 0);
    struct vepoll_itimerspec v = its(5 * VT_SEC, 1000 * VT_SEC), old;
    (void)state;
    memset(&old, 0x5a, sizeof old);
    assert_int_equal(vepoll_timerfd_settime(t, 0, &v, &old), 0);
    assert_int_equal(ns_ts(old.it_value), 0);
    assert_int_equal(ns_ts(old.it_interval), 0);
    v = its(0, 0);
    assert_int_equal(vepoll_timerfd_settime(t, 0, &v, &old), 0);
    assert_int_equal(ns_ts(old.it_interval), 5 * VT_SEC);
    assert_true(ns_ts(old.it_value) > 0 && ns_ts(old.it_value) <= 1000 * VT_SEC);
    /* A fired periodic timer's old value is the time to its next period. */
    v = its(VT_SEC, vt_now_ns() - 5 * VT_SEC - VT_SEC / 2);
    assert_int_equal(vepoll_timerfd_settime(t, ABS, &v, NULL), 0);
    v = its(0, 0);
    assert_int_equal(vepoll_timerfd_settime(t, 0, &v, &old), 0);
    assert_int_equal(ns_ts(old.it_interval), VT_SEC);
    assert_true(ns_ts(old.it_value) > 0 && ns_ts(old.it_value) <= VT_SEC);
    expect_eagain(t); /* the count went with the old setting */
    closetfd(t);
}

static void test_timerfd_S161_times_saturate_like_ktime(void **state)
{
    vepoll_timerfd_t *t = newtfd(MONO, 0);
    struct vepoll_itimerspec v = {{INT64_MAX, 999999999}, {INT64_MAX, 0}}, cur;
    (void)state;
    assert_int_equal(vepoll_timerfd_settime(t, 0, &v, NULL), 0);
    cur = get(t);
    /* KTIME_MAX = 9223372036.854775807 s */
    assert_int_equal(cur.it_interval.tv_sec, 9223372036);
    assert_int_equal(cur.it_interval.tv_nsec, 854775807);
    assert_true(cur.it_value.tv_sec > 9000000000);
    assert_int_equal(vepoll_source_ready(S(t)), 0);
    v.it_value.tv_sec = 9223372035; /* absolute, just below the limit */
    assert_int_equal(vepoll_timerfd_settime(t, ABS, &v, NULL), 0);
    assert_true(get(t).it_value.tv_sec > 9000000000);
    closetfd(t);
}

/* ---- read and readiness ------------------------------------------------------------ */

static void test_timerfd_S156_read_rules(void **state)
{
    vepoll_timerfd_t *t = newtfd(MONO, 0);
    unsigned char big[16];
    uint64_t v;
    (void)state;
    /* Nothing expired: EAGAIN without blocking (timeout 0). */
    expect_eagain(t);
    set(t, ABS, 0, 1);
    /* Short buffers are EINVAL and leave the count alone; so does NULL. */
    assert_int_equal(vepoll_timerfd_read(t, &v, 7, 0), -EINVAL);
    assert_int_equal(vepoll_timerfd_read(t, &v, 0, 0), -EINVAL);
    assert_int_equal(vepoll_timerfd_read(t, NULL, 8, 0), -EFAULT);
    assert_int_equal(vepoll_source_ready(S(t)), VEPOLL_IN);
    /* A longer buffer is fine: 8 bytes, the count, and it is reset. */
    memset(big, 0xee, sizeof big);
    assert_int_equal(vepoll_timerfd_read(t, big, sizeof big, 0), 8);
    memcpy(&v, big, 8);
    assert_true(v == 1);
    assert_int_equal(big[8], 0xee);
    assert_int_equal(vepoll_source_ready(S(t)), 0);
    expect_eagain(t);
    closetfd(t);
    /* VEPOLL_NONBLOCK: never blocks, whatever the timeout. */
    t = newtfd(MONO, VEPOLL_NONBLOCK);
    assert_int_equal(vepoll_timerfd_read(t, &v, 8, -1), -EAGAIN);
    closetfd(t);
}

static void test_timerfd_S157_readiness_is_in_only_and_settime_resets_silently(void **state)
{
    struct vt_fx *fx = *state;
    vepoll_timerfd_t *t = newtfd(MONO, 0);
    VT_ADD(fx->e, 3, S(t), VEPOLL_IN | VEPOLL_OUT | VEPOLL_RDNORM | VEPOLL_PRI, 1);
    VT_ADD(fx->e2, 3, S(t), VEPOLL_IN | VEPOLL_ET, 2);
    vt_expect_none(fx->e, 4);
    set(t, ABS, 0, 1);
    /* Exactly IN (no RDNORM, never OUT). */
    assert_int_equal(vepoll_source_ready(S(t)), VEPOLL_IN);
    vt_expect1(fx->e, VEPOLL_IN, 1);
    vt_expect1(fx->e, VEPOLL_IN, 1); /* LT: again while the count is > 0 */
    /* settime resets the count: readiness goes, nobody is woken, and the
     * ET edge still queued is not reported. */
    set(t, 0, 0, 1000 * VT_SEC);
    assert_int_equal(vepoll_source_ready(S(t)), 0);
    vt_expect_none(fx->e, 4);
    vt_expect_none(fx->e2, 4);
    expect_eagain(t);
    closetfd(t);
}

struct blocked_read {
    pthread_t th;
    vepoll_timerfd_t *t;
    int64_t timeout;
    ssize_t ret;
    uint64_t v;
    int64_t end;
    _Atomic pid_t tid;
    atomic_int done;
};

static void *blocked_read_main(void *arg)
{
    struct blocked_read *b = arg;
    atomic_store(&b->tid, vt_gettid());
    b->ret = vepoll_timerfd_read(b->t, &b->v, 8, b->timeout);
    b->end = vt_now_ns();
    atomic_store(&b->done, 1);
    return NULL;
}

static void blocked_read_start(struct blocked_read *b, vepoll_timerfd_t *t, int64_t timeout)
{
    memset(b, 0, sizeof *b);
    b->t = t;
    b->timeout = timeout;
    assert_int_equal(pthread_create(&b->th, NULL, blocked_read_main, b), 0);
}

static void test_timerfd_S158_each_expiration_wakes_an_unread_periodic_timer_wakes_once(
    void **state)
{
    struct vt_fx *fx = *state;
    vepoll_timerfd_t *t = newtfd(MONO, 0);
    struct vt_waiter w;
    uint64_t n;
    VT_ADD(fx->e, 3, S(t), VEPOLL_IN | VEPOLL_ET, 9);
    set(t, 0, 2 * VT_MS, 2 * VT_MS);
    /* The first expiration wakes a blocked waiter with IN. */
    vt_waiter_start(&w, fx->e, 4, -1);
    vt_waiter_join(&w);
    assert_int_equal(w.ret, 1);
    assert_int_equal(w.ev[0].events, VEPOLL_IN);
    /* Unread, the periodic timer is not re-armed: no further wake-up, the
     * expirations are counted when it is read. */
    vt_sleep_ms(30);
    vt_expect_none(fx->e, 4);
    n = expect_count(t);
    assert_true(n >= 1 + 30 / 2);
    /* The read re-armed it: the next expiration wakes again. */
    vt_waiter_start(&w, fx->e, 4, -1);
    vt_waiter_join(&w);
    assert_int_equal(w.ret, 1);
    assert_int_equal(w.ev[0].events, VEPOLL_IN);
    closetfd(t);
}

static void test_timerfd_S159_gettime_forwards_a_fired_periodic_timer(void **state)
{
    vepoll_timerfd_t *t = newtfd(MONO, 0);
    struct vepoll_itimerspec cur;
    int64_t value = vt_now_ns() - 20 * VT_SEC - VT_SEC / 2, lo, hi;
    uint64_t n;
    (void)state;
    set(t, ABS, VT_SEC, value);
    lo = (int64_t)expirations(value, VT_SEC, vt_now_ns());
    cur = get(t); /* adds the missed expirations to the count, re-arms */
    assert_true(ns_ts(cur.it_value) > 0 && ns_ts(cur.it_value) <= VT_SEC);
    assert_int_equal(ns_ts(cur.it_interval), VT_SEC);
    assert_int_equal(vepoll_source_ready(S(t)), VEPOLL_IN);
    n = expect_count(t);
    hi = (int64_t)expirations(value, VT_SEC, vt_now_ns());
    assert_true((int64_t)n >= lo && (int64_t)n <= hi);
    closetfd(t);
}

static void test_timerfd_S162_blocking_read_returns_at_the_expiry_never_before(void **state)
{
    vepoll_timerfd_t *t = newtfd(MONO, 0);
    uint64_t v = 0;
    int64_t t0;
    (void)state;
    t0 = vt_now_ns();
    set(t, 0, 0, 20 * VT_MS);
    assert_int_equal(vepoll_timerfd_read(t, &v, 8, -1), 8);
    assert_true(vt_now_ns() - t0 >= 20 * VT_MS);
    assert_true(v == 1);
    /* A timed read of a disarmed timer gives up after its timeout. */
    t0 = vt_now_ns();
    assert_int_equal(vepoll_timerfd_read(t, &v, 8, 10 * VT_MS), -EAGAIN);
    assert_true(vt_now_ns() - t0 >= 10 * VT_MS);
    closetfd(t);
}

static void test_timerfd_realtime_absolute_timer_fires_on_the_wall_clock(void **state)
{
    vepoll_timerfd_t *t = newtfd(REAL, 0);
    int64_t at = real_now() + 20 * VT_MS;
    uint64_t v = 0;
    (void)state;
    set(t, ABS, 0, at);
    assert_int_equal(vepoll_timerfd_read(t, &v, 8, -1), 8);
    assert_true(real_now() >= at);
    assert_true(v == 1);
    closetfd(t);
}

static void test_timerfd_blocked_reader_gets_ebadf_on_close(void **state)
{
    vepoll_timerfd_t *t = newtfd(MONO, 0);
    struct blocked_read b;
    (void)state;
    blocked_read_start(&b, t, -1);
    vt_until_asleep(&b.tid, &b.done);
    closetfd(t);
    assert_int_equal(pthread_join(b.th, NULL), 0);
    assert_int_equal(b.ret, -EBADF);
}

static void test_timerfd_blocked_reader_woken_by_settime_in_the_past(void **state)
{
    vepoll_timerfd_t *t = newtfd(MONO, 0);
    struct blocked_read b;
    (void)state;
    blocked_read_start(&b, t, -1);
    vt_until_asleep(&b.tid, &b.done);
    set(t, ABS, 0, 1);
    assert_int_equal(pthread_join(b.th, NULL), 0);
    assert_int_equal(b.ret, 8);
    assert_true(b.v == 1);
    closetfd(t);
}

/* ---- the timer service -------------------------------------------------------------- */

#define NT 48

/* Timers armed in shuffled order fire in deadline order (the heap's pop
 * order, whatever the thread's lateness); disarmed and re-armed ones never
 * fire for their old deadline. */
static void test_timerfd_service_fires_in_deadline_order_disarmed_never(void **state)
{
    struct vt_fx *fx = *state;
    vepoll_timerfd_t *t[NT];
    int64_t base = vt_now_ns() + 200 * VT_MS, deadline[NT];
    int order[NT], got = 0, expected = 0;
    uint64_t seed = 12345;
    for (int i = 0; i < NT; i++)
        order[i] = i;
    for (int i = NT - 1; i > 0; i--) { /* Fisher-Yates */
        int j, tmp;
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        j = (int)((seed >> 33) % (uint64_t)(i + 1));
        tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
    }
    /* Every third is disarmed again, every fifth moved 1000 s away: their
     * nodes leave the heap from wherever they are in it. */
    for (int k = 0; k < NT; k++) {
        int i = order[k];
        t[i] = newtfd(MONO, 0);
        deadline[i] = base + i * VT_MS;
        VT_ADD(fx->e, 100 + i, S(t[i]), VEPOLL_IN | VEPOLL_ET, (uint64_t)i);
        set(t[i], ABS, 0, deadline[i]);
        if (i % 3 == 0)
            set(t[i], 0, 0, 0);
        else if (i % 5 == 0)
            set(t[i], ABS, 0, deadline[i] + 1000 * VT_SEC);
        else
            expected++;
    }
    {
        int last = -1;
        while (got < expected) {
            struct vepoll_event ev[NT];
            int n = vepoll_wait(fx->e, ev, NT, -1);
            assert_true(n > 0);
            for (int k = 0; k < n; k++) {
                int i = (int)ev[k].data.u64;
                assert_int_equal(ev[k].events, VEPOLL_IN);
                assert_true(i % 3 != 0 && i % 5 != 0);
                assert_true(i > last);
                last = i;
                assert_int_equal(expect_count(t[i]), 1);
                got++;
            }
        }
    }
    /* Past every old deadline: nothing else fired. */
    while (vt_now_ns() < base + (NT + 10) * VT_MS)
        vt_sleep_ms(5);
    vt_expect_none(fx->e, NT);
    for (int i = 0; i < NT; i++)
        closetfd(t[i]);
}

/* The service threads (one per clock in use) end once the last timerfd
 * of their clock is closed. */
static void test_timerfd_service_threads_end_with_the_last_timerfd(void **state)
{
    vepoll_timerfd_t *m, *r;
    (void)state;
    while (vt_threads_named(THREAD_NAME) != 0) /* earlier tests' threads */
        vt_sleep_ms(1);
    m = newtfd(MONO, 0);
    assert_int_equal(vt_threads_named(THREAD_NAME), 1);
    r = newtfd(REAL, 0); /* the wall-clock base too */
    assert_int_equal(vt_threads_named(THREAD_NAME), 2);
    set(m, 0, VT_MS, VT_MS);
    set(r, ABS, VT_MS, real_now() + VT_MS);
    vt_sleep_ms(10);
    closetfd(r);
    closetfd(m);
    while (vt_threads_named(THREAD_NAME) != 0)
        vt_sleep_ms(1);
}

/* Close racing an expiry: the service thread may be about to fire the
 * timer when it is closed.  With the counting allocator, every block is
 * gone the moment the last close returns (the service no longer touches
 * the timer), and ASan/TSan watch the accesses. */
static void test_timerfd_close_racing_expiry_no_use_after_close(void **state)
{
    vepoll_t *ep;
    long live = -1;
    (void)state;
    assert_int_equal(vt_alloc_install(), 0);
    ep = vt_new_ep();
    for (int i = 0; i < 400; i++) {
        vepoll_timerfd_t *t = newtfd(i % 3 ? MONO : REAL, 0);
        if (i % 2)
            VT_ADD(ep, i, S(t), VEPOLL_IN | (i % 4 == 1 ? VEPOLL_ET : 0), (uint64_t)i);
        set(t, 0, i % 5 ? 0 : 1000, 20000 + (i % 7) * 10000);
        vt_sleep_ns((i % 11) * 5000);
        closetfd(t);
        /* Only the instance (and its table, from the first ADD on) left,
         * once a harvest has freed a registration that was still queued. */
        assert_int_equal(vt_poll(ep, NULL, 64), 0);
        if (i == 1)
            live = atomic_load(&vt_alloc.live);
        else if (i > 1)
            assert_int_equal(atomic_load(&vt_alloc.live), live);
    }
    vt_free_ep(ep);
    assert_int_equal(atomic_load(&vt_alloc.live), 0);
    assert_int_equal(atomic_load(&vt_alloc.bad_frees), 0);
}

/* settime, gettime, read and close from several threads at once while the
 * service fires (TSan checks the locking). */
struct churn {
    pthread_t th;
    vepoll_timerfd_t *t;
    int role;
    long reads;
};

static void *churn_main(void *arg)
{
    struct churn *c = arg;
    for (int i = 0; i < 3000; i++) {
        struct vepoll_itimerspec v = its(c->role ? 0 : 1000, 1000 + (i % 13) * 3000), cur;
        uint64_t n;
        if (c->role == 0)
            (void)vepoll_timerfd_settime(c->t, 0, &v, NULL);
        else if (c->role == 1)
            (void)vepoll_timerfd_gettime(c->t, &cur);
        else if (vepoll_timerfd_read(c->t, &n, 8, 0) == 8)
            c->reads++;
    }
    return NULL;
}

static void test_timerfd_concurrent_settime_gettime_read_with_expiries(void **state)
{
    vepoll_timerfd_t *t = newtfd(MONO, 0);
    struct churn c[3];
    (void)state;
    for (int i = 0; i < 3; i++) {
        c[i].t = t;
        c[i].role = i;
        c[i].reads = 0;
        assert_int_equal(pthread_create(&c[i].th, NULL, churn_main, &c[i]), 0);
    }
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_join(c[i].th, NULL), 0);
    set(t, 0, 0, 0);
    closetfd(t);
}

/* ---- allocation ------------------------------------------------------------------------ */

static int create_tfd(void **out)
{
    vepoll_timerfd_t *t = NULL;
    int rc = vepoll_timerfd_create(&t, MONO, 0);
    *out = t;
    return rc;
}

static void destroy_tfd(void *t)
{
    closetfd(t);
}

static void test_timerfd_allocation_failures_leave_nothing_allocated(void **state)
{
    (void)state;
    vt_each_alloc_fails(create_tfd, destroy_tfd, 2); /* the timer + its source */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* first: vepoll_set_allocator needs no live object; the fixture
         * puts malloc back even when the sweep fails half-way */
        cmocka_unit_test_setup_teardown(test_timerfd_allocation_failures_leave_nothing_allocated,
                                        vt_reset_setup, vt_reset_teardown),
        cmocka_unit_test_setup_teardown(test_timerfd_close_racing_expiry_no_use_after_close,
                                        vt_reset_setup, vt_reset_teardown),
        cmocka_unit_test(test_timerfd_S151_create_clocks_and_flags),
        cmocka_unit_test(test_timerfd_null_and_closed_handles),
        cmocka_unit_test(test_timerfd_S152_settime_errors_in_linux_order_change_nothing),
        cmocka_unit_test(test_timerfd_S153_value_zero_disarms_and_keeps_interval),
        cmocka_unit_test(test_timerfd_S154_gettime_reports_time_left_and_interval),
        cmocka_unit_test(test_timerfd_S155_absolute_past_fires_at_once_monotonic),
        cmocka_unit_test(test_timerfd_S155_absolute_past_fires_at_once_realtime),
        cmocka_unit_test(test_timerfd_S160_settime_returns_the_old_setting),
        cmocka_unit_test(test_timerfd_S161_times_saturate_like_ktime),
        cmocka_unit_test(test_timerfd_S156_read_rules),
        cmocka_unit_test_setup_teardown(
            test_timerfd_S157_readiness_is_in_only_and_settime_resets_silently, vt_fx_setup_2,
            vt_fx_teardown),
        cmocka_unit_test_setup_teardown(
            test_timerfd_S158_each_expiration_wakes_an_unread_periodic_timer_wakes_once,
            vt_fx_setup, vt_fx_teardown),
        cmocka_unit_test(test_timerfd_S159_gettime_forwards_a_fired_periodic_timer),
        cmocka_unit_test(test_timerfd_S162_blocking_read_returns_at_the_expiry_never_before),
        cmocka_unit_test(test_timerfd_realtime_absolute_timer_fires_on_the_wall_clock),
        cmocka_unit_test(test_timerfd_blocked_reader_gets_ebadf_on_close),
        cmocka_unit_test(test_timerfd_blocked_reader_woken_by_settime_in_the_past),
        cmocka_unit_test_setup_teardown(test_timerfd_service_fires_in_deadline_order_disarmed_never,
                                        vt_fx_setup, vt_fx_teardown),
        cmocka_unit_test(test_timerfd_service_threads_end_with_the_last_timerfd),
        cmocka_unit_test(test_timerfd_concurrent_settime_gettime_read_with_expiries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
