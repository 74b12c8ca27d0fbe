/*
 * TCP over the loopback address within one process, checked against Linux
 * (built natively and as a guest, where the guest library makes real host
 * sockets through the WASIX socket imports: src/guest/sockets.c):
 * bind to port 0 picks a port that getsockname reports, a blocking connect
 * to a listener succeeds at once, the listener is readable in epoll while a
 * connection waits, accept returns it with the client's address, data and
 * EOF flow both ways, and the errors are Linux's: ECONNREFUSED without a
 * listener, EADDRINUSE for a taken port, EINVAL for listen/accept misuse,
 * EISCONN for a second connect, ENOTCONN for getpeername before connect,
 * EAGAIN for a non-blocking accept with nothing queued.  Socket options
 * are the kernel's: what is set reads back (SO_REUSEADDR, TCP_NODELAY,
 * SO_LINGER), SO_TYPE / SO_DOMAIN / SO_ERROR, EINVAL for a short value.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wx_test.h"

static struct sockaddr_in loopback(unsigned port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)port);
    return a;
}

/* A listener on 127.0.0.1 with a kernel-chosen port, returned in *port. */
static int listener(unsigned *port, int flags)
{
    struct sockaddr_in a = loopback(0);
    socklen_t len = sizeof(a);
    int l = socket(AF_INET, SOCK_STREAM | flags, 0);
    CHECK(l >= 0);
    CHECK_EQ(bind(l, (struct sockaddr *)&a, sizeof(a)), 0);
    CHECK_EQ(listen(l, 8), 0);
    CHECK_EQ(getsockname(l, (struct sockaddr *)&a, &len), 0);
    CHECK_EQ(len, sizeof(a));
    CHECK_EQ(a.sin_family, AF_INET);
    CHECK(ntohs(a.sin_port) != 0);
    *port = ntohs(a.sin_port);
    return l;
}

static void connect_accept_and_talk(void)
{
    unsigned port;
    int l = listener(&port, 0), c, s, ep = epoll_create1(0);
    struct sockaddr_in a = loopback(port), peer, me;
    socklen_t len = sizeof(peer), mlen = sizeof(me);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = l}, out;
    char buf[8];
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev), 0);
    CHECK_EQ(epoll_wait(ep, &out, 1, 0), 0); /* nothing to accept yet */
    c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(c >= 0);
    CHECK_ERR(getpeername(c, (struct sockaddr *)&peer, &len), ENOTCONN);
    CHECK_EQ(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
    CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof(a)), EISCONN);
    CHECK_EQ(epoll_wait(ep, &out, 1, 1000), 1); /* a connection waits */
    CHECK_EQ(out.data.fd, l);
    len = sizeof(peer);
    s = accept(l, (struct sockaddr *)&peer, &len);
    CHECK(s >= 0);
    CHECK_EQ(len, sizeof(peer));
    CHECK_EQ(peer.sin_family, AF_INET);
    CHECK_EQ(getsockname(c, (struct sockaddr *)&me, &mlen), 0);
    CHECK_EQ(peer.sin_port, me.sin_port); /* the client's own port */
    CHECK_EQ(epoll_wait(ep, &out, 1, 0), 0); /* taken */
    CHECK_EQ(write(c, "ping", 4), 4);
    CHECK_EQ(read(s, buf, sizeof(buf)), 4);
    CHECK(memcmp(buf, "ping", 4) == 0);
    CHECK_EQ(send(s, "pong", 4, 0), 4);
    CHECK_EQ(recv(c, buf, sizeof(buf), 0), 4);
    CHECK(memcmp(buf, "pong", 4) == 0);
    CHECK_EQ(close(c), 0);
    CHECK_EQ(read(s, buf, sizeof(buf)), 0); /* EOF */
    close(s);
    close(ep);
    close(l);
}

static void errors(void)
{
    unsigned port;
    int l = listener(&port, SOCK_NONBLOCK), c, d;
    struct sockaddr_in a = loopback(port);
    CHECK_ERR(accept(l, NULL, NULL), EAGAIN);
    d = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_ERR(bind(d, (struct sockaddr *)&a, sizeof(a)), EADDRINUSE);
    CHECK_ERR(accept(d, NULL, NULL), EINVAL); /* not listening */
    CHECK_ERR(bind(d, (struct sockaddr *)&a, 4), EINVAL);
    close(d);
    close(l);
    c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof(a)), ECONNREFUSED); /* closed */
    close(c);
    CHECK_ERR(socket(AF_INET, SOCK_STREAM, 99), EPROTONOSUPPORT);
}

static void options(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0), v = 1;
    socklen_t len = sizeof(v);
    struct linger lg = {1, 5};
    CHECK(s >= 0);
    CHECK_EQ(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)), 0);
    v = 0;
    CHECK_EQ(getsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, &len), 0);
    CHECK_EQ(v, 1);
    CHECK_EQ(len, sizeof(v));
    CHECK_EQ(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, sizeof(v)), 0);
    v = 0;
    CHECK_EQ(getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, &len), 0);
    CHECK_EQ(v, 1);
    CHECK_EQ(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len), 0);
    CHECK_EQ(v, SOCK_STREAM);
    CHECK_EQ(getsockopt(s, SOL_SOCKET, SO_DOMAIN, &v, &len), 0);
    CHECK_EQ(v, AF_INET);
    CHECK_EQ(getsockopt(s, SOL_SOCKET, SO_ERROR, &v, &len), 0);
    CHECK_EQ(v, 0);
    CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, 1), EINVAL);
    CHECK_EQ(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
    memset(&lg, 0, sizeof(lg));
    len = sizeof(lg);
    CHECK_EQ(getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &len), 0);
    CHECK_EQ(lg.l_onoff, 1);
    CHECK_EQ(lg.l_linger, 5);
    CHECK_EQ(close(s), 0);
}

int main(void)
{
    RUN(connect_accept_and_talk);
    RUN(errors);
    RUN(options);
    return 0;
}
