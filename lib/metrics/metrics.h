/*
 * metrics.h - procfs sampling of a target process over time.
 *
 * A sampler reads /proc/PID/stat, /proc/PID/status and /proc/PID/io and
 * keeps the previous reading, so CPU use comes out as a percentage of one
 * CPU over the interval since the last sample. Each point turns into named
 * doubles for a METRICS chunk of the recording (cdoc_metrics_write()), and
 * cdoc_metrics_series() reads one name back out of a loaded recording.
 *
 * Metric names (stable; reports and the doctor rely on them):
 *   cpu_user_pct, cpu_sys_pct   CPU time since the previous sample, in %
 *                               of one CPU (above 100 with many threads);
 *                               absent from the first sample
 *   rss_bytes                   resident set size
 *   threads                     number of threads
 *   ctx_voluntary, ctx_involuntary   context switches, running totals
 *   faults_minor, faults_major  page faults, running totals
 *   io_rchar, io_wchar          bytes passed to read/write syscalls, totals
 *   io_read_bytes, io_write_bytes   bytes that reached storage, totals
 * The io_* values are absent when /proc/PID/io is not readable (another
 * user's process without ptrace rights).
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
	CDOC_M_COUNT
};

/* struct cdoc_metrics_point - one reading of a process. */
struct cdoc_metrics_point {
	uint64_t time_ns;        /* monotonic time of the reading */
	double v[CDOC_M_COUNT];  /* values, by enum cdoc_metric */
	char have[CDOC_M_COUNT]; /* whether v[i] was measured */
};

/*
 * struct cdoc_metrics_sampler - the previous reading of one process, for
 * rates. Holds no resources; no release needed.
 */
struct cdoc_metrics_sampler {
	pid_t pid;           /* the process sampled */
	int have_prev;       /* a previous reading exists */
	uint64_t prev_ns;    /* its time */
	uint64_t prev_utime; /* its user CPU time, clock ticks */
	uint64_t prev_stime; /* its system CPU time, clock ticks */
	long ticks_per_s;    /* sysconf(_SC_CLK_TCK) */
};

void cdoc_metrics_sampler_init(struct cdoc_metrics_sampler *s, pid_t pid);

/*
 * Read the process now into @out. Returns 0, or -ESRCH (with a message)
 * when the process is gone, or -CDOC_EFORMAT when /proc/PID/stat does not
 * parse. CPU percentages are set from the second call on.
 */
int cdoc_metrics_sample(struct cdoc_metrics_sampler *s,
                        struct cdoc_metrics_point *out);

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
