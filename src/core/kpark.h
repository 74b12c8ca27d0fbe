/*
 * Parking a waiter of an instance that watches kernel descriptors (kern,
 * instance.h): no extra thread hop for a network event.
 *
 * One thread at a time, the *leader*, sleeps in the kernel set (kwait.h)
 * instead of on its instance's futex: a kernel event wakes it directly, it
 * applies the events (which queues them on every instance that watches
 * those descriptors and wakes their waiters), then harvests its own
 * instance as usual.  The other threads parked on kern instances are
 * *candidates*: they sleep on their instance's park as before, and one of
 * them takes over when the leader leaves.
 *
 * Concurrency contract
 * --------------------
 * - `leader` (one word, process-wide): 0 or 1, taken by CAS.  A thread
 *   keeps the lead for the whole of one vepoll_wait (several parks) and
 *   gives it up when that wait returns (vepoll__kpark_leave).
 * - The leader's instance rings the bell: before sleeping the leader sets
 *   its park's `kring` and then (full barrier) reads the park's sequence
 *   number; vepoll__park_wake bumps the sequence (full barrier) and then
 *   reads `kring`.  Either the leader sees the bump and does not sleep, or
 *   the waker sees `kring` and rings (kwait.h).  A close or an interrupt
 *   of the instance goes through the same wake.  A per-thread interrupt
 *   (intr.h) of the leader rings too: the leader publishes the tagged bell
 *   word as the word it sleeps on.
 * - Hand-over: a candidate counts itself in `ncand` (full barrier) and then
 *   reads `leader`; a leaving leader clears `leader` (full barrier) and then
 *   reads `ncand`.  Either the candidate sees no leader and goes round
 *   again to take the lead, or the leader sees the candidate and wakes the
 *   instance of a candidate on the list (cand_mu), whose woken thread takes
 *   the lead or, if its harvest already has events, passes the hand-over on
 *   when it leaves.  So whenever a thread is parked on a kern instance,
 *   some thread is the leader, takes the lead next, or is awake and will.
 *   Candidates stay on the list only while parked, and their instance is
 *   pinned by their wait (wait.c), so the leader may wake it under cand_mu.
 */
#ifndef VEPOLL_KPARK_H
#define VEPOLL_KPARK_H

#include <stdint.h>
#include <time.h>

struct vepoll;

/* Parks the calling thread, registered in ep->nwaiters with an empty
 * harvest behind it, on kern instance ep: as the leader in the kernel set
 * or as a candidate on ep's park.  seq: its park snapshot; deadline: < 0
 * forever, else absolute CLOCK_MONOTONIC ns (tsp the same as a timespec).
 * *lead: whether the thread leads (kept from one park of a wait to the
 * next).  Returns what vepoll__park_wait returns: 0, -ETIMEDOUT, -EINTR. */
int vepoll__kpark_wait(struct vepoll *ep, unsigned int seq, int64_t deadline,
                       const struct timespec *tsp, int *lead);
/* The thread's wait on a kern instance returns: gives up the lead if it has
 * it, and wakes a candidate if no one leads while candidates are parked. */
void vepoll__kpark_leave(int lead);

#endif
