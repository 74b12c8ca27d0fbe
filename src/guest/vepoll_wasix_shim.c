/*
 * Guest-side shim: the Linux epoll / eventfd / pipe / socketpair / shutdown
 * API, for programs built with Debian's wasi-libc and vepoll's guest
 * headers (src/guest/include).
 *
 * epoll_ctl and epoll_wait go through vepoll_ext_v1's epoll_ctl /
 * epoll_wait (docs/GUESTS.md): Linux's struct epoll_event, ops and 32-bit
 * event word as they are, so EPOLLEXCLUSIVE (its EINVAL rules, wake-one),
 * EPOLLWAKEUP and the RDNORM / WRNORM / RDBAND / WRBAND / MSG kinds are
 * Linux's (S291), and the 64-bit epoll_data_t comes back exactly.  The
 * WASIX epoll_ctl / epoll_wait (8-bit word, 32-byte event) are what
 * wasix-libc's programs use; a host without vepoll_ext_v1 refuses to
 * instantiate a guest that uses epoll (a missing import), never runs it
 * with the bits dropped.  epoll_create, fd_pipe, fd_event, sock_pair and
 * sock_shutdown are WASIX's; errors are -1 with errno set (wasi-libc errno
 * values are WASI errno numbers).
 *
 * The WASIX numbers come from <vepoll_wasix_abi.h> (the public header,
 * reached through src/guest/include).  Compiled with clang
 * --target=wasm32-wasi; single-threaded guests.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vepoll_wasix_abi.h>

#include "guest.h"

#define WASIX VG_WASIX

WASIX(epoll_create) int32_t __vw_epoll_create(uint32_t *ret_fd);
/* epoll_ctl / epoll_wait with Linux's struct epoll_event, ops and bits
 * (docs/GUESTS.md; src/host/vw_host.c, the adapter's VEPOLL_WASIX_LINUX32):
 * the WASIX imports' 8-bit word has no EXCLUSIVE, WAKEUP, RDNORM, WRNORM,
 * RDBAND, WRBAND or MSG.  The timeout is in nanoseconds, < 0 for none. */
VG_EXT(epoll_ctl)
int32_t __vg_ext_epoll_ctl(uint32_t epfd, uint32_t op, uint32_t fd, struct epoll_event *event);
VG_EXT(epoll_wait)
int32_t __vg_ext_epoll_wait(uint32_t epfd, struct epoll_event *events, uint32_t maxevents,
                            int64_t timeout_ns, uint32_t *ret_nevents);
WASIX(fd_pipe) int32_t __vw_fd_pipe(uint32_t *rfd, uint32_t *wfd);
WASIX(fd_event) int32_t __vw_fd_event(uint64_t initval, uint32_t flags, uint32_t *ret_fd);
WASIX(sock_pair)
int32_t __vw_sock_pair(uint32_t af, uint32_t type, uint32_t proto, uint32_t *fd0, uint32_t *fd1);
WASIX(sock_shutdown) int32_t __vw_sock_shutdown(uint32_t fd, uint32_t how);

/* The header's wasm32 event must be the ABI's layout. */
#define AT(field, off) \
    _Static_assert(offsetof(struct vepoll_wasix_event32, field) == (off), #field " offset")
AT(events, VEPOLL_WASIX_EVENT_EVENTS);
AT(ptr, VEPOLL_WASIX_EVENT32_PTR);
AT(fd, VEPOLL_WASIX_EVENT32_FD);
AT(data1, VEPOLL_WASIX_EVENT32_DATA1);
AT(data2, VEPOLL_WASIX_EVENT_DATA2);
_Static_assert(sizeof(struct vepoll_wasix_event32) == VEPOLL_WASIX_EVENT_SIZE, "event size");
/* The guest's struct epoll_event is the host's Linux event
 * (VEPOLL_WASIX_LINUX32), and its bits go through as they are. */
_Static_assert(sizeof(struct epoll_event) == VEPOLL_WASIX_LINUX_EVENT_SIZE, "Linux event size");
_Static_assert(offsetof(struct epoll_event, events) == VEPOLL_WASIX_LINUX_EVENT_EVENTS &&
                   offsetof(struct epoll_event, data) == VEPOLL_WASIX_LINUX_EVENT_DATA,
               "Linux event layout");
_Static_assert(EPOLL_CTL_ADD == 1 && EPOLL_CTL_DEL == 2 && EPOLL_CTL_MOD == 3, "Linux's ops");
_Static_assert(EPOLLIN == 0x1 && EPOLLPRI == 0x2 && EPOLLOUT == 0x4 && EPOLLERR == 0x8 &&
                   EPOLLHUP == 0x10 && EPOLLRDNORM == 0x40 && EPOLLRDBAND == 0x80 &&
                   EPOLLWRNORM == 0x100 && EPOLLWRBAND == 0x200 && EPOLLMSG == 0x400 &&
                   EPOLLRDHUP == 0x2000 && EPOLLEXCLUSIVE == 1u << 28 &&
                   EPOLLWAKEUP == 1u << 29 && EPOLLONESHOT == 1u << 30 && EPOLLET == 1u << 31,
               "Linux's epoll bits");

/* The new descriptor fd gets close-on-exec if asked; on failure it is
 * closed again.  fd, or -1 with errno. */
static int finish_fd(int fd, int cloexec)
{
    if (cloexec && __vg_set_cloexec(fd) < 0) {
        int e = errno;
        close(fd);
        return __vg_fail(e);
    }
    return fd;
}

int epoll_create1(int flags)
{
    uint32_t fd;
    int32_t err;
    if (flags & ~EPOLL_CLOEXEC)
        return __vg_fail(EINVAL);
    err = __vw_epoll_create(&fd);
    return err ? __vg_fail(err) : finish_fd((int)fd, flags & EPOLL_CLOEXEC);
}

int epoll_create(int size)
{
    if (size <= 0)
        return __vg_fail(EINVAL);
    return epoll_create1(0);
}

/* epoll_ctl's EINVAL, in Linux's order: after the EBADF of either
 * descriptor (S007, S010).  The adapter looks at the op and at fd == epfd
 * before it looks the descriptors up. */
static int ctl_einval(int epfd, int fd)
{
    if (__vg_fd_check(epfd) < 0 || __vg_fd_check(fd) < 0)
        return -1; /* errno EBADF */
    return __vg_fail(EINVAL);
}

int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)
{
    int32_t err;
    /* Linux reads the event of every op but DEL before it looks at the op
     * or the descriptors (S011): a NULL event is EFAULT even for an
     * unknown op.  Address 0 is memory in wasm, so the host cannot see it. */
    if (!event && op != EPOLL_CTL_DEL)
        return __vg_fail(EFAULT);
    err = __vg_ext_epoll_ctl((uint32_t)epfd, (uint32_t)op, (uint32_t)fd, event);
    return err == EINVAL ? ctl_einval(epfd, fd) : err ? __vg_fail(err) : 0;
}

/* epoll_wait: the host checks (maxevents EINVAL, the array EFAULT, epfd
 * EBADF / EINVAL, in Linux's order) and writes the events in place. */
static int wait_events(int epfd, struct epoll_event *events, int maxevents, int64_t ns)
{
    uint32_t n = 0;
    int32_t err;
    if (maxevents <= 0)
        return __vg_fail(EINVAL);
    if (!events)
        return __vg_fail(EFAULT);
    err = __vg_ext_epoll_wait((uint32_t)epfd, events, (uint32_t)maxevents, ns, &n);
    return err ? __vg_fail(err) : (int)n;
}

int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)
{
    return wait_events(epfd, events, maxevents, __vg_ms_to_ns(timeout));
}

/* With a mask, Linux's order (ep_poll): the arguments are checked, the
 * mask is put in place, ready events are returned and a zero timeout
 * returns 0 without looking at signals; only a call that would sleep ends
 * with EINTR for a pending signal the mask unblocks (S276).  The old mask
 * then comes back: signals it unblocks are delivered before the call
 * returns (its result stays), the others stay pending.  A call that
 * returns before it could sleep gets the same answer under either mask,
 * so the first look is made without touching the mask at all (no signal
 * is delivered then, as on Linux, where the mask is restored without a
 * delivery when the call did not fail with EINTR).  Kept apart from
 * epoll_wait so that only a guest that uses epoll_pwait or epoll_pwait2
 * imports the signal calls (signal.c). */
struct wait_args {
    int epfd;
    struct epoll_event *events;
    int maxevents;
};

static int wait_look(void *arg, int64_t ns)
{
    const struct wait_args *a = arg;
    return wait_events(a->epfd, a->events, a->maxevents, ns);
}

/* ppoll's sequence (__vg_wait_masked), but a zero timeout never looks at
 * signals: epoll looks at them only before it would sleep (S276), poll
 * before its timeout (S279). */
static int wait_masked(int epfd, struct epoll_event *events, int maxevents, int64_t ns,
                       const void *sigmask)
{
    struct wait_args a = {epfd, events, maxevents};
    if (ns == 0)
        return wait_events(epfd, events, maxevents, 0);
    return __vg_wait_masked(wait_look, &a, ns, sigmask);
}

int epoll_pwait(int epfd, struct epoll_event *events, int maxevents, int timeout,
                const void *sigmask)
{
    return wait_masked(epfd, events, maxevents, __vg_ms_to_ns(timeout), sigmask);
}

/* Linux's epoll_pwait2 (S278): the timeout is read and checked first
 * (EFAULT, then EINVAL for a negative or non-normalized one), NULL waits
 * without a limit, and it is kept to the nanosecond; a timeout too long to
 * count in nanoseconds never ends, as the kernel's saturated one. */
int epoll_pwait2(int epfd, struct epoll_event *events, int maxevents,
                 const struct timespec *timeout, const void *sigmask)
{
    if (timeout && __vg_timeout_check(timeout) < 0)
        return -1;
    return wait_masked(epfd, events, maxevents, __vg_timeout_ns(timeout), sigmask);
}

/* Non-blocking mode is per descriptor: fd_fdstat_set_flags via fcntl. */
static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0)
        return -1;
    return fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int eventfd(unsigned int initval, int flags)
{
    uint32_t fd, wflags = (flags & EFD_SEMAPHORE) ? VEPOLL_WASIX_EVENTFD_SEMAPHORE : 0u;
    int32_t err;
    if (flags & ~(EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC))
        return __vg_fail(EINVAL);
    err = __vw_fd_event(initval, wflags, &fd);
    if (err)
        return __vg_fail(err);
    if ((flags & EFD_NONBLOCK) && set_nonblock((int)fd) < 0) {
        int e = errno;
        close((int)fd);
        return __vg_fail(e);
    }
    return finish_fd((int)fd, flags & EFD_CLOEXEC);
}

int eventfd_read(int fd, eventfd_t *value)
{
    return read(fd, value, sizeof(*value)) == (ssize_t)sizeof(*value) ? 0 : -1;
}

int eventfd_write(int fd, eventfd_t value)
{
    return write(fd, &value, sizeof(value)) == (ssize_t)sizeof(value) ? 0 : -1;
}

/* The end of pipe2 and socketpair: the import's answer, the two new fds
 * made non-blocking and close-on-exec if asked (both closed again if that
 * fails). */
static int finish_pair(int32_t err, uint32_t a, uint32_t b, int nonblock, int cloexec,
                       int fds[2])
{
    if (err)
        return __vg_fail(err);
    if ((nonblock && (set_nonblock((int)a) < 0 || set_nonblock((int)b) < 0)) ||
        (cloexec && (__vg_set_cloexec((int)a) < 0 || __vg_set_cloexec((int)b) < 0))) {
        int e = errno;
        close((int)a);
        close((int)b);
        return __vg_fail(e);
    }
    fds[0] = (int)a;
    fds[1] = (int)b;
    return 0;
}

int pipe2(int fds[2], int flags)
{
    uint32_t r = 0, w = 0;
    int32_t err;
    if (!fds)
        return __vg_fail(EFAULT);
    if (flags & ~(O_NONBLOCK | O_CLOEXEC))
        return __vg_fail(EINVAL);
    err = __vw_fd_pipe(&r, &w);
    return finish_pair(err, r, w, flags & O_NONBLOCK, flags & O_CLOEXEC, fds);
}

int pipe(int fds[2])
{
    return pipe2(fds, 0);
}

int socketpair(int domain, int type, int protocol, int fds[2])
{
    uint32_t a = 0, b = 0;
    int32_t err;
    if (!fds)
        return __vg_fail(EFAULT);
    if (domain != AF_UNIX)
        return __vg_fail(EAFNOSUPPORT);
    if ((type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != SOCK_STREAM)
        return __vg_fail(EPROTONOSUPPORT);
    if (protocol != 0)
        return __vg_fail(EPROTONOSUPPORT);
    err = __vw_sock_pair(VEPOLL_WASIX_AF_UNIX, VEPOLL_WASIX_SOCK_STREAM, 0, &a, &b);
    return finish_pair(err, a, b, type & SOCK_NONBLOCK, type & SOCK_CLOEXEC, fds);
}

/* wasi-libc's SHUT_RD/WR/RDWR are the WASI sdflags 1/2/3 already. */
int shutdown(int fd, int how)
{
    int32_t err;
    if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
        return __vg_fail(EINVAL);
    err = __vw_sock_shutdown((uint32_t)fd, (uint32_t)how);
    return err ? __vg_fail(err) : 0;
}
