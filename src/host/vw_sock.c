/*
 * WASI preview1 sock_recv / sock_send over the built-in table's socket
 * pairs and real sockets (sock_accept and the WASIX socket calls are
 * vw_net.c's).
 *
 * sock_recv(fd, ri_data: *iovec, ri_data_len, ri_flags, ro_datalen: *u32,
 * ro_flags: *u16) and sock_send(fd, si_data: *ciovec, si_data_len,
 * si_flags, so_datalen: *u32): riflags PEEK (1) and WAITALL (2) are WASI's,
 * DONT_WAIT (riflags 8, siflags 1) is WASIX's; the guest library
 * (src/guest/sockio.c) sends Linux's MSG_PEEK / MSG_WAITALL / MSG_DONTWAIT
 * that way.  A descriptor that is not a socket gives ENOTSOCK, as Linux's
 * recv/send do.
 *
 * Contract: as vw_host.c (guest thread only; every guest pointer checked
 * first: EFAULT, nothing written).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vw_host.h"
#include "vw_signal.h"

#define RIFLAGS_PEEK 1u
#define RIFLAGS_WAITALL 2u
#define RIFLAGS_DONT_WAIT 8u
#define SIFLAGS_DONT_WAIT 1u

static struct vw_host *H(const vw_wasi_ctx *c) { return c->host; }

/* 0 if fd is an open socket, else the WASI errno (EBADF, ENOTSOCK). */
static uint32_t socket_check(struct vw_host *h, uint32_t fd)
{
    struct vepoll_wasix_fdinfo info;
    int stream = -1;
    uint32_t err = vw_fd_lookup(h, fd, &info, &stream);
    if (err)
        return err;
    return info.kind == VEPOLL_WASIX_KIND_SOCKET || info.kind == VEPOLL_WASIX_KIND_KFD
               ? 0
               : VEPOLL_WASI_ENOTSOCK;
}

/* A receive / send with the WASI flags given, as recv(2) / send(2) with
 * Linux's MSG_ flags: bytes moved or a negative errno.  NOSIGNAL always:
 * the guest library raises SIGPIPE itself. */
static const struct {
    uint32_t wasi;
    int msg;
} recv_flags[] = {
    {RIFLAGS_PEEK, VEPOLL_MSG_PEEK},
    {RIFLAGS_WAITALL, VEPOLL_MSG_WAITALL},
    {RIFLAGS_DONT_WAIT, VEPOLL_MSG_DONTWAIT},
};

static int64_t recv_into(struct vw_host *h, uint32_t fd, void *buf, size_t len, uint32_t flags)
{
    int f = 0;
    for (size_t i = 0; i < sizeof(recv_flags) / sizeof(recv_flags[0]); i++)
        f |= (flags & recv_flags[i].wasi) ? recv_flags[i].msg : 0;
    return vepoll_wasix_recv(h->wx, fd, buf, len, f);
}

static int64_t send_from(struct vw_host *h, uint32_t fd, const void *buf, size_t len,
                         uint32_t flags)
{
    int f = VEPOLL_MSG_NOSIGNAL;
    if (flags & SIFLAGS_DONT_WAIT)
        f |= VEPOLL_MSG_DONTWAIT;
    return vepoll_wasix_send(h->wx, fd, buf, len, f);
}

/* recvmsg's scatter: one receive of up to the iovecs' total, copied out in
 * their order (so MSG_WAITALL waits for the total, as Linux's does).
 * Bytes received or a negative errno. */
static int64_t recv_scattered(struct vw_host *h, uint32_t fd, const uint8_t *iv, uint32_t n,
                              uint64_t total, uint32_t flags)
{
    uint32_t b, l;
    uint8_t *buf;
    int64_t got;
    if (n <= 1) {
        vw_first_buffer(iv, n, &b, &l);
        return recv_into(h, fd, h->mem->data + b, l, flags);
    }
    if (!(buf = malloc(total ? total : 1)))
        return -ENOMEM;
    got = recv_into(h, fd, buf, total, flags);
    for (uint64_t off = 0, i = 0; got > 0 && off < (uint64_t)got; i++) {
        memcpy(&b, iv + i * 8, 4);
        memcpy(&l, iv + i * 8 + 4, 4);
        if (l > (uint64_t)got - off)
            l = (uint32_t)((uint64_t)got - off);
        memcpy(h->mem->data + b, buf + off, l);
        off += l;
    }
    free(buf);
    return got;
}

static u32 sock_recv_once(struct vw_host *h, u32 fd, u32 iovs, u32 n, u32 flags, u32 len_p,
                          u32 roflags_p)
{
    uint64_t total;
    const uint8_t *iv = vw_iovecs(h, iovs, n, &total);
    uint32_t err;
    int64_t got;
    if (!iv || !vw_gptr(h, len_p, 4) || !vw_gptr(h, roflags_p, 2))
        return VEPOLL_WASI_EFAULT;
    if (flags & ~(RIFLAGS_PEEK | RIFLAGS_WAITALL | RIFLAGS_DONT_WAIT))
        return VEPOLL_WASI_EINVAL;
    if ((err = socket_check(h, fd)) != 0)
        return err;
    got = recv_scattered(h, fd, iv, n, total, flags);
    if (got < 0)
        return vw_werr(got);
    vw_put_u32(h, len_p, (uint32_t)got);
    vw_put_u16(h, roflags_p, 0);
    return VEPOLL_WASI_ESUCCESS;
}

/* recv and send are restarted after a handler with SA_RESTART (Linux,
 * without a socket timeout: vw_signal.h). */
u32 VW_WASI(sock_recv)(vw_wasi_ctx *c, u32 fd, u32 iovs, u32 n, u32 flags, u32 len_p,
                       u32 roflags_p)
{
    u32 rc;
    do
        rc = sock_recv_once(H(c), fd, iovs, n, flags, len_p, roflags_p);
    while (vw_signal_restart(rc));
    return rc;
}

static u32 sock_send_once(struct vw_host *h, u32 fd, u32 iovs, u32 n, u32 flags, u32 len_p)
{
    uint64_t total;
    const uint8_t *iv = vw_iovecs(h, iovs, n, &total);
    uint32_t err;
    if (!iv || !vw_gptr(h, len_p, 4))
        return VEPOLL_WASI_EFAULT;
    if (flags & ~SIFLAGS_DONT_WAIT)
        return VEPOLL_WASI_EINVAL;
    if ((err = socket_check(h, fd)) != 0)
        return err;
    return vw_write_gathered(h, fd, iv, n, total, send_from, flags, len_p);
}

u32 VW_WASI(sock_send)(vw_wasi_ctx *c, u32 fd, u32 iovs, u32 n, u32 flags, u32 len_p)
{
    u32 rc;
    do
        rc = sock_send_once(H(c), fd, iovs, n, flags, len_p);
    while (vw_signal_restart(rc));
    return rc;
}
