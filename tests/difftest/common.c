/*
 * What both differential engines share (engine.c: the objects and the core;
 * fdengine.c: the WASIX descriptor table): the PRNG, the coverage counters,
 * formatting, reports, the socket-buffer budget and the timerfd settings.
 *
 * Single-threaded (see difftest.h).
 */
#include "difftest.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "vepoll.h"
#include "vepoll_objects.h"

/* ---- PRNG ---------------------------------------------------------------- */

uint64_t dt_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

void dt_rng_seed(struct dt_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = dt_splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t dt_rng_next(struct dt_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t dt_rng_below(struct dt_rng *r, uint64_t n)
{
    /* Lemire's multiply-shift would need 128-bit math; the modulo bias of a
     * 64-bit draw over these small ranges is irrelevant here. */
    return dt_rng_next(r) % n;
}

bool dt_chance(struct dt_rng *r, unsigned pct)
{
    return dt_rng_below(r, 100) < pct;
}

uint64_t dt_range(struct dt_rng *r, uint64_t lo, uint64_t hi)
{
    return lo + dt_rng_below(r, hi - lo + 1);
}

struct dt_stats dt_stats;

static const char *const kind_names[DT_NKINDS] = {
    "pipe", "eventfd", "socketpair", "epoll_create", "close", "read", "write",
    "shutdown", "ctl", "wait", "poll", "pending", "timerfd", "settime", "gettime",
    "fd:create", "fd:dup", "fd:dup3", "fd:renumber", "fd:close", "fd:flags", "fd:ctl",
    "fd:wait", "fd:read", "fd:write", "fd:recv", "fd:send", "fd:poll", "fd:settime",
    "fd:gettime"};

void dt_count(int kind, int status, long last_rc)
{
    static const long codes[] = {0, -EEXIST, -ENOENT, -EINVAL, -ELOOP, -EBADF, -EFAULT};
    int j = 0;
    if (status == DT_SKIPPED) {
        dt_stats.skipped[kind]++;
        return;
    }
    dt_stats.executed[kind]++;
    if (status != DT_OK)
        return;
    if (last_rc < 0)
        dt_stats.errors[kind]++;
    if (kind == DT_CTL || kind == DT_FD_CTL) {
        while (j < 7 && codes[j] != last_rc)
            j++;
        dt_stats.ctl_rc[j]++;
    }
}

void dt_print_stats(void)
{
    struct dt_stats *s = &dt_stats;
    printf("coverage (generated runs):\n  %-13s %10s %10s %10s\n", "op", "executed", "errno",
           "skipped");
    for (int k = 0; k < DT_NKINDS; k++)
        if (s->executed[k] || s->skipped[k])
            printf("  %-13s %10ld %10ld %10ld\n", kind_names[k], s->executed[k], s->errors[k],
                   s->skipped[k]);
    static const char *const ctl[] = {"0", "EEXIST", "ENOENT", "EINVAL", "ELOOP", "EBADF",
                                      "EFAULT", "other"};
    printf("  ctl results:");
    for (int i = 0; i < 8; i++)
        printf(" %s %ld", ctl[i], s->ctl_rc[i]);
    printf("\n  waits with events %ld, events %ld; events per bit:", s->wait_nonempty,
           s->wait_events);
    static const char *const bits[] = {"IN", "PRI", "OUT", "ERR", "HUP", "?", "RDNORM",
                                       "RDBAND", "WRNORM", "WRBAND", "MSG", "?", "?", "RDHUP"};
    for (int b = 0; b < 14; b++)
        if (s->event_bits[b])
            printf(" %s %ld", bits[b], s->event_bits[b]);
    printf("\n");
}

/* ---- formatting --------------------------------------------------------------- */

static const char *errname(long e)
{
    switch (-e) {
    case EAGAIN: return "-EAGAIN";
    case EBADF: return "-EBADF";
    case EINVAL: return "-EINVAL";
    case EEXIST: return "-EEXIST";
    case ENOENT: return "-ENOENT";
    case ELOOP: return "-ELOOP";
    case EFAULT: return "-EFAULT";
    case EPIPE: return "-EPIPE";
    case ECONNRESET: return "-ECONNRESET";
    case ENOTCONN: return "-ENOTCONN";
    case EPERM: return "-EPERM";
    case ENOSPC: return "-ENOSPC";
    case ENOMEM: return "-ENOMEM";
    case EINTR: return "-EINTR";
    default: return NULL;
    }
}

void dt_fmt_rc(char *b, size_t n, long rc)
{
    const char *e = rc < 0 ? errname(rc) : NULL;
    if (e)
        snprintf(b, n, "%s", e);
    else
        snprintf(b, n, "%ld", rc);
}

void dt_fmt_mask(char *b, size_t n, uint32_t m)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } names[] = {{VEPOLL_IN, "IN"},         {VEPOLL_PRI, "PRI"},
                 {VEPOLL_OUT, "OUT"},       {VEPOLL_ERR, "ERR"},
                 {VEPOLL_HUP, "HUP"},       {VEPOLL_RDNORM, "RDNORM"},
                 {VEPOLL_RDBAND, "RDBAND"}, {VEPOLL_WRNORM, "WRNORM"},
                 {VEPOLL_WRBAND, "WRBAND"}, {VEPOLL_MSG, "MSG"},
                 {VEPOLL_RDHUP, "RDHUP"},   {VEPOLL_EXCLUSIVE, "EXCL"},
                 {VEPOLL_WAKEUP, "WAKEUP"}, {VEPOLL_ONESHOT, "ONESHOT"},
                 {VEPOLL_ET, "ET"}};
    size_t off = 0;
    b[0] = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (m & names[i].bit) {
            off += (size_t)snprintf(b + off, off < n ? n - off : 0, "%s%s",
                                    off ? "|" : "", names[i].name);
            m &= ~names[i].bit;
        }
    }
    if (m)
        off += (size_t)snprintf(b + off, off < n ? n - off : 0, "%s0x%x",
                                off ? "|" : "", m);
    if (!off)
        snprintf(b, n, "0");
}

void dt_fmt_events(char *b, size_t n, long rc, const uint32_t *ev, const uint64_t *data)
{
    if (rc < 0) {
        dt_fmt_rc(b, n, rc);
        return;
    }
    size_t off = (size_t)snprintf(b, n, "%ld [", rc);
    for (long i = 0; i < rc && off < n; i++) {
        char m[160];
        dt_fmt_mask(m, sizeof m, ev[i]);
        off += (size_t)snprintf(b + off, n - off, "%s0x%llx:%s", i ? ", " : "",
                                (unsigned long long)data[i], m);
    }
    if (off < n)
        snprintf(b + off, n - off, "]");
}

/* ---- running an op list --------------------------------------------------------- */

void dt_trace(const struct dt_options *opt, const struct dt_op *ops, int i, int status)
{
    char b[200];
    if (!opt->trace || status == DT_SKIPPED)
        return;
    dt_format_op(ops, i, b, sizeof b);
    printf("  %5d: %s\n", i, b);
}

int dt_run_list(void *st, dt_exec_fn *exec, const struct dt_options *opt, const struct dt_op *ops,
                int n, const unsigned char *keep, struct dt_report *rep)
{
    int r = DT_OK;
    for (int i = 0; i < n && (r == DT_OK || r == DT_SKIPPED); i++) {
        if (keep && !keep[i]) {
            r = DT_OK;
            continue;
        }
        r = exec(st, ops, i, rep);
        dt_trace(opt, ops, i, r);
    }
    return r == DT_SKIPPED ? DT_OK : r;
}

int dt_run_generated(void *st, dt_gen_fn *gen, dt_exec_fn *exec, long *last_rc,
                     const struct dt_options *opt, uint64_t seed, int steps, struct dt_op *ops,
                     int *nops, struct dt_report *rep)
{
    struct dt_rng r;
    long attempts = 0, max_attempts = 50L * steps + 1000;
    int n = 0, status = DT_OK;
    dt_rng_seed(&r, seed);
    while (n < steps && attempts++ < max_attempts) {
        int s;
        if (!gen(st, &r, n, &ops[n]))
            continue;
        *last_rc = 0;
        s = exec(st, ops, n, rep);
        dt_count(ops[n].kind, s, *last_rc);
        if (s == DT_SKIPPED)
            continue;
        dt_trace(opt, ops, n, s);
        n++;
        if (s != DT_OK) {
            status = s;
            break;
        }
    }
    *nops = n;
    return status;
}

/* ---- reports ------------------------------------------------------------------ */

int dt_diverged(struct dt_report *rep, const struct dt_op *ops, int i, const char *l,
                const char *v)
{
    rep->step = i;
    rep->kind = ops[i].kind;
    dt_format_op(ops, i, rep->op, sizeof rep->op);
    snprintf(rep->lnx, sizeof rep->lnx, "%s", l);
    snprintf(rep->vep, sizeof rep->vep, "%s", v);
    return DT_DIVERGED;
}

int dt_model_error(struct dt_report *rep, const struct dt_op *ops, int i, const char *what,
                   long got, long want)
{
    char l[160], v[64];
    snprintf(l, sizeof l, "%s: Linux %ld", what, got);
    snprintf(v, sizeof v, "model predicted %ld", want);
    dt_diverged(rep, ops, i, l, v);
    return DT_MODEL_ERROR;
}

int dt_host_error(struct dt_report *rep, const struct dt_op *ops, int i, const char *what, int err)
{
    char l[160];
    snprintf(l, sizeof l, "%s failed: %s", what, strerror(err));
    dt_diverged(rep, ops, i, l, "-");
    return DT_HOST_ERROR;
}

int dt_cmp_rc(struct dt_report *rep, const struct dt_op *ops, int i, long l, long v)
{
    char a[64], b[64];
    if (l == v)
        return DT_OK;
    dt_fmt_rc(a, sizeof a, l);
    dt_fmt_rc(b, sizeof b, v);
    return dt_diverged(rep, ops, i, a, b);
}

void dt_fill_data(unsigned char *b, size_t n, uint64_t seed)
{
    uint64_t x = seed;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w = dt_splitmix64(&x);
        memcpy(b + i, &w, 8);
    }
    if (i < n) {
        uint64_t w = dt_splitmix64(&x);
        memcpy(b + i, &w, n - i);
    }
}

long dt_lnx(long rc)
{
    return rc < 0 ? -errno : rc;
}


/* ---- setup ----------------------------------------------------------------- */

int dt_setup(void)
{
    signal(SIGPIPE, SIG_IGN);
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        return -errno;
    int v = DT_SOCK_SNDBUF_SET, got = 0;
    socklen_t len = sizeof got;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
    getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &got, &len);
    close(sv[0]);
    close(sv[1]);
    if (got / 4 < (int)DT_SOCK_BUDGET + 4096) {
        fprintf(stderr,
                "difftest: SO_SNDBUF is %d (net.core.wmem_max too low?); the socket "
                "capacity model needs at least %d\n",
                got, 4 * ((int)DT_SOCK_BUDGET + 4096));
        return -EINVAL;
    }
    return 0;
}

/* ---- the socket-buffer budget -------------------------------------------------- */

/* Upper bound of the truesize of one unix stream skb carrying n bytes. */
uint32_t dt_sock_est(size_t n)
{
    return (uint32_t)(((n + DT_PAGE - 1) & ~(size_t)(DT_PAGE - 1)) + DT_PAGE);
}

void dt_sockq_push(struct dt_sockq *q, size_t n)
{
    int t = (q->head + q->n) % DT_SQ_MAX;
    q->len[t] = (uint32_t)n;
    q->est[t] = dt_sock_est(n);
    q->total_est += q->est[t];
    q->n++;
}

bool dt_sockq_fits(const struct dt_sockq *q, size_t n)
{
    return n <= DT_SOCK_MAX_WRITE && q->n < DT_SQ_MAX &&
           q->total_est + (n ? dt_sock_est(n) : 0) <= DT_SOCK_BUDGET;
}

int dt_sock_written(struct dt_report *rep, const struct dt_op *ops, int i, struct dt_sockq *q,
                    int lfd, long lrc, size_t n)
{
    int outq = 0;
    if (lrc <= 0)
        return DT_OK;
    if (lrc != (long)n)
        return dt_model_error(rep, ops, i, "socket write (short)", lrc, (long)n);
    dt_sockq_push(q, n);
    if (ioctl(lfd, SIOCOUTQ, &outq) == 0 && (uint32_t)outq > q->total_est)
        return dt_model_error(rep, ops, i, "socket SIOCOUTQ above the truesize bound", outq,
                              (long)q->total_est);
    return DT_OK;
}

void dt_sockq_consume(struct dt_sockq *q, size_t n)
{
    while (n > 0 && q->n > 0) {
        uint32_t *len = &q->len[q->head];
        size_t c = n < *len ? n : *len;
        *len -= (uint32_t)c;
        n -= c;
        if (*len == 0) {
            q->total_est -= q->est[q->head];
            q->head = (q->head + 1) % DT_SQ_MAX;
            q->n--;
        }
    }
}


/* ---- timerfd settings ---------------------------------------------------------- */

enum { TV_ZERO, TV_FAR_REL, TV_PAST_ABS, TV_ONE_NS_ABS, TV_FAR_ABS, TV_HUGE, TV_BAD, TV_NULL };
enum { TI_ZERO, TI_SOME, TI_HUGE };
#define SEC INT64_C(1000000000)

void dt_tfd_gen(struct dt_rng *r, struct dt_op *op)
{
    static const uint8_t tv_pick[] = {TV_ZERO, TV_ZERO, TV_FAR_REL, TV_FAR_REL, TV_PAST_ABS,
                                      TV_PAST_ABS, TV_PAST_ABS, TV_ONE_NS_ABS, TV_FAR_ABS,
                                      TV_HUGE, TV_BAD, TV_NULL};
    int tv = tv_pick[dt_rng_below(r, sizeof tv_pick)];
    int ti = (int)dt_rng_below(r, 3);
    int64_t interval = 0, x = 0;
    if (ti == TI_SOME)
        interval = (int64_t)dt_range(r, 1, 6) * SEC + (int64_t)dt_rng_below(r, (uint64_t)SEC);
    else if (ti == TI_HUGE)
        interval = (int64_t)dt_range(r, 4000000000u, 8000000000u) * SEC;
    switch (tv) {
    case TV_FAR_REL:
        x = (int64_t)dt_range(r, 1000, 10000000) * SEC + (int64_t)dt_rng_below(r, (uint64_t)SEC);
        break;
    case TV_PAST_ABS:
        /* k + f intervals back, f in [0.2, 0.8] (or 1..1000 s without an
         * interval): the expiration count cannot change within a second. */
        if (ti == TI_SOME)
            x = (int64_t)dt_range(r, 0, 20) * interval +
                interval / 10 * (int64_t)dt_range(r, 2, 8);
        else
            x = (int64_t)dt_range(r, 1, 1000) * SEC + (int64_t)dt_rng_below(r, (uint64_t)SEC);
        break;
    case TV_ONE_NS_ABS: /* 1 ns after the clock's epoch: an interval would
                         * count the uptime, so none but a huge one */
        if (ti == TI_SOME)
            interval = 0;
        break;
    case TV_FAR_ABS:
        x = (int64_t)dt_range(r, 1000, 1000000) * SEC;
        break;
    case TV_HUGE:
        x = (int64_t)dt_rng_below(r, 3); /* which huge tv_sec */
        break;
    case TV_BAD:
        x = (int64_t)dt_rng_below(r, 5); /* which field is wrong */
        break;
    default:
        break;
    }
    op->a = tv;
    op->x = x;
    op->value = (uint64_t)interval;
    /* flags: ABSTIME for the absolute settings (else a far value could be
     * the past), CANCEL_ON_SET sometimes, an invalid flag rarely. */
    op->b = (tv == TV_PAST_ABS || tv == TV_ONE_NS_ABS || tv == TV_FAR_ABS ||
             (tv == TV_HUGE && dt_chance(r, 50)))
                ? VEPOLL_TFD_TIMER_ABSTIME
                : 0;
    if (dt_chance(r, 10))
        op->b |= VEPOLL_TFD_TIMER_CANCEL_ON_SET;
    if (dt_chance(r, 4))
        op->b |= 4;
}

static int64_t clock_now(int clock)
{
    struct timespec ts;
    clock_gettime(clock == VEPOLL_CLOCK_REALTIME ? CLOCK_REALTIME : CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * SEC + ts.tv_nsec;
}

static struct vepoll_timespec ts_of(int64_t ns)
{
    struct vepoll_timespec ts = {ns / SEC, ns % SEC};
    return ts;
}

void dt_tfd_spec(const struct dt_op *op, int clock, struct vepoll_itimerspec *v, bool *null,
                 bool *past)
{
    static const int64_t huge[] = {INT64_MAX, 9223372036, 9223372035};
    int64_t value = 0;
    memset(v, 0, sizeof *v);
    v->it_interval = ts_of((int64_t)op->value);
    *null = op->a == TV_NULL;
    /* It fires at once if it is valid and absolute (CANCEL_ON_SET or not). */
    *past = (op->a == TV_PAST_ABS || op->a == TV_ONE_NS_ABS) &&
            (op->b & VEPOLL_TFD_TIMER_ABSTIME) &&
            !(op->b & ~(VEPOLL_TFD_TIMER_ABSTIME | VEPOLL_TFD_TIMER_CANCEL_ON_SET));
    switch (op->a) {
    case TV_FAR_REL: value = op->x; break;
    case TV_PAST_ABS: value = clock_now(clock) - op->x; break;
    case TV_ONE_NS_ABS: value = 1; break;
    case TV_FAR_ABS: value = clock_now(clock) + op->x; break;
    default: break;
    }
    v->it_value = ts_of(value);
    if (op->a == TV_HUGE) {
        v->it_value.tv_sec = huge[op->x % 3];
        v->it_value.tv_nsec = 999999999;
    } else if (op->a == TV_BAD) {
        static const struct vepoll_timespec wrong[] = {{0, SEC}, {1, -1}, {-1, 0}};
        if (op->x < 3)
            v->it_value = wrong[op->x];
        else
            v->it_interval = wrong[op->x == 3 ? 0 : 2];
    }
}

void dt_tfd_format(const struct dt_op *op, char *b, size_t n)
{
    static const char *const tv[] = {"0",      "far",        "past-abs", "1ns-abs",
                                     "far-abs", "huge",      "invalid",  "NULL"};
    snprintf(b, n, "%s %.3fs, interval %.3fs, flags %d", tv[op->a & 7], (double)op->x / 1e9,
             (double)op->value / 1e9, op->b);
}

static int64_t its_ns(const struct vepoll_timespec *ts)
{
    return ts->tv_sec * SEC + ts->tv_nsec;
}

int dt_tfd_cmp(const struct vepoll_itimerspec *lx, const struct vepoll_itimerspec *vp, char *l,
               char *v, size_t n)
{
    int64_t dl = its_ns(&lx->it_value), dv = its_ns(&vp->it_value);
    int64_t d = dl > dv ? dl - dv : dv - dl;
    if (lx->it_interval.tv_sec == vp->it_interval.tv_sec &&
        lx->it_interval.tv_nsec == vp->it_interval.tv_nsec && (dl == 0) == (dv == 0) &&
        d <= DT_TFD_SLACK_NS)
        return 0;
    snprintf(l, n, "value %lld.%09lld interval %lld.%09lld", (long long)lx->it_value.tv_sec,
             (long long)lx->it_value.tv_nsec, (long long)lx->it_interval.tv_sec,
             (long long)lx->it_interval.tv_nsec);
    snprintf(v, n, "value %lld.%09lld interval %lld.%09lld", (long long)vp->it_value.tv_sec,
             (long long)vp->it_value.tv_nsec, (long long)vp->it_interval.tv_sec,
             (long long)vp->it_interval.tv_nsec);
    return 1;
}

int dt_settle_linux(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 5000) > 0 ? 0 : -ETIMEDOUT;
}

int dt_settle_vepoll(vepoll_source_t *src)
{
    struct vepoll_event ev = {VEPOLL_IN, {.u64 = 0}}, out;
    vepoll_t *ep;
    int n;
    if (vepoll_source_ready(src) & VEPOLL_IN)
        return 0;
    if (vepoll_create(&ep))
        return -ENOMEM;
    n = vepoll_ctl(ep, VEPOLL_CTL_ADD, 0, src, &ev) ? -1 : vepoll_wait(ep, &out, 1, 5 * SEC);
    vepoll_close(ep);
    return n > 0 ? 0 : -ETIMEDOUT;
}
