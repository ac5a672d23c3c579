/*
 * stream_limits.c - tests that the allocation-stream reader rejects what
 * the shim never writes (an empty batch) and bounds what tiny batches can
 * make the model allocate (a new process instance per batch).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "alloc/stream.h"
#include "heap/heap.h"

/* Append a batch of @len record bytes from process instance @instance. */
static void add_batch(struct cdoc_buf *b, uint64_t instance, const void *rec,
                      uint32_t len)
{
	struct cdoc_astream_hdr h = {
	        CDOC_ASTREAM_MAGIC, len, instance, 1000, 1000, 1};

	cdoc_buf_add(b, &h, sizeof(h));
	cdoc_buf_add(b, rec, len);
}

Test(stream_limits, an_empty_batch_is_corrupt)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	struct cdoc_heap *h;

	add_batch(&b, 1, "\xa0", 1);
	add_batch(&b, 1, "", 0);
	cdoc_heap_new(&h);
	cr_assert_eq(cdoc_heap_feed(h, b.buf, b.len, "s.dump", 0),
	             -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(), "s.dump: offset 33: an empty batch"),
	          "%s", cdoc_errmsg());
	cdoc_heap_free(h);
	cdoc_buf_release(&b);
}

Test(stream_limits, a_process_per_tiny_batch_runs_out_of_budget)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	struct cdoc_heap *h;
	uint64_t i;
	long ret;

	/* 4 MiB of one-record batches, each from a new instance: several
	 * KiB of model each, over 500 MiB in all. */
	for (i = 1; i <= (4u << 20) / 33; i++)
		add_batch(&b, i, "\xa0", 1);
	cdoc_heap_new(&h);
	ret = cdoc_heap_feed(h, b.buf, b.len, "s.dump", 0);
	cr_assert_eq(ret, -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(), "more memory than a stream of this "
	                                "size can need"),
	          "%s", cdoc_errmsg());
	cdoc_heap_free(h);
	cdoc_buf_release(&b);
}

Test(stream_limits, a_few_processes_are_fine)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	struct cdoc_heap *h;
	uint64_t i;

	for (i = 1; i <= 1000; i++)
		add_batch(&b, i, "\xa0", 1);
	cdoc_heap_new(&h);
	cr_assert_eq(cdoc_heap_feed(h, b.buf, b.len, "s.dump", 0), (long)b.len,
	             "%s", cdoc_errmsg());
	cdoc_heap_free(h);
	cdoc_buf_release(&b);
}
