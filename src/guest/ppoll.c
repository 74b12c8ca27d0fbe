/*
 * ppoll: wasi-libc's poll with a signal mask and a struct timespec timeout,
 * in Linux's order (do_sys_poll / do_poll, S279):
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
 * the call does not fail with EINTR.  wasi-libc's poll counts its timeout
 * in milliseconds: a timeout is rounded up to the next one, so the wait is
 * never shorter than asked.  Single-threaded guests (signal.c).
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <time.h>

#include "guest.h"

/* The timeout in milliseconds, rounded up; INT_MAX ms (24.8 days) and
 * beyond: no limit (-1), as poll's int cannot count them. */
static int timeout_ms(const struct timespec *t)
{
    long long ms;
    if (!t)
        return -1;
    if (t->tv_sec >= INT_MAX / 1000)
        return -1;
    ms = (long long)t->tv_sec * 1000 + (t->tv_nsec + 999999) / 1000000;
    return ms >= INT_MAX ? -1 : (int)ms;
}

int ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout,
          const sigset_t *sigmask)
{
    sigset_t saved;
    int n, ms, err;
    if (timeout && __vg_timeout_check(timeout) < 0)
        return -1;
    ms = timeout_ms(timeout);
    if (!sigmask)
        return poll(fds, nfds, ms);
    n = poll(fds, nfds, 0);
    if (n != 0)
        return n;
    n = __vg_sigmask_push(sigmask, &saved);
    if (!n && ms != 0)
        n = poll(fds, nfds, ms);
    err = errno;
    __vg_sigmask_pop(&saved);
    errno = err;
    return n;
}
