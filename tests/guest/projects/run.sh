#!/usr/bin/env bash
# Configures and builds one of the small projects here as a wasm32-wasi
# guest with the guest toolchain, the way a user builds an existing
# project, then runs it through tools/vepoll-wasix-run:
#
#   run.sh autotools OUTDIR   autoreconf; ./configure --host=wasm32-wasi
#                             CC=tools/vepoll-wasix-cc; make (libtool
#                             library, GNU ar archive, link checks)
#   run.sh cmake OUTDIR       cmake -DCMAKE_TOOLCHAIN_FILE=
#                             cmake/wasm32-wasi-vepoll.cmake; cmake --build;
#                             and the same program compiled by plain clang
#                             with `pkg-config vepoll-guest`
#
# Exits 0 when the build succeeds and the guest exits 0.
set -euo pipefail
kind=${1:?autotools or cmake}
out=${2:?output folder}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
cc=$root/tools/vepoll-wasix-cc
run=$root/tools/vepoll-wasix-run

work=$out/$kind
rm -rf "$work"
mkdir -p "$work"
cp -r "$here/$kind/." "$work/src"
case $kind in
autotools)
    (
        cd "$work/src"
        autoreconf -fi >/dev/null 2>&1 || { autoreconf -fi; exit 1; }
        ./configure --host=wasm32-wasi CC="$cc" >configure.out 2>&1 ||
            { tail -40 configure.out; cat config.log | tail -60; exit 1; }
        grep -E '^checking for (epoll_create1|timerfd_create|sigaction|dup2)\.\.\.' configure.out
        make -j2 >make.out 2>&1 || { cat make.out; exit 1; }
    )
    cp "$work/src/loopdemo" "$work/loopdemo.wasm"
    "$run" "$work/loopdemo.wasm"
    ;;
cmake)
    cmake -S "$work/src" -B "$work/build" \
        -DCMAKE_TOOLCHAIN_FILE="$root/cmake/wasm32-wasi-vepoll.cmake" >"$work/cmake.out" 2>&1 ||
        { cat "$work/cmake.out"; exit 1; }
    cmake --build "$work/build" -j 2 >"$work/build.out" 2>&1 || { cat "$work/build.out"; exit 1; }
    "$run" "$work/build/timerdemo.wasm"
    # Another wasm32-wasi compiler, told about the guest library by pkg-config.
    pc=$("$cc" --vepoll-pkgconfig)
    # shellcheck disable=SC2046  # pkg-config's flags are split on purpose
    clang-14 --target=wasm32-wasi -O2 -o "$work/timerdemo-pc.wasm" "$work/src/main.c" \
        "$work/src/pipes.c" $(PKG_CONFIG_PATH=$pc pkg-config --cflags --libs vepoll-guest)
    "$run" "$work/timerdemo-pc.wasm"
    ;;
*) echo "run.sh: unknown project $kind" >&2; exit 2 ;;
esac
