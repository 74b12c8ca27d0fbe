#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "sig.h"

static int target = -1;

static void handler(int sig)
{
    uint64_t one = (uint64_t)sig;
    (void)!write(target, &one, sizeof(one));
}

int sig_forward(int sig, int fd)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    target = fd;
    return sigaction(sig, &sa, NULL);
}
