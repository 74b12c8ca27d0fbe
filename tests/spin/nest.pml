/*
 * SPIN model of the nesting graph's concurrent paths: an outer instance O
 * that holds an inner instance I (registration R of I's own source in O),
 * I holding a plain source S (registration Q), and the paths that race on
 * them (docs/MODEL.md, "The nesting graph"):
 *   - vepoll_close(O) and vepoll_close(I) at the same time
 *     (src/core/instance.c: vepoll_close, detach_all, remove_key,
 *     unlink_killed; src/core/nest.c: vepoll__nest_unlink);
 *   - a producer's update of S, whose fan-out queues Q on I and propagates
 *     to O through I's own source (src/core/hook.c: vepoll__hook_fanout,
 *     vepoll__hook_queue, propagate), racing those closes and a waiter
 *     blocked on O (src/core/wait.c, the nested poll of I in its harvest:
 *     src/core/nest.c vepoll__nest_poll_source);
 *   - ctl ADD of I into O (src/core/ctl.c: ctl_add, vepoll__nest_link, the
 *     link of R on I's source, the evaluation that polls I) racing that
 *     propagation, followed by the close of I;
 *   - concurrent ADDs between four instances that would close a cycle or a
 *     path longer than the limit (nest.c: link_or_check under the global
 *     nesting mutex, Linux's ep_loop_check), with the instances' tokens
 *     taken outer before inner.
 *
 * Abstractions (argued in docs/MODEL.md): sequential consistency (every
 * store->load pair used has a full barrier on both sides, or membarrier for
 * the per-thread sections); the consumer token is a mutex (token.pml); the
 * producer marks its read-side section in its own descriptor and a grace
 * period waits for an odd mark to move (readers.pml proves that pair under
 * x86-TSO); a section of the nesting mutex is one atomic step (nobody else
 * touches the graph); the registration state word is reduced to DEAD and
 * ENQUEUED (vepoll.pml verifies its protocol), and the ready queues to the
 * ENQUEUED bits (one entry per instance here).
 *
 * Configurations:
 *   CFG_CLOSE2  close(O) and close(I) at the same time, a producer posting
 *               S -> Q -> I -> R -> O, a waiter blocked on O (it holds its
 *               reference: the wait started before the close); R and Q may
 *               start queued and idle (an earlier event), so posts dedupe
 *               and the closes and the harvest free queued DEAD entries
 *   CFG_PROP    the producer racing close(I) (which may not come at all)
 *               and the waiter on O, R and Q maybe queued as in CLOSE2
 *   CFG_ADD     ADD of I into O racing the producer and the waiter, then
 *               (optionally) close(I) by the same thread: the ADD is a call
 *               that uses I, so I's final close cannot start before it
 *               returns (docs/API.md, vepoll_close)
 *   CFG_CTL     the same ADD, a call that started before vepoll_close(O)
 *               started, racing it for O's token, and the producer
 *   CFG_LOOP    four instances, four concurrent ADDs (A>B, B>C, C>A, C>D)
 *               with the path limit scaled from 5 to 3 instances
 * Properties:
 *   epfreed[e]==0, rfreed[x]==0   no access to a freed instance (its token,
 *               queue, park, own source, nesting arrays) or registration
 *   lostwake==0  in a quiescent state no waiter sleeps on O while R is live
 *               and I has an event to report (Linux delivers it: S116, S128)
 *   hang==0     no waiter sleeps on a closed O
 *   leak==0     everything a close killed is freed (or still queued on a
 *               live O, for its harvest), and a closed instance is freed
 *   dangle==0   a freed instance is in no edge, and no registration of a
 *               freed O is on I's source or in O's table
 *   toolong==0  (LOOP) the graph never holds a cycle or a path of more than
 *               the limit, and an ADD fails with ELOOP exactly when its
 *               edge would make one (the code's check agrees with the spec)
 *   end states  no deadlock (the lock order of tokens, nesting mutex and
 *               source lock)
 * Seeded bugs:
 *   BUG_EDGE_UNLINK_AFTER_SOURCE_UNLINK  (CLOSE2) close(O) unlinks the
 *               nesting edge after R left I's source: close(I) frees I in
 *               the gap (the use-after-free fixed in e2646d3)
 *   BUG_PROPAGATE_OUTSIDE_SECTION  (PROP) the producer leaves its read-side
 *               section before it propagates from I to O: close(I)'s grace
 *               period no longer waits for it
 *   BUG_INNER_DETACH_NO_GRACE  (PROP) close(I) removes R from O without
 *               waiting for the grace period (GRACE_NONE, as for a plain
 *               source's close): a producer propagating from I still posts
 *               to R, which is freed
 *   BUG_DETACH_PIN_AFTER_UNLOCK  (CLOSE2) close(I)'s detach_all pins O
 *               after it dropped I's source lock: close(O) may have finished
 *               and freed O in between
 *   BUG_ADD_EVALUATE_BEFORE_LINK  (ADD) the ADD polls I before it links R
 *               on I's source: a propagation in between finds no R, the
 *               evaluation found I empty, the waiter on O sleeps
 *   BUG_CTL_NO_CLOSED_CHECK  (CTL) ctl does not look at `closed` once it
 *               holds the token: an ADD served after the close's drain
 *               links R and the edge into the freed O (the code before this
 *               model: tests/core/test_close_ctl_race.c)
 *   BUG_NEST_LINK_NO_RECHECK  (LOOP) the link trusts the check ctl ran in an
 *               earlier section of the nesting mutex: two ADDs close a cycle
 * Step map: docs/MODEL.md.
 */

#if defined(CFG_CLOSE2) || defined(CFG_PROP) || defined(CFG_ADD) || defined(CFG_CTL)
#define MODEL_PAIR
#endif

#ifdef MODEL_PAIR

#define O 0             /* the outer instance */
#define I 1             /* the inner instance */
#define R 0             /* O's registration of I (on I's own source) */
#define Q 1             /* I's registration of the plain source S */

#define EPACC(e) assert(epfreed[e] == 0);
#define RACC(x) assert(rfreed[x] == 0);

bit epfreed[2];
byte tok[2];            /* the token, as a mutex: holder's pid + 1 */
bit closed[2];
byte refs[2];
byte nwaiters;          /* O's */
byte pseq;              /* O's futex word */
bit asleep;             /* the waiter, in FUTEX_WAIT on O */
bit waiting;            /* the waiter has not returned yet */
bit edge;               /* O in I->parents, I in O->children */
byte srclk;             /* I's own source's spin lock: holder's pid + 1 */
bit linked[2];          /* R on I's source's watchers, Q on S's */
bit intable[2];
bit dead[2];
bit enq[2];             /* ENQUEUED: in its instance's ready queue */
bit retired[2];
bit rfreed[2];
bit sready;             /* S's readiness (IN) */
byte rseq;              /* the producer's section word: odd = inside */
bit started;            /* CTL: the ADD on O has started */

inline lock(e) { atomic { tok[e] == 0 -> EPACC(e) tok[e] = _pid + 1 } }
inline unlock(e) { atomic { EPACC(e) assert(tok[e] == _pid + 1); tok[e] = 0 } }

inline reg_free(x) { atomic { RACC(x) rfreed[x] = 1 } }

/* [grace] vepoll__thr_wait_readers: membarrier, then wait for every odd
 * section mark seen to move (readers.pml) */
inline grace()
{
    atomic { gs = rseq };
    if
    :: gs & 1 -> (rseq != gs)
    :: else -> skip
    fi
}

/* [unref] vepoll__instance_unref: the last reference frees the instance
 * (with its token, park, own source and nesting arrays) */
inline unref(e)
{
    atomic {
        EPACC(e)
        assert(refs[e] > 0);
        refs[e]--;
        if
        :: refs[e] == 0 -> assert(tok[e] == 0); epfreed[e] = 1
        :: else -> skip
        fi
    }
}

/* [nest.unlink] vepoll__nest_unlink(O, I): drop I from O->children and O
 * from I->parents, under the nesting mutex */
inline nest_unlink() { atomic { EPACC(O) EPACC(I) assert(edge == 1); edge = 0 } }

/* [unlink_killed] instance.c: kill x, drop the nesting edge (R only), then
 * unlink x from its source under the source lock; s = ENQUEUED before */
inline unlink_killed(x, s)
{
    atomic { RACC(x) s = enq[x]; dead[x] = 1 };         /* [kill] */
    if
    :: x == R ->
#ifndef BUG_EDGE_UNLINK_AFTER_SOURCE_UNLINK
       nest_unlink();                                   /* [nest.unlink] */
#endif
       atomic { srclk == 0 -> EPACC(I) srclk = _pid + 1 }; /* [src.lock] */
       atomic { EPACC(I) RACC(x) linked[x] = 0 };       /* [src.unlink] */
       atomic { EPACC(I) srclk = 0 }                    /* [src.unlock] */
#ifdef BUG_EDGE_UNLINK_AFTER_SOURCE_UNLINK
       ; nest_unlink()                                  /* seeded: too late */
#endif
    :: else ->
       /* S is plain and outlives the model: its lock has one writer */
       atomic { RACC(x) linked[x] = 0 }                 /* [src.unlink] */
    fi
}

/* [wake_all] vepoll__park_wake(&ep->park, 1) */
inline wake_all(e)
{
    atomic {
        EPACC(e)
        if :: e == O -> pseq++; asleep = 0 :: else -> skip fi
    }
}

/* vepoll_close(e) from its token section on: drain the table, one grace
 * period for the retired list, free the queue, wake, drop the owner's
 * reference.  (detach_all of e's own source comes before: close_inner.) */
inline close_tail(e, x)
{
    lock(e);                                            /* [close.token] */
    if
    :: intable[x] ->
       intable[x] = 0;                                  /* [close.drain] */
       unlink_killed(x, s);
       if :: !s -> retired[x] = 1 :: else -> skip fi    /* [retire.push] */
    :: else -> skip
    fi;
    grace();                                            /* [flush.grace] */
    if
    :: retired[x] -> retired[x] = 0; reg_free(x)        /* [flush.free] */
    :: else -> skip
    fi;
    atomic {                                            /* [close.queue] */
        EPACC(e)
        if
        :: enq[x] -> assert(dead[x]); enq[x] = 0; RACC(x) rfreed[x] = 1
        :: else -> skip
        fi
    };
    unlock(e);
    wake_all(e);                                        /* [close.wake] */
    unref(e)                                            /* [close.unref] */
}

/* vepoll_close(I): detach_all(&I->self) first (remove R from O), then
 * the rest */
inline close_inner()
{
    closed[I] = 1;                                      /* [close.closed] */
    do
    :: atomic { srclk == 0 -> EPACC(I) srclk = _pid + 1 }; /* [detach_all.lock] */
       if
       :: !linked[R] -> atomic { EPACC(I) srclk = 0 }; break /* [detach_all.empty] */
       :: else ->
#ifndef BUG_DETACH_PIN_AFTER_UNLOCK
          /* [detach_all.key] the instance and fd of R, and the pin */
          atomic { RACC(R) EPACC(O) assert(refs[O] > 0); refs[O]++ };
          atomic { EPACC(I) srclk = 0 };                /* [detach_all.unlock] */
#else
          atomic { RACC(R) };                           /* the key alone */
          atomic { EPACC(I) srclk = 0 };
          atomic { EPACC(O) assert(refs[O] > 0); refs[O]++ };  /* seeded: late */
#endif
          lock(O);                                      /* [remove_key] */
          if
          :: intable[R] ->
             intable[R] = 0;
             unlink_killed(R, s);                       /* [detach] GRACE_WAIT */
#ifndef BUG_INNER_DETACH_NO_GRACE
             grace();
#endif
             if :: !s -> reg_free(R) :: else -> skip fi
          :: else -> skip
          fi;
          unlock(O);
          unref(O)
       fi
    od;
    close_tail(I, Q)
}

proctype closer(byte e)
{
    byte gs;
    bit s;
    if
#ifdef CFG_PROP
    :: e == I -> if :: close_inner() :: skip fi         /* may not come */
#else
    :: e == I -> close_inner()
#endif
    :: else ->
#ifdef CFG_CTL
       started;                 /* no call starts once the close has */
#endif
       closed[O] = 1;                                   /* [close.closed] */
       atomic { EPACC(O) };                             /* [detach_all.empty]: O is in no instance */
       close_tail(O, R)
    fi
}

/* [propagate] hook.c propagate(I): load I->self.watchers and, with the
 * nested fan-out's first load (the sections are nested: no mark of its
 * own), post R with IN; a QUEUED post pushes onto O and wakes one waiter;
 * either way O propagates further (nobody watches O's source) */
inline propagate_i()
{
    atomic { EPACC(I) w = linked[R] };
    if
    :: w ->
       atomic {                                   /* [post] R with IN */
           RACC(R)
           if
           :: dead[R] -> w = 0                    /* NONE */
           :: enq[R] -> w = 0                     /* DEDUPE */
           :: else -> enq[R] = 1; w = 1           /* QUEUED */
           fi
       };
       if
       :: w ->
          atomic { EPACC(O) };                    /* [push] onto O */
          atomic { EPACC(O) had = (nwaiters > 0) }; /* [notify] */
          if
          :: had -> atomic { EPACC(O) pseq++; asleep = 0 } /* [wake] one */
          :: else -> skip
          fi
       :: else -> skip
       fi;
       atomic { EPACC(O) };                       /* [propagate] O: no watchers */
       atomic { RACC(R) }                         /* [fanout.next] R->snext */
    :: else -> skip
    fi
}

/* The producer: vepoll_source_update(S, IN, 0). */
proctype producer()
{
    bit w, had;
    byte res;                   /* Q's post: 0 NONE, 1 DEDUPE, 2 QUEUED */
    sready = 1;                                         /* [upd.ready] CAS, full */
    if
    :: linked[Q] ->                                     /* [upd.watchers] fence, load */
       rseq++;                                          /* [fanout.enter] odd */
       if
       :: linked[Q] ->                                  /* [fanout.first] */
          atomic {                                      /* [post] Q */
              RACC(Q)
              if
              :: dead[Q] -> res = 0
              :: !dead[Q] && enq[Q] -> res = 1
              :: else -> enq[Q] = 1; res = 2
              fi
          };
          if
          :: res == 2 -> atomic { EPACC(I) }            /* [push] [notify] I (no waiter) */
          :: else -> skip
          fi;
#ifndef BUG_PROPAGATE_OUTSIDE_SECTION
          if :: res != 0 -> propagate_i() :: else -> skip fi;
#endif
          atomic { RACC(Q) }                            /* [fanout.next] Q->snext */
       :: else -> skip
       fi;
       rseq++                                           /* [fanout.exit] even */
#ifdef BUG_PROPAGATE_OUTSIDE_SECTION
       /* seeded: the instances reached are woken after the section */
       ; if :: res != 0 -> propagate_i() :: else -> skip fi
#endif
    :: else -> skip
    fi
}

/* I has an event to report now (nest.c: vepoll__nest_poll_locked): Q
 * queued, live, and S ready in its mask */
#define IREADY (enq[Q] && !dead[Q] && sready)

/* One vepoll_wait(O, forever) returning one event (ET registration R):
 * the harvest pops R, drops it if DEAD, else takes it, bumps I's source's
 * version and re-checks it by polling I under I's token (lock order: O's
 * token, then I's). */
proctype waiter()
{
    byte seq;
    bit n, rdy, bad;
    do
    :: atomic { EPACC(O) seq = pseq; nwaiters++ };     /* [block.register] */
       lock(O);                                         /* [harvest.lock] */
       if
       :: closed[O] -> bad = 1                          /* [harvest.closed] */
       :: else ->
          if
          :: enq[R] && dead[R] ->                       /* [harvest.dead] */
             enq[R] = 0; reg_free(R)
          :: enq[R] && !dead[R] ->
             atomic { RACC(R) enq[R] = 0 };             /* [harvest.take] */
             atomic { RACC(R) EPACC(I) };               /* [harvest.bump] r->src */
             lock(I);                                   /* [npoll.lock] */
             atomic { EPACC(I) rdy = IREADY };          /* [npoll.poll] */
             unlock(I);
             n = rdy                                    /* [harvest.emit] */
          :: else -> skip
          fi
       fi;
       unlock(O);
       if
       :: n || bad -> atomic { EPACC(O) nwaiters-- }; break /* [block.leave] */
       :: else -> skip
       fi;
       atomic {                                         /* [park] FUTEX_WAIT */
           EPACC(O)
           if
           :: pseq != seq -> skip
           :: else -> asleep = 1
           fi
       };
end_park:
       (asleep == 0);                                   /* woken */
       atomic { EPACC(O) nwaiters-- }                   /* [block.unregister] */
    od;
    waiting = 0;
    unref(O)                                            /* the wait's pin */
}

#if defined(CFG_ADD) || defined(CFG_CTL)
/* ctl_add(O, fd, vepoll_as_source(I), IN|ET) under O's token: the nesting
 * edge, the table, R's link on I's source, the evaluation (a nested poll of
 * I), touch_sources. */
inline add_body()
{
    atomic { EPACC(O) EPACC(I) };                       /* [nest.check] */
    atomic { EPACC(O) EPACC(I) edge = 1 };              /* [nest.link] */
    intable[R] = 1;                                     /* [table.insert] */
#ifdef BUG_ADD_EVALUATE_BEFORE_LINK
    lock(I); atomic { EPACC(I) rdy = IREADY }; unlock(I);
#endif
    atomic { srclk == 0 -> EPACC(I) srclk = _pid + 1 }; /* [src.lock] */
    atomic { EPACC(I) linked[R] = 1 };                  /* [src.link] */
    atomic { EPACC(I) srclk = 0 };                      /* [src.unlock] */
    /* [add.bump] + fence: a full-barrier RMW on I's source */
#ifndef BUG_ADD_EVALUATE_BEFORE_LINK
    lock(I);                                            /* [evaluate] nested poll */
    atomic { EPACC(I) rdy = IREADY };
    unlock(I);
#endif
    if
    :: rdy ->
       atomic {                                         /* [claim] */
           RACC(R)
           if :: !enq[R] -> enq[R] = 1; c = 1 :: else -> skip fi
       };
       if
       :: c ->                                          /* vepoll__hook_queue_held */
          atomic { EPACC(O) if :: nwaiters > 0 -> pseq++; asleep = 0 :: else -> skip fi }
       :: else -> skip
       fi
    :: else -> skip
    fi;
    lock(I); unlock(I)                                  /* [touch_sources] */
}
#endif

#ifdef CFG_ADD
/* vepoll_ctl(O, ADD, fd, vepoll_as_source(I), IN|ET), then (maybe) the
 * final close of I. */
proctype ctl()
{
    byte gs;
    bit s, rdy, c;
    lock(O);                                            /* [ctl.token] */
    add_body();
    unlock(O);
    if
    :: close_inner()
    :: skip
    fi
}
#endif

#ifdef CFG_CTL
/* The same ADD, a call that started (announced on O's token, or holding a
 * reference: instance.h) before vepoll_close(O) started, racing it for O's
 * token. */
proctype ctlo()
{
    bit rdy, c;
    atomic { EPACC(O) refs[O]++; started = 1 };         /* [ctl.start] */
    lock(O);                                            /* [ctl.token] */
#ifndef BUG_CTL_NO_CLOSED_CHECK
    if
    :: closed[O] -> goto leave                          /* [ctl.closed] -EBADF */
    :: else -> skip
    fi;
#endif
    add_body();
leave:
    unlock(O);
    unref(O)                                            /* [ctl.leave] */
}
#endif

active proctype monitor()
{
    bit lostwake, hang, leak, dangle;
    timeout ->
    d_step {
        if :: asleep && intable[R] && !dead[R] && IREADY -> lostwake = 1 :: else -> skip fi;
        if :: asleep && closed[O] -> hang = 1 :: else -> skip fi;
        if :: dead[R] && !rfreed[R] && !enq[R] -> leak = 1 :: else -> skip fi;
        if :: dead[Q] && !rfreed[Q] && !enq[Q] -> leak = 1 :: else -> skip fi;
        if :: closed[I] && !epfreed[I] -> leak = 1 :: else -> skip fi;
        if :: closed[O] && !waiting && !epfreed[O] -> leak = 1 :: else -> skip fi;
        if :: (epfreed[O] || epfreed[I]) && edge -> dangle = 1 :: else -> skip fi;
        if :: epfreed[O] && (linked[R] || intable[R]) -> dangle = 1 :: else -> skip fi;
        if :: epfreed[I] && (!rfreed[Q] || (!rfreed[R] && !enq[R])) -> leak = 1 :: else -> skip fi
    };
    assert(lostwake == 0);
    assert(hang == 0);
    assert(leak == 0);
    assert(dangle == 0)
}

init
{
    atomic {
        refs[I] = 1;
        linked[Q] = 1; intable[Q] = 1;
#ifdef CFG_CTL
        refs[O] = 1;            /* the owner's */
        run ctlo();
        run closer(O);
        run producer()
#else
        refs[O] = 2;            /* the owner's and the waiter's pin */
        waiting = 1;
#ifdef CFG_ADD
        run ctl();
#else
        edge = 1; linked[R] = 1; intable[R] = 1;
        /* an earlier event may have left either entry queued and idle */
        if :: enq[R] = 1 :: skip fi;
        if :: enq[Q] = 1 :: skip fi;
        run closer(I);
#ifdef CFG_CLOSE2
        run closer(O);
#endif
#endif
        run producer();
        run waiter()
#endif
    }
}

#endif /* MODEL_PAIR */

#ifdef CFG_LOOP
/*
 * Concurrent ADDs of instances into instances.  ctl (ctl.c) takes the
 * outer instance's token, runs vepoll__nest_check (one section of the
 * nesting mutex), and ctl_add links with vepoll__nest_link, which checks
 * again in its own section; after the link the evaluation polls the inner
 * instance and touch_sources bumps its sources, both under the inner's
 * token (outer before inner: deadlock-free only while the graph has no
 * cycle).  The check (nest.c link_or_check): the longest path down from the
 * inner (a cycle if it reaches the outer) plus the longest path up from the
 * outer, in instances, must not exceed the limit.
 */
#define NI 4
#define MAXP 3                  /* VEPOLL__MAX_NEST_PATH, scaled from 5 */
#define EDGE(a, b) edges[(a) * NI + (b)]

bit edges[NI * NI];             /* EDGE(o, i): i is registered in o */
byte tok[NI];
bit toolong, wrong;

/* Into ok: whether linking o over i keeps the graph acyclic and every path
 * at most MAXP instances, computed as nest.c does: down = longest path from
 * i along children, unless o is on it (a cycle); up = longest path from o
 * along parents; ok iff down + up <= MAXP.  (Dynamic programming over the
 * four instances instead of the memoised recursion; the graph is acyclic
 * before the link, so NI rounds reach the fixed point.) */
inline check(o, i, ok)
{
    d_step {
        k = 0;
        do
        :: k < NI -> dn[k] = 1; upl[k] = 1; rch[k] = (k == i); k++
        :: else -> break
        od;
        rd = 0;
        do
        :: rd < NI ->
           a = 0;
           do
           :: a < NI ->
              b = 0;
              do
              :: b < NI ->
                 if
                 :: EDGE(a, b) ->
                    if :: dn[b] + 1 > dn[a] -> dn[a] = dn[b] + 1 :: else -> skip fi;
                    if :: upl[a] + 1 > upl[b] -> upl[b] = upl[a] + 1 :: else -> skip fi;
                    if :: rch[a] -> rch[b] = 1 :: else -> skip fi
                 :: else -> skip
                 fi;
                 b++
              :: else -> break
              od;
              a++
           :: else -> break
           od;
           rd++
        :: else -> break
        od;
        ok = (!rch[o] && dn[i] + upl[o] <= MAXP);
        k = 0; rd = 0; a = 0; b = 0
    }
}

/* The specification: is there a walk of MAXP + 1 instances (a cycle, or a
 * path longer than the limit)?  wk[v]: a walk of `ln` instances starts at
 * v. */
inline spec_too_long(bad)
{
    d_step {
        k = 0;
        do :: k < NI -> wk[k] = 1; k++ :: else -> break od;
        ln = 1;
        do
        :: ln <= MAXP ->
           a = 0;
           do
           :: a < NI ->
              nw[a] = 0; b = 0;
              do
              :: b < NI -> if :: EDGE(a, b) && wk[b] -> nw[a] = 1 :: else -> skip fi; b++
              :: else -> break
              od;
              a++
           :: else -> break
           od;
           a = 0;
           do :: a < NI -> wk[a] = nw[a]; a++ :: else -> break od;
           ln++
        :: else -> break
        od;
        bad = 0;
        k = 0;
        do :: k < NI -> if :: wk[k] -> bad = 1 :: else -> skip fi; k++ :: else -> break od;
        k = 0; ln = 0; a = 0; b = 0
    }
}

/* The code's decision ok agrees with the specification: the edge o > i
 * would make a walk of MAXP + 1 instances exactly when ok is false. */
inline agree(o, i, ok)
{
    d_step {
        old = EDGE(o, i); EDGE(o, i) = 1;
        spec_too_long(bad);
        EDGE(o, i) = old;
        if :: ok == bad -> wrong = 1 :: else -> skip fi;
        old = 0
    }
}

proctype adder(byte o; byte i)
{
    byte k, rd, a, b, ln;
    byte dn[NI], upl[NI];
    bit rch[NI], wk[NI], nw[NI];
    bit ok, bad, old;
    atomic { tok[o] == 0 -> tok[o] = _pid + 1 };       /* [ctl.token] */
    atomic {                                            /* [nest.check] */
        check(o, i, ok);
        agree(o, i, ok);
        assert(wrong == 0)
    };
    if
    :: !ok -> goto out                                  /* -ELOOP */
    :: else -> skip
    fi;
    /* ctl_add: table lookup, slab, table reserve (no shared state) */
    atomic {                                            /* [nest.link] */
#ifndef BUG_NEST_LINK_NO_RECHECK
        check(o, i, ok);
        agree(o, i, ok);
        assert(wrong == 0);
#endif
        if
        :: ok -> EDGE(o, i) = 1
        :: else -> skip
        fi;
        /* the decision agrees with the specification, and the graph is
         * still acyclic and short */
        spec_too_long(bad);
        if :: bad -> toolong = 1 :: else -> skip fi;
        assert(toolong == 0)
    };
    if
    :: ok ->
       atomic { tok[i] == 0 -> tok[i] = _pid + 1 };    /* [evaluate] poll the inner */
       tok[i] = 0;
       atomic { tok[i] == 0 -> tok[i] = _pid + 1 };    /* [touch_sources] */
       tok[i] = 0
    :: else -> skip                                     /* -ELOOP, nothing changed */
    fi;
out:
    tok[o] = 0
}

init
{
    atomic {
        run adder(0, 1);
        run adder(1, 2);
        run adder(2, 0);
        run adder(2, 3)
    }
}
#endif /* CFG_LOOP */
