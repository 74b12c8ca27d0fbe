/*
 * poll(2) and ppoll(2) with Linux's values and answers, checked against
 * Linux (built natively and as a guest, where poll is the guest library's
 * over vepoll_ext_v1 poll; S280-S285 in docs/SEMANTICS.md):
 *  - the POLL* values and struct pollfd are Linux's; revents holds what
 *    was asked plus POLLERR / POLLHUP, which come unasked (S280);
 *  - a pipe writer whose reader closed is POLLOUT|POLLERR, a reader whose
 *    writer closed POLLHUP, POLLIN|POLLHUP while data is left (S280);
 *  - a closed descriptor is POLLNVAL and counts (an endless poll returns
 *    at once), a negative one is skipped with revents 0 (S281);
 *  - a socket pair reports POLLRDHUP only when asked: after the peer's
 *    shutdown(SHUT_WR) POLLIN|POLLRDHUP, after its close
 *    POLLIN|POLLRDHUP|POLLHUP (S282);
 *  - an eventfd is POLLOUT below 0xfffffffffffffffe and POLLIN above 0
 *    (S283);
 *  - nfds over RLIMIT_NOFILE is EINVAL, an unreadable array EFAULT, a zero
 *    timeout returns 0 at once (S284);
 *  - a blocking poll sleeps until a timerfd fires; one descriptor in two
 *    entries is answered in both; an epoll instance is POLLIN while it has
 *    events (S285);
 *  - select and pselect: readable on POLLIN/POLLHUP/POLLERR, writable on
 *    POLLOUT/POLLERR, exceptional on POLLPRI only; a closed descriptor in
 *    a set is EBADF and changes nothing; descriptors at or above nfds are
 *    not looked at; bad timeouts and nfds EINVAL; select writes back the
 *    time not slept (S286).
 * No timing thresholds: only what is returned is checked.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "wx_test.h"

static int poll1(int fd, short events, int timeout, short *revents)
{
    struct pollfd f = {.fd = fd, .events = events, .revents = 0x7fff};
    int n = poll(&f, 1, timeout);
    *revents = f.revents;
    return n;
}

static void s280_linux_values(void)
{
    CHECK_EQ(POLLIN, 1);
    CHECK_EQ(POLLPRI, 2);
    CHECK_EQ(POLLOUT, 4);
    CHECK_EQ(POLLERR, 8);
    CHECK_EQ(POLLHUP, 16);
    CHECK_EQ(POLLNVAL, 32);
    CHECK_EQ(POLLRDNORM, 64);
    CHECK_EQ(POLLRDBAND, 128);
    CHECK_EQ(POLLWRNORM, 256);
    CHECK_EQ(POLLWRBAND, 512);
    CHECK_EQ(POLLMSG, 1024);
    CHECK_EQ(POLLRDHUP, 0x2000);
    CHECK_EQ(sizeof(struct pollfd), 8);
    CHECK_EQ(offsetof(struct pollfd, events), 4);
    CHECK_EQ(offsetof(struct pollfd, revents), 6);
}

static void s280_pipe_writer_after_reader_closed(void)
{
    int p[2];
    short rev;
    CHECK_EQ(pipe(p), 0);
    CHECK_EQ(poll1(p[1], POLLOUT, 0, &rev), 1);
    CHECK_EQ(rev, POLLOUT);
    CHECK_EQ(poll1(p[1], POLLOUT | POLLWRNORM, 0, &rev), 1);
    CHECK_EQ(rev, POLLOUT | POLLWRNORM);
    close(p[0]);
    CHECK_EQ(poll1(p[1], POLLOUT, -1, &rev), 1);
    CHECK_EQ(rev, POLLOUT | POLLERR);
    CHECK_EQ(poll1(p[1], 0, -1, &rev), 1); /* POLLERR unasked */
    CHECK_EQ(rev, POLLERR);
    CHECK_EQ(poll1(p[1], POLLIN | POLLPRI | POLLRDHUP, -1, &rev), 1);
    CHECK_EQ(rev, POLLERR);
    close(p[1]);
}

static void s280_pipe_reader_after_writer_closed(void)
{
    int p[2];
    short rev;
    char c;
    CHECK_EQ(pipe(p), 0);
    CHECK_EQ(poll1(p[0], POLLIN | POLLPRI, 0, &rev), 0);
    CHECK_EQ(rev, 0);
    CHECK_EQ(write(p[1], "x", 1), 1);
    CHECK_EQ(poll1(p[0], POLLIN | POLLPRI | POLLOUT, 0, &rev), 1);
    CHECK_EQ(rev, POLLIN); /* no POLLPRI on a pipe; the read end is not writable */
    CHECK_EQ(poll1(p[0], POLLIN | POLLRDNORM | POLLRDHUP, 0, &rev), 1);
    CHECK_EQ(rev, POLLIN | POLLRDNORM); /* pipes never set POLLRDHUP */
    close(p[1]);
    CHECK_EQ(poll1(p[0], POLLIN, -1, &rev), 1);
    CHECK_EQ(rev, POLLIN | POLLHUP);
    CHECK_EQ(read(p[0], &c, 1), 1);
    CHECK_EQ(poll1(p[0], POLLIN | POLLRDHUP, -1, &rev), 1);
    CHECK_EQ(rev, POLLHUP);
    CHECK_EQ(poll1(p[0], 0, -1, &rev), 1); /* POLLHUP unasked */
    CHECK_EQ(rev, POLLHUP);
    close(p[0]);
}

static void s281_closed_fd_is_nval_negative_fd_skipped(void)
{
    int p[2];
    struct pollfd f[4];
    CHECK_EQ(pipe(p), 0);
    close(p[0]);
    close(p[1]);
    CHECK_EQ(pipe(p), 0);
    f[0] = (struct pollfd){.fd = -1, .events = POLLIN | POLLOUT, .revents = 0x55};
    f[1] = (struct pollfd){.fd = p[1] + 1, .events = POLLIN, .revents = 0};
    f[2] = (struct pollfd){.fd = p[0], .events = POLLIN, .revents = 0x55};
    f[3] = (struct pollfd){.fd = -77, .events = 0, .revents = 0x55};
    close(p[1] + 1); /* surely closed (it is the number after the pipe's) */
    CHECK_EQ(poll(f, 4, -1), 1); /* endless: POLLNVAL is an answer */
    CHECK_EQ(f[0].revents, 0);
    CHECK_EQ(f[1].revents, POLLNVAL);
    CHECK_EQ(f[2].revents, 0);
    CHECK_EQ(f[3].revents, 0);
    f[1].events = 0;
    CHECK_EQ(poll(f, 4, 0), 1);
    CHECK_EQ(f[1].revents, POLLNVAL);
    f[1].fd = -1; /* only negative ones: a timeout, nothing counted */
    CHECK_EQ(poll(f, 4, 0), 0);
    CHECK_EQ(f[1].revents, 0);
    close(p[0]);
    close(p[1]);
}

static void s282_socket_pair_rdhup_and_hup(void)
{
    int s[2];
    short rev;
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, s), 0);
    CHECK_EQ(poll1(s[0], POLLIN | POLLOUT | POLLRDHUP, 0, &rev), 1);
    CHECK_EQ(rev, POLLOUT);
    CHECK_EQ(shutdown(s[1], SHUT_WR), 0);
    CHECK_EQ(poll1(s[0], POLLIN, 0, &rev), 1);
    CHECK_EQ(rev, POLLIN); /* POLLRDHUP only when asked */
    CHECK_EQ(poll1(s[0], POLLIN | POLLRDHUP, 0, &rev), 1);
    CHECK_EQ(rev, POLLIN | POLLRDHUP);
    CHECK_EQ(poll1(s[0], POLLRDHUP, 0, &rev), 1);
    CHECK_EQ(rev, POLLRDHUP);
    close(s[1]);
    CHECK_EQ(poll1(s[0], POLLIN | POLLRDHUP, -1, &rev), 1);
    CHECK_EQ(rev, POLLIN | POLLRDHUP | POLLHUP);
    CHECK_EQ(poll1(s[0], POLLOUT, -1, &rev), 1);
    CHECK_EQ(rev, POLLOUT | POLLHUP); /* no POLLERR for a unix stream */
    close(s[0]);
}

static void s283_eventfd(void)
{
    int e = eventfd(0, EFD_NONBLOCK);
    uint64_t v = 1;
    short rev;
    CHECK(e >= 0);
    CHECK_EQ(poll1(e, POLLIN | POLLOUT, 0, &rev), 1);
    CHECK_EQ(rev, POLLOUT);
    CHECK_EQ(write(e, &v, 8), 8);
    CHECK_EQ(poll1(e, POLLIN | POLLOUT, 0, &rev), 1);
    CHECK_EQ(rev, POLLIN | POLLOUT);
    v = 0xfffffffffffffffdull; /* the count reaches 0xfffffffffffffffe */
    CHECK_EQ(write(e, &v, 8), 8);
    CHECK_EQ(poll1(e, POLLIN | POLLOUT, 0, &rev), 1);
    CHECK_EQ(rev, POLLIN);
    CHECK_EQ(read(e, &v, 8), 8);
    CHECK_EQ(poll1(e, POLLIN | POLLOUT, 0, &rev), 1);
    CHECK_EQ(rev, POLLOUT);
    close(e);
}

static void s284_errors_and_zero_timeout(void)
{
    struct pollfd f[8], *volatile null_fds = NULL;
    struct rlimit rl, low;
    int p[2];
    CHECK_EQ(pipe(p), 0);
    for (int i = 0; i < 8; i++)
        f[i] = (struct pollfd){.fd = p[0], .events = POLLIN};
    CHECK_EQ(poll(f, 8, 0), 0); /* nothing ready: at once */
    CHECK_EQ(poll(NULL, 0, 0), 0);
    CHECK_EFAULT(poll(BAD_PTR, 1, 0));
    CHECK_EFAULT(poll(BAD_PTR, 1, -1));
    CHECK_EFAULT(poll(null_fds, 1, 0)); /* address 0 is memory in wasm: still EFAULT */
    CHECK_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
    low = rl;
    low.rlim_cur = 7;
    CHECK_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
    CHECK_ERR(poll(f, 8, -1), EINVAL); /* checked before anything else */
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    /* The sanitizers' poll interceptor reads the array first (CHECK_EFAULT). */
    CHECK_ERR(poll(BAD_PTR, 8, 0), EINVAL);
#endif
    CHECK_EQ(poll(f, 7, 0), 0);
    CHECK_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0);
    close(p[0]);
    close(p[1]);
}

static void s285_blocking_poll_wakes_on_timerfd(void)
{
    int t = timerfd_create(CLOCK_MONOTONIC, 0), p[2];
    struct itimerspec its;
    struct timespec ts = {0, 5000000};
    struct pollfd f[3];
    uint64_t n;
    CHECK(t >= 0);
    CHECK_EQ(pipe(p), 0);
    memset(&its, 0, sizeof(its));
    its.it_value.tv_nsec = 20000000; /* 20 ms */
    CHECK_EQ(timerfd_settime(t, 0, &its, NULL), 0);
    f[0] = (struct pollfd){.fd = p[0], .events = POLLIN};
    f[1] = (struct pollfd){.fd = t, .events = POLLIN};
    f[2] = (struct pollfd){.fd = t, .events = POLLIN | POLLOUT};
    CHECK_EQ(poll(f, 3, -1), 2); /* sleeps until the timer fires */
    CHECK_EQ(f[0].revents, 0);
    CHECK_EQ(f[1].revents, POLLIN);
    CHECK_EQ(f[2].revents, POLLIN); /* a timerfd is never writable */
    CHECK_EQ(read(t, &n, 8), 8);
    CHECK_EQ(n, 1);
    CHECK_EQ(ppoll(f, 2, &ts, NULL), 0); /* a nanosecond timeout, nothing fired */
    close(t);
    close(p[0]);
    close(p[1]);
}

static void s285_epoll_instance_is_pollin_with_events(void)
{
    int ep = epoll_create1(0), e = eventfd(0, 0);
    struct epoll_event ev = {.events = EPOLLIN};
    uint64_t v = 1;
    short rev;
    CHECK(ep >= 0 && e >= 0);
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev), 0);
    CHECK_EQ(poll1(ep, POLLIN | POLLOUT, 0, &rev), 0);
    CHECK_EQ(write(e, &v, 8), 8);
    CHECK_EQ(poll1(ep, POLLIN | POLLOUT | POLLPRI, 0, &rev), 1);
    CHECK_EQ(rev, POLLIN);
    close(e);
    close(ep);
}

static void s286_select_sets(void)
{
    int p[2], s[2];
    fd_set r, w, e;
    struct timeval tv = {0, 0};
    CHECK_EQ(pipe(p), 0);
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, s), 0);
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_ZERO(&e);
    FD_SET(p[0], &r);
    FD_SET(p[1], &w);
    FD_SET(s[0], &r);
    FD_SET(s[0], &e);
    FD_SET(p[0], &e);
    CHECK_EQ(select(s[0] + 1, &r, &w, &e, &tv), 1); /* only the pipe's room */
    CHECK(FD_ISSET(p[1], &w));
    CHECK(!FD_ISSET(p[0], &r) && !FD_ISSET(s[0], &r) && !FD_ISSET(s[0], &e));
    close(p[0]); /* the writer: POLLERR, writable and readable (S280) */
    close(s[1]); /* the pair's end: POLLHUP, readable, not exceptional */
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_ZERO(&e);
    FD_SET(p[1], &r);
    FD_SET(p[1], &w);
    FD_SET(p[1], &e);
    FD_SET(s[0], &r);
    FD_SET(s[0], &e);
    CHECK_EQ(select(s[0] + 1, &r, &w, &e, NULL), 3);
    CHECK(FD_ISSET(p[1], &r) && FD_ISSET(p[1], &w) && FD_ISSET(s[0], &r));
    CHECK(!FD_ISSET(p[1], &e) && !FD_ISSET(s[0], &e));
    FD_ZERO(&e);
    FD_SET(s[0], &e); /* only POLLHUP there: select sleeps through it */
    tv = (struct timeval){0, 20000};
    CHECK_EQ(select(s[0] + 1, NULL, NULL, &e, &tv), 0);
    CHECK(!FD_ISSET(s[0], &e));
    CHECK_EQ(tv.tv_sec, 0);
    CHECK_EQ(tv.tv_usec, 0); /* all of it slept */
    FD_ZERO(&r);
    FD_SET(s[0], &r);
    CHECK_EQ(select(s[0], &r, NULL, NULL, &tv), 0); /* s[0] is not below nfds */
    close(p[1]);
    close(s[0]);
}

/* fd_set is Linux's bitmap of FD_SETSIZE bits in longs, and a set sized
 * for the highest descriptor only (howmany(fd + 1, NFDBITS) longs, as
 * libevent's select back end allocates it) is read and written as just
 * that many longs: the long after it is never touched. */
static void s286_select_bitmap_layout(void)
{
    const fd_mask guard = (fd_mask)0x5a5a5a5a;
    struct timeval tv = {0, 0};
    fd_mask *r, *w;
    size_t words;
    int p[2];
    CHECK_EQ(sizeof(fd_set), FD_SETSIZE / 8);
    CHECK_EQ(NFDBITS, 8 * (int)sizeof(fd_mask));
    CHECK_EQ(pipe(p), 0);
    CHECK_EQ(write(p[1], "x", 1), 1);
    words = ((size_t)p[1] + 1 + NFDBITS - 1) / NFDBITS;
    r = calloc(words + 1, sizeof(fd_mask));
    w = calloc(words + 1, sizeof(fd_mask));
    CHECK(r && w);
    r[words] = w[words] = guard;
    FD_SET(p[0], (fd_set *)r);
    FD_SET(p[1], (fd_set *)r); /* the writer is not readable: cleared */
    FD_SET(p[1], (fd_set *)w);
    CHECK_EQ(select(p[1] + 1, (fd_set *)r, (fd_set *)w, NULL, &tv), 2);
    CHECK(FD_ISSET(p[0], (fd_set *)r) && !FD_ISSET(p[1], (fd_set *)r));
    CHECK(FD_ISSET(p[1], (fd_set *)w) && !FD_ISSET(p[0], (fd_set *)w));
    CHECK_EQ(r[words], guard);
    CHECK_EQ(w[words], guard);
    free(r);
    free(w);
    close(p[0]);
    close(p[1]);
}

static void s286_select_errors(void)
{
    int p[2];
    fd_set r, w;
    struct timeval tv = {0, 0};
    struct timespec ts = {0, 0};
    CHECK_EQ(pipe(p), 0);
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(p[0], &r);
    FD_SET(p[1], &w);
    FD_SET(p[1] + 1, &r);
    close(p[1] + 1);
    CHECK_ERR(select(p[1] + 2, &r, &w, NULL, NULL), EBADF);
    CHECK(FD_ISSET(p[0], &r) && FD_ISSET(p[1] + 1, &r) && FD_ISSET(p[1], &w)); /* unchanged */
    CHECK_ERR(pselect(p[1] + 2, &r, &w, NULL, &ts, NULL), EBADF);
    CHECK_EQ(select(p[1] + 1, &r, &w, NULL, &tv), 1); /* p[1] + 1 not looked at */
    CHECK(FD_ISSET(p[1], &w) && !FD_ISSET(p[0], &r));
    CHECK_ERR(select(-1, NULL, NULL, NULL, &tv), EINVAL);
    tv.tv_usec = -1;
    CHECK_ERR(select(0, NULL, NULL, NULL, &tv), EINVAL);
    tv = (struct timeval){-1, 0};
    CHECK_ERR(select(0, NULL, NULL, NULL, &tv), EINVAL);
    tv = (struct timeval){0, 1000001}; /* microseconds carry into seconds */
    FD_ZERO(&w);
    FD_SET(p[1], &w);
    CHECK_EQ(select(p[1] + 1, NULL, &w, NULL, &tv), 1);
    ts.tv_nsec = 1000000000;
    CHECK_ERR(pselect(0, NULL, NULL, NULL, &ts, NULL), EINVAL);
    ts.tv_nsec = 0;
    CHECK_ERR(pselect(-1, NULL, NULL, NULL, &ts, NULL), EINVAL);
    CHECK_EQ(pselect(0, NULL, NULL, NULL, &ts, NULL), 0);
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    RUN(s280_linux_values);
    RUN(s280_pipe_writer_after_reader_closed);
    RUN(s280_pipe_reader_after_writer_closed);
    RUN(s281_closed_fd_is_nval_negative_fd_skipped);
    RUN(s282_socket_pair_rdhup_and_hup);
    RUN(s283_eventfd);
    RUN(s284_errors_and_zero_timeout);
    RUN(s285_blocking_poll_wakes_on_timerfd);
    RUN(s285_epoll_instance_is_pollin_with_events);
    RUN(s286_select_sets);
    RUN(s286_select_bitmap_layout);
    RUN(s286_select_errors);
    return 0;
}
