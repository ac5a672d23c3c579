/*
 * jitmap.c - libFuzzer target for the perf JIT-map parser: strict and
 * lenient parses of the same bytes must agree (a strict success means no
 * line was skipped), and every parsed entry must be found again.
 */
#include <stdlib.h>

#include "symbol/symbol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct cdoc_jitmap strict = CDOC_JITMAP_INIT;
	struct cdoc_jitmap lenient = CDOC_JITMAP_INIT;
	size_t bad, i;
	int ret;

	ret = cdoc_jitmap_parse(&strict, (const char *)data, len, "fuzz.map");
	bad = cdoc_jitmap_parse_lenient(&lenient, (const char *)data, len);
	if (ret == 0 && (bad || strict.nr != lenient.nr))
		abort();
	if (ret < 0 && !bad)
		abort();
	cdoc_jitmap_sort(&lenient);
	for (i = 0; i < lenient.nr; i++) {
		const struct cdoc_jit_entry *e = &lenient.v[i];

		if (e->size && !cdoc_jitmap_find(&lenient, e->start))
			abort();
	}
	cdoc_jitmap_release(&strict);
	cdoc_jitmap_release(&lenient);
	return 0;
}
