/*
 * poll and ppoll with Linux's semantics, over vepoll's extension import
 * vepoll_ext_v1 poll (src/host/vw_poll.c; docs/GUESTS.md): the host polls
 * the descriptors with their own readiness and Linux's struct pollfd and
 * POLL* bits (<poll.h> of the guest headers; S280-S285), so POLLERR,
 * POLLHUP, POLLRDHUP, POLLPRI and POLLNVAL are Linux's, a negative fd is
 * skipped, and a blocking poll sleeps in the host without CPU.  nfds over
 * the soft RLIMIT_NOFILE is EINVAL (the guest keeps that limit:
 * resource.c), a bad array EFAULT (the host's check).  A signal from
 * outside ends the wait with EINTR after its handler ran (never
 * restarted).
 *
 * ppoll, in Linux's order (do_sys_poll / do_poll, S279):
 *  - the timeout is read and checked first: EFAULT, then EINVAL for a
 *    negative or non-normalized one; NULL waits without a limit;
 *  - the mask is put in place and the descriptors are looked at: ready
 *    ones are returned and the pending signals stay pending;
 *  - with nothing ready, a pending signal the mask unblocks ends the call
 *    with EINTR after its handler ran, even with a zero timeout (poll,
 *    unlike epoll_wait, looks at signals before it looks at the timeout);
 *  - else it waits, the mask in place; then the old mask comes back
 *    (signals it unblocks are delivered before ppoll returns).
 * The first look is made without touching the mask: it answers the same
 * under either mask, and Linux restores the mask without a delivery when
 * the call does not fail with EINTR.  The timeout is kept to the
 * nanosecond.  Single-threaded guests (signal.c).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>
#include <time.h>

#include "guest.h"

VG_EXT(poll)
int32_t __vg_ext_poll(struct pollfd *fds, uint32_t nfds, int64_t timeout_ns, uint32_t *ret_n);

int __vg_poll_ns(struct pollfd *fds, unsigned long nfds, int64_t timeout_ns)
{
    struct rlimit rl;
    uint32_t n = 0;
    int32_t err;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && nfds > rl.rlim_cur)
        return __vg_fail(EINVAL);
    if (nfds > UINT32_MAX)
        return __vg_fail(EINVAL);
    /* Address 0 is memory in wasm: NULL is Linux's EFAULT only if the
     * guest says so (the host checks the bounds). */
    if (nfds && !fds)
        return __vg_fail(EFAULT);
    err = __vg_ext_poll(fds, (uint32_t)nfds, timeout_ns, &n);
    return err ? __vg_fail(err) : (int)n;
}

int poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
    return __vg_poll_ns(fds, nfds, __vg_ms_to_ns(timeout));
}

int64_t __vg_timeout_ns(const struct timespec *t)
{
    if (!t)
        return -1;
    if (t->tv_sec >= INT64_MAX / 1000000000 - 1)
        return -1;
    return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

int __vg_wait_masked(int (*look)(void *arg, int64_t timeout_ns), void *arg, int64_t timeout_ns,
                     const sigset_t *sigmask)
{
    sigset_t saved;
    int n, err;
    if (!sigmask)
        return look(arg, timeout_ns);
    n = look(arg, 0);
    if (n != 0)
        return n;
    n = __vg_sigmask_push(sigmask, &saved);
    if (!n && timeout_ns != 0)
        n = look(arg, timeout_ns);
    err = errno;
    __vg_sigmask_pop(&saved);
    errno = err;
    return n;
}

struct poll_args {
    struct pollfd *fds;
    nfds_t nfds;
};

static int poll_look(void *arg, int64_t timeout_ns)
{
    struct poll_args *a = arg;
    return __vg_poll_ns(a->fds, a->nfds, timeout_ns);
}

int ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout,
          const sigset_t *sigmask)
{
    struct poll_args a = {fds, nfds};
    if (timeout && __vg_timeout_check(timeout) < 0)
        return -1;
    return __vg_wait_masked(poll_look, &a, __vg_timeout_ns(timeout), sigmask);
}
