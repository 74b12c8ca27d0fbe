/*
 * <sys/epoll.h> for wasm32-wasi guests of a WASIX runtime (vepoll's guest
 * headers).  The Linux API with Linux's values, so Linux programs compile
 * unmodified; the shim (src/guest/vepoll_wasix_shim.c) passes ops, bits
 * and this struct epoll_event as they are to vepoll_ext_v1's epoll_ctl /
 * epoll_wait (docs/GUESTS.md), and returns -1 / errno like libc.
 */
#ifndef _SYS_EPOLL_H
#define _SYS_EPOLL_H

#include <stdint.h>
#include <fcntl.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EPOLL_CLOEXEC O_CLOEXEC
#define EPOLL_NONBLOCK O_NONBLOCK

enum EPOLL_EVENTS { __EPOLL_DUMMY };
#define EPOLLIN 0x001
#define EPOLLPRI 0x002
#define EPOLLOUT 0x004
#define EPOLLRDNORM 0x040
#define EPOLLNVAL 0x020
#define EPOLLRDBAND 0x080
#define EPOLLWRNORM 0x100
#define EPOLLWRBAND 0x200
#define EPOLLMSG 0x400
#define EPOLLERR 0x008
#define EPOLLHUP 0x010
#define EPOLLRDHUP 0x2000
#define EPOLLEXCLUSIVE (1U << 28)
#define EPOLLWAKEUP (1U << 29)
#define EPOLLONESHOT (1U << 30)
#define EPOLLET (1U << 31)

#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3

typedef union epoll_data {
    void *ptr;
    int fd;
    uint32_t u32;
    uint64_t u64;
} epoll_data_t;

/* 16 bytes on wasm32 (data at offset 8), as musl lays it out off x86_64:
 * the host's VEPOLL_WASIX_LINUX_EVENT_* layout (the shim checks it). */
struct epoll_event {
    uint32_t events;
    epoll_data_t data;
};

int epoll_create(int size);
int epoll_create1(int flags);
int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event);
int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout);
/* sigmask (a const sigset_t *, or NULL) is the blocked set during the
 * wait, as on Linux: the signals the host delivers (docs/GUESTS.md) that it
 * unblocks interrupt the wait (EINTR), the ones it blocks wait until the
 * old set is back. */
int epoll_pwait(int epfd, struct epoll_event *events, int maxevents, int timeout,
                const void *sigmask);
/* The same with a struct timespec timeout (NULL: none), kept to the
 * nanosecond, as Linux's (5.11, glibc 2.35). */
struct timespec;
int epoll_pwait2(int epfd, struct epoll_event *events, int maxevents,
                 const struct timespec *timeout, const void *sigmask);

#ifdef __cplusplus
}
#endif

#endif /* sys/epoll.h */
