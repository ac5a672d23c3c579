/*
 * html.c - the HTML doctor report (report-templates/report-doctor.*): the
 * main finding on top, the other findings with links to the timeline and
 * flame graph that prove them, the timelines of every metric on one time
 * axis, a flame graph tab per profile (filtered by a selected time range
 * when samples kept their times), run metadata and data-quality counters.
 * Findings and tables are HTML written here (escaped); charts and flame
 * graphs are drawn by the page's script from an embedded JSON blob whose
 * strings have < > & escaped so it cannot end the script element. One
 * offline file: no network loads (the page's CSP forbids them).
 */
#include "report/page.h"

#include "base/templates.h"

#include <math.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void html_text(struct cdoc_buf *b, const char *s)
{
	cdoc_buf_add_xml(b, s, strlen(s));
}

static void basic_row(struct cdoc_buf *b, const char *k, const char *v, int num)
{
	cdoc_buf_addstr(b, "<tr><th>");
	html_text(b, k);
	cdoc_buf_addstr(b, num ? "</th><td class=\"n\">" : "</th><td>");
	html_text(b, v);
	cdoc_buf_addstr(b, "</td></tr>\n");
}

/*
 * The counters: the quality counters always (nothing silent), then the
 * others that are not 0; those at 0 fold into one closed list after the
 * table.
 */
static void counter_rows(struct cdoc_buf *counters,
                         const struct cdoc_recording *r)
{
	struct cdoc_buf zero = CDOC_BUF_INIT;
	char num[32];
	size_t i, nz = 0;

	for (i = 0; i < report__nr_quality_counters; i++) {
		snprintf(num, sizeof(num), "%llu",
		         (unsigned long long)cdoc_recording_counter(
		                 r, report__quality_counters[i]));
		basic_row(counters, report__quality_counters[i], num, 1);
	}
	for (i = 0; i < r->nr_counters; i++) {
		const char *name = r->counters[i].name;

		if (report__is_quality_counter(name))
			continue;
		if (!r->counters[i].value) {
			cdoc_buf_addstr(&zero, nz++ ? ", " : "");
			html_text(&zero, name);
			continue;
		}
		snprintf(num, sizeof(num), "%llu",
		         (unsigned long long)r->counters[i].value);
		basic_row(counters, name, num, 1);
	}
	if (nz)
		cdoc_buf_addf(
		        counters,
		        "</table><details class=\"zeroc\"><summary>%zu "
		        "more counters were 0 (folded away)</summary><p>%s"
		        "</p></details><table class=\"kv\">",
		        nz, zero.buf);
	cdoc_buf_release(&zero);
}

static void basic_tables(struct cdoc_buf *meta, struct cdoc_buf *counters,
                         const struct cdoc_recording *r)
{
	size_t i;

	for (i = 0; i < r->nr_meta; i++)
		basic_row(meta, r->meta[i].key, r->meta[i].value, 0);
	counter_rows(counters, r);
}

/* Fill {{name}} slots of @tpl from @names / @vals (@n of them). */
static void fill(struct cdoc_buf *out, const char *tpl,
                 const char *const *names, const char *const *vals, size_t n)
{
	const char *p = tpl, *open;
	size_t i;

	while ((open = strstr(p, "{{"))) {
		const char *close = strstr(open, "}}");

		if (!close)
			break;
		cdoc_buf_add(out, p, open - p);
		for (i = 0; i < n; i++)
			if (strlen(names[i]) == (size_t)(close - open - 2) &&
			    !memcmp(open + 2, names[i], close - open - 2))
				cdoc_buf_addstr(out, vals[i] ? vals[i] : "");
		p = close + 2;
	}
	cdoc_buf_addstr(out, p);
}

/* Which chart and flame graph tab prove a finding (by its code). */
struct proof {
	const char *code, *chart, *tab;
};

static const struct proof proofs[] = {
        {"hot-function", "cpu", "cpu"},
        {"kernel-heavy", "cpu", "cpu"},
        {"mostly-idle", "cpu", "cpu"},
        {"few-samples", "cpu", "cpu"},
        {"truncated-stacks", NULL, "cpu"},
        {"unwind-failures", NULL, "cpu"},
        {"unresolved-frames", NULL, "cpu"},
        {"lock-contention", "ctx", "cpu"},
        {"memory-growth", "memory", "leaked_bytes"},
        {"leaks", "memory", "leaked_bytes"},
        {"alloc-heavy", "memory", "alloc_count"},
        {"throttled", NULL, "cpu"},
        {"dropped-alloc-events", NULL, "alloc_bytes"},
};

/* The chart or tab of @code, when the recording has it; else NULL. */
static const char *proof_of(const struct cdoc_recording *r, const char *code,
                            int tab)
{
	size_t i;

	for (i = 0; code && i < CDOC_ARRAY_SIZE(proofs); i++) {
		const char *what = tab ? proofs[i].tab : proofs[i].chart;

		if (strcmp(proofs[i].code, code) || !what)
			continue;
		if (tab) {
			const struct cdoc_profile *p = cdoc_recording_profile(
			        (struct cdoc_recording *)r, what);

			if (!p && !strcmp(what, "alloc_count"))
				p = cdoc_recording_profile(
				        (struct cdoc_recording *)r,
				        what = "alloc_bytes");
			return p && cdoc_profile_total(p, 0) ? what : NULL;
		}
		return r->nr_metrics ? what : NULL;
	}
	return NULL;
}

/* "Evidence:" links to a timeline @chart and a flame graph @tab (either
 * may be NULL; nothing when both are), wired by the page. */
static void proof_links(struct cdoc_buf *b, const char *chart, const char *tab)
{
	if (chart || tab)
		cdoc_buf_addstr(b, "<div class=\"proof\">Evidence:");
	if (chart) {
		cdoc_buf_addstr(b, " <a class=\"to-chart\" href=\"#chart-");
		html_text(b, chart);
		cdoc_buf_addstr(b, "\" data-chart=\"");
		html_text(b, chart);
		cdoc_buf_addstr(b, "\">timeline</a>");
	}
	if (tab) {
		cdoc_buf_addstr(b, " <a class=\"to-tab\" href=\"#flames\" "
		                   "data-tab=\"");
		html_text(b, tab);
		cdoc_buf_addstr(b, "\">");
		html_text(b, tab);
		cdoc_buf_addstr(b, " flame graph</a>");
	}
	if (chart || tab)
		cdoc_buf_addstr(b, "</div>");
}

/* One finding as HTML, with links to its proof (wired by the page). */
static void finding_html(struct cdoc_buf *b, const struct cdoc_recording *r,
                         const struct cdoc_diagnosis *x, size_t i, int main)
{
	const char *chart = proof_of(r, x->code, 0);
	const char *tab = proof_of(r, x->code, 1);

	cdoc_buf_addf(b, "<div class=\"item %s%s\" id=\"finding-%zu\"><h3>",
	              cdoc_severity_name(x->severity), main ? " main" : "", i);
	html_text(b, x->title);
	cdoc_buf_addstr(b, "</h3><div class=\"detail\">");
	html_text(b, x->detail);
	cdoc_buf_addstr(b, "</div><div class=\"rec\">&rarr; ");
	html_text(b, x->recommendation);
	cdoc_buf_addstr(b, "</div>");
	proof_links(b, chart, tab);
	cdoc_buf_addstr(b, "</div>\n");
}

/* Which flame graph tab shows a verdict's culprits. */
static const char *verdict_tab(const struct cdoc_recording *r,
                               const char *category)
{
	static const char *const tabs[][2] = {
	        {CDOC_V_LOCK, "offcpu_lock"},  {CDOC_V_IO, "offcpu_disk"},
	        {CDOC_V_FDLEAK, "fd_open"},    {CDOC_V_MEMLEAK, "leaked_bytes"},
	        {CDOC_V_CHURN, "alloc_count"}, {CDOC_V_LOOP, "cpu"},
	        {CDOC_V_HOTSPOT, "cpu"},       {CDOC_V_SATURATED, "cpu"},
	        {CDOC_V_THROTTLED, "cpu"},
	};
	const struct cdoc_profile *p;
	size_t i;

	for (i = 0; i < CDOC_ARRAY_SIZE(tabs); i++) {
		if (strcmp(category, tabs[i][0]))
			continue;
		p = cdoc_recording_profile((struct cdoc_recording *)r,
		                           tabs[i][1]);
		return p && cdoc_profile_total(p, 0) ? tabs[i][1] : NULL;
	}
	return NULL;
}

static void verdict_culprits(struct cdoc_buf *b, const struct cdoc_verdict *v)
{
	size_t i;

	if (!v->nr_culprits)
		return;
	cdoc_buf_addstr(b, "<ol class=\"culprits\">");
	for (i = 0; i < v->nr_culprits; i++) {
		const struct cdoc_culprit *c = &v->culprits[i];

		cdoc_buf_addstr(b, "<li><code>");
		html_text(b, c->function);
		cdoc_buf_addstr(b, "</code>");
		if (c->where) {
			cdoc_buf_addstr(b, " <span class=\"where\">");
			html_text(b, c->where);
			cdoc_buf_addstr(b, "</span>");
		}
		if (c->via) {
			cdoc_buf_addstr(b, " calling <code>");
			html_text(b, c->via);
			cdoc_buf_addstr(b, "</code>");
		}
		cdoc_buf_addf(b, ": %.0f%%</li>", c->share);
	}
	cdoc_buf_addstr(b, "</ol>");
}

static void verdict_evidence(struct cdoc_buf *b, const struct cdoc_verdict *v)
{
	char num[64];
	size_t i;

	if (!v->nr_evidence)
		return;
	cdoc_buf_addstr(b, "<div class=\"evidence\">");
	for (i = 0; i < v->nr_evidence; i++) {
		snprintf(num, sizeof(num), "%.3g", v->evidence[i].value);
		cdoc_buf_addstr(b, i ? ", <span>" : "<span>");
		html_text(b, v->evidence[i].name);
		cdoc_buf_addf(b, " <strong>%s</strong> ", num);
		html_text(b, v->evidence[i].unit);
		cdoc_buf_addstr(b, "</span>");
	}
	cdoc_buf_addstr(b, "</div>");
}

/* Which timeline shows a verdict's effect over time (the page skips a
 * link whose chart it did not draw). */
static const char *verdict_chart(const struct cdoc_recording *r,
                                 const char *category)
{
	static const char *const charts[][2] = {
	        {CDOC_V_LOOP, "ticks"},      {CDOC_V_LOCK, "offcpu"},
	        {CDOC_V_IO, "offcpu"},       {CDOC_V_SATURATED, "sched"},
	        {CDOC_V_THROTTLED, "sched"}, {CDOC_V_MEMLEAK, "memory"},
	        {CDOC_V_FDLEAK, "fds"},      {CDOC_V_CHURN, "alloc"},
	        {CDOC_V_HOTSPOT, "cpu"},     {CDOC_V_GC, "memory"},
	};
	size_t i;

	for (i = 0; i < CDOC_ARRAY_SIZE(charts); i++)
		if (!strcmp(category, charts[i][0]))
			return r->nr_metrics || r->nr_ticksets ? charts[i][1]
			                                       : NULL;
	return NULL;
}

/* The verdict card: category, culprits, summary, evidence, next steps. */
static void verdict_html(struct cdoc_buf *b, const struct cdoc_recording *r,
                         const struct cdoc_verdict *v)
{
	int none = !strcmp(v->category, CDOC_V_NONE);
	const char *tab = verdict_tab(r, v->category);
	const char *chart = verdict_chart(r, v->category);
	size_t i;

	cdoc_buf_addf(b,
	              "<div class=\"item main verdict %s\" "
	              "id=\"verdict\" data-category=\"",
	              none ? "ok" : "problem");
	html_text(b, v->category);
	cdoc_buf_addstr(b, "\"><h3>Verdict: ");
	html_text(b, v->category);
	if (!none)
		cdoc_buf_addf(b,
		              " <small>(%.0f%% of the work in the "
		              "window)</small>",
		              v->impact);
	cdoc_buf_addstr(b, "</h3>");
	verdict_culprits(b, v);
	cdoc_buf_addstr(b, "<div class=\"detail\">");
	html_text(b, v->summary ? v->summary : "");
	cdoc_buf_addstr(b, "</div>");
	verdict_evidence(b, v);
	cdoc_buf_addstr(b, "<div class=\"rec\"><ul>");
	for (i = 0; i < v->nr_recs; i++) {
		cdoc_buf_addstr(b, "<li>&rarr; ");
		html_text(b, v->recs[i]);
		cdoc_buf_addstr(b, "</li>");
	}
	cdoc_buf_addstr(b, "</ul></div>");
	proof_links(b, chart, tab);
	cdoc_buf_addstr(b, "</div>\n");
}

/* The verdict on top, the findings below. */
static void findings_html(struct cdoc_buf *main, struct cdoc_buf *rest,
                          const struct cdoc_recording *r,
                          const struct cdoc_diagnoses *d,
                          const struct cdoc_verdict *v)
{
	size_t i;

	verdict_html(main, r, v);
	if (!d->nr)
		cdoc_buf_addstr(rest, "<div class=\"item ok\"><h3>Nothing "
		                      "else stands out</h3></div>\n");
	for (i = 0; i < d->nr; i++)
		finding_html(rest, r, &d->items[i], i, 0);
}

/* The derived "blocked_loop" profile after the @n others, when any. */
static void blocked_tab(const struct cdoc_recording *r, double span, size_t n,
                        struct cdoc_buf *b)
{
	struct cdoc_buf t = CDOC_BUF_INIT;

	if (report__blocked_json(r, span, &t)) {
		if (n)
			cdoc_buf_addch(b, ',');
		cdoc_buf_add(b, t.buf, t.len);
	}
	cdoc_buf_release(&t);
}

/* The page's JSON: time axis, load window, charts, profiles. */
static void page_data(struct cdoc_recording *r, const size_t *idx, size_t n,
                      struct cdoc_buf *b)
{
	const char *ls = cdoc_recording_meta(r, "load_start_ns");
	const char *le = cdoc_recording_meta(r, "load_end_ns");
	double span = report__duration(r);
	size_t i;

	for (i = 0; i < r->nr_metrics; i++)
		span = fmax(span, r->metrics[i].time_ns / 1e9);
	for (i = 0; i < r->nr_tsamples; i++)
		span = fmax(span, r->tsamples[i].time_ns / 1e9);
	cdoc_buf_addstr(b, "{\"span\":");
	report__json_num(b, span > 0 ? span : 0);
	cdoc_buf_addstr(b, ",\"load\":");
	if (ls && le)
		cdoc_buf_addf(b, "[%.6g,%.6g]", strtod(ls, NULL) / 1e9,
		              strtod(le, NULL) / 1e9);
	else
		cdoc_buf_addstr(b, "null");
	cdoc_buf_addstr(b, ",\"charts\":");
	report__timeline_json(r, span, b);
	cdoc_buf_addstr(b, ",\"profiles\":[");
	for (i = 0; i < n; i++) {
		if (i)
			cdoc_buf_addch(b, ',');
		report__profile_json(r, idx[i], span, b);
	}
	blocked_tab(r, span, n, b);
	cdoc_buf_addstr(b, "]}");
}

/* JSON inside <script>: < > & become \u escapes (only inside strings). */
static void script_json(struct cdoc_buf *out, const struct cdoc_buf *json)
{
	size_t i;

	for (i = 0; i < json->len; i++) {
		char c = json->buf[i];

		if (c == '<' || c == '>' || c == '&')
			cdoc_buf_addf(out, "\\u%04x", (unsigned)c);
		else
			cdoc_buf_addch(out, c);
	}
}

static int doctor_page(struct cdoc_recording *r, const char *title,
                       const struct cdoc_diagnoses *d,
                       const struct cdoc_verdict *verdict, const size_t *idx,
                       size_t n, struct cdoc_buf *out)
{
	struct cdoc_buf v[9], json = CDOC_BUF_INIT;
	const char *tpl = cdoc_template("report-doctor.html", NULL);
	const char *css = cdoc_template("report-doctor.css", NULL);
	const char *js = cdoc_template("report-doctor.js", NULL);
	const char *names[] = {"title",    "subtitle", "main",
	                       "findings", "metadata", "counters",
	                       "css",      "js",       "data"};
	const char *vals[9];
	size_t i;

	if (!tpl || !css || !js)
		return cdoc_error(-ENOENT, "report template report-doctor.* "
		                           "is missing");
	for (i = 0; i < 9; i++)
		cdoc_buf_init(&v[i]);
	html_text(&v[0], title);
	html_text(&v[1], r->cut_short ? r->cut_short : r->path);
	findings_html(&v[2], &v[3], r, d, verdict);
	basic_tables(&v[4], &v[5], r);
	page_data(r, idx, n, &json);
	script_json(&v[8], &json);
	for (i = 0; i < 9; i++)
		vals[i] = v[i].buf;
	vals[6] = css;
	vals[7] = js;
	fill(out, tpl, names, vals, 9);
	for (i = 0; i < 9; i++)
		cdoc_buf_release(&v[i]);
	cdoc_buf_release(&json);
	return 0;
}

int cdoc_report_html(struct cdoc_recording *r, const struct cdoc_report_opts *o,
                     struct cdoc_buf *out)
{
	struct cdoc_diagnoses own;
	const struct cdoc_diagnoses *d = report__diagnoses(r, o, &own);
	struct cdoc_verdict vown;
	const struct cdoc_verdict *v = report__verdict(r, o, &vown);
	const char *cmd = cdoc_recording_meta(r, "command");
	struct cdoc_buf title = CDOC_BUF_INIT;
	size_t *idx = cdoc_calloc(r->nr_profiles + 1, sizeof(*idx));
	size_t n = report__profiles(r, idx);
	int ret;

	if (o && o->title)
		cdoc_buf_addstr(&title, o->title);
	else
		cdoc_buf_addf(&title, "cdoctor: %s", cmd ? cmd : r->path);
	ret = doctor_page(r, title.buf, d, v, idx, n, out);
	free(idx);
	cdoc_buf_release(&title);
	cdoc_diagnoses_release(&own);
	cdoc_verdict_release(&vown);
	return ret;
}
