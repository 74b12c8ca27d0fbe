/*
 * Source: watcher list, grace periods, and creating and reading a source.
 * (The producer hook is hook.c; the final close, which has to reach into
 * instances, is instance.c.)  The concurrency contract is in source.h.
 */
#include "source.h"

#include <errno.h>
#include <sched.h>

#include "registration.h"
#include "vepoll_core.h"

#define SRC_LOCK VEPOLL__SRC_LOCK
#define SRC_EPOCH VEPOLL__SRC_EPOCH
#define SRC_KERNEL VEPOLL__SRC_KERNEL

AO_t vepoll__source_computed_poll;

static void init_words(struct vepoll_source *src, uint32_t ready,
                       unsigned int ctl)
{
    AO_int_store(&src->ready, ready);
    AO_store(&src->watchers, 0);
    AO_int_store(&src->readers[0], 0);
    AO_int_store(&src->readers[1], 0);
    AO_int_store(&src->ctl, ctl);
    AO_store(&src->ver, 0);
    AO_store(&src->sat, 0);
}

void vepoll__source_init(struct vepoll_source *src, uint32_t ready,
                         vepoll__poll_fn poll)
{
    /* Every computed source has the same callback: storing it again is
     * idempotent, and it is stored before the source can be reached. */
    if (poll)
        AO_store(&vepoll__source_computed_poll, (AO_t)poll);
    init_words(src, ready, poll ? VEPOLL__SRC_COMPUTED : 0);
}

static void backoff(unsigned *spins)
{
    if (++*spins > 64)
        sched_yield();
}

void vepoll__source_lock(struct vepoll_source *src)
{
    unsigned spins = 0;
    for (;;) {
        unsigned int c = AO_int_load(&src->ctl);
        if (!(c & SRC_LOCK) &&
            AO_int_compare_and_swap_full(&src->ctl, c, c | SRC_LOCK))
            return;
        backoff(&spins);
    }
}

void vepoll__source_unlock(struct vepoll_source *src)
{
    AO_int_and_full(&src->ctl, ~SRC_LOCK);
}

void vepoll__source_link(struct vepoll_source *src, struct vepoll__reg *r)
{
    /* Linux walks non-exclusive waiters first (added at the head) and
     * exclusive ones in registration order (added at the tail). */
    if (vepoll__reg_events(r) & VEPOLL_EXCLUSIVE) {
        volatile AO_t *link = &src->watchers;
        while (AO_load(link))
            link = &((struct vepoll__reg *)AO_load(link))->snext;
        AO_store(&r->snext, 0);
        AO_store_release(link, (AO_t)r);
    } else {
        AO_store(&r->snext, AO_load(&src->watchers));
        AO_store_release(&src->watchers, (AO_t)r);
    }
}

void vepoll__source_unlink(struct vepoll_source *src, struct vepoll__reg *r)
{
    volatile AO_t *link = &src->watchers;
    while ((struct vepoll__reg *)AO_load(link) != r)
        link = &((struct vepoll__reg *)AO_load(link))->snext;
    /* r->snext stays intact: a producer standing on r still walks on. */
    AO_store_release(link, AO_load(&r->snext));
}

static void drain(struct vepoll_source *src, unsigned idx)
{
    unsigned spins = 0;
    while (AO_int_load_full(&src->readers[idx]) != 0)
        backoff(&spins);
}

void vepoll__source_synchronize_counters(struct vepoll_source *src)
{
    /* We hold SRC_LOCK: only we change the word. */
    unsigned int c = AO_int_load(&src->ctl);
    unsigned cur;
    cur = (c & SRC_EPOCH) ? 1 : 0;
    /* Phase 1: a straggler (read the epoch before an earlier flip, counted
     * itself only afterwards) sits in the non-current counter; wait for it.
     * Nothing else enters that counter any more, so this drains. */
    drain(src, !cur);
    /* Phase 2: send new readers to the other counter, then wait for the
     * current one.  A reader that counts itself after a drain observed zero
     * loads `watchers` after our unlink and cannot reach the node. */
    /* (A full barrier after the unlink: vepoll__thr_wait_readers, which
     * follows, relies on it.) */
    AO_int_compare_and_swap_full(&src->ctl, c, c ^ SRC_EPOCH);
    drain(src, cur);
}

void vepoll__source_synchronize(struct vepoll_source *src)
{
    vepoll__source_synchronize_counters(src);
    vepoll__thr_wait_readers();
}

unsigned vepoll__source_enter_counted(struct vepoll_source *src)
{
    unsigned e = (AO_int_load(&src->ctl) & SRC_EPOCH) ? 1 : 0;
    AO_int_fetch_and_add1_full(&src->readers[e]);
    return e;
}

void vepoll__source_exit_counted(struct vepoll_source *src, unsigned epoch)
{
    AO_int_fetch_and_sub1_release(&src->readers[epoch]);
}

int vepoll_source_create(vepoll_source_t **out, uint32_t initial_ready)
{
    struct vepoll_source *src;
    if (!out)
        return -EINVAL;
    src = vepoll__alloc(sizeof(*src));
    if (!src)
        return -ENOMEM;
    init_words(src, initial_ready, 0);
    *out = src;
    return 0;
}

void vepoll__source_mark_kernel(vepoll_source_t *src)
{
    unsigned int c;
    do {
        c = AO_int_load(&src->ctl);
    } while (!AO_int_compare_and_swap_full(&src->ctl, c, c | SRC_KERNEL));
}

int vepoll__source_is_kernel(const struct vepoll_source *src)
{
    return (AO_int_load((volatile unsigned int *)&src->ctl) & SRC_KERNEL) != 0;
}

uint32_t vepoll_source_ready(const vepoll_source_t *src)
{
    if (!src)
        return 0;
    return vepoll__source_poll(src, 0);
}
