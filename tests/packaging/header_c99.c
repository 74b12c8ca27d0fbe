/*
 * vepoll.h must be self-contained and clean C99: compiled with
 * -std=c99 -pedantic -Wall -Wextra -Werror (and -Wstrict-prototypes etc.).
 * Included twice to check the include guard.  vepoll_kfd.h (kernel-
 * descriptor sources) too: self-contained with POSIX's types.
 */
#include <vepoll.h>
#include <vepoll.h>
#include <vepoll_kfd.h>
#include <vepoll_kfd.h>

#include <stddef.h>

/* C99 has no _Static_assert: negative array size on failure. */
#define STATIC_CHECK(name, cond) typedef char static_check_##name[(cond) ? 1 : -1]

STATIC_CHECK(event_size, sizeof(struct vepoll_event) == 16);
STATIC_CHECK(event_data_off, offsetof(struct vepoll_event, data) == 8);
STATIC_CHECK(data_size, sizeof(vepoll_data_t) == 8);
STATIC_CHECK(in, VEPOLL_IN == 0x001u);
STATIC_CHECK(pri, VEPOLL_PRI == 0x002u);
STATIC_CHECK(out, VEPOLL_OUT == 0x004u);
STATIC_CHECK(err, VEPOLL_ERR == 0x008u);
STATIC_CHECK(hup, VEPOLL_HUP == 0x010u);
STATIC_CHECK(rdnorm, VEPOLL_RDNORM == 0x040u);
STATIC_CHECK(rdband, VEPOLL_RDBAND == 0x080u);
STATIC_CHECK(wrnorm, VEPOLL_WRNORM == 0x100u);
STATIC_CHECK(wrband, VEPOLL_WRBAND == 0x200u);
STATIC_CHECK(msg, VEPOLL_MSG == 0x400u);
STATIC_CHECK(rdhup, VEPOLL_RDHUP == 0x2000u);
STATIC_CHECK(exclusive, VEPOLL_EXCLUSIVE == 0x10000000u);
STATIC_CHECK(wakeup, VEPOLL_WAKEUP == 0x20000000u);
STATIC_CHECK(oneshot, VEPOLL_ONESHOT == 0x40000000u);
STATIC_CHECK(et, VEPOLL_ET == 0x80000000u);
STATIC_CHECK(add, VEPOLL_CTL_ADD == 1);
STATIC_CHECK(del, VEPOLL_CTL_DEL == 2);
STATIC_CHECK(mod, VEPOLL_CTL_MOD == 3);
STATIC_CHECK(stats, sizeof(struct vepoll_stats) == 4 * sizeof(uint64_t));

/* Every public entry point, taken by address with its exact type. */
int (*const p_create)(vepoll_t **) = vepoll_create;
int (*const p_close)(vepoll_t *) = vepoll_close;
int (*const p_ctl)(vepoll_t *, int, int, vepoll_source_t *, const struct vepoll_event *) = vepoll_ctl;
int (*const p_wait)(vepoll_t *, struct vepoll_event *, int, int64_t) = vepoll_wait;
int (*const p_interrupt)(vepoll_t *) = vepoll_interrupt;
int (*const p_set_wakeup)(vepoll_t *, void (*)(void *), void *) = vepoll_set_wakeup;
vepoll_source_t *(*const p_as_source)(vepoll_t *) = vepoll_as_source;
int (*const p_source_create)(vepoll_source_t **, uint32_t) = vepoll_source_create;
void (*const p_source_update)(vepoll_source_t *, uint32_t, uint32_t) = vepoll_source_update;
uint32_t (*const p_source_ready)(const vepoll_source_t *) = vepoll_source_ready;
void (*const p_source_close)(vepoll_source_t *) = vepoll_source_close;
int (*const p_get_stats)(const vepoll_t *, struct vepoll_stats *) = vepoll_get_stats;
int (*const p_set_spin)(vepoll_t *, int64_t) = vepoll_set_spin;
void (*const p_set_max_watches)(uint64_t) = vepoll_set_max_watches;
int (*const p_set_allocator)(const struct vepoll_allocator *) = vepoll_set_allocator;
int (*const p_kfd_create)(vepoll_kfd_t **, int, int) = vepoll_kfd_create;
vepoll_source_t *(*const p_kfd_source)(vepoll_kfd_t *) = vepoll_kfd_source;
int (*const p_kfd_fd)(vepoll_kfd_t *) = vepoll_kfd_fd;
ssize_t (*const p_kfd_read)(vepoll_kfd_t *, void *, size_t, int64_t) = vepoll_kfd_read;
ssize_t (*const p_kfd_write)(vepoll_kfd_t *, const void *, size_t, int64_t) = vepoll_kfd_write;
ssize_t (*const p_kfd_recv)(vepoll_kfd_t *, void *, size_t, int, int64_t) = vepoll_kfd_recv;
ssize_t (*const p_kfd_send)(vepoll_kfd_t *, const void *, size_t, int, int64_t) = vepoll_kfd_send;
int (*const p_kfd_accept)(vepoll_kfd_t *, struct sockaddr *, socklen_t *, int64_t) =
    vepoll_kfd_accept;
int (*const p_kfd_connect)(vepoll_kfd_t *, const struct sockaddr *, socklen_t, int64_t) =
    vepoll_kfd_connect;
int (*const p_kfd_shutdown)(vepoll_kfd_t *, int) = vepoll_kfd_shutdown;
int (*const p_kfd_refresh)(vepoll_kfd_t *) = vepoll_kfd_refresh;
uint64_t (*const p_kfd_ticket)(vepoll_kfd_t *) = vepoll_kfd_ticket;
int (*const p_kfd_note_eagain)(vepoll_kfd_t *, uint64_t, uint32_t) = vepoll_kfd_note_eagain;
int (*const p_kfd_close)(vepoll_kfd_t *) = vepoll_kfd_close;
STATIC_CHECK(kfd_noclose, VEPOLL_KFD_NOCLOSE == 1);

int main(void)
{
    return 0;
}
