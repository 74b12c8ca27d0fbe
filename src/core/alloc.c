/*
 * Allocator hook.  Concurrency: alloc/free may run on any thread (the live
 * counter is an atomic).  vepoll_set_allocator must not race with allocation;
 * it refuses with -EBUSY while any block is alive, which catches the common
 * misuse (switching allocators with objects still around).
 */
#include "vepoll_core.h"

#include <atomic_ops.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vepoll.h"

static void *default_alloc(void *ctx, size_t size)
{
    (void)ctx;
    return malloc(size);
}

static void default_free(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    (void)size;
    free(ptr);
}

static struct vepoll_allocator allocator = {default_alloc, default_free, NULL};
static AO_t live_blocks;

void *vepoll__alloc(size_t size)
{
    void *p = allocator.alloc(allocator.ctx, size);
    if (p)
        AO_fetch_and_add1(&live_blocks);
    return p;
}

void *vepoll__calloc(size_t size)
{
    void *p = vepoll__alloc(size);
    if (p)
        memset(p, 0, size);
    return p;
}

void vepoll__free(void *ptr, size_t size)
{
    if (!ptr)
        return;
    allocator.free(allocator.ctx, ptr, size);
    AO_fetch_and_sub1(&live_blocks);
}

int vepoll_set_allocator(const struct vepoll_allocator *a)
{
    if (a && (!a->alloc || !a->free))
        return -EINVAL;
    if (AO_load_full(&live_blocks) != 0)
        return -EBUSY;
    if (a) {
        allocator = *a;
    } else {
        allocator.alloc = default_alloc;
        allocator.free = default_free;
        allocator.ctx = NULL;
    }
    return 0;
}
