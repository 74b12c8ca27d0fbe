/*
 * Drives tests/guest/echo_server.c over real loopback TCP and checks every
 * byte (S223): CONNS connections open at once, each sends its own pattern
 * (sizes from 1 byte to about 64 KiB, so many exceed the socket buffers
 * and the server's), half-closes, and must read back exactly what it sent
 * before the server's EOF; then the server must exit 0.  Native program.
 *
 *   echo_client native SERVER          SERVER runs with our listener as fd 3
 *   echo_client guest RUNNER [--asan]  the server as a guest:
 *       RUNNER [--asan] --tcplisten 127.0.0.1:0 echo_server.c CONNS, whose
 *       port is read from the runner's "fd 3 listens on" line on stderr
 * The server's own source is found next to this file (ECHO_SERVER_SRC).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wx_test.h"

#define CONNS 64
#define CONNS_STR "64"

struct cl {
    int fd;
    size_t size, sent, got;
};

static unsigned char pattern(int i, size_t j)
{
    return (unsigned char)(i * 31 + j * 7 + (j >> 8));
}

/* The native server: our listener on 127.0.0.1, port 0, as its fd 3. */
static pid_t start_native(const char *server, unsigned *port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    int l = socket(AF_INET, SOCK_STREAM, 0);
    pid_t pid;
    CHECK(l >= 0);
    CHECK_EQ(bind(l, (struct sockaddr *)&a, sizeof(a)), 0);
    CHECK_EQ(listen(l, 128), 0);
    CHECK_EQ(getsockname(l, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        if (dup2(l, 3) < 0)
            _exit(127);
        execl(server, server, CONNS_STR, (char *)NULL);
        _exit(127);
    }
    close(l);
    return pid;
}

/* The guest server: the runner's stderr is read until the listener's
 * port shows (everything else is passed on), then left to stderr. */
static pid_t start_guest(char **argv, int argc, unsigned *port)
{
    const char *args[8];
    int n = 0, p[2];
    char line[512];
    FILE *f;
    pid_t pid;
    args[n++] = argv[2];
    if (argc > 3)
        args[n++] = argv[3]; /* --asan */
    args[n++] = "--tcplisten";
    args[n++] = "127.0.0.1:0";
    args[n++] = ECHO_SERVER_SRC;
    args[n++] = CONNS_STR;
    args[n] = NULL;
    CHECK_EQ(pipe(p), 0);
    pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        dup2(p[1], 2);
        close(p[0]);
        close(p[1]);
        execv(args[0], (char *const *)args);
        _exit(127);
    }
    close(p[1]);
    f = fdopen(p[0], "r");
    CHECK(f != NULL);
    *port = 0;
    while (!*port && fgets(line, sizeof(line), f)) {
        const char *at = strstr(line, "fd 3 listens on 127.0.0.1:");
        if (at)
            *port = (unsigned)atoi(at + strlen("fd 3 listens on 127.0.0.1:"));
        else
            fputs(line, stderr);
    }
    CHECK(*port != 0);
    if (fork() == 0) { /* pass the rest of the runner's stderr on */
        while (fgets(line, sizeof(line), f))
            fputs(line, stderr);
        _exit(0);
    }
    fclose(f);
    return pid;
}

/* Every connection at once, non-blocking, until each has read back all. */
static void run_clients(unsigned port)
{
    static struct cl c[CONNS];
    struct pollfd pf[CONNS];
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                            .sin_port = htons((uint16_t)port)};
    unsigned char buf[8192];
    int done = 0;
    for (int i = 0; i < CONNS; i++) {
        c[i].fd = socket(AF_INET, SOCK_STREAM, 0);
        CHECK(c[i].fd >= 0);
        CHECK_EQ(connect(c[i].fd, (struct sockaddr *)&a, sizeof(a)), 0);
        CHECK_EQ(fcntl(c[i].fd, F_SETFL, O_NONBLOCK), 0);
        c[i].size = 1 + (size_t)i * 1031;
    }
    while (done < CONNS) {
        for (int i = 0; i < CONNS; i++) {
            pf[i].fd = c[i].fd;
            pf[i].events = (short)(POLLIN | (c[i].sent < c[i].size ? POLLOUT : 0));
        }
        CHECK(poll(pf, CONNS, 30000) > 0);
        for (int i = 0; i < CONNS; i++) {
            ssize_t n;
            if (c[i].fd < 0)
                continue;
            if ((pf[i].revents & POLLOUT) && c[i].sent < c[i].size) {
                size_t k = c[i].size - c[i].sent;
                k = k < sizeof(buf) ? k : sizeof(buf);
                for (size_t j = 0; j < k; j++)
                    buf[j] = pattern(i, c[i].sent + j);
                n = send(c[i].fd, buf, k, MSG_NOSIGNAL);
                CHECK(n > 0 || errno == EAGAIN);
                if (n > 0 && (c[i].sent += (size_t)n) == c[i].size)
                    CHECK_EQ(shutdown(c[i].fd, SHUT_WR), 0);
            }
            if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            n = recv(c[i].fd, buf, sizeof(buf), 0);
            CHECK(n >= 0 || errno == EAGAIN);
            for (ssize_t j = 0; j < n; j++)
                CHECK_EQ(buf[j], pattern(i, c[i].got + (size_t)j));
            if (n > 0)
                c[i].got += (size_t)n;
            if (n == 0) {
                CHECK_EQ(c[i].got, c[i].size); /* every byte, then EOF */
                close(c[i].fd);
                c[i].fd = -1;
                done++;
            }
        }
    }
}

int main(int argc, char **argv)
{
    unsigned port;
    int status;
    pid_t pid;
    signal(SIGPIPE, SIG_IGN);
    CHECK(argc >= 3);
    pid = strcmp(argv[1], "guest") ? start_native(argv[2], &port) : start_guest(argv, argc, &port);
    run_clients(port);
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status));
    CHECK_EQ(WEXITSTATUS(status), 0);
    printf("ok %d connections echoed, every byte checked\n", CONNS);
    return 0;
}
