/*
 * Scenario 9: a WebAssembly guest's epoll_wait through the wasm2c host.
 * The guest (bench/wasix_guest.c) and its host side (bench/wasix_host.c)
 * are built, translated and linked by tools/vepoll-wasix-run --build-only
 * (cached by content hash), then run as a child process: the measurements
 * have to live in the runner's binary, where the guest is.  The child
 * interleaves the guest with the same work done natively (adapter, native
 * vepoll, kernel) in one process, and prints raw values; this file turns
 * them into the usual table, CSV rows, target lines (issue 14: the guest's
 * same-thread ET and LT loops within 1.5x native vepoll) and info lines
 * (the wake round trip and the kernel comparisons, which have no goal).
 *
 * Environment: VEPOLL_WASIX_RUN overrides the runner (default: the
 * source tree's tools/vepoll-wasix-run); VEPOLL_WASIX_CACHE is the
 * runner's cache (default ~/.cache/vepoll-wasix).
 *
 * Single-threaded: the child is read through a pipe until EOF, then reaped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#ifndef VEPOLL_BENCH_SOURCE_DIR
#error "VEPOLL_BENCH_SOURCE_DIR must name the source tree (bench/CMakeLists.txt sets it)"
#endif

enum { V_GUEST, V_ADAPTER, V_NATIVE, V_KERNEL, NV };
static const char *const vname[NV] = {"guest", "adapter", "native", "kernel"};
static const char *const vlabel[NV] = {"wasm guest (wasm2c)", "adapter, native C",
                                       "vepoll native", "kernel eventfd+epoll"};
enum { G_ET, G_LT, G_WAKE, NG };
static const char *const gname[NG] = {"ET", "LT", "wake"};

struct child {
    pid_t pid;
    FILE *out;
};

/* Starts argv[0] with stdout (and stderr too if merge) on a pipe. */
static int child_start(struct child *c, char *const argv[], int merge)
{
    int fd[2];
    if (pipe(fd))
        return -errno;
    fflush(NULL); /* nothing buffered may be written twice */
    c->pid = fork();
    if (c->pid < 0) {
        int e = errno;
        close(fd[0]);
        close(fd[1]);
        return -e;
    }
    if (c->pid == 0) {
        dup2(fd[1], 1);
        if (merge)
            dup2(fd[1], 2);
        close(fd[0]);
        close(fd[1]);
        execv(argv[0], argv);
        fprintf(stderr, "vepoll-bench: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(fd[1]);
    c->out = fdopen(fd[0], "r");
    if (!c->out) {
        close(fd[0]);
        waitpid(c->pid, NULL, 0);
        return -ENOMEM;
    }
    return 0;
}

/* Exit status of the child (-1 if killed by a signal). */
static int child_finish(struct child *c)
{
    int st;
    fclose(c->out);
    if (waitpid(c->pid, &st, 0) < 0)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* tools/vepoll-wasix-run --build-only: the runner binary's path in bin. */
static int build(const char *runner, char *bin, size_t binlen, double *secs)
{
    char host[4096], guest[4096], line[4096];
    char *argv[] = {(char *)runner, "--build-only", "--host", host, guest, NULL};
    struct child c;
    int64_t t0 = now_ns();
    int rc;
    snprintf(host, sizeof(host), "%s/bench/wasix_host.c", VEPOLL_BENCH_SOURCE_DIR);
    snprintf(guest, sizeof(guest), "%s/bench/wasix_guest.c", VEPOLL_BENCH_SOURCE_DIR);
    bin[0] = 0;
    if ((rc = child_start(&c, argv, 1)))
        return rc;
    while (fgets(line, sizeof(line), c.out)) {
        line[strcspn(line, "\n")] = 0;
        if (line[0] == '/' && !access(line, X_OK))
            snprintf(bin, binlen, "%s", line);
        else
            printf("  | %s\n", line); /* package installs, compiler errors */
    }
    rc = child_finish(&c);
    *secs = (double)(now_ns() - t0) / 1e9;
    return rc == 0 && bin[0] ? 0 : -1;
}

static int find(const char *const *names, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], s))
            return i;
    return -1;
}

static void info_ratio(const char *name, const struct summary *a, const struct summary *b,
                       const char *what)
{
    info(name, paired_ratio(a, b), "x", what);
}

int scen_wasix(void)
{
    static double val[NG][NV][MAX_REPS];
    static int have[NG][NV];
    static struct summary s[NG][NV];
    const char *runner = getenv("VEPOLL_WASIX_RUN");
    char defrunner[4096], bin[4096], line[512], reps[16], it[24], kit[24], wit[24];
    char *argv[] = {bin, "s9", "--reps", reps, "--iters", it, "--kiters", kit,
                    "--witers", wit, NULL};
    long iters = cfg.quick ? 200 : 20000, kiters = cfg.quick ? 20 : 2000;
    long witers = cfg.quick ? 20 : 500;
    struct child c;
    double secs;
    int done = 0, bad = 0, rc, g, v;

    print_title("9. WASIX guest epoll_wait through the wasm2c host (tools/vepoll-wasix-run)");
    if (!runner || !*runner) {
        snprintf(defrunner, sizeof(defrunner), "%s/tools/vepoll-wasix-run",
                 VEPOLL_BENCH_SOURCE_DIR);
        runner = defrunner;
    }
    if (build(runner, bin, sizeof(bin), &secs)) {
        bench_fail("s9: tools/vepoll-wasix-run --build-only failed", -1);
        return -1;
    }
    printf("  build: %.2f s (%s; a cold cache builds libvepoll -O2, the host layer and "
           "the guest)\n",
           secs, secs < 1.5 ? "cached" : "built");

    snprintf(reps, sizeof(reps), "%d", cfg.reps);
    snprintf(it, sizeof(it), "%ld", iters);
    snprintf(kit, sizeof(kit), "%ld", kiters);
    snprintf(wit, sizeof(wit), "%ld", witers);
    if ((rc = child_start(&c, argv, 0))) {
        bench_fail("s9: cannot start the runner binary", rc);
        return -1;
    }
    while (fgets(line, sizeof(line), c.out)) {
        char a[32], b[32];
        int rep;
        double x;
        line[strcspn(line, "\n")] = 0;
        if (sscanf(line, "s9sample %31s %d %lf", a, &rep, &x) == 3) {
            csv_row("s9_wasix", a, "wake", rep, "rt_sample_ns", x);
        } else if (sscanf(line, "s9 %31s %31s %d %lf", a, b, &rep, &x) == 4 &&
                   (g = find(gname, NG, a)) >= 0 && (v = find(vname, NV, b)) >= 0 &&
                   rep >= 0 && rep < cfg.reps) {
            val[g][v][rep] = x;
            have[g][v]++;
            csv_row("s9_wasix", b, a, rep, g == G_WAKE ? "rt_median_ns" : "ns_per_op", x);
        } else if (!strcmp(line, "s9 done")) {
            done = 1;
        } else {
            printf("  | %s\n", line);
            bad |= !strncmp(line, "s9 error", 8);
        }
    }
    rc = child_finish(&c);
    for (g = 0; g < NG; g++)
        for (v = 0; v < NV; v++)
            bad |= have[g][v] != cfg.reps;
    if (rc != 0 || !done || bad) {
        bench_fail("s9: the guest run failed or is incomplete (exit status)", rc);
        return -1;
    }

    for (g = 0; g < NG; g++) {
        const char *metric = g == G_WAKE ? "rt_median_ns" : "ns_per_op";
        const char *param = g == G_ET ? "ET" : g == G_LT ? "LT+read" : "split";
        if (g == G_ET)
            printf("  -- same thread: write(eventfd, 1) + epoll_wait(0) on an ET registration\n");
        else if (g == G_LT)
            printf("  -- same thread: write + epoll_wait(0) + read on an LT registration\n");
        else
            printf("  -- round trip A->B->A: A writes, B wakes in epoll_wait(-1), reads, writes "
                   "back; A blocked in read\n");
        print_head(g == G_WAKE ? "ns/RT" : "ns/iter");
        for (v = 0; v < NV; v++) {
            summarize(val[g][v], cfg.reps, &s[g][v]);
            csv_summary("s9_wasix", vname[v], gname[g], metric, &s[g][v]);
        }
        for (v = 0; v < NV; v++)
            print_row(vlabel[v], param, &s[g][v], s[g][V_NATIVE].med, 0);
        printf("  guest - native: %.4g ns (wasm2c + shim + WASI layer: %.4g ns, adapter: "
               "%.4g ns)\n",
               s[g][V_GUEST].med - s[g][V_NATIVE].med, s[g][V_GUEST].med - s[g][V_ADAPTER].med,
               s[g][V_ADAPTER].med - s[g][V_NATIVE].med);
    }
    /* Issue 14 item 4: the guest's loop within 1.5x the same loop native. */
    target("wasix_et_guest_vs_native", paired_ratio(&s[G_ET][V_GUEST], &s[G_ET][V_NATIVE]), 1,
           1.5, "x");
    info_ratio("wasix_et_kernel_vs_guest", &s[G_ET][V_KERNEL], &s[G_ET][V_GUEST],
               "kernel eventfd + epoll / guest; no goal");
    target("wasix_lt_guest_vs_native", paired_ratio(&s[G_LT][V_GUEST], &s[G_LT][V_NATIVE]), 1,
           1.5, "x");
    info_ratio("wasix_lt_kernel_vs_guest", &s[G_LT][V_KERNEL], &s[G_LT][V_GUEST],
               "kernel eventfd + epoll / guest; no goal");
    info_ratio("wasix_wake_guest_vs_native", &s[G_WAKE][V_GUEST], &s[G_WAKE][V_NATIVE],
               "guest / native vepoll, cross-thread round trip; no goal");
    info_ratio("wasix_wake_kernel_vs_guest", &s[G_WAKE][V_KERNEL], &s[G_WAKE][V_GUEST],
               "kernel eventfd + epoll / guest; no goal");
    return 0;
}
