/*
 * Hostile guest pointers and arguments: tens of thousands of random calls of
 * every import this host provides, with pointers near 0, near the end of
 * memory, past it and random, odd lengths and counts.  The host must answer
 * each with an errno (or success) and never crash or trap; at the end the
 * guest is still intact and epoll still works.  Seeded, so reproducible
 * (argv[1] overrides the seed).
 */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <wasi/api.h>

#include "wx_test.h"

static uint64_t state = 0x9e3779b97f4a7c15ull;
/* In-range pointers land here, so the host's writes through them (which are
 * legal) cannot wreck the guest's own data or stack. */
static uint8_t scratch[128 * 1024];

static uint64_t rnd(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

/* A pointer that is often almost right. */
static uint32_t hostile_ptr(void)
{
    uint32_t top = mem_bytes();
    switch (rnd() % 8) {
    case 0: return 0;
    case 1: return top - (uint32_t)(rnd() % 64);
    case 2: return top + (uint32_t)(rnd() % 64);
    case 3: return 0xffffffffu - (uint32_t)(rnd() % 64);
    case 4: return (uint32_t)rnd();
    case 5: return P(scratch) + (uint32_t)(rnd() % (64 * 1024)); /* in range */
    case 6: return 0x80000000u;
    default: return P(scratch) + 1;
    }
}

/* A pointer past the end of memory (for calls that could block if a random
 * in-range buffer happened to describe real work). */
static uint32_t bad_ptr(void)
{
    uint32_t top = mem_bytes();
    switch (rnd() % 3) {
    case 0: return top + (uint32_t)(rnd() % 64);
    case 1: return 0xffffffffu - (uint32_t)(rnd() % 64);
    default: return top - (uint32_t)(rnd() % 4);
    }
}

static uint32_t hostile_count(void)
{
    switch (rnd() % 5) {
    case 0: return 0;
    case 1: return 1;
    case 2: return 0x7fffffffu;
    case 3: return 0xffffffffu;
    default: return (uint32_t)(rnd() % 1024); /* x 32 bytes stays in scratch */
    }
}

static uint32_t any_fd(void)
{
    return rnd() % 4 ? 3 + (uint32_t)(rnd() % 40) : (uint32_t)rnd();
}

int main(int argc, char **argv)
{
    static uint8_t keep[4096];
    uint32_t calls = 0, ok = 0;
    if (argc > 1)
        state = strtoull(argv[1], NULL, 0) | 1;
    memset(keep, 0x5a, sizeof(keep));
    for (int i = 0; i < 40000; i++) {
        uint32_t r = 0;
        switch (rnd() % 12) {
        case 0: r = wx_epoll_create(hostile_ptr()); break;
        case 1:
            r = wx_epoll_ctl(any_fd(), (uint32_t)(rnd() % 5), any_fd(), hostile_ptr());
            break;
        case 2:
            r = wx_epoll_wait(any_fd(), hostile_ptr(), hostile_count(), 0, hostile_ptr());
            break;
        case 3: r = wx_fd_pipe(hostile_ptr(), hostile_ptr()); break;
        case 4: r = wx_fd_event(rnd(), (uint32_t)(rnd() % 3), hostile_ptr()); break;
        case 5:
            r = wx_sock_pair(3, 1, 0, hostile_ptr(), hostile_ptr());
            break;
        case 6:
            r = __wasi_fd_write(any_fd(), (const __wasi_ciovec_t *)(uintptr_t)bad_ptr(),
                                hostile_count() | 1, (__wasi_size_t *)(uintptr_t)hostile_ptr());
            CHECK(r != 0);
            break;
        case 7:
            r = __wasi_fd_fdstat_get(any_fd(), (__wasi_fdstat_t *)(uintptr_t)hostile_ptr());
            break;
        case 8: {
            /* A zero-timeout clock first, then random subscriptions: the
             * call may do anything but block. */
            static __wasi_subscription_t subs[8];
            uint32_t n = (uint32_t)(rnd() % 8) + 1;
            __wasi_size_t ne;
            for (size_t b = 0; b < sizeof(subs); b++)
                ((uint8_t *)subs)[b] = (uint8_t)rnd();
            memset(&subs[0], 0, sizeof(subs[0]));
            subs[0].u.tag = __WASI_EVENTTYPE_CLOCK;
            subs[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
            r = __wasi_poll_oneoff(rnd() % 2 ? subs : (const __wasi_subscription_t *)(uintptr_t)bad_ptr(),
                                   (__wasi_event_t *)(uintptr_t)hostile_ptr(), n, &ne);
            break;
        }
        case 9:
            r = __wasi_random_get((uint8_t *)(uintptr_t)hostile_ptr(), hostile_count());
            break;
        case 10:
            r = __wasi_clock_time_get((uint32_t)(rnd() % 6), 0,
                                      (__wasi_timestamp_t *)(uintptr_t)hostile_ptr());
            break;
        default: {
            uint32_t fd = any_fd();
            if (fd >= 3)
                r = __wasi_fd_close(fd);
            break;
        }
        }
        calls++;
        if (i % 256 == 255) /* keep the number of live objects bounded */
            for (uint32_t fd = 3; fd < 128; fd++)
                ok += __wasi_fd_close(fd) == 0 ? 0 : 0;
        ok += r == 0;
    }
    for (size_t i = 0; i < sizeof(keep); i++)
        CHECK_EQ(keep[i], 0x5a);
    /* Still a working epoll afterwards. */
    {
        int ep = epoll_create1(0), e = eventfd(1, 0);
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 99}, out;
        CHECK(ep >= 0 && e >= 0);
        CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev), 0);
        CHECK_EQ(epoll_wait(ep, &out, 1, 0), 1);
        CHECK_EQ(out.data.u64, 99);
    }
    printf("hostile: %u calls, %u succeeded, host intact\n", calls, ok);
    return 0;
}
