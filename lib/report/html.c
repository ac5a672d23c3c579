/*
 * html.c - the HTML report: lib/flame's flame graph page with every
 * profile of the recording and the diagnoses above it; a plain page from
 * report-templates/report-basic.html when there is nothing to draw.
 */
#include "report/internal.h"

#include "base/templates.h"
#include "flame/flame.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void html_text(struct cdoc_buf *b, const char *s)
{
	cdoc_buf_add_xml(b, s, strlen(s));
}

static void basic_items(struct cdoc_buf *b, const struct cdoc_diagnoses *d)
{
	size_t i;

	if (!d->nr)
		cdoc_buf_addstr(b, "<p>Nothing stands out.</p>\n");
	for (i = 0; i < d->nr; i++) {
		const struct cdoc_diagnosis *x = &d->items[i];

		cdoc_buf_addf(b, "<div class=\"item %s\"><h3>",
		              cdoc_severity_name(x->severity));
		html_text(b, x->title);
		cdoc_buf_addstr(b, "</h3><div>");
		html_text(b, x->detail);
		cdoc_buf_addstr(b, "</div><div class=\"rec\">");
		html_text(b, x->recommendation);
		cdoc_buf_addstr(b, "</div></div>\n");
	}
}

static void basic_row(struct cdoc_buf *b, const char *k, const char *v, int num)
{
	cdoc_buf_addstr(b, "<tr><th>");
	html_text(b, k);
	cdoc_buf_addstr(b, num ? "</th><td class=\"n\">" : "</th><td>");
	html_text(b, v);
	cdoc_buf_addstr(b, "</td></tr>\n");
}

static void basic_tables(struct cdoc_buf *meta, struct cdoc_buf *counters,
                         const struct cdoc_recording *r)
{
	char num[32];
	size_t i;

	for (i = 0; i < r->nr_meta; i++)
		basic_row(meta, r->meta[i].key, r->meta[i].value, 0);
	for (i = 0; i < report__nr_quality_counters; i++) {
		snprintf(num, sizeof(num), "%llu",
		         (unsigned long long)cdoc_recording_counter(
		                 r, report__quality_counters[i]));
		basic_row(counters, report__quality_counters[i], num, 1);
	}
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

static int basic_page(struct cdoc_recording *r, const char *title,
                      const struct cdoc_diagnoses *d, struct cdoc_buf *out)
{
	struct cdoc_buf t = CDOC_BUF_INIT, sub = CDOC_BUF_INIT;
	struct cdoc_buf items = CDOC_BUF_INIT, meta = CDOC_BUF_INIT;
	struct cdoc_buf ctr = CDOC_BUF_INIT;
	const char *tpl = cdoc_template("report-basic.html", NULL);
	const char *names[] = {"title", "subtitle", "items", "metadata",
	                       "counters"};
	const char *vals[5];

	if (!tpl)
		return cdoc_error(-ENOENT, "report template "
		                           "report-basic.html is missing");
	html_text(&t, title);
	html_text(&sub, r->cut_short ? r->cut_short : r->path);
	basic_items(&items, d);
	basic_tables(&meta, &ctr, r);
	vals[0] = t.buf;
	vals[1] = sub.buf;
	vals[2] = items.buf;
	vals[3] = meta.buf;
	vals[4] = ctr.buf;
	fill(out, tpl, names, vals, 5);
	cdoc_buf_release(&t);
	cdoc_buf_release(&sub);
	cdoc_buf_release(&items);
	cdoc_buf_release(&meta);
	cdoc_buf_release(&ctr);
	return 0;
}

static int flame_page(struct cdoc_recording *r, const char *title,
                      const struct cdoc_diagnoses *d, const size_t *idx,
                      size_t n, struct cdoc_buf *out)
{
	struct cdoc_flame_view *views = cdoc_calloc(n, sizeof(*views));
	struct cdoc_flame_html_opts ho = {0};
	struct cdoc_buf blob = CDOC_BUF_INIT;
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		struct cdoc_rec_profile *p = &r->profiles[idx[i]];

		views[i].name = p->name;
		views[i].p = &p->prof;
		views[i].col = 0;
		views[i].unit = cdoc_report_unit(p->name);
	}
	cdoc_report_blob(r, d, &blob);
	ho.title = title;
	ho.report_json = blob.buf;
	ret = cdoc_flame_html(out, views, n, &ho);
	cdoc_buf_release(&blob);
	free(views);
	return ret;
}

int cdoc_report_html(struct cdoc_recording *r, const struct cdoc_report_opts *o,
                     struct cdoc_buf *out)
{
	struct cdoc_diagnoses own;
	const struct cdoc_diagnoses *d = report__diagnoses(r, o, &own);
	const char *cmd = cdoc_recording_meta(r, "command");
	struct cdoc_buf title = CDOC_BUF_INIT;
	size_t *idx = cdoc_calloc(r->nr_profiles + 1, sizeof(*idx));
	size_t n = report__profiles(r, idx);
	int ret;

	if (o && o->title)
		cdoc_buf_addstr(&title, o->title);
	else
		cdoc_buf_addf(&title, "cdoctor: %s", cmd ? cmd : r->path);
	if (n)
		ret = flame_page(r, title.buf, d, idx, n, out);
	else
		ret = basic_page(r, title.buf, d, out);
	free(idx);
	cdoc_buf_release(&title);
	cdoc_diagnoses_release(&own);
	return ret;
}
