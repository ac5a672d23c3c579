/*
 * cdoctor - run a program under profiling and tell what is wrong with it.
 */
#include "common/cli.h"
#include "cdoctor/cdoctor.h"

static const struct cli_cmd cmds[] = {
        {"run", cmd_run, "launch a program under profiling"},
        {"attach", cmd_attach, "profile a running process"},
        {"report", cmd_report, "render a recording (text, HTML, JSON, ...)"},
        {"heap", cmd_heap, "heap summary, snapshots and diffs"},
        {"check", cmd_check, "CI regression gate against a baseline"},
        {"export", cmd_export, "a recording as pprof, speedscope, trace, ..."},
        {"push", cmd_push, "send profiles to a Pyroscope server"},
        {"merge", cmd_merge, "aggregate recordings into one"},
        {"sysinfo", cmd_sysinfo, "what this machine allows for profiling"},
        {NULL, NULL, NULL},
};

int main(int argc, char **argv)
{
	cli_prog = "cdoctor";
	return cli_dispatch(cmds,
	                    "usage: cdoctor COMMAND [OPTIONS]\n"
	                    "Run 'cdoctor COMMAND --help' for its options.\n\n"
	                    "Commands:\n",
	                    argc, argv);
}
