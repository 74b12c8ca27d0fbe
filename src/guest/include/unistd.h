/*
 * wasi-libc's <unistd.h> plus what WASI lacks and vepoll's guest library
 * provides: pipe/pipe2 (WASIX fd_pipe), dup/dup2/dup3 (WASIX fd_dup,
 * fd_dup2, preview1 fd_renumber, WASIX fd_fdflags_set), getpid/getppid
 * without -D_WASI_EMULATED_GETPID, fixed user and group ids, and fork, the
 * exec family and pause, which fail with ENOSYS (see docs/GUESTS.md).
 */
/* wasi-libc marks getpid() deprecated unless this is defined; the guest
 * library defines getpid(), so the declaration is plain. */
#ifndef _WASI_EMULATED_GETPID
#define _WASI_EMULATED_GETPID
#define _VEPOLL_UNDEF_EMULATED_GETPID
#endif
#include_next <unistd.h>
#ifdef _VEPOLL_UNDEF_EMULATED_GETPID
#undef _WASI_EMULATED_GETPID
#undef _VEPOLL_UNDEF_EMULATED_GETPID
#endif

#ifndef _VEPOLL_WASIX_UNISTD_H
#define _VEPOLL_WASIX_UNISTD_H
#ifdef __cplusplus
extern "C" {
#endif
int pipe(int fds[2]);
int pipe2(int fds[2], int flags);

int dup(int fd);
int dup2(int fd, int newfd);
int dup3(int fd, int newfd, int flags);

pid_t getppid(void);
pid_t getpgrp(void);
pid_t getpgid(pid_t pid);
pid_t getsid(pid_t pid);
int setpgid(pid_t pid, pid_t pgid);
pid_t setsid(void);

uid_t getuid(void);
uid_t geteuid(void);
gid_t getgid(void);
gid_t getegid(void);
int getgroups(int size, gid_t list[]);
int setuid(uid_t uid);
int seteuid(uid_t uid);
int setgid(gid_t gid);
int setegid(gid_t gid);

pid_t fork(void);
pid_t vfork(void);
int execve(const char *path, char *const argv[], char *const envp[]);
int execv(const char *path, char *const argv[]);
int execvp(const char *file, char *const argv[]);
int execvpe(const char *file, char *const argv[], char *const envp[]);
int execl(const char *path, const char *arg, ...);
int execlp(const char *file, const char *arg, ...);
int execle(const char *path, const char *arg, ...);
int fexecve(int fd, char *const argv[], char *const envp[]);
int pause(void);
#ifdef __cplusplus
}
#endif
#endif
