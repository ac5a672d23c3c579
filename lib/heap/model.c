/*
 * model.c - the live heap: processes, live pointers and call sites,
 * updated event by event.
 *
 * Threads of a process are not ordered against each other in the stream,
 * so a free can arrive before the allocation it frees, and an allocation
 * can arrive for an address still live (its free is on its way). Every
 * ALLOC and FREE carries a time stamp (rdtsc, taken after the real
 * allocation and before the real free), and the state of an address is
 * that of its latest event: late events change nothing live. Late events
 * count as "reordered"; frees never matched by an allocation as
 * "unmatched".
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "heap/internal.h"

#define unlikely(x) __builtin_expect(!!(x), 0)

/*
 * A zeroed table of @n entries, written now: calloc's fresh pages map the
 * shared zero page on the first read (a lookup) and fault again, with a
 * TLB flush, on the first write; writing them first faults once.
 */
#define HUGE_PAGE (2u << 20)
static struct lent *lmap_table(size_t n)
{
	size_t len = n * sizeof(struct lent);
	void *v;

	/* A large map is reached in no order: in huge pages its lookups
	 * miss the TLB less (bench/alloc_stl, full tracking: 3.01x -> 2.93x
	 * CPU in one run) */
	if (len >= HUGE_PAGE && posix_memalign(&v, HUGE_PAGE, len) == 0)
		madvise(v, len, MADV_HUGEPAGE);
	else
		v = cdoc_malloc(len);
	memset(v, 0, len);
	return v;
}

void heap__lmap_init(struct lmap *m)
{
	m->nr = 0;
	m->mask = 63;
	m->v = lmap_table(m->mask + 1);
}

void heap__lmap_release(struct lmap *m)
{
	free(m->v);
	m->v = NULL;
	m->nr = m->mask = 0;
}

/*
 * Each KiB of address space (at most 32 live blocks: malloc's smallest
 * chunk is 32 bytes) has 64 slots of its own, in address order, so that
 * neighbours in memory (allocated, and often freed, together) share
 * cache lines; the groups' places are spread by Fibonacci hashing (the
 * top bits of one product) and aligned to 64 slots, so that two groups
 * share all their slots or none. Whole 64 KiB blocks in order, at any
 * offset (once done here), let a dense heap's blocks overlap into long
 * runs of full slots: a CPython run with every object from malloc spent
 * a third of the collector's time shifting them in heap__lmap_del().
 * The group size is what bench/alloc_stl and that run both liked best
 * (64 B to 64 KiB tried).
 */
#define GROUP_BITS 10
static size_t slot_of(const struct lmap *m, uint64_t key)
{
	uint64_t group = ((key >> GROUP_BITS) * 0x9e3779b97f4a7c15ull) >> 32;

	return (size_t)((group << (GROUP_BITS - 4)) |
	                ((key >> 4) & ((1u << (GROUP_BITS - 4)) - 1))) &
	       m->mask;
}

struct lent *heap__lmap_get(const struct lmap *m, uint64_t key)
{
	size_t i = slot_of(m, key);

	for (; m->v[i].key; i = (i + 1) & m->mask)
		if (m->v[i].key == key)
			return &m->v[i];
	return NULL;
}

/* Linear probing stays short below half full. */
static void lmap_grow(struct lmap *m)
{
	struct lmap n;
	size_t i;

	n.mask = m->mask * 2 + 1;
	n.nr = m->nr;
	n.v = lmap_table(n.mask + 1);
	for (i = 0; i <= m->mask; i++) {
		size_t j;

		if (!m->v[i].key)
			continue;
		for (j = slot_of(&n, m->v[i].key); n.v[j].key;)
			j = (j + 1) & n.mask;
		n.v[j] = m->v[i];
	}
	free(m->v);
	*m = n;
}

struct lent *heap__lmap_put(struct lmap *m, uint64_t key)
{
	size_t i;

	if ((m->nr + 1) * 2 > m->mask + 1)
		lmap_grow(m);
	for (i = slot_of(m, key); m->v[i].key; i = (i + 1) & m->mask)
		if (m->v[i].key == key)
			return &m->v[i];
	m->nr++;
	m->v[i].key = key;
	return &m->v[i];
}

/* Delete by backward shift, so that lookups never meet tombstones. */
void heap__lmap_del(struct lmap *m, struct lent *e)
{
	size_t i = (size_t)(e - m->v), j = i;

	m->nr--;
	for (;;) {
		size_t home;

		memset(&m->v[i], 0, sizeof(m->v[i]));
		do {
			j = (j + 1) & m->mask;
			if (!m->v[j].key)
				return;
			home = slot_of(m, m->v[j].key);
		} while (i <= j ? (i < home && home <= j)
		                : (i < home || home <= j));
		m->v[i] = m->v[j];
		i = j;
	}
}

struct hproc *heap__proc(struct cdoc_heap *h, uint64_t instance, uint32_t pid)
{
	uint32_t idx;
	struct hproc *p;

	if (cdoc_u64map_get(&h->by_instance, instance, &idx)) {
		p = h->procs[idx - 1];
		if (!p->pid) /* made by its parent's FORK record */
			p->pid = pid;
		return p;
	}
	p = cdoc_calloc(1, sizeof(*p));
	p->instance = instance;
	p->pid = pid;
	p->parent = -1;
	heap__lmap_init(&p->live);

	heap__lmap_init(&p->inherited);
	CDOC_GROW(h->procs, h->nr_procs + 1, h->alloc_procs);
	h->procs[h->nr_procs++] = p;
	cdoc_u64map_put(&h->by_instance, instance, (uint32_t)h->nr_procs);
	return p;
}

/* An exec replaces the image: the old instance's heap is gone, not
 * leaked. */
static void mark_execed(struct cdoc_heap *h, struct hproc *p)
{
	size_t i;

	for (i = 0; i < h->nr_procs; i++) {
		struct hproc *q = h->procs[i];

		if (q != p && q->pid == p->pid &&
		    !(q->flags & (CDOC_HPROC_EXITED | CDOC_HPROC_EXECED)))
			q->flags |= CDOC_HPROC_EXECED;
	}
}

/* @p starts with what @parent has live now; once (FORK or HELLO). */
static void inherit(struct hproc *p, const struct hproc *parent)
{
	size_t i;

	if (p->has_inherited)
		return;
	p->has_inherited = 1;
	for (i = 0; i <= parent->live.mask; i++)
		if (parent->live.v[i].key && parent->live.v[i].count)
			heap__lmap_put(&p->inherited, parent->live.v[i].key);
}

void heap__hello(struct cdoc_heap *h, struct hproc *p, uint64_t parent,
                 uint32_t below, uint64_t rate, uint64_t flags, uint32_t ppid)
{
	uint32_t idx;

	p->sample_rate = rate;
	p->ppid = ppid;
	p->parent_instance = parent;
	if (parent && cdoc_u64map_get(&h->by_instance, parent, &idx)) {
		p->parent = (int)idx - 1;
		p->inherit_below = below;
		p->flags |= CDOC_HPROC_FORKED;
		inherit(p, h->procs[idx - 1]);
	} else if (!parent) {
		mark_execed(h, p);
	}
}

/*
 * @p forks a child that will be instance @child: it inherits what @p has
 * live at this point of the stream (its HELLO may come much later, after
 * @p has freed some of it).
 */
void heap__fork(struct cdoc_heap *h, struct hproc *p, uint64_t child)
{
	struct hproc *q;

	if (!child || child == p->instance)
		return;
	q = heap__proc(h, child, 0);
	inherit(q, p);
}

static int ensure_id(struct hproc *p, uint32_t id)
{
	size_t n;

	if (id == 0 || id >= HEAP_MAX_STACK_ID ||
	    id > p->inherit_below + 2 * p->nr_defined + HEAP_STACK_ID_AHEAD)
		return -1;
	if (id < p->nr_sites)
		return 0;
	n = CDOC_MAX((size_t)id + 1, p->nr_sites * 2);
	p->sites = cdoc_realloc(p->sites, n * sizeof(*p->sites));
	p->stacks = cdoc_realloc(p->stacks, n * sizeof(*p->stacks));
	memset(p->sites + p->nr_sites, 0,
	       (n - p->nr_sites) * sizeof(*p->sites));
	memset(p->stacks + p->nr_stacks, 0,
	       (n - p->nr_stacks) * sizeof(*p->stacks));
	p->nr_sites = p->nr_stacks = n;
	return 0;
}

int heap__stack_def(struct hproc *p, uint32_t id, const uint64_t *pcs,
                    uint32_t nr)
{
	struct hstack *s;

	if (ensure_id(p, id) < 0)
		return -1;
	s = &p->stacks[id];
	if (!s->pcs)
		p->nr_defined++;
	free(s->pcs);
	s->pcs = cdoc_malloc((nr ? nr : 1) * sizeof(*pcs));
	memcpy(s->pcs, pcs, nr * sizeof(*pcs));
	s->nr = nr;
	return 0;
}

/* Stack @id of @p, looked up in the parent for ids it inherited. */
const struct hstack *heap__stack(const struct cdoc_heap *h,
                                 const struct hproc *p, uint32_t id)
{
	while (p) {
		if (id < p->nr_stacks && p->stacks[id].pcs)
			return &p->stacks[id];
		if (id >= p->inherit_below || p->parent < 0)
			return NULL;
		p = h->procs[p->parent];
	}
	return NULL;
}

/* Sizes of 2^63 and over (only in corrupt or hostile streams) share the
 * last bucket. */
static unsigned size_bucket(uint64_t size)
{
	unsigned b = size ? 64 - (unsigned)__builtin_clzll(size) : 0;

	return b < 64 ? b : 63;
}

/* Scaled objects and bytes an event of @size stands for. */
static void weigh(const struct hproc *p, uint64_t size, uint32_t *count,
                  uint64_t *bytes)
{
	double w;

	if (!p->sample_rate || !size) {
		*count = 1;
		*bytes = size;
		return;
	}
	/* clamped: a hostile rate must not overflow llround */
	w = CDOC_MIN(1.0 / -expm1(-(double)size / (double)p->sample_rate),
	             (double)UINT32_MAX);
	*count = (uint32_t)llround(w);
	*bytes = (uint64_t)CDOC_MIN((double)size * w, 9.0e18);
}

static void grow_live(struct cdoc_heap *h, struct hproc *p, struct hsite *site,
                      uint64_t bytes, uint32_t count)
{
	site->live_bytes += bytes;
	site->live_count += count;
	site->peak_bytes = CDOC_MAX(site->peak_bytes, site->live_bytes);
	p->live_bytes += bytes;
	p->live_count += count;
	if (p->live_bytes > p->peak_bytes) {
		p->peak_bytes = p->live_bytes;
		p->peak_ns = h->now;
	}
	h->live_bytes += bytes;
	if (h->live_bytes > h->peak_bytes) {
		h->peak_bytes = h->live_bytes;
		h->peak_ns = h->now;
	}
}

/* @bytes in @count objects of site @stack stop being live. */
static void drop_live(struct cdoc_heap *h, struct hproc *p, uint32_t stack,
                      uint64_t bytes, uint32_t count)
{
	struct hsite *site = &p->sites[stack];

	site->live_bytes -= bytes;
	site->live_count -= count;
	p->live_bytes -= bytes;
	p->live_count -= count;
	h->live_bytes -= bytes;
}

/* The allocation @e stops being live (the entry stays, as a tombstone
 * or to be overwritten). */
static void shrink_live(struct cdoc_heap *h, struct hproc *p, struct lent *e)
{
	drop_live(h, p, e->stack, e->bytes, e->count);
	e->count = 0;
}

static struct hsite *count_alloc(struct cdoc_heap *h, struct hproc *p, int fn,
                                 uint64_t size, uint32_t stack, uint32_t *count,
                                 uint64_t *bytes)
{
	struct hsite *site;

	if (ensure_id(p, stack) < 0 || fn >= CDOC_AFN_NR)
		return NULL;
	weigh(p, size, count, bytes);
	site = &p->sites[stack];
	site->alloc_count += *count;
	site->alloc_bytes += *bytes;
	p->calls[fn] += *count;
	p->bytes[fn] += *bytes;
	h->hist[size_bucket(size)] += *count;
	return site;
}

/*
 * Each address keeps only its latest event (by time stamp): an allocation
 * (count > 0: live) or a free (count == 0: a tombstone, so that a late
 * allocation older than it is not taken for live). An event older than
 * the one kept changes nothing live: it was already superseded.
 */
int heap__alloc(struct cdoc_heap *h, struct hproc *p, int fn, uint64_t ptr,
                uint64_t size, uint32_t stack, uint64_t seq)
{
	uint32_t count;
	uint64_t bytes;
	struct hsite *site = count_alloc(h, p, fn, size, stack, &count, &bytes);
	struct lent *e;

	if (!site)
		return -1;
	if (unlikely(p->inherited.nr) &&
	    (e = heap__lmap_get(&p->inherited, ptr)))
		heap__lmap_del(&p->inherited, e);
	e = heap__lmap_put(&p->live, ptr);
	if (e->seq > seq) { /* freed (or replaced) already */
		h->counters.reordered++;
		if (!e->count && e->stack == UINT32_MAX)
			e->stack = 0; /* the early free is matched */
		return 0;
	}
	if (e->count) { /* its free is late */
		h->counters.reordered++;
		shrink_live(h, p, e);
	}
	e->bytes = bytes;
	e->count = count;
	e->stack = stack;
	e->seq = seq;
	grow_live(h, p, site, bytes, count);
	return 0;
}

/*
 * @solo: no event of another thread can come between this free and what
 * the map holds for @ptr (lib/alloc/stream.h, SOLO), so a freed address
 * need not be kept: the map then holds only what is live, not every
 * address ever used.
 */
void heap__free(struct cdoc_heap *h, struct hproc *p, uint64_t ptr, int temp,
                uint64_t seq, int solo)
{
	struct lent *e = heap__lmap_get(&p->live, ptr);

	/* frees are counted as allocations are: scaled when sampled */
	p->frees += e && e->count && e->seq <= seq ? e->count : 1;
	if (!e && p->inherited.nr && (e = heap__lmap_get(&p->inherited, ptr))) {
		heap__lmap_del(&p->inherited, e);
		return;
	}
	if (!e) { /* before its allocation, or never allocated */
		e = heap__lmap_put(&p->live, ptr);
		e->seq = seq;
		e->stack = UINT32_MAX; /* unmatched until an allocation comes */
		return;
	}
	if (e->seq > seq) {
		h->counters.reordered++;
		return;
	}
	if (e->count) {
		if (temp)
			p->sites[e->stack].temp_count += e->count;
		shrink_live(h, p, e);
		if (solo) {
			heap__lmap_del(&p->live, e);
			return;
		}
	}
	e->count = 0;
	e->stack = 0;
	e->seq = seq;
}

/* An allocation freed in its own batch (ALLOCB): live until its FREEB,
 * which heap__free_b() reads from @out. */
int heap__alloc_b(struct cdoc_heap *h, struct hproc *p, int fn, uint64_t size,
                  uint32_t stack, struct hpend *out)
{
	struct hsite *site =
	        count_alloc(h, p, fn, size, stack, &out->count, &out->bytes);

	if (!site)
		return -1;
	out->stack = stack;
	grow_live(h, p, site, out->bytes, out->count);
	return 0;
}

void heap__free_b(struct cdoc_heap *h, struct hproc *p, struct hpend *e)
{
	drop_live(h, p, e->stack, e->bytes, e->count);
	p->frees += e->count;
	e->count = 0;
}

int heap__temp(struct cdoc_heap *h, struct hproc *p, int fn, uint64_t size,
               uint32_t stack)
{
	uint32_t count;
	uint64_t bytes;
	struct hsite *site = count_alloc(h, p, fn, size, stack, &count, &bytes);

	if (!site)
		return -1;
	grow_live(h, p, site, bytes, count);
	drop_live(h, p, stack, bytes, count);
	site->temp_count += count;
	p->frees += count;
	return 0;
}

/* Counted as @count ALLOC and FREE records would be; never live. */
int heap__pairs(struct cdoc_heap *h, struct hproc *p, int fn, uint32_t stack,
                unsigned cls, uint32_t count, uint64_t bytes, uint32_t temp)
{
	struct hsite *site;

	if (ensure_id(p, stack) < 0 || fn >= CDOC_AFN_NR)
		return -1;
	site = &p->sites[stack];
	site->alloc_count += count;
	site->alloc_bytes += bytes;
	site->temp_count += temp;
	p->calls[fn] += count;
	p->bytes[fn] += bytes;
	p->frees += count;
	h->hist[cls] += count;
	return 0;
}

void heap__map(struct hproc *p, uint64_t start, uint64_t end, uint64_t off,
               const char *path, size_t len)
{
	struct hmapping *m;
	size_t i;

	for (i = 0; i < p->nr_maps; i++)
		if (p->maps[i].start == start && p->maps[i].end == end)
			return;
	CDOC_GROW(p->maps, p->nr_maps + 1, p->alloc_maps);
	m = &p->maps[p->nr_maps++];
	m->start = start;
	m->end = end;
	m->off = off;
	m->path = cdoc_strndup(path, len);
}

void heap__exit(struct cdoc_heap *h, struct hproc *p)
{
	p->flags |= CDOC_HPROC_EXITED;
}

int cdoc_heap_new(struct cdoc_heap **out)
{
	struct cdoc_heap *h = cdoc_calloc(1, sizeof(*h));

	cdoc_u64map_init(&h->by_instance);
	*out = h;
	return 0;
}

static void proc_free(struct hproc *p)
{
	size_t i;

	for (i = 0; i < p->nr_stacks; i++)
		free(p->stacks[i].pcs);
	for (i = 0; i < p->nr_maps; i++)
		free(p->maps[i].path);
	free(p->stacks);
	free(p->sites);
	free(p->maps);
	heap__lmap_release(&p->live);

	heap__lmap_release(&p->inherited);
	free(p);
}

void cdoc_heap_free(struct cdoc_heap *h)
{
	size_t i;

	if (!h)
		return;
	for (i = 0; i < h->nr_procs; i++)
		proc_free(h->procs[i]);
	free(h->procs);
	free(h->pend);
	cdoc_u64map_release(&h->by_instance);
	heap__frames_free(h);
	free(h);
}

void cdoc_heap_finish(struct cdoc_heap *h)
{
	size_t i;

	for (i = 0; i < h->nr_procs; i++) {
		struct hproc *p = h->procs[i];

		if (p->flags & (CDOC_HPROC_EXITED | CDOC_HPROC_EXECED))
			continue;
		p->flags |= CDOC_HPROC_EXITED | CDOC_HPROC_NOEXIT;
		h->counters.no_exit++;
	}
}

/* Frees still waiting for their allocation at the end. (An unmatched free
 * whose address a later allocation reused is not counted: under
 * reordering it cannot be told from a late match.) */
static uint64_t unmatched(const struct hproc *p)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i <= p->live.mask; i++)
		if (p->live.v[i].key && !p->live.v[i].count &&
		    p->live.v[i].stack == UINT32_MAX)
			n++;
	return n;
}

void cdoc_heap_get_counters(const struct cdoc_heap *h,
                            struct cdoc_heap_counters *out)
{
	size_t i;

	*out = h->counters;
	out->unmatched_frees = 0;
	for (i = 0; i < h->nr_procs; i++) {
		const struct hproc *p = h->procs[i];

		out->reentrant += p->shim_counters[0];
		out->sample_full += p->shim_counters[1];
		out->stack_full += p->shim_counters[2];
		out->write_errors += p->shim_counters[3];
		out->unmatched_frees += unmatched(p);
	}
}

void cdoc_heap_get_totals(const struct cdoc_heap *h,
                          struct cdoc_heap_totals *out)
{
	size_t i;
	int fn;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < h->nr_procs; i++) {
		const struct hproc *p = h->procs[i];

		for (fn = 0; fn < CDOC_AFN_NR; fn++) {
			out->allocs += p->calls[fn];
			out->bytes += p->bytes[fn];
		}
		out->frees += p->frees;
	}
}
