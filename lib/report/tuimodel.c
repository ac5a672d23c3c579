/*
 * tuimodel.c - what the TUI (tui.c) shows, without curses: human units,
 * the caller tree (the profile turned upside down), the rows of an
 * expandable call tree, search over a tree, and the frames of a text flame
 * graph. Kept apart from the drawing so it is unit-tested.
 */
#include "report/tui.h"

#include <stdlib.h>
#include <string.h>

void report__tui_units(struct cdoc_buf *b, uint64_t w, const char *unit,
                       double hz)
{
	static const char *const bin[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)w;
	size_t i = 0;

	if (!strcmp(unit, "bytes")) {
		while (v >= 1024 && i + 1 < CDOC_ARRAY_SIZE(bin)) {
			v /= 1024;
			i++;
		}
		if (i)
			cdoc_buf_addf(b, "%.1f %s", v, bin[i]);
		else
			cdoc_buf_addf(b, "%llu B", (unsigned long long)w);
	} else if ((!strcmp(unit, "samples") && hz > 0) ||
	           !strcmp(unit, "ns")) {
		v /= strcmp(unit, "ns") ? hz : 1e9;
		if (v >= 60)
			cdoc_buf_addf(b, "%.1f min", v / 60);
		else if (v >= 1)
			cdoc_buf_addf(b, "%.2f s", v);
		else
			cdoc_buf_addf(b, "%.1f ms", v * 1e3);
	} else if (v >= 1e9) {
		cdoc_buf_addf(b, "%.1fG", v / 1e9);
	} else if (v >= 1e6) {
		cdoc_buf_addf(b, "%.1fM", v / 1e6);
	} else if (v >= 1e4) {
		cdoc_buf_addf(b, "%.1fk", v / 1e3);
	} else {
		cdoc_buf_addf(b, "%llu", (unsigned long long)w);
	}
	if (!strcmp(unit, "fds"))
		cdoc_buf_addstr(b, " fds");
}

void report__tui_invert(const struct cdoc_profile *p, struct cdoc_profile *out)
{
	uint32_t *names = NULL;
	size_t alloc = 0, i;

	cdoc_profile_init(out);
	for (i = 1; i < p->nr_nodes; i++) {
		uint32_t n = (uint32_t)i;
		size_t k = 0;

		if (!p->nodes[i].self[0])
			continue;
		for (; n && n != CDOC_NONE; n = p->nodes[n].parent) {
			const char *s = cdoc_profile_node_name(p, n);

			if (k == alloc) {
				alloc = alloc ? 2 * alloc : 64;
				names = cdoc_realloc(names,
				                     alloc * sizeof(*names));
			}
			names[k++] = cdoc_profile_name(out, s, strlen(s));
		}
		cdoc_profile_add_stack(out, names, k, 0, p->nodes[i].self[0]);
	}
	free(names);
}

static int heavier(const void *a, const void *b, void *ctx)
{
	const struct cdoc_profile *p = ctx;
	uint64_t x = p->nodes[*(const uint32_t *)a].total[0];
	uint64_t y = p->nodes[*(const uint32_t *)b].total[0];

	return x < y ? 1 : x > y ? -1 : 0;
}

size_t report__tui_children(const struct cdoc_profile *p, uint32_t node,
                            uint32_t **out)
{
	size_t n = 0, i = 0;
	uint32_t c;

	for (c = p->nodes[node].first_child; c != CDOC_NONE;
	     c = p->nodes[c].next_sibling)
		n++;
	*out = cdoc_calloc(n + 1, sizeof(**out));
	for (c = p->nodes[node].first_child; c != CDOC_NONE;
	     c = p->nodes[c].next_sibling)
		(*out)[i++] = c;
	qsort_r(*out, n, sizeof(**out), heavier, (void *)p);
	return n;
}

static void rows_walk(const struct cdoc_profile *p, const unsigned char *open,
                      uint32_t node, uint32_t **rows, size_t *n, size_t *alloc)
{
	uint32_t *kids;
	size_t nk, i;

	if (*n == *alloc) {
		*alloc = *alloc ? 2 * *alloc : 256;
		*rows = cdoc_realloc(*rows, *alloc * sizeof(**rows));
	}
	(*rows)[(*n)++] = node;
	if (!open[node])
		return;
	nk = report__tui_children(p, node, &kids);
	for (i = 0; i < nk; i++)
		rows_walk(p, open, kids[i], rows, n, alloc);
	free(kids);
}

size_t report__tui_rows(const struct cdoc_profile *p, const unsigned char *open,
                        uint32_t **rows)
{
	size_t n = 0, alloc = 0;

	*rows = NULL;
	rows_walk(p, open, 0, rows, &n, &alloc);
	return n;
}

int report__tui_contains(const char *name, const char *pat)
{
	size_t n = strlen(pat), i;

	if (!n)
		return 0;
	for (; *name; name++) {
		for (i = 0; i < n && name[i]; i++)
			if ((name[i] | 0x20) != (pat[i] | 0x20) &&
			    name[i] != pat[i])
				break;
		if (i == n)
			return 1;
	}
	return 0;
}

int report__tui_match(const struct cdoc_profile *p, uint32_t node,
                      const char *pat)
{
	return node &&
	       report__tui_contains(cdoc_profile_node_name(p, node), pat);
}

uint32_t report__tui_search(const struct cdoc_profile *p, uint32_t from,
                            const char *pat, int dir)
{
	size_t n = p->nr_nodes, i;

	if (n < 2 || !*pat)
		return CDOC_NONE;
	/* Node ids in creation order: a stable, complete order to step. */
	for (i = 1; i <= n; i++) {
		uint32_t id = (uint32_t)((from + (dir < 0 ? n - i : i)) % n);

		if (p->nodes[id].total[0] && report__tui_match(p, id, pat))
			return id;
	}
	return CDOC_NONE;
}

void report__tui_reveal(const struct cdoc_profile *p, unsigned char *open,
                        uint32_t node)
{
	uint32_t n = p->nodes[node].parent;

	for (; n != CDOC_NONE; n = p->nodes[n].parent)
		open[n] = 1;
}

static void flame_walk(const struct cdoc_profile *p, uint32_t node, double x,
                       double scale, int depth, int maxdepth,
                       struct report_tui_frame **out, size_t *n, size_t *alloc)
{
	double w = (double)p->nodes[node].total[0] * scale;
	uint32_t *kids;
	size_t nk, i;

	if (w < 1 || depth > maxdepth)
		return;
	if (*n == *alloc) {
		*alloc = *alloc ? 2 * *alloc : 256;
		*out = cdoc_realloc(*out, *alloc * sizeof(**out));
	}
	(*out)[*n].node = node;
	(*out)[*n].x = (int)(x + 0.5);
	(*out)[*n].w = (int)(x + w + 0.5) - (int)(x + 0.5);
	(*out)[(*n)++].depth = depth;
	nk = report__tui_children(p, node, &kids);
	for (i = 0; i < nk; i++) {
		flame_walk(p, kids[i], x, scale, depth + 1, maxdepth, out, n,
		           alloc);
		x += (double)p->nodes[kids[i]].total[0] * scale;
	}
	free(kids);
}

size_t report__tui_flame(const struct cdoc_profile *p, uint32_t base, int width,
                         int maxdepth, struct report_tui_frame **out)
{
	uint64_t tot = p->nodes[base].total[0];
	size_t n = 0, alloc = 0;

	*out = NULL;
	if (!tot || width <= 0)
		return 0;
	flame_walk(p, base, 0, (double)width / (double)tot, 0, maxdepth, out,
	           &n, &alloc);
	return n;
}
