/*
 * The consumer token's slow path, revocation and the membarrier it relies
 * on.  The contract is in token.h.
 */
#include "token.h"

#include <errno.h>
#include <sched.h>

#if defined(__linux__)
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#define NEED_FIRST 8u
#define NEED_MAX (1u << 20)

_Thread_local uint64_t vepoll__thread_id_tls;
static AO_t next_thread_id;

uint64_t vepoll__thread_id_slow(void)
{
    vepoll__thread_id_tls = (uint64_t)AO_fetch_and_add1(&next_thread_id) + 1;
    return vepoll__thread_id_tls;
}

/* Whether the fast path may be used: membarrier's private expedited
 * command works here (registered once per process).  0 unknown, 1 yes,
 * 2 no. */
static AO_t fast_ok;

#if defined(__SANITIZE_THREAD__)
#define VEPOLL__NO_BIAS 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define VEPOLL__NO_BIAS 1
#endif
#endif

static int membarrier_usable(void)
{
    AO_t v = AO_load_acquire(&fast_ok);
    if (v)
        return v == 1;
#if defined(__linux__) && defined(__NR_membarrier) && !defined(VEPOLL__NO_BIAS)
    {
        long cmds = syscall(__NR_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
        v = 2;
        if (cmds >= 0 && (cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED) &&
            syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED,
                    0, 0) == 0)
            v = 1;
    }
#else
    v = 2;
#endif
    AO_store_release(&fast_ok, v);
    return v == 1;
}

/* A full memory barrier on every CPU running a thread of this process. */
static void barrier_everywhere(void)
{
#if defined(__linux__) && defined(__NR_membarrier)
    syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
#endif
}

int vepoll__token_init(struct vepoll__token *t)
{
    AO_store(&t->bias, 0);
    AO_store(&t->busy, 0);
    AO_store(&t->revoke, 0);
    AO_store(&t->last, 0);
    t->streak = 0;
    t->need = NEED_FIRST;
    return -pthread_mutex_init(&t->mu, NULL);
}

void vepoll__token_destroy(struct vepoll__token *t)
{
    pthread_mutex_destroy(&t->mu);
}

/* Under mu: take the fast path away from the biased thread. */
static void take_bias_away(struct vepoll__token *t)
{
    unsigned spins = 0;
    AO_store(&t->revoke, 1);
    barrier_everywhere();
    while (AO_load_acquire(&t->busy))
        if (++spins > 64)
            sched_yield();
    AO_store(&t->bias, 0);
    AO_store_release(&t->revoke, 0);
    if (t->need < NEED_MAX)
        t->need *= 2;
}

void vepoll__token_enter_slow(struct vepoll__token *t, uint64_t me)
{
    AO_t bias;
    pthread_mutex_lock(&t->mu);
    bias = AO_load(&t->bias);
    if (bias && bias != (AO_t)me)
        take_bias_away(t);
    if (AO_load(&t->last) != (AO_t)me) {
        AO_store(&t->last, (AO_t)me);
        t->streak = 1;
    } else if (bias != (AO_t)me && ++t->streak >= t->need &&
               membarrier_usable()) {
        /* Earned: from our next entry on, this thread needs no mutex.  Set
         * under mu, which every revoker holds. */
        AO_store(&t->bias, (AO_t)me);
    }
}
