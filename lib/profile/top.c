/*
 * top.c - functions ranked by self and total weight.
 */
#include "profile/profile.h"

#include <stdlib.h>
#include <string.h>

struct sort_ctx {
	enum cdoc_top_order order;
	const struct cdoc_profile *p;
};

static int cmp_top(const void *a, const void *b, void *arg)
{
	const struct cdoc_top_entry *x = a, *y = b;
	const struct sort_ctx *ctx = arg;
	enum cdoc_top_order sort_order = ctx->order;
	uint64_t xa = sort_order == CDOC_TOP_SELF ? x->self : x->total;
	uint64_t ya = sort_order == CDOC_TOP_SELF ? y->self : y->total;
	uint64_t xb = sort_order == CDOC_TOP_SELF ? x->total : x->self;
	uint64_t yb = sort_order == CDOC_TOP_SELF ? y->total : y->self;

	if (xa != ya)
		return xa < ya ? 1 : -1;
	if (xb != yb)
		return xb < yb ? 1 : -1;
	return strcmp(cdoc_strtab_get(&ctx->p->names, x->name),
	              cdoc_strtab_get(&ctx->p->names, y->name));
}

/*
 * Totals count a function once per sample: a node adds its total only when
 * no ancestor has the same name. Depth-first with an explicit stack; the
 * number of open occurrences of each name is kept in @active.
 */
static void add_totals(const struct cdoc_profile *p, int col,
                       struct cdoc_top_entry *by_name, uint32_t *active)
{
	uint32_t *todo = NULL;
	size_t nr = 0, alloc = 0;

	CDOC_GROW(todo, 1, alloc);
	todo[nr++] = p->nodes[0].first_child;
	while (nr) {
		uint32_t n = todo[nr - 1];

		if (n == CDOC_NONE) {
			/* Children done: close the parent's occurrence. */
			nr--;
			if (nr) {
				uint32_t par = todo[nr - 1];

				active[p->nodes[par].name]--;
				todo[nr - 1] = p->nodes[par].next_sibling;
			}
			continue;
		}
		if (!active[p->nodes[n].name]++)
			by_name[p->nodes[n].name].total +=
			        p->nodes[n].total[col];
		by_name[p->nodes[n].name].self += p->nodes[n].self[col];
		CDOC_GROW(todo, nr + 1, alloc);
		todo[nr++] = p->nodes[n].first_child;
	}
	free(todo);
}

size_t cdoc_profile_top(const struct cdoc_profile *p, int col,
                        enum cdoc_top_order order, struct cdoc_top_entry **out)
{
	size_t nr_names = p->names.nr, i, n = 0;
	struct cdoc_top_entry *by_name;
	struct sort_ctx ctx;
	uint32_t *active;

	by_name = cdoc_calloc(nr_names, sizeof(*by_name));
	active = cdoc_calloc(nr_names, sizeof(*active));
	add_totals(p, col, by_name, active);
	for (i = 0; i < nr_names; i++) {
		if (!by_name[i].total && !by_name[i].self)
			continue;
		by_name[n] = by_name[i];
		by_name[n++].name = i;
	}
	ctx.order = order;
	ctx.p = p;
	qsort_r(by_name, n, sizeof(*by_name), cmp_top, &ctx);
	free(active);
	*out = by_name;
	return n;
}
