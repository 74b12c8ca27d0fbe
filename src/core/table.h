/*
 * Registration table of one instance: (source, fd) -> registration.
 * Open addressing with linear probing and backward-shift deletion (no
 * tombstones).  Not concurrent: every call runs under the instance mutex.
 * Growth is the only allocation; it happens before an insert commits, so a
 * failed ADD leaves the table as it was.
 */
#ifndef VEPOLL_TABLE_H
#define VEPOLL_TABLE_H

#include <stddef.h>

struct vepoll_source;
struct vepoll__reg;

struct vepoll__table {
    struct vepoll__reg **slots;
    size_t cap;   /* 0 or a power of two */
    size_t count;
};

struct vepoll__reg *vepoll__table_find(const struct vepoll__table *t,
                                       const struct vepoll_source *src, int fd);
/* Make room for one more entry: 0 or -ENOMEM. */
int vepoll__table_reserve(struct vepoll__table *t);
/* After a successful reserve; the key must be absent. */
void vepoll__table_insert(struct vepoll__table *t, struct vepoll__reg *r);
void vepoll__table_remove(struct vepoll__table *t, struct vepoll__reg *r);
/* Close path: empties the table one entry at a time (*cursor starts at 0);
 * no lookup may run between calls, the probe runs are left broken. */
struct vepoll__reg *vepoll__table_drain(struct vepoll__table *t, size_t *cursor);
void vepoll__table_destroy(struct vepoll__table *t);

#endif
