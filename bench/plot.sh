#!/usr/bin/env bash
# Regenerates the benchmark results and plots in docs/ from a fresh Release
# build, in one command:
#
#   bash bench/plot.sh            full run (about 1-2 minutes on 2 cores):
#                                 docs/bench-latest.txt (the printed tables),
#                                 docs/bench-fanin.svg, docs/bench-wake.svg,
#                                 docs/bench-scaling.svg, docs/bench-wasix.svg,
#                                 docs/bench-http.txt, docs/bench-http.svg
#                                 (scenario 10, bench/http.sh: the HTTP
#                                 example under wrk, 20 s more)
#   bash bench/plot.sh --quick    smoke run; output goes to the build tree,
#                                 docs/ is left alone
#   bash bench/plot.sh --no-run   re-render the plots from the last CSV
#   bash bench/plot.sh --http     scenario 10 only: bench/http.sh, then
#                                 docs/bench-http.svg (the rest left alone)
#
# Build tree: $VEPOLL_BENCH_BUILD (default /tmp/vepoll-bench-build).  The raw
# numbers are in <build>/bench.csv (scenario,variant,param,rep,metric,value).
# Scenario 9's wasm guest is built by tools/vepoll-wasix-run into
# $VEPOLL_WASIX_CACHE (default <build>/wasix-cache, so a fresh build tree
# also means a cold wasm build, ~5-10 s).
# Installs gnuplot-nox if it is missing.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${VEPOLL_BENCH_BUILD:-/tmp/vepoll-bench-build}
mode=full
case ${1:-} in
"") ;;
--quick) mode=quick ;;
--no-run) mode=norun ;;
--http) mode=http ;;
*) echo "usage: bash bench/plot.sh [--quick|--no-run|--http]" >&2; exit 2 ;;
esac

if ! dpkg -s gnuplot-nox >/dev/null 2>&1; then
    sudo=()
    ((EUID == 0)) || sudo=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends gnuplot-nox ||
        { "${sudo[@]}" apt-get update -q &&
          "${sudo[@]}" apt-get install -y -qq --no-install-recommends gnuplot-nox; }
fi

out=$root/docs
[[ $mode == quick ]] && out=$build/plots
mkdir -p "$out"
csv=$build/bench.csv

export VEPOLL_WASIX_CACHE=${VEPOLL_WASIX_CACHE:-$build/wasix-cache}
if [[ $mode == full || $mode == quick ]]; then
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
        -DVEPOLL_BUILD_TESTS=ON -DVEPOLL_BUILD_EXAMPLES=OFF -DVEPOLL_INSTALL=OFF >/dev/null
    cmake --build "$build" -j2 --target vepoll-bench
    args=(--csv "$csv")
    [[ $mode == quick ]] && args+=(--quick)
    # On a shared machine, other work steals the CPUs mid-run.  As root, run
    # at nice -20 and raise this session's autogroup the same way (with
    # autogroups, nice alone only ranks us within our own session); restored
    # on exit.  VEPOLL_BENCH_NO_BOOST=1 turns this off.
    boost=()
    if ((EUID == 0)) && [[ ${VEPOLL_BENCH_NO_BOOST:-0} != 1 ]]; then
        boost=(nice -n -20)
        ag=/proc/$$/autogroup
        if [[ -w $ag ]]; then
            old=$(sed -n 's/.* nice \(-\{0,1\}[0-9]*\)$/\1/p' "$ag")
            if [[ -n $old ]] && echo -20 >"$ag" 2>/dev/null; then
                trap 'echo "$old" >"$ag" 2>/dev/null || true' EXIT
            fi
        fi
    fi
    "${boost[@]}" "$build/bench/vepoll-bench" "${args[@]}" | tee "$out/bench-latest.txt"
fi
if [[ $mode != norun ]]; then
    mkdir -p "$build"
    rm -f "$build/http.csv"
    http_args=(--csv "$build/http.csv")
    [[ $mode == quick ]] && http_args+=(--quick)
    echo
    bash "$root/bench/http.sh" "${http_args[@]}" | tee "$out/bench-http.txt"
fi

dat=$build/plotdata
rm -rf "$dat"
mkdir -p "$dat"
machine=$(sed -n 's/^machine: //p' "$out/bench-latest.txt" 2>/dev/null | head -n1)
[[ -n $machine ]] || machine=$(uname -sr)

# The preamble of the bar-chart plots (scenarios 9 and 10).
bar_head="set terminal svg size 1000,520 dynamic noenhanced background rgb 'white' font 'sans,12'
set datafile missing '?'
set grid y
set key below"

# Scenario 10 (bench/http.sh's CSV): requests/s and latency percentiles.
if [[ -s $build/http.csv ]]; then
for v in native guest; do
    awk -F, -v v="$v" '$1 == 10 && $2 == v && $5 == "requests_per_s" { print v, $6 }' \
        "$build/http.csv" 2>/dev/null
done >"$dat/http-rps.dat"
for p in 50 75 90 99; do
    awk -F, -v m="p${p}_ms" -v p="$p" '$1 == 10 && $5 == m { v[$2] = $6 }
        END { print "p" p, ("native" in v ? v["native"] : "?"), ("guest" in v ? v["guest"] : "?") }' \
        "$build/http.csv" 2>/dev/null || echo "p$p ? ?"
done >"$dat/http-lat.dat"

gnuplot <<EOF
$bar_head
set output '$out/bench-http.svg'
set multiplot layout 1,2 title "Scenario 10: examples/http_server.c under wrk (2 threads, 64 connections, 10 s) — $machine"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set title 'throughput'
set ylabel 'requests / s'
set yrange [0:*]
plot '$dat/http-rps.dat' u 2:xtic(1) t 'requests/s'
set title 'latency percentiles'
set ylabel 'ms'
plot '$dat/http-lat.dat' u 2:xtic(1) t 'native', '' u 3 t 'wasm guest (vepoll kfd sources)'
unset multiplot
EOF
fi
if [[ $mode == http ]]; then
    echo "plot: $out/bench-http.svg"
    exit 0
fi
[[ -s $csv ]] || { echo "no $csv: run without --no-run first" >&2; exit 1; }

# series SCEN VARIANT METRIC: "param median min max" per param, in run order
series() {
    awk -F, -v s="$1" -v v="$2" -v m="$3" '
        $1 == s && $2 == v && $4 == -1 {
            p = $3; sub(/^P/, "", p)
            if ($5 == m ":median") { if (!(p in med)) order[++n] = p; med[p] = $6 }
            else if ($5 == m ":min") mn[p] = $6
            else if ($5 == m ":max") mx[p] = $6
        }
        END { for (i = 1; i <= n; i++) { p = order[i]; print p, med[p], mn[p], mx[p] } }' "$csv"
}

# cdf VARIANT MODE: "ns fraction" of every round-trip sample (<= 500 points)
cdf() {
    awk -F, -v v="$1" -v m="$2" \
        '$1 == "s5_wake" && $2 == v && $3 == m && $5 == "rt_sample_ns" { print $6 }' "$csv" |
        sort -g |
        awk '{ x[NR] = $1 } END {
                 step = int(NR / 500); if (step < 1) step = 1
                 for (i = 1; i <= NR; i += step) print x[i], i / NR
                 if (NR) print x[NR], 1 }'
}

for d in vepoll vepoll-spin mutexq mutexq-nometrics kernel-eventfd; do
    series s6_fanin "$d" updates_M_per_s >"$dat/fanin-upd-$d.dat"
    series s6_fanin "$d" harvested_Mev_per_s >"$dat/fanin-harv-$d.dat"
done
for m in vepoll vepoll-spin futex futex-spin eventfd-epoll mutexq; do
    for mode2 in split same-cpu; do
        cdf "$m" "$mode2" >"$dat/wake-$mode2-$m.dat"
    done
done
# Scenario 9: same-thread medians per group ("variant ET LT") and the
# wake round-trip samples.
for v in guest adapter native kernel; do
    awk -F, -v v="$v" '$1 == "s9_wasix" && $2 == v && $4 == -1 && $5 == "ns_per_op:median" {
                           m[$3] = $6 }
                       END { print v, (("ET" in m) ? m["ET"] : "?"), (("LT" in m) ? m["LT"] : "?") }' \
        "$csv"
done >"$dat/wasix-local.dat"
for v in guest adapter native kernel; do
    awk -F, -v v="$v" '$1 == "s9_wasix" && $2 == v && $5 == "rt_sample_ns" { print $6 }' "$csv" |
        sort -g |
        awk '{ x[NR] = $1 } END {
                 step = int(NR / 500); if (step < 1) step = 1
                 for (i = 1; i <= NR; i += step) print x[i], i / NR
                 if (NR) print x[NR], 1 }' >"$dat/wasix-wake-$v.dat"
done
i=0
for v in "vepoll wait(0)" "mutexq update+wait(0)" "kernel epoll_wait(0)"; do
    series s7_scale "$v" ns_per_wait >"$dat/scale-wait-$i.dat"
    i=$((i + 1))
done
i=0
for v in "vepoll add+del" "mutexq add+del" "kernel add+del"; do
    series s7_scale "$v" ns_per_add_del >"$dat/scale-ad-$i.dat"
    i=$((i + 1))
done


gnuplot <<EOF
set terminal svg size 1000,520 dynamic noenhanced background rgb 'white' font 'sans,12'
set datafile missing '?'
set grid
set key below
set logscale y
set xtics (1, 2, 4, 8)
set logscale x 2
set xrange [0.8:10]

set output '$out/bench-fanin.svg'
set multiplot layout 1,2 title "Fan-in: P producers -> 1 consumer (median, bars min-max) — $machine"
set title 'producer updates/s'
set xlabel 'producers P'
set ylabel 'million updates / s'
plot '$dat/fanin-upd-vepoll.dat' u 1:2:3:4 w yerrorlines lw 2 t 'vepoll', \
     '$dat/fanin-upd-mutexq.dat' u 1:2:3:4 w yerrorlines lw 2 t 'mutexq (Wasmer design)', \
     '$dat/fanin-upd-mutexq-nometrics.dat' u 1:2:3:4 w yerrorlines lw 2 t 'mutexq, no metrics', \
     '$dat/fanin-upd-kernel-eventfd.dat' u 1:2:3:4 w yerrorlines lw 2 t 'kernel eventfd + epoll', \
     '$dat/fanin-upd-vepoll-spin.dat' u 1:2:3:4 w yerrorlines lw 2 t 'vepoll, consumer spins 50 us'
set title 'harvested events/s'
set ylabel 'million events / s'
plot '$dat/fanin-harv-vepoll.dat' u 1:2:3:4 w yerrorlines lw 2 t 'vepoll', \
     '$dat/fanin-harv-mutexq.dat' u 1:2:3:4 w yerrorlines lw 2 t 'mutexq (Wasmer design)', \
     '$dat/fanin-harv-mutexq-nometrics.dat' u 1:2:3:4 w yerrorlines lw 2 t 'mutexq, no metrics', \
     '$dat/fanin-harv-kernel-eventfd.dat' u 1:2:3:4 w yerrorlines lw 2 t 'kernel eventfd + epoll', \
     '$dat/fanin-harv-vepoll-spin.dat' u 1:2:3:4 w yerrorlines lw 2 t 'vepoll, consumer spins 50 us'
unset multiplot

unset logscale
set logscale x 10
set xrange [*:*]
set autoscale x
set xtics autofreq
set yrange [0:1]
set xtics ('100 ns' 100, '1 us' 1000, '10 us' 1e4, '100 us' 1e5, '1 ms' 1e6, '10 ms' 1e7)
set output '$out/bench-wake.svg'
set multiplot layout 1,2 title "Cross-thread wake round trip A->B->A, CDF of all samples — $machine"
set title 'threads on two CPUs'
set xlabel 'round trip (ns, log)'
set ylabel 'fraction of round trips'
plot for [m in 'vepoll vepoll-spin futex futex-spin eventfd-epoll mutexq'] \
     '$dat/wake-split-'.m.'.dat' u 1:2 w l lw 2 t m
set title 'both threads on one CPU'
plot for [m in 'vepoll vepoll-spin futex futex-spin eventfd-epoll mutexq'] \
     '$dat/wake-same-cpu-'.m.'.dat' u 1:2 w l lw 2 t m
unset multiplot

set yrange [*:*]
set logscale xy
set xrange [0.7:1.5e6]
set xtics ('1' 1, '10' 10, '100' 100, '1k' 1000, '10k' 1e4, '100k' 1e5, '1M' 1e6)
set output '$out/bench-scaling.svg'
set multiplot layout 1,2 title "Scaling with N registrations (median, bars min-max) — $machine"
set title 'wait(0) with 1 ready among N'
set xlabel 'registrations N'
set ylabel 'ns per call'
plot '$dat/scale-wait-0.dat' u 1:2:3:4 w yerrorlines lw 2 t 'vepoll wait(0)', \
     '$dat/scale-wait-1.dat' u 1:2:3:4 w yerrorlines lw 2 t 'mutexq update + wait(0)', \
     '$dat/scale-wait-2.dat' u 1:2:3:4 w yerrorlines lw 2 t 'kernel epoll_wait(0)'
set title 'ADD + DEL of one more registration at size N'
set ylabel 'ns per ADD+DEL pair'
plot '$dat/scale-ad-0.dat' u 1:2:3:4 w yerrorlines lw 2 t 'vepoll', \
     '$dat/scale-ad-1.dat' u 1:2:3:4 w yerrorlines lw 2 t 'mutexq', \
     '$dat/scale-ad-2.dat' u 1:2:3:4 w yerrorlines lw 2 t 'kernel'
unset multiplot

reset
$bar_head
set output '$out/bench-wasix.svg'
set multiplot layout 1,2 title "Scenario 9: WASIX guest (wasm2c) vs the same work natively — $machine"
set title 'one thread: write + epoll_wait(0) [+ read] (median)'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set ylabel 'ns per iteration (log)'
set xtics ('wasm guest' 0, 'adapter (C)' 1, 'vepoll native' 2, 'kernel' 3)
plot '$dat/wasix-local.dat' u 2 t 'ET: write + epoll_wait(0)', \\
     '' u 3 t 'LT: write + epoll_wait(0) + read'
set style data lines
set style fill empty
unset logscale
set grid
set logscale x 10
set xrange [*:*]
set yrange [0:1]
set xtics ('1 us' 1000, '10 us' 1e4, '100 us' 1e5, '1 ms' 1e6)
set title 'cross-thread round trip A->B->A, B in epoll_wait(-1): CDF'
set xlabel 'round trip (ns, log)'
set ylabel 'fraction of round trips'
plot for [m in 'guest adapter native kernel'] '$dat/wasix-wake-'.m.'.dat' u 1:2 w l lw 2 t m
unset multiplot

EOF
echo "plots: $out/bench-fanin.svg $out/bench-wake.svg $out/bench-scaling.svg $out/bench-wasix.svg $out/bench-http.svg"
