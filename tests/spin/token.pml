/*
 * SPIN model of the consumer token (src/core/token.h, token.c, and the
 * instance's references, src/core/instance.h): exclusive access to an
 * instance through a biased fast path (plain stores and loads) or a mutex,
 * with revocation by membarrier, and the instance's lifetime: a call is
 * announced from its first step to its last (on the fast path as "inside",
 * after a bail as "slow"), and the memory goes only when no reference is
 * left and no announcement is out.
 *
 * Unlike vepoll.pml, which is sequentially consistent, this model has a
 * store buffer per thread (x86-TSO): a thread's stores go to its buffer and
 * reach memory later, in order, at any moment (a flusher process per
 * thread); its own loads see its buffer first.  That is what makes the fast
 * path's store-load pair (announce, then look at the bias) unsafe without a
 * fence, and what membarrier fixes: MEMBARRIER_CMD_PRIVATE_EXPEDITED runs a
 * full barrier on every CPU running a thread of the process, i.e. drains
 * every store buffer, before it returns.  Locked instructions (the mutex,
 * the reference count) drain the caller's buffer.
 *
 * The protocol:
 *   entry (thread T)        announce: T's own slot := token (a store to
 *                           T's descriptor, never to the instance: this is
 *                           the call's first step, before it touches the
 *                           instance at all); then inside iff bias == T,
 *                           else turn the slot into a *slow* announcement
 *                           (token | 1) and take the mutex; the slot is
 *                           cleared only after the mutex is given back.
 *   revocation (mutex held, bias == H != self)
 *                           bias := 0; membarrier; wait until H's slot no
 *                           longer holds the token (a slow announcement
 *                           does not count: that thread waits for the
 *                           mutex, it is not inside).
 *   earning (mutex held)    bias := self (any time here: the streak counter
 *                           is abstracted away).
 *   free (the last reference dropped)
 *                           membarrier; wait until no slot holds the token,
 *                           inside or slow; free.  Nothing can take a
 *                           reference any more: a blocking wait pins only
 *                           under the token and only before the close's
 *                           own token section marks the instance closed.
 * Either an announcement is visible to the revoker's (or the freer's) wait,
 * or the announcer's look at the bias comes after the barrier and sees it
 * cleared (or the instance closed), and it bails.  A thread whose look at
 * the bias is stale stores only into its own slot, so it cannot clobber the
 * announcement of the thread that is inside (BUG_TOKEN_SHARED_BUSY: the
 * single "busy" word of the token that did exactly that).
 *
 * Configurations:
 *   CFG_MUTEX     T1 and T2 enter ENTRIES times each: mutual exclusion
 *                 across bias, revocation and re-bias.
 *   CFG_LIFETIME  T1, T2 and a closer (T3) that takes the token, then drops
 *                 the owner's reference.  A call starts only before the
 *                 close has (the API's rule, which a runtime's descriptor
 *                 table keeps); its start is its announcement (the older
 *                 code's first step was its reference).  Property: no
 *                 started call touches freed memory, the free's own
 *                 accesses included.
 *
 * Properties:
 *   mutex    at most one thread inside at any time      assert(inside <= 1)
 *   freed    no access to the token after the free     assert(freed == 0)
 *   end      no thread stuck (SPIN's invalid end states)
 * Seeded bugs (each must fail the named assertion):
 *   BUG_TOKEN_NO_MEMBARRIER   revocation without the barrier        mutex
 *   BUG_TOKEN_SHARED_BUSY     one announcement word in the token, written
 *                             by whoever believes it holds the bias mutex
 *   BUG_TOKEN_CLEAR_AFTER_WAIT  the revoker clears the bias after its wait
 *                             (so a stale announcer can slip in)   mutex
 *   BUG_TOKEN_SLOW_UNANNOUNCED  a bailing call clears its announcement
 *                             before its slow call is over         freed
 *   BUG_TOKEN_PIN_ON_BAIL     the first design: a bailing call pins a
 *                             reference, then clears its slot; the free
 *                             CASes the count 0 -> freed after its scan.
 *                             A pin can revive a count that reached 0, and
 *                             the reviver's own last unref can free while
 *                             the first freer is still on its way to its
 *                             CAS                                  freed
 * Step map: docs/MODEL.md, "The consumer token".
 */

#ifndef ENTRIES
#define ENTRIES 2
#endif

#define NT 3            /* T1, T2 (pids 1, 2) and the closer (pid 3) */

/* memory: the token and the instance's count */
byte bias;              /* thread allowed the fast path (pid), 0 none */
byte mu;                /* mutex holder (pid), 0 free */
byte refs = 1;          /* the owner's reference */
bit freed;
bit closing;            /* vepoll_close has started */
/* memory: each thread's slot for this token (its descriptor); with
 * BUG_TOKEN_SHARED_BUSY everyone uses slot 0, a word of the token */
byte held[NT + 1];      /* 0, IN (the fast path), SLOW (a bailed call) */
#define IN 1
#define SLOW 2

/* ghosts */
byte inside;

#ifdef BUG_TOKEN_SHARED_BUSY
#define SLOT_OF(t) 0
#else
#define SLOT_OF(t) t
#endif

/* store buffers: one pending store of the slot per thread (a thread's
 * stores to it coalesce in order) */
byte sb_held_v[NT + 1]; bit sb_held_p[NT + 1];

#define ACC assert(freed == 0)

inline drain_t(t)
{
    if :: sb_held_p[t] -> held[SLOT_OF(t)] = sb_held_v[t]; sb_held_p[t] = 0 :: else -> skip fi
}

/* a plain store of the calling thread's slot (the announcement): buffered;
 * the slot lives in the thread's descriptor, not in the instance, so it is
 * not an access to the instance */
inline st_held(v)
{
    atomic {
        if :: sb_held_p[_pid] -> held[SLOT_OF(_pid)] = sb_held_v[_pid] :: else -> skip fi;
        sb_held_v[_pid] = v; sb_held_p[_pid] = 1
    }
}

proctype flusher(byte t)
{
end:
    do
    :: atomic { sb_held_p[t] -> drain_t(t) }
    od
}

/* membarrier: every thread's buffer drained, the caller's included */
inline membarrier()
{
    atomic {
        k = 1;
        do
        :: k <= NT -> drain_t(k); k++
        :: else -> break
        od;
        k = 0
    }
}

/* [revoke] token.c:take_bias_away, under mu; h = the biased thread */
inline revoke_bias(h)
{
#ifndef BUG_TOKEN_CLEAR_AFTER_WAIT
    atomic { ACC; bias = 0 };                        /* [revoke.clear] */
#endif
#ifndef BUG_TOKEN_NO_MEMBARRIER
    membarrier();                                   /* [revoke.membarrier] */
#endif
    atomic { ACC; held[SLOT_OF(h)] != IN };          /* [revoke.wait] */
#ifdef BUG_TOKEN_CLEAR_AFTER_WAIT
    atomic { ACC; bias = 0 };
#endif
    skip
}

inline pin()
{
    atomic { ACC; drain_t(_pid); refs++ }
}

/* [enter] instance.h:vepoll__instance_enter -> token.h */
inline enter(fast, started)
{
    fast = 0; started = 1;
    atomic {                                        /* [enter.announce] */
#ifdef CFG_LIFETIME
        if :: closing && _pid != 3 -> started = 0 :: else -> skip fi;
#endif
        if :: started -> st_held(IN) :: else -> skip fi
    };
    if
    :: started ->
       atomic { ACC; b = (bias == _pid) };           /* [enter.bias] */
       if
       :: b -> fast = 1
       :: else ->
#if defined(BUG_TOKEN_PIN_ON_BAIL)
          pin();
          st_held(0)
#elif defined(BUG_TOKEN_SLOW_UNANNOUNCED)
          st_held(0)
#else
          st_held(SLOW)                             /* [enter.bail] */
#endif
       fi
    :: else -> skip
    fi;
    if
    :: started && !fast ->
       atomic { ACC; mu == 0 -> drain_t(_pid); mu = _pid };  /* [slow.lock] */
       atomic { ACC; h = bias };
       if :: h != 0 && h != _pid -> revoke_bias(h) :: else -> skip fi;
       if                                           /* [slow.earn] */
       :: atomic { ACC; bias = _pid }
       :: skip
       fi
    :: else -> skip
    fi;
    if
    :: started -> d_step { inside++; assert(inside <= 1) }  /* mutex */
    :: else -> skip
    fi
}

/* [unref] instance.c:vepoll__instance_unref and the free */
inline unref()
{
    atomic { ACC; drain_t(_pid); refs--; last = (refs == 0) };
    if
    :: last ->
#ifndef BUG_TOKEN_FREE_NO_SCAN
       membarrier();                                /* [free.membarrier] */
       atomic { held[1] == 0 && held[2] == 0 && held[3] == 0 };  /* [free.wait] */
#endif
#ifdef BUG_TOKEN_PIN_ON_BAIL
       atomic { ACC; if :: refs == 0 -> freed = 1 :: else -> skip fi }
#else
       atomic { ACC; assert(refs == 0); freed = 1 }     /* [free] */
#endif
    :: else -> skip
    fi
}

inline leave(fast, started)
{
    if
    :: started ->
       d_step { inside-- };
       if
       :: fast -> st_held(0)                        /* [leave.fast] */
       :: else ->
          atomic { ACC; drain_t(_pid); mu = 0 };     /* [leave.unlock] */
#if defined(BUG_TOKEN_PIN_ON_BAIL)
          unref()
#elif defined(BUG_TOKEN_SLOW_UNANNOUNCED)
          skip
#else
          st_held(0)                                /* [leave.unannounce] */
#endif
       fi
    :: else -> skip
    fi
}

proctype user()
{
    bit fast, b, started, last;
    byte h, k, n;
    do
    :: n < ENTRIES ->
       enter(fast, started);
       leave(fast, started);
       if :: !started -> break :: else -> n++ fi
    :: n < ENTRIES -> break        /* or stop early */
    :: else -> break
    od
}

proctype closer()
{
    bit fast, b, started, last;
    byte h, k;
    closing = 1;                                    /* no call starts from now on */
    enter(fast, started);
    leave(fast, started);
    unref()                                         /* the owner's reference */
}

init
{
    atomic {
        run user(); run user();
#ifdef CFG_LIFETIME
        run closer();
#endif
        run flusher(1); run flusher(2)
#ifdef CFG_LIFETIME
        ; run flusher(3)
#endif
    }
}
