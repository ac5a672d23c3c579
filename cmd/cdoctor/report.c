/* report.c - cdoctor report (not yet written). */
#include "common/cli.h"
#include "cdoctor/cdoctor.h"

int cmd_report(int argc, char **argv)
{
	cli_error("report: not implemented yet");
	return 2;
}
