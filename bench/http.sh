#!/usr/bin/env bash
# Scenario 10: a real HTTP server as a WebAssembly guest against the same
# server built natively.  examples/http_server.c (one thread, Linux epoll,
# edge-triggered, keep-alive) runs natively (cc -O2) and as a guest
# (tools/vepoll-wasix-run --tcplisten 127.0.0.1:0: real sockets watched by
# vepoll's kernel-descriptor sources), and wrk drives each in turn on
# loopback: 2 threads, 64 connections, 10 s.  Prints requests/s and the
# latency percentiles side by side and the target line
#   target http_guest_vs_native: R.RRx (goal >= 0.7x) PASS|MISS
# (R = guest requests/s / native requests/s).
#
#   bash bench/http.sh                 the full run (docs/BENCHMARKS.md)
#   bash bench/http.sh --quick         1 s, 1 thread, 4 connections: a smoke
#                                      run (ctest bench_http_quick checks it
#                                      prints every line; never the timings)
#   bash bench/http.sh --csv FILE      also append CSV rows for bench/plot.sh
#                                      (scenario,variant,param,rep,metric,value)
# Needs wrk (tools/deps.sh).  The guest build is cached in
# $VEPOLL_WASIX_CACHE (default: the runner's).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
threads=2 conns=64 secs=10 csv=""
while (($#)); do
    case $1 in
    --quick) threads=1 conns=4 secs=1; shift ;;
    --csv) csv=${2:?--csv needs a file}; shift 2 ;;
    *) echo "usage: bash bench/http.sh [--quick] [--csv FILE]" >&2; exit 2 ;;
    esac
done
command -v wrk >/dev/null || { echo "bench/http.sh: wrk is missing (bash tools/deps.sh)" >&2; exit 1; }

tmp=$(mktemp -d)
pid="" port=""
cleanup() {
    [[ -z $pid ]] || kill "$pid" 2>/dev/null || true
    [[ -z $pid ]] || wait "$pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

cc -O2 -std=c11 -Wall -Wextra -Werror "$root/examples/http_server.c" -o "$tmp/http_server_native"
"$root/tools/vepoll-wasix-run" --build-only "$root/examples/http_server.c" >/dev/null

# start NAME CMD...: runs the server, waits for the port it reports on
# stderr, sets $pid and $port.
start() {
    local name=$1 i
    shift
    port=""
    "$@" >/dev/null 2>"$tmp/$name.err" &
    pid=$!
    for ((i = 0; i < 300; i++)); do
        port=$(sed -n 's/.*listen[a-z]* on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/$name.err" | head -n1)
        [[ -n $port ]] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    [[ -n $port ]] || { cat "$tmp/$name.err" >&2; echo "bench/http.sh: $name did not start" >&2; exit 1; }
}

stop() {
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=""
}

# wrk's "Requests/sec" and latency percentiles in ms: "rps p50 p75 p90 p99".
measure() {
    local port=$1 out
    out=$(wrk -t"$threads" -c"$conns" -d"${secs}s" --latency "http://127.0.0.1:$port/")
    grep -q '^Requests/sec' <<<"$out" || { echo "$out" >&2; exit 1; }
    awk '
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0;
                         if (v ~ /s$/) return v * 1000; return v }
        /^ +50%/ { p50 = ms($2) } /^ +75%/ { p75 = ms($2) }
        /^ +90%/ { p90 = ms($2) } /^ +99%/ { p99 = ms($2) }
        /^Requests\/sec/ { rps = $2 }
        END { printf "%s %.3f %.3f %.3f %.3f\n", rps, p50, p75, p90, p99 }' <<<"$out"
}

start native "$tmp/http_server_native" 0
read -r n_rps n50 n75 n90 n99 < <(measure "$port")
stop
start guest "$root/tools/vepoll-wasix-run" --tcplisten 127.0.0.1:0 "$root/examples/http_server.c"
read -r g_rps g50 g75 g90 g99 < <(measure "$port")
stop

echo "== scenario 10: HTTP server, wrk -t$threads -c$conns -d${secs}s on loopback =="
printf '%-8s %12s %9s %9s %9s %9s\n' variant requests/s p50_ms p75_ms p90_ms p99_ms
printf '%-8s %12.0f %9.3f %9.3f %9.3f %9.3f\n' native "$n_rps" "$n50" "$n75" "$n90" "$n99"
printf '%-8s %12.0f %9.3f %9.3f %9.3f %9.3f\n' guest "$g_rps" "$g50" "$g75" "$g90" "$g99"
ratio=$(awk -v g="$g_rps" -v n="$n_rps" 'BEGIN { printf "%.3g", (n > 0 ? g / n : 0) }')
verdict=$(awk -v r="$ratio" 'BEGIN { print (r >= 0.7 ? "PASS" : "MISS") }')
echo "target http_guest_vs_native: ${ratio}x (goal >= 0.7x) $verdict"

if [[ -n $csv ]]; then
    for v in native guest; do
        if [[ $v == native ]]; then set -- "$n_rps" "$n50" "$n75" "$n90" "$n99"
        else set -- "$g_rps" "$g50" "$g75" "$g90" "$g99"; fi
        printf '10,%s,%d,0,requests_per_s,%s\n' "$v" "$conns" "$1"
        printf '10,%s,%d,0,p50_ms,%s\n10,%s,%d,0,p75_ms,%s\n' "$v" "$conns" "$2" "$v" "$conns" "$3"
        printf '10,%s,%d,0,p90_ms,%s\n10,%s,%d,0,p99_ms,%s\n' "$v" "$conns" "$4" "$v" "$conns" "$5"
    done >>"$csv"
fi
