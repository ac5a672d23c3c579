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

Test(html, no_samples_gives_the_basic_page)
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
