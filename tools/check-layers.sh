#!/usr/bin/env bash
# check-layers.sh: proves, from the compiled objects, that every file of
# libvepoll calls only downward.
#
#   tools/check-layers.sh --core A.o B.o ... --objects C.o ... --wasix D.o ...
#
# Reads each object's defined and undefined symbols (nm) and checks:
#   1. tiers: core < objects < wasix.  A file may use symbols of its own tier
#      and of the tiers below it; from the core only what the core's
#      interface header (src/core/include/vepoll_core.h) declares, or the
#      public API (vepoll_*); from the objects only their public API.  The
#      core uses nothing above it, the objects nothing of the adapter.
#   2. files: inside each tier the "file X uses a symbol defined in file Y"
#      graph has no cycle, so the files form layers.  The layers are
#      printed bottom-up (a file calls only files of earlier lines).
# Exits 1 with the offending edges or cycle.  Called by ctest (layering).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
die() { echo "check-layers: $*" >&2; exit 2; }
command -v nm >/dev/null || die "nm not found (binutils)"

declare -A tier_of=()   # object path -> tier
tier=""
for a in "$@"; do
    case $a in
    --core | --objects | --wasix) tier=${a#--} ;;
    *) [[ -n $tier ]] || die "object before a tier flag: $a"
       [[ -f $a ]] || die "no such object: $a"
       tier_of[$a]=$tier ;;
    esac
done
((${#tier_of[@]})) || die "usage: $0 --core OBJ... --objects OBJ... --wasix OBJ..."

rank() { case $1 in core) echo 0 ;; objects) echo 1 ;; wasix) echo 2 ;; esac; }
name() { basename "$1" | sed 's/\.c\.o$//; s/\.o$//'; }

# The core's interface: every vepoll__ name vepoll_core.h declares.
iface=$(grep -o 'vepoll__[a-z_0-9]*' "$root/src/core/include/vepoll_core.h" | sort -u)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# defs: "symbol file tier"; uses: "file tier symbol"
for o in "${!tier_of[@]}"; do
    f=$(name "$o") t=${tier_of[$o]}
    nm --defined-only "$o" | awk -v f="$f" -v t="$t" \
        '$2 ~ /^[TDBRC]$/ && $3 ~ /^vepoll_/ { print $3, f, t }' >>"$tmp/defs"
    nm --undefined-only "$o" | awk -v f="$f" -v t="$t" \
        '$2 ~ /^vepoll_/ { print f, t, $2 }' >>"$tmp/uses"
done
sort -u -o "$tmp/defs" "$tmp/defs"
dups=$(awk '{print $1}' "$tmp/defs" | uniq -d)
[[ -z $dups ]] || die "defined twice: $dups"

status=0
: >"$tmp/edges"
while read -r f t sym; do
    def=$(awk -v s="$sym" '$1 == s { print $2, $3; exit }' "$tmp/defs")
    [[ -n $def ]] || continue # defined outside these objects (tests, hosts)
    read -r g u <<<"$def"
    rt=$(rank "$t") ru=$(rank "$u")
    if ((ru > rt)); then
        echo "UPWARD: $t/$f uses $sym of $u/$g"
        status=1
    elif ((ru < rt)); then
        if [[ $sym == vepoll__* ]] && { [[ $u != core ]] || ! grep -qx "$sym" <<<"$iface"; }; then
            echo "INTERNAL: $t/$f uses $u's internal $sym ($g)"
            status=1
        fi
    elif [[ $f != "$g" ]]; then
        echo "$t $f $g" >>"$tmp/edges"
    fi
done <"$tmp/uses"
sort -u -o "$tmp/edges" "$tmp/edges"

# Layers per tier: repeatedly peel off the files that use no remaining file.
for t in core objects wasix; do
    mapfile -t files < <(for o in "${!tier_of[@]}"; do
        [[ ${tier_of[$o]} == "$t" ]] && name "$o"; done | sort)
    ((${#files[@]})) || continue
    declare -A left=()
    for f in "${files[@]}"; do left[$f]=1; done
    level=0
    echo "$t:"
    while ((${#left[@]})); do
        layer=()
        for f in "${!left[@]}"; do
            blocked=0
            while read -r _ a b; do
                [[ $a == "$f" && -n ${left[$b]:-} ]] && { blocked=1; break; }
            done < <(awk -v t="$t" '$1 == t' "$tmp/edges")
            ((blocked)) || layer+=("$f")
        done
        if ((${#layer[@]} == 0)); then
            echo "CYCLE in $t among: ${!left[*]}"
            awk -v t="$t" '$1 == t { print "  " $2 " -> " $3 }' "$tmp/edges" |
                while read -r line; do
                    a=${line%% ->*}; a=${a// /}; b=${line##*-> }
                    [[ -n ${left[$a]:-} && -n ${left[$b]:-} ]] && echo "  $a -> $b"
                done
            status=1
            break
        fi
        mapfile -t layer < <(printf '%s\n' "${layer[@]}" | sort)
        echo "  $level: ${layer[*]}"
        for f in "${layer[@]}"; do unset "left[$f]"; done
        level=$((level + 1))
    done
    unset left
done
if ((status)); then
    echo "check-layers: FAILED"
else
    echo "check-layers: every file calls only downward"
fi
exit $status
