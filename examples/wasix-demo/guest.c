/*
 * The WebAssembly side of the demo: an ordinary Linux epoll event loop
 * (compiled for wasm32-wasi with vepoll's guest headers) multiplexing the
 * pipes and eventfds the host feeds from its own threads.  It checks every
 * pipe's records arrive complete and in order, compares its totals with
 * what the host says it sent, and prints what it received and the events/s.
 *
 * The descriptors come from VEPOLL_DEMO_FDS="p3,p5,e7,d9" (pipe read ends,
 * eventfds, the host's "done" pipe); examples/wasix-demo/host.c sets it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define MAX_SRC 64
#define RECORD 16

struct src {
    int fd;
    char kind; /* 'p' pipe, 'e' eventfd, 'd' done pipe */
    int index; /* per kind */
    int open;
    uint64_t count;  /* records (pipe) / sum of values (eventfd) */
    uint64_t events; /* epoll events seen */
    char partial[RECORD];
    size_t plen;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int record_ok(struct src *s, const char *rec)
{
    int idx;
    unsigned long long seq;
    if (sscanf(rec, "%d %llu", &idx, &seq) != 2 || idx != s->index || seq != s->count) {
        printf("guest: pipe %d: bad record at %llu\n", s->index, (unsigned long long)s->count);
        return 0;
    }
    s->count++;
    return 1;
}

int main(void)
{
    struct src srcs[MAX_SRC];
    struct epoll_event evs[32];
    const char *spec = getenv("VEPOLL_DEMO_FDS");
    char donebuf[4096];
    size_t donelen = 0;
    int nsrc = 0, open_pipes = 0, done = 0, ep, bad = 0, np = 0, ne = 0;
    uint64_t nevents = 0, waits = 0;
    double t0, elapsed;

    if (!spec) {
        printf("guest: VEPOLL_DEMO_FDS not set (run me with tools/wasix-demo.sh)\n");
        return 2;
    }
    ep = epoll_create1(0);
    if (ep < 0) {
        perror("epoll_create1");
        return 1;
    }
    for (const char *p = spec; *p && nsrc < MAX_SRC;) {
        struct src *s = &srcs[nsrc];
        struct epoll_event ev;
        memset(s, 0, sizeof(*s));
        s->kind = *p++;
        s->fd = (int)strtol(p, (char **)&p, 10);
        if (*p == ',')
            p++;
        s->index = s->kind == 'p' ? np++ : s->kind == 'e' ? ne++ : 0;
        s->open = 1;
        memset(&ev, 0, sizeof(ev));
        /* Pipes level-triggered, eventfds edge-triggered (read until EAGAIN
         * is not needed: one read takes the whole counter). */
        ev.events = s->kind == 'e' ? EPOLLIN | EPOLLET : EPOLLIN;
        ev.data.ptr = s;
        if (epoll_ctl(ep, EPOLL_CTL_ADD, s->fd, &ev) < 0) {
            perror("epoll_ctl");
            return 1;
        }
        if (s->kind == 'p')
            open_pipes++;
        nsrc++;
    }
    printf("guest: watching %d pipes and %d eventfds with epoll (wasm32-wasi)\n", np, ne);
    fflush(stdout);

    t0 = now();
    while (open_pipes > 0 || !done) {
        int n = epoll_wait(ep, evs, 32, 10000);
        if (n < 0) {
            perror("epoll_wait");
            return 1;
        }
        if (n == 0) {
            printf("guest: no event for 10 s\n");
            return 1;
        }
        waits++;
        for (int i = 0; i < n; i++) {
            struct src *s = evs[i].data.ptr;
            s->events++;
            nevents++;
            if (s->kind == 'e') {
                uint64_t v;
                if (read(s->fd, &v, 8) == 8)
                    s->count += v;
                continue;
            }
            if (s->kind == 'd') {
                ssize_t r = read(s->fd, donebuf + donelen, sizeof(donebuf) - 1 - donelen);
                if (r > 0) {
                    donelen += (size_t)r;
                } else if (r == 0) {
                    done = 1;
                    epoll_ctl(ep, EPOLL_CTL_DEL, s->fd, NULL);
                }
                continue;
            }
            /* A pipe: read what is there, split into records. */
            char buf[4096];
            ssize_t r = read(s->fd, buf, sizeof(buf));
            if (r == 0) {
                epoll_ctl(ep, EPOLL_CTL_DEL, s->fd, NULL);
                s->open = 0;
                open_pipes--;
                continue;
            }
            for (ssize_t k = 0; k < r; k++) {
                s->partial[s->plen++] = buf[k];
                if (s->plen == RECORD) {
                    s->partial[RECORD - 1] = 0;
                    bad += !record_ok(s, s->partial);
                    s->plen = 0;
                }
            }
        }
    }
    elapsed = now() - t0;
    /* ET eventfds: what was added after the last edge we handled (the host
     * stopped writing before it closed the done pipe). */
    for (int i = 0; i < nsrc; i++)
        if (srcs[i].kind == 'e') {
            uint64_t v;
            if (fcntl(srcs[i].fd, F_SETFL, O_NONBLOCK) == 0 && read(srcs[i].fd, &v, 8) == 8)
                srcs[i].count += v;
        }

    donebuf[donelen] = 0;
    for (int i = 0; i < nsrc; i++) {
        struct src *s = &srcs[i];
        char key[16];
        const char *at;
        unsigned long long sent = 0;
        if (s->kind == 'd')
            continue;
        snprintf(key, sizeof(key), "%c%d ", s->kind, s->index);
        at = strstr(donebuf, key);
        if (at)
            sent = strtoull(at + strlen(key), NULL, 10);
        printf("guest: %s %d (fd %d): %llu %s in %llu events%s\n",
               s->kind == 'p' ? "pipe   " : "eventfd", s->index, s->fd,
               (unsigned long long)s->count, s->kind == 'p' ? "records" : "counted",
               (unsigned long long)s->events, s->count == sent ? "" : "  MISMATCH");
        bad += s->count != sent;
    }
    printf("guest: %llu events in %llu epoll_wait calls over %.2f s: %.0f events/s\n",
           (unsigned long long)nevents, (unsigned long long)waits, elapsed,
           elapsed > 0 ? (double)nevents / elapsed : 0.0);
    printf("guest: %s\n", bad ? "DATA MISMATCH" : "every record and count arrived");
    close(ep);
    return bad ? 1 : 0;
}
