/*
 * export.c - cdoctor export: a recording in the formats other tools read
 * (pprof, speedscope, cpuprofile, trace, folded).
 */
#include "common/cli.h"
#include "cdoctor/cdoctor.h"

#include "export/export.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
        "usage: cdoctor export REC --format FORMAT [--profile KIND] "
        "[-o FILE]\n"
        "Write recording REC in a format other tools read.\n\n"
        "  --format FORMAT  pprof       gzipped profile.proto (go tool "
        "pprof,\n"
        "                               Pyroscope, Parca, Grafana)\n"
        "                   speedscope  speedscope's JSON, a profile per "
        "thread\n"
        "                   cpuprofile  Chrome DevTools / VS Code "
        ".cpuprofile\n"
        "                   trace       Chrome trace-event JSON "
        "(Perfetto)\n"
        "                   folded      folded stacks (as report "
        "--folded)\n"
        "  --profile KIND   pprof: cpu (default), heap, leaks, offcpu or "
        "any\n"
        "                   profile name; others: a profile name "
        "(default cpu)\n"
        "  -o FILE          write to FILE instead of standard output\n\n"
        "Exit status: 0 written, 2 usage error, unreadable recording or "
        "no such\nprofile.\n";

struct args {
	const char *rec, *out, *kind;
	int format;
};

/* 1 to go on; 0 or 2 is the exit status. */
static int parse(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
	        {"format", required_argument, NULL, 'f'},
	        {"profile", required_argument, NULL, 'p'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	int c;

	a->format = -1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		if (c == 'f' && (a->format = cdoc_export_format(optarg)) < 0)
			return cli_usage_error("export", "unknown format '%s'",
			                       optarg);
		else if (c == 'p')
			a->kind = optarg;
		else if (c == 'o')
			a->out = optarg;
		else if (c == 'h')
			return fputs(usage, stdout), 0;
		else if (c != 'f')
			return cli_usage_error("export", "bad option");
	}
	if (a->format < 0 || optind != argc - 1)
		return cli_usage_error("export", "expected REC and --format");
	a->rec = argv[optind];
	return 1;
}

int cmd_export(int argc, char **argv)
{
	struct cdoc_buf out = CDOC_BUF_INIT;
	struct cdoc_recording r;
	struct args a = {0};
	int ret = parse(argc, argv, &a);

	if (ret != 1)
		return ret;
	if (cdoc_recording_load(&r, a.rec) < 0)
		return cli_lib_error();
	if (r.cut_short)
		cli_error("warning: %s", r.cut_short);
	ret = cdoc_export(&r, a.format, a.kind, &out) < 0 ? cli_lib_error() : 0;
	if (!ret)
		ret = cli_write_output(a.out, &out);
	cdoc_buf_release(&out);
	cdoc_recording_release(&r);
	return ret;
}
