/* run.c - cdoctor run (not yet written). */
#include "common/cli.h"
#include "cdoctor/cdoctor.h"

int cmd_run(int argc, char **argv)
{
	cli_error("run: not implemented yet");
	return 2;
}
