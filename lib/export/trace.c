/*
 * trace.c - Chrome trace-event JSON, which Perfetto (ui.perfetto.dev) and
 * chrome://tracing open: per thread, the cpu samples replayed as nested
 * B/E slices (each sample lasts until the next or one period); process
 * and thread names as "M" events; every procfs metric as a counter ("C")
 * track. Any other timed profile whose name ends in "_ns" (off-CPU time
 * "offcpu_ns", event-loop ticks "loop_tick_ns", as recordings come to
 * carry them) is a list of intervals: each timed sample is an "X" slice
 * starting at its time and lasting its weight in nanoseconds, named by
 * its leaf frame, on a track of its own beside its thread's.
 */
#include "export/internal.h"

#include <string.h>

struct tr {
	struct cdoc_buf *out;
	const struct cdoc_profile *p;
	uint32_t pid, tid;
};

static void ts(struct cdoc_buf *out, uint64_t ns)
{
	cdoc_buf_addf(out, "%llu.%03llu", (unsigned long long)(ns / 1000),
	              (unsigned long long)(ns % 1000));
}

static void on_event(void *arg, int open, uint32_t node, uint64_t t)
{
	struct tr *tr = arg;
	const struct cdoc_profile *p = tr->p;

	cdoc_buf_addf(tr->out,
	              ",\n{\"ph\":\"%c\",\"cat\":\"cpu\",\"pid\":%u,"
	              "\"tid\":%u,\"ts\":",
	              open ? 'B' : 'E', tr->pid, tr->tid);
	ts(tr->out, t);
	cdoc_buf_addstr(tr->out, ",\"name\":");
	export__json_str(tr->out, cdoc_profile_node_name(p, node),
	                 cdoc_strtab_len(&p->names, p->nodes[node].name));
	cdoc_buf_addch(tr->out, '}');
}

static void meta(struct cdoc_buf *out, const char *what, uint32_t pid,
                 uint32_t tid, const char *name)
{
	cdoc_buf_addf(out,
	              ",\n{\"ph\":\"M\",\"name\":\"%s\",\"pid\":%u,"
	              "\"tid\":%u,\"args\":{\"name\":",
	              what, pid, tid);
	export__json_str(out, name, strlen(name));
	cdoc_buf_addstr(out, "}}");
}

static void samples(struct cdoc_recording *r, struct cdoc_buf *out)
{
	int prof = cdoc_recording_profile_index(r, "cpu");
	uint64_t period = export__period_or_default(r);
	struct tl_thread *th;
	size_t n, i;

	if (prof < 0 || !export__has_times(r, prof))
		return;
	n = export__tl_threads(r, prof, &th);
	for (i = 0; i < n; i++) {
		struct tr tr = {out, &r->profiles[prof].prof, th[i].pid,
		                th[i].tid};

		if (th[i].name)
			meta(out, "thread_name", th[i].pid, th[i].tid,
			     cdoc_profile_node_name(tr.p, th[i].name));
		export__tl_walk(r, tr.p, &th[i], period, on_event, &tr);
	}
	export__tl_free(th, n);
}

/* Interval tracks of thread @tid: their own tid, above any real one. */
#define INTERVAL_TID(tid, k) (0x40000000u + (tid)*4u + (k))

static int is_interval_profile(const char *name)
{
	size_t n = strlen(name);

	return strcmp(name, "cpu") && n > 3 && !strcmp(name + n - 3, "_ns");
}

static void interval(struct cdoc_buf *out, const struct cdoc_profile *p,
                     const struct cdoc_rec_tsample *s, const char *cat,
                     uint32_t tid)
{
	uint32_t name = p->nodes[s->node].name;

	cdoc_buf_addf(out, ",\n{\"ph\":\"X\",\"cat\":");
	export__json_str(out, cat, strlen(cat));
	cdoc_buf_addf(out, ",\"pid\":%u,\"tid\":%u,\"ts\":", s->pid, tid);
	ts(out, s->time_ns);
	cdoc_buf_addstr(out, ",\"dur\":");
	ts(out, s->weight);
	cdoc_buf_addstr(out, ",\"name\":");
	export__json_str(out, cdoc_strtab_get(&p->names, name),
	                 cdoc_strtab_len(&p->names, name));
	cdoc_buf_addch(out, '}');
}

/* Every interval profile, a track per thread and profile (k < 4). */
static void intervals(struct cdoc_recording *r, struct cdoc_buf *out)
{
	struct cdoc_buf tname = CDOC_BUF_INIT;
	size_t i, j, k = 0;

	for (i = 0; i < r->nr_profiles && k < 4; i++) {
		const char *name = r->profiles[i].name;
		struct tl_thread *th;
		size_t n;

		if (!is_interval_profile(name) || !export__has_times(r, (int)i))
			continue;
		n = export__tl_threads(r, (int)i, &th);
		for (j = 0; j < n; j++) {
			uint32_t tid = INTERVAL_TID(th[j].tid, k);
			size_t s;

			cdoc_buf_reset(&tname);
			cdoc_buf_addf(&tname, "%u %s", th[j].tid, name);
			meta(out, "thread_name", th[j].pid, tid, tname.buf);
			for (s = 0; s < th[j].n; s++)
				interval(out, &r->profiles[i].prof,
				         &r->tsamples[th[j].idx[s]], name, tid);
		}
		export__tl_free(th, n);
		k++;
	}
	cdoc_buf_release(&tname);
}

static void counters(const struct cdoc_recording *r, struct cdoc_buf *out)
{
	const char *tp = cdoc_recording_meta(r, "target_pid");
	uint32_t pid = tp ? (uint32_t)strtoul(tp, NULL, 10) : 0;
	size_t i, j;

	for (i = 0; i < r->nr_metrics; i++)
		for (j = 0; j < r->metrics[i].n; j++) {
			const char *name = r->metrics[i].names[j];
			double v = r->metrics[i].values[j];

			if (v != v || v > 1e300 || v < -1e300)
				continue; /* JSON has no NaN or infinity */
			cdoc_buf_addf(
			        out,
			        ",\n{\"ph\":\"C\",\"pid\":%u,\"ts\":", pid);
			ts(out, r->metrics[i].time_ns);
			cdoc_buf_addstr(out, ",\"name\":");
			export__json_str(out, name, strlen(name));
			cdoc_buf_addf(out, ",\"args\":{\"value\":%.17g}}", v);
		}
}

int cdoc_export_trace(struct cdoc_recording *r, struct cdoc_buf *out)
{
	const char *cmd = cdoc_recording_meta(r, "command");
	size_t i;

	cdoc_buf_addstr(out, "{\"displayTimeUnit\":\"ms\",\"otherData\":{"
	                     "\"exporter\":\"cdoctor\",\"command\":");
	export__json_str(out, cmd ? cmd : "", cmd ? strlen(cmd) : 0);
	/* A first event, so that every other one starts with a comma. */
	cdoc_buf_addstr(out, "},\"traceEvents\":[\n{\"ph\":\"M\",\"name\":"
	                     "\"process_name\",\"pid\":0,\"args\":{\"name\":"
	                     "\"cdoctor\"}}");
	for (i = 0; i < r->nr_procs; i++)
		meta(out, "process_name", r->procs[i].pid, 0, r->procs[i].name);
	samples(r, out);
	intervals(r, out);
	counters(r, out);
	cdoc_buf_addstr(out, "\n]}\n");
	return 0;
}
