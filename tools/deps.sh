#!/usr/bin/env bash
# Installs the Debian packages vepoll needs to build and test, and only those
# that are missing (so a machine that has them all is left alone and no
# network is used).  Idempotent.  Needs root (or sudo) only when installing.
set -euo pipefail

packages=(
    cmake make gcc g++ pkg-config  # toolchain; gcc 12 brings ASan/UBSan/TSan/LSan
    libc6-dev
    libcmocka-dev                  # unit tests
    libatomic-ops-dev              # atomic_ops (link dependency of the library)
    clang-14 lld-14 libclang-rt-14-dev   # libFuzzer targets (tests/fuzz)
    spin                           # SPIN model checker (tests/spin)
    wabt wasi-libc libclang-rt-14-dev-wasm32  # wasm32-wasi guests + wasm2c (tests/guest)
    rustc cargo                    # Rust bindings (bindings/rust): Debian's rustc 1.63 / cargo 1.65
    libstd-rust-dev-wasm32 librust-tokio-dev  # Rust guests (tests/rust): wasm32-wasi std, tokio's crates
    llvm-14                        # llvm-ar-14/llvm-ranlib-14: wasm archives (tools/vepoll-wasix-cc)
    autoconf automake libtool      # the guest toolchain's autotools project test (tests/guest/projects)
    wrk                            # HTTP load generator (bench/http.sh: the guest HTTP server against native)
)
# The sanitizer runtimes come with gcc's libgcc-N-dev on amd64/arm64; listed
# so a stripped-down machine gets them too.
case $(dpkg --print-architecture 2>/dev/null || echo unknown) in
amd64 | arm64) packages+=(libasan8 libubsan1 libtsan2 liblsan0) ;;
esac

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
for p in "${packages[@]}"; do
    installed "$p" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
    echo "deps: all ${#packages[@]} packages present"
    exit 0
fi

echo "deps: installing ${missing[*]}"
sudo=()
if ((EUID != 0)); then
    command -v sudo >/dev/null || { echo "deps: need root or sudo to install ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
