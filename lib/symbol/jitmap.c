/*
 * jitmap.c - parser and lookup for perf JIT maps (/tmp/perf-PID.map), as
 * written by node --perf-basic-prof, the JVM's perf-map-agent, LuaJIT...
 * Each line is "START SIZE name" with START and SIZE in hex.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "symbol/internal.h"

/* Parse a hex number (optional 0x) ending at a space; advance *p. */
static int parse_hex(const char **p, const char *end, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	int digits = 0;

	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; s < end; s++, digits++) {
		int c = *s, d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			break;
		if (digits >= 16)
			return -1;
		v = v << 4 | d;
	}
	if (!digits || s >= end || *s != ' ')
		return -1;
	while (s < end && *s == ' ')
		s++;
	*p = s;
	*out = v;
	return 0;
}

/*
 * Parse one line (without its newline) into @e; NULL on success or what
 * was wrong.
 */
static const char *parse_line(const char *s, const char *end,
                              struct cdoc_jit_entry *e)
{
	if (end > s && end[-1] == '\r')
		end--;
	if (memchr(s, 0, end - s))
		return "NUL byte in line";
	if (parse_hex(&s, end, &e->start) < 0)
		return "expected a hex start address and a space";
	if (parse_hex(&s, end, &e->size) < 0)
		return "expected a hex size and a space after the address";
	if (e->start + e->size < e->start)
		return "address range wraps around";
	if (s >= end)
		return "expected a symbol name after the size";
	e->name = cdoc_strndup(s, end - s);
	return NULL;
}

static void add(struct cdoc_jitmap *map, const struct cdoc_jit_entry *e)
{
	CDOC_GROW(map->v, map->nr + 1, map->alloc);
	map->v[map->nr] = *e;
	map->v[map->nr].seq = map->nr;
	map->nr++;
}

/*
 * Walk the lines of @data; bad lines fail (strict, @name set) or are
 * counted in *bad (lenient).
 */
static int parse(struct cdoc_jitmap *map, const char *data, size_t len,
                 const char *name, size_t *bad)
{
	const char *p = data, *end = data + len;
	size_t lineno = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p), *eol = nl ? nl : end;
		struct cdoc_jit_entry e = {0};
		const char *why;

		lineno++;
		if (eol > p && !(eol - p == 1 && *p == '\r')) {
			why = parse_line(p, eol, &e);
			if (!why)
				add(map, &e);
			else if (bad)
				(*bad)++;
			else
				return cdoc_error(-CDOC_EFORMAT, "%s:%zu: %s",
				                  name, lineno, why);
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

int cdoc_jitmap_parse(struct cdoc_jitmap *map, const char *data, size_t len,
                      const char *name)
{
	return parse(map, data, len, name ? name : "<jit map>", NULL);
}

size_t cdoc_jitmap_parse_lenient(struct cdoc_jitmap *map, const char *data,
                                 size_t len)
{
	size_t bad = 0;

	parse(map, data, len, NULL, &bad);
	return bad;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct cdoc_jit_entry *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sort by start; of entries with one start only the latest is kept. */
void cdoc_jitmap_sort(struct cdoc_jitmap *map)
{
	size_t i, n = 0;

	if (!map->nr)
		return;
	cdoc_sort(map->v, map->nr, sizeof(*map->v), entry_cmp);
	for (i = 0; i < map->nr; i++) {
		if (i + 1 < map->nr && map->v[i + 1].start == map->v[i].start) {
			free(map->v[i].name);
			continue;
		}
		map->v[n++] = map->v[i];
	}
	map->nr = n;
}

/*
 * The entry holding @addr. Entries may overlap (code freed, its space
 * reused by code JITted later): of the entries that enclose @addr among
 * the few starting nearest below it, the one written last wins (an old
 * entry starting inside newer code is stale).
 */
const struct cdoc_jit_entry *cdoc_jitmap_find(const struct cdoc_jitmap *map,
                                              uint64_t addr)
{
	size_t lo = CDOC_UPPER_BOUND(map->v, map->nr, start, addr), back;
	const struct cdoc_jit_entry *best = NULL;

	for (back = 0; lo > 0 && back < 8; lo--, back++) {
		const struct cdoc_jit_entry *e = &map->v[lo - 1];

		if (addr - e->start < e->size && (!best || e->seq > best->seq))
			best = e;
	}
	return best;
}

void cdoc_jitmap_release(struct cdoc_jitmap *map)
{
	size_t i;

	for (i = 0; i < map->nr; i++)
		free(map->v[i].name);
	free(map->v);
	map->v = NULL;
	map->nr = map->alloc = 0;
}
