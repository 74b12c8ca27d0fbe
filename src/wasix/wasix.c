/*
 * The WASIX epoll ABI over vepoll: numbering, guest memory, and the guest
 * data kept per registration.  The same path serves vepoll_ext_v1's epoll
 * with Linux's event (VEPOLL_WASIX_LINUX32): only the event's layout and
 * bit translation (struct layout), the op numbers (op_of) and the errno of
 * a bad pointer (efault_of) differ.
 *
 * Contract.
 *  - Any thread may call any function; one vepoll_wasix_t serves one guest.
 *  - wx->mu serialises epoll_ctl calls, the side table, forget_source and
 *    close_epoll.  It is never held across a blocking call: epoll_wait
 *    takes it only after vepoll_wait returned, to translate cookies.  The
 *    table interface is called with wx->mu held (lookup) and without it
 *    (release, install_epoll), so a table whose release() may end in a final
 *    close (and so in forget_source) never deadlocks.  Lock order: wx->mu,
 *    then the built-in table's wx->tmu.  epoll_wait looks its instance up
 *    in the built-in table without wx->mu (its reference, or the owner
 *    thread's borrow for a wait(0), keeps the instance: wasix_table.c).
 *  - The side table.  WASIX guests give 24 bytes of data per registration
 *    (ptr, fd, data1, data2) and vepoll keeps one u64 cookie, so each
 *    registration owns a slot here, keyed by (ep, src, fd) like vepoll's own
 *    key, and the cookie is (slot generation << 32 | slot index).  A slot is
 *    freed by DEL, by forget_source(src) (the final close of the object,
 *    before its source is closed: every slot of src in every instance) and
 *    by close_epoll(ep) (its slots, and the slots of ep nested in other
 *    instances).  Those are exactly the events that end a vepoll
 *    registration, so nothing outlives its registration.
 *  - A wait that harvested a cookie whose slot was freed (and maybe reused)
 *    since sees a generation mismatch and drops the event: the registration
 *    ended while the event was in flight, as if DEL had come first.
 *  - Guest memory: every pointer is checked against (base, size) with
 *    64-bit arithmetic before anything is done, all reads and writes use
 *    memcpy (no alignment assumed), and results are written only once the
 *    call can no longer fail.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vepoll_core.h"
#include "wasix_internal.h"

#define NIL UINT32_MAX

struct vepoll__wx_reg {
    vepoll_t *ep;
    vepoll_source_t *src;
    uint64_t ptr;
    uint64_t data2;
    uint32_t fd;
    uint32_t data1;
    uint32_t gen;      /* bumped on free: stale cookies stop matching */
    uint32_t next_key; /* by_key chain; free list when unused */
    uint32_t next_src; /* by_src chain */
    uint8_t used;
};

/* ---- numbering ------------------------------------------------------------ */

/* vepoll's event bits are Linux's (vepoll.h), so the ABI header's
 * Linux <-> WASIX translation is vepoll's too. */
_Static_assert(VEPOLL_IN == 0x1 && VEPOLL_PRI == 0x2 && VEPOLL_OUT == 0x4 && VEPOLL_ERR == 0x8 &&
                   VEPOLL_HUP == 0x10 && VEPOLL_RDHUP == 0x2000 &&
                   VEPOLL_ONESHOT == 1u << 30 && VEPOLL_ET == 1u << 31,
               "vepoll's event bits are Linux's");

uint32_t vepoll_wasix_events_to_vepoll(uint32_t wasix_events)
{
    return vepoll_wasix_abi_events_to_linux(wasix_events);
}

uint32_t vepoll_wasix_events_from_vepoll(uint32_t vepoll_events)
{
    return vepoll_wasix_abi_events_from_linux(vepoll_events);
}

int vepoll_wasix_op_to_vepoll(uint32_t wasix_op)
{
    switch (wasix_op) {
    case VEPOLL_WASIX_CTL_ADD: return VEPOLL_CTL_ADD;
    case VEPOLL_WASIX_CTL_MOD: return VEPOLL_CTL_MOD;
    case VEPOLL_WASIX_CTL_DEL: return VEPOLL_CTL_DEL;
    default: return -EINVAL;
    }
}

int vepoll_wasix_op_from_vepoll(int vepoll_op)
{
    switch (vepoll_op) {
    case VEPOLL_CTL_ADD: return (int)VEPOLL_WASIX_CTL_ADD;
    case VEPOLL_CTL_MOD: return (int)VEPOLL_WASIX_CTL_MOD;
    case VEPOLL_CTL_DEL: return (int)VEPOLL_WASIX_CTL_DEL;
    default: return -EINVAL;
    }
}

uint32_t vepoll_wasix_errno(int neg_errno)
{
    switch (neg_errno) {
    case 0: return VEPOLL_WASI_ESUCCESS;
    case -E2BIG: return VEPOLL_WASI_E2BIG;
    case -EACCES: return VEPOLL_WASI_EACCES;
    case -EAGAIN: return VEPOLL_WASI_EAGAIN;
    case -EBADF: return VEPOLL_WASI_EBADF;
    case -EBUSY: return VEPOLL_WASI_EBUSY;
    case -EEXIST: return VEPOLL_WASI_EEXIST;
    case -EFAULT: return VEPOLL_WASI_EFAULT;
    case -EINTR: return VEPOLL_WASI_EINTR;
    case -EINVAL: return VEPOLL_WASI_EINVAL;
    case -EIO: return VEPOLL_WASI_EIO;
    case -ELOOP: return VEPOLL_WASI_ELOOP;
    case -EMFILE: return VEPOLL_WASI_EMFILE;
    case -ENFILE: return VEPOLL_WASI_ENFILE;
    case -ENOENT: return VEPOLL_WASI_ENOENT;
    case -ENOMEM: return VEPOLL_WASI_ENOMEM;
    case -ENOSPC: return VEPOLL_WASI_ENOSPC;
    case -ENOSYS: return VEPOLL_WASI_ENOSYS;
    case -ENOTCONN: return VEPOLL_WASI_ENOTCONN;
    case -ENOTSOCK: return VEPOLL_WASI_ENOTSOCK;
    case -ENOTSUP: return VEPOLL_WASI_ENOTSUP;
    case -EOVERFLOW: return VEPOLL_WASI_EOVERFLOW;
    case -EPERM: return VEPOLL_WASI_EPERM;
    case -EPIPE: return VEPOLL_WASI_EPIPE;
    case -ESPIPE: return VEPOLL_WASI_ESPIPE;
    case -ETIMEDOUT: return VEPOLL_WASI_ETIMEDOUT;
    case -ESHUTDOWN: return VEPOLL_WASI_ESHUTDOWN;
    /* Real sockets (vepoll_wasix.h, wasix_net.c): the kernel's answers. */
    case -EADDRINUSE: return VEPOLL_WASI_EADDRINUSE;
    case -EADDRNOTAVAIL: return VEPOLL_WASI_EADDRNOTAVAIL;
    case -EAFNOSUPPORT: return VEPOLL_WASI_EAFNOSUPPORT;
    case -EALREADY: return VEPOLL_WASI_EALREADY;
    case -ECONNABORTED: return VEPOLL_WASI_ECONNABORTED;
    case -ECONNREFUSED: return VEPOLL_WASI_ECONNREFUSED;
    case -ECONNRESET: return VEPOLL_WASI_ECONNRESET;
    case -EDESTADDRREQ: return VEPOLL_WASI_EDESTADDRREQ;
    case -EHOSTUNREACH: return VEPOLL_WASI_EHOSTUNREACH;
    case -EINPROGRESS: return VEPOLL_WASI_EINPROGRESS;
    case -EISCONN: return VEPOLL_WASI_EISCONN;
    case -EMSGSIZE: return VEPOLL_WASI_EMSGSIZE;
    case -ENETDOWN: return VEPOLL_WASI_ENETDOWN;
    case -ENETRESET: return VEPOLL_WASI_ENETRESET;
    case -ENETUNREACH: return VEPOLL_WASI_ENETUNREACH;
    case -ENOBUFS: return VEPOLL_WASI_ENOBUFS;
    case -ENOPROTOOPT: return VEPOLL_WASI_ENOPROTOOPT;
    case -EPROTONOSUPPORT: return VEPOLL_WASI_EPROTONOSUPPORT;
    case -EPROTOTYPE: return VEPOLL_WASI_EPROTOTYPE;
    default: return VEPOLL_WASI_EUNKNOWN;
    }
}

/* ---- create / destroy ------------------------------------------------------- */

int vepoll__wx_new(vepoll_wasix_t **out, const struct vepoll_wasix_fdtable *table)
{
    vepoll_wasix_t *wx = vepoll__calloc(sizeof(*wx));
    if (!wx)
        return -ENOMEM;
    if (pthread_mutex_init(&wx->mu, NULL))
        goto fail_free;
    if (pthread_mutex_init(&wx->tmu, NULL))
        goto fail_mu;
    wx->free_head = NIL;
    if (table)
        wx->table = *table;
    *out = wx;
    return 0;
fail_mu:
    pthread_mutex_destroy(&wx->mu);
fail_free:
    vepoll__free(wx, sizeof(*wx));
    return -ENOMEM;
}

void vepoll__wx_delete(vepoll_wasix_t *wx)
{
    vepoll__free(wx->regs, (size_t)wx->capregs * sizeof(*wx->regs));
    vepoll__free(wx->by_key, (size_t)wx->nbuckets * sizeof(uint32_t));
    vepoll__free(wx->by_src, (size_t)wx->nbuckets * sizeof(uint32_t));
    pthread_mutex_destroy(&wx->tmu);
    pthread_mutex_destroy(&wx->mu);
    vepoll__free(wx, sizeof(*wx));
}

/* ---- the owner's borrows (wasix_table.c has the contract) ---------------- */

_Thread_local char vepoll__wx_thread_mark;

void vepoll__wx_wait_for_owner(vepoll_wasix_t *wx)
{
    if (!wx->borrow_ok || vepoll__wx_is_owner(wx))
        return;
    atomic_thread_fence(memory_order_seq_cst);
    if (!atomic_load(&wx->owner_borrowed))
        return;
    vepoll__membarrier();
    vepoll__wait_section_end(&wx->owner_seq); /* a borrow: one non-blocking call */
}

/* Under wx->mu, around a change of the side table by a thread other than
 * the owner: the owner's borrowing waits stop reading it without wx->mu
 * (they see side_writer, or this thread sees their borrow and waits for
 * it to end: the same pair of orders as a removal). */
static void side_write_begin(vepoll_wasix_t *wx)
{
    if (!wx->borrow_ok || vepoll__wx_is_owner(wx))
        return;
    atomic_store(&wx->side_writer, 1);
    vepoll__wx_wait_for_owner(wx);
}

static void side_write_end(vepoll_wasix_t *wx)
{
    atomic_store_explicit(&wx->side_writer, 0, memory_order_release);
}

int vepoll__wx_grow(void **arr, size_t old_size, size_t new_size)
{
    void *n = vepoll__calloc(new_size);
    if (!n)
        return -ENOMEM;
    if (*arr)
        memcpy(n, *arr, old_size);
    vepoll__free(*arr, old_size);
    *arr = n;
    return 0;
}

/* ---- side table (all under wx->mu) ----------------------------------------- */

static uint32_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    x ^= x >> 33;
    return (uint32_t)x;
}

static uint32_t key_bucket(const vepoll_wasix_t *wx, const vepoll_t *ep,
                           const vepoll_source_t *src, uint32_t fd)
{
    return mix((uint64_t)(uintptr_t)ep * 31 ^ (uint64_t)(uintptr_t)src * 7 ^ fd) &
           (wx->nbuckets - 1);
}

static uint32_t src_bucket(const vepoll_wasix_t *wx, const vepoll_source_t *src)
{
    return mix((uint64_t)(uintptr_t)src) & (wx->nbuckets - 1);
}

static uint32_t reg_find(const vepoll_wasix_t *wx, const vepoll_t *ep,
                         const vepoll_source_t *src, uint32_t fd)
{
    if (!wx->nbuckets)
        return NIL;
    for (uint32_t i = wx->by_key[key_bucket(wx, ep, src, fd)]; i != NIL;
         i = wx->regs[i].next_key) {
        const struct vepoll__wx_reg *r = &wx->regs[i];
        if (r->ep == ep && r->src == src && r->fd == fd)
            return i;
    }
    return NIL;
}

static void link_reg(vepoll_wasix_t *wx, uint32_t i)
{
    struct vepoll__wx_reg *r = &wx->regs[i];
    uint32_t kb = key_bucket(wx, r->ep, r->src, r->fd), sb = src_bucket(wx, r->src);
    r->next_key = wx->by_key[kb];
    wx->by_key[kb] = i;
    r->next_src = wx->by_src[sb];
    wx->by_src[sb] = i;
}

/* Room for one more slot and its bucket entries; fails changing nothing. */
static int reg_reserve(vepoll_wasix_t *wx)
{
    if (wx->free_head == NIL && wx->nregs == wx->capregs) {
        uint32_t cap = wx->capregs ? wx->capregs * 2 : 16;
        if (wx->capregs >= UINT32_MAX / 4 ||
            vepoll__wx_grow((void **)&wx->regs, (size_t)wx->capregs * sizeof(*wx->regs),
                            (size_t)cap * sizeof(*wx->regs)))
            return -ENOMEM;
        wx->capregs = cap;
    }
    if (wx->live + 1 > wx->nbuckets) {
        uint32_t nb = wx->nbuckets ? wx->nbuckets * 2 : 16;
        uint32_t *k = vepoll__calloc((size_t)nb * sizeof(uint32_t));
        uint32_t *s = vepoll__calloc((size_t)nb * sizeof(uint32_t));
        if (!k || !s) {
            vepoll__free(k, k ? (size_t)nb * sizeof(uint32_t) : 0);
            vepoll__free(s, s ? (size_t)nb * sizeof(uint32_t) : 0);
            return -ENOMEM;
        }
        vepoll__free(wx->by_key, (size_t)wx->nbuckets * sizeof(uint32_t));
        vepoll__free(wx->by_src, (size_t)wx->nbuckets * sizeof(uint32_t));
        memset(k, 0xff, (size_t)nb * sizeof(uint32_t));
        memset(s, 0xff, (size_t)nb * sizeof(uint32_t));
        wx->by_key = k;
        wx->by_src = s;
        wx->nbuckets = nb;
        for (uint32_t i = 0; i < wx->nregs; i++)
            if (wx->regs[i].used)
                link_reg(wx, i);
    }
    return 0;
}

/* Takes a slot (reg_reserve must have succeeded) without linking it. */
static uint32_t reg_take(vepoll_wasix_t *wx)
{
    uint32_t i;
    if (wx->free_head != NIL) {
        i = wx->free_head;
        wx->free_head = wx->regs[i].next_key;
    } else {
        i = wx->nregs++;
    }
    return i;
}

static void reg_untake(vepoll_wasix_t *wx, uint32_t i)
{
    wx->regs[i].next_key = wx->free_head;
    wx->free_head = i;
}

static void unlink_chain(vepoll_wasix_t *wx, uint32_t *head, uint32_t i, int by_src)
{
    uint32_t *pp = head;
    while (*pp != NIL) {
        struct vepoll__wx_reg *r = &wx->regs[*pp];
        if (*pp == i) {
            *pp = by_src ? r->next_src : r->next_key;
            return;
        }
        pp = by_src ? &r->next_src : &r->next_key;
    }
}

static void reg_free(vepoll_wasix_t *wx, uint32_t i)
{
    struct vepoll__wx_reg *r = &wx->regs[i];
    unlink_chain(wx, &wx->by_key[key_bucket(wx, r->ep, r->src, r->fd)], i, 0);
    unlink_chain(wx, &wx->by_src[src_bucket(wx, r->src)], i, 1);
    r->used = 0;
    r->gen++;
    r->ep = NULL;
    r->src = NULL;
    wx->live--;
    reg_untake(wx, i);
}

static uint64_t cookie_of(const vepoll_wasix_t *wx, uint32_t i)
{
    return (uint64_t)wx->regs[i].gen << 32 | i;
}

static void forget_src_locked(vepoll_wasix_t *wx, const vepoll_source_t *src)
{
    uint32_t i, next;
    if (!wx->nbuckets || !src)
        return;
    for (i = wx->by_src[src_bucket(wx, src)]; i != NIL; i = next) {
        next = wx->regs[i].next_src;
        if (wx->regs[i].src == src)
            reg_free(wx, i);
    }
}

void vepoll_wasix_forget_source(vepoll_wasix_t *wx, vepoll_source_t *src)
{
    if (!wx || !src)
        return;
    pthread_mutex_lock(&wx->mu);
    side_write_begin(wx);
    forget_src_locked(wx, src);
    side_write_end(wx);
    pthread_mutex_unlock(&wx->mu);
}

int vepoll_wasix_close_epoll(vepoll_wasix_t *wx, vepoll_t *ep)
{
    if (!wx || !ep)
        return -EBADF;
    pthread_mutex_lock(&wx->mu);
    side_write_begin(wx);
    /* Instances close rarely: a scan of the slots is cheaper than a third
     * index kept on every ADD. */
    for (uint32_t i = 0; i < wx->nregs; i++)
        if (wx->regs[i].used && wx->regs[i].ep == ep)
            reg_free(wx, i);
    forget_src_locked(wx, vepoll_as_source(ep));
    side_write_end(wx);
    pthread_mutex_unlock(&wx->mu);
    return vepoll_close(ep);
}

/* ---- guest memory ---------------------------------------------------------- */

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* The guest's user data of one event. */
struct gdata {
    uint64_t ptr, data2;
    uint32_t fd, data1;
};

/* Where an ABI keeps an event's fields.  The WASIX events (32 bytes) carry
 * ptr, fd, data1 and data2 and WASIX's 8-bit event word; Linux's (16 bytes,
 * VEPOLL_WASIX_LINUX32) carries one u64 and Linux's word as it is. */
struct layout {
    uint32_t size, ptr, fd, data1, data2;
    int ptr64; /* ptr is a u64 (else a u32) */
    int linux_event; /* Linux's event: data (= data2) only, bits untranslated */
};

static int abi_known(enum vepoll_wasix_abi abi)
{
    return abi == VEPOLL_WASIX_32 || abi == VEPOLL_WASIX_64 || abi == VEPOLL_WASIX_LINUX32;
}

static const struct layout *layout_of(enum vepoll_wasix_abi abi)
{
    static const struct layout w32 = {VEPOLL_WASIX_EVENT_SIZE,   VEPOLL_WASIX_EVENT32_PTR,
                                      VEPOLL_WASIX_EVENT32_FD,   VEPOLL_WASIX_EVENT32_DATA1,
                                      VEPOLL_WASIX_EVENT_DATA2,  0, 0};
    static const struct layout w64 = {VEPOLL_WASIX_EVENT_SIZE,   VEPOLL_WASIX_EVENT64_PTR,
                                      VEPOLL_WASIX_EVENT64_FD,   VEPOLL_WASIX_EVENT64_DATA1,
                                      VEPOLL_WASIX_EVENT_DATA2,  1, 0};
    static const struct layout lnx = {VEPOLL_WASIX_LINUX_EVENT_SIZE, 0, 0, 0,
                                      VEPOLL_WASIX_LINUX_EVENT_DATA, 0, 1};
    return abi == VEPOLL_WASIX_64 ? &w64 : abi == VEPOLL_WASIX_LINUX32 ? &lnx : &w32;
}

/* A guest pointer outside memory: WASIX's EMEMVIOLATION, Linux's EFAULT. */
static uint32_t efault_of(enum vepoll_wasix_abi abi)
{
    return abi == VEPOLL_WASIX_LINUX32 ? VEPOLL_WASI_EFAULT : VEPOLL_WASI_EMEMVIOLATION;
}

/* The event's word as the guest wrote it, and its user data.  A Linux
 * event's u64 also fills ptr and data1 (its low half), as the guest shim
 * does for WASIX hosts, so every ABI reads back what was given. */
static void read_event(const uint8_t *p, const struct layout *l, uint32_t *word,
                       struct gdata *d)
{
    *word = get32(p + VEPOLL_WASIX_EVENT_EVENTS);
    d->data2 = get64(p + l->data2);
    if (l->linux_event) {
        d->ptr = (uint32_t)d->data2;
        d->data1 = (uint32_t)d->data2;
        return;
    }
    d->ptr = l->ptr64 ? get64(p + l->ptr) : get32(p + l->ptr);
    d->fd = get32(p + l->fd);
    d->data1 = get32(p + l->data1);
}

/* The whole event, padding zeroed, so no host byte leaks to the guest.
 * Stored straight into the guest's array: assembling the event in a local
 * buffer with narrow stores and copying it out with wide loads stalled on
 * store forwarding (about 7 ns an event, docs/BENCHMARKS.md scenario 9).
 * events: vepoll's (Linux's) bits. */
static void write_event(uint8_t *p, const struct layout *l, uint32_t events,
                        const struct gdata *d)
{
    memset(p, 0, l->size);
    put64(p + l->data2, d->data2);
    if (l->linux_event) {
        put32(p + VEPOLL_WASIX_EVENT_EVENTS, events);
        return;
    }
    put32(p + VEPOLL_WASIX_EVENT_EVENTS, vepoll_wasix_events_from_vepoll(events));
    if (l->ptr64)
        put64(p + l->ptr, d->ptr);
    else
        put32(p + l->ptr, (uint32_t)d->ptr);
    put32(p + l->fd, d->fd);
    put32(p + l->data1, d->data1);
}

/* ---- epoll_create ---------------------------------------------------------- */

uint32_t vepoll_wasix_epoll_create(vepoll_wasix_t *wx, struct vepoll_wasix_mem mem,
                                   uint64_t ret_fd_ptr)
{
    vepoll_t *ep;
    uint32_t fd;
    int rc;
    if (!wx)
        return VEPOLL_WASI_EBADF;
    if (!vepoll__wx_in(&mem, ret_fd_ptr, 4))
        return VEPOLL_WASI_EMEMVIOLATION;
    rc = vepoll_create(&ep);
    if (rc)
        return vepoll_wasix_errno(rc);
    rc = wx->table.install_epoll(wx->table.ctx, ep, &fd);
    if (rc) {
        vepoll_close(ep);
        return vepoll_wasix_errno(rc);
    }
    put32(mem.base + ret_fd_ptr, fd);
    return VEPOLL_WASI_ESUCCESS;
}

/* ---- epoll_ctl ------------------------------------------------------------- */

static int ctl_locked(vepoll_wasix_t *wx, vepoll_t *ep, int op, uint32_t fd,
                      vepoll_source_t *src, uint32_t events, const struct gdata *d)
{
    struct vepoll_event ev;
    uint32_t i = reg_find(wx, ep, src, fd);
    int rc, fresh = 0;

    memset(&ev, 0, sizeof(ev));
    ev.events = events;
    if (op == VEPOLL_CTL_DEL) {
        rc = vepoll_ctl(ep, op, (int)fd, src, NULL);
        if ((rc == 0 || rc == -ENOENT) && i != NIL)
            reg_free(wx, i);
        return rc;
    }
    /* A MOD without a slot gets one too, so vepoll (not the side table)
     * decides the answer (ENOENT) and the two can never disagree. */
    if (i == NIL) {
        rc = reg_reserve(wx);
        if (rc)
            return rc;
        i = reg_take(wx);
        fresh = 1;
    }
    ev.data.u64 = cookie_of(wx, i);
    rc = vepoll_ctl(ep, op, (int)fd, src, &ev);
    if (rc) {
        if (fresh)
            reg_untake(wx, i);
        return rc;
    }
    if (fresh) {
        struct vepoll__wx_reg *r = &wx->regs[i];
        r->ep = ep;
        r->src = src;
        r->fd = fd;
        r->used = 1;
        wx->live++;
        link_reg(wx, i);
    }
    wx->regs[i].ptr = d->ptr;
    wx->regs[i].data1 = d->data1;
    wx->regs[i].data2 = d->data2;
    return 0;
}

/* The op as VEPOLL_CTL_*, or -EINVAL: the Linux event's ops are Linux's. */
static int op_of(enum vepoll_wasix_abi abi, uint32_t op)
{
    if (abi != VEPOLL_WASIX_LINUX32)
        return vepoll_wasix_op_to_vepoll(op);
    return op == VEPOLL_CTL_ADD || op == VEPOLL_CTL_MOD || op == VEPOLL_CTL_DEL ? (int)op
                                                                                : -EINVAL;
}

uint32_t vepoll_wasix_epoll_ctl(vepoll_wasix_t *wx, struct vepoll_wasix_mem mem,
                                enum vepoll_wasix_abi abi, uint32_t epfd,
                                uint32_t op, uint32_t fd, uint64_t event_ptr)
{
    struct vepoll_wasix_fdref fref = {0}, eref = {0};
    const struct layout *l;
    struct gdata d = {0};
    uint32_t word = 0;
    int vop, rc, have_f = 0, have_e = 0;

    if (!wx || !abi_known(abi))
        return VEPOLL_WASI_EINVAL;
    l = layout_of(abi);
    vop = op_of(abi, op);
    /* Linux reads the event of every op but DEL (an unknown one too);
     * WASIX reads any event given. */
    if (l->linux_event && vop == VEPOLL_CTL_DEL)
        event_ptr = 0;
    if (event_ptr) {
        if (!vepoll__wx_in(&mem, event_ptr, l->size))
            return efault_of(abi);
        read_event(mem.base + event_ptr, l, &word, &d);
    }
    if (vop < 0)
        return VEPOLL_WASI_EINVAL;
    if (vop != VEPOLL_CTL_DEL && !event_ptr)
        return VEPOLL_WASI_EINVAL;
    if (fd == epfd)
        return VEPOLL_WASI_EINVAL;
    if (vop != VEPOLL_CTL_DEL && !l->linux_event && (word & ~VEPOLL_WASIX_EPOLL_ALL))
        return VEPOLL_WASI_EINVAL;

    pthread_mutex_lock(&wx->mu);
    rc = wx->table.lookup(wx->table.ctx, fd, &fref);
    if (rc)
        goto out;
    have_f = 1;
    rc = wx->table.lookup(wx->table.ctx, epfd, &eref);
    if (rc)
        goto out;
    have_e = 1;
    if (!eref.ep) {
        rc = -EINVAL;
        goto out;
    }
    if (fref.ep)
        fref.src = vepoll_as_source(fref.ep);
    if (!fref.src) {
        rc = -EPERM;
        goto out;
    }
    /* The watched fd is the fd argument (Wasmer's rule); the guest's
     * data.fd is ignored and reported back as that fd. */
    d.fd = fd;
    side_write_begin(wx);
    rc = ctl_locked(wx, eref.ep, vop, fd, fref.src,
                    l->linux_event ? word : vepoll_wasix_events_to_vepoll(word), &d);
    side_write_end(wx);
out:
    pthread_mutex_unlock(&wx->mu);
    if (have_e && wx->table.release)
        wx->table.release(wx->table.ctx, epfd, &eref);
    if (have_f && wx->table.release)
        wx->table.release(wx->table.ctx, fd, &fref);
    return vepoll_wasix_errno(rc);
}

/* ---- epoll_wait ------------------------------------------------------------ */

#define STACK_EVENTS 64
#define MAX_BATCH 1024 /* a wait may return fewer events than asked */

/* Translates harvested events into guest events at out; returns how many
 * still belonged to a live slot.  Under wx->mu unless `borrowed`: the
 * owner borrowing while no other thread writes the side table. */
static int translate(vepoll_wasix_t *wx, const struct layout *l, const struct vepoll_event *evs,
                     int n, uint8_t *out, int borrowed)
{
    int k = 0;
    if (!borrowed)
        pthread_mutex_lock(&wx->mu);
    for (int j = 0; j < n; j++) {
        uint32_t i = (uint32_t)evs[j].data.u64, gen = (uint32_t)(evs[j].data.u64 >> 32);
        const struct vepoll__wx_reg *r;
        struct gdata d;
        if (i >= wx->nregs)
            continue;
        r = &wx->regs[i];
        if (!r->used || r->gen != gen)
            continue;
        d.ptr = r->ptr;
        d.fd = r->fd;
        d.data1 = r->data1;
        d.data2 = r->data2;
        write_event(out + (size_t)k * l->size, l, evs[j].events, &d);
        k++;
    }
    if (!borrowed)
        pthread_mutex_unlock(&wx->mu);
    return k;
}

/* The instance behind epfd, held for the wait.  A host's table is looked
 * up under wx->mu as its contract promises (vepoll_wasix.h); the built-in
 * one needs no wx->mu: its reference alone keeps the instance open, and
 * the wait touches no side-table state until translate(). */
static int lookup_for_wait(vepoll_wasix_t *wx, uint32_t epfd, struct vepoll_wasix_fdref *eref)
{
    int rc;
    if (wx->builtin)
        return wx->table.lookup(wx->table.ctx, epfd, eref);
    pthread_mutex_lock(&wx->mu);
    rc = wx->table.lookup(wx->table.ctx, epfd, eref);
    pthread_mutex_unlock(&wx->mu);
    return rc;
}

uint32_t vepoll_wasix_epoll_wait(vepoll_wasix_t *wx, struct vepoll_wasix_mem mem,
                                 enum vepoll_wasix_abi abi, uint32_t epfd,
                                 uint64_t events_ptr, int64_t maxevents,
                                 uint64_t timeout_ns, uint64_t ret_nevents_ptr)
{
    struct vepoll_event stackbuf[STACK_EVENTS], *buf = stackbuf;
    struct vepoll_wasix_fdref eref = {0};
    struct vepoll__wx_hold hold;
    uint64_t nsize = abi == VEPOLL_WASIX_64 ? 8 : 4;
    int held; /* 0: eref from the table interface, 1: hold, 2: hold ended */
    int64_t timeout, deadline = 0;
    int cap, n, rc;
    uint32_t result;
    const struct layout *l;

    if (!wx || !abi_known(abi))
        return VEPOLL_WASI_EINVAL;
    l = layout_of(abi);
    /* Linux's limit is EP_MAX_EVENTS, INT_MAX / sizeof(struct epoll_event). */
    if (maxevents <= 0 || (abi == VEPOLL_WASIX_32 && maxevents > INT32_MAX) ||
        (l->linux_event && maxevents > INT32_MAX / (int64_t)l->size))
        return VEPOLL_WASI_EINVAL;
    /* maxevents * size cannot overflow u64 (maxevents < 2^63), but compare
     * by division anyway so a 4 GiB memory and a huge count stay exact. */
    if (events_ptr > mem.size || (uint64_t)maxevents > (mem.size - events_ptr) / l->size ||
        !vepoll__wx_in(&mem, ret_nevents_ptr, nsize))
        return efault_of(abi);

    /* wait(0) in the built-in table: borrowed on its owner thread. */
    held = timeout_ns == 0 && wx->hold_ep;
    rc = held ? wx->hold_ep(wx, epfd, &hold, &eref.ep) : lookup_for_wait(wx, epfd, &eref);
    if (rc)
        return vepoll_wasix_errno(rc);
    if (!eref.ep) {
        result = VEPOLL_WASI_EINVAL;
        goto out_release;
    }

    cap = maxevents > MAX_BATCH ? MAX_BATCH : (int)maxevents;
    if (cap > STACK_EVENTS) {
        buf = vepoll__alloc((size_t)cap * sizeof(*buf));
        if (!buf) {
            buf = stackbuf;
            cap = STACK_EVENTS;
        }
    }
    if (timeout_ns == VEPOLL_WASIX_TIMEOUT_FOREVER)
        timeout = -1;
    else if (timeout_ns > (uint64_t)INT64_MAX)
        timeout = INT64_MAX;
    else
        timeout = (int64_t)timeout_ns;
    if (timeout > 0)
        deadline = vepoll__deadline_ns(timeout);

    for (;;) {
        n = vepoll_wait(eref.ep, buf, cap, timeout);
        if (n < 0) {
            result = vepoll_wasix_errno(n);
            goto out_free;
        }
        if (n) {
            /* The owner's borrow reads the side table without wx->mu
             * unless a writer on another thread is at work; then the borrow
             * ends first (that writer holds wx->mu and waits for it). */
            int borrowed = held == 1 && hold.borrowed && !atomic_load(&wx->side_writer);
            if (held == 1 && !borrowed) {
                wx->drop_hold(wx, &hold); /* the instance is no longer needed */
                held = 2;
            }
            n = translate(wx, l, buf, n, mem.base + events_ptr, borrowed);
        }
        if (n > 0 || timeout == 0)
            break;
        /* Nothing (left) to report: the wait timed out, or every event
         * belonged to a registration that ended meanwhile; keep waiting
         * for what remains of the timeout. */
        if (timeout > 0) {
            int64_t left = deadline - vepoll__now_ns();
            if (left <= 0)
                break;
            timeout = left;
        }
    }
    if (abi == VEPOLL_WASIX_64)
        put64(mem.base + ret_nevents_ptr, (uint64_t)n);
    else
        put32(mem.base + ret_nevents_ptr, (uint32_t)n);
    result = VEPOLL_WASI_ESUCCESS;
out_free:
    if (buf != stackbuf)
        vepoll__free(buf, (size_t)cap * sizeof(*buf));
out_release:
    if (held == 1)
        wx->drop_hold(wx, &hold);
    else if (!held && wx->table.release)
        wx->table.release(wx->table.ctx, epfd, &eref);
    return result;
}
