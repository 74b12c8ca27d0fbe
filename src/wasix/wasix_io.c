/*
 * Host-side calls on the built-in table's descriptors: creating pipes,
 * eventfds, socket pairs and timerfds, read / write / recv / send /
 * shutdown, the timerfd settings, fd_info, poll, and the object-creating
 * WASIX imports.  What differs between kinds of description is in their
 * operations tables (wasix_kinds.h); this file only dispatches through
 * them.
 *
 * Contract: every call takes its description with a reference
 * (vepoll__wx_obj_get, under wx->tmu) and drops it when done
 * (vepoll__wx_obj_put), holding no adapter lock in between, so blocking
 * calls block on the object alone and a concurrent close of the descriptor
 * does not free the description under them (wasix_table.c).  O_NONBLOCK is
 * read once, when the call starts.
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

#define CREATE_FLAGS (VEPOLL_NONBLOCK | VEPOLL_CLOEXEC)

/* The checks of a creating call: the table, the result pointer, flags
 * within `allowed`. */
static int create_error(const vepoll_wasix_t *wx, const void *out, int flags, int allowed)
{
    if (!wx)
        return -EBADF;
    if (!wx->builtin)
        return -ENOTSUP;
    return !out || (flags & ~allowed) ? -EINVAL : 0;
}

/* Two descriptors around one two-ended object (a pipe, a socket pair):
 * fds[0] is its end 0, of kind k0 (a pipe's read end), fds[1] its end 1. */
static int open_pair(vepoll_wasix_t *wx, int flags, uint32_t fds[2],
                     const struct vepoll__wx_kind *k0, const struct vepoll__wx_kind *k1)
{
    struct vepoll__wx_obj *o[2];
    int rc = create_error(wx, fds, flags, CREATE_FLAGS), nb = (flags & VEPOLL_NONBLOCK) != 0;
    if (rc)
        return rc;
    o[0] = vepoll__wx_obj_new(k0, 0, nb);
    o[1] = vepoll__wx_obj_new(k1, 1, nb);
    rc = -ENOMEM;
    if (!o[0] || !o[1])
        goto fail_objs;
    rc = k0->create(o[0]);
    if (rc)
        goto fail_objs;
    o[1]->u = o[0]->u;
    rc = vepoll__wx_install(wx, o, fds, 2, flags & VEPOLL_CLOEXEC);
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

/* One descriptor around a new single-ended object, which `create` makes
 * (into o->u; a negative errno with nothing made). */
static int open_one(vepoll_wasix_t *wx, const struct vepoll__wx_kind *k, int flags, uint32_t *fd,
                    int (*create)(struct vepoll__wx_obj *o, const void *arg), const void *arg)
{
    struct vepoll__wx_obj *o = vepoll__wx_obj_new(k, 0, (flags & VEPOLL_NONBLOCK) != 0);
    int rc;
    if (!o)
        return -ENOMEM;
    rc = create(o, arg);
    if (rc)
        goto fail_obj;
    rc = vepoll__wx_install(wx, &o, fd, 1, flags & VEPOLL_CLOEXEC);
    if (rc)
        goto fail_created;
    return 0;
fail_created:
    k->close_end(o);
fail_obj:
    vepoll__free(o, sizeof(*o));
    return rc;
}

struct efd_args {
    uint64_t initval;
    int flags;
};

static int create_efd(struct vepoll__wx_obj *o, const void *arg)
{
    const struct efd_args *a = arg;
    /* Pinned: a description closes its object only at its final put, when
     * no call holds or borrows it any more (wasix_table.c). */
    return vepoll_eventfd_create(&o->u.efd, a->initval, a->flags | VEPOLL_CALLER_PINS);
}

int vepoll_wasix_eventfd(vepoll_wasix_t *wx, uint64_t initval, int flags, uint32_t *fd)
{
    struct efd_args a = {initval, flags & VEPOLL_EFD_SEMAPHORE};
    int rc = create_error(wx, fd, flags, CREATE_FLAGS | VEPOLL_EFD_SEMAPHORE);
    return rc ? rc : open_one(wx, &vepoll__wx_eventfd_kind, flags, fd, create_efd, &a);
}

static int create_tfd(struct vepoll__wx_obj *o, const void *arg)
{
    return vepoll_timerfd_create(&o->u.tfd, *(const int *)arg, 0);
}

int vepoll_wasix_timerfd_create(vepoll_wasix_t *wx, int clockid, int flags, uint32_t *fd)
{
    int rc = create_error(wx, fd, flags, CREATE_FLAGS);
    if (!rc && clockid != VEPOLL_CLOCK_REALTIME && clockid != VEPOLL_CLOCK_MONOTONIC)
        rc = -EINVAL;
    return rc ? rc : open_one(wx, &vepoll__wx_timerfd_kind, flags, fd, create_tfd, &clockid);
}

/* ---- I/O --------------------------------------------------------------------------- */

/* fn on fd's description, held for the call (-EBADF, -ENOTSUP first). */
static int on_desc(vepoll_wasix_t *wx, uint32_t fd,
                   int (*fn)(struct vepoll__wx_obj *o, void *arg), void *arg)
{
    struct vepoll__wx_obj *o;
    int rc = vepoll__wx_obj_get(wx, fd, &o, NULL);
    if (rc)
        return rc;
    rc = fn(o, arg);
    vepoll__wx_obj_put(wx, o);
    return rc;
}

static int shutdown_desc(struct vepoll__wx_obj *o, void *how)
{
    return o->k->shutdown ? o->k->shutdown(o, *(int *)how) : -ENOTSOCK;
}

int vepoll_wasix_shutdown(vepoll_wasix_t *wx, uint32_t fd, int how)
{
    return on_desc(wx, fd, shutdown_desc, &how);
}

/* The four transfers, one way through the description's kind. */
enum xfer { X_READ, X_WRITE, X_RECV, X_SEND };

/* read / write / recv / send on fd: blocking unless the description is
 * non-blocking (recv and send: or MSG_DONTWAIT is given).  recv and send
 * are -ENOTSOCK on anything but a socket, then the object checks the
 * flags. */
static int64_t xfer(vepoll_wasix_t *wx, uint32_t fd, void *rbuf, const void *wbuf, size_t len,
                    int flags, enum xfer x)
{
    struct vepoll__wx_hold h;
    struct vepoll__wx_obj *o;
    const struct vepoll__wx_kind *k;
    int64_t timeout;
    ssize_t n;
    /* Borrowed on the owner thread when it cannot block (wasix_table.c). */
    int nonblock, rc = vepoll__wx_obj_enter(wx, fd, 1, &h, &nonblock);
    if (rc)
        return rc;
    o = h.o;
    k = o->k;
    timeout = nonblock ? 0 : -1;
    switch (x) {
    case X_READ: n = k->read ? k->read(o, rbuf, len, timeout) : k->noio; break;
    case X_WRITE: n = k->write ? k->write(o, wbuf, len, timeout) : k->noio; break;
    case X_RECV: n = k->recv ? k->recv(o, rbuf, len, flags, timeout) : -ENOTSOCK; break;
    default: n = k->send ? k->send(o, wbuf, len, flags, timeout) : -ENOTSOCK; break;
    }
    vepoll__wx_obj_leave(wx, &h);
    return n;
}

int64_t vepoll_wasix_read(vepoll_wasix_t *wx, uint32_t fd, void *buf, size_t len)
{
    return xfer(wx, fd, buf, NULL, len, 0, X_READ);
}

int64_t vepoll_wasix_write(vepoll_wasix_t *wx, uint32_t fd, const void *buf, size_t len)
{
    return xfer(wx, fd, NULL, buf, len, 0, X_WRITE);
}

int64_t vepoll_wasix_recv(vepoll_wasix_t *wx, uint32_t fd, void *buf, size_t len, int flags)
{
    return xfer(wx, fd, buf, NULL, len, flags, X_RECV);
}

int64_t vepoll_wasix_send(vepoll_wasix_t *wx, uint32_t fd, const void *buf, size_t len, int flags)
{
    return xfer(wx, fd, NULL, buf, len, flags, X_SEND);
}

/* ---- timerfd settings ---------------------------------------------------------------- */

int vepoll_wasix_timerfd_settime(vepoll_wasix_t *wx, uint32_t fd, int flags,
                                 const struct vepoll_itimerspec *nv, struct vepoll_itimerspec *old)
{
    struct vepoll__wx_obj *o;
    int rc = vepoll__wx_obj_get(wx, fd, &o, NULL);
    if (rc) {
        /* Linux checks the new value and the flags before the fd: the
         * object's checks do that, and answer -EBADF for no timer. */
        int v = vepoll_timerfd_settime(NULL, flags, nv, old);
        return v == -EBADF ? rc : v;
    }
    if (o->k->settime) {
        rc = o->k->settime(o, flags, nv, old);
    } else {
        rc = vepoll_timerfd_settime(NULL, flags, nv, old);
        if (rc == -EBADF)
            rc = -EINVAL; /* an open fd that is not a timerfd */
    }
    vepoll__wx_obj_put(wx, o);
    return rc;
}

static int gettime_desc(struct vepoll__wx_obj *o, void *cur)
{
    return o->k->gettime ? o->k->gettime(o, cur) : -EINVAL;
}

int vepoll_wasix_timerfd_gettime(vepoll_wasix_t *wx, uint32_t fd, struct vepoll_itimerspec *cur)
{
    return on_desc(wx, fd, gettime_desc, cur);
}

/* ---- fd_info and poll ------------------------------------------------------------------ */

int vepoll_wasix_fd_info(vepoll_wasix_t *wx, uint32_t fd, struct vepoll_wasix_fdinfo *out)
{
    struct vepoll__wx_obj *o;
    vepoll_source_t *src;
    int nonblock, rc;
    if (!out)
        return -EINVAL;
    rc = vepoll__wx_obj_get(wx, fd, &o, &nonblock);
    if (rc)
        return rc;
    memset(out, 0, sizeof(*out));
    out->kind = o->k->id;
    out->nonblock = nonblock;
    out->host_stdio = o->k == &vepoll__wx_stdio_kind ? o->end : -1;
    /* An instance's readiness is a poll of it, which (as Linux's) drops the
     * entries it finds not ready from its ready list: fcntl or fstat must
     * not do that, so it is left out here (vepoll_wasix_poll polls). */
    src = o->k == &vepoll__wx_epoll_kind ? NULL : o->k->source(o);
    out->ready = src ? vepoll_source_ready(src) : 0;
    if (o->k->nbytes)
        out->nbytes = o->k->nbytes(o, out->ready);
    vepoll__wx_obj_put(wx, o);
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
    int rc, ready = 0, answered = 0;

    if (!wx)
        return -EBADF;
    if (!wx->builtin)
        return -ENOTSUP;
    if (n > VEPOLL_WASIX_MAX_FDS || (n && !items))
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
        vepoll_source_t *src;
        items[i].revents = 0;
        items[i].ok = vepoll__wx_obj_get(wx, items[i].fd, &objs[i], NULL);
        if (items[i].ok) {
            answered = 1; /* an answer already (poll(2)'s POLLNVAL) */
            continue;
        }
        src = objs[i]->k->source(objs[i]);
        if (!src) {
            /* The host's stdio never blocks the guest's poll. */
            items[i].revents = items[i].events & (VEPOLL_IN | VEPOLL_OUT);
            ready += items[i].revents != 0;
            continue;
        }
        memset(&ev, 0, sizeof(ev));
        ev.events = items[i].events;
        ev.data.u64 = i;
        rc = vepoll_ctl(ep, VEPOLL_CTL_ADD, (int)i, src, &ev);
        if (rc)
            goto out;
    }
    /* Each registration yields at most one event per wait, so waits with a
     * zero timeout after the first collect them all. */
    for (int64_t to = ready || answered ? 0 : timeout_ns;; to = 0) {
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
    /* Then every item once more, from its readiness now, as Linux's
     * do_poll scans every descriptor again after a wake-up or the timeout:
     * a producer posts to the registrations of one source one after the
     * other, after it published the readiness, so the wait may end between
     * two of them (one descriptor in two items). */
    for (i = 0; i < n; i++) {
        vepoll_source_t *src = items[i].ok ? NULL : objs[i]->k->source(objs[i]);
        uint32_t now;
        if (!src)
            continue;
        now = vepoll_source_ready(src) & (items[i].events | VEPOLL_ERR | VEPOLL_HUP);
        if (now && !items[i].revents)
            ready++;
        items[i].revents |= now;
    }
    rc = ready;
out:
    if (ep)
        vepoll_close(ep);
    for (i = 0; i < n; i++)
        if (objs[i])
            vepoll__wx_obj_put(wx, objs[i]);
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
