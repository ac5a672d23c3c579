/*
 * html.c - the self-contained HTML flame graph page: the template
 * report-templates/flame-page.html with its CSS and script inlined and the
 * profiles embedded as compact JSON (names once, frames as flat numbers).
 */
#include "flame/internal.h"

#include "base/templates.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Frame names, each written once and referred to by index. */
struct names {
	struct cdoc_strtab t;
};

static uint32_t name_id(struct names *n, const char *s, size_t len)
{
	return cdoc_strtab_intern(&n->t, s, len);
}

static void add_key(struct cdoc_buf *b, const char *key)
{
	cdoc_buf_addch(b, '"');
	cdoc_buf_addstr(b, key);
	cdoc_buf_addstr(b, "\":");
}

static void add_jstr(struct cdoc_buf *b, const char *s)
{
	cdoc_buf_addch(b, '"');
	cdoc_buf_add_json(b, s, strlen(s));
	cdoc_buf_addch(b, '"');
}

static void add_i64(struct cdoc_buf *b, int64_t v)
{
	if (v < 0) {
		cdoc_buf_addch(b, '-');
		v = -v;
	}
	cdoc_buf_addu64(b, (uint64_t)v);
}

/* Frames as [name, depth, x, w, self, delta] runs, preorder. */
static void add_frames(struct cdoc_buf *b, const struct layout *l,
                       struct names *nm)
{
	size_t i;

	add_key(b, "frames");
	cdoc_buf_addch(b, '[');
	for (i = 0; i < l->nr; i++) {
		const struct frame *f = &l->f[i];

		if (i)
			cdoc_buf_addch(b, ',');
		cdoc_buf_addu64(b, f->name ? name_id(nm, f->name, f->len) : 0);
		cdoc_buf_addch(b, ',');
		cdoc_buf_addu64(b, f->depth);
		cdoc_buf_addch(b, ',');
		cdoc_buf_addu64(b, f->x);
		cdoc_buf_addch(b, ',');
		cdoc_buf_addu64(b, f->w);
		cdoc_buf_addch(b, ',');
		cdoc_buf_addu64(b, f->self);
		cdoc_buf_addch(b, ',');
		add_i64(b, f->delta);
	}
	cdoc_buf_addstr(b, "],");
}

/*
 * The top functions as [name, self, total] over the whole profile, under
 * @key, ranked by @order: the page's table sorts either way, so the
 * largest totals must be there even when their self weight is small.
 * Returns the number of functions in the profile.
 */
static size_t add_top(struct cdoc_buf *b, const char *key,
                      const struct cdoc_profile *p, int col,
                      enum cdoc_top_order order, size_t limit, struct names *nm)
{
	struct cdoc_top_entry *e = NULL;
	size_t n = cdoc_profile_top(p, col, order, &e), i;

	add_key(b, key);
	cdoc_buf_addch(b, '[');
	for (i = 0; i < n && i < limit; i++) {
		const struct cdoc_strtab *t = &p->names;

		cdoc_buf_addstr(b, i ? ",[" : "[");
		cdoc_buf_addu64(b, name_id(nm, cdoc_strtab_get(t, e[i].name),
		                           cdoc_strtab_len(t, e[i].name)));
		cdoc_buf_addch(b, ',');
		cdoc_buf_addu64(b, e[i].self);
		cdoc_buf_addch(b, ',');
		cdoc_buf_addu64(b, e[i].total);
		cdoc_buf_addch(b, ']');
	}
	free(e);
	cdoc_buf_addstr(b, "],");
	return n;
}

static void add_names(struct cdoc_buf *b, const struct names *nm)
{
	size_t i;

	add_key(b, "names");
	cdoc_buf_addch(b, '[');
	for (i = 0; i < nm->t.nr; i++) {
		if (i)
			cdoc_buf_addch(b, ',');
		cdoc_buf_addch(b, '"');
		cdoc_buf_add_json(b, cdoc_strtab_get(&nm->t, i),
		                  cdoc_strtab_len(&nm->t, i));
		cdoc_buf_addch(b, '"');
	}
	cdoc_buf_addch(b, ']');
}

static void add_view(struct cdoc_buf *b, const struct cdoc_flame_view *v,
                     const struct cdoc_flame_html_opts *o)
{
	struct layout l = {0};
	struct names nm;
	int col = v->p->columns == 2 ? 1 : v->col;
	uint64_t total = v->p->nodes[0].total[col];
	double pct = o->minwidth_pct > 0 ? o->minwidth_pct : 0.001;
	size_t limit = o->top_limit ? o->top_limit : 50, nfun;

	cdoc_strtab_init(&nm.t);
	name_id(&nm, "all", 3); /* index 0: the root */
	flame__layout_tree(&l, v->p, col, (double)total * pct / 100);
	cdoc_buf_addch(b, '{');
	add_key(b, "name");
	add_jstr(b, v->name ? v->name : "profile");
	cdoc_buf_addch(b, ',');
	add_key(b, "unit");
	add_jstr(b, v->unit ? v->unit : "samples");
	cdoc_buf_addch(b, ',');
	add_key(b, "total");
	cdoc_buf_addu64(b, total);
	cdoc_buf_addstr(b, ",\"diff\":");
	cdoc_buf_addstr(b, l.diff ? "true" : "false");
	cdoc_buf_addstr(b, ",\"maxdelta\":");
	add_i64(b, l.maxdelta);
	cdoc_buf_addch(b, ',');
	add_frames(b, &l, &nm);
	add_top(b, "top", v->p, col, CDOC_TOP_SELF, limit, &nm);
	nfun = add_top(b, "topTotal", v->p, col, CDOC_TOP_TOTAL, limit, &nm);
	add_key(b, "functions");
	cdoc_buf_addu64(b, nfun);
	cdoc_buf_addch(b, ',');
	add_names(b, &nm);
	cdoc_buf_addch(b, '}');
	flame__layout_release(&l);
	cdoc_strtab_release(&nm.t);
}

/* Copy a JSON blob with < > & escaped so it cannot end the script. */
static void add_blob(struct cdoc_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			cdoc_buf_addstr(b, "\\u003c");
		else if (*s == '>')
			cdoc_buf_addstr(b, "\\u003e");
		else if (*s == '&')
			cdoc_buf_addstr(b, "\\u0026");
		else
			cdoc_buf_addch(b, *s);
	}
}

/* struct page - what the template's {{keys}} are filled from. */
struct page {
	const struct cdoc_flame_view *views;
	size_t n;
	const struct cdoc_flame_html_opts *o;
};

static void add_data(struct cdoc_buf *b, const struct page *pg)
{
	size_t i;

	cdoc_buf_addstr(b, "{\"title\":");
	add_jstr(b, pg->o->title ? pg->o->title : "Flame Graph");
	cdoc_buf_addstr(b, ",\"inverted\":");
	cdoc_buf_addstr(b, pg->o->inverted ? "true" : "false");
	cdoc_buf_addstr(b, ",\"report\":");
	if (pg->o->report_json && *pg->o->report_json)
		add_blob(b, pg->o->report_json);
	else
		cdoc_buf_addstr(b, "null");
	cdoc_buf_addstr(b, ",\"views\":[");
	for (i = 0; i < pg->n; i++) {
		if (i)
			cdoc_buf_addstr(b, ",\n");
		add_view(b, &pg->views[i], pg->o);
	}
	cdoc_buf_addstr(b, "]}");
}

static void fill_page(struct cdoc_buf *b, const char *key, size_t n, void *arg)
{
	const struct page *pg = arg;
	const char *title = pg->o->title ? pg->o->title : "Flame Graph";

	if (n == 5 && !memcmp(key, "title", 5))
		cdoc_buf_add_xml(b, title, strlen(title));
	else if (n == 3 && !memcmp(key, "css", 3))
		flame__add_template(b, "flame-page.css", NULL, NULL);
	else if (n == 2 && !memcmp(key, "js", 2))
		flame__add_template(b, "flame-page.js", NULL, NULL);
	else if (n == 4 && !memcmp(key, "data", 4))
		add_data(b, pg);
}

int cdoc_flame_html(struct cdoc_buf *out, const struct cdoc_flame_view *views,
                    size_t n, const struct cdoc_flame_html_opts *opts)
{
	struct cdoc_flame_html_opts none = {0};
	struct page pg = {views, n, opts ? opts : &none};

	if (!n)
		return cdoc_error(-EINVAL, "no profile to draw");
	if (!cdoc_template("flame-page.css", NULL) ||
	    !cdoc_template("flame-page.js", NULL))
		return cdoc_error(-ENOENT, "report templates are missing");
	return flame__add_template(out, "flame-page.html", fill_page, &pg);
}
