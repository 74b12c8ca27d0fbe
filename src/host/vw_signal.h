/*
 * vw_signal: signals for the guest, the way Linux delivers them to a
 * process (vw_signal.c has the contract).
 *
 * The runner's process catches SIGHUP, SIGINT, SIGUSR1, SIGUSR2 and SIGTERM.
 * A caught signal the guest ignores is dropped; one it leaves at its default
 * action kills the process at once (a shell shows 128 + sig for a process
 * killed by sig); one it handles is recorded and interrupts the
 * guest thread's blocking import (its vepoll_intr handle is raised: the
 * import returns EINTR); one it blocks is recorded and waits.  The guest
 * tells the host its dispositions and blocked set through vepoll_ext_v1's
 * signal_action / signal_mask, and receives a signal through the export it
 * registered with WASIX's callback_signal (wasix-libc's "__wasm_signal"),
 * called by the host at the blocking imports and the signal imports.
 */
#ifndef VW_SIGNAL_H
#define VW_SIGNAL_H

#include <stdatomic.h>
#include <stdint.h>

#include "vepoll_wasix_abi.h"

/* Catches the signals for the calling thread, the guest's: it binds an
 * interrupt handle.  deliver calls the guest's __wasm_signal export (NULL:
 * the guest has none, so it cannot register a handler).  0 or -errno. */
int vw_signal_start(void (*deliver)(uint32_t sig));
/* Before the guest's thread leaves: the five signals stay caught and are
 * blocked on that thread, nothing is delivered any more. */
void vw_signal_stop(void);

/*
 * After a blocking import, as after a Linux system call, the handlers of the
 * signals pending for the guest run; the call's result stays what it was.
 * Nothing is delivered before a call: a signal pending when it starts ends
 * it at once with EINTR and is delivered on the way out, so a guest that
 * waits for a signal (sigsuspend, epoll_pwait) cannot miss one that lands
 * just before its wait.  Guest thread only.
 *
 * vw_signal_deliver: after a call Linux never restarts (epoll_wait, poll,
 * sleeps) and after the signal imports.
 *
 * vw_signal_restart: after a call Linux restarts (-ERESTARTSYS: read,
 * write, recv, send, accept); 1 when it ended with EINTR and is to be made
 * again: the first handler that ran has SA_RESTART, or none ran.  The
 * import is this loop:
 *
 *     do
 *         rc = the_call(...);
 *     while (vw_signal_restart(rc));
 */
void vw_signal_deliver_slow(void);
int vw_signal_restart_slow(uint32_t rc);

/* The signals generated for the guest and not yet delivered (bit sig - 1;
 * blocked ones too), vw_signal.c's word, written on the guest thread only
 * (its handler and its delivery).  While it is 0 nothing is deliverable and
 * the guest thread's handle is not raised (vw_signal.c: a raise follows a
 * bit set, and a take of bits is followed by a clear of the handle), so
 * the check after every import is this one load. */
extern atomic_uint vw_signal_undelivered;

static inline void vw_signal_deliver(void)
{
    if (atomic_load_explicit(&vw_signal_undelivered, memory_order_relaxed))
        vw_signal_deliver_slow();
}

/* With nothing undelivered no handler can run: an EINTR (an ignored
 * signal's) is restarted, as the slow path answers when no handler ran. */
static inline int vw_signal_restart(uint32_t rc)
{
    if (atomic_load_explicit(&vw_signal_undelivered, memory_order_relaxed))
        return vw_signal_restart_slow(rc);
    return rc == VEPOLL_WASI_EINTR;
}

/* A signal for the guest is pending (its thread's handle is raised): a raw
 * host syscall that returned EINTR ends with EINTR then, and is made again
 * otherwise (the signal was ignored).  Guest thread only. */
int vw_signal_pending(void);

/* Waits until the host descriptor fd has `events` (poll(2) bits): 0, or
 * -EINTR when the guest thread's handle is pending (checked and waited for
 * atomically, so a signal that lands just before the wait is not lost).
 * For the raw host descriptors behind the guest's stdio.  Guest thread only. */
int vw_signal_wait_fd(int fd, short events);

#endif
