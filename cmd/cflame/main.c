/*
 * cflame - stacks to flame graphs: perf script text to folded stacks, and
 * folded stacks to SVG, HTML, differentials and top-N tables.
 */
#include "common/cli.h"
#include "cflame/cflame.h"

#include <stdio.h>
#include <string.h>

/* The release; the build sets it from CMakeLists.txt. */
#ifndef CDOC_VERSION_STRING
#error "CDOC_VERSION_STRING comes from CMakeLists.txt (project VERSION)"
#endif

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
	if (argc == 2 &&
	    (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")))
		return printf("cflame %s\n", CDOC_VERSION_STRING) < 0 ||
		       fflush(stdout) != 0;
	return cli_dispatch(cmds,
	                    "usage: cflame COMMAND [OPTIONS] [FILE...]\n"
	                    "       cflame --version\n"
	                    "Run 'cflame COMMAND --help' for its options.\n\n"
	                    "Commands:\n",
	                    argc, argv);
}
