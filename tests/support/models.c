/*
 * Test models of a pipe, an eventfd counter and an AF_UNIX stream socket
 * pair, built only on the public producer hook.  See models.h and
 * docs/SEMANTICS.md (the scenarios cited below) for the rules.
 *
 * Every readiness change goes through publish(): the new readiness is set
 * exactly, and only the bits of `events` that are currently true are issued
 * as wake-up events.  Updates are made under the object's mutex so that the
 * published readiness always matches the model's state; final closes of a
 * source happen after the mutex is released (the end pointer is NULL by
 * then, so nobody else can touch it).
 */
#include "models.h"

#include <errno.h>

#define RD_BITS (VEPOLL_IN | VEPOLL_RDNORM)
#define WR_BITS (VEPOLL_OUT | VEPOLL_WRNORM)

/* Set src's readiness to `now`; issue `events & now` as wake-up events.
 * (A bit that becomes true is always part of `events` in these models; it
 * is added to `set` regardless, since update cannot raise a bit silently.) */
static void publish(vepoll_source_t *src, uint32_t now, uint32_t events)
{
    uint32_t old = vepoll_source_ready(src);
    uint32_t set = (events & now) | (now & ~old);
    uint32_t clear = old & ~now;
    if (set != 0 || clear != 0)
        vepoll_source_update(src, set, clear);
}

/* ---- pipe ---------------------------------------------------------------- */

static size_t pipe_slot(const tpipe *p)
{
    return p->cap < TPIPE_SLOT ? p->cap : TPIPE_SLOT;
}

static bool pipe_writable(const tpipe *p)
{
    return p->cap - p->len >= pipe_slot(p);
}

static uint32_t pipe_r_ready(const tpipe *p)
{
    uint32_t r = 0;
    if (p->len > 0)
        r |= RD_BITS;
    if (p->w == NULL)
        r |= VEPOLL_HUP;
    return r;
}

static uint32_t pipe_w_ready(const tpipe *p)
{
    uint32_t r = 0;
    if (pipe_writable(p))
        r |= WR_BITS;
    if (p->r == NULL)
        r |= VEPOLL_ERR;
    return r;
}

int tpipe_init(tpipe *p, size_t cap)
{
    int rc;
    if (p == NULL)
        return -EINVAL;
    p->cap = cap == 0 ? TPIPE_DEFAULT_CAP : cap;
    p->len = 0;
    p->r = p->w = NULL;
    rc = pthread_mutex_init(&p->mu, NULL);
    if (rc != 0)
        return -rc;
    rc = vepoll_source_create(&p->r, 0);
    if (rc < 0)
        goto fail;
    rc = vepoll_source_create(&p->w, WR_BITS);
    if (rc < 0) {
        vepoll_source_close(p->r);
        p->r = NULL;
        goto fail;
    }
    return 0;
fail:
    pthread_mutex_destroy(&p->mu);
    return rc;
}

ssize_t tpipe_write(tpipe *p, size_t n)
{
    ssize_t ret;
    pthread_mutex_lock(&p->mu);
    if (p->w == NULL) {
        ret = -EBADF;
    } else if (p->r == NULL) {
        ret = -EPIPE;
    } else if (n == 0) {
        ret = 0;
    } else {
        size_t space = p->cap - p->len;
        size_t k;
        if (n <= TPIPE_SLOT) /* PIPE_BUF: all or nothing */
            k = space >= n ? n : 0;
        else
            k = space < n ? space : n;
        if (k == 0) {
            ret = -EAGAIN;
        } else {
            p->len += k;
            ret = (ssize_t)k;
            /* every write is an IN event for the reader (S039) */
            publish(p->r, pipe_r_ready(p), RD_BITS);
            publish(p->w, pipe_w_ready(p), 0);
        }
    }
    pthread_mutex_unlock(&p->mu);
    return ret;
}

ssize_t tpipe_read(tpipe *p, size_t n)
{
    ssize_t ret;
    pthread_mutex_lock(&p->mu);
    if (p->r == NULL) {
        ret = -EBADF;
    } else if (n == 0) {
        ret = 0;
    } else if (p->len == 0) {
        ret = p->w == NULL ? 0 : -EAGAIN;
    } else {
        bool was_writable = pipe_writable(p);
        size_t k = n < p->len ? n : p->len;
        p->len -= k;
        ret = (ssize_t)k;
        publish(p->r, pipe_r_ready(p), 0);
        if (p->w != NULL) {
            /* OUT event only when a slot became free (S045) */
            uint32_t ev = (!was_writable && pipe_writable(p)) ? WR_BITS : 0;
            publish(p->w, pipe_w_ready(p), ev);
        }
    }
    pthread_mutex_unlock(&p->mu);
    return ret;
}

ssize_t tpipe_drain(tpipe *p)
{
    ssize_t total = 0;
    for (;;) {
        ssize_t k = tpipe_read(p, 65536);
        if (k <= 0)
            return (k < 0 && k != -EAGAIN && total == 0) ? k : total;
        total += k;
    }
}

ssize_t tpipe_fill(tpipe *p)
{
    ssize_t total = 0;
    for (;;) {
        ssize_t k = tpipe_write(p, p->cap);
        if (k <= 0)
            return (k < 0 && k != -EAGAIN && total == 0) ? k : total;
        total += k;
    }
}

void tpipe_close_r(tpipe *p)
{
    vepoll_source_t *src;
    pthread_mutex_lock(&p->mu);
    src = p->r;
    p->r = NULL;
    if (src != NULL && p->w != NULL) /* ERR (+OUT if a slot is free) */
        publish(p->w, pipe_w_ready(p), VEPOLL_ERR | WR_BITS);
    pthread_mutex_unlock(&p->mu);
    if (src != NULL)
        vepoll_source_close(src);
}

void tpipe_close_w(tpipe *p)
{
    vepoll_source_t *src;
    pthread_mutex_lock(&p->mu);
    src = p->w;
    p->w = NULL;
    if (src != NULL && p->r != NULL)
        publish(p->r, pipe_r_ready(p), VEPOLL_HUP);
    pthread_mutex_unlock(&p->mu);
    if (src != NULL)
        vepoll_source_close(src);
}

void tpipe_destroy(tpipe *p)
{
    tpipe_close_r(p);
    tpipe_close_w(p);
    pthread_mutex_destroy(&p->mu);
}

/* ---- eventfd counter ------------------------------------------------------ */

static uint32_t efd_ready(const tefd *f)
{
    uint32_t r = 0;
    if (f->value > 0)
        r |= VEPOLL_IN;
    if (f->value < TEFD_MAX)
        r |= VEPOLL_OUT;
    return r;
}

int tefd_init(tefd *f, uint64_t initial, bool semaphore)
{
    int rc;
    if (f == NULL || initial > TEFD_MAX)
        return -EINVAL;
    f->value = initial;
    f->sem = semaphore;
    f->src = NULL;
    rc = pthread_mutex_init(&f->mu, NULL);
    if (rc != 0)
        return -rc;
    rc = vepoll_source_create(&f->src, efd_ready(f));
    if (rc < 0) {
        pthread_mutex_destroy(&f->mu);
        return rc;
    }
    return 0;
}

int tefd_write(tefd *f, uint64_t v)
{
    int ret = 0;
    if (v == UINT64_MAX)
        return -EINVAL;
    pthread_mutex_lock(&f->mu);
    if (f->src == NULL) {
        ret = -EBADF;
    } else if (TEFD_MAX - f->value < v) {
        ret = -EAGAIN;
    } else {
        f->value += v;
        /* every write wakes with IN; a write of 0 at 0 is not readable */
        publish(f->src, efd_ready(f), VEPOLL_IN);
    }
    pthread_mutex_unlock(&f->mu);
    return ret;
}

int tefd_read(tefd *f, uint64_t *out)
{
    int ret = 0;
    pthread_mutex_lock(&f->mu);
    if (f->src == NULL) {
        ret = -EBADF;
    } else if (f->value == 0) {
        ret = -EAGAIN;
    } else {
        uint64_t got = f->sem ? 1 : f->value;
        f->value -= got;
        if (out != NULL)
            *out = got;
        /* every read wakes with OUT (S046) */
        publish(f->src, efd_ready(f), VEPOLL_OUT);
    }
    pthread_mutex_unlock(&f->mu);
    return ret;
}

void tefd_destroy(tefd *f)
{
    vepoll_source_t *src;
    pthread_mutex_lock(&f->mu);
    src = f->src;
    f->src = NULL;
    pthread_mutex_unlock(&f->mu);
    if (src != NULL)
        vepoll_source_close(src);
    pthread_mutex_destroy(&f->mu);
}

/* ---- stream socket pair ----------------------------------------------------- */

static bool sock_valid_end(int end)
{
    return end == 0 || end == 1;
}

static uint32_t sock_ready(const tsock *s, int i)
{
    uint32_t r = 0;
    int peer = 1 - i;
    if (s->buf[i] > 0 || s->rd_shut[i])
        r |= RD_BITS;
    if (s->rd_shut[i])
        r |= VEPOLL_RDHUP;
    if (s->buf[peer] < s->cap) /* room in the peer's receive queue */
        r |= WR_BITS;
    if (s->rd_shut[i] && s->wr_shut[i])
        r |= VEPOLL_HUP;
    return r;
}

/* Wake end i with all its current readiness (Linux wakes with key 0). */
static void sock_state_change(tsock *s, int i)
{
    if (s->end[i] != NULL) {
        uint32_t now = sock_ready(s, i);
        publish(s->end[i], now, now);
    }
}

int tsock_init(tsock *s, size_t cap)
{
    int rc;
    if (s == NULL)
        return -EINVAL;
    s->cap = cap == 0 ? 65536u : cap;
    for (int i = 0; i < 2; i++) {
        s->end[i] = NULL;
        s->buf[i] = 0;
        s->rd_shut[i] = false;
        s->wr_shut[i] = false;
    }
    rc = pthread_mutex_init(&s->mu, NULL);
    if (rc != 0)
        return -rc;
    rc = vepoll_source_create(&s->end[0], sock_ready(s, 0));
    if (rc < 0)
        goto fail;
    rc = vepoll_source_create(&s->end[1], sock_ready(s, 1));
    if (rc < 0) {
        vepoll_source_close(s->end[0]);
        s->end[0] = NULL;
        goto fail;
    }
    return 0;
fail:
    pthread_mutex_destroy(&s->mu);
    return rc;
}

ssize_t tsock_write(tsock *s, int end, size_t n)
{
    ssize_t ret;
    int peer = 1 - end;
    if (!sock_valid_end(end))
        return -EBADF;
    pthread_mutex_lock(&s->mu);
    if (s->end[end] == NULL) {
        ret = -EBADF;
    } else if (s->wr_shut[end] || s->end[peer] == NULL || s->rd_shut[peer]) {
        ret = -EPIPE;
    } else if (n == 0) {
        ret = 0;
    } else if (s->buf[peer] >= s->cap) {
        ret = -EAGAIN;
    } else {
        size_t space = s->cap - s->buf[peer];
        size_t k = n < space ? n : space;
        s->buf[peer] += k;
        ret = (ssize_t)k;
        /* every write is an IN event for the peer (S039) */
        publish(s->end[peer], sock_ready(s, peer), RD_BITS);
        publish(s->end[end], sock_ready(s, end), 0);
    }
    pthread_mutex_unlock(&s->mu);
    return ret;
}

ssize_t tsock_read(tsock *s, int end, size_t n)
{
    ssize_t ret;
    int peer = 1 - end;
    if (!sock_valid_end(end))
        return -EBADF;
    pthread_mutex_lock(&s->mu);
    if (s->end[end] == NULL) {
        ret = -EBADF;
    } else if (n == 0) {
        ret = 0;
    } else if (s->buf[end] == 0) {
        ret = s->rd_shut[end] ? 0 : -EAGAIN;
    } else {
        size_t k = n < s->buf[end] ? n : s->buf[end];
        s->buf[end] -= k;
        ret = (ssize_t)k;
        publish(s->end[end], sock_ready(s, end), 0);
        /* consumption is an OUT event for the writer (S044, S046) */
        if (s->end[peer] != NULL)
            publish(s->end[peer], sock_ready(s, peer), WR_BITS);
    }
    pthread_mutex_unlock(&s->mu);
    return ret;
}

int tsock_shutdown(tsock *s, int end, int how)
{
    int peer = 1 - end;
    if (!sock_valid_end(end))
        return -EBADF;
    if (how != TSOCK_SHUT_RD && how != TSOCK_SHUT_WR && how != TSOCK_SHUT_RDWR)
        return -EINVAL;
    pthread_mutex_lock(&s->mu);
    if (s->end[end] == NULL) {
        pthread_mutex_unlock(&s->mu);
        return -EBADF;
    }
    if (how == TSOCK_SHUT_RD || how == TSOCK_SHUT_RDWR) {
        s->rd_shut[end] = true;
        if (s->end[peer] != NULL)
            s->wr_shut[peer] = true;
    }
    if (how == TSOCK_SHUT_WR || how == TSOCK_SHUT_RDWR) {
        s->wr_shut[end] = true;
        if (s->end[peer] != NULL)
            s->rd_shut[peer] = true;
    }
    sock_state_change(s, end);
    sock_state_change(s, peer);
    pthread_mutex_unlock(&s->mu);
    return 0;
}

void tsock_close(tsock *s, int end)
{
    vepoll_source_t *src;
    int peer = 1 - end;
    if (!sock_valid_end(end))
        return;
    pthread_mutex_lock(&s->mu);
    src = s->end[end];
    if (src != NULL) {
        s->end[end] = NULL;
        s->rd_shut[0] = s->rd_shut[1] = true;
        s->wr_shut[0] = s->wr_shut[1] = true;
        s->buf[end] = 0; /* own receive queue is purged */
        sock_state_change(s, peer);
    }
    pthread_mutex_unlock(&s->mu);
    if (src != NULL)
        vepoll_source_close(src);
}

void tsock_destroy(tsock *s)
{
    tsock_close(s, 0);
    tsock_close(s, 1);
    pthread_mutex_destroy(&s->mu);
}
