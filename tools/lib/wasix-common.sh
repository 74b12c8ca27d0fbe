# shellcheck shell=bash
# The steps tools/vepoll-wasix-cc and tools/vepoll-wasix-run share: the
# Debian packages a guest build needs (installed on first use), the cache
# folder, content hashes, atomic publication, and the guest library
# libvepoll_guest.a (src/guest, built once per content).  Sourced; expects
# $root (the repository) and a die() that prints and exits.

wasix_cache=${VEPOLL_WASIX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vepoll-wasix}
wasix_sysroot_inc=/usr/include/wasm32-wasi
wasix_overlay=$root/src/guest/include

# Installs what is missing from the packages named (Debian 12).
wasix_need_packages() {
    local p missing=() sudo=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
            missing+=("$p")
    done
    ((${#missing[@]})) || return 0
    echo "vepoll-wasix: installing ${missing[*]}" >&2
    ((EUID == 0)) || sudo=(sudo)
    { DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get update -q &&
        DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
            --no-install-recommends "${missing[@]}"; } >&2 || die "could not install ${missing[*]}"
}

# The guest toolchain: clang-14 and wasm-ld-14, wasi-libc, the wasm32
# compiler-rt builtins, llvm-14's ar/ranlib (GNU ar cannot index wasm
# objects).  Checked by file, so a configure script's hundred compiler
# runs cost no dpkg queries.
wasix_need_guest_toolchain() {
    [[ -x /usr/bin/clang-14 && -x /usr/bin/wasm-ld-14 && -x /usr/bin/llvm-ar-14 &&
        -x /usr/bin/llvm-ranlib-14 && -f /usr/lib/wasm32-wasi/libc.a &&
        -n $(compgen -G '/usr/lib/llvm-14/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a') ]] &&
        return 0
    wasix_need_packages clang-14 lld-14 llvm-14 wasi-libc libclang-rt-14-dev-wasm32
}

wasix_hash() { cat "$@" | sha256sum | cut -c1-16; }

# publish TMP FINAL: atomic, so concurrent builds never see half a file.
wasix_publish() { mv -f "$1" "$2"; }

# The compiler flags every guest compile gets: the target, and the include
# path limited to vepoll's overlay, clang's own headers and the wasi-libc
# sysroot (never the build machine's /usr/include or /usr/local/include).
wasix_guest_cflags() {
    local res
    res=$(clang-14 -print-resource-dir)
    printf '%s\n' --target=wasm32-wasi -nostdinc -isystem "$wasix_overlay" \
        -isystem "$res/include" -isystem "$wasix_sysroot_inc"
}

# Prints the path of libvepoll_guest.a, building it when its sources,
# headers or flags changed.  One builder at a time (flock); others wait.
wasix_guest_lib() {
    local key lib tmp s flags=() srcs=() hdrs=()
    mapfile -t flags < <(wasix_guest_cflags)
    flags+=(-std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes)
    srcs=("$root"/src/guest/*.c)
    mapfile -t hdrs < <(find "$root/src/guest" "$root/include/vepoll_wasix_abi.h" -name '*.h' | sort)
    key=$(wasix_hash "${srcs[@]}" "${hdrs[@]}" <(echo "${flags[*]}"; clang-14 --version | head -1))
    lib=$wasix_cache/guestlib-$key/libvepoll_guest.a
    if [[ ! -f $lib ]]; then
        mkdir -p "$wasix_cache"
        (
            flock 8
            [[ -f $lib ]] && exit 0
            tmp=$(mktemp -d "$wasix_cache/tmp.XXXXXX")
            for s in "${srcs[@]}"; do
                clang-14 "${flags[@]}" -c "$s" -o "$tmp/$(basename "$s" .c).o" ||
                    { rm -rf "$tmp"; exit 1; }
            done
            llvm-ar-14 rcs "$tmp/libvepoll_guest.a" "$tmp"/*.o
            mkdir -p "$(dirname "$lib")"
            wasix_publish "$tmp/libvepoll_guest.a" "$lib"
            rm -rf "$tmp"
        ) 8>"$wasix_cache/.lock-guestlib" || die "building the guest library failed"
    fi
    echo "$lib"
}
