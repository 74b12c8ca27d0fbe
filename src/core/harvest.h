/*
 * Harvest: turn queued registrations into events, and the queue upkeep that
 * goes with it (see harvest.c).  Everything here runs under the instance
 * mutex.
 */
#ifndef VEPOLL_HARVEST_H
#define VEPOLL_HARVEST_H

#include <stdint.h>

#include "vepoll.h"

struct vepoll;
struct vepoll__reg;

/* Fills at most maxevents entries and returns the count. */
int vepoll__harvest(struct vepoll *ep, struct vepoll_event *events,
                    int maxevents);

/*
 * The "leave the queue" step, for r (of ep, not DEAD) just taken out of the
 * private FIFO: clear r's ENQUEUED (take), bump the source's dedupe
 * version right after it (source.h: this ended "r is queued"; its locked
 * RMW is also the take's fence, registration.h), then re-check r's
 * readiness through depth levels of nesting, so a producer event that races
 * with it queues r again and nothing is lost.  Returns what r reports now;
 * 0 is an empty dequeue (counted).  When something is there:
 *  - keep (level-triggered, or a poll that must not consume): r is claimed
 *    again and *requeue says whether the caller must put it back into the
 *    private FIFO (0: a racing producer has pushed it already);
 *  - otherwise the caller reports it, and a ONESHOT r is disarmed here (mask
 *    cut to its flag bits: nothing, not even HUP, until MOD).
 */
uint32_t vepoll__harvest_leave(struct vepoll *ep, struct vepoll__reg *r,
                               int depth, int keep, int *requeue);

/* A DEAD entry taken out of the ready queue, counted as a stale drop, is
 * freed or retired (retire.h: vepoll__retire_or_free). */
void vepoll__harvest_drop_dead(struct vepoll *ep, struct vepoll__reg *r);
/* Drops every DEAD entry still in the ready queue. */
void vepoll__harvest_sweep_dead(struct vepoll *ep);

#endif
