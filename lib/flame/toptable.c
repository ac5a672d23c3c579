/*
 * toptable.c - the top-functions table for the terminal: by self weight and
 * by total weight, with percentages of the whole.
 */
#include "flame/internal.h"

#include <stdlib.h>
#include <string.h>

#define BOLD  "\033[1m"
#define RED   "\033[31m"
#define YEL   "\033[33m"
#define RESET "\033[0m"

/* Append @v right-aligned in @width columns. */
static void add_right(struct cdoc_buf *b, const char *s, size_t len,
                      size_t width)
{
	while (len < width--)
		cdoc_buf_addch(b, ' ');
	cdoc_buf_add(b, s, len);
}

static void add_count(struct cdoc_buf *b, uint64_t v, size_t width)
{
	struct cdoc_buf t = CDOC_BUF_INIT;

	flame__add_commas(&t, v);
	add_right(b, t.buf, t.len, width);
	cdoc_buf_release(&t);
}

static void add_pct(struct cdoc_buf *b, uint64_t v, uint64_t total, int colour)
{
	struct cdoc_buf t = CDOC_BUF_INIT;
	double pct = total ? 100.0 * (double)v / (double)total : 0;

	flame__add_fixed(&t, pct, 2);
	cdoc_buf_addch(&t, '%');
	if (colour && pct >= 1)
		cdoc_buf_addstr(b, pct >= 10 ? RED : YEL);
	add_right(b, t.buf, t.len, 8);
	if (colour && pct >= 1)
		cdoc_buf_addstr(b, RESET);
	cdoc_buf_release(&t);
}

static void add_table(struct cdoc_buf *b, const struct cdoc_profile *p,
                      const struct cdoc_flame_top_opts *o,
                      enum cdoc_top_order order)
{
	struct cdoc_top_entry *e = NULL;
	uint64_t total = cdoc_profile_total(p, o->col);
	size_t n = cdoc_profile_top(p, o->col, order, &e), i;
	size_t limit = o->limit ? o->limit : 20;

	if (o->colour)
		cdoc_buf_addstr(b, BOLD);
	cdoc_buf_addstr(b, order == CDOC_TOP_SELF ? "Top functions by self"
	                                          : "Top functions by total");
	cdoc_buf_addstr(b, " (");
	flame__add_commas(b, total);
	cdoc_buf_addch(b, ' ');
	cdoc_buf_addstr(b, o->unit ? o->unit : "samples");
	cdoc_buf_addstr(b, ")\n");
	cdoc_buf_addstr(b, "          SELF        %          TOTAL        %"
	                   "  FUNCTION\n");
	if (o->colour)
		cdoc_buf_addstr(b, RESET);
	for (i = 0; i < n && i < limit; i++) {
		const char *name = cdoc_strtab_get(&p->names, e[i].name);

		add_count(b, e[i].self, 14);
		add_pct(b, e[i].self, total, o->colour);
		add_count(b, e[i].total, 15);
		add_pct(b, e[i].total, total, o->colour);
		cdoc_buf_addstr(b, "  ");
		cdoc_buf_add_term(b, name,
		                  cdoc_strtab_len(&p->names, e[i].name));
		cdoc_buf_addch(b, '\n');
	}
	if (n > limit) {
		cdoc_buf_addf(b, "(%zu more functions)\n", n - limit);
	}
	free(e);
}

void cdoc_flame_top_text(struct cdoc_buf *out, const struct cdoc_profile *p,
                         const struct cdoc_flame_top_opts *opts)
{
	if (opts->only != 2)
		add_table(out, p, opts, CDOC_TOP_SELF);
	if (!opts->only)
		cdoc_buf_addch(out, '\n');
	if (opts->only != 1)
		add_table(out, p, opts, CDOC_TOP_TOTAL);
}
