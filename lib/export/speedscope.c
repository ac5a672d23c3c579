/*
 * speedscope.c - speedscope's file format
 * (https://www.speedscope.app/file-format-schema.json; the URL is data,
 * nothing is fetched). With timed samples, one "evented" profile per
 * thread whose open and close events are the sample times, so the
 * time-order view shows when each thread ran what; otherwise (old
 * recordings, allocation profiles) one "sampled" profile with a sample
 * per stack, weighted.
 */
#include "export/internal.h"

#include <string.h>

/* Writer state: the frame index of a profile name id is the name id. */
struct ss {
	struct cdoc_buf *out;
	const struct cdoc_profile *p;
	int first;
};

static void frames(const struct cdoc_profile *p, struct cdoc_buf *out)
{
	size_t i;

	cdoc_buf_addstr(out, "\"shared\":{\"frames\":[");
	for (i = 0; i < p->names.nr; i++) {
		cdoc_buf_addstr(out, i ? ",{\"name\":" : "{\"name\":");
		export__json_str(out, cdoc_strtab_get(&p->names, i),
		                 cdoc_strtab_len(&p->names, i));
		cdoc_buf_addch(out, '}');
	}
	cdoc_buf_addstr(out, "]},");
}

static void on_event(void *arg, int open, uint32_t node, uint64_t t)
{
	struct ss *ss = arg;

	cdoc_buf_addf(ss->out, "%s{\"type\":\"%c\",\"frame\":%u,\"at\":%llu}",
	              ss->first ? "" : ",", open ? 'O' : 'C',
	              ss->p->nodes[node].name, (unsigned long long)t);
	ss->first = 0;
}

static void thread_name(const struct cdoc_profile *p,
                        const struct tl_thread *th, struct cdoc_buf *out)
{
	struct cdoc_buf b = CDOC_BUF_INIT;

	if (th->name)
		cdoc_buf_addstr(&b, cdoc_profile_node_name(p, th->name));
	cdoc_buf_addf(&b, " (pid %u, tid %u)", th->pid, th->tid);
	export__json_str(out, b.buf, b.len);
	cdoc_buf_release(&b);
}

static void evented(struct cdoc_recording *r, int prof, struct cdoc_buf *out)
{
	const struct cdoc_profile *p = &r->profiles[prof].prof;
	uint64_t period = export__period_or_default(r);
	struct tl_thread *th;
	size_t n = export__tl_threads(r, prof, &th), i;

	for (i = 0; i < n; i++) {
		struct ss ss = {out, p, 1};
		uint64_t t0 = r->tsamples[th[i].idx[0]].time_ns;
		uint64_t t1 = r->tsamples[th[i].idx[th[i].n - 1]].time_ns;

		cdoc_buf_addstr(out, i ? ",{\"type\":\"evented\",\"name\":"
		                       : "{\"type\":\"evented\",\"name\":");
		thread_name(p, &th[i], out);
		cdoc_buf_addf(out,
		              ",\"unit\":\"nanoseconds\",\"startValue\":%llu,"
		              "\"endValue\":%llu,\"events\":[",
		              (unsigned long long)t0,
		              (unsigned long long)(t1 + period));
		export__tl_walk(r, p, &th[i], period, on_event, &ss);
		cdoc_buf_addstr(out, "]}");
	}
	export__tl_free(th, n);
}

static const char *unit_of(const char *kind)
{
	size_t n = strlen(kind);

	if (n > 6 && !strcmp(kind + n - 6, "_bytes"))
		return "bytes";
	return "none";
}

static void sampled(const char *kind, const struct cdoc_profile *p,
                    struct cdoc_buf *out)
{
	struct cdoc_buf w = CDOC_BUF_INIT;
	uint32_t *path;
	size_t i, d, k;
	int first = 1;

	cdoc_buf_addstr(out, "{\"type\":\"sampled\",\"name\":");
	export__json_str(out, kind, strlen(kind));
	cdoc_buf_addf(out, ",\"unit\":\"%s\",\"startValue\":0,\"endValue\":",
	              unit_of(kind));
	cdoc_buf_addu64(out, cdoc_profile_total(p, 0));
	cdoc_buf_addstr(out, ",\"samples\":[");
	for (i = 1; i < p->nr_nodes; i++) {
		if (!p->nodes[i].self[0])
			continue;
		d = export__node_path(p, (uint32_t)i, &path);
		cdoc_buf_addstr(out, first ? "[" : ",[");
		for (k = 0; k < d; k++)
			cdoc_buf_addf(out, "%s%u", k ? "," : "",
			              p->nodes[path[k]].name);
		cdoc_buf_addch(out, ']');
		cdoc_buf_addstr(&w, first ? "" : ",");
		cdoc_buf_addu64(&w, p->nodes[i].self[0]);
		first = 0;
		free(path);
	}
	cdoc_buf_addstr(out, "],\"weights\":[");
	export__add_buf(out, &w);
	cdoc_buf_addstr(out, "]}");
	cdoc_buf_release(&w);
}

int cdoc_export_speedscope(struct cdoc_recording *r, const char *kind,
                           struct cdoc_buf *out)
{
	int prof = cdoc_recording_profile_index(r, kind);
	const char *cmd = cdoc_recording_meta(r, "command");
	const struct cdoc_profile *p;

	if (prof < 0)
		return export__no_profile(r, kind);
	p = &r->profiles[prof].prof;
	cdoc_buf_addstr(out, "{\"$schema\":\"https://www.speedscope.app/"
	                     "file-format-schema.json\",");
	frames(p, out);
	cdoc_buf_addstr(out, "\"profiles\":[");
	if (export__has_times(r, prof))
		evented(r, prof, out);
	else
		sampled(kind, p, out);
	cdoc_buf_addstr(out, "],\"name\":");
	export__json_str(out, cmd ? cmd : kind, strlen(cmd ? cmd : kind));
	cdoc_buf_addstr(out, ",\"activeProfileIndex\":0,"
	                     "\"exporter\":\"cdoctor\"}\n");
	return 0;
}
