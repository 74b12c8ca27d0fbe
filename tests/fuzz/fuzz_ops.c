/*
 * libFuzzer target "ops": the input is decoded into a sequence of vepoll
 * calls on up to 7 instances and 6 sources (create/close, ctl with arbitrary
 * ops, fds, masks and NULL pointers, nesting, update with arbitrary set and
 * clear, source close, waits with arbitrary maxevents, interrupts, wake-up
 * callbacks, the watch limit, injected allocation failures).  Every call is
 * replayed on the reference model (tests/support/refmodel.c); any difference in a
 * return value, a reported event (cookie, bits, order), a readiness query, a
 * wake-up callback count, or an entry written past the returned count
 * aborts.  After the sequence everything is closed and the counting
 * allocator must be back to zero live blocks.
 *
 * A call made while an allocation failure is armed may return -ENOMEM
 * instead of the model's 0 (never instead of an error): the model then does
 * not apply it, so every later step checks that the failed call changed
 * nothing.
 *
 * The calls are all made on one thread.  A second thread, started once by
 * LLVMFuzzerInitialize, uses vepoll once (a wait on an instance of its
 * own, closed again) and then sleeps for good: it holds a thread
 * descriptor (src/core/token.h), so every DEL owes a grace period and goes
 * through the retired list (src/core/retire.h), which the zero-live-blocks
 * check after each input then covers.  It touches nothing of the inputs'
 * objects, so there is no concurrency here to state a contract for.
 *
 * VEPOLL_FUZZ_TRACE=1 prints the decoded operations (for bug reports).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refmodel.h"
#include "vtest.h"

#define NI 7    /* instance slots: a path of 6 must be possible (ELOOP) */
#define NS 6    /* plain source slots */
#define BUF 160 /* > (NI-1 + NS sources) x 8 fds: every entry fits */
#define MAX_OPS 1024

/* ---- state ------------------------------------------------------------------ */

static struct rm model;
static vepoll_t *ep[NI];
static vepoll_source_t *src[NS];
static struct {
    bool on;
    uint64_t calls;
} wk[NI];
static bool trace;
static int opno;

static void wake_cb(void *arg)
{
    ((uint64_t *)arg)[0]++;
}

#define T(...) vt_trace(opno, __VA_ARGS__) /* VEPOLL_FUZZ_TRACE=1 */

static void fail(const char *fmt, long long lib, long long exp)
{
    fprintf(stderr, "vepoll diverges from the model at op %d: ", opno);
    fprintf(stderr, fmt, lib, exp);
    fputc('\n', stderr);
    abort();
}

/* ---- input decoding ------------------------------------------------------------ */

static uint32_t u32(struct vt_in *in)
{
    uint32_t v = 0;
    int i;
    for (i = 0; i < 4; i++)
        v = v << 8 | vt_in_u8(in);
    return v;
}

static uint64_t u64(struct vt_in *in)
{
    return (uint64_t)u32(in) << 32 | u32(in);
}

static const uint32_t bit_table[16] = {
    VEPOLL_IN,     VEPOLL_PRI,    VEPOLL_OUT,       VEPOLL_ERR,
    VEPOLL_HUP,    VEPOLL_RDNORM, VEPOLL_RDBAND,    VEPOLL_WRNORM,
    VEPOLL_WRBAND, VEPOLL_MSG,    VEPOLL_RDHUP,     VEPOLL_EXCLUSIVE,
    VEPOLL_WAKEUP, VEPOLL_ONESHOT, VEPOLL_ET,       0x00100000u,
};

/* A mask: a 16-bit selector over bit_table (meaningful bits), or, after an
 * 0xff escape byte, a raw 32-bit word. */
static uint32_t mask(struct vt_in *in)
{
    uint8_t lo = vt_in_u8(in);
    unsigned sel;
    uint32_t v = 0;
    int i;
    if (lo == 0xff)
        return u32(in);
    sel = lo | (unsigned)vt_in_u8(in) << 8;
    for (i = 0; i < 16; i++)
        if (sel & (1u << i))
            v |= bit_table[i];
    return v;
}

static uint64_t cookie(struct vt_in *in)
{
    uint8_t c = vt_in_u8(in);
    return c == 0xff ? u64(in) : c * UINT64_C(0x9E3779B97F4A7C15);
}

static int fd_of(uint8_t b)
{
    static const int fds[8] = {0, 1, 2, 3, -1, INT_MAX, INT_MIN, 7};
    return fds[b & 7];
}

static int maxev_of(uint8_t b)
{
    static const int v[16] = {1, 2, 3, 4, 8, 64, 0, -1, INT_MIN,
                              (int)(INT_MAX / sizeof(struct vepoll_event)),
                              (int)(INT_MAX / sizeof(struct vepoll_event)) + 1,
                              INT_MAX, 5, 1, 2, BUF};
    return v[b & 15];
}

/* Instance argument: a live slot, or NULL (-1). */
static int inst_arg(uint8_t b)
{
    int i = b % (NI + 1);
    return i < NI && ep[i] ? i : -1;
}

struct sref {
    struct rm_ref ref;
    vepoll_source_t *ptr;
};

static struct sref src_arg(uint8_t b)
{
    struct sref s = {{RM_NULL, 0}, NULL};
    int v = b % (NS + NI + 2);
    if (v < NS && src[v]) {
        s.ref.kind = RM_PLAIN;
        s.ref.id = v;
        s.ptr = src[v];
    } else if (v >= NS && v < NS + NI && ep[v - NS]) {
        s.ref.kind = RM_INST;
        s.ref.id = v - NS;
        s.ptr = vepoll_as_source(ep[v - NS]);
    }
    return s;
}

static const char *ref_name(struct rm_ref r, char *buf, size_t n)
{
    if (r.kind == RM_PLAIN)
        snprintf(buf, n, "S%d", r.id);
    else if (r.kind == RM_INST)
        snprintf(buf, n, "E%d.self", r.id);
    else
        snprintf(buf, n, "NULL");
    return buf;
}

/* ---- checks ---------------------------------------------------------------------- */

/* An allocating call: the library may report an injected -ENOMEM where the
 * model succeeds.  Returns whether the model should apply the call. */
static bool judge_alloc(int lib, int exp)
{
    T("  = %d%s", lib, lib == -ENOMEM ? " (injected)" : "");
    if (lib == -ENOMEM && exp == 0 && vt_alloc_injected())
        return false;
    if (lib != exp)
        fail("rc %lld, model %lld", lib, exp);
    return exp == 0;
}

static void judge(int lib, int exp)
{
    T("  = %d", lib);
    if (lib != exp)
        fail("rc %lld, model %lld", lib, exp);
}

static void check_wakeups(void)
{
    int i;
    for (i = 0; i < NI; i++)
        if (ep[i] && wk[i].on && wk[i].calls != model.inst[i].wakeups)
            fail("wake-up callback ran %lld times, model %lld",
                 (long long)wk[i].calls, (long long)model.inst[i].wakeups);
}

static void check_ready(void)
{
    int i;
    for (i = 0; i < NS; i++) {
        struct rm_ref r = {RM_PLAIN, i};
        if (src[i] &&
            vepoll_source_ready(src[i]) != rm_source_ready(&model, r))
            fail("readiness 0x%llx, model 0x%llx",
                 (long long)vepoll_source_ready(src[i]),
                 (long long)rm_source_ready(&model, r));
    }
}

/* ---- operations ------------------------------------------------------------------- */

static void op_create(struct vt_in *in)
{
    uint8_t b = vt_in_u8(in);
    int i = b % (NI + 1);
    vepoll_t *e = (vepoll_t *)&model; /* sentinel: must stay on failure */
    if (i == NI) {
        T("vepoll_create(NULL)");
        judge(vepoll_create(NULL), -EINVAL);
        return;
    }
    if (ep[i])
        return;
    T("E%d = vepoll_create()", i);
    if (judge_alloc(vepoll_create(&e), 0)) {
        ep[i] = e;
        rm_create(&model, i);
        wk[i].on = false;
    } else if (e != (vepoll_t *)&model) {
        fail("vepoll_create wrote *out on failure%lld%lld", 0, 0);
    }
}

static void op_close(struct vt_in *in)
{
    int i = inst_arg(vt_in_u8(in));
    T("vepoll_close(E%d)", i);
    if (i < 0) {
        judge(vepoll_close(NULL), -EBADF);
        return;
    }
    judge(vepoll_close(ep[i]), 0);
    ep[i] = NULL;
    rm_close(&model, i);
}

static void op_source_create(struct vt_in *in)
{
    uint8_t b = vt_in_u8(in);
    int i = b % (NS + 1);
    uint32_t ready = mask(in);
    vepoll_source_t *s = (vepoll_source_t *)&model;
    if (i == NS) {
        T("vepoll_source_create(NULL)");
        judge(vepoll_source_create(NULL, ready), -EINVAL);
        return;
    }
    if (src[i])
        return;
    T("S%d = vepoll_source_create(0x%" PRIx32 ")", i, ready);
    if (judge_alloc(vepoll_source_create(&s, ready), 0)) {
        src[i] = s;
        rm_source_create(&model, i, ready);
    } else if (s != (vepoll_source_t *)&model) {
        fail("vepoll_source_create wrote *out on failure%lld%lld", 0, 0);
    }
}

static void op_source_close(struct vt_in *in)
{
    struct sref s = src_arg(vt_in_u8(in));
    char nb[16];
    T("vepoll_source_close(%s)", ref_name(s.ref, nb, sizeof nb));
    vepoll_source_close(s.ptr);
    rm_source_close(&model, s.ref);
    if (s.ref.kind == RM_PLAIN)
        src[s.ref.id] = NULL;
}

static void op_ctl(struct vt_in *in)
{
    static const int ops[8] = {VEPOLL_CTL_ADD, VEPOLL_CTL_ADD, VEPOLL_CTL_MOD,
                               VEPOLL_CTL_DEL, VEPOLL_CTL_MOD, 0, 4, -1};
    uint8_t a = vt_in_u8(in), b = vt_in_u8(in);
    int i = inst_arg(a);
    int op = ops[b & 7];
    int fd = fd_of((uint8_t)(b >> 3));
    bool has_ev = (b & 0xc0) != 0xc0;
    struct sref s = src_arg(vt_in_u8(in));
    uint32_t events = mask(in);
    uint64_t data = cookie(in);
    struct vepoll_event ev;
    char nb[16];
    int lib, exp;
    if (a >= 0xf8) /* a rare wild op */
        op = (int)u32(in);
    memset(&ev, 0, sizeof ev);
    ev.events = events;
    ev.data.u64 = data;
    T("vepoll_ctl(E%d, op %d, fd %d, %s, %s 0x%" PRIx32 " 0x%" PRIx64 ")", i,
      op, fd, ref_name(s.ref, nb, sizeof nb), has_ev ? "ev" : "NULL", events,
      data);
    lib = vepoll_ctl(i < 0 ? NULL : ep[i], op, fd, s.ptr, has_ev ? &ev : NULL);
    exp = rm_ctl(&model, i, op, fd, s.ref, has_ev, events, data, false);
    if (op == VEPOLL_CTL_ADD ? judge_alloc(lib, exp) : (judge(lib, exp), exp == 0))
        rm_ctl(&model, i, op, fd, s.ref, has_ev, events, data, true);
}

static void op_update(struct vt_in *in)
{
    struct sref s = src_arg(vt_in_u8(in));
    uint32_t set = mask(in), clear = mask(in);
    char nb[16];
    T("vepoll_source_update(%s, set 0x%" PRIx32 ", clear 0x%" PRIx32 ")",
      ref_name(s.ref, nb, sizeof nb), set, clear);
    vepoll_source_update(s.ptr, set, clear);
    rm_update(&model, s.ref, set, clear);
}

static void op_wait(struct vt_in *in)
{
    uint8_t a = vt_in_u8(in), b = vt_in_u8(in);
    int i = inst_arg(a);
    int maxevents = maxev_of(b);
    bool has_buf = (b & 0x30) != 0x30;
    int tsel = b >> 6;
    int64_t timeout = 0;
    bool would_block = false;
    struct vepoll_event got[BUF + 1];
    struct rm_event want[BUF];
    int lib, exp, k;

    if (tsel == 2) {
        timeout = 1; /* 1 ns: expires at once, never early */
        would_block = true;
    } else if (tsel == 3 && i >= 0) {
        /* An infinite (or INT64_MAX) wait, only when the model says it
         * returns at once: events, a pending interrupt or an error. */
        if (rm_wait_returns_now(&model, i, has_buf, maxevents)) {
            timeout = (a & 1) ? INT64_MAX : -1;
            would_block = true;
        }
    }
    memset(got, 0xa5, sizeof got);
    T("vepoll_wait(E%d, %s, %d, %" PRId64 ")", i, has_buf ? "buf" : "NULL",
      maxevents, timeout);
    lib = vepoll_wait(i < 0 ? NULL : ep[i], has_buf ? got : NULL, maxevents,
                      timeout);
    exp = rm_wait(&model, i, has_buf, maxevents, would_block, want);
    if (trace)
        for (k = 0; k < lib; k++)
            T("  -> [0x%" PRIx64 ":0x%" PRIx32 "]", got[k].data.u64,
              got[k].events);
    judge(lib, exp);
    for (k = 0; k < exp; k++) {
        if (got[k].data.u64 != want[k].data)
            fail("event cookie 0x%llx, model 0x%llx",
                 (long long)got[k].data.u64, (long long)want[k].data);
        if (got[k].events != want[k].events)
            fail("event bits 0x%llx, model 0x%llx", got[k].events,
                 want[k].events);
    }
    for (k = exp < 0 ? 0 : exp; k <= BUF; k++) {
        const unsigned char *p = (const unsigned char *)&got[k];
        size_t j;
        for (j = 0; j < sizeof got[k]; j++)
            if (p[j] != 0xa5)
                fail("entry %lld written past the count %lld", k, exp);
    }
}

static void op_interrupt(struct vt_in *in)
{
    int i = inst_arg(vt_in_u8(in));
    T("vepoll_interrupt(E%d)", i);
    judge(vepoll_interrupt(i < 0 ? NULL : ep[i]), rm_interrupt(&model, i));
}

static void op_ready(struct vt_in *in)
{
    struct sref s = src_arg(vt_in_u8(in));
    char nb[16];
    uint32_t lib, exp;
    T("vepoll_source_ready(%s)", ref_name(s.ref, nb, sizeof nb));
    lib = vepoll_source_ready(s.ptr);
    exp = rm_source_ready(&model, s.ref);
    if (lib != exp)
        fail("readiness 0x%llx, model 0x%llx", lib, exp);
}

static void op_wakeup(struct vt_in *in)
{
    uint8_t b = vt_in_u8(in);
    int i = inst_arg(b);
    bool on = (b & 0x80) != 0;
    T("vepoll_set_wakeup(E%d, %s)", i, on ? "fn" : "NULL");
    if (i < 0) {
        judge(vepoll_set_wakeup(NULL, on ? wake_cb : NULL, NULL), -EBADF);
        return;
    }
    judge(vepoll_set_wakeup(ep[i], on ? wake_cb : NULL, &wk[i].calls), 0);
    wk[i].on = on;
    wk[i].calls = 0;
    model.inst[i].wakeups = 0;
}

static void op_max_watches(struct vt_in *in)
{
    uint8_t b = vt_in_u8(in);
    uint64_t max = b < 0xf0 ? (uint64_t)(b & 15) : UINT64_MAX - (b & 15);
    T("vepoll_set_max_watches(%" PRIu64 ")", max);
    vepoll_set_max_watches(max);
    rm_set_max_watches(&model, max);
}

static void op_misc(struct vt_in *in)
{
    uint8_t b = vt_in_u8(in);
    int i = inst_arg(b);
    vepoll_t *e = i < 0 ? NULL : ep[i];
    struct vepoll_stats st;
    switch ((b >> 3) & 3) {
    case 0:
        T("vepoll_get_stats(E%d, out)", i);
        judge(vepoll_get_stats(e, &st), 0);
        break;
    case 1:
        T("vepoll_get_stats(E%d, NULL)", i);
        judge(vepoll_get_stats(e, NULL), -EINVAL);
        break;
    case 2: {
        static const int64_t v[4] = {0, 1000, -1, INT64_MIN};
        int64_t spin = v[(b >> 5) & 3];
        T("vepoll_set_spin(E%d, %" PRId64 ")", i, spin);
        judge(vepoll_set_spin(e, spin), !e ? -EBADF : spin < 0 ? -EINVAL : 0);
        break;
    }
    default:
        T("vepoll_as_source(E%d)", i);
        if ((vepoll_as_source(e) == NULL) != (e == NULL))
            fail("vepoll_as_source%lld%lld", 0, 0);
        break;
    }
}

/* Arms an allocation failure for the next call only. */
static void op_fail_alloc(struct vt_in *in)
{
    uint8_t b = vt_in_u8(in);
    int k = (b & 3) == 3 ? -1 : (b & 3) + 1;
    T("fail allocation %d of the next call", k);
    vt_alloc_arm(k);
}

typedef void (*op_fn)(struct vt_in *);

/* Opcode (low 5 bits of a byte) -> operation; repeats are weights. */
static const op_fn op_table[32] = {
    op_create,     op_create,     op_close,      op_source_create,
    op_source_create, op_source_close, op_ctl,   op_ctl,
    op_ctl,        op_ctl,        op_ctl,        op_ctl,
    op_ctl,        op_ctl,        op_update,     op_update,
    op_update,     op_update,     op_update,     op_update,
    op_wait,       op_wait,       op_wait,       op_wait,
    op_wait,       op_wait,       op_interrupt,  op_ready,
    op_wakeup,     op_max_watches, op_misc,      op_fail_alloc,
};

static void teardown(void)
{
    int i;
    for (i = 0; i < NS; i++) {
        if (src[i]) {
            struct rm_ref r = {RM_PLAIN, i};
            vepoll_source_close(src[i]);
            rm_source_close(&model, r);
            src[i] = NULL;
        }
    }
    for (i = 0; i < NI; i++) {
        if (ep[i]) {
            judge(vepoll_close(ep[i]), 0);
            rm_close(&model, i);
            ep[i] = NULL;
        }
    }
    vepoll_set_max_watches(0);
    if (atomic_load(&vt_alloc.live) != 0)
        fail("%lld blocks still allocated after closing everything%lld",
             atomic_load(&vt_alloc.live), 0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static atomic_int second_ready;

/* The second thread (above): a descriptor, then sleep. */
static void *second_main(void *arg)
{
    struct vepoll_event ev;
    vepoll_t *e;
    (void)arg;
    if (vepoll_create(&e) == 0) {
        (void)vepoll_wait(e, &ev, 1, 0);
        (void)vepoll_close(e);
    }
    atomic_store(&second_ready, 1);
    for (;;)
        vt_sleep_ms(1000);
    return NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    pthread_t th;
    (void)argc;
    (void)argv;
    trace = vt_trace_init();
    vt_alloc.abort_on_bad_free = true;
    if (vt_alloc_install() != 0)
        abort();
    if (pthread_create(&th, NULL, second_main, NULL) != 0 || pthread_detach(th) != 0)
        abort();
    while (!atomic_load(&second_ready)) /* its instance is closed: no live block */
        vt_sleep_ms(1);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vt_in in = {data, size};
    rm_init(&model);
    memset(wk, 0, sizeof wk);
    vepoll_set_max_watches(0);
    /* Start with one instance and two sources so short inputs do work. */
    for (opno = 0; opno < 3; opno++) {
        uint8_t seed[1] = {0};
        struct vt_in s = {seed, 1};
        if (opno == 0)
            op_create(&s);
        else {
            seed[0] = (uint8_t)(opno - 1);
            op_source_create(&s);
        }
    }
    for (opno = 3; in.n && opno < MAX_OPS; opno++) {
        bool armed = vt_alloc_armed();
        op_table[vt_in_u8(&in) & 31](&in);
        if (armed) /* the armed call is over */
            vt_alloc_fail_none();
        check_wakeups();
        check_ready();
    }
    vt_alloc_fail_none();
    teardown();
    return 0;
}
