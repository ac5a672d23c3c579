/* check.c - tests for the statistical regression gate of `cdoctor check`. */
#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

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

/* Compare a and b as cpu profiles (weights are samples). */
static size_t check(void)
{
	cdoc_check_add(&res, "cpu", &a, cdoc_profile_total(&a, 0), &b,
	               cdoc_profile_total(&b, 0), &opts);
	return cdoc_check_finish(&res, &opts);
}

Test(check, defaults_are_two_points_at_alpha_one_percent)
{
	cr_assert_eq(opts.min_effect, 2.0);
	cr_assert_eq(opts.alpha, 0.01);
}

Test(check, identical_shares_pass)
{
	load(&a, "m;a 5000\nm;b 5000\n");
	load(&b, "m;a 50000\nm;b 50000\n");
	cr_assert_eq(check(), 0);
	cr_assert_eq(res.status, CDOC_CHECK_OK);
	cr_assert_eq(res.profs[0].base_n, 10000);
	cr_assert_eq(res.compared, 6); /* m, a, b: self and total */
}

/* The case: 3 points in a 100k-sample profile is real. */
Test(check, three_point_rise_in_100k_samples_fails_and_names_it)
{
	load(&a, "m;work;hash 10000\nm;io 90000\n");
	load(&b, "m;work;hash 13000\nm;io 87000\n");
	cr_assert_eq(check(), 3); /* hash self and total, work total */
	cr_assert_eq(res.status, CDOC_CHECK_FAIL);
	cr_assert_str_eq(res.items[0].name, "hash");
	cr_assert_eq(res.items[0].total, 0);
	cr_assert_float_eq(res.items[0].base, 10.0, 1e-9);
	cr_assert_float_eq(res.items[0].cur, 13.0, 1e-9);
	cr_assert_lt(res.items[0].p_adj, 1e-10);
	cr_assert_geq(res.items[0].p_adj, res.items[0].p);
}

/* The other case: shares of a handful of samples are noise. */
Test(check, rise_in_few_samples_is_inconclusive_not_a_failure)
{
	load(&a, "m;idle 8\nm;poll 4\n");
	load(&b, "m;idle 4\nm;poll 7\nm;accept 2\n");
	cr_assert_eq(check(), 0);
	cr_assert_eq(res.status, CDOC_CHECK_INCONCLUSIVE);
	cr_assert(res.profs[0].inconclusive);
	cr_assert_gt(res.profs[0].detectable, 20);
}

Test(check, significant_rise_below_min_effect_passes)
{
	load(&a, "m;hash 1000000\nm;io 9000000\n");
	load(&b, "m;hash 1050000\nm;io 8950000\n"); /* +0.5 points */
	cr_assert_eq(check(), 0);
	cr_assert_eq(res.status, CDOC_CHECK_OK);
	opts.min_effect = 0.2;
	cdoc_check_result_release(&res);
	cr_assert_eq(check(), 2);
}

Test(check, new_function_counts_from_zero)
{
	load(&a, "m;io 10000\n");
	load(&b, "m;io 9000\nm;newthing 1000\n");
	cr_assert_eq(check(), 2);
	cr_assert_str_eq(res.items[0].name, "newthing");
	cr_assert_eq(res.items[0].base, 0);
}

/* A small deterministic generator, so the noise test cannot flake. */
static uint64_t rng = 88172645463325252ull;

static double uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (rng >> 11) * (1.0 / 9007199254740992.0);
}

/* @n samples drawn from fixed shares of 12 functions, as folded text. */
static void draw(struct cdoc_profile *p, size_t n)
{
	static const double share[12] = {.30, .20, .12, .10,  .08, .06,
	                                 .05, .04, .02, .015, .01, .005};
	uint64_t cnt[12] = {0};
	struct cdoc_buf t = CDOC_BUF_INIT;
	size_t i, k;

	for (i = 0; i < n; i++) {
		double u = uniform(), acc = 0;

		for (k = 0; k < 11 && (acc += share[k]) < u; k++)
			;
		cnt[k]++;
	}
	for (k = 0; k < 12; k++)
		if (cnt[k])
			cdoc_buf_addf(&t, "main;mid%zu;fn%zu %llu\n", k % 3, k,
			              (unsigned long long)cnt[k]);
	load(p, t.buf);
	cdoc_buf_release(&t);
}

Test(check, noise_between_runs_of_any_length_never_fails)
{
	static const size_t lens[] = {2000, 5000, 20000, 100000};
	size_t trial, fails = 0;

	for (trial = 0; trial < 200; trial++) {
		draw(&a, lens[trial % 4]);
		draw(&b, lens[(trial / 4) % 4]);
		fails += check() > 0;
		cdoc_check_result_release(&res);
		cdoc_profile_release(&a);
		cdoc_profile_release(&b);
		cdoc_profile_init(&a);
		cdoc_profile_init(&b);
	}
	cr_assert_eq(fails, 0);
}

Test(check, holm_adjusts_by_rank)
{
	load(&a, "m;x 1000\nm;y 1000\nm;z 8000\n");
	load(&b, "m;x 1300\nm;y 1200\nm;z 7500\n");
	opts.min_effect = 0;
	check();
	cr_assert_geq(res.nr, 2);
	for (size_t i = 0; i < res.nr; i++)
		cr_assert_geq(res.items[i].p_adj, res.items[i].p);
}

Test(check, recordings_without_cpu_samples_are_an_error)
{
	struct cdoc_recording ra = {0}, rb = {0};

	ra.path = "a.cdr";
	rb.path = "b.cdr";
	cr_assert_eq(cdoc_check_recordings(&ra, &rb, &opts, &res),
	             -CDOC_EFORMAT);
	cr_assert_not_null(strstr(cdoc_errmsg(), "a.cdr"));
}

/*
 * A recording at @p: 10000 cpu samples on m;a, and alloc_bytes of
 * 100 MiB split x% on site;x, the rest on site;y, sampled one per
 * 512 KiB (200 samples).
 */
static void write_alloc_rec(const char *p, int x_pct)
{
	struct cdoc_rec_writer w;
	uint64_t mib = 1 << 20;
	uint32_t cpu, ab, a, x, y;

	cr_assert_eq(cdoc_rec_writer_open(&w, p), 0);
	cdoc_rec_meta(&w, "alloc_tracking", "sampled, one per 524288 bytes");
	cpu = cdoc_rec_str(&w, "cpu");
	ab = cdoc_rec_str(&w, "alloc_bytes");
	a = cdoc_rec_stack(&w, cdoc_rec_stack(&w, 0, cdoc_rec_str(&w, "m")),
	                   cdoc_rec_str(&w, "a"));
	x = cdoc_rec_stack(&w, cdoc_rec_stack(&w, 0, cdoc_rec_str(&w, "site")),
	                   cdoc_rec_str(&w, "x"));
	y = cdoc_rec_stack(&w, cdoc_rec_stack(&w, 0, cdoc_rec_str(&w, "site")),
	                   cdoc_rec_str(&w, "y"));
	cdoc_rec_sample(&w, cpu, 1, a, 10000);
	cdoc_rec_sample(&w, ab, 1, x, 100 * mib * x_pct / 100);
	cdoc_rec_sample(&w, ab, 1, y, 100 * mib * (100 - x_pct) / 100);
	cr_assert_eq(cdoc_rec_writer_close(&w), 0);
}

Test(check, allocation_share_rise_fails_with_its_samples_as_n)
{
	char dir[] = "/tmp/cdoc-check-XXXXXX", pa[64], pb[64];
	struct cdoc_recording ra, rb;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(pa, sizeof(pa), "%s/a.cdr", dir);
	snprintf(pb, sizeof(pb), "%s/b.cdr", dir);
	write_alloc_rec(pa, 50);
	write_alloc_rec(pb, 58);
	cr_assert_eq(cdoc_recording_load(&ra, pa), 0);
	cr_assert_eq(cdoc_recording_load(&rb, pb), 0);
	/* +8 points of 200 samples each: within noise. */
	cr_assert_eq(cdoc_check_recordings(&ra, &rb, &opts, &res),
	             CDOC_CHECK_INCONCLUSIVE);
	cr_assert_eq(res.profs[1].base_n, 200);
	cdoc_check_result_release(&res);
	cdoc_recording_release(&rb);
	write_alloc_rec(pb, 90);
	cr_assert_eq(cdoc_recording_load(&rb, pb), 0);
	cr_assert_eq(cdoc_check_recordings(&ra, &rb, &opts, &res),
	             CDOC_CHECK_FAIL);
	cr_assert_str_eq(res.items[0].profile, "alloc_bytes");
	cr_assert_str_eq(res.items[0].name, "x");
	cdoc_recording_release(&ra);
	cdoc_recording_release(&rb);
	unlink(pa);
	unlink(pb);
	rmdir(dir);
}
