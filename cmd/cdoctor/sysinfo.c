/*
 * sysinfo.c - cdoctor sysinfo: what this machine allows for profiling,
 * and what to run where it does not.
 */
#include "common/cli.h"
#include "cdoctor/cdoctor.h"

#include "doctor/doctor.h"

#include <string.h>

static const char usage[] =
        "usage: cdoctor sysinfo [--json] [-o FILE]\n"
        "Show what this machine allows for profiling: perf_event_paranoid,\n"
        "kptr_restrict, which perf events open, hardware counters and PMUs,\n"
        "kernel symbols, debug info, container/VM hints; and for each "
        "blocker,\nthe command that lifts it.\n";

int cmd_sysinfo(int argc, char **argv)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	struct cdoc_sysinfo si;
	const char *out = NULL;
	int json = 0, i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return fputs(usage, stdout), 0;
		else if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out = argv[++i];
		else
			return cli_usage_error("sysinfo", "unexpected '%s'",
			                       argv[i]);
	}
	cdoc_sysinfo_probe(&si);
	if (json)
		cdoc_sysinfo_json(&si, &b);
	else
		cdoc_sysinfo_text(
		        &si, (!out || !strcmp(out, "-")) && cli_colour(stdout),
		        &b);
	ret = cli_write_output(out, &b);
	cdoc_buf_release(&b);
	return ret;
}
