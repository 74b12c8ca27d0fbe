/*
 * Reference model of the epoll semantics; see refmodel.h for what it covers
 * and why it is written this way (plain arrays and linear scans, no shared
 * code with src/).  Single-threaded: no concurrency contract to state.
 */
#include "refmodel.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "vepoll.h"

/* The event kinds epoll reports; every other mask bit is a flag or unknown
 * (accepted, never reported: S017). */
#define REPORTABLE                                                            \
    (VEPOLL_IN | VEPOLL_PRI | VEPOLL_OUT | VEPOLL_ERR | VEPOLL_HUP |          \
     VEPOLL_RDNORM | VEPOLL_RDBAND | VEPOLL_WRNORM | VEPOLL_WRBAND |          \
     VEPOLL_MSG | VEPOLL_RDHUP)
/* EPOLLEXCLUSIVE may only come with these (S018). */
#define EXCL_OK                                                               \
    (VEPOLL_IN | VEPOLL_OUT | VEPOLL_ERR | VEPOLL_HUP | VEPOLL_WAKEUP |       \
     VEPOLL_ET | VEPOLL_EXCLUSIVE)
/* What an instance reports about itself when polled (S116). */
#define INST_READY (VEPOLL_IN | VEPOLL_RDNORM)

void rm_init(struct rm *m)
{
    memset(m, 0, sizeof(*m));
}

static bool same_ref(struct rm_ref a, struct rm_ref b)
{
    return a.kind == b.kind && (a.kind == RM_NULL || a.id == b.id);
}

/* What a registration listens to: its mask plus ERR|HUP, nothing at all
 * once a ONESHOT entry has fired. */
static uint32_t listens(const struct rm_reg *r)
{
    return r->armed ? (r->mask | VEPOLL_ERR | VEPOLL_HUP) & REPORTABLE : 0;
}

static uint32_t poll_ref(struct rm *m, struct rm_ref s, int depth, bool drop);

static void unqueue(struct rm *m, int ri);

/* An instance polled as a source: readable while some entry on its ready
 * list has something to report now (Linux's ep_eventpoll_poll).  Like Linux,
 * the scan drops the entries with nothing to report that it passes before
 * the first ready one (so a later event or MOD queues them afresh, at the
 * tail, and wakes outer instances again); `drop` false only asks. */
static uint32_t poll_inst(struct rm *m, int i, int depth, bool drop)
{
    struct rm_inst *in = &m->inst[i];
    int k = 0;
    if (depth > RM_MAX_NEST)
        return 0;
    while (k < in->nready) {
        int ri = in->ready[k];
        struct rm_reg *r = &m->reg[ri];
        if (poll_ref(m, r->src, depth + 1, drop) & listens(r))
            return INST_READY;
        if (drop)
            unqueue(m, ri);
        else
            k++;
    }
    return 0;
}

static uint32_t poll_ref(struct rm *m, struct rm_ref s, int depth, bool drop)
{
    switch (s.kind) {
    case RM_PLAIN:
        return m->src[s.id].ready;
    case RM_INST:
        return poll_inst(m, s.id, depth, drop);
    default:
        return 0;
    }
}

static void append(struct rm *m, int ri, bool wakeup)
{
    struct rm_inst *in = &m->inst[m->reg[ri].inst];
    in->ready[in->nready++] = ri;
    m->reg[ri].queued = true;
    if (wakeup)
        in->wakeups++;
}

static void unqueue(struct rm *m, int ri)
{
    struct rm_inst *in = &m->inst[m->reg[ri].inst];
    int k;
    for (k = 0; k < in->nready; k++) {
        if (in->ready[k] == ri) {
            memmove(&in->ready[k], &in->ready[k + 1],
                    (size_t)(in->nready - k - 1) * sizeof(in->ready[0]));
            in->nready--;
            break;
        }
    }
    m->reg[ri].queued = false;
}

static void remove_reg(struct rm *m, int ri)
{
    if (m->reg[ri].queued)
        unqueue(m, ri);
    memset(&m->reg[ri], 0, sizeof(m->reg[ri]));
}

/* The order in which a source's wake-up reaches its registrations (Linux's
 * wait queue): non-exclusive ones newest first, then exclusive ones oldest
 * first.  Selection sort on the ADD sequence number: n is small. */
static int walk_order(const struct rm *m, struct rm_ref s, int *out)
{
    int n = 0, pass, i, j;
    for (pass = 0; pass < 2; pass++) {
        int start = n;
        for (i = 0; i < m->hi; i++) {
            const struct rm_reg *r = &m->reg[i];
            bool excl = (r->mask & VEPOLL_EXCLUSIVE) != 0;
            if (r->live && same_ref(r->src, s) && excl == (pass == 1))
                out[n++] = i;
        }
        for (i = start; i < n; i++) {
            for (j = i + 1; j < n; j++) {
                uint64_t a = m->reg[out[i]].seq, b = m->reg[out[j]].seq;
                if (pass == 0 ? b > a : b < a) {
                    int t = out[i];
                    out[i] = out[j];
                    out[j] = t;
                }
            }
        }
    }
    return n;
}

/* A wake-up event `set` on source s (an update, or an inner instance
 * signalling its outer registrations). */
static void post(struct rm *m, struct rm_ref s, uint32_t set)
{
    int order[RM_MAX_REG];
    int n = walk_order(m, s, order), k;
    for (k = 0; k < n; k++) {
        struct rm_reg *r = &m->reg[order[k]];
        struct rm_ref self;
        if (!(set & listens(r)))
            continue;
        if (!r->queued)
            append(m, order[k], true);
        /* Even when it was queued already: every event on an inner entry
         * is a new event for the outer instances (S122).  The wake-up key is
         * IN alone (Linux's ep_poll_safewake): an outer mask of RDNORM
         * without IN is not queued by it, although polling the instance
         * reports IN|RDNORM. */
        self.kind = RM_INST;
        self.id = r->inst;
        post(m, self, VEPOLL_IN);
    }
}

/* ADD / MOD: report what is ready now; a queued entry keeps its place.
 * The source is polled either way (Linux's ep_modify polls before it looks
 * at the ready list), and polling an instance drops its stale entries
 * (S275). */
static void evaluate(struct rm *m, int ri)
{
    struct rm_reg *r = &m->reg[ri];
    struct rm_ref self;
    uint32_t rev = poll_ref(m, r->src, 0, true) & listens(r);
    if (r->queued || !rev)
        return;
    append(m, ri, true);
    self.kind = RM_INST;
    self.id = r->inst;
    post(m, self, VEPOLL_IN);
}

static int find_reg(const struct rm *m, int inst, struct rm_ref s, int fd)
{
    int i;
    for (i = 0; i < m->hi; i++) {
        const struct rm_reg *r = &m->reg[i];
        if (r->live && r->inst == inst && r->fd == fd && same_ref(r->src, s))
            return i;
    }
    return -1;
}

int rm_watch_count(const struct rm *m)
{
    int i, n = 0;
    for (i = 0; i < m->hi; i++)
        n += m->reg[i].live;
    return n;
}

/* ---- the nesting graph: "outer contains inner" edges ---------------------- */

typedef bool graph_t[RM_MAX_INST][RM_MAX_INST];

static void build_graph(const struct rm *m, graph_t g)
{
    int i;
    memset(g, 0, sizeof(graph_t));
    for (i = 0; i < m->hi; i++) {
        const struct rm_reg *r = &m->reg[i];
        if (r->live && r->src.kind == RM_INST)
            g[r->inst][r->src.id] = true;
    }
}

static bool reaches(graph_t g, int from, int to)
{
    int c;
    if (from == to)
        return true;
    for (c = 0; c < RM_MAX_INST; c++)
        if (g[from][c] && reaches(g, c, to))
            return true;
    return false;
}

/* Instances on the longest path going down (up) from i, i included. */
static int longest(graph_t g, int i, bool down)
{
    int j, best = 0;
    for (j = 0; j < RM_MAX_INST; j++) {
        if (down ? g[i][j] : g[j][i]) {
            int d = longest(g, j, down);
            if (d > best)
                best = d;
        }
    }
    return best + 1;
}

static bool would_loop(const struct rm *m, int outer, int inner)
{
    graph_t g;
    build_graph(m, g);
    return reaches(g, inner, outer) ||
           longest(g, outer, false) + longest(g, inner, true) > RM_MAX_NEST;
}

/* ---- public calls ------------------------------------------------------------ */

void rm_create(struct rm *m, int inst)
{
    memset(&m->inst[inst], 0, sizeof(m->inst[inst]));
    m->inst[inst].live = true;
}

void rm_close(struct rm *m, int inst)
{
    int i;
    for (i = 0; i < m->hi; i++) {
        const struct rm_reg *r = &m->reg[i];
        if (r->live && (r->inst == inst ||
                        (r->src.kind == RM_INST && r->src.id == inst)))
            remove_reg(m, i);
    }
    memset(&m->inst[inst], 0, sizeof(m->inst[inst]));
}

void rm_source_create(struct rm *m, int src, uint32_t ready)
{
    m->src[src].live = true;
    m->src[src].ready = ready;
}

void rm_source_close(struct rm *m, struct rm_ref s)
{
    int i;
    if (s.kind != RM_PLAIN) /* NULL and instance sources are ignored */
        return;
    for (i = 0; i < m->hi; i++)
        if (m->reg[i].live && same_ref(m->reg[i].src, s))
            remove_reg(m, i);
    memset(&m->src[s.id], 0, sizeof(m->src[s.id]));
}

int rm_ctl(struct rm *m, int inst, int op, int fd, struct rm_ref s,
           bool has_ev, uint32_t events, uint64_t data, bool commit)
{
    int ri, i;
    /* docs/API.md's order. */
    if (!has_ev && op != VEPOLL_CTL_DEL)
        return -EFAULT;
    if (inst < 0 || s.kind == RM_NULL)
        return -EBADF;
    if (s.kind == RM_INST && s.id == inst)
        return -EINVAL;
    if (op != VEPOLL_CTL_DEL && (events & VEPOLL_EXCLUSIVE)) {
        if (op == VEPOLL_CTL_MOD)
            return -EINVAL;
        if (op == VEPOLL_CTL_ADD &&
            (s.kind == RM_INST || (events & ~(uint32_t)EXCL_OK)))
            return -EINVAL;
    }
    if (op == VEPOLL_CTL_ADD && s.kind == RM_INST && would_loop(m, inst, s.id))
        return -ELOOP;
    ri = find_reg(m, inst, s, fd);
    switch (op) {
    case VEPOLL_CTL_ADD:
        if (ri >= 0)
            return -EEXIST;
        if (m->max_watches && (uint64_t)rm_watch_count(m) >= m->max_watches)
            return -ENOSPC;
        if (!commit)
            return 0;
        for (i = 0; i < RM_MAX_REG && m->reg[i].live; i++) {
        }
        if (i == RM_MAX_REG)
            return -ENOMEM; /* the model's own capacity: callers stay below */
        if (i >= m->hi)
            m->hi = i + 1;
        m->reg[i].live = true;
        m->reg[i].inst = inst;
        m->reg[i].src = s;
        m->reg[i].fd = fd;
        m->reg[i].mask = events;
        m->reg[i].data = data;
        m->reg[i].armed = true;
        m->reg[i].queued = false;
        m->reg[i].seq = m->next_seq++;
        evaluate(m, i);
        return 0;
    case VEPOLL_CTL_MOD:
        if (ri < 0)
            return -ENOENT;
        if (m->reg[ri].mask & VEPOLL_EXCLUSIVE)
            return -EINVAL;
        if (!commit)
            return 0;
        m->reg[ri].mask = events;
        m->reg[ri].data = data;
        m->reg[ri].armed = true;
        evaluate(m, ri);
        return 0;
    case VEPOLL_CTL_DEL:
        if (ri < 0)
            return -ENOENT;
        if (commit)
            remove_reg(m, ri);
        return 0;
    default:
        return -EINVAL;
    }
}

int rm_wait(struct rm *m, int inst, bool has_buf, int maxevents,
            bool would_block, struct rm_event *out)
{
    struct rm_inst *in;
    int n = 0, todo;
    if (maxevents <= 0 ||
        (size_t)maxevents > INT_MAX / sizeof(struct vepoll_event))
        return -EINVAL;
    if (!has_buf)
        return -EFAULT;
    if (inst < 0)
        return -EBADF;
    in = &m->inst[inst];
    /* Only the entries on the list when the wait starts: an LT entry put
     * back at the tail is reported once per call (S076). */
    for (todo = in->nready; todo > 0 && n < maxevents; todo--) {
        int ri = in->ready[0];
        struct rm_reg *r = &m->reg[ri];
        uint32_t rev;
        unqueue(m, ri);
        rev = poll_ref(m, r->src, 0, true) & listens(r);
        if (!rev)
            continue; /* readiness vanished before the harvest (S041) */
        out[n].events = rev;
        out[n].data = r->data;
        n++;
        if (r->mask & VEPOLL_ONESHOT)
            r->armed = false;
        else if (!(r->mask & VEPOLL_ET))
            append(m, ri, false);
    }
    if (n == 0 && would_block && in->intr) {
        in->intr = false;
        return -EINTR;
    }
    return n;
}

bool rm_wait_returns_now(struct rm *m, int inst, bool has_buf, int maxevents)
{
    const struct rm_inst *in;
    int k;
    if (maxevents <= 0 ||
        (size_t)maxevents > INT_MAX / sizeof(struct vepoll_event) ||
        !has_buf || inst < 0)
        return true;
    in = &m->inst[inst];
    if (in->intr)
        return true;
    for (k = 0; k < in->nready; k++) {
        const struct rm_reg *r = &m->reg[in->ready[k]];
        if (poll_ref(m, r->src, 0, false) & listens(r))
            return true;
    }
    return false;
}

int rm_interrupt(struct rm *m, int inst)
{
    if (inst < 0)
        return -EBADF;
    m->inst[inst].intr = true;
    return 0;
}

void rm_update(struct rm *m, struct rm_ref s, uint32_t set, uint32_t clear)
{
    struct rm_src *src;
    if (s.kind != RM_PLAIN) /* NULL and instance sources are ignored */
        return;
    src = &m->src[s.id];
    src->ready = (src->ready & ~clear) | set;
    if (set & REPORTABLE)
        post(m, s, set);
}

uint32_t rm_source_ready(struct rm *m, struct rm_ref s)
{
    return poll_ref(m, s, 0, true);
}

void rm_set_max_watches(struct rm *m, uint64_t max)
{
    m->max_watches = max;
}
