/*
 * mutexq: Wasmer's epoll design in C (the contract and the deviations are in
 * mutexq.h).  Orderings follow the Rust code: fetch_or/swap AcqRel, CAS
 * AcqRel/Acquire, enqueued cleared with Release, generation read Acquire,
 * metrics Relaxed; Arc clone is a Relaxed increment, Arc drop a Release
 * decrement with an Acquire fence before freeing.
 */
#include "mutexq.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "futex.h"

/* ---- allocation (counted for scenario 8) ------------------------------- */

_Atomic long mq_live_bytes;

static void *mq_alloc(size_t n)
{
    void *p = calloc(1, n);
    if (p)
        atomic_fetch_add_explicit(&mq_live_bytes, (long)n, memory_order_relaxed);
    return p;
}

static void mq_free(void *p, size_t n)
{
    if (!p)
        return;
    atomic_fetch_sub_explicit(&mq_live_bytes, (long)n, memory_order_relaxed);
    free(p);
}

/* ---- Rust std::sync::Mutex (futex) -------------------------------------- */

enum { M_UNLOCKED, M_LOCKED, M_CONTENDED };

static uint32_t mutex_spin(struct mq_mutex *m)
{
    int spin = 100;
    for (;;) {
        uint32_t s = atomic_load_explicit(&m->futex, memory_order_relaxed);
        if (s != M_LOCKED || spin == 0)
            return s;
        __builtin_ia32_pause();
        spin--;
    }
}

static void __attribute__((noinline)) mutex_lock_contended(struct mq_mutex *m)
{
    uint32_t s = mutex_spin(m);
    if (s == M_UNLOCKED) {
        uint32_t exp = M_UNLOCKED;
        if (atomic_compare_exchange_strong_explicit(&m->futex, &exp, M_LOCKED,
                                                    memory_order_acquire,
                                                    memory_order_relaxed))
            return;
        s = exp;
    }
    for (;;) {
        if (s != M_CONTENDED &&
            atomic_exchange_explicit(&m->futex, M_CONTENDED,
                                     memory_order_acquire) == M_UNLOCKED)
            return;
        futex_wait(&m->futex, M_CONTENDED, NULL);
        s = mutex_spin(m);
    }
}

static inline void mq_lock(struct mq_mutex *m)
{
    uint32_t exp = M_UNLOCKED;
    if (!atomic_compare_exchange_strong_explicit(&m->futex, &exp, M_LOCKED,
                                                 memory_order_acquire,
                                                 memory_order_relaxed))
        mutex_lock_contended(m);
    /* MutexGuard::new checks the poison flag. */
    (void)*(volatile uint8_t *)&m->poisoned;
}

static inline void mq_unlock(struct mq_mutex *m)
{
    if (atomic_exchange_explicit(&m->futex, M_UNLOCKED, memory_order_release) ==
        M_CONTENDED)
        futex_wake(&m->futex, 1);
}

/* ---- tokio::sync::Notify (notify_one / notified) ------------------------ */

enum { N_EMPTY, N_WAITING, N_NOTIFIED };

struct mq_waiter {
    struct mq_waiter *next, *prev;
    _Atomic uint32_t notified;
};

static void notify_one(struct mq_notify *n)
{
    uint32_t s = atomic_load(&n->state);
    struct mq_waiter *w;
    while (s == N_EMPTY || s == N_NOTIFIED)
        if (atomic_compare_exchange_weak(&n->state, &s, N_NOTIFIED))
            return;
    mq_lock(&n->mu);
    s = atomic_load(&n->state);
    if (s != N_WAITING) {
        atomic_store(&n->state, N_NOTIFIED);
        mq_unlock(&n->mu);
        return;
    }
    w = n->head;
    n->head = w->next;
    if (n->head)
        n->head->prev = NULL;
    else {
        n->tail = NULL;
        atomic_store(&n->state, N_EMPTY);
    }
    atomic_store_explicit(&w->notified, 1, memory_order_release);
    mq_unlock(&n->mu);
    /* After the unlock, as tokio wakes the waker; a stale address only
     * causes a spurious wake-up, which every futex wait here tolerates. */
    futex_wake(&w->notified, 1);
}

/* 0 when notified (or a stored permit was consumed), -ETIMEDOUT. */
static int notified(struct mq_notify *n, const struct timespec *deadline)
{
    uint32_t s = atomic_load(&n->state);
    struct mq_waiter w;
    if (s == N_NOTIFIED &&
        atomic_compare_exchange_strong(&n->state, &s, N_EMPTY))
        return 0;
    memset(&w, 0, sizeof(w));
    mq_lock(&n->mu);
    /* A CAS, as tokio's: notify_one moves EMPTY to NOTIFIED without the
     * lock, so a plain store of WAITING could overwrite that permit (the
     * lost wake-up that hung scenario 5). */
    s = atomic_load(&n->state);
    for (;;) {
        if (s == N_NOTIFIED) {
            if (!atomic_compare_exchange_weak(&n->state, &s, N_EMPTY))
                continue;
            mq_unlock(&n->mu);
            return 0;
        }
        if (atomic_compare_exchange_weak(&n->state, &s, N_WAITING))
            break;
    }
    w.prev = n->tail;
    if (n->tail)
        n->tail->next = &w;
    else
        n->head = &w;
    n->tail = &w;
    mq_unlock(&n->mu);
    for (;;) {
        struct timespec now;
        if (atomic_load_explicit(&w.notified, memory_order_acquire))
            return 0;
        futex_wait(&w.notified, 0, deadline);
        if (atomic_load_explicit(&w.notified, memory_order_acquire))
            return 0;
        if (!deadline)
            continue;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec < deadline->tv_sec ||
            (now.tv_sec == deadline->tv_sec && now.tv_nsec < deadline->tv_nsec))
            continue;
        mq_lock(&n->mu);
        if (atomic_load(&w.notified)) {
            mq_unlock(&n->mu);
            return 0;
        }
        if (w.prev)
            w.prev->next = w.next;
        else
            n->head = w.next;
        if (w.next)
            w.next->prev = w.prev;
        else
            n->tail = w.prev;
        if (!n->head)
            atomic_store(&n->state, N_EMPTY);
        mq_unlock(&n->mu);
        return -ETIMEDOUT;
    }
}

/* ---- Arc, EpollSubState, EpollHandler ---------------------------------- */

#define R_BIT 1u
#define W_BIT 2u
#define HUP_BIT 4u
#define ERR_BIT 8u

struct mq_epoll_fd { /* EpollFd, in Rust's field order after layout */
    uint64_t ptr;
    uint64_t data2;
    uint32_t events;
    uint32_t fd;
    uint32_t data1;
};

struct mq_sub { /* ArcInner<EpollSubState> */
    _Atomic size_t strong, weak;
    struct mq_mutex meta_mu;
    struct mq_epoll_fd meta;
    struct mq_mutex joins_mu;
    void **joins; /* Vec<EpollJoinGuard>: ptr, cap, len */
    size_t joins_cap, joins_len;
    _Atomic uint64_t generation;
    _Atomic uint8_t pending_bits;
    _Atomic bool enqueued;
};

struct mq_handler { /* Box<EpollHandler> */
    uint32_t fd;
    struct mq_state *ep;
    struct mq_sub *sub;
};

size_t mq_sub_size(void)
{
    return sizeof(struct mq_sub);
}

size_t mq_handler_size(void)
{
    return sizeof(struct mq_handler);
}

static _Atomic uint64_t m_attempts, m_dedupe, m_stale, m_empty;

static inline void metric(const struct mq_state *ep, _Atomic uint64_t *c)
{
    if (ep->metrics)
        atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

static inline void sub_clone(struct mq_sub *s)
{
    atomic_fetch_add_explicit(&s->strong, 1, memory_order_relaxed);
}

static void sub_drop(struct mq_sub *s)
{
    if (atomic_fetch_sub_explicit(&s->strong, 1, memory_order_release) != 1)
        return;
    atomic_thread_fence(memory_order_acquire);
    mq_free(s->joins, s->joins_cap * sizeof(*s->joins));
    mq_free(s, sizeof(*s));
}

static inline void state_clone(struct mq_state *ep)
{
    atomic_fetch_add_explicit(&ep->strong, 1, memory_order_relaxed);
}

static void state_drop(struct mq_state *ep)
{
    if (atomic_fetch_sub_explicit(&ep->strong, 1, memory_order_release) != 1)
        return;
    atomic_thread_fence(memory_order_acquire);
    mq_free(ep->subs.keys, ep->subs.cap * sizeof(*ep->subs.keys));
    mq_free(ep->subs.vals, ep->subs.cap * sizeof(*ep->subs.vals));
    mq_free(ep->subs.ctrl, ep->subs.cap);
    mq_free(ep->ready.buf, ep->ready.cap * sizeof(*ep->ready.buf));
    mq_free(ep, sizeof(*ep));
}

/* ---- VecDeque<ReadyItem> ------------------------------------------------ */

static int deque_push_back(struct mq_deque *d, struct mq_item it)
{
    if (d->len == d->cap) {
        size_t ncap = d->cap ? d->cap * 2 : 4, i;
        struct mq_item *nb = mq_alloc(ncap * sizeof(*nb));
        if (!nb)
            return -ENOMEM;
        for (i = 0; i < d->len; i++)
            nb[i] = d->buf[(d->head + i) & (d->cap - 1)];
        mq_free(d->buf, d->cap * sizeof(*d->buf));
        d->buf = nb;
        d->cap = ncap;
        d->head = 0;
    }
    d->buf[(d->head + d->len) & (d->cap - 1)] = it;
    d->len++;
    return 0;
}

static bool deque_pop_front(struct mq_deque *d, struct mq_item *out)
{
    if (!d->len)
        return false;
    *out = d->buf[d->head];
    d->head = (d->head + 1) & (d->cap - 1);
    d->len--;
    return true;
}

/* ---- FnvHashMap<u32, Arc<EpollSubState>> -------------------------------- */

static uint64_t fnv_u32(uint32_t k)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    int i;
    for (i = 0; i < 4; i++) { /* write_u32 hashes the native-endian bytes */
        h ^= (k >> (8 * i)) & 0xff;
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

static struct mq_sub *map_get(const struct mq_map *m, uint32_t k)
{
    size_t i;
    if (!m->count)
        return NULL;
    for (i = fnv_u32(k) & (m->cap - 1); m->ctrl[i]; i = (i + 1) & (m->cap - 1))
        if (m->keys[i] == k)
            return m->vals[i];
    return NULL;
}

static void map_place(struct mq_map *m, uint32_t k, struct mq_sub *v)
{
    size_t i = fnv_u32(k) & (m->cap - 1);
    while (m->ctrl[i])
        i = (i + 1) & (m->cap - 1);
    m->ctrl[i] = 1;
    m->keys[i] = k;
    m->vals[i] = v;
}

static int map_insert(struct mq_map *m, uint32_t k, struct mq_sub *v)
{
    if ((m->count + 1) * 8 > m->cap * 7) { /* hashbrown: load <= 7/8 */
        struct mq_map n;
        size_t i;
        n.cap = m->cap ? m->cap * 2 : 4;
        n.count = m->count;
        n.keys = mq_alloc(n.cap * sizeof(*n.keys));
        n.vals = mq_alloc(n.cap * sizeof(*n.vals));
        n.ctrl = mq_alloc(n.cap);
        if (!n.keys || !n.vals || !n.ctrl) {
            mq_free(n.keys, n.cap * sizeof(*n.keys));
            mq_free(n.vals, n.cap * sizeof(*n.vals));
            mq_free(n.ctrl, n.cap);
            return -ENOMEM;
        }
        for (i = 0; i < m->cap; i++)
            if (m->ctrl[i])
                map_place(&n, m->keys[i], m->vals[i]);
        mq_free(m->keys, m->cap * sizeof(*m->keys));
        mq_free(m->vals, m->cap * sizeof(*m->vals));
        mq_free(m->ctrl, m->cap);
        *m = n;
    }
    map_place(m, k, v);
    m->count++;
    return 0;
}

static struct mq_sub *map_remove(struct mq_map *m, uint32_t k)
{
    size_t mask = m->cap - 1, i, j;
    struct mq_sub *v;
    if (!m->count)
        return NULL;
    for (i = fnv_u32(k) & mask; m->ctrl[i]; i = (i + 1) & mask)
        if (m->keys[i] == k)
            break;
    if (!m->ctrl[i])
        return NULL;
    v = m->vals[i];
    for (j = (i + 1) & mask; m->ctrl[j]; j = (j + 1) & mask) {
        size_t home = fnv_u32(m->keys[j]) & mask;
        if (((j - home) & mask) >= ((j - i) & mask)) {
            m->keys[i] = m->keys[j];
            m->vals[i] = m->vals[j];
            i = j;
        }
    }
    m->ctrl[i] = 0;
    m->count--;
    return v;
}

/* ---- producer ----------------------------------------------------------- */

static void enqueue_ready(struct mq_state *ep, uint32_t fd, uint64_t gen)
{
    struct mq_item it = {fd, gen};
    int rc;
    mq_lock(&ep->ready_mu);
    rc = deque_push_back(&ep->ready, it);
    mq_unlock(&ep->ready_mu);
    if (rc == 0)
        notify_one(&ep->notify);
}

static bool mark_enqueued(struct mq_sub *s)
{
    bool exp = false;
    return atomic_compare_exchange_strong_explicit(
        &s->enqueued, &exp, true, memory_order_acq_rel, memory_order_acquire);
}

static void push_interest(struct mq_handler *h, uint8_t bit)
{
    struct mq_sub *s = h->sub;
    metric(h->ep, &m_attempts);
    if (atomic_fetch_or_explicit(&s->pending_bits, bit, memory_order_acq_rel) &
        bit) {
        metric(h->ep, &m_dedupe);
        return;
    }
    if (!mark_enqueued(s)) {
        metric(h->ep, &m_dedupe);
        return;
    }
    enqueue_ready(h->ep, h->fd,
                  atomic_load_explicit(&s->generation, memory_order_acquire));
}

void mq_source_update(struct mq_source *src, uint32_t set, uint32_t clear)
{
    uint32_t old = atomic_load(&src->ready), nw;
    struct mq_handler *h;
    for (;;) {
        nw = (old & ~clear) | set;
        if (nw == old ||
            atomic_compare_exchange_weak(&src->ready, &old, nw))
            break;
    }
    h = atomic_load_explicit(&src->handler, memory_order_acquire);
    if (!h)
        return;
    if (set & VEPOLL_IN)
        push_interest(h, R_BIT);
    if (set & VEPOLL_OUT)
        push_interest(h, W_BIT);
    if (set & VEPOLL_HUP)
        push_interest(h, HUP_BIT);
    if (set & VEPOLL_ERR)
        push_interest(h, ERR_BIT);
}

/* ---- consumer ----------------------------------------------------------- */

static uint32_t bits_to_event(uint8_t bits, uint32_t mask)
{
    uint32_t ev = 0;
    if ((bits & R_BIT) && (mask & VEPOLL_IN))
        ev |= VEPOLL_IN;
    if ((bits & W_BIT) && (mask & VEPOLL_OUT))
        ev |= VEPOLL_OUT;
    if (bits & HUP_BIT)
        ev |= VEPOLL_HUP;
    if (bits & ERR_BIT)
        ev |= VEPOLL_ERR;
    return ev;
}

static void repair_after_drain(struct mq_state *ep, uint32_t fd,
                               struct mq_sub *s)
{
    if (atomic_load_explicit(&s->pending_bits, memory_order_acquire) != 0 &&
        mark_enqueued(s))
        enqueue_ready(ep, fd,
                      atomic_load_explicit(&s->generation, memory_order_acquire));
}

static int drain(struct mq_state *ep, struct vepoll_event *out, int maxevents)
{
    int n = 0;
    while (n < maxevents) {
        struct mq_item it;
        struct mq_sub *s;
        struct mq_epoll_fd meta;
        uint8_t bits;
        uint32_t ev;
        bool got;
        mq_lock(&ep->ready_mu);
        got = deque_pop_front(&ep->ready, &it);
        mq_unlock(&ep->ready_mu);
        if (!got)
            break;
        mq_lock(&ep->subs_mu);
        s = map_get(&ep->subs, it.fd);
        if (s)
            sub_clone(s);
        mq_unlock(&ep->subs_mu);
        if (!s) {
            metric(ep, &m_empty);
            continue;
        }
        if (atomic_load_explicit(&s->generation, memory_order_acquire) !=
            it.generation) {
            metric(ep, &m_stale);
            sub_drop(s);
            continue;
        }
        bits = atomic_exchange_explicit(&s->pending_bits, 0,
                                        memory_order_acq_rel);
        atomic_store_explicit(&s->enqueued, false, memory_order_release);
        if (bits) {
            mq_lock(&s->meta_mu);
            meta = s->meta;
            mq_unlock(&s->meta_mu);
            ev = bits_to_event(bits, meta.events);
            if (ev) {
                out[n].events = ev;
                out[n].data.u64 = meta.data2;
                n++;
            }
        }
        repair_after_drain(ep, it.fd, s);
        sub_drop(s);
    }
    return n;
}

int mq_wait(struct mq_state *ep, struct vepoll_event *events, int maxevents,
            int64_t timeout_ns)
{
    struct timespec dl, *dlp = NULL;
    if (timeout_ns > 0) {
        deadline_after(&dl, timeout_ns);
        dlp = &dl;
    }
    for (;;) {
        int n = drain(ep, events, maxevents);
        if (n || timeout_ns == 0)
            return n;
        if (notified(&ep->notify, dlp) == -ETIMEDOUT)
            return 0;
    }
}

/* ---- lifecycle and ctl --------------------------------------------------- */

int mq_create(struct mq_state **out, int metrics)
{
    struct mq_state *ep = mq_alloc(sizeof(*ep));
    if (!ep)
        return -ENOMEM;
    atomic_init(&ep->strong, 1);
    atomic_init(&ep->weak, 1);
    ep->metrics = metrics;
    *out = ep;
    return 0;
}

int mq_source_create(struct mq_source **out, uint32_t ready)
{
    struct mq_source *s = mq_alloc(sizeof(*s));
    if (!s)
        return -ENOMEM;
    atomic_init(&s->ready, ready);
    *out = s;
    return 0;
}

void mq_source_destroy(struct mq_source *s)
{
    mq_free(s, sizeof(*s));
}

int mq_ctl_add(struct mq_state *ep, uint32_t fd, struct mq_source *src,
               uint32_t events, uint64_t data)
{
    struct mq_sub *s;
    struct mq_handler *h;
    int rc;
    /* prepare_add: check and insert are two lock acquisitions. */
    mq_lock(&ep->subs_mu);
    s = map_get(&ep->subs, fd);
    mq_unlock(&ep->subs_mu);
    if (s)
        return -EEXIST;
    s = mq_alloc(sizeof(*s));
    h = mq_alloc(sizeof(*h));
    if (!s || !h)
        goto err;
    atomic_init(&s->strong, 1);
    atomic_init(&s->weak, 1);
    atomic_init(&s->generation, 1);
    s->meta.events = events | VEPOLL_HUP | VEPOLL_ERR;
    s->meta.fd = fd;
    s->meta.data2 = data;
    mq_lock(&ep->subs_mu);
    rc = map_insert(&ep->subs, fd, s);
    mq_unlock(&ep->subs_mu);
    if (rc)
        goto err;
    /* register_epoll_handler: the handler holds Arc clones of both. */
    h->fd = fd;
    h->ep = ep;
    h->sub = s;
    state_clone(ep);
    sub_clone(s);
    mq_lock(&src->mu);
    atomic_store_explicit(&src->handler, h, memory_order_release);
    mq_unlock(&src->mu);
    /* The join guard goes into sub.joins (a Vec: first push allocates 4). */
    mq_lock(&s->joins_mu);
    s->joins = mq_alloc(4 * sizeof(*s->joins));
    if (s->joins) {
        s->joins_cap = 4;
        s->joins[s->joins_len++] = src;
    }
    mq_unlock(&s->joins_mu);
    return 0;
err:
    mq_free(s, sizeof(*s));
    mq_free(h, sizeof(*h));
    return -ENOMEM;
}

/* detach_joins: dropping the guard removes the handler from its source. */
static void detach_joins(struct mq_sub *s)
{
    struct mq_source *src = NULL;
    struct mq_handler *h;
    mq_lock(&s->joins_mu);
    if (s->joins_len)
        src = s->joins[--s->joins_len];
    mq_unlock(&s->joins_mu);
    if (!src)
        return;
    mq_lock(&src->mu);
    h = atomic_exchange_explicit(&src->handler, NULL, memory_order_acq_rel);
    mq_unlock(&src->mu);
    if (h) {
        state_drop(h->ep);
        sub_drop(h->sub);
        mq_free(h, sizeof(*h));
    }
}

int mq_ctl_del(struct mq_state *ep, uint32_t fd, struct mq_source *src)
{
    struct mq_sub *s;
    (void)src; /* the key is the fd number, as in Wasmer */
    mq_lock(&ep->subs_mu);
    s = map_remove(&ep->subs, fd);
    mq_unlock(&ep->subs_mu);
    if (!s)
        return -ENOENT;
    detach_joins(s);
    sub_drop(s);
    return 0;
}

void mq_destroy(struct mq_state *ep)
{
    size_t i;
    for (i = 0; i < ep->subs.cap; i++) {
        if (ep->subs.ctrl[i]) {
            detach_joins(ep->subs.vals[i]);
            sub_drop(ep->subs.vals[i]);
            ep->subs.ctrl[i] = 0;
        }
    }
    ep->subs.count = 0;
    state_drop(ep);
}
