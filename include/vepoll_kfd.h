/*
 * vepoll_kfd: kernel-descriptor sources.  A vepoll source that mirrors the
 * readiness of one real kernel descriptor (a socket, a listening socket, a
 * pipe, a terminal), so a runtime can put a guest's real sockets in the same
 * vepoll instance as its virtual objects, with Linux's epoll semantics over
 * both (LT, ET, ONESHOT, EXCLUSIVE, RDHUP, HUP/ERR, nesting).
 *
 * How the mirror stays exact (docs/ARCHITECTURE.md, "Kernel descriptors"):
 * the descriptor is watched edge-triggered in one process-wide kernel epoll
 * set, read-side and write-side wake-ups separately, and every kernel
 * wake-up sets the bits the kernel reports -- an event, as on Linux.  Bits
 * are cleared only by this source's own I/O calls below, when the kernel's
 * answer proves them gone (EAGAIN, a short read of a stream) or, when it
 * leaves them open (a full write), after asking the kernel (poll); a
 * runtime that does I/O on the descriptor itself reports its EAGAINs with
 * vepoll_kfd_ticket / vepoll_kfd_note_eagain.  A wake-up that races with
 * such a clear is never lost.  A thread blocked in vepoll_wait on an
 * instance that watches kfd sources (directly or through nesting) sleeps in
 * that kernel set itself, so a network event wakes it with no thread in
 * between; every vepoll_wait on such an instance first collects what the
 * kernel has.
 *
 * Calls return a byte count / a descriptor / 0, or a negative errno; none
 * touches errno.  I/O calls take a timeout as the ready-made objects'
 * (vepoll_objects.h): 0 never blocks (-EAGAIN), < 0 blocks until the call
 * can proceed, > 0 blocks at least that many nanoseconds and then returns
 * -EAGAIN (or, for a write that moved bytes, their count).  A blocked call
 * waits in the kernel (no CPU), returns -EINTR when the calling thread's
 * vepoll_intr handle is raised (bytes already moved are returned instead)
 * and -EBADF when the kfd is closed under it.  A NULL kfd is -EBADF, a NULL
 * out pointer -EINVAL.
 *
 * Linux only.  The process-wide kernel set and its eventfd are created with
 * the first kfd and stay open for the life of the process (two
 * descriptors).  Each kfd uses its descriptor plus one duplicate of it.
 */
#ifndef VEPOLL_KFD_H
#define VEPOLL_KFD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "vepoll.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vepoll_kfd vepoll_kfd_t;

/* vepoll_kfd_create flags: the descriptor stays the caller's: closing the
 * kfd does not close it (stdio, a descriptor shared with other code). */
#define VEPOLL_KFD_NOCLOSE 1

/*
 * A source mirroring fd, which the kfd owns from now on (closes it on
 * vepoll_kfd_close) unless VEPOLL_KFD_NOCLOSE.  The descriptor should be
 * non-blocking (O_NONBLOCK); one that is not (a terminal shared with the
 * parent shell) is looked at with poll before each I/O call, so a call that
 * must not block does not -- unless another reader takes the data between
 * the two.  The source's readiness starts at 0 and the kernel's first
 * report (what the descriptor is ready for now) arrives as an event at the
 * next vepoll_wait of an instance that watches it: a registration added
 * right after creation reports it as Linux's ADD of a ready descriptor does.
 * Errors: -EINVAL (out NULL, bad flags), -EBADF (fd not open), -EPERM (the
 * kernel's epoll cannot watch it: a regular file, /dev/null), -ENOMEM,
 * -EMFILE (no descriptor left for the duplicate).  A failed call leaves fd
 * open.
 */
int vepoll_kfd_create(vepoll_kfd_t **out, int fd, int flags);
/* The source to register with vepoll_ctl (NULL for NULL or once closed). */
vepoll_source_t *vepoll_kfd_source(vepoll_kfd_t *k);
/* The kernel descriptor (-EBADF for NULL or once closed): for calls that
 * change no readiness (bind, getsockname, setsockopt...).  After a call that
 * does (listen, or any I/O done outside this API), see vepoll_kfd_refresh
 * and vepoll_kfd_note_eagain. */
int vepoll_kfd_fd(vepoll_kfd_t *k);

/* read(2) / write(2).  A write to a pipe whose reader is gone raises SIGPIPE
 * as write(2) does (sockets never: they use MSG_NOSIGNAL). */
ssize_t vepoll_kfd_read(vepoll_kfd_t *k, void *buf, size_t len, int64_t timeout_ns);
ssize_t vepoll_kfd_write(vepoll_kfd_t *k, const void *buf, size_t len, int64_t timeout_ns);
/* recv(2) / send(2) with Linux's MSG_* flags (VEPOLL_MSG_* have the same
 * values), passed to the kernel, which checks them: VEPOLL_MSG_DONTWAIT makes
 * this call non-blocking, VEPOLL_MSG_WAITALL keeps receiving (and blocking)
 * until len bytes, EOF, an error or the timeout; send always adds
 * MSG_NOSIGNAL.  -ENOTSOCK on a descriptor that is not a socket. */
ssize_t vepoll_kfd_recv(vepoll_kfd_t *k, void *buf, size_t len, int flags, int64_t timeout_ns);
ssize_t vepoll_kfd_send(vepoll_kfd_t *k, const void *buf, size_t len, int flags,
                        int64_t timeout_ns);
/* accept4(2) on a listening socket: the new connection's descriptor
 * (non-blocking, close-on-exec: make a kfd of it), its peer address as
 * accept4 gives it (addr may be NULL).  -EAGAIN / blocks when no connection
 * waits; the kernel's errors (-EINVAL not listening, -ENOTSOCK...). */
int vepoll_kfd_accept(vepoll_kfd_t *k, struct sockaddr *addr, socklen_t *addrlen,
                      int64_t timeout_ns);
/* connect(2).  With timeout 0, -EINPROGRESS while the connection is being
 * made (the source becomes writable when it is done; SO_ERROR tells how);
 * otherwise waits for it and returns 0 or the connection's error
 * (-ECONNREFUSED...), -EAGAIN after the timeout (-EALREADY on a second
 * call while it is still in progress, as Linux). */
int vepoll_kfd_connect(vepoll_kfd_t *k, const struct sockaddr *addr, socklen_t addrlen,
                       int64_t timeout_ns);
/* shutdown(2): how = VEPOLL_SHUT_RD / WR / RDWR (SHUT_* values). */
int vepoll_kfd_shutdown(vepoll_kfd_t *k, int how);

/* Asks the kernel (poll) and clears every bit that is no longer ready: after
 * a call on vepoll_kfd_fd that changes readiness without an I/O result to
 * learn from (listen, a read done elsewhere).  Sets nothing: what becomes
 * ready arrives as an event.  0, -EBADF. */
int vepoll_kfd_refresh(vepoll_kfd_t *k);
/* For I/O a runtime does itself on vepoll_kfd_fd: take a ticket before the
 * call; if the call fails with EAGAIN, report the bits it proves not ready
 * (VEPOLL_IN | VEPOLL_RDNORM for a read, VEPOLL_OUT | VEPOLL_WRNORM |
 * VEPOLL_WRBAND for a write) with that ticket.  They are cleared unless a
 * kernel wake-up arrived after the ticket was taken (then the kernel is
 * asked).  ticket: 0 for NULL.  note_eagain: 0, -EBADF. */
uint64_t vepoll_kfd_ticket(vepoll_kfd_t *k);
int vepoll_kfd_note_eagain(vepoll_kfd_t *k, uint64_t ticket, uint32_t bits);

/* The final close: the descriptor leaves the kernel set (before its number
 * can be given out again, so no event is ever reported under a reused
 * number), the source is closed (vepoll_source_close: its registrations
 * vanish from every instance), threads blocked in this kfd's calls return
 * -EBADF, and the descriptor is closed (unless VEPOLL_KFD_NOCLOSE) once the
 * last call using it has returned.  A call must not start after the close
 * has started.  0, or -EBADF (NULL, closed already). */
int vepoll_kfd_close(vepoll_kfd_t *k);

#ifdef __cplusplus
}
#endif

#endif /* VEPOLL_KFD_H */
