/*
 * struct sockaddr_storage for wasm32-wasi guests (vepoll's guest headers):
 * Linux's 128 bytes, large enough for every sockaddr, sockaddr_un
 * included (wasi-libc's is 48 bytes).
 */
#ifndef __wasilibc___struct_sockaddr_storage_h
#define __wasilibc___struct_sockaddr_storage_h

#include <__typedef_sa_family_t.h>

struct sockaddr_storage {
    sa_family_t ss_family;
    char __ss_padding[128 - sizeof(long) - sizeof(sa_family_t)];
    unsigned long __ss_align;
};

#endif
