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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "vepoll_objects.h"

/* ---- PRNG: xoshiro256** seeded through splitmix64 (portable, stable) ---- */
struct dt_rng {
    uint64_t s[4];
};
uint64_t dt_splitmix64(uint64_t *x);
void dt_rng_seed(struct dt_rng *r, uint64_t seed);
uint64_t dt_rng_next(struct dt_rng *r);
uint64_t dt_rng_below(struct dt_rng *r, uint64_t n); /* [0, n), n > 0 */
bool dt_chance(struct dt_rng *r, unsigned pct);
uint64_t dt_range(struct dt_rng *r, uint64_t lo, uint64_t hi); /* [lo, hi] */

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
    DT_TFD_NEW,   /* a = clock, b = timerfd flags (vepoll values, maybe invalid) */
    DT_TFD_SET,   /* obj, b = settime flags, the setting in a / x / value (dt_tfd_*) */
    DT_TFD_GET,   /* obj */
    /* The descriptor engine (fdengine.c): fa / fb are descriptor numbers,
     * the same on both sides. */
    DT_FD_NEW,      /* a = what (DT_FDK_*), b = flags (pipe/efd/sock/tfd), x = clock */
    DT_FD_DUP,      /* fa, fb = minimum, b = cloexec */
    DT_FD_DUP3,     /* fa -> fb, b = DT_DUP2 / DT_DUP3 / DT_DUP3_CLOEXEC */
    DT_FD_RENUMBER, /* fa -> fb */
    DT_FD_CLOSE,    /* fa */
    DT_FD_FLAGS,    /* fa, b = DT_FL_*, a = the value to set */
    DT_FD_CTL,      /* fa = epfd, fb = fd, a = op, mask, value = cookie */
    DT_FD_WAIT,     /* fa = epfd, a = maxevents */
    DT_FD_READ,     /* fa, a = length */
    DT_FD_WRITE,    /* fa, a = length, value = eventfd value / data seed */
    DT_FD_RECV,     /* fa, a = length, b = MSG_* flags */
    DT_FD_SEND,     /* fa, a = length, b = MSG_* flags, value = data seed */
    DT_FD_POLL,     /* fa: poll(2) vs fd_info's readiness, FIONREAD vs nbytes */
    DT_FD_TFD_SET,  /* fa, b = settime flags, the setting as DT_TFD_SET */
    DT_FD_TFD_GET,  /* fa */
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
    uint32_t b; /* flags (vepoll values) or a variant */
    int32_t obj, tobj; /* creation indices (op index of the creating op) */
    int32_t fa, fb;    /* descriptor numbers (fdengine.c) */
    int64_t a, x;
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
    int fds;          /* the descriptor engine (fdengine.c) instead of the objects' */
    int kfd;          /* objects engine: vepoll's pipes, eventfds and socket pairs are
                       * real ones watched through kernel-descriptor sources;
                       * DT_KFD_EACH_OP or DT_KFD_LAZY (when the kernel set is pumped) */
};
#define DT_KFD_EACH_OP 1 /* --kfd: after every op, as a blocked waiter takes edges */
#define DT_KFD_LAZY 2    /* --kfd-lazy: only by the waits themselves */

/* Generates and runs up to `steps` executed ops for `seed`.  *ops receives
 * the generated list (malloc'd, *nops entries, the diverging op last when
 * the result is DT_DIVERGED). */
int dt_generate(uint64_t seed, int steps, const struct dt_options *opt,
                struct dt_op **ops, int *nops, struct dt_report *rep);

/* Replays `n` ops from scratch (the `keep` ones, if keep is not NULL);
 * returns the status of the first op that did not agree, or DT_OK. */
int dt_replay(const struct dt_op *ops, int n, const unsigned char *keep,
              const struct dt_options *opt, struct dt_report *rep);

/* Readable form of ops[i] (objects named P3.r, F2, S5.b, E1, T4, ...;
 * descriptor-engine ops by their numbers). */
void dt_format_op(const struct dt_op *ops, int i, char *buf, size_t len);

/* The descriptor engine (fdengine.c, docs/DIFFTEST.md): the same contract
 * as dt_generate / dt_replay, on the WASIX adapter's built-in table against
 * the process's own descriptor table. */
int dt_fd_generate(uint64_t seed, int steps, const struct dt_options *opt, struct dt_op **ops,
                   int *nops, struct dt_report *rep);
int dt_fd_replay(const struct dt_op *ops, int n, const unsigned char *keep,
                 const struct dt_options *opt, struct dt_report *rep);
void dt_fd_format_op(const struct dt_op *op, char *buf, size_t len);

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
/* One generated op's outcome into dt_stats (last_rc: Linux's result). */
void dt_count(int kind, int status, long last_rc);
void dt_print_stats(void);

/* One-time process setup (SIGPIPE ignored, socket buffer check). */
int dt_setup(void);

/* ---- shared helpers (common.c) ------------------------------------------------ */

/* An engine's two halves: propose op i (false: nothing sensible now, try
 * again), and execute ops[i] on both sides (a DT_* status; the engine keeps
 * Linux's result of the last compared call in the long given to
 * dt_run_generated). */
typedef bool dt_gen_fn(void *st, struct dt_rng *r, int i, struct dt_op *op);
typedef int dt_exec_fn(void *st, const struct dt_op *ops, int i, struct dt_report *rep);
/* Generates and runs up to `steps` executed ops from `seed`, feeding
 * dt_stats: the status of the first op that did not agree (DT_OK if none);
 * *nops gets the number of ops kept in ops (the failing one last). */
int dt_run_generated(void *st, dt_gen_fn *gen, dt_exec_fn *exec, long *last_rc,
                     const struct dt_options *opt, uint64_t seed, int steps, struct dt_op *ops,
                     int *nops, struct dt_report *rep);
/* Runs ops (the `keep` ones, if keep is not NULL) until one does not agree. */
int dt_run_list(void *st, dt_exec_fn *exec, const struct dt_options *opt, const struct dt_op *ops,
                int n, const unsigned char *keep, struct dt_report *rep);
/* --trace: prints an executed op. */
void dt_trace(const struct dt_options *opt, const struct dt_op *ops, int i, int status);

/* -errno for a failed Linux call (rc < 0), else rc. */
long dt_lnx(long rc);
/* Pseudo-random bytes from a seed (the data written, compared when read). */
void dt_fill_data(unsigned char *b, size_t n, uint64_t seed);
/* A result as "-EAGAIN" or a number; a mask as IN|OUT|...; a wait's result
 * as "n [cookie:BITS, ...]". */
void dt_fmt_rc(char *b, size_t n, long rc);
void dt_fmt_mask(char *b, size_t n, uint32_t m);
void dt_fmt_events(char *b, size_t n, long rc, const uint32_t *ev, const uint64_t *data);
/* Fill *rep for ops[i] and return the status (DT_DIVERGED, DT_MODEL_ERROR,
 * DT_HOST_ERROR); dt_cmp_rc returns DT_OK when l == v. */
int dt_diverged(struct dt_report *rep, const struct dt_op *ops, int i, const char *l,
                const char *v);
int dt_model_error(struct dt_report *rep, const struct dt_op *ops, int i, const char *what,
                   long got, long want);
int dt_host_error(struct dt_report *rep, const struct dt_op *ops, int i, const char *what,
                  int err);
int dt_cmp_rc(struct dt_report *rep, const struct dt_op *ops, int i, long l, long v);

/* The socket-buffer budget (docs/DIFFTEST.md, "Capacity"): an upper bound of
 * the truesize queued in one direction, one entry per write, freed when its
 * last byte is read; a write is generated only if it keeps the bound below
 * DT_SOCK_BUDGET, so neither side ever fills. */
#define DT_PAGE 4096u
#define DT_SOCK_MAX_WRITE 32768u
#define DT_SOCK_BUDGET 40000u
#define DT_SOCK_SNDBUF_SET 106496 /* the kernel doubles it: 212992 */
#define DT_SQ_MAX 64
struct dt_sockq {
    uint32_t len[DT_SQ_MAX], est[DT_SQ_MAX];
    int head, n;
    uint32_t total_est;
};
uint32_t dt_sock_est(size_t n);
bool dt_sockq_fits(const struct dt_sockq *q, size_t n);
void dt_sockq_push(struct dt_sockq *q, size_t n);
void dt_sockq_consume(struct dt_sockq *q, size_t n);
/* After a socket write of n bytes that Linux answered with lrc on lfd: the
 * write goes into the budget, and SIOCOUTQ must stay below it (else
 * DT_MODEL_ERROR); DT_OK otherwise. */
int dt_sock_written(struct dt_report *rep, const struct dt_op *ops, int i, struct dt_sockq *q,
                    int lfd, long lrc, size_t n);

/* ---- timerfd settings (common.c) -------------------------------------------------
 * Only settings whose outcome does not depend on when the op runs: a value
 * that is 0 (disarm), far in the future (relative or absolute: never fires
 * during a run), absolute in the past (fires at once; with an interval, the
 * past is k + f intervals, f in [0.2, 0.8], so the count is exact for a
 * second either way), saturating, or invalid; an interval that is 0, huge,
 * some seconds, or invalid.  Times the kernel reports (gettime, the old
 * value) are compared within DT_TFD_SLACK_NS, intervals exactly.  After an
 * absolute setting in the past both sides are given time to fire
 * (dt_tfd_settle) before anything is compared. */
#define DT_TFD_SLACK_NS INT64_C(1000000000)
/* Generates a setting into op (a, x, value) and its settime flags (b). */
void dt_tfd_gen(struct dt_rng *r, struct dt_op *op);
/* The setting of op for a timer on `clock` (absolute times from the clock
 * now); *null: settime gets a NULL new value.  *past: it fires at once. */
void dt_tfd_spec(const struct dt_op *op, int clock, struct vepoll_itimerspec *v, bool *null,
                 bool *past);
void dt_tfd_format(const struct dt_op *op, char *b, size_t n);
/* Compares a Linux itimerspec (as int64 sec/nsec) with vepoll's: 0 when they
 * agree, else both formatted into l / v. */
int dt_tfd_cmp(const struct vepoll_itimerspec *lx, const struct vepoll_itimerspec *vp, char *l,
               char *v, size_t n);
/* Waits (up to 5 s) until a Linux fd polls readable: 0, or -ETIMEDOUT. */
int dt_settle_linux(int fd);
/* The same for a vepoll source, through a private instance. */
int dt_settle_vepoll(vepoll_source_t *src);

#endif
