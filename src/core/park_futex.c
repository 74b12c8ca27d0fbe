/*
 * Futex back end of park.h.  The waker never takes a lock: it bumps `seq`
 * (full barrier) and issues FUTEX_WAKE.  The kernel compares `seq` with the
 * snapshot atomically with queueing the waiter, so a bump that lands after
 * the snapshot makes FUTEX_WAIT return at once (EAGAIN).
 */
#include "park.h"

#include <atomic_ops.h>
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

int vepoll__park_init(struct vepoll__park *p)
{
    p->seq = 0;
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
    long rc = syscall(SYS_futex, &p->seq, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG,
                      seq, deadline, NULL, FUTEX_BITSET_MATCH_ANY);
    if (rc == -1 && errno == ETIMEDOUT)
        return -ETIMEDOUT;
    return 0; /* woken, EAGAIN (seq moved) or EINTR: the caller re-checks */
}

void vepoll__park_wake(struct vepoll__park *p, int all)
{
    AO_int_fetch_and_add1_full(&p->seq);
    syscall(SYS_futex, &p->seq, FUTEX_WAKE | FUTEX_PRIVATE_FLAG,
            all ? INT_MAX : 1, NULL, NULL, 0);
}
