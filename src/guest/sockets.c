/*
 * BSD socket setup calls.  socket(AF_INET or AF_INET6, SOCK_STREAM) makes a
 * real socket on the host (WASIX sock_open), and bind, listen, connect,
 * getsockname and getpeername on it go to the host's kernel (WASIX
 * sock_bind, sock_listen, sock_connect, sock_addr_local, sock_addr_peer;
 * the address is wasix-libc's __wasi_addr_port_t, see guest.h), which
 * answers as Linux does.  What only the guest knows -- the length and
 * family of the address it passes, in Linux's order of checks -- is
 * checked here.  A socket-pair end (socketpair(), vepoll_wasix_shim.c) is a
 * connected AF_UNIX stream socket with no address: listen EINVAL, unnamed
 * local and peer addresses, connect answered for the address given
 * (EINVAL for another family, ENOENT for a path, since no socket file
 * exists on this host, ECONNREFUSED for an abstract name), bind ENOSYS.
 * Each call checks the descriptor first (EBADF, then ENOTSOCK).  Socket
 * options are sockopt.c's, accept and the transfers sockio.c's.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <wasi/api.h>

#include "guest.h"

#define LINUX_NPROTO 46 /* Linux's AF_MAX: larger domains are EAFNOSUPPORT too */
#define LINUX_MAX_SOCKADDR 128 /* Linux's sizeof(struct sockaddr_storage) */
#define LINUX_SIN6_LEN 24 /* SIN6_LEN_RFC2133: the shortest sockaddr_in6 Linux takes */
#define TAG_INET4 1
#define TAG_INET6 2

/* ---- the address, both ways ------------------------------------------------ */

static uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }

/* addr (of family fam, len bytes, long enough: checked by the caller) as
 * WASIX's. */
static void to_wasix(const struct sockaddr *addr, socklen_t len, int fam, struct __vg_addr *a)
{
    memset(a, 0, sizeof(*a));
    if (fam == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)addr;
        a->b[0] = TAG_INET4;
        put16(a->b + 2, ntohs(in->sin_port));
        memcpy(a->b + 4, &in->sin_addr, 4);
    } else {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;
        a->b[0] = TAG_INET6;
        put16(a->b + 2, ntohs(in6->sin6_port));
        memcpy(a->b + 4, &in6->sin6_addr, 16);
        put16(a->b + 20, (uint16_t)(in6->sin6_flowinfo >> 16));
        put16(a->b + 22, (uint16_t)in6->sin6_flowinfo);
        if (len >= sizeof(*in6)) { /* Linux reads the scope id only then */
            put16(a->b + 24, (uint16_t)(in6->sin6_scope_id >> 16));
            put16(a->b + 26, (uint16_t)in6->sin6_scope_id);
        }
    }
}

int __vg_addr_give(const struct __vg_addr *a, struct sockaddr *addr, socklen_t *len)
{
    struct sockaddr_storage ss;
    socklen_t full;
    memset(&ss, 0, sizeof(ss));
    if (a->b[0] == TAG_INET4) {
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;
        in->sin_family = AF_INET;
        in->sin_port = htons(get16(a->b + 2));
        memcpy(&in->sin_addr, a->b + 4, 4);
        full = sizeof(*in);
    } else if (a->b[0] == TAG_INET6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(get16(a->b + 2));
        memcpy(&in6->sin6_addr, a->b + 4, 16);
        in6->sin6_flowinfo = (uint32_t)get16(a->b + 20) << 16 | get16(a->b + 22);
        in6->sin6_scope_id = (uint32_t)get16(a->b + 24) << 16 | get16(a->b + 26);
        full = sizeof(*in6);
    } else {
        ss.ss_family = AF_UNIX; /* a socket-pair end: unnamed */
        full = sizeof(sa_family_t);
    }
    return __vg_copy_out(&ss, full, addr, len, 1);
}

/* fd's local address from the host (EBADF / ENOTSOCK otherwise). */
static int local_addr(int fd, struct __vg_addr *a)
{
    int32_t err;
    if (fd < 0)
        return __vg_fail(EBADF);
    err = __vg_sock_addr_local((uint32_t)fd, a);
    return err ? __vg_fail(err) : 0;
}

static int family_of(const struct __vg_addr *a)
{
    return a->b[0] == TAG_INET4 ? AF_INET : a->b[0] == TAG_INET6 ? AF_INET6 : AF_UNIX;
}

int __vg_sock_family(int fd)
{
    struct __vg_addr a;
    return local_addr(fd, &a) < 0 ? -1 : family_of(&a);
}

/* The checks Linux makes of a caller's address before the protocol sees
 * it (move_addr_to_kernel): 0, or -1 with errno. */
static int addr_check(const struct sockaddr *addr, socklen_t len)
{
    if (len > LINUX_MAX_SOCKADDR)
        return __vg_fail(EINVAL);
    if (len && !__vg_mem_ok(addr, len))
        return __vg_fail(EFAULT);
    return 0;
}

static socklen_t addr_need(int fam)
{
    return fam == AF_INET ? sizeof(struct sockaddr_in) : LINUX_SIN6_LEN;
}

/* ---- the calls --------------------------------------------------------------- */

int socket(int domain, int type, int protocol)
{
    int kind = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    uint32_t fd;
    int32_t err;
    if (domain < 0 || domain >= LINUX_NPROTO)
        return __vg_fail(EAFNOSUPPORT);
    if (kind != SOCK_STREAM && kind != SOCK_DGRAM)
        return __vg_fail(EINVAL);
    if ((domain != AF_INET && domain != AF_INET6) || kind != SOCK_STREAM)
        return __vg_fail(EAFNOSUPPORT);
    if (protocol != 0 && protocol != IPPROTO_TCP)
        return __vg_fail(EPROTONOSUPPORT);
    err = __vg_sock_open(domain == AF_INET ? TAG_INET4 : TAG_INET6, 1 /* stream */,
                         IPPROTO_TCP, &fd);
    if (err)
        return __vg_fail(err);
    if ((type & SOCK_NONBLOCK) && (err = __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_NONBLOCK)))
        goto fail;
    if ((type & SOCK_CLOEXEC) && __vg_set_cloexec((int)fd) < 0) {
        err = errno;
        goto fail;
    }
    return (int)fd;
fail:
    (void)!__wasi_fd_close(fd);
    return __vg_fail(err);
}

/* connect on a socket-pair end: Linux's answer for the address given. */
static int connect_pair(const struct sockaddr *addr, socklen_t len)
{
    const struct sockaddr_un *un = (const struct sockaddr_un *)addr;
    if (addr_check(addr, len) < 0)
        return -1;
    if (len <= offsetof(struct sockaddr_un, sun_path) || un->sun_family != AF_UNIX)
        return __vg_fail(EINVAL);
    return __vg_fail(un->sun_path[0] ? ENOENT : ECONNREFUSED);
}

/* bind on a socket-pair end: no names on this host. */
static int bind_pair(const struct sockaddr *addr, socklen_t len)
{
    if (len < sizeof(sa_family_t))
        return __vg_fail(EINVAL);
    return __vg_fail(__vg_mem_ok(addr, len) ? ENOSYS : EFAULT);
}

/* bind (connecting 0) or connect on fd, with Linux's checks in its order. */
static int to_address(int fd, const struct sockaddr *addr, socklen_t len, int connecting)
{
    struct __vg_addr a;
    int fam = __vg_sock_family(fd);
    int32_t err;
    if (fam < 0)
        return -1;
    if (fam == AF_UNIX)
        return connecting ? connect_pair(addr, len) : bind_pair(addr, len);
    if (addr_check(addr, len) < 0)
        return -1;
    /* connect looks at the socket's state before the protocol checks the
     * address: a connected socket is EISCONN first. */
    if (connecting && len >= sizeof(sa_family_t) &&
        (len < addr_need(fam) || addr->sa_family != fam) && !__vg_sock_addr_peer((uint32_t)fd, &a))
        return __vg_fail(EISCONN);
    if (len < addr_need(fam))
        return __vg_fail(EINVAL);
    if (addr->sa_family != fam)
        return __vg_fail(EAFNOSUPPORT);
    to_wasix(addr, len, fam, &a);
    err = connecting ? __vg_sock_connect((uint32_t)fd, &a) : __vg_sock_bind((uint32_t)fd, &a);
    return err ? __vg_fail(err) : 0;
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
    return to_address(fd, addr, len, 0);
}

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    return to_address(fd, addr, len, 1);
}

int listen(int fd, int backlog)
{
    int fam = __vg_sock_family(fd);
    int32_t err;
    if (fam < 0)
        return -1;
    if (fam == AF_UNIX)
        return __vg_fail(EINVAL); /* a connected socket */
    err = __vg_sock_listen((uint32_t)fd, backlog < 0 ? 0 : (uint32_t)backlog);
    return err ? __vg_fail(err) : 0;
}

int getsockname(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict len)
{
    struct __vg_addr a;
    if (local_addr(fd, &a) < 0)
        return -1;
    return __vg_addr_give(&a, addr, len);
}

int getpeername(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict len)
{
    struct __vg_addr a;
    int32_t err;
    if (local_addr(fd, &a) < 0)
        return -1;
    if (family_of(&a) != AF_UNIX && (err = __vg_sock_addr_peer((uint32_t)fd, &a)))
        return __vg_fail(err); /* ENOTCONN */
    return __vg_addr_give(&a, addr, len);
}
