/*
 * Registration state-word transitions.  The protocol and the memory orders
 * are explained in registration.h; every RMW here is a full barrier, which
 * is what the "take before re-read" pair relies on.
 */
#include "registration.h"

#include <errno.h>

#include "vepoll_core.h"

static AO_t watches, max_watches;

void vepoll_set_max_watches(uint64_t max)
{
    AO_store(&max_watches, (AO_t)max);
}

int vepoll__reg_new(struct vepoll__slab *slab, struct vepoll__reg **out)
{
    AO_t n, max;
    unsigned slot;
    do {
        n = AO_load(&watches);
        max = AO_load(&max_watches);
        if (max && n >= max)
            return -ENOSPC;
    } while (!AO_compare_and_swap_full(&watches, n, n + 1));
    *out = vepoll__slab_get(slab, &slot);
    if (*out) {
        (*out)->state = slot << VEPOLL__REG_SLOT_SHIFT;
        return 0;
    }
    AO_fetch_and_sub1(&watches);
    return -ENOMEM;
}

void vepoll__reg_free(struct vepoll__slab *slab, struct vepoll__reg *r)
{
    vepoll__slab_put(slab, r, vepoll__reg_slot(r->state));
}

int vepoll__reg_claim(struct vepoll__reg *r)
{
    unsigned int s = AO_int_load(&r->state), o;
    for (;;) {
        if (s & (VEPOLL__REG_DEAD | VEPOLL__REG_ENQ))
            return 0;
        o = AO_int_fetch_compare_and_swap_full(&r->state, s, s | VEPOLL__REG_ENQ);
        if (o == s)
            return 1;
        s = o;
    }
}

void vepoll__reg_set_mask(struct vepoll__reg *r, unsigned int mask)
{
    unsigned int s = AO_int_load(&r->state), o;
    for (;;) {
        o = AO_int_fetch_compare_and_swap_full(
            &r->state, s, (s & ~VEPOLL__MASK_BITS) | (mask & VEPOLL__MASK_BITS));
        if (o == s)
            return;
        s = o;
    }
}

unsigned int vepoll__reg_kill(struct vepoll__reg *r)
{
    unsigned int s = AO_int_load(&r->state), o;
    while ((o = AO_int_fetch_compare_and_swap_full(&r->state, s,
                                                   s | VEPOLL__REG_DEAD)) != s)
        s = o;
    AO_fetch_and_sub1(&watches);
    return s;
}
