/* Registration table (see table.h). */
#include "table.h"

#include <errno.h>
#include <stdint.h>

#include "vepoll_core.h"
#include "registration.h"

static size_t hash(const struct vepoll_source *src, int fd, size_t cap)
{
    uint64_t h = (uint64_t)(uintptr_t)src ^ ((uint64_t)(uint32_t)fd << 32);
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    return (size_t)h & (cap - 1);
}

static size_t slot_of(const struct vepoll__table *t, const struct vepoll__reg *r)
{
    return hash(r->src, r->fd, t->cap);
}

struct vepoll__reg *vepoll__table_find(const struct vepoll__table *t,
                                       const struct vepoll_source *src, int fd)
{
    size_t i;
    if (!t->count)
        return NULL;
    for (i = hash(src, fd, t->cap);; i = (i + 1) & (t->cap - 1)) {
        struct vepoll__reg *r = t->slots[i];
        if (!r)
            return NULL;
        if (r->src == src && r->fd == fd)
            return r;
    }
}

static void place(struct vepoll__reg **slots, size_t cap, struct vepoll__reg *r)
{
    size_t i = hash(r->src, r->fd, cap);
    while (slots[i])
        i = (i + 1) & (cap - 1);
    slots[i] = r;
}

int vepoll__table_reserve(struct vepoll__table *t)
{
    size_t ncap, i;
    struct vepoll__reg **ns;
    if ((t->count + 1) * 4 <= t->cap * 3)
        return 0;
    ncap = t->cap ? t->cap * 2 : 8;
    if (ncap > SIZE_MAX / sizeof(*ns))
        return -ENOMEM;
    ns = vepoll__calloc(ncap * sizeof(*ns));
    if (!ns)
        return -ENOMEM;
    for (i = 0; i < t->cap; i++)
        if (t->slots[i])
            place(ns, ncap, t->slots[i]);
    vepoll__free(t->slots, t->cap * sizeof(*ns));
    t->slots = ns;
    t->cap = ncap;
    return 0;
}

void vepoll__table_insert(struct vepoll__table *t, struct vepoll__reg *r)
{
    place(t->slots, t->cap, r);
    t->count++;
}

void vepoll__table_remove(struct vepoll__table *t, struct vepoll__reg *r)
{
    size_t mask = t->cap - 1, i = slot_of(t, r), j;
    while (t->slots[i] != r)
        i = (i + 1) & mask;
    /* Backward-shift: pull later members of the probe run into the hole. */
    for (j = (i + 1) & mask; t->slots[j]; j = (j + 1) & mask) {
        size_t home = slot_of(t, t->slots[j]);
        if (((j - home) & mask) >= ((j - i) & mask)) {
            t->slots[i] = t->slots[j];
            i = j;
        }
    }
    t->slots[i] = NULL;
    t->count--;
}

struct vepoll__reg *vepoll__table_drain(struct vepoll__table *t, size_t *cursor)
{
    for (; t->count && *cursor < t->cap; ++*cursor) {
        struct vepoll__reg *r = t->slots[*cursor];
        if (r) {
            t->slots[*cursor] = NULL;
            t->count--;
            return r;
        }
    }
    return NULL;
}

void vepoll__table_destroy(struct vepoll__table *t)
{
    vepoll__free(t->slots, t->cap * sizeof(*t->slots));
    t->slots = NULL;
    t->cap = t->count = 0;
}
