/*
 * Every import a wasm32-wasi guest may reference and this host does not
 * implement: WASI preview1 (wasi-libc's wasi/api.h, the 46 functions of
 * wasi_snapshot_preview1 including proc_raise) and WASIX (wasix_32v1, as
 * wasix-libc's libc-bottom-half imports them).  Each answers ENOSYS (52),
 * so every guest links and a call the host cannot serve fails the WASI way;
 * the void ones (thread_exit, stack_restore, proc_exec, proc_exec2, which
 * the guest does not expect to return) just return, and the guest traps at
 * the unreachable instruction after the call (exit status 134).
 * docs/GUESTS.md lists them.  The imports the host implements are declared
 * in vw_host.h.
 *
 * X(module, name, (param types)): returns u32 (a WASI errno);
 * V(module, name, (param types)): returns nothing;
 * Z(module, name): returns u32, takes no parameter.
 * Types are wasm2c's: u32 for i32, u64 for i64.
 */
#ifndef VW_IMPORTS_H
#define VW_IMPORTS_H

#define VW_ENOSYS_WASI(X, V, Z) \
    X(wasi_snapshot_preview1, fd_advise, (u32, u64, u64, u32)) \
    X(wasi_snapshot_preview1, fd_allocate, (u32, u64, u64)) \
    X(wasi_snapshot_preview1, fd_datasync, (u32)) \
    X(wasi_snapshot_preview1, fd_fdstat_set_rights, (u32, u64, u64)) \
    X(wasi_snapshot_preview1, fd_filestat_set_size, (u32, u64)) \
    X(wasi_snapshot_preview1, fd_filestat_set_times, (u32, u64, u64, u32)) \
    X(wasi_snapshot_preview1, fd_pread, (u32, u32, u32, u64, u32)) \
    X(wasi_snapshot_preview1, fd_pwrite, (u32, u32, u32, u64, u32)) \
    X(wasi_snapshot_preview1, fd_readdir, (u32, u32, u32, u64, u32)) \
    X(wasi_snapshot_preview1, fd_sync, (u32)) \
    X(wasi_snapshot_preview1, fd_tell, (u32, u32)) \
    X(wasi_snapshot_preview1, path_create_directory, (u32, u32, u32)) \
    X(wasi_snapshot_preview1, path_filestat_get, (u32, u32, u32, u32, u32)) \
    X(wasi_snapshot_preview1, path_filestat_set_times, (u32, u32, u32, u32, u64, u64, u32)) \
    X(wasi_snapshot_preview1, path_link, (u32, u32, u32, u32, u32, u32, u32)) \
    X(wasi_snapshot_preview1, path_readlink, (u32, u32, u32, u32, u32, u32)) \
    X(wasi_snapshot_preview1, path_remove_directory, (u32, u32, u32)) \
    X(wasi_snapshot_preview1, path_rename, (u32, u32, u32, u32, u32, u32)) \
    X(wasi_snapshot_preview1, path_symlink, (u32, u32, u32, u32, u32)) \
    X(wasi_snapshot_preview1, path_unlink_file, (u32, u32, u32)) \
    X(wasi_snapshot_preview1, proc_raise, (u32)) \
    /* end */

#define VW_ENOSYS_WASIX(X, V, Z) \
    X(wasix_32v1, clock_time_set, (u32, u64)) \
    X(wasix_32v1, tty_get, (u32)) \
    X(wasix_32v1, tty_set, (u32)) \
    X(wasix_32v1, getcwd, (u32, u32)) \
    X(wasix_32v1, chdir, (u32, u32)) \
    X(wasix_32v1, thread_spawn_v2, (u32, u32)) \
    X(wasix_32v1, thread_sleep, (u64)) \
    X(wasix_32v1, thread_id, (u32)) \
    X(wasix_32v1, thread_join, (u32)) \
    X(wasix_32v1, thread_parallelism, (u32)) \
    X(wasix_32v1, thread_signal, (u32, u32)) \
    X(wasix_32v1, futex_wait, (u32, u32, u32, u32)) \
    X(wasix_32v1, futex_wake, (u32, u32)) \
    X(wasix_32v1, futex_wake_all, (u32, u32)) \
    X(wasix_32v1, stack_checkpoint, (u32, u32)) \
    X(wasix_32v1, path_open2, (u32, u32, u32, u32, u32, u64, u64, u32, u32, u32)) \
    X(wasix_32v1, proc_raise_interval, (u32, u64, u32)) \
    X(wasix_32v1, proc_fork, (u32, u32)) \
    X(wasix_32v1, proc_fork_env, (u32)) \
    X(wasix_32v1, proc_exec3, (u32, u32, u32, u32, u32, u32, u32, u32, u32)) \
    X(wasix_32v1, proc_spawn, (u32, u32, u32, u32, u32, u32, u32, u32, u32, u32, u32, u32, u32)) \
    X(wasix_32v1, proc_spawn2, (u32, u32, u32, u32, u32, u32, u32, u32, u32, u32, u32, u32, u32, u32)) \
    X(wasix_32v1, proc_join, (u32, u32, u32)) \
    X(wasix_32v1, proc_signal, (u32, u32)) \
    X(wasix_32v1, proc_signals_get, (u32)) \
    X(wasix_32v1, proc_signals_sizes_get, (u32)) \
    Z(wasix_32v1, proc_snapshot) \
    X(wasix_32v1, port_bridge, (u32, u32, u32, u32, u32)) \
    Z(wasix_32v1, port_unbridge) \
    Z(wasix_32v1, port_dhcp_acquire) \
    X(wasix_32v1, port_addr_add, (u32)) \
    X(wasix_32v1, port_addr_remove, (u32)) \
    Z(wasix_32v1, port_addr_clear) \
    X(wasix_32v1, port_mac, (u32)) \
    X(wasix_32v1, port_addr_list, (u32, u32)) \
    X(wasix_32v1, port_gateway_set, (u32)) \
    X(wasix_32v1, port_route_add, (u32, u32, u32, u32)) \
    X(wasix_32v1, port_route_remove, (u32)) \
    Z(wasix_32v1, port_route_clear) \
    X(wasix_32v1, port_route_list, (u32, u32)) \
    X(wasix_32v1, sock_join_multicast_v4, (u32, u32, u32)) \
    X(wasix_32v1, sock_leave_multicast_v4, (u32, u32, u32)) \
    X(wasix_32v1, sock_join_multicast_v6, (u32, u32, u32)) \
    X(wasix_32v1, sock_leave_multicast_v6, (u32, u32, u32)) \
    X(wasix_32v1, sock_recv_from, (u32, u32, u32, u32, u32, u32, u32)) \
    X(wasix_32v1, sock_send_to, (u32, u32, u32, u32, u32, u32)) \
    X(wasix_32v1, sock_send_file, (u32, u32, u64, u64, u32)) \
    X(wasix_32v1, resolve, (u32, u32, u32, u32, u32, u32)) \
    X(wasix_32v1, dl_invalid_handle, (u32)) \
    X(wasix_32v1, dlopen, (u32, u32, u32, u32, u32, u32, u32, u32)) \
    X(wasix_32v1, dlsym, (u32, u32, u32, u32, u32, u32)) \
    X(wasix_32v1, call_dynamic, (u32, u32, u32, u32, u32, u32)) \
    X(wasix_32v1, closure_prepare, (u32, u32, u32, u32, u32, u32, u32)) \
    X(wasix_32v1, closure_allocate, (u32)) \
    X(wasix_32v1, closure_free, (u32)) \
    X(wasix_32v1, reflect_signature, (u32, u32, u32, u32, u32, u32)) \
    X(wasix_32v1, context_create, (u32, u32)) \
    X(wasix_32v1, context_switch, (u64)) \
    X(wasix_32v1, context_destroy, (u64)) \
    V(wasix_32v1, thread_exit, (u32)) \
    V(wasix_32v1, stack_restore, (u32, u64)) \
    V(wasix_32v1, proc_exec, (u32, u32, u32, u32)) \
    V(wasix_32v1, proc_exec2, (u32, u32, u32, u32, u32, u32)) \
    /* end */

/* The descriptor calls over the adapter's dup / fd-flags / timerfd API
 * (vepoll_wasix_dup, vepoll_wasix_renumber, vepoll_wasix_get_cloexec,
 * vepoll_wasix_timerfd_create...), implemented by vw_fdops.c.
 * vepoll_ext_v1 is vepoll's extension import module (docs/GUESTS.md). */
#define VW_FD_OPS(X, V, Z) \
    X(wasi_snapshot_preview1, fd_renumber, (u32, u32)) \
    X(wasix_32v1, fd_dup, (u32, u32)) \
    X(wasix_32v1, fd_dup2, (u32, u32, u32, u32)) \
    X(wasix_32v1, fd_fdflags_get, (u32, u32)) \
    X(wasix_32v1, fd_fdflags_set, (u32, u32)) \
    /* end */

/* The WASIX socket calls over real host sockets (vw_net.c). */
#define VW_NET_OPS(X, V, Z) \
    X(wasix_32v1, sock_open, (u32, u32, u32, u32)) \
    X(wasix_32v1, sock_bind, (u32, u32)) \
    X(wasix_32v1, sock_listen, (u32, u32)) \
    X(wasix_32v1, sock_connect, (u32, u32)) \
    X(wasix_32v1, sock_accept_v2, (u32, u32, u32, u32)) \
    X(wasix_32v1, sock_addr_local, (u32, u32)) \
    X(wasix_32v1, sock_addr_peer, (u32, u32)) \
    X(wasix_32v1, sock_status, (u32, u32)) \
    X(wasix_32v1, sock_set_opt_flag, (u32, u32, u32)) \
    X(wasix_32v1, sock_get_opt_flag, (u32, u32, u32)) \
    X(wasix_32v1, sock_set_opt_size, (u32, u32, u64)) \
    X(wasix_32v1, sock_get_opt_size, (u32, u32, u32)) \
    X(wasix_32v1, sock_set_opt_time, (u32, u32, u32)) \
    X(wasix_32v1, sock_get_opt_time, (u32, u32, u32)) \
    /* end */

#define VW_EXT_TIMERFD(X, V, Z) \
    X(vepoll_ext_v1, timerfd_create, (u32, u32, u32)) \
    X(vepoll_ext_v1, timerfd_settime, (u32, u32, u32, u32)) \
    X(vepoll_ext_v1, timerfd_gettime, (u32, u32)) \
    /* end */

/* poll(2) with Linux's struct pollfd and POLL* bits (vw_poll.c). */
#define VW_EXT_POLL(X, V, Z) \
    X(vepoll_ext_v1, poll, (u32, u32, u64, u32)) \
    /* end */

/* epoll_ctl / epoll_wait with Linux's struct epoll_event, op numbers and
 * 32-bit event word (vw_host.c, the adapter's VEPOLL_WASIX_LINUX32). */
#define VW_EXT_EPOLL(X, V, Z) \
    X(vepoll_ext_v1, epoll_ctl, (u32, u32, u32, u32)) \
    X(vepoll_ext_v1, epoll_wait, (u32, u32, u32, u64, u32)) \
    /* end */

/* Signals (vw_signal.c): WASIX's callback_signal (the guest's export that
 * receives signals) and vepoll_ext_v1's signal_action / signal_mask (the
 * guest's dispositions and blocked set; docs/GUESTS.md). */
#define VW_SIGNAL_IMPORTS(X, V, Z) \
    V(wasix_32v1, callback_signal, (u32, u32)) \
    X(vepoll_ext_v1, signal_action, (u32, u32, u32)) \
    X(vepoll_ext_v1, signal_mask, (u64, u32)) \
    /* end */

/* Parameter lists with names (a0, a1...), for definitions: C11 wants a
 * name for every parameter of a function definition. */
#define VW_UNUSED __attribute__((unused))
#define VW_NARGS(...) VW_NARGS_(__VA_ARGS__, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define VW_NARGS_(a, b, c, d, e, f, g, h, i, j, k, l, m, n, N, ...) N
#define VW_CAT(a, b) VW_CAT_(a, b)
#define VW_CAT_(a, b) a##b
#define VW_NAMED(...) VW_CAT(VW_NAMED, VW_NARGS(__VA_ARGS__))(__VA_ARGS__)
#define VW_NAMED1(t) t a0 VW_UNUSED
#define VW_NAMED2(t, ...) t a1 VW_UNUSED, VW_NAMED1(__VA_ARGS__)
#define VW_NAMED3(t, ...) t a2 VW_UNUSED, VW_NAMED2(__VA_ARGS__)
#define VW_NAMED4(t, ...) t a3 VW_UNUSED, VW_NAMED3(__VA_ARGS__)
#define VW_NAMED5(t, ...) t a4 VW_UNUSED, VW_NAMED4(__VA_ARGS__)
#define VW_NAMED6(t, ...) t a5 VW_UNUSED, VW_NAMED5(__VA_ARGS__)
#define VW_NAMED7(t, ...) t a6 VW_UNUSED, VW_NAMED6(__VA_ARGS__)
#define VW_NAMED8(t, ...) t a7 VW_UNUSED, VW_NAMED7(__VA_ARGS__)
#define VW_NAMED9(t, ...) t a8 VW_UNUSED, VW_NAMED8(__VA_ARGS__)
#define VW_NAMED10(t, ...) t a9 VW_UNUSED, VW_NAMED9(__VA_ARGS__)
#define VW_NAMED11(t, ...) t a10 VW_UNUSED, VW_NAMED10(__VA_ARGS__)
#define VW_NAMED12(t, ...) t a11 VW_UNUSED, VW_NAMED11(__VA_ARGS__)
#define VW_NAMED13(t, ...) t a12 VW_UNUSED, VW_NAMED12(__VA_ARGS__)
#define VW_NAMED14(t, ...) t a13 VW_UNUSED, VW_NAMED13(__VA_ARGS__)
#define VW_PARAMS(types) VW_NAMED types

/* The prototypes, in wasm2c's naming (vw_host.h's VW_W2C_IMPORT). */
#define VW_DECLARE_X(mod, name, types) \
    u32 VW_W2C_IMPORT(mod, name)(VW_W2C_CTX(mod) * ctx, VW_PARAMS(types));
#define VW_DECLARE_V(mod, name, types) \
    void VW_W2C_IMPORT(mod, name)(VW_W2C_CTX(mod) * ctx, VW_PARAMS(types));
#define VW_DECLARE_Z(mod, name) u32 VW_W2C_IMPORT(mod, name)(VW_W2C_CTX(mod) * ctx);

#endif
