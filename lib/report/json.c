/*
 * json.c - a recording as one JSON object, and the report blob that
 * lib/flame's HTML page shows above the flame graph.
 */
#include "report/internal.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static void key(struct cdoc_buf *b, const char *k, int *first)
{
	if (!*first)
		cdoc_buf_addch(b, ',');
	*first = 0;
	report__json_str(b, k);
	cdoc_buf_addch(b, ':');
}

static void json_meta(struct cdoc_buf *b, const struct cdoc_recording *r)
{
	int first = 1;
	size_t i, j;

	cdoc_buf_addch(b, '{');
	for (i = 0; i < r->nr_meta; i++) {
		for (j = i + 1; j < r->nr_meta; j++)
			if (!strcmp(r->meta[i].key, r->meta[j].key))
				break;
		if (j < r->nr_meta)
			continue; /* the last value of a key wins */
		key(b, r->meta[i].key, &first);
		report__json_str(b, r->meta[i].value);
	}
	cdoc_buf_addch(b, '}');
}

static void json_counters(struct cdoc_buf *b, const struct cdoc_recording *r)
{
	int first = 1;
	size_t i;

	cdoc_buf_addch(b, '{');
	for (i = 0; i < report__nr_quality_counters; i++) {
		key(b, report__quality_counters[i], &first);
		cdoc_buf_addu64(b, cdoc_recording_counter(
		                           r, report__quality_counters[i]));
	}
	for (i = 0; i < r->nr_counters; i++) {
		if (report__is_quality_counter(r->counters[i].name))
			continue;
		key(b, r->counters[i].name, &first);
		cdoc_buf_addu64(b, r->counters[i].value);
	}
	cdoc_buf_addch(b, '}');
}

static void json_proc(struct cdoc_buf *b, const struct cdoc_rec_proc *p)
{
	struct cdoc_buf st = CDOC_BUF_INIT;

	report__proc_status(p, &st);
	cdoc_buf_addf(b, "{\"pid\":%u,\"ppid\":%u,\"name\":", p->pid, p->ppid);
	report__json_str(b, p->name);
	cdoc_buf_addf(b, ",\"exited\":%s", p->exited ? "true" : "false");
	if (!p->exited || p->status == CDOC_REC_EXIT_UNKNOWN)
		; /* no status to show */
	else if (WIFSIGNALED(p->status))
		cdoc_buf_addf(b, ",\"signal\":%d", WTERMSIG(p->status));
	else
		cdoc_buf_addf(b, ",\"exit_code\":%d", WEXITSTATUS(p->status));
	cdoc_buf_addstr(b, ",\"status\":");
	report__json_str(b, st.buf);
	cdoc_buf_addch(b, '}');
	cdoc_buf_release(&st);
}

static void json_diag(struct cdoc_buf *b, const struct cdoc_diagnosis *d)
{
	cdoc_buf_addstr(b, "{\"severity\":");
	report__json_str(b, cdoc_severity_name(d->severity));
	cdoc_buf_addstr(b, ",\"code\":");
	report__json_str(b, d->code);
	cdoc_buf_addstr(b, ",\"title\":");
	report__json_str(b, d->title);
	cdoc_buf_addstr(b, ",\"detail\":");
	report__json_str(b, d->detail);
	cdoc_buf_addstr(b, ",\"recommendation\":");
	report__json_str(b, d->recommendation);
	cdoc_buf_addch(b, '}');
}

static void json_top(struct cdoc_buf *b, const struct cdoc_profile *p,
                     enum cdoc_top_order order, size_t rows)
{
	struct cdoc_top_entry *top;
	uint64_t total = cdoc_profile_total(p, 0);
	size_t n = cdoc_profile_top(p, 0, order, &top), i;

	cdoc_buf_addch(b, '[');
	for (i = 0; i < n && i < rows; i++) {
		cdoc_buf_addstr(b, i ? ",{\"name\":" : "{\"name\":");
		report__json_str(b, cdoc_strtab_get(&p->names, top[i].name));
		cdoc_buf_addf(b, ",\"self\":%llu,\"total\":%llu,\"self_pct\":",
		              (unsigned long long)top[i].self,
		              (unsigned long long)top[i].total);
		report__json_num(b, total ? 100.0 * top[i].self / total : 0);
		cdoc_buf_addstr(b, ",\"total_pct\":");
		report__json_num(b, total ? 100.0 * top[i].total / total : 0);
		cdoc_buf_addch(b, '}');
	}
	cdoc_buf_addch(b, ']');
	free(top);
}

static void json_profiles(struct cdoc_buf *b, const struct cdoc_recording *r,
                          size_t rows)
{
	size_t i;

	cdoc_buf_addch(b, '[');
	for (i = 0; i < r->nr_profiles; i++) {
		const struct cdoc_rec_profile *p = &r->profiles[i];

		cdoc_buf_addstr(b, i ? ",{\"name\":" : "{\"name\":");
		report__json_str(b, p->name);
		cdoc_buf_addstr(b, ",\"unit\":");
		report__json_str(b, cdoc_report_unit(p->name));
		cdoc_buf_addf(
		        b, ",\"total\":%llu,\"top_self\":",
		        (unsigned long long)cdoc_profile_total(&p->prof, 0));
		json_top(b, &p->prof, CDOC_TOP_SELF, rows);
		cdoc_buf_addstr(b, ",\"top_total\":");
		json_top(b, &p->prof, CDOC_TOP_TOTAL, rows);
		cdoc_buf_addch(b, '}');
	}
	cdoc_buf_addch(b, ']');
}

static void json_metrics(struct cdoc_buf *b, const struct cdoc_recording *r)
{
	size_t i, j;

	cdoc_buf_addch(b, '[');
	for (i = 0; i < r->nr_metrics; i++) {
		const struct cdoc_rec_metric_sample *m = &r->metrics[i];
		int first = 1;

		cdoc_buf_addf(b, "%s{\"time_ns\":%llu,\"values\":{",
		              i ? "," : "", (unsigned long long)m->time_ns);
		for (j = 0; j < m->n; j++) {
			key(b, m->names[j], &first);
			report__json_num(b, m->values[j]);
		}
		cdoc_buf_addstr(b, "}}");
	}
	cdoc_buf_addch(b, ']');
}

/* Event-loop ticks (TICKS chunks) summed per thread: counts, the
 * histogram, and the long ticks with their times (at most
 * JSON_LONG_TICKS per thread; "long_count" has them all). */
#define JSON_LONG_TICKS 1000

static void json_tick_thread(struct cdoc_buf *b, const struct cdoc_recording *r,
                             size_t first)
{
	const struct cdoc_rec_tickset *f = &r->ticksets[first];
	uint64_t hist[CDOC_TICK_BUCKETS] = {0}, n = 0, busy = 0, wait = 0;
	uint64_t max = 0, nlong = 0;
	size_t i, j, shown = 0;

	cdoc_buf_addf(b, "{\"pid\":%u,\"tid\":%u,\"long_ticks\":[", f->pid,
	              f->tid);
	for (i = first; i < r->nr_ticksets; i++) {
		const struct cdoc_rec_tickset *t = &r->ticksets[i];

		if (t->pid != f->pid || t->tid != f->tid)
			continue;
		for (j = 0; j < CDOC_TICK_BUCKETS; j++)
			hist[j] += t->hist[j];
		n += t->nticks;
		busy += t->busy_ns;
		wait += t->wait_ns;
		max = CDOC_MAX(max, t->max_ns);
		nlong += t->nr_longs;
		for (j = 0; j < t->nr_longs && shown < JSON_LONG_TICKS; j++)
			cdoc_buf_addf(b, "%s[%llu,%llu]", shown++ ? "," : "",
			              (unsigned long long)t->longs[j].start_ns,
			              (unsigned long long)t->longs[j].dur_ns);
	}
	cdoc_buf_addf(b,
	              "],\"long_count\":%llu,\"ticks\":%llu,\"busy_ns\":%llu,"
	              "\"wait_ns\":%llu,\"max_ns\":%llu,\"hist\":[",
	              (unsigned long long)nlong, (unsigned long long)n,
	              (unsigned long long)busy, (unsigned long long)wait,
	              (unsigned long long)max);
	for (j = 0; j < CDOC_TICK_BUCKETS; j++)
		cdoc_buf_addf(b, "%s%llu", j ? "," : "",
		              (unsigned long long)hist[j]);
	cdoc_buf_addstr(b, "]}");
}

static void json_ticks(struct cdoc_buf *b, const struct cdoc_recording *r)
{
	struct cdoc_u64map seen;
	size_t i;
	uint32_t v;
	int any = 0;

	cdoc_u64map_init(&seen);
	cdoc_buf_addstr(b, "{\"threads\":[");
	for (i = 0; i < r->nr_ticksets; i++) {
		const struct cdoc_rec_tickset *t = &r->ticksets[i];
		uint64_t k = (uint64_t)t->pid << 32 | t->tid;

		if (cdoc_u64map_get(&seen, k, &v))
			continue;
		cdoc_u64map_put(&seen, k, 1);
		if (any++)
			cdoc_buf_addch(b, ',');
		json_tick_thread(b, r, i);
	}
	cdoc_buf_addstr(b, "]}");
	cdoc_u64map_release(&seen);
}

static void json_list(struct cdoc_buf *b, const struct cdoc_recording *r,
                      const struct cdoc_diagnoses *d)
{
	size_t i;

	cdoc_buf_addstr(b, ",\"processes\":[");
	for (i = 0; i < r->nr_procs; i++) {
		if (i)
			cdoc_buf_addch(b, ',');
		json_proc(b, &r->procs[i]);
	}
	cdoc_buf_addstr(b, "],\"diagnoses\":[");
	for (i = 0; i < d->nr; i++) {
		if (i)
			cdoc_buf_addch(b, ',');
		json_diag(b, &d->items[i]);
	}
	cdoc_buf_addch(b, ']');
}

int cdoc_report_json(struct cdoc_recording *r, const struct cdoc_report_opts *o,
                     struct cdoc_buf *out)
{
	struct cdoc_diagnoses own;
	const struct cdoc_diagnoses *d = report__diagnoses(r, o, &own);
	double secs = report__duration(r);

	cdoc_buf_addstr(out, "{\"path\":");
	report__json_str(out, r->path);
	cdoc_buf_addf(out, ",\"version\":%u,\"complete\":%s,\"cut_short\":",
	              r->version, r->complete ? "true" : "false");
	if (r->cut_short)
		report__json_str(out, r->cut_short);
	else
		cdoc_buf_addstr(out, "null");
	cdoc_buf_addstr(out, ",\"duration_s\":");
	report__json_num(out, secs >= 0 ? secs : 0.0 / 0.0);
	cdoc_buf_addstr(out, ",\"meta\":");
	json_meta(out, r);
	cdoc_buf_addstr(out, ",\"counters\":");
	json_counters(out, r);
	json_list(out, r, d);
	cdoc_buf_addstr(out, ",\"profiles\":");
	json_profiles(out, r, o && o->top ? o->top : 10);
	cdoc_buf_addstr(out, ",\"metrics\":");
	json_metrics(out, r);
	cdoc_buf_addstr(out, ",\"ticks\":");
	json_ticks(out, r);
	cdoc_buf_addstr(out, "}\n");
	cdoc_diagnoses_release(&own);
	return 0;
}

static const char *blob_severity(enum cdoc_severity s)
{
	return s == CDOC_SEV_PROBLEM   ? "error"
	       : s == CDOC_SEV_WARNING ? "warning"
	                               : "info";
}

static void blob_items(struct cdoc_buf *b, const struct cdoc_diagnoses *d)
{
	size_t i;

	cdoc_buf_addstr(b, ",\"items\":[");
	for (i = 0; d && i < d->nr; i++) {
		cdoc_buf_addstr(b, i ? ",{\"severity\":" : "{\"severity\":");
		report__json_str(b, blob_severity(d->items[i].severity));
		cdoc_buf_addstr(b, ",\"title\":");
		report__json_str(b, d->items[i].title);
		cdoc_buf_addstr(b, ",\"detail\":");
		report__json_str(b, d->items[i].detail);
		cdoc_buf_addstr(b, ",\"recommendation\":");
		report__json_str(b, d->items[i].recommendation);
		cdoc_buf_addch(b, '}');
	}
	if (d && !d->nr)
		cdoc_buf_addstr(b, "{\"severity\":\"ok\",\"title\":\"Nothing "
		                   "stands out\"}");
	cdoc_buf_addch(b, ']');
}

static void blob_metadata(struct cdoc_buf *b, const struct cdoc_recording *r)
{
	static const char *const keys[] = {
	        "command",    "event",    "frequency", "call_graph",
	        "start_time", "hostname", "mode",      "alloc_tracking"};
	double secs = report__duration(r);
	int first = 1;
	size_t i;

	cdoc_buf_addstr(b, ",\"metadata\":{");
	for (i = 0; i < CDOC_ARRAY_SIZE(keys); i++) {
		const char *v = cdoc_recording_meta(r, keys[i]);

		if (v) {
			key(b, keys[i], &first);
			report__json_str(b, v);
		}
	}
	if (secs >= 0) {
		key(b, "duration", &first);
		cdoc_buf_addf(b, "\"%.2f s\"", secs);
	}
	for (i = 0; i < r->nr_procs && i < 8; i++) {
		struct cdoc_buf k = CDOC_BUF_INIT, v = CDOC_BUF_INIT;

		cdoc_buf_addf(&k, "process %u", r->procs[i].pid);
		cdoc_buf_addf(&v, "%s: ", r->procs[i].name);
		report__proc_status(&r->procs[i], &v);
		key(b, k.buf, &first);
		report__json_str(b, v.buf);
		cdoc_buf_release(&k);
		cdoc_buf_release(&v);
	}
	cdoc_buf_addch(b, '}');
}

void cdoc_report_blob(struct cdoc_recording *r, const struct cdoc_diagnoses *d,
                      struct cdoc_buf *out)
{
	const char *cmd = cdoc_recording_meta(r, "command");

	cdoc_buf_addstr(out, "{\"title\":");
	report__json_str(out, cmd ? cmd : r->path);
	cdoc_buf_addstr(out, ",\"subtitle\":");
	report__json_str(out, r->cut_short ? r->cut_short : r->path);
	blob_items(out, d);
	cdoc_buf_addstr(out, ",\"counters\":");
	json_counters(out, r);
	blob_metadata(out, r);
	cdoc_buf_addch(out, '}');
}
