/*
 * SPIN model of vepoll's wake-up / ready-queue / reclamation protocol:
 * the registration state word, the ready queue, the harvest, the producer
 * hook with its dedupe fast path, ADD/MOD/DEL with the grace period, and
 * parking on the futex word.  One instance, one source.
 *
 * docs/MODEL.md maps every step below to the C statement it stands for
 * (tags like [post.cas] appear in both places), explains the abstractions
 * and lists the configurations and seeded bugs.  Build one configuration
 * with `spin -DCFG_<NAME> [-DBUG_<NAME>] -a vepoll.pml`, or use run.sh.
 *
 * Memory model: every shared access is one sequentially consistent step.
 * The C code orders each store->load pair the protocol relies on with a
 * full barrier (AO_*_full, AO_nop_full), so SC is the right model for them.
 *
 * Properties (run.sh matches the assert texts for the seeded bugs):
 *   P1  no lost wake-up / event: in every quiescent state (SPIN `timeout`:
 *       nothing can move) every live registration owed a re-check is queued
 *       (lostev), every live LT one whose source is ready is queued
 *       (lostlt), and no consumer sleeps while a live, reportable entry is
 *       queued (lostwake).  ET with two waiters: at most one report (et1).
 *   P2  at most one queue entry per registration: asserted on every link.
 *   P3  nothing is reported for a registration after its DEL returned.
 *   P4  no access to a freed registration (and no double free).
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
#else
#error "choose a configuration: -DCFG_CORE_ET, CFG_CORE_LT, CFG_ONESHOT, CFG_FAST_ET, CFG_FAST_LT, CFG_FAST_ADD, CFG_ADD, CFG_GRACE, CFG_WAKE_LT or CFG_WAKE_ET"
#endif

/* ------------------------------------------------------------- constants */
#define NIL 255
/* events mask (struct vepoll__reg.events): two event kinds and two flags.
 * ERR/HUP/... are more event bits with the same treatment. */
#define IN 1
#define OUT 2
#define EVB 3           /* VEPOLL__EVENT_BITS */
#define ET 4
#define ONESHOT 8
#define FLAGS 12        /* VEPOLL__PRIVATE_BITS */
/* state word: pending 0..1, ENQUEUED, DEAD, generation 4..7 */
#define PEND 3
#define ENQ 4
#define DEAD 8
#define GEN1 16
/* vepoll__reg_post results */
#define P_NONE 0
#define P_DEDUPE 1
#define P_QUEUED 2

/* ---------------------------------------------------------- shared state */
/* registrations (all on source 0) */
byte st[NREG];          /* vepoll__reg.state */
byte ev[NREG];          /* vepoll__reg.events */
byte qnext[NREG];       /* vepoll__reg.qnext */
byte snext[NREG];       /* vepoll__reg.snext */
/* source 0 */
byte ready;             /* vepoll_source.ready */
byte watchers = NIL;    /* vepoll_source.watchers */
byte readers[2];        /* vepoll_source.readers[] */
bit  epoch;             /* SRC_EPOCH bit of vepoll_source.ctl */
byte ver;               /* vepoll_source.ver: dedupe seqlock, odd = writing */
byte satv;              /* vepoll_source.sat >> 16: version ... */
byte satb;              /* ... and sat & 0xffff: the bits absorbed then */
/* instance */
byte inbox = NIL;       /* vepoll__readyq.inbox */
byte qhead = NIL;       /* vepoll__readyq.head */
byte qtail = NIL;       /* vepoll__readyq.tail */
byte qcount;            /* vepoll__readyq.count: entries in the private FIFO */
byte mu;                /* vepoll.mu: 0 free, else owner _pid + 1 */
byte nwaiters;          /* vepoll.nwaiters */
byte pseq;              /* vepoll__park.seq (the futex word) */
bit  asleep[NCONS];     /* kernel futex queue: consumer w is queued */

/* ghosts */
bit  freed[NREG];       /* vepoll__free(r) happened */
bit  inq[NREG];         /* r is linked in the inbox or the private FIFO */
bit  live[NREG];        /* ADDed and not yet killed */
bit  delret[NREG];      /* DEL of r returned */
bit  owed[NREG];        /* an event hit r's mask and no re-check saw it yet */
#ifdef ET_ONE
byte nreports;          /* events emitted, all registrations */
#endif

#define ACC(r) assert(freed[r] == 0)

/* ------------------------------------------------------------ primitives */
/* [lock] pthread_mutex_lock(&ep->mu) / [unlock] */
inline lock() { atomic { mu == 0 -> mu = _pid + 1 } }
inline unlock() { assert(mu == _pid + 1); mu = 0 }

/* [free] vepoll__free(r) */
inline reg_free(r) { atomic { ACC(r); freed[r] = 1 } }

/* [wake] vepoll__park_wake(&ep->park, 0): seq += 1, FUTEX_WAKE 1 */
inline wake_one()
{
    atomic {
        pseq++;
        if
        :: asleep[0] -> asleep[0] = 0
#if NCONS > 1
        :: asleep[1] -> asleep[1] = 0
#endif
        :: else -> skip
        fi
    }
}

/* [push] vepoll__readyq_push.  The loop's load of the inbox, the store of
 * r->qnext and the successful CAS are one step: a failed CAS has no effect
 * but the store to r->qnext, which nobody reads while r is in no queue
 * (P2, asserted here, is what makes that true). */
inline push_body(r)
{
    ACC(r);
    assert(inq[r] == 0);                                    /* P2 */
    qnext[r] = inbox; inbox = r; inq[r] = 1
}
inline push(r) { d_step { push_body(r) } }

/* [notify] hook.c:notify: load_full(nwaiters), wake one */
inline notify()
{
    if
    :: nwaiters > 0 -> wake_one()
    :: else -> skip
    fi
}

/* [collect] vepoll__readyq_collect: swap the inbox out, reverse, append.
 * The reversal touches only nodes this harvest owns (their ENQUEUED is set,
 * so no producer links them), hence one deterministic step. */
inline collect()
{
        h = inbox; inbox = NIL;                             /* [collect.swap] */
        fifo = NIL; first = h;                              /* [collect.rev] */
        do
        :: h != NIL -> ACC(h); nx = qnext[h]; qnext[h] = fifo; fifo = h;
           qcount++;
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
           :: qtail != NIL -> ACC(qtail); qnext[qtail] = fifo
           :: else -> qhead = fifo
           fi;
           qtail = first
        :: else -> skip
        fi;
        first = NIL; fifo = NIL; nx = NIL
}

/* [pop] vepoll__readyq_pop */
inline pop(r)
{
    r = qhead;
    if
    :: r != NIL ->
       ACC(r); qhead = qnext[r];
       if :: qhead == NIL -> qtail = NIL :: else -> skip fi;
       qcount--;
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
    :: qtail != NIL -> ACC(qtail); qnext[qtail] = r
    :: else -> qhead = r
    fi;
    qtail = r; qcount++; inq[r] = 1
}

/* [take] vepoll__reg_take: s = state; state &= ~(PENDING|ENQUEUED) */
inline take(r, s)
{
    ACC(r); s = st[r]; st[r] = s & ~(PEND | ENQ)
}

/* [post] vepoll__reg_post */
inline post(r, set, res)
{
    do
    :: atomic { ACC(r); s = st[r] };                        /* [post.load] */
       if
       :: s & DEAD -> res = P_NONE; break                   /* [post.dead] */
       :: else -> skip
       fi;
       atomic { ACC(r); hit = set & ev[r] & EVB };          /* [post.mask] */
       if
       :: hit == 0 -> res = P_NONE; break
       :: else -> skip
       fi;
       ns = s | hit | ENQ;
       if
       :: ns == s -> res = P_DEDUPE; break                  /* [post.same] */
       :: else -> skip
       fi;
       atomic {                                             /* [post.cas] */
           ACC(r);
           if
           :: st[r] == s -> st[r] = ns;
              if
              :: s & ENQ -> res = P_DEDUPE
              :: else -> res = P_QUEUED
              fi;
              break
           :: else -> skip
           fi
       }
    od;
    ns = 0; hit = 0
}

/* [claim] vepoll__reg_claim(r, pend): under the instance mutex.  Its CAS
 * loop is one RMW: a failed CAS has no effect. */
inline claim(r, pend, c)
{
    ACC(r); s = st[r];
    if
    :: s & DEAD -> c = 0
    :: (s & (DEAD | ENQ)) == ENQ -> st[r] = s | pend; c = 0     /* [claim.or] */
    :: (s & (DEAD | ENQ)) == 0 -> st[r] = s | pend | ENQ; c = 1 /* [claim.cas] */
    fi;
    s = 0
}

/* claim, and push if claimed: the mutex holder's two steps are one, since
 * between them every producer finds ENQUEUED set and leaves the node alone
 * and no harvest can run (only the order of the inbox could differ). */
inline claim_push(r, pend, c)
{
    d_step {
        claim(r, pend, c);
        if :: c -> push_body(r) :: else -> skip fi
    }
}

inline claim_requeue(r, pend, c)
{
    d_step {
        claim(r, pend, c);
        if :: c -> requeue_private(r) :: else -> skip fi
    }
}

/* [wbegin]/[wend] vepoll__source_write_begin/_end: ver += 1 (full barrier) */
#define WRITE_BEGIN ver++
#define WRITE_END ver++

/* [setmask] vepoll__reg_set_mask: store mask, then generation+1, pending 0 */
inline set_mask(r, m)
{
    atomic { ACC(r); ev[r] = m };                           /* [setmask.store] */
    atomic { ACC(r); st[r] = (st[r] + GEN1) & ~PEND }       /* [setmask.cas] */
}

/* [evaluate] vepoll__instance_evaluate: under the instance mutex */
inline evaluate(r)
{
    d_step {                                                /* [evaluate.poll] */
        ACC(r); m = ev[r];
        rev = ready & m & EVB;
        if :: rev != 0 -> owed[r] = 1 :: else -> skip fi
    };
    if
    :: rev != 0 ->
       claim_push(r, rev, c);
       if
       :: c -> notify()
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

/* [update] vepoll_source_update(src, set, clr) */
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
           old = ready;
           nw = (old & ~clr) | set;
           ready = nw;
           /* ghost: every live registration whose mask the event hits is
            * owed a look by a harvest re-check */
           i = 0;
           do
           :: i < NREG ->
              if :: live[i] && (set & ev[i] & EVB) -> owed[i] = 1 :: else -> skip fi;
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
          :: watchers != NIL ->                             /* [update.watchers] */
             /* [fanout] vepoll__hook_fanout */
             absorbed = 1;
             e = epoch;                                     /* [enter.epoch] */
             readers[e]++;                                  /* [enter.inc] */
             r = watchers;                                  /* [fanout.first] */
             do
             :: r == NIL -> break
             :: else ->
#ifdef BUG_NO_WAITER_FENCE
                /* seeded: decide whether to wake before the push is visible */
                had = (nwaiters > 0);
                post(r, set, res);
                if
                :: res == P_QUEUED -> absorbed = 0; push(r);
                   if :: had -> wake_one() :: else -> skip fi
                :: else -> skip
                fi;
#else
                post(r, set, res);
                if
                :: res == P_QUEUED -> absorbed = 0; push(r); notify() /* [fanout.push] */
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

proctype producer(byte p)
{
    byte i, e, r, s, ns, hit, res, h, old, nw, v0, sv, sb;
    bit had, ab, absorbed;
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
}

/* -------------------------------------------------------------- consumer */
/* [harvest] vepoll__harvest, under the instance mutex.  The consumer's
 * private work (the FIFO, r->events and DEAD, which only the mutex holder
 * writes, the ghosts) is folded into the neighbouring step. */
inline harvest(n)
{
    n = 0;
    budget = qcount;                                        /* after collect */
    do
    :: n >= MAXEV || budget == 0 -> break
    :: else ->
       budget--;
       d_step {                                             /* [harvest.pop] */
           pop(r);
           ACC(r); dead = (st[r] & DEAD) != 0; m = ev[r]
       };
       if
       :: dead -> reg_free(r)                               /* [harvest.dead] */
       :: else ->
          rev = 0;
          if
          :: (m & (ET | ONESHOT)) == 0 ->
             d_step {                                       /* [harvest.ltpoll] */
                 rev = ready & m & EVB;
                 if
                 :: rev != 0 ->
                    owed[r] = 0;
                    assert(delret[r] == 0);                 /* P3 */
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
             /* leaving the queue: take, then re-check, in a write section */
#ifndef BUG_NO_WRITE_SECTION
             WRITE_BEGIN;                                   /* [harvest.wbegin] */
#endif
#ifndef BUG_TAKE_AFTER_RECHECK
#ifndef VARIANT_SPLIT_TAKE
             d_step { take(r, s) };                         /* [harvest.take] */
#else
             /* ENQUEUED cleared by one RMW, the pending bits by a second */
             d_step { ACC(r); s = st[r]; st[r] = s & ~ENQ };
             d_step { ACC(r); st[r] = st[r] & ~PEND };
#endif
             d_step { rev = ready & m & EVB; owed[r] = 0 };  /* [harvest.poll] */
#else
             /* seeded: re-check readiness, then take (the order that needs
              * Wasmer's repair_ready_queue_after_drain) */
             d_step { rev = ready & m & EVB; owed[r] = 0 };
             d_step { take(r, s) };
#endif
             if
             :: rev == 0 -> skip                            /* [harvest.empty] */
             :: rev != 0 && (m & (ET | ONESHOT)) == 0 ->
                claim_requeue(r, 0, c)                      /* [harvest.ltback] */
             :: else ->
                d_step {                                    /* [harvest.emit] */
                    assert(delret[r] == 0);                 /* P3 */
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
#ifndef BUG_NO_WRITE_SECTION
             WRITE_END;                                     /* [harvest.wend] */
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
    atomic { mu == 0 -> mu = _pid + 1; collect() };         /* [lock] [collect] */
    harvest(n);
#ifndef BUG_NO_CHAIN_WAKE
    atomic { busy = (qhead != NIL || inbox != NIL) };       /* [chain.busy] */
    if
    :: busy && nwaiters > 0 -> wake_one()                   /* [chain.wake] */
    :: else -> skip
    fi;
    busy = 0;
#endif
    unlock()
}

proctype consumer(byte w)
{
    byte k, n, seq0, r, s, ns, h, fifo, first, nx, m, rev, i, budget;
    bit c, busy, dead;
    k = 0;
    do
    :: k == NWAITS -> break
    :: else ->
       /* [wait] vepoll_wait: one harvest without registering */
       harvest_and_pass_on(n);
       if
       :: n == 0 ->
          /* [block] wait.c:wait_blocking, timeout forever */
          do
          ::
#ifndef BUG_SEQ_AFTER_HARVEST
             /* one step: a wake between the two commutes with the
              * increment (it reads nwaiters before, not after) */
             d_step { seq0 = pseq; nwaiters++ };            /* [block.prepare] [block.register] */
             harvest_and_pass_on(n);                             /* [block.harvest] */
#else
             /* seeded: snapshot the futex word after looking at the queue */
             nwaiters++;
             harvest_and_pass_on(n);
             seq0 = pseq;
#endif
             if
             :: n > 0 -> nwaiters--; break                  /* [block.leave] */
             :: else -> skip
             fi;
             atomic {                                       /* [park] FUTEX_WAIT */
                 if
                 :: pseq != seq0 -> skip                    /* EAGAIN */
                 :: else -> asleep[w] = 1
                 fi
             };
end_park:    (asleep[w] == 0);                              /* woken */
             nwaiters--                                     /* [block.unregister] */
          od
       :: else -> skip
       fi;
       k++
    od
}

/* -------------------------------------------------------------------- ctl */
/* [del] ctl_del -> vepoll__instance_detach, under the instance mutex */
inline ctl_del(r)
{
    lock();
    atomic { ACC(r); s = st[r]; st[r] = (s | DEAD) + GEN1; live[r] = 0 }  /* [del.kill] */
    d_step {                                                /* [del.unlink] */
        ACC(r);
        cur = epoch;                                        /* [sync.epoch]: only ctl writes it */
        if
        :: watchers == r -> watchers = snext[r]
        :: else ->
           i = watchers;
           do
           :: snext[i] == r -> snext[i] = snext[r]; break
           :: else -> i = snext[i]
           od
        fi;
        i = 0
    };
    /* [del.sync] vepoll__source_synchronize */
#ifndef BUG_ONE_PHASE_GRACE
    (readers[1 - cur] == 0);                                /* [sync.phase1] */
#endif
    epoch = 1 - cur;                                        /* [sync.flip] */
    /* the free and the unlock after the drain are one step: a producer
     * access to r placed between them is placed after them as well, where
     * it still trips P4 */
    atomic {
        readers[cur] == 0;                                  /* [sync.phase2] */
        if
        :: (s & ENQ) == 0 -> ACC(r); freed[r] = 1           /* [del.free] */
        :: else -> skip
        fi;
        unlock(); delret[r] = 1                             /* [del.return] */
    }
}

/* [mod] ctl_mod: under the instance mutex */
inline ctl_mod(r, newmask)
{
    lock();
    WRITE_BEGIN;                                            /* [mod.wbegin] */
    set_mask(r, newmask);
    evaluate(r);
    WRITE_END;                                              /* [mod.wend] */
    unlock()
}

/* [add] ctl_add: under the instance mutex (r prepared, not yet linked) */
inline ctl_add(r)
{
    lock();
    WRITE_BEGIN;                                            /* [add.wbegin] */
    atomic { snext[r] = watchers; watchers = r; live[r] = 1 };  /* [add.link] */
    evaluate(r);                                            /* after AO_nop_full */
    WRITE_END;                                              /* [add.wend] */
    unlock()
}

#define MAYBE if :: skip :: goto done fi

proctype ctl()
{
    byte s, i, cur, m, rev, h;
    bit c;
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
done:
    skip
}

/* --------------------------------------------------------------- monitor */
/* P1, checked in every quiescent state: nothing can move any more, so a
 * sleeping consumer sleeps forever and a non-queued registration is never
 * looked at again. */
active proctype monitor()
{
    byte i;
    bit lostev, lostlt, lostwake;
    timeout ->
    d_step {
        i = 0;
        do
        :: i < NREG ->
           if
           :: live[i] && owed[i] && (ready & ev[i] & EVB) && !inq[i] -> lostev = 1
           :: else -> skip
           fi;
           if
           :: live[i] && (ev[i] & (ET | ONESHOT)) == 0 && (ready & ev[i] & EVB) && !inq[i] -> lostlt = 1
           :: else -> skip
           fi;
           if
           :: live[i] && inq[i] && (ready & ev[i] & EVB) &&
              (asleep[0]
#if NCONS > 1
               || asleep[1]
#endif
              ) -> lostwake = 1
           :: else -> skip
           fi;
           i++
        :: else -> break
        od
    };
    assert(lostev == 0);
    assert(lostlt == 0);
    assert(lostwake == 0)
}

init
{
    byte i;
    atomic {
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
              ev[i] = IN | MODE0; snext[i] = watchers; watchers = i; live[i] = 1
           fi;
           i++
        :: else -> break
        od;
#ifdef MODE1
        ev[1] = IN | MODE1;
#endif
#ifdef START_QUEUED
        /* an earlier update made it ready and queued it (IN pending), and
         * a second one found it queued and marked the source absorbed */
        ready = IN; st[NREG - 1] = IN | ENQ; inbox = NREG - 1; inq[NREG - 1] = 1;
        satv = 0; satb = IN;
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
#if defined(CTL_MOD_DEL) || defined(CTL_ADD_DEL) || defined(CTL_DEL_DEL) || defined(CTL_MOD)
        run ctl()
#else
        skip
#endif
    }
}
