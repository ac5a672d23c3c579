/* threads.c - tests for THREADS: scheduler evidence per thread. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record/record.h"

static char dir[] = "/tmp/cdoc-threads-XXXXXX";
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
	strcpy(dir, "/tmp/cdoc-threads-XXXXXX");
}

TestSuite(threads, .init = setup, .fini = teardown);

Test(threads, round_trip)
{
	struct cdoc_rec_threadstat t[3] = {
	        {100, 100, "master", 5, 6, 7, 8, 9, 'S'},
	        {101, 101, "worker", 1ull << 40, 1ull << 35, 123456, 70000, 12,
	         'R'},
	        {101, 4000000000u, NULL, 0, 0, 0, 0, 0, 0},
	};
	struct cdoc_rec_threadstats s = {200000000, 3, t};
	struct cdoc_rec_threadstats e = {400000000, 0, NULL};
	struct cdoc_rec_writer w;
	struct cdoc_recording r;
	size_t i;

	cr_assert_eq(cdoc_rec_writer_open(&w, path), 0);
	cr_assert_eq(cdoc_rec_threadstats(&w, &s), 0);
	cr_assert_eq(cdoc_rec_threadstats(&w, &e), 0);
	cr_assert_eq(cdoc_rec_writer_close(&w), 0);
	cr_assert_eq(cdoc_recording_load(&r, path), 0, "%s", cdoc_errmsg());
	cr_assert_eq(r.nr_threadstats, 2);
	cr_assert_eq(r.threadstats[0].time_ns, 200000000);
	cr_assert_eq(r.threadstats[0].n, 3);
	cr_assert_eq(r.threadstats[1].time_ns, 400000000);
	cr_assert_eq(r.threadstats[1].n, 0);
	for (i = 0; i < 3; i++) {
		const struct cdoc_rec_threadstat *a = &t[i],
		                                 *b = &r.threadstats[0].t[i];

		cr_assert_eq(a->pid, b->pid);
		cr_assert_eq(a->tid, b->tid);
		cr_assert_str_eq(a->name ? a->name : "", b->name);
		cr_assert_eq(a->on_cpu_ns, b->on_cpu_ns);
		cr_assert_eq(a->runq_ns, b->runq_ns);
		cr_assert_eq(a->timeslices, b->timeslices);
		cr_assert_eq(a->vol, b->vol);
		cr_assert_eq(a->invol, b->invol);
		cr_assert_eq(a->state, b->state);
	}
	cdoc_recording_release(&r);
}

/* A THREADS payload from @vals; the load must fail naming type 15. */
static void corrupt(const uint64_t *vals, size_t n, int with_name,
                    const char *what)
{
	struct cdoc_rec_writer w;
	struct cdoc_recording r;
	struct cdoc_buf b = CDOC_BUF_INIT;

	cr_assert_eq(cdoc_rec_writer_open(&w, path), 0);
	if (with_name)
		cdoc_rec_str(&w, "x");
	for (size_t i = 0; i < n; i++)
		cdoc_rec_put_u64(&b, vals[i]);
	cr_assert_eq(cdoc_rec_chunk(&w, CDOC_REC_THREADS, b.buf, b.len), 0);
	cr_assert_eq(cdoc_rec_writer_close(&w), 0);
	cr_assert_eq(cdoc_recording_load(&r, path), -CDOC_EFORMAT);
	cr_assert_not_null(strstr(cdoc_errmsg(), "(type 15) at byte "), "%s",
	                   cdoc_errmsg());
	cr_assert_not_null(strstr(cdoc_errmsg(), what), "%s", cdoc_errmsg());
	cdoc_buf_release(&b);
}

Test(threads, undefined_name_is_corrupt_with_offset)
{
	uint64_t v[] = {1, 1, 5, 6, 99, 0, 0, 0, 0, 0, 'R'};

	corrupt(v, CDOC_ARRAY_SIZE(v), 0, "defined name");
}

Test(threads, pid_above_32_bits_is_corrupt)
{
	uint64_t v[] = {1, 1, 1ull << 33, 6, 0, 0, 0, 0, 0, 0, 'R'};

	corrupt(v, CDOC_ARRAY_SIZE(v), 1, "below 2^32");
}

Test(threads, count_beyond_the_payload_is_corrupt)
{
	uint64_t v[] = {1, 1000, 5, 6, 0, 0, 0, 0, 0, 0, 'R'};

	corrupt(v, CDOC_ARRAY_SIZE(v), 1, "thread count");
}

Test(threads, truncated_entry_is_corrupt)
{
	uint64_t v[] = {1, 1, 5, 6, 0, 0};

	corrupt(v, CDOC_ARRAY_SIZE(v), 1, "expected");
}
