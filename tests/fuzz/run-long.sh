#!/usr/bin/env bash
# Long fuzzing run of the libFuzzer targets (tests/fuzz), on every core.
#
#   bash tests/fuzz/run-long.sh HOURS [TARGET...]     (default: ops wasix)
#
# Builds the targets with clang-14 (ASan+UBSan, tests/fuzz/targets) in
# build/fuzz-long/ (or $VEPOLL_FUZZ_OUT), fuzzes each target in turn for HOURS
# (fractions allowed: 0.25; so the default two targets take 2 x HOURS)
# with one job per core, starting from tests/fuzz/corpus/<target>/ plus the
# working corpus kept in build/fuzz-long/work-<target>/ from earlier runs.
# At the end it prints the total executions and, for a finding, the crash
# file and its decoded operation list (VEPOLL_FUZZ_TRACE=1).
#
# Corpus upkeep: VEPOLL_FUZZ_UPDATE_CORPUS=1 merges the working corpus into
# a minimal set (libFuzzer -merge=1 over new edges) and copies it into the
# source tree when the result stays under 200 files; the hand-made seed-*
# files always stay.
set -euo pipefail

hours=${1:?usage: run-long.sh HOURS [TARGET...]}
shift
targets=("$@")
((${#targets[@]})) || targets=(ops wasix)

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dpkg -s clang-14 >/dev/null 2>&1 || apt-get install -y clang-14 libclang-rt-14-dev
out=${VEPOLL_FUZZ_OUT:-$root/build/fuzz-long}
cmake -S "$root/tests/fuzz/targets" -B "$out/targets" \
    -DCMAKE_C_COMPILER=clang-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DVEPOLL_SOURCE_DIR="$root" >/dev/null
cmake --build "$out/targets" -j"$(nproc)"

secs=$(awk -v h="$hours" 'BEGIN { printf "%d", h * 3600 }')
jobs=$(nproc)
status=0
for t in "${targets[@]}"; do
    bin=$out/targets/fuzz_$t
    work=$out/work-$t
    logs=$out/logs-$t
    seeds=$root/tests/fuzz/corpus/$t
    mkdir -p "$work" "$logs"
    rm -f "$logs"/fuzz-*.log
    echo "==== fuzz_$t: ${hours} h on $jobs workers (logs: $logs)"
    (cd "$logs" && "$bin" -max_total_time="$secs" -max_len=512 -timeout=20 \
        -print_final_stats=1 -jobs="$jobs" -workers="$jobs" \
        -artifact_prefix="$logs/" "$work" "$seeds") || status=1
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs"/fuzz-*.log |
        awk '{ s += $1 } END { print s + 0 }')
    echo "fuzz_$t: $execs executions, working corpus $(ls "$work" | wc -l) files"
    for crash in "$logs"/crash-* "$logs"/timeout-* "$logs"/leak-*; do
        [[ -e $crash ]] || continue
        status=1
        echo "FINDING: $crash"
        VEPOLL_FUZZ_TRACE=1 "$bin" "$crash" 2>&1 | sed -n '/^ *[0-9]\+ /p;/diverges/p;/^fuzz_wasix:/p' || true
    done
    if [[ ${VEPOLL_FUZZ_UPDATE_CORPUS:-0} == 1 ]]; then
        merged=$out/merged-$t
        rm -rf "$merged" && mkdir -p "$merged"
        cp "$seeds"/seed-* "$merged"/
        # Only inputs that reach new edges beyond the seeds are kept
        # (edges, not hit-count buckets: that keeps the set small).
        "$bin" -merge=1 -use_counters=0 -max_len=512 "$merged" "$work" >/dev/null 2>&1
        n=$(ls "$merged" | wc -l)
        if ((n < 200)); then
            find "$seeds" -type f ! -name 'seed-*' -delete
            find "$merged" -type f ! -name 'seed-*' -exec cp {} "$seeds"/ \;
            echo "corpus/$t: $(ls "$seeds" | wc -l) files"
        else
            echo "corpus/$t not updated: the minimal set has $n files (limit 200)"
        fi
    fi
done
exit $status
