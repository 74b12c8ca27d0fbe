/*
 * The descriptor imports over the adapter's descriptor API (dup, open file
 * descriptions, FD_CLOEXEC, timerfds): preview1 fd_renumber; WASIX fd_dup,
 * fd_dup2, fd_fdflags_get, fd_fdflags_set; vepoll's extension module
 * vepoll_ext_v1 timerfd_create / timerfd_settime / timerfd_gettime
 * (docs/GUESTS.md defines them).
 *
 * Contract: as vw_host.c (guest thread only; every guest pointer checked
 * before anything changes: EFAULT, nothing written or changed).
 */
#include "vw_host.h"

#include <string.h>

#define FDFLAGSEXT_CLOEXEC 1u
#define EXT_NONBLOCK 1u
#define EXT_CLOEXEC 2u
#define ITIMERSPEC_SIZE 32

static struct vw_host *H(const vw_wasi_ctx *c) { return c->host; }
static struct vw_host *HX(const vw_wasix_ctx *c) { return c->host; }
static struct vw_host *HE(const vw_ext_ctx *c) { return c->host; }

u32 VW_WASI(fd_renumber)(vw_wasi_ctx *c, u32 from, u32 to)
{
    return vw_werr(vepoll_wasix_renumber(H(c)->wx, from, to));
}

u32 VW_WASIX(fd_dup)(vw_wasix_ctx *c, u32 fd, u32 ret_p)
{
    uint32_t nfd;
    int rc;
    if (!vw_gptr(HX(c), ret_p, 4))
        return VEPOLL_WASI_EFAULT;
    rc = vepoll_wasix_dup(HX(c)->wx, fd, 0, 0, &nfd);
    if (rc)
        return vw_werr(rc);
    vw_put_u32(HX(c), ret_p, nfd);
    return VEPOLL_WASI_ESUCCESS;
}

/* WASIX fd_dup2(fd, min_result_fd, cloexec, ret): F_DUPFD / F_DUPFD_CLOEXEC. */
u32 VW_WASIX(fd_dup2)(vw_wasix_ctx *c, u32 fd, u32 min_fd, u32 cloexec, u32 ret_p)
{
    uint32_t nfd;
    int rc;
    if (!vw_gptr(HX(c), ret_p, 4))
        return VEPOLL_WASI_EFAULT;
    rc = vepoll_wasix_dup(HX(c)->wx, fd, min_fd, cloexec != 0, &nfd);
    if (rc)
        return vw_werr(rc);
    vw_put_u32(HX(c), ret_p, nfd);
    return VEPOLL_WASI_ESUCCESS;
}

/* fdflagsext (u16): bit 0 CLOEXEC. */
u32 VW_WASIX(fd_fdflags_get)(vw_wasix_ctx *c, u32 fd, u32 ret_p)
{
    int on = 0, rc;
    if (!vw_gptr(HX(c), ret_p, 2))
        return VEPOLL_WASI_EFAULT;
    rc = vepoll_wasix_get_cloexec(HX(c)->wx, fd, &on);
    if (rc)
        return vw_werr(rc);
    vw_put_u16(HX(c), ret_p, on ? FDFLAGSEXT_CLOEXEC : 0);
    return VEPOLL_WASI_ESUCCESS;
}

u32 VW_WASIX(fd_fdflags_set)(vw_wasix_ctx *c, u32 fd, u32 flags)
{
    if (flags & ~FDFLAGSEXT_CLOEXEC)
        return VEPOLL_WASI_EINVAL;
    return vw_werr(vepoll_wasix_set_cloexec(HX(c)->wx, fd, (flags & FDFLAGSEXT_CLOEXEC) != 0));
}

u32 VW_EXT(timerfd_create)(vw_ext_ctx *c, u32 clockid, u32 flags, u32 ret_p)
{
    uint32_t fd;
    int vflags = 0, rc;
    if (!vw_gptr(HE(c), ret_p, 4))
        return VEPOLL_WASI_EFAULT;
    if (flags & ~(EXT_NONBLOCK | EXT_CLOEXEC))
        return VEPOLL_WASI_EINVAL;
    if (flags & EXT_NONBLOCK)
        vflags |= VEPOLL_NONBLOCK;
    if (flags & EXT_CLOEXEC)
        vflags |= VEPOLL_CLOEXEC;
    /* WASI's clock ids 0 (realtime) and 1 (monotonic) are Linux's. */
    rc = vepoll_wasix_timerfd_create(HE(c)->wx, clockid > 1 ? -1 : (int)clockid, vflags, &fd);
    if (rc)
        return vw_werr(rc);
    vw_put_u32(HE(c), ret_p, fd);
    return VEPOLL_WASI_ESUCCESS;
}

/* The import's itimerspec: interval sec, interval nsec, value sec, value
 * nsec, each a little-endian i64 (Linux's layout). */
static void spec_in(const uint8_t *p, struct vepoll_itimerspec *t)
{
    memcpy(&t->it_interval.tv_sec, p, 8);
    memcpy(&t->it_interval.tv_nsec, p + 8, 8);
    memcpy(&t->it_value.tv_sec, p + 16, 8);
    memcpy(&t->it_value.tv_nsec, p + 24, 8);
}

static void spec_out(const struct vepoll_itimerspec *t, uint8_t *p)
{
    memcpy(p, &t->it_interval.tv_sec, 8);
    memcpy(p + 8, &t->it_interval.tv_nsec, 8);
    memcpy(p + 16, &t->it_value.tv_sec, 8);
    memcpy(p + 24, &t->it_value.tv_nsec, 8);
}

u32 VW_EXT(timerfd_settime)(vw_ext_ctx *c, u32 fd, u32 flags, u32 new_p, u32 old_p)
{
    struct vw_host *h = HE(c);
    struct vepoll_itimerspec nv, ov;
    uint8_t *in = vw_gptr(h, new_p, ITIMERSPEC_SIZE), *out = NULL;
    int rc;
    if (!in || (old_p && !(out = vw_gptr(h, old_p, ITIMERSPEC_SIZE))))
        return VEPOLL_WASI_EFAULT;
    spec_in(in, &nv);
    rc = vepoll_wasix_timerfd_settime(h->wx, fd, (int)flags, &nv, out ? &ov : NULL);
    if (rc)
        return vw_werr(rc);
    if (out)
        spec_out(&ov, out);
    return VEPOLL_WASI_ESUCCESS;
}

u32 VW_EXT(timerfd_gettime)(vw_ext_ctx *c, u32 fd, u32 cur_p)
{
    struct vw_host *h = HE(c);
    struct vepoll_itimerspec cur;
    uint8_t *out = vw_gptr(h, cur_p, ITIMERSPEC_SIZE);
    /* Linux checks the descriptor first: EBADF / EINVAL before EFAULT. */
    int rc = vepoll_wasix_timerfd_gettime(h->wx, fd, &cur);
    if (rc)
        return vw_werr(rc);
    if (!out)
        return VEPOLL_WASI_EFAULT;
    spec_out(&cur, out);
    return VEPOLL_WASI_ESUCCESS;
}

