/*
 * Scenario 7: scaling with the number of registrations N = 1 ... 10^6.
 *   wait(0) with 1 ready registration among N (the ready one is LT and stays
 *   ready, so every call returns it): vepoll_wait(0) on the big instance,
 *   interleaved with vepoll_wait(0) on a second instance that keeps N = 1
 *   (the same-run reference for the target); kernel epoll_wait(0) on N
 *   eventfds; mutexq update + wait(0) (Wasmer's design reports nothing
 *   without a producer push, so its row includes one update).
 *   ADD + DEL of one more registration at size N, for all three.
 *   ADD + DEL at N = 1 in a process with a second thread that has used
 *   vepoll (so a DEL's grace period has a reader to wait for: token.h),
 *   asleep, or spinning on the other CPU (membarrier interrupts it), each
 *   paired with the same ADD + DEL on one thread (src/core/retire.h: DEL
 *   retires, one grace period per batch).
 * N grows in place (registrations are added between the steps); the kernel
 * rows stop where RLIMIT_NOFILE (raised to fs.nr_open if allowed) ends.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench.h"
#include "mutexq.h"
#include "vepoll.h"

struct scale {
    long n, cap, kmax, kn;
    vepoll_t *ep, *ep1;
    vepoll_source_t **src, *spare, *src1;
    struct mq_state *mq;
    struct mq_source **msrc, *mspare;
    int epfd, kspare, *efd;
    struct vepoll_event ev[8];
    struct epoll_event kev[8];
};

static long raise_nofile(void)
{
    struct rlimit rl;
    long nr_open = 0;
    FILE *f = fopen("/proc/sys/fs/nr_open", "r");
    if (f) {
        if (fscanf(f, "%ld", &nr_open) != 1)
            nr_open = 0;
        fclose(f);
    }
    if (getrlimit(RLIMIT_NOFILE, &rl))
        return 0;
    if (nr_open > 0 && (rlim_t)nr_open > rl.rlim_cur) {
        struct rlimit want = {(rlim_t)nr_open, (rlim_t)nr_open};
        if (setrlimit(RLIMIT_NOFILE, &want) == 0)
            rl = want;
        else if (rl.rlim_max > rl.rlim_cur) {
            rl.rlim_cur = rl.rlim_max;
            setrlimit(RLIMIT_NOFILE, &rl);
        }
    }
    return (long)rl.rlim_cur - 64; /* keep some for everything else */
}

static int grow(struct scale *s, long n)
{
    struct vepoll_event ev = {VEPOLL_IN, {0}};
    struct epoll_event kev;
    const uint64_t one = 1;
    int rc;
    for (; s->n < n; s->n++) {
        long i = s->n;
        uint32_t ready = i == 0 ? VEPOLL_IN : 0;
        ev.data.u64 = (uint64_t)i;
        if ((rc = vepoll_source_create(&s->src[i], ready)) ||
            (rc = vepoll_ctl(s->ep, VEPOLL_CTL_ADD, (int)i, s->src[i], &ev)) ||
            (rc = mq_source_create(&s->msrc[i], ready)) ||
            (rc = mq_ctl_add(s->mq, (uint32_t)i, s->msrc[i], VEPOLL_IN,
                             (uint64_t)i)))
            return rc;
        if (s->kn < s->kmax) {
            s->efd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
            if (s->efd[i] < 0)
                return -errno;
            if (i == 0 && write(s->efd[i], &one, sizeof(one)) != sizeof(one))
                return -EIO;
            kev.events = EPOLLIN;
            kev.data.u64 = (uint64_t)i;
            if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->efd[i], &kev))
                return -errno;
            s->kn++;
        }
    }
    return 0;
}

static void scale_close(struct scale *s)
{
    long i;
    if (s->epfd >= 0)
        close(s->epfd); /* first: closing the eventfds is cheaper after */
    if (s->ep)
        vepoll_close(s->ep);
    if (s->ep1)
        vepoll_close(s->ep1);
    if (s->mq)
        mq_destroy(s->mq);
    for (i = 0; i < s->n; i++) {
        vepoll_source_close(s->src[i]);
        mq_source_destroy(s->msrc[i]);
    }
    for (i = 0; i < s->kn; i++)
        close(s->efd[i]);
    if (s->spare)
        vepoll_source_close(s->spare);
    if (s->src1)
        vepoll_source_close(s->src1);
    if (s->mspare)
        mq_source_destroy(s->mspare);
    if (s->kspare >= 0)
        close(s->kspare);
    free(s->src);
    free(s->msrc);
    free(s->efd);
}

static double run_wait_big(void *ctx, long iters)
{
    struct scale *s = ctx;
    long i, got = 0;
    int64_t t0 = now_ns();
    for (i = 0; i < iters; i++)
        got += vepoll_wait(s->ep, s->ev, 8, 0);
    t0 = now_ns() - t0;
    return got == iters ? (double)t0 / (double)iters : -1;
}

static double run_wait_one(void *ctx, long iters)
{
    struct scale *s = ctx;
    long i, got = 0;
    int64_t t0 = now_ns();
    for (i = 0; i < iters; i++)
        got += vepoll_wait(s->ep1, s->ev, 8, 0);
    t0 = now_ns() - t0;
    return got == iters ? (double)t0 / (double)iters : -1;
}

static double run_kwait(void *ctx, long iters)
{
    struct scale *s = ctx;
    long i, got = 0;
    int64_t t0 = now_ns();
    for (i = 0; i < iters; i++)
        got += epoll_wait(s->epfd, s->kev, 8, 0);
    t0 = now_ns() - t0;
    return got == iters ? (double)t0 / (double)iters : -1;
}

static double run_mqwait(void *ctx, long iters)
{
    struct scale *s = ctx;
    long i, got = 0;
    int64_t t0 = now_ns();
    for (i = 0; i < iters; i++) {
        mq_source_update(s->msrc[0], VEPOLL_IN, 0);
        got += mq_wait(s->mq, s->ev, 8, 0);
    }
    t0 = now_ns() - t0;
    return got == iters ? (double)t0 / (double)iters : -1;
}

static double run_adddel(void *ctx, long iters)
{
    struct scale *s = ctx;
    struct vepoll_event ev = {VEPOLL_IN, {0}};
    long i, bad = 0;
    int64_t t0 = now_ns();
    for (i = 0; i < iters; i++) {
        bad += vepoll_ctl(s->ep, VEPOLL_CTL_ADD, -1, s->spare, &ev) != 0;
        bad += vepoll_ctl(s->ep, VEPOLL_CTL_DEL, -1, s->spare, NULL) != 0;
    }
    t0 = now_ns() - t0;
    return bad ? -1 : (double)t0 / (double)iters;
}

static double run_kadddel(void *ctx, long iters)
{
    struct scale *s = ctx;
    struct epoll_event kev = {EPOLLIN, {0}};
    long i, bad = 0;
    int64_t t0 = now_ns();
    for (i = 0; i < iters; i++) {
        bad += epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->kspare, &kev) != 0;
        bad += epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->kspare, NULL) != 0;
    }
    t0 = now_ns() - t0;
    return bad ? -1 : (double)t0 / (double)iters;
}

static double run_mqadddel(void *ctx, long iters)
{
    struct scale *s = ctx;
    long i, bad = 0;
    int64_t t0 = now_ns();
    for (i = 0; i < iters; i++) {
        bad += mq_ctl_add(s->mq, 0x7fffffffu, s->mspare, VEPOLL_IN, 0) != 0;
        bad += mq_ctl_del(s->mq, 0x7fffffffu, s->mspare) != 0;
    }
    t0 = now_ns() - t0;
    return bad ? -1 : (double)t0 / (double)iters;
}

/* The second thread of the add+del rows: it uses vepoll once (a wait(0)
 * on an instance of its own, which gives it a thread descriptor), then
 * sleeps on a condition variable or spins until told to stop. */
struct second {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int spin, stop, ready; /* under mu, except in the spin loop */
    atomic_int quit;
};

static void *second_main(void *arg)
{
    struct second *t = arg;
    struct vepoll_event ev;
    vepoll_t *ep;
    if (t->spin)
        pin_self(1);
    if (vepoll_create(&ep) == 0) {
        (void)vepoll_wait(ep, &ev, 1, 0);
        (void)vepoll_close(ep);
    }
    pthread_mutex_lock(&t->mu);
    t->ready = 1;
    pthread_cond_broadcast(&t->cv);
    while (!t->spin && !t->stop)
        pthread_cond_wait(&t->cv, &t->mu);
    pthread_mutex_unlock(&t->mu);
    while (t->spin && !atomic_load_explicit(&t->quit, memory_order_relaxed))
        ;
    return NULL;
}

static double run_adddel_second(struct scale *s, int spin, long iters)
{
    struct second t;
    double ns;
    memset(&t, 0, sizeof(t));
    t.spin = spin;
    pthread_mutex_init(&t.mu, NULL);
    pthread_cond_init(&t.cv, NULL);
    if (spin && pin_self(0))
        return -1;
    if (pthread_create(&t.th, NULL, second_main, &t)) {
        unpin_self();
        return -1;
    }
    pthread_mutex_lock(&t.mu);
    while (!t.ready)
        pthread_cond_wait(&t.cv, &t.mu);
    pthread_mutex_unlock(&t.mu);
    ns = run_adddel(s, iters);
    pthread_mutex_lock(&t.mu);
    t.stop = 1;
    atomic_store(&t.quit, 1);
    pthread_cond_broadcast(&t.cv);
    pthread_mutex_unlock(&t.mu);
    pthread_join(t.th, NULL);
    if (spin)
        unpin_self();
    pthread_mutex_destroy(&t.mu);
    pthread_cond_destroy(&t.cv);
    return ns;
}

static double run_adddel_asleep(void *ctx, long iters)
{
    return run_adddel_second(ctx, 0, iters);
}

static double run_adddel_spinning(void *ctx, long iters)
{
    return run_adddel_second(ctx, 1, iters);
}

/* ADD + DEL on the N = 1 instance, alone and beside a second thread. */
static int adddel_threads(struct scale *s, long iters)
{
    struct variant v[3];
    struct summary sv[3];
    int nv = 2, i;
    struct scale one = *s;
    one.ep = s->ep1; /* N = 1 */
    v[0] = (struct variant){"vepoll add+del, 1 thread", run_adddel, &one, 0};
    v[1] = (struct variant){"vepoll add+del, 2 threads (asleep)", run_adddel_asleep,
                            &one, 0};
    if (cfg.ncpu >= 2)
        v[nv++] = (struct variant){"vepoll add+del, 2 threads (spin)",
                                   run_adddel_spinning, &one, 0};
    if (measure("s7_scale", "1", "ns_per_add_del_threads", v, nv, iters, sv))
        return -1;
    for (i = 0; i < nv; i++)
        print_row(v[i].name, "1", &sv[i], sv[0].med, 0);
    info("adddel_2threads_asleep_vs_1thread", paired_ratio(&sv[1], &sv[0]), "x",
         "ADD+DEL beside a sleeping thread that used vepoll");
    if (nv > 2)
        info("adddel_2threads_spin_vs_1thread", paired_ratio(&sv[2], &sv[0]), "x",
             "ADD+DEL beside a thread spinning on the other CPU");
    return 0;
}

int scen_scale(void)
{
    static const long full_ns[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
    static const long quick_ns[] = {1, 10, 100, 1000};
    const long *ns = cfg.quick ? quick_ns : full_ns;
    int nn = cfg.quick ? 4 : 7, k, rc, first = 1;
    long wit = cfg.quick ? 1000 : 30000, kwit = cfg.quick ? 200 : 1500;
    long ait = cfg.quick ? 200 : 10000, kait = cfg.quick ? 100 : 500;
    struct vepoll_event ev = {VEPOLL_IN, {0}};
    struct scale s;
    double w1 = 0, wbig = 0, ratio = 0;

    memset(&s, 0, sizeof(s));
    s.epfd = s.kspare = -1;
    s.cap = ns[nn - 1];
    s.kmax = raise_nofile();
    if (s.kmax > s.cap)
        s.kmax = s.cap;
    s.src = calloc((size_t)s.cap, sizeof(*s.src));
    s.msrc = calloc((size_t)s.cap, sizeof(*s.msrc));
    s.efd = calloc((size_t)s.cap, sizeof(*s.efd));
    rc = (!s.src || !s.msrc || !s.efd) ? -ENOMEM : 0;
    if (!rc && !(rc = vepoll_create(&s.ep)) && !(rc = vepoll_create(&s.ep1)) &&
        !(rc = mq_create(&s.mq, 1)) && !(rc = vepoll_source_create(&s.spare, 0)) &&
        !(rc = vepoll_source_create(&s.src1, VEPOLL_IN)) &&
        !(rc = vepoll_ctl(s.ep1, VEPOLL_CTL_ADD, 0, s.src1, &ev)))
        rc = mq_source_create(&s.mspare, 0);
    if (!rc) {
        s.epfd = epoll_create1(EPOLL_CLOEXEC);
        s.kspare = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (s.epfd < 0 || s.kspare < 0)
            rc = -errno;
    }
    if (rc) {
        bench_fail("s7 setup", rc);
        scale_close(&s);
        return -1;
    }

    print_title("7. scaling: 1 ready registration among N; ADD+DEL at size N");
    if (s.kmax < s.cap)
        printf("  (kernel rows stop at N = %ld: RLIMIT_NOFILE)\n", s.kmax);
    for (k = 0; k < nn && !rc; k++) {
        struct variant v[4], a[3];
        struct summary sw[4], sa[3];
        char param[16];
        int nv = 3, na = 2, i;
        int64_t tg = now_ns();
        rc = grow(&s, ns[k]);
        if (rc) {
            bench_fail("s7 grow", rc);
            break;
        }
        tg = now_ns() - tg;
        snprintf(param, sizeof(param), "%ld", ns[k]);
        v[0] = (struct variant){"vepoll wait(0)", run_wait_big, &s, 0};
        v[1] = (struct variant){"vepoll wait(0) N=1 ref", run_wait_one, &s, 0};
        v[2] = (struct variant){"mutexq update+wait(0)", run_mqwait, &s, 0};
        a[0] = (struct variant){"vepoll add+del", run_adddel, &s, 0};
        a[1] = (struct variant){"mutexq add+del", run_mqadddel, &s, 0};
        if (s.kn == s.n) {
            v[nv++] = (struct variant){"kernel epoll_wait(0)", run_kwait, &s, kwit};
            a[na++] = (struct variant){"kernel add+del", run_kadddel, &s, kait};
        }
        if (measure("s7_scale", param, "ns_per_wait", v, nv, wit, sw) ||
            measure("s7_scale", param, "ns_per_add_del", a, na, ait, sa)) {
            rc = -1;
            break;
        }
        if (first)
            print_head("ns/op");
        first = 0;
        for (i = 0; i < nv; i++)
            print_row(v[i].name, param, &sw[i], sw[0].med, 0);
        for (i = 0; i < na; i++)
            print_row(a[i].name, param, &sa[i], sa[0].med, 0);
        printf("  %-34s %-9s %12.3g s to add the registrations\n", "(setup)",
               param, (double)tg / 1e9);
        if (k == 0)
            w1 = sw[0].med;
        wbig = sw[0].med;
        ratio = paired_ratio(&sw[0], &sw[1]);
        if (k == 0 && (rc = adddel_threads(&s, ait)))
            break;
    }
    scale_close(&s);
    if (rc)
        return -1;
    printf("  wait(0) at N=%ld vs the N=1 instance, median of same-round "
           "ratios: %.3gx; medians vs the first step: %.3gx\n",
           ns[nn - 1], ratio, wbig / w1);
    target("wait0_1M_vs_1", ratio, 1, 1.1, "x");
    return 0;
}
