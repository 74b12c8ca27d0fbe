/*
 * Registration (Wasmer's EpollSubState): one (source, fd) pair in one
 * instance.  40 bytes on a 64-bit host, allocated from the instance's
 * registration slab (slab.h): no allocation header, and no pointer to the
 * instance (its slab chunk's header names it).
 *
 * The state word (32 bits)
 * ------------------------
 *   bits 0..13   the mask's event bits (ERR|HUP always among them; a
 *                disarmed ONESHOT entry has none)
 *   bit  14      ENQUEUED: the registration is in its instance's ready queue
 *                (or a push of it is in flight); the bit is the proof that it
 *                is there at most once, which an intrusive node requires
 *   bit  15      DEAD: DEL / close removed it; producers ignore it and the
 *                harvest drops and frees it when it pops it
 *   bits 16..27  its slot number in the slab (constant): with it the entry
 *                finds its chunk header, its instance and its handle
 *   bits 28..31  the mask's flags (EXCLUSIVE, WAKEUP, ONESHOT, ET: the same
 *                bits as in the public mask)
 *
 * Concurrency contract
 * --------------------
 * - Producers (hook) decide with one acquire load of `state` -- mask,
 *   ENQUEUED and DEAD in one word -- and commit with one full-barrier CAS on
 *   it.  Writers of the mask (MOD, ONESHOT disarm; under the instance's
 *   token) change the same word with a CAS, so a producer that decided under
 *   an old mask fails its CAS and decides again: no event decided under a
 *   stale mask is ever committed.  No generation count is needed: a word that
 *   came back to the value the producer loaded (MOD to another mask and
 *   back, a disarm and a re-arm) *is* the registration's current state, and
 *   committing then is exactly what a producer that loaded the word at the
 *   moment of its CAS would do.  DEAD is final, so a kill always fails a
 *   pending CAS.
 * - The consumer clears ENQUEUED (take) *before* it re-reads the source's
 *   readiness, with a full barrier between the two.  A producer that posts
 *   before the take is visible finds ENQUEUED set (a dedupe hit: no write
 *   at all), and its readiness, written with a full barrier before its load
 *   of the state, is seen by the re-read; one that posts after finds
 *   ENQUEUED clear and queues the registration again.  This is Wasmer's
 *   repair_ready_queue_after_drain folded into one step, so there is no
 *   window to repair.  vepoll keeps no pending bits: what a harvest reports
 *   always comes from that re-read (docs/MODEL.md), so the word records
 *   only *that* the entry is queued.
 * - The take is a plain store on x86 (vepoll__reg_take_unfenced: a release
 *   store, so a producer whose CAS reads it comes after the harvest's last
 *   use of the node's link), not an RMW, because nobody else writes the
 *   word while the take runs: the
 *   harvest holds the instance's token and sees ENQUEUED set, and
 *   - a producer that loads ENQUEUED set returns DEDUPE without a write;
 *     one that loaded it clear before it was set fails its CAS, and a
 *     failed CAS (lock cmpxchg) writes back the value it read, atomically,
 *     which changes nothing;
 *   - every other writer holds the token: claim (harvest, nested poll,
 *     ADD/MOD's evaluation, hook_queue_held), set_mask (MOD, ONESHOT's
 *     disarm, after the take), kill (DEL, source close's remove_key and
 *     vepoll_close, all under the token; ENQUEUED set makes the harvest
 *     the one that frees a killed entry, and DEAD is checked before the
 *     take); the spinners and the mailbox never write the word, and the
 *     token holder a producer may be (token_fast in hook.c's queue_and_wake)
 *     only appends a node whose ENQUEUED its own CAS set;
 *   - an instance nested in another is a separate token and a separate
 *     registration: the inner instance's nested poll takes its own entries
 *     under its own token, the outer's entry of the inner's source is
 *     written by the outer's token holder and the producers of that source.
 *   The store-load fence the take needs before the re-read is the locked
 *   RMW of the source's version bump (source.h), which the caller runs
 *   right after the take (harvest.c's take_then_bump): under x86-TSO the
 *   store leaves the store buffer no later than that RMW, and the re-read
 *   comes after it.  Model-checked with the store buffered until the bump
 *   (tests/spin/vepoll.pml, TSO_TAKE).  Elsewhere the take stays an RMW:
 *   a plain store's ordering is TSO's.
 * - Only the producer whose CAS sets ENQUEUED (or the token holder doing the
 *   same) pushes the node, so the node is linked at most once.
 * - Lifetime: see source.h (grace period) and instance.h (detach) and retire.h (the
 *   retired list).  A DEAD registration's slot is given back once no
 *   producer can hold it: at once when no grace period is owed, else after
 *   the grace period of its instance's next flush of retired entries; if it
 *   was still queued, the harvest that pops it does one or the other.  The
 *   slot bits stay valid until then.  Once DEAD and out of the table, its
 *   table link `hnext` is free and records whether it still owes a grace
 *   period (vepoll__reg_set_owes_grace, under the instance's token).
 * - Watches (Linux's max_user_watches, vepoll_set_max_watches): every live
 *   registration holds one, taken by vepoll__reg_new with a CAS loop on a
 *   process-wide counter and given back by kill, so a DEAD entry that still
 *   waits in a ready queue no longer counts.
 */
#ifndef VEPOLL_REGISTRATION_H
#define VEPOLL_REGISTRATION_H

#include <atomic_ops.h>
#include <stdint.h>

#include "slab.h"
#include "vepoll.h"

/* Every bit vepoll ever reports. */
#define VEPOLL__EVENT_BITS                                                    \
    (VEPOLL_IN | VEPOLL_PRI | VEPOLL_OUT | VEPOLL_ERR | VEPOLL_HUP |          \
     VEPOLL_RDNORM | VEPOLL_RDBAND | VEPOLL_WRNORM | VEPOLL_WRBAND |          \
     VEPOLL_MSG | VEPOLL_RDHUP)

/* Mask bits that are flags, not events (Linux's EP_PRIVATE_BITS). */
#define VEPOLL__PRIVATE_BITS                                                  \
    (VEPOLL_EXCLUSIVE | VEPOLL_WAKEUP | VEPOLL_ONESHOT | VEPOLL_ET)

/* The state word (see above). */
#define VEPOLL__MASK_BITS (0x3fffu | VEPOLL__PRIVATE_BITS)
#define VEPOLL__REG_ENQ (1u << 14)
#define VEPOLL__REG_DEAD (1u << 15)
#define VEPOLL__REG_SLOT_SHIFT 16

struct vepoll__reg {
    unsigned int state;       /* see above */
    int fd;                   /* key, with src */
    uint64_t data;            /* cookie */
    AO_t snext;               /* struct vepoll__reg *: the source's watcher
                               * list (it spans instances) */
    struct vepoll_source *src;
    unsigned int qnext;       /* ready-queue link (handle + 1, 0: none) */
    unsigned int hnext;       /* table chain link (handle + 1, 0: none) */
};
/* The slot bits of the state word hold every slot number of the slab, and
 * the mask's flags sit above them. */
_Static_assert(VEPOLL__SLAB_SLOT_MASK << VEPOLL__REG_SLOT_SHIFT < (1u << 28) &&
                   (VEPOLL__PRIVATE_BITS & ((1u << 28) - 1)) == 0,
               "registration state word layout");

/* A new, zeroed registration from slab, holding one watch: 0, -ENOSPC
 * (watch limit) or -ENOMEM; nothing is held on failure.  Its mask is 0
 * until vepoll__reg_init_mask. */
int vepoll__reg_new(struct vepoll__slab *slab, struct vepoll__reg **out);
/* Frees the slot of a registration that was killed. */
void vepoll__reg_free(struct vepoll__slab *slab, struct vepoll__reg *r);

enum { VEPOLL__POST_NONE, VEPOLL__POST_DEDUPE, VEPOLL__POST_QUEUED };

/* Producer: record `set` on r, whose state the caller loaded as s
 * (vepoll__reg_state); returns what happened.  QUEUED means the caller won
 * ENQUEUED and must push r.  Inline: it is the producer's hot path. */
static inline int vepoll__reg_post(struct vepoll__reg *r, unsigned int s,
                                   uint32_t set)
{
    for (;;) {
        unsigned int o;
        if ((s & VEPOLL__REG_DEAD) || !(set & s & VEPOLL__EVENT_BITS))
            return VEPOLL__POST_NONE;
        if (s & VEPOLL__REG_ENQ)
            return VEPOLL__POST_DEDUPE; /* queued already: nothing to write */
        o = AO_int_fetch_compare_and_swap_full(&r->state, s, s | VEPOLL__REG_ENQ);
        if (o == s)
            return VEPOLL__POST_QUEUED;
        s = o; /* the mask, DEAD or ENQUEUED changed: decide again */
    }
}

/* Consumer, under the instance's token: clear ENQUEUED; s is r's state
 * word, loaded under the token with ENQUEUED set (nobody else writes it
 * then: see above).  On x86 a plain store, so not a fence: the caller must
 * run a locked RMW (the version bump) before it re-reads the readiness.
 * Elsewhere one full-barrier RMW. */
static inline void vepoll__reg_take_unfenced(struct vepoll__reg *r,
                                             unsigned int s)
{
#if defined(__x86_64__) || defined(__i386__)
    /* Release (a plain mov on x86): the producer whose CAS reads this
     * value and then links r->qnext comes after our last use of the node
     * (the harvest's pop and collect wrote its link). */
    AO_int_store_release(&r->state, s & ~VEPOLL__REG_ENQ);
#else
    (void)s;
    AO_int_and_full(&r->state, ~VEPOLL__REG_ENQ);
#endif
}
/* Instance token: set ENQUEUED unless set or DEAD; 1 if the caller must push. */
int vepoll__reg_claim(struct vepoll__reg *r);
/* Instance token: the mask becomes `mask` (one CAS). */
void vepoll__reg_set_mask(struct vepoll__reg *r, unsigned int mask);
/* Instance token: mark DEAD and give back the watch; returns the old word
 * (its ENQUEUED bit is final from now on). */
unsigned int vepoll__reg_kill(struct vepoll__reg *r);

/* Under the instance's token, for a DEAD registration out of the table:
 * whether a grace period must still end before its slot is reused. */
static inline void vepoll__reg_set_owes_grace(struct vepoll__reg *r, int owes)
{
    r->hnext = owes ? 1u : 0u;
}
static inline int vepoll__reg_owes_grace(const struct vepoll__reg *r)
{
    return r->hnext != 0;
}

/* Before r is published (ADD): its first mask. */
static inline void vepoll__reg_init_mask(struct vepoll__reg *r, unsigned int mask)
{
    r->state |= mask & VEPOLL__MASK_BITS;
}

static inline unsigned int vepoll__reg_state(const struct vepoll__reg *r)
{
    return AO_int_load_acquire((volatile unsigned int *)&r->state);
}

static inline unsigned int vepoll__reg_events(const struct vepoll__reg *r)
{
    return vepoll__reg_state(r) & VEPOLL__MASK_BITS;
}

static inline unsigned int vepoll__reg_slot(unsigned int s)
{
    return (s >> VEPOLL__REG_SLOT_SHIFT) & VEPOLL__SLAB_SLOT_MASK;
}

/* The instance r belongs to (s: any state word of r). */
static inline struct vepoll *vepoll__reg_instance(const struct vepoll__reg *r,
                                                  unsigned int s)
{
    return (struct vepoll *)vepoll__slab_chunk_of(r, vepoll__reg_slot(s),
                                                  sizeof(*r))->owner;
}

/* r as a link: its handle in its instance's slab + 1 (never 0). */
static inline unsigned int vepoll__reg_link(const struct vepoll__reg *r)
{
    unsigned int s = AO_int_load((volatile unsigned int *)&r->state);
    return vepoll__slab_handle(r, vepoll__reg_slot(s), sizeof(*r)) + 1;
}

/* Under the instance's token: the registration a link names, NULL for 0. */
static inline struct vepoll__reg *vepoll__reg_at(const struct vepoll__slab *slab,
                                                 unsigned int link)
{
    return link ? (struct vepoll__reg *)vepoll__slab_at(slab, link - 1) : NULL;
}

#endif
