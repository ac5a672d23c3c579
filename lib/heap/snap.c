/*
 * snap.c - a snapshot of the model: every call site with its counters,
 * stacks symbolized through lib/symbol (the mappings the shim sent, plus
 * /proc/PID/maps of processes still running), sites with equal
 * symbolized stacks merged.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "heap/internal.h"
#include "symbol/symbol.h"

/* struct snapctx - what building one snapshot needs. */
struct snapctx {
	struct cdoc_heap *h;
	struct cdoc_heap_snap *s;
	struct cdoc_syms *syms;
	struct cdoc_u64map stack_ids; /* frames hash -> stack index + 1 */
	struct cdoc_u64map site_ids;  /* proc, stack -> site index + 1 */
	struct cdoc_u64map pcs;       /* pc -> name id + 1 (one process) */
	struct cdoc_buf tmp;
	size_t alloc_frames, alloc_stacks, alloc_sites;
};

void cdoc_heap_snap_init(struct cdoc_heap_snap *s)
{
	memset(s, 0, sizeof(*s));
	cdoc_strtab_init(&s->names);
}

void cdoc_heap_snap_release(struct cdoc_heap_snap *s)
{
	cdoc_strtab_release(&s->names);
	free(s->procs);
	free(s->frames);
	free(s->stacks);
	free(s->sites);
	cdoc_heap_snap_init(s);
}

/* The process whose mappings describe @p's code (a fork child that never
 * sent its own uses its parent's). */
const struct hproc *heap__map_owner(const struct cdoc_heap *h,
                                    const struct hproc *p)
{
	while (!p->nr_maps && p->parent >= 0)
		p = h->procs[p->parent];
	return p;
}

void heap__feed_maps(const struct cdoc_heap *h, struct cdoc_syms *syms,
                     const struct hproc *p, uint32_t key)
{
	const struct hproc *o = heap__map_owner(h, p);
	size_t i;

	for (i = 0; i < o->nr_maps; i++)
		cdoc_syms_mmap(syms, key, o->maps[i].start,
		               o->maps[i].end - o->maps[i].start,
		               o->maps[i].off, PROT_EXEC, o->maps[i].path);
	if (!(p->flags & CDOC_HPROC_EXITED) && !o->nr_maps)
		cdoc_syms_load_proc_maps(syms, p->pid);
}

static uint32_t frame_name(struct snapctx *c, uint32_t key, uint64_t pc)
{
	struct cdoc_symbol sym;
	uint32_t id;

	if (cdoc_u64map_get(&c->pcs, pc + 1, &id))
		return id - 1;
	cdoc_syms_resolve(c->syms, key, pc ? pc - 1 : 0, 0, &sym);
	cdoc_buf_reset(&c->tmp);
	cdoc_symbol_format(&sym, &c->tmp);
	id = cdoc_strtab_intern(&c->s->names, c->tmp.buf ? c->tmp.buf : "",
	                        c->tmp.len);
	cdoc_u64map_put(&c->pcs, pc + 1, id + 1);
	return id;
}

/* Intern a stack of name ids; returns its index. */
static uint32_t intern_stack(struct snapctx *c, const uint32_t *names,
                             uint32_t nr)
{
	struct cdoc_heap_snap *s = c->s;
	uint64_t key = cdoc_hash(names, nr * sizeof(*names)) | 1;
	uint32_t idx;
	struct cdoc_heap_stack *st;

	if (cdoc_u64map_get(&c->stack_ids, key, &idx)) {
		st = &s->stacks[idx - 1];
		/* an empty stack (no frame named) has no frames to compare:
		 * s->frames may still be NULL */
		if (st->nr == nr &&
		    (!nr || !memcmp(s->frames + st->first, names,
		                    nr * sizeof(*names))))
			return idx - 1;
	}
	CDOC_GROW(s->frames, s->nr_frames + nr, c->alloc_frames);
	if (nr)
		memcpy(s->frames + s->nr_frames, names, nr * sizeof(*names));
	CDOC_GROW(s->stacks, s->nr_stacks + 1, c->alloc_stacks);
	st = &s->stacks[s->nr_stacks];
	st->first = (uint32_t)s->nr_frames;
	st->nr = nr;
	s->nr_frames += nr;
	cdoc_u64map_put(&c->stack_ids, key, (uint32_t)++s->nr_stacks);
	return (uint32_t)s->nr_stacks - 1;
}

static uint32_t site_stack(struct snapctx *c, const struct hproc *p,
                           uint32_t key, uint32_t id)
{
	const struct hstack *st = heap__stack(c->h, p, id);
	uint32_t names[CDOC_ASTREAM_MAX_FRAMES];
	uint32_t i;

	if (!st) {
		c->s->counters.unknown_stacks++;
		names[0] =
		        cdoc_strtab_intern(&c->s->names, "[unknown stack]", 15);
		return intern_stack(c, names, 1);
	}
	for (i = 0; i < st->nr && i < CDOC_ASTREAM_MAX_FRAMES; i++)
		names[i] = frame_name(c, key, st->pcs[i]);
	return intern_stack(c, names, i);
}

static void add_site(struct snapctx *c, uint32_t proc, uint32_t stack,
                     const struct hsite *hs)
{
	struct cdoc_heap_snap *s = c->s;
	uint64_t key = ((uint64_t)proc << 32 | stack) + 1;
	struct cdoc_heap_site *site;
	uint32_t idx;

	if (cdoc_u64map_get(&c->site_ids, key, &idx)) {
		site = &s->sites[idx - 1];
	} else {
		CDOC_GROW(s->sites, s->nr_sites + 1, c->alloc_sites);
		site = &s->sites[s->nr_sites++];
		memset(site, 0, sizeof(*site));
		site->proc = proc;
		site->stack = stack;
		cdoc_u64map_put(&c->site_ids, key, (uint32_t)s->nr_sites);
	}
	site->alloc_count += hs->alloc_count;
	site->alloc_bytes += hs->alloc_bytes;
	site->live_count += hs->live_count;
	site->live_bytes += hs->live_bytes;
	site->peak_bytes = CDOC_MAX(site->peak_bytes, hs->peak_bytes);
	site->temp_count += hs->temp_count;
}

static const char *proc_name(const struct cdoc_heap *h, const struct hproc *p)
{
	const struct hproc *o = heap__map_owner(h, p);

	return o->nr_maps ? o->maps[0].path : "[unknown]";
}

static void add_proc(struct snapctx *c, uint32_t i)
{
	const struct hproc *p = c->h->procs[i];
	struct cdoc_heap_proc *q = &c->s->procs[i];
	const char *name = proc_name(c->h, p);
	uint32_t id;

	q->pid = p->pid;
	q->ppid = p->ppid;
	q->name = cdoc_strtab_intern(&c->s->names, name, strlen(name));
	q->flags = p->flags;
	memcpy(q->calls, p->calls, sizeof(q->calls));
	memcpy(q->bytes, p->bytes, sizeof(q->bytes));
	q->frees = p->frees;
	q->live_bytes = p->live_bytes;
	q->live_count = p->live_count;
	q->peak_bytes = p->peak_bytes;
	q->peak_ns = p->peak_ns;
	heap__feed_maps(c->h, c->syms, p, i + 1);
	cdoc_u64map_release(&c->pcs);
	cdoc_u64map_init(&c->pcs);
	for (id = 1; id < p->nr_sites; id++) {
		const struct hsite *hs = &p->sites[id];

		if (!hs->alloc_count && !hs->live_count)
			continue;
		add_site(c, i, site_stack(c, p, i + 1, id), hs);
	}
}

int cdoc_heap_snapshot(struct cdoc_heap *h, struct cdoc_heap_snap *out)
{
	struct snapctx c = {h, out};
	int ret;
	uint32_t i;

	cdoc_heap_snap_release(out);
	if ((ret = cdoc_syms_new(&c.syms)) < 0)
		return ret;
	cdoc_syms_set_lines(c.syms, 0); /* frames are named, not lined */
	out->time_ns = h->now;
	out->peak_bytes = h->peak_bytes;
	out->peak_ns = h->peak_ns;
	memcpy(out->hist, h->hist, sizeof(out->hist));
	cdoc_heap_get_counters(h, &out->counters);
	out->nr_procs = h->nr_procs;
	out->procs =
	        cdoc_calloc(h->nr_procs ? h->nr_procs : 1, sizeof(*out->procs));
	for (i = 0; i < h->nr_procs; i++)
		if (h->procs[i]->sample_rate)
			out->sample_rate = h->procs[i]->sample_rate;
	cdoc_u64map_init(&c.stack_ids);
	cdoc_u64map_init(&c.site_ids);
	cdoc_u64map_init(&c.pcs);
	cdoc_buf_init(&c.tmp);
	for (i = 0; i < h->nr_procs; i++)
		add_proc(&c, i);
	cdoc_u64map_release(&c.stack_ids);
	cdoc_u64map_release(&c.site_ids);
	cdoc_u64map_release(&c.pcs);
	cdoc_buf_release(&c.tmp);
	cdoc_syms_free(c.syms);
	return 0;
}
