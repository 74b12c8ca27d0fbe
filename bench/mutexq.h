/*
 * mutexq: Wasmer's WASIX epoll design (wasmer-wasix `crate::os::epoll`;
 * docs/BENCHMARKS.md, "Baselines", describes it) re-implemented in C as the
 * benchmark baseline.  Same data structures, same locks, same atomics, same
 * steps per event:
 *
 *   EpollState     = mq_state: subscriptions Mutex<FnvHashMap<fd, Arc<Sub>>>,
 *                    ready Mutex<VecDeque<ReadyItem{fd, generation}>>,
 *                    notify (tokio::sync::Notify: notify_one / notified)
 *   EpollSubState  = mq_sub (an ArcInner: strong/weak counts), fd_meta
 *                    Mutex<EpollFd>, joins Mutex<Vec<guard>>, pending_bits
 *                    AtomicU8, enqueued AtomicBool, generation AtomicU64
 *   EpollHandler   = mq_handler {fd, Arc<EpollState>, Arc<Sub>} in the
 *                    source's single handler slot
 *   metrics        = process-wide AtomicU64 counters, fetch_add(Relaxed)
 *                    (a locked add on x86), switchable off for comparison
 *
 * Producer (push_interest, per readiness bit): attempts += 1; fetch_or the
 * bit into pending_bits (already set: dedupe hit, return); CAS enqueued
 * false->true (lost: dedupe hit); winner: lock ready, push_back, unlock,
 * notify_one.
 * Consumer (drain_ready_events): per item: lock ready + pop_front; lock the
 * map + clone the Arc; generation check; swap(pending_bits, 0); store
 * enqueued = false; clone fd_meta under its mutex; emit one coalesced event;
 * repair (pending != 0 and CAS enqueued wins: re-enqueue); drop the Arc.
 * Waiting: drain; empty -> notified() (consumes a stored permit, else parks
 * until notify_one), then drain again.
 *
 * Deviations, each in the baseline's favour: the source's readiness is the
 * same lock-free word vepoll's sources have (Wasmer's sources call
 * push_interest under their own mutex; here the producer reads the handler
 * slot without it, so the baseline's producer takes no source lock); the
 * result is written into the caller's array (Wasmer builds a Vec per call);
 * Rust std's futex mutex is used for every Mutex, as on Linux.  The handler
 * slot is only changed by ctl, never concurrently with producers, in the
 * benchmarks.
 *
 * Concurrency contract: mq_source_update from any thread; mq_wait from any
 * thread; mq_ctl_* from one thread at a time and not concurrently with
 * producers of the source being added/removed (the benchmarks never do).
 */
#ifndef VEPOLL_BENCH_MUTEXQ_H
#define VEPOLL_BENCH_MUTEXQ_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "vepoll.h"

/* Rust std::sync::Mutex on Linux (futex: 0 unlocked, 1 locked, 2 contended)
 * plus its poison flag. */
struct mq_mutex {
    _Atomic uint32_t futex;
    uint8_t poisoned;
};

struct mq_waiter;
struct mq_notify {
    _Atomic uint32_t state; /* EMPTY / WAITING / NOTIFIED */
    struct mq_mutex mu;     /* the waiter list */
    struct mq_waiter *head, *tail;
};

struct mq_item { /* ReadyItem */
    uint32_t fd;
    uint64_t generation;
};

struct mq_deque { /* VecDeque<ReadyItem> */
    struct mq_item *buf;
    size_t cap, head, len;
};

struct mq_map { /* FnvHashMap<u32, Arc<EpollSubState>> */
    uint32_t *keys;
    struct mq_sub **vals;
    uint8_t *ctrl; /* 1 = full (hashbrown keeps one control byte per slot) */
    size_t cap, count;
};

struct mq_state {
    _Atomic size_t strong, weak; /* ArcInner header */
    struct mq_mutex subs_mu;
    struct mq_map subs;
    struct mq_mutex ready_mu;
    struct mq_deque ready;
    struct mq_notify notify;
    int metrics; /* Wasmer's global counters on (1) or off (0) */
};

struct mq_source {
    _Atomic uint32_t ready;
    struct mq_handler *_Atomic handler; /* the single handler slot */
    struct mq_mutex mu;                 /* taken by ctl only (see above) */
};

/* Process-wide allocation counters (requested bytes), for scenario 8. */
extern _Atomic long mq_live_bytes;

int mq_create(struct mq_state **out, int metrics);
void mq_destroy(struct mq_state *ep);
int mq_source_create(struct mq_source **out, uint32_t ready);
void mq_source_destroy(struct mq_source *s);
/* events: VEPOLL_IN / VEPOLL_OUT (HUP and ERR are always tracked). */
int mq_ctl_add(struct mq_state *ep, uint32_t fd, struct mq_source *src,
               uint32_t events, uint64_t data);
int mq_ctl_del(struct mq_state *ep, uint32_t fd, struct mq_source *src);
void mq_source_update(struct mq_source *s, uint32_t set, uint32_t clear);
/* timeout_ns: 0 = poll, < 0 = forever.  Returns the number of events. */
int mq_wait(struct mq_state *ep, struct vepoll_event *events, int maxevents,
            int64_t timeout_ns);

/* Sizes of the per-registration allocations (scenario 8). */
size_t mq_sub_size(void);
size_t mq_handler_size(void);

#endif
