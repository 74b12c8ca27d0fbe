/*
 * The imports this host does not implement (vw_imports.h's tables): each
 * returns ENOSYS, or nothing for the void ones.  No state, no guest memory
 * touched; safe on any thread.
 */
#include "vw_host.h"



#define DEFINE_X(mod, name, types) \
    u32 VW_W2C_IMPORT(mod, name)(VW_W2C_CTX(mod) * ctx, VW_PARAMS(types)) \
    {                                                                      \
        (void)ctx;                                                         \
        return VEPOLL_WASI_ENOSYS;                                                   \
    }
#define DEFINE_V(mod, name, types) \
    void VW_W2C_IMPORT(mod, name)(VW_W2C_CTX(mod) * ctx, VW_PARAMS(types)) { (void)ctx; }
#define DEFINE_Z(mod, name) \
    u32 VW_W2C_IMPORT(mod, name)(VW_W2C_CTX(mod) * ctx) \
    {                                                   \
        (void)ctx;                                      \
        return VEPOLL_WASI_ENOSYS;                                \
    }

VW_ENOSYS_WASI(DEFINE_X, DEFINE_V, DEFINE_Z)
VW_ENOSYS_WASIX(DEFINE_X, DEFINE_V, DEFINE_Z)
