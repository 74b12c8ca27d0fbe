/*
 * The built-in descriptor table of the WASIX adapter (include/vepoll_wasix.h)
 * as Linux's: descriptors and open file descriptions -- dup, F_DUPFD(_CLOEXEC),
 * dup2/dup3, renumber, FD_CLOEXEC per descriptor, O_NONBLOCK shared by dups,
 * the final close with the last descriptor (S167-S169); epoll registrations
 * keyed by (description, fd number) across dups, closes and number reuse
 * (S170-S174); stdio as real, non-pollable entries (S175); an instance kept
 * by a blocked epoll_wait (S260); the owner thread's borrowed calls racing
 * other threads' closes and epoll_ctl; and bad input
 * (closed and out-of-range numbers, NULL pointers, other tables).  The epoll
 * scenarios replay, call for call, what a native program does on the
 * kernel (the comments give Linux's answers).  Helper threads never assert.
 */
#include <pthread.h>

#include "vepoll_objects.h"
#include "vepoll_wasix.h"
#include "vtest.h"

#define IN VEPOLL_WASIX_EPOLLIN
#define ADD VEPOLL_WASIX_CTL_ADD
#define MOD VEPOLL_WASIX_CTL_MOD
#define DEL VEPOLL_WASIX_CTL_DEL
#define MAXFD VEPOLL_WASIX_MAX_FDS

static uint32_t efd(vepoll_wasix_t *wx, uint64_t init)
{
    uint32_t fd;
    assert_int_equal(vepoll_wasix_eventfd(wx, init, VEPOLL_NONBLOCK, &fd), 0);
    return fd;
}

static uint32_t epfd(vepoll_wasix_t *wx)
{
    uint32_t fd;
    assert_int_equal(vt_wx_epoll_create(wx, &fd), 0);
    return fd;
}

static uint32_t dupfd(vepoll_wasix_t *wx, uint32_t fd, uint32_t min, int cloexec)
{
    uint32_t nfd = UINT32_MAX;
    assert_int_equal(vepoll_wasix_dup(wx, fd, min, cloexec, &nfd), 0);
    return nfd;
}

static int cloexec_of(vepoll_wasix_t *wx, uint32_t fd)
{
    int on = -1;
    assert_int_equal(vepoll_wasix_get_cloexec(wx, fd, &on), 0);
    return on;
}

static int nonblock_of(vepoll_wasix_t *wx, uint32_t fd)
{
    struct vepoll_wasix_fdinfo info;
    assert_int_equal(vepoll_wasix_fd_info(wx, fd, &info), 0);
    return info.nonblock;
}

static void closefd(vepoll_wasix_t *wx, uint32_t fd)
{
    assert_int_equal(vepoll_wasix_close(wx, fd), 0);
}

/* A wait (timeout 0) returns exactly these {data2, fd} entries, each with
 * IN, in this order. */
struct exp {
    uint64_t data2;
    uint32_t fd;
};

static void expect_(vepoll_wasix_t *wx, uint32_t ep, const struct exp *e, int n, int line)
{
    struct vt_wxev got[16];
    int rc = vt_wx_wait(wx, ep, got, 16, 0);
    if (rc != n)
        print_error("line %d: wait returned %d, expected %d\n", line, rc, n);
    assert_int_equal(rc, n);
    for (int i = 0; i < n; i++) {
        if (got[i].data2 != e[i].data2 || got[i].fd != e[i].fd)
            print_error("line %d: entry %d is [%" PRIu64 " fd %u], expected [%" PRIu64
                        " fd %u]\n",
                        line, i, got[i].data2, got[i].fd, e[i].data2, e[i].fd);
        assert_true(got[i].data2 == e[i].data2 && got[i].fd == e[i].fd);
        assert_int_equal(got[i].events, IN);
    }
}

#define EXPECT(wx, ep, ...)                                                             \
    expect_((wx), (ep), (const struct exp[]){__VA_ARGS__},                               \
            (int)(sizeof((const struct exp[]){__VA_ARGS__}) / sizeof(struct exp)), __LINE__)
#define EXPECT_NONE(wx, ep) expect_((wx), (ep), NULL, 0, __LINE__)

/* ---- descriptors and descriptions ------------------------------------------------- */

static void test_wasix_S167_dup_gives_the_lowest_free_number_same_description(void **state)
{
    vepoll_wasix_t *wx = *state;
    uint32_t p[2], d, d2, r;
    uint64_t v = 5, got = 0;
    assert_int_equal(vepoll_wasix_pipe(wx, 0, p), 0);
    assert_int_equal(p[0], 3);
    assert_int_equal(p[1], 4);
    d = efd(wx, 0); /* 5 */
    closefd(wx, d);
    /* dup: the lowest free number (5); F_DUPFD: the lowest >= min. */
    assert_int_equal(dupfd(wx, p[1], 0, 0), 5);
    assert_int_equal(dupfd(wx, p[1], 10, 0), 10);
    assert_int_equal(dupfd(wx, p[1], 10, 0), 11);
    assert_int_equal(dupfd(wx, p[1], 3, 0), 6);
    /* The same description: written through a dup, read through the
     * original read end; the pipe's write side is open while one of them
     * is. */
    assert_int_equal(vepoll_wasix_write(wx, 10, "abc", 3), 3);
    closefd(wx, p[1]);
    closefd(wx, 5);
    closefd(wx, 10);
    closefd(wx, 11);
    assert_int_equal(vepoll_wasix_write(wx, 6, "d", 1), 1);
    {
        char buf[8];
        assert_int_equal(vepoll_wasix_set_nonblock(wx, p[0], 1), 0);
        assert_int_equal(vepoll_wasix_read(wx, p[0], buf, sizeof buf), 4);
        assert_memory_equal(buf, "abcd", 4);
        /* The last write-end descriptor goes: EOF. */
        closefd(wx, 6);
        assert_int_equal(vepoll_wasix_read(wx, p[0], buf, sizeof buf), 0);
    }
    /* dup2 / dup3 to a chosen number; renumber moves a descriptor. */
    d = efd(wx, 0);
    assert_int_equal(vepoll_wasix_dup3(wx, d, 40, 0), 0);
    assert_int_equal(vepoll_wasix_write(wx, 40, &v, 8), 8);
    assert_int_equal(vepoll_wasix_renumber(wx, 40, 41), 0);
    assert_int_equal(vepoll_wasix_fd_info(wx, 40, &(struct vepoll_wasix_fdinfo){0}), -EBADF);
    assert_int_equal(vepoll_wasix_read(wx, 41, &got, 8), 8);
    assert_true(got == 5);
    d2 = efd(wx, 0);
    assert_int_equal(vepoll_wasix_renumber(wx, d2, d2), 0); /* to itself: nothing */
    assert_int_equal(cloexec_of(wx, d2), 0);
    r = dupfd(wx, d, 0, 0);
    assert_true(r > d2);
    closefd(wx, d);
    closefd(wx, d2);
    closefd(wx, r);
    closefd(wx, 41);
    closefd(wx, p[0]);
}

static void test_wasix_S167_cloexec_per_descriptor_nonblock_per_description(void **state)
{
    vepoll_wasix_t *wx = *state;
    uint32_t fds[2], a, b, c;
    assert_int_equal(vepoll_wasix_socketpair(wx, VEPOLL_CLOEXEC, fds), 0);
    assert_int_equal(cloexec_of(wx, fds[0]), 1);
    assert_int_equal(cloexec_of(wx, fds[1]), 1);
    /* dup clears FD_CLOEXEC, F_DUPFD_CLOEXEC and dup3(O_CLOEXEC) set it. */
    a = dupfd(wx, fds[0], 0, 0);
    b = dupfd(wx, fds[0], 0, 1);
    assert_int_equal(cloexec_of(wx, a), 0);
    assert_int_equal(cloexec_of(wx, b), 1);
    assert_int_equal(vepoll_wasix_dup3(wx, a, 30, 1), 0);
    assert_int_equal(cloexec_of(wx, 30), 1);
    assert_int_equal(vepoll_wasix_dup3(wx, b, 31, 0), 0);
    assert_int_equal(cloexec_of(wx, 31), 0);
    /* FD_CLOEXEC of one descriptor only. */
    assert_int_equal(vepoll_wasix_set_cloexec(wx, a, 7), 0);
    assert_int_equal(cloexec_of(wx, a), 1);
    assert_int_equal(cloexec_of(wx, fds[0]), 1);
    assert_int_equal(vepoll_wasix_set_cloexec(wx, fds[0], 0), 0);
    assert_int_equal(cloexec_of(wx, fds[0]), 0);
    assert_int_equal(cloexec_of(wx, a), 1);
    /* O_NONBLOCK of the description: every descriptor of it. */
    assert_int_equal(nonblock_of(wx, 30), 0);
    assert_int_equal(vepoll_wasix_set_nonblock(wx, a, 1), 0);
    assert_int_equal(nonblock_of(wx, fds[0]), 1);
    assert_int_equal(nonblock_of(wx, 30), 1);
    assert_int_equal(nonblock_of(wx, fds[1]), 0); /* the other end is another */
    {
        char buf[4];
        assert_int_equal(vepoll_wasix_read(wx, 31, buf, 4), -EAGAIN);
    }
    /* renumber moves FD_CLOEXEC with the descriptor. */
    assert_int_equal(vepoll_wasix_renumber(wx, b, 50), 0);
    assert_int_equal(cloexec_of(wx, 50), 1);
    c = efd(wx, 0);
    assert_int_equal(c, b); /* b's number is free again */
    assert_int_equal(cloexec_of(wx, c), 0);
    /* pipe / eventfd creation flags. */
    {
        uint32_t p[2], e;
        assert_int_equal(vepoll_wasix_pipe(wx, VEPOLL_NONBLOCK | VEPOLL_CLOEXEC, p), 0);
        assert_int_equal(nonblock_of(wx, p[0]), 1);
        assert_int_equal(cloexec_of(wx, p[1]), 1);
        assert_int_equal(vepoll_wasix_eventfd(wx, 0, VEPOLL_CLOEXEC, &e), 0);
        assert_int_equal(cloexec_of(wx, e), 1);
        assert_int_equal(nonblock_of(wx, e), 0);
    }
}

static void test_wasix_S168_dup_errors_in_linux_order(void **state)
{
    vepoll_wasix_t *wx = *state;
    uint32_t e = efd(wx, 0), n = 77;
    int on;
    /* dup3: equal numbers EINVAL first, then the range, then the old fd. */
    assert_int_equal(vepoll_wasix_dup3(wx, e, e, 0), -EINVAL);
    assert_int_equal(vepoll_wasix_dup3(wx, 999, 999, 1), -EINVAL);
    assert_int_equal(vepoll_wasix_dup3(wx, e, MAXFD, 0), -EBADF);
    assert_int_equal(vepoll_wasix_dup3(wx, 999, MAXFD, 0), -EBADF);
    assert_int_equal(vepoll_wasix_dup3(wx, 999, 50, 0), -EBADF);
    assert_int_equal(vepoll_wasix_dup3(wx, UINT32_MAX, 50, 0), -EBADF); /* (uint32_t)-1 */
    assert_int_equal(vepoll_wasix_get_cloexec(wx, 50, &on), -EBADF); /* nothing made */
    /* F_DUPFD: the fd first, then the minimum; no number left: EMFILE. */
    assert_int_equal(vepoll_wasix_dup(wx, 999, MAXFD, 0, &n), -EBADF);
    assert_int_equal(vepoll_wasix_dup(wx, e, MAXFD, 0, &n), -EINVAL);
    assert_int_equal(vepoll_wasix_dup(wx, e, UINT32_MAX, 0, &n), -EINVAL);
    assert_int_equal(n, 77);
    assert_int_equal(dupfd(wx, e, MAXFD - 2, 0), MAXFD - 2);
    assert_int_equal(dupfd(wx, e, MAXFD - 2, 0), MAXFD - 1);
    assert_int_equal(vepoll_wasix_dup(wx, e, MAXFD - 2, 0, &n), -EMFILE);
    assert_int_equal(n, 77);
    /* renumber: from not open, to out of range. */
    assert_int_equal(vepoll_wasix_renumber(wx, 999, 5), -EBADF);
    assert_int_equal(vepoll_wasix_renumber(wx, 999, 999), -EBADF);
    assert_int_equal(vepoll_wasix_renumber(wx, e, MAXFD), -EBADF);
    assert_int_equal(cloexec_of(wx, e), 0); /* still there */
    /* cloexec of closed numbers, NULL results. */
    assert_int_equal(vepoll_wasix_set_cloexec(wx, 999, 1), -EBADF);
    assert_int_equal(vepoll_wasix_get_cloexec(wx, UINT32_MAX, &on), -EBADF);
    assert_int_equal(vepoll_wasix_get_cloexec(wx, e, NULL), -EINVAL);
    assert_int_equal(vepoll_wasix_dup(wx, e, 0, 0, NULL), -EINVAL);
    assert_int_equal(vepoll_wasix_set_nonblock(wx, 999, 1), -EBADF);
    assert_int_equal(vepoll_wasix_close(wx, 999), -EBADF);
    assert_int_equal(vepoll_wasix_close(wx, UINT32_MAX), -EBADF);
    /* No adapter: EBADF; another table: ENOTSUP. */
    assert_int_equal(vepoll_wasix_dup(NULL, e, 0, 0, &n), -EBADF);
    assert_int_equal(vepoll_wasix_dup3(NULL, e, 9, 0), -EBADF);
    assert_int_equal(vepoll_wasix_renumber(NULL, e, 9), -EBADF);
    assert_int_equal(vepoll_wasix_get_cloexec(NULL, e, &on), -EBADF);
    assert_int_equal(vepoll_wasix_set_cloexec(NULL, e, 1), -EBADF);
}

static int other_lookup(void *ctx, uint32_t fd, struct vepoll_wasix_fdref *out)
{
    (void)ctx;
    (void)fd;
    (void)out;
    return -EBADF;
}

static int other_install(void *ctx, vepoll_t *ep, uint32_t *fd)
{
    (void)ctx;
    (void)ep;
    (void)fd;
    return -EMFILE;
}

static void test_wasix_table_calls_need_the_builtin_table(void **state)
{
    struct vepoll_wasix_fdtable t = {other_lookup, NULL, other_install, NULL};
    vepoll_wasix_t *wx = NULL;
    struct vepoll_itimerspec v = {{0, 0}, {1, 0}};
    uint32_t n;
    int on;
    char b[8];
    (void)state;
    assert_int_equal(vepoll_wasix_create(&wx, &t), 0);
    assert_int_equal(vepoll_wasix_dup(wx, 0, 0, 0, &n), -ENOTSUP);
    assert_int_equal(vepoll_wasix_dup3(wx, 0, 9, 0), -ENOTSUP);
    assert_int_equal(vepoll_wasix_renumber(wx, 0, 9), -ENOTSUP);
    assert_int_equal(vepoll_wasix_get_cloexec(wx, 0, &on), -ENOTSUP);
    assert_int_equal(vepoll_wasix_set_cloexec(wx, 0, 1), -ENOTSUP);
    assert_int_equal(vepoll_wasix_timerfd_create(wx, VEPOLL_CLOCK_MONOTONIC, 0, &n), -ENOTSUP);
    assert_int_equal(vepoll_wasix_timerfd_settime(wx, 0, 0, &v, NULL), -ENOTSUP);
    assert_int_equal(vepoll_wasix_timerfd_gettime(wx, 0, &v), -ENOTSUP);
    assert_int_equal(vepoll_wasix_recv(wx, 0, b, 8, 0), -ENOTSUP);
    assert_int_equal(vepoll_wasix_send(wx, 0, b, 8, 0), -ENOTSUP);
    assert_int_equal(vepoll_wasix_close(wx, 0), -ENOTSUP);
    vepoll_wasix_destroy(wx);
}

static void test_wasix_S169_dup2_onto_an_open_number_closes_it_silently(void **state)
{
    vepoll_wasix_t *wx = *state;
    uint32_t p[2], q[2], ep = epfd(wx);
    char buf[4];
    assert_int_equal(vepoll_wasix_pipe(wx, VEPOLL_NONBLOCK, p), 0);
    assert_int_equal(vepoll_wasix_pipe(wx, VEPOLL_NONBLOCK, q), 0);
    assert_int_equal(vt_wx_ctl(wx, ep, ADD, q[0], IN, 7), 0);
    assert_int_equal(vepoll_wasix_write(wx, q[1], "x", 1), 1);
    EXPECT(wx, ep, {7, q[0]});
    /* q[0] becomes a descriptor of p[1]: q's read end had no other
     * descriptor, so that was its final close -- its registration is gone
     * and q's writer now sees a closed reader. */
    assert_int_equal(vepoll_wasix_dup3(wx, p[1], q[0], 0), 0);
    EXPECT_NONE(wx, ep);
    assert_int_equal(vepoll_wasix_write(wx, q[1], "y", 1), -EPIPE);
    assert_int_equal(vepoll_wasix_write(wx, q[0], "z", 1), 1); /* into p */
    assert_int_equal(vepoll_wasix_read(wx, p[0], buf, 4), 1);
    assert_int_equal(buf[0], 'z');
    /* dup2 onto another descriptor of the same description: nothing
     * closes. */
    assert_int_equal(vepoll_wasix_dup3(wx, p[1], q[0], 0), 0);
    assert_int_equal(vepoll_wasix_write(wx, q[0], "w", 1), 1);
    /* renumber onto an open number closes that one too. */
    assert_int_equal(vepoll_wasix_renumber(wx, q[0], q[1]), 0);
    assert_int_equal(vepoll_wasix_write(wx, q[1], "v", 1), 1); /* into p */
    assert_int_equal(vepoll_wasix_read(wx, p[0], buf, 4), 2);
}

/* ---- epoll across dups (the replay of a native program) ----------------------------- */

static void test_wasix_S170_S173_registration_follows_the_description(void **state)
{
    vepoll_wasix_t *wx = *state;
    uint32_t ep = epfd(wx), a = efd(wx, 1), b = dupfd(wx, a, 0, 0), c;
    /* ADD through a (data 11); close a: the registration stays (b keeps
     * the description) and reports under a's number and data. */
    assert_int_equal(vt_wx_ctl(wx, ep, ADD, a, IN, 11), 0);
    closefd(wx, a);
    EXPECT(wx, ep, {11, a});
    /* ctl on the closed number: EBADF; through b: another key, ENOENT. */
    assert_int_equal(vt_wx_ctl(wx, ep, DEL, a, 0, 0), VEPOLL_WASI_EBADF);
    assert_int_equal(vt_wx_ctl(wx, ep, MOD, a, IN, 0), VEPOLL_WASI_EBADF);
    assert_int_equal(vt_wx_ctl(wx, ep, DEL, b, 0, 0), VEPOLL_WASI_ENOENT);
    /* ADD through b is a second registration (S172): both report. */
    assert_int_equal(vt_wx_ctl(wx, ep, ADD, b, IN, 22), 0);
    EXPECT(wx, ep, {11, a}, {22, b});
    /* a's number reused by a new eventfd: another description, ENOENT for
     * MOD/DEL there, and an ADD of its own. */
    c = efd(wx, 1);
    assert_int_equal(c, a);
    assert_int_equal(vt_wx_ctl(wx, ep, DEL, c, 0, 0), VEPOLL_WASI_ENOENT);
    assert_int_equal(vt_wx_ctl(wx, ep, MOD, c, IN, 0), VEPOLL_WASI_ENOENT);
    assert_int_equal(vt_wx_ctl(wx, ep, ADD, c, IN, 33), 0);
    EXPECT(wx, ep, {11, a}, {22, b}, {33, c});
    /* dup2(b, c): c's eventfd has its final close (its registration goes),
     * and c is now b's description under a's old number: that first
     * registration is reachable again (ADD EEXIST, MOD works). */
    assert_int_equal(vepoll_wasix_dup3(wx, b, c, 0), 0);
    EXPECT(wx, ep, {11, a}, {22, b});
    assert_int_equal(vt_wx_ctl(wx, ep, ADD, c, IN, 44), VEPOLL_WASI_EEXIST);
    assert_int_equal(vt_wx_ctl(wx, ep, MOD, c, IN, 44), 0);
    EXPECT(wx, ep, {44, a}, {22, b});
    /* The last close of the description removes both (S173). */
    closefd(wx, c);
    EXPECT(wx, ep, {44, a}, {22, b});
    closefd(wx, b);
    EXPECT_NONE(wx, ep);
    closefd(wx, ep);
}

static void test_wasix_S171_registration_survives_renumber_of_its_number(void **state)
{
    vepoll_wasix_t *wx = *state;
    uint32_t ep = epfd(wx), a = efd(wx, 0);
    uint64_t one = 1;
    assert_int_equal(vt_wx_ctl(wx, ep, ADD, a, IN, 5), 0);
    /* renumber = dup2 + close: the description lives on under 60. */
    assert_int_equal(vepoll_wasix_renumber(wx, a, 60), 0);
    assert_int_equal(vepoll_wasix_write(wx, 60, &one, 8), 8);
    EXPECT(wx, ep, {5, a});
    assert_int_equal(vt_wx_ctl(wx, ep, DEL, a, 0, 0), VEPOLL_WASI_EBADF);
    assert_int_equal(vt_wx_ctl(wx, ep, DEL, 60, 0, 0), VEPOLL_WASI_ENOENT);
    /* Back under its old number, the key is whole again. */
    assert_int_equal(vepoll_wasix_renumber(wx, 60, a), 0);
    assert_int_equal(vt_wx_ctl(wx, ep, DEL, a, 0, 0), 0);
    EXPECT_NONE(wx, ep);
}

static void test_wasix_S174_an_epoll_instance_lives_while_a_dup_is_open(void **state)
{
    vepoll_wasix_t *wx = *state;
    uint32_t ep = epfd(wx), ep2 = dupfd(wx, ep, 0, 0), e = efd(wx, 1), outer = epfd(wx);
    /* Through either number, the same instance. */
    assert_int_equal(vt_wx_ctl(wx, ep, ADD, e, IN, 1), 0);
    EXPECT(wx, ep2, {1, e});
    /* Nested under its dup's number: that registration survives the close
     * of the original number. */
    assert_int_equal(vt_wx_ctl(wx, outer, ADD, ep2, IN, 9), 0);
    closefd(wx, ep);
    assert_int_equal(vt_wx_ctl(wx, ep2, ADD, efd(wx, 1), IN, 2), 0);
    EXPECT(wx, outer, {9, ep2});
    EXPECT(wx, ep2, {1, e}, {2, ep});
    /* The last close ends the instance and its nesting. */
    closefd(wx, ep2);
    EXPECT_NONE(wx, outer);
}

/* ---- stdio -------------------------------------------------------------------------- */

static void test_wasix_S175_stdio_descriptors_are_real_entries(void **state)
{
    vepoll_wasix_t *wx = *state;
    struct vepoll_wasix_fdinfo info;
    struct vepoll_wasix_pollitem it[3];
    uint32_t ep = epfd(wx), d, e;
    char b[4];
    for (uint32_t fd = 0; fd < 3; fd++) {
        assert_int_equal(vepoll_wasix_fd_info(wx, fd, &info), 0);
        assert_int_equal(info.kind, VEPOLL_WASIX_KIND_STDIO);
        assert_int_equal(info.host_stdio, (int)fd);
        assert_int_equal(info.ready, 0);
        /* Open but not pollable: EPERM, as for a regular file. */
        assert_int_equal(vt_wx_ctl(wx, ep, ADD, fd, IN, 0), VEPOLL_WASI_EPERM);
        /* Their I/O is the host's; they are no sockets. */
        assert_int_equal(vepoll_wasix_read(wx, fd, b, 4), -ENOTSUP);
        assert_int_equal(vepoll_wasix_write(wx, fd, b, 4), -ENOTSUP);
        assert_int_equal(vepoll_wasix_recv(wx, fd, b, 4, 0), -ENOTSOCK);
        assert_int_equal(vepoll_wasix_shutdown(wx, fd, VEPOLL_SHUT_WR), -ENOTSOCK);
    }
    assert_int_equal(vepoll_wasix_fd_info(wx, ep, &info), 0);
    assert_int_equal(info.host_stdio, -1);
    /* dup(1): another descriptor of the host's stdout. */
    d = dupfd(wx, 1, 0, 0);
    assert_int_equal(vepoll_wasix_fd_info(wx, d, &info), 0);
    assert_int_equal(info.kind, VEPOLL_WASIX_KIND_STDIO);
    assert_int_equal(info.host_stdio, 1);
    /* close(0): the number is free (EBADF) and the lowest one for the next
     * descriptor. */
    closefd(wx, 0);
    assert_int_equal(vepoll_wasix_fd_info(wx, 0, &info), -EBADF);
    assert_int_equal(vepoll_wasix_close(wx, 0), -EBADF);
    e = efd(wx, 1);
    assert_int_equal(e, 0);
    assert_int_equal(vt_wx_ctl(wx, ep, ADD, 0, IN, 3), 0);
    EXPECT(wx, ep, {3, 0});
    /* renumber(2, 1): fd 1 is now the host's stderr, fd 2 is free. */
    assert_int_equal(vepoll_wasix_renumber(wx, 2, 1), 0);
    assert_int_equal(vepoll_wasix_fd_info(wx, 1, &info), 0);
    assert_int_equal(info.host_stdio, 2);
    assert_int_equal(vepoll_wasix_fd_info(wx, 2, &info), -EBADF);
    /* poll: stdio ready for what it is asked, a closed number EBADF. */
    it[0] = (struct vepoll_wasix_pollitem){d, VEPOLL_OUT, 0, 0};
    it[1] = (struct vepoll_wasix_pollitem){2, VEPOLL_IN, 0, 0};
    it[2] = (struct vepoll_wasix_pollitem){0, VEPOLL_IN, 0, 0};
    assert_int_equal(vepoll_wasix_poll(wx, it, 3, 0), 2);
    assert_int_equal(it[0].revents, VEPOLL_OUT);
    assert_int_equal(it[1].ok, -EBADF);
    assert_int_equal(it[1].revents, 0);
    assert_int_equal(it[2].revents, VEPOLL_IN);
}

/* poll with a closed number among descriptors that are not ready: the
 * closed one is an answer (Linux's POLLNVAL; WASI's poll_oneoff reports an
 * EBADF event), so even a wait without a timeout returns at once with it,
 * and the others are still reported as they are (S281). */
static void test_wasix_S281_poll_of_a_closed_number_does_not_wait(void **state)
{
    vepoll_wasix_t *wx = *state;
    struct vepoll_wasix_pollitem it[2];
    uint32_t e = efd(wx, 0);
    it[0] = (struct vepoll_wasix_pollitem){e, VEPOLL_IN, 0, 0}; /* count 0: not readable */
    it[1] = (struct vepoll_wasix_pollitem){e + 100, VEPOLL_IN, 0, 0};
    assert_int_equal(vepoll_wasix_poll(wx, it, 2, -1), 0);
    assert_int_equal(it[0].ok, 0);
    assert_int_equal(it[0].revents, 0);
    assert_int_equal(it[1].ok, -EBADF);
    assert_int_equal(it[1].revents, 0);
    it[0].events = VEPOLL_OUT;
    assert_int_equal(vepoll_wasix_poll(wx, it, 2, -1), 1);
    assert_int_equal(it[0].revents, VEPOLL_OUT);
    closefd(wx, e);
}

/* ---- threads --------------------------------------------------------------------------- */

struct reader {
    pthread_t th;
    vepoll_wasix_t *wx;
    uint32_t fd;
    int64_t ret;
    char buf[8];
    _Atomic pid_t tid;
    atomic_int done;
};

static void *reader_main(void *arg)
{
    struct reader *r = arg;
    atomic_store(&r->tid, vt_gettid());
    r->ret = vepoll_wasix_read(r->wx, r->fd, r->buf, sizeof r->buf);
    atomic_store(&r->done, 1);
    return NULL;
}

/* Closing every descriptor while a thread is blocked in a read of the
 * description keeps it alive (Linux keeps the file): the read goes on and
 * gets the data written through the write end. */
static void test_wasix_close_while_a_read_is_blocked_keeps_the_description(void **state)
{
    vepoll_wasix_t *wx = *state;
    struct reader r;
    uint32_t p[2];
    memset(&r, 0, sizeof r);
    assert_int_equal(vepoll_wasix_pipe(wx, 0, p), 0);
    r.wx = wx;
    r.fd = dupfd(wx, p[0], 0, 0);
    assert_int_equal(pthread_create(&r.th, NULL, reader_main, &r), 0);
    vt_until_asleep(&r.tid, &r.done);
    closefd(wx, r.fd);
    closefd(wx, p[0]);
    assert_int_equal(vepoll_wasix_write(wx, p[1], "hi", 2), 2);
    assert_int_equal(pthread_join(r.th, NULL), 0);
    assert_int_equal(r.ret, 2);
    assert_memory_equal(r.buf, "hi", 2);
    /* Now the reader is gone too: the last reference, the final close. */
    assert_int_equal(vepoll_wasix_write(wx, p[1], "x", 1), -EPIPE);
}

struct churner {
    pthread_t th;
    vepoll_wasix_t *wx;
    unsigned seed;
};

static void *churn_main(void *arg)
{
    struct churner *c = arg;
    uint64_t one = 1, v;
    for (int i = 0; i < 4000; i++) {
        uint32_t a = 3 + rand_r(&c->seed) % 24, b = 3 + rand_r(&c->seed) % 24, n;
        switch (rand_r(&c->seed) % 7) {
        case 0: (void)vepoll_wasix_dup(c->wx, a, b, 0, &n); break;
        case 1: (void)vepoll_wasix_dup3(c->wx, a, b, 1); break;
        case 2: (void)vepoll_wasix_renumber(c->wx, a, b); break;
        case 3: (void)vepoll_wasix_close(c->wx, a); break;
        case 4: (void)vepoll_wasix_eventfd(c->wx, 0, VEPOLL_NONBLOCK, &n); break;
        case 5: (void)vepoll_wasix_write(c->wx, a, &one, 8); break;
        default: (void)vepoll_wasix_read(c->wx, a, &v, 8); break;
        }
    }
    return NULL;
}

/* dup, dup3, renumber, close, create and I/O from three threads on the
 * same numbers (TSan checks the locking); afterwards nothing is left
 * allocated. */
static void test_wasix_descriptor_churn_from_threads(void **state)
{
    vepoll_wasix_t *wx = NULL;
    struct churner c[3];
    (void)state;
    assert_int_equal(vt_alloc_install(), 0);
    assert_int_equal(vepoll_wasix_create(&wx, NULL), 0);
    for (int i = 0; i < 3; i++) {
        c[i].wx = wx;
        c[i].seed = 1000u + (unsigned)i;
        assert_int_equal(pthread_create(&c[i].th, NULL, churn_main, &c[i]), 0);
    }
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_join(c[i].th, NULL), 0);
    vepoll_wasix_destroy(wx);
    assert_int_equal(atomic_load(&vt_alloc.live), 0);
    assert_int_equal(atomic_load(&vt_alloc.bad_frees), 0);
}

/* ---- epoll_wait against close (the built-in table's look-up without wx->mu) ------------ */

#define WAIT_DATA2 0x5eedu

/* One thread's own 256 bytes of guest memory: the u32 count at 32, four
 * events from 64, the event to ADD at 192. */
struct gbuf {
    _Alignas(8) uint8_t m[256];
};

static struct vepoll_wasix_mem gbuf_mem(struct gbuf *g)
{
    return (struct vepoll_wasix_mem){g->m, sizeof g->m};
}

struct waiter {
    pthread_t th;
    vepoll_wasix_t *wx;
    uint32_t fd;
    int64_t timeout_ns;
    unsigned seed;
    int iters;
    struct gbuf g;
    uint32_t rc, n;
    int bad; /* an answer no ordering of the calls allows */
    _Atomic pid_t tid;
    atomic_int done;
};

/* Events at g->m + 64 are all from registrations made with WAIT_DATA2. */
static int events_ok(const struct waiter *w)
{
    if (w->n > 4)
        return 0;
    for (uint32_t i = 0; i < w->n; i++) {
        uint64_t d;
        memcpy(&d, w->g.m + 64 + (size_t)i * VEPOLL_WASIX_EVENT_SIZE + VEPOLL_WASIX_EVENT_DATA2, 8);
        if (d != WAIT_DATA2)
            return 0;
    }
    return 1;
}

static uint32_t wait_once(struct waiter *w, uint32_t fd)
{
    uint32_t rc = vepoll_wasix_epoll_wait(w->wx, gbuf_mem(&w->g), VEPOLL_WASIX_32, fd, 64, 4,
                                          (uint64_t)w->timeout_ns, 32);
    w->n = 0;
    if (!rc)
        memcpy(&w->n, w->g.m + 32, 4);
    return rc;
}

/* The owner's (the creating thread's) epoll_wait(0), write and read on
 * numbers another thread keeps closing, dup3-ing over, reopening and
 * re-registering: wait(0) succeeds with registered data or answers EBADF
 * (closed) or EINVAL (an eventfd there now); write and read answer 8,
 * EAGAIN, EBADF or EINVAL (an instance there now); nothing else. */
static void owner_loop(struct waiter *w, atomic_int *other_done)
{
    uint64_t one = 1, v;
    for (int i = 0; i < w->iters || !atomic_load(other_done); i++) {
        uint32_t fd = 3 + rand_r(&w->seed) % 6, rc;
        int64_t n;
        switch (rand_r(&w->seed) % 4) {
        case 0:
            n = vepoll_wasix_write(w->wx, fd, &one, 8);
            if (n != 8 && n != -EBADF && n != -EINVAL && n != -EAGAIN)
                w->bad = 1;
            break;
        case 1:
            n = vepoll_wasix_read(w->wx, fd, &v, 8);
            if (n != 8 && n != -EBADF && n != -EINVAL && n != -EAGAIN)
                w->bad = 1;
            break;
        default:
            rc = wait_once(w, fd);
            if (rc == VEPOLL_WASI_ESUCCESS ? !events_ok(w)
                                           : rc != VEPOLL_WASI_EBADF && rc != VEPOLL_WASI_EINVAL)
                w->bad = 1;
            break;
        }
    }
}

/* An instance with a ready eventfd registered (the event at g->m + 192),
 * moved onto numbers a and b (dup3, then the first numbers closed, unless
 * keep: then the table grows too). */
static void ready_instance(vepoll_wasix_t *wx, struct gbuf *g, uint32_t a, uint32_t b, int keep)
{
    uint32_t ep, e;
    if (vepoll_wasix_epoll(wx, &ep) || vepoll_wasix_eventfd(wx, 1, VEPOLL_NONBLOCK, &e))
        return;
    (void)vepoll_wasix_epoll_ctl(wx, gbuf_mem(g), VEPOLL_WASIX_32, ep, ADD, e, 192);
    if (ep != a && !vepoll_wasix_dup3(wx, ep, a, 0) && !keep)
        (void)vepoll_wasix_close(wx, ep);
    if (e != b && !vepoll_wasix_dup3(wx, e, b, 0) && !keep)
        (void)vepoll_wasix_close(wx, e);
}

struct churn2 {
    pthread_t th;
    vepoll_wasix_t *wx;
    unsigned seed;
    struct gbuf g;
    atomic_int done;
};

/* Creates, closes, dup3s, and ADDs, MODs and DELs registrations (always
 * with data WAIT_DATA2) on numbers 3..8: removals and side-table writes by
 * a thread that is not the owner. */
static void *churn2_main(void *arg)
{
    struct churn2 *c = arg;
    uint32_t ev = IN;
    uint64_t d = WAIT_DATA2;
    memset(c->g.m + 192, 0, VEPOLL_WASIX_EVENT_SIZE);
    memcpy(c->g.m + 192 + VEPOLL_WASIX_EVENT_EVENTS, &ev, 4);
    memcpy(c->g.m + 192 + VEPOLL_WASIX_EVENT_DATA2, &d, 8);
    for (int i = 0; i < 3000; i++) {
        uint32_t a = 3 + rand_r(&c->seed) % 6, b = 3 + rand_r(&c->seed) % 6;
        switch (rand_r(&c->seed) % 4) {
        case 0: ready_instance(c->wx, &c->g, a, b, i % 8 == 0); break;
        case 1: (void)vepoll_wasix_close(c->wx, a); break;
        case 2: (void)vepoll_wasix_dup3(c->wx, a, b, 0); break;
        default:
            (void)vepoll_wasix_epoll_ctl(c->wx, gbuf_mem(&c->g), VEPOLL_WASIX_32, a,
                                         rand_r(&c->seed) % 2 ? MOD : DEL, b, 192);
            (void)vepoll_wasix_epoll_ctl(c->wx, gbuf_mem(&c->g), VEPOLL_WASIX_32, a, ADD, b, 192);
            break;
        }
    }
    atomic_store(&c->done, 1);
    return NULL;
}

/* The owner thread's borrowed calls (wasix_table.c) racing another
 * thread's removals and side-table writes: only answers some order of the
 * calls allows, every registration's data intact, nothing leaked. */
static void test_wasix_owner_calls_racing_close_dup3_and_ctl_from_another_thread(void **state)
{
    vepoll_wasix_t *wx = NULL;
    struct waiter w;
    struct churn2 c;
    (void)state;
    assert_int_equal(vt_alloc_install(), 0);
    assert_int_equal(vepoll_wasix_create(&wx, NULL), 0);
    memset(&w, 0, sizeof w);
    memset(&c, 0, sizeof c);
    w.wx = c.wx = wx;
    w.seed = 5;
    w.iters = 3000;
    c.seed = 77;
    assert_int_equal(pthread_create(&c.th, NULL, churn2_main, &c), 0);
    owner_loop(&w, &c.done); /* until the other thread is done too */
    assert_int_equal(pthread_join(c.th, NULL), 0);
    assert_int_equal(w.bad, 0);
    vepoll_wasix_destroy(wx);
    assert_int_equal(atomic_load(&vt_alloc.live), 0);
    assert_int_equal(atomic_load(&vt_alloc.bad_frees), 0);
}

static void *blocked_waiter_main(void *arg)
{
    struct waiter *w = arg;
    atomic_store(&w->tid, vt_gettid());
    w->rc = wait_once(w, w->fd);
    atomic_store(&w->done, 1);
    return NULL;
}

/* S260: closing every descriptor of an instance while a thread is blocked
 * in epoll_wait on it keeps the instance (Linux's epoll_wait holds the file):
 * the wait goes on and reports the registration that becomes ready. */
static void test_wasix_S260_close_while_an_epoll_wait_is_blocked_keeps_the_instance(void **state)
{
    vepoll_wasix_t *wx = *state;
    struct waiter w;
    uint32_t ep = epfd(wx), e = efd(wx, 0);
    uint64_t one = 1;
    memset(&w, 0, sizeof w);
    assert_int_equal(vt_wx_ctl(wx, ep, ADD, e, IN, WAIT_DATA2), 0);
    w.wx = wx;
    w.fd = dupfd(wx, ep, 0, 0);
    w.timeout_ns = (int64_t)VEPOLL_WASIX_TIMEOUT_FOREVER;
    assert_int_equal(pthread_create(&w.th, NULL, blocked_waiter_main, &w), 0);
    vt_until_asleep(&w.tid, &w.done);
    closefd(wx, w.fd);
    closefd(wx, ep);
    assert_int_equal(vepoll_wasix_write(wx, e, &one, 8), 8);
    assert_int_equal(pthread_join(w.th, NULL), 0);
    assert_int_equal(w.rc, VEPOLL_WASI_ESUCCESS);
    assert_int_equal(w.n, 1);
    assert_true(events_ok(&w));
    closefd(wx, e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_wasix_S167_dup_gives_the_lowest_free_number_same_description, vt_wx_setup, vt_wx_teardown),
        cmocka_unit_test_setup_teardown(
            test_wasix_S167_cloexec_per_descriptor_nonblock_per_description, vt_wx_setup, vt_wx_teardown),
        cmocka_unit_test_setup_teardown(test_wasix_S281_poll_of_a_closed_number_does_not_wait,
                                        vt_wx_setup, vt_wx_teardown),
        cmocka_unit_test_setup_teardown(test_wasix_S168_dup_errors_in_linux_order, vt_wx_setup,
                                        vt_wx_teardown),
        cmocka_unit_test(test_wasix_table_calls_need_the_builtin_table),
        cmocka_unit_test_setup_teardown(
            test_wasix_S169_dup2_onto_an_open_number_closes_it_silently, vt_wx_setup, vt_wx_teardown),
        cmocka_unit_test_setup_teardown(test_wasix_S170_S173_registration_follows_the_description,
                                        vt_wx_setup, vt_wx_teardown),
        cmocka_unit_test_setup_teardown(
            test_wasix_S171_registration_survives_renumber_of_its_number, vt_wx_setup, vt_wx_teardown),
        cmocka_unit_test_setup_teardown(
            test_wasix_S174_an_epoll_instance_lives_while_a_dup_is_open, vt_wx_setup, vt_wx_teardown),
        cmocka_unit_test_setup_teardown(test_wasix_S175_stdio_descriptors_are_real_entries, vt_wx_setup,
                                        vt_wx_teardown),
        cmocka_unit_test_setup_teardown(
            test_wasix_close_while_a_read_is_blocked_keeps_the_description, vt_wx_setup, vt_wx_teardown),
        cmocka_unit_test_setup_teardown(test_wasix_descriptor_churn_from_threads, vt_reset_setup,
                                        vt_reset_teardown),
        cmocka_unit_test_setup_teardown(test_wasix_owner_calls_racing_close_dup3_and_ctl_from_another_thread,
                                        vt_reset_setup, vt_reset_teardown),
        cmocka_unit_test_setup_teardown(
            test_wasix_S260_close_while_an_epoll_wait_is_blocked_keeps_the_instance, vt_wx_setup,
            vt_wx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
