/*
 * wasi-libc's <unistd.h> plus pipe()/pipe2(), which WASI lacks and the
 * WASIX fd_pipe import provides (vepoll's guest headers).
 */
#include_next <unistd.h>

#ifndef _VEPOLL_WASIX_UNISTD_H
#define _VEPOLL_WASIX_UNISTD_H
#ifdef __cplusplus
extern "C" {
#endif
int pipe(int fds[2]);
int pipe2(int fds[2], int flags);
#ifdef __cplusplus
}
#endif
#endif
