/*
 * What each kind of open file description of the built-in table does: the
 * operations tables of wasix_kinds.h (the contract is there), thin glue over
 * vepoll.h and vepoll_objects.h.
 */
#include <errno.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vepoll_kfd.h"
#include "vepoll_objects.h"
#include "wasix_kinds.h"

/* The final close of an object's descriptor: the adapter forgets its guest
 * data for the source first (vepoll_wasix.h), then the end is closed. */
static void obj_close(vepoll_wasix_t *wx, struct vepoll__wx_obj *o)
{
    vepoll_wasix_forget_source(wx, o->k->source(o));
    o->k->close_end(o);
}

/* ---- the host's stdio ----
 * Unwatched (u.kfd NULL): not pollable, the host does the I/O (-ENOTSUP
 * here).  Watched (vepoll_wasix_watch_stdio, wasix_net.c): a kfd with
 * VEPOLL_KFD_NOCLOSE on the host stream gives the readiness and does the
 * I/O, reads from stream 0 only and writes to 1 and 2 only (-EBADF, as
 * the host's own stdio path answers). */

static vepoll_source_t *stdio_source(struct vepoll__wx_obj *o)
{
    return o->u.kfd ? vepoll_kfd_source(o->u.kfd) : NULL;
}

static ssize_t stdio_read(struct vepoll__wx_obj *o, void *buf, size_t len, int64_t timeout)
{
    if (!o->u.kfd)
        return -ENOTSUP;
    return o->end == 0 ? vepoll_kfd_read(o->u.kfd, buf, len, timeout) : -EBADF;
}

static ssize_t stdio_write(struct vepoll__wx_obj *o, const void *buf, size_t len,
                           int64_t timeout)
{
    if (!o->u.kfd)
        return -ENOTSUP;
    return o->end != 0 ? vepoll_kfd_write(o->u.kfd, buf, len, timeout) : -EBADF;
}

/* The host stream itself stays open (NOCLOSE): it is the host's. */
static void stdio_close(vepoll_wasix_t *wx, struct vepoll__wx_obj *o)
{
    if (o->u.kfd) {
        vepoll_wasix_forget_source(wx, vepoll_kfd_source(o->u.kfd));
        vepoll_kfd_close(o->u.kfd);
    }
}

const struct vepoll__wx_kind vepoll__wx_stdio_kind = {
    .id = VEPOLL_WASIX_KIND_STDIO,
    .source = stdio_source,
    .read = stdio_read,
    .write = stdio_write,
    .close = stdio_close,
};

/* ---- epoll instances ---- */

static vepoll_source_t *ep_source(struct vepoll__wx_obj *o)
{
    return vepoll_as_source(o->u.ep);
}

static void ep_close(vepoll_wasix_t *wx, struct vepoll__wx_obj *o)
{
    vepoll_wasix_close_epoll(wx, o->u.ep);
}

const struct vepoll__wx_kind vepoll__wx_epoll_kind = {
    .id = VEPOLL_WASIX_KIND_EPOLL,
    .source = ep_source,
    .noio = -EINVAL,
    .close = ep_close,
};

/* ---- pipes (one descriptor per end) ---- */

/* wasix_table.c's open_pair gives end i of a pair to fds[i]. */
_Static_assert(VEPOLL_PIPE_READ == 0 && VEPOLL_PIPE_WRITE == 1, "pipe ends are 0 and 1");

static vepoll_source_t *pipe_source(struct vepoll__wx_obj *o)
{
    return vepoll_pipe_source(o->u.pipe, o->end);
}

static ssize_t pipe_read(struct vepoll__wx_obj *o, void *buf, size_t len, int64_t timeout)
{
    return vepoll_pipe_read(o->u.pipe, buf, len, timeout);
}

static ssize_t pipe_write(struct vepoll__wx_obj *o, const void *buf, size_t len, int64_t timeout)
{
    return vepoll_pipe_write(o->u.pipe, buf, len, timeout);
}

static uint64_t pipe_nbytes(struct vepoll__wx_obj *o, uint32_t ready)
{
    (void)ready;
    return vepoll_pipe_pending(o->u.pipe);
}

static int pipe_create(struct vepoll__wx_obj *o)
{
    /* Pinned: a description closes its end only at its final put, when no
     * call holds or borrows it any more (wasix_table.c). */
    return vepoll_pipe_create(&o->u.pipe, 0, VEPOLL_CALLER_PINS);
}

static void pipe_close_end(struct vepoll__wx_obj *o)
{
    vepoll_pipe_close(o->u.pipe, o->end);
}

const struct vepoll__wx_kind vepoll__wx_pipe_read_kind = {
    .id = VEPOLL_WASIX_KIND_PIPE_READ,
    .source = pipe_source,
    .read = pipe_read,
    .noio = -EBADF,
    .nbytes = pipe_nbytes,
    .create = pipe_create,
    .close = obj_close,
    .close_end = pipe_close_end,
};

const struct vepoll__wx_kind vepoll__wx_pipe_write_kind = {
    .id = VEPOLL_WASIX_KIND_PIPE_WRITE,
    .source = pipe_source,
    .write = pipe_write,
    .noio = -EBADF,
    .create = pipe_create,
    .close = obj_close,
    .close_end = pipe_close_end,
};

/* ---- eventfds ---- */

static vepoll_source_t *efd_source(struct vepoll__wx_obj *o)
{
    return vepoll_eventfd_source(o->u.efd);
}

static ssize_t efd_read(struct vepoll__wx_obj *o, void *buf, size_t len, int64_t timeout)
{
    return vepoll_eventfd_read(o->u.efd, buf, len, timeout);
}

static ssize_t efd_write(struct vepoll__wx_obj *o, const void *buf, size_t len, int64_t timeout)
{
    return vepoll_eventfd_write(o->u.efd, buf, len, timeout);
}

/* The 8-byte counter (or timerfd count), when a read would succeed. */
static uint64_t efd_nbytes(struct vepoll__wx_obj *o, uint32_t ready)
{
    (void)o;
    return (ready & VEPOLL_IN) ? 8 : 0;
}

static void efd_close_end(struct vepoll__wx_obj *o)
{
    vepoll_eventfd_close(o->u.efd);
}

const struct vepoll__wx_kind vepoll__wx_eventfd_kind = {
    .id = VEPOLL_WASIX_KIND_EVENTFD,
    .source = efd_source,
    .read = efd_read,
    .write = efd_write,
    .nbytes = efd_nbytes,
    .close = obj_close,
    .close_end = efd_close_end,
};

/* ---- socket pairs (one descriptor per end) ---- */

static vepoll_source_t *sp_source(struct vepoll__wx_obj *o)
{
    return vepoll_socketpair_source(o->u.sp, o->end);
}

static ssize_t sp_read(struct vepoll__wx_obj *o, void *buf, size_t len, int64_t timeout)
{
    return vepoll_socketpair_read(o->u.sp, o->end, buf, len, timeout);
}

static ssize_t sp_write(struct vepoll__wx_obj *o, const void *buf, size_t len, int64_t timeout)
{
    return vepoll_socketpair_write(o->u.sp, o->end, buf, len, timeout);
}

static uint64_t sp_nbytes(struct vepoll__wx_obj *o, uint32_t ready)
{
    (void)ready;
    return vepoll_socketpair_pending(o->u.sp, o->end);
}

static ssize_t sp_recv(struct vepoll__wx_obj *o, void *buf, size_t len, int flags,
                       int64_t timeout)
{
    return vepoll_socketpair_recv(o->u.sp, o->end, buf, len, flags, timeout);
}

static ssize_t sp_send(struct vepoll__wx_obj *o, const void *buf, size_t len, int flags,
                       int64_t timeout)
{
    return vepoll_socketpair_send(o->u.sp, o->end, buf, len, flags, timeout);
}

static int sp_shutdown(struct vepoll__wx_obj *o, int how)
{
    return vepoll_socketpair_shutdown(o->u.sp, o->end, how);
}

static int sp_create(struct vepoll__wx_obj *o)
{
    return vepoll_socketpair_create(&o->u.sp, 0, VEPOLL_CALLER_PINS); /* as a pipe */
}

static void sp_close_end(struct vepoll__wx_obj *o)
{
    vepoll_socketpair_close(o->u.sp, o->end);
}

const struct vepoll__wx_kind vepoll__wx_socket_kind = {
    .id = VEPOLL_WASIX_KIND_SOCKET,
    .source = sp_source,
    .read = sp_read,
    .write = sp_write,
    .recv = sp_recv,
    .send = sp_send,
    .nbytes = sp_nbytes,
    .shutdown = sp_shutdown,
    .create = sp_create,
    .close = obj_close,
    .close_end = sp_close_end,
};


/* ---- timerfds ---- */

static vepoll_source_t *tfd_source(struct vepoll__wx_obj *o)
{
    return vepoll_timerfd_source(o->u.tfd);
}

static ssize_t tfd_read(struct vepoll__wx_obj *o, void *buf, size_t len, int64_t timeout)
{
    return vepoll_timerfd_read(o->u.tfd, buf, len, timeout);
}

static int tfd_settime(struct vepoll__wx_obj *o, int flags, const struct vepoll_itimerspec *nv,
                       struct vepoll_itimerspec *old)
{
    return vepoll_timerfd_settime(o->u.tfd, flags, nv, old);
}

static int tfd_gettime(struct vepoll__wx_obj *o, struct vepoll_itimerspec *cur)
{
    return vepoll_timerfd_gettime(o->u.tfd, cur);
}

static void tfd_close_end(struct vepoll__wx_obj *o)
{
    vepoll_timerfd_close(o->u.tfd);
}

const struct vepoll__wx_kind vepoll__wx_timerfd_kind = {
    .id = VEPOLL_WASIX_KIND_TIMERFD,
    .source = tfd_source,
    .read = tfd_read,
    .noio = -EINVAL,
    .nbytes = efd_nbytes, /* the 8-byte count, when a read would succeed */
    .settime = tfd_settime,
    .gettime = tfd_gettime,
    .close = obj_close,
    .close_end = tfd_close_end,
};

/* ---- host kernel descriptors: real sockets (vepoll_kfd.h) ---- */

static vepoll_source_t *kfd_source(struct vepoll__wx_obj *o)
{
    return vepoll_kfd_source(o->u.kfd);
}

static ssize_t kfd_read(struct vepoll__wx_obj *o, void *buf, size_t len, int64_t timeout)
{
    return vepoll_kfd_read(o->u.kfd, buf, len, timeout);
}

static ssize_t kfd_write(struct vepoll__wx_obj *o, const void *buf, size_t len, int64_t timeout)
{
    return vepoll_kfd_write(o->u.kfd, buf, len, timeout);
}

static ssize_t kfd_recv(struct vepoll__wx_obj *o, void *buf, size_t len, int flags,
                        int64_t timeout)
{
    return vepoll_kfd_recv(o->u.kfd, buf, len, flags, timeout);
}

static ssize_t kfd_send(struct vepoll__wx_obj *o, const void *buf, size_t len, int flags,
                        int64_t timeout)
{
    return vepoll_kfd_send(o->u.kfd, buf, len, flags, timeout);
}

/* FIONREAD (a listening socket has none: 0). */
static uint64_t kfd_nbytes(struct vepoll__wx_obj *o, uint32_t ready)
{
    int n = 0, saved = errno;
    (void)ready;
    if (ioctl(o->end, FIONREAD, &n) < 0 || n < 0)
        n = 0;
    errno = saved;
    return (uint64_t)n;
}

static int kfd_shutdown(struct vepoll__wx_obj *o, int how)
{
    return vepoll_kfd_shutdown(o->u.kfd, how);
}

/* The description owns the host descriptor (`end`, wasix_net.c): closed
 * after the kfd has left the kernel set. */
static void kfd_close_end(struct vepoll__wx_obj *o)
{
    int saved = errno;
    vepoll_kfd_close(o->u.kfd);
    close(o->end);
    errno = saved;
}

const struct vepoll__wx_kind vepoll__wx_kfd_kind = {
    .id = VEPOLL_WASIX_KIND_KFD,
    .source = kfd_source,
    .read = kfd_read,
    .write = kfd_write,
    .recv = kfd_recv,
    .send = kfd_send,
    .nbytes = kfd_nbytes,
    .shutdown = kfd_shutdown,
    .close = obj_close,
    .close_end = kfd_close_end,
};
