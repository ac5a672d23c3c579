/*
 * frames.c - a stack id of a process instance resolved to its frames,
 * for EXT records that name the stack of a site (the code that opened a
 * descriptor): the same stack table as allocations, symbolized as heap
 * snapshots do, with one symbol table kept between calls.
 */
#include <errno.h>
#include <string.h>

#include "heap/internal.h"
#include "symbol/symbol.h"

static struct hproc *find_proc(const struct cdoc_heap *h, uint64_t instance,
                               uint32_t *idx)
{
	if (!cdoc_u64map_get(&h->by_instance, instance, idx))
		return NULL;
	return h->procs[--*idx];
}

int cdoc_heap_stack_pcs(const struct cdoc_heap *h, uint64_t instance,
                        uint32_t id, uint64_t *pcs, size_t max)
{
	uint32_t idx;
	const struct hproc *p = find_proc(h, instance, &idx);
	const struct hstack *st;
	size_t n;

	if (!p)
		return -ENOENT;
	st = heap__stack(h, p, id);
	if (!st)
		return 0;
	n = CDOC_MIN((size_t)st->nr, max);
	memcpy(pcs, st->pcs, n * sizeof(*pcs));
	return (int)n;
}

void heap__frames_free(struct cdoc_heap *h)
{
	cdoc_syms_free(h->fsyms);
	h->fsyms = NULL;
	free(h->fsyms_fed);
	h->fsyms_fed = NULL;
	h->nr_fsyms_fed = 0;
}

/* The symbol table, with process @idx's mappings in it as key idx + 1.
 * Mappings sent since they were fed (a process sends them again at exit)
 * rebuild the table. */
static struct cdoc_syms *syms_for(struct cdoc_heap *h, uint32_t idx)
{
	const struct hproc *p = h->procs[idx];
	size_t have = 1 + heap__map_owner(h, p)->nr_maps;

	if (idx < h->nr_fsyms_fed && h->fsyms_fed[idx] &&
	    h->fsyms_fed[idx] != have)
		heap__frames_free(h);
	if (!h->fsyms && cdoc_syms_new(&h->fsyms) < 0)
		return NULL;
	if (idx >= h->nr_fsyms_fed) {
		size_t n = CDOC_MAX((size_t)idx + 1, h->nr_fsyms_fed * 2);

		h->fsyms_fed =
		        cdoc_realloc(h->fsyms_fed, n * sizeof(*h->fsyms_fed));
		memset(h->fsyms_fed + h->nr_fsyms_fed, 0,
		       (n - h->nr_fsyms_fed) * sizeof(*h->fsyms_fed));
		h->nr_fsyms_fed = n;
	}
	if (!h->fsyms_fed[idx]) {
		heap__feed_maps(h, h->fsyms, p, idx + 1);
		h->fsyms_fed[idx] = have;
	}
	return h->fsyms;
}

int cdoc_heap_stack_frames(struct cdoc_heap *h, uint64_t instance, uint32_t id,
                           struct cdoc_buf *out)
{
	uint32_t idx, i;
	const struct hproc *p = find_proc(h, instance, &idx);
	const struct hstack *st;
	struct cdoc_syms *syms;
	struct cdoc_symbol sym;

	if (!p)
		return -ENOENT;
	st = heap__stack(h, p, id);
	if (!st)
		return 0;
	if (!(syms = syms_for(h, idx)))
		return -ENOMEM;
	for (i = 0; i < st->nr; i++) {
		cdoc_syms_resolve(syms, idx + 1,
		                  st->pcs[i] ? st->pcs[i] - 1 : 0, 0, &sym);
		cdoc_symbol_format(&sym, out);
		cdoc_buf_add(out, "", 1);
	}
	return (int)st->nr;
}
