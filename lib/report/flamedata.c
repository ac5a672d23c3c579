/*
 * flamedata.c - the profiles of the HTML doctor report: for each profile a
 * pruned copy of its call tree (frames narrower than a fixed share of the
 * total are merged into their caller, so the page stays small whatever
 * the number of distinct stacks) and, when the recording kept sample
 * times (TSAMPLES), the weight of each kept frame per time bucket, so the
 * page can rebuild the flame graph of any time range. Buckets are coarsened
 * until the table fits a fixed number of entries. Also the derived
 * "blocked loop" profile: what loop threads ran or waited on inside their
 * long event-loop ticks.
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

/* (bucket, node) -> weight entries, keys bucket << 32 | node. */
struct entries {
	struct cdoc_u64map slot; /* key + 1 -> index */
	uint64_t *keys, *w;
	size_t n, alloc;
};

static void entry_add(struct entries *e, uint64_t key, uint64_t w)
{
	uint32_t at;

	if (!cdoc_u64map_get(&e->slot, key + 1, &at)) { /* 0 is no key */
		at = (uint32_t)e->n++;
		cdoc_u64map_put(&e->slot, key + 1, at);
		if (e->n > e->alloc) {
			e->alloc = e->alloc ? 2 * e->alloc : 1024;
			e->keys = cdoc_realloc(e->keys,
			                       e->alloc * sizeof(*e->keys));
			e->w = cdoc_realloc(e->w, e->alloc * sizeof(*e->w));
		}
		e->keys[at] = key;
		e->w[at] = 0;
	}
	e->w[at] += w;
}

static void entries_release(struct entries *e)
{
	cdoc_u64map_release(&e->slot);
	free(e->keys);
	free(e->w);
}

/* Halve the number of buckets: bucket b becomes b / 2 (exactly the
 * bucket the sample falls in with half as many). */
static void coarsen(struct entries *e)
{
	struct entries h = {0};
	size_t i;

	cdoc_u64map_init(&h.slot);
	for (i = 0; i < e->n; i++)
		entry_add(&h, (e->keys[i] >> 33) << 32 | (uint32_t)e->keys[i],
		          e->w[i]);
	entries_release(e);
	*e = h;
}

static void timed_json(struct cdoc_buf *b, const struct cdoc_rec_tsample *ts,
                       size_t nts, size_t prof, const struct pruned *pr,
                       double span)
{
	struct entries e = {0};
	size_t nb = REPORT_MAX_BUCKETS, i;
	double per_ns = (double)nb / (span * 1e9);

	if (span <= 0)
		return;
	cdoc_u64map_init(&e.slot);
	for (i = 0; i < nts; i++) {
		const struct cdoc_rec_tsample *s = &ts[i];
		uint64_t bk = (uint64_t)((double)s->time_ns * per_ns);

		if (s->profile != prof)
			continue;
		entry_add(&e, (bk >= nb ? nb - 1 : bk) << 32 | pr->map[s->node],
		          s->weight);
	}
	while (e.n > REPORT_MAX_ENTRIES && nb > 16) {
		coarsen(&e);
		nb /= 2;
	}
	if (e.n) {
		cdoc_buf_addf(b,
		              ",\"timed\":{\"span\":%.6g,\"buckets\":%zu,"
		              "\"b\":[",
		              span, nb);
		for (i = 0; i < e.n; i++)
			cdoc_buf_addf(b, "%s%u,%u,%llu", i ? "," : "",
			              (unsigned)(e.keys[i] >> 32),
			              (unsigned)e.keys[i],
			              (unsigned long long)e.w[i]);
		cdoc_buf_addstr(b, "]}");
	}
	entries_release(&e);
}

static void profile_json(struct cdoc_buf *b, const char *name,
                         const struct cdoc_profile *p,
                         const struct cdoc_rec_tsample *ts, size_t nts,
                         size_t prof, double span)
{
	struct pruned pr;

	prune(p, &pr);
	cdoc_buf_addstr(b, "{\"name\":");
	report__json_str(b, name);
	cdoc_buf_addstr(b, ",\"unit\":");
	report__json_str(b, cdoc_report_unit(name));
	cdoc_buf_addstr(b, ",\"total\":");
	cdoc_buf_addu64(b, cdoc_profile_total(p, 0));
	cdoc_buf_addf(b, ",\"frames\":%zu", p->nr_nodes);
	tree_json(b, p, &pr);
	timed_json(b, ts, nts, prof, &pr, span);
	cdoc_buf_addch(b, '}');
	free(pr.map);
	free(pr.keep);
}

void report__profile_json(const struct cdoc_recording *r, size_t prof,
                          double span, struct cdoc_buf *b)
{
	const struct cdoc_rec_profile *rp = &r->profiles[prof];

	profile_json(b, rp->name, &rp->prof, r->tsamples, r->nr_tsamples, prof,
	             span);
}

/* ---- blocked loop: samples of a loop thread inside its long ticks ---- */

struct span_ns {
	uint32_t tid;
	uint64_t start, end;
};

static int cmp_span(const void *a, const void *b)
{
	const struct span_ns *x = a, *y = b;

	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* Every long tick as (tid, start, end), sorted by tid then start. */
static size_t long_ticks(const struct cdoc_recording *r, struct span_ns **out)
{
	struct span_ns *v = NULL;
	size_t n = 0, alloc = 0, i, j;

	for (i = 0; i < r->nr_ticksets; i++)
		for (j = 0; j < r->ticksets[i].nr_longs; j++) {
			const struct cdoc_rec_long_tick *l =
			        &r->ticksets[i].longs[j];

			if (n == alloc) {
				alloc = alloc ? 2 * alloc : 64;
				v = cdoc_realloc(v, alloc * sizeof(*v));
			}
			v[n].tid = r->ticksets[i].tid;
			v[n].start = l->start_ns;
			v[n++].end = l->start_ns + l->dur_ns;
		}
	if (n)
		qsort(v, n, sizeof(*v), cmp_span);
	*out = v;
	return n;
}

/* Whether (@tid, @t) falls inside one of the long ticks @v. */
static int in_long_tick(const struct span_ns *v, size_t n, uint32_t tid,
                        uint64_t t)
{
	size_t lo = 0, hi = n;

	/* The last span of @tid starting at or before @t. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].tid < tid ||
		    (v[mid].tid == tid && v[mid].start <= t))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && v[lo - 1].tid == tid && t <= v[lo - 1].end;
}

/*
 * Whether frame @name is one of the wait calls that end a tick (epoll_wait,
 * poll, select, ... or their libc aliases such as __GI___poll): a sample
 * in one is the loop waiting between ticks, never inside one (its time can
 * read as just before the tick's end when clocks differ by a little).
 */
static int wait_frame(const char *name)
{
	static const char *const waits[] = {
	        "epoll_wait", "epoll_pwait", "epoll_pwait2", "poll",
	        "ppoll",      "select",      "pselect",      "pselect6"};
	size_t i;

	if (!strncmp(name, "__GI_", 5))
		name += 5;
	while (*name == '_')
		name++;
	for (i = 0; i < CDOC_ARRAY_SIZE(waits); i++)
		if (!strcmp(name, waits[i]))
			return 1;
	return 0;
}

/* Add sample @x of profile @src to @dst (frames copied), @leaf appended
 * when not NULL; the new node of the sample, or CDOC_NONE (nothing added)
 * when a frame of it is a wait call that ends ticks. */
static uint32_t copy_sample(struct cdoc_profile *dst,
                            const struct cdoc_profile *src, uint32_t node,
                            const char *leaf, uint64_t w)
{
	uint32_t path[256], names[257];
	size_t n = 0, i;

	for (; node && node != CDOC_NONE && n < CDOC_ARRAY_SIZE(path);
	     node = src->nodes[node].parent)
		path[n++] = node;
	for (i = 0; i < n; i++)
		if (wait_frame(cdoc_profile_node_name(src, path[i])))
			return CDOC_NONE;
	for (i = 0; i < n; i++) {
		const char *s = cdoc_profile_node_name(src, path[n - 1 - i]);

		names[i] = cdoc_profile_name(dst, s, strlen(s));
	}
	if (leaf)
		names[n++] = cdoc_profile_name(dst, leaf, strlen(leaf));
	return cdoc_profile_add_stack(dst, names, n, 0, w);
}

int report__blocked_json(const struct cdoc_recording *r, double span,
                         struct cdoc_buf *b)
{
	const char *hz_s = cdoc_recording_meta(r, "frequency");
	double hz = hz_s ? strtod(hz_s, NULL) : 0;
	struct cdoc_profile out;
	struct cdoc_rec_tsample *ts = NULL;
	struct span_ns *v;
	size_t nv = long_ticks(r, &v), n = 0, alloc = 0, i;
	int cpu = cdoc_recording_profile_index(r, "cpu");

	if (!nv || hz <= 0) {
		free(v);
		return 0;
	}
	cdoc_profile_init(&out);
	for (i = 0; i < r->nr_tsamples; i++) {
		const struct cdoc_rec_tsample *x = &r->tsamples[i];
		const char *pn = r->profiles[x->profile].name, *leaf = NULL;
		char off[48];
		uint64_t w = x->weight;
		uint32_t node;

		if ((int)x->profile == cpu) {
			w = (uint64_t)(x->weight * 1e9 /
			               hz); /* samples -> ns */
		} else if (!strncmp(pn, "offcpu_", 7)) {
			snprintf(off, sizeof(off), "[off-CPU: %.20s]", pn + 7);
			leaf = off;
		} else {
			continue;
		}
		if (!w || !in_long_tick(v, nv, x->tid, x->time_ns))
			continue;
		node = copy_sample(&out, &r->profiles[x->profile].prof, x->node,
		                   leaf, w);
		if (node == CDOC_NONE)
			continue;
		if (n == alloc) {
			alloc = alloc ? 2 * alloc : 256;
			ts = cdoc_realloc(ts, alloc * sizeof(*ts));
		}
		ts[n] = *x;
		ts[n].profile = 0;
		ts[n].weight = w;
		ts[n++].node = node;
	}
	if (n)
		profile_json(b, "blocked_loop", &out, ts, n, 0, span);
	cdoc_profile_release(&out);
	free(ts);
	free(v);
	return n > 0;
}
