/*
 * Differential test of vepoll (core + ready-made objects) against the Linux
 * kernel: one operation list, executed step by step on real pipes, eventfds,
 * unix socket pairs and epoll instances and on their vepoll twins.  See
 * docs/DIFFTEST.md.
 *
 * Single-threaded: nothing here may be shared between threads.
 */
#ifndef VEPOLL_DIFFTEST_H
#define VEPOLL_DIFFTEST_H

#include <stddef.h>
#include <stdint.h>

/* ---- PRNG: xoshiro256** seeded through splitmix64 (portable, stable) ---- */
struct dt_rng {
    uint64_t s[4];
};
void dt_rng_seed(struct dt_rng *r, uint64_t seed);
uint64_t dt_rng_next(struct dt_rng *r);
uint64_t dt_rng_below(struct dt_rng *r, uint64_t n); /* [0, n), n > 0 */

/* ---- operations ---------------------------------------------------------
 * Objects are named by their creation index (the `id` of the op that created
 * them), never by descriptor number, so any subset of a list can be replayed
 * from scratch (shrinking).  An op whose object does not exist (its creation
 * was removed) or whose end is closed is skipped on both sides, and so is an
 * op that the capacity models reject (see engine.c, "applicability"). */
enum dt_kind {
    DT_PIPE_NEW,  /* a = capacity (bytes), b = vepoll flags */
    DT_EFD_NEW,   /* value = initial (32-bit), b = vepoll flags */
    DT_SOCK_NEW,  /* b = vepoll flags */
    DT_EP_NEW,
    DT_CLOSE,     /* obj, end */
    DT_READ,      /* obj, end, a = length */
    DT_WRITE,     /* obj, end, a = length, value = eventfd value / data seed */
    DT_SHUTDOWN,  /* obj, end, a = how */
    DT_CTL,       /* obj = instance, a = op, tobj/tend = target, mask, value = cookie, b = variant */
    DT_WAIT,      /* obj = instance (-1: a closed one), a = maxevents */
    DT_POLL,      /* obj, end: poll(2) vs vepoll_source_ready */
    DT_PENDING,   /* obj, end: FIONREAD vs *_pending */
    DT_NKINDS
};

/* DT_CTL variants */
#define DT_CTL_NORMAL 0
#define DT_CTL_NULL_EV 1   /* event pointer NULL */
#define DT_CTL_BAD_TARGET 2 /* target not open: fd -1 / src NULL */
#define DT_CTL_BAD_EP 3    /* instance not open: epfd -1 / ep NULL */

struct dt_op {
    uint8_t kind;
    uint8_t end, tend;
    uint8_t b;
    int32_t obj, tobj; /* creation indices (op index of the creating op) */
    int64_t a;
    uint32_t mask;
    uint64_t value;
};

/* ---- results ------------------------------------------------------------- */
enum dt_status {
    DT_OK = 0,      /* executed, both sides agree */
    DT_SKIPPED,     /* not applicable in this state: executed on neither side */
    DT_DIVERGED,    /* the sides disagree: see dt_report */
    DT_MODEL_ERROR, /* Linux disagreed with the harness's own capacity model */
    DT_HOST_ERROR   /* a Linux call needed by the harness itself failed */
};

struct dt_report {
    int step;          /* index into the op list */
    int kind;          /* op kind that diverged */
    char op[160];      /* the op, readable */
    char lnx[768];     /* Linux's result */
    char vep[768];     /* vepoll's result */
};

/* Diagnostic only (--avoid): stop generating an input class that is known
 * to diverge, to look for further divergences behind it.  CI never sets any. */
#define DT_AVOID_EFD_LEN (1u << 0)     /* eventfd writes of a length other than 8 */
#define DT_AVOID_NEST_RDNORM (1u << 1) /* instance target, RDNORM without IN */
#define DT_AVOID_ORDER (1u << 2)       /* waits take everything, compared as a set */
#define DT_AVOID_NEST (1u << 3)        /* no instance inside an instance, no poll(E) */

struct dt_options {
    int inject_fault; /* self-check: strip ET from every vepoll mask */
    int trace;        /* print each executed op */
    unsigned avoid;   /* DT_AVOID_* */
};

/* Generates and runs up to `steps` executed ops for `seed`.  *ops receives
 * the generated list (malloc'd, *nops entries, the diverging op last when
 * the result is DT_DIVERGED). */
int dt_generate(uint64_t seed, int steps, const struct dt_options *opt,
                struct dt_op **ops, int *nops, struct dt_report *rep);

/* Replays `n` ops from scratch (the `keep` ones, if keep is not NULL);
 * returns the status of the first op that did not agree, or DT_OK. */
int dt_replay(const struct dt_op *ops, int n, const unsigned char *keep,
              const struct dt_options *opt, struct dt_report *rep);

/* Readable form of ops[i] (objects named P3.r, F2, S5.b, E1, ...). */
void dt_format_op(const struct dt_op *ops, int i, char *buf, size_t len);

/* Coverage counters over every generated run (not replays). */
struct dt_stats {
    long executed[DT_NKINDS], skipped[DT_NKINDS];
    long errors[DT_NKINDS];   /* executed ops whose (agreed) result was an errno */
    long wait_events;         /* events reported by agreeing waits */
    long wait_nonempty;       /* waits that reported at least one event */
    long event_bits[32];      /* per bit, over reported events */
    long ctl_rc[8];           /* 0, EEXIST, ENOENT, EINVAL, ELOOP, EBADF, EFAULT, other */
};
extern struct dt_stats dt_stats;
void dt_print_stats(void);

/* One-time process setup (SIGPIPE ignored, socket buffer check). */
int dt_setup(void);

#endif
