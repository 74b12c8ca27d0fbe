/* Producer hook fan-out (see hook.c). */
#ifndef VEPOLL_HOOK_H
#define VEPOLL_HOOK_H

#include <stdint.h>

struct vepoll_source;

/* Post `set` as an event to every registration of src (lock-free). */
void vepoll__hook_fanout(struct vepoll_source *src, uint32_t set);

#endif
