/*
 * timerfd_create / timerfd_settime / timerfd_gettime over vepoll's
 * extension import module "vepoll_ext_v1" (WASIX has no timerfd import;
 * docs/GUESTS.md and docs/EMBEDDING.md define the three imports):
 *
 *   timerfd_create(clockid: u32 (WASI: 0 realtime, 1 monotonic),
 *                  flags: u32 (1 nonblock, 2 cloexec), ret_fd: *u32) -> errno
 *   timerfd_settime(fd: u32, flags: u32 (1 abstime, 2 cancel-on-set),
 *                   new: *itimerspec, old: *itimerspec (0: none)) -> errno
 *   timerfd_gettime(fd: u32, cur: *itimerspec) -> errno
 *
 * where itimerspec is 32 bytes: interval seconds, interval nanoseconds,
 * value seconds, value nanoseconds, each a little-endian i64.  Reads of
 * the timerfd (the 8-byte expiration count) go through fd_read.
 */
#include <errno.h>
#include <string.h>
#include <sys/timerfd.h>
#include <wasi/api.h>

#include "guest.h"

struct vg_itimerspec {
    int64_t interval_sec, interval_nsec, value_sec, value_nsec;
};
_Static_assert(sizeof(struct vg_itimerspec) == 32, "the import's itimerspec is 32 bytes");

VG_EXT(timerfd_create) int32_t __vg_timerfd_create(uint32_t clockid, uint32_t flags, uint32_t *fd);
VG_EXT(timerfd_settime)
int32_t __vg_timerfd_settime(uint32_t fd, uint32_t flags, const struct vg_itimerspec *new_value,
                             struct vg_itimerspec *old_value);
VG_EXT(timerfd_gettime) int32_t __vg_timerfd_gettime(uint32_t fd, struct vg_itimerspec *cur);

#define EXT_NONBLOCK 1u
#define EXT_CLOEXEC 2u

int timerfd_create(clockid_t clockid, int flags)
{
    uint32_t fd, wclock, wflags = 0;
    int32_t err;
    if (flags & ~(TFD_NONBLOCK | TFD_CLOEXEC))
        return __vg_fail(EINVAL);
    if (clockid == CLOCK_REALTIME)
        wclock = __WASI_CLOCKID_REALTIME;
    else if (clockid == CLOCK_MONOTONIC)
        wclock = __WASI_CLOCKID_MONOTONIC;
    else
        return __vg_fail(EINVAL);
    if (flags & TFD_NONBLOCK)
        wflags |= EXT_NONBLOCK;
    if (flags & TFD_CLOEXEC)
        wflags |= EXT_CLOEXEC;
    err = __vg_timerfd_create(wclock, wflags, &fd);
    return err ? __vg_fail(err) : (int)fd;
}

static void to_import(const struct itimerspec *in, struct vg_itimerspec *out)
{
    out->interval_sec = in->it_interval.tv_sec;
    out->interval_nsec = in->it_interval.tv_nsec;
    out->value_sec = in->it_value.tv_sec;
    out->value_nsec = in->it_value.tv_nsec;
}

static void from_import(const struct vg_itimerspec *in, struct itimerspec *out)
{
    memset(out, 0, sizeof(*out));
    out->it_interval.tv_sec = in->interval_sec;
    out->it_interval.tv_nsec = (long)in->interval_nsec;
    out->it_value.tv_sec = in->value_sec;
    out->it_value.tv_nsec = (long)in->value_nsec;
}

int timerfd_settime(int fd, int flags, const struct itimerspec *new_value,
                    struct itimerspec *old_value)
{
    struct vg_itimerspec nv, ov;
    int32_t err;
    if (!__vg_mem_ok(new_value, sizeof(*new_value)))
        return __vg_fail(EFAULT);
    if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
        return __vg_fail(EINVAL);
    if (old_value && !__vg_mem_ok(old_value, sizeof(*old_value)))
        return __vg_fail(EFAULT);
    if (fd < 0)
        return __vg_fail(EBADF);
    to_import(new_value, &nv);
    err = __vg_timerfd_settime((uint32_t)fd, (uint32_t)flags, &nv, old_value ? &ov : NULL);
    if (err)
        return __vg_fail(err);
    if (old_value)
        from_import(&ov, old_value);
    return 0;
}

int timerfd_gettime(int fd, struct itimerspec *cur_value)
{
    struct vg_itimerspec cv;
    /* The descriptor is checked before the pointer, as on Linux. */
    int32_t err = fd < 0 ? EBADF : __vg_timerfd_gettime((uint32_t)fd, &cv);
    if (err)
        return __vg_fail(err);
    if (!__vg_mem_ok(cur_value, sizeof(*cur_value)))
        return __vg_fail(EFAULT);
    from_import(&cv, cur_value);
    return 0;
}
