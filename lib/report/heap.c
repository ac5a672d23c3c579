/*
 * heap.c - what a heap snapshot says: folded stacks by one measure, the
 * text summary, and the diff of two snapshots by call site.
 */
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

static const char *const fn_names[CDOC_AFN_NR] = {
        "malloc",         "calloc",        "realloc",  "reallocarray",
        "posix_memalign", "aligned_alloc", "memalign", "valloc",
        "pvalloc",        "mmap",          "free",     "munmap",
};

/* A name as it is (folded stacks, site identities). */
static void add_name(struct cdoc_buf *b, const struct cdoc_heap_snap *s,
                     uint32_t id)
{
	cdoc_buf_add(b, cdoc_strtab_get(&s->names, id),
	             cdoc_strtab_len(&s->names, id));
}

/* A name for the terminal: control characters shown as '?'. */
static void add_text_name(struct cdoc_buf *b, const struct cdoc_heap_snap *s,
                          uint32_t id)
{
	cdoc_buf_add_term(b, cdoc_strtab_get(&s->names, id),
	                  cdoc_strtab_len(&s->names, id));
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

void cdoc_heap_folded(const struct cdoc_heap_snap *s, int kind,
                      struct cdoc_buf *out)
{
	size_t i;
	uint32_t j;

	for (i = 0; i < s->nr_sites; i++) {
		const struct cdoc_heap_site *site = &s->sites[i];
		const struct cdoc_heap_stack *st = &s->stacks[site->stack];
		uint64_t v = cdoc_heap_site_value(s, site, kind);

		if (!v)
			continue;
		if (s->nr_procs > 1) {
			cdoc_buf_addstr(
			        out,
			        base_name(cdoc_strtab_get(
			                &s->names, s->procs[site->proc].name)));
			cdoc_buf_addch(out, st->nr ? ';' : ' ');
		}
		for (j = st->nr; j-- > 0;) {
			add_name(out, s, s->frames[st->first + j]);
			cdoc_buf_addch(out, j ? ';' : ' ');
		}
		cdoc_buf_addu64(out, v);
		cdoc_buf_addch(out, '\n');
	}
}

void cdoc_heap_site_name(const struct cdoc_heap_snap *s,
                         const struct cdoc_heap_site *site, int depth,
                         struct cdoc_buf *out)
{
	const struct cdoc_heap_stack *st = &s->stacks[site->stack];
	uint32_t j;

	for (j = 0; j < st->nr && (int)j < depth; j++) {
		if (j)
			cdoc_buf_addstr(out, " < ");
		add_text_name(out, s, s->frames[st->first + j]);
	}
}

static void human(struct cdoc_buf *b, uint64_t v)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double d = (double)v;
	int u = 0;

	while (d >= 1024 && u < 4) {
		d /= 1024;
		u++;
	}
	if (u == 0)
		cdoc_buf_addf(b, "%llu B", (unsigned long long)v);
	else
		cdoc_buf_addf(b, "%.1f %s", d, units[u]);
}

/* struct ranked - sites sorted by one value, for a top-N list. */
struct ranked {
	const struct cdoc_heap_snap *s;
	int kind;
};
static struct ranked sort_by;

static int by_value(const void *a, const void *b)
{
	const struct cdoc_heap_site *x = &sort_by.s->sites[*(const size_t *)a];
	const struct cdoc_heap_site *y = &sort_by.s->sites[*(const size_t *)b];
	uint64_t vx = cdoc_heap_site_value(sort_by.s, x, sort_by.kind);
	uint64_t vy = cdoc_heap_site_value(sort_by.s, y, sort_by.kind);

	if (vx != vy)
		return vx > vy ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/* The figures of one top-list entry, before its call site. */
static void entry_value(struct cdoc_buf *out, const struct cdoc_heap_site *site,
                        int kind, uint64_t v)
{
	switch (kind) {
	case CDOC_HEAP_ALLOC_COUNT:
		cdoc_buf_addf(out, "%llu allocations (", (unsigned long long)v);
		human(out, site->alloc_bytes);
		cdoc_buf_addstr(out, ")  ");
		return;
	case CDOC_HEAP_TEMP_COUNT:
		cdoc_buf_addf(out, "%llu of %llu allocations (%.1f%%)  ",
		              (unsigned long long)v,
		              (unsigned long long)site->alloc_count,
		              site->alloc_count
		                      ? 100.0 * (double)v /
		                                (double)site->alloc_count
		                      : 0.0);
		return;
	}
	human(out, v);
	if (kind == CDOC_HEAP_LEAKED_BYTES)
		cdoc_buf_addf(out, " in %llu allocations",
		              (unsigned long long)site->live_count);
	cdoc_buf_addstr(out, "  ");
}

static void top_list(const struct cdoc_heap_snap *s, int kind, int top,
                     const char *title, struct cdoc_buf *out)
{
	size_t *idx = cdoc_calloc(s->nr_sites + 1, sizeof(*idx)), i;
	int shown = 0;

	for (i = 0; i < s->nr_sites; i++)
		idx[i] = i;
	sort_by.s = s;
	sort_by.kind = kind;
	cdoc_sort(idx, s->nr_sites, sizeof(*idx), by_value);
	cdoc_buf_addf(out, "\n%s:\n", title);
	for (i = 0; i < s->nr_sites && shown < top; i++) {
		const struct cdoc_heap_site *site = &s->sites[idx[i]];
		uint64_t v = cdoc_heap_site_value(s, site, kind);

		if (!v)
			break;
		cdoc_buf_addf(out, "  %2d. ", ++shown);
		entry_value(out, site, kind, v);
		cdoc_heap_site_name(s, site, 4, out);
		cdoc_buf_addch(out, '\n');
	}
	if (!shown)
		cdoc_buf_addstr(out, "  (none)\n");
	free(idx);
}

static uint64_t proc_calls(const struct cdoc_heap_proc *p)
{
	uint64_t calls = 0;
	int f;

	for (f = 0; f < CDOC_AFN_NR; f++)
		calls += p->calls[f];
	return calls;
}

/* A fork child that exec'd before it allocated anything (its image's own
 * process follows) is not worth a line. */
static int proc_shown(const struct cdoc_heap_proc *p)
{
	return !(p->flags & CDOC_HPROC_EXECED) || p->frees || proc_calls(p);
}

static void proc_text(const struct cdoc_heap_snap *s, size_t i,
                      struct cdoc_buf *out)
{
	const struct cdoc_heap_proc *p = &s->procs[i];
	uint64_t calls = proc_calls(p);
	int f;

	if (!proc_shown(p))
		return;
	cdoc_buf_addf(out, "\nProcess %u ", p->pid);
	add_text_name(out, s, p->name);
	cdoc_buf_addf(out, "%s%s%s: %llu allocations, %llu frees, peak ",
	              p->flags & CDOC_HPROC_FORKED ? " (forked)" : "",
	              p->flags & CDOC_HPROC_EXECED ? " (replaced by exec)" : "",
	              p->flags & CDOC_HPROC_NOEXIT ? " (ended without exit)"
	                                           : "",
	              (unsigned long long)calls, (unsigned long long)p->frees);
	human(out, p->peak_bytes);
	cdoc_buf_addstr(out, cdoc_heap_proc_leaks(s, (uint32_t)i) ? ", leaked "
	                                                          : ", live ");
	human(out, p->live_bytes);
	cdoc_buf_addf(out, " in %llu allocations\n",
	              (unsigned long long)p->live_count);
	for (f = 0; f < CDOC_AFN_NR; f++)
		if (p->calls[f])
			cdoc_buf_addf(out, "  %-15s %llu calls, %llu bytes\n",
			              fn_names[f],
			              (unsigned long long)p->calls[f],
			              (unsigned long long)p->bytes[f]);
}

static void hist_text(const struct cdoc_heap_snap *s, struct cdoc_buf *out)
{
	uint64_t max = 0;
	int i;

	for (i = 0; i < 64; i++)
		max = CDOC_MAX(max, s->hist[i]);
	cdoc_buf_addstr(out, "\nAllocation sizes:\n");
	for (i = 0; i < 64 && max; i++) {
		int bar = (int)(s->hist[i] * 40 / max);

		if (!s->hist[i])
			continue;
		if (i == 0)
			cdoc_buf_addf(out, "  %21s", "0 B");
		else
			cdoc_buf_addf(out, "  %9llu - %9llu", 1ull << (i - 1),
			              (1ull << (i - 1)) * 2 - 1);
		cdoc_buf_addf(out, " %10llu ", (unsigned long long)s->hist[i]);
		while (bar-- > 0)
			cdoc_buf_addch(out, '#');
		cdoc_buf_addch(out, '\n');
	}
}

static void counters_text(const struct cdoc_heap_snap *s, struct cdoc_buf *out)
{
	const struct cdoc_heap_counters *c = &s->counters;

	cdoc_buf_addf(out,
	              "\nStream: %llu batches, %llu bytes; not recorded: %llu "
	              "(re-entrant), %llu (sample table full), %llu (send "
	              "errors); unmatched frees %llu, reordered %llu, "
	              "processes without exit %llu, unknown stacks %llu\n",
	              (unsigned long long)c->batches,
	              (unsigned long long)c->bytes,
	              (unsigned long long)c->reentrant,
	              (unsigned long long)c->sample_full,
	              (unsigned long long)c->write_errors,
	              (unsigned long long)c->unmatched_frees,
	              (unsigned long long)c->reordered,
	              (unsigned long long)c->no_exit,
	              (unsigned long long)c->unknown_stacks);
}

void cdoc_heap_report_text(const struct cdoc_heap_snap *s, int top,
                           struct cdoc_buf *out)
{
	size_t i, nproc = 0;

	for (i = 0; i < s->nr_procs; i++)
		nproc += proc_shown(&s->procs[i]);
	cdoc_buf_addf(out, "Heap at %.3f s: %zu process%s, %zu call sites\n",
	              (double)s->time_ns / 1e9, nproc, nproc == 1 ? "" : "es",
	              s->nr_sites);
	if (s->sample_rate)
		cdoc_buf_addf(out,
		              "Sampled: one sample per %llu bytes on average; "
		              "counts are estimates\n",
		              (unsigned long long)s->sample_rate);
	cdoc_buf_addstr(out, "Peak heap: ");
	human(out, s->peak_bytes);
	cdoc_buf_addf(out, " at %.3f s\n", (double)s->peak_ns / 1e9);
	for (i = 0; i < s->nr_procs; i++)
		proc_text(s, i, out);
	top_list(s, CDOC_HEAP_LEAKED_BYTES, top, "Leaked at exit", out);
	top_list(s, CDOC_HEAP_LIVE_BYTES, top, "Live now (by bytes)", out);
	top_list(s, CDOC_HEAP_ALLOC_COUNT, top, "Most allocations", out);
	top_list(s, CDOC_HEAP_TEMP_COUNT, top, "Most temporary allocations",
	         out);
	top_list(s, CDOC_HEAP_PEAK_BYTES, top, "Largest peak by call site",
	         out);
	hist_text(s, out);
	counters_text(s, out);
}

/* A site's identity across snapshots: process name and frame names. */
static uint64_t site_key(const struct cdoc_heap_snap *s,
                         const struct cdoc_heap_site *site, struct cdoc_buf *b)
{
	const struct cdoc_heap_stack *st = &s->stacks[site->stack];
	uint32_t j;

	cdoc_buf_reset(b);
	add_name(b, s, s->procs[site->proc].name);
	for (j = 0; j < st->nr; j++) {
		cdoc_buf_addch(b, ';');
		add_name(b, s, s->frames[st->first + j]);
	}
	return cdoc_hash(b->buf, b->len) | 1;
}

static int by_growth(const void *a, const void *b)
{
	const struct cdoc_heap_growth *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return 0;
}

int cdoc_heap_diff(const struct cdoc_heap_snap *a,
                   const struct cdoc_heap_snap *b,
                   struct cdoc_heap_growth **out, size_t *nr)
{
	struct cdoc_u64map keys; /* key -> row + 1 */
	struct cdoc_buf tmp = CDOC_BUF_INIT;
	struct cdoc_heap_growth *rows;
	size_t n = 0, i;
	int64_t total = 0;
	uint32_t r;

	rows = cdoc_calloc(a->nr_sites + b->nr_sites + 1, sizeof(*rows));
	cdoc_u64map_init(&keys);
	for (i = 0; i < a->nr_sites; i++) {
		rows[n] = (struct cdoc_heap_growth){
		        (uint32_t)i, CDOC_HEAP_NOSITE,
		        -(int64_t)a->sites[i].live_bytes,
		        -(int64_t)a->sites[i].live_count, 0};
		cdoc_u64map_put(&keys, site_key(a, &a->sites[i], &tmp),
		                (uint32_t)++n);
	}
	for (i = 0; i < b->nr_sites; i++) {
		const struct cdoc_heap_site *sb = &b->sites[i];
		uint64_t k = site_key(b, sb, &tmp);

		if (!cdoc_u64map_get(&keys, k, &r) ||
		    rows[r - 1].site_b != CDOC_HEAP_NOSITE) {
			rows[n] = (struct cdoc_heap_growth){
			        CDOC_HEAP_NOSITE, (uint32_t)i, 0, 0, 0};
			r = (uint32_t)++n;
		}
		rows[r - 1].site_b = (uint32_t)i;
		rows[r - 1].bytes += (int64_t)sb->live_bytes;
		rows[r - 1].count += (int64_t)sb->live_count;
	}
	for (i = 0; i < n; i++)
		if (rows[i].bytes > 0)
			total += rows[i].bytes;
	for (i = 0; i < n; i++)
		rows[i].share =
		        total ? (double)rows[i].bytes / (double)total : 0;
	cdoc_sort(rows, n, sizeof(*rows), by_growth);
	cdoc_u64map_release(&keys);
	cdoc_buf_release(&tmp);
	*out = rows;
	*nr = n;
	return 0;
}

void cdoc_heap_diff_text(const struct cdoc_heap_snap *a,
                         const struct cdoc_heap_snap *b,
                         const struct cdoc_heap_growth *rows, size_t nr,
                         int top, struct cdoc_buf *out)
{
	int64_t total = 0;
	size_t i;
	int shown = 0;

	for (i = 0; i < nr; i++)
		total += rows[i].bytes;
	cdoc_buf_addf(out,
	              "Live heap from %.3f s to %.3f s: %+lld bytes\n"
	              "Call sites by growth of live bytes:\n",
	              (double)a->time_ns / 1e9, (double)b->time_ns / 1e9,
	              (long long)total);
	for (i = 0; i < nr && shown < top; i++) {
		const struct cdoc_heap_growth *g = &rows[i];

		if (g->bytes <= 0 && g->count <= 0)
			continue;
		cdoc_buf_addf(out,
		              "  %2d. %+lld bytes  %+lld objects  %5.1f%%  ",
		              ++shown, (long long)g->bytes, (long long)g->count,
		              g->share * 100);
		if (g->site_b != CDOC_HEAP_NOSITE)
			cdoc_heap_site_name(b, &b->sites[g->site_b], 4, out);
		else
			cdoc_heap_site_name(a, &a->sites[g->site_a], 4, out);
		cdoc_buf_addch(out, '\n');
	}
	if (!shown)
		cdoc_buf_addstr(out, "  (no call site grew)\n");
}
