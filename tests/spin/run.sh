#!/usr/bin/env bash
# Exhaustive SPIN verification of one configuration of tests/spin/vepoll.pml
# (docs/MODEL.md).  Installs spin when it is missing.
#
#   run.sh [options] CONFIG        CONFIG: CORE_ET CORE_LT ONESHOT FAST_ET
#                                          FAST_LT FAST_ADD ADD GRACE WAKE_LT
#                                          WAKE_ET CLOSE CLOSE_ET SRCCLOSE EXCL
#                                          EXCL_INTR NEST NEST_ET NEST3 INTR
#                                          TIMEOUT SPIN SPIN_MBOX SWEEP
#                                          (EXCL_LONG: by hand)
#                                          TOKEN_MUTEX TOKEN_LIFETIME (token.pml:
#                                          the consumer token, x86-TSO)
#                                          READERS (readers.pml: the per-
#                                          thread read-side sections, x86-TSO)
#                                          RETIRE (readers.pml: DELs that
#                                          retire, one flush per batch)
#                                          GRAPH_CLOSE2 GRAPH_PROP GRAPH_ADD
#                                          GRAPH_CTL GRAPH_LOOP (nest.pml:
#                                          the nesting graph's close,
#                                          propagation and ADD paths)
#     --bug NAME      compile with -DNAME (a seeded bug, or VARIANT_*)
#     --expect TEXT   the run must FAIL with "assertion violated (TEXT)";
#                     without it the run must verify with 0 errors
#     --cycles        non-progress-cycle search (-DNP, pan -l) instead of
#                     the safety search: proves every execution is finite
#     --workdir DIR   where pan is built (default: a fresh temp dir)
#
# Exit 0 when the expectation holds (verified, or failed as expected), 1
# otherwise.  The search is exhaustive: a run that hits the depth or memory
# limit, or resorts to anything but a complete search, is a failure.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bug="" expect="" cycles=0 workdir="" cfg=""
while (($#)); do
    case $1 in
    --bug) bug=$2; shift 2 ;;
    --expect) expect=$2; shift 2 ;;
    --cycles) cycles=1; shift ;;
    --workdir) workdir=$2; shift 2 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *) cfg=$1; shift ;;
    esac
done
[[ -n $cfg ]] || { sed -n '2,26p' "${BASH_SOURCE[0]}"; exit 2; }

if ! command -v spin >/dev/null 2>&1; then
    dpkg -s spin >/dev/null 2>&1 ||
        apt-get install -y spin >/dev/null 2>&1 ||
        { apt-get update >/dev/null && apt-get install -y spin >/dev/null; }
fi
command -v spin >/dev/null || { echo "run.sh: spin not available" >&2; exit 1; }
cc=${CC:-cc}

if [[ -z $workdir ]]; then
    workdir=$(mktemp -d /tmp/vepoll-spin.XXXXXX)
    trap 'rm -rf "$workdir"' EXIT
fi
mkdir -p "$workdir"
cd "$workdir"

# Hash table size (2^w slots) by configuration: big enough that the search
# does not degrade into long chains, small enough for CI.
# The small searches take well under a second: compile them unoptimised,
# which is what dominates their cost.
case $cfg in
CORE_ET | CORE_LT | ONESHOT | FAST_ET) w=25 opt=-O2 ;;
NEST_ET | EXCL_LONG) w=24 opt=-O2 ;;
ADD) w=22 opt=-O2 ;;
FAST_LT | CLOSE | CLOSE_ET | SRCCLOSE | INTR | EXCL | EXCL_INTR) w=22 opt=-O0 ;;
*) w=19 opt=-O0 ;;
esac

model=vepoll.pml
case $cfg in
TOKEN_*) model=token.pml; defs=(-DCFG_"${cfg#TOKEN_}") ;;
READERS | RETIRE) model=readers.pml; defs=(-DCFG_"$cfg") ;;
GRAPH_*) model=nest.pml; defs=(-DCFG_"${cfg#GRAPH_}") ;;
*) defs=(-DCFG_"$cfg") ;;
esac
[[ -n $bug ]] && defs+=(-D"$bug")
if ((cycles)); then
    ccdefs=(-DNP) panargs=(-l)
else
    ccdefs=(-DSAFETY) panargs=()
fi

start=$(date +%s.%N)
# A local copy: pan writes its counterexample next to the model it was
# generated from (vepoll.pml.trail), and spin -t replays it from there.
cp "$here/$model" "$model"
spin "${defs[@]}" -a "$model" >spin.out 2>&1 ||
    { cat spin.out; exit 1; }
# Generated code: compiled with warnings off (house rule).
"$cc" "$opt" -w "${ccdefs[@]}" -DCOLLAPSE -DMEMLIM=6144 -o pan pan.c
set +e
./pan -m1000000 -w"$w" "${panargs[@]}" >pan.out 2>&1
set -e
end=$(date +%s.%N)

label="$cfg${bug:+ + $bug}"
what="no assertion violation, no invalid end state"
if ((cycles)); then
    label+=" (cycles)"
    what="no cycle: every execution is finite"
fi
stored=$(sed -n 's/^ *\([0-9.e+]*\) states, stored.*/\1/p' pan.out | head -1)
mem=$(sed -n 's/^ *\([0-9.]*\)\s*total actual memory usage.*/\1/p' pan.out | head -1)
errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' pan.out | head -1)
secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
echo "spin $label: errors=${errors:-?} states=${stored:-?} memory=${mem:-?}MB time=${secs}s"

incomplete=0
if grep -qE 'max search depth too small|out of memory|MEMLIM|hash table is full|Search not completed' pan.out; then
    incomplete=1
fi

if [[ -z $expect ]]; then
    if [[ $errors == 0 && $incomplete == 0 ]] && grep -q 'State-vector' pan.out; then
        echo "verified: $what"
        exit 0
    fi
    cat pan.out
    if [[ -f $model.trail ]]; then
        echo "---- counterexample (spin -t -p) ----"
        spin "${defs[@]}" -t -p -g "$model" 2>&1 | tail -80
    fi
    exit 1
fi

# Expected failure: it must be the named property.
if [[ ${errors:-0} -ge 1 ]] && grep -qF "assertion violated ($expect)" pan.out; then
    grep -F 'assertion violated' pan.out
    echo "failed as expected (seeded bug $bug violates $expect)"
    if [[ -n ${VEPOLL_SPIN_TRAIL:-} ]]; then
        spin "${defs[@]}" -t -p "$model" 2>&1 | tail -200
    fi
    exit 0
fi
cat pan.out
echo "seeded bug $bug did NOT produce 'assertion violated ($expect)'"
exit 1
