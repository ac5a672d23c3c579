/*
 * chart.c - stacks in input order for flame charts (--flamechart): each
 * folded line extends the frames it shares with the line before, as
 * flamegraph.pl's flow() does, and nothing else is merged.
 */
#include "flame/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void cdoc_flame_chart_init(struct cdoc_flame_chart *c)
{
	memset(c, 0, sizeof(*c));
	cdoc_strtab_init(&c->names);
	c->columns = 1;
}

void cdoc_flame_chart_release(struct cdoc_flame_chart *c)
{
	cdoc_strtab_release(&c->names);
	free(c->frames);
	memset(c, 0, sizeof(*c));
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Parse a trailing count " 123" (or " 123.5", the fraction dropped) of
 * @s[0..*len), as flamegraph.pl's /\s+?(\d+(?:\.\d*)?)$/; shrinks *len
 * to the text before it.
 */
static int trailing_count(const char *s, size_t *len, uint64_t *count)
{
	size_t i = *len, int_end = *len, k;
	uint64_t v = 0;

	while (i > 0 && is_digit(s[i - 1]))
		i--;
	if (i > 0 && s[i - 1] == '.') {
		int_end = --i;
		while (i > 0 && is_digit(s[i - 1]))
			i--;
	}
	if (i == int_end || i == 0 || (s[i - 1] != ' ' && s[i - 1] != '\t') ||
	    int_end - i > 19)
		return -1;
	for (k = i; k < int_end; k++)
		v = v * 10 + (s[k] - '0');
	while (i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t'))
		i--;
	*len = i;
	*count = v;
	return 0;
}

/* struct open_path - the frames still open from the previous line. */
struct open_path {
	uint32_t *name; /* name id per depth (index 0 = depth 1) */
	size_t *frame;  /* frame index per depth */
	size_t nr, alloc;
};

static size_t new_frame(struct cdoc_flame_chart *c, uint32_t name,
                        uint32_t depth, uint64_t x)
{
	CDOC_GROW(c->frames, c->nr + 1, c->alloc);
	c->frames[c->nr].name = name;
	c->frames[c->nr].depth = depth;
	c->frames[c->nr].x = x;
	c->frames[c->nr].w = 0;
	c->frames[c->nr].delta = 0;
	return c->nr++;
}

/* Close open frames from depth @keep on, at position @x. */
static void close_from(struct cdoc_flame_chart *c, struct open_path *o,
                       size_t keep, uint64_t x)
{
	while (o->nr > keep) {
		struct cdoc_flame_cframe *f = &c->frames[o->frame[--o->nr]];

		f->w = x - f->x;
	}
}

/* Apply one stack (@ids, @n frames, root first) of weight @w at x. */
static void flow(struct cdoc_flame_chart *c, struct open_path *o,
                 const uint32_t *ids, size_t n, uint64_t w, int64_t delta)
{
	uint64_t x = c->frames[0].w;
	size_t same = 0, i;

	while (same < n && same < o->nr && o->name[same] == ids[same])
		same++;
	close_from(c, o, same, x);
	for (i = same; i < n; i++) {
		CDOC_GROW(o->name, i + 1, o->alloc);
		o->frame = cdoc_realloc(o->frame, o->alloc * sizeof(*o->frame));
		o->name[i] = ids[i];
		o->frame[i] = new_frame(c, ids[i], i + 1, x);
		o->nr = i + 1;
	}
	if (n)
		c->frames[o->frame[n - 1]].delta += delta;
	c->frames[0].w += w;
}

/* Split @s[0..len) on ';' into name ids (reversed with @rev). */
static size_t split_stack(struct cdoc_flame_chart *c, const char *s, size_t len,
                          int rev, uint32_t **ids, size_t *alloc)
{
	size_t n = 0, start = 0, i;

	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != ';')
			continue;
		CDOC_GROW(*ids, n + 1, *alloc);
		(*ids)[n++] =
		        cdoc_strtab_intern(&c->names, s + start, i - start);
		start = i + 1;
	}
	for (i = 0; rev && i < n / 2; i++) {
		uint32_t t = (*ids)[i];

		(*ids)[i] = (*ids)[n - 1 - i];
		(*ids)[n - 1 - i] = t;
	}
	return n;
}

static int chart_line(struct cdoc_flame_chart *c, struct open_path *o,
                      const char *s, size_t len, int rev, uint32_t **ids,
                      size_t *alloc)
{
	uint64_t c1, c2;
	size_t n;

	if (trailing_count(s, &len, &c1) < 0)
		return -1;
	if (trailing_count(s, &len, &c2) == 0) {
		uint64_t t = c1;

		c1 = c2;
		c2 = t;
		c->columns = 2;
	} else {
		c2 = c1;
	}
	n = split_stack(c, s, len, rev, ids, alloc);
	flow(c, o, *ids, n, c->columns == 2 ? c2 : c1, (int64_t)(c2 - c1));
	return 0;
}

int cdoc_flame_chart_load(struct cdoc_flame_chart *c,
                          const struct cdoc_input *in, int reverse)
{
	struct open_path o = {0};
	const char *d = in->data, *end = in->data + in->len, *nl;
	uint32_t *ids = NULL;
	size_t alloc = 0, line = 0, len;
	int ret = 0;

	if (!c->nr)
		new_frame(c, CDOC_NONE, 0, 0);
	for (; d < end && ret == 0; d = nl ? nl + 1 : end) {
		nl = memchr(d, '\n', end - d);
		len = (nl ? nl : end) - d;
		line++;
		while (len && (d[len - 1] == '\r' || d[len - 1] == ' ' ||
		               d[len - 1] == '\t'))
			len--;
		if (!len)
			continue;
		if (chart_line(c, &o, d, len, reverse, &ids, &alloc) < 0)
			ret = cdoc_error(-CDOC_EFORMAT,
			                 "%s:%zu: expected folded stacks "
			                 "('frame;frame;... COUNT')",
			                 in->name, line);
	}
	close_from(c, &o, 0, c->frames[0].w);
	free(o.name);
	free(o.frame);
	free(ids);
	return ret;
}
