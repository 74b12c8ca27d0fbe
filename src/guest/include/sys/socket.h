/*
 * wasi-libc's <sys/socket.h> plus socketpair(AF_UNIX, SOCK_STREAM), which
 * the WASIX sock_pair import provides (vepoll's guest headers).  shutdown()
 * is declared by wasi-libc; the shim routes it to WASIX sock_shutdown.
 */
#include_next <sys/socket.h>

#ifndef _VEPOLL_WASIX_SYS_SOCKET_H
#define _VEPOLL_WASIX_SYS_SOCKET_H
#ifdef __cplusplus
extern "C" {
#endif
int socketpair(int domain, int type, int protocol, int fds[2]);
#ifdef __cplusplus
}
#endif
#endif
