/*
 * The guest library's internals (libvepoll_guest.a, built for wasm32-wasi):
 * the host imports it calls that wasi-libc does not declare, and the steps
 * several modules share.  Every public call of the library returns like
 * libc (-1 and errno, whose values are WASI errno numbers in wasi-libc).
 * Single-threaded guests: no state here is shared between threads.
 */
#ifndef VEPOLL_GUEST_H
#define VEPOLL_GUEST_H

#include <stddef.h>
#include <stdint.h>

#define VG_WASIX(name) __attribute__((import_module("wasix_32v1"), import_name(#name)))
#define VG_EXT(name) __attribute__((import_module("vepoll_ext_v1"), import_name(#name)))

/* WASIX (wasix_32v1), signatures as wasix-libc declares them. */
VG_WASIX(fd_dup) int32_t __vg_fd_dup(uint32_t fd, uint32_t *ret_fd);
VG_WASIX(fd_dup2)
int32_t __vg_fd_dup2(uint32_t fd, uint32_t min_fd, uint32_t cloexec, uint32_t *ret_fd);
VG_WASIX(fd_fdflags_get) int32_t __vg_fd_fdflags_get(uint32_t fd, uint16_t *ret_flags);
VG_WASIX(fd_fdflags_set) int32_t __vg_fd_fdflags_set(uint32_t fd, uint32_t flags);
VG_WASIX(proc_id) int32_t __vg_proc_id(int32_t *ret_pid);
VG_WASIX(proc_parent) int32_t __vg_proc_parent(int32_t pid, int32_t *ret_pid);

/* WASIX fd flags (fdflagsext) and the DONT_WAIT bits of sock_recv /
 * sock_send: the only way MSG_DONTWAIT reaches the host. */
#define VG_FDFLAG_CLOEXEC 1u
#define VG_RIFLAGS_DONT_WAIT 8u
#define VG_SIFLAGS_DONT_WAIT 1u

/* -1 with errno = err. */
int __vg_fail(int err);
/* [p, p + len) lies inside the guest's linear memory: what Linux reports
 * as EFAULT would otherwise trap here. */
int __vg_mem_ok(const void *p, size_t len);
/* A struct timespec timeout as Linux's poll_select_set_timeout takes it:
 * 0, or -1 with errno EFAULT (not in memory) / EINVAL (negative, or
 * tv_nsec outside 0..999999999).  t is not NULL. */
struct timespec;
int __vg_timeout_check(const struct timespec *t);
/* Marks a descriptor this library just created close-on-exec (WASIX
 * fd_fdflags_set).  A host without WASIX fd flags answers ENOSYS, which
 * is ignored: without exec the flag changes nothing but F_GETFD.  0 or -1
 * with errno. */
int __vg_set_cloexec(int fd);
/* fd is open (WASI fd_fdstat_get): 0, or -1 with errno EBADF. */
int __vg_fd_check(int fd);
/* fd is a socket: 0, or -1 with errno EBADF / ENOTSOCK. */
int __vg_sock_check(int fd);
/* A value given back through (out, *len) as Linux's getsockopt (tell_full
 * 0: *len becomes the bytes copied) and getsockname / accept (tell_full 1:
 * *len becomes size) do: copied truncated to *len.  0, or -1 with errno
 * EFAULT (len or out not writable) / EINVAL (*len negative). */
int __vg_copy_out(const void *v, unsigned size, void *out, unsigned *len, int tell_full);
/* SIGPIPE for an EPIPE from a write to a pipe or socket (unless
 * MSG_NOSIGNAL); returns -1 with errno EPIPE, as the call does on Linux
 * once the signal is handled or ignored. */
int __vg_epipe(void);


/* poll(2) with a timeout in nanoseconds (< 0: none), over vepoll_ext_v1
 * poll (poll.c): the count of ready entries, or -1 with errno (EINVAL for
 * nfds over RLIMIT_NOFILE, EFAULT, EINTR, ENOSYS without the import). */
struct pollfd;
int __vg_poll_ns(struct pollfd *fds, unsigned long nfds, int64_t timeout_ns);
/* A millisecond timeout (poll, epoll_wait) in nanoseconds; < 0: -1, none. */
static inline int64_t __vg_ms_to_ns(int ms)
{
    return ms < 0 ? -1 : (int64_t)ms * 1000000;
}
/* A checked timespec timeout in nanoseconds; NULL, or beyond INT64_MAX ns
 * (292 years): -1, no limit (poll.c). */
int64_t __vg_timeout_ns(const struct timespec *t);

/* A call that waits with its own signal mask (epoll_pwait, epoll_pwait2,
 * ppoll, once nothing is ready): the blocked set becomes *mask and *saved gets the one
 * __vg_sigmask_pop restores (always call it).  Pending signals the mask
 * unblocks are delivered: -1 with errno EINTR if a handler ran (the call
 * must not wait then, as Linux's returns EINTR instead of sleeping), else
 * 0 (signal.c). */
struct __sigset_t;
int __vg_sigmask_push(const struct __sigset_t *mask, struct __sigset_t *saved);
void __vg_sigmask_pop(const struct __sigset_t *saved);
/* ppoll's and pselect's order (S279, poll.c; epoll_pwait's and
 * epoll_pwait2's for a non-zero timeout): without a mask, look(arg,
 * timeout_ns); with one, a first look(arg, 0) that answers when it finds
 * something (or fails), then the mask in place (a handler that ran: -1
 * EINTR), a look with the timeout unless it is 0, the old mask back.
 * look returns like the call: a count, or -1 with errno. */
int __vg_wait_masked(int (*look)(void *arg, int64_t timeout_ns), void *arg, int64_t timeout_ns,
                     const struct __sigset_t *sigmask);

/* Real sockets (sockets.c, sockopt.c, sockio.c): the host's sockets over the
 * WASIX socket imports, wasix-libc's ABI (docs/GUESTS.md, src/host/vw_net.c).
 * The address, __wasi_addr_port_t: u8 tag (1 INET4, 2 INET6, 3 UNIX) at 0,
 * the port (host order) at 2, the address bytes (network order) at 4. */
struct __vg_addr {
    uint8_t b[110];
} __attribute__((aligned(2)));
VG_WASIX(sock_open)
int32_t __vg_sock_open(uint32_t af, uint32_t type, uint32_t proto, uint32_t *ret_fd);
VG_WASIX(sock_bind) int32_t __vg_sock_bind(uint32_t fd, const struct __vg_addr *addr);
VG_WASIX(sock_listen) int32_t __vg_sock_listen(uint32_t fd, uint32_t backlog);
VG_WASIX(sock_connect) int32_t __vg_sock_connect(uint32_t fd, const struct __vg_addr *addr);
VG_WASIX(sock_accept_v2)
int32_t __vg_sock_accept_v2(uint32_t fd, uint32_t fdflags, uint32_t *ret_fd,
                            struct __vg_addr *ret_addr);
VG_WASIX(sock_addr_local) int32_t __vg_sock_addr_local(uint32_t fd, struct __vg_addr *ret);
VG_WASIX(sock_addr_peer) int32_t __vg_sock_addr_peer(uint32_t fd, struct __vg_addr *ret);
VG_WASIX(sock_set_opt_flag)
int32_t __vg_sock_set_opt_flag(uint32_t fd, uint32_t opt, uint32_t flag);
VG_WASIX(sock_get_opt_flag) int32_t __vg_sock_get_opt_flag(uint32_t fd, uint32_t opt, uint8_t *ret);
VG_WASIX(sock_set_opt_size)
int32_t __vg_sock_set_opt_size(uint32_t fd, uint32_t opt, uint64_t size);
VG_WASIX(sock_get_opt_size)
int32_t __vg_sock_get_opt_size(uint32_t fd, uint32_t opt, uint64_t *ret);
VG_WASIX(sock_set_opt_time)
int32_t __vg_sock_set_opt_time(uint32_t fd, uint32_t opt, const void *timestamp);
VG_WASIX(sock_get_opt_time) int32_t __vg_sock_get_opt_time(uint32_t fd, uint32_t opt, void *timestamp);

struct sockaddr;
/* fd's socket family: AF_INET or AF_INET6 for a host socket, AF_UNIX for
 * a socket-pair end; -1 with errno EBADF / ENOTSOCK. */
int __vg_sock_family(int fd);
/* A WASIX address given back the way accept / getsockname do it: copied
 * truncated to *len, *len set to its full length; 0 or -1/EFAULT/EINVAL. */
int __vg_addr_give(const struct __vg_addr *a, struct sockaddr *addr, unsigned *len);

#endif
