/*
 * attach.c - cdoctor attach: sample a running process and all its threads
 * until Ctrl-C, the duration, or the process's exit.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "common/session.h"
#include "cdoctor/cdoctor.h"

static const char attach_usage[] =
        "usage: cdoctor attach -p PID [OPTIONS]\n"
        "Sample a running process (every thread, and children it starts)\n"
        "until Ctrl-C, --duration, or its exit; write a recording, print a\n"
        "summary and write RECORDING.html. The process is not signalled.\n\n"
        "  -p, --pid PID          the process\n"
        "  -F, --freq HZ          samples per second per CPU (997)\n"
        "  -e, --event NAME       event (cpu-clock; see cdoctor run --help)\n"
        "      --call-graph MODE  dwarf (default), fp, or auto\n"
        "      --stack-size B     stack bytes per sample for dwarf (16384)\n"
        "      --mmap-kib K       ring per CPU in KiB (4096; fp: 1024)\n"
        "      --no-offcpu        no off-CPU profiles\n"
        "  -d, --duration SEC     stop after SEC seconds\n"
        "  -o, --output FILE      recording (cdoctor-NAME-PID.cdr)\n"
        "      --no-html          do not write RECORDING.html\n"
        "      --open             open the report when done (xdg-open)\n"
        "      --force            replace an existing recording or report\n"
        "  -h, --help             this help\n";

static const struct option attach_longopts[] = {
        {"pid", required_argument, NULL, 'p'},
        CLI_SESSION_LONGOPTS,
        {NULL, 0, NULL, 0},
};

static int parse_pid(const char *arg, pid_t *out)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (end == arg || *end || v <= 0 || v > 0x3fffffff)
		return cli_usage_error("attach", "-p: '%s' is not a pid", arg);
	*out = (pid_t)v;
	return 0;
}

int cmd_attach(int argc, char **argv)
{
	struct cdoc_collect_opts o = {.html = 1};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "p:F:e:d:o:h", attach_longopts,
	                        NULL)) != -1) {
		if (c == 'h') {
			fputs(attach_usage, stdout);
			return 0;
		}
		if (c == '?')
			return cli_usage_error("attach", "bad option");
		if (c == 'p' ? parse_pid(optarg, &o.pid)
		             : cli_session_opt(&o, "attach", c, optarg))
			return 2;
	}
	if (optind < argc)
		return cli_usage_error("attach", "unexpected argument '%s'",
		                       argv[optind]);
	if (!o.pid)
		return cli_usage_error("attach", "-p PID is required");
	return cli_session_run(&o, 0);
}
