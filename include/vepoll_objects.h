/*
 * Ready-made virtual objects for a runtime: a pipe, an eventfd, a stream
 * socket pair and a timerfd, each already wired to the vepoll producer hook,
 * with Linux's readiness rules (proven against the kernel by tests/difftest).
 * A runtime that builds fd_pipe / fd_event / sock_pair / timerfd_create on
 * these writes no readiness code at all.
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
 * A blocking call is interruptible by the calling thread's vepoll_intr
 * handle (vepoll.h), as Linux's are by a signal: while it is pending the call
 * does not sleep and a sleeping one wakes; the call then answers as a
 * non-blocking one would, with -EINTR in place of -EAGAIN (data already
 * there is read, a write that moved bytes returns their count, nothing else
 * is consumed).
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
/* = O_CLOEXEC / TFD_CLOEXEC: accepted by vepoll_timerfd_create and the WASIX
 * table's creating calls; an object has no exec to close on, so the objects
 * ignore it (the WASIX table keeps it per descriptor). */
#define VEPOLL_CLOEXEC 02000000
/* Accepted by vepoll_eventfd_create, vepoll_pipe_create and
 * vepoll_socketpair_create: the caller pins the object -- it never lets
 * the close of an end run while a read/write/recv/send on that same end is
 * in progress (a descriptor table that closes an open file description
 * only when its last holder is done, as the WASIX table does) -- so those
 * calls take no per-call reference of their own (two atomic
 * read-modify-writes fewer per call): the end's own reference keeps the
 * object alive.  Everything else is the same (closing the *other* end
 * during a call stays safe); a close racing a call on its end of a pinned
 * object is the caller's bug (a use after free). */
#define VEPOLL_CALLER_PINS 0x40000000

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

/* flags: VEPOLL_NONBLOCK | VEPOLL_CALLER_PINS; others -EINVAL. */
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

/* flags: VEPOLL_EFD_SEMAPHORE | VEPOLL_NONBLOCK | VEPOLL_CALLER_PINS; others
 * -EINVAL. */
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

/* flags: VEPOLL_NONBLOCK | VEPOLL_CALLER_PINS; others -EINVAL. */
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

/* recv(2) / send(2) flags, Linux's values. */
#define VEPOLL_MSG_OOB 0x1
#define VEPOLL_MSG_PEEK 0x2
#define VEPOLL_MSG_DONTWAIT 0x40
#define VEPOLL_MSG_WAITALL 0x100
#define VEPOLL_MSG_NOSIGNAL 0x4000
#define VEPOLL_MSG_MORE 0x8000

/*
 * recv(2) on one end (unix_stream_recvmsg).  flags: VEPOLL_MSG_PEEK copies
 * up to len queued bytes without taking them (so it frees no space and
 * wakes no writer); VEPOLL_MSG_WAITALL keeps taking (and blocking) until len
 * bytes were taken, EOF, an error or the timeout, and returns what it took;
 * VEPOLL_MSG_DONTWAIT makes this call non-blocking (timeout 0);
 * VEPOLL_MSG_NOSIGNAL is accepted and ignored.  PEEK|WAITALL waits only
 * while nothing is queued, then peeks what is there (Linux's peek never
 * waits for more).  VEPOLL_MSG_OOB is -EINVAL (what Linux answers when no
 * out-of-band byte is pending, and none ever is here), any other flag
 * -EINVAL (Linux ignores unknown flags).  As Linux, unlike read: len 0 is
 * not answered at once (0 when data is queued or at EOF, else -EAGAIN /
 * blocks), a NULL buffer is -EFAULT only when there are bytes to copy, and
 * a pending ECONNRESET met after a WAITALL call took some bytes is consumed
 * and the bytes are returned.  Errors otherwise as vepoll_socketpair_read.
 */
ssize_t vepoll_socketpair_recv(vepoll_socketpair_t *s, int end, void *buf,
                               size_t len, int flags, int64_t timeout_ns);
/* send(2) on one end: vepoll_socketpair_write with flags VEPOLL_MSG_DONTWAIT
 * (this call non-blocking), VEPOLL_MSG_NOSIGNAL (accepted: the library
 * raises no signal, a write to a shut or closed peer is -EPIPE either way)
 * and VEPOLL_MSG_MORE (ignored, as Linux does on unix streams);
 * VEPOLL_MSG_OOB -EOPNOTSUPP (as a kernel without CONFIG_AF_UNIX_OOB), any
 * other flag -EINVAL (Linux ignores unknown flags). */
ssize_t vepoll_socketpair_send(vepoll_socketpair_t *s, int end,
                               const void *buf, size_t len, int flags,
                               int64_t timeout_ns);

/* ---- timerfd (fs/timerfd.c) -----------------------------------------------
 * A timer whose expirations are counted and read as one native 8-byte
 * integer.  Clocks (Linux values): VEPOLL_CLOCK_REALTIME,
 * VEPOLL_CLOCK_MONOTONIC; any other clock -EINVAL (Linux also knows BOOTTIME
 * and the ALARM clocks).  Create flags: VEPOLL_NONBLOCK | VEPOLL_CLOEXEC
 * (ignored); others -EINVAL.
 *
 * settime(flags, new, old): flags VEPOLL_TFD_TIMER_ABSTIME (new.it_value is
 * an absolute time of the clock, else relative to now) and
 * VEPOLL_TFD_TIMER_CANCEL_ON_SET (accepted; see below); others -EINVAL.
 * Checked in Linux's order: new NULL -EFAULT; bad flags, a negative tv_sec or
 * a tv_nsec outside [0, 1e9) in either field -EINVAL; then the timer (NULL or
 * closed) -EBADF.  it_value 0 disarms; otherwise the timer fires at it_value
 * (a time already past fires at once, inside the call) and then every
 * it_interval (0: once).  settime resets the expiration count (readiness goes
 * away, nobody is woken); old (may be NULL) gets the previous setting as
 * gettime would have returned it.  Times are kept in int64 nanoseconds as
 * Linux's ktime: a tv_sec of 9223372036 or more saturates.
 *
 * gettime(cur): cur.it_value = the time left until the next expiration (0
 * when disarmed or after a one-shot fired), cur.it_interval = the interval.
 * -EBADF (NULL or closed timer) before -EFAULT (cur NULL).
 *
 * read(buf, len): len < 8 -EINVAL; the number of expirations since the last
 * read / settime, and the count is reset; -EAGAIN / blocks (the timeout
 * convention above) while it is 0.  Readiness: IN (only) while the count is
 * > 0.  Wake-ups as Linux: an expiration wakes with IN; a periodic timer is
 * not re-armed by the expiration itself but by the read (or gettime, or
 * settime) that follows, which adds the expirations missed meanwhile to the
 * count -- so an unread periodic timer wakes once, and one wake-up can stand
 * for several expirations.
 *
 * Timers run on one service thread per clock (started by the first timerfd
 * of that clock, ended after the last one is closed), never one per timer.
 * CLOCK_REALTIME: a relative timer follows the monotonic clock (Linux turns
 * it into a CLOCK_MONOTONIC timer too); an absolute one fires when the wall
 * clock reaches it, also after the clock was set (the service thread sleeps
 * on CLOCK_REALTIME, which the kernel re-evaluates when the clock is set,
 * as it re-arms the timerfd).  CANCEL_ON_SET is accepted but a clock set is
 * not detected: read never returns -ECANCELED.  Close: registrations vanish,
 * a blocked read returns -EBADF; the service thread no longer touches the
 * timer once vepoll_timerfd_close has returned.  A child made by fork() has
 * no service thread: timerfds must not be used across fork().
 */
#define VEPOLL_CLOCK_REALTIME 0
#define VEPOLL_CLOCK_MONOTONIC 1
#define VEPOLL_TFD_TIMER_ABSTIME 1
#define VEPOLL_TFD_TIMER_CANCEL_ON_SET 2

/* Linux's struct timespec / struct itimerspec (64-bit time_t and long),
 * field for field, so a host maps them 1:1. */
struct vepoll_timespec {
    int64_t tv_sec;
    int64_t tv_nsec;
};
struct vepoll_itimerspec {
    struct vepoll_timespec it_interval;
    struct vepoll_timespec it_value;
};

typedef struct vepoll_timerfd vepoll_timerfd_t;

int vepoll_timerfd_create(vepoll_timerfd_t **out, int clockid, int flags);
vepoll_source_t *vepoll_timerfd_source(vepoll_timerfd_t *t);
int vepoll_timerfd_settime(vepoll_timerfd_t *t, int flags,
                           const struct vepoll_itimerspec *new_value,
                           struct vepoll_itimerspec *old_value);
int vepoll_timerfd_gettime(vepoll_timerfd_t *t, struct vepoll_itimerspec *cur);
ssize_t vepoll_timerfd_read(vepoll_timerfd_t *t, void *buf, size_t len,
                            int64_t timeout_ns);
int vepoll_timerfd_close(vepoll_timerfd_t *t);

#ifdef __cplusplus
}
#endif

#endif /* VEPOLL_OBJECTS_H */
