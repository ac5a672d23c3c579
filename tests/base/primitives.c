/*
 * primitives.c - the small primitives every parser and index shares:
 * varints (round trips at the edges, truncated and overlong input
 * refused), the upper-bound search (duplicates, ends, empty) and the
 * bounds-checked reader (order, a sticky first failure).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "base/base.h"

static const uint64_t edges[] = {
        0,          1,
        127,        128,
        255,        16383,
        16384,      (1ull << 32) - 1,
        1ull << 32, (1ull << 63) - 1,
        1ull << 63, UINT64_MAX,
};

Test(varint, round_trips_at_the_edges)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	size_t i, n, off = 0, want;
	uint64_t v;

	for (i = 0; i < CDOC_ARRAY_SIZE(edges); i++)
		cdoc_varint_put(&b, edges[i]);
	for (i = 0; i < CDOC_ARRAY_SIZE(edges); i++) {
		n = cdoc_varint_get((unsigned char *)b.buf + off, b.len - off,
		                    &v);
		for (want = 1; want < 10 && edges[i] >> (7 * want); want++)
			;
		cr_assert_eq(n, want, "%llu took %zu bytes",
		             (unsigned long long)edges[i], n);
		cr_assert_eq(v, edges[i]);
		off += n;
	}
	cr_assert_eq(off, b.len);
	cdoc_buf_release(&b);
}

Test(varint, refuses_truncated_and_overlong)
{
	unsigned char cont[11];
	uint64_t v = 42;

	memset(cont, 0x80, sizeof(cont));
	cr_assert_eq(cdoc_varint_get(cont, 0, &v), 0, "empty");
	cr_assert_eq(cdoc_varint_get(cont, 3, &v), 0, "runs off its input");
	cr_assert_eq(cdoc_varint_get(cont, 11, &v), 0, "11 bytes");
	cont[10] = 0x01;
	cr_assert_eq(cdoc_varint_get(cont, 11, &v), 0, "longer than 10");
	cont[9] = 0x01;
	cr_assert_eq(cdoc_varint_get(cont, 11, &v), 10, "10 bytes is fine");
	cr_assert_eq(v, 1ull << 63);
}

struct item {
	uint32_t pad;
	uint64_t key;
};

Test(search, upper_bound_counts_keys_at_or_below)
{
	struct item a[] = {{0, 10}, {0, 20}, {0, 20}, {0, 20}, {0, 30}};

	cr_assert_eq(CDOC_UPPER_BOUND(a, 5, key, 0), 0);
	cr_assert_eq(CDOC_UPPER_BOUND(a, 5, key, 10), 1);
	cr_assert_eq(CDOC_UPPER_BOUND(a, 5, key, 19), 1);
	cr_assert_eq(CDOC_UPPER_BOUND(a, 5, key, 20), 4, "past duplicates");
	cr_assert_eq(CDOC_UPPER_BOUND(a, 5, key, 30), 5);
	cr_assert_eq(CDOC_UPPER_BOUND(a, 5, key, UINT64_MAX), 5);
	cr_assert_eq(CDOC_UPPER_BOUND(a, 0, key, 20), 0, "empty");
}

/* The index over an array of strings: what a table in lib/ does. */
struct words {
	const char *w[3000];
	uint64_t h[3000];
	size_t nr;
	struct cdoc_index x;
};

static uint64_t words_hash(const void *ctx, uint32_t id)
{
	return ((const struct words *)ctx)->h[id];
}

static const char *probe_word;

static int words_eq(const void *ctx, uint32_t id)
{
	return !strcmp(((const struct words *)ctx)->w[id], probe_word);
}

/* The id of @w in @t, added when new. */
static uint32_t words_intern(struct words *t, const char *w, uint64_t h)
{
	struct cdoc_index_slot *s;

	cdoc_index_reserve(&t->x, t->nr, 50, 8, words_hash, t);
	probe_word = w;
	s = cdoc_index_find(&t->x, h, words_eq, t);
	if (s->id1)
		return s->id1 - 1;
	t->w[t->nr] = w;
	t->h[t->nr] = h;
	cdoc_index_set(s, h, (uint32_t)t->nr);
	return (uint32_t)t->nr++;
}

Test(index, finds_each_entry_through_growth_and_collisions)
{
	static char names[3000][16];
	static struct words t;
	size_t i;

	cdoc_index_init(&t.x);
	for (i = 0; i < 3000; i++) {
		snprintf(names[i], sizeof(names[i]), "w%zu", i);
		/* i % 7 shares a hash: equal hashes must still be told apart */
		cr_assert_eq(words_intern(&t, names[i], cdoc_hash_u64(i % 7)),
		             i);
	}
	for (i = 0; i < 3000; i++)
		cr_assert_eq(words_intern(&t, names[i], cdoc_hash_u64(i % 7)),
		             i, "w%zu found again", i);
	cr_assert_eq(t.nr, 3000);
	cr_assert_leq(t.nr * 2, t.x.mask + 1, "kept at most half full");
	cdoc_index_release(&t.x);
}

Test(reader, reads_in_order_and_keeps_the_first_failure)
{
	static const unsigned char buf[] = {0xac, 0x02, 0x03, 'a',
	                                    'b',  'c',  0x05, 'x'};
	struct cdoc_reader d;
	const char *s;
	size_t len;

	cdoc_reader_init(&d, buf, sizeof(buf));
	cr_assert_eq(cdoc_reader_u64(&d), 300);
	s = cdoc_reader_bytes(&d, &len);
	cr_assert_eq(len, 3);
	cr_assert_eq(memcmp(s, "abc", 3), 0);
	cr_assert_null(d.err);
	/* a string of 5 bytes with 1 left: refused, and so is all after */
	s = cdoc_reader_bytes(&d, &len);
	cr_assert_eq(len, 0);
	cr_assert_str_eq(d.err, "a string within the chunk");
	cr_assert_eq(cdoc_reader_u64(&d), 0);
	cr_assert_eq(cdoc_reader_f64(&d), 0.0);
	cr_assert_str_eq(d.err, "a string within the chunk");
}

Test(reader, refuses_a_float_past_the_end)
{
	static const unsigned char buf[] = {0, 0, 0, 0};
	struct cdoc_reader d;

	cdoc_reader_init(&d, buf, sizeof(buf));
	cr_assert_eq(cdoc_reader_f64(&d), 0.0);
	cr_assert_not_null(d.err);
	cr_assert_eq(d.p, d.end);
}
