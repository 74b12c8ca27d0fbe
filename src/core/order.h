/*
 * The one memory-order helper the core needs beyond libatomic_ops.
 *
 * Every store-load pair in vepoll (a producer's push then its load of
 * nwaiters, a waiter's increment of nwaiters then its look at the queue, a
 * readiness CAS then the load of the watcher list, ADD's link then its look
 * at the readiness: see park.h, hook.c, ctl.c) puts a full-barrier RMW
 * between the store and the load.  libatomic_ops' "_full" RMWs are full
 * barriers in its own terms, but on some processors (ARMv8's
 * acquire-release read-modify-writes) a later plain load may still be
 * satisfied before the RMW's store is visible, so the pair needs an explicit
 * fence.  On x86 every locked instruction is a full fence and the extra one
 * (AO_nop_full: another locked instruction) only costs time on the hot path.
 */
#ifndef VEPOLL_ORDER_H
#define VEPOLL_ORDER_H

#include <atomic_ops.h>

/* After a full-barrier RMW, before the load of a store-load pair. */
static inline void vepoll__fence_after_rmw(void)
{
#if defined(__x86_64__) || defined(__i386__)
    AO_compiler_barrier();
#else
    AO_nop_full();
#endif
}

#endif
