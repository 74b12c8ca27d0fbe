/*
 * Readiness Wasmer misses (docs/EMBEDDING.md, "What Wasmer's own epoll does"): EPOLLOUT on a pipe write
 * end (disabled test: no handler on PipeTx) and on a socket pair (#6938: the
 * wait hung), EPOLLOUT of an eventfd after MOD (Wasmer's C test), data
 * written before ADD (#6691: missed until the next write), one coalesced
 * event per fd (#6608), HUP / RDHUP / ERR.
 */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wx_test.h"

static int ep_new(void)
{
    int ep = epoll_create1(0);
    CHECK(ep >= 0);
    return ep;
}

static void add(int ep, int fd, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.fd = fd};
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), 0);
}

static void test_epollout_pipe_write_end(void)
{
    int p[2], ep = ep_new(), n = 0;
    struct epoll_event out[1];
    char buf[4096];
    CHECK_EQ(pipe2(p, O_NONBLOCK), 0);
    add(ep, p[1], EPOLLOUT);
    CHECK_EQ(epoll_wait(ep, out, 1, -1), 1); /* never hangs */
    CHECK_EQ(out[0].events, EPOLLOUT);
    CHECK_EQ(out[0].data.fd, p[1]);
    memset(buf, 'x', sizeof(buf));
    while (write(p[1], buf, sizeof(buf)) > 0)
        n++;
    CHECK_EQ(errno, EAGAIN);
    CHECK(n > 0);
    CHECK_EQ(epoll_wait(ep, out, 1, 0), 0); /* full: not writable */
    while (read(p[0], buf, sizeof(buf)) > 0)
        ;
    CHECK_EQ(epoll_wait(ep, out, 1, 1000), 1); /* drained: writable again */
    CHECK_EQ(out[0].events, EPOLLOUT);
    close(p[0]);
    CHECK_EQ(epoll_wait(ep, out, 1, 0), 1); /* reader gone: OUT|ERR */
    CHECK_EQ(out[0].events, EPOLLOUT | EPOLLERR);
    close(p[1]);
    close(ep);
}

static void test_epollout_socketpair_does_not_hang(void)
{
    int s[2], ep = ep_new();
    struct epoll_event out[2];
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, s), 0);
    add(ep, s[0], EPOLLOUT);
    CHECK_EQ(epoll_wait(ep, out, 2, -1), 1);
    CHECK_EQ(out[0].events, EPOLLOUT);
    CHECK_EQ(out[0].data.fd, s[0]);
    close(s[0]);
    close(s[1]);
    close(ep);
}

static void test_eventfd_mod_to_epollout_reports_out_only(void)
{
    int e = eventfd(0, 0), ep = ep_new();
    struct epoll_event out[1], ev = {.events = EPOLLOUT, .data.fd = e};
    CHECK_EQ(eventfd_write(e, 1), 0);
    add(ep, e, EPOLLIN);
    CHECK_EQ(epoll_wait(ep, out, 1, 0), 1);
    CHECK_EQ(out[0].events, EPOLLIN);
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_MOD, e, &ev), 0);
    CHECK_EQ(epoll_wait(ep, out, 1, 0), 1);
    CHECK_EQ(out[0].events, EPOLLOUT);
    close(e);
    close(ep);
}

static void test_data_written_before_add_is_reported(void)
{
    int p[2], s[2], e = eventfd(0, 0), ep = ep_new();
    struct epoll_event out[4];
    uint32_t seen = 0;
    CHECK_EQ(pipe(p), 0);
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, s), 0);
    CHECK_EQ(write(p[1], "p", 1), 1);
    CHECK_EQ(write(s[1], "s", 1), 1);
    CHECK_EQ(eventfd_write(e, 1), 0);
    add(ep, p[0], EPOLLIN);
    add(ep, s[0], EPOLLIN);
    add(ep, e, EPOLLIN);
    CHECK_EQ(epoll_wait(ep, out, 4, -1), 3); /* no further write needed */
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(out[i].events, EPOLLIN);
        seen |= out[i].data.fd == p[0] ? 1 : out[i].data.fd == s[0] ? 2 : out[i].data.fd == e ? 4 : 8;
    }
    CHECK_EQ(seen, 7);
    close(p[0]);
    close(p[1]);
    close(s[0]);
    close(s[1]);
    close(e);
    close(ep);
}

static void test_in_and_out_coalesced_into_one_event(void)
{
    int s[2], ep = ep_new();
    struct epoll_event out[4];
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, s), 0);
    CHECK_EQ(write(s[1], "x", 1), 1);
    add(ep, s[0], EPOLLIN | EPOLLOUT);
    CHECK_EQ(epoll_wait(ep, out, 4, 0), 1);
    CHECK_EQ(out[0].events, EPOLLIN | EPOLLOUT);
    close(s[0]);
    close(s[1]);
    close(ep);
}

static void test_pipe_writer_close_is_hup(void)
{
    int p[2], ep = ep_new();
    struct epoll_event out[1];
    CHECK_EQ(pipe(p), 0);
    add(ep, p[0], EPOLLIN);
    close(p[1]);
    CHECK_EQ(epoll_wait(ep, out, 1, -1), 1);
    CHECK_EQ(out[0].events, EPOLLHUP);
    close(p[0]);
    close(ep);
}

static void test_socket_shutdown_is_rdhup(void)
{
    int s[2], ep = ep_new();
    struct epoll_event out[1];
    char c;
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, s), 0);
    add(ep, s[0], EPOLLIN | EPOLLRDHUP);
    CHECK_EQ(epoll_wait(ep, out, 1, 0), 0);
    CHECK_EQ(shutdown(s[1], SHUT_WR), 0);
    CHECK_EQ(epoll_wait(ep, out, 1, -1), 1);
    CHECK_EQ(out[0].events, EPOLLIN | EPOLLRDHUP);
    CHECK_EQ(read(s[0], &c, 1), 0); /* EOF */
    CHECK_EQ(send(s[1], "x", 1, MSG_NOSIGNAL), -1); /* write() would raise SIGPIPE */
    CHECK_EQ(errno, EPIPE);
    CHECK_EQ(shutdown(s[0], SHUT_WR), 0); /* both directions shut: HUP */
    CHECK_EQ(epoll_wait(ep, out, 1, 0), 1);
    CHECK_EQ(out[0].events, EPOLLIN | EPOLLRDHUP | EPOLLHUP);
    CHECK_EQ(shutdown(s[0], 7), -1);
    CHECK_EQ(errno, EINVAL);
    close(s[0]);
    close(s[1]);
    close(ep);
}

static void test_one_fd_in_two_instances(void)
{
    /* Wasmer: one handler slot per source, the second ADD steals it. */
    int e = eventfd(0, 0), a = ep_new(), b = ep_new();
    struct epoll_event out[1];
    add(a, e, EPOLLIN);
    add(b, e, EPOLLIN);
    CHECK_EQ(eventfd_write(e, 1), 0);
    CHECK_EQ(epoll_wait(a, out, 1, 0), 1);
    CHECK_EQ(epoll_wait(b, out, 1, 0), 1);
    close(e);
    close(a);
    close(b);
}

static void test_nested_epoll_instance(void)
{
    /* Wasmer rejects nesting with EBADF; Linux (and vepoll) support it. */
    int e = eventfd(0, 0), inner = ep_new(), outer = ep_new();
    struct epoll_event out[1];
    add(inner, e, EPOLLIN);
    add(outer, inner, EPOLLIN);
    CHECK_EQ(epoll_wait(outer, out, 1, 0), 0);
    CHECK_EQ(eventfd_write(e, 1), 0);
    CHECK_EQ(epoll_wait(outer, out, 1, -1), 1);
    CHECK_EQ(out[0].data.fd, inner);
    CHECK_EQ(epoll_wait(inner, out, 1, 0), 1);
    CHECK_EQ(out[0].data.fd, e);
    close(e);
    close(inner);
    close(outer);
}

int main(void)
{
    RUN(test_epollout_pipe_write_end);
    RUN(test_epollout_socketpair_does_not_hang);
    RUN(test_eventfd_mod_to_epollout_reports_out_only);
    RUN(test_data_written_before_add_is_reported);
    RUN(test_in_and_out_coalesced_into_one_event);
    RUN(test_pipe_writer_close_is_hup);
    RUN(test_socket_shutdown_is_rdhup);
    RUN(test_one_fd_in_two_instances);
    RUN(test_nested_epoll_instance);
    return 0;
}
