/*
 * TCP over the loopback address, inside one guest.  socket(AF_INET or
 * AF_INET6, SOCK_STREAM) makes a stream socket pair and hands out one end;
 * the library keeps the other and the socket's addresses here.  A
 * listening socket's kept end is its readiness channel: each queued
 * connection writes one byte into it, so the listening descriptor is
 * readable (epoll, poll) exactly while accept() has something to take.
 * connect() to a listening port on 127.0.0.0/8, ::1 or the any address
 * queues the client's kept end on that listener and returns 0 (connected:
 * the two ends are a socket pair, so data, EOF and readiness are the
 * socket pair's, which are Linux's); accept() returns it.  No other host
 * exists: another address gives ENETUNREACH, a port nobody listens on
 * ECONNREFUSED.  Ports 0 are given from 32768 up, as Linux's ephemeral
 * range.  A later host routes sockets through WASIX sock_* imports instead.
 * Single-threaded guests.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wasi/api.h>

#include "guest.h"

enum state { CREATED = 1, BOUND, LISTENING, CONNECTED };

struct inet {
    enum state state;
    int family;
    int kept;   /* the library's end of the pair, -1 once handed out */
    int *queue; /* listening: kept ends of the connections to accept */
    int queued, cap;
    struct sockaddr_storage local, peer;
};

static struct inet **socks;
static int nsocks;
static unsigned next_port = 32768;

struct inet *__vg_inet(int fd)
{
    return fd >= 0 && fd < nsocks ? socks[fd] : NULL;
}

static socklen_t addr_len(int family)
{
    return family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

static unsigned port_of(const struct sockaddr_storage *a)
{
    return ntohs(a->ss_family == AF_INET ? ((const struct sockaddr_in *)a)->sin_port
                                         : ((const struct sockaddr_in6 *)a)->sin6_port);
}

static void set_port(struct sockaddr_storage *a, unsigned port)
{
    if (a->ss_family == AF_INET)
        ((struct sockaddr_in *)a)->sin_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in6 *)a)->sin6_port = htons((uint16_t)port);
}

/* 1: loopback, 2: any, 0: another address (no such host here). */
static int local_kind(const struct sockaddr_storage *a)
{
    if (a->ss_family == AF_INET) {
        uint32_t ip = ntohl(((const struct sockaddr_in *)a)->sin_addr.s_addr);
        return (ip >> 24) == 127 ? 1 : ip == INADDR_ANY ? 2 : 0;
    }
    const struct in6_addr *ip6 = &((const struct sockaddr_in6 *)a)->sin6_addr;
    return !memcmp(ip6, &in6addr_loopback, sizeof(*ip6)) ? 1
           : !memcmp(ip6, &in6addr_any, sizeof(*ip6))    ? 2
                                                         : 0;
}

static struct inet *listener_on(int family, unsigned port)
{
    for (int i = 0; i < nsocks; i++)
        if (socks[i] && socks[i]->state == LISTENING && socks[i]->family == family &&
            port_of(&socks[i]->local) == port)
            return socks[i];
    return NULL;
}

static int port_taken(int family, unsigned port)
{
    for (int i = 0; i < nsocks; i++)
        if (socks[i] && socks[i]->state != CREATED && socks[i]->family == family &&
            port_of(&socks[i]->local) == port)
            return 1;
    return 0;
}

static int ephemeral_port(int family)
{
    for (unsigned n = 0; n < 28232; n++) {
        unsigned p = next_port;
        next_port = next_port == 60999 ? 32768 : next_port + 1;
        if (!port_taken(family, p))
            return (int)p;
    }
    return -1;
}

static struct inet *track(int fd, int family, enum state st, int kept)
{
    struct inet *s;
    if (fd >= nsocks) {
        int n = fd + 16;
        struct inet **grown = realloc(socks, (size_t)n * sizeof(*grown));
        if (!grown)
            return NULL;
        memset(grown + nsocks, 0, (size_t)(n - nsocks) * sizeof(*grown));
        socks = grown;
        nsocks = n;
    }
    if (!(s = calloc(1, sizeof(*s))))
        return NULL;
    s->state = st;
    s->family = family;
    s->kept = kept;
    s->local.ss_family = (sa_family_t)family;
    s->peer.ss_family = (sa_family_t)family;
    socks[fd] = s;
    return s;
}

void __vg_inet_forget(int fd)
{
    struct inet *s = __vg_inet(fd);
    if (!s)
        return;
    if (s->kept >= 0)
        (void)!__wasi_fd_close(s->kept);
    for (int i = 0; i < s->queued; i++) {
        __vg_inet_forget(s->queue[i]);
        (void)!__wasi_fd_close(s->queue[i]);
    }
    free(s->queue);
    free(s);
    socks[fd] = NULL;
}

int __vg_inet_socket(int domain, int type)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | (type & (SOCK_NONBLOCK | SOCK_CLOEXEC)), 0, sv) < 0)
        return -1;
    if (!track(sv[0], domain, CREATED, sv[1])) {
        close(sv[0]);
        close(sv[1]);
        return __vg_fail(ENOMEM);
    }
    return sv[0];
}

/* The address at addr, checked for this socket's family: 0, or -1/errno. */
static int take_addr(const struct inet *s, const struct sockaddr *addr, socklen_t len,
                     struct sockaddr_storage *out)
{
    if (len < addr_len(s->family))
        return __vg_fail(EINVAL);
    if (!__vg_mem_ok(addr, addr_len(s->family)))
        return __vg_fail(EFAULT);
    if (addr->sa_family != s->family)
        return __vg_fail(EAFNOSUPPORT);
    memset(out, 0, sizeof(*out));
    memcpy(out, addr, addr_len(s->family));
    return 0;
}

static int autobind(struct inet *s)
{
    int p = ephemeral_port(s->family);
    if (p < 0)
        return __vg_fail(EADDRNOTAVAIL);
    set_port(&s->local, (unsigned)p);
    s->state = BOUND;
    return 0;
}

int __vg_inet_bind(struct inet *s, const struct sockaddr *addr, socklen_t len)
{
    struct sockaddr_storage a;
    unsigned port;
    if (take_addr(s, addr, len, &a) < 0)
        return -1;
    if (s->state != CREATED)
        return __vg_fail(EINVAL);
    if (!local_kind(&a))
        return __vg_fail(EADDRNOTAVAIL);
    port = port_of(&a);
    if (port && port_taken(s->family, port))
        return __vg_fail(EADDRINUSE);
    s->local = a;
    if (!port)
        return autobind(s);
    s->state = BOUND;
    return 0;
}

int __vg_inet_listen(struct inet *s)
{
    if (s->state == CONNECTED)
        return __vg_fail(EINVAL);
    if (s->state == CREATED && autobind(s) < 0)
        return -1;
    s->state = LISTENING;
    return 0;
}

int __vg_inet_connect(int fd, struct inet *s, const struct sockaddr *addr, socklen_t len)
{
    struct sockaddr_storage a;
    struct inet *l, *server;
    int *grown;
    if (take_addr(s, addr, len, &a) < 0)
        return -1;
    if (s->state == CONNECTED)
        return __vg_fail(EISCONN);
    if (s->state == LISTENING)
        return __vg_fail(EINVAL);
    if (!local_kind(&a))
        return __vg_fail(ENETUNREACH);
    if (!(l = listener_on(s->family, port_of(&a))))
        return __vg_fail(ECONNREFUSED);
    if (s->state == CREATED && autobind(s) < 0)
        return -1;
    if (l->queued == l->cap) {
        int cap = l->cap ? 2 * l->cap : 8;
        if (!(grown = realloc(l->queue, (size_t)cap * sizeof(*grown))))
            return __vg_fail(ENOMEM);
        l->queue = grown;
        l->cap = cap;
    }
    if (!(server = track(s->kept, s->family, CONNECTED, -1)))
        return __vg_fail(ENOMEM);
    server->local = l->local;
    server->peer = s->local;
    if (write(l->kept, "c", 1) != 1) { /* the listener becomes readable */
        int e = errno;
        free(server);
        socks[s->kept] = NULL;
        return __vg_fail(e);
    }
    l->queue[l->queued++] = s->kept;
    s->kept = -1;
    s->peer = a;
    s->state = CONNECTED;
    (void)fd;
    return 0;
}

/* An address for the caller's (addr, len) pair, as accept/getsockname
 * fill it: truncated to *len, *len set to the full length. */
static int give_addr(const struct sockaddr_storage *a, struct sockaddr *addr, socklen_t *len)
{
    socklen_t full = addr_len(a->ss_family), n;
    if (!__vg_mem_ok(len, sizeof(*len)))
        return __vg_fail(EFAULT);
    if ((int)*len < 0)
        return __vg_fail(EINVAL);
    n = *len < full ? *len : full;
    if (n && !__vg_mem_ok(addr, n))
        return __vg_fail(EFAULT);
    memcpy(addr, a, n);
    *len = full;
    return 0;
}

int __vg_inet_accept(int fd, struct inet *s, struct sockaddr *addr, socklen_t *len, int flags)
{
    char c;
    int nfd;
    if (s->state != LISTENING)
        return __vg_fail(EINVAL);
    if (read(fd, &c, 1) != 1) /* blocks, or EAGAIN on a non-blocking listener */
        return -1;
    nfd = s->queue[0];
    memmove(s->queue, s->queue + 1, (size_t)--s->queued * sizeof(*s->queue));
    if ((flags & SOCK_NONBLOCK) && fcntl(nfd, F_SETFL, fcntl(nfd, F_GETFL) | O_NONBLOCK) < 0)
        return -1;
    if ((flags & SOCK_CLOEXEC) && __vg_set_cloexec(nfd) < 0)
        return -1;
    if (addr && give_addr(&socks[nfd]->peer, addr, len) < 0)
        return -1;
    return nfd;
}

int __vg_inet_name(struct inet *s, int peer, struct sockaddr *addr, socklen_t *len)
{
    if (peer && s->state != CONNECTED)
        return __vg_fail(ENOTCONN);
    return give_addr(peer ? &s->peer : &s->local, addr, len);
}

int __vg_inet_family(const struct inet *s)
{
    return s->family;
}

/* Closing a tracked socket also closes what the library kept for it: the
 * other end of an unconnected pair, the connections nobody accepted. */
int close(int fd)
{
    __wasi_errno_t err;
    __vg_inet_forget(fd);
    err = __wasi_fd_close((__wasi_fd_t)fd);
    return err ? __vg_fail(err) : 0;
}
