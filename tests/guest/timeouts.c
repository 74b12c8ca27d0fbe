/*
 * Timeouts (docs/EMBEDDING.md, "The ABI"): u64 nanoseconds, 0 polls and returns at
 * once, all-ones waits forever, expiry is success with 0 events and never
 * early; epoll_wait's milliseconds through the guest header (wasmer#5481:
 * the unit was once confused).
 */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "wx_test.h"

static void test_timeout_zero_returns_zero_events_at_once(void)
{
    uint32_t ep = raw_epoll();
    struct vepoll_wasix_event32 out[1];
    uint64_t t0 = now_ns();
    CHECK_EQ(raw_wait(ep, out, 1, 0), 0);
    CHECK(now_ns() - t0 < 2000000000ull); /* generous: "does not block" */
    close((int)ep);
}

static void test_timeout_50ms_raw_waits_at_least_50ms(void)
{
    uint32_t ep = raw_epoll();
    struct vepoll_wasix_event32 out[1];
    uint64_t t0 = now_ns();
    CHECK_EQ(raw_wait(ep, out, 1, 50000000ull), 0);
    CHECK(now_ns() - t0 >= 50000000ull);
    close((int)ep);
}

static void test_timeout_50ms_linux_api_waits_at_least_50ms(void)
{
    int ep = epoll_create1(0);
    struct epoll_event out;
    uint64_t t0 = now_ns();
    CHECK_EQ(epoll_wait(ep, &out, 1, 50), 0);
    CHECK(now_ns() - t0 >= 50000000ull);
    close(ep);
}

static void test_forever_returns_when_ready(void)
{
    uint32_t ep = raw_epoll();
    int e = eventfd(1, 0);
    struct vepoll_wasix_event32 out[1];
    CHECK_EQ(raw_add(ep, (uint32_t)e, WX_IN, 5), E_SUCCESS);
    CHECK_EQ(raw_wait(ep, out, 1, WX_FOREVER), 1);
    CHECK_EQ(out[0].data2, 5);
    struct epoll_event lout;
    CHECK_EQ(epoll_wait((int)ep, &lout, 1, -1), 1);
    close(e);
    close((int)ep);
}

static void test_huge_timeout_with_ready_event_returns(void)
{
    uint32_t ep = raw_epoll();
    int e = eventfd(1, 0);
    struct vepoll_wasix_event32 out[1];
    CHECK_EQ(raw_add(ep, (uint32_t)e, WX_IN, 5), E_SUCCESS);
    CHECK_EQ(raw_wait(ep, out, 1, 0x8000000000000000ull), 1); /* > INT64_MAX */
    close(e);
    close((int)ep);
}

int main(void)
{
    RUN(test_timeout_zero_returns_zero_events_at_once);
    RUN(test_timeout_50ms_raw_waits_at_least_50ms);
    RUN(test_timeout_50ms_linux_api_waits_at_least_50ms);
    RUN(test_forever_returns_when_ready);
    RUN(test_huge_timeout_with_ready_event_returns);
    return 0;
}
