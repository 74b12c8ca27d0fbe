/*
 * sigset_t for wasm32-wasi guests (vepoll's guest headers): musl's layout,
 * 128 bytes, one bit per signal.  wasi-libc's placeholder is one unsigned
 * char, too small for signals 1..31; every header that names sigset_t
 * (<signal.h>, <poll.h>, <sys/select.h>) reaches this file first.
 */
#ifndef __wasilibc___typedef_sigset_t_h
#define __wasilibc___typedef_sigset_t_h

typedef struct __sigset_t {
    unsigned long __bits[128 / sizeof(long)];
} sigset_t;

#endif
