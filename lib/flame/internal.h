/*
 * internal.h - what the flame renderers share: the frame layout, colour
 * palettes, text escaping and template expansion.
 */
#ifndef CDOC_FLAME_INTERNAL_H
#define CDOC_FLAME_INTERNAL_H

#include "flame/flame.h"

/* One drawn frame. x and w are in weight units, not pixels. */
struct frame {
	const char *name; /* NULL for the root ("all") */
	size_t len;       /* bytes of name */
	uint32_t depth;   /* 0 = root */
	uint64_t x, w;    /* start and width */
	uint64_t self;    /* own weight (tree layouts only) */
	int64_t delta;    /* self change (differentials) */
};

/* struct layout - the frames to draw and what scales them. */
struct layout {
	struct frame *f;
	size_t nr, alloc;
	uint32_t maxdepth; /* deepest frame kept */
	uint64_t total;    /* weight of the whole picture */
	int64_t maxdelta;  /* largest |delta| of a sample line, >= 1 */
	int diff;          /* differential colours */
};

void flame__layout_release(struct layout *l);

/* Frames of @p (column @col) at least @minw wide, children in name order. */
void flame__layout_tree(struct layout *l, const struct cdoc_profile *p, int col,
                        double minw);

/* Frames of a flame chart at least @minw wide. */
void flame__layout_chart(struct layout *l, const struct cdoc_flame_chart *c,
                         double minw);

/* The minimum frame width in weight units for @o over @total. */
double flame__layout_minwidth(const struct cdoc_flame_opts *o, uint64_t total);

/*
 * Fill @rgb with the colour of frame @name under palette @colors, as
 * flamegraph.pl picks it (deterministic per name; @hash for --hash).
 * Returns 0, or -1 for an unknown palette.
 */
int flame__palette_color(const char *colors, int hash, const char *name,
                         size_t len, unsigned char rgb[3]);
int flame__palette_known(const char *colors);

/* Background gradient of @bgcolors (or the palette's default). */
int flame__palette_background(const char *colors, const char *bgcolors,
                              const char **c1, const char **c2);

/* The differential colour of @delta against @maxdelta. */
void flame__palette_diff(int64_t delta, int64_t maxdelta, int negate,
                         unsigned char rgb[3]);

/* Draw @l as an SVG (cdoc_flame_svg's picture). */
int flame__render_svg(struct cdoc_buf *b, const struct layout *l,
                      const struct cdoc_flame_opts *o);

/* -CDOC_EFORMAT with a hint when @in is perf script text, else 0. */
int flame__check_input(const struct cdoc_input *in);

/* A non-negative number with @decimals (0..3) digits after the point. */
void flame__add_fixed(struct cdoc_buf *b, double v, int decimals);

/* A number as perl prints it: integers bare, else up to 2 decimals. */
void flame__add_num(struct cdoc_buf *b, double v);

/* An unsigned count with thousands separators: 1,234,567. */
void flame__add_commas(struct cdoc_buf *b, uint64_t v);

/* Length of @s without a trailing _[k] _[w] _[i] _[j] annotation. */
size_t flame__strip_annotation(const char *s, size_t len);

/*
 * Append template @name with each "{{key}}" replaced through @fill
 * (which appends the value); unknown keys are dropped. Returns 0 or
 * -ENOENT when the template is missing.
 */
int flame__add_template(struct cdoc_buf *b, const char *name,
                        void (*fill)(struct cdoc_buf *b, const char *key,
                                     size_t keylen, void *arg),
                        void *arg);

#endif
