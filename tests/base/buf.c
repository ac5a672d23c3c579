/* buf.c - tests for struct cdoc_buf and the escaping helpers. */
#include <criterion/criterion.h>
#include <string.h>

#include "base/base.h"

static struct cdoc_buf b;

static void setup(void)
{
	cdoc_buf_init(&b);
}

static void teardown(void)
{
	cdoc_buf_release(&b);
}

TestSuite(buf, .init = setup, .fini = teardown);

Test(buf, addf_grows_past_initial_size)
{
	int i;

	for (i = 0; i < 1000; i++)
		cdoc_buf_addf(&b, "%d,", i);
	cr_assert_eq(b.len, strlen(b.buf));
	cr_assert(!strncmp(b.buf, "0,1,2,", 6));
	cr_assert(strstr(b.buf, "999,") != NULL);
}

Test(buf, addu64_writes_decimal)
{
	cdoc_buf_addu64(&b, 0);
	cdoc_buf_addch(&b, ' ');
	cdoc_buf_addu64(&b, 18446744073709551615ULL);
	cr_assert_str_eq(b.buf, "0 18446744073709551615");
}

Test(buf, xml_escapes_markup_and_quotes)
{
	const char *s = "<script>alert('x')&\"y\"</script>";

	cdoc_buf_add_xml(&b, s, strlen(s));
	cr_assert_str_eq(b.buf, "&lt;script&gt;alert(&#39;x&#39;)&amp;&quot;"
	                        "y&quot;&lt;/script&gt;");
}

Test(buf, xml_replaces_control_characters)
{
	const char s[] = "a\x01"
	                 "b\n\tc";

	cdoc_buf_add_xml(&b, s, strlen(s));
	cr_assert_str_eq(b.buf, "a?b?\tc");
}

Test(buf, json_escapes_quotes_controls_and_html)
{
	const char s[] = "a\"b\\c\nd</script>";

	cdoc_buf_add_json(&b, s, strlen(s));
	cr_assert_str_eq(b.buf, "a\\\"b\\\\c\\u000ad\\u003c/script\\u003e");
}

Test(buf, detach_hands_over_string)
{
	size_t len;
	char *s;

	cdoc_buf_addstr(&b, "hello");
	s = cdoc_buf_detach(&b, &len);
	cr_assert_str_eq(s, "hello");
	cr_assert_eq(len, 5);
	cr_assert_null(b.buf);
	free(s);
}

Test(buf, term_replaces_c0_c1_del_and_invalid_utf8)
{
	/* ESC ] title BEL, 8-bit CSI as UTF-8 (C2 9B) and raw, DEL,
	 * a stray continuation byte; é and 日 stay. */
	const char s[] = "a\x1b]0;x\x07"
	                 "b\xc2\x9b"
	                 "31m\x9b"
	                 "c\x7f"
	                 "d\x80"
	                 "e\xc3\xa9\xe6\x97\xa5";

	cdoc_buf_add_term(&b, s, strlen(s));
	cr_assert_str_eq(b.buf, "a?]0;x?b?31m?c?d?e\xc3\xa9\xe6\x97\xa5");
}

Test(buf, json_replaces_invalid_utf8)
{
	const char s[] = "ok\xff\xfe\xc3\xa9";

	cdoc_buf_add_json(&b, s, strlen(s));
	cr_assert_str_eq(b.buf, "ok\\ufffd\\ufffd\xc3\xa9");
}

Test(buf, xml_replaces_invalid_utf8)
{
	const char s[] = "f\xed\xa0\x80g";

	cdoc_buf_add_xml(&b, s, strlen(s));
	cr_assert_str_eq(b.buf, "f\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdg");
}
