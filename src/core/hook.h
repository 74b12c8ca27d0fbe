/*
 * Delivering events (see hook.c): the fan-out of a source's event to its
 * registrations, and queueing a registration with the wake-ups that go with
 * it.  Lock-free; callable from any thread (the instance mutex may be held).
 */
#ifndef VEPOLL_HOOK_H
#define VEPOLL_HOOK_H

#include <stdint.h>

struct vepoll;
struct vepoll__reg;
struct vepoll_source;

/* Post `set` as an event to every registration of src (lock-free).
 * Returns 1 when every registration it reached was a plain dedupe hit (no
 * new entry, no outer instance, no exclusive walk): the caller may record
 * that for the fast path (source.h). */
int vepoll__hook_fanout(struct vepoll_source *src, uint32_t set);

/* Queue and wake for a caller that holds ep's token (ADD and MOD): r, a
 * registration of ep whose ENQUEUED bit the caller has just won, joins ep's
 * ready queue; one registered waiter is woken and ep's wake-up callback
 * runs; then the instances ep is nested in are told (Linux's
 * ep_poll_safewake).  The producers' version is hook.c's queue_and_wake. */
void vepoll__hook_queue_held(struct vepoll *ep, struct vepoll__reg *r);

#endif
