/*
 * poll() and select() (the guest library's, over vepoll_ext_v1 poll) on
 * vepoll objects: readiness, timeouts, HUP, bad fds; and WASI's
 * poll_oneoff, which WASI programs not built with vepoll's SDK use (their
 * wasi-libc poll and select): read and write subscriptions with a clock.
 * posix_poll.c checks the Linux details against Linux.
 */
#include <poll.h>
#include <wasi/api.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wx_test.h"

static void test_poll_pipe_read_and_write_readiness(void)
{
    int p[2];
    struct pollfd fds[2];
    CHECK_EQ(pipe(p), 0);
    fds[0] = (struct pollfd){.fd = p[0], .events = POLLIN};
    fds[1] = (struct pollfd){.fd = p[1], .events = POLLOUT};
    CHECK_EQ(poll(fds, 2, 0), 1);
    CHECK_EQ(fds[0].revents, 0);
    CHECK(fds[1].revents & POLLOUT);
    CHECK_EQ(write(p[1], "x", 1), 1);
    CHECK_EQ(poll(fds, 2, 0), 2);
    CHECK(fds[0].revents & POLLIN);
    close(p[0]);
    close(p[1]);
}

static void test_poll_timeout_waits(void)
{
    int e = eventfd(0, 0);
    struct pollfd f = {.fd = e, .events = POLLIN};
    uint64_t t0 = now_ns();
    CHECK_EQ(poll(&f, 1, 50), 0);
    CHECK(now_ns() - t0 >= 50000000ull);
    t0 = now_ns();
    CHECK_EQ(poll(NULL, 0, 30), 0); /* a pure sleep */
    CHECK(now_ns() - t0 >= 30000000ull);
    close(e);
}

static void test_poll_hup_on_closed_writer(void)
{
    int p[2];
    struct pollfd f;
    CHECK_EQ(pipe(p), 0);
    f = (struct pollfd){.fd = p[0], .events = POLLIN};
    close(p[1]);
    CHECK_EQ(poll(&f, 1, -1), 1);
    CHECK(f.revents & POLLHUP);
    close(p[0]);
}

static void test_poll_bad_fd_is_nval(void)
{
    struct pollfd f = {.fd = 777, .events = POLLIN};
    CHECK_EQ(poll(&f, 1, 0), 1);
    CHECK(f.revents & POLLNVAL);
}

static void test_select_socketpair(void)
{
    int s[2];
    fd_set r, w;
    struct timeval tv = {0, 0};
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, s), 0);
    FD_ZERO(&r);
    FD_SET(s[0], &r);
    CHECK_EQ(select(s[0] + 1, &r, NULL, NULL, &tv), 0);
    CHECK_EQ(write(s[1], "hi", 2), 2);
    FD_ZERO(&r);
    FD_SET(s[0], &r);
    FD_ZERO(&w);
    FD_SET(s[1], &w);
    CHECK_EQ(select(s[1] + 1, &r, &w, NULL, &tv), 2);
    CHECK(FD_ISSET(s[0], &r));
    CHECK(FD_ISSET(s[1], &w));
    close(s[0]);
    close(s[1]);
}

static void test_poll_oneoff_fd_and_clock(void)
{
    int p[2];
    __wasi_subscription_t sub[3];
    __wasi_event_t ev[3];
    __wasi_size_t n = 0;
    CHECK_EQ(pipe(p), 0);
    memset(sub, 0, sizeof(sub));
    sub[0].userdata = 10;
    sub[0].u.tag = __WASI_EVENTTYPE_FD_READ;
    sub[0].u.u.fd_read.file_descriptor = (__wasi_fd_t)p[0];
    sub[1].userdata = 11;
    sub[1].u.tag = __WASI_EVENTTYPE_FD_WRITE;
    sub[1].u.u.fd_write.file_descriptor = (__wasi_fd_t)p[1];
    sub[2].userdata = 12;
    sub[2].u.tag = __WASI_EVENTTYPE_CLOCK;
    sub[2].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    sub[2].u.u.clock.timeout = 10000000; /* 10 ms */
    CHECK_EQ(__wasi_poll_oneoff(sub, ev, 3, &n), 0);
    CHECK_EQ(n, 1); /* the pipe has room */
    CHECK_EQ(ev[0].userdata, 11);
    CHECK_EQ(ev[0].type, __WASI_EVENTTYPE_FD_WRITE);
    CHECK_EQ(write(p[1], "ab", 2), 2);
    CHECK_EQ(__wasi_poll_oneoff(sub, ev, 1, &n), 0);
    CHECK_EQ(n, 1);
    CHECK_EQ(ev[0].userdata, 10);
    CHECK_EQ(ev[0].fd_readwrite.nbytes, 2);
    sub[0] = sub[2];
    CHECK_EQ(__wasi_poll_oneoff(sub, ev, 1, &n), 0); /* a clock alone: a sleep */
    CHECK_EQ(n, 1);
    CHECK_EQ(ev[0].type, __WASI_EVENTTYPE_CLOCK);
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    RUN(test_poll_pipe_read_and_write_readiness);
    RUN(test_poll_timeout_waits);
    RUN(test_poll_hup_on_closed_writer);
    RUN(test_poll_bad_fd_is_nval);
    RUN(test_select_socketpair);
    RUN(test_poll_oneoff_fd_and_clock);
    return 0;
}
