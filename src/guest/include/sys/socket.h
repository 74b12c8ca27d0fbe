/*
 * wasi-libc's <sys/socket.h> plus the BSD socket calls it leaves out, so
 * socket code compiles unmodified (vepoll's guest headers):
 *  - socketpair(AF_UNIX, SOCK_STREAM) over WASIX sock_pair, and
 *    send/recv/sendto/recvfrom/sendmsg/recvmsg on it with Linux's
 *    MSG_PEEK, MSG_WAITALL, MSG_DONTWAIT and MSG_NOSIGNAL, over WASI
 *    sock_send / sock_recv (MSG_DONTWAIT travels as WASIX's
 *    RECV_DONT_WAIT / SEND_DONT_WAIT flag bit);
 *  - socket, bind, listen, connect, accept, getsockname, getpeername,
 *    setsockopt, getsockopt declared; what this host cannot serve fails
 *    the way docs/GUESTS.md lists (EAFNOSUPPORT, ENOTSOCK, ENOSYS...).
 * The MSG_ values are wasi-libc's (PEEK 1, WAITALL 2, TRUNC 4) plus
 * Linux's for the flags wasi-libc lacks.
 */
#include_next <sys/socket.h>

#ifndef _VEPOLL_WASIX_SYS_SOCKET_H
#define _VEPOLL_WASIX_SYS_SOCKET_H
#ifdef __cplusplus
extern "C" {
#endif

#ifndef MSG_CTRUNC
#define MSG_CTRUNC 0x0008
#endif
#ifndef MSG_DONTWAIT
#define MSG_DONTWAIT 0x0040
#endif
#ifndef MSG_EOR
#define MSG_EOR 0x0080
#endif
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0x4000
#endif
#ifndef MSG_MORE
#define MSG_MORE 0x8000
#endif
#ifndef MSG_CMSG_CLOEXEC
#define MSG_CMSG_CLOEXEC 0x40000000
#endif
#ifndef SOMAXCONN
#define SOMAXCONN 4096
#endif
#ifndef AF_LOCAL
#define AF_LOCAL AF_UNIX
#endif
#ifndef PF_UNSPEC
#define PF_UNSPEC AF_UNSPEC
#define PF_INET AF_INET
#define PF_INET6 AF_INET6
#define PF_UNIX AF_UNIX
#define PF_LOCAL AF_UNIX
#endif
#ifndef SO_REUSEADDR
#define SO_REUSEADDR 2
#define SO_ERROR 4
#define SO_BROADCAST 6
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_KEEPALIVE 9
#define SO_LINGER 13
#define SO_REUSEPORT 15
#define SO_RCVLOWAT 18
#define SO_SNDLOWAT 19
#define SO_RCVTIMEO 20
#define SO_SNDTIMEO 21
#define SO_ACCEPTCONN 30
#define SO_PROTOCOL 38
#define SO_DOMAIN 39
#endif

int socket(int domain, int type, int protocol);
int socketpair(int domain, int type, int protocol, int fds[2]);
int bind(int fd, const struct sockaddr *addr, socklen_t len);
int connect(int fd, const struct sockaddr *addr, socklen_t len);
int listen(int fd, int backlog);
int getsockname(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict len);
int getpeername(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict len);
int setsockopt(int fd, int level, int name, const void *val, socklen_t len);
ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr,
               socklen_t alen);
ssize_t recvfrom(int fd, void *__restrict buf, size_t len, int flags,
                 struct sockaddr *__restrict addr, socklen_t *__restrict alen);
ssize_t sendmsg(int fd, const struct msghdr *msg, int flags);
ssize_t recvmsg(int fd, struct msghdr *msg, int flags);

#ifdef __cplusplus
}
#endif
#endif
