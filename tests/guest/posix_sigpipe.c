/*
 * SIGPIPE, checked against Linux (built natively and as a guest): a write
 * or send to a pipe or socket whose other end is closed raises SIGPIPE
 * before failing with EPIPE; MSG_NOSIGNAL suppresses the signal; an
 * ignored SIGPIPE leaves just the EPIPE.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "wx_test.h"

static volatile sig_atomic_t pipes;

static void on_pipe(int sig)
{
    (void)sig;
    pipes++;
}

static void write_to_closed_pipe(void)
{
    int p[2];
    struct iovec iov = {"ab", 2};
    pipes = 0;
    CHECK(signal(SIGPIPE, on_pipe) != SIG_ERR);
    CHECK_EQ(pipe(p), 0);
    CHECK_EQ(close(p[0]), 0);
    CHECK_ERR(write(p[1], "x", 1), EPIPE);
    CHECK_EQ(pipes, 1);
    CHECK_ERR(writev(p[1], &iov, 1), EPIPE);
    CHECK_EQ(pipes, 2);
    close(p[1]);
}

static void send_to_closed_socket(void)
{
    int sv[2];
    pipes = 0;
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    CHECK_EQ(close(sv[1]), 0);
    CHECK_ERR(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
    CHECK_EQ(pipes, 0);
    CHECK_ERR(send(sv[0], "x", 1, 0), EPIPE);
    CHECK_EQ(pipes, 1);
    CHECK_ERR(write(sv[0], "x", 1), EPIPE);
    CHECK_EQ(pipes, 2);
    close(sv[0]);
}

static void ignored_sigpipe_leaves_epipe(void)
{
    int p[2];
    pipes = 0;
    CHECK(signal(SIGPIPE, SIG_IGN) == on_pipe);
    CHECK_EQ(pipe(p), 0);
    close(p[0]);
    CHECK_ERR(write(p[1], "x", 1), EPIPE);
    CHECK_EQ(pipes, 0);
    close(p[1]);
}

int main(void)
{
    RUN(write_to_closed_pipe);
    RUN(send_to_closed_socket);
    RUN(ignored_sigpipe_leaves_epipe);
    return 0;
}
