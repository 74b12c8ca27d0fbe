/*
 * Registration (Wasmer's EpollSubState): one (source, fd) pair in one
 * instance.
 *
 * The state word
 * --------------
 *   bits 0..13   pending: event kinds posted since the last harvest took them
 *   bit  14      ENQUEUED: the registration is in its instance's ready queue
 *                (or a push of it is in flight); the bit is the proof that it
 *                is there at most once, which an intrusive node requires
 *   bit  15      DEAD: DEL / close removed it; producers ignore it and the
 *                harvest drops and frees it when it pops it
 *   bits 16..    generation, bumped by every mask change (MOD, ONESHOT disarm)
 *                and by kill (DEL, closes), so no entry decided before any of
 *                them can commit after it
 *
 * Concurrency contract
 * --------------------
 * - Producers (hook) decide with one acquire load of `state`, then a load of
 *   `events`, and commit with one full-barrier CAS on `state`.  Writers of
 *   `events` (MOD, disarm; both under the instance mutex) store the mask
 *   first and then CAS the generation forward.  A producer that read the old
 *   mask therefore fails its CAS and retries with the new one: no event
 *   decided under a stale mask is ever committed.  (One that read the new
 *   mask with the old generation commits an event that MOD's re-evaluation
 *   subsumes.)
 * - The consumer takes pending bits and clears ENQUEUED in one CAS *before*
 *   it re-reads the source's readiness.  A producer that fires before the
 *   take merges into the taken bits and its readiness is seen by the re-read;
 *   one that fires after finds ENQUEUED clear and queues the registration
 *   again.  This is Wasmer's repair_ready_queue_after_drain folded into a
 *   single atomic step, so there is no window to repair.
 * - Only the producer whose CAS sets ENQUEUED (or the instance-mutex holder
 *   doing the same) pushes the node, so the node is linked at most once.
 * - Lifetime: see source.h (grace period) and instance.c (detach).  A DEAD
 *   registration is freed by DEL once no producer can hold it, or by the
 *   harvest that pops it if it was still queued.
 * - Watches (Linux's max_user_watches, vepoll_set_max_watches): every live
 *   registration holds one, taken by vepoll__reg_new with a CAS loop on a
 *   process-wide counter and given back by kill, so a DEAD entry that still
 *   waits in a ready queue no longer counts.
 */
#ifndef VEPOLL_REGISTRATION_H
#define VEPOLL_REGISTRATION_H

#include <atomic_ops.h>
#include <stdint.h>

#include "vepoll.h"

/* Every bit vepoll ever reports. */
#define VEPOLL__EVENT_BITS                                                    \
    (VEPOLL_IN | VEPOLL_PRI | VEPOLL_OUT | VEPOLL_ERR | VEPOLL_HUP |          \
     VEPOLL_RDNORM | VEPOLL_RDBAND | VEPOLL_WRNORM | VEPOLL_WRBAND |          \
     VEPOLL_MSG | VEPOLL_RDHUP)

#define VEPOLL__PENDING_MASK ((AO_t)0x3fff)
#define VEPOLL__REG_ENQ ((AO_t)1 << 14)
#define VEPOLL__REG_DEAD ((AO_t)1 << 15)
#define VEPOLL__REG_GEN_ONE ((AO_t)1 << 16)

/* Mask bits that are flags, not events (Linux's EP_PRIVATE_BITS). */
#define VEPOLL__PRIVATE_BITS                                                  \
    (VEPOLL_EXCLUSIVE | VEPOLL_WAKEUP | VEPOLL_ONESHOT | VEPOLL_ET)

struct vepoll__reg {
    AO_t state;            /* see above */
    AO_t qnext;            /* ready-queue link */
    AO_t snext;            /* source watcher-list link */
    unsigned int events;   /* mask | ERR | HUP; disarmed: private bits only */
    int fd;                /* key, with src */
    uint64_t data;         /* cookie */
    struct vepoll *ep;
    struct vepoll_source *src;
};

/* A new, zeroed registration holding one watch: 0, -ENOSPC (watch limit)
 * or -ENOMEM; nothing is held on failure. */
int vepoll__reg_new(struct vepoll__reg **out);
/* Frees the memory of a registration that was killed. */
void vepoll__reg_free(struct vepoll__reg *r);

enum { VEPOLL__POST_NONE, VEPOLL__POST_DEDUPE, VEPOLL__POST_QUEUED };

/* Producer: record `set` on r; returns what happened.  QUEUED means the
 * caller won ENQUEUED and must push r. */
int vepoll__reg_post(struct vepoll__reg *r, uint32_t set);
/* Consumer: take pending bits and clear ENQUEUED; returns the old word. */
AO_t vepoll__reg_take(struct vepoll__reg *r);
/* Instance mutex: set ENQUEUED unless set or DEAD; 1 if the caller must push. */
int vepoll__reg_claim(struct vepoll__reg *r, AO_t pending);
/* Instance mutex: new mask, generation + 1, pending cleared. */
void vepoll__reg_set_mask(struct vepoll__reg *r, unsigned int events);
/* Instance mutex: mark DEAD with generation + 1 and give back the watch;
 * returns the old word (its ENQUEUED bit is final from now on). */
AO_t vepoll__reg_kill(struct vepoll__reg *r);

static inline unsigned int vepoll__reg_events(const struct vepoll__reg *r)
{
    return AO_int_load((volatile unsigned int *)&r->events);
}

#endif
