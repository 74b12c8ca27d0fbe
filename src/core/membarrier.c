/*
 * An asymmetric fence for the tiers above the core: a full memory barrier
 * on every CPU running a thread of this process (Linux membarrier,
 * MEMBARRIER_CMD_PRIVATE_EXPEDITED), so a fast path may order its store
 * before its load with a compiler barrier only and let the rare other side
 * pay (docs/ARCHITECTURE.md, "The guest path").
 *
 * Contract: any thread may call either function at any time.  Whether the
 * command works is found out (and the process registered) once; the answer
 * is published with release / read with acquire, and two threads racing to
 * find it out both register, which the kernel allows.  Under ThreadSanitizer
 * the answer is always no: TSan cannot see the barrier, so the callers keep
 * to their paths that use ordinary atomics there.
 */
#include "vepoll_core.h"

#include <errno.h>
#include <sched.h>

#if defined(__linux__)
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#if defined(__SANITIZE_THREAD__)
#define NO_MEMBARRIER 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define NO_MEMBARRIER 1
#endif
#endif

static AO_t usable; /* 0 unknown, 1 yes, 2 no */

int vepoll__membarrier_usable(void)
{
    AO_t v = AO_load_acquire(&usable);
    if (v)
        return v == 1;
    v = 2;
#if defined(__linux__) && defined(__NR_membarrier) && !defined(NO_MEMBARRIER)
    {
        int saved = errno;
        long cmds = syscall(__NR_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
        if (cmds >= 0 && (cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED) &&
            syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0)
            v = 1;
        errno = saved;
    }
#endif
    AO_store_release(&usable, v);
    return v == 1;
}

void vepoll__membarrier(void)
{
#if defined(__linux__) && defined(__NR_membarrier)
    int saved = errno;
    if (AO_load_acquire(&usable) == 1)
        syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
    else
        AO_nop_full();
    errno = saved;
#else
    AO_nop_full();
#endif
}

void vepoll__wait_section_end(const volatile AO_t *seq)
{
    unsigned spins = 0;
    AO_t s = AO_load_acquire(seq);
    if (!(s & 1))
        return; /* outside: whatever it does next comes after the barrier */
    while (AO_load_acquire(seq) == s)
        if (++spins > 64)
            sched_yield(); /* a section lasts one call: it ends soon */
}
