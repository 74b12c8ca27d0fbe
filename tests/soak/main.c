/*
 * vepoll-soak SECONDS [SEED]: the soak run (soak.h has the plan).
 *
 * Rounds of up to 10 s: the workload runs, then the mutators pause and the
 * consumers must take every token still in flight within QUIESCE_SECONDS
 * (a token left unread while every registration is in place is a lost
 * event).  The counting allocator (tests/support/vtest.h) is installed
 * before the first vepoll object and must show nothing alive at the end.
 * Exit status 0 when every check held; the report goes to stdout.
 */
#include "soak.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtest.h"

#define ROUND_SECONDS 10
#define QUIESCE_SECONDS 20 /* generous: a sanitizer build on a busy machine */
#define PRODUCERS 2
#define CONSUMERS 5        /* E0, E1, O, T, T */
#define MUTATORS (PRODUCERS + 4) /* + churner, closer, victim closer, sweeper */

struct soak soak;

void soak_fail(atomic_ullong *counter, const char *fmt, ...)
{
    va_list ap;
    atomic_fetch_add(counter, 1);
    va_start(ap, fmt);
    fputs("soak: VIOLATION: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

uint32_t soak_rand(uint64_t *state)
{
    *state = *state * 6364136223846793005u + 1442695040888963407u;
    return (uint32_t)(*state >> 33);
}

static int add_instance(vepoll_t *outer, vepoll_t *inner, uint32_t events, unsigned idx)
{
    struct vepoll_event ev = {.events = events, .data.u64 = SOAK_COOKIE_INST | idx};
    return vepoll_ctl(outer, VEPOLL_CTL_ADD, (int)idx, vepoll_as_source(inner), &ev);
}

static int build(void)
{
    int i, rc;
    for (i = 0; i < SOAK_INNERS; i++)
        if ((rc = vepoll_create(&soak.inner[i])) != 0)
            return rc;
    if ((rc = vepoll_create(&soak.outer)) || (rc = vepoll_create(&soak.top)) ||
        (rc = vepoll_create(&soak.sweep)))
        return rc;
    if ((rc = add_instance(soak.outer, soak.inner[0], VEPOLL_IN, 0)) ||
        (rc = add_instance(soak.outer, soak.inner[1], VEPOLL_IN | VEPOLL_ET, 1)) ||
        (rc = add_instance(soak.top, soak.outer, VEPOLL_IN, 2)))
        return rc;
    if ((rc = vepoll_set_spin(soak.inner[1], 50 * 1000)) != 0)
        return rc;
    if ((rc = soak_victims_start()) != 0)
        return rc;
    for (i = 0; i < SOAK_CHANS; i++)
        if ((rc = soak_chan_init(&soak.chan[i], i)) || (rc = soak_chan_open(&soak.chan[i])))
            return rc;
    return 0;
}

static bool all_settled(void)
{
    int i;
    for (i = 0; i < SOAK_CHANS; i++)
        if (!soak_chan_settled(&soak.chan[i]))
            return false;
    return true;
}

/* Mutators parked; the consumers must catch up. */
static void quiesce_check(int round)
{
    int64_t deadline;
    int i;
    atomic_store(&soak.pause, 1);
    while (atomic_load(&soak.paused) < MUTATORS)
        vt_sleep_ms(1);
    deadline = vt_now_ns() + QUIESCE_SECONDS * VT_SEC;
    while (!all_settled() && vt_now_ns() < deadline)
        vt_sleep_ms(5);
    if (!all_settled()) {
        soak_fail(&soak.fig.lost, "round %d: tokens left unread with every registration "
                  "in place (a lost event):", round);
        for (i = 0; i < SOAK_CHANS; i++)
            soak_chan_report(&soak.chan[i]);
    }
    atomic_store(&soak.pause, 0);
}

static void check_stats(const struct vepoll_stats *s, const char *what)
{
    if (s->enqueue_attempts < s->dedupe_hits)
        soak_fail(&soak.fig.bad, "%s stats: %llu attempts < %llu dedupe hits", what,
                  (unsigned long long)s->enqueue_attempts,
                  (unsigned long long)s->dedupe_hits);
}

static void sample_stats(void)
{
    struct vepoll_stats s;
    int i;
    for (i = 0; i < SOAK_INNERS; i++)
        if (!vepoll_get_stats(soak.inner[i], &s))
            check_stats(&s, "inner");
    if (!vepoll_get_stats(NULL, &s))
        check_stats(&s, "process");
}

/* After every thread is gone: the statistics add up, everything is closed,
 * and the allocator has nothing alive. */
static void finish(struct vepoll_stats *total)
{
    vepoll_t *eps[] = {soak.top, soak.outer, soak.inner[0], soak.inner[1], soak.sweep};
    struct vepoll_stats s, sum = {0}, g0;
    size_t i;
    for (i = 0; i < SOAK_CHANS; i++) {
        soak_chan_close(&soak.chan[i], false);
        soak_chan_destroy(&soak.chan[i]);
    }
    for (i = 0; i < sizeof(eps) / sizeof(eps[0]); i++) {
        vepoll_get_stats(eps[i], &s);
        check_stats(&s, "instance");
        sum.enqueue_attempts += s.enqueue_attempts;
        sum.dedupe_hits += s.dedupe_hits;
        sum.stale_generation_drops += s.stale_generation_drops;
        sum.empty_dequeues += s.empty_dequeues;
    }
    vepoll_get_stats(NULL, &g0);
    for (i = 0; i < sizeof(eps) / sizeof(eps[0]); i++)
        if (vepoll_close(eps[i]) != 0)
            soak_fail(&soak.fig.bad, "final vepoll_close failed");
    vepoll_get_stats(NULL, total);
    check_stats(total, "final process");
    if (g0.enqueue_attempts < sum.enqueue_attempts || g0.dedupe_hits < sum.dedupe_hits ||
        g0.stale_generation_drops < sum.stale_generation_drops ||
        g0.empty_dequeues < sum.empty_dequeues)
        soak_fail(&soak.fig.bad, "process stats below the sum of the live instances'");
    if (total->enqueue_attempts < g0.enqueue_attempts || total->dedupe_hits < g0.dedupe_hits ||
        total->stale_generation_drops < g0.stale_generation_drops ||
        total->empty_dequeues < g0.empty_dequeues)
        soak_fail(&soak.fig.bad, "process stats went down when instances closed");
    if (!total->enqueue_attempts || !total->dedupe_hits || !total->stale_generation_drops ||
        !total->empty_dequeues)
        soak_fail(&soak.fig.bad, "a statistic never moved: the workload missed a path");
}

#define FIG(x) ((unsigned long long)atomic_load(&soak.fig.x))

int main(int argc, char **argv)
{
    pthread_t prod[PRODUCERS], cons[CONSUMERS], churn, closer, intr, vclose, sweeper,
        vwait[SOAK_VICTIMS];
    static const unsigned cons_inst[CONSUMERS] = {0, 1, 2, 3, 3};
    struct vepoll_stats total;
    int64_t seconds = argc > 1 ? atoll(argv[1]) : 60, start, end;
    int round = 0, i, rc, joined;
    bool ok;

    if (seconds <= 0) {
        fprintf(stderr, "usage: %s SECONDS\n", argv[0]);
        return 2;
    }
    if ((rc = vt_alloc_install()) != 0 || (rc = build()) != 0) {
        fprintf(stderr, "soak: setup failed: %d\n", rc);
        return 1;
    }
    printf("soak: %lld s, %d channels (pipe, eventfd, socket pair, plain source; LT, ET, "
           "ONESHOT), nesting 3 deep, %d EXCLUSIVE victims\n",
           (long long)seconds, SOAK_CHANS, SOAK_VICTIMS);
    fflush(stdout);
    for (i = 0; i < PRODUCERS; i++)
        pthread_create(&prod[i], NULL, soak_producer, (void *)(uintptr_t)i);
    for (i = 0; i < CONSUMERS; i++)
        pthread_create(&cons[i], NULL, soak_consumer, (void *)(uintptr_t)cons_inst[i]);
    for (i = 0; i < SOAK_VICTIMS; i++)
        pthread_create(&vwait[i], NULL, soak_victim_waiter, &soak.victim[i]);
    pthread_create(&churn, NULL, soak_churner, NULL);
    pthread_create(&closer, NULL, soak_closer, NULL);
    pthread_create(&intr, NULL, soak_interrupter, NULL);
    pthread_create(&vclose, NULL, soak_victim_closer, NULL);
    pthread_create(&sweeper, NULL, soak_sweeper, NULL);

    start = vt_now_ns();
    end = start + seconds * VT_SEC;
    while (vt_now_ns() < end) {
        int64_t round_end = vt_now_ns() + ROUND_SECONDS * VT_SEC;
        if (round_end > end)
            round_end = end;
        while (vt_now_ns() < round_end) {
            sample_stats();
            vt_sleep_ms(100);
        }
        quiesce_check(++round);
        printf("soak: round %d: %llu ops, %llu tokens written, %llu read by consumers\n",
               round, FIG(ops), FIG(tokens_written), FIG(tokens_read));
        fflush(stdout);
    }

    atomic_store(&soak.stop, 1);
    for (i = 0; i < PRODUCERS; i++)
        pthread_join(prod[i], NULL);
    pthread_join(churn, NULL);
    pthread_join(closer, NULL);
    pthread_join(vclose, NULL);
    pthread_join(sweeper, NULL);
    pthread_join(intr, NULL);
    /* Consumers may be blocked forever: interrupt until all are back. */
    for (joined = 0; joined < CONSUMERS; joined++) {
        while (pthread_tryjoin_np(cons[joined], NULL) != 0) {
            for (i = 0; i < SOAK_INNERS; i++)
                vepoll_interrupt(soak.inner[i]);
            vepoll_interrupt(soak.outer);
            vepoll_interrupt(soak.top);
            vt_sleep_ms(1);
        }
    }
    soak_victims_stop();
    for (i = 0; i < SOAK_VICTIMS; i++)
        pthread_join(vwait[i], NULL);
    finish(&total);

    printf("soak: %llu operations, %llu tokens written, %llu read by consumers + %llu "
           "drained at closes, %llu waits, %llu events, %llu EINTR\n",
           FIG(ops), FIG(tokens_written), FIG(tokens_read), FIG(tokens_drained), FIG(waits),
           FIG(events), FIG(eintr));
    printf("soak: %llu ctl churn, %llu re-arms, %llu object closes, %llu instance closes "
           "(%llu blocked waiters got EBADF), %llu interrupts, %llu sweep-instance DEL+ADD\n",
           FIG(churn), FIG(mods), FIG(source_closes), FIG(instance_closes),
           FIG(ebadf_waiters), FIG(interrupts), FIG(sweeps_driven));
    printf("soak: stats: %llu enqueue attempts, %llu dedupe hits, %llu stale drops, "
           "%llu empty dequeues\n",
           (unsigned long long)total.enqueue_attempts, (unsigned long long)total.dedupe_hits,
           (unsigned long long)total.stale_generation_drops,
           (unsigned long long)total.empty_dequeues);
    printf("soak: memory: %ld blocks / %ld bytes alive at the end (start: 0), %ld allocations, "
           "%ld bad frees\n",
           atomic_load(&vt_alloc.live), atomic_load(&vt_alloc.live_bytes),
           atomic_load(&vt_alloc.allocs), atomic_load(&vt_alloc.bad_frees));
    if (atomic_load(&vt_alloc.live) || atomic_load(&vt_alloc.live_bytes) ||
        atomic_load(&vt_alloc.bad_frees))
        soak_fail(&soak.fig.bad, "memory is not back to its start");
    if (FIG(tokens_written) != FIG(tokens_read) + FIG(tokens_drained))
        soak_fail(&soak.fig.lost, "%llu tokens written, %llu taken",
                  FIG(tokens_written), FIG(tokens_read) + FIG(tokens_drained));
    ok = !FIG(lost) && !FIG(stale) && !FIG(bad);
    printf("soak: %llu lost, %llu stale, %llu other violations: %s\n", FIG(lost), FIG(stale),
           FIG(bad), ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
