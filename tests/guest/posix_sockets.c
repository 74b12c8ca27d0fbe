/*
 * The BSD socket surface on a connected stream socket pair, and the
 * numeric name service, checked against Linux (built natively and as a
 * guest): connect to a missing path ENOENT, to an abstract name
 * ECONNREFUSED, to another family EINVAL, listen and accept EINVAL, unnamed AF_UNIX
 * local and peer addresses, SOL_SOCKET options, ENOTSOCK for a pipe and
 * EBADF for a bad descriptor, getaddrinfo/getnameinfo on numeric
 * addresses with glibc's error codes.  The guest build also checks what
 * only this host does: socket() serves AF_INET/AF_INET6 streams only
 * (posix_loopback) and bind() of a socket pair end fails with ENOSYS
 * (docs/GUESTS.md).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "wx_test.h"

static int sv[2], pfd[2];

static void setup(void)
{
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    CHECK_EQ(pipe(pfd), 0);
}

static void connected_pair(void)
{
    struct sockaddr_storage ss;
    struct sockaddr_un un;
    struct sockaddr_in in;
    socklen_t len = sizeof(ss);
    memset(&un, 0, sizeof(un));
    un.sun_family = AF_UNIX;
    strcpy(un.sun_path, "/nonexistent-vepoll/s.sock");
    CHECK_ERR(connect(sv[0], (struct sockaddr *)&un, sizeof(un)), ENOENT);
    strcpy(un.sun_path + 1, "vepoll-none");
    un.sun_path[0] = 0;
    CHECK_ERR(connect(sv[0], (struct sockaddr *)&un, sizeof(un)), ECONNREFUSED);
    memset(&in, 0, sizeof(in));
    in.sin_family = AF_INET;
    CHECK_ERR(connect(sv[0], (struct sockaddr *)&in, sizeof(in)), EINVAL);
    CHECK_ERR(connect(pfd[0], (struct sockaddr *)&un, sizeof(un)), ENOTSOCK);
    CHECK_ERR(listen(sv[0], 5), EINVAL);
    CHECK_ERR(accept(sv[0], NULL, NULL), EINVAL);
    CHECK_ERR(accept4(sv[0], NULL, NULL, 0x7), EINVAL); /* bad flags */
    memset(&ss, 0x55, sizeof(ss));
    CHECK_EQ(getsockname(sv[0], (struct sockaddr *)&ss, &len), 0);
    CHECK_EQ(len, sizeof(sa_family_t));
    CHECK_EQ(ss.ss_family, AF_UNIX);
    len = sizeof(ss);
    CHECK_EQ(getpeername(sv[1], (struct sockaddr *)&ss, &len), 0);
    CHECK_EQ(len, sizeof(sa_family_t));
    CHECK_EQ(ss.ss_family, AF_UNIX);
}

static void options(void)
{
    int v = 1;
    socklen_t len = sizeof(v);
    CHECK_EQ(setsockopt(sv[0], SOL_SOCKET, SO_KEEPALIVE, &v, sizeof(v)), 0);
    CHECK_EQ(setsockopt(sv[0], SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)), 0);
    CHECK_ERR(setsockopt(sv[0], SOL_SOCKET, SO_REUSEADDR, &v, 1), EINVAL);
    CHECK_ERR(setsockopt(sv[0], IPPROTO_TCP, 1, &v, sizeof(v)), EOPNOTSUPP);
    CHECK_EQ(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &len), 0);
    CHECK_EQ(v, SOCK_STREAM);
    CHECK_EQ(len, sizeof(int));
    v = -1;
    CHECK_EQ(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &v, &len), 0);
    CHECK_EQ(v, 0);
    CHECK_EFAULT(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &v, BAD_PTR));
}

static void not_sockets(void)
{
    int v = 0;
    socklen_t len = sizeof(v);
    struct sockaddr_storage ss;
    CHECK_ERR(getsockopt(pfd[0], SOL_SOCKET, SO_TYPE, &v, &len), ENOTSOCK);
    CHECK_ERR(setsockopt(pfd[0], SOL_SOCKET, SO_KEEPALIVE, &v, sizeof(v)), ENOTSOCK);
    CHECK_ERR(getsockname(pfd[1], (struct sockaddr *)&ss, &len), ENOTSOCK);
    CHECK_ERR(listen(pfd[0], 1), ENOTSOCK);
    CHECK_ERR(accept(pfd[0], NULL, NULL), ENOTSOCK);
    CHECK_ERR(listen(-1, 1), EBADF);
    CHECK_ERR(accept(-1, NULL, NULL), EBADF);
    CHECK_ERR(getpeername(999, (struct sockaddr *)&ss, &len), EBADF);
    CHECK_ERR(recv(pfd[0], &v, 1, MSG_DONTWAIT), ENOTSOCK);
    CHECK_ERR(send(pfd[1], &v, 1, 0), ENOTSOCK);
    CHECK_ERR(send(-1, &v, 1, 0), EBADF);
}

static void numeric_addresses(void)
{
    struct addrinfo hints, *res;
    struct sockaddr_in *in4;
    char host[64], serv[16];
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    CHECK_EQ(getaddrinfo("127.0.0.1", "8080", &hints, &res), 0);
    CHECK_EQ(res->ai_family, AF_INET);
    CHECK_EQ(res->ai_socktype, SOCK_STREAM);
    CHECK(res->ai_next == NULL);
    in4 = (struct sockaddr_in *)res->ai_addr;
    CHECK_EQ(ntohs(in4->sin_port), 8080);
    CHECK_EQ(ntohl(in4->sin_addr.s_addr), INADDR_LOOPBACK);
    CHECK_EQ(getnameinfo(res->ai_addr, res->ai_addrlen, host, sizeof(host), serv, sizeof(serv),
                         NI_NUMERICHOST | NI_NUMERICSERV),
             0);
    CHECK(strcmp(host, "127.0.0.1") == 0);
    CHECK(strcmp(serv, "8080") == 0);
    freeaddrinfo(res);
    hints.ai_family = AF_INET6;
    hints.ai_flags = AI_NUMERICHOST;
    CHECK_EQ(getaddrinfo("::1", NULL, &hints, &res), 0);
    CHECK_EQ(res->ai_family, AF_INET6);
    CHECK_EQ(res->ai_addrlen, sizeof(struct sockaddr_in6));
    freeaddrinfo(res);
    hints.ai_flags = AI_PASSIVE;
    hints.ai_family = AF_INET;
    CHECK_EQ(getaddrinfo(NULL, "80", &hints, &res), 0);
    CHECK_EQ(((struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr, htonl(INADDR_ANY));
    freeaddrinfo(res);
}

static void name_service_errors(void)
{
    struct addrinfo hints, *res;
    memset(&hints, 0, sizeof(hints));
    CHECK_EQ(getaddrinfo(NULL, NULL, &hints, &res), EAI_NONAME);
    hints.ai_family = 12345;
    CHECK_EQ(getaddrinfo("127.0.0.1", NULL, &hints, &res), EAI_FAMILY);
    hints.ai_family = AF_INET;
    hints.ai_flags = AI_NUMERICHOST;
    CHECK_EQ(getaddrinfo("not-a-number", NULL, &hints, &res), EAI_NONAME);
    hints.ai_flags = AI_NUMERICSERV;
    CHECK_EQ(getaddrinfo("127.0.0.1", "http", &hints, &res), EAI_NONAME);
    hints.ai_flags = 0x10000;
    CHECK_EQ(getaddrinfo("127.0.0.1", NULL, &hints, &res), EAI_BADFLAGS);
    CHECK(strcmp(gai_strerror(EAI_NONAME), "Name or service not known") == 0);
    errno = 0;
    CHECK_EQ(if_nametoindex("vepoll-none0"), 0);
    CHECK_EQ(errno, ENODEV);
}

#ifdef __wasm__
static void guest_only(void)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    CHECK_ERR(socket(AF_INET, SOCK_DGRAM, 0), EAFNOSUPPORT);
    CHECK_ERR(socket(AF_UNIX, SOCK_STREAM, 0), EAFNOSUPPORT);
    CHECK_ERR(socket(AF_INET, 99, 0), EINVAL);
    CHECK_ERR(socket(1000, SOCK_STREAM, 0), EAFNOSUPPORT);
    CHECK_ERR(bind(sv[0], (struct sockaddr *)&a, sizeof(a)), ENOSYS);
    CHECK_ERR(bind(pfd[0], (struct sockaddr *)&a, sizeof(a)), ENOTSOCK);
}
#endif

int main(void)
{
    setup();
    RUN(connected_pair);
    RUN(options);
    RUN(not_sockets);
    RUN(numeric_addresses);
    RUN(name_service_errors);
#ifdef __wasm__
    RUN(guest_only);
#endif
    return 0;
}
