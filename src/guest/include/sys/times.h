/*
 * <sys/times.h> for wasm32-wasi guests (vepoll's guest headers), without
 * -D_WASI_EMULATED_PROCESS_CLOCKS: times() reports the host's process
 * CPU-time clock as user time (no children, no system time) and returns
 * the monotonic clock, in clock ticks (sysconf(_SC_CLK_TCK)).
 */
#ifndef _SYS_TIMES_H
#define _SYS_TIMES_H

#define __NEED_clock_t
#include <bits/alltypes.h>

#include <__struct_tms.h>

#ifdef __cplusplus
extern "C" {
#endif

clock_t times(struct tms *buf);

#ifdef __cplusplus
}
#endif

#endif /* sys/times.h */
