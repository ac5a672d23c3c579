/*
 * tui.c - `cdoctor report --tui`: an ncurses browser of a recording.
 * Four views, findings first: the doctor's findings; the top functions
 * with the callers and callees of the selected one; an expandable call
 * tree (callees from the root, or callers from where time was spent); a
 * text flame graph with zoom. Search (/ n N) works in every view, p
 * switches profile, ? shows the keys. Weights are shown in human units
 * (ms, KiB, %). The model (units, trees, layout) is in tuimodel.c.
 */
#include "report/tui.h"

#include <curses.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum view { V_FINDINGS, V_TOP, V_TREE, V_FLAME, V_COUNT };
static const char *const view_names[] = {"Findings", "Top functions",
                                         "Call tree", "Flame graph"};

/* A name and a weight, for the lists of the top view. */
struct row {
	uint32_t name;
	uint64_t w;
};

struct tui {
	struct cdoc_recording *r;
	const struct cdoc_diagnoses *d;
	struct cdoc_verdict v;        /* the doctor's verdict, shown first */
	size_t *profs, nr_profs, cur; /* profiles with weight; current */
	const struct cdoc_profile *p; /* current profile (callee tree) */
	struct cdoc_profile inv;      /* its callers' tree */
	const char *unit;
	double hz; /* samples per second, for cpu time */
	uint64_t total;
	enum view view;
	int help;      /* help shown */
	size_t pick;   /* profile picker shown: 1 + the row picked */
	char pat[128]; /* search */
	char msg[160]; /* status line */
	/* top view */
	struct cdoc_top_entry *top;
	size_t nr_top;
	enum cdoc_top_order order;
	struct row *rel[2];
	size_t nr_rel[2];
	size_t sel[3], scroll[3];
	int focus;
	/* tree view */
	int callers; /* 1: the callers' tree */
	unsigned char *open[2];
	uint32_t *rows;
	size_t nr_rows, tsel, tscroll;
	/* flame view */
	uint32_t fbase, fsel;
	/* findings view */
	size_t fscroll;
};

static const struct cdoc_profile *tree(const struct tui *t)
{
	return t->callers ? &t->inv : t->p;
}

static void weight(struct cdoc_buf *b, const struct tui *t, uint64_t w)
{
	report__tui_units(b, w, t->unit, t->hz);
}

/* Print @s at (@y, @x), @width columns at most, names made safe. */
static void put(int y, int x, int width, const char *s, int attr)
{
	struct cdoc_buf b = CDOC_BUF_INIT;

	if (width <= 0 || y < 0 || y >= LINES)
		return;
	cdoc_buf_add_term(&b, s, strlen(s));
	attron(attr);
	mvaddnstr(y, x, b.buf ? b.buf : "", width);
	attroff(attr);
	cdoc_buf_release(&b);
}

/* ---- the top view: functions, callers, callees ---- */

static int by_weight(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	return x->w < y->w ? 1 : x->w > y->w ? -1 : 0;
}

static void rel_add(struct row **rows, size_t *n, uint32_t name, uint64_t w)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if ((*rows)[i].name == name) {
			(*rows)[i].w += w;
			return;
		}
	*rows = cdoc_realloc(*rows, (*n + 1) * sizeof(**rows));
	(*rows)[*n].name = name;
	(*rows)[(*n)++].w = w;
}

static void relations(struct tui *t)
{
	const struct cdoc_profile *p = t->p;
	uint32_t name, c;
	size_t id;
	int k;

	for (k = 0; k < 2; k++) {
		free(t->rel[k]);
		t->rel[k] = NULL;
		t->nr_rel[k] = 0;
		t->sel[k + 1] = t->scroll[k + 1] = 0;
	}
	if (!t->nr_top)
		return;
	name = t->top[t->sel[0]].name;
	for (id = 1; id < p->nr_nodes; id++) {
		const struct cdoc_pnode *n = &p->nodes[id];

		if (n->name != name)
			continue;
		if (n->parent && n->parent != CDOC_NONE)
			rel_add(&t->rel[0], &t->nr_rel[0],
			        p->nodes[n->parent].name, n->total[0]);
		for (c = n->first_child; c != CDOC_NONE;
		     c = p->nodes[c].next_sibling)
			rel_add(&t->rel[1], &t->nr_rel[1], p->nodes[c].name,
			        p->nodes[c].total[0]);
	}
	for (k = 0; k < 2; k++)
		if (t->nr_rel[k])
			cdoc_sort(t->rel[k], t->nr_rel[k], sizeof(struct row),
			          by_weight);
}

static void rank(struct tui *t, enum cdoc_top_order order)
{
	free(t->top);
	t->order = order;
	t->nr_top = cdoc_profile_top(t->p, 0, order, &t->top);
	t->sel[0] = t->scroll[0] = 0;
	relations(t);
}

/* "  12.34%  1.2 ms  name" */
static void wline(const struct tui *t, int y, int x, int width, uint64_t w,
                  const char *prefix, const char *name, int attr)
{
	struct cdoc_buf b = CDOC_BUF_INIT;

	cdoc_buf_addf(&b, "%6.2f%% ", 100.0 * (double)w / (double)t->total);
	weight(&b, t, w);
	while (b.len < 20)
		cdoc_buf_addch(&b, ' ');
	cdoc_buf_addstr(&b, prefix);
	cdoc_buf_add_term(&b, name, strlen(name));
	attron(attr);
	mvaddnstr(y, x, b.buf, width);
	attroff(attr);
	cdoc_buf_release(&b);
}

static void fit(size_t *sel, size_t *scroll, size_t rows)
{
	if (*sel < *scroll)
		*scroll = *sel;
	if (rows && *sel >= *scroll + rows)
		*scroll = *sel - rows + 1;
}

static void draw_top(struct tui *t, int y0, int rows)
{
	int half = rows / 2, k;
	size_t i;

	put(y0, 0, COLS,
	    t->order == CDOC_TOP_SELF ? "Top functions by self ([t]: by total)"
	                              : "Top functions by total ([s]: by self)",
	    A_BOLD);
	fit(&t->sel[0], &t->scroll[0], half - 1);
	for (i = t->scroll[0];
	     i < t->nr_top && (int)(i - t->scroll[0]) < half - 1; i++) {
		uint64_t w = t->order == CDOC_TOP_SELF ? t->top[i].self
		                                       : t->top[i].total;
		const char *nm = cdoc_strtab_get(&t->p->names, t->top[i].name);
		int hl = i == t->sel[0] ? (t->focus ? A_UNDERLINE : A_REVERSE)
		                        : 0;

		if (!hl && report__tui_contains(nm, t->pat))
			hl = A_BOLD;
		wline(t, y0 + 1 + (int)(i - t->scroll[0]), 0, COLS, w, "", nm,
		      hl);
	}
	for (k = 0; k < 2; k++) {
		int x = k ? COLS / 2 : 0, y = y0 + half, n = rows - half - 1;
		size_t *sel = &t->sel[k + 1], *sc = &t->scroll[k + 1];

		put(y, x, COLS / 2 - 1,
		    k ? "Callees (total)" : "Callers (total)", A_BOLD);
		fit(sel, sc, n);
		for (i = *sc; i < t->nr_rel[k] && (int)(i - *sc) < n; i++)
			wline(t, y + 1 + (int)(i - *sc), x, COLS / 2 - 1,
			      t->rel[k][i].w, "",
			      cdoc_strtab_get(&t->p->names, t->rel[k][i].name),
			      t->focus == k + 1 && i == *sel ? A_REVERSE : 0);
	}
}

/* ---- the tree view ---- */

static void tree_rebuild(struct tui *t)
{
	free(t->rows);
	t->nr_rows = report__tui_rows(tree(t), t->open[t->callers], &t->rows);
	if (t->tsel >= t->nr_rows)
		t->tsel = t->nr_rows ? t->nr_rows - 1 : 0;
}

static void tree_select(struct tui *t, uint32_t node)
{
	size_t i;

	report__tui_reveal(tree(t), t->open[t->callers], node);
	tree_rebuild(t);
	for (i = 0; i < t->nr_rows; i++)
		if (t->rows[i] == node)
			t->tsel = i;
}

static void draw_tree(struct tui *t, int y0, int rows)
{
	const struct cdoc_profile *p = tree(t);
	struct cdoc_buf pre = CDOC_BUF_INIT;
	size_t i;

	put(y0, 0, COLS,
	    t->callers ? "Callers: where time went, then who called it "
	                 "([c]: callees)"
	               : "Callees: from the entry point down ([c]: callers)",
	    A_BOLD);
	fit(&t->tsel, &t->tscroll, rows - 1);
	for (i = t->tscroll; i < t->nr_rows && (int)(i - t->tscroll) < rows - 1;
	     i++) {
		uint32_t n = t->rows[i];
		int attr = i == t->tsel ? A_REVERSE : 0;

		cdoc_buf_reset(&pre);
		cdoc_buf_addf(&pre, "%*s%s ", 2 * (int)p->nodes[n].depth, "",
		              p->nodes[n].first_child == CDOC_NONE ? " "
		              : t->open[t->callers][n]             ? "-"
		                                                   : "+");
		if (!attr && report__tui_match(p, n, t->pat))
			attr = A_BOLD;
		wline(t, y0 + 1 + (int)(i - t->tscroll), 0, COLS,
		      p->nodes[n].total[0], pre.buf,
		      cdoc_profile_node_name(p, n), attr);
	}
	cdoc_buf_release(&pre);
}

/* ---- the flame view ---- */

/* "[name   ]" in exactly @w columns ("[na..]", "[]", "|" when narrow). */
static void frame_text(struct cdoc_buf *b, const char *name, int w)
{
	size_t room = w > 2 ? (size_t)w - 2 : 0, n = strlen(name);
	size_t start = b->len;

	if (w < 2) {
		cdoc_buf_addch(b, '|');
		return;
	}
	cdoc_buf_addch(b, '[');
	if (n > room && room >= 3) {
		cdoc_buf_add_term(b, name, room - 2);
		cdoc_buf_addstr(b, "..");
	} else if (n <= room) {
		cdoc_buf_add_term(b, name, n);
	}
	while (b->len - start < (size_t)w - 1)
		cdoc_buf_addch(b, ' ');
	cdoc_buf_addch(b, ']');
}

static void draw_flame(struct tui *t, int y0, int rows)
{
	struct report_tui_frame *f;
	struct cdoc_buf b = CDOC_BUF_INIT;
	size_t n = report__tui_flame(t->p, t->fbase, COLS, rows - 3, &f), i;

	put(y0, 0, COLS,
	    "Flame graph, callers above callees (arrows move, Enter zooms, "
	    "u/Backspace zooms out)",
	    A_BOLD);
	for (i = 0; i < n; i++) {
		const char *nm = cdoc_profile_node_name(t->p, f[i].node);
		int attr = f[i].node == t->fsel ? A_REVERSE : 0;

		cdoc_buf_reset(&b);
		frame_text(&b, nm, f[i].w);
		if (!attr && report__tui_match(t->p, f[i].node, t->pat))
			attr = A_BOLD | A_UNDERLINE;
		attron(attr);
		mvaddnstr(y0 + 1 + f[i].depth, f[i].x, b.buf, f[i].w);
		attroff(attr);
	}
	cdoc_buf_reset(&b);
	weight(&b, t, t->p->nodes[t->fsel].total[0]);
	cdoc_buf_addf(&b, " (%.2f%%) in ",
	              100.0 * (double)t->p->nodes[t->fsel].total[0] /
	                      (double)t->total);
	cdoc_buf_addstr(&b, cdoc_profile_node_name(t->p, t->fsel));
	put(y0 + rows - 1, 0, COLS, b.buf, 0);
	cdoc_buf_release(&b);
	free(f);
}

/* ---- the findings view ---- */

/* @s word-wrapped from line @y (before @end), the first line after @lead. */
static int wrap(int y, int end, const char *lead, const char *s)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	size_t w = COLS > 16 ? (size_t)COLS - 12 : 4, len = strlen(s);

	while (len && y < end) {
		size_t take = len <= w ? len : w;

		while (take < len && take > w / 2 && s[take] != ' ')
			take--;
		cdoc_buf_reset(&b);
		cdoc_buf_addstr(&b, lead);
		cdoc_buf_add(&b, s, take);
		put(y++, 4, COLS - 4, b.buf, 0);
		lead = "     ";
		s += take;
		len -= take;
		while (len && *s == ' ')
			s++, len--;
	}
	cdoc_buf_release(&b);
	return y;
}

/* The verdict: its word and impact, culprits, summary, first step. */
static int draw_verdict(struct tui *t, int y, int end)
{
	const struct cdoc_verdict *v = &t->v;
	struct cdoc_buf b = CDOC_BUF_INIT;
	size_t i;

	if (!v->category)
		return y;
	cdoc_buf_addf(&b, "Verdict: %s", v->category);
	if (v->nr_culprits)
		cdoc_buf_addf(&b, " (%.0f%% of the work in the window)",
		              v->impact);
	put(y++, 0, COLS, b.buf, A_BOLD);
	for (i = 0; i < v->nr_culprits && i < 3 && y < end; i++) {
		const struct cdoc_culprit *c = &v->culprits[i];

		cdoc_buf_reset(&b);
		cdoc_buf_addf(&b, "culprit: %s", c->function);
		if (c->where)
			cdoc_buf_addf(&b, " (%s)", c->where);
		if (c->via)
			cdoc_buf_addf(&b, " calling %s", c->via);
		cdoc_buf_addf(&b, ": %.0f%%", c->share);
		put(y++, 2, COLS - 2, b.buf, 0);
	}
	if (v->summary && y < end)
		y = wrap(y, end, "     ", v->summary);
	if (v->nr_recs && y < end)
		y = wrap(y, end, "  -> ", v->recs[0]);
	cdoc_buf_release(&b);
	return y + 1;
}

static void draw_findings(struct tui *t, int y0, int rows)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	int y = y0;
	size_t i;

	if (!t->fscroll)
		y = draw_verdict(t, y, y0 + rows);
	put(y++, 0, COLS, "Findings (Tab: next view, 2 3 4: views)", A_BOLD);
	if (!t->d->nr)
		put(y++, 2, COLS - 2, "Nothing stands out.", 0);
	for (i = t->fscroll; i < t->d->nr && y < y0 + rows; i++) {
		const struct cdoc_diagnosis *x = &t->d->items[i];
		const char *parts[] = {x->detail, x->recommendation};
		size_t k;

		cdoc_buf_reset(&b);
		cdoc_buf_addf(&b, "%-8s ", cdoc_severity_name(x->severity));
		cdoc_buf_addstr(&b, x->title);
		put(y++, 0, COLS, b.buf,
		    A_BOLD | (i == t->fscroll ? A_REVERSE : 0));
		for (k = 0; k < 2 && y < y0 + rows; k++)
			y = wrap(y, y0 + rows, k ? "  -> " : "     ", parts[k]);
		y++;
	}
	cdoc_buf_release(&b);
}

/* ---- help, picker, frame ---- */

static const char *const help_lines[] = {
        "Keys",
        "  ?             this help (any key closes it)",
        "  Tab, 1-4      next view; findings, top, tree, flame",
        "  p             pick another profile (cpu, alloc_bytes, ...)",
        "  / TEXT Enter  search function names; n / N next / previous",
        "  up/down j/k   move; PgUp/PgDn, space/b page; g/G first/last",
        "  Top view      s/t rank by self/total; Tab-focus callers,",
        "                callees: Enter jumps to that function",
        "  Tree view     right/+/Enter expand, left/- collapse,",
        "                e expand the hottest path, c callers/callees",
        "  Flame view    arrows move (up: caller, down: callee),",
        "                Enter zoom in, u/Backspace zoom out",
        "  q             quit (or close this help)",
};

static void draw_help(void)
{
	int w = 64, h = (int)CDOC_ARRAY_SIZE(help_lines) + 2, i;
	int y0 = (LINES - h) / 2 > 0 ? (LINES - h) / 2 : 0;
	int x0 = (COLS - w) / 2 > 0 ? (COLS - w) / 2 : 0;

	for (i = 0; i < h; i++)
		mvhline(y0 + i, x0, ' ', w);
	for (i = 0; i < (int)CDOC_ARRAY_SIZE(help_lines); i++)
		put(y0 + 1 + i, x0 + 2, w - 4, help_lines[i], i ? 0 : A_BOLD);
	attron(A_REVERSE);
	mvhline(y0, x0, ' ', w);
	mvhline(y0 + h - 1, x0, ' ', w);
	attroff(A_REVERSE);
}

static void draw_pick(struct tui *t)
{
	size_t i;
	int y0 = 3, y;

	for (y = y0 - 2; y <= y0 + (int)t->nr_profs && y < LINES; y++) {
		move(y, 0); /* the view below does not show through */
		clrtoeol();
	}
	put(y0 - 1, 2, COLS - 4, "Profile (up/down, Enter, Esc):", A_BOLD);
	for (i = 0; i < t->nr_profs; i++) {
		struct cdoc_rec_profile *rp = &t->r->profiles[t->profs[i]];
		const char *unit = cdoc_report_unit(rp->name);
		struct cdoc_buf b = CDOC_BUF_INIT;

		cdoc_buf_addf(&b, "%-16s ", rp->name);
		report__tui_units(&b, cdoc_profile_total(&rp->prof, 0), unit,
		                  strcmp(unit, "samples") ? 0 : t->hz);
		cdoc_buf_addf(&b, "  (%s)", unit);
		put(y0 + (int)i, 4, COLS - 6, b.buf,
		    i == t->pick - 1 ? A_REVERSE : 0);
		cdoc_buf_release(&b);
	}
}

static void draw(struct tui *t)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	int rows = LINES - 2;

	erase();
	cdoc_buf_addf(&b, "cdoctor: %s | %s | ", view_names[t->view],
	              t->r->profiles[t->profs[t->cur]].name);
	weight(&b, t, t->total);
	cdoc_buf_addstr(&b, " | ? help  q quit");
	put(0, 0, COLS, b.buf, A_REVERSE);
	if (t->view == V_FINDINGS)
		draw_findings(t, 1, rows);
	else if (t->view == V_TOP)
		draw_top(t, 1, rows);
	else if (t->view == V_TREE)
		draw_tree(t, 1, rows);
	else
		draw_flame(t, 1, rows);
	put(LINES - 1, 0, COLS, t->msg, 0);
	if (t->pick)
		draw_pick(t);
	if (t->help)
		draw_help();
	refresh();
	cdoc_buf_release(&b);
}

/* ---- profile switching ---- */

static void load_profile(struct tui *t, size_t i)
{
	struct cdoc_rec_profile *rp = &t->r->profiles[t->profs[i]];
	int k;

	t->cur = i;
	t->p = &rp->prof;
	t->unit = cdoc_report_unit(rp->name);
	t->total = cdoc_profile_total(t->p, 0);
	cdoc_profile_release(&t->inv);
	report__tui_invert(t->p, &t->inv);
	for (k = 0; k < 2; k++) {
		const struct cdoc_profile *p = k ? &t->inv : t->p;

		free(t->open[k]);
		t->open[k] = cdoc_calloc(p->nr_nodes + 1, 1);
		t->open[k][0] = 1;
	}
	t->tsel = t->tscroll = 0;
	t->fbase = t->fsel = 0;
	rank(t, CDOC_TOP_SELF);
	tree_rebuild(t);
}

/* ---- search ---- */

static void search_step(struct tui *t, int dir)
{
	const struct cdoc_profile *p = t->view == V_TREE ? tree(t) : t->p;
	uint32_t from = 0, hit;
	size_t i;

	if (!*t->pat)
		return;
	if (t->view == V_TOP) {
		for (i = 1; i <= t->nr_top; i++) {
			size_t k = (t->sel[0] + (dir < 0 ? t->nr_top - i : i)) %
			           t->nr_top;

			if (report__tui_contains(
			            cdoc_strtab_get(&p->names, t->top[k].name),
			            t->pat)) {
				t->sel[0] = k;
				t->focus = 0;
				relations(t);
				snprintf(t->msg, sizeof(t->msg), "found '%s'",
				         t->pat);
				return;
			}
		}
		snprintf(t->msg, sizeof(t->msg), "'%s' not found", t->pat);
		return;
	}
	if (t->view == V_TREE && t->nr_rows)
		from = t->rows[t->tsel];
	else if (t->view == V_FLAME)
		from = t->fsel;
	hit = report__tui_search(p, from, t->pat, dir);
	if (hit == CDOC_NONE) {
		snprintf(t->msg, sizeof(t->msg), "'%s' not found", t->pat);
		return;
	}
	snprintf(t->msg, sizeof(t->msg), "found '%s'", t->pat);
	if (t->view == V_FLAME) {
		t->fsel = hit;
		t->fbase = 0;
	} else {
		t->view = V_TREE;
		tree_select(t, hit);
	}
}

static void prompt(struct tui *t)
{
	char buf[sizeof(t->pat)] = "";

	move(LINES - 1, 0);
	clrtoeol();
	mvaddstr(LINES - 1, 0, "/");
	echo();
	curs_set(1);
	getnstr(buf, (int)sizeof(buf) - 1);
	noecho();
	curs_set(0);
	if (*buf)
		memcpy(t->pat, buf, sizeof(buf));
	if (t->view == V_FINDINGS)
		t->view = V_TREE;
	search_step(t, 1);
}

/* ---- keys ---- */

static void move_sel(size_t *sel, size_t n, long d)
{
	long v = (long)*sel + d;

	if (v < 0 || !n)
		v = 0;
	else if ((size_t)v >= n)
		v = (long)n - 1;
	*sel = (size_t)v;
}

static void key_top(struct tui *t, int c, long page)
{
	size_t n = t->focus ? t->nr_rel[t->focus - 1] : t->nr_top;

	if (c == 's' || c == 't')
		rank(t, c == 's' ? CDOC_TOP_SELF : CDOC_TOP_TOTAL);
	else if (c == 'f')
		t->focus = (t->focus + 1) % 3;
	else if ((c == '\n' || c == KEY_ENTER) && t->focus &&
	         t->nr_rel[t->focus - 1]) {
		uint32_t name = t->rel[t->focus - 1][t->sel[t->focus]].name;
		size_t i;

		for (i = 0; i < t->nr_top; i++)
			if (t->top[i].name == name)
				t->sel[0] = i;
		t->focus = 0;
		relations(t);
	} else if (page) {
		move_sel(&t->sel[t->focus], n, page);
		if (!t->focus)
			relations(t);
	}
}

static void expand_hot(struct tui *t)
{
	const struct cdoc_profile *p = tree(t);
	uint32_t n = t->rows[t->tsel], *kids;

	while (report__tui_children(p, n, &kids)) {
		t->open[t->callers][n] = 1;
		n = kids[0];
		free(kids);
	}
	free(kids);
	tree_select(t, n);
}

static void key_tree(struct tui *t, int c, long page)
{
	uint32_t n = t->nr_rows ? t->rows[t->tsel] : 0;
	const struct cdoc_profile *p = tree(t);

	if (c == KEY_RIGHT || c == '+' || c == 'l' || c == '\n' ||
	    c == KEY_ENTER) {
		if (c == '\n' || c == KEY_ENTER)
			t->open[t->callers][n] ^= 1;
		else
			t->open[t->callers][n] = 1;
		tree_rebuild(t);
	} else if (c == KEY_LEFT || c == '-' || c == 'h') {
		if (!t->open[t->callers][n] && p->nodes[n].parent != CDOC_NONE)
			n = p->nodes[n].parent;
		t->open[t->callers][n] = 0;
		tree_select(t, n);
	} else if (c == 'e') {
		expand_hot(t);
	} else if (c == 'c') {
		t->callers = !t->callers;
		t->tsel = t->tscroll = 0;
		tree_rebuild(t);
	} else if (page) {
		move_sel(&t->tsel, t->nr_rows, page);
	}
}

static void key_flame(struct tui *t, int c)
{
	const struct cdoc_profile *p = t->p;
	uint32_t *kids, n = t->fsel, par = p->nodes[n].parent;
	size_t nk, i;

	if (c == KEY_DOWN || c == 'j') {
		if (report__tui_children(p, n, &kids))
			t->fsel = kids[0];
		free(kids);
	} else if ((c == KEY_UP || c == 'k') && n != t->fbase) {
		t->fsel = par;
	} else if ((c == KEY_LEFT || c == KEY_RIGHT || c == 'h' || c == 'l') &&
	           par != CDOC_NONE && n != t->fbase) {
		nk = report__tui_children(p, par, &kids);
		for (i = 0; i < nk && kids[i] != n; i++)
			;
		if ((c == KEY_LEFT || c == 'h') && i > 0)
			t->fsel = kids[i - 1];
		else if ((c == KEY_RIGHT || c == 'l') && i + 1 < nk)
			t->fsel = kids[i + 1];
		free(kids);
	} else if (c == '\n' || c == KEY_ENTER) {
		t->fbase = t->fsel;
	} else if ((c == 'u' || c == KEY_BACKSPACE || c == 127) && t->fbase) {
		t->fbase = p->nodes[t->fbase].parent;
		t->fsel = t->fbase;
	}
}

static long page_of(int c)
{
	long page = LINES > 6 ? LINES - 4 : 1;

	switch (c) {
	case KEY_UP:
	case 'k':
		return -1;
	case KEY_DOWN:
	case 'j':
		return 1;
	case KEY_NPAGE:
	case ' ':
		return page;
	case KEY_PPAGE:
	case 'b':
		return -page;
	case KEY_HOME:
	case 'g':
		return -(1L << 30);
	case KEY_END:
	case 'G':
		return 1L << 30;
	}
	return 0;
}

static int key_pick(struct tui *t, int c)
{
	if (c == KEY_UP || c == 'k')
		t->pick = t->pick > 1 ? t->pick - 1 : 1;
	else if (c == KEY_DOWN || c == 'j')
		t->pick = t->pick < t->nr_profs ? t->pick + 1 : t->pick;
	else if (c == '\n' || c == KEY_ENTER) {
		load_profile(t, t->pick - 1);
		t->pick = 0;
	} else if (c == 27 || c == 'q' || c == 'p')
		t->pick = 0;
	return 1;
}

/* Handle key @c; returns 0 to quit. */
static int key(struct tui *t, int c)
{
	long page = page_of(c);

	t->msg[0] = 0;
	if (t->help)
		return t->help = 0, 1;
	if (t->pick)
		return key_pick(t, c);
	if (c == 'q' || c == 'Q')
		return 0;
	if (c == '?')
		t->help = 1;
	else if (c == '\t')
		t->view = (t->view + 1) % V_COUNT;
	else if (c >= '1' && c <= '4')
		t->view = (enum view)(c - '1');
	else if (c == 'p')
		t->pick = t->cur + 1;
	else if (c == '/')
		prompt(t);
	else if (c == 'n' || c == 'N')
		search_step(t, c == 'n' ? 1 : -1);
	else if (t->view == V_FINDINGS && page)
		move_sel(&t->fscroll, t->d->nr, page);
	else if (t->view == V_TOP)
		key_top(t, c, page);
	else if (t->view == V_TREE)
		key_tree(t, c, page);
	else if (t->view == V_FLAME)
		key_flame(t, c);
	return 1;
}

/* The profiles to browse, with @kind (or its alias) first; -ENOENT. */
static int pick_profiles(struct tui *t, const char *kind)
{
	struct cdoc_buf all = CDOC_BUF_INIT;
	const char *want = report__profile_alias(kind ? kind : "cpu");
	size_t i;
	int found = -1;

	t->profs = cdoc_calloc(t->r->nr_profiles + 1, sizeof(*t->profs));
	t->nr_profs = report__profiles(t->r, t->profs);
	for (i = 0; i < t->nr_profs; i++) {
		const char *nm = t->r->profiles[t->profs[i]].name;

		cdoc_buf_addf(&all, "%s%s", i ? ", " : "", nm);
		if (!strcmp(nm, want))
			found = (int)i;
	}
	if (found < 0 && !kind && t->nr_profs)
		found = 0;
	if (found < 0) {
		int ret = cdoc_error(-ENOENT,
		                     "%s: no samples in profile '%s' (it has: "
		                     "%s)",
		                     t->r->path, want,
		                     all.buf ? all.buf : "none");

		cdoc_buf_release(&all);
		return ret;
	}
	cdoc_buf_release(&all);
	t->cur = (size_t)found;
	return 0;
}

static void release(struct tui *t, struct cdoc_diagnoses *own)
{
	int k;

	free(t->top);
	for (k = 0; k < 2; k++) {
		free(t->rel[k]);
		free(t->open[k]);
	}
	free(t->rows);
	free(t->profs);
	cdoc_profile_release(&t->inv);
	cdoc_diagnoses_release(own);
	cdoc_verdict_release(&t->v);
}

int cdoc_report_tui(struct cdoc_recording *r, const char *kind)
{
	struct tui t;
	struct cdoc_diagnoses own;
	const char *hz = cdoc_recording_meta(r, "frequency");
	const char *ev = cdoc_recording_meta(r, "event");
	int k, ret;

	memset(&t, 0, sizeof(t));
	cdoc_profile_init(&t.inv);
	cdoc_diagnoses_init(&own);
	t.r = r;
	ret = pick_profiles(&t, kind);
	if (!ret && (!isatty(0) || !isatty(1)))
		ret = cdoc_error(-ENOTTY, "--tui needs a terminal on standard "
		                          "input and output");
	if (ret) {
		release(&t, &own);
		return ret;
	}
	t.d = report__diagnoses(r, NULL, &own);
	cdoc_verdict_init(&t.v);
	cdoc_doctor_verdict(r, &t.v);
	/* cpu-clock and task-clock samples are time; other events are not. */
	if (hz && (!ev || strstr(ev, "clock")))
		t.hz = strtod(hz, NULL);
	load_profile(&t, t.cur);
	t.view = V_FINDINGS;
	initscr();
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	do
		draw(&t);
	while ((k = getch()) != ERR && key(&t, k));
	endwin();
	release(&t, &own);
	return 0;
}
