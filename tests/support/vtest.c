/*
 * The support layer of the host-side tests: see vtest.h.  Built once as the
 * static library `vtest` (tests/CMakeLists.txt) together with the test
 * models; a test links it before its vepoll library (vepoll or the condvar
 * twin), which resolves the vepoll calls made here.  The libFuzzer targets
 * compile this file with VTEST_NO_CMOCKA: the cmocka part at the end is then
 * left out and nothing here needs libcmocka.
 */
#include "vtest.h"

#include <dirent.h>
#include <sched.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ---- time ------------------------------------------------------------------ */

int64_t vt_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * VT_SEC + ts.tv_nsec;
}

void vt_sleep_ns(int64_t ns)
{
    struct timespec ts = {(time_t)(ns / VT_SEC), (long)(ns % VT_SEC)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

void vt_sleep_ms(int64_t ms)
{
    vt_sleep_ns(ms * VT_MS);
}

/* ---- ctl and zero-timeout waits ---------------------------------------------- */

struct vepoll_event vt_ev(uint32_t events, uint64_t cookie)
{
    struct vepoll_event e;
    memset(&e, 0, sizeof e);
    e.events = events;
    e.data.u64 = cookie;
    return e;
}

int vt_add(vepoll_t *ep, int fd, vepoll_source_t *src, uint32_t events, uint64_t cookie)
{
    struct vepoll_event e = vt_ev(events, cookie);
    return vepoll_ctl(ep, VEPOLL_CTL_ADD, fd, src, &e);
}

int vt_mod(vepoll_t *ep, int fd, vepoll_source_t *src, uint32_t events, uint64_t cookie)
{
    struct vepoll_event e = vt_ev(events, cookie);
    return vepoll_ctl(ep, VEPOLL_CTL_MOD, fd, src, &e);
}

int vt_del(vepoll_t *ep, int fd, vepoll_source_t *src)
{
    return vepoll_ctl(ep, VEPOLL_CTL_DEL, fd, src, NULL);
}

int vt_poll(vepoll_t *ep, struct vepoll_event *out, int max)
{
    struct vepoll_event scratch[64];
    if (out)
        return vepoll_wait(ep, out, max, 0);
    if (max > 64)
        max = 64;
    return vepoll_wait(ep, scratch, max, 0);
}

int vt_poll1(vepoll_t *ep)
{
    return vt_poll(ep, NULL, 1);
}

bool vt_readable(vepoll_t *ep)
{
    return (vepoll_source_ready(vepoll_as_source(ep)) & VEPOLL_IN) != 0;
}

/* ---- the counting, failing allocator ---------------------------------------- */

/* In front of every block: its size and its tag.  16 bytes keep malloc's
 * alignment. */
#define VT_HDR 16u

struct vt_alloc vt_alloc = {.fail_at = -1, .failed_tag = -1};

static int tag_of(size_t size)
{
    int t;
    if (!vt_alloc.tag)
        return 0;
    t = vt_alloc.tag(size);
    return t < 0 || t >= VT_ALLOC_TAGS ? VT_ALLOC_TAGS - 1 : t;
}

static bool fails_now(void)
{
    long f;
    if (atomic_fetch_add(&vt_alloc.calls, 1) == atomic_load(&vt_alloc.fail_at))
        return true;
    f = atomic_load(&vt_alloc.fail_next);
    while (f > 0) {
        if (atomic_compare_exchange_weak(&vt_alloc.fail_next, &f, f - 1))
            return true;
    }
    return false;
}

static void *vt_alloc_fn(void *ctx, size_t size)
{
    struct vt_alloc *a = ctx;
    int tag = tag_of(size);
    size_t hdr[2] = {size, (size_t)tag};
    unsigned char *p;
    if (fails_now()) {
        atomic_fetch_add(&a->failures, 1);
        atomic_store(&a->failed_tag, tag);
        return NULL;
    }
    p = malloc(size + VT_HDR);
    if (!p)
        return NULL;
    memcpy(p, hdr, sizeof hdr);
    atomic_fetch_add(&a->allocs, 1);
    atomic_fetch_add(&a->live, 1);
    atomic_fetch_add(&a->live_bytes, (long)size);
    atomic_fetch_add(&a->live_tag[tag], 1);
    return p + VT_HDR;
}

static void vt_free_fn(void *ctx, void *ptr, size_t size)
{
    struct vt_alloc *a = ctx;
    unsigned char *p;
    size_t hdr[2];
    if (!ptr)
        return;
    p = (unsigned char *)ptr - VT_HDR;
    memcpy(hdr, p, sizeof hdr);
    if (hdr[0] != size) {
        atomic_fetch_add(&a->bad_frees, 1);
        if (a->abort_on_bad_free) {
            fprintf(stderr, "vepoll__free size %zu, allocated %zu\n", size, hdr[0]);
            abort();
        }
    }
    atomic_fetch_add(&a->frees, 1);
    atomic_fetch_sub(&a->live, 1);
    atomic_fetch_sub(&a->live_bytes, (long)hdr[0]);
    atomic_fetch_sub(&a->live_tag[hdr[1]], 1);
    free(p);
}

const struct vepoll_allocator vt_allocator = {vt_alloc_fn, vt_free_fn, &vt_alloc};

void vt_alloc_reset(void)
{
    atomic_store(&vt_alloc.calls, 0);
    atomic_store(&vt_alloc.allocs, 0);
    atomic_store(&vt_alloc.frees, 0);
    atomic_store(&vt_alloc.live, 0);
    atomic_store(&vt_alloc.live_bytes, 0);
    atomic_store(&vt_alloc.bad_frees, 0);
    atomic_store(&vt_alloc.failures, 0);
    atomic_store(&vt_alloc.failed_tag, -1);
    for (int i = 0; i < VT_ALLOC_TAGS; i++)
        atomic_store(&vt_alloc.live_tag[i], 0);
    vt_alloc_fail_none();
}

/* vt_allocator is (or may be) the library's allocator: set by a successful
 * install, cleared by a successful reset to malloc. */
static bool vt_alloc_installed;

int vt_alloc_install(void)
{
    int rc;
    vt_alloc_reset();
    rc = vepoll_set_allocator(&vt_allocator);
    if (rc == 0)
        vt_alloc_installed = true;
    return rc;
}

void vt_alloc_fail_call(long k)
{
    atomic_store(&vt_alloc.fail_at, atomic_load(&vt_alloc.calls) + k - 1);
}

void vt_alloc_fail_next(long n)
{
    atomic_store(&vt_alloc.fail_next, n);
}

/* vt_alloc_arm: armed, and the failure count at the arming. */
static bool vt_armed;
static long vt_armed_failures;

void vt_alloc_fail_none(void)
{
    atomic_store(&vt_alloc.fail_at, -1);
    atomic_store(&vt_alloc.fail_next, 0);
    vt_armed = false;
}

void vt_alloc_arm(long k)
{
    vt_alloc_fail_none();
    if (k < 0)
        vt_alloc_fail_next(LONG_MAX);
    else
        vt_alloc_fail_call(k);
    vt_armed = true;
    vt_armed_failures = atomic_load(&vt_alloc.failures);
}

bool vt_alloc_armed(void)
{
    return vt_armed;
}

bool vt_alloc_injected(void)
{
    return vt_armed && atomic_load(&vt_alloc.failures) != vt_armed_failures;
}

/* ---- process-wide settings and fixtures ------------------------------------------ */

int vt_settings_reset(void)
{
    int rc;
    vt_alloc_fail_none();
    vt_alloc.tag = NULL;
    vt_alloc.abort_on_bad_free = false;
    vepoll_set_max_watches(0);
    rc = vepoll_set_allocator(NULL);
    if (rc == 0)
        vt_alloc_installed = false;
    else if (!vt_alloc_installed)
        rc = 0; /* malloc already: objects a test left alive are its business */
    return rc;
}

int vt_reset_setup(void **state)
{
    (void)state;
    return vt_settings_reset() == 0 ? 0 : -1;
}

int vt_reset_teardown(void **state)
{
    (void)state;
    return vt_settings_reset() == 0 ? 0 : -1;
}

int vt_alloc_setup(void **state)
{
    (void)state;
    if (vt_settings_reset() != 0)
        return -1;
    return vt_alloc_install() == 0 ? 0 : -1;
}

static struct vt_fx vt_fx_storage;

static int fx_open(void **state, int neps, int nsrcs)
{
    struct vt_fx *f = &vt_fx_storage;
    memset(f, 0, sizeof *f);
    *state = f;
    if (vt_settings_reset() != 0)
        return -1;
    for (int i = 0; i < neps; i++)
        if (vepoll_create(&f->ep[i]) != 0)
            return -1;
    for (int i = 0; i < nsrcs; i++)
        if (vepoll_source_create(&f->src[i], 0) != 0)
            return -1;
    return 0;
}

int vt_fx_setup(void **state)
{
    return fx_open(state, 1, 1);
}

int vt_fx_setup_2(void **state)
{
    return fx_open(state, 2, 2);
}

int vt_fx_setup_8(void **state)
{
    return fx_open(state, 8, 2);
}

int vt_fx_teardown(void **state)
{
    struct vt_fx *f = *state;
    for (int i = 0; i < VT_FX_EPS; i++)
        if (f->ep[i])
            vepoll_close(f->ep[i]);
    for (int i = 0; i < VT_FX_SRCS; i++)
        if (f->src[i])
            vepoll_source_close(f->src[i]);
    memset(f, 0, sizeof *f);
    return vt_settings_reset() == 0 ? 0 : -1;
}

int vt_wx_setup(void **state)
{
    vepoll_wasix_t *wx = NULL;
    if (vt_settings_reset() != 0 || vepoll_wasix_create(&wx, NULL) != 0)
        return -1;
    *state = wx;
    return 0;
}

int vt_wx_teardown(void **state)
{
    vepoll_wasix_destroy(*state);
    *state = NULL;
    return vt_settings_reset() == 0 ? 0 : -1;
}

/* ---- threads ------------------------------------------------------------------ */

pid_t vt_gettid(void)
{
    return (pid_t)syscall(SYS_gettid);
}

char vt_thread_state(pid_t tid)
{
    char path[64], buf[256];
    const char *p;
    FILE *f;
    size_t n;
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tid);
    f = fopen(path, "r");
    if (!f)
        return 0;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    p = strrchr(buf, ')'); /* the command name may contain spaces */
    return p && p[1] == ' ' ? p[2] : 0;
}

void vt_until_asleep(_Atomic pid_t *tid, atomic_int *done)
{
    while (!atomic_load(tid))
        sched_yield();
    while (!atomic_load(done) && vt_thread_state(atomic_load(tid)) != 'S')
        sched_yield();
}

/* The word a thread sleeps on in a futex wait, or 0 (another syscall, none,
 * or /proc cannot say): /proc/self/task/N/syscall is "nr arg0 ...". */
static uintptr_t futex_word_of(pid_t tid)
{
    char path[64];
    long nr = -1;
    unsigned long long word = 0;
    FILE *f;
    snprintf(path, sizeof path, "/proc/self/task/%d/syscall", (int)tid);
    f = fopen(path, "r");
    if (!f)
        return 0;
    if (fscanf(f, "%ld %llx", &nr, &word) != 2)
        nr = -1;
    fclose(f);
    return nr == SYS_futex ? (uintptr_t)word : 0;
}

void vt_until_parked_on(_Atomic pid_t *tid, atomic_int *done, const void *obj)
{
    uintptr_t lo = (uintptr_t)obj, w;
    while (!atomic_load(tid))
        sched_yield();
    while (!atomic_load(done)) {
        if (vt_thread_state(atomic_load(tid)) == 'S' &&
            (w = futex_word_of(atomic_load(tid))) >= lo && w < lo + VT_PARK_SPAN)
            return;
        sched_yield();
    }
}

void *vt_waiter_main(void *arg)
{
    struct vt_waiter *w = arg;
    int64_t t0;
    atomic_store(&w->tid, vt_gettid());
    t0 = vt_now_ns();
    w->ret = vepoll_wait(w->ep, w->ev, w->maxevents, w->timeout);
    w->end = vt_now_ns();
    w->elapsed = w->end - t0;
    atomic_store(&w->done, 1);
    return NULL;
}

void vt_waiter_until_blocked(struct vt_waiter *w)
{
    vt_until_asleep(&w->tid, &w->done);
}

void vt_waiter_until_spinning(struct vt_waiter *w)
{
    clockid_t cid;
    struct timespec ts;
    while (!atomic_load(&w->tid))
        sched_yield();
    if (pthread_getcpuclockid(w->th, &cid))
        return;
    while (!atomic_load(&w->done)) {
        if (clock_gettime(cid, &ts) == 0 &&
            ts.tv_sec * VT_SEC + ts.tv_nsec >= 20 * VT_MS)
            return;
        sched_yield();
    }
}

int vt_open_fds(void)
{
    struct dirent *de;
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    if (!d)
        return -1;
    while ((de = readdir(d)))
        n += de->d_name[0] != '.';
    closedir(d);
    return n - 1; /* the directory's own descriptor */
}

int vt_threads_named(const char *comm)
{
    char path[300], name[64];
    struct dirent *de;
    DIR *d = opendir("/proc/self/task");
    int n = 0;
    if (!d)
        return -1;
    while ((de = readdir(d))) {
        FILE *f;
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", de->d_name);
        f = fopen(path, "r");
        if (!f)
            continue; /* the thread has just exited */
        if (fgets(name, sizeof name, f)) {
            name[strcspn(name, "\n")] = 0;
            n += strcmp(name, comm) == 0;
        }
        fclose(f);
    }
    closedir(d);
    return n;
}

struct vt_racer {
    int rounds;
    long (*call)(void *arg);
    void *arg;
    vepoll_intr_t *h;
    atomic_int round;    /* set by the raising thread: this round's raise is out */
    atomic_int answered; /* the last round the racer's call returned for */
    atomic_long bad;
};

static void *vt_racer_main(void *p)
{
    struct vt_racer *r = p;
    vepoll_intr_bind(r->h);
    for (int i = 1; i <= r->rounds; i++) {
        if (r->call(r->arg) != -EINTR)
            atomic_fetch_add(&r->bad, 1);
        vepoll_intr_clear(r->h);
        atomic_store(&r->answered, i);
        while (atomic_load(&r->round) == i) /* until the next raise */
            sched_yield();
    }
    vepoll_intr_bind(NULL);
    return NULL;
}

long vt_intr_race(int rounds, long (*call)(void *arg), void *arg)
{
    struct vt_racer r = {.rounds = rounds, .call = call, .arg = arg};
    pthread_t th;
    int rc = vepoll_intr_create(&r.h);
    if (rc)
        return rc;
    atomic_init(&r.round, 0);
    atomic_init(&r.answered, 0);
    atomic_init(&r.bad, 0);
    rc = pthread_create(&th, NULL, vt_racer_main, &r);
    if (rc) {
        vepoll_intr_destroy(r.h);
        return -rc;
    }
    for (int i = 1; i <= rounds; i++) {
        if (i & 1)
            sched_yield(); /* sometimes before, sometimes inside the call */
        atomic_store(&r.round, i);
        vepoll_intr_raise(r.h);
        while (atomic_load(&r.answered) < i)
            sched_yield();
        atomic_store(&r.round, i + 1);
    }
    pthread_join(th, NULL);
    vepoll_intr_destroy(r.h);
    return atomic_load(&r.bad);
}

/* ---- the WASIX adapter through its ABI ------------------------------------------------ */

#define VT_GUEST_EVENTS 64
static uint8_t vt_guest[64 + VT_GUEST_EVENTS * VEPOLL_WASIX_EVENT_SIZE];

static struct vepoll_wasix_mem vt_gmem(void)
{
    struct vepoll_wasix_mem m = {vt_guest, sizeof vt_guest};
    return m;
}

uint32_t vt_wx_epoll_create(vepoll_wasix_t *wx, uint32_t *epfd)
{
    uint32_t rc = vepoll_wasix_epoll_create(wx, vt_gmem(), 0);
    if (!rc)
        memcpy(epfd, vt_guest, 4);
    return rc;
}

uint32_t vt_wx_ctl(vepoll_wasix_t *wx, uint32_t epfd, uint32_t wasix_op, uint32_t fd,
                   uint32_t wasix_events, uint64_t data2)
{
    uint8_t *ev = vt_guest + 64;
    memset(ev, 0, VEPOLL_WASIX_EVENT_SIZE);
    memcpy(ev + VEPOLL_WASIX_EVENT_EVENTS, &wasix_events, 4);
    memcpy(ev + VEPOLL_WASIX_EVENT_DATA2, &data2, 8);
    return vepoll_wasix_epoll_ctl(wx, vt_gmem(), VEPOLL_WASIX_32, epfd, wasix_op, fd, 64);
}

int vt_wx_wait(vepoll_wasix_t *wx, uint32_t epfd, struct vt_wxev *out, int maxevents,
               uint64_t timeout_ns)
{
    uint32_t n, rc;
    if (maxevents > VT_GUEST_EVENTS)
        maxevents = VT_GUEST_EVENTS;
    rc = vepoll_wasix_epoll_wait(wx, vt_gmem(), VEPOLL_WASIX_32, epfd, 64, maxevents, timeout_ns,
                                 0);
    if (rc)
        return -(int)rc;
    memcpy(&n, vt_guest, 4);
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *e = vt_guest + 64 + (size_t)i * VEPOLL_WASIX_EVENT_SIZE;
        memcpy(&out[i].events, e + VEPOLL_WASIX_EVENT_EVENTS, 4);
        memcpy(&out[i].fd, e + VEPOLL_WASIX_EVENT32_FD, 4);
        memcpy(&out[i].data2, e + VEPOLL_WASIX_EVENT_DATA2, 8);
    }
    return (int)n;
}

/* ---- fuzz input ------------------------------------------------------------------- */

static bool vt_tracing;

uint8_t vt_in_u8(struct vt_in *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

bool vt_trace_init(void)
{
    vt_tracing = getenv("VEPOLL_FUZZ_TRACE") != NULL;
    return vt_tracing;
}

void vt_trace(int op, const char *fmt, ...)
{
    va_list ap;
    if (!vt_tracing)
        return;
    fprintf(stderr, "%4d ", op);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

#ifndef VTEST_NO_CMOCKA
/* ---- asserting helpers (test thread only) ------------------------------------------ */

#define VT_MAX_EVENTS 64

static void dump_got(const char *what, const struct vepoll_event *got, int n)
{
    print_error("  %s (%d):", what, n);
    for (int i = 0; i < n; i++)
        print_error(" [%" PRIu64 ":0x%" PRIx32 "]", got[i].data.u64, got[i].events);
    print_error("\n");
}

static void dump_exp(const struct vt_exp *exp, int n)
{
    print_error("  expected (%d):", n);
    for (int i = 0; i < n; i++)
        print_error(" [%" PRIu64 ":0x%" PRIx32 "]", exp[i].cookie, exp[i].bits);
    print_error("\n");
}

static bool events_match(const struct vepoll_event *got, const struct vt_exp *exp, int n,
                         bool ordered)
{
    bool used[VT_MAX_EVENTS] = {false};
    for (int i = 0; i < n; i++) {
        bool found = false;
        if (ordered) {
            found = got[i].data.u64 == exp[i].cookie && got[i].events == exp[i].bits;
        } else {
            for (int j = 0; j < n && !found; j++) {
                if (!used[j] && got[j].data.u64 == exp[i].cookie && got[j].events == exp[i].bits) {
                    used[j] = true;
                    found = true;
                }
            }
        }
        if (!found)
            return false;
    }
    return true;
}

void vt_expect_events_(const char *file, int line, vepoll_t *ep, int maxevents,
                       const struct vt_exp *exp, int n, bool ordered)
{
    struct vepoll_event got[VT_MAX_EVENTS];
    int rc;
    if (maxevents > VT_MAX_EVENTS)
        maxevents = VT_MAX_EVENTS;
    memset(got, 0, sizeof got);
    rc = vepoll_wait(ep, got, maxevents, 0);
    if (rc == n && events_match(got, exp, n, ordered))
        return;
    print_error("%s:%d: vepoll_wait(maxevents=%d, 0) returned %d\n", file, line, maxevents, rc);
    dump_exp(exp, n);
    dump_got(ordered ? "got (ordered)" : "got (any order)", got, rc > 0 ? rc : 0);
    _fail(file, line);
}

vepoll_t *vt_new_ep(void)
{
    vepoll_t *ep = NULL;
    assert_int_equal(vepoll_create(&ep), 0);
    assert_non_null(ep);
    return ep;
}

void vt_free_ep(vepoll_t *ep)
{
    assert_int_equal(vepoll_close(ep), 0);
}

vepoll_source_t *vt_new_source(uint32_t ready)
{
    vepoll_source_t *s = NULL;
    assert_int_equal(vepoll_source_create(&s, ready), 0);
    assert_non_null(s);
    return s;
}

void vt_waiter_start_fn(struct vt_waiter *w, vepoll_t *ep, int maxevents, int64_t timeout,
                        void *(*fn)(void *))
{
    memset(w, 0, sizeof *w);
    w->ep = ep;
    w->timeout = timeout;
    w->maxevents = maxevents;
    w->ret = 12345;
    assert_true(maxevents <= (int)(sizeof w->ev / sizeof w->ev[0]));
    assert_int_equal(pthread_create(&w->th, NULL, fn, w), 0);
}

void vt_waiter_start(struct vt_waiter *w, vepoll_t *ep, int maxevents, int64_t timeout)
{
    vt_waiter_start_fn(w, ep, maxevents, timeout, vt_waiter_main);
}

void vt_waiter_join(struct vt_waiter *w)
{
    assert_int_equal(pthread_join(w->th, NULL), 0);
}

void vt_each_alloc_fails(int (*create)(void **out), void (*destroy)(void *obj),
                         long min_allocs)
{
    void *obj = NULL;
    long n, k;
    assert_int_equal(vt_alloc_install(), 0);
    assert_int_equal(create(&obj), 0);
    n = atomic_load(&vt_alloc.calls);
    assert_true(n >= min_allocs);
    destroy(obj);
    assert_int_equal(atomic_load(&vt_alloc.live), 0);
    for (k = 1; k <= n; k++) {
        vt_alloc_fail_call(k);
        obj = NULL;
        assert_int_equal(create(&obj), -ENOMEM);
        assert_null(obj);
        assert_int_equal(atomic_load(&vt_alloc.live), 0);
    }
    assert_int_equal(atomic_load(&vt_alloc.bad_frees), 0);
    assert_int_equal(vt_settings_reset(), 0);
}
#endif /* VTEST_NO_CMOCKA */
