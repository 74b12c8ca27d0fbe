#!/usr/bin/env bash
# The soak (tests/soak, docs/RELIABILITY.md): runs vepoll-soak for MINUTES in
# the ASan+UBSan build and then for MINUTES in the TSan build, and fails if
# either run reports a violation, a sanitizer report or a non-zero exit.
#
#   bash tools/soak.sh MINUTES [asan] [tsan]     (default: both)
#
# Builds what it needs in build/asan and build/tsan with the same settings as
# tools/test.sh, so an existing tree is reused.  Logs: build/<cfg>/soak.log.
# CI runs the same program for 60 s per sanitizer build as the ctest test
# "soak" (label soak).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
minutes=${1:-}
[[ $minutes =~ ^[0-9]+$ && $minutes -gt 0 ]] || { sed -n '2,11p' "$0"; exit 2; }
shift
configs=("$@")
((${#configs[@]})) || configs=(asan tsan)
bash tools/deps.sh >/dev/null

san_common="-fno-omit-frame-pointer -g"
declare -A cflags=(
    [asan]="-fsanitize=address,undefined -fno-sanitize-recover=all $san_common"
    [tsan]="-fsanitize=thread -Wno-tsan $san_common"
)

status=0
for c in "${configs[@]}"; do
    [[ -n ${cflags[$c]+set} ]] || { echo "soak: unknown configuration $c (asan, tsan)" >&2; exit 2; }
    dir=build/$c
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_C_FLAGS="${cflags[$c]}" -DCMAKE_EXE_LINKER_FLAGS="${cflags[$c]}" \
        -DVEPOLL_BUILD_TESTS=ON -DVEPOLL_BUILD_EXAMPLES=ON >/dev/null
    cmake --build "$dir" -j"${VEPOLL_JOBS:-2}" --target vepoll-soak >/dev/null
    echo "==== soak [$c]: $minutes min ===="
    case $c in
    asan) envs=(ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1) ;;
    tsan) envs=("TSAN_OPTIONS=halt_on_error=1 second_deadlock_stack=1 suppressions=$root/tests/tsan.supp") ;;
    esac
    rc=0
    env "${envs[@]}" "$dir/tests/soak/vepoll-soak" $((minutes * 60)) 2>&1 |
        tee "$dir/soak.log" || rc=$?
    if ((rc)) || grep -qE '^(==[0-9]+==ERROR|WARNING: ThreadSanitizer|SUMMARY: )|runtime error' \
        "$dir/soak.log"; then
        echo "soak [$c]: FAILED (exit $rc; see $dir/soak.log)"
        status=1
    else
        echo "soak [$c]: clean (0 sanitizer reports)"
    fi
done
exit $status
