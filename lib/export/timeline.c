/*
 * timeline.c - timed samples as per-thread time lines: grouping by
 * thread and replaying samples as opened and closed frames, for the
 * speedscope (evented) and trace exporters.
 */
#include "export/internal.h"

#include <string.h>

static const struct cdoc_recording *sort_r;

static int by_time(const void *a, const void *b)
{
	const struct cdoc_rec_tsample *x =
	        &sort_r->tsamples[*(const size_t *)a];
	const struct cdoc_rec_tsample *y =
	        &sort_r->tsamples[*(const size_t *)b];

	if (x->time_ns != y->time_ns)
		return x->time_ns < y->time_ns ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

static int by_thread(const void *a, const void *b)
{
	const struct tl_thread *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static struct tl_thread *thread_of(struct tl_thread **t, size_t *n,
                                   size_t *alloc, struct cdoc_u64map *m,
                                   const struct cdoc_rec_tsample *s)
{
	uint64_t key = ((uint64_t)s->pid << 32 | s->tid) * 2 + 1;
	uint32_t i;

	if (cdoc_u64map_get(m, key, &i))
		return &(*t)[i];
	CDOC_GROW(*t, *n + 1, *alloc);
	memset(&(*t)[*n], 0, sizeof(**t));
	(*t)[*n].pid = s->pid;
	(*t)[*n].tid = s->tid;
	cdoc_u64map_put(m, key, (uint32_t)*n);
	return &(*t)[(*n)++];
}

/* The node of the first frame below the root on @node's path. */
static uint32_t first_frame(const struct cdoc_profile *p, uint32_t node)
{
	while (node && p->nodes[node].parent)
		node = p->nodes[node].parent;
	return node;
}

size_t export__tl_threads(const struct cdoc_recording *r, int prof,
                          struct tl_thread **out)
{
	const struct cdoc_profile *p = &r->profiles[prof].prof;
	struct tl_thread *t = NULL;
	struct cdoc_u64map m;
	size_t i, n = 0, alloc = 0;

	cdoc_u64map_init(&m);
	for (i = 0; i < r->nr_tsamples; i++) {
		const struct cdoc_rec_tsample *s = &r->tsamples[i];
		struct tl_thread *th;

		if (s->profile != (uint32_t)prof)
			continue;
		th = thread_of(&t, &n, &alloc, &m, s);
		CDOC_GROW(th->idx, th->n + 1, th->alloc);
		th->idx[th->n++] = i;
		th->name = first_frame(p, s->node); /* the latest name */
	}
	cdoc_u64map_release(&m);
	sort_r = r;
	for (i = 0; i < n; i++)
		qsort(t[i].idx, t[i].n, sizeof(size_t), by_time);
	qsort(t, n, sizeof(*t), by_thread);
	*out = t;
	return n;
}

void export__tl_free(struct tl_thread *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(t[i].idx);
	free(t);
}

/* Close the open frames above depth @keep, innermost first. */
static void close_to(uint32_t *open, size_t *nopen, size_t keep, uint64_t t,
                     tl_fn fn, void *arg)
{
	while (*nopen > keep)
		fn(arg, 0, open[--*nopen], t);
}

void export__tl_walk(const struct cdoc_recording *r,
                     const struct cdoc_profile *p, const struct tl_thread *th,
                     uint64_t period_ns, tl_fn fn, void *arg)
{
	uint32_t *open = NULL, *path;
	size_t nopen = 0, alloc = 0, i, d, k;
	uint64_t end = 0;

	for (i = 0; i < th->n; i++) {
		const struct cdoc_rec_tsample *s = &r->tsamples[th->idx[i]];
		uint64_t t = s->time_ns;

		if (t > end)
			close_to(open, &nopen, 0, end, fn, arg);
		d = export__node_path(p, s->node, &path);
		for (k = 0; k < nopen && k < d && open[k] == path[k]; k++)
			;
		close_to(open, &nopen, k, t, fn, arg);
		CDOC_GROW(open, d, alloc);
		for (; k < d; k++) {
			open[nopen++] = path[k];
			fn(arg, 1, path[k], t);
		}
		free(path);
		end = t + period_ns;
	}
	close_to(open, &nopen, 0, end, fn, arg);
	free(open);
}

uint64_t export__period_or_default(const struct cdoc_recording *r)
{
	uint64_t p = export__sample_period_ns(r);

	return p ? p : 1000000000ull / 99;
}

int export__has_times(const struct cdoc_recording *r, int prof)
{
	size_t i;

	for (i = 0; i < r->nr_tsamples; i++)
		if (r->tsamples[i].profile == (uint32_t)prof)
			return 1;
	return 0;
}
