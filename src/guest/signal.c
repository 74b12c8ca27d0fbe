/*
 * Signals for a WASI guest: the one module that keeps dispositions, the
 * blocked mask and pending signals, and delivers.
 *
 * A WASI guest gets no asynchronous signals: a signal is generated only by
 * the guest itself (raise, kill/killpg of its own pid or group, SIGPIPE on
 * a write to a broken pipe or socket) and is delivered synchronously by
 * __vepoll_signal_deliver() before the generating call returns, or when a
 * sigprocmask/sigsuspend/handler return unblocks it, as Linux delivers a
 * pending unblocked signal before returning to user space.  A host that
 * later delivers signals calls the same entry point between two guest
 * calls.  Standard signals do not queue (one pending instance each).
 *
 * Default actions are Linux's: SIGCHLD, SIGURG, SIGWINCH and SIGCONT are
 * ignored; the stop signals (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU) are
 * ignored too, as a guest cannot be stopped; every other signal
 * terminates the guest at once (no atexit handlers, no stdio flush, like a
 * kernel kill) through proc_exit(128 + sig), the status a shell shows for
 * a process killed by sig.  Valid numbers are glibc's: 1-31 and 34-64 (32
 * and 33 are glibc's internal signals and give EINVAL).
 * Single-threaded guests: no locking.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

#include "guest.h"

#define MAXSIG 64

static struct sigaction actions[MAXSIG + 1];
static sigset_t blocked, pending;
static int generating_code = SI_TKILL; /* si_code of the signal being generated */

void __vepoll_sig_ign(int sig) { (void)sig; }
void __vepoll_sig_err(int sig) { (void)sig; }

static int sig_valid(int sig)
{
    return sig >= 1 && sig <= MAXSIG && sig != 32 && sig != 33;
}

static unsigned long *word(sigset_t *set, int sig, unsigned long *bit)
{
    unsigned s = (unsigned)sig - 1;
    *bit = 1ul << (s % (8 * sizeof(long)));
    return &set->__bits[s / (8 * sizeof(long))];
}

static int has(const sigset_t *set, int sig)
{
    unsigned long bit, *w = word((sigset_t *)set, sig, &bit);
    return (*w & bit) != 0;
}

static void put(sigset_t *set, int sig, int on)
{
    unsigned long bit, *w = word(set, sig, &bit);
    *w = on ? *w | bit : *w & ~bit;
}

int sigemptyset(sigset_t *set)
{
    memset(set, 0, sizeof(*set));
    return 0;
}

int sigfillset(sigset_t *set)
{
    sigemptyset(set);
    for (int s = 1; s <= MAXSIG; s++)
        if (sig_valid(s))
            put(set, s, 1);
    return 0;
}

int sigaddset(sigset_t *set, int sig)
{
    if (!sig_valid(sig))
        return __vg_fail(EINVAL);
    put(set, sig, 1);
    return 0;
}

int sigdelset(sigset_t *set, int sig)
{
    if (!sig_valid(sig))
        return __vg_fail(EINVAL);
    put(set, sig, 0);
    return 0;
}

/* glibc rejects its internal 32 and 33 when adding or removing, not when
 * asking. */
int sigismember(const sigset_t *set, int sig)
{
    if (sig < 1 || sig > MAXSIG)
        return __vg_fail(EINVAL);
    return has(set, sig);
}

int sigisemptyset(const sigset_t *set)
{
    for (size_t i = 0; i < sizeof(set->__bits) / sizeof(set->__bits[0]); i++)
        if (set->__bits[i])
            return 0;
    return 1;
}

int sigorset(sigset_t *dst, const sigset_t *a, const sigset_t *b)
{
    for (size_t i = 0; i < sizeof(dst->__bits) / sizeof(dst->__bits[0]); i++)
        dst->__bits[i] = a->__bits[i] | b->__bits[i];
    return 0;
}

int sigandset(sigset_t *dst, const sigset_t *a, const sigset_t *b)
{
    for (size_t i = 0; i < sizeof(dst->__bits) / sizeof(dst->__bits[0]); i++)
        dst->__bits[i] = a->__bits[i] & b->__bits[i];
    return 0;
}

static int default_ignored(int sig)
{
    switch (sig) {
    case SIGCHLD: case SIGURG: case SIGWINCH: case SIGCONT:
    case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
        return 1;
    default:
        return 0;
    }
}

/* Whether sig's disposition ignores it.  An unblocked ignored signal is
 * discarded when generated; a blocked one is still made pending (the
 * disposition may change before it is unblocked), as on Linux. */
static int ignored(int sig)
{
    void (*h)(int) = actions[sig].sa_handler;
    return h == SIG_IGN || (h == SIG_DFL && default_ignored(sig));
}

static void deliver_pending(void);

/* Runs sig's disposition now (it is not blocked). */
static void dispatch(int sig, int code)
{
    struct sigaction act = actions[sig];
    sigset_t saved = blocked;
    if (act.sa_handler == SIG_IGN)
        return;
    if (act.sa_handler == SIG_DFL) {
        if (default_ignored(sig))
            return;
        __wasi_proc_exit((__wasi_exitcode_t)(128 + sig));
    }
    sigorset(&blocked, &blocked, &act.sa_mask);
    if (!(act.sa_flags & SA_NODEFER))
        put(&blocked, sig, 1);
    if (act.sa_flags & SA_RESETHAND)
        memset(&actions[sig], 0, sizeof(actions[sig]));
    if (act.sa_flags & SA_SIGINFO) {
        siginfo_t info;
        memset(&info, 0, sizeof(info));
        info.si_signo = sig;
        info.si_code = code;
        info.si_pid = getpid();
        info.si_uid = getuid();
        act.sa_sigaction(sig, &info, NULL);
    } else {
        act.sa_handler(sig);
    }
    blocked = saved;
    deliver_pending();
}

static void deliver_pending(void)
{
    for (int s = 1; s <= MAXSIG; s++)
        if (has(&pending, s) && !has(&blocked, s)) {
            put(&pending, s, 0);
            dispatch(s, SI_USER);
        }
}

void __vepoll_signal_deliver(int sig)
{
    if (!sig_valid(sig))
        return;
    if (has(&blocked, sig)) {
        put(&pending, sig, 1);
        return;
    }
    if (!ignored(sig))
        dispatch(sig, generating_code);
}

int sigaction(int sig, const struct sigaction *__restrict act, struct sigaction *__restrict old)
{
    if (!sig_valid(sig) || (act && (sig == SIGKILL || sig == SIGSTOP)))
        return __vg_fail(EINVAL);
    if (old)
        *old = actions[sig];
    if (act) {
        actions[sig] = *act;
        put(&actions[sig].sa_mask, SIGKILL, 0);
        put(&actions[sig].sa_mask, SIGSTOP, 0);
        /* Setting a disposition that ignores a pending signal discards it. */
        if (ignored(sig))
            put(&pending, sig, 0);
    }
    return 0;
}

void (*signal(int sig, void (*handler)(int)))(int)
{
    struct sigaction act, old;
    memset(&act, 0, sizeof(act));
    act.sa_handler = handler;
    act.sa_flags = SA_RESTART; /* BSD semantics, as glibc's signal() */
    if (sigaction(sig, &act, &old) < 0)
        return SIG_ERR;
    return old.sa_handler;
}

void (*bsd_signal(int sig, void (*handler)(int)))(int)
{
    return signal(sig, handler);
}

int siginterrupt(int sig, int flag)
{
    struct sigaction act;
    if (sigaction(sig, NULL, &act) < 0)
        return -1;
    act.sa_flags = flag ? act.sa_flags & ~SA_RESTART : act.sa_flags | SA_RESTART;
    return sigaction(sig, &act, NULL);
}

int sigprocmask(int how, const sigset_t *__restrict set, sigset_t *__restrict old)
{
    sigset_t next = blocked;
    if (set) {
        switch (how) {
        case SIG_BLOCK: sigorset(&next, &blocked, set); break;
        case SIG_UNBLOCK:
            for (size_t i = 0; i < sizeof(next.__bits) / sizeof(next.__bits[0]); i++)
                next.__bits[i] = blocked.__bits[i] & ~set->__bits[i];
            break;
        case SIG_SETMASK: next = *set; break;
        default: return __vg_fail(EINVAL);
        }
    }
    if (old)
        *old = blocked;
    put(&next, SIGKILL, 0);
    put(&next, SIGSTOP, 0);
    blocked = next;
    deliver_pending();
    return 0;
}

int pthread_sigmask(int how, const sigset_t *__restrict set, sigset_t *__restrict old)
{
    return sigprocmask(how, set, old) < 0 ? errno : 0;
}

int sigpending(sigset_t *set)
{
    *set = pending;
    return 0;
}

/* Waits for a signal with mask in place.  Only a pending signal that mask
 * unblocks can arrive (nothing is delivered from outside the guest yet):
 * it is delivered and the call returns EINTR; with none, the guest would
 * sleep forever, so the call fails with ENOSYS instead. */
int sigsuspend(const sigset_t *mask)
{
    sigset_t saved = blocked;
    int any = 0;
    for (int s = 1; s <= MAXSIG; s++)
        if (has(&pending, s) && !has(mask, s))
            any = 1;
    if (!any)
        return __vg_fail(ENOSYS);
    blocked = *mask;
    put(&blocked, SIGKILL, 0);
    put(&blocked, SIGSTOP, 0);
    deliver_pending();
    blocked = saved;
    deliver_pending();
    return __vg_fail(EINTR);
}

int pause(void)
{
    return sigsuspend(&blocked);
}

/* Generates sig for this process with si_code code. */
static int generate(int sig, int code)
{
    int saved = generating_code;
    if (sig != 0 && !sig_valid(sig))
        return __vg_fail(EINVAL);
    if (sig == 0)
        return 0;
    generating_code = code;
    __vepoll_signal_deliver(sig);
    generating_code = saved;
    return 0;
}

int raise(int sig)
{
    return generate(sig, SI_TKILL);
}

int kill(pid_t pid, int sig)
{
    if (sig != 0 && !sig_valid(sig))
        return __vg_fail(EINVAL);
    /* This guest is its own process group; kill(-1) reaches every process
     * but the caller, and there is no other. */
    if (pid == getpid() || pid == 0 || pid == -getpid())
        return generate(sig, SI_USER);
    return __vg_fail(ESRCH);
}

int killpg(pid_t pgrp, int sig)
{
    if (pgrp < 0)
        return __vg_fail(EINVAL);
    return kill(-(pgrp ? pgrp : getpid()), sig);
}

static const char *const names[] = {
    [SIGHUP] = "Hangup", [SIGINT] = "Interrupt", [SIGQUIT] = "Quit",
    [SIGILL] = "Illegal instruction", [SIGTRAP] = "Trace/breakpoint trap",
    [SIGABRT] = "Aborted", [SIGBUS] = "Bus error", [SIGFPE] = "Floating point exception",
    [SIGKILL] = "Killed", [SIGUSR1] = "User defined signal 1",
    [SIGSEGV] = "Segmentation fault", [SIGUSR2] = "User defined signal 2",
    [SIGPIPE] = "Broken pipe", [SIGALRM] = "Alarm clock", [SIGTERM] = "Terminated",
    [SIGSTKFLT] = "Stack fault", [SIGCHLD] = "Child exited", [SIGCONT] = "Continued",
    [SIGSTOP] = "Stopped (signal)", [SIGTSTP] = "Stopped", [SIGTTIN] = "Stopped (tty input)",
    [SIGTTOU] = "Stopped (tty output)", [SIGURG] = "Urgent I/O condition",
    [SIGXCPU] = "CPU time limit exceeded", [SIGXFSZ] = "File size limit exceeded",
    [SIGVTALRM] = "Virtual timer expired", [SIGPROF] = "Profiling timer expired",
    [SIGWINCH] = "Window changed", [SIGIO] = "I/O possible", [SIGPWR] = "Power failure",
    [SIGSYS] = "Bad system call",
};

/* glibc's texts. */
char *strsignal(int sig)
{
    static char buf[32];
    if (sig >= 1 && sig <= SIGSYS)
        return (char *)names[sig];
    if (sig >= 34 && sig <= MAXSIG)
        snprintf(buf, sizeof(buf), "Real-time signal %d", sig - 34);
    else
        snprintf(buf, sizeof(buf), "Unknown signal %d", sig);
    return buf;
}

void psignal(int sig, const char *msg)
{
    if (msg && *msg)
        fprintf(stderr, "%s: %s\n", msg, strsignal(sig));
    else
        fprintf(stderr, "%s\n", strsignal(sig));
}
