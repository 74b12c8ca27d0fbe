/*
 * vepoll_wasix: the WASIX epoll ABI (wasix_32v1 / wasix_64v1) over vepoll.
 *
 * A runtime's import functions call these with the guest's linear memory
 * (base, size) and the raw import arguments; they return the WASI errno the
 * import returns to the guest (0 = success).  Everything WASIX-specific lives
 * here: the flag and op numbering, the 32-byte event, the u64 nanosecond
 * timeout, the guest's 24 bytes of user data per registration, bounds checks
 * of every guest pointer.  See docs/EMBEDDING.md for the tables.
 *
 * Descriptors are reached through a small table interface (struct
 * vepoll_wasix_fdtable) so a runtime keeps its own descriptor table; without
 * one the adapter uses its built-in table, which also provides pipes,
 * eventfds, socket pairs and timerfds (vepoll_objects.h) with
 * read/write/recv/send/close/poll, dup and open file descriptions, enough
 * for a complete WASIX host (src/host/ is one, for wasm2c).
 *
 * Thread safety: every call may be made from any thread.  One
 * vepoll_wasix_t serves one guest (one linear memory): guest pointers are
 * only meaningful against that memory.  Calls that block (epoll_wait, and
 * read/write/poll of the built-in table) hold no adapter lock while blocked.
 *
 * MIT licensed.
 */
#ifndef VEPOLL_WASIX_H
#define VEPOLL_WASIX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "vepoll.h"
#include "vepoll_objects.h"   /* VEPOLL_NONBLOCK, VEPOLL_CLOEXEC, VEPOLL_MSG_*, itimerspec */
#include "vepoll_wasix_abi.h" /* the ABI's numbers: errno, bits, ops, layout */

#ifdef __cplusplus
extern "C" {
#endif

/* Which import module: pointer width of the guest.  VEPOLL_WASIX_LINUX32
 * is vepoll's own vepoll_ext_v1 epoll_ctl / epoll_wait (docs/GUESTS.md):
 * a wasm32 guest with Linux's struct epoll_event (VEPOLL_WASIX_LINUX_EVENT_*
 * in vepoll_wasix_abi.h), Linux's 32-bit event word untranslated, Linux's
 * op numbers (VEPOLL_CTL_*) and EFAULT for a pointer outside memory. */
enum vepoll_wasix_abi {
    VEPOLL_WASIX_32 = 32,
    VEPOLL_WASIX_64 = 64,
    VEPOLL_WASIX_LINUX32 = 132
};

/* WASIX bits -> vepoll (Linux) bits, and back (vepoll bits without a WASIX
 * equivalent, e.g. RDNORM, are dropped). */
uint32_t vepoll_wasix_events_to_vepoll(uint32_t wasix_events);
uint32_t vepoll_wasix_events_from_vepoll(uint32_t vepoll_events);
/* WASIX op -> VEPOLL_CTL_*; -EINVAL for an unknown op. */
int vepoll_wasix_op_to_vepoll(uint32_t wasix_op);
/* VEPOLL_CTL_* -> WASIX op; -EINVAL for an unknown op. */
int vepoll_wasix_op_from_vepoll(int vepoll_op);
/* A negative (Linux) errno -> WASI errno; 0 -> 0.  Values without a WASI
 * equivalent (and positive values) map to VEPOLL_WASI_EUNKNOWN. */
uint32_t vepoll_wasix_errno(int neg_errno);

/* ---- Guest memory ------------------------------------------------------- */

/* The guest's linear memory as it is during this call.  A non-shared memory
 * can only grow (and move) while the guest runs, never during an import, and
 * a shared memory never moves, so (base, size) read at the start of an
 * import stay valid for the whole call, blocking ones included. */
struct vepoll_wasix_mem {
    uint8_t *base;
    uint64_t size;
};

/* ---- The descriptor table interface ------------------------------------- */

/* What a guest fd refers to.  ep != NULL: an epoll instance.  src != NULL:
 * a pollable object.  Both NULL: open but not pollable (a regular file, a
 * directory...): epoll_ctl answers EPERM, as Linux does. */
struct vepoll_wasix_fdref {
    vepoll_t *ep;
    vepoll_source_t *src;
    void *handle; /* the table's own, handed back to release() */
};

/*
 * A runtime's descriptor table.  lookup() resolves fd (-EBADF if not open)
 * and keeps what it returned alive until the matching release() (NULL if the
 * table keeps objects alive by other means).  install_epoll() stores a new
 * instance under a new fd (the adapter closes it again if this fails).
 *
 * The runtime's duties on close, in this order: remove the fd from the
 * table (lookup fails from now on), then, on the final close of an object,
 * call vepoll_wasix_forget_source() before closing its source, and close an
 * epoll instance with vepoll_wasix_close_epoll() instead of vepoll_close().
 * That is how the adapter frees the guest data it keeps per registration.
 */
struct vepoll_wasix_fdtable {
    int (*lookup)(void *ctx, uint32_t fd, struct vepoll_wasix_fdref *out);
    void (*release)(void *ctx, uint32_t fd, const struct vepoll_wasix_fdref *ref);
    int (*install_epoll)(void *ctx, vepoll_t *ep, uint32_t *fd_out);
    void *ctx;
};

typedef struct vepoll_wasix vepoll_wasix_t;

/* table == NULL selects the built-in table (see below).  The table struct is
 * copied.  -EINVAL if out is NULL or a table lacks lookup/install_epoll.
 * With the built-in table, the calling thread is the adapter's owner: call
 * vepoll_wasix_create on the thread that will run the guest.  The owner's
 * calls that cannot block (read/write/recv/send on non-blocking
 * descriptions, epoll_wait with timeout 0) take no lock and no reference;
 * every thread may still call everything, and a close on another thread
 * waits for such a call to end (docs/ARCHITECTURE.md, "The guest path"). */
int vepoll_wasix_create(vepoll_wasix_t **out, const struct vepoll_wasix_fdtable *table);
/* Closes every epoll instance and object of the built-in table and frees
 * the adapter.  No call on wx may be running or start. */
void vepoll_wasix_destroy(vepoll_wasix_t *wx);

void vepoll_wasix_forget_source(vepoll_wasix_t *wx, vepoll_source_t *src);
int vepoll_wasix_close_epoll(vepoll_wasix_t *wx, vepoll_t *ep);

/* ---- The imports (return a WASI errno) ---------------------------------- *
 * Pointers are guest offsets (u32 values for wasix_32v1).  A pointer whose
 * whole object is not inside mem returns EMEMVIOLATION (78) and nothing is
 * written; unaligned pointers are fine.  Result memory is written only on
 * success, and then completely. */

/* epoll_create(ret_fd: *u32) */
uint32_t vepoll_wasix_epoll_create(vepoll_wasix_t *wx, struct vepoll_wasix_mem mem,
                                   uint64_t ret_fd_ptr);
/* epoll_ctl(epfd, op, fd, event: *epoll_event) - event 0 (NULL) is allowed
 * for DEL.  Errors in Wasmer's order: EMEMVIOLATION (event out of bounds),
 * EINVAL (unknown op, NULL event for ADD/MOD, fd == epfd, event bits outside
 * 0xff), EBADF (fd, then epfd, not open), EINVAL (epfd not an epoll
 * instance), EPERM (fd not pollable), then vepoll_ctl's (EINVAL for
 * EPOLLEXCLUSIVE's rules, EEXIST, ENOENT, ELOOP, ENOSPC, ENOMEM).  With
 * VEPOLL_WASIX_LINUX32: op is VEPOLL_CTL_*, the event is read for every op
 * but DEL (as Linux), out of bounds it is EFAULT, and every bit is taken
 * (no 0xff check: Linux ignores bits it does not know). */
uint32_t vepoll_wasix_epoll_ctl(vepoll_wasix_t *wx, struct vepoll_wasix_mem mem,
                                enum vepoll_wasix_abi abi, uint32_t epfd,
                                uint32_t op, uint32_t fd, uint64_t event_ptr);
/* epoll_wait(epfd, events: *epoll_event, maxevents, timeout ns,
 * ret_nevents: *u32 (wasm32, VEPOLL_WASIX_LINUX32) / *u64 (wasm64)).  maxevents is signed (i32 on
 * wasm32; wasm64 hosts pass the i64 libc import or wasmer's i32, extended):
 * <= 0 -> EINVAL.  timeout: VEPOLL_WASIX_TIMEOUT_FOREVER waits forever, 0
 * polls; expiry is success with 0 events.  data.fd is the watched fd, ptr,
 * data1 and data2 are those given to ADD/MOD.  EINTR after
 * vepoll_interrupt. */
uint32_t vepoll_wasix_epoll_wait(vepoll_wasix_t *wx, struct vepoll_wasix_mem mem,
                                 enum vepoll_wasix_abi abi, uint32_t epfd,
                                 uint64_t events_ptr, int64_t maxevents,
                                 uint64_t timeout_ns, uint64_t ret_nevents_ptr);

/* ---- The built-in descriptor table -------------------------------------- *
 * Only with vepoll_wasix_create(&wx, NULL); other tables get -ENOTSUP.
 *
 * Descriptors and open file descriptions, as Linux.  A descriptor (a guest
 * fd) refers to an open file description: an object end (pipe end, eventfd,
 * socket end, timerfd, epoll instance, host stdio stream) plus its file
 * status flag O_NONBLOCK.  dup / dup3 / renumber give new descriptors to the
 * same description, so O_NONBLOCK (vepoll_wasix_set_nonblock, fd_info's
 * nonblock) is shared by all of them, while FD_CLOEXEC belongs to each
 * descriptor.  Closing a descriptor ends the description only when it was
 * its last one (and no call is still using it): that final close closes the
 * object (vepoll_source_close: its registrations vanish from every
 * instance).  An epoll registration is keyed by (description, fd number): it
 * stays -- reporting under its fd number and data -- while any descriptor of
 * the description is open, even after the descriptor it was added through
 * was closed (epoll_ctl on that number is then EBADF, or ENOENT once the
 * number belongs to another description; ADD through another descriptor of
 * the same description is a second registration), and it goes with the
 * final close.
 *
 * Guest fds 0..2 start as the host's stdio: three descriptions of kind
 * VEPOLL_WASIX_KIND_STDIO (host streams 0, 1, 2; fd_info's host_stdio) that
 * the guest may dup, close and renumber like any other; they are not
 * pollable (epoll_ctl EPERM; vepoll_wasix_poll reports them ready for what
 * is asked) and their I/O is the host's (vepoll_wasix_read/write/recv/send:
 * -ENOTSUP) -- unless the host has them watched (vepoll_wasix_watch_stdio,
 * below).  New descriptors get the lowest free number (>= min_fd for
 * vepoll_wasix_dup), as Linux: >= 3 while stdio is open.  Numbers are below
 * VEPOLL_WASIX_MAX_FDS (Linux's RLIMIT_NOFILE). */
#define VEPOLL_WASIX_FIRST_FD 3u
#define VEPOLL_WASIX_MAX_FDS 65536u

/* WASIX object imports (return a WASI errno; results are u32 fds). */
uint32_t vepoll_wasix_fd_pipe(vepoll_wasix_t *wx, struct vepoll_wasix_mem mem,
                              uint64_t ret_rfd_ptr, uint64_t ret_wfd_ptr);
/* flags: VEPOLL_WASIX_EVENTFD_SEMAPHORE (bit 0); others EINVAL. */
uint32_t vepoll_wasix_fd_event(vepoll_wasix_t *wx, struct vepoll_wasix_mem mem,
                               uint64_t initval, uint32_t flags, uint64_t ret_fd_ptr);
/* af must be WASIX ADDRESS_FAMILY_UNIX (VEPOLL_WASIX_AF_UNIX, 3) (ENOTSUP
 * otherwise, as the only local kind), type SOCK_TYPE_SOCKET_STREAM
 * (VEPOLL_WASIX_SOCK_STREAM, 1) (ENOTSUP otherwise), proto 0. */
uint32_t vepoll_wasix_sock_pair(vepoll_wasix_t *wx, struct vepoll_wasix_mem mem,
                                uint32_t af, uint32_t type, uint32_t proto,
                                uint64_t ret_fd0_ptr, uint64_t ret_fd1_ptr);
/* how: WASI sdflags, RD = 1, WR = 2 (both = 3); 0 or other bits EINVAL. */
uint32_t vepoll_wasix_sock_shutdown(vepoll_wasix_t *wx, uint32_t fd, uint32_t how);

/* Host-side operations on the built-in table (negative errno).  Common
 * errors: wx NULL -EBADF, a table other than the built-in one -ENOTSUP, an
 * fd that is not open (or >= VEPOLL_WASIX_MAX_FDS) -EBADF, a NULL result
 * pointer -EINVAL; a failed call changes nothing. */
enum vepoll_wasix_kind {
    VEPOLL_WASIX_KIND_STDIO = 1, /* a host stdio stream (fd_info.host_stdio) */
    VEPOLL_WASIX_KIND_EPOLL,
    VEPOLL_WASIX_KIND_PIPE_READ,
    VEPOLL_WASIX_KIND_PIPE_WRITE,
    VEPOLL_WASIX_KIND_EVENTFD,
    VEPOLL_WASIX_KIND_SOCKET,
    VEPOLL_WASIX_KIND_TIMERFD,
    VEPOLL_WASIX_KIND_KFD, /* a host kernel descriptor: a real socket (below) */
};
/* Flags for the creating calls: VEPOLL_NONBLOCK (vepoll_objects.h, 04000:
 * the new descriptions' O_NONBLOCK) and VEPOLL_CLOEXEC (02000000: the new
 * descriptors' FD_CLOEXEC); others -EINVAL. */
int vepoll_wasix_pipe(vepoll_wasix_t *wx, int flags, uint32_t fds[2]);
/* flags: VEPOLL_EFD_SEMAPHORE | VEPOLL_NONBLOCK | VEPOLL_CLOEXEC */
int vepoll_wasix_eventfd(vepoll_wasix_t *wx, uint64_t initval, int flags, uint32_t *fd);
int vepoll_wasix_socketpair(vepoll_wasix_t *wx, int flags, uint32_t fds[2]);
int vepoll_wasix_epoll(vepoll_wasix_t *wx, uint32_t *fd);
/* how: VEPOLL_SHUT_RD / WR / RDWR (0 / 1 / 2). */
int vepoll_wasix_shutdown(vepoll_wasix_t *wx, uint32_t fd, int how);
/* Blocking unless the description is non-blocking; a non-blocking one with
 * nothing to do gives -EAGAIN.  Bytes moved, or a negative errno: -EINVAL on
 * an epoll instance (and writing a timerfd), -EBADF on the wrong end of a
 * pipe, -ENOTSUP on stdio (the host's).  A timerfd reads its 8-byte count. */
int64_t vepoll_wasix_read(vepoll_wasix_t *wx, uint32_t fd, void *buf, size_t len);
int64_t vepoll_wasix_write(vepoll_wasix_t *wx, uint32_t fd, const void *buf, size_t len);
/* Closes one descriptor (the description's final close if it was the
 * last). */
int vepoll_wasix_close(vepoll_wasix_t *wx, uint32_t fd);
/* O_NONBLOCK of fd's description: every descriptor of it sees the change. */
int vepoll_wasix_set_nonblock(vepoll_wasix_t *wx, uint32_t fd, int on);

/* fcntl(F_DUPFD / F_DUPFD_CLOEXEC): a new descriptor for fd's description,
 * the lowest free number >= min_fd, into *newfd; FD_CLOEXEC set on it iff
 * cloexec != 0.  -EBADF (fd), then -EINVAL (min_fd >= VEPOLL_WASIX_MAX_FDS),
 * -EMFILE (no free number), -ENOMEM. */
int vepoll_wasix_dup(vepoll_wasix_t *wx, uint32_t fd, uint32_t min_fd, int cloexec,
                     uint32_t *newfd);
/* dup3(fd, newfd, cloexec ? O_CLOEXEC : 0), and dup2 when cloexec == 0 and
 * fd != newfd: newfd becomes a descriptor of fd's description (FD_CLOEXEC
 * iff cloexec != 0); a descriptor open under newfd is closed first, silently
 * and atomically with the reuse.  Linux's order: fd == newfd -EINVAL (dup2
 * with equal numbers returns newfd if it is open: the guest SDK's job), newfd
 * >= VEPOLL_WASIX_MAX_FDS -EBADF, fd not open -EBADF; -ENOMEM. */
int vepoll_wasix_dup3(vepoll_wasix_t *wx, uint32_t fd, uint32_t newfd, int cloexec);
/* WASI fd_renumber(from, to): `to` becomes from's descriptor (its
 * description and its FD_CLOEXEC), a descriptor open under `to` is closed
 * first, and `from` is closed.  from == to: 0 if open.  -EBADF (from not
 * open, to >= VEPOLL_WASIX_MAX_FDS), -ENOMEM. */
int vepoll_wasix_renumber(vepoll_wasix_t *wx, uint32_t from, uint32_t to);
/* FD_CLOEXEC of one descriptor (F_GETFD / F_SETFD): *on = 0 or 1. */
int vepoll_wasix_get_cloexec(vepoll_wasix_t *wx, uint32_t fd, int *on);
int vepoll_wasix_set_cloexec(vepoll_wasix_t *wx, uint32_t fd, int on);

/* recv(2) / send(2) on a socket-pair end (vepoll_socketpair_recv / _send):
 * recv flags VEPOLL_MSG_PEEK | VEPOLL_MSG_DONTWAIT | VEPOLL_MSG_WAITALL (and
 * VEPOLL_MSG_NOSIGNAL, ignored), send flags VEPOLL_MSG_DONTWAIT |
 * VEPOLL_MSG_NOSIGNAL; VEPOLL_MSG_OOB -EOPNOTSUPP, other flags -EINVAL.
 * Blocking unless the description is non-blocking or DONTWAIT is given.
 * -EBADF (fd), then -ENOTSOCK (not a socket: stdio included), then the
 * flags.  No signal is ever raised: a send to a shut or closed peer is
 * -EPIPE with or without NOSIGNAL (the host decides about SIGPIPE). */
int64_t vepoll_wasix_recv(vepoll_wasix_t *wx, uint32_t fd, void *buf, size_t len, int flags);
int64_t vepoll_wasix_send(vepoll_wasix_t *wx, uint32_t fd, const void *buf, size_t len,
                          int flags);

/* timerfd_create(2): clockid Linux's CLOCK_REALTIME 0 / CLOCK_MONOTONIC 1
 * (VEPOLL_CLOCK_*), others -EINVAL; flags VEPOLL_NONBLOCK | VEPOLL_CLOEXEC,
 * others -EINVAL.  The timer is vepoll_timerfd_t (vepoll_objects.h: rules,
 * wall-clock behaviour); read it with vepoll_wasix_read (8-byte count),
 * watch it with epoll or vepoll_wasix_poll. */
int vepoll_wasix_timerfd_create(vepoll_wasix_t *wx, int clockid, int flags, uint32_t *fd);
/* timerfd_settime(2) / timerfd_gettime(2), errors in Linux's order:
 * settime: new_value NULL -EFAULT, bad flags or values -EINVAL, fd not open
 * -EBADF, fd not a timerfd -EINVAL; gettime: -EBADF, -EINVAL (not a
 * timerfd), cur NULL -EFAULT.  old_value may be NULL. */
int vepoll_wasix_timerfd_settime(vepoll_wasix_t *wx, uint32_t fd, int flags,
                                 const struct vepoll_itimerspec *new_value,
                                 struct vepoll_itimerspec *old_value);
int vepoll_wasix_timerfd_gettime(vepoll_wasix_t *wx, uint32_t fd, struct vepoll_itimerspec *cur);

/* ---- Host kernel descriptors: real sockets -------------------------------
 * A description of kind VEPOLL_WASIX_KIND_KFD holds a host descriptor (a
 * socket) through a kernel-descriptor source (vepoll_kfd.h): its readiness
 * is the kernel's, mirrored for epoll and poll, and read / write / recv /
 * send / shutdown / close / dup / O_NONBLOCK work on it as on every other
 * descriptor.  The host descriptor is made non-blocking and belongs to the
 * table: the guest sees only its own numbers, and the final close of the
 * description closes the host descriptor.  Blocking calls (per the
 * description's O_NONBLOCK) wait in the kernel and are interruptible as the
 * others.  The socket calls below are Linux's on that descriptor; on any
 * other descriptor they are -ENOTSOCK (a socket-pair end included: it has no
 * address, and listen / accept / connect on it are the guest SDK's
 * business).  A runtime's policy (which addresses a guest may bind or
 * connect to) is the runtime's, before it calls these. */

/* Installs host_fd as a new descriptor (the lowest free number): flags
 * VEPOLL_NONBLOCK (the description's O_NONBLOCK) | VEPOLL_CLOEXEC.  The
 * table owns host_fd on success; on failure it is left to the caller.
 * -EINVAL (flags, fd NULL), -EBADF, -EPERM (the kernel's epoll cannot watch
 * it: a regular file), -EMFILE, -ENOMEM. */
int vepoll_wasix_kfd_install(vepoll_wasix_t *wx, int host_fd, int flags, uint32_t *fd);
/* socket(2): domain, type (may carry VEPOLL_NONBLOCK / VEPOLL_CLOEXEC, which
 * are SOCK_NONBLOCK / SOCK_CLOEXEC) and protocol as Linux's, answered by the
 * kernel (-EAFNOSUPPORT, -EINVAL, -EPROTONOSUPPORT...). */
int vepoll_wasix_socket(vepoll_wasix_t *wx, int domain, int type, int protocol, uint32_t *fd);
int vepoll_wasix_bind(vepoll_wasix_t *wx, uint32_t fd, const struct sockaddr *addr,
                      socklen_t len);
int vepoll_wasix_listen(vepoll_wasix_t *wx, uint32_t fd, int backlog);
/* connect(2): blocking unless the description is non-blocking (then
 * -EINPROGRESS; the descriptor becomes writable when it is done). */
int vepoll_wasix_connect(vepoll_wasix_t *wx, uint32_t fd, const struct sockaddr *addr,
                         socklen_t len);
/* accept4(2): blocking unless the listening description is non-blocking;
 * flags VEPOLL_NONBLOCK | VEPOLL_CLOEXEC for the new descriptor, whose
 * number goes to *newfd; addr / len as accept4's (addr may be NULL). */
int vepoll_wasix_accept(vepoll_wasix_t *wx, uint32_t fd, int flags, struct sockaddr *addr,
                        socklen_t *len, uint32_t *newfd);
/* getsockname(2) (peer 0) / getpeername(2) (peer 1). */
int vepoll_wasix_sockname(vepoll_wasix_t *wx, uint32_t fd, int peer, struct sockaddr *addr,
                          socklen_t *len);
/* getsockopt(2) / setsockopt(2), Linux's levels and names. */
int vepoll_wasix_getsockopt(vepoll_wasix_t *wx, uint32_t fd, int level, int name, void *val,
                            socklen_t *len);
int vepoll_wasix_setsockopt(vepoll_wasix_t *wx, uint32_t fd, int level, int name,
                            const void *val, socklen_t len);

/* The host's stdio entries watched through kernel-descriptor sources
 * (vepoll_kfd.h): each stdio description of the table (kind
 * VEPOLL_WASIX_KIND_STDIO, host_stdio 0, 1, 2) whose host stream the
 * kernel's epoll can watch (a pipe, a terminal, a socket) gets the
 * kernel's readiness -- stdin readable only when input or EOF is there,
 * stdout / stderr writable as the kernel says, in epoll and
 * vepoll_wasix_poll -- and its reads (stream 0) and writes (1, 2) through
 * vepoll_wasix_read / vepoll_wasix_write, blocking per the description's
 * O_NONBLOCK in the kernel (no CPU).  A stream it cannot watch (a regular
 * file, /dev/null) stays as before: not pollable (EPERM in epoll_ctl,
 * always ready in poll, as Linux's poll of a file), its I/O the host's
 * (-ENOTSUP from vepoll_wasix_read / write).  The host streams stay the
 * host's (never closed by the table).  Once, after vepoll_wasix_create(&wx,
 * NULL) and before the guest runs (a later call watches nothing more).
 * 0, -EBADF, -ENOTSUP (another table), -ENOMEM, -EMFILE; a failure leaves
 * every stream as it was. */
int vepoll_wasix_watch_stdio(vepoll_wasix_t *wx);

struct vepoll_wasix_fdinfo {
    enum vepoll_wasix_kind kind;
    int nonblock;     /* O_NONBLOCK of the description (shared by dups) */
    uint32_t ready;   /* current vepoll readiness bits; 0 for stdio and for an
                       * epoll instance, whose readiness is a poll of it that
                       * changes its ready list as Linux's poll does (ask
                       * vepoll_wasix_poll); fd_info changes nothing */
    uint64_t nbytes;  /* bytes readable now (pipes, sockets; 8 or 0 for eventfds, timerfds) */
    int host_stdio;   /* VEPOLL_WASIX_KIND_STDIO: the host stream 0, 1 or 2; else -1 */
};
int vepoll_wasix_fd_info(vepoll_wasix_t *wx, uint32_t fd, struct vepoll_wasix_fdinfo *out);

/* poll(2) over built-in fds: each item's `events` (VEPOLL_IN / VEPOLL_OUT)
 * is waited for; `revents` gets what is ready (ERR/HUP always, and -EBADF
 * items get revents = 0 and ok = -EBADF).  Stdio descriptors are always
 * ready for what they are asked.  Returns the number of items with revents != 0 or an
 * error, at the latest after timeout_ns (< 0: forever); an -EBADF item is
 * an answer too (poll(2)'s POLLNVAL): then the call does not wait.  As
 * Linux's poll, every item is looked at again when the wait ends, so one
 * descriptor in several items is answered in each. */
struct vepoll_wasix_pollitem {
    uint32_t fd;
    uint32_t events;
    uint32_t revents;
    int ok;
};
int vepoll_wasix_poll(vepoll_wasix_t *wx, struct vepoll_wasix_pollitem *items, size_t n,
                      int64_t timeout_ns);

#ifdef __cplusplus
}
#endif

#endif /* VEPOLL_WASIX_H */
