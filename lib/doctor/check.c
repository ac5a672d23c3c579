/*
 * check.c - the CI gate behind `cdoctor check`: shares of functions in a
 * baseline profile against a current one, with a significance test that
 * noise cannot pass and a minimum effect that trivia cannot pass.
 *
 * Each function's share (self, and total) is a proportion of the
 * profile's samples: x1 of n1 in the baseline, x2 of n2 now. A rise is
 * tested with the one-sided two-proportion z-test (pooled variance); the
 * p-values of all comparisons of all profiles are corrected together
 * with Holm-Bonferroni, which holds the chance of any false alarm at
 * alpha. docs/ci.md explains the choices.
 */
#include "doctor/doctor.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void cdoc_check_opts_init(struct cdoc_check_opts *o)
{
	o->min_effect = 2.0;
	o->alpha = 0.01;
}

const char *cdoc_check_status_name(enum cdoc_check_status s)
{
	return s == CDOC_CHECK_FAIL           ? "fail"
	       : s == CDOC_CHECK_INCONCLUSIVE ? "inconclusive"
	                                      : "ok";
}

/* One-sided p-value of x2/n2 > x1/n1. */
static double p_rise(double x1, double n1, double x2, double n2)
{
	double p = (x1 + x2) / (n1 + n2);
	double se = sqrt(p * (1 - p) * (1 / n1 + 1 / n2));

	if (x2 / n2 <= x1 / n1)
		return 1;
	if (se <= 0)
		return 0;
	return 0.5 * erfc((x2 / n2 - x1 / n1) / se / M_SQRT2);
}

/* z with P(Z > z) = @p, by bisection (0 < p < 0.5). */
static double z_upper(double p)
{
	double lo = 0, hi = 40;
	int i;

	for (i = 0; i < 100; i++) {
		double mid = (lo + hi) / 2;

		if (0.5 * erfc(mid / M_SQRT2) > p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/* Weight of function @name in @top (self or total), 0 when absent. */
static uint64_t weight_of(const struct cdoc_profile *p,
                          const struct cdoc_top_entry *top, size_t n,
                          const char *name, int inclusive)
{
	int64_t id = cdoc_strtab_find(&p->names, name, strlen(name));
	size_t i;

	if (id < 0)
		return 0;
	for (i = 0; i < n; i++)
		if (top[i].name == (uint32_t)id)
			return inclusive ? top[i].total : top[i].self;
	return 0;
}

/* The sample counts behind a profile, with totals. */
struct side {
	const struct cdoc_profile *p;
	struct cdoc_top_entry *top;
	size_t n;
	double total, count;
};

static void keep(struct cdoc_check_result *res, const char *profile,
                 const char *name, int inc, double b, double c, double p)
{
	struct cdoc_regression *x;

	CDOC_GROW(res->items, res->nr + 1, res->alloc);
	x = &res->items[res->nr++];
	x->profile = profile;
	x->name = cdoc_strdup(name);
	x->total = inc;
	x->base = b;
	x->cur = c;
	x->p = p;
	x->p_adj = 1;
}

/*
 * Compare one function (self and total); returns comparisons made.
 * *@var keeps the largest p(1-p) of a pooled self share seen.
 */
static size_t compare_fn(struct cdoc_check_result *res, const char *profile,
                         const struct side *b, const struct side *c,
                         const char *name, double *var)
{
	int inc;

	for (inc = 0; inc < 2; inc++) {
		double sb = weight_of(b->p, b->top, b->n, name, inc) / b->total;
		double sc = weight_of(c->p, c->top, c->n, name, inc) / c->total;
		double p = p_rise(sb * b->count, b->count, sc * c->count,
		                  c->count);

		double pool =
		        (sb * b->count + sc * c->count) / (b->count + c->count);

		if (sc > sb)
			keep(res, profile, name, inc, 100 * sb, 100 * sc, p);
		if (!inc)
			*var = CDOC_MAX(*var, pool * (1 - pool));
	}
	return 2;
}

static void side_init(struct side *s, const struct cdoc_profile *p,
                      uint64_t count)
{
	s->p = p;
	s->n = cdoc_profile_top(p, 0, CDOC_TOP_SELF, &s->top);
	s->total = (double)cdoc_profile_total(p, 0);
	s->count = (double)count;
}

void cdoc_check_add(struct cdoc_check_result *res, const char *profile,
                    const struct cdoc_profile *base, uint64_t base_n,
                    const struct cdoc_profile *cur, uint64_t cur_n,
                    const struct cdoc_check_opts *o)
{
	struct side b, c;
	struct cdoc_check_prof *cp;
	size_t i, compared = 0;
	double var = 0;

	if (!base_n || !cur_n || !cdoc_profile_total(base, 0) ||
	    !cdoc_profile_total(cur, 0))
		return;
	side_init(&b, base, base_n);
	side_init(&c, cur, cur_n);
	/* Every function of either side: one that vanished counts in m. */
	for (i = 0; i < c.n; i++)
		compared += compare_fn(
		        res, profile, &b, &c,
		        cdoc_strtab_get(&cur->names, c.top[i].name), &var);
	for (i = 0; i < b.n; i++)
		if (cdoc_strtab_find(
		            &cur->names,
		            cdoc_strtab_get(&base->names, b.top[i].name),
		            cdoc_strtab_len(&base->names, b.top[i].name)) < 0)
			compared += 2;
	CDOC_GROW(res->profs, res->nr_profs + 1, res->alloc_profs);
	cp = &res->profs[res->nr_profs++];
	memset(cp, 0, sizeof(*cp));
	cp->name = profile;
	cp->base_n = base_n;
	cp->cur_n = cur_n;
	cp->compared = compared;
	cp->var = var;
	res->compared += compared;
	free(b.top);
	free(c.top);
	(void)o;
}

static int by_p(const void *a, const void *b)
{
	const struct cdoc_regression *x = a, *y = b;

	return x->p < y->p ? -1 : x->p > y->p;
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

/* Holm: p_adj(k) = max over j <= k of min(1, (m - j + 1) p(j)). */
static void holm(struct cdoc_check_result *res)
{
	double run = 0;
	size_t k, m = res->compared;

	cdoc_sort(res->items, res->nr, sizeof(*res->items), by_p);
	for (k = 0; k < res->nr; k++) {
		double a = (double)(m - k) * res->items[k].p;

		run = CDOC_MAX(run, CDOC_MIN(a, 1.0));
		res->items[k].p_adj = run;
	}
}

/*
 * The smallest rise (points) that reaches significance for the function
 * whose self share is the most uncertain (closest to 50%), after the
 * correction for the number of comparisons.
 */
static void detectable(struct cdoc_check_result *res,
                       const struct cdoc_check_opts *o)
{
	double m = res->compared ? (double)res->compared : 1;
	double z = z_upper(o->alpha / m);
	size_t i;

	for (i = 0; i < res->nr_profs; i++) {
		struct cdoc_check_prof *p = &res->profs[i];

		p->detectable =
		        100 * z * 0.5 * sqrt(1.0 / p->base_n + 1.0 / p->cur_n);
		p->inconclusive = p->detectable > o->min_effect;
	}
}

size_t cdoc_check_finish(struct cdoc_check_result *res,
                         const struct cdoc_check_opts *o)
{
	size_t i, n = 0;

	holm(res);
	detectable(res, o);
	for (i = 0; i < res->nr; i++) {
		struct cdoc_regression *x = &res->items[i];

		if (x->p_adj <= o->alpha && x->cur - x->base > o->min_effect)
			res->items[n++] = *x;
		else
			free(x->name);
	}
	res->nr = n;
	cdoc_sort(res->items, n, sizeof(*res->items), worse_first);
	res->status = n ? CDOC_CHECK_FAIL : CDOC_CHECK_OK;
	for (i = 0; i < res->nr_profs && !n; i++)
		if (res->profs[i].inconclusive)
			res->status = CDOC_CHECK_INCONCLUSIVE;
	return n;
}

void cdoc_check_result_release(struct cdoc_check_result *res)
{
	size_t i;

	for (i = 0; i < res->nr; i++)
		free(res->items[i].name);
	free(res->items);
	free(res->profs);
	memset(res, 0, sizeof(*res));
}
