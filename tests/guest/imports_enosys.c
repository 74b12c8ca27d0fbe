/*
 * Every WASI preview1 and WASIX import the host does not implement exists
 * and answers ENOSYS (52), so any guest links and learns the call is not
 * served: the guest imports each entry of src/host/vw_imports.h's tables
 * and calls it (with zero arguments: nothing is read or written), and the
 * runner's translated build checks each import's signature against the
 * host's declaration.  The void imports (callback_signal, thread_exit,
 * stack_restore, proc_exec, proc_exec2) are imported, not called: the last
 * four never return on a real WASIX host, so the guest would trap.
 * Guest only.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "wx_test.h"
#include "../../src/host/vw_imports.h"

typedef uint32_t u32;
typedef uint64_t u64;

#define IMPORT(mod, name) __attribute__((import_module(#mod), import_name(#name)))

#define ZEROS(...) VW_CAT(ZEROS_, VW_NARGS(__VA_ARGS__))
#define ZEROS_1 0
#define ZEROS_2 0, ZEROS_1
#define ZEROS_3 0, ZEROS_2
#define ZEROS_4 0, ZEROS_3
#define ZEROS_5 0, ZEROS_4
#define ZEROS_6 0, ZEROS_5
#define ZEROS_7 0, ZEROS_6
#define ZEROS_8 0, ZEROS_7
#define ZEROS_9 0, ZEROS_8
#define ZEROS_10 0, ZEROS_9
#define ZEROS_11 0, ZEROS_10
#define ZEROS_12 0, ZEROS_11
#define ZEROS_13 0, ZEROS_12
#define ZEROS_14 0, ZEROS_13

#define DECLARE_X(mod, name, types) IMPORT(mod, name) uint32_t mod##_##name types;
#define DECLARE_V(mod, name, types) IMPORT(mod, name) void mod##_##name types;
#define DECLARE_Z(mod, name) IMPORT(mod, name) uint32_t mod##_##name(void);
VW_ENOSYS_WASI(DECLARE_X, DECLARE_V, DECLARE_Z)
VW_ENOSYS_WASIX(DECLARE_X, DECLARE_V, DECLARE_Z)

static int calls, imported;

static void expect_enosys(uint32_t rc, const char *mod, const char *name)
{
    if (rc != VEPOLL_WASI_ENOSYS) {
        printf("FAIL %s.%s answered %u\n", mod, name, (unsigned)rc);
        exit(1);
    }
    calls++;
}

#define CALL_X(mod, name, types) expect_enosys(mod##_##name(ZEROS types), #mod, #name);
#define CALL_Z(mod, name) expect_enosys(mod##_##name(), #mod, #name);
#define TAKE_V(mod, name, types)                                                    \
    do {                                                                            \
        void (*volatile f_)() = (void (*)())mod##_##name;                           \
        CHECK(f_ != NULL);                                                          \
        imported++;                                                                 \
    } while (0);

static void every_unserved_import_answers_enosys(void)
{
    VW_ENOSYS_WASI(CALL_X, TAKE_V, CALL_Z)
    VW_ENOSYS_WASIX(CALL_X, TAKE_V, CALL_Z)
    printf("%d imports answered ENOSYS, %d void imports linked\n", calls, imported);
    CHECK(calls > 70); /* the tables are not empty (80 once the sockets were served) */
}

int main(void)
{
    RUN(every_unserved_import_answers_enosys);
    return 0;
}
