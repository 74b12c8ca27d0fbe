#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "loop.h"

static int ep = -1, efd = -1;

int loop_open(void)
{
    struct epoll_event ev = {.events = EPOLLIN};
    ep = epoll_create1(EPOLL_CLOEXEC);
    efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (ep < 0 || efd < 0)
        return -1;
    ev.data.fd = efd;
    return epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);
}

int loop_notify_fd(void)
{
    return efd;
}

int64_t loop_wait(int timeout_ms)
{
    struct epoll_event ev;
    uint64_t v;
    if (epoll_wait(ep, &ev, 1, timeout_ms) != 1 || ev.data.fd != efd)
        return -1;
    return read(efd, &v, sizeof(v)) == (ssize_t)sizeof(v) ? (int64_t)v : -1;
}

void loop_close(void)
{
    close(ep);
    close(efd);
}
