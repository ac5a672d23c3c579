/*
 * stream_limits.c - tests that the allocation-stream reader rejects what
 * the shim never writes (an empty batch) and bounds what tiny batches can
 * make the model allocate (stack tables sized by an id), while many
 * short-lived processes stay valid.
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

static size_t put_v(unsigned char *p, uint64_t v)
{
	size_t n = 0;

	for (; v >= 0x80; v >>= 7)
		p[n++] = (unsigned char)(v | 0x80);
	p[n++] = (unsigned char)v;
	return n;
}

/* A child claiming 4 Mi inherited stack ids and using the last: a few
 * bytes that would size 256 MiB of stack tables. */
Test(stream_limits, huge_inherited_stack_tables_run_out_of_budget)
{
	unsigned char rec[64];
	struct cdoc_buf b = CDOC_BUF_INIT;
	struct cdoc_heap *h;
	uint64_t below = (1u << 22) - 1;
	size_t n = 0;

	add_batch(&b, 1, "\x10\0\0\0\0\x01", 6); /* HELLO, no parent */
	rec[n++] = 0x10;                         /* HELLO from parent 1 */
	n += put_v(rec + n, 1);
	n += put_v(rec + n, below);
	n += put_v(rec + n, 0);
	n += put_v(rec + n, 0);
	n += put_v(rec + n, 1);
	rec[n++] = 0x20; /* ALLOC at 0x1000 of 8 bytes, the last id */
	n += put_v(rec + n, 0x2000);
	n += put_v(rec + n, 0);
	n += put_v(rec + n, 8);
	n += put_v(rec + n, below);
	add_batch(&b, 2, rec, (uint32_t)n);
	cdoc_heap_new(&h);
	cr_assert_eq(cdoc_heap_feed(h, b.buf, b.len, "s.dump", 0),
	             -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(), "more memory than a stream of this "
	                                "size can need"),
	          "%s", cdoc_errmsg());
	cdoc_heap_free(h);
	cdoc_buf_release(&b);
}

/* Many short-lived children, a few bytes of stream each, are valid. */
Test(stream_limits, a_few_processes_are_fine)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	struct cdoc_heap *h;
	uint64_t i;

	for (i = 1; i <= 100000; i++)
		add_batch(&b, i, "\xa0", 1);
	cdoc_heap_new(&h);
	cr_assert_eq(cdoc_heap_feed(h, b.buf, b.len, "s.dump", 0), (long)b.len,
	             "%s", cdoc_errmsg());
	cdoc_heap_free(h);
	cdoc_buf_release(&b);
}
