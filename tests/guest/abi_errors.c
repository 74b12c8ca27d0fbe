/*
 * The WASIX error table through the raw wasix_32v1 imports (docs/EMBEDDING.md,
 * "The ABI", and Wasmer's raw-ABI tests): EXIST, NOENT, BADF, INVAL,
 * MEMVIOLATION, unaligned pointers, NULL event for DEL, result memory
 * untouched on error, and the data fields (data.fd = the watched fd, ptr /
 * data1 / data2 echoed).
 */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "wx_test.h"

static uint32_t efd(void)
{
    int fd = eventfd(0, 0);
    CHECK(fd >= 0);
    return (uint32_t)fd;
}

static void test_ctl_add_twice_is_exist(void)
{
    uint32_t ep = raw_epoll(), e = efd();
    CHECK_EQ(raw_add(ep, e, WX_IN, 1), E_SUCCESS);
    CHECK_EQ(raw_add(ep, e, WX_IN, 1), E_EXIST);
    close((int)e);
    close((int)ep);
}

static void test_ctl_mod_del_missing_is_noent(void)
{
    uint32_t ep = raw_epoll(), e = efd();
    struct vepoll_wasix_event32 ev = {.events = WX_IN};
    CHECK_EQ(wx_epoll_ctl(ep, WX_MOD, e, P(&ev)), E_NOENT);
    CHECK_EQ(wx_epoll_ctl(ep, WX_DEL, e, P(&ev)), E_NOENT);
    CHECK_EQ(wx_epoll_ctl(ep, WX_DEL, e, 0), E_NOENT);
    close((int)e);
    close((int)ep);
}

static void test_bad_descriptors_are_badf(void)
{
    uint32_t ep = raw_epoll(), e = efd(), n;
    struct vepoll_wasix_event32 ev = {.events = WX_IN}, out[2];
    CHECK_EQ(wx_epoll_ctl(UINT32_MAX, WX_ADD, e, P(&ev)), E_BADF); /* epfd -1 */
    CHECK_EQ(wx_epoll_ctl(ep, WX_ADD, UINT32_MAX, P(&ev)), E_BADF); /* fd -1 */
    CHECK_EQ(wx_epoll_ctl(ep, WX_ADD, 999, P(&ev)), E_BADF);        /* never opened */
    CHECK_EQ(wx_epoll_wait(UINT32_MAX, P(out), 2, 0, P(&n)), E_BADF);
    close((int)e);
    CHECK_EQ(wx_epoll_ctl(ep, WX_ADD, e, P(&ev)), E_BADF); /* closed */
    close((int)ep);
    CHECK_EQ(wx_epoll_wait(ep, P(out), 2, 0, P(&n)), E_BADF);
}

static void test_invalid_arguments_are_inval(void)
{
    uint32_t ep = raw_epoll(), e = efd(), n;
    int p[2];
    struct vepoll_wasix_event32 ev = {.events = WX_IN}, out[2];
    CHECK_EQ(pipe(p), 0);
    CHECK_EQ(wx_epoll_ctl(ep, 3, e, P(&ev)), E_INVAL);     /* Unknown */
    CHECK_EQ(wx_epoll_ctl(ep, 12345, e, P(&ev)), E_INVAL); /* Wasmer's test */
    CHECK_EQ(wx_epoll_ctl(ep, WX_ADD, e, 0), E_INVAL);     /* NULL event, ADD */
    CHECK_EQ(wx_epoll_ctl(ep, WX_MOD, e, 0), E_INVAL);     /* NULL event, MOD */
    CHECK_EQ(wx_epoll_ctl(ep, WX_ADD, ep, P(&ev)), E_INVAL); /* fd == epfd */
    ev.events = 0x80000000u;                                 /* no such WASIX bit */
    CHECK_EQ(wx_epoll_ctl(ep, WX_ADD, e, P(&ev)), E_INVAL);
    ev.events = WX_IN;
    CHECK_EQ(wx_epoll_ctl((uint32_t)p[0], WX_ADD, e, P(&ev)), E_INVAL); /* epfd not epoll */
    CHECK_EQ(wx_epoll_wait((uint32_t)p[0], P(out), 2, 0, P(&n)), E_INVAL);
    CHECK_EQ(wx_epoll_wait(ep, P(out), 0, 0, P(&n)), E_INVAL);           /* maxevents 0 */
    CHECK_EQ(wx_epoll_wait(ep, P(out), 0x80000000u, 0, P(&n)), E_INVAL); /* negative */
    /* events == 0 is Linux-valid (only ERR/HUP reported) and accepted. */
    ev.events = 0;
    CHECK_EQ(wx_epoll_ctl(ep, WX_ADD, e, P(&ev)), E_SUCCESS);
    /* (stdio's answer is the host stream's, as on Linux: EPERM for a
     * file, a registration for a pipe or a terminal -- S175, S226.) */
    close(p[0]);
    close(p[1]);
    close((int)e);
    close((int)ep);
}

static void test_out_of_range_pointers_are_memviolation(void)
{
    uint32_t ep = raw_epoll(), e = efd(), n = 7, top = mem_bytes();
    struct vepoll_wasix_event32 ev = {.events = WX_IN}, out[2];
    CHECK_EQ(wx_epoll_create(0xffffffffu), E_MEMVIOLATION);
    CHECK_EQ(wx_epoll_create(top - 3), E_MEMVIOLATION); /* straddles the end */
    CHECK_EQ(wx_epoll_ctl(ep, WX_ADD, e, 0xffffffffu), E_MEMVIOLATION);
    CHECK_EQ(wx_epoll_ctl(ep, WX_ADD, e, top - 31), E_MEMVIOLATION);
    CHECK_EQ(wx_epoll_ctl(ep, WX_DEL, e, top), E_MEMVIOLATION); /* DEL reads it too */
    CHECK_EQ(wx_epoll_wait(ep, 0xffffffffu, 1, 0, P(&n)), E_MEMVIOLATION);
    CHECK_EQ(wx_epoll_wait(ep, top - 32, 2, 0, P(&n)), E_MEMVIOLATION); /* 2nd slot out */
    CHECK_EQ(wx_epoll_wait(ep, P(out), 0x7fffffffu, 0, P(&n)), E_MEMVIOLATION); /* max*32 */
    CHECK_EQ(wx_epoll_wait(ep, P(out), 0x08000000u, 0, P(&n)), E_MEMVIOLATION); /* 4 GiB */
    CHECK_EQ(wx_epoll_wait(ep, P(out), 2, 0, 0xfffffffeu), E_MEMVIOLATION);
    CHECK_EQ(wx_epoll_wait(ep, P(out), 2, 0, top - 2), E_MEMVIOLATION);
    CHECK_EQ(n, 7); /* never written */
    /* Exactly at the end of memory is in range. */
    CHECK_EQ(wx_epoll_wait(ep, top - 32, 1, 0, top - 4), E_SUCCESS);
    close((int)e);
    close((int)ep);
}

static void test_unaligned_pointers_work(void)
{
    static uint8_t raw[3 * 32 + 16] __attribute__((aligned(8)));
    uint32_t ep, e = efd(), n;
    struct vepoll_wasix_event32 ev = {.events = WX_IN, .fd = 0, .data2 = 0x0102030405060708ull};
    struct vepoll_wasix_event32 got;
    uint64_t one = 1;
    CHECK_EQ(wx_epoll_create(P(raw + 1)), E_SUCCESS);
    memcpy(&ep, raw + 1, 4);
    memcpy(raw + 3, &ev, sizeof(ev));
    CHECK_EQ(wx_epoll_ctl(ep, WX_ADD, e, P(raw + 3)), E_SUCCESS);
    CHECK_EQ(write((int)e, &one, 8), 8);
    CHECK_EQ(wx_epoll_wait(ep, P(raw + 5), 2, 0, P(raw + 101)), E_SUCCESS);
    memcpy(&n, raw + 101, 4);
    CHECK_EQ(n, 1);
    memcpy(&got, raw + 5, sizeof(got));
    CHECK_EQ(got.events, WX_IN);
    CHECK_EQ(got.data2, 0x0102030405060708ull);
    CHECK_EQ(got.fd, e);
    close((int)e);
    close((int)ep);
}

static void test_del_with_null_event_succeeds(void)
{
    uint32_t ep = raw_epoll(), e = efd();
    CHECK_EQ(raw_add(ep, e, WX_IN, 0), E_SUCCESS);
    CHECK_EQ(wx_epoll_ctl(ep, WX_DEL, e, 0), E_SUCCESS);
    CHECK_EQ(raw_add(ep, e, WX_IN, 0), E_SUCCESS); /* really gone */
    close((int)e);
    close((int)ep);
}

static void test_result_memory_untouched_on_error(void)
{
    uint32_t ep = raw_epoll(), e = efd(), n = 0x55555555u;
    struct vepoll_wasix_event32 out[4];
    uint64_t one = 1;
    CHECK_EQ(raw_add(ep, e, WX_IN, 9), E_SUCCESS);
    CHECK_EQ(write((int)e, &one, 8), 8);
    memset(out, 0xa5, sizeof(out));
    /* Ready event, but the count pointer is bad: nothing may be written. */
    CHECK_EQ(wx_epoll_wait(ep, P(out), 4, 0, mem_bytes()), E_MEMVIOLATION);
    for (size_t i = 0; i < sizeof(out); i++)
        CHECK_EQ(((uint8_t *)out)[i], 0xa5);
    CHECK_EQ(wx_epoll_wait(ep, P(out), 0, 0, P(&n)), E_INVAL);
    CHECK_EQ(n, 0x55555555u);
    /* And the event is still there for a correct call. */
    CHECK_EQ(raw_wait(ep, out, 4, 0), 1);
    CHECK_EQ(out[0].data2, 9);
    /* Entries past the count are not written either. */
    CHECK_EQ(out[1].events, 0xa5a5a5a5u);
    close((int)e);
    close((int)ep);
}

static void test_data_fd_is_watched_fd_and_rest_echoed(void)
{
    uint32_t ep = raw_epoll(), e = efd();
    struct vepoll_wasix_event32 ev = {.events = WX_IN, .ptr = 0xdeadbeef, .fd = 4242,
                                      .data1 = 0xcafe, .data2 = 0xfeedfacecafebeefull};
    struct vepoll_wasix_event32 out[2];
    uint64_t one = 1;
    CHECK_EQ(wx_epoll_ctl(ep, WX_ADD, e, P(&ev)), E_SUCCESS);
    CHECK_EQ(write((int)e, &one, 8), 8);
    memset(out, 0xff, sizeof(out));
    CHECK_EQ(raw_wait(ep, out, 2, 0), 1);
    CHECK_EQ(out[0].events, WX_IN);
    CHECK_EQ(out[0].pad0, 0);
    CHECK_EQ(out[0].ptr, 0xdeadbeef);
    CHECK_EQ(out[0].fd, e); /* not 4242 */
    CHECK_EQ(out[0].data1, 0xcafe);
    CHECK_EQ(out[0].data2, 0xfeedfacecafebeefull);
    /* MOD replaces the data. */
    ev.ptr = 1;
    ev.data1 = 2;
    ev.data2 = 3;
    CHECK_EQ(wx_epoll_ctl(ep, WX_MOD, e, P(&ev)), E_SUCCESS);
    CHECK_EQ(raw_wait(ep, out, 2, 0), 1);
    CHECK_EQ(out[0].ptr, 1);
    CHECK_EQ(out[0].data1, 2);
    CHECK_EQ(out[0].data2, 3);
    close((int)e);
    close((int)ep);
}

static void test_linux_api_returns_minus_one_and_errno(void)
{
    /* The guest header's epoll_ctl translates ops and returns -1/errno,
     * where wasix-libc passed 1/2/3 through and returned the raw errno. */
    uint32_t e = efd();
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0x1122334455667788ull}, out;
    uint64_t one = 1;
    CHECK(ep >= 0);
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_MOD, (int)e, &ev), -1); /* MOD first: ENOENT */
    CHECK_EQ(errno, ENOENT);
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, (int)e, &ev), 0);  /* ADD (1) is ADD */
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, (int)e, &ev), -1);
    CHECK_EQ(errno, EEXIST);
    CHECK_EQ(epoll_ctl(ep, 77, (int)e, &ev), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_MOD, (int)e, &ev), 0); /* MOD (3) is MOD */
    CHECK_EQ(write((int)e, &one, 8), 8);
    CHECK_EQ(epoll_wait(ep, &out, 1, 0), 1);
    CHECK_EQ(out.data.u64, 0x1122334455667788ull); /* all 64 bits back */
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_DEL, (int)e, NULL), 0); /* DEL (2) is DEL */
    CHECK_EQ(epoll_wait(ep, &out, 1, 0), 0);
    CHECK_EQ(epoll_wait(ep, &out, 0, 0), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(epoll_wait(999, &out, 1, 0), -1);
    CHECK_EQ(errno, EBADF);
    close((int)e);
    close(ep);
}

int main(void)
{
    RUN(test_ctl_add_twice_is_exist);
    RUN(test_ctl_mod_del_missing_is_noent);
    RUN(test_bad_descriptors_are_badf);
    RUN(test_invalid_arguments_are_inval);
    RUN(test_out_of_range_pointers_are_memviolation);
    RUN(test_unaligned_pointers_work);
    RUN(test_del_with_null_event_succeeds);
    RUN(test_result_memory_untouched_on_error);
    RUN(test_data_fd_is_watched_fd_and_rest_echoed);
    RUN(test_linux_api_returns_minus_one_and_errno);
    return 0;
}
