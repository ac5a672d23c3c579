/*
 * heapstream.c - fuzz the allocation stream reader (lib/heap/stream.c)
 * (EXT records through a callback) and the snapshot built from whatever
 * it accepted.
 */
#include "heap/heap.h"
#include "report/report.h"

/* EXT records as the collector takes them: TICKS decoded, an FD
 * payload's first byte taken as a stack id to resolve; other kinds
 * refused. */
static int on_ext(void *arg, uint32_t pid, uint32_t tid, uint64_t instance,
                  uint64_t time_ns, uint32_t kind, const void *payload,
                  size_t len)
{
	static struct cdoc_heap_ticks t;
	struct cdoc_heap *h = arg;
	uint64_t pcs[CDOC_ASTREAM_MAX_FRAMES];

	(void)pid, (void)tid, (void)time_ns;
	if (kind == CDOC_AEXT_TICKS)
		return cdoc_heap_ticks_decode(payload, len, &t);
	if (kind != CDOC_AEXT_FD)
		return cdoc_error(-CDOC_EFORMAT, "unknown kind");
	if (len)
		cdoc_heap_stack_pcs(h, instance, *(const uint8_t *)payload, pcs,
		                    CDOC_ASTREAM_MAX_FRAMES);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cdoc_heap *h;
	struct cdoc_heap_snap s;
	struct cdoc_buf b = CDOC_BUF_INIT;

	cdoc_heap_new(&h);
	cdoc_heap_set_ext(h, on_ext, h);
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
