/*
 * cdoctor - run a program under profiling and tell what is wrong with it.
 */
#include "common/cli.h"
#include "cdoctor/cdoctor.h"

#include <stdio.h>
#include <string.h>

/* The release; the build sets it from CMakeLists.txt. */
#ifndef CDOC_VERSION_STRING
#error "CDOC_VERSION_STRING comes from CMakeLists.txt (project VERSION)"
#endif

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
	if (argc == 2 &&
	    (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")))
		return printf("cdoctor %s\n", CDOC_VERSION_STRING) < 0 ||
		       fflush(stdout) != 0;
	return cli_dispatch(cmds,
	                    "usage: cdoctor COMMAND [OPTIONS]\n"
	                    "       cdoctor --version\n"
	                    "Run 'cdoctor COMMAND --help' for its options.\n\n"
	                    "Commands:\n",
	                    argc, argv);
}
