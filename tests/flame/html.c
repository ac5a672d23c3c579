/* html.c - tests for the HTML page and the top table. */
#include <criterion/criterion.h>
#include <string.h>

#include "flame/flame.h"

static struct cdoc_profile p;
static struct cdoc_buf out;

static void setup(void)
{
	cdoc_profile_init(&p);
	cdoc_buf_init(&out);
}

static void teardown(void)
{
	cdoc_profile_release(&p);
	cdoc_buf_release(&out);
}

TestSuite(html, .init = setup, .fini = teardown);

static void load(const char *text)
{
	struct cdoc_input in;

	cdoc_input_from_mem(&in, "test", text, strlen(text));
	cr_assert_eq(cdoc_profile_load_folded(&p, &in, 0), 0, "%s",
	             cdoc_errmsg());
	cdoc_input_release(&in);
}

static int count(const char *needle)
{
	const char *s = out.buf;
	int n = 0;

	while ((s = strstr(s, needle))) {
		n++;
		s += strlen(needle);
	}
	return n;
}

Test(html, names_cannot_break_out_of_the_script)
{
	struct cdoc_flame_view v = {"cpu", &p, 0, "samples"};

	load("main;</script><script>alert(1)</script> 5\nmain;\"&' 1\n");
	cr_assert_eq(cdoc_flame_html(&out, &v, 1, NULL), 0);
	cr_assert_eq(count("</script>"), 2, "only the page's own scripts");
	cr_assert_eq(count("alert(1)"), 1);
	cr_assert_gt(count("\\u003c/script\\u003e"), 0);
	cr_assert_gt(count("\\\"\\u0026'"), 0);
}

Test(html, report_blob_is_embedded_and_defused)
{
	struct cdoc_flame_view v = {"cpu", &p, 0, "samples"};
	struct cdoc_flame_html_opts o = {
	        .title = "T <b>",
	        .report_json = "{\"title\":\"x</script><script>bad()\","
	                       "\"items\":[]}",
	};

	load("main 1\n");
	cr_assert_eq(cdoc_flame_html(&out, &v, 1, &o), 0);
	cr_assert_eq(count("</script>"), 2);
	cr_assert_gt(count("\"report\":{\"title\":\"x\\u003c/script"), 0);
	cr_assert_gt(count("<title>T &lt;b&gt;</title>"), 0);
}

Test(html, page_is_offline_and_complete)
{
	struct cdoc_flame_view v[2] = {{"cpu", &p, 0, "samples"},
	                               {"alloc bytes", &p, 0, "bytes"}};

	load("main;a 3\nmain;b 1\n");
	cr_assert_eq(cdoc_flame_html(&out, v, 2, NULL), 0);
	cr_assert_eq(count("src=\""), 0);
	cr_assert_eq(count("href=\""), 0);
	cr_assert_eq(count("http://"), 0);
	cr_assert_eq(count("https://"), 0);
	cr_assert_gt(count("Content-Security-Policy"), 0);
	cr_assert_gt(count("\"name\":\"alloc bytes\""), 0);
	cr_assert_gt(count("\"total\":4"), 0);
	cr_assert_eq(count("{{"), 0, "every template key filled");
}

Test(html, no_views_is_an_error)
{
	cr_assert_lt(cdoc_flame_html(&out, NULL, 0, NULL), 0);
}

Test(html, minwidth_prunes_frames_from_the_data)
{
	struct cdoc_flame_view v = {"cpu", &p, 0, "samples"};
	struct cdoc_flame_html_opts o = {.minwidth_pct = 1};

	load("main;big 1000\nmain;tiny_frame 1\n");
	cr_assert_eq(cdoc_flame_html(&out, &v, 1, &o), 0);
	/* tiny_frame is still in the top table's names, not in frames: */
	cr_assert_eq(count("\"tiny_frame\""), 1);
	cr_assert_eq(count("\"big\""), 1);
}

Test(html, top_text_counts_recursion_once)
{
	struct cdoc_flame_top_opts o = {.limit = 10, .only = 2};

	load("main;rec;rec;rec 4\nmain;other 4\n");
	cdoc_flame_top_text(&out, &p, &o);
	cr_assert(strstr(out.buf, "4  50.00%  rec") ||
	                  strstr(out.buf, "50.00%  rec"),
	          "%s", out.buf);
	cr_assert(strstr(out.buf, "8 100.00%  main"), "%s", out.buf);
	cr_assert_eq(count("\033["), 0, "no colour unless asked");
}

Test(html, top_text_neutralizes_terminal_escapes)
{
	struct cdoc_flame_top_opts o = {.limit = 10};

	load("main;evil\033[2J 4\n");
	cdoc_flame_top_text(&out, &p, &o);
	cr_assert_eq(count("\033"), 0);
	cr_assert_gt(count("evil?[2J"), 0);
}
