/*
 * vepoll-difftest: runs seeded random op lists in lockstep on Linux and on
 * vepoll, and on the first divergence prints the seed, the step, both
 * results and a shrunk minimal reproducer.  See docs/DIFFTEST.md.
 *
 *   vepoll-difftest --seed N | --seeds A-B   [--steps N] [--long]
 *                   [--trace] [--stats] [--no-shrink] [--shrink-limit K]
 *                   [--inject-fault] [--avoid A,B] [--fds | --kfd | --kfd-lazy]
 *
 * Ends with the line "N passed, M failed" (one per seed); exit status 1 if
 * any seed failed, 2 on a usage or host error.
 */
#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "difftest.h"

#define SHRINK_MAX_REPLAYS 4000
#define SHRINK_MAX_SECONDS 60.0

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *status_name(int s)
{
    switch (s) {
    case DT_DIVERGED: return "DIVERGENCE";
    case DT_MODEL_ERROR: return "MODEL ERROR (harness capacity model disagrees with Linux)";
    case DT_HOST_ERROR: return "HOST ERROR";
    default: return "ok";
    }
}

/* The engine: the objects' (engine.c) or the descriptor table's
 * (fdengine.c, --fds). */
static int generate(uint64_t seed, int steps, const struct dt_options *opt, struct dt_op **ops,
                    int *n, struct dt_report *rep)
{
    return opt->fds ? dt_fd_generate(seed, steps, opt, ops, n, rep)
                    : dt_generate(seed, steps, opt, ops, n, rep);
}

static int replay(const struct dt_op *ops, int n, const unsigned char *keep,
                  const struct dt_options *opt, struct dt_report *rep)
{
    return opt->fds ? dt_fd_replay(ops, n, keep, opt, rep) : dt_replay(ops, n, keep, opt, rep);
}

/* Does replaying `keep` still fail the same way? */
static bool same_failure(const struct dt_op *ops, int n, const unsigned char *keep,
                         const struct dt_options *opt, int status, int kind,
                         struct dt_report *rep)
{
    int s = replay(ops, n, keep, opt, rep);
    return s == status && rep->kind == kind;
}

/* Delta debugging (ddmin, complement removal): remove chunks of the op list,
 * halving the chunk size whenever no chunk can go, until no single op can be
 * removed.  Every trial is a full replay from scratch.  Returns the number of
 * kept ops; keep[] marks them. */
static int shrink(const struct dt_op *ops, int n, unsigned char *keep,
                  const struct dt_options *opt, int status, int kind, int *replays)
{
    struct dt_report rep;
    unsigned char *trial = malloc((size_t)n);
    double t0 = now();
    int kept = n;
    if (!trial)
        return n;
    memset(keep, 1, (size_t)n);
    for (int chunk = n / 2 > 0 ? n / 2 : 1; chunk >= 1;) {
        bool removed = false;
        for (int start = 0; start < n; start += chunk) {
            if (*replays >= SHRINK_MAX_REPLAYS || now() - t0 > SHRINK_MAX_SECONDS)
                goto out;
            memcpy(trial, keep, (size_t)n);
            int cleared = 0;
            for (int k = start; k < start + chunk && k < n; k++)
                if (trial[k]) {
                    trial[k] = 0;
                    cleared++;
                }
            if (!cleared || cleared == kept)
                continue;
            ++*replays;
            if (same_failure(ops, n, trial, opt, status, kind, &rep)) {
                memcpy(keep, trial, (size_t)n);
                kept -= cleared;
                /* Ops after the (new) failing step are irrelevant. */
                for (int k = rep.step + 1; k < n; k++)
                    if (keep[k]) {
                        keep[k] = 0;
                        kept--;
                    }
                removed = true;
            }
        }
        if (!removed)
            chunk /= 2;
    }
out:
    free(trial);
    return kept;
}

/* The kept ops as a compact list, object references renumbered. */
static struct dt_op *compact(const struct dt_op *ops, int n, const unsigned char *keep,
                             int *m)
{
    int *map = malloc((size_t)n * sizeof *map);
    struct dt_op *out = malloc((size_t)n * sizeof *out);
    int j = 0;
    if (!map || !out) {
        free(map);
        free(out);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        map[i] = -1;
        if (!keep[i])
            continue;
        map[i] = j;
        out[j] = ops[i];
        if (out[j].obj >= 0)
            out[j].obj = map[out[j].obj];
        if (out[j].tobj >= 0)
            out[j].tobj = map[out[j].tobj];
        j++;
    }
    free(map);
    *m = j;
    return out;
}

static void print_report(const struct dt_report *rep)
{
    printf("    op:     %s\n", rep->op);
    printf("    linux:  %s\n", rep->lnx);
    printf("    vepoll: %s\n", rep->vep);
}

/* One seed; returns 0 (passed) or the failure status. */
static int run_seed(uint64_t seed, int steps, const struct dt_options *opt, bool do_shrink,
                    long *executed)
{
    struct dt_op *ops;
    int n;
    struct dt_report rep;
    memset(&rep, 0, sizeof rep);
    int s = generate(seed, steps, opt, &ops, &n, &rep);
    *executed += n;
    if (s == DT_OK) {
        free(ops);
        return 0;
    }
    printf("seed %" PRIu64 ": %s at step %d of %d\n", seed, status_name(s), rep.step, steps);
    print_report(&rep);
    fflush(stdout);
    if (s == DT_HOST_ERROR || !do_shrink) {
        free(ops);
        return s;
    }
    unsigned char *keep = malloc((size_t)n);
    int replays = 0, m = 0;
    if (!keep) {
        free(ops);
        return s;
    }
    double t0 = now();
    int kept = shrink(ops, n, keep, opt, s, rep.kind, &replays);
    struct dt_op *small = compact(ops, n, keep, &m);
    if (small) {
        struct dt_report r2;
        memset(&r2, 0, sizeof r2);
        int s2 = replay(small, m, NULL, opt, &r2);
        printf("  minimal reproducer: %d ops (from %d; %d replays, %.1f s), replayed from "
               "scratch:\n",
               kept, n, replays, now() - t0);
        for (int i = 0; i < m; i++) {
            char b[200];
            dt_format_op(small, i, b, sizeof b);
            printf("    %3d  %s\n", i, b);
        }
        if (s2 == DT_OK) {
            printf("  (the shrunk list no longer fails on its own)\n");
        } else {
            printf("  result of the last op (%s):\n", status_name(s2));
            print_report(&r2);
        }
        free(small);
    }
    free(keep);
    free(ops);
    fflush(stdout);
    return s;
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-')
        return -1;
    *out = v;
    return 0;
}

static const struct {
    const char *name;
    unsigned bit;
} avoid_names[] = {{"efd-len", DT_AVOID_EFD_LEN}, {"nest-rdnorm", DT_AVOID_NEST_RDNORM},
                     {"order", DT_AVOID_ORDER}, {"nest", DT_AVOID_NEST}};

/* Comma-separated --avoid names. */
static int parse_avoid(const char *s, unsigned *out)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        size_t i = 0, n = sizeof avoid_names / sizeof avoid_names[0];
        while (i < n && strcmp(t, avoid_names[i].name))
            i++;
        if (i == n)
            return -1;
        *out |= avoid_names[i].bit;
    }
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: vepoll-difftest [--seed N | --seeds A-B] [--steps N] [--long]\n"
            "                       [--trace] [--stats] [--no-shrink]\n"
            "                       [--shrink-limit K] [--inject-fault]\n"
            "                       [--fds | --kfd | --kfd-lazy]\n"
            "  --seed N        run one seed\n"
            "  --seeds A-B     run seeds A..B inclusive (default 1-100)\n"
            "  --steps N       executed ops per seed (default 2000)\n"
            "  --long          seeds 1-2000 x 5000 steps (10 million ops) unless\n"
            "                  --seeds/--steps say otherwise\n"
            "  --trace         print every executed op\n"
            "  --stats         print coverage counters before the summary line\n"
            "  --no-shrink     report divergences without shrinking\n"
            "  --shrink-limit K  shrink only the first K failing seeds (default 5)\n"
            "  --inject-fault  self-check: vepoll gets every mask without ET, so\n"
            "                  divergences must be found and shrunk\n"
            "  --fds           the descriptor engine: the WASIX adapter's built-in\n"
            "                  table (dup, dup2/dup3, renumber, close, flags, epoll\n"
            "                  through the imports, timerfd, recv/send) against this\n"
            "                  process's descriptor table\n"
            "  --kfd           vepoll's side of pipes, eventfds and socket pairs is\n"
            "                  real descriptors watched through kernel-descriptor\n"
            "                  sources (vepoll_kfd.h): the kernel wait against\n"
            "                  the kernel's epoll on twin descriptors, the kernel\n"
            "                  set pumped after every op (as a blocked waiter)\n"
            "  --kfd-lazy      --kfd with the pumps left to the waits; waits are\n"
            "                  compared as sets (the kernel set's order)\n"
            "  --avoid A,B     diagnostic: do not generate an input class known to\n"
            "                  diverge (efd-len, nest-rdnorm, order,\n"
            "                  nest), to look behind it\n");
}

int main(int argc, char **argv)
{
    uint64_t first = 1, last = 100, steps = 2000;
    long shrink_left = 5;
    bool stats = false, seeds_set = false, steps_set = false, long_mode = false, do_shrink = true;
    struct dt_options opt = {0, 0, 0, 0, 0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--seed") && v) {
            if (parse_u64(v, &first))
                goto bad;
            last = first;
            seeds_set = true;
            i++;
        } else if (!strcmp(a, "--seeds") && v) {
            char buf[64];
            snprintf(buf, sizeof buf, "%s", v);
            char *dash = strchr(buf, '-');
            if (!dash)
                goto bad;
            *dash = 0;
            if (parse_u64(buf, &first) || parse_u64(dash + 1, &last) || last < first)
                goto bad;
            seeds_set = true;
            i++;
        } else if (!strcmp(a, "--steps") && v) {
            if (parse_u64(v, &steps) || steps == 0 || steps > 10000000)
                goto bad;
            steps_set = true;
            i++;
        } else if (!strcmp(a, "--long")) {
            long_mode = true;
        } else if (!strcmp(a, "--stats")) {
            stats = true;
        } else if (!strcmp(a, "--trace")) {
            opt.trace = 1;
        } else if (!strcmp(a, "--no-shrink")) {
            do_shrink = false;
        } else if (!strcmp(a, "--shrink-limit") && v) {
            uint64_t k;
            if (parse_u64(v, &k))
                goto bad;
            shrink_left = (long)k;
            i++;
        } else if (!strcmp(a, "--avoid") && v) {
            if (parse_avoid(v, &opt.avoid))
                goto bad;
            i++;
        } else if (!strcmp(a, "--inject-fault")) {
            opt.inject_fault = 1;
        } else if (!strcmp(a, "--fds")) {
            opt.fds = 1;
        } else if (!strcmp(a, "--kfd")) {
            opt.kfd = DT_KFD_EACH_OP;
        } else if (!strcmp(a, "--kfd-lazy")) {
            opt.kfd = DT_KFD_LAZY;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else {
            goto bad;
        }
    }
    if (opt.fds && opt.kfd) {
        fprintf(stderr, "vepoll-difftest: --fds and --kfd/--kfd-lazy are two engines: pick one\n");
        return 2;
    }
    /* Without the pump after every op, kernel-descriptor sources learn of
     * the kernel's edges when a wait pumps the kernel set, so the events that became ready between two
     * waits come in the kernel set's order, not in the order of the ops
     * that made them ready: waits take everything and compare as a set
     * (docs/DIFFTEST.md). */
    if (opt.kfd == DT_KFD_LAZY)
        opt.avoid |= DT_AVOID_ORDER;
    if (long_mode) {
        if (!seeds_set) {
            first = 1;
            last = 2000;
        }
        if (!steps_set)
            steps = 5000;
    }
    if (dt_setup() < 0)
        return 2;
    uint64_t passed = 0, failed = 0;
    long executed = 0;
    double t0 = now();
    for (uint64_t seed = first;; seed++) {
        if (run_seed(seed, (int)steps, &opt, do_shrink && shrink_left > 0, &executed)) {
            failed++;
            shrink_left--;
        }
        else
            passed++;
        if (long_mode && (seed - first + 1) % 100 == 0) {
            printf("... seeds %" PRIu64 "-%" PRIu64 ": %" PRIu64 " failed so far, %.1f s\n",
                   first, seed, failed, now() - t0);
            fflush(stdout);
        }
        if (seed == last)
            break;
    }
    printf("%ld ops executed in %.1f s (seeds %" PRIu64 "-%" PRIu64 ", %" PRIu64
           " steps each)\n",
           executed, now() - t0, first, last, steps);
    if (stats)
        dt_print_stats();
    printf("%" PRIu64 " passed, %" PRIu64 " failed\n", passed, failed);
    return failed ? 1 : 0;
bad:
    usage(stderr);
    return 2;
}
