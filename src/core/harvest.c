/*
 * Harvest (the consumer half of the ready queue), under the instance mutex.
 * It looks at no more entries than the private FIFO held when it started.
 * For each registration popped, oldest first:
 *   1. DEAD (DEL, source or instance close came first): drop and free it,
 *      counted as a stale drop; no producer can hold it (source.h).
 *   2. Level-triggered: re-check the source's readiness *now*, masked by the
 *      registration (ERR|HUP included).  Still ready: emit one event with
 *      all bits combined (S028) and move the entry to the private tail
 *      (S076/S078); it stays ENQUEUED, so producers keep deduping against it
 *      and this path needs no atomic operation at all.
 *   3. Leaving the queue (ET, ONESHOT, or LT readiness gone), inside the
 *      source's dedupe write section (source.h), since this ends "the
 *      registration is queued":
 *      take: one CAS clears ENQUEUED and the pending bits *before* the
 *      re-check (registration.h), so a producer that fires after it queues
 *      the entry again and nothing is lost; then re-check: nothing (S024,
 *      S041, S082) -> counted as an empty dequeue; LT readiness back ->
 *      queue it again; ET/ONESHOT -> emit; ONESHOT also disarms (mask reduced
 *      to the flag bits, generation bumped, so nothing, not even HUP, is
 *      queued until MOD: S055).
 * Entries beyond maxevents stay queued, in place (S047, S057).
 */
#include "harvest.h"

#include "instance.h"
#include "registration.h"

/* Readiness the registration would report now (ERR|HUP are in the mask). */
static uint32_t recheck(const struct vepoll__reg *r, unsigned int m)
{
    return vepoll__source_poll(r->src, 0) & m & VEPOLL__EVENT_BITS;
}

static void emit(struct vepoll_event *ev, const struct vepoll__reg *r,
                 uint32_t rev)
{
    ev->events = rev;
    ev->data.u64 = r->data;
}

int vepoll__harvest(struct vepoll *ep, struct vepoll_event *events,
                    int maxevents)
{
    int n = 0;
    size_t budget;
    vepoll__readyq_collect(&ep->q);
    budget = ep->q.count; /* entries moved to the tail are not seen twice */
    while (n < maxevents && budget--) {
        struct vepoll__reg *r = vepoll__readyq_pop(&ep->q);
        unsigned int m;
        uint32_t rev;
        if (AO_load(&r->state) & VEPOLL__REG_DEAD) {
            /* DEAD is final and no producer holds r (instance.c). */
            vepoll__instance_free_dead(ep, r);
            continue;
        }
        m = vepoll__reg_events(r);
        if (!(m & (VEPOLL_ET | VEPOLL_ONESHOT))) {
            /* Level-triggered and still ready: report, stay queued. */
            rev = recheck(r, m);
            if (rev) {
                emit(&events[n++], r, rev);
                vepoll__readyq_requeue_private(&ep->q, r);
                continue;
            }
        }
        /* Leaving the queue (ET, ONESHOT, or LT readiness gone): take, then
         * re-check, inside the source's dedupe write section. */
        vepoll__source_write_begin(r->src);
        vepoll__reg_take(r);
        rev = recheck(r, m);
        if (!rev) {
            vepoll__stat(ep, VEPOLL__ST_EMPTY);
        } else if (!(m & (VEPOLL_ET | VEPOLL_ONESHOT))) {
            /* LT readiness came back between the two looks: keep it. */
            if (vepoll__reg_claim(r, 0))
                vepoll__readyq_requeue_private(&ep->q, r);
        } else {
            emit(&events[n++], r, rev);
            if (m & VEPOLL_ONESHOT)
                vepoll__reg_set_mask(r, m & VEPOLL__PRIVATE_BITS);
        }
        vepoll__source_write_end(r->src);
    }
    return n;
}
