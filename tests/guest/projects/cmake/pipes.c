#include <fcntl.h>
#include <unistd.h>

/* A non-blocking pipe (part of the static library). */
int pipes_open(int fds[2])
{
    return pipe2(fds, O_NONBLOCK | O_CLOEXEC);
}
