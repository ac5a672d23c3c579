/* attach.c - cdoctor attach (not yet written). */
#include "common/cli.h"
#include "cdoctor/cdoctor.h"

int cmd_attach(int argc, char **argv)
{
	cli_error("attach: not implemented yet");
	return 2;
}
