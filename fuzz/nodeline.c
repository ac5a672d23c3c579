/*
 * nodeline.c - libFuzzer target for the Node agent's line parser
 * (cdoc_collect_node_parse): every line of the input parses or fails
 * with a message naming its line; what parses keeps its spans inside
 * the line and its counts within bounds.
 */
#include <stdlib.h>
#include <string.h>

#include "collect/collect.h"

static void check_span(const struct cdoc_node_span *sp, const char *s,
                       size_t len)
{
	if (sp->len && (sp->s < s || sp->s + sp->len > s + len))
		abort();
}

static void check(const struct cdoc_node_line *l, const char *s, size_t len)
{
	if (l->nr > CDOC_NODE_MAX_FIELDS)
		abort();
	if (!strchr("HMSX", l->kind) || !l->pid || !l->tid)
		abort();
	for (size_t i = 0; l->kind == 'M' && i < l->nr; i++) {
		check_span(&l->names[i], s, len);
		if (!(l->values[i] >= 0))
			abort();
	}
	for (size_t i = 0; l->kind == 'S' && i < l->nr; i++) {
		check_span(&l->frames[i], s, len);
		if (!l->frames[i].len)
			abort();
	}
	check_span(&l->version, s, len);
	check_span(&l->title, s, len);
	check_span(&l->profile, s, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct cdoc_node_line l;
	const char *s = (const char *)data, *end = s + len;
	unsigned long lineno = 0;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);

		lineno++;
		if (cdoc_collect_node_parse(&l, s, n, "fuzz", lineno) == 0)
			check(&l, s, n);
		else if (!strstr(cdoc_errmsg(), "fuzz, line "))
			abort();
		cdoc_errclear();
		s += n + 1;
	}
	return 0;
}
