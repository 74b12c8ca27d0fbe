/*
 * Tiny consumer of an installed / embedded vepoll: one instance, one source,
 * one level-triggered registration, one readiness event, then teardown.
 * Built three ways by the packaging tests (find_package, pkg-config,
 * add_subdirectory).  Exit 0 on success.
 */
#include <stdio.h>

#include <vepoll.h>

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,         \
                    __LINE__, #cond);                                      \
            return 1;                                                      \
        }                                                                  \
    } while (0)

int main(void)
{
    vepoll_t *ep = NULL;
    vepoll_source_t *src = NULL;
    struct vepoll_event ev, out[4];
    int n;

    CHECK(vepoll_create(&ep) == 0 && ep != NULL);
    CHECK(vepoll_source_create(&src, 0) == 0 && src != NULL);

    ev.events = VEPOLL_IN;
    ev.data.u64 = 0x1234;
    CHECK(vepoll_ctl(ep, VEPOLL_CTL_ADD, 3, src, &ev) == 0);

    /* Not ready yet: a non-blocking wait reports nothing. */
    CHECK(vepoll_wait(ep, out, 4, 0) == 0);

    /* The producer hook: the object became readable. */
    vepoll_source_update(src, VEPOLL_IN, 0);
    n = vepoll_wait(ep, out, 4, 1000000000);
    CHECK(n == 1);
    CHECK(out[0].events == VEPOLL_IN);
    CHECK(out[0].data.u64 == 0x1234);

    /* Drained: readiness cleared, nothing to report. */
    vepoll_source_update(src, 0, VEPOLL_IN);
    CHECK(vepoll_wait(ep, out, 4, 0) == 0);

    CHECK(vepoll_ctl(ep, VEPOLL_CTL_DEL, 3, src, NULL) == 0);
    vepoll_source_close(src);
    CHECK(vepoll_close(ep) == 0);
    printf("vepoll consumer OK\n");
    return 0;
}
