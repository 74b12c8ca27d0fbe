/*
 * The built-in table's open file descriptions (wasix_table.c) and what each
 * kind of them does (wasix_kinds.c): one operations table per kind, so the
 * table never switches on the kind.
 *
 * Contract: a kind's operations are called with a reference to the
 * description held (wasix_table.c) and no adapter lock (wx->mu, wx->tmu)
 * held, so they may block (read, write) and the final close may take
 * wx->mu.  They touch only the object behind the descriptor, which is
 * thread-safe on its own (vepoll_objects.h, vepoll.h).
 */
#ifndef VEPOLL_WASIX_KINDS_H
#define VEPOLL_WASIX_KINDS_H

#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include "vepoll_kfd.h"
#include "vepoll_objects.h"
#include "vepoll_wasix.h"

struct vepoll__wx_kind;

/* One open file description of the built-in table: an object end and the
 * file status flag O_NONBLOCK.  Descriptors (wasix_table.c) refer to it;
 * several do after a dup. */
struct vepoll__wx_obj {
    const struct vepoll__wx_kind *k;
    unsigned refs; /* descriptors + calls in progress, under wx->tmu */
    atomic_int nonblock; /* O_NONBLOCK, shared by every descriptor: set under wx->tmu */
    int end;       /* pipe end / socket end; stdio: the host stream 0..2 */
    union {
        vepoll_t *ep;
        vepoll_pipe_t *pipe;
        vepoll_eventfd_t *efd;
        vepoll_socketpair_t *sp;
        vepoll_timerfd_t *tfd;
        vepoll_kfd_t *kfd; /* a host kernel descriptor (wasix_net.c); watched stdio */
    } u;
};

/*
 * A kind's operations.  A NULL read/write answers `noio` (-EBADF on the
 * wrong end of a pipe, -EINVAL on an epoll fd or a timerfd's write, as
 * Linux); a NULL nbytes reports
 * 0; a NULL shutdown, recv or send is -ENOTSOCK; a NULL settime or gettime
 * -EINVAL (not a timerfd).  source() is NULL for a description that is
 * not pollable (unwatched stdio, whose I/O is the host's: -ENOTSUP).
 */
struct vepoll__wx_kind {
    enum vepoll_wasix_kind id;
    vepoll_source_t *(*source)(struct vepoll__wx_obj *o);
    ssize_t (*read)(struct vepoll__wx_obj *o, void *buf, size_t len, int64_t timeout);
    ssize_t (*write)(struct vepoll__wx_obj *o, const void *buf, size_t len, int64_t timeout);
    int noio;
    ssize_t (*recv)(struct vepoll__wx_obj *o, void *buf, size_t len, int flags, int64_t timeout);
    ssize_t (*send)(struct vepoll__wx_obj *o, const void *buf, size_t len, int flags,
                    int64_t timeout);
    /* Bytes readable now (FIONREAD); ready is the source's readiness. */
    uint64_t (*nbytes)(struct vepoll__wx_obj *o, uint32_t ready);
    int (*shutdown)(struct vepoll__wx_obj *o, int how);
    int (*settime)(struct vepoll__wx_obj *o, int flags, const struct vepoll_itimerspec *nv,
                   struct vepoll_itimerspec *old);
    int (*gettime)(struct vepoll__wx_obj *o, struct vepoll_itimerspec *cur);
    /* Two-ended kinds: creates the object (into o->u) for both ends. */
    int (*create)(struct vepoll__wx_obj *o);
    /* The final close (the last reference is gone); for the objects it
     * forgets the source's guest data, then closes the end (close_end). */
    void (*close)(vepoll_wasix_t *wx, struct vepoll__wx_obj *o);
    void (*close_end)(struct vepoll__wx_obj *o);
};

extern const struct vepoll__wx_kind vepoll__wx_stdio_kind;
extern const struct vepoll__wx_kind vepoll__wx_epoll_kind;
extern const struct vepoll__wx_kind vepoll__wx_pipe_read_kind;
extern const struct vepoll__wx_kind vepoll__wx_pipe_write_kind;
extern const struct vepoll__wx_kind vepoll__wx_eventfd_kind;
extern const struct vepoll__wx_kind vepoll__wx_socket_kind;
extern const struct vepoll__wx_kind vepoll__wx_timerfd_kind;
extern const struct vepoll__wx_kind vepoll__wx_kfd_kind;

#endif
