# CMake toolchain file for wasm32-wasi guests of a vepoll host:
#
#   cmake -DCMAKE_TOOLCHAIN_FILE=/path/to/vepoll/cmake/wasm32-wasi-vepoll.cmake ...
#
# The C compiler is tools/vepoll-wasix-cc (clang-14 for wasm32-wasi with
# wasi-libc and vepoll's guest headers and library, see docs/GUESTS.md);
# archives are made with llvm-ar-14 / llvm-ranlib-14 (GNU ar cannot index
# wasm objects).  The system is "WASI" (Platform/WASI.cmake beside this
# file): static libraries only, executables named *.wasm, and find_* calls
# look in the wasi-libc sysroot, never in the build machine's /usr.
set(CMAKE_SYSTEM_NAME WASI)
set(CMAKE_SYSTEM_VERSION 1)
set(CMAKE_SYSTEM_PROCESSOR wasm32)
list(APPEND CMAKE_MODULE_PATH "${CMAKE_CURRENT_LIST_DIR}")

get_filename_component(_vepoll_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(CMAKE_C_COMPILER "${_vepoll_root}/tools/vepoll-wasix-cc")
set(CMAKE_C_COMPILER_TARGET wasm32-wasi)
set(CMAKE_AR /usr/bin/llvm-ar-14 CACHE FILEPATH "wasm archiver")
set(CMAKE_RANLIB /usr/bin/llvm-ranlib-14 CACHE FILEPATH "wasm archive indexer")

set(CMAKE_FIND_ROOT_PATH /usr/lib/wasm32-wasi /usr/include/wasm32-wasi)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
