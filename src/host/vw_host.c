/*
 * The WASI preview1 + WASIX imports of vw_host (see vw_host.h).
 *
 * Contract: every import runs on the guest's thread.  Guest memory is read
 * through h->mem on every call (a memory.grow between calls may move it;
 * nothing can move it during a call), every guest pointer and length is
 * checked with 64-bit arithmetic and a bad one returns EFAULT (WASI
 * preview1 calls) or MEMVIOLATION (the WASIX calls, through the adapter);
 * the host never traps or crashes on guest input.  Blocking imports
 * (fd_read, fd_write, epoll_wait, poll_oneoff) block this thread only; the
 * objects they wait on are fed by other threads through the adapter.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include "vepoll_objects.h"
#include "vw_host.h"
#include "vw_signal.h"

#define W_SUCCESS 0
#define W_EBADF 8
#define W_EFAULT 21
#define W_EINTR 27
#define W_EINVAL 28
#define W_EIO 29
#define W_ENOSYS 52
#define W_ENOTCAPABLE 76
#define W_ESPIPE 70
#define W_EPIPE 64
#define W_ESRCH 71

#define FILETYPE_UNKNOWN 0
#define FILETYPE_CHARACTER_DEVICE 2
#define FILETYPE_SOCKET_STREAM 6
#define FDFLAGS_NONBLOCK 4u
#define RIGHT_FD_READ (1u << 1)
#define RIGHT_FD_FDSTAT_SET_FLAGS (1u << 3)
#define RIGHT_FD_WRITE (1u << 6)
#define RIGHT_FD_FILESTAT_GET (1u << 21)
#define RIGHT_POLL_FD_READWRITE (1u << 27)
#define RIGHT_SOCK_SHUTDOWN (1u << 28)

static struct vw_host *H(const vw_wasi_ctx *c) { return c->host; }
static struct vw_host *HX(const vw_wasix_ctx *c) { return c->host; }

static struct vepoll_wasix_mem gmem(const struct vw_host *h)
{
    struct vepoll_wasix_mem m = {h->mem->data, h->mem->size};
    return m;
}

uint8_t *vw_gptr(const struct vw_host *h, uint64_t off, uint64_t len)
{
    uint64_t size = h->mem->size;
    if (off > size || len > size - off)
        return NULL;
    return h->mem->data + off;
}

/* Copies len bytes to [off, off + len) of guest memory: 0, or -1 if that
 * is out of bounds. */
static int put_bytes(const struct vw_host *h, uint32_t off, const void *v, uint64_t len)
{
    uint8_t *p = vw_gptr(h, off, len);
    if (!p)
        return -1;
    memcpy(p, v, len);
    return 0;
}

int vw_put_u16(const struct vw_host *h, uint32_t off, uint16_t v)
{
    return put_bytes(h, off, &v, 2);
}

int vw_put_u32(const struct vw_host *h, uint32_t off, uint32_t v)
{
    return put_bytes(h, off, &v, 4);
}

static int put_u64(const struct vw_host *h, uint32_t off, uint64_t v)
{
    return put_bytes(h, off, &v, 8);
}

static uint32_t get_u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get_u64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

int vw_host_init(struct vw_host *h, int argc, char **argv, char **envp)
{
    memset(h, 0, sizeof(*h));
    h->argc = argc;
    h->argv = argv;
    h->envp = envp;
    return vepoll_wasix_create(&h->wx, NULL);
}

void vw_host_fini(struct vw_host *h)
{
    vepoll_wasix_destroy(h->wx);
    h->wx = NULL;
}

/* ---- args / environ -------------------------------------------------------- */

static uint32_t strings_sizes(struct vw_host *h, char **v, int n, uint32_t count_p, uint32_t size_p)
{
    uint64_t total = 0;
    for (int i = 0; i < n; i++)
        total += strlen(v[i]) + 1;
    if (total > UINT32_MAX)
        return W_EINVAL;
    if (!vw_gptr(h, count_p, 4) || !vw_gptr(h, size_p, 4))
        return W_EFAULT;
    vw_put_u32(h, count_p, (uint32_t)n);
    vw_put_u32(h, size_p, (uint32_t)total);
    return W_SUCCESS;
}

static uint32_t strings_get(struct vw_host *h, char **v, int n, uint32_t ptrs_p, uint32_t buf_p)
{
    uint64_t total = 0, off = 0;
    uint8_t *buf;
    for (int i = 0; i < n; i++)
        total += strlen(v[i]) + 1;
    if (!vw_gptr(h, ptrs_p, (uint64_t)n * 4) || !(buf = vw_gptr(h, buf_p, total)))
        return W_EFAULT;
    for (int i = 0; i < n; i++) {
        size_t len = strlen(v[i]) + 1;
        vw_put_u32(h, ptrs_p + (uint32_t)i * 4, buf_p + (uint32_t)off);
        memcpy(buf + off, v[i], len);
        off += len;
    }
    return W_SUCCESS;
}

static int env_count(char **envp)
{
    int n = 0;
    while (envp && envp[n])
        n++;
    return n;
}

u32 VW_WASI(args_sizes_get)(vw_wasi_ctx *c, u32 argc_p, u32 size_p)
{
    return strings_sizes(H(c), H(c)->argv, H(c)->argc, argc_p, size_p);
}

u32 VW_WASI(args_get)(vw_wasi_ctx *c, u32 argv_p, u32 buf_p)
{
    return strings_get(H(c), H(c)->argv, H(c)->argc, argv_p, buf_p);
}

u32 VW_WASI(environ_sizes_get)(vw_wasi_ctx *c, u32 n_p, u32 size_p)
{
    return strings_sizes(H(c), H(c)->envp, env_count(H(c)->envp), n_p, size_p);
}

u32 VW_WASI(environ_get)(vw_wasi_ctx *c, u32 env_p, u32 buf_p)
{
    return strings_get(H(c), H(c)->envp, env_count(H(c)->envp), env_p, buf_p);
}

/* ---- clocks ---------------------------------------------------------------- */

static int clock_of(uint32_t id, clockid_t *out)
{
    switch (id) {
    case 0: *out = CLOCK_REALTIME; return 0;
    case 1: *out = CLOCK_MONOTONIC; return 0;
    case 2: *out = CLOCK_PROCESS_CPUTIME_ID; return 0;
    case 3: *out = CLOCK_THREAD_CPUTIME_ID; return 0;
    default: return -1;
    }
}

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

u32 VW_WASI(clock_res_get)(vw_wasi_ctx *c, u32 id, u32 res_p)
{
    clockid_t cid;
    struct timespec ts;
    if (clock_of(id, &cid))
        return W_EINVAL;
    clock_getres(cid, &ts);
    return put_u64(H(c), res_p, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec)
               ? W_EFAULT
               : W_SUCCESS;
}

u32 VW_WASI(clock_time_get)(vw_wasi_ctx *c, u32 id, u64 precision, u32 time_p)
{
    clockid_t cid;
    (void)precision;
    if (clock_of(id, &cid))
        return W_EINVAL;
    return put_u64(H(c), time_p, clock_ns(cid)) ? W_EFAULT : W_SUCCESS;
}

/* ---- descriptors ----------------------------------------------------------- */

uint32_t vw_werr(int64_t neg)
{
    return vepoll_wasix_errno((int)neg);
}

uint32_t vw_fd_lookup(struct vw_host *h, uint32_t fd, struct vepoll_wasix_fdinfo *info,
                      int *stream)
{
    int rc;
    *stream = -1;
    rc = vepoll_wasix_fd_info(h->wx, fd, info);
    if (rc)
        return vw_werr(rc);
    /* Stdio entries are descriptors like any other (dup-able, closable). */
    if (info->kind == VEPOLL_WASIX_KIND_STDIO)
        *stream = info->host_stdio;
    return W_SUCCESS;
}

u32 VW_WASI(fd_close)(vw_wasi_ctx *c, u32 fd)
{
    struct vw_host *h = H(c);
    return vw_werr(vepoll_wasix_close(h->wx, fd));
}

u32 VW_WASI(fd_fdstat_get)(vw_wasi_ctx *c, u32 fd, u32 stat_p)
{
    struct vw_host *h = H(c);
    struct vepoll_wasix_fdinfo info;
    uint8_t st[24] = {0}, *p;
    uint64_t rights = RIGHT_POLL_FD_READWRITE | RIGHT_FD_FDSTAT_SET_FLAGS | RIGHT_FD_FILESTAT_GET;
    uint16_t flags = 0;
    uint32_t err;
    int stream = -1;
    if ((err = vw_fd_lookup(h, fd, &info, &stream)) != 0)
        return err;
    if (!(p = vw_gptr(h, stat_p, sizeof(st))))
        return W_EFAULT;
    switch (info.kind) {
    case VEPOLL_WASIX_KIND_STDIO:
        /* A character device without seek/tell: wasi-libc line-buffers it. */
        st[0] = FILETYPE_CHARACTER_DEVICE;
        rights |= stream == 0 ? RIGHT_FD_READ : RIGHT_FD_WRITE;
        break;
    case VEPOLL_WASIX_KIND_SOCKET:
    case VEPOLL_WASIX_KIND_KFD: /* a real (stream) socket: vw_net.c */
        st[0] = FILETYPE_SOCKET_STREAM;
        rights |= RIGHT_FD_READ | RIGHT_FD_WRITE | RIGHT_SOCK_SHUTDOWN;
        break;
    case VEPOLL_WASIX_KIND_PIPE_READ: rights |= RIGHT_FD_READ; break;
    case VEPOLL_WASIX_KIND_PIPE_WRITE: rights |= RIGHT_FD_WRITE; break;
    case VEPOLL_WASIX_KIND_EPOLL: rights |= RIGHT_FD_READ | RIGHT_FD_WRITE; break; /* O_RDWR (S277) */
    case VEPOLL_WASIX_KIND_EVENTFD: rights |= RIGHT_FD_READ | RIGHT_FD_WRITE; break;
    case VEPOLL_WASIX_KIND_TIMERFD: rights |= RIGHT_FD_READ | RIGHT_FD_WRITE; break; /* O_RDWR */
    default: break;
    }
    if (info.nonblock)
        flags |= FDFLAGS_NONBLOCK;
    memcpy(st + 2, &flags, 2);
    memcpy(st + 8, &rights, 8);
    memcpy(p, st, sizeof(st));
    return W_SUCCESS;
}

u32 VW_WASI(fd_fdstat_set_flags)(vw_wasi_ctx *c, u32 fd, u32 flags)
{
    struct vw_host *h = H(c);
    if (flags & ~FDFLAGS_NONBLOCK)
        return W_EINVAL;
    return vw_werr(vepoll_wasix_set_nonblock(h->wx, fd, (flags & FDFLAGS_NONBLOCK) != 0));
}

u32 VW_WASI(fd_filestat_get)(vw_wasi_ctx *c, u32 fd, u32 stat_p)
{
    struct vw_host *h = H(c);
    struct vepoll_wasix_fdinfo info;
    uint8_t st[64] = {0}, *p;
    uint64_t nlink = 1;
    int rc = vepoll_wasix_fd_info(h->wx, fd, &info);
    if (rc)
        return vw_werr(rc);
    if (!(p = vw_gptr(h, stat_p, sizeof(st))))
        return W_EFAULT;
    st[16] = info.kind == VEPOLL_WASIX_KIND_STDIO ? FILETYPE_CHARACTER_DEVICE
             : info.kind == VEPOLL_WASIX_KIND_SOCKET || info.kind == VEPOLL_WASIX_KIND_KFD
                 ? FILETYPE_SOCKET_STREAM
                 : FILETYPE_UNKNOWN;
    memcpy(st + 24, &nlink, 8);
    memcpy(p, st, sizeof(st));
    return W_SUCCESS;
}

u32 VW_WASI(fd_seek)(vw_wasi_ctx *c, u32 fd, u64 offset, u32 whence, u32 new_p)
{
    struct vepoll_wasix_fdinfo info;
    (void)offset;
    (void)whence;
    (void)new_p;
    if (vepoll_wasix_fd_info(H(c)->wx, fd, &info))
        return W_EBADF;
    return W_ESPIPE;
}

u32 VW_WASI(fd_prestat_get)(vw_wasi_ctx *c, u32 fd, u32 p)
{
    (void)c;
    (void)fd;
    (void)p;
    return W_EBADF; /* no preopened directories */
}

u32 VW_WASI(fd_prestat_dir_name)(vw_wasi_ctx *c, u32 fd, u32 p, u32 len)
{
    (void)c;
    (void)fd;
    (void)p;
    (void)len;
    return W_EBADF;
}

u32 VW_WASI(path_open)(vw_wasi_ctx *c, u32 dirfd, u32 dirflags, u32 path, u32 path_len, u32 oflags,
                       u64 rights, u64 inheriting, u32 fdflags, u32 fd_p)
{
    (void)c; (void)dirfd; (void)dirflags; (void)path; (void)path_len; (void)oflags;
    (void)rights; (void)inheriting; (void)fdflags; (void)fd_p;
    return W_ENOTCAPABLE; /* this host gives the guest no file system */
}

const uint8_t *vw_iovecs(const struct vw_host *h, uint32_t iovs, uint32_t n, uint64_t *total)
{
    const uint8_t *iv = vw_gptr(h, iovs, (uint64_t)n * 8);
    *total = 0;
    if (!iv)
        return NULL;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t b = get_u32(iv + i * 8), l = get_u32(iv + i * 8 + 4);
        if (!vw_gptr(h, b, l))
            return NULL;
        *total += l;
    }
    return iv;
}

/* The guest's bytes of iovs in one buffer: *buf points into guest memory
 * when n == 1 (*owned 0), else it is malloc'ed (*owned 1).  0 or -ENOMEM. */
static int gather(const struct vw_host *h, const uint8_t *iv, uint32_t n, uint64_t total,
                  uint8_t **buf, int *owned)
{
    uint64_t off = 0;
    if (n == 1) {
        *buf = h->mem->data + get_u32(iv);
        *owned = 0;
        return 0;
    }
    *buf = calloc(total ? total : 1, 1); /* zeroed: nothing uninitialized reaches op */
    if (!*buf)
        return -ENOMEM;
    *owned = 1;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t b = get_u32(iv + i * 8), l = get_u32(iv + i * 8 + 4);
        memcpy(*buf + off, h->mem->data + b, l);
        off += l;
    }
    return 0;
}

uint32_t vw_write_gathered(struct vw_host *h, uint32_t fd, const uint8_t *iv, uint32_t n,
                           uint64_t total, vw_writer op, uint32_t flags, uint32_t len_p)
{
    uint8_t *buf = NULL;
    int64_t done;
    int owned = 0, rc = gather(h, iv, n, total, &buf, &owned);
    if (rc)
        return vw_werr(rc);
    done = op(h, fd, buf, total, flags);
    if (owned)
        free(buf);
    if (done < 0)
        return vw_werr(done);
    vw_put_u32(h, len_p, (uint32_t)done);
    return W_SUCCESS;
}

void vw_first_buffer(const uint8_t *iv, uint32_t n, uint32_t *buf, uint32_t *len)
{
    *buf = 0;
    *len = 0;
    for (uint32_t i = 0; i < n && !*len; i++) {
        *buf = get_u32(iv + i * 8);
        *len = get_u32(iv + i * 8 + 4);
    }
}

/* A single iovec at iovs and a u32 result at res_p, all in bounds: 0 with
 * the buffer in *buf, *len; -1 otherwise (the general path answers). */
static int one_buffer(const struct vw_host *h, u32 iovs, u32 res_p, uint32_t *buf, uint32_t *len)
{
    const uint8_t *iv = vw_gptr(h, iovs, 8);
    if (!iv || !vw_gptr(h, res_p, 4))
        return -1;
    *buf = get_u32(iv);
    *len = get_u32(iv + 4);
    return vw_gptr(h, *buf, *len) ? 0 : -1;
}

static int64_t table_write(struct vw_host *h, uint32_t fd, const void *buf, size_t len,
                           uint32_t flags)
{
    (void)flags;
    return vepoll_wasix_write(h->wx, fd, buf, len);
}

/* The host's own write of the guest's iovecs to host stream `stream`. */
static u32 stdio_write(struct vw_host *h, int stream, const uint8_t *iv, u32 n, u32 nwritten_p)
{
    int64_t done = 0;
    if (stream == 0)
        return W_EBADF;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t b = get_u32(iv + i * 8), l = get_u32(iv + i * 8 + 4);
        for (uint32_t off = 0; off < l;) {
            ssize_t w = write(stream, h->mem->data + b + off, l - off);
            if (w < 0) {
                /* A signal for the guest ends the write as it ends
                 * Linux's; an ignored one does not. */
                if (errno == EINTR && !vw_signal_pending())
                    continue;
                if (done)
                    return vw_put_u32(h, nwritten_p, (uint32_t)done), W_SUCCESS;
                return errno == EINTR ? W_EINTR : W_EIO;
            }
            off += (uint32_t)w;
            done += w;
        }
    }
    vw_put_u32(h, nwritten_p, (uint32_t)done);
    return W_SUCCESS;
}

/* Every descriptor is written through the table first (one look-up: the
 * common case of a pipe, an eventfd, a socket or watched stdio); only an
 * ENOTSUP answer, which unwatched stdio gives, costs a second look-up to
 * find the host stream it stands for. */
static u32 fd_write_once(struct vw_host *h, u32 fd, u32 iovs, u32 n, u32 nwritten_p)
{
    uint64_t total;
    const uint8_t *iv;
    int stream = -1;
    struct vepoll_wasix_fdinfo info;
    uint32_t err, lerr, b, l;
    if (n == 1 && one_buffer(h, iovs, nwritten_p, &b, &l) == 0) {
        /* One buffer, the common case: written straight from guest memory,
         * without the gathering machinery (the same checks were made). */
        int64_t done = vepoll_wasix_write(h->wx, fd, h->mem->data + b, l);
        if (done < 0 && done != -ENOTSUP)
            return vw_werr(done);
        if (done >= 0) {
            vw_put_u32(h, nwritten_p, (uint32_t)done);
            return W_SUCCESS;
        }
        iv = h->mem->data + iovs;
        err = vw_werr(done);
    } else {
        iv = vw_iovecs(h, iovs, n, &total);
        if (!iv || !vw_gptr(h, nwritten_p, 4))
            return W_EFAULT;
        /* One write of the gathered bytes, so a pipe write of <= PIPE_BUF
         * bytes stays atomic however the guest split it. */
        err = vw_write_gathered(h, fd, iv, n, total, table_write, 0, nwritten_p);
        if (err != VEPOLL_WASI_ENOTSUP)
            return err;
    }
    if ((lerr = vw_fd_lookup(h, fd, &info, &stream)) != 0)
        return lerr; /* closed meanwhile */
    return stream >= 0 ? stdio_write(h, stream, iv, n, nwritten_p) : err;
}

u32 VW_WASI(fd_write)(vw_wasi_ctx *c, u32 fd, u32 iovs, u32 n, u32 nwritten_p)
{
    u32 rc;
    do
        rc = fd_write_once(H(c), fd, iovs, n, nwritten_p);
    while (vw_signal_restart(rc));
    return rc;
}

/* As fd_write_once: the table first, the host stream on ENOTSUP. */
static u32 fd_read_once(struct vw_host *h, u32 fd, u32 iovs, u32 n, u32 nread_p)
{
    uint64_t total;
    const uint8_t *iv;
    uint32_t b, l, err;
    int64_t got;
    int stream = -1;
    struct vepoll_wasix_fdinfo info;
    if (n != 1 || one_buffer(h, iovs, nread_p, &b, &l)) {
        iv = vw_iovecs(h, iovs, n, &total);
        if (!iv || !vw_gptr(h, nread_p, 4))
            return W_EFAULT;
        vw_first_buffer(iv, n, &b, &l);
    }
    got = vepoll_wasix_read(h->wx, fd, h->mem->data + b, l); /* watched stdio too */
    if (got == -ENOTSUP) {
        if ((err = vw_fd_lookup(h, fd, &info, &stream)) != 0)
            return err; /* closed meanwhile */
        if (stream < 0)
            return vw_werr(got);
        /* unwatched stdio: the host's */
        if (stream != 0)
            return W_EBADF;
        if (vw_signal_wait_fd(0, POLLIN))
            return W_EINTR;
        do
            got = read(0, h->mem->data + b, l);
        while (got < 0 && errno == EINTR && !vw_signal_pending());
        if (got < 0)
            return errno == EINTR ? W_EINTR : W_EIO;
    } else if (got < 0) {
        return vw_werr(got);
    }
    vw_put_u32(h, nread_p, (uint32_t)got);
    return W_SUCCESS;
}

u32 VW_WASI(fd_read)(vw_wasi_ctx *c, u32 fd, u32 iovs, u32 n, u32 nread_p)
{
    u32 rc;
    do
        rc = fd_read_once(H(c), fd, iovs, n, nread_p);
    while (vw_signal_restart(rc));
    return rc;
}

/* ---- poll_oneoff ----------------------------------------------------------- */

#define SUB_SIZE 48
#define EVT_SIZE 32
#define EVENTTYPE_CLOCK 0
#define EVENTTYPE_FD_READ 1
#define EVENTTYPE_FD_WRITE 2
#define SUBCLOCK_ABSTIME 1u
#define EVENTRW_HANGUP 1u

static void put_event(uint8_t *out, uint64_t userdata, uint16_t error, uint8_t type,
                      uint64_t nbytes, uint16_t flags)
{
    uint8_t e[EVT_SIZE] = {0};
    memcpy(e, &userdata, 8);
    memcpy(e + 8, &error, 2);
    e[10] = type;
    memcpy(e + 16, &nbytes, 8);
    memcpy(e + 24, &flags, 2);
    memcpy(out, e, sizeof(e));
}

static u32 poll_once(struct vw_host *h, u32 in_p, u32 out_p, u32 nsubs, u32 nevents_p)
{
    const uint8_t *in = vw_gptr(h, in_p, (uint64_t)nsubs * SUB_SIZE);
    uint8_t *out = vw_gptr(h, out_p, (uint64_t)nsubs * EVT_SIZE);
    struct vepoll_wasix_pollitem *items = NULL;
    uint32_t *which = NULL, nitems = 0, nev = 0;
    int64_t timeout = -1, now = (int64_t)clock_ns(CLOCK_MONOTONIC);
    uint64_t *clock_deadline = NULL;
    uint32_t rc = W_SUCCESS;
    int pr;

    if (!in || !out || !vw_gptr(h, nevents_p, 4))
        return W_EFAULT;
    if (nsubs == 0)
        return W_EINVAL;
    items = calloc(nsubs, sizeof(*items));
    which = calloc(nsubs, sizeof(*which));
    clock_deadline = calloc(nsubs, sizeof(*clock_deadline));
    if (!items || !which || !clock_deadline) {
        rc = vepoll_wasix_errno(-ENOMEM);
        goto out;
    }
    for (uint32_t i = 0; i < nsubs; i++) {
        const uint8_t *s = in + (size_t)i * SUB_SIZE;
        uint8_t tag = s[8];
        if (tag == EVENTTYPE_CLOCK) {
            uint32_t id = get_u32(s + 16);
            uint64_t t = get_u64(s + 24);
            uint16_t fl;
            clockid_t cid;
            int64_t rel;
            memcpy(&fl, s + 40, 2);
            if (clock_of(id, &cid)) {
                rc = W_EINVAL;
                goto out;
            }
            if (fl & SUBCLOCK_ABSTIME) {
                uint64_t cur = clock_ns(cid);
                rel = t > cur ? (int64_t)((t - cur) > INT64_MAX / 4 ? INT64_MAX / 4 : t - cur) : 0;
            } else {
                rel = t > INT64_MAX / 4 ? INT64_MAX / 4 : (int64_t)t;
            }
            clock_deadline[i] = (uint64_t)(now + rel);
            if (timeout < 0 || rel < timeout)
                timeout = rel;
        } else if (tag == EVENTTYPE_FD_READ || tag == EVENTTYPE_FD_WRITE) {
            items[nitems].fd = get_u32(s + 16);
            items[nitems].events = tag == EVENTTYPE_FD_READ ? VEPOLL_IN : VEPOLL_OUT;
            which[nitems++] = i;
        } else {
            rc = W_EINVAL;
            goto out;
        }
    }
    if (nitems) {
        pr = vepoll_wasix_poll(h->wx, items, nitems, timeout);
        if (pr < 0) {
            rc = vw_werr(pr);
            goto out;
        }
        for (uint32_t k = 0; k < nitems; k++) {
            const uint8_t *s = in + (size_t)which[k] * SUB_SIZE;
            uint8_t type = s[8];
            uint64_t ud = get_u64(s);
            struct vepoll_wasix_fdinfo info;
            uint16_t err = 0, flags = 0;
            if (items[k].ok) {
                err = (uint16_t)vw_werr(items[k].ok);
            } else if (!items[k].revents) {
                continue;
            } else {
                if (items[k].revents & VEPOLL_HUP)
                    flags |= EVENTRW_HANGUP;
                if (type == EVENTTYPE_FD_WRITE && (items[k].revents & VEPOLL_ERR))
                    err = W_EPIPE;
            }
            memset(&info, 0, sizeof(info));
            if (!err)
                vepoll_wasix_fd_info(h->wx, items[k].fd, &info);
            put_event(out + (size_t)nev++ * EVT_SIZE, ud, err, type, info.nbytes, flags);
        }
    } else if (timeout > 0) {
        /* Clocks only: a sleep the guest thread's signals interrupt. */
        pr = vepoll_wasix_poll(h->wx, NULL, 0, timeout);
        if (pr < 0) {
            rc = vw_werr(pr);
            goto out;
        }
    }
    if (!nev) {
        /* Only clocks can have fired: report every one that is due. */
        int64_t t = (int64_t)clock_ns(CLOCK_MONOTONIC);
        for (uint32_t i = 0; i < nsubs; i++) {
            const uint8_t *s = in + (size_t)i * SUB_SIZE;
            if (s[8] == EVENTTYPE_CLOCK && (int64_t)clock_deadline[i] <= t)
                put_event(out + (size_t)nev++ * EVT_SIZE, get_u64(s), 0, EVENTTYPE_CLOCK, 0, 0);
        }
    }
    vw_put_u32(h, nevents_p, nev);
out:
    free(items);
    free(which);
    free(clock_deadline);
    return rc;
}

u32 VW_WASI(poll_oneoff)(vw_wasi_ctx *c, u32 in_p, u32 out_p, u32 nsubs, u32 nevents_p)
{
    u32 rc = poll_once(H(c), in_p, out_p, nsubs, nevents_p);
    vw_signal_deliver(); /* poll(2) and sleeps: never restarted (Linux) */
    return rc;
}

/* ---- process --------------------------------------------------------------- */

static void exit_guest(struct vw_host *h, u32 code)
{
    h->exit_code = (int)code;
    longjmp(h->exit_jmp, 1);
}

void VW_WASI(proc_exit)(vw_wasi_ctx *c, u32 code)
{
    exit_guest(H(c), code);
}

void VW_WASIX(proc_exit2)(vw_wasix_ctx *c, u32 code)
{
    exit_guest(HX(c), code);
}

/* The guest is a process of its own: the host process's pid, and its
 * parent's as the parent (WASIX pid_t is an i32). */
u32 VW_WASIX(proc_id)(vw_wasix_ctx *c, u32 pid_p)
{
    return vw_put_u32(HX(c), pid_p, (uint32_t)getpid()) ? W_EFAULT : W_SUCCESS;
}

u32 VW_WASIX(proc_parent)(vw_wasix_ctx *c, u32 pid, u32 parent_p)
{
    if ((int32_t)pid != getpid())
        return W_ESRCH;
    return vw_put_u32(HX(c), parent_p, (uint32_t)getppid()) ? W_EFAULT : W_SUCCESS;
}

u32 VW_WASI(random_get)(vw_wasi_ctx *c, u32 buf_p, u32 len)
{
    uint8_t *p = vw_gptr(H(c), buf_p, len);
    size_t off = 0;
    if (!p)
        return W_EFAULT;
    while (off < len) {
        ssize_t n = getrandom(p + off, len - off, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return W_EIO;
        }
        off += (size_t)n;
    }
    return W_SUCCESS;
}

u32 VW_WASI(sched_yield)(vw_wasi_ctx *c)
{
    (void)c;
    sched_yield();
    return W_SUCCESS;
}

u32 VW_WASI(sock_shutdown)(vw_wasi_ctx *c, u32 fd, u32 how)
{
    return vepoll_wasix_sock_shutdown(H(c)->wx, fd, how);
}

/* ---- WASIX ----------------------------------------------------------------- */

u32 VW_WASIX(epoll_create)(vw_wasix_ctx *c, u32 ret_fd_p)
{
    return vepoll_wasix_epoll_create(HX(c)->wx, gmem(HX(c)), ret_fd_p);
}

u32 VW_WASIX(epoll_ctl)(vw_wasix_ctx *c, u32 epfd, u32 op, u32 fd, u32 event_p)
{
    return vepoll_wasix_epoll_ctl(HX(c)->wx, gmem(HX(c)), VEPOLL_WASIX_32, epfd, op, fd, event_p);
}

/* Both epoll_wait imports: the adapter's wait in the given ABI, then the
 * signals that arrived are delivered. */
static u32 epoll_wait_then_signals(struct vw_host *h, enum vepoll_wasix_abi abi, u32 epfd,
                                   u32 events_p, u32 maxevents, u64 timeout, u32 nevents_p)
{
    u32 rc = vepoll_wasix_epoll_wait(h->wx, gmem(h), abi, epfd, events_p, (int32_t)maxevents,
                                     timeout, nevents_p);
    vw_signal_deliver(); /* never restarted, whatever SA_RESTART says (Linux) */
    return rc;
}

u32 VW_WASIX(epoll_wait)(vw_wasix_ctx *c, u32 epfd, u32 events_p, u32 maxevents, u64 timeout,
                         u32 nevents_p)
{
    return epoll_wait_then_signals(HX(c), VEPOLL_WASIX_32, epfd, events_p, maxevents, timeout,
                                   nevents_p);
}

/* vepoll_ext_v1's epoll: Linux's struct epoll_event (16 bytes), ops and
 * bits (EXCLUSIVE, WAKEUP, RDNORM...), EFAULT for a pointer outside memory;
 * the rest is the WASIX imports' path (docs/GUESTS.md). */
u32 VW_EXT(epoll_ctl)(vw_ext_ctx *c, u32 epfd, u32 op, u32 fd, u32 event_p)
{
    return vepoll_wasix_epoll_ctl(c->host->wx, gmem(c->host), VEPOLL_WASIX_LINUX32, epfd, op,
                                  fd, event_p);
}

/* timeout_ns < 0 (as an i64) waits without a limit, as the poll import. */
u32 VW_EXT(epoll_wait)(vw_ext_ctx *c, u32 epfd, u32 events_p, u32 maxevents, u64 timeout_ns,
                       u32 nevents_p)
{
    u64 t = (int64_t)timeout_ns < 0 ? VEPOLL_WASIX_TIMEOUT_FOREVER : timeout_ns;
    return epoll_wait_then_signals(c->host, VEPOLL_WASIX_LINUX32, epfd, events_p, maxevents, t,
                                   nevents_p);
}

u32 VW_WASIX(fd_pipe)(vw_wasix_ctx *c, u32 rfd_p, u32 wfd_p)
{
    return vepoll_wasix_fd_pipe(HX(c)->wx, gmem(HX(c)), rfd_p, wfd_p);
}

u32 VW_WASIX(fd_event)(vw_wasix_ctx *c, u64 initval, u32 flags, u32 fd_p)
{
    return vepoll_wasix_fd_event(HX(c)->wx, gmem(HX(c)), initval, flags, fd_p);
}

u32 VW_WASIX(sock_pair)(vw_wasix_ctx *c, u32 af, u32 type, u32 proto, u32 fd0_p, u32 fd1_p)
{
    return vepoll_wasix_sock_pair(HX(c)->wx, gmem(HX(c)), af, type, proto, fd0_p, fd1_p);
}

u32 VW_WASIX(sock_shutdown)(vw_wasix_ctx *c, u32 fd, u32 how)
{
    return vepoll_wasix_sock_shutdown(HX(c)->wx, fd, how);
}
