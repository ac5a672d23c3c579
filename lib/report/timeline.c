/*
 * timeline.c - the time series of the HTML doctor report: every metric
 * the recording sampled (METRICS chunks), grouped into charts on one time
 * axis, downsampled to a bounded number of points with min/max envelopes
 * so an hour-long recording stays a small page. Cumulative counters
 * (context switches, faults, I/O) are drawn as rates per second. Metrics
 * this file does not know (newer recorders) get a chart of their own.
 */
#include "report/page.h"

#include "metrics/metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Points per series at most; more are merged into min/mean/max buckets. */
#define REPORT_MAX_POINTS 1200

struct metric_def {
	const char *metric; /* name in METRICS chunks */
	const char *chart;  /* chart id (shared by the series of one chart) */
	const char *title;  /* chart title */
	const char *label;  /* series label */
	const char *unit;   /* "%", "bytes", "/s", "bytes/s", "" */
	int rate;           /* cumulative counter: draw the rate per second */
};

static const struct metric_def defs[] = {
        {"cpu_user_pct", "cpu", "CPU", "user", "%", 0},
        {"cpu_sys_pct", "cpu", "CPU", "system", "%", 0},
        {"rss_bytes", "memory", "Memory", "RSS", "bytes", 0},
        {"heap_bytes", "memory", "Memory", "heap", "bytes", 0},
        {"js_heap_bytes", "memory", "Memory", "JS heap", "bytes", 0},
        {"threads", "threads", "Threads", "threads", "", 0},
        {"ctx_voluntary", "ctx", "Context switches", "voluntary", "/s", 1},
        {"ctx_involuntary", "ctx", "Context switches", "involuntary", "/s", 1},
        {"faults_minor", "faults", "Page faults", "minor", "/s", 1},
        {"faults_major", "faults", "Page faults", "major", "/s", 1},
        {"io_rchar", "io", "I/O", "read (all)", "bytes/s", 1},
        {"io_wchar", "io", "I/O", "written (all)", "bytes/s", 1},
        {"io_read_bytes", "io", "I/O", "read from storage", "bytes/s", 1},
        {"io_write_bytes", "io", "I/O", "written to storage", "bytes/s", 1},
        {"node_loop_delay_p99_ms", "loop", "Event-loop delay", "p99", "ms", 0},
        {"node_loop_delay_max_ms", "loop", "Event-loop delay", "max", "ms", 0},
        {"node_heap_used_bytes", "memory", "Memory", "JS heap used", "bytes",
         0},
        {"runq_wait_pct", "sched", "Scheduler", "run-queue wait", "%", 0},
        {"cgroup_throttled_pct", "sched", "Scheduler", "throttled", "%", 0},
        {"machine_busy_pct", "sched", "Scheduler", "machine busy", "%", 0},
        {"fds_file", "fds", "File descriptors", "files", "", 0},
        {"fds_socket", "fds", "File descriptors", "sockets", "", 0},
        {"fds_pipe", "fds", "File descriptors", "pipes", "", 0},
        {"fds_other", "fds", "File descriptors", "other", "", 0},
        {"alloc_count_total", "alloc", "Allocations", "allocations", "/s", 1},
        {"free_count_total", "alloc", "Allocations", "frees", "/s", 1},
        {"procs", "threads", "Threads", "processes", "", 0},
};

static const struct metric_def *find_def(const char *metric)
{
	size_t i;

	for (i = 0; i < CDOC_ARRAY_SIZE(defs); i++)
		if (!strcmp(defs[i].metric, metric))
			return &defs[i];
	return NULL;
}

/* Metric names in the recording, in order of first appearance. */
static size_t metric_names(const struct cdoc_recording *r, const char ***out)
{
	const char **names = NULL;
	size_t n = 0, alloc = 0, i, j, k;

	for (i = 0; i < r->nr_metrics; i++) {
		const struct cdoc_rec_metric_sample *m = &r->metrics[i];

		for (j = 0; j < m->n; j++) {
			for (k = 0; k < n; k++)
				if (!strcmp(names[k], m->names[j]))
					break;
			if (k < n)
				continue;
			if (n == alloc) {
				alloc = alloc ? 2 * alloc : 16;
				names = cdoc_realloc(names,
				                     alloc * sizeof(*names));
			}
			names[n++] = m->names[j];
		}
	}
	*out = names;
	return n;
}

/* Turn a cumulative series into rates per second (first point: 0). */
static void to_rate(struct cdoc_metrics_series *s)
{
	double prev_v = s->n ? s->v[0] : 0, prev_t = s->n ? s->t[0] : 0;
	size_t i;

	for (i = 0; i < s->n; i++) {
		double v = s->v[i], dt = s->t[i] - prev_t;

		s->v[i] = dt > 0 && v >= prev_v ? (v - prev_v) / dt : 0;
		prev_v = v;
		prev_t = s->t[i];
	}
	if (s->n > 1)
		s->v[0] = s->v[1];
}

static void num_array(struct cdoc_buf *b, const double *v, size_t n)
{
	size_t i;

	cdoc_buf_addch(b, '[');
	for (i = 0; i < n; i++) {
		if (i)
			cdoc_buf_addch(b, ',');
		report__json_num(b, v[i]);
	}
	cdoc_buf_addch(b, ']');
}

/* Round to 4 significant digits: charts need no more, pages get smaller. */
static double round4(double v)
{
	double m;

	if (v == 0 || !isfinite(v))
		return v;
	m = pow(10, 3 - floor(log10(fabs(v))));
	return round(v * m) / m;
}

/*
 * Append "t":[..],"v":[..] and, when downsampled, "lo":[..],"hi":[..]:
 * at most REPORT_MAX_POINTS buckets of equal time over [0, @span].
 */
static void series_points(struct cdoc_buf *b,
                          const struct cdoc_metrics_series *s, double span)
{
	size_t nb = REPORT_MAX_POINTS, i, k = 0;
	double *t, *v, *lo, *hi;

	if (s->n <= REPORT_MAX_POINTS || span <= 0) {
		t = cdoc_calloc(s->n + 1, sizeof(*t));
		v = cdoc_calloc(s->n + 1, sizeof(*v));
		for (i = 0; i < s->n; i++) {
			t[i] = round(s->t[i] * 1000) / 1000;
			v[i] = round4(s->v[i]);
		}
		cdoc_buf_addstr(b, "\"t\":");
		num_array(b, t, s->n);
		cdoc_buf_addstr(b, ",\"v\":");
		num_array(b, v, s->n);
		free(t);
		free(v);
		return;
	}
	t = cdoc_calloc(nb, sizeof(*t));
	v = cdoc_calloc(nb, sizeof(*v));
	lo = cdoc_calloc(nb, sizeof(*lo));
	hi = cdoc_calloc(nb, sizeof(*hi));
	for (i = 0; i < s->n;) {
		size_t bk = (size_t)(s->t[i] / span * nb), cnt = 0;
		double sum = 0, mn = INFINITY, mx = -INFINITY, ts = 0;

		if (bk >= nb)
			bk = nb - 1;
		for (; i < s->n; i++) {
			size_t bi = (size_t)(s->t[i] / span * nb);

			if ((bi >= nb ? nb - 1 : bi) != bk)
				break;
			sum += s->v[i];
			ts += s->t[i];
			mn = fmin(mn, s->v[i]);
			mx = fmax(mx, s->v[i]);
			cnt++;
		}
		if (!cnt) { /* times out of order: take the point alone */
			mn = mx = sum = s->v[i];
			ts = s->t[i];
			cnt = 1;
			i++;
		}
		t[k] = round(ts / cnt * 1000) / 1000;
		v[k] = round4(sum / cnt);
		lo[k] = round4(mn);
		hi[k] = round4(mx);
		if (++k == nb)
			break;
	}
	cdoc_buf_addstr(b, "\"t\":");
	num_array(b, t, k);
	cdoc_buf_addstr(b, ",\"v\":");
	num_array(b, v, k);
	cdoc_buf_addstr(b, ",\"lo\":");
	num_array(b, lo, k);
	cdoc_buf_addstr(b, ",\"hi\":");
	num_array(b, hi, k);
	free(t);
	free(v);
	free(lo);
	free(hi);
}

static void series_json(struct cdoc_buf *b, const struct cdoc_recording *r,
                        const char *metric, const struct metric_def *d,
                        double span)
{
	struct cdoc_metrics_series s;
	size_t i;
	int zero = 1;

	cdoc_metrics_series(r, metric, &s);
	if (d && d->rate)
		to_rate(&s);
	for (i = 0; i < s.n; i++)
		if (s.v[i] != 0)
			zero = 0;
	cdoc_buf_addstr(b, "{\"metric\":");
	report__json_str(b, metric);
	cdoc_buf_addstr(b, ",\"label\":");
	report__json_str(b, d ? d->label : metric);
	cdoc_buf_addf(b, ",\"zero\":%s,\"n\":%zu,", zero ? "true" : "false",
	              s.n);
	series_points(b, &s, span);
	cdoc_buf_addch(b, '}');
	cdoc_metrics_series_release(&s);
}

/* One chart: every present metric whose definition names chart @id. */
static void chart_json(struct cdoc_buf *b, const struct cdoc_recording *r,
                       const char *const *names, size_t n,
                       const struct metric_def *first, double span)
{
	size_t i, k = 0;

	cdoc_buf_addstr(b, "{\"id\":");
	report__json_str(b, first->chart);
	cdoc_buf_addstr(b, ",\"title\":");
	report__json_str(b, first->title);
	cdoc_buf_addstr(b, ",\"unit\":");
	report__json_str(b, first->unit);
	cdoc_buf_addstr(b, ",\"series\":[");
	for (i = 0; i < n; i++) {
		const struct metric_def *d = find_def(names[i]);

		if (!d || strcmp(d->chart, first->chart))
			continue;
		if (k++)
			cdoc_buf_addch(b, ',');
		series_json(b, r, names[i], d, span);
	}
	cdoc_buf_addstr(b, "]}");
}

static int present(const char *const *names, size_t n, const char *metric)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], metric))
			return 1;
	return 0;
}

/* Threads drawn one by one at most; with more, no per-thread chart. */
#define REPORT_MAX_THREADS 8

/* The distinct tids of cpu samples (profile @prof) into @tids; how many,
 * or REPORT_MAX_THREADS + 1 when there are more. */
static size_t sample_threads(const struct cdoc_recording *r, size_t prof,
                             uint32_t *tids)
{
	size_t n = 0, i, k;

	for (i = 0; i < r->nr_tsamples; i++) {
		if (r->tsamples[i].profile != prof)
			continue;
		for (k = 0; k < n && tids[k] != r->tsamples[i].tid; k++)
			;
		if (k < n)
			continue;
		if (n == REPORT_MAX_THREADS)
			return n + 1;
		tids[n++] = r->tsamples[i].tid;
	}
	return n;
}

/*
 * "CPU per thread" from the cpu samples' times and threads, when there are
 * few threads and the samples are time (cpu-clock, task-clock at a known
 * frequency): each thread's samples per bucket as % of one CPU.
 */
static int thread_chart(const struct cdoc_recording *r, double span,
                        struct cdoc_buf *b)
{
	const char *hz_s = cdoc_recording_meta(r, "frequency");
	const char *ev = cdoc_recording_meta(r, "event");
	int prof = cdoc_recording_profile_index(r, "cpu");
	uint32_t tids[REPORT_MAX_THREADS];
	double hz = hz_s ? strtod(hz_s, NULL) : 0, width;
	size_t nt, nb, i, k;

	if (prof < 0 || hz <= 0 || span <= 0 || (ev && !strstr(ev, "clock")))
		return 0;
	nt = sample_threads(r, (size_t)prof, tids);
	if (!nt || nt > REPORT_MAX_THREADS)
		return 0;
	width = fmax(span / REPORT_MAX_POINTS, 0.2);
	nb = (size_t)ceil(span / width);
	cdoc_buf_addstr(b, "{\"id\":\"thread_cpu\",\"title\":\"CPU per "
	                   "thread\",\"unit\":\"%\",\"series\":[");
	for (k = 0; k < nt; k++) {
		struct cdoc_metrics_series s = {
		        nb, cdoc_calloc(nb, sizeof(double)),
		        cdoc_calloc(nb, sizeof(double))};
		char label[32];

		for (i = 0; i < nb; i++)
			s.t[i] = (i + 0.5) * width;
		for (i = 0; i < r->nr_tsamples; i++) {
			const struct cdoc_rec_tsample *x = &r->tsamples[i];
			size_t bk = (size_t)(x->time_ns / 1e9 / width);

			if (x->profile == (uint32_t)prof && x->tid == tids[k])
				s.v[bk < nb ? bk : nb - 1] +=
				        100.0 * (double)x->weight /
				        (hz * width);
		}
		snprintf(label, sizeof(label), "thread %u", tids[k]);
		cdoc_buf_addstr(b, k ? ",{\"metric\":" : "{\"metric\":");
		report__json_str(b, label);
		cdoc_buf_addstr(b, ",\"label\":");
		report__json_str(b, label);
		cdoc_buf_addf(b, ",\"zero\":false,\"n\":%zu,", nb);
		series_points(b, &s, span);
		cdoc_buf_addch(b, '}');
		cdoc_metrics_series_release(&s);
	}
	cdoc_buf_addstr(b, "]}");
	return 1;
}

void report__timeline_json(const struct cdoc_recording *r, double span,
                           struct cdoc_buf *b)
{
	const char **names;
	size_t n = metric_names(r, &names), i, j, k = 0;

	cdoc_buf_addch(b, '[');
	/* Known charts in the table's order, each once. */
	for (i = 0; i < CDOC_ARRAY_SIZE(defs); i++) {
		for (j = 0; j < i; j++)
			if (!strcmp(defs[j].chart, defs[i].chart))
				break;
		if (j < i)
			continue;
		for (j = i; j < CDOC_ARRAY_SIZE(defs); j++)
			if (!strcmp(defs[j].chart, defs[i].chart) &&
			    present(names, n, defs[j].metric))
				break;
		if (j == CDOC_ARRAY_SIZE(defs))
			continue;
		if (k++)
			cdoc_buf_addch(b, ',');
		chart_json(b, r, names, n, &defs[i], span);
	}
	/* CPU per thread, from the samples' times and threads. */
	{
		struct cdoc_buf t = CDOC_BUF_INIT;

		if (thread_chart(r, span, &t)) {
			if (k++)
				cdoc_buf_addch(b, ',');
			cdoc_buf_add(b, t.buf, t.len);
		}
		cdoc_buf_release(&t);
	}
	/* Metrics of newer recorders: a chart each. */
	for (i = 0; i < n; i++) {
		if (find_def(names[i]))
			continue;
		if (k++)
			cdoc_buf_addch(b, ',');
		cdoc_buf_addstr(b, "{\"id\":");
		report__json_str(b, names[i]);
		cdoc_buf_addstr(b, ",\"title\":");
		report__json_str(b, names[i]);
		cdoc_buf_addstr(b, ",\"unit\":\"\",\"series\":[");
		series_json(b, r, names[i], NULL, span);
		cdoc_buf_addstr(b, "]}");
	}
	cdoc_buf_addch(b, ']');
	free(names);
}
