/*
 * The soak (tools/soak.sh, docs/RELIABILITY.md): a mixed workload on every
 * object kind and on nested instances, with producers, consumers, ctl churn,
 * interrupts and closes racing, checking its invariants while it runs.
 *
 * Files, one concept each:
 *   channel.c  a channel: one object of one kind (pipe, eventfd, socket pair,
 *              plain source) carrying numbered tokens, its registration and
 *              the ledger that proves every token is read exactly once;
 *   workers.c  producers, consumers (through 1, 2 and 3 levels of nesting),
 *              ctl churn and the interrupter;
 *   victims.c  instances that die: EXCLUSIVE instances closed under blocked
 *              waiters, and an instance that is never waited on (dead-entry
 *              sweep);
 *   main.c     the run: rounds, the quiescence check, statistics, memory,
 *              the report.
 *
 * Concurrency contract
 * --------------------
 * Locks, always taken in this order: chan.wmu (writer side) < chan.rmu
 * (reader side) < chan.regmu (registration) < victim.mu.  No lock of ours is
 * held across a blocking vepoll_wait.  A channel's object is replaced only
 * with wmu, rmu and regmu held, so a thread holding one of them sees a stable
 * object.  The token counters are atomics: a writer counts a token before it
 * writes it (and takes it back if the write fails), so a reader can never
 * count more than was written.
 *
 * Staleness: `soak_seq` is a global clock.  When a DEL of registration
 * generation g (or the close of its object) returns, the channel records
 * (g, ++soak_seq).  A consumer reads soak_seq before each top-level wait;
 * an event for g whose removal is recorded at or before that snapshot is
 * stale: the removal returned before the wait began.
 */
#ifndef SOAK_H
#define SOAK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "vepoll.h"
#include "vepoll_objects.h"

enum soak_kind { SOAK_PIPE, SOAK_EVENTFD, SOAK_SOCKET, SOAK_PLAIN, SOAK_KINDS };
enum soak_mode { SOAK_LT, SOAK_ET, SOAK_ONESHOT, SOAK_MODES };

#define SOAK_CHANS 12      /* 3 of each kind, modes cycling */
#define SOAK_INNERS 2      /* E0 (LT in O), E1 (ET in O) */
#define SOAK_VICTIMS 2     /* EXCLUSIVE instances closed under waiters */
#define SOAK_RING 64       /* removals remembered per channel */

/* Cookies: bit 63 marks an instance (its index below), otherwise
 * channel << 40 | registration generation. */
#define SOAK_COOKIE_INST (UINT64_C(1) << 63)
#define SOAK_GEN_BITS 40

struct soak_removal {
    uint64_t gen, seq;
};

struct soak_chan {
    int id;
    enum soak_kind kind;
    enum soak_mode mode;
    pthread_mutex_t wmu, rmu, regmu;
    /* the object of the current incarnation (replaced under all three) */
    vepoll_pipe_t *pipe;
    vepoll_eventfd_t *efd;
    vepoll_socketpair_t *sp;
    vepoll_source_t *plain;
    pthread_mutex_t plain_mu; /* the plain source's "object" lock */
    uint64_t plain_count;
    /* tokens of this incarnation */
    uint64_t incarnation;
    atomic_ullong written, read; /* tokens */
    unsigned char wbuf[8], rbuf[8];
    unsigned wlen, rlen; /* byte streams: bytes of a token sent / received */
    /* the registration in its home instance (under regmu) */
    vepoll_t *home;
    uint64_t gen; /* current registration generation, 0: none */
    struct soak_removal removed[SOAK_RING];
    unsigned nremoved;
};

struct soak_victim {
    pthread_mutex_t mu;
    vepoll_t *ep;          /* NULL while being replaced */
    atomic_int calling;    /* its waiter is about to wait or inside */
    _Atomic pid_t tid;
    atomic_int done;
};

struct soak_figures {
    atomic_ullong ops, tokens_written, tokens_read, tokens_drained;
    atomic_ullong waits, events, eintr, churn, mods, source_closes;
    atomic_ullong instance_closes, ebadf_waiters, interrupts, sweeps_driven;
    atomic_ullong lost, stale, bad;
};

struct soak {
    struct soak_chan chan[SOAK_CHANS];
    vepoll_t *inner[SOAK_INNERS], *outer, *top;
    vepoll_t *sweep; /* never waited on */
    struct soak_victim victim[SOAK_VICTIMS];
    atomic_ullong seq;
    atomic_int stop, pause; /* workers stop / mutators pause */
    atomic_int paused;      /* mutators that are parked at the pause */
    struct soak_figures fig;
};

extern struct soak soak;

/* A violation: printed at once and counted in fig.bad (or lost / stale). */
void soak_fail(atomic_ullong *counter, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
uint32_t soak_rand(uint64_t *state);

/* channel.c */
int soak_chan_init(struct soak_chan *c, int id);
int soak_chan_open(struct soak_chan *c); /* new object + registrations */
void soak_chan_close(struct soak_chan *c, bool reopen);
void soak_chan_destroy(struct soak_chan *c);
bool soak_chan_write_token(struct soak_chan *c);
void soak_chan_consume(struct soak_chan *c, uint64_t gen, uint64_t snapshot);
void soak_chan_churn(struct soak_chan *c, int what); /* 0 DEL+ADD, 1 MOD, 2 sweep */
void soak_chan_report(struct soak_chan *c);
bool soak_chan_settled(struct soak_chan *c);
uint64_t soak_chan_cookie(const struct soak_chan *c);
vepoll_source_t *soak_chan_source(struct soak_chan *c);
void soak_chan_add_to(struct soak_chan *c, vepoll_t *ep, uint32_t events);

/* workers.c */
void *soak_producer(void *arg);
void *soak_consumer(void *arg); /* arg: the instance index, see workers.c */
void *soak_churner(void *arg);
void *soak_closer(void *arg);
void *soak_interrupter(void *arg);
/* Mutators call this between operations: parks while soak.pause is set. */
void soak_pause_point(void);

/* victims.c */
int soak_victims_start(void);
void *soak_victim_waiter(void *arg);
void *soak_victim_closer(void *arg);
void soak_victims_stop(void);
void *soak_sweeper(void *arg);

#endif
