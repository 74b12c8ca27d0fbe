/*
 * The soak's workers: producers, consumers, ctl churn, closes of objects,
 * interrupts.  Every loop runs until soak.stop; the mutators (everything
 * but consumers and the interrupter) stop at soak_pause_point while the
 * main thread checks that the consumers catch up (main.c).  The locks and
 * the staleness clock are described in soak.h.
 *
 * Consumers wait on one of four instances: E0, E1 (the channels' homes), O
 * (holds E0 with IN, E1 with IN|ET) or T (holds O): 1, 2 or 3 levels above
 * the objects.  An event for an instance is followed down with zero-timeout
 * waits; an event for a channel drains it (and re-arms a ONESHOT one).
 * Timeouts are drawn from 0, 1 ms, 10 ms, 200 ms and forever, so they race
 * with posts and interrupts, and E1 spins before it parks.
 */
#include "soak.h"

#include <errno.h>
#include <sched.h>
#include <time.h>

#include "vtest.h"

/* Instance index -> instance: 0, 1 = E0, E1; 2 = O; 3 = T. */
static vepoll_t *instance(unsigned idx)
{
    if (idx < SOAK_INNERS)
        return soak.inner[idx];
    return idx == SOAK_INNERS ? soak.outer : soak.top;
}

void soak_pause_point(void)
{
    if (!atomic_load(&soak.pause))
        return;
    atomic_fetch_add(&soak.paused, 1);
    while (atomic_load(&soak.pause) && !atomic_load(&soak.stop))
        vt_sleep_ms(1);
    atomic_fetch_sub(&soak.paused, 1);
}

void *soak_producer(void *arg)
{
    uint64_t rng = (uintptr_t)arg * 7919 + 1;
    unsigned i = 0;
    while (!atomic_load(&soak.stop)) {
        struct soak_chan *c = &soak.chan[soak_rand(&rng) % SOAK_CHANS];
        soak_pause_point();
        if (soak_chan_write_token(c))
            atomic_fetch_add(&soak.fig.tokens_written, 1);
        atomic_fetch_add(&soak.fig.ops, 1);
        if (++i % 16 == 0)
            sched_yield();
    }
    return NULL;
}

static void check_bits(uint64_t cookie, uint32_t events)
{
    uint32_t allowed = (cookie & SOAK_COOKIE_INST) ? VEPOLL_IN
                                                  : VEPOLL_IN | VEPOLL_ERR | VEPOLL_HUP;
    if (!events || (events & ~allowed))
        soak_fail(&soak.fig.bad, "event %016llx with bits %#x",
                  (unsigned long long)cookie, events);
}

/* Follows one event down to its channel. */
static void dispatch(const struct vepoll_event *ev, uint64_t snapshot, int depth)
{
    uint64_t cookie = ev->data.u64;
    check_bits(cookie, ev->events);
    atomic_fetch_add(&soak.fig.events, 1);
    if (cookie & SOAK_COOKIE_INST) {
        struct vepoll_event inner[8];
        unsigned idx = (unsigned)(cookie & 0xff);
        int n, i;
        if (idx >= SOAK_INNERS + 1 || depth > 3) {
            soak_fail(&soak.fig.bad, "instance cookie %016llx", (unsigned long long)cookie);
            return;
        }
        n = vepoll_wait(instance(idx), inner, 8, 0);
        if (n < 0 && n != -EINTR)
            soak_fail(&soak.fig.bad, "wait(%u, 0) gave %d", idx, n);
        for (i = 0; i < n; i++)
            dispatch(&inner[i], snapshot, depth + 1);
        return;
    }
    if ((cookie >> SOAK_GEN_BITS) >= SOAK_CHANS) {
        soak_fail(&soak.fig.bad, "channel cookie %016llx", (unsigned long long)cookie);
        return;
    }
    soak_chan_consume(&soak.chan[cookie >> SOAK_GEN_BITS],
                      cookie & ((UINT64_C(1) << SOAK_GEN_BITS) - 1), snapshot);
}

void *soak_consumer(void *arg)
{
    static const int64_t timeouts[] = {0, VT_MS, 10 * VT_MS, 200 * VT_MS, -1};
    unsigned idx = (unsigned)(uintptr_t)arg;
    uint64_t rng = idx * 104729 + 3;
    vepoll_t *ep = instance(idx);
    while (!atomic_load(&soak.stop)) {
        struct vepoll_event ev[8];
        int64_t timeout = timeouts[soak_rand(&rng) % 5];
        uint64_t snapshot = atomic_load(&soak.seq);
        int n = vepoll_wait(ep, ev, 1 + (int)(soak_rand(&rng) % 8), timeout);
        int i;
        atomic_fetch_add(&soak.fig.waits, 1);
        if (n == -EINTR) {
            atomic_fetch_add(&soak.fig.eintr, 1);
            continue;
        }
        if (n < 0 || (n == 0 && timeout < 0)) {
            soak_fail(&soak.fig.bad, "wait(%u, %lld) gave %d", idx, (long long)timeout, n);
            continue;
        }
        for (i = 0; i < n; i++)
            dispatch(&ev[i], snapshot, 0);
    }
    return NULL;
}

void *soak_churner(void *arg)
{
    uint64_t rng = 15485863;
    (void)arg;
    while (!atomic_load(&soak.stop)) {
        uint32_t r = soak_rand(&rng);
        soak_pause_point();
        soak_chan_churn(&soak.chan[r % SOAK_CHANS], (int)(r >> 8) % 3);
        atomic_fetch_add(&soak.fig.churn, 1);
        atomic_fetch_add(&soak.fig.ops, 1);
        vt_sleep_ns(100 * 1000);
    }
    return NULL;
}

/* Final closes of objects while everything else runs, each followed by a
 * new incarnation of the channel. */
void *soak_closer(void *arg)
{
    uint64_t rng = 32452843;
    (void)arg;
    while (!atomic_load(&soak.stop)) {
        soak_pause_point();
        soak_chan_close(&soak.chan[soak_rand(&rng) % SOAK_CHANS], true);
        atomic_fetch_add(&soak.fig.source_closes, 1);
        atomic_fetch_add(&soak.fig.ops, 1);
        vt_sleep_ms(20);
    }
    return NULL;
}

void *soak_interrupter(void *arg)
{
    uint64_t rng = 49979687;
    (void)arg;
    while (!atomic_load(&soak.stop)) {
        vepoll_interrupt(instance(soak_rand(&rng) % (SOAK_INNERS + 2)));
        atomic_fetch_add(&soak.fig.interrupts, 1);
        atomic_fetch_add(&soak.fig.ops, 1);
        vt_sleep_ns((1 + soak_rand(&rng) % 4) * VT_MS);
    }
    return NULL;
}
