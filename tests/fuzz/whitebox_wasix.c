/*
 * White-box probe for fuzz_wasix: the one place a fuzz target looks inside
 * the WASIX adapter.  After the fuzzer has closed every descriptor, no
 * side-table slot (guest data of a registration, src/wasix/wasix.c) may be
 * alive; nothing public reports that count, so this file reads it from
 * struct vepoll_wasix.  Only this file gets src/wasix on its include path
 * (tests/fuzz/targets/CMakeLists.txt).
 */
#include <stdint.h>

#include "wasix_internal.h"

uint32_t whitebox_wasix_live_slots(const vepoll_wasix_t *wx);

uint32_t whitebox_wasix_live_slots(const vepoll_wasix_t *wx)
{
    return wx->live;
}
