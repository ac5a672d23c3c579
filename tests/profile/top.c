/* top.c - tests for the top-N table. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "profile/profile.h"

static struct cdoc_profile p;

static void setup(void)
{
	cdoc_profile_init(&p);
}

static void teardown(void)
{
	cdoc_profile_release(&p);
}

TestSuite(top, .init = setup, .fini = teardown);

static void load(const char *text)
{
	struct cdoc_input in;

	cdoc_input_from_mem(&in, "t", text, strlen(text));
	cr_assert_eq(cdoc_profile_load_folded(&p, &in, 0), 0);
	cdoc_input_release(&in);
}

static const char *name(const struct cdoc_top_entry *e)
{
	return cdoc_strtab_get(&p.names, e->name);
}

Test(top, ranks_by_self)
{
	struct cdoc_top_entry *t;
	size_t n;

	load("main;work;hash 70\nmain;work 10\nmain;io 20\n");
	n = cdoc_profile_top(&p, 0, CDOC_TOP_SELF, &t);
	cr_assert_eq(n, 4);
	cr_assert_str_eq(name(&t[0]), "hash");
	cr_assert_eq(t[0].self, 70);
	cr_assert_str_eq(name(&t[1]), "io");
	cr_assert_str_eq(name(&t[3]), "main");
	cr_assert_eq(t[3].total, 100);
	free(t);
}

Test(top, recursion_counts_total_once)
{
	struct cdoc_top_entry *t;
	size_t n;

	load("main;fib;fib;fib 5\nmain;fib 1\nmain;other 4\n");
	n = cdoc_profile_top(&p, 0, CDOC_TOP_TOTAL, &t);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(name(&t[0]), "main");
	cr_assert_str_eq(name(&t[1]), "fib");
	cr_assert_eq(t[1].total, 6);
	cr_assert_eq(t[1].self, 6);
	free(t);
}
