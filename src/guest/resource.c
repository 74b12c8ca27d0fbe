/*
 * Resource limits, usage, CPU time and priority of a guest
 * (<sys/resource.h>, clock(), times()): the
 * limits are kept here, unlimited until the guest lowers them, with
 * Linux's rules for changing them (soft <= hard, a hard limit can be
 * lowered but not raised back: EPERM) and enforced by nothing; usage
 * reports the host's process CPU-time clock as user time, as do clock()
 * and times() (in their units; times() returns the monotonic clock); the
 * nice value
 * is kept and clamped like Linux's.  The guest is process getpid() only
 * (ESRCH for any other).  Single-threaded guests.
 */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

#include "guest.h"

static struct rlimit limits[RLIMIT_NLIMITS];
static int limits_ready, nice_value;

static struct rlimit *limit_of(int resource)
{
    if (!limits_ready) {
        for (int i = 0; i < RLIMIT_NLIMITS; i++)
            limits[i].rlim_cur = limits[i].rlim_max = RLIM_INFINITY;
        limits_ready = 1;
    }
    return resource >= 0 && resource < RLIMIT_NLIMITS ? &limits[resource] : NULL;
}

int prlimit(pid_t pid, int resource, const struct rlimit *new_limit, struct rlimit *old_limit)
{
    struct rlimit *l = limit_of(resource);
    if (!l)
        return __vg_fail(EINVAL);
    if (pid != 0 && pid != getpid())
        return __vg_fail(ESRCH);
    if (new_limit && !__vg_mem_ok(new_limit, sizeof(*new_limit)))
        return __vg_fail(EFAULT);
    if (old_limit && !__vg_mem_ok(old_limit, sizeof(*old_limit)))
        return __vg_fail(EFAULT);
    if (new_limit && new_limit->rlim_cur > new_limit->rlim_max)
        return __vg_fail(EINVAL);
    if (new_limit && new_limit->rlim_max > l->rlim_max)
        return __vg_fail(EPERM);
    if (old_limit)
        *old_limit = *l;
    if (new_limit)
        *l = *new_limit;
    return 0;
}

int getrlimit(int resource, struct rlimit *rl)
{
    if (!__vg_mem_ok(rl, sizeof(*rl)))
        return limit_of(resource) ? __vg_fail(EFAULT) : __vg_fail(EINVAL);
    return prlimit(0, resource, NULL, rl);
}

int setrlimit(int resource, const struct rlimit *rl)
{
    if (!__vg_mem_ok(rl, sizeof(*rl)))
        return __vg_fail(EFAULT);
    return prlimit(0, resource, rl, NULL);
}

/* The host's process CPU time in ns (0 if it has no such clock). */
static uint64_t cpu_ns(void)
{
    __wasi_timestamp_t ns = 0;
    return __wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1000, &ns) ? 0 : ns;
}

clock_t clock(void)
{
    return (clock_t)(cpu_ns() / (1000000000u / CLOCKS_PER_SEC));
}

clock_t times(struct tms *buf)
{
    uint64_t tick = 1000000000u / (uint64_t)sysconf(_SC_CLK_TCK);
    __wasi_timestamp_t now;
    __wasi_errno_t err;
    if (!__vg_mem_ok(buf, sizeof(*buf)))
        return (clock_t)__vg_fail(EFAULT);
    err = __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1000, &now);
    if (err)
        return (clock_t)__vg_fail(err);
    memset(buf, 0, sizeof(*buf));
    buf->tms_utime = (clock_t)(cpu_ns() / tick);
    return (clock_t)(now / tick);
}

int getrusage(int who, struct rusage *usage)
{
    uint64_t ns;
    if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD)
        return __vg_fail(EINVAL);
    if (!__vg_mem_ok(usage, sizeof(*usage)))
        return __vg_fail(EFAULT);
    memset(usage, 0, sizeof(*usage));
    if (who == RUSAGE_CHILDREN)
        return 0; /* never any children */
    ns = cpu_ns();
    usage->ru_utime.tv_sec = (time_t)(ns / 1000000000u);
    usage->ru_utime.tv_usec = (suseconds_t)(ns % 1000000000u / 1000u);
    return 0;
}

static int check_target(int which, id_t who)
{
    if (which != PRIO_PROCESS && which != PRIO_PGRP && which != PRIO_USER)
        return __vg_fail(EINVAL);
    if (which == PRIO_USER ? who != 0 && who != getuid()
                           : who != 0 && who != (id_t)getpid())
        return __vg_fail(ESRCH);
    return 0;
}

int getpriority(int which, id_t who)
{
    if (check_target(which, who) < 0)
        return -1;
    return nice_value;
}

int setpriority(int which, id_t who, int prio)
{
    if (check_target(which, who) < 0)
        return -1;
    nice_value = prio < PRIO_MIN ? PRIO_MIN : prio > PRIO_MAX - 1 ? PRIO_MAX - 1 : prio;
    return 0;
}
