/* Raises SIGUSR1, whose handler (libsig.a) posts the signal number to the
 * eventfd of an epoll loop (libloop.la); the loop must see it. */
#include <signal.h>
#include <stdio.h>

#include "loop.h"
#include "sig.h"

int main(void)
{
    int64_t v;
    if (loop_open() < 0 || sig_forward(SIGUSR1, loop_notify_fd()) < 0) {
        perror("setup");
        return 1;
    }
    raise(SIGUSR1);
    v = loop_wait(1000);
    loop_close();
    printf("loopdemo: eventfd counter %lld (SIGUSR1 is %d)\n", (long long)v, SIGUSR1);
    return v == SIGUSR1 ? 0 : 1;
}
