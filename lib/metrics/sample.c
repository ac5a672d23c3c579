/*
 * sample.c - reading /proc/PID/{stat,status,io} into a metrics point.
 */
#include "metrics/metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const names[CDOC_M_COUNT] = {
        [CDOC_M_CPU_USER] = "cpu_user_pct",
        [CDOC_M_CPU_SYS] = "cpu_sys_pct",
        [CDOC_M_RSS] = "rss_bytes",
        [CDOC_M_THREADS] = "threads",
        [CDOC_M_CTX_VOL] = "ctx_voluntary",
        [CDOC_M_CTX_INVOL] = "ctx_involuntary",
        [CDOC_M_FLT_MINOR] = "faults_minor",
        [CDOC_M_FLT_MAJOR] = "faults_major",
        [CDOC_M_IO_RCHAR] = "io_rchar",
        [CDOC_M_IO_WCHAR] = "io_wchar",
        [CDOC_M_IO_READ] = "io_read_bytes",
        [CDOC_M_IO_WRITE] = "io_write_bytes",
};

const char *cdoc_metrics_name(enum cdoc_metric m)
{
	return (unsigned)m < CDOC_M_COUNT ? names[m] : "?";
}

void cdoc_metrics_sampler_init(struct cdoc_metrics_sampler *s, pid_t pid)
{
	memset(s, 0, sizeof(*s));
	s->pid = pid;
	s->ticks_per_s = sysconf(_SC_CLK_TCK);
	if (s->ticks_per_s <= 0)
		s->ticks_per_s = 100;
}

/* Read /proc/PID/@file into @buf (NUL-terminated); bytes read or -errno. */
static ssize_t read_proc(pid_t pid, const char *file, char *buf, size_t size)
{
	char path[64];
	ssize_t n, got = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((size_t)got < size - 1) {
		n = read(fd, buf + got, size - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	buf[got] = '\0';
	return got;
}

static void set(struct cdoc_metrics_point *p, enum cdoc_metric m, double v)
{
	p->v[m] = v;
	p->have[m] = 1;
}

/* Fields of /proc/PID/stat after the command name, counted from 3. */
static int parse_stat(struct cdoc_metrics_sampler *s, const char *buf,
                      struct cdoc_metrics_point *p, uint64_t *ut, uint64_t *st)
{
	const char *q = strrchr(buf, ')');
	unsigned long long f[25] = {0};
	int i;

	if (!q)
		return -1;
	q += 2; /* ") " then the state letter, field 3 */
	if (!*q)
		return -1;
	q++;
	for (i = 4; i <= 24; i++) {
		char *end;

		f[i] = strtoull(q, &end, 10);
		if (end == q)
			return -1;
		q = end;
	}
	set(p, CDOC_M_FLT_MINOR, f[10]);
	set(p, CDOC_M_FLT_MAJOR, f[12]);
	set(p, CDOC_M_THREADS, f[20]);
	set(p, CDOC_M_RSS, (double)f[24] * sysconf(_SC_PAGESIZE));
	*ut = f[14];
	*st = f[15];
	return 0;
}

static void cpu_rates(struct cdoc_metrics_sampler *s,
                      struct cdoc_metrics_point *p, uint64_t ut, uint64_t st)
{
	if (s->have_prev && p->time_ns > s->prev_ns) {
		double secs = (p->time_ns - s->prev_ns) / 1e9;
		double tick = 1.0 / s->ticks_per_s;

		set(p, CDOC_M_CPU_USER,
		    100.0 * (ut - s->prev_utime) * tick / secs);
		set(p, CDOC_M_CPU_SYS,
		    100.0 * (st - s->prev_stime) * tick / secs);
	}
	s->have_prev = 1;
	s->prev_ns = p->time_ns;
	s->prev_utime = ut;
	s->prev_stime = st;
}

/* "Key:   123" lines of status and io. */
static void key_value(struct cdoc_metrics_point *p, const char *buf,
                      const char *key, enum cdoc_metric m)
{
	size_t klen = strlen(key);
	const char *q = buf;

	while ((q = strstr(q, key))) {
		if ((q == buf || q[-1] == '\n') && q[klen] == ':') {
			set(p, m, strtod(q + klen + 1, NULL));
			return;
		}
		q += klen;
	}
}

static void parse_status(struct cdoc_metrics_point *p, const char *buf)
{
	key_value(p, buf, "voluntary_ctxt_switches", CDOC_M_CTX_VOL);
	key_value(p, buf, "nonvoluntary_ctxt_switches", CDOC_M_CTX_INVOL);
}

static void parse_io(struct cdoc_metrics_point *p, const char *buf)
{
	key_value(p, buf, "rchar", CDOC_M_IO_RCHAR);
	key_value(p, buf, "wchar", CDOC_M_IO_WCHAR);
	key_value(p, buf, "read_bytes", CDOC_M_IO_READ);
	key_value(p, buf, "write_bytes", CDOC_M_IO_WRITE);
}

int cdoc_metrics_sample(struct cdoc_metrics_sampler *s,
                        struct cdoc_metrics_point *out)
{
	char buf[4096];
	uint64_t ut, st;
	ssize_t n;

	memset(out, 0, sizeof(*out));
	out->time_ns = cdoc_now_ns();
	n = read_proc(s->pid, "stat", buf, sizeof(buf));
	if (n <= 0)
		return cdoc_error(-ESRCH, "process %d is gone", (int)s->pid);
	if (parse_stat(s, buf, out, &ut, &st) < 0)
		return cdoc_error(-CDOC_EFORMAT,
		                  "/proc/%d/stat: unexpected format",
		                  (int)s->pid);
	cpu_rates(s, out, ut, st);
	if (read_proc(s->pid, "status", buf, sizeof(buf)) > 0)
		parse_status(out, buf);
	if (read_proc(s->pid, "io", buf, sizeof(buf)) > 0)
		parse_io(out, buf);
	return 0;
}

size_t cdoc_metrics_values(const struct cdoc_metrics_point *p,
                           const char **out_names, double *values)
{
	size_t i, n = 0;

	for (i = 0; i < CDOC_M_COUNT; i++) {
		if (!p->have[i])
			continue;
		out_names[n] = names[i];
		values[n++] = p->v[i];
	}
	return n;
}

int cdoc_metrics_write(struct cdoc_rec_writer *w, uint64_t time_ns,
                       const struct cdoc_metrics_point *p)
{
	const char *n[CDOC_M_COUNT];
	double v[CDOC_M_COUNT];
	size_t nr = cdoc_metrics_values(p, n, v);

	return cdoc_rec_metrics(w, time_ns, n, v, nr);
}
