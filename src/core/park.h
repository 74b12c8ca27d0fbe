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
 */
#ifndef VEPOLL_PARK_H
#define VEPOLL_PARK_H

#include <atomic_ops.h>
#include <pthread.h>
#include <time.h>

struct vepoll__park {
    unsigned int seq; /* futex word / condvar predicate */
    AO_t kring;       /* the kernel-set leader sleeps for this park (kpark.h) */
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

int vepoll__park_init(struct vepoll__park *p);
void vepoll__park_destroy(struct vepoll__park *p);
unsigned int vepoll__park_prepare(struct vepoll__park *p);
/* deadline NULL = forever.  0 when woken (or seq already moved),
 * -ETIMEDOUT, or -EINTR when the calling thread's interrupt handle is
 * pending (intr.h: checked before sleeping, and a raise wakes the sleeper). */
int vepoll__park_wait(struct vepoll__park *p, unsigned int seq,
                      const struct timespec *deadline);
/* Moves seq and wakes one (all == 0) or every parked thread; then, if the
 * kernel-set leader sleeps for this park (kring), rings its bell (kpark.h:
 * the bump and the load of kring are the waker's half of that pairing). */
void vepoll__park_wake(struct vepoll__park *p, int all);
/* vepoll_intr_raise is defined by the back end too (intr.h): the futex one
 * moves the word the bound thread sleeps on and wakes everyone parked on
 * it, so each re-checks why it sleeps; the condvar one only moves the word
 * (a signal handler cannot touch a condition variable), and its parked
 * threads sleep in slices while an interrupt handle is bound. */

#endif
