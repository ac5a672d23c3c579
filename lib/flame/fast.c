/*
 * fast.c - SVG straight from folded text, for large inputs: the lines are
 * sorted by stack (frame by frame, so a stack's lines stay together and
 * children come in name order) and laid out in one pass as flamegraph.pl's
 * flow() does, with no tree and no interning; narrow frames are dropped
 * as they close. The picture is the one cdoc_flame_svg() draws.
 */
#include "flame/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* One folded line: its stack text (in the input) and counts. */
struct line {
	const char *s;
	size_t len;
	uint64_t c[2]; /* column 0 and 1 (two-count lines) */
};

struct lines {
	struct line *l;
	size_t nr, alloc;
	int columns;
};

static int parse_line(struct lines *ls, const char *s, const char *e)
{
	struct cdoc_folded_line fl;
	struct line *l;

	if (cdoc_folded_parse_line(s, e, &fl) < 0)
		return -1;
	CDOC_GROW(ls->l, ls->nr + 1, ls->alloc);
	l = &ls->l[ls->nr++];
	l->s = s;
	l->len = fl.stack_len;
	l->c[0] = fl.count[0];
	l->c[1] = fl.count[1];
	if (fl.columns == 2)
		ls->columns = 2;
	return 0;
}

static int parse_input(struct lines *ls, const struct cdoc_input *in)
{
	const char *s = in->data, *end = in->data + in->len, *line, *e;
	size_t lineno = 0;

	while ((line = cdoc_next_line(&s, end, &e))) {
		lineno++;
		if (e > line && parse_line(ls, line, e) < 0)
			return cdoc_error(-CDOC_EFORMAT,
			                  "%s:%zu: not a folded stack line "
			                  "(expected 'frame;frame;... COUNT')",
			                  in->name, lineno);
	}
	return 0;
}

/* Byte order with the end of the stack first and ';' next, then bytes. */
static inline int rank(const struct line *l, size_t i)
{
	unsigned char c;

	if (i >= l->len)
		return 0;
	c = l->s[i];
	return c == ';' ? 1 : c + 2;
}

static int by_stack(const void *a, const void *b)
{
	const struct line *x = a, *y = b;
	size_t n = CDOC_MIN(x->len, y->len), i = 0;
	uint64_t wx, wy;

	while (i + 8 <= n) {
		memcpy(&wx, x->s + i, 8);
		memcpy(&wy, y->s + i, 8);
		if (wx != wy)
			break;
		i += 8;
	}
	while (i < n && x->s[i] == y->s[i])
		i++;
	return rank(x, i) - rank(y, i);
}

/* struct flow - the frames still open while the sorted lines go by. */
struct flow {
	struct layout *l;
	double minw;
	struct open {
		const char *name;
		size_t len;
		uint64_t x;
		int64_t delta;
	} * o;
	size_t nr, alloc;
	uint64_t x; /* weight laid out so far */
};

static void close_from(struct flow *f, size_t keep)
{
	while (f->nr > keep) {
		struct open *o = &f->o[--f->nr];
		uint64_t w = f->x - o->x;
		int64_t ad = o->delta < 0 ? -o->delta : o->delta;
		struct frame *fr;

		if (ad > f->l->maxdelta)
			f->l->maxdelta = ad;
		if (!w || (double)w < f->minw)
			continue;
		CDOC_GROW(f->l->f, f->l->nr + 1, f->l->alloc);
		fr = &f->l->f[f->l->nr++];
		fr->name = o->name;
		fr->len = o->len;
		fr->depth = f->nr + 1;
		fr->x = o->x;
		fr->w = w;
		fr->delta = o->delta;
		fr->self = 0;
		if (fr->depth > f->l->maxdepth)
			f->l->maxdepth = fr->depth;
	}
}

static void flow_line(struct flow *f, const struct line *ln, int col)
{
	const char *s = ln->s, *end = s + ln->len;
	size_t depth = 0;

	while (s <= end && ln->len) {
		const char *semi = memchr(s, ';', end - s);
		size_t n = (semi ? semi : end) - s;

		if (depth < f->nr &&
		    (f->o[depth].len != n || memcmp(f->o[depth].name, s, n)))
			close_from(f, depth);
		if (depth >= f->nr) {
			CDOC_GROW(f->o, f->nr + 1, f->alloc);
			f->o[f->nr].name = s;
			f->o[f->nr].len = n;
			f->o[f->nr].x = f->x;
			f->o[f->nr++].delta = 0;
		}
		depth++;
		s += n + 1;
	}
	close_from(f, depth);
	if (depth && col)
		f->o[depth - 1].delta += (int64_t)(ln->c[1] - ln->c[0]);
	f->x += ln->c[col];
}

/* Preorder, as flame__layout_tree() emits: by start, then outer frames first. */
static int by_position(const void *a, const void *b)
{
	const struct frame *x = a, *y = b;

	if (x->x != y->x)
		return x->x < y->x ? -1 : 1;
	return (x->depth > y->depth) - (x->depth < y->depth);
}

static void layout_lines(struct layout *l, struct lines *ls,
                         const struct cdoc_flame_opts *o)
{
	struct flow f = {.l = l};
	int col = ls->columns == 2;
	int64_t root_delta = 0;
	size_t i;

	l->diff = col;
	l->maxdelta = 1;
	for (i = 0; i < ls->nr; i++) {
		l->total += ls->l[i].c[col];
		if (!ls->l[i].len)
			root_delta += (int64_t)(ls->l[i].c[1] - ls->l[i].c[0]);
	}
	/* As flame__layout_tree(): the largest change of any frame's own weight. */
	if (col && (root_delta < 0 ? -root_delta : root_delta) > l->maxdelta)
		l->maxdelta = root_delta < 0 ? -root_delta : root_delta;
	f.minw = flame__layout_minwidth(o, l->total);
	cdoc_sort(ls->l, ls->nr, sizeof(*ls->l), by_stack);
	CDOC_GROW(l->f, 1, l->alloc);
	memset(&l->f[0], 0, sizeof(l->f[0]));
	l->f[0].w = l->total;
	l->f[0].delta = col ? root_delta : 0;
	l->nr = 1;
	for (i = 0; i < ls->nr; i++)
		flow_line(&f, &ls->l[i], col);
	close_from(&f, 0);
	cdoc_sort(l->f, l->nr, sizeof(*l->f), by_position);
	free(f.o);
}

int cdoc_flame_svg_inputs(struct cdoc_buf *out,
                          const struct cdoc_input *const *ins, size_t n,
                          const struct cdoc_flame_opts *o)
{
	struct lines ls = {0};
	struct layout l = {0};
	size_t i;
	int ret = 0;

	for (i = 0; i < n && ret >= 0; i++) {
		ret = flame__check_input(ins[i]);
		if (ret >= 0)
			ret = parse_input(&ls, ins[i]);
	}
	if (ret >= 0) {
		layout_lines(&l, &ls, o);
		ret = flame__render_svg(out, &l, o);
	}
	flame__layout_release(&l);
	free(ls.l);
	return ret;
}
