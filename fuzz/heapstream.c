/*
 * heapstream.c - fuzz the allocation stream reader (lib/heap/stream.c)
 * and the snapshot built from whatever it accepted.
 */
#include "heap/heap.h"
#include "report/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cdoc_heap *h;
	struct cdoc_heap_snap s;
	struct cdoc_buf b = CDOC_BUF_INIT;

	cdoc_heap_new(&h);
	cdoc_heap_feed(h, data, size, "fuzz", 0);
	cdoc_heap_finish(h);
	cdoc_heap_snap_init(&s);
	if (cdoc_heap_snapshot(h, &s) == 0) {
		cdoc_heap_report_text(&s, 5, &b);
		cdoc_heap_folded(&s, CDOC_HEAP_LEAKED_BYTES, &b);
	}
	cdoc_buf_release(&b);
	cdoc_heap_snap_release(&s);
	cdoc_heap_free(h);
	return 0;
}
