/*
 * vw_host: a wasm2c host for wasm32-wasi guests with vepoll's WASIX epoll.
 *
 * Implements the WASI preview1 imports a wasi-libc program needs (args,
 * environ, clocks, fd_read/fd_write/fd_close, fd_fdstat_get/set_flags,
 * poll_oneoff for clocks and fd subscriptions, random_get, proc_exit,
 * sock_send/sock_recv/sock_accept...), the wasix_32v1 imports
 * epoll_create/ctl/wait, fd_pipe, fd_event, sock_pair, sock_shutdown,
 * proc_id, proc_parent, proc_exit2, fd_dup/fd_dup2/fd_fdflags_get/set (and
 * preview1 fd_renumber), callback_signal, and vepoll's extension module
 * vepoll_ext_v1 (timerfds, Linux's poll (vw_poll.c), signal dispositions
 * and mask: vw_signal.h, the guest's signals), all over one
 * vepoll_wasix_t (its built-in descriptor table: pipes, eventfds, socket
 * pairs, epoll instances, timerfds).  Every other
 * preview1 or WASIX import exists too and answers ENOSYS (vw_imports.h), so
 * any guest links.
 *
 * The guest runs on one thread (wasm2c 1.0.32's trap state is global);
 * other host threads may use the guest's objects through vepoll_wasix_read /
 * vepoll_wasix_write / vepoll_wasix_close on host->wx (the demo does).
 */
#ifndef VW_HOST_H
#define VW_HOST_H

#include <setjmp.h>
#include <stdint.h>

#include "wasm-rt.h"
#include "vepoll_wasix.h"

/* wasm2c's core types, exactly as its generated headers define them. */
#ifndef WASM_RT_CORE_TYPES_DEFINED
#define WASM_RT_CORE_TYPES_DEFINED
typedef uint8_t u8;
typedef int8_t s8;
typedef uint16_t u16;
typedef int16_t s16;
typedef uint32_t u32;
typedef int32_t s32;
typedef uint64_t u64;
typedef int64_t s64;
typedef float f32;
typedef double f64;
#endif

/*
 * wasm2c's names for import functions and import contexts.  wabt 1.0.32
 * (Debian 12) emits Z_<module>Z_<field> and struct Z_<module>_instance_t;
 * wabt >= 1.0.33 emits w2c_<module>_<field> and struct w2c_<module> with
 * '_' doubled inside names (w2c_wasi__snapshot__preview1_fd_write).  A wabt
 * upgrade changes these lines only (plus the instance and export names used
 * in vw_main.c, which follow the same scheme).
 */
#define VW_W2C_IMPORT(mod, field) Z_##mod##Z_##field
#define VW_W2C_CTX(mod) struct Z_##mod##_instance_t
#define VW_WASI(field) VW_W2C_IMPORT(wasi_snapshot_preview1, field)
#define VW_WASIX(field) VW_W2C_IMPORT(wasix_32v1, field)
#define VW_EXT(field) VW_W2C_IMPORT(vepoll_ext_v1, field)
typedef VW_W2C_CTX(wasi_snapshot_preview1) vw_wasi_ctx;
typedef VW_W2C_CTX(wasix_32v1) vw_wasix_ctx;
typedef VW_W2C_CTX(vepoll_ext_v1) vw_ext_ctx;

#include "vw_imports.h"

struct vw_host {
    wasm_rt_memory_t *mem; /* the guest's memory; re-read on every call */
    vepoll_wasix_t *wx;
    int argc;
    char **argv;
    char **envp;
    jmp_buf exit_jmp; /* proc_exit jumps here */
    int exit_code;
};

/* One context struct per import module; each points at the host. */
VW_W2C_CTX(wasi_snapshot_preview1) { struct vw_host *host; };
VW_W2C_CTX(wasix_32v1) { struct vw_host *host; };
VW_W2C_CTX(vepoll_ext_v1) { struct vw_host *host; };

/* -errno on failure.  argv[0] is the guest's program name. */
int vw_host_init(struct vw_host *h, int argc, char **argv, char **envp);
void vw_host_fini(struct vw_host *h);

/* The imports this host provides (wasm2c types: i32 -> u32, i64 -> u64).
 * vw_main.c includes the generated guest header too, so a signature that
 * disagrees with what the guest imports is a compile error there. */
u32 VW_WASI(args_get)(vw_wasi_ctx *, u32, u32);
u32 VW_WASI(args_sizes_get)(vw_wasi_ctx *, u32, u32);
u32 VW_WASI(environ_get)(vw_wasi_ctx *, u32, u32);
u32 VW_WASI(environ_sizes_get)(vw_wasi_ctx *, u32, u32);
u32 VW_WASI(clock_res_get)(vw_wasi_ctx *, u32, u32);
u32 VW_WASI(clock_time_get)(vw_wasi_ctx *, u32, u64, u32);
u32 VW_WASI(fd_close)(vw_wasi_ctx *, u32);
u32 VW_WASI(fd_fdstat_get)(vw_wasi_ctx *, u32, u32);
u32 VW_WASI(fd_fdstat_set_flags)(vw_wasi_ctx *, u32, u32);
u32 VW_WASI(fd_filestat_get)(vw_wasi_ctx *, u32, u32);
u32 VW_WASI(fd_seek)(vw_wasi_ctx *, u32, u64, u32, u32);
u32 VW_WASI(fd_write)(vw_wasi_ctx *, u32, u32, u32, u32);
u32 VW_WASI(fd_read)(vw_wasi_ctx *, u32, u32, u32, u32);
u32 VW_WASI(fd_prestat_get)(vw_wasi_ctx *, u32, u32);
u32 VW_WASI(fd_prestat_dir_name)(vw_wasi_ctx *, u32, u32, u32);
u32 VW_WASI(path_open)(vw_wasi_ctx *, u32, u32, u32, u32, u32, u64, u64, u32, u32);
u32 VW_WASI(poll_oneoff)(vw_wasi_ctx *, u32, u32, u32, u32);
void VW_WASI(proc_exit)(vw_wasi_ctx *, u32);
u32 VW_WASI(random_get)(vw_wasi_ctx *, u32, u32);
u32 VW_WASI(sched_yield)(vw_wasi_ctx *);
u32 VW_WASI(sock_shutdown)(vw_wasi_ctx *, u32, u32);
u32 VW_WASI(sock_recv)(vw_wasi_ctx *, u32, u32, u32, u32, u32, u32);
u32 VW_WASI(sock_send)(vw_wasi_ctx *, u32, u32, u32, u32, u32);
u32 VW_WASI(sock_accept)(vw_wasi_ctx *, u32, u32, u32);
VW_NET_OPS(VW_DECLARE_X, VW_DECLARE_V, VW_DECLARE_Z)

u32 VW_WASIX(epoll_create)(vw_wasix_ctx *, u32);
u32 VW_WASIX(epoll_ctl)(vw_wasix_ctx *, u32, u32, u32, u32);
u32 VW_WASIX(epoll_wait)(vw_wasix_ctx *, u32, u32, u32, u64, u32);
u32 VW_WASIX(fd_pipe)(vw_wasix_ctx *, u32, u32);
u32 VW_WASIX(fd_event)(vw_wasix_ctx *, u64, u32, u32);
u32 VW_WASIX(sock_pair)(vw_wasix_ctx *, u32, u32, u32, u32, u32);
u32 VW_WASIX(sock_shutdown)(vw_wasix_ctx *, u32, u32);
u32 VW_WASIX(proc_id)(vw_wasix_ctx *, u32);
u32 VW_WASIX(proc_parent)(vw_wasix_ctx *, u32, u32);
void VW_WASIX(proc_exit2)(vw_wasix_ctx *, u32);

/* The descriptor operations and the timerfd extension (vw_fdops.c, or
 * ENOSYS in vw_enosys.c), the signal imports (vw_signal.c), and every
 * import answered with ENOSYS. */
VW_FD_OPS(VW_DECLARE_X, VW_DECLARE_V, VW_DECLARE_Z)
VW_EXT_TIMERFD(VW_DECLARE_X, VW_DECLARE_V, VW_DECLARE_Z)
VW_EXT_POLL(VW_DECLARE_X, VW_DECLARE_V, VW_DECLARE_Z)
VW_EXT_EPOLL(VW_DECLARE_X, VW_DECLARE_V, VW_DECLARE_Z)
VW_SIGNAL_IMPORTS(VW_DECLARE_X, VW_DECLARE_V, VW_DECLARE_Z)
VW_ENOSYS_WASI(VW_DECLARE_X, VW_DECLARE_V, VW_DECLARE_Z)
VW_ENOSYS_WASIX(VW_DECLARE_X, VW_DECLARE_V, VW_DECLARE_Z)

/* Guest memory access shared by the import files (vw_host.c).  vw_gptr:
 * host pointer to [off, off + len) of guest memory, or NULL if that is out
 * of bounds; vw_put_*: 0, or -1 if out of bounds (nothing written). */
uint8_t *vw_gptr(const struct vw_host *h, uint64_t off, uint64_t len);
int vw_put_u16(const struct vw_host *h, uint32_t off, uint16_t v);
int vw_put_u32(const struct vw_host *h, uint32_t off, uint32_t v);
/* The guest's iovec array {u32 buf, u32 len}[n]: every buffer in bounds
 * (else NULL); *total gets the sum of the lengths. */
const uint8_t *vw_iovecs(const struct vw_host *h, uint32_t iovs, uint32_t n, uint64_t *total);
/* Writes the guest's iovecs (checked by vw_iovecs) with one call of op
 * (so a pipe write of <= PIPE_BUF bytes stays atomic however the guest
 * split it) and stores the count at len_p: a WASI errno. */
typedef int64_t (*vw_writer)(struct vw_host *h, uint32_t fd, const void *buf, size_t len,
                             uint32_t flags);
uint32_t vw_write_gathered(struct vw_host *h, uint32_t fd, const uint8_t *iv, uint32_t n,
                           uint64_t total, vw_writer op, uint32_t flags, uint32_t len_p);
/* The first non-empty buffer of a checked iovec array: reads land there
 * whole (a short read is always allowed; an eventfd or timerfd needs its
 * 8 bytes in one piece). */
void vw_first_buffer(const uint8_t *iv, uint32_t n, uint32_t *buf, uint32_t *len);
/* fd of the guest: 0 and its fd_info, with *stream the host stdio stream
 * (0, 1, 2) it reads or writes, or -1 for an object of the table; or the
 * WASI errno (EBADF) if fd is not open. */
uint32_t vw_fd_lookup(struct vw_host *h, uint32_t fd, struct vepoll_wasix_fdinfo *info,
                      int *stream);
/* A negative errno as a WASI errno. */
uint32_t vw_werr(int64_t neg);

/* Real sockets (vw_net.c).  vw_net_take_options, first thing in main:
 * takes the runner's network settings out of the environment (so the guest
 * never sees them): VEPOLL_WASIX_TCPLISTEN, the --tcplisten values
 * separated by spaces, and VEPOLL_WASIX_NET=any (--inherit-network).
 * vw_net_setup, after vw_host_init and before the guest starts: the
 * listeners, bound and listening, as the guest's descriptors 3, 4, ... in
 * order.  Both print what is wrong and return -1. */
int vw_net_take_options(void);
int vw_net_setup(struct vw_host *h);

/* Optional embedding hooks (vw_main.c calls them when the runner is given
 * --host FILE.c, which defines them): setup runs after instantiation and
 * before _start (non-zero aborts the run), teardown after the guest exited. */
int vw_host_setup(struct vw_host *h);
void vw_host_teardown(struct vw_host *h);

#endif
