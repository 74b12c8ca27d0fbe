/*
 * Descriptors coming and going (docs/EMBEDDING.md, "What Wasmer's own epoll does"): a closed watched fd
 * leaves every instance, its number can be reused and ADDed again (Wasmer:
 * EEXIST, stale_close.rs) without stale events reaching the new owner
 * (#6608), EFD_NONBLOCK reaches the eventfd (#6767: curl hung), and
 * Wasmer's own poll_tests/epoll-create-ctl-wait program passes.
 */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wx_test.h"

static void test_fd_reuse_after_close_add_succeeds_no_stale_event(void)
{
    int ep = epoll_create1(0), p[2], e;
    struct epoll_event out[2], ev = {.events = EPOLLIN | EPOLLOUT};
    CHECK_EQ(pipe(p), 0);
    ev.data.u64 = 111;
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0);
    CHECK_EQ(write(p[1], "x", 1), 1); /* p[0] has a pending event */
    close(p[0]);                       /* ... and goes away without DEL */
    e = eventfd(0, 0);
    CHECK_EQ(e, p[0]); /* the number is reused */
    CHECK_EQ(epoll_wait(ep, out, 2, 0), 0); /* nothing stale for it */
    ev.events = EPOLLIN;
    ev.data.u64 = 222;
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev), 0); /* not EEXIST */
    CHECK_EQ(epoll_wait(ep, out, 2, 0), 0);
    CHECK_EQ(eventfd_write(e, 1), 0);
    CHECK_EQ(epoll_wait(ep, out, 2, 0), 1);
    CHECK_EQ(out[0].data.u64, 222);
    close(e);
    close(p[1]);
    close(ep);
}

static void test_close_many_registered_fds_then_reuse(void)
{
    /* The adapter's per-registration data must follow the registrations. */
    int ep = epoll_create1(0);
    struct epoll_event out[8];
    for (int round = 0; round < 200; round++) {
        int s[2];
        struct epoll_event ev = {.events = EPOLLIN};
        CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, s), 0);
        ev.data.u64 = (uint64_t)round << 32 | (uint32_t)s[0];
        CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, s[0], &ev), 0);
        ev.data.u64 = (uint64_t)round << 32 | (uint32_t)s[1];
        CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, s[1], &ev), 0);
        CHECK_EQ(write(s[1], "r", 1), 1);
        CHECK_EQ(epoll_wait(ep, out, 8, 0), 1);
        CHECK_EQ(out[0].data.u64, (uint64_t)round << 32 | (uint32_t)s[0]);
        if (round % 2)
            CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_DEL, s[0], NULL), 0);
        close(s[0]);
        close(s[1]);
    }
    CHECK_EQ(epoll_wait(ep, out, 8, 0), 0);
    close(ep);
}

static void test_close_epoll_fd_with_registrations(void)
{
    int e = eventfd(1, 0);
    for (int i = 0; i < 50; i++) {
        int ep = epoll_create1(0);
        struct epoll_event ev = {.events = EPOLLIN}, out;
        CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev), 0);
        CHECK_EQ(epoll_wait(ep, &out, 1, 0), 1);
        close(ep);
    }
    close(e);
}

static void test_efd_nonblock_read_empty_is_eagain(void)
{
    int e = eventfd(0, EFD_NONBLOCK);
    eventfd_t v;
    CHECK(e >= 0);
    CHECK_EQ(read(e, &v, 8), -1);
    CHECK_EQ(errno, EAGAIN);
    CHECK_EQ(eventfd_write(e, 3), 0);
    CHECK_EQ(eventfd_read(e, &v), 0);
    CHECK_EQ(v, 3);
    CHECK_EQ(read(e, &v, 4), -1); /* < 8 bytes */
    CHECK_EQ(errno, EINVAL);
    close(e);
}

static void test_efd_semaphore_counts_down(void)
{
    int e = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK), ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN}, out;
    eventfd_t v;
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev), 0);
    CHECK_EQ(eventfd_read(e, &v), 0);
    CHECK_EQ(v, 1);
    CHECK_EQ(epoll_wait(ep, &out, 1, 0), 1); /* still 1 left */
    CHECK_EQ(eventfd_read(e, &v), 0);
    CHECK_EQ(epoll_wait(ep, &out, 1, 0), 0);
    CHECK_EQ(read(e, &v, 8), -1);
    CHECK_EQ(errno, EAGAIN);
    close(e);
    close(ep);
}

static void test_nonblock_pipe_and_socket(void)
{
    int p[2], s[2];
    char c;
    CHECK_EQ(pipe2(p, O_NONBLOCK), 0);
    CHECK_EQ(read(p[0], &c, 1), -1);
    CHECK_EQ(errno, EAGAIN);
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, s), 0);
    CHECK_EQ(read(s[0], &c, 1), -1);
    CHECK_EQ(errno, EAGAIN);
    CHECK_EQ(fcntl(s[0], F_GETFL) & O_NONBLOCK, O_NONBLOCK);
    close(p[0]);
    close(p[1]);
    close(s[0]);
    close(s[1]);
}

/* Wasmer's lib/wasix/tests/wasm_tests/poll_tests/epoll-create-ctl-wait. */
static void test_wasmer_epoll_create_ctl_wait(void)
{
    int epfd = epoll_create1(0), efd1 = eventfd(0, 0), efd2 = eventfd(0, 0);
    struct epoll_event ev, evs[2];
    uint64_t one = 1;
    int n, saw1 = 0, saw2 = 0;
    CHECK(epfd >= 0 && efd1 >= 0 && efd2 >= 0);
    ev.events = EPOLLIN;
    ev.data.fd = efd1;
    CHECK_EQ(epoll_ctl(epfd, EPOLL_CTL_ADD, efd1, &ev), 0);
    ev.data.fd = efd2;
    CHECK_EQ(epoll_ctl(epfd, EPOLL_CTL_ADD, efd2, &ev), 0);
    CHECK_EQ(write(efd1, &one, 8), 8);
    CHECK_EQ(write(efd2, &one, 8), 8);
    n = epoll_wait(epfd, evs, 2, 1000);
    CHECK_EQ(n, 2);
    for (int i = 0; i < n; i++) {
        saw1 += evs[i].data.fd == efd1;
        saw2 += evs[i].data.fd == efd2;
    }
    CHECK(saw1 == 1 && saw2 == 1);
    CHECK_EQ(epoll_ctl(epfd, EPOLL_CTL_DEL, efd1, NULL), 0);
    CHECK_EQ(write(efd1, &one, 8), 8);
    CHECK_EQ(write(efd2, &one, 8), 8);
    n = epoll_wait(epfd, evs, 2, 1000);
    CHECK_EQ(n, 1);
    CHECK_EQ(evs[0].data.fd, efd2);
    ev.events = EPOLLOUT;
    ev.data.fd = efd2;
    CHECK_EQ(epoll_ctl(epfd, EPOLL_CTL_MOD, efd2, &ev), 0);
    n = epoll_wait(epfd, evs, 2, 1000);
    CHECK_EQ(n, 1);
    CHECK_EQ(evs[0].data.fd, efd2);
    CHECK(evs[0].events & EPOLLOUT);
    CHECK(!(evs[0].events & EPOLLIN));
    close(efd1);
    close(efd2);
    close(epfd);
}

int main(void)
{
    RUN(test_fd_reuse_after_close_add_succeeds_no_stale_event);
    RUN(test_close_many_registered_fds_then_reuse);
    RUN(test_close_epoll_fd_with_registrations);
    RUN(test_efd_nonblock_read_empty_is_eagain);
    RUN(test_efd_semaphore_counts_down);
    RUN(test_nonblock_pipe_and_socket);
    RUN(test_wasmer_epoll_create_ctl_wait);
    return 0;
}
