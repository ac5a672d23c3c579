/*
 * text.c - the terminal summary of a recording.
 */
#include "report/internal.h"
#include "report/tui.h"

#include "metrics/metrics.h"

#include <stdlib.h>
#include <string.h>

#define WRAP   78
#define INDENT 12
#define MIB    (1024.0 * 1024)

struct text {
	struct cdoc_buf *out;
	int colour;
};

static void sgr(struct text *t, const char *code)
{
	if (t->colour)
		cdoc_buf_addf(t->out, "\033[%sm", code);
}

static void heading(struct text *t, const char *s)
{
	cdoc_buf_addch(t->out, '\n');
	sgr(t, "1");
	cdoc_buf_addstr(t->out, s);
	sgr(t, "0");
	cdoc_buf_addch(t->out, '\n');
}

/* Append @s word-wrapped at WRAP columns, continuation lines indented. */
static void wrapped(struct text *t, const char *s, size_t col)
{
	struct cdoc_buf safe = CDOC_BUF_INIT;
	const char *p;
	int first = 1;

	report__add_safe(&safe, s);
	for (p = safe.buf ? safe.buf : ""; *p; first = 0) {
		size_t len;

		while (*p == ' ')
			p++;
		len = strcspn(p, " ");
		if (!len)
			break;
		if (!first && col > INDENT && col + 1 + len >= WRAP) {
			cdoc_buf_addf(t->out, "\n%*s", INDENT, "");
			col = INDENT;
		} else if (!first) {
			cdoc_buf_addch(t->out, ' ');
			col++;
		}
		cdoc_buf_add(t->out, p, len);
		col += len;
		p += len;
	}
	cdoc_buf_addch(t->out, '\n');
	cdoc_buf_release(&safe);
}

static void field(struct text *t, const char *label, const char *value)
{
	cdoc_buf_addf(t->out, "  %-10s", label);
	wrapped(t, value, INDENT);
}

static void run_event(struct text *t, const struct cdoc_recording *r)
{
	const char *ev = cdoc_recording_meta(r, "event");
	const char *req = cdoc_recording_meta(r, "event_requested");
	const char *hz = cdoc_recording_meta(r, "frequency");
	const char *cg = cdoc_recording_meta(r, "call_graph");
	struct cdoc_buf b = CDOC_BUF_INIT;

	if (!ev)
		return;
	cdoc_buf_addstr(&b, ev);
	if (req && strcmp(req, ev))
		cdoc_buf_addf(&b, " (requested %s)", req);
	if (hz)
		cdoc_buf_addf(&b, ", %s Hz", hz);
	if (cg)
		cdoc_buf_addf(&b, ", call graph %s", cg);
	field(t, "event:", b.buf);
	cdoc_buf_release(&b);
}

static void run_procs(struct text *t, const struct cdoc_recording *r)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	size_t i;

	for (i = 0; i < r->nr_procs && i < 8; i++) {
		cdoc_buf_addf(&b, "%s%s [%u] ", i ? "; " : "", r->procs[i].name,
		              r->procs[i].pid);
		report__proc_status(&r->procs[i], &b);
	}
	if (r->nr_procs > 8)
		cdoc_buf_addf(&b, "; and %zu more", r->nr_procs - 8);
	if (b.buf)
		field(t, "process:", b.buf);
	cdoc_buf_release(&b);
}

static void run_section(struct text *t, const struct cdoc_recording *r)
{
	const char *cmd = cdoc_recording_meta(r, "command");
	const char *host = cdoc_recording_meta(r, "hostname");
	const char *start = cdoc_recording_meta(r, "start_time");
	double secs = report__duration(r);
	char dur[64];

	heading(t, "Run");
	field(t, "command:", cmd ? cmd : "(not recorded)");
	run_event(t, r);
	field(t, "heap:",
	      cdoc_recording_meta(r, "alloc_tracking")
	              ? cdoc_recording_meta(r, "alloc_tracking")
	              : "not tracked");
	if (secs >= 0) {
		snprintf(dur, sizeof(dur), "%.2f s", secs);
		field(t, "duration:", dur);
	}
	if (start)
		field(t, "started:", start);
	if (host)
		field(t, "host:", host);
	run_procs(t, r);
}

/* Trend of @name, or 0 when the recording has none of it. */
static int trend(const struct cdoc_recording *r, const char *name,
                 struct cdoc_metrics_trend *tr)
{
	struct cdoc_metrics_series s;
	size_t n;

	cdoc_metrics_series(r, name, &s);
	cdoc_metrics_trend(&s, tr);
	n = s.n;
	cdoc_metrics_series_release(&s);
	return n > 0;
}

static void resources_section(struct text *t, const struct cdoc_recording *r)
{
	struct cdoc_metrics_trend u, s, rss, thr, a, b;
	struct cdoc_buf line = CDOC_BUF_INIT;
	struct cdoc_metrics_series procfs;
	size_t n;

	/* Readings of the process tree; the shim's and the Node agent's
	 * METRICS are other chunks of the same kind. */
	cdoc_metrics_series(r, "rss_bytes", &procfs);
	n = procfs.n;
	cdoc_metrics_series_release(&procfs);
	if (!r->nr_metrics)
		return;
	cdoc_buf_addf(t->out, "\n");
	sgr(t, "1");
	cdoc_buf_addf(t->out, "Resources (%zu procfs readings)", n);
	sgr(t, "0");
	cdoc_buf_addch(t->out, '\n');
	if (trend(r, "cpu_user_pct", &u) && trend(r, "cpu_sys_pct", &s)) {
		cdoc_buf_addf(&line,
		              "mean %.1f%% of one CPU (user %.1f%%, "
		              "system %.1f%%), peak %.1f%%",
		              u.mean + s.mean, u.mean, s.mean, u.max + s.max);
		field(t, "CPU:", line.buf);
		cdoc_buf_reset(&line);
	}
	if (trend(r, "rss_bytes", &rss)) {
		cdoc_buf_addf(&line, "%.1f MiB -> %.1f MiB (peak %.1f MiB)",
		              rss.first / MIB, rss.last / MIB, rss.max / MIB);
		field(t, "memory:", line.buf);
		cdoc_buf_reset(&line);
	}
	if (trend(r, "threads", &thr)) {
		cdoc_buf_addf(&line, "up to %.0f", thr.max);
		field(t, "threads:", line.buf);
		cdoc_buf_reset(&line);
	}
	if (trend(r, "io_rchar", &a) && trend(r, "io_wchar", &b)) {
		cdoc_buf_addf(&line, "read %.1f MiB, written %.1f MiB",
		              (a.last - a.first) / MIB,
		              (b.last - b.first) / MIB);
		field(t, "I/O:", line.buf);
	}
	cdoc_buf_release(&line);
}

/* "f (file.c:12) calling fsync: 91% of the time" */
static void culprit_line(struct cdoc_buf *b, const struct cdoc_culprit *c)
{
	cdoc_buf_addstr(b, c->function);
	if (c->where)
		cdoc_buf_addf(b, " (%s)", c->where);
	if (c->via)
		cdoc_buf_addf(b, " calling %s", c->via);
	cdoc_buf_addf(b, ": %.0f%%", c->share);
}

static void verdict_head(struct text *t, const struct cdoc_verdict *v)
{
	int none = !strcmp(v->category, CDOC_V_NONE);

	sgr(t, "1");
	cdoc_buf_addstr(t->out, "Verdict: ");
	sgr(t, none ? "32;1" : "31;1");
	cdoc_buf_addstr(t->out, v->category);
	sgr(t, "0");
	if (!none)
		cdoc_buf_addf(t->out, " (%.0f%% of the work in the window)",
		              v->impact);
	cdoc_buf_addch(t->out, '\n');
}

static void verdict_section(struct text *t, const struct cdoc_verdict *v)
{
	struct cdoc_buf line = CDOC_BUF_INIT;
	size_t i;

	cdoc_buf_addch(t->out, '\n');
	verdict_head(t, v);
	for (i = 0; i < v->nr_culprits; i++) {
		cdoc_buf_reset(&line);
		culprit_line(&line, &v->culprits[i]);
		field(t, i ? "" : "culprit:", line.buf);
	}
	field(t, "summary:", v->summary ? v->summary : "");
	cdoc_buf_reset(&line);
	for (i = 0; i < v->nr_evidence; i++)
		cdoc_buf_addf(&line, "%s%s %.3g%s%s", i ? ", " : "",
		              v->evidence[i].name, v->evidence[i].value,
		              *v->evidence[i].unit ? " " : "",
		              v->evidence[i].unit);
	if (line.buf)
		field(t, "evidence:", line.buf);
	for (i = 0; i < v->nr_recs; i++) {
		cdoc_buf_reset(&line);
		cdoc_buf_addf(&line, "-> %s", v->recs[i]);
		field(t, i ? "" : "do:", line.buf);
	}
	for (i = 0; i < v->nr_others; i++) {
		cdoc_buf_reset(&line);
		cdoc_buf_addf(&line, "%s (%.0f%%)", v->others[i].category,
		              v->others[i].impact);
		if (v->others[i].nr_culprits)
			cdoc_buf_addf(&line, ", in %s",
			              v->others[i].culprits[0].function);
		field(t, i ? "" : "also:", line.buf);
	}
	cdoc_buf_reset(&line);
	cdoc_buf_addf(&line, "%s (%.2f s to %.2f s)",
	              v->window_rule ? v->window_rule : "?", v->window_start_s,
	              v->window_end_s);
	field(t, "window:", line.buf);
	cdoc_buf_release(&line);
}

void cdoc_report_verdict_text(const struct cdoc_verdict *v, const char *rec,
                              int colour, struct cdoc_buf *out)
{
	struct text t = {out, colour};
	struct cdoc_buf line = CDOC_BUF_INIT;

	verdict_head(&t, v);
	if (v->nr_culprits) {
		culprit_line(&line, &v->culprits[0]);
		field(&t, "culprit:", line.buf);
	}
	field(&t, "summary:", v->summary ? v->summary : "");
	if (v->nr_recs) {
		cdoc_buf_reset(&line);
		cdoc_buf_addf(&line, "-> %s", v->recs[0]);
		field(&t, "do:", line.buf);
	}
	cdoc_buf_reset(&line);
	cdoc_buf_addf(&line, "cdoctor report %s (--html FILE, --json)",
	              rec ? rec : "REC");
	field(&t, "details:", line.buf);
	cdoc_buf_release(&line);
}

static void diagnosis(struct text *t, const struct cdoc_diagnosis *d)
{
	static const char *const col[] = {"36", "33", "31;1"};
	static const char *const label[] = {"info", "WARNING", "PROBLEM"};

	cdoc_buf_addstr(t->out, "  ");
	sgr(t, col[d->severity]);
	cdoc_buf_addf(t->out, "%-9s", label[d->severity]);
	sgr(t, "0");
	cdoc_buf_addch(t->out, ' ');
	wrapped(t, d->title, INDENT);
	cdoc_buf_addf(t->out, "%*s", INDENT, "");
	wrapped(t, d->detail, INDENT);
	cdoc_buf_addf(t->out, "%*s", INDENT, "");
	sgr(t, "32");
	cdoc_buf_addstr(t->out, "-> ");
	sgr(t, "0");
	wrapped(t, d->recommendation, INDENT + 3);
}

static void diag_section(struct text *t, const struct cdoc_diagnoses *d)
{
	size_t i;

	heading(t, "Diagnoses");
	if (!d->nr)
		cdoc_buf_addstr(t->out, "  nothing stands out\n");
	for (i = 0; i < d->nr; i++)
		diagnosis(t, &d->items[i]);
}

static void top_table(struct text *t, const struct cdoc_profile *p,
                      enum cdoc_top_order order, size_t rows, const char *unit)
{
	struct cdoc_top_entry *top;
	uint64_t total = cdoc_profile_total(p, 0);
	size_t n = cdoc_profile_top(p, 0, order, &top), i;

	heading(t, order == CDOC_TOP_SELF ? "Top functions by self time"
	                                  : "Top functions by total time");
	cdoc_buf_addf(t->out, "  %7s %7s %10s  function\n", "self%", "total%",
	              order == CDOC_TOP_SELF ? "self" : "total");
	for (i = 0; i < n && i < rows; i++) {
		uint64_t w =
		        order == CDOC_TOP_SELF ? top[i].self : top[i].total;

		if (!w)
			break;
		cdoc_buf_addf(t->out, "  %6.2f%% %6.2f%% %10llu  ",
		              100.0 * top[i].self / total,
		              100.0 * top[i].total / total,
		              (unsigned long long)w);
		report__add_safe(t->out,
		                 cdoc_strtab_get(&p->names, top[i].name));
		cdoc_buf_addch(t->out, '\n');
	}
	cdoc_buf_addf(t->out, "  (%zu functions, %llu %s in all)\n", n,
	              (unsigned long long)total, unit);
	free(top);
}

/* "  offcpu_lock: 1.25 s off CPU (1250000000 ns)", "  fd_open: 12 fds",
 * "  alloc_bytes: 4096 bytes (4.0 KiB)". */
static void profile_line(struct text *t, const char *name, uint64_t total)
{
	const char *unit = cdoc_report_unit(name);

	cdoc_buf_addstr(t->out, "  ");
	report__add_safe(t->out, name);
	cdoc_buf_addstr(t->out, ": ");
	if (!strcmp(unit, "ns")) {
		report__tui_units(t->out, total, unit, 0);
		cdoc_buf_addf(t->out, " off CPU (%llu ns)\n",
		              (unsigned long long)total);
		return;
	}
	cdoc_buf_addf(t->out, "%llu %s", (unsigned long long)total, unit);
	if (!strcmp(unit, "bytes") && total >= 1024) {
		cdoc_buf_addstr(t->out, " (");
		report__tui_units(t->out, total, unit, 0);
		cdoc_buf_addch(t->out, ')');
	}
	cdoc_buf_addch(t->out, '\n');
}

static void profiles_section(struct text *t, struct cdoc_recording *r,
                             size_t rows)
{
	struct cdoc_profile *cpu = cdoc_recording_profile(r, "cpu");
	size_t i;
	int other = 0;

	if (cpu && cdoc_profile_total(cpu, 0)) {
		top_table(t, cpu, CDOC_TOP_SELF, rows, "samples");
		top_table(t, cpu, CDOC_TOP_TOTAL, rows, "samples");
	}
	for (i = 0; i < r->nr_profiles; i++) {
		const char *name = r->profiles[i].name;

		if (!strcmp(name, "cpu"))
			continue;
		if (!other++)
			heading(t, "Other profiles (cdoctor report --folded "
			           "NAME)");
		profile_line(t, name,
		             cdoc_profile_total(&r->profiles[i].prof, 0));
	}
}

static void counters_section(struct text *t, const struct cdoc_recording *r)
{
	size_t i;

	heading(t, "Data quality");
	for (i = 0; i < report__nr_quality_counters; i++)
		cdoc_buf_addf(t->out, "  %-22s %llu\n",
		              report__quality_counters[i],
		              (unsigned long long)cdoc_recording_counter(
		                      r, report__quality_counters[i]));
	for (i = 0; i < r->nr_counters; i++) {
		if (report__is_quality_counter(r->counters[i].name))
			continue;
		cdoc_buf_addstr(t->out, "  ");
		report__add_safe(t->out, r->counters[i].name);
		cdoc_buf_addf(
		        t->out, "%*s %llu\n",
		        (int)CDOC_MAX(0, 22 - (int)strlen(r->counters[i].name)),
		        "", (unsigned long long)r->counters[i].value);
	}
}

int cdoc_report_text(struct cdoc_recording *r, const struct cdoc_report_opts *o,
                     struct cdoc_buf *out)
{
	struct cdoc_report_opts def;
	struct cdoc_diagnoses own;
	const struct cdoc_diagnoses *d;
	struct cdoc_verdict vown;
	const struct cdoc_verdict *v;
	struct text t = {out, 0};

	if (!o) {
		cdoc_report_opts_init(&def);
		o = &def;
	}
	t.colour = o->colour;
	d = report__diagnoses(r, o, &own);
	v = report__verdict(r, o, &vown);
	cdoc_buf_addstr(out, "cdoctor report: ");
	report__add_safe(out, r->path ? r->path : "?");
	cdoc_buf_addch(out, '\n');
	if (r->cut_short) {
		sgr(&t, "33");
		cdoc_buf_addstr(out, "warning: ");
		sgr(&t, "0");
		wrapped(&t, r->cut_short, 9);
	}
	verdict_section(&t, v);
	run_section(&t, r);
	resources_section(&t, r);
	diag_section(&t, d);
	profiles_section(&t, r, o->top ? o->top : 10);
	counters_section(&t, r);
	cdoc_diagnoses_release(&own);
	cdoc_verdict_release(&vown);
	return 0;
}
