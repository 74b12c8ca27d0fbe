/*
 * The WASIX ABI adapter (include/vepoll_wasix.h) called host-side with a
 * fake guest memory buffer: bounds checks (64-bit, maxevents x 32 overflow),
 * unaligned pointers, MEMVIOLATION, NULL event for DEL, the errno table, the
 * flag and op numbering both ways, result memory untouched on error, the
 * wasm64 layout, vepoll_ext_v1's Linux event (VEPOLL_WASIX_LINUX32), a
 * runtime's own descriptor table, and the per-registration
 * guest data freed on DEL / source close / instance close.
 */
#include <errno.h>
#include <string.h>

#include "vepoll_objects.h"
#include "vepoll_wasix.h"
#include "vtest.h"

#define MEMSZ 4096u
static uint8_t guest[MEMSZ] __attribute__((aligned(16)));

static struct vepoll_wasix_mem gm(void)
{
    struct vepoll_wasix_mem m = {guest, MEMSZ};
    return m;
}

static uint32_t rd32(uint64_t off) { uint32_t v; memcpy(&v, guest + off, 4); return v; }
static uint64_t rd64(uint64_t off) { uint64_t v; memcpy(&v, guest + off, 8); return v; }
static void wr32(uint64_t off, uint32_t v) { memcpy(guest + off, &v, 4); }
static void wr64(uint64_t off, uint64_t v) { memcpy(guest + off, &v, 8); }

/* A wasm32 event at off. */
static void put_ev32(uint64_t off, uint32_t events, uint32_t ptr, uint32_t fd, uint32_t d1,
                     uint64_t d2)
{
    memset(guest + off, 0, 32);
    wr32(off, events);
    wr32(off + 8, ptr);
    wr32(off + 12, fd);
    wr32(off + 16, d1);
    wr64(off + 24, d2);
}

static vepoll_wasix_t *new_wx(void)
{
    vepoll_wasix_t *wx = NULL;
    assert_int_equal(vepoll_wasix_create(&wx, NULL), 0);
    memset(guest, 0, sizeof(guest));
    return wx;
}

static uint32_t new_ep(vepoll_wasix_t *wx)
{
    assert_int_equal(vepoll_wasix_epoll_create(wx, gm(), 0), 0);
    return rd32(0);
}

static uint32_t new_efd(vepoll_wasix_t *wx)
{
    uint32_t fd;
    assert_int_equal(vepoll_wasix_eventfd(wx, 0, VEPOLL_NONBLOCK, &fd), 0);
    return fd;
}

static void bump(vepoll_wasix_t *wx, uint32_t efd)
{
    uint64_t one = 1;
    assert_int_equal(vepoll_wasix_write(wx, efd, &one, 8), 8);
}

/* ---- numbering --------------------------------------------------------- */

static void flags_translate_both_ways_bit_by_bit(void **state)
{
    static const uint32_t w[] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80};
    static const uint32_t l[] = {VEPOLL_IN,  VEPOLL_OUT, VEPOLL_RDHUP, VEPOLL_PRI,
                                 VEPOLL_ERR, VEPOLL_HUP, VEPOLL_ET,    VEPOLL_ONESHOT};
    (void)state;
    for (int i = 0; i < 8; i++) {
        assert_int_equal(vepoll_wasix_events_to_vepoll(w[i]), l[i]);
        assert_int_equal(vepoll_wasix_events_from_vepoll(l[i]), w[i]);
    }
    assert_int_equal(vepoll_wasix_events_to_vepoll(0xff), VEPOLL_IN | VEPOLL_OUT | VEPOLL_RDHUP |
                                                              VEPOLL_PRI | VEPOLL_ERR | VEPOLL_HUP |
                                                              VEPOLL_ET | VEPOLL_ONESHOT);
    assert_int_equal(vepoll_wasix_events_to_vepoll(0xffffff00u), 0);
    /* No WASIX bit for these: dropped on the way back. */
    assert_int_equal(vepoll_wasix_events_from_vepoll(VEPOLL_RDNORM | VEPOLL_WRNORM | VEPOLL_MSG |
                                                     VEPOLL_EXCLUSIVE | VEPOLL_WAKEUP),
                     0);
    assert_int_equal(vepoll_wasix_events_from_vepoll(VEPOLL_IN | VEPOLL_RDNORM), 0x01);
    /* Every other single bit of either side, one at a time, maps to nothing
     * (the translation is shifts and masks: no bit may leak into another). */
    for (int b = 0; b < 32; b++) {
        uint32_t bit = 1u << b, known = 0;
        for (int i = 0; i < 8; i++)
            known |= l[i] == bit ? w[i] : 0;
        assert_int_equal(vepoll_wasix_events_from_vepoll(bit), known);
        assert_int_equal(vepoll_wasix_events_to_vepoll(bit), b < 8 ? l[b] : 0);
    }
}

static void ops_translate_both_ways(void **state)
{
    (void)state;
    assert_int_equal(vepoll_wasix_op_to_vepoll(0), VEPOLL_CTL_ADD);
    assert_int_equal(vepoll_wasix_op_to_vepoll(1), VEPOLL_CTL_MOD);
    assert_int_equal(vepoll_wasix_op_to_vepoll(2), VEPOLL_CTL_DEL);
    assert_int_equal(vepoll_wasix_op_to_vepoll(3), -EINVAL);
    assert_int_equal(vepoll_wasix_op_to_vepoll(UINT32_MAX), -EINVAL);
    assert_int_equal(vepoll_wasix_op_from_vepoll(VEPOLL_CTL_ADD), 0);
    assert_int_equal(vepoll_wasix_op_from_vepoll(VEPOLL_CTL_MOD), 1);
    assert_int_equal(vepoll_wasix_op_from_vepoll(VEPOLL_CTL_DEL), 2);
    assert_int_equal(vepoll_wasix_op_from_vepoll(0), -EINVAL);
    assert_int_equal(vepoll_wasix_op_from_vepoll(4), -EINVAL);
}

static void errno_table_maps_linux_to_wasi(void **state)
{
    static const struct {
        int lx;
        uint32_t wasi;
    } t[] = {
        {0, 0},         {-E2BIG, 1},     {-EACCES, 2},     {-EAGAIN, 6},   {-EBADF, 8},
        {-EBUSY, 10},   {-EEXIST, 20},   {-EFAULT, 21},    {-EINTR, 27},   {-EINVAL, 28},
        {-EIO, 29},     {-ELOOP, 32},    {-EMFILE, 33},    {-ENFILE, 41},  {-ENOENT, 44},
        {-ENOMEM, 48},  {-ENOSPC, 51},   {-ENOSYS, 52},    {-ENOTCONN, 53}, {-ENOTSOCK, 57},
        {-ENOTSUP, 58}, {-EOVERFLOW, 61}, {-EPERM, 63},    {-EPIPE, 64},   {-ESPIPE, 70},
        {-ETIMEDOUT, 73}, {-ESHUTDOWN, 77}, {-EHOSTDOWN, 79}, {5, 79},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        assert_int_equal(vepoll_wasix_errno(t[i].lx), t[i].wasi);
    assert_int_equal(VEPOLL_WASI_EMEMVIOLATION, 78);
}

/* ---- bounds ------------------------------------------------------------- */

static void create_ret_pointer_bounds_checked(void **state)
{
    vepoll_wasix_t *wx = new_wx();
    (void)state;
    assert_int_equal(vepoll_wasix_epoll_create(wx, gm(), MEMSZ - 3), 78);
    assert_int_equal(vepoll_wasix_epoll_create(wx, gm(), MEMSZ), 78);
    assert_int_equal(vepoll_wasix_epoll_create(wx, gm(), UINT64_MAX), 78);
    assert_int_equal(vepoll_wasix_epoll_create(wx, gm(), UINT64_MAX - 2), 78); /* wraps */
    assert_int_equal(vepoll_wasix_epoll_create(wx, gm(), MEMSZ - 4), 0);
    assert_int_equal(rd32(MEMSZ - 4), VEPOLL_WASIX_FIRST_FD);
    {
        struct vepoll_wasix_mem none = {NULL, 0};
        assert_int_equal(vepoll_wasix_epoll_create(wx, none, 0), 78);
    }
    vepoll_wasix_destroy(wx);
}

static void wait_maxevents_times_32_overflow_is_memviolation(void **state)
{
    vepoll_wasix_t *wx = new_wx();
    uint32_t ep = new_ep(wx);
    (void)state;
    wr32(64, 0x11111111);
    /* 2^59 * 32 wraps to 0 in 64 bits: must still be caught. */
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), VEPOLL_WASIX_64, ep, 0,
                                             INT64_C(1) << 59, 0, 64),
                     78);
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), VEPOLL_WASIX_64, ep, 0, INT64_MAX, 0, 64), 78);
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), VEPOLL_WASIX_32, ep, 0, INT32_MAX, 0, 64), 78);
    /* 128 events of 32 bytes = 4096: exactly the memory. */
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), VEPOLL_WASIX_32, ep, 0, 128, 0, 64), 0);
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), VEPOLL_WASIX_32, ep, 32, 128, 0, 64), 78);
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), VEPOLL_WASIX_32, ep, MEMSZ + 32, 1, 0, 64), 78);
    /* wasm32 maxevents above INT32_MAX is a negative i32. */
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), VEPOLL_WASIX_32, ep, 0,
                                             (int64_t)INT32_MAX + 1, 0, 64),
                     VEPOLL_WASI_EINVAL);
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), VEPOLL_WASIX_32, ep, 0, 0, 0, 64), 28);
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), VEPOLL_WASIX_32, ep, 0, -1, 0, 64), 28);
    /* ret_nevents: 4 bytes on wasm32, 8 on wasm64. */
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), VEPOLL_WASIX_32, ep, 0, 1, 0, MEMSZ - 4), 0);
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), VEPOLL_WASIX_64, ep, 0, 1, 0, MEMSZ - 4), 78);
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), VEPOLL_WASIX_64, ep, 0, 1, 0, MEMSZ - 8), 0);
    vepoll_wasix_destroy(wx);
}

static void ctl_event_pointer_bounds_and_null(void **state)
{
    vepoll_wasix_t *wx = new_wx();
    uint32_t ep = new_ep(wx), e = new_efd(wx);
    (void)state;
    put_ev32(MEMSZ - 32, VEPOLL_WASIX_EPOLLIN, 0, 0, 0, 0);
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), VEPOLL_WASIX_32, ep, 0, e, MEMSZ - 31), 78);
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), VEPOLL_WASIX_32, ep, 0, e, UINT64_MAX), 78);
    /* NULL (0) event: fine for DEL only. */
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), VEPOLL_WASIX_32, ep, 0, e, 0), 28);
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), VEPOLL_WASIX_32, ep, 1, e, 0), 28);
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), VEPOLL_WASIX_32, ep, 2, e, 0), 44);
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), VEPOLL_WASIX_32, ep, 0, e, MEMSZ - 32), 0);
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), VEPOLL_WASIX_32, ep, 2, e, 0), 0);
    /* Checks in Wasmer's order. */
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), VEPOLL_WASIX_32, ep, 3, e, MEMSZ - 32), 28);
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), VEPOLL_WASIX_32, ep, 0, ep, MEMSZ - 32), 28);
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), VEPOLL_WASIX_32, ep, 0, 77, MEMSZ - 32), 8);
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), VEPOLL_WASIX_32, 77, 0, e, MEMSZ - 32), 8);
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), VEPOLL_WASIX_32, e, 0, ep, MEMSZ - 32), 28);
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), VEPOLL_WASIX_32, ep, 0, 1, MEMSZ - 32), 63);
    wr32(MEMSZ - 32, 0x100);
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), VEPOLL_WASIX_32, ep, 0, e, MEMSZ - 32), 28);
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), (enum vepoll_wasix_abi)16, ep, 0, e, 64), 28);
    vepoll_wasix_destroy(wx);
}

/* VEPOLL_WASIX_LINUX32 (vepoll_ext_v1's epoll, S291, S292): Linux's ops,
 * the 16-byte event, every bit as it is, EFAULT outside memory, the event
 * of a DEL never read; the registration reads back the same through the
 * WASIX layout. */
static void linux32_S291_S292_event_word_layout_ops_and_efault(void **state)
{
    const enum vepoll_wasix_abi L = VEPOLL_WASIX_LINUX32;
    const uint64_t data = UINT64_C(0x0123456789abcdef);
    vepoll_wasix_t *wx = new_wx();
    uint32_t ep = new_ep(wx), p[2], e;
    (void)state;
    /* A pipe's read end: IN|RDNORM with data (an eventfd is IN alone). */
    assert_int_equal(vepoll_wasix_pipe(wx, VEPOLL_NONBLOCK, p), 0);
    e = p[0];
    wr32(256, VEPOLL_RDNORM);
    wr64(264, data);
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), L, ep, 0, e, 256), VEPOLL_WASI_EINVAL);
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), L, ep, VEPOLL_CTL_ADD, e, 256), 0);
    memset(guest + 512, 0xa5, 64);
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), L, ep, 512, 4, 0, 8), 0);
    assert_int_equal(rd32(8), 0); /* RDNORM alone: not readable yet */
    assert_int_equal(vepoll_wasix_write(wx, p[1], "x", 1), 1);
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), L, ep, 512, 4, 0, 8), 0);
    assert_int_equal(rd32(8), 1);
    assert_int_equal(rd32(512), VEPOLL_RDNORM);
    assert_int_equal(rd32(516), 0); /* padding zeroed */
    assert_true(rd64(520) == data);
    assert_int_equal(rd32(528), 0xa5a5a5a5u); /* nothing past the count */
    /* Bits outside WASIX's 0xff are taken and reported. */
    wr32(256, VEPOLL_IN | VEPOLL_RDNORM | VEPOLL_RDBAND);
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), L, ep, VEPOLL_CTL_MOD, e, 256), 0);
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), L, ep, 512, 4, 0, 8), 0);
    assert_int_equal(rd32(512), VEPOLL_IN | VEPOLL_RDNORM);
    wr32(256, VEPOLL_WRNORM);
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), L, ep, VEPOLL_CTL_ADD, p[1], 256), 0);
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), L, ep, 512, 4, 0, 8), 0);
    assert_int_equal(rd32(8), 2);
    assert_int_equal(rd32(512) | rd32(512 + 16), VEPOLL_IN | VEPOLL_RDNORM | VEPOLL_WRNORM);
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), L, ep, VEPOLL_CTL_DEL, p[1], 0), 0);
    /* The same registration through the WASIX layout: IN, data echoed. */
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), VEPOLL_WASIX_32, ep, 512, 1, 0, 8), 0);
    assert_int_equal(rd32(512), VEPOLL_WASIX_EPOLLIN);
    assert_int_equal(rd32(512 + 8), (uint32_t)data);
    assert_true(rd64(512 + 24) == data);
    /* EXCLUSIVE is the core's: a MOD with it is EINVAL. */
    wr32(256, VEPOLL_IN | VEPOLL_EXCLUSIVE);
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), L, ep, VEPOLL_CTL_MOD, e, 256),
                     VEPOLL_WASI_EINVAL);
    /* Outside memory: EFAULT, for an unknown op too; DEL reads nothing. */
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), L, ep, VEPOLL_CTL_MOD, e, MEMSZ - 15),
                     VEPOLL_WASI_EFAULT);
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), L, ep, 42, e, MEMSZ - 15), VEPOLL_WASI_EFAULT);
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), L, ep, 42, e, 256), VEPOLL_WASI_EINVAL);
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), L, ep, VEPOLL_CTL_DEL, e, UINT64_MAX), 0);
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), L, ep, VEPOLL_CTL_DEL, e, UINT64_MAX),
                     VEPOLL_WASI_ENOENT);
    /* The wait: 256 events of 16 bytes are exactly the memory; one more is
     * EFAULT; over INT_MAX / 16 EINVAL (Linux's EP_MAX_EVENTS). */
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), L, ep, 0, 256, 0, 8), 0);
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), L, ep, 16, 256, 0, 8), VEPOLL_WASI_EFAULT);
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), L, ep, 0, 1, 0, MEMSZ - 3),
                     VEPOLL_WASI_EFAULT);
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), L, ep, 0, INT32_MAX / 16, 0, 8),
                     VEPOLL_WASI_EFAULT);
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), L, ep, 0, INT32_MAX / 16 + 1, 0, 8),
                     VEPOLL_WASI_EINVAL);
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), (enum vepoll_wasix_abi)16, ep, 0, 1, 0, 8),
                     VEPOLL_WASI_EINVAL);
    vepoll_wasix_destroy(wx);
}

static void unaligned_pointers_round_trip(void **state)
{
    vepoll_wasix_t *wx = new_wx();
    uint32_t ep, e;
    (void)state;
    assert_int_equal(vepoll_wasix_epoll_create(wx, gm(), 1001), 0);
    ep = rd32(1001);
    e = new_efd(wx);
    put_ev32(203, VEPOLL_WASIX_EPOLLIN, 0xabcdef01, 0, 0x5555, UINT64_C(0x0123456789abcdef));
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), VEPOLL_WASIX_32, ep, 0, e, 203), 0);
    bump(wx, e);
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), VEPOLL_WASIX_32, ep, 1501, 3, 0, 2047), 0);
    assert_int_equal(rd32(2047), 1);
    assert_int_equal(rd32(1501), VEPOLL_WASIX_EPOLLIN);
    assert_int_equal(rd32(1501 + 8), 0xabcdef01);
    assert_int_equal(rd32(1501 + 12), e);
    assert_int_equal(rd32(1501 + 16), 0x5555);
    assert_true(rd64(1501 + 24) == UINT64_C(0x0123456789abcdef));
    vepoll_wasix_destroy(wx);
}

static void result_memory_never_written_on_error(void **state)
{
    static uint8_t before[MEMSZ];
    vepoll_wasix_t *wx = new_wx();
    uint32_t ep = new_ep(wx), e = new_efd(wx);
    (void)state;
    put_ev32(64, VEPOLL_WASIX_EPOLLIN, 0, 0, 0, 7);
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), VEPOLL_WASIX_32, ep, 0, e, 64), 0);
    bump(wx, e); /* an event is ready: a buggy adapter would write it */
    memset(guest, 0xaa, sizeof(guest));
    memcpy(before, guest, sizeof(before));
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), VEPOLL_WASIX_32, ep, 128, 4, 0, MEMSZ - 2), 78);
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), VEPOLL_WASIX_32, ep, MEMSZ - 64, 4, 0, 0), 78);
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), VEPOLL_WASIX_32, 99, 128, 4, 0, 0), 8);
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), VEPOLL_WASIX_32, e, 128, 4, 0, 0), 28);
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), VEPOLL_WASIX_32, ep, 128, 0, 0, 0), 28);
    assert_int_equal(vepoll_wasix_epoll_create(wx, gm(), MEMSZ - 1), 78);
    assert_int_equal(vepoll_wasix_fd_pipe(wx, gm(), 0, MEMSZ), 78);
    assert_int_equal(vepoll_wasix_fd_event(wx, gm(), 0, 2, 0), 28);
    assert_int_equal(vepoll_wasix_sock_pair(wx, gm(), 3, 1, 0, MEMSZ - 3, 0), 78);
    assert_int_equal(vepoll_wasix_sock_pair(wx, gm(), 1, 1, 0, 0, 4), VEPOLL_WASI_ENOTSUP);
    assert_memory_equal(guest, before, sizeof(guest));
    /* The event is still there, and only the reported slot is written. */
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), VEPOLL_WASIX_32, ep, 128, 4, 0, 0), 0);
    assert_int_equal(rd32(0), 1);
    assert_true(rd64(128 + 24) == 7);
    assert_memory_equal(guest + 160, before + 160, 96);
    vepoll_wasix_destroy(wx);
}

/* ---- semantics ---------------------------------------------------------- */

static void data_fd_is_watched_fd_rest_echoed_wasm64(void **state)
{
    vepoll_wasix_t *wx = new_wx();
    uint32_t ep = new_ep(wx), e = new_efd(wx);
    (void)state;
    /* wasm64: ptr u64 @8, fd @16, data1 @20, data2 @24. */
    memset(guest + 64, 0, 32);
    wr32(64, VEPOLL_WASIX_EPOLLIN | VEPOLL_WASIX_EPOLLET);
    wr64(72, UINT64_C(0x1122334455667788));
    wr32(80, 999);
    wr32(84, 0xdddd);
    wr64(88, UINT64_C(42));
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), VEPOLL_WASIX_64, ep, 0, e, 64), 0);
    bump(wx, e);
    memset(guest + 256, 0xee, 64);
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), VEPOLL_WASIX_64, ep, 256, 2,
                                             VEPOLL_WASIX_TIMEOUT_FOREVER, 8),
                     0);
    assert_true(rd64(8) == 1);
    assert_int_equal(rd32(256), VEPOLL_WASIX_EPOLLIN);
    assert_int_equal(rd32(260), 0); /* padding zeroed */
    assert_true(rd64(264) == UINT64_C(0x1122334455667788));
    assert_int_equal(rd32(272), e);
    assert_int_equal(rd32(276), 0xdddd);
    assert_true(rd64(280) == 42);
    assert_int_equal(guest[288], 0xee); /* second slot untouched */
    /* ET: nothing new. */
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), VEPOLL_WASIX_64, ep, 256, 2, 0, 8), 0);
    assert_true(rd64(8) == 0);
    vepoll_wasix_destroy(wx);
}

static void timeout_expiry_is_success_with_zero_events(void **state)
{
    vepoll_wasix_t *wx = new_wx();
    uint32_t ep = new_ep(wx);
    (void)state;
    wr32(8, 77);
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), VEPOLL_WASIX_32, ep, 64, 1, 1000000, 8), 0);
    assert_int_equal(rd32(8), 0);
    vepoll_wasix_destroy(wx);
}

/* ---- a runtime's own descriptor table ----------------------------------- */

struct mytable {
    vepoll_t *eps[4];
    vepoll_source_t *srcs[4];
    int lookups, releases, fail_install;
};

static int my_lookup(void *ctx, uint32_t fd, struct vepoll_wasix_fdref *out)
{
    struct mytable *t = ctx;
    memset(out, 0, sizeof(*out));
    if (fd >= 10 && fd < 14 && t->eps[fd - 10])
        out->ep = t->eps[fd - 10];
    else if (fd >= 20 && t->srcs[(fd - 20) % 4]) /* fd 20 + 4k + i -> source i */
        out->src = t->srcs[(fd - 20) % 4];
    else
        return -EBADF;
    t->lookups++;
    return 0;
}

static void my_release(void *ctx, uint32_t fd, const struct vepoll_wasix_fdref *ref)
{
    struct mytable *t = ctx;
    (void)fd;
    (void)ref;
    t->releases++;
}

static int my_install(void *ctx, vepoll_t *ep, uint32_t *fd)
{
    struct mytable *t = ctx;
    if (t->fail_install)
        return -EMFILE;
    for (int i = 0; i < 4; i++)
        if (!t->eps[i]) {
            t->eps[i] = ep;
            *fd = 10 + (uint32_t)i;
            return 0;
        }
    return -EMFILE;
}

static void custom_table_lookups_balanced_install_failure_mapped(void **state)
{
    struct mytable t = {0};
    struct vepoll_wasix_fdtable ops = {my_lookup, my_release, my_install, &t};
    vepoll_wasix_t *wx;
    (void)state;
    memset(guest, 0, sizeof(guest));
    assert_int_equal(vepoll_wasix_create(&wx, &ops), 0);
    t.fail_install = 1;
    assert_int_equal(vepoll_wasix_epoll_create(wx, gm(), 0), VEPOLL_WASI_EMFILE);
    t.fail_install = 0;
    assert_int_equal(vepoll_wasix_epoll_create(wx, gm(), 0), 0);
    assert_int_equal(rd32(0), 10);
    assert_int_equal(vepoll_source_create(&t.srcs[0], VEPOLL_IN), 0);
    put_ev32(64, VEPOLL_WASIX_EPOLLIN, 0, 0, 0, 5);
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), VEPOLL_WASIX_32, 10, 0, 20, 64), 0);
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), VEPOLL_WASIX_32, 10, 0, 19, 64), 8);
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), VEPOLL_WASIX_32, 10, 128, 1, 0, 8), 0);
    assert_int_equal(rd32(8), 1);
    assert_int_equal(rd32(128 + 12), 20);
    assert_int_equal(t.lookups, t.releases);
    /* The built-in table's calls refuse a foreign table. */
    assert_int_equal(vepoll_wasix_close(wx, 20), -ENOTSUP);
    vepoll_wasix_forget_source(wx, t.srcs[0]);
    vepoll_source_close(t.srcs[0]);
    assert_int_equal(vepoll_wasix_close_epoll(wx, t.eps[0]), 0);
    vepoll_wasix_destroy(wx);
    assert_int_equal(vepoll_wasix_create(&wx, &(struct vepoll_wasix_fdtable){0}), -EINVAL);
    assert_int_equal(vepoll_wasix_create(NULL, NULL), -EINVAL);
}

static void guest_data_freed_on_del_close_and_forget(void **state)
{
    struct mytable t = {0};
    struct vepoll_wasix_fdtable ops = {my_lookup, my_release, my_install, &t};
    vepoll_wasix_t *wx;
    long steady = 0;
    (void)state; /* the counting allocator: vt_alloc_setup */
    memset(guest, 0, sizeof(guest));
    assert_int_equal(vepoll_wasix_create(&wx, &ops), 0);
    assert_int_equal(vepoll_wasix_epoll_create(wx, gm(), 0), 0);
    assert_int_equal(vepoll_wasix_epoll_create(wx, gm(), 0), 0);
    put_ev32(64, VEPOLL_WASIX_EPOLLIN, 0, 0, 0, 5);
    for (int round = 0; round < 2000; round++) {
        for (int i = 0; i < 4; i++)
            assert_int_equal(vepoll_source_create(&t.srcs[i], VEPOLL_IN), 0);
        /* New fd numbers every round, so no key repeats (a slot keyed like
         * an old one would otherwise be reused and hide a leak). */
        uint32_t base = 20 + 4 * (uint32_t)round;
        for (uint32_t i = 0; i < 4; i++) {
            assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), VEPOLL_WASIX_32, 10, 0, base + i, 64), 0);
            assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), VEPOLL_WASIX_32, 11, 0, base + i, 64), 0);
        }
        /* Ends of registrations: DEL, and the final close of a source
         * without DEL (the runtime's forget_source duty). */
        assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), VEPOLL_WASIX_32, 10, 2, base, 0), 0);
        for (int i = 0; i < 4; i++) {
            vepoll_wasix_forget_source(wx, t.srcs[i]);
            vepoll_source_close(t.srcs[i]);
        }
        /* Both instances harvest: vepoll reclaims a closed source's
         * registrations in an instance at its next wait. */
        for (uint32_t epfd = 10; epfd < 12; epfd++) {
            assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), VEPOLL_WASIX_32, epfd, 128, 8, 0, 8), 0);
            assert_int_equal(rd32(8), 0);
        }
        if (round == 10)
            steady = atomic_load(&vt_alloc.live_bytes);
    }
    /* nothing grows with the rounds */
    assert_int_equal(atomic_load(&vt_alloc.live_bytes), steady);
    assert_int_equal(vepoll_wasix_close_epoll(wx, t.eps[0]), 0);
    assert_int_equal(vepoll_wasix_close_epoll(wx, t.eps[1]), 0);
    vepoll_wasix_destroy(wx);
    assert_int_equal(atomic_load(&vt_alloc.live_bytes), 0);
    assert_int_equal(atomic_load(&vt_alloc.bad_frees), 0);
}

static void builtin_table_objects_and_close(void **state)
{
    vepoll_wasix_t *wx = new_wx();
    uint32_t ep = new_ep(wx), p[2], s[2], n;
    struct vepoll_wasix_fdinfo info;
    char buf[8];
    (void)state;
    assert_int_equal(vepoll_wasix_fd_pipe(wx, gm(), 100, 104), 0);
    p[0] = rd32(100);
    p[1] = rd32(104);
    assert_int_equal(vepoll_wasix_sock_pair(wx, gm(), 3, 1, 0, 100, 104), 0);
    s[0] = rd32(100);
    s[1] = rd32(104);
    assert_int_equal(vepoll_wasix_fd_info(wx, p[0], &info), 0);
    assert_int_equal(info.kind, VEPOLL_WASIX_KIND_PIPE_READ);
    assert_int_equal(vepoll_wasix_fd_info(wx, 1, &info), 0);
    assert_int_equal(info.kind, VEPOLL_WASIX_KIND_STDIO);
    put_ev32(64, VEPOLL_WASIX_EPOLLIN | VEPOLL_WASIX_EPOLLRDHUP, 0, 0, 0, 1);
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), VEPOLL_WASIX_32, ep, 0, p[0], 64), 0);
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gm(), VEPOLL_WASIX_32, ep, 0, s[0], 64), 0);
    assert_int_equal(vepoll_wasix_write(wx, p[1], "ab", 2), 2);
    assert_int_equal(vepoll_wasix_sock_shutdown(wx, s[1], 2), 0); /* WR */
    assert_int_equal(vepoll_wasix_sock_shutdown(wx, s[1], 0), 28);
    assert_int_equal(vepoll_wasix_sock_shutdown(wx, p[0], 1), VEPOLL_WASI_ENOTSOCK);
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), VEPOLL_WASIX_32, ep, 128, 4, 0, 8), 0);
    n = rd32(8);
    assert_int_equal(n, 2);
    assert_int_equal(vepoll_wasix_read(wx, p[0], buf, sizeof(buf)), 2);
    assert_int_equal(vepoll_wasix_read(wx, p[1], buf, 1), -EBADF);
    assert_int_equal(vepoll_wasix_set_nonblock(wx, p[0], 1), 0);
    assert_int_equal(vepoll_wasix_read(wx, p[0], buf, 1), -EAGAIN);
    /* Close a watched fd without DEL: it leaves the instance. */
    assert_int_equal(vepoll_wasix_close(wx, s[0]), 0);
    assert_int_equal(vepoll_wasix_close(wx, s[0]), -EBADF);
    assert_int_equal(vepoll_wasix_epoll_wait(wx, gm(), VEPOLL_WASIX_32, ep, 128, 4, 0, 8), 0);
    assert_int_equal(rd32(8), 0);
    vepoll_wasix_destroy(wx); /* closes what is left */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(flags_translate_both_ways_bit_by_bit),
        cmocka_unit_test(ops_translate_both_ways),
        cmocka_unit_test(errno_table_maps_linux_to_wasi),
        cmocka_unit_test(create_ret_pointer_bounds_checked),
        cmocka_unit_test(wait_maxevents_times_32_overflow_is_memviolation),
        cmocka_unit_test(ctl_event_pointer_bounds_and_null),
        cmocka_unit_test(linux32_S291_S292_event_word_layout_ops_and_efault),
        cmocka_unit_test(unaligned_pointers_round_trip),
        cmocka_unit_test(result_memory_never_written_on_error),
        cmocka_unit_test(data_fd_is_watched_fd_rest_echoed_wasm64),
        cmocka_unit_test(timeout_expiry_is_success_with_zero_events),
        cmocka_unit_test(custom_table_lookups_balanced_install_failure_mapped),
        cmocka_unit_test_setup_teardown(guest_data_freed_on_del_close_and_forget,
                                        vt_alloc_setup, vt_reset_teardown),
        cmocka_unit_test(builtin_table_objects_and_close),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
