/*
 * vepoll demo: producer threads writing into pipes, one event loop draining
 * them through vepoll_wait -- built on the ready-made objects of
 * <vepoll_objects.h>, so there is no readiness code in this file at all.
 *
 * This is the shape of a WebAssembly runtime using vepoll:
 *
 *   - The guest's fd_pipe / fd_event map to vepoll_pipe_create /
 *     vepoll_eventfd_create, its read / write / close to the objects' calls.
 *     The objects publish Linux's readiness (and wake-ups) themselves.
 *   - The guest's epoll_create / epoll_ctl / epoll_wait map to vepoll_create,
 *     vepoll_ctl (with the object's source) and vepoll_wait.
 *
 * Threads and ownership:
 *
 *   - Producer i owns the write end of pipe i.  It writes a deterministic
 *     byte stream (byte k is stream_byte(i, k)) with blocking writes, so a
 *     full pipe makes it wait: back-pressure comes from the pipe itself.
 *     Every BUMP_EVERY writes it adds 1 to the shared eventfd.  When told to
 *     stop it closes its write end: that close is the end-of-stream signal
 *     (HUP, then EOF for the reader), no flag needed.
 *   - The event loop owns every read end and reads the eventfd.  It reads
 *     with timeout 0 only (readiness said there is something), checks every
 *     byte against stream_byte, and closes a read end at EOF; it exits when
 *     all are closed.
 *   - main creates everything, registers it, sleeps, sets g_stop, joins, and
 *     only then looks at the counters the threads kept.
 *
 * Exit status 0 when every byte of every pipe arrived in order and the
 * eventfd total equals the number of bumps; 1 otherwise.
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

#include "vepoll_objects.h"

#define MAX_PRODUCERS 256
#define WRITE_MAX 256   /* write sizes cycle through 1..WRITE_MAX bytes */
#define BUMP_EVERY 16   /* pipe writes per eventfd bump */
#define READ_SIZE 16384 /* a quarter of a pipe: LT needs several events to drain a full one */
#define MAX_EVENTS 64   /* events harvested per vepoll_wait */
#define TICK_KEY UINT64_MAX /* event data of the eventfd; pipes carry their index */

/* A blocked write gives up after this long, only so that a producer notices
 * g_stop even when the reader is not draining its pipe. */
#define WRITE_TIMEOUT_NS INT64_C(100000000) /* 100 ms */

/* Writes of at most VEPOLL_PIPE_BUF bytes are all-or-nothing, so a timed-out
 * write moved nothing and is simply retried. */
_Static_assert(WRITE_MAX <= VEPOLL_PIPE_BUF, "pipe writes must be atomic");

/*
 * Byte `pos` of stream `id`.  A multiplicative hash of the position rather
 * than a counter: a counter modulo 256 would not notice a loss or repeat of
 * exactly 256 bytes, this catches any lost, repeated or reordered run,
 * almost always within a few bytes.  The id keeps the streams apart, so
 * bytes delivered to the wrong pipe fail too.
 */
static uint8_t stream_byte(uint32_t id, uint64_t pos)
{
    return (uint8_t)(((pos + ((uint64_t)id << 40)) * UINT64_C(0x9E3779B97F4A7C15)) >> 56);
}

/* ---- Producers ------------------------------------------------------------ */

static atomic_bool g_stop; /* set by main when time is up */

struct producer {
    pthread_t thread;
    uint32_t id;
    vepoll_pipe_t *pipe;    /* this producer owns its write end */
    vepoll_eventfd_t *tick; /* shared with every producer */
    /* Written by the producer only; main reads them after pthread_join. */
    uint64_t writes, bytes, bumps, timeouts;
    int error; /* negative errno that stopped it early, or 0 */
};

static void *producer_main(void *arg)
{
    struct producer *pr = arg;
    uint8_t buf[WRITE_MAX];

    while (!atomic_load_explicit(&g_stop, memory_order_relaxed)) {
        /* Varying sizes exercise the pipe's slot merging; the stream
         * continues from pr->bytes, whatever the sizes. */
        size_t len = 1 + (size_t)(pr->writes * 37 % WRITE_MAX);
        for (size_t k = 0; k < len; k++)
            buf[k] = stream_byte(pr->id, pr->bytes + k);

        ssize_t n = vepoll_pipe_write(pr->pipe, buf, len, WRITE_TIMEOUT_NS);
        if (n == -EAGAIN) {
            pr->timeouts++; /* nothing moved; look at g_stop, then retry */
            continue;
        }
        if (n < 0) {
            pr->error = (int)n; /* -EPIPE: the reader closed its end */
            break;
        }
        pr->bytes += (uint64_t)n;
        pr->writes++;

        if (pr->writes % BUMP_EVERY == 0) {
            /* Timeout 0: an eventfd only blocks at its 2^64-2 ceiling, which
             * a demo never reaches, so -EAGAIN here would be a bug. */
            uint64_t one = 1;
            ssize_t rc = vepoll_eventfd_write(pr->tick, &one, sizeof one, 0);
            if (rc < 0) {
                pr->error = (int)rc;
                break;
            }
            pr->bumps++;
        }
    }

    /* The reader sees HUP now and EOF once it has read everything.  Every
     * eventfd write above happens before this close, so a reader that has
     * seen this EOF also sees those writes in the counter. */
    vepoll_pipe_close(pr->pipe, VEPOLL_PIPE_WRITE);
    return NULL;
}

/* ---- The event loop ------------------------------------------------------- */

struct stream {            /* the event loop's side of one pipe */
    vepoll_pipe_t *pipe;
    uint64_t pos;          /* bytes read and verified so far */
    bool open;             /* read end not closed yet */
    bool eof;              /* the stream ended normally (not on a mismatch) */
};

struct loop {
    pthread_t thread;
    vepoll_t *ep;
    bool et;
    struct stream *streams;
    long open_streams;
    vepoll_eventfd_t *tick;
    uint8_t buf[READ_SIZE];
    /* Written by the loop only; main reads them after pthread_join. */
    uint64_t waits, events, reads, eagain_reads, bytes;
    uint64_t tick_total, tick_reads;
    uint64_t mismatches;
    int error; /* negative errno from a vepoll call, or 0 */
};

/* The final close of a pipe (its writer closed first, or gets -EPIPE and
 * closes next): its registration leaves the instance, so no event for it
 * can follow. */
static void stream_close(struct loop *lp, struct stream *s)
{
    vepoll_pipe_close(s->pipe, VEPOLL_PIPE_READ);
    s->open = false;
    lp->open_streams--;
}

static void stream_check(struct loop *lp, struct stream *s, uint32_t id, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        uint8_t want = stream_byte(id, s->pos + k);
        if (lp->buf[k] != want) {
            fprintf(stderr, "vepoll-demo: pipe %u: byte %llu is 0x%02x, expected 0x%02x\n",
                    (unsigned)id, (unsigned long long)(s->pos + k), lp->buf[k], want);
            lp->mismatches++;
            stream_close(lp, s); /* its producer gets -EPIPE and stops */
            return;
        }
    }
    s->pos += n;
    lp->bytes += n;
}

/*
 * Reads what one event announced.  Level-triggered: one read; if data is
 * left, the next vepoll_wait reports the pipe again.  Edge-triggered: read
 * until -EAGAIN, because bytes already in the pipe bring no new edge.
 * Timeout 0 throughout: the loop must never block in a read.
 */
static int stream_drain(struct loop *lp, struct stream *s, uint32_t id)
{
    do {
        ssize_t n = vepoll_pipe_read(s->pipe, lp->buf, sizeof lp->buf, 0);
        lp->reads++;
        if (n == -EAGAIN) {
            lp->eagain_reads++; /* ET: the read that ends every drain */
            return 0;
        }
        if (n < 0)
            return (int)n;
        if (n == 0) {
            s->eof = true; /* write end closed and everything read */
            stream_close(lp, s);
            return 0;
        }
        stream_check(lp, s, id, (size_t)n);
    } while (lp->et && s->open);
    return 0;
}

/* A read takes the whole counter and resets it, so concurrent bumps
 * coalesce into one event and one read. */
static int tick_drain(struct loop *lp)
{
    do {
        uint64_t v;
        ssize_t n = vepoll_eventfd_read(lp->tick, &v, sizeof v, 0);
        if (n == -EAGAIN)
            return 0;
        if (n < 0)
            return (int)n;
        lp->tick_total += v;
        lp->tick_reads++;
    } while (lp->et);
    return 0;
}

static void *loop_main(void *arg)
{
    struct loop *lp = arg;
    struct vepoll_event evs[MAX_EVENTS];
    int rc = 0;

    /* No timeout needed: every write end gets closed (by its producer, or by
     * main if the producer never started), and each close wakes us. */
    while (lp->open_streams > 0) {
        int n = vepoll_wait(lp->ep, evs, MAX_EVENTS, -1);
        if (n < 0) {
            rc = n;
            goto out;
        }
        lp->waits++;
        lp->events += (uint64_t)n;
        for (int i = 0; i < n; i++) {
            if (evs[i].data.u64 == TICK_KEY) {
                rc = tick_drain(lp);
            } else {
                uint32_t id = (uint32_t)evs[i].data.u64;
                rc = lp->streams[id].open ? stream_drain(lp, &lp->streams[id], id) : 0;
            }
            if (rc < 0)
                goto out;
        }
    }

    /* Each producer bumped the eventfd before closing its pipe, and we have
     * read every pipe's EOF: the counter now holds the last bumps, if an
     * event for them has not been harvested yet. */
    rc = tick_drain(lp);
out:
    lp->error = rc;
    return NULL;
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
            "  --et           edge-triggered registrations, read until EAGAIN\n"
            "                 (default level-triggered, one read per event)\n",
            argv0, MAX_PRODUCERS);
}

static void report_error(const char *what, int rc)
{
    fprintf(stderr, "vepoll-demo: %s: %s\n", what, strerror(-rc));
}

/* Checks every stream and the eventfd total against what the producers say
 * they wrote, prints the numbers; returns whether everything arrived.  Runs
 * after every thread has been joined. */
static bool report(const struct loop *lp, const struct producer *producers,
                   const struct stream *streams, long n, double elapsed)
{
    uint64_t writes = 0, bytes = 0, bumps = 0, timeouts = 0;
    bool ok = lp->error == 0 && lp->mismatches == 0;

    for (long i = 0; i < n; i++) {
        const struct producer *pr = &producers[i];
        writes += pr->writes;
        bytes += pr->bytes;
        bumps += pr->bumps;
        timeouts += pr->timeouts;
        if (pr->error < 0) {
            fprintf(stderr, "vepoll-demo: producer %ld: %s\n", i, strerror(-pr->error));
            ok = false;
        }
        if (!streams[i].eof || streams[i].pos != pr->bytes) {
            fprintf(stderr, "vepoll-demo: pipe %ld: wrote %llu bytes, verified %llu%s\n",
                    i, (unsigned long long)pr->bytes, (unsigned long long)streams[i].pos,
                    streams[i].eof ? "" : ", no EOF");
            ok = false;
        }
    }
    if (lp->tick_total != bumps) {
        fprintf(stderr, "vepoll-demo: eventfd total %llu, but %llu bumps were written\n",
                (unsigned long long)lp->tick_total, (unsigned long long)bumps);
        ok = false;
    }

    struct vepoll_stats st;
    int rc = vepoll_get_stats(lp->ep, &st);
    if (rc < 0) {
        report_error("vepoll_get_stats", rc);
        return false;
    }

    printf("vepoll demo: %ld producer thread(s), %ld pipe(s) + 1 eventfd, 1 event loop, "
           "%s, %.2f s\n",
           n, n, lp->et ? "edge-triggered" : "level-triggered", elapsed);
    printf("  pipe writes          %12llu  %12.0f /s  (%llu timed out on a full pipe)\n",
           (unsigned long long)writes, (double)writes / elapsed,
           (unsigned long long)timeouts);
    printf("  eventfd writes       %12llu  %12.0f /s\n", (unsigned long long)bumps,
           (double)bumps / elapsed);
    printf("  hook-level writes    %12llu  %12.0f /s  (pipe + eventfd)\n",
           (unsigned long long)(writes + bumps), (double)(writes + bumps) / elapsed);
    printf("  vepoll_wait calls    %12llu  %12.0f /s\n", (unsigned long long)lp->waits,
           (double)lp->waits / elapsed);
    printf("  events reported      %12llu  %12.0f /s  (%.2f per wait)\n",
           (unsigned long long)lp->events, (double)lp->events / elapsed,
           lp->waits ? (double)lp->events / (double)lp->waits : 0.0);
    printf("  pipe reads           %12llu                 (%llu returned -EAGAIN)\n",
           (unsigned long long)lp->reads, (unsigned long long)lp->eagain_reads);
    printf("  bytes written        %12llu  %12.1f MB/s\n", (unsigned long long)bytes,
           (double)bytes / elapsed / 1e6);
    printf("  bytes verified       %12llu\n", (unsigned long long)lp->bytes);
    printf("  eventfd total        %12llu                 (in %llu reads)\n",
           (unsigned long long)lp->tick_total, (unsigned long long)lp->tick_reads);
    /* Most hook calls are dedupe hits: the pipe was already readable and
     * queued.  The counters are kept without locked instructions, so with
     * several producers they can read slightly low (docs/API.md). */
    printf("  vepoll_get_stats: enqueue_attempts %llu, dedupe_hits %llu, "
           "stale_generation_drops %llu, empty_dequeues %llu\n",
           (unsigned long long)st.enqueue_attempts, (unsigned long long)st.dedupe_hits,
           (unsigned long long)st.stale_generation_drops,
           (unsigned long long)st.empty_dequeues);
    if (ok)
        printf("OK: %llu bytes in %ld pipe(s) verified in order up to EOF, "
               "eventfd total %llu = %llu bumps\n",
               (unsigned long long)lp->bytes, n, (unsigned long long)lp->tick_total,
               (unsigned long long)bumps);
    return ok;
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

    static struct producer producers[MAX_PRODUCERS];
    static struct stream streams[MAX_PRODUCERS];
    static struct loop lp;
    struct vepoll_event ev = {.events = VEPOLL_IN | (et ? VEPOLL_ET : 0u)};
    vepoll_eventfd_t *tick = NULL;
    long npipes = 0;  /* pipes created so far */
    long started = 0; /* producers running; each owns its write end */
    double start, elapsed;
    bool ok = false;
    int rc;

    atomic_init(&g_stop, false);
    lp.et = et;
    lp.streams = streams;

    /* epoll_create */
    rc = vepoll_create(&lp.ep);
    if (rc < 0) {
        report_error("vepoll_create", rc);
        return 1;
    }

    /* fd_event, and epoll_ctl(ADD) on it.  The registration key is
     * (source, descriptor number) as on Linux; the numbers here are only
     * what a runtime's descriptor table would hand out. */
    rc = vepoll_eventfd_create(&tick, 0, 0);
    if (rc < 0) {
        report_error("vepoll_eventfd_create", rc);
        goto out_ep;
    }
    ev.data.u64 = TICK_KEY;
    rc = vepoll_ctl(lp.ep, VEPOLL_CTL_ADD, 3, vepoll_eventfd_source(tick), &ev);
    if (rc < 0) {
        report_error("vepoll_ctl(ADD eventfd)", rc);
        goto out_tick;
    }
    lp.tick = tick;

    /* fd_pipe for every producer (capacity 0: Linux's default 64 KiB), and
     * epoll_ctl(ADD) on its read end.  HUP needs no bit: it is always
     * reported, as on Linux. */
    for (; npipes < nproducers; npipes++) {
        struct stream *s = &streams[npipes];
        rc = vepoll_pipe_create(&s->pipe, 0, 0);
        if (rc < 0) {
            report_error("vepoll_pipe_create", rc);
            goto out_pipes;
        }
        s->open = true;
        lp.open_streams++;
        ev.data.u64 = (uint64_t)npipes;
        rc = vepoll_ctl(lp.ep, VEPOLL_CTL_ADD, (int)(4 + 2 * npipes),
                        vepoll_pipe_source(s->pipe, VEPOLL_PIPE_READ), &ev);
        if (rc < 0) {
            report_error("vepoll_ctl(ADD pipe)", rc);
            npipes++; /* this pipe exists: close it below */
            goto out_pipes;
        }
        producers[npipes] = (struct producer){
            .id = (uint32_t)npipes, .pipe = s->pipe, .tick = tick};
    }

    if (pthread_create(&lp.thread, NULL, loop_main, &lp) != 0) {
        fprintf(stderr, "vepoll-demo: pthread_create failed\n");
        goto out_pipes;
    }
    start = now_seconds();
    for (; started < nproducers; started++) {
        if (pthread_create(&producers[started].thread, NULL, producer_main,
                           &producers[started]) != 0) {
            fprintf(stderr, "vepoll-demo: pthread_create failed\n");
            break;
        }
    }
    if (started == nproducers)
        sleep_seconds(seconds);

    /* Stop: each producer finishes its current write (at most 100 ms) and
     * closes its write end.  Write ends whose producer never started are
     * closed here, so that the loop sees every EOF and exits. */
    atomic_store(&g_stop, true);
    for (long i = started; i < nproducers; i++)
        vepoll_pipe_close(streams[i].pipe, VEPOLL_PIPE_WRITE);
    for (long i = 0; i < started; i++)
        pthread_join(producers[i].thread, NULL);
    pthread_join(lp.thread, NULL);
    elapsed = now_seconds() - start;
    if (lp.error < 0)
        report_error("event loop", lp.error);

    ok = started == nproducers && report(&lp, producers, streams, nproducers, elapsed);
    started = nproducers; /* every write end is closed now */

out_pipes:
    /* Ends nobody else owns any more: write ends of producers that never
     * ran, read ends the loop did not get to close (it failed or never ran). */
    for (long i = 0; i < npipes; i++) {
        if (i >= started)
            vepoll_pipe_close(streams[i].pipe, VEPOLL_PIPE_WRITE);
        if (streams[i].open)
            vepoll_pipe_close(streams[i].pipe, VEPOLL_PIPE_READ);
    }
out_tick:
    vepoll_eventfd_close(tick);
out_ep:
    vepoll_close(lp.ep);

    if (!ok) {
        printf("FAILED\n");
        return 1;
    }
    return 0;
}
