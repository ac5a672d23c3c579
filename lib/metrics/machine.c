/*
 * machine.c - the machine around the target (CPU count, load, busy share
 * from /proc/stat) and the CPU quota of the target's cgroup (v2 cpu.max,
 * v1 cpu.cfs_quota_us) with its throttling (cpu.stat).
 */
#include "metrics/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void metrics__machine(struct cdoc_metrics_sampler *s,
                      struct cdoc_metrics_point *p)
{
	unsigned long long f[8] = {0};
	uint64_t total = 0, idle;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	char buf[512];
	int i;

	if (cpus > 0)
		metrics__set(p, CDOC_M_MACHINE_CPUS, cpus);
	if (metrics__read("/proc/loadavg", buf, sizeof(buf)) > 0)
		metrics__set(p, CDOC_M_MACHINE_LOAD1, strtod(buf, NULL));
	if (metrics__read("/proc/stat", buf, sizeof(buf)) <= 0 ||
	    sscanf(buf, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &f[0],
	           &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7]) < 4)
		return;
	for (i = 0; i < 8; i++)
		total += f[i];
	idle = f[3] + f[4]; /* idle and iowait */
	if (s->prev_cpu_total && total > s->prev_cpu_total)
		metrics__set(
		        p, CDOC_M_MACHINE_BUSY,
		        100.0 * (double)((total - idle) - s->prev_cpu_busy) /
		                (double)(total - s->prev_cpu_total));
	s->prev_cpu_total = total;
	s->prev_cpu_busy = total - idle;
}

/* The CPU quota at cgroup directory @dir in CPUs, or 0 when none. */
static double quota_at(const char *dir, int v1)
{
	char path[4200], buf[128];
	long long q, per;

	if (!v1) {
		snprintf(path, sizeof(path), "%s/cpu.max", dir);
		if (metrics__read(path, buf, sizeof(buf)) <= 0 ||
		    sscanf(buf, "%lld %lld", &q, &per) != 2)
			return 0;
	} else {
		snprintf(path, sizeof(path), "%s/cpu.cfs_quota_us", dir);
		if (metrics__read(path, buf, sizeof(buf)) <= 0 ||
		    sscanf(buf, "%lld", &q) != 1)
			return 0;
		snprintf(path, sizeof(path), "%s/cpu.cfs_period_us", dir);
		if (metrics__read(path, buf, sizeof(buf)) <= 0 ||
		    sscanf(buf, "%lld", &per) != 1)
			return 0;
	}
	return q > 0 && per > 0 ? (double)q / per : 0;
}

/*
 * The tightest quota from @dir up to @root (a quota on a parent limits
 * the children); its directory into s->cg_dir.
 */
static void find_quota(struct cdoc_metrics_sampler *s, const char *root,
                       const char *rel, int v1)
{
	char dir[4096];
	double best = 0;
	size_t rootlen = strlen(root);

	snprintf(dir, sizeof(dir), "%s%s", root, strcmp(rel, "/") ? rel : "");
	for (;;) {
		double q = quota_at(dir, v1);
		char *slash;

		if (q > 0 && (!best || q < best)) {
			best = q;
			free(s->cg_dir);
			s->cg_dir = cdoc_strdup(dir);
			s->cg_v1 = v1;
		}
		slash = strrchr(dir, '/');
		if (!slash || (size_t)(slash - dir) < rootlen)
			break;
		*slash = '\0';
	}
}

/* Does the comma-separated list @ctl name controller "cpu"? */
static int has_cpu(const char *ctl, size_t len)
{
	const char *p = ctl, *end = ctl + len;

	while (p < end) {
		const char *c = memchr(p, ',', end - p);
		size_t n = c ? (size_t)(c - p) : (size_t)(end - p);

		if (n == 3 && !memcmp(p, "cpu", 3))
			return 1;
		p += n + 1;
	}
	return 0;
}

/* Find the target's cgroup with a CPU quota. */
static void find_cgroup(struct cdoc_metrics_sampler *s)
{
	char path[64], buf[4096], root[512];
	char *line, *save = NULL;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)s->pid);
	if (metrics__read(path, buf, sizeof(buf)) <= 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':'),
		     *c2 = c1 ? strchr(c1 + 1, ':') : 0;

		if (!c2 || c2[1] != '/')
			continue;
		if (c2 == c1 + 1 && !strncmp(line, "0:", 2)) {
			find_quota(s, "/sys/fs/cgroup", c2 + 1, 0);
			if (!s->cg_dir)
				find_quota(s, "/sys/fs/cgroup/unified", c2 + 1,
				           0);
		} else if (has_cpu(c1 + 1, c2 - c1 - 1)) {
			snprintf(root, sizeof(root), "/sys/fs/cgroup/%.*s",
			         (int)(c2 - c1 - 1), c1 + 1);
			find_quota(s, root, c2 + 1, 1);
			if (!s->cg_dir)
				find_quota(s, "/sys/fs/cgroup/cpu", c2 + 1, 1);
		}
		if (s->cg_dir)
			return;
	}
}

void metrics__cgroup(struct cdoc_metrics_sampler *s,
                     struct cdoc_metrics_point *p, double secs)
{
	char path[4200], buf[1024];
	uint64_t thr = 0, thr_ns = 0;
	double q;

	/* Until one is found, looked for again every fifth sample: the target
	 * may move itself into a cgroup after it started. */
	if (!s->cg_dir && s->cg_checked++ % 5 == 0)
		find_cgroup(s);
	if (!s->cg_dir || !(q = quota_at(s->cg_dir, s->cg_v1)))
		return;
	metrics__set(p, CDOC_M_CG_QUOTA, q);
	snprintf(path, sizeof(path), "%s/cpu.stat", s->cg_dir);
	if (metrics__read(path, buf, sizeof(buf)) <= 0 ||
	    metrics__key_u64(buf, "nr_throttled", ' ', &thr) < 0)
		return;
	if (s->cg_v1)
		metrics__key_u64(buf, "throttled_time", ' ', &thr_ns);
	else if (!metrics__key_u64(buf, "throttled_usec", ' ', &thr_ns))
		thr_ns *= 1000;
	metrics__set(p, CDOC_M_CG_NR_THROTTLED, thr);
	if (s->have_prev_cg && secs > 0 && thr_ns >= s->prev_cg_thr_ns) {
		/* summed over the CPUs the cgroup's threads wait on */
		double pct = 100.0 * (thr_ns - s->prev_cg_thr_ns) / 1e9 / secs;

		metrics__set(p, CDOC_M_CG_THROTTLED, CDOC_MIN(pct, 100.0));
	}
	s->have_prev_cg = 1;
	s->prev_cg_thr_ns = thr_ns;
}
