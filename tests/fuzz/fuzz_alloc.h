/*
 * The counting, failing allocator both fuzz targets install with
 * vepoll_set_allocator: it counts live blocks (an input must end with none),
 * checks every free size, and, while `armed`, fails the fail_at-th
 * allocation of the armed call (every one when fail_at < 0).
 */
#ifndef VEPOLL_FUZZ_ALLOC_H
#define VEPOLL_FUZZ_ALLOC_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static struct {
    long live;
    int fail_at;   /* fail the fail_at-th allocation of the armed call; -1: all */
    int calls;     /* allocations during the armed call */
    bool armed;
    bool injected; /* an allocation failed during the armed call */
} al;

static void *al_alloc(void *ctx, size_t size)
{
    size_t *p;
    (void)ctx;
    if (al.armed) {
        al.calls++;
        if (al.fail_at < 0 || al.calls == al.fail_at) {
            al.injected = true;
            return NULL;
        }
    }
    p = malloc(size + 16);
    if (!p)
        return NULL;
    p[0] = size;
    al.live++;
    return (char *)p + 16;
}

static void al_free(void *ctx, void *ptr, size_t size)
{
    size_t *p = (size_t *)((char *)ptr - 16);
    (void)ctx;
    if (p[0] != size) {
        fprintf(stderr, "vepoll__free size %zu, allocated %zu\n", size, p[0]);
        abort();
    }
    al.live--;
    free(p);
}

#endif
