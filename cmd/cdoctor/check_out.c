/*
 * check_out.c - cdoctor check's verdict as text, JSON, JUnit XML (for CI
 * test reports) and Markdown (for a pull-request comment or a CI step
 * summary). Function names are escaped for each format.
 */
#include "common/cli.h"
#include "cdoctor/check.h"

#include <string.h>

static const char *kind(const struct cdoc_regression *x)
{
	return x->total ? "total" : "self";
}

/* One line per inconclusive profile: why, and what to do. */
static void why_inconclusive(const struct cdoc_check_result *res,
                             const struct cdoc_check_opts *o,
                             struct cdoc_buf *b, const char *prefix)
{
	size_t i;

	for (i = 0; i < res->nr_profs; i++) {
		const struct cdoc_check_prof *p = &res->profs[i];

		if (p->inconclusive)
			cdoc_buf_addf(
			        b,
			        "%s%s: %llu and %llu samples can only "
			        "show rises above %.1f points, more than "
			        "--min-effect %.1f; record longer or at a "
			        "higher frequency\n",
			        prefix, p->name, (unsigned long long)p->base_n,
			        (unsigned long long)p->cur_n, p->detectable,
			        o->min_effect);
	}
}

static void text(const struct cdoc_check_result *res,
                 const struct cdoc_check_opts *o, const char *base,
                 struct cdoc_buf *b)
{
	size_t i;

	if (res->nr)
		cdoc_buf_addf(b, "%-13s %-6s %9s %9s %8s %9s  %s\n", "profile",
		              "share", "baseline", "current", "points",
		              "p(adj)", "function");
	for (i = 0; i < res->nr; i++) {
		const struct cdoc_regression *x = &res->items[i];

		cdoc_buf_addf(b, "%-13s %-6s %8.1f%% %8.1f%% %+8.1f %9.2g  ",
		              x->profile, kind(x), x->base, x->cur,
		              x->cur - x->base, x->p_adj);
		cdoc_buf_add_term(b, x->name, strlen(x->name));
		cdoc_buf_addch(b, '\n');
	}
	if (res->status == CDOC_CHECK_FAIL)
		cdoc_buf_addf(b,
		              "%zu regression%s: significant at alpha %g "
		              "(Holm over %zu comparisons) and beyond %.1f "
		              "points (baseline %s)\n",
		              res->nr, res->nr == 1 ? "" : "s", o->alpha,
		              res->compared, o->min_effect, base);
	else if (res->status == CDOC_CHECK_OK)
		cdoc_buf_addf(b,
		              "ok: no function's share rose significantly by "
		              "more than %.1f points (alpha %g, Holm over %zu "
		              "comparisons)\n",
		              o->min_effect, o->alpha, res->compared);
	else
		why_inconclusive(res, o, b, "inconclusive: ");
}

static void json_name(struct cdoc_buf *b, const char *s)
{
	cdoc_buf_addch(b, '"');
	cdoc_buf_add_json(b, s, strlen(s));
	cdoc_buf_addch(b, '"');
}

static void json(const struct cdoc_check_result *res,
                 const struct cdoc_check_opts *o, const char *base,
                 struct cdoc_buf *b)
{
	size_t i;

	cdoc_buf_addf(b,
	              "{\"status\":\"%s\",\"alpha\":%g,\"min_effect\":%g,"
	              "\"comparisons\":%zu,\"baseline\":",
	              cdoc_check_status_name(res->status), o->alpha,
	              o->min_effect, res->compared);
	json_name(b, base);
	cdoc_buf_addstr(b, ",\"profiles\":[");
	for (i = 0; i < res->nr_profs; i++) {
		const struct cdoc_check_prof *p = &res->profs[i];

		cdoc_buf_addf(b,
		              "%s{\"name\":\"%s\",\"baseline_samples\":%llu,"
		              "\"current_samples\":%llu,\"detectable_points\":"
		              "%.3f,\"inconclusive\":%s}",
		              i ? "," : "", p->name,
		              (unsigned long long)p->base_n,
		              (unsigned long long)p->cur_n, p->detectable,
		              p->inconclusive ? "true" : "false");
	}
	cdoc_buf_addstr(b, "],\"regressions\":[");
	for (i = 0; i < res->nr; i++) {
		const struct cdoc_regression *x = &res->items[i];

		cdoc_buf_addf(b, "%s{\"profile\":\"%s\",\"function\":",
		              i ? "," : "", x->profile);
		json_name(b, x->name);
		cdoc_buf_addf(b,
		              ",\"share\":\"%s\",\"baseline_pct\":%.3f,"
		              "\"current_pct\":%.3f,\"points\":%.3f,"
		              "\"p_value\":%.3g,\"p_adjusted\":%.3g}",
		              kind(x), x->base, x->cur, x->cur - x->base, x->p,
		              x->p_adj);
	}
	cdoc_buf_addstr(b, "]}\n");
}

static void xml(struct cdoc_buf *b, const char *s)
{
	cdoc_buf_add_xml(b, s, strlen(s));
}

static void junit_profile(const struct cdoc_check_result *res,
                          const struct cdoc_check_opts *o,
                          const struct cdoc_check_prof *p, struct cdoc_buf *b)
{
	struct cdoc_buf why = CDOC_BUF_INIT;
	size_t i;

	cdoc_buf_addf(b,
	              "  <testcase classname=\"cdoctor.check\" "
	              "name=\"%s\">\n",
	              p->name);
	for (i = 0; i < res->nr; i++) {
		const struct cdoc_regression *x = &res->items[i];

		if (strcmp(x->profile, p->name))
			continue;
		cdoc_buf_addstr(b, "    <failure type=\"regression\" "
		                   "message=\"");
		xml(b, x->name);
		cdoc_buf_addf(b,
		              ": %s share %.1f%% -&gt; %.1f%% (%+.1f points, "
		              "adjusted p %.2g)\"/>\n",
		              kind(x), x->base, x->cur, x->cur - x->base,
		              x->p_adj);
	}
	if (p->inconclusive && !res->nr) {
		struct cdoc_check_result one = *res;

		one.profs = (struct cdoc_check_prof *)p;
		one.nr_profs = 1;
		why_inconclusive(&one, o, &why, "");
		if (why.len)
			why.buf[--why.len] = '\0';
		cdoc_buf_addstr(b, "    <skipped message=\"");
		xml(b, why.buf);
		cdoc_buf_addstr(b, "\"/>\n");
	}
	cdoc_buf_addstr(b, "  </testcase>\n");
	cdoc_buf_release(&why);
}

static void junit(const struct cdoc_check_result *res,
                  const struct cdoc_check_opts *o, const char *base,
                  struct cdoc_buf *b)
{
	size_t i, failed = 0, skipped = 0;

	for (i = 0; i < res->nr_profs; i++) {
		size_t j, f = 0;

		for (j = 0; j < res->nr; j++)
			f += !strcmp(res->items[j].profile, res->profs[i].name);
		failed += f > 0;
		skipped += res->profs[i].inconclusive && !res->nr;
	}
	cdoc_buf_addf(b,
	              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	              "<testsuites>\n<testsuite name=\"cdoctor check\" "
	              "tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\" "
	              "errors=\"0\">\n  <properties>\n"
	              "    <property name=\"baseline\" value=\"",
	              res->nr_profs, failed, skipped);
	xml(b, base);
	cdoc_buf_addf(b,
	              "\"/>\n    <property name=\"alpha\" value=\"%g\"/>\n"
	              "    <property name=\"min_effect\" value=\"%g\"/>\n"
	              "  </properties>\n",
	              o->alpha, o->min_effect);
	for (i = 0; i < res->nr_profs; i++)
		junit_profile(res, o, &res->profs[i], b);
	cdoc_buf_addstr(b, "</testsuite>\n</testsuites>\n");
}

/* Markdown table cells: escape what would break the table or render. */
static void md(struct cdoc_buf *b, const char *s)
{
	struct cdoc_buf t = CDOC_BUF_INIT;
	size_t i;

	cdoc_buf_add_xml(&t, s, strlen(s));
	for (i = 0; i < t.len; i++) {
		if (strchr("|\\`*_[]", t.buf[i]))
			cdoc_buf_addch(b, '\\');
		cdoc_buf_addch(b, t.buf[i]);
	}
	cdoc_buf_release(&t);
}

static void markdown(const struct cdoc_check_result *res,
                     const struct cdoc_check_opts *o, const char *base,
                     struct cdoc_buf *b)
{
	static const char *const head[] = {"passed", "**failed**",
	                                   "inconclusive"};
	size_t i;

	cdoc_buf_addf(b, "### cdoctor check: %s\n\n", head[res->status]);
	if (res->nr)
		cdoc_buf_addstr(b, "| profile | share | baseline | current | "
		                   "points | p (adjusted) | function |\n"
		                   "|---|---|--:|--:|--:|--:|---|\n");
	for (i = 0; i < res->nr; i++) {
		const struct cdoc_regression *x = &res->items[i];

		cdoc_buf_addf(b,
		              "| %s | %s | %.1f%% | %.1f%% | %+.1f | %.2g | ",
		              x->profile, kind(x), x->base, x->cur,
		              x->cur - x->base, x->p_adj);
		md(b, x->name);
		cdoc_buf_addstr(b, " |\n");
	}
	if (res->status == CDOC_CHECK_INCONCLUSIVE)
		why_inconclusive(res, o, b, "- ");
	cdoc_buf_addf(b,
	              "\nA rise fails the check when it is significant at "
	              "alpha %g (Holm-Bonferroni over %zu comparisons) and "
	              "larger than %.1f points. Baseline: `",
	              o->alpha, res->compared, o->min_effect);
	md(b, base);
	cdoc_buf_addstr(b, "`.\n");
}

int check_output(const struct cdoc_check_result *res,
                 const struct cdoc_check_opts *o, const char *base,
                 const char *out, int fmt)
{
	static void (*const fns[])(const struct cdoc_check_result *,
	                           const struct cdoc_check_opts *, const char *,
	                           struct cdoc_buf *) = {text, json, junit,
	                                                 markdown};
	struct cdoc_buf b = CDOC_BUF_INIT, w = CDOC_BUF_INIT;
	int ret = (int)res->status;

	fns[fmt](res, o, base, &b);
	if (cli_write_output(out, &b))
		ret = -1;
	if (res->status == CDOC_CHECK_INCONCLUSIVE) {
		why_inconclusive(res, o, &w, "warning: inconclusive: ");
		fputs(w.buf, stderr);
	}
	cdoc_buf_release(&b);
	cdoc_buf_release(&w);
	return ret;
}
