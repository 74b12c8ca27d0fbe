/*
 * Descriptor duplication and flags: dup, dup2, dup3 and fcntl
 * (F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL, F_SETFL) over the
 * host's WASIX fd_dup / fd_dup2 / fd_fdflags_get / fd_fdflags_set and
 * preview1 fd_renumber, fd_fdstat_get, fd_fdstat_set_flags.  The checks
 * come in Linux's order, so a bad call fails with Linux's errno and
 * changes nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>
#include <wasi/api.h>

#include "guest.h"

int dup(int fd)
{
    uint32_t nfd;
    int32_t err;
    if (fd < 0)
        return __vg_fail(EBADF);
    err = __vg_fd_dup((uint32_t)fd, &nfd);
    return err ? __vg_fail(err) : (int)nfd;
}

/* newfd becomes a copy of fd (both valid, distinct): a fresh duplicate is
 * moved onto newfd, which the host closes first if it is open. */
static int dup_onto(int fd, int newfd)
{
    uint32_t tmp;
    int32_t err;
    if (newfd < 0)
        return __vg_fail(EBADF);
    err = __vg_fd_dup((uint32_t)fd, &tmp);
    if (err)
        return __vg_fail(err);
    err = __wasi_fd_renumber((__wasi_fd_t)tmp, (__wasi_fd_t)newfd);
    if (err) {
        close((int)tmp); /* the only state this call created */
        return __vg_fail(err);
    }
    return newfd;
}

int dup2(int fd, int newfd)
{
    if (fd == newfd)
        return __vg_fd_check(fd) < 0 ? -1 : newfd;
    return dup_onto(fd, newfd);
}

int dup3(int fd, int newfd, int flags)
{
    if (flags & ~O_CLOEXEC)
        return __vg_fail(EINVAL);
    if (fd == newfd)
        return __vg_fail(EINVAL);
    if (dup_onto(fd, newfd) < 0)
        return -1;
    if ((flags & O_CLOEXEC) && __vg_set_cloexec(newfd) < 0) {
        int e = errno;
        close(newfd);
        return __vg_fail(e);
    }
    return newfd;
}

static int dupfd(int fd, long min, int cloexec)
{
    uint32_t nfd;
    int32_t err;
    if (fd < 0)
        return __vg_fail(EBADF);
    if (min < 0 || min > INT32_MAX)
        return __vg_fail(EINVAL);
    err = __vg_fd_dup2((uint32_t)fd, (uint32_t)min, cloexec ? 1u : 0u, &nfd);
    return err ? __vg_fail(err) : (int)nfd;
}

static int getfd(int fd)
{
    uint16_t fl = 0;
    int32_t err;
    if (fd < 0)
        return __vg_fail(EBADF);
    err = __vg_fd_fdflags_get((uint32_t)fd, &fl);
    if (err == ENOSYS) /* no WASIX fd flags: nothing is close-on-exec */
        return __vg_fd_check(fd) < 0 ? -1 : 0;
    if (err)
        return __vg_fail(err);
    return (fl & VG_FDFLAG_CLOEXEC) ? FD_CLOEXEC : 0;
}

static int setfd(int fd, long arg)
{
    int32_t err;
    if (fd < 0)
        return __vg_fail(EBADF);
    err = __vg_fd_fdflags_set((uint32_t)fd, (arg & FD_CLOEXEC) ? VG_FDFLAG_CLOEXEC : 0u);
    if (err == ENOSYS)
        return __vg_fd_check(fd);
    return err ? __vg_fail(err) : 0;
}

/* The status flags: WASI fdflags (wasi-libc's O_APPEND, O_NONBLOCK... are
 * those numbers) plus the access mode the rights imply. */
static int getfl(int fd)
{
    __wasi_fdstat_t st;
    __wasi_errno_t err;
    int fl, rd, wr;
    if (fd < 0)
        return __vg_fail(EBADF);
    err = __wasi_fd_fdstat_get((__wasi_fd_t)fd, &st);
    if (err)
        return __vg_fail(err);
    fl = st.fs_flags;
    rd = (st.fs_rights_base & (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_READDIR)) != 0;
    wr = (st.fs_rights_base & __WASI_RIGHTS_FD_WRITE) != 0;
    return fl | (rd && wr ? O_RDWR : rd ? O_RDONLY : wr ? O_WRONLY : O_SEARCH);
}

/* Like Linux, only O_APPEND and O_NONBLOCK can change; the access mode and
 * other bits in arg are ignored. */
static int setfl(int fd, long arg)
{
    __wasi_errno_t err;
    if (fd < 0)
        return __vg_fail(EBADF);
    err = __wasi_fd_fdstat_set_flags((__wasi_fd_t)fd,
                                     (__wasi_fdflags_t)(arg & (O_APPEND | O_NONBLOCK)));
    return err ? __vg_fail(err) : 0;
}

int fcntl(int fd, int cmd, ...)
{
    va_list ap;
    long arg = 0;
    /* The commands served that take an argument take an int. */
    if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC || cmd == F_SETFD || cmd == F_SETFL) {
        va_start(ap, cmd);
        arg = va_arg(ap, int);
        va_end(ap);
    }
    switch (cmd) {
    case F_DUPFD: return dupfd(fd, arg, 0);
    case F_DUPFD_CLOEXEC: return dupfd(fd, arg, 1);
    case F_GETFD: return getfd(fd);
    case F_SETFD: return setfd(fd, arg);
    case F_GETFL: return getfl(fd);
    case F_SETFL: return setfl(fd, arg);
    default: return fd < 0 || __vg_fd_check(fd) < 0 ? __vg_fail(EBADF) : __vg_fail(EINVAL);
    }
}
