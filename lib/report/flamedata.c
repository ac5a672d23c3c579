/*
 * flamedata.c - the profiles of the HTML doctor report: for each profile a
 * pruned copy of its call tree (frames narrower than a fixed share of the
 * total are merged into their caller, so the page stays small whatever
 * the number of distinct stacks) and, when the recording kept sample
 * times (TSAMPLES), the weight of each kept frame per time bucket, so the
 * page can rebuild the flame graph of any time range. Buckets are coarsened
 * until the table fits a fixed number of entries.
 */
#include "report/page.h"

#include <stdlib.h>
#include <string.h>

/* Frames below this share of the total are merged into their caller. */
#define REPORT_MIN_SHARE 0.0002
/* Time buckets at most, and (bucket, frame) entries at most per profile. */
#define REPORT_MAX_BUCKETS 1000
#define REPORT_MAX_ENTRIES 150000

struct pruned {
	uint32_t *map;  /* old node -> kept node (new id) */
	uint32_t *keep; /* new id -> old node */
	size_t n;       /* kept nodes */
};

static void prune(const struct cdoc_profile *p, struct pruned *out)
{
	uint64_t min = (uint64_t)(cdoc_profile_total(p, 0) * REPORT_MIN_SHARE);
	size_t i;

	out->map = cdoc_calloc(p->nr_nodes, sizeof(*out->map));
	out->keep = cdoc_calloc(p->nr_nodes, sizeof(*out->keep));
	out->n = 0;
	/* A parent's id is below its children's: one forward pass. */
	for (i = 0; i < p->nr_nodes; i++) {
		const struct cdoc_pnode *nd = &p->nodes[i];

		if (i == 0 || (nd->total[0] > min && nd->total[0] > 0 &&
		               out->keep[out->map[nd->parent]] == nd->parent)) {
			out->map[i] = (uint32_t)out->n;
			out->keep[out->n++] = (uint32_t)i;
		} else {
			out->map[i] = out->map[nd->parent];
		}
	}
}

static void tree_json(struct cdoc_buf *b, const struct cdoc_profile *p,
                      const struct pruned *pr)
{
	uint64_t *self = cdoc_calloc(pr->n, sizeof(*self));
	struct cdoc_u64map ids;
	uint32_t *name_of = cdoc_calloc(pr->n, sizeof(*name_of));
	size_t i, nn = 0;

	cdoc_u64map_init(&ids);
	for (i = 0; i < p->nr_nodes; i++)
		self[pr->map[i]] += p->nodes[i].self[0];
	cdoc_buf_addstr(b, ",\"names\":[");
	for (i = 0; i < pr->n; i++) {
		uint32_t nm = p->nodes[pr->keep[i]].name, id;

		if (!cdoc_u64map_get(&ids, (uint64_t)nm + 1, &id)) {
			id = (uint32_t)nn++;
			cdoc_u64map_put(&ids, (uint64_t)nm + 1, id);
			if (id)
				cdoc_buf_addch(b, ',');
			report__json_str(b, cdoc_strtab_get(&p->names, nm));
		}
		name_of[i] = id;
	}
	/* nodes: parent, name pairs; the root's parent is -1. */
	cdoc_buf_addstr(b, "],\"nodes\":[");
	for (i = 0; i < pr->n; i++) {
		const struct cdoc_pnode *nd = &p->nodes[pr->keep[i]];

		if (i)
			cdoc_buf_addch(b, ',');
		if (i == 0)
			cdoc_buf_addf(b, "-1,%u", name_of[i]);
		else
			cdoc_buf_addf(b, "%u,%u", pr->map[nd->parent],
			              name_of[i]);
	}
	cdoc_buf_addstr(b, "],\"self\":[");
	for (i = 0; i < pr->n; i++) {
		if (i)
			cdoc_buf_addch(b, ',');
		cdoc_buf_addu64(b, self[i]);
	}
	cdoc_buf_addch(b, ']');
	cdoc_u64map_release(&ids);
	free(name_of);
	free(self);
}

/* (bucket, kept node) -> weight over the profile's timed samples. */
static size_t bucket_weights(const struct cdoc_recording *r, size_t prof,
                             const struct pruned *pr, double span_ns, size_t nb,
                             struct cdoc_u64map *slot, uint64_t **w,
                             uint64_t **keys, size_t *alloc)
{
	size_t i, n = 0;

	for (i = 0; i < r->nr_tsamples; i++) {
		const struct cdoc_rec_tsample *s = &r->tsamples[i];
		uint64_t bk, key;
		uint32_t at;

		if (s->profile != prof)
			continue;
		bk = (uint64_t)((double)s->time_ns / span_ns * (double)nb);
		if (bk >= nb)
			bk = nb - 1;
		key = (bk << 32 | pr->map[s->node]) + 1; /* 0 is not a key */
		if (!cdoc_u64map_get(slot, key, &at)) {
			at = (uint32_t)n++;
			cdoc_u64map_put(slot, key, at);
			if (n > *alloc) {
				*alloc = *alloc ? 2 * *alloc : 1024;
				*w = cdoc_realloc(*w, *alloc * sizeof(**w));
				*keys = cdoc_realloc(*keys,
				                     *alloc * sizeof(**keys));
			}
			(*w)[at] = 0;
			(*keys)[at] = key - 1;
		}
		(*w)[at] += s->weight;
	}
	return n;
}

static void timed_json(struct cdoc_buf *b, const struct cdoc_recording *r,
                       size_t prof, const struct pruned *pr, double span)
{
	struct cdoc_u64map slot;
	uint64_t *w = NULL, *keys = NULL;
	size_t nb = REPORT_MAX_BUCKETS, n, alloc = 0, i;
	int any = 0;

	for (i = 0; i < r->nr_tsamples && !any; i++)
		any = r->tsamples[i].profile == prof;
	if (!any || span <= 0)
		return;
	for (;;) {
		cdoc_u64map_init(&slot);
		n = bucket_weights(r, prof, pr, span * 1e9, nb, &slot, &w,
		                   &keys, &alloc);
		if (n <= REPORT_MAX_ENTRIES || nb <= 16)
			break;
		cdoc_u64map_release(&slot);
		nb /= 2;
	}
	cdoc_buf_addf(b, ",\"timed\":{\"span\":%.6g,\"buckets\":%zu,\"b\":[",
	              span, nb);
	for (i = 0; i < n; i++)
		cdoc_buf_addf(b, "%s%u,%u,%llu", i ? "," : "",
		              (unsigned)(keys[i] >> 32), (unsigned)keys[i],
		              (unsigned long long)w[i]);
	cdoc_buf_addstr(b, "]}");
	free(keys);
	free(w);
	cdoc_u64map_release(&slot);
}

void report__profile_json(const struct cdoc_recording *r, size_t prof,
                          double span, struct cdoc_buf *b)
{
	const struct cdoc_rec_profile *rp = &r->profiles[prof];
	const struct cdoc_profile *p = &rp->prof;
	struct pruned pr;

	prune(p, &pr);
	cdoc_buf_addstr(b, "{\"name\":");
	report__json_str(b, rp->name);
	cdoc_buf_addstr(b, ",\"unit\":");
	report__json_str(b, cdoc_report_unit(rp->name));
	cdoc_buf_addstr(b, ",\"total\":");
	cdoc_buf_addu64(b, cdoc_profile_total(p, 0));
	cdoc_buf_addf(b, ",\"frames\":%zu", p->nr_nodes);
	tree_json(b, p, &pr);
	timed_json(b, r, prof, &pr, span);
	cdoc_buf_addch(b, '}');
	free(pr.map);
	free(pr.keep);
}
