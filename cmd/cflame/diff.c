/*
 * diff.c - cflame diff: two profiles to differential folded stacks (as
 * FlameGraph's difffolded.pl) or straight to the red/blue SVG.
 */
#include "common/cli.h"
#include "cflame/cflame.h"
#include "cflame/render.h"

#include <string.h>

static const char usage[] =
        "usage: cflame diff [OPTIONS] BEFORE AFTER\n"
        "Compare two folded-stack files. Prints two-count folded lines\n"
        "\"stack COUNT_BEFORE COUNT_AFTER\" (as difffolded.pl, sorted by "
        "stack),\nor with --svg (or -o FILE.svg) draws the differential flame "
        "graph:\nwidths from AFTER, red where a frame grew, blue where it "
        "shrank.\n\n"
        "  -n, --normalize    scale BEFORE so both totals match\n"
        "  -s, --strip-hex    replace 0x... addresses with 0x... before "
        "comparing\n"
        "  --svg              write the SVG picture instead of folded text\n"
        "  -o, --output FILE  write to FILE (default: stdout)\n"
        "  -h, --help         this text\n";

struct diff_args {
	struct cdoc_diff_opts d;
	struct cdoc_flame_opts f;
	const char *out;
	int svg;
};

static int parse_args(int argc, char **argv, struct diff_args *a)
{
	static const struct option extra[] = {
	        {"normalize", no_argument, NULL, 'n'},
	        {"strip-hex", no_argument, NULL, 's'},
	        {"svg", no_argument, NULL, 'S'},
	        {"output", required_argument, NULL, 'o'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const struct option *lopts = render_opts(extra);
	int c, ret;

	while ((c = getopt_long(argc, argv, "nso:h", lopts, NULL)) != -1) {
		if (c == 'n')
			a->d.normalize = 1;
		else if (c == 's')
			a->d.strip_hex = 1;
		else if (c == 'S')
			a->svg = 1;
		else if (c == 'o')
			a->out = optarg;
		else if (c == 'h')
			return printf("%s\nWith --svg, flamegraph.pl "
			              "options:\n%s",
			              usage, render_opts_help) < 0
			               ? 2
			               : -1;
		else if (c < RENDER_OPT_BASE)
			return cli_usage_error("diff", "bad option");
		else if ((ret = render_opt("diff", &a->f, c, optarg)))
			return ret;
	}
	if (argc - optind != 2)
		return cli_usage_error("diff", "expected two files, BEFORE "
		                               "and AFTER");
	if (a->out && strlen(a->out) > 4 &&
	    !strcmp(a->out + strlen(a->out) - 4, ".svg"))
		a->svg = 1;
	return 0;
}

static int load(struct cdoc_profile *p, const char *path)
{
	const char *paths[] = {path};

	cdoc_profile_init(p);
	return cdoc_flame_load(p, paths, 1, 0);
}

int cmd_diff(int argc, char **argv)
{
	struct diff_args a = {{0}};
	struct cdoc_profile pa, pb, d;
	struct cdoc_buf b = CDOC_BUF_INIT;
	int ret;

	cdoc_flame_opts_init(&a.f);
	ret = parse_args(argc, argv, &a);
	if (ret)
		return ret < 0 ? 0 : ret;
	ret = load(&pa, argv[optind]);
	if (ret >= 0)
		ret = load(&pb, argv[optind + 1]);
	else
		cdoc_profile_init(&pb);
	cdoc_profile_init(&d);
	if (ret >= 0) {
		cdoc_profile_diff(&d, &pa, &pb, &a.d);
		if (a.svg)
			ret = cdoc_flame_svg(&b, &d, &a.f);
		else
			cdoc_profile_write_folded(&d, &b);
	}
	if (ret >= 0 || b.len)
		ret = cli_write_output(a.out, &b) ? -1 : ret;
	if (ret < -1)
		cli_lib_error();
	cdoc_buf_release(&b);
	cdoc_profile_release(&d);
	cdoc_profile_release(&pb);
	cdoc_profile_release(&pa);
	return ret < 0 ? 2 : 0;
}
