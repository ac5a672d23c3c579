/*
 * run.c - cdoctor run: launch a command under CPU sampling, write the
 * recording, print a summary and write the HTML report next to it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cli.h"
#include "cdoctor/cdoctor.h"
#include "cdoctor/run.h"
#include "heap/heap.h"
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
        "      --push URL         when the run ends, send the profiles to "
        "the\n                         Pyroscope server at URL (cdoctor push)\n"
        "\nAllocation tracking (sampled by default; see docs/alloc.md):\n"
        "      --alloc-sample B   sample one allocation per B bytes\n"
        "                         allocated, on average (default 524288,\n"
        "                         ~1.05x); counts are scaled estimates\n"
        "      --alloc            track every heap allocation with its\n"
        "                         stack (exact; costs ~1.5-2x)\n"
        "      --no-alloc         no allocation tracking (no preload)\n"
        "      --alloc-mmap       anonymous mmap/munmap too\n"
        "      --alloc-fp         frame-pointer stacks (only right for\n"
        "                         code built with frame pointers)\n"
        "      --heap-interval S  heap snapshot every S seconds (and one\n"
        "                         at exit always)\n"
        "  -h, --help             this help\n\n"
        "Exit status: the command's (128+N when killed by signal N), 2 "
        "when\ncdoctor itself fails.\n";

static const struct option run_longopts[] = {
        RUN_COMMON_LONGOPTS,
        {"on-port", required_argument, NULL, OPT_PORT},
        {"push", required_argument, NULL, 'P'},
        {"alloc", no_argument, NULL, OPT_ALLOC},
        {"alloc-sample", required_argument, NULL, OPT_ALLOC_SAMPLE},
        {"alloc-mmap", no_argument, NULL, OPT_ALLOC_MMAP},
        {"alloc-fp", no_argument, NULL, OPT_ALLOC_FP},
        {"heap-interval", required_argument, NULL, OPT_HEAP_INTERVAL},
        {"no-alloc", no_argument, NULL, OPT_NO_ALLOC},
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

static const char *push_url; /* run --push URL */

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
	if (push_url)
		push_after_run(&r, push_url);
	cdoc_recording_release(&r);
}

/* The default sampling rate of `cdoctor run` (as Go's MemProfileRate). */
#define DEFAULT_SAMPLE 524288

/* Allocation tracking for `cdoctor run`: the shim's options. */
struct alloc_opts {
	int on;                     /* tracking (the default) */
	int asked;                  /* --alloc or --alloc-sample given */
	struct cdoc_heap_opts heap; /* what the shim is asked to do */
	double interval; /* --heap-interval seconds; 0: at exit only */
};

/* Join allocation tracking to @c (before its start); 0 or exit status. */
static int alloc_prepare(struct alloc_opts *a, struct cdoc_heap_source **hs)
{
	char *shim;
	int ret;

	*hs = NULL;
	if (!a || !a->on)
		return 0;
	shim = cli_find_shim(NULL);
	if (!shim || access(shim, R_OK) < 0) {
		/* the default tracking goes without; asked-for tracking fails */
		if (a->asked)
			cli_error("allocation tracking needs the preload "
			          "library, not found at %s (build it, or set "
			          "CDOC_SHIM)",
			          shim ? shim : "../lib/libcdoctor-alloc.so");
		else
			cli_error(
			        "warning: no allocation tracking: the preload "
			        "library is not at %s (set CDOC_SHIM)",
			        shim ? shim : "../lib/libcdoctor-alloc.so");
		free(shim);
		return a->asked ? 2 : 0;
	}
	a->heap.shim = shim;
	ret = cdoc_heap_source_prepare(hs, &a->heap,
	                               (unsigned)(a->interval * 1000));
	free(shim);
	a->heap.shim = NULL;
	return ret < 0 ? cli_lib_error() : 0;
}

int run_collect(const char *sub, struct cdoc_collect_opts *o, int no_html,
                int exit_with_target)
{
	return run_collect_alloc(sub, o, NULL, no_html, exit_with_target);
}

int run_collect_alloc(const char *sub, struct cdoc_collect_opts *o,
                      struct alloc_opts *a, int no_html, int exit_with_target)
{
	struct cdoc_heap_source *hs = NULL;
	struct cdoc_collector *c;
	struct cdoc_collect_result res;
	int ret;

	if (cdoc_collect_new(&c, o) < 0)
		return cli_lib_error();
	if ((ret = alloc_prepare(a, &hs))) {
		cdoc_collect_free(c);
		return ret;
	}
	ret = cdoc_collect_start(c);
	if (hs && ret >= 0)
		ret = cdoc_heap_source_attach(hs, c);
	if (ret < 0)
		goto fail;
	if (cdoc_collect_notice(c))
		cli_error("%s", cdoc_collect_notice(c));
	if (cdoc_heap_source_notice(hs))
		cli_error("warning: %s", cdoc_heap_source_notice(hs));
	else if (cdoc_heap_source_control(hs))
		cli_error("target pid %ld: 'cdoctor heap snapshot %ld' writes "
		          "a heap snapshot now",
		          (long)cdoc_collect_pid(c), (long)cdoc_collect_pid(c));
	ret = cdoc_collect_loop(c);
	if (ret < 0)
		goto fail;
	ret = cdoc_collect_finish(c, &res);
	cdoc_collect_free(c);
	cdoc_heap_source_free(hs);
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
	cdoc_heap_source_free(hs);
	return 2;
}

/* Options only `cdoctor run` has; 0, or an exit status. */
static int run_only_opt(struct cdoc_collect_opts *o, struct alloc_opts *a,
                        int c, const char *arg)
{
	double v;

	switch (c) {
	case 'P':
		push_url = arg;
		return 0;
	case OPT_PORT:
		o->on_port = arg;
		return 0;
	case OPT_ALLOC:
		a->asked = 1;
		a->heap.sample_rate = 0;
		return 0;
	case OPT_ALLOC_SAMPLE:
		if (parse_num("run", "--alloc-sample", arg, 1, 1e12, &v))
			return 2;
		a->asked = 1;
		a->heap.sample_rate = (uint64_t)v;
		return 0;
	case OPT_NO_ALLOC:
		a->on = 0;
		return 0;
	case OPT_ALLOC_MMAP:
		a->heap.track_mmap = 1;
		return 0;
	case OPT_ALLOC_FP:
		a->heap.use_fp = 1;
		return 0;
	case OPT_HEAP_INTERVAL:
		return parse_num("run", "--heap-interval", arg, 0.01, 1e6,
		                 &a->interval)
		               ? 2
		               : 0;
	}
	return -1;
}

int cmd_run(int argc, char **argv)
{
	struct cdoc_collect_opts o = {0};
	struct alloc_opts a = {.on = 1, .heap.sample_rate = DEFAULT_SAMPLE};
	int c, ret, no_html = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+F:e:d:o:h", run_longopts,
	                        NULL)) != -1) {
		if (c == 'h') {
			fputs(run_usage, stdout);
			return 0;
		}
		if (c == '?')
			return cli_usage_error("run", "bad option");
		ret = run_only_opt(&o, &a, c, optarg);
		if (ret > 0)
			return ret;
		if (ret < 0 && run_common_opt(&o, "run", c, optarg, &no_html))
			return 2;
	}
	if (optind >= argc)
		return cli_usage_error("run", "no command given (cdoctor run "
		                              "-- COMMAND ARGS)");
	if (!a.on &&
	    (a.asked || a.heap.track_mmap || a.heap.use_fp || a.interval))
		return cli_usage_error("run", "--no-alloc and the other "
		                              "allocation options exclude each "
		                              "other");
	o.argv = argv + optind;
	return run_collect_alloc("run", &o, &a, no_html, 1);
}
