/*
 * <sys/timerfd.h> for wasm32-wasi guests (vepoll's guest headers): Linux's
 * timerfd API with Linux's flag values, over vepoll's extension import
 * module "vepoll_ext_v1" (timerfd_create / timerfd_settime / timerfd_gettime;
 * WASIX has no timerfd import).  See docs/GUESTS.md.
 */
#ifndef _SYS_TIMERFD_H
#define _SYS_TIMERFD_H

#include <fcntl.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TFD_NONBLOCK O_NONBLOCK
#define TFD_CLOEXEC O_CLOEXEC
#define TFD_TIMER_ABSTIME 1
#define TFD_TIMER_CANCEL_ON_SET 2

/* struct itimerspec is <time.h>'s.  clockid_t is wasi-libc's (a pointer:
 * CLOCK_REALTIME, CLOCK_MONOTONIC); other clocks are EINVAL. */
int timerfd_create(clockid_t clockid, int flags);
int timerfd_settime(int fd, int flags, const struct itimerspec *new_value,
                    struct itimerspec *old_value);
int timerfd_gettime(int fd, struct itimerspec *cur_value);

#ifdef __cplusplus
}
#endif

#endif /* sys/timerfd.h */
