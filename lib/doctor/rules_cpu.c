/*
 * rules_cpu.c - rules over the cpu profile: a dominant function, time in
 * the kernel, lock contention, allocation-heavy code, and a mostly idle
 * target.
 */
#include "doctor/internal.h"

#include "metrics/metrics.h"

#include <stdlib.h>
#include <string.h>

#define HOT_WARN_PCT    30.0
#define HOT_PROBLEM_PCT 50.0
#define KERNEL_WARN_PCT 40.0
#define LOCK_WARN_PCT   10.0
#define ALLOC_WARN_PCT  10.0
#define IDLE_CPU_PCT    25.0
#define CHAIN_FRAMES    8
#define MIN_SAMPLES     50 /* fewer, and shares mean little */

static struct cdoc_profile *any_cpu_profile(struct cdoc_recording *r)
{
	struct cdoc_profile *p = cdoc_recording_profile(r, "cpu");

	return p && cdoc_profile_total(p, 0) ? p : NULL;
}

/* The cpu profile, when it has enough samples to judge shares by. */
static struct cdoc_profile *cpu_profile(struct cdoc_recording *r)
{
	struct cdoc_profile *p = any_cpu_profile(r);

	return p && cdoc_profile_total(p, 0) >= MIN_SAMPLES ? p : NULL;
}

void doctor__rule_no_samples(struct cdoc_recording *r, struct cdoc_diagnoses *d)
{
	struct cdoc_profile *p = any_cpu_profile(r);

	if (p && !cpu_profile(r)) {
		cdoc_diagnoses_add(
		        d, CDOC_SEV_INFO, "few-samples",
		        "Too few CPU samples to judge",
		        "Run the program longer or under load, or raise the "
		        "sampling frequency (-F).",
		        "Only %llu CPU samples were recorded (at least %d are "
		        "needed before shares of time mean much), so no CPU "
		        "finding is made.",
		        (unsigned long long)cdoc_profile_total(p, 0),
		        MIN_SAMPLES);
		return;
	}
	if (p)
		return;
	cdoc_diagnoses_add(
	        d, CDOC_SEV_PROBLEM, "no-samples", "No CPU samples recorded",
	        "Run the program longer or under load, raise --frequency, and "
	        "check what this machine allows with `cdoctor sysinfo`.",
	        "The recording holds no cpu profile samples%s, so no CPU "
	        "diagnosis is possible.",
	        cdoc_recording_counter(r, "lost_samples") ? " (all were lost)"
	                                                  : "");
}

void doctor__rule_hot_function(struct cdoc_recording *r,
                               struct cdoc_diagnoses *d)
{
	struct cdoc_profile *p = cpu_profile(r);
	struct cdoc_buf chain = CDOC_BUF_INIT;
	struct cdoc_top_entry *top;
	const char *name;
	uint64_t total;
	size_t i, n;
	double share;

	if (!p)
		return;
	n = cdoc_profile_top(p, 0, CDOC_TOP_SELF, &top);
	total = cdoc_profile_total(p, 0);
	/*
	 * The hottest function of the program's own code: kernel frames
	 * (scheduler, syscalls) are the kernel rule's business, and a sleeping
	 * program's samples land in finish_task_switch.
	 */
	for (i = 0; i < n && doctor__frame_is_kernel(
	                             cdoc_strtab_get(&p->names, top[i].name));
	     i++)
		;
	if (i == n) {
		free(top);
		return;
	}
	share = pct(top[i].self, total);
	name = cdoc_strtab_get(&p->names, top[i].name);
	if (share > HOT_WARN_PCT) {
		doctor__heaviest_chain(p, name, CHAIN_FRAMES, &chain);
		cdoc_diagnoses_add(
		        d,
		        share > HOT_PROBLEM_PCT ? CDOC_SEV_PROBLEM
		                                : CDOC_SEV_WARNING,
		        "hot-function", "One function dominates CPU time",
		        "Optimize this function or call it less: look at its "
		        "loops, cache results it recomputes, and check whether "
		        "its callers need it this often.",
		        "%s spends %.1f%% of CPU samples in itself (%llu of "
		        "%llu samples; %.1f%% including callees). Heaviest "
		        "call "
		        "chain: %s.",
		        name, share, (unsigned long long)top[i].self,
		        (unsigned long long)total, pct(top[i].total, total),
		        chain.buf ? chain.buf : name);
	}
	cdoc_buf_release(&chain);
	free(top);
}

struct kernel_ctx {
	uint64_t kernel;
	struct tally syscalls, callers;
};

static void kernel_stack(void *ctx, const char *const *f, size_t n, uint64_t w)
{
	struct kernel_ctx *k = ctx;
	size_t i, len;

	if (!n || !doctor__frame_is_kernel(f[n - 1]))
		return;
	k->kernel += w;
	for (i = 0; i < n; i++) {
		const char *sc = doctor__frame_syscall(f[i], &len);

		if (sc) {
			doctor__tally_add(&k->syscalls, sc, len, w);
			break;
		}
	}
	for (i = 0; i < n && !doctor__frame_is_kernel(f[i]); i++)
		;
	if (i > 1)
		doctor__tally_add(&k->callers, f[i - 1], strlen(f[i - 1]), w);
}

static void add_kernel(struct cdoc_diagnoses *d, struct kernel_ctx *k,
                       uint64_t total)
{
	struct cdoc_buf sc = CDOC_BUF_INIT, ca = CDOC_BUF_INIT;

	doctor__tally_top(&k->syscalls, 3, total, &sc);
	doctor__tally_top(&k->callers, 3, total, &ca);
	cdoc_diagnoses_add(
	        d, CDOC_SEV_WARNING, "kernel-heavy",
	        "Most CPU time is spent in the kernel",
	        "Make fewer system calls: batch I/O (larger reads and writes, "
	        "buffered output, writev/sendmmsg), avoid polling, and cache "
	        "what is looked up repeatedly (stat, open).",
	        "%.1f%% of CPU samples are in kernel code. Top system calls: "
	        "%s. Entered from: %s.",
	        pct(k->kernel, total), sc.buf ? sc.buf : "none identified",
	        ca.buf ? ca.buf : "unknown");
	cdoc_buf_release(&sc);
	cdoc_buf_release(&ca);
}

void doctor__rule_kernel_heavy(struct cdoc_recording *r,
                               struct cdoc_diagnoses *d)
{
	struct cdoc_profile *p = cpu_profile(r);
	struct kernel_ctx k = {0};
	uint64_t total;

	if (!p)
		return;
	total = cdoc_profile_total(p, 0);
	doctor__tally_init(&k.syscalls);
	doctor__tally_init(&k.callers);
	doctor__walk(p, kernel_stack, &k);
	if (pct(k.kernel, total) > KERNEL_WARN_PCT)
		add_kernel(d, &k, total);
	doctor__tally_release(&k.syscalls);
	doctor__tally_release(&k.callers);
}

/* Weight of stacks matching a frame test, tallied by the caller frame. */
struct match_ctx {
	int (*match)(const char *);
	size_t leaf_window; /* user frames from the leaf to look at; 0 all */
	uint64_t hit;
	struct tally callers;
};

/* Index of the first frame matching, within the window, or n. */
static size_t find_match(struct match_ctx *m, const char *const *f, size_t n)
{
	size_t i = n, user = 0;

	while (i-- > 0) {
		if (m->match(f[i])) {
			while (i > 0 && m->match(f[i - 1]))
				i--;
			return i;
		}
		if (!doctor__frame_is_kernel(f[i]) && m->leaf_window &&
		    ++user >= m->leaf_window)
			break;
	}
	return n;
}

static void match_stack(void *ctx, const char *const *f, size_t n, uint64_t w)
{
	struct match_ctx *m = ctx;
	size_t i = find_match(m, f, n);

	if (i == n)
		return;
	m->hit += w;
	if (i > 0)
		doctor__tally_add(&m->callers, f[i - 1], strlen(f[i - 1]), w);
}

static uint64_t match_walk(struct cdoc_profile *p, struct match_ctx *m,
                           struct cdoc_buf *callers)
{
	doctor__tally_init(&m->callers);
	doctor__walk(p, match_stack, m);
	doctor__tally_top(&m->callers, 3, cdoc_profile_total(p, 0), callers);
	doctor__tally_release(&m->callers);
	return m->hit;
}

void doctor__rule_lock_contention(struct cdoc_recording *r,
                                  struct cdoc_diagnoses *d)
{
	struct cdoc_profile *p = cpu_profile(r);
	struct match_ctx m = {doctor__frame_is_lock, 0};
	struct cdoc_buf who = CDOC_BUF_INIT;
	double share;

	if (!p)
		return;
	share = pct(match_walk(p, &m, &who), cdoc_profile_total(p, 0));
	if (share > LOCK_WARN_PCT)
		cdoc_diagnoses_add(
		        d, CDOC_SEV_WARNING, "lock-contention",
		        "Threads spend time on locks (futex)",
		        "Hold locks for less time, split hot locks (sharding, "
		        "per-thread data), or use lock-free queues; off-CPU "
		        "waiting does not show here, so the real cost is "
		        "higher.",
		        "%.1f%% of CPU samples are in locking code (futex, "
		        "mutex, condition variables). Taken from: %s.",
		        share, who.buf ? who.buf : "unknown callers");
	cdoc_buf_release(&who);
}

void doctor__rule_alloc_heavy(struct cdoc_recording *r,
                              struct cdoc_diagnoses *d)
{
	struct cdoc_profile *p = cpu_profile(r);
	struct match_ctx m = {doctor__frame_is_alloc, 4};
	struct cdoc_buf who = CDOC_BUF_INIT;
	double share;

	if (!p)
		return;
	share = pct(match_walk(p, &m, &who), cdoc_profile_total(p, 0));
	if (share > ALLOC_WARN_PCT)
		cdoc_diagnoses_add(
		        d, CDOC_SEV_WARNING, "alloc-heavy",
		        "Memory allocation costs a lot of CPU",
		        "Reduce allocations on the hot path: reuse buffers, "
		        "reserve capacity up front, pool or arena-allocate "
		        "short-lived objects. `cdoctor heap REC` (allocation "
		        "tracking is on by default in `cdoctor run`) shows "
		        "which call sites allocate most.",
		        "%.1f%% of CPU samples are in the allocator (malloc, "
		        "free, new, delete). Called from: %s.%s",
		        share, who.buf ? who.buf : "unknown callers",
		        cdoc_recording_meta(r, "alloc_tracking")
		                ? " Allocation tracking was on in this run and "
		                  "adds its own cost inside the allocator: "
		                  "compare with a run with --no-alloc."
		                : "");
	cdoc_buf_release(&who);
}

/* Mean CPU use in % of one CPU from metrics; -1 without metrics. */
static double metrics_cpu(struct cdoc_recording *r)
{
	struct cdoc_metrics_series u, s;
	struct cdoc_metrics_trend tu, ts;
	double v = -1;

	cdoc_metrics_series(r, "cpu_user_pct", &u);
	cdoc_metrics_series(r, "cpu_sys_pct", &s);
	if (u.n >= 2) {
		cdoc_metrics_trend(&u, &tu);
		cdoc_metrics_trend(&s, &ts);
		v = tu.mean + ts.mean;
	}
	cdoc_metrics_series_release(&u);
	cdoc_metrics_series_release(&s);
	return v;
}

/* CPU use in % of one CPU from sample count, duration and frequency. */
static double sampled_cpu(struct cdoc_recording *r)
{
	const char *dur = cdoc_recording_meta(r, "duration_ns");
	const char *freq = cdoc_recording_meta(r, "frequency");
	double secs = dur ? strtod(dur, NULL) / 1e9 : 0;
	double hz = freq ? strtod(freq, NULL) : 0;

	if (secs < 0.5 || hz <= 0)
		return -1;
	return pct(doctor__samples(r), secs * hz);
}

void doctor__rule_idle(struct cdoc_recording *r, struct cdoc_diagnoses *d)
{
	double cpu = metrics_cpu(r);
	const char *how = "procfs CPU time";
	const char *load = cdoc_recording_meta(r, "load_command");
	int loaded = load && *load; /* cdoctor run --on-port CMD */

	if (cpu < 0) {
		cpu = sampled_cpu(r);
		how = "samples against duration and frequency";
	}
	if (cpu < 0 || cpu >= IDLE_CPU_PCT)
		return;
	cdoc_diagnoses_add(
	        d, loaded ? CDOC_SEV_WARNING : CDOC_SEV_INFO, "mostly-idle",
	        "The program mostly waits instead of computing",
	        "Look at off-CPU time: I/O, locks, sleeps and the network "
	        "(e.g. `strace -c -f`, `perf trace -s`, or an off-CPU "
	        "profiler); check that the load actually reaches it. The "
	        "flame graph shows only the time it was on a CPU.",
	        "It used %.1f%% of one CPU on average (%s)%s.", cpu, how,
	        loaded ? " while under load" : "");
}
