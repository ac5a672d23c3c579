/*
 * kind.c - what a call site of a snapshot weighs, by measure: allocated,
 * live, leaked (live in a process that exited), peak, temporary.
 */
#include <string.h>

#include "heap/heap.h"

static const char *const kind_names[] = {
        "alloc_bytes", "alloc_count", "live_bytes", "live_count",
        "leaked",      "peak",        "temp",       "leaked_count",
};

int cdoc_heap_kind_parse(const char *s)
{
	size_t i;

	for (i = 0; i < CDOC_ARRAY_SIZE(kind_names); i++)
		if (!strcmp(s, kind_names[i]))
			return (int)i;
	return -1;
}

int cdoc_heap_proc_leaks(const struct cdoc_heap_snap *s, uint32_t proc)
{
	uint32_t f = s->procs[proc].flags;

	return (f & CDOC_HPROC_EXITED) && !(f & CDOC_HPROC_EXECED);
}

uint64_t cdoc_heap_site_value(const struct cdoc_heap_snap *s,
                              const struct cdoc_heap_site *site, int kind)
{
	switch (kind) {
	case CDOC_HEAP_ALLOC_BYTES:
		return site->alloc_bytes;
	case CDOC_HEAP_ALLOC_COUNT:
		return site->alloc_count;
	case CDOC_HEAP_LIVE_BYTES:
		return site->live_bytes;
	case CDOC_HEAP_LIVE_COUNT:
		return site->live_count;
	case CDOC_HEAP_LEAKED_BYTES:
		return cdoc_heap_proc_leaks(s, site->proc) ? site->live_bytes
		                                           : 0;
	case CDOC_HEAP_PEAK_BYTES:
		return site->peak_bytes;
	case CDOC_HEAP_TEMP_COUNT:
		return site->temp_count;
	case CDOC_HEAP_LEAKED_COUNT:
		return cdoc_heap_proc_leaks(s, site->proc) ? site->live_count
		                                           : 0;
	}
	return 0;
}
