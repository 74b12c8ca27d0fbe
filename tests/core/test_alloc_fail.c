/*
 * Allocation-failure injection (issue 5, deliverable 3).
 *
 * One scripted scenario touches every allocation site of the library.  It
 * runs once with a counting allocator (N allocations), then once for every k
 * in 1..N with the k-th allocation failing.  Every call that allocates either
 * succeeds or returns -ENOMEM having changed nothing, which the scenario
 * checks by observation right after the failure (no new object or
 * registration kept, the key absent: MOD/DEL -> -ENOENT, the watch count
 * unchanged, the nesting graph unchanged) and then retries the call, so the rest of the run
 * must produce exactly the events of the clean run.  At the end everything is
 * closed and no block may be alive (the ASan build adds LeakSanitizer).
 * Calls that must not allocate (MOD, DEL, wait, update, closes) are checked
 * not to.
 *
 * The allocation sites, from `grep -n 'vepoll__alloc\|vepoll__calloc' src/`
 * (alloc.c itself defines them):
 *   SITE_INSTANCE  src/core/instance.c  vepoll_create: the instance
 *   SITE_SOURCE    src/core/source.c   vepoll_source_create: the source
 *   SITE_REG       src/core/slab.c    vepoll__reg_new, through the instance's
 *                                  registration slab: its directory and its
 *                                  chunks (2 calls)
 *   SITE_TABLE     src/core/table.c   vepoll__table_reserve: table growth
 *   SITE_NEST      src/core/nest.c   reserve: children/parents arrays of a link
 *   SITE_INTR      src/core/intr.c   vepoll_intr_create: the interrupt handle
 *   SITE_PIPE      src/objects/pipe.c   vepoll_pipe_create: the pipe block
 *   SITE_EVENTFD   src/objects/eventfd.c  vepoll_eventfd_create: the counter
 *   SITE_SOCKETPAIR src/objects/socketpair.c vepoll_socketpair_create: the pair block
 *   SITE_TIMERFD   src/objects/timerfd.c  vepoll_timerfd_create: the timer (its
 *                                  settime, gettime and read allocate nothing:
 *                                  the timer service's heap is intrusive)
 *   SITE_KFD       src/objects/kfd.c  vepoll_kfd_create: the kfd (its slot
 *                                  table is process infrastructure from
 *                                  malloc, never freed, not the allocator's;
 *                                  a blocking call's private instance is
 *                                  SITE_INSTANCE's vepoll_create)
 *   SITE_WX_ADAPTER src/wasix/wasix.c vepoll_wasix_create: the adapter
 *   SITE_WX_SIDE   src/wasix/wasix.c  reg_reserve: guest-data slots (through
 *                                  vepoll__wx_grow) and the two bucket arrays
 *                                  (3 calls)
 *   SITE_WX_WAITBUF src/wasix/wasix.c epoll_wait: the batch buffer for
 *                                  maxevents > 64 (its failure falls back to
 *                                  the stack buffer: the wait still succeeds)
 *   SITE_WX_FD     src/wasix/wasix_table.c vepoll__wx_obj_new (a description), and
 *                                  the descriptor array (grow_locked: install,
 *                                  dup, dup3, renumber: a new array, the old
 *                                  one kept until destroy) (2 calls)
 *   SITE_WX_POLL   src/wasix/wasix_io.c vepoll_wasix_poll: its item array
 * (the objects' sources come from vepoll_source_create: SITE_SOURCE).
 * test_alloc_fail_site_list_matches_sources re-counts the call sites in src/
 * and fails when one is added that this list (and so the scenario) lacks.
 *
 * An allocation is attributed to a site by the call that makes it (the
 * scenario names its phase before each call) and, inside ADD, by size: the
 * registration slab's blocks have the sizes of its series (a directory of
 * 4, 8, 16... entries, chunks of 4, 8, 16... slots after a header: the
 * entry, slot and header sizes are learnt before the runs from the first
 * ADDs into a fresh instance, like a source's size from
 * vepoll_source_create: no internal header needed); anything else is table
 * growth in a plain ADD and a nesting array in a nested ADD (the scenario
 * grows an instance's table before nesting into it, so nested ADDs never
 * grow it).  A failed ADD may leave the slab's one spare chunk behind
 * (capacity, like a grown table): that no registration is kept is checked
 * through the watch count and MOD/DEL answering -ENOENT.  The counting allocator of vtest.h keeps the site as the
 * block's tag, so the live blocks are known per site.
 * The WASIX calls are attributed by phase and order, which their code
 * fixes: vepoll_wasix_create allocates the adapter, then the three stdio
 * descriptions and the descriptor array; an eventfd or a timerfd its
 * description, the object's block, its source (then, if needed, a larger
 * descriptor array); an epoll_create the instance, then the description
 * (and array); an epoll_ctl ADD first the side table, then vepoll's
 * registration slab, then vepoll's table growth; dup3 to a high number only
 * the descriptor array.
 * Every site must be hit by the clean run and failed by some k.
 *
 * Single-threaded.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vepoll_kfd.h"
#include "vepoll_objects.h"
#include "vepoll_wasix.h"
#include "vtest.h"

enum site {
    SITE_INSTANCE, SITE_SOURCE, SITE_REG, SITE_TABLE, SITE_NEST, SITE_INTR,
    SITE_PIPE, SITE_EVENTFD, SITE_SOCKETPAIR, SITE_TIMERFD, SITE_KFD,
    SITE_WX_ADAPTER, SITE_WX_SIDE, SITE_WX_WAITBUF, SITE_WX_FD, SITE_WX_POLL, NSITES
};
static const char *const site_name[NSITES] = {
    "instance", "source", "registration", "table", "nest", "intr",
    "pipe", "eventfd", "socketpair", "timerfd", "kfd",
    "wasix adapter", "wasix side table", "wasix wait buffer", "wasix fd table", "wasix poll",
};
/* The call sites per file (see the comment at the top). */
static const struct {
    const char *file;
    int calls;
} site_files[] = {
    {"instance.c", 1}, {"source.c", 1}, {"slab.c", 2}, {"table.c", 1}, {"nest.c", 1},
    {"intr.c", 1}, {"pipe.c", 1}, {"eventfd.c", 1}, {"socketpair.c", 1}, {"timerfd.c", 1},
    {"kfd.c", 1},
    {"wasix.c", 5}, {"wasix_table.c", 2}, {"wasix_io.c", 1},
};

enum phase {
    PH_NONE, PH_CREATE, PH_SOURCE, PH_ADD_PLAIN, PH_ADD_NEST, PH_INTR,
    PH_PIPE, PH_EVENTFD, PH_SOCKETPAIR, PH_TIMERFD, PH_KFD, PH_CALIBRATE,
    PH_WX_CREATE, PH_WX_EVENTFD, PH_WX_TIMERFD, PH_WX_EPOLL, PH_WX_CTL, PH_WX_WAIT,
    PH_WX_POLL, PH_WX_DUP
};

/* The scenario's side of the accounting; the counting allocator (vtest.h)
 * counts the calls, the live blocks per site (its tags) and the injected
 * failures. */
static struct {
    enum phase phase;
    int site_hits[NSITES];
    int unexpected;     /* allocations during PH_NONE calls */
    int nth;            /* allocations since the phase was set (WASIX calls) */
    bool reg_seen;      /* PH_WX_CTL: vepoll's registration came */
    size_t last_size;   /* of the latest allocation call */
    size_t sizes[8];    /* PH_CALIBRATE: the sizes of the call's blocks */
} sc;

/* The size of a source and the series of the registration slab's blocks
 * (a directory entry, a slot, a chunk header), learnt from the allocator
 * before the runs (calibrate): they tell those blocks from the others an
 * allocating call makes. */
static size_t src_size, dir_entry, slot_size, chunk_header;

static bool power_of_two(size_t n)
{
    return n && !(n & (n - 1));
}

/* A block of the registration slab: a directory or a chunk. */
static bool reg_slab_block(size_t size)
{
    if (size % dir_entry == 0 && size / dir_entry >= 4 && power_of_two(size / dir_entry))
        return true;
    return size > chunk_header && (size - chunk_header) % slot_size == 0 &&
           (size - chunk_header) / slot_size >= 4 &&
           power_of_two((size - chunk_header) / slot_size);
}

static long blocks(void)
{
    return atomic_load(&vt_alloc.live);
}

static long blocks_of(enum site s)
{
    return atomic_load(&vt_alloc.live_tag[s]);
}

static long injected(void)
{
    return atomic_load(&vt_alloc.failures);
}

static void set_phase(enum phase ph)
{
    sc.phase = ph;
    sc.nth = 0;
    sc.reg_seen = false;
}

static enum site classify(size_t size)
{
    switch (sc.phase) {
    case PH_CREATE:
        return SITE_INSTANCE;
    case PH_SOURCE:
        return SITE_SOURCE;
    case PH_ADD_PLAIN:
        return reg_slab_block(size) ? SITE_REG : SITE_TABLE;
    case PH_ADD_NEST:
        return reg_slab_block(size) ? SITE_REG : SITE_NEST;
    /* An object is one block plus a source per end (vepoll_source_create). */
    case PH_INTR:
        return SITE_INTR;
    case PH_PIPE:
        return size == src_size ? SITE_SOURCE : SITE_PIPE;
    case PH_EVENTFD:
        return size == src_size ? SITE_SOURCE : SITE_EVENTFD;
    case PH_SOCKETPAIR:
        return size == src_size ? SITE_SOURCE : SITE_SOCKETPAIR;
    case PH_TIMERFD:
        return size == src_size ? SITE_SOURCE : SITE_TIMERFD;
    case PH_KFD:
        return size == src_size ? SITE_SOURCE : SITE_KFD;
    case PH_WX_CREATE:
        return sc.nth == 1 ? SITE_WX_ADAPTER : SITE_WX_FD;
    case PH_WX_EVENTFD:
        if (size == src_size)
            return SITE_SOURCE;
        return sc.nth == 2 ? SITE_EVENTFD : SITE_WX_FD;
    case PH_WX_TIMERFD:
        if (size == src_size)
            return SITE_SOURCE;
        return sc.nth == 2 ? SITE_TIMERFD : SITE_WX_FD;
    case PH_WX_DUP:
        return SITE_WX_FD;
    case PH_WX_EPOLL:
        return sc.nth == 1 ? SITE_INSTANCE : SITE_WX_FD;
    case PH_WX_CTL:
        if (reg_slab_block(size)) {
            sc.reg_seen = true;
            return SITE_REG;
        }
        return sc.reg_seen ? SITE_TABLE : SITE_WX_SIDE;
    case PH_WX_WAIT:
        return SITE_WX_WAITBUF;
    case PH_WX_POLL:
        if (sc.nth == 1)
            return SITE_WX_POLL;
        if (sc.nth == 2)
            return SITE_INSTANCE;
        return reg_slab_block(size) ? SITE_REG : SITE_TABLE;
    case PH_CALIBRATE:
        if (sc.nth <= (int)(sizeof sc.sizes / sizeof sc.sizes[0]))
            sc.sizes[sc.nth - 1] = size;
        return SITE_REG;
    default:
        return NSITES;
    }
}

/* The allocator's tag function: every allocation call is attributed to the
 * site the phase and its size say (NSITES: unexpected). */
static int tag_call(size_t size)
{
    enum site s;
    sc.nth++;
    sc.last_size = size;
    s = classify(size);
    if (s == NSITES)
        sc.unexpected++;
    else
        sc.site_hits[s]++;
    return (int)s;
}

/* ---- calls that may fail: check "nothing changed", then retry ---------------- */

static int watches; /* registrations alive, as the scenario counts them */
static vepoll_t *probe_ep;
static vepoll_source_t *probe_src;

/* The library's watch count equals `watches`: with the limit at
 * watches + 1 exactly one more ADD fits. */
static void check_watch_count(void)
{
    struct vepoll_event ev = {VEPOLL_IN, {.u64 = 0}};
    enum phase saved = sc.phase;
    int rc;
    sc.phase = PH_ADD_PLAIN;
    vepoll_set_max_watches((uint64_t)watches + 1);
    while ((rc = vepoll_ctl(probe_ep, VEPOLL_CTL_ADD, 1, probe_src, &ev)) == -ENOMEM) {
    }
    assert_int_equal(rc, 0);
    assert_int_equal(vepoll_ctl(probe_ep, VEPOLL_CTL_ADD, 2, probe_src, &ev), -ENOSPC);
    assert_int_equal(vepoll_ctl(probe_ep, VEPOLL_CTL_DEL, 1, probe_src, NULL), 0);
    vepoll_set_max_watches(0);
    sc.phase = saved;
}

static vepoll_t *create(void)
{
    for (;;) {
        vepoll_t *sentinel = (vepoll_t *)&sc, *ep = sentinel;
        long live = blocks();
        int failures = injected(), rc;
        sc.phase = PH_CREATE;
        rc = vepoll_create(&ep);
        sc.phase = PH_NONE;
        if (rc == 0)
            return ep;
        assert_int_equal(rc, -ENOMEM);
        assert_int_equal(injected(), failures + 1);
        assert_ptr_equal(ep, sentinel);
        assert_int_equal(blocks(), live);
    }
}

static vepoll_source_t *source(uint32_t ready)
{
    for (;;) {
        vepoll_source_t *sentinel = (vepoll_source_t *)&sc, *s = sentinel;
        long live = blocks();
        int failures = injected(), rc;
        sc.phase = PH_SOURCE;
        rc = vepoll_source_create(&s, ready);
        sc.phase = PH_NONE;
        if (rc == 0) {
            assert_int_equal(vepoll_source_ready(s), ready);
            return s;
        }
        assert_int_equal(rc, -ENOMEM);
        assert_int_equal(injected(), failures + 1);
        assert_ptr_equal(s, sentinel);
        assert_int_equal(blocks(), live);
    }
}

/* Creates an object: phase ph, create() returns the call's result. */
#define CREATE_OBJECT(ph, call, outp)                                        \
    for (;;) {                                                               \
        long live = blocks();                                                \
        int failures = injected(), rc_;                                      \
        (outp) = NULL;                                                       \
        sc.phase = (ph);                                                     \
        rc_ = (call);                                                        \
        sc.phase = PH_NONE;                                                  \
        if (rc_ == 0)                                                        \
            break;                                                           \
        assert_int_equal(rc_, -ENOMEM);                                      \
        assert_int_equal(injected(), failures + 1);                          \
        assert_null(outp);                                                   \
        assert_int_equal(blocks(), live);                                    \
    }

static void add(vepoll_t *ep, int fd, vepoll_source_t *s, uint32_t events,
                uint64_t cookie, bool nested)
{
    struct vepoll_event ev = {events, {.u64 = cookie}};
    for (;;) {
        long objs = blocks_of(SITE_INSTANCE) + blocks_of(SITE_SOURCE);
        int failures = injected(), rc;
        sc.phase = nested ? PH_ADD_NEST : PH_ADD_PLAIN;
        rc = vepoll_ctl(ep, VEPOLL_CTL_ADD, fd, s, &ev);
        sc.phase = PH_NONE;
        if (rc == 0) {
            watches++;
            return;
        }
        assert_int_equal(rc, -ENOMEM);
        assert_int_equal(injected(), failures + 1);
        /* No registration or object is kept.  A table or nesting array
         * that grew before the failure may stay grown, and the slab may
         * keep a spare chunk (capacity, not state: freed with its
         * instance, counted by the final check); the key is absent and
         * the watch is back. */
        assert_int_equal(blocks_of(SITE_INSTANCE) + blocks_of(SITE_SOURCE), objs);
        assert_int_equal(vepoll_ctl(ep, VEPOLL_CTL_MOD, fd, s, &ev), -ENOENT);
        assert_int_equal(vepoll_ctl(ep, VEPOLL_CTL_DEL, fd, s, NULL), -ENOENT);
        check_watch_count();
    }
}

static void del(vepoll_t *ep, int fd, vepoll_source_t *s)
{
    assert_int_equal(vepoll_ctl(ep, VEPOLL_CTL_DEL, fd, s, NULL), 0);
    watches--;
}

/* wait(ep, 64, 0) returns exactly n entries whose cookies are the given
 * set (each once), all with bits `bits`. */
static void expect_set(vepoll_t *ep, uint32_t bits, int n, const uint64_t *cookies)
{
    struct vepoll_event got[64];
    bool seen[64] = {false};
    int rc = vepoll_wait(ep, got, 64, 0), i, j;
    assert_int_equal(rc, n);
    for (i = 0; i < rc; i++) {
        assert_int_equal(got[i].events, bits);
        for (j = 0; j < n; j++)
            if (cookies[j] == got[i].data.u64 && !seen[j])
                break;
        assert_true(j < n);
        seen[j] = true;
    }
}

static void expect_order(vepoll_t *ep, uint32_t bits, int n, const uint64_t *cookies)
{
    struct vepoll_event got[64];
    int rc = vepoll_wait(ep, got, 64, 0), i;
    assert_int_equal(rc, n);
    for (i = 0; i < rc; i++) {
        assert_int_equal(got[i].events, bits);
        assert_int_equal(got[i].data.u64, cookies[i]);
    }
}

/* ---- the WASIX adapter ------------------------------------------------------- */

#define WX_NEFD 20 /* ADDs: the side table grows 16 -> 32 slots and buckets */
static uint8_t guest[4096];

static struct vepoll_wasix_mem gmem(void)
{
    struct vepoll_wasix_mem m = {guest, sizeof guest};
    return m;
}

static uint32_t grd32(size_t off)
{
    uint32_t v;
    memcpy(&v, guest + off, 4);
    return v;
}

/* The guest memory must be as it was: a failed import writes nothing. */
static uint8_t guest_before[sizeof guest];
#define GUEST_SNAP() memcpy(guest_before, guest, sizeof guest)
#define GUEST_SAME() assert_memory_equal(guest, guest_before, sizeof guest)

static void wasix_scenario(void)
{
    vepoll_wasix_t *wx = NULL;
    uint32_t ep, efd[WX_NEFD], tfd, rc, n;
    uint64_t one = 1;
    int i;

    memset(guest, 0, sizeof guest);
    for (;;) {
        long live = blocks();
        int failures = injected(), r;
        set_phase(PH_WX_CREATE);
        r = vepoll_wasix_create(&wx, NULL);
        set_phase(PH_NONE);
        if (r == 0)
            break;
        assert_int_equal(r, -ENOMEM);
        assert_int_equal(injected(), failures + 1);
        assert_null(wx);
        assert_int_equal(blocks(), live);
    }
    /* epoll_create through the ABI: the instance gets fd 3. */
    for (;;) {
        long live = blocks_of(SITE_INSTANCE) + blocks_of(SITE_SOURCE);
        int failures = injected();
        GUEST_SNAP();
        set_phase(PH_WX_EPOLL);
        rc = vepoll_wasix_epoll_create(wx, gmem(), 0);
        set_phase(PH_NONE);
        if (rc == 0)
            break;
        assert_int_equal(rc, VEPOLL_WASI_ENOMEM);
        assert_int_equal(injected(), failures + 1);
        GUEST_SAME();
        assert_int_equal(blocks_of(SITE_INSTANCE) + blocks_of(SITE_SOURCE), live);
        assert_int_equal(vepoll_wasix_close(wx, VEPOLL_WASIX_FIRST_FD), -EBADF);
    }
    ep = grd32(0);
    assert_int_equal(ep, VEPOLL_WASIX_FIRST_FD);
    /* Eventfds (host side, non-blocking) under fds 4.. in order. */
    for (i = 0; i < WX_NEFD; i++) {
        for (;;) {
            long live = blocks_of(SITE_EVENTFD) + blocks_of(SITE_SOURCE);
            int failures = injected(), r;
            struct vepoll_wasix_fdinfo info;
            set_phase(PH_WX_EVENTFD);
            r = vepoll_wasix_eventfd(wx, 0, VEPOLL_NONBLOCK, &efd[i]);
            set_phase(PH_NONE);
            if (r == 0)
                break;
            assert_int_equal(r, -ENOMEM);
            assert_int_equal(injected(), failures + 1);
            assert_int_equal(blocks_of(SITE_EVENTFD) + blocks_of(SITE_SOURCE), live);
            assert_int_equal(vepoll_wasix_fd_info(wx, ep + 1 + (uint32_t)i, &info), -EBADF);
        }
        assert_int_equal(efd[i], ep + 1 + (uint32_t)i);
    }
    /* ADD each with its own guest data (data1 = i): the side table grows. */
    for (i = 0; i < WX_NEFD; i++) {
        uint8_t ev[VEPOLL_WASIX_EVENT_SIZE] = {0};
        uint32_t bits = VEPOLL_WASIX_EPOLLIN, d1 = 1000 + (uint32_t)i;
        memcpy(ev, &bits, 4);
        memcpy(ev + 16, &d1, 4);
        memcpy(guest + 64, ev, sizeof ev);
        for (;;) {
            int failures = injected();
            GUEST_SNAP();
            set_phase(PH_WX_CTL);
            rc = vepoll_wasix_epoll_ctl(wx, gmem(), VEPOLL_WASIX_32, ep, VEPOLL_WASIX_CTL_ADD,
                                        efd[i], 64);
            set_phase(PH_NONE);
            if (rc == 0)
                break;
            assert_int_equal(rc, VEPOLL_WASI_ENOMEM);
            assert_int_equal(injected(), failures + 1);
            GUEST_SAME();
            /* No registration kept: the key is absent (slots, buckets
             * and the slab's spare chunk may stay: capacity, freed with
             * the adapter and the instance). */
            /* A MOD reserves a side-table slot before vepoll answers
             * ENOENT (src/wasix/wasix.c ctl_locked): capacity again. */
            set_phase(PH_WX_CTL);
            assert_int_equal(vepoll_wasix_epoll_ctl(wx, gmem(), VEPOLL_WASIX_32, ep,
                                                    VEPOLL_WASIX_CTL_MOD, efd[i], 64),
                             VEPOLL_WASI_ENOENT);
            set_phase(PH_NONE);
            assert_int_equal(vepoll_wasix_epoll_ctl(wx, gmem(), VEPOLL_WASIX_32, ep,
                                                    VEPOLL_WASIX_CTL_DEL, efd[i], 0),
                             VEPOLL_WASI_ENOENT);
        }
    }
    /* Two ready eventfds; a wait for up to 100 events needs a batch buffer
     * (> 64): failing it only shrinks the batch, the answer is the same. */
    assert_int_equal(vepoll_wasix_write(wx, efd[3], &one, 8), 8);
    assert_int_equal(vepoll_wasix_write(wx, efd[17], &one, 8), 8);
    GUEST_SNAP();
    set_phase(PH_WX_WAIT);
    rc = vepoll_wasix_epoll_wait(wx, gmem(), VEPOLL_WASIX_32, ep, 256, 100, 0, 128);
    set_phase(PH_NONE);
    assert_int_equal(rc, 0);
    n = grd32(128);
    assert_int_equal(n, 2);
    for (i = 0; i < 2; i++) {
        uint32_t d1 = grd32(256 + 32 * (size_t)i + 16), fd = grd32(256 + 32 * (size_t)i + 12);
        assert_int_equal(grd32(256 + 32 * (size_t)i), VEPOLL_WASIX_EPOLLIN);
        assert_true((d1 == 1003 && fd == efd[3]) || (d1 == 1017 && fd == efd[17]));
    }
    /* poll(2) over two fds: its item array, a private instance and its
     * registrations; a failure is -ENOMEM, then the same answer. */
    for (;;) {
        struct vepoll_wasix_pollitem it[2] = {{efd[3], VEPOLL_IN, 0, 0},
                                              {efd[4], VEPOLL_IN, 0, 0}};
        long live = blocks();
        int failures = injected(), r;
        set_phase(PH_WX_POLL);
        r = vepoll_wasix_poll(wx, it, 2, 0);
        set_phase(PH_NONE);
        if (r >= 0) {
            assert_int_equal(r, 1);
            assert_int_equal(it[0].revents, VEPOLL_IN);
            assert_int_equal(it[1].revents, 0);
            break;
        }
        assert_int_equal(r, -ENOMEM);
        assert_int_equal(injected(), failures + 1);
        assert_int_equal(blocks(), live);
    }
    /* A timerfd through the table: its description, the timer, its source;
     * settime, gettime and read allocate nothing. */
    for (;;) {
        long live = blocks_of(SITE_TIMERFD) + blocks_of(SITE_SOURCE);
        int failures = injected(), r;
        struct vepoll_wasix_fdinfo info;
        set_phase(PH_WX_TIMERFD);
        r = vepoll_wasix_timerfd_create(wx, VEPOLL_CLOCK_MONOTONIC, VEPOLL_NONBLOCK, &tfd);
        set_phase(PH_NONE);
        if (r == 0)
            break;
        assert_int_equal(r, -ENOMEM);
        assert_int_equal(injected(), failures + 1);
        assert_int_equal(blocks_of(SITE_TIMERFD) + blocks_of(SITE_SOURCE), live);
        assert_int_equal(vepoll_wasix_fd_info(wx, efd[WX_NEFD - 1] + 1, &info), -EBADF);
    }
    assert_int_equal(tfd, efd[WX_NEFD - 1] + 1);
    {
        struct vepoll_itimerspec past = {{0, 0}, {0, 1}}, cur;
        uint64_t ticks = 0;
        assert_int_equal(vepoll_wasix_timerfd_settime(wx, tfd, VEPOLL_TFD_TIMER_ABSTIME, &past,
                                                      &cur),
                         0);
        assert_int_equal(vepoll_wasix_timerfd_gettime(wx, tfd, &cur), 0);
        assert_int_equal(vepoll_wasix_read(wx, tfd, &ticks, sizeof ticks), (int64_t)sizeof ticks);
        assert_true(ticks == 1);
    }
    /* dup3 to a high number grows the descriptor array; a failure leaves
     * the number free and the old descriptor as it was. */
    for (;;) {
        int failures = injected(), r, on = -1;
        set_phase(PH_WX_DUP);
        r = vepoll_wasix_dup3(wx, efd[1], 300, 1);
        set_phase(PH_NONE);
        if (r == 0)
            break;
        assert_int_equal(r, -ENOMEM);
        assert_int_equal(injected(), failures + 1);
        assert_int_equal(vepoll_wasix_get_cloexec(wx, 300, &on), -EBADF);
        assert_int_equal(vepoll_wasix_get_cloexec(wx, efd[1], &on), 0);
        assert_int_equal(on, 0);
    }
    assert_int_equal(vepoll_wasix_close(wx, efd[1]), 0); /* the description lives on in 300 */
    assert_int_equal(vepoll_wasix_write(wx, 300, &one, 8), 8);
    assert_int_equal(vepoll_wasix_close(wx, 300), 0);
    /* DEL and closes free everything and allocate nothing. */
    assert_int_equal(vepoll_wasix_epoll_ctl(wx, gmem(), VEPOLL_WASIX_32, ep, VEPOLL_WASIX_CTL_DEL,
                                            efd[0], 0),
                     0);
    for (i = 0; i < WX_NEFD; i += 2)
        assert_int_equal(vepoll_wasix_close(wx, efd[i]), 0);
    assert_int_equal(vepoll_wasix_close(wx, tfd), 0);
    vepoll_wasix_destroy(wx);
}

/* ---- the scenario ------------------------------------------------------------ */

#define NE 7
#define NPLAIN 40 /* ADDs into E0: the table grows 8 -> 16 -> 32 -> 64 */

static void scenario(void)
{
    vepoll_t *e[NE];
    vepoll_source_t *s[4];
    uint64_t ck[64];
    int i, n;
    struct vepoll_event ev = {VEPOLL_IN, {.u64 = 0}};

    watches = 0;
    probe_ep = create();
    probe_src = source(0);
    for (i = 0; i < NE; i++)
        e[i] = create();
    s[0] = source(0);
    s[1] = source(VEPOLL_IN);
    s[2] = source(0);
    s[3] = source(0);

    /* Table growth past several resizes: S0..S3 under fds 0..9. */
    for (i = 0; i < NPLAIN; i++)
        add(e[0], i / 4, s[i % 4], VEPOLL_IN, (uint64_t)i, false);
    /* S1 was ready at ADD: its ten keys are queued in ADD order (S080). */
    for (n = 0, i = 1; i < NPLAIN; i += 4)
        ck[n++] = (uint64_t)i;
    expect_order(e[0], VEPOLL_IN, n, ck);
    vepoll_source_update(s[1], 0, VEPOLL_IN);
    vepoll_source_update(s[0], VEPOLL_IN, 0);
    for (n = 0, i = 0; i < NPLAIN; i += 4)
        ck[n++] = (uint64_t)i;
    expect_set(e[0], VEPOLL_IN, n, ck);
    vepoll_source_update(s[0], 0, VEPOLL_IN);
    assert_int_equal(vepoll_wait(e[0], (struct vepoll_event[1]){{0, {0}}}, 1, 0), 0);
    /* Keep ten keys (fd 0..9 of S2), drop the rest: the table keeps its size,
     * so the nested ADDs below never grow it. */
    for (i = 0; i < NPLAIN; i++)
        if (i % 4 != 2)
            del(e[0], i / 4, s[i % 4]);
    /* Every other instance gets its table now, for the same reason. */
    for (i = 1; i < NE; i++)
        add(e[i], 100, s[3], VEPOLL_IN, 1000 + (uint64_t)i, false);

    /* Nesting: a chain E0 > E1 > E2 > E3 > E4 (5 instances, the limit), a
     * diamond, a dup'ed link, and a fan-out of 6 children under E0 (its
     * children array grows past 4). */
    add(e[3], 0, vepoll_as_source(e[4]), VEPOLL_IN, 34, true);
    add(e[2], 0, vepoll_as_source(e[3]), VEPOLL_IN, 23, true);
    add(e[1], 0, vepoll_as_source(e[2]), VEPOLL_IN, 12, true);
    add(e[0], 0, vepoll_as_source(e[1]), VEPOLL_IN, 1, true);
    add(e[0], 0, vepoll_as_source(e[2]), VEPOLL_IN, 2, true);
    add(e[0], 0, vepoll_as_source(e[3]), VEPOLL_IN, 3, true);
    add(e[0], 0, vepoll_as_source(e[4]), VEPOLL_IN, 4, true);
    add(e[0], 0, vepoll_as_source(e[5]), VEPOLL_IN, 5, true);
    add(e[0], 0, vepoll_as_source(e[6]), VEPOLL_IN, 6, true);
    add(e[0], 1, vepoll_as_source(e[1]), VEPOLL_IN, 11, true);
    /* The graph is exactly what succeeded: a sixth level and a cycle are
     * refused, a fifth-level leaf is fine. */
    assert_int_equal(vepoll_ctl(e[4], VEPOLL_CTL_ADD, 0, vepoll_as_source(e[5]), &ev), -ELOOP);
    assert_int_equal(vepoll_ctl(e[4], VEPOLL_CTL_ADD, 0, vepoll_as_source(e[0]), &ev), -ELOOP);
    add(e[5], 0, vepoll_as_source(e[4]), VEPOLL_IN, 54, true);
    del(e[5], 0, vepoll_as_source(e[4]));

    /* One update at the bottom reaches the top through every path. */
    add(e[4], 7, s[2], VEPOLL_IN, 47, false);
    vepoll_source_update(s[2], VEPOLL_IN, 0);
    {
        static const uint64_t top[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, /* S2 keys */
                                       1, 2, 3, 4, 11};
        uint64_t want[15];
        for (i = 0; i < 10; i++)
            want[i] = (uint64_t)(i * 4 + 2);
        for (i = 10; i < 15; i++)
            want[i] = top[i];
        expect_set(e[0], VEPOLL_IN, 15, want);
    }
    ck[0] = 47;
    expect_order(e[4], VEPOLL_IN, 1, ck);
    ck[0] = 34;
    expect_order(e[3], VEPOLL_IN, 1, ck);

    /* A closed source disappears everywhere; a closed instance leaves its
     * outers. */
    vepoll_source_close(s[2]);
    watches -= 11;
    assert_int_equal(vepoll_wait(e[0], (struct vepoll_event[64]){{0, {0}}}, 64, 0), 0);
    assert_int_equal(vepoll_close(e[4]), 0);
    watches -= 2 + 1; /* E3 > E4, E0 > E4; E4's own key on S3 */
    check_watch_count();

    /* A per-thread interrupt handle: one block. */
    {
        vepoll_intr_t *ih;
        CREATE_OBJECT(PH_INTR, vepoll_intr_create(&ih), ih);
        assert_int_equal(vepoll_intr_raise(ih), 0);
        assert_int_equal(vepoll_intr_pending(ih), 1);
        assert_int_equal(vepoll_intr_destroy(ih), 0);
    }

    /* The ready-made objects: each is a block plus its end sources. */
    {
        vepoll_pipe_t *p;
        vepoll_eventfd_t *ef;
        vepoll_socketpair_t *sp;
        vepoll_timerfd_t *tf;
        uint64_t one = 1, ticks = 0;
        struct vepoll_itimerspec past = {{0, 0}, {0, 1}}, cur;
        static const uint64_t objs[] = {501, 502, 503, 504};
        CREATE_OBJECT(PH_PIPE, vepoll_pipe_create(&p, 0, VEPOLL_NONBLOCK), p);
        CREATE_OBJECT(PH_EVENTFD, vepoll_eventfd_create(&ef, 0, VEPOLL_NONBLOCK), ef);
        CREATE_OBJECT(PH_SOCKETPAIR, vepoll_socketpair_create(&sp, 0, VEPOLL_NONBLOCK), sp);
        CREATE_OBJECT(PH_TIMERFD,
                      vepoll_timerfd_create(&tf, VEPOLL_CLOCK_MONOTONIC, VEPOLL_NONBLOCK), tf);
        add(e[6], 0, vepoll_pipe_source(p, VEPOLL_PIPE_READ), VEPOLL_IN, 501, false);
        add(e[6], 0, vepoll_eventfd_source(ef), VEPOLL_IN, 502, false);
        add(e[6], 0, vepoll_socketpair_source(sp, 0), VEPOLL_IN, 503, false);
        add(e[6], 0, vepoll_timerfd_source(tf), VEPOLL_IN, 504, false);
        assert_int_equal(vepoll_pipe_write(p, "x", 1, 0), 1);
        assert_int_equal(vepoll_eventfd_write(ef, &one, sizeof one, 0), (ssize_t)sizeof one);
        assert_int_equal(vepoll_socketpair_write(sp, 1, "y", 1, 0), 1);
        /* settime, gettime and read allocate nothing (phase NONE). */
        assert_int_equal(vepoll_timerfd_settime(tf, VEPOLL_TFD_TIMER_ABSTIME, &past, NULL), 0);
        assert_int_equal(vepoll_timerfd_gettime(tf, &cur), 0);
        expect_order(e[6], VEPOLL_IN, 4, objs);
        assert_int_equal(vepoll_timerfd_read(tf, &ticks, sizeof ticks, 0), (ssize_t)sizeof ticks);
        assert_true(ticks == 1);
        ck[0] = 6;
        expect_order(e[0], VEPOLL_IN, 1, ck); /* through E0 > E6 */
        assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_READ), 0);
        assert_int_equal(vepoll_pipe_close(p, VEPOLL_PIPE_WRITE), 0);
        assert_int_equal(vepoll_eventfd_close(ef), 0);
        assert_int_equal(vepoll_socketpair_close(sp, 0), 0);
        assert_int_equal(vepoll_socketpair_close(sp, 1), 0);
        assert_int_equal(vepoll_timerfd_close(tf), 0);
        watches -= 4;
        assert_int_equal(vepoll_wait(e[6], (struct vepoll_event[8]){{0, {0}}}, 8, 0), 0);
        /* A kernel-descriptor source: its block and its source. */
        {
            vepoll_kfd_t *k;
            int pfd[2];
            static const uint64_t kck[] = {505};
            assert_int_equal(pipe2(pfd, O_NONBLOCK | O_CLOEXEC), 0);
            CREATE_OBJECT(PH_KFD, vepoll_kfd_create(&k, pfd[0], 0), k);
            add(e[6], 0, vepoll_kfd_source(k), VEPOLL_IN, 505, false);
            assert_int_equal(write(pfd[1], "z", 1), 1);
            expect_order(e[6], VEPOLL_IN, 1, kck);
            assert_int_equal(vepoll_kfd_read(k, &ticks, sizeof ticks, 0), 1);
            assert_int_equal(vepoll_kfd_close(k), 0);
            close(pfd[1]);
            watches -= 1;
        }
        assert_int_equal(vepoll_wait(e[6], (struct vepoll_event[8]){{0, {0}}}, 8, 0), 0);
        assert_int_equal(vepoll_wait(e[0], (struct vepoll_event[8]){{0, {0}}}, 8, 0), 0);
        check_watch_count();
    }

    for (i = 0; i < NE; i++)
        if (i != 4)
            assert_int_equal(vepoll_close(e[i]), 0);
    vepoll_source_close(s[0]);
    vepoll_source_close(s[1]);
    vepoll_source_close(s[3]);
    vepoll_source_close(probe_src);
    assert_int_equal(vepoll_close(probe_ep), 0);
    wasix_scenario();
    assert_int_equal(sc.unexpected, 0);
    assert_int_equal(blocks(), 0);
    assert_int_equal(atomic_load(&vt_alloc.bad_frees), 0);
}

/* One run of the scenario with the fail_at-th allocation failing (0: none). */
static void run(long fail_at)
{
    memset(&sc, 0, sizeof sc);
    vt_alloc_reset();
    if (fail_at > 0)
        vt_alloc_fail_call(fail_at);
    scenario();
}

/* One ADD in the calibration phase: how many blocks it allocated (their
 * sizes in sc.sizes). */
static int calibration_add(vepoll_t *ep, vepoll_source_t *s, int fd)
{
    long calls = atomic_load(&vt_alloc.calls);
    set_phase(PH_CALIBRATE);
    assert_int_equal(vt_add(ep, fd, s, VEPOLL_IN, (uint64_t)fd), 0);
    set_phase(PH_NONE);
    return (int)(atomic_load(&vt_alloc.calls) - calls);
}

/* The sizes, as the allocator sees them: vepoll_source_create makes one
 * allocation, the source.  The first ADD into a fresh instance makes three:
 * the slab's directory of 4 entries, its first chunk of 4 slots and the
 * table; the 5th ADD a second 4-slot chunk, the 9th an 8-slot chunk, the
 * others none. */
static void calibrate(void)
{
    vepoll_t *ep;
    vepoll_source_t *s;
    size_t chunk4 = 0, chunk8 = 0;
    long calls = atomic_load(&vt_alloc.calls);
    int fd, n;
    assert_int_equal(vepoll_source_create(&s, 0), 0);
    assert_int_equal(atomic_load(&vt_alloc.calls) - calls, 1);
    src_size = sc.last_size;
    assert_int_equal(vepoll_create(&ep), 0);
    for (fd = 1; fd <= 9; fd++) {
        n = calibration_add(ep, s, fd);
        switch (fd) {
        case 1:
            assert_int_equal(n, 3);
            assert_int_equal(sc.sizes[0] % 4, 0);
            dir_entry = sc.sizes[0] / 4;
            chunk4 = sc.sizes[1];
            assert_true(power_of_two(sc.sizes[2])); /* the table's buckets */
            break;
        case 5:
            assert_int_equal(n, 1);
            assert_int_equal(sc.sizes[0], chunk4);
            break;
        case 9:
            assert_int_equal(n, 1);
            chunk8 = sc.sizes[0];
            break;
        default:
            assert_int_equal(n, 0);
        }
    }
    assert_true(chunk8 > chunk4 && (chunk8 - chunk4) % 4 == 0);
    slot_size = (chunk8 - chunk4) / 4;
    chunk_header = chunk4 - 4 * slot_size;
    assert_false(power_of_two(dir_entry)); /* never a table's size */
    assert_int_equal(vepoll_close(ep), 0);
    vepoll_source_close(s);
    assert_int_equal(blocks(), 0);
}

/* The counting allocator (the settings fixture), its calls tagged by site. */
static int setup(void **state)
{
    if (vt_alloc_setup(state) != 0)
        return -1;
    vt_alloc.tag = tag_call;
    return 0;
}

static void test_alloc_fail_every_kth_allocation_fails_cleanly(void **state)
{
    long n, k;
    int i, site, clean_hits[NSITES], failed[NSITES] = {0};
    (void)state;
    calibrate();
    run(0);
    n = atomic_load(&vt_alloc.calls);
    memcpy(clean_hits, sc.site_hits, sizeof clean_hits);
    print_message("clean run: %ld allocations;", n);
    for (i = 0; i < NSITES; i++) {
        print_message(" %s %d", site_name[i], clean_hits[i]);
        assert_true(clean_hits[i] > 0);
    }
    print_message("\n");
    for (k = 1; k <= n; k++) {
        run(k);
        assert_int_equal(injected(), 1);
        site = atomic_load(&vt_alloc.failed_tag);
        assert_true(site >= 0 && site < NSITES);
        failed[site]++;
    }
    for (i = 0; i < NSITES; i++)
        assert_true(failed[i] > 0);
    print_message("%ld runs with one failed allocation each, all clean\n", n);
}

/* The site list above must be every allocation call in the library's
 * tiers (src/core, src/objects, src/wasix). */
static void test_alloc_fail_site_list_matches_sources(void **state)
{
    static const char *const tiers[] = {"core", "objects", "wasix"};
    char dir[4096], path[4096 + 256 + 2], line[1024];
    const char *slash = strrchr(__FILE__, '/');
    DIR *d;
    struct dirent *de;
    size_t i, t;
    int total = 0, listed = 0;
    (void)state;
    if (__FILE__[0] != '/' || !slash) {
        skip(); /* built from a relative path: cannot find src/ */
        return;
    }
    for (i = 0; i < sizeof site_files / sizeof site_files[0]; i++)
        listed += site_files[i].calls;
    for (t = 0; t < sizeof tiers / sizeof tiers[0]; t++) {
        snprintf(dir, sizeof dir, "%.*s/../../src/%s", (int)(slash - __FILE__), __FILE__,
                 tiers[t]);
        d = opendir(dir);
        if (!d) {
            skip();
            return;
        }
        while ((de = readdir(d))) {
            size_t len = strlen(de->d_name);
            int calls = 0;
            FILE *f;
            if (len < 3 || strcmp(de->d_name + len - 2, ".c") || !strcmp(de->d_name, "alloc.c"))
                continue;
            snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
            f = fopen(path, "r");
            assert_non_null(f);
            while (fgets(line, sizeof line, f))
                for (const char *p = line; (p = strstr(p, "vepoll__")); p += 8)
                    calls += !strncmp(p, "vepoll__alloc(", 14) ||
                             !strncmp(p, "vepoll__calloc(", 15);
            fclose(f);
            for (i = 0; i < sizeof site_files / sizeof site_files[0]; i++)
                if (!strcmp(site_files[i].file, de->d_name))
                    break;
            if (i == sizeof site_files / sizeof site_files[0]) {
                if (calls)
                    print_error("src/%s/%s: %d allocation call(s) the scenario does not cover\n",
                                tiers[t], de->d_name, calls);
                assert_int_equal(calls, 0);
            } else {
                assert_int_equal(calls, site_files[i].calls);
            }
            total += calls;
        }
        closedir(d);
    }
    assert_int_equal(total, listed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_fail_site_list_matches_sources),
        cmocka_unit_test_setup_teardown(test_alloc_fail_every_kth_allocation_fails_cleanly,
                                        setup, vt_reset_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
