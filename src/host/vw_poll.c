/*
 * vepoll_ext_v1 poll: Linux's poll(2) for the guest (the guest SDK's poll,
 * ppoll, select and pselect call it; docs/GUESTS.md defines it), over the
 * adapter's vepoll_wasix_poll, whose readiness is the objects' own (Linux's
 * bits: POLLERR / POLLHUP always, POLLRDHUP and POLLPRI when asked and the
 * object has them).  poll_oneoff (vw_host.c) stays what WASI programs not
 * built with the SDK use.
 *
 * The guest's struct pollfd is Linux's: i32 fd, i16 events, i16 revents
 * (8 bytes), with Linux's POLL* values.  Linux's order (do_sys_poll):
 * nfds over RLIMIT_NOFILE (the table's VEPOLL_WASIX_MAX_FDS) EINVAL, then
 * the array and the result outside memory EFAULT; a negative fd is
 * skipped (revents 0), a closed one is POLLNVAL (counted); every revents is
 * written, 0 included.  The wait sleeps in vepoll_wait (no CPU) and ends
 * with EINTR when a signal for the guest arrives; the handlers run on the
 * way out, and the call is never restarted (Linux: poll(2) never is).
 *
 * Contract: guest thread only, as vw_host.c; nothing is written to guest
 * memory before every check passed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vw_host.h"
#include "vw_signal.h"

#define POLLFD_SIZE 8u
#define POLL_NVAL 0x020u
/* The bits poll(2) looks for (POLLNVAL is an answer, never a question;
 * ERR and HUP are reported whether asked or not). */
#define POLL_ASKABLE                                                                       \
    (VEPOLL_IN | VEPOLL_PRI | VEPOLL_OUT | VEPOLL_ERR | VEPOLL_HUP | VEPOLL_RDNORM |       \
     VEPOLL_RDBAND | VEPOLL_WRNORM | VEPOLL_WRBAND | VEPOLL_MSG | VEPOLL_RDHUP)

static struct vw_host *HE(const vw_ext_ctx *c) { return c->host; }

static int32_t pollfd_fd(const uint8_t *p)
{
    int32_t fd;
    memcpy(&fd, p, 4);
    return fd;
}

static uint16_t pollfd_events(const uint8_t *p)
{
    uint16_t ev;
    memcpy(&ev, p + 4, 2);
    return ev;
}

/* Polls the guest's array `fds` (checked in bounds): the count of entries
 * with revents != 0, or -errno; the revents are written on success only. */
static int poll_array(struct vw_host *h, uint8_t *fds, uint32_t nfds, int64_t timeout_ns)
{
    struct vepoll_wasix_pollitem *items = NULL;
    uint32_t *which = NULL, nitems = 0, i;
    int rc, count = 0;
    if (nfds) {
        items = calloc(nfds, sizeof(*items));
        which = calloc(nfds, sizeof(*which));
        if (!items || !which) {
            rc = -ENOMEM;
            goto out;
        }
    }
    for (i = 0; i < nfds; i++) {
        const uint8_t *p = fds + (size_t)i * POLLFD_SIZE;
        if (pollfd_fd(p) < 0)
            continue;
        items[nitems].fd = (uint32_t)pollfd_fd(p);
        items[nitems].events = pollfd_events(p) & POLL_ASKABLE;
        which[nitems++] = i;
    }
    rc = vepoll_wasix_poll(h->wx, items, nitems, timeout_ns);
    if (rc < 0)
        goto out;
    for (i = 0; i < nfds; i++)
        memset(fds + (size_t)i * POLLFD_SIZE + 6, 0, 2);
    for (i = 0; i < nitems; i++) {
        uint16_t rev = items[i].ok ? POLL_NVAL : (uint16_t)(items[i].revents & 0xffffu);
        memcpy(fds + (size_t)which[i] * POLLFD_SIZE + 6, &rev, 2);
        count += rev != 0;
    }
    rc = count;
out:
    free(items);
    free(which);
    return rc;
}

u32 VW_EXT(poll)(vw_ext_ctx *c, u32 fds_p, u32 nfds, u64 timeout_ns, u32 ret_n_p)
{
    struct vw_host *h = HE(c);
    uint8_t *fds;
    int rc;
    if (nfds > VEPOLL_WASIX_MAX_FDS)
        return VEPOLL_WASI_EINVAL;
    fds = vw_gptr(h, fds_p, (uint64_t)nfds * POLLFD_SIZE);
    if (!fds || !vw_gptr(h, ret_n_p, 4))
        return VEPOLL_WASI_EFAULT;
    rc = poll_array(h, fds, nfds, (int64_t)timeout_ns);
    if (rc >= 0)
        vw_put_u32(h, ret_n_p, (uint32_t)rc);
    vw_signal_deliver(); /* poll(2) is never restarted (Linux) */
    return rc < 0 ? vw_werr(rc) : VEPOLL_WASI_ESUCCESS;
}
