/*
 * Signals for a WASI guest: the one module that keeps dispositions, the
 * blocked mask and pending signals, and delivers.
 *
 * Signals come from two places.  The guest itself generates some (raise,
 * kill/killpg of its own pid or group, SIGPIPE on a write to a broken pipe
 * or socket): they are delivered synchronously by __vepoll_signal_deliver()
 * before the generating call returns.  A vepoll host delivers the ones its
 * process receives (src/host/vw_signal.c: SIGHUP, SIGINT, SIGUSR1, SIGUSR2,
 * SIGTERM sent to the runner) through the export __wasm_signal, registered
 * with WASIX's callback_signal (wasix-libc's name and mechanism).  The host
 * calls it on the way back from the import it interrupted or that returned,
 * as Linux delivers on the way back from a system call: the interrupted
 * call returns EINTR (-1/errno EINTR here), unless the host restarted it
 * because the handler has SA_RESTART and the call is a read, write, recv
 * or send (never epoll_wait or poll, as on Linux).  To decide as Linux does
 * whether a signal interrupts at all (an ignored one does not; a blocked
 * one waits), the host needs the dispositions and the blocked set: every
 * change is reported through vepoll_ext_v1 signal_action / signal_mask
 * (docs/GUESTS.md).  A signal at its default action that terminates is
 * ended by the host at once, with the same status as below.  Pending
 * signals a mask unblocks are delivered before sigprocmask (sigsuspend, a
 * handler's return) returns, as Linux delivers a pending unblocked signal
 * before returning to user space.  Standard signals do not queue (one
 * pending instance each).
 *
 * Only a guest that changes a disposition or its mask reports anything:
 * the reporting functions are reached from sigaction / sigprocmask only
 * (dispatch reports through the pointer they set), and wasm-ld drops the
 * functions nothing calls together with their imports, so a guest that
 * only raises signals imports nothing new and runs on any WASIX host.  A
 * host without the imports answers ENOSYS: then no signal comes from
 * outside and nothing more is reported.
 *
 * Default actions are Linux's: SIGCHLD, SIGURG, SIGWINCH and SIGCONT are
 * ignored; the stop signals (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU) are
 * ignored too, as a guest cannot be stopped; every other signal
 * terminates the guest at once (no atexit handlers, no stdio flush, like a
 * kernel kill) through proc_exit(128 + sig), the status a shell shows for
 * a process killed by sig.  Valid numbers are glibc's: 1-31 and 34-64 (32
 * and 33 are glibc's internal signals and give EINVAL).
 * Single-threaded guests: no locking (the host calls __wasm_signal on the
 * guest's thread, inside an import, never asynchronously).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <vepoll_wasix_abi.h>
#include <wasi/api.h>

#include "guest.h"

#define MAXSIG 64

static struct sigaction actions[MAXSIG + 1];
static sigset_t blocked, pending;
static int generating_code = SI_TKILL; /* si_code of the signal being generated */
static unsigned long handlers_run;    /* handler invocations (sigsuspend waits for one) */

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

/* ---- the host: where signals from outside come from ------------------- */

VG_WASIX(callback_signal) void __vg_callback_signal(const char *name, uint32_t len);
VG_EXT(signal_action) int32_t __vg_signal_action(uint32_t sig, uint32_t action, uint32_t flags);
VG_EXT(signal_mask) int32_t __vg_signal_mask(uint64_t mask, uint64_t *ret_pending);

static const char export_name[] = "__wasm_signal";
static int host_without_signals; /* the host answered ENOSYS */
/* Set by the first report (sigaction, sigprocmask): dispatch reports its
 * changes through them, so it imports nothing itself. */
static void (*host_mask_report)(void);
static void (*host_action_report)(int sig);

static uint64_t set64(const sigset_t *set)
{
    return (uint64_t)set->__bits[0] | (uint64_t)set->__bits[1] << 32;
}

static void host_answered(int32_t err)
{
    if (err == ENOSYS)
        host_without_signals = 1;
}

/* The blocked set, to the host; the signals still pending there (blocked)
 * are added to *held if held is not NULL.  The host delivers the pending
 * ones the set unblocks before it returns. */
static void report_mask(uint64_t *held)
{
    if (!host_without_signals)
        host_answered(__vg_signal_mask(set64(&blocked), held));
}

static void report_blocked(void)
{
    report_mask(NULL);
}

static void report_action(int sig);

/* From the first report on, the host also gets the changes dispatch makes,
 * and knows the export that receives signals. */
static void start_reporting(void)
{
    if (host_mask_report)
        return;
    host_mask_report = report_blocked;
    host_action_report = report_action;
    __vg_callback_signal(export_name, sizeof(export_name) - 1);
}

static void report_action(int sig)
{
    const struct sigaction *a = &actions[sig];
    uint32_t action = a->sa_handler == SIG_DFL   ? VEPOLL_EXT_SIGNAL_DEFAULT
                      : a->sa_handler == SIG_IGN ? VEPOLL_EXT_SIGNAL_IGNORE
                                                 : VEPOLL_EXT_SIGNAL_HANDLER;
    start_reporting();
    if (!host_without_signals)
        host_answered(__vg_signal_action((uint32_t)sig, action,
                                         (a->sa_flags & SA_RESTART) ? VEPOLL_EXT_SIGNAL_RESTART
                                                                    : 0));
}

/* The blocked set becomes next (SIGKILL and SIGSTOP never are), told to
 * the host when the guest reports. */
static void set_blocked(const sigset_t *next)
{
    blocked = *next;
    put(&blocked, SIGKILL, 0);
    put(&blocked, SIGSTOP, 0);
    if (host_mask_report)
        host_mask_report();
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
    {
        sigset_t during;
        sigorset(&during, &blocked, &act.sa_mask);
        if (!(act.sa_flags & SA_NODEFER))
            put(&during, sig, 1);
        set_blocked(&during);
    }
    if (act.sa_flags & SA_RESETHAND) {
        memset(&actions[sig], 0, sizeof(actions[sig]));
        if (host_action_report)
            host_action_report(sig);
    }
    handlers_run++;
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
    set_blocked(&saved);
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

/* A signal from the host (WASIX's signal callback): generated from outside
 * (si_code SI_USER), delivered now or made pending if blocked. */
__attribute__((export_name("__wasm_signal"))) void __wasm_signal(int sig);
static int generate(int sig, int code);

void __wasm_signal(int sig)
{
    generate(sig, SI_USER);
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
        report_action(sig);
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
    start_reporting();
    set_blocked(&next);
    deliver_pending();
    return 0;
}

int pthread_sigmask(int how, const sigset_t *__restrict set, sigset_t *__restrict old)
{
    return sigprocmask(how, set, old) < 0 ? errno : 0;
}

/* With the ones the host holds (blocked there). */
int sigpending(sigset_t *set)
{
    uint64_t held = 0;
    *set = pending;
    if (host_mask_report)
        report_mask(&held);
    set->__bits[0] |= (unsigned long)held;
    set->__bits[1] |= (unsigned long)(held >> 32);
    return 0;
}

/* Sleeps until a signal from the host interrupts the sleep (it is
 * delivered on the way out); returns at once if one is already pending
 * there (vw_signal.h: nothing is delivered before a call). */
static void sleep_until_signal(void)
{
    __wasi_subscription_t sub;
    __wasi_event_t ev;
    __wasi_size_t n;
    memset(&sub, 0, sizeof(sub));
    sub.u.tag = __WASI_EVENTTYPE_CLOCK;
    sub.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    sub.u.u.clock.timeout = UINT64_MAX;
    (void)!__wasi_poll_oneoff(&sub, &ev, 1, &n); /* EINTR, or (not on a vepoll host) a wake for nothing: the caller looks */
}

int __vg_sigmask_push(const sigset_t *mask, sigset_t *saved)
{
    unsigned long ran = handlers_run;
    *saved = blocked;
    start_reporting();
    set_blocked(mask);
    deliver_pending();
    return handlers_run == ran ? 0 : __vg_fail(EINTR);
}

void __vg_sigmask_pop(const sigset_t *saved)
{
    set_blocked(saved);
    deliver_pending();
}

/* Waits for a handler to run with mask in place, then restores the mask
 * and fails with EINTR, as Linux does.  A host that delivers no signals
 * (ENOSYS) would make it sleep forever: it fails with ENOSYS instead when
 * nothing was pending. */
int sigsuspend(const sigset_t *mask)
{
    sigset_t saved;
    unsigned long ran = handlers_run;
    __vg_sigmask_push(mask, &saved);
    while (handlers_run == ran && !host_without_signals)
        sleep_until_signal();
    __vg_sigmask_pop(&saved);
    return __vg_fail(handlers_run == ran ? ENOSYS : EINTR);
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
