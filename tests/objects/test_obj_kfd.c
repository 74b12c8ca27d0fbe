/*
 * Kernel-descriptor sources (vepoll_kfd.h): real pipes, socket pairs and
 * TCP sockets watched through vepoll, checked against what the kernel's own
 * epoll reports for the same descriptors (S206-S222, S227-S229, docs/SEMANTICS.md
 * section 21), the kernel wait (a waiter sleeps in the kernel set: no
 * thread hop, hand-over, interrupts, nesting), blocking I/O and close.
 * Helper threads never assert.
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vepoll_kfd.h"
#include "vepoll_objects.h"
#include "vtest.h"

#define RDB (VEPOLL_IN | VEPOLL_RDNORM)
#define WRB (VEPOLL_OUT | VEPOLL_WRNORM)
#define UWRB (VEPOLL_OUT | VEPOLL_WRNORM | VEPOLL_WRBAND)

static char buf[1 << 20];

static vepoll_kfd_t *kfd(int fd)
{
    vepoll_kfd_t *k = NULL;
    assert_int_equal(vepoll_kfd_create(&k, fd, 0), 0);
    assert_non_null(k);
    return k;
}

static void kpipe(int fds[2])
{
    assert_int_equal(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
}

static void ksockpair(int fds[2])
{
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
}

/* What the kernel's own epoll reports for fd with `mask`, LT, right now. */
static uint32_t kernel_says(int fd, uint32_t mask)
{
    struct epoll_event ev = {.events = mask}, out;
    int ep = epoll_create1(EPOLL_CLOEXEC), n;
    assert_true(ep >= 0);
    assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), 0);
    n = epoll_wait(ep, &out, 1, 0);
    close(ep);
    return n == 1 ? out.events : 0;
}

static void put(int fd, size_t n)
{
    assert_int_equal(write(fd, buf, n), (ssize_t)n);
}

/* The common set-up: a real socket pair (or pipe) whose fds[0] is watched
 * through the kfd k, its peer fds[1] left raw for the test to write, and an
 * instance.  kside_close checks the kfd closes cleanly; a test that closed
 * the peer itself sets fds[1] to -1. */
struct kside {
    int fds[2];
    vepoll_kfd_t *k;
    vepoll_t *ep;
};

static void kside_open(struct kside *s, int is_pipe)
{
    if (is_pipe)
        kpipe(s->fds);
    else
        ksockpair(s->fds);
    s->k = kfd(s->fds[0]);
    s->ep = vt_new_ep();
}

static void kside_close(struct kside *s)
{
    vt_free_ep(s->ep);
    assert_int_equal(vepoll_kfd_close(s->k), 0);
    if (s->fds[1] >= 0)
        close(s->fds[1]);
}

/* ---- arguments ---------------------------------------------------------- */

static void test_kfd_create_rejects_bad_arguments(void **state)
{
    vepoll_kfd_t *k = NULL;
    int fds[2], file;
    char path[] = "/tmp/vepoll-kfd-XXXXXX";
    (void)state;
    kpipe(fds);
    assert_int_equal(vepoll_kfd_create(NULL, fds[0], 0), -EINVAL);
    assert_int_equal(vepoll_kfd_create(&k, fds[0], 2), -EINVAL);
    assert_int_equal(vepoll_kfd_create(&k, -1, 0), -EBADF);
    file = mkstemp(path);
    assert_true(file >= 0);
    unlink(path);
    /* Linux's epoll_ctl refuses a regular file (EPERM); so does the kfd, and
     * the descriptor stays open. */
    assert_int_equal(vepoll_kfd_create(&k, file, 0), -EPERM);
    assert_null(k);
    assert_int_equal(fcntl(file, F_GETFD) >= 0, 1);
    close(file);
    assert_int_equal(vepoll_kfd_close(NULL), -EBADF);
    assert_null(vepoll_kfd_source(NULL));
    assert_int_equal(vepoll_kfd_fd(NULL), -EBADF);
    assert_int_equal(vepoll_kfd_read(NULL, buf, 1, 0), -EBADF);
    assert_int_equal(vepoll_kfd_refresh(NULL), -EBADF);
    close(fds[0]);
    close(fds[1]);
}

/* ---- S206: level-triggered over a real pipe --------------------------------- */

static void test_kfd_S206_lt_pipe_reports_while_data_then_nothing(void **state)
{
    struct kside ks;
    (void)state;
    kside_open(&ks, 1);
    VT_ADD(ks.ep, 3, vepoll_kfd_source(ks.k), VEPOLL_IN, 1);
    vt_expect_none(ks.ep, 4);
    put(ks.fds[1], 10);
    assert_int_equal(kernel_says(ks.fds[0], EPOLLIN), EPOLLIN);
    vt_expect1(ks.ep, VEPOLL_IN, 1);
    vt_expect1(ks.ep, VEPOLL_IN, 1); /* LT: again while data is there */
    assert_int_equal(vepoll_kfd_read(ks.k, buf, 4, 0), 4);
    vt_expect1(ks.ep, VEPOLL_IN, 1);
    /* Reading exactly what is left proves nothing: the kernel is asked. */
    assert_int_equal(vepoll_kfd_read(ks.k, buf, 6, 0), 6);
    assert_int_equal(kernel_says(ks.fds[0], EPOLLIN), 0);
    vt_expect_none(ks.ep, 4);
    assert_int_equal(vepoll_kfd_read(ks.k, buf, 6, 0), -EAGAIN);
    put(ks.fds[1], 3);
    assert_int_equal(vepoll_kfd_read(ks.k, buf, 100, 0), 3); /* short: drained */
    vt_expect_none(ks.ep, 4);
    kside_close(&ks);
}

/* ---- S207: edge-triggered: an event per kernel wake-up ---------------------- */

static void test_kfd_S207_et_an_event_per_write_even_with_data_there(void **state)
{
    struct kside ks;
    (void)state;
    kside_open(&ks, 0);
    VT_ADD(ks.ep, 3, vepoll_kfd_source(ks.k), VEPOLL_IN | VEPOLL_ET, 7);
    vt_expect_none(ks.ep, 4);
    put(ks.fds[1], 1);
    vt_expect1(ks.ep, VEPOLL_IN, 7);
    vt_expect_none(ks.ep, 4);
    put(ks.fds[1], 1); /* data already there: a new wake-up, a new event (S039) */
    vt_expect1(ks.ep, VEPOLL_IN, 7);
    vt_expect_none(ks.ep, 4);
    assert_int_equal(vepoll_kfd_read(ks.k, buf, 1, 0), 1);
    vt_expect_none(ks.ep, 4); /* a read is no wake-up of the reader */
    kside_close(&ks);
}

/* ---- S208: one-shot --------------------------------------------------------------- */

static void test_kfd_S208_oneshot_disarms_until_mod(void **state)
{
    struct kside ks;
    (void)state;
    kside_open(&ks, 0);
    VT_ADD(ks.ep, 3, vepoll_kfd_source(ks.k), VEPOLL_IN | VEPOLL_ONESHOT, 2);
    put(ks.fds[1], 1);
    vt_expect1(ks.ep, VEPOLL_IN, 2);
    put(ks.fds[1], 1);
    vt_expect_none(ks.ep, 4);
    VT_MOD(ks.ep, 3, vepoll_kfd_source(ks.k), VEPOLL_IN | VEPOLL_ONESHOT, 3);
    vt_expect1(ks.ep, VEPOLL_IN, 3);
    kside_close(&ks);
}

/* ---- S209: RDHUP, HUP, ERR ----------------------------------------------------------- */

static void test_kfd_S209_peer_shutdown_and_close_give_rdhup_then_hup(void **state)
{
    struct kside ks;
    uint32_t want;
    (void)state;
    kside_open(&ks, 0);
    VT_ADD(ks.ep, 3, vepoll_kfd_source(ks.k), VEPOLL_IN | VEPOLL_RDHUP, 1);
    vt_expect_none(ks.ep, 4);
    assert_int_equal(shutdown(ks.fds[1], SHUT_WR), 0);
    want = kernel_says(ks.fds[0], EPOLLIN | EPOLLRDHUP);
    assert_int_equal(want, VEPOLL_IN | VEPOLL_RDHUP);
    vt_expect1(ks.ep, want, 1);
    assert_int_equal(vepoll_kfd_read(ks.k, buf, 10, 0), 0); /* EOF: IN stays */
    vt_expect1(ks.ep, want, 1);
    close(ks.fds[1]);
    ks.fds[1] = -1;
    want = kernel_says(ks.fds[0], EPOLLIN | EPOLLRDHUP);
    assert_int_equal(want, VEPOLL_IN | VEPOLL_RDHUP | VEPOLL_HUP);
    vt_expect1(ks.ep, want, 1);
    /* The write side too: HUP without asking (ERR|HUP are always
     * reported). */
    VT_MOD(ks.ep, 3, vepoll_kfd_source(ks.k), VEPOLL_OUT, 2);
    vt_expect1(ks.ep, kernel_says(ks.fds[0], EPOLLOUT), 2);
    kside_close(&ks);
}

static void test_kfd_S209_pipe_reader_gone_is_err_for_the_writer(void **state)
{
    int fds[2];
    vepoll_kfd_t *w;
    vepoll_t *ep = vt_new_ep();
    (void)state;
    kpipe(fds);
    w = kfd(fds[1]);
    VT_ADD(ep, 4, vepoll_kfd_source(w), VEPOLL_OUT, 9);
    vt_expect1(ep, VEPOLL_OUT, 9);
    close(fds[0]);
    assert_int_equal(kernel_says(fds[1], EPOLLOUT), EPOLLOUT | EPOLLERR);
    vt_expect1(ep, VEPOLL_OUT | VEPOLL_ERR, 9);
    vt_free_ep(ep);
    assert_int_equal(vepoll_kfd_close(w), 0);
}

/* ---- S210: wake-up keys reach only their side ------------------------------------------ */

static void test_kfd_S210_write_space_does_not_wake_an_in_only_et_registration(void **state)
{
    int kep = epoll_create1(EPOLL_CLOEXEC);
    struct kside ks;
    struct epoll_event kev = {.events = EPOLLIN | EPOLLET}, kout[4];
    ssize_t n, total = 0;
    (void)state;
    kside_open(&ks, 0);
    assert_int_equal(epoll_ctl(kep, EPOLL_CTL_ADD, ks.fds[0], &kev), 0);
    VT_ADD(ks.ep, 3, vepoll_kfd_source(ks.k), VEPOLL_IN | VEPOLL_ET, 1);
    /* ks.k is readable (data from b) and fills its own send buffer. */
    put(ks.fds[1], 1);
    while ((n = vepoll_kfd_write(ks.k, buf, sizeof(buf), 0)) > 0)
        total += n;
    assert_int_equal(n, -EAGAIN);
    assert_int_equal(epoll_wait(kep, kout, 4, 0), 1);
    vt_expect1(ks.ep, VEPOLL_IN, 1);
    /* b drains: ks.k gets write space (ks.k wake-up with key OUT).  Linux does not
     * report it to an IN|ET registration although ks.k is still readable. */
    while (total > 0 && (n = read(ks.fds[1], buf, sizeof(buf))) > 0)
        total -= n;
    assert_int_equal(epoll_wait(kep, kout, 4, 0), 0);
    vt_expect_none(ks.ep, 4);
    close(kep);
    kside_close(&ks);
}

/* ---- S211: readiness at ADD ----------------------------------------------------------------- */

static void test_kfd_S211_ready_descriptor_reports_at_add(void **state)
{
    int fds[2];
    vepoll_kfd_t *r, *w;
    vepoll_t *ep = vt_new_ep();
    (void)state;
    ksockpair(fds);
    put(fds[1], 5);
    r = kfd(fds[0]);
    w = kfd(fds[1]);
    VT_ADD(ep, 3, vepoll_kfd_source(r), VEPOLL_IN | VEPOLL_ET, 1);
    VT_ADD(ep, 4, vepoll_kfd_source(w), VEPOLL_OUT | VEPOLL_ET, 2);
    vt_expect_events_any(ep, 4, {1, kernel_says(fds[0], EPOLLIN)},
                         {2, kernel_says(fds[1], EPOLLOUT)});
    vt_expect_none(ep, 4);
    vt_free_ep(ep);
    assert_int_equal(vepoll_kfd_close(r), 0);
    assert_int_equal(vepoll_kfd_close(w), 0);
}

/* ---- S212: no readiness lost between an EAGAIN and the next wait ---------------------------- */

struct writer {
    pthread_t th;
    int fd, rounds;
    atomic_int go;
};

static void *writer_main(void *arg)
{
    struct writer *wr = arg;
    char c = 'x';
    for (int i = 0; i < wr->rounds; i++) {
        while (!atomic_load(&wr->go))
            sched_yield();
        atomic_store(&wr->go, 0);
        if (write(wr->fd, &c, 1) != 1)
            break;
    }
    return NULL;
}

static void test_kfd_S212_an_edge_racing_an_eagain_is_never_lost(void **state)
{
    struct writer wr = {.rounds = 2000};
    struct vepoll_event ev;
    struct kside ks;
    int i;
    (void)state;
    kside_open(&ks, 0);
    VT_ADD(ks.ep, 3, vepoll_kfd_source(ks.k), VEPOLL_IN, 1);
    wr.fd = ks.fds[1];
    assert_int_equal(pthread_create(&wr.th, NULL, writer_main, &wr), 0);
    for (i = 0; i < wr.rounds; i++) {
        /* The round's byte is written while we read to EAGAIN: if those
         * reads did not get it, its edge may race the EAGAIN's clear, and
         * the next blocking wait must see it all the same. */
        int got = 0;
        atomic_store(&wr.go, 1);
        while (vepoll_kfd_read(ks.k, buf, 1, 0) == 1)
            got++;
        if (got)
            continue; /* read already: nothing left to see */
        assert_int_equal(vepoll_wait(ks.ep, &ev, 1, 10 * VT_SEC), 1);
        while (vepoll_kfd_read(ks.k, buf, sizeof(buf), 0) > 0)
            ;
    }
    assert_int_equal(pthread_join(wr.th, NULL), 0);
    kside_close(&ks);
}

/* ---- S213-S217: the kernel wait ------------------------------------------------------------------ */

static void test_kfd_S213_blocked_waiter_sleeps_in_the_kernel_and_wakes_on_data(void **state)
{
    struct vt_waiter w;
    struct kside ks;
    (void)state;
    kside_open(&ks, 0);
    VT_ADD(ks.ep, 3, vepoll_kfd_source(ks.k), VEPOLL_IN, 5);
    vt_waiter_start(&w, ks.ep, 4, -1);
    vt_waiter_until_blocked(&w);
    assert_false(atomic_load(&w.done));
    put(ks.fds[1], 1); /* no vepoll call: only the kernel knows */
    vt_waiter_join(&w);
    assert_int_equal(w.ret, 1);
    assert_int_equal(w.ev[0].events, VEPOLL_IN);
    assert_int_equal(w.ev[0].data.u64, 5);
    kside_close(&ks);
}

static void test_kfd_S214_virtual_event_wakes_a_waiter_asleep_in_the_kernel(void **state)
{
    struct vt_waiter w;
    struct kside ks;
    vepoll_source_t *v = vt_new_source(0);
    (void)state;
    kside_open(&ks, 0);
    VT_ADD(ks.ep, 3, vepoll_kfd_source(ks.k), VEPOLL_IN, 1);
    VT_ADD(ks.ep, 4, v, VEPOLL_IN, 2);
    vt_waiter_start(&w, ks.ep, 4, -1);
    vt_waiter_until_blocked(&w);
    vepoll_source_update(v, VEPOLL_IN, 0);
    vt_waiter_join(&w);
    assert_int_equal(w.ret, 1);
    assert_int_equal(w.ev[0].data.u64, 2);
    /* And the other way round, with the virtual source still ready. */
    vepoll_source_update(v, 0, VEPOLL_IN);
    vt_waiter_start(&w, ks.ep, 4, -1);
    vt_waiter_until_blocked(&w);
    put(ks.fds[1], 1);
    vt_waiter_join(&w);
    assert_int_equal(w.ret, 1);
    assert_int_equal(w.ev[0].data.u64, 1);
    kside_close(&ks);
    vepoll_source_close(v);
}

static void test_kfd_S215_every_blocked_thread_gets_its_kernel_events(void **state)
{
    enum { N = 4 };
    struct vt_waiter w[N];
    struct kside ks[N];
    int i, round;
    (void)state;
    for (i = 0; i < N; i++) {
        kside_open(&ks[i], 0);
        VT_ADD(ks[i].ep, 3, vepoll_kfd_source(ks[i].k), VEPOLL_IN | VEPOLL_ET, (uint64_t)i);
    }
    /* One leads, the others are candidates; whoever is woken leaves, and
     * the lead must pass on so the rest still get their events. */
    for (round = 0; round < 20; round++) {
        for (i = 0; i < N; i++)
            vt_waiter_start(&w[i], ks[i].ep, 4, -1);
        for (i = 0; i < N; i++)
            vt_waiter_until_blocked(&w[i]);
        for (i = N - 1; i >= 0; i--) {
            put(ks[i].fds[1], 1);
            vt_waiter_join(&w[i]);
            assert_int_equal(w[i].ret, 1);
            assert_int_equal(w[i].ev[0].data.u64, (uint64_t)i);
        }
    }
    for (i = 0; i < N; i++)
        kside_close(&ks[i]);
}

struct intr_waiter {
    struct vt_waiter w;
    vepoll_intr_t *h;
};

static void *intr_waiter_main(void *arg)
{
    struct intr_waiter *iw = arg;
    vepoll_intr_bind(iw->h);
    vt_waiter_main(&iw->w);
    vepoll_intr_bind(NULL);
    return NULL;
}

static void test_kfd_S216_thread_interrupt_wakes_the_kernel_sleeper(void **state)
{
    struct intr_waiter iw;
    struct kside ks;
    (void)state;
    kside_open(&ks, 0);
    VT_ADD(ks.ep, 3, vepoll_kfd_source(ks.k), VEPOLL_IN, 1);
    assert_int_equal(vepoll_intr_create(&iw.h), 0);
    iw.w.ep = ks.ep;
    vt_waiter_start_fn(&iw.w, ks.ep, 4, -1, intr_waiter_main);
    vt_waiter_until_blocked(&iw.w);
    assert_int_equal(vepoll_intr_raise(iw.h), 0);
    vt_waiter_join(&iw.w);
    assert_int_equal(iw.w.ret, -EINTR);
    assert_int_equal(vepoll_intr_destroy(iw.h), 0);
    /* The instance's own interrupt too. */
    vt_waiter_start(&iw.w, ks.ep, 4, -1);
    vt_waiter_until_blocked(&iw.w);
    assert_int_equal(vepoll_interrupt(ks.ep), 0);
    vt_waiter_join(&iw.w);
    assert_int_equal(iw.w.ret, -EINTR);
    kside_close(&ks);
}

static void test_kfd_S217_nested_outer_waiter_wakes_on_inner_kernel_event(void **state)
{
    struct vt_waiter w;
    int fds[2];
    vepoll_kfd_t *r;
    vepoll_t *outer = vt_new_ep(), *inner = vt_new_ep();
    (void)state;
    ksockpair(fds);
    r = kfd(fds[0]);
    /* The outer instance is blocked before the inner one gets the kernel
     * source: it must start waiting in the kernel then. */
    VT_ADD(outer, 9, vepoll_as_source(inner), VEPOLL_IN, 8);
    vt_waiter_start(&w, outer, 4, -1);
    vt_waiter_until_blocked(&w);
    VT_ADD(inner, 3, vepoll_kfd_source(r), VEPOLL_IN, 1);
    vt_sleep_ms(20);
    put(fds[1], 1);
    vt_waiter_join(&w);
    assert_int_equal(w.ret, 1);
    assert_int_equal(w.ev[0].data.u64, 8);
    vt_expect1(inner, VEPOLL_IN, 1);
    vt_free_ep(outer);
    vt_free_ep(inner);
    assert_int_equal(vepoll_kfd_close(r), 0);
    close(fds[1]);
}

/* ---- S218, S220: close ------------------------------------------------------------------------------ */

static void test_kfd_S218_close_then_reused_number_reports_nothing_old(void **state)
{
    int fds[2], fds2[2], before;
    vepoll_kfd_t *r, *r2;
    vepoll_t *ep = vt_new_ep();
    (void)state;
    ksockpair(fds);
    r = kfd(fds[0]);
    vepoll_kfd_close(r); /* warm up: the kernel set exists from now on */
    close(fds[1]);
    before = vt_open_fds();
    ksockpair(fds);
    r = kfd(fds[0]);
    VT_ADD(ep, fds[0], vepoll_kfd_source(r), VEPOLL_IN | VEPOLL_ET, 1);
    put(fds[1], 1);
    assert_int_equal(vepoll_kfd_close(r), 0);
    close(fds[1]);
    vt_expect_none(ep, 4);
    assert_int_equal(vt_open_fds(), before);
    /* The kernel gives the numbers out again: the old registration knows
     * nothing of the new descriptors. */
    ksockpair(fds2);
    assert_int_equal(fds2[0], fds[0]);
    r2 = kfd(fds2[0]);
    put(fds2[1], 1);
    vt_expect_none(ep, 4);
    VT_ADD(ep, fds2[0], vepoll_kfd_source(r2), VEPOLL_IN, 2);
    vt_expect1(ep, VEPOLL_IN, 2);
    assert_int_equal(vepoll_kfd_close(r2), 0);
    close(fds2[1]);
    assert_int_equal(vt_open_fds(), before);
    assert_int_equal(vepoll_kfd_close(NULL), -EBADF);
    vt_free_ep(ep);
}

static void test_kfd_S220_noclose_leaves_the_descriptor_open(void **state)
{
    int fds[2];
    vepoll_kfd_t *r = NULL;
    (void)state;
    kpipe(fds);
    assert_int_equal(vepoll_kfd_create(&r, fds[0], VEPOLL_KFD_NOCLOSE), 0);
    assert_int_equal(vepoll_kfd_fd(r), fds[0]);
    assert_int_equal(vepoll_kfd_close(r), 0);
    assert_true(fcntl(fds[0], F_GETFD) >= 0);
    close(fds[0]);
    close(fds[1]);
}

/* ---- S219: blocking I/O ------------------------------------------------------------------------- */

struct blocked_read {
    pthread_t th;
    vepoll_kfd_t *k;
    vepoll_intr_t *h;
    _Atomic pid_t tid;
    atomic_int done;
    ssize_t ret;
};

static void *blocked_read_main(void *arg)
{
    struct blocked_read *b = arg;
    char c[4];
    if (b->h)
        vepoll_intr_bind(b->h);
    atomic_store(&b->tid, vt_gettid());
    b->ret = vepoll_kfd_read(b->k, c, sizeof(c), -1);
    atomic_store(&b->done, 1);
    if (b->h)
        vepoll_intr_bind(NULL);
    return NULL;
}

static void start_blocked_read(struct blocked_read *b, vepoll_kfd_t *k, vepoll_intr_t *h)
{
    b->k = k;
    b->h = h;
    atomic_store(&b->tid, 0);
    atomic_store(&b->done, 0);
    assert_int_equal(pthread_create(&b->th, NULL, blocked_read_main, b), 0);
    vt_until_asleep(&b->tid, &b->done);
    assert_false(atomic_load(&b->done));
}

static void test_kfd_S219_blocking_read_wakes_on_data_interrupt_and_close(void **state)
{
    struct blocked_read b;
    vepoll_intr_t *h;
    int fds[2];
    vepoll_kfd_t *r;
    (void)state;
    ksockpair(fds);
    r = kfd(fds[0]);
    start_blocked_read(&b, r, NULL);
    put(fds[1], 2);
    assert_int_equal(pthread_join(b.th, NULL), 0);
    assert_int_equal(b.ret, 2);
    assert_int_equal(vepoll_intr_create(&h), 0);
    start_blocked_read(&b, r, h);
    assert_int_equal(vepoll_intr_raise(h), 0);
    assert_int_equal(pthread_join(b.th, NULL), 0);
    assert_int_equal(b.ret, -EINTR);
    assert_int_equal(vepoll_intr_destroy(h), 0);
    start_blocked_read(&b, r, NULL);
    assert_int_equal(vepoll_kfd_close(r), 0);
    assert_int_equal(pthread_join(b.th, NULL), 0);
    assert_int_equal(b.ret, -EBADF);
    close(fds[1]);
}

static void test_kfd_S219_blocking_write_moves_everything_and_timeouts(void **state)
{
    int fds[2];
    vepoll_kfd_t *w, *r;
    ssize_t n;
    (void)state;
    ksockpair(fds);
    w = kfd(fds[1]);
    r = kfd(fds[0]);
    /* More than the buffers hold, with nobody reading: the timeout returns
     * what was moved. */
    n = vepoll_kfd_write(w, buf, sizeof(buf), 20 * VT_MS);
    assert_true(n > 0 && (size_t)n < sizeof(buf));
    assert_int_equal(vepoll_kfd_write(w, buf, 1, 0), -EAGAIN);
    assert_int_equal(vepoll_kfd_read(r, buf, 1, 0), 1);
    assert_int_equal(vepoll_kfd_recv(r, buf, 4, VEPOLL_MSG_PEEK, 0), 4);
    assert_int_equal(vepoll_kfd_read(r, buf, 1, 20 * VT_MS), 1);
    while (vepoll_kfd_read(r, buf, sizeof(buf), 0) > 0)
        ;
    assert_int_equal(vepoll_kfd_read(r, buf, 1, 20 * VT_MS), -EAGAIN);
    assert_int_equal(vepoll_kfd_close(w), 0);
    assert_int_equal(vepoll_kfd_close(r), 0);
}

/* ---- S221, S222: TCP: accept and connect ------------------------------------------------------------- */

static int tcp_listener(struct sockaddr_in *addr)
{
    socklen_t len = sizeof(*addr);
    int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    assert_true(l >= 0);
    memset(addr, 0, sizeof(*addr));
    addr->sin_family = AF_INET;
    addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(l, (struct sockaddr *)addr, sizeof(*addr)), 0);
    assert_int_equal(listen(l, 16), 0);
    assert_int_equal(getsockname(l, (struct sockaddr *)addr, &len), 0);
    return l;
}

static void test_kfd_S221_listener_readable_while_a_connection_waits(void **state)
{
    struct sockaddr_in addr;
    int l = tcp_listener(&addr), c, fd;
    vepoll_kfd_t *lk = kfd(l);
    vepoll_t *ep = vt_new_ep();
    (void)state;
    VT_ADD(ep, 3, vepoll_kfd_source(lk), VEPOLL_IN, 1);
    vt_expect_none(ep, 4);
    assert_int_equal(vepoll_kfd_accept(lk, NULL, NULL, 0), -EAGAIN);
    c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_int_equal(connect(c, (struct sockaddr *)&addr, sizeof(addr)), 0);
    vt_expect1(ep, kernel_says(l, EPOLLIN), 1);
    fd = vepoll_kfd_accept(lk, NULL, NULL, 0);
    assert_true(fd >= 0);
    assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
    vt_expect_none(ep, 4);
    close(fd);
    close(c);
    vt_free_ep(ep);
    assert_int_equal(vepoll_kfd_close(lk), 0);
}

static void test_kfd_S222_nonblocking_connect_becomes_writable(void **state)
{
    struct sockaddr_in addr;
    int l = tcp_listener(&addr), c, rc;
    vepoll_kfd_t *ck;
    vepoll_t *ep = vt_new_ep();
    (void)state;
    c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    ck = kfd(c);
    rc = vepoll_kfd_connect(ck, (struct sockaddr *)&addr, sizeof(addr), 0);
    assert_true(rc == 0 || rc == -EINPROGRESS);
    VT_ADD(ep, 3, vepoll_kfd_source(ck), VEPOLL_OUT, 1);
    assert_int_equal(vepoll_wait(ep, (struct vepoll_event[1]){{0}}, 1, 5 * VT_SEC), 1);
    vt_expect1(ep, kernel_says(c, EPOLLOUT), 1);
    assert_int_equal(vepoll_kfd_close(ck), 0);
    /* Blocking connect to a port nobody listens on. */
    close(l);
    c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    ck = kfd(c);
    assert_int_equal(vepoll_kfd_connect(ck, (struct sockaddr *)&addr, sizeof(addr), -1),
                     -ECONNREFUSED);
    assert_int_equal(vepoll_kfd_close(ck), 0);
    vt_free_ep(ep);
}

/* ---- S227-S229: what the lockstep kfd difftest found (docs/DIFFTEST.md) ---------- */

/* One ET registration of fd in the kernel's epoll (kep) and of k's source in
 * ep, both with `mask` (Linux bits) after an ADD with `first`. */
static void both_et(int kep, int fd, vepoll_t *ep, vepoll_kfd_t *k, uint32_t first, uint32_t mask)
{
    struct epoll_event kev = {.events = first, .data.u64 = 1};
    assert_int_equal(epoll_ctl(kep, EPOLL_CTL_ADD, fd, &kev), 0);
    kev.events = mask;
    assert_int_equal(epoll_ctl(kep, EPOLL_CTL_MOD, fd, &kev), 0);
    VT_ADD(ep, 3, vepoll_kfd_source(k), first, 1);
    VT_MOD(ep, 3, vepoll_kfd_source(k), mask, 1);
}

/* Both report the same, here: nothing, or one event with the same bits. */
static void same_as_kernel(int kep, vepoll_t *ep)
{
    struct epoll_event kout[4];
    int n = epoll_wait(kep, kout, 4, 0);
    assert_true(n == 0 || n == 1);
    if (n)
        vt_expect1(ep, kout[0].events, 1);
    else
        vt_expect_none(ep, 4);
}

static void test_kfd_S227_write_space_does_not_wake_a_hup_only_registration(void **state)
{
    int fds[2], kep = epoll_create1(EPOLL_CLOEXEC);
    vepoll_kfd_t *b;
    vepoll_t *ep = vt_new_ep();
    (void)state;
    ksockpair(fds);
    b = kfd(fds[1]);
    assert_int_equal(vepoll_kfd_write(b, buf, 4097, 0), 4097);
    assert_int_equal(vepoll_kfd_shutdown(b, SHUT_RDWR), 0);
    both_et(kep, fds[1], ep, b, EPOLLOUT, EPOLLET); /* ERR|HUP only */
    same_as_kernel(kep, ep);                         /* HUP (and OUT's gone) */
    /* a reads: b gets write space, a wake-up with key OUT only. */
    assert_int_equal(read(fds[0], buf, sizeof(buf)), 4097);
    same_as_kernel(kep, ep); /* nothing on Linux */
    close(kep);
    vt_free_ep(ep);
    assert_int_equal(vepoll_kfd_close(b), 0);
    close(fds[0]);
}

static void test_kfd_S228_shutdown_wakes_its_socket_even_with_no_bit_changed(void **state)
{
    int fds[2], p[2], ki = epoll_create1(EPOLL_CLOEXEC), ko = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event kev = {.events = 0}, kout[4];
    vepoll_kfd_t *a, *r;
    vepoll_t *inner = vt_new_ep(), *outer = vt_new_ep();
    (void)state;
    ksockpair(fds);
    kpipe(p);
    put(p[1], 1);
    a = kfd(fds[0]);
    r = kfd(p[0]);
    /* inner: a with no bits asked (ERR|HUP) and a readable pipe; outer
     * watches inner ET.  The same on the kernel's epoll. */
    assert_int_equal(epoll_ctl(ki, EPOLL_CTL_ADD, fds[0], &kev), 0);
    kev.events = EPOLLIN;
    assert_int_equal(epoll_ctl(ki, EPOLL_CTL_ADD, p[0], &kev), 0);
    kev.events = EPOLLIN | EPOLLET;
    assert_int_equal(epoll_ctl(ko, EPOLL_CTL_ADD, ki, &kev), 0);
    VT_ADD(inner, 3, vepoll_kfd_source(a), 0, 1);
    VT_ADD(inner, 4, vepoll_kfd_source(r), VEPOLL_IN, 2);
    VT_ADD(outer, 5, vepoll_as_source(inner), VEPOLL_IN | VEPOLL_ET, 3);
    assert_int_equal(epoll_wait(ko, kout, 4, 0), 1);
    vt_expect1(outer, VEPOLL_IN, 3);
    assert_int_equal(epoll_wait(ko, kout, 4, 0), 0);
    vt_expect_none(outer, 4);
    /* SHUT_WR changes none of a's bits; Linux still wakes a's waiters with
     * key 0, which re-arms the outer ET registration. */
    assert_int_equal(vepoll_kfd_shutdown(a, SHUT_WR), 0);
    assert_int_equal(epoll_wait(ko, kout, 4, 0), 1);
    vt_expect1(outer, VEPOLL_IN, 3);
    close(ko);
    close(ki);
    vt_free_ep(outer);
    vt_free_ep(inner);
    assert_int_equal(vepoll_kfd_close(a), 0);
    assert_int_equal(vepoll_kfd_close(r), 0);
    close(fds[1]);
    close(p[1]);
}

static void test_kfd_S229_empty_calls_and_a_refused_eventfd_write_are_the_kernels(void **state)
{
    int fds[2], efd = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC), twin[2];
    uint64_t v = UINT64_C(0xfffffffffffffffe);
    vepoll_kfd_t *e, *a;
    vepoll_t *ep = vt_new_ep();
    (void)state;
    assert_true(efd >= 0);
    e = kfd(efd);
    ksockpair(fds);
    ksockpair(twin);
    a = kfd(fds[0]);
    /* 0 bytes: read(2)'s answers, at once (a socket's recv would wait). */
    assert_int_equal(vepoll_kfd_read(a, buf, 0, 0), read(twin[0], buf, 0));
    assert_int_equal(vepoll_kfd_read(a, buf, 0, 0), 0);
    assert_int_equal(vepoll_kfd_write(a, buf, 0, 0), 0);
    assert_int_equal(vepoll_kfd_read(e, buf, 0, 0), -EINVAL);
    assert_int_equal(vepoll_kfd_write(e, buf, 0, 0), -EINVAL);
    /* The count is 1: a value that does not fit is refused, and the eventfd
     * stays writable for a smaller one (OUT stays, as the kernel says). */
    VT_ADD(ep, 3, vepoll_kfd_source(e), VEPOLL_OUT, 7);
    vt_expect1(ep, VEPOLL_OUT, 7);
    assert_int_equal(vepoll_kfd_write(e, &v, 8, 0), -EAGAIN);
    assert_int_equal(kernel_says(efd, EPOLLOUT), EPOLLOUT);
    vt_expect1(ep, VEPOLL_OUT, 7);
    vt_free_ep(ep);
    assert_int_equal(vepoll_kfd_close(e), 0);
    assert_int_equal(vepoll_kfd_close(a), 0);
    close(fds[1]);
    close(twin[0]);
    close(twin[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kfd_create_rejects_bad_arguments),
        cmocka_unit_test(test_kfd_S206_lt_pipe_reports_while_data_then_nothing),
        cmocka_unit_test(test_kfd_S207_et_an_event_per_write_even_with_data_there),
        cmocka_unit_test(test_kfd_S208_oneshot_disarms_until_mod),
        cmocka_unit_test(test_kfd_S209_peer_shutdown_and_close_give_rdhup_then_hup),
        cmocka_unit_test(test_kfd_S209_pipe_reader_gone_is_err_for_the_writer),
        cmocka_unit_test(test_kfd_S210_write_space_does_not_wake_an_in_only_et_registration),
        cmocka_unit_test(test_kfd_S211_ready_descriptor_reports_at_add),
        cmocka_unit_test(test_kfd_S212_an_edge_racing_an_eagain_is_never_lost),
        cmocka_unit_test(test_kfd_S213_blocked_waiter_sleeps_in_the_kernel_and_wakes_on_data),
        cmocka_unit_test(test_kfd_S214_virtual_event_wakes_a_waiter_asleep_in_the_kernel),
        cmocka_unit_test(test_kfd_S215_every_blocked_thread_gets_its_kernel_events),
        cmocka_unit_test(test_kfd_S216_thread_interrupt_wakes_the_kernel_sleeper),
        cmocka_unit_test(test_kfd_S217_nested_outer_waiter_wakes_on_inner_kernel_event),
        cmocka_unit_test(test_kfd_S218_close_then_reused_number_reports_nothing_old),
        cmocka_unit_test(test_kfd_S220_noclose_leaves_the_descriptor_open),
        cmocka_unit_test(test_kfd_S219_blocking_read_wakes_on_data_interrupt_and_close),
        cmocka_unit_test(test_kfd_S219_blocking_write_moves_everything_and_timeouts),
        cmocka_unit_test(test_kfd_S221_listener_readable_while_a_connection_waits),
        cmocka_unit_test(test_kfd_S222_nonblocking_connect_becomes_writable),
        cmocka_unit_test(test_kfd_S227_write_space_does_not_wake_a_hup_only_registration),
        cmocka_unit_test(test_kfd_S228_shutdown_wakes_its_socket_even_with_no_bit_changed),
        cmocka_unit_test(test_kfd_S229_empty_calls_and_a_refused_eventfd_write_are_the_kernels),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, vt_reset_setup, vt_reset_teardown);
}
