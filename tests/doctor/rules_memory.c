/* rules_memory.c - tests for memory growth and leak rules. */
#include "synth.h"

#include "doctor/doctor.h"

static struct cdoc_recording rec;
static struct cdoc_diagnoses diag;
static struct cdoc_rec_writer w;

static void setup(void)
{
	synth_setup();
	cdoc_diagnoses_init(&diag);
	memset(&rec, 0, sizeof(rec));
	synth_open(&w);
	synth_folded(&w, "cpu", 1, "p;a 50\np;b 50\n");
}

static void teardown(void)
{
	cdoc_diagnoses_release(&diag);
	cdoc_recording_release(&rec);
	synth_teardown();
}

TestSuite(rules_memory, .init = setup, .fini = teardown);

static const struct cdoc_diagnosis *diagnose(const char *code)
{
	synth_load(&w, &rec);
	cdoc_doctor_run(&rec, &diag);
	return cdoc_diagnoses_find(&diag, code);
}

static void rss_points(const double *mib, int n)
{
	const char *name = "rss_bytes";
	int i;

	for (i = 0; i < n; i++) {
		double v = mib[i] * 1024 * 1024;

		cr_assert_eq(
		        cdoc_rec_metrics(&w, i * 1000000000ull, &name, &v, 1),
		        0);
	}
}

Test(rules_memory, steadily_rising_rss_is_growth)
{
	double mib[] = {10, 20, 30, 40, 50, 60};
	const struct cdoc_diagnosis *x;

	rss_points(mib, 6);
	x = diagnose("memory-growth");
	cr_assert_not_null(x);
	cr_assert(strstr(x->detail, "from 10.0 MiB to 60.0 MiB over 5.0 s "
	                            "(10.00 MiB/s"),
	          "%s", x->detail);
	cr_assert(strstr(x->recommendation, "heap diff"));
}

Test(rules_memory, flat_rss_is_not_growth)
{
	double mib[] = {50, 51, 50, 51, 50, 51};

	rss_points(mib, 6);
	cr_assert_null(diagnose("memory-growth"));
}

Test(rules_memory, one_jump_then_flat_is_not_growth)
{
	double mib[] = {10, 100, 100, 100, 100, 100};

	rss_points(mib, 6);
	cr_assert_null(diagnose("memory-growth"));
}

Test(rules_memory, too_few_points_say_nothing)
{
	double mib[] = {10, 100, 200};

	rss_points(mib, 3);
	cr_assert_null(diagnose("memory-growth"));
}

Test(rules_memory, leaked_bytes_name_the_top_site)
{
	const struct cdoc_diagnosis *x;

	synth_folded(&w, "leaked_bytes", 1,
	             "p;main;load_config;strdup 2000000\n"
	             "p;main;cache_put;malloc 1000000\n");
	synth_folded(&w, "leaked_count", 1,
	             "p;main;load_config;strdup 20\n"
	             "p;main;cache_put;malloc 10\n");
	x = diagnose("leaks");
	cr_assert_not_null(x);
	cr_assert_eq(x->severity, CDOC_SEV_WARNING);
	cr_assert(strstr(x->detail, "3000000 bytes in 30 blocks"), "%s",
	          x->detail);
	cr_assert(strstr(x->detail, "Top site: strdup with 2000000 bytes "
	                            "(66.7%), via p -> main -> load_config "
	                            "-> strdup"),
	          "%s", x->detail);
}

Test(rules_memory, small_leak_is_info)
{
	const struct cdoc_diagnosis *x;

	synth_folded(&w, "leaked_bytes", 1, "p;main;malloc 64\n");
	x = diagnose("leaks");
	cr_assert_not_null(x);
	cr_assert_eq(x->severity, CDOC_SEV_INFO);
}

Test(rules_memory, no_heap_profile_no_leak_finding)
{
	cr_assert_null(diagnose("leaks"));
}
