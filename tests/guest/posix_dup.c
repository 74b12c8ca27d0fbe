/*
 * dup, dup2, dup3 and fcntl, checked against Linux (built natively and as
 * a guest): the lowest free number, F_DUPFD's minimum, close-on-exec per
 * descriptor (clear on a duplicate unless asked), status flags per open
 * file description (O_NONBLOCK set through one number is seen through its
 * duplicates), dup2 onto an open number closes it first, and every bad
 * call fails with Linux's errno and changes nothing.  Needs the host's
 * fd_dup / fd_renumber / fd_fdflags imports (VW_WASIX_FD_API).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wx_test.h"

static void dup_takes_lowest_free(void)
{
    int p[2], a, b;
    char c = 0;
    CHECK_EQ(pipe(p), 0);
    a = dup(p[1]);
    CHECK(a > p[1]);
    CHECK_EQ(close(p[1]), 0);
    b = dup(p[0]);
    CHECK_EQ(b, p[1]); /* the number just freed */
    CHECK_EQ(write(a, "z", 1), 1); /* the duplicate still writes the pipe */
    CHECK_EQ(read(b, &c, 1), 1);
    CHECK_EQ(c, 'z');
    close(a);
    close(b);
    close(p[0]);
}

static void dupfd_minimum_and_cloexec(void)
{
    int p[2], a, b;
    CHECK_EQ(pipe(p), 0);
    a = fcntl(p[0], F_DUPFD, 40);
    CHECK(a >= 40);
    CHECK_EQ(fcntl(a, F_GETFD), 0);
    b = fcntl(p[0], F_DUPFD_CLOEXEC, 40);
    CHECK(b > a);
    CHECK_EQ(fcntl(b, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(b, F_SETFD, 0), 0);
    CHECK_EQ(fcntl(b, F_GETFD), 0);
    CHECK_EQ(fcntl(a, F_SETFD, FD_CLOEXEC), 0);
    CHECK_EQ(fcntl(a, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(p[0], F_GETFD), 0); /* per descriptor, not shared */
    CHECK_ERR(fcntl(p[0], F_DUPFD, -1), EINVAL);
    close(a);
    close(b);
    close(p[0]);
    close(p[1]);
}

static void status_flags_are_shared(void)
{
    int sv[2], a;
    char c;
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    a = dup(sv[0]);
    CHECK(a >= 0);
    CHECK_EQ(fcntl(sv[0], F_GETFL) & O_NONBLOCK, 0);
    CHECK_EQ(fcntl(a, F_SETFL, fcntl(a, F_GETFL) | O_NONBLOCK), 0);
    CHECK(fcntl(sv[0], F_GETFL) & O_NONBLOCK);
    CHECK_ERR(read(sv[0], &c, 1), EAGAIN);
    CHECK_EQ(fcntl(sv[0], F_GETFL) & O_ACCMODE, O_RDWR);
    close(a);
    close(sv[0]);
    close(sv[1]);
}

static void access_modes(void)
{
    int p[2];
    CHECK_EQ(pipe(p), 0);
    CHECK_EQ(fcntl(p[0], F_GETFL) & O_ACCMODE, O_RDONLY);
    CHECK_EQ(fcntl(p[1], F_GETFL) & O_ACCMODE, O_WRONLY);
    close(p[0]);
    close(p[1]);
}

static void dup2_and_dup3(void)
{
    int p[2], q[2];
    char c = 0;
    CHECK_EQ(pipe(p), 0);
    CHECK_EQ(pipe(q), 0);
    CHECK_EQ(dup2(p[0], p[0]), p[0]); /* same number: just checked */
    CHECK_EQ(fcntl(q[1], F_SETFD, FD_CLOEXEC), 0);
    CHECK_EQ(dup2(p[1], q[1]), q[1]); /* q's write end closed, replaced */
    CHECK_EQ(fcntl(q[1], F_GETFD), 0);
    CHECK_EQ(write(q[1], "y", 1), 1);
    CHECK_EQ(read(p[0], &c, 1), 1);
    CHECK_EQ(c, 'y');
    CHECK_EQ(read(q[0], &c, 1), 0); /* its writer is gone: end of file */
    CHECK_EQ(dup3(p[1], q[1], O_CLOEXEC), q[1]);
    CHECK_EQ(fcntl(q[1], F_GETFD), FD_CLOEXEC);
    CHECK_ERR(dup3(p[1], p[1], 0), EINVAL);
    CHECK_ERR(dup3(p[1], q[1], 0x1234), EINVAL);
    close(p[0]);
    close(p[1]);
    close(q[0]);
    close(q[1]);
}

static void bad_descriptors(void)
{
    int p[2], closed;
    CHECK_EQ(pipe(p), 0);
    closed = p[1];
    close(closed);
    CHECK_ERR(dup(-1), EBADF);
    CHECK_ERR(dup(closed), EBADF);
    CHECK_ERR(dup2(closed, p[0]), EBADF);
    CHECK_ERR(dup2(closed, closed), EBADF);
    CHECK_ERR(dup2(p[0], -1), EBADF);
    CHECK_ERR(dup3(closed, 50, 0), EBADF);
    CHECK_ERR(fcntl(-1, F_GETFD), EBADF);
    CHECK_ERR(fcntl(closed, F_GETFL), EBADF);
    CHECK_ERR(fcntl(closed, F_SETFD, FD_CLOEXEC), EBADF);
    CHECK_ERR(fcntl(closed, F_DUPFD, 0), EBADF);
    CHECK_ERR(fcntl(p[0], 0x7fff), EINVAL);
    CHECK_EQ(fcntl(p[0], F_GETFD), 0); /* nothing changed */
    close(p[0]);
}

static void duplicate_in_epoll(void)
{
    int p[2], a, ep;
    struct epoll_event ev = {.events = EPOLLIN}, out[4];
    CHECK_EQ(pipe(p), 0);
    a = dup(p[0]);
    ep = epoll_create1(EPOLL_CLOEXEC);
    CHECK(ep >= 0);
    CHECK_EQ(fcntl(ep, F_GETFD), FD_CLOEXEC);
    ev.data.fd = p[0];
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0);
    ev.data.fd = a;
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, a, &ev), 0); /* same file, two numbers */
    CHECK_EQ(write(p[1], "x", 1), 1);
    CHECK_EQ(epoll_wait(ep, out, 4, 0), 2);
    close(ep);
    close(a);
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    RUN(dup_takes_lowest_free);
    RUN(dupfd_minimum_and_cloexec);
    RUN(status_flags_are_shared);
    RUN(access_modes);
    RUN(dup2_and_dup3);
    RUN(bad_descriptors);
    RUN(duplicate_in_epoll);
    return 0;
}
