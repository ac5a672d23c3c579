/* svg.c - tests for the SVG renderer: escaping, layout, options, colours. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flame/flame.h"

static struct cdoc_profile p;
static struct cdoc_buf out;
static struct cdoc_flame_opts o;

static void setup(void)
{
	cdoc_profile_init(&p);
	cdoc_buf_init(&out);
	cdoc_flame_opts_init(&o);
}

static void teardown(void)
{
	cdoc_profile_release(&p);
	cdoc_buf_release(&out);
}

TestSuite(svg, .init = setup, .fini = teardown);

static void load(const char *text)
{
	struct cdoc_input in;

	cdoc_input_from_mem(&in, "test", text, strlen(text));
	cr_assert_eq(cdoc_profile_load_folded(&p, &in, 0), 0, "%s",
	             cdoc_errmsg());
	cdoc_input_release(&in);
}

static void render(void)
{
	cr_assert_eq(cdoc_flame_svg(&out, &p, &o), 0, "%s", cdoc_errmsg());
}

/* Count occurrences of @needle in the output. */
static int count(const char *needle)
{
	const char *s = out.buf;
	int n = 0;

	while ((s = strstr(s, needle))) {
		n++;
		s += strlen(needle);
	}
	return n;
}

/* The width attribute of the rect after the title starting with @name. */
static double width_of(const char *name)
{
	char key[256];
	const char *s;

	snprintf(key, sizeof(key), "<title>%s (", name);
	s = strstr(out.buf, key);
	cr_assert_not_null(s, "no frame %s", name);
	s = strstr(s, "width=\"");
	return atof(s + 7);
}

Test(svg, hostile_names_are_escaped)
{
	load("main;<script>alert(1)</script> 5\nmain;\"&' 5\n");
	render();
	cr_assert_eq(count("<script>alert"), 0);
	cr_assert_eq(count("<script"), 1, "only our own script element");
	cr_assert_gt(count("&lt;script&gt;alert(1)&lt;/script&gt;"), 0);
	cr_assert_gt(count("&quot;&amp;&#39;"), 0);
	cr_assert_eq(count("\"&'"), 0);
}

Test(svg, invalid_utf8_is_replaced)
{
	load("main;bad\xff\xfename 5\n");
	render();
	cr_assert_eq(count("\xff"), 0);
	cr_assert_gt(count("bad\xef\xbf\xbd"), 0);
}

Test(svg, cdata_cannot_be_closed_by_options)
{
	o.nametype = "]]></script><script>alert(1)</script>";
	load("a;b 1\n");
	render();
	cr_assert_eq(count("]]>"), 1, "only the end of our CDATA");
	cr_assert_eq(count("<script>alert"), 0);
}

Test(svg, widths_follow_counts)
{
	load("main;a 75\nmain;b 25\n");
	render();
	cr_assert_float_eq(width_of("main"), 1180.0, 0.05);
	cr_assert_float_eq(width_of("a"), 885.0, 0.05);
	cr_assert_float_eq(width_of("b"), 295.0, 0.05);
	cr_assert_gt(count("<title>a (75 samples, 75.00%)</title>"), 0);
	cr_assert_gt(count("<title>all (100 samples, 100%)</title>"), 0);
}

Test(svg, minwidth_omits_narrow_frames)
{
	load("main;wide 1000\nmain;narrow 1\nmain;narrow;deeper 1\n");
	o.minwidth = 5; /* pixels: 1/1002 of 1180 px is about 1.2 px */
	render();
	cr_assert_eq(count("<title>narrow"), 0);
	cr_assert_eq(count("<title>deeper"), 0);
	cr_assert_eq(count("<title>wide"), 1);
	cdoc_buf_reset(&out);
	cr_assert_eq(cdoc_flame_opts_set(&o, "minwidth", "0.1%"), 0);
	render();
	cr_assert_eq(count("<title>narrow"), 1);
}

Test(svg, options_change_title_size_and_labels)
{
	load("main;a 1\n");
	cr_assert_eq(cdoc_flame_opts_set(&o, "title", "My <title>"), 0);
	cr_assert_eq(cdoc_flame_opts_set(&o, "width", "600"), 0);
	cr_assert_eq(cdoc_flame_opts_set(&o, "countname", "bytes"), 0);
	render();
	cr_assert_gt(count("My &lt;title&gt;"), 0);
	cr_assert_gt(count("width=\"600\""), 0);
	cr_assert_gt(count("(1 bytes, 100.00%)"), 0);
	cr_assert_float_eq(width_of("main"), 580.0, 0.05);
}

Test(svg, bad_options_are_rejected)
{
	cr_assert_lt(cdoc_flame_opts_set(&o, "colors", "rainbow"), 0);
	cr_assert(strstr(cdoc_errmsg(), "rainbow"));
	cr_assert_lt(cdoc_flame_opts_set(&o, "width", "abc"), 0);
	cr_assert_lt(cdoc_flame_opts_set(&o, "minwidth", "-1"), 0);
	cr_assert_lt(cdoc_flame_opts_set(&o, "nosuch", NULL), 0);
}

/* y of the rect of frame @name. */
static double y_of(const char *name)
{
	char key[256];
	const char *s;

	snprintf(key, sizeof(key), "<title>%s (", name);
	s = strstr(out.buf, key);
	cr_assert_not_null(s);
	return atof(strstr(s, " y=\"") + 4);
}

Test(svg, inverted_puts_the_root_on_top)
{
	load("main;leaf 1\n");
	render();
	cr_assert_gt(y_of("main"), y_of("leaf"));
	cdoc_buf_reset(&out);
	o.inverted = 1;
	render();
	cr_assert_lt(y_of("main"), y_of("leaf"));
	cr_assert_gt(count(">Icicle Graph<"), 0);
}

Test(svg, reverse_puts_leaves_at_the_base)
{
	struct cdoc_profile r;

	load("main;f;leaf1 2\nmain;g;leaf1 3\n");
	cdoc_profile_init(&r);
	cdoc_flame_reverse(&r, &p);
	cr_assert_eq(cdoc_flame_svg(&out, &r, &o), 0);
	/* leaf1 is now the outermost frame with all 5 samples. */
	cr_assert_gt(count("<title>leaf1 (5 samples, 100.00%)"), 0);
	cr_assert_gt(count("<title>main (2 samples"), 0);
	cdoc_profile_release(&r);
}

Test(svg, differential_colours_follow_the_change)
{
	load("main;grew 10 30\nmain;shrank 30 10\nmain;same 5 5\n");
	render();
	/* Widths from the second column; red for growth, blue for loss. */
	cr_assert_gt(count("<title>grew (30 samples, 66.67%; +44.44%)"), 0);
	cr_assert_gt(count("<title>shrank (10 samples, 22.22%; -44.44%)"), 0);
	cr_assert(strstr(strstr(out.buf, "<title>grew"),
	                 "fill=\"rgb(255,0,0)\""));
	cr_assert(strstr(strstr(out.buf, "<title>shrank"),
	                 "fill=\"rgb(0,0,255)\""));
	cr_assert(strstr(strstr(out.buf, "<title>same"),
	                 "fill=\"rgb(255,255,255)\""));
	cdoc_buf_reset(&out);
	o.negate = 1;
	render();
	cr_assert(strstr(strstr(out.buf, "<title>grew"),
	                 "fill=\"rgb(0,0,255)\""));
}

Test(svg, palettes_are_deterministic_per_name)
{
	const char *first;
	char fill[32];

	load("a;b 1\nc;b 1\n");
	cr_assert_eq(cdoc_flame_opts_set(&o, "colors", "blue"), 0);
	render();
	first = strstr(strstr(out.buf, "<title>b ("), "fill=\"");
	memcpy(fill, first, 24);
	fill[24] = 0;
	cr_assert_eq(count(fill), 2, "both b frames share %s", fill);
	cr_assert(strstr(fill, "rgb("));
	/* blue: r == g, b in 205..255 */
	{
		int r, g, b;

		cr_assert_eq(sscanf(fill, "fill=\"rgb(%d,%d,%d)", &r, &g, &b),
		             3);
		cr_assert_eq(r, g);
		cr_assert(b >= 205 && b <= 255);
	}
}

Test(svg, empty_input_is_an_error_with_an_error_picture)
{
	cr_assert_lt(cdoc_flame_svg(&out, &p, &o), 0);
	cr_assert(strstr(out.buf, "ERROR: No valid input"));
}

Test(svg, direct_path_draws_the_same_picture)
{
	const char *text = "main;b 3\nmain;a;x 2\nmain 1\nother;y 4\n";
	struct cdoc_input in;
	const struct cdoc_input *ins[] = {&in};
	struct cdoc_buf direct = CDOC_BUF_INIT;

	load(text);
	render();
	cdoc_input_from_mem(&in, "test", text, strlen(text));
	cr_assert_eq(cdoc_flame_svg_inputs(&direct, ins, 1, &o), 0, "%s",
	             cdoc_errmsg());
	cr_assert_str_eq(direct.buf, out.buf);
	cdoc_input_release(&in);
	cdoc_buf_release(&direct);
}

Test(svg, direct_path_names_the_bad_line)
{
	const char *text = "main;b 3\nnot folded\n";
	struct cdoc_input in;
	const struct cdoc_input *ins[] = {&in};

	cdoc_input_from_mem(&in, "stacks.txt", text, strlen(text));
	cr_assert_lt(cdoc_flame_svg_inputs(&out, ins, 1, &o), 0);
	cr_assert(strstr(cdoc_errmsg(), "stacks.txt:2"), "%s", cdoc_errmsg());
	cdoc_input_release(&in);
}

Test(svg, flamechart_keeps_input_order)
{
	const char *text = "main;b 1\nmain;a 1\nmain;b 1\n";
	struct cdoc_flame_chart c;
	struct cdoc_input in;

	cdoc_flame_chart_init(&c);
	cdoc_input_from_mem(&in, "t", text, strlen(text));
	cr_assert_eq(cdoc_flame_chart_load(&c, &in, 0), 0);
	o.flamechart = 1;
	cr_assert_eq(cdoc_flame_chart_svg(&out, &c, &o), 0);
	/* b appears twice (not merged), a once, main once. */
	cr_assert_eq(count("<title>b (1 samples"), 2);
	cr_assert_eq(count("<title>main (3 samples"), 1);
	cr_assert_gt(count(">Flame Chart<"), 0);
	cdoc_input_release(&in);
	cdoc_flame_chart_release(&c);
}
