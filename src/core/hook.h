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

#endif
