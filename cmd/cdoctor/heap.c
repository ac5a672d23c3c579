/*
 * heap.c - cdoctor heap: allocation tracking on its own.
 *
 *   cdoctor heap run [opts] -- CMD ARGS   track CMD, write FILE.heap
 *   cdoctor heap [opts] FILE              summary of a .heap or a stream dump
 *   cdoctor heap diff [opts] A B          call sites by growth of live bytes
 *   cdoctor heap snapshot PID [--name N]  ask a running `run --alloc`
 *   cdoctor heap export REC --snapshot N -o FILE.heap
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "cdoctor/cdoctor.h"
#include "collect/collect.h"
#include "heap/heap.h"
#include "heapctl/heapctl.h"
#include "heapfile/heapfile.h"
#include "report/report.h"

static const char usage[] =
        "usage: cdoctor heap run [OPTIONS] -- CMD [ARGS...]\n"
        "       cdoctor heap [OPTIONS] FILE      (a .heap snapshot, a "
        "recording, a stream dump)\n"
        "       cdoctor heap diff [OPTIONS] A B  (snapshots, or recordings: "
        "their last)\n"
        "       cdoctor heap diff [OPTIONS] REC  (a recording's first "
        "snapshot against its last)\n"
        "       cdoctor heap snapshot PID [--name NAME]  (a snapshot now, "
        "from a running\n"
        "                     'cdoctor run --alloc' of target PID, into "
        "its recording)\n"
        "       cdoctor heap export REC --snapshot N -o FILE.heap  (one "
        "snapshot of a\n"
        "                     recording as its own .heap file)\n\n"
        "Options:\n"
        "  -o FILE            output: the .heap file for 'run' (default "
        "cdoctor.heap),\n"
        "                     the report otherwise (default stdout)\n"
        "  --folded KIND      print folded stacks weighted by KIND: "
        "alloc_bytes,\n"
        "                     alloc_count, live_bytes, live_count, leaked, "
        "peak, temp\n"
        "  --top N            call sites per list (default 10)\n"
        "  --snapshot N       which snapshot of a recording: 0 the first, -1 "
        "the last,\n"
        "                     or a name (\"exit\", \"t=0.500s\", a name "
        "given to 'snapshot')\n"
        "  --list             list the snapshots of a recording\n"
        "snapshot options:\n"
        "  --name NAME        the snapshot's name (default ondemand-N)\n"
        "run options:\n"
        "  --sample BYTES     sample one allocation per BYTES on average "
        "(estimates)\n"
        "  --mmap             also track anonymous mmap/munmap\n"
        "  --fp               unwind with frame pointers (faster; needs "
        "-fno-omit-frame-pointer)\n"
        "  --interval MS      also write a snapshot every MS ms (FILE.1.heap, "
        "...);\n"
        "                     SIGUSR1 to cdoctor writes one at once\n"
        "  --dump FILE        keep the raw allocation stream in FILE\n"
        "  --shim PATH        the preload library (default: next to cdoctor)\n"
        "  -q                 do not print the summary\n";

/* struct heapopts - the options of every form. */
struct heapopts {
	const char *out, *dump, *shim;
	int folded, top, quiet, interval_ms;
	long snapshot;         /* which snapshot of a recording; -1 the last */
	const char *snap_name; /* or the one with this name */
	const char *name;      /* 'snapshot': the name to give it */
	int list;              /* --list: the snapshots of a recording */
	struct cdoc_heap_opts shimopts;
};

enum {
	OPT_FOLDED = 256,
	OPT_TOP,
	OPT_SAMPLE,
	OPT_MMAP,
	OPT_FP,
	OPT_INTERVAL,
	OPT_DUMP,
	OPT_SHIM,
	OPT_SNAPSHOT,
	OPT_NAME,
	OPT_LIST
};

static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"folded", required_argument, NULL, OPT_FOLDED},
        {"top", required_argument, NULL, OPT_TOP},
        {"sample", required_argument, NULL, OPT_SAMPLE},
        {"mmap", no_argument, NULL, OPT_MMAP},
        {"fp", no_argument, NULL, OPT_FP},
        {"interval", required_argument, NULL, OPT_INTERVAL},
        {"dump", required_argument, NULL, OPT_DUMP},
        {"shim", required_argument, NULL, OPT_SHIM},
        {"snapshot", required_argument, NULL, OPT_SNAPSHOT},
        {"name", required_argument, NULL, OPT_NAME},
        {"list", no_argument, NULL, OPT_LIST},
        {NULL, 0, NULL, 0},
};

/* --snapshot: an index (negative from the end) or a name. */
static int parse_snapshot(struct heapopts *o, const char *arg)
{
	long v;

	if (cli_strtol(arg, &v) == 0) {
		o->snapshot = v;
		o->snap_name = NULL;
	} else if (*arg) {
		o->snap_name = arg;
	} else {
		return cli_usage_error("heap", "empty --snapshot");
	}
	return 0;
}

static int parse_opt(struct heapopts *o, int c)
{
	long v;

	switch (c) {
	case 'o':
		o->out = optarg;
		return 0;
	case 'q':
		o->quiet = 1;
		return 0;
	case OPT_FOLDED:
		o->folded = cdoc_heap_kind_parse(optarg);
		return o->folded < 0 ? cli_usage_error("heap",
		                                       "unknown kind "
		                                       "'%s'",
		                                       optarg)
		                     : 0;
	case OPT_MMAP:
		o->shimopts.track_mmap = 1;
		return 0;
	case OPT_FP:
		o->shimopts.use_fp = 1;
		return 0;
	case OPT_DUMP:
		o->shimopts.dump = optarg;
		return 0;
	case OPT_SHIM:
		o->shim = optarg;
		return 0;
	case OPT_SNAPSHOT:
		return parse_snapshot(o, optarg);
	case OPT_NAME:
		o->name = optarg;
		return 0;
	case OPT_LIST:
		o->list = 1;
		return 0;
	}
	if (c != OPT_TOP && c != OPT_SAMPLE && c != OPT_INTERVAL)
		return cli_usage_error("heap", "bad option");
	if (cli_parse_long("heap",
	                   c == OPT_TOP      ? "--top"
	                   : c == OPT_SAMPLE ? "--sample"
	                                     : "--interval",
	                   optarg, 0, INT_MAX, &v))
		return 2;
	if (c == OPT_TOP)
		o->top = (int)v;
	else if (c == OPT_SAMPLE)
		o->shimopts.sample_rate = (uint64_t)v;
	else
		o->interval_ms = (int)v;
	return 0;
}

/* Options anywhere, except for 'run', whose command follows them. */
static int parse(struct heapopts *o, int argc, char **argv)
{
	const char *optstr = strcmp(argv[0], "run") ? "ho:q" : "+ho:q";
	int c, ret;

	o->folded = -1;
	o->top = 10;
	o->snapshot = -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, optstr, longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			exit(0);
		}
		if (c == '?')
			return cli_usage_error("heap", "bad option");
		if ((ret = parse_opt(o, c)) != 0)
			return ret;
	}
	return 0;
}

/* Print the summary or folded stacks of @s to -o (or stdout). */
static int show(const struct heapopts *o, const char *path,
                const struct cdoc_heap_snap *s)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	int ret;

	if (o->folded >= 0)
		cdoc_heap_folded(s, o->folded, &b);
	else
		cdoc_heap_report_text(s, o->top, &b);
	ret = cli_write_output(path, &b);
	cdoc_buf_release(&b);
	return ret;
}

/* --list: index, name, time and live bytes of each snapshot. */
static int list(const char *path)
{
	struct cdoc_heap_rec_entry *e;
	size_t i, n;
	int ret = cdoc_heap_rec_list(path, &e, &n);

	for (i = 0; i < n; i++)
		printf("%3zu  %-24s %10.3f s %14llu live bytes\n", i, e[i].name,
		       e[i].time_ns / 1e9, (unsigned long long)e[i].live_bytes);
	cdoc_heap_rec_list_free(e, n);
	return ret < 0 ? cli_lib_error() : 0;
}

static int heap_show(struct heapopts *o, int argc, char **argv)
{
	struct cdoc_heap_snap s;
	int ret;

	if (argc - optind != 1)
		return cli_usage_error("heap", "expected one FILE");
	cdoc_heap_snap_init(&s);
	if (o->list)
		return list(argv[optind]);
	ret = cdoc_heap_load_any(&s, argv[optind], o->snapshot, o->snap_name);
	if (ret < 0)
		ret = cli_lib_error();
	else
		ret = show(o, o->out, &s);
	cdoc_heap_snap_release(&s);
	return ret;
}

static int heap_diff(struct heapopts *o, int argc, char **argv)
{
	struct cdoc_heap_snap a, b;
	struct cdoc_heap_growth *rows = NULL;
	struct cdoc_buf out = CDOC_BUF_INIT;
	size_t nr = 0;
	int ret = 2;

	if (argc - optind != 2 && argc - optind != 1)
		return cli_usage_error("heap", "diff needs two snapshots, or a "
		                               "recording");
	cdoc_heap_snap_init(&a);
	cdoc_heap_snap_init(&b);
	/* one recording: its first snapshot against its last */
	if (cdoc_heap_load_any(&a, argv[optind], argc - optind == 1 ? 0 : -1,
	                       NULL) < 0 ||
	    cdoc_heap_load_any(&b, argv[argc - 1], -1, NULL) < 0) {
		ret = cli_lib_error();
		goto out;
	}
	cdoc_heap_diff(&a, &b, &rows, &nr);
	cdoc_heap_diff_text(&a, &b, rows, nr, o->top, &out);
	ret = cli_write_output(o->out, &out);
out:
	free(rows);
	cdoc_buf_release(&out);
	cdoc_heap_snap_release(&a);
	cdoc_heap_snap_release(&b);
	return ret;
}

static volatile sig_atomic_t snap_wanted;

static void on_usr1(int sig)
{
	snap_wanted = 1;
}

/* run: the command under tracking; exits with its exit code. */
static int heap_run(struct heapopts *o, int argc, char **argv)
{
	struct cdoc_heap_run_opts ro = {.argv = argv + optind,
	                                .interval_ms = (unsigned)o->interval_ms,
	                                .snap_now = &snap_wanted};
	struct cdoc_heap_run_result res;
	char *shim;
	int ret;

	if (optind >= argc)
		return cli_usage_error("heap", "run needs a command after --");
	ro.output = o->out ? o->out : "cdoctor.heap";
	shim = cli_find_shim(o->shim);
	ro.shim = o->shimopts;
	ro.shim.shim = shim;
	signal(SIGINT, SIG_IGN);
	signal(SIGUSR1, on_usr1);
	ret = cdoc_heap_run(&ro, &res);
	free(shim);
	if (res.warning)
		cli_error("warning: %s", res.warning);
	if (ret < 0)
		ret = cli_lib_error();
	if (res.exec_errno)
		ret = res.exit_code; /* 127, as a shell says */
	if (!ret && !o->quiet)
		ret = show(o, "-", &res.snap);
	if (!ret)
		ret = res.exit_code;
	cdoc_heap_run_result_release(&res);
	return ret;
}

/* snapshot PID: ask the run for a snapshot now; print its answer. */
static int heap_snapshot(struct heapopts *o, int argc, char **argv)
{
	char *reply = NULL;
	long pid;
	int ret;

	if (argc - optind != 1)
		return cli_usage_error("heap", "snapshot needs one PID");
	if (cli_strtol(argv[optind], &pid) < 0 || pid <= 0 || pid > INT_MAX)
		return cli_usage_error("heap", "'%s' is not a pid",
		                       argv[optind]);
	if (cdoc_heap_control_request((pid_t)pid, o->name, 30000, &reply) < 0)
		return cli_lib_error();
	ret = strncmp(reply, "ok ", 3) ? 2 : 0;
	if (ret)
		cli_error("run of pid %ld: %s", pid, reply);
	else
		printf("%s\n", reply);
	free(reply);
	return ret;
}

/* export REC --snapshot N -o FILE.heap: one snapshot as its own file. */
static int heap_export(struct heapopts *o, int argc, char **argv)
{
	struct cdoc_heap_snap s;
	struct cdoc_buf b = CDOC_BUF_INIT;
	int ret = 2;

	if (argc - optind != 1 || !o->out)
		return cli_usage_error("heap", "export needs a recording and "
		                               "-o FILE.heap");
	if (cdoc_heap_file_kind(argv[optind]) != CDOC_HEAP_FILE_RECORDING)
		return cli_usage_error("heap", "%s is not a cdoctor recording",
		                       argv[optind]);
	cdoc_heap_snap_init(&s);
	if (cdoc_heap_rec_load_file(&s, argv[optind], o->snapshot,
	                            o->snap_name) < 0) {
		ret = cli_lib_error();
		goto out;
	}
	cdoc_heap_snap_encode(&s, &b);
	ret = cli_write_output(o->out, &b);
out:
	cdoc_buf_release(&b);
	cdoc_heap_snap_release(&s);
	return ret;
}

/* The forms with a leading word: run, diff, snapshot, export. */
static const struct {
	const char *name;
	int (*fn)(struct heapopts *o, int argc, char **argv);
} forms[] = {
        {"run", heap_run},
        {"diff", heap_diff},
        {"snapshot", heap_snapshot},
        {"export", heap_export},
};

int cmd_heap(int argc, char **argv)
{
	struct heapopts o = {0};
	int ret;

	for (size_t i = 0; argc >= 2 && i < CDOC_ARRAY_SIZE(forms); i++) {
		if (strcmp(argv[1], forms[i].name))
			continue;
		if ((ret = parse(&o, argc - 1, argv + 1)) != 0)
			return ret;
		return forms[i].fn(&o, argc - 1, argv + 1);
	}
	if ((ret = parse(&o, argc, argv)) != 0)
		return ret;
	return heap_show(&o, argc, argv);
}
