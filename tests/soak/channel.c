/*
 * A soak channel: one object of one kind carrying numbered tokens, its
 * registrations, and the ledger that proves every token is read exactly once
 * and in order.  The locks and the staleness clock are described in soak.h.
 *
 * Tokens: on a byte stream (pipe, socket pair) a token is 8 bytes naming the
 * channel, the incarnation and the token's number; the reader reassembles
 * them and checks each against the next number it expects, so a lost,
 * duplicated or reordered byte is caught at once.  On an eventfd a token is
 * a write of 1, on a plain source an increment of a counter kept beside it;
 * their reader adds up what it takes and may never get ahead of the writer.
 * When an incarnation ends (soak_chan_close) the closer drains what is left
 * and the two counts must be equal.
 */
#include "soak.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define FD_HOME 100   /* registration keys: fd = base + channel id */
#define FD_VICTIM 200
#define FD_SWEEP 300

static atomic_ullong next_gen; /* registration generations, never reused */

static uint64_t token(const struct soak_chan *c, uint64_t n)
{
    return (uint64_t)c->id << 48 | (c->incarnation & 0xffff) << 32 | (n & 0xffffffffu);
}

static uint32_t home_events(const struct soak_chan *c)
{
    switch (c->mode) {
    case SOAK_ET:
        return VEPOLL_IN | VEPOLL_ET;
    case SOAK_ONESHOT:
        return VEPOLL_IN | VEPOLL_ONESHOT;
    default:
        return VEPOLL_IN;
    }
}

uint64_t soak_chan_cookie(const struct soak_chan *c)
{
    return (uint64_t)c->id << SOAK_GEN_BITS | c->gen;
}

vepoll_source_t *soak_chan_source(struct soak_chan *c)
{
    switch (c->kind) {
    case SOAK_PIPE:
        return vepoll_pipe_source(c->pipe, VEPOLL_PIPE_READ);
    case SOAK_EVENTFD:
        return vepoll_eventfd_source(c->efd);
    case SOAK_SOCKET:
        return vepoll_socketpair_source(c->sp, 0);
    default:
        return c->plain;
    }
}

int soak_chan_init(struct soak_chan *c, int id)
{
    memset(c, 0, sizeof(*c));
    c->id = id;
    c->kind = (enum soak_kind)(id % SOAK_KINDS);
    c->mode = (enum soak_mode)(id / SOAK_KINDS % SOAK_MODES);
    c->home = soak.inner[id % SOAK_INNERS];
    if (pthread_mutex_init(&c->wmu, NULL) || pthread_mutex_init(&c->rmu, NULL) ||
        pthread_mutex_init(&c->regmu, NULL) || pthread_mutex_init(&c->plain_mu, NULL))
        return -ENOMEM;
    return 0;
}

/* Under regmu (or before any thread runs). */
static void record_removal(struct soak_chan *c, uint64_t gen)
{
    struct soak_removal *r = &c->removed[c->nremoved++ % SOAK_RING];
    r->gen = gen;
    r->seq = atomic_fetch_add(&soak.seq, 1) + 1;
}

/* The clock value at which registration `gen` was removed, or 0 if it is
 * live (or removed so long ago that an older entry stands for it: that
 * one's time is later than the real one, so the check stays sound). */
static uint64_t removal_seq(const struct soak_chan *c, uint64_t gen)
{
    uint64_t oldest_seq = 0, oldest_gen = UINT64_MAX;
    unsigned i, n = c->nremoved < SOAK_RING ? c->nremoved : SOAK_RING;
    for (i = 0; i < n; i++) {
        if (c->removed[i].gen == gen)
            return c->removed[i].seq;
        if (c->removed[i].gen < oldest_gen) {
            oldest_gen = c->removed[i].gen;
            oldest_seq = c->removed[i].seq;
        }
    }
    if (gen != c->gen && n == SOAK_RING && gen < oldest_gen)
        return oldest_seq;
    return 0;
}

static int add(vepoll_t *ep, int fd, vepoll_source_t *src, uint32_t events, uint64_t cookie)
{
    struct vepoll_event ev = {.events = events, .data.u64 = cookie};
    return vepoll_ctl(ep, VEPOLL_CTL_ADD, fd, src, &ev);
}

void soak_chan_add_to(struct soak_chan *c, vepoll_t *ep, uint32_t events)
{
    int rc = add(ep, FD_VICTIM + c->id, soak_chan_source(c), events, soak_chan_cookie(c));
    if (rc)
        soak_fail(&soak.fig.bad, "chan %d: ADD to a victim instance: %d", c->id, rc);
}

/* A new object and its registrations; all three locks held (or no thread
 * running yet). */
int soak_chan_open(struct soak_chan *c)
{
    int rc, i;
    switch (c->kind) {
    case SOAK_PIPE:
        rc = vepoll_pipe_create(&c->pipe, 16384, VEPOLL_NONBLOCK);
        break;
    case SOAK_EVENTFD:
        rc = vepoll_eventfd_create(&c->efd, 0, VEPOLL_NONBLOCK);
        break;
    case SOAK_SOCKET:
        rc = vepoll_socketpair_create(&c->sp, 4096, VEPOLL_NONBLOCK);
        break;
    default:
        rc = vepoll_source_create(&c->plain, 0);
        break;
    }
    if (rc)
        return rc;
    c->gen = atomic_fetch_add(&next_gen, 1) + 1;
    rc = add(c->home, FD_HOME + c->id, soak_chan_source(c), home_events(c),
             soak_chan_cookie(c));
    if (!rc)
        rc = add(soak.sweep, FD_SWEEP + c->id, soak_chan_source(c), VEPOLL_IN, 0);
    for (i = 0; !rc && i < SOAK_VICTIMS; i++) {
        struct soak_victim *v = &soak.victim[i];
        pthread_mutex_lock(&v->mu);
        if (v->ep)
            soak_chan_add_to(c, v->ep, VEPOLL_IN | VEPOLL_ET | VEPOLL_EXCLUSIVE);
        pthread_mutex_unlock(&v->mu);
    }
    return rc;
}

/* Counts n tokens read and checks the reader is not ahead of the writer. */
static void count_read(struct soak_chan *c, uint64_t n)
{
    uint64_t r = atomic_fetch_add(&c->read, n) + n;
    if (r > atomic_load(&c->written))
        soak_fail(&soak.fig.bad, "chan %d: read %llu tokens, only %llu written", c->id,
                  (unsigned long long)r, (unsigned long long)atomic_load(&c->written));
}

static void feed(struct soak_chan *c, const unsigned char *p, size_t len, uint64_t *n)
{
    size_t i;
    for (i = 0; i < len; i++) {
        uint64_t got;
        c->rbuf[c->rlen++] = p[i];
        if (c->rlen < 8)
            continue;
        c->rlen = 0;
        memcpy(&got, c->rbuf, 8);
        if (got != token(c, atomic_load(&c->read)))
            soak_fail(&soak.fig.lost, "chan %d: token %016llx, expected %016llx "
                      "(lost, duplicated or reordered)", c->id, (unsigned long long)got,
                      (unsigned long long)token(c, atomic_load(&c->read)));
        count_read(c, 1);
        (*n)++;
    }
}

/* Under rmu: reads until the object has nothing more; returns the tokens. */
static uint64_t read_all(struct soak_chan *c)
{
    unsigned char buf[256];
    uint64_t n = 0, v;
    ssize_t r;
    for (;;) {
        switch (c->kind) {
        case SOAK_PIPE:
            r = vepoll_pipe_read(c->pipe, buf, sizeof(buf), 0);
            break;
        case SOAK_SOCKET:
            r = vepoll_socketpair_read(c->sp, 0, buf, sizeof(buf), 0);
            break;
        case SOAK_EVENTFD:
            r = vepoll_eventfd_read(c->efd, &v, sizeof(v), 0);
            if (r == 8) {
                count_read(c, v);
                n += v;
            }
            break;
        default:
            pthread_mutex_lock(&c->plain_mu);
            v = c->plain_count;
            c->plain_count = 0;
            vepoll_source_update(c->plain, 0, VEPOLL_IN);
            pthread_mutex_unlock(&c->plain_mu);
            count_read(c, v);
            return n + v;
        }
        if (r == -EAGAIN)
            return n;
        if (r <= 0) {
            soak_fail(&soak.fig.bad, "chan %d (kind %d): read gave %zd", c->id, c->kind, r);
            return n;
        }
        if (c->kind == SOAK_PIPE || c->kind == SOAK_SOCKET)
            feed(c, buf, (size_t)r, &n);
    }
}

bool soak_chan_write_token(struct soak_chan *c)
{
    uint64_t v = 1, t;
    ssize_t r;
    bool wrote = false;
    pthread_mutex_lock(&c->wmu);
    switch (c->kind) {
    case SOAK_PIPE:
        t = token(c, atomic_fetch_add(&c->written, 1));
        r = vepoll_pipe_write(c->pipe, &t, sizeof(t), 0);
        wrote = r == 8;
        if (!wrote)
            atomic_fetch_sub(&c->written, 1);
        break;
    case SOAK_SOCKET:
        if (!c->wlen) { /* a new token: counted while any byte of it is out */
            t = token(c, atomic_fetch_add(&c->written, 1));
            memcpy(c->wbuf, &t, 8);
        }
        r = vepoll_socketpair_write(c->sp, 1, c->wbuf + c->wlen, 8 - c->wlen, 0);
        if (r > 0) {
            wrote = c->wlen == 0;
            c->wlen = (c->wlen + (unsigned)r) % 8;
        } else if (!c->wlen) {
            atomic_fetch_sub(&c->written, 1);
        }
        break;
    case SOAK_EVENTFD:
        atomic_fetch_add(&c->written, 1);
        r = vepoll_eventfd_write(c->efd, &v, sizeof(v), 0);
        wrote = r == 8;
        if (!wrote)
            atomic_fetch_sub(&c->written, 1);
        break;
    default:
        pthread_mutex_lock(&c->plain_mu);
        atomic_fetch_add(&c->written, 1);
        c->plain_count++;
        vepoll_source_update(c->plain, VEPOLL_IN, 0); /* mostly the fast path */
        pthread_mutex_unlock(&c->plain_mu);
        wrote = true;
        r = 0;
        break;
    }
    if (!wrote && r < 0 && r != -EAGAIN)
        soak_fail(&soak.fig.bad, "chan %d (kind %d): write gave %zd", c->id, c->kind, r);
    pthread_mutex_unlock(&c->wmu);
    return wrote;
}

void soak_chan_consume(struct soak_chan *c, uint64_t gen, uint64_t snapshot)
{
    uint64_t removed, n;
    pthread_mutex_lock(&c->regmu);
    removed = removal_seq(c, gen);
    pthread_mutex_unlock(&c->regmu);
    if (removed && removed <= snapshot)
        soak_fail(&soak.fig.stale, "chan %d: event for registration %llu, removed at %llu, "
                  "before the wait began (%llu)", c->id, (unsigned long long)gen,
                  (unsigned long long)removed, (unsigned long long)snapshot);
    pthread_mutex_lock(&c->rmu);
    n = read_all(c);
    atomic_fetch_add(&soak.fig.tokens_read, n);
    if (c->mode == SOAK_ONESHOT) {
        pthread_mutex_lock(&c->regmu);
        if (c->gen == gen) { /* re-arm after draining, as a server would */
            struct vepoll_event ev = {.events = home_events(c), .data.u64 = soak_chan_cookie(c)};
            int rc = vepoll_ctl(c->home, VEPOLL_CTL_MOD, FD_HOME + c->id,
                                soak_chan_source(c), &ev);
            if (rc)
                soak_fail(&soak.fig.bad, "chan %d: re-arm MOD gave %d", c->id, rc);
            atomic_fetch_add(&soak.fig.mods, 1);
        }
        pthread_mutex_unlock(&c->regmu);
    }
    pthread_mutex_unlock(&c->rmu);
}

/* DEL + ADD (a new generation) in the home instance, or a MOD, or the same
 * in the sweep instance. */
void soak_chan_churn(struct soak_chan *c, int what)
{
    vepoll_source_t *src;
    int rc;
    pthread_mutex_lock(&c->regmu);
    src = soak_chan_source(c);
    if (what == 0) {
        uint64_t old = c->gen;
        rc = vepoll_ctl(c->home, VEPOLL_CTL_DEL, FD_HOME + c->id, src, NULL);
        if (rc)
            soak_fail(&soak.fig.bad, "chan %d: churn DEL gave %d", c->id, rc);
        record_removal(c, old);
        c->gen = atomic_fetch_add(&next_gen, 1) + 1;
        rc = add(c->home, FD_HOME + c->id, src, home_events(c), soak_chan_cookie(c));
    } else if (what == 1) {
        struct vepoll_event ev = {.events = home_events(c), .data.u64 = soak_chan_cookie(c)};
        rc = vepoll_ctl(c->home, VEPOLL_CTL_MOD, FD_HOME + c->id, src, &ev);
    } else {
        rc = vepoll_ctl(soak.sweep, VEPOLL_CTL_DEL, FD_SWEEP + c->id, src, NULL);
        if (!rc)
            rc = add(soak.sweep, FD_SWEEP + c->id, src, VEPOLL_IN, 0);
    }
    if (rc)
        soak_fail(&soak.fig.bad, "chan %d: churn %d gave %d", c->id, what, rc);
    pthread_mutex_unlock(&c->regmu);
}

static void close_object(struct soak_chan *c)
{
    switch (c->kind) {
    case SOAK_PIPE:
        vepoll_pipe_close(c->pipe, VEPOLL_PIPE_WRITE);
        vepoll_pipe_close(c->pipe, VEPOLL_PIPE_READ);
        c->pipe = NULL;
        break;
    case SOAK_EVENTFD:
        vepoll_eventfd_close(c->efd);
        c->efd = NULL;
        break;
    case SOAK_SOCKET:
        vepoll_socketpair_close(c->sp, 1);
        vepoll_socketpair_close(c->sp, 0);
        c->sp = NULL;
        break;
    default:
        vepoll_source_close(c->plain);
        c->plain = NULL;
        break;
    }
}

/* All three locks held: finish a half-sent token, take what is left (the
 * closer's own reads, counted apart from the consumers'), and check the
 * ledger balances. */
static void drain(struct soak_chan *c)
{
    uint64_t n = 0;
    while (c->wlen) {
        ssize_t r = vepoll_socketpair_write(c->sp, 1, c->wbuf + c->wlen, 8 - c->wlen, 0);
        if (r > 0)
            c->wlen = (c->wlen + (unsigned)r) % 8;
        else
            n += read_all(c);
    }
    n += read_all(c);
    atomic_fetch_add(&soak.fig.tokens_drained, n);
    if (atomic_load(&c->read) != atomic_load(&c->written) || c->rlen)
        soak_fail(&soak.fig.lost, "chan %d: incarnation ends with %llu written, %llu read",
                  c->id, (unsigned long long)atomic_load(&c->written),
                  (unsigned long long)atomic_load(&c->read));
}

static void lock_all(struct soak_chan *c)
{
    pthread_mutex_lock(&c->wmu);
    pthread_mutex_lock(&c->rmu);
    pthread_mutex_lock(&c->regmu);
}

static void unlock_all(struct soak_chan *c)
{
    pthread_mutex_unlock(&c->regmu);
    pthread_mutex_unlock(&c->rmu);
    pthread_mutex_unlock(&c->wmu);
}

/* The final close of the object (racing with producers' wake-ups of other
 * channels, consumers, interrupts, other closes) and a new incarnation. */
void soak_chan_close(struct soak_chan *c, bool reopen)
{
    int rc;
    lock_all(c);
    drain(c);
    close_object(c);
    record_removal(c, c->gen);
    c->gen = 0;
    atomic_store(&c->written, 0);
    atomic_store(&c->read, 0);
    c->incarnation++;
    if (reopen && (rc = soak_chan_open(c)) != 0)
        soak_fail(&soak.fig.bad, "chan %d: reopen gave %d", c->id, rc);
    unlock_all(c);
}

bool soak_chan_settled(struct soak_chan *c)
{
    bool settled;
    pthread_mutex_lock(&c->wmu);
    settled = atomic_load(&c->read) + (c->wlen != 0) == atomic_load(&c->written);
    pthread_mutex_unlock(&c->wmu);
    return settled;
}

void soak_chan_report(struct soak_chan *c)
{
    fprintf(stderr, "  chan %d kind %d mode %d: written %llu read %llu (gen %llu)\n", c->id,
            c->kind, c->mode, (unsigned long long)atomic_load(&c->written),
            (unsigned long long)atomic_load(&c->read), (unsigned long long)c->gen);
}

void soak_chan_destroy(struct soak_chan *c)
{
    pthread_mutex_destroy(&c->wmu);
    pthread_mutex_destroy(&c->rmu);
    pthread_mutex_destroy(&c->regmu);
    pthread_mutex_destroy(&c->plain_mu);
}
