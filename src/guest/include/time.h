/*
 * wasi-libc's <time.h>, with clock() declared plainly: the guest library
 * defines it (the host's process CPU-time clock), so it needs neither
 * -D_WASI_EMULATED_PROCESS_CLOCKS nor -lwasi-emulated-process-clocks.
 */
#ifndef _WASI_EMULATED_PROCESS_CLOCKS
#define _WASI_EMULATED_PROCESS_CLOCKS
#include_next <time.h>
#undef _WASI_EMULATED_PROCESS_CLOCKS
#else
#include_next <time.h>
#endif
