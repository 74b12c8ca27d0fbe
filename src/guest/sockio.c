/*
 * Data transfer with Linux's flags and SIGPIPE: send, sendto, sendmsg,
 * recv, recvfrom, recvmsg (WASI sock_send / sock_recv), write and writev
 * (WASI fd_write), accept and accept4 (WASI sock_accept).
 *
 * Flags: MSG_PEEK and MSG_WAITALL are WASI's riflags (wasi-libc gives them
 * those values); MSG_DONTWAIT becomes WASIX's RECV_DONT_WAIT (riflags bit
 * 3) / SEND_DONT_WAIT (siflags bit 0), the way a per-call non-blocking
 * request reaches the host; MSG_NOSIGNAL stays here: a write, send or
 * sendmsg that fails with EPIPE raises SIGPIPE first unless it was given
 * (Linux's rule; the default action ends the guest, see signal.c).
 * The sockets are the host's connected stream socket pairs: an address
 * given to sendto/sendmsg gives EISCONN, recvfrom/recvmsg report an
 * empty peer address (length 0), ancillary data is not supported
 * (EOPNOTSUPP).
 */
#include <errno.h>
#include <limits.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <wasi/api.h>

#include "guest.h"

#ifndef IOV_MAX
#define IOV_MAX 1024
#endif

static __wasi_siflags_t siflags(int flags)
{
    return (flags & MSG_DONTWAIT) ? VG_SIFLAGS_DONT_WAIT : 0;
}

/* wasi-libc's MSG_PEEK and MSG_WAITALL are the riflags bits themselves. */
_Static_assert(MSG_PEEK == __WASI_RIFLAGS_RECV_PEEK, "MSG_PEEK is riflags' PEEK");
_Static_assert(MSG_WAITALL == __WASI_RIFLAGS_RECV_WAITALL, "MSG_WAITALL is riflags' WAITALL");

static __wasi_riflags_t riflags(int flags)
{
    return (__wasi_riflags_t)((flags & (MSG_PEEK | MSG_WAITALL)) |
                              ((flags & MSG_DONTWAIT) ? VG_RIFLAGS_DONT_WAIT : 0));
}

/* -1 with errno for a failed write-side call: EPIPE raises SIGPIPE first
 * unless nosignal; wasi-libc's ENOTCAPABLE (no write right) is EBADF. */
static ssize_t write_failed(__wasi_errno_t err, int nosignal)
{
    if (err == EPIPE && !nosignal)
        return __vg_epipe();
    return __vg_fail(err == ENOTCAPABLE ? EBADF : err);
}

static ssize_t gather_send(int fd, const struct iovec *iov, size_t n, int flags)
{
    size_t done = 0;
    __wasi_errno_t err;
    if (fd < 0)
        return __vg_fail(EBADF);
    err = __wasi_sock_send((__wasi_fd_t)fd, (const __wasi_ciovec_t *)iov, n, siflags(flags),
                           &done);
    return err ? write_failed(err, flags & MSG_NOSIGNAL) : (ssize_t)done;
}

static ssize_t scatter_recv(int fd, const struct iovec *iov, size_t n, int flags)
{
    size_t got = 0;
    __wasi_roflags_t ro = 0;
    __wasi_errno_t err;
    if (fd < 0)
        return __vg_fail(EBADF);
    err = __wasi_sock_recv((__wasi_fd_t)fd, (const __wasi_iovec_t *)iov, n, riflags(flags), &got,
                           &ro);
    return err ? __vg_fail(err) : (ssize_t)got;
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
    struct iovec iov = {(void *)buf, len};
    return gather_send(fd, &iov, 1, flags);
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
    struct iovec iov = {buf, len};
    return scatter_recv(fd, &iov, 1, flags);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr,
               socklen_t alen)
{
    if (addr && alen) {
        if (__vg_sock_check(fd) < 0)
            return -1;
        return __vg_fail(EISCONN);
    }
    return send(fd, buf, len, flags);
}

ssize_t recvfrom(int fd, void *__restrict buf, size_t len, int flags,
                 struct sockaddr *__restrict addr, socklen_t *__restrict alen)
{
    ssize_t n;
    if (addr && !__vg_mem_ok(alen, sizeof(*alen)))
        return __vg_fail(EFAULT);
    n = recv(fd, buf, len, flags);
    if (n >= 0 && addr)
        *alen = 0;
    return n;
}

/* A msghdr's iovec array: 0, or -1 with errno. */
static int msg_check(int fd, const struct msghdr *msg)
{
    if (!__vg_mem_ok(msg, sizeof(*msg)))
        return __vg_fail(EFAULT);
    if (msg->msg_iovlen < 0 || msg->msg_iovlen > IOV_MAX)
        return __vg_fail(EMSGSIZE);
    if (msg->msg_iovlen && !__vg_mem_ok(msg->msg_iov, msg->msg_iovlen * sizeof(struct iovec)))
        return __vg_fail(EFAULT);
    if (msg->msg_controllen) {
        if (__vg_sock_check(fd) < 0)
            return -1;
        return __vg_fail(EOPNOTSUPP);
    }
    return 0;
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
    if (msg_check(fd, msg) < 0)
        return -1;
    if (msg->msg_name && msg->msg_namelen) {
        if (__vg_sock_check(fd) < 0)
            return -1;
        return __vg_fail(EISCONN);
    }
    return gather_send(fd, msg->msg_iov, (size_t)msg->msg_iovlen, flags);
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
    ssize_t n;
    if (msg_check(fd, msg) < 0)
        return -1;
    n = scatter_recv(fd, msg->msg_iov, (size_t)msg->msg_iovlen, flags);
    if (n >= 0) {
        msg->msg_namelen = 0;
        msg->msg_controllen = 0;
        msg->msg_flags = 0;
    }
    return n;
}

ssize_t write(int fd, const void *buf, size_t len)
{
    __wasi_ciovec_t iov = {buf, len};
    size_t done = 0;
    __wasi_errno_t err = __wasi_fd_write((__wasi_fd_t)fd, &iov, 1, &done);
    return err ? write_failed(err, 0) : (ssize_t)done;
}

ssize_t writev(int fd, const struct iovec *iov, int n)
{
    size_t done = 0;
    __wasi_errno_t err;
    if (n < 0 || n > IOV_MAX)
        return __vg_fail(EINVAL);
    err = __wasi_fd_write((__wasi_fd_t)fd, (const __wasi_ciovec_t *)iov, (size_t)n, &done);
    return err ? write_failed(err, 0) : (ssize_t)done;
}

/* The host decides (WASIX sock_accept_v2): EBADF, ENOTSOCK, EINVAL for a
 * socket that is not listening (a socket-pair end), EAGAIN / blocking per
 * the listener's O_NONBLOCK; the peer's address comes with the
 * connection. */
int accept4(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict alen, int flags)
{
    struct __vg_addr a;
    uint32_t nfd;
    int32_t err;
    if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
        return __vg_fail(EINVAL);
    if (fd < 0)
        return __vg_fail(EBADF);
    err = __vg_sock_accept_v2((uint32_t)fd, (flags & SOCK_NONBLOCK) ? __WASI_FDFLAGS_NONBLOCK : 0,
                              &nfd, &a);
    if (err)
        return __vg_fail(err);
    if ((flags & SOCK_CLOEXEC) && __vg_set_cloexec((int)nfd) < 0)
        goto fail;
    if (addr && __vg_addr_give(&a, addr, alen) < 0)
        goto fail;
    return (int)nfd;
fail:
    err = errno;
    close((int)nfd);
    return __vg_fail(err);
}

int accept(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict alen)
{
    return accept4(fd, addr, alen, 0);
}
