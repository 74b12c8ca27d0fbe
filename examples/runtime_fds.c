/*
 * runtime_fds: how a WebAssembly runtime builds fd_pipe, fd_event and socket
 * pairs on vepoll's ready-made objects -- with no readiness code at all.
 *
 * The "runtime" below is a toy descriptor table: each guest descriptor
 * number maps to one end of a vepoll object (or to an epoll instance).  The
 * guest calls (rt_pipe, rt_eventfd, rt_socketpair, rt_read, rt_write,
 * rt_shutdown, rt_close, rt_epoll_*) only translate numbers and flags; every
 * readiness change, wake-up and blocking rule comes from the objects, which
 * follow Linux.  (A real runtime also keeps a reference count per open file
 * so that dup'ed numbers share one end; the end is closed -- vepoll_*_close --
 * when the last number referring to it goes.)
 *
 * The demo: a producer thread writes messages into a pipe and then signals
 * "done" through an eventfd; the event loop (the guest's epoll_wait loop)
 * forwards everything it reads from the pipe into a socket pair; an echo
 * thread reads the other end of the pair until EOF.  Exit status 0 when every
 * byte made it through.
 *
 *   cc -I include examples/runtime_fds.c build/libvepoll.a -latomic_ops -pthread
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "vepoll_objects.h"

/* ---- the toy runtime: a descriptor table ---------------------------------- */

#define RT_NONBLOCK VEPOLL_NONBLOCK /* the guest's O_NONBLOCK, same value */
#define RT_MAX_FDS 64

enum rt_kind { RT_FREE, RT_PIPE, RT_EVENTFD, RT_SOCKET, RT_EPOLL };

struct rt_fd {
    enum rt_kind kind;
    void *obj; /* vepoll_pipe_t / vepoll_eventfd_t / vepoll_socketpair_t / vepoll_t */
    int end;   /* pipe end or socket end */
    int flags; /* RT_NONBLOCK */
};

static struct rt_fd fdtab[RT_MAX_FDS];
static pthread_mutex_t fdtab_mu = PTHREAD_MUTEX_INITIALIZER;

static int rt_alloc_fd(enum rt_kind kind, void *obj, int end, int flags)
{
    int fd = -EMFILE;
    pthread_mutex_lock(&fdtab_mu);
    for (int i = 3; i < RT_MAX_FDS; i++) {
        if (fdtab[i].kind == RT_FREE) {
            fdtab[i] = (struct rt_fd){kind, obj, end, flags};
            fd = i;
            break;
        }
    }
    pthread_mutex_unlock(&fdtab_mu);
    return fd;
}

static int rt_lookup(int fd, struct rt_fd *out)
{
    int rc = -EBADF;
    if (fd < 0 || fd >= RT_MAX_FDS)
        return -EBADF;
    pthread_mutex_lock(&fdtab_mu);
    if (fdtab[fd].kind != RT_FREE) {
        *out = fdtab[fd];
        rc = 0;
    }
    pthread_mutex_unlock(&fdtab_mu);
    return rc;
}

/* O_NONBLOCK lives in the descriptor (fcntl can change it per number), so
 * objects are created blocking and each call passes timeout 0 for a
 * non-blocking descriptor, -1 for a blocking one. */
static int64_t rt_timeout(const struct rt_fd *f)
{
    return (f->flags & RT_NONBLOCK) ? 0 : -1;
}

/* fd_pipe / pipe2 */
static int rt_pipe(int fds[2], int flags)
{
    vepoll_pipe_t *p;
    int rc = vepoll_pipe_create(&p, 0, 0);
    if (rc < 0)
        return rc;
    fds[0] = rt_alloc_fd(RT_PIPE, p, VEPOLL_PIPE_READ, flags);
    fds[1] = rt_alloc_fd(RT_PIPE, p, VEPOLL_PIPE_WRITE, flags);
    return fds[0] < 0 || fds[1] < 0 ? -EMFILE : 0; /* (toy: no cleanup) */
}

/* fd_event / eventfd(initval, EFD_SEMAPHORE | EFD_NONBLOCK) */
static int rt_eventfd(uint64_t initval, int flags)
{
    vepoll_eventfd_t *e;
    int rc = vepoll_eventfd_create(&e, initval, flags & VEPOLL_EFD_SEMAPHORE);
    if (rc < 0)
        return rc;
    return rt_alloc_fd(RT_EVENTFD, e, 0, flags);
}

/* sock_pair / socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK) */
static int rt_socketpair(int sv[2], int flags)
{
    vepoll_socketpair_t *s;
    int rc = vepoll_socketpair_create(&s, 0, 0);
    if (rc < 0)
        return rc;
    sv[0] = rt_alloc_fd(RT_SOCKET, s, 0, flags);
    sv[1] = rt_alloc_fd(RT_SOCKET, s, 1, flags);
    return sv[0] < 0 || sv[1] < 0 ? -EMFILE : 0;
}

static ssize_t rt_read(int fd, void *buf, size_t len)
{
    struct rt_fd f;
    int rc = rt_lookup(fd, &f);
    if (rc < 0)
        return rc;
    switch (f.kind) {
    case RT_PIPE:
        if (f.end != VEPOLL_PIPE_READ)
            return -EBADF;
        return vepoll_pipe_read(f.obj, buf, len, rt_timeout(&f));
    case RT_EVENTFD:
        return vepoll_eventfd_read(f.obj, buf, len, rt_timeout(&f));
    case RT_SOCKET:
        return vepoll_socketpair_read(f.obj, f.end, buf, len, rt_timeout(&f));
    default:
        return -EINVAL;
    }
}

static ssize_t rt_write(int fd, const void *buf, size_t len)
{
    struct rt_fd f;
    int rc = rt_lookup(fd, &f);
    if (rc < 0)
        return rc;
    switch (f.kind) {
    case RT_PIPE:
        if (f.end != VEPOLL_PIPE_WRITE)
            return -EBADF;
        return vepoll_pipe_write(f.obj, buf, len, rt_timeout(&f));
    case RT_EVENTFD:
        return vepoll_eventfd_write(f.obj, buf, len, rt_timeout(&f));
    case RT_SOCKET:
        return vepoll_socketpair_write(f.obj, f.end, buf, len, rt_timeout(&f));
    default:
        return -EINVAL;
    }
}

static int rt_shutdown(int fd, int how)
{
    struct rt_fd f;
    int rc = rt_lookup(fd, &f);
    if (rc < 0)
        return rc;
    if (f.kind != RT_SOCKET)
        return -ENOTSOCK;
    return vepoll_socketpair_shutdown(f.obj, f.end, how);
}

static int rt_close(int fd)
{
    struct rt_fd f;
    if (fd < 0 || fd >= RT_MAX_FDS)
        return -EBADF;
    pthread_mutex_lock(&fdtab_mu);
    f = fdtab[fd];
    fdtab[fd].kind = RT_FREE;
    pthread_mutex_unlock(&fdtab_mu);
    switch (f.kind) {
    case RT_PIPE:
        return vepoll_pipe_close(f.obj, f.end);
    case RT_EVENTFD:
        return vepoll_eventfd_close(f.obj);
    case RT_SOCKET:
        return vepoll_socketpair_close(f.obj, f.end);
    case RT_EPOLL:
        return vepoll_close(f.obj);
    default:
        return -EBADF;
    }
}

/* The pollable object behind a descriptor: all epoll_ctl needs. */
static vepoll_source_t *rt_source(const struct rt_fd *f)
{
    switch (f->kind) {
    case RT_PIPE:
        return vepoll_pipe_source(f->obj, f->end);
    case RT_EVENTFD:
        return vepoll_eventfd_source(f->obj);
    case RT_SOCKET:
        return vepoll_socketpair_source(f->obj, f->end);
    case RT_EPOLL:
        return vepoll_as_source(f->obj);
    default:
        return NULL;
    }
}

static int rt_epoll_create(void)
{
    vepoll_t *ep;
    int rc = vepoll_create(&ep);
    return rc < 0 ? rc : rt_alloc_fd(RT_EPOLL, ep, 0, 0);
}

static int rt_epoll_ctl(int epfd, int op, int fd, struct vepoll_event *ev)
{
    struct rt_fd e, f;
    int rc = rt_lookup(epfd, &e);
    if (rc < 0)
        return rc;
    if ((rc = rt_lookup(fd, &f)) < 0)
        return rc;
    if (e.kind != RT_EPOLL)
        return -EINVAL;
    /* The key is (source, number), as Linux keys by (file, number). */
    return vepoll_ctl(e.obj, op, fd, rt_source(&f), ev);
}

static int rt_epoll_wait(int epfd, struct vepoll_event *evs, int max, int timeout_ms)
{
    struct rt_fd e;
    int rc = rt_lookup(epfd, &e);
    if (rc < 0)
        return rc;
    if (e.kind != RT_EPOLL)
        return -EINVAL;
    return vepoll_wait(e.obj, evs, max, timeout_ms < 0 ? -1 : (int64_t)timeout_ms * 1000000);
}

/* ---- the guest program ----------------------------------------------------- */

#define MESSAGES 20000

struct producer_args {
    int pipe_w, efd;
    size_t bytes;
};

/* Writes MESSAGES lines into the pipe (blocking descriptor), then says
 * "done" through the eventfd and closes its end. */
static void *producer(void *arg)
{
    struct producer_args *a = arg;
    char line[64];
    uint64_t one = 1;
    for (int i = 0; i < MESSAGES; i++) {
        int n = snprintf(line, sizeof line, "message %d\n", i);
        ssize_t k = rt_write(a->pipe_w, line, (size_t)n);
        if (k != n) {
            fprintf(stderr, "producer: write returned %zd\n", k);
            break;
        }
        a->bytes += (size_t)k;
    }
    rt_write(a->efd, &one, sizeof one);
    rt_close(a->pipe_w);
    return NULL;
}

struct echo_args {
    int sock;
    size_t bytes, lines;
};

/* Reads its end of the socket pair (blocking) until EOF. */
static void *echo_peer(void *arg)
{
    struct echo_args *a = arg;
    char buf[4096];
    ssize_t k;
    while ((k = rt_read(a->sock, buf, sizeof buf)) > 0) {
        a->bytes += (size_t)k;
        for (ssize_t i = 0; i < k; i++)
            a->lines += buf[i] == '\n';
    }
    if (k < 0)
        fprintf(stderr, "echo: read returned %zd\n", k);
    return NULL;
}

int main(void)
{
    int p[2], sv[2], efd, epfd;
    struct producer_args pa = {0};
    struct echo_args ea = {0};
    pthread_t prod, echo;
    size_t forwarded = 0;
    int pipe_eof = 0, done_signalled = 0;

    if (rt_pipe(p, RT_NONBLOCK) < 0 || rt_socketpair(sv, 0) < 0 ||
        (efd = rt_eventfd(0, RT_NONBLOCK)) < 0 || (epfd = rt_epoll_create()) < 0) {
        fprintf(stderr, "setup failed\n");
        return 1;
    }
    /* fcntl(p[1], F_SETFL, 0): the producer's pipe end blocks, the event
     * loop's read end does not. */
    pthread_mutex_lock(&fdtab_mu);
    fdtab[p[1]].flags = 0;
    pthread_mutex_unlock(&fdtab_mu);

    struct vepoll_event ev = {.events = VEPOLL_IN | VEPOLL_ET, .data.fd = p[0]};
    rt_epoll_ctl(epfd, VEPOLL_CTL_ADD, p[0], &ev);
    ev = (struct vepoll_event){.events = VEPOLL_IN, .data.fd = efd};
    rt_epoll_ctl(epfd, VEPOLL_CTL_ADD, efd, &ev);

    pa.pipe_w = p[1];
    pa.efd = efd;
    ea.sock = sv[1];
    pthread_create(&echo, NULL, echo_peer, &ea);
    pthread_create(&prod, NULL, producer, &pa);

    /* The event loop: edge-triggered pipe, level-triggered eventfd. */
    while (!(pipe_eof && done_signalled)) {
        struct vepoll_event evs[8];
        int n = rt_epoll_wait(epfd, evs, 8, 10000);
        if (n <= 0) {
            fprintf(stderr, "epoll_wait returned %d\n", n);
            return 1;
        }
        for (int i = 0; i < n; i++) {
            if (evs[i].data.fd == efd) {
                uint64_t v;
                if (rt_read(efd, &v, sizeof v) == 8)
                    done_signalled = 1;
                continue;
            }
            /* ET: read until EAGAIN (or EOF once the writer closed). */
            for (;;) {
                char buf[8192];
                ssize_t k = rt_read(p[0], buf, sizeof buf);
                if (k == -EAGAIN)
                    break;
                if (k == 0) {
                    pipe_eof = 1;
                    rt_shutdown(sv[0], VEPOLL_SHUT_WR); /* EOF for the echo peer */
                    rt_epoll_ctl(epfd, VEPOLL_CTL_DEL, p[0], NULL);
                    break;
                }
                if (k < 0) {
                    fprintf(stderr, "read: %zd\n", k);
                    return 1;
                }
                if (rt_write(sv[0], buf, (size_t)k) != k) { /* blocking socket */
                    fprintf(stderr, "forward failed\n");
                    return 1;
                }
                forwarded += (size_t)k;
            }
        }
    }
    pthread_join(prod, NULL);
    pthread_join(echo, NULL);
    rt_close(p[0]);
    rt_close(sv[0]);
    rt_close(sv[1]);
    rt_close(efd);
    rt_close(epfd);

    printf("produced %zu bytes, forwarded %zu, echo peer got %zu bytes in %zu lines\n",
           pa.bytes, forwarded, ea.bytes, ea.lines);
    return pa.bytes == forwarded && forwarded == ea.bytes && ea.lines == MESSAGES ? 0 : 1;
}
