/*
 * Small shared helpers for the scenario tests (header-only).
 *
 *   expect_events(ep, maxevents, {cookie, bits}, ...)  - wait(ep, maxevents, 0)
 *       must return exactly these entries, in this order, bit-for-bit.
 *   expect_events_any(ep, maxevents, {cookie, bits}, ...) - same, any order.
 *   expect_none(ep, maxevents)                          - wait(...) == 0.
 *   ep_readable(ep)                                     - poll(E) & POLLIN.
 *
 * Include after <stdarg.h> <stddef.h> <setjmp.h> <stdint.h> <cmocka.h>.
 */
#ifndef VEPOLL_TEST_CHECK_H
#define VEPOLL_TEST_CHECK_H

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "models.h"
#include "vepoll.h"

struct exp_ev {
    uint64_t cookie;
    uint32_t bits;
};

#define CHECK_MAX_EVENTS 64

static inline void check_dump_(const char *what, const struct vepoll_event *got, int n)
{
    print_error("  %s (%d):", what, n);
    for (int i = 0; i < n; i++)
        print_error(" [%" PRIu64 ":0x%" PRIx32 "]", got[i].data.u64, got[i].events);
    print_error("\n");
}

static inline void check_dump_exp_(const struct exp_ev *exp, int n)
{
    print_error("  expected (%d):", n);
    for (int i = 0; i < n; i++)
        print_error(" [%" PRIu64 ":0x%" PRIx32 "]", exp[i].cookie, exp[i].bits);
    print_error("\n");
}

static inline void expect_events_(const char *file, int line, vepoll_t *ep, int maxevents,
                                  const struct exp_ev *exp, int n, bool ordered)
{
    struct vepoll_event got[CHECK_MAX_EVENTS];
    bool used[CHECK_MAX_EVENTS];
    bool ok;
    int rc;

    if (maxevents > CHECK_MAX_EVENTS)
        maxevents = CHECK_MAX_EVENTS;
    memset(got, 0, sizeof got);
    rc = vepoll_wait(ep, got, maxevents, 0);
    ok = rc == n;
    if (ok) {
        memset(used, 0, sizeof used);
        for (int i = 0; i < n && ok; i++) {
            if (ordered) {
                ok = got[i].data.u64 == exp[i].cookie && got[i].events == exp[i].bits;
            } else {
                bool found = false;
                for (int j = 0; j < n && !found; j++) {
                    if (!used[j] && got[j].data.u64 == exp[i].cookie &&
                        got[j].events == exp[i].bits) {
                        used[j] = true;
                        found = true;
                    }
                }
                ok = found;
            }
        }
    }
    if (!ok) {
        print_error("%s:%d: vepoll_wait(maxevents=%d, 0) returned %d\n", file, line,
                    maxevents, rc);
        check_dump_exp_(exp, n);
        check_dump_(ordered ? "got (ordered)" : "got (any order)", got, rc > 0 ? rc : 0);
        _fail(file, line);
    }
}

#define EXP_LIST_(...) ((const struct exp_ev[]){__VA_ARGS__})
#define EXP_COUNT_(...) ((int)(sizeof(EXP_LIST_(__VA_ARGS__)) / sizeof(struct exp_ev)))

#define expect_events(ep, maxevents, ...)                                              \
    expect_events_(__FILE__, __LINE__, (ep), (maxevents), EXP_LIST_(__VA_ARGS__),      \
                   EXP_COUNT_(__VA_ARGS__), true)
#define expect_events_any(ep, maxevents, ...)                                          \
    expect_events_(__FILE__, __LINE__, (ep), (maxevents), EXP_LIST_(__VA_ARGS__),      \
                   EXP_COUNT_(__VA_ARGS__), false)
#define expect_none(ep, maxevents)                                                     \
    expect_events_(__FILE__, __LINE__, (ep), (maxevents), NULL, 0, true)

/* wait(ep, maxevents, 0) into buf; returns the count. */
static inline int wait0(vepoll_t *ep, struct vepoll_event *buf, int maxevents)
{
    return vepoll_wait(ep, buf, maxevents, 0);
}

/* poll(E, POLLIN): is the instance readable? */
static inline bool ep_readable(vepoll_t *ep)
{
    return (vepoll_source_ready(vepoll_as_source(ep)) & VEPOLL_IN) != 0;
}

/* ADD / MOD / DEL with a 64-bit cookie; the caller asserts the result. */
static inline int ctl_(vepoll_t *ep, int op, int fd, vepoll_source_t *src, uint32_t mask,
                       uint64_t cookie)
{
    struct vepoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = mask;
    ev.data.u64 = cookie;
    return vepoll_ctl(ep, op, fd, src, &ev);
}

static inline int ep_add(vepoll_t *ep, int fd, vepoll_source_t *src, uint32_t mask,
                         uint64_t cookie)
{
    return ctl_(ep, VEPOLL_CTL_ADD, fd, src, mask, cookie);
}

static inline int ep_mod(vepoll_t *ep, int fd, vepoll_source_t *src, uint32_t mask,
                         uint64_t cookie)
{
    return ctl_(ep, VEPOLL_CTL_MOD, fd, src, mask, cookie);
}

static inline int ep_del(vepoll_t *ep, int fd, vepoll_source_t *src)
{
    return vepoll_ctl(ep, VEPOLL_CTL_DEL, fd, src, NULL);
}

/* Assert-wrapped forms: fail the test at the caller's line. */
#define ADD(ep, fd, src, mask, cookie) assert_int_equal(ep_add((ep), (fd), (src), (mask), (cookie)), 0)
#define MOD(ep, fd, src, mask, cookie) assert_int_equal(ep_mod((ep), (fd), (src), (mask), (cookie)), 0)
#define DEL(ep, fd, src) assert_int_equal(ep_del((ep), (fd), (src)), 0)

static inline vepoll_t *new_ep(void)
{
    vepoll_t *ep = NULL;
    assert_int_equal(vepoll_create(&ep), 0);
    assert_non_null(ep);
    return ep;
}

static inline void free_ep(vepoll_t *ep)
{
    assert_int_equal(vepoll_close(ep), 0);
}

static inline int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

#define MS(x) ((int64_t)(x) * 1000000)

/* Arbitrary descriptor numbers used as the `fd` half of a registration key. */
enum { FD_R = 3, FD_W = 4, FD_A = 5, FD_B = 6, FD_F = 7, FD_E = 8, FD_DUP = 9 };

#endif
