/*
 * Differential test engine: executes one op on a real Linux object and on its
 * vepoll twin, compares everything observable, and generates random op lists.
 *
 * Two sides, one table.  Every object has its Linux descriptors (lfd[]) and
 * its vepoll object; a registration is keyed on Linux by the descriptor and
 * in vepoll by (source, fd) where fd is that same Linux descriptor number.
 * Only non-blocking I/O is used: Linux objects are created O_NONBLOCK, vepoll
 * calls pass timeout 0 (the vepoll object is created with or without
 * VEPOLL_NONBLOCK at random; with timeout 0 both must behave alike).
 *
 * Applicability.  A Linux unix stream socket is limited by the sender's skb
 * truesize (payload plus up to a page of overhead per write) against
 * sk_sndbuf/4, not by 65536 bytes of payload as the vepoll pair is; where
 * those legitimately differ there is nothing to compare.  So the engine
 * keeps an upper bound of the truesize queued in each direction (one entry
 * per write, freed when its last byte is read, like an skb) and skips a
 * socket write that could take it near Linux's limit (40000 of 53248 bytes,
 * with SO_SNDBUF pinned so the limit does not depend on sysctls): both sides
 * then always have room.  Pipes need no filter: vepoll's pipe implements
 * Linux's page ring (fs/pipe.c) exactly, so fills, partial writes, slot
 * waste and the OUT threshold are all compared as they are.  The engine
 * still keeps its own model of Linux's page ring and checks it against
 * Linux after every pipe op (DT_MODEL_ERROR if the kernel disagrees), so a
 * kernel with other pipe rules is reported as such, not as a vepoll bug.
 *
 * Single-threaded (see difftest.h).
 */
#include "difftest.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sockios.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "vepoll.h"
#include "vepoll_kfd.h"
#include "vepoll_objects.h"

/* ---- limits ---------------------------------------------------------------- */

#define PAGE DT_PAGE
#define MAX_LIVE_PIPE 6
#define MAX_LIVE_EFD 4
#define MAX_LIVE_SOCK 4
/* Six instances reach Linux's nesting limit (ELOOP at a path of 6) but stay
 * far below reverse_path_check()'s path counts (EINVAL), which vepoll does
 * not have. */
#define MAX_LIVE_EP 6
#define MAX_LIVE_TFD 4
#define MAX_WAIT 64
#define IOBUF (256u * 1024u)
/* ---- models ---------------------------------------------------------------- */

/* Linux pipe: ring of page buffers (offset, len), at most max_usage. */
struct lpipe {
    int max, head, n;
    uint16_t off[16], len[16];
};

static size_t lp_bytes(const struct lpipe *m)
{
    size_t b = 0;
    for (int i = 0; i < m->n; i++)
        b += m->len[(m->head + i) % 16];
    return b;
}

/* pipe_write() for a pipe with readers (fs/pipe.c): merge len % PAGE into the
 * last page if it fits entirely, then whole pages while slots are free. */
static long lp_write(struct lpipe *m, size_t n)
{
    if (n == 0)
        return 0;
    size_t chars = n & (PAGE - 1), ret = 0;
    if (chars && m->n > 0) {
        int last = (m->head + m->n - 1) % 16;
        if (m->off[last] + m->len[last] + chars <= PAGE) {
            m->len[last] = (uint16_t)(m->len[last] + chars);
            ret = chars;
            if (ret == n)
                return (long)n;
        }
    }
    while (ret < n && m->n < m->max) {
        size_t c = n - ret < PAGE ? n - ret : PAGE;
        int slot = (m->head + m->n) % 16;
        m->off[slot] = 0;
        m->len[slot] = (uint16_t)c;
        m->n++;
        ret += c;
    }
    return ret ? (long)ret : -EAGAIN;
}

/* pipe_read() of up to n bytes (the caller handles empty / EOF). */
static size_t lp_read(struct lpipe *m, size_t n)
{
    size_t got = 0;
    while (got < n && m->n > 0) {
        int t = m->head;
        size_t c = n - got < m->len[t] ? n - got : m->len[t];
        m->off[t] = (uint16_t)(m->off[t] + c);
        m->len[t] = (uint16_t)(m->len[t] - c);
        got += c;
        if (m->len[t] == 0) {
            m->head = (m->head + 1) % 16;
            m->n--;
        }
    }
    return got;
}

/* ---- state ----------------------------------------------------------------- */

struct obj {
    int kind; /* DT_PIPE_NEW, DT_EFD_NEW, DT_SOCK_NEW, DT_EP_NEW, DT_TFD_NEW */
    int nends;
    int lfd[2];
    bool open[2];
    union {
        vepoll_pipe_t *p;
        vepoll_eventfd_t *e;
        vepoll_socketpair_t *s;
        vepoll_t *ep;
        vepoll_timerfd_t *t;
    } v;
    /* pipe */
    struct lpipe lp;
    /* socket: sq[i] = data queued for end i */
    struct dt_sockq sq[2];
    /* eventfd */
    uint64_t efd_val;
    bool efd_sem;
    /* timerfd */
    int clock;
    /* --kfd: vepoll's side of a pipe, eventfd or socket pair is a twin of
     * real descriptors, one kernel-descriptor source per end (k[0] only
     * for an eventfd); the union above is unused then. */
    vepoll_kfd_t *k[2];
};

struct reg {
    int ep, tobj, tend;
};

struct state {
    struct obj **tab; /* by creation index */
    int ntab;
    int live[64]; /* ids of objects with an open end */
    int nlive;
    struct reg regs[256];
    int nregs;
    const struct dt_options *opt;
    unsigned char *lbuf, *vbuf, *wbuf;
    bool counting; /* a generated run: feed dt_stats */
    vepoll_t *pump;         /* --kfd: kfd_pump's instance and its idle kfd */
    vepoll_kfd_t *pump_k;
    long last_rc;  /* Linux's result of the last compared op */
};

static const char letter[] = {[DT_PIPE_NEW] = 'P', [DT_EFD_NEW] = 'F', [DT_SOCK_NEW] = 'S',
                              [DT_EP_NEW] = 'E', [DT_TFD_NEW] = 'T'};

static int live_count(const struct state *st, int kind)
{
    int c = 0;
    for (int i = 0; i < st->nlive; i++)
        c += st->tab[st->live[i]]->kind == kind;
    return c;
}

static struct obj *get_obj(const struct state *st, int id)
{
    if (id < 0 || id >= st->ntab)
        return NULL;
    return st->tab[id];
}

static bool end_open(const struct state *st, int id, int end)
{
    struct obj *o = get_obj(st, id);
    return o && end >= 0 && end < o->nends && o->open[end];
}

static vepoll_source_t *source_of(struct obj *o, int end)
{
    if (o->k[0] || o->k[1])
        return vepoll_kfd_source(o->k[end]);
    switch (o->kind) {
    case DT_PIPE_NEW:
        return vepoll_pipe_source(o->v.p, end);
    case DT_EFD_NEW:
        return vepoll_eventfd_source(o->v.e);
    case DT_SOCK_NEW:
        return vepoll_socketpair_source(o->v.s, end);
    case DT_TFD_NEW:
        return vepoll_timerfd_source(o->v.t);
    default:
        return vepoll_as_source(o->v.ep);
    }
}

static void regs_drop_where(struct state *st, int ep, int tobj, int tend)
{
    int j = 0;
    for (int i = 0; i < st->nregs; i++) {
        struct reg *g = &st->regs[i];
        bool drop = (ep >= 0 && g->ep == ep) ||
                    (tobj >= 0 && g->tobj == tobj && (tend < 0 || g->tend == tend));
        if (!drop)
            st->regs[j++] = *g;
    }
    st->nregs = j;
}

static int reg_find(const struct state *st, int ep, int tobj, int tend)
{
    for (int i = 0; i < st->nregs; i++)
        if (st->regs[i].ep == ep && st->regs[i].tobj == tobj && st->regs[i].tend == tend)
            return i;
    return -1;
}

/* ---- formatting ------------------------------------------------------------ */

static void fmt_handle(const struct dt_op *ops, int id, int end, char *b, size_t n)
{
    if (id < 0) {
        snprintf(b, n, "<closed>");
        return;
    }
    int k = ops[id].kind;
    const char *suffix = "";
    if (k == DT_PIPE_NEW)
        suffix = end ? ".w" : ".r";
    else if (k == DT_SOCK_NEW)
        suffix = end ? ".b" : ".a";
    snprintf(b, n, "%c%d%s", letter[k], id, suffix);
}

static const char *ctl_name(int64_t op, char *b, size_t n)
{
    switch (op) {
    case EPOLL_CTL_ADD: return "ADD";
    case EPOLL_CTL_MOD: return "MOD";
    case EPOLL_CTL_DEL: return "DEL";
    default: snprintf(b, n, "op%lld", (long long)op); return b;
    }
}

static const char *flags_name(int f)
{
    return (f & VEPOLL_NONBLOCK) ? "" : ", vepoll blocking";
}

void dt_format_op(const struct dt_op *ops, int i, char *b, size_t n)
{
    const struct dt_op *op = &ops[i];
    char h[32], t[32], m[160], c[16];
    if (op->kind >= DT_FD_NEW) {
        dt_fd_format_op(op, b, n);
        return;
    }
    fmt_handle(ops, op->obj, op->end, h, sizeof h);
    switch (op->kind) {
    case DT_PIPE_NEW:
        snprintf(b, n, "P%d = pipe(capacity %lld%s)", i, (long long)op->a,
                 flags_name(op->b));
        break;
    case DT_EFD_NEW:
        snprintf(b, n, "F%d = eventfd(%llu%s%s)", i, (unsigned long long)op->value,
                 (op->b & VEPOLL_EFD_SEMAPHORE) ? ", SEMAPHORE" : "", flags_name(op->b));
        break;
    case DT_SOCK_NEW:
        snprintf(b, n, "S%d = socketpair(%s)", i, flags_name(op->b)[0] ? "vepoll blocking" : "");
        break;
    case DT_EP_NEW:
        snprintf(b, n, "E%d = epoll_create()", i);
        break;
    case DT_TFD_NEW:
        snprintf(b, n, "T%d = timerfd_create(clock %lld, flags 0x%x%s)", i, (long long)op->a,
                 op->b & ~VEPOLL_NONBLOCK, flags_name(op->b));
        break;
    case DT_TFD_SET:
        dt_tfd_format(op, m, sizeof m);
        snprintf(b, n, "settime(%s, %s)", h, m);
        break;
    case DT_TFD_GET:
        snprintf(b, n, "gettime(%s)", h);
        break;
    case DT_CLOSE:
        snprintf(b, n, "close(%s)", h);
        break;
    case DT_READ:
        snprintf(b, n, "read(%s, %lld)", h, (long long)op->a);
        break;
    case DT_WRITE:
        if (ops[op->obj].kind == DT_EFD_NEW)
            snprintf(b, n, "write(%s, value 0x%llx, len %lld)", h,
                     (unsigned long long)op->value, (long long)op->a);
        else
            snprintf(b, n, "write(%s, %lld)", h, (long long)op->a);
        break;
    case DT_SHUTDOWN:
        snprintf(b, n, "shutdown(%s, %s)", h,
                 op->a == 0 ? "SHUT_RD" : op->a == 1 ? "SHUT_WR" : op->a == 2 ? "SHUT_RDWR" : "bad-how");
        break;
    case DT_CTL:
        if (op->b == DT_CTL_BAD_EP)
            snprintf(h, sizeof h, "<closed>");
        if (op->b == DT_CTL_BAD_TARGET)
            snprintf(t, sizeof t, "<closed>");
        else
            fmt_handle(ops, op->tobj, op->tend, t, sizeof t);
        dt_fmt_mask(m, sizeof m, op->mask);
        if (op->b == DT_CTL_NULL_EV)
            snprintf(b, n, "ctl(%s, %s, %s, NULL)", h, ctl_name(op->a, c, sizeof c), t);
        else
            snprintf(b, n, "ctl(%s, %s, %s, %s, 0x%llx)", h, ctl_name(op->a, c, sizeof c),
                     t, m, (unsigned long long)op->value);
        break;
    case DT_WAIT:
        snprintf(b, n, "wait(%s, %lld)", op->obj < 0 ? "<closed>" : h, (long long)op->a);
        break;
    case DT_POLL:
        snprintf(b, n, "poll(%s)", h);
        break;
    case DT_PENDING:
        snprintf(b, n, "pending(%s)", h);
        break;
    default:
        snprintf(b, n, "?");
    }
}

/* ---- execution ------------------------------------------------------------- */

struct ctx {
    struct state *st;
    const struct dt_op *ops;
    int i;
    struct dt_report *rep;
};

static int diverged(struct ctx *c, const char *l, const char *v)
{
    return dt_diverged(c->rep, c->ops, c->i, l, v);
}

static int model_error(struct ctx *c, const char *what, long got, long want)
{
    return dt_model_error(c->rep, c->ops, c->i, what, got, want);
}

static int host_error(struct ctx *c, const char *what, int err)
{
    return dt_host_error(c->rep, c->ops, c->i, what, err);
}

static int cmp_rc(struct ctx *c, long l, long v)
{
    c->st->last_rc = l;
    return dt_cmp_rc(c->rep, c->ops, c->i, l, v);
}

static void obj_track_live(struct state *st, int id)
{
    st->live[st->nlive++] = id;
}

static void obj_untrack_if_dead(struct state *st, int id)
{
    struct obj *o = st->tab[id];
    for (int e = 0; e < o->nends; e++)
        if (o->open[e])
            return;
    for (int i = 0; i < st->nlive; i++)
        if (st->live[i] == id) {
            st->live[i] = st->live[--st->nlive];
            break;
        }
}

static long vep_close(struct obj *o, int end);

/* The real descriptors of the pipe, eventfd or socket pair op creates
 * (kind), non-blocking, configured as the comparison needs (the pipe's
 * capacity, the sockets' SO_SNDBUF): Linux's side of the object, and
 * --kfd's twin of it.  0, or -errno with nothing left open. */
static int real_object(int kind, const struct dt_op *op, int fd[2])
{
    size_t cap = op->a ? (size_t)op->a : 65536;
    int v = DT_SOCK_SNDBUF_SET, err;
    fd[0] = fd[1] = -1;
    switch (kind) {
    case DT_PIPE_NEW:
        if (pipe2(fd, O_NONBLOCK) < 0 ||
            (cap != 65536 && fcntl(fd[0], F_SETPIPE_SZ, (int)cap) != (int)cap))
            goto fail;
        return 0;
    case DT_EFD_NEW:
        fd[0] = eventfd((unsigned)op->value,
                        EFD_NONBLOCK | ((op->b & VEPOLL_EFD_SEMAPHORE) ? EFD_SEMAPHORE : 0));
        return fd[0] < 0 ? -errno : 0;
    default:
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fd) < 0)
            goto fail;
        for (int e = 0; e < 2; e++)
            if (setsockopt(fd[e], SOL_SOCKET, SO_SNDBUF, &v, sizeof v) < 0)
                goto fail;
        return 0;
    }
fail:
    err = errno > 0 ? errno : EIO; /* F_SETPIPE_SZ may give another size */
    for (int e = 0; e < 2; e++)
        if (fd[e] >= 0)
            close(fd[e]);
    fd[0] = fd[1] = -1;
    return -err;
}

/* --kfd: vepoll's twin of the object op creates (its Linux side already
 * made, in o->lfd): the same real descriptors, each end made a
 * kernel-descriptor source.  0 or a negative errno. */
static long kfd_twin(struct obj *o, const struct dt_op *op)
{
    int fd[2], rc = real_object(o->kind, op, fd);
    for (int e = 0; !rc && e < o->nends; e++)
        if ((rc = vepoll_kfd_create(&o->k[e], fd[e], 0)) == 0)
            fd[e] = -1; /* the kfd owns it */
    if (rc) {
        for (int e = 0; e < 2; e++) {
            if (o->k[e])
                vepoll_kfd_close(o->k[e]);
            o->k[e] = NULL;
            if (fd[e] >= 0)
                close(fd[e]);
        }
    }
    return rc;
}

static int exec_create(struct ctx *c)
{
    struct state *st = c->st;
    const struct dt_op *op = &c->ops[c->i];
    int limit = op->kind == DT_PIPE_NEW ? MAX_LIVE_PIPE
              : op->kind == DT_EFD_NEW  ? MAX_LIVE_EFD
              : op->kind == DT_SOCK_NEW ? MAX_LIVE_SOCK
              : op->kind == DT_TFD_NEW  ? MAX_LIVE_TFD
                                        : MAX_LIVE_EP;
    if (live_count(st, op->kind) >= limit || st->nlive >= 64)
        return DT_SKIPPED;
    struct obj *o = calloc(1, sizeof *o);
    if (!o)
        return host_error(c, "calloc", ENOMEM);
    o->kind = op->kind;
    o->lfd[0] = o->lfd[1] = -1;
    long lrc = 0, vrc = 0;
    int rc = 0;
    switch (op->kind) {
    case DT_PIPE_NEW: {
        o->nends = 2;
        if ((rc = real_object(op->kind, op, o->lfd)) < 0)
            goto host;
        size_t cap = op->a ? (size_t)op->a : 65536;
        o->lp.max = (int)(cap / PAGE);
        vrc = st->opt->kfd ? kfd_twin(o, op) : vepoll_pipe_create(&o->v.p, (size_t)op->a, op->b);
        break;
    }
    case DT_EFD_NEW:
        o->nends = 1;
        if ((rc = real_object(op->kind, op, o->lfd)) < 0)
            goto host;
        o->efd_val = op->value;
        o->efd_sem = op->b & VEPOLL_EFD_SEMAPHORE;
        vrc = st->opt->kfd ? kfd_twin(o, op) : vepoll_eventfd_create(&o->v.e, op->value, op->b);
        break;
    case DT_SOCK_NEW: {
        o->nends = 2;
        if ((rc = real_object(op->kind, op, o->lfd)) < 0)
            goto host;
        vrc = st->opt->kfd ? kfd_twin(o, op) : vepoll_socketpair_create(&o->v.s, 0, op->b);
        break;
    }
    case DT_TFD_NEW:
        /* Invalid clocks and flags reach both sides; Linux's timer is
         * non-blocking, vepoll's as generated (always called with timeout
         * 0). */
        o->nends = 1;
        o->clock = (int)op->a;
        lrc = dt_lnx(o->lfd[0] = timerfd_create((int)op->a, op->b | TFD_NONBLOCK));
        vrc = vepoll_timerfd_create(&o->v.t, (int)op->a, op->b);
        if (lrc > 0)
            lrc = 0;
        break;
    default:
        o->nends = 1;
        o->lfd[0] = epoll_create1(0);
        if (o->lfd[0] < 0)
            goto host;
        vrc = vepoll_create(&o->v.ep);
        break;
    }
    if (vrc != lrc || lrc < 0) {
        /* Creation failed on one side (or on both alike: an invalid
         * timerfd): nothing further can be compared. */
        int r = cmp_rc(c, lrc, vrc);
        if (!vrc)
            for (int e = 0; e < o->nends; e++)
                vep_close(o, e); /* vepoll made one, Linux did not */
        for (int e = 0; e < 2; e++)
            if (o->lfd[e] >= 0)
                close(o->lfd[e]);
        free(o);
        return r;
    }
    for (int e = 0; e < o->nends; e++)
        o->open[e] = true;
    st->tab[c->i] = o;
    obj_track_live(st, c->i);
    return DT_OK;
host: {
    int err = rc < 0 ? -rc : errno;
    for (int e = 0; e < 2; e++)
        if (o->lfd[e] >= 0)
            close(o->lfd[e]);
    free(o);
    return host_error(c, "object creation", err);
}
}

static long vep_close(struct obj *o, int end)
{
    if (o->k[0] || o->k[1]) {
        long rc = vepoll_kfd_close(o->k[end]);
        o->k[end] = NULL;
        return rc;
    }
    switch (o->kind) {
    case DT_PIPE_NEW: return vepoll_pipe_close(o->v.p, end);
    case DT_EFD_NEW: return vepoll_eventfd_close(o->v.e);
    case DT_SOCK_NEW: return vepoll_socketpair_close(o->v.s, end);
    case DT_TFD_NEW: return vepoll_timerfd_close(o->v.t);
    default: return vepoll_close(o->v.ep);
    }
}

static void mark_closed(struct state *st, int id, int end)
{
    struct obj *o = st->tab[id];
    o->open[end] = false;
    o->lfd[end] = -1;
    if (o->kind == DT_SOCK_NEW)
        memset(&o->sq[end], 0, sizeof o->sq[end]); /* receive queue purged */
    regs_drop_where(st, -1, id, end);
    if (o->kind == DT_EP_NEW)
        regs_drop_where(st, id, -1, -1);
    obj_untrack_if_dead(st, id);
}

static int exec_close(struct ctx *c)
{
    const struct dt_op *op = &c->ops[c->i];
    if (!end_open(c->st, op->obj, op->end))
        return DT_SKIPPED;
    struct obj *o = c->st->tab[op->obj];
    long lrc = dt_lnx(close(o->lfd[op->end]));
    long vrc = vep_close(o, op->end);
    mark_closed(c->st, op->obj, op->end);
    return cmp_rc(c, lrc, vrc);
}

static int cmp_data(struct ctx *c, long rc)
{
    if (rc <= 0 || memcmp(c->st->lbuf, c->st->vbuf, (size_t)rc) == 0)
        return DT_OK;
    size_t at = 0;
    while (c->st->lbuf[at] == c->st->vbuf[at])
        at++;
    char l[96], v[96];
    snprintf(l, sizeof l, "%ld bytes, byte %zu = 0x%02x", rc, at, c->st->lbuf[at]);
    snprintf(v, sizeof v, "%ld bytes, byte %zu = 0x%02x", rc, at, c->st->vbuf[at]);
    return diverged(c, l, v);
}

static int exec_read(struct ctx *c)
{
    struct state *st = c->st;
    const struct dt_op *op = &c->ops[c->i];
    if (!end_open(st, op->obj, op->end))
        return DT_SKIPPED;
    struct obj *o = st->tab[op->obj];
    size_t n = (size_t)op->a;
    if (n > IOBUF)
        return DT_SKIPPED;
    long lrc, vrc;
    switch (o->kind) {
    case DT_PIPE_NEW: {
        if (op->end != VEPOLL_PIPE_READ)
            return DT_SKIPPED;
        struct lpipe m = o->lp;
        size_t got = lp_read(&m, n);
        lrc = dt_lnx(read(o->lfd[0], st->lbuf, n));
        vrc = o->k[0] ? vepoll_kfd_read(o->k[0], st->vbuf, n, 0)
                     : vepoll_pipe_read(o->v.p, st->vbuf, n, 0);
        if (n > 0 && (got > 0 ? lrc != (long)got : lrc > 0))
            return model_error(c, "pipe read", lrc, (long)got);
        if (lrc > 0)
            lp_read(&o->lp, (size_t)lrc);
        break;
    }
    case DT_SOCK_NEW:
        lrc = dt_lnx(read(o->lfd[op->end], st->lbuf, n));
        vrc = o->k[op->end] ? vepoll_kfd_read(o->k[op->end], st->vbuf, n, 0)
                            : vepoll_socketpair_read(o->v.s, op->end, st->vbuf, n, 0);
        if (lrc > 0)
            dt_sockq_consume(&o->sq[op->end], (size_t)lrc);
        break;
    case DT_EFD_NEW:
        lrc = dt_lnx(read(o->lfd[0], st->lbuf, n));
        vrc = o->k[0] ? vepoll_kfd_read(o->k[0], st->vbuf, n, 0)
                      : vepoll_eventfd_read(o->v.e, st->vbuf, n, 0);
        if (lrc == 8) {
            uint64_t v;
            memcpy(&v, st->lbuf, 8);
            uint64_t want = o->efd_sem ? 1 : o->efd_val;
            if (v != want)
                return model_error(c, "eventfd read value", (long)v, (long)want);
            o->efd_val -= v;
        }
        break;
    case DT_TFD_NEW:
        lrc = dt_lnx(read(o->lfd[0], st->lbuf, n));
        vrc = vepoll_timerfd_read(o->v.t, st->vbuf, n, 0);
        break;
    default:
        return DT_SKIPPED;
    }
    int r = cmp_rc(c, lrc, vrc);
    return r ? r : cmp_data(c, lrc);
}

/* timerfd_settime with the op's setting on both sides (the same absolute
 * times), the old values compared; a setting that fires at once is given
 * time to fire on both. */
static int exec_tfd_set(struct ctx *c)
{
    const struct dt_op *op = &c->ops[c->i];
    struct vepoll_itimerspec nv, vold, lold;
    struct itimerspec lnew, lo;
    char l[160], v[160];
    bool null, past;
    if (!end_open(c->st, op->obj, 0) || c->st->tab[op->obj]->kind != DT_TFD_NEW)
        return DT_SKIPPED;
    struct obj *o = c->st->tab[op->obj];
    dt_tfd_spec(op, o->clock, &nv, &null, &past);
    lnew.it_interval.tv_sec = nv.it_interval.tv_sec;
    lnew.it_interval.tv_nsec = nv.it_interval.tv_nsec;
    lnew.it_value.tv_sec = nv.it_value.tv_sec;
    lnew.it_value.tv_nsec = nv.it_value.tv_nsec;
    long lrc = dt_lnx(timerfd_settime(o->lfd[0], op->b, null ? NULL : &lnew, &lo));
    long vrc = vepoll_timerfd_settime(o->v.t, op->b, null ? NULL : &nv, &vold);
    int r = cmp_rc(c, lrc, vrc);
    if (r || lrc)
        return r;
    lold = (struct vepoll_itimerspec){{lo.it_interval.tv_sec, lo.it_interval.tv_nsec},
                                      {lo.it_value.tv_sec, lo.it_value.tv_nsec}};
    if (dt_tfd_cmp(&lold, &vold, l, v, sizeof l))
        return diverged(c, l, v);
    if (past && (dt_settle_linux(o->lfd[0]) || dt_settle_vepoll(source_of(o, 0))))
        return diverged(c, past ? "fired" : "-", "(a side did not fire within 5 s)");
    return DT_OK;
}

static int exec_tfd_get(struct ctx *c)
{
    const struct dt_op *op = &c->ops[c->i];
    struct vepoll_itimerspec lcur, vcur;
    struct itimerspec lc;
    char l[160], v[160];
    if (!end_open(c->st, op->obj, 0) || c->st->tab[op->obj]->kind != DT_TFD_NEW)
        return DT_SKIPPED;
    struct obj *o = c->st->tab[op->obj];
    long lrc = dt_lnx(timerfd_gettime(o->lfd[0], &lc));
    long vrc = vepoll_timerfd_gettime(o->v.t, &vcur);
    int r = cmp_rc(c, lrc, vrc);
    if (r || lrc)
        return r;
    lcur = (struct vepoll_itimerspec){{lc.it_interval.tv_sec, lc.it_interval.tv_nsec},
                                      {lc.it_value.tv_sec, lc.it_value.tv_nsec}};
    return dt_tfd_cmp(&lcur, &vcur, l, v, sizeof l) ? diverged(c, l, v) : DT_OK;
}

static int exec_write(struct ctx *c)
{
    struct state *st = c->st;
    const struct dt_op *op = &c->ops[c->i];
    if (!end_open(st, op->obj, op->end))
        return DT_SKIPPED;
    struct obj *o = st->tab[op->obj];
    size_t n = (size_t)op->a;
    if (n > IOBUF)
        return DT_SKIPPED;
    long lrc, vrc;
    switch (o->kind) {
    case DT_PIPE_NEW: {
        if (op->end != VEPOLL_PIPE_WRITE)
            return DT_SKIPPED;
        bool reader = o->open[VEPOLL_PIPE_READ];
        struct lpipe m = o->lp;
        long want = 0;
        if (reader)
            want = lp_write(&m, n);
        dt_fill_data(st->wbuf, n, op->value);
        lrc = dt_lnx(write(o->lfd[1], st->wbuf, n));
        vrc = o->k[1] ? vepoll_kfd_write(o->k[1], st->wbuf, n, 0)
                      : vepoll_pipe_write(o->v.p, st->wbuf, n, 0);
        if (reader && lrc != want)
            return model_error(c, "pipe write", lrc, want);
        if (reader && lrc > 0)
            o->lp = m;
        break;
    }
    case DT_SOCK_NEW: {
        struct dt_sockq *q = &o->sq[!op->end];
        int r;
        if (!dt_sockq_fits(q, n))
            return DT_SKIPPED;
        dt_fill_data(st->wbuf, n, op->value);
        lrc = dt_lnx(write(o->lfd[op->end], st->wbuf, n));
        vrc = o->k[op->end] ? vepoll_kfd_write(o->k[op->end], st->wbuf, n, 0)
                            : vepoll_socketpair_write(o->v.s, op->end, st->wbuf, n, 0);
        r = dt_sock_written(c->rep, c->ops, c->i, q, o->lfd[op->end], lrc, n);
        if (r)
            return r;
        break;
    }
    case DT_EFD_NEW: {
        /* --kfd: a write of 0 wakes the eventfd's waiters (key IN) and
         * makes nothing ready; the kernel set reports readiness, not
         * wake-ups, so such a wake-up is not seen (docs/DIFFTEST.md). */
        if (o->k[0] && n == 8 && op->value == 0)
            return DT_SKIPPED;
        memset(st->wbuf, 0, n);
        memcpy(st->wbuf, &op->value, n < 8 ? n : 8);
        lrc = dt_lnx(write(o->lfd[0], st->wbuf, n));
        vrc = o->k[0] ? vepoll_kfd_write(o->k[0], st->wbuf, n, 0)
                      : vepoll_eventfd_write(o->v.e, st->wbuf, n, 0);
        if (lrc == 8)
            o->efd_val += op->value;
        break;
    }
    default:
        return DT_SKIPPED;
    }
    return cmp_rc(c, lrc, vrc);
}

static int exec_shutdown(struct ctx *c)
{
    const struct dt_op *op = &c->ops[c->i];
    if (!end_open(c->st, op->obj, op->end))
        return DT_SKIPPED;
    struct obj *o = c->st->tab[op->obj];
    if (o->kind != DT_SOCK_NEW)
        return DT_SKIPPED;
    /* --kfd: SHUT_RD changes nothing the peer's poll reports, yet Linux
     * wakes the peer (key 0); the kernel set reports readiness, so a kfd
     * peer misses that wake-up (docs/DIFFTEST.md). */
    if (o->k[op->end] && op->a == SHUT_RD)
        return DT_SKIPPED;
    long lrc = dt_lnx(shutdown(o->lfd[op->end], (int)op->a));
    long vrc = o->k[op->end] ? vepoll_kfd_shutdown(o->k[op->end], (int)op->a)
                             : vepoll_socketpair_shutdown(o->v.s, op->end, (int)op->a);
    return cmp_rc(c, lrc, vrc);
}

static int exec_ctl(struct ctx *c)
{
    struct state *st = c->st;
    const struct dt_op *op = &c->ops[c->i];
    int epfd = -1, tfd = -1;
    vepoll_t *ep = NULL;
    vepoll_source_t *src = NULL;
    if (op->b != DT_CTL_BAD_EP) {
        if (!end_open(st, op->obj, 0) || st->tab[op->obj]->kind != DT_EP_NEW)
            return DT_SKIPPED;
        epfd = st->tab[op->obj]->lfd[0];
        ep = st->tab[op->obj]->v.ep;
    }
    if (op->b != DT_CTL_BAD_TARGET) {
        if (!end_open(st, op->tobj, op->tend))
            return DT_SKIPPED;
        struct obj *t = st->tab[op->tobj];
        tfd = t->lfd[op->tend];
        src = source_of(t, op->tend);
    }
    struct epoll_event lev;
    memset(&lev, 0, sizeof lev);
    lev.events = op->mask;
    lev.data.u64 = op->value;
    struct vepoll_event vev;
    memset(&vev, 0, sizeof vev);
    vev.events = op->mask;
    if (st->opt->inject_fault)
        vev.events &= ~VEPOLL_ET;
    vev.data.u64 = op->value;
    bool null = op->b == DT_CTL_NULL_EV;
    long lrc = dt_lnx(epoll_ctl(epfd, (int)op->a, tfd, null ? NULL : &lev));
    long vrc = vepoll_ctl(ep, (int)op->a, tfd, src, null ? NULL : &vev);
    if (lrc == 0 && op->b == DT_CTL_NORMAL) {
        if (op->a == EPOLL_CTL_ADD && st->nregs < 256)
            st->regs[st->nregs++] = (struct reg){op->obj, op->tobj, op->tend};
        else if (op->a == EPOLL_CTL_DEL) {
            int k = reg_find(st, op->obj, op->tobj, op->tend);
            if (k >= 0)
                st->regs[k] = st->regs[--st->nregs];
        }
    }
    return cmp_rc(c, lrc, vrc);
}

static int exec_wait(struct ctx *c)
{
    struct state *st = c->st;
    const struct dt_op *op = &c->ops[c->i];
    int epfd = -1;
    vepoll_t *ep = NULL;
    if (op->obj >= 0) {
        if (!end_open(st, op->obj, 0) || st->tab[op->obj]->kind != DT_EP_NEW)
            return DT_SKIPPED;
        epfd = st->tab[op->obj]->lfd[0];
        ep = st->tab[op->obj]->v.ep;
    }
    int max = (int)op->a;
    if (max > MAX_WAIT && max != INT_MAX)
        return DT_SKIPPED;
    struct epoll_event lev[MAX_WAIT];
    struct vepoll_event vev[MAX_WAIT];
    long lrc = dt_lnx(epoll_wait(epfd, lev, max, 0));
    long vrc = vepoll_wait(ep, vev, max, 0);
    bool same = lrc == vrc;
    st->last_rc = lrc;
    if (same && st->counting && lrc > 0) {
        dt_stats.wait_nonempty++;
        dt_stats.wait_events += lrc;
        for (long k = 0; k < lrc; k++)
            for (int b = 0; b < 32; b++)
                dt_stats.event_bits[b] += (lev[k].events >> b) & 1;
    }
    if (same && lrc > 0 && (st->opt->avoid & DT_AVOID_ORDER)) {
        /* Diagnostic: the same set in any order. */
        for (long k = 0; same && k < lrc; k++) {
            bool found = false;
            for (long j = 0; !found && j < vrc; j++)
                found = lev[k].events == vev[j].events && lev[k].data.u64 == vev[j].data.u64;
            same = found;
        }
        return same ? DT_OK : diverged(c, "(set differs)", "(set differs)");
    }
    for (long k = 0; same && k < lrc; k++)
        same = lev[k].events == vev[k].events && lev[k].data.u64 == vev[k].data.u64;
    if (same)
        return DT_OK;
    uint32_t le[MAX_WAIT], ve[MAX_WAIT];
    uint64_t ld[MAX_WAIT], vd[MAX_WAIT];
    for (long k = 0; k < lrc && k < MAX_WAIT; k++) {
        le[k] = lev[k].events;
        ld[k] = lev[k].data.u64;
    }
    for (long k = 0; k < vrc && k < MAX_WAIT; k++) {
        ve[k] = vev[k].events;
        vd[k] = vev[k].data.u64;
    }
    char l[768], v[768];
    dt_fmt_events(l, sizeof l, lrc, le, ld);
    dt_fmt_events(v, sizeof v, vrc, ve, vd);
    return diverged(c, l, v);
}

/* --kfd: brings the kernel's news in, as every wait on an instance that
 * watches kernel-descriptor sources does first: a wait(0) on an instance
 * that watches an idle eventfd's kfd (created on first use).  A source's
 * bits (vepoll_source_ready) may lag the kernel until then (vepoll_kfd.h),
 * and so may an instance's that watches such sources. */
static int kfd_pump(struct state *st)
{
    struct vepoll_event ev = {.events = VEPOLL_IN};
    int rc, fd;
    if (!st->pump) {
        if ((fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0)
            return -errno;
        if ((rc = vepoll_kfd_create(&st->pump_k, fd, 0)) < 0) {
            close(fd);
            return rc;
        }
        if ((rc = vepoll_create(&st->pump)) < 0)
            return rc;
        if ((rc = vepoll_ctl(st->pump, VEPOLL_CTL_ADD, 0, vepoll_kfd_source(st->pump_k), &ev)) < 0)
            return rc;
    }
    return vepoll_wait(st->pump, &ev, 1, 0);
}

static int exec_poll(struct ctx *c)
{
    const struct dt_op *op = &c->ops[c->i];
    if (!end_open(c->st, op->obj, op->end))
        return DT_SKIPPED;
    struct obj *o = c->st->tab[op->obj];
    short req = POLLIN | POLLPRI | POLLOUT | POLLRDNORM | POLLRDBAND | POLLWRNORM |
                POLLWRBAND | POLLMSG | POLLRDHUP;
    struct pollfd p = {.fd = o->lfd[op->end], .events = req};
    if (poll(&p, 1, 0) < 0)
        return host_error(c, "poll", errno);
    uint32_t l = (uint16_t)p.revents;
    int rc = c->st->opt->kfd ? kfd_pump(c->st) : 0;
    if (rc < 0)
        return host_error(c, "the kernel set's pump", -rc);
    uint32_t v = vepoll_source_ready(source_of(o, op->end)) &
                 ((uint16_t)req | VEPOLL_ERR | VEPOLL_HUP);
    if (l == v)
        return DT_OK;
    char a[160], b[160];
    dt_fmt_mask(a, sizeof a, l);
    dt_fmt_mask(b, sizeof b, v);
    return diverged(c, a, b);
}

static int exec_pending(struct ctx *c)
{
    const struct dt_op *op = &c->ops[c->i];
    if (!end_open(c->st, op->obj, op->end))
        return DT_SKIPPED;
    struct obj *o = c->st->tab[op->obj];
    int n = 0;
    long v;
    if (o->k[op->end] && o->kind != DT_EFD_NEW) {
        int kn = 0;
        v = ioctl(vepoll_kfd_fd(o->k[op->end]), FIONREAD, &kn) < 0 ? -errno : kn;
    } else if (o->kind == DT_PIPE_NEW)
        v = (long)vepoll_pipe_pending(o->v.p);
    else if (o->kind == DT_SOCK_NEW)
        v = (long)vepoll_socketpair_pending(o->v.s, op->end);
    else
        return DT_SKIPPED;
    if (ioctl(o->lfd[op->end], FIONREAD, &n) < 0)
        return host_error(c, "FIONREAD", errno);
    if (o->kind == DT_PIPE_NEW && (size_t)n != lp_bytes(&o->lp))
        return model_error(c, "pipe FIONREAD", n, (long)lp_bytes(&o->lp));
    return cmp_rc(c, n, v);
}

static int exec_op(struct state *st, const struct dt_op *ops, int i, struct dt_report *rep)
{
    struct ctx c = {st, ops, i, rep};
    switch (ops[i].kind) {
    case DT_PIPE_NEW:
    case DT_EFD_NEW:
    case DT_SOCK_NEW:
    case DT_EP_NEW:
    case DT_TFD_NEW: return exec_create(&c);
    case DT_TFD_SET: return exec_tfd_set(&c);
    case DT_TFD_GET: return exec_tfd_get(&c);
    case DT_CLOSE: return exec_close(&c);
    case DT_READ: return exec_read(&c);
    case DT_WRITE: return exec_write(&c);
    case DT_SHUTDOWN: return exec_shutdown(&c);
    case DT_CTL: return exec_ctl(&c);
    case DT_WAIT: return exec_wait(&c);
    case DT_POLL: return exec_poll(&c);
    case DT_PENDING: return exec_pending(&c);
    default: return DT_SKIPPED;
    }
}

static int state_init(struct state *st, int n, const struct dt_options *opt)
{
    memset(st, 0, sizeof *st);
    st->opt = opt;
    st->ntab = n;
    st->tab = calloc((size_t)(n > 0 ? n : 1), sizeof *st->tab);
    st->lbuf = malloc(IOBUF);
    st->vbuf = malloc(IOBUF);
    st->wbuf = malloc(IOBUF);
    if (!st->tab || !st->lbuf || !st->vbuf || !st->wbuf)
        return -ENOMEM;
    return 0;
}

/* Closes everything still open on both sides and frees the state. */
static void state_fini(struct state *st)
{
    for (int id = 0; st->tab && id < st->ntab; id++) {
        struct obj *o = st->tab[id];
        if (!o)
            continue;
        for (int e = 0; e < o->nends; e++)
            if (o->open[e]) {
                close(o->lfd[e]);
                vep_close(o, e);
            }
        free(o);
    }
    if (st->pump)
        vepoll_close(st->pump);
    if (st->pump_k)
        vepoll_kfd_close(st->pump_k);
    free(st->tab);
    free(st->lbuf);
    free(st->vbuf);
    free(st->wbuf);
}

static int exec_any(void *st, const struct dt_op *ops, int i, struct dt_report *rep)
{
    struct state *s = st;
    int r = exec_op(s, ops, i, rep);
    /* --kfd: the kernel's edges are taken in after every op, as a thread
     * sleeping in the kernel set (a blocked waiter, kpark.h) takes each at
     * once; unless --kfd-lazy, which leaves them to the next wait. */
    if (s->opt->kfd == DT_KFD_EACH_OP && r == DT_OK) {
        int rc = kfd_pump(s);
        if (rc < 0)
            return dt_host_error(rep, ops, i, "the kernel set's pump", -rc);
    }
    return r;
}

int dt_replay(const struct dt_op *ops, int n, const unsigned char *keep,
              const struct dt_options *opt, struct dt_report *rep)
{
    struct state st;
    int r = DT_HOST_ERROR;
    if (state_init(&st, n, opt) == 0)
        r = dt_run_list(&st, exec_any, opt, ops, n, keep, rep);
    state_fini(&st);
    return r;
}

/* ---- generator ------------------------------------------------------------- */

struct handle {
    int obj, end;
};

/* Random open end of a live object accepted by `want` (bit per kind). */
static bool pick_handle(struct state *st, struct dt_rng *r, unsigned want, struct handle *h)
{
    struct handle c[128];
    int n = 0;
    for (int i = 0; i < st->nlive; i++) {
        int id = st->live[i];
        struct obj *o = st->tab[id];
        if (!(want & (1u << o->kind)))
            continue;
        for (int e = 0; e < o->nends; e++)
            if (o->open[e])
                c[n++] = (struct handle){id, e};
    }
    if (!n)
        return false;
    *h = c[dt_rng_below(r, (uint64_t)n)];
    return true;
}

#define K(k) (1u << (k))
#define ANY (K(DT_PIPE_NEW) | K(DT_EFD_NEW) | K(DT_SOCK_NEW) | K(DT_EP_NEW) | K(DT_TFD_NEW))
#define IO (K(DT_PIPE_NEW) | K(DT_EFD_NEW) | K(DT_SOCK_NEW) | K(DT_TFD_NEW))
#define WR (K(DT_PIPE_NEW) | K(DT_EFD_NEW) | K(DT_SOCK_NEW))

static const uint32_t unknown_bits[] = {0x00100000u, 0x00800000u, 0x02000000u, 0x0800u};

static uint32_t gen_mask(struct dt_rng *r, bool add)
{
    static const struct {
        uint32_t bit;
        unsigned pct;
    } p[] = {{VEPOLL_IN, 55},     {VEPOLL_OUT, 45},    {VEPOLL_RDHUP, 25},
             {VEPOLL_PRI, 8},     {VEPOLL_ERR, 8},     {VEPOLL_HUP, 8},
             {VEPOLL_RDNORM, 12}, {VEPOLL_RDBAND, 6},  {VEPOLL_WRNORM, 12},
             {VEPOLL_WRBAND, 6},  {VEPOLL_MSG, 4}};
    uint32_t m = 0;
    if (!dt_chance(r, 5))
        for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
            if (dt_chance(r, p[i].pct))
                m |= p[i].bit;
    if (dt_chance(r, 35))
        m |= VEPOLL_ET;
    if (dt_chance(r, 15))
        m |= VEPOLL_ONESHOT;
    if (dt_chance(r, 4))
        m |= VEPOLL_WAKEUP;
    if (dt_chance(r, 5))
        m |= unknown_bits[dt_rng_below(r, 4)];
    if (dt_chance(r, add ? 8 : 2)) {
        m |= VEPOLL_EXCLUSIVE;
        if (dt_chance(r, 75)) /* mostly valid EXCLUSIVE masks, so ADD succeeds */
            m &= VEPOLL_IN | VEPOLL_OUT | VEPOLL_ERR | VEPOLL_HUP | VEPOLL_WAKEUP |
                 VEPOLL_ET | VEPOLL_EXCLUSIVE;
    }
    return m;
}

static size_t gen_len(struct dt_rng *r, bool big)
{
    switch (dt_rng_below(r, big ? 12 : 9)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return dt_range(r, 2, 100);
    case 3: return dt_range(r, 1, 4096);
    case 4: return 4095;
    case 5: return 4096;
    case 6: return 4097;
    case 7: return dt_range(r, 4097, 20000);
    case 8: return dt_range(r, 1, 32768);
    case 9: return 8192;
    case 10: return 65536;
    default: return dt_range(r, 65537, 140000);
    }
}

static uint64_t gen_efd_value(struct dt_rng *r, const struct obj *o)
{
    const uint64_t max = VEPOLL_EFD_MAX;
    switch (dt_rng_below(r, 10)) {
    case 0: return 0;
    case 1:
    case 2: return 1;
    case 3: return dt_range(r, 2, 1000);
    case 4: return max - o->efd_val;                         /* exactly to the ceiling */
    case 5: return max - o->efd_val + 1;                     /* one past it (or all-ones) */
    case 6: return UINT64_MAX;                               /* always -EINVAL */
    case 7: return UINT64_C(1) << 63;
    case 8: return o->efd_val > 0 ? max - o->efd_val - 1 : 5; /* just below */
    default: return dt_rng_next(r);
    }
}

/* Proposes one op into *op (index i = its creation index).  false: nothing
 * sensible in this state, propose again. */
static bool gen_op(struct state *st, struct dt_rng *r, int i, struct dt_op *op)
{
    memset(op, 0, sizeof *op);
    op->obj = op->tobj = -1;
    struct handle h, t;
    (void)i;
    unsigned w = (unsigned)dt_rng_below(r, 118);
    if (st->nlive < 2 || w < 9) {
        static const int kinds[] = {DT_PIPE_NEW, DT_PIPE_NEW, DT_EFD_NEW, DT_SOCK_NEW,
                                    DT_SOCK_NEW, DT_EP_NEW,   DT_EP_NEW,  DT_TFD_NEW};
        op->kind = (uint8_t)kinds[dt_rng_below(r, 8)];
        if (st->nlive < 2 && live_count(st, DT_EP_NEW) == 0)
            op->kind = DT_EP_NEW;
        op->b = dt_chance(r, 60) ? VEPOLL_NONBLOCK : 0;
        if (op->kind == DT_PIPE_NEW) {
            static const int64_t caps[] = {0, 0, 0, 65536, 65536, 16384, 8192, 4096, 4096};
            op->a = caps[dt_rng_below(r, 9)];
        } else if (op->kind == DT_EFD_NEW) {
            if (dt_chance(r, 30))
                op->b |= VEPOLL_EFD_SEMAPHORE;
            static const uint64_t init[] = {0, 0, 0, 1, 2, 7, 0xffffffffu};
            op->value = init[dt_rng_below(r, 7)];
        } else if (op->kind == DT_TFD_NEW) {
            /* Mostly valid; BOOTTIME and the ALARM clocks (7-9) are left
             * out: Linux has them, the timerfd object does not. */
            static const int64_t clocks[] = {VEPOLL_CLOCK_MONOTONIC, VEPOLL_CLOCK_MONOTONIC,
                                             VEPOLL_CLOCK_REALTIME,  VEPOLL_CLOCK_REALTIME,
                                             VEPOLL_CLOCK_MONOTONIC, 2, 3, 4, 5, 6, 10, -1};
            op->a = clocks[dt_rng_below(r, dt_chance(r, 80) ? 5 : 12)];
            if (dt_chance(r, 20))
                op->b |= VEPOLL_CLOEXEC;
            if (dt_chance(r, 5))
                op->b |= 1;
        }
        return true;
    }
    if (w < 14) { /* close */
        if (!pick_handle(st, r, ANY, &h))
            return false;
        op->kind = DT_CLOSE;
        op->obj = h.obj;
        op->end = (uint8_t)h.end;
        return true;
    }
    if (w < 28) { /* read */
        if (!pick_handle(st, r, IO, &h))
            return false;
        struct obj *o = st->tab[h.obj];
        op->kind = DT_READ;
        op->obj = h.obj;
        op->end = (uint8_t)h.end;
        if (o->kind == DT_PIPE_NEW) {
            op->end = VEPOLL_PIPE_READ;
            op->a = (int64_t)(dt_chance(r, 10) ? 200000 : gen_len(r, true));
        } else if (o->kind == DT_SOCK_NEW) {
            op->a = (int64_t)(dt_chance(r, 10) ? 200000 : gen_len(r, false));
        } else {
            static const int64_t lens[] = {8, 8, 8, 8, 8, 8, 16, 4, 0, 7};
            op->a = lens[dt_rng_below(r, 10)];
        }
        return true;
    }
    if (w < 46) { /* write */
        if (!pick_handle(st, r, WR, &h))
            return false;
        struct obj *o = st->tab[h.obj];
        op->kind = DT_WRITE;
        op->obj = h.obj;
        op->end = (uint8_t)h.end;
        if (o->kind == DT_PIPE_NEW) {
            op->end = VEPOLL_PIPE_WRITE;
            op->a = (int64_t)gen_len(r, true);
            op->value = dt_rng_next(r);
        } else if (o->kind == DT_SOCK_NEW) {
            op->a = (int64_t)gen_len(r, false);
            op->value = dt_rng_next(r);
        } else {
            static const int64_t lens[] = {8, 8, 8, 8, 8, 8, 8, 16, 7, 0};
            op->a = lens[dt_rng_below(r, 10)];
            if (st->opt->avoid & DT_AVOID_EFD_LEN)
                op->a = 8;
            op->value = gen_efd_value(r, o);
        }
        return true;
    }
    if (w < 49) { /* shutdown */
        if (!pick_handle(st, r, K(DT_SOCK_NEW), &h))
            return false;
        op->kind = DT_SHUTDOWN;
        op->obj = h.obj;
        op->end = (uint8_t)h.end;
        op->a = dt_chance(r, 4) ? (dt_chance(r, 50) ? 3 : -1) : (int64_t)dt_rng_below(r, 3);
        return true;
    }
    if (w < 78) { /* ctl */
        op->kind = DT_CTL;
        unsigned v = (unsigned)dt_rng_below(r, 100);
        op->b = v < 3 ? DT_CTL_NULL_EV : v < 6 ? DT_CTL_BAD_TARGET : v < 8 ? DT_CTL_BAD_EP : DT_CTL_NORMAL;
        if (op->b != DT_CTL_BAD_EP) {
            if (!pick_handle(st, r, K(DT_EP_NEW), &h))
                return false;
            op->obj = h.obj;
        }
        if (op->b != DT_CTL_BAD_TARGET) {
            /* Prefer a registered target of this instance (MOD/DEL/EEXIST). */
            int regs[256], nr = 0;
            for (int k = 0; k < st->nregs; k++)
                if (st->regs[k].ep == op->obj)
                    regs[nr++] = k;
            if (nr && dt_chance(r, 55)) {
                struct reg *g = &st->regs[regs[dt_rng_below(r, (uint64_t)nr)]];
                t = (struct handle){g->tobj, g->tend};
            } else if (!pick_handle(st, r,
                                    (st->opt->avoid & DT_AVOID_NEST) ? IO
                                    : dt_chance(r, 25)                  ? K(DT_EP_NEW)
                                                                     : ANY,
                                    &t)) {
                return false;
            }
            op->tobj = t.obj;
            op->tend = (uint8_t)t.end;
        }
        unsigned o = (unsigned)dt_rng_below(r, 100);
        static const int64_t bad_ops[] = {0, 4, -1, 42};
        op->a = o < 42 ? EPOLL_CTL_ADD : o < 72 ? EPOLL_CTL_MOD : o < 96 ? EPOLL_CTL_DEL
                                                                        : bad_ops[dt_rng_below(r, 4)];
        op->mask = gen_mask(r, op->a == EPOLL_CTL_ADD);
        if ((st->opt->avoid & DT_AVOID_NEST_RDNORM) && op->tobj >= 0 &&
            st->tab[op->tobj]->kind == DT_EP_NEW && (op->mask & VEPOLL_RDNORM))
            op->mask |= VEPOLL_IN;
        op->value = dt_chance(r, 50) ? dt_rng_below(r, 16) : dt_rng_next(r);
        return true;
    }
    if (w < 100) { /* wait */
        op->kind = DT_WAIT;
        if (!dt_chance(r, 2)) {
            if (!pick_handle(st, r, K(DT_EP_NEW), &h))
                return false;
            op->obj = h.obj;
        }
        static const int64_t maxev[] = {1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 8, 8, 8, 8, 8,
                                        64, 64, 64, 64, 0, -1, INT_MAX};
        /* A closed instance only with a valid maxevents: docs/API.md fixes
         * the pre-6.x order (EINVAL before EBADF), Linux 6.18 checks EBADF
         * first (docs/SEMANTICS.md, "Linux facts outside the numbered
         * scenarios"). */
        op->a = maxev[dt_rng_below(r, op->obj < 0 ? 19 : sizeof maxev / sizeof maxev[0])];
        if (st->opt->avoid & DT_AVOID_ORDER)
            op->a = 64;
        return true;
    }
    if (w < 107) { /* poll */
        if (!pick_handle(st, r, (st->opt->avoid & DT_AVOID_NEST) ? IO : ANY, &h))
            return false;
        op->kind = DT_POLL;
        op->obj = h.obj;
        op->end = (uint8_t)h.end;
        return true;
    }
    if (w < 110) { /* pending */
        if (!pick_handle(st, r, K(DT_PIPE_NEW) | K(DT_SOCK_NEW), &h))
            return false;
        op->kind = DT_PENDING;
        op->obj = h.obj;
        op->end = (uint8_t)h.end;
        return true;
    }
    if (!pick_handle(st, r, K(DT_TFD_NEW), &h))
        return false;
    op->obj = h.obj;
    if (w < 115) {
        op->kind = DT_TFD_SET;
        dt_tfd_gen(r, op);
    } else {
        op->kind = DT_TFD_GET;
    }
    return true;
}

static bool gen_any(void *st, struct dt_rng *r, int i, struct dt_op *op)
{
    return gen_op(st, r, i, op);
}

int dt_generate(uint64_t seed, int steps, const struct dt_options *opt,
                struct dt_op **ops_out, int *nops, struct dt_report *rep)
{
    struct state st;
    int r = DT_HOST_ERROR;
    struct dt_op *ops = malloc((size_t)(steps + 1) * sizeof *ops);
    *ops_out = NULL;
    *nops = 0;
    if (!ops)
        return DT_HOST_ERROR;
    if (state_init(&st, steps + 1, opt) == 0) {
        st.counting = true;
        r = dt_run_generated(&st, gen_any, exec_any, &st.last_rc, opt, seed, steps, ops, nops,
                             rep);
    }
    state_fini(&st);
    *ops_out = ops;
    return r;
}
