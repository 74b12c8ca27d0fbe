/*
 * The adapter's built-in descriptor table, as Linux's: a guest fd is a
 * descriptor (its FD_CLOEXEC flag and a pointer to an open file
 * description); a description (struct vepoll__wx_obj, wasix_kinds.h) is an
 * epoll instance, a pipe end, an eventfd, a socket-pair end, a timerfd or a
 * host stdio stream, with its O_NONBLOCK flag.  dup, dup3 and renumber make
 * more descriptors of one description; its final close comes with the last
 * of them.  Also the table interface the ABI adapter uses (lookup, release,
 * install_epoll) and vepoll_wasix_create/destroy.
 *
 * Contract.
 *  - wx->tmu guards wx->fds (every descriptor: its description pointer and
 *    FD_CLOEXEC) and every description's refs and O_NONBLOCK.  It is held
 *    only for table updates and reference counting, never across I/O,
 *    vepoll calls or wx->mu (lock order: wx->mu, then wx->tmu).
 *  - A description's refs: one per descriptor, plus one per call using it
 *    (lookup for the adapter, read, write, poll...) for the call's duration.
 *    close, dup3 onto an open number and renumber onto one remove the
 *    descriptor at once (new lookups of that number fail or find the new
 *    description), and whoever drops the last reference -- always after
 *    releasing wx->tmu -- does the final close (the kind's close):
 *    forget_source (frees the adapter's guest data for the source), then
 *    the object's own close, or close_epoll.  So a thread blocked in read or
 *    epoll_wait keeps its description alive, as Linux keeps the file alive,
 *    and nothing is freed under it.
 *  - dup, dup3 and renumber are atomic under wx->tmu: no lookup sees the
 *    target number free in between.
 *  - A release never runs with wx->mu held (the adapter drops wx->mu
 *    first), so the final close may take wx->mu.
 *  - epoll registrations follow from this: the adapter keys them by (source
 *    of the description, fd number), the description's source lives until
 *    its final close, and that close (vepoll_source_close) removes them.
 *  - Borrowing, the guest path's common case (docs/ARCHITECTURE.md, "The
 *    guest path").  The thread that created the adapter (the owner: a
 *    runtime's guest thread) uses a description for a call that cannot
 *    block without tmu and without a reference: it makes owner_seq odd
 *    (a relaxed store of its own counter and a compiler barrier), reads
 *    nfds, fds and the entry with acquire loads, and makes owner_seq even
 *    again (release) when the call is over.  Whoever removes a descriptor
 *    on another thread (close, dup3 or renumber onto it) waits, before it
 *    drops the descriptor's reference, until no borrow that began before
 *    the removal is left: a seq_cst fence, then if the owner ever borrowed
 *    (owner_borrowed, stored seq_cst before its first borrow: one of the
 *    two sees the other), vepoll__membarrier (a full barrier on the
 *    owner's CPU: an odd owner_seq stored before it is visible after it,
 *    and a borrow that begins after it sees the removal), then it waits
 *    while owner_seq is odd and unchanged.  The owner's own removals need
 *    no wait (it is not borrowing then).  So a borrowed description keeps
 *    its descriptor's reference, and its memory and object, for the whole
 *    borrow.  A borrowing call that may block (a read of a blocking
 *    description) takes a reference under tmu before it blocks and ends
 *    the borrow: the descriptor's reference, still held by a waiting
 *    remover, keeps the count above zero meanwhile.  fds arrays replaced
 *    by growth are kept until destroy, since a borrow may still read one;
 *    a stale entry there is only read by a borrow a remover waits for.
 *    Without the fence (no membarrier command, or ThreadSanitizer, which
 *    cannot see it) nobody borrows: every call takes a reference.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <string.h>

#include "vepoll_core.h"
#include "vepoll_objects.h"
#include "wasix_internal.h"
#include "wasix_kinds.h"

#define MAX_FDS VEPOLL_WASIX_MAX_FDS

/* ---- descriptions ------------------------------------------------------------- */

struct vepoll__wx_obj *vepoll__wx_obj_new(const struct vepoll__wx_kind *k, int end, int nonblock)
{
    struct vepoll__wx_obj *o = vepoll__calloc(sizeof(*o));
    if (o) {
        o->k = k;
        o->end = end;
        o->nonblock = nonblock;
    }
    return o;
}

void vepoll__wx_obj_put(vepoll_wasix_t *wx, struct vepoll__wx_obj *o)
{
    unsigned left;
    pthread_mutex_lock(&wx->tmu);
    left = --o->refs;
    pthread_mutex_unlock(&wx->tmu);
    if (!left) {
        o->k->close(wx, o);
        vepoll__free(o, sizeof(*o));
    }
}

/* Under tmu: fd's description, or NULL. */
static struct vepoll__wx_obj *at_locked(const vepoll_wasix_t *wx, uint32_t fd)
{
    return fd < wx->nfds ? wx->fds[fd].o : NULL;
}

/* Without tmu (a borrow): fd's description, or NULL.  nfds before fds:
 * growth publishes the new array before its larger size. */
static struct vepoll__wx_obj *at_borrowed(vepoll_wasix_t *wx, uint32_t fd)
{
    uint32_t n = atomic_load_explicit(&wx->nfds, memory_order_acquire);
    struct vepoll__wx_fd *arr = atomic_load_explicit(&wx->fds, memory_order_acquire);
    return fd < n ? atomic_load_explicit(&arr[fd].o, memory_order_acquire) : NULL;
}

/* The owner's counter: odd while it borrows; only the owner stores it.
 * Odd with a plain store (the other side's membarrier orders it before the
 * borrow's loads), even with a release store after the borrow's last access
 * (vepoll__wait_section_end acquires it). */
static void borrow_mark_begin(vepoll_wasix_t *wx)
{
    AO_store(&wx->owner_seq, AO_load(&wx->owner_seq) + 1);
}

static void borrow_mark_end(vepoll_wasix_t *wx)
{
    AO_store_release(&wx->owner_seq, AO_load(&wx->owner_seq) + 1);
}

/* Drops the reference of a descriptor just removed (tmu released). */
static void drop_removed(vepoll_wasix_t *wx, struct vepoll__wx_obj *o)
{
    vepoll__wx_wait_for_owner(wx); /* no borrow of o is left */
    vepoll__wx_obj_put(wx, o);
}

/* The description behind fd with a reference, or NULL. */
static struct vepoll__wx_obj *obj_get(vepoll_wasix_t *wx, uint32_t fd, int *nonblock)
{
    struct vepoll__wx_obj *o;
    pthread_mutex_lock(&wx->tmu);
    o = at_locked(wx, fd);
    if (o) {
        o->refs++;
        if (nonblock)
            *nonblock = o->nonblock;
    }
    pthread_mutex_unlock(&wx->tmu);
    return o;
}

/* The errors every host-side call starts with: 0 for the built-in table. */
static int builtin_error(const vepoll_wasix_t *wx)
{
    if (!wx)
        return -EBADF;
    return wx->builtin ? 0 : -ENOTSUP;
}

int vepoll__wx_obj_get(vepoll_wasix_t *wx, uint32_t fd, struct vepoll__wx_obj **out, int *nonblock)
{
    int rc = builtin_error(wx);
    if (rc)
        return rc;
    *out = obj_get(wx, fd, nonblock);
    return *out ? 0 : -EBADF;
}

int vepoll__wx_obj_enter(vepoll_wasix_t *wx, uint32_t fd, int nonblocking_only,
                         struct vepoll__wx_hold *h, int *nonblock)
{
    struct vepoll__wx_obj *o;
    int nb, rc = builtin_error(wx);
    if (rc)
        return rc;
    h->borrowed = 0;
    if (!vepoll__wx_is_owner(wx)) {
        h->o = obj_get(wx, fd, nonblock);
        return h->o ? 0 : -EBADF;
    }
    if (!atomic_load_explicit(&wx->owner_borrowed, memory_order_relaxed))
        atomic_store(&wx->owner_borrowed, 1);
    borrow_mark_begin(wx);
    atomic_signal_fence(memory_order_seq_cst); /* the odd count before the loads */
    o = at_borrowed(wx, fd);
    if (!o) {
        borrow_mark_end(wx);
        return -EBADF;
    }
    nb = atomic_load_explicit(&o->nonblock, memory_order_relaxed);
    if (nonblocking_only && !nb) {
        pthread_mutex_lock(&wx->tmu);
        o->refs++;
        pthread_mutex_unlock(&wx->tmu);
        borrow_mark_end(wx);
    } else {
        h->borrowed = 1;
    }
    h->o = o;
    if (nonblock)
        *nonblock = nb;
    return 0;
}

void vepoll__wx_obj_leave(vepoll_wasix_t *wx, struct vepoll__wx_hold *h)
{
    if (h->borrowed)
        borrow_mark_end(wx);
    else
        vepoll__wx_obj_put(wx, h->o);
}

/* ---- descriptors ---------------------------------------------------------------- */

/* Under tmu: room for fd numbers below `need` (<= MAX_FDS).  A new array
 * replaces the old one, which is kept (a borrow may be reading it). */
static int grow_locked(vepoll_wasix_t *wx, uint32_t need)
{
    uint32_t n = wx->nfds, cap = n ? n : 64;
    struct vepoll__wx_fd *old = wx->fds, *arr;
    if (need <= n)
        return 0;
    while (cap < need)
        cap *= 2;
    if (cap > MAX_FDS)
        cap = MAX_FDS;
    if (wx->nretired == VEPOLL__WX_RETIRED)
        return -ENOMEM; /* cannot happen: 64 doubles to MAX_FDS in 10 steps */
    arr = vepoll__calloc((size_t)cap * sizeof(*arr));
    if (!arr)
        return -ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        atomic_init(&arr[i].o, atomic_load_explicit(&old[i].o, memory_order_relaxed));
        arr[i].cloexec = old[i].cloexec;
    }
    if (old) {
        wx->retired[wx->nretired] = old;
        wx->retired_n[wx->nretired++] = n;
    }
    atomic_store_explicit(&wx->fds, arr, memory_order_release);
    atomic_store_explicit(&wx->nfds, cap, memory_order_release);
    return 0;
}

/* Under tmu: the n lowest free numbers >= min into fds (the table grown to
 * hold them): 0, -EMFILE or -ENOMEM. */
static int lowest_free_locked(vepoll_wasix_t *wx, uint32_t min, uint32_t *fds, int n)
{
    int got = 0;
    for (uint32_t fd = min; got < n && fd < MAX_FDS; fd++) {
        int rc = grow_locked(wx, fd + 1);
        if (rc)
            return rc;
        if (!wx->fds[fd].o)
            fds[got++] = fd;
    }
    return got < n ? -EMFILE : 0;
}

/* Under tmu: descriptor fd for o (a free number, room for it). */
static void set_locked(vepoll_wasix_t *wx, uint32_t fd, struct vepoll__wx_obj *o, int cloexec)
{
    wx->fds[fd].o = o;
    wx->fds[fd].cloexec = cloexec != 0;
}

int vepoll__wx_install(vepoll_wasix_t *wx, struct vepoll__wx_obj **os, uint32_t *fds, int n,
                       int cloexec)
{
    int rc;
    pthread_mutex_lock(&wx->tmu);
    rc = lowest_free_locked(wx, 0, fds, n);
    if (!rc)
        for (int i = 0; i < n; i++) {
            os[i]->refs = 1;
            set_locked(wx, fds[i], os[i], cloexec);
        }
    pthread_mutex_unlock(&wx->tmu);
    return rc;
}

int vepoll_wasix_dup(vepoll_wasix_t *wx, uint32_t fd, uint32_t min_fd, int cloexec,
                     uint32_t *newfd)
{
    struct vepoll__wx_obj *o;
    int rc = builtin_error(wx);
    if (rc)
        return rc;
    if (!newfd)
        return -EINVAL;
    pthread_mutex_lock(&wx->tmu);
    o = at_locked(wx, fd);
    if (!o)
        rc = -EBADF;
    else if (min_fd >= MAX_FDS)
        rc = -EINVAL;
    else
        rc = lowest_free_locked(wx, min_fd, newfd, 1);
    if (!rc) {
        o->refs++;
        set_locked(wx, *newfd, o, cloexec);
    }
    pthread_mutex_unlock(&wx->tmu);
    return rc;
}

/* Under tmu: descriptor `to` becomes `from`'s entry (o, cloexec); the
 * description it had before is returned, its reference still to drop. */
static struct vepoll__wx_obj *replace_locked(vepoll_wasix_t *wx, uint32_t to,
                                             struct vepoll__wx_obj *o, int cloexec)
{
    struct vepoll__wx_obj *prev = wx->fds[to].o;
    set_locked(wx, to, o, cloexec);
    return prev;
}

int vepoll_wasix_dup3(vepoll_wasix_t *wx, uint32_t fd, uint32_t newfd, int cloexec)
{
    struct vepoll__wx_obj *o, *prev = NULL;
    int rc = builtin_error(wx);
    if (rc)
        return rc;
    if (fd == newfd)
        return -EINVAL;
    if (newfd >= MAX_FDS)
        return -EBADF;
    pthread_mutex_lock(&wx->tmu);
    o = at_locked(wx, fd);
    rc = o ? grow_locked(wx, newfd + 1) : -EBADF;
    if (!rc) {
        o->refs++;
        prev = replace_locked(wx, newfd, o, cloexec);
    }
    pthread_mutex_unlock(&wx->tmu);
    if (prev) /* closed silently, as do_dup2 does */
        drop_removed(wx, prev);
    return rc;
}

/* The per-descriptor calls: one entry read or changed under tmu (a
 * description the change lets go of is put after tmu is released). */
enum entry_op { E_CLOSE, E_RENUMBER, E_GET_CLOEXEC, E_SET_CLOEXEC, E_SET_NONBLOCK };

static int entry_op(vepoll_wasix_t *wx, uint32_t fd, enum entry_op op, uint32_t arg, int *out)
{
    struct vepoll__wx_obj *o, *closed = NULL;
    int rc = builtin_error(wx);
    if (rc)
        return rc;
    pthread_mutex_lock(&wx->tmu);
    o = at_locked(wx, fd);
    if (!o)
        rc = -EBADF;
    else if (op == E_CLOSE)
        closed = replace_locked(wx, fd, NULL, 0);
    else if (op == E_RENUMBER && arg >= MAX_FDS)
        rc = -EBADF;
    else if (op == E_RENUMBER && arg != fd && !(rc = grow_locked(wx, arg + 1))) {
        /* fd's reference and FD_CLOEXEC move to arg */
        closed = replace_locked(wx, arg, o, wx->fds[fd].cloexec);
        set_locked(wx, fd, NULL, 0);
    } else if (op == E_GET_CLOEXEC)
        *out = wx->fds[fd].cloexec;
    else if (op == E_SET_CLOEXEC)
        wx->fds[fd].cloexec = arg != 0;
    else if (op == E_SET_NONBLOCK)
        o->nonblock = arg != 0; /* the description's: every dup sees it */
    pthread_mutex_unlock(&wx->tmu);
    if (closed) /* its reference, after tmu: maybe the final close */
        drop_removed(wx, closed);
    return rc;
}

int vepoll_wasix_renumber(vepoll_wasix_t *wx, uint32_t from, uint32_t to)
{
    return entry_op(wx, from, E_RENUMBER, to, NULL);
}

int vepoll_wasix_close(vepoll_wasix_t *wx, uint32_t fd)
{
    return entry_op(wx, fd, E_CLOSE, 0, NULL);
}

int vepoll_wasix_get_cloexec(vepoll_wasix_t *wx, uint32_t fd, int *on)
{
    if (wx && wx->builtin && !on)
        return -EINVAL;
    return entry_op(wx, fd, E_GET_CLOEXEC, 0, on);
}

int vepoll_wasix_set_cloexec(vepoll_wasix_t *wx, uint32_t fd, int on)
{
    return entry_op(wx, fd, E_SET_CLOEXEC, on != 0, NULL);
}

int vepoll_wasix_set_nonblock(vepoll_wasix_t *wx, uint32_t fd, int on)
{
    return entry_op(wx, fd, E_SET_NONBLOCK, on != 0, NULL);
}

/* ---- the table interface --------------------------------------------------- */

static int t_lookup(void *ctx, uint32_t fd, struct vepoll_wasix_fdref *out)
{
    vepoll_wasix_t *wx = ctx;
    struct vepoll__wx_obj *o;
    memset(out, 0, sizeof(*out));
    o = obj_get(wx, fd, NULL);
    if (!o)
        return -EBADF;
    out->handle = o;
    if (o->k == &vepoll__wx_epoll_kind)
        out->ep = o->u.ep;
    else
        out->src = o->k->source(o); /* NULL for stdio: EPERM */
    return 0;
}

static void t_release(void *ctx, uint32_t fd, const struct vepoll_wasix_fdref *ref)
{
    (void)fd;
    if (ref->handle)
        vepoll__wx_obj_put(ctx, ref->handle);
}

static int t_hold_ep(vepoll_wasix_t *wx, uint32_t fd, struct vepoll__wx_hold *h, vepoll_t **ep)
{
    int rc = vepoll__wx_obj_enter(wx, fd, 0, h, NULL);
    if (!rc)
        *ep = h->o->k == &vepoll__wx_epoll_kind ? h->o->u.ep : NULL;
    return rc;
}

static int t_install_epoll(void *ctx, vepoll_t *ep, uint32_t *fd_out)
{
    vepoll_wasix_t *wx = ctx;
    struct vepoll__wx_obj *o = vepoll__wx_obj_new(&vepoll__wx_epoll_kind, 0, 0);
    int rc;
    if (!o)
        return -ENOMEM;
    o->u.ep = ep;
    rc = vepoll__wx_install(wx, &o, fd_out, 1, 0);
    if (rc)
        vepoll__free(o, sizeof(*o));
    return rc;
}

int vepoll_wasix_epoll(vepoll_wasix_t *wx, uint32_t *fd)
{
    vepoll_t *ep;
    int rc = builtin_error(wx);
    if (rc)
        return rc;
    if (!fd)
        return -EINVAL;
    rc = vepoll_create(&ep);
    if (rc)
        return rc;
    rc = t_install_epoll(wx, ep, fd);
    if (rc)
        vepoll_close(ep);
    return rc;
}

/* ---- create / destroy ----------------------------------------------------------- */

/* Final close of every descriptor of the built-in table.  No call is
 * running (vepoll_wasix_destroy's contract), so no borrow either: the
 * closes need not wait for one, whichever thread destroys. */
static void close_all(vepoll_wasix_t *wx)
{
    wx->borrow_ok = 0;
    for (uint32_t fd = 0; fd < wx->nfds; fd++)
        if (wx->fds[fd].o)
            vepoll_wasix_close(wx, fd);
    vepoll__free(wx->fds, (size_t)wx->nfds * sizeof(*wx->fds));
    wx->fds = NULL;
    wx->nfds = 0;
    while (wx->nretired) {
        wx->nretired--;
        vepoll__free(wx->retired[wx->nretired],
                     (size_t)wx->retired_n[wx->nretired] * sizeof(*wx->fds));
    }
}

/* The host's stdio streams 0, 1, 2 as descriptors 0, 1, 2. */
static int open_stdio(vepoll_wasix_t *wx)
{
    struct vepoll__wx_obj *o[3] = {NULL, NULL, NULL};
    uint32_t fds[3];
    int rc = -ENOMEM, i;
    for (i = 0; i < 3; i++)
        if (!(o[i] = vepoll__wx_obj_new(&vepoll__wx_stdio_kind, i, 0)))
            goto fail;
    rc = vepoll__wx_install(wx, o, fds, 3, 0);
    if (!rc)
        return 0;
fail:
    for (i = 0; i < 3; i++)
        vepoll__free(o[i], o[i] ? sizeof(*o[i]) : 0);
    return rc;
}

int vepoll_wasix_create(vepoll_wasix_t **out, const struct vepoll_wasix_fdtable *table)
{
    vepoll_wasix_t *wx;
    int rc;
    if (!out || (table && (!table->lookup || !table->install_epoll)))
        return -EINVAL;
    rc = vepoll__wx_new(&wx, table);
    if (rc)
        return rc;
    if (!table) {
        wx->builtin = 1;
        wx->table.lookup = t_lookup;
        wx->table.release = t_release;
        wx->table.install_epoll = t_install_epoll;
        wx->table.ctx = wx;
        wx->hold_ep = t_hold_ep;
        wx->drop_hold = vepoll__wx_obj_leave;
        wx->owner = &vepoll__wx_thread_mark;
        wx->borrow_ok = vepoll__membarrier_usable();
        rc = open_stdio(wx);
        if (rc) {
            close_all(wx);
            vepoll__wx_delete(wx);
            return rc;
        }
    }
    *out = wx;
    return 0;
}

void vepoll_wasix_destroy(vepoll_wasix_t *wx)
{
    if (!wx)
        return;
    if (wx->builtin)
        close_all(wx);
    vepoll__wx_delete(wx);
}
