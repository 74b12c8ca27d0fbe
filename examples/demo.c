/*
 * vepoll demo: producer threads writing into in-memory pipes, one event loop
 * draining them through vepoll_wait.
 *
 * This is the shape of a WebAssembly runtime using vepoll:
 *
 *   - Each virtual object (here: struct mem_pipe, a byte counter standing in
 *     for a pipe's buffer) owns one vepoll_source_t and reports its
 *     readiness with vepoll_source_update() whenever its state changes.
 *     Those calls are marked "HOOK" below: they are the only vepoll calls a
 *     runtime's pipe / eventfd / socket code needs.
 *   - The guest's epoll_create / epoll_ctl / epoll_wait map to vepoll_create,
 *     vepoll_ctl and vepoll_wait (the event loop thread below).
 *
 * After --seconds N (default 2) the producers stop, the event loop drains
 * what is left, and the program prints throughput and vepoll's counters.  It
 * exits 1 unless every byte written was read.
 *
 *   vepoll-demo [--seconds N] [--producers N] [--et]
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vepoll.h>

#define PIPE_CAPACITY 4096u /* bytes a pipe holds before its writer waits */
#define WRITE_SIZE 64u      /* bytes per write() */
#define MAX_PRODUCERS 256
#define MAX_EVENTS 64       /* events harvested per vepoll_wait */

/* ---- A minimal in-memory pipe ------------------------------------------ */

struct mem_pipe {
    pthread_mutex_t mu;
    pthread_cond_t space;  /* signalled when the reader makes room */
    size_t len;            /* bytes buffered, 0..PIPE_CAPACITY */
    uint64_t bytes_in;     /* total bytes ever written */
    uint64_t bytes_out;    /* total bytes ever read */
    bool shut;             /* demo is ending: a waiting writer gives up */
    vepoll_source_t *src;  /* readiness of the read end */
};

static int pipe_init(struct mem_pipe *p)
{
    memset(p, 0, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->space, NULL);
    /* Empty pipe: not readable yet. */
    return vepoll_source_create(&p->src, 0);
}

/* Writes up to n bytes, waiting while the pipe is full.  Returns the number
 * written, 0 once the pipe is shut. */
static size_t pipe_write(struct mem_pipe *p, size_t n)
{
    pthread_mutex_lock(&p->mu);
    while (p->len == PIPE_CAPACITY && !p->shut)
        pthread_cond_wait(&p->space, &p->mu);
    if (p->shut) {
        pthread_mutex_unlock(&p->mu);
        return 0;
    }
    if (n > PIPE_CAPACITY - p->len)
        n = PIPE_CAPACITY - p->len;
    p->len += n;
    p->bytes_in += n;
    /*
     * HOOK: data arrived, the read end is readable.  Called on *every*
     * write, even when IN was already set: as on Linux, each write is a new
     * readiness event (this is what wakes an edge-triggered waiter again).
     * vepoll deduplicates: a registration already queued is not queued twice.
     * Calling it under the pipe's lock keeps readiness in step with len; it
     * never blocks and never allocates, so that is safe.
     */
    vepoll_source_update(p->src, VEPOLL_IN | VEPOLL_RDNORM, 0);
    pthread_mutex_unlock(&p->mu);
    return n;
}

/* Reads everything buffered; returns the byte count (0 if it was empty). */
static size_t pipe_drain(struct mem_pipe *p)
{
    pthread_mutex_lock(&p->mu);
    size_t n = p->len;
    p->len = 0;
    p->bytes_out += n;
    /*
     * HOOK: the pipe is empty, the read end is no longer readable.  Clearing
     * a bit wakes nobody; it stops a level-triggered registration from being
     * reported again.
     */
    vepoll_source_update(p->src, 0, VEPOLL_IN | VEPOLL_RDNORM);
    pthread_cond_signal(&p->space);
    pthread_mutex_unlock(&p->mu);
    return n;
}

static void pipe_shut(struct mem_pipe *p)
{
    pthread_mutex_lock(&p->mu);
    p->shut = true;
    pthread_cond_broadcast(&p->space);
    pthread_mutex_unlock(&p->mu);
}

static void pipe_destroy(struct mem_pipe *p)
{
    /* HOOK: final close of the object: drops it from every epoll instance. */
    vepoll_source_close(p->src);
    pthread_cond_destroy(&p->space);
    pthread_mutex_destroy(&p->mu);
}

/* ---- Producers ------------------------------------------------------------ */

static atomic_bool g_stop;  /* set by main when time is up */

struct producer {
    pthread_t thread;
    struct mem_pipe *pipe;
    uint64_t writes;
};

static void *producer_main(void *arg)
{
    struct producer *pr = arg;
    while (!atomic_load_explicit(&g_stop, memory_order_relaxed)) {
        if (pipe_write(pr->pipe, WRITE_SIZE) == 0)
            break;
        pr->writes++;
    }
    return NULL;
}

/* ---- The event loop ------------------------------------------------------- */

struct loop {
    pthread_t thread;
    vepoll_t *ep;
    atomic_bool producers_done; /* no more writes will happen */
    int error;                  /* negative errno from vepoll_wait, or 0 */
    uint64_t waits, events, empty_events, bytes, interrupts;
};

static void *loop_main(void *arg)
{
    struct loop *lp = arg;
    struct vepoll_event evs[MAX_EVENTS];

    for (;;) {
        /* Read the flag *before* waiting: once it is set, everything the
         * producers wrote is visible, so a final non-blocking pass that finds
         * nothing means every pipe is empty. */
        bool done = atomic_load(&lp->producers_done);
        int n = vepoll_wait(lp->ep, evs, MAX_EVENTS, done ? 0 : -1);
        if (n == -EINTR) {
            /* vepoll_interrupt() from main: go and look at the flag. */
            lp->interrupts++;
            continue;
        }
        if (n < 0) {
            lp->error = n;
            return NULL;
        }
        lp->waits++;
        lp->events += (uint64_t)n;
        for (int i = 0; i < n; i++) {
            struct mem_pipe *p = evs[i].data.ptr;
            size_t got = pipe_drain(p);
            lp->bytes += got;
            if (got == 0)
                lp->empty_events++; /* readiness was already consumed */
        }
        if (done && n == 0)
            return NULL;
    }
}

/* ---- main ----------------------------------------------------------------- */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_seconds(double s)
{
    double end = now_seconds() + s;
    for (double left = s; left > 0; left = end - now_seconds()) {
        struct timespec ts;
        ts.tv_sec = (time_t)left;
        ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
        nanosleep(&ts, NULL);
    }
}

static void usage(const char *argv0)
{
    fprintf(stderr,
            "usage: %s [--seconds N] [--producers N] [--et]\n"
            "  --seconds N    how long the producers run (default 2)\n"
            "  --producers N  producer threads, one pipe each (default 4, max %d)\n"
            "  --et           edge-triggered registrations (default level-triggered)\n",
            argv0, MAX_PRODUCERS);
}

static int check(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "vepoll-demo: %s: %s\n", what, strerror(-rc));
        exit(1);
    }
    return rc;
}

int main(int argc, char **argv)
{
    double seconds = 2.0;
    long nproducers = 4;
    bool et = false;

    for (int i = 1; i < argc; i++) {
        char *end = NULL;
        if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
            seconds = strtod(argv[++i], &end);
            if (*end != '\0' || !(seconds > 0 && seconds <= 3600)) {
                usage(argv[0]);
                return 2;
            }
        } else if (strcmp(argv[i], "--producers") == 0 && i + 1 < argc) {
            nproducers = strtol(argv[++i], &end, 10);
            if (*end != '\0' || nproducers < 1 || nproducers > MAX_PRODUCERS) {
                usage(argv[0]);
                return 2;
            }
        } else if (strcmp(argv[i], "--et") == 0) {
            et = true;
        } else {
            usage(argv[0]);
            return strcmp(argv[i], "--help") == 0 ? 0 : 2;
        }
    }

    static struct mem_pipe pipes[MAX_PRODUCERS];
    static struct producer producers[MAX_PRODUCERS];
    static struct loop lp;

    /* epoll_create */
    check(vepoll_create(&lp.ep), "vepoll_create");
    atomic_init(&lp.producers_done, false);
    atomic_init(&g_stop, false);

    for (long i = 0; i < nproducers; i++) {
        check(pipe_init(&pipes[i]), "vepoll_source_create");
        /* epoll_ctl(ADD): the registration key is (source, descriptor
         * number); data comes back with every event, here the pipe. */
        struct vepoll_event ev;
        memset(&ev, 0, sizeof ev);
        ev.events = VEPOLL_IN | (et ? VEPOLL_ET : 0);
        ev.data.ptr = &pipes[i];
        check(vepoll_ctl(lp.ep, VEPOLL_CTL_ADD, (int)(3 + i), pipes[i].src, &ev),
              "vepoll_ctl(ADD)");
        producers[i].pipe = &pipes[i];
    }

    if (pthread_create(&lp.thread, NULL, loop_main, &lp) != 0) {
        fprintf(stderr, "vepoll-demo: pthread_create failed\n");
        return 1;
    }
    double start = now_seconds();
    for (long i = 0; i < nproducers; i++) {
        if (pthread_create(&producers[i].thread, NULL, producer_main, &producers[i]) != 0) {
            fprintf(stderr, "vepoll-demo: pthread_create failed\n");
            return 1;
        }
    }

    sleep_seconds(seconds);

    /* Stop the producers (waking any that wait for room), then tell the
     * event loop: it drains what is left and exits.  vepoll_interrupt wakes
     * it if it is blocked in vepoll_wait, or makes its next wait return at
     * once with -EINTR. */
    atomic_store(&g_stop, true);
    for (long i = 0; i < nproducers; i++)
        pipe_shut(&pipes[i]);
    for (long i = 0; i < nproducers; i++)
        pthread_join(producers[i].thread, NULL);
    double elapsed = now_seconds() - start;
    atomic_store(&lp.producers_done, true);
    check(vepoll_interrupt(lp.ep), "vepoll_interrupt");
    pthread_join(lp.thread, NULL);
    check(lp.error, "vepoll_wait");

    /* Account for every byte. */
    uint64_t written = 0, read = 0, writes = 0;
    bool ok = true;
    for (long i = 0; i < nproducers; i++) {
        written += pipes[i].bytes_in;
        read += pipes[i].bytes_out;
        writes += producers[i].writes;
        if (pipes[i].bytes_in != pipes[i].bytes_out || pipes[i].len != 0) {
            fprintf(stderr,
                    "vepoll-demo: pipe %ld: wrote %llu bytes, read %llu, %zu left\n",
                    i, (unsigned long long)pipes[i].bytes_in,
                    (unsigned long long)pipes[i].bytes_out, pipes[i].len);
            ok = false;
        }
    }
    if (read != lp.bytes)
        ok = false;

    struct vepoll_stats st;
    check(vepoll_get_stats(lp.ep, &st), "vepoll_get_stats");

    printf("vepoll demo: %ld producer thread(s), 1 event loop, %s, %.2f s\n",
           nproducers, et ? "edge-triggered" : "level-triggered", elapsed);
    printf("  writes (hook calls)  %12llu  %12.0f /s\n", (unsigned long long)writes,
           (double)writes / elapsed);
    printf("  vepoll_wait calls    %12llu  %12.0f /s\n", (unsigned long long)lp.waits,
           (double)lp.waits / elapsed);
    printf("  events reported      %12llu  %12.0f /s  (%.2f per wait, %llu found the pipe empty)\n",
           (unsigned long long)lp.events, (double)lp.events / elapsed,
           lp.waits ? (double)lp.events / (double)lp.waits : 0.0,
           (unsigned long long)lp.empty_events);
    printf("  bytes written        %12llu  %12.1f MB/s\n", (unsigned long long)written,
           (double)written / elapsed / 1e6);
    printf("  bytes read           %12llu\n", (unsigned long long)read);
    printf("  vepoll_get_stats: enqueue_attempts %llu, dedupe_hits %llu, "
           "stale_generation_drops %llu, empty_dequeues %llu\n",
           (unsigned long long)st.enqueue_attempts, (unsigned long long)st.dedupe_hits,
           (unsigned long long)st.stale_generation_drops,
           (unsigned long long)st.empty_dequeues);

    /* epoll fd close, then the objects' final close. */
    check(vepoll_close(lp.ep), "vepoll_close");
    for (long i = 0; i < nproducers; i++)
        pipe_destroy(&pipes[i]);

    if (!ok) {
        printf("FAILED: bytes written and read differ\n");
        return 1;
    }
    printf("OK: every byte written was read\n");
    return 0;
}
