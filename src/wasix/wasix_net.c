/*
 * Real sockets in the built-in table: host kernel descriptors installed as
 * descriptions of the kfd kind (wasix_kinds.c), and the socket calls on
 * them (vepoll_wasix.h, "Host kernel descriptors"); the host's stdio
 * watched through kfds (vepoll_wasix_watch_stdio).
 *
 * Contract: as wasix_io.c -- every call holds a reference on its
 * description for its duration (vepoll__wx_obj_get / _put) and no adapter
 * lock across a syscall or a blocking wait, so a concurrent close of the
 * number cannot close the host descriptor under it.  The host descriptor
 * belongs to the description (its `end`) and is closed by the kind's final
 * close, after the kfd.  O_NONBLOCK of the description decides whether
 * connect and accept block; the host descriptor itself is always
 * non-blocking.  errno is saved and restored around every syscall.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "vepoll_core.h"
#include "vepoll_kfd.h"
#include "wasix_internal.h"
#include "wasix_kinds.h"

#define CREATE_FLAGS (VEPOLL_NONBLOCK | VEPOLL_CLOEXEC)

/* A syscall's -1/errno as a negative errno, errno itself untouched. */
static int sys_rc(int r, int saved)
{
    int rc = r < 0 ? -errno : r;
    errno = saved;
    return rc;
}

int vepoll_wasix_kfd_install(vepoll_wasix_t *wx, int host_fd, int flags, uint32_t *fd)
{
    struct vepoll__wx_obj *o;
    int saved = errno, fl, rc;
    if (!wx)
        return -EBADF;
    if (!wx->builtin)
        return -ENOTSUP;
    if (!fd || (flags & ~CREATE_FLAGS))
        return -EINVAL;
    fl = sys_rc(fcntl(host_fd, F_GETFL), saved);
    if (fl < 0)
        return fl;
    o = vepoll__wx_obj_new(&vepoll__wx_kfd_kind, host_fd, (flags & VEPOLL_NONBLOCK) != 0);
    if (!o)
        return -ENOMEM;
    if (!(fl & O_NONBLOCK) && (rc = sys_rc(fcntl(host_fd, F_SETFL, fl | O_NONBLOCK), saved)))
        goto fail_obj;
    /* NOCLOSE: the description owns host_fd (a failure below leaves it to
     * the caller, as it came). */
    if ((rc = vepoll_kfd_create(&o->u.kfd, host_fd, VEPOLL_KFD_NOCLOSE)))
        goto fail_flags;
    if ((rc = vepoll__wx_install(wx, &o, fd, 1, flags & VEPOLL_CLOEXEC)))
        goto fail_kfd;
    return 0;
fail_kfd:
    vepoll_kfd_close(o->u.kfd);
fail_flags:
    if (!(fl & O_NONBLOCK))
        fcntl(host_fd, F_SETFL, fl);
    errno = saved;
fail_obj:
    vepoll__free(o, sizeof(*o));
    return rc;
}

/* A new host descriptor made for the guest, installed; closed again if
 * that fails. */
static int install_new(vepoll_wasix_t *wx, int host_fd, int flags, uint32_t *fd)
{
    int saved = errno, rc = vepoll_wasix_kfd_install(wx, host_fd, flags, fd);
    if (rc) {
        close(host_fd);
        errno = saved;
    }
    return rc;
}

int vepoll_wasix_socket(vepoll_wasix_t *wx, int domain, int type, int protocol, uint32_t *fd)
{
    int saved = errno, s;
    if (!wx)
        return -EBADF;
    if (!wx->builtin)
        return -ENOTSUP;
    if (!fd)
        return -EINVAL;
    s = sys_rc(socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol), saved);
    if (s < 0)
        return s;
    return install_new(wx, s, type & CREATE_FLAGS, fd);
}

/* fd's kfd, its description held (and its O_NONBLOCK): 0, -EBADF,
 * -ENOTSUP, or -ENOTSOCK for a description of another kind. */
static int kfd_get(vepoll_wasix_t *wx, uint32_t fd, struct vepoll__wx_obj **o, int *nonblock)
{
    int rc = vepoll__wx_obj_get(wx, fd, o, nonblock);
    if (rc)
        return rc;
    if ((*o)->k != &vepoll__wx_kfd_kind) {
        vepoll__wx_obj_put(wx, *o);
        return -ENOTSOCK;
    }
    return 0;
}

/* The socket calls that change no readiness, on the host descriptor. */
enum sockop { S_BIND, S_NAME, S_PEER, S_GETOPT, S_SETOPT, S_LISTEN };

struct sockcall {
    enum sockop op;
    const struct sockaddr *in;
    struct sockaddr *out;
    socklen_t inlen, *outlen;
    int level, name, backlog;
    const void *val;
    void *rval;
};

static int sockop(vepoll_wasix_t *wx, uint32_t fd, const struct sockcall *c)
{
    struct vepoll__wx_obj *o;
    int saved = errno, rc = kfd_get(wx, fd, &o, NULL), s;
    if (rc)
        return rc;
    s = o->end;
    switch (c->op) {
    case S_BIND: rc = sys_rc(bind(s, c->in, c->inlen), saved); break;
    case S_NAME: rc = sys_rc(getsockname(s, c->out, c->outlen), saved); break;
    case S_PEER: rc = sys_rc(getpeername(s, c->out, c->outlen), saved); break;
    case S_GETOPT: rc = sys_rc(getsockopt(s, c->level, c->name, c->rval, c->outlen), saved); break;
    case S_SETOPT: rc = sys_rc(setsockopt(s, c->level, c->name, c->val, c->inlen), saved); break;
    default: rc = sys_rc(listen(s, c->backlog), saved); break;
    }
    /* listen, or an option such as SO_RCVLOWAT, changes what the socket is
     * ready for without a wake-up: ask the kernel. */
    if (!rc && (c->op == S_LISTEN || c->op == S_SETOPT))
        vepoll_kfd_refresh(o->u.kfd);
    vepoll__wx_obj_put(wx, o);
    return rc;
}

int vepoll_wasix_bind(vepoll_wasix_t *wx, uint32_t fd, const struct sockaddr *addr,
                      socklen_t len)
{
    struct sockcall c = {.op = S_BIND, .in = addr, .inlen = len};
    return sockop(wx, fd, &c);
}

int vepoll_wasix_listen(vepoll_wasix_t *wx, uint32_t fd, int backlog)
{
    struct sockcall c = {.op = S_LISTEN, .backlog = backlog};
    return sockop(wx, fd, &c);
}

int vepoll_wasix_sockname(vepoll_wasix_t *wx, uint32_t fd, int peer, struct sockaddr *addr,
                          socklen_t *len)
{
    struct sockcall c = {.op = peer ? S_PEER : S_NAME, .out = addr, .outlen = len};
    return sockop(wx, fd, &c);
}

int vepoll_wasix_getsockopt(vepoll_wasix_t *wx, uint32_t fd, int level, int name, void *val,
                            socklen_t *len)
{
    struct sockcall c = {.op = S_GETOPT, .level = level, .name = name, .rval = val, .outlen = len};
    return sockop(wx, fd, &c);
}

int vepoll_wasix_setsockopt(vepoll_wasix_t *wx, uint32_t fd, int level, int name,
                            const void *val, socklen_t len)
{
    struct sockcall c = {.op = S_SETOPT, .level = level, .name = name, .val = val, .inlen = len};
    return sockop(wx, fd, &c);
}

int vepoll_wasix_connect(vepoll_wasix_t *wx, uint32_t fd, const struct sockaddr *addr,
                         socklen_t len)
{
    struct vepoll__wx_obj *o;
    int nonblock, rc = kfd_get(wx, fd, &o, &nonblock);
    if (rc)
        return rc;
    rc = vepoll_kfd_connect(o->u.kfd, addr, len, nonblock ? 0 : -1);
    vepoll__wx_obj_put(wx, o);
    return rc;
}

int vepoll_wasix_accept(vepoll_wasix_t *wx, uint32_t fd, int flags, struct sockaddr *addr,
                        socklen_t *len, uint32_t *newfd)
{
    struct vepoll__wx_obj *o;
    int nonblock, s, rc;
    if (!newfd || (flags & ~CREATE_FLAGS))
        return wx ? -EINVAL : -EBADF;
    rc = kfd_get(wx, fd, &o, &nonblock);
    if (rc)
        return rc;
    s = vepoll_kfd_accept(o->u.kfd, addr, len, nonblock ? 0 : -1);
    vepoll__wx_obj_put(wx, o);
    return s < 0 ? s : install_new(wx, s, flags, newfd);
}

/* Two phases, so that a failure changes nothing: every kfd is created
 * first, then installed under tmu where the entry is still an unwatched
 * stdio entry (a second call, even a concurrent one, installs nothing and
 * closes what it made). */
int vepoll_wasix_watch_stdio(vepoll_wasix_t *wx)
{
    struct vepoll__wx_obj *o[3] = {NULL, NULL, NULL};
    vepoll_kfd_t *k[3] = {NULL, NULL, NULL};
    uint32_t fd;
    int rc = 0;
    if (!wx)
        return -EBADF;
    if (!wx->builtin)
        return -ENOTSUP;
    for (fd = 0; fd < 3 && !rc; fd++) {
        if (vepoll__wx_obj_get(wx, fd, &o[fd], NULL))
            continue; /* closed or replaced already: not a stdio entry */
        if (o[fd]->k != &vepoll__wx_stdio_kind || o[fd]->u.kfd)
            continue;
        rc = vepoll_kfd_create(&k[fd], o[fd]->end, VEPOLL_KFD_NOCLOSE);
        if (rc == -EPERM || rc == -EBADF)
            rc = 0; /* a file, /dev/null, a closed stream: the host's as before */
    }
    pthread_mutex_lock(&wx->tmu);
    for (fd = 0; fd < 3 && !rc; fd++)
        if (k[fd] && !o[fd]->u.kfd) {
            o[fd]->u.kfd = k[fd];
            k[fd] = NULL;
        }
    pthread_mutex_unlock(&wx->tmu);
    for (fd = 0; fd < 3; fd++) {
        if (k[fd])
            vepoll_kfd_close(k[fd]);
        if (o[fd])
            vepoll__wx_obj_put(wx, o[fd]);
    }
    return rc;
}
