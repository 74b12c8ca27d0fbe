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
 * Concurrency contract: everything under e->o.mu (objwait.h); calls hold a
 * reference for their whole duration; the source is closed outside the
 * mutex after its pointer was cleared under it.
 */
#include <errno.h>
#include <string.h>

#include "vepoll_core.h"
#include "objwait.h"
#include "vepoll_objects.h"

struct vepoll_eventfd {
    struct vepoll__obj o;
    vepoll_source_t *src; /* NULL once closed */
    uint64_t count;
    int semaphore;
    int nonblock;
};

static uint32_t ready(const struct vepoll_eventfd *e)
{
    return (e->count > 0 ? VEPOLL_IN : 0) |
           (e->count < VEPOLL_EFD_MAX ? VEPOLL_OUT : 0);
}

static void leave(struct vepoll_eventfd *e)
{
    if (vepoll__obj_leave(&e->o)) {
        vepoll__obj_destroy(&e->o);
        vepoll__free(e, sizeof(*e));
    }
}

int vepoll_eventfd_create(vepoll_eventfd_t **out, uint64_t initval, int flags)
{
    struct vepoll_eventfd *e;
    int rc;
    if (!out || (flags & ~(VEPOLL_EFD_SEMAPHORE | VEPOLL_NONBLOCK)) ||
        initval > VEPOLL_EFD_MAX)
        return -EINVAL;
    e = vepoll__calloc(sizeof(*e));
    if (!e)
        return -ENOMEM;
    e->count = initval;
    e->semaphore = (flags & VEPOLL_EFD_SEMAPHORE) != 0;
    e->nonblock = (flags & VEPOLL_NONBLOCK) != 0;
    rc = vepoll__obj_init(&e->o, 1);
    if (rc)
        goto err_free;
    rc = vepoll_source_create(&e->src, ready(e));
    if (rc)
        goto err_obj;
    *out = e;
    return 0;
err_obj:
    vepoll__obj_destroy(&e->o);
err_free:
    vepoll__free(e, sizeof(*e));
    return rc;
}

vepoll_source_t *vepoll_eventfd_source(vepoll_eventfd_t *e)
{
    vepoll_source_t *s;
    if (!e)
        return NULL;
    vepoll__obj_enter(&e->o);
    pthread_mutex_lock(&e->o.mu);
    s = e->src;
    pthread_mutex_unlock(&e->o.mu);
    leave(e);
    return s;
}

ssize_t vepoll_eventfd_read(vepoll_eventfd_t *e, void *buf, size_t len,
                            int64_t timeout_ns)
{
    struct vepoll__deadline d;
    uint64_t v = 0;
    ssize_t ret;
    int timed_out = 0;
    if (!e)
        return -EBADF;
    vepoll__obj_enter(&e->o);
    vepoll__deadline_init(&d, timeout_ns, e->nonblock);
    pthread_mutex_lock(&e->o.mu);
    for (;;) {
        if (!e->src) {
            ret = -EBADF;
            break;
        }
        if (len < sizeof(v)) {
            ret = -EINVAL;
            break;
        }
        if (!buf) {
            ret = -EFAULT;
            break;
        }
        if (e->count) {
            v = e->semaphore ? 1 : e->count;
            e->count -= v;
            vepoll__source_publish(e->src, ready(e), VEPOLL_OUT);
            vepoll__obj_wake(&e->o);
            ret = (ssize_t)sizeof(v);
            break;
        }
        if (d.mode == VEPOLL__NOWAIT || timed_out) {
            ret = -EAGAIN;
            break;
        }
        timed_out = vepoll__obj_wait(&e->o, &d) == -ETIMEDOUT;
    }
    pthread_mutex_unlock(&e->o.mu);
    if (ret > 0)
        memcpy(buf, &v, sizeof(v));
    leave(e);
    return ret;
}

ssize_t vepoll_eventfd_write(vepoll_eventfd_t *e, const void *buf, size_t len,
                             int64_t timeout_ns)
{
    struct vepoll__deadline d;
    uint64_t v;
    ssize_t ret;
    int timed_out = 0;
    if (!e)
        return -EBADF;
    vepoll__obj_enter(&e->o);
    vepoll__deadline_init(&d, timeout_ns, e->nonblock);
    pthread_mutex_lock(&e->o.mu);
    for (;;) {
        if (!e->src) {
            ret = -EBADF;
            break;
        }
        if (len != sizeof(v)) { /* Linux 6.x: exactly 8 (reads: at least 8) */
            ret = -EINVAL;
            break;
        }
        if (!buf) {
            ret = -EFAULT;
            break;
        }
        memcpy(&v, buf, sizeof(v));
        if (v == UINT64_MAX) {
            ret = -EINVAL;
            break;
        }
        if (VEPOLL_EFD_MAX - e->count >= v) {
            e->count += v;
            vepoll__source_publish(e->src, ready(e), VEPOLL_IN);
            vepoll__obj_wake(&e->o);
            ret = (ssize_t)sizeof(v);
            break;
        }
        if (d.mode == VEPOLL__NOWAIT || timed_out) {
            ret = -EAGAIN;
            break;
        }
        timed_out = vepoll__obj_wait(&e->o, &d) == -ETIMEDOUT;
    }
    pthread_mutex_unlock(&e->o.mu);
    leave(e);
    return ret;
}

int vepoll_eventfd_close(vepoll_eventfd_t *e)
{
    vepoll_source_t *src;
    if (!e)
        return -EBADF;
    vepoll__obj_enter(&e->o);
    pthread_mutex_lock(&e->o.mu);
    src = e->src;
    e->src = NULL;
    vepoll__obj_wake(&e->o);
    pthread_mutex_unlock(&e->o.mu);
    if (!src) {
        leave(e);
        return -EBADF;
    }
    vepoll_source_close(src);
    leave(e);
    leave(e);
    return 0;
}
