/*
 * vtest: the support layer of the host-side tests (tests/core, tests/objects,
 * tests/wasix, tests/support/test_models.c, tests/fuzz).  One header, one
 * source (vtest.c), one prefix: vt_ for functions, types and globals, VT_ for
 * macros.  A test includes this header, the public headers it needs and
 * system headers, nothing else; the test models (models.h: a pipe, an
 * eventfd counter and a socket pair on vepoll_source_update) come with it.
 *
 *   time          VT_MS, VT_SEC, vt_now_ns, vt_sleep_ns, vt_sleep_ms
 *   ctl / wait    vt_ev, vt_add, vt_mod, vt_del (return the ctl result);
 *                 vt_poll, vt_poll1 (zero-timeout waits); vt_readable;
 *                 VT_FD_* descriptor numbers for registration keys
 *   assertions    VT_ADD, VT_MOD, VT_DEL (must succeed);
 *                 vt_expect_events(ep, maxevents, {cookie, bits}, ...) (exactly
 *                 these entries in this order), vt_expect_events_any (any
 *                 order), vt_expect_none, vt_expect1(ep, bits, cookie);
 *                 vt_new_ep, vt_free_ep, vt_new_source
 *   fixtures      struct vt_fx (instances and sources for each test) and the
 *                 settings reset (allocator back to malloc, no watch limit):
 *                 cmocka setup/teardown functions, see below
 *   allocator     vt_alloc: THE counting, failing allocator
 *   threads       struct vt_waiter (a thread blocked in vepoll_wait),
 *                 vt_until_asleep (until a thread sleeps in the kernel),
 *                 vt_until_parked_on (... in a futex wait on an object),
 *                 vt_threads_named (threads of this process by name),
 *                 vt_intr_race (raises racing a thread's blocking calls)
 *   WASIX         vt_wx_epoll_create, vt_wx_ctl, vt_wx_wait: the epoll imports
 *                 with a private guest memory, struct vt_wxev
 *   fuzz input    struct vt_in, vt_in_u8, vt_trace (the libFuzzer targets)
 *
 * Worker threads never call cmocka asserts: they use the non-asserting
 * helpers (vt_add, vt_poll, vt_waiter_main, vt_sleep_*, ...) and record what
 * they saw; the test thread asserts.  Helpers that assert are marked "test
 * thread only".
 *
 * The libFuzzer targets compile vtest.c too, with VTEST_NO_CMOCKA defined:
 * then neither this header nor vtest.c uses cmocka, and the asserting part
 * below is left out.
 */
#ifndef VTEST_H
#define VTEST_H

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#ifndef VTEST_NO_CMOCKA
#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>
#endif

#include "models.h"
#include "vepoll.h"
#include "vepoll_wasix.h"

/* ---- time ------------------------------------------------------------------ */

#define VT_MS INT64_C(1000000)
#define VT_SEC INT64_C(1000000000)

int64_t vt_now_ns(void);          /* CLOCK_MONOTONIC */
void vt_sleep_ns(int64_t ns);     /* the whole time, across EINTR */
void vt_sleep_ms(int64_t ms);

/* ---- ctl and zero-timeout waits (any thread) ------------------------------- */

/* Arbitrary descriptor numbers used as the `fd` half of a registration key. */
enum { VT_FD_R = 3, VT_FD_W = 4, VT_FD_A = 5, VT_FD_B = 6, VT_FD_F = 7, VT_FD_E = 8,
       VT_FD_DUP = 9 };

struct vepoll_event vt_ev(uint32_t events, uint64_t cookie);
/* ADD / MOD / DEL with a 64-bit cookie; they return vepoll_ctl's result. */
int vt_add(vepoll_t *ep, int fd, vepoll_source_t *src, uint32_t events, uint64_t cookie);
int vt_mod(vepoll_t *ep, int fd, vepoll_source_t *src, uint32_t events, uint64_t cookie);
int vt_del(vepoll_t *ep, int fd, vepoll_source_t *src);
/* wait(ep, out, max, 0); out may be NULL (then at most 64 entries are taken
 * into a scratch buffer). */
int vt_poll(vepoll_t *ep, struct vepoll_event *out, int max);
int vt_poll1(vepoll_t *ep); /* vt_poll(ep, NULL, 1) */
/* poll(E, POLLIN): is the instance readable? */
bool vt_readable(vepoll_t *ep);

/* ---- the counting, failing allocator ---------------------------------------- */

/*
 * One process-wide allocator for vepoll_set_allocator.  Every block has a
 * header with its size (a free with another size counts as a bad free) and
 * its tag.  Failures are injected by call: fail_at (the call with that
 * 0-based index in `calls`) and fail_next (that many of the next calls).
 * Counters are atomic: worker threads may allocate through it.
 *
 * Tags attribute blocks to call sites: when `tag` is set, every call asks it
 * for one (0 <= tag < VT_ALLOC_TAGS, out-of-range tags count as the last
 * one); live_tag counts the live blocks per tag and failed_tag is the tag of
 * the last injected failure.  A tag function runs on the allocating thread
 * and is meant for single-threaded tests.
 */
#define VT_ALLOC_TAGS 16

struct vt_alloc {
    atomic_long calls;      /* every alloc call, failed ones included */
    atomic_long allocs;     /* successful alloc calls */
    atomic_long frees;
    atomic_long live;       /* blocks allocated and not yet freed */
    atomic_long live_bytes;
    atomic_long bad_frees;  /* frees with a size other than the allocated one */
    atomic_long failures;   /* injected failures */
    atomic_long fail_at;    /* >= 0: fail the call with this index; -1: none */
    atomic_long fail_next;  /* > 0: fail that many of the next calls */
    atomic_int failed_tag;  /* tag of the last injected failure, -1: none */
    atomic_long live_tag[VT_ALLOC_TAGS];
    /* Configuration (kept by vt_alloc_reset, cleared by vt_settings_reset). */
    int (*tag)(size_t size);
    bool abort_on_bad_free; /* print and abort at a bad free (fuzz targets) */
};

extern struct vt_alloc vt_alloc;
extern const struct vepoll_allocator vt_allocator; /* {alloc, free, &vt_alloc} */

/* Counters to zero, no failure armed (configuration kept). */
void vt_alloc_reset(void);
/* vt_alloc_reset, then vepoll_set_allocator(&vt_allocator): its result. */
int vt_alloc_install(void);
/* Fail the k-th alloc call from now (k >= 1: 1 is the next call). */
void vt_alloc_fail_call(long k);
/* Fail each of the next n alloc calls (LONG_MAX: all of them). */
void vt_alloc_fail_next(long n);
/* No failure armed (ends a vt_alloc_arm too). */
void vt_alloc_fail_none(void);
/* A failure armed for one call (the fuzz targets): the k-th alloc call from
 * now fails (k < 0: every call) until vt_alloc_fail_none(); vt_alloc_armed
 * says whether that is the case, vt_alloc_injected whether a failure was
 * injected since the arming. */
void vt_alloc_arm(long k);
bool vt_alloc_armed(void);
bool vt_alloc_injected(void);

/* ---- process-wide settings ---------------------------------------------------- */

/* Everything a test may have changed for the whole process back to the
 * default: no failure armed and no tag function, the allocator back to
 * malloc/free, no watch limit.  Returns 0, or -EBUSY when the counting
 * allocator is installed and cannot be replaced because a vepoll object is
 * still alive (objects left alive under malloc are not this reset's
 * business). */
int vt_settings_reset(void);

/*
 * cmocka setup/teardown functions (also fine as group setup/teardown).  They
 * return 0, or -1 when a reset or an install failed (cmocka reports it).
 *   vt_reset_setup, vt_reset_teardown  vt_settings_reset
 *   vt_alloc_setup                     vt_settings_reset, then the counting
 *                                      allocator (vt_alloc_install); pair it
 *                                      with vt_reset_teardown
 *   vt_fx_setup                        settings reset; fixture e + s
 *   vt_fx_setup_2                      settings reset; e, e2 + s, t
 *   vt_fx_setup_8                      settings reset; ep[0..7] + s, t
 *   vt_fx_teardown                     closes every instance and source of
 *                                      the fixture left non-NULL, then
 *                                      vt_settings_reset
 *   vt_wx_setup, vt_wx_teardown        a vepoll_wasix_t with the built-in
 *                                      table as *state
 * *state is the struct vt_fx for the vt_fx_* functions.  A test may close a
 * fixture object itself and set its pointer to NULL.
 */
#define VT_FX_EPS 8
#define VT_FX_SRCS 2

struct vt_fx {
    union {
        vepoll_t *ep[VT_FX_EPS];
        struct {
            vepoll_t *e, *e2;
        };
    };
    union {
        vepoll_source_t *src[VT_FX_SRCS];
        struct {
            vepoll_source_t *s, *t;
        };
    };
};

int vt_reset_setup(void **state);
int vt_reset_teardown(void **state);
/* *state = a WASIX adapter with the built-in table; teardown destroys it,
 * then vt_settings_reset. */
int vt_wx_setup(void **state);
int vt_wx_teardown(void **state);
int vt_alloc_setup(void **state);
int vt_fx_setup(void **state);
int vt_fx_setup_2(void **state);
int vt_fx_setup_8(void **state);
int vt_fx_teardown(void **state);

/* ---- threads ------------------------------------------------------------------ */

/* A thread blocked in vepoll_wait(ep, ev, maxevents, timeout): it records
 * its kernel thread id, the result, its end time and how long the wait
 * took, then sets `done` (it never asserts). */
struct vt_waiter {
    pthread_t th;
    vepoll_t *ep;
    int64_t timeout;
    int maxevents; /* <= 8 */
    int ret;
    int64_t elapsed, end;
    _Atomic pid_t tid;
    atomic_int done;
    struct vepoll_event ev[8];
};

void *vt_waiter_main(void *arg); /* the thread's body; arg: the struct vt_waiter */

pid_t vt_gettid(void);
/* Kernel state letter of one of our threads ('R', 'S', ...), or 0. */
char vt_thread_state(pid_t tid);
/* Until the thread that stores its id in *tid sleeps in the kernel ('S') or
 * has set *done.  For a thread whose only sleep is inside vepoll_wait this
 * means "blocked in the wait". */
void vt_until_asleep(_Atomic pid_t *tid, atomic_int *done);
/* vt_until_asleep for a vt_waiter. */
void vt_waiter_until_blocked(struct vt_waiter *w);
/* Until the thread has set *done or sleeps in a futex wait on a word inside
 * [obj, obj + VT_PARK_SPAN): parked inside a call on obj (an instance's park
 * word).  Before a vepoll_close, merely asleep is not enough: a sanitizer's
 * runtime may put the thread to sleep on its own lock on the way into the
 * call, which would then start after the close (the API forbids that). */
#define VT_PARK_SPAN 4096 /* > sizeof(struct vepoll), which tests cannot see */
void vt_until_parked_on(_Atomic pid_t *tid, atomic_int *done, const void *obj);
/* Until the waiter has set `done` or has used 20 ms of CPU time since it
 * started: a waiter on an instance with a long vepoll_set_spin does nothing
 * else, so it is then spinning inside vepoll_wait (it never sleeps, so
 * vt_waiter_until_blocked cannot tell). */
void vt_waiter_until_spinning(struct vt_waiter *w);
/* How many threads of this process have the name `comm` (Linux:
 * /proc/self/task/N/comm; -1 if it cannot be read). */
int vt_threads_named(const char *comm);
/* A raise racing a thread's entry into a blocking call (S145, S237): a
 * thread binds a fresh vepoll_intr handle and makes `rounds` calls of
 * call(arg), each meant to block for long (10 s or more); the calling
 * thread ends each with one raise, made sometimes before the call starts
 * and sometimes inside it, and the racer clears the handle after each
 * call.  How many calls did not return -EINTR (0: no raise was lost), or a
 * negative errno when the handle or the thread could not be made. */
long vt_intr_race(int rounds, long (*call)(void *arg), void *arg);

/* Descriptors this process has open now (the entries of /proc/self/fd,
 * not counting the one used to list them), or -1. */
int vt_open_fds(void);

/* ---- the WASIX adapter through its ABI ----------------------------------------------- */

/* epoll_create / epoll_ctl / epoll_wait imports (wasm32 layout) through a
 * private guest memory inside vtest.c: one caller at a time.  They return
 * the import's WASI errno; vt_wx_wait returns the number of events, or
 * minus the WASI errno.  An event's guest data is (data2, data.fd). */
struct vt_wxev {
    uint32_t events; /* WASIX bits */
    uint32_t fd;     /* data.fd: the watched fd */
    uint64_t data2;
};

uint32_t vt_wx_epoll_create(vepoll_wasix_t *wx, uint32_t *epfd);
uint32_t vt_wx_ctl(vepoll_wasix_t *wx, uint32_t epfd, uint32_t wasix_op, uint32_t fd,
                   uint32_t wasix_events, uint64_t data2);
int vt_wx_wait(vepoll_wasix_t *wx, uint32_t epfd, struct vt_wxev *out, int maxevents,
               uint64_t timeout_ns);

/* ---- fuzz input (the libFuzzer targets) -------------------------------------------- */

/* The rest of an input, read byte by byte: zeros once it is used up. */
struct vt_in {
    const uint8_t *p;
    size_t n;
};

uint8_t vt_in_u8(struct vt_in *in);

/* Tracing of decoded operations: vt_trace_init() turns it on when the
 * environment has VEPOLL_FUZZ_TRACE and says whether it did; vt_trace prints
 * "<op> <message>" to stderr while it is on. */
bool vt_trace_init(void);
void vt_trace(int op, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#ifndef VTEST_NO_CMOCKA
/* ---- asserting helpers (test thread only) ------------------------------------------ */

/* One expected entry of a wait: its cookie and exactly its bits. */
struct vt_exp {
    uint64_t cookie;
    uint32_t bits;
};

void vt_expect_events_(const char *file, int line, vepoll_t *ep, int maxevents,
                       const struct vt_exp *exp, int n, bool ordered);

#define VT_EXP_LIST_(...) ((const struct vt_exp[]){__VA_ARGS__})
#define VT_EXP_COUNT_(...) ((int)(sizeof(VT_EXP_LIST_(__VA_ARGS__)) / sizeof(struct vt_exp)))

/* wait(ep, maxevents, 0) returns exactly these entries, in this order,
 * bit for bit (at most 64 entries). */
#define vt_expect_events(ep, maxevents, ...)                                        \
    vt_expect_events_(__FILE__, __LINE__, (ep), (maxevents), VT_EXP_LIST_(__VA_ARGS__), \
                      VT_EXP_COUNT_(__VA_ARGS__), true)
/* The same in any order. */
#define vt_expect_events_any(ep, maxevents, ...)                                    \
    vt_expect_events_(__FILE__, __LINE__, (ep), (maxevents), VT_EXP_LIST_(__VA_ARGS__), \
                      VT_EXP_COUNT_(__VA_ARGS__), false)
/* wait(ep, maxevents, 0) returns 0. */
#define vt_expect_none(ep, maxevents)                                               \
    vt_expect_events_(__FILE__, __LINE__, (ep), (maxevents), NULL, 0, true)
/* wait(ep, 4, 0) returns exactly one entry: `bits`, `cookie`. */
#define vt_expect1(ep, bits, cookie)                                                \
    vt_expect_events_(__FILE__, __LINE__, (ep), 4,                                  \
                      VT_EXP_LIST_({(uint64_t)(cookie), (uint32_t)(bits)}), 1, true)

/* ADD / MOD / DEL that must succeed (the failure names the caller's line). */
#define VT_ADD(ep, fd, src, mask, cookie) \
    assert_int_equal(vt_add((ep), (fd), (src), (mask), (cookie)), 0)
#define VT_MOD(ep, fd, src, mask, cookie) \
    assert_int_equal(vt_mod((ep), (fd), (src), (mask), (cookie)), 0)
#define VT_DEL(ep, fd, src) assert_int_equal(vt_del((ep), (fd), (src)), 0)

vepoll_t *vt_new_ep(void);                       /* vepoll_create must succeed */
void vt_free_ep(vepoll_t *ep);                   /* vepoll_close must return 0 */
vepoll_source_t *vt_new_source(uint32_t ready);  /* vepoll_source_create must succeed */

/* Fills in w and starts `fn` (vt_waiter_main or a wrapper around it). */
void vt_waiter_start_fn(struct vt_waiter *w, vepoll_t *ep, int maxevents, int64_t timeout,
                        void *(*fn)(void *));
void vt_waiter_start(struct vt_waiter *w, vepoll_t *ep, int maxevents, int64_t timeout);
void vt_waiter_join(struct vt_waiter *w);

/* Allocation-failure sweep of one constructor, with no vepoll object alive:
 * run create once with the counting allocator to count its allocations (at
 * least min_allocs), then once per allocation with exactly that one failing:
 * it must return -ENOMEM, hand back nothing and leave nothing allocated, and
 * no free may have the wrong size.  destroy undoes a successful create.
 * Ends with vt_settings_reset, which must succeed (nothing left alive). */
void vt_each_alloc_fails(int (*create)(void **out), void (*destroy)(void *obj),
                         long min_allocs);
#endif /* VTEST_NO_CMOCKA */

#endif
