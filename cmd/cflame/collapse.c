/* collapse.c - cflame collapse (not yet written). */
#include "common/cli.h"
#include "cflame/cflame.h"

int cmd_collapse(int argc, char **argv)
{
	cli_error("collapse: not implemented yet");
	return 2;
}
