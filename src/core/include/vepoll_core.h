/*
 * The core's interface to the tiers above it (the ready-made objects and the
 * WASIX adapter).  It is the only core header those tiers see (their include
 * path holds this folder, not src/core), so everything they may call is
 * here: memory from the allocator hook, the monotonic clock, publishing
 * an object's readiness with a Linux wake-up key, and the kernel wait
 * (real descriptors watched in the core's kernel epoll set).
 *
 * Concurrency: vepoll__alloc/calloc/free may run on any thread (see
 * alloc.c); the clock helpers are pure; vepoll__source_publish follows the
 * producer hook's contract (hook.c): lock-free, never allocates, and must
 * not race with vepoll_source_close of the same source.  The kernel-wait
 * calls may run on any thread; their contract is in kwait.h.
 */
#ifndef VEPOLL_CORE_H
#define VEPOLL_CORE_H

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
