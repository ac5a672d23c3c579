/*
 * internal.h - what the two halves of lib/heapctl share: socket paths and
 * addresses (control.c) for the run's server (server.c).
 */
#ifndef CDOC_HEAPCTL_INTERNAL_H
#define CDOC_HEAPCTL_INTERNAL_H

#include <sys/un.h>

#include "heapctl/heapctl.h"

/* Fill @sa with @path; -ENAMETOOLONG with a message when it cannot. */
int heapctl__make_addr(struct sockaddr_un *sa, const char *path);

/* "<dir>/<pid>.sock" (caller frees). */
char *heapctl__sock_path(const char *dir, pid_t pid);

#endif
