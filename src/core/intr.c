/*
 * Per-thread interruption.  The contract is in intr.h.  vepoll_intr_raise
 * is the parking back end's (park_futex.c, park_condvar.c): moving and
 * waking the word a thread sleeps on is how that back end parks.
 */
#include "intr.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>

#include "vepoll_core.h"

_Thread_local struct vepoll_intr *vepoll__intr_self;

/* A thread that exits while bound gives its handle back (so it can be
 * destroyed or bound again). */
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static pthread_key_t exit_key;

static void unbind_at_exit(void *h)
{
    AO_store_release(&((struct vepoll_intr *)h)->bound, 0);
}

static void make_key(void)
{
    pthread_key_create(&exit_key, unbind_at_exit);
}

int vepoll_intr_create(vepoll_intr_t **out)
{
    struct vepoll_intr *h;
    if (!out)
        return -EINVAL;
    h = vepoll__calloc(sizeof(*h));
    if (!h)
        return -ENOMEM;
    *out = h;
    return 0;
}

int vepoll_intr_destroy(vepoll_intr_t *h)
{
    if (!h)
        return -EINVAL;
    if (AO_load_acquire(&h->bound))
        return -EBUSY;
    vepoll__free(h, sizeof(*h));
    return 0;
}

int vepoll_intr_bind(vepoll_intr_t *h)
{
    struct vepoll_intr *old = vepoll__intr_self;
    if (h == old)
        return 0;
    if (h && !AO_compare_and_swap_full(&h->bound, 0, 1))
        return -EBUSY;
    if (old)
        AO_store_release(&old->bound, 0);
    vepoll__intr_self = h;
    pthread_once(&key_once, make_key);
    pthread_setspecific(exit_key, h);
    return 0;
}

int vepoll_intr_clear(vepoll_intr_t *h)
{
    if (!h)
        return -EINVAL;
    AO_store_release(&h->pending, 0);
    return 0;
}

int vepoll_intr_pending(const vepoll_intr_t *h)
{
    return h && AO_load_acquire((volatile AO_t *)&h->pending) != 0;
}

int vepoll__intr_sleep_begin(unsigned int *word)
{
    struct vepoll_intr *h = vepoll__intr_self;
    if (!h)
        return 0;
    AO_store(&h->blocked_on, (AO_t)word);
    AO_nop_full(); /* store blocked_on, then load pending: see intr.h */
    if (!AO_load(&h->pending))
        return 0;
    vepoll__intr_sleep_end();
    return -EINTR;
}

int vepoll__intr_sleep_end(void)
{
    struct vepoll_intr *h = vepoll__intr_self;
    unsigned spins = 0;
    if (!h)
        return 0;
    AO_store(&h->blocked_on, 0);
    AO_nop_full(); /* clear, then look for raisers still holding the word */
    while (AO_load_acquire(&h->raisers))
        if (++spins > 64)
            sched_yield();
    return AO_load(&h->pending) ? -EINTR : 0;
}
