/*
 * The allocator hook (SQLite-style).  Every vepoll object comes from
 * vepoll__alloc/vepoll__free; the producer hook never calls either.
 * Concurrency: vepoll_set_allocator is a start-up call (-EBUSY while any
 * object is alive); the live count is an atomic so allocation itself may run
 * on any thread.
 */
#ifndef VEPOLL_ALLOC_H
#define VEPOLL_ALLOC_H

#include <stddef.h>

void *vepoll__alloc(size_t size);
void *vepoll__calloc(size_t size);
void vepoll__free(void *ptr, size_t size);

#endif
