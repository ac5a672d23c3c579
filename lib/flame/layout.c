/*
 * layout.c - where each frame goes: the merged tree of a profile laid out
 * as flamegraph.pl does (children in name order, a parent's own weight on
 * its left, narrow frames omitted without visiting their subtrees), and
 * the frames of a flame chart.
 */
#include "flame/internal.h"

#include <stdlib.h>
#include <string.h>

#define XPAD 10 /* pixels left and right of the frames */

void flame__layout_release(struct layout *l)
{
	free(l->f);
	memset(l, 0, sizeof(*l));
}

double flame__layout_minwidth(const struct cdoc_flame_opts *o, uint64_t total)
{
	double px = (double)o->width - 2 * XPAD;

	if (o->minwidth_pct)
		return (double)total * o->minwidth / 100;
	if (px < 1)
		px = 1;
	return o->minwidth * (double)total / px;
}

static struct frame *add_frame(struct layout *l)
{
	CDOC_GROW(l->f, l->nr + 1, l->alloc);
	memset(&l->f[l->nr], 0, sizeof(l->f[0]));
	return &l->f[l->nr++];
}

/* qsort_r order of child nodes by name bytes; @arg is the profile. */
static int by_name(const void *a, const void *b, void *arg)
{
	const struct cdoc_profile *sort_p = arg;
	const struct cdoc_strtab *t = &sort_p->names;
	uint32_t na = sort_p->nodes[*(const uint32_t *)a].name;
	uint32_t nb = sort_p->nodes[*(const uint32_t *)b].name;
	size_t la = cdoc_strtab_len(t, na), lb = cdoc_strtab_len(t, nb);
	int c = memcmp(cdoc_strtab_get(t, na), cdoc_strtab_get(t, nb),
	               CDOC_MIN(la, lb));

	return c ? c : (la > lb) - (la < lb);
}

static int64_t self_delta(const struct cdoc_pnode *n)
{
	return (int64_t)(n->self[1] - n->self[0]);
}

static void find_maxdelta(struct layout *l, const struct cdoc_profile *p)
{
	size_t i;

	l->maxdelta = 1;
	for (i = 0; i < p->nr_nodes; i++) {
		int64_t d = self_delta(&p->nodes[i]);

		if (d < 0)
			d = -d;
		if (d > l->maxdelta)
			l->maxdelta = d;
	}
}

/* struct walk - the explicit DFS stack of flame__layout_tree(). */
struct walk {
	struct {
		uint32_t node;
		uint64_t x;
	} * s;
	size_t nr, alloc;
	uint32_t *kids;
	size_t nr_kids, alloc_kids;
};

/* Push the children of @node wider than @minw, rightmost first. */
static void push_children(struct walk *w, const struct cdoc_profile *p,
                          uint32_t node, uint64_t x, int col, double minw)
{
	const struct cdoc_pnode *n = &p->nodes[node];
	uint32_t c;
	size_t i, first, last;

	w->nr_kids = 0;
	for (c = n->first_child; c != CDOC_NONE; c = p->nodes[c].next_sibling) {
		CDOC_GROW(w->kids, w->nr_kids + 1, w->alloc_kids);
		w->kids[w->nr_kids++] = c;
	}
	if (w->nr_kids > 1) {
		qsort_r(w->kids, w->nr_kids, sizeof(*w->kids), by_name,
		        (void *)p);
	}
	x += n->self[col];
	first = w->nr;
	for (i = 0; i < w->nr_kids; i++) {
		uint64_t cw = p->nodes[w->kids[i]].total[col];

		if (cw && (double)cw >= minw) {
			CDOC_GROW(w->s, w->nr + 1, w->alloc);
			w->s[w->nr].node = w->kids[i];
			w->s[w->nr++].x = x;
		}
		x += cw;
	}
	/* Reverse the pushed run so the leftmost child pops first. */
	for (i = first, last = w->nr; i + 1 < last; i++, last--) {
		__typeof__(*w->s) t = w->s[i];

		w->s[i] = w->s[last - 1];
		w->s[last - 1] = t;
	}
}

void flame__layout_tree(struct layout *l, const struct cdoc_profile *p, int col,
                        double minw)
{
	struct walk w = {0};

	l->diff = p->columns == 2;
	if (l->diff) {
		col = 1;
		find_maxdelta(l, p);
	}
	l->total = p->nodes[0].total[col];
	CDOC_GROW(w.s, 1, w.alloc);
	w.s[0].node = 0;
	w.s[0].x = 0;
	w.nr = 1;
	while (w.nr) {
		uint32_t node = w.s[--w.nr].node;
		uint64_t x = w.s[w.nr].x;
		const struct cdoc_pnode *n = &p->nodes[node];
		struct frame *f = add_frame(l);

		if (node) {
			f->name = cdoc_strtab_get(&p->names, n->name);
			f->len = cdoc_strtab_len(&p->names, n->name);
		}
		f->depth = n->depth;
		f->x = x;
		f->w = node ? n->total[col] : l->total;
		f->self = n->self[col];
		f->delta = l->diff ? self_delta(n) : 0;
		if (f->depth > l->maxdepth)
			l->maxdepth = f->depth;
		push_children(&w, p, node, x, col, minw);
	}
	free(w.s);
	free(w.kids);
}

void flame__layout_chart(struct layout *l, const struct cdoc_flame_chart *c,
                         double minw)
{
	size_t i;

	l->diff = c->columns == 2;
	l->maxdelta = 1;
	l->total = c->nr ? c->frames[0].w : 0;
	for (i = 0; i < c->nr; i++) {
		const struct cdoc_flame_cframe *cf = &c->frames[i];
		struct frame *f;
		int64_t d = cf->delta < 0 ? -cf->delta : cf->delta;

		if (d > l->maxdelta)
			l->maxdelta = d;
		if (!cf->w || (double)cf->w < minw)
			continue;
		f = add_frame(l);
		if (cf->name != CDOC_NONE) {
			f->name = cdoc_strtab_get(&c->names, cf->name);
			f->len = cdoc_strtab_len(&c->names, cf->name);
		}
		f->depth = cf->depth;
		f->x = cf->x;
		f->w = cf->w;
		f->delta = cf->delta;
		if (f->depth > l->maxdepth)
			l->maxdepth = f->depth;
	}
}
