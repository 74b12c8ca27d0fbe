/*
 * vepoll-bench: vepoll against kernel epoll and Wasmer's mutex-queue design
 * (mutexq.h), side by side in one process.  docs/BENCHMARKS.md has the
 * scenarios, the goals and the latest results.
 *
 *   vepoll-bench [--quick] [--csv FILE] [--only N[,N...]] [--reps N]
 *
 * Scenarios 1-8 run here; 9 (a WASIX guest through the wasm2c host) builds
 * and runs bench/wasix_{guest,host}.c with tools/vepoll-wasix-run.
 *
 * --quick runs every scenario with tiny counts (checks that everything runs
 * and prints every target line; its numbers mean nothing).  --csv writes one
 * row per measured value: scenario,variant,param,rep,metric,value.
 * Exit status: 0 when every scenario ran (MISSes included), 1 when a
 * benchmark failed (a call failed or events went missing), 2 on bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>

#include "bench.h"
#include "vepoll.h"

static void usage(void)
{
    fprintf(stderr,
            "usage: vepoll-bench [--quick] [--csv FILE] [--only N[,N...]] "
            "[--reps N]\n"
            "  scenarios: 1 LT notify+harvest, 2 ET, 3 dedupe, 4 batch,\n"
            "             5 cross-thread wake, 6 fan-in, 7 scaling, 8 memory,\n"
            "             9 WASIX guest through the wasm2c host\n");
}

static void describe_machine(void)
{
    struct utsname u;
    char line[256], model[160] = "?";
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        while (fgets(line, sizeof(line), f))
            if (!strncmp(line, "model name", 10)) {
                char *p = strchr(line, ':');
                if (p) {
                    snprintf(model, sizeof(model), "%s", p + 2);
                    model[strcspn(model, "\n")] = 0;
                }
                break;
            }
        fclose(f);
    }
    if (uname(&u) == 0)
        printf("machine: %s %s, %s, %d CPUs usable (pinning to %d and %d)\n",
               u.sysname, u.release, model, cfg.ncpu, cfg.cpu[0], cfg.cpu[1]);
    /* A shared machine's load is the first thing to check in noisy numbers. */
    f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fgets(line, sizeof(line), f)) {
            line[strcspn(line, "\n")] = 0;
            printf("load average at start: %s; nice %d\n", line,
                   getpriority(PRIO_PROCESS, 0));
        }
        fclose(f);
    }
    printf("vepoll %d.%d.%d, %s run, %d timed repetitions per variant "
           "(median, min/max, IQR)\n",
           VEPOLL_VERSION_MAJOR, VEPOLL_VERSION_MINOR, VEPOLL_VERSION_PATCH,
           cfg.quick ? "QUICK (numbers meaningless)" : "full", cfg.reps);
}

int main(int argc, char **argv)
{
    static int (*const scen[])(void) = {
        scen_same_thread, scen_wake, scen_fanin, scen_scale, scen_memory, scen_wasix};
    /* Scenario numbers 1-4 share one function. */
    static const int first_of[] = {1, 5, 6, 7, 8, 9};
    const int nscen = (int)(sizeof(scen) / sizeof(scen[0]));
    int only[10] = {0}, any_only = 0, i, reps = 0;
    const char *csv = NULL;
    int64_t t0 = now_ns();

    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) {
            cfg.quick = 1;
        } else if (!strcmp(argv[i], "--csv") && i + 1 < argc) {
            csv = argv[++i];
        } else if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
            reps = atoi(argv[++i]);
            if (reps < 1 || reps > MAX_REPS) {
                usage();
                return 2;
            }
        } else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
            char *s = argv[++i], *end;
            for (;;) {
                long n = strtol(s, &end, 10);
                if (end == s || n < 1 || n > 9) {
                    usage();
                    return 2;
                }
                only[n] = any_only = 1;
                if (*end != ',')
                    break;
                s = end + 1;
            }
            if (*end) {
                usage();
                return 2;
            }
        } else {
            usage();
            return 2;
        }
    }
    cfg.reps = reps ? reps : cfg.quick ? 3 : 15;
    harness_init();
    if (csv) {
        cfg.csv = fopen(csv, "w");
        if (!cfg.csv) {
            perror(csv);
            return 2;
        }
        fprintf(cfg.csv, "scenario,variant,param,rep,metric,value\n");
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    describe_machine();

    for (i = 0; i < nscen; i++) {
        int want = !any_only, n;
        for (n = first_of[i]; n < (i + 1 < nscen ? first_of[i + 1] : 10); n++)
            want |= only[n];
        if (want && scen[i]() != 0)
            bench_fail("scenario did not complete", first_of[i]);
    }
    print_target_summary();
    printf("total time: %.1f s\n", (double)(now_ns() - t0) / 1e9);
    if (cfg.csv && fclose(cfg.csv) != 0) {
        perror(csv);
        return 1;
    }
    return bench_failed ? 1 : 0;
}
