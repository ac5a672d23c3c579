/*
 * svg.c - the interactive SVG flame graph, laid out and coloured as
 * flamegraph.pl draws it, with its script and style from
 * report-templates/flame-svg.{js,css}. Numbers are appended with the
 * cdoc_buf helpers, never printf per frame: large profiles stay fast.
 */
#include "flame/internal.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#define XPAD         10
#define FRAMEPAD     1
#define SEARCH_COLOR "rgb(230,0,230)"

/* struct svg - one rendering: options, frames and the derived geometry. */
struct svg {
	const struct cdoc_flame_opts *o;
	const struct layout *l;
	double width, height; /* image size */
	double ypad1, ypad2;  /* space above / below the frames */
	double ytop;          /* extra space for a subtitle */
	double wpt;           /* pixels per weight unit */
};

static const char *title_of(const struct cdoc_flame_opts *o)
{
	if (o->title && *o->title)
		return o->title;
	if (o->flamechart)
		return "Flame Chart";
	return o->inverted ? "Icicle Graph" : "Flame Graph";
}

static void add_str_xml(struct cdoc_buf *b, const char *s)
{
	cdoc_buf_add_xml(b, s, strlen(s));
}

static void add_header(struct cdoc_buf *b, double w, double h,
                       const char *notes)
{
	cdoc_buf_addstr(b, "<?xml version=\"1.0\" standalone=\"no\"?>\n"
	                   "<svg version=\"1.1\" width=\"");
	flame__add_num(b, w);
	cdoc_buf_addstr(b, "\" height=\"");
	flame__add_num(b, h);
	cdoc_buf_addstr(b, "\" onload=\"init(evt)\" viewBox=\"0 0 ");
	flame__add_num(b, w);
	cdoc_buf_addch(b, ' ');
	flame__add_num(b, h);
	cdoc_buf_addstr(b, "\" xmlns=\"http://www.w3.org/2000/svg\" "
	                   "xmlns:xlink=\"http://www.w3.org/1999/xlink\">\n"
	                   "<!-- Flame graph drawn by cflame (cdoctor). -->\n");
	if (notes && *notes) {
		const char *s;

		/* A comment may not hold "--": keep single dashes only. */
		cdoc_buf_addstr(b, "<!-- NOTES: ");
		for (s = notes; *s; s++)
			if (!(s[0] == '-' && (s[1] == '-' || !s[1])))
				cdoc_buf_add_xml(b, s, 1);
		cdoc_buf_addstr(b, " -->\n");
	}
}

/* A <text> element; @cls may be NULL. */
static void add_text(struct cdoc_buf *b, const char *id, double x, double y,
                     const char *text, const char *cls)
{
	cdoc_buf_addstr(b, "<text id=\"");
	cdoc_buf_addstr(b, id);
	cdoc_buf_addstr(b, "\" x=\"");
	flame__add_num(b, x);
	cdoc_buf_addstr(b, "\" y=\"");
	flame__add_num(b, y);
	cdoc_buf_addstr(b, "\"");
	if (cls) {
		cdoc_buf_addstr(b, " class=\"");
		cdoc_buf_addstr(b, cls);
		cdoc_buf_addstr(b, "\"");
	}
	cdoc_buf_addch(b, '>');
	add_str_xml(b, text);
	cdoc_buf_addstr(b, "</text>\n");
}

static void fill_css(struct cdoc_buf *b, const char *key, size_t n, void *arg)
{
	const struct cdoc_flame_opts *o = arg;

	if (n == 8 && !memcmp(key, "fonttype", 8))
		add_str_xml(b, o->fonttype);
	else if (n == 8 && !memcmp(key, "fontsize", 8))
		flame__add_num(b, o->fontsize);
	else if (n == 9 && !memcmp(key, "titlesize", 9))
		flame__add_num(b, o->fontsize + 5);
}

static void add_style(struct cdoc_buf *b, const struct svg *s)
{
	const char *c1, *c2;

	if (flame__palette_background(s->o->colors, s->o->bgcolors, &c1, &c2) <
	    0)
		flame__palette_background("hot", NULL, &c1, &c2);
	cdoc_buf_addstr(b, "<defs>\n\t<linearGradient id=\"background\" "
	                   "y1=\"0\" y2=\"1\" x1=\"0\" x2=\"0\">\n"
	                   "\t\t<stop stop-color=\"");
	cdoc_buf_addstr(b, c1);
	cdoc_buf_addstr(b, "\" offset=\"5%\"/>\n\t\t<stop stop-color=\"");
	cdoc_buf_addstr(b, c2);
	cdoc_buf_addstr(b, "\" offset=\"95%\"/>\n\t</linearGradient>\n"
	                   "</defs>\n<style type=\"text/css\">\n");
	flame__add_template(b, "flame-svg.css", fill_css, (void *)s->o);
	cdoc_buf_addstr(b, "</style>\n");
}

static void add_json_field(struct cdoc_buf *b, const char *key, const char *val)
{
	cdoc_buf_addch(b, '"');
	cdoc_buf_addstr(b, key);
	cdoc_buf_addstr(b, "\":\"");
	cdoc_buf_add_json(b, val, strlen(val));
	cdoc_buf_addstr(b, "\",");
}

/* The arrays the script zooms with: exact start, width and depth. */
static void add_frame_arrays(struct cdoc_buf *b, const struct layout *l)
{
	static const char *const names[] = {"fx", "fw", "fd"};
	size_t i;
	int a;

	for (a = 0; a < 3; a++) {
		cdoc_buf_addstr(b, a ? ",\n" : "var ");
		cdoc_buf_addstr(b, names[a]);
		cdoc_buf_addstr(b, "=[");
		for (i = 0; i < l->nr; i++) {
			const struct frame *f = &l->f[i];

			if (i)
				cdoc_buf_addch(b, ',');
			cdoc_buf_addu64(b, a == 0   ? f->x
			                   : a == 1 ? f->w
			                            : f->depth);
		}
		cdoc_buf_addch(b, ']');
	}
	cdoc_buf_addstr(b, ";\n");
}

static int add_script(struct cdoc_buf *b, const struct svg *s)
{
	cdoc_buf_addstr(b, "<script type=\"text/ecmascript\"><![CDATA[\n"
	                   "var cfg={");
	add_json_field(b, "nametype", s->o->nametype);
	add_json_field(b, "countname", s->o->countname);
	add_json_field(b, "searchcolor", SEARCH_COLOR);
	cdoc_buf_addstr(b, "\"xpad\":"
	                   "10"
	                   ",\"width\":");
	flame__add_num(b, s->width);
	cdoc_buf_addstr(b, ",\"fontsize\":");
	flame__add_num(b, s->o->fontsize);
	cdoc_buf_addf(b, ",\"fontwidth\":%g,\"inverted\":%d};\n",
	              s->o->fontwidth, s->o->inverted ? 1 : 0);
	add_frame_arrays(b, s->l);
	if (flame__add_template(b, "flame-svg.js", NULL, NULL) < 0)
		return -ENOENT;
	cdoc_buf_addstr(b, "]]></script>\n");
	return 0;
}

static void add_controls(struct cdoc_buf *b, const struct svg *s)
{
	const struct cdoc_flame_opts *o = s->o;
	double fs = o->fontsize, w = s->width, h = s->height;

	cdoc_buf_addstr(b, "<rect x=\"0\" y=\"0\" width=\"");
	flame__add_num(b, w);
	cdoc_buf_addstr(b, "\" height=\"");
	flame__add_num(b, h);
	cdoc_buf_addstr(b, "\" fill=\"url(#background)\"/>\n");
	add_text(b, "title", (int)(w / 2), fs * 2, title_of(o), NULL);
	if (o->subtitle && *o->subtitle)
		add_text(b, "subtitle", (int)(w / 2), fs * 4, o->subtitle,
		         NULL);
	add_text(b, "details", XPAD, h - s->ypad2 / 2, " ", NULL);
	add_text(b, "unzoom", XPAD, fs * 2, "Reset Zoom", "hide");
	add_text(b, "search", w - XPAD - 100, fs * 2, "Search", NULL);
	add_text(b, "ignorecase", w - XPAD - 16, fs * 2, "ic", NULL);
	add_text(b, "matched", w - XPAD - 100, h - s->ypad2 / 2, " ", NULL);
}

/* The visible label: as many characters as fit, ".." when cut. */
static void add_label(struct cdoc_buf *b, const char *name, size_t len,
                      double wpx, const struct cdoc_flame_opts *o)
{
	long chars = (long)(wpx / (o->fontsize * o->fontwidth));
	size_t i = 0, cut = 0;
	long n = 0;

	if (chars < 3)
		return;
	if (!name) {
		cdoc_buf_addstr(b, "all");
		return;
	}
	len = flame__strip_annotation(name, len);
	while (i < len && n < chars) {
		if (n == chars - 2)
			cut = i;
		/* Step over one UTF-8 sequence (continuation bytes). */
		i++;
		while (i < len && ((unsigned char)name[i] & 0xc0) == 0x80)
			i++;
		n++;
	}
	if (i < len) {
		cdoc_buf_add_xml(b, name, cut);
		cdoc_buf_addstr(b, "..");
	} else {
		cdoc_buf_add_xml(b, name, len);
	}
}

static void add_signed_pct(struct cdoc_buf *b, double pct)
{
	if (pct > 0)
		cdoc_buf_addch(b, '+');
	else if (pct < 0 && pct <= -0.005)
		cdoc_buf_addch(b, '-');
	flame__add_fixed(b, pct < 0 ? -pct : pct, 2);
}

/* "name (1,234 samples, 5.67%)", with "; +1.20%" for differentials. */
static void add_info(struct cdoc_buf *b, const struct frame *f,
                     const struct svg *s)
{
	const struct cdoc_flame_opts *o = s->o;
	double total = s->l->total ? (double)s->l->total : 1;

	if (f->name)
		cdoc_buf_add_xml(b, f->name,
		                 flame__strip_annotation(f->name, f->len));
	else
		cdoc_buf_addstr(b, "all");
	cdoc_buf_addstr(b, " (");
	flame__add_commas(b, f->w);
	cdoc_buf_addch(b, ' ');
	add_str_xml(b, o->countname);
	if (!f->name) {
		cdoc_buf_addstr(b, ", 100%)");
		return;
	}
	cdoc_buf_addstr(b, ", ");
	flame__add_fixed(b, 100.0 * (double)f->w / total, 2);
	cdoc_buf_addch(b, '%');
	if (s->l->diff) {
		double d = (double)(o->negate ? -f->delta : f->delta);

		cdoc_buf_addstr(b, "; ");
		add_signed_pct(b, 100.0 * d / total);
		cdoc_buf_addch(b, '%');
	}
	cdoc_buf_addch(b, ')');
}

static void add_rgb(struct cdoc_buf *b, const unsigned char rgb[3])
{
	cdoc_buf_addstr(b, "rgb(");
	cdoc_buf_addu64(b, rgb[0]);
	cdoc_buf_addch(b, ',');
	cdoc_buf_addu64(b, rgb[1]);
	cdoc_buf_addch(b, ',');
	cdoc_buf_addu64(b, rgb[2]);
	cdoc_buf_addch(b, ')');
}

static void frame_color(const struct frame *f, const struct svg *s,
                        unsigned char rgb[3])
{
	const char *name = f->name ? f->name : "";
	int special = (f->len == 1 && name[0] == '-') ||
	              (f->len == 2 && !memcmp(name, "--", 2));

	if (s->l->diff && !special)
		flame__palette_diff(f->delta, s->l->maxdelta, s->o->negate,
		                    rgb);
	else
		flame__palette_color(s->o->colors, s->o->hash, name, f->len,
		                     rgb);
}

static void add_frame(struct cdoc_buf *b, const struct frame *f,
                      const struct svg *s)
{
	const struct cdoc_flame_opts *o = s->o;
	double x1 = XPAD + (double)f->x * s->wpt;
	double x2 = XPAD + (double)(f->x + f->w) * s->wpt, y1, y2;
	unsigned char rgb[3];

	if (o->inverted) {
		y1 = s->ypad1 + s->ytop + f->depth * (double)o->frameheight;
		y2 = y1 + o->frameheight - FRAMEPAD;
	} else {
		y2 = s->height - s->ypad2 - f->depth * (double)o->frameheight;
		y1 = y2 - o->frameheight + FRAMEPAD;
	}
	frame_color(f, s, rgb);
	cdoc_buf_addstr(b, "<g>\n<title>");
	add_info(b, f, s);
	cdoc_buf_addstr(b, "</title><rect x=\"");
	flame__add_fixed(b, x1, 1);
	cdoc_buf_addstr(b, "\" y=\"");
	flame__add_num(b, y1);
	cdoc_buf_addstr(b, "\" width=\"");
	flame__add_fixed(b,
	                 (double)llround(x2 * 10) / 10 -
	                         (double)llround(x1 * 10) / 10,
	                 1);
	cdoc_buf_addstr(b, "\" height=\"");
	flame__add_fixed(b, y2 - y1, 1);
	cdoc_buf_addstr(b, "\" fill=\"");
	add_rgb(b, rgb);
	cdoc_buf_addstr(b, "\" rx=\"2\" ry=\"2\"/>\n<text x=\"");
	flame__add_fixed(b, x1 + 3, 2);
	cdoc_buf_addstr(b, "\" y=\"");
	flame__add_num(b, 3 + (y1 + y2) / 2);
	cdoc_buf_addstr(b, "\">");
	add_label(b, f->name, f->len, x2 - x1, o);
	cdoc_buf_addstr(b, "</text>\n</g>\n");
}

/* What flamegraph.pl writes when there is nothing to draw. */
static int add_empty(struct cdoc_buf *b, const struct cdoc_flame_opts *o)
{
	add_header(b, o->width, o->fontsize * 5, NULL);
	cdoc_buf_addstr(b, "<text x=\"");
	flame__add_num(b, (int)(o->width / 2));
	cdoc_buf_addstr(b, "\" y=\"");
	flame__add_num(b, o->fontsize * 2);
	cdoc_buf_addstr(b, "\">ERROR: No valid input provided to cflame."
	                   "</text>\n</svg>\n");
	return cdoc_error(-CDOC_EFORMAT, "no stack counts found");
}

int flame__render_svg(struct cdoc_buf *b, const struct layout *l,
                      const struct cdoc_flame_opts *o)
{
	struct svg s = {.o = o, .l = l, .width = o->width};
	size_t i;
	int ret;

	if (!l->total || !l->nr)
		return add_empty(b, o);
	s.ypad1 = o->fontsize * 3;
	s.ypad2 = o->fontsize * 2 + 10;
	s.ytop = o->subtitle && *o->subtitle ? o->fontsize * 2 : 0;
	s.height = (l->maxdepth + 1) * (double)o->frameheight + s.ypad1 +
	           s.ypad2 + s.ytop;
	s.wpt = (s.width - 2 * XPAD) / (double)l->total;
	add_header(b, s.width, s.height, o->notes);
	add_style(b, &s);
	ret = add_script(b, &s);
	if (ret < 0)
		return ret;
	add_controls(b, &s);
	cdoc_buf_addstr(b, "<g id=\"frames\">\n");
	for (i = 0; i < l->nr; i++)
		add_frame(b, &l->f[i], &s);
	cdoc_buf_addstr(b, "</g>\n</svg>\n");
	return 0;
}

int cdoc_flame_svg(struct cdoc_buf *out, const struct cdoc_profile *p,
                   const struct cdoc_flame_opts *o)
{
	struct layout l = {0};
	int col = p->columns == 2 ? 1 : 0;
	int ret;

	flame__layout_tree(&l, p, col,
	                   flame__layout_minwidth(o, p->nodes[0].total[col]));
	ret = flame__render_svg(out, &l, o);
	flame__layout_release(&l);
	return ret;
}

int cdoc_flame_chart_svg(struct cdoc_buf *out, const struct cdoc_flame_chart *c,
                         const struct cdoc_flame_opts *o)
{
	struct layout l = {0};
	int ret;

	flame__layout_chart(
	        &l, c, flame__layout_minwidth(o, c->nr ? c->frames[0].w : 0));
	ret = flame__render_svg(out, &l, o);
	flame__layout_release(&l);
	return ret;
}
