/*
 * Reference model of vepoll's epoll semantics (single-threaded, no timing).
 *
 * A deliberately plain executable specification, written from the
 * scenario catalogue docs/SEMANTICS.md and docs/API.md, sharing no code or
 * data structure with src/: arrays of instances, sources and registrations,
 * one FIFO array per instance for its ready list, linear scans everywhere.
 * The fuzzer (tests/fuzz/fuzz_ops.c) runs every operation on the library and
 * on this model and aborts on the first difference in a return value or in
 * a reported event (cookie, bits, order).
 *
 * What it models (Linux's fs/eventpoll.c rules as the spec states them):
 * - readiness is the source's bits; an update's `set` is a wake-up event for
 *   every registration whose mask (plus ERR|HUP) intersects it (S039, S044);
 * - one ready-list entry per registration, FIFO by becoming ready (S077,
 *   S080), a new event on a queued entry keeps its place (S079, S063);
 * - harvest re-polls (S024, S041, S082), combines bits (S028), LT entries go
 *   back to the tail and are reported once per wait (S076, S078), ET entries
 *   wait for the next event, ONESHOT disarms (nothing, not even HUP, until
 *   MOD: S055); entries beyond maxevents stay in place (S047, S057);
 * - ADD and MOD evaluate current readiness (S025, S048, S054, S062);
 * - DEL / source close / instance close: nothing reported afterwards (S065,
 *   S147, S150, S127);
 * - nesting: an instance is IN|RDNORM-readable while a queued entry has
 *   something to report (S033, S034, S121), and polling it drops the idle
 *   entries it scans before the first ready one (Linux's ep_eventpoll_poll);
 *   an event on an inner instance's entry, queued or already queued, is an
 *   event with the key IN alone for the outer registrations of that
 *   instance (S122, Linux's ep_poll_safewake); ADD/MOD queueing an entry is
 *   one too; ELOOP for cycles and paths of more than 5 instances (S118,
 *   S119);
 * - the ctl error order of docs/API.md; EXCLUSIVE argument rules (S018, S131);
 * - the watch limit (-ENOSPC), interrupts (one pending flag, consumed only
 *   by a wait that would block), wake-up callback counts (one per entry that
 *   becomes queued by an event or by ADD/MOD, none for a dedupe hit or an LT
 *   re-queue).
 * Not modelled: anything multi-threaded (waiter wake-up, EXCLUSIVE's wake
 * one: with no blocked waiter every exclusive entry records the event, as
 * S139 says for idle instances) and statistics.
 *
 * Handles are small integers: instances 0..RM_MAX_INST-1, plain sources
 * 0..RM_MAX_SRC-1.  A source argument is an rm_ref: a plain source, an
 * instance seen as a source (vepoll_as_source), or NULL.
 */
#ifndef VEPOLL_TESTS_REFMODEL_H
#define VEPOLL_TESTS_REFMODEL_H

#include <stdbool.h>
#include <stdint.h>

#define RM_MAX_INST 8
#define RM_MAX_SRC 16
#define RM_MAX_REG 1024
#define RM_MAX_NEST 5 /* instances on one nesting path */

enum rm_kind { RM_NULL, RM_PLAIN, RM_INST };

struct rm_ref {
    enum rm_kind kind;
    int id;
};

struct rm_event {
    uint32_t events;
    uint64_t data;
};

struct rm_src {
    bool live;
    uint32_t ready;
};

struct rm_reg {
    bool live;
    int inst;          /* the instance it belongs to */
    struct rm_ref src; /* RM_PLAIN or RM_INST */
    int fd;
    uint32_t mask; /* as given to ADD/MOD */
    uint64_t data;
    bool armed;   /* false: fired ONESHOT entry */
    bool queued;  /* on its instance's ready list */
    uint64_t seq; /* ADD order, for the wake-up walk order */
};

struct rm_inst {
    bool live;
    int ready[RM_MAX_REG]; /* ready list, oldest first: registration ids */
    int nready;
    bool intr;            /* one pending interrupt */
    uint64_t wakeups;     /* entries queued by events / ADD / MOD */
};

struct rm {
    struct rm_inst inst[RM_MAX_INST];
    struct rm_src src[RM_MAX_SRC];
    struct rm_reg reg[RM_MAX_REG];
    int hi; /* registration slots in use are below this */
    uint64_t next_seq;
    uint64_t max_watches; /* 0: no limit */
};

void rm_init(struct rm *m);

/* Creation never fails in the model (an -ENOMEM is judged by the caller). */
void rm_create(struct rm *m, int inst);
void rm_close(struct rm *m, int inst);
void rm_source_create(struct rm *m, int src, uint32_t ready);
void rm_source_close(struct rm *m, struct rm_ref src);

/*
 * vepoll_ctl.  inst < 0 is a NULL instance; has_ev false is a NULL event.
 * Returns the expected result; applies the change only when `commit` is true
 * (so a caller can ask first, then commit unless the library reported an
 * injected -ENOMEM).
 */
int rm_ctl(struct rm *m, int inst, int op, int fd, struct rm_ref src,
           bool has_ev, uint32_t events, uint64_t data, bool commit);

/*
 * vepoll_wait with timeout 0 (would_block false) or with a timeout that
 * expires at once (would_block true: a pending interrupt is consumed and
 * reported as -EINTR when there is nothing to return).  inst < 0 is NULL,
 * has_buf false a NULL buffer.  Fills out[0..rc-1].
 */
int rm_wait(struct rm *m, int inst, bool has_buf, int maxevents,
            bool would_block, struct rm_event *out);

/* Would a blocking rm_wait return at once (an error, events, or a pending
 * interrupt)?  Changes nothing. */
bool rm_wait_returns_now(struct rm *m, int inst, bool has_buf, int maxevents);

int rm_interrupt(struct rm *m, int inst);
void rm_update(struct rm *m, struct rm_ref src, uint32_t set, uint32_t clear);
uint32_t rm_source_ready(struct rm *m, struct rm_ref src);
void rm_set_max_watches(struct rm *m, uint64_t max);
int rm_watch_count(const struct rm *m);

#endif
