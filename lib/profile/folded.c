/*
 * folded.c - folded stacks in and out of the stack tree, differentials and
 * top-N tables.
 */
#include "profile/profile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Parse a count: digits, optionally ".digits" (rounded), at [p, end). */
static int parse_count(const char *p, const char *end, uint64_t *out)
{
	uint64_t v = 0;
	int frac_up = 0;

	if (p == end)
		return -1;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (p < end && *p == '.') {
		p++;
		if (p < end && *p >= '5' && *p <= '9')
			frac_up = 1;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p != end)
		return -1;
	*out = v + frac_up;
	return 0;
}

/*
 * Split a trailing count field off [s, *end): the field after the last
 * blank, which must be digits (and a '.'). Returns it, or NULL when the
 * line has no such field (only digits are scanned, not the whole line).
 */
static const char *count_field(const char *s, const char **end)
{
	const char *sp = *end;

	while (sp > s && ((sp[-1] >= '0' && sp[-1] <= '9') || sp[-1] == '.'))
		sp--;
	if (sp == s || sp == *end || (sp[-1] != ' ' && sp[-1] != '\t'))
		return NULL;
	*end = sp - 1;
	while (*end > s && ((*end)[-1] == ' ' || (*end)[-1] == '\t'))
		(*end)--;
	return sp;
}

int cdoc_folded_parse_line(const char *s, const char *e,
                           struct cdoc_folded_line *out)
{
	const char *end = e, *end1, *f1, *f2;
	uint64_t c1;

	f2 = count_field(s, &end);
	if (!f2 || parse_count(f2, e, &out->count[1]))
		return -1;
	end1 = end;
	f1 = count_field(s, &end1);
	if (f1 && !parse_count(f1, end, &c1)) {
		out->stack_len = end1 - s;
		out->count[0] = c1;
		out->columns = 2;
		return 0;
	}
	out->stack_len = end - s;
	out->count[0] = out->count[1];
	out->count[1] = 0;
	out->columns = 1;
	return 0;
}

/* State carried between lines: the previous line's frames, for reuse. */
struct fold_state {
	struct cdoc_profile *p;
	const char *prev; /* previous stack text */
	size_t prev_len;
	uint32_t *nodes; /* node of each frame of the previous stack */
	uint32_t *ends;  /* end offset of each frame in prev */
	size_t depth, alloc;
};

/* Number of leading frames that @s shares with the previous stack. */
static size_t shared_frames(const struct fold_state *st, const char *s,
                            size_t len)
{
	size_t lo = 0, n = CDOC_MIN(len, st->prev_len), i = 0;

	if (!len)
		return 0; /* the empty stack shares nothing, not even "" */
	while (lo < n && s[lo] == st->prev[lo])
		lo++;
	/* A frame is shared when it ends inside the common prefix and the
	 * new stack has a ';' (or its end) in the same place. */
	while (i < st->depth && st->ends[i] <= lo &&
	       (st->ends[i] == len ||
	        (st->ends[i] < len && s[st->ends[i]] == ';')))
		i++;
	return i;
}

static uint32_t add_frames(struct fold_state *st, const char *s, size_t len)
{
	size_t i = shared_frames(st, s, len), pos;
	uint32_t node = i ? st->nodes[i - 1] : 0;

	pos = i ? st->ends[i - 1] + 1 : 0;
	st->depth = i;
	while (pos <= len && len) {
		const char *semi = memchr(s + pos, ';', len - pos);
		size_t flen = (semi ? (size_t)(semi - s) : len) - pos;
		uint32_t name = cdoc_profile_name(st->p, s + pos, flen);

		node = cdoc_profile_child(st->p, node, name);
		CDOC_GROW(st->nodes, st->depth + 1, st->alloc);
		st->ends = cdoc_realloc(st->ends, st->alloc * sizeof(uint32_t));
		st->nodes[st->depth] = node;
		st->ends[st->depth++] = pos + flen;
		pos += flen + 1;
	}
	st->prev = s;
	st->prev_len = len;
	return node;
}

static int bad_line(const struct cdoc_input *in, size_t lineno,
                    const char *line, size_t len)
{
	struct cdoc_buf excerpt = CDOC_BUF_INIT;
	int ret;

	/* The excerpt reaches a terminal: no escape sequences from input. */
	cdoc_buf_add_term(&excerpt, line, CDOC_MIN(len, 60));
	ret = cdoc_error(-CDOC_EFORMAT,
	                 "%s:%zu: not a folded stack line (expected "
	                 "'frame;frame;... COUNT'): \"%s\"",
	                 in->name, lineno, excerpt.buf ? excerpt.buf : "");
	cdoc_buf_release(&excerpt);
	return ret;
}

/* Parse one non-blank line [s, e) into the tree. */
static int fold_line(struct fold_state *st, const struct cdoc_input *in,
                     size_t lineno, const char *s, const char *e,
                     unsigned flags)
{
	struct cdoc_folded_line l;
	uint32_t node;

	if (cdoc_folded_parse_line(s, e, &l) < 0)
		return bad_line(in, lineno, s, e - s);
	node = add_frames(st, s, l.stack_len);
	if (l.columns == 2) {
		cdoc_profile_add(st->p, node, 0, l.count[0]);
		cdoc_profile_add(st->p, node, 1, l.count[1]);
	} else {
		cdoc_profile_add(st->p, node,
		                 (flags & CDOC_FOLDED_COL1) ? 1 : 0,
		                 l.count[0]);
	}
	return 0;
}

int cdoc_profile_load_folded(struct cdoc_profile *p,
                             const struct cdoc_input *in, unsigned flags)
{
	struct fold_state st = {p};
	const char *s = in->data, *end = in->data + in->len, *line, *e;
	size_t lineno = 0;
	int ret = 0;

	while ((line = cdoc_next_line(&s, end, &e))) {
		lineno++;
		if (e > line &&
		    (ret = fold_line(&st, in, lineno, line, e, flags)))
			break;
	}
	free(st.nodes);
	free(st.ends);
	return ret;
}

int cdoc_folded_sniff(const char *data, size_t len)
{
	const char *s = data, *end = data + len, *line, *e;
	struct cdoc_folded_line l;

	while ((line = cdoc_next_line(&s, end, &e)))
		if (e > line)
			return cdoc_folded_parse_line(line, e, &l) == 0;
	return 0;
}

/* One line to write: its stack text and its node. */
struct fold_out {
	char *text;
	size_t len;
	uint32_t node;
};

static int cmp_fold_out(const void *a, const void *b)
{
	const struct fold_out *x = a, *y = b;
	int c = memcmp(x->text, y->text, CDOC_MIN(x->len, y->len));

	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

void cdoc_profile_write_folded(const struct cdoc_profile *p,
                               struct cdoc_buf *out)
{
	struct fold_out *lines = NULL;
	struct cdoc_buf path = CDOC_BUF_INIT;
	size_t nr = 0, alloc = 0, i;
	uint32_t n;

	for (n = 1; n < p->nr_nodes; n++) {
		if (!p->nodes[n].self[0] && !p->nodes[n].self[1])
			continue;
		cdoc_buf_reset(&path);
		cdoc_profile_path(p, n, &path);
		CDOC_GROW(lines, nr + 1, alloc);
		lines[nr].len = path.len;
		lines[nr].node = n;
		/* Not strndup: a name may hold a NUL byte. */
		lines[nr].text = cdoc_malloc(path.len + 1);
		memcpy(lines[nr++].text, path.buf ? path.buf : "",
		       path.len + 1);
	}
	cdoc_sort(lines, nr, sizeof(*lines), cmp_fold_out);
	for (i = 0; i < nr; i++) {
		const struct cdoc_pnode *node = &p->nodes[lines[i].node];

		cdoc_buf_add(out, lines[i].text, lines[i].len);
		cdoc_buf_addch(out, ' ');
		cdoc_buf_addu64(out, node->self[0]);
		if (p->columns > 1) {
			cdoc_buf_addch(out, ' ');
			cdoc_buf_addu64(out, node->self[1]);
		}
		cdoc_buf_addch(out, '\n');
		free(lines[i].text);
	}
	free(lines);
	cdoc_buf_release(&path);
}

/* @name with every 0x<hex> replaced by "0x...", as difffolded.pl -s does. */
static void strip_hex(const char *s, size_t len, struct cdoc_buf *out)
{
	size_t i = 0;

	cdoc_buf_reset(out);
	while (i < len) {
		if (i + 2 < len && s[i] == '0' && s[i + 1] == 'x' &&
		    strchr("0123456789abcdefABCDEF", s[i + 2]) && s[i + 2]) {
			cdoc_buf_addstr(out, "0x...");
			for (i += 2; i < len && s[i] &&
			             strchr("0123456789abcdefABCDEF", s[i]);
			     i++)
				;
			continue;
		}
		cdoc_buf_addch(out, s[i++]);
	}
}

/* Re-add every sample of @src column 0 into @out column @col, renaming. */
static void add_renamed(struct cdoc_profile *out, int col,
                        const struct cdoc_profile *src, int strip)
{
	uint32_t *map = cdoc_malloc((src->names.nr + 1) * sizeof(*map));
	uint32_t *node_map = cdoc_malloc(src->nr_nodes * sizeof(*node_map));
	struct cdoc_buf tmp = CDOC_BUF_INIT;
	uint32_t n;

	memset(map, 0xff, (src->names.nr + 1) * sizeof(*map));
	node_map[0] = 0;
	/* Parents precede children in node order, so one pass suffices. */
	for (n = 1; n < src->nr_nodes; n++) {
		const struct cdoc_pnode *sn = &src->nodes[n];

		if (map[sn->name] == CDOC_NONE) {
			const char *s = cdoc_strtab_get(&src->names, sn->name);
			size_t len = cdoc_strtab_len(&src->names, sn->name);

			if (strip) {
				strip_hex(s, len, &tmp);
				s = tmp.buf ? tmp.buf : "";
				len = tmp.len;
			}
			map[sn->name] = cdoc_profile_name(out, s, len);
		}
		node_map[n] = cdoc_profile_child(out, node_map[sn->parent],
		                                 map[sn->name]);
		if (sn->self[0])
			cdoc_profile_add(out, node_map[n], col, sn->self[0]);
	}
	free(map);
	free(node_map);
	cdoc_buf_release(&tmp);
}

/* Scale column 0 self weights by @num / @den (floored), recompute totals. */
static void scale_col0(struct cdoc_profile *p, uint64_t num, uint64_t den)
{
	uint32_t n;

	for (n = 0; n < p->nr_nodes; n++) {
		p->nodes[n].self[0] =
		        (uint64_t)((unsigned __int128)p->nodes[n].self[0] *
		                   num / den);
		p->nodes[n].total[0] = 0;
	}
	for (n = p->nr_nodes; n-- > 0;) {
		uint32_t par = p->nodes[n].parent;

		p->nodes[n].total[0] += p->nodes[n].self[0];
		if (par != CDOC_NONE)
			p->nodes[par].total[0] += p->nodes[n].total[0];
	}
}

void cdoc_profile_diff(struct cdoc_profile *out, const struct cdoc_profile *a,
                       const struct cdoc_profile *b,
                       const struct cdoc_diff_opts *opts)
{
	uint64_t ta, tb;

	add_renamed(out, 0, a, opts && opts->strip_hex);
	add_renamed(out, 1, b, opts && opts->strip_hex);
	out->columns = 2;
	ta = cdoc_profile_total(out, 0);
	tb = cdoc_profile_total(out, 1);
	if (opts && opts->normalize && ta && ta != tb)
		scale_col0(out, tb, ta);
}
