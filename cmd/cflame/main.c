/*
 * cflame - stacks to flame graphs: perf script text to folded stacks, and
 * folded stacks to SVG, HTML, differentials and top-N tables.
 */
#include "common/cli.h"
#include "cflame/cflame.h"

static const struct cli_cmd cmds[] = {
        {"collapse", cmd_collapse, "perf script text -> folded stacks"},
        {"svg", cmd_svg, "folded stacks -> interactive SVG flame graph"},
        {"html", cmd_html, "folded stacks -> self-contained HTML page"},
        {"diff", cmd_diff, "two profiles -> differential stacks or picture"},
        {"top", cmd_top, "top functions by self and total"},
        {NULL, NULL, NULL},
};

int main(int argc, char **argv)
{
	cli_prog = "cflame";
	return cli_dispatch(cmds,
	                    "usage: cflame COMMAND [OPTIONS] [FILE...]\n"
	                    "Run 'cflame COMMAND --help' for its options.\n\n"
	                    "Commands:\n",
	                    argc, argv);
}
