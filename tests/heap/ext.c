/*
 * ext.c - EXT records of the allocation stream: each reaches the
 * registered callback with its batch's process, thread and time, kinds
 * nobody knows are skipped, a stack id in a payload resolves through the
 * same table as allocations, and a malformed record is refused with its
 * offset.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "heap/heap.h"

struct bb {
	unsigned char buf[4096];
	size_t len;
};

static void v(struct bb *b, uint64_t x)
{
	while (x >= 0x80) {
		b->buf[b->len++] = (unsigned char)(x | 0x80);
		x >>= 7;
	}
	b->buf[b->len++] = (unsigned char)x;
}

static void bb_start(struct bb *b)
{
	memset(b, 0, sizeof(*b));
	b->len = sizeof(struct cdoc_astream_hdr);
}

static void ext(struct bb *b, uint32_t kind, const void *data, size_t len)
{
	b->buf[b->len++] = CDOC_AREC_EXT;
	v(b, kind);
	v(b, len);
	memcpy(b->buf + b->len, data, len);
	b->len += len;
}

static void seal(struct bb *b, uint64_t instance, uint32_t pid, uint32_t tid,
                 uint64_t time_ns)
{
	struct cdoc_astream_hdr hd = {CDOC_ASTREAM_MAGIC,
	                              (uint32_t)(b->len - sizeof(hd)),
	                              instance,
	                              pid,
	                              tid,
	                              time_ns};

	memcpy(b->buf, &hd, sizeof(hd));
}

struct seen {
	int n;
	uint32_t pid[4], tid[4], kind[4];
	uint64_t instance[4], time_ns[4];
	char data[4][32];
	size_t len[4];
	int fail; /* refuse kind 2 */
};

static int on_ext(void *arg, uint32_t pid, uint32_t tid, uint64_t instance,
                  uint64_t time_ns, uint32_t kind, const void *payload,
                  size_t len)
{
	struct seen *s = arg;
	int i = s->n++;

	if (s->fail && kind == 2)
		return cdoc_error(-CDOC_EFORMAT, "bad fd event");
	cr_assert_lt(i, 4);
	s->pid[i] = pid;
	s->tid[i] = tid;
	s->instance[i] = instance;
	s->time_ns[i] = time_ns;
	s->kind[i] = kind;
	s->len[i] = len;
	memcpy(s->data[i], payload, len < 32 ? len : 32);
	return 0;
}

Test(ext, records_reach_the_callback_with_their_batch)
{
	struct cdoc_heap *h;
	struct seen s = {0};
	struct bb a;

	cdoc_heap_new(&h);
	cdoc_heap_set_ext(h, on_ext, &s);
	bb_start(&a);
	ext(&a, CDOC_AEXT_TICKS, "abc", 3);
	ext(&a, 99, "", 0); /* a kind from a newer shim */
	ext(&a, CDOC_AEXT_FD, "xy", 2);
	seal(&a, 7, 1234, 1240, 5000000000ull);
	cr_assert_eq(cdoc_heap_feed(h, a.buf, a.len, "t", 0), (long)a.len, "%s",
	             cdoc_errmsg());
	cr_assert_eq(s.n, 3);
	cr_assert_eq(s.kind[0], CDOC_AEXT_TICKS);
	cr_assert_eq(s.len[0], 3);
	cr_assert(!memcmp(s.data[0], "abc", 3));
	cr_assert_eq(s.kind[1], 99);
	cr_assert_eq(s.len[1], 0);
	cr_assert_eq(s.kind[2], CDOC_AEXT_FD);
	cr_assert(!memcmp(s.data[2], "xy", 2));
	cr_assert_eq(s.pid[2], 1234);
	cr_assert_eq(s.tid[2], 1240);
	cr_assert_eq(s.instance[2], 7);
	cr_assert_eq(s.time_ns[2], 5000000000ull);
	cdoc_heap_free(h);
}

Test(ext, skipped_without_a_callback)
{
	struct cdoc_heap *h;
	struct bb a;

	cdoc_heap_new(&h);
	bb_start(&a);
	ext(&a, CDOC_AEXT_TICKS, "abc", 3);
	seal(&a, 7, 1, 1, 0);
	cr_assert_eq(cdoc_heap_feed(h, a.buf, a.len, "t", 0), (long)a.len);
	cdoc_heap_free(h);
}

Test(ext, stack_id_resolves_through_the_allocation_table)
{
	struct cdoc_heap *h;
	struct bb a;
	uint64_t pcs[4];
	struct cdoc_buf names = CDOC_BUF_INIT;

	cdoc_heap_new(&h);
	bb_start(&a);
	a.buf[a.len++] = CDOC_AREC_STACK;
	v(&a, 3);
	v(&a, 2);
	v(&a, 0x401000);
	v(&a, 0x402000);
	ext(&a, CDOC_AEXT_FD, "\x03", 1);
	seal(&a, 42, 1, 1, 0);
	cr_assert_eq(cdoc_heap_feed(h, a.buf, a.len, "t", 0), (long)a.len);
	cr_assert_eq(cdoc_heap_stack_pcs(h, 42, 3, pcs, 4), 2);
	cr_assert_eq(pcs[0], 0x401000);
	cr_assert_eq(pcs[1], 0x402000);
	cr_assert_eq(cdoc_heap_stack_pcs(h, 42, 3, pcs, 1), 1);
	cr_assert_eq(cdoc_heap_stack_pcs(h, 42, 5, pcs, 4), 0);
	cr_assert_eq(cdoc_heap_stack_pcs(h, 43, 3, pcs, 4), -ENOENT);
	/* no mappings: each frame still gets a name */
	cr_assert_eq(cdoc_heap_stack_frames(h, 42, 3, &names), 2);
	cr_assert_gt(names.len, 2);
	cr_assert_eq(names.buf[names.len - 1], 0);
	cdoc_buf_release(&names);
	cdoc_heap_free(h);
}

Test(ext, payload_past_its_batch_is_refused_with_the_offset)
{
	struct cdoc_heap *h;
	struct bb a;

	cdoc_heap_new(&h);
	bb_start(&a);
	a.buf[a.len++] = CDOC_AREC_EXT;
	v(&a, CDOC_AEXT_TICKS);
	v(&a, 10); /* only 2 bytes follow */
	a.buf[a.len++] = 1;
	a.buf[a.len++] = 2;
	seal(&a, 7, 1, 1, 0);
	cr_assert_eq(cdoc_heap_feed(h, a.buf, a.len, "dump", 0), -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(), "dump: offset 35: extension record "
	                                "runs past its batch"),
	          "%s", cdoc_errmsg());
	cdoc_heap_free(h);
}

Test(ext, a_payload_the_callback_refuses_names_the_record)
{
	struct cdoc_heap *h;
	struct seen s = {.fail = 1};
	struct bb a;

	cdoc_heap_new(&h);
	cdoc_heap_set_ext(h, on_ext, &s);
	bb_start(&a);
	ext(&a, CDOC_AEXT_TICKS, "ok", 2);
	ext(&a, CDOC_AEXT_FD, "no", 2);
	seal(&a, 7, 1, 1, 0);
	cr_assert_eq(cdoc_heap_feed(h, a.buf, a.len, "dump", 0), -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(), "dump: offset 37: extension record "
	                                "of kind 2: bad fd event"),
	          "%s", cdoc_errmsg());
	cdoc_heap_free(h);
}

Test(ext, ticks_payload_decodes_and_bad_ones_are_refused)
{
	struct bb a;
	static struct cdoc_heap_ticks t;

	bb_start(&a);
	a.len = 0;
	v(&a, 5000000000ull); /* end */
	v(&a, 40);            /* waits so far */
	v(&a, 3);             /* ticks */
	v(&a, 30012000);      /* busy */
	v(&a, 150000000);     /* waiting */
	v(&a, 30000000);      /* longest */
	v(&a, 15);            /* buckets */
	for (int i = 0; i < 15; i++)
		v(&a, i == 2 ? 2 : i == 14 ? 1 : 0);
	v(&a, 1);
	v(&a, 40000000); /* started 40 ms before the end */
	v(&a, 30000000);
	cr_assert_eq(cdoc_heap_ticks_decode(a.buf, a.len, &t), 0, "%s",
	             cdoc_errmsg());
	cr_assert_eq(t.waits, 40);
	cr_assert_eq(t.nticks, 3);
	cr_assert_eq(t.hist[2], 2);
	cr_assert_eq(t.hist[14], 1);
	cr_assert_eq(t.nr_longs, 1);
	cr_assert_eq(t.longs[0].start_ns, 4960000000ull);
	cr_assert_eq(t.longs[0].dur_ns, 30000000);
	/* cut anywhere: refused */
	for (size_t n = 0; n < a.len; n++)
		cr_assert_eq(cdoc_heap_ticks_decode(a.buf, n, &t),
		             -CDOC_EFORMAT, "cut at %zu", n);
	/* the long tick outlasting the longest */
	a.buf[a.len - 4]++;
	cr_assert_eq(cdoc_heap_ticks_decode(a.buf, a.len, &t), -CDOC_EFORMAT);
}
