/*
 * wasi-libc's <fcntl.h> with what an event loop needs from Linux's:
 * F_DUPFD / F_DUPFD_CLOEXEC, and an O_CLOEXEC that is a real flag.
 * wasi-libc defines O_CLOEXEC as 0 (WASI has no exec), which makes
 * close-on-exec invisible to F_GETFD; here it is a bit no other O_ flag
 * uses and that wasi-libc's open() ignores (it passes bits 0-23 only), and
 * the guest library's creating calls (dup3, pipe2, socketpair, eventfd,
 * timerfd_create, epoll_create1) store it through WASIX fd_fdflags_set.
 * fcntl() itself is the guest library's (src/guest/fd.c).
 */
#include_next <fcntl.h>

#ifndef _VEPOLL_WASIX_FCNTL_H
#define _VEPOLL_WASIX_FCNTL_H

#undef O_CLOEXEC
#define O_CLOEXEC 0x40000000
#ifndef F_DUPFD
#define F_DUPFD 0
#endif
#ifndef F_DUPFD_CLOEXEC
#define F_DUPFD_CLOEXEC 1030
#endif

#endif
