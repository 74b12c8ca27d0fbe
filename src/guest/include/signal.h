/*
 * <signal.h> for wasm32-wasi guests (vepoll's guest headers), complete
 * without -D_WASI_EMULATED_SIGNAL: Linux's signal numbers, sigset_t
 * operations, sigaction, sigprocmask, signal, raise, kill.
 *
 * A WASI guest receives no asynchronous signals: a signal exists only when
 * the guest raises it (raise, kill(getpid()), a send on a broken pipe
 * without MSG_NOSIGNAL) and is delivered synchronously, before that call
 * returns, by __vepoll_signal_deliver() (src/guest/signal.c: the one module
 * that keeps handlers, masks and pending signals).  Default actions are
 * Linux's; a terminating signal ends the guest with exit status 128 + sig
 * (what a shell reports for a process killed by that signal).  See
 * docs/GUESTS.md.
 */
#ifndef _SIGNAL_H
#define _SIGNAL_H

#include <features.h>

#define __NEED_size_t
#define __NEED_pid_t
#define __NEED_uid_t
#define __NEED_struct_timespec
#define __NEED_time_t
#define __NEED_sigset_t
#include <bits/alltypes.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGIOT SIGABRT
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGSTKFLT 16
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGXCPU 24
#define SIGXFSZ 25
#define SIGVTALRM 26
#define SIGPROF 27
#define SIGWINCH 28
#define SIGIO 29
#define SIGPOLL SIGIO
#define SIGPWR 30
#define SIGSYS 31
#define SIGUNUSED SIGSYS

/* Signals 1..31 exist (no real-time signals); 65 is Linux's _NSIG. */
#define _NSIG 65
#define NSIG _NSIG

#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

#define SA_NOCLDSTOP 1
#define SA_NOCLDWAIT 2
#define SA_SIGINFO 4
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000
#define SA_NOMASK SA_NODEFER
#define SA_ONESHOT SA_RESETHAND

#define SI_USER 0
#define SI_KERNEL 128
#define SI_QUEUE (-1)
#define SI_TKILL (-6)

typedef int sig_atomic_t;
typedef void (*sighandler_t)(int);
typedef void (*sig_t)(int);

/* Function pointers are table indices on wasm, so 1 and -1 could be real
 * functions: SIG_IGN and SIG_ERR are the addresses of two functions of the
 * guest library instead (never called). */
void __vepoll_sig_ign(int);
void __vepoll_sig_err(int);
#define SIG_DFL ((void (*)(int))0)
#define SIG_IGN (__vepoll_sig_ign)
#define SIG_ERR (__vepoll_sig_err)

union sigval {
    int sival_int;
    void *sival_ptr;
};

typedef struct {
    int si_signo;
    int si_errno;
    int si_code;
    pid_t si_pid;
    uid_t si_uid;
    int si_status;
    union sigval si_value;
} siginfo_t;

struct sigaction {
    union {
        void (*sa_handler)(int);
        void (*sa_sigaction)(int, siginfo_t *, void *);
    } __sa_handler;
    sigset_t sa_mask;
    int sa_flags;
    void (*sa_restorer)(void);
};
#define sa_handler __sa_handler.sa_handler
#define sa_sigaction __sa_handler.sa_sigaction

void (*signal(int sig, void (*handler)(int)))(int);
void (*bsd_signal(int sig, void (*handler)(int)))(int);
int raise(int sig);
int kill(pid_t pid, int sig);
int killpg(pid_t pgrp, int sig);
int sigaction(int sig, const struct sigaction *__restrict act, struct sigaction *__restrict old);
int sigprocmask(int how, const sigset_t *__restrict set, sigset_t *__restrict old);
int pthread_sigmask(int how, const sigset_t *__restrict set, sigset_t *__restrict old);
int sigpending(sigset_t *set);
int sigsuspend(const sigset_t *mask);
int siginterrupt(int sig, int flag);

int sigemptyset(sigset_t *set);
int sigfillset(sigset_t *set);
int sigaddset(sigset_t *set, int sig);
int sigdelset(sigset_t *set, int sig);
int sigismember(const sigset_t *set, int sig);
int sigisemptyset(const sigset_t *set);
int sigorset(sigset_t *dst, const sigset_t *a, const sigset_t *b);
int sigandset(sigset_t *dst, const sigset_t *a, const sigset_t *b);

void psignal(int sig, const char *msg);

/* The delivery entry point: runs sig's disposition now, as if the kernel
 * delivered it (held pending while blocked).  raise() and kill(getpid())
 * call it; a future host delivery path calls it too. */
void __vepoll_signal_deliver(int sig);

#ifdef __cplusplus
}
#endif

#endif /* signal.h */
