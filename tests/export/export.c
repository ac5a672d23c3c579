/* export.c - tests for lib/export on recordings written with the writer. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "export/export.h"

static char dir[] = "/tmp/cdoc-export-XXXXXX";
static char path[256];
static struct cdoc_recording rec;

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.cdr", dir);
}

static void teardown(void)
{
	cdoc_recording_release(&rec);
	unlink(path);
	rmdir(dir);
	strcpy(dir, "/tmp/cdoc-export-XXXXXX");
}

TestSuite(export, .init = setup, .fini = teardown);

/*
 * Two threads of pid 7: "app;main;work" x3 then "app;main;io" x2 in tid
 * 7, 1 ms apart from 10 ms; "app;main;work" x2 in tid 8 at 20 ms.
 * alloc_bytes: libfoo.so+0x1a2b x4096. META frequency 1000.
 */
static void write_rec(void)
{
	struct cdoc_rec_writer w;
	uint32_t cpu, ab, m, wk, io, lib;
	int i;

	cr_assert_eq(cdoc_rec_writer_open(&w, path), 0);
	cr_assert_eq(cdoc_rec_meta(&w, "command", "/bin/app --x"), 0);
	cr_assert_eq(cdoc_rec_meta(&w, "frequency", "1000"), 0);
	cr_assert_eq(cdoc_rec_meta(&w, "start_time", "2026-01-02T03:04:05Z"),
	             0);
	cr_assert_eq(cdoc_rec_meta(&w, "duration_ns", "30000000"), 0);
	cpu = cdoc_rec_str(&w, "cpu");
	ab = cdoc_rec_str(&w, "alloc_bytes");
	m = cdoc_rec_stack(&w, cdoc_rec_stack(&w, 0, cdoc_rec_str(&w, "app")),
	                   cdoc_rec_str(&w, "main"));
	wk = cdoc_rec_stack(&w, m, cdoc_rec_str(&w, "work"));
	io = cdoc_rec_stack(&w, m, cdoc_rec_str(&w, "io"));
	lib = cdoc_rec_stack(&w, m, cdoc_rec_str(&w, "libfoo.so+0x1a2b"));
	for (i = 0; i < 5; i++)
		cdoc_rec_sample_at(&w, cpu, 7, 7, 10000000 + i * 1000000,
		                   i < 3 ? wk : io, 1);
	for (i = 0; i < 2; i++)
		cdoc_rec_sample_at(&w, cpu, 7, 8, 20000000 + i * 1000000, wk,
		                   1);
	cdoc_rec_sample(&w, ab, 7, lib, 4096);
	cr_assert_eq(cdoc_rec_writer_close(&w), 0);
	cr_assert_eq(cdoc_recording_load(&rec, path), 0, "%s", cdoc_errmsg());
}

/* Protobuf walking, enough to check the top-level fields. */
static uint64_t varint(const unsigned char **p)
{
	uint64_t v = 0;
	int s = 0;

	while (**p & 0x80)
		v |= (uint64_t)(*(*p)++ & 0x7f) << s, s += 7;
	return v | (uint64_t)(*(*p)++) << s;
}

/* Count top-level fields by number; collect string_table entries. */
static void walk(const struct cdoc_buf *b, size_t *count, char **strs,
                 size_t *nstr)
{
	const unsigned char *p = (const unsigned char *)b->buf;
	const unsigned char *end = p + b->len;

	while (p < end) {
		uint64_t key = varint(&p), len;

		cr_assert(key >> 3 < 32);
		count[key >> 3]++;
		if ((key & 7) == 0) {
			varint(&p);
			continue;
		}
		cr_assert_eq(key & 7, 2);
		len = varint(&p);
		cr_assert_leq(len, (uint64_t)(end - p));
		if (key >> 3 == 6 && *nstr < 64)
			strs[(*nstr)++] = strndup((const char *)p, len);
		p += len;
	}
}

Test(export, pprof_has_types_table_and_samples)
{
	struct cdoc_buf raw = CDOC_BUF_INIT, gz = CDOC_BUF_INIT;
	size_t count[32] = {0}, nstr = 0, i;
	char *strs[64];
	int has_cpu = 0, has_main = 0;

	write_rec();
	cr_assert_eq(cdoc_export_pprof_raw(&rec, "cpu", &raw), 0);
	walk(&raw, count, strs, &nstr);
	cr_assert_eq(count[1], 2); /* sample_type: samples, cpu */
	cr_assert_eq(count[2], 2); /* samples: app;main;work, app;main;io */
	cr_assert_eq(count[5], 4); /* functions: app main work io */
	cr_assert_eq(count[4], 4); /* one location each */
	cr_assert_eq(count[3], 1); /* mapping 1: /bin/app */
	cr_assert_eq(count[12], 1);
	cr_assert_str_eq(strs[0], ""); /* string_table[0] */
	for (i = 0; i < nstr; i++) {
		has_cpu |= !strcmp(strs[i], "nanoseconds");
		has_main |= !strcmp(strs[i], "main");
		free(strs[i]);
	}
	cr_assert(has_cpu && has_main);
	cr_assert_eq(cdoc_export_pprof(&rec, "cpu", &gz), 0);
	cr_assert_eq((unsigned char)gz.buf[0], 0x1f); /* gzip magic */
	cr_assert_eq((unsigned char)gz.buf[1], 0x8b);
	cdoc_buf_release(&raw);
	cdoc_buf_release(&gz);
}

Test(export, pprof_maps_unresolved_frames_to_their_module)
{
	struct cdoc_buf raw = CDOC_BUF_INIT;
	size_t count[32] = {0}, nstr = 0, i;
	char *strs[64];
	int lib = 0;

	write_rec();
	cr_assert_eq(cdoc_export_pprof_raw(&rec, "alloc_bytes", &raw), 0);
	walk(&raw, count, strs, &nstr);
	cr_assert_eq(count[3], 2); /* /bin/app and libfoo.so */
	for (i = 0; i < nstr; i++) {
		lib |= !strcmp(strs[i], "libfoo.so");
		free(strs[i]);
	}
	cr_assert(lib);
	cdoc_buf_release(&raw);
}

Test(export, unknown_profile_lists_what_there_is)
{
	struct cdoc_buf out = CDOC_BUF_INIT;

	write_rec();
	cr_assert_eq(cdoc_export(&rec, CDOC_EXPORT_PPROF, "heapx", &out),
	             -CDOC_EFORMAT);
	cr_assert_not_null(strstr(cdoc_errmsg(), "(it has: alloc_bytes, cpu)"),
	                   "%s", cdoc_errmsg());
	cdoc_buf_release(&out);
}

Test(export, speedscope_has_one_evented_profile_per_thread)
{
	struct cdoc_buf out = CDOC_BUF_INIT;

	write_rec();
	cr_assert_eq(cdoc_export_speedscope(&rec, "cpu", &out), 0);
	cr_assert_eq(cdoc_json_check(out.buf, out.len, 1, "ss"), 0, "%s",
	             cdoc_errmsg());
	cr_assert_not_null(strstr(out.buf, "\"name\":\"app (pid 7, tid 7)\""));
	cr_assert_not_null(strstr(out.buf, "\"name\":\"app (pid 7, tid 8)\""));
	/* tid 7: work 10..13 ms, io 13..15 ms (closed one period after). */
	cr_assert_not_null(strstr(out.buf, "\"startValue\":10000000,"
	                                   "\"endValue\":15000000"));
	cdoc_buf_release(&out);
}

Test(export, cpuprofile_keeps_sample_times)
{
	struct cdoc_buf out = CDOC_BUF_INIT;

	write_rec();
	cr_assert_eq(cdoc_export_cpuprofile(&rec, "cpu", &out), 0);
	cr_assert_eq(cdoc_json_check(out.buf, out.len, 1, "cp"), 0, "%s",
	             cdoc_errmsg());
	/* 10 ms, 11, 12, 13, 14, 20, 21: deltas in microseconds. */
	cr_assert_not_null(strstr(out.buf, "\"timeDeltas\":[10000,1000,1000,"
	                                   "1000,1000,6000,1000]"),
	                   "%s", out.buf);
	cdoc_buf_release(&out);
}

Test(export, trace_is_json_with_balanced_slices)
{
	struct cdoc_buf out = CDOC_BUF_INIT;
	const char *p;
	int b = 0, e = 0;

	write_rec();
	cr_assert_eq(cdoc_export_trace(&rec, &out), 0);
	cr_assert_eq(cdoc_json_check(out.buf, out.len, 1, "tr"), 0, "%s",
	             cdoc_errmsg());
	for (p = out.buf; (p = strstr(p, "\"ph\":\"")); p += 6) {
		b += p[6] == 'B';
		e += p[6] == 'E';
	}
	cr_assert_gt(b, 0);
	cr_assert_eq(b, e);
	cdoc_buf_release(&out);
}

Test(export, ingest_url_encodes_labels_and_refuses_bad_ones)
{
	struct cdoc_push_opts o = {"http://h:4040/", "shop", "env=ci,host=a1",
	                           0};
	char *url = NULL;

	cr_assert_eq(cdoc_export_ingest_url(&o, 100, 160, 997, &url), 0);
	cr_assert_str_eq(url, "http://h:4040/ingest?name=shop%7Benv%3Dci%2Chost"
	                      "%3Da1%7D&from=100&until=160&format=pprof"
	                      "&spyName=cdoctor&sampleRate=997");
	free(url);
	o.labels = "env=c}i";
	cr_assert_lt(cdoc_export_ingest_url(&o, 1, 2, 1, &url), 0);
	o.labels = "novalue";
	cr_assert_lt(cdoc_export_ingest_url(&o, 1, 2, 1, &url), 0);
	o.labels = NULL;
	o.app = "a&b";
	cr_assert_lt(cdoc_export_ingest_url(&o, 1, 2, 1, &url), 0);
}

/* Off-CPU time (a timed "_ns" profile) becomes X slices with durations. */
Test(export, trace_writes_intervals_of_ns_profiles_as_slices)
{
	struct cdoc_rec_writer w;
	struct cdoc_buf out = CDOC_BUF_INIT;
	uint32_t off, st;

	cr_assert_eq(cdoc_rec_writer_open(&w, path), 0);
	off = cdoc_rec_str(&w, "offcpu_ns");
	st = cdoc_rec_stack(&w, cdoc_rec_stack(&w, 0, cdoc_rec_str(&w, "app")),
	                    cdoc_rec_str(&w, "futex_wait"));
	cdoc_rec_sample_at(&w, off, 7, 9, 2000000, st, 5000000);
	cr_assert_eq(cdoc_rec_writer_close(&w), 0);
	cr_assert_eq(cdoc_recording_load(&rec, path), 0, "%s", cdoc_errmsg());
	cr_assert_eq(cdoc_export_trace(&rec, &out), 0);
	cr_assert_eq(cdoc_json_check(out.buf, out.len, 1, "tr"), 0, "%s",
	             cdoc_errmsg());
	cr_assert_not_null(
	        strstr(out.buf, "\"ph\":\"X\",\"cat\":\"offcpu_ns\","), "%s",
	        out.buf);
	cr_assert_not_null(strstr(out.buf, "\"ts\":2000.000,\"dur\":5000.000,"
	                                   "\"name\":\"futex_wait\""));
	cr_assert_not_null(strstr(out.buf, "\"name\":\"9 offcpu_ns\""));
	cdoc_buf_release(&out);
}
