/*
 * Real sockets for the guest: the runner's preopened listeners
 * (--tcplisten HOST:PORT, descriptors 3, 4, ... in order, as wasmtime does
 * it), WASI preview1 sock_accept, and the WASIX socket calls (sock_open,
 * sock_bind, sock_listen, sock_connect, sock_accept_v2, sock_addr_local,
 * sock_addr_peer, sock_status, sock_get/set_opt_flag/size/time) with
 * wasix-libc's ABI, over the adapter's real-socket calls (vepoll_wasix.h,
 * "Host kernel descriptors"): a guest socket is a host socket in the
 * built-in table, watched by a kernel-descriptor source.
 *
 * Security: the guest reaches only descriptors of its own table (the
 * listeners given to it and the sockets it made or accepted); host
 * descriptor numbers never reach it.  Listeners bind exactly where the user
 * said.  A socket the guest makes may bind and connect only to loopback
 * addresses (127.0.0.0/8, ::1) unless the runner was given
 * --inherit-network (EACCES otherwise, the any address included).
 *
 * The ABI (wasix-libc's api_wasix.h): __wasi_addr_port_t is 110 bytes,
 * align 2: u8 tag (INET4 1, INET6 2, UNIX 3) at 0; at 2 the port as a u16 in
 * host (little-endian) order; at 4 the address bytes in network order (4,
 * or 16 then flow info and scope id as two u16 halves each, the high half
 * first).  Options are WASIX's Sockoption numbers; flags are u8 booleans,
 * sizes u64, times __wasi_option_timestamp_t (u8 tag: 1 some; u64 ns at 8).
 *
 * Contract: as vw_host.c (guest thread only; every guest pointer is checked
 * before anything changes: MEMVIOLATION, nothing written).  The options are
 * read once, before the guest runs.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vw_host.h"

#define ADDR_SIZE 110
#define TAG_INET4 1
#define TAG_INET6 2
#define TAG_UNIX 3
#define FDFLAGS_NONBLOCK 4u
#define MAX_LISTENERS 64

static struct vw_host *HX(const vw_wasix_ctx *c) { return c->host; }

/* ---- options: the listeners and the network policy ---------------------------- */

static char *listen_specs; /* VEPOLL_WASIX_TCPLISTEN, copied */
static int inherit_network;

int vw_net_take_options(void)
{
    const char *l = getenv("VEPOLL_WASIX_TCPLISTEN"), *n = getenv("VEPOLL_WASIX_NET");
    if (l && !(listen_specs = strdup(l))) {
        fprintf(stderr, "vepoll-wasix-run: out of memory\n");
        return -1;
    }
    if (n && strcmp(n, "any") && *n) {
        fprintf(stderr, "vepoll-wasix-run: VEPOLL_WASIX_NET=%s: only 'any' is known\n", n);
        return -1;
    }
    inherit_network = n && !strcmp(n, "any");
    unsetenv("VEPOLL_WASIX_TCPLISTEN");
    unsetenv("VEPOLL_WASIX_NET");
    return 0;
}

/* HOST:PORT -> an address.  HOST: an IPv4 literal, [IPv6 literal] or
 * localhost; PORT: 0..65535 (0: the kernel picks one).  0, or -1. */
static int parse_spec(const char *spec, struct sockaddr_storage *ss, socklen_t *len)
{
    char host[64];
    const char *colon = strrchr(spec, ':'), *h = spec;
    size_t hl;
    char *end;
    unsigned long port;
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    if (!colon || !colon[1])
        return -1;
    port = strtoul(colon + 1, &end, 10);
    if (*end || port > 65535 || colon[1] == '-' || colon[1] == '+')
        return -1;
    hl = (size_t)(colon - spec);
    if (hl >= 2 && spec[0] == '[' && spec[hl - 1] == ']') {
        h = spec + 1;
        hl -= 2;
    }
    if (!hl || hl >= sizeof(host))
        return -1;
    memcpy(host, h, hl);
    host[hl] = 0;
    memset(ss, 0, sizeof(*ss));
    if (!strcmp(host, "localhost") || inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        if (!strcmp(host, "localhost"))
            a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        *len = sizeof(*a4);
        return 0;
    }
    if (h != spec && inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        *len = sizeof(*a6);
        return 0;
    }
    return -1;
}

/* One listener: bound to exactly that address, listening, installed.
 * Prints its address when the kernel picked the port. */
static int open_listener(struct vw_host *h, const char *spec, uint32_t want)
{
    struct sockaddr_storage ss;
    socklen_t len;
    uint32_t fd;
    int s, one = 1, rc;
    char name[INET6_ADDRSTRLEN];
    if (parse_spec(spec, &ss, &len)) {
        fprintf(stderr, "vepoll-wasix-run: --tcplisten %s: expected HOST:PORT (an IPv4 address, "
                        "[an IPv6 address] or localhost, and a port 0-65535)\n", spec);
        return -1;
    }
    s = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
        bind(s, (struct sockaddr *)&ss, len) || listen(s, SOMAXCONN) ||
        getsockname(s, (struct sockaddr *)&ss, &len)) {
        fprintf(stderr, "vepoll-wasix-run: --tcplisten %s: %s\n", spec, strerror(errno));
        if (s >= 0)
            close(s);
        return -1;
    }
    if ((rc = vepoll_wasix_kfd_install(h->wx, s, 0, &fd)) || fd != want) {
        fprintf(stderr, "vepoll-wasix-run: --tcplisten %s: %s\n", spec,
                rc ? strerror(-rc) : "descriptor taken");
        if (rc)
            close(s);
        return -1;
    }
    if (strstr(spec, ":0") == spec + strlen(spec) - 2) {
        uint16_t port = ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                                : ((struct sockaddr_in6 *)&ss)->sin6_port;
        inet_ntop(ss.ss_family,
                  ss.ss_family == AF_INET ? (void *)&((struct sockaddr_in *)&ss)->sin_addr
                                          : (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr,
                  name, sizeof(name));
        fprintf(stderr, "vepoll-wasix-run: fd %u listens on %s%s%s:%u\n", want,
                ss.ss_family == AF_INET6 ? "[" : "", name, ss.ss_family == AF_INET6 ? "]" : "",
                ntohs(port));
    }
    return 0;
}

int vw_net_setup(struct vw_host *h)
{
    char *save = NULL, *spec;
    uint32_t next = VEPOLL_WASIX_FIRST_FD;
    int rc = 0;
    if (!listen_specs)
        return 0;
    for (spec = strtok_r(listen_specs, " ", &save); spec && !rc;
         spec = strtok_r(NULL, " ", &save)) {
        if (next - VEPOLL_WASIX_FIRST_FD == MAX_LISTENERS) {
            fprintf(stderr, "vepoll-wasix-run: more than %d --tcplisten\n", MAX_LISTENERS);
            rc = -1;
            break;
        }
        rc = open_listener(h, spec, next++);
    }
    free(listen_specs);
    listen_specs = NULL;
    return rc;
}

/* Loopback only, unless --inherit-network. */
static int allowed(const struct sockaddr_storage *ss)
{
    if (inherit_network)
        return 1;
    if (ss->ss_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
    return ss->ss_family == AF_INET6 &&
           IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

/* ---- the address codec ------------------------------------------------------------ */

static uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }

/* The guest's __wasi_addr_port_t at off: 0, the WASI errno (MEMVIOLATION,
 * EAFNOSUPPORT for another family). */
static uint32_t read_addr(struct vw_host *h, uint32_t off, struct sockaddr_storage *ss,
                          socklen_t *len)
{
    const uint8_t *p = vw_gptr(h, off, ADDR_SIZE);
    memset(ss, 0, sizeof(*ss));
    if (!p)
        return VEPOLL_WASI_EMEMVIOLATION;
    if (p[0] == TAG_INET4) {
        struct sockaddr_in *a = (struct sockaddr_in *)ss;
        a->sin_family = AF_INET;
        a->sin_port = htons(get16(p + 2));
        memcpy(&a->sin_addr, p + 4, 4);
        *len = sizeof(*a);
        return 0;
    }
    if (p[0] == TAG_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(get16(p + 2));
        memcpy(&a->sin6_addr, p + 4, 16);
        a->sin6_flowinfo = (uint32_t)get16(p + 20) << 16 | get16(p + 22);
        a->sin6_scope_id = (uint32_t)get16(p + 24) << 16 | get16(p + 26);
        *len = sizeof(*a);
        return 0;
    }
    return vw_werr(-EAFNOSUPPORT);
}

/* Writes ss as a __wasi_addr_port_t (checked in bounds by the caller). */
static void write_addr(uint8_t *p, const struct sockaddr_storage *ss)
{
    memset(p, 0, ADDR_SIZE);
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
        p[0] = TAG_INET4;
        put16(p + 2, ntohs(a->sin_port));
        memcpy(p + 4, &a->sin_addr, 4);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
        p[0] = TAG_INET6;
        put16(p + 2, ntohs(a->sin6_port));
        memcpy(p + 4, &a->sin6_addr, 16);
        put16(p + 20, (uint16_t)(a->sin6_flowinfo >> 16));
        put16(p + 22, (uint16_t)a->sin6_flowinfo);
        put16(p + 24, (uint16_t)(a->sin6_scope_id >> 16));
        put16(p + 26, (uint16_t)a->sin6_scope_id);
    } else {
        p[0] = TAG_UNIX; /* a socket pair end: unnamed */
    }
}

/* ---- the calls ----------------------------------------------------------------------- */

u32 VW_WASIX(sock_open)(vw_wasix_ctx *c, u32 af, u32 type, u32 proto, u32 fd_p)
{
    int dom = af == TAG_INET4 ? AF_INET : af == TAG_INET6 ? AF_INET6 : -1;
    int ty = type == 1 ? SOCK_STREAM : type == 2 ? SOCK_DGRAM : -1;
    int pr = proto == 0 ? 0 : proto == 6 ? IPPROTO_TCP : proto == 17 ? IPPROTO_UDP : -1;
    uint32_t fd;
    int rc;
    if (!vw_gptr(HX(c), fd_p, 4))
        return VEPOLL_WASI_EMEMVIOLATION;
    if (dom < 0)
        return vw_werr(-EAFNOSUPPORT);
    if (ty < 0)
        return VEPOLL_WASI_EINVAL;
    if (pr < 0)
        return vw_werr(-EPROTONOSUPPORT);
    if ((rc = vepoll_wasix_socket(HX(c)->wx, dom, ty, pr, &fd)))
        return vw_werr(rc);
    vw_put_u32(HX(c), fd_p, fd);
    return VEPOLL_WASI_ESUCCESS;
}

/* bind / connect: the address, the policy, the call. */
static u32 to_addr(vw_wasix_ctx *c, u32 fd, u32 addr_p, int connecting)
{
    struct sockaddr_storage ss;
    socklen_t len = 0;
    uint32_t err = read_addr(HX(c), addr_p, &ss, &len);
    if (err)
        return err;
    if (!allowed(&ss))
        return vw_werr(-EACCES);
    return vw_werr(connecting ? vepoll_wasix_connect(HX(c)->wx, fd, (struct sockaddr *)&ss, len)
                              : vepoll_wasix_bind(HX(c)->wx, fd, (struct sockaddr *)&ss, len));
}

u32 VW_WASIX(sock_bind)(vw_wasix_ctx *c, u32 fd, u32 addr_p)
{
    return to_addr(c, fd, addr_p, 0);
}

u32 VW_WASIX(sock_connect)(vw_wasix_ctx *c, u32 fd, u32 addr_p)
{
    return to_addr(c, fd, addr_p, 1);
}

u32 VW_WASIX(sock_listen)(vw_wasix_ctx *c, u32 fd, u32 backlog)
{
    return vw_werr(vepoll_wasix_listen(HX(c)->wx, fd, (int)backlog));
}

/* 0 if fd is a socket-pair end (its answers are the guest library's), else
 * the WASI errno to answer a socket call with: EBADF, ENOTSOCK, or 0 with
 * *real set for a host socket. */
static uint32_t socket_kind(struct vw_host *h, uint32_t fd, int *real)
{
    struct vepoll_wasix_fdinfo info;
    int rc = vepoll_wasix_fd_info(h->wx, fd, &info);
    *real = 0;
    if (rc)
        return vw_werr(rc);
    if (info.kind == VEPOLL_WASIX_KIND_KFD) {
        *real = 1;
        return 0;
    }
    return info.kind == VEPOLL_WASIX_KIND_SOCKET ? 0 : VEPOLL_WASI_ENOTSOCK;
}

/* accept on fd: the new descriptor to *nfd and the peer's address to ss.
 * A socket-pair end is connected, not listening: EINVAL, as Linux. */
static uint32_t accept_on(struct vw_host *h, uint32_t fd, uint32_t fdflags, uint32_t *nfd,
                          struct sockaddr_storage *ss)
{
    socklen_t len = sizeof(*ss);
    int real, rc;
    uint32_t err;
    if (fdflags & ~FDFLAGS_NONBLOCK)
        return VEPOLL_WASI_EINVAL;
    if ((err = socket_kind(h, fd, &real)) != 0)
        return err;
    if (!real)
        return VEPOLL_WASI_EINVAL;
    rc = vepoll_wasix_accept(h->wx, fd, (fdflags & FDFLAGS_NONBLOCK) ? VEPOLL_NONBLOCK : 0,
                             (struct sockaddr *)ss, &len, nfd);
    return vw_werr(rc);
}

u32 VW_WASI(sock_accept)(vw_wasi_ctx *c, u32 fd, u32 fdflags, u32 fd_p)
{
    struct sockaddr_storage ss;
    uint32_t nfd, err;
    if (!vw_gptr(c->host, fd_p, 4))
        return VEPOLL_WASI_EFAULT;
    if ((err = accept_on(c->host, fd, fdflags, &nfd, &ss)) != 0)
        return err;
    vw_put_u32(c->host, fd_p, nfd);
    return VEPOLL_WASI_ESUCCESS;
}

u32 VW_WASIX(sock_accept_v2)(vw_wasix_ctx *c, u32 fd, u32 fdflags, u32 fd_p, u32 addr_p)
{
    struct sockaddr_storage ss;
    uint8_t *a = vw_gptr(HX(c), addr_p, ADDR_SIZE);
    uint32_t nfd, err;
    if (!vw_gptr(HX(c), fd_p, 4) || !a)
        return VEPOLL_WASI_EMEMVIOLATION;
    if ((err = accept_on(HX(c), fd, fdflags, &nfd, &ss)) != 0)
        return err;
    vw_put_u32(HX(c), fd_p, nfd);
    write_addr(a, &ss);
    return VEPOLL_WASI_ESUCCESS;
}

static u32 sock_addr(vw_wasix_ctx *c, u32 fd, u32 addr_p, int peer)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    uint8_t *a = vw_gptr(HX(c), addr_p, ADDR_SIZE);
    int real, rc;
    uint32_t err;
    if (!a)
        return VEPOLL_WASI_EMEMVIOLATION;
    if ((err = socket_kind(HX(c), fd, &real)) != 0)
        return err;
    memset(&ss, 0, sizeof(ss));
    ss.ss_family = AF_UNIX;
    if (real &&
        (rc = vepoll_wasix_sockname(HX(c)->wx, fd, peer, (struct sockaddr *)&ss, &len)))
        return vw_werr(rc);
    write_addr(a, &ss);
    return VEPOLL_WASI_ESUCCESS;
}

u32 VW_WASIX(sock_addr_local)(vw_wasix_ctx *c, u32 fd, u32 addr_p)
{
    return sock_addr(c, fd, addr_p, 0);
}

u32 VW_WASIX(sock_addr_peer)(vw_wasix_ctx *c, u32 fd, u32 addr_p)
{
    return sock_addr(c, fd, addr_p, 1);
}

/* __wasi_sock_status_t: OPENED (1) for an open socket. */
u32 VW_WASIX(sock_status)(vw_wasix_ctx *c, u32 fd, u32 status_p)
{
    uint8_t *p = vw_gptr(HX(c), status_p, 1);
    int real;
    uint32_t err;
    if (!p)
        return VEPOLL_WASI_EMEMVIOLATION;
    if ((err = socket_kind(HX(c), fd, &real)) != 0)
        return err;
    *p = 1;
    return VEPOLL_WASI_ESUCCESS;
}

/* ---- options ---------------------------------------------------------------------------- */

enum optkind { OPT_FLAG, OPT_SIZE, OPT_TIME };

/* WASIX's Sockoption -> Linux's (level, name), and how it is passed.
 * Timeouts (RECV/SEND/CONNECT/ACCEPT_TIMEOUT) and PROMISCUOUS are not
 * served: blocking here is the table's, not the kernel's. */
static const struct {
    uint8_t wasix, kind;
    int level, name;
} opts[] = {
    {1, OPT_FLAG, SOL_SOCKET, SO_REUSEPORT},
    {2, OPT_FLAG, SOL_SOCKET, SO_REUSEADDR},
    {3, OPT_FLAG, IPPROTO_TCP, TCP_NODELAY},
    {4, OPT_FLAG, SOL_SOCKET, SO_DONTROUTE},
    {5, OPT_FLAG, IPPROTO_IPV6, IPV6_V6ONLY},
    {6, OPT_FLAG, SOL_SOCKET, SO_BROADCAST},
    {7, OPT_FLAG, IPPROTO_IP, IP_MULTICAST_LOOP},
    {8, OPT_FLAG, IPPROTO_IPV6, IPV6_MULTICAST_LOOP},
    {10, OPT_FLAG, SOL_SOCKET, SO_ACCEPTCONN},
    {11, OPT_SIZE, SOL_SOCKET, SO_ERROR},
    {12, OPT_FLAG, SOL_SOCKET, SO_KEEPALIVE},
    {13, OPT_TIME, SOL_SOCKET, SO_LINGER},
    {14, OPT_FLAG, SOL_SOCKET, SO_OOBINLINE},
    {15, OPT_SIZE, SOL_SOCKET, SO_RCVBUF},
    {16, OPT_SIZE, SOL_SOCKET, SO_SNDBUF},
    {17, OPT_SIZE, SOL_SOCKET, SO_RCVLOWAT},
    {18, OPT_SIZE, SOL_SOCKET, SO_SNDLOWAT},
    {23, OPT_SIZE, IPPROTO_IP, IP_TTL},
    {24, OPT_SIZE, IPPROTO_IP, IP_MULTICAST_TTL},
    {25, OPT_SIZE, SOL_SOCKET, SO_TYPE},
    {26, OPT_SIZE, SOL_SOCKET, SO_PROTOCOL},
};

/* The option's entry if it has this kind: else EINVAL (another kind) or
 * ENOPROTOOPT (unknown or not served). */
static uint32_t find_opt(uint32_t wasix, int kind, int *i)
{
    for (*i = 0; *i < (int)(sizeof(opts) / sizeof(opts[0])); (*i)++)
        if (opts[*i].wasix == wasix)
            return opts[*i].kind == kind ? 0 : VEPOLL_WASI_EINVAL;
    return vw_werr(-ENOPROTOOPT);
}

/* Option opt, which must be of this kind, written to the guest at out_p
 * as WASIX gives it: a u8 flag, a u64 size, or an option timestamp (u8
 * tag, 1 for SO_LINGER on; its seconds as u64 ns at 8).  Nothing is
 * written on failure. */
static u32 get_opt(vw_wasix_ctx *c, u32 fd, u32 opt, int kind, u32 out_p)
{
    static const u32 out_size[] = {[OPT_FLAG] = 1, [OPT_SIZE] = 8, [OPT_TIME] = 16};
    union {
        int i;
        struct linger lg;
    } v;
    socklen_t len = kind == OPT_TIME ? sizeof(v.lg) : sizeof(v.i);
    uint8_t *p = vw_gptr(HX(c), out_p, out_size[kind]);
    uint64_t u;
    int i, rc;
    uint32_t err;
    if (!p)
        return VEPOLL_WASI_EMEMVIOLATION;
    if ((err = find_opt(opt, kind, &i)) != 0)
        return err;
    memset(&v, 0, sizeof(v));
    rc = vepoll_wasix_getsockopt(HX(c)->wx, fd, opts[i].level, opts[i].name, &v, &len);
    if (rc)
        return vw_werr(rc);
    if (kind == OPT_FLAG) {
        *p = v.i != 0;
        return VEPOLL_WASI_ESUCCESS;
    }
    if (kind == OPT_SIZE) {
        u = (uint64_t)(int64_t)v.i;
    } else {
        memset(p, 0, 16);
        p[0] = v.lg.l_onoff != 0;
        u = (uint64_t)v.lg.l_linger * 1000000000u;
        p += 8;
    }
    memcpy(p, &u, 8);
    return VEPOLL_WASI_ESUCCESS;
}

static u32 set_opt(vw_wasix_ctx *c, u32 fd, u32 opt, int kind, const void *val, socklen_t len)
{
    int i;
    uint32_t err = find_opt(opt, kind, &i);
    if (err)
        return err;
    return vw_werr(vepoll_wasix_setsockopt(HX(c)->wx, fd, opts[i].level, opts[i].name, val, len));
}

u32 VW_WASIX(sock_get_opt_flag)(vw_wasix_ctx *c, u32 fd, u32 opt, u32 flag_p)
{
    return get_opt(c, fd, opt, OPT_FLAG, flag_p);
}

u32 VW_WASIX(sock_set_opt_flag)(vw_wasix_ctx *c, u32 fd, u32 opt, u32 flag)
{
    int v = flag != 0;
    if (flag > 1)
        return VEPOLL_WASI_EINVAL;
    return set_opt(c, fd, opt, OPT_FLAG, &v, sizeof(v));
}

u32 VW_WASIX(sock_get_opt_size)(vw_wasix_ctx *c, u32 fd, u32 opt, u32 size_p)
{
    return get_opt(c, fd, opt, OPT_SIZE, size_p);
}

u32 VW_WASIX(sock_set_opt_size)(vw_wasix_ctx *c, u32 fd, u32 opt, u64 size)
{
    int v = (int)size;
    if (size > INT32_MAX)
        return VEPOLL_WASI_EINVAL;
    return set_opt(c, fd, opt, OPT_SIZE, &v, sizeof(v));
}

/* __wasi_option_timestamp_t: u8 tag (0 none, 1 some), u64 ns at 8. */
u32 VW_WASIX(sock_get_opt_time)(vw_wasix_ctx *c, u32 fd, u32 opt, u32 time_p)
{
    return get_opt(c, fd, opt, OPT_TIME, time_p);
}

u32 VW_WASIX(sock_set_opt_time)(vw_wasix_ctx *c, u32 fd, u32 opt, u32 time_p)
{
    const uint8_t *p = vw_gptr(HX(c), time_p, 16);
    struct linger lg;
    uint64_t ns;
    if (!p)
        return VEPOLL_WASI_EMEMVIOLATION;
    if (p[0] > 1)
        return VEPOLL_WASI_EINVAL;
    memcpy(&ns, p + 8, 8);
    lg.l_onoff = p[0];
    lg.l_linger = (int)(ns / 1000000000u > INT32_MAX ? INT32_MAX : ns / 1000000000u);
    return set_opt(c, fd, opt, OPT_TIME, &lg, sizeof(lg));
}
