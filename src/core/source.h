/*
 * Source: one pollable object (a runtime's pipe end, eventfd, socket, or an
 * instance seen as a source for nesting).  A primitive: it knows its
 * readiness, its watchers and their grace periods, and nothing of instances.
 * A source whose readiness is computed rather than stored (an instance seen
 * as a source) is marked SRC_COMPUTED and polled through the one callback
 * computed sources share (vepoll__source_init); for every other source the
 * readiness is the `ready` word.  40 bytes on a 64-bit host: one 48-byte
 * glibc malloc chunk (docs/BENCHMARKS.md, scenario 8).
 *
 * Concurrency contract
 * --------------------
 * - `ready` is written by producers (vepoll_source_update) with a CAS loop
 *   (full barrier) and read by harvests after their own take of a
 *   registration's state word and the full-barrier bump right after it: a producer that changes readiness after a
 *   harvest read it also posts to the registration after that take, so it
 *   re-queues it (see registration.h).
 * - `watchers` is the list of registrations of this source, in every
 *   instance.  Producers walk it without any lock.  Writers (ADD, DEL, MOD of
 *   nothing, close) serialise on the spin bit SRC_LOCK in `ctl` (whose other
 *   bits are the epoch and the constant COMPUTED and KERNEL flags); they publish
 *   a new node with a release store of the pointer that makes it reachable,
 *   and unlink by a release store that skips the node.
 * - `ctl` also holds SRC_KERNEL, set once before the source is shared (a
 *   kernel-descriptor source, vepoll__source_mark_kernel); the lock and
 *   epoch CASes keep it.
 * - Reclamation: a producer's whole fan-out is a *read-side section*, and
 *   a writer that unlinked a node waits for a grace period before the node
 *   may be freed (or handed to the harvest, if it is still queued).  DEL
 *   defers the per-thread half: its node is retired and one grace period
 *   frees a batch of them (retire.h).  Two
 *   kinds of readers, and the writer waits for both:
 *   - A thread with a descriptor (token.h: every thread, unless membarrier's
 *     private expedited command is unavailable, under ThreadSanitizer, or
 *     beyond VEPOLL__MAX_THREADS) marks the section in its own descriptor:
 *     its outermost section makes `rseq` odd with a plain store, then loads
 *     `watchers`; it makes `rseq` even again with a release store after its
 *     last access.  No shared RMW at all: the store-load pair has no fence,
 *     and the writer supplies it with membarrier (vepoll__thr_wait_readers):
 *     either the odd `rseq` is visible after the barrier, and the writer
 *     waits until it moves, or the reader's load of `watchers` comes after
 *     the barrier and misses the node.  A section of another source counts
 *     too (the wait is for every thread inside any section, as classic RCU
 *     waits for every reader), which is bounded by one fan-out.  A writer
 *     with no other thread holding a descriptor skips the barrier.
 *   - A thread without one uses the source's two counters (sleepable-RCU
 *     style): it reads the epoch bit, increments readers[epoch] (full
 *     barrier), then loads `watchers`; it leaves by decrementing the same
 *     counter (release) after its last access to any node.  The writer,
 *     still holding SRC_LOCK (grace periods never overlap), waits until it
 *     has seen *each* counter at zero after the unlink: first the
 *     non-current one (only stragglers can be there: producers that read
 *     the epoch before an earlier flip and counted themselves after it),
 *     then it flips the epoch and waits for the formerly current one.  Any
 *     producer still inside is in one of the two counters and is waited
 *     for; one that counts itself after the writer saw that counter at zero
 *     loads `watchers` after the unlink (store/RMW/load pairs with full
 *     barriers on both sides) and cannot reach the node.  New producers go
 *     to the other counter, so a stream of updates cannot starve the
 *     writer.
 *   Model-checked: tests/spin/readers.pml (the per-thread sections, x86-TSO),
 *   tests/spin/vepoll.pml (the counters).
 * - Dedupe fast path (hook.c).  In steady state most updates change nothing:
 *   readiness already has the bits and every registration is already queued
 *   with them pending.  A producer whose whole fan-out found exactly that
 *   records it in `sat` = (ver << 16) | bits, with `ver` read *before* it
 *   looked at any registration.  A later update whose bits are in `sat`,
 *   that changes no readiness, and that reads `ver` unchanged, returns at
 *   once.  Every change that can end the "all queued" state (harvest take,
 *   MOD's new mask, ADD's link, a new outer instance) bumps `ver` (full
 *   barrier) right after it, *before* the step that looks at the readiness
 *   (the harvest's re-check, MOD's and ADD's evaluation).  A marker that read
 *   `ver` after a bump synchronises with it (acquire on the RMW) and so sees
 *   the change; one that read it before sees `ver` move, so its mark never
 *   matches.  An update absorbed between a change and its bump changed no
 *   readiness, and the look that follows the bump reads the readiness it
 *   left, so it reports or queues what that update would have; an update
 *   after the bump is not absorbed and posts as usual.  (The bump must not
 *   come after that look: an update absorbed in between would be an ET edge
 *   after the re-check, lost.)  Needs a 64-bit AO_t (48-bit version); off
 *   otherwise.  Wrap-around: a stale mark matches only if `ver` advanced by
 *   exactly 2^48 (2^47 write sections) between the marker's read and a
 *   later reader's check, while the marker stood between two statements of
 *   its own fan-out: at one section per 10 ns that is 16 days.
 * - The whole fan-out of one update, including pushes onto an instance's
 *   ready queue, waking its waiters and propagating to outer instances,
 *   happens inside the read-side section, so a writer that has waited for
 *   the grace period knows no producer touches the registration or reaches
 *   its instance through it any more.
 */
#ifndef VEPOLL_SOURCE_H
#define VEPOLL_SOURCE_H

#include <atomic_ops.h>
#include <stdint.h>

#include "registration.h"
#include "token.h"
#include "vepoll.h"

/* Computes a source's readiness; depth bounds recursion through nested
 * instances (nest.c). */
typedef uint32_t (*vepoll__poll_fn)(const struct vepoll_source *src, int depth);

/* ctl: the writers' spin lock, the grace period's epoch, whether the
 * readiness is computed (constant), and whether it mirrors a kernel
 * descriptor (set once before the source is shared). */
#define VEPOLL__SRC_LOCK 1u
#define VEPOLL__SRC_EPOCH 2u
#define VEPOLL__SRC_COMPUTED 4u
#define VEPOLL__SRC_KERNEL 8u /* mirrors a kernel descriptor: set once, first */

struct vepoll_source {
    unsigned int ready;      /* current readiness bits */
    unsigned int ctl;        /* see above */
    unsigned int readers[2]; /* producers inside the hook, per epoch */
    AO_t watchers;           /* struct vepoll__reg *: first registration */
    AO_t ver;                /* dedupe version: bumped by 2 after every change */
    AO_t sat;                /* (ver << 16) | bits absorbed at that version */
};

/* poll NULL: a plain source, with readiness `ready`; otherwise readiness is
 * computed by poll, the one callback of every computed source (there is one
 * kind: an instance seen as a source), and vepoll_source_update ignores the
 * source. */
void vepoll__source_init(struct vepoll_source *src, uint32_t ready,
                         vepoll__poll_fn poll);
void vepoll__source_lock(struct vepoll_source *src);
void vepoll__source_unlock(struct vepoll_source *src);
/* Under the source lock. */
void vepoll__source_link(struct vepoll_source *src, struct vepoll__reg *r);
void vepoll__source_unlink(struct vepoll_source *src, struct vepoll__reg *r);
/* Under the source lock, after an unlink: the grace period of both kinds
 * of readers (above). */
void vepoll__source_synchronize(struct vepoll_source *src);
/* Under the source lock: the counters' half only, for a writer that waits
 * for the per-thread sections itself, after the lock (DEL), or once for
 * many unlinks (vepoll_close), with vepoll__thr_wait_readers. */
void vepoll__source_synchronize_counters(struct vepoll_source *src);

/* Read side.  vepoll__source_enter returns what vepoll__source_exit needs:
 * VEPOLL__SRC_IN_SLOT for a section in the thread's descriptor, else the
 * epoch of the counter it incremented. */
#define VEPOLL__SRC_IN_SLOT 2u
unsigned vepoll__source_enter_counted(struct vepoll_source *src);
void vepoll__source_exit_counted(struct vepoll_source *src, unsigned epoch);

static inline unsigned vepoll__source_enter(struct vepoll_source *src)
{
    struct vepoll__thr *th;
    vepoll__self_ensure();
    th = vepoll__self.thr;
    if (!th)
        return vepoll__source_enter_counted(src);
    if (!vepoll__self.rdepth++)
        AO_store(&th->rseq, AO_load(&th->rseq) + 1); /* odd: inside */
    /* No fence: the writer's membarrier orders this store before our load
     * of `watchers` (above). */
    AO_compiler_barrier();
    return VEPOLL__SRC_IN_SLOT;
}

static inline void vepoll__source_exit(struct vepoll_source *src,
                                       unsigned epoch)
{
    struct vepoll__thr *th = vepoll__self.thr;
    if (epoch != VEPOLL__SRC_IN_SLOT) {
        vepoll__source_exit_counted(src, epoch);
        return;
    }
    if (!--vepoll__self.rdepth) /* release: after our last access */
        AO_store_release(&th->rseq, AO_load(&th->rseq) + 1);
}
/* The dedupe fast path's version bump: after anything that can end
 * "every registration of src is queued with these bits" (see above).  By
 * two, so `ver` stays even (its low bit is kept clear for an in-progress
 * state the protocol no longer needs). */
static inline void vepoll__source_bump(struct vepoll_source *src)
{
    AO_fetch_and_add_full(&src->ver, 2);
}

static inline int vepoll__source_computed(const struct vepoll_source *src)
{
    return (AO_int_load((volatile unsigned int *)&src->ctl) &
            VEPOLL__SRC_COMPUTED) != 0;
}

/* The callback of computed sources (set by vepoll__source_init). */
extern AO_t vepoll__source_computed_poll;

/* Current readiness (through the poll callback when it is computed). */

/* 1 if vepoll__source_mark_kernel marked src (vepoll_core.h). */
int vepoll__source_is_kernel(const struct vepoll_source *src);

/* Current readiness (through the poll callback when it is computed). */
static inline uint32_t vepoll__source_poll(const struct vepoll_source *src,
                                           int depth)
{
    if (vepoll__source_computed(src))
        return ((vepoll__poll_fn)AO_load(&vepoll__source_computed_poll))(src,
                                                                        depth);
    return AO_int_load((volatile unsigned int *)&src->ready);
}

#endif
