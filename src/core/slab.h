/*
 * Slab: fixed-size objects carved from chunks that come from the allocator
 * hook (vepoll_set_allocator), with no per-object allocation header.  One
 * slab per owner: each instance keeps its registrations in one.  (A source,
 * 40 bytes, is one 48-byte glibc chunk already: it gains nothing from one.)
 *
 * Layout
 * ------
 * A chunk is one allocation: a 16-byte header {owner, number, slots} and
 * then its slots, `size` bytes each.  Chunks grow geometrically with the
 * slab (4, 4, 8, 16, ... up to VEPOLL__SLAB_MAX_SLOTS slots: always a
 * power of two), so a small owner pays for a few slots and a big one for
 * ~one header and one directory entry per 2048 objects.  Every object has a slot number (< 4096) that the caller keeps
 * in spare bits of the object itself; with it, the object finds its chunk
 * header without any lookup (vepoll__slab_chunk_of), so a registration
 * knows its instance without a pointer field.  A 32-bit *handle* names an
 * object within its slab: chunk number << 12 | slot
 * (vepoll__slab_handle / vepoll__slab_at); the ready queue and the table
 * link registrations by handle (4 bytes, not 8).
 *
 * The per-chunk bookkeeping (live count, free list, list of chunks with
 * room) lives in the slab's directory, not in the chunk header, so the
 * header that producers read stays constant and is never written while
 * the chunk lives.
 *
 * A chunk whose last object goes is freed, except for one empty chunk kept
 * while the slab still has other objects (so an ADD/DEL pair at a chunk
 * boundary does not allocate and free every time); when the slab has no
 * object left, every chunk and the directory go back to the allocator, so
 * vepoll_set_allocator sees no live block once every object is gone.
 *
 * Concurrency: none here.  Every call runs under the owner's lock (the
 * instance's token);
 * vepoll__slab_chunk_of and vepoll__slab_handle may run on any thread that
 * may touch the object, since the header they read is written once, before
 * the chunk's first object is handed out (and published by the caller's
 * own release of that object).
 */
#ifndef VEPOLL_SLAB_H
#define VEPOLL_SLAB_H

#include <stddef.h>
#include <stdint.h>

#define VEPOLL__SLAB_SLOT_BITS 12
#define VEPOLL__SLAB_SLOT_MASK ((1u << VEPOLL__SLAB_SLOT_BITS) - 1)
/* Slots per chunk at most: 2048 (a full chunk of 40-byte objects is 20
 * pages with its header, under glibc's default mmap threshold). */
#define VEPOLL__SLAB_MAX_SLOTS 2048u
/* Chunk numbers: handle + 1 (a link) never wraps to 0. */
#define VEPOLL__SLAB_MAX_CHUNKS ((1u << (32 - VEPOLL__SLAB_SLOT_BITS)) - 1)

struct vepoll__slab_chunk {
    void *owner;     /* the slab's owner (constant) */
    uint32_t no;     /* its number in the directory (constant) */
    uint32_t nslots; /* constant */
    /* the slots follow: 16-byte header, so 8-byte aligned slots */
};

/* 24 bytes: slot counts fit 16 bits (< 4096). */
struct vepoll__slab_dir {
    struct vepoll__slab_chunk *chunk; /* NULL: a vacant number */
    uint16_t live;                    /* objects in use */
    uint16_t free;                    /* first freed slot + 1, 0: none */
    uint16_t fresh;                   /* slots never handed out start here */
    uint32_t prev, next;              /* list of chunks with room (no + 1);
                                       * vacant numbers chain through next */
};

struct vepoll__slab {
    struct vepoll__slab_dir *dir;
    uint32_t ndir;    /* numbers in use or vacant (high-water mark) */
    uint32_t cap;     /* directory entries allocated */
    uint32_t room;    /* first chunk with a free slot: no + 1, 0: none */
    uint32_t vacant;  /* first vacant number + 1 */
    uint32_t spare;   /* the empty chunk kept: no + 1, 0: none */
    uint32_t size;    /* object size: a multiple of 8 */
    uint64_t slots;   /* slots of all chunks */
    uint64_t live;    /* objects in use */
    void *owner;
};

void vepoll__slab_init(struct vepoll__slab *s, size_t size, void *owner);
/* A zeroed object and its slot number; NULL when the allocator fails (a
 * grown directory stays: capacity, nothing else changes). */
void *vepoll__slab_get(struct vepoll__slab *s, unsigned *slot);
/* Gives obj (at `slot`) back.  Once the last object is back the slab holds
 * no memory at all: there is nothing to destroy. */
void vepoll__slab_put(struct vepoll__slab *s, void *obj, unsigned slot);

static inline struct vepoll__slab_chunk *
vepoll__slab_chunk_of(const void *obj, unsigned slot, size_t size)
{
    return (struct vepoll__slab_chunk *)(uintptr_t)((const char *)obj -
                                                    (size_t)slot * size) -
           1;
}

static inline uint32_t vepoll__slab_handle(const void *obj, unsigned slot,
                                           size_t size)
{
    return vepoll__slab_chunk_of(obj, slot, size)->no << VEPOLL__SLAB_SLOT_BITS |
           slot;
}

/* Under the owner's lock: the object a handle names. */
static inline void *vepoll__slab_at(const struct vepoll__slab *s, uint32_t h)
{
    return (char *)(s->dir[h >> VEPOLL__SLAB_SLOT_BITS].chunk + 1) +
           (size_t)(h & VEPOLL__SLAB_SLOT_MASK) * s->size;
}

#endif
