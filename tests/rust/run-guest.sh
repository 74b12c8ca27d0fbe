#!/usr/bin/env bash
# run-guest.sh NAME WORKDIR [--asan]: the Rust guest tests/rust/guests/NAME,
# built offline with Debian's cargo 1.65 / rustc 1.63 for wasm32-wasi
# (libstd-rust-dev-wasm32) and run unchanged by tools/vepoll-wasix-run
# (--asan: on the ASan/UBSan host), and built and run natively as the Linux
# reference.  Both runs get the same arguments, environment and stdin; each
# must print exactly guests/NAME/expected.txt and exit with the expected
# code.
#
# Crates come from Debian's packages (librust-*-dev) through a directory
# source, /usr/share/cargo/registry, that this script writes into the
# copy's .cargo/config.toml: cargo never touches the network.  The copy and
# the cargo target folder live under WORKDIR (the build tree), so the source
# tree gets no Cargo.lock and no target/; the normal and --asan runs share
# them (under a lock), so each guest is compiled once.  tools/deps.sh
# installs the packages.
set -euo pipefail

name=${1:?usage: run-guest.sh NAME WORKDIR [--asan]}
work=${2:?usage: run-guest.sh NAME WORKDIR [--asan]}
runflags=() mode=normal
[[ ${3:-} == --asan ]] && runflags=(--asan) mode=asan
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
src=$here/guests/$name
die() { echo "run-guest: $*" >&2; exit 1; }

[[ -d $src ]] || die "no guest $name"
cargo=/usr/bin/cargo
export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc
[[ -x $cargo && -x $RUSTC ]] || die "Debian's cargo and rustc are missing (bash tools/deps.sh)"
[[ -d /usr/lib/rustlib/wasm32-wasi ]] || die "the wasm32-wasi std is missing: libstd-rust-dev-wasm32 (bash tools/deps.sh)"
# Rust's own tool chain (rustup) must not take over from Debian's.
unset RUSTUP_TOOLCHAIN CARGO_BUILD_TARGET RUSTFLAGS

# Inputs per guest, and the exit code both runs must give.
args=() stdin="" want_rc=0
case $name in
std_guest) args=(alpha beta exit=3); stdin=$'line one\nline two\nline three\n'; want_rc=3 ;;
tokio_guest) ;;
*) die "no inputs defined for $name" ;;
esac

copy=$work/$name
mkdir -p "$copy/.cargo"
exec 9>"$work/.lock-$name"
flock 9
# -p keeps the times, so an unchanged guest is not rebuilt.
cp -pR "$src/Cargo.toml" "$src/src" "$copy/"
cat >"$copy/.cargo/config.toml" <<'EOF'
# Written by tests/rust/run-guest.sh: Debian's packaged crates, offline.
[source.crates-io]
replace-with = "debian-packages"
[source.debian-packages]
directory = "/usr/share/cargo/registry"
[net]
offline = true
EOF
export CARGO_TARGET_DIR=$work/target
(cd "$copy" && "$cargo" build --offline --release --quiet --target wasm32-wasi &&
    "$cargo" build --offline --release --quiet) || die "building $name failed"
# This run's own copies: a later build may replace cargo's while we run.
wasm=$work/$name.$mode.wasm native=$work/$name.$mode.native
cp "$CARGO_TARGET_DIR/wasm32-wasi/release/$name.wasm" "$wasm"
cp "$CARGO_TARGET_DIR/release/$name" "$native"
flock -u 9

status=0
run() { # label, command...
    local label=$1 rc=0
    shift
    printf '%s' "$stdin" | env -u VEPOLL_GUEST_UNSET VEPOLL_GUEST_GREETING="hello from the host" \
        "$@" "${args[@]}" >"$work/$name.$mode.$label.out" || rc=$?
    if ((rc != want_rc)); then
        echo "run-guest: $name ($label) exited with $rc, expected $want_rc" >&2
        status=1
    fi
    if ! diff -u "$src/expected.txt" "$work/$name.$mode.$label.out"; then
        echo "run-guest: $name ($label): output differs from expected.txt" >&2
        status=1
    fi
}
run native "$native"
run wasm "$root/tools/vepoll-wasix-run" "${runflags[@]}" "$wasm"
((status == 0)) && echo "run-guest: $name passed (wasm32-wasi on the $mode host, and native; exit $want_rc)"
exit $status
