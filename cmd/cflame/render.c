/*
 * render.c - flamegraph.pl's options for cflame svg and cflame diff --svg,
 * and writing the result.
 */
#include "cflame/render.h"

#include "common/cli.h"

#include <string.h>

/* Name and whether it takes a value; the index gives the getopt value. */
static const struct {
	const char *name;
	int has_arg;
} flame_opts[] = {
        {"title", 1},      {"subtitle", 1},  {"width", 1},    {"height", 1},
        {"minwidth", 1},   {"countname", 1}, {"nametype", 1}, {"colors", 1},
        {"bgcolors", 1},   {"fonttype", 1},  {"fontsize", 1}, {"fontwidth", 1},
        {"notes", 1},      {"hash", 0},      {"reverse", 0},  {"inverted", 0},
        {"flamechart", 0}, {"negate", 0},
};

const char render_opts_help[] =
        "  --title TEXT      title (default \"Flame Graph\")\n"
        "  --subtitle TEXT   second title line\n"
        "  --width NUM       image width in pixels (default 1200)\n"
        "  --height NUM      height of each frame (default 16)\n"
        "  --minwidth NUM    omit frames narrower than NUM pixels, or NUM%\n"
        "                    of the total (default 0.1)\n"
        "  --countname TEXT  count label (default \"samples\")\n"
        "  --nametype TEXT   name label (default \"Function:\")\n"
        "  --colors PALETTE  hot (default), mem, io, wakeup, chain, java, js,\n"
        "                    perl, red, green, blue, aqua, yellow, purple,\n"
        "                    orange\n"
        "  --bgcolors COLOR  yellow, blue, green, grey or #rrggbb\n"
        "  --fonttype FONT   font (default Verdana)\n"
        "  --fontsize NUM    font size (default 12)\n"
        "  --fontwidth NUM   average glyph width / font size (default 0.59)\n"
        "  --notes TEXT      a comment in the SVG\n"
        "  --hash            colours keyed by a name hash\n"
        "  --reverse         reverse stacks (leaf first) before merging\n"
        "  --inverted        icicle graph (root at the top)\n"
        "  --flamechart      keep input order, merge only adjacent samples\n"
        "  --negate          swap the differential hues (blue <-> red)\n";

const struct option *render_opts(const struct option *extra)
{
	static struct option table[64];
	size_t n = 0, i;

	for (; extra && extra->name && n < 32; extra++)
		table[n++] = *extra;
	for (i = 0; i < CDOC_ARRAY_SIZE(flame_opts); i++, n++) {
		table[n].name = flame_opts[i].name;
		table[n].has_arg =
		        flame_opts[i].has_arg ? required_argument : no_argument;
		table[n].flag = NULL;
		table[n].val = RENDER_OPT_BASE + (int)i;
	}
	memset(&table[n], 0, sizeof(table[n]));
	return table;
}

int render_opt(const char *sub, struct cdoc_flame_opts *o, int c,
               const char *arg)
{
	size_t i = (size_t)(c - RENDER_OPT_BASE);

	if (c < RENDER_OPT_BASE || i >= CDOC_ARRAY_SIZE(flame_opts))
		return cli_usage_error(sub, "unknown option");
	if (cdoc_flame_opts_set(o, flame_opts[i].name, arg) < 0)
		return cli_usage_error(sub, "%s", cdoc_errmsg());
	return 0;
}
