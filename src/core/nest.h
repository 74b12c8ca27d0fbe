/*
 * Nesting: an instance registered in another one through vepoll_as_source.
 *
 * Concurrency: the graph (children/parents arrays of every instance) is
 * guarded by one global mutex, taken after an instance mutex, never before.
 * Lock order for polling is outer instance before inner instance; since
 * vepoll__nest_check refuses cycles, that order is a partial order and
 * cannot deadlock.
 */
#ifndef VEPOLL_NEST_H
#define VEPOLL_NEST_H

#include <stdint.h>

struct vepoll;

/* Longest allowed path of instances (Linux: EP_MAX_NESTS + 1). */
#define VEPOLL__MAX_NEST_PATH 5

/* -ELOOP if registering inner in outer would make a cycle or a path of
 * more than 5 instances, else 0; changes nothing. */
int vepoll__nest_check(struct vepoll *outer, struct vepoll *inner);
/* Would registering `inner` in `outer` make a cycle or a path of more than
 * 5 instances?  -ELOOP, or 0 after reserving room for the link (-ENOMEM). */
int vepoll__nest_link(struct vepoll *outer, struct vepoll *inner);
void vepoll__nest_unlink(struct vepoll *outer, struct vepoll *inner);
/* IN|RDNORM if ep has an event to report now (Linux's ep_eventpoll_poll);
 * takes ep's mutex.  depth bounds the recursion. */
uint32_t vepoll__nest_poll(struct vepoll *ep, int depth);
/* Same, with ep's mutex already held by the caller. */
uint32_t vepoll__nest_poll_locked(struct vepoll *ep, int depth);

#endif
