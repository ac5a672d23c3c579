/* folded.c - tests for folded stacks in and out of the stack tree. */
#include <criterion/criterion.h>
#include <string.h>

#include "profile/profile.h"

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

TestSuite(folded, .init = setup, .fini = teardown);

static int load(struct cdoc_profile *prof, const char *text)
{
	struct cdoc_input in;
	int ret;

	cdoc_input_from_mem(&in, "test.folded", text, strlen(text));
	ret = cdoc_profile_load_folded(prof, &in, 0);
	cdoc_input_release(&in);
	return ret;
}

Test(folded, roundtrip_merges_and_sorts_like_stackcollapse)
{
	cr_assert_eq(load(&p, "main;b 3\nmain;a;x 2\nmain;b 4\nmain 1\n"), 0);
	cdoc_profile_write_folded(&p, &out);
	cr_assert_str_eq(out.buf, "main 1\nmain;a;x 2\nmain;b 7\n");
	cr_assert_eq(cdoc_profile_total(&p, 0), 10);
}

Test(folded, sort_is_by_whole_string_bytes)
{
	/* '-' (0x2d) sorts before ';' (0x3b): "a-x" before "a;b". */
	cr_assert_eq(load(&p, "a;b 1\na-x 1\na 1\n"), 0);
	cdoc_profile_write_folded(&p, &out);
	cr_assert_str_eq(out.buf, "a 1\na-x 1\na;b 1\n");
}

Test(folded, names_with_spaces_keep_them)
{
	cr_assert_eq(load(&p, "perf 1234;operator new(unsigned long) 5\n"), 0);
	cdoc_profile_write_folded(&p, &out);
	cr_assert_str_eq(out.buf, "perf 1234;operator new(unsigned long) 5\n");
}

Test(folded, two_columns_make_a_differential_profile)
{
	cr_assert_eq(load(&p, "main;f 3 5\nmain;g 0 2\n"), 0);
	cr_assert_eq(p.columns, 2);
	cr_assert_eq(cdoc_profile_total(&p, 0), 3);
	cr_assert_eq(cdoc_profile_total(&p, 1), 7);
	cdoc_profile_write_folded(&p, &out);
	cr_assert_str_eq(out.buf, "main;f 3 5\nmain;g 0 2\n");
}

Test(folded, crlf_blank_lines_and_fractions)
{
	cr_assert_eq(load(&p, "a;b 2\r\n\n\na;c 1.6\n"), 0);
	cdoc_profile_write_folded(&p, &out);
	cr_assert_str_eq(out.buf, "a;b 2\na;c 2\n");
}

Test(folded, malformed_line_names_file_and_line)
{
	int ret = load(&p, "a;b 2\nthis is not folded\n");

	cr_assert_eq(ret, -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(), "test.folded:2:") != NULL,
	          "message: %s", cdoc_errmsg());
}

Test(folded, sniff_tells_folded_from_perf_script)
{
	const char *folded = "\nmain;f 12\n";
	const char *script = "perf 977/977 [000] 7628263.042515: cycles:\n";

	cr_assert(cdoc_folded_sniff(folded, strlen(folded)));
	cr_assert_not(cdoc_folded_sniff(script, strlen(script)));
}

Test(folded, shared_prefix_reuse_keeps_tree_exact)
{
	/* Prefix "ab;c" shares bytes with "ab;cd" but not the frame. */
	cr_assert_eq(load(&p, "ab;c 1\nab;cd 1\nab;c;e 1\nab 1\n"), 0);
	cdoc_profile_write_folded(&p, &out);
	cr_assert_str_eq(out.buf, "ab 1\nab;c 1\nab;c;e 1\nab;cd 1\n");
	/* root, ab, c, cd, e */
	cr_assert_eq(p.nr_nodes, 5);
}

Test(folded, diff_normalizes_and_strips_hex)
{
	struct cdoc_profile a, b, d;
	struct cdoc_diff_opts opts = {.normalize = 1, .strip_hex = 1};

	cdoc_profile_init(&a);
	cdoc_profile_init(&b);
	cdoc_profile_init(&d);
	cr_assert_eq(load(&a, "main;f 10\nmain;0x1234 10\n"), 0);
	cr_assert_eq(load(&b, "main;f 30\nmain;0xabcd 10\nmain;g 10\n"), 0);
	cdoc_profile_diff(&d, &a, &b, &opts);
	cdoc_profile_write_folded(&d, &out);
	/* a's total 20 scaled to b's 50: each 10 becomes 25. */
	cr_assert_str_eq(out.buf,
	                 "main;0x... 25 10\nmain;f 25 30\nmain;g 0 10\n");
	cdoc_profile_release(&a);
	cdoc_profile_release(&b);
	cdoc_profile_release(&d);
}

Test(folded, merge_adds_into_chosen_column)
{
	struct cdoc_profile q;

	cdoc_profile_init(&q);
	cr_assert_eq(load(&p, "a;b 1\n"), 0);
	cr_assert_eq(load(&q, "a;b 2\na;c 3\n"), 0);
	cdoc_profile_merge(&p, 0, &q, 0);
	cdoc_profile_write_folded(&p, &out);
	cr_assert_str_eq(out.buf, "a;b 3\na;c 3\n");
	cdoc_profile_release(&q);
}

Test(folded, empty_stack_after_empty_frame_goes_to_root)
{
	cr_assert_eq(load(&p, ";; 3\n 4\n"), 0);
	cr_assert_eq(p.nodes[0].self[0], 4);
	cr_assert_eq(cdoc_profile_total(&p, 0), 7);
}

Test(folded, huge_counts_saturate_instead_of_wrapping)
{
	cr_assert_eq(load(&p, "a;b 12000000000000000000\n"
	                      "a;c 12000000000000000000\n"),
	             0);
	cr_assert_eq(cdoc_profile_total(&p, 0), UINT64_MAX);
	cr_assert_eq(p.nodes[0].total[0], UINT64_MAX);
}
