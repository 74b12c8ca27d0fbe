/*
 * <poll.h> for wasm32-wasi guests (vepoll's guest headers): Linux's poll
 * ABI.  wasi-libc's <poll.h> has other values (POLLOUT is 2, which is
 * Linux's POLLPRI; no POLLPRI, POLLRDHUP) and a poll over poll_oneoff that
 * cannot report POLLERR for a writer whose reader closed, POLLRDHUP,
 * POLLPRI or Linux's POLLHUP.  These values are Linux's, struct pollfd's
 * layout is the same as both (i32 fd, i16 events, i16 revents), and poll /
 * ppoll are the guest library's, over vepoll's extension import
 * vepoll_ext_v1 poll (src/guest/poll.c; docs/GUESTS.md).
 */
#ifndef _POLL_H
#define _POLL_H
/* wasi-libc's own poll header, which would define its values again. */
#define __wasilibc___header_poll_h

#include <features.h>

#include <__struct_pollfd.h>
#include <__typedef_nfds_t.h>

#ifdef __cplusplus
extern "C" {
#endif

#define POLLIN 0x001
#define POLLPRI 0x002
#define POLLOUT 0x004
#define POLLERR 0x008
#define POLLHUP 0x010
#define POLLNVAL 0x020
#define POLLRDNORM 0x040
#define POLLRDBAND 0x080
#define POLLWRNORM 0x100
#define POLLWRBAND 0x200
#define POLLMSG 0x400
#define POLLRDHUP 0x2000

int poll(struct pollfd *fds, nfds_t nfds, int timeout);

#ifdef _GNU_SOURCE
#define __NEED_time_t
#define __NEED_struct_timespec
#define __NEED_sigset_t
#include <bits/alltypes.h>
int ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout,
          const sigset_t *sigmask);
#endif

#ifdef __cplusplus
}
#endif

#endif
