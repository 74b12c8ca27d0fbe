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
/* Marks a descriptor this library just created close-on-exec (WASIX
 * fd_fdflags_set).  A host without WASIX fd flags answers ENOSYS, which
 * is ignored: without exec the flag changes nothing but F_GETFD.  0 or -1
 * with errno. */
int __vg_set_cloexec(int fd);
/* fd is open (WASI fd_fdstat_get): 0, or -1 with errno EBADF. */
int __vg_fd_check(int fd);
/* fd is a socket: 0, or -1 with errno EBADF / ENOTSOCK. */
int __vg_sock_check(int fd);
/* SIGPIPE for an EPIPE from a write to a pipe or socket (unless
 * MSG_NOSIGNAL); returns -1 with errno EPIPE, as the call does on Linux
 * once the signal is handled or ignored. */
int __vg_epipe(void);


/* A call that waits with its own signal mask (epoll_pwait): the blocked
 * set becomes *mask and *saved gets the one __vg_sigmask_pop restores
 * (always call it).  Pending signals the mask unblocks are delivered: -1
 * with errno EINTR if a handler ran (the call must not wait then, as
 * Linux's returns EINTR at once), else 0 (signal.c). */
struct __sigset_t;
int __vg_sigmask_push(const struct __sigset_t *mask, struct __sigset_t *saved);
void __vg_sigmask_pop(const struct __sigset_t *saved);

/* Loopback TCP inside the guest (loopback.c).  __vg_inet: the socket
 * state of fd, or NULL if fd is not an AF_INET/AF_INET6 socket made by
 * socket().  __vg_inet_forget: drop that state (fd's number is being
 * closed or replaced), closing what the library kept for it. */
struct inet;
struct sockaddr;
struct inet *__vg_inet(int fd);
void __vg_inet_forget(int fd);
int __vg_inet_socket(int domain, int type);
int __vg_inet_bind(struct inet *s, const struct sockaddr *addr, unsigned len);
int __vg_inet_listen(struct inet *s);
int __vg_inet_connect(int fd, struct inet *s, const struct sockaddr *addr, unsigned len);
int __vg_inet_accept(int fd, struct inet *s, struct sockaddr *addr, unsigned *len, int flags);
int __vg_inet_name(struct inet *s, int peer, struct sockaddr *addr, unsigned *len);
int __vg_inet_family(const struct inet *s);

#endif
