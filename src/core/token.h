/*
 * The consumer token: exclusive access to one instance (its table, its
 * private ready FIFO, its harvest, ctl, polls of it, its close), with a
 * fast path that costs no atomic read-modify-write for the thread that uses
 * the instance all the time.
 *
 * Concurrency contract
 * --------------------
 * - Whoever holds the token is alone with the instance, as the kernel's
 *   ep->mtx makes ctl and harvest exclusive.  It is taken by
 *   vepoll__token_enter and given back by vepoll__token_leave; it is never
 *   held while a thread sleeps in vepoll_wait, and never taken twice by one
 *   thread for one instance.  Lock order as for the mutex it replaces: an
 *   outer instance before an inner one, before the nesting mutex, before a
 *   source's spin lock.  Producers never take it.
 * - Slow path: `mu`, a plain mutex.
 * - Fast path (biased): after a thread has taken the token through `mu`
 *   `need` times in a row with nobody else taking it, the token is biased to
 *   it (`bias` = its thread id).  That thread then enters by storing
 *   busy = 1 and reading revoke == 0 and bias == itself, and leaves by storing
 *   busy = 0 (release): plain loads and stores only.
 * - Revocation: any other thread that takes `mu` while the token is biased
 *   stores revoke = 1, runs membarrier(PRIVATE_EXPEDITED) and waits for
 *   busy == 0, then clears bias and revoke.  The membarrier is the other half
 *   of the biased thread's store-load pair (busy = 1, then load revoke),
 *   which has no fence of its own: either that store is visible to the
 *   revoker, which then waits for the matching busy = 0, or the biased
 *   thread's load comes after the barrier and sees revoke = 1 (asymmetric
 *   Dekker, as userspace RCU's membarrier flavour).  A biased thread that
 *   saw revoke == 0 re-reads bias (acquire pairs with the revoker's release
 *   of revoke): a revocation that already finished leaves bias != itself.
 *   Each revocation doubles `need` (up to 2^20), so a token taken by turns
 *   by several threads stays on the mutex instead of paying a membarrier per
 *   turn.
 * - The fast path is off (the token is never biased) when membarrier's
 *   private expedited command is unavailable (old kernels, seccomp, non-Linux)
 *   and under ThreadSanitizer, which cannot see the membarrier's ordering.
 * - Thread ids come from a process-wide counter and are never reused, so a
 *   new thread cannot inherit an exited thread's bias.
 */
#ifndef VEPOLL_TOKEN_H
#define VEPOLL_TOKEN_H

#include <atomic_ops.h>
#include <pthread.h>
#include <stdint.h>

struct vepoll__token {
    AO_t bias;       /* thread id allowed the fast path, or 0 */
    AO_t busy;       /* the biased thread is inside (only it writes this) */
    AO_t revoke;     /* a thread holding mu wants the biased one out */
    pthread_mutex_t mu;
    AO_t last;       /* under mu: thread id of the last holder */
    unsigned streak; /* under mu: consecutive holds by `last` */
    unsigned need;   /* under mu: holds in a row that earn the bias */
};

int vepoll__token_init(struct vepoll__token *t);
void vepoll__token_destroy(struct vepoll__token *t);

/* This thread's id: never 0, never reused. */
uint64_t vepoll__thread_id_slow(void);
extern _Thread_local uint64_t vepoll__thread_id_tls;
static inline uint64_t vepoll__thread_id(void)
{
    uint64_t id = vepoll__thread_id_tls;
    return id ? id : vepoll__thread_id_slow();
}

void vepoll__token_enter_slow(struct vepoll__token *t, uint64_t me);

/* Takes the token through the fast path if this thread may (the token is
 * biased to it and it is not inside already): 1, or 0 with nothing taken.
 * Never waits. */
static inline int vepoll__token_try_fast(struct vepoll__token *t, uint64_t me)
{
    if (AO_load(&t->bias) != (AO_t)me || AO_load(&t->busy))
        return 0;
    AO_store(&t->busy, 1);
    /* No fence: the revoker's membarrier orders this store before our load
     * of revoke (see above). */
    AO_compiler_barrier();
    if (!AO_load_acquire(&t->revoke) && AO_load(&t->bias) == (AO_t)me)
        return 1;
    AO_store_release(&t->busy, 0);
    return 0;
}

/* Takes the token; returns 1 when it came through the fast path.  Pass the
 * result to vepoll__token_leave. */
static inline int vepoll__token_enter(struct vepoll__token *t)
{
    uint64_t me = vepoll__thread_id();
    if (vepoll__token_try_fast(t, me))
        return 1;
    vepoll__token_enter_slow(t, me);
    return 0;
}

static inline void vepoll__token_leave(struct vepoll__token *t, int fast)
{
    if (fast)
        AO_store_release(&t->busy, 0);
    else
        pthread_mutex_unlock(&t->mu);
}

#endif
