/*
 * Processes and identities as a guest sees them, checked against Linux
 * (built natively and as a guest): a stable pid, no children (wait and
 * waitpid fail with ECHILD, bad options with EINVAL), consistent real and
 * effective ids, the caller's own process group and session, a host name
 * that is uname's node name (ENAMETOOLONG in a buffer too small).  The guest
 * build also checks what only a guest does: fork and exec fail with ENOSYS
 * and the ids are fixed at 0 (docs/GUESTS.md).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wx_test.h"

static void pid_is_stable(void)
{
    pid_t p = getpid();
    CHECK(p > 0);
    CHECK_EQ(getpid(), p);
    CHECK(getppid() >= 0);
    CHECK(getppid() != p);
    CHECK_EQ(kill(p, 0), 0);
}

static void no_children(void)
{
    int st = 0;
    CHECK_ERR(wait(&st), ECHILD);
    CHECK_ERR(waitpid(-1, &st, 0), ECHILD);
    CHECK_ERR(waitpid(-1, &st, WNOHANG), ECHILD);
    CHECK_ERR(waitpid(12345, NULL, WNOHANG), ECHILD);
    CHECK_ERR(waitpid(-1, &st, 0x1000), EINVAL);
    CHECK_ERR(waitid(P_ALL, 0, NULL, 0), EINVAL); /* no event kind asked */
    CHECK_ERR(waitid(P_ALL, 0, NULL, WEXITED | WNOHANG), ECHILD);
}

static void ids_are_consistent(void)
{
    CHECK_EQ(getuid(), geteuid());
    CHECK_EQ(getgid(), getegid());
    CHECK_EQ(setuid(getuid()), 0);
    CHECK_EQ(setgid(getgid()), 0);
    CHECK(getgroups(0, NULL) >= 0);
    {
        volatile int bad = -1; /* a constant -1 is a compile-time error for gcc */
        CHECK_ERR(getgroups(bad, NULL), EINVAL);
    }
}

static void process_group(void)
{
    CHECK_EQ(getpgid(0), getpgrp());
    CHECK_EQ(getpgid(getpid()), getpgrp());
    CHECK_EQ(getsid(0), getsid(getpid()));
    CHECK_ERR(getpgid(-1), ESRCH);
    CHECK_ERR(getpgid(0x7ffffff0), ESRCH);
    CHECK_ERR(getsid(0x7ffffff0), ESRCH);
}

static void host_name(void)
{
    struct utsname u;
    char name[256], small[2] = {'x', 'x'};
    CHECK_EQ(uname(&u), 0);
    CHECK_EQ(gethostname(name, sizeof(name)), 0);
    CHECK_EQ(strcmp(name, u.nodename), 0);
    CHECK(strlen(u.nodename) >= 1);
    CHECK_ERR(gethostname(small, 1), ENAMETOOLONG);
    CHECK_EQ(small[0], u.nodename[0]); /* filled with what fits */
}

#ifdef __wasm__
static void guest_only(void)
{
    char *argv[] = {"x", NULL};
    CHECK_ERR(fork(), ENOSYS);
    CHECK_ERR(execv("/bin/true", argv), ENOSYS);
    CHECK_ERR(execvp("true", argv), ENOSYS);
    CHECK_EQ(getuid(), 0);
    CHECK_EQ(getgid(), 0);
    CHECK_ERR(setuid(1000), EPERM);
    CHECK_EQ(getpgrp(), getpid()); /* its own group and session */
    CHECK_EQ(getsid(0), getpid());
    CHECK_ERR(setsid(), EPERM);
}
#endif

int main(void)
{
    RUN(pid_is_stable);
    RUN(no_children);
    RUN(ids_are_consistent);
    RUN(process_group);
    RUN(host_name);
#ifdef __wasm__
    RUN(guest_only);
#endif
    return 0;
}
