/*
 * Registration table of one instance: (source, fd) -> registration.
 * Chained hashing through the registrations themselves: a bucket holds the
 * link (registration.h: handle + 1) of its first entry, and each entry the
 * link of the next (`hnext`).  At most two entries per bucket on average,
 * so the table costs 2-4 bytes per registration (4-byte buckets, half to
 * full) on top of the 4-byte link inside each entry.  Not concurrent: every
 * call runs under the instance's token.  Growth is the only allocation; it
 * happens before an insert commits, so a failed ADD leaves the table as it
 * was.
 */
#ifndef VEPOLL_TABLE_H
#define VEPOLL_TABLE_H

#include <stddef.h>

struct vepoll_source;
struct vepoll__reg;
struct vepoll__slab;

struct vepoll__table {
    unsigned int *buckets;
    size_t nb;    /* 0 or a power of two */
    size_t count;
    const struct vepoll__slab *slab; /* where the links point */
};

void vepoll__table_init(struct vepoll__table *t, const struct vepoll__slab *slab);
struct vepoll__reg *vepoll__table_find(const struct vepoll__table *t,
                                       const struct vepoll_source *src, int fd);
/* Make room for one more entry: 0 or -ENOMEM. */
int vepoll__table_reserve(struct vepoll__table *t);
/* After a successful reserve; the key must be absent. */
void vepoll__table_insert(struct vepoll__table *t, struct vepoll__reg *r);
void vepoll__table_remove(struct vepoll__table *t, struct vepoll__reg *r);
/* Every entry in turn: *cursor starts at 0 and *prev at NULL; NULL at the
 * end.  The table must not change during the walk. */
struct vepoll__reg *vepoll__table_next(const struct vepoll__table *t,
                                       size_t *cursor, struct vepoll__reg *prev);
/* Close path: empties the table one entry at a time (*cursor starts at 0);
 * no lookup may run between calls. */
struct vepoll__reg *vepoll__table_drain(struct vepoll__table *t, size_t *cursor);
void vepoll__table_destroy(struct vepoll__table *t);

#endif
