/*
 * load.c - options and inputs of the flame renderers: flamegraph.pl's
 * option names, folded files merged into a profile (with a clear word for
 * perf script text), reversed stacks, and stacks in input order for flame
 * charts.
 */
#include "flame/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void cdoc_flame_opts_init(struct cdoc_flame_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->countname = "samples";
	o->nametype = "Function:";
	o->colors = "hot";
	o->fonttype = "Verdana";
	o->fontsize = 12;
	o->fontwidth = 0.59;
	o->minwidth = 0.1;
	o->width = 1200;
	o->frameheight = 16;
}

static int parse_double(const char *name, const char *v, double *out, int *pct)
{
	char *end;
	double d;

	if (!v || !*v)
		goto bad;
	d = strtod(v, &end);
	if (pct && *end == '%') {
		*pct = 1;
		end++;
	} else if (pct) {
		*pct = 0;
	}
	if (*end || !(d >= 0) || d > 1e9)
		goto bad;
	*out = d;
	return 0;
bad:
	return cdoc_error(-EINVAL, "--%s: '%s' is not a non-negative number%s",
	                  name, v ? v : "", pct ? " (or a percentage N%)" : "");
}

static int parse_uint(const char *name, const char *v, unsigned *out,
                      unsigned min, unsigned max)
{
	char *end;
	unsigned long n;

	if (!v || !*v)
		goto bad;
	n = strtoul(v, &end, 10);
	if (*end || n < min || n > max)
		goto bad;
	*out = n;
	return 0;
bad:
	return cdoc_error(-EINVAL, "--%s: '%s' is not a number from %u to %u",
	                  name, v ? v : "", min, max);
}

static int set_flag(struct cdoc_flame_opts *o, const char *name)
{
	if (!strcmp(name, "hash"))
		o->hash = 1;
	else if (!strcmp(name, "reverse"))
		o->reverse = 1;
	else if (!strcmp(name, "inverted"))
		o->inverted = 1;
	else if (!strcmp(name, "flamechart"))
		o->flamechart = 1;
	else if (!strcmp(name, "negate"))
		o->negate = 1;
	else
		return cdoc_error(-EINVAL, "unknown option --%s", name);
	return 0;
}

static int set_colors(struct cdoc_flame_opts *o, const char *name,
                      const char *v)
{
	const char *c1, *c2;

	if (!strcmp(name, "colors")) {
		if (!v || !flame__palette_known(v))
			return cdoc_error(
			        -EINVAL,
			        "--colors: unknown palette '%s' (hot, mem, io, "
			        "wakeup, chain, java, js, perl, red, green, "
			        "blue, aqua, yellow, purple, orange)",
			        v ? v : "");
		o->colors = v;
		return 0;
	}
	if (!v || flame__palette_background(o->colors, v, &c1, &c2) < 0)
		return cdoc_error(-EINVAL,
		                  "--bgcolors: '%s' is not yellow, blue, "
		                  "green, grey or #rrggbb",
		                  v ? v : "");
	o->bgcolors = v;
	return 0;
}

/*
 * A font family goes into the SVG's <style>: letters, digits, spaces,
 * commas, hyphens and quotes only, so no CSS (url(), a closing brace)
 * can ride in on it.
 */
static int set_fonttype(struct cdoc_flame_opts *o, const char *v)
{
	size_t n = strspn(v ? v : "", "abcdefghijklmnopqrstuvwxyz"
	                              "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                              "0123456789 ,-_'\"");

	if (!v || v[n])
		return cdoc_error(-EINVAL,
		                  "--fonttype: '%s' is not a font family name "
		                  "(letters, digits, spaces, commas, hyphens, "
		                  "quotes)",
		                  v ? v : "");
	o->fonttype = v;
	return 0;
}

int cdoc_flame_opts_set(struct cdoc_flame_opts *o, const char *name,
                        const char *v)
{
	if (!strcmp(name, "title"))
		o->title = v;
	else if (!strcmp(name, "subtitle"))
		o->subtitle = v;
	else if (!strcmp(name, "countname"))
		o->countname = v ? v : "";
	else if (!strcmp(name, "nametype"))
		o->nametype = v ? v : "";
	else if (!strcmp(name, "fonttype"))
		return set_fonttype(o, v);
	else if (!strcmp(name, "notes"))
		o->notes = v;
	else if (!strcmp(name, "colors") || !strcmp(name, "bgcolors"))
		return set_colors(o, name, v);
	else if (!strcmp(name, "width"))
		return parse_uint(name, v, &o->width, 21, 1000000);
	else if (!strcmp(name, "height"))
		return parse_uint(name, v, &o->frameheight, 2, 1000);
	else if (!strcmp(name, "fontsize"))
		return parse_double(name, v, &o->fontsize, NULL);
	else if (!strcmp(name, "fontwidth"))
		return parse_double(name, v, &o->fontwidth, NULL);
	else if (!strcmp(name, "minwidth"))
		return parse_double(name, v, &o->minwidth, &o->minwidth_pct);
	else
		return set_flag(o, name);
	return 0;
}

/* The first non-blank line of @d, or NULL; *@n gets its length. */
static const char *line_at(const char *d, const char *end, size_t *n)
{
	const char *nl;

	while (d < end && (*d == '\n' || *d == '\r'))
		d++;
	if (d >= end)
		return NULL;
	nl = memchr(d, '\n', end - d);
	*n = (nl ? nl : end) - d;
	return d;
}

/*
 * perf script text: a sample header line ("comm pid time: event:")
 * followed by an indented line starting with a hex address.
 */
static int looks_like_perf_script(const char *d, size_t len)
{
	const char *end = d + len, *l;
	size_t n, i = 0;

	l = line_at(d, end, &n);
	while (l && l[0] == '#')
		l = line_at(l + n, end, &n);
	if (!l || l[0] == ' ' || l[0] == '\t' || !memchr(l, ':', n))
		return 0;
	l = line_at(l + n, end, &n);
	if (!l || (l[0] != ' ' && l[0] != '\t'))
		return 0;
	while (i < n && (l[i] == ' ' || l[i] == '\t'))
		i++;
	if (i == n || !strchr("0123456789abcdefABCDEF", l[i]) || !l[i])
		return 0;
	return 1;
}

int flame__check_input(const struct cdoc_input *in)
{
	size_t n;

	if (line_at(in->data, in->data + in->len, &n) &&
	    !cdoc_folded_sniff(in->data, in->len) &&
	    looks_like_perf_script(in->data, in->len))
		return cdoc_error(-CDOC_EFORMAT,
		                  "%s: this is perf script output; pipe it "
		                  "through 'cflame collapse' first",
		                  in->name);
	return 0;
}

static int load_one(struct cdoc_profile *p, const char *path)
{
	struct cdoc_input in;
	int ret = cdoc_input_open(&in, path);

	if (ret < 0)
		return ret;
	ret = flame__check_input(&in);
	if (ret >= 0)
		ret = cdoc_profile_load_folded(p, &in, 0);
	cdoc_input_release(&in);
	return ret;
}

int cdoc_flame_load(struct cdoc_profile *p, const char *const *paths, size_t n,
                    unsigned flags)
{
	struct cdoc_profile tmp, *into = p;
	size_t i;
	int ret = 0;

	if (flags & CDOC_FLAME_REVERSE) {
		cdoc_profile_init(&tmp);
		into = &tmp;
	}
	if (!n)
		ret = load_one(into, "-");
	for (i = 0; i < n && ret >= 0; i++)
		ret = load_one(into, paths[i]);
	if (into != p) {
		if (ret >= 0)
			cdoc_flame_reverse(p, &tmp);
		cdoc_profile_release(&tmp);
	}
	return ret < 0 ? ret : 0;
}

/* Add the reversed stack of @node (leaf first) to @dst. */
static void add_reversed(struct cdoc_profile *dst,
                         const struct cdoc_profile *src, uint32_t node,
                         const uint32_t *ids, uint32_t **stack, size_t *alloc)
{
	const struct cdoc_pnode *n = &src->nodes[node];
	size_t depth = 0;
	uint32_t at;
	int col;

	/* Only stacks that end here: walking every node would be quadratic
	 * in the depth of one long stack. */
	if (!n->self[0] && !n->self[1])
		return;
	for (at = node; at; at = src->nodes[at].parent) {
		CDOC_GROW(*stack, depth + 1, *alloc);
		(*stack)[depth++] = ids[src->nodes[at].name];
	}
	for (col = 0; col < src->columns; col++)
		if (n->self[col])
			cdoc_profile_add_stack(dst, *stack, depth, col,
			                       n->self[col]);
}

void cdoc_flame_reverse(struct cdoc_profile *dst,
                        const struct cdoc_profile *src)
{
	uint32_t *ids = cdoc_calloc(src->names.nr + 1, sizeof(*ids));
	uint32_t *stack = NULL;
	size_t i, alloc = 0;

	for (i = 0; i < src->names.nr; i++)
		ids[i] = cdoc_profile_name(dst, cdoc_strtab_get(&src->names, i),
		                           cdoc_strtab_len(&src->names, i));
	for (i = 1; i < src->nr_nodes; i++)
		add_reversed(dst, src, i, ids, &stack, &alloc);
	if (src->columns > dst->columns)
		dst->columns = src->columns;
	free(stack);
	free(ids);
}
