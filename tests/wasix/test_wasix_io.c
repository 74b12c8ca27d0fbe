/*
 * Host-side I/O of the WASIX adapter's built-in table on the new kinds:
 * timerfds (create, settime, gettime and their errors in Linux's order, the
 * 8-byte read, readiness through the epoll ABI, vepoll_wasix_poll and
 * fd_info; S151-S157 through descriptors) and recv / send on socket-pair
 * descriptors (flags, DONTWAIT vs O_NONBLOCK of the description, ENOTSOCK;
 * S163-S166 through descriptors).  Helper threads never assert.
 */
#include <pthread.h>

#include "vepoll_objects.h"
#include "vepoll_wasix.h"
#include "vtest.h"

#define ABS VEPOLL_TFD_TIMER_ABSTIME
#define MONO VEPOLL_CLOCK_MONOTONIC

static struct vepoll_itimerspec its(int64_t interval, int64_t value)
{
    struct vepoll_itimerspec v = {{interval / VT_SEC, interval % VT_SEC},
                                  {value / VT_SEC, value % VT_SEC}};
    return v;
}

static uint32_t tfd(vepoll_wasix_t *wx, int flags)
{
    uint32_t fd;
    assert_int_equal(vepoll_wasix_timerfd_create(wx, MONO, flags, &fd), 0);
    return fd;
}

/* ---- timerfd ----------------------------------------------------------------------- */

static void test_wasix_S151_timerfd_create_checks(void **state)
{
    vepoll_wasix_t *wx = *state;
    struct vepoll_wasix_fdinfo info;
    uint32_t fd = 99;
    int on;
    assert_int_equal(vepoll_wasix_timerfd_create(wx, 2, 0, &fd), -EINVAL);
    assert_int_equal(vepoll_wasix_timerfd_create(wx, 7, 0, &fd), -EINVAL);
    assert_int_equal(vepoll_wasix_timerfd_create(wx, -1, 0, &fd), -EINVAL);
    assert_int_equal(vepoll_wasix_timerfd_create(wx, MONO, 1, &fd), -EINVAL);
    assert_int_equal(vepoll_wasix_timerfd_create(wx, MONO, VEPOLL_EFD_SEMAPHORE, &fd), -EINVAL);
    assert_int_equal(vepoll_wasix_timerfd_create(wx, MONO, 0, NULL), -EINVAL);
    assert_int_equal(vepoll_wasix_timerfd_create(NULL, MONO, 0, &fd), -EBADF);
    assert_int_equal(fd, 99);
    assert_int_equal(vepoll_wasix_fd_info(wx, 3, &info), -EBADF); /* nothing installed */
    assert_int_equal(vepoll_wasix_timerfd_create(wx, VEPOLL_CLOCK_REALTIME,
                                                 VEPOLL_NONBLOCK | VEPOLL_CLOEXEC, &fd),
                     0);
    assert_int_equal(vepoll_wasix_fd_info(wx, fd, &info), 0);
    assert_int_equal(info.kind, VEPOLL_WASIX_KIND_TIMERFD);
    assert_int_equal(info.nonblock, 1);
    assert_int_equal(info.host_stdio, -1);
    assert_int_equal(vepoll_wasix_get_cloexec(wx, fd, &on), 0);
    assert_int_equal(on, 1);
}

static void test_wasix_S152_timerfd_settime_gettime_errors_in_linux_order(void **state)
{
    vepoll_wasix_t *wx = *state;
    struct vepoll_itimerspec ok = its(0, VT_SEC), bad = its(0, VT_SEC), cur;
    uint32_t t = tfd(wx, 0), e;
    assert_int_equal(vepoll_wasix_eventfd(wx, 0, 0, &e), 0);
    bad.it_value.tv_nsec = VT_SEC;
    /* settime: EFAULT, EINVAL (flags, values), EBADF, EINVAL (not a timerfd). */
    assert_int_equal(vepoll_wasix_timerfd_settime(wx, 999, 0, NULL, NULL), -EFAULT);
    assert_int_equal(vepoll_wasix_timerfd_settime(wx, 999, 4, &ok, NULL), -EINVAL);
    assert_int_equal(vepoll_wasix_timerfd_settime(wx, 999, 0, &bad, NULL), -EINVAL);
    assert_int_equal(vepoll_wasix_timerfd_settime(wx, 999, 0, &ok, NULL), -EBADF);
    assert_int_equal(vepoll_wasix_timerfd_settime(wx, UINT32_MAX, 0, &ok, NULL), -EBADF);
    assert_int_equal(vepoll_wasix_timerfd_settime(wx, e, 0, &ok, NULL), -EINVAL);
    assert_int_equal(vepoll_wasix_timerfd_settime(wx, e, 0, NULL, NULL), -EFAULT);
    assert_int_equal(vepoll_wasix_timerfd_settime(wx, 1, 0, &ok, NULL), -EINVAL); /* stdio */
    assert_int_equal(vepoll_wasix_timerfd_settime(wx, t, 0, &bad, NULL), -EINVAL);
    /* gettime: EBADF, EINVAL (not a timerfd), then EFAULT. */
    assert_int_equal(vepoll_wasix_timerfd_gettime(wx, 999, NULL), -EBADF);
    assert_int_equal(vepoll_wasix_timerfd_gettime(wx, e, NULL), -EINVAL);
    assert_int_equal(vepoll_wasix_timerfd_gettime(wx, t, NULL), -EFAULT);
    /* Nothing changed: disarmed. */
    assert_int_equal(vepoll_wasix_timerfd_gettime(wx, t, &cur), 0);
    assert_int_equal(cur.it_value.tv_sec, 0);
    assert_int_equal(cur.it_value.tv_nsec, 0);
}

static void test_wasix_S156_timerfd_read_write_and_readiness(void **state)
{
    vepoll_wasix_t *wx = *state;
    struct vepoll_itimerspec past = its(0, 1), far = its(3 * VT_SEC, 1000 * VT_SEC), old;
    struct vepoll_wasix_fdinfo info;
    struct vepoll_wasix_pollitem it = {0, VEPOLL_IN | VEPOLL_OUT, 0, 0};
    struct vt_wxev ev[4];
    uint32_t t = tfd(wx, VEPOLL_NONBLOCK), ep, d;
    uint64_t v = 0;
    char small[7];
    assert_int_equal(vt_wx_epoll_create(wx, &ep), 0);
    assert_int_equal(vt_wx_ctl(wx, ep, VEPOLL_WASIX_CTL_ADD, t,
                               VEPOLL_WASIX_EPOLLIN | VEPOLL_WASIX_EPOLLET, 77),
                     0);
    assert_int_equal(vepoll_wasix_read(wx, t, &v, 8), -EAGAIN);
    assert_int_equal(vepoll_wasix_write(wx, t, &v, 8), -EINVAL);
    assert_int_equal(vepoll_wasix_recv(wx, t, &v, 8, 0), -ENOTSOCK);
    assert_int_equal(vepoll_wasix_shutdown(wx, t, VEPOLL_SHUT_RD), -ENOTSOCK);
    /* Through a dup: the same timer. */
    assert_int_equal(vepoll_wasix_dup(wx, t, 0, 0, &d), 0);
    assert_int_equal(vepoll_wasix_timerfd_settime(wx, d, ABS, &past, &old), 0);
    assert_int_equal(vepoll_wasix_fd_info(wx, t, &info), 0);
    assert_int_equal(info.ready, VEPOLL_IN);
    assert_int_equal(info.nbytes, 8);
    it.fd = t;
    assert_int_equal(vepoll_wasix_poll(wx, &it, 1, 0), 1);
    assert_int_equal(it.revents, VEPOLL_IN);
    assert_int_equal(vt_wx_wait(wx, ep, ev, 4, 0), 1);
    assert_int_equal(ev[0].events, VEPOLL_WASIX_EPOLLIN);
    assert_true(ev[0].data2 == 77 && ev[0].fd == t);
    assert_int_equal(vepoll_wasix_read(wx, d, small, sizeof small), -EINVAL);
    assert_int_equal(vepoll_wasix_read(wx, t, &v, 8), 8);
    assert_true(v == 1);
    assert_int_equal(vepoll_wasix_fd_info(wx, t, &info), 0);
    assert_int_equal(info.ready, 0);
    assert_int_equal(info.nbytes, 0);
    /* gettime through the other descriptor; settime returns the old one. */
    assert_int_equal(vepoll_wasix_timerfd_settime(wx, t, 0, &far, NULL), 0);
    assert_int_equal(vepoll_wasix_timerfd_gettime(wx, d, &old), 0);
    assert_int_equal(old.it_interval.tv_sec, 3);
    assert_true(old.it_value.tv_sec > 900 && old.it_value.tv_sec <= 1000);
    assert_int_equal(vt_wx_wait(wx, ep, ev, 4, 0), 0);
}

/* A blocking description: the read waits for the expiration. */
static void test_wasix_S162_timerfd_blocking_read_through_a_descriptor(void **state)
{
    vepoll_wasix_t *wx = *state;
    struct vepoll_itimerspec soon = its(0, 20 * VT_MS);
    uint32_t t = tfd(wx, 0);
    uint64_t v = 0;
    int64_t t0 = vt_now_ns();
    assert_int_equal(vepoll_wasix_timerfd_settime(wx, t, 0, &soon, NULL), 0);
    assert_int_equal(vepoll_wasix_read(wx, t, &v, 8), 8);
    assert_true(vt_now_ns() - t0 >= 20 * VT_MS);
    assert_true(v == 1);
    /* O_NONBLOCK set later on the description: EAGAIN. */
    assert_int_equal(vepoll_wasix_set_nonblock(wx, t, 1), 0);
    assert_int_equal(vepoll_wasix_read(wx, t, &v, 8), -EAGAIN);
}

/* ---- recv / send ---------------------------------------------------------------------- */

static void test_wasix_S163_S166_recv_send_flags_on_descriptors(void **state)
{
    vepoll_wasix_t *wx = *state;
    uint32_t s[2], p[2];
    char b[16];
    assert_int_equal(vepoll_wasix_socketpair(wx, 0, s), 0); /* blocking */
    assert_int_equal(vepoll_wasix_pipe(wx, 0, p), 0);
    /* EBADF, then ENOTSOCK, then the flags. */
    assert_int_equal(vepoll_wasix_recv(wx, 999, b, 4, 0x8), -EBADF);
    assert_int_equal(vepoll_wasix_recv(wx, UINT32_MAX, b, 4, 0), -EBADF);
    assert_int_equal(vepoll_wasix_recv(NULL, s[0], b, 4, 0), -EBADF);
    assert_int_equal(vepoll_wasix_recv(wx, p[0], b, 4, 0x8), -ENOTSOCK);
    assert_int_equal(vepoll_wasix_send(wx, p[1], b, 4, 0), -ENOTSOCK);
    assert_int_equal(vepoll_wasix_recv(wx, s[0], b, 4, 0x8), -EINVAL);
    assert_int_equal(vepoll_wasix_recv(wx, s[0], b, 4, VEPOLL_MSG_OOB), -EINVAL);
    assert_int_equal(vepoll_wasix_send(wx, s[0], b, 4, VEPOLL_MSG_OOB), -EOPNOTSUPP);
    assert_int_equal(vepoll_wasix_send(wx, s[0], b, 4, VEPOLL_MSG_PEEK), -EINVAL);
    /* DONTWAIT makes one call non-blocking on a blocking description. */
    assert_int_equal(vepoll_wasix_recv(wx, s[0], b, 4, VEPOLL_MSG_DONTWAIT), -EAGAIN);
    assert_int_equal(vepoll_wasix_recv(wx, s[0], b, 0, VEPOLL_MSG_DONTWAIT), -EAGAIN);
    assert_int_equal(vepoll_wasix_send(wx, s[1], "hello", 5, VEPOLL_MSG_NOSIGNAL), 5);
    /* PEEK does not consume; WAITALL (DONTWAIT) takes what is there. */
    assert_int_equal(vepoll_wasix_recv(wx, s[0], b, 3, VEPOLL_MSG_PEEK), 3);
    assert_memory_equal(b, "hel", 3);
    assert_int_equal(vepoll_wasix_recv(wx, s[0], b, 16,
                                       VEPOLL_MSG_WAITALL | VEPOLL_MSG_DONTWAIT),
                     5);
    assert_memory_equal(b, "hello", 5);
    /* The description's O_NONBLOCK, set through the other descriptor of a
     * dup, applies too. */
    {
        uint32_t d;
        assert_int_equal(vepoll_wasix_dup(wx, s[0], 0, 0, &d), 0);
        assert_int_equal(vepoll_wasix_set_nonblock(wx, d, 1), 0);
        assert_int_equal(vepoll_wasix_recv(wx, s[0], b, 4, VEPOLL_MSG_WAITALL), -EAGAIN);
    }
    /* send to a shut peer: EPIPE, no signal either way. */
    assert_int_equal(vepoll_wasix_shutdown(wx, s[1], VEPOLL_SHUT_WR), 0);
    assert_int_equal(vepoll_wasix_send(wx, s[1], "x", 1, 0), -EPIPE);
    assert_int_equal(vepoll_wasix_send(wx, s[1], "x", 1, VEPOLL_MSG_NOSIGNAL), -EPIPE);
    assert_int_equal(vepoll_wasix_recv(wx, s[0], b, 4, 0), 0); /* EOF */
    assert_int_equal(vepoll_wasix_recv(wx, s[0], NULL, 4, 0), 0);
}

struct sender {
    pthread_t th;
    vepoll_wasix_t *wx;
    uint32_t fd;
};

static void *sender_main(void *arg)
{
    struct sender *s = arg;
    for (int i = 0; i < 4; i++) {
        vt_sleep_ms(5);
        (void)vepoll_wasix_send(s->wx, s->fd, "ab", 2, 0);
    }
    return NULL;
}

/* A blocking WAITALL recv through a descriptor collects several sends. */
static void test_wasix_S164_blocking_waitall_through_a_descriptor(void **state)
{
    vepoll_wasix_t *wx = *state;
    struct sender snd;
    uint32_t s[2];
    char b[8];
    assert_int_equal(vepoll_wasix_socketpair(wx, 0, s), 0);
    snd.wx = wx;
    snd.fd = s[1];
    assert_int_equal(pthread_create(&snd.th, NULL, sender_main, &snd), 0);
    assert_int_equal(vepoll_wasix_recv(wx, s[0], b, 8, VEPOLL_MSG_WAITALL), 8);
    assert_int_equal(pthread_join(snd.th, NULL), 0);
    assert_memory_equal(b, "abababab", 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_wasix_S151_timerfd_create_checks, vt_wx_setup, vt_wx_teardown),
        cmocka_unit_test_setup_teardown(
            test_wasix_S152_timerfd_settime_gettime_errors_in_linux_order, vt_wx_setup, vt_wx_teardown),
        cmocka_unit_test_setup_teardown(test_wasix_S156_timerfd_read_write_and_readiness, vt_wx_setup,
                                        vt_wx_teardown),
        cmocka_unit_test_setup_teardown(test_wasix_S162_timerfd_blocking_read_through_a_descriptor,
                                        vt_wx_setup, vt_wx_teardown),
        cmocka_unit_test_setup_teardown(test_wasix_S163_S166_recv_send_flags_on_descriptors, vt_wx_setup,
                                        vt_wx_teardown),
        cmocka_unit_test_setup_teardown(test_wasix_S164_blocking_waitall_through_a_descriptor,
                                        vt_wx_setup, vt_wx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
