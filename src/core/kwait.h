/*
 * The kernel wait: one process-wide kernel epoll set (`kset`) in which the
 * objects tier registers the real descriptors its kernel-descriptor sources
 * mirror (vepoll_core.h: vepoll__kernel_watch), plus an eventfd (`kwake`)
 * that rings the one thread sleeping in that set.  kwait.c is the set;
 * kpark.c decides who sleeps in it.
 *
 * Concurrency contract
 * --------------------
 * - The set and the eventfd are made once (pthread_once) by the first
 *   watch, published with a release store of `ready`, and live as long as
 *   the process.  Any thread may pump: epoll_wait on the set and hand each
 *   event to the handler the objects tier registered (its own locks decide
 *   what an event means; a late event of a closed descriptor is recognised
 *   there by its key).  The kernel serialises concurrent epoll_waits on one
 *   set: an edge goes to exactly one pump.
 * - Only the leader (kpark.c) sleeps in the set and reads `kwake`, which is
 *   registered level-triggered: a zero-timeout pump of another thread sees
 *   it and leaves it set, so it cannot steal the leader's wake-up (an
 *   edge-triggered bell could be consumed by that pump after the kernel had
 *   already woken the leader, which would then find nothing and sleep on).
 * - Stamps: every pump takes a number (`pumps`, full-barrier increment)
 *   before its epoll_wait; a thread that learned from a syscall that a
 *   descriptor is *not* ready reads the counter after a full fence
 *   (vepoll__kernel_stamp).  Store-load pair: either that thread's stamp is
 *   at least the pump's number, or the pump's epoll_wait (which reads the
 *   descriptor's state under the kernel's locks) comes after that syscall.
 *   So an event of a pump whose number is above every stamp of its
 *   descriptor cannot predate what the stamping thread saw; one that may
 *   is re-checked by the handler (src/objects/kfd.c).
 * - Nothing here touches errno: every syscall's errno is saved and
 *   restored.
 */
#ifndef VEPOLL_KWAIT_H
#define VEPOLL_KWAIT_H

#include <atomic_ops.h>
#include <stdint.h>
#include <sys/epoll.h>

#include "vepoll_core.h"

/* Events one pump takes at most (more wait for the next one). */
#define VEPOLL__KWAIT_BATCH 64

/* One pump's harvest, applied after the pumping thread has done its
 * bookkeeping (kpark.c: it stops being a registered waiter first, so the
 * wake-ups its own events cause do not go back to itself). */
struct vepoll__kbatch {
    struct epoll_event ev[VEPOLL__KWAIT_BATCH];
    int n;
    uint64_t stamp;
};

/* 1 once some descriptor was ever watched (the set exists). */
int vepoll__kwait_exists(void);

/* epoll_wait on the set into b: deadline < 0 forever, 0 a poll, else an
 * absolute CLOCK_MONOTONIC time in nanoseconds.  leader: this thread
 * sleeps on behalf of everyone and answers the bell (reads kwake); other
 * pumps leave it.  0, or -ETIMEDOUT (blocking call, nothing came, deadline
 * passed). */
int vepoll__kwait_collect(struct vepoll__kbatch *b, int64_t deadline, int leader);
/* Hands b's events to the objects tier's handler. */
void vepoll__kwait_apply(struct vepoll__kbatch *b);
/* A zero-timeout pump: collect and apply. */
void vepoll__kwait_pump(void);
/* Rings the bell: wakes the leader.  Async-signal-safe (one write()). */
void vepoll__kwait_ring(void);

/* The word the leader publishes as the one it sleeps on (intr.h): tagged
 * with bit 0, so a raise rings the bell instead of kicking a futex. */
extern unsigned int vepoll__kwait_bell;
#define VEPOLL__KWAIT_BELL_TAG ((AO_t)1)
#define VEPOLL__KWAIT_BELL_WORD ((unsigned int *)((AO_t)&vepoll__kwait_bell | VEPOLL__KWAIT_BELL_TAG))

#endif
