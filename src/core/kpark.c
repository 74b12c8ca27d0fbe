/*
 * The leader and the candidates of the kernel wait.  The concurrency
 * contract is in kpark.h.
 */
#include "kpark.h"

#include <errno.h>
#include <pthread.h>

#include "instance.h"
#include "intr.h"
#include "kwait.h"
#include "order.h"

static AO_t leader; /* 1 while some thread leads */
static AO_t ncand;  /* candidates counted in (kpark.h) */

/* Parked candidates, newest first: the instance each one sleeps on. */
struct cand {
    struct vepoll *ep;
    struct cand *next, **pprev; /* pprev: the pointer that points here */
};
static pthread_mutex_t cand_mu = PTHREAD_MUTEX_INITIALIZER;
static struct cand *cands;

static void cand_link(struct cand *c)
{
    pthread_mutex_lock(&cand_mu);
    c->next = cands;
    c->pprev = &cands;
    if (cands)
        cands->pprev = &c->next;
    cands = c;
    pthread_mutex_unlock(&cand_mu);
}

static void cand_unlink(struct cand *c)
{
    pthread_mutex_lock(&cand_mu);
    *c->pprev = c->next;
    if (c->next)
        c->next->pprev = c->pprev;
    pthread_mutex_unlock(&cand_mu);
}

/* Nobody leads and candidates are parked: wake the instance of one of
 * them, whose woken thread takes the lead (or hands it on as it leaves). */
static void hand_over(void)
{
    pthread_mutex_lock(&cand_mu);
    if (cands)
        vepoll__park_wake(&cands->ep->park, 0);
    pthread_mutex_unlock(&cand_mu);
}

static int candidate_wait(struct vepoll *ep, unsigned int seq, const struct timespec *tsp)
{
    struct cand c = {ep, NULL, NULL};
    int rc = 0;
    cand_link(&c);
    AO_fetch_and_add1_full(&ncand);
    vepoll__fence_after_rmw(); /* count in, then look at the lead: kpark.h */
    if (AO_load(&leader))
        rc = vepoll__park_wait(&ep->park, seq, tsp);
    /* else the lead is free: go round and take it. */
    AO_fetch_and_sub1_full(&ncand);
    cand_unlink(&c);
    return rc;
}

static int leader_wait(struct vepoll *ep, unsigned int seq, int64_t deadline)
{
    struct vepoll__kbatch b;
    int rc, irc;
    AO_store(&ep->park.kring, 1);
    AO_nop_full(); /* kring, then the sequence number: kpark.h */
    if (AO_int_load(&ep->park.seq) != seq) {
        AO_store(&ep->park.kring, 0);
        return 0;
    }
    rc = vepoll__intr_sleep_begin(VEPOLL__KWAIT_BELL_WORD);
    if (rc) {
        AO_store(&ep->park.kring, 0);
        return rc;
    }
    rc = vepoll__kwait_collect(&b, deadline, 1);
    AO_store(&ep->park.kring, 0);
    irc = vepoll__intr_sleep_end();
    /* Awake: the events we apply need not wake us (a futex wake per event
     * for nothing otherwise); the wait loop harvests right after. */
    AO_fetch_and_sub1_full(&ep->nwaiters);
    vepoll__kwait_apply(&b);
    AO_fetch_and_add1_full(&ep->nwaiters);
    return irc ? irc : rc;
}

int vepoll__kpark_wait(struct vepoll *ep, unsigned int seq, int64_t deadline,
                       const struct timespec *tsp, int *lead)
{
    if (!*lead)
        *lead = AO_load(&leader) == 0 && AO_compare_and_swap_full(&leader, 0, 1);
    if (!*lead)
        return candidate_wait(ep, seq, tsp);
    return leader_wait(ep, seq, deadline);
}

void vepoll__kpark_leave(int lead)
{
    if (lead) {
        AO_store(&leader, 0);
        AO_nop_full(); /* clear the lead, then look for candidates: kpark.h */
    } else if (AO_load(&leader)) {
        return;
    }
    if (AO_load(&ncand))
        hand_over();
}
