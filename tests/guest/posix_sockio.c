/*
 * send/recv and their msg/to/from forms on a stream socket pair, checked
 * against Linux (built natively and as a guest): MSG_PEEK leaves the data,
 * MSG_DONTWAIT fails with EAGAIN instead of blocking on a blocking socket,
 * MSG_WAITALL gathers, scatter/gather through msghdr, an address on a
 * connected socket is EISCONN, the peer address comes back empty, and bad
 * descriptors and pointers fail with Linux's errno.  Needs the host's
 * flag-aware sock_send / sock_recv (VW_WASIX_FD_API).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "wx_test.h"

static int sv[2];

static void peek_leaves_data(void)
{
    char buf[8] = {0};
    CHECK_EQ(send(sv[0], "abc", 3, 0), 3);
    CHECK_EQ(recv(sv[1], buf, sizeof(buf), MSG_PEEK), 3);
    CHECK(memcmp(buf, "abc", 3) == 0);
    memset(buf, 0, sizeof(buf));
    CHECK_EQ(recv(sv[1], buf, 2, 0), 2);
    CHECK(memcmp(buf, "ab", 2) == 0);
    CHECK_EQ(recv(sv[1], buf, sizeof(buf), 0), 1);
    CHECK_EQ(buf[0], 'c');
}

static void dontwait_on_blocking_socket(void)
{
    char buf[4];
    CHECK_ERR(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
    CHECK_ERR(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT | MSG_PEEK), EAGAIN);
}

static void dontwait_send_fills_buffer(void)
{
    static char big[4096];
    long total = 0;
    ssize_t n;
    char buf[4096];
    while ((n = send(sv[0], big, sizeof(big), MSG_DONTWAIT)) > 0)
        total += n;
    CHECK_EQ(n, -1);
    CHECK_EQ(errno, EAGAIN);
    CHECK(total > 0);
    while (total > 0) {
        n = recv(sv[1], buf, sizeof(buf), 0);
        CHECK(n > 0);
        total -= n;
    }
    CHECK_ERR(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
}

static void waitall_and_msghdr(void)
{
    char a[3], b[4], buf[8] = {0};
    struct iovec out[2] = {{"hel", 3}, {"lo!", 3}}, in[2] = {{a, sizeof(a)}, {b, sizeof(b)}};
    struct msghdr m;
    memset(&m, 0, sizeof(m));
    m.msg_iov = out;
    m.msg_iovlen = 2;
    CHECK_EQ(sendmsg(sv[0], &m, 0), 6);
    CHECK_EQ(recv(sv[1], buf, 6, MSG_WAITALL), 6);
    CHECK(memcmp(buf, "hello!", 6) == 0);
    CHECK_EQ(send(sv[0], "1234567", 7, 0), 7);
    memset(&m, 0, sizeof(m));
    m.msg_iov = in;
    m.msg_iovlen = 2;
    CHECK_EQ(recvmsg(sv[1], &m, MSG_WAITALL), 7);
    CHECK(memcmp(a, "123", 3) == 0);
    CHECK(memcmp(b, "4567", 4) == 0);
    CHECK_EQ(m.msg_flags, 0);
}

static void addresses_on_connected_socket(void)
{
    struct sockaddr_un un;
    struct sockaddr_storage from;
    socklen_t len = sizeof(from);
    char c;
    memset(&un, 0, sizeof(un));
    un.sun_family = AF_UNIX;
    CHECK_ERR(sendto(sv[0], "x", 1, 0, (struct sockaddr *)&un, sizeof(un)), EISCONN);
    CHECK_EQ(sendto(sv[0], "x", 1, 0, NULL, 0), 1);
    CHECK_EQ(recvfrom(sv[1], &c, 1, 0, (struct sockaddr *)&from, &len), 1);
    CHECK_EQ(len, 0);
}

static void bad_input(void)
{
    int p[2];
    char c;
    CHECK_EQ(pipe(p), 0);
    CHECK_ERR(recv(p[0], &c, 1, 0), ENOTSOCK);
    CHECK_ERR(send(p[1], &c, 1, 0), ENOTSOCK);
    CHECK_ERR(recv(-1, &c, 1, 0), EBADF);
    CHECK_ERR(send(p[1] + 100, &c, 1, 0), EBADF);
    CHECK_EQ(send(sv[0], "x", 1, 0), 1);
    CHECK_EFAULT(recv(sv[1], BAD_PTR, 1, 0));
    CHECK_EFAULT(send(sv[0], BAD_PTR, 1, 0));
    CHECK_EQ(recv(sv[1], &c, 1, 0), 1); /* the failed recv took nothing */
    CHECK_EQ(c, 'x');
    close(p[0]);
    close(p[1]);
}

static void end_of_stream(void)
{
    char c;
    CHECK_EQ(shutdown(sv[0], SHUT_WR), 0);
    CHECK_EQ(recv(sv[1], &c, 1, 0), 0);
    CHECK_EQ(recv(sv[1], &c, 1, MSG_DONTWAIT), 0);
}

int main(void)
{
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    RUN(peek_leaves_data);
    RUN(dontwait_on_blocking_socket);
    RUN(dontwait_send_fills_buffer);
    RUN(waitall_and_msghdr);
    RUN(addresses_on_connected_socket);
    RUN(bad_input);
    RUN(end_of_stream);
    return 0;
}
