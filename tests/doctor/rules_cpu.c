/* rules_cpu.c - tests for the cpu profile rules, on synthetic recordings. */
#include "synth.h"

#include "doctor/doctor.h"

static struct cdoc_recording rec;
static struct cdoc_diagnoses diag;

static void setup(void)
{
	synth_setup();
	cdoc_diagnoses_init(&diag);
	memset(&rec, 0, sizeof(rec));
}

static void teardown(void)
{
	cdoc_diagnoses_release(&diag);
	cdoc_recording_release(&rec);
	synth_teardown();
}

TestSuite(rules_cpu, .init = setup, .fini = teardown);

static const struct cdoc_diagnosis *diagnose(const char *code)
{
	cdoc_doctor_run(&rec, &diag);
	return cdoc_diagnoses_find(&diag, code);
}

Test(rules_cpu, hot_function_names_it_with_share_and_chain)
{
	const struct cdoc_diagnosis *x;

	synth_cpu(&rec, "srv;main;serve;parse;hash 60\n"
	                "srv;main;serve;io 30\n"
	                "srv;main;other;hash 5\n"
	                "srv;main 5\n");
	x = diagnose("hot-function");
	cr_assert_not_null(x);
	cr_assert_eq(x->severity, CDOC_SEV_PROBLEM);
	cr_assert(strstr(x->detail, "hash spends 65.0%"), "%s", x->detail);
	cr_assert(strstr(x->detail, "srv -> main -> serve -> parse -> hash"),
	          "%s", x->detail);
	cr_assert(strstr(x->recommendation, "cache"));
}

Test(rules_cpu, hot_function_between_30_and_50_is_a_warning)
{
	const struct cdoc_diagnosis *x;

	synth_cpu(&rec, "p;a 35\np;b 25\np;c 20\np;d 20\n");
	x = diagnose("hot-function");
	cr_assert_not_null(x);
	cr_assert_eq(x->severity, CDOC_SEV_WARNING);
	cr_assert(strstr(x->detail, "a spends 35.0%"), "%s", x->detail);
}

Test(rules_cpu, hot_function_skips_kernel_frames)
{
	const struct cdoc_diagnosis *x;

	/* A sleeping program: its samples land in the scheduler. */
	synth_cpu(&rec, "p;main;nanosleep;finish_task_switch_[k] 60\n"
	                "p;main;crunch 40\n");
	x = diagnose("hot-function");
	cr_assert_not_null(x);
	cr_assert(strstr(x->detail, "crunch spends 40.0%"), "%s", x->detail);
}

Test(rules_cpu, only_kernel_frames_give_no_hot_function)
{
	synth_cpu(&rec, "p;schedule_[k];finish_task_switch_[k] 100\n");
	cr_assert_null(diagnose("hot-function"));
}

Test(rules_cpu, a_handful_of_samples_makes_no_cpu_finding)
{
	const struct cdoc_diagnosis *x;

	synth_cpu(&rec, "p;main;startup 3\n");
	cr_assert_null(diagnose("hot-function"));
	x = cdoc_diagnoses_find(&diag, "few-samples");
	cr_assert_not_null(x);
	cr_assert(strstr(x->detail, "Only 3 CPU samples"), "%s", x->detail);
}

Test(rules_cpu, spread_out_profile_has_no_hot_function)
{
	synth_cpu(&rec, "p;a 25\np;b 25\np;c 25\np;d 25\n");
	cr_assert_null(diagnose("hot-function"));
	cr_assert_null(diagnose("no-samples"));
}

Test(rules_cpu, long_chains_are_cut_from_the_root_side)
{
	const struct cdoc_diagnosis *x;

	synth_cpu(&rec, "a;b;c;d;e;f;g;h;i;j;leaf 100\n");
	x = diagnose("hot-function");
	cr_assert_not_null(x);
	cr_assert(strstr(x->detail, "... -> d -> e"), "%s", x->detail);
	cr_assert_null(strstr(x->detail, "a -> b"));
}

Test(rules_cpu, kernel_heavy_names_syscalls_and_callers)
{
	const struct cdoc_diagnosis *x;

	synth_cpu(&rec,
	          "p;main;flush;__libc_write;entry_SYSCALL_64_[k];"
	          "do_syscall_64_[k];__x64_sys_write_[k];vfs_write_[k] 50\n"
	          "p;main;poll;__poll;entry_SYSCALL_64_[k];__x64_sys_poll_[k] "
	          "20\n"
	          "p;main;compute 30\n");
	x = diagnose("kernel-heavy");
	cr_assert_not_null(x);
	cr_assert(strstr(x->detail, "70.0% of CPU samples are in kernel"), "%s",
	          x->detail);
	cr_assert(strstr(x->detail, "write (50.0%), poll (20.0%)"), "%s",
	          x->detail);
	cr_assert(strstr(x->detail, "__libc_write (50.0%)"), "%s", x->detail);
	cr_assert(strstr(x->recommendation, "batch I/O"));
}

Test(rules_cpu, little_kernel_time_is_fine)
{
	synth_cpu(&rec, "p;main;read;__x64_sys_read_[k] 30\np;main;work 70\n");
	cr_assert_null(diagnose("kernel-heavy"));
}

Test(rules_cpu, futex_heavy_stacks_are_lock_contention)
{
	const struct cdoc_diagnosis *x;

	synth_cpu(&rec,
	          "p;worker;update_cache;pthread_mutex_lock;__lll_lock_wait;"
	          "futex_wait_[k] 15\n"
	          "p;worker;compute 85\n");
	x = diagnose("lock-contention");
	cr_assert_not_null(x);
	cr_assert(strstr(x->detail, "15.0%"), "%s", x->detail);
	cr_assert(strstr(x->detail, "update_cache (15.0%)"), "%s", x->detail);
}

Test(rules_cpu, no_locks_no_lock_diagnosis)
{
	synth_cpu(&rec, "p;worker;compute 100\n");
	cr_assert_null(diagnose("lock-contention"));
}

Test(rules_cpu, malloc_near_the_leaf_is_alloc_heavy)
{
	const struct cdoc_diagnosis *x;

	synth_cpu(&rec, "p;main;build_list;malloc;_int_malloc 12\n"
	                "p;main;build_list;operator new(unsigned long) 3\n"
	                "p;main;drop_list;free;page_fault_[k] 5\n"
	                "p;main;work 80\n");
	x = diagnose("alloc-heavy");
	cr_assert_not_null(x);
	cr_assert(strstr(x->detail, "20.0%"), "%s", x->detail);
	cr_assert(strstr(x->detail, "build_list (15.0%), drop_list (5.0%)"),
	          "%s", x->detail);
	cr_assert(strstr(x->recommendation, "pool"));
}

Test(rules_cpu, alloc_heavy_says_when_tracking_inflated_it)
{
	const struct cdoc_diagnosis *x;
	struct cdoc_rec_writer w;

	synth_open(&w);
	cr_assert_eq(cdoc_rec_meta(&w, "alloc_tracking", "every allocation"),
	             0);
	synth_folded(&w, "cpu", 1, "p;main;malloc 30\np;main;work 70\n");
	synth_load(&w, &rec);
	x = diagnose("alloc-heavy");
	cr_assert_not_null(x);
	cr_assert(strstr(x->detail, "tracking was on"), "%s", x->detail);
}

Test(rules_cpu, malloc_far_from_the_leaf_does_not_count)
{
	/* malloc_hooked calls into user code four frames deep. */
	synth_cpu(&rec, "p;main;malloc;hook;a;b;c;d 50\np;main;work 50\n");
	cr_assert_null(diagnose("alloc-heavy"));
}

Test(rules_cpu, empty_recording_has_no_samples_problem)
{
	struct cdoc_rec_writer w;
	const struct cdoc_diagnosis *x;

	synth_open(&w);
	synth_load(&w, &rec);
	x = diagnose("no-samples");
	cr_assert_not_null(x);
	cr_assert_eq(x->severity, CDOC_SEV_PROBLEM);
	cr_assert_null(cdoc_diagnoses_find(&diag, "hot-function"));
}

static void write_idle(int with_metrics, const char *load)
{
	struct cdoc_rec_writer w;
	const char *names[] = {"cpu_user_pct", "cpu_sys_pct"};
	double v[2] = {4, 2};
	int i;

	synth_open(&w);
	cdoc_rec_meta(&w, "duration_ns", "10000000000");
	cdoc_rec_meta(&w, "frequency", "99");
	if (load)
		cdoc_rec_meta(&w, "load_command", load);
	synth_folded(&w, "cpu", 1, "p;main;work 50\n"); /* 5% of 990 */
	for (i = 0; with_metrics && i < 4; i++)
		cdoc_rec_metrics(&w, i * 1000000000ull, names, v, 2);
	synth_load(&w, &rec);
}

Test(rules_cpu, idle_from_metrics_under_load_is_a_warning)
{
	const struct cdoc_diagnosis *x;

	write_idle(1, "wrk -d10s http://127.0.0.1:$PORT/");
	x = diagnose("mostly-idle");
	cr_assert_not_null(x);
	cr_assert_eq(x->severity, CDOC_SEV_WARNING);
	cr_assert(strstr(x->detail, "6.0% of one CPU"), "%s", x->detail);
	cr_assert(strstr(x->detail, "procfs"));
	cr_assert(strstr(x->recommendation, "off-CPU"));
}

Test(rules_cpu, idle_from_sample_rate_without_metrics)
{
	const struct cdoc_diagnosis *x;

	write_idle(0, NULL);
	x = diagnose("mostly-idle");
	cr_assert_not_null(x);
	cr_assert_eq(x->severity, CDOC_SEV_INFO);
	cr_assert(strstr(x->detail, "5.1% of one CPU"), "%s", x->detail);
}

Test(rules_cpu, busy_program_is_not_idle)
{
	struct cdoc_rec_writer w;

	synth_open(&w);
	cdoc_rec_meta(&w, "duration_ns", "1000000000");
	cdoc_rec_meta(&w, "frequency", "100");
	synth_folded(&w, "cpu", 1, "p;main;work 98\n");
	synth_load(&w, &rec);
	cr_assert_null(diagnose("mostly-idle"));
}

Test(rules_cpu, diagnoses_are_sorted_most_severe_first)
{
	size_t i;

	synth_cpu(&rec, "p;main;hot 90\n"
	                "p;main;x;__x64_sys_read_[k] 5\n"
	                "p;main;lib.so+0x1234 5\n");
	cr_assert_geq(cdoc_doctor_run(&rec, &diag), 2);
	for (i = 1; i < diag.nr; i++)
		cr_assert_geq(diag.items[i - 1].severity,
		              diag.items[i].severity);
	cr_assert_str_eq(diag.items[0].code, "hot-function");
}
