/*
 * limits.c - tests that the recording reader rejects what the format
 * cannot contain (type-0 chunks, empty chunks, a non-empty END) and bounds
 * the memory of tiny entries by the file's size.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <zlib.h>

#include "record/record.h"

static struct cdoc_buf f;
static struct cdoc_recording r;

static void setup(void)
{
	cdoc_buf_init(&f);
	cdoc_buf_add(&f, "CDOCREC\0\1\0\0\0\0\0\0\0", 16);
}

static void teardown(void)
{
	cdoc_buf_release(&f);
}

TestSuite(limits, .init = setup, .fini = teardown);

static void put32(uint32_t v)
{
	unsigned char b[4] = {v, v >> 8, v >> 16, v >> 24};

	cdoc_buf_add(&f, b, 4);
}

static void chunk(uint32_t type, const struct cdoc_buf *p)
{
	put32(type);
	put32((uint32_t)p->len);
	put32(crc32(0, (const unsigned char *)p->buf, (uInt)p->len));
	cdoc_buf_add(&f, p->buf, p->len);
}

static int parse(void)
{
	return cdoc_recording_parse(&r, "t.cdr", f.buf, f.len);
}

Test(limits, zero_bytes_after_the_header_are_corrupt_not_empty_chunks)
{
	cdoc_buf_add(&f, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
	             24);
	cr_assert_eq(parse(), -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(), "t.cdr: corrupt chunk (type 0) at "
	                                "byte 16"),
	          "%s", cdoc_errmsg());
}

Test(limits, an_empty_strings_chunk_is_corrupt)
{
	struct cdoc_buf p = CDOC_BUF_INIT;

	cdoc_rec_put_u64(&p, 0);
	cdoc_rec_put_u64(&p, 0);
	chunk(CDOC_REC_STRINGS, &p);
	cr_assert_eq(parse(), -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(), "(type 2) at byte 16: expected at "
	                                "least one string"),
	          "%s", cdoc_errmsg());
	cdoc_buf_release(&p);
}

Test(limits, an_end_chunk_with_a_payload_is_corrupt)
{
	struct cdoc_buf p = CDOC_BUF_INIT;

	cdoc_buf_addch(&p, 'x');
	chunk(CDOC_REC_END, &p);
	cr_assert_eq(parse(), -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(), "an empty END chunk"), "%s",
	          cdoc_errmsg());
	cdoc_buf_release(&p);
}

Test(limits, a_string_defined_twice_is_corrupt)
{
	struct cdoc_buf p = CDOC_BUF_INIT;

	/* Interned strings: a run of empty strings cannot amplify. */
	cdoc_rec_put_u64(&p, 0);
	cdoc_rec_put_u64(&p, 3);
	cdoc_rec_put_bytes(&p, "", 0);
	cdoc_rec_put_bytes(&p, "a", 1);
	cdoc_rec_put_bytes(&p, "", 0);
	chunk(CDOC_REC_STRINGS, &p);
	cr_assert_eq(parse(), -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(), "(type 2) at byte 16: expected a "
	                                "string not defined before"),
	          "%s", cdoc_errmsg());
	cdoc_buf_release(&p);
}

/* One deep stack, then one sample of its leaf in each of many profiles:
 * every profile would build the whole chain. */
Test(limits, a_deep_stack_in_many_profiles_runs_out_of_budget)
{
	struct cdoc_buf p = CDOC_BUF_INIT;
	uint64_t depth = 100000, nprof = 4096, i;
	char name[16];

	cdoc_rec_put_u64(&p, 0);
	cdoc_rec_put_u64(&p, nprof + 1);
	cdoc_rec_put_bytes(&p, "f", 1);
	for (i = 0; i < nprof; i++)
		cdoc_rec_put_bytes(
		        &p, name,
		        (size_t)snprintf(name, sizeof(name), "p%d", (int)i));
	chunk(CDOC_REC_STRINGS, &p);
	cdoc_buf_reset(&p);
	cdoc_rec_put_u64(&p, 1);
	cdoc_rec_put_u64(&p, depth);
	for (i = 0; i < depth; i++) {
		cdoc_rec_put_u64(&p, i);
		cdoc_rec_put_u64(&p, 0);
	}
	chunk(CDOC_REC_STACKS, &p);
	for (i = 0; i < nprof; i++) {
		cdoc_buf_reset(&p);
		cdoc_rec_put_u64(&p, i + 1);
		cdoc_rec_put_u64(&p, 1);
		cdoc_rec_put_u64(&p, 1);
		cdoc_rec_put_u64(&p, depth);
		cdoc_rec_put_u64(&p, 1);
		chunk(CDOC_REC_SAMPLES, &p);
	}
	cr_assert_eq(parse(), -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(), "(type 4) at byte ") &&
	                  strstr(cdoc_errmsg(), "its entries would take over"),
	          "%s", cdoc_errmsg());
	cdoc_buf_release(&p);
}

Test(limits, a_valid_small_recording_still_loads)
{
	struct cdoc_buf p = CDOC_BUF_INIT;

	cdoc_rec_put_u64(&p, 0);
	cdoc_rec_put_u64(&p, 2);
	cdoc_rec_put_bytes(&p, "cpu", 3);
	cdoc_rec_put_bytes(&p, "", 0); /* one empty string is fine */
	chunk(CDOC_REC_STRINGS, &p);
	cdoc_buf_reset(&p);
	chunk(CDOC_REC_END, &p);
	cr_assert_eq(parse(), 0, "%s", cdoc_errmsg());
	cr_assert_eq(r.nr_strs, 2);
	cr_assert_eq(r.complete, 1);
	cdoc_recording_release(&r);
	cdoc_buf_release(&p);
}
