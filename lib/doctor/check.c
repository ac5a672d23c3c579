/*
 * check.c - the CI gate behind `cdoctor check`: shares of functions in a
 * baseline profile against a current one.
 */
#include "doctor/doctor.h"

#include <stdlib.h>
#include <string.h>

void cdoc_check_opts_init(struct cdoc_check_opts *o)
{
	o->max_regress = 5.0;
	o->min_share = 1.0;
}

/* Share in % of function @name in @top (@n entries, @total weight). */
static double share_of(const struct cdoc_profile *p,
                       const struct cdoc_top_entry *top, size_t n,
                       uint64_t total, const char *name, int inclusive)
{
	int64_t id = cdoc_strtab_find(&p->names, name, strlen(name));
	size_t i;

	if (id < 0 || !total)
		return 0;
	for (i = 0; i < n; i++)
		if (top[i].name == (uint32_t)id)
			return 100.0 *
			       (inclusive ? top[i].total : top[i].self) / total;
	return 0;
}

static void add(struct cdoc_check_result *res, const char *name, int total,
                double base, double cur)
{
	struct cdoc_regression *x;

	CDOC_GROW(res->items, res->nr + 1, res->alloc);
	x = &res->items[res->nr++];
	x->name = cdoc_strdup(name);
	x->total = total;
	x->base = base;
	x->cur = cur;
}

static int worse_first(const void *a, const void *b)
{
	const struct cdoc_regression *x = a, *y = b;
	double dx = x->cur - x->base, dy = y->cur - y->base;

	if (dx != dy)
		return dx < dy ? 1 : -1;
	if (x->total != y->total)
		return x->total - y->total;
	return strcmp(x->name, y->name);
}

size_t cdoc_check_profiles(const struct cdoc_profile *base,
                           const struct cdoc_profile *cur,
                           const struct cdoc_check_opts *o,
                           struct cdoc_check_result *res)
{
	struct cdoc_top_entry *bt, *ct;
	uint64_t btot = cdoc_profile_total(base, 0);
	uint64_t ctot = cdoc_profile_total(cur, 0);
	size_t bn = cdoc_profile_top(base, 0, CDOC_TOP_SELF, &bt);
	size_t cn = cdoc_profile_top(cur, 0, CDOC_TOP_SELF, &ct);
	size_t i, before = res->nr;
	int inc;

	res->base_total += btot;
	res->cur_total += ctot;
	for (i = 0; i < cn && ctot; i++) {
		const char *name = cdoc_strtab_get(&cur->names, ct[i].name);

		for (inc = 0; inc < 2; inc++) {
			double c =
			        100.0 * (inc ? ct[i].total : ct[i].self) / ctot;
			double b = share_of(base, bt, bn, btot, name, inc);

			if (c >= o->min_share && c - b > o->max_regress)
				add(res, name, inc, b, c);
		}
	}
	free(bt);
	free(ct);
	cdoc_sort(res->items + before, res->nr - before, sizeof(*res->items),
	          worse_first);
	return res->nr - before;
}

void cdoc_check_result_release(struct cdoc_check_result *res)
{
	size_t i;

	for (i = 0; i < res->nr; i++)
		free(res->items[i].name);
	free(res->items);
	memset(res, 0, sizeof(*res));
}
