/*
 * ticks.c - the loop threads of a recording's TICKS chunks, cut to the
 * analysis window: tick counts and histogram of the intervals that end
 * in it, and the long ticks that overlap it (clipped, sorted by start).
 */
#include "doctor/internal.h"

#include <stdlib.h>
#include <string.h>

static struct vloop *loop_for(struct vctx *c, uint32_t pid, uint32_t tid)
{
	uint32_t i;

	if (cdoc_u64map_get(&c->loop_of, tid, &i))
		return &c->loops[i];
	cdoc_u64map_put(&c->loop_of, tid, (uint32_t)c->nr_loops);
	CDOC_GROW(c->loops, c->nr_loops + 1, c->alloc_loops);
	memset(&c->loops[c->nr_loops], 0, sizeof(c->loops[0]));
	c->loops[c->nr_loops].pid = pid;
	c->loops[c->nr_loops].tid = tid;
	return &c->loops[c->nr_loops++];
}

static void add_long(struct vctx *c, struct vloop *l,
                     const struct cdoc_rec_long_tick *t)
{
	uint64_t s = CDOC_MAX(t->start_ns, c->w0);
	uint64_t e = CDOC_MIN(t->start_ns + t->dur_ns, c->w1);

	if (e <= s)
		return;
	CDOC_GROW(l->longs, l->nr_longs + 1, l->alloc_longs);
	l->longs[l->nr_longs].start = s;
	l->longs[l->nr_longs++].end = e;
	l->blocked_ns += e - s;
}

static void add_set(struct vctx *c, const struct cdoc_rec_tickset *t)
{
	struct vloop *l = loop_for(c, t->pid, t->tid);
	size_t i;

	for (i = 0; i < t->nr_longs; i++)
		add_long(c, l, &t->longs[i]);
	if (t->time_ns < c->w0 || t->time_ns > c->w1)
		return;
	l->nticks += t->nticks;
	l->busy_ns += t->busy_ns;
	l->max_ns = CDOC_MAX(l->max_ns, t->max_ns);
	for (i = 0; i < CDOC_TICK_BUCKETS && i < 32; i++)
		l->hist[i] += t->hist[i];
}

static int by_start(const void *a, const void *b)
{
	const struct vspan *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

void doctor__loops_load(struct vctx *c)
{
	size_t i;

	for (i = 0; i < c->r->nr_ticksets; i++)
		add_set(c, &c->r->ticksets[i]);
	for (i = 0; i < c->nr_loops; i++)
		if (c->loops[i].nr_longs > 1) /* (qsort of NULL is undefined) */
			qsort(c->loops[i].longs, c->loops[i].nr_longs,
			      sizeof(struct vspan), by_start);
}

const struct vloop *doctor__loop_of(const struct vctx *c, uint32_t tid)
{
	uint32_t i;

	return cdoc_u64map_get(&c->loop_of, tid, &i) ? &c->loops[i] : NULL;
}

int doctor__in_long_tick(const struct vctx *c, uint32_t tid, uint64_t t)
{
	const struct vloop *l = doctor__loop_of(c, tid);
	size_t lo = 0, hi;

	if (!l)
		return 0;
	hi = l->nr_longs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (l->longs[mid].end < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < l->nr_longs && l->longs[lo].start <= t;
}
