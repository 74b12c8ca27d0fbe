/*
 * Signals for the guest (vw_signal.h): the runner's process catches SIGHUP,
 * SIGINT, SIGUSR1, SIGUSR2 and SIGTERM and delivers them to the guest as
 * Linux delivers a signal to a single-threaded process.
 *
 * Linux's rules, and where each lives here:
 *   generation   a signal the guest ignores (and does not block) is
 *                discarded at once and interrupts nothing; one at its
 *                default action (terminate, for these five) kills the
 *                process at once; otherwise it is pending, and if the guest
 *                does not block it, signal_pending() is true: its blocking
 *                call returns EINTR.                       -> on_signal
 *   delivery     on the way back from a system call the pending unblocked
 *                signals are delivered: their handlers run.   -> deliver
 *   restart      a call that returned -ERESTARTSYS (read, write, recv,
 *                send, accept) is restarted if the handler has SA_RESTART;
 *                epoll_wait and poll return EINTR.     -> vw_signal_restart
 *   disposition  changing it to ignore discards a pending signal; the
 *                blocked set is per thread (here: the guest's).
 *                                               -> signal_action/signal_mask
 *
 * Concurrency contract
 * --------------------
 * - The guest runs on one thread (vw_host.h), the one that called
 *   vw_signal_start: `guest`.  It binds `intr`, the vepoll_intr handle its
 *   blocking calls (vepoll_wait, the objects' read/write, through the
 *   adapter) watch, and it alone writes `action` and `mask` (signal imports)
 *   and takes signals out of `pending` (deliver).  `pending` is
 *   vw_signal_undelivered, global so that vw_signal.h can check it inline.
 * - on_signal runs on whichever thread the kernel picked.  On another
 *   thread it only forwards the signal to `guest` (pthread_kill, async-
 *   signal-safe), so everything below runs on the guest's thread and a
 *   handler invocation is atomic with respect to the guest thread's code.
 *   There it reads `action` and `mask` (lock-free atomics), sets the
 *   signal's bit in `pending` and then raises `intr` (async-signal-safe,
 *   lock-free: vepoll.h).  It takes no lock and allocates nothing.
 * - Why no signal is lost: deliver takes the deliverable bits out of
 *   `pending`, clears `intr`, and looks at `pending` again after the clear,
 *   raising `intr` itself if a deliverable bit is there.  A handler that ran
 *   before the take had its bit taken (its raise, earlier, is what the
 *   clear ends); one that ran after it left its bit, so either the look
 *   after the clear sees it or its raise comes after the clear.  So `intr`
 *   is pending whenever a deliverable signal is, and a blocking call never
 *   sleeps through one.
 * - Why one load of `pending` is enough after an import (vw_signal.h): a
 *   raise of `intr` always follows the set of a bit (on_signal) or a look
 *   that found one (deliver), and bits leave `pending` only in deliver
 *   (which clears `intr` after the take) and in signal_action's discard
 *   (which runs the full delivery look after it).  So while `pending` is 0,
 *   `intr` is not raised and nothing is deliverable: the full look
 *   (deliver_pending) would do nothing.
 * - Lifetime: the handlers stay installed until the process exits; after
 *   vw_signal_stop the guest thread blocks the five signals, so no handler
 *   touches `intr` any more and it can be unbound and destroyed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "vw_host.h"
#include "vw_signal.h"

/* The guest signals the host keeps state for: 1..31 (the caught ones are
 * among them); a bit is 1 << (sig - 1), the layout of a Linux sigset_t. */
#define NSIG_HOST 32
#define BIT(sig) (1u << ((sig) - 1))

static const int caught[] = {SIGHUP, SIGINT, SIGUSR1, SIGUSR2, SIGTERM};

/* action[sig]: VEPOLL_EXT_SIGNAL_* | (flags << 8). */
#define ACTION(a) ((a) & 0xffu)
#define FLAGS(a) ((a) >> 8)

static struct {
    pthread_t guest;
    vepoll_intr_t *intr;
    atomic_uint action[NSIG_HOST];
    atomic_uint mask;    /* the guest's blocked set */
    void (*deliver)(uint32_t sig); /* the guest's export */
    int registered;                /* the guest registered it (callback_signal) */
    sigset_t caught_set;
} S;

/* Generated, not yet delivered (vw_signal.h reads it inline). */
atomic_uint vw_signal_undelivered;

/* A default action: the process is killed by sig, as the kernel kills a
 * process that leaves sig at its default (no flush, no atexit), so its
 * parent sees it die of sig (a shell shows 128 + sig; an interactive shell
 * running a script stops the script after a Ctrl-C, as for a native
 * program).  The host writes the guest's output with write(2), so nothing
 * the guest wrote is lost.  Async-signal-safe: sigaction, pthread_sigmask
 * and raise are; _exit(128 + sig) only if sig somehow did not kill. */
static void terminate(int sig)
{
    struct sigaction dfl;
    sigset_t one;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    sigemptyset(&one);
    sigaddset(&one, sig);
    raise(sig);                              /* pending if blocked (in on_signal) */
    pthread_sigmask(SIG_UNBLOCK, &one, NULL); /* delivered here: the process ends */
    _exit(128 + sig);
}

static void on_signal(int sig)
{
    int saved = errno;
    unsigned act, blocked;
    if (!pthread_equal(pthread_self(), S.guest)) {
        pthread_kill(S.guest, sig);
        errno = saved;
        return;
    }
    act = ACTION(atomic_load(&S.action[sig]));
    blocked = atomic_load(&S.mask) & BIT(sig);
    if (!blocked && act == VEPOLL_EXT_SIGNAL_IGNORE) {
        errno = saved;
        return;
    }
    if (!blocked && act == VEPOLL_EXT_SIGNAL_DEFAULT)
        terminate(sig);
    atomic_fetch_or(&vw_signal_undelivered, BIT(sig));
    if (!blocked)
        vepoll_intr_raise(S.intr);
    errno = saved;
}

int vw_signal_start(void (*deliver)(uint32_t sig))
{
    struct sigaction sa;
    int rc = vepoll_intr_create(&S.intr);
    if (rc)
        return rc;
    rc = vepoll_intr_bind(S.intr);
    if (rc) {
        vepoll_intr_destroy(S.intr);
        return rc;
    }
    S.guest = pthread_self();
    S.deliver = deliver;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigemptyset(&S.caught_set);
    for (size_t i = 0; i < sizeof(caught) / sizeof(caught[0]); i++)
        sigaddset(&S.caught_set, caught[i]);
    /* Every caught signal is blocked while the handler runs, so a forward
     * and the handler's own work never interleave on one thread; no
     * SA_RESTART: a raw host syscall of the guest thread returns EINTR and
     * looks at the handle (vw_signal_wait_fd). */
    sa.sa_mask = S.caught_set;
    for (size_t i = 0; i < sizeof(caught) / sizeof(caught[0]); i++)
        if (sigaction(caught[i], &sa, NULL))
            return -errno;
    return 0;
}

void vw_signal_stop(void)
{
    pthread_sigmask(SIG_BLOCK, &S.caught_set, NULL);
    vepoll_intr_bind(NULL);
    vepoll_intr_destroy(S.intr);
    S.intr = NULL;
}

/* ---- delivery (guest thread) ------------------------------------------- */

static unsigned deliverable(void)
{
    return atomic_load(&vw_signal_undelivered) & ~atomic_load(&S.mask);
}

/* Takes the deliverable signals out of `pending`. */
static unsigned take_deliverable(void)
{
    unsigned p = atomic_load(&vw_signal_undelivered), take;
    do {
        take = p & ~atomic_load(&S.mask);
        if (!take)
            return 0;
    } while (!atomic_compare_exchange_weak(&vw_signal_undelivered, &p, p & ~take));
    return take;
}

/* What a delivery did, for the restart decision: whether a handler ran,
 * and the SA_RESTART of the first that did (Linux decides on the first
 * signal it delivers when the call returns). */
struct delivered {
    int handled;
    int restart;
};

static void deliver_one(int sig, struct delivered *d)
{
    unsigned a = atomic_load(&S.action[sig]);
    switch (ACTION(a)) {
    case VEPOLL_EXT_SIGNAL_DEFAULT: terminate(sig); break;
    case VEPOLL_EXT_SIGNAL_HANDLER:
        if (!S.registered)
            break; /* nothing to call: as if ignored */
        if (!d->handled) {
            d->handled = 1;
            d->restart = (FLAGS(a) & VEPOLL_EXT_SIGNAL_RESTART) != 0;
        }
        S.deliver((uint32_t)sig); /* may not return: exit, trap */
        break;
    default: break;
    }
}

/* Delivers every deliverable signal (lowest number first, as Linux), the
 * handle's protocol in the contract above. */
static void deliver(struct delivered *d)
{
    unsigned take;
    if (!S.intr)
        return;
    while ((take = take_deliverable()) != 0) {
        vepoll_intr_clear(S.intr);
        for (int sig = 1; sig < NSIG_HOST; sig++)
            if (take & BIT(sig))
                deliver_one(sig, d);
    }
    vepoll_intr_clear(S.intr);
    if (deliverable())
        vepoll_intr_raise(S.intr);
}

/* A delivery point: what is deliverable is delivered (two loads when
 * nothing is: every blocking import passes here). */
static void deliver_pending(struct delivered *d)
{
    if (S.intr && (deliverable() || vepoll_intr_pending(S.intr)))
        deliver(d);
}

void vw_signal_deliver_slow(void)
{
    struct delivered d = {0, 0};
    deliver_pending(&d);
}

int vw_signal_restart_slow(uint32_t rc)
{
    struct delivered d = {0, 0};
    deliver_pending(&d);
    return rc == VEPOLL_WASI_EINTR && (!d.handled || d.restart);
}

int vw_signal_pending(void)
{
    return vepoll_intr_pending(S.intr);
}

int vw_signal_wait_fd(int fd, short events)
{
    struct pollfd p = {fd, events, 0};
    sigset_t old;
    int rc = 0;
    if (!S.intr) {
        while (poll(&p, 1, -1) < 0 && errno == EINTR)
            ;
        return 0;
    }
    /* Blocked from the look at the handle until ppoll unblocks them
     * atomically: a signal in between interrupts the ppoll. */
    pthread_sigmask(SIG_BLOCK, &S.caught_set, &old);
    for (;;) {
        if (vepoll_intr_pending(S.intr)) {
            rc = -EINTR;
            break;
        }
        if (ppoll(&p, 1, NULL, &old) >= 0 || errno != EINTR)
            break;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

/* ---- the imports ------------------------------------------------------- */

static const char export_name[] = "__wasm_signal";

/* WASIX callback_signal(name, name_len): the guest's export that receives
 * signals.  This host calls the one export wasix-libc names (its runner
 * knows the export at build time); another name registers nothing. */
void VW_WASIX(callback_signal)(vw_wasix_ctx *c, u32 name_p, u32 len)
{
    const uint8_t *name = vw_gptr(c->host, name_p, len);
    S.registered = S.deliver && name && len == sizeof(export_name) - 1 &&
                   !memcmp(name, export_name, len);
}

/* vepoll_ext_v1 signal_action(sig, action, flags): sig's disposition
 * (VEPOLL_EXT_SIGNAL_DEFAULT / IGNORE / HANDLER) and SA_ flags
 * (VEPOLL_EXT_SIGNAL_RESTART). */
u32 VW_EXT(signal_action)(vw_ext_ctx *c, u32 sig, u32 action, u32 flags)
{
    (void)c;
    if (sig < 1 || sig > 64 || action > VEPOLL_EXT_SIGNAL_HANDLER ||
        (flags & ~VEPOLL_EXT_SIGNAL_RESTART))
        return VEPOLL_WASI_EINVAL;
    if (sig < NSIG_HOST) {
        atomic_store(&S.action[sig], action | (flags << 8));
        /* Linux: setting SIG_IGN discards the pending instance. */
        if (action == VEPOLL_EXT_SIGNAL_IGNORE)
            atomic_fetch_and(&vw_signal_undelivered, ~BIT(sig));
    }
    /* Always the full look: a discard may have left the handle raised
     * with nothing undelivered, which the inline check would not see. */
    vw_signal_deliver_slow();
    return VEPOLL_WASI_ESUCCESS;
}

/* vepoll_ext_v1 signal_mask(mask, ret_pending): the guest's blocked set is
 * now mask (bit sig - 1); the signals it unblocks that are pending are
 * delivered before the call returns, and the ones still pending (blocked)
 * are written to ret_pending (a u64; 0: not wanted). */
u32 VW_EXT(signal_mask)(vw_ext_ctx *c, u64 mask, u32 ret_pending_p)
{
    if (ret_pending_p && !vw_gptr(c->host, ret_pending_p, 8))
        return VEPOLL_WASI_EFAULT;
    atomic_store(&S.mask, (unsigned)(mask & 0xffffffffu));
    vw_signal_deliver_slow();
    if (ret_pending_p) {
        uint64_t held = atomic_load(&vw_signal_undelivered);
        /* Looked up again: a handler may have grown the memory. */
        memcpy(vw_gptr(c->host, ret_pending_p, 8), &held, 8);
    }
    return VEPOLL_WASI_ESUCCESS;
}
