/*
 * vepoll_wasix_abi.h: the numbers of the WASIX epoll ABI (wasix_32v1 /
 * wasix_64v1) -- errno values, event bits, ctl ops, the layout of the
 * 32-byte __wasi_epoll_event_t -- for both sides of the import boundary.
 *
 * Only constants and no host types, so the same header serves the host
 * (vepoll_wasix.h includes it) and guest C built with clang
 * --target=wasm32-wasi: guests reach it as <vepoll_wasix_abi.h> through
 * vepoll's guest headers (src/guest/include), without the rest of
 * include/.  For wasm32 guests it also declares the event as a struct.
 *
 * MIT licensed.
 */
#ifndef VEPOLL_WASIX_ABI_H
#define VEPOLL_WASIX_ABI_H

#include <stdint.h>

/* ---- WASI errno values (u16 carried in the import's i32 result) --------- */
#define VEPOLL_WASI_ESUCCESS 0
#define VEPOLL_WASI_E2BIG 1
#define VEPOLL_WASI_EACCES 2
#define VEPOLL_WASI_EAGAIN 6
#define VEPOLL_WASI_EBADF 8
#define VEPOLL_WASI_EBUSY 10
#define VEPOLL_WASI_EEXIST 20
#define VEPOLL_WASI_EFAULT 21
#define VEPOLL_WASI_EINTR 27
#define VEPOLL_WASI_EINVAL 28
#define VEPOLL_WASI_EIO 29
#define VEPOLL_WASI_ELOOP 32
#define VEPOLL_WASI_EMFILE 33
#define VEPOLL_WASI_ENFILE 41
#define VEPOLL_WASI_ENOENT 44
#define VEPOLL_WASI_ENOMEM 48
#define VEPOLL_WASI_ENOSPC 51
#define VEPOLL_WASI_ENOSYS 52
#define VEPOLL_WASI_ENOTCONN 53
#define VEPOLL_WASI_ENOTSOCK 57
#define VEPOLL_WASI_ENOTSUP 58
#define VEPOLL_WASI_EOVERFLOW 61
#define VEPOLL_WASI_EPERM 63
#define VEPOLL_WASI_EPIPE 64
#define VEPOLL_WASI_ESPIPE 70
#define VEPOLL_WASI_ETIMEDOUT 73
#define VEPOLL_WASI_ENOTCAPABLE 76
#define VEPOLL_WASI_ESHUTDOWN 77     /* WASIX */
#define VEPOLL_WASI_EMEMVIOLATION 78 /* WASIX: a guest pointer out of bounds */
#define VEPOLL_WASI_EUNKNOWN 79      /* WASIX */
/* The socket errors (WASI's numbering; real sockets, vepoll_wasix.h). */
#define VEPOLL_WASI_EADDRINUSE 3
#define VEPOLL_WASI_EADDRNOTAVAIL 4
#define VEPOLL_WASI_EAFNOSUPPORT 5
#define VEPOLL_WASI_EALREADY 7
#define VEPOLL_WASI_ECONNABORTED 13
#define VEPOLL_WASI_ECONNREFUSED 14
#define VEPOLL_WASI_ECONNRESET 15
#define VEPOLL_WASI_EDESTADDRREQ 17
#define VEPOLL_WASI_EHOSTUNREACH 23
#define VEPOLL_WASI_EINPROGRESS 26
#define VEPOLL_WASI_EISCONN 30
#define VEPOLL_WASI_EMSGSIZE 35
#define VEPOLL_WASI_ENETDOWN 38
#define VEPOLL_WASI_ENETRESET 39
#define VEPOLL_WASI_ENETUNREACH 40
#define VEPOLL_WASI_ENOBUFS 42
#define VEPOLL_WASI_ENOPROTOOPT 50
#define VEPOLL_WASI_EPROTONOSUPPORT 66
#define VEPOLL_WASI_EPROTOTYPE 67

/* ---- WASIX epoll numbering (NOT Linux's) -------------------------------- */
#define VEPOLL_WASIX_EPOLLIN 0x01u
#define VEPOLL_WASIX_EPOLLOUT 0x02u
#define VEPOLL_WASIX_EPOLLRDHUP 0x04u
#define VEPOLL_WASIX_EPOLLPRI 0x08u
#define VEPOLL_WASIX_EPOLLERR 0x10u
#define VEPOLL_WASIX_EPOLLHUP 0x20u
#define VEPOLL_WASIX_EPOLLET 0x40u
#define VEPOLL_WASIX_EPOLLONESHOT 0x80u
#define VEPOLL_WASIX_EPOLL_ALL 0xffu

/* The eight WASIX bits from Linux's epoll bits (the same values as vepoll's
 * VEPOLL_*: IN 0x1, PRI 0x2, OUT 0x4, ERR 0x8, HUP 0x10, RDHUP 0x2000,
 * ONESHOT 1 << 30, ET 1 << 31) and back; Linux bits without a WASIX one
 * are dropped.  Shifts and masks, no table: they run for every event of
 * every epoll_wait, in the guest and in the host. */
static inline uint32_t vepoll_wasix_abi_events_from_linux(uint32_t l)
{
    return (l & 0x1u) | ((l >> 1) & 0x2u) | ((l >> 11) & 0x4u) | ((l << 2) & 0x8u) |
           ((l << 1) & 0x30u) | ((l >> 25) & 0x40u) | ((l >> 23) & 0x80u);
}

static inline uint32_t vepoll_wasix_abi_events_to_linux(uint32_t w)
{
    return (w & 0x1u) | ((w & 0x2u) << 1) | ((w & 0x4u) << 11) | ((w & 0x8u) >> 2) |
           ((w & 0x30u) >> 1) | ((w & 0x40u) << 25) | ((w & 0x80u) << 23);
}

#define VEPOLL_WASIX_CTL_ADD 0u
#define VEPOLL_WASIX_CTL_MOD 1u
#define VEPOLL_WASIX_CTL_DEL 2u

/* epoll_wait's timeout (u64 nanoseconds) that never expires. */
#define VEPOLL_WASIX_TIMEOUT_FOREVER UINT64_MAX

/* ---- __wasi_epoll_event_t: 32 bytes, align 8 ----------------------------
 * events u32 @0, then the data: ptr (u32 on wasm32, u64 on wasm64), fd u32,
 * data1 u32, data2 u64 @24.  Byte offsets; the gaps are padding. */
#define VEPOLL_WASIX_EVENT_SIZE 32u
#define VEPOLL_WASIX_EVENT_EVENTS 0u
#define VEPOLL_WASIX_EVENT_DATA2 24u
#define VEPOLL_WASIX_EVENT32_PTR 8u /* u32 */
#define VEPOLL_WASIX_EVENT32_FD 12u
#define VEPOLL_WASIX_EVENT32_DATA1 16u
#define VEPOLL_WASIX_EVENT64_PTR 8u /* u64 */
#define VEPOLL_WASIX_EVENT64_FD 16u
#define VEPOLL_WASIX_EVENT64_DATA1 20u

/* ---- Linux's struct epoll_event on wasm32 --------------------------------
 * vepoll_ext_v1's epoll_ctl / epoll_wait (VEPOLL_WASIX_LINUX32): 16 bytes,
 * events u32 @0 (Linux's bits), 4 bytes of padding, data u64 @8 (the
 * layout of musl's and vepoll's guest <sys/epoll.h> off x86_64). */
#define VEPOLL_WASIX_LINUX_EVENT_SIZE 16u
#define VEPOLL_WASIX_LINUX_EVENT_EVENTS 0u
#define VEPOLL_WASIX_LINUX_EVENT_DATA 8u

#if defined(__wasm32__)
/* The wasm32 event for guest C (src/guest/vepoll_wasix_shim.c checks it
 * against the offsets above). */
struct vepoll_wasix_event32 {
    uint32_t events;
    uint32_t pad0;
    uint32_t ptr;
    uint32_t fd;
    uint32_t data1;
    uint32_t pad1;
    uint64_t data2;
};
#endif

/* ---- the object imports -------------------------------------------------- */
/* sock_pair: ADDRESS_FAMILY_UNIX and SOCK_TYPE_SOCKET_STREAM. */
#define VEPOLL_WASIX_AF_UNIX 3u
#define VEPOLL_WASIX_SOCK_STREAM 1u
/* fd_event flags: EVENTFDFLAGS_SEMAPHORE. */
#define VEPOLL_WASIX_EVENTFD_SEMAPHORE 1u

/* ---- signals: vepoll_ext_v1 signal_action / signal_mask ------------------
 * A guest tells its host each signal's disposition and its blocked set
 * (docs/GUESTS.md); the host delivers through the export registered with
 * WASIX's callback_signal. */
#define VEPOLL_EXT_SIGNAL_DEFAULT 0u /* SIG_DFL */
#define VEPOLL_EXT_SIGNAL_IGNORE 1u  /* SIG_IGN */
#define VEPOLL_EXT_SIGNAL_HANDLER 2u /* a handler function */
#define VEPOLL_EXT_SIGNAL_RESTART 1u /* signal_action flags: SA_RESTART */

#endif /* VEPOLL_WASIX_ABI_H */
