/*
 * A TCP echo server on a preopened listening socket, descriptor 3 (as a
 * guest: tools/vepoll-wasix-run --tcplisten 127.0.0.1:0; natively:
 * tests/guest/echo_client.c puts its listener there), driven by
 * echo_client.c, which opens many connections at once and checks every
 * byte that comes back.  One epoll instance, edge-triggered, with the
 * listener and every connection in it: readiness of real sockets through
 * the guest's epoll (S223).  Each connection echoes what it reads,
 * keeping at most BUF bytes it could not send yet (then it stops reading
 * until they are gone), and is closed at EOF once all is sent.  The server
 * exits 0 after argv[1] connections have been served and closed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wx_test.h"

#define LISTENER 3
#define BUF 16384
#define MAX_CONN 256

struct conn {
    int fd, eof;
    size_t have, sent;
    char buf[BUF];
};

static struct conn conns[MAX_CONN];

/* Moves what can move without blocking; 1 once the connection is done. */
static int pump(struct conn *c)
{
    for (;;) {
        ssize_t n;
        if (c->sent < c->have) {
            n = send(c->fd, c->buf + c->sent, c->have - c->sent, MSG_NOSIGNAL);
            if (n < 0) {
                CHECK(errno == EAGAIN);
                return 0;
            }
            c->sent += (size_t)n;
            continue;
        }
        c->have = c->sent = 0;
        if (c->eof)
            return 1;
        n = recv(c->fd, c->buf, BUF, 0);
        if (n < 0) {
            CHECK(errno == EAGAIN);
            return 0;
        }
        if (n == 0)
            c->eof = 1;
        c->have = (size_t)n;
    }
}

int main(int argc, char **argv)
{
    int want = argc > 1 ? atoi(argv[1]) : 1, served = 0, ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL}, out[32];
    CHECK(ep >= 0 && want > 0);
    CHECK_EQ(fcntl(LISTENER, F_SETFL, O_NONBLOCK), 0);
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, LISTENER, &ev), 0);
    while (served < want) {
        int n = epoll_wait(ep, out, 32, -1);
        CHECK(n > 0);
        for (int i = 0; i < n; i++) {
            struct conn *c = out[i].data.ptr;
            if (!c) {
                int s;
                while ((s = accept4(LISTENER, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    int k = 0;
                    while (k < MAX_CONN && conns[k].fd > 0)
                        k++;
                    CHECK(k < MAX_CONN);
                    conns[k] = (struct conn){.fd = s};
                    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
                    ev.data.ptr = &conns[k];
                    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev), 0);
                }
                CHECK(errno == EAGAIN);
                continue;
            }
            if (c->fd > 0 && pump(c)) {
                CHECK_EQ(close(c->fd), 0); /* leaves the epoll set */
                c->fd = 0;
                served++;
            }
        }
    }
    CHECK_EQ(close(ep), 0);
    printf("echo server: %d connections served\n", served);
    return 0;
}
