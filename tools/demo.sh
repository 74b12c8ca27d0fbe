#!/usr/bin/env bash
# The main demo (the README's first command).
#
#   bash tools/demo.sh [--seconds N] [--pipes N] [--eventfds N] [--asan]
#       A real WebAssembly guest: a Linux epoll event loop compiled to
#       wasm32-wasi, translated by wasm2c and linked with vepoll's WASIX
#       adapter, multiplexes pipes and eventfds fed by host threads
#       (tools/wasix-demo.sh, examples/wasix-demo/).
#
#   bash tools/demo.sh --native [--seconds N] [--producers N] [--et]
#       The same shape natively: producer threads writing into vepoll's
#       ready-made pipes, one event loop on vepoll_wait (examples/demo.c).
#
# Installs what is missing first (tools/deps.sh).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bash tools/deps.sh

if [[ ${1:-} == --native ]]; then
    shift
    cmake -S . -B build/normal -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVEPOLL_BUILD_EXAMPLES=ON >/dev/null
    cmake --build build/normal -j"${VEPOLL_JOBS:-2}" --target vepoll-demo
    exec build/normal/vepoll-demo "$@"
fi
exec bash tools/wasix-demo.sh "$@"
