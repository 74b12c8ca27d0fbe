// vepoll.h must compile as C++11 (-Wall -Wextra -Werror) and declare the API
// with C linkage: this file is linked against libvepoll.a, so a missing
// extern "C" shows up as undefined (mangled) references.
#include <vepoll.h>
#include <vepoll.h>
#include <vepoll_kfd.h>

#include <cerrno>
#include <cstdio>

static_assert(sizeof(vepoll_event) == 16, "struct vepoll_event is 16 bytes");
static_assert(sizeof(vepoll_data_t) == 8, "vepoll_data_t is 8 bytes");
static_assert(VEPOLL_ET == 0x80000000u, "VEPOLL_ET value");
static_assert(VEPOLL_EXCLUSIVE == 0x10000000u, "VEPOLL_EXCLUSIVE value");

int main()
{
    vepoll_t *ep = nullptr;
    vepoll_source_t *src = nullptr;
    if (vepoll_set_allocator(nullptr) != 0)
        return 1;
    vepoll_set_max_watches(0);
    if (vepoll_create(&ep) != 0 || vepoll_source_create(&src, 0) != 0)
        return 1;
    vepoll_event ev{};
    ev.events = VEPOLL_IN | VEPOLL_ET;
    ev.data.u64 = 42;
    if (vepoll_ctl(ep, VEPOLL_CTL_ADD, 7, src, &ev) != 0)
        return 1;
    vepoll_source_update(src, VEPOLL_IN, 0);
    vepoll_event out[2];
    if (vepoll_wait(ep, out, 2, 0) != 1 || out[0].data.u64 != 42 ||
        vepoll_source_ready(src) != VEPOLL_IN)
        return 1;
    if (vepoll_as_source(ep) == nullptr || vepoll_set_spin(ep, 0) != 0 ||
        vepoll_set_wakeup(ep, nullptr, nullptr) != 0 || vepoll_interrupt(ep) != 0)
        return 1;
    vepoll_stats st{};
    if (vepoll_get_stats(ep, &st) != 0)
        return 1;
    vepoll_source_close(src);
    // vepoll_kfd.h: C linkage too (a kfd on a descriptor the kernel cannot
    // watch is refused; a NULL one is EBADF).
    vepoll_kfd_t *k = nullptr;
    if (vepoll_kfd_create(&k, -1, 0) != -EBADF || vepoll_kfd_close(nullptr) != -EBADF ||
        vepoll_kfd_source(nullptr) != nullptr)
        return 1;
    if (vepoll_close(ep) != 0)
        return 1;
    std::printf("vepoll C++ consumer OK\n");
    return 0;
}
