/*
 * verdict.c - tests of the verdict rules on recordings written with the
 * writer API: timed samples by thread, off-CPU profiles, METRICS, TICKS.
 * Each category has a case that must give it and cases that must not.
 */
#include "synth.h"

#include "doctor/doctor.h"
#include "heap/heap.h"
#include "heapfile/heapfile.h"
#include "report/report.h"

#define MS 1000000ull
#define S  1000000000ull

static struct cdoc_recording rec;
static struct cdoc_verdict v;
static struct cdoc_rec_writer w;

static void setup(void)
{
	synth_setup();
	cdoc_verdict_init(&v);
	memset(&rec, 0, sizeof(rec));
	synth_open(&w);
	/* 10 s run, load from 1 s to 9 s; cpu samples at 100 Hz. */
	cdoc_rec_meta(&w, "frequency", "100");
	cdoc_rec_meta(&w, "load_start_ns", "1000000000");
	cdoc_rec_meta(&w, "load_end_ns", "9000000000");
	cdoc_rec_meta(&w, "duration_ns", "10000000000");
	cdoc_rec_meta(&w, "offcpu", "on");
}

static void teardown(void)
{
	cdoc_verdict_release(&v);
	cdoc_recording_release(&rec);
	synth_teardown();
}

TestSuite(verdict, .init = setup, .fini = teardown);

/* The stack "a;b;c" as a stack id. */
static uint32_t stack_of(const char *folded)
{
	char *copy = strdup(folded), *save = NULL, *f;
	uint32_t stack = CDOC_REC_ROOT;

	for (f = strtok_r(copy, ";", &save); f; f = strtok_r(NULL, ";", &save))
		stack = cdoc_rec_stack(&w, stack, cdoc_rec_str(&w, f));
	free(copy);
	return stack;
}

/* @n samples of @weight on @folded in @profile, thread @tid, spread
 * evenly over [@t0, @t1). */
static void spread(const char *profile, uint32_t tid, const char *folded,
                   size_t n, uint64_t weight, uint64_t t0, uint64_t t1)
{
	uint32_t prof = cdoc_rec_str(&w, profile), st = stack_of(folded);
	size_t i;

	for (i = 0; i < n; i++)
		cr_assert_eq(cdoc_rec_sample_at(&w, prof, 100, tid,
		                                t0 + (t1 - t0) * i / n, st,
		                                weight),
		             0);
}

/* cpu samples at 100 Hz through the load: @pct of one CPU on @folded. */
static void cpu(uint32_t tid, const char *folded, unsigned pct)
{
	spread("cpu", tid, folded, 8 * pct, 1, 1 * S, 9 * S);
}

/* Metrics every 200 ms over the run: @name = f(t in s). */
static void metric(const char *name, double (*f)(double))
{
	uint64_t t;

	for (t = 200 * MS; t <= 10 * S; t += 200 * MS) {
		double val = f(t / 1e9);
		const char *names[] = {name};

		cr_assert_eq(cdoc_rec_metrics(&w, t, names, &val, 1), 0);
	}
}

/* A loop thread: one tickset per 200 ms with @short_ticks of 100 us, and
 * a long tick of @long_ms starting every @every_ms inside [t0, t1). */
static void ticks(uint32_t tid, unsigned long_ms, unsigned every_ms,
                  uint64_t t0, uint64_t t1)
{
	struct cdoc_rec_long_tick longs[64];
	uint64_t t, s;

	for (t = 200 * MS; t <= 10 * S; t += 200 * MS) {
		struct cdoc_rec_tickset ts = {.pid = 100, .tid = tid};

		ts.time_ns = t;
		ts.nticks = 1000;
		ts.hist[6] = 1000;
		ts.busy_ns = 100 * 1000 * 1000;
		ts.max_ns = 120 * 1000;
		ts.longs = longs;
		for (s = t - 200 * MS; long_ms && s < t; s += every_ms * MS) {
			if (s < t0 || s + long_ms * MS > t1 ||
			    s + long_ms * MS > t || ts.nr_longs == 64)
				continue;
			longs[ts.nr_longs].start_ns = s;
			longs[ts.nr_longs++].dur_ns = long_ms * MS;
			ts.hist[cdoc_rec_tick_bucket(long_ms * MS)]++;
			ts.nticks++;
			ts.max_ns = long_ms * MS;
		}
		cr_assert_eq(cdoc_rec_ticks(&w, &ts), 0);
	}
}

static void judge(void)
{
	synth_load(&w, &rec);
	cr_assert_eq(cdoc_doctor_verdict(&rec, &v), 0);
}

static int has_other(const char *category)
{
	size_t i;

	for (i = 0; i < v.nr_others; i++)
		if (!strcmp(v.others[i].category, category))
			return 1;
	return 0;
}

/* @category is the verdict or one of the other findings (want 1), or
 * neither (want 0). */
static void assert_found(const char *category, int want)
{
	int found = !strcmp(v.category, category) || has_other(category);

	cr_assert_eq(found, want, "%s %s: %s", category,
	             want ? "missing" : "found", v.summary);
}

/* A series that stays at @value: static double NAME(double t). */
#define CONSTANT(name, value)                                                  \
	static double name(double t)                                           \
	{                                                                      \
		(void)t;                                                       \
		return value;                                                  \
	}

CONSTANT(flat, 40e6)

CONSTANT(ten, 10)

/* A healthy epoll server under load: busy, mostly in the kernel,
 * short ticks, nothing growing. */
static void healthy_loop(uint32_t tid)
{
	cpu(tid,
	    "srv;main;serve;handle_conn;write;__x64_sys_write_[k];"
	    "tcp_sendmsg_[k]",
	    45);
	cpu(tid,
	    "srv;main;serve;handle_conn;read;__x64_sys_read_[k];"
	    "tcp_recvmsg_[k]",
	    25);
	cpu(tid, "srv;main;serve;epoll_wait;__x64_sys_epoll_wait_[k]", 10);
	cpu(tid, "srv;main;serve;handle_conn;parse_request", 12);
	cpu(tid, "srv;main;serve;handle_conn;malloc;_int_malloc", 3);
	spread("offcpu_net", tid, "srv;main;serve;epoll_wait", 400, 2 * MS,
	       1 * S, 9 * S);
	ticks(tid, 0, 0, 0, 0);
}

Test(verdict, healthy_busy_network_server_is_none)
{
	healthy_loop(7);
	metric("rss_bytes", flat);
	metric("fds", ten);
	judge();
	cr_assert_str_eq(v.category, "none", "%s: %s", v.category, v.summary);
	cr_assert_eq(v.nr_culprits, 0);
	cr_assert_eq(v.nr_others, 0);
	cr_assert(v.nr_recs > 0);
	cr_assert(v.nr_evidence > 0);
	cr_assert(strstr(v.window_rule, "load window"));
}

static double warm_then_flat(double t)
{
	return t < 3 ? 20e6 + t * 30e6 : 110e6;
}

Test(verdict, warm_up_then_flat_is_not_a_leak)
{
	healthy_loop(7);
	metric("rss_bytes", warm_then_flat);
	synth_folded(&w, "leaked_bytes", 100,
	             "srv;main;init_cache;malloc 90000000\n");
	judge();
	assert_found("memory-leak", 0);
}

static double leaking(double t)
{
	return 20e6 + t * 8e6;
}

Test(verdict, steady_growth_is_a_leak_with_the_growing_site)
{
	healthy_loop(7);
	metric("rss_bytes", leaking);
	synth_folded(&w, "leaked_bytes", 100,
	             "srv;main;serve;handle_conn;remember_session;malloc "
	             "60000000\n"
	             "srv;main;init_tables;calloc 1000000\n");
	judge();
	cr_assert_str_eq(v.category, "memory-leak", "%s", v.summary);
	cr_assert_str_eq(v.culprits[0].function, "remember_session");
	cr_assert(strstr(v.summary, "grew steadily"), "%s", v.summary);
}

/* A heap snapshot @name with @n sites: frames[i] (leaf first, ";"
 * separated) holding live[i] bytes. */
static void heap_snap(const char *name, size_t n, const char *const *frames,
                      const uint64_t *live)
{
	struct cdoc_heap_snap sn;
	size_t i;

	cdoc_heap_snap_init(&sn);
	sn.procs = calloc(1, sizeof(*sn.procs));
	sn.nr_procs = 1;
	sn.procs[0].pid = 100;
	sn.procs[0].name = cdoc_strtab_intern(&sn.names, "srv", 3);
	sn.sites = calloc(n, sizeof(*sn.sites));
	sn.stacks = calloc(n, sizeof(*sn.stacks));
	sn.frames = calloc(16 * n, sizeof(*sn.frames));
	for (i = 0; i < n; i++) {
		char *copy = strdup(frames[i]), *save = NULL, *f;

		sn.stacks[i].first = (uint32_t)sn.nr_frames;
		for (f = strtok_r(copy, ";", &save); f;
		     f = strtok_r(NULL, ";", &save)) {
			sn.frames[sn.nr_frames++] =
			        cdoc_strtab_intern(&sn.names, f, strlen(f));
			sn.stacks[i].nr++;
		}
		free(copy);
		sn.sites[i].stack = (uint32_t)i;
		sn.sites[i].live_bytes = live[i];
		sn.sites[i].live_count = 1;
	}
	sn.nr_stacks = sn.nr_sites = n;
	cr_assert_eq(cdoc_heap_rec_write(&w, name, &sn), 0);
	cdoc_heap_snap_release(&sn);
}

Test(verdict, a_leak_freed_at_exit_is_found_between_the_load_snapshots)
{
	/* A C++ map that grows through the load and is destroyed at exit
	 * (static destructors): the exit snapshot holds nothing, the
	 * load-start and load-end snapshots hold the growth. */
	static const char *const sites[] = {
	        "malloc;operator new;remember_headers;worker",
	        "malloc;init_tables;main"};
	static const uint64_t start[] = {1000, 500000},
	                      end[] = {60000000, 500000}, gone[] = {0, 0};

	healthy_loop(7);
	metric("rss_bytes", leaking);
	heap_snap("load-start", 2, sites, start);
	heap_snap("load-end", 2, sites, end);
	heap_snap("exit", 2, sites, gone);
	judge();
	cr_assert_str_eq(v.category, "memory-leak", "%s", v.summary);
	cr_assert_eq(v.nr_culprits, 1);
	cr_assert_str_eq(v.culprits[0].function, "remember_headers");
}

Test(verdict, a_leak_without_the_trackers_records_says_why_no_site)
{
	/* Killed by the stop signal: the shim's last batches never came,
	 * no leaked_bytes; the verdict stands and says why it names none. */
	healthy_loop(7);
	metric("rss_bytes", leaking);
	cr_assert_eq(cdoc_rec_counter(&w, "alloc_no_exit", 1), 0);
	judge();
	cr_assert_str_eq(v.category, "memory-leak", "%s", v.summary);
	cr_assert_eq(v.nr_culprits, 0);
	cr_assert(strstr(v.summary, "SIGTERM"), "%s", v.summary);
}

Test(verdict, hot_lock_holder_with_off_cpu_waiters_is_lock_contention)
{
	uint32_t tid;

	for (tid = 11; tid <= 14; tid++) {
		/* Each worker holds the lock a quarter of the time (hot)
		 * and waits for it the rest. */
		cpu(tid, "srv;worker;handle;update_stats;hash_entries", 25);
		spread("offcpu_lock", tid,
		       "srv;worker;handle;update_stats;pthread_mutex_lock;"
		       "__lll_lock_wait;futex_wait_[k]",
		       600, 10 * MS, 1 * S, 9 * S);
		spread("offcpu_lock", tid,
		       "srv;worker;next_job;pthread_cond_wait;futex_wait_[k]",
		       50, 1 * MS, 1 * S, 9 * S);
	}
	judge();
	cr_assert_str_eq(v.category, "lock-contention", "%s", v.summary);
	cr_assert_str_eq(v.culprits[0].function, "update_stats");
	cr_assert_str_eq(v.culprits[0].via, "pthread_mutex_lock");
	cr_assert(strstr(v.summary, "hash_entries"), "the holder: %s",
	          v.summary);
}

/* Two workers of a spinlock pool: @own samples in record_sample itself,
 * @spin spinning in pthread_spin_lock under it, @io reading requests. */
static void spin_pool(unsigned own, unsigned spin, unsigned io)
{
	uint32_t tid;

	for (tid = 11; tid <= 12; tid++) {
		cpu(tid, "srv;worker;handle;record_sample", own);
		cpu(tid, "srv;worker;handle;record_sample;pthread_spin_lock",
		    spin);
		cpu(tid,
		    "srv;worker;handle;read;__x64_sys_read_[k];"
		    "tcp_recvmsg_[k]",
		    io);
		spread("offcpu_net", tid, "srv;worker;handle;read", 200, 2 * MS,
		       1 * S, 9 * S);
	}
	judge();
}

Test(verdict, spinning_lock_waiters_are_lock_contention_not_a_hotspot)
{
	/* A spinlock: the waiters burn CPU in pthread_spin_lock and never
	 * show in offcpu_lock; the holder's work alone would be under the
	 * hotspot threshold, with the spinning counted as its own CPU a
	 * hotspot. */
	spin_pool(20, 25, 30);
	cr_assert_str_eq(v.category, "lock-contention", "%s", v.summary);
	cr_assert_str_eq(v.culprits[0].function, "record_sample");
	cr_assert_str_eq(v.culprits[0].via, "pthread_spin_lock");
	cr_assert(strstr(v.summary, "spinning"), "%s", v.summary);
	cr_assert(!has_other("cpu-hotspot"), "the spinning is no hotspot");
}

Test(verdict, a_hot_function_that_holds_a_contended_lock_is_lock_contention)
{
	/* The hot function does its work under a spinlock that the other
	 * threads spin on: the lock is why it costs, the hotspot stays a
	 * secondary finding. */
	spin_pool(55, 25, 20);
	cr_assert_str_eq(v.category, "lock-contention", "%s", v.summary);
	cr_assert_str_eq(v.culprits[0].function, "record_sample");
	cr_assert(has_other("cpu-hotspot"), "the hotspot stays secondary");
}

/* FRAMEINFO: frame @name comes from cdoctor's preload shim. */
static void shim_frame(const char *name)
{
	struct cdoc_rec_frameinfo fi = {
	        .module = "/opt/cdoctor/lib/libcdoctor-alloc.so"};

	cr_assert_eq(cdoc_rec_frameinfo(&w, cdoc_rec_str(&w, name), &fi), 0);
}

Test(verdict, waits_on_the_trackers_own_lock_are_not_contention)
{
	uint32_t tid;

	/* Threads that wait for a lock inside cdoctor's preload shim (its
	 * thread registry, entered from a tracked accept): cdoctor's cost,
	 * not the program's contention. */
	for (tid = 11; tid <= 14; tid++) {
		cpu(tid, "srv;worker;handle;parse_request", 20);
		cpu(tid, "srv;worker;read;__x64_sys_read_[k]", 20);
		spread("offcpu_lock", tid,
		       "srv;worker;accept;put_open;shim_thread_start;"
		       "pthread_mutex_lock;__lll_lock_wait;futex_wait_[k]",
		       600, 10 * MS, 1 * S, 9 * S);
	}
	shim_frame("put_open");
	shim_frame("shim_thread_start");
	judge();
	cr_assert_neq(strcmp(v.category, "lock-contention"), 0, "%s",
	              v.summary);
}

Test(verdict, idle_pool_threads_on_condition_variables_are_not_contention)
{
	uint32_t tid;

	for (tid = 11; tid <= 14; tid++) {
		cpu(tid, "srv;worker;handle;parse_request", 20);
		cpu(tid, "srv;worker;handle;send;__x64_sys_sendto_[k]", 20);
		spread("offcpu_lock", tid,
		       "srv;worker;next_job;pthread_cond_wait;futex_wait_[k]",
		       800, 5 * MS, 1 * S, 9 * S);
	}
	judge();
	cr_assert_neq(strcmp(v.category, "lock-contention"), 0, "%s",
	              v.summary);
}

Test(verdict, blocked_loop_whose_blocker_is_hot_is_event_loop_blocked)
{
	/* 19 ms of render_report every 25 ms: hot and blocking. */
	ticks(7, 19, 25, 1 * S, 9 * S);
	spread("cpu", 7, "srv;main;serve;handle_conn;render_report", 608, 1,
	       1 * S, 9 * S);
	cpu(7, "srv;main;serve;handle_conn;write;__x64_sys_write_[k]", 10);
	judge();
	cr_assert_str_eq(v.category, "event-loop-blocked", "%s", v.summary);
	cr_assert_str_eq(v.culprits[0].function, "render_report");
	cr_assert(v.impact > 50, "%f", v.impact);
	cr_assert(strstr(v.summary, "blocked"), "%s", v.summary);
}

Test(verdict, loop_blocked_by_fsync_names_the_caller)
{
	ticks(7, 30, 50, 1 * S, 9 * S);
	cpu(7, "srv;main;serve;handle_conn;parse_request", 5);
	spread("offcpu_disk", 7,
	       "srv;main;serve;handle_conn;append_log;fsync;"
	       "__x64_sys_fsync_[k];io_schedule_[k]",
	       160, 30 * MS, 1 * S + MS, 9 * S);
	judge();
	cr_assert_str_eq(v.category, "event-loop-blocked", "%s", v.summary);
	cr_assert_str_eq(v.culprits[0].function, "append_log");
	cr_assert_str_eq(v.culprits[0].via, "fsync");
}

Test(verdict, stretched_ticks_without_blocking_samples_are_not_blocked)
{
	/* Long ticks, but the thread neither ran nor blocked in them:
	 * it was preempted (off-CPU recorded, nothing there). */
	ticks(7, 19, 25, 1 * S, 9 * S);
	spread("cpu", 7, "srv;main;serve;handle_conn;parse_request", 50, 1,
	       1 * S + 20 * MS, 1 * S + 24 * MS);
	spread("offcpu_net", 7, "srv;main;serve;epoll_wait", 10, MS, 1 * S,
	       9 * S);
	judge();
	cr_assert_neq(strcmp(v.category, "event-loop-blocked"), 0, "%s",
	              v.summary);
}

Test(verdict, disk_waits_in_a_pool_are_io_wait)
{
	uint32_t tid;

	for (tid = 11; tid <= 12; tid++) {
		cpu(tid, "srv;worker;handle;parse_request", 10);
		spread("offcpu_disk", tid,
		       "srv;worker;handle;append_audit_record;fdatasync;"
		       "__x64_sys_fdatasync_[k]",
		       400, 15 * MS, 1 * S, 9 * S);
	}
	judge();
	cr_assert_str_eq(v.category, "io-wait", "%s", v.summary);
	cr_assert_str_eq(v.culprits[0].function, "append_audit_record");
	cr_assert_str_eq(v.culprits[0].via, "fdatasync");
}

static double fds_growing(double t)
{
	return 10 + 100 * t;
}

Test(verdict, steadily_growing_fds_are_a_leak_at_the_opening_site)
{
	healthy_loop(7);
	metric("fds", fds_growing);
	spread("fd_open", 7, "srv;main;serve;serve_static_file;[open:file]", 40,
	       20, 1 * S, 9 * S);
	spread("fd_open", 7, "srv;main;serve;[accept:socket]", 40, 100, 1 * S,
	       9 * S);
	spread("fd_close", 7, "srv;main;serve;[accept:socket]", 40, 100, 1 * S,
	       9 * S);
	judge();
	cr_assert_str_eq(v.category, "fd-leak", "%s", v.summary);
	cr_assert_str_eq(v.culprits[0].function, "serve_static_file");
	cr_assert_str_eq(v.culprits[0].via, "open");
}

Test(verdict, allocator_heavy_code_is_alloc_churn)
{
	cpu(7, "srv;main;serve;build_pieces;malloc;_int_malloc", 30);
	cpu(7, "srv;main;serve;build_pieces;free;_int_free", 15);
	cpu(7, "srv;main;serve;write;__x64_sys_write_[k]", 40);
	cpu(7, "srv;main;serve;parse_request", 15);
	judge();
	cr_assert_str_eq(v.category, "alloc-churn", "%s", v.summary);
	cr_assert_str_eq(v.culprits[0].function, "build_pieces");
}

CONSTANT(runq_high, 90)

CONSTANT(user_150, 150)

Test(verdict, run_queue_wait_with_a_background_consumer_is_saturation)
{
	cpu(7, "srv;main;serve;handle_conn;write;__x64_sys_write_[k]", 40);
	cpu(7, "srv;main;serve;epoll_wait;__x64_sys_epoll_wait_[k]", 5);
	cpu(21, "compactor;bg_main;compact_segments", 55);
	cpu(22, "compactor;bg_main;compact_segments", 50);
	metric("runq_wait_pct", runq_high);
	metric("cpu_user_pct", user_150);
	judge();
	cr_assert_str_eq(v.category, "cpu-saturation", "%s", v.summary);
	cr_assert_str_eq(v.culprits[0].function, "compact_segments");
}

Test(verdict, run_queue_wait_of_request_threads_only_is_not_saturation)
{
	healthy_loop(7);
	metric("runq_wait_pct", runq_high);
	metric("cpu_user_pct", user_150);
	judge();
	cr_assert_neq(strcmp(v.category, "cpu-saturation"), 0, "%s", v.summary);
}

Test(verdict, a_runtimes_helper_threads_are_not_a_saturating_consumer)
{
	uint32_t tid;

	/* node under load on a busy machine: V8's platform workers compile
	 * and collect for the JS code, and hand tasks to each other under a
	 * mutex; neither is a consumer the program's code could change. */
	healthy_loop(7);
	for (tid = 21; tid <= 24; tid++) {
		cpu(tid,
		    "node;start_thread;PlatformWorkerThread;"
		    "v8::internal::compiler::GraphReducer::ReduceTop",
		    40);
		spread("offcpu_lock", tid,
		       "node;start_thread;PlatformWorkerThread;uv_cond_wait;"
		       "pthread_cond_wait;__pthread_mutex_cond_lock;"
		       "__lll_lock_wait;futex_wait_[k]",
		       300, 5 * MS, 1 * S, 9 * S);
	}
	metric("runq_wait_pct", runq_high);
	metric("cpu_user_pct", user_150);
	judge();
	cr_assert_neq(strcmp(v.category, "cpu-saturation"), 0, "%s", v.summary);
	cr_assert_neq(strcmp(v.category, "lock-contention"), 0, "%s",
	              v.summary);
}

Test(verdict, multithreaded_compute_is_a_hotspot)
{
	uint32_t tid;

	for (tid = 11; tid <= 12; tid++) {
		cpu(tid, "srv;worker;handle;checksum_payload", 60);
		cpu(tid, "srv;worker;handle;checksum_payload;memcpy", 10);
		cpu(tid, "srv;worker;handle;send;__x64_sys_sendto_[k]", 20);
	}
	judge();
	cr_assert_str_eq(v.category, "cpu-hotspot", "%s", v.summary);
	cr_assert_str_eq(v.culprits[0].function, "checksum_payload");
	cr_assert(v.culprits[0].share > 70, "%f", v.culprits[0].share);
}

CONSTANT(throttled, 45)

Test(verdict, cgroup_throttling_is_cpu_throttled)
{
	cpu(7, "srv;main;serve;handle_conn;parse_request", 20);
	cpu(7, "srv;main;serve;handle_conn;write;__x64_sys_write_[k]", 30);
	metric("cgroup_throttled_pct", throttled);
	judge();
	cr_assert_str_eq(v.category, "cpu-throttled", "%s", v.summary);
}

Test(verdict, two_problems_the_bigger_wins_the_other_is_secondary)
{
	struct cdoc_diagnoses d;

	ticks(7, 19, 25, 1 * S, 9 * S);
	spread("cpu", 7, "srv;main;serve;handle_conn;render_invoice", 608, 1,
	       1 * S, 9 * S);
	cpu(7, "srv;main;serve;handle_conn;write;__x64_sys_write_[k]", 20);
	metric("rss_bytes", leaking);
	synth_folded(&w, "leaked_bytes", 100,
	             "srv;main;serve;handle_conn;cache_page;malloc 9000000\n");
	judge();
	cr_assert_str_eq(v.category, "event-loop-blocked", "%s", v.summary);
	cr_assert(has_other("memory-leak"));
	cdoc_diagnoses_init(&d);
	cdoc_doctor_run(&rec, &d);
	cr_assert_not_null(cdoc_diagnoses_find(&d, "memory-leak"));
	cdoc_diagnoses_release(&d);
}

Test(verdict, only_the_window_counts)
{
	/* A hot start-up before the load, a healthy server during it. */
	spread("cpu", 7, "srv;main;load_config;parse_yaml", 500, 1, 0,
	       900 * MS);
	healthy_loop(7);
	judge();
	cr_assert_str_eq(v.category, "none", "%s", v.summary);
}

Test(verdict, without_a_load_window_the_ends_are_trimmed)
{
	synth_load(&w, &rec);
	cdoc_recording_release(&rec);
	synth_open(&w);
	cdoc_rec_meta(&w, "duration_ns", "20000000000");
	spread("cpu", 7, "srv;main;crunch", 500, 1, 0, 500 * MS);
	judge();
	cr_assert(strstr(v.window_rule, "first and last"), "%s", v.window_rule);
	cr_assert_float_eq(v.window_start_s, 1.0, 1e-9);
	cr_assert_float_eq(v.window_end_s, 19.0, 1e-9);
	cr_assert_str_eq(v.category, "none", "start-up only: %s", v.summary);
}

Test(verdict, json_and_html_carry_the_verdict_escaped)
{
	struct cdoc_buf out = CDOC_BUF_INIT;

	cpu(7, "srv;main;serve;<script>alert(1)</script>", 90);
	judge();
	cr_assert_str_eq(v.category, "cpu-hotspot");
	cr_assert_eq(cdoc_report_json(&rec, NULL, &out), 0);
	cr_assert(strstr(out.buf, "\"verdict\":{\"category\":\"cpu-hotspot\""),
	          "%.300s", out.buf);
	cr_assert(strstr(out.buf, "\"culprits\":[{\"function\":"));
	cdoc_buf_reset(&out);
	cr_assert_eq(cdoc_report_html(&rec, NULL, &out), 0);
	cr_assert(strstr(out.buf, "id=\"verdict\""));
	cr_assert_null(strstr(out.buf, "<script>alert"));
	cdoc_buf_reset(&out);
	cr_assert_eq(cdoc_report_text(&rec, NULL, &out), 0);
	cr_assert(strstr(out.buf, "Verdict: cpu-hotspot"), "%.400s", out.buf);
	cr_assert(strstr(out.buf, "Verdict") < strstr(out.buf, "Run\n"));
	cdoc_buf_release(&out);
}

Test(verdict, downstream_calls_inside_request_handling_are_io_wait)
{
	uint32_t tid;

	for (tid = 11; tid <= 14; tid++) {
		cpu(tid, "srv;worker;serve_conn;handle;parse_request", 10);
		cpu(tid, "srv;worker;serve_conn;write;__x64_sys_write_[k]", 10);
		/* The next request from the client: waiting for work. */
		spread("offcpu_net", tid,
		       "srv;worker;serve_conn;read;__x64_sys_read_[k]", 400,
		       1 * MS, 1 * S, 9 * S);
		/* A backend call per request. */
		spread("offcpu_net", tid,
		       "srv;worker;serve_conn;handle;query_backend;recv;"
		       "__x64_sys_recvfrom_[k]",
		       400, 4 * MS, 1 * S, 9 * S);
	}
	judge();
	cr_assert_str_eq(v.category, "io-wait", "%s", v.summary);
	cr_assert_str_eq(v.culprits[0].function, "query_backend");
}

Test(verdict, pool_threads_reading_the_next_request_are_not_io_wait)
{
	uint32_t tid;

	for (tid = 11; tid <= 14; tid++) {
		cpu(tid, "srv;worker;serve_conn;handle;parse_request", 10);
		cpu(tid, "srv;worker;serve_conn;write;__x64_sys_write_[k]", 30);
		spread("offcpu_net", tid,
		       "srv;worker;serve_conn;read;__x64_sys_read_[k]", 800,
		       5 * MS, 1 * S, 9 * S);
		spread("offcpu_net", tid, "srv;worker;accept", 10, 100 * MS,
		       1 * S, 9 * S);
	}
	judge();
	cr_assert_str_eq(v.category, "none", "%s", v.summary);
}

Test(verdict, a_hot_function_that_mostly_allocates_is_alloc_churn)
{
	cpu(7, "srv;main;serve;build_pieces;snprintf;__vfprintf_internal", 35);
	cpu(7, "srv;main;serve;build_pieces;malloc;_int_malloc", 12);
	cpu(7, "srv;main;serve;build_pieces;free;_int_free", 8);
	cpu(7, "srv;main;serve;write;__x64_sys_write_[k]", 45);
	judge();
	cr_assert_str_eq(v.category, "alloc-churn", "%s", v.summary);
	cr_assert_str_eq(v.culprits[0].function, "build_pieces");
	cr_assert(has_other("cpu-hotspot"));
}

Test(verdict, a_hot_function_beside_a_busy_allocator_elsewhere_stays_hotspot)
{
	cpu(7, "srv;main;serve;checksum", 50);
	cpu(7, "srv;main;serve;make_headers;malloc;_int_malloc", 20);
	cpu(7, "srv;main;serve;write;__x64_sys_write_[k]", 30);
	judge();
	cr_assert_str_eq(v.category, "cpu-hotspot", "%s", v.summary);
	cr_assert(has_other("alloc-churn"));
}

Test(verdict, without_off_cpu_the_verdict_says_waits_were_not_seen)
{
	cdoc_rec_meta(&w, "offcpu", "off: perf_event_paranoid is 3");
	cpu(7, "srv;main;serve;checksum", 80);
	judge();
	cr_assert_str_eq(v.category, "cpu-hotspot", "%s", v.summary);
	cr_assert(strstr(v.summary, "perf_event_paranoid is 3"), "%s",
	          v.summary);
	cr_assert(strstr(v.recs[v.nr_recs - 1], "cdoctor sysinfo"));
}

Test(verdict, off_cpu_on_without_samples_says_so_not_on)
{
	cdoc_rec_meta(&w, "offcpu", "on");
	cpu(7, "srv;main;serve;checksum", 80);
	judge();
	cr_assert_str_eq(v.category, "cpu-hotspot", "%s", v.summary);
	cr_assert(strstr(v.summary, "(no off-CPU samples)"), "%s", v.summary);
	cr_assert_null(strstr(v.summary, "(on)"), "%s", v.summary);
}

static double small_leak(double t)
{
	return 3e6 + t * 60e3;
}

static double allocs(double t)
{
	return t * 100000;
}

static double frees_leaving_500_per_s(double t)
{
	return t * 100000 - t * 500;
}

static double frees_all(double t)
{
	return t * 100000;
}

Test(verdict, small_steady_growth_with_live_allocations_is_a_leak)
{
	healthy_loop(7);
	metric("rss_bytes", small_leak);
	metric("alloc_count_total", allocs);
	metric("free_count_total", frees_leaving_500_per_s);
	judge();
	cr_assert_str_eq(v.category, "memory-leak", "%s", v.summary);
}

Test(verdict, small_growth_without_live_allocations_is_not_a_leak)
{
	healthy_loop(7);
	metric("rss_bytes", small_leak);
	metric("alloc_count_total", allocs);
	metric("free_count_total", frees_all);
	judge();
	cr_assert_str_eq(v.category, "none", "%s", v.summary);
}

/* ---- Node loops (lib/doctor/rules_node.c) ---- */

CONSTANT(util_80, 80)

/* 40 ms of GC pauses in each 200 ms reading: 25% of a loop busy 80%. */
CONSTANT(pause_40, 40)

CONSTANT(delay_3, 3)

CONSTANT(zero, 0)

Test(verdict, node_gc_work_of_v8_helpers_counts_for_gc_pressure)
{
	/* The loop thread's samples show 3% in V8's collector; V8's helper
	 * threads scavenge and mark for it: 20% of a CPU more. */
	cpu(100,
	    "node;uv_run;JS:handler /srv/app.js:5:1;"
	    "JS:buildRows /srv/app.js:9:3",
	    60);
	cpu(100,
	    "node;uv_run;JS:handler /srv/app.js:5:1;"
	    "JS:buildRows /srv/app.js:9:3;v8::internal::Scavenger::"
	    "ScavengePage",
	    2);
	cpu(101,
	    "node;start_thread;v8::platform::DefaultWorkerThreadsTaskRunner::"
	    "WorkerThread::Run;v8::internal::ScavengerCollector::JobTask::Run",
	    20);
	metric("node_loop_util_pct[100]", util_80);
	metric("node_gc_pause_ms[100]", pause_40);
	metric("node_gc_count[100]", ten);
	metric("node_loop_delay_p99_ms[100]", delay_3);
	judge();
	cr_assert_str_eq(v.category, "gc-pressure", "%s", v.summary);
	cr_assert_str_eq(v.culprits[0].function, "buildRows");
}

Test(verdict, node_pauses_stretched_by_a_busy_machine_are_not_gc_pressure)
{
	/* 25% of the loop's busy time in GC pauses, but 2% of the CPU: the
	 * helpers waited for a CPU inside the pauses. */
	cpu(100, "node;uv_run;JS:handler /srv/app.js:5:1", 60);
	cpu(100,
	    "node;uv_run;JS:handler /srv/app.js:5:1;"
	    "v8::internal::Heap::CollectGarbage",
	    1);
	metric("node_loop_util_pct[100]", util_80);
	metric("node_gc_pause_ms[100]", pause_40);
	metric("node_gc_count[100]", ten);
	metric("node_loop_delay_p99_ms[100]", delay_3);
	judge();
	cr_assert_neq(strcmp(v.category, "gc-pressure"), 0, "%s", v.summary);
	cr_assert(!has_other("gc-pressure"));
}

Test(verdict, node_loop_with_few_pauses_is_not_gc_pressure)
{
	cpu(100, "node;uv_run;JS:handler /srv/app.js:5:1", 60);
	metric("node_loop_util_pct[100]", util_80);
	metric("node_gc_pause_ms[100]", delay_3); /* 3 ms in 160: 2% */
	metric("node_gc_count[100]", ten);
	metric("node_loop_delay_p99_ms[100]", delay_3);
	judge();
	cr_assert_neq(strcmp(v.category, "gc-pressure"), 0, "%s", v.summary);
	cr_assert(!has_other("gc-pressure"));
}

Test(verdict, node_ticks_stretched_in_runtime_code_are_not_a_blocked_loop)
{
	/* A healthy node server on a busy machine: long ticks, and what ran
	 * in them is libuv and V8 (no JS function, no user native code);
	 * the agent says the loop's delay is small and requests cheap. */
	ticks(100, 19, 25, 1 * S, 9 * S);
	cpu(100, "node;node::Start;uv_run;uv__io_poll;uv_cond_signal", 40);
	cpu(100, "node;node::Start;uv_run;v8::internal::Execution::Call", 30);
	metric("node_loop_util_pct[100]", util_80);
	metric("node_loop_delay_p99_ms[100]", delay_3);
	metric("node_gc_pause_ms[100]", zero);
	metric("node_gc_count[100]", zero);
	judge();
	cr_assert_neq(strcmp(v.category, "event-loop-blocked"), 0, "%s",
	              v.summary);
	cr_assert(!has_other("event-loop-blocked"));
}

Test(verdict, node_finding_about_a_loop_ranks_over_its_generic_blocked_loop)
{
	/* The long ticks are GC pauses under a JS function: the generic loop
	 * rule calls the loop blocked; the Node rules name the collector. */
	ticks(100, 19, 25, 1 * S, 9 * S);
	cpu(100, "node;uv_run;JS:buildRows /srv/app.js:9:3", 70);
	cpu(100,
	    "node;uv_run;JS:buildRows /srv/app.js:9:3;"
	    "v8::internal::Heap::CollectGarbage",
	    20);
	metric("node_loop_util_pct[100]", util_80);
	metric("node_gc_pause_ms[100]", pause_40);
	metric("node_gc_count[100]", ten);
	metric("node_loop_delay_p99_ms[100]", delay_3);
	judge();
	cr_assert_str_eq(v.category, "gc-pressure", "%s", v.summary);
	cr_assert(has_other("event-loop-blocked"));
}

/* A healthy node server warming up: V8's committed heap grows with the
 * load (8 MB/s, as resident memory does) while the heap used after
 * collection stays at 30 MB. */
CONSTANT(js_floor_flat, 30e6)

static double v8_total_growing(double t)
{
	return 40e6 + t * 8e6;
}

static double js_floor_growing(double t)
{
	return 30e6 + t * 6e6;
}

/* A loop busy with short ticks whose heap used follows @heap. */
static void node_loop_heap(double (*heap)(double))
{
	cpu(100, "node;node::Start;uv_run;JS:handle /srv/app.js:1", 40);
	metric("node_loop_util_pct[100]", util_80);
	metric("node_loop_delay_p99_ms[100]", delay_3);
	metric("node_gc_pause_ms[100]", zero);
	metric("node_gc_count[100]", zero);
	metric("node_heap_used_bytes[100]", heap);
	metric("rss_bytes", leaking);
}

Test(verdict, node_resident_growth_that_is_v8_sizing_its_heap_is_no_leak)
{
	node_loop_heap(js_floor_flat);
	metric("node_heap_total_bytes", v8_total_growing);
	judge();
	assert_found("memory-leak", 0);
}

Test(verdict, node_resident_growth_beyond_v8s_heap_is_still_a_leak)
{
	/* the same resident growth, V8's heap flat: native memory grows,
	 * in an addon's code */
	node_loop_heap(js_floor_flat);
	metric("node_heap_total_bytes", flat);
	synth_folded(&w, "leaked_bytes", 100,
	             "node;node::Start;uv_run;addon_cache_put;malloc "
	             "60000000\n");
	judge();
	assert_found("memory-leak", 1);
}

Test(verdict, node_resident_growth_in_v8s_own_allocator_is_no_leak)
{
	/* V8's heap metrics lag its allocations: what grew is V8's */
	node_loop_heap(js_floor_flat);
	metric("node_heap_total_bytes", flat);
	synth_folded(&w, "leaked_bytes", 100,
	             "node;node::Start;v8::internal::AllocAtLeastWithRetry;"
	             "malloc 60000000\n");
	judge();
	assert_found("memory-leak", 0);
}

Test(verdict, node_resident_growth_with_a_growing_js_heap_stays)
{
	/* the heap floor grows too: not warm-up, whatever V8 commits */
	node_loop_heap(js_floor_growing);
	metric("node_heap_total_bytes", v8_total_growing);
	judge();
	assert_found("memory-leak", 1);
}
