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
 * Concurrency contract: everything under p->o.mu (objwait.h); calls hold a
 * reference for their whole duration; sources are closed outside the mutex
 * after their pointer was cleared under it.
 */
#include <errno.h>
#include <string.h>

#include "vepoll_core.h"
#include "objwait.h"
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
    struct vepoll__obj o;
    vepoll_source_t *src[2]; /* NULL once that end is closed */
    int nonblock;
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

static void destroy(struct vepoll_pipe *p)
{
    size_t n = p->nslots;
    vepoll__obj_destroy(&p->o);
    vepoll__free(p, block_size(n));
}

static void leave(struct vepoll_pipe *p)
{
    if (vepoll__obj_leave(&p->o))
        destroy(p);
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
    struct vepoll_pipe *p;
    size_t nslots;
    int rc;
    if (!out || (flags & ~VEPOLL_NONBLOCK) || capacity > MAX_CAPACITY)
        return -EINVAL;
    nslots = round_slots(capacity ? capacity : DEFAULT_CAPACITY);
    p = vepoll__alloc(block_size(nslots));
    if (!p)
        return -ENOMEM;
    memset(p, 0, sizeof(*p));
    p->nonblock = (flags & VEPOLL_NONBLOCK) != 0;
    p->nslots = nslots;
    p->slot = (struct slot *)(p + 1);
    p->data = (unsigned char *)(p->slot + nslots);
    rc = vepoll__obj_init(&p->o, 2);
    if (rc)
        goto err_free;
    rc = vepoll_source_create(&p->src[VEPOLL_PIPE_READ], 0);
    if (rc)
        goto err_obj;
    rc = vepoll_source_create(&p->src[VEPOLL_PIPE_WRITE], WR_BITS);
    if (rc)
        goto err_src;
    *out = p;
    return 0;
err_src:
    vepoll_source_close(p->src[VEPOLL_PIPE_READ]);
err_obj:
    vepoll__obj_destroy(&p->o);
err_free:
    vepoll__free(p, block_size(nslots));
    return rc;
}

vepoll_source_t *vepoll_pipe_source(vepoll_pipe_t *p, int end)
{
    vepoll_source_t *s;
    if (!p || (end != VEPOLL_PIPE_READ && end != VEPOLL_PIPE_WRITE))
        return NULL;
    vepoll__obj_enter(&p->o);
    pthread_mutex_lock(&p->o.mu);
    s = p->src[end];
    pthread_mutex_unlock(&p->o.mu);
    leave(p);
    return s;
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
    vepoll__obj_enter(&p->o);
    pthread_mutex_lock(&p->o.mu);
    n = p->bytes;
    pthread_mutex_unlock(&p->o.mu);
    leave(p);
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

ssize_t vepoll_pipe_read(vepoll_pipe_t *p, void *buf, size_t len,
                         int64_t timeout_ns)
{
    struct vepoll__deadline d;
    ssize_t ret;
    int slept = 0, timed_out = 0;
    if (!p)
        return -EBADF;
    if (len > VEPOLL__MAX_RW)
        len = VEPOLL__MAX_RW;
    vepoll__obj_enter(&p->o);
    vepoll__deadline_init(&d, timeout_ns, p->nonblock);
    pthread_mutex_lock(&p->o.mu);
    for (;;) {
        if (!p->src[VEPOLL_PIPE_READ]) {
            ret = -EBADF;
            break;
        }
        if (!len) {
            ret = 0;
            break;
        }
        if (!buf) {
            ret = -EFAULT;
            break;
        }
        if (used(p)) {
            int was_full = full(p);
            ret = (ssize_t)take(p, buf, len);
            publish(p, slept && used(p) ? RD_BITS : 0,
                    was_full && !full(p) ? WR_BITS : 0);
            vepoll__obj_wake(&p->o);
            break;
        }
        if (!p->src[VEPOLL_PIPE_WRITE]) {
            ret = 0; /* EOF */
            break;
        }
        if (d.mode == VEPOLL__NOWAIT || timed_out) {
            ret = -EAGAIN;
            break;
        }
        timed_out = vepoll__obj_wait(&p->o, &d) == -ETIMEDOUT;
        slept = 1;
    }
    pthread_mutex_unlock(&p->o.mu);
    leave(p);
    return ret;
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

ssize_t vepoll_pipe_write(vepoll_pipe_t *p, const void *buf, size_t len,
                          int64_t timeout_ns)
{
    const unsigned char *b = buf;
    struct vepoll__deadline d;
    size_t done = 0, chars;
    ssize_t ret;
    int was_empty, slept = 0, timed_out = 0;
    if (!p)
        return -EBADF;
    if (len > VEPOLL__MAX_RW)
        len = VEPOLL__MAX_RW;
    vepoll__obj_enter(&p->o);
    vepoll__deadline_init(&d, timeout_ns, p->nonblock);
    pthread_mutex_lock(&p->o.mu);
    if (!p->src[VEPOLL_PIPE_WRITE]) {
        ret = -EBADF;
        goto unlock;
    }
    if (!len) {
        ret = 0;
        goto unlock;
    }
    if (!buf) {
        ret = -EFAULT;
        goto unlock;
    }
    if (!p->src[VEPOLL_PIPE_READ]) {
        ret = -EPIPE;
        goto unlock;
    }
    was_empty = !used(p);
    chars = len % PAGE;
    if (chars && !was_empty)
        done = merge(p, b, chars);
    while (done < len) {
        if (!p->src[VEPOLL_PIPE_WRITE] || !p->src[VEPOLL_PIPE_READ])
            break; /* closed while we slept: reported below */
        if (!full(p)) {
            done += fill(p, b + done, len - done);
            continue;
        }
        if (d.mode == VEPOLL__NOWAIT || timed_out)
            break;
        /* Let the reader see what is there before sleeping (Linux wakes
         * it here only if this write made the pipe non-empty). */
        publish(p, was_empty ? RD_BITS : 0, 0);
        vepoll__obj_wake(&p->o);
        timed_out = vepoll__obj_wait(&p->o, &d) == -ETIMEDOUT;
        was_empty = !used(p);
        slept = 1;
    }
    if (done)
        ret = (ssize_t)done;
    else if (!p->src[VEPOLL_PIPE_WRITE])
        ret = -EBADF;
    else if (!p->src[VEPOLL_PIPE_READ])
        ret = -EPIPE;
    else
        ret = -EAGAIN;
    /* Every write wakes the reader, even one that ended with -EAGAIN (Linux
     * 6.x, once the pipe has been polled: S039). */
    publish(p, RD_BITS, slept && !full(p) ? WR_BITS : 0);
    if (done)
        vepoll__obj_wake(&p->o);
unlock:
    pthread_mutex_unlock(&p->o.mu);
    leave(p);
    return ret;
}

int vepoll_pipe_close(vepoll_pipe_t *p, int end)
{
    vepoll_source_t *src;
    if (!p)
        return -EBADF;
    if (end != VEPOLL_PIPE_READ && end != VEPOLL_PIPE_WRITE)
        return -EINVAL;
    vepoll__obj_enter(&p->o);
    pthread_mutex_lock(&p->o.mu);
    src = p->src[end];
    if (src) {
        p->src[end] = NULL;
        /* pipe_release: wake the other end with key 0 (HUP / ERR). */
        publish(p, VEPOLL__KEY_ALL, VEPOLL__KEY_ALL);
        vepoll__obj_wake(&p->o);
    }
    pthread_mutex_unlock(&p->o.mu);
    if (!src) {
        leave(p);
        return -EBADF;
    }
    vepoll_source_close(src);
    leave(p); /* the call's reference */
    leave(p); /* the end's */
    return 0;
}
