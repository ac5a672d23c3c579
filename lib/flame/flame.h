/*
 * flame.h - renderers from a stack profile to pictures and tables: the
 * interactive SVG of flamegraph.pl (option-compatible where the idea is
 * the same), a self-contained HTML page (also the core of cdoctor's own
 * report), and a top-functions table for the terminal.
 *
 * Renderers append to a struct cdoc_buf and never print. Every frame name
 * is escaped for its context (XML for SVG, JSON inside <script> for HTML),
 * and invalid UTF-8 in names is replaced, so hostile names cannot break
 * out of the markup. Nothing rendered loads anything from the network.
 */
#ifndef CDOC_FLAME_H
#define CDOC_FLAME_H

#include "base/base.h"
#include "profile/profile.h"

/*
 * struct cdoc_flame_opts - how a flame graph looks. The fields mirror the
 * options of flamegraph.pl; cdoc_flame_opts_init() sets its defaults.
 * Strings are borrowed until the render call returns.
 */
struct cdoc_flame_opts {
	const char *title;     /* NULL: "Flame Graph" / "Icicle Graph" /
				  "Flame Chart" */
	const char *subtitle;  /* NULL or "": none */
	const char *countname; /* "samples" */
	const char *nametype;  /* "Function:" */
	const char *colors;    /* palette, "hot" (see cdoc_flame_opts_set) */
	const char *bgcolors;  /* NULL: from the palette; yellow, blue,
				  green, grey or #rrggbb */
	const char *fonttype;  /* "Verdana" */
	const char *notes;     /* NULL or text for a comment in the SVG */
	double fontsize;       /* 12 */
	double fontwidth;      /* 0.59, average glyph width / fontsize */
	double minwidth;       /* 0.1: omit frames narrower than this */
	int minwidth_pct;      /* minwidth is a percentage of the total,
				  not pixels */
	unsigned width;        /* image width in pixels, 1200 */
	unsigned frameheight;  /* pixels per frame, 16 */
	int hash;              /* colours keyed by a name hash (--hash) */
	int inverted;          /* icicle graph: root at the top */
	int negate;            /* swap the differential hues */
	int reverse;           /* stacks reversed (leaf first) before merging;
				  honoured by cdoc_flame_load() and
				  cdoc_flame_chart_load() */
	int flamechart;        /* input order, no merging (chart API) */
};

void cdoc_flame_opts_init(struct cdoc_flame_opts *o);

/*
 * Set option @name (a flamegraph.pl long option without dashes: "title",
 * "subtitle", "width", "height", "minwidth", "countname", "nametype",
 * "colors", "bgcolors", "fonttype", "fontsize", "fontwidth", "notes",
 * "hash", "reverse", "inverted", "flamechart", "negate") from @value
 * (NULL for flags). @value is borrowed, not copied. Returns 0, or
 * -EINVAL with a message for an unknown name or a bad value.
 */
int cdoc_flame_opts_set(struct cdoc_flame_opts *o, const char *name,
                        const char *value);

/* Flags of cdoc_flame_load(). */
#define CDOC_FLAME_REVERSE 0x1 /* reverse every stack (leaf first) */

/*
 * Load folded stacks from @paths (@n of them; "-" is standard input,
 * gzip is inflated) merged into @p (initialized by the caller). With no
 * paths, standard input is read. Input that is perf script text fails
 * with a message saying to run it through `cflame collapse`; other input
 * that is not folded stacks fails with the file and line. Returns 0 or a
 * negative code with cdoc_errmsg() set.
 */
int cdoc_flame_load(struct cdoc_profile *p, const char *const *paths, size_t n,
                    unsigned flags);

/*
 * Build in @dst (initialized, empty) the profile @src with every stack
 * reversed, both columns kept.
 */
void cdoc_flame_reverse(struct cdoc_profile *dst,
                        const struct cdoc_profile *src);

/*
 * Append to @out an SVG flame graph of @p, as flamegraph.pl draws it:
 * children in name order, frames narrower than the minimum width
 * omitted, hover details, click to zoom, search with the matched
 * percentage, zoom and search kept in the URL fragment. A two-column
 * profile draws the red/blue differential picture: widths from column 1,
 * colours from each frame's change in self weight (column 1 - column 0).
 * An empty profile gives an SVG with an error line and returns
 * -CDOC_EFORMAT ("no stack counts found").
 */
int cdoc_flame_svg(struct cdoc_buf *out, const struct cdoc_profile *p,
                   const struct cdoc_flame_opts *o);

/*
 * cdoc_flame_svg() straight from folded text: the @n inputs (borrowed)
 * are merged, sorted and laid out without building a profile, which is
 * several times faster for large inputs. Same picture, same errors as
 * cdoc_flame_load() + cdoc_flame_svg(); no --reverse or --flamechart
 * (use those paths for them).
 */
int cdoc_flame_svg_inputs(struct cdoc_buf *out,
                          const struct cdoc_input *const *ins, size_t n,
                          const struct cdoc_flame_opts *o);

/*
 * struct cdoc_flame_chart - stacks in input order for a flame chart
 * (--flamechart): consecutive samples sharing a prefix share frames,
 * nothing else is merged. Owns its storage; cdoc_flame_chart_release().
 */
struct cdoc_flame_chart {
	struct cdoc_strtab names;  /* frame names */
	struct cdoc_flame_cframe { /* one frame */
		uint32_t name;     /* id in ->names; CDOC_NONE = root */
		uint32_t depth;    /* 0 = root */
		uint64_t x, w;     /* start and width, in weight units */
		int64_t delta;     /* self change for two-column input */
	} * frames;
	size_t nr, alloc;
	int columns; /* 1, or 2 for two-column input */
};

void cdoc_flame_chart_init(struct cdoc_flame_chart *c);
void cdoc_flame_chart_release(struct cdoc_flame_chart *c);

/*
 * Append the folded stacks of @in, in order, to @c (reversed when
 * @reverse). Malformed lines fail with -CDOC_EFORMAT naming the line.
 */
int cdoc_flame_chart_load(struct cdoc_flame_chart *c,
                          const struct cdoc_input *in, int reverse);

/* cdoc_flame_svg() for a flame chart. */
int cdoc_flame_chart_svg(struct cdoc_buf *out, const struct cdoc_flame_chart *c,
                         const struct cdoc_flame_opts *o);

/*
 * struct cdoc_flame_view - one named profile shown in the HTML page.
 * All fields borrowed until cdoc_flame_html() returns.
 */
struct cdoc_flame_view {
	const char *name;             /* tab label: "cpu", "alloc bytes" */
	const struct cdoc_profile *p; /* the stacks */
	int col;                      /* column drawn (1 for differentials,
					  whose column 0 gives the colours) */
	const char *unit;             /* count name: "samples", "bytes" */
};

/* Options of cdoc_flame_html(). */
struct cdoc_flame_html_opts {
	const char *title;       /* page title; NULL: "Flame Graph" */
	const char *report_json; /* NULL, or a JSON object (see below) */
	double minwidth_pct;     /* frames below this % of the total are
				    omitted from the data; 0: 0.001 */
	int inverted;            /* start as an icicle graph */
	size_t top_limit;        /* rows of the top table; 0: 50 */
};

/*
 * Append to @out a self-contained HTML page (no network fetches) with a
 * canvas flame graph of each of the @n views (n >= 1; a selector picks
 * one when n > 1), an icicle toggle, search (substring, or /regex/) with
 * the matched percentage, a table of top functions by self and total,
 * hottest frame / next / previous navigation, and the state (view, zoomed
 * frame, search, icicle) in the URL fragment.
 *
 * @opts->report_json, when not NULL, is rendered above the flame graph.
 * It is a JSON object; every member is optional:
 *   {"title": "...", "subtitle": "...",
 *    "items": [{"severity": "error|warning|info|ok", "title": "...",
 *               "detail": "...", "recommendation": "..."}],
 *    "counters": {"lost samples": 0, "unwind failures": 12},
 *    "metadata": {"command": "./server", "duration": "10.0 s"}}
 * Counters and metadata are shown as name/value lists (values may be
 * numbers or strings). Text is inserted as text, never as markup. The
 * blob is embedded with < > & re-escaped, so it cannot end the script
 * element; it is otherwise not validated (the page shows a message when
 * it does not parse).
 * Returns 0, or -EINVAL when @n is 0 or a view's column is empty of
 * weight ... never for content; the caller owns @out.
 */
int cdoc_flame_html(struct cdoc_buf *out, const struct cdoc_flame_view *views,
                    size_t n, const struct cdoc_flame_html_opts *opts);

/* Options of cdoc_flame_top_text(). */
struct cdoc_flame_top_opts {
	size_t limit;     /* rows per table; 0: 20 */
	int col;          /* column of @p to rank */
	int colour;       /* ANSI colours (the caller checks the terminal) */
	const char *unit; /* "samples" */
	int only;         /* 0: both tables; 1: self only; 2: total only */
};

/*
 * Append to @out the top functions of @p by self weight and by total
 * weight (a function counted once per sample even when recursive), with
 * percentages of the column's total.
 */
void cdoc_flame_top_text(struct cdoc_buf *out, const struct cdoc_profile *p,
                         const struct cdoc_flame_top_opts *opts);

#endif
