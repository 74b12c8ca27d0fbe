/*
 * Scenario 9, the host side (linked into the wasm2c runner with
 * `tools/vepoll-wasix-run --host bench/wasix_host.c bench/wasix_guest.c`):
 * measures a WebAssembly guest's epoll through the wasm2c host layer and
 * vepoll's WASIX adapter, interleaved in this one process with the same
 * work done three other ways:
 *   guest    the wasm guest (bench/wasix_guest.c): Linux epoll/eventfd API
 *            -> guest shim -> vepoll_ext_v1 epoll imports (Linux's event)
 *            and WASI / wasix_32v1 for the rest -> vw_host ->
 *            vepoll_wasix_* -> vepoll objects and instance
 *   adapter  native C calling the same vepoll_wasix_* entry points with the
 *            same ABI (VEPOLL_WASIX_LINUX32; a host buffer as "linear
 *            memory"): the adapter without wasm
 *   native   native C on vepoll_objects.h eventfds and vepoll_wait
 *   kernel   native C on kernel eventfds and epoll
 * Groups: "ET" = write 1 + epoll_wait(0) on an ET registration (ns per
 * iteration, one thread); "LT" = write + epoll_wait(0) + read on an LT
 * registration; "wake" = round trip A -> B -> A, B blocked in
 * epoll_wait(-1) (reads the eventfd, writes another one back), A writes
 * and blocks in a read of the other eventfd; A times each round trip, and
 * a run's value is the median.  A is the controller thread on the first
 * CPU, B the guest (or a native thread) on the second.
 *
 * Output, on stdout, for vepoll-bench to summarize:
 *   s9 <group> <variant> <rep> <value>      one per timed run
 *   s9sample <variant> <rep> <ns>           every wake round trip
 *   s9 error <what> <rc>                    and the run is incomplete
 *   s9 done
 * Arguments (after the program name): --reps R --iters N (local runs of
 * guest/adapter/native) --kiters N (local kernel runs) --witers N (round
 * trips per wake run).
 *
 * Threads and what they touch.  The guest runs on the main thread (pinned
 * to the second CPU in vw_host_setup) and only through its imports.  The
 * controller (started by vw_host_setup, joined by vw_host_teardown) drives
 * everything else: it sends the guest commands and blocks on the reply,
 * so the guest and the controller never run at the same time except in a
 * wake run, where they only meet through the two eventfds (thread-safe
 * adapter calls).  Native B threads are created and joined per wake run and
 * share nothing else with A.  The watchdog reads `progress` (atomic) and
 * ends the process if nothing moved for WATCHDOG_S seconds: a lost wake-up
 * would otherwise hang the benchmark instead of failing it.  Teardown
 * closes the reply pipe's write end first, so a controller still blocked on
 * a reply from a guest that has exited sees EOF and stops.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "vepoll_objects.h"
#include "vw_host.h"

#define WATCHDOG_S 60
#define MAXREPS 64

enum { OP_ET = 1, OP_LT = 2, OP_WAKE = 3, OP_QUIT = 4 };
struct cmd {
    uint32_t op, pad;
    uint64_t iters;
};

enum { V_GUEST, V_ADAPTER, V_NATIVE, V_KERNEL, NV };
static const char *const vname[NV] = {"guest", "adapter", "native", "kernel"};

/* Layout of the adapter variant's "linear memory" (one per thread). */
#define A_EVENT 16  /* the 16-byte Linux event given to epoll_ctl */
#define A_NEV 48    /* u32 ret_nevents */
#define A_EVENTS 64 /* 4 x 16-byte events */
#define A_SIZE 256

/* One eventfd + instance per way of doing it, for one local group or for
 * one side of the wake. */
struct world {
    uint32_t a_ep, a_efd;  /* adapter: fds in the built-in table */
    vepoll_t *n_ep;        /* native */
    vepoll_eventfd_t *n_efd;
    int k_ep, k_efd;       /* kernel */
};

static struct {
    struct vw_host *h;
    vepoll_wasix_t *wx;
    int reps;
    long iters, kiters, witers;
    int cpu[2];
    pthread_t guest_thread, ctl, dog;
    int ctl_started, dog_started;
    uint32_t cmd_r, cmd_w, rep_r, rep_w, g_in, g_out; /* the guest's */
    struct world et, lt, win;       /* win: what B waits on */
    uint32_t a_out;                 /* wake: B -> A, per way */
    vepoll_eventfd_t *n_out;
    int k_out;
    _Alignas(8) uint8_t amem_a[A_SIZE], amem_b[A_SIZE];
    int64_t *samples;
    atomic_long progress;
    atomic_int done;
    char *env_fds;
    char **envp;
} B = {.k_out = -1, .et = {.k_ep = -1, .k_efd = -1}, .lt = {.k_ep = -1, .k_efd = -1},
       .win = {.k_ep = -1, .k_efd = -1}};

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int pin(pthread_t t, int which)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(B.cpu[which], &set);
    return -pthread_setaffinity_np(t, sizeof(set), &set);
}

static void fail(const char *what, long rc)
{
    printf("s9 error %s %ld\n", what, rc);
    fflush(stdout);
}

static struct vepoll_wasix_mem amem(uint8_t *buf)
{
    return (struct vepoll_wasix_mem){buf, A_SIZE};
}

static uint32_t get_u32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* ---- setup ---------------------------------------------------------------- */

static int world_open(struct world *w, int et, int nonblock)
{
    uint32_t aev = VEPOLL_IN | (et ? VEPOLL_ET : 0);
    struct vepoll_event ev = {VEPOLL_IN | (et ? VEPOLL_ET : 0), {.u64 = 7}};
    struct epoll_event kev = {EPOLLIN | (et ? EPOLLET : 0), {.u64 = 7}};
    uint8_t *m = B.amem_a;
    uint32_t rc;
    int r;
    if ((r = vepoll_wasix_epoll(B.wx, &w->a_ep)) ||
        (r = vepoll_wasix_eventfd(B.wx, 0, nonblock ? VEPOLL_NONBLOCK : 0, &w->a_efd)))
        return r;
    memset(m + A_EVENT, 0, VEPOLL_WASIX_LINUX_EVENT_SIZE);
    memcpy(m + A_EVENT, &aev, 4);
    if ((rc = vepoll_wasix_epoll_ctl(B.wx, amem(m), VEPOLL_WASIX_LINUX32, w->a_ep,
                                     VEPOLL_CTL_ADD, w->a_efd, A_EVENT)))
        return -(int)rc - 1000; /* a WASI errno, told apart from -errno */
    if ((r = vepoll_create(&w->n_ep)) ||
        (r = vepoll_eventfd_create(&w->n_efd, 0, nonblock ? VEPOLL_NONBLOCK : 0)) ||
        (r = vepoll_ctl(w->n_ep, VEPOLL_CTL_ADD, 0, vepoll_eventfd_source(w->n_efd), &ev)))
        return r;
    w->k_ep = epoll_create1(EPOLL_CLOEXEC);
    w->k_efd = eventfd(0, EFD_CLOEXEC | (nonblock ? EFD_NONBLOCK : 0));
    if (w->k_ep < 0 || w->k_efd < 0 || epoll_ctl(w->k_ep, EPOLL_CTL_ADD, w->k_efd, &kev))
        return -errno;
    return 0;
}

static void world_close(struct world *w)
{
    if (w->n_ep)
        vepoll_close(w->n_ep);
    if (w->n_efd)
        vepoll_eventfd_close(w->n_efd);
    if (w->k_ep >= 0)
        close(w->k_ep);
    if (w->k_efd >= 0)
        close(w->k_efd);
    /* The adapter's fds are closed with the adapter (vw_host_fini). */
}

static void parse_args(struct vw_host *h)
{
    B.reps = 15;
    B.iters = 20000;
    B.kiters = 2000;
    B.witers = 500;
    for (int i = 1; i + 1 < h->argc; i += 2) {
        long v = atol(h->argv[i + 1]);
        if (!strcmp(h->argv[i], "--reps"))
            B.reps = (int)v;
        else if (!strcmp(h->argv[i], "--iters"))
            B.iters = v;
        else if (!strcmp(h->argv[i], "--kiters"))
            B.kiters = v;
        else if (!strcmp(h->argv[i], "--witers"))
            B.witers = v;
    }
    if (B.reps < 1 || B.reps > MAXREPS)
        B.reps = 15;
    if (B.iters < 1)
        B.iters = 20000;
    if (B.kiters < 1)
        B.kiters = 2000;
    if (B.witers < 1)
        B.witers = 500;
}

static void pick_cpus(void)
{
    cpu_set_t set;
    int n = 0;
    B.cpu[0] = B.cpu[1] = 0;
    if (sched_getaffinity(0, sizeof(set), &set))
        return;
    for (int i = 0; i < CPU_SETSIZE && n < 2; i++)
        if (CPU_ISSET(i, &set))
            B.cpu[n++] = i;
    if (n < 2)
        B.cpu[1] = B.cpu[0];
}

/* ---- the guest's side of the protocol -------------------------------------- */

static int send_cmd(uint32_t op, uint64_t iters)
{
    struct cmd c = {op, 0, iters};
    int64_t n = vepoll_wasix_write(B.wx, B.cmd_w, &c, sizeof(c));
    return n == (int64_t)sizeof(c) ? 0 : -1;
}

static int get_reply(uint64_t *res)
{
    int64_t n = vepoll_wasix_read(B.wx, B.rep_r, res, sizeof(*res));
    return n == (int64_t)sizeof(*res) && *res != UINT64_MAX ? 0 : -1;
}

/* ---- local groups (one thread): ns per iteration --------------------------- */

static double local_run(int v, struct world *w, int lt, long iters)
{
    const uint64_t one = 1;
    uint64_t val;
    struct vepoll_event ev[4];
    struct epoll_event kev[4];
    uint8_t *m = B.amem_a;
    int64_t t0;
    long i;
    if (v == V_GUEST) {
        if (send_cmd(lt ? OP_LT : OP_ET, (uint64_t)iters) || get_reply(&val))
            return -1;
        return (double)val / (double)iters;
    }
    t0 = now_ns();
    switch (v) {
    case V_ADAPTER:
        for (i = 0; i < iters; i++) {
            if (vepoll_wasix_write(B.wx, w->a_efd, &one, 8) != 8 ||
                vepoll_wasix_epoll_wait(B.wx, amem(m), VEPOLL_WASIX_LINUX32, w->a_ep, A_EVENTS, 4, 0,
                                        A_NEV) != 0 ||
                get_u32(m + A_NEV) != 1)
                return -1;
            if (lt && vepoll_wasix_read(B.wx, w->a_efd, &val, 8) != 8)
                return -1;
        }
        break;
    case V_NATIVE:
        for (i = 0; i < iters; i++) {
            if (vepoll_eventfd_write(w->n_efd, &one, 8, 0) != 8 ||
                vepoll_wait(w->n_ep, ev, 4, 0) != 1)
                return -1;
            if (lt && vepoll_eventfd_read(w->n_efd, &val, 8, 0) != 8)
                return -1;
        }
        break;
    case V_KERNEL:
        for (i = 0; i < iters; i++) {
            if (write(w->k_efd, &one, 8) != 8 || epoll_wait(w->k_ep, kev, 4, 0) != 1)
                return -1;
            if (lt && read(w->k_efd, &val, 8) != 8)
                return -1;
        }
        break;
    default:
        return -1;
    }
    return (double)(now_ns() - t0) / (double)iters;
}

/* ---- wake group: B's loop for the native ways, A's side for all ------------ */

struct peer {
    int v;
    long iters;
    int fail;
};

static void *peer_main(void *arg)
{
    struct peer *p = arg;
    const uint64_t one = 1;
    uint64_t val;
    struct vepoll_event ev[4];
    struct epoll_event kev[4];
    uint8_t *m = B.amem_b;
    for (long i = 0; i < p->iters && !p->fail; i++) {
        switch (p->v) {
        case V_ADAPTER:
            if (vepoll_wasix_epoll_wait(B.wx, amem(m), VEPOLL_WASIX_LINUX32, B.win.a_ep, A_EVENTS, 4,
                                        VEPOLL_WASIX_TIMEOUT_FOREVER, A_NEV) != 0 ||
                get_u32(m + A_NEV) != 1 || vepoll_wasix_read(B.wx, B.win.a_efd, &val, 8) != 8 ||
                vepoll_wasix_write(B.wx, B.a_out, &one, 8) != 8)
                p->fail = 1;
            break;
        case V_NATIVE:
            if (vepoll_wait(B.win.n_ep, ev, 4, -1) != 1 ||
                vepoll_eventfd_read(B.win.n_efd, &val, 8, 0) != 8 ||
                vepoll_eventfd_write(B.n_out, &one, 8, -1) != 8)
                p->fail = 1;
            break;
        case V_KERNEL:
            if (epoll_wait(B.win.k_ep, kev, 4, -1) != 1 || read(B.win.k_efd, &val, 8) != 8 ||
                write(B.k_out, &one, 8) != 8)
                p->fail = 1;
            break;
        default:
            p->fail = 1;
        }
    }
    return NULL;
}

static int signal_b(int v)
{
    const uint64_t one = 1;
    switch (v) {
    case V_GUEST:
        return vepoll_wasix_write(B.wx, B.g_in, &one, 8) == 8 ? 0 : -1;
    case V_ADAPTER:
        return vepoll_wasix_write(B.wx, B.win.a_efd, &one, 8) == 8 ? 0 : -1;
    case V_NATIVE:
        return vepoll_eventfd_write(B.win.n_efd, &one, 8, -1) == 8 ? 0 : -1;
    default:
        return write(B.win.k_efd, &one, 8) == 8 ? 0 : -1;
    }
}

static int wait_b(int v)
{
    uint64_t val;
    switch (v) {
    case V_GUEST:
        return vepoll_wasix_read(B.wx, B.g_out, &val, 8) == 8 ? 0 : -1;
    case V_ADAPTER:
        return vepoll_wasix_read(B.wx, B.a_out, &val, 8) == 8 ? 0 : -1;
    case V_NATIVE:
        return vepoll_eventfd_read(B.n_out, &val, 8, -1) == 8 ? 0 : -1;
    default:
        return read(B.k_out, &val, 8) == 8 ? 0 : -1;
    }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static double wake_run(int v, int rep)
{
    struct peer p = {v, B.witers, 0};
    pthread_t t;
    uint64_t res;
    int started = 0, bad = 0;
    long i;
    if (v == V_GUEST) {
        if (send_cmd(OP_WAKE, (uint64_t)B.witers))
            return -1;
    } else {
        if (pthread_create(&t, NULL, peer_main, &p))
            return -1;
        started = 1;
        pin(t, 1);
    }
    for (i = 0; i < B.witers && !bad; i++) {
        int64_t t0 = now_ns();
        if (signal_b(v) || wait_b(v))
            bad = 1;
        B.samples[i] = now_ns() - t0;
    }
    if (started)
        pthread_join(t, NULL);
    else if (!bad && get_reply(&res))
        bad = 1;
    if (bad || p.fail)
        return -1;
    if (rep >= 0)
        for (i = 0; i < B.witers; i++)
            printf("s9sample %s %d %lld\n", vname[v], rep, (long long)B.samples[i]);
    qsort(B.samples, (size_t)B.witers, sizeof(*B.samples), cmp_i64);
    return (double)B.samples[B.witers / 2];
}

/* ---- the controller ------------------------------------------------------- */

static int run_group(const char *group)
{
    int lt = !strcmp(group, "LT"), wake = !strcmp(group, "wake");
    struct world *w = lt ? &B.lt : &B.et;
    for (int r = -1; r < B.reps; r++) { /* round -1: warm-up */
        for (int v = 0; v < NV; v++) {
            double x = wake ? wake_run(v, r)
                            : local_run(v, w, lt, v == V_KERNEL ? B.kiters : B.iters);
            atomic_fetch_add(&B.progress, 1);
            if (x < 0) {
                fail(vname[v], r);
                return -1;
            }
            if (r >= 0)
                printf("s9 %s %s %d %.6g\n", group, vname[v], r, x);
        }
    }
    fflush(stdout);
    return 0;
}

static void *controller(void *arg)
{
    int rc;
    (void)arg;
    pin(pthread_self(), 1); /* the local groups run where the guest runs */
    rc = run_group("ET");
    if (!rc)
        rc = run_group("LT");
    pin(pthread_self(), 0);
    if (!rc)
        rc = run_group("wake");
    if (!rc)
        printf("s9 done\n");
    fflush(stdout);
    atomic_store(&B.done, 1);
    send_cmd(OP_QUIT, 0);
    return NULL;
}

static void *watchdog(void *arg)
{
    const struct timespec step = {0, 50000000};
    long last = -1, idle = 0;
    (void)arg;
    while (!atomic_load(&B.done)) {
        long now = atomic_load(&B.progress);
        idle = now == last ? idle + 1 : 0;
        last = now;
        if (idle >= WATCHDOG_S * 20) {
            fail("no_progress_for_60s_(lost_wakeup?)", now);
            _exit(70);
        }
        nanosleep(&step, NULL);
    }
    return NULL;
}

static void cleanup(void)
{
    atomic_store(&B.done, 1);
    if (B.dog_started)
        pthread_join(B.dog, NULL);
    B.dog_started = 0;
    world_close(&B.et);
    world_close(&B.lt);
    world_close(&B.win);
    if (B.n_out)
        vepoll_eventfd_close(B.n_out);
    if (B.k_out >= 0)
        close(B.k_out);
    free(B.samples);
    free(B.env_fds);
    free(B.envp);
    B.n_out = NULL;
    B.k_out = -1;
    B.samples = NULL;
    B.env_fds = NULL;
    B.envp = NULL;
}

int vw_host_setup(struct vw_host *h)
{
    uint32_t p[2];
    int n = 0, rc;
    B.h = h;
    B.wx = h->wx;
    parse_args(h);
    pick_cpus();
    B.guest_thread = pthread_self();
    B.samples = calloc((size_t)B.witers, sizeof(*B.samples));
    if (!B.samples)
        return -1;
    if ((rc = vepoll_wasix_pipe(B.wx, 0, p)))
        goto err;
    B.cmd_r = p[0];
    B.cmd_w = p[1];
    if ((rc = vepoll_wasix_pipe(B.wx, 0, p)))
        goto err;
    B.rep_r = p[0];
    B.rep_w = p[1];
    if ((rc = vepoll_wasix_eventfd(B.wx, 0, VEPOLL_NONBLOCK, &B.g_in)) ||
        (rc = vepoll_wasix_eventfd(B.wx, 0, 0, &B.g_out)) || (rc = world_open(&B.et, 1, 1)) ||
        (rc = world_open(&B.lt, 0, 1)) || (rc = world_open(&B.win, 0, 1)) ||
        (rc = vepoll_wasix_eventfd(B.wx, 0, 0, &B.a_out)) ||
        (rc = vepoll_eventfd_create(&B.n_out, 0, 0)))
        goto err;
    B.k_out = eventfd(0, EFD_CLOEXEC);
    if (B.k_out < 0) {
        rc = -errno;
        goto err;
    }

    /* The guest learns its descriptors from the environment. */
    while (h->envp && h->envp[n])
        n++;
    B.envp = calloc((size_t)n + 2, sizeof(char *));
    if (!B.envp || asprintf(&B.env_fds, "VEPOLL_BENCH9_FDS=%u,%u,%u,%u", B.cmd_r, B.rep_w,
                            B.g_in, B.g_out) < 0) {
        rc = -ENOMEM;
        goto err;
    }
    if (n)
        memcpy(B.envp, h->envp, (size_t)n * sizeof(char *));
    B.envp[n] = B.env_fds;
    h->envp = B.envp;

    pin(B.guest_thread, 1);
    if (pthread_create(&B.dog, NULL, watchdog, NULL)) {
        rc = -EAGAIN;
        goto err;
    }
    B.dog_started = 1;
    if (pthread_create(&B.ctl, NULL, controller, NULL)) {
        rc = -EAGAIN;
        goto err;
    }
    B.ctl_started = 1;
    return 0;
err:
    fail("setup", rc);
    if (B.envp && h->envp == B.envp)
        h->envp = NULL; /* the guest never starts; nothing reads it */
    cleanup();
    return -1; /* vw_main skips teardown after a failed setup */
}

void vw_host_teardown(struct vw_host *h)
{
    (void)h;
    /* A controller still waiting for a reply from a guest that has exited
     * (trap, error) sees EOF now. */
    if (B.rep_w)
        vepoll_wasix_close(B.wx, B.rep_w);
    if (B.ctl_started)
        pthread_join(B.ctl, NULL);
    cleanup();
}
