/*
 * SPIN model of vepoll's wake-up / ready-queue / reclamation protocol:
 * the registration state word, the ready queue, the harvest, the producer
 * hook with its dedupe fast path, ADD/MOD/DEL with the grace period,
 * parking on the futex word, and the paths around them: vepoll_close with
 * blocked waiters, vepoll_source_close racing ctl and harvest, EPOLLEXCLUSIVE
 * over several instances, nesting two and three levels deep (propagation and
 * the nested poll), vepoll_interrupt, timeouts, the spinning harvest and the
 * dead-entry sweep.
 *
 * docs/MODEL.md maps every step below to the C statement it stands for
 * (tags like [post.cas] appear in both places), explains the abstractions
 * and lists the configurations and seeded bugs.  Build one configuration
 * with `spin -DCFG_<NAME> [-DBUG_<NAME>] -a vepoll.pml`, or use run.sh.
 *
 * Memory model: every shared access is one sequentially consistent step.
 * The C code orders each store->load pair the protocol relies on with a
 * full barrier (AO_*_full, AO_nop_full), so SC is the right model for them.
 * One exception: the harvest's take is a plain store on x86, fenced by the
 * locked RMW of the bump that follows it, so the take has an x86-TSO store
 * buffer of its own ([take], TAKE_FENCE_BUMP).
 *
 * Properties (run.sh matches the assert texts for the seeded bugs):
 *   P1  no lost wake-up / event: in every quiescent state (SPIN `timeout`:
 *       nothing can move) every live registration owed a re-check is queued
 *       (lostev), every live LT one whose source is ready is queued
 *       (lostlt), and no consumer sleeps while a live, reportable entry is
 *       queued in its instance (lostwake).  ET with two waiters: at most one
 *       report (et1).  Readiness of an instance seen as a source is computed
 *       as vepoll__nest_poll defines it (a live queued entry whose source is
 *       ready in its mask).
 *   P2  at most one queue entry per registration: asserted on every link.
 *   P3  nothing is reported for a registration after its DEL, the close of
 *       its source or the close of its instance returned.
 *   P4  no access to a freed registration (and no double free); with the
 *       close paths also none to a freed instance or source.
 *   P5  (close paths) no waiter stays asleep on a closed instance (hang), a
 *       wait without timeout returns events, -EBADF or -EINTR (badret), and
 *       no killed registration is left neither queued nor freed (leak).
 *   P6  (interrupts) no waiter sleeps while an interrupt is pending
 *       (intrlost).
 *   P7  (EXCLUSIVE) a post reaches at least one exclusive registration
 *       (exnone), and does not wake every exclusive waiter when all of them
 *       were asleep when it began (exall).
 */

/* ---------------------------------------------------------------- config */
#if defined(CFG_CORE_ET) || defined(CFG_CORE_LT)
#define NO_FASTPATH 1
#define NPROD 2
#define NCONS 1
#define NWAITS 2
#define NREG 1
#define MAXEV 1
#define CTL_MOD_DEL 1
#ifdef CFG_CORE_ET
#define MODE0 ET
#else
#define MODE0 0
#endif
#elif defined(CFG_FAST_ET) || defined(CFG_FAST_LT)
#define NPROD 2
#define NCONS 1
#define NWAITS 2
#define NREG 1
#define MAXEV 1
#define CTL_MOD 1
#define START_QUEUED 1
#ifdef CFG_FAST_ET
#define MODE0 ET
#else
#define MODE0 0
#endif
#elif defined(CFG_ADD)
#define NO_FASTPATH 1
#define NPROD 2
#define NCONS 1
#define NWAITS 1
#define NREG 1
#define MAXEV 1
#define CTL_ADD_DEL 1
#define MODE0 ET
#elif defined(CFG_FAST_ADD)
#define NPROD 1
#define NCONS 1
#define NWAITS 1
#define NREG 2
#define MAXEV 2
#define CTL_ADD_DEL 1
#define START_QUEUED 1
#define MODE0 ET
#define MODE1 ET
#elif defined(CFG_GRACE)
#define NPROD 1
#define NCONS 1
#define NWAITS 1
#define NREG 2
#define MAXEV 1
#define CTL_DEL_DEL 1
#define MODE0 ET
#define MODE1 0
#elif defined(CFG_ONESHOT)
#define NO_FASTPATH 1
#define NPROD 2
#define NCONS 1
#define NWAITS 2
#define NREG 1
#define MAXEV 1
#define CTL_MOD_DEL 1
#define MODE0 ONESHOT
#elif defined(CFG_WAKE_LT) || defined(CFG_WAKE_ET)
#define NPROD 1
#define NCONS 2
#define NWAITS 1
#define NREG 1
#define MAXEV 1
#ifdef CFG_WAKE_ET
#define MODE0 ET
#define ET_ONE 1
#else
#define MODE0 0
#endif
/* ------------------------------------------ configurations of the paths */
#elif defined(CFG_CLOSE) || defined(CFG_CLOSE_ET)
/* vepoll_close with two waiters blocked (or entering) and a producer
 * posting: an LT (or ET) registration, queued or not */
#define NO_FASTPATH 1
#define NPROD 1
#define NCONS 2
#define NWAITS 1
#define NREG 1
#define MAXEV 1
#define MODEL_CLOSE 1
#define CLOSER 1
#ifdef CFG_CLOSE_ET
#define MODE0 ET
#else
#define MODE0 0
#endif
#elif defined(CFG_SRCCLOSE)
/* vepoll_source_close (after the object's last update) racing a DEL of
 * one of its two registrations, a MOD of the other, and the harvest */
#define NO_FASTPATH 1
#define NPROD 1
#define NCONS 1
#define NWAITS 1
#define NREG 2
#define MAXEV 1
#define MODEL_SRC_LOCK 1
#define MODEL_SRCCLOSE 1
#define CTL_DEL_MOD 1
#define SRCCLOSER 1
#define MODE0 ET
#define MODE1 0
#elif defined(CFG_EXCL) || defined(CFG_EXCL_INTR) || defined(CFG_EXCL_LONG)
/* a source watched by two exclusive instances and one non-exclusive one,
 * one waiter each, blocked when the post comes; the first exclusive waiter
 * may time out (EXCL) or be interrupted (EXCL_INTR) at any moment.
 * EXCL_LONG (not under ctest: 50 M states, 2.9 GB): EXCL with the waiters
 * entering their waits while the post runs */
#define NO_FASTPATH 1
#define NI 3
#define NPROD 1
#define NCONS 3
#define NWAITS 1
#define NREG 3
#define MAXEV 1
#define MODEL_EXCL 1
#ifndef CFG_EXCL_LONG
#define START_PARKED 1
#endif
#define MODE0 ET
#ifndef CFG_EXCL_INTR
#define MODEL_TIMEOUT 1
#define TMO0 1
#else
#define MODEL_INTR 1
#define INTERRUPTER 1
#endif
#elif defined(CFG_NEST) || defined(CFG_NEST_ET)
/* I (instance 0) holds the source, O (instance 1) holds I (LT); a waiter
 * blocked on O; O's registration of I may be DELeted.  NEST_ET: I's
 * registration is ET and a second waiter blocks on I (the kernel's
 * epoll33-36 pattern) */
#define NO_FASTPATH 1
#define NI 2
#define NPROD 1
#ifdef CFG_NEST_ET
#define NCONS 2
#else
#define NCONS 1
#endif
#define NWAITS 1
#define NREG 2
#define MAXEV 1
#define MODEL_NEST 1
#define CTL_DEL1 1
#define WAITON0 1
#ifdef CFG_NEST_ET
#define MODE0 ET
#else
#define MODE0 0
#endif
#elif defined(CFG_NEST3)
/* T (2) holds O (1) holds I (0) holds the source, all LT; one waiter on T */
#define NO_FASTPATH 1
#define NI 3
#define NPROD 1
#define NCONS 1
#define NWAITS 1
#define NREG 3
#define MAXEV 1
#define MODEL_NEST 1
#define WAITON0 2
#define MODE0 0
#elif defined(CFG_INTR)
/* vepoll_interrupt racing a post and the entry of two waiters (ET) */
#define NO_FASTPATH 1
#define NPROD 1
#define NCONS 2
#define NWAITS 1
#define NREG 1
#define MAXEV 1
#define MODEL_INTR 1
#define INTERRUPTER 1
#define MODE0 ET
#elif defined(CFG_TIMEOUT)
/* a waiter whose timeout may expire at any moment and a blocking one
 * racing one post (ET): the kernel's epoll61 */
#define NO_FASTPATH 1
#define NPROD 1
#define NCONS 2
#define NWAITS 1
#define NREG 1
#define MAXEV 1
#define MODEL_TIMEOUT 1
#define TMO0 1
#define MODE0 ET
#elif defined(CFG_SPIN)
/* one waiter spins (vepoll_set_spin) before it parks, one parks (LT) */
#define NO_FASTPATH 1
#define NPROD 1
#define NCONS 2
#define NWAITS 1
#define NREG 1
#define MAXEV 1
#define MODEL_SPIN 1
#define MODE0 0
#elif defined(CFG_SPIN_MBOX)
/* two waiters that spin without end (a spin is a wait for the inbox or the
 * mailbox to move) and one post (LT): both must report it, the second
 * through the mailbox the first one's harvest posts to */
#define NO_FASTPATH 1
#define NPROD 1
#define NCONS 2
#define NWAITS 1
#define NREG 1
#define MAXEV 1
#define MODEL_SPIN 1
#define SPIN_FOREVER 1
#define MODE0 0
#elif defined(CFG_SWEEP)
/* the dead-entry sweep (threshold scaled to 0): DEL of a queued ET entry
 * sweeps the queue while a producer posts and a waiter harvests; the other
 * registration (LT) is queued too */
#define NO_FASTPATH 1
#define NPROD 1
#define NCONS 1
#define NWAITS 1
#define NREG 2
#define MAXEV 1
#define MODEL_SWEEP 1
#define CTL_DEL0 1
#define START_QUEUED_ALL 1
#define MODE0 ET
#define MODE1 0
#else
#error "choose a configuration: -DCFG_<NAME>, see docs/MODEL.md"
#endif

/* ---------------------------------------------------------------- defaults */
#ifndef NI
#define NI 1            /* instances */
#endif
#ifdef MODEL_NEST
#define NSRC (NI + 1)   /* source 0, then instance i seen as source 1 + i */
#else
#define NSRC 1
#endif
#if defined(MODEL_CLOSE) || defined(MODEL_SRCCLOSE)
#define MODEL_LIFETIME 1
#endif
#define ce cep[w]       /* in a consumer: the instance it waits on */
#ifdef SPIN_FOREVER
#define SPINNER(w) 1    /* every waiter spins, without end */
#else
#define SPINNER(w) (w == 0)
#endif

/* ------------------------------------------------------------- constants */
#define NIL 255
/* events mask (the mask bits of vepoll__reg.state): two event kinds and
 * three flags.  ERR/HUP/... are more event bits with the same treatment. */
#define IN 1
#define OUT 2
#define EVB 3           /* VEPOLL__EVENT_BITS */
#define ET 4
#define ONESHOT 8
#define EXCL 16
#define FLAGS 28        /* VEPOLL__PRIVATE_BITS */
/* state word: ENQUEUED, DEAD.  The code keeps the mask in the same 32-bit
 * word (registration.h); the model keeps it in ev[] and makes every step on
 * the word read or change st[] and ev[] in one atomic step. */
#define ENQ 4
#define DEAD 8
/* vepoll__reg_post results */
#define P_NONE 0
#define P_DEDUPE 1
#define P_QUEUED 2
/* vepoll_wait results besides counts */
#define R_EBADF 200
#define R_EINTR 201

/* ---------------------------------------------------------- shared state */
/* registrations */
byte st[NREG];          /* vepoll__reg.state: ENQUEUED, DEAD */
byte ev[NREG];          /* vepoll__reg.state: the mask bits */
byte qnext[NREG];       /* vepoll__reg.qnext */
byte snext[NREG];       /* vepoll__reg.snext */
#if NI > 1
byte rep[NREG];         /* the instance of r (its slab chunk names it: fixed) */
#define REP(r) rep[r]
#else
#define REP(r) 0
#endif
#ifdef MODEL_NEST
byte rsrc[NREG];        /* vepoll__reg.src: 0, or 1 + i for instance i */
#define RSRC(r) rsrc[r]
#else
#define RSRC(r) 0
#endif
/* sources: source 0 is a plain source; with MODEL_NEST source 1 + i is
 * instance i seen as a source (vepoll_as_source), whose readiness is
 * computed by vepoll__nest_poll_source */
byte ready;             /* vepoll_source.ready of source 0 */
byte watchers[NSRC] = NIL;    /* vepoll_source.watchers */
byte readers[2 * NSRC]; /* vepoll_source.readers[]: 2 * s + epoch */
bit  epoch[NSRC];       /* SRC_EPOCH bit of vepoll_source.ctl */
byte ver;               /* vepoll_source.ver (source 0): seqlock, odd = writing */
byte satv;              /* vepoll_source.sat >> 16: version ... */
byte satb;              /* ... and sat & 0xffff: the bits absorbed then */
#ifdef MODEL_SRC_LOCK
bit  srclk;             /* SRC_LOCK bit of source 0's ctl */
#endif
/* instances */
byte inbox[NI] = NIL;         /* vepoll__readyq.inbox */
byte qhead[NI] = NIL;         /* vepoll__readyq.head */
byte qtail[NI] = NIL;         /* vepoll__readyq.tail */
byte qcount[NI];        /* vepoll__readyq.count: entries in the private FIFO */
byte mu[NI];            /* vepoll.mu: 0 free, else owner _pid + 1 */
byte nwaiters[NI];      /* vepoll.nwaiters */
byte pseq[NI];          /* vepoll__park.seq (the futex word) */
bit  asleep[NCONS];     /* kernel futex queue: consumer w is queued */
#ifdef MODEL_SPIN
byte mbox[NI];          /* vepoll.mbox: the spinners' mailbox */
bit  spinning[NCONS];   /* ghost: consumer w is in its spin loop */
#endif
byte cep[NCONS];        /* the instance consumer w waits on (fixed) */
#ifdef MODEL_LIFETIME
bit  closed[NI];        /* vepoll.closed */
byte refs[NI];          /* vepoll.refs */
bit  intable[NREG];     /* r is in its instance's table */
#endif
#ifdef MODEL_INTR
byte intr_seq[NI];      /* vepoll.intr_seq */
bit  intr_pend[NI];     /* vepoll.intr_pending */
#endif
#ifdef MODEL_SWEEP
byte qdead;             /* vepoll.qdead (instance 0) */
#endif

/* ghosts */
bit  freed[NREG];       /* vepoll__free(r) happened */
bit  inq[NREG];         /* r is linked in the inbox or the private FIFO */
bit  live[NREG];        /* ADDed and not yet killed */
bit  delret[NREG];      /* DEL of r returned */
bit  owed[NREG];        /* an event hit r's mask and no re-check saw it yet */
#ifdef ET_ONE
byte nreports;          /* events emitted, all registrations */
#endif
#ifdef MODEL_LIFETIME
bit  epfreed[NI];       /* the instance's memory was freed (refs reached 0) */
bit  closeret[NI];      /* vepoll_close of the instance returned */
bit  srcfreed;          /* source 0's memory was freed */
bit  srcret;            /* vepoll_source_close of source 0 returned */
byte entered;           /* consumers inside vepoll_wait (holding a ref) */
bit  pdone;             /* the producer's last update returned */
#endif
#ifdef MODEL_EXCL
byte exhit;             /* exclusive registrations the post recorded on */
byte pwoke;             /* exclusive waiters the producer's wake-ups woke */
bit  allasleep;         /* both exclusive waiters asleep when the post began */
bit  pdone;
#endif

#define ACC(r) assert(freed[r] == 0)
#ifdef MODEL_LIFETIME
#define EPACC(e) assert(epfreed[e] == 0);
#define SRCACC assert(srcfreed == 0);
#else
#define EPACC(e)
#define SRCACC
#endif
/* P3 at every emit: nothing after DEL / source close / instance close */
#ifdef MODEL_LIFETIME
#define NOT_STALE(r) assert(delret[r] == 0); assert(srcret == 0); \
                     assert(closeret[REP(r)] == 0)
#else
#define NOT_STALE(r) assert(delret[r] == 0)
#endif
#ifdef TMO0
#define TMO(w) (w == 0)
#else
#define TMO(w) 0
#endif

/* ------------------------------------------------------------ primitives */
/* [lock] pthread_mutex_lock(&ep->mu) / [unlock] */
inline lock(e) { atomic { mu[e] == 0 -> EPACC(e) mu[e] = _pid + 1 } }
inline unlock(e) { assert(mu[e] == _pid + 1); mu[e] = 0 }

/* [free] vepoll__free(r) */
inline reg_free(r) { atomic { ACC(r); freed[r] = 1 } }

/* [wake] vepoll__park_wake(&ep->park, 0): seq += 1, FUTEX_WAKE 1 (one
 * consumer asleep on instance e, any of them) */
#ifdef MODEL_EXCL
/* consumers 0 and 1 wait on the exclusive instances; only the producer
 * wakes them (each instance has one waiter, so no chain wake does) */
#define PWOKE(w) ; if :: w < 2 -> pwoke++ :: else -> skip fi
#else
#define PWOKE(w)
#endif
inline wake_one(e)
{
    atomic {
        EPACC(e)
        pseq[e]++;
        if
        :: asleep[0] && cep[0] == e -> asleep[0] = 0 PWOKE(0)
#if NCONS > 1
        :: asleep[1] && cep[1] == e -> asleep[1] = 0 PWOKE(1)
#endif
#if NCONS > 2
        :: asleep[2] && cep[2] == e -> asleep[2] = 0 PWOKE(2)
#endif
        :: else -> skip
        fi
    }
}

/* [wake_all] vepoll__park_wake(&ep->park, 1): seq += 1, FUTEX_WAKE all */
inline wake_all(e)
{
    d_step {
        EPACC(e)
        pseq[e]++;
        if :: cep[0] == e -> asleep[0] = 0 :: else -> skip fi;
#if NCONS > 1
        if :: cep[1] == e -> asleep[1] = 0 :: else -> skip fi;
#endif
#if NCONS > 2
        if :: cep[2] == e -> asleep[2] = 0 :: else -> skip fi;
#endif
        skip
    }
}

/* [push] vepoll__readyq_push.  The loop's load of the inbox, the store of
 * r->qnext and the successful CAS are one step: a failed CAS has no effect
 * but the store to r->qnext, which nobody reads while r is in no queue
 * (P2, asserted here, is what makes that true). */
inline push_body(r)
{
    EPACC(REP(r))
    ACC(r);
    assert(inq[r] == 0);                                    /* P2 */
    qnext[r] = inbox[REP(r)]; inbox[REP(r)] = r; inq[r] = 1
}
inline push(r) { d_step { push_body(r) } }

/* [notify] hook.c:notify: load_full(nwaiters), wake one */
inline notify(e)
{
    if
    :: nwaiters[e] > 0 -> wake_one(e)
    :: else -> skip
    fi
}

/* [collect] vepoll__readyq_collect: swap the inbox out, reverse, append.
 * The reversal touches only nodes this harvest owns (their ENQUEUED is set,
 * so no producer links them), hence one deterministic step. */
inline collect(e)
{
        h = inbox[e]; inbox[e] = NIL;                       /* [collect.swap] */
        fifo = NIL; first = h;                              /* [collect.rev] */
        do
        :: h != NIL -> ACC(h); nx = qnext[h]; qnext[h] = fifo; fifo = h;
           qcount[e]++;
#ifdef BUG_CLEAR_ENQ_BEFORE_POP
           /* seeded: ENQUEUED cleared when the inbox is taken, while the
            * node is still linked in the private FIFO */
           st[h] = st[h] & ~ENQ;
#endif
           h = nx
        :: else -> break
        od;
        if
        :: first != NIL ->
           if
           :: qtail[e] != NIL -> ACC(qtail[e]); qnext[qtail[e]] = fifo
           :: else -> qhead[e] = fifo
           fi;
           qtail[e] = first
        :: else -> skip
        fi;
        first = NIL; fifo = NIL; nx = NIL
}

/* [pop] vepoll__readyq_pop */
inline pop(e, r)
{
    r = qhead[e];
    if
    :: r != NIL ->
       ACC(r); qhead[e] = qnext[r];
       if :: qhead[e] == NIL -> qtail[e] = NIL :: else -> skip fi;
       qcount[e]--;
       inq[r] = 0
    :: else -> skip
    fi
}

/* [requeue] vepoll__readyq_requeue_private: back to the private tail; the
 * caller owns ENQUEUED for it */
inline requeue_private(r)
{
    ACC(r);
    assert(inq[r] == 0);                                    /* P2 */
    qnext[r] = NIL;
    if
    :: qtail[REP(r)] != NIL -> ACC(qtail[REP(r)]); qnext[qtail[REP(r)]] = r
    :: else -> qhead[REP(r)] = r
    fi;
    qtail[REP(r)] = r; qcount[REP(r)]++; inq[r] = 1
}

/* [unlink] vepoll__readyq_unlink(q, p, r): out of the private FIFO */
inline q_unlink(e, p, r)
{
    ACC(r);
    if
    :: p != NIL -> ACC(p); qnext[p] = qnext[r]
    :: else -> qhead[e] = qnext[r]
    fi;
    if :: qtail[e] == r -> qtail[e] = p :: else -> skip fi;
    qcount[e]--; inq[r] = 0
}

/* [insert] vepoll__readyq_insert_after(q, p, r): back where unlink took it */
inline q_insert_after(e, p, r)
{
    ACC(r);
    assert(inq[r] == 0);                                    /* P2 */
    if
    :: p != NIL -> ACC(p); qnext[r] = qnext[p]; qnext[p] = r
    :: else -> qnext[r] = qhead[e]; qhead[e] = r
    fi;
    if :: qnext[r] == NIL -> qtail[e] = r :: else -> skip fi;
    qcount[e]++; inq[r] = 1
}

/* [take] vepoll__reg_take_unfenced, as on x86: a load of the word, then a
 * plain store of it without ENQUEUED (registration.h).  Under x86-TSO the
 * store waits in the consumer's store buffer (one entry: tb_r, the word
 * tb_s and mask tb_m it was computed from) until it drains: on its own, at
 * any moment ([take.drain], take_drain_early), or at the latest in the
 * locked RMW of the bump that follows (TAKE_FENCE_BUMP).  The consumer's
 * only step between the take and the bump is the bump, so the buffer
 * holds nothing else, and no load of the word can need forwarding.  The
 * drain asserts the contract's premise: nobody wrote the word (its state
 * bits or its mask, one word in the code) between the load and the
 * store, so the plain store loses nothing.  One step with the load: the
 * store is invisible until the drain, so where it enters the buffer does
 * not matter. */
inline take(r, s)
{
    assert(tb_r == NIL);        /* one take in flight at a time */
    ACC(r); s = st[r];                                      /* [take.load] */
    tb_r = r; tb_s = s; tb_m = ev[r]                        /* [take.store] */
}
inline take_drain_body()
{
    ACC(tb_r);
    assert(st[tb_r] == tb_s);                               /* no other writer */
    assert(ev[tb_r] == tb_m);
    st[tb_r] = tb_s & ~ENQ; tb_r = NIL; tb_s = 0; tb_m = 0
}
inline take_drain()
{
    d_step { take_drain_body() }                            /* [take.drain] */
}
/* the buffer may drain before the fence, or not */
inline take_drain_early()
{
    if
    :: tb_r != NIL -> take_drain()
    :: skip
    fi
}
/* a locked RMW drains the store buffer first */
#define TAKE_FENCE if :: tb_r != NIL -> take_drain_body() :: else -> skip fi
#define TAKE_LOCALS byte tb_r = NIL, tb_s, tb_m;

/* [post] vepoll__reg_post */
inline post(r, set, res)
{
    /* the word is loaded once (the hook's vepoll__reg_state) and after
     * every failed CAS, which returns it */
    atomic { ACC(r); s = st[r]; hit = ev[r] };              /* [post.load] */
    do
    :: if
       :: (s & DEAD) || (set & hit & EVB) == 0 ->
          res = P_NONE; break                               /* [post.none] */
       :: else -> skip
       fi;
       if
       :: s & ENQ -> res = P_DEDUPE; break                  /* [post.dedupe] */
       :: else -> skip
       fi;
       atomic {                                             /* [post.cas] */
           ACC(r);
           if
           :: st[r] == s && ev[r] == hit -> st[r] = s | ENQ; res = P_QUEUED;
              break
           :: else -> s = st[r]; hit = ev[r]
           fi
       }
    od;
    hit = 0
}

/* [claim] vepoll__reg_claim(r): under the instance mutex.  Its CAS loop
 * is one RMW: a failed CAS has no effect. */
inline claim(r, c)
{
    ACC(r); s = st[r];
    if
    :: s & (DEAD | ENQ) -> c = 0
    :: else -> st[r] = s | ENQ; c = 1                       /* [claim.cas] */
    fi;
    s = 0
}

/* claim, and push if claimed: the mutex holder's two steps are one, since
 * between them every producer finds ENQUEUED set and leaves the node alone
 * and no harvest can run (only the order of the inbox could differ). */
inline claim_push(r, c)
{
    d_step {
        claim(r, c);
        if :: c -> push_body(r) :: else -> skip fi
    }
}

inline claim_requeue(r, c)
{
    d_step {
        claim(r, c);
        if :: c -> requeue_private(r) :: else -> skip fi
    }
}

/* [bump] vepoll__source_bump: ver += 2 (full barrier), right after the change
 * that ends "every registration is queued" (take, new mask, link) and before
 * the look at the readiness that follows it.  Only source 0 has a fast path
 * (vepoll_source_update ignores computed sources), so the bumps of instance
 * sources are not modelled. */
#define BUMP ver = ver + 2
/* the consumer's bump right after a take: its locked RMW is the take's
 * store-load fence (harvest.c's take_then_bump) */
#define TAKE_FENCE_BUMP d_step { TAKE_FENCE; BUMP }

/* [setmask] vepoll__reg_set_mask: one CAS loop on the word that changes
 * only its mask bits (so it fails every producer CAS decided before it) */
inline set_mask(r, m)
{
    atomic { ACC(r); ev[r] = m }                            /* [setmask.cas] */
}

/* [evaluate] vepoll__instance_evaluate: under the instance mutex (source 0) */
inline evaluate(r)
{
    d_step {                                                /* [evaluate.poll] */
        SRCACC
        ACC(r); m = ev[r];
        rev = ready & m & EVB;
        if :: rev != 0 -> owed[r] = 1 :: else -> skip fi
    };
    if
    :: rev != 0 ->
       claim_push(r, c);
       if
       :: c -> notify(REP(r))
       :: else -> skip
       fi
    :: else -> skip
    fi
}

/* ------------------------------------------------------------- producers */
/* [absorbed] hook.c:absorbed_already: sat (acquire), then ver (acquire).
 * ab = 1: the update is a dedupe hit everywhere and is dropped; the ghost
 * then owes each live registration it hits a re-check (P1 checks that such
 * a registration really is queued). */
inline absorbed_already(set, ab)
{
    d_step { sv = satv; sb = satb };                        /* [absorbed.sat] */
    if
    :: (set & EVB) & ~sb -> ab = 0
    :: else ->
       d_step {                                             /* [absorbed.ver] */
           ab = ((ver & 1) == 0 && sv == ver);
           if
           :: ab ->
              i = 0;
              do
              :: i < NREG ->
                 if :: live[i] && (set & ev[i] & EVB) -> owed[i] = 1 :: else -> skip fi;
                 i++
              :: else -> break
              od;
              i = 0
           :: else -> skip
           fi
       }
    fi;
    sv = 0; sb = 0
}

/* [mark] hook.c:mark_absorbed(ver0, set) */
inline mark_absorbed(v0, set)
{
    d_step {                                                /* [mark.load] */
        sb = set & EVB;
        if :: satv == v0 -> sb = sb | satb :: else -> skip fi
    };
    d_step { satv = v0; satb = sb; sb = 0 }                 /* [mark.store] */
}

#ifdef MODEL_NEST
/* [propagate] hook.c:propagate, the recursive fan-out of ep_poll_safewake
 * (vepoll__hook_fanout(&ep->self, IN)) unrolled: in the nesting
 * configurations every instance source has one watcher, so each level's
 * walk is one post, and the read-side sections close in reverse order
 * after the top level, as the recursion returns.  (The walk's load of the
 * one watcher's snext, NIL, is left out.) */
inline propagate(pe0)
{
    pe = pe0; lv = 0;
    do
    :: atomic { pe != NIL && watchers[1 + pe] != NIL -> ps[lv] = 1 + pe }  /* [propagate.watchers] */
       pep[lv] = epoch[ps[lv]];                             /* [enter.epoch] */
       readers[2 * ps[lv] + pep[lv]]++;                     /* [enter.inc] */
       d_step {                                             /* [fanout.first] */
           pr = watchers[ps[lv]];
           /* ghost: instance pe had an event, which hits pr's mask */
           if
           :: pr != NIL && live[pr] && (IN & ev[pr] & EVB) -> owed[pr] = 1
           :: else -> skip
           fi
       };
       if
       :: pr == NIL -> pe = NIL                             /* unlinked meanwhile */
       :: else ->
          post(pr, IN, pres);
          if
          :: pres == P_QUEUED -> push(pr); notify(REP(pr)); pe = REP(pr)  /* [fanout.push] */
          :: pres == P_DEDUPE -> pe = REP(pr)               /* a dedupe hit propagates too */
          :: else -> pe = NIL
          fi
       fi;
       lv++
    :: else -> break
    od;
    do
    :: lv > 0 -> lv--; readers[2 * ps[lv] + pep[lv]]--     /* [exit] */
    :: else -> break
    od;
    pe = NIL; pr = NIL; pres = 0
}
#define PROPAGATE(e) propagate(e)
#else
#define PROPAGATE(e) skip
#endif

/* [update] vepoll_source_update(src, set, clr) on source 0 */
inline update(set, clr)
{
    ab = 0;
#ifndef NO_FASTPATH
    old = ready;                                            /* [update.fastload] */
    if
    :: ((old & ~clr) | set) == old -> absorbed_already(set, ab)
    :: else -> skip
    fi;
#endif
    if
    :: ab -> skip                                           /* [update.fast] */
    :: else ->
       /* update_slow */
       d_step {                                             /* [update.cas] */
           SRCACC
           old = ready;
           nw = (old & ~clr) | set;
           ready = nw;
           /* ghost: every live registration of source 0 whose mask the
            * event hits is owed a look by a harvest re-check (an exclusive
            * one only if the walk posts to it: see the fan-out) */
           i = 0;
           do
           :: i < NREG ->
              if
              :: live[i] && RSRC(i) == 0 && (ev[i] & EXCL) == 0 && (set & ev[i] & EVB) ->
                 owed[i] = 1
              :: else -> skip
              fi;
              i++
           :: else -> break
           od;
           i = 0
       };
#ifndef NO_FASTPATH
       if
       :: (set & EVB) && nw == old -> absorbed_already(set, ab)
       :: else -> skip
       fi;
#endif
       if
       :: (set & EVB) && !ab ->
          v0 = ver;                                         /* [update.ver] */
          if
          :: watchers[0] != NIL ->                          /* [update.watchers] */
             /* [fanout] vepoll__hook_fanout */
             absorbed = 1;
             e = epoch[0];                                  /* [enter.epoch] */
#ifdef MODEL_EXCL
             d_step {                                       /* [enter.inc] */
                 readers[e]++;
                 allasleep = asleep[0] && asleep[1]         /* ghost */
             };
#else
             readers[e]++;                                  /* [enter.inc] */
#endif
             r = watchers[0];                               /* [fanout.first] */
             do
             :: r == NIL -> break
             :: else ->
#if defined(MODEL_EXCL)
                d_step {                                    /* [fanout.excl] */
                    ACC(r); x = (ev[r] & EXCL) != 0;
                    /* ghost: an exclusive registration the walk posts to
                     * is owed a look (one it skips is not: S139) */
                    if
                    :: x && !excl_done && live[r] && (set & ev[r] & EVB) -> owed[r] = 1
                    :: else -> skip
                    fi
                };
                if
                :: x && excl_done -> skip                   /* [fanout.skip] */
                :: else ->
                   post(r, set, res);
                   had = 0;
                   if
                   :: res == P_QUEUED ->
                      push(r);                              /* [fanout.push] */
#ifndef BUG_EXCL_COUNT_AFTER_WAKE
                      atomic { had = nwaiters[REP(r)] > 0 }; /* [notify] */
                      if :: had -> wake_one(REP(r)) :: else -> skip fi
#else
                      /* seeded: the walk decides on the waiter count read
                       * after the wake, when the woken waiter may be gone */
                      notify(REP(r));
                      atomic { had = nwaiters[REP(r)] > 0 }
#endif
                   :: res == P_DEDUPE ->
                      atomic { had = x && nwaiters[REP(r)] > 0 } /* [fanout.excl_waiters] */
                   :: else -> skip
                   fi;
                   d_step {                                 /* ghost: recorded */
                       if :: x && res != P_NONE -> exhit++ :: else -> skip fi
                   };
                   if
                   :: x && had -> excl_done = 1             /* [fanout.excl_done] */
                   :: else -> skip
                   fi
                fi;
#elif defined(BUG_NO_WAITER_FENCE)
                /* seeded: decide whether to wake before the push is visible */
                had = (nwaiters[REP(r)] > 0);
                post(r, set, res);
                if
                :: res == P_QUEUED -> absorbed = 0; push(r);
                   if :: had -> wake_one(REP(r)) :: else -> skip fi
                :: else -> skip
                fi;
#else
                post(r, set, res);
                if
                :: res == P_QUEUED -> absorbed = 0; push(r); notify(REP(r)) /* [fanout.push] */
#if defined(MODEL_NEST) && !defined(BUG_NO_PROPAGATE)
                   ; PROPAGATE(REP(r))                      /* [fanout.propagate] */
                :: res == P_DEDUPE -> PROPAGATE(REP(r))
#endif
                :: else -> skip
                fi;
#endif
                atomic { ACC(r); r = snext[r] }             /* [fanout.next] */
             od;
             readers[e]--;                                  /* [exit] */
#ifndef NO_FASTPATH
             if
             :: absorbed && (v0 & 1) == 0 -> mark_absorbed(v0, set)
             :: else -> skip
             fi;
#endif
             absorbed = 0
          :: else -> skip
          fi
       :: else -> skip
       fi
    fi;
    old = 0; nw = 0; v0 = 0; ab = 0
}

#ifdef MODEL_NEST
#define PROP_LOCALS byte pe, pr, pres, lv; byte ps[3]; bit pep[3];
#else
#define PROP_LOCALS
#endif
#ifdef MODEL_EXCL
#define EXCL_LOCALS bit x, excl_done;
#else
#define EXCL_LOCALS
#endif

proctype producer(byte p)
{
    byte i, e, r, s, ns, hit, res, h, old, nw, v0, sv, sb;
    bit had, ab, absorbed;
    PROP_LOCALS
    EXCL_LOCALS
    if
    :: p == 0 ->
       update(IN, 0)
    :: else ->
#if defined(CFG_CORE_ET) || defined(CFG_CORE_LT) || defined(CFG_ONESHOT)
       update(OUT, IN)      /* a new kind arrives while IN is drained */
#elif defined(CFG_FAST_LT)
       update(0, IN)        /* drained: the LT entry leaves the queue */
#else
       update(IN, 0)
#endif
    fi
#if defined(MODEL_LIFETIME) || defined(MODEL_EXCL)
    ; pdone = 1
#endif
}

/* ----------------------------------------------------- nested polling */
#ifdef MODEL_NEST
/* [npoll] vepoll__nest_poll_source of instance i whose entries all watch
 * source 0 (the innermost level): lock i, walk its queue up to the first
 * entry with something to report; the idle entries before it leave the
 * queue through the harvest's take-then-re-check step (harvest_leave with
 * keep), so an event racing with the walk queues them again.  Under i's
 * mutex, so the walk's own loads of the private links, DEAD and events are
 * folded into one step per entry.  out: IN or 0. */
inline nest_poll_a(i0, out)
{
    atomic { mu[i0] == 0 -> mu[i0] = _pid + 1; collect(i0) };  /* [npoll.lock] */
    a_out = 0; a_p = NIL; a_r = qhead[i0];
    do
    :: a_r == NIL -> break
    :: else ->
       d_step {                                             /* [npoll.next] */
           ACC(a_r); a_nx = qnext[a_r];
           a_dead = (st[a_r] & DEAD) != 0; a_m = ev[a_r]
       };
       if
       :: a_dead -> a_p = a_r; a_r = a_nx                   /* the harvest frees it */
       :: else ->
          atomic { a_rv = ready & a_m & EVB };              /* [npoll.poll] */
          if
          :: a_rv != 0 -> a_out = IN; break
          :: else ->
             d_step { q_unlink(i0, a_p, a_r) };             /* [npoll.unlink] */
             d_step { take(a_r, s) };                       /* [npoll.take] */
             take_drain_early();
             TAKE_FENCE_BUMP;                               /* [npoll.bump] */
#ifndef BUG_NEST_POLL_NO_RECHECK
             d_step { a_rv = ready & a_m & EVB; owed[a_r] = 0 };  /* [npoll.recheck] */
#else
             /* seeded: an entry found idle is dropped without the re-check
              * after the take */
             a_rv = 0;
#endif
             if
             :: a_rv != 0 ->
                d_step {                                    /* [npoll.claim] [npoll.insert] */
                    claim(a_r, a_c);
                    if :: a_c -> q_insert_after(i0, a_p, a_r) :: else -> skip fi
                };
                a_out = IN; break
             :: else ->
                a_r = a_nx                                  /* [npoll.empty] */
             fi
          fi
       fi
    od;
    unlock(i0);
    out = a_out;
    a_out = 0; a_p = NIL; a_r = NIL; a_nx = NIL; a_m = 0; a_rv = 0; a_dead = 0; a_c = 0
}

#if NI > 2
/* The same for instance i whose entries watch instance 0's source (the
 * middle level of three): their readiness is instance 0's nested poll. */
inline nest_poll_b(i1, out)
{
    atomic { mu[i1] == 0 -> mu[i1] = _pid + 1; collect(i1) };  /* [npoll.lock] */
    b_out = 0; b_p = NIL; b_r = qhead[i1];
    do
    :: b_r == NIL -> break
    :: else ->
       d_step {                                             /* [npoll.next] */
           ACC(b_r); b_nx = qnext[b_r];
           b_dead = (st[b_r] & DEAD) != 0; b_m = ev[b_r]
       };
       if
       :: b_dead -> b_p = b_r; b_r = b_nx
       :: else ->
          nest_poll_a(0, b_rv);                             /* [npoll.poll] */
          b_rv = b_rv & b_m & EVB;
          if
          :: b_rv != 0 -> b_out = IN; break
          :: else ->
             d_step { q_unlink(i1, b_p, b_r) };             /* [npoll.unlink] */
             d_step { take(b_r, s) };                       /* [npoll.take] */
             take_drain_early();
             /* the bump of instance 0's source: its value is not
              * modelled (above), its fence is */
             d_step { TAKE_FENCE };                         /* [npoll.bump] */
             nest_poll_a(0, b_rv);                          /* [npoll.recheck] */
             d_step { b_rv = b_rv & b_m & EVB; owed[b_r] = 0 };
             if
             :: b_rv != 0 ->
                d_step {                                    /* [npoll.claim] [npoll.insert] */
                    claim(b_r, b_c);
                    if :: b_c -> q_insert_after(i1, b_p, b_r) :: else -> skip fi
                };
                b_out = IN; break
             :: else -> b_r = b_nx                          /* [npoll.empty] */
             fi
          fi
       fi
    od;
    unlock(i1);
    out = b_out;
    b_out = 0; b_p = NIL; b_r = NIL; b_nx = NIL; b_m = 0; b_rv = 0; b_dead = 0; b_c = 0
}
#define NPOLL_B_LOCALS byte b_out, b_p, b_r, b_nx, b_m, b_rv; bit b_dead, b_c;
#else
#define NPOLL_B_LOCALS
#endif
#define NPOLL_LOCALS byte a_out, a_p, a_r, a_nx, a_m, a_rv, rv; bit a_dead, a_c; NPOLL_B_LOCALS

/* [poll] vepoll__source_poll(r->src): source 0's word, or the nested poll
 * of the instance the source stands for */
inline srcpoll(sidx, out)
{
    if
    :: sidx == 0 -> atomic { SRCACC out = ready }
    :: sidx == 1 -> nest_poll_a(0, out)
#if NI > 2
    :: sidx == 2 -> nest_poll_b(1, out)
#endif
    fi
}
#else
#define NPOLL_LOCALS
#endif

/* -------------------------------------------------------------- consumer */
/* [harvest] vepoll__harvest on instance ce, under its mutex.  The
 * consumer's private work (the FIFO, r->events and DEAD, which only the
 * mutex holder writes, the ghosts) is folded into the neighbouring step.
 * An entry on an instance source (nesting) is re-checked through that
 * instance's nested poll, which takes the inner instance's mutex. */
inline harvest(n)
{
    n = 0;
    budget = qcount[ce];                                    /* after collect */
    do
    :: n >= MAXEV || budget == 0 -> break
    :: else ->
       budget--;
       d_step {                                             /* [harvest.pop] */
           pop(ce, r);
           ACC(r); dead = (st[r] & DEAD) != 0; m = ev[r]
       };
       if
       :: dead ->                                           /* [harvest.dead] */
          reg_free(r)
#ifdef MODEL_SWEEP
          ; d_step { if :: qdead > 0 -> qdead-- :: else -> skip fi }
#endif
       :: else ->
          rev = 0;
          if
          :: (m & (ET | ONESHOT)) == 0 ->
#ifdef MODEL_NEST
             if
             :: RSRC(r) == 0 -> atomic { rv = ready }       /* [harvest.ltpoll] */
             :: else -> srcpoll(RSRC(r), rv)
             fi;
#define LTREADY rv
#else
#define LTREADY ready
#endif
             d_step {                                       /* [harvest.ltpoll] */
                 SRCACC
                 rev = LTREADY & m & EVB;
                 if
                 :: rev != 0 ->
                    owed[r] = 0;
                    NOT_STALE(r);                           /* P3 */
                    n++;                                    /* [harvest.ltemit] */
                    requeue_private(r)                      /* [harvest.rotate] */
                 :: else -> skip
                 fi
             }
          :: else -> skip
          fi;
          if
          :: rev != 0 -> skip        /* LT, still ready: reported, rotated */
          :: else ->
             /* leaving the queue: take, bump, then re-check */
#ifndef BUG_TAKE_AFTER_RECHECK
             d_step { take(r, s) };                         /* [harvest.take] */
             take_drain_early();
#if defined(BUG_NO_BUMP)
             /* seeded: no bump (the drain stands for some other fence) */
             d_step { TAKE_FENCE };
#elif defined(BUG_TAKE_UNFENCED)
             /* seeded: a bump that is no fence, so the take's plain store
              * may still sit in the store buffer at the re-check */
             BUMP;
#elif !defined(BUG_BUMP_AFTER_RECHECK)
             TAKE_FENCE_BUMP;                               /* [harvest.bump] */
#endif
#ifdef MODEL_NEST
             srcpoll(RSRC(r), rv);                          /* [harvest.poll] */
             d_step { rev = rv & m & EVB; owed[r] = 0 };
#else
             d_step { SRCACC rev = ready & m & EVB; owed[r] = 0 };  /* [harvest.poll] */
#endif
#else
             /* seeded: re-check readiness, then take (the order that needs
              * Wasmer's repair_ready_queue_after_drain) */
             d_step { rev = ready & m & EVB; owed[r] = 0 };
             d_step { take(r, s) };
             TAKE_FENCE_BUMP;
#endif
#ifdef BUG_TAKE_UNFENCED
             d_step { TAKE_FENCE };  /* the store leaves the buffer only now */
#endif
             if
             :: rev == 0 -> skip                            /* [harvest.empty] */
             :: rev != 0 && (m & (ET | ONESHOT)) == 0 ->
                claim_requeue(r, c)                      /* [harvest.ltback] */
             :: else ->
                d_step {                                    /* [harvest.emit] */
                    NOT_STALE(r);                           /* P3 */
#ifdef ET_ONE
                    nreports++;
                    assert(nreports <= 1);                  /* et1 */
#endif
                    n++
                };
                if
                :: m & ONESHOT -> set_mask(r, m & FLAGS)    /* [harvest.disarm] */
                :: else -> skip
                fi
             fi;
#ifdef BUG_BUMP_AFTER_RECHECK
             /* seeded: the bump after the re-check (an update absorbed in
              * between is an edge no report covers; with the take's store
              * still buffered at the re-check, a producer's post in between
              * is a dedupe hit no report covers) */
             TAKE_FENCE_BUMP;
#endif
             skip
          fi
       fi
    od;
    r = NIL; s = 0; m = 0; rev = 0; dead = 0; budget = 0
}

/* [harvest_and_pass_on] wait.c:harvest_and_pass_on */
inline harvest_and_pass_on(n)
{
    /* the lock and the swap of the inbox: taking the lock commutes with
     * every producer step */
    atomic { mu[ce] == 0 -> EPACC(ce) mu[ce] = _pid + 1; collect(ce) };  /* [lock] [collect] */
    harvest(n);
#ifndef BUG_NO_CHAIN_WAKE
    atomic { busy = (qhead[ce] != NIL || inbox[ce] != NIL) };  /* [chain.busy] */
    if
    :: busy && nwaiters[ce] > 0 -> wake_one(ce)             /* [chain.wake] */
    :: else -> skip
    fi;
#if defined(MODEL_SPIN) && !defined(BUG_SPIN_NO_MBOX)
    if
    :: busy -> mbox[ce]++                                   /* [chain.mbox] */
    :: else -> skip
    fi;
#endif
    busy = 0;
#endif
    unlock(ce)
}

#ifdef MODEL_INTR
/* [take_interrupt] wait.c:take_interrupt: the pending flag, once */
inline take_interrupt(t)
{
    d_step {
        if
        :: intr_pend[ce] -> intr_pend[ce] = 0; t = 1
        :: else -> t = 0
        fi
    }
}
#endif

/* [wait_blocking] wait.c:wait_blocking: register, harvest, park, repeat.
 * Timeout: consumer w with TMO(w) may find its deadline passed at any
 * moment (in FUTEX_WAIT, or at the deadline check after it). */
inline wait_blocking(n)
{
#ifdef MODEL_INTR
    intr0 = intr_seq[ce];                                   /* [block.intr0] */
#endif
#ifdef MODEL_SPIN
    /* [spin] wait.c:spin (SPIN: consumer 0 only; SPIN_MBOX: both, without
     * end): read the mailbox, harvest once, then harvest whenever the inbox
     * is busy or the mailbox moved, without registering, until the spin
     * time is over (any moment) */
    if
    :: SPINNER(w) ->
#ifndef BUG_SPIN_SEEN_AFTER_HARVEST
       seen = mbox[ce];                                     /* [spin.seen] */
       harvest_and_pass_on(n);                              /* [spin.first] */
#else
       /* seeded: the mailbox read after the first harvest */
       harvest_and_pass_on(n);
       seen = mbox[ce];
#endif
       spinning[w] = 1;
       do
       :: n > 0 -> break
       :: atomic { n == 0 && (inbox[ce] != NIL || mbox[ce] != seen) ->
                   seen = mbox[ce] };                       /* [spin.look] */
          harvest_and_pass_on(n)                            /* [spin.harvest] */
#ifndef SPIN_FOREVER
       :: n == 0 -> break                                   /* [spin.end] */
#endif
       od;
       spinning[w] = 0
    :: else -> skip
    fi;
    if
    :: n == 0 ->
#endif
    do
    ::
#ifndef BUG_SEQ_AFTER_HARVEST
       /* one step: a wake between the two commutes with the increment (it
        * reads nwaiters before, not after) */
       d_step { EPACC(ce) seq0 = pseq[ce]; nwaiters[ce]++ };  /* [block.prepare] [block.register] */
#ifdef MODEL_CLOSE
       if
       :: closed[ce] -> n = R_EBADF; nwaiters[ce]--; break  /* [block.closed] */
       :: else -> skip
       fi;
#endif
#ifdef BUG_SPIN_NO_REGISTERED_HARVEST
       /* seeded: a waiter that has just spun parks without the harvest
        * after registering */
       if :: w == 0 && k == 0 && spun == 0 -> spun = 1 :: else -> harvest_and_pass_on(n) fi;
#else
       harvest_and_pass_on(n);                              /* [block.harvest] */
#endif
#else
       /* seeded: snapshot the futex word after looking at the queue */
       nwaiters[ce]++;
       harvest_and_pass_on(n);
       seq0 = pseq[ce];
#endif
       if
       :: n > 0 -> nwaiters[ce]--; break                    /* [block.leave] */
       :: else -> skip
       fi;
#ifdef MODEL_INTR
       atomic { t = (intr_seq[ce] != intr0) };              /* [block.intr] */
#ifndef BUG_INTR_NO_PENDING_CHECK
       if :: !t -> take_interrupt(t) :: else -> skip fi;
#endif
       if
       :: t -> take_interrupt(t2); n = R_EINTR; nwaiters[ce]--; break
       :: else -> skip
       fi;
#endif
       atomic {                                             /* [park] FUTEX_WAIT */
           if
           :: pseq[ce] != seq0 -> skip                      /* EAGAIN */
           :: else -> asleep[w] = 1
           fi
       };
#ifdef MODEL_TIMEOUT
end_park:
       if
       :: asleep[w] == 0 -> skip                            /* woken */
       :: atomic { TMO(w) && asleep[w] -> asleep[w] = 0; to = 1 }  /* ETIMEDOUT */
       fi;
       if                                                   /* [block.deadline] */
       :: TMO(w) && !to -> to = 1                           /* the deadline passed */
       :: skip
       fi;
#else
end_park:
       (asleep[w] == 0);                                    /* woken */
#endif
       nwaiters[ce]--                                       /* [block.unregister] */
#ifdef MODEL_CLOSE
       ; if
       :: closed[ce] -> n = R_EBADF; break                  /* [block.closed2] */
       :: else -> skip
       fi
#endif
#ifdef MODEL_INTR
       ; if                                                 /* [block.intr2] */
       :: intr_seq[ce] != intr0 ->
          take_interrupt(t);
          harvest_and_pass_on(n);
          if :: n == 0 -> n = R_EINTR :: else -> skip fi;
          break
       :: else -> skip
       fi
#endif
#ifdef MODEL_TIMEOUT
       ; if
       :: to ->                                             /* [block.timedout] */
#ifndef BUG_TIMEOUT_NO_FINAL_HARVEST
          harvest_and_pass_on(n);
#else
          /* seeded: a timed-out waiter returns 0 without a last harvest */
          n = 0;
#endif
          break
       :: else -> skip
       fi
#endif
    od
#ifdef MODEL_SPIN
    :: else -> skip
    fi
#endif
}

#ifdef MODEL_INTR
#define INTR_LOCALS byte intr0; bit t, t2;
#else
#define INTR_LOCALS
#endif
#ifdef MODEL_SPIN
#define SPIN_LOCALS byte seen;
#else
#define SPIN_LOCALS
#endif

proctype consumer(byte w)
{
    byte k, n, seq0, r, s, ns, h, fifo, first, nx, m, rev, i, budget;
    bit c, busy, dead, to, spun;
    NPOLL_LOCALS
    TAKE_LOCALS
    INTR_LOCALS
    SPIN_LOCALS
#ifdef MODEL_LIFETIME
    /* vepoll_wait's reference (the waits start before any close: the
     * closer waits for `entered`, the contract of vepoll_close) */
    d_step { EPACC(ce) refs[ce]++; entered++ };            /* [wait.ref] */
#endif
#ifdef START_PARKED
    /* the waiters are blocked when the configuration starts (init
     * registered them and queued them on the futex word) */
    goto end_park;
#endif
    k = 0;
    do
    :: k == NWAITS -> break
    :: else ->
       /* [wait] vepoll_wait: one harvest without registering */
#ifdef MODEL_CLOSE
       if
       :: closed[ce] -> n = R_EBADF                         /* [wait.closed] */
       :: else -> harvest_and_pass_on(n)
       fi;
#else
       harvest_and_pass_on(n);
#endif
       if
       :: n == 0 -> wait_blocking(n)
       :: else -> skip
       fi;
#if defined(MODEL_LIFETIME) || defined(MODEL_INTR) || defined(MODEL_TIMEOUT)
       /* P5: a wait without timeout returns events, -EBADF or -EINTR */
       atomic { assert(n != 0 || TMO(w)); to = 0 };
#endif
       k++
    od
#ifdef MODEL_LIFETIME
    ; atomic {                                              /* [wait.unref] */
        EPACC(ce) refs[ce]--;
        if :: refs[ce] == 0 -> epfreed[ce] = 1 :: else -> skip fi
    }
#endif
}

/* -------------------------------------------------------------------- ctl */
/* [detach] vepoll__instance_detach up to the last drain of the grace period
 * (kill, unlink, synchronize's first phase and the flip), under the
 * instance mutex; the caller ends it (the last drain, the free). */
inline detach_begin(r)
{
    atomic { ACC(r); s = st[r]; st[r] = s | DEAD; live[r] = 0 }  /* [del.kill] */
#ifdef MODEL_SRC_LOCK
    atomic { srclk == 0 -> SRCACC srclk = 1 };             /* [src.lock] */
#endif
    d_step {                                                /* [del.unlink] */
        ACC(r);
        SRCACC
        cur = epoch[RSRC(r)];                               /* [sync.epoch]: only writers change it */
        if
        :: watchers[RSRC(r)] == r -> watchers[RSRC(r)] = snext[r]
        :: else ->
           i = watchers[RSRC(r)];
           do
           :: snext[i] == r -> snext[i] = snext[r]; break
           :: else -> i = snext[i]
           od
        fi;
        i = 0
    };
    /* [del.sync] vepoll__source_synchronize */
#if !defined(BUG_ONE_PHASE_GRACE) && !defined(BUG_CLOSE_NO_GRACE)
    (readers[2 * RSRC(r) + 1 - cur] == 0);                  /* [sync.phase1] */
#endif
    epoch[RSRC(r)] = 1 - cur                                /* [sync.flip] */
}

#ifdef MODEL_SRC_LOCK
#define SRC_UNLOCK srclk = 0;                               /* [src.unlock] */
#else
#define SRC_UNLOCK
#endif

#ifdef MODEL_SWEEP
/* [sweep] vepoll__harvest_sweep_dead, under the instance mutex: collect,
 * then unlink and free every DEAD entry of the private FIFO.  One step: it
 * reads only DEAD (final, set under this mutex) and the private links. */
inline sweep_dead()
{
    d_step {
        collect(0);
        sp = NIL; sr = qhead[0];
        do
        :: sr == NIL -> break
        :: else ->
           ACC(sr); snx = qnext[sr];
#ifndef BUG_SWEEP_DROPS_LIVE
           if
           :: (st[sr] & DEAD) == 0 -> sp = sr
           :: else -> q_unlink(0, sp, sr); ACC(sr); freed[sr] = 1; qdead--
           fi;
#else
           /* seeded: the sweep unlinks live entries too (their ENQUEUED
            * stays set, so nothing ever queues them again) */
           q_unlink(0, sp, sr);
           if :: (st[sr] & DEAD) -> ACC(sr); freed[sr] = 1; qdead-- :: else -> skip fi;
#endif
           sr = snx
        od;
        sp = NIL; snx = NIL
    }
}
/* The threshold (64, and more than the live registrations) is scaled to
 * 0: every DEL that leaves a DEAD entry queued sweeps. */
#define KEEP_QUEUED(r) d_step { qdead++ }; sweep_dead()
#define SWEEP_LOCALS byte sp, sr, snx, fifo, first, nx;
#else
#define KEEP_QUEUED(r) skip
#define SWEEP_LOCALS
#endif

/* [del] ctl_del -> vepoll__instance_detach, under the instance mutex */
inline ctl_del(r)
{
    lock(REP(r));
#ifdef MODEL_LIFETIME
    if
    :: intable[r] ->                                        /* table find */
       intable[r] = 0;
#endif
    detach_begin(r);
#ifndef MODEL_SWEEP
    /* the free and the unlock after the drain are one step: a producer
     * access to r placed between them is placed after them as well, where
     * it still trips P4 */
    atomic {
        readers[2 * RSRC(r) + cur] == 0;                    /* [sync.phase2] */
        SRC_UNLOCK
        if
        :: (s & ENQ) == 0 -> ACC(r); freed[r] = 1           /* [del.free] */
        :: else -> skip
        fi;
        unlock(REP(r)); delret[r] = 1                       /* [del.return] */
    }
#else
    (readers[2 * RSRC(r) + cur] == 0);                      /* [sync.phase2] */
    if
    :: (s & ENQ) == 0 -> reg_free(r)                        /* [del.free] */
    :: else -> KEEP_QUEUED(r)                               /* [del.sweep] */
    fi;
    atomic { unlock(REP(r)); delret[r] = 1 }                /* [del.return] */
#endif
#ifdef MODEL_LIFETIME
    :: else -> unlock(REP(r))                               /* -ENOENT */
    fi
#endif
}

/* [mod] ctl_mod: under the instance mutex */
inline ctl_mod(r, newmask)
{
    lock(REP(r));
#ifdef MODEL_LIFETIME
    if
    :: intable[r] ->                                        /* table find */
#endif
    set_mask(r, newmask);
    d_step { SRCACC BUMP };                                /* [mod.bump] */
    evaluate(r)
#ifdef MODEL_LIFETIME
    :: else -> skip                                         /* -ENOENT */
    fi
#endif
    ; unlock(REP(r))
}

/* [add] ctl_add: under the instance mutex (r prepared, not yet linked) */
inline ctl_add(r)
{
    lock(REP(r));
    atomic { snext[r] = watchers[0]; watchers[0] = r; live[r] = 1 };  /* [add.link] */
    BUMP;                                                   /* [add.bump] */
    evaluate(r);                                            /* after the bump's barrier */
    unlock(REP(r))
}

#define MAYBE if :: skip :: goto done fi

proctype ctl()
{
    byte s, i, cur, m, rev, h;
    bit c;
    SWEEP_LOCALS
    /* Each call may also never happen: the quiescent states in which a
     * registration is still live are the ones where P1 says something. */
#ifdef CTL_MOD_DEL
    MAYBE; ctl_mod(0, IN | OUT | (MODE0 & FLAGS));
    MAYBE; ctl_del(0);
#endif
#ifdef CTL_MOD
    MAYBE; ctl_mod(0, IN | OUT | (MODE0 & FLAGS));
#endif
#ifdef CTL_ADD_DEL
    ctl_add(0);
    MAYBE; ctl_del(0);
#endif
#ifdef CTL_DEL_DEL
    ctl_del(0);
    MAYBE; ctl_del(1);
#endif
#ifdef CTL_DEL_MOD
    MAYBE; ctl_del(0);
    MAYBE; ctl_mod(1, IN | OUT);
#endif
#ifdef CTL_DEL0
    ctl_del(0);
#endif
#ifdef CTL_DEL1
    MAYBE; ctl_del(1);
#endif
done:
    skip
}

/* ------------------------------------------------------ the close paths */
#ifdef MODEL_LIFETIME
/* detach_begin, then the last drain, the source unlock and the free (or
 * leaving a queued entry to the harvest), as in vepoll__instance_detach */
inline detach(r)
{
    detach_begin(r);
    atomic {
#ifndef BUG_CLOSE_NO_GRACE
        readers[2 * RSRC(r) + cur] == 0;                    /* [sync.phase2] */
#else
        /* seeded: vepoll_close frees the registrations without waiting
         * for the producers inside the source's read-side section */
#endif
        SRC_UNLOCK
        if
        :: (s & ENQ) == 0 -> ACC(r); freed[r] = 1           /* [del.free] */
        :: else -> skip                                     /* the harvest frees it */
        fi
    }
}
#endif

#ifdef CLOSER
/* [close] vepoll_close(0): closed, every registration detached, the DEAD
 * entries left in the queue freed, everyone woken, the owner's reference
 * dropped (the memory goes with the last reference). */
proctype closer()
{
    byte s, i, cur, r, h, fifo, first, nx;
    (entered == NCONS);        /* no wait may start after close started */
    closed[0] = 1;                                          /* [close.closed] */
    lock(0);
    r = 0;
    do                                                      /* [close.drain] */
    :: r < NREG ->
       if
       :: intable[r] -> intable[r] = 0; detach(r)
       :: else -> skip
       fi;
       r++
    :: else -> break
    od;
    atomic {                                                /* [close.queue] */
        collect(0);
        do
        :: qhead[0] != NIL -> pop(0, r); ACC(r); assert(st[r] & DEAD); freed[r] = 1
        :: else -> break
        od
    };
    unlock(0);
#ifndef BUG_CLOSE_NO_WAKE
    wake_all(0);                                            /* [close.wake] */
#endif
    d_step {                                                /* [close.unref] */
        closeret[0] = 1;
        refs[0]--;
        if :: refs[0] == 0 -> epfreed[0] = 1 :: else -> skip fi
    }
}
#endif

#ifdef SRCCLOSER
/* [srcclose] vepoll_source_close(source 0), after the object's last update
 * (the object serialises them): detach_all, then a last grace period, then
 * the free. */
proctype srccloser()
{
    byte s, i, cur, kr, h;
    (pdone);
    do
    :: atomic { srclk == 0 -> srclk = 1 };                  /* [detach_all.lock] */
       if
       :: watchers[0] == NIL -> srclk = 0; break            /* [detach_all.empty] */
       :: else ->
#ifndef BUG_SRCCLOSE_KEY_AFTER_UNLOCK
          d_step { kr = watchers[0]; ACC(kr) };             /* [detach_all.key] copy the key, pin the instance */
          srclk = 0;                                        /* [detach_all.unlock] */
#else
          /* seeded: the key is read from the registration after the
           * source lock is dropped */
          kr = watchers[0];
          srclk = 0;
          atomic { ACC(kr) };
#endif
          lock(REP(kr));                                    /* [remove_key] */
          if
          :: intable[kr] -> intable[kr] = 0; detach(kr)
          :: else -> skip                                   /* DEL came first */
          fi;
          unlock(REP(kr))
       fi
    od;
    atomic { srclk == 0 -> srclk = 1 };                     /* [srcclose.sync] */
    cur = epoch[0];
    (readers[1 - cur] == 0);
    epoch[0] = 1 - cur;
    (readers[cur] == 0);
    srclk = 0;
    d_step { SRCACC srcfreed = 1; srcret = 1 }             /* [srcclose.free] */
}
#endif

#ifdef INTERRUPTER
/* [interrupt] vepoll_interrupt(0) */
proctype interrupter()
{
    intr_pend[0] = 1;                                       /* [intr.pending] */
    intr_seq[0]++;                                          /* [intr.seq] */
    wake_all(0)                                             /* [intr.wake] */
}
#endif

/* --------------------------------------------------------------- monitor */
/* Checked in every quiescent state: nothing can move any more, so a
 * sleeping consumer sleeps forever and a non-queued registration is never
 * looked at again.  rdy[s]: the readiness of source s (for an instance,
 * as its nested poll would compute it: a live queued entry that is ready;
 * instances are numbered inner first). */
/* Idle: asleep in FUTEX_WAIT, or (spinning) stuck in a spin loop that no
 * move of the inbox or the mailbox can end. */
#ifdef MODEL_SPIN
#define IDLE(w) (asleep[w] || spinning[w])
#else
#define IDLE(w) asleep[w]
#endif
#if NCONS == 1
#define ASLEEP_ON(e) (IDLE(0) && cep[0] == e)
#elif NCONS == 2
#define ASLEEP_ON(e) ((IDLE(0) && cep[0] == e) || (IDLE(1) && cep[1] == e))
#else
#define ASLEEP_ON(e) ((IDLE(0) && cep[0] == e) || (IDLE(1) && cep[1] == e) || \
                      (IDLE(2) && cep[2] == e))
#endif
active proctype monitor()
{
    byte i, j;
    byte rdy[NSRC];
    bit lostev, lostlt, lostwake, hang, leak, intrlost, exnone, exall;
    timeout ->
    d_step {
        rdy[0] = ready;
#ifdef MODEL_NEST
        i = 0;
        do
        :: i < NI ->
           j = 0;
           do
           :: j < NREG ->
              if
              :: REP(j) == i && live[j] && inq[j] && (rdy[RSRC(j)] & ev[j] & EVB) -> rdy[1 + i] = IN
              :: else -> skip
              fi;
              j++
           :: else -> break
           od;
           i++
        :: else -> break
        od;
#endif
        i = 0;
        do
        :: i < NREG ->
           if
           :: live[i] && owed[i] && (rdy[RSRC(i)] & ev[i] & EVB) && !inq[i] -> lostev = 1
           :: else -> skip
           fi;
           if
           :: live[i] && (ev[i] & (ET | ONESHOT)) == 0 && (rdy[RSRC(i)] & ev[i] & EVB) &&
              !inq[i] && !((ev[i] & EXCL) && !owed[i]) -> lostlt = 1
           :: else -> skip
           fi;
           if
           :: live[i] && inq[i] && (rdy[RSRC(i)] & ev[i] & EVB) && ASLEEP_ON(REP(i)) -> lostwake = 1
           :: else -> skip
           fi;
#ifdef MODEL_LIFETIME
           if :: !live[i] && !freed[i] && !inq[i] -> leak = 1 :: else -> skip fi;
#endif
           i++
        :: else -> break
        od;
#ifdef MODEL_LIFETIME
        i = 0;
        do
        :: i < NI -> if :: closed[i] && ASLEEP_ON(i) -> hang = 1 :: else -> skip fi; i++
        :: else -> break
        od;
#endif
#ifdef MODEL_INTR
        if :: intr_pend[0] && ASLEEP_ON(0) -> intrlost = 1 :: else -> skip fi;
#endif
#ifdef MODEL_EXCL
        if :: pdone && exhit == 0 -> exnone = 1 :: else -> skip fi;
        if :: allasleep && pwoke >= 2 -> exall = 1 :: else -> skip fi;
#endif
        i = 0; j = 0
    };
    assert(lostev == 0);
    assert(lostlt == 0);
    assert(lostwake == 0)
#ifdef MODEL_LIFETIME
    ; assert(hang == 0);                                    /* P5 */
    assert(leak == 0)
#endif
#ifdef MODEL_INTR
    ; assert(intrlost == 0)                                 /* P6 */
#endif
#ifdef MODEL_EXCL
    ; assert(exnone == 0);                                  /* P7 */
    assert(exall == 0)
#endif
}

init
{
    byte i;
    atomic {
#ifdef MODEL_NEST
        /* a chain: registration i is instance i's, on source i (source 0,
         * then the instance below seen as a source) */
        i = 0;
        do
        :: i < NREG -> rep[i] = i; rsrc[i] = i; qnext[i] = NIL; live[i] = 1;
           ev[i] = IN; watchers[i] = i; snext[i] = NIL; i++
        :: else -> break
        od;
        ev[0] = IN | MODE0;
        cep[0] = WAITON0;
#elif defined(MODEL_EXCL)
        /* registration i is instance i's; 0 and 1 are exclusive.  Linux's
         * order: non-exclusive watchers first, exclusive ones in
         * registration order after them */
        i = 0;
        do
        :: i < NREG -> rep[i] = i; cep[i] = i; qnext[i] = NIL; live[i] = 1; i++
        :: else -> break
        od;
        ev[0] = IN | EXCL | MODE0; ev[1] = IN | EXCL | MODE0; ev[2] = IN | MODE0;
        watchers[0] = 2; snext[2] = 0; snext[0] = 1; snext[1] = NIL;
#else
        /* registrations present at start, newest first in the watcher list
         * (CFG_ADD links registration 0 itself) */
        i = 0;
        do
        :: i < NREG ->
           qnext[i] = NIL;
#ifdef CTL_ADD_DEL
           if
           :: i == 0 -> ev[i] = IN | OUT | MODE0; snext[i] = NIL
           :: else ->
#else
           if
           :: else ->
#endif
              ev[i] = IN | MODE0; snext[i] = watchers[0]; watchers[0] = i; live[i] = 1
           fi;
           i++
        :: else -> break
        od;
#endif
#ifdef MODE1
        ev[1] = IN | MODE1;
#endif
#ifdef START_PARKED
        i = 0;
        do :: i < NCONS -> asleep[i] = 1; nwaiters[cep[i]]++; i++ :: else -> break od;
#endif
#ifdef MODEL_LIFETIME
        i = 0;
        do :: i < NREG -> intable[i] = 1; i++ :: else -> break od;
        refs[0] = 1;                /* the owner's reference */
#endif
#ifdef START_QUEUED
        /* an earlier update made it ready and queued it (IN pending), and
         * a second one found it queued and marked the source absorbed */
        ready = IN; st[NREG - 1] = IN | ENQ; inbox[0] = NREG - 1; inq[NREG - 1] = 1;
        satv = 0; satb = IN;
#endif
#ifdef START_QUEUED_ALL
        /* both ready and queued (0 first) by an earlier update */
        ready = IN; st[0] = IN | ENQ; st[1] = IN | ENQ;
        inbox[0] = 1; qnext[1] = 0; inq[0] = 1; inq[1] = 1;
#endif
#ifdef MODEL_NEST
#if NI == 2
        /* an earlier event queued I's entry and, through it, O's; the
         * source has been drained since (I's entry is idle: the nested
         * poll will drop it, racing with the new event) */
        st[0] = ENQ; inbox[0] = 0; inq[0] = 1;
        st[1] = IN | ENQ; inbox[1] = 1; inq[1] = 1;
#endif
#endif
        i = 0;
        do
        :: i < NPROD -> run producer(i); i++
        :: else -> break
        od;
        i = 0;
        do
        :: i < NCONS -> run consumer(i); i++
        :: else -> break
        od;
#ifdef CLOSER
        run closer();
#endif
#ifdef SRCCLOSER
        run srccloser();
#endif
#ifdef INTERRUPTER
        run interrupter();
#endif
#if defined(CTL_MOD_DEL) || defined(CTL_ADD_DEL) || defined(CTL_DEL_DEL) || defined(CTL_MOD) || \
    defined(CTL_DEL_MOD) || defined(CTL_DEL0) || defined(CTL_DEL1)
        run ctl()
#else
        skip
#endif
    }
}
