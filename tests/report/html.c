/* html.c - tests for the HTML report and folded output. */
#include "../doctor/synth.h"

#include <errno.h>

#include "report/report.h"

static struct cdoc_recording rec;
static struct cdoc_buf out;

static void setup(void)
{
	synth_setup();
	memset(&rec, 0, sizeof(rec));
	cdoc_buf_init(&out);
}

static void teardown(void)
{
	cdoc_buf_release(&out);
	cdoc_recording_release(&rec);
	synth_teardown();
}

TestSuite(html, .init = setup, .fini = teardown);

Test(html, page_has_every_profile_and_the_diagnoses)
{
	struct cdoc_rec_writer w;

	synth_open(&w);
	cdoc_rec_meta(&w, "command", "./app <b>");
	synth_folded(&w, "cpu", 1,
	             "app;main;<script>alert(1)</script> 90\n"
	             "app;main;other 10\n");
	synth_folded(&w, "leaked_bytes", 1, "app;main;malloc 100\n");
	synth_folded(&w, "alloc_count", 1, "app;main;zero 0\n");
	synth_load(&w, &rec);
	cr_assert_eq(cdoc_report_html(&rec, NULL, &out), 0, "%s",
	             cdoc_errmsg());
	cr_assert(!strncmp(out.buf, "<!DOCTYPE html>", 15));
	cr_assert_null(strstr(out.buf, "<script>alert"));
	cr_assert_null(strstr(out.buf, "<b>"));
	cr_assert(strstr(out.buf, "One function dominates CPU time"));
	cr_assert(strstr(out.buf, "leaked_bytes"));
	cr_assert_null(strstr(out.buf, "\"alloc_count\""),
	               "profiles without weight are left out");
	cr_assert_null(strstr(out.buf, "http://"), "nothing from the network");
	cr_assert_null(strstr(out.buf, "https://"));
}

Test(html, no_samples_still_gives_findings_and_tables)
{
	struct cdoc_rec_writer w;
	struct cdoc_report_opts o;

	synth_open(&w);
	cdoc_rec_meta(&w, "command", "x & <y>");
	cdoc_rec_counter(&w, "lost_samples", 4);
	synth_load(&w, &rec);
	cdoc_report_opts_init(&o);
	o.title = "T <1>";
	cr_assert_eq(cdoc_report_html(&rec, &o, &out), 0, "%s", cdoc_errmsg());
	cr_assert(strstr(out.buf, "<title>T &lt;1&gt;</title>"), "%s", out.buf);
	cr_assert(strstr(out.buf, "No CPU samples recorded"));
	cr_assert(strstr(out.buf, "<td>x &amp; &lt;y&gt;</td>"));
	cr_assert(strstr(out.buf, "<th>lost_samples</th><td class=\"n\">4"));
	cr_assert(strstr(out.buf, "\"profiles\":[]"), "no profiles: no tabs");
	cr_assert_null(strstr(out.buf, "{{"));
}

Test(html, folded_writes_any_profile)
{
	struct cdoc_rec_writer w;

	synth_open(&w);
	synth_folded(&w, "cpu", 1, "a;b 3\na;c 4\n");
	synth_folded(&w, "alloc_bytes", 1, "a;malloc 4096\n");
	synth_load(&w, &rec);
	cr_assert_eq(cdoc_report_folded(&rec, "cpu", &out), 0);
	cr_assert_str_eq(out.buf, "a;b 3\na;c 4\n");
	cdoc_buf_reset(&out);
	cr_assert_eq(cdoc_report_folded(&rec, "alloc_bytes", &out), 0);
	cr_assert_str_eq(out.buf, "a;malloc 4096\n");
}

Test(html, folded_unknown_profile_lists_what_there_is)
{
	synth_cpu(&rec, "a;b 3\n");
	cr_assert_eq(cdoc_report_folded(&rec, "leaked_bytes", &out), -ENOENT);
	cr_assert(strstr(cdoc_errmsg(), "no profile 'leaked_bytes'"));
	cr_assert(strstr(cdoc_errmsg(), "(it has: cpu)"), "%s", cdoc_errmsg());
}

Test(html, units_follow_profile_names)
{
	cr_assert_str_eq(cdoc_report_unit("cpu"), "samples");
	cr_assert_str_eq(cdoc_report_unit("alloc_bytes"), "bytes");
	cr_assert_str_eq(cdoc_report_unit("leaked_bytes"), "bytes");
	cr_assert_str_eq(cdoc_report_unit("alloc_count"), "allocations");
	cr_assert_str_eq(cdoc_report_unit("leaked_count"), "blocks");
}

/* Count occurrences of @needle in @hay. */
static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* The numbers of the first JSON array after @key in @s. */
static size_t array_len(const char *s, const char *key)
{
	const char *p = strstr(s, key), *end;
	size_t n = 1;

	cr_assert_not_null(p, "no %s", key);
	p = strchr(p, '[');
	end = strchr(p, ']');
	if (end == p + 1)
		return 0;
	for (; p < end; p++)
		n += *p == ',';
	return n;
}

Test(html, long_metrics_are_downsampled_with_envelopes)
{
	struct cdoc_rec_writer w;
	const char *names[] = {"rss_bytes", "ctx_voluntary", "faults_major"};
	double v[3];
	uint64_t i;

	synth_open(&w);
	/* An hour at 5 Hz: 18000 points per metric. */
	for (i = 0; i < 18000; i++) {
		v[0] = 1e6 + (double)(i % 100) * 1000; /* saw-tooth */
		v[1] = (double)i * 10;                 /* 10 per step: 50/s */
		v[2] = 0;
		cr_assert_eq(
		        cdoc_rec_metrics(&w, i * 200000000ull, names, v, 3), 0);
	}
	synth_folded(&w, "cpu", 1, "a;b 3\n");
	synth_load(&w, &rec);
	cr_assert_eq(cdoc_report_html(&rec, NULL, &out), 0, "%s",
	             cdoc_errmsg());
	cr_assert_lt(out.len, 400000, "page of %zu bytes", out.len);
	cr_assert_leq(array_len(strstr(out.buf, "\"rss_bytes\""), "\"t\":"),
	              1200);
	/* 15 points (3 s) a bucket: min, max of 1e6 + 0..14 * 1000. */
	cr_assert(strstr(strstr(out.buf, "\"rss_bytes\""), "\"lo\":[1000000,"),
	          "min of the first bucket");
	cr_assert(strstr(strstr(out.buf, "\"rss_bytes\""), "\"hi\":[1014000,"),
	          "max of the first bucket");
	cr_assert(strstr(strstr(out.buf, "\"ctx_voluntary\""), "\"v\":[50,50"),
	          "counters become rates per second");
	cr_assert(strstr(out.buf, "\"metric\":\"faults_major\",\"label\":"
	                          "\"major\",\"zero\":true"),
	          "all-zero series are marked to fold away");
}

Test(html, timed_samples_give_time_buckets_per_frame)
{
	struct cdoc_rec_writer w;
	uint32_t cpu, a, b, c;
	uint64_t i;

	synth_open(&w);
	cpu = cdoc_rec_str(&w, "cpu");
	a = cdoc_rec_stack(&w, CDOC_REC_ROOT, cdoc_rec_str(&w, "main"));
	b = cdoc_rec_stack(&w, a, cdoc_rec_str(&w, "early"));
	c = cdoc_rec_stack(&w, a, cdoc_rec_str(&w, "late"));
	/* "early" in the first half of 10 s, "late" in the second. */
	for (i = 0; i < 100; i++)
		cr_assert_eq(cdoc_rec_sample_at(&w, cpu, 7, 7, i * 100000000ull,
		                                i < 50 ? b : c, 1),
		             0);
	cdoc_rec_meta(&w, "duration_ns", "10000000000");
	synth_load(&w, &rec);
	cr_assert_eq(cdoc_report_html(&rec, NULL, &out), 0, "%s",
	             cdoc_errmsg());
	cr_assert(strstr(out.buf, "\"timed\":{\"span\":10,\"buckets\":1000,"),
	          "%s", strstr(out.buf, "\"profiles\""));
	/* node ids: 0 all, 1 main, 2 early, 3 late; 100 samples, 100
	 * buckets of 10 ms each used once. */
	cr_assert(strstr(out.buf, "\"b\":[0,2,1,10,2,1,"), "%s",
	          strstr(out.buf, "\"b\":"));
	cr_assert(strstr(out.buf, ",990,3,1]}"));
}

Test(html, many_small_stacks_are_merged_into_their_callers)
{
	struct cdoc_rec_writer w;
	struct cdoc_buf folded = CDOC_BUF_INIT;
	size_t base;
	int i;

	synth_open(&w);
	cdoc_buf_addstr(&folded, "main;hot 1000000\n");
	for (i = 0; i < 12000; i++)
		cdoc_buf_addf(&folded, "main;cold;f%d 1\n", i);
	synth_folded(&w, "cpu", 1, folded.buf);
	synth_load(&w, &rec);
	cr_assert_eq(cdoc_report_html(&rec, NULL, &out), 0, "%s",
	             cdoc_errmsg());
	cr_assert(strstr(out.buf, "\"cold\""), "the caller stays");
	base = strstr(out.buf, "\"profiles\":") - out.buf;
	cr_assert_null(strstr(out.buf, "\"f123\""), "narrow frames merge");
	/* The profile data ends where the data script does: a few frames. */
	cr_assert_lt(
	        (size_t)(strstr(out.buf + base, "</script>") - out.buf) - base,
	        1000, "profile data of %zu bytes",
	        (size_t)(strstr(out.buf + base, "</script>") - out.buf) - base);
	cr_assert_eq(count(out.buf, "\"frames\":12004"), 1,
	             "the page says how many frames there were");
	cdoc_buf_release(&folded);
}

Test(html, names_in_the_data_cannot_end_the_script)
{
	synth_cpu(&rec, "main;</script><img src=x onerror=alert(1)> 5\n");
	cr_assert_eq(cdoc_report_html(&rec, NULL, &out), 0, "%s",
	             cdoc_errmsg());
	cr_assert_null(strstr(out.buf, "</script><img"));
	cr_assert(strstr(out.buf, "\\u003c/script\\u003e\\u003cimg"));
}

Test(html, few_threads_get_a_cpu_chart_each)
{
	struct cdoc_rec_writer w;
	uint32_t cpu, st;
	uint64_t i;

	synth_open(&w);
	cdoc_rec_meta(&w, "event", "cpu-clock");
	cdoc_rec_meta(&w, "frequency", "100");
	cdoc_rec_meta(&w, "duration_ns", "10000000000");
	cpu = cdoc_rec_str(&w, "cpu");
	st = cdoc_rec_stack(&w, CDOC_REC_ROOT, cdoc_rec_str(&w, "spin"));
	/* thread 11 busy all 10 s at 100 Hz; thread 12 in the first 5 s
	 * only, every other tick (50 % of a CPU). */
	for (i = 0; i < 1000; i++) {
		cr_assert_eq(cdoc_rec_sample_at(&w, cpu, 10, 11,
		                                i * 10000000ull, st, 1),
		             0);
		if (i < 500 && i % 2 == 0)
			cr_assert_eq(cdoc_rec_sample_at(&w, cpu, 10, 12,
			                                i * 10000000ull, st, 1),
			             0);
	}
	synth_load(&w, &rec);
	cr_assert_eq(cdoc_report_html(&rec, NULL, &out), 0, "%s",
	             cdoc_errmsg());
	cr_assert(strstr(out.buf, "\"id\":\"thread_cpu\""), "no chart");
	/* 0.2 s buckets: 20 samples of 1/100 s = 100 %; 10 = 50 %. */
	cr_assert(strstr(out.buf, "\"label\":\"thread 11\",\"zero\":false,"
	                          "\"n\":50,\"t\":[0.1,0.3,"),
	          "%s", strstr(out.buf, "thread_cpu"));
	cr_assert(strstr(strstr(out.buf, "\"thread 11\""), "\"v\":[100,100,"));
	cr_assert(strstr(strstr(out.buf, "\"thread 12\""), "\"v\":[50,50,"));
}
