/*
 * json.c - cdoc_json_check: what it accepts, what it refuses, and that its
 * messages name the input and the offset of the first fault.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "base/base.h"

static int check(const char *s, int want_object)
{
	return cdoc_json_check(s, strlen(s), want_object, "r.json");
}

Test(json, accepts_rfc8259_values)
{
	cr_assert_eq(check(" {\"a\":[1,-0,2.5,-3e10,4E-2,true,false,null],"
	                   "\"b\":{\"c\":\"\\u00e9\\n\\\"\\\\\\/\"},"
	                   "\"\xc3\xa9\":[]}\n",
	                   1),
	             0, "%s", cdoc_errmsg());
	cr_assert_eq(check("[]", 0), 0);
	cr_assert_eq(check("\"x\"", 0), 0);
	cr_assert_eq(check("-12.5e+7", 0), 0);
}

Test(json, refuses_what_json_parse_would_refuse)
{
	static const char *const bad[] = {
	        "",           "{",           "{\"a\":1,}", "{\"a\" 1}",
	        "{a:1}",      "[1,]",        "[01]",       "[1.]",
	        "[.5]",       "[1e]",        "[+1]",       "[tru]",
	        "[\"\\x\"]",  "[\"\\u12\"]", "[\"a\nb\"]", "{} {}",
	        "[\"\xff\"]", "'a'",         "[NaN]",      "{\"a\":1}x",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(check(bad[i], 0), -CDOC_EFORMAT, "accepted: %s",
		             bad[i]);
}

Test(json, wants_an_object_when_asked)
{
	cr_assert_eq(check("[1]", 1), -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(), "r.json: offset 0: not a JSON object"),
	          "%s", cdoc_errmsg());
	cr_assert_eq(check("{}", 1), 0);
}

Test(json, names_the_offset_of_the_fault)
{
	cr_assert_eq(check("{\"a\":[1,2,}", 1), -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(), "r.json: offset 10: unexpected"), "%s",
	          cdoc_errmsg());
}

Test(json, limits_nesting)
{
	char deep[2 * CDOC_JSON_MAX_DEPTH + 8];
	size_t n = CDOC_JSON_MAX_DEPTH + 1, i;

	for (i = 0; i < n; i++) {
		deep[i] = '[';
		deep[2 * n - 1 - i] = ']';
	}
	deep[2 * n] = 0;
	cr_assert_eq(check(deep, 0), -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(), "nested too deep"), "%s",
	          cdoc_errmsg());
	cr_assert_eq(check(deep + 1, 0), -CDOC_EFORMAT, "unbalanced");
	deep[2 * n - 1] = 0;
	cr_assert_eq(check(deep + 1, 0), 0, "%s", cdoc_errmsg());
}
