/*
 * A plain Linux epoll program: builds unmodified with gcc on Linux and with
 * vepoll's guest headers for wasm32-wasi, and behaves the same.  An event
 * loop relays a token around a ring of a pipe, an eventfd and a socket
 * pair; exits 3 on success (so the runner's exit-code passthrough is
 * checked too), 1 on any failure.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define ROUNDS 1000

static int fail(const char *what)
{
    printf("linux_program: %s failed: %s\n", what, strerror(errno));
    return 1;
}

int main(void)
{
    int ep, pfd[2], efd, sv[2], rounds = 0, hup = 0;
    struct epoll_event ev, evs[8];
    uint64_t v;
    char c = 't';

    ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0)
        return fail("epoll_create1");
    if (pipe(pfd) < 0)
        return fail("pipe");
    efd = eventfd(0, EFD_NONBLOCK);
    if (efd < 0)
        return fail("eventfd");
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        return fail("socketpair");

    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN;
    ev.data.fd = pfd[0];
    if (epoll_ctl(ep, EPOLL_CTL_ADD, pfd[0], &ev) < 0)
        return fail("epoll_ctl pipe");
    ev.events = EPOLLIN | EPOLLET;
    ev.data.fd = efd;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) < 0)
        return fail("epoll_ctl eventfd");
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.fd = sv[0];
    if (epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev) < 0)
        return fail("epoll_ctl socket");

    /* pipe -> eventfd -> socket -> pipe ... */
    if (write(pfd[1], &c, 1) != 1)
        return fail("write");
    while (!hup) {
        int n = epoll_wait(ep, evs, 8, 5000);
        if (n <= 0)
            return fail("epoll_wait");
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == pfd[0]) {
                if (read(pfd[0], &c, 1) != 1)
                    return fail("read pipe");
                if (eventfd_write(efd, 1) < 0)
                    return fail("eventfd_write");
            } else if (fd == efd) {
                if (eventfd_read(efd, &v) < 0 || v != 1)
                    return fail("eventfd_read");
                if (write(sv[1], &c, 1) != 1)
                    return fail("write socket");
            } else if (fd == sv[0]) {
                if (evs[i].events & EPOLLRDHUP) {
                    hup = 1;
                    continue;
                }
                if (read(sv[0], &c, 1) != 1)
                    return fail("read socket");
                if (++rounds == ROUNDS) {
                    if (shutdown(sv[1], SHUT_WR) < 0)
                        return fail("shutdown");
                } else if (write(pfd[1], &c, 1) != 1) {
                    return fail("write pipe");
                }
            }
        }
    }
    printf("linux_program: %d rounds, then EPOLLRDHUP\n", rounds);
    close(pfd[0]);
    close(pfd[1]);
    close(efd);
    close(sv[0]);
    close(sv[1]);
    close(ep);
    return rounds == ROUNDS ? 3 : 1;
}
