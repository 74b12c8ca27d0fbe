#!/usr/bin/env bash
# The WebAssembly demo: a Linux epoll event loop compiled to wasm32-wasi
# (examples/wasix-demo/guest.c) runs through wasm2c on vepoll's WASIX
# adapter, multiplexing pipes and eventfds that host threads feed
# (examples/wasix-demo/host.c).  It prints what it received, the events/s
# and vepoll's counters, and exits non-zero unless every byte arrived.
#
#   bash tools/wasix-demo.sh [--seconds N] [--pipes N] [--eventfds N] [--asan]
#
# Installs what is missing (Debian packages: clang-14, lld-14, wabt,
# wasi-libc, libclang-rt-14-dev-wasm32, gcc, libatomic-ops-dev) and caches
# the build (tools/vepoll-wasix-run); the first run takes ~20 s to build.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runner_flags=()
args=()
for a in "$@"; do
    case $a in
    --asan) runner_flags+=(--asan) ;;
    *) args+=("$a") ;;
    esac
done
exec "$root/tools/vepoll-wasix-run" "${runner_flags[@]}" \
    --host "$root/examples/wasix-demo/host.c" \
    "$root/examples/wasix-demo/guest.c" "${args[@]}"
