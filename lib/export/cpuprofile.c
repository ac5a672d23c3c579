/*
 * cpuprofile.c - Chrome DevTools / VS Code .cpuprofile: the call tree
 * as nodes (id, callFrame, hitCount, children), and the samples as node
 * ids with the microseconds between them (timeDeltas). Timed samples
 * keep their times (all threads on one line, each stack starting with
 * its thread's name); an old recording without times gets evenly spaced
 * samples at the sampling period.
 */
#include "export/internal.h"

#include <errno.h>
#include <string.h>

static void put_node(const struct cdoc_profile *p, uint32_t i,
                     const uint64_t *hits, struct cdoc_buf *out)
{
	const char *name = i ? cdoc_profile_node_name(p, i) : "(root)";
	size_t len = i ? cdoc_strtab_len(&p->names, p->nodes[i].name) : 6;
	uint32_t c;
	int first = 1;

	cdoc_buf_addf(out, "%s{\"id\":%u,\"callFrame\":{\"functionName\":",
	              i ? "," : "", i + 1);
	export__json_str(out, name, len);
	cdoc_buf_addstr(out, ",\"scriptId\":\"0\",\"url\":\"\","
	                     "\"lineNumber\":-1,\"columnNumber\":-1},"
	                     "\"hitCount\":");
	cdoc_buf_addu64(out, hits[i]);
	cdoc_buf_addstr(out, ",\"children\":[");
	for (c = p->nodes[i].first_child; c != CDOC_NONE;
	     c = p->nodes[c].next_sibling) {
		cdoc_buf_addf(out, "%s%u", first ? "" : ",", c + 1);
		first = 0;
	}
	cdoc_buf_addstr(out, "]}");
}

/* The samples: node ids and deltas in microseconds. */
struct series {
	struct cdoc_buf ids, deltas;
	uint64_t last_us, n;
};

static void add_sample(struct series *s, uint32_t node, uint64_t t_us)
{
	const char *sep = s->n++ ? "," : "";

	cdoc_buf_addf(&s->ids, "%s%u", sep, node + 1);
	cdoc_buf_addf(&s->deltas, "%s%llu", sep,
	              (unsigned long long)(t_us - s->last_us));
	s->last_us = t_us;
}

static int by_time(const void *a, const void *b)
{
	const struct cdoc_rec_tsample *x = a, *y = b;

	return x->time_ns < y->time_ns ? -1 : x->time_ns > y->time_ns;
}

/* Timed samples of @prof, sorted; hits counted per node. */
static void timed(const struct cdoc_recording *r, int prof, uint64_t *hits,
                  struct series *s)
{
	struct cdoc_rec_tsample *v =
	        cdoc_malloc((r->nr_tsamples + 1) * sizeof(*v));
	size_t i, n = 0;
	uint64_t w;

	for (i = 0; i < r->nr_tsamples; i++)
		if (r->tsamples[i].profile == (uint32_t)prof)
			v[n++] = r->tsamples[i];
	qsort(v, n, sizeof(*v), by_time);
	for (i = 0; i < n; i++)
		for (w = 0; w < v[i].weight; w++) {
			hits[v[i].node]++;
			add_sample(s, v[i].node, v[i].time_ns / 1000);
		}
	free(v);
}

static void even(const struct cdoc_recording *r, const struct cdoc_profile *p,
                 uint64_t *hits, struct series *s)
{
	uint64_t step = export__period_or_default(r) / 1000, t = 0, w;
	size_t i;

	for (i = 1; i < p->nr_nodes; i++)
		for (w = 0; w < p->nodes[i].self[0]; w++) {
			hits[i]++;
			add_sample(s, (uint32_t)i, t);
			t += step;
		}
}

/* Samples a .cpuprofile may hold: DevTools chokes long before, and a
 * hostile weight must not make us write forever. */
#define CPUPROFILE_MAX 5000000ull

/* The number of samples the profile expands to, saturating. */
static uint64_t expanded(const struct cdoc_recording *r, int prof,
                         const struct cdoc_profile *p)
{
	uint64_t n = 0;
	size_t i;

	if (export__has_times(r, prof)) {
		for (i = 0; i < r->nr_tsamples && n <= CPUPROFILE_MAX; i++)
			if (r->tsamples[i].profile == (uint32_t)prof)
				n += CDOC_MIN(r->tsamples[i].weight,
				              CPUPROFILE_MAX + 1);
		return n;
	}
	return cdoc_profile_total(p, 0);
}

int cdoc_export_cpuprofile(struct cdoc_recording *r, const char *kind,
                           struct cdoc_buf *out)
{
	int prof = cdoc_recording_profile_index(r, kind);
	struct series s = {CDOC_BUF_INIT, CDOC_BUF_INIT, 0, 0};
	const struct cdoc_profile *p;
	uint64_t *hits;
	size_t i;

	if (prof < 0)
		return export__no_profile(r, kind);
	if (strstr(kind, "bytes"))
		return cdoc_error(-EINVAL,
		                  "cpuprofile holds samples over time, not "
		                  "bytes; export '%s' as pprof or speedscope",
		                  kind);
	p = &r->profiles[prof].prof;
	if (expanded(r, prof, p) > CPUPROFILE_MAX)
		return cdoc_error(-E2BIG,
		                  "'%s' has more than %llu samples, too many "
		                  "for a .cpuprofile; export it as pprof or "
		                  "speedscope",
		                  kind, CPUPROFILE_MAX);
	hits = cdoc_calloc(p->nr_nodes, sizeof(uint64_t));
	if (export__has_times(r, prof))
		timed(r, prof, hits, &s);
	else
		even(r, p, hits, &s);
	cdoc_buf_addstr(out, "{\"nodes\":[");
	for (i = 0; i < p->nr_nodes; i++)
		put_node(p, (uint32_t)i, hits, out);
	cdoc_buf_addf(
	        out, "],\"startTime\":0,\"endTime\":%llu,\"samples\":[",
	        (unsigned long long)(s.last_us +
	                             export__period_or_default(r) / 1000));
	export__add_buf(out, &s.ids);
	cdoc_buf_addstr(out, "],\"timeDeltas\":[");
	export__add_buf(out, &s.deltas);
	cdoc_buf_addstr(out, "]}\n");
	free(hits);
	cdoc_buf_release(&s.ids);
	cdoc_buf_release(&s.deltas);
	return 0;
}
