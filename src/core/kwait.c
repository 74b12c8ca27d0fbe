/*
 * The kernel set: watching real descriptors, pumping their events, the
 * leader's bell.  The concurrency contract is in kwait.h.
 */
#include "kwait.h"

#include <errno.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "order.h"

#define BELL_KEY UINT64_MAX

unsigned int vepoll__kwait_bell;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int kset = -1, kwake = -1, init_rc;
static AO_t ready;   /* 1 once kset and kwake exist (release) */
static AO_t handler; /* vepoll__kernel_fn * */
static AO_t pumps;   /* the pump numbers (kwait.h: stamps) */

static void make_set(void)
{
    struct epoll_event ev = {.events = EPOLLIN, .data = {.u64 = BELL_KEY}};
    int saved = errno;
    kset = epoll_create1(EPOLL_CLOEXEC);
    kwake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (kset < 0 || kwake < 0 || epoll_ctl(kset, EPOLL_CTL_ADD, kwake, &ev)) {
        init_rc = -errno;
        if (kset >= 0)
            close(kset);
        if (kwake >= 0)
            close(kwake);
        kset = kwake = -1;
    } else {
        AO_store_release(&ready, 1);
    }
    errno = saved;
}

int vepoll__kwait_exists(void)
{
    return AO_load_acquire(&ready) != 0;
}

int vepoll__kernel_watch(int fd, uint32_t events, uint64_t key, vepoll__kernel_fn *fn)
{
    struct epoll_event ev = {.events = events | EPOLLET, .data = {.u64 = key}};
    int saved = errno, rc = 0;
    if (key == BELL_KEY || !fn)
        return -EINVAL;
    pthread_once(&once, make_set);
    if (!vepoll__kwait_exists())
        return init_rc;
    AO_store_release(&handler, (AO_t)fn);
    if (epoll_ctl(kset, EPOLL_CTL_ADD, fd, &ev))
        rc = -errno;
    errno = saved;
    return rc;
}

void vepoll__kernel_unwatch(int fd)
{
    int saved = errno;
    if (vepoll__kwait_exists())
        epoll_ctl(kset, EPOLL_CTL_DEL, fd, NULL);
    errno = saved;
}

uint64_t vepoll__kernel_stamp(void)
{
    AO_nop_full(); /* the caller's syscall, then this load: kwait.h */
    return AO_load(&pumps);
}

/* Milliseconds for epoll_wait, rounded up (never wakes early), or -1. */
static int timeout_ms(const struct timespec *rel)
{
    int64_t ms;
    if (!rel)
        return -1;
    ms = (int64_t)rel->tv_sec * 1000 + (rel->tv_nsec + 999999) / 1000000;
    return ms > 0x7fffffff ? 0x7fffffff : (int)ms;
}

/* epoll_pwait2 (nanoseconds) where the kernel has it, else epoll_wait. */
static int wait_set(struct epoll_event *ev, int max, const struct timespec *rel)
{
    static AO_t no_pwait2;
    int n;
    if (!AO_load(&no_pwait2)) {
        n = epoll_pwait2(kset, ev, max, rel, NULL);
        if (n >= 0 || errno != ENOSYS)
            return n;
        AO_store(&no_pwait2, 1);
    }
    return epoll_wait(kset, ev, max, timeout_ms(rel));
}

int vepoll__kwait_collect(struct vepoll__kbatch *b, int64_t deadline, int leader)
{
    struct timespec rel = {0, 0};
    int saved = errno, n, i, j, rang = 0;
    b->n = 0;
    b->stamp = AO_fetch_and_add1_full(&pumps) + 1;
    if (!vepoll__kwait_exists())
        return 0;
    if (deadline > 0) {
        int64_t left = deadline - vepoll__now_ns();
        if (left > 0)
            rel = vepoll__timespec(left);
    }
    n = wait_set(b->ev, VEPOLL__KWAIT_BATCH, deadline < 0 ? NULL : &rel);
    for (i = j = 0; i < n; i++) {
        if (b->ev[i].data.u64 == BELL_KEY)
            rang = 1;
        else
            b->ev[j++] = b->ev[i];
    }
    b->n = j;
    if (rang && leader) {
        uint64_t v;
        (void)!read(kwake, &v, sizeof(v)); /* level-triggered: reset it */
    }
    errno = saved;
    /* Else woken (an event, the bell, a signal): the caller looks again. */
    return n == 0 && deadline > 0 && vepoll__now_ns() >= deadline ? -ETIMEDOUT : 0;
}

void vepoll__kwait_apply(struct vepoll__kbatch *b)
{
    vepoll__kernel_fn *fn = (vepoll__kernel_fn *)AO_load_acquire(&handler);
    int i;
    for (i = 0; i < b->n; i++)
        fn(b->ev[i].data.u64, b->ev[i].events, b->stamp);
    b->n = 0;
}

void vepoll__kwait_pump(void)
{
    struct vepoll__kbatch b;
    if (!vepoll__kwait_exists())
        return;
    vepoll__kwait_collect(&b, 0, 0);
    vepoll__kwait_apply(&b);
}

void vepoll__kwait_ring(void)
{
    uint64_t one = 1;
    int saved = errno;
    if (vepoll__kwait_exists())
        (void)!write(kwake, &one, sizeof(one));
    errno = saved;
}
