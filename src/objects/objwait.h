/*
 * Shared machinery of the ready-made objects (pipe.c, eventfd.c,
 * socketpair.c): the object lock, blocking with a timeout, the lifetime
 * count, and publishing readiness with a Linux wake-up key.
 *
 * Concurrency contract
 * --------------------
 * - Every field of an object is guarded by its `mu`; blocked callers sleep on
 *   `cv` (CLOCK_MONOTONIC) and are counted in `waiters`.  Any state change
 *   that can let a blocked caller proceed (data, space, shutdown, close)
 *   happens under `mu` and is followed by vepoll__obj_wake before `mu` is
 *   released, so a caller that checked its condition under `mu` and then
 *   sleeps cannot miss it (the condvar releases `mu` atomically).
 * - Readiness is published under `mu` (vepoll__source_publish: the producer
 *   hook, lock-free, never blocks, so holding `mu` is fine).  The end's
 *   source pointer is cleared under `mu` before vepoll_source_close runs
 *   outside it, so no publish can race with that close.
 * - Lifetime: `refs` counts open ends plus calls in progress.  Every public
 *   call takes a reference before it touches anything else and drops it on
 *   return; a close drops the end's reference too.  Whoever drops the last
 *   one (holding no lock) destroys the object, so a thread blocked in a call
 *   while the final close runs wakes up (-EBADF or its result), leaves, and
 *   only then is the memory freed.  A call that *starts* after the final
 *   close has started is a use after free, exactly like using a descriptor
 *   number after close.
 * - A vepoll wake-up callback (vepoll_set_wakeup) runs inside publish, under
 *   `mu`: it must not call these objects (documented in vepoll_objects.h).
 */
#ifndef VEPOLL_OBJWAIT_H
#define VEPOLL_OBJWAIT_H

#include <atomic_ops.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "vepoll_core.h"

/* Linux refuses to move more than this in one read/write (MAX_RW_COUNT). */
#define VEPOLL__MAX_RW ((size_t)0x7ffff000)

struct vepoll__obj {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned waiters; /* callers sleeping on cv (under mu) */
    AO_t refs;        /* open ends + calls in progress */
};

int vepoll__obj_init(struct vepoll__obj *o, unsigned ends);
void vepoll__obj_destroy(struct vepoll__obj *o);

/* A call in progress holds a reference (see the contract above). */
void vepoll__obj_enter(struct vepoll__obj *o);
/* Drops one reference; 1 if it was the last (the caller destroys). */
int vepoll__obj_leave(struct vepoll__obj *o);

/* How a call may block, fixed when it starts. */
struct vepoll__deadline {
    int mode; /* VEPOLL__NOWAIT, VEPOLL__FOREVER or VEPOLL__TIMED */
    struct timespec at; /* TIMED: absolute CLOCK_MONOTONIC */
};
enum { VEPOLL__NOWAIT, VEPOLL__FOREVER, VEPOLL__TIMED };

/* timeout_ns 0 or nonblock: never block; < 0: forever; > 0: until
 * now + timeout_ns (saturating). */
void vepoll__deadline_init(struct vepoll__deadline *d, int64_t timeout_ns,
                           int nonblock);

/* Under mu, mode != NOWAIT: sleeps until woken (or spuriously).  Returns 0,
 * or -ETIMEDOUT once the deadline has passed. */
int vepoll__obj_wait(struct vepoll__obj *o, const struct vepoll__deadline *d);
/* Under mu: wakes every sleeping caller. */
void vepoll__obj_wake(struct vepoll__obj *o);

#endif
