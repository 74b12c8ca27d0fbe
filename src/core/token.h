/*
 * The consumer token: exclusive access to one instance (its table, its
 * private ready FIFO, its harvest, ctl, polls of it, its close), with a
 * fast path that costs no atomic read-modify-write for the thread that uses
 * the instance all the time.  Model-checked under x86-TSO store buffers in
 * tests/spin/token.pml (docs/MODEL.md, "The consumer token").
 *
 * Concurrency contract
 * --------------------
 * - Whoever holds the token is alone with the instance, as the kernel's
 *   ep->mtx makes ctl and harvest exclusive.  It is never held while a thread
 *   sleeps in vepoll_wait and never taken twice by one thread for one
 *   instance.  Lock order as for the mutex it replaces: an outer instance
 *   before an inner one, before the nesting mutex, before a source's spin
 *   lock.  Producers never wait for it.
 * - Slow path: `mu`, a plain mutex.
 * - Fast path (biased): after a thread has taken the token through `mu`
 *   `need` times in a row with nobody else taking it, the token is biased to
 *   it: `bias` = its thread id, `bias_thr` = its descriptor.
 * - Every thread that may take a token fast has a descriptor (struct
 *   vepoll__thr, one of VEPOLL__MAX_THREADS, handed out on first use and
 *   given back when the thread exits) with slots only that thread writes.
 *   An entry first *announces* itself (a slot := the token: a plain store to
 *   the thread's own descriptor, before it touches the instance), then reads
 *   bias: equal to its id, it is inside; else it bails (clears the slot) and
 *   takes the mutex.  Leaving the fast path clears the slot (release).
 *   Because the announcement lives in the thread's own slot, a thread whose
 *   look at bias is stale cannot clobber the announcement of the thread that
 *   is inside (a single "busy" word in the token would: the model's
 *   BUG_TOKEN_SHARED_BUSY).
 * - Revocation: a thread that holds `mu` while the token is biased to
 *   another thread stores bias = 0, runs membarrier(PRIVATE_EXPEDITED) and
 *   waits until the biased thread's descriptor no longer announces the
 *   token.  The membarrier is the other half of the entering thread's
 *   store-load pair (announce, then read bias), which has no fence of its
 *   own: either the announcement is visible to the revoker, which waits, or
 *   the entering thread's read of bias comes after the barrier and sees 0.
 *   Each revocation doubles `need` (up to 2^20), so a token taken by turns by
 *   several threads stays on the mutex instead of paying a membarrier per
 *   turn.
 * - Lifetime (instance.h): a call stays announced until it has left -- a
 *   call that bails turns its announcement into a slow one (the token's
 *   address | 1) and keeps it while it goes through the mutex -- and the
 *   instance's memory goes only after vepoll__token_quiesce (membarrier,
 *   then no descriptor announces the token, inside or slow).
 * - The fast path is off (the token is never biased) when membarrier's
 *   private expedited command is unavailable (old kernels, seccomp,
 *   non-Linux), under ThreadSanitizer (it cannot see the membarrier's
 *   ordering), and for threads beyond VEPOLL__MAX_THREADS.
 * - The same descriptors hold each thread's read-side section word `rseq`
 *   (source.h), written only by its thread and waited for by a writer's
 *   grace period (vepoll__thr_wait_readers: membarrier, then the scan), the
 *   same store-load pairing as the bias's revocation.
 * - Thread ids come from a process-wide counter and are never reused, so a
 *   new thread cannot inherit an exited thread's bias; a recycled descriptor
 *   at most makes a revoker wait for its new thread's brief announcements.
 */
#ifndef VEPOLL_TOKEN_H
#define VEPOLL_TOKEN_H

#include <atomic_ops.h>
#include <pthread.h>
#include <stdint.h>

#define VEPOLL__MAX_THREADS 256 /* descriptors: threads that may go fast */
#define VEPOLL__TOKEN_SLOTS 8   /* tokens one thread holds fast at once */

/* A thread's descriptor: its announcements, written only by that thread,
 * each on its own cache line (the lines are the threads' own, so writing
 * them costs no shared RMW). */
struct vepoll__thr {
    _Alignas(64) AO_t held[VEPOLL__TOKEN_SLOTS]; /* struct vepoll__token *, or 0 */
    AO_t rseq; /* read-side sections of sources: odd while the thread is
                * inside one (source.h); waited for by vepoll__thr_wait_readers */
};

struct vepoll__token {
    AO_t bias;       /* thread id allowed the fast path, or 0 */
    AO_t bias_thr;   /* under mu: that thread's descriptor index */
    pthread_mutex_t mu;
    AO_t last;       /* under mu: thread id of the last holder */
    unsigned streak; /* under mu: consecutive holds by `last` */
    unsigned need;   /* under mu: holds in a row that earn the bias */
};

extern struct vepoll__thr vepoll__threads[VEPOLL__MAX_THREADS];

/* The calling thread's id (never 0, never reused) and descriptor.
 * Always used as `vepoll__self.field`, never through a pointer to it: gcc's
 * -fsanitize=null checks such a pointer with the flags of the instruction
 * that adds the thread pointer to the variable's TLS offset, and when the
 * linker relaxes that add into a lea (initial-exec to local-exec, in every
 * static link) the check reads stale flags and reports a null pointer that
 * is not there. */
struct vepoll__self {
    uint64_t id;
    struct vepoll__thr *thr; /* NULL: none (the slow path only) */
    unsigned depth;          /* slots in use: announcements nest */
    unsigned rdepth;         /* source read-side sections nested (source.h) */
};
extern _Thread_local struct vepoll__self vepoll__self;
void vepoll__self_init(void);
/* Before the first use of vepoll__self on a thread. */
static inline void vepoll__self_ensure(void)
{
    if (!vepoll__self.id)
        vepoll__self_init();
}
static inline uint64_t vepoll__thread_id(void)
{
    vepoll__self_ensure();
    return vepoll__self.id;
}

int vepoll__token_init(struct vepoll__token *t);
void vepoll__token_destroy(struct vepoll__token *t);

/* The fast path.  1: inside (leave with vepoll__token_leave(t, 1)).
 * 0: not inside, nothing announced.  -1: biased to someone else, or
 * revoked meanwhile: *still announced*, so the caller may secure what it
 * needs (a reference) before vepoll__token_unannounce.  Never waits. */
static inline int vepoll__token_fast(struct vepoll__token *t)
{
    struct vepoll__thr *th = vepoll__self.thr;
    unsigned i;
    /* Nothing may read the instance before the announcement (lifetime,
     * above): not even a quick look at bias. */
    if (!th || vepoll__self.depth >= VEPOLL__TOKEN_SLOTS)
        return 0; /* no descriptor, or slots full: the mutex */
    for (i = 0; i < vepoll__self.depth; i++)
        if (AO_load(&th->held[i]) == (AO_t)t)
            return 0; /* inside already: no second entry */
    AO_store(&th->held[vepoll__self.depth++], (AO_t)t); /* announce */
    /* No fence: a revoker's membarrier orders the announcement before our
     * look at bias (see above). */
    AO_compiler_barrier();
    return AO_load(&t->bias) == (AO_t)vepoll__self.id ? 1 : -1;
}

/* After vepoll__token_fast returned -1: withdraw the announcement. */
static inline void vepoll__token_unannounce(void)
{
    AO_store_release(&vepoll__self.thr->held[--vepoll__self.depth], 0);
}

/* After vepoll__token_fast returned -1, instead of withdrawing: the
 * announcement becomes a *slow* one (the token's address | 1, tokens being
 * aligned) for a call that goes on through the mutex.  A revoker ignores it
 * (that thread is not inside: it waits for the mutex the revoker holds);
 * vepoll__token_quiesce waits for it (the thread still uses the instance).
 * Withdrawn by vepoll__token_unannounce after the mutex is given back. */
static inline void vepoll__token_announce_slow(struct vepoll__token *t)
{
    AO_store(&vepoll__self.thr->held[vepoll__self.depth - 1], (AO_t)t | 1);
}

void vepoll__token_enter_slow(struct vepoll__token *t, uint64_t me);

/* Takes the token for a caller that keeps the instance alive by other means
 * (a reference, a registration it reached it through); returns 1 when it
 * came through the fast path.  Pass the result to vepoll__token_leave. */
static inline int vepoll__token_enter(struct vepoll__token *t)
{
    int f;
    vepoll__self_ensure();
    f = vepoll__token_fast(t);
    if (f > 0)
        return 1;
    if (f < 0)
        vepoll__token_unannounce();
    vepoll__token_enter_slow(t, vepoll__self.id);
    return 0;
}

static inline void vepoll__token_leave(struct vepoll__token *t, int fast)
{
    if (fast)
        vepoll__token_unannounce();
    else
        pthread_mutex_unlock(&t->mu);
}

/* The grace period of the per-thread read-side sections (source.h), for a
 * writer that has just unlinked something readers may still hold: returns
 * once every other thread that was inside a section when it was called has
 * left it (membarrier, then each descriptor whose rseq is odd is waited for
 * until it moves).  Costs no syscall when no other thread has a
 * descriptor.  The caller's own sections are not waited for.  The caller
 * must have run a full-barrier RMW after its unlink (the epoch flip of
 * vepoll__source_synchronize_counters is one): it orders the unlink
 * before the look at the descriptor map. */
void vepoll__thr_wait_readers(void);
/* Whether a grace period of the per-thread sections has anything to wait
 * for: 0 when membarrier is unusable or no other thread holds a
 * descriptor, and then a writer may free what it unlinked at once (the
 * same early answer as vepoll__thr_wait_readers, with the same ordering
 * requirement: a full-barrier RMW after the unlink). */
int vepoll__thr_readers_possible(void);

/* Before the memory holding t is freed (once nobody can start a new entry):
 * waits until no thread announces t. */
void vepoll__token_quiesce(struct vepoll__token *t);

#endif
