/*
 * <sys/poll.h> for wasm32-wasi guests (vepoll's guest headers): <poll.h>,
 * as glibc has it (wasi-libc's warns that the include is "incorrect").
 */
#include <poll.h>
