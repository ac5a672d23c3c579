/*
 * table.c - the stack table: each distinct stack string stored once with
 * its count (open addressing on a 64-bit hash), merged across worker
 * threads, and written sorted in byte order as perl's `sort keys` does.
 * Counts follow perl's arithmetic: exact integers until 64 bits overflow.
 */
#include "perfscript/internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void cdoc_ps_count_add(struct ps_count *c, const struct ps_count *v)
{
	if (!c->inexact && !v->inexact) {
		if (!__builtin_add_overflow(c->n, v->n, &c->n))
			return;
		c->nv = (double)(c->n - v->n) + (double)v->n;
		c->inexact = 1;
		return;
	}
	if (!c->inexact)
		c->nv = (double)c->n;
	c->inexact = 1;
	c->nv += v->inexact ? v->nv : (double)v->n;
}

void cdoc_ps_count_parse(struct ps_count *c, const char *s, size_t len)
{
	char *copy;
	size_t i;

	memset(c, 0, sizeof(*c));
	if (len == 0 || (len == 1 && s[0] == '0')) {
		c->n = 1;
		return;
	}
	for (i = 0; i < len; i++) {
		if (__builtin_mul_overflow(c->n, 10, &c->n) ||
		    __builtin_add_overflow(c->n, (uint64_t)(s[i] - '0'), &c->n))
			break;
	}
	if (i == len)
		return;
	/* Beyond 64 bits perl reads the digits as a double. */
	c->inexact = 1;
	copy = cdoc_strndup(s, len);
	c->nv = strtod(copy, NULL);
	free(copy);
}

void cdoc_ps_count_print(const struct ps_count *c, struct cdoc_buf *out)
{
	if (!c->inexact)
		cdoc_buf_addu64(out, c->n);
	else if (isinf(c->nv))
		cdoc_buf_add(out, "Inf", 3);
	else
		cdoc_buf_addf(out, "%.15g", c->nv);
}

void cdoc_ps_table_init(struct ps_table *t)
{
	memset(t, 0, sizeof(*t));
}

void cdoc_ps_table_release(struct ps_table *t)
{
	cdoc_index_release(&t->index);
	free(t->ents);
	free(t->keys);
	cdoc_ps_table_init(t);
}

/* What a probe of the table's index looks for. */
struct table_probe {
	const struct ps_table *t;
	const char *s;
	size_t len;
	uint64_t h;
};

static int table_eq(const void *ctx, uint32_t id)
{
	const struct table_probe *p = ctx;
	const struct ps_entry *e = &p->t->ents[id];

	return e->hash == p->h && e->len == p->len &&
	       !memcmp(p->t->keys + e->off, p->s, p->len);
}

static uint64_t table_hash_of(const void *ctx, uint32_t id)
{
	return ((const struct ps_table *)ctx)->ents[id].hash;
}

static void table_insert(struct ps_table *t, struct cdoc_index_slot *slot,
                         uint64_t h, const char *s, size_t len,
                         const struct ps_count *c)
{
	struct ps_entry *e;

	CDOC_GROW(t->ents, t->nr + 1, t->alloc);
	CDOC_GROW(t->keys, t->keys_len + len, t->keys_alloc);
	memcpy(t->keys + t->keys_len, s, len);
	e = &t->ents[t->nr];
	e->hash = h;
	e->off = t->keys_len;
	e->len = len;
	e->count = *c;
	t->keys_len += len;
	cdoc_index_set(slot, h, (uint32_t)t->nr++);
}

void cdoc_ps_table_add(struct ps_table *t, const char *s, size_t len,
                       const struct ps_count *c)
{
	struct table_probe p = {t, s, len, cdoc_hash(s, len)};
	struct cdoc_index_slot *slot;

	cdoc_index_reserve(&t->index, t->nr, 50, 1024, table_hash_of, t);
	slot = cdoc_index_find(&t->index, p.h, table_eq, &p);
	if (slot->id1)
		cdoc_ps_count_add(&t->ents[slot->id1 - 1].count, c);
	else
		table_insert(t, slot, p.h, s, len, c);
}

void cdoc_ps_table_merge(struct ps_table *dst, const struct ps_table *src)
{
	size_t i;

	for (i = 0; i < src->nr; i++)
		cdoc_ps_table_add(dst, src->keys + src->ents[i].off,
		                  src->ents[i].len, &src->ents[i].count);
}

/* qsort has no context argument: the keys being sorted, per thread. */
static __thread const struct ps_table *sort_table;

static int cmp_entries(const void *a, const void *b)
{
	const struct ps_entry *x = &sort_table->ents[*(const uint32_t *)a];
	const struct ps_entry *y = &sort_table->ents[*(const uint32_t *)b];
	int r = memcmp(sort_table->keys + x->off, sort_table->keys + y->off,
	               CDOC_MIN(x->len, y->len));

	if (r)
		return r;
	return x->len < y->len ? -1 : x->len > y->len;
}

void cdoc_ps_table_write(const struct ps_table *t, struct cdoc_buf *out)
{
	uint32_t *order = cdoc_malloc((t->nr + 1) * sizeof(*order));
	size_t i;

	for (i = 0; i < t->nr; i++)
		order[i] = i;
	sort_table = t;
	cdoc_sort(order, t->nr, sizeof(*order), cmp_entries);
	sort_table = NULL;
	cdoc_buf_grow(out, t->keys_len + t->nr * 24);
	for (i = 0; i < t->nr; i++) {
		const struct ps_entry *e = &t->ents[order[i]];

		cdoc_buf_add(out, t->keys + e->off, e->len);
		cdoc_buf_addch(out, ' ');
		cdoc_ps_count_print(&e->count, out);
		cdoc_buf_addch(out, '\n');
	}
	free(order);
}
