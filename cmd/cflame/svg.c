/*
 * svg.c - cflame svg: folded stacks to an interactive SVG flame graph,
 * option-compatible with flamegraph.pl.
 */
#include "common/cli.h"
#include "cflame/cflame.h"
#include "cflame/render.h"

#include <stdlib.h>
#include <string.h>

static const char usage[] =
        "usage: cflame svg [OPTIONS] [FILE...] > graph.svg\n"
        "Draw folded stacks (\"frame;frame;... COUNT\", several files are "
        "merged,\n'-' is stdin, gzip is read) as an interactive SVG flame "
        "graph.\nTwo-count lines (\"... BEFORE AFTER\", see 'cflame diff') "
        "draw a red/blue\ndifferential graph.\n\n"
        "  -o, --output FILE write to FILE (default: stdout)\n"
        "  -h, --help        this text\n";

static int load_chart(struct cdoc_flame_chart *c, char **files, int n,
                      int reverse)
{
	char *stdin_only[] = {"-"};
	int i, ret = 0;

	if (!n) {
		files = stdin_only;
		n = 1;
	}
	for (i = 0; i < n && ret >= 0; i++) {
		struct cdoc_input in;

		ret = cdoc_input_open(&in, files[i]);
		if (ret < 0)
			break;
		ret = cdoc_flame_chart_load(c, &in, reverse);
		cdoc_input_release(&in);
	}
	return ret;
}

/* The fast path: folded text drawn without building a profile. */
static int draw_direct(struct cdoc_buf *b, char **files, int n,
                       const struct cdoc_flame_opts *o)
{
	char *stdin_only[] = {"-"};
	struct cdoc_input *in = cdoc_calloc(n ? n : 1, sizeof(*in));
	const struct cdoc_input **ins = cdoc_calloc(n ? n : 1, sizeof(*ins));
	int i, opened = 0, ret = 0;

	if (!n) {
		files = stdin_only;
		n = 1;
	}
	for (i = 0; i < n && ret >= 0; i++, opened++) {
		ret = cdoc_input_open(&in[i], files[i]);
		ins[i] = &in[i];
	}
	if (ret >= 0) {
		cli_progress("drawing");
		ret = cdoc_flame_svg_inputs(b, ins, n, o);
	} else {
		opened--;
	}
	for (i = 0; i < opened; i++)
		cdoc_input_release(&in[i]);
	free(ins);
	free(in);
	return ret;
}

/* Render the input files into @b; 0 or a negative code. */
static int draw(struct cdoc_buf *b, char **files, int n,
                const struct cdoc_flame_opts *o)
{
	struct cdoc_flame_chart c;
	struct cdoc_profile p;
	int ret;

	cli_progress("reading stacks");
	if (o->flamechart) {
		cdoc_flame_chart_init(&c);
		ret = load_chart(&c, files, n, o->reverse);
		cli_progress("drawing");
		if (ret >= 0)
			ret = cdoc_flame_chart_svg(b, &c, o);
		cdoc_flame_chart_release(&c);
		return ret;
	}
	if (!o->reverse)
		return draw_direct(b, files, n, o);
	cdoc_profile_init(&p);
	ret = cdoc_flame_load(&p, (const char *const *)files, n,
	                      CDOC_FLAME_REVERSE);
	cli_progress("drawing");
	if (ret >= 0)
		ret = cdoc_flame_svg(b, &p, o);
	cdoc_profile_release(&p);
	return ret;
}

int cmd_svg(int argc, char **argv)
{
	static const struct option extra[] = {
	        {"output", required_argument, NULL, 'o'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const struct option *lopts = render_opts(extra);
	struct cdoc_flame_opts o;
	struct cdoc_buf b = CDOC_BUF_INIT;
	const char *out = NULL;
	int c, ret;

	cdoc_flame_opts_init(&o);
	while ((c = getopt_long(argc, argv, "o:h", lopts, NULL)) != -1) {
		if (c == 'o')
			out = optarg;
		else if (c == 'h')
			return printf("%s\nflamegraph.pl options:\n%s", usage,
			              render_opts_help) < 0;
		else if (c >= RENDER_OPT_BASE)
			ret = render_opt("svg", &o, c, optarg);
		else
			return cli_usage_error("svg", "bad option");
		if (c >= RENDER_OPT_BASE && ret)
			return ret;
	}
	ret = draw(&b, argv + optind, argc - optind, &o);
	cli_progress_done();
	if (ret < 0 && !b.len) {
		cdoc_buf_release(&b);
		return cli_lib_error();
	}
	c = cli_write_output(out, &b);
	cdoc_buf_release(&b);
	if (ret < 0)
		return cli_lib_error();
	return c;
}
