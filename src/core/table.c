/* Registration table (see table.h). */
#include "table.h"

#include <errno.h>
#include <stdint.h>

#include "registration.h"
#include "vepoll_core.h"

#define FIRST_BUCKETS 8
#define MAX_LOAD 2 /* entries per bucket before the table doubles */

static size_t hash(const struct vepoll_source *src, int fd, size_t nb)
{
    uint64_t h = (uint64_t)(uintptr_t)src ^ ((uint64_t)(uint32_t)fd << 32);
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    return (size_t)h & (nb - 1);
}

void vepoll__table_init(struct vepoll__table *t, const struct vepoll__slab *slab)
{
    t->buckets = NULL;
    t->nb = t->count = 0;
    t->slab = slab;
}

static struct vepoll__reg *at(const struct vepoll__table *t, unsigned int link)
{
    return vepoll__reg_at(t->slab, link);
}

struct vepoll__reg *vepoll__table_find(const struct vepoll__table *t,
                                       const struct vepoll_source *src, int fd)
{
    struct vepoll__reg *r;
    if (!t->count)
        return NULL;
    for (r = at(t, t->buckets[hash(src, fd, t->nb)]); r; r = at(t, r->hnext))
        if (r->src == src && r->fd == fd)
            return r;
    return NULL;
}

int vepoll__table_reserve(struct vepoll__table *t)
{
    size_t nnb, i;
    unsigned int *nbk;
    if (t->count + 1 <= t->nb * MAX_LOAD)
        return 0;
    nnb = t->nb ? t->nb * 2 : FIRST_BUCKETS;
    if (nnb > SIZE_MAX / sizeof(*nbk))
        return -ENOMEM;
    nbk = vepoll__calloc(nnb * sizeof(*nbk));
    if (!nbk)
        return -ENOMEM;
    for (i = 0; i < t->nb; i++) {
        unsigned int link = t->buckets[i];
        while (link) { /* move every entry of the chain to its new bucket */
            struct vepoll__reg *r = at(t, link);
            unsigned int next = r->hnext;
            size_t b = hash(r->src, r->fd, nnb);
            r->hnext = nbk[b];
            nbk[b] = link;
            link = next;
        }
    }
    vepoll__free(t->buckets, t->nb * sizeof(*nbk));
    t->buckets = nbk;
    t->nb = nnb;
    return 0;
}

void vepoll__table_insert(struct vepoll__table *t, struct vepoll__reg *r)
{
    size_t b = hash(r->src, r->fd, t->nb);
    r->hnext = t->buckets[b];
    t->buckets[b] = vepoll__reg_link(r);
    t->count++;
}

void vepoll__table_remove(struct vepoll__table *t, struct vepoll__reg *r)
{
    unsigned int *link = &t->buckets[hash(r->src, r->fd, t->nb)];
    while (at(t, *link) != r)
        link = &at(t, *link)->hnext;
    *link = r->hnext;
    t->count--;
}

struct vepoll__reg *vepoll__table_next(const struct vepoll__table *t,
                                       size_t *cursor, struct vepoll__reg *prev)
{
    if (prev && prev->hnext)
        return at(t, prev->hnext);
    for (; *cursor < t->nb; ++*cursor)
        if (t->buckets[*cursor])
            return at(t, t->buckets[(*cursor)++]);
    return NULL;
}

struct vepoll__reg *vepoll__table_drain(struct vepoll__table *t, size_t *cursor)
{
    for (; t->count && *cursor < t->nb; ++*cursor) {
        unsigned int link = t->buckets[*cursor];
        if (link) {
            struct vepoll__reg *r = at(t, link);
            t->buckets[*cursor] = r->hnext;
            t->count--;
            return r;
        }
    }
    return NULL;
}

void vepoll__table_destroy(struct vepoll__table *t)
{
    vepoll__free(t->buckets, t->nb * sizeof(*t->buckets));
    t->buckets = NULL;
    t->nb = t->count = 0;
}
