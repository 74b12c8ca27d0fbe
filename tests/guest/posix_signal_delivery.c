/*
 * Signals sent from outside, checked against Linux: this file runs as a
 * wasm guest (tools/vepoll-wasix-run, whose process is the guest's) and as
 * a native Linux program, with the same expectations.  signal_driver.sh
 * starts it, waits for each "ready" line and for the process to sleep, and
 * sends the signals with kill(1) to its pid (S240-S246, S287).
 *
 *   posix_signal_delivery handler   (driver: USR1 | USR1, USR2 | HUP, USR2 |
 *                                    USR1, USR2 | USR1 | USR1 | USR1)
 *     S240  SIGUSR1 (handler, SA_RESTART) while blocked in epoll_wait(-1)
 *           on an empty pipe: the handler runs once, epoll_wait returns -1
 *           with EINTR (never restarted), the program goes on;
 *     S241  the same while blocked in read(2) of the empty pipe: the read
 *           is restarted after the handler and keeps waiting; SIGUSR2
 *           (handler without SA_RESTART) then ends it with EINTR;
 *     S242  SIGHUP ignored with SIG_IGN: nothing happens, the wait goes on
 *           (a later SIGUSR2 ends it);
 *     S243  SIGUSR1 blocked with sigprocmask: it does not interrupt, stays
 *           pending (sigpending) and its handler runs when it is unblocked,
 *           before sigprocmask returns;
 *     S246  epoll_pwait whose mask blocks SIGUSR1: SIGUSR1 does not
 *           interrupt it, the wait ends by its timeout (0), and the handler
 *           runs once the mask is restored, before epoll_pwait returns;
 *     S287  SIGUSR1 (SA_RESTART) while blocked in poll(-1), then in
 *           select(NULL), on the empty pipe: each sleeps, the handler runs
 *           once, and each returns -1 with EINTR (never restarted).
 *   posix_signal_delivery default   (driver: INT or TERM)
 *     S244  no handler: the signal ends the process while it is blocked in
 *           epoll_wait, status 128 + sig (130, 143), within one second.
 *   posix_signal_delivery suspend   (driver: USR1)
 *     S245  sigsuspend with SIGUSR1 unblocked waits for it: the handler
 *           runs once, sigsuspend returns -1 with EINTR and the old mask is
 *           back (USR1 blocked again).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <unistd.h>

#include "wx_test.h"

static volatile sig_atomic_t usr1, usr2;

static void note(const char *msg)
{
    (void)!write(1, msg, strlen(msg));
}

static void on_usr1(int sig)
{
    (void)sig;
    usr1++;
    note("handler usr1\n");
}

static void on_usr2(int sig)
{
    (void)sig;
    usr2++;
    note("handler usr2\n");
}

static void handle(int sig, void (*fn)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    CHECK_EQ(sigaction(sig, &sa, NULL), 0);
}

static void block(int how, int sig)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    CHECK_EQ(sigprocmask(how, &s, NULL), 0);
}

/* An epoll instance watching the read end of an empty pipe. */
static int empty_pipe_epoll(int p[2])
{
    struct epoll_event ev;
    int ep;
    CHECK_EQ(pipe(p), 0);
    ep = epoll_create1(0);
    CHECK(ep >= 0);
    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN;
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0);
    return ep;
}

static int handler_mode(void)
{
    struct epoll_event ev;
    fd_set rfds;
    sigset_t set;
    char c;
    int p[2], ep = empty_pipe_epoll(p);
    handle(SIGUSR1, on_usr1, SA_RESTART);
    handle(SIGUSR2, on_usr2, 0);

    note("ready epoll_wait\n"); /* S240 */
    CHECK_ERR(epoll_wait(ep, &ev, 1, -1), EINTR);
    CHECK_EQ(usr1, 1);
    note("ok S240 epoll_wait EINTR after one handler run\n");

    note("ready read\n"); /* S241 */
    CHECK_ERR(read(p[0], &c, 1), EINTR);
    CHECK_EQ(usr1, 2); /* it ran, and the read went on waiting */
    CHECK_EQ(usr2, 1);
    note("ok S241 read restarted after SA_RESTART, EINTR after the other\n");

    CHECK(signal(SIGHUP, SIG_IGN) != SIG_ERR); /* S242 */
    note("ready ignored\n");
    CHECK_ERR(epoll_wait(ep, &ev, 1, -1), EINTR);
    CHECK_EQ(usr2, 2); /* only the SIGUSR2 that came after it ended the wait */
    note("ok S242 ignored signal changed nothing\n");

    block(SIG_BLOCK, SIGUSR1); /* S243 */
    note("ready blocked\n");
    CHECK_ERR(epoll_wait(ep, &ev, 1, -1), EINTR);
    CHECK_EQ(usr2, 3);
    CHECK_EQ(usr1, 2);
    CHECK_EQ(sigpending(&set), 0);
    CHECK_EQ(sigismember(&set, SIGUSR1), 1);
    block(SIG_UNBLOCK, SIGUSR1);
    CHECK_EQ(usr1, 3); /* delivered before sigprocmask returned */
    CHECK_EQ(sigpending(&set), 0);
    CHECK_EQ(sigismember(&set, SIGUSR1), 0);
    note("ok S243 blocked signal pending until unblocked\n");

    sigemptyset(&set); /* S246 */
    sigaddset(&set, SIGUSR1);
    note("ready pwait\n");
    CHECK_EQ(epoll_pwait(ep, &ev, 1, 1500, &set), 0);
    CHECK_EQ(usr1, 4);
    note("ok S246 epoll_pwait's mask held the signal back\n");

    note("ready poll\n"); /* S287 */
    CHECK_ERR(poll(&(struct pollfd){.fd = p[0], .events = POLLIN}, 1, -1), EINTR);
    CHECK_EQ(usr1, 5);
    FD_ZERO(&rfds);
    FD_SET(p[0], &rfds);
    note("ready select\n");
    CHECK_ERR(select(p[0] + 1, &rfds, NULL, NULL, NULL), EINTR);
    CHECK_EQ(usr1, 6);
    note("ok S287 poll and select EINTR after one handler run, not restarted\n");
    return 0;
}

static int default_mode(void)
{
    struct epoll_event ev;
    int p[2], ep = empty_pipe_epoll(p);
    note("ready default\n"); /* S244 */
    epoll_wait(ep, &ev, 1, -1);
    note("FAIL the signal did not end the process\n");
    return 1;
}

static int suspend_mode(void)
{
    sigset_t none, old;
    handle(SIGUSR1, on_usr1, 0);
    block(SIG_BLOCK, SIGUSR1);
    sigemptyset(&none);
    note("ready suspend\n"); /* S245 */
    CHECK_ERR(sigsuspend(&none), EINTR);
    CHECK_EQ(usr1, 1);
    CHECK_EQ(sigprocmask(SIG_BLOCK, NULL, &old), 0);
    CHECK_EQ(sigismember(&old, SIGUSR1), 1);
    note("ok S245 sigsuspend returned after the handler\n");
    return 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (!strcmp(mode, "handler"))
        return handler_mode();
    if (!strcmp(mode, "default"))
        return default_mode();
    if (!strcmp(mode, "suspend"))
        return suspend_mode();
    printf("usage: %s handler|default|suspend\n", argv[0]);
    return 2;
}
