/*
 * <sys/wait.h> for wasm32-wasi guests (vepoll's guest headers).  A guest
 * never has children (fork and the exec family fail with ENOSYS), so wait,
 * waitpid and waitid fail with ECHILD, as Linux does for a process without
 * children.  The status macros are Linux's.
 */
#ifndef _SYS_WAIT_H
#define _SYS_WAIT_H

#include <features.h>

#define __NEED_pid_t
#define __NEED_id_t
#include <bits/alltypes.h>

#include <signal.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { P_ALL = 0, P_PID = 1, P_PGID = 2, P_PIDFD = 3 } idtype_t;

#define WNOHANG 1
#define WUNTRACED 2
#define WSTOPPED 2
#define WEXITED 4
#define WCONTINUED 8
#define WNOWAIT 0x1000000
#define __WNOTHREAD 0x20000000
#define __WALL 0x40000000
#define __WCLONE ((int)0x80000000u)

#define WEXITSTATUS(s) (((s) & 0xff00) >> 8)
#define WTERMSIG(s) ((s) & 0x7f)
#define WSTOPSIG(s) WEXITSTATUS(s)
#define WCOREDUMP(s) ((s) & 0x80)
#define WIFEXITED(s) (!WTERMSIG(s))
#define WIFSTOPPED(s) ((short)((((s) & 0xffff) * 0x10001U) >> 8) > 0x7f00)
#define WIFSIGNALED(s) (((s) & 0xffff) - 1U < 0xffu)
#define WIFCONTINUED(s) ((s) == 0xffff)

pid_t wait(int *status);
pid_t waitpid(pid_t pid, int *status, int options);
int waitid(idtype_t type, id_t id, siginfo_t *info, int options);

#ifdef __cplusplus
}
#endif

#endif /* sys/wait.h */
