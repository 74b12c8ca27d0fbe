/*
 * The ready-made eventfd: Linux's fs/eventfd.c in user space.
 *
 * Sizes (eventfd_read / eventfd_write): a read needs at least 8 bytes, a
 * write exactly 8; both move 8.
 *
 * Readiness (eventfd_poll): IN while the counter is > 0, OUT while it is
 * below VEPOLL_EFD_MAX (a write of 1 could succeed).  Wake-up keys: every
 * successful write wakes with IN -- a write of 0 included, which reports
 * nothing if the counter is 0 (S040) -- and every successful read wakes with
 * OUT (S046).  Failed calls wake nobody.
 *
 * Concurrency contract: the skeleton's (obj.h): everything under e->o.mu,
 * read and write are vepoll__obj_call steps (run under it, holding a
 * reference for the whole call unless the creator pinned the eventfd with
 * VEPOLL_CALLER_PINS), and close goes through vepoll__obj_close
 * (the source is closed outside the mutex after its pointer was cleared
 * under it).
 */
#include <errno.h>
#include <string.h>

#include "vepoll_core.h"
#include "obj.h"
#include "vepoll_objects.h"

struct vepoll_eventfd {
    struct vepoll__obj o; /* first: the skeleton's callbacks cast it back */
    vepoll_source_t *src; /* NULL once closed */
    uint64_t count;
    int semaphore;
};

static uint32_t ready(const struct vepoll_eventfd *e)
{
    return (e->count > 0 ? VEPOLL_IN : 0) |
           (e->count < VEPOLL_EFD_MAX ? VEPOLL_OUT : 0);
}

static void dealloc(struct vepoll__obj *o)
{
    vepoll__obj_fini(o);
    vepoll__free(o, sizeof(struct vepoll_eventfd));
}

int vepoll_eventfd_create(vepoll_eventfd_t **out, uint64_t initval, int flags)
{
    struct vepoll_eventfd *e;
    uint32_t now;
    int rc;
    if (!out || (flags & ~(VEPOLL_EFD_SEMAPHORE | VEPOLL_NONBLOCK | VEPOLL_CALLER_PINS)) ||
        initval > VEPOLL_EFD_MAX)
        return -EINVAL;
    e = vepoll__calloc(sizeof(*e));
    if (!e)
        return -ENOMEM;
    e->count = initval;
    e->semaphore = (flags & VEPOLL_EFD_SEMAPHORE) != 0;
    now = ready(e);
    rc = vepoll__obj_open(&e->o, (flags & VEPOLL_NONBLOCK) != 0, dealloc, 1,
                          &e->src, &now);
    if (rc) {
        vepoll__free(e, sizeof(*e));
        return rc;
    }
    e->o.pinned = (flags & VEPOLL_CALLER_PINS) != 0;
    *out = e;
    return 0;
}

vepoll_source_t *vepoll_eventfd_source(vepoll_eventfd_t *e)
{
    return e ? vepoll__obj_source(&e->o, &e->src) : NULL;
}

struct call {
    struct vepoll_eventfd *e;
    const void *buf; /* checked for NULL; read copies out after the call */
    size_t len;
    uint64_t v;
};

/* The checks both calls start with, in Linux's order; 0 to go on. */
static int check(const struct call *c, int len_ok)
{
    if (!c->e->src)
        return -EBADF;
    if (!len_ok)
        return -EINVAL;
    return c->buf ? 0 : -EFAULT;
}

static ssize_t read_step(void *call, int may_block, int slept)
{
    struct call *c = call;
    struct vepoll_eventfd *e = c->e;
    int rc = check(c, c->len >= sizeof(c->v));
    (void)slept;
    if (rc)
        return rc;
    if (e->count) {
        c->v = e->semaphore ? 1 : e->count;
        e->count -= c->v;
        vepoll__source_publish(e->src, ready(e), VEPOLL_OUT);
        vepoll__obj_wake(&e->o);
        return (ssize_t)sizeof(c->v);
    }
    return may_block ? VEPOLL__BLOCK : -EAGAIN;
}

ssize_t vepoll_eventfd_read(vepoll_eventfd_t *e, void *buf, size_t len,
                            int64_t timeout_ns)
{
    struct call c = {e, buf, len, 0};
    if (!e)
        return -EBADF;
    return vepoll__obj_call_copy(&e->o, timeout_ns, read_step, &c, buf, &c.v, sizeof(c.v));
}

static ssize_t write_step(void *call, int may_block, int slept)
{
    struct call *c = call;
    struct vepoll_eventfd *e = c->e;
    /* Linux 6.x: a write moves exactly 8 bytes (a read at least 8). */
    int rc = check(c, c->len == sizeof(c->v));
    (void)slept;
    if (rc)
        return rc;
    memcpy(&c->v, c->buf, sizeof(c->v));
    if (c->v == UINT64_MAX)
        return -EINVAL;
    if (VEPOLL_EFD_MAX - e->count >= c->v) {
        e->count += c->v;
        vepoll__source_publish(e->src, ready(e), VEPOLL_IN);
        vepoll__obj_wake(&e->o);
        return (ssize_t)sizeof(c->v);
    }
    return may_block ? VEPOLL__BLOCK : -EAGAIN;
}

ssize_t vepoll_eventfd_write(vepoll_eventfd_t *e, const void *buf, size_t len,
                             int64_t timeout_ns)
{
    struct call c = {e, buf, len, 0};
    if (!e)
        return -EBADF;
    return vepoll__obj_call(&e->o, timeout_ns, write_step, &c);
}

int vepoll_eventfd_close(vepoll_eventfd_t *e)
{
    return e ? vepoll__obj_close(&e->o, &e->src, 0, NULL) : -EBADF;
}
