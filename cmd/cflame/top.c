/*
 * top.c - cflame top: the functions with the most self and total weight.
 */
#include "common/cli.h"
#include "cflame/cflame.h"
#include "flame/flame.h"

#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
        "usage: cflame top [OPTIONS] [FILE...]\n"
        "Print the top functions of folded stacks by self weight (samples\n"
        "where the function is the leaf) and by total weight (samples where\n"
        "it is anywhere on the stack, counted once even when recursive).\n"
        "Several files are merged; '-' or no FILE reads standard input.\n\n"
        "  -n, --limit N      rows per table (default 20)\n"
        "  --sort self|total  print only that table (default: both)\n"
        "  --countname TEXT   unit of the counts (default \"samples\")\n"
        "  -o, --output FILE  write to FILE (default: stdout)\n"
        "  -h, --help         this text\n"
        "Differential (two-count) input is ranked by its second column.\n"
        "Colour on a terminal only, never with NO_COLOR.\n";

static int parse_args(int argc, char **argv, struct cdoc_flame_top_opts *o,
                      const char **out)
{
	static const struct option lopts[] = {
	        {"limit", required_argument, NULL, 'n'},
	        {"sort", required_argument, NULL, 's'},
	        {"countname", required_argument, NULL, 'c'},
	        {"output", required_argument, NULL, 'o'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	long limit;
	int c;

	while ((c = getopt_long(argc, argv, "n:o:h", lopts, NULL)) != -1) {
		if (c == 'n') {
			if (cli_parse_long("top", "--limit", optarg, 1,
			                   LONG_MAX, &limit))
				return 2;
			o->limit = (size_t)limit;
		} else if (c == 's') {
			if (strcmp(optarg, "self") && strcmp(optarg, "total"))
				return cli_usage_error(
				        "top",
				        "--sort: expected self or total");
			o->only = strcmp(optarg, "self") ? 2 : 1;
		} else if (c == 'c') {
			o->unit = optarg;
		} else if (c == 'o') {
			*out = optarg;
		} else if (c == 'h') {
			fputs(usage, stdout);
			return -1;
		} else {
			return cli_usage_error("top", "bad option");
		}
	}
	return 0;
}

int cmd_top(int argc, char **argv)
{
	struct cdoc_flame_top_opts o = {.limit = 20, .unit = "samples"};
	struct cdoc_buf b = CDOC_BUF_INIT;
	struct cdoc_profile p;
	const char *out = NULL;
	int ret = parse_args(argc, argv, &o, &out);

	if (ret)
		return ret < 0 ? 0 : ret;
	cdoc_profile_init(&p);
	ret = cdoc_flame_load(&p, (const char *const *)argv + optind,
	                      argc - optind, 0);
	if (ret < 0) {
		cdoc_profile_release(&p);
		return cli_lib_error();
	}
	o.col = p.columns == 2 ? 1 : 0;
	o.colour = (!out || !strcmp(out, "-")) && cli_colour(stdout);
	cdoc_flame_top_text(&b, &p, &o);
	ret = cli_write_output(out, &b);
	cdoc_buf_release(&b);
	cdoc_profile_release(&p);
	return ret;
}
