/*
 * merge.c - cdoctor merge: sum recordings from many hosts or runs into
 * one.
 */
#include "common/cli.h"
#include "cdoctor/cdoctor.h"

#include "export/export.h"

#include <getopt.h>

static const char usage[] =
        "usage: cdoctor merge A.cdr B.cdr ... -o ALL.cdr\n"
        "Sum the profiles (by call path) and counters of the recordings "
        "into\none recording; processes are listed, META comes from the "
        "last input.\nTime lines and metrics are not merged (runs share no "
        "clock).\n\n"
        "Exit status: 0 written, 2 usage error or an unreadable "
        "recording.\n";

int cmd_merge(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *out = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		if (c == 'o')
			out = optarg;
		else if (c == 'h')
			return fputs(usage, stdout), 0;
		else
			return cli_usage_error("merge", "bad option");
	}
	if (!out || optind >= argc)
		return cli_usage_error("merge", "expected recordings and -o "
		                                "OUT");
	if (cdoc_export_merge((const char *const *)argv + optind,
	                      (size_t)(argc - optind), out) < 0)
		return cli_lib_error();
	return 0;
}
