#!/usr/bin/env bash
# signal_driver.sh: sends signals from outside to posix_signal_delivery
# (S240-S246, S287) and checks what happens, the same for the native program and
# for the wasm guest run by tools/vepoll-wasix-run (whose process becomes
# the guest's host: the runner execs it).
#
#   tests/guest/signal_driver.sh COMMAND...
#
# COMMAND... runs the program; the driver appends the mode (handler,
# default, suspend).  For each step it waits for the program's "ready" line
# and for its process to sleep (blocked in the call the step is about),
# then signals that pid only (never a process group).  S244 measures the
# time from kill to exit and fails above one second (the mechanism takes
# milliseconds; the bound only keeps a stuck exit from passing).
set -euo pipefail

# Job control: a background job keeps SIGINT at its default action (a
# shell without it starts background jobs with SIGINT and SIGQUIT ignored).
set -m

tmp=$(mktemp -d)
pid=""
cleanup() {
    [[ -z $pid ]] || kill -KILL "$pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*"
    echo "---- program output ----"
    cat "$tmp/out" 2>/dev/null || true
    exit 1
}

start() { # mode
    : >"$tmp/out"
    "$@" >"$tmp/out" 2>&1 &
    pid=$!
}

# Until the program printed `count` lines equal to $1 (default 1); the first
# wait of a run includes building the guest, hence the long bound.
wait_line() { # line [count]
    local want=${2:-1} i
    for ((i = 0; i < 6000; i++)); do
        (($(grep -cxF -- "$1" "$tmp/out" || true) >= want)) && return 0
        kill -0 "$pid" 2>/dev/null || fail "exited before printing '$1'"
        sleep 0.1
    done
    fail "no '$1' after 600 s"
}

state() { sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1; }

# Until the process sleeps in the kernel, three looks in a row 10 ms apart
# (after a "ready" line its only sleep is the blocking call).
wait_asleep() {
    local i n=0
    for ((i = 0; i < 3000; i++)); do
        if [[ $(state) == S ]]; then
            ((++n >= 3)) && return 0
        else
            n=0
        fi
        sleep 0.01
    done
    fail "process not asleep (state $(state))"
}

finish() { # expected status
    local rc=0
    wait "$pid" || rc=$?
    pid=""
    ((rc == $1)) || fail "exit status $rc, expected $1"
}

send() { # signal
    kill -s "$1" "$pid" 2>/dev/null || fail "the program ended before SIG$1 was sent"
}

echo "== handler (S240-S243, S246, S287)"
start "$@" handler
wait_line "ready epoll_wait"; wait_asleep; send USR1
wait_line "ready read"; wait_asleep; send USR1
wait_line "handler usr1" 2; wait_asleep; send USR2
wait_line "ready ignored"; wait_asleep; send HUP
sleep 0.3; send USR2
wait_line "ready blocked"; wait_asleep; send USR1
sleep 0.3; send USR2
wait_line "ready pwait"; wait_asleep; send USR1 # within its 1.5 s timeout
wait_line "ready poll"; wait_asleep; send USR1
wait_line "ready select"; wait_asleep; send USR1
finish 0
cat "$tmp/out"

for sig in INT TERM; do
    echo "== default SIG$sig (S244)"
    start "$@" default
    wait_line "ready default"; wait_asleep
    t0=$(date +%s%N)
    send "$sig"
    want=$((128 + $(kill -l "$sig")))
    finish "$want"
    ms=$((($(date +%s%N) - t0) / 1000000))
    echo "SIG$sig ended the blocked program with status $want in $ms ms"
    ((ms <= 1000)) || fail "SIG$sig took $ms ms (more than one second)"
done

echo "== suspend (S245)"
start "$@" suspend
wait_line "ready suspend"; wait_asleep; send USR1
finish 0
cat "$tmp/out"
echo "all signal scenarios passed"
