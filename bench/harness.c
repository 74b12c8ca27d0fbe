/* Harness: see bench.h. */
#include "bench.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct bench_cfg cfg;
int bench_failed;

int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Linear interpolation between closest ranks (type 7, as R and numpy). */
static double quantile(const double *sorted, int n, double q)
{
    double pos = q * (n - 1);
    int i = (int)pos;
    double f = pos - i;
    if (i + 1 >= n)
        return sorted[n - 1];
    return sorted[i] + f * (sorted[i + 1] - sorted[i]);
}

void summarize(const double *v, int n, struct summary *s)
{
    double *t;
    memset(s, 0, sizeof(*s));
    if (n <= 0)
        return;
    t = malloc((size_t)n * sizeof(*t));
    if (!t) {
        bench_fail("summarize: out of memory", -ENOMEM);
        return;
    }
    memcpy(t, v, (size_t)n * sizeof(*t));
    memcpy(s->v, v, (size_t)(n < MAX_REPS ? n : MAX_REPS) * sizeof(*t));
    qsort(t, (size_t)n, sizeof(*t), cmp_double);
    s->n = n;
    s->min = t[0];
    s->max = t[n - 1];
    s->med = quantile(t, n, 0.5);
    s->q1 = quantile(t, n, 0.25);
    s->q3 = quantile(t, n, 0.75);
    free(t);
}

double paired_ratio(const struct summary *a, const struct summary *b)
{
    double r[MAX_REPS];
    struct summary s;
    int i, n = a->n < b->n ? a->n : b->n;
    if (n > MAX_REPS)
        n = MAX_REPS;
    for (i = 0; i < n; i++)
        r[i] = b->v[i] > 0 ? a->v[i] / b->v[i] : 0;
    summarize(r, n, &s);
    return s.med;
}

void csv_row(const char *scen, const char *variant, const char *param, int rep,
             const char *metric, double value)
{
    if (cfg.csv)
        fprintf(cfg.csv, "%s,%s,%s,%d,%s,%.6g\n", scen, variant, param, rep,
                metric, value);
}

void csv_summary(const char *scen, const char *variant, const char *param,
                 const char *metric, const struct summary *s)
{
    static const char *const what[] = {"median", "min", "max", "q1", "q3"};
    const double val[] = {s->med, s->min, s->max, s->q1, s->q3};
    char m[96];
    int i;
    for (i = 0; i < 5; i++) {
        snprintf(m, sizeof(m), "%s:%s", metric, what[i]);
        csv_row(scen, variant, param, -1, m, val[i]);
    }
}

int measure(const char *scen, const char *param, const char *metric,
            const struct variant *v, int nv, long iters, struct summary *out)
{
    double *vals;
    int i, r, rc = 0;
    vals = calloc((size_t)nv * (size_t)cfg.reps, sizeof(*vals));
    if (!vals) {
        bench_fail("measure: out of memory", -ENOMEM);
        return -1;
    }
    for (i = 0; i < nv; i++) /* warm-up: caches, page faults, branch history */
        if (v[i].run(v[i].ctx, v[i].iters ? v[i].iters : iters) < 0)
            rc = -1;
    for (r = 0; r < cfg.reps && !rc; r++) {
        for (i = 0; i < nv; i++) {
            double x = v[i].run(v[i].ctx, v[i].iters ? v[i].iters : iters);
            if (x < 0) {
                rc = -1;
                break;
            }
            vals[i * cfg.reps + r] = x;
            csv_row(scen, v[i].name, param, r, metric, x);
        }
    }
    for (i = 0; i < nv; i++) {
        summarize(vals + i * cfg.reps, rc ? 0 : cfg.reps, &out[i]);
        if (!rc)
            csv_summary(scen, v[i].name, param, metric, &out[i]);
    }
    free(vals);
    if (rc)
        bench_fail(scen, -1);
    return rc;
}

void print_title(const char *title)
{
    printf("\n== %s ==\n", title);
}

void print_head(const char *unit)
{
    printf("  %-34s %-9s %12s %12s %12s %21s %10s\n", "variant", "param",
           unit, "min", "max", "IQR", "vepoll adv");
}

void print_row(const char *name, const char *param, const struct summary *s,
               double ref, int higher_is_better)
{
    char iqr[48], vs[24] = "";
    snprintf(iqr, sizeof(iqr), "%.4g-%.4g", s->q1, s->q3);
    if (ref > 0 && s->med > 0)
        snprintf(vs, sizeof(vs), "%.3gx",
                 higher_is_better ? ref / s->med : s->med / ref);
    printf("  %-34s %-9s %12.4g %12.4g %12.4g %21s %10s\n", name, param, s->med,
           s->min, s->max, iqr, vs);
}

#define MAX_TARGETS 64
static struct {
    char name[64];
    int pass;
} targets[MAX_TARGETS];
static int ntargets, ninfo;

void info(const char *name, double measured, const char *suffix, const char *note)
{
    printf("info %s: %.3g%s (%s)\n", name, measured, suffix, note);
    csv_row("info", name, "-", 0, "measured", measured);
    ninfo++;
}

void target(const char *name, double measured, int le, double goal,
            const char *suffix)
{
    int pass = le ? measured <= goal : measured >= goal;
    printf("target %s: %.3g%s (goal %s %.3g%s) %s\n", name, measured, suffix,
           le ? "<=" : ">=", goal, suffix, pass ? "PASS" : "MISS");
    csv_row("target", name, le ? "le" : "ge", 0, "measured", measured);
    csv_row("target", name, le ? "le" : "ge", 0, "goal", goal);
    if (ntargets < MAX_TARGETS) {
        snprintf(targets[ntargets].name, sizeof(targets[ntargets].name), "%s",
                 name);
        targets[ntargets++].pass = pass;
    }
}

void print_target_summary(void)
{
    int i, npass = 0;
    for (i = 0; i < ntargets; i++)
        npass += targets[i].pass;
    printf("\n== targets: %d PASS, %d MISS; %d info lines ==\n", npass, ntargets - npass,
           ninfo);
    for (i = 0; i < ntargets; i++)
        if (!targets[i].pass)
            printf("  MISS %s\n", targets[i].name);
}

static cpu_set_t all_cpus;

void harness_init(void)
{
    int i;
    CPU_ZERO(&all_cpus);
    if (sched_getaffinity(0, sizeof(all_cpus), &all_cpus) != 0)
        CPU_SET(0, &all_cpus);
    cfg.ncpu = 0;
    for (i = 0; i < CPU_SETSIZE; i++) {
        if (!CPU_ISSET(i, &all_cpus))
            continue;
        if (cfg.ncpu < 2)
            cfg.cpu[cfg.ncpu] = i;
        cfg.ncpu++;
    }
    if (cfg.ncpu < 2)
        cfg.cpu[1] = cfg.cpu[0];
}

int pin_self(int which)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cfg.cpu[which], &set);
    return -pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

void unpin_self(void)
{
    pthread_setaffinity_np(pthread_self(), sizeof(all_cpus), &all_cpus);
}

void bench_fail(const char *what, int rc)
{
    fprintf(stderr, "vepoll-bench: FAILED: %s (%d)\n", what, rc);
    bench_failed = 1;
}
