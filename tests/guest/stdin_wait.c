/*
 * Stdin is watched, not assumed ready (S226; issue #18 part 4): run with
 * stdin an empty pipe that tests/guest/stdin_driver.c fills after a delay
 * and then closes.  Until input comes, poll and epoll report nothing;
 * blocked in epoll_wait, the program wakes when the input arrives (and
 * uses no CPU meanwhile: the driver measures that); after the read stdin
 * is not readable again; at EOF it is readable and read returns 0.  Built
 * natively and as a guest (whose stdin the runner watches through a
 * kernel-descriptor source): the same answers.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "wx_test.h"

int main(void)
{
    struct pollfd pf = {.fd = 0, .events = POLLIN};
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 42}, out;
    char buf[64];
    int ep = epoll_create1(0);
    CHECK(ep >= 0);
    CHECK_EQ(poll(&pf, 1, 0), 0); /* nothing yet */
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, 0, &ev), 0);
    CHECK_EQ(epoll_wait(ep, &out, 1, 0), 0);
    CHECK_EQ(epoll_wait(ep, &out, 1, -1), 1); /* asleep until the input */
    CHECK_EQ(out.events, EPOLLIN);
    CHECK_EQ(out.data.u64, 42);
    CHECK_EQ(read(0, buf, sizeof(buf)), 6);
    CHECK(memcmp(buf, "hello\n", 6) == 0);
    CHECK_EQ(poll(&pf, 1, 0), 0); /* drained */
    CHECK_EQ(poll(&pf, 1, -1), 1); /* EOF */
    CHECK(pf.revents & (POLLIN | POLLHUP));
    CHECK_EQ(read(0, buf, sizeof(buf)), 0);
    CHECK_EQ(close(ep), 0);
    printf("ok stdin watched: empty, woken by input, drained, EOF\n");
    return 0;
}
