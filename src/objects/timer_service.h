/*
 * The timer service: one heap of deadlines and one thread per clock base,
 * process-wide, that fires the timers (timerfd.c) when their time comes.
 * No thread per timer, no allocation per arming: a timer is a node embedded
 * in its owner (an intrusive pairing heap).
 *
 * Bases: VEPOLL__TIMER_MONO (CLOCK_MONOTONIC) and VEPOLL__TIMER_REAL
 * (CLOCK_REALTIME, for absolute wall-clock timers: its thread sleeps on a
 * CLOCK_REALTIME deadline, which the kernel re-evaluates when the clock is
 * set, so such a timer follows a clock change as Linux's does).
 *
 * Concurrency contract
 * --------------------
 * - Each base has a mutex `mu` guarding its heap, its user count, its
 *   thread's state and the `heap` field of the nodes in it.  The thread
 *   sleeps on the base's `cv` (that base's clock) until the earliest
 *   deadline or a change; vepoll__timer_arm signals it when a node becomes
 *   the earliest, vepoll__timer_unuse when the last user leaves.
 * - The owner (the object holding the node) serialises vepoll__timer_arm and
 *   vepoll__timer_disarm of its node under its own lock, and may take a
 *   base's mu inside it: lock order owner -> base.  The thread never takes
 *   an owner's lock while it holds a base's mu: it pops the due node, notes
 *   its generation and marks it `firing` under mu, drops mu, then calls the
 *   node's fire(node, gen), which takes the owner's lock and fires only if
 *   the generation is unchanged (every arm and disarm bumps it, atomically),
 *   i.e. if nothing re-armed, disarmed or closed the timer since the pop.
 *   After fire returns the thread clears `firing` under mu and broadcasts
 *   `idle`.
 * - Lifetime: a node may be freed once its owner has disarmed it (under its
 *   lock: the node is then in no heap, so no thread can pop it any more) and
 *   vepoll__timer_quiesce(node) has returned (no thread is inside fire for
 *   it: it waits on `idle` while a base's `firing` is the node).  Owners
 *   call quiesce holding none of their locks.
 * - Thread lifetime: vepoll__timer_use (one per owner that may use the base)
 *   starts the base's thread if it is not running; the thread exits once
 *   the user count is 0 (owners disarm before vepoll__timer_unuse, so the
 *   heap is then empty).  It is detached and blocks every signal; a use
 *   racing with an exiting thread starts a new one (the old one touches
 *   nothing after it cleared `running` under mu).
 * Why no expiry is lost or early: the thread re-reads the clock after every
 * wake-up and fires exactly the nodes whose deadline is <= now; arming a node
 * that becomes the earliest signals the thread under mu, so a sleep begun
 * before the arm is cut short and the next one uses the new deadline.
 */
#ifndef VEPOLL_TIMER_SERVICE_H
#define VEPOLL_TIMER_SERVICE_H

#include <atomic_ops.h>
#include <stdint.h>

#define VEPOLL__TIMER_MONO 0
#define VEPOLL__TIMER_REAL 1
/* The service threads' name (Linux: /proc/self/task/N/comm). */
#define VEPOLL__TIMER_THREAD_NAME "vepoll-timer"

struct vepoll__timer_base;

struct vepoll__timer {
    /* Pairing-heap links and membership: under the base's mu. */
    struct vepoll__timer *child, *next, *prev; /* prev: left sibling or parent */
    struct vepoll__timer_base *heap;           /* the base whose heap holds it */
    int64_t when;                              /* deadline, that base's clock (ns) */
    /* Owner-side: under the owner's lock. */
    int home; /* base of the last arming, -1: never armed */
    AO_t gen; /* bumped by every arm and disarm */
    /* The service thread, holding no service lock; set once at init. */
    void (*fire)(struct vepoll__timer *t, AO_t gen);
    void *owner; /* for fire */
};

/* A node of `owner` that is in no heap. */
void vepoll__timer_init(struct vepoll__timer *t, void (*fire)(struct vepoll__timer *t, AO_t gen),
                        void *owner);
/* One more user of a base: starts its thread if needed.  0, or a negative
 * errno (the thread could not be started) with nothing changed. */
int vepoll__timer_use(int base);
void vepoll__timer_unuse(int base);
/* The base's clock now, in ns. */
int64_t vepoll__timer_now(int base);
/* Owner's lock held: (re)arms t on `base` for `when` (its clock); the
 * generation moves, so a pop of an earlier arming does not fire. */
void vepoll__timer_arm(struct vepoll__timer *t, int base, int64_t when);
/* Owner's lock held: t leaves its heap (if any); the generation moves. */
void vepoll__timer_disarm(struct vepoll__timer *t);
/* Owner's lock held (in fire): is `gen` still t's generation, i.e. was t
 * neither re-armed nor disarmed since the pop that produced it? */
int vepoll__timer_current(const struct vepoll__timer *t, AO_t gen);
/* No owner lock held: returns once no service thread is inside t->fire. */
void vepoll__timer_quiesce(struct vepoll__timer *t);

#endif
