/*
 * The epoll calls as the guest library gives them to a C program, checked
 * against Linux (built natively and as a guest, same expectations): the
 * places where the guest library, not the core, decides the answer.  Found
 * by running epoll-shim's test suite (a BSD epoll's catalogue of Linux
 * behaviour) as a guest:
 *
 *   S011  epoll_ctl reads the event first: a NULL event is EFAULT for every
 *         op but DEL, an unknown op and a bad epfd included;
 *   S010, S007  then the descriptors: EBADF for either before any EINVAL
 *         (an unknown op, fd == epfd, epfd not an instance);
 *   S276  epoll_pwait with a pending signal that only its mask unblocks:
 *         ready events and a zero timeout return without the signal (it
 *         stays pending); only a call that would sleep fails with EINTR
 *         after the handler ran;
 *   S278  epoll_pwait2: the timeout checked first (EINVAL before EBADF),
 *         NULL for none, and the pending-signal rule of S276;
 *   S279  ppoll with a pending signal that only its mask unblocks: a ready
 *         descriptor is returned without it, but with nothing ready it
 *         fails with EINTR even with a zero timeout (poll looks at signals
 *         before the timeout, epoll_wait after);
 *   S277  an epoll instance is opened O_RDWR (fcntl F_GETFL);
 *         <limits.h> has Linux's PIPE_BUF, and a non-blocking write of
 *         PIPE_BUF bytes that does not fit whole writes nothing (EAGAIN).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "wx_test.h"

static volatile sig_atomic_t usr1_runs;

static void on_usr1(int sig)
{
    (void)sig;
    usr1_runs++;
}

static void ctl_null_event_is_efault_before_the_op_and_fds(void)
{
    int ep = epoll_create1(0), efd = eventfd(0, 0);
    struct epoll_event ev = {.events = EPOLLIN};
    CHECK(ep >= 0 && efd >= 0);
    CHECK_ERR(epoll_ctl(ep, 42, efd, NULL), EFAULT);
    CHECK_ERR(epoll_ctl(-1, 42, efd, NULL), EFAULT);
    CHECK_ERR(epoll_ctl(-1, EPOLL_CTL_ADD, efd, NULL), EFAULT);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, ep, NULL), EFAULT);
    CHECK_ERR(epoll_ctl(ep, 42, efd, &ev), EINVAL);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, ep, NULL), EINVAL);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL), ENOENT);
    /* EINVAL comes after the EBADF of either descriptor (S010, S007). */
    CHECK_ERR(epoll_ctl(ep, 42, 999, &ev), EBADF);
    CHECK_ERR(epoll_ctl(999, 42, efd, &ev), EBADF);
    CHECK_ERR(epoll_ctl(999, EPOLL_CTL_ADD, 999, &ev), EBADF);
    CHECK_ERR(epoll_ctl(999, EPOLL_CTL_DEL, 999, NULL), EBADF);
    CHECK_ERR(epoll_ctl(efd, EPOLL_CTL_ADD, 999, &ev), EBADF);
    CHECK_ERR(epoll_ctl(efd, EPOLL_CTL_ADD, ep, &ev), EINVAL); /* not an instance */
    /* Nothing was registered by the failed calls. */
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev), 0);
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL), 0);
    close(efd);
    close(ep);
}

static int usr1_pending(void)
{
    sigset_t p;
    CHECK_EQ(sigpending(&p), 0);
    return sigismember(&p, SIGUSR1);
}

static void pwait_delivers_a_pending_signal_only_when_it_would_sleep(void)
{
    struct sigaction sa;
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 7}, out;
    sigset_t usr1, none;
    int ep = epoll_create1(0), efd = eventfd(0, 0);
    CHECK(ep >= 0 && efd >= 0);
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev), 0);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1;
    CHECK_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigemptyset(&none);
    CHECK_EQ(sigprocmask(SIG_BLOCK, &usr1, NULL), 0);
    usr1_runs = 0;
    CHECK_EQ(raise(SIGUSR1), 0);
    CHECK_EQ(usr1_runs, 0);
    CHECK(usr1_pending());
    /* A zero timeout with nothing ready: 0, the signal still pending. */
    CHECK_EQ(epoll_pwait(ep, &out, 1, 0, &none), 0);
    CHECK_EQ(usr1_runs, 0);
    CHECK(usr1_pending());
    /* A ready event is returned, even with a timeout: no signal either. */
    CHECK_EQ(eventfd_write(efd, 1), 0);
    CHECK_EQ(epoll_pwait(ep, &out, 1, 1000, &none), 1);
    CHECK_EQ(out.data.u64, 7);
    CHECK_EQ(usr1_runs, 0);
    CHECK(usr1_pending());
    /* Nothing ready and a timeout: the call would sleep, so EINTR after
     * the handler ran once; the signal is no longer pending. */
    {
        eventfd_t v;
        CHECK_EQ(eventfd_read(efd, &v), 0);
    }
    CHECK_ERR(epoll_pwait(ep, &out, 1, 1000, &none), EINTR);
    CHECK_EQ(usr1_runs, 1);
    CHECK(!usr1_pending());
    CHECK_EQ(sigprocmask(SIG_UNBLOCK, &usr1, NULL), 0);
    CHECK_EQ(usr1_runs, 1);
    signal(SIGUSR1, SIG_DFL);
    close(efd);
    close(ep);
}

/* SIGUSR1 blocked with a handler and raised: pending, its handler not run. */
static void block_and_raise_usr1(void)
{
    struct sigaction sa;
    sigset_t usr1;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1;
    CHECK_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    CHECK_EQ(sigprocmask(SIG_BLOCK, &usr1, NULL), 0);
    usr1_runs = 0;
    CHECK_EQ(raise(SIGUSR1), 0);
    CHECK(usr1_pending());
}

static void unblock_usr1(void)
{
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    CHECK_EQ(sigprocmask(SIG_UNBLOCK, &usr1, NULL), 0);
    signal(SIGUSR1, SIG_DFL);
}

static void pwait2_checks_its_timeout_first_and_keeps_the_signal_rule(void)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 9}, out;
    struct timespec zero = {0, 0}, second = {1, 0}, bad_ns = {0, 1000000000}, negative = {-1, 0};
    sigset_t none;
    int ep = epoll_create1(0), efd = eventfd(0, 0);
    CHECK(ep >= 0 && efd >= 0);
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev), 0);
    sigemptyset(&none);
    CHECK_ERR(epoll_pwait2(ep, &out, 1, &bad_ns, NULL), EINVAL);
    CHECK_ERR(epoll_pwait2(ep, &out, 1, &negative, NULL), EINVAL);
    CHECK_ERR(epoll_pwait2(999, &out, 0, &bad_ns, NULL), EINVAL); /* before EBADF */
    CHECK_EFAULT(epoll_pwait2(999, &out, 0, (const struct timespec *)BAD_PTR, NULL));
    CHECK_ERR(epoll_pwait2(999, &out, 1, &zero, NULL), EBADF);
    CHECK_ERR(epoll_pwait2(ep, &out, 0, &zero, NULL), EINVAL);
    CHECK_EQ(epoll_pwait2(ep, &out, 1, &zero, NULL), 0);
    CHECK_EQ(eventfd_write(efd, 1), 0);
    CHECK_EQ(epoll_pwait2(ep, &out, 1, NULL, NULL), 1); /* NULL: no limit */
    CHECK_EQ(out.data.u64, 9);
    block_and_raise_usr1();
    CHECK_EQ(epoll_pwait2(ep, &out, 1, &second, &none), 1); /* ready: no signal */
    CHECK_EQ(usr1_runs, 0);
    {
        eventfd_t v;
        CHECK_EQ(eventfd_read(efd, &v), 0);
    }
    CHECK_EQ(epoll_pwait2(ep, &out, 1, &zero, &none), 0);
    CHECK_EQ(usr1_runs, 0);
    CHECK_ERR(epoll_pwait2(ep, &out, 1, &second, &none), EINTR);
    CHECK_EQ(usr1_runs, 1);
    unblock_usr1();
    close(efd);
    close(ep);
}

static void ppoll_looks_at_signals_before_its_timeout(void)
{
    struct timespec zero = {0, 0}, bad_ns = {0, -1};
    sigset_t none;
    int efd = eventfd(0, 0);
    struct pollfd pfd = {.fd = efd, .events = POLLIN};
    CHECK(efd >= 0);
    sigemptyset(&none);
    CHECK_ERR(ppoll(&pfd, 1, &bad_ns, NULL), EINVAL);
    CHECK_EQ(ppoll(&pfd, 1, &zero, NULL), 0);
    block_and_raise_usr1();
    CHECK_EQ(eventfd_write(efd, 1), 0);
    CHECK_EQ(ppoll(&pfd, 1, &zero, &none), 1); /* ready: no signal */
    CHECK_EQ(pfd.revents, POLLIN);
    CHECK_EQ(usr1_runs, 0);
    CHECK(usr1_pending());
    {
        eventfd_t v;
        CHECK_EQ(eventfd_read(efd, &v), 0);
    }
    /* Nothing ready: EINTR at once, a zero timeout too. */
    CHECK_ERR(ppoll(&pfd, 1, &zero, &none), EINTR);
    CHECK_EQ(usr1_runs, 1);
    CHECK(!usr1_pending());
    unblock_usr1();
    CHECK_EQ(usr1_runs, 1);
    close(efd);
}

static void epoll_instance_is_open_read_write(void)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    CHECK(ep >= 0);
    CHECK_EQ(fcntl(ep, F_GETFL), O_RDWR);
    CHECK_EQ(fcntl(ep, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(ep, F_SETFL, O_RDWR | O_NONBLOCK), 0);
    CHECK_EQ(fcntl(ep, F_GETFL), O_RDWR | O_NONBLOCK);
    close(ep);
}

static void pipe_buf_writes_are_atomic(void)
{
    static char buf[65536];
    int p[2];
    ssize_t n, got = 0;
    CHECK_EQ(PIPE_BUF, 4096);
    CHECK_EQ(pipe2(p, O_NONBLOCK), 0);
    /* Leave 100 bytes of the 64 KiB pipe free. */
    CHECK_EQ(write(p[1], buf, sizeof(buf) - 100), (ssize_t)sizeof(buf) - 100);
    CHECK_ERR(write(p[1], buf, PIPE_BUF), EAGAIN);
    while ((n = read(p[0], buf, sizeof(buf))) > 0)
        got += n;
    CHECK_EQ(got, (ssize_t)sizeof(buf) - 100); /* nothing of the refused write */
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    RUN(ctl_null_event_is_efault_before_the_op_and_fds);
    RUN(pwait_delivers_a_pending_signal_only_when_it_would_sleep);
    RUN(pwait2_checks_its_timeout_first_and_keeps_the_signal_rule);
    RUN(ppoll_looks_at_signals_before_its_timeout);
    RUN(epoll_instance_is_open_read_write);
    RUN(pipe_buf_writes_are_atomic);
    return 0;
}
