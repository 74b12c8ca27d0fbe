/*
 * wasi-libc's <limits.h> with PIPE_BUF, which it leaves out because WASI
 * has no pipes.  The guest library's pipes are vepoll's (src/objects/pipe.c):
 * a write of at most VEPOLL_PIPE_BUF (4096) bytes is atomic, as Linux's
 * PIPE_BUF (4096) promises.  Defined where wasi-libc defines the other
 * POSIX limits (its PATH_MAX marks that part).
 */
#include_next <limits.h>

#if defined(PATH_MAX) && !defined(PIPE_BUF)
#define PIPE_BUF 4096
#endif
