/*
 * Ready-made virtual objects for a runtime: a pipe, an eventfd and a stream
 * socket pair, each already wired to the vepoll producer hook, with Linux's
 * readiness rules (proven against the kernel by tests/difftest).  A runtime
 * that builds fd_pipe / fd_event / sock_pair on these writes no readiness
 * code at all.
 *
 * Every object is thread-safe.  Calls return a byte count / 0 on success and
 * a negative errno on failure; none touches errno.  I/O calls take a timeout:
 * 0 never blocks (-EAGAIN), < 0 blocks until the call can proceed, > 0 blocks
 * at least that many nanoseconds (CLOCK_MONOTONIC, never less) and then
 * returns -EAGAIN -- or, for a write that had already moved some bytes, that
 * count.  An object created with VEPOLL_NONBLOCK never blocks, whatever the
 * timeout.  A blocked call returns as soon as it can proceed: data, space,
 * a shutdown or a close of either end.  Blocking writes of more than
 * VEPOLL_PIPE_BUF bytes move everything before returning (or the count moved
 * when the timeout, a close or a shutdown stops them), as Linux's do.
 *
 * Arguments: a NULL object is -EBADF; an end other than 0/1 is -EINVAL
 * (sources: NULL); a NULL buffer with len > 0 is -EFAULT; len is clamped to
 * Linux's MAX_RW_COUNT (0x7ffff000).  A read of 0 bytes returns 0.
 *
 * Ends are closed individually (the final close of that descriptor's open
 * file): the end's source is closed (vepoll_source_close: its registrations
 * disappear from every instance), the peer sees HUP/ERR/RDHUP as Linux
 * reports them, and threads blocked on the closed end return -EBADF (a write
 * that had moved bytes returns their count).  Any call on a closed end
 * returns -EBADF (sources: NULL, pending: 0) while another end is open.  The
 * object's memory is freed when every end is closed and every call that was
 * already inside the library (blocked ones included) has returned; a call
 * must not *start* once the final close has started (like a descriptor
 * number after close).
 *
 * Readiness is published through the producer hook while the object's lock
 * is held, so a vepoll wake-up callback (vepoll_set_wakeup) must not call
 * these functions.  Everything here follows Linux 6.18 (fs/pipe.c,
 * fs/eventfd.c, net/unix/af_unix.c); docs/OBJECTS.md has the tables and the
 * few documented deviations.
 */
#ifndef VEPOLL_OBJECTS_H
#define VEPOLL_OBJECTS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vepoll.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VEPOLL_NONBLOCK 04000 /* = O_NONBLOCK / EFD_NONBLOCK / SOCK_NONBLOCK */

/* ---- pipe ----------------------------------------------------------------
 * Linux's pipe buffer: a ring of VEPOLL_PIPE_BUF-byte slots (pages).
 * `capacity` (0 = 65536, at most 1 GiB, else -EINVAL) is rounded up as
 * F_SETPIPE_SZ does: a power of two of whole slots (vepoll_pipe_capacity).
 * A write first merges its len % 4096 remainder into the last slot if it fits
 * there whole, then fills fresh slots; a read frees a slot when it takes its
 * last byte.  The pipe is full when every slot is in use, so it holds
 * between capacity / 4096 and capacity bytes depending on the write sizes --
 * exactly as Linux.  Writes of at most VEPOLL_PIPE_BUF bytes are atomic (all
 * or nothing); larger writes may be partial.  Readiness: read end
 * IN|RDNORM while data, HUP once the write end is closed; write end
 * OUT|WRNORM while a slot is free, ERR once the read end is closed.  Every
 * write of len > 0 is a new IN event (S039), even one that fails with
 * -EAGAIN; a read that frees a slot of a full pipe is an OUT event.  write with the read end
 * closed: -EPIPE (a write of 0 bytes returns 0 first); read of an empty pipe
 * whose write end is closed: 0. */
#define VEPOLL_PIPE_BUF 4096
#define VEPOLL_PIPE_READ 0
#define VEPOLL_PIPE_WRITE 1

typedef struct vepoll_pipe vepoll_pipe_t;

int vepoll_pipe_create(vepoll_pipe_t **out, size_t capacity, int flags);
vepoll_source_t *vepoll_pipe_source(vepoll_pipe_t *p, int end);
ssize_t vepoll_pipe_read(vepoll_pipe_t *p, void *buf, size_t len,
                         int64_t timeout_ns);
ssize_t vepoll_pipe_write(vepoll_pipe_t *p, const void *buf, size_t len,
                          int64_t timeout_ns);
/* Bytes buffered (FIONREAD). */
size_t vepoll_pipe_pending(vepoll_pipe_t *p);
/* Capacity in bytes after rounding (F_GETPIPE_SZ); 0 for NULL. */
size_t vepoll_pipe_capacity(vepoll_pipe_t *p);
int vepoll_pipe_close(vepoll_pipe_t *p, int end);

/* ---- eventfd --------------------------------------------------------------
 * 64-bit counter (native byte order).  read/write move exactly 8 bytes and
 * return 8; a read needs len >= 8, a write len == 8 (else -EINVAL, as Linux
 * 6.x).  read: -EAGAIN / blocks
 * at 0; semaphore mode returns 1 and decrements, otherwise returns the value
 * and resets it.  write: the all-ones value is -EINVAL; a write that would
 * pass VEPOLL_EFD_MAX blocks / -EAGAIN; a write of 0 succeeds.  initval
 * above VEPOLL_EFD_MAX: -EINVAL.  Readiness: IN while the counter is > 0, OUT
 * while a write of 1 could succeed (counter < VEPOLL_EFD_MAX).  Every
 * successful write is an IN event (a write of 0 too: S040), every
 * successful read an OUT event (S046, S103). */
#define VEPOLL_EFD_SEMAPHORE 1
#define VEPOLL_EFD_MAX UINT64_C(0xfffffffffffffffe)

typedef struct vepoll_eventfd vepoll_eventfd_t;

/* flags: VEPOLL_EFD_SEMAPHORE | VEPOLL_NONBLOCK; others -EINVAL. */
int vepoll_eventfd_create(vepoll_eventfd_t **out, uint64_t initval, int flags);
vepoll_source_t *vepoll_eventfd_source(vepoll_eventfd_t *e);
ssize_t vepoll_eventfd_read(vepoll_eventfd_t *e, void *buf, size_t len,
                            int64_t timeout_ns);
ssize_t vepoll_eventfd_write(vepoll_eventfd_t *e, const void *buf, size_t len,
                             int64_t timeout_ns);
int vepoll_eventfd_close(vepoll_eventfd_t *e);

/* ---- stream socket pair (AF_UNIX SOCK_STREAM rules, S107-S115) -----------
 * Two ends 0 and 1; each direction buffers up to `capacity` bytes (0 =
 * 65536, at most 1 GiB) in at most max(16, capacity / 256) writes.  Like
 * Linux's skbs, a write's space comes back (and the writer gets its OUT
 * event) only when its last byte has been read.  For end i: IN|RDNORM while
 * data is queued for i or i cannot receive any more (peer shut down writing,
 * own SHUT_RD, peer closed); RDHUP|IN|RDNORM in the latter case;
 * OUT|WRNORM|WRBAND while the peer's receive buffer has room (also after own
 * SHUT_WR and after the peer closed: S110, S112); HUP when both directions of
 * i are shut; ERR when the peer was closed with unread data in its own
 * receive queue (ECONNRESET: the next read of i that finds nothing queued
 * returns -ECONNRESET once and clears it; a blocked write returns it too).
 * write after own SHUT_WR, the peer's SHUT_RD or a closed peer: -EPIPE (even
 * for 0 bytes); read with nothing queued and the receive side shut: 0.
 * shutdown: -EINVAL for another `how`; repeating it is allowed (and, as on
 * Linux, wakes both ends again). */
#define VEPOLL_SHUT_RD 0
#define VEPOLL_SHUT_WR 1
#define VEPOLL_SHUT_RDWR 2

typedef struct vepoll_socketpair vepoll_socketpair_t;

int vepoll_socketpair_create(vepoll_socketpair_t **out, size_t capacity,
                             int flags);
vepoll_source_t *vepoll_socketpair_source(vepoll_socketpair_t *s, int end);
ssize_t vepoll_socketpair_read(vepoll_socketpair_t *s, int end, void *buf,
                               size_t len, int64_t timeout_ns);
ssize_t vepoll_socketpair_write(vepoll_socketpair_t *s, int end,
                                const void *buf, size_t len,
                                int64_t timeout_ns);
/* Bytes queued for `end` to read (FIONREAD). */
size_t vepoll_socketpair_pending(vepoll_socketpair_t *s, int end);
int vepoll_socketpair_shutdown(vepoll_socketpair_t *s, int end, int how);
int vepoll_socketpair_close(vepoll_socketpair_t *s, int end);

#ifdef __cplusplus
}
#endif

#endif /* VEPOLL_OBJECTS_H */
