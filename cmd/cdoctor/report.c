/*
 * report.c - cdoctor report: render a recording again, in any format.
 */
#include "common/cli.h"
#include "cdoctor/cdoctor.h"

#include "report/report.h"

#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
        "usage: cdoctor report REC [--text | --json | --html FILE |\n"
        "                          --folded KIND | --tui [KIND]] [-o FILE]\n"
        "Render recording REC (written by cdoctor run).\n\n"
        "  --text          terminal summary with diagnoses (default)\n"
        "  --json          everything, machine-readable\n"
        "  --html FILE     one self-contained HTML page with flame graphs\n"
        "  --folded KIND   folded stacks of profile KIND (cpu, alloc_bytes,\n"
        "                  alloc_count, leaked_bytes, leaked_count, ...)\n"
        "  --tui           browse top functions, callers and callees\n"
        "  --top N         rows of the top-function tables (default 10)\n"
        "  -o FILE         write to FILE instead of standard output\n\n"
        "Exit status: 0 rendered (also for a recording cut short, with a\n"
        "warning), 2 usage error or a file that is not a valid recording.\n";

enum fmt { TEXT, JSON, HTML, FOLDED, TUI };

struct args {
	enum fmt fmt;
	const char *rec, *out, *kind;
	size_t top;
};

/* 1 to go on; 0 or 2 is the exit status (--help, usage error). */
static int parse(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
	        {"text", no_argument, NULL, 't'},
	        {"json", no_argument, NULL, 'j'},
	        {"html", required_argument, NULL, 'H'},
	        {"folded", required_argument, NULL, 'f'},
	        {"tui", no_argument, NULL, 'u'},
	        {"top", required_argument, NULL, 'n'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	long top;
	int c;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			a->fmt = TEXT;
			break;
		case 'j':
			a->fmt = JSON;
			break;
		case 'H':
			a->fmt = HTML;
			a->out = optarg;
			break;
		case 'f':
			a->fmt = FOLDED;
			a->kind = optarg;
			break;
		case 'u':
			a->fmt = TUI;
			break;
		case 'o':
			a->out = optarg;
			break;
		case 'n':
			if (cli_parse_long("report", "--top", optarg, 0,
			                   INT_MAX, &top))
				return 2;
			a->top = (size_t)top;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return cli_usage_error("report", "bad option");
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("report", "expected one recording");
	a->rec = argv[optind];
	return 1;
}

static int render(struct cdoc_recording *r, const struct args *a,
                  struct cdoc_buf *out)
{
	struct cdoc_report_opts o;

	cdoc_report_opts_init(&o);
	if (a->top)
		o.top = a->top;
	switch (a->fmt) {
	case JSON:
		return cdoc_report_json(r, &o, out);
	case HTML:
		return cdoc_report_html(r, &o, out);
	case FOLDED:
		return cdoc_report_folded(r, a->kind, out);
	case TUI:
		return cdoc_report_tui(r, a->kind);
	default:
		o.colour = !a->out || !strcmp(a->out, "-") ? cli_colour(stdout)
		                                           : 0;
		return cdoc_report_text(r, &o, out);
	}
}

int cmd_report(int argc, char **argv)
{
	struct args a = {TEXT, NULL, NULL, "cpu", 0};
	struct cdoc_recording r;
	struct cdoc_buf out = CDOC_BUF_INIT;
	int ret = parse(argc, argv, &a);

	if (ret != 1)
		return ret;
	if (cdoc_recording_load(&r, a.rec) < 0)
		return cli_lib_error();
	if (r.cut_short)
		cli_error("warning: %s", r.cut_short);
	ret = render(&r, &a, &out);
	if (ret < 0)
		ret = cli_lib_error();
	else if (a.fmt != TUI)
		ret = cli_write_output(a.out, &out);
	cdoc_buf_release(&out);
	cdoc_recording_release(&r);
	return ret;
}
