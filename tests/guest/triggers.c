/*
 * Level-triggered, edge-triggered and one-shot on pipes and eventfds.
 * Wasmer: LT behaves edge-like (bits consumed on delivery), ET and ONESHOT
 * are accepted and never consulted (its tests for them are disabled; see
 * docs/EMBEDDING.md, "What Wasmer's own epoll does").  Each is a regression test here.
 */
#include <sys/epoll.h>
#include <sys/eventfd.h>
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

static int wait0(int ep, struct epoll_event *out, int max)
{
    int n = epoll_wait(ep, out, max, 0);
    CHECK(n >= 0);
    return n;
}

static void test_lt_pipe_reports_again_until_drained(void)
{
    int p[2], ep = ep_new();
    struct epoll_event out[2];
    char buf[8];
    CHECK_EQ(pipe(p), 0);
    add(ep, p[0], EPOLLIN);
    CHECK_EQ(write(p[1], "abcd", 4), 4);
    for (int i = 0; i < 3; i++) { /* not consumed by delivery */
        CHECK_EQ(wait0(ep, out, 2), 1);
        CHECK_EQ(out[0].events, EPOLLIN);
        CHECK_EQ(out[0].data.fd, p[0]);
    }
    CHECK_EQ(read(p[0], buf, 2), 2);
    CHECK_EQ(wait0(ep, out, 2), 1); /* 2 bytes left */
    CHECK_EQ(read(p[0], buf, 8), 2);
    CHECK_EQ(wait0(ep, out, 2), 0);
    close(p[0]);
    close(p[1]);
    close(ep);
}

static void test_lt_eventfd_reports_while_counter_positive(void)
{
    int e = eventfd(0, 0), ep = ep_new();
    struct epoll_event out[1];
    eventfd_t v;
    add(ep, e, EPOLLIN);
    CHECK_EQ(wait0(ep, out, 1), 0);
    CHECK_EQ(eventfd_write(e, 2), 0);
    CHECK_EQ(wait0(ep, out, 1), 1);
    CHECK_EQ(wait0(ep, out, 1), 1);
    CHECK_EQ(eventfd_read(e, &v), 0);
    CHECK_EQ(v, 2);
    CHECK_EQ(wait0(ep, out, 1), 0);
    close(e);
    close(ep);
}

static void test_et_pipe_reports_once_per_write(void)
{
    int p[2], ep = ep_new();
    struct epoll_event out[1];
    CHECK_EQ(pipe(p), 0);
    add(ep, p[0], EPOLLIN | EPOLLET);
    CHECK_EQ(write(p[1], "x", 1), 1);
    CHECK_EQ(wait0(ep, out, 1), 1);
    CHECK_EQ(wait0(ep, out, 1), 0); /* no new edge, data still there */
    CHECK_EQ(write(p[1], "y", 1), 1);
    CHECK_EQ(wait0(ep, out, 1), 1); /* every write is an edge */
    CHECK_EQ(wait0(ep, out, 1), 0);
    close(p[0]);
    close(p[1]);
    close(ep);
}

static void test_et_pipe_write_end_no_extra_events(void)
{
    /* Wasmer's disabled test: "extra events on pipe write end". */
    int p[2], ep = ep_new();
    struct epoll_event out[2];
    CHECK_EQ(pipe(p), 0);
    add(ep, p[1], EPOLLOUT | EPOLLET);
    CHECK_EQ(wait0(ep, out, 2), 1); /* writable at ADD */
    CHECK_EQ(out[0].events, EPOLLOUT);
    CHECK_EQ(wait0(ep, out, 2), 0);
    CHECK_EQ(write(p[1], "z", 1), 1);
    CHECK_EQ(wait0(ep, out, 2), 0); /* writing is no OUT edge */
    close(p[0]);
    close(p[1]);
    close(ep);
}

static void test_et_eventfd(void)
{
    int e = eventfd(0, 0), ep = ep_new();
    struct epoll_event out[1];
    add(ep, e, EPOLLIN | EPOLLET);
    CHECK_EQ(eventfd_write(e, 1), 0);
    CHECK_EQ(wait0(ep, out, 1), 1);
    CHECK_EQ(wait0(ep, out, 1), 0);
    CHECK_EQ(eventfd_write(e, 1), 0);
    CHECK_EQ(wait0(ep, out, 1), 1);
    close(e);
    close(ep);
}

static void test_oneshot_reports_once_until_mod(void)
{
    int p[2], ep = ep_new();
    struct epoll_event out[1], ev = {.events = EPOLLIN | EPOLLONESHOT, .data.u32 = 77};
    CHECK_EQ(pipe(p), 0);
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0);
    CHECK_EQ(write(p[1], "a", 1), 1);
    CHECK_EQ(wait0(ep, out, 1), 1);
    CHECK_EQ(out[0].data.u32, 77);
    CHECK_EQ(wait0(ep, out, 1), 0); /* disarmed */
    CHECK_EQ(write(p[1], "b", 1), 1);
    CHECK_EQ(wait0(ep, out, 1), 0); /* still disarmed */
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), -1);
    CHECK_EQ(errno, EEXIST); /* disarmed is still registered */
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), 0); /* re-arm */
    CHECK_EQ(wait0(ep, out, 1), 1);
    CHECK_EQ(wait0(ep, out, 1), 0);
    close(p[0]);
    close(p[1]);
    close(ep);
}

static void test_oneshot_pipe_hup_not_reported_while_disarmed(void)
{
    int p[2], ep = ep_new();
    struct epoll_event out[1], ev = {.events = EPOLLIN | EPOLLONESHOT};
    CHECK_EQ(pipe(p), 0);
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0);
    CHECK_EQ(write(p[1], "a", 1), 1);
    CHECK_EQ(wait0(ep, out, 1), 1);
    close(p[1]); /* HUP while disarmed: nothing */
    CHECK_EQ(wait0(ep, out, 1), 0);
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), 0);
    CHECK_EQ(wait0(ep, out, 1), 1);
    CHECK_EQ(out[0].events, EPOLLIN | EPOLLHUP);
    close(p[0]);
    close(ep);
}

int main(void)
{
    RUN(test_lt_pipe_reports_again_until_drained);
    RUN(test_lt_eventfd_reports_while_counter_positive);
    RUN(test_et_pipe_reports_once_per_write);
    RUN(test_et_pipe_write_end_no_extra_events);
    RUN(test_et_eventfd);
    RUN(test_oneshot_reports_once_until_mod);
    RUN(test_oneshot_pipe_hup_not_reported_while_disarmed);
    return 0;
}
