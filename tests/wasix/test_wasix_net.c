/*
 * Real sockets in the WASIX adapter's built-in table (vepoll_wasix.h,
 * "Host kernel descriptors"; src/wasix/wasix_net.c): host sockets as
 * descriptors of kind VEPOLL_WASIX_KIND_KFD, whose readiness is the
 * kernel's through the guest-visible epoll imports, whose I/O, dup and
 * close are the table's, and whose socket calls are Linux's (S223); bad
 * input gets Linux's errors and changes nothing (S224); connections opened
 * and closed while registered leave no stale event and no descriptor
 * behind (S225: /proc/self/fd counted); the host's stdio watched through
 * kfds (S226: vepoll_wasix_watch_stdio).  Every expected value is what the
 * same calls give on the kernel directly (the comments say so).
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vepoll_kfd.h"
#include "vepoll_wasix.h"
#include "vtest.h"

#define IN VEPOLL_WASIX_EPOLLIN
#define ADD VEPOLL_WASIX_CTL_ADD

static struct sockaddr_in loopback(uint16_t port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    return a;
}

/* A listening socket in the table on 127.0.0.1 (kernel-chosen port). */
static uint32_t listener(vepoll_wasix_t *wx, int flags, uint16_t *port)
{
    struct sockaddr_in a = loopback(0);
    socklen_t len = sizeof(a);
    uint32_t fd;
    assert_int_equal(vepoll_wasix_socket(wx, AF_INET, SOCK_STREAM | flags, 0, &fd), 0);
    assert_int_equal(vepoll_wasix_bind(wx, fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(vepoll_wasix_listen(wx, fd, 64), 0);
    assert_int_equal(vepoll_wasix_sockname(wx, fd, 0, (struct sockaddr *)&a, &len), 0);
    assert_int_equal(len, sizeof(a));
    *port = ntohs(a.sin_port);
    assert_int_not_equal(*port, 0);
    return fd;
}

/* The process-wide kernel set and its eventfd exist from the first kfd on
 * (vepoll_kfd.h): counted from after one has been made. */
static int open_fds_after_warmup(vepoll_wasix_t *wx)
{
    uint32_t fd;
    assert_int_equal(vepoll_wasix_socket(wx, AF_INET, SOCK_STREAM, 0, &fd), 0);
    assert_int_equal(vepoll_wasix_close(wx, fd), 0);
    return vt_open_fds();
}

/* ---- S223: a round trip ---------------------------------------------------- */

static void test_wasix_S223_listen_connect_accept_talk_through_the_table(void **state)
{
    vepoll_wasix_t *wx = *state;
    int start = open_fds_after_warmup(wx);
    uint16_t port;
    uint32_t l = listener(wx, VEPOLL_NONBLOCK, &port), c, s, d, ep;
    struct sockaddr_in a = loopback(port), peer, me;
    socklen_t len = sizeof(peer), mlen = sizeof(me);
    struct vepoll_wasix_fdinfo info;
    struct vt_wxev ev[2];
    char buf[8];
    assert_int_equal(vt_wx_epoll_create(wx, &ep), 0);
    assert_int_equal(vt_wx_ctl(wx, ep, ADD, l, IN, 7), 0);
    assert_int_equal(vt_wx_wait(wx, ep, ev, 2, 0), 0); /* nothing to accept */
    /* accept4 on an empty non-blocking listener: EAGAIN */
    assert_int_equal(vepoll_wasix_accept(wx, l, 0, NULL, NULL, &s), -EAGAIN);
    assert_int_equal(vepoll_wasix_socket(wx, AF_INET, SOCK_STREAM, 0, &c), 0);
    assert_int_equal(vepoll_wasix_fd_info(wx, c, &info), 0);
    assert_int_equal(info.kind, VEPOLL_WASIX_KIND_KFD);
    /* getpeername before connect: ENOTCONN; blocking connect: 0; again: EISCONN */
    assert_int_equal(vepoll_wasix_sockname(wx, c, 1, (struct sockaddr *)&peer, &len), -ENOTCONN);
    assert_int_equal(vepoll_wasix_connect(wx, c, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(vepoll_wasix_connect(wx, c, (struct sockaddr *)&a, sizeof(a)), -EISCONN);
    /* the listener is readable while the connection waits */
    assert_int_equal(vt_wx_wait(wx, ep, ev, 2, 1000000000), 1);
    assert_int_equal(ev[0].fd, l);
    assert_int_equal(ev[0].events & IN, IN);
    len = sizeof(peer);
    assert_int_equal(vepoll_wasix_accept(wx, l, VEPOLL_NONBLOCK, (struct sockaddr *)&peer, &len, &s),
                     0);
    assert_int_equal(len, sizeof(peer));
    assert_int_equal(vepoll_wasix_sockname(wx, c, 0, (struct sockaddr *)&me, &mlen), 0);
    assert_int_equal(peer.sin_port, me.sin_port); /* the client's own port */
    assert_int_equal(vt_wx_wait(wx, ep, ev, 2, 0), 0); /* taken */
    /* data both ways; a dup is the same description; EOF once the last
     * descriptor of the client is closed */
    assert_int_equal(vepoll_wasix_write(wx, c, "ping", 4), 4);
    assert_int_equal(vepoll_wasix_read(wx, s, buf, sizeof(buf)), 4);
    assert_memory_equal(buf, "ping", 4);
    assert_int_equal(vepoll_wasix_dup(wx, s, 0, 0, &d), 0);
    assert_int_equal(vepoll_wasix_write(wx, d, "pong", 4), 4);
    assert_int_equal(vepoll_wasix_read(wx, c, buf, sizeof(buf)), 4);
    assert_memory_equal(buf, "pong", 4);
    assert_int_equal(vepoll_wasix_read(wx, s, buf, sizeof(buf)), -EAGAIN); /* O_NONBLOCK */
    assert_int_equal(vepoll_wasix_close(wx, c), 0);
    assert_int_equal(vepoll_wasix_read(wx, d, buf, sizeof(buf)), 0);
    assert_int_equal(vepoll_wasix_close(wx, s), 0);
    assert_int_equal(vepoll_wasix_close(wx, d), 0);
    assert_int_equal(vepoll_wasix_close(wx, l), 0);
    assert_int_equal(vepoll_wasix_close(wx, ep), 0);
    assert_int_equal(vt_open_fds(), start); /* every host descriptor closed */
}

/* ---- S224: errors --------------------------------------------------------- */

static void test_wasix_S224_socket_calls_give_linux_errors_and_change_nothing(void **state)
{
    vepoll_wasix_t *wx = *state;
    int start = open_fds_after_warmup(wx), one = 1, v = 0;
    uint16_t port;
    uint32_t l = listener(wx, 0, &port), e, fd = 99, d;
    struct sockaddr_in a = loopback(port);
    socklen_t len = sizeof(v);
    int tmp;
    char path[] = "/tmp/vepoll-net-XXXXXX";
    assert_int_equal(vepoll_wasix_eventfd(wx, 0, 0, &e), 0);
    /* not a socket: ENOTSOCK; not open: EBADF */
    assert_int_equal(vepoll_wasix_listen(wx, e, 1), -ENOTSOCK);
    assert_int_equal(vepoll_wasix_accept(wx, e, 0, NULL, NULL, &fd), -ENOTSOCK);
    assert_int_equal(vepoll_wasix_bind(wx, 77, (struct sockaddr *)&a, sizeof(a)), -EBADF);
    assert_int_equal(vepoll_wasix_connect(wx, 77, (struct sockaddr *)&a, sizeof(a)), -EBADF);
    assert_int_equal(fd, 99); /* nothing written */
    /* the kernel's answers: EAFNOSUPPORT, EADDRINUSE, EINVAL (accept on a
     * socket that does not listen), ECONNREFUSED (nobody listens) */
    assert_int_equal(vepoll_wasix_socket(wx, 4242, SOCK_STREAM, 0, &fd), -EAFNOSUPPORT);
    assert_int_equal(vepoll_wasix_socket(wx, AF_INET, SOCK_STREAM, 0, &d), 0);
    assert_int_equal(vepoll_wasix_bind(wx, d, (struct sockaddr *)&a, sizeof(a)), -EADDRINUSE);
    assert_int_equal(vepoll_wasix_bind(wx, d, (struct sockaddr *)&a, 4), -EINVAL);
    assert_int_equal(vepoll_wasix_accept(wx, d, VEPOLL_CLOEXEC, NULL, NULL, &fd), -EINVAL);
    assert_int_equal(vepoll_wasix_accept(wx, l, 0x1, NULL, NULL, &fd), -EINVAL); /* bad flags */
    assert_int_equal(vepoll_wasix_accept(wx, l, 0, NULL, NULL, NULL), -EINVAL);
    assert_int_equal(vepoll_wasix_setsockopt(wx, d, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)),
                     0);
    assert_int_equal(vepoll_wasix_getsockopt(wx, d, SOL_SOCKET, SO_KEEPALIVE, &v, &len), 0);
    assert_int_equal(v, 1);
    assert_int_equal(vepoll_wasix_close(wx, l), 0);
    assert_int_equal(vepoll_wasix_connect(wx, d, (struct sockaddr *)&a, sizeof(a)), -ECONNREFUSED);
    assert_int_equal(vepoll_wasix_close(wx, d), 0);
    /* installing: a closed descriptor EBADF, a regular file EPERM (the
     * kernel's epoll refuses it), bad flags EINVAL; the caller keeps it */
    assert_int_equal(vepoll_wasix_kfd_install(wx, -1, 0, &fd), -EBADF);
    tmp = mkstemp(path);
    assert_true(tmp >= 0);
    unlink(path);
    assert_int_equal(vepoll_wasix_kfd_install(wx, tmp, 0, &fd), -EPERM);
    assert_int_equal(vepoll_wasix_kfd_install(wx, tmp, 0x1, &fd), -EINVAL);
    assert_int_equal(vepoll_wasix_kfd_install(wx, tmp, 0, NULL), -EINVAL);
    assert_int_equal(fcntl(tmp, F_GETFD), 0); /* still open, still ours */
    close(tmp);
    assert_int_equal(vepoll_wasix_close(wx, e), 0);
    assert_int_equal(vt_open_fds(), start);
}

/* The calls need the built-in table (a runtime's own table: -ENOTSUP) and
 * a table (-EBADF). */
static void test_wasix_S224_socket_calls_need_the_builtin_table(void **state)
{
    uint32_t fd;
    (void)state;
    assert_int_equal(vepoll_wasix_socket(NULL, AF_INET, SOCK_STREAM, 0, &fd), -EBADF);
    assert_int_equal(vepoll_wasix_kfd_install(NULL, 0, 0, &fd), -EBADF);
    assert_int_equal(vepoll_wasix_listen(NULL, 3, 1), -EBADF);
}

/* ---- S225: churn while registered ----------------------------------------- */

static void test_wasix_S225_connections_closed_while_registered_leave_nothing(void **state)
{
    vepoll_wasix_t *wx = *state;
    int start = open_fds_after_warmup(wx);
    uint16_t port;
    uint32_t l = listener(wx, VEPOLL_NONBLOCK, &port), ep, c, s;
    struct sockaddr_in a = loopback(port);
    struct vt_wxev ev[8];
    char buf[4];
    assert_int_equal(vt_wx_epoll_create(wx, &ep), 0);
    for (int i = 0; i < 300; i++) {
        int n;
        assert_int_equal(vepoll_wasix_socket(wx, AF_INET, SOCK_STREAM, 0, &c), 0);
        assert_int_equal(vepoll_wasix_connect(wx, c, (struct sockaddr *)&a, sizeof(a)), 0);
        assert_int_equal(vepoll_wasix_accept(wx, l, VEPOLL_NONBLOCK, NULL, NULL, &s), 0);
        /* both ends registered, data pending on one, then both closed
         * before any wait: the numbers come back at once, and a later
         * wait must report nothing for them */
        assert_int_equal(vt_wx_ctl(wx, ep, ADD, s, IN, (uint64_t)i), 0);
        assert_int_equal(vt_wx_ctl(wx, ep, ADD, c, IN, (uint64_t)i), 0);
        assert_int_equal(vepoll_wasix_write(wx, c, "x", 1), 1);
        if (i % 2) {
            n = vt_wx_wait(wx, ep, ev, 8, 1000000000);
            assert_int_equal(n, 1);
            assert_int_equal(ev[0].fd, s);
            assert_int_equal(ev[0].data2, (uint64_t)i);
            assert_int_equal(vepoll_wasix_read(wx, s, buf, sizeof(buf)), 1);
        }
        assert_int_equal(vepoll_wasix_close(wx, s), 0);
        assert_int_equal(vepoll_wasix_close(wx, c), 0);
        assert_int_equal(vt_wx_wait(wx, ep, ev, 8, 0), 0);
    }
    assert_int_equal(vepoll_wasix_close(wx, ep), 0);
    assert_int_equal(vepoll_wasix_close(wx, l), 0);
    assert_int_equal(vt_open_fds(), start);
}

/* ---- S226: watched stdio ------------------------------------------------ */

/* The test process's stream 0 replaced by fd for the test (restored by
 * put_stdin0). */
static int swap_stdin0(int fd)
{
    int saved = dup(0);
    assert_true(saved >= 0);
    assert_int_equal(dup2(fd, 0), 0);
    close(fd);
    return saved;
}

static void put_stdin0(int saved)
{
    assert_int_equal(dup2(saved, 0), 0);
    close(saved);
}

static void test_wasix_S226_watched_stdin_is_readable_only_with_input(void **state)
{
    vepoll_wasix_t *wx = NULL;
    struct vepoll_wasix_pollitem it = {.fd = 0, .events = VEPOLL_IN};
    struct vt_wxev ev[2];
    uint32_t ep, d;
    int p[2], saved;
    char buf[8];
    (void)state;
    assert_int_equal(pipe(p), 0);
    saved = swap_stdin0(p[0]);
    assert_int_equal(vepoll_wasix_create(&wx, NULL), 0);
    assert_int_equal(vepoll_wasix_watch_stdio(wx), 0);
    assert_int_equal(vepoll_wasix_poll(wx, &it, 1, 0), 0); /* empty: not ready */
    assert_int_equal(vt_wx_epoll_create(wx, &ep), 0);
    assert_int_equal(vt_wx_ctl(wx, ep, ADD, 0, IN, 5), 0); /* a pipe: pollable */
    assert_int_equal(vt_wx_wait(wx, ep, ev, 2, 0), 0);
    assert_int_equal(write(p[1], "hi", 2), 2);
    assert_int_equal(vt_wx_wait(wx, ep, ev, 2, 1000000000), 1);
    assert_int_equal(ev[0].fd, 0);
    assert_int_equal(ev[0].data2, 5);
    assert_int_equal(vepoll_wasix_poll(wx, &it, 1, 0), 1);
    assert_int_equal(it.revents, VEPOLL_IN);
    /* reads of stream 0 go through the table; writes to it are EBADF */
    assert_int_equal(vepoll_wasix_write(wx, 0, "x", 1), -EBADF);
    assert_int_equal(vepoll_wasix_dup(wx, 0, 0, 0, &d), 0);
    assert_int_equal(vepoll_wasix_read(wx, d, buf, sizeof(buf)), 2);
    assert_int_equal(vepoll_wasix_poll(wx, &it, 1, 0), 0); /* drained */
    assert_int_equal(vt_wx_wait(wx, ep, ev, 2, 0), 0);
    /* the table's close leaves the host stream open (it is the host's) */
    assert_int_equal(vepoll_wasix_close(wx, 0), 0);
    assert_int_equal(vepoll_wasix_close(wx, d), 0);
    assert_true(fcntl(0, F_GETFD) >= 0);
    close(p[1]);
    assert_int_equal(vepoll_wasix_close(wx, ep), 0);
    vepoll_wasix_destroy(wx);
    put_stdin0(saved);
}

/* A stream the kernel cannot watch (/dev/null) stays the host's, as
 * before (S175); another table is -ENOTSUP, none -EBADF. */
static void test_wasix_S226_unwatchable_stdin_stays_the_hosts(void **state)
{
    vepoll_wasix_t *wx = NULL;
    struct vepoll_wasix_pollitem it = {.fd = 0, .events = VEPOLL_IN};
    uint32_t ep;
    char c;
    int saved = swap_stdin0(open("/dev/null", O_RDONLY));
    (void)state;
    assert_int_equal(vepoll_wasix_create(&wx, NULL), 0);
    assert_int_equal(vepoll_wasix_watch_stdio(wx), 0);
    assert_int_equal(vepoll_wasix_poll(wx, &it, 1, -1), 1); /* never blocks */
    assert_int_equal(vt_wx_epoll_create(wx, &ep), 0);
    assert_int_not_equal(vt_wx_ctl(wx, ep, ADD, 0, IN, 5), 0); /* EPERM */
    assert_int_equal(vepoll_wasix_read(wx, 0, &c, 1), -ENOTSUP);
    vepoll_wasix_destroy(wx);
    put_stdin0(saved);
    assert_int_equal(vepoll_wasix_watch_stdio(NULL), -EBADF);
}

/* A watch that fails part-way (-ENOMEM on the last stream it would watch)
 * changes nothing: stdin stays the host's (-ENOTSUP), as if never called;
 * the retry watches it; a second watch watches nothing more and leaves
 * nothing allocated behind (a failed call changes nothing). */
static void test_wasix_S226_failed_watch_changes_nothing(void **state)
{
    vepoll_wasix_t *wx = NULL;
    struct vepoll_wasix_pollitem it = {.fd = 0, .events = VEPOLL_IN};
    long calls;
    int p[2], saved;
    char buf[4];
    (void)state;
    assert_int_equal(pipe(p), 0);
    saved = swap_stdin0(p[0]);
    assert_int_equal(vt_alloc_install(), 0);
    /* How many allocations a whole watch makes (fds 1 and 2 too, when the
     * kernel can watch them): the last one is the last stream's. */
    assert_int_equal(vepoll_wasix_create(&wx, NULL), 0);
    calls = atomic_load(&vt_alloc.calls);
    assert_int_equal(vepoll_wasix_watch_stdio(wx), 0);
    calls = atomic_load(&vt_alloc.calls) - calls;
    assert_true(calls >= 1);
    vepoll_wasix_destroy(wx);

    assert_int_equal(vepoll_wasix_create(&wx, NULL), 0);
    vt_alloc_fail_call(calls);
    assert_int_equal(vepoll_wasix_watch_stdio(wx), -ENOMEM);
    vt_alloc_fail_none();
    assert_int_equal(vepoll_wasix_poll(wx, &it, 1, 0), 1); /* unwatched: always ready */
    assert_int_equal(vepoll_wasix_read(wx, 0, buf, sizeof(buf)), -ENOTSUP);
    assert_int_equal(vepoll_wasix_watch_stdio(wx), 0);
    assert_int_equal(write(p[1], "x", 1), 1);
    assert_int_equal(vepoll_wasix_read(wx, 0, buf, sizeof(buf)), 1);
    assert_int_equal(vepoll_wasix_watch_stdio(wx), 0); /* again: no change */
    assert_int_equal(vepoll_wasix_poll(wx, &it, 1, 0), 0); /* watched: drained */
    vepoll_wasix_destroy(wx);
    assert_int_equal(atomic_load(&vt_alloc.live), 0);
    assert_int_equal(vt_settings_reset(), 0);
    close(p[1]);
    put_stdin0(saved);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_wasix_S223_listen_connect_accept_talk_through_the_table,
                                        vt_wx_setup, vt_wx_teardown),
        cmocka_unit_test_setup_teardown(
            test_wasix_S224_socket_calls_give_linux_errors_and_change_nothing, vt_wx_setup,
            vt_wx_teardown),
        cmocka_unit_test(test_wasix_S224_socket_calls_need_the_builtin_table),
        cmocka_unit_test_setup_teardown(
            test_wasix_S225_connections_closed_while_registered_leave_nothing, vt_wx_setup,
            vt_wx_teardown),
        cmocka_unit_test(test_wasix_S226_watched_stdin_is_readable_only_with_input),
        cmocka_unit_test(test_wasix_S226_unwatchable_stdin_stays_the_hosts),
        cmocka_unit_test(test_wasix_S226_failed_watch_changes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
