/*
 * Host side of the WebAssembly demo (linked into the runner with --host):
 * before the guest starts, creates pipes and eventfds in the guest's
 * descriptor table (vepoll's objects) and host threads that feed them for
 * --seconds; the guest, a Linux epoll event loop compiled to wasm32-wasi,
 * drains them.  At the end the host tells the guest how much it sent
 * (through a "done" pipe), and prints vepoll's counters.
 *
 * Threads: the producers and the controller only touch the objects through
 * vepoll_wasix_write / vepoll_wasix_close on fds the guest never closes
 * (the write ends), which the adapter makes thread-safe.  The guest runs on
 * the main thread.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vepoll_objects.h"
#include "vw_host.h"

#define MAX_SRC 32
#define RECORD 16 /* bytes per pipe message: "<pipe> <seq>\n" padded */

static struct {
    struct vw_host *h;
    int npipes, nefds;
    double seconds;
    uint32_t pipe_r[MAX_SRC], pipe_w[MAX_SRC], efd[MAX_SRC], done_r, done_w;
    uint64_t sent[2 * MAX_SRC]; /* records per pipe, then total added per eventfd */
    atomic_int stop;
    pthread_t producers[2 * MAX_SRC], controller;
    int nthreads, controller_started;
    char **envp;
} demo;

static void parse_args(struct vw_host *h)
{
    demo.npipes = 4;
    demo.nefds = 2;
    demo.seconds = 2;
    for (int i = 1; i + 1 < h->argc; i++) {
        if (!strcmp(h->argv[i], "--seconds"))
            demo.seconds = atof(h->argv[++i]);
        else if (!strcmp(h->argv[i], "--pipes"))
            demo.npipes = atoi(h->argv[++i]);
        else if (!strcmp(h->argv[i], "--eventfds"))
            demo.nefds = atoi(h->argv[++i]);
    }
    if (demo.npipes < 0 || demo.npipes > MAX_SRC)
        demo.npipes = 4;
    if (demo.nefds < 0 || demo.nefds > MAX_SRC)
        demo.nefds = 2;
    if (!(demo.seconds > 0 && demo.seconds < 3600))
        demo.seconds = 2;
}

static void *pipe_producer(void *arg)
{
    int i = (int)(intptr_t)arg;
    char rec[RECORD];
    uint64_t seq = 0;
    while (!atomic_load(&demo.stop)) {
        memset(rec, ' ', sizeof(rec));
        snprintf(rec, sizeof(rec), "%d %llu", i, (unsigned long long)seq);
        rec[RECORD - 1] = '\n';
        /* Blocking write: a full pipe makes the producer wait for the
         * guest, as a real pipe would. */
        if (vepoll_wasix_write(demo.h->wx, demo.pipe_w[i], rec, RECORD) != RECORD)
            break;
        seq++;
    }
    demo.sent[i] = seq;
    return NULL;
}

static void *efd_producer(void *arg)
{
    int i = (int)(intptr_t)arg;
    uint64_t total = 0, v;
    while (!atomic_load(&demo.stop)) {
        v = 1 + total % 3;
        if (vepoll_wasix_write(demo.h->wx, demo.efd[i], &v, 8) != 8)
            break;
        total += v;
        if (total % 64 == 0) {
            struct timespec ts = {0, 20000}; /* let the guest see separate wake-ups */
            nanosleep(&ts, NULL);
        }
    }
    demo.sent[MAX_SRC + i] = total;
    return NULL;
}

static void *controller(void *arg)
{
    char msg[64 * MAX_SRC];
    size_t len = 0;
    struct timespec ts;
    (void)arg;
    ts.tv_sec = (time_t)demo.seconds;
    ts.tv_nsec = (long)((demo.seconds - (double)ts.tv_sec) * 1e9);
    nanosleep(&ts, NULL);
    atomic_store(&demo.stop, 1);
    for (int t = 0; t < demo.nthreads; t++)
        pthread_join(demo.producers[t], NULL);
    /* End of data: the guest sees HUP on each pipe after draining it. */
    for (int i = 0; i < demo.npipes; i++)
        vepoll_wasix_close(demo.h->wx, demo.pipe_w[i]);
    for (int i = 0; i < demo.npipes; i++)
        len += (size_t)snprintf(msg + len, sizeof(msg) - len, "p%d %llu\n", i,
                                (unsigned long long)demo.sent[i]);
    for (int i = 0; i < demo.nefds; i++)
        len += (size_t)snprintf(msg + len, sizeof(msg) - len, "e%d %llu\n", i,
                                (unsigned long long)demo.sent[MAX_SRC + i]);
    vepoll_wasix_write(demo.h->wx, demo.done_w, msg, len);
    vepoll_wasix_close(demo.h->wx, demo.done_w);
    return NULL;
}

int vw_host_setup(struct vw_host *h)
{
    char fds[1024];
    size_t len = 0;
    int n = 0;
    uint32_t p[2];
    demo.h = h;
    parse_args(h);
    for (int i = 0; i < demo.npipes; i++) {
        if (vepoll_wasix_pipe(h->wx, 0, p))
            return -1;
        demo.pipe_r[i] = p[0];
        demo.pipe_w[i] = p[1];
        len += (size_t)snprintf(fds + len, sizeof(fds) - len, "p%u,", p[0]);
    }
    for (int i = 0; i < demo.nefds; i++) {
        if (vepoll_wasix_eventfd(h->wx, 0, 0, &demo.efd[i]))
            return -1;
        len += (size_t)snprintf(fds + len, sizeof(fds) - len, "e%u,", demo.efd[i]);
    }
    if (vepoll_wasix_pipe(h->wx, 0, p))
        return -1;
    demo.done_r = p[0];
    demo.done_w = p[1];
    snprintf(fds + len, sizeof(fds) - len, "d%u", p[0]);

    /* The guest learns its descriptors from the environment. */
    while (h->envp && h->envp[n])
        n++;
    demo.envp = calloc((size_t)n + 2, sizeof(char *));
    if (!demo.envp)
        return -1;
    memcpy(demo.envp, h->envp, (size_t)n * sizeof(char *));
    if (asprintf(&demo.envp[n], "VEPOLL_DEMO_FDS=%s", fds) < 0)
        return -1;
    h->envp = demo.envp;

    for (int i = 0; i < demo.npipes; i++)
        if (!pthread_create(&demo.producers[demo.nthreads], NULL, pipe_producer, (void *)(intptr_t)i))
            demo.nthreads++;
    for (int i = 0; i < demo.nefds; i++)
        if (!pthread_create(&demo.producers[demo.nthreads], NULL, efd_producer, (void *)(intptr_t)i))
            demo.nthreads++;
    if (pthread_create(&demo.controller, NULL, controller, NULL))
        return -1;
    demo.controller_started = 1;
    printf("host: %d pipes and %d eventfds fed by %d host threads for %.1f s\n", demo.npipes,
           demo.nefds, demo.nthreads, demo.seconds);
    fflush(stdout);
    return 0;
}

void vw_host_teardown(struct vw_host *h)
{
    struct vepoll_stats st;
    (void)h;
    if (demo.controller_started)
        pthread_join(demo.controller, NULL);
    if (vepoll_get_stats(NULL, &st) == 0)
        printf("host: vepoll stats: enqueue_attempts=%llu dedupe_hits=%llu "
               "stale_generation_drops=%llu empty_dequeues=%llu\n",
               (unsigned long long)st.enqueue_attempts, (unsigned long long)st.dedupe_hits,
               (unsigned long long)st.stale_generation_drops,
               (unsigned long long)st.empty_dequeues);
    if (demo.envp) {
        int n = 0;
        while (demo.envp[n])
            n++;
        free(demo.envp[n - 1]);
        free(demo.envp);
        demo.envp = NULL;
    }
}
