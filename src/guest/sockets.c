/*
 * BSD socket setup calls for a host whose only sockets are connected
 * stream socket pairs (socketpair(), in vepoll_wasix_shim.c).  Each call
 * checks the descriptor first, as Linux does (EBADF, then ENOTSOCK), and
 * then answers what Linux answers for a connected AF_UNIX stream socket
 * from socketpair(): listen and accept EINVAL, unnamed local and peer
 * addresses, and connect answers for the address it is given (EINVAL for
 * another family, ENOENT for a path, since no socket file exists on this
 * host, ECONNREFUSED for an abstract name).  What this host cannot do fails: socket() with EAFNOSUPPORT
 * for other than AF_INET/AF_INET6 stream sockets (those are loopback.c's),
 * bind() of a socket pair end with ENOSYS (a later host routes sockets
 * through the WASIX sock_* imports).  Socket options: see setsockopt.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "guest.h"

#define LINUX_NPROTO 46 /* Linux's AF_MAX: larger domains are EAFNOSUPPORT too */
#define LINUX_MAX_SOCKADDR 128 /* Linux's sizeof(struct sockaddr_storage) */

int socket(int domain, int type, int protocol)
{
    int kind = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (domain < 0 || domain >= LINUX_NPROTO)
        return __vg_fail(EAFNOSUPPORT);
    if (kind != SOCK_STREAM && kind != SOCK_DGRAM)
        return __vg_fail(EINVAL);
    if ((domain == AF_INET || domain == AF_INET6) && kind == SOCK_STREAM) {
        if (protocol != 0 && protocol != IPPROTO_TCP)
            return __vg_fail(EPROTONOSUPPORT);
        return __vg_inet_socket(domain, type);
    }
    return __vg_fail(EAFNOSUPPORT);
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
    if (__vg_inet(fd))
        return __vg_inet_bind(__vg_inet(fd), addr, len);
    if (__vg_sock_check(fd) < 0)
        return -1;
    if (len < sizeof(sa_family_t))
        return __vg_fail(EINVAL);
    if (!__vg_mem_ok(addr, len))
        return __vg_fail(EFAULT);
    return __vg_fail(ENOSYS);
}

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    const struct sockaddr_un *un = (const struct sockaddr_un *)addr;
    if (__vg_inet(fd))
        return __vg_inet_connect(fd, __vg_inet(fd), addr, len);
    if (__vg_sock_check(fd) < 0)
        return -1;
    if (len > LINUX_MAX_SOCKADDR)
        return __vg_fail(EINVAL);
    if (len && !__vg_mem_ok(addr, len))
        return __vg_fail(EFAULT);
    if (len <= offsetof(struct sockaddr_un, sun_path) || un->sun_family != AF_UNIX)
        return __vg_fail(EINVAL);
    return __vg_fail(un->sun_path[0] ? ENOENT : ECONNREFUSED);
}

int listen(int fd, int backlog)
{
    (void)backlog;
    if (__vg_inet(fd))
        return __vg_inet_listen(__vg_inet(fd));
    if (__vg_sock_check(fd) < 0)
        return -1;
    return __vg_fail(EINVAL);
}

/* An unnamed AF_UNIX address: just the family, truncated to *len. */
static int unnamed(int fd, struct sockaddr *addr, socklen_t *len)
{
    sa_family_t fam = AF_UNIX;
    if (__vg_sock_check(fd) < 0)
        return -1;
    if (!__vg_mem_ok(len, sizeof(*len)))
        return __vg_fail(EFAULT);
    if ((int)*len < 0)
        return __vg_fail(EINVAL);
    if (*len && !__vg_mem_ok(addr, *len < sizeof(fam) ? *len : sizeof(fam)))
        return __vg_fail(EFAULT);
    memcpy(addr, &fam, *len < sizeof(fam) ? *len : sizeof(fam));
    *len = sizeof(fam);
    return 0;
}

int getsockname(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict len)
{
    if (__vg_inet(fd))
        return __vg_inet_name(__vg_inet(fd), 0, addr, len);
    return unnamed(fd, addr, len);
}

int getpeername(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict len)
{
    if (__vg_inet(fd))
        return __vg_inet_name(__vg_inet(fd), 1, addr, len);
    return unnamed(fd, addr, len);
}

/* Options that change nothing on a local stream socket pair and that
 * Linux accepts there: accepted (value checked, then ignored). */
static socklen_t accepted_option(int name)
{
    switch (name) {
    case SO_REUSEADDR: case SO_REUSEPORT: case SO_KEEPALIVE: case SO_SNDBUF:
    case SO_RCVBUF:
        return sizeof(int);
    case SO_LINGER:
        return sizeof(struct linger);
    default:
        return 0;
    }
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
    socklen_t need;
    if (__vg_sock_check(fd) < 0)
        return -1;
    if (level != SOL_SOCKET && __vg_inet(fd) &&
        (level == IPPROTO_TCP || level == IPPROTO_IP || level == IPPROTO_IPV6)) {
        /* TCP_NODELAY, IPV6_V6ONLY...: nothing to change on a loopback pair. */
        if (len < sizeof(int))
            return __vg_fail(EINVAL);
        return __vg_mem_ok(val, sizeof(int)) ? 0 : __vg_fail(EFAULT);
    }
    if (level != SOL_SOCKET)
        return __vg_fail(EOPNOTSUPP); /* AF_UNIX has no protocol-level options */
    need = accepted_option(name);
    if (!need)
        return __vg_fail(ENOPROTOOPT);
    if (len < need)
        return __vg_fail(EINVAL);
    if (!__vg_mem_ok(val, need))
        return __vg_fail(EFAULT);
    return 0;
}

int getsockopt(int fd, int level, int name, void *__restrict val, socklen_t *__restrict len)
{
    int v;
    socklen_t n;
    if (__vg_sock_check(fd) < 0)
        return -1;
    if (level != SOL_SOCKET)
        return __vg_fail(EOPNOTSUPP);
    switch (name) {
    case SO_TYPE: v = SOCK_STREAM; break;
    case SO_DOMAIN: v = __vg_inet(fd) ? __vg_inet_family(__vg_inet(fd)) : AF_UNIX; break;
    case SO_ERROR: case SO_ACCEPTCONN: case SO_PROTOCOL: v = 0; break;
    default: return __vg_fail(ENOPROTOOPT);
    }
    if (!__vg_mem_ok(len, sizeof(*len)))
        return __vg_fail(EFAULT);
    if ((int)*len < 0)
        return __vg_fail(EINVAL);
    n = *len < sizeof(v) ? *len : sizeof(v);
    if (n && !__vg_mem_ok(val, n))
        return __vg_fail(EFAULT);
    memcpy(val, &v, n);
    *len = n;
    return 0;
}
