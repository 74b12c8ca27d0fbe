/*
 * Shared by the adapter's files, bottom-up: wasix.c (the ABI adapter and its
 * per-registration side table), wasix_kinds.c (what each kind of open file
 * description does), wasix_table.c (the built-in descriptor table:
 * descriptors, descriptions, dup, close, and vepoll_wasix_create/destroy,
 * which may install it) and wasix_io.c (the host-side calls on its
 * descriptors: creating objects, I/O, poll, the object imports) and
 * wasix_net.c (real sockets: host descriptors in the table).  Each calls
 * only the ones before it.  The locking contract is at the top of each file; the
 * order is wx->mu before wx->tmu, and neither is held across a blocking
 * call.
 */
#ifndef VEPOLL_WASIX_INTERNAL_H
#define VEPOLL_WASIX_INTERNAL_H

#include <atomic_ops.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "vepoll_wasix.h"

struct vepoll__wx_reg;  /* one guest registration (wasix.c) */
struct vepoll__wx_obj;  /* one open file description of the built-in table */
struct vepoll__wx_kind; /* what a kind of description does (wasix_kinds.h) */

/* One descriptor (guest fd) of the built-in table. */
struct vepoll__wx_fd {
    struct vepoll__wx_obj *_Atomic o; /* NULL: the number is free */
    unsigned char cloexec;            /* FD_CLOEXEC: per descriptor */
};

/* A description held for one call (wasix_table.c): borrowed by the owner
 * thread (no reference), or with a reference. */
struct vepoll__wx_hold {
    struct vepoll__wx_obj *o;
    int borrowed;
};

#define VEPOLL__WX_RETIRED 16 /* fds arrays replaced by growth: 64 << 10 = MAX_FDS */

struct vepoll_wasix {
    pthread_mutex_t mu; /* ctl, the side table, close_epoll/forget_source */
    struct vepoll_wasix_fdtable table;
    int builtin;

    /* Side table: guest data per (ep, src, fd), see wasix.c. */
    struct vepoll__wx_reg *regs;
    uint32_t nregs;     /* slots ever used (high-water mark) */
    uint32_t capregs;
    uint32_t free_head; /* free slot list through next_key */
    uint32_t live;
    uint32_t *by_key;   /* buckets, (ep, src, fd) */
    uint32_t *by_src;   /* buckets, src */
    uint32_t nbuckets;  /* power of two, 0 before the first ADD */

    /* Built-in table (wasix_table.c). */
    pthread_mutex_t tmu;
    struct vepoll__wx_fd *_Atomic fds;
    _Atomic uint32_t nfds; /* entries allocated */
    /* Earlier fds arrays: the owner may still read one while borrowing, so
     * they are freed with the table (at most twice the final size). */
    struct vepoll__wx_fd *retired[VEPOLL__WX_RETIRED];
    uint32_t retired_n[VEPOLL__WX_RETIRED];
    uint32_t nretired;
    /* Borrowing (wasix_table.c): the creating thread, whether it may borrow
     * (the asymmetric fence works here), its borrow counter (odd while it
     * borrows; written by it alone) and whether it ever borrowed (set once,
     * seq_cst, before its first borrow). */
    const void *owner; /* &vepoll__wx_thread_mark on the creating thread */
    int borrow_ok;
    AO_t owner_seq; /* vepoll__wait_section_end's sequence word */
    atomic_int owner_borrowed;
    /* 1 while a thread other than the owner changes the side table (under
     * wx->mu): the owner's borrowing epoll_wait(0) then translates under
     * wx->mu instead of without it (wasix.c). */
    atomic_int side_writer;
    /* epoll_wait(0)'s look-up of its instance in the built-in table (a
     * borrow for the owner; ep NULL when fd is not an instance) and its
     * end; NULL for a host's table. */
    int (*hold_ep)(vepoll_wasix_t *wx, uint32_t fd, struct vepoll__wx_hold *h, vepoll_t **ep);
    void (*drop_hold)(vepoll_wasix_t *wx, struct vepoll__wx_hold *h);
};

/* wasix.c: a new adapter with an empty side table and a copy of *table (a
 * zeroed table when NULL): 0 or -ENOMEM.  delete frees the side table and
 * the adapter; the descriptor table is the caller's business. */
int vepoll__wx_new(vepoll_wasix_t **out, const struct vepoll_wasix_fdtable *table);
void vepoll__wx_delete(vepoll_wasix_t *wx);

/* wasix.c, for the borrowing (wasix_table.c's contract): whether the
 * calling thread is the owner and may borrow, and the wait of a thread
 * that is not for every borrow that began before its change (a removed
 * descriptor, a side-table write) to end: a seq_cst fence, then, once the
 * owner ever borrowed, vepoll__membarrier and a wait while owner_seq is
 * odd and unchanged.  Never called by the owner while it borrows. */
extern _Thread_local char vepoll__wx_thread_mark; /* its address names the thread */
static inline int vepoll__wx_is_owner(const vepoll_wasix_t *wx)
{
    /* A thread-local variable's address is distinct on every live thread
     * (as a pthread_t is) and costs no call to compute, so the owner's
     * borrowing path keeps its registers. */
    return wx->borrow_ok && wx->owner == (const void *)&vepoll__wx_thread_mark;
}
void vepoll__wx_wait_for_owner(vepoll_wasix_t *wx);

/* An array grown to new_size bytes (zeroed beyond the old_size bytes it
 * keeps): 0, or -ENOMEM with *arr untouched. */
int vepoll__wx_grow(void **arr, size_t old_size, size_t new_size);

/* wasix_table.c, for wasix_io.c (the built-in table only):
 * obj_new: a description with no reference yet (NULL: no memory);
 * obj_get: fd's description with a reference and its O_NONBLOCK as of now,
 *          -EBADF (wx NULL, fd not open) or -ENOTSUP (not the built-in
 *          table);
 * obj_put: drops a reference, the final close if it was the last;
 * install: n new descriptions (refs 0) under the n lowest free numbers,
 *          FD_CLOEXEC iff cloexec, all or none (-EMFILE, -ENOMEM). */
struct vepoll__wx_obj *vepoll__wx_obj_new(const struct vepoll__wx_kind *k, int end, int nonblock);
int vepoll__wx_obj_get(vepoll_wasix_t *wx, uint32_t fd, struct vepoll__wx_obj **out,
                       int *nonblock);
void vepoll__wx_obj_put(vepoll_wasix_t *wx, struct vepoll__wx_obj *o);
/* enter: fd's description for one call, as obj_get answers (-EBADF,
 *        -ENOTSUP), with its O_NONBLOCK as of now.  On the owner thread it
 *        is borrowed -- no lock, no reference, no atomic read-modify-write
 *        -- unless nonblocking_only and the description blocks (a blocking
 *        call holds a reference: a closer waits for borrows to end).  The
 *        owner never borrows twice at once: nothing between enter and
 *        leave calls into the table.
 * leave: ends what enter began (a final close if the reference was the
 *        last). */
int vepoll__wx_obj_enter(vepoll_wasix_t *wx, uint32_t fd, int nonblocking_only,
                         struct vepoll__wx_hold *h, int *nonblock);
void vepoll__wx_obj_leave(vepoll_wasix_t *wx, struct vepoll__wx_hold *h);
int vepoll__wx_install(vepoll_wasix_t *wx, struct vepoll__wx_obj **os, uint32_t *fds, int n,
                       int cloexec);

/* Bounds check of a guest object: 1 if [ptr, ptr + len) is inside mem. */
static inline int vepoll__wx_in(const struct vepoll_wasix_mem *mem, uint64_t ptr, uint64_t len)
{
    return mem->base && ptr <= mem->size && len <= mem->size - ptr;
}

#endif
