/*
 * libFuzzer target "wasix": the input is decoded into a sequence of calls on
 * the WASIX ABI adapter (include/vepoll_wasix.h) with the built-in
 * descriptor table: epoll_create / epoll_ctl / epoll_wait (wasm32, wasm64
 * and vepoll_ext_v1's Linux event, VEPOLL_WASIX_LINUX32), fd_pipe, fd_event, sock_pair, sock_shutdown, and the host-side
 * read / write / close / shutdown / set_nonblock / fd_info / poll / dup /
 * dup3 / renumber / cloexec / recv / send / timerfd_*, with
 * arbitrary fds, ops, flags, guest pointers (0, in range, near the end, past
 * it, wrapping, unaligned, overlapping), maxevents (huge ones included),
 * guest memory contents and guest memory sizes, and armed allocation
 * failures.  Timeouts are always 0 and every fd is made non-blocking before
 * a host read or write, so nothing blocks.
 *
 * What aborts (a finding):
 *  - an import returning a value outside the WASI errno table of
 *    vepoll_wasix.h (0..79 as listed there);
 *  - any access outside the guest memory: the guest buffer ends at a
 *    PROT_NONE page (an overflow faults) and the bytes of its page before it
 *    are canaries, checked after every call;
 *  - an import that failed having changed any guest byte, or one that
 *    succeeded having changed a byte outside its result objects;
 *  - epoll_ctl / sock_shutdown changing guest memory at all;
 *  - epoll_wait reporting more than maxevents, an event with bits outside
 *    0xff (WASIX) or other than readiness bits (Linux event), non-zero
 *    padding, or a data.fd that was never open;
 *  - after closing every fd: a side-table slot still alive, and after
 *    vepoll_wasix_destroy: an allocated block still alive (counting
 *    allocator; LeakSanitizer checks the rest).
 *
 * Single-threaded: there is no concurrency here to state a contract for.
 *
 * VEPOLL_FUZZ_TRACE=1 prints the decoded calls (for bug reports).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vepoll_objects.h"
#include "vepoll_wasix.h"
#include "vtest.h"

/* White-box (whitebox_wasix.c, the only file here that sees the adapter's
 * internals): side-table slots alive in wx. */
uint32_t whitebox_wasix_live_slots(const vepoll_wasix_t *wx);

#define MAX_OPS 512
#define NFDS 32 /* fds remembered from successful creates */

/* ---- guest memory ------------------------------------------------------------ */

#define CANARY 0xA5

static uint8_t *page;    /* one RW page between two PROT_NONE pages */
static size_t pagesz;
static uint8_t shadow[65536];
static struct vepoll_wasix_mem mem;
static bool null_base;

static void set_mem(uint64_t size, bool nullb)
{
    null_base = nullb;
    memset(page, CANARY, pagesz - size);
    mem.base = nullb ? NULL : page + pagesz - size;
    mem.size = size;
}

/* ---- state ------------------------------------------------------------------ */

static vepoll_wasix_t *wx;
static uint32_t fds[NFDS];
static unsigned nfds;
static uint32_t maxfd;    /* every fd ever open is at most this */
static int opno;
static uint64_t lastptr;

#define T(...) vt_trace(opno, __VA_ARGS__) /* VEPOLL_FUZZ_TRACE=1 */

static void die(const char *what, long long v)
{
    fprintf(stderr, "fuzz_wasix: call %d: %s (%lld)\n", opno, what, v);
    abort();
}

/* ---- input --------------------------------------------------------------------- */

static uint64_t raw(struct vt_in *in, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)vt_in_u8(in) << (8 * i);
    return v;
}

static uint64_t gptr(struct vt_in *in)
{
    uint8_t s = vt_in_u8(in);
    uint64_t p, k = s >> 4;
    switch (s & 15) {
    case 0: p = 0; break;
    case 1: case 2: p = mem.size ? raw(in, 2) % mem.size : 0; break;
    case 3: p = mem.size ? (raw(in, 2) % mem.size) & ~UINT64_C(7) : 0; break;
    case 4: p = mem.size - 32 - k; break; /* near the end (wraps when small) */
    case 5: p = mem.size - 4 - k; break;
    case 6: p = mem.size - 8 + k; break;
    case 7: p = mem.size + k * 4; break;
    case 8: p = UINT64_MAX - k * 4; break;
    case 9: p = raw(in, 8); break;
    case 10: p = raw(in, 4); break;
    case 11: p = lastptr + k - 8; break; /* overlapping the previous one */
    case 12: p = lastptr; break;
    case 13: p = (UINT64_C(1) << 32) + k; break;
    case 14: p = mem.size ? (raw(in, 2) % mem.size) | 1 : 1; break;
    default: p = k * 8; break;
    }
    lastptr = p;
    return p;
}

static uint32_t gfd(struct vt_in *in)
{
    uint8_t s = vt_in_u8(in);
    switch (s & 7) {
    case 0: case 1: case 2:
        return nfds ? fds[(s >> 3) % nfds] : 3;
    case 3: return (uint32_t)(s >> 3); /* 0..31: stdio and low fds */
    case 4: return UINT32_MAX - (s >> 3);
    case 5: return (uint32_t)raw(in, 4);
    case 6: return 65536u + (s >> 3); /* past the table's limit */
    default: return 3u + (s >> 3) % 8;
    }
}

static int64_t gmaxev(struct vt_in *in)
{
    static const int64_t t[] = {1, 2, 3, 64, 65, 1024, 1025, 0, -1, INT32_MAX,
                                (int64_t)INT32_MAX + 1, INT64_MAX, INT64_MIN,
                                INT64_C(1) << 59, (INT64_C(1) << 59) + 1, 4};
    uint8_t s = vt_in_u8(in);
    if (s & 0x80) {
        int64_t d = (int64_t)(mem.size / VEPOLL_WASIX_EVENT_SIZE);
        return d + (s & 3) - 1; /* exactly the memory, one less, one more */
    }
    if (s & 0x40)
        return (int64_t)raw(in, 8);
    return t[s & 15];
}

static enum vepoll_wasix_abi gabi(struct vt_in *in)
{
    uint8_t s = vt_in_u8(in);
    if ((s & 31) == 31)
        return (enum vepoll_wasix_abi)(int)(s >> 5); /* no ABI */
    if ((s & 31) == 30)
        return VEPOLL_WASIX_LINUX32;
    return (s & 1) ? VEPOLL_WASIX_64 : VEPOLL_WASIX_32;
}

/* The bytes of one event in abi's layout. */
static uint64_t event_size(enum vepoll_wasix_abi abi)
{
    return abi == VEPOLL_WASIX_LINUX32 ? VEPOLL_WASIX_LINUX_EVENT_SIZE : VEPOLL_WASIX_EVENT_SIZE;
}

/* The bits a Linux event may report: readiness, never a flag or NVAL. */
#define LINUX_REPORTABLE                                                                   \
    (VEPOLL_IN | VEPOLL_PRI | VEPOLL_OUT | VEPOLL_ERR | VEPOLL_HUP | VEPOLL_RDNORM |       \
     VEPOLL_RDBAND | VEPOLL_WRNORM | VEPOLL_WRBAND | VEPOLL_MSG | VEPOLL_RDHUP)

static void remember(uint32_t fd)
{
    /* (Result pointers may overlap, so a number read back from guest
     * memory can be garbage: only possible numbers count.) */
    if (fd > maxfd && fd < VEPOLL_WASIX_MAX_FDS)
        maxfd = fd;
    if (nfds < NFDS)
        fds[nfds++] = fd;
    else
        fds[opno % NFDS] = fd;
}

/* ---- checks -------------------------------------------------------------------- */

static bool in_guest(uint64_t p, uint64_t len)
{
    return !null_base && p <= mem.size && len <= mem.size - p;
}

static void check_errno(uint32_t rc)
{
    switch (rc) {
    case VEPOLL_WASI_ESUCCESS: case VEPOLL_WASI_E2BIG: case VEPOLL_WASI_EACCES:
    case VEPOLL_WASI_EAGAIN: case VEPOLL_WASI_EBADF: case VEPOLL_WASI_EBUSY:
    case VEPOLL_WASI_EEXIST: case VEPOLL_WASI_EFAULT: case VEPOLL_WASI_EINTR:
    case VEPOLL_WASI_EINVAL: case VEPOLL_WASI_EIO: case VEPOLL_WASI_ELOOP:
    case VEPOLL_WASI_EMFILE: case VEPOLL_WASI_ENFILE: case VEPOLL_WASI_ENOENT:
    case VEPOLL_WASI_ENOMEM: case VEPOLL_WASI_ENOSPC: case VEPOLL_WASI_ENOSYS:
    case VEPOLL_WASI_ENOTCONN: case VEPOLL_WASI_ENOTSOCK: case VEPOLL_WASI_ENOTSUP:
    case VEPOLL_WASI_EOVERFLOW: case VEPOLL_WASI_EPERM: case VEPOLL_WASI_EPIPE:
    case VEPOLL_WASI_ESPIPE: case VEPOLL_WASI_ETIMEDOUT: case VEPOLL_WASI_ENOTCAPABLE:
    case VEPOLL_WASI_ESHUTDOWN: case VEPOLL_WASI_EMEMVIOLATION: case VEPOLL_WASI_EUNKNOWN:
        return;
    default:
        die("return value outside the WASI errno table", rc);
    }
}

static void snap(void)
{
    memcpy(shadow, page, pagesz);
}

static void check_canaries(void)
{
    for (size_t i = 0; i < pagesz - mem.size; i++)
        if (page[i] != CANARY)
            die("write before the guest memory", (long long)i);
}

/* Lets the call's result bytes [p, p + len) differ from the snapshot. */
static void allow(uint64_t p, uint64_t len)
{
    size_t off = pagesz - mem.size;
    if (p >= mem.size)
        return;
    if (len > mem.size - p)
        len = mem.size - p;
    memcpy(shadow + off + p, page + off + p, len);
}

/* Guest bytes (or canaries) changed outside [a, a + alen) and
 * [b, b + blen) abort.  One memcmp of the page: the common case is fast. */
static void check_only(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen, const char *call)
{
    size_t off = pagesz - mem.size;
    allow(a, alen);
    allow(b, blen);
    if (!memcmp(page, shadow, pagesz))
        return;
    check_canaries();
    for (uint64_t i = 0; i < mem.size; i++) {
        if (page[off + i] != shadow[off + i]) {
            fprintf(stderr, "fuzz_wasix: %s changed guest byte %" PRIu64 "\n", call, i);
            die("guest memory written outside the result", (long long)i);
        }
    }
}

static void after(uint32_t rc, const char *call, uint64_t a, uint64_t alen, uint64_t b,
                  uint64_t blen)
{
    check_errno(rc);
    if (vt_alloc_injected() && rc != VEPOLL_WASI_ESUCCESS && rc != VEPOLL_WASI_ENOMEM)
        die("an injected allocation failure gave neither success nor ENOMEM", rc);
    if (rc != VEPOLL_WASI_ESUCCESS)
        alen = blen = 0; /* a failed import writes nothing */
    check_only(a, alen, b, blen, call);
}

static uint32_t get32(uint64_t p)
{
    uint32_t v;
    memcpy(&v, mem.base + p, 4);
    return v;
}

static void put_bytes(uint64_t p, const void *v, size_t n)
{
    if (in_guest(p, n))
        memcpy(mem.base + p, v, n);
}

/* ---- the calls ------------------------------------------------------------------ */

typedef void (*op_fn)(struct vt_in *);

static void op_epoll_create(struct vt_in *in)
{
    uint64_t p = gptr(in);
    uint32_t rc;
    snap();
    rc = vepoll_wasix_epoll_create(wx, mem, p);
    T("epoll_create(ret_fd=%#" PRIx64 ") = %u", p, rc);
    after(rc, "epoll_create", p, 4, 0, 0);
    if (rc == 0)
        remember(get32(p));
}

static void op_epoll_ctl(struct vt_in *in)
{
    enum vepoll_wasix_abi abi = gabi(in);
    uint32_t epfd = gfd(in), fd = gfd(in), op, rc;
    uint8_t s = vt_in_u8(in);
    uint64_t p;
    op = (s & 7) < 3 ? (s & 7) : (s & 7) == 3 ? 3 : (s & 7) == 4 ? UINT32_MAX : (s & 3);
    p = (s & 8) ? 0 : gptr(in);
    if (s & 16) { /* compose an event there first (guest memory, not the call) */
        uint8_t ev[VEPOLL_WASIX_EVENT_SIZE];
        uint32_t events = (s & 32) ? (uint32_t)raw(in, 4) : vt_in_u8(in);
        memset(ev, vt_in_u8(in), sizeof ev);
        memcpy(ev, &events, 4);
        put_bytes(p, ev, sizeof ev);
    }
    snap();
    rc = vepoll_wasix_epoll_ctl(wx, mem, abi, epfd, op, fd, p);
    T("epoll_ctl(abi=%d, epfd=%u, op=%u, fd=%u, event=%#" PRIx64 ") = %u", (int)abi, epfd,
      op, fd, p, rc);
    after(rc, "epoll_ctl", 0, 0, 0, 0);
}

static void check_events(enum vepoll_wasix_abi abi, uint64_t ev, uint64_t n, uint64_t ret,
                         uint64_t nsize)
{
    for (uint64_t i = 0; i < n; i++) {
        uint64_t e = ev + i * event_size(abi);
        uint32_t bits, fd, pad = 0;
        if (ret < e + event_size(abi) && e < ret + nsize)
            continue; /* overwritten by ret_nevents */
        bits = get32(e);
        memcpy(&pad, mem.base + e + 4, 4);
        if (abi == VEPOLL_WASIX_LINUX32) { /* data is the guest's own u64 */
            if (bits & ~(uint32_t)LINUX_REPORTABLE)
                die("a Linux event with a flag bit", bits);
            if (pad)
                die("non-zero padding in a reported event", pad);
            continue;
        }
        fd = get32(e + (abi == VEPOLL_WASIX_64 ? 16 : 12));
        if (bits & ~VEPOLL_WASIX_EPOLL_ALL)
            die("event bits outside 0xff", bits);
        if (abi == VEPOLL_WASIX_32) {
            uint32_t pad2;
            memcpy(&pad2, mem.base + e + 20, 4);
            pad |= pad2;
        }
        if (pad)
            die("non-zero padding in a reported event", pad);
        /* The number it was added through (which may be closed since: a
         * registration lives while its description does). */
        if (fd > maxfd)
            die("event for an fd that was never open", fd);
    }
}

static void op_epoll_wait(struct vt_in *in)
{
    enum vepoll_wasix_abi abi = gabi(in);
    uint32_t epfd = gfd(in), rc;
    uint64_t ev = gptr(in), ret, nsize = abi == VEPOLL_WASIX_64 ? 8 : 4, cap;
    int64_t maxev = gmaxev(in);
    ret = gptr(in);
    snap();
    rc = vepoll_wasix_epoll_wait(wx, mem, abi, epfd, ev, maxev, 0, ret);
    T("epoll_wait(abi=%d, epfd=%u, events=%#" PRIx64 ", maxevents=%" PRId64
      ", timeout=0, ret_nevents=%#" PRIx64 ") = %u",
      (int)abi, epfd, ev, maxev, ret, rc);
    cap = maxev > 1024 ? 1024 : maxev > 0 ? (uint64_t)maxev : 0;
    if (rc == 0) {
        uint64_t n;
        if (!in_guest(ev, cap * event_size(abi)) || !in_guest(ret, nsize))
            die("epoll_wait succeeded with an out-of-bounds pointer", (long long)ev);
        n = get32(ret);
        if (abi == VEPOLL_WASIX_64) {
            uint32_t hi;
            memcpy(&hi, mem.base + ret + 4, 4);
            if (hi)
                die("wasm64 nevents above 2^32", hi);
        }
        if (n > cap)
            die("more events than maxevents", (long long)n);
        after(rc, "epoll_wait", ev, n * event_size(abi), ret, nsize);
        check_events(abi, ev, n, ret, nsize);
    } else {
        after(rc, "epoll_wait", 0, 0, 0, 0);
    }
}

static void op_fd_pipe(struct vt_in *in)
{
    uint64_t a = gptr(in), b = gptr(in);
    uint32_t rc;
    snap();
    rc = vepoll_wasix_fd_pipe(wx, mem, a, b);
    T("fd_pipe(ret_rfd=%#" PRIx64 ", ret_wfd=%#" PRIx64 ") = %u", a, b, rc);
    after(rc, "fd_pipe", a, 4, b, 4);
    if (rc == 0) {
        remember(get32(a));
        remember(get32(b));
    }
}

static void op_fd_event(struct vt_in *in)
{
    uint8_t s = vt_in_u8(in);
    uint64_t init = (s & 1) ? raw(in, 8) : (s >> 4);
    uint32_t flags = (s & 2) ? (uint32_t)raw(in, 4) : (s >> 2) & 1, rc;
    uint64_t p = gptr(in);
    snap();
    rc = vepoll_wasix_fd_event(wx, mem, init, flags, p);
    T("fd_event(initval=%" PRIu64 ", flags=%#x, ret_fd=%#" PRIx64 ") = %u", init, flags, p, rc);
    after(rc, "fd_event", p, 4, 0, 0);
    if (rc == 0)
        remember(get32(p));
}

static void op_sock_pair(struct vt_in *in)
{
    uint8_t s = vt_in_u8(in);
    uint32_t af = (s & 1) ? (uint32_t)raw(in, 4) : VEPOLL_WASIX_AF_UNIX;
    uint32_t type = (s & 2) ? (uint32_t)raw(in, 4) : VEPOLL_WASIX_SOCK_STREAM;
    uint32_t proto = (s & 4) ? (uint32_t)raw(in, 4) : 0, rc;
    uint64_t a = gptr(in), b = gptr(in);
    snap();
    rc = vepoll_wasix_sock_pair(wx, mem, af, type, proto, a, b);
    T("sock_pair(af=%u, type=%u, proto=%u, ret_fd0=%#" PRIx64 ", ret_fd1=%#" PRIx64 ") = %u",
      af, type, proto, a, b, rc);
    after(rc, "sock_pair", a, 4, b, 4);
    if (rc == 0) {
        remember(get32(a));
        remember(get32(b));
    }
}

static void op_sock_shutdown(struct vt_in *in)
{
    uint32_t fd = gfd(in), how = vt_in_u8(in), rc;
    if (how & 0x80)
        how = (uint32_t)raw(in, 4);
    else
        how &= 7;
    snap();
    rc = vepoll_wasix_sock_shutdown(wx, fd, how);
    T("sock_shutdown(fd=%u, how=%u) = %u", fd, how, rc);
    after(rc, "sock_shutdown", 0, 0, 0, 0);
}

/* Host-side calls: no guest memory involved; a negative errno or a count. */
static void host_rc(int64_t rc, const char *call)
{
    if (rc < -4095)
        die(call, rc);
}

static void op_write(struct vt_in *in)
{
    uint32_t fd = gfd(in);
    uint8_t buf[256];
    size_t len = vt_in_u8(in);
    int64_t rc;
    if (len & 0x80)
        len = 8; /* an eventfd's counter */
    for (size_t i = 0; i < len; i++)
        buf[i] = vt_in_u8(in);
    vepoll_wasix_set_nonblock(wx, fd, 1);
    rc = vepoll_wasix_write(wx, fd, buf, len);
    T("host write(fd=%u, len=%zu) = %" PRId64, fd, len, rc);
    if (rc > (int64_t)len)
        die("write moved more than asked", rc);
    host_rc(rc, "write");
}

static void op_read(struct vt_in *in)
{
    uint32_t fd = gfd(in);
    uint8_t buf[256];
    size_t len = vt_in_u8(in);
    int64_t rc;
    vepoll_wasix_set_nonblock(wx, fd, 1);
    rc = vepoll_wasix_read(wx, fd, buf, len);
    T("host read(fd=%u, len=%zu) = %" PRId64, fd, len, rc);
    if (rc > (int64_t)len)
        die("read moved more than asked", rc);
    host_rc(rc, "read");
}

static void op_close(struct vt_in *in)
{
    uint32_t fd = gfd(in);
    int rc = vepoll_wasix_close(wx, fd);
    T("host close(fd=%u) = %d", fd, rc);
    host_rc(rc, "close");
}

static void op_shutdown(struct vt_in *in)
{
    uint32_t fd = gfd(in);
    int how = (int)(int8_t)vt_in_u8(in);
    int rc = vepoll_wasix_shutdown(wx, fd, how);
    T("host shutdown(fd=%u, how=%d) = %d", fd, how, rc);
    host_rc(rc, "shutdown");
}

static void op_info(struct vt_in *in)
{
    uint32_t fd = gfd(in);
    struct vepoll_wasix_fdinfo info;
    int rc = vepoll_wasix_fd_info(wx, fd, &info);
    T("host fd_info(fd=%u) = %d", fd, rc);
    host_rc(rc, "fd_info");
}

static void op_poll(struct vt_in *in)
{
    struct vepoll_wasix_pollitem items[8];
    size_t n = vt_in_u8(in) % 9;
    int rc;
    for (size_t i = 0; i < n; i++) {
        items[i].fd = gfd(in);
        items[i].events = vt_in_u8(in) & (VEPOLL_IN | VEPOLL_OUT | VEPOLL_PRI | VEPOLL_RDHUP);
    }
    rc = vepoll_wasix_poll(wx, items, n, 0);
    T("host poll(n=%zu, timeout=0) = %d", n, rc);
    if (rc > (int)n)
        die("poll: more ready items than items", rc);
    host_rc(rc, "poll");
}

/* Host creates with random flags (NONBLOCK, SEMAPHORE, junk). */
static void op_host_create(struct vt_in *in)
{
    uint8_t s = vt_in_u8(in);
    uint32_t f[2];
    int flags = (s & 8) ? VEPOLL_NONBLOCK : 0, rc;
    if (s & 16)
        flags |= VEPOLL_EFD_SEMAPHORE;
    switch (s & 3) {
    case 0: rc = vepoll_wasix_pipe(wx, flags, f); break;
    case 1: rc = vepoll_wasix_eventfd(wx, s >> 5, flags, f); break;
    case 2: rc = vepoll_wasix_socketpair(wx, flags, f); break;
    default: rc = vepoll_wasix_epoll(wx, f); break;
    }
    T("host create(kind=%d, flags=%#x) = %d", s & 3, (unsigned)flags, rc);
    host_rc(rc, "create");
    if (rc == 0) {
        int two = (s & 3) == 0 || (s & 3) == 2;
        remember(f[0]);
        if (two)
            remember(f[1]);
    }
}

/* dup (F_DUPFD with a minimum), dup3 and renumber to any number, FD_CLOEXEC. */
static void op_dup(struct vt_in *in)
{
    uint8_t s = vt_in_u8(in);
    uint32_t fd = gfd(in), to = gfd(in), nfd = 0;
    int rc, on = 0;
    switch (s & 3) {
    case 0:
        rc = vepoll_wasix_dup(wx, fd, to, s & 4, &nfd);
        T("host dup(fd=%u, min=%u, cloexec=%d) = %d (%u)", fd, to, s & 4, rc, nfd);
        if (rc == 0)
            remember(nfd);
        break;
    case 1:
        rc = vepoll_wasix_dup3(wx, fd, to, s & 4);
        T("host dup3(fd=%u, newfd=%u, cloexec=%d) = %d", fd, to, s & 4, rc);
        if (rc == 0)
            remember(to);
        break;
    case 2:
        rc = vepoll_wasix_renumber(wx, fd, to);
        T("host renumber(from=%u, to=%u) = %d", fd, to, rc);
        if (rc == 0)
            remember(to);
        break;
    default:
        rc = (s & 4) ? vepoll_wasix_set_cloexec(wx, fd, s & 8)
                     : vepoll_wasix_get_cloexec(wx, fd, (s & 8) ? NULL : &on);
        T("host %s_cloexec(fd=%u) = %d", (s & 4) ? "set" : "get", fd, rc);
        break;
    }
    host_rc(rc, "dup");
}

/* recv / send with arbitrary flags, never blocking. */
static void op_msg(struct vt_in *in)
{
    uint8_t s = vt_in_u8(in), buf[256];
    uint32_t fd = gfd(in);
    int flags = (s & 0x80) ? (int)raw(in, 4) : (int)vt_in_u8(in) << 1;
    size_t len = vt_in_u8(in);
    int64_t rc;
    flags |= VEPOLL_MSG_DONTWAIT;
    memset(buf, s, sizeof buf);
    if (s & 1)
        rc = vepoll_wasix_send(wx, fd, buf, len, flags);
    else
        rc = vepoll_wasix_recv(wx, fd, (s & 2) ? NULL : buf, len, flags);
    T("host %s(fd=%u, len=%zu, flags=%#x) = %" PRId64, (s & 1) ? "send" : "recv", fd, len,
      (unsigned)flags, rc);
    if (rc > (int64_t)len)
        die("recv/send moved more than asked", rc);
    host_rc(rc, "recv/send");
}

/* timerfd_create / settime / gettime with arbitrary clocks, flags and
 * times (values in the past fire at once; nothing waits for the others). */
static void op_timerfd(struct vt_in *in)
{
    uint8_t s = vt_in_u8(in);
    uint32_t fd = gfd(in), nfd = 0;
    struct vepoll_itimerspec v, old;
    int rc;
    if ((s & 3) == 0) {
        rc = vepoll_wasix_timerfd_create(wx, (int)(int8_t)vt_in_u8(in), (int)raw(in, 4), &nfd);
        T("host timerfd_create = %d (%u)", rc, nfd);
        if (rc == 0)
            remember(nfd);
    } else if ((s & 3) == 1) {
        v.it_interval.tv_sec = (int64_t)raw(in, (s & 4) ? 8 : 1);
        v.it_interval.tv_nsec = (int64_t)raw(in, (s & 8) ? 8 : 4);
        v.it_value.tv_sec = (int64_t)raw(in, (s & 16) ? 8 : 1);
        v.it_value.tv_nsec = (int64_t)raw(in, (s & 32) ? 8 : 4);
        rc = vepoll_wasix_timerfd_settime(wx, fd, (int)(s >> 6), (s & 64) && (s & 128) ? NULL : &v,
                                          (s & 2) ? &old : NULL);
        T("host timerfd_settime(fd=%u) = %d", fd, rc);
    } else {
        rc = vepoll_wasix_timerfd_gettime(wx, fd, (s & 4) ? NULL : &old);
        T("host timerfd_gettime(fd=%u) = %d", fd, rc);
    }
    host_rc(rc, "timerfd");
}

/* Random guest bytes anywhere in the guest memory. */
static void op_poke(struct vt_in *in)
{
    uint64_t p = gptr(in);
    uint8_t n = vt_in_u8(in) % 33, b[32];
    for (int i = 0; i < n; i++)
        b[i] = vt_in_u8(in);
    T("guest poke(%#" PRIx64 ", %u bytes)", p, n);
    put_bytes(p, b, n);
}

/* The next call's k-th allocation fails (k = 0: all of them). */
static void op_arm(struct vt_in *in)
{
    uint8_t s = vt_in_u8(in);
    int k = s & 7 ? s & 7 : -1;
    vt_alloc_arm(k);
    T("arm allocation failure %d", k);
}

static const op_fn op_table[16] = {
    op_epoll_create, op_epoll_ctl, op_epoll_ctl, op_epoll_wait,
    op_epoll_wait,   op_fd_pipe,   op_fd_event,  op_sock_pair,
    op_sock_shutdown, op_write,    op_read,      op_close,
    op_poll,         op_host_create, op_poke,    op_arm,
};
/* Slot 11 is close, or host shutdown / fd_info when bits 4-5 of the call
 * byte say so; slot 12 is poll, or dup / recv-send / timerfd when bits 4-5
 * say so (see LLVMFuzzerTestOneInput). */
static const op_fn slot12[4] = {op_poll, op_dup, op_msg, op_timerfd};

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    uint8_t *m;
    (void)argc;
    (void)argv;
    (void)vt_trace_init();
    vt_alloc.abort_on_bad_free = true;
    if (vt_alloc_install() != 0)
        abort();
    pagesz = (size_t)sysconf(_SC_PAGESIZE);
    if (pagesz > sizeof shadow)
        abort();
    m = mmap(NULL, 3 * pagesz, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED || mprotect(m + pagesz, pagesz, PROT_READ | PROT_WRITE))
        abort();
    page = m + pagesz;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint64_t sizes[8] = {4096, 4096, 1024, 100, 64, 33, 4, 0};
    struct vt_in in = {data, size};
    uint8_t h = vt_in_u8(&in);
    uint64_t msz = sizes[h & 7];

    if (msz > pagesz)
        msz = pagesz;
    set_mem(msz, (h & 7) == 7 && (h & 8));
    memset(page + pagesz - msz, vt_in_u8(&in), msz);
    nfds = 0;
    maxfd = 2; /* stdio */
    lastptr = 0;
    vt_alloc_reset();
    if (vepoll_wasix_create(&wx, NULL) != 0)
        abort();
    T("guest memory %" PRIu64 " bytes%s", msz, null_base ? " (base NULL)" : "");
    for (opno = 0; in.n && opno < MAX_OPS; opno++) {
        uint8_t s = vt_in_u8(&in);
        bool armed = vt_alloc_armed();
        if ((s & 15) == 11 && (s & 0x30))
            ((s & 0x30) == 0x10 ? op_shutdown : op_info)(&in);
        else if ((s & 15) == 12)
            slot12[(s >> 4) & 3](&in);
        else
            op_table[s & 15](&in);
        if (armed) /* the armed call is over */
            vt_alloc_fail_none();
    }
    vt_alloc_fail_none();
    /* Close everything, then nothing of the adapter may be left. */
    for (uint32_t fd = 0; fd <= maxfd; fd++)
        (void)vepoll_wasix_close(wx, fd);
    for (uint32_t fd = 0; fd <= maxfd; fd++) {
        struct vepoll_wasix_fdinfo info;
        if (vepoll_wasix_fd_info(wx, fd, &info) != -EBADF)
            die("fd still open after closing every fd", fd);
    }
    if (whitebox_wasix_live_slots(wx) != 0)
        die("side-table slots alive after closing every fd", whitebox_wasix_live_slots(wx));
    vepoll_wasix_destroy(wx);
    wx = NULL;
    if (atomic_load(&vt_alloc.live) != 0)
        die("blocks still allocated after vepoll_wasix_destroy", atomic_load(&vt_alloc.live));
    return 0;
}
