/* svg.c - cflame svg (not yet written). */
#include "common/cli.h"
#include "cflame/cflame.h"

int cmd_svg(int argc, char **argv)
{
	cli_error("svg: not implemented yet");
	return 2;
}
