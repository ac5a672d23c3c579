/* ticks.c - tests for TICKS chunks: event-loop ticks of a thread. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record/record.h"

static char dir[] = "/tmp/cdoc-ticks-XXXXXX";
static char path[256];

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.cdr", dir);
}

static void teardown(void)
{
	unlink(path);
	rmdir(dir);
	strcpy(dir, "/tmp/cdoc-ticks-XXXXXX");
}

TestSuite(ticks, .init = setup, .fini = teardown);

Test(ticks, bucket_is_log2_of_microseconds)
{
	cr_assert_eq(cdoc_rec_tick_bucket(0), 0);
	cr_assert_eq(cdoc_rec_tick_bucket(1999), 0);
	cr_assert_eq(cdoc_rec_tick_bucket(2000), 1);
	cr_assert_eq(cdoc_rec_tick_bucket(3999), 1);
	cr_assert_eq(cdoc_rec_tick_bucket(4000), 2);
	cr_assert_eq(cdoc_rec_tick_bucket(30000000), 14); /* 30 ms */
	cr_assert_eq(cdoc_rec_tick_bucket(UINT64_MAX), CDOC_TICK_BUCKETS - 1);
}

/* A set of @n short ticks (5 us) and the long ones in @longs. */
static void fill(struct cdoc_rec_tickset *t, uint32_t tid, uint64_t time_ns,
                 uint64_t n, struct cdoc_rec_long_tick *longs, size_t nl)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	t->pid = 100;
	t->tid = tid;
	t->time_ns = time_ns;
	t->nticks = n + nl;
	t->hist[cdoc_rec_tick_bucket(5000)] = n;
	t->busy_ns = n * 5000;
	t->max_ns = n ? 5000 : 0;
	t->wait_ns = 123456;
	for (i = 0; i < nl; i++) {
		t->hist[cdoc_rec_tick_bucket(longs[i].dur_ns)]++;
		t->busy_ns += longs[i].dur_ns;
		if (longs[i].dur_ns > t->max_ns)
			t->max_ns = longs[i].dur_ns;
	}
	t->longs = longs;
	t->nr_longs = nl;
}

Test(ticks, roundtrip_in_file_order)
{
	struct cdoc_rec_long_tick l[2] = {{1000000, 30000000},
	                                  {150000000, 31000000}};
	struct cdoc_rec_tickset a, b;
	struct cdoc_rec_writer w;
	struct cdoc_recording r;

	fill(&a, 101, 200000000, 1000, l, 2);
	fill(&b, 102, 400000000, 7, NULL, 0);
	cr_assert_eq(cdoc_rec_writer_open(&w, path), 0);
	cr_assert_eq(cdoc_rec_ticks(&w, &a), 0);
	cr_assert_eq(cdoc_rec_ticks(&w, &b), 0);
	cr_assert_eq(cdoc_rec_writer_close(&w), 0);

	cr_assert_eq(cdoc_recording_load(&r, path), 0, "%s", cdoc_errmsg());
	cr_assert_eq(r.nr_ticksets, 2);
	cr_assert_eq(r.ticksets[0].pid, 100);
	cr_assert_eq(r.ticksets[0].tid, 101);
	cr_assert_eq(r.ticksets[0].time_ns, 200000000);
	cr_assert_eq(r.ticksets[0].nticks, 1002);
	cr_assert_eq(r.ticksets[0].busy_ns, 5000000 + 61000000);
	cr_assert_eq(r.ticksets[0].wait_ns, 123456);
	cr_assert_eq(r.ticksets[0].max_ns, 31000000);
	cr_assert_eq(r.ticksets[0].hist[1], 0);
	cr_assert_eq(r.ticksets[0].hist[2], 1000);
	cr_assert_eq(r.ticksets[0].hist[14], 2);
	cr_assert_eq(r.ticksets[0].nr_longs, 2);
	cr_assert_eq(r.ticksets[0].longs[1].start_ns, 150000000);
	cr_assert_eq(r.ticksets[0].longs[1].dur_ns, 31000000);
	cr_assert_eq(r.ticksets[1].tid, 102);
	cr_assert_eq(r.ticksets[1].nticks, 7);
	cr_assert_eq(r.ticksets[1].nr_longs, 0);
	cdoc_recording_release(&r);
}

/* Write @t raw (bypassing nothing: the writer encodes what it is given)
 * and expect the reader to refuse it with @what. */
static void expect_refused(const struct cdoc_rec_tickset *t, const char *what)
{
	struct cdoc_rec_writer w;
	struct cdoc_recording r;

	cr_assert_eq(cdoc_rec_writer_open(&w, path), 0);
	cr_assert_eq(cdoc_rec_ticks(&w, t), 0);
	cr_assert_eq(cdoc_rec_writer_close(&w), 0);
	cr_assert_eq(cdoc_recording_load(&r, path), -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(), "corrupt chunk (type 14) at byte 16"),
	          "%s", cdoc_errmsg());
	cr_assert(strstr(cdoc_errmsg(), what), "%s", cdoc_errmsg());
	unlink(path);
}

Test(ticks, inconsistent_sets_are_refused_with_the_offset)
{
	struct cdoc_rec_long_tick l = {1000000, 30000000};
	struct cdoc_rec_tickset t;

	fill(&t, 1, 200000000, 10, &l, 1);
	t.nticks++; /* the histogram no longer adds up */
	expect_refused(&t, "sum to the tick count");

	fill(&t, 1, 20000000, 10, &l, 1); /* ends after its interval */
	expect_refused(&t, "end in their interval");

	fill(&t, 1, 200000000, 10, &l, 1);
	t.max_ns = 1000; /* the long tick is longer than the longest */
	expect_refused(&t, "longest tick");
}
