/*
 * heapsnap.c - fuzz the .heap snapshot parser; what it accepts must
 * report, fold, diff and re-encode to the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "heapfile/heapfile.h"
#include "report/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cdoc_heap_snap s, t;
	struct cdoc_buf b = CDOC_BUF_INIT, c = CDOC_BUF_INIT;
	struct cdoc_heap_growth *rows;
	size_t nr;

	cdoc_heap_snap_init(&s);
	cdoc_heap_snap_init(&t);
	if (cdoc_heap_snap_decode(&s, data, size, "fuzz") == 0) {
		cdoc_heap_report_text(&s, 5, &b);
		cdoc_heap_folded(&s, CDOC_HEAP_ALLOC_BYTES, &b);
		cdoc_heap_diff(&s, &s, &rows, &nr);
		cdoc_heap_diff_text(&s, &s, rows, nr, 5, &b);
		free(rows);
		cdoc_buf_reset(&b);
		cdoc_heap_snap_encode(&s, &b);
		if (cdoc_heap_snap_decode(&t, b.buf, b.len, "re") != 0)
			abort();
		cdoc_heap_snap_encode(&t, &c);
		if (b.len != c.len || memcmp(b.buf, c.buf, b.len))
			abort();
	}
	cdoc_buf_release(&b);
	cdoc_buf_release(&c);
	cdoc_heap_snap_release(&s);
	cdoc_heap_snap_release(&t);
	return 0;
}
