/*
 * Scenario 8: memory.  The target lines count what issue #14 counts: the
 * growth of the process heap, glibc's mallinfo2() uordblks + hblkhd (bytes
 * in use, malloc's chunk headers and rounding included, plus mmapped
 * blocks), before and after creating N sources, then after adding N
 * registrations of them to one instance (its table and registration slab
 * included), divided by N, at the largest N (10^6; 1000 with --quick).
 * A counting allocator installed with vepoll_set_allocator also shows what
 * vepoll asked for ("req"), and the same through glibc (malloc_usable_size
 * + its 8-byte chunk header), sizeof of the structures, the mutexq design's requested bytes (a lower bound:
 * Wasmer's join guard is modelled as one pointer), and the kernel's slab
 * object sizes for an epoll item, if /proc/slabinfo is readable.
 */
#include <errno.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "instance.h"
#include "mutexq.h"
#include "registration.h"
#include "source.h"
#include "vepoll.h"

struct counting {
    _Atomic long bytes, real, blocks;
};

static void *c_alloc(void *ctx, size_t n)
{
    struct counting *c = ctx;
    void *p = malloc(n);
    if (p) {
        atomic_fetch_add(&c->bytes, (long)n);
        atomic_fetch_add(&c->real, (long)(malloc_usable_size(p) + sizeof(size_t)));
        atomic_fetch_add(&c->blocks, 1);
    }
    return p;
}

static void c_free(void *ctx, void *p, size_t n)
{
    struct counting *c = ctx;
    atomic_fetch_sub(&c->bytes, (long)n);
    atomic_fetch_sub(&c->real, (long)(malloc_usable_size(p) + sizeof(size_t)));
    atomic_fetch_sub(&c->blocks, 1);
    free(p);
}

static long slab_objsize(const char *name)
{
    char line[512], nm[64];
    long active, num, objsize, found = -1;
    FILE *f = fopen("/proc/slabinfo", "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "%63s %ld %ld %ld", nm, &active, &num, &objsize) == 4 &&
            !strcmp(nm, name)) {
            found = objsize;
            break;
        }
    fclose(f);
    return found;
}

struct mem_row {
    long n;
    double src_req, src_real, reg_req, reg_real, src_heap, reg_heap, mq_src, mq_reg;
    long inst_req;
};

/* Bytes the heap holds: in use from the arenas plus mmapped blocks. */
static long heap_bytes(void)
{
    struct mallinfo2 mi = mallinfo2();
    return (long)(mi.uordblks + mi.hblkhd);
}

static int measure_n(struct counting *c, long n, struct mem_row *row)
{
    vepoll_t *ep = NULL;
    vepoll_source_t **src = calloc((size_t)n, sizeof(*src));
    struct mq_state *mq = NULL;
    struct mq_source **msrc = calloc((size_t)n, sizeof(*msrc));
    struct vepoll_event ev = {VEPOLL_IN, {0}};
    long b0, b1, b2, r1, r2, h1, h2, m0, m1, m2, i;
    int rc = (!src || !msrc) ? -ENOMEM : 0;

    b0 = atomic_load(&c->bytes);
    if (!rc)
        rc = vepoll_create(&ep);
    b1 = atomic_load(&c->bytes);
    r1 = atomic_load(&c->real);
    h1 = heap_bytes();
    for (i = 0; i < n && !rc; i++)
        rc = vepoll_source_create(&src[i], 0);
    h2 = heap_bytes();
    b2 = atomic_load(&c->bytes);
    r2 = atomic_load(&c->real);
    row->n = n;
    row->inst_req = b1 - b0;
    row->src_req = (double)(b2 - b1) / (double)n;
    row->src_real = (double)(r2 - r1) / (double)n;
    for (i = 0; i < n && !rc; i++)
        rc = vepoll_ctl(ep, VEPOLL_CTL_ADD, (int)i, src[i], &ev);
    row->reg_heap = (double)(heap_bytes() - h2) / (double)n;
    row->src_heap = (double)(h2 - h1) / (double)n;
    row->reg_req = (double)(atomic_load(&c->bytes) - b2) / (double)n;
    row->reg_real = (double)(atomic_load(&c->real) - r2) / (double)n;

    m0 = atomic_load(&mq_live_bytes);
    if (!rc)
        rc = mq_create(&mq, 1);
    m1 = atomic_load(&mq_live_bytes);
    for (i = 0; i < n && !rc; i++)
        rc = mq_source_create(&msrc[i], 0);
    m2 = atomic_load(&mq_live_bytes);
    for (i = 0; i < n && !rc; i++)
        rc = mq_ctl_add(mq, (uint32_t)i, msrc[i], VEPOLL_IN, 0);
    row->mq_src = (double)(m2 - m1) / (double)n;
    row->mq_reg = (double)(atomic_load(&mq_live_bytes) - m2) / (double)n;
    (void)m0;

    if (ep)
        vepoll_close(ep);
    if (mq)
        mq_destroy(mq);
    for (i = 0; i < n; i++) {
        if (src && src[i])
            vepoll_source_close(src[i]);
        if (msrc && msrc[i])
            mq_source_destroy(msrc[i]);
    }
    free(src);
    free(msrc);
    if (!rc && atomic_load(&c->bytes) != b0) {
        fprintf(stderr, "s8: %ld bytes still allocated after closing\n",
                atomic_load(&c->bytes) - b0);
        rc = -EIO;
    }
    return rc;
}

int scen_memory(void)
{
    static const long full_ns[] = {1000, 100000, 1000000};
    static const long quick_ns[] = {100, 1000};
    const long *ns = cfg.quick ? quick_ns : full_ns;
    int nn = cfg.quick ? 2 : 3, k, rc;
    struct counting c;
    struct vepoll_allocator a = {c_alloc, c_free, &c};
    struct mem_row row;
    double heap_reg = 0, heap_src = 0;
    long epi, pwq;

    memset(&c, 0, sizeof(c));
    print_title("8. memory: bytes per registration and per source");
    rc = vepoll_set_allocator(&a);
    if (rc) {
        bench_fail("s8: vepoll_set_allocator (a vepoll object leaked?)", rc);
        return -1;
    }
    printf("  sizeof: struct vepoll_source %zu, struct vepoll__reg %zu, "
           "struct vepoll %zu; mutexq: sub (ArcInner) %zu, handler %zu\n",
           sizeof(struct vepoll_source), sizeof(struct vepoll__reg),
           sizeof(struct vepoll), mq_sub_size(), mq_handler_size());
    printf("  %-9s %9s %9s %9s %9s %9s %9s %11s %11s %9s\n", "N", "src heap",
           "src req", "src glibc", "reg heap", "reg req", "reg glibc", "mutexq src",
           "mutexq reg", "instance");
    for (k = 0; k < nn && !rc; k++) {
        char param[16];
        rc = measure_n(&c, ns[k], &row);
        if (rc)
            break;
        snprintf(param, sizeof(param), "%ld", ns[k]);
        printf("  %-9ld %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %11.1f %11.1f %9ld\n",
               row.n, row.src_heap, row.src_req, row.src_real, row.reg_heap, row.reg_req,
               row.reg_real, row.mq_src, row.mq_reg, row.inst_req);
        csv_row("s8_memory", "vepoll-heap", param, 0, "bytes_per_source", row.src_heap);
        csv_row("s8_memory", "vepoll-heap", param, 0, "bytes_per_registration",
                row.reg_heap);
        csv_row("s8_memory", "vepoll", param, 0, "bytes_per_source", row.src_req);
        csv_row("s8_memory", "vepoll", param, 0, "bytes_per_registration",
                row.reg_req);
        csv_row("s8_memory", "vepoll-glibc", param, 0, "bytes_per_source",
                row.src_real);
        csv_row("s8_memory", "vepoll-glibc", param, 0, "bytes_per_registration",
                row.reg_real);
        csv_row("s8_memory", "mutexq", param, 0, "bytes_per_source", row.mq_src);
        csv_row("s8_memory", "mutexq", param, 0, "bytes_per_registration",
                row.mq_reg);
        heap_reg = row.reg_heap; /* the largest N is the last */
        heap_src = row.src_heap;
    }
    if (vepoll_set_allocator(NULL) && !rc)
        rc = -EBUSY;
    if (rc) {
        bench_fail("s8", rc);
        return -1;
    }
    epi = slab_objsize("eventpoll_epi");
    pwq = slab_objsize("eventpoll_pwq");
    if (epi > 0) {
        printf("  kernel (slabinfo): eventpoll_epi %ld B", epi);
        if (pwq > 0)
            printf(" + eventpoll_pwq %ld B", pwq);
        printf(" per registration, plus each descriptor's struct file\n");
    }
    target("bytes_per_registration", heap_reg, 1, 48, "B");
    target("bytes_per_source", heap_src, 1, 48, "B");
    return 0;
}
