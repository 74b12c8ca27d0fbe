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

#include <stddef.h>
#include <stdint.h>

#include "instance.h"

/* Longest allowed path of instances (Linux: EP_MAX_NESTS + 1). */
#define VEPOLL__MAX_NEST_PATH 5

/* -ELOOP if registering inner in outer would make a cycle or a path of
 * more than 5 instances, else 0; changes nothing. */
int vepoll__nest_check(struct vepoll *outer, struct vepoll *inner);
/* Links inner below outer in the graph: -ELOOP (a cycle or a path of more
 * than 5 instances), -ENOMEM, or 0; a failure changes nothing. */
int vepoll__nest_link(struct vepoll *outer, struct vepoll *inner);
void vepoll__nest_unlink(struct vepoll *outer, struct vepoll *inner);
/* ep now watches a kernel-descriptor source (directly or through an inner
 * instance): marks it and every instance it is nested in as kern, and wakes
 * the threads blocked on each newly marked one, so that they wait in the
 * kernel from now on (kpark.h).  Takes the nesting mutex. */
void vepoll__nest_mark_kernel(struct vepoll *ep);
/* IN|RDNORM if ep has an event to report now (Linux's ep_eventpoll_poll),
 * with ep's mutex held by the caller.  depth bounds the recursion. */
uint32_t vepoll__nest_poll_locked(struct vepoll *ep, int depth);
/* The poll callback of an instance's own source (vepoll_as_source): the
 * same, taking the instance's mutex. */
uint32_t vepoll__nest_poll_source(const struct vepoll_source *src, int depth);

/* The instance a source stands for, or NULL for a plain source. */
static inline struct vepoll *vepoll__nest_owner(const struct vepoll_source *src)
{
    if (!vepoll__source_computed(src))
        return NULL; /* the only computed sources are instances' own */
    return (struct vepoll *)((char *)src - offsetof(struct vepoll, self));
}

#endif
