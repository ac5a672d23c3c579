/*
 * evidence.c - tests for how the reports show the doctor's evidence:
 * units per profile (off-CPU time, descriptors) in the text report and
 * the TUI's units, the HTML page's charts from TICKS, off-CPU samples and
 * THREADS, and the derived "blocked_loop" profile.
 */
#include "../doctor/synth.h"

#include "report/report.h"
#include "report/tui.h"

static struct cdoc_recording rec;
static struct cdoc_buf out;

static void setup(void)
{
	synth_setup();
	memset(&rec, 0, sizeof(rec));
	cdoc_buf_init(&out);
}

static void teardown(void)
{
	cdoc_buf_release(&out);
	cdoc_recording_release(&rec);
	synth_teardown();
}

TestSuite(evidence, .init = setup, .fini = teardown);

Test(evidence, units_follow_profile_names)
{
	cr_assert_str_eq(cdoc_report_unit("offcpu_lock"), "ns");
	cr_assert_str_eq(cdoc_report_unit("offcpu_other"), "ns");
	cr_assert_str_eq(cdoc_report_unit("blocked_loop"), "ns");
	cr_assert_str_eq(cdoc_report_unit("fd_open"), "fds");
	cr_assert_str_eq(cdoc_report_unit("fd_live"), "fds");
	cr_assert_str_eq(cdoc_report_unit("cpu"), "samples");
	cr_assert_str_eq(cdoc_report_unit("alloc_bytes"), "bytes");
}

Test(evidence, tui_units_show_time_and_descriptors)
{
	report__tui_units(&out, 1500000000ull, "ns", 0);
	cr_assert_str_eq(out.buf, "1.50 s");
	cdoc_buf_reset(&out);
	report__tui_units(&out, 2500000ull, "ns", 0);
	cr_assert_str_eq(out.buf, "2.5 ms");
	cdoc_buf_reset(&out);
	report__tui_units(&out, 3, "fds", 0);
	cr_assert_str_eq(out.buf, "3 fds");
}

Test(evidence, text_report_names_the_unit_of_each_profile)
{
	struct cdoc_rec_writer w;

	synth_open(&w);
	cdoc_rec_meta(&w, "frequency", "99");
	cdoc_rec_process(&w, 42, 1, "server");
	synth_folded(&w, "cpu", 42, "server;main;work 10\n");
	synth_folded(&w, "offcpu_lock", 42,
	             "server;main;pthread_mutex_lock 1500000000\n");
	synth_folded(&w, "fd_open", 42, "server;main;[open:file] 3\n");
	synth_load(&w, &rec);
	cr_assert_eq(cdoc_report_text(&rec, NULL, &out), 0, "%s",
	             cdoc_errmsg());
	cr_assert(
	        strstr(out.buf, "offcpu_lock: 1.50 s off CPU (1500000000 ns)"),
	        "%s", out.buf);
	cr_assert(strstr(out.buf, "fd_open: 3 fds\n"), "%s", out.buf);
	cr_assert_null(strstr(out.buf, "1500000000 samples"), "%s", out.buf);
}

/*
 * A loop thread 7 with one long tick [1.0 s, 1.1 s]: cpu samples of "slow"
 * inside it, of "fast" outside it, of "other" on thread 8 inside the
 * same time; an off-CPU sample of thread 7 inside it, and one in the
 * loop's epoll_wait.
 */
static void write_loop(void)
{
	struct cdoc_rec_writer w;
	struct cdoc_rec_long_tick lt = {1000000000ull, 100000000ull};
	struct cdoc_rec_tickset ts = {.pid = 7, .tid = 7};
	struct cdoc_rec_threadstat th[2] = {
	        {.pid = 7, .tid = 7, .name = "loop"},
	        {.pid = 7, .tid = 8, .name = "worker"}};
	struct cdoc_rec_threadstats st = {0, 2, th};
	uint32_t cpu, off, net, m, slow, fast, other, lock, ew;
	uint64_t i;

	synth_open(&w);
	cdoc_rec_meta(&w, "frequency", "100");
	cdoc_rec_meta(&w, "duration_ns", "2000000000");
	cpu = cdoc_rec_str(&w, "cpu");
	off = cdoc_rec_str(&w, "offcpu_lock");
	net = cdoc_rec_str(&w, "offcpu_net");
	m = cdoc_rec_stack(&w, CDOC_REC_ROOT, cdoc_rec_str(&w, "main"));
	slow = cdoc_rec_stack(&w, m, cdoc_rec_str(&w, "slow"));
	fast = cdoc_rec_stack(&w, m, cdoc_rec_str(&w, "fast"));
	other = cdoc_rec_stack(&w, m, cdoc_rec_str(&w, "other"));
	lock = cdoc_rec_stack(&w, m, cdoc_rec_str(&w, "wait_lock"));
	ew = cdoc_rec_stack(&w, m, cdoc_rec_str(&w, "__GI_epoll_wait"));
	for (i = 0; i < 10; i++) {
		uint64_t in = 1000000000ull + i * 10000000ull;

		cr_assert_eq(cdoc_rec_sample_at(&w, cpu, 7, 7, in, slow, 1), 0);
		cr_assert_eq(cdoc_rec_sample_at(&w, cpu, 7, 7, in / 4, fast, 1),
		             0);
		cr_assert_eq(cdoc_rec_sample_at(&w, cpu, 7, 8, in, other, 1),
		             0);
	}
	cr_assert_eq(cdoc_rec_sample_at(&w, off, 7, 7, 1050000000ull, lock,
	                                20000000ull),
	             0);
	/* the loop's own wait, its time read as just inside the tick */
	cr_assert_eq(cdoc_rec_sample_at(&w, net, 7, 7, 1099000000ull, ew,
	                                50000000ull),
	             0);
	for (i = 0; i < 10; i++) { /* 10 intervals of 200 ms */
		ts.time_ns = (i + 1) * 200000000ull;
		memset(ts.hist, 0, sizeof(ts.hist));
		ts.hist[cdoc_rec_tick_bucket(500000)] = 100; /* 0.5 ms */
		ts.nticks = 100;
		ts.busy_ns = 50000000;
		ts.max_ns = 600000;
		ts.longs = NULL;
		ts.nr_longs = 0;
		if (i == 5) { /* the interval ending at 1.2 s */
			ts.hist[cdoc_rec_tick_bucket(100000000)] = 2;
			ts.nticks = 102;
			ts.busy_ns += 2 * lt.dur_ns;
			ts.max_ns = lt.dur_ns;
			ts.longs = &lt;
			ts.nr_longs = 1;
		}
		cr_assert_eq(cdoc_rec_ticks(&w, &ts), 0);
		st.time_ns = ts.time_ns;
		th[0].runq_ns = i * 20000000ull; /* 10 % */
		th[1].runq_ns = 0;
		cr_assert_eq(cdoc_rec_threadstats(&w, &st), 0);
	}
	synth_load(&w, &rec);
	cr_assert_eq(cdoc_report_html(&rec, NULL, &out), 0, "%s",
	             cdoc_errmsg());
}

Test(evidence, html_has_loop_delay_offcpu_and_runq_charts)
{
	const char *t, *o, *q;

	write_loop();
	t = strstr(out.buf, "{\"id\":\"ticks\"");
	cr_assert_not_null(t, "%s", strstr(out.buf, "\"charts\""));
	cr_assert(strstr(t, "\"label\":\"max, thread 7\""));
	cr_assert(strstr(t, "\"label\":\"p99, thread 7\""));
	/* the long tick: it ended at 1.1 s, lasted 100 ms */
	cr_assert(strstr(t, "\"marks\":[[1.1,100]]"), "%s", t);
	o = strstr(out.buf, "{\"id\":\"offcpu\"");
	cr_assert_not_null(o);
	cr_assert(strstr(o, "\"metric\":\"lock\""));
	q = strstr(out.buf, "{\"id\":\"thread_runq\"");
	cr_assert_not_null(q);
	cr_assert(strstr(q, "\"label\":\"loop 7\""), "%s", q);
	cr_assert(strstr(q, "\"v\":[10,10,"), "%s", q);
}

Test(evidence, blocked_loop_has_what_ran_inside_long_ticks)
{
	const char *b, *end;

	write_loop();
	b = strstr(out.buf, "{\"name\":\"blocked_loop\"");
	cr_assert_not_null(b, "%s", strstr(out.buf, "\"profiles\""));
	end = strstr(b, "\"self\"");
	cr_assert_not_null(end);
	/* 10 samples at 100 Hz = 100 ms, plus 20 ms off CPU */
	cr_assert(strstr(b, "\"unit\":\"ns\",\"total\":120000000,"), "%s", b);
	cr_assert(strstr(b, "\"slow\""));
	cr_assert(strstr(b, "\"wait_lock\""));
	cr_assert(strstr(b, "\"[off-CPU: lock]\""));
	cr_assert(!strstr(b, "\"fast\"") || strstr(b, "\"fast\"") > end);
	cr_assert(!strstr(b, "\"other\"") || strstr(b, "\"other\"") > end);
	cr_assert(!strstr(b, "epoll_wait") || strstr(b, "epoll_wait") > end);
	cr_assert(strstr(b, "\"timed\":"));
}

Test(evidence, no_long_tick_no_blocked_loop)
{
	struct cdoc_rec_writer w;

	synth_open(&w);
	cdoc_rec_meta(&w, "frequency", "100");
	synth_folded(&w, "cpu", 7, "main;work 10\n");
	synth_load(&w, &rec);
	cr_assert_eq(cdoc_report_html(&rec, NULL, &out), 0);
	cr_assert_null(strstr(out.buf, "{\"name\":\"blocked_loop\""));
	cr_assert_null(strstr(out.buf, "\"id\":\"ticks\""));
}

Test(evidence, html_shows_other_counters_and_folds_the_zero_ones)
{
	struct cdoc_rec_writer w;
	const char *fold;

	synth_open(&w);
	synth_folded(&w, "cpu", 7, "main;work 10\n");
	cdoc_rec_counter(&w, "offcpu_lost", 60);
	cdoc_rec_counter(&w, "fd_untracked", 0);
	cdoc_rec_counter(&w, "alloc_no_exit", 0);
	synth_load(&w, &rec);
	cr_assert_eq(cdoc_report_html(&rec, NULL, &out), 0);
	/* the quality counters even at 0; others when not 0 */
	cr_assert(strstr(out.buf, "<th>unwind_failures</th><td class=\"n\">0"));
	cr_assert(strstr(out.buf, "<th>offcpu_lost</th><td class=\"n\">60"));
	cr_assert_null(strstr(out.buf, "<th>fd_untracked</th>"));
	fold = strstr(out.buf, "2 more counters were 0 (folded away)");
	cr_assert_not_null(fold, "%s", strstr(out.buf, "Data quality"));
	cr_assert(strstr(fold, "fd_untracked, alloc_no_exit"));
}
