/* text.c - tests for the terminal report. */
#include "../doctor/synth.h"

#include "report/report.h"

static struct cdoc_recording rec;
static struct cdoc_buf out;
static struct cdoc_report_opts opts;

static void setup(void)
{
	synth_setup();
	memset(&rec, 0, sizeof(rec));
	cdoc_buf_init(&out);
	cdoc_report_opts_init(&opts);
}

static void teardown(void)
{
	cdoc_buf_release(&out);
	cdoc_recording_release(&rec);
	synth_teardown();
}

TestSuite(text, .init = setup, .fini = teardown);

static void write_run(int end)
{
	struct cdoc_rec_writer w;
	const char *names[] = {"rss_bytes", "cpu_user_pct", "cpu_sys_pct"};
	double v[] = {2097152, 90, 10};

	synth_open(&w);
	cdoc_rec_meta(&w, "command", "./server --port 0");
	cdoc_rec_meta(&w, "event", "cpu-clock");
	cdoc_rec_meta(&w, "event_requested", "cycles");
	cdoc_rec_meta(&w, "frequency", "99");
	cdoc_rec_meta(&w, "duration_ns", "2500000000");
	cdoc_rec_process(&w, 42, 1, "server");
	synth_folded(&w, "cpu", 42,
	             "server;main;parse;hash 60\nserver;main;io 40\n");
	synth_folded(&w, "alloc_bytes", 42, "server;main;parse;malloc 4096\n");
	cdoc_rec_counter(&w, "samples", 100);
	cdoc_rec_counter(&w, "lost_samples", 3);
	cdoc_rec_counter(&w, "alloc_events", 17);
	cdoc_rec_metrics(&w, 0, names, v, 3);
	cdoc_rec_exit(&w, 42, 0);
	if (end) {
		synth_load(&w, &rec);
		return;
	}
	cr_assert_eq(cdoc_rec_flush(&w), 0);
	cdoc_rec_writer_abandon(&w);
	cr_assert_eq(cdoc_recording_load(&rec, synth_path), 0);
}

Test(text, shows_run_top_functions_diagnoses_and_counters)
{
	write_run(1);
	cr_assert_eq(cdoc_report_text(&rec, &opts, &out), 0);
	cr_assert(strstr(out.buf, "command:  ./server --port 0"), "%s",
	          out.buf);
	cr_assert(strstr(out.buf, "cpu-clock (requested cycles), 99 Hz"));
	cr_assert(strstr(out.buf, "duration: 2.50 s"));
	cr_assert(strstr(out.buf, "server [42] exited 0"));
	cr_assert(strstr(out.buf, "  60.00%  60.00%         60  hash\n"), "%s",
	          out.buf);
	cr_assert(strstr(out.buf, "   0.00% 100.00%        100  main\n"), "%s",
	          out.buf);
	cr_assert(strstr(out.buf, "PROBLEM   One function dominates"));
	cr_assert(strstr(out.buf, "-> Optimize"));
	cr_assert(strstr(out.buf, "lost_samples           3\n"));
	cr_assert(strstr(out.buf, "unwind_failures        0\n"),
	          "zero counters are shown too");
	cr_assert(strstr(out.buf, "alloc_events           17\n"));
	cr_assert(strstr(out.buf, "alloc_bytes: 4096 bytes"));
	cr_assert(strstr(out.buf, "memory:   2.0 MiB"));
	cr_assert_null(strstr(out.buf, "\033["), "no colour unless asked");
	cr_assert_null(strstr(out.buf, "warning:"));
}

Test(text, colour_only_when_asked)
{
	write_run(1);
	opts.colour = 1;
	cdoc_report_text(&rec, &opts, &out);
	cr_assert(strstr(out.buf, "\033[31;1mPROBLEM"));
}

Test(text, top_limits_rows)
{
	write_run(1);
	opts.top = 1;
	cdoc_report_text(&rec, &opts, &out);
	cr_assert(strstr(out.buf, "hash\n"));
	cr_assert_null(strstr(out.buf, "  io\n"));
}

Test(text, cut_short_recording_gets_a_warning_first)
{
	write_run(0);
	cr_assert_eq(cdoc_report_text(&rec, &opts, &out), 0);
	cr_assert(strstr(out.buf, "\nwarning: "), "%s", out.buf);
	cr_assert(strstr(out.buf, "cut short"));
	cr_assert(strstr(out.buf, "hash"), "still reports what it has");
}

Test(text, control_characters_in_names_are_neutralised)
{
	synth_cpu(&rec, "p;evil\033[2J\033]0:x\007name 10\n");
	cdoc_report_text(&rec, &opts, &out);
	cr_assert_null(strchr(out.buf, '\033'));
	cr_assert_null(strchr(out.buf, '\007'));
	cr_assert(strstr(out.buf, "evil?[2J?]0:x?name"), "%s", out.buf);
}

Test(text, given_diagnoses_replace_the_doctor)
{
	struct cdoc_diagnoses d;

	write_run(1);
	cdoc_diagnoses_init(&d);
	cdoc_diagnoses_add(&d, CDOC_SEV_INFO, "x", "Custom finding", "Do it.",
	                   "%d things", 7);
	opts.diag = &d;
	cdoc_report_text(&rec, &opts, &out);
	cr_assert(strstr(out.buf, "Custom finding"));
	cr_assert(strstr(out.buf, "7 things"));
	cr_assert_null(strstr(out.buf, "One function dominates"));
	cdoc_diagnoses_release(&d);
}

Test(text, empty_recording_says_no_samples)
{
	struct cdoc_rec_writer w;

	synth_open(&w);
	synth_load(&w, &rec);
	cr_assert_eq(cdoc_report_text(&rec, &opts, &out), 0);
	cr_assert(strstr(out.buf, "No CPU samples"), "%s", out.buf);
	cr_assert(strstr(out.buf, "command:  (not recorded)"));
}

Test(text, names_with_nul_bytes_load_and_report)
{
	struct cdoc_rec_writer w;
	uint32_t cpu, s;

	synth_open(&w);
	cpu = cdoc_rec_str(&w, "cpu");
	s = cdoc_rec_stack(&w, CDOC_REC_ROOT, cdoc_rec_string(&w, "a\0b", 3));
	cr_assert_eq(cdoc_rec_sample(&w, cpu, 1, s, 5), 0);
	synth_load(&w, &rec);
	cr_assert_eq(cdoc_report_text(&rec, &opts, &out), 0);
	cr_assert(strstr(out.buf, "  a\n"), "%s", out.buf);
}
