/*
 * Small test models of a pipe, an eventfd counter and a stream socket pair,
 * written only on the public producer hook (vepoll_source_update).  They
 * follow Linux's readiness and wake-up rules as docs/SEMANTICS.md states
 * them, so scenario tests read like the spec.  Thread-safe (one mutex per
 * object).  Every operation returns a byte count / value >= 0 or a negative
 * errno, like the real calls.
 */
#ifndef VEPOLL_TEST_MODELS_H
#define VEPOLL_TEST_MODELS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vepoll.h"

#define TPIPE_DEFAULT_CAP 65536u
#define TPIPE_SLOT 4096u /* OUT needs one whole free slot (S031) */

/* ---- pipe ---------------------------------------------------------------- */
typedef struct tpipe {
    pthread_mutex_t mu;
    vepoll_source_t *r, *w; /* NULL once that end is closed */
    size_t cap, len;
} tpipe;

int tpipe_init(tpipe *p, size_t cap); /* cap 0 = TPIPE_DEFAULT_CAP */
ssize_t tpipe_write(tpipe *p, size_t n); /* -EAGAIN (full), -EPIPE (no reader) */
ssize_t tpipe_read(tpipe *p, size_t n);  /* 0 = EOF, -EAGAIN (empty, writer open) */
ssize_t tpipe_drain(tpipe *p);           /* read until EAGAIN/EOF, returns bytes */
ssize_t tpipe_fill(tpipe *p);            /* write until EAGAIN, returns bytes */
void tpipe_close_r(tpipe *p);            /* final close of the read end */
void tpipe_close_w(tpipe *p);            /* final close of the write end */
void tpipe_destroy(tpipe *p);            /* closes what is still open */

/* ---- eventfd counter ------------------------------------------------------ */
#define TEFD_MAX UINT64_C(0xfffffffffffffffe)
typedef struct tefd {
    pthread_mutex_t mu;
    vepoll_source_t *src;
    uint64_t value;
    bool sem;
} tefd;

int tefd_init(tefd *f, uint64_t initial, bool semaphore);
int tefd_write(tefd *f, uint64_t v);    /* 0, -EINVAL (all ones), -EAGAIN (overflow) */
int tefd_read(tefd *f, uint64_t *out);  /* 0, -EAGAIN (zero) */
void tefd_destroy(tefd *f);

/* ---- stream socket pair (AF_UNIX rules, S107-S115) ------------------------ */
#define TSOCK_SHUT_RD 0
#define TSOCK_SHUT_WR 1
#define TSOCK_SHUT_RDWR 2
typedef struct tsock {
    pthread_mutex_t mu;
    vepoll_source_t *end[2];  /* end[0] = S.a, end[1] = S.b; NULL once closed */
    size_t buf[2];            /* bytes queued for end i to read */
    size_t cap;               /* per-direction capacity */
    bool rd_shut[2];          /* RCV_SHUTDOWN on end i */
    bool wr_shut[2];          /* SEND_SHUTDOWN on end i */
} tsock;

int tsock_init(tsock *s, size_t cap); /* cap 0 = 65536 */
ssize_t tsock_write(tsock *s, int end, size_t n); /* -EPIPE, -EAGAIN */
ssize_t tsock_read(tsock *s, int end, size_t n);  /* 0 = EOF, -EAGAIN */
int tsock_shutdown(tsock *s, int end, int how);
void tsock_close(tsock *s, int end);
void tsock_destroy(tsock *s);

#endif
