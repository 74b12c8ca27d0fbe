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
 * eventfds and socket pairs (vepoll_objects.h) with read/write/close/poll,
 * enough for a complete WASIX host (src/host/ is one, for wasm2c).
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

#include "vepoll.h"
#include "vepoll_wasix_abi.h" /* the ABI's numbers: errno, bits, ops, layout */

#ifdef __cplusplus
extern "C" {
#endif

/* Which import module: pointer width of the guest. */
enum vepoll_wasix_abi { VEPOLL_WASIX_32 = 32, VEPOLL_WASIX_64 = 64 };

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
 * copied.  -EINVAL if out is NULL or a table lacks lookup/install_epoll. */
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
 * instance), EPERM (fd not pollable), then vepoll_ctl's (EEXIST, ENOENT,
 * ELOOP, ENOSPC, ENOMEM). */
uint32_t vepoll_wasix_epoll_ctl(vepoll_wasix_t *wx, struct vepoll_wasix_mem mem,
                                enum vepoll_wasix_abi abi, uint32_t epfd,
                                uint32_t op, uint32_t fd, uint64_t event_ptr);
/* epoll_wait(epfd, events: *epoll_event, maxevents, timeout ns,
 * ret_nevents: *u32 (wasm32) / *u64 (wasm64)).  maxevents is signed (i32 on
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
 * Guest fds 0..2 are reserved for the host's stdio (lookup: open, not
 * pollable; the host layer serves them); new fds are the lowest free >= 3. */
#define VEPOLL_WASIX_FIRST_FD 3u

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

/* Host-side operations on the built-in table (negative errno). */
enum vepoll_wasix_kind {
    VEPOLL_WASIX_KIND_STDIO = 1, /* fds 0..2 */
    VEPOLL_WASIX_KIND_EPOLL,
    VEPOLL_WASIX_KIND_PIPE_READ,
    VEPOLL_WASIX_KIND_PIPE_WRITE,
    VEPOLL_WASIX_KIND_EVENTFD,
    VEPOLL_WASIX_KIND_SOCKET,
};
/* Flags for the creating calls: VEPOLL_NONBLOCK (vepoll_objects.h, 04000). */
int vepoll_wasix_pipe(vepoll_wasix_t *wx, int flags, uint32_t fds[2]);
/* flags: VEPOLL_EFD_SEMAPHORE | VEPOLL_NONBLOCK */
int vepoll_wasix_eventfd(vepoll_wasix_t *wx, uint64_t initval, int flags, uint32_t *fd);
int vepoll_wasix_socketpair(vepoll_wasix_t *wx, int flags, uint32_t fds[2]);
int vepoll_wasix_epoll(vepoll_wasix_t *wx, uint32_t *fd);
/* how: VEPOLL_SHUT_RD / WR / RDWR (0 / 1 / 2). */
int vepoll_wasix_shutdown(vepoll_wasix_t *wx, uint32_t fd, int how);
/* Blocking unless the fd is non-blocking; a non-blocking fd with nothing to
 * do gives -EAGAIN.  Bytes moved, or a negative errno. */
int64_t vepoll_wasix_read(vepoll_wasix_t *wx, uint32_t fd, void *buf, size_t len);
int64_t vepoll_wasix_write(vepoll_wasix_t *wx, uint32_t fd, const void *buf, size_t len);
int vepoll_wasix_close(vepoll_wasix_t *wx, uint32_t fd);
int vepoll_wasix_set_nonblock(vepoll_wasix_t *wx, uint32_t fd, int on);

struct vepoll_wasix_fdinfo {
    enum vepoll_wasix_kind kind;
    int nonblock;
    uint32_t ready;   /* current vepoll readiness bits (0 for stdio) */
    uint64_t nbytes;  /* bytes readable now (pipes, sockets; 8 or 0 for eventfds) */
};
int vepoll_wasix_fd_info(vepoll_wasix_t *wx, uint32_t fd, struct vepoll_wasix_fdinfo *out);

/* poll(2) over built-in fds: each item's `events` (VEPOLL_IN / VEPOLL_OUT)
 * is waited for; `revents` gets what is ready (ERR/HUP always, and -EBADF
 * items get revents = 0 and ok = -EBADF).  Stdio fds are always ready for
 * what they are asked.  Returns the number of items with revents != 0 or an
 * error, at the latest after timeout_ns (< 0: forever). */
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
