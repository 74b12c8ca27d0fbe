/*
 * <signal.h> as an event loop uses it, checked against Linux: this file
 * runs as a wasm guest (tools/vepoll-wasix-run) and as a native Linux
 * program (guest_native_posix_signals), with the same expectations.
 * Signals a process sends itself are delivered before the sending call
 * returns (raise, kill(getpid())), blocked ones stay pending until
 * unblocked, ignored ones are discarded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "wx_test.h"

static volatile sig_atomic_t hits[65];
static volatile int last_code, depth, max_depth;

static void count(int sig)
{
    hits[sig]++;
}

static void info(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    hits[sig]++;
    last_code = si->si_code;
    CHECK_EQ(si->si_signo, sig);
}

static void nested(int sig)
{
    depth++;
    if (depth > max_depth)
        max_depth = depth;
    hits[sig]++;
    if (hits[sig] == 1)
        raise(sig); /* blocked while its handler runs: pending until return */
    depth--;
}

static void reset_all(void)
{
    memset((void *)hits, 0, sizeof(hits));
}

static void sigset_ops(void)
{
    sigset_t s;
    CHECK_EQ(sigemptyset(&s), 0);
    CHECK_EQ(sigismember(&s, SIGINT), 0);
    CHECK_EQ(sigaddset(&s, SIGINT), 0);
    CHECK_EQ(sigismember(&s, SIGINT), 1);
    CHECK_EQ(sigismember(&s, SIGTERM), 0);
    CHECK_EQ(sigdelset(&s, SIGINT), 0);
    CHECK_EQ(sigismember(&s, SIGINT), 0);
    CHECK_EQ(sigfillset(&s), 0);
    CHECK_EQ(sigismember(&s, SIGKILL), 1);
    CHECK_EQ(sigismember(&s, 64), 1);
    /* Bad numbers: 0, beyond 64, and glibc's internal 32 and 33. */
    CHECK_ERR(sigaddset(&s, 0), EINVAL);
    CHECK_ERR(sigaddset(&s, 65), EINVAL);
    CHECK_ERR(sigaddset(&s, -1), EINVAL);
    CHECK_ERR(sigdelset(&s, 32), EINVAL);
    CHECK_EQ(sigismember(&s, 33), 0); /* a valid number, never in a filled set */
    CHECK_EQ(sigismember(&s, 34), 1);
}

static void raise_runs_handler_before_returning(void)
{
    reset_all();
    CHECK(signal(SIGUSR1, count) != SIG_ERR);
    CHECK_EQ(raise(SIGUSR1), 0);
    CHECK_EQ(hits[SIGUSR1], 1);
    CHECK_EQ(kill(getpid(), SIGUSR1), 0);
    CHECK_EQ(hits[SIGUSR1], 2);
#ifdef __wasm__
    /* The caller's process group: the guest alone (natively it would be
     * the test runner's group too). */
    CHECK_EQ(kill(0, SIGUSR1), 0);
#else
    CHECK_EQ(kill(getpid(), SIGUSR1), 0);
#endif
    CHECK_EQ(hits[SIGUSR1], 3);
    CHECK_EQ(kill(getpid(), 0), 0); /* existence check: no signal */
    CHECK_EQ(raise(0), 0);
    CHECK_EQ(hits[SIGUSR1], 3);
    CHECK(signal(SIGUSR1, SIG_DFL) == count); /* the previous handler */
}

static void bad_calls_fail_like_linux(void)
{
    struct sigaction sa;
    sigset_t s;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = count;
    CHECK_ERR(sigaction(SIGKILL, &sa, NULL), EINVAL);
    CHECK_ERR(sigaction(SIGSTOP, &sa, NULL), EINVAL);
    CHECK_ERR(sigaction(0, &sa, NULL), EINVAL);
    CHECK_ERR(sigaction(65, &sa, NULL), EINVAL);
    CHECK_EQ(sigaction(SIGKILL, NULL, &sa), 0); /* reading is allowed */
    CHECK(signal(0, count) == SIG_ERR);
    CHECK_EQ(errno, EINVAL);
    CHECK_ERR(raise(65), EINVAL);
    CHECK_ERR(kill(getpid(), -1), EINVAL);
    CHECK_ERR(kill(0x7ffffff0, SIGUSR1), ESRCH);
    sigemptyset(&s);
    CHECK_ERR(sigprocmask(7, &s, NULL), EINVAL);
    CHECK_EQ(sigprocmask(7, NULL, &s), 0); /* how is not looked at without a set */
}

static void blocked_signal_waits_until_unblocked(void)
{
    sigset_t s, old, pend;
    reset_all();
    CHECK(signal(SIGUSR2, count) != SIG_ERR);
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    CHECK_EQ(sigprocmask(SIG_BLOCK, &s, &old), 0);
    CHECK_EQ(raise(SIGUSR2), 0);
    CHECK_EQ(raise(SIGUSR2), 0); /* standard signals do not queue */
    CHECK_EQ(hits[SIGUSR2], 0);
    CHECK_EQ(sigpending(&pend), 0);
    CHECK_EQ(sigismember(&pend, SIGUSR2), 1);
    CHECK_EQ(sigprocmask(SIG_UNBLOCK, &s, NULL), 0);
    CHECK_EQ(hits[SIGUSR2], 1); /* delivered before sigprocmask returned */
    CHECK_EQ(sigpending(&pend), 0);
    CHECK_EQ(sigismember(&pend, SIGUSR2), 0);
    CHECK_EQ(sigprocmask(SIG_SETMASK, &old, NULL), 0);
    signal(SIGUSR2, SIG_DFL);
}

static void sigkill_and_sigstop_cannot_be_blocked(void)
{
    sigset_t s, now;
    sigfillset(&s);
    CHECK_EQ(sigprocmask(SIG_SETMASK, &s, NULL), 0);
    CHECK_EQ(sigprocmask(SIG_SETMASK, NULL, &now), 0);
    CHECK_EQ(sigismember(&now, SIGKILL), 0);
    CHECK_EQ(sigismember(&now, SIGSTOP), 0);
    CHECK_EQ(sigismember(&now, SIGINT), 1);
    sigemptyset(&s);
    CHECK_EQ(sigprocmask(SIG_SETMASK, &s, NULL), 0);
}

static void ignored_signal_is_discarded(void)
{
    sigset_t s, pend;
    reset_all();
    CHECK(signal(SIGUSR1, SIG_IGN) != SIG_ERR);
    CHECK_EQ(raise(SIGUSR1), 0);
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigprocmask(SIG_BLOCK, &s, NULL);
    CHECK_EQ(raise(SIGUSR1), 0); /* blocked: pending even though ignored */
    sigpending(&pend);
    CHECK_EQ(sigismember(&pend, SIGUSR1), 1);
    sigprocmask(SIG_UNBLOCK, &s, NULL); /* delivered: ignored */
    sigpending(&pend);
    CHECK_EQ(sigismember(&pend, SIGUSR1), 0);
    /* Pending, then ignored: discarded. */
    signal(SIGUSR1, count);
    sigprocmask(SIG_BLOCK, &s, NULL);
    raise(SIGUSR1);
    signal(SIGUSR1, SIG_IGN);
    sigpending(&pend);
    CHECK_EQ(sigismember(&pend, SIGUSR1), 0);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    CHECK_EQ(hits[SIGUSR1], 0);
    signal(SIGUSR1, SIG_DFL);
}

static void default_ignored_signals_do_nothing(void)
{
    /* SIGCHLD, SIGURG, SIGWINCH: ignored by default on Linux. */
    CHECK_EQ(raise(SIGCHLD), 0);
    CHECK_EQ(raise(SIGURG), 0);
    CHECK_EQ(raise(SIGWINCH), 0);
}

static void siginfo_and_flags(void)
{
    struct sigaction sa, old;
    reset_all();
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = info;
    sa.sa_flags = SA_SIGINFO;
    CHECK_EQ(sigaction(SIGUSR1, &sa, &old), 0);
    CHECK(old.sa_handler == SIG_DFL);
    raise(SIGUSR1);
    CHECK_EQ(hits[SIGUSR1], 1);
    CHECK_EQ(last_code, SI_TKILL);
    kill(getpid(), SIGUSR1);
    CHECK_EQ(hits[SIGUSR1], 2);
    CHECK_EQ(last_code, SI_USER);
    /* SA_RESETHAND: one shot, then the default again. */
    sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    CHECK_EQ(hits[SIGUSR1], 3);
    CHECK_EQ(sigaction(SIGUSR1, NULL, &old), 0);
    CHECK(old.sa_handler == SIG_DFL);
}

static void handler_blocks_its_own_signal(void)
{
    struct sigaction sa;
    reset_all();
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = nested;
    depth = max_depth = 0;
    sigaction(SIGUSR2, &sa, NULL);
    raise(SIGUSR2);
    CHECK_EQ(hits[SIGUSR2], 2); /* the second ran after the first returned */
    CHECK_EQ(max_depth, 1);
    /* SA_NODEFER: the second runs inside the first. */
    reset_all();
    depth = max_depth = 0;
    sa.sa_flags = SA_NODEFER;
    sigaction(SIGUSR2, &sa, NULL);
    raise(SIGUSR2);
    CHECK_EQ(hits[SIGUSR2], 2);
    CHECK_EQ(max_depth, 2);
    signal(SIGUSR2, SIG_DFL);
}

static void signal_names(void)
{
    CHECK(strcmp(strsignal(SIGPIPE), "Broken pipe") == 0);
    CHECK(strcmp(strsignal(SIGTERM), "Terminated") == 0);
}

int main(void)
{
    RUN(sigset_ops);
    RUN(raise_runs_handler_before_returning);
    RUN(bad_calls_fail_like_linux);
    RUN(blocked_signal_waits_until_unblocked);
    RUN(sigkill_and_sigstop_cannot_be_blocked);
    RUN(ignored_signal_is_discarded);
    RUN(default_ignored_signals_do_nothing);
    RUN(siginfo_and_flags);
    RUN(handler_blocks_its_own_signal);
    RUN(signal_names);
    return 0;
}
