#!/usr/bin/env bash
# Packaging and header tests, one mode per ctest test (see packaging.cmake).
#
#   run.sh <mode> <source-dir> <build-dir> <work-dir> <libvepoll.a> <config>
#
# mode: install | find_package | pkg_config | subdirectory | header_c99 | header_cxx
#       | sanitizer_builds
# Everything is built under <work-dir> (inside the build tree).  Compilers
# and generator come from the environment set by packaging.cmake: CC, CXX,
# CMAKE_COMMAND, CMAKE_GENERATOR.
set -euo pipefail

mode=$1 src=$2 build=$3 work=$4 lib=$5 config=${6:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cmake=${CMAKE_COMMAND:-cmake}
cc=${CC:-cc}
cxx=${CXX:-}
generator=${CMAKE_GENERATOR:-Unix Makefiles}
prefix=$work/prefix
version=${VEPOLL_VERSION:?VEPOLL_VERSION not set (run through ctest)}

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "+ $*" >&2; "$@"; }

# The pkg-config directory inside the prefix (lib/ or lib/<multiarch>/).
pcdir() {
    local pc
    pc=$(find "$prefix" -name vepoll.pc -path '*/pkgconfig/*' | head -n1)
    [[ -n $pc ]] || fail "vepoll.pc not installed under $prefix (did packaging_install run?)"
    dirname "$pc"
}

# Link flags of the library's dependencies (for the header tests' links).
read -r -a dep_libs <<<"$(pkg-config --libs atomic_ops 2>/dev/null || echo -latomic_ops)"
dep_libs+=(-pthread)

case $mode in
install)
    rm -rf "$prefix"
    args=(--install "$build" --prefix "$prefix")
    [[ -n $config ]] && args+=(--config "$config")
    step "$cmake" "${args[@]}"
    for h in "$src"/include/*.h; do
        [[ -f $prefix/include/$(basename "$h") ]] || fail "header $(basename "$h") not installed"
    done
    for f in libvepoll.a cmake/vepoll/vepollConfig.cmake cmake/vepoll/vepollConfigVersion.cmake \
             cmake/vepoll/vepollTargets.cmake pkgconfig/vepoll.pc; do
        found=$(find "$prefix" -path "*/$f" | head -n1)
        [[ -n $found ]] || fail "$f not installed"
        echo "installed: ${found#"$prefix"/}"
    done
    # Relocatable: no installed package file may name the build or source tree.
    if grep -rlF -e "$build" -e "$src/" "$prefix" --include='*.cmake' --include='*.pc'; then
        fail "installed package files refer to the build/source tree"
    fi
    ;;
find_package)
    for dir in fp fp-bad; do rm -rf "${work:?}/$dir"; done
    step "$cmake" -S "$here" -B "$work/fp" -G "$generator" -DCMAKE_C_COMPILER="$cc" \
        -DVEPOLL_CONSUME=package -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release
    step "$cmake" --build "$work/fp"
    step "$work/fp/consumer"
    # SameMajorVersion: asking for the next major version must fail.
    major=${version%%.*}
    if "$cmake" -S "$here" -B "$work/fp-bad" -G "$generator" -DCMAKE_C_COMPILER="$cc" \
        -DVEPOLL_CONSUME=package -DCMAKE_PREFIX_PATH="$prefix" \
        -DVEPOLL_REQUIRE_VERSION="$((major + 1)).0" >"$work/fp-bad.log" 2>&1; then
        fail "find_package(vepoll $((major + 1)).0) succeeded against version $version"
    fi
    echo "find_package(vepoll $((major + 1)).0) rejected, as it should be"
    ;;
pkg_config)
    dir=$(pcdir)
    export PKG_CONFIG_PATH="$dir${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
    got=$(pkg-config --modversion vepoll)
    [[ $got == "$version" ]] || fail "pkg-config --modversion vepoll = $got, want $version"
    got=$(cd "$(pkg-config --variable=prefix vepoll)" && pwd -P)
    [[ $got == "$(cd "$prefix" && pwd -P)" ]] || fail "pkg-config prefix $got is not $prefix"
    flags=$(pkg-config --cflags --libs --static vepoll)
    echo "pkg-config --cflags --libs --static vepoll: $flags"
    rm -rf "${work:?}/pc" && mkdir -p "$work/pc"
    # shellcheck disable=SC2086  # word splitting of the flags is intended
    step "$cc" -std=c11 -Wall -Wextra -Werror "$here/main.c" -o "$work/pc/consumer" $flags
    step "$work/pc/consumer"
    ;;
subdirectory)
    rm -rf "${work:?}/sub"
    step "$cmake" -S "$here" -B "$work/sub" -G "$generator" -DCMAKE_C_COMPILER="$cc" \
        -DVEPOLL_CONSUME=subdirectory -DVEPOLL_TREE="$src" -DCMAKE_BUILD_TYPE=Release
    step "$cmake" --build "$work/sub" -j2
    step "$work/sub/consumer"
    ;;
header_c99)
    mkdir -p "$work"
    step "$cc" -std=c99 -pedantic -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
        -Wmissing-prototypes -Wcast-qual -Wconversion -I"$src/include" \
        "$here/header_c99.c" -o "$work/header_c99" "$lib" "${dep_libs[@]}"
    step "$work/header_c99"
    ;;
header_cxx)
    if [[ -z $cxx ]]; then
        for c in g++ c++ clang++; do command -v "$c" >/dev/null && { cxx=$c; break; }; done
    fi
    [[ -n $cxx ]] || fail "no C++ compiler (run tools/deps.sh)"
    mkdir -p "$work"
    step "$cxx" -std=c++11 -pedantic -Wall -Wextra -Werror -Wshadow -I"$src/include" \
        "$here/header_cxx.cpp" -o "$work/header_cxx" "$lib" "${dep_libs[@]}"
    step "$work/header_cxx"
    ;;
sanitizer_builds)
    # A user's sanitizer build of the top-level project, default options
    # (so -Werror on our code): gcc and clang, each sanitizer alone.  Builds
    # the library and the examples; a warning a sanitizer provokes in our
    # code must not break it.
    ran=0
    for c in gcc clang-14 clang; do
        command -v "$c" >/dev/null || continue
        [[ $c == clang && $ran -ge 2 ]] && continue # clang-14 already ran
        for san in thread address undefined; do
            dir=$work/san-$c-$san
            rm -rf "$dir"
            step "$cmake" -S "$src" -B "$dir" -G "$generator" -DCMAKE_C_COMPILER="$c" \
                -DCMAKE_C_FLAGS="-fsanitize=$san" >"$dir.log" 2>&1 ||
                { cat "$dir.log"; fail "configure with $c -fsanitize=$san"; }
            step "$cmake" --build "$dir" -j2 --target vepoll vepoll-demo vepoll-runtime-fds \
                >>"$dir.log" 2>&1 || { grep -E 'error|warning' "$dir.log" | head -20;
                                        fail "build with $c -fsanitize=$san"; }
            echo "$c -fsanitize=$san: builds with the default options"
        done
        ran=$((ran + 1))
    done
    ((ran >= 2)) || fail "need gcc and clang (run tools/deps.sh)"
    ;;
*)
    fail "unknown mode $mode"
    ;;
esac
echo "packaging test '$mode' passed"
