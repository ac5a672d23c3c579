/* top.c - cflame top (not yet written). */
#include "common/cli.h"
#include "cflame/cflame.h"

int cmd_top(int argc, char **argv)
{
	cli_error("top: not implemented yet");
	return 2;
}
