/*
 * internal.h - what the files of lib/metrics share and nobody else uses.
 */
#ifndef CDOC_METRICS_INTERNAL_H
#define CDOC_METRICS_INTERNAL_H

#include "metrics/metrics.h"

/* parse.c: read @path into @buf (NUL-terminated); bytes read or -errno. */
ssize_t metrics__read(const char *path, char *buf, size_t size);
/* parse.c: the same for @path relative to directory fd @dirfd. */
ssize_t metrics__read_at(int dirfd, const char *path, char *buf, size_t size);

/* parse.c: /proc/.../schedstat "ON_CPU_NS RUNQ_NS TIMESLICES" into @out;
 * 0, or -1 when it does not parse. */
int metrics__parse_schedstat(const char *buf, uint64_t out[3]);

/* parse.c: the number after "KEY:" at the start of a line of @buf
 * (status, io, cpu.stat with @sep ' '); 0 and *@out, or -1. */
int metrics__key_u64(const char *buf, const char *key, char sep, uint64_t *out);

/* The kinds of open file descriptors, in the order of the fds_ metrics. */
enum metrics__fd_kind {
	METRICS_FD_FILE,
	METRICS_FD_SOCKET,
	METRICS_FD_PIPE,
	METRICS_FD_OTHER,
	METRICS_FD_KINDS
};

/* parse.c: the kind of an fd from its /proc/PID/fd link target:
 * "socket:[N]", "pipe:[N]", a path (file), anything else (other). */
enum metrics__fd_kind metrics__fd_kind(const char *link);

/* fds.c: add the fds of @pid by kind to @out; 0, or -1 when the fd
 * directory cannot be read. */
int metrics__fds(struct cdoc_metrics_sampler *s, pid_t pid,
                 double out[METRICS_FD_KINDS]);

/* machine.c: machine_* metrics into @p. */
void metrics__machine(struct cdoc_metrics_sampler *s,
                      struct cdoc_metrics_point *p);

/* machine.c: cgroup_* metrics of the target's cgroup into @p (none
 * when no CPU quota applies); @secs is the interval. */
void metrics__cgroup(struct cdoc_metrics_sampler *s,
                     struct cdoc_metrics_point *p, double secs);

/* parse.c: set metric @m of @p. */
static inline void metrics__set(struct cdoc_metrics_point *p,
                                enum cdoc_metric m, double v)
{
	p->v[m] = v;
	p->have[m] = 1;
}

static inline void metrics__add(struct cdoc_metrics_point *p,
                                enum cdoc_metric m, double v)
{
	p->v[m] += v;
	p->have[m] = 1;
}

#endif
