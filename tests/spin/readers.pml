/*
 * SPIN model of the per-thread read-side sections of sources
 * (src/core/source.h vepoll__source_enter/exit, src/core/token.c
 * vepoll__thr_wait_readers) and of the grace period a writer runs before
 * it frees a registration it unlinked (instance.c: DEL, vepoll_close).
 *
 * Like token.pml, this model has a store buffer per thread (x86-TSO): a
 * thread's plain stores go to its buffer and reach memory later, in order,
 * at any moment (a flusher process per thread); its own loads see its
 * buffer first.  The reader's section mark is a plain store followed by a
 * plain load of the watcher list, with no fence: the writer supplies it
 * with membarrier (MEMBARRIER_CMD_PRIVATE_EXPEDITED: a full barrier on
 * every CPU running a thread of the process, i.e. every store buffer
 * drained, before it returns).  Locked instructions (the descriptor map's
 * CAS) and AO_nop_full drain the caller's buffer.
 *
 * The protocol:
 *   reader (T1, T2), SECTIONS times
 *     first time only       take a descriptor: map[T] := 1 (a locked CAS
 *                           on the descriptor map, token.c:take_descriptor)
 *     enter                 rseq[T] += 1 (odd: inside; a plain store to
 *                           T's own descriptor)
 *     load                  w = linked (the source's watcher list: the node
 *                           is reachable iff linked)
 *     use, use again        if w: access the node twice (the post, then
 *                           the push and the wake: every access of the
 *                           fan-out is inside the section)
 *     exit                  rseq[T] += 1 (even; release store)
 *   writer (T3)             linked := 0 (the unlink, a plain release
 *                           store); fence (the epoch flip's CAS in
 *                           vepoll__source_synchronize_counters, a full
 *                           barrier); if no reader has a
 *                           descriptor: free at once; else membarrier, then
 *                           for each reader with one: s = rseq[T]; if s is
 *                           odd, wait until rseq[T] != s; free.
 * Either an odd rseq is visible to the writer's look after the barrier, and
 * the writer waits for it to move, or the reader's load of the list comes
 * after the barrier and misses the node.  A reader whose descriptor the
 * writer did not see took it (a full barrier) after the writer's fence, so
 * its load comes after the unlink too.
 *
 * The retired list (CFG_RETIRE, src/core/retire.h): the writer runs two
 * DELs, of node 0 and node 1 (two registrations, each reachable while its
 * `linked` flag is set; a reader's section walks both).  Each DEL unlinks,
 * fences and looks at the map: with no descriptor in use it frees its node
 * at once (vepoll__thr_readers_possible false), else it *retires* it and
 * returns without any barrier.  The second DEL fills the batch (the model's
 * batch is 2): the flush runs the grace period (membarrier, scan), then
 * frees every retired node.
 *
 * Configuration:
 *   CFG_READERS   T1 and T2 each run SECTIONS sections racing one DEL.
 *   CFG_RETIRE    the same readers race two DELs that retire, and the
 *                 flush of the batch.
 * Properties:
 *   freed   no access to a node after it was freed  assert(freed[a] == 0)
 *   end     no thread stuck (SPIN's invalid end states)
 * Seeded bugs (each must fail `freed[a]==0`):
 *   BUG_READERS_NO_MEMBARRIER  the writer scans rseq without the barrier:
 *                              a reader's odd rseq sits in its store buffer
 *                              while it loads the list before the unlink
 *   BUG_READERS_MAP_NO_FENCE   the writer reads the descriptor map with no
 *                              full barrier after its unlink: the unlink sits
 *                              in its buffer, a reader takes a descriptor
 *                              and reaches the node, and the writer, seeing
 *                              no descriptor, frees at once
 *   BUG_RETIRE_NO_GRACE        (RETIRE) the flush frees the batch without
 *                              the grace period
 *   BUG_RETIRE_LATE_ENTRY      (RETIRE) the flush's grace period runs before
 *                              the batch's last entry joins it (its DEL's
 *                              unlink comes after the barrier and the scan),
 *                              and the flush frees that entry too
 * Step map: docs/MODEL.md, "The per-thread read-side sections".
 */

#ifndef SECTIONS
#define SECTIONS 2
#endif

#define NT 3            /* readers T1, T2 (pids 1, 2), the writer (pid 3) */

#ifdef CFG_RETIRE
#define NODES 2
#else
#define NODES 1
#endif

/* memory */
bit linked[NODES];      /* node k is on a watcher list (set in init) */
bit freed[NODES];
bit retired[NODES];     /* on the instance's retired list */
byte rseq[NT + 1];      /* each reader's section word */
bit map[NT + 1];        /* descriptors in use */

/* store buffers: one pending store per thread, drained before the next
 * one is buffered, so each thread's stores reach memory in order (a reader
 * buffers only its rseq; the writer only its unlinks, sb_a naming the
 * node) */
byte sb_v[NT + 1]; bit sb_p[NT + 1]; byte sb_a;

inline drain_t(t)
{
    if
    :: sb_p[t] ->
       if :: t == 3 -> linked[sb_a] = sb_v[t] :: else -> rseq[t] = sb_v[t] fi;
       sb_p[t] = 0
    :: else -> skip
    fi
}

/* a plain store of the caller's own word: buffered */
inline st(v)
{
    atomic { drain_t(_pid); sb_v[_pid] = v; sb_p[_pid] = 1 }
}

/* the writer's plain store unlinking node a: buffered */
inline st_unlink(a)
{
    atomic { drain_t(_pid); sb_a = a; sb_v[_pid] = 0; sb_p[_pid] = 1 }
}

proctype flusher(byte t)
{
end:
    do
    :: atomic { sb_p[t] -> drain_t(t) }
    od
}

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

proctype reader()
{
    byte n, my, a;
    bit w;
    atomic { drain_t(_pid); map[_pid] = 1 };            /* [take.descriptor] */
    do
    :: n < SECTIONS ->
       my++; st(my);                                    /* [enter] odd */
       a = 0;
       do
       :: a < NODES ->
          atomic { w = linked[a] };                     /* [load.watchers] */
          if
          :: w -> atomic { assert(freed[a] == 0) };     /* [use] the post */
                  atomic { assert(freed[a] == 0) }      /* [use] push, wake */
          :: else -> skip
          fi;
          a++
       :: else -> break
       od;
       my++; st(my);                                    /* [exit] even */
       n++
    :: else -> break
    od
}

/* The grace period of the per-thread sections (vepoll__thr_wait_readers
 * after its early look at the map). */
inline grace()
{
#ifndef BUG_READERS_NO_MEMBARRIER
    membarrier();                                       /* [membarrier] */
#endif
    t = 1;
    do
    :: t <= 2 ->
       if
       :: map[t] ->
          s = rseq[t];                                  /* [scan] */
          if
          :: s & 1 -> (rseq[t] != s)                    /* [scan.wait] */
          :: else -> skip
          fi
       :: else -> skip
       fi;
       t++
    :: else -> break
    od
}

/* One DEL's unlink of node d, its fence and its look at the map. */
inline unlink_and_look(d)
{
    st_unlink(d);                                       /* [unlink] */
#ifndef BUG_READERS_MAP_NO_FENCE
    atomic { drain_t(_pid) };                           /* [fence] the flip's CAS */
#endif
    atomic { any = map[1] || map[2] }                   /* [map] */
}

proctype writer()
{
    byte k, t, s, d;
    bit any;
#ifndef CFG_RETIRE
    unlink_and_look(0);
    if
    :: any -> grace()
    :: else -> skip
    fi;
    freed[0] = 1                                        /* [free] */
#else
    d = 0;
    do
    :: d < NODES ->
#ifdef BUG_RETIRE_LATE_ENTRY
       if
       :: d == NODES - 1 -> grace()                     /* the barrier, too early */
       :: else -> skip
       fi;
#endif
       unlink_and_look(d);
       if
       :: any -> retired[d] = 1                         /* [retire] */
       :: else -> freed[d] = 1                          /* [free.now] */
       fi;
       d++
    :: else -> break
    od;
    /* the batch is full: flush */
#if !defined(BUG_RETIRE_NO_GRACE) && !defined(BUG_RETIRE_LATE_ENTRY)
    grace();                                            /* [flush.grace] */
#endif
    k = 0;
    do
    :: k < NODES ->
       if
       :: retired[k] -> freed[k] = 1; retired[k] = 0    /* [flush.free] */
       :: else -> skip
       fi;
       k++
    :: else -> break
    od
#endif
}

init
{
    byte k;
    atomic {
        k = 0;
        do
        :: k < NODES -> linked[k] = 1; k++
        :: else -> break
        od;
        run reader(); run reader(); run writer();
        run flusher(1); run flusher(2); run flusher(3)
    }
}
