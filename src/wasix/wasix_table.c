/*
 * The adapter's built-in descriptor table: guest fds -> epoll instances,
 * pipe ends, eventfds and socket-pair ends (vepoll_objects.h), plus the
 * object-creating WASIX imports and the host-side I/O a WASI host needs.
 * What differs between those kinds of descriptor is in their operations
 * tables (wasix_kinds.h); this file only dispatches through them.
 *
 * Contract.
 *  - wx->tmu guards wx->objs and every object's refs.  It is held only for
 *    table updates and reference counting, never across I/O, vepoll calls
 *    or wx->mu (lock order: wx->mu, then wx->tmu).
 *  - An open descriptor holds one reference to its object; every call that
 *    uses the object (lookup for the adapter, read, write, poll...) holds
 *    another one for its duration.  close() removes the fd from the table at
 *    once (new lookups fail with EBADF), and whoever drops the last
 *    reference does the final close (the kind's close): forget_source
 *    (frees the adapter's guest data for the source), then the object's
 *    own close, or close_epoll.  So a thread blocked in read or epoll_wait
 *    keeps its object alive, as Linux keeps the file alive, and nothing is
 *    freed under it.
 *  - A release never runs with wx->mu held (the adapter drops wx->mu
 *    first), so the final close may take wx->mu.
 *  - Each fd is its own open file description: there is no dup here, so
 *    the O_NONBLOCK flag lives on the descriptor entry.
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

#define MAX_FDS 65536u

static void obj_put(vepoll_wasix_t *wx, struct vepoll__wx_obj *o)
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

/* The object behind fd with a reference, or NULL (stdio and unknown fds). */
static struct vepoll__wx_obj *obj_get(vepoll_wasix_t *wx, uint32_t fd)
{
    struct vepoll__wx_obj *o = NULL;
    pthread_mutex_lock(&wx->tmu);
    if (fd < wx->nobjs && wx->objs[fd]) {
        o = wx->objs[fd];
        o->refs++;
    }
    pthread_mutex_unlock(&wx->tmu);
    return o;
}

static int is_stdio(uint32_t fd)
{
    return fd < VEPOLL_WASIX_FIRST_FD;
}

/* Installs n objects under the lowest free fds, all or none. */
static int install(vepoll_wasix_t *wx, struct vepoll__wx_obj **os, uint32_t *fds, int n)
{
    int got = 0, rc = 0;
    pthread_mutex_lock(&wx->tmu);
    for (uint32_t fd = VEPOLL_WASIX_FIRST_FD; got < n && fd < MAX_FDS; fd++) {
        if (fd >= wx->nobjs) {
            uint32_t cap = wx->nobjs ? wx->nobjs * 2 : 64;
            struct vepoll__wx_obj **no = vepoll__calloc((size_t)cap * sizeof(*no));
            if (!no) {
                rc = -ENOMEM;
                break;
            }
            if (wx->objs)
                memcpy(no, wx->objs, (size_t)wx->nobjs * sizeof(*no));
            vepoll__free(wx->objs, (size_t)wx->nobjs * sizeof(*no));
            wx->objs = no;
            wx->nobjs = cap;
        }
        if (!wx->objs[fd])
            fds[got++] = fd;
    }
    if (!rc && got < n)
        rc = -EMFILE;
    if (!rc)
        for (int i = 0; i < n; i++) {
            os[i]->refs = 1;
            wx->objs[fds[i]] = os[i];
        }
    pthread_mutex_unlock(&wx->tmu);
    return rc;
}

static struct vepoll__wx_obj *obj_new(const struct vepoll__wx_kind *k, int end, int nonblock)
{
    struct vepoll__wx_obj *o = vepoll__calloc(sizeof(*o));
    if (o) {
        o->k = k;
        o->end = end;
        o->nonblock = nonblock;
    }
    return o;
}

/* ---- the table interface --------------------------------------------------- */

static int t_lookup(void *ctx, uint32_t fd, struct vepoll_wasix_fdref *out)
{
    vepoll_wasix_t *wx = ctx;
    struct vepoll__wx_obj *o;
    memset(out, 0, sizeof(*out));
    if (is_stdio(fd))
        return 0;
    o = obj_get(wx, fd);
    if (!o)
        return -EBADF;
    out->handle = o;
    if (o->k == &vepoll__wx_epoll_kind)
        out->ep = o->u.ep;
    else
        out->src = o->k->source(o);
    return 0;
}

static void t_release(void *ctx, uint32_t fd, const struct vepoll_wasix_fdref *ref)
{
    (void)fd;
    if (ref->handle)
        obj_put(ctx, ref->handle);
}

static int t_install_epoll(void *ctx, vepoll_t *ep, uint32_t *fd_out)
{
    vepoll_wasix_t *wx = ctx;
    struct vepoll__wx_obj *o = obj_new(&vepoll__wx_epoll_kind, 0, 0);
    int rc;
    if (!o)
        return -ENOMEM;
    o->u.ep = ep;
    rc = install(wx, &o, fd_out, 1);
    if (rc)
        vepoll__free(o, sizeof(*o));
    return rc;
}

/* Final close of every descriptor of the built-in table. */
static void close_all(vepoll_wasix_t *wx)
{
    for (uint32_t fd = 0; fd < wx->nobjs; fd++)
        if (wx->objs[fd])
            vepoll_wasix_close(wx, fd);
    vepoll__free(wx->objs, (size_t)wx->nobjs * sizeof(*wx->objs));
    wx->objs = NULL;
    wx->nobjs = 0;
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

int vepoll_wasix_epoll(vepoll_wasix_t *wx, uint32_t *fd)
{
    vepoll_t *ep;
    int rc;
    if (!wx || !fd)
        return -EINVAL;
    if (!wx->builtin)
        return -ENOTSUP;
    rc = vepoll_create(&ep);
    if (rc)
        return rc;
    rc = t_install_epoll(wx, ep, fd);
    if (rc)
        vepoll_close(ep);
    return rc;
}

/* Two descriptors around one two-ended object (a pipe, a socket pair):
 * fds[0] is its end 0, of kind k0 (a pipe's read end), fds[1] its end 1. */
static int open_pair(vepoll_wasix_t *wx, int flags, uint32_t fds[2],
                     const struct vepoll__wx_kind *k0, const struct vepoll__wx_kind *k1)
{
    struct vepoll__wx_obj *o[2];
    int rc, nb = (flags & VEPOLL_NONBLOCK) != 0;
    if (!wx || !fds)
        return -EINVAL;
    if (!wx->builtin)
        return -ENOTSUP;
    if (flags & ~VEPOLL_NONBLOCK)
        return -EINVAL;
    o[0] = obj_new(k0, 0, nb);
    o[1] = obj_new(k1, 1, nb);
    rc = -ENOMEM;
    if (!o[0] || !o[1])
        goto fail_objs;
    rc = k0->create(o[0]);
    if (rc)
        goto fail_objs;
    o[1]->u = o[0]->u;
    rc = install(wx, o, fds, 2);
    if (rc)
        goto fail_created;
    return 0;
fail_created:
    k0->close_end(o[0]);
    k1->close_end(o[1]);
fail_objs:
    vepoll__free(o[0], o[0] ? sizeof(*o[0]) : 0);
    vepoll__free(o[1], o[1] ? sizeof(*o[1]) : 0);
    return rc;
}

int vepoll_wasix_pipe(vepoll_wasix_t *wx, int flags, uint32_t fds[2])
{
    return open_pair(wx, flags, fds, &vepoll__wx_pipe_read_kind, &vepoll__wx_pipe_write_kind);
}

int vepoll_wasix_socketpair(vepoll_wasix_t *wx, int flags, uint32_t fds[2])
{
    return open_pair(wx, flags, fds, &vepoll__wx_socket_kind, &vepoll__wx_socket_kind);
}

int vepoll_wasix_eventfd(vepoll_wasix_t *wx, uint64_t initval, int flags, uint32_t *fd)
{
    struct vepoll__wx_obj *o;
    int rc;
    if (!wx || !fd)
        return -EINVAL;
    if (!wx->builtin)
        return -ENOTSUP;
    if (flags & ~(VEPOLL_NONBLOCK | VEPOLL_EFD_SEMAPHORE))
        return -EINVAL;
    o = obj_new(&vepoll__wx_eventfd_kind, 0, (flags & VEPOLL_NONBLOCK) != 0);
    if (!o)
        return -ENOMEM;
    rc = vepoll_eventfd_create(&o->u.efd, initval, flags & VEPOLL_EFD_SEMAPHORE);
    if (rc)
        goto fail_obj;
    rc = install(wx, &o, fd, 1);
    if (rc)
        goto fail_efd;
    return 0;
fail_efd:
    vepoll__wx_eventfd_kind.close_end(o);
fail_obj:
    vepoll__free(o, sizeof(*o));
    return rc;
}

int vepoll_wasix_close(vepoll_wasix_t *wx, uint32_t fd)
{
    struct vepoll__wx_obj *o = NULL;
    if (!wx)
        return -EBADF;
    if (!wx->builtin)
        return -ENOTSUP;
    pthread_mutex_lock(&wx->tmu);
    if (fd < wx->nobjs) {
        o = wx->objs[fd];
        wx->objs[fd] = NULL;
    }
    pthread_mutex_unlock(&wx->tmu);
    if (!o)
        return -EBADF;
    obj_put(wx, o);
    return 0;
}

/* Looks fd up for a host-side call: -EBADF, or -ENOTSUP for stdio (the host
 * serves those itself). */
static int host_get(vepoll_wasix_t *wx, uint32_t fd, struct vepoll__wx_obj **out)
{
    if (!wx)
        return -EBADF;
    if (!wx->builtin)
        return -ENOTSUP;
    *out = obj_get(wx, fd);
    if (*out)
        return 0;
    return is_stdio(fd) ? -ENOTSUP : -EBADF;
}

int vepoll_wasix_shutdown(vepoll_wasix_t *wx, uint32_t fd, int how)
{
    struct vepoll__wx_obj *o;
    int rc = host_get(wx, fd, &o);
    if (rc)
        return rc == -ENOTSUP && wx && wx->builtin ? -ENOTSOCK : rc;
    rc = o->k->shutdown ? o->k->shutdown(o, how) : -ENOTSOCK;
    obj_put(wx, o);
    return rc;
}

/* read (into rbuf) or, writing, write (from wbuf) on fd: blocking unless
 * the descriptor is non-blocking. */
static int64_t host_io(vepoll_wasix_t *wx, uint32_t fd, void *rbuf, const void *wbuf, size_t len,
                       int writing)
{
    struct vepoll__wx_obj *o;
    const struct vepoll__wx_kind *k;
    int64_t timeout;
    ssize_t n;
    int rc = host_get(wx, fd, &o);
    if (rc)
        return rc;
    k = o->k;
    timeout = o->nonblock ? 0 : -1;
    if (writing)
        n = k->write ? k->write(o, wbuf, len, timeout) : k->noio;
    else
        n = k->read ? k->read(o, rbuf, len, timeout) : k->noio;
    obj_put(wx, o);
    return n;
}

int64_t vepoll_wasix_read(vepoll_wasix_t *wx, uint32_t fd, void *buf, size_t len)
{
    return host_io(wx, fd, buf, NULL, len, 0);
}

int64_t vepoll_wasix_write(vepoll_wasix_t *wx, uint32_t fd, const void *buf, size_t len)
{
    return host_io(wx, fd, NULL, buf, len, 1);
}

int vepoll_wasix_set_nonblock(vepoll_wasix_t *wx, uint32_t fd, int on)
{
    struct vepoll__wx_obj *o;
    int rc = host_get(wx, fd, &o);
    if (rc)
        return rc;
    pthread_mutex_lock(&wx->tmu);
    o->nonblock = on != 0;
    pthread_mutex_unlock(&wx->tmu);
    obj_put(wx, o);
    return 0;
}

int vepoll_wasix_fd_info(vepoll_wasix_t *wx, uint32_t fd, struct vepoll_wasix_fdinfo *out)
{
    struct vepoll__wx_obj *o;
    int rc;
    if (!out)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    rc = host_get(wx, fd, &o);
    if (rc == -ENOTSUP && wx->builtin) {
        out->kind = VEPOLL_WASIX_KIND_STDIO;
        return 0;
    }
    if (rc)
        return rc;
    out->kind = o->k->id;
    out->nonblock = o->nonblock;
    out->ready = vepoll_source_ready(o->k->source(o));
    if (o->k->nbytes)
        out->nbytes = o->k->nbytes(o, out->ready);
    obj_put(wx, o);
    return 0;
}

/* poll(2) on a private instance: one registration per item, keyed by the
 * item's index, so an fd asked for both IN and OUT in two items works. */
int vepoll_wasix_poll(vepoll_wasix_t *wx, struct vepoll_wasix_pollitem *items, size_t n,
                      int64_t timeout_ns)
{
    struct vepoll__wx_obj **objs = NULL;
    struct vepoll_event evs[64];
    vepoll_t *ep = NULL;
    size_t i;
    int rc, ready = 0;

    if (!wx)
        return -EBADF;
    if (!wx->builtin)
        return -ENOTSUP;
    if (n > MAX_FDS || (n && !items))
        return -EINVAL;
    if (n) {
        objs = vepoll__calloc(n * sizeof(*objs));
        if (!objs)
            return -ENOMEM;
    }
    rc = vepoll_create(&ep);
    if (rc)
        goto out;
    for (i = 0; i < n; i++) {
        struct vepoll_event ev;
        items[i].revents = 0;
        items[i].ok = 0;
        objs[i] = obj_get(wx, items[i].fd);
        if (!objs[i]) {
            if (is_stdio(items[i].fd)) {
                /* The host's stdio never blocks the guest's poll. */
                items[i].revents = items[i].events & (VEPOLL_IN | VEPOLL_OUT);
                ready += items[i].revents != 0;
            } else {
                items[i].ok = -EBADF;
            }
            continue;
        }
        memset(&ev, 0, sizeof(ev));
        ev.events = items[i].events;
        ev.data.u64 = i;
        rc = vepoll_ctl(ep, VEPOLL_CTL_ADD, (int)i, objs[i]->k->source(objs[i]), &ev);
        if (rc)
            goto out;
    }
    /* Each registration yields at most one event per wait, so waits with a
     * zero timeout after the first collect them all. */
    for (int64_t to = ready ? 0 : timeout_ns;; to = 0) {
        int got = vepoll_wait(ep, evs, 64, to), j;
        if (got < 0) {
            rc = got;
            goto out;
        }
        for (j = 0; j < got; j++) {
            size_t k = (size_t)evs[j].data.u64;
            if (!items[k].revents)
                ready++;
            items[k].revents |= evs[j].events;
        }
        if (got < 64)
            break;
    }
    rc = ready;
out:
    if (ep)
        vepoll_close(ep);
    for (i = 0; i < n; i++)
        if (objs[i])
            obj_put(wx, objs[i]);
    vepoll__free(objs, n * sizeof(*objs));
    return rc;
}

/* ---- the object imports ---------------------------------------------------- */

static uint32_t put_fds(struct vepoll_wasix_mem *mem, uint64_t p0, uint64_t p1, const uint32_t *fds,
                        int n)
{
    memcpy(mem->base + p0, &fds[0], 4);
    if (n > 1)
        memcpy(mem->base + p1, &fds[1], 4);
    return VEPOLL_WASI_ESUCCESS;
}

uint32_t vepoll_wasix_fd_pipe(vepoll_wasix_t *wx, struct vepoll_wasix_mem mem,
                              uint64_t ret_rfd_ptr, uint64_t ret_wfd_ptr)
{
    uint32_t fds[2];
    int rc;
    if (!vepoll__wx_in(&mem, ret_rfd_ptr, 4) || !vepoll__wx_in(&mem, ret_wfd_ptr, 4))
        return VEPOLL_WASI_EMEMVIOLATION;
    rc = vepoll_wasix_pipe(wx, 0, fds);
    if (rc)
        return vepoll_wasix_errno(rc);
    return put_fds(&mem, ret_rfd_ptr, ret_wfd_ptr, fds, 2);
}

uint32_t vepoll_wasix_fd_event(vepoll_wasix_t *wx, struct vepoll_wasix_mem mem,
                               uint64_t initval, uint32_t flags, uint64_t ret_fd_ptr)
{
    uint32_t fd;
    int rc, sem;
    if (!vepoll__wx_in(&mem, ret_fd_ptr, 4))
        return VEPOLL_WASI_EMEMVIOLATION;
    if (flags & ~VEPOLL_WASIX_EVENTFD_SEMAPHORE)
        return VEPOLL_WASI_EINVAL;
    sem = (flags & VEPOLL_WASIX_EVENTFD_SEMAPHORE) ? VEPOLL_EFD_SEMAPHORE : 0;
    rc = vepoll_wasix_eventfd(wx, initval, sem, &fd);
    if (rc)
        return vepoll_wasix_errno(rc);
    return put_fds(&mem, ret_fd_ptr, 0, &fd, 1);
}

uint32_t vepoll_wasix_sock_pair(vepoll_wasix_t *wx, struct vepoll_wasix_mem mem,
                                uint32_t af, uint32_t type, uint32_t proto,
                                uint64_t ret_fd0_ptr, uint64_t ret_fd1_ptr)
{
    uint32_t fds[2];
    int rc;
    if (!vepoll__wx_in(&mem, ret_fd0_ptr, 4) || !vepoll__wx_in(&mem, ret_fd1_ptr, 4))
        return VEPOLL_WASI_EMEMVIOLATION;
    if (af != VEPOLL_WASIX_AF_UNIX || type != VEPOLL_WASIX_SOCK_STREAM || proto != 0)
        return VEPOLL_WASI_ENOTSUP;
    rc = vepoll_wasix_socketpair(wx, 0, fds);
    if (rc)
        return vepoll_wasix_errno(rc);
    return put_fds(&mem, ret_fd0_ptr, ret_fd1_ptr, fds, 2);
}

uint32_t vepoll_wasix_sock_shutdown(vepoll_wasix_t *wx, uint32_t fd, uint32_t how)
{
    static const int map[4] = {-1, VEPOLL_SHUT_RD, VEPOLL_SHUT_WR, VEPOLL_SHUT_RDWR};
    if (how == 0 || how > 3)
        return VEPOLL_WASI_EINVAL;
    return vepoll_wasix_errno(vepoll_wasix_shutdown(wx, fd, map[how]));
}
