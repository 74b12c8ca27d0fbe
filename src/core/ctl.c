/*
 * vepoll_ctl: argument checks in Linux's order, then ADD / MOD / DEL.
 * Everything past the first checks runs under the instance's token, so ctl
 * calls and harvests of one instance are serialised; producers keep running
 * (lock-free) and the state-word protocol (registration.h) orders them
 * against mask changes.  Every failure returns before the first change.
 * A call that started before vepoll_close(ep) and gets the token after the
 * close's token section finds `closed` set (stored before that section) and
 * returns -EBADF: the table is gone, and nothing may outlive ep.
 */
#include <errno.h>

#include "instance.h"
#include "kwait.h"
#include "nest.h"
#include "order.h"
#include "registration.h"

#define EXCL_OK_BITS                                                          \
    (VEPOLL_IN | VEPOLL_OUT | VEPOLL_ERR | VEPOLL_HUP | VEPOLL_WAKEUP |       \
     VEPOLL_ET | VEPOLL_EXCLUSIVE)

/* Linux stores every mask with ERR|HUP: they are always reported.  Bits
 * no source can report (and that are not flags) are dropped: the mask
 * shares its word with the registration's state (registration.h). */
static unsigned int stored_mask(uint32_t events)
{
    return (events | VEPOLL_ERR | VEPOLL_HUP) & VEPOLL__MASK_BITS;
}

static int ctl_add(struct vepoll *ep, int fd, struct vepoll_source *src,
                   const struct vepoll_event *ev)
{
    struct vepoll *inner = vepoll__nest_owner(src);
    struct vepoll__reg *r;
    int rc;
    if (vepoll__table_find(&ep->table, src, fd))
        return -EEXIST;
    rc = vepoll__reg_new(&ep->regs, &r);
    if (rc)
        return rc;
    rc = vepoll__table_reserve(&ep->table);
    if (rc)
        goto err_reg;
    if (inner) {
        rc = vepoll__nest_link(ep, inner);
        if (rc)
            goto err_reg;
    }
    vepoll__reg_init_mask(r, stored_mask(ev->events));
    r->fd = fd;
    r->data = ev->data.u64;
    r->src = src;
    vepoll__table_insert(&ep->table, r);
    vepoll__source_lock(src);
    vepoll__source_link(src, r);
    vepoll__source_unlock(src);
    /* Before the evaluation: an update the fast path absorbs before the bump
     * is covered by the evaluation's look at the readiness (source.h). */
    vepoll__source_bump(src);
    /* Pairs with the hook's readiness CAS, fence, watchers load: either that
     * producer sees r, or the evaluation below sees its readiness.  (The
     * bump above is a full-barrier RMW.) */
    vepoll__fence_after_rmw();
    vepoll__instance_evaluate(ep, r);
    if (inner)
        vepoll__instance_touch_sources(inner);
    if (!AO_load(&ep->kern) &&
        (inner ? AO_load(&inner->kern) != 0 : vepoll__source_is_kernel(src)))
        vepoll__nest_mark_kernel(ep);
    return 0;
err_reg:
    vepoll__reg_kill(r); /* gives the watch back */
    vepoll__reg_free(&ep->regs, r);
    return rc;
}

static int ctl_mod(struct vepoll *ep, int fd, struct vepoll_source *src,
                   const struct vepoll_event *ev)
{
    struct vepoll__reg *r = vepoll__table_find(&ep->table, src, fd);
    if (!r)
        return -ENOENT;
    if (vepoll__reg_events(r) & VEPOLL_EXCLUSIVE)
        return -EINVAL;
    r->data = ev->data.u64;
    vepoll__reg_set_mask(r, stored_mask(ev->events));
    vepoll__source_bump(src); /* before the evaluation: see ctl_add */
    vepoll__instance_evaluate(ep, r);
    return 0;
}

static int ctl_del(struct vepoll *ep, int fd, struct vepoll_source *src)
{
    struct vepoll__reg *r = vepoll__table_find(&ep->table, src, fd);
    if (!r)
        return -ENOENT;
    vepoll__table_remove(&ep->table, r);
    vepoll__instance_detach(ep, r, VEPOLL__GRACE_DEFER);
    return 0;
}

int vepoll_ctl(vepoll_t *ep, int op, int fd, vepoll_source_t *src,
               const struct vepoll_event *ev)
{
    struct vepoll *inner;
    int rc, how;
    if (!ev && op != VEPOLL_CTL_DEL)
        return -EFAULT;
    if (!ep || !src)
        return -EBADF;
    if (src == &ep->self)
        return -EINVAL;
    /* Only ADD looks inside src: MOD and DEL use it as a key alone. */
    inner = op == VEPOLL_CTL_ADD ? vepoll__nest_owner(src) : NULL;
    if (op != VEPOLL_CTL_DEL && (ev->events & VEPOLL_EXCLUSIVE)) {
        if (op == VEPOLL_CTL_MOD)
            return -EINVAL;
        if (op == VEPOLL_CTL_ADD && (inner || (ev->events & ~EXCL_OK_BITS)))
            return -EINVAL;
    }
    /* Linux's ADD and MOD poll the target at once; a kernel-descriptor
     * source, or an instance that watches one, learns the kernel's news
     * only when the kernel set is pumped (kpark.h): pump first. */
    if (op == VEPOLL_CTL_ADD ? vepoll__source_is_kernel(src) || (inner && AO_load(&inner->kern))
                             : op == VEPOLL_CTL_MOD && AO_load(&ep->kern))
        vepoll__kwait_pump();
    how = vepoll__instance_enter(ep);
    /* A call that started before vepoll_close(ep) may get the token after
     * the close's token section (instance.h): the table is gone and a new
     * entry, or a nesting edge, would outlive ep.  Under the token, so the
     * close's drain and this check are ordered (tests/spin/nest.pml, CTL). */
    if (AO_load(&ep->closed)) {
        rc = -EBADF;
        goto out;
    }
    if (inner && (rc = vepoll__nest_check(ep, inner)))
        goto out;
    switch (op) {
    case VEPOLL_CTL_ADD:
        rc = ctl_add(ep, fd, src, ev);
        break;
    case VEPOLL_CTL_MOD:
        rc = ctl_mod(ep, fd, src, ev);
        break;
    case VEPOLL_CTL_DEL:
        rc = ctl_del(ep, fd, src);
        break;
    default:
        rc = -EINVAL;
        break;
    }
out:
    vepoll__instance_leave(ep, how);
    return rc;
}
