/*
 * The ready-made objects' skeleton: lock, lifetime, blocking with a
 * deadline, the call loop and the final close of an end.  The concurrency
 * contract is in obj.h.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "obj.h"
#include "vepoll_core.h"

int vepoll__obj_open(struct vepoll__obj *o, int nonblock,
                     void (*dealloc)(struct vepoll__obj *o), unsigned ends,
                     vepoll_source_t **src, const uint32_t *ready)
{
    unsigned made = 0;
    int rc;
    o->waiters = 0;
    o->nonblock = nonblock;
    o->pinned = 0; /* the creator sets it before it hands the object out */
    o->dealloc = dealloc;
    AO_store(&o->refs, ends);
    rc = -pthread_mutex_init(&o->mu, NULL);
    if (rc)
        return rc;
    rc = vepoll__park_init(&o->park);
    if (rc) {
        pthread_mutex_destroy(&o->mu);
        return rc;
    }
    for (; made < ends; made++) {
        rc = vepoll_source_create(&src[made], ready[made]);
        if (rc)
            goto err_src;
    }
    return 0;
err_src:
    while (made--)
        vepoll_source_close(src[made]);
    vepoll__obj_fini(o);
    return rc;
}

void vepoll__obj_fini(struct vepoll__obj *o)
{
    vepoll__park_destroy(&o->park);
    pthread_mutex_destroy(&o->mu);
}

void vepoll__obj_enter(struct vepoll__obj *o)
{
    AO_fetch_and_add1_full(&o->refs);
}

void vepoll__obj_leave(struct vepoll__obj *o)
{
    /* Full barrier: the last dropper must see every other thread's writes
     * (made before their own drop) before it frees the object. */
    if (AO_fetch_and_sub1_full(&o->refs) == 1)
        o->dealloc(o);
}

void vepoll__obj_lock(struct vepoll__obj *o)
{
    vepoll__obj_enter(o);
    pthread_mutex_lock(&o->mu);
}

void vepoll__obj_unlock(struct vepoll__obj *o)
{
    pthread_mutex_unlock(&o->mu);
    vepoll__obj_leave(o);
}

void vepoll__obj_wake(struct vepoll__obj *o)
{
    if (o->waiters)
        vepoll__park_wake(&o->park, 1);
}

/* How a call may block, fixed when it starts. */
struct deadline {
    enum { NOWAIT, FOREVER, TIMED } mode;
    struct timespec at; /* TIMED: absolute CLOCK_MONOTONIC */
};

/* timeout_ns 0 or nonblock: never block; < 0: forever; > 0: until
 * now + timeout_ns (saturating). */
static void deadline_init(struct deadline *d, int64_t timeout_ns, int nonblock)
{
    if (nonblock || timeout_ns == 0) {
        d->mode = NOWAIT;
        return;
    }
    if (timeout_ns < 0) {
        d->mode = FOREVER;
        return;
    }
    d->mode = TIMED;
    d->at = vepoll__timespec(vepoll__deadline_ns(timeout_ns));
}

/* Under mu, mode != NOWAIT: parks until woken (or spuriously), with mu
 * released meanwhile (obj.h: the word is read and the caller counted before
 * the release).  0, -ETIMEDOUT once the deadline has passed, or -EINTR when
 * the calling thread's interrupt handle is pending. */
static int sleep_once(struct vepoll__obj *o, const struct deadline *d)
{
    unsigned int seq = vepoll__park_prepare(&o->park);
    int rc;
    o->waiters++;
    pthread_mutex_unlock(&o->mu);
    rc = vepoll__park_wait(&o->park, seq, d->mode == FOREVER ? NULL : &d->at);
    pthread_mutex_lock(&o->mu);
    o->waiters--;
    return rc;
}

ssize_t vepoll__obj_call(struct vepoll__obj *o, int64_t timeout_ns,
                         vepoll__obj_step *step, void *call)
{
    struct deadline d;
    ssize_t ret;
    int slept = 0, timed_out = 0, interrupted = 0, pinned = o->pinned;
    if (!pinned)
        vepoll__obj_enter(o);
    deadline_init(&d, timeout_ns, o->nonblock);
    pthread_mutex_lock(&o->mu);
    while ((ret = step(call, d.mode != NOWAIT && !timed_out && !interrupted, slept)) ==
           VEPOLL__BLOCK) {
        int rc = sleep_once(o, &d);
        timed_out = rc == -ETIMEDOUT;
        interrupted = rc == -EINTR;
        slept = 1;
    }
    pthread_mutex_unlock(&o->mu);
    if (!pinned)
        vepoll__obj_leave(o);
    /* The last step answered as a non-blocking call: data first, a write
     * counts what it moved, and "would block" is the interrupt's. */
    return interrupted && ret == -EAGAIN ? -EINTR : ret;
}

ssize_t vepoll__obj_call_copy(struct vepoll__obj *o, int64_t timeout_ns, vepoll__obj_step *step,
                              void *call, void *buf, const void *val, size_t n)
{
    ssize_t ret = vepoll__obj_call(o, timeout_ns, step, call);
    if (ret > 0)
        memcpy(buf, val, n);
    return ret;
}

vepoll_source_t *vepoll__obj_source(struct vepoll__obj *o,
                                    vepoll_source_t *const *src)
{
    vepoll_source_t *s;
    vepoll__obj_lock(o);
    s = *src;
    vepoll__obj_unlock(o);
    return s;
}

int vepoll__obj_close(struct vepoll__obj *o, vepoll_source_t **src, int end,
                      void (*closed)(struct vepoll__obj *o, int end))
{
    vepoll_source_t *s;
    vepoll__obj_lock(o);
    s = *src;
    if (s) {
        *src = NULL;
        if (closed)
            closed(o, end);
        vepoll__obj_wake(o);
    }
    pthread_mutex_unlock(&o->mu);
    if (s) {
        vepoll_source_close(s);
        vepoll__obj_leave(o); /* the end's reference */
    }
    vepoll__obj_leave(o); /* the call's */
    return s ? 0 : -EBADF;
}
