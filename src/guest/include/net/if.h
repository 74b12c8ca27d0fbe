/*
 * <net/if.h> for wasm32-wasi guests (vepoll's guest headers).  A guest has
 * no network interfaces: if_nametoindex answers 0 (ENODEV),
 * if_indextoname NULL (ENXIO), if_nameindex an empty list; Linux's
 * answers for an unknown interface.
 */
#ifndef _NET_IF_H
#define _NET_IF_H

#include <features.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IF_NAMESIZE 16
#define IFNAMSIZ IF_NAMESIZE

struct if_nameindex {
    unsigned int if_index;
    char *if_name;
};

unsigned int if_nametoindex(const char *name);
char *if_indextoname(unsigned int index, char *name);
struct if_nameindex *if_nameindex(void);
void if_freenameindex(struct if_nameindex *list);

#ifdef __cplusplus
}
#endif

#endif /* net/if.h */
