/*
 * ring.c - ring buffer reading and record decoding: against a real
 * cpu-clock event sampling this test process (samples, user registers and
 * stack copies, MMAP2 for a file mapped executable), and against a ring
 * built by hand (a record wrapping around the end, a corrupt size,
 * records too short for their fields).
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "perf/perf.h"

#define TYPES                                                                  \
	(PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |                 \
	 PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN)
#define REGS_MASK ((1ull << 7) | (1ull << 8)) /* SP, IP */

static volatile unsigned long sink;

static void spin_ms(int ms)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		for (int i = 0; i < 10000; i++)
			sink = sink * 31 + i;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000 +
	                 (t.tv_nsec - t0.tv_nsec) / 1000000 <
	         ms);
}

static int open_self(struct perf_event_attr *a, uint64_t extra)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->type = PERF_TYPE_SOFTWARE;
	a->config = PERF_COUNT_SW_CPU_CLOCK;
	a->freq = 1;
	a->sample_freq = 1000;
	a->sample_type = TYPES | extra;
	a->sample_regs_user = REGS_MASK;
	a->sample_stack_user = (extra & PERF_SAMPLE_STACK_USER) ? 4096 : 0;
	a->mmap = a->mmap2 = a->comm = a->task = a->sample_id_all = 1;
	a->exclude_kernel = 1;
	a->exclude_hv = 1;
	return cdoc_perf_open(a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

Test(ring, samples_of_this_process_decode)
{
	struct perf_event_attr a;
	struct cdoc_perf_ring r;
	const struct perf_event_header *h;
	uint64_t last = 0;
	int fd = open_self(&a, 0), n = 0;

	if (fd < 0)
		cr_skip_test("perf_event_open: %s", strerror(-fd));
	cr_assert_eq(cdoc_perf_ring_map(&r, fd, 64), 0, "%s", cdoc_errmsg());
	spin_ms(200);
	while ((h = cdoc_perf_ring_next(&r))) {
		struct cdoc_perf_sample s;

		if (h->type != PERF_RECORD_SAMPLE)
			continue;
		cr_assert_eq(cdoc_perf_parse_sample(h, a.sample_type, 0, &s),
		             0);
		cr_expect_eq(s.pid, (uint32_t)getpid());
		cr_expect_eq(s.tid, (uint32_t)syscall(SYS_gettid));
		cr_expect_neq(s.ip, 0);
		cr_expect_geq(s.time, last);
		cr_expect_gt(s.period, 0);
		last = s.time;
		n++;
	}
	cdoc_perf_ring_done(&r);
	cr_expect_gt(n, 10, "only %d samples in 200 ms", n);
	cr_expect_eq(r.bad_records, 0);
	cdoc_perf_ring_unmap(&r);
	close(fd);
}

Test(ring, user_regs_and_stack_copy_decode)
{
	struct perf_event_attr a;
	struct cdoc_perf_ring r;
	const struct perf_event_header *h;
	int fd = open_self(&a, PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER);
	int n = 0;

	if (fd < 0)
		cr_skip_test("perf_event_open: %s", strerror(-fd));
	cr_assert_eq(cdoc_perf_ring_map(&r, fd, 64), 0);
	spin_ms(100);
	while ((h = cdoc_perf_ring_next(&r))) {
		struct cdoc_perf_sample s;
		uint64_t sp;

		if (h->type != PERF_RECORD_SAMPLE)
			continue;
		cr_assert_eq(
		        cdoc_perf_parse_sample(h, a.sample_type, REGS_MASK, &s),
		        0);
		cr_assert_neq(s.regs_abi, 0);
		cr_expect_eq(s.regs[1], s.ip, "IP register is the sample ip");
		sp = s.regs[0];
		cr_expect(sp > (uint64_t)(uintptr_t)&sp - 65536 &&
		                  sp < (uint64_t)(uintptr_t)&sp + 65536,
		          "SP near this thread's stack");
		cr_expect_gt(s.stack_size, 0);
		cr_expect_leq(s.stack_size, 4096);
		n++;
	}
	cdoc_perf_ring_done(&r);
	cr_expect_gt(n, 3);
	cdoc_perf_ring_unmap(&r);
	close(fd);
}

Test(ring, mmap2_record_names_the_mapped_file)
{
	struct perf_event_attr a;
	struct cdoc_perf_ring r;
	const struct perf_event_header *h;
	char path[] = "/tmp/cdoc-ring-XXXXXX";
	int fd = open_self(&a, 0), tfd, found = 0;
	void *m;

	if (fd < 0)
		cr_skip_test("perf_event_open: %s", strerror(-fd));
	cr_assert_eq(cdoc_perf_ring_map(&r, fd, 16), 0);
	tfd = mkstemp(path);
	cr_assert_geq(tfd, 0);
	cr_assert_eq(ftruncate(tfd, 8192), 0);
	m = mmap(NULL, 8192, PROT_READ | PROT_EXEC, MAP_PRIVATE, tfd, 4096);
	cr_assert_neq(m, MAP_FAILED);
	while ((h = cdoc_perf_ring_next(&r))) {
		struct cdoc_perf_side o;

		if (h->type != PERF_RECORD_MMAP2)
			continue;
		cr_assert_eq(cdoc_perf_parse_side(h, &o), 0);
		if (strcmp(o.str, path))
			continue;
		found = 1;
		cr_expect_eq(o.addr, (uint64_t)(uintptr_t)m);
		cr_expect_eq(o.len, 8192);
		cr_expect_eq(o.pgoff, 4096);
		cr_expect(o.prot & PROT_EXEC);
		cr_expect_eq(o.pid, (uint32_t)getpid());
		cr_expect_gt(cdoc_perf_record_time(h, a.sample_type), 0);
	}
	cr_expect(found, "no MMAP2 record for %s", path);
	munmap(m, 8192);
	close(tfd);
	unlink(path);
	cdoc_perf_ring_unmap(&r);
	close(fd);
}

/* A hand-made ring: a header page and @size bytes of data. */
static void fake_ring(struct cdoc_perf_ring *r, size_t size)
{
	memset(r, 0, sizeof(*r));
	r->page = calloc(1, 4096 + size);
	r->data = (char *)r->page + 4096;
	r->data_size = size;
	r->fd = -1;
}

static void fake_release(struct cdoc_perf_ring *r)
{
	free(r->page);
	r->page = NULL;
	cdoc_buf_release(&r->scratch);
}

/* Write @len bytes at ring position @pos (wrapping). */
static void put(struct cdoc_perf_ring *r, uint64_t pos, const void *p,
                size_t len)
{
	for (size_t i = 0; i < len; i++)
		r->data[(pos + i) & (r->data_size - 1)] = ((const char *)p)[i];
}

Test(ring, record_wrapping_the_end_comes_out_whole)
{
	struct cdoc_perf_ring r;
	struct {
		struct perf_event_header h;
		uint64_t v[5];
	} rec = {{PERF_RECORD_LOST, 0, sizeof(rec)}, {1, 2, 3, 4, 5}};
	const struct perf_event_header *h;

	fake_ring(&r, 64);
	r.tail = r.head = 48; /* 16 bytes before the end */
	put(&r, 48, &rec, sizeof(rec));
	r.page->data_head = 48 + sizeof(rec);
	h = cdoc_perf_ring_next(&r);
	cr_assert_not_null(h);
	cr_expect_eq(h->size, sizeof(rec));
	cr_expect_eq(memcmp(h, &rec, sizeof(rec)), 0);
	cr_expect_null(cdoc_perf_ring_next(&r));
	cdoc_perf_ring_done(&r);
	cr_expect_eq(r.page->data_tail, 48 + sizeof(rec));
	fake_release(&r);
}

Test(ring, corrupt_size_is_counted_not_followed)
{
	struct cdoc_perf_ring r;
	struct perf_event_header bad = {PERF_RECORD_SAMPLE, 0, 4};

	fake_ring(&r, 64);
	put(&r, 0, &bad, sizeof(bad));
	r.page->data_head = 16;
	cr_expect_null(cdoc_perf_ring_next(&r));
	cr_expect_eq(r.bad_records, 1);
	cr_expect_eq(r.tail, 16);
	fake_release(&r);
}

Test(decode, short_records_are_errors)
{
	struct {
		struct perf_event_header h;
		uint64_t v[3];
	} rec = {{PERF_RECORD_SAMPLE, 0, sizeof(rec)}, {1, 2, 100}};
	struct cdoc_perf_sample s;
	struct cdoc_perf_side o;

	/* IP, TID, then a callchain claiming 100 entries. */
	cr_expect_eq(cdoc_perf_parse_sample(&rec.h,
	                                    PERF_SAMPLE_IP | PERF_SAMPLE_TID |
	                                            PERF_SAMPLE_CALLCHAIN,
	                                    0, &s),
	             -CDOC_EFORMAT);
	rec.h.type = PERF_RECORD_COMM;
	memset(rec.v + 1, 'x', 16); /* comm without its NUL */
	cr_expect_eq(cdoc_perf_parse_side(&rec.h, &o), -CDOC_EFORMAT);
	rec.h.type = PERF_RECORD_MMAP2;
	cr_expect_eq(cdoc_perf_parse_side(&rec.h, &o), -CDOC_EFORMAT);
	rec.h.type = PERF_RECORD_SWITCH;
	cr_expect_eq(cdoc_perf_parse_side(&rec.h, &o), 1);
}

Test(decode, fork_and_comm_fields)
{
	struct {
		struct perf_event_header h;
		uint32_t pid, tid;
		char comm[16];
	} c = {{PERF_RECORD_COMM, PERF_RECORD_MISC_COMM_EXEC, sizeof(c)},
	       10,
	       11,
	       "worker"};
	struct {
		struct perf_event_header h;
		uint32_t pid, ppid, tid, ptid;
		uint64_t time;
	} f = {{PERF_RECORD_FORK, 0, sizeof(f)}, 20, 10, 21, 11, 5};
	struct cdoc_perf_side o;

	cr_assert_eq(cdoc_perf_parse_side(&c.h, &o), 0);
	cr_expect_eq(o.pid, 10);
	cr_expect_eq(o.tid, 11);
	cr_expect(o.exec);
	cr_expect_str_eq(o.str, "worker");
	cr_assert_eq(cdoc_perf_parse_side(&f.h, &o), 0);
	cr_expect_eq(o.pid, 20);
	cr_expect_eq(o.ppid, 10);
	cr_expect_eq(o.tid, 21);
	cr_expect_eq(o.ptid, 11);
}
