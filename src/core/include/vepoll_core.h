/*
 * The core's interface to the tiers above it (the ready-made objects and the
 * WASIX adapter).  It is the only core header those tiers see (their include
 * path holds this folder, not src/core), so everything they may call is
 * here: memory from the allocator hook, the monotonic clock, parking a
 * blocked thread (interruptible by its vepoll_intr handle), publishing an
 * object's readiness with a Linux wake-up key, and the kernel wait (real
 * descriptors watched in the core's kernel epoll set).
 *
 * Concurrency: vepoll__alloc/calloc/free may run on any thread (see
 * alloc.c); the clock helpers are pure; parking has its own contract
 * below; vepoll__source_publish follows the
 * producer hook's contract (hook.c): lock-free, never allocates, and must
 * not race with vepoll_source_close of the same source.  The kernel-wait
 * calls may run on any thread; their contract is in kwait.h.
 */
#ifndef VEPOLL_CORE_H
#define VEPOLL_CORE_H

#include <atomic_ops.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "vepoll.h"

/* ---- memory (the allocator hook, vepoll_set_allocator) ------------------ */

void *vepoll__alloc(size_t size);
void *vepoll__calloc(size_t size);
/* size: what was allocated (the hook's free receives it). */
void vepoll__free(void *ptr, size_t size);

/* ---- the monotonic clock (clock.c) --------------------------------------- */

#define VEPOLL__NS_PER_SEC INT64_C(1000000000)

/* CLOCK_MONOTONIC now, in nanoseconds. */
int64_t vepoll__now_ns(void);
/* The absolute CLOCK_MONOTONIC time timeout_ns (> 0) from now, saturating at
 * INT64_MAX instead of overflowing. */
int64_t vepoll__deadline_ns(int64_t timeout_ns);
/* An absolute nanosecond time as a timespec. */
struct timespec vepoll__timespec(int64_t ns);
/* A mutex and a condition variable that times out on CLOCK_MONOTONIC (a
 * deadline must not move with the wall clock): 0, or a negative errno with
 * nothing left initialised. */
int vepoll__monocond_init(pthread_mutex_t *mu, pthread_cond_t *cv);
void vepoll__monocond_destroy(pthread_mutex_t *mu, pthread_cond_t *cv);

/* ---- parking a blocked thread (park_futex.c / park_condvar.c) ------------ */

/*
 * A word blocked threads sleep on (the protocol is in src/core/park.h).  A
 * caller that sleeps until some state changes reads the word with
 * vepoll__park_prepare while that state cannot change (under the lock that
 * guards it, or after a full barrier that pairs with the waker's), then
 * waits; whoever changes the state wakes the word afterwards.  A wake that
 * lands between the prepare and the wait makes the wait return at once, so
 * none is lost.
 *
 * The point of parking rather than sleeping on a condition variable: the
 * calling thread's interrupt handle (vepoll_intr_*) sees the word.  While
 * the handle is pending, vepoll__park_wait returns -EINTR instead of
 * sleeping, and a raise wakes a thread asleep in it: at once with the futex
 * back end, within one 10 ms slice with the condvar one (a signal handler
 * cannot signal a condition variable; park_condvar.c is the one home of
 * that rule).
 *
 * Concurrency: prepare/wait on the sleeping thread, wake on any thread; the
 * memory of the struct must outlive every thread parked on it (the caller
 * keeps it alive for the whole call).
 */
struct vepoll__park {
    unsigned int seq; /* futex word / condvar predicate */
    AO_t kring;       /* the kernel-set leader sleeps for this park (kpark.h) */
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

/* 0, or a negative errno with nothing left initialised. */
int vepoll__park_init(struct vepoll__park *p);
void vepoll__park_destroy(struct vepoll__park *p);
/* The word's current value (acquire), for vepoll__park_wait. */
unsigned int vepoll__park_prepare(struct vepoll__park *p);
/* Sleeps while the word still holds seq, until deadline (absolute
 * CLOCK_MONOTONIC; NULL = forever).  0 when woken, when the word had moved
 * or spuriously (the caller re-checks its condition), -ETIMEDOUT, or
 * -EINTR when the calling thread's interrupt handle is pending (checked
 * before sleeping; a raise wakes the sleeper). */
int vepoll__park_wait(struct vepoll__park *p, unsigned int seq,
                      const struct timespec *deadline);
/* Moves the word and wakes one (all == 0) or every parked thread; then, if
 * the kernel-set leader sleeps for this park (kring), rings its bell
 * (kpark.h: the bump and the load of kring are the waker's half of that
 * pairing). */
void vepoll__park_wake(struct vepoll__park *p, int all);

/* ---- the asymmetric fence (membarrier.c) --------------------------------- */

/* 1 if vepoll__membarrier orders every thread of the process (the process
 * is registered for Linux's private expedited membarrier on the first
 * call), else 0 (no such command, or a ThreadSanitizer build). */
int vepoll__membarrier_usable(void);
/* A full barrier on every CPU running a thread of this process, once
 * vepoll__membarrier_usable() said yes; a local full fence otherwise. */
void vepoll__membarrier(void);
/* The other half of a section marked by a sequence word that only its
 * owner writes (odd from before its first access to after its last, then
 * even with release): after vepoll__membarrier, returns once the section
 * the owner was in has ended, at once when it was outside.  The per-thread
 * read-side sections (token.c) and the WASIX owner's borrows (wasix.c)
 * both end this way. */
void vepoll__wait_section_end(const volatile AO_t *seq);

/* ---- publishing readiness (hook.c) --------------------------------------- */

/* Linux's wake-up key 0 (sk_state_change, pipe_release): every registration
 * wakes and the harvest reports whatever is ready. */
#define VEPOLL__KEY_ALL 0xffffffffu

/*
 * For an object that is the only writer of src's readiness (under its own
 * lock): the readiness becomes `now`, and a wake-up with Linux key `key` is
 * delivered: every registration whose mask meets the key is queued, and the
 * harvest reports what is ready then (a key bit that is not ready queues the
 * entry, as on Linux, and is dropped at harvest; the entry keeps its queue
 * position if it becomes ready meanwhile).  Bits that become ready are
 * always posted as well.  This is vepoll_source_update with the wake key
 * separate from the readiness.
 */
void vepoll__source_publish(vepoll_source_t *src, uint32_t now, uint32_t key);

/* ---- the kernel wait (kwait.c, kpark.c) ----------------------------------- */

/*
 * The handler of the events of watched descriptors (the objects tier's
 * kernel-descriptor sources): key as given to vepoll__kernel_watch, events
 * the kernel's bits for it (Linux values), stamp the number of the pump
 * that took them (kwait.h).  Called on whatever thread pumps -- a thread
 * inside vepoll_wait, usually -- with no core lock held; it may update
 * sources, and must not block.  An event may arrive after its descriptor
 * was unwatched (the pump had taken it before): the key tells.
 */
typedef void vepoll__kernel_fn(uint64_t key, uint32_t events, uint64_t stamp);
/* Watches fd, edge-triggered, for `events` (plus ERR and HUP, always) under
 * `key` (any value but UINT64_MAX).  The first call installs fn; every call
 * passes the same one.  0, or a negative errno: -EPERM for a descriptor
 * the kernel's epoll refuses (a regular file), -ENOMEM, -EMFILE... */
int vepoll__kernel_watch(int fd, uint32_t events, uint64_t key, vepoll__kernel_fn *fn);
/* Stops watching fd: the caller does this before it closes fd, so no
 * event is ever reported for a number the kernel gives out again. */
void vepoll__kernel_unwatch(int fd);
/* The current pump number, read after a full fence: taken by a thread that
 * has just learned from a syscall that its descriptor is not ready. */
uint64_t vepoll__kernel_stamp(void);
/* Marks src as mirroring a kernel descriptor, before anyone else sees it:
 * an instance that watches it, directly or through nested instances, pumps
 * the kernel set in every wait and sleeps in it when it blocks. */
void vepoll__source_mark_kernel(vepoll_source_t *src);

#endif
