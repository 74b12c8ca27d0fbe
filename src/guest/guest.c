/*
 * The steps the guest library's modules share (see guest.h).
 */
#include <errno.h>
#include <signal.h>
#include <time.h>
#include <wasi/api.h>

#include "guest.h"

int __vg_fail(int err)
{
    errno = err;
    return -1;
}

int __vg_mem_ok(const void *p, size_t len)
{
    uint64_t size = (uint64_t)__builtin_wasm_memory_size(0) * 65536u;
    uint64_t off = (uint64_t)(uintptr_t)p;
    return p != NULL && off <= size && len <= size - off;
}

int __vg_timeout_check(const struct timespec *t)
{
    if (!__vg_mem_ok(t, sizeof(*t)))
        return __vg_fail(EFAULT);
    if (t->tv_sec < 0 || t->tv_nsec < 0 || t->tv_nsec >= 1000000000)
        return __vg_fail(EINVAL);
    return 0;
}

int __vg_set_cloexec(int fd)
{
    int32_t err = __vg_fd_fdflags_set((uint32_t)fd, VG_FDFLAG_CLOEXEC);
    return err && err != ENOSYS ? __vg_fail(err) : 0;
}

/* The descriptor's WASI fdstat: 0, or -1 with errno. */
static int fdstat(int fd, __wasi_fdstat_t *st)
{
    __wasi_errno_t err;
    if (fd < 0)
        return __vg_fail(EBADF);
    err = __wasi_fd_fdstat_get((__wasi_fd_t)fd, st);
    return err ? __vg_fail(err) : 0;
}

int __vg_fd_check(int fd)
{
    __wasi_fdstat_t st;
    return fdstat(fd, &st);
}

int __vg_sock_check(int fd)
{
    __wasi_fdstat_t st;
    if (fdstat(fd, &st) < 0)
        return -1;
    if (st.fs_filetype != __WASI_FILETYPE_SOCKET_STREAM &&
        st.fs_filetype != __WASI_FILETYPE_SOCKET_DGRAM)
        return __vg_fail(ENOTSOCK);
    return 0;
}

int __vg_copy_out(const void *v, unsigned size, void *out, unsigned *len, int tell_full)
{
    unsigned n;
    if (!__vg_mem_ok(len, sizeof(*len)))
        return __vg_fail(EFAULT);
    if ((int)*len < 0)
        return __vg_fail(EINVAL);
    n = *len < size ? *len : size;
    if (n && !__vg_mem_ok(out, n))
        return __vg_fail(EFAULT);
    __builtin_memcpy(out, v, n);
    *len = tell_full ? size : n;
    return 0;
}

int __vg_epipe(void)
{
    raise(SIGPIPE);
    return __vg_fail(EPIPE);
}
