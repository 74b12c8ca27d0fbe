/*
 * Scenario 5: cross-thread wake round trip.  Thread A signals B and blocks;
 * B, blocked, wakes, signals A back; A wakes.  One sample = one full round
 * trip A->B->A, timed on A.  Mechanisms:
 *   vepoll         update an ET source registered in the peer's instance,
 *                  peer blocked in vepoll_wait(-1)
 *   vepoll-spin    the same with vepoll_set_spin(50 us) on both instances
 *   futex          raw futex ping-pong (the waker skips FUTEX_WAKE unless the
 *                  waiter announced itself): the floor for any parked wait
 *   futex-spin     the same, spinning up to 50 us before announcing
 *   eventfd-epoll  eventfd write, peer blocked in epoll_wait(-1) (ET, no read)
 *   mutexq         Wasmer's design: push_interest + Notify, peer in wait(-1)
 * on two CPUs (A on the first, B on the second) and on one CPU (both on the
 * first), pinned with pthread_setaffinity_np.  A run's value is the median
 * round trip of its samples; every sample goes to the CSV (metric
 * rt_sample_ns) for the latency-distribution plot.
 *
 * Concurrency: A (the measuring thread) and B (peer) only communicate
 * through the mechanism under test; the futex words sit on separate cache
 * lines; `samples` is written by A only; `fail` is atomic and read after
 * pthread_join.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "bench.h"
#include "futex.h"
#include "mutexq.h"
#include "vepoll.h"

#define SPIN_NS 50000

enum mech { M_VEPOLL, M_VEPOLL_SPIN, M_FUTEX, M_FUTEX_SPIN, M_EVENTFD, M_MUTEXQ, M_COUNT };
static const char *mech_name[M_COUNT] = {"vepoll", "vepoll-spin", "futex",
                                         "futex-spin", "eventfd-epoll",
                                         "mutexq"};

struct pp {
    enum mech mech;
    int same_cpu;
    const char *param;
    int calls; /* run() calls so far; call 0 is the warm-up */
    /* side k waits on [k]; the other side signals [k] */
    vepoll_t *ep[2];
    vepoll_source_t *src[2];
    struct mq_state *mq[2];
    struct mq_source *msrc[2];
    int efd[2], epfd[2];
    _Alignas(64) _Atomic uint32_t fw0;
    _Alignas(64) _Atomic uint32_t fw1;
    _Alignas(64) long iters;
    int64_t *samples;
    _Atomic int fail;
};

static _Atomic uint32_t *fword(struct pp *p, int k)
{
    return k ? &p->fw1 : &p->fw0;
}

static void fx_signal(_Atomic uint32_t *w)
{
    if (atomic_exchange(w, 1) == 2)
        futex_wake(w, 1);
}

static void fx_wait(_Atomic uint32_t *w, int spin)
{
    if (spin) { /* the same spin loop as vepoll's wait.c */
        int64_t end = now_ns() + SPIN_NS;
        unsigned i = 0;
        while (atomic_load_explicit(w, memory_order_relaxed) != 1)
            if ((++i & 63) == 0 && now_ns() >= end)
                break;
    }
    for (;;) {
        uint32_t s = 1;
        if (atomic_compare_exchange_strong(w, &s, 0))
            return;
        if (s == 0 && !atomic_compare_exchange_strong(w, &s, 2))
            continue;
        futex_wait(w, 2, NULL);
    }
}

static void pp_signal(struct pp *p, int k)
{
    const uint64_t one = 1;
    switch (p->mech) {
    case M_VEPOLL:
    case M_VEPOLL_SPIN:
        vepoll_source_update(p->src[k], VEPOLL_IN, 0);
        break;
    case M_FUTEX:
    case M_FUTEX_SPIN:
        fx_signal(fword(p, k));
        break;
    case M_EVENTFD:
        if (write(p->efd[k], &one, sizeof(one)) != sizeof(one))
            p->fail = 1;
        break;
    case M_MUTEXQ:
        mq_source_update(p->msrc[k], VEPOLL_IN, 0);
        break;
    default:
        break;
    }
}

static void pp_wait(struct pp *p, int k)
{
    struct vepoll_event ev;
    struct epoll_event kev;
    int n = 1;
    switch (p->mech) {
    case M_VEPOLL:
    case M_VEPOLL_SPIN:
        n = vepoll_wait(p->ep[k], &ev, 1, -1);
        break;
    case M_FUTEX:
    case M_FUTEX_SPIN:
        fx_wait(fword(p, k), p->mech == M_FUTEX_SPIN);
        break;
    case M_EVENTFD:
        n = epoll_wait(p->epfd[k], &kev, 1, -1);
        break;
    case M_MUTEXQ:
        n = mq_wait(p->mq[k], &ev, 1, -1);
        break;
    default:
        break;
    }
    if (n != 1)
        p->fail = 1;
}

static void *peer(void *arg)
{
    struct pp *p = arg;
    long i;
    if (pin_self(p->same_cpu ? 0 : 1))
        p->fail = 1;
    for (i = 0; i < p->iters; i++) {
        pp_wait(p, 1);
        pp_signal(p, 0);
    }
    return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static double run_pp(void *ctx, long iters)
{
    struct pp *p = ctx;
    pthread_t t;
    int64_t sum = 0, *sorted;
    double med;
    long i;
    int rep = p->calls++ - 1;
    p->iters = iters;
    p->samples = calloc((size_t)iters, sizeof(*p->samples));
    sorted = calloc((size_t)iters, sizeof(*sorted));
    if (!p->samples || !sorted || pin_self(0) ||
        pthread_create(&t, NULL, peer, p)) {
        free(p->samples);
        free(sorted);
        unpin_self();
        return -1;
    }
    for (i = 0; i < iters; i++) {
        int64_t t0 = now_ns();
        pp_signal(p, 1);
        pp_wait(p, 0);
        p->samples[i] = now_ns() - t0;
    }
    pthread_join(t, NULL);
    unpin_self();
    for (i = 0; i < iters; i++) {
        sum += p->samples[i];
        if (rep >= 0)
            csv_row("s5_wake", mech_name[p->mech], p->param, rep,
                    "rt_sample_ns", (double)p->samples[i]);
    }
    memcpy(sorted, p->samples, (size_t)iters * sizeof(*sorted));
    qsort(sorted, (size_t)iters, sizeof(*sorted), cmp_i64);
    med = (double)sorted[iters / 2];
    if (rep >= 0)
        csv_row("s5_wake", mech_name[p->mech], p->param, rep, "rt_mean_ns",
                (double)sum / (double)iters);
    free(p->samples);
    free(sorted);
    p->samples = NULL;
    return p->fail ? -1 : med;
}

static int pp_open(struct pp *p, enum mech m, int same_cpu, const char *param)
{
    struct vepoll_event ev = {VEPOLL_IN | VEPOLL_ET, {0}};
    struct epoll_event kev;
    int k, rc;
    memset(p, 0, sizeof(*p));
    p->mech = m;
    p->same_cpu = same_cpu;
    p->param = param;
    p->efd[0] = p->efd[1] = p->epfd[0] = p->epfd[1] = -1;
    for (k = 0; k < 2; k++) {
        switch (m) {
        case M_VEPOLL:
        case M_VEPOLL_SPIN:
            if ((rc = vepoll_create(&p->ep[k])) ||
                (rc = vepoll_source_create(&p->src[k], 0)) ||
                (rc = vepoll_ctl(p->ep[k], VEPOLL_CTL_ADD, 0, p->src[k], &ev)))
                return rc;
            if (m == M_VEPOLL_SPIN && (rc = vepoll_set_spin(p->ep[k], SPIN_NS)))
                return rc;
            break;
        case M_EVENTFD:
            p->efd[k] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
            p->epfd[k] = epoll_create1(EPOLL_CLOEXEC);
            if (p->efd[k] < 0 || p->epfd[k] < 0)
                return -errno;
            kev.events = EPOLLIN | EPOLLET;
            kev.data.u64 = 0;
            if (epoll_ctl(p->epfd[k], EPOLL_CTL_ADD, p->efd[k], &kev))
                return -errno;
            break;
        case M_MUTEXQ:
            if ((rc = mq_create(&p->mq[k], 1)) ||
                (rc = mq_source_create(&p->msrc[k], 0)) ||
                (rc = mq_ctl_add(p->mq[k], 0, p->msrc[k], VEPOLL_IN, 0)))
                return rc;
            break;
        default:
            break;
        }
    }
    return 0;
}

static void pp_close(struct pp *p)
{
    int k;
    if (!p->param)
        return; /* never opened */
    for (k = 0; k < 2; k++) {
        if (p->ep[k])
            vepoll_close(p->ep[k]);
        if (p->src[k])
            vepoll_source_close(p->src[k]);
        if (p->mq[k])
            mq_destroy(p->mq[k]);
        if (p->msrc[k])
            mq_source_destroy(p->msrc[k]);
        if (p->efd[k] >= 0)
            close(p->efd[k]);
        if (p->epfd[k] >= 0)
            close(p->epfd[k]);
    }
}

/* One CPU mode: all mechanisms interleaved; med[] gets the medians. */
static int wake_mode(int same_cpu, long iters, struct summary s[M_COUNT])
{
    const char *param = same_cpu ? "same-cpu" : "split";
    struct pp *p = calloc(M_COUNT, sizeof(*p));
    struct variant v[M_COUNT];
    int i, rc = 0;
    if (!p)
        return -1;
    for (i = 0; i < M_COUNT && !rc; i++) {
        rc = pp_open(&p[i], (enum mech)i, same_cpu, param);
        /* Spinning on one CPU only delays the peer until the spin ends
         * (~2 x 50 us per round trip): fewer samples, same information. */
        v[i] = (struct variant){mech_name[i], run_pp, &p[i],
                                same_cpu && (i == M_VEPOLL_SPIN ||
                                             i == M_FUTEX_SPIN)
                                    ? iters / 8 + 1
                                    : 0};
    }
    if (rc)
        bench_fail("s5 setup", rc);
    else
        rc = measure("s5_wake", param, "rt_median_ns", v, M_COUNT, iters, s);
    for (i = 0; i < M_COUNT; i++)
        pp_close(&p[i]);
    free(p);
    if (rc)
        return -1;
    print_head("ns/RT");
    for (i = 0; i < M_COUNT; i++)
        print_row(mech_name[i], param, &s[i], s[M_VEPOLL].med, 0);
    return 0;
}

int scen_wake(void)
{
    long iters = cfg.quick ? 50 : 2000;
    static struct summary split[M_COUNT], same[M_COUNT];
    print_title("5. cross-thread wake round trip (A->B->A, both blocked)");
    if (cfg.ncpu < 2)
        printf("  (only one CPU usable: the split variants run on one CPU)\n");
    if (wake_mode(0, iters, split) || wake_mode(1, iters, same))
        return -1;
    target("wake_vs_futex_split",
           paired_ratio(&split[M_VEPOLL], &split[M_FUTEX]), 1, 1.1, "x");
    target("wake_vs_futex_same_cpu",
           paired_ratio(&same[M_VEPOLL], &same[M_FUTEX]), 1, 1.1, "x");
    target("wake_spin_vs_futex_spin_split",
           paired_ratio(&split[M_VEPOLL_SPIN], &split[M_FUTEX_SPIN]), 1, 1.5, "x");
    target("wake_vs_eventfd_split",
           paired_ratio(&split[M_EVENTFD], &split[M_VEPOLL_SPIN]), 0, 1.5, "x");
    target("wake_vs_eventfd_same_cpu",
           paired_ratio(&same[M_EVENTFD], &same[M_VEPOLL]), 0, 1.5, "x");
    return 0;
}
