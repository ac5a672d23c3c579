/*
 * html.c - cflame html: folded stacks to one self-contained HTML page
 * (canvas flame graph, search, top table, hot-frame navigation).
 */
#include "common/cli.h"
#include "cflame/cflame.h"
#include "cflame/render.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
        "usage: cflame html [OPTIONS] [FILE...] > graph.html\n"
        "Draw folded stacks as one HTML page that works offline: flame graph\n"
        "(click to zoom, icicle toggle), search (text or /regex/) with the\n"
        "matched percentage, top functions by self and total, hottest-frame\n"
        "navigation; the state is kept in the URL. Several files are merged;\n"
        "'-' or no FILE reads standard input.\n\n"
        "  --title TEXT        page title (default \"Flame Graph\")\n"
        "  --countname TEXT    unit of the counts (default \"samples\")\n"
        "  --minwidth PCT      omit frames below PCT% of the total "
        "(default 0.001)\n"
        "  --inverted          start as an icicle graph\n"
        "  --limit N           rows of the top table (default 50)\n"
        "  --view NAME=FILE    add FILE as a separate profile named NAME (the\n"
        "                      page lets the reader switch); repeatable\n"
        "  --report FILE       a JSON report object shown above the graph\n"
        "                      (see docs/cflame-render.md)\n"
        "  -o, --output FILE   write to FILE (default: stdout)\n"
        "  -h, --help          this text\n";

struct html_args {
	struct cdoc_flame_html_opts o;
	const char *unit, *out, *report;
	char **views; /* "NAME=FILE" */
	int nr_views;
};

/* A number of at least 0, optionally with a '%' after it. */
static int parse_num(const char *what, const char *s, double *out)
{
	size_t n = strlen(s);
	char *t = strndup(s, n && s[n - 1] == '%' ? n - 1 : n);
	int ret;

	if (!t)
		return cli_usage_error("html", "out of memory");
	ret = cli_parse_double("html", what, t, 0, HUGE_VAL, out);
	free(t);
	return ret;
}

static int parse_args(int argc, char **argv, struct html_args *a)
{
	static const struct option lopts[] = {
	        {"title", required_argument, NULL, 't'},
	        {"countname", required_argument, NULL, 'c'},
	        {"minwidth", required_argument, NULL, 'm'},
	        {"inverted", no_argument, NULL, 'i'},
	        {"limit", required_argument, NULL, 'l'},
	        {"view", required_argument, NULL, 'v'},
	        {"report", required_argument, NULL, 'r'},
	        {"output", required_argument, NULL, 'o'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	double d;
	int c;

	while ((c = getopt_long(argc, argv, "o:h", lopts, NULL)) != -1) {
		if (c == 't')
			a->o.title = optarg;
		else if (c == 'c')
			a->unit = optarg;
		else if (c == 'm' && parse_num("--minwidth", optarg, &d))
			return 2;
		else if (c == 'm')
			a->o.minwidth_pct = d;
		else if (c == 'i')
			a->o.inverted = 1;
		else if (c == 'l' && parse_num("--limit", optarg, &d))
			return 2;
		else if (c == 'l')
			a->o.top_limit = (size_t)d;
		else if (c == 'v' && !strchr(optarg, '='))
			return cli_usage_error("html",
			                       "--view: expected NAME=FILE");
		else if (c == 'v')
			a->views[a->nr_views++] = optarg;
		else if (c == 'r')
			a->report = optarg;
		else if (c == 'o')
			a->out = optarg;
		else if (c == 'h')
			return fputs(usage, stdout) < 0 ? 2 : -1;
		else
			return cli_usage_error("html", "bad option");
	}
	return 0;
}

/* Read the --report file into @b (checked to be one JSON object, then
 * embedded as it is). */
static int read_report(const char *path, struct cdoc_buf *b)
{
	struct cdoc_input in;

	if (cdoc_input_open(&in, path) < 0)
		return cli_lib_error();
	if (cdoc_json_check(in.data, in.len, 1, in.name) < 0) {
		cdoc_input_release(&in);
		return cli_lib_error();
	}
	cdoc_buf_add(b, in.data, in.len);
	cdoc_input_release(&in);
	return 0;
}

/* Load the merged FILEs (when any, or when no --view) and each --view. */
static int load_views(struct html_args *a, char **files, int nfiles,
                      struct cdoc_profile *p, struct cdoc_flame_view *v,
                      size_t *nv)
{
	int i;

	*nv = 0;
	if (nfiles || !a->nr_views) {
		cdoc_profile_init(&p[0]);
		v[0].name = "profile";
		v[0].p = &p[0];
		v[0].unit = a->unit;
		(*nv)++;
		if (cdoc_flame_load(&p[0], (const char *const *)files, nfiles,
		                    0) < 0)
			return cli_lib_error();
	}
	for (i = 0; i < a->nr_views; i++) {
		char *eq = strchr(a->views[i], '=');
		const char *path = eq + 1;
		size_t k = (*nv)++;

		*eq = '\0';
		cdoc_profile_init(&p[k]);
		v[k].name = a->views[i];
		v[k].p = &p[k];
		v[k].unit = a->unit;
		if (cdoc_flame_load(&p[k], &path, 1, 0) < 0)
			return cli_lib_error();
	}
	return 0;
}

int cmd_html(int argc, char **argv)
{
	struct html_args a = {.unit = "samples"};
	struct cdoc_buf b = CDOC_BUF_INIT, report = CDOC_BUF_INIT;
	struct cdoc_profile *p;
	struct cdoc_flame_view *v;
	size_t nv = 0, i;
	int ret;

	a.views = cdoc_calloc(argc, sizeof(*a.views));
	ret = parse_args(argc, argv, &a);
	if (ret) {
		free(a.views);
		return ret < 0 ? 0 : ret;
	}
	p = cdoc_calloc(a.nr_views + 1, sizeof(*p));
	v = cdoc_calloc(a.nr_views + 1, sizeof(*v));
	if (a.report)
		ret = read_report(a.report, &report);
	if (!ret)
		ret = load_views(&a, argv + optind, argc - optind, p, v, &nv);
	a.o.report_json = report.buf;
	if (!ret && cdoc_flame_html(&b, v, nv, &a.o) < 0)
		ret = cli_lib_error();
	if (!ret)
		ret = cli_write_output(a.out, &b);
	for (i = 0; i < nv; i++)
		cdoc_profile_release(&p[i]);
	cdoc_buf_release(&b);
	cdoc_buf_release(&report);
	free(p);
	free(v);
	free(a.views);
	return ret;
}
