/*
 * The C side of vepoll-sys's checks, compiled by build.rs into
 * libvepoll_sys_check.a, which only the tests and the benchmark link:
 *
 * - vepoll_sys_layout[]: the size and alignment of every struct, union and
 *   enum of the public headers, the offset of every field, and the value of
 *   every constant, as the C compiler sees them.  tests/layout.rs looks up
 *   each of its own declarations here by name, and fails on any entry it
 *   did not check, so the two lists cannot drift apart silently.
 * - vepoll_sys_c_notify_wait(): the C reference loop of the benchmark
 *   (vepoll/benches/notify_wait.rs), the loop of bench/s_local.c's
 *   run_vepoll with one source.
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vepoll.h"
#include "vepoll_kfd.h"
#include "vepoll_objects.h"
#include "vepoll_wasix.h"

struct vepoll_sys_layout_entry {
    const char *name; /* NULL ends the table */
    uint64_t value;
};

#define K(c) {#c, (uint64_t)(c)}
#define SIZE(t) {"size " #t, sizeof(t)}, {"align " #t, _Alignof(t)}
#define OFF(t, f) {"offset " #t " " #f, offsetof(t, f)}
#define SIGNED(t) {"signed " #t, (t)-1 < 0}

const struct vepoll_sys_layout_entry vepoll_sys_layout[] = {
    /* C types the declarations map onto Rust types */
    SIZE(int), SIZE(size_t), SIZE(ssize_t), SIZE(void *),

    /* vepoll.h */
    K(VEPOLL_VERSION_MAJOR), K(VEPOLL_VERSION_MINOR), K(VEPOLL_VERSION_PATCH),
    K(VEPOLL_IN), K(VEPOLL_PRI), K(VEPOLL_OUT), K(VEPOLL_ERR), K(VEPOLL_HUP),
    K(VEPOLL_RDNORM), K(VEPOLL_RDBAND), K(VEPOLL_WRNORM), K(VEPOLL_WRBAND),
    K(VEPOLL_MSG), K(VEPOLL_RDHUP), K(VEPOLL_EXCLUSIVE), K(VEPOLL_WAKEUP),
    K(VEPOLL_ONESHOT), K(VEPOLL_ET),
    K(VEPOLL_CTL_ADD), K(VEPOLL_CTL_DEL), K(VEPOLL_CTL_MOD),
    SIZE(vepoll_data_t),
    OFF(vepoll_data_t, ptr), OFF(vepoll_data_t, fd), OFF(vepoll_data_t, u32),
    OFF(vepoll_data_t, u64),
    SIZE(struct vepoll_event),
    OFF(struct vepoll_event, events), OFF(struct vepoll_event, data),
    SIZE(struct vepoll_stats),
    OFF(struct vepoll_stats, enqueue_attempts), OFF(struct vepoll_stats, dedupe_hits),
    OFF(struct vepoll_stats, stale_generation_drops),
    OFF(struct vepoll_stats, empty_dequeues),
    SIZE(struct vepoll_allocator),
    OFF(struct vepoll_allocator, alloc), OFF(struct vepoll_allocator, free),
    OFF(struct vepoll_allocator, ctx),

    /* vepoll_objects.h */
    K(VEPOLL_NONBLOCK), K(VEPOLL_PIPE_BUF), K(VEPOLL_PIPE_READ), K(VEPOLL_PIPE_WRITE),
    K(VEPOLL_EFD_SEMAPHORE), K(VEPOLL_EFD_MAX),
    K(VEPOLL_SHUT_RD), K(VEPOLL_SHUT_WR), K(VEPOLL_SHUT_RDWR),
    K(VEPOLL_CLOEXEC), K(VEPOLL_MSG_OOB), K(VEPOLL_MSG_PEEK), K(VEPOLL_MSG_DONTWAIT),
    K(VEPOLL_MSG_WAITALL), K(VEPOLL_MSG_NOSIGNAL), K(VEPOLL_MSG_MORE),
    K(VEPOLL_CLOCK_REALTIME), K(VEPOLL_CLOCK_MONOTONIC),
    K(VEPOLL_TFD_TIMER_ABSTIME), K(VEPOLL_TFD_TIMER_CANCEL_ON_SET),
    SIZE(struct vepoll_timespec),
    OFF(struct vepoll_timespec, tv_sec), OFF(struct vepoll_timespec, tv_nsec),
    SIZE(struct vepoll_itimerspec),
    OFF(struct vepoll_itimerspec, it_interval), OFF(struct vepoll_itimerspec, it_value),

    /* vepoll_wasix.h */
    SIZE(enum vepoll_wasix_abi), SIGNED(enum vepoll_wasix_abi),
    K(VEPOLL_WASIX_32), K(VEPOLL_WASIX_64), K(VEPOLL_WASIX_LINUX32),
    SIZE(struct vepoll_wasix_mem),
    OFF(struct vepoll_wasix_mem, base), OFF(struct vepoll_wasix_mem, size),
    SIZE(struct vepoll_wasix_fdref),
    OFF(struct vepoll_wasix_fdref, ep), OFF(struct vepoll_wasix_fdref, src),
    OFF(struct vepoll_wasix_fdref, handle),
    SIZE(struct vepoll_wasix_fdtable),
    OFF(struct vepoll_wasix_fdtable, lookup), OFF(struct vepoll_wasix_fdtable, release),
    OFF(struct vepoll_wasix_fdtable, install_epoll), OFF(struct vepoll_wasix_fdtable, ctx),
    K(VEPOLL_WASIX_FIRST_FD), K(VEPOLL_WASIX_MAX_FDS),
    SIZE(enum vepoll_wasix_kind), SIGNED(enum vepoll_wasix_kind),
    K(VEPOLL_WASIX_KIND_STDIO), K(VEPOLL_WASIX_KIND_EPOLL), K(VEPOLL_WASIX_KIND_PIPE_READ),
    K(VEPOLL_WASIX_KIND_PIPE_WRITE), K(VEPOLL_WASIX_KIND_EVENTFD), K(VEPOLL_WASIX_KIND_SOCKET),
    K(VEPOLL_WASIX_KIND_TIMERFD),
    SIZE(struct vepoll_wasix_fdinfo),
    OFF(struct vepoll_wasix_fdinfo, kind), OFF(struct vepoll_wasix_fdinfo, nonblock),
    OFF(struct vepoll_wasix_fdinfo, ready), OFF(struct vepoll_wasix_fdinfo, nbytes),
    OFF(struct vepoll_wasix_fdinfo, host_stdio),
    SIZE(struct vepoll_wasix_pollitem),
    OFF(struct vepoll_wasix_pollitem, fd), OFF(struct vepoll_wasix_pollitem, events),
    OFF(struct vepoll_wasix_pollitem, revents), OFF(struct vepoll_wasix_pollitem, ok),

    /* vepoll_wasix_abi.h (struct vepoll_wasix_event32 exists in C only for
     * wasm32: tests/layout.rs checks the Rust one against the offsets) */
    K(VEPOLL_WASI_ESUCCESS), K(VEPOLL_WASI_E2BIG), K(VEPOLL_WASI_EACCES),
    K(VEPOLL_WASI_EAGAIN), K(VEPOLL_WASI_EBADF), K(VEPOLL_WASI_EBUSY),
    K(VEPOLL_WASI_EEXIST), K(VEPOLL_WASI_EFAULT), K(VEPOLL_WASI_EINTR),
    K(VEPOLL_WASI_EINVAL), K(VEPOLL_WASI_EIO), K(VEPOLL_WASI_ELOOP),
    K(VEPOLL_WASI_EMFILE), K(VEPOLL_WASI_ENFILE), K(VEPOLL_WASI_ENOENT),
    K(VEPOLL_WASI_ENOMEM), K(VEPOLL_WASI_ENOSPC), K(VEPOLL_WASI_ENOSYS),
    K(VEPOLL_WASI_ENOTCONN), K(VEPOLL_WASI_ENOTSOCK), K(VEPOLL_WASI_ENOTSUP),
    K(VEPOLL_WASI_EOVERFLOW), K(VEPOLL_WASI_EPERM), K(VEPOLL_WASI_EPIPE),
    K(VEPOLL_WASI_ESPIPE), K(VEPOLL_WASI_ETIMEDOUT), K(VEPOLL_WASI_ENOTCAPABLE),
    K(VEPOLL_WASI_ESHUTDOWN), K(VEPOLL_WASI_EMEMVIOLATION), K(VEPOLL_WASI_EUNKNOWN),
    K(VEPOLL_WASIX_EPOLLIN), K(VEPOLL_WASIX_EPOLLOUT), K(VEPOLL_WASIX_EPOLLRDHUP),
    K(VEPOLL_WASIX_EPOLLPRI), K(VEPOLL_WASIX_EPOLLERR), K(VEPOLL_WASIX_EPOLLHUP),
    K(VEPOLL_WASIX_EPOLLET), K(VEPOLL_WASIX_EPOLLONESHOT), K(VEPOLL_WASIX_EPOLL_ALL),
    K(VEPOLL_WASIX_CTL_ADD), K(VEPOLL_WASIX_CTL_MOD), K(VEPOLL_WASIX_CTL_DEL),
    K(VEPOLL_WASIX_TIMEOUT_FOREVER),
    K(VEPOLL_WASIX_EVENT_SIZE), K(VEPOLL_WASIX_EVENT_EVENTS), K(VEPOLL_WASIX_EVENT_DATA2),
    K(VEPOLL_WASIX_EVENT32_PTR), K(VEPOLL_WASIX_EVENT32_FD), K(VEPOLL_WASIX_EVENT32_DATA1),
    K(VEPOLL_WASIX_EVENT64_PTR), K(VEPOLL_WASIX_EVENT64_FD), K(VEPOLL_WASIX_EVENT64_DATA1),
    K(VEPOLL_WASIX_LINUX_EVENT_SIZE), K(VEPOLL_WASIX_LINUX_EVENT_EVENTS),
    K(VEPOLL_WASIX_LINUX_EVENT_DATA),
    K(VEPOLL_WASIX_AF_UNIX), K(VEPOLL_WASIX_SOCK_STREAM), K(VEPOLL_WASIX_EVENTFD_SEMAPHORE),
    K(VEPOLL_EXT_SIGNAL_DEFAULT), K(VEPOLL_EXT_SIGNAL_IGNORE), K(VEPOLL_EXT_SIGNAL_HANDLER),
    K(VEPOLL_EXT_SIGNAL_RESTART),
    K(VEPOLL_KFD_NOCLOSE), K(VEPOLL_WASIX_KIND_KFD), SIZE(socklen_t),
    K(VEPOLL_WASI_EADDRINUSE), K(VEPOLL_WASI_EADDRNOTAVAIL), K(VEPOLL_WASI_EAFNOSUPPORT), K(VEPOLL_WASI_EALREADY), K(VEPOLL_WASI_ECONNABORTED), K(VEPOLL_WASI_ECONNREFUSED), K(VEPOLL_WASI_ECONNRESET), K(VEPOLL_WASI_EDESTADDRREQ), K(VEPOLL_WASI_EHOSTUNREACH), K(VEPOLL_WASI_EINPROGRESS), K(VEPOLL_WASI_EISCONN), K(VEPOLL_WASI_EMSGSIZE), K(VEPOLL_WASI_ENETDOWN), K(VEPOLL_WASI_ENETRESET), K(VEPOLL_WASI_ENETUNREACH), K(VEPOLL_WASI_ENOBUFS), K(VEPOLL_WASI_ENOPROTOOPT), K(VEPOLL_WASI_EPROTONOSUPPORT), K(VEPOLL_WASI_EPROTOTYPE),
    {NULL, 0},
};

/* bench/s_local.c's run_vepoll with one source: notify + wait(0), `iters`
 * times.  Returns the number of events harvested (iters when all went
 * well); the caller times the call. */
long vepoll_sys_c_notify_wait(vepoll_t *ep, vepoll_source_t *src,
                              struct vepoll_event *ev, int maxevents, long iters);
long vepoll_sys_c_notify_wait(vepoll_t *ep, vepoll_source_t *src,
                              struct vepoll_event *ev, int maxevents, long iters)
{
    long i, got = 0;
    for (i = 0; i < iters; i++) {
        vepoll_source_update(src, VEPOLL_IN, 0);
        got += vepoll_wait(ep, ev, maxevents, 0);
    }
    return got;
}
