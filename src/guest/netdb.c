/*
 * Name service and interfaces for a guest without a resolver, a services
 * database or network interfaces (<netdb.h>, <net/if.h>): getaddrinfo and
 * getnameinfo work numerically (plus the name "localhost", the one hosts
 * entry every Linux system has), everything that needs a database finds
 * nothing, with glibc's error codes and texts.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest.h"

int h_errno;

/* One result: the address and its sockaddr in one allocation. */
struct result {
    struct addrinfo ai;
    union {
        struct sockaddr_in in4;
        struct sockaddr_in6 in6;
    } sa;
};

static int parse_port(const char *service, int flags, unsigned *port)
{
    char *end;
    unsigned long v;
    if (!service) {
        *port = 0;
        return 0;
    }
    v = strtoul(service, &end, 10);
    if (*service && !*end && v <= 65535) {
        *port = (unsigned)v;
        return 0;
    }
    /* A service name needs the services database, which a guest lacks. */
    return (flags & AI_NUMERICSERV) ? EAI_NONAME : EAI_SERVICE;
}

/* node as an address of family fam (AF_INET / AF_INET6) into r: 1 if it is
 * one, 0 if not. */
static int parse_node(const char *node, int fam, int flags, struct result *r)
{
    memset(&r->sa, 0, sizeof(r->sa));
    if (fam == AF_INET) {
        r->sa.in4.sin_family = AF_INET;
        if (!node)
            r->sa.in4.sin_addr.s_addr = htonl((flags & AI_PASSIVE) ? INADDR_ANY : INADDR_LOOPBACK);
        else if (strcmp(node, "localhost") == 0)
            r->sa.in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        else if (inet_pton(AF_INET, node, &r->sa.in4.sin_addr) != 1)
            return 0;
        r->ai.ai_addrlen = sizeof(r->sa.in4);
    } else {
        r->sa.in6.sin6_family = AF_INET6;
        if (!node)
            r->sa.in6.sin6_addr = (flags & AI_PASSIVE) ? in6addr_any : in6addr_loopback;
        else if (strcmp(node, "localhost") == 0)
            r->sa.in6.sin6_addr = in6addr_loopback;
        else if (inet_pton(AF_INET6, node, &r->sa.in6.sin6_addr) != 1)
            return 0;
        r->ai.ai_addrlen = sizeof(r->sa.in6);
    }
    r->ai.ai_family = fam;
    r->ai.ai_addr = (struct sockaddr *)&r->sa;
    return 1;
}

int getaddrinfo(const char *__restrict node, const char *__restrict service,
                const struct addrinfo *__restrict hints, struct addrinfo **__restrict res)
{
    static const int fams[] = {AF_INET6, AF_INET}, types[] = {SOCK_STREAM, SOCK_DGRAM};
    int flags = hints ? hints->ai_flags : 0, family = hints ? hints->ai_family : AF_UNSPEC;
    int socktype = hints ? hints->ai_socktype : 0, rc;
    struct addrinfo *head = NULL, **tail = &head;
    unsigned port;

    if (flags & ~(AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_V4MAPPED | AI_ALL |
                  AI_ADDRCONFIG | AI_NUMERICSERV))
        return EAI_BADFLAGS;
    if (!node && !service)
        return EAI_NONAME;
    if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6)
        return EAI_FAMILY;
    if (socktype != 0 && socktype != SOCK_STREAM && socktype != SOCK_DGRAM)
        return EAI_SOCKTYPE;
    if ((rc = parse_port(service, flags, &port)) != 0)
        return rc;
    for (int f = 0; f < 2; f++) {
        if (family != AF_UNSPEC && family != fams[f])
            continue;
        for (int t = 0; t < 2; t++) {
            struct result *r;
            if (socktype && socktype != types[t])
                continue;
            if (!(r = calloc(1, sizeof(*r)))) {
                freeaddrinfo(head);
                return EAI_MEMORY;
            }
            if (!parse_node(node, fams[f], flags, r)) {
                free(r);
                break;
            }
            if (fams[f] == AF_INET)
                r->sa.in4.sin_port = htons((uint16_t)port);
            else
                r->sa.in6.sin6_port = htons((uint16_t)port);
            r->ai.ai_socktype = types[t];
            r->ai.ai_protocol = types[t] == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
            *tail = &r->ai;
            tail = &r->ai.ai_next;
        }
    }
    if (!head)
        return EAI_NONAME; /* not numeric for the family asked: no resolver */
    *res = head;
    return 0;
}

void freeaddrinfo(struct addrinfo *ai)
{
    while (ai) {
        struct addrinfo *next = ai->ai_next;
        free(ai); /* the struct result it heads */
        ai = next;
    }
}

const char *gai_strerror(int code)
{
    switch (code) {
    case 0: return "Success";
    case EAI_BADFLAGS: return "Bad value for ai_flags";
    case EAI_NONAME: return "Name or service not known";
    case EAI_AGAIN: return "Temporary failure in name resolution";
    case EAI_FAIL: return "Non-recoverable failure in name resolution";
    case EAI_NODATA: return "No address associated with hostname";
    case EAI_FAMILY: return "ai_family not supported";
    case EAI_SOCKTYPE: return "ai_socktype not supported";
    case EAI_SERVICE: return "Servname not supported for ai_socktype";
    case EAI_MEMORY: return "Memory allocation failure";
    case EAI_SYSTEM: return "System error";
    case EAI_OVERFLOW: return "Result too large for supplied buffer";
    default: return "Unknown error";
    }
}

int getnameinfo(const struct sockaddr *__restrict addr, socklen_t addrlen, char *__restrict host,
                socklen_t hostlen, char *__restrict serv, socklen_t servlen, int flags)
{
    const void *a;
    unsigned port;
    if (!addr)
        return EAI_FAMILY;
    if (addr->sa_family == AF_INET && addrlen >= sizeof(struct sockaddr_in)) {
        a = &((const struct sockaddr_in *)addr)->sin_addr;
        port = ntohs(((const struct sockaddr_in *)addr)->sin_port);
    } else if (addr->sa_family == AF_INET6 && addrlen >= sizeof(struct sockaddr_in6)) {
        a = &((const struct sockaddr_in6 *)addr)->sin6_addr;
        port = ntohs(((const struct sockaddr_in6 *)addr)->sin6_port);
    } else {
        return EAI_FAMILY;
    }
    if (host && hostlen) {
        if (flags & NI_NAMEREQD)
            return EAI_NONAME; /* no resolver to find a name */
        if (!inet_ntop(addr->sa_family, a, host, hostlen))
            return EAI_OVERFLOW;
    }
    if (serv && servlen && snprintf(serv, servlen, "%u", port) >= (int)servlen)
        return EAI_OVERFLOW;
    return 0;
}

struct hostent *gethostbyname(const char *name)
{
    (void)name;
    h_errno = HOST_NOT_FOUND;
    return NULL;
}

struct hostent *gethostbyaddr(const void *addr, socklen_t len, int type)
{
    (void)addr;
    (void)len;
    (void)type;
    h_errno = HOST_NOT_FOUND;
    return NULL;
}

struct servent *getservbyname(const char *name, const char *proto)
{
    (void)name;
    (void)proto;
    return NULL;
}

struct servent *getservbyport(int port, const char *proto)
{
    (void)port;
    (void)proto;
    return NULL;
}

struct protoent *getprotobyname(const char *name)
{
    (void)name;
    return NULL;
}

struct protoent *getprotobynumber(int proto)
{
    (void)proto;
    return NULL;
}

const char *hstrerror(int code)
{
    switch (code) {
    case HOST_NOT_FOUND: return "Unknown host";
    case TRY_AGAIN: return "Host name lookup failure";
    case NO_RECOVERY: return "Unknown server error";
    case NO_DATA: return "No address associated with name";
    default: return "Unknown resolver error";
    }
}

unsigned int if_nametoindex(const char *name)
{
    (void)name;
    errno = ENODEV;
    return 0;
}

char *if_indextoname(unsigned int index, char *name)
{
    (void)index;
    (void)name;
    errno = ENXIO;
    return NULL;
}

struct if_nameindex *if_nameindex(void)
{
    return calloc(1, sizeof(struct if_nameindex)); /* the terminating entry only */
}

void if_freenameindex(struct if_nameindex *list)
{
    free(list);
}
