/*
 * Helpers for the WebAssembly guest tests (built by tools/vepoll-wasix-run
 * for wasm32-wasi): checks that print and exit 1, the raw wasix_32v1
 * imports (pointers as plain u32 so tests can pass hostile values), and
 * short names for the WASIX numbers.  The numbers and the wasm32 event
 * (struct vepoll_wasix_event32) are <vepoll_wasix_abi.h>'s, found through
 * vepoll's guest headers like <sys/epoll.h>.
 *
 * The checks (CHECK, CHECK_EQ, CHECK_ERR, RUN) also build natively, for
 * the posix_* tests that run both as a guest and as a Linux program, so
 * that Linux itself confirms every expected value; the raw imports exist
 * only for wasm32 (__wasm__).
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

/* The call failed with -1 and errno err (Linux's answer). */
#define CHECK_ERR(call, err)                                                        \
    do {                                                                            \
        errno = 0;                                                                  \
        CHECK_EQ((call), -1);                                                       \
        CHECK_EQ(errno, (err));                                                     \
    } while (0)

#define RUN(test)                                                                   \
    do {                                                                            \
        test();                                                                     \
        printf("ok %s\n", #test);                                                   \
        fflush(stdout);                                                             \
    } while (0)

/* An address outside the program's memory: EFAULT on Linux and on the
 * host (beyond a wasm32 guest's linear memory).  CHECK_EFAULT(call): the
 * call fails with EFAULT; skipped in native sanitizer builds, whose
 * interceptors read the pointer before the kernel can answer (a crash in
 * the sanitizer, not Linux's behaviour).  Guests are never built with a
 * sanitizer (their host is). */
#define BAD_PTR ((void *)(uintptr_t)0xfffff000u)
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define CHECK_EFAULT(call) ((void)sizeof(call)) /* compiled, not run */
#else
#define CHECK_EFAULT(call) CHECK_ERR(call, EFAULT)
#endif

#ifdef __wasm__
#include <vepoll_wasix_abi.h>

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

/* Short names for the ABI header's numbers. */
#define WX_ADD VEPOLL_WASIX_CTL_ADD
#define WX_MOD VEPOLL_WASIX_CTL_MOD
#define WX_DEL VEPOLL_WASIX_CTL_DEL
#define WX_IN VEPOLL_WASIX_EPOLLIN
#define WX_FOREVER VEPOLL_WASIX_TIMEOUT_FOREVER
#define E_SUCCESS VEPOLL_WASI_ESUCCESS
#define E_BADF VEPOLL_WASI_EBADF
#define E_EXIST VEPOLL_WASI_EEXIST
#define E_INVAL VEPOLL_WASI_EINVAL
#define E_NOENT VEPOLL_WASI_ENOENT
#define E_PERM VEPOLL_WASI_EPERM
#define E_MEMVIOLATION VEPOLL_WASI_EMEMVIOLATION

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
    struct vepoll_wasix_event32 ev = {.events = events, .fd = fd, .data2 = data2};
    return wx_epoll_ctl(ep, WX_ADD, fd, P(&ev));
}

/* epoll_wait through the raw import; returns the count. */
static inline int raw_wait(uint32_t ep, struct vepoll_wasix_event32 *evs, uint32_t max,
                           uint64_t timeout)
{
    uint32_t n = 0xdead;
    CHECK_EQ(wx_epoll_wait(ep, P(evs), max, timeout, P(&n)), E_SUCCESS);
    CHECK(n <= max);
    return (int)n;
}

#endif /* __wasm__ */

#endif
