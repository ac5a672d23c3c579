/*
 * collapse.c - cflame collapse: perf script text to folded stacks, the
 * output of stackcollapse-perf.pl (see docs/cflame-collapse.md).
 */
#include "common/cli.h"
#include "cflame/cflame.h"
#include "perfscript/perfscript.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
        "usage: cflame collapse [OPTIONS] [FILE|-]...\n"
        "Read `perf script` output (plain or gzip; standard input when no\n"
        "FILE or '-') and print folded stacks, as stackcollapse-perf.pl.\n\n"
        "  --pid                include the PID with process names\n"
        "  --tid                include the PID and TID with process names\n"
        "  --kernel             annotate kernel functions with _[k]\n"
        "  --jit                annotate JIT functions with _[j]\n"
        "  --all                all annotations (--kernel --jit)\n"
        "  --addrs              include raw addresses where symbols are "
        "unknown\n"
        "  --event-filter EVENT keep samples of EVENT only (default: the\n"
        "                       first event in the input)\n"
        "  -o, --output FILE    write to FILE instead of standard output\n"
        "  --threads N          parser threads (default: by input size)\n"
        "  -h, --help           show this help\n\n"
        "--pid and --tid need PID and TID in the input:\n"
        "  perf script -F comm,pid,tid,cpu,time,event,ip,sym,dso,trace\n";

enum {
	OPT_PID = 256,
	OPT_TID,
	OPT_KERNEL,
	OPT_JIT,
	OPT_ALL,
	OPT_ADDRS,
	OPT_EVENT,
	OPT_THREADS,
	OPT_INLINE
};

static const struct option longopts[] = {
        {"pid", no_argument, NULL, OPT_PID},
        {"tid", no_argument, NULL, OPT_TID},
        {"kernel", no_argument, NULL, OPT_KERNEL},
        {"jit", no_argument, NULL, OPT_JIT},
        {"all", no_argument, NULL, OPT_ALL},
        {"addrs", no_argument, NULL, OPT_ADDRS},
        {"event-filter", required_argument, NULL, OPT_EVENT},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"inline", no_argument, NULL, OPT_INLINE},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

/* The on/off options; returns 0 when @c is not one of them. */
static int set_flag(int c, struct cdoc_perfscript_opts *o)
{
	if (c == OPT_PID)
		o->pid = 1;
	else if (c == OPT_TID)
		o->tid = 1;
	else if (c == OPT_KERNEL || c == OPT_ALL)
		o->kernel = 1;
	if (c == OPT_JIT || c == OPT_ALL)
		o->jit = 1;
	else if (c == OPT_ADDRS)
		o->addrs = 1;
	return c >= OPT_PID && c <= OPT_ADDRS;
}

/* Returns -1 to go on, or the exit status. */
static int parse_opt(int c, struct cdoc_perfscript_opts *o, const char **out)
{
	long threads;

	if (set_flag(c, o))
		return -1;
	switch (c) {
	case OPT_EVENT:
		o->event_filter = optarg;
		return -1;
	case OPT_THREADS:
		if (cli_parse_long("collapse", "--threads", optarg, 1, 64,
		                   &threads))
			return 2;
		o->threads = (int)threads;
		return -1;
	case 'o':
		*out = optarg;
		return -1;
	case 'h':
		fputs(usage, stdout);
		return 0;
	case OPT_INLINE:
		return cli_usage_error("collapse",
		                       "--inline (addr2line) is not supported; "
		                       "use perf script --inline instead");
	default:
		return cli_usage_error("collapse", "bad option");
	}
}

static int add_file(struct cdoc_perfscript *ps, const char *path)
{
	struct cdoc_input in;
	int ret;

	cli_progress("reading %s", path);
	if (cdoc_input_open(&in, path) < 0)
		return cli_lib_error();
	cli_progress("collapsing %s", in.name);
	ret = cdoc_perfscript_add(ps, &in);
	cdoc_input_release(&in);
	cli_progress_done();
	return ret < 0 ? cli_lib_error() : 0;
}

static void warn_skipped(const struct cdoc_perfscript *ps)
{
	struct cdoc_perfscript_stats st;

	cdoc_perfscript_stats(ps, &st);
	if (st.unrecognized)
		cli_error("warning: skipped %" PRIu64 " unrecognized line%s "
		          "(first at %s)",
		          st.unrecognized, st.unrecognized > 1 ? "s" : "",
		          st.first_unrecognized);
	if (st.filtered && st.event_defaulted)
		cli_error("kept only samples of the first event, '%s' (%" PRIu64
		          " of other events skipped; choose with "
		          "--event-filter)",
		          st.event, st.filtered);
}

static int write_out(const struct cdoc_perfscript *ps, const char *path)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	int ret;

	cdoc_perfscript_write(ps, &b);
	ret = cli_write_output(path, &b);
	cdoc_buf_release(&b);
	return ret;
}

int cmd_collapse(int argc, char **argv)
{
	struct cdoc_perfscript_opts opts = {0};
	struct cdoc_perfscript *ps;
	const char *out = NULL;
	int c, ret = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		ret = parse_opt(c, &opts, &out);
		if (ret >= 0)
			return ret;
	}
	ret = 0;
	ps = cdoc_perfscript_new(&opts);
	if (optind == argc)
		ret = add_file(ps, "-");
	for (; optind < argc && ret == 0; optind++)
		ret = add_file(ps, argv[optind]);
	if (ret == 0) {
		warn_skipped(ps);
		ret = write_out(ps, out);
	}
	cdoc_perfscript_free(ps);
	return ret;
}
