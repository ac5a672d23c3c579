/*
 * fds.c - open descriptors of a process by kind, from /proc/PID/fd.
 *
 * The count comes from the size of the fd directory (the kernel's count
 * of open descriptors since Linux 6.2) or from reading it; the kind of
 * each descriptor from its link. At most s->fd_link_cap links are read
 * per process and sample: above that the kinds of the links read are
 * scaled to the count, and s->fds_capped counts the processes and
 * samples where that happened, so a process with 100k descriptors costs
 * a bounded number of readlink calls.
 */
#include "metrics/internal.h"

#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int metrics__fds(struct cdoc_metrics_sampler *s, pid_t pid,
                 double out[METRICS_FD_KINDS])
{
	uint64_t kinds[METRICS_FD_KINDS] = {0}, n = 0, linked = 0, total;
	char path[64], link[256];
	struct dirent *d;
	struct stat st;
	int64_t known = -1;
	DIR *dir;
	int k;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if (stat(path, &st) == 0 && st.st_size > 0)
		known = st.st_size;
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		ssize_t len;

		if (d->d_name[0] == '.')
			continue;
		n++;
		if (linked >= s->fd_link_cap) {
			if (known >= 0)
				break; /* the count is known: stop reading */
			continue;
		}
		len = readlinkat(dirfd(dir), d->d_name, link, sizeof(link) - 1);
		if (len <= 0)
			continue; /* closed meanwhile */
		link[len] = '\0';
		kinds[metrics__fd_kind(link)]++;
		linked++;
	}
	closedir(dir);
	total = known >= 0 ? (uint64_t)known : n;
	if (linked >= s->fd_link_cap && linked < total) {
		s->fds_capped++;
		for (k = 0; k < METRICS_FD_KINDS; k++)
			out[k] += (double)kinds[k] * total / linked;
		return 0;
	}
	for (k = 0; k < METRICS_FD_KINDS; k++)
		out[k] += kinds[k];
	return 0;
}
