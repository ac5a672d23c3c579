/*
 * run.c - cdoctor run: launch a command under CPU sampling and allocation
 * tracking (lib/collect's run session), print a summary and write the
 * HTML report next to the recording.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "common/session.h"
#include "cdoctor/cdoctor.h"

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
        "                         dwarf unwinding (16384; 32768 for node)\n"
        "      --mmap-kib K       ring per CPU in KiB (4096; fp: 1024)\n"
        "      --no-offcpu        no off-CPU profiles (context-switch\n"
        "                         sampling: where threads wait, and how\n"
        "                         long; see docs/cdoctor-run.md)\n"
        "  -d, --duration SEC     stop after SEC seconds (SIGINT to the\n"
        "                         command, SIGKILL 3 s later)\n"
        "      --on-port CMD      once COMMAND listens on a TCP port, run\n"
        "                         CMD with sh -c ($PORT substituted and in\n"
        "                         the environment); stop when CMD ends\n"
        "      --port-wait SEC    with --on-port: warn when COMMAND has\n"
        "                         not listened after SEC seconds (10)\n"
        "  -o, --output FILE      recording (cdoctor-NAME-PID.cdr)\n"
        "      --no-html          do not write RECORDING.html\n"
        "      --open             open the report when done (xdg-open)\n"
        "      --force            replace an existing recording or report\n"
        "                         (without it cdoctor refuses to start)\n"
        "      --push URL         when the run ends, send the profiles to "
        "the\n                         Pyroscope server at URL (cdoctor push)\n"
        "      --push-interval SEC  with --push: also push every SEC "
        "seconds\n                         while the command runs (each "
        "push the\n                         samples of that interval)\n"
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
        "      --long-tick MS     event-loop ticks (from a wait call\n"
        "                         returning to the next: epoll_wait, poll,\n"
        "                         select, ...) of at least MS milliseconds\n"
        "                         are listed with their times (10); ticks\n"
        "                         come through the preload library\n"
        "\nNode.js targets (see docs/node.md):\n"
        "      --node-async       the agent also times async waits (from\n"
        "                         an operation's start to its callback,\n"
        "                         by the JS stack that started it)\n"
        "      --node-inlining    leave V8's inlining on (the agent turns\n"
        "                         it off so small hot functions keep\n"
        "                         their names in profiles)\n"
        "      --no-node-agent    no agent (CPU profile through the perf\n"
        "                         map only)\n"
        "  -h, --help             this help\n\n"
        "Exit status: the command's (128+N when killed by signal N), 2 "
        "when\ncdoctor itself fails (no file is written then).\n";

/* run's own option codes, apart from session.h's */
enum { OPT_LONG_TICK = 0x400 };
/* Node options (after the session's OPT_* values). */
enum { OPT_NODE_ASYNC = 0x4e00, OPT_NO_NODE_AGENT, OPT_NODE_INLINING };

static const struct option run_longopts[] = {
        CLI_SESSION_LONGOPTS,
        {"on-port", required_argument, NULL, OPT_PORT},
        {"port-wait", required_argument, NULL, OPT_PORT_WAIT},
        {"push", required_argument, NULL, 'P'},
        {"push-interval", required_argument, NULL, OPT_PUSH_INTERVAL},
        {"alloc", no_argument, NULL, OPT_ALLOC},
        {"alloc-sample", required_argument, NULL, OPT_ALLOC_SAMPLE},
        {"alloc-mmap", no_argument, NULL, OPT_ALLOC_MMAP},
        {"alloc-fp", no_argument, NULL, OPT_ALLOC_FP},
        {"heap-interval", required_argument, NULL, OPT_HEAP_INTERVAL},
        {"no-alloc", no_argument, NULL, OPT_NO_ALLOC},
        {"long-tick", required_argument, NULL, OPT_LONG_TICK},
        {"node-async", no_argument, NULL, OPT_NODE_ASYNC},
        {"no-node-agent", no_argument, NULL, OPT_NO_NODE_AGENT},
        {"node-inlining", no_argument, NULL, OPT_NODE_INLINING},
        {NULL, 0, NULL, 0},
};

static const char *push_url; /* --push URL */

static double push_interval; /* --push-interval SEC, 0 if none */

static void push_done(struct cdoc_recording *r)
{
	push_after_run(r, push_url);
}

static int push_started(struct cdoc_collector *c)
{
	return push_start_interval(c, push_url, push_interval);
}

/* Options only `cdoctor run` has: 0, 2 after a usage error, -1 when @c
 * is not one of them. */
static int run_only_opt(struct cdoc_collect_opts *o, int c, const char *arg)
{
	double v;

	switch (c) {
	case 'P':
		push_url = arg;
		cli_session_done = push_done;
		return 0;
	case OPT_PUSH_INTERVAL:
		return cli_parse_double("run", "--push-interval", arg, 0.1, 1e6,
		                        &push_interval);
	case OPT_PORT:
		o->on_port = arg;
		return 0;
	case OPT_PORT_WAIT:
		return cli_parse_double("run", "--port-wait", arg, 0.001, 1e7,
		                        &o->port_wait);
	case OPT_ALLOC:
		o->alloc = CDOC_ALLOC_ALL;
		return 0;
	case OPT_ALLOC_SAMPLE:
		if (cli_parse_double("run", "--alloc-sample", arg, 1, 1e12, &v))
			return 2;
		o->alloc = CDOC_ALLOC_SAMPLED;
		o->alloc_sample = (uint64_t)v;
		return 0;
	case OPT_NO_ALLOC:
		o->alloc = CDOC_ALLOC_NONE;
		return 0;
	case OPT_ALLOC_MMAP:
		o->alloc_mmap = 1;
		return 0;
	case OPT_ALLOC_FP:
		o->alloc_fp = 1;
		return 0;
	case OPT_HEAP_INTERVAL:
		return cli_parse_double("run", "--heap-interval", arg, 0.01,
		                        1e6, &o->heap_interval);
	case OPT_LONG_TICK:
		if (cli_parse_double("run", "--long-tick", arg, 0.001, 1e7, &v))
			return 2;
		o->long_tick_ns = (uint64_t)(v * 1e6);
		return 0;
	case OPT_NODE_ASYNC:
		o->node_async = 1;
		return 0;
	case OPT_NODE_INLINING:
		o->node_inlining = 1;
		return 0;
	case OPT_NO_NODE_AGENT:
		o->node_agent = CDOC_NODE_AGENT_OFF;
		return 0;
	}
	return -1;
}

/* --no-alloc with another allocation option (in any order). */
static int alloc_conflict(const struct cdoc_collect_opts *o, int no_alloc)
{
	return no_alloc && (o->alloc_sample || o->alloc_mmap || o->alloc_fp ||
	                    o->heap_interval || o->alloc == CDOC_ALLOC_ALL ||
	                    o->long_tick_ns);
}

int cmd_run(int argc, char **argv)
{
	struct cdoc_collect_opts o = {.html = 1, .alloc = CDOC_ALLOC_DEFAULT};
	int c, ret, no_alloc = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+F:e:d:o:h", run_longopts,
	                        NULL)) != -1) {
		if (c == 'h') {
			fputs(run_usage, stdout);
			return 0;
		}
		if (c == '?')
			return cli_usage_error("run", "bad option");
		no_alloc |= c == OPT_NO_ALLOC;
		ret = run_only_opt(&o, c, optarg);
		if (ret > 0)
			return ret;
		if (ret < 0 && cli_session_opt(&o, "run", c, optarg))
			return 2;
	}
	if (optind >= argc)
		return cli_usage_error("run", "no command given (cdoctor run "
		                              "-- COMMAND ARGS)");
	if (alloc_conflict(&o, no_alloc))
		return cli_usage_error("run", "--no-alloc and the other "
		                              "allocation options exclude each "
		                              "other");
	if (no_alloc)
		o.alloc = CDOC_ALLOC_NONE;
	if (push_interval && !push_url)
		return cli_usage_error("run", "--push-interval needs --push "
		                              "URL");
	if (push_interval)
		cli_session_started = push_started;
	o.argv = argv + optind;
	ret = cli_session_run(&o, 1);
	push_stop_interval();
	return ret;
}
