/*
 * The descriptor engine: the WASIX adapter's built-in descriptor table
 * (vepoll_wasix.h) in lockstep with this process's own descriptor table.
 *
 * One number space.  Every run starts with descriptors 0-2 open and every
 * other number free on both sides (fd_setup makes the process so; the
 * adapter's stdio entries are 0-2), and both allocate the lowest free number,
 * so every descriptor a call creates must get the same number on both sides
 * -- which is compared -- and every later op names descriptors by number,
 * meaning the same thing on both sides.  0-2 are the test's real stdio: they
 * are dup'ed (into numbers >= 3) but never closed, replaced or used for I/O,
 * ctl or flags.
 *
 * What is compared: every result (Linux's -errno against the adapter's
 * negative errno; for the epoll imports Linux's errno through
 * vepoll_wasix_errno against the WASI errno), every number a call creates,
 * every byte read, every timerfd setting (dt_tfd_cmp), O_NONBLOCK (F_GETFL)
 * and FD_CLOEXEC (F_GETFD), poll(2) readiness against fd_info's, FIONREAD
 * against fd_info's nbytes, and every wait's entries in order: events
 * (Linux's bits in WASIX numbering), the 64-bit data (data2) and data.fd,
 * which must be the number the entry was added or modified through.
 *
 * Linux has no fd_renumber: it is dup2(from, to) with from's FD_CLOEXEC,
 * then close(from), which is how WASI defines it.  Nothing here blocks:
 * I/O is issued only on non-blocking descriptions (recv and send on a
 * blocking one get MSG_DONTWAIT), waits have timeout 0, and a timerfd
 * setting that fires at once is given time to fire on both sides.
 *
 * Single-threaded (see difftest.h).
 */
#include "difftest.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "vepoll_objects.h"
#include "vepoll_wasix.h"

#define NUMS 64       /* numbers the generator names (all open ones are below) */
#define MAX_OPEN 40   /* open descriptors at most */
#define MAX_DESC 4096 /* descriptions per run */
#define MAX_WAIT 64
#define NESTED_ADDS 3
#define IOBUF (256u * 1024u)

enum { K_STDIO = 1, K_PIPE_R, K_PIPE_W, K_EFD, K_SOCK, K_EP, K_TFD };
enum { W_PIPE, W_EFD, W_SOCK, W_EP, W_TFD, W_N };           /* DT_FD_NEW: what */
enum { DT_DUP2, DT_DUP3, DT_DUP3_CLOEXEC };                  /* DT_FD_DUP3 */
enum { FL_GETFL, FL_SETFL, FL_GETFD, FL_SETFD, FL_SHUTDOWN }; /* DT_FD_FLAGS */

/* An open file description, as the engine tracks it. */
struct desc {
    int kind, refs, peer, clock;
    bool nonblock;
    struct dt_sockq sq; /* socket: bytes queued for this end */
};

struct fdstate {
    vepoll_wasix_t *wx;
    int num[NUMS]; /* description index per number, -1: free */
    struct desc d[MAX_DESC];
    int nd;
    uint32_t cookie_fd[1 << 16]; /* data.fd each cookie (op index + 1) was set with */
    const struct dt_options *opt;
    unsigned char *lbuf, *vbuf, *wbuf;
    uint8_t guest[64 + MAX_WAIT * VEPOLL_WASIX_EVENT_SIZE];
    int nested_adds; /* instances added to instances (exec_ctl) */
    struct { int ep, fd; } added[64]; /* recent successful ADDs (the generator's bias) */
    unsigned nadded;
    bool counting;
    long last_rc;
};

struct fctx {
    struct fdstate *st;
    const struct dt_op *ops;
    int i;
    struct dt_report *rep;
};

static int cmp_rc(struct fctx *c, long l, long v)
{
    c->st->last_rc = l;
    return dt_cmp_rc(c->rep, c->ops, c->i, l, v);
}

/* The epoll imports answer WASI errnos: Linux's result through the map. */
static int cmp_wasi(struct fctx *c, long l, uint32_t v)
{
    char a[64], b[64];
    c->st->last_rc = l;
    if (vepoll_wasix_errno(l < 0 ? (int)l : 0) == v)
        return DT_OK;
    dt_fmt_rc(a, sizeof a, l);
    snprintf(b, sizeof b, "WASI errno %u", v);
    return dt_diverged(c->rep, c->ops, c->i, a, b);
}

static int diverged(struct fctx *c, const char *l, const char *v)
{
    return dt_diverged(c->rep, c->ops, c->i, l, v);
}

static struct desc *desc_at(struct fdstate *st, int fd)
{
    return fd >= 0 && fd < NUMS && st->num[fd] >= 0 ? &st->d[st->num[fd]] : NULL;
}

static int kind_at(struct fdstate *st, int fd)
{
    struct desc *d = desc_at(st, fd);
    return d ? d->kind : 0;
}

/* Live descriptions of a kind (6 epoll instances at most: Linux's
 * reverse_path_check limits, which vepoll does not have, stay out of
 * reach; docs/DIFFTEST.md). */
static int live_of_kind(const struct fdstate *st, int kind)
{
    int n = 0;
    for (int i = 0; i < st->nd; i++)
        n += st->d[i].kind == kind && st->d[i].refs > 0;
    return n;
}

static int open_count(const struct fdstate *st)
{
    int n = 0;
    for (int fd = 0; fd < NUMS; fd++)
        n += st->num[fd] >= 0;
    return n;
}

/* The number fd is gone on both sides (closed or replaced). */
static void drop_number(struct fdstate *st, int fd)
{
    if (fd >= 0 && fd < NUMS && st->num[fd] >= 0) {
        st->d[st->num[fd]].refs--;
        st->num[fd] = -1;
    }
}

static void set_number(struct fdstate *st, int fd, int di)
{
    if (fd >= 0 && fd < NUMS) {
        drop_number(st, fd);
        st->num[fd] = di;
        st->d[di].refs++;
    }
}

static int new_desc(struct fdstate *st, int kind, bool nonblock)
{
    struct desc *d = &st->d[st->nd];
    memset(d, 0, sizeof *d);
    d->kind = kind;
    d->nonblock = nonblock;
    d->peer = -1;
    return st->nd++;
}

/* ---- setup and formatting ---------------------------------------------------------- */

/* The process's table as a run needs it: 0-2 open, every other number free
 * (0 or a host errno). */
static int fd_setup(void)
{
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
            return EBADF;
    for (int fd = 3; fd < 1024; fd++)
        if (fcntl(fd, F_GETFD) >= 0)
            close(fd); /* inherited: not ours */
    return 0;
}

static const char *const what_name[W_N] = {"pipe", "eventfd", "socketpair", "epoll_create",
                                           "timerfd"};

void dt_fd_format_op(const struct dt_op *op, char *b, size_t n)
{
    char m[160];
    static const char *const dup3_name[] = {"dup2", "dup3", "dup3(O_CLOEXEC)"};
    static const char *const fl_name[] = {"F_GETFL", "F_SETFL O_NONBLOCK=", "F_GETFD",
                                          "F_SETFD FD_CLOEXEC=", "shutdown how="};
    switch (op->kind) {
    case DT_FD_NEW:
        snprintf(b, n, "%s(flags 0x%x%s)", what_name[op->a % W_N], op->b,
                 op->a == W_TFD ? (op->x == VEPOLL_CLOCK_REALTIME ? ", REALTIME" : ", MONOTONIC")
                                : "");
        break;
    case DT_FD_DUP:
        snprintf(b, n, "fcntl(%d, %s, %d)", op->fa, op->b ? "F_DUPFD_CLOEXEC" : "F_DUPFD", op->fb);
        break;
    case DT_FD_DUP3:
        snprintf(b, n, "%s(%d, %d)", dup3_name[op->b % 3], op->fa, op->fb);
        break;
    case DT_FD_RENUMBER:
        snprintf(b, n, "renumber(%d, %d)", op->fa, op->fb);
        break;
    case DT_FD_CLOSE:
        snprintf(b, n, "close(%d)", op->fa);
        break;
    case DT_FD_FLAGS:
        if (op->b == FL_GETFL || op->b == FL_GETFD)
            snprintf(b, n, "%s(%d)", fl_name[op->b], op->fa);
        else
            snprintf(b, n, "%s(%d)%lld", fl_name[op->b % 5], op->fa, (long long)op->a);
        break;
    case DT_FD_CTL:
        dt_fmt_mask(m, sizeof m, op->mask);
        snprintf(b, n, "epoll_ctl(%d, %s, %d, %s, 0x%llx)", op->fa,
                 op->a == EPOLL_CTL_ADD ? "ADD" : op->a == EPOLL_CTL_MOD ? "MOD" : "DEL", op->fb, m,
                 (unsigned long long)op->value);
        break;
    case DT_FD_WAIT:
        snprintf(b, n, "epoll_wait(%d, %lld)", op->fa, (long long)op->a);
        break;
    case DT_FD_READ:
        snprintf(b, n, "read(%d, %lld)", op->fa, (long long)op->a);
        break;
    case DT_FD_WRITE:
        snprintf(b, n, "write(%d, %lld, value 0x%llx)", op->fa, (long long)op->a,
                 (unsigned long long)op->value);
        break;
    case DT_FD_RECV:
        snprintf(b, n, "recv(%d, %lld, flags 0x%x)", op->fa, (long long)op->a, op->b);
        break;
    case DT_FD_SEND:
        snprintf(b, n, "send(%d, %lld, flags 0x%x)", op->fa, (long long)op->a, op->b);
        break;
    case DT_FD_POLL:
        snprintf(b, n, "poll+FIONREAD(%d)", op->fa);
        break;
    case DT_FD_TFD_SET:
        dt_tfd_format(op, m, sizeof m);
        snprintf(b, n, "timerfd_settime(%d, %s)", op->fa, m);
        break;
    case DT_FD_TFD_GET:
        snprintf(b, n, "timerfd_gettime(%d)", op->fa);
        break;
    default:
        snprintf(b, n, "?");
    }
}

/* ---- creating ---------------------------------------------------------------------- */

static uint64_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static struct vepoll_wasix_mem gmem(struct fdstate *st)
{
    struct vepoll_wasix_mem m = {st->guest, sizeof st->guest};
    return m;
}

static int exec_new(struct fctx *c)
{
    struct fdstate *st = c->st;
    const struct dt_op *op = &c->ops[c->i];
    int lf[2] = {-1, -1}, n = 1, kinds[2], rc;
    uint32_t vf[2] = {UINT32_MAX, UINT32_MAX};
    long lrc, vrc;
    bool nb = (op->b & VEPOLL_NONBLOCK) != 0;
    static const int kind_of_what[W_N] = {K_PIPE_R, K_EFD, K_SOCK, K_EP, K_TFD};
    if (open_count(st) + 2 > MAX_OPEN || st->nd + 2 > MAX_DESC ||
        live_of_kind(st, kind_of_what[op->a % W_N]) >= 6)
        return DT_SKIPPED;
    switch (op->a) {
    case W_PIPE:
        n = 2;
        lrc = dt_lnx(pipe2(lf, (int)op->b));
        vrc = vepoll_wasix_pipe(st->wx, (int)op->b, vf);
        kinds[0] = K_PIPE_R;
        kinds[1] = K_PIPE_W;
        break;
    case W_EFD:
        lrc = dt_lnx(lf[0] = eventfd((unsigned)op->x, (int)op->b));
        vrc = vepoll_wasix_eventfd(st->wx, (uint64_t)op->x, (int)op->b, vf);
        kinds[0] = K_EFD;
        break;
    case W_SOCK:
        n = 2;
        lrc = dt_lnx(socketpair(AF_UNIX, SOCK_STREAM | (int)op->b, 0, lf));
        vrc = vepoll_wasix_socketpair(st->wx, (int)op->b, vf);
        kinds[0] = kinds[1] = K_SOCK;
        break;
    case W_EP:
        lrc = dt_lnx(lf[0] = epoll_create1(0));
        vrc = vepoll_wasix_epoll_create(st->wx, gmem(st), 0);
        vf[0] = (uint32_t)rd32(st->guest);
        kinds[0] = K_EP;
        if (lrc >= 0)
            lrc = 0;
        rc = cmp_wasi(c, lrc, (uint32_t)vrc);
        if (rc)
            goto fail;
        goto made;
    default:
        lrc = dt_lnx(lf[0] = timerfd_create((int)op->x, (int)op->b));
        vrc = vepoll_wasix_timerfd_create(st->wx, (int)op->x, (int)op->b, vf);
        kinds[0] = K_TFD;
        break;
    }
    if (lrc >= 0)
        lrc = 0;
    rc = cmp_rc(c, lrc, vrc);
    if (rc || lrc)
        goto fail;
made:
    for (int k = 0; k < n; k++)
        if ((uint32_t)lf[k] != vf[k]) {
            char a[64], b[64];
            snprintf(a, sizeof a, "descriptors %d %d", lf[0], lf[1]);
            snprintf(b, sizeof b, "descriptors %d %d", (int)vf[0], (int)vf[1]);
            rc = diverged(c, a, b);
            goto fail;
        }
    for (int k = 0; k < n; k++) {
        int di = new_desc(st, kinds[k], op->a == W_EP ? false : nb);
        st->d[di].clock = (int)op->x;
        set_number(st, lf[k], di);
    }
    if (op->a == W_SOCK) {
        int v = DT_SOCK_SNDBUF_SET;
        st->d[st->num[lf[0]]].peer = st->num[lf[1]];
        st->d[st->num[lf[1]]].peer = st->num[lf[0]];
        for (int k = 0; k < 2; k++)
            if (setsockopt(lf[k], SOL_SOCKET, SO_SNDBUF, &v, sizeof v) < 0)
                return dt_host_error(c->rep, c->ops, c->i, "SO_SNDBUF", errno);
    }
    return DT_OK;
fail:
    for (int k = 0; k < 2; k++)
        if (lf[k] >= 0 && lrc == 0)
            close(lf[k]);
    return rc;
}

/* ---- descriptors -------------------------------------------------------------------- */

static int exec_dup(struct fctx *c)
{
    struct fdstate *st = c->st;
    const struct dt_op *op = &c->ops[c->i];
    uint32_t nfd = UINT32_MAX;
    long lrc, vrc;
    int rc;
    if (open_count(st) >= MAX_OPEN)
        return DT_SKIPPED;
    lrc = dt_lnx(fcntl(op->fa, op->b ? F_DUPFD_CLOEXEC : F_DUPFD, op->fb));
    vrc = vepoll_wasix_dup(st->wx, (uint32_t)op->fa, (uint32_t)op->fb, (int)op->b, &nfd);
    if (!vrc)
        vrc = nfd;
    rc = cmp_rc(c, lrc, vrc);
    if (!rc && lrc >= 0)
        set_number(st, (int)lrc, st->num[op->fa]);
    return rc;
}

static int exec_dup3(struct fctx *c)
{
    struct fdstate *st = c->st;
    const struct dt_op *op = &c->ops[c->i];
    long lrc, vrc;
    int rc, on;
    if (op->b == DT_DUP2) {
        lrc = dt_lnx(dup2(op->fa, op->fb));
        if (op->fa == op->fb) /* the guest SDK's part of dup2 */
            vrc = vepoll_wasix_get_cloexec(st->wx, (uint32_t)op->fa, &on) ? -EBADF : op->fa;
        else
            vrc = vepoll_wasix_dup3(st->wx, (uint32_t)op->fa, (uint32_t)op->fb, 0);
    } else {
        lrc = dt_lnx(dup3(op->fa, op->fb, op->b == DT_DUP3_CLOEXEC ? O_CLOEXEC : 0));
        vrc = vepoll_wasix_dup3(st->wx, (uint32_t)op->fa, (uint32_t)op->fb,
                                op->b == DT_DUP3_CLOEXEC);
    }
    if (!vrc)
        vrc = op->fb;
    rc = cmp_rc(c, lrc, vrc);
    if (!rc && lrc >= 0 && op->fa != op->fb)
        set_number(st, op->fb, st->num[op->fa]);
    return rc;
}

static int exec_renumber(struct fctx *c)
{
    struct fdstate *st = c->st;
    const struct dt_op *op = &c->ops[c->i];
    long lrc, vrc;
    int rc, fl = fcntl(op->fa, F_GETFD);
    /* WASI fd_renumber on Linux: dup2 keeping from's FD_CLOEXEC, close. */
    if (fl < 0)
        lrc = -errno;
    else if (op->fa == op->fb)
        lrc = 0;
    else if ((lrc = dt_lnx(dup2(op->fa, op->fb))) >= 0) {
        if (fl & FD_CLOEXEC)
            fcntl(op->fb, F_SETFD, FD_CLOEXEC);
        close(op->fa);
        lrc = 0;
    }
    vrc = vepoll_wasix_renumber(st->wx, (uint32_t)op->fa, (uint32_t)op->fb);
    rc = cmp_rc(c, lrc, vrc);
    if (!rc && !lrc && op->fa != op->fb) {
        set_number(st, op->fb, st->num[op->fa]);
        drop_number(st, op->fa);
    }
    return rc;
}

static int exec_close(struct fctx *c)
{
    struct fdstate *st = c->st;
    const struct dt_op *op = &c->ops[c->i];
    long lrc = dt_lnx(close(op->fa));
    long vrc = vepoll_wasix_close(st->wx, (uint32_t)op->fa);
    int rc = cmp_rc(c, lrc, vrc);
    if (!rc && !lrc)
        drop_number(st, op->fa);
    return rc;
}

static int exec_flags(struct fctx *c)
{
    struct fdstate *st = c->st;
    const struct dt_op *op = &c->ops[c->i];
    struct vepoll_wasix_fdinfo info;
    long lrc, vrc;
    int rc, on = 0;
    /* The test's own stdio: its status flags are not ours to change (or to
     * compare), and it is no socket of ours. */
    if (kind_at(st, op->fa) == K_STDIO && op->b != FL_GETFD && op->b != FL_SETFD)
        return DT_SKIPPED;
    switch (op->b) {
    case FL_GETFL:
        lrc = dt_lnx(fcntl(op->fa, F_GETFL));
        if (lrc >= 0)
            lrc = (lrc & O_NONBLOCK) != 0;
        vrc = vepoll_wasix_fd_info(st->wx, (uint32_t)op->fa, &info);
        if (!vrc)
            vrc = info.nonblock;
        return cmp_rc(c, lrc, vrc);
    case FL_SETFL:
        lrc = dt_lnx(fcntl(op->fa, F_GETFL));
        if (lrc >= 0)
            lrc = dt_lnx(fcntl(op->fa, F_SETFL,
                               op->a ? (lrc | O_NONBLOCK) : (lrc & ~(long)O_NONBLOCK)));
        vrc = vepoll_wasix_set_nonblock(st->wx, (uint32_t)op->fa, (int)op->a);
        rc = cmp_rc(c, lrc, vrc);
        if (!rc && !lrc && desc_at(st, op->fa))
            desc_at(st, op->fa)->nonblock = op->a != 0;
        return rc;
    case FL_GETFD:
        lrc = dt_lnx(fcntl(op->fa, F_GETFD));
        vrc = vepoll_wasix_get_cloexec(st->wx, (uint32_t)op->fa, &on);
        if (!vrc)
            vrc = on ? FD_CLOEXEC : 0;
        return cmp_rc(c, lrc, vrc);
    case FL_SETFD:
        lrc = dt_lnx(fcntl(op->fa, F_SETFD, op->a ? FD_CLOEXEC : 0));
        vrc = vepoll_wasix_set_cloexec(st->wx, (uint32_t)op->fa, (int)op->a);
        return cmp_rc(c, lrc, vrc);
    default:
        lrc = dt_lnx(shutdown(op->fa, (int)op->a));
        vrc = vepoll_wasix_shutdown(st->wx, (uint32_t)op->fa, (int)op->a);
        return cmp_rc(c, lrc, vrc);
    }
}

/* ---- epoll through the imports ------------------------------------------------------ */

static int exec_ctl(struct fctx *c)
{
    struct fdstate *st = c->st;
    const struct dt_op *op = &c->ops[c->i];
    struct epoll_event ev = {.events = op->mask, .data.u64 = op->value};
    uint8_t *e = st->guest + 64;
    uint32_t wev = vepoll_wasix_events_from_vepoll(op->mask), vrc;
    int wop = vepoll_wasix_op_from_vepoll((int)op->a);
    long lrc;
    /* The adapter checks fd == epfd before the descriptors (Wasmer's
     * order, vepoll_wasix.h), Linux after: only an open instance may name
     * itself here (also in a shrunk replay). */
    if (op->fa == op->fb && kind_at(st, op->fa) != K_EP)
        return DT_SKIPPED;
    /* The test's stdio may be pollable (a tty, a pipe); the adapter's is
     * not. */
    if (kind_at(st, op->fa) == K_STDIO || kind_at(st, op->fb) == K_STDIO)
        return DT_SKIPPED;
    /* Dups put one instance under several numbers, so nested registrations
     * multiply the wake-up paths Linux counts (reverse_path_check: EINVAL
     * past 10 paths of depth 5, 50 of depth 4...), a limit vepoll does not
     * have: at most NESTED_ADDS instances are added to instances per run. */
    if (op->a == EPOLL_CTL_ADD && kind_at(st, op->fb) == K_EP && st->nested_adds >= NESTED_ADDS)
        return DT_SKIPPED;
    lrc = dt_lnx(epoll_ctl(op->fa, (int)op->a, op->fb, &ev));
    if (st->opt->inject_fault) /* self-check: vepoll never gets ET */
        wev &= ~VEPOLL_WASIX_EPOLLET;
    memset(e, 0, VEPOLL_WASIX_EVENT_SIZE);
    memcpy(e + VEPOLL_WASIX_EVENT_EVENTS, &wev, 4);
    memcpy(e + VEPOLL_WASIX_EVENT_DATA2, &op->value, 8);
    vrc = vepoll_wasix_epoll_ctl(st->wx, gmem(st), VEPOLL_WASIX_32, (uint32_t)op->fa,
                                 (uint32_t)wop, (uint32_t)op->fb, 64);
    if (!lrc && op->a == EPOLL_CTL_ADD && kind_at(st, op->fb) == K_EP)
        st->nested_adds++;
    if (!lrc && op->a == EPOLL_CTL_ADD) {
        st->added[st->nadded % 64].ep = op->fa;
        st->added[st->nadded % 64].fd = op->fb;
        st->nadded++;
    }
    if (!lrc && op->a != EPOLL_CTL_DEL)
        st->cookie_fd[op->value % (sizeof st->cookie_fd / sizeof st->cookie_fd[0])] =
            (uint32_t)op->fb;
    return cmp_wasi(c, lrc, vrc);
}

static int exec_wait(struct fctx *c)
{
    struct fdstate *st = c->st;
    const struct dt_op *op = &c->ops[c->i];
    struct epoll_event lev[MAX_WAIT];
    uint32_t le[MAX_WAIT], ve[MAX_WAIT], vn = 0, vrc;
    uint64_t ld[MAX_WAIT], vd[MAX_WAIT];
    int max = (int)op->a;
    long lrc = dt_lnx(epoll_wait(op->fa, lev, max, 0));
    bool same;
    vrc = vepoll_wasix_epoll_wait(st->wx, gmem(st), VEPOLL_WASIX_32, (uint32_t)op->fa, 64, max,
                                  0, 0);
    if (vrc || lrc < 0)
        return cmp_wasi(c, lrc, vrc);
    st->last_rc = lrc;
    vn = (uint32_t)rd32(st->guest);
    same = (long)vn == lrc;
    for (long k = 0; k < lrc; k++) {
        le[k] = vepoll_wasix_events_from_vepoll(lev[k].events);
        ld[k] = lev[k].data.u64;
    }
    for (uint32_t k = 0; k < vn && k < MAX_WAIT; k++) {
        const uint8_t *e = st->guest + 64 + (size_t)k * VEPOLL_WASIX_EVENT_SIZE;
        uint32_t fd;
        memcpy(&ve[k], e + VEPOLL_WASIX_EVENT_EVENTS, 4);
        memcpy(&vd[k], e + VEPOLL_WASIX_EVENT_DATA2, 8);
        memcpy(&fd, e + VEPOLL_WASIX_EVENT32_FD, 4);
        /* data.fd: the number the entry was added (or modified) through. */
        if (fd != st->cookie_fd[vd[k] % (sizeof st->cookie_fd / sizeof st->cookie_fd[0])])
            same = false;
    }
    if (st->counting && lrc > 0) {
        dt_stats.wait_nonempty++;
        dt_stats.wait_events += lrc;
        for (long k = 0; k < lrc; k++)
            for (int b = 0; b < 32; b++)
                dt_stats.event_bits[b] += (lev[k].events >> b) & 1;
    }
    for (long k = 0; same && k < lrc; k++)
        same = le[k] == ve[k] && ld[k] == vd[k];
    if (same)
        return DT_OK;
    {
        char l[768], v[768];
        dt_fmt_events(l, sizeof l, lrc, le, ld);
        dt_fmt_events(v, sizeof v, vn, ve, vd);
        strncat(v, " (WASIX bits; or a data.fd that is not the registered number)",
                sizeof v - strlen(v) - 1);
        return diverged(c, l, v);
    }
}

/* ---- I/O ------------------------------------------------------------------------------- */

static int cmp_data(struct fctx *c, long rc)
{
    size_t at = 0;
    char l[96], v[96];
    if (rc <= 0 || memcmp(c->st->lbuf, c->st->vbuf, (size_t)rc) == 0)
        return DT_OK;
    while (c->st->lbuf[at] == c->st->vbuf[at])
        at++;
    snprintf(l, sizeof l, "%ld bytes, byte %zu = 0x%02x", rc, at, c->st->lbuf[at]);
    snprintf(v, sizeof v, "%ld bytes, byte %zu = 0x%02x", rc, at, c->st->vbuf[at]);
    return diverged(c, l, v);
}

/* Bytes a socket write of n may queue for the peer of fd's description:
 * the budget's queue, or NULL when the write would not fit it. */
static struct dt_sockq *sock_room(struct fdstate *st, int fd, size_t n)
{
    struct desc *d = desc_at(st, fd);
    struct dt_sockq *q;
    if (!d || d->kind != K_SOCK || d->peer < 0)
        return &st->d[0].sq; /* not a socket: nothing is queued anywhere */
    q = &st->d[d->peer].sq;
    return dt_sockq_fits(q, n) ? q : NULL;
}

static int exec_read(struct fctx *c)
{
    struct fdstate *st = c->st;
    const struct dt_op *op = &c->ops[c->i];
    struct desc *d = desc_at(st, op->fa);
    size_t n = (size_t)op->a;
    long lrc, vrc;
    int rc;
    if (d && (d->kind == K_STDIO || !d->nonblock))
        return DT_SKIPPED; /* the test's stdio, or a read that could block */
    lrc = dt_lnx(read(op->fa, st->lbuf, n));
    vrc = vepoll_wasix_read(st->wx, (uint32_t)op->fa, st->vbuf, n);
    if (lrc > 0 && d && d->kind == K_SOCK)
        dt_sockq_consume(&d->sq, (size_t)lrc);
    rc = cmp_rc(c, lrc, vrc);
    return rc ? rc : cmp_data(c, lrc);
}

static int exec_write(struct fctx *c)
{
    struct fdstate *st = c->st;
    const struct dt_op *op = &c->ops[c->i];
    struct desc *d = desc_at(st, op->fa);
    size_t n = (size_t)op->a;
    struct dt_sockq *q = sock_room(st, op->fa, n);
    long lrc, vrc;
    if ((d && (d->kind == K_STDIO || !d->nonblock)) || !q)
        return DT_SKIPPED;
    if (d && d->kind == K_EFD) {
        memset(st->wbuf, 0, n);
        memcpy(st->wbuf, &op->value, n < 8 ? n : 8);
    } else {
        dt_fill_data(st->wbuf, n, op->value);
    }
    lrc = dt_lnx(write(op->fa, st->wbuf, n));
    vrc = vepoll_wasix_write(st->wx, (uint32_t)op->fa, st->wbuf, n);
    if (d && d->kind == K_SOCK && q != &st->d[0].sq) {
        int r = dt_sock_written(c->rep, c->ops, c->i, q, op->fa, lrc, n);
        if (r)
            return r;
    }
    return cmp_rc(c, lrc, vrc);
}

/* recv / send: on a blocking description only with MSG_DONTWAIT. */
static int exec_msg(struct fctx *c)
{
    struct fdstate *st = c->st;
    const struct dt_op *op = &c->ops[c->i];
    struct desc *d = desc_at(st, op->fa);
    size_t n = (size_t)op->a;
    int flags = (int)op->b;
    long lrc, vrc;
    int rc;
    if (d && d->kind == K_STDIO)
        return DT_SKIPPED;
    if (d && !d->nonblock)
        flags |= MSG_DONTWAIT;
    if (op->kind == DT_FD_RECV) {
        lrc = dt_lnx(recv(op->fa, st->lbuf, n, flags));
        vrc = vepoll_wasix_recv(st->wx, (uint32_t)op->fa, st->vbuf, n, flags);
        if (lrc > 0 && d && d->kind == K_SOCK && !(flags & MSG_PEEK))
            dt_sockq_consume(&d->sq, (size_t)lrc);
        rc = cmp_rc(c, lrc, vrc);
        return rc ? rc : cmp_data(c, lrc);
    }
    {
        struct dt_sockq *q = sock_room(st, op->fa, n);
        if (!q)
            return DT_SKIPPED;
        dt_fill_data(st->wbuf, n, op->value);
        lrc = dt_lnx(send(op->fa, st->wbuf, n, flags));
        vrc = vepoll_wasix_send(st->wx, (uint32_t)op->fa, st->wbuf, n, flags);
        if (d && d->kind == K_SOCK && q != &st->d[0].sq) {
            int r = dt_sock_written(c->rep, c->ops, c->i, q, op->fa, lrc, n);
            if (r)
                return r;
        }
        return cmp_rc(c, lrc, vrc);
    }
}

/* poll(2) against vepoll_wasix_poll (both poll an instance the same way,
 * ready-list side effects included); FIONREAD against fd_info's nbytes for a
 * pipe's read end and a socket. */
static int exec_poll(struct fctx *c)
{
    struct fdstate *st = c->st;
    const struct dt_op *op = &c->ops[c->i];
    struct vepoll_wasix_fdinfo info;
    short req = POLLIN | POLLPRI | POLLOUT | POLLRDNORM | POLLRDBAND | POLLWRNORM | POLLWRBAND |
                POLLMSG | POLLRDHUP;
    struct pollfd p = {.fd = op->fa, .events = req};
    struct vepoll_wasix_pollitem it = {(uint32_t)op->fa, (uint16_t)req, 0, 0};
    int kind = kind_at(st, op->fa), n = 0, vrc;
    if (kind == K_STDIO || !kind)
        return DT_SKIPPED;
    if (poll(&p, 1, 0) < 0)
        return dt_host_error(c->rep, c->ops, c->i, "poll", errno);
    vrc = vepoll_wasix_poll(st->wx, &it, 1, 0);
    if (vrc < 0 || it.ok)
        return cmp_rc(c, 0, vrc < 0 ? vrc : it.ok);
    if ((uint32_t)(uint16_t)p.revents != it.revents) {
        char a[160], b[160];
        dt_fmt_mask(a, sizeof a, (uint16_t)p.revents);
        dt_fmt_mask(b, sizeof b, it.revents);
        return diverged(c, a, b);
    }
    if (kind != K_PIPE_R && kind != K_SOCK)
        return DT_OK;
    if (ioctl(op->fa, FIONREAD, &n) < 0)
        return dt_host_error(c->rep, c->ops, c->i, "FIONREAD", errno);
    vrc = vepoll_wasix_fd_info(st->wx, (uint32_t)op->fa, &info);
    return cmp_rc(c, n, vrc ? vrc : (long)info.nbytes);
}

/* ---- timerfd settings --------------------------------------------------------------------- */

static int exec_tfd(struct fctx *c)
{
    struct fdstate *st = c->st;
    const struct dt_op *op = &c->ops[c->i];
    struct desc *d = desc_at(st, op->fa);
    struct vepoll_itimerspec nv, vo, lov;
    struct itimerspec ln, lo;
    char l[160], v[160];
    bool null, past;
    long lrc, vrc;
    int rc;
    if (d && d->kind == K_STDIO)
        return DT_SKIPPED;
    if (op->kind == DT_FD_TFD_GET) {
        lrc = dt_lnx(timerfd_gettime(op->fa, &lo));
        vrc = vepoll_wasix_timerfd_gettime(st->wx, (uint32_t)op->fa, &vo);
    } else {
        dt_tfd_spec(op, d ? d->clock : VEPOLL_CLOCK_MONOTONIC, &nv, &null, &past);
        ln.it_interval.tv_sec = nv.it_interval.tv_sec;
        ln.it_interval.tv_nsec = nv.it_interval.tv_nsec;
        ln.it_value.tv_sec = nv.it_value.tv_sec;
        ln.it_value.tv_nsec = nv.it_value.tv_nsec;
        lrc = dt_lnx(timerfd_settime(op->fa, (int)op->b, null ? NULL : &ln, &lo));
        vrc = vepoll_wasix_timerfd_settime(st->wx, (uint32_t)op->fa, (int)op->b,
                                           null ? NULL : &nv, &vo);
    }
    rc = cmp_rc(c, lrc, vrc);
    if (rc || lrc)
        return rc;
    lov = (struct vepoll_itimerspec){{lo.it_interval.tv_sec, lo.it_interval.tv_nsec},
                                     {lo.it_value.tv_sec, lo.it_value.tv_nsec}};
    if (dt_tfd_cmp(&lov, &vo, l, v, sizeof l))
        return diverged(c, l, v);
    if (op->kind == DT_FD_TFD_SET && past) {
        struct vepoll_wasix_pollitem it = {(uint32_t)op->fa, VEPOLL_IN, 0, 0};
        if (dt_settle_linux(op->fa) || vepoll_wasix_poll(st->wx, &it, 1, 5000000000) != 1)
            return diverged(c, "fired", "(a side did not fire within 5 s)");
    }
    return DT_OK;
}

/* ---- runs ------------------------------------------------------------------------------------ */

static int exec_op(struct fdstate *st, const struct dt_op *ops, int i, struct dt_report *rep)
{
    struct fctx c = {st, ops, i, rep};
    switch (ops[i].kind) {
    case DT_FD_NEW: return exec_new(&c);
    case DT_FD_DUP: return exec_dup(&c);
    case DT_FD_DUP3: return exec_dup3(&c);
    case DT_FD_RENUMBER: return exec_renumber(&c);
    case DT_FD_CLOSE: return exec_close(&c);
    case DT_FD_FLAGS: return exec_flags(&c);
    case DT_FD_CTL: return exec_ctl(&c);
    case DT_FD_WAIT: return exec_wait(&c);
    case DT_FD_READ: return exec_read(&c);
    case DT_FD_WRITE: return exec_write(&c);
    case DT_FD_RECV:
    case DT_FD_SEND: return exec_msg(&c);
    case DT_FD_POLL: return exec_poll(&c);
    case DT_FD_TFD_SET:
    case DT_FD_TFD_GET: return exec_tfd(&c);
    default: return DT_SKIPPED;
    }
}

static int state_init(struct fdstate *st, const struct dt_options *opt)
{
    int rc = fd_setup();
    memset(st, 0, sizeof *st);
    st->opt = opt;
    for (int fd = 0; fd < NUMS; fd++)
        st->num[fd] = -1;
    st->lbuf = malloc(IOBUF);
    st->vbuf = malloc(IOBUF);
    st->wbuf = malloc(IOBUF);
    if (rc || !st->lbuf || !st->vbuf || !st->wbuf || vepoll_wasix_create(&st->wx, NULL))
        return -1;
    new_desc(st, 0, false); /* d[0]: "no socket" (sock_room) */
    for (int fd = 0; fd < 3; fd++)
        set_number(st, fd, new_desc(st, K_STDIO, false));
    return 0;
}

static void state_fini(struct fdstate *st)
{
    for (int fd = 3; fd < 1024; fd++)
        if (fcntl(fd, F_GETFD) >= 0)
            close(fd);
    if (st->wx)
        vepoll_wasix_destroy(st->wx);
    free(st->lbuf);
    free(st->vbuf);
    free(st->wbuf);
}

static int exec_any(void *st, const struct dt_op *ops, int i, struct dt_report *rep)
{
    return exec_op(st, ops, i, rep);
}

int dt_fd_replay(const struct dt_op *ops, int n, const unsigned char *keep,
                 const struct dt_options *opt, struct dt_report *rep)
{
    static struct fdstate st;
    int r = DT_HOST_ERROR;
    if (state_init(&st, opt) == 0)
        r = dt_run_list(&st, exec_any, opt, ops, n, keep, rep);
    state_fini(&st);
    return r;
}

/* ---- generator ---------------------------------------------------------------------------- */

/* An open number (stdio included only if `stdio`), sometimes a free one. */
static int pick_fd(struct fdstate *st, struct dt_rng *r, bool stdio, int want_kind)
{
    int c[NUMS], n = 0;
    if (dt_chance(r, 4))
        return (int)dt_range(r, 3, NUMS - 1); /* probably not open: EBADF */
    for (int fd = stdio ? 0 : 3; fd < NUMS; fd++)
        if (st->num[fd] >= 0 && (!want_kind || kind_at(st, fd) == want_kind))
            c[n++] = fd;
    if (!n)
        return -1;
    return c[dt_rng_below(r, (uint64_t)n)];
}

/* A target number >= 3: an open one (replaced) or a free one. */
static int pick_target(struct fdstate *st, struct dt_rng *r)
{
    int fd = pick_fd(st, r, false, 0);
    return fd < 0 || dt_chance(r, 50) ? (int)dt_range(r, 3, NUMS - 1) : fd;
}

static uint32_t gen_mask(struct dt_rng *r)
{
    static const uint32_t bits[] = {VEPOLL_IN,  VEPOLL_OUT, VEPOLL_RDHUP,
                                    VEPOLL_PRI, VEPOLL_ERR, VEPOLL_HUP};
    static const unsigned pct[] = {60, 45, 25, 8, 8, 8};
    uint32_t m = 0;
    for (size_t k = 0; k < sizeof bits / sizeof bits[0]; k++)
        if (dt_chance(r, pct[k]))
            m |= bits[k];
    if (dt_chance(r, 35))
        m |= VEPOLL_ET;
    if (dt_chance(r, 15))
        m |= VEPOLL_ONESHOT;
    return m;
}

static size_t gen_len(struct dt_rng *r, int kind)
{
    static const size_t small[] = {0, 1, 8, 8, 16, 4, 100, 4096};
    if (kind == K_EFD || kind == K_TFD)
        return small[dt_rng_below(r, 6)];
    switch (dt_rng_below(r, 7)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return dt_range(r, 2, 100);
    case 3: return dt_range(r, 1, 4096);
    case 4: return 4097;
    case 5: return dt_range(r, 4096, 20000);
    default: return 70000;
    }
}

static bool gen_op(struct fdstate *st, struct dt_rng *r, uint64_t cookie, struct dt_op *op)
{
    unsigned w = (unsigned)dt_rng_below(r, 100);
    memset(op, 0, sizeof *op);
    op->obj = op->tobj = -1;
    if (w < 9 || open_count(st) < 5) {
        op->kind = DT_FD_NEW;
        op->a = (int64_t)dt_rng_below(r, W_N);
        if (open_count(st) < 5 && !dt_chance(r, 30))
            op->a = W_EP;
        op->b = dt_chance(r, 70) ? VEPOLL_NONBLOCK : 0;
        if (dt_chance(r, 30))
            op->b |= VEPOLL_CLOEXEC;
        if (op->a == W_EFD)
            op->x = (int64_t)dt_rng_below(r, 3);
        if (op->a == W_TFD) {
            op->x = dt_chance(r, 50) ? VEPOLL_CLOCK_MONOTONIC : VEPOLL_CLOCK_REALTIME;
            if (dt_chance(r, 5))
                op->b |= 1; /* EINVAL on both */
        }
        if (op->a == W_EP)
            op->b = 0;
        return true;
    }
    op->fa = pick_fd(st, r, w < 19, 0);
    if (op->fa < 0)
        return false;
    if (w < 19) { /* dup: of stdio too */
        op->kind = DT_FD_DUP;
        op->fb = dt_chance(r, 40) ? 0 : (int)dt_range(r, 3, NUMS - 8);
        op->b = dt_chance(r, 30);
        return true;
    }
    if (w < 26) {
        op->kind = DT_FD_DUP3;
        op->fb = dt_chance(r, 5) ? op->fa : pick_target(st, r);
        op->b = (uint32_t)dt_rng_below(r, 3);
        return true;
    }
    if (w < 29) {
        op->kind = DT_FD_RENUMBER;
        op->fb = dt_chance(r, 5) ? op->fa : pick_target(st, r);
        return true;
    }
    if (w < 36) {
        op->kind = DT_FD_CLOSE;
        return true;
    }
    if (w < 42) {
        op->kind = DT_FD_FLAGS;
        op->b = (uint32_t)dt_rng_below(r, 5);
        op->a = op->b == FL_SHUTDOWN ? (int64_t)dt_rng_below(r, 4) : dt_chance(r, 50);
        return true;
    }
    if (w < 60) { /* ctl: an instance and a target */
        op->kind = DT_FD_CTL;
        op->fb = op->fa;
        op->fa = pick_fd(st, r, false, dt_chance(r, 92) ? K_EP : 0);
        if (op->fa < 0)
            return false;
        if (st->nadded && dt_chance(r, 50)) { /* a pair added before: MOD, DEL, EEXIST */
            unsigned k = (unsigned)dt_rng_below(r, st->nadded < 64 ? st->nadded : 64);
            if (kind_at(st, st->added[k].ep) == K_EP) {
                op->fa = st->added[k].ep;
                op->fb = st->added[k].fd;
            }
        }
        if (dt_chance(r, 3))
            op->fb = op->fa; /* itself: EINVAL */
        if (kind_at(st, op->fb) == K_STDIO || (op->fb == op->fa && kind_at(st, op->fa) != K_EP))
            return false; /* see exec_ctl */
        static const int ops[] = {EPOLL_CTL_ADD, EPOLL_CTL_ADD, EPOLL_CTL_MOD, EPOLL_CTL_DEL};
        op->a = ops[dt_rng_below(r, 4)];
        op->mask = gen_mask(r);
        op->value = cookie;
        return true;
    }
    if (w < 74) {
        static const int64_t maxev[] = {1, 2, 3, 4, 8, 16, 64};
        op->kind = DT_FD_WAIT;
        op->fa = pick_fd(st, r, false, dt_chance(r, 95) ? K_EP : 0);
        op->a = maxev[dt_rng_below(r, 7)];
        return op->fa >= 0;
    }
    if (w < 81) {
        op->kind = DT_FD_READ;
        op->a = (int64_t)gen_len(r, kind_at(st, op->fa));
        return true;
    }
    if (w < 88) {
        op->kind = DT_FD_WRITE;
        op->a = (int64_t)gen_len(r, kind_at(st, op->fa));
        op->value = kind_at(st, op->fa) == K_EFD && dt_chance(r, 90) ? dt_range(r, 0, 9)
                                                                      : dt_rng_next(r);
        return true;
    }
    if (w < 93) {
        static const uint32_t rflags[] = {0, MSG_PEEK, MSG_WAITALL, MSG_DONTWAIT,
                                          MSG_PEEK | MSG_WAITALL, MSG_NOSIGNAL, MSG_OOB};
        static const uint32_t sflags[] = {0, MSG_DONTWAIT, MSG_NOSIGNAL, MSG_MORE,
                                          MSG_NOSIGNAL | MSG_DONTWAIT};
        bool recv_op = dt_chance(r, 60);
        if (dt_chance(r, 80)) {
            int s = pick_fd(st, r, false, K_SOCK);
            if (s >= 0)
                op->fa = s;
        }
        op->kind = recv_op ? DT_FD_RECV : DT_FD_SEND;
        op->a = (int64_t)(recv_op ? gen_len(r, 0) : dt_range(r, 0, 3000));
        op->b = recv_op ? rflags[dt_rng_below(r, 7)] : sflags[dt_rng_below(r, 5)];
        op->value = dt_rng_next(r);
        return true;
    }
    if (w < 96) {
        op->kind = DT_FD_POLL;
        return true;
    }
    if (dt_chance(r, 85)) {
        int t = pick_fd(st, r, false, K_TFD);
        if (t >= 0)
            op->fa = t;
    }
    op->kind = w < 98 ? DT_FD_TFD_SET : DT_FD_TFD_GET;
    if (op->kind == DT_FD_TFD_SET)
        dt_tfd_gen(r, op);
    return true;
}

static bool gen_any(void *st, struct dt_rng *r, int i, struct dt_op *op)
{
    return gen_op(st, r, (uint64_t)i + 1, op); /* the cookie: unique per op */
}

int dt_fd_generate(uint64_t seed, int steps, const struct dt_options *opt, struct dt_op **ops_out,
                   int *nops, struct dt_report *rep)
{
    static struct fdstate st;
    int r = DT_HOST_ERROR;
    struct dt_op *ops = malloc((size_t)(steps + 1) * sizeof *ops);
    *ops_out = NULL;
    *nops = 0;
    if (!ops)
        return DT_HOST_ERROR;
    if (state_init(&st, opt) == 0) {
        st.counting = true;
        r = dt_run_generated(&st, gen_any, exec_any, &st.last_rc, opt, seed, steps, ops, nops,
                             rep);
    }
    state_fini(&st);
    *ops_out = ops;
    return r;
}
