/*
 * timerfd, checked against Linux (built natively and as a guest, where it
 * runs over vepoll's vepoll_ext_v1 imports): a one-shot timer's read
 * blocks until it fires and returns the expiration count; a non-blocking
 * read before that fails with EAGAIN; an interval timer counts; disarming
 * zeroes timerfd_gettime; the timer is readable in epoll once it fired;
 * bad clocks, flags, times, descriptors and pointers fail with Linux's
 * errno.  No timing thresholds: only the order of events is checked.
 * Needs the host's timerfd (VW_WASIX_FD_API).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "wx_test.h"

static struct itimerspec in_ms(long value_ms, long interval_ms)
{
    struct itimerspec t;
    memset(&t, 0, sizeof(t));
    t.it_value.tv_sec = value_ms / 1000;
    t.it_value.tv_nsec = (value_ms % 1000) * 1000000L;
    t.it_interval.tv_sec = interval_ms / 1000;
    t.it_interval.tv_nsec = (interval_ms % 1000) * 1000000L;
    return t;
}

static void one_shot(void)
{
    int fd = timerfd_create(CLOCK_MONOTONIC, 0);
    struct itimerspec t = in_ms(20, 0), cur;
    uint64_t n = 0;
    CHECK(fd >= 0);
    CHECK_EQ(fcntl(fd, F_GETFD), 0);
    CHECK_EQ(timerfd_gettime(fd, &cur), 0);
    CHECK_EQ(cur.it_value.tv_sec, 0);
    CHECK_EQ(cur.it_value.tv_nsec, 0);
    CHECK_EQ(timerfd_settime(fd, 0, &t, NULL), 0);
    CHECK_EQ(timerfd_gettime(fd, &cur), 0);
    CHECK(cur.it_value.tv_sec > 0 || cur.it_value.tv_nsec > 0);
    CHECK_EQ(read(fd, &n, sizeof(n)), 8); /* blocks until it fires */
    CHECK_EQ(n, 1);
    CHECK_EQ(timerfd_gettime(fd, &cur), 0);
    CHECK_EQ(cur.it_value.tv_sec, 0); /* expired and not re-armed */
    CHECK_EQ(cur.it_value.tv_nsec, 0);
    close(fd);
}

static void nonblocking_and_disarm(void)
{
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    struct itimerspec t = in_ms(60000, 0), off = in_ms(0, 0), old;
    uint64_t n;
    CHECK(fd >= 0);
    CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
    CHECK_ERR(read(fd, &n, sizeof(n)), EAGAIN); /* never armed */
    CHECK_EQ(timerfd_settime(fd, 0, &t, NULL), 0);
    CHECK_ERR(read(fd, &n, sizeof(n)), EAGAIN); /* armed, not yet fired */
    CHECK_EQ(timerfd_settime(fd, 0, &off, &old), 0);
    CHECK(old.it_value.tv_sec > 0 && old.it_value.tv_sec <= 60);
    CHECK_EQ(timerfd_gettime(fd, &old), 0);
    CHECK_EQ(old.it_value.tv_sec, 0);
    CHECK_EQ(old.it_value.tv_nsec, 0);
    close(fd);
}

static void interval_in_epoll(void)
{
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK), ep = epoll_create1(0);
    struct itimerspec t = in_ms(5, 5), cur;
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 77}, out[2];
    uint64_t total = 0, n;
    CHECK(fd >= 0 && ep >= 0);
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), 0);
    CHECK_EQ(epoll_wait(ep, out, 2, 0), 0);
    CHECK_EQ(timerfd_settime(fd, 0, &t, NULL), 0);
    while (total < 3) {
        CHECK_EQ(epoll_wait(ep, out, 2, -1), 1);
        CHECK_EQ(out[0].data.u64, 77);
        CHECK(out[0].events & EPOLLIN);
        CHECK_EQ(read(fd, &n, sizeof(n)), 8);
        CHECK(n >= 1);
        total += n;
    }
    CHECK_EQ(timerfd_gettime(fd, &cur), 0);
    CHECK_EQ(cur.it_interval.tv_nsec, 5000000L); /* still periodic */
    close(ep);
    close(fd);
}

static void absolute_time_in_the_past(void)
{
    int fd = timerfd_create(CLOCK_REALTIME, 0);
    struct itimerspec t;
    uint64_t n = 0;
    memset(&t, 0, sizeof(t));
    t.it_value.tv_sec = 1; /* 1970: long past, fires at once */
    CHECK_EQ(timerfd_settime(fd, TFD_TIMER_ABSTIME, &t, NULL), 0);
    CHECK_EQ(read(fd, &n, sizeof(n)), 8);
    CHECK_EQ(n, 1);
    close(fd);
}

static void bad_input(void)
{
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK), p[2];
    struct itimerspec t = in_ms(10, 0), cur;
    char small[4];
    CHECK_ERR(timerfd_create(CLOCK_MONOTONIC, 0x1234), EINVAL);
    CHECK_ERR(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL);
    CHECK_ERR(timerfd_settime(fd, 0x100, &t, NULL), EINVAL);
    t.it_value.tv_nsec = 1000000000L;
    CHECK_ERR(timerfd_settime(fd, 0, &t, NULL), EINVAL);
    t.it_value.tv_nsec = -1;
    CHECK_ERR(timerfd_settime(fd, 0, &t, NULL), EINVAL);
    t = in_ms(10, 0);
    CHECK_ERR(timerfd_settime(-1, 0, &t, NULL), EBADF);
    CHECK_EFAULT(timerfd_settime(fd, 0, BAD_PTR, NULL));
    CHECK_EFAULT(timerfd_gettime(fd, BAD_PTR));
    CHECK_EQ(pipe(p), 0);
    CHECK_ERR(timerfd_settime(p[0], 0, &t, NULL), EINVAL); /* not a timerfd */
    CHECK_ERR(timerfd_gettime(p[0], &cur), EINVAL);
    CHECK_ERR(timerfd_gettime(999, &cur), EBADF);
    CHECK_ERR(read(fd, small, sizeof(small)), EINVAL); /* less than 8 bytes */
    CHECK_EQ(timerfd_gettime(fd, &cur), 0);
    CHECK_EQ(cur.it_value.tv_sec, 0); /* nothing armed by the failed calls */
    CHECK_EQ(cur.it_value.tv_nsec, 0);
    close(p[0]);
    close(p[1]);
    close(fd);
}

int main(void)
{
    RUN(one_shot);
    RUN(nonblocking_and_disarm);
    RUN(interval_in_epoll);
    RUN(absolute_time_in_the_past);
    RUN(bad_input);
    return 0;
}
