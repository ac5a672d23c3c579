/*
 * metrics.h - procfs sampling of a target's process tree over time.
 *
 * A sampler follows the target and every process descended from it (the
 * workers of a forking server): at each sample it walks the tree from
 * the target through /proc/PID/task/TID/children (and keeps the
 * processes seen before that are still alive, so a worker whose parent
 * died stays in), reads /proc/PID/{stat,io,fd} per process and
 * /proc/PID/task/TID/{status,schedstat} per thread, and keeps the
 * previous reading for rates. Each point turns into named doubles for a
 * METRICS chunk of the recording (cdoc_metrics_write()), the threads into
 * a THREADS chunk (cdoc_metrics_write_threads()), and
 * cdoc_metrics_series() reads one name back out of a loaded recording.
 *
 * Metric names (stable; reports and the doctor rely on them). Sums over
 * the process tree unless said otherwise:
 *   cpu_user_pct, cpu_sys_pct   CPU time since the previous sample, in %
 *                               of one CPU (above 100 with many threads);
 *                               from per-process differences: a process
 *                               counts from its second sample on, so
 *                               processes coming and going make no
 *                               spikes; absent from the first sample
 *   rss_bytes                   resident set size
 *   threads                     number of threads
 *   procs                       number of processes in the tree
 *   ctx_voluntary, ctx_involuntary   context switches of the live
 *                               threads, running totals
 *   faults_minor, faults_major  page faults, running totals
 *   io_rchar, io_wchar          bytes passed to read/write syscalls, totals
 *   io_read_bytes, io_write_bytes   bytes that reached storage, totals
 *   runq_wait_pct               time threads waited in a run queue over
 *                               the interval, % of one CPU (schedstat)
 *   offcpu_blocked_pct          time threads neither ran nor waited to
 *                               run (sleeping, blocked), % of one CPU
 *   fds, fds_file, fds_socket, fds_pipe, fds_other   open descriptors by
 *                               kind (estimates above the link cap)
 *   machine_cpus, machine_load1 online CPUs, 1-minute load average
 *   machine_busy_pct            whole machine, % of all CPUs (/proc/stat)
 *   cgroup_quota_cpus           the CPU quota of the target's cgroup in
 *                               CPUs (the tightest from its cgroup up)
 *   cgroup_throttled_pct        % of the interval the cgroup's threads
 *                               were throttled (summed over CPUs, at most
 *                               100)
 *   cgroup_nr_throttled         periods throttled, running total
 * The io_* values are absent when /proc/PID/io is not readable (another
 * user's process without ptrace rights), fds_* likewise, cgroup_* when no
 * CPU quota applies.
 */
#ifndef CDOC_METRICS_H
#define CDOC_METRICS_H

#include <sys/types.h>

#include "base/base.h"
#include "record/record.h"

/* Indices into struct cdoc_metrics_point's ->v and ->have. */
enum cdoc_metric {
	CDOC_M_CPU_USER,
	CDOC_M_CPU_SYS,
	CDOC_M_RSS,
	CDOC_M_THREADS,
	CDOC_M_CTX_VOL,
	CDOC_M_CTX_INVOL,
	CDOC_M_FLT_MINOR,
	CDOC_M_FLT_MAJOR,
	CDOC_M_IO_RCHAR,
	CDOC_M_IO_WCHAR,
	CDOC_M_IO_READ,
	CDOC_M_IO_WRITE,
	CDOC_M_PROCS,
	CDOC_M_RUNQ,
	CDOC_M_BLOCKED,
	CDOC_M_FDS,
	CDOC_M_FDS_FILE,
	CDOC_M_FDS_SOCKET,
	CDOC_M_FDS_PIPE,
	CDOC_M_FDS_OTHER,
	CDOC_M_FDS_LIMIT_PCT,
	CDOC_M_MACHINE_CPUS,
	CDOC_M_MACHINE_LOAD1,
	CDOC_M_MACHINE_BUSY,
	CDOC_M_CG_QUOTA,
	CDOC_M_CG_THROTTLED,
	CDOC_M_CG_NR_THROTTLED,
	CDOC_M_COUNT
};

/* struct cdoc_metrics_point - one reading of a process. */
struct cdoc_metrics_point {
	uint64_t time_ns;        /* monotonic time of the reading */
	double v[CDOC_M_COUNT];  /* values, by enum cdoc_metric */
	char have[CDOC_M_COUNT]; /* whether v[i] was measured */
};

/* struct cdoc_metrics_proc - a process of the tree at one sample. */
struct cdoc_metrics_proc {
	pid_t pid;
	uint64_t start;        /* start time, clock ticks after boot */
	uint64_t utime, stime; /* CPU time, clock ticks */
};

/* Bounds of one sample: processes, threads, fd links read per process. */
#define CDOC_METRICS_MAX_PROCS   4096
#define CDOC_METRICS_MAX_THREADS 16384
#define CDOC_METRICS_FD_LINK_CAP 1024
#define CDOC_METRICS_NAME_MAX    64

/*
 * struct cdoc_metrics_sampler - the previous reading of a process tree,
 * for rates, and the threads of the latest one. Owns memory:
 * cdoc_metrics_sampler_release().
 */
struct cdoc_metrics_sampler {
	pid_t pid;            /* the root of the tree */
	int have_prev;        /* a previous reading exists */
	uint64_t prev_ns;     /* its time */
	long ticks_per_s;     /* sysconf(_SC_CLK_TCK) */
	long page_size;       /* sysconf(_SC_PAGESIZE) */
	unsigned fd_link_cap; /* fd links read per process and sample */
	uint64_t nr_samples;  /* samples taken */
	uint64_t fds_capped;  /* processes x samples over fd_link_cap */
	/* processes of the latest and the previous sample */
	struct cdoc_metrics_proc *procs, *prev_procs;
	size_t nr_procs, alloc_procs, nr_prev_procs, alloc_prev_procs;
	/* threads of the latest sample (names in ->names) and the previous */
	struct cdoc_rec_threadstat *threads, *prev_threads;
	char (*names)[CDOC_METRICS_NAME_MAX];
	size_t nr_threads, alloc_threads, alloc_names;
	size_t nr_prev_threads, alloc_prev_threads;
	/* the whole machine's CPU (/proc/stat) at the previous sample */
	uint64_t prev_cpu_total, prev_cpu_busy;
	/* the target's cgroup with a CPU quota, when there is one */
	unsigned cg_checked; /* samples since the cgroup was looked for */
	int cg_v1, have_prev_cg;
	char *cg_dir;
	uint64_t prev_cg_thr_ns;
};

void cdoc_metrics_sampler_init(struct cdoc_metrics_sampler *s, pid_t pid);
void cdoc_metrics_sampler_release(struct cdoc_metrics_sampler *s);

/*
 * Read the process tree of s->pid now into @out (and its threads into
 * s->threads). Returns 0, or -ESRCH (with a message) when the root
 * process is gone (or a zombie; zombies in the tree are not counted), or -CDOC_EFORMAT when its /proc/PID/stat does not
 * parse. CPU percentages are set from the second call on.
 */
int cdoc_metrics_sample(struct cdoc_metrics_sampler *s,
                        struct cdoc_metrics_point *out);

/*
 * Write the threads of the latest sample of @s as a THREADS chunk at
 * @time_ns since the run started (nothing when there are none).
 */
int cdoc_metrics_write_threads(struct cdoc_rec_writer *w, uint64_t time_ns,
                               const struct cdoc_metrics_sampler *s);

/* The name of metric @m ("rss_bytes", ...). */
const char *cdoc_metrics_name(enum cdoc_metric m);

/*
 * Fill @names and @values (room for CDOC_M_COUNT each) with the measured
 * values of @p; returns how many. Names are static strings.
 */
size_t cdoc_metrics_values(const struct cdoc_metrics_point *p,
                           const char **names, double *values);

/* Write @p as a METRICS chunk at @time_ns since the run started. */
int cdoc_metrics_write(struct cdoc_rec_writer *w, uint64_t time_ns,
                       const struct cdoc_metrics_point *p);

/*
 * struct cdoc_metrics_series - the values of one metric over a recording,
 * in file order. Owns its arrays; cdoc_metrics_series_release().
 */
struct cdoc_metrics_series {
	size_t n;  /* points */
	double *t; /* seconds since the run started */
	double *v; /* values */
};

/* Collect metric @name from the METRICS chunks of @r (n = 0 when none). */
void cdoc_metrics_series(const struct cdoc_recording *r, const char *name,
                         struct cdoc_metrics_series *out);
void cdoc_metrics_series_release(struct cdoc_metrics_series *s);

/*
 * Summary of a series: least-squares slope (units per second), first,
 * last, minimum, maximum, mean, and the share of steps that rose (0..1).
 * All zero for an empty series.
 */
struct cdoc_metrics_trend {
	double slope, first, last, min, max, mean, rising;
};
void cdoc_metrics_trend(const struct cdoc_metrics_series *s,
                        struct cdoc_metrics_trend *out);

#endif
