/* json.c - tests for the JSON report and the HTML report blob. */
#include "../doctor/synth.h"

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

TestSuite(json, .init = setup, .fini = teardown);

static void write_hostile(void)
{
	struct cdoc_rec_writer w;
	const char *names[] = {"rss_bytes"};
	double v[] = {1.0 / 0.0};

	synth_open(&w);
	cdoc_rec_meta(&w, "command", "run \"x\" </script>");
	cdoc_rec_meta(&w, "key\"\n", "v");
	cdoc_rec_process(&w, 7, 1, "a\\b");
	cdoc_rec_exit(&w, 7, 9); /* SIGKILL */
	synth_folded(&w, "cpu", 7, "p;quote\"back\\slash<tag>&\t 10\n");
	cdoc_rec_metrics(&w, 5, names, v, 1);
	synth_load(&w, &rec);
}

Test(json, names_are_escaped_and_infinities_are_null)
{
	write_hostile();
	cr_assert_eq(cdoc_report_json(&rec, NULL, &out), 0);
	cr_assert(strstr(out.buf, "\"command\":\"run \\\"x\\\" "
	                          "\\u003c/script\\u003e\""),
	          "%s", out.buf);
	cr_assert(strstr(out.buf, "\"key\\\"\\u000a\":\"v\""), "%s", out.buf);
	cr_assert(strstr(out.buf, "\"name\":\"a\\\\b\""));
	cr_assert(strstr(out.buf, "\"signal\":9"));
	cr_assert(strstr(out.buf, "\"status\":\"killed by SIGKILL\""));
	cr_assert(strstr(out.buf, "quote\\\"back\\\\slash\\u003ctag\\u003e"
	                          "\\u0026\\u0009"),
	          "%s", out.buf);
	cr_assert(strstr(out.buf, "{\"time_ns\":5,\"values\":"
	                          "{\"rss_bytes\":null}}"),
	          "%s", out.buf);
	cr_assert_null(strstr(out.buf, "<"));
}

Test(json, has_every_section)
{
	write_hostile();
	cdoc_report_json(&rec, NULL, &out);
	cr_assert(strstr(out.buf, "\"complete\":true"));
	cr_assert(strstr(out.buf, "\"cut_short\":null"));
	cr_assert(strstr(out.buf, "\"counters\":{\"samples\":0,"
	                          "\"lost_samples\":0,"));
	cr_assert(strstr(out.buf, "\"diagnoses\":[{\"severity\":\"problem\","
	                          "\"code\":\"crashed\""),
	          "%s", out.buf);
	cr_assert(strstr(out.buf, "\"profiles\":[{\"name\":\"cpu\",\"unit\":"
	                          "\"samples\",\"total\":10,\"top_self\":"));
	cr_assert(strstr(out.buf, "\"self_pct\":100,"));
	cr_assert_eq(out.buf[out.len - 2], '}');
}

Test(json, blob_maps_severities_for_the_flame_page)
{
	struct cdoc_diagnoses d;

	write_hostile();
	cdoc_diagnoses_init(&d);
	cdoc_diagnoses_add(&d, CDOC_SEV_PROBLEM, "a", "A", "ra", "da");
	cdoc_diagnoses_add(&d, CDOC_SEV_WARNING, "b", "B", "rb", "db");
	cdoc_report_blob(&rec, &d, &out);
	cr_assert(strstr(out.buf, "\"items\":[{\"severity\":\"error\","
	                          "\"title\":\"A\",\"detail\":\"da\","
	                          "\"recommendation\":\"ra\"},"
	                          "{\"severity\":\"warning\""),
	          "%s", out.buf);
	cr_assert(strstr(out.buf, "\"metadata\":{\"command\":"));
	cr_assert(strstr(out.buf, "\"process 7\":\"a\\\\b: killed by "
	                          "SIGKILL\""),
	          "%s", out.buf);
	cdoc_diagnoses_release(&d);
}

Test(json, blob_without_findings_says_ok)
{
	struct cdoc_diagnoses d;

	synth_cpu(&rec, "p;a 1\n");
	cdoc_diagnoses_init(&d);
	cdoc_report_blob(&rec, &d, &out);
	cr_assert(strstr(out.buf, "\"severity\":\"ok\""));
	cdoc_diagnoses_release(&d);
}
