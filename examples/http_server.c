/*
 * A small HTTP/1.1 server: one thread, one Linux epoll instance
 * (edge-triggered), accept4 / recv / send, keep-alive and pipelined
 * requests.  Every request gets "Hello, world!" (GET / HEAD; anything else
 * 405).  The same file builds natively and as a WebAssembly guest:
 *
 *   cc -O2 examples/http_server.c -o http_server && ./http_server 8080
 *   tools/vepoll-wasix-run --tcplisten 127.0.0.1:8080 examples/http_server.c
 *
 * With a PORT argument it listens on 127.0.0.1:PORT itself (a guest may
 * too: its sockets are the host's; PORT 0 lets the kernel pick one) and
 * says where on stderr; without one it serves the listening socket it was
 * given as descriptor 3 (the runner's --tcplisten).
 * bench/http.sh drives both with wrk; docs/BENCHMARKS.md has the numbers.
 * It runs until killed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define PREOPENED 3
#define IN_MAX 8192
#define OUT_MAX 65536

struct conn {
    int fd;
    size_t in_len, out_len, out_sent;
    int closing; /* close once the output is sent */
    char in[IN_MAX], out[OUT_MAX];
};

static const char body[] = "Hello, world!\n";

static int fail(const char *what)
{
    perror(what);
    return 1;
}

static int listen_on(int port)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int one = 1, l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((unsigned short)port);
    if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
        bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, SOMAXCONN) ||
        getsockname(l, (struct sockaddr *)&a, &len))
        return -1;
    fprintf(stderr, "http_server: listening on 127.0.0.1:%d\n", ntohs(a.sin_port));
    return l;
}

/* The header value check a keep-alive decision needs (case-insensitive). */
static int has_header(const char *req, size_t len, const char *line)
{
    size_t n = strlen(line);
    for (size_t i = 0; i + n <= len; i++)
        if ((i == 0 || req[i - 1] == '\n') && !strncasecmp(req + i, line, n))
            return 1;
    return 0;
}

/* Answers every whole request in c->in; 0, or -1 when the output is full
 * or the request is too large (the connection is closed). */
static int answer(struct conn *c)
{
    char *end;
    while ((end = memmem(c->in, c->in_len, "\r\n\r\n", 4)) != NULL) {
        size_t req = (size_t)(end + 4 - c->in);
        int head = c->in_len >= 5 && !memcmp(c->in, "HEAD ", 5);
        int get = c->in_len >= 4 && !memcmp(c->in, "GET ", 4);
        int http10 = memmem(c->in, req, "HTTP/1.0\r\n", 10) != NULL;
        int n;
        if (has_header(c->in, req, "connection: close") ||
            (http10 && !has_header(c->in, req, "connection: keep-alive")))
            c->closing = 1;
        n = snprintf(c->out + c->out_len, OUT_MAX - c->out_len,
                     "HTTP/1.1 %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n%s\r\n%s",
                     get || head ? "200 OK" : "405 Method Not Allowed",
                     get || head ? sizeof(body) - 1 : 0,
                     c->closing ? "Connection: close\r\n" : "", get ? body : "");
        if (n < 0 || (size_t)n >= OUT_MAX - c->out_len)
            return -1;
        c->out_len += (size_t)n;
        memmove(c->in, c->in + req, c->in_len - req);
        c->in_len -= req;
        if (c->closing)
            return 0;
    }
    return c->in_len == IN_MAX ? -1 : 0;
}

/* Moves what can move now; 1 when the connection is done. */
static int pump(struct conn *c)
{
    for (;;) {
        ssize_t n;
        if (c->out_sent < c->out_len) {
            n = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent, MSG_NOSIGNAL);
            if (n < 0)
                return errno == EAGAIN ? 0 : 1;
            c->out_sent += (size_t)n;
            continue;
        }
        c->out_len = c->out_sent = 0;
        if (c->closing)
            return 1;
        n = recv(c->fd, c->in + c->in_len, IN_MAX - c->in_len, 0);
        if (n <= 0)
            return n == 0 || errno != EAGAIN;
        c->in_len += (size_t)n;
        if (answer(c) < 0)
            return 1;
    }
}

int main(int argc, char **argv)
{
    int l = argc > 1 ? listen_on(atoi(argv[1])) : PREOPENED, ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL}, out[64];
    if (l < 0)
        return fail("listen");
    if (ep < 0)
        return fail("epoll_create1");
    if (fcntl(l, F_SETFL, O_NONBLOCK) || epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev))
        return fail(argc > 1 ? "listener" : "descriptor 3 (--tcplisten)");
    for (;;) {
        int n = epoll_wait(ep, out, 64, -1);
        if (n < 0 && errno != EINTR)
            return fail("epoll_wait");
        for (int i = 0; i < n; i++) {
            struct conn *c = out[i].data.ptr;
            if (!c) {
                int s;
                while ((s = accept4(l, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    if (!(c = calloc(1, sizeof(*c)))) {
                        close(s);
                        continue;
                    }
                    c->fd = s;
                    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
                    ev.data.ptr = c;
                    if (epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev)) {
                        close(s);
                        free(c);
                    }
                }
                continue;
            }
            if (pump(c)) {
                close(c->fd); /* leaves the epoll set: no later event names c */
                free(c);
            }
        }
    }
}
