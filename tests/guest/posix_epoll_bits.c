/*
 * Linux's whole epoll event word in a guest, checked against Linux (built
 * natively and as a guest, same expectations).  The WASIX epoll imports
 * carry 8 bits; the guest library's epoll_ctl / epoll_wait go through
 * vepoll_ext_v1's epoll_ctl / epoll_wait with Linux's struct epoll_event
 * and 32-bit word (docs/GUESTS.md), so:
 *
 *   S291  a registration that asks only RDNORM (or WRNORM) fires with that
 *         bit alone, IN|RDNORM when both are asked, on a pipe and a socket
 *         pair (WRBAND too on the socket); RDBAND and MSG, which pipes never
 *         have, never fire;
 *   S094  a pipe's write end reports WRNORM along with OUT when asked;
 *   S018  EXCLUSIVE is accepted on ADD with IN, OUT, ERR, HUP, WAKEUP, ET
 *         (alone too) and fires; with ONESHOT, RDHUP, PRI or RDNORM the ADD
 *         is EINVAL, any MOD with it EINVAL, a MOD of an exclusive entry
 *         EINVAL, DEL works; EBADF comes first, EINVAL before EEXIST and
 *         ENOENT;
 *   S131  EXCLUSIVE with an epoll instance as target is EINVAL;
 *   S017  WAKEUP is accepted and never reported; bits Linux does not
 *         define are accepted and never reported;
 *   S292  the event layout: data.u64 comes back whole, events are written
 *         one after another and nothing past the count, an array or event
 *         outside memory is EFAULT (DEL does not read its event).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wx_test.h"

/* One wait of ep that must return exactly one event (cookie, bits). */
static void check_one(int ep, uint64_t cookie, uint32_t bits)
{
    struct epoll_event out[2];
    memset(out, 0, sizeof(out));
    CHECK_EQ(epoll_wait(ep, out, 2, 0), 1);
    CHECK_EQ(out[0].data.u64, cookie);
    CHECK_EQ(out[0].events, bits);
}

static void add(int ep, int fd, uint32_t events, uint64_t cookie)
{
    struct epoll_event ev = {.events = events, .data.u64 = cookie};
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), 0);
}

static void mod(int ep, int fd, uint32_t events, uint64_t cookie)
{
    struct epoll_event ev = {.events = events, .data.u64 = cookie};
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev), 0);
}

/* fds[0] readable after one byte, fds[1] writable with room. */
static void rdnorm_and_wrnorm_only_registrations_fire(int fds[2], uint32_t write_bits)
{
    struct epoll_event out;
    int ep = epoll_create1(0);
    CHECK(ep >= 0);
    add(ep, fds[0], EPOLLRDNORM, 1);
    CHECK_EQ(epoll_wait(ep, &out, 1, 0), 0);
    CHECK_EQ(write(fds[1], "x", 1), 1);
    check_one(ep, 1, EPOLLRDNORM);
    mod(ep, fds[0], EPOLLIN | EPOLLRDNORM, 2);
    check_one(ep, 2, EPOLLIN | EPOLLRDNORM);
    mod(ep, fds[0], EPOLLIN, 3);
    check_one(ep, 3, EPOLLIN);
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_DEL, fds[0], NULL), 0);

    add(ep, fds[1], EPOLLWRNORM, 4);
    check_one(ep, 4, EPOLLWRNORM);
    mod(ep, fds[1], EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND, 5);
    check_one(ep, 5, write_bits);
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_DEL, fds[1], NULL), 0);
    close(ep);
}

static void rdnorm_wrnorm_on_a_pipe(void)
{
    int p[2];
    CHECK_EQ(pipe(p), 0);
    /* A pipe has no WRBAND (S094: OUT|WRNORM). */
    rdnorm_and_wrnorm_only_registrations_fire(p, EPOLLOUT | EPOLLWRNORM);
    close(p[0]);
    close(p[1]);
}

static void rdnorm_wrnorm_on_a_socket_pair(void)
{
    int s[2];
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, s), 0);
    rdnorm_and_wrnorm_only_registrations_fire(s, EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND);
    close(s[0]);
    close(s[1]);
}

static void rdband_and_msg_never_fire_on_a_pipe(void)
{
    struct epoll_event out;
    int p[2], ep = epoll_create1(0);
    CHECK(ep >= 0);
    CHECK_EQ(pipe(p), 0);
    CHECK_EQ(write(p[1], "x", 1), 1);
    add(ep, p[0], EPOLLRDBAND | EPOLLMSG, 1);
    CHECK_EQ(epoll_wait(ep, &out, 1, 0), 0);
    CHECK_EQ(epoll_wait(ep, &out, 1, 1), 0); /* a short sleep: still nothing */
    mod(ep, p[0], EPOLLRDBAND | EPOLLMSG | EPOLLRDNORM, 2);
    check_one(ep, 2, EPOLLRDNORM);
    close(p[0]);
    close(p[1]);
    close(ep);
}

static void exclusive_rules_are_linux(void)
{
    struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.u64 = 7};
    int ep = epoll_create1(0), inner = epoll_create1(0);
    int a = eventfd(0, 0), b = eventfd(0, 0), c = eventfd(1, 0);
    CHECK(ep >= 0 && inner >= 0 && a >= 0 && b >= 0 && c >= 0);
    /* Allowed bits, and EXCLUSIVE alone. */
    add(ep, a, EPOLLIN | EPOLLEXCLUSIVE, 7);
    add(ep, b, EPOLLEXCLUSIVE, 8);
    add(ep, c, EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE,
        9);
    check_one(ep, 9, EPOLLOUT | EPOLLIN);
    /* It fires like any entry (c is edge-triggered: reported once). */
    CHECK_EQ(eventfd_write(a, 1), 0);
    check_one(ep, 7, EPOLLIN);
    /* A MOD of an exclusive entry is EINVAL, with or without EXCLUSIVE... */
    ev.events = EPOLLIN;
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, a, &ev), EINVAL);
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, a, &ev), EINVAL);
    /* ...and so is any MOD that asks for it, and the check comes before
     * ENOENT; an ADD with it comes before EEXIST. */
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, inner, &ev), EINVAL);
    ev.events = EPOLLIN | EPOLLONESHOT | EPOLLEXCLUSIVE;
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, a, &ev), EINVAL);
    /* Disallowed companions on a fresh ADD. */
    {
        const uint32_t bad[] = {EPOLLONESHOT, EPOLLRDHUP, EPOLLPRI, EPOLLRDNORM};
        int d = eventfd(0, 0);
        CHECK(d >= 0);
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            ev.events = EPOLLIN | EPOLLEXCLUSIVE | bad[i];
            CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, d, &ev), EINVAL);
        }
        ev.events = EPOLLIN;
        CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, d, &ev), ENOENT); /* nothing was added */
        close(d);
    }
    /* An epoll instance as target (S131); a plain ADD of it works. */
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, inner, &ev), EINVAL);
    add(ep, inner, EPOLLIN, 10);
    /* EBADF first. */
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, 999, &ev), EBADF);
    CHECK_ERR(epoll_ctl(999, EPOLL_CTL_ADD, a, &ev), EBADF);
    /* DEL of an exclusive entry works; then it can be added again. */
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_DEL, a, NULL), 0);
    add(ep, a, EPOLLIN | EPOLLEXCLUSIVE, 11);
    close(a);
    close(b);
    close(c);
    close(inner);
    close(ep);
}

static void wakeup_and_unknown_bits_are_accepted_never_reported(void)
{
    int ep = epoll_create1(0), a = eventfd(1, 0), b = eventfd(1, 0);
    CHECK(ep >= 0 && a >= 0 && b >= 0);
    add(ep, a, EPOLLIN | EPOLLWAKEUP, 1);
    check_one(ep, 1, EPOLLIN);
    mod(ep, a, EPOLLIN | EPOLLWAKEUP | EPOLLET, 2);
    check_one(ep, 2, EPOLLIN);
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_DEL, a, NULL), 0);
    add(ep, b, EPOLLIN | 0x00100000u | 0x00800000u, 3);
    check_one(ep, 3, EPOLLIN);
    close(a);
    close(b);
    close(ep);
}

static void the_event_layout_round_trips(void)
{
    struct epoll_event out[4], ev = {.events = EPOLLIN};
    const uint64_t big = 0x8123456789abcdefull, other = 0xfedcba9876543210ull;
    int ep = epoll_create1(0), a = eventfd(1, 0), b = eventfd(1, 0);
    CHECK(ep >= 0 && a >= 0 && b >= 0);
    add(ep, a, EPOLLIN, big);
    add(ep, b, EPOLLIN | EPOLLOUT, other);
    memset(out, 0xa5, sizeof(out));
    CHECK_EQ(epoll_wait(ep, out, 4, 0), 2);
    /* Both events, each whole, one after the other; the rest untouched. */
    if (out[0].data.u64 != big) {
        struct epoll_event t = out[0];
        out[0] = out[1];
        out[1] = t;
    }
    CHECK_EQ(out[0].data.u64, big);
    CHECK_EQ(out[0].events, EPOLLIN);
    CHECK_EQ(out[1].data.u64, other);
    CHECK_EQ(out[1].events, EPOLLIN | EPOLLOUT);
    CHECK_EQ(out[2].events, 0xa5a5a5a5u);
    CHECK_EQ(out[2].data.u64, 0xa5a5a5a5a5a5a5a5ull);
    /* The pointer member round trips too. */
    ev.data.ptr = &ev;
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_MOD, a, &ev), 0);
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_DEL, b, NULL), 0);
    CHECK_EQ(epoll_wait(ep, out, 4, 0), 1);
    CHECK(out[0].data.ptr == &ev);
    /* Outside memory: EFAULT; DEL does not read its event (Linux). */
    CHECK_EFAULT(epoll_wait(ep, (struct epoll_event *)BAD_PTR, 1, 0));
    CHECK_EFAULT(epoll_ctl(ep, EPOLL_CTL_ADD, b, (struct epoll_event *)BAD_PTR));
    CHECK_EFAULT(epoll_ctl(ep, 42, b, (struct epoll_event *)BAD_PTR));
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    /* (Native sanitizers' epoll_ctl reads any event given.) */
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_DEL, a, (struct epoll_event *)BAD_PTR), 0);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, b, (struct epoll_event *)BAD_PTR), ENOENT);
#endif
    close(a);
    close(b);
    close(ep);
}

int main(void)
{
    RUN(rdnorm_wrnorm_on_a_pipe);
    RUN(rdnorm_wrnorm_on_a_socket_pair);
    RUN(rdband_and_msg_never_fire_on_a_pipe);
    RUN(exclusive_rules_are_linux);
    RUN(wakeup_and_unknown_bits_are_accepted_never_reported);
    RUN(the_event_layout_round_trips);
    printf("posix_epoll_bits: all passed\n");
    return 0;
}
