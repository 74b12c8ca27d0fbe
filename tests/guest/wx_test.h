/*
 * Helpers for the WebAssembly guest tests (built by tools/vepoll-wasix-run
 * for wasm32-wasi): checks that print and exit 1, the raw wasix_32v1
 * imports (pointers as plain u32 so tests can pass hostile values), and the
 * WASIX event layout.
 */
#ifndef WX_TEST_H
#define WX_TEST_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (!(cond)) {                                                              \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                  \
            exit(1);                                                                \
        }                                                                           \
    } while (0)

#define CHECK_EQ(a, b)                                                              \
    do {                                                                            \
        long long a_ = (long long)(a), b_ = (long long)(b);                         \
        if (a_ != b_) {                                                             \
            printf("FAIL %s:%d: %s == %s (%lld != %lld, errno %d)\n", __FILE__,     \
                   __LINE__, #a, #b, a_, b_, errno);                                \
            exit(1);                                                                \
        }                                                                           \
    } while (0)

#define RUN(test)                                                                   \
    do {                                                                            \
        test();                                                                     \
        printf("ok %s\n", #test);                                                   \
    } while (0)

#define WX_IMPORT(name) __attribute__((import_module("wasix_32v1"), import_name(#name)))

WX_IMPORT(epoll_create) uint32_t wx_epoll_create(uint32_t ret_fd);
WX_IMPORT(epoll_ctl) uint32_t wx_epoll_ctl(uint32_t epfd, uint32_t op, uint32_t fd, uint32_t event);
WX_IMPORT(epoll_wait)
uint32_t wx_epoll_wait(uint32_t epfd, uint32_t events, uint32_t maxevents, uint64_t timeout,
                       uint32_t ret_nevents);
WX_IMPORT(fd_pipe) uint32_t wx_fd_pipe(uint32_t rfd, uint32_t wfd);
WX_IMPORT(fd_event) uint32_t wx_fd_event(uint64_t initval, uint32_t flags, uint32_t ret_fd);
WX_IMPORT(sock_pair)
uint32_t wx_sock_pair(uint32_t af, uint32_t type, uint32_t proto, uint32_t fd0, uint32_t fd1);

/* WASIX numbering. */
#define WX_ADD 0u
#define WX_MOD 1u
#define WX_DEL 2u
#define WX_IN 0x01u
#define WX_OUT 0x02u
#define WX_RDHUP 0x04u
#define WX_PRI 0x08u
#define WX_ERR 0x10u
#define WX_HUP 0x20u
#define WX_ET 0x40u
#define WX_ONESHOT 0x80u
#define WX_FOREVER UINT64_MAX

#define E_SUCCESS 0u
#define E_BADF 8u
#define E_EXIST 20u
#define E_INVAL 28u
#define E_NOENT 44u
#define E_PERM 63u
#define E_MEMVIOLATION 78u

struct wx_event {
    uint32_t events;
    uint32_t pad0;
    uint32_t ptr;
    uint32_t fd;
    uint32_t data1;
    uint32_t pad1;
    uint64_t data2;
};
_Static_assert(sizeof(struct wx_event) == 32, "WASIX event is 32 bytes");
_Static_assert(offsetof(struct wx_event, data2) == 24, "data2 @24");

#define P(x) ((uint32_t)(uintptr_t)(x))

static inline uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint32_t mem_bytes(void)
{
    return (uint32_t)__builtin_wasm_memory_size(0) * 65536u;
}

static inline uint32_t raw_epoll(void)
{
    uint32_t fd = 0;
    CHECK_EQ(wx_epoll_create(P(&fd)), E_SUCCESS);
    return fd;
}

static inline uint32_t raw_add(uint32_t ep, uint32_t fd, uint32_t events, uint64_t data2)
{
    struct wx_event ev = {.events = events, .fd = fd, .data2 = data2};
    return wx_epoll_ctl(ep, WX_ADD, fd, P(&ev));
}

/* epoll_wait through the raw import; returns the count. */
static inline int raw_wait(uint32_t ep, struct wx_event *evs, uint32_t max, uint64_t timeout)
{
    uint32_t n = 0xdead;
    CHECK_EQ(wx_epoll_wait(ep, P(evs), max, timeout, P(&n)), E_SUCCESS);
    CHECK(n <= max);
    return (int)n;
}

#endif
