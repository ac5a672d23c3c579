/* sysinfo.c - cdoctor sysinfo (not yet written). */
#include "common/cli.h"
#include "cdoctor/cdoctor.h"

int cmd_sysinfo(int argc, char **argv)
{
	cli_error("sysinfo: not implemented yet");
	return 2;
}
