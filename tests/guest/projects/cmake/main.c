/* A pipe (static library) in an epoll loop, woken by a write from a
 * handler of a raised signal; prints what it saw. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

int pipes_open(int fds[2]);

static int wfd;

static void on_alarm(int sig)
{
    (void)sig;
    (void)!write(wfd, "!", 1);
}

int main(void)
{
    int p[2], ep = epoll_create1(0), n;
    struct epoll_event ev = {.events = EPOLLIN}, out;
    char c = 0;
    if (ep < 0 || pipes_open(p) < 0) {
        perror("setup");
        return 1;
    }
    wfd = p[1];
    ev.data.fd = p[0];
    epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
    signal(SIGALRM, on_alarm);
    raise(SIGALRM);
    n = epoll_wait(ep, &out, 1, 1000);
    if (n == 1)
        (void)!read(p[0], &c, 1);
    printf("timerdemo: %d event(s), read '%c'\n", n, c);
    return n == 1 && c == '!' ? 0 : 1;
}
