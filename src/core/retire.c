/* Retired registrations: the contract is in retire.h. */
#include "retire.h"

#include "token.h"

void vepoll__retire_push(struct vepoll *ep, struct vepoll__reg *r)
{
    r->qnext = ep->retired;
    ep->retired = vepoll__reg_link(r);
    ep->nretired++;
}

void vepoll__retire_flush(struct vepoll *ep)
{
    /* The wait comes first, and nothing joins the list until we are done
     * (the token): every entry freed below was unlinked before it. */
    vepoll__thr_wait_readers();
    while (ep->retired) {
        struct vepoll__reg *r = vepoll__reg_at(&ep->regs, ep->retired);
        ep->retired = r->qnext;
        vepoll__reg_free(&ep->regs, r);
    }
    ep->nretired = 0;
}

void vepoll__retire_or_free(struct vepoll *ep, struct vepoll__reg *r)
{
    if (!vepoll__reg_owes_grace(r)) {
        vepoll__reg_free(&ep->regs, r);
        return;
    }
    vepoll__retire_push(ep, r);
    if (ep->nretired >= VEPOLL__RETIRE_BATCH)
        vepoll__retire_flush(ep);
}
