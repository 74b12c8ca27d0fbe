/*
 * select and pselect with Linux's semantics (fs/select.c), over the guest
 * library's poll (poll.c, vepoll_ext_v1 poll; S286), in place of
 * wasi-libc's over poll_oneoff, which cannot report POLLERR, POLLHUP or
 * POLLPRI and ignores pselect's mask.  fd_set is Linux's bitmap (the
 * overlay's <sys/select.h>, not wasi-libc's list of descriptors); a
 * descriptor at or above nfds is not looked at, as Linux's bitmap ends
 * there.  Linux's order: the timeout (select: a struct
 * timeval whose microseconds carry into seconds, negative parts EINVAL;
 * pselect: S279's checks); nfds < 0 EINVAL; a closed descriptor in any set EBADF before
 * anything is changed; then a descriptor is readable on
 * POLLIN|POLLRDNORM|POLLRDBAND|POLLHUP|POLLERR, writable on
 * POLLOUT|POLLWRNORM|POLLWRBAND|POLLERR, exceptional on POLLPRI (Linux's
 * POLLIN_SET, POLLOUT_SET, POLLEX_SET), the count is the number of bits
 * left in the three sets, and select writes the time not slept back to
 * its timeval (Linux does, unless the personality says otherwise).
 * A signal ends a wait with EINTR (never restarted); pselect's mask is
 * ppoll's (__vg_wait_masked).  Single-threaded guests.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/select.h>
#include <time.h>

#include "guest.h"

#define IN_SET (POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR)
#define OUT_SET (POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR)
#define EX_SET (POLLPRI)

/* One poll entry per (set, descriptor): set[i] tells which set it is. */
struct sel {
    fd_set *sets[3];
    struct pollfd *fds;
    unsigned char *set;
    size_t n;
    size_t words; /* longs of each bitmap that nfds covers */
};

static const short asked[3] = {POLLIN | POLLRDNORM | POLLRDBAND,
                               POLLOUT | POLLWRNORM | POLLWRBAND, POLLPRI};
static const short counted[3] = {IN_SET, OUT_SET, EX_SET};

static uint64_t mono_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* The bits a set holds for nfds descriptors: Linux reads (and writes
 * back) whole longs of the bitmap, as many as nfds needs, capped at the
 * table's size (a program may pass a bitmap larger than fd_set). */
#define SET_BITS (8 * sizeof(unsigned long))
#define MAX_FDS 65536u /* the host table's numbers (VEPOLL_WASIX_MAX_FDS) */
static size_t set_words(int nfds)
{
    size_t n = (size_t)nfds < MAX_FDS ? (size_t)nfds : MAX_FDS;
    return (n + SET_BITS - 1) / SET_BITS;
}

/* The entries of the sets below nfds: 0, or -1 with errno (EFAULT for an
 * unreadable set, ENOMEM). */
static int sel_build(struct sel *s, int nfds)
{
    size_t total = 0, words = set_words(nfds);
    int top = (int)(words * SET_BITS) < nfds ? (int)(words * SET_BITS) : nfds;
    for (int k = 0; k < 3; k++) {
        if (!s->sets[k])
            continue;
        if (!__vg_mem_ok(s->sets[k], words * sizeof(unsigned long)))
            return __vg_fail(EFAULT);
        for (int fd = 0; fd < top; fd++)
            total += (size_t)FD_ISSET(fd, s->sets[k]);
    }
    s->words = words;
    s->fds = calloc(total ? total : 1, sizeof(*s->fds));
    s->set = calloc(total ? total : 1, 1);
    if (!s->fds || !s->set)
        return __vg_fail(ENOMEM);
    for (int k = 0; k < 3; k++) {
        for (int fd = 0; s->sets[k] && fd < top; fd++) {
            if (!FD_ISSET(fd, s->sets[k]))
                continue;
            s->fds[s->n] = (struct pollfd){.fd = fd, .events = asked[k]};
            s->set[s->n++] = (unsigned char)k;
        }
    }
    return 0;
}

/* One look or wait: the bits found, or -1 with errno.  An entry ready
 * only with bits its set does not count (POLLHUP for an exceptfds entry)
 * is dropped and the wait goes on, as Linux's select sleeps through it. */
static int sel_look(void *arg, int64_t timeout_ns)
{
    struct sel *s = arg;
    uint64_t end = timeout_ns > 0 ? mono_ns() + (uint64_t)timeout_ns : 0;
    for (;;) {
        int n = __vg_poll_ns(s->fds, s->n, timeout_ns), bits = 0;
        if (n <= 0)
            return n;
        for (size_t i = 0; i < s->n; i++) {
            if (s->fds[i].revents & POLLNVAL)
                return __vg_fail(EBADF);
            if (s->fds[i].revents & counted[s->set[i]])
                bits++;
            else if (s->fds[i].revents)
                s->fds[i].fd = -1;
        }
        if (bits || timeout_ns == 0)
            return bits;
        if (timeout_ns > 0) {
            uint64_t now = mono_ns();
            if (now >= end)
                return 0;
            timeout_ns = (int64_t)(end - now);
        }
    }
}

/* The sets become what was found (the longs nfds covers: the bits of the
 * descriptors that were not ready are cleared, as Linux writes them back). */
static void sel_give(struct sel *s)
{
    for (int k = 0; k < 3; k++)
        for (size_t w = 0; s->sets[k] && w < s->words; w++)
            s->sets[k]->fds_bits[w] = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->fds[i].fd >= 0 && (s->fds[i].revents & counted[s->set[i]]))
            FD_SET(s->fds[i].fd, s->sets[s->set[i]]);
}

static int do_select(int nfds, fd_set *r, fd_set *w, fd_set *e, int64_t timeout_ns,
                     const sigset_t *sigmask)
{
    struct sel s = {{r, w, e}, NULL, NULL, 0, 0};
    int n = sel_build(&s, nfds);
    if (n == 0) {
        n = __vg_wait_masked(sel_look, &s, timeout_ns, sigmask);
        if (n >= 0)
            sel_give(&s);
    }
    free(s.fds);
    free(s.set);
    return n;
}

int select(int nfds, fd_set *restrict r, fd_set *restrict w, fd_set *restrict e,
           struct timeval *restrict tv)
{
    int64_t ns = -1;
    uint64_t start;
    int n, err;
    if (tv) {
        if (!__vg_mem_ok(tv, sizeof(*tv)))
            return __vg_fail(EFAULT);
        if (tv->tv_sec < 0 || tv->tv_usec < 0)
            return __vg_fail(EINVAL);
        if (tv->tv_sec + tv->tv_usec / 1000000 < INT64_MAX / 1000000000 - 1)
            ns = (int64_t)(tv->tv_sec + tv->tv_usec / 1000000) * 1000000000 +
                 (int64_t)(tv->tv_usec % 1000000) * 1000;
    }
    if (nfds < 0)
        return __vg_fail(EINVAL);
    start = mono_ns();
    n = do_select(nfds, r, w, e, ns, NULL);
    if (tv && ns >= 0 && (n >= 0 || errno == EINTR)) {
        uint64_t slept = mono_ns() - start;
        int64_t left = slept >= (uint64_t)ns ? 0 : ns - (int64_t)slept;
        err = errno;
        tv->tv_sec = left / 1000000000;
        tv->tv_usec = (left % 1000000000) / 1000;
        errno = err;
    }
    return n;
}

int pselect(int nfds, fd_set *restrict r, fd_set *restrict w, fd_set *restrict e,
            const struct timespec *restrict timeout, const sigset_t *restrict sigmask)
{
    if (timeout && __vg_timeout_check(timeout) < 0)
        return -1;
    if (nfds < 0)
        return __vg_fail(EINVAL);
    return do_select(nfds, r, w, e, __vg_timeout_ns(timeout), sigmask);
}
