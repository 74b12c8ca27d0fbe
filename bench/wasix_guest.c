/*
 * Scenario 9, the WebAssembly side: a wasm32-wasi guest (Linux epoll API
 * through vepoll's guest headers and shim) that serves the measurements
 * bench/wasix_host.c asks for.  Built and translated by
 * tools/vepoll-wasix-run (--host bench/wasix_host.c); vepoll-bench runs it.
 *
 * Protocol: the host writes 16-byte commands {op, pad, iters} to the
 * command pipe; the guest runs the command and answers with one u64 on the
 * reply pipe (nanoseconds for timed commands, 0 when a wake command is
 * done, UINT64_MAX on failure).  Descriptors come from
 * VEPOLL_BENCH9_FDS="cmd_r,reply_w,wake_in,wake_out" (set by the host).
 *   OP_ET    iters x (write 1 to an eventfd + epoll_wait(0) on its ET
 *            registration), timed here: the same-thread cost through the ABI
 *   OP_LT    iters x (write + epoll_wait(0) on an LT registration + read)
 *   OP_WAKE  iters x (epoll_wait(-1) until the host writes wake_in, read it,
 *            write 1 to wake_out): the guest half of the host's timed
 *            round trip
 *   OP_QUIT  return from main
 * Every command checks the events it gets, so a run that stops delivering
 * fails instead of getting fast.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

enum { OP_ET = 1, OP_LT = 2, OP_WAKE = 3, OP_QUIT = 4 };

struct cmd {
    uint32_t op, pad;
    uint64_t iters;
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* An eventfd registered alone in its own epoll instance. */
static int make_pair(int *ep, int *efd, uint32_t events, int efd_flags, int fd)
{
    struct epoll_event ev;
    *ep = epoll_create1(0);
    *efd = fd >= 0 ? fd : eventfd(0, efd_flags);
    if (*ep < 0 || *efd < 0)
        return -1;
    ev.events = events;
    ev.data.u64 = 0x5e5e0000u + (uint64_t)*efd;
    return epoll_ctl(*ep, EPOLL_CTL_ADD, *efd, &ev);
}

static uint64_t run_local(int ep, int efd, int lt, uint64_t iters)
{
    struct epoll_event evs[4];
    const uint64_t one = 1;
    uint64_t t0, i, v;
    t0 = now_ns();
    for (i = 0; i < iters; i++) {
        if (write(efd, &one, 8) != 8)
            return UINT64_MAX;
        if (epoll_wait(ep, evs, 4, 0) != 1 || evs[0].data.u64 != 0x5e5e0000u + (uint64_t)efd)
            return UINT64_MAX;
        if (lt && read(efd, &v, 8) != 8)
            return UINT64_MAX;
    }
    return now_ns() - t0;
}

static uint64_t run_wake(int ep, int win, int wout, uint64_t iters)
{
    struct epoll_event evs[4];
    const uint64_t one = 1;
    uint64_t i, v;
    for (i = 0; i < iters; i++) {
        if (epoll_wait(ep, evs, 4, -1) != 1 || !(evs[0].events & EPOLLIN))
            return UINT64_MAX;
        if (read(win, &v, 8) != 8 || write(wout, &one, 8) != 8)
            return UINT64_MAX;
    }
    return 0;
}

int main(void)
{
    const char *spec = getenv("VEPOLL_BENCH9_FDS");
    int cmd_r, reply_w, win, wout, ep_et, efd_et, ep_lt, efd_lt, ep_w, efd_w;
    struct cmd c;
    uint64_t res;

    if (!spec || sscanf(spec, "%d,%d,%d,%d", &cmd_r, &reply_w, &win, &wout) != 4) {
        fprintf(stderr, "wasix_guest: VEPOLL_BENCH9_FDS not set (vepoll-bench runs me)\n");
        return 2;
    }
    if (make_pair(&ep_et, &efd_et, EPOLLIN | EPOLLET, EFD_NONBLOCK, -1) ||
        make_pair(&ep_lt, &efd_lt, EPOLLIN, EFD_NONBLOCK, -1) ||
        make_pair(&ep_w, &efd_w, EPOLLIN, 0, win)) {
        perror("wasix_guest: setup");
        return 1;
    }
    for (;;) {
        if (read(cmd_r, &c, sizeof(c)) != (ssize_t)sizeof(c)) {
            perror("wasix_guest: command");
            return 1;
        }
        switch (c.op) {
        case OP_ET:
            res = run_local(ep_et, efd_et, 0, c.iters);
            break;
        case OP_LT:
            res = run_local(ep_lt, efd_lt, 1, c.iters);
            break;
        case OP_WAKE:
            res = run_wake(ep_w, efd_w, wout, c.iters);
            break;
        case OP_QUIT:
            return 0;
        default:
            res = UINT64_MAX;
            break;
        }
        if (write(reply_w, &res, sizeof(res)) != (ssize_t)sizeof(res)) {
            perror("wasix_guest: reply");
            return 1;
        }
    }
}
