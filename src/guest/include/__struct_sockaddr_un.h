/*
 * struct sockaddr_un for wasm32-wasi guests (vepoll's guest headers):
 * Linux's layout, with the sun_path that wasi-libc's placeholder lacks, so
 * AF_UNIX code compiles (<sys/un.h> reaches this file first).
 */
#ifndef __wasilibc___struct_sockaddr_un_h
#define __wasilibc___struct_sockaddr_un_h

#include <__typedef_sa_family_t.h>

struct sockaddr_un {
    sa_family_t sun_family;
    char sun_path[108];
};

#endif
