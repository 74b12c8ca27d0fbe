/*
 * Slab (see slab.h).  Not concurrent: every call runs under the owner's
 * lock.  Under AddressSanitizer a slot that is not handed out is poisoned,
 * so a use after vepoll__slab_put is still reported as one.
 */
#include "slab.h"

#include <string.h>

#include "vepoll_core.h"

#if defined(__SANITIZE_ADDRESS__)
#define SLAB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLAB_ASAN 1
#endif
#endif
#ifdef SLAB_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define MIN_SLOTS 4u
#define NONE 0u

void vepoll__slab_init(struct vepoll__slab *s, size_t size, void *owner)
{
    memset(s, 0, sizeof(*s));
    s->size = (uint32_t)size;
    s->owner = owner;
}

static char *slot_at(const struct vepoll__slab *s,
                     const struct vepoll__slab_chunk *c, unsigned slot)
{
    return (char *)(uintptr_t)(c + 1) + (size_t)slot * s->size;
}

static size_t chunk_bytes(const struct vepoll__slab *s, uint32_t nslots)
{
    return sizeof(struct vepoll__slab_chunk) + (size_t)nslots * s->size;
}

/* ---- the list of chunks with room (numbers + 1) ---------------------------- */

static void room_add(struct vepoll__slab *s, uint32_t no)
{
    struct vepoll__slab_dir *d = &s->dir[no];
    d->prev = NONE;
    d->next = s->room;
    if (s->room)
        s->dir[s->room - 1].prev = no + 1;
    s->room = no + 1;
}

static void room_remove(struct vepoll__slab *s, uint32_t no)
{
    struct vepoll__slab_dir *d = &s->dir[no];
    if (d->prev)
        s->dir[d->prev - 1].next = d->next;
    else
        s->room = d->next;
    if (d->next)
        s->dir[d->next - 1].prev = d->prev;
}

static int has_room(const struct vepoll__slab_dir *d)
{
    return d->free || d->fresh < d->chunk->nslots;
}

/* ---- chunks ------------------------------------------------------------------ */

/* A chunk number: a vacant one, or the next one, growing the directory. */
static int take_number(struct vepoll__slab *s, uint32_t *no)
{
    struct vepoll__slab_dir *nd;
    uint32_t ncap;
    if (s->vacant) {
        *no = s->vacant - 1;
        s->vacant = s->dir[*no].next;
        return 0;
    }
    if (s->ndir == VEPOLL__SLAB_MAX_CHUNKS)
        return -1;
    if (s->ndir == s->cap) {
        ncap = s->cap ? s->cap * 2 : 4;
        if (ncap > VEPOLL__SLAB_MAX_CHUNKS)
            ncap = VEPOLL__SLAB_MAX_CHUNKS;
        nd = vepoll__alloc((size_t)ncap * sizeof(*nd));
        if (!nd)
            return -1;
        if (s->ndir)
            memcpy(nd, s->dir, (size_t)s->ndir * sizeof(*nd));
        vepoll__free(s->dir, (size_t)s->cap * sizeof(*nd));
        s->dir = nd;
        s->cap = ncap;
    }
    *no = s->ndir++;
    return 0;
}

/* A number goes back; with no chunk left, the directory goes too (so an
 * empty slab holds no memory, whatever failed on the way). */
static void give_number(struct vepoll__slab *s, uint32_t no)
{
    s->dir[no].chunk = NULL;
    s->dir[no].next = s->vacant;
    s->vacant = no + 1;
    if (!s->slots) {
        vepoll__free(s->dir, (size_t)s->cap * sizeof(*s->dir));
        s->dir = NULL;
        s->ndir = s->cap = 0;
        s->vacant = NONE;
    }
}

/* A new chunk with room: the largest power of two of slots up to the
 * slab's size so far, between MIN_SLOTS and VEPOLL__SLAB_MAX_SLOTS (so
 * chunk sizes form a fixed series, whatever was freed before): 0, or -1
 * when the allocator fails. */
static int grow(struct vepoll__slab *s)
{
    uint32_t n = MIN_SLOTS;
    struct vepoll__slab_chunk *c;
    struct vepoll__slab_dir *d;
    uint32_t no;
    while (n < VEPOLL__SLAB_MAX_SLOTS && (uint64_t)n * 2 <= s->slots)
        n *= 2;
    if (take_number(s, &no))
        return -1;
    c = vepoll__alloc(chunk_bytes(s, n));
    if (!c) {
        give_number(s, no);
        return -1;
    }
    c->owner = s->owner;
    c->no = no;
    c->nslots = n;
    POISON(slot_at(s, c, 0), (size_t)n * s->size);
    d = &s->dir[no];
    d->chunk = c;
    d->live = 0;
    d->free = NONE;
    d->fresh = 0;
    room_add(s, no);
    s->slots += n;
    return 0;
}

static void release(struct vepoll__slab *s, uint32_t no)
{
    struct vepoll__slab_chunk *c = s->dir[no].chunk;
    uint32_t n = c->nslots;
    room_remove(s, no);
    s->slots -= n;
    give_number(s, no);
    UNPOISON(slot_at(s, c, 0), (size_t)n * s->size);
    vepoll__free(c, chunk_bytes(s, n));
}

/* ---- objects ----------------------------------------------------------------- */

void *vepoll__slab_get(struct vepoll__slab *s, unsigned *slot)
{
    struct vepoll__slab_dir *d;
    uint32_t no;
    char *obj;
    if (!s->room && grow(s))
        return NULL;
    no = s->room - 1;
    d = &s->dir[no];
    if (d->free) {
        uint16_t next;
        *slot = d->free - 1;
        obj = slot_at(s, d->chunk, *slot);
        UNPOISON(obj, s->size);
        memcpy(&next, obj, sizeof(next)); /* the free list runs through slots */
        d->free = next;
    } else {
        *slot = d->fresh++;
        obj = slot_at(s, d->chunk, *slot);
        UNPOISON(obj, s->size);
    }
    d->live++;
    s->live++;
    if (s->spare == no + 1)
        s->spare = NONE;
    if (!has_room(d))
        room_remove(s, no);
    memset(obj, 0, s->size);
    return obj;
}

void vepoll__slab_put(struct vepoll__slab *s, void *obj, unsigned slot)
{
    uint32_t no = vepoll__slab_chunk_of(obj, slot, s->size)->no;
    struct vepoll__slab_dir *d = &s->dir[no];
    int was_full = !has_room(d);
    memcpy(obj, &d->free, sizeof(d->free));
    POISON(obj, s->size);
    d->free = (uint16_t)(slot + 1);
    d->live--;
    s->live--;
    if (was_full)
        room_add(s, no);
    if (!d->live) {
        if (s->live && !s->spare)
            s->spare = no + 1; /* kept for the next get */
        else
            release(s, no);
    }
    if (!s->live && s->spare) {
        uint32_t sp = s->spare - 1;
        s->spare = NONE;
        release(s, sp);
    }
}
