/*
 * Linux's fd_set in place of wasi-libc's: a bitmap of FD_SETSIZE bits in
 * unsigned longs (glibc's and musl's layout, 128 bytes), with fd_mask and
 * NFDBITS, so a program that sizes, copies or allocates its sets as
 * bitmaps works (libevent's select back end grows them with
 * howmany(fd + 1, NFDBITS) * sizeof(fd_mask); wasi-libc's fd_set is a
 * count and a list of descriptors, which such a program overruns).
 * select and pselect are the guest library's (select.c), which read and
 * write these bitmaps; nothing in wasi-libc that the guest links uses its
 * own fd_set once they are.  This replaces wasi-libc's <sys/select.h>
 * (and keeps its <__fd_set.h> / <__typedef_fd_set.h> out).
 */
#ifndef _SYS_SELECT_H
#define _SYS_SELECT_H
#define __wasilibc___typedef_fd_set_h /* wasi-libc's list layout: never */
#define __wasilibc___fd_set_h
#ifdef __cplusplus
extern "C" {
#endif

#include <features.h>

#define __NEED_size_t
#define __NEED_time_t
#define __NEED_suseconds_t
#define __NEED_struct_timeval
#define __NEED_struct_timespec
#define __NEED_sigset_t

#include <bits/alltypes.h>

#define FD_SETSIZE 1024

typedef unsigned long fd_mask;

typedef struct {
    unsigned long fds_bits[FD_SETSIZE / 8 / sizeof(long)];
} fd_set;

#define FD_ZERO(s) do { int __i; unsigned long *__b=(s)->fds_bits; for(__i=sizeof (fd_set)/sizeof (long); __i; __i--) *__b++=0; } while(0)
#define FD_SET(d, s)   ((s)->fds_bits[(d)/(8*sizeof(long))] |= (1UL<<((d)%(8*sizeof(long)))))
#define FD_CLR(d, s)   ((s)->fds_bits[(d)/(8*sizeof(long))] &= ~(1UL<<((d)%(8*sizeof(long)))))
#define FD_ISSET(d, s) !!((s)->fds_bits[(d)/(8*sizeof(long))] & (1UL<<((d)%(8*sizeof(long)))))

int select (int, fd_set *__restrict, fd_set *__restrict, fd_set *__restrict, struct timeval *__restrict);
int pselect (int, fd_set *__restrict, fd_set *__restrict, fd_set *__restrict, const struct timespec *__restrict, const sigset_t *__restrict);

#if defined(_GNU_SOURCE) || defined(_BSD_SOURCE)
#define NFDBITS (8*(int)sizeof(long))
#endif

#ifdef __cplusplus
}
#endif
#endif
