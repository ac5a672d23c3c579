/* html.c - cflame html (not yet written). */
#include "common/cli.h"
#include "cflame/cflame.h"

int cmd_html(int argc, char **argv)
{
	cli_error("html: not implemented yet");
	return 2;
}
