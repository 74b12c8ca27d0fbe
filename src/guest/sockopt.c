/*
 * setsockopt / getsockopt.  On a real socket (socket(AF_INET/AF_INET6),
 * sockets.c) the option goes to the host's kernel through WASIX
 * sock_set_opt_* / sock_get_opt_* (src/host/vw_net.c maps WASIX's option
 * numbers to Linux's), which answers as Linux does; SO_TYPE, SO_DOMAIN
 * and SO_PROTOCOL are answered here (only TCP stream sockets exist, and
 * their guest-side values are wasi-libc's).  On a socket-pair end
 * (AF_UNIX) the options that change nothing on a local stream pair are
 * accepted and ignored, as Linux does; protocol-level options are
 * EOPNOTSUPP there (AF_UNIX has none).  Options this host does not carry
 * are ENOPROTOOPT.  The descriptor is checked first (EBADF, ENOTSOCK).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include "guest.h"

/* How an option travels to the host (WASIX's Sockoption numbers). */
enum { FLAG = 1, SIZE, TIME };

struct opt {
    int level, name;
    uint8_t wasix, how;
};

static const struct opt opts[] = {
    {SOL_SOCKET, SO_REUSEPORT, 1, FLAG},
    {SOL_SOCKET, SO_REUSEADDR, 2, FLAG},
    {IPPROTO_TCP, TCP_NODELAY, 3, FLAG},
    {IPPROTO_IPV6, IPV6_V6ONLY, 5, FLAG},
    {SOL_SOCKET, SO_BROADCAST, 6, FLAG},
    {SOL_SOCKET, SO_ACCEPTCONN, 10, FLAG},
    {SOL_SOCKET, SO_ERROR, 11, SIZE},
    {SOL_SOCKET, SO_KEEPALIVE, 12, FLAG},
    {SOL_SOCKET, SO_LINGER, 13, TIME},
    {SOL_SOCKET, SO_RCVBUF, 15, SIZE},
    {SOL_SOCKET, SO_SNDBUF, 16, SIZE},
    {SOL_SOCKET, SO_RCVLOWAT, 17, SIZE},
    {SOL_SOCKET, SO_SNDLOWAT, 18, SIZE},
    {IPPROTO_IP, IP_TTL, 23, SIZE},
};

static const struct opt *find(int level, int name)
{
    for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
        if (opts[i].level == level && opts[i].name == name)
            return &opts[i];
    return NULL;
}

/* WASIX's __wasi_option_timestamp_t: u8 tag (1: some) at 0, u64 ns at 8. */
struct vg_time {
    uint8_t tag, pad[7];
    uint64_t ns;
};

/* Options that change nothing on a local stream socket pair and that
 * Linux accepts there: accepted (value checked, then ignored). */
static socklen_t pair_option(int name)
{
    switch (name) {
    case SO_REUSEADDR: case SO_REUSEPORT: case SO_KEEPALIVE: case SO_SNDBUF:
    case SO_RCVBUF:
        return sizeof(int);
    case SO_LINGER:
        return sizeof(struct linger);
    default:
        return 0;
    }
}

static int set_pair(int level, int name, const void *val, socklen_t len)
{
    socklen_t need;
    if (level != SOL_SOCKET)
        return __vg_fail(EOPNOTSUPP);
    need = pair_option(name);
    if (!need)
        return __vg_fail(ENOPROTOOPT);
    if (len < need)
        return __vg_fail(EINVAL);
    return __vg_mem_ok(val, need) ? 0 : __vg_fail(EFAULT);
}

static int set_real(int fd, int level, int name, const void *val, socklen_t len)
{
    const struct opt *o = find(level, name);
    socklen_t need = o && o->how == TIME ? sizeof(struct linger) : sizeof(int);
    struct linger lg;
    struct vg_time t;
    int v;
    int32_t err;
    if (!o || name == SO_ACCEPTCONN || name == SO_ERROR)
        return __vg_fail(ENOPROTOOPT);
    if (len < need)
        return __vg_fail(EINVAL);
    if (!__vg_mem_ok(val, need))
        return __vg_fail(EFAULT);
    if (o->how == TIME) {
        memcpy(&lg, val, sizeof(lg));
        memset(&t, 0, sizeof(t));
        t.tag = lg.l_onoff != 0;
        t.ns = (uint64_t)(lg.l_linger < 0 ? 0 : lg.l_linger) * 1000000000u;
        err = __vg_sock_set_opt_time((uint32_t)fd, o->wasix, &t);
    } else {
        memcpy(&v, val, sizeof(v));
        err = o->how == FLAG ? __vg_sock_set_opt_flag((uint32_t)fd, o->wasix, v != 0)
                             : __vg_sock_set_opt_size((uint32_t)fd, o->wasix,
                                                      (uint64_t)(v < 0 ? 0 : v));
    }
    return err ? __vg_fail(err) : 0;
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
    int fam = __vg_sock_family(fd);
    if (fam < 0)
        return -1;
    return fam == AF_UNIX ? set_pair(level, name, val, len) : set_real(fd, level, name, val, len);
}

/* A host option's value: an int, or a struct linger for SO_LINGER. */
static int get_real(int fd, const struct opt *o, void *val, socklen_t *len)
{
    uint8_t flag;
    uint64_t size;
    struct vg_time t;
    struct linger lg;
    int v;
    int32_t err;
    if (o->how == TIME) {
        if ((err = __vg_sock_get_opt_time((uint32_t)fd, o->wasix, &t)))
            return __vg_fail(err);
        lg.l_onoff = t.tag != 0;
        lg.l_linger = (int)(t.ns / 1000000000u);
        return __vg_copy_out(&lg, sizeof(lg), val, len, 0);
    }
    if (o->how == FLAG) {
        err = __vg_sock_get_opt_flag((uint32_t)fd, o->wasix, &flag);
        v = flag;
    } else {
        err = __vg_sock_get_opt_size((uint32_t)fd, o->wasix, &size);
        v = (int)size;
    }
    return err ? __vg_fail(err) : __vg_copy_out(&v, sizeof(v), val, len, 0);
}

int getsockopt(int fd, int level, int name, void *__restrict val, socklen_t *__restrict len)
{
    int fam = __vg_sock_family(fd), v;
    const struct opt *o;
    if (fam < 0)
        return -1;
    if (level == SOL_SOCKET && (name == SO_TYPE || name == SO_DOMAIN || name == SO_PROTOCOL)) {
        v = name == SO_TYPE ? SOCK_STREAM : name == SO_DOMAIN ? fam : fam == AF_UNIX ? 0 : IPPROTO_TCP;
        return __vg_copy_out(&v, sizeof(v), val, len, 0);
    }
    if (fam == AF_UNIX) {
        if (level != SOL_SOCKET)
            return __vg_fail(EOPNOTSUPP);
        if (name != SO_ERROR && name != SO_ACCEPTCONN)
            return __vg_fail(ENOPROTOOPT);
        v = 0;
        return __vg_copy_out(&v, sizeof(v), val, len, 0);
    }
    if (!(o = find(level, name)))
        return __vg_fail(ENOPROTOOPT);
    return get_real(fd, o, val, len);
}
