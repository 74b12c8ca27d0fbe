/* An epoll loop over an eventfd (part of libloop.la). */
#ifndef LOOP_H
#define LOOP_H
#include <stdint.h>
int loop_open(void);
int loop_notify_fd(void);
/* Waits for the eventfd; returns its counter, or -1. */
int64_t loop_wait(int timeout_ms);
void loop_close(void);
#endif
