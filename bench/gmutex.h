/*
 * gmutex: the plain global-mutex epoll, the second benchmark baseline.
 *
 * What a straightforward implementation looks like: one process-wide mutex
 * guards every source, registration and instance.  A source keeps its
 * readiness word and its list of registrations; an update takes the mutex,
 * sets the readiness and appends each newly ready registration to its
 * instance's FIFO (waking a waiter through the instance's condition
 * variable); a wait takes the mutex, walks the FIFO once, reports what is
 * ready at that moment (level-triggered entries stay queued and move to the
 * tail, edge-triggered ones leave), and sleeps on the condition variable if
 * there is nothing.  Two uncontended lock/unlock pairs per update + wait: the
 * floor any design with a lock on both sides pays.
 *
 * Concurrency contract: every call takes gm_mu for its whole duration (a
 * blocked wait releases it inside pthread_cond_timedwait), so any thread may
 * call anything; ctl must not race with the destruction of the objects it
 * names (the benchmarks never do).
 */
#ifndef VEPOLL_BENCH_GMUTEX_H
#define VEPOLL_BENCH_GMUTEX_H

#include <stddef.h>
#include <stdint.h>

#include "vepoll.h"

struct gm_state;
struct gm_source;

int gm_create(struct gm_state **out);
void gm_destroy(struct gm_state *ep);
int gm_source_create(struct gm_source **out, uint32_t ready);
void gm_source_destroy(struct gm_source *s);
/* events: VEPOLL_IN / VEPOLL_OUT, | VEPOLL_ET.  ERR|HUP always count. */
int gm_ctl_add(struct gm_state *ep, struct gm_source *src, uint32_t events,
               uint64_t data);
void gm_source_update(struct gm_source *s, uint32_t set, uint32_t clear);
/* timeout_ns: 0 = poll, < 0 = forever.  Returns the number of events. */
int gm_wait(struct gm_state *ep, struct vepoll_event *events, int maxevents,
            int64_t timeout_ns);

#endif
