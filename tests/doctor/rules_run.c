/* rules_run.c - tests for the run and data quality rules. */
#include "synth.h"

#include <signal.h>

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
}

static void teardown(void)
{
	cdoc_diagnoses_release(&diag);
	cdoc_recording_release(&rec);
	synth_teardown();
}

TestSuite(rules_run, .init = setup, .fini = teardown);

static const struct cdoc_diagnosis *diagnose(const char *code)
{
	synth_load(&w, &rec);
	cdoc_doctor_run(&rec, &diag);
	return cdoc_diagnoses_find(&diag, code);
}

Test(rules_run, lost_samples_above_one_percent_warn)
{
	const struct cdoc_diagnosis *x;

	synth_folded(&w, "cpu", 1, "p;a 50\np;b 50\n");
	cdoc_rec_counter(&w, "samples", 950);
	cdoc_rec_counter(&w, "lost_samples", 50);
	x = diagnose("lost-samples");
	cr_assert_not_null(x);
	cr_assert(strstr(x->detail, "50 samples were lost (5.0% of 1000)"),
	          "%s", x->detail);
	cr_assert(strstr(x->recommendation, "ring buffer"));
}

Test(rules_run, few_lost_samples_are_fine)
{
	synth_folded(&w, "cpu", 1, "p;a 50\np;b 50\n");
	cdoc_rec_counter(&w, "samples", 1000);
	cdoc_rec_counter(&w, "lost_samples", 5);
	cr_assert_null(diagnose("lost-samples"));
}

Test(rules_run, unwind_failures_recommend_frame_pointers)
{
	const struct cdoc_diagnosis *x;

	synth_folded(&w, "cpu", 1, "p;a 50\np;b 50\n");
	cdoc_rec_counter(&w, "samples", 100);
	cdoc_rec_counter(&w, "unwind_failures", 20);
	cdoc_rec_counter(&w, "truncated_stacks", 10);
	cdoc_rec_counter(&w, "throttle_events", 3);
	x = diagnose("unwind-failures");
	cr_assert_not_null(x);
	cr_assert(strstr(x->detail, "20 of 100 samples (20.0%)"), "%s",
	          x->detail);
	cr_assert(strstr(x->recommendation, "-fno-omit-frame-pointer"));
	cr_assert(strstr(x->recommendation, ".eh_frame"));
	cr_assert_not_null(cdoc_diagnoses_find(&diag, "truncated-stacks"));
	cr_assert_not_null(cdoc_diagnoses_find(&diag, "throttled"));
}

Test(rules_run, dropped_alloc_events_warn)
{
	synth_folded(&w, "cpu", 1, "p;a 50\np;b 50\n");
	cdoc_rec_counter(&w, "alloc_events", 900);
	cdoc_rec_counter(&w, "dropped_alloc_events", 100);
	cr_assert_not_null(diagnose("dropped-alloc-events"));
}

Test(rules_run, unresolved_frames_name_modules_and_dbgsym)
{
	const struct cdoc_diagnosis *x;

	synth_folded(&w, "cpu", 1,
	             "p;main;libfoo.so.1+0x1a2b;libfoo.so.1+0x77 30\n"
	             "p;main;[unknown]+0x7f00 10\n"
	             "p;main;work 60\n");
	cdoc_rec_counter(&w, "unresolved_frames", 41);
	x = diagnose("unresolved-frames");
	cr_assert_not_null(x);
	cr_assert_eq(x->severity, CDOC_SEV_WARNING);
	cr_assert(strstr(x->detail, "40.0%"), "%s", x->detail);
	cr_assert(strstr(x->detail, "libfoo.so.1 (30.0%), [unknown] (10.0%)"),
	          "%s", x->detail);
	cr_assert(strstr(x->detail, "41 unresolved"), "%s", x->detail);
	cr_assert(strstr(x->recommendation, "-dbgsym"));
}

Test(rules_run, names_with_plus_are_not_unresolved)
{
	synth_folded(&w, "cpu", 1,
	             "p;main;operator+(int) 50\np;main;x+0xzz 50\n");
	cr_assert_null(diagnose("unresolved-frames"));
}

Test(rules_run, signal_exit_is_a_crash_problem)
{
	const struct cdoc_diagnosis *x;

	synth_folded(&w, "cpu", 42, "p;a 1\n");
	cdoc_rec_process(&w, 42, 1, "server");
	cdoc_rec_exit(&w, 42, SIGSEGV | 0x80);
	x = diagnose("crashed");
	cr_assert_not_null(x);
	cr_assert_eq(x->severity, CDOC_SEV_PROBLEM);
	cr_assert(strstr(x->detail, "42 (server)"), "%s", x->detail);
	cr_assert(strstr(x->detail, "SIGSEGV"), "%s", x->detail);
	cr_assert(strstr(x->detail, "core dumped"), "%s", x->detail);
	cr_assert_str_eq(diag.items[0].code, "crashed");
}

Test(rules_run, clean_exit_is_no_finding_and_status_is_info)
{
	synth_folded(&w, "cpu", 42, "p;a 1\n");
	cdoc_rec_process(&w, 42, 1, "ok");
	cdoc_rec_exit(&w, 42, 0);
	cdoc_rec_process(&w, 43, 42, "bad");
	cdoc_rec_exit(&w, 43, 3 << 8);
	cr_assert_null(diagnose("crashed"));
	cr_assert_not_null(cdoc_diagnoses_find(&diag, "exit-status"));
	cr_assert(strstr(cdoc_diagnoses_find(&diag, "exit-status")->detail,
	                 "43 (bad) exited with status 3"));
}

Test(rules_run, hardware_fallback_is_reported)
{
	const struct cdoc_diagnosis *x;

	synth_folded(&w, "cpu", 1, "p;a 1\n");
	cdoc_rec_meta(&w, "event_requested", "cycles");
	cdoc_rec_meta(&w, "event", "cpu-clock");
	cdoc_rec_meta(&w, "fallback_reason", "cycles: not supported (ENOENT)");
	x = diagnose("event-fallback");
	cr_assert_not_null(x);
	cr_assert(strstr(x->detail, "Requested cycles, sampled cpu-clock: "
	                            "cycles: not supported"),
	          "%s", x->detail);
}

Test(rules_run, same_event_is_no_fallback)
{
	synth_folded(&w, "cpu", 1, "p;a 1\n");
	cdoc_rec_meta(&w, "event_requested", "cpu-clock");
	cdoc_rec_meta(&w, "event", "cpu-clock");
	cdoc_rec_meta(&w, "fallback_reason", "");
	cr_assert_null(diagnose("event-fallback"));
}

Test(rules_run, cut_short_recording_warns)
{
	const struct cdoc_diagnosis *x;

	synth_folded(&w, "cpu", 1, "p;a 1\n");
	cr_assert_eq(cdoc_rec_flush(&w), 0);
	cdoc_rec_writer_abandon(&w);
	cr_assert_eq(cdoc_recording_load(&rec, synth_path), 0);
	cdoc_doctor_run(&rec, &diag);
	x = cdoc_diagnoses_find(&diag, "cut-short");
	cr_assert_not_null(x);
	cr_assert(strstr(x->detail, "cut short"), "%s", x->detail);
	synth_open(&w); /* so teardown's state is consistent */
	cdoc_rec_writer_abandon(&w);
}
