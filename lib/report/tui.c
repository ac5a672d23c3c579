/*
 * tui.c - an ncurses browser of a profile: top functions by self or
 * total, and the callers and callees of the selected one.
 *
 * Keys: up/down (j/k) move, s/t rank by self/total, Tab moves between the
 * function list, its callers and its callees, Enter on a caller or callee
 * selects that function, q quits.
 */
#include "report/internal.h"

#include <curses.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A name and a weight, for the three lists. */
struct row {
	uint32_t name;
	uint64_t w;
};

struct tui {
	const struct cdoc_profile *p;
	const char *kind;
	uint64_t total;
	struct cdoc_top_entry *top;
	size_t nr_top;
	enum cdoc_top_order order;
	struct row *rel[2]; /* callers, callees of the selected function */
	size_t nr_rel[2];
	size_t sel[3], scroll[3]; /* per pane: selection and first row */
	int focus;                /* 0 list, 1 callers, 2 callees */
};

static int by_weight(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	return x->w < y->w ? 1 : x->w > y->w ? -1 : 0;
}

/* Sum @w into @rows under @name. */
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
	uint32_t name = t->top[t->sel[0]].name, c;
	size_t id;
	int k;

	for (k = 0; k < 2; k++) {
		free(t->rel[k]);
		t->rel[k] = NULL;
		t->nr_rel[k] = 0;
		t->sel[k + 1] = t->scroll[k + 1] = 0;
	}
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

/* Draw one line: percentage, weight, name (control chars shown as ?). */
static void line(int y, int x, int width, double pct, uint64_t w,
                 const char *name, int hl)
{
	struct cdoc_buf b = CDOC_BUF_INIT;

	cdoc_buf_addf(&b, "%6.2f%% %10llu  ", pct, (unsigned long long)w);
	cdoc_buf_add_term(&b, name, strlen(name));
	if (hl)
		attron(A_REVERSE);
	mvaddnstr(y, x, b.buf, width - 1);
	if (hl)
		attroff(A_REVERSE);
	cdoc_buf_release(&b);
}

static void fit(size_t *sel, size_t *scroll, size_t rows)
{
	if (*sel < *scroll)
		*scroll = *sel;
	if (rows && *sel >= *scroll + rows)
		*scroll = *sel - rows + 1;
}

static void draw_list(struct tui *t, int top, int rows)
{
	size_t i;

	fit(&t->sel[0], &t->scroll[0], rows);
	for (i = t->scroll[0]; i < t->nr_top && (int)(i - t->scroll[0]) < rows;
	     i++) {
		uint64_t w = t->order == CDOC_TOP_SELF ? t->top[i].self
		                                       : t->top[i].total;

		line(top + (int)(i - t->scroll[0]), 0, COLS,
		     100.0 * w / t->total, w,
		     cdoc_strtab_get(&t->p->names, t->top[i].name),
		     i == t->sel[0]);
	}
}

static void draw_rel(struct tui *t, int k, int top, int rows)
{
	int x = k ? COLS / 2 : 0, w = COLS / 2;
	size_t i, *sel = &t->sel[k + 1], *sc = &t->scroll[k + 1];

	attron(A_BOLD);
	mvaddnstr(top - 1, x, k ? "Callees (total)" : "Callers (total)", w - 1);
	attroff(A_BOLD);
	fit(sel, sc, rows);
	for (i = *sc; i < t->nr_rel[k] && (int)(i - *sc) < rows; i++)
		line(top + (int)(i - *sc), x, w,
		     100.0 * t->rel[k][i].w / t->total, t->rel[k][i].w,
		     cdoc_strtab_get(&t->p->names, t->rel[k][i].name),
		     t->focus == k + 1 && i == *sel);
}

static void draw(struct tui *t)
{
	int half = (LINES - 3) / 2;

	erase();
	attron(A_BOLD);
	mvprintw(0, 0,
	         "%s: top functions by %s (%llu %s)  [s]elf [t]otal "
	         "Tab Enter [q]uit",
	         t->kind, t->order == CDOC_TOP_SELF ? "self" : "total",
	         (unsigned long long)t->total, cdoc_report_unit(t->kind));
	attroff(A_BOLD);
	draw_list(t, 1, half);
	draw_rel(t, 0, half + 3, LINES - half - 3);
	draw_rel(t, 1, half + 3, LINES - half - 3);
	refresh();
}

/* Select function @name in the list (after Enter on a caller/callee). */
static void jump(struct tui *t, uint32_t name)
{
	size_t i;

	for (i = 0; i < t->nr_top; i++)
		if (t->top[i].name == name) {
			t->sel[0] = i;
			t->focus = 0;
			relations(t);
			return;
		}
}

static void step(struct tui *t, int d)
{
	size_t n = t->focus ? t->nr_rel[t->focus - 1] : t->nr_top;
	size_t *s = &t->sel[t->focus];

	if (d < 0 && *s > 0)
		(*s)--;
	else if (d > 0 && *s + 1 < n)
		(*s)++;
	if (!t->focus)
		relations(t);
}

/* Handle key @c; returns 0 to quit. */
static int key(struct tui *t, int c)
{
	switch (c) {
	case 'q':
	case 'Q':
		return 0;
	case KEY_UP:
	case 'k':
		step(t, -1);
		break;
	case KEY_DOWN:
	case 'j':
		step(t, 1);
		break;
	case 's':
		rank(t, CDOC_TOP_SELF);
		break;
	case 't':
		rank(t, CDOC_TOP_TOTAL);
		break;
	case '\t':
		t->focus = (t->focus + 1) % 3;
		break;
	case '\n':
	case KEY_ENTER:
		if (t->focus && t->nr_rel[t->focus - 1])
			jump(t, t->rel[t->focus - 1][t->sel[t->focus]].name);
		break;
	}
	return 1;
}

int cdoc_report_tui(struct cdoc_recording *r, const char *kind)
{
	struct tui t = {0};
	int k;

	t.kind = kind ? kind : "cpu";
	t.p = cdoc_recording_profile(r, t.kind);
	if (!t.p || !(t.total = cdoc_profile_total(t.p, 0)))
		return cdoc_error(-ENOENT, "%s: no samples in profile '%s'",
		                  r->path, t.kind);
	if (!isatty(0) || !isatty(1))
		return cdoc_error(-ENOTTY, "--tui needs a terminal on standard "
		                           "input and output");
	rank(&t, CDOC_TOP_SELF);
	initscr();
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	do
		draw(&t);
	while ((k = getch()) != ERR && key(&t, k));
	endwin();
	free(t.top);
	for (k = 0; k < 2; k++)
		free(t.rel[k]);
	return 0;
}
