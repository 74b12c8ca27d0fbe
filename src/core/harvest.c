/*
 * Harvest (the consumer half of the ready queue) and the queue's upkeep,
 * under the instance mutex.
 * It looks at no more entries than the private FIFO held when it started.
 * For each registration popped, oldest first:
 *   1. DEAD (DEL, source or instance close came first): drop it, counted
 *      as a stale drop, and free it or retire it (below).
 *   2. Level-triggered: re-check the source's readiness *now*, masked by the
 *      registration (ERR|HUP included).  Still ready: emit one event with
 *      all bits combined (S028) and move the entry to the private tail
 *      (S076/S078); it stays ENQUEUED, so producers keep deduping against it
 *      and this path needs no atomic operation at all.
 *   3. Leaving the queue (ET, ONESHOT, or LT readiness gone), followed by
 *      a bump of the source's dedupe version right after the take (source.h), since this ends
 *      "the registration is queued":
 *      take: ENQUEUED is cleared *before* the
 *      re-check, fenced by the bump (registration.h), so a producer that fires after it queues
 *      the entry again and nothing is lost; then re-check: nothing (S024,
 *      S041, S082) -> counted as an empty dequeue; LT readiness back ->
 *      queue it again; ET/ONESHOT -> emit; ONESHOT also disarms (mask reduced
 *      to the flag bits with one CAS, so nothing, not even HUP, is
 *      queued until MOD: S055).
 *   The LT entries that stay are kept in a run, in order, and spliced back
 *   behind the entries this harvest did not look at (the rotation, S076/S078).
 * Entries beyond maxevents stay queued, in place (S047, S057).
 *
 * DEAD entries still queued leave the queue only here (a harvest pops
 * them, or the sweep that DEL runs once they outnumber the live
 * registrations: instance.c), and are then freed, or retired when a grace
 * period is still owed (retire.h), since producers may hold them until
 * it ends (source.h).
 */
#include "harvest.h"

#include "instance.h"
#include "order.h"
#include "registration.h"
#include "retire.h"

/* Readiness the registration would report now (ERR|HUP are in the mask). */
static uint32_t recheck(const struct vepoll__reg *r, unsigned int m, int depth)
{
    return vepoll__source_poll(r->src, depth) & m & VEPOLL__EVENT_BITS;
}

/* The take, then the bump right after it: the bump's locked RMW is the
 * store-load fence between the take (a plain store on x86) and the
 * re-check (registration.h), and an update absorbed before the bump is
 * covered by the re-check that follows it (source.h). */
static void take_then_bump(struct vepoll__reg *r, unsigned int s)
{
    vepoll__reg_take_unfenced(r, s);
    AO_compiler_barrier(); /* the store goes before the bump, in any build */
    vepoll__source_bump(r->src);
    vepoll__fence_after_rmw(); /* the re-check's load comes after the bump */
}

/* vepoll__harvest_leave with r's state word s already loaded (under the
 * token, ENQUEUED set: nobody else writes it, registration.h).  Inline in
 * vepoll__harvest: its ET path needs no call and no second load. */
static inline uint32_t leave(struct vepoll *ep, struct vepoll__reg *r,
                             unsigned int s, int depth, int keep, int *requeue)
{
    unsigned int m = s & VEPOLL__MASK_BITS;
    uint32_t rev;
    take_then_bump(r, s);
    rev = recheck(r, m, depth);
    if (!rev)
        vepoll__stat(ep, VEPOLL__ST_EMPTY);
    else if (keep)
        *requeue = vepoll__reg_claim(r);
    else if (m & VEPOLL_ONESHOT)
        vepoll__reg_set_mask(r, m & VEPOLL__PRIVATE_BITS);
    return rev;
}

uint32_t vepoll__harvest_leave(struct vepoll *ep, struct vepoll__reg *r,
                               int depth, int keep, int *requeue)
{
    return leave(ep, r, vepoll__reg_state(r), depth, keep, requeue);
}

void vepoll__harvest_drop_dead(struct vepoll *ep, struct vepoll__reg *r)
{
    vepoll__stat(ep, VEPOLL__ST_STALE);
    if (ep->qdead)
        ep->qdead--;
    vepoll__retire_or_free(ep, r);
}

void vepoll__harvest_sweep_dead(struct vepoll *ep)
{
    struct vepoll__reg *prev = NULL, *r, *next;
    vepoll__readyq_collect(&ep->q);
    for (r = ep->q.head; r; r = next) {
        next = vepoll__readyq_next(&ep->q, r);
        if (!(vepoll__reg_state(r) & VEPOLL__REG_DEAD)) {
            prev = r;
            continue;
        }
        vepoll__readyq_unlink(&ep->q, prev, r);
        vepoll__harvest_drop_dead(ep, r);
    }
}

int vepoll__harvest(struct vepoll *ep, struct vepoll_event *events,
                    int maxevents)
{
    struct vepoll__readyq_run kept = {NULL, NULL, 0};
    struct vepoll__reg *r;
    size_t budget;
    int n = 0;
    vepoll__readyq_collect(&ep->q);
    budget = ep->q.count; /* entries kept for the tail are not seen twice */
    while (n < maxevents && budget-- && (r = vepoll__readyq_pop(&ep->q))) {
        unsigned int s = vepoll__reg_state(r), m = s & VEPOLL__MASK_BITS;
        uint32_t rev;
        int lt, keep = 0;
        if (s & VEPOLL__REG_DEAD) {
            /* DEAD is final: never reported (retire.h). */
            vepoll__harvest_drop_dead(ep, r);
            continue;
        }
        lt = !(m & (VEPOLL_ET | VEPOLL_ONESHOT));
        if (lt && (rev = recheck(r, m, 0)) != 0) {
            /* Level-triggered and still ready: report, stay queued. */
            keep = 1;
        } else {
            /* Leaving the queue (ET, ONESHOT, or LT readiness gone); LT
             * readiness that came back between the two looks is kept,
             * not reported. */
            rev = leave(ep, r, s, 0, lt, &keep);
            if (lt)
                rev = 0;
        }
        if (rev) {
            events[n].events = rev;
            events[n].data.u64 = r->data;
            n++;
        }
        if (keep)
            vepoll__readyq_run_add(&kept, r);
    }
    /* The LT rotation: what stays goes behind what was not looked at. */
    vepoll__readyq_splice(&ep->q, &kept);
    return n;
}
