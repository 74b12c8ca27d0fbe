/*
 * syslog for a guest without a syslog daemon (<syslog.h>): messages are
 * dropped, as glibc drops them when /dev/log cannot be reached, unless
 * openlog's LOG_PERROR asks for a copy on standard error.  The mask
 * filters first, as setlogmask documents.  Single-threaded guests.
 */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <unistd.h>

static const char *log_ident;
static int log_option, log_mask = 0xff;

void openlog(const char *ident, int option, int facility)
{
    (void)facility;
    log_ident = ident;
    log_option = option;
}

void closelog(void)
{
    log_ident = NULL;
    log_option = 0;
}

int setlogmask(int mask)
{
    int old = log_mask;
    if (mask)
        log_mask = mask;
    return old;
}

void vsyslog(int priority, const char *format, va_list ap)
{
    if (!(log_mask & LOG_MASK(LOG_PRI(priority))) || !(log_option & LOG_PERROR))
        return;
    if (log_ident)
        fprintf(stderr, (log_option & LOG_PID) ? "%s[%d]: " : "%s: ", log_ident, (int)getpid());
    vfprintf(stderr, format, ap);
    fputc('\n', stderr);
}

void syslog(int priority, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    vsyslog(priority, format, ap);
    va_end(ap);
}
