/* Harvest: turn queued registrations into events (see harvest.c). */
#ifndef VEPOLL_HARVEST_H
#define VEPOLL_HARVEST_H

#include "vepoll.h"

struct vepoll;

/* Under ep->mu.  Fills at most maxevents entries and returns the count. */
int vepoll__harvest(struct vepoll *ep, struct vepoll_event *events,
                    int maxevents);

#endif
