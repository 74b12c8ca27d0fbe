/*
 * Runs tests/guest/stdin_wait.c with stdin an empty pipe, writes "hello\n"
 * after 2 s and closes the pipe 0.5 s later, and checks that the program
 * exited 0 having used less than 5 % of one CPU over those 2.5 s (S226: a
 * guest blocked on an empty stdin sleeps; a program that polled in a loop
 * would use all of it).  This is a functional "does not spin" check, not a
 * measure of speed.  Native program.
 *
 *   stdin_driver native PROGRAM
 *   stdin_driver guest RUNNER SOURCE   the guest is built first
 *       (RUNNER --build-only SOURCE, not counted) and then run directly
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wx_test.h"

/* RUNNER --build-only SOURCE: the path of the built executable. */
static void build_guest(const char *runner, const char *src, char *path, size_t len)
{
    char cmd[4096];
    FILE *f;
    snprintf(cmd, sizeof(cmd), "'%s' --build-only '%s'", runner, src);
    f = popen(cmd, "r");
    CHECK(f != NULL);
    CHECK(fgets(path, (int)len, f) != NULL);
    CHECK_EQ(pclose(f), 0);
    path[strcspn(path, "\n")] = 0;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0)
        ;
}

int main(int argc, char **argv)
{
    char path[4096];
    int p[2], status;
    struct rusage ru;
    double cpu;
    pid_t pid;
    signal(SIGPIPE, SIG_IGN);
    CHECK(argc >= 3);
    if (!strcmp(argv[1], "guest")) {
        CHECK(argc >= 4);
        build_guest(argv[2], argv[3], path, sizeof(path));
    } else {
        snprintf(path, sizeof(path), "%s", argv[2]);
    }
    CHECK_EQ(pipe(p), 0);
    pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        dup2(p[0], 0);
        close(p[0]);
        close(p[1]);
        execl(path, "stdin_wait", (char *)NULL);
        _exit(127);
    }
    close(p[0]);
    sleep_ms(2000);
    CHECK_EQ(write(p[1], "hello\n", 6), 6);
    sleep_ms(500);
    close(p[1]);
    CHECK_EQ(wait4(pid, &status, 0, &ru), pid);
    CHECK(WIFEXITED(status));
    CHECK_EQ(WEXITSTATUS(status), 0);
    cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
          ru.ru_stime.tv_usec / 1e6;
    printf("child CPU %.3f s over 2.5 s\n", cpu);
    CHECK(cpu < 0.05 * 2.5);
    printf("ok stdin wait without spinning\n");
    return 0;
}
