/*
 * The consumer token's slow path, revocation, quiescence, thread
 * descriptors.  The contract is in token.h; the membarrier they rely on is
 * membarrier.c's.
 */
#include "token.h"

#include "vepoll_core.h"

#include <sched.h>

#define NEED_FIRST 8u
#define NEED_MAX (1u << 20)
#define MAP_WORDS (VEPOLL__MAX_THREADS / 64)

struct vepoll__thr vepoll__threads[VEPOLL__MAX_THREADS];
_Thread_local struct vepoll__self vepoll__self;

static AO_t next_thread_id;
static AO_t thr_map[MAP_WORDS]; /* descriptors in use, one bit each */

/* The fast path is used only where membarrier's private expedited command
 * works (membarrier.c: vepoll__membarrier_usable, found out and registered
 * once per process; never under ThreadSanitizer, which cannot see it). */

/* ---- thread descriptors -------------------------------------------------- */

static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static pthread_key_t exit_key;

/* At thread exit: the descriptor goes back (its slots are all clear: a
 * thread is inside no token when it exits). */
static void give_back(void *arg)
{
    size_t i = (size_t)((struct vepoll__thr *)arg - vepoll__threads);
    AO_t bit = (AO_t)1 << (i % 64), old;
    do {
        old = AO_load(&thr_map[i / 64]);
    } while (!AO_compare_and_swap_full(&thr_map[i / 64], old, old & ~bit));
}

static void make_key(void)
{
    pthread_key_create(&exit_key, give_back);
}

static struct vepoll__thr *take_descriptor(void)
{
    unsigned w, b;
    for (w = 0; w < MAP_WORDS; w++) {
        AO_t old = AO_load(&thr_map[w]);
        while (~old) {
            for (b = 0; old & ((AO_t)1 << b); b++)
                ;
            if (AO_compare_and_swap_full(&thr_map[w], old, old | ((AO_t)1 << b)))
                return &vepoll__threads[w * 64 + b];
            old = AO_load(&thr_map[w]);
        }
    }
    return NULL;
}

void vepoll__self_init(void)
{
    struct vepoll__thr *thr = NULL;
    vepoll__self.id = (uint64_t)AO_fetch_and_add1(&next_thread_id) + 1;
    vepoll__self.depth = 0;
    if (vepoll__membarrier_usable() && pthread_once(&key_once, make_key) == 0) {
        thr = take_descriptor();
        if (thr && pthread_setspecific(exit_key, thr) != 0) {
            give_back(thr);
            thr = NULL;
        }
    }
    vepoll__self.thr = thr;
}

/* ---- the token ------------------------------------------------------------- */

int vepoll__token_init(struct vepoll__token *t)
{
    AO_store(&t->bias, 0);
    AO_store(&t->bias_thr, 0);
    AO_store(&t->last, 0);
    t->streak = 0;
    t->need = NEED_FIRST;
    return -pthread_mutex_init(&t->mu, NULL);
}

void vepoll__token_destroy(struct vepoll__token *t)
{
    pthread_mutex_destroy(&t->mu);
}

/* Whether th announces t: inside it only, or (slow_too) also as a call
 * going through the mutex (token.h: vepoll__token_announce_slow). */
static int announces(const struct vepoll__thr *th, const struct vepoll__token *t,
                     int slow_too)
{
    unsigned i;
    for (i = 0; i < VEPOLL__TOKEN_SLOTS; i++) {
        AO_t v = AO_load_acquire((volatile AO_t *)&th->held[i]);
        if (v == (AO_t)t || (slow_too && v == ((AO_t)t | 1)))
            return 1;
    }
    return 0;
}

static void backoff(unsigned *spins)
{
    if (++*spins > 64)
        sched_yield();
}

/* Under mu: take the fast path away from the biased thread. */
static void take_bias_away(struct vepoll__token *t)
{
    const struct vepoll__thr *th = &vepoll__threads[AO_load(&t->bias_thr)];
    unsigned spins = 0;
    AO_store(&t->bias, 0);
    vepoll__membarrier();
    while (announces(th, t, 0))
        backoff(&spins);
    if (t->need < NEED_MAX)
        t->need *= 2;
}

void vepoll__token_enter_slow(struct vepoll__token *t, uint64_t me)
{
    AO_t bias;
    pthread_mutex_lock(&t->mu);
    bias = AO_load(&t->bias);
    if (bias && bias != (AO_t)me)
        take_bias_away(t);
    if (AO_load(&t->last) != (AO_t)me) {
        AO_store(&t->last, (AO_t)me);
        t->streak = 1;
    } else if (bias != (AO_t)me && ++t->streak >= t->need && vepoll__self.thr) {
        /* Earned: from our next entry on, this thread needs no mutex.  Set
         * under mu, which every revoker holds.  (A descriptor implies
         * membarrier works.) */
        AO_store(&t->bias_thr, (AO_t)(vepoll__self.thr - vepoll__threads));
        AO_store(&t->bias, (AO_t)me);
    }
}

void vepoll__token_quiesce(struct vepoll__token *t)
{
    unsigned i, spins = 0;
    if (!vepoll__membarrier_usable())
        return; /* then no descriptor was ever handed out: nobody announces */
    vepoll__membarrier();
    for (i = 0; i < VEPOLL__MAX_THREADS; i++)
        if (AO_load(&thr_map[i / 64]) & ((AO_t)1 << (i % 64)))
            while (announces(&vepoll__threads[i], t, 1))
                backoff(&spins);
}

/* ---- per-thread read-side sections (source.h) ---------------------------- */

/* Whether a descriptor other than `me` (NULL: none) is in use. */
static int others_have_descriptors(const struct vepoll__thr *me)
{
    unsigned w;
    for (w = 0; w < MAP_WORDS; w++) {
        AO_t bits = AO_load(&thr_map[w]);
        if (me && (size_t)(me - vepoll__threads) / 64 == w)
            bits &= ~((AO_t)1 << ((size_t)(me - vepoll__threads) % 64));
        if (bits)
            return 1;
    }
    return 0;
}

int vepoll__thr_readers_possible(void)
{
    /* The caller's unlink is ordered before these looks by the full-barrier
     * RMW it ran since (token.h): a thread that takes its descriptor (a
     * full-barrier CAS on the map) or learns that membarrier works after
     * them reads the list after the unlink. */
    return vepoll__membarrier_usable() && others_have_descriptors(vepoll__self.thr);
}

void vepoll__thr_wait_readers(void)
{
    const struct vepoll__thr *me = vepoll__self.thr;
    unsigned i;
    if (!vepoll__thr_readers_possible())
        return;
    /* Either a section's odd rseq (a plain store) is visible after this, or
     * that thread's later loads of the list come after the barrier and see
     * the unlink (token.h: the same pair as the bias's revocation). */
    vepoll__membarrier();
    for (i = 0; i < VEPOLL__MAX_THREADS; i++) {
        const struct vepoll__thr *th = &vepoll__threads[i];
        if (th != me && (AO_load(&thr_map[i / 64]) & ((AO_t)1 << (i % 64))))
            vepoll__wait_section_end(&th->rseq);
    }
}
