/* timed.c - tests for TSAMPLES: samples that keep time and thread. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record/record.h"

static char dir[] = "/tmp/cdoc-timed-XXXXXX";
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
	strcpy(dir, "/tmp/cdoc-timed-XXXXXX");
}

TestSuite(timed, .init = setup, .fini = teardown);

/* @n samples, 8 threads of 2 processes in turn, 1 ms apart, 3 stacks. */
static void write_timed(size_t n)
{
	struct cdoc_rec_writer w;
	uint32_t cpu, st[3];
	size_t i;

	cr_assert_eq(cdoc_rec_writer_open(&w, path), 0);
	cpu = cdoc_rec_str(&w, "cpu");
	st[0] = cdoc_rec_stack(&w, CDOC_REC_ROOT, cdoc_rec_str(&w, "main"));
	st[1] = cdoc_rec_stack(&w, st[0], cdoc_rec_str(&w, "work"));
	st[2] = cdoc_rec_stack(&w, st[1], cdoc_rec_str(&w, "hash"));
	for (i = 0; i < n; i++)
		cr_assert_eq(cdoc_rec_sample_at(
		                     &w, cpu, 1000 + (i % 8) / 4, 20000 + i % 8,
		                     5000000 + i * 1000000, st[i % 3], 1),
		             0);
	cr_assert_eq(cdoc_rec_writer_close(&w), 0);
}

Test(timed, samples_keep_time_pid_and_tid)
{
	struct cdoc_recording r;
	struct cdoc_buf out = CDOC_BUF_INIT;
	size_t i;

	write_timed(300);
	cr_assert_eq(cdoc_recording_load(&r, path), 0, "%s", cdoc_errmsg());
	cr_assert_eq(r.nr_tsamples, 300);
	for (i = 0; i < 300; i++) {
		const struct cdoc_rec_tsample *s = &r.tsamples[i];
		const struct cdoc_profile *p = &r.profiles[s->profile].prof;

		cr_assert_eq(s->time_ns, 5000000 + i * 1000000);
		cr_assert_eq(s->pid, 1000 + (i % 8) / 4);
		cr_assert_eq(s->tid, 20000 + i % 8);
		cr_assert_eq(s->weight, 1);
		cr_assert_eq(p->nodes[s->node].depth, 1 + i % 3);
	}
	cdoc_profile_write_folded(cdoc_recording_profile(&r, "cpu"), &out);
	cr_assert_str_eq(out.buf, "main 100\nmain;work 100\nmain;work;hash "
	                          "100\n");
	cdoc_buf_release(&out);
	cdoc_recording_release(&r);
}

Test(timed, cost_at_most_32_bytes_a_sample)
{
	FILE *f;
	long size;

	write_timed(100000);
	f = fopen(path, "rb");
	cr_assert_not_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fclose(f);
	cr_assert_leq(size, 32 * 100000L, "%ld bytes", size);
	cr_log_info("%.2f bytes a sample", size / 100000.0);
}

Test(timed, undefined_stack_is_corrupt_with_offset)
{
	struct cdoc_rec_writer w;
	struct cdoc_recording r;
	struct cdoc_buf b = CDOC_BUF_INIT;

	cr_assert_eq(cdoc_rec_writer_open(&w, path), 0);
	cdoc_rec_put_u64(&b, cdoc_rec_str(&w, "cpu"));
	cdoc_rec_put_u64(&b, 1);
	cdoc_rec_put_u64(&b, 99); /* stack 99 is not defined */
	cdoc_rec_put_u64(&b, 0);
	cdoc_rec_put_u64(&b, 2);
	cdoc_rec_put_u64(&b, 2);
	cdoc_rec_put_u64(&b, 1);
	cr_assert_eq(cdoc_rec_chunk(&w, CDOC_REC_TSAMPLES, b.buf, b.len), 0);
	cr_assert_eq(cdoc_rec_writer_close(&w), 0);
	cr_assert_eq(cdoc_recording_load(&r, path), -CDOC_EFORMAT);
	cr_assert_not_null(strstr(cdoc_errmsg(), "(type 11) at byte"), "%s",
	                   cdoc_errmsg());
	cr_assert_not_null(strstr(cdoc_errmsg(), "stack"), "%s", cdoc_errmsg());
	cdoc_buf_release(&b);
}

Test(timed, truncated_entry_is_corrupt)
{
	struct cdoc_rec_writer w;
	struct cdoc_recording r;
	struct cdoc_buf b = CDOC_BUF_INIT;

	cr_assert_eq(cdoc_rec_writer_open(&w, path), 0);
	cdoc_rec_put_u64(&b, cdoc_rec_str(&w, "cpu"));
	cdoc_rec_put_u64(&b, 1);
	cdoc_rec_put_u64(&b, 0);
	cdoc_rec_put_u64(&b, 0); /* pid, tid and weight missing */
	cr_assert_eq(cdoc_rec_chunk(&w, CDOC_REC_TSAMPLES, b.buf, b.len), 0);
	cr_assert_eq(cdoc_rec_writer_close(&w), 0);
	cr_assert_eq(cdoc_recording_load(&r, path), -CDOC_EFORMAT);
	cdoc_buf_release(&b);
}

/* A recording written before TSAMPLES existed (SAMPLES only). */
Test(timed, old_recording_still_reads)
{
	struct cdoc_recording r;
	char old[512];

	snprintf(old, sizeof(old), "%s/tests/data/untimed-sym_deep.cdr",
	         getenv("CDOC_SRC"));
	cr_assert_eq(cdoc_recording_load(&r, old), 0, "%s", cdoc_errmsg());
	cr_assert_eq(r.nr_tsamples, 0);
	cr_assert_eq(cdoc_profile_total(cdoc_recording_profile(&r, "cpu"), 0),
	             776);
	cdoc_recording_release(&r);
}
