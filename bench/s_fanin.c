/*
 * Scenario 6: fan-in throughput.  P producer threads, each updating its own
 * source (edge-triggered IN) as fast as it can, one consumer thread
 * harvesting with a blocking wait (up to 64 events per call), for a fixed
 * time.  Reported per run: producer updates/s (all producers) and harvested
 * events/s.  Designs: vepoll, mutexq (Wasmer's design, with and without its
 * global metric counters), kernel eventfds + epoll_wait, and vepoll with
 * vepoll_set_spin(50 us) on the consumer (a consumer that blocks whenever
 * the queue is momentarily empty harvests at the rate of the machine's
 * wake-up latency; the spin is what avoids that).  P = 1, 2, 4, 8.
 * The consumer is pinned to the first CPU and every producer to the second
 * (pthread_setaffinity_np): left to the scheduler, a producer and the
 * consumer often share a CPU, and the harvest rate then measures context
 * switches (one event per switch), not the queue.
 *
 * Concurrency: the main thread only starts, times and stops the run (`go`
 * release / acquire, `stop` relaxed: it needs no ordering, the counts are
 * read after pthread_join); each producer and the consumer write only their
 * own counter, and `fail` is atomic.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "mutexq.h"
#include "vepoll.h"

#define MAXP 8

enum design { D_VEPOLL, D_MUTEXQ, D_MUTEXQ_NM, D_KERNEL, D_VEPOLL_SPIN, D_COUNT };
static const char *design_name[D_COUNT] = {"vepoll", "mutexq",
                                           "mutexq-nometrics",
                                           "kernel-eventfd", "vepoll-spin"};

struct prod {
    struct fanin *f;
    int idx;
    _Alignas(64) long updates;
};

struct fanin {
    enum design d;
    int P;
    char param[8];
    int calls;
    int64_t duration_ns;
    vepoll_t *ep;
    vepoll_source_t *src[MAXP];
    struct mq_state *mq;
    struct mq_source *msrc[MAXP];
    int epfd, efd[MAXP];
    _Alignas(64) _Atomic int go;
    _Atomic int stop;
    _Atomic int fail;
    _Alignas(64) long harvested;
    struct prod prod[MAXP];
    double *harvest_rate; /* per timed rep */
};

static void *producer(void *arg)
{
    struct prod *p = arg;
    struct fanin *f = p->f;
    const uint64_t one = 1;
    long n = 0;
    if (pin_self(1))
        f->fail = 1;
    while (!atomic_load_explicit(&f->go, memory_order_acquire))
        ;
    while (!atomic_load_explicit(&f->stop, memory_order_relaxed)) {
        switch (f->d) {
        case D_VEPOLL:
        case D_VEPOLL_SPIN:
            vepoll_source_update(f->src[p->idx], VEPOLL_IN, 0);
            break;
        case D_MUTEXQ:
        case D_MUTEXQ_NM:
            mq_source_update(f->msrc[p->idx], VEPOLL_IN, 0);
            break;
        default:
            if (write(f->efd[p->idx], &one, sizeof(one)) != sizeof(one))
                f->fail = 1;
            break;
        }
        n++;
    }
    p->updates = n;
    return NULL;
}

static void *consumer(void *arg)
{
    struct fanin *f = arg;
    struct vepoll_event ev[64];
    struct epoll_event kev[64];
    long got = 0;
    if (pin_self(0))
        f->fail = 1;
    while (!atomic_load_explicit(&f->go, memory_order_acquire))
        ;
    while (!atomic_load_explicit(&f->stop, memory_order_relaxed)) {
        int n;
        switch (f->d) {
        case D_VEPOLL:
        case D_VEPOLL_SPIN:
            n = vepoll_wait(f->ep, ev, 64, 2000000);
            break;
        case D_MUTEXQ:
        case D_MUTEXQ_NM:
            n = mq_wait(f->mq, ev, 64, 2000000);
            break;
        default:
            n = epoll_wait(f->epfd, kev, 64, 2);
            break;
        }
        if (n < 0) {
            f->fail = 1;
            break;
        }
        got += n;
    }
    f->harvested = got;
    return NULL;
}

/* Returns producer updates/s (millions); the harvest rate goes to ctx. */
static double run_fanin(void *ctx, long iters)
{
    struct fanin *f = ctx;
    pthread_t pt[MAXP], ct;
    struct timespec ts;
    int64_t t0, dt;
    long updates = 0;
    int i, np = 0, rep = f->calls++ - 1, ok = 1;
    double up, hv;
    (void)iters;
    atomic_store(&f->go, 0);
    atomic_store(&f->stop, 0);
    if (pthread_create(&ct, NULL, consumer, f))
        return -1;
    for (i = 0; i < f->P; i++) {
        f->prod[i].f = f;
        f->prod[i].idx = i;
        if (pthread_create(&pt[i], NULL, producer, &f->prod[i])) {
            ok = 0;
            break;
        }
        np++;
    }
    t0 = now_ns();
    atomic_store_explicit(&f->go, 1, memory_order_release);
    ts.tv_sec = (time_t)(f->duration_ns / 1000000000);
    ts.tv_nsec = (long)(f->duration_ns % 1000000000);
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
    atomic_store(&f->stop, 1);
    dt = now_ns() - t0;
    for (i = 0; i < np; i++) {
        pthread_join(pt[i], NULL);
        updates += f->prod[i].updates;
    }
    pthread_join(ct, NULL);
    if (!ok || f->fail)
        return -1;
    up = (double)updates / ((double)dt / 1e9) / 1e6;
    hv = (double)f->harvested / ((double)dt / 1e9) / 1e6;
    if (rep >= 0) {
        f->harvest_rate[rep] = hv;
        csv_row("s6_fanin", design_name[f->d], f->param, rep,
                "harvested_Mev_per_s", hv);
    }
    return up;
}

static int fanin_open(struct fanin *f, enum design d, int P, int64_t dur)
{
    struct vepoll_event ev = {VEPOLL_IN | VEPOLL_ET, {0}};
    struct epoll_event kev;
    int i, rc;
    memset(f, 0, sizeof(*f));
    f->d = d;
    f->P = P;
    f->duration_ns = dur;
    snprintf(f->param, sizeof(f->param), "P%d", P);
    f->epfd = -1;
    for (i = 0; i < MAXP; i++)
        f->efd[i] = -1;
    f->harvest_rate = calloc((size_t)cfg.reps, sizeof(double));
    if (!f->harvest_rate)
        return -ENOMEM;
    switch (d) {
    case D_VEPOLL:
    case D_VEPOLL_SPIN:
        if ((rc = vepoll_create(&f->ep)) ||
            (d == D_VEPOLL_SPIN && (rc = vepoll_set_spin(f->ep, 50000))))
            return rc;
        for (i = 0; i < P; i++) {
            ev.data.u64 = (uint64_t)i;
            if ((rc = vepoll_source_create(&f->src[i], 0)) ||
                (rc = vepoll_ctl(f->ep, VEPOLL_CTL_ADD, i, f->src[i], &ev)))
                return rc;
        }
        break;
    case D_MUTEXQ:
    case D_MUTEXQ_NM:
        if ((rc = mq_create(&f->mq, d == D_MUTEXQ)))
            return rc;
        for (i = 0; i < P; i++)
            if ((rc = mq_source_create(&f->msrc[i], 0)) ||
                (rc = mq_ctl_add(f->mq, (uint32_t)i, f->msrc[i], VEPOLL_IN,
                                 (uint64_t)i)))
                return rc;
        break;
    default:
        f->epfd = epoll_create1(EPOLL_CLOEXEC);
        if (f->epfd < 0)
            return -errno;
        for (i = 0; i < P; i++) {
            f->efd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
            if (f->efd[i] < 0)
                return -errno;
            kev.events = EPOLLIN | EPOLLET;
            kev.data.u64 = (uint64_t)i;
            if (epoll_ctl(f->epfd, EPOLL_CTL_ADD, f->efd[i], &kev))
                return -errno;
        }
        break;
    }
    return 0;
}

static void fanin_close(struct fanin *f)
{
    int i;
    if (!f->P)
        return; /* never opened */
    if (f->ep)
        vepoll_close(f->ep);
    if (f->mq)
        mq_destroy(f->mq);
    for (i = 0; i < MAXP; i++) {
        if (f->src[i])
            vepoll_source_close(f->src[i]);
        if (f->msrc[i])
            mq_source_destroy(f->msrc[i]);
        if (f->efd[i] >= 0)
            close(f->efd[i]);
    }
    if (f->epfd >= 0)
        close(f->epfd);
    free(f->harvest_rate);
}

int scen_fanin(void)
{
    static const int Ps[] = {1, 2, 4, 8};
    int64_t dur = cfg.quick ? 10000000 : 100000000;
    static struct summary up2[D_COUNT], hv2[D_COUNT];
    int pi, i, rc = 0;
    print_title("6. fan-in: P producers on distinct sources -> 1 consumer");
    printf("  %.0f ms per run; rates in millions per second\n", (double)dur / 1e6);
    for (pi = 0; pi < 4 && !rc; pi++) {
        struct fanin *f = calloc(D_COUNT, sizeof(*f));
        struct variant v[D_COUNT];
        struct summary s[D_COUNT], h[D_COUNT];
        if (!f)
            return -1;
        for (i = 0; i < D_COUNT && !rc; i++) {
            rc = fanin_open(&f[i], (enum design)i, Ps[pi], dur);
            v[i] = (struct variant){design_name[i], run_fanin, &f[i], 0};
        }
        if (rc)
            bench_fail("s6 setup", rc);
        else
            rc = measure("s6_fanin", f[0].param, "updates_M_per_s", v, D_COUNT,
                         1, s);
        if (!rc) {
            for (i = 0; i < D_COUNT; i++) {
                summarize(f[i].harvest_rate, cfg.reps, &h[i]);
                csv_summary("s6_fanin", design_name[i], f[i].param,
                            "harvested_Mev_per_s", &h[i]);
            }
            print_head("M upd/s");
            for (i = 0; i < D_COUNT; i++)
                print_row(design_name[i], f[i].param, &s[i], s[D_VEPOLL].med, 1);
            print_head("M harv/s");
            for (i = 0; i < D_COUNT; i++)
                print_row(design_name[i], f[i].param, &h[i], h[D_VEPOLL].med, 1);
            if (Ps[pi] == 2)
                for (i = 0; i < D_COUNT; i++) {
                    up2[i] = s[i];
                    hv2[i] = h[i];
                }
        }
        for (i = 0; i < D_COUNT; i++)
            fanin_close(&f[i]);
        free(f);
    }
    if (rc)
        return -1;
    target("fanin_p2_updates_vs_mutexq",
           paired_ratio(&up2[D_VEPOLL], &up2[D_MUTEXQ]), 0, 10, "x");
    target("fanin_p2_harvested_vs_mutexq",
           paired_ratio(&hv2[D_VEPOLL], &hv2[D_MUTEXQ]), 0, 1, "x");
    return 0;
}
