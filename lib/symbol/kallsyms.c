/*
 * kallsyms.c - kernel symbols from /proc/kallsyms, read once on the first
 * kernel address. When kptr_restrict hides the addresses (all zero) kernel
 * frames stay "[kernel.kallsyms]".
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "symbol/internal.h"

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Text symbols only: t/T (and w/W weak code symbols). */
static int is_text(char type)
{
	return type == 't' || type == 'T' || type == 'w' || type == 'W';
}

static void add_line(struct cdoc_syms *s, char *line, size_t *alloc,
                     int *nonzero)
{
	uint64_t addr;
	char type;
	int pos = 0;
	char *name;

	if (sscanf(line, "%" SCNx64 " %c %n", &addr, &type, &pos) < 2 || !pos)
		return;
	if (!is_text(type))
		return;
	name = line + pos;
	name[strcspn(name, "\t\n ")] = 0;
	if (!*name)
		return;
	if (addr)
		*nonzero = 1;
	CDOC_GROW(s->ksyms, s->nr_ksyms + 1, *alloc);
	s->ksyms[s->nr_ksyms].addr = addr;
	s->ksyms[s->nr_ksyms].name_id = symbol__intern(s, name);
	s->nr_ksyms++;
}

static void ksyms_load(struct cdoc_syms *s)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char *line = NULL;
	size_t cap = 0, alloc = 0;
	int nonzero = 0;

	s->ksyms_state = -1;
	if (!f)
		return;
	while (getline(&line, &cap, f) > 0)
		add_line(s, line, &alloc, &nonzero);
	free(line);
	fclose(f);
	if (!nonzero || !s->nr_ksyms)
		return;
	cdoc_sort(s->ksyms, s->nr_ksyms, sizeof(*s->ksyms), ksym_cmp);
	s->ksyms_state = 1;
}

/*
 * The kernel function holding @addr: the nearest symbol at or below it.
 * Returns 1 and sets *name_id, or 0.
 */
int symbol__ksyms_find(struct cdoc_syms *s, uint64_t addr, uint32_t *name_id)
{
	size_t lo;

	if (!s->ksyms_state)
		ksyms_load(s);
	if (s->ksyms_state < 0)
		return 0;
	lo = CDOC_UPPER_BOUND(s->ksyms, s->nr_ksyms, addr, addr);
	if (!lo || !s->ksyms[lo - 1].addr)
		return 0;
	*name_id = s->ksyms[lo - 1].name_id;
	return 1;
}

void symbol__ksyms_release(struct cdoc_syms *s)
{
	free(s->ksyms);
	s->ksyms = NULL;
	s->nr_ksyms = 0;
	s->ksyms_state = 0;
}
