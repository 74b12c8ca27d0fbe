#!/usr/bin/env bash
# The full test suite: builds vepoll and runs ctest in three configurations.
#
#   normal  RelWithDebInfo, every test incl. packaging/header tests
#   asan    AddressSanitizer + UndefinedBehaviorSanitizer (+ LeakSanitizer)
#   tsan    ThreadSanitizer
#
# Build trees: build/normal, build/asan, build/tsan.  Every configuration runs
# even when an earlier one fails; the exit status is non-zero if any failed.
#
#   bash tools/test.sh              all three
#   bash tools/test.sh normal tsan  just those
# Extra ctest arguments: VEPOLL_CTEST_ARGS="-R test_foo" bash tools/test.sh
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bash tools/deps.sh

jobs=${VEPOLL_JOBS:-2}
configs=("$@")
((${#configs[@]})) || configs=(normal asan tsan)

san_common="-fno-omit-frame-pointer -g"
declare -A cflags=(
    [normal]=""
    [asan]="-fsanitize=address,undefined -fno-sanitize-recover=all $san_common"
    [tsan]="-fsanitize=thread -Wno-tsan $san_common"
)
# -Wno-tsan: gcc warns that TSan does not model atomic_thread_fence, which
# libatomic_ops' AO_nop_full / AO_*_full inline into our code.  Those fences
# order store->load pairs (docs/ARCHITECTURE.md, "Waiting and wake-ups");
# TSan cannot check that property either way, and every data publication in
# vepoll goes through acquire/release atomics that it does model.
# Packaging/header tests build un-instrumented consumers, and "heavy" tests
# (long differential runs, fuzzing, model checking, benchmarks, wasm guests)
# are sized for the normal build: both run in the normal configuration only.
declare -A ctest_filter=([normal]="" [asan]="-LE packaging|heavy" [tsan]="-LE packaging|heavy")

declare -A result seconds
status=0

run_config() {
    local name=$1 dir=build/$1
    local flags=${cflags[$name]}
    echo
    echo "==== [$name] configure + build ($dir) ===="
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_C_FLAGS="$flags" \
        -DCMAKE_EXE_LINKER_FLAGS="$flags" \
        -DVEPOLL_BUILD_TESTS=ON -DVEPOLL_BUILD_EXAMPLES=ON || return 2
    cmake --build "$dir" -j"$jobs" || return 2
    echo
    echo "==== [$name] ctest ===="
    local -a envs=()
    case $name in
    asan) envs=(ASAN_OPTIONS=detect_leaks=1
                UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1) ;;
    tsan) envs=("TSAN_OPTIONS=halt_on_error=1 second_deadlock_stack=1 suppressions=$root/tests/tsan.supp") ;;
    esac
    # shellcheck disable=SC2086  # the filter is two words or none
    (cd "$dir" && env "${envs[@]}" ctest --output-on-failure --no-tests=error -j"$jobs" \
        ${ctest_filter[$name]} ${VEPOLL_CTEST_ARGS:-}) 2>&1 | tee "$dir/ctest.log" || return 1
}

# "N% tests passed, F tests failed out of T" -> "T F"
ctest_counts() {
    sed -n 's/^[0-9]*% tests passed, \([0-9]*\) tests\{0,1\} failed out of \([0-9]*\).*/\2 \1/p' \
        "build/$1/ctest.log" 2>/dev/null | tail -n1
}

for c in "${configs[@]}"; do
    if [[ -z ${cflags[$c]+set} ]]; then
        echo "unknown configuration '$c' (normal, asan, tsan)" >&2
        exit 2
    fi
    start=$SECONDS
    rm -f "build/$c/ctest.log"
    rc=0
    run_config "$c" || rc=$?
    seconds[$c]=$((SECONDS - start))
    case $rc in
    0) result[$c]="passed" ;;
    1) result[$c]="FAILED (ctest)"; status=1 ;;
    *) result[$c]="FAILED (configure/build)"; status=1 ;;
    esac
done

# The end of each failed test's output again, next to the summary, so a CI
# page that shows only the head and the tail of the log still shows why
# (a fuzzer's crash report ends with the input, as Base64).
failed_tail() {
    local log=build/$1/Testing/Temporary/LastTest.log name
    sed -n 's/^[[:space:]]*[0-9]* - \(.*\) (.*)$/\1/p' "build/$1/ctest.log" 2>/dev/null |
    while read -r name; do
        echo
        echo "==== [$1] $name: the end of its output ===="
        awk -v t="$name" '$0 ~ "^[0-9]+/[0-9]+ Testing: " t "$" {on = 1; next}
            on && /^<end of output>$/ {exit} on' "$log" 2>/dev/null | tail -n 40
    done
}
for c in "${configs[@]}"; do
    [[ ${result[$c]} == "FAILED (ctest)" ]] && failed_tail "$c"
done

echo
echo "==== vepoll test summary ===="
total_passed=0 total_failed=0
for c in "${configs[@]}"; do
    counts=$(ctest_counts "$c")
    if [[ -n $counts ]]; then
        read -r total failed <<<"$counts"
        tests="$((total - failed))/$total tests passed"
        total_passed=$((total_passed + total - failed))
        total_failed=$((total_failed + failed))
    else
        tests="no ctest result"
    fi
    printf '  %-7s %-26s %-24s %4ss\n' "$c" "${result[$c]}" "$tests" "${seconds[$c]}"
done
echo "ctest: $total_passed passed, $total_failed failed"
if ((status == 0)); then
    echo "all configurations passed"
else
    echo "SOME CONFIGURATIONS FAILED"
fi
exit $status
