/*
 * run.c - cdoctor run: launch a command under CPU sampling, write the
 * recording, print a summary and write the HTML report next to it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "cdoctor/cdoctor.h"
#include "cdoctor/run.h"
#include "report/report.h"

static const char run_usage[] =
        "usage: cdoctor run [OPTIONS] -- COMMAND [ARGS...]\n"
        "Run COMMAND under CPU sampling; write a recording, print a "
        "summary and\nwrite an HTML flame graph report "
        "(RECORDING.html).\n\n"
        "  -F, --freq HZ          samples per second per CPU (997)\n"
        "  -e, --event NAME       event: cpu-clock (default), task-clock,\n"
        "                         page-faults, context-switches, or any\n"
        "                         libpfm4 name (cycles, ...); unsupported\n"
        "                         hardware events fall back to cpu-clock\n"
        "      --call-graph MODE  dwarf (default), fp, or auto (fp for "
        "node)\n"
        "      --stack-size B     user stack bytes copied per sample for\n"
        "                         dwarf unwinding (16384)\n"
        "      --mmap-kib K       ring per CPU in KiB (4096; fp: 1024)\n"
        "  -d, --duration SEC     stop after SEC seconds (SIGINT to the\n"
        "                         command, SIGKILL 3 s later)\n"
        "      --on-port CMD      once COMMAND listens on a TCP port, run\n"
        "                         CMD with sh -c ($PORT substituted and in\n"
        "                         the environment); stop when CMD ends\n"
        "  -o, --output FILE      recording (cdoctor-NAME-PID.cdr)\n"
        "      --no-html          do not write RECORDING.html\n"
        "  -h, --help             this help\n\n"
        "Exit status: the command's (128+N when killed by signal N), 2 "
        "when\ncdoctor itself fails.\n";

static const struct option run_longopts[] = {
        {"freq", required_argument, NULL, 'F'},
        {"event", required_argument, NULL, 'e'},
        {"call-graph", required_argument, NULL, OPT_CG},
        {"stack-size", required_argument, NULL, OPT_STACK},
        {"mmap-kib", required_argument, NULL, OPT_MMAP},
        {"duration", required_argument, NULL, 'd'},
        {"on-port", required_argument, NULL, OPT_PORT},
        {"output", required_argument, NULL, 'o'},
        {"no-html", no_argument, NULL, OPT_NOHTML},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

static int parse_num(const char *sub, const char *opt, const char *arg,
                     double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || v < min || v > max)
		return cli_usage_error(sub,
		                       "%s: '%s' is not a number from %g "
		                       "to %g",
		                       opt, arg, min, max);
	*out = v;
	return 0;
}

static int parse_cg(const char *sub, const char *arg, int *out)
{
	if (!strcmp(arg, "dwarf"))
		*out = CDOC_CG_DWARF;
	else if (!strcmp(arg, "fp"))
		*out = CDOC_CG_FP;
	else if (!strcmp(arg, "auto"))
		*out = CDOC_CG_AUTO;
	else
		return cli_usage_error(sub,
		                       "--call-graph: '%s' is not dwarf, "
		                       "fp or auto",
		                       arg);
	return 0;
}

int run_common_opt(struct cdoc_collect_opts *o, const char *sub, int c,
                   const char *arg, int *no_html)
{
	double v;
	int ret = 0;

	switch (c) {
	case 'F':
		ret = parse_num(sub, "-F", arg, 1, 100000, &v);
		o->freq = (unsigned)v;
		break;
	case 'e':
		o->event = arg;
		break;
	case OPT_CG:
		ret = parse_cg(sub, arg, &o->call_graph);
		break;
	case OPT_STACK:
		ret = parse_num(sub, "--stack-size", arg, 8, 65528, &v);
		o->stack_size = ((unsigned)v + 7) & ~7u;
		break;
	case OPT_MMAP:
		ret = parse_num(sub, "--mmap-kib", arg, 32, 1 << 20, &v);
		o->ring_kib = (unsigned)v;
		break;
	case 'd':
		ret = parse_num(sub, "--duration", arg, 0.001, 1e7,
		                &o->duration);
		break;
	case 'o':
		o->output = arg;
		break;
	case OPT_NOHTML:
		*no_html = 1;
		break;
	default:
		return cli_usage_error(sub, "unknown option");
	}
	return ret;
}

static void print_summary(struct cdoc_recording *r)
{
	struct cdoc_report_opts ro;
	struct cdoc_buf b = CDOC_BUF_INIT;

	cdoc_report_opts_init(&ro);
	ro.top = 10;
	ro.colour = cli_colour(stderr);
	cdoc_report_text(r, &ro, &b);
	fputs("\n", stderr);
	cdoc_buf_write(&b, stderr);
	cdoc_buf_release(&b);
}

/* The HTML report (diagnoses, counters, flame graph) at @path. */
static int write_html(struct cdoc_recording *r, const char *path)
{
	struct cdoc_report_opts ro;
	struct cdoc_buf out = CDOC_BUF_INIT;
	FILE *f;
	int ret;

	cdoc_report_opts_init(&ro);
	ret = cdoc_report_html(r, &ro, &out);
	if (ret < 0)
		cli_lib_error();
	else if (!(f = cli_open_output(path)))
		ret = -EIO;
	else if ((cdoc_buf_write(&out, f) < 0) | cli_close_output(f, path))
		ret = -EIO;
	cdoc_buf_release(&out);
	return ret;
}

static void report(const struct cdoc_collect_result *res, int no_html)
{
	struct cdoc_recording r;
	struct cdoc_buf html = CDOC_BUF_INIT;

	if (cdoc_recording_load(&r, res->path) < 0) {
		cli_lib_error();
		return;
	}
	print_summary(&r);
	fprintf(stderr,
	        "cdoctor: %llu samples, %llu lost, %llu unwind "
	        "failures, %llu truncated stacks; collector CPU %.2f s\n",
	        (unsigned long long)res->stats.samples,
	        (unsigned long long)res->stats.lost,
	        (unsigned long long)res->stats.unwind_failures,
	        (unsigned long long)res->stats.truncated,
	        res->self_cpu_ns / 1e9);
	cdoc_buf_addf(&html, "%s.html", res->path);
	if (!no_html && write_html(&r, html.buf) == 0)
		fprintf(stderr, "recording: %s\nreport:    %s\n", res->path,
		        html.buf);
	else
		fprintf(stderr, "recording: %s\n", res->path);
	cdoc_buf_release(&html);
	cdoc_recording_release(&r);
}

int run_collect(const char *sub, struct cdoc_collect_opts *o, int no_html,
                int exit_with_target)
{
	struct cdoc_collector *c;
	struct cdoc_collect_result res;
	int ret;

	if (cdoc_collect_new(&c, o) < 0)
		return cli_lib_error();
	ret = cdoc_collect_start(c);
	if (ret < 0)
		goto fail;
	if (cdoc_collect_notice(c))
		cli_error("%s", cdoc_collect_notice(c));
	ret = cdoc_collect_loop(c);
	if (ret < 0)
		goto fail;
	ret = cdoc_collect_finish(c, &res);
	cdoc_collect_free(c);
	if (ret < 0) {
		cli_lib_error();
		cdoc_collect_result_release(&res);
		return 2;
	}
	report(&res, no_html);
	ret = exit_with_target ? res.exit_code : 0;
	cdoc_collect_result_release(&res);
	return ret;
fail:
	cli_lib_error();
	cdoc_collect_free(c);
	return 2;
}

int cmd_run(int argc, char **argv)
{
	struct cdoc_collect_opts o = {0};
	int c, no_html = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+F:e:d:o:h", run_longopts,
	                        NULL)) != -1) {
		if (c == 'h') {
			fputs(run_usage, stdout);
			return 0;
		}
		if (c == OPT_PORT)
			o.on_port = optarg;
		else if (c == '?' ||
		         run_common_opt(&o, "run", c, optarg, &no_html))
			return c == '?' ? cli_usage_error("run", "bad option")
			                : 2;
	}
	if (optind >= argc)
		return cli_usage_error("run", "no command given (cdoctor run "
		                              "-- COMMAND ARGS)");
	o.argv = argv + optind;
	return run_collect("run", &o, no_html, 1);
}
