/*
 * vepoll-bench: shared harness (timing, statistics, CSV, tables, targets,
 * CPU pinning).
 *
 * Every scenario measures vepoll and its baselines in the same process,
 * interleaved: one warm-up run of each variant, then `reps` rounds of
 * (variant 0, variant 1, ...), so slow drift of a shared, noisy machine hits
 * every variant alike.  A variant's run returns one value (ns per operation,
 * or a rate); the harness keeps every value (CSV) and reports the median with
 * min/max and the interquartile range.
 *
 * Threads: the harness itself is single-threaded; scenarios that start
 * threads join them before a run returns.
 */
#ifndef VEPOLL_BENCH_H
#define VEPOLL_BENCH_H

#include <stdint.h>
#include <stdio.h>

struct bench_cfg {
    int quick;   /* --quick: tiny counts, checks that everything runs */
    int reps;    /* timed repetitions per variant */
    FILE *csv;   /* --csv FILE, or NULL */
    int ncpu;    /* CPUs this process may run on */
    int cpu[2];  /* the first two of them (for pinning) */
};
extern struct bench_cfg cfg;

#define MAX_REPS 64

struct summary {
    double med, min, max, q1, q3;
    int n;
    double v[MAX_REPS]; /* the values in run order (round r = v[r]) */
};

/* A measured variant: run(ctx, iters) returns the value of one repetition
 * (ns per operation unless the scenario says otherwise), or a negative value
 * on failure (the scenario then fails). */
struct variant {
    const char *name;
    double (*run)(void *ctx, long iters);
    void *ctx;
    long iters; /* 0: the count given to measure(); else this one (the
                 * kernel baselines are ~100x slower: fewer iterations
                 * keep every variant's run about as long) */
};

int64_t now_ns(void);
void summarize(const double *v, int n, struct summary *s);
/* Median over rounds r of a->v[r] / b->v[r]: the same-round ratio of two
 * variants measured by one measure() call (or paired by hand), which
 * cancels slow phases of a shared machine that hit both runs of a round. */
double paired_ratio(const struct summary *a, const struct summary *b);

/* Warm-up, then cfg.reps interleaved rounds.  Writes one CSV row per value
 * (scenario, variant, param, rep, metric, value).  Returns 0, or -1 if any
 * run failed. */
int measure(const char *scen, const char *param, const char *metric,
            const struct variant *v, int nv, long iters, struct summary *out);

void csv_row(const char *scen, const char *variant, const char *param, int rep,
             const char *metric, double value);

/* Summary rows (rep -1, metric "<metric>:median" / ":min" / ":max" /
 * ":q1" / ":q3"), which the plot script reads. */
void csv_summary(const char *scen, const char *variant, const char *param,
                 const char *metric, const struct summary *s);

/* Tables. */
void print_title(const char *title);
void print_head(const char *unit);
/* One row; `ref` > 0 (vepoll's median) adds the "vepoll adv" column: how
 * many times better vepoll is than this row (this / ref for times, ref /
 * this when `higher_is_better`). */
void print_row(const char *name, const char *param, const struct summary *s,
               double ref, int higher_is_better);

/* Target lines: "target <name>: <measured> (goal <op> <goal>) PASS|MISS".
 * le != 0: the goal is an upper bound, else a lower bound.  Every call is
 * also remembered for the summary at the end. */
void target(const char *name, double measured, int le, double goal,
            const char *suffix);
/* Info lines, for measurements the issue sets no goal for:
 * "info <name>: <measured><suffix> (<note>)".  Counted in the summary,
 * never PASS or MISS. */
void info(const char *name, double measured, const char *suffix, const char *note);
void print_target_summary(void);

/* Records the CPUs the process may use (cfg.ncpu, cfg.cpu). */
void harness_init(void);
/* Pin the calling thread to one CPU (an index into cfg.cpu); 0 or -errno. */
int pin_self(int which);
/* Let the calling thread run on every CPU the process may use. */
void unpin_self(void);

/* Fatal benchmark error (a vepoll call failed, an event went missing). */
void bench_fail(const char *what, int rc);
extern int bench_failed;

/* Scenarios. */
int scen_same_thread(void); /* 1-4 */
int scen_wake(void);        /* 5 */
int scen_fanin(void);       /* 6 */
int scen_scale(void);       /* 7 */
int scen_memory(void);      /* 8 */
int scen_wasix(void);       /* 9 */

#endif
