/* check.c - tests for the regression comparison of `cdoctor check`. */
#include <criterion/criterion.h>
#include <string.h>

#include "doctor/doctor.h"

static struct cdoc_profile a, b;
static struct cdoc_check_result res;
static struct cdoc_check_opts opts;

static void setup(void)
{
	cdoc_profile_init(&a);
	cdoc_profile_init(&b);
	memset(&res, 0, sizeof(res));
	cdoc_check_opts_init(&opts);
}

static void teardown(void)
{
	cdoc_profile_release(&a);
	cdoc_profile_release(&b);
	cdoc_check_result_release(&res);
}

TestSuite(check, .init = setup, .fini = teardown);

static void load(struct cdoc_profile *p, const char *text)
{
	struct cdoc_input in;

	cdoc_input_from_mem(&in, "t", text, strlen(text));
	cr_assert_eq(cdoc_profile_load_folded(p, &in, 0), 0);
	cdoc_input_release(&in);
}

Test(check, defaults_are_five_points_and_one_percent)
{
	cr_assert_eq(opts.max_regress, 5.0);
	cr_assert_eq(opts.min_share, 1.0);
}

Test(check, identical_profiles_do_not_regress)
{
	load(&a, "m;a 50\nm;b 50\n");
	load(&b, "m;a 500\nm;b 500\n");
	cr_assert_eq(cdoc_check_profiles(&a, &b, &opts, &res), 0);
	cr_assert_eq(res.base_total, 100);
	cr_assert_eq(res.cur_total, 1000);
}

Test(check, share_rise_beyond_threshold_regresses_self_and_total)
{
	load(&a, "m;work;hash 10\nm;io 90\n");
	load(&b, "m;work;hash 30\nm;io 70\n");
	cr_assert_eq(cdoc_check_profiles(&a, &b, &opts, &res), 3);
	/* hash self, hash total, work total: +20 each; ties by kind, name.
	 * m stays at 100% total and work has no self weight. */
	cr_assert_str_eq(res.items[0].name, "hash");
	cr_assert_eq(res.items[0].total, 0);
	cr_assert_float_eq(res.items[0].base, 10.0, 1e-9);
	cr_assert_float_eq(res.items[0].cur, 30.0, 1e-9);
	cr_assert_str_eq(res.items[1].name, "hash");
	cr_assert_eq(res.items[1].total, 1);
	cr_assert_str_eq(res.items[2].name, "work");
	cr_assert_eq(res.items[2].total, 1);
}

Test(check, rise_within_threshold_passes)
{
	load(&a, "m;hash 10\nm;io 90\n");
	load(&b, "m;hash 14\nm;io 86\n");
	cr_assert_eq(cdoc_check_profiles(&a, &b, &opts, &res), 0);
	opts.max_regress = 3;
	cr_assert_eq(cdoc_check_profiles(&a, &b, &opts, &res), 2);
}

Test(check, new_function_counts_from_zero)
{
	load(&a, "m;io 100\n");
	load(&b, "m;io 90\nm;newthing 10\n");
	cr_assert_eq(cdoc_check_profiles(&a, &b, &opts, &res), 2);
	cr_assert_str_eq(res.items[0].name, "newthing");
	cr_assert_eq(res.items[0].base, 0);
}

Test(check, min_share_filters_small_functions)
{
	load(&a, "m;io 1000\n");
	load(&b, "m;io 920\nm;tiny 80\n");
	opts.min_share = 10;
	cr_assert_eq(cdoc_check_profiles(&a, &b, &opts, &res), 0);
}
