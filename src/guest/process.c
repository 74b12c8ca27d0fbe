/*
 * Processes and identities for a WASI guest.  A guest is one process
 * without children: getpid/getppid come from the host (WASIX proc_id /
 * proc_parent; 1 and 0 on a host without them), the guest is the leader
 * of its own process group and session, its user and group ids are fixed
 * at 0 (what wasix-libc reports), wait/waitpid/waitid fail with ECHILD,
 * and fork, vfork and the exec family with ENOSYS.  Its host name is
 * uname's node name (wasi-libc: "(none)", Linux's name for an unset one).
 * See docs/GUESTS.md.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest.h"

#define GUEST_ID 0

pid_t getpid(void)
{
    int32_t pid;
    return __vg_proc_id(&pid) ? 1 : pid;
}

pid_t getppid(void)
{
    int32_t ppid;
    return __vg_proc_parent(getpid(), &ppid) ? 0 : ppid;
}

/* glibc's: the node name with its NUL, or ENAMETOOLONG (the buffer filled
 * with as much as fits) when len cannot hold it.  wasi-libc declares it
 * but has none. */
int gethostname(char *name, size_t len)
{
    struct utsname u;
    size_t n;
    if (uname(&u))
        return -1;
    n = strlen(u.nodename) + 1;
    if (len < n) {
        if (len)
            memcpy(name, u.nodename, len);
        return __vg_fail(ENAMETOOLONG);
    }
    memcpy(name, u.nodename, n);
    return 0;
}

/* pid 0 or the guest's own pid: the guest; anyone else: no such process. */
static int own(pid_t pid)
{
    return pid == 0 || pid == getpid();
}

pid_t getpgrp(void) { return getpid(); }

pid_t getpgid(pid_t pid)
{
    return own(pid) ? getpid() : __vg_fail(ESRCH);
}

pid_t getsid(pid_t pid)
{
    return own(pid) ? getpid() : __vg_fail(ESRCH);
}

int setpgid(pid_t pid, pid_t pgid)
{
    if (pgid < 0)
        return __vg_fail(EINVAL);
    if (!own(pid))
        return __vg_fail(ESRCH);
    /* A session leader cannot change its group (Linux: EPERM); joining its
     * own group again is a no-op. */
    return pgid == 0 || pgid == getpid() ? 0 : __vg_fail(EPERM);
}

/* Already a process group leader: Linux's EPERM. */
pid_t setsid(void) { return __vg_fail(EPERM); }

uid_t getuid(void) { return GUEST_ID; }
uid_t geteuid(void) { return GUEST_ID; }
gid_t getgid(void) { return GUEST_ID; }
gid_t getegid(void) { return GUEST_ID; }

int getgroups(int size, gid_t list[])
{
    (void)list;
    return size < 0 ? __vg_fail(EINVAL) : 0;
}

/* The ids are fixed: setting the current one succeeds, others EPERM. */
static int set_id(unsigned id)
{
    return id == GUEST_ID ? 0 : __vg_fail(EPERM);
}

int setuid(uid_t uid) { return set_id(uid); }
int seteuid(uid_t uid) { return set_id(uid); }
int setgid(gid_t gid) { return set_id(gid); }
int setegid(gid_t gid) { return set_id(gid); }

#define LINUX_WAIT_EXTRA (__WNOTHREAD | __WALL | __WCLONE)

pid_t waitpid(pid_t pid, int *status, int options)
{
    (void)pid;
    (void)status;
    if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | LINUX_WAIT_EXTRA))
        return __vg_fail(EINVAL);
    return __vg_fail(ECHILD);
}

pid_t wait(int *status)
{
    return waitpid(-1, status, 0);
}

int waitid(idtype_t type, id_t id, siginfo_t *info, int options)
{
    (void)id;
    (void)info;
    if (type != P_ALL && type != P_PID && type != P_PGID && type != P_PIDFD)
        return __vg_fail(EINVAL);
    if (!(options & (WEXITED | WSTOPPED | WCONTINUED)) ||
        (options & ~(WNOHANG | WEXITED | WSTOPPED | WCONTINUED | WNOWAIT | LINUX_WAIT_EXTRA)))
        return __vg_fail(EINVAL);
    return __vg_fail(ECHILD);
}

pid_t fork(void) { return __vg_fail(ENOSYS); }
pid_t vfork(void) { return __vg_fail(ENOSYS); }

int execve(const char *path, char *const argv[], char *const envp[])
{
    (void)path;
    (void)argv;
    (void)envp;
    return __vg_fail(ENOSYS);
}

int fexecve(int fd, char *const argv[], char *const envp[])
{
    (void)fd;
    return execve("", argv, envp);
}

int execv(const char *path, char *const argv[]) { return execve(path, argv, NULL); }
int execvp(const char *file, char *const argv[]) { return execve(file, argv, NULL); }

int execvpe(const char *file, char *const argv[], char *const envp[])
{
    return execve(file, argv, envp);
}

int execl(const char *path, const char *arg, ...)
{
    (void)arg;
    return execve(path, NULL, NULL);
}

int execlp(const char *file, const char *arg, ...)
{
    (void)arg;
    return execve(file, NULL, NULL);
}

int execle(const char *path, const char *arg, ...)
{
    (void)arg;
    return execve(path, NULL, NULL);
}
