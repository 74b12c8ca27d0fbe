/*
 * Futex back end of park.h.  The waker never takes a lock: it bumps `seq`
 * (full barrier) and issues FUTEX_WAKE.  The kernel compares `seq` with the
 * snapshot atomically with queueing the waiter, so a bump that lands after
 * the snapshot makes FUTEX_WAIT return at once (EAGAIN).
 */
#include "park.h"

#include "intr.h"
#include "kwait.h"

#include <atomic_ops.h>
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

int vepoll__park_init(struct vepoll__park *p)
{
    p->seq = 0;
    AO_store(&p->kring, 0);
    return 0;
}

void vepoll__park_destroy(struct vepoll__park *p)
{
    (void)p;
}

unsigned int vepoll__park_prepare(struct vepoll__park *p)
{
    return AO_int_load_acquire(&p->seq);
}

int vepoll__park_wait(struct vepoll__park *p, unsigned int seq,
                      const struct timespec *deadline)
{
    int saved = errno, timed_out, rc = vepoll__intr_sleep_begin(&p->seq);
    if (rc)
        return rc;
    timed_out = syscall(SYS_futex, &p->seq,
                        FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, seq, deadline,
                        NULL, FUTEX_BITSET_MATCH_ANY) == -1 &&
                errno == ETIMEDOUT;
    errno = saved; /* the caller's errno is not ours to change */
    rc = vepoll__intr_sleep_end();
    if (rc)
        return rc;
    /* Woken, EAGAIN (seq moved) or EINTR: the caller re-checks. */
    return timed_out ? -ETIMEDOUT : 0;
}

static void wake_word(unsigned int *seq, int n)
{
    int saved = errno;
    AO_int_fetch_and_add1_full(seq);
    syscall(SYS_futex, seq, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, n, NULL, NULL, 0);
    errno = saved;
}

void vepoll__park_wake(struct vepoll__park *p, int all)
{
    wake_word(&p->seq, all ? INT_MAX : 1);
    if (AO_load(&p->kring))
        vepoll__kwait_ring();
}

static void kick(unsigned int *seq)
{
    wake_word(seq, INT_MAX);
}

int vepoll_intr_raise(vepoll_intr_t *h)
{
    return vepoll__intr_raise(h, kick);
}
