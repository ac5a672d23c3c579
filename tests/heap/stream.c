/*
 * stream.c - the allocation stream reader and the heap model, fed with
 * hand-made batches: pairing of frees across threads by time stamp,
 * temporaries, sampling scale, strict rejection of corrupt input.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "heap/heap.h"

/* A tiny batch builder (the shim's encoding). */
struct bb {
	unsigned char buf[4096];
	size_t len;
	uint64_t tsc, ptr;
};

static void bb_start(struct bb *b)
{
	memset(b, 0, sizeof(*b));
	b->len = sizeof(struct cdoc_astream_hdr);
}

static void v(struct bb *b, uint64_t x)
{
	while (x >= 0x80) {
		b->buf[b->len++] = (unsigned char)(x | 0x80);
		x >>= 7;
	}
	b->buf[b->len++] = (unsigned char)x;
}

static void t(struct bb *b, uint64_t tsc)
{
	int64_t d = (int64_t)(tsc - b->tsc);

	v(b, ((uint64_t)d << 1) ^ (uint64_t)(d >> 63));
	b->tsc = tsc;
}

static void p(struct bb *b, uint64_t ptr)
{
	int64_t d = (int64_t)(ptr - b->ptr);

	v(b, ((uint64_t)d << 1) ^ (uint64_t)(d >> 63));
	b->ptr = ptr;
}

static void rec_alloc(struct bb *b, uint64_t ptr, uint64_t size, uint32_t stack,
                      uint64_t tsc)
{
	b->buf[b->len++] = CDOC_AREC_ALLOC | CDOC_AFN_MALLOC;
	p(b, ptr);
	t(b, tsc);
	v(b, size);
	v(b, stack);
}

static void rec_free(struct bb *b, uint64_t ptr, uint64_t tsc)
{
	b->buf[b->len++] = CDOC_AREC_FREE | CDOC_AFN_FREE;
	p(b, ptr);
	t(b, tsc);
}

static void rec_stack(struct bb *b, uint32_t id, uint64_t pc)
{
	b->buf[b->len++] = CDOC_AREC_STACK;
	v(b, id);
	v(b, 1);
	v(b, pc);
}

static void bb_feed(struct cdoc_heap *h, struct bb *b, uint32_t tid)
{
	struct cdoc_astream_hdr hd = {CDOC_ASTREAM_MAGIC,
	                              (uint32_t)(b->len - sizeof(hd)),
	                              77,
	                              100,
	                              tid,
	                              1000};

	memcpy(b->buf, &hd, sizeof(hd));
	cr_assert_eq(cdoc_heap_feed(h, b->buf, b->len, "test", 0), (long)b->len,
	             "%s", cdoc_errmsg());
}

/* Write @b's header (instance 1, pid 1, tid 1). */
static void bb_seal(struct bb *b)
{
	struct cdoc_astream_hdr hd = {CDOC_ASTREAM_MAGIC,
	                              (uint32_t)(b->len - sizeof(hd)),
	                              1,
	                              1,
	                              1,
	                              0};

	memcpy(b->buf, &hd, sizeof(hd));
}

static uint64_t total(struct cdoc_heap *h, int kind)
{
	struct cdoc_heap_snap s;
	uint64_t n = 0;
	size_t i;

	cdoc_heap_snap_init(&s);
	cr_assert_eq(cdoc_heap_snapshot(h, &s), 0);
	for (i = 0; i < s.nr_sites; i++)
		n += cdoc_heap_site_value(&s, &s.sites[i], kind);
	cdoc_heap_snap_release(&s);
	return n;
}

Test(stream, free_before_its_allocation_is_paired_by_time)
{
	struct cdoc_heap *h;
	struct bb a, b;

	cdoc_heap_new(&h);
	/* thread 2 frees 0x1000 (t=20) and reuses it (t=30) before thread
	 * 1's allocation of it (t=10) arrives */
	bb_start(&b);
	rec_free(&b, 0x1000, 20);
	rec_stack(&b, 2, 0x400);
	rec_alloc(&b, 0x1000, 64, 2, 30);
	bb_feed(h, &b, 2);
	bb_start(&a);
	rec_stack(&a, 1, 0x500);
	rec_alloc(&a, 0x1000, 32, 1, 10);
	bb_feed(h, &a, 1);
	cr_assert_eq(total(h, CDOC_HEAP_LIVE_BYTES), 64);
	cr_assert_eq(total(h, CDOC_HEAP_LIVE_COUNT), 1);
	cr_assert_eq(total(h, CDOC_HEAP_ALLOC_COUNT), 2);
	cdoc_heap_free(h);
}

Test(stream, late_free_of_a_replaced_allocation_changes_nothing)
{
	struct cdoc_heap *h;
	struct bb a, b;
	struct cdoc_heap_counters c;

	cdoc_heap_new(&h);
	bb_start(&a);
	rec_stack(&a, 1, 0x500);
	rec_alloc(&a, 0x2000, 100, 1, 10);
	rec_alloc(&a, 0x2000, 200, 1, 40); /* reuse: the free is late */
	bb_feed(h, &a, 1);
	bb_start(&b);
	rec_free(&b, 0x2000, 25);
	bb_feed(h, &b, 2);
	cr_assert_eq(total(h, CDOC_HEAP_LIVE_BYTES), 200);
	cdoc_heap_get_counters(h, &c);
	cr_assert_eq(c.unmatched_frees, 0);
	cr_assert_geq(c.reordered, 2);
	cdoc_heap_free(h);
}

Test(stream, temp_record_counts_without_staying_live)
{
	struct cdoc_heap *h;
	struct bb a;

	cdoc_heap_new(&h);
	bb_start(&a);
	rec_stack(&a, 1, 0x500);
	a.buf[a.len++] = CDOC_AREC_TEMP | CDOC_AFN_CALLOC;
	v(&a, 48);
	v(&a, 1);
	bb_feed(h, &a, 1);
	cr_assert_eq(total(h, CDOC_HEAP_TEMP_COUNT), 1);
	cr_assert_eq(total(h, CDOC_HEAP_ALLOC_BYTES), 48);
	cr_assert_eq(total(h, CDOC_HEAP_LIVE_BYTES), 0);
	cdoc_heap_free(h);
}

Test(stream, partial_batch_is_left_for_later)
{
	struct cdoc_heap *h;
	struct bb a;
	struct cdoc_astream_hdr hd = {CDOC_ASTREAM_MAGIC, 0, 1, 1, 1, 0};

	cdoc_heap_new(&h);
	bb_start(&a);
	rec_stack(&a, 1, 0x500);
	hd.len = (uint32_t)(a.len - sizeof(hd));
	memcpy(a.buf, &hd, sizeof(hd));
	cr_assert_eq(cdoc_heap_feed(h, a.buf, a.len - 1, "x", 0), 0);
	cr_assert_eq(cdoc_heap_feed(h, a.buf, a.len, "x", 0), (long)a.len);
	cdoc_heap_free(h);
}

Test(stream, corrupt_input_names_the_offset)
{
	struct cdoc_heap *h;
	struct bb a;
	struct cdoc_astream_hdr hd = {CDOC_ASTREAM_MAGIC, 0, 1, 1, 1, 0};

	cdoc_heap_new(&h);
	bb_start(&a);
	a.buf[a.len++] = 0x07; /* no such tag */
	hd.len = 1;
	memcpy(a.buf, &hd, sizeof(hd));
	cr_assert_eq(cdoc_heap_feed(h, a.buf, a.len, "dump", 0), -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(), "dump: offset 32: unknown record tag"),
	          "%s", cdoc_errmsg());
	hd.magic = 0;
	memcpy(a.buf, &hd, sizeof(hd));
	cr_assert_eq(cdoc_heap_feed(h, a.buf, a.len, "dump", 100),
	             -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(), "offset 100"), "%s", cdoc_errmsg());
	cdoc_heap_free(h);
}

Test(stream, stack_id_zero_is_rejected)
{
	struct cdoc_heap *h;
	struct bb a;

	cdoc_heap_new(&h);
	bb_start(&a);
	rec_alloc(&a, 0x10, 8, 0, 1);
	bb_seal(&a);
	cr_assert_eq(cdoc_heap_feed(h, a.buf, a.len, "s", 0), -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(), "stack id"), "%s", cdoc_errmsg());
	cdoc_heap_free(h);
}

static uint64_t peak(struct cdoc_heap *h)
{
	struct cdoc_heap_snap s;
	uint64_t n;

	cdoc_heap_snap_init(&s);
	cr_assert_eq(cdoc_heap_snapshot(h, &s), 0);
	n = s.peak_bytes;
	cdoc_heap_snap_release(&s);
	return n;
}

/* FREEB @back: the free of the ALLOCB that many allocations back. */
static void rec_freeb(struct bb *b, uint64_t back, uint64_t tsc)
{
	b->buf[b->len++] = CDOC_AREC_FREEB | CDOC_AFN_FREE;
	t(b, tsc);
	v(b, back);
}

/* Turns the record at @off (an ALLOC) into ALLOCB. */
static void make_b(struct bb *b, size_t off)
{
	b->buf[off] = (unsigned char)(CDOC_AREC_ALLOCB | (b->buf[off] & 15));
}

Test(stream, allocb_freeb_pair_within_a_batch_keeps_peak_exact)
{
	struct cdoc_heap *h;
	struct bb a;
	size_t first, second;

	cdoc_heap_new(&h);
	bb_start(&a);
	rec_stack(&a, 1, 0x500);
	first = a.len;
	rec_alloc(&a, 0x1000, 100, 1, 1);
	second = a.len;
	rec_alloc(&a, 0x2000, 50, 1, 2);
	rec_alloc(&a, 0x3000, 10, 1, 3); /* stays live */
	rec_freeb(&a, 3, 4);             /* frees 0x1000 */
	rec_freeb(&a, 2, 5);             /* frees 0x2000 */
	/* the delta base is 0x3000 still: FREEB carries no pointer */
	rec_alloc(&a, 0x4000, 7, 1, 6);
	rec_free(&a, 0x3000, 7);
	make_b(&a, first);
	make_b(&a, second);
	bb_feed(h, &a, 1);
	cr_assert_eq(total(h, CDOC_HEAP_ALLOC_COUNT), 4);
	cr_assert_eq(total(h, CDOC_HEAP_LIVE_BYTES), 7);
	cr_assert_eq(total(h, CDOC_HEAP_LIVE_COUNT), 1);
	cr_assert_eq(peak(h), 160);
	cdoc_heap_free(h);
}

/* One allocation (ALLOCB when @as_b), then @frees FREEBs going @back
 * allocations back: the batch must be refused. */
static void expect_bad_freeb(int as_b, int frees, uint64_t back)
{
	struct cdoc_heap *h;
	struct bb a;
	size_t at;
	int i;

	cdoc_heap_new(&h);
	bb_start(&a);
	rec_stack(&a, 1, 0x500);
	at = a.len;
	rec_alloc(&a, 0x1000, 100, 1, 1);
	if (as_b)
		make_b(&a, at);
	for (i = 0; i < frees; i++)
		rec_freeb(&a, back, 2 + (uint64_t)i);
	bb_seal(&a);
	cr_assert_eq(cdoc_heap_feed(h, a.buf, a.len, "s", 0), -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(), "free of no allocation of its batch"),
	          "%s", cdoc_errmsg());
	cdoc_heap_free(h);
}

Test(stream, freeb_of_no_allocb_is_rejected)
{
	expect_bad_freeb(1, 1, 2); /* back beyond the batch's allocations */
	expect_bad_freeb(0, 1, 1); /* an ALLOC, not an ALLOCB */
	expect_bad_freeb(1, 2, 1); /* an ALLOCB freed twice */
}

/* The same events give the same heap with and without SOLO (which only
 * lets the reader forget freed addresses). */
Test(stream, solo_batches_give_the_same_heap)
{
	struct cdoc_heap *h[2];
	int solo;

	for (solo = 0; solo < 2; solo++) {
		struct bb a;
		uint64_t i;

		cdoc_heap_new(&h[solo]);
		bb_start(&a);
		if (solo)
			a.buf[a.len++] = CDOC_AREC_SOLO;
		rec_stack(&a, 1, 0x500);
		for (i = 0; i < 100; i++) {
			rec_alloc(&a, 0x1000 + (i % 7) * 0x40, 16 + i, 1,
			          3 * i + 1);
			if (i % 3 != 2)
				rec_free(&a, 0x1000 + (i % 7) * 0x40,
				         3 * i + 2);
		}
		bb_feed(h[solo], &a, 1);
	}
	cr_assert_eq(total(h[0], CDOC_HEAP_LIVE_BYTES),
	             total(h[1], CDOC_HEAP_LIVE_BYTES));
	cr_assert_eq(total(h[0], CDOC_HEAP_LIVE_COUNT),
	             total(h[1], CDOC_HEAP_LIVE_COUNT));
	cr_assert_eq(peak(h[0]), peak(h[1]));
	cr_assert_gt(total(h[1], CDOC_HEAP_LIVE_COUNT), 0);
	cdoc_heap_free(h[0]);
	cdoc_heap_free(h[1]);
}

/* A stack id may come before its STACK record (another thread's batch),
 * but not so far ahead that it could only be a way to make the reader
 * allocate: that is corrupt input. */
Test(stream, stack_ids_far_beyond_the_defined_ones_are_rejected)
{
	struct cdoc_heap *h;
	struct bb a;

	cdoc_heap_new(&h);
	bb_start(&a);
	rec_alloc(&a, 0x1000, 8, 100, 1); /* ahead, but plausibly */
	bb_seal(&a);
	cr_assert_eq(cdoc_heap_feed(h, a.buf, a.len, "s", 0), (long)a.len, "%s",
	             cdoc_errmsg());
	bb_start(&a);
	rec_alloc(&a, 0x2000, 8, 3000000, 2);
	bb_seal(&a);
	cr_assert_eq(cdoc_heap_feed(h, a.buf, a.len, "s", 0), -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(), "stack id far beyond"), "%s",
	          cdoc_errmsg());
	cdoc_heap_free(h);
}

/* PAIRS @fn: @count allocations of class @cls from @stack, @bytes. */
static void rec_pairs(struct bb *b, int fn, uint32_t stack, unsigned cls,
                      uint64_t count, uint64_t bytes, uint64_t temp)
{
	b->buf[b->len++] = (unsigned char)(CDOC_AREC_PAIRS | fn);
	v(b, stack);
	v(b, cls);
	v(b, count);
	v(b, bytes);
	v(b, temp);
}

static uint64_t hist(struct cdoc_heap *h, unsigned cls)
{
	struct cdoc_heap_snap s;
	uint64_t n;

	cdoc_heap_snap_init(&s);
	cr_assert_eq(cdoc_heap_snapshot(h, &s), 0);
	n = s.hist[cls];
	cdoc_heap_snap_release(&s);
	return n;
}

/* The same allocations as ALLOC and FREE records and as one PAIRS
 * record: the same totals, histogram and temporaries, nothing live. */
Test(stream, pairs_count_as_the_allocations_and_frees_they_stand_for)
{
	struct cdoc_heap *h[2];
	struct bb a;
	int i, k;

	for (k = 0; k < 2; k++) {
		cdoc_heap_new(&h[k]);
		bb_start(&a);
		a.buf[a.len++] = CDOC_AREC_SOLO;
		rec_stack(&a, 1, 0x500);
		rec_alloc(&a, 0x9000, 4000, 1, 1); /* live: both ways */
		if (k == 0) {
			for (i = 0; i < 3; i++) {
				rec_alloc(&a, 0x1000, 40 + i, 1, 2 + 2 * i);
				rec_free(&a, 0x1000, 3 + 2 * i);
			}
		} else {
			rec_pairs(&a, CDOC_AFN_MALLOC, 1, 6, 3, 123, 0);
		}
		bb_feed(h[k], &a, 1);
	}
	for (k = CDOC_HEAP_ALLOC_BYTES; k <= CDOC_HEAP_LIVE_COUNT; k++)
		cr_assert_eq(total(h[0], k), total(h[1], k), "kind %d", k);
	cr_assert_eq(total(h[1], CDOC_HEAP_ALLOC_COUNT), 4);
	cr_assert_eq(total(h[1], CDOC_HEAP_ALLOC_BYTES), 4123);
	cr_assert_eq(total(h[1], CDOC_HEAP_LIVE_BYTES), 4000);
	cr_assert_eq(hist(h[0], 6), 3);
	cr_assert_eq(hist(h[1], 6), 3);
	cdoc_heap_free(h[0]);
	cdoc_heap_free(h[1]);
	cdoc_heap_new(&h[0]);
	bb_start(&a);
	rec_stack(&a, 1, 0x500);
	rec_pairs(&a, CDOC_AFN_CALLOC, 1, 5, 4, 70, 3);
	bb_feed(h[0], &a, 1);
	cr_assert_eq(total(h[0], CDOC_HEAP_TEMP_COUNT), 3);
	cr_assert_eq(total(h[0], CDOC_HEAP_LIVE_COUNT), 0);
	cdoc_heap_free(h[0]);
}

/* PAIRS @cls @count @bytes @temp (fn @fn) is rejected with @msg. */
static void expect_bad_pairs(int fn, unsigned cls, uint64_t count,
                             uint64_t bytes, uint64_t temp, const char *msg)
{
	struct cdoc_heap *h;
	struct bb a;

	cdoc_heap_new(&h);
	bb_start(&a);
	rec_stack(&a, 1, 0x500);
	rec_pairs(&a, fn, 1, cls, count, bytes, temp);
	bb_seal(&a);
	cr_assert_eq(cdoc_heap_feed(h, a.buf, a.len, "p", 0), -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(), msg), "%s", cdoc_errmsg());
	cr_assert(strstr(cdoc_errmsg(), "p: offset "), "%s", cdoc_errmsg());
	cdoc_heap_free(h);
}

Test(stream, pairs_whose_counts_do_not_add_up_are_rejected)
{
	const char *m = "do not add up";

	expect_bad_pairs(CDOC_AFN_MALLOC, 6, 0, 0, 0, m);   /* no pairs */
	expect_bad_pairs(CDOC_AFN_MALLOC, 6, 2, 200, 0, m); /* 100 > 63 */
	expect_bad_pairs(CDOC_AFN_MALLOC, 6, 2, 40, 0, m);  /* 20 < 32 */
	expect_bad_pairs(CDOC_AFN_MALLOC, 6, 2, 80, 3, m);  /* temp > count */
	expect_bad_pairs(CDOC_AFN_MALLOC, 64, 1, 80, 0, m); /* no class 64 */
	expect_bad_pairs(CDOC_AFN_MALLOC, 0, 1, 1, 0, m);   /* size 0 */
	expect_bad_pairs(CDOC_AFN_MALLOC, 6, 1ull << 32, 1ull << 38, 0, m);
	expect_bad_pairs(CDOC_AFN_FREE, 6, 1, 40, 0, "no allocation function");
	expect_bad_pairs(CDOC_AFN_NR, 6, 1, 40, 0, "no allocation function");
}

Test(stream, pairs_in_a_sampled_stream_are_rejected)
{
	struct cdoc_heap *h;
	struct bb a;

	cdoc_heap_new(&h);
	bb_start(&a);
	a.buf[a.len++] = CDOC_AREC_HELLO;
	v(&a, 0);
	v(&a, 0);
	v(&a, 524288); /* sample rate */
	v(&a, 0);
	v(&a, 1);
	rec_stack(&a, 1, 0x500);
	rec_pairs(&a, CDOC_AFN_MALLOC, 1, 6, 1, 40, 0);
	bb_seal(&a);
	cr_assert_eq(cdoc_heap_feed(h, a.buf, a.len, "p", 0), -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(), "sampled"), "%s", cdoc_errmsg());
	cdoc_heap_free(h);
}
