/*
 * The ready-made timerfd: Linux's fs/timerfd.c in user space, on the timer
 * service (timer_service.h).
 *
 * State, as Linux's timerfd_ctx: `expires` (the hrtimer's expiry, ns of the
 * base's clock; 0 after a disarm, like a freshly initialised hrtimer),
 * `interval` (tintv), `ticks` (expirations not yet read) and `expired` (the
 * timer fired and was not re-armed since).  An expiration (timerfd_triggered)
 * sets `expired`, adds one tick and wakes with IN; it does not re-arm a
 * periodic timer: the next read, gettime or settime does (hrtimer_forward),
 * adding the expirations missed in between to the count.  Readiness
 * (timerfd_poll): IN while ticks > 0, nothing else, ever.
 *
 * Bases (hrtimer_init): an absolute CLOCK_REALTIME timer runs on the
 * service's wall-clock base; a relative one, whatever the clock, and every
 * CLOCK_MONOTONIC timer on the monotonic base.  Times are int64 ns with
 * ktime's saturation (timespec64_to_ktime, ktime_add_safe).
 *
 * Concurrency contract: the skeleton's (obj.h) -- everything under t->o.mu,
 * read is a vepoll__obj_call step -- plus the timer service's
 * (timer_service.h): the service thread calls fire() holding no service
 * lock; fire takes t->o.mu and expires the timer only if the arming it
 * popped is still current (generation) and the timer is open.  Arm and
 * disarm happen under t->o.mu (lock order: t->o.mu, then the service's).
 * The final close disarms the timer and leaves the service under t->o.mu,
 * then, holding a reference and no lock, waits until the service thread is
 * out of fire (vepoll__timer_quiesce) before dropping its references: once
 * vepoll_timerfd_close has returned, no service thread touches the timer,
 * and the last reference frees it as for every object.
 */
#include <errno.h>

#include "obj.h"
#include "timer_service.h"
#include "vepoll_core.h"
#include "vepoll_objects.h"

#define KTIME_MAX INT64_MAX
#define KTIME_SEC_MAX (KTIME_MAX / VEPOLL__NS_PER_SEC)
#define SETTIME_FLAGS (VEPOLL_TFD_TIMER_ABSTIME | VEPOLL_TFD_TIMER_CANCEL_ON_SET)

struct vepoll_timerfd {
    struct vepoll__obj o; /* first: the skeleton's callbacks cast it back */
    vepoll_source_t *src; /* NULL once closed */
    struct vepoll__timer tm;
    int clockid;
    int base;         /* base of the current arming */
    int64_t expires;  /* ns of the base's clock; 0: disarmed */
    int64_t interval; /* ns; 0: one-shot */
    uint64_t ticks;
    int expired;
};

/* ---- ktime arithmetic (include/linux/ktime.h, kernel/time/hrtimer.c) --------- */

/* timespec64_valid */
static int ts_valid(const struct vepoll_timespec *ts)
{
    return ts->tv_sec >= 0 && (uint64_t)ts->tv_nsec < (uint64_t)VEPOLL__NS_PER_SEC;
}

/* timespec64_to_ktime (a valid timespec) */
static int64_t ktime_of(const struct vepoll_timespec *ts)
{
    if ((uint64_t)ts->tv_sec >= (uint64_t)KTIME_SEC_MAX)
        return KTIME_MAX;
    return ts->tv_sec * VEPOLL__NS_PER_SEC + ts->tv_nsec;
}

static struct vepoll_timespec ts_of(int64_t ns)
{
    struct vepoll_timespec ts;
    ts.tv_sec = ns / VEPOLL__NS_PER_SEC;
    ts.tv_nsec = ns % VEPOLL__NS_PER_SEC;
    return ts;
}

/* ktime_add_safe: saturates instead of overflowing. */
static int64_t add_safe(int64_t a, int64_t b)
{
    int64_t r = (int64_t)((uint64_t)a + (uint64_t)b);
    return r < 0 || r < a || r < b ? KTIME_MAX : r;
}

/* hrtimer_forward: moves *expires past now by whole intervals and returns
 * the number of expirations that covers (0 if now is before *expires). */
static uint64_t forward(int64_t *expires, int64_t interval, int64_t now)
{
    int64_t delta = now - *expires;
    uint64_t orun = 1;
    if (delta < 0)
        return 0;
    if (delta >= interval) {
        orun = (uint64_t)(delta / interval);
        *expires += interval * (int64_t)orun;
        if (*expires > now)
            return orun;
        orun++;
    }
    *expires = add_safe(*expires, interval);
    return orun;
}

/* ---- the timer ----------------------------------------------------------------- */

static uint32_t ready(const struct vepoll_timerfd *t)
{
    return t->ticks ? VEPOLL_IN : 0;
}

/* Under mu, open: timerfd_triggered -- one more tick, a wake-up with IN. */
static void expire(struct vepoll_timerfd *t)
{
    t->expired = 1;
    t->ticks++;
    vepoll__source_publish(t->src, ready(t), VEPOLL_IN);
    vepoll__obj_wake(&t->o);
}

/* Under mu: the timer runs until `expires` (a time already past fires now). */
static void start(struct vepoll_timerfd *t)
{
    if (t->expires <= vepoll__timer_now(t->base))
        expire(t);
    else
        vepoll__timer_arm(&t->tm, t->base, t->expires);
}

/* Under mu: a periodic timer that fired is re-armed after the expirations
 * missed since (hrtimer_forward_now); returns how many that were. */
static uint64_t rearm(struct vepoll_timerfd *t)
{
    uint64_t orun;
    if (!t->expired || !t->interval)
        return 1;
    orun = forward(&t->expires, t->interval, vepoll__timer_now(t->base));
    t->expired = 0;
    vepoll__timer_arm(&t->tm, t->base, t->expires);
    return orun;
}

/* Under mu: (time left, interval), timerfd_get_remaining. */
static void current(const struct vepoll_timerfd *t, struct vepoll_itimerspec *cur)
{
    int64_t left = t->expires - vepoll__timer_now(t->base);
    cur->it_interval = ts_of(t->interval);
    cur->it_value = ts_of(left > 0 ? left : 0);
}

/* The service thread: the expiry it popped, if still current. */
static void fire(struct vepoll__timer *tm, AO_t gen)
{
    struct vepoll_timerfd *t = tm->owner;
    pthread_mutex_lock(&t->o.mu);
    if (t->src && vepoll__timer_current(&t->tm, gen))
        expire(t);
    pthread_mutex_unlock(&t->o.mu);
}

static void dealloc(struct vepoll__obj *o)
{
    vepoll__obj_fini(o);
    vepoll__free(o, sizeof(struct vepoll_timerfd));
}

/* The service bases a clock's timers may use. */
static int bases_of(int clockid)
{
    return clockid == VEPOLL_CLOCK_REALTIME ? 2 : 1;
}

static void unuse_bases(int n)
{
    while (n--)
        vepoll__timer_unuse(n);
}

int vepoll_timerfd_create(vepoll_timerfd_t **out, int clockid, int flags)
{
    struct vepoll_timerfd *t;
    uint32_t now = 0;
    int rc, used = 0, n;
    if (!out || (flags & ~(VEPOLL_NONBLOCK | VEPOLL_CLOEXEC)) ||
        (clockid != VEPOLL_CLOCK_REALTIME && clockid != VEPOLL_CLOCK_MONOTONIC))
        return -EINVAL;
    t = vepoll__calloc(sizeof(*t));
    if (!t)
        return -ENOMEM;
    t->clockid = clockid;
    t->base = VEPOLL__TIMER_MONO;
    vepoll__timer_init(&t->tm, fire, t);
    for (n = bases_of(clockid); used < n; used++) {
        rc = vepoll__timer_use(used);
        if (rc)
            goto fail;
    }
    rc = vepoll__obj_open(&t->o, (flags & VEPOLL_NONBLOCK) != 0, dealloc, 1, &t->src, &now);
    if (rc)
        goto fail;
    *out = t;
    return 0;
fail:
    unuse_bases(used);
    vepoll__free(t, sizeof(*t));
    return rc;
}

vepoll_source_t *vepoll_timerfd_source(vepoll_timerfd_t *t)
{
    return t ? vepoll__obj_source(&t->o, &t->src) : NULL;
}

int vepoll_timerfd_settime(vepoll_timerfd_t *t, int flags, const struct vepoll_itimerspec *nv,
                           struct vepoll_itimerspec *old)
{
    struct vepoll_itimerspec prev;
    int64_t value;
    int rc = 0;
    if (!nv)
        return -EFAULT;
    if ((flags & ~SETTIME_FLAGS) || !ts_valid(&nv->it_value) || !ts_valid(&nv->it_interval))
        return -EINVAL;
    if (!t)
        return -EBADF;
    vepoll__obj_lock(&t->o);
    if (!t->src) {
        rc = -EBADF;
        goto out;
    }
    /* The old setting as gettime would see it: a fired periodic timer is
     * forwarded first (its missed expirations are dropped with the count). */
    rearm(t);
    current(t, &prev);
    /* timerfd_setup: count reset, a fresh timer. */
    vepoll__timer_disarm(&t->tm);
    t->expired = 0;
    t->ticks = 0;
    t->interval = ktime_of(&nv->it_interval);
    t->expires = 0;
    value = ktime_of(&nv->it_value);
    if (value) {
        int abs = (flags & VEPOLL_TFD_TIMER_ABSTIME) != 0;
        t->base = abs && t->clockid == VEPOLL_CLOCK_REALTIME ? VEPOLL__TIMER_REAL
                                                               : VEPOLL__TIMER_MONO;
        t->expires = abs ? value : add_safe(vepoll__timer_now(t->base), value);
        start(t);
    }
    /* The count is gone without a wake-up, unless the new time had passed. */
    vepoll__source_publish(t->src, ready(t), 0);
out:
    vepoll__obj_unlock(&t->o);
    if (!rc && old)
        *old = prev;
    return rc;
}

int vepoll_timerfd_gettime(vepoll_timerfd_t *t, struct vepoll_itimerspec *cur)
{
    struct vepoll_itimerspec now;
    int rc = 0;
    if (!t)
        return -EBADF;
    vepoll__obj_lock(&t->o);
    if (!t->src) {
        rc = -EBADF;
    } else if (!cur) {
        rc = -EFAULT;
    } else {
        /* u64 arithmetic as Linux: a wall clock set back can make it 0. */
        t->ticks += rearm(t) - 1;
        current(t, &now);
        vepoll__source_publish(t->src, ready(t), 0);
    }
    vepoll__obj_unlock(&t->o);
    if (!rc)
        *cur = now;
    return rc;
}

struct read_call {
    struct vepoll_timerfd *t;
    size_t len;
    int has_buf;
    uint64_t ticks;
};

/* timerfd_read: EINVAL for a short buffer before anything else. */
static ssize_t read_step(void *call, int may_block, int slept)
{
    struct read_call *c = call;
    struct vepoll_timerfd *t = c->t;
    (void)slept;
    if (!t->src)
        return -EBADF;
    if (c->len < sizeof(c->ticks))
        return -EINVAL;
    if (!c->has_buf)
        return -EFAULT;
    if (!t->ticks)
        return may_block ? VEPOLL__BLOCK : -EAGAIN;
    c->ticks = t->ticks + (rearm(t) - 1);
    t->ticks = 0;
    t->expired = 0;
    vepoll__source_publish(t->src, 0, 0);
    /* Linux returns 0 bytes when a wall clock set back cancelled the
     * tick. */
    return c->ticks ? (ssize_t)sizeof(c->ticks) : 0;
}

ssize_t vepoll_timerfd_read(vepoll_timerfd_t *t, void *buf, size_t len, int64_t timeout_ns)
{
    struct read_call c = {t, len, buf != NULL, 0};
    if (!t)
        return -EBADF;
    return vepoll__obj_call_copy(&t->o, timeout_ns, read_step, &c, buf, &c.ticks,
                                 sizeof(c.ticks));
}

/* Under mu, at the final close: no more expirations, no more service use. */
static void closed(struct vepoll__obj *o, int end)
{
    struct vepoll_timerfd *t = (struct vepoll_timerfd *)o;
    (void)end;
    vepoll__timer_disarm(&t->tm);
    unuse_bases(bases_of(t->clockid));
}

int vepoll_timerfd_close(vepoll_timerfd_t *t)
{
    int rc;
    if (!t)
        return -EBADF;
    vepoll__obj_enter(&t->o); /* the memory lives until the service is out */
    rc = vepoll__obj_close(&t->o, &t->src, 0, closed);
    vepoll__timer_quiesce(&t->tm);
    vepoll__obj_leave(&t->o);
    return rc;
}
