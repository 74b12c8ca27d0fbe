/* Raw futex calls for the baselines (private futexes, absolute
 * CLOCK_MONOTONIC deadlines as vepoll's park_futex.c uses). */
#ifndef VEPOLL_BENCH_FUTEX_H
#define VEPOLL_BENCH_FUTEX_H

#include <linux/futex.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Sleeps while *addr == val, until woken or the deadline (NULL = never). */
static inline void futex_wait(void *addr, uint32_t val,
                              const struct timespec *deadline)
{
    syscall(SYS_futex, addr, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, val,
            deadline, NULL, FUTEX_BITSET_MATCH_ANY);
}

static inline void futex_wake(void *addr, int n)
{
    syscall(SYS_futex, addr, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, n, NULL, NULL, 0);
}

static inline void deadline_after(struct timespec *ts, int64_t ns)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_nsec += (long)(ns % 1000000000);
    ts->tv_sec += (time_t)(ns / 1000000000);
    if (ts->tv_nsec >= 1000000000) {
        ts->tv_nsec -= 1000000000;
        ts->tv_sec++;
    }
}

#endif
