/* strtab.c - tests for string interning and the u64 map. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"

static struct cdoc_strtab t;

static void setup(void)
{
	cdoc_strtab_init(&t);
}

static void teardown(void)
{
	cdoc_strtab_release(&t);
}

TestSuite(strtab, .init = setup, .fini = teardown);

Test(strtab, same_string_gets_same_id)
{
	uint32_t a = cdoc_strtab_intern(&t, "main", 4);
	uint32_t b = cdoc_strtab_intern(&t, "foo", 3);

	cr_assert_neq(a, b);
	cr_assert_eq(cdoc_strtab_intern(&t, "main", 4), a);
	cr_assert_str_eq(cdoc_strtab_get(&t, b), "foo");
}

Test(strtab, ids_survive_growth)
{
	char name[32];
	int i;

	for (i = 0; i < 100000; i++) {
		int n = snprintf(name, sizeof(name), "fn_%d", i);

		cr_assert_eq(cdoc_strtab_intern(&t, name, n), (uint32_t)i);
	}
	cr_assert_str_eq(cdoc_strtab_get(&t, 54321), "fn_54321");
	cr_assert_eq(cdoc_strtab_find(&t, "fn_99999", 8), 99999);
	cr_assert_eq(cdoc_strtab_find(&t, "nope", 4), -1);
}

Test(strtab, embedded_nul_is_distinct)
{
	uint32_t a = cdoc_strtab_intern(&t, "a\0b", 3);
	uint32_t b = cdoc_strtab_intern(&t, "a", 1);

	cr_assert_neq(a, b);
	cr_assert_eq(cdoc_strtab_len(&t, a), 3);
}

Test(u64map, put_get_overwrite)
{
	struct cdoc_u64map m;
	uint32_t v;
	uint64_t k;

	cdoc_u64map_init(&m);
	for (k = 1; k < 50000; k++)
		cdoc_u64map_put(&m, k * 7919, (uint32_t)k);
	cr_assert(cdoc_u64map_get(&m, 7919 * 123, &v));
	cr_assert_eq(v, 123);
	cdoc_u64map_put(&m, 7919 * 123, 5);
	cr_assert(cdoc_u64map_get(&m, 7919 * 123, &v));
	cr_assert_eq(v, 5);
	cr_assert_not(cdoc_u64map_get(&m, 3, &v));
	cdoc_u64map_release(&m);
}
