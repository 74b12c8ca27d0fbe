/*
 * Parking and wake-up of threads blocked in vepoll_wait.
 *
 * Protocol (the Dekker pair that makes wake-ups impossible to lose):
 *   waiter:   seq = park_prepare()          (acquire load of `seq`)
 *             nwaiters += 1                 (full barrier)
 *             look at the ready queue       (harvest under the mutex)
 *             park_wait(seq, deadline)      (sleeps only while seq unchanged)
 *   producer: push onto the ready queue     (full-barrier CAS)
 *             if nwaiters > 0: park_wake()  (seq += 1, then wake)
 * Either the producer's load of nwaiters sees the waiter (so it bumps seq
 * and the futex/condvar wait returns), or the waiter's look at the queue,
 * which comes after its full-barrier increment, sees the push.
 *
 * Back ends: park_futex.c (Linux futex on the 32-bit `seq`, absolute
 * CLOCK_MONOTONIC deadline via FUTEX_WAIT_BITSET; the waker takes no lock)
 * and park_condvar.c (portable: a mutex + CLOCK_MONOTONIC condvar; the waker
 * takes that mutex only when a waiter is registered).  One is linked.
 *
 * The struct and its calls are declared in the core's interface header
 * (vepoll_core.h), because the ready-made objects park their blocked
 * callers the same way (src/objects/obj.c), so that a per-thread interrupt
 * (intr.h) wakes them too.
 *
 * vepoll_intr_raise is defined by the back end too (intr.h): the futex one
 * moves the word the bound thread sleeps on and wakes everyone parked on
 * it, so each re-checks why it sleeps; the condvar one only moves the word
 * (a signal handler cannot touch a condition variable), and its parked
 * threads sleep in slices while an interrupt handle is bound.
 */
#ifndef VEPOLL_PARK_H
#define VEPOLL_PARK_H

#include "vepoll_core.h" /* struct vepoll__park and its calls */

#endif
