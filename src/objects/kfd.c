/*
 * Kernel-descriptor sources (include/vepoll_kfd.h): a vepoll source that
 * mirrors one real descriptor, watched in the core's kernel set
 * (vepoll_core.h, "the kernel wait").
 *
 * Concurrency contract
 * --------------------
 * - Slots.  Every kfd has a slot in a process-wide table that is never
 *   freed (chunks of SLOT_CHUNK slots, published with a release store); the
 *   key under which the kernel reports the descriptor is (slot index, slot
 *   generation, side).  The slot's mutex guards the kfd's mirror state
 *   (edges, stamp, closed, waiters) and every readiness change of its
 *   source.  The kernel-event handler finds the slot by index, locks it and
 *   accepts the event only if the slot still holds a kfd of that
 *   generation, so an event a pump took before the descriptor left the set
 *   (the kernel may hand it out right after our EPOLL_CTL_DEL) reaches no
 *   freed or reused object, and a reused descriptor number has another key.
 * - The mirror.  The descriptor is watched twice (the descriptor for the
 *   read side, a duplicate for the write side), edge-triggered, so a
 *   wake-up's key reaches only the side it concerns, as Linux filters
 *   wake-ups by key: a write-space wake-up does not post the readable bit
 *   to a registration that watches IN alone.  An event sets the bits the
 *   kernel reports (vepoll__source_publish, with the Linux wake-up key
 *   wake_key rebuilds: the kernel set reports readiness, not keys) and
 *   counts itself in `edges`.  Bits are only cleared by this file's I/O
 *   calls, under the slot lock: after a call whose answer proves a bit gone
 *   (EAGAIN; a short read of a pipe or stream socket) the bit is cleared if
 *   `edges` did not move since before the call (the ticket); otherwise, and
 *   after a call that proves nothing (a full write; a write's EAGAIN on
 *   anything but a socket: an eventfd refuses a value that does not fit yet
 *   stays writable for a smaller one), the kernel is asked
 *   with poll under the lock and what it does not report is cleared.  A bit
 *   that becomes ready after that look comes with a new kernel event, which
 *   needs the lock and so is applied after the clear: nothing is lost.
 * - Stale events.  A pump may take an event (the kernel polls the
 *   descriptor then) and apply it after our I/O drained the descriptor.
 *   Every clear records the pump number it saw after its syscall
 *   (vepoll__kernel_stamp, a store-load pair with the pump's number, see
 *   kwait.h); an event from a pump whose number is not above that stamp may
 *   predate the clear and is checked with poll before it sets anything.
 * - Lifetime.  `refs` counts the open kfd plus calls in progress; the
 *   descriptor is closed and the memory freed by whoever drops the last
 *   one, so no call ever uses a closed descriptor number.  Close marks the
 *   kfd closed under the lock (no bit changes after it), interrupts the
 *   blocked calls (their private instances), takes the descriptor out of
 *   the kernel set, waits until no call is inside a blocking wait (those
 *   have the source registered), and closes the source.
 * - A blocking call waits on a private vepoll instance that watches the
 *   source, so it sleeps in the kernel set like any waiter (kpark.h) and
 *   wakes on the thread's vepoll_intr handle.
 * - errno is saved and restored around every syscall.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <atomic_ops.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vepoll_core.h"
#include "vepoll_kfd.h"
#include "vepoll_objects.h"

#define SLOT_CHUNK 256u
#define SLOT_CHUNKS 4096u
#define NO_SLOT UINT32_MAX
#define GEN_MASK ((1u << 30) - 1)

#define IN_SIDE (EPOLLIN | EPOLLPRI | EPOLLRDNORM | EPOLLRDBAND | EPOLLRDHUP)
#define OUT_SIDE (EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND)
#define ALL_BITS (IN_SIDE | OUT_SIDE | EPOLLERR | EPOLLHUP)
#define READ_BITS (VEPOLL_IN | VEPOLL_RDNORM)
#define WRITE_BITS (VEPOLL_OUT | VEPOLL_WRNORM | VEPOLL_WRBAND)
#define EOF_BITS (VEPOLL_RDHUP | VEPOLL_HUP)

_Static_assert(EPOLLIN == VEPOLL_IN && EPOLLOUT == VEPOLL_OUT && EPOLLRDHUP == VEPOLL_RDHUP &&
                   EPOLLWRBAND == VEPOLL_WRBAND && POLLRDHUP == VEPOLL_RDHUP,
               "the kernel's bits are vepoll's");

struct kslot {
    pthread_mutex_t mu;
    uint32_t gen;
    uint32_t next_free;
    struct vepoll_kfd *k; /* NULL: free, or its kfd closed */
};

/* A call blocked in wait_ready: its private instance, for close to wake. */
struct kwaiter {
    vepoll_t *ep;
    struct kwaiter *next;
};

struct vepoll_kfd {
    struct kslot *slot;
    uint32_t idx;
    int fd, dupfd, flags;
    int stream;   /* a pipe or stream socket: a short read means drained */
    int sock;     /* a socket: recv/send, MSG_NOSIGNAL */
    int blocking; /* not O_NONBLOCK: poll before each I/O call */
    vepoll_source_t *src;
    AO_t refs;    /* 1 while open, + calls in progress */
    AO_t edges;       /* kernel events applied (written under slot->mu;
                       * read without it for a ticket) */
    /* Under slot->mu: */
    uint64_t stamp;   /* highest pump number seen by a clear */
    int closed;
    unsigned nwait;   /* calls inside wait_ready */
    struct kwaiter *waiters;
    pthread_cond_t drained; /* nwait reached 0 after close */
};

/* ---- errno-preserving syscalls -------------------------------------------- */

/* The result of a syscall returning -1/errno as a negative errno; errno is
 * put back to what the caller had. */
#define SYS(call, saved) ((call) < 0 ? sys_fail(saved) : 0)
static long sys_fail(int saved)
{
    long e = -errno;
    errno = saved;
    return e;
}

static long sys_ret(long r, int saved)
{
    if (r < 0)
        return sys_fail(saved);
    errno = saved;
    return r;
}

/* The kernel's readiness now, in vepoll bits (ERR and HUP included). */
static uint32_t poll_now(int fd)
{
    struct pollfd p = {fd, (short)(ALL_BITS & 0xffff), 0};
    int saved = errno;
    uint32_t r = 0;
    if (poll(&p, 1, 0) == 1)
        r = (uint32_t)(unsigned short)p.revents & ALL_BITS;
    errno = saved;
    return r;
}

/* ---- the slot table ----------------------------------------------------------- */

static AO_t chunks[SLOT_CHUNKS];
static pthread_mutex_t slots_mu = PTHREAD_MUTEX_INITIALIZER;
static uint32_t nslots, free_head = NO_SLOT;

static struct kslot *slot_at(uint32_t idx)
{
    struct kslot *c = (struct kslot *)AO_load_acquire(&chunks[idx / SLOT_CHUNK]);
    return c ? &c[idx % SLOT_CHUNK] : NULL;
}

/* A free slot for k (its generation already moved past every old key). */
static int slot_take(struct vepoll_kfd *k)
{
    uint32_t idx;
    int rc = 0;
    pthread_mutex_lock(&slots_mu);
    if (free_head != NO_SLOT) {
        idx = free_head;
        free_head = slot_at(idx)->next_free;
    } else if (nslots == SLOT_CHUNK * SLOT_CHUNKS) {
        rc = -ENFILE;
    } else {
        idx = nslots;
        if (idx % SLOT_CHUNK == 0) {
            /* Process infrastructure like the kernel set: never freed (a
             * late event may look a slot up at any time), so not from the
             * vepoll allocator, which must see every block come back. */
            struct kslot *c = calloc(SLOT_CHUNK, sizeof(*c));
            uint32_t i;
            if (!c) {
                rc = -ENOMEM;
                goto out;
            }
            for (i = 0; i < SLOT_CHUNK; i++)
                pthread_mutex_init(&c[i].mu, NULL);
            AO_store_release(&chunks[idx / SLOT_CHUNK], (AO_t)c);
        }
        nslots++;
    }
    if (!rc) {
        k->idx = idx;
        k->slot = slot_at(idx);
        pthread_mutex_lock(&k->slot->mu);
        k->slot->k = k;
        pthread_mutex_unlock(&k->slot->mu);
    }
out:
    pthread_mutex_unlock(&slots_mu);
    return rc;
}

/* Under the slot's lock: no event of the old generation is accepted any
 * more. */
static void slot_retire_locked(struct kslot *s)
{
    s->k = NULL;
    s->gen = (s->gen + 1) & GEN_MASK;
}

static void slot_give_back(uint32_t idx)
{
    pthread_mutex_lock(&slots_mu);
    slot_at(idx)->next_free = free_head;
    free_head = idx;
    pthread_mutex_unlock(&slots_mu);
}

static uint64_t key_of(const struct vepoll_kfd *k, int out_side)
{
    return ((uint64_t)k->slot->gen << 33) | ((uint64_t)out_side << 32) | k->idx;
}

/* ---- the mirror (under the slot lock) ------------------------------------------ */

static void lock(struct vepoll_kfd *k)
{
    pthread_mutex_lock(&k->slot->mu);
}

static void unlock(struct vepoll_kfd *k)
{
    pthread_mutex_unlock(&k->slot->mu);
}

static void note_stamp_locked(struct vepoll_kfd *k, uint64_t stamp)
{
    if (stamp > k->stamp)
        k->stamp = stamp;
}

/* Asks the kernel and clears what it does not report. */
static void refresh_locked(struct vepoll_kfd *k)
{
    uint32_t now = poll_now(k->fd);
    note_stamp_locked(k, vepoll__kernel_stamp());
    vepoll_source_update(k->src, 0, ALL_BITS & ~now);
}

/* `bits` proven not ready by a call that started at `ticket`. */
static void clear_locked(struct vepoll_kfd *k, uint64_t ticket, uint32_t bits)
{
    if (k->closed)
        return;
    if (AO_load(&k->edges) != ticket) {
        refresh_locked(k); /* an event came meanwhile: ask */
        return;
    }
    note_stamp_locked(k, vepoll__kernel_stamp());
    vepoll_source_update(k->src, 0, bits);
}

/* The Linux wake-up key behind a kernel edge, which the kernel set does
 * not report (it reports what is ready): registrations are woken by the
 * key, as Linux's ep_poll_callback filters them.  The edge's own bits are
 * the base (a second write to a pipe wakes its ET readers again).  An
 * edge that carries HUP/RDHUP/ERR comes from a state change (no data
 * arrives after a hang-up; sk_state_change, pipe_release: key 0,
 * everyone); data on a
 * socket is sock_def_readable's IN|PRI|RDNORM|RDBAND; write space on a
 * socket is OUT|WRNORM|WRBAND (a state change that leaves every bit as it
 * was looks the same from here: docs/DIFFTEST.md); a pipe or an eventfd
 * wakes with the bits it makes ready. */
static uint32_t wake_key(const struct vepoll_kfd *k, int out_side, uint32_t events)
{
    uint32_t key = events;
    if (key & (EPOLLHUP | EPOLLRDHUP | EPOLLERR))
        return VEPOLL__KEY_ALL;
    if (!k->sock)
        return key;
    if (out_side)
        return key | EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;
    return key | EPOLLIN | EPOLLPRI | EPOLLRDNORM | EPOLLRDBAND;
}

static void on_kernel_event(uint64_t key, uint32_t events, uint64_t stamp)
{
    struct kslot *s = slot_at((uint32_t)key);
    struct vepoll_kfd *k;
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    k = s->k;
    if (k && s->gen == (uint32_t)(key >> 33)) {
        if (k->stamp >= stamp)
            events &= poll_now(k->fd); /* maybe from before a clear: ask */
        /* The write side's registration also reports ERR/HUP/IN as they
         * stand, but it fires on write-space wake-ups, whose Linux key is
         * OUT alone: a registration watching HUP must not be woken by one
         * (the read side's registration gets every ERR/HUP wake-up too). */
        int out_side = (key >> 32) & 1;
        events &= out_side ? OUT_SIDE : ALL_BITS;
        if (events) {
            uint32_t cur = vepoll_source_ready(k->src);
            AO_store(&k->edges, AO_load(&k->edges) + 1);
            vepoll__source_publish(k->src, cur | events, wake_key(k, out_side, events));
        }
    }
    pthread_mutex_unlock(&s->mu);
}

/* ---- lifetime -------------------------------------------------------------------- */

static void kfd_free(struct vepoll_kfd *k)
{
    int saved = errno;
    close(k->dupfd);
    if (!(k->flags & VEPOLL_KFD_NOCLOSE))
        close(k->fd);
    errno = saved;
    pthread_cond_destroy(&k->drained);
    slot_give_back(k->idx);
    vepoll__free(k, sizeof(*k));
}

/* A call in progress: a reference, or -EBADF (NULL; or closed, seen
 * without the lock: a call must not start after close, see the header). */
static int enter(struct vepoll_kfd *k)
{
    if (!k)
        return -EBADF;
    AO_fetch_and_add1_full(&k->refs);
    return 0;
}

static void leave(struct vepoll_kfd *k)
{
    if (AO_fetch_and_sub1_full(&k->refs) == 1)
        kfd_free(k);
}

int vepoll_kfd_create(vepoll_kfd_t **out, int fd, int flags)
{
    struct vepoll_kfd *k;
    struct stat st;
    int saved = errno, rc, fl, type = 0;
    socklen_t tl = sizeof(type);
    if (!out || (flags & ~VEPOLL_KFD_NOCLOSE))
        return -EINVAL;
    if ((fl = fcntl(fd, F_GETFL)) < 0 || fstat(fd, &st) < 0)
        return (int)sys_fail(saved);
    k = vepoll__calloc(sizeof(*k));
    if (!k)
        return -ENOMEM;
    k->fd = fd;
    k->flags = flags;
    k->blocking = !(fl & O_NONBLOCK);
    k->sock = S_ISSOCK(st.st_mode);
    if (k->sock && getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) < 0)
        type = 0;
    k->stream = S_ISFIFO(st.st_mode) || (k->sock && type == SOCK_STREAM);
    errno = saved;
    AO_store(&k->refs, 1);
    if ((rc = -pthread_cond_init(&k->drained, NULL)))
        goto fail_free;
    k->dupfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (k->dupfd < 0) {
        rc = (int)sys_fail(saved);
        goto fail_cond;
    }
    if ((rc = vepoll_source_create(&k->src, 0)))
        goto fail_dup;
    vepoll__source_mark_kernel(k->src);
    if ((rc = slot_take(k)))
        goto fail_src;
    rc = vepoll__kernel_watch(fd, IN_SIDE, key_of(k, 0), on_kernel_event);
    if (!rc && (rc = vepoll__kernel_watch(k->dupfd, OUT_SIDE, key_of(k, 1), on_kernel_event)))
        vepoll__kernel_unwatch(fd);
    if (rc)
        goto fail_slot;
    *out = k;
    return 0;
fail_slot:
    lock(k);
    slot_retire_locked(k->slot);
    unlock(k);
    slot_give_back(k->idx);
fail_src:
    vepoll_source_close(k->src);
fail_dup:
    close(k->dupfd);
    errno = saved;
fail_cond:
    pthread_cond_destroy(&k->drained);
fail_free:
    vepoll__free(k, sizeof(*k));
    return rc;
}

vepoll_source_t *vepoll_kfd_source(vepoll_kfd_t *k)
{
    vepoll_source_t *src;
    if (!k)
        return NULL;
    lock(k);
    src = k->closed ? NULL : k->src;
    unlock(k);
    return src;
}

int vepoll_kfd_fd(vepoll_kfd_t *k)
{
    int fd;
    if (!k)
        return -EBADF;
    lock(k);
    fd = k->closed ? -EBADF : k->fd;
    unlock(k);
    return fd;
}

int vepoll_kfd_close(vepoll_kfd_t *k)
{
    struct kwaiter *w;
    if (!k)
        return -EBADF;
    lock(k);
    if (k->closed) {
        unlock(k);
        return -EBADF;
    }
    k->closed = 1; /* no bit changes from here on */
    slot_retire_locked(k->slot);
    for (w = k->waiters; w; w = w->next)
        vepoll_interrupt(w->ep);
    unlock(k);
    /* Out of the kernel set before the number can be reused (kfd_free
     * closes it once no call uses it). */
    vepoll__kernel_unwatch(k->fd);
    vepoll__kernel_unwatch(k->dupfd);
    lock(k);
    while (k->nwait) /* they have the source registered */
        pthread_cond_wait(&k->drained, &k->slot->mu);
    unlock(k);
    vepoll_source_close(k->src);
    leave(k);
    return 0;
}

/* ---- blocking ------------------------------------------------------------------------ */

static int64_t deadline_of(int64_t timeout_ns)
{
    return timeout_ns < 0 ? -1 : timeout_ns == 0 ? 0 : vepoll__deadline_ns(timeout_ns);
}

/* Sleeps until the source has one of `bits` (or ERR / HUP), the deadline
 * (absolute; never 0 here), the calling thread's interrupt or the close:
 * 0 (try again), -ETIMEDOUT, -EINTR, -EBADF, -ENOMEM. */
static int wait_ready(struct vepoll_kfd *k, uint32_t bits, int64_t deadline)
{
    struct vepoll_event ev, out;
    struct kwaiter w, **pp;
    int64_t left = -1;
    int rc, closed;
    if ((rc = vepoll_create(&w.ep)))
        return rc;
    lock(k);
    if (k->closed) {
        unlock(k);
        vepoll_close(w.ep);
        return -EBADF;
    }
    k->nwait++;
    w.next = k->waiters;
    k->waiters = &w;
    unlock(k);
    ev.events = bits;
    ev.data.u64 = 0;
    rc = vepoll_ctl(w.ep, VEPOLL_CTL_ADD, 0, k->src, &ev);
    if (!rc && deadline > 0 && (left = deadline - vepoll__now_ns()) <= 0)
        rc = -ETIMEDOUT;
    if (!rc) {
        rc = vepoll_wait(w.ep, &out, 1, left);
        rc = rc > 0 ? 0 : rc == 0 ? -ETIMEDOUT : rc;
    }
    lock(k);
    for (pp = &k->waiters; *pp != &w; pp = &(*pp)->next)
        ;
    *pp = w.next; /* close no longer interrupts it */
    unlock(k);
    vepoll_close(w.ep); /* while nwait still keeps the source */
    lock(k);
    closed = k->closed;
    if (!--k->nwait && closed)
        pthread_cond_broadcast(&k->drained);
    unlock(k);
    return closed ? -EBADF : rc;
}

/* ---- I/O ------------------------------------------------------------------------------- */

enum op { OP_READ, OP_WRITE, OP_RECV, OP_SEND };

/* One non-blocking attempt: bytes or a negative errno.  A descriptor that
 * is not O_NONBLOCK is asked with poll first (sockets get MSG_DONTWAIT). */
static ssize_t attempt(struct vepoll_kfd *k, enum op op, void *rbuf, const void *wbuf,
                       size_t len, int flags)
{
    int saved = errno, out = op == OP_WRITE || op == OP_SEND;
    if (k->sock) {
        int f = (flags & ~VEPOLL_MSG_WAITALL) | MSG_DONTWAIT;
        if (out)
            return sys_ret(send(k->fd, wbuf, len, f | MSG_NOSIGNAL), saved);
        return sys_ret(recv(k->fd, rbuf, len, f), saved);
    }
    if (op == OP_RECV || op == OP_SEND)
        return -ENOTSOCK;
    if (k->blocking &&
        !(poll_now(k->fd) & ((out ? VEPOLL_OUT : VEPOLL_IN) | VEPOLL_ERR | VEPOLL_HUP)))
        return -EAGAIN;
    if (out)
        return sys_ret(write(k->fd, wbuf, len), saved);
    return sys_ret(read(k->fd, rbuf, len), saved);
}

/* read(2) / write(2) of 0 bytes: the kernel's own answer, at once (0 on a
 * pipe or a socket, even one whose recv would wait or has a reset pending;
 * EINVAL on an eventfd), with nothing moved and no readiness learnt. */
static ssize_t attempt_empty(struct vepoll_kfd *k, enum op op, void *rbuf, const void *wbuf)
{
    int saved = errno;
    if (op == OP_READ)
        return sys_ret(read(k->fd, rbuf, 0), saved);
    if (k->sock)
        return sys_ret(send(k->fd, wbuf, 0, MSG_DONTWAIT | MSG_NOSIGNAL), saved);
    return sys_ret(write(k->fd, wbuf, 0), saved);
}

/* What the answer r of an attempt started at `ticket` tells about the
 * readiness (the contract at the top). */
static void settle(struct vepoll_kfd *k, uint64_t ticket, enum op op, ssize_t r, size_t len,
                   int flags)
{
    int out = op == OP_WRITE || op == OP_SEND;
    if (!len || (!out && (flags & VEPOLL_MSG_PEEK)) || (!out && r == 0))
        return; /* nothing moved, a peek, or EOF (IN stays): no change */
    lock(k);
    if (r == -EAGAIN && (!out || k->sock))
        clear_locked(k, ticket, out ? WRITE_BITS : READ_BITS);
    else if (!out && r > 0 && (size_t)r < len && k->stream &&
             !(vepoll_source_ready(k->src) & EOF_BITS))
        clear_locked(k, ticket, READ_BITS); /* a short read drained it */
    else if (!k->closed)
        refresh_locked(k);
    unlock(k);
}

static uint32_t op_bits(enum op op)
{
    return op == OP_WRITE || op == OP_SEND ? VEPOLL_OUT : VEPOLL_IN;
}

/* read / write / recv / send with the blocking rules of the header:
 * writes (and WAITALL receives) go on until len bytes, EOF, an error, the
 * timeout or an interrupt, and return what they moved if anything. */
static ssize_t xfer(struct vepoll_kfd *k, enum op op, void *rbuf, const void *wbuf, size_t len,
                    int flags, int64_t timeout_ns)
{
    int whole = op == OP_WRITE || op == OP_SEND || (op == OP_RECV && (flags & VEPOLL_MSG_WAITALL));
    int64_t deadline;
    size_t done = 0;
    ssize_t r;
    int rc = enter(k);
    if (rc)
        return rc;
    if (!len && (op == OP_READ || op == OP_WRITE)) {
        r = attempt_empty(k, op, rbuf, wbuf);
        leave(k);
        return r;
    }
    if (flags & VEPOLL_MSG_DONTWAIT)
        timeout_ns = 0;
    deadline = deadline_of(timeout_ns);
    for (;;) {
        uint64_t ticket = AO_load(&k->edges);
        size_t want = len - done;
        r = attempt(k, op, rbuf ? (char *)rbuf + done : NULL, wbuf ? (const char *)wbuf + done : NULL,
                    want, flags);
        settle(k, ticket, op, r, want, flags);
        if (r > 0) {
            done += (size_t)r;
            if (!whole || done == len || (flags & VEPOLL_MSG_PEEK))
                break;
            continue;
        }
        if (r != -EAGAIN || !deadline)
            break;
        rc = wait_ready(k, op_bits(op), deadline);
        if (rc) {
            r = rc == -ETIMEDOUT ? -EAGAIN : rc;
            break;
        }
    }
    leave(k);
    if (done && (r >= 0 || r == -EAGAIN || r == -EINTR || r == -EBADF || whole))
        return (ssize_t)done;
    return r;
}

ssize_t vepoll_kfd_read(vepoll_kfd_t *k, void *buf, size_t len, int64_t timeout_ns)
{
    return xfer(k, OP_READ, buf, NULL, len, 0, timeout_ns);
}

ssize_t vepoll_kfd_write(vepoll_kfd_t *k, const void *buf, size_t len, int64_t timeout_ns)
{
    return xfer(k, OP_WRITE, NULL, buf, len, 0, timeout_ns);
}

ssize_t vepoll_kfd_recv(vepoll_kfd_t *k, void *buf, size_t len, int flags, int64_t timeout_ns)
{
    return xfer(k, OP_RECV, buf, NULL, len, flags, timeout_ns);
}

ssize_t vepoll_kfd_send(vepoll_kfd_t *k, const void *buf, size_t len, int flags,
                        int64_t timeout_ns)
{
    return xfer(k, OP_SEND, NULL, buf, len, flags, timeout_ns);
}

int vepoll_kfd_accept(vepoll_kfd_t *k, struct sockaddr *addr, socklen_t *addrlen,
                      int64_t timeout_ns)
{
    int64_t deadline = deadline_of(timeout_ns);
    int saved = errno, rc = enter(k), fd;
    if (rc)
        return rc;
    for (;;) {
        uint64_t ticket = AO_load(&k->edges);
        fd = (int)sys_ret(accept4(k->fd, addr, addrlen, SOCK_NONBLOCK | SOCK_CLOEXEC), saved);
        lock(k);
        if (fd == -EAGAIN)
            clear_locked(k, ticket, READ_BITS);
        else if (!k->closed)
            refresh_locked(k); /* another connection may wait */
        unlock(k);
        if (fd != -EAGAIN || !deadline)
            break;
        if ((rc = wait_ready(k, VEPOLL_IN, deadline))) {
            fd = rc == -ETIMEDOUT ? -EAGAIN : rc;
            break;
        }
    }
    leave(k);
    return fd;
}

int vepoll_kfd_connect(vepoll_kfd_t *k, const struct sockaddr *addr, socklen_t addrlen,
                       int64_t timeout_ns)
{
    int64_t deadline = deadline_of(timeout_ns);
    int saved = errno, rc = enter(k);
    if (rc)
        return rc;
    rc = (int)SYS(connect(k->fd, addr, addrlen), saved);
    lock(k);
    if (!k->closed)
        refresh_locked(k); /* the state changed: an unconnected socket's HUP goes */
    unlock(k);
    while (rc == -EINPROGRESS && deadline) {
        if (poll_now(k->fd) & (VEPOLL_OUT | VEPOLL_ERR | VEPOLL_HUP)) {
            /* Done: connect again, as Linux's blocking connect finishes
             * (0 marks the socket connected, so a later connect is
             * EISCONN; a failed one gives the connection's error). */
            rc = (int)SYS(connect(k->fd, addr, addrlen), saved);
            if (rc == -EALREADY)
                rc = -EINPROGRESS;
            continue;
        }
        if ((rc = wait_ready(k, VEPOLL_OUT, deadline)) == 0)
            rc = -EINPROGRESS;
        else if (rc == -ETIMEDOUT)
            rc = -EAGAIN;
    }
    leave(k);
    return rc;
}

int vepoll_kfd_shutdown(vepoll_kfd_t *k, int how)
{
    int saved = errno, rc = enter(k);
    if (rc)
        return rc;
    rc = (int)SYS(shutdown(k->fd, how), saved);
    lock(k);
    if (!k->closed && !rc) {
        /* A state change, which Linux announces on this socket with key 0
         * (sk_state_change) even when no bit changes: the kernel set would
         * report nothing then, so the wake-up is published here, with the
         * readiness as the kernel has it now.  (The peer hears of it from
         * the kernel set.) */
        uint32_t now = poll_now(k->fd);
        note_stamp_locked(k, vepoll__kernel_stamp()); /* after the look, as a refresh */
        vepoll__source_publish(k->src, now, VEPOLL__KEY_ALL);
    }
    unlock(k);
    leave(k);
    return rc;
}

/* refresh_locked (refresh) or clear_locked (ticket, bits) on an open kfd:
 * 0, -EBADF. */
static int update_open(struct vepoll_kfd *k, int refresh, uint64_t ticket, uint32_t bits)
{
    int rc = enter(k);
    if (rc)
        return rc;
    lock(k);
    if (k->closed)
        rc = -EBADF;
    else if (refresh)
        refresh_locked(k);
    else
        clear_locked(k, ticket, bits & ALL_BITS);
    unlock(k);
    leave(k);
    return rc;
}

int vepoll_kfd_refresh(vepoll_kfd_t *k)
{
    return update_open(k, 1, 0, 0);
}

uint64_t vepoll_kfd_ticket(vepoll_kfd_t *k)
{
    return k ? AO_load(&k->edges) : 0;
}

int vepoll_kfd_note_eagain(vepoll_kfd_t *k, uint64_t ticket, uint32_t bits)
{
    return update_open(k, 0, ticket, bits);
}
