/* diff.c - cflame diff (not yet written). */
#include "common/cli.h"
#include "cflame/cflame.h"

int cmd_diff(int argc, char **argv)
{
	cli_error("diff: not implemented yet");
	return 2;
}
