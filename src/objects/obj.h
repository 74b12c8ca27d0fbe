/*
 * The skeleton every ready-made object (pipe.c, eventfd.c, socketpair.c,
 * timerfd.c) is built on: the object lock, the lifetime count, blocking with
 * a timeout, and the call and close shapes they all share.  An object embeds a struct
 * vepoll__obj as its *first* member, so the callbacks below cast the
 * struct vepoll__obj * they are given back to the object.
 *
 * Concurrency contract
 * --------------------
 * - Every field of an object is guarded by its `mu`; blocked callers park
 *   on `park` (the core's parking word, vepoll_core.h) and are counted in
 *   `waiters`.  Any state change that can let a blocked caller proceed
 *   (data, space, shutdown, close) happens under `mu` and is followed by
 *   vepoll__obj_wake before `mu` is released.  A caller that checked its
 *   condition under `mu` reads the park word, counts itself in `waiters`,
 *   still under `mu`, and only then releases `mu` and parks: a wake that
 *   comes after the release has seen `waiters` and moved the word, so the
 *   park returns at once and nothing is missed.  Steps (vepoll__obj_call)
 *   and close callbacks run under `mu`.
 * - Interruption: parking is what makes a blocked call interruptible by its
 *   thread's vepoll_intr handle.  A call whose park returns -EINTR runs its
 *   step once more without blocking: what is there is taken (or what was
 *   moved is counted), and "would block" becomes -EINTR, so an interrupted
 *   call consumes nothing, as Linux's pipe_read / pipe_write do.
 * - Readiness is published under `mu` (vepoll__source_publish: the producer
 *   hook, lock-free, never blocks, so holding `mu` is fine).  An end's
 *   source pointer is cleared under `mu` before vepoll_source_close runs
 *   outside it (vepoll__obj_close), so no publish can race with that close.
 * - Lifetime: `refs` counts open ends plus calls in progress.  Every public
 *   call takes a reference (vepoll__obj_call, vepoll__obj_lock) before it
 *   touches anything else and drops it on return; a close drops the end's
 *   reference too.  Whoever drops the last one (holding no lock) frees the
 *   object through its `dealloc` callback, so a thread blocked in a call
 *   while the final close runs wakes up (-EBADF or its result), leaves, and
 *   only then is the memory freed.  A call that *starts* after the final close
 *   has started is a use after free, exactly like using a descriptor number
 *   after close.
 * - Pinned objects (`pinned`, VEPOLL_CALLER_PINS at creation): the caller
 *   promises that no close of an end runs while a call on it is in
 *   progress (the WASIX table closes a description only when its last
 *   holder is done), so the end's own reference keeps the object alive for
 *   every call and vepoll__obj_call takes none: two atomic read-modify-
 *   writes fewer per call.  The lock and everything under it are the same.
 * - A vepoll wake-up callback (vepoll_set_wakeup) runs inside publish, under
 *   `mu`: it must not call these objects (documented in vepoll_objects.h).
 */
#ifndef VEPOLL_OBJ_H
#define VEPOLL_OBJ_H

#include <atomic_ops.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include "vepoll_core.h"

/* Linux refuses to move more than this in one read/write (MAX_RW_COUNT). */
#define VEPOLL__MAX_RW ((size_t)0x7ffff000)

static inline size_t vepoll__rw_len(size_t len)
{
    return len > VEPOLL__MAX_RW ? VEPOLL__MAX_RW : len;
}

/* The checks a pipe or socket read/write starts with, in Linux's order:
 * the end is closed (-EBADF), nothing to move (0), no buffer (-EFAULT).
 * 1 to go on. */
static inline ssize_t vepoll__rw_check(const vepoll_source_t *end,
                                       const void *buf, size_t len)
{
    if (!end)
        return -EBADF;
    if (!len)
        return 0;
    return buf ? 1 : -EFAULT;
}

struct vepoll__obj {
    pthread_mutex_t mu;
    struct vepoll__park park; /* blocked callers sleep here */
    unsigned waiters;         /* callers parked or about to park (under mu) */
    AO_t refs;        /* open ends + calls in progress */
    int nonblock;     /* VEPOLL_NONBLOCK: calls never block (immutable) */
    int pinned;       /* VEPOLL_CALLER_PINS: calls take no reference (immutable) */
    void (*dealloc)(struct vepoll__obj *o); /* frees the memory (last leave) */
};

/* Initialises o with one reference per end and creates the ends' sources
 * (src[0..ends), with initial readiness ready[i]).  0, or a negative errno
 * with nothing left to undo but the object's own memory. */
int vepoll__obj_open(struct vepoll__obj *o, int nonblock,
                     void (*dealloc)(struct vepoll__obj *o), unsigned ends,
                     vepoll_source_t **src, const uint32_t *ready);
/* Undoes the lock part of vepoll__obj_open (for dealloc callbacks). */
void vepoll__obj_fini(struct vepoll__obj *o);

/* A reference (the object must be alive: the caller holds one already),
 * and dropping one (maybe freeing o). */
void vepoll__obj_enter(struct vepoll__obj *o);
void vepoll__obj_leave(struct vepoll__obj *o);
/* A call in progress: a reference, then the lock (see the contract). */
void vepoll__obj_lock(struct vepoll__obj *o);
/* The lock released, then the reference dropped (maybe freeing o). */
void vepoll__obj_unlock(struct vepoll__obj *o);
/* Under mu: wakes every parked caller. */
void vepoll__obj_wake(struct vepoll__obj *o);

/*
 * One step of a call, under mu: it checks the call's arguments and the
 * object's state and either answers (bytes moved, 0, or a negative errno)
 * or returns VEPOLL__BLOCK to sleep until the next wake-up and be called
 * again.  may_block: it may still ask to sleep (the call is not
 * non-blocking, its timeout has not expired and its thread was not
 * interrupted); once it is 0 the step must answer, -EAGAIN where it would
 * block (consuming nothing then).  slept: the call has parked before (so 0
 * on the first step only).
 */
#define VEPOLL__BLOCK (-(ssize_t)4096) /* no errno is this large */
typedef ssize_t vepoll__obj_step(void *call, int may_block, int slept);

/* The blocking call: takes a reference (none if pinned) and the lock, runs `step` until it
 * answers, sleeping in between (timeout_ns 0 or a non-blocking object:
 * never; < 0: without limit; > 0: at least that long, CLOCK_MONOTONIC),
 * then unlocks, leaves and returns the step's answer; -EINTR instead of
 * the step's -EAGAIN when the calling thread's interrupt handle ended the
 * sleep (vepoll_intr_*). */
ssize_t vepoll__obj_call(struct vepoll__obj *o, int64_t timeout_ns,
                         vepoll__obj_step *step, void *call);

/* vepoll__obj_call for a read whose step leaves an n-byte value at val (in
 * the call): the value is copied to buf when the step answered > 0. */
ssize_t vepoll__obj_call_copy(struct vepoll__obj *o, int64_t timeout_ns, vepoll__obj_step *step,
                              void *call, void *buf, const void *val, size_t n);

/* The source behind *src, read under the lock (NULL once closed). */
vepoll_source_t *vepoll__obj_source(struct vepoll__obj *o,
                                    vepoll_source_t *const *src);

/* The final close of one end, whose source pointer is *src: under mu the
 * pointer is cleared, closed(o, end) runs (may be NULL: state changes and
 * the wake-ups Linux sends) and every sleeping caller is woken; outside mu
 * the source is closed and the end's reference dropped.  0, or -EBADF if
 * the end was closed already. */
int vepoll__obj_close(struct vepoll__obj *o, vepoll_source_t **src, int end,
                      void (*closed)(struct vepoll__obj *o, int end));

#endif
