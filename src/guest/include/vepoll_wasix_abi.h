/*
 * <vepoll_wasix_abi.h> for wasm32-wasi guests: the WASIX ABI's numbers and
 * event layout, defined once in the public header include/vepoll_wasix_abi.h
 * (constants only, valid for host and guest).  A guest's include path holds
 * this folder, not include/, so this one header is all of include/ a guest
 * sees; it is the public header itself, found relative to this file.
 */
#include "../../../include/vepoll_wasix_abi.h"
