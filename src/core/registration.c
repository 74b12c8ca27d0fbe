/*
 * Registration state-word transitions.  The protocol and the memory orders
 * are explained in registration.h; every CAS here is a full barrier, which
 * is what the "take before re-read" and "store mask before generation" pairs
 * rely on.
 */
#include "registration.h"

#include <errno.h>

#include "vepoll_core.h"

static AO_t watches, max_watches;

void vepoll_set_max_watches(uint64_t max)
{
    AO_store(&max_watches, (AO_t)max);
}

int vepoll__reg_new(struct vepoll__reg **out)
{
    AO_t n, max;
    do {
        n = AO_load(&watches);
        max = AO_load(&max_watches);
        if (max && n >= max)
            return -ENOSPC;
    } while (!AO_compare_and_swap_full(&watches, n, n + 1));
    *out = vepoll__calloc(sizeof(**out));
    if (*out)
        return 0;
    AO_fetch_and_sub1(&watches);
    return -ENOMEM;
}

void vepoll__reg_free(struct vepoll__reg *r)
{
    vepoll__free(r, sizeof(*r));
}

int vepoll__reg_post(struct vepoll__reg *r, uint32_t set)
{
    AO_t s = AO_load_acquire(&r->state);
    for (;;) {
        AO_t hit, ns;
        if (s & VEPOLL__REG_DEAD)
            return VEPOLL__POST_NONE;
        hit = set & vepoll__reg_events(r) & VEPOLL__EVENT_BITS;
        if (!hit)
            return VEPOLL__POST_NONE;
        ns = s | hit | VEPOLL__REG_ENQ;
        if (ns == s)
            return VEPOLL__POST_DEDUPE;
        if (AO_compare_and_swap_full(&r->state, s, ns))
            break;
        s = AO_load_acquire(&r->state);
    }
    return (s & VEPOLL__REG_ENQ) ? VEPOLL__POST_DEDUPE : VEPOLL__POST_QUEUED;
}

AO_t vepoll__reg_take(struct vepoll__reg *r)
{
    AO_t s = AO_load(&r->state);
    while (!AO_compare_and_swap_full(
        &r->state, s, s & ~(VEPOLL__PENDING_MASK | VEPOLL__REG_ENQ)))
        s = AO_load(&r->state);
    return s;
}

int vepoll__reg_claim(struct vepoll__reg *r, AO_t pending)
{
    AO_t s = AO_load(&r->state);
    for (;;) {
        if (s & (VEPOLL__REG_DEAD | VEPOLL__REG_ENQ)) {
            if (!(s & VEPOLL__REG_DEAD) &&
                (s | pending) != s &&
                !AO_compare_and_swap_full(&r->state, s, s | pending)) {
                s = AO_load(&r->state);
                continue;
            }
            return 0;
        }
        if (AO_compare_and_swap_full(&r->state, s,
                                     s | pending | VEPOLL__REG_ENQ))
            return 1;
        s = AO_load(&r->state);
    }
}

void vepoll__reg_set_mask(struct vepoll__reg *r, unsigned int events)
{
    AO_t s;
    AO_int_store_release(&r->events, events);
    do {
        s = AO_load(&r->state);
    } while (!AO_compare_and_swap_full(
        &r->state, s, (s + VEPOLL__REG_GEN_ONE) & ~VEPOLL__PENDING_MASK));
}

AO_t vepoll__reg_kill(struct vepoll__reg *r)
{
    AO_t s;
    do {
        s = AO_load(&r->state);
    } while (!AO_compare_and_swap_full(&r->state, s,
                                       (s | VEPOLL__REG_DEAD) +
                                           VEPOLL__REG_GEN_ONE));
    AO_fetch_and_sub1(&watches);
    return s;
}
