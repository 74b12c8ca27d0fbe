/*
 * The runner's main: instantiates one wasm2c-translated guest (module name
 * "guest", header guest.h) with vw_host's imports, runs _start and exits
 * with the guest's exit code (proc_exit's, 0 when _start returns, 134 after
 * a trap, 70 when the host cannot start).
 *
 * Compiled per guest, together with the generated guest.h, so every import
 * the guest uses is checked against vw_host.h's prototype here.
 * VW_GUEST_HAS_WASIX / VW_GUEST_HAS_EXT: the guest imports wasix_32v1 /
 * vepoll_ext_v1 (instantiate takes one import context per imported module,
 * in module-name order: vepoll_ext_v1, wasi_snapshot_preview1, wasix_32v1).
 * VW_HOST_EXTRA: a --host file provides vw_host_setup / vw_host_teardown.
 * VW_GUEST_HAS_SIGNAL: the guest exports __wasm_signal, through which the
 * host delivers signals once the guest registered it (vw_signal.h); the
 * guest's thread catches the signals from before _start until it exits.
 */
#include <stdio.h>
#include <stdlib.h>

#include "guest.h"
#include "wasm-rt-impl.h"
#include "vw_host.h"
#include "vw_signal.h"

extern char **environ;

#ifdef VW_GUEST_HAS_SIGNAL
static Z_guest_instance_t *signal_inst;

static void guest_signal(uint32_t sig)
{
    Z_guestZ___wasm_signal(signal_inst, sig);
}
#define GUEST_SIGNAL guest_signal
#else
#define GUEST_SIGNAL NULL
#endif

int main(int argc, char **argv)
{
    static Z_guest_instance_t inst;
    static struct vw_host host;
    static vw_wasi_ctx wasi;
    static vw_wasix_ctx wasix;
    static vw_ext_ctx ext;
    volatile int code = 0, started = 0;
    wasm_rt_trap_t trap;
    int rc;

    if (vw_net_take_options())
        return 70;
    rc = vw_host_init(&host, argc - 1 > 0 ? argc - 1 : 0, argv + 1, environ);
    if (rc) {
        fprintf(stderr, "vepoll-wasix-run: host init failed: %d\n", rc);
        return 70;
    }
    if (argc < 2) {
        static char *noargs[] = {"guest", NULL};
        host.argc = 1;
        host.argv = noargs;
    }
    wasi.host = &host;
    wasix.host = &host;
    ext.host = &host;
    (void)wasix; /* unused when the guest does not import the module */
    (void)ext;
    wasm_rt_init();
    Z_guest_init_module();
    Z_guest_instantiate(&inst,
#ifdef VW_GUEST_HAS_EXT
                        &ext,
#endif
                        &wasi
#ifdef VW_GUEST_HAS_WASIX
                        ,
                        &wasix
#endif
    );
    host.mem = Z_guestZ_memory(&inst);
    if (vw_net_setup(&host)) {
        code = 70;
        goto out_signals;
    }
    /* The guest's stdio readiness is the kernel's (issue #18 part 4). */
    if ((rc = vepoll_wasix_watch_stdio(host.wx)) != 0) {
        fprintf(stderr, "vepoll-wasix-run: watching stdio failed: %d\n", rc);
        code = 70;
        goto out_signals;
    }
#ifdef VW_GUEST_HAS_SIGNAL
    signal_inst = &inst;
#endif
    rc = vw_signal_start(GUEST_SIGNAL);
    if (rc) {
        fprintf(stderr, "vepoll-wasix-run: catching signals failed: %d\n", rc);
        code = 70;
        goto out_signals;
    }

#ifdef VW_HOST_EXTRA
    if (vw_host_setup(&host)) {
        fprintf(stderr, "vepoll-wasix-run: host setup failed\n");
        code = 70;
        goto out;
    }
#endif
    if (setjmp(host.exit_jmp)) {
        /* proc_exit: the guest's frames were skipped, their depth with them. */
#if WASM_RT_USE_STACK_DEPTH_COUNT
        wasm_rt_call_stack_depth = 0;
#endif
        code = host.exit_code;
    } else if ((trap = wasm_rt_impl_try()) != 0) {
        fprintf(stderr, "vepoll-wasix-run: guest trapped: %s\n", wasm_rt_strerror(trap));
        code = 134;
    } else if (!started) {
        started = 1;
        Z_guestZ__start(&inst);
        code = 0;
    }
    fflush(stdout);
#ifdef VW_HOST_EXTRA
    vw_host_teardown(&host);
out:
#endif
    vw_signal_stop();
out_signals:
    vw_host_fini(&host);
    Z_guest_free(&inst);
    wasm_rt_free();
    return code;
}
