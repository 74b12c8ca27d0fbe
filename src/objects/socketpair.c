/*
 * The ready-made stream socket pair: Linux's AF_UNIX SOCK_STREAM rules
 * (net/unix/af_unix.c) in user space.
 *
 * Buffers.  q[i] holds the bytes queued for end i to read, written by the
 * peer, as a byte ring plus the lengths of the writes ("chunks", Linux's
 * skbs) still in it.  Like an skb, a chunk gives its space back only when its
 * last byte has been read; that is also when the writer gets its OUT wake-up
 * (sock_wfree -> unix_write_space), so a partial read of a chunk wakes
 * nobody.  A direction holds at most `capacity` bytes in at most
 * max(16, capacity / 256) chunks: Linux charges every skb's overhead to the
 * sender's buffer, so many tiny writes fill it early too.
 *
 * Readiness of end i (unix_poll):
 *   ERR              a close of the peer with unread data in the peer's own
 *                    queue set ECONNRESET on i (until a read reports it)
 *   HUP              both directions of i shut (own SHUT_RD and SHUT_WR, or
 *                    the peer closed)
 *   RDHUP|IN|RDNORM  i's receive side is shut
 *   IN|RDNORM        data queued for i
 *   OUT|WRNORM|WRBAND  the peer's queue has room (also after own SHUT_WR and
 *                    after the peer closed, whose queue is then empty)
 * Reading (unix_stream_read_generic): recv takes what is queued, across
 * chunks, up to len; MSG_WAITALL goes on taking (and blocking) until len;
 * MSG_PEEK copies without taking.  read is recv without flags, but answers
 * a read of 0 bytes at once.
 *
 * Wake-up keys: a write wakes the peer with IN|PRI|RDNORM|RDBAND
 * (sock_def_readable) per chunk; a read that frees a chunk wakes the peer
 * with OUT|WRNORM|WRBAND if it is writable; shutdown and close wake the ends
 * involved with key 0 (sk_state_change).
 *
 * Concurrency contract: the skeleton's (obj.h): everything under s->o.mu,
 * read and write are vepoll__obj_call steps (run under it, holding a
 * reference for the whole call unless the creator pinned the pair with
 * VEPOLL_CALLER_PINS), and a close goes through vepoll__obj_close
 * (the source is closed outside the mutex after its pointer was cleared
 * under it).
 */
#include <errno.h>
#include <string.h>

#include "vepoll_core.h"
#include "obj.h"
#include "vepoll_objects.h"

#define RD_BITS (VEPOLL_IN | VEPOLL_RDNORM)
#define WR_BITS (VEPOLL_OUT | VEPOLL_WRNORM | VEPOLL_WRBAND)
#define DATA_KEY (VEPOLL_IN | VEPOLL_PRI | VEPOLL_RDNORM | VEPOLL_RDBAND)
#define DEFAULT_CAPACITY ((size_t)65536)
#define MAX_CAPACITY ((size_t)1 << 30)

struct queue {
    unsigned char *buf;  /* cap bytes */
    uint32_t *chunk;     /* nchunk lengths (ring) */
    size_t wpos, rpos, fpos; /* bytes written / read / freed, ever */
    size_t chead, ctail; /* chunk counters: queued = chead - ctail */
};

struct vepoll_socketpair {
    struct vepoll__obj o; /* first: the skeleton's callbacks cast it back */
    vepoll_source_t *src[2]; /* NULL once that end is closed */
    size_t cap, nchunk;
    unsigned char rd_shut[2], wr_shut[2]; /* RCV_ / SEND_SHUTDOWN of end i */
    unsigned char err[2];                 /* ECONNRESET pending on end i */
    struct queue q[2];                    /* q[i]: bytes for end i */
};

static size_t chunks_for(size_t cap)
{
    return cap / 256 > 16 ? cap / 256 : 16;
}

static size_t block_size(size_t cap, size_t nchunk)
{
    return sizeof(struct vepoll_socketpair) + 2 * nchunk * sizeof(uint32_t) +
           2 * cap;
}

static int valid_end(int end)
{
    return end == 0 || end == 1;
}

/* The arguments every call on one end checks first. */
static int end_error(const struct vepoll_socketpair *s, int end)
{
    if (!s)
        return -EBADF;
    return valid_end(end) ? 0 : -EINVAL;
}

static size_t unread(const struct queue *q)
{
    return q->wpos - q->rpos;
}

static int writable(const struct vepoll_socketpair *s, int i)
{
    const struct queue *q = &s->q[1 - i];
    return q->wpos - q->fpos < s->cap && q->chead - q->ctail < s->nchunk;
}

static uint32_t ready(const struct vepoll_socketpair *s, int i)
{
    uint32_t r = 0;
    if (s->err[i])
        r |= VEPOLL_ERR;
    if (s->rd_shut[i] && s->wr_shut[i])
        r |= VEPOLL_HUP;
    if (s->rd_shut[i])
        r |= VEPOLL_RDHUP | RD_BITS;
    if (unread(&s->q[i]))
        r |= RD_BITS;
    if (writable(s, i))
        r |= WR_BITS;
    return r;
}

static void publish(struct vepoll_socketpair *s, int i, uint32_t key)
{
    if (s->src[i])
        vepoll__source_publish(s->src[i], ready(s, i), key);
}

static void dealloc(struct vepoll__obj *o)
{
    struct vepoll_socketpair *s = (struct vepoll_socketpair *)o;
    vepoll__obj_fini(o);
    vepoll__free(s, block_size(s->cap, s->nchunk));
}

int vepoll_socketpair_create(vepoll_socketpair_t **out, size_t capacity,
                             int flags)
{
    struct vepoll_socketpair *s;
    size_t cap, nchunk;
    unsigned char *mem;
    uint32_t now[2];
    int rc;
    if (!out || (flags & ~(VEPOLL_NONBLOCK | VEPOLL_CALLER_PINS)) || capacity > MAX_CAPACITY)
        return -EINVAL;
    cap = capacity ? capacity : DEFAULT_CAPACITY;
    nchunk = chunks_for(cap);
    s = vepoll__alloc(block_size(cap, nchunk));
    if (!s)
        return -ENOMEM;
    memset(s, 0, sizeof(*s));
    s->cap = cap;
    s->nchunk = nchunk;
    mem = (unsigned char *)(s + 1);
    for (int i = 0; i < 2; i++) {
        s->q[i].chunk = (uint32_t *)mem;
        mem += nchunk * sizeof(uint32_t);
    }
    for (int i = 0; i < 2; i++) {
        s->q[i].buf = mem;
        mem += cap;
    }
    now[0] = ready(s, 0);
    now[1] = ready(s, 1);
    rc = vepoll__obj_open(&s->o, (flags & VEPOLL_NONBLOCK) != 0, dealloc, 2,
                          s->src, now);
    if (rc) {
        vepoll__free(s, block_size(cap, nchunk));
        return rc;
    }
    s->o.pinned = (flags & VEPOLL_CALLER_PINS) != 0;
    *out = s;
    return 0;
}

vepoll_source_t *vepoll_socketpair_source(vepoll_socketpair_t *s, int end)
{
    if (!s || !valid_end(end))
        return NULL;
    return vepoll__obj_source(&s->o, &s->src[end]);
}

size_t vepoll_socketpair_pending(vepoll_socketpair_t *s, int end)
{
    size_t n = 0;
    if (!s || !valid_end(end))
        return 0;
    vepoll__obj_lock(&s->o);
    if (s->src[end])
        n = unread(&s->q[end]);
    vepoll__obj_unlock(&s->o);
    return n;
}

/* Copies between a ring position and a flat buffer (at most two pieces). */
static void ring_copy(unsigned char *ring, size_t cap, size_t pos,
                      unsigned char *flat, size_t len, int to_ring)
{
    size_t at = pos % cap, first = cap - at < len ? cap - at : len;
    if (to_ring) {
        memcpy(ring + at, flat, first);
        memcpy(ring, flat + first, len - first);
    } else {
        memcpy(flat, ring + at, first);
        memcpy(flat + first, ring, len - first);
    }
}

/* Appends one chunk of up to len bytes to end i's peer queue. */
static size_t put(struct vepoll_socketpair *s, int i, const unsigned char *b,
                  size_t len)
{
    struct queue *q = &s->q[1 - i];
    size_t room = s->cap - (q->wpos - q->fpos);
    size_t k = len < room ? len : room;
    ring_copy(q->buf, s->cap, q->wpos, (unsigned char *)b, k, 1);
    q->chunk[q->chead % s->nchunk] = (uint32_t)k;
    q->chead++;
    q->wpos += k;
    return k;
}

/* Takes up to len bytes queued for end i; returns the count and whether a
 * chunk was freed. */
static size_t get(struct vepoll_socketpair *s, int i, unsigned char *b,
                  size_t len, int *freed)
{
    struct queue *q = &s->q[i];
    size_t k = unread(q) < len ? unread(q) : len;
    ring_copy(q->buf, s->cap, q->rpos, b, k, 0);
    q->rpos += k;
    *freed = 0;
    while (q->chead != q->ctail &&
           q->rpos - q->fpos >= q->chunk[q->ctail % s->nchunk]) {
        q->fpos += q->chunk[q->ctail % s->nchunk];
        q->ctail++;
        *freed = 1;
    }
    return k;
}

/* A pending ECONNRESET of end i (sock_error): reported once. */
static int take_error(struct vepoll_socketpair *s, int i)
{
    if (!s->err[i])
        return 0;
    s->err[i] = 0;
    publish(s, i, 0);
    return -ECONNRESET;
}

struct call {
    struct vepoll_socketpair *s;
    int end;
    const unsigned char *wbuf; /* write */
    unsigned char *rbuf;       /* read */
    size_t len, done;
    int flags;                 /* VEPOLL_MSG_* */
};

/* Copies up to len queued bytes of end i without taking them. */
static size_t peek(const struct vepoll_socketpair *s, int i, unsigned char *b, size_t len)
{
    const struct queue *q = &s->q[i];
    size_t k = unread(q) < len ? unread(q) : len;
    ring_copy(q->buf, s->cap, q->rpos, b, k, 0);
    return k;
}

/* unix_stream_read_generic: take (or peek at) what is queued; with nothing
 * (more) queued and less than the target taken, a pending error, EOF, or
 * wait.  The target is len with MSG_WAITALL, else 1 (len 0 too). */
static ssize_t recv_step(void *call, int may_block, int slept)
{
    struct call *c = call;
    struct vepoll_socketpair *s = c->s;
    int end = c->end, err;
    size_t target = c->len && (c->flags & VEPOLL_MSG_WAITALL) ? c->len : 1;
    (void)slept;
    if (!s->src[end])
        return c->done ? (ssize_t)c->done : -EBADF;
    if (unread(&s->q[end])) {
        int freed;
        if (!c->len)
            return 0; /* there is data, so no wait: nothing to copy */
        if (!c->rbuf)
            return -EFAULT; /* Linux: when it copies, not before */
        /* A peek returns what is there; it frees nothing, wakes nobody. */
        if (c->flags & VEPOLL_MSG_PEEK)
            return (ssize_t)peek(s, end, c->rbuf, c->len);
        c->done += get(s, end, c->rbuf + c->done, c->len - c->done, &freed);
        publish(s, end, 0);
        publish(s, 1 - end, freed && writable(s, 1 - end) ? WR_BITS : 0);
        vepoll__obj_wake(&s->o);
        if (c->done >= target || c->done == c->len)
            return (ssize_t)c->done;
    }
    /* sock_error consumes the error even when bytes were taken. */
    err = take_error(s, end);
    if (err)
        return c->done ? (ssize_t)c->done : err;
    if (s->rd_shut[end])
        return (ssize_t)c->done;
    if (may_block)
        return VEPOLL__BLOCK;
    return c->done ? (ssize_t)c->done : -EAGAIN;
}

/* A flag outside `known`: -EINVAL, except MSG_OOB, which gets `oob`. */
static int msg_flags_error(int flags, int known, int oob)
{
    if (flags & VEPOLL_MSG_OOB)
        return oob;
    return (flags & ~known) ? -EINVAL : 0;
}

ssize_t vepoll_socketpair_recv(vepoll_socketpair_t *s, int end, void *buf, size_t len,
                               int flags, int64_t timeout_ns)
{
    struct call c = {s, end, NULL, buf, vepoll__rw_len(len), 0, flags};
    int rc = end_error(s, end);
    if (!rc)
        rc = msg_flags_error(flags,
                             VEPOLL_MSG_PEEK | VEPOLL_MSG_DONTWAIT | VEPOLL_MSG_WAITALL |
                                 VEPOLL_MSG_NOSIGNAL,
                             -EINVAL); /* Linux: no out-of-band byte pending */
    if (rc)
        return rc;
    if (flags & VEPOLL_MSG_DONTWAIT)
        timeout_ns = 0;
    return vepoll__obj_call(&s->o, timeout_ns, recv_step, &c);
}

/* read(2) is recv without flags, except that a read of 0 bytes returns 0
 * at once (sock_read_iter). */
static ssize_t read_step(void *call, int may_block, int slept)
{
    struct call *c = call;
    ssize_t rc = vepoll__rw_check(c->s->src[c->end], c->rbuf, c->len);
    return rc <= 0 ? rc : recv_step(call, may_block, slept);
}

ssize_t vepoll_socketpair_read(vepoll_socketpair_t *s, int end, void *buf,
                               size_t len, int64_t timeout_ns)
{
    struct call c = {s, end, NULL, buf, vepoll__rw_len(len), 0, 0};
    int rc = end_error(s, end);
    return rc ? rc : vepoll__obj_call(&s->o, timeout_ns, read_step, &c);
}

/* One pass of the write loop: 1 if it moved bytes, else 0 to sleep or a
 * negative errno that ends the write. */
static int write_once(struct call *c, int may_block)
{
    struct vepoll_socketpair *s = c->s;
    int end = c->end, err;
    if (!s->src[end])
        return -EBADF; /* closed while we slept */
    err = take_error(s, end); /* sock_alloc_send_pskb: sock_error first */
    if (err)
        return err;
    if (s->wr_shut[end])
        return -EPIPE;
    if (writable(s, end)) {
        c->done += put(s, end, c->wbuf + c->done, c->len - c->done);
        publish(s, 1 - end, DATA_KEY);
        vepoll__obj_wake(&s->o);
        return 1;
    }
    return may_block ? 0 : -EAGAIN;
}

static ssize_t write_step(void *call, int may_block, int slept)
{
    struct call *c = call;
    struct vepoll_socketpair *s = c->s;
    int end = c->end, err = 0;
    if (!slept) {
        if (!s->src[end])
            return -EBADF;
        if (s->wr_shut[end]) /* checked before the length, as Linux does */
            return -EPIPE;
        if (c->len && !c->wbuf)
            return -EFAULT;
    }
    while (c->done < c->len) {
        err = write_once(c, may_block);
        if (!err)
            return VEPOLL__BLOCK;
        if (err < 0)
            break;
    }
    publish(s, end, 0);
    return c->done ? (ssize_t)c->done : err;
}

ssize_t vepoll_socketpair_write(vepoll_socketpair_t *s, int end,
                                const void *buf, size_t len,
                                int64_t timeout_ns)
{
    struct call c = {s, end, buf, NULL, vepoll__rw_len(len), 0, 0};
    int rc = end_error(s, end);
    return rc ? rc : vepoll__obj_call(&s->o, timeout_ns, write_step, &c);
}

ssize_t vepoll_socketpair_send(vepoll_socketpair_t *s, int end, const void *buf, size_t len,
                               int flags, int64_t timeout_ns)
{
    int rc = end_error(s, end);
    if (!rc)
        rc = msg_flags_error(flags, VEPOLL_MSG_DONTWAIT | VEPOLL_MSG_NOSIGNAL | VEPOLL_MSG_MORE,
                             -EOPNOTSUPP);
    if (rc)
        return rc;
    return vepoll_socketpair_write(s, end, buf, len,
                                   (flags & VEPOLL_MSG_DONTWAIT) ? 0 : timeout_ns);
}

int vepoll_socketpair_shutdown(vepoll_socketpair_t *s, int end, int how)
{
    int peer = 1 - end, ret = end_error(s, end);
    if (ret)
        return ret;
    vepoll__obj_lock(&s->o);
    if (!s->src[end]) {
        ret = -EBADF;
    } else if (how != VEPOLL_SHUT_RD && how != VEPOLL_SHUT_WR &&
               how != VEPOLL_SHUT_RDWR) {
        ret = -EINVAL;
    } else {
        if (how != VEPOLL_SHUT_WR) {
            s->rd_shut[end] = 1;
            if (s->src[peer])
                s->wr_shut[peer] = 1;
        }
        if (how != VEPOLL_SHUT_RD) {
            s->wr_shut[end] = 1;
            if (s->src[peer])
                s->rd_shut[peer] = 1;
        }
        /* unix_shutdown: sk_state_change on both, even if nothing changed */
        publish(s, end, VEPOLL__KEY_ALL);
        publish(s, peer, VEPOLL__KEY_ALL);
        vepoll__obj_wake(&s->o);
    }
    vepoll__obj_unlock(&s->o);
    return ret;
}

/* unix_release_sock: unread data of the closer resets the peer; both ends
 * are fully shut; the closer's queue is purged, which frees the peer's
 * chunks (its write space comes back). */
static void end_closed(struct vepoll__obj *o, int end)
{
    struct vepoll_socketpair *s = (struct vepoll_socketpair *)o;
    struct queue *q = &s->q[end];
    int peer = 1 - end;
    if (unread(q) && s->src[peer])
        s->err[peer] = 1;
    q->rpos = q->fpos = q->wpos;
    q->ctail = q->chead;
    s->rd_shut[0] = s->rd_shut[1] = 1;
    s->wr_shut[0] = s->wr_shut[1] = 1;
    publish(s, peer, VEPOLL__KEY_ALL);
}

int vepoll_socketpair_close(vepoll_socketpair_t *s, int end)
{
    int rc = end_error(s, end);
    return rc ? rc : vepoll__obj_close(&s->o, &s->src[end], end, end_closed);
}
