/* check.c - cdoctor check (not yet written). */
#include "common/cli.h"
#include "cdoctor/cdoctor.h"

int cmd_check(int argc, char **argv)
{
	cli_error("check: not implemented yet");
	return 2;
}
