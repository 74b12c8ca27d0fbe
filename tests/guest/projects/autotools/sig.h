/* A signal handler that posts to an eventfd (part of libsig.a). */
#ifndef SIG_H
#define SIG_H
int sig_forward(int sig, int fd);
#endif
