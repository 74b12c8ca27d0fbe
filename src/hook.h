/* Producer hook fan-out (see hook.c). */
#ifndef VEPOLL_HOOK_H
#define VEPOLL_HOOK_H

#include <stdint.h>

struct vepoll_source;

/* Post `set` as an event to every registration of src (lock-free).
 * Returns 1 when every registration it reached was a plain dedupe hit (no
 * new entry, no outer instance, no exclusive walk): the caller may record
 * that for the fast path (source.h). */
int vepoll__hook_fanout(struct vepoll_source *src, uint32_t set);

/*
 * Objects (pipe.c, eventfd.c, socketpair.c) under their mutex, or any single
 * writer of src: its readiness becomes `now`, and a wake-up with
 * Linux key `key` is delivered: every registration whose mask meets the key
 * is queued, and the harvest reports what is ready then (so a key bit that
 * is not ready queues the entry, which Linux does too, and is dropped at
 * harvest: the entry keeps its queue position if it becomes ready
 * meanwhile).  Bits that become ready are always posted as well, which the
 * ADD/producer pairing in ctl.c relies on.  This is vepoll_source_update
 * with the wake key separate from the readiness.
 */
void vepoll__source_publish(struct vepoll_source *src, uint32_t now,
                           uint32_t key);

#endif
