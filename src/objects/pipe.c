/*
 * The ready-made pipe: Linux's pipe buffer (fs/pipe.c) in user space.
 *
 * Layout.  A ring of `nslots` slots of VEPOLL_PIPE_BUF bytes, each holding
 * the bytes [off, off + len) of its page, as Linux's pipe_buffer array does.
 * A write first merges its odd remainder (len % 4096) into the last slot if
 * it fits there whole, then fills fresh slots a page at a time; a read frees
 * a slot once it has taken its last byte.  "Full" means every slot is in
 * use, whatever the bytes in them, so a pipe holds between nslots and
 * nslots * 4096 bytes depending on the write sizes -- exactly Linux's rule,
 * which the differential test compares byte for byte.
 *
 * Readiness and wake-up keys (Linux 6.x pipe_poll / pipe_read / pipe_write /
 * pipe_release):
 *   read end   IN|RDNORM while a slot is in use; HUP once the write end is
 *              closed.
 *   write end  OUT|WRNORM while a slot is free; ERR once the read end is
 *              closed.
 *   write      (len > 0, reader open, even when it ends with -EAGAIN) wakes
 *              the read end with IN|RDNORM: "every write is an event" (S039).
 *   read       that frees a slot of a full pipe wakes the write end with
 *              OUT|WRNORM (S031, S045; since Linux 6.14 a read that leaves
 *              the pipe full wakes nobody).
 *   blocking   a reader that slept wakes the next reader if data is left; a
 *              writer that slept wakes the next writer if a slot is free.
 *   close      of one end wakes the other with key 0 (every registration).
 *
 * Concurrency contract: the skeleton's (obj.h): everything under p->o.mu,
 * read and write are vepoll__obj_call steps (so they run under it and hold
 * a reference for the whole call, unless the creator pinned the pipe with
 * VEPOLL_CALLER_PINS), and a close goes through
 * vepoll__obj_close (the source is closed outside the mutex after its
 * pointer was cleared under it).
 */
#include <errno.h>
#include <string.h>

#include "vepoll_core.h"
#include "obj.h"
#include "vepoll_objects.h"

#define RD_BITS (VEPOLL_IN | VEPOLL_RDNORM)
#define WR_BITS (VEPOLL_OUT | VEPOLL_WRNORM)
#define PAGE ((size_t)VEPOLL_PIPE_BUF)
#define DEFAULT_CAPACITY ((size_t)65536)
#define MAX_CAPACITY ((size_t)1 << 30)

struct slot {
    uint32_t off, len;
};

struct vepoll_pipe {
    struct vepoll__obj o; /* first: the skeleton's callbacks cast it back */
    vepoll_source_t *src[2]; /* NULL once that end is closed */
    size_t nslots;
    size_t head, tail; /* slot counters: in use = head - tail */
    size_t bytes;      /* buffered bytes (FIONREAD) */
    struct slot *slot; /* nslots entries, inside this block */
    unsigned char *data; /* nslots pages, inside this block */
};

static size_t block_size(size_t nslots)
{
    return sizeof(struct vepoll_pipe) + nslots * sizeof(struct slot) +
           nslots * PAGE;
}

static int used(const struct vepoll_pipe *p)
{
    return p->head != p->tail;
}

static int full(const struct vepoll_pipe *p)
{
    return p->head - p->tail >= p->nslots;
}

static uint32_t r_ready(const struct vepoll_pipe *p)
{
    return (used(p) ? RD_BITS : 0) | (p->src[VEPOLL_PIPE_WRITE] ? 0 : VEPOLL_HUP);
}

static uint32_t w_ready(const struct vepoll_pipe *p)
{
    return (full(p) ? 0 : WR_BITS) | (p->src[VEPOLL_PIPE_READ] ? 0 : VEPOLL_ERR);
}

/* Publish both ends' readiness with the given wake keys (closed ends are
 * skipped). */
static void publish(struct vepoll_pipe *p, uint32_t rkey, uint32_t wkey)
{
    if (p->src[VEPOLL_PIPE_READ])
        vepoll__source_publish(p->src[VEPOLL_PIPE_READ], r_ready(p), rkey);
    if (p->src[VEPOLL_PIPE_WRITE])
        vepoll__source_publish(p->src[VEPOLL_PIPE_WRITE], w_ready(p), wkey);
}

static void dealloc(struct vepoll__obj *o)
{
    struct vepoll_pipe *p = (struct vepoll_pipe *)o;
    vepoll__obj_fini(o);
    vepoll__free(p, block_size(p->nslots));
}

/* Linux's round_pipe_size: whole pages, a power of two of them. */
static size_t round_slots(size_t capacity)
{
    size_t pages = (capacity + PAGE - 1) / PAGE, n = 1;
    while (n < pages)
        n <<= 1;
    return n;
}

int vepoll_pipe_create(vepoll_pipe_t **out, size_t capacity, int flags)
{
    static const uint32_t ready[2] = {[VEPOLL_PIPE_READ] = 0,
                                      [VEPOLL_PIPE_WRITE] = WR_BITS};
    struct vepoll_pipe *p;
    size_t nslots;
    int rc;
    if (!out || (flags & ~(VEPOLL_NONBLOCK | VEPOLL_CALLER_PINS)) || capacity > MAX_CAPACITY)
        return -EINVAL;
    nslots = round_slots(capacity ? capacity : DEFAULT_CAPACITY);
    p = vepoll__alloc(block_size(nslots));
    if (!p)
        return -ENOMEM;
    memset(p, 0, sizeof(*p));
    p->nslots = nslots;
    p->slot = (struct slot *)(p + 1);
    p->data = (unsigned char *)(p->slot + nslots);
    rc = vepoll__obj_open(&p->o, (flags & VEPOLL_NONBLOCK) != 0, dealloc, 2,
                          p->src, ready);
    if (rc) {
        vepoll__free(p, block_size(nslots));
        return rc;
    }
    p->o.pinned = (flags & VEPOLL_CALLER_PINS) != 0;
    *out = p;
    return 0;
}

vepoll_source_t *vepoll_pipe_source(vepoll_pipe_t *p, int end)
{
    if (!p || (end != VEPOLL_PIPE_READ && end != VEPOLL_PIPE_WRITE))
        return NULL;
    return vepoll__obj_source(&p->o, &p->src[end]);
}

size_t vepoll_pipe_capacity(vepoll_pipe_t *p)
{
    return p ? p->nslots * PAGE : 0;
}

size_t vepoll_pipe_pending(vepoll_pipe_t *p)
{
    size_t n;
    if (!p)
        return 0;
    vepoll__obj_lock(&p->o);
    n = p->bytes;
    vepoll__obj_unlock(&p->o);
    return n;
}

/* Takes up to len bytes from the tail slots; frees emptied slots. */
static size_t take(struct vepoll_pipe *p, unsigned char *buf, size_t len)
{
    size_t n = 0;
    while (n < len && used(p)) {
        size_t i = p->tail % p->nslots;
        struct slot *s = &p->slot[i];
        size_t k = len - n < s->len ? len - n : s->len;
        memcpy(buf + n, p->data + i * PAGE + s->off, k);
        s->off += (uint32_t)k;
        s->len -= (uint32_t)k;
        p->bytes -= k;
        n += k;
        if (!s->len)
            p->tail++;
    }
    return n;
}

struct read_call {
    struct vepoll_pipe *p;
    unsigned char *buf;
    size_t len;
};

static ssize_t read_step(void *call, int may_block, int slept)
{
    struct read_call *c = call;
    struct vepoll_pipe *p = c->p;
    ssize_t rc = vepoll__rw_check(p->src[VEPOLL_PIPE_READ], c->buf, c->len);
    if (rc <= 0)
        return rc;
    if (used(p)) {
        int was_full = full(p);
        ssize_t n = (ssize_t)take(p, c->buf, c->len);
        /* A reader that slept passes the wake-up on while data is left. */
        publish(p, slept && used(p) ? RD_BITS : 0,
                was_full && !full(p) ? WR_BITS : 0);
        vepoll__obj_wake(&p->o);
        return n;
    }
    if (!p->src[VEPOLL_PIPE_WRITE])
        return 0; /* EOF */
    return may_block ? VEPOLL__BLOCK : -EAGAIN;
}

ssize_t vepoll_pipe_read(vepoll_pipe_t *p, void *buf, size_t len,
                         int64_t timeout_ns)
{
    struct read_call c = {p, buf, vepoll__rw_len(len)};
    if (!p)
        return -EBADF;
    return vepoll__obj_call(&p->o, timeout_ns, read_step, &c);
}

/* Merges the first `chars` bytes into the last slot (Linux merges a write's
 * len % PAGE remainder there when it fits whole). */
static size_t merge(struct vepoll_pipe *p, const unsigned char *buf,
                    size_t chars)
{
    size_t i = (p->head - 1) % p->nslots;
    struct slot *s = &p->slot[i];
    size_t end = (size_t)s->off + s->len;
    if (end + chars > PAGE)
        return 0;
    memcpy(p->data + i * PAGE + end, buf, chars);
    s->len += (uint32_t)chars;
    p->bytes += chars;
    return chars;
}

/* Fills one fresh slot with up to a page. */
static size_t fill(struct vepoll_pipe *p, const unsigned char *buf, size_t len)
{
    size_t i = p->head % p->nslots;
    size_t k = len < PAGE ? len : PAGE;
    memcpy(p->data + i * PAGE, buf, k);
    p->slot[i].off = 0;
    p->slot[i].len = (uint32_t)k;
    p->head++;
    p->bytes += k;
    return k;
}

struct write_call {
    struct vepoll_pipe *p;
    const unsigned char *buf;
    size_t len, done;
};

/* The first step: the checks, in Linux's order, then the merge of the odd
 * remainder; 1 to go on. */
static ssize_t write_start(struct write_call *c)
{
    struct vepoll_pipe *p = c->p;
    size_t chars = c->len % PAGE;
    ssize_t rc = vepoll__rw_check(p->src[VEPOLL_PIPE_WRITE], c->buf, c->len);
    if (rc <= 0)
        return rc;
    if (!p->src[VEPOLL_PIPE_READ])
        return -EPIPE;
    if (chars && used(p))
        c->done = merge(p, c->buf, chars);
    return 1;
}

static ssize_t write_step(void *call, int may_block, int slept)
{
    struct write_call *c = call;
    struct vepoll_pipe *p = c->p;
    ssize_t ret;
    int was_empty;
    if (!slept) {
        ret = write_start(c);
        if (ret <= 0)
            return ret;
    }
    /* Empty when this write started or woke up (a merge needs data, so
     * it cannot have changed this). */
    was_empty = !used(p);
    while (c->done < c->len) {
        if (!p->src[VEPOLL_PIPE_WRITE] || !p->src[VEPOLL_PIPE_READ])
            break; /* closed while we slept: reported below */
        if (!full(p)) {
            c->done += fill(p, c->buf + c->done, c->len - c->done);
            continue;
        }
        if (!may_block)
            break;
        /* Let the reader see what is there before sleeping (Linux wakes
         * it here only if this write made the pipe non-empty). */
        publish(p, was_empty ? RD_BITS : 0, 0);
        vepoll__obj_wake(&p->o);
        return VEPOLL__BLOCK;
    }
    if (c->done)
        ret = (ssize_t)c->done;
    else if (!p->src[VEPOLL_PIPE_WRITE])
        ret = -EBADF;
    else if (!p->src[VEPOLL_PIPE_READ])
        ret = -EPIPE;
    else
        ret = -EAGAIN;
    /* Every write wakes the reader, even one that ended with -EAGAIN (Linux
     * 6.x, once the pipe has been polled: S039). */
    publish(p, RD_BITS, slept && !full(p) ? WR_BITS : 0);
    if (c->done)
        vepoll__obj_wake(&p->o);
    return ret;
}

ssize_t vepoll_pipe_write(vepoll_pipe_t *p, const void *buf, size_t len,
                          int64_t timeout_ns)
{
    struct write_call c = {p, buf, vepoll__rw_len(len), 0};
    if (!p)
        return -EBADF;
    return vepoll__obj_call(&p->o, timeout_ns, write_step, &c);
}

/* pipe_release: wake the other end with key 0 (HUP / ERR). */
static void end_closed(struct vepoll__obj *o, int end)
{
    (void)end;
    publish((struct vepoll_pipe *)o, VEPOLL__KEY_ALL, VEPOLL__KEY_ALL);
}

int vepoll_pipe_close(vepoll_pipe_t *p, int end)
{
    if (!p)
        return -EBADF;
    if (end != VEPOLL_PIPE_READ && end != VEPOLL_PIPE_WRITE)
        return -EINVAL;
    return vepoll__obj_close(&p->o, &p->src[end], end, end_closed);
}
