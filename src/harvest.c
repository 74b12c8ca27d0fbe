/*
 * Harvest (the consumer half of the ready queue), under the instance mutex.
 *
 * For each registration popped, oldest first:
 *   1. take: one CAS clears ENQUEUED and the pending bits (registration.h);
 *      from here on a producer queues it again, so nothing is lost;
 *   2. DEAD (DEL, source or instance close came first): drop and free it,
 *      counted as a stale drop; no producer can hold it (source.h);
 *   3. re-check: the source's readiness *now*, masked by the registration
 *      (ERR|HUP included unless disarmed).  Linux re-polls here too, so
 *      readiness that vanished is not reported (S024, S041, S082);
 *      nothing left -> counted as an empty dequeue;
 *   4. emit one event with all bits combined (S028);
 *   5. ONESHOT: disarm (mask reduced to the flag bits, generation bumped, so
 *      nothing, not even HUP, is queued until MOD: S055); else LT: queue it
 *      again at the tail (it goes to the inbox, which this harvest no longer
 *      looks at, so it is reported once per call: S076/S078); ET: nothing,
 *      the next producer event queues it.
 * Entries beyond maxevents stay queued, in place (S047, S057).
 */
#include "harvest.h"

#include "alloc.h"
#include "instance.h"
#include "registration.h"

int vepoll__harvest(struct vepoll *ep, struct vepoll_event *events,
                    int maxevents)
{
    int n = 0;
    vepoll__readyq_collect(&ep->q);
    while (n < maxevents) {
        struct vepoll__reg *r = vepoll__readyq_pop(&ep->q);
        unsigned int m;
        uint32_t rev;
        AO_t s;
        if (!r)
            break;
        s = vepoll__reg_take(r);
        if (s & VEPOLL__REG_DEAD) {
            vepoll__stat(ep, VEPOLL__ST_STALE);
            vepoll__free(r, sizeof(*r));
            continue;
        }
        m = vepoll__reg_events(r);
        rev = vepoll__source_poll(r->src, 0) & m & VEPOLL__EVENT_BITS;
        if (!rev) {
            vepoll__stat(ep, VEPOLL__ST_EMPTY);
            continue;
        }
        events[n].events = rev;
        events[n].data.u64 = r->data;
        n++;
        if (m & VEPOLL_ONESHOT)
            vepoll__reg_set_mask(r, m & VEPOLL__PRIVATE_BITS);
        else if (!(m & VEPOLL_ET) && vepoll__reg_claim(r, 0))
            vepoll__readyq_push(&ep->q, r);
    }
    return n;
}
