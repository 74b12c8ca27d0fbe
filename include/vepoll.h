/*
 * vepoll: Linux epoll semantics over a runtime's virtual objects.
 *
 * Every call returns 0 / a count on success and a negative errno value on
 * failure; none of them reads or writes errno.  See docs/API.md for the
 * man-page style reference and docs/ARCHITECTURE.md for the design.
 *
 * MIT licensed.
 */
#ifndef VEPOLL_H
#define VEPOLL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VEPOLL_VERSION_MAJOR 0
#define VEPOLL_VERSION_MINOR 1
#define VEPOLL_VERSION_PATCH 0

/* Event bits: Linux values, so Linux code ports unchanged. */
#define VEPOLL_IN        0x001u
#define VEPOLL_PRI       0x002u
#define VEPOLL_OUT       0x004u
#define VEPOLL_ERR       0x008u
#define VEPOLL_HUP       0x010u
#define VEPOLL_RDNORM    0x040u
#define VEPOLL_RDBAND    0x080u
#define VEPOLL_WRNORM    0x100u
#define VEPOLL_WRBAND    0x200u
#define VEPOLL_MSG       0x400u
#define VEPOLL_RDHUP     0x2000u
#define VEPOLL_EXCLUSIVE (1u << 28)
#define VEPOLL_WAKEUP    (1u << 29)
#define VEPOLL_ONESHOT   (1u << 30)
#define VEPOLL_ET        (1u << 31)

#define VEPOLL_CTL_ADD 1
#define VEPOLL_CTL_DEL 2
#define VEPOLL_CTL_MOD 3

typedef union vepoll_data {
    void *ptr;
    int fd;
    uint32_t u32;
    uint64_t u64;
} vepoll_data_t;

/* Natural layout: 16 bytes, data at offset 8 (as on every Linux target but
 * x86_64, and as on wasm32). */
struct vepoll_event {
    uint32_t events;
    vepoll_data_t data;
};

typedef struct vepoll vepoll_t;               /* one epoll instance */
typedef struct vepoll_source vepoll_source_t; /* one pollable object */

struct vepoll_stats {
    uint64_t enqueue_attempts;       /* hook calls that tried to queue a registration */
    uint64_t dedupe_hits;            /* ... that found it already queued or the bit pending */
    uint64_t stale_generation_drops; /* queue entries dropped because DEL/close made them stale */
    uint64_t empty_dequeues;         /* queue entries that had nothing to report at harvest */
};

/* ---- Instances ---------------------------------------------------------- */

int vepoll_create(vepoll_t **out);
int vepoll_close(vepoll_t *ep);
int vepoll_ctl(vepoll_t *ep, int op, int fd, vepoll_source_t *src,
               const struct vepoll_event *ev);
int vepoll_wait(vepoll_t *ep, struct vepoll_event *events, int maxevents,
                int64_t timeout_ns);
int vepoll_interrupt(vepoll_t *ep);
int vepoll_set_wakeup(vepoll_t *ep, void (*fn)(void *arg), void *arg);
vepoll_source_t *vepoll_as_source(vepoll_t *ep);

/* ---- Sources (the producer side) --------------------------------------- */

int vepoll_source_create(vepoll_source_t **out, uint32_t initial_ready);
void vepoll_source_update(vepoll_source_t *src, uint32_t set, uint32_t clear);
uint32_t vepoll_source_ready(const vepoll_source_t *src);
void vepoll_source_close(vepoll_source_t *src);

/* ---- Statistics --------------------------------------------------------- */

int vepoll_get_stats(const vepoll_t *ep, struct vepoll_stats *out);

/* ---- Additions to the fixed contract ------------------------------------ */

/*
 * Spin for up to spin_ns nanoseconds (polling the ready queue) before a
 * waiter of ep parks in the kernel.  0 (the default) parks at once.  Worth
 * it only when producers and the waiter run on different CPUs.
 * -EBADF if ep is NULL, -EINVAL if spin_ns < 0.
 */
int vepoll_set_spin(vepoll_t *ep, int64_t spin_ns);

/*
 * Process-wide limit on the number of registrations (Linux's
 * max_user_watches): an ADD beyond it fails with -ENOSPC.  0 (the default)
 * means no limit.  Lowering it below the current count only blocks new ADDs.
 */
void vepoll_set_max_watches(uint64_t max);

/*
 * The allocator every vepoll object comes from (SQLite-style).  alloc returns
 * NULL on failure; free receives the size that was allocated.  Pass NULL to
 * restore malloc/free.  -EBUSY while any vepoll object exists, -EINVAL if
 * alloc or free is NULL.  The producer hook never calls it.
 */
struct vepoll_allocator {
    void *(*alloc)(void *ctx, size_t size);
    void (*free)(void *ctx, void *ptr, size_t size);
    void *ctx;
};
int vepoll_set_allocator(const struct vepoll_allocator *a);

/* ---- Per-thread interruption (Linux's signal_pending) -------------------- */

/*
 * A handle a runtime gives each thread that may block in vepoll (a guest
 * thread), so a signal can interrupt that thread alone, as Linux delivers
 * signals to threads.  While the handle is pending, the bound thread's
 * blocking calls -- vepoll_wait, the ready-made objects' blocking read and
 * write, and everything built on them (the WASIX adapter's epoll_wait, read,
 * write, poll) -- return -EINTR instead of sleeping, and one that is asleep
 * wakes up and returns -EINTR.  Events or bytes already there are returned
 * rather than -EINTR (as Linux's ep_poll and pipe_read do); a write that
 * has moved bytes returns their count; an interrupted call consumes nothing.
 * The state stays pending until vepoll_intr_clear (the runtime clears it
 * once it has delivered the signal), so a raise is never lost, even one that
 * races the thread's entry into a blocking call.
 *
 * vepoll_intr_raise, vepoll_intr_clear and vepoll_intr_pending are
 * async-signal-safe and lock-free: call them from a signal handler or from
 * any thread.  With the futex parking back end (Linux) a raise wakes the
 * bound thread at once; with the condition-variable back end it cannot
 * touch the condition variable from a signal handler, so a bound thread
 * sleeps in slices of at most 10 ms and notices a raise within that time.
 * docs/API.md has the full list of async-signal-safe calls.
 *
 * bind: the calling thread's blocking calls watch h from now on (one handle
 * per thread; NULL unbinds; -EBUSY if h is bound to another thread).
 * destroy: -EBUSY while bound.  -EINVAL for a NULL handle elsewhere.
 */
typedef struct vepoll_intr vepoll_intr_t;
int vepoll_intr_create(vepoll_intr_t **out);
int vepoll_intr_destroy(vepoll_intr_t *h);
int vepoll_intr_bind(vepoll_intr_t *h);
int vepoll_intr_raise(vepoll_intr_t *h);
int vepoll_intr_clear(vepoll_intr_t *h);
/* 1 while raised and not cleared, else 0 (0 for NULL). */
int vepoll_intr_pending(const vepoll_intr_t *h);

#ifdef __cplusplus
}
#endif

#endif /* VEPOLL_H */
