/*
 * A signal whose default action terminates ends the process at once, as a
 * kernel kill does: stdio buffers are not flushed, atexit handlers do not
 * run.  Built natively and as a guest; both must end with the status a
 * shell reports for a process killed by SIGTERM, 128 + 15 = 143 (the
 * guest exits with it through proc_exit; see docs/GUESTS.md).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void never(void)
{
    static const char msg[] = "posix_signal_exit: atexit handler ran\n";
    (void)!write(1, msg, sizeof(msg) - 1);
}

int main(void)
{
    static const char msg[] = "posix_signal_exit: raising SIGTERM\n";
    atexit(never);
    (void)!write(1, msg, sizeof(msg) - 1);
    printf("buffered, never flushed");
    raise(SIGTERM);
    return 1; /* not reached */
}
