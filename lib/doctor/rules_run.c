/*
 * rules_run.c - rules about the run and the quality of its data: lost
 * samples, unwinding failures, unresolved frames, a crashed target, a
 * hardware event that fell back, a recording cut short.
 */
#include "doctor/internal.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define LOST_WARN_PCT       1.0
#define UNWIND_WARN_PCT     5.0
#define TRUNC_INFO_PCT      5.0
#define UNRESOLVED_WARN_PCT 5.0
#define DROPPED_WARN_PCT    1.0

static void check_lost(struct cdoc_recording *r, struct cdoc_diagnoses *d,
                       uint64_t n)
{
	uint64_t lost = cdoc_recording_counter(r, "lost_samples");

	if (pct(lost, n + lost) <= LOST_WARN_PCT)
		return;
	cdoc_diagnoses_add(
	        d, CDOC_SEV_WARNING, "lost-samples", "Samples were lost",
	        "Give the ring buffers more room (a larger --mmap-pages) or "
	        "sample less often (--frequency); lost samples make the "
	        "profile less exact.",
	        "%llu samples were lost (%.1f%% of %llu); the kernel dropped "
	        "them because the ring buffer was full.",
	        (unsigned long long)lost, pct(lost, n + lost),
	        (unsigned long long)(n + lost));
}

static void check_unwind(struct cdoc_recording *r, struct cdoc_diagnoses *d,
                         uint64_t n)
{
	uint64_t fail = cdoc_recording_counter(r, "unwind_failures");
	uint64_t trunc = cdoc_recording_counter(r, "truncated_stacks");

	if (pct(fail, n) > UNWIND_WARN_PCT)
		cdoc_diagnoses_add(
		        d, CDOC_SEV_WARNING, "unwind-failures",
		        "Many stacks could not be unwound",
		        "Build the program with -fno-omit-frame-pointer, or "
		        "keep .eh_frame (do not strip it; "
		        "-fasynchronous-unwind-tables), and raise the copied "
		        "stack size (--stack-size).",
		        "%llu of %llu samples (%.1f%%) had stacks that could "
		        "not be unwound completely; their callers are missing "
		        "from the flame graph.",
		        (unsigned long long)fail, (unsigned long long)n,
		        pct(fail, n));
	if (pct(trunc, n) > TRUNC_INFO_PCT)
		cdoc_diagnoses_add(
		        d, CDOC_SEV_INFO, "truncated-stacks",
		        "Some stacks were cut at the depth limit",
		        "Raise the stack depth or copied stack size "
		        "(--stack-size) if deep recursion matters here.",
		        "%llu of %llu samples (%.1f%%) hit the maximum stack "
		        "depth.",
		        (unsigned long long)trunc, (unsigned long long)n,
		        pct(trunc, n));
}

static void check_events(struct cdoc_recording *r, struct cdoc_diagnoses *d)
{
	uint64_t thr = cdoc_recording_counter(r, "throttle_events");
	uint64_t drop = cdoc_recording_counter(r, "dropped_alloc_events");
	uint64_t alloc = cdoc_recording_counter(r, "alloc_events");

	if (thr)
		cdoc_diagnoses_add(
		        d, CDOC_SEV_INFO, "throttled",
		        "The kernel throttled sampling",
		        "Lower --frequency, or raise the limit: sudo sysctl "
		        "kernel.perf_event_max_sample_rate=100000.",
		        "Sampling was throttled %llu times; samples are "
		        "missing "
		        "from those periods.",
		        (unsigned long long)thr);
	if (drop && pct(drop, drop + alloc) > DROPPED_WARN_PCT)
		cdoc_diagnoses_add(
		        d, CDOC_SEV_WARNING, "dropped-alloc-events",
		        "Allocation events were dropped",
		        "The target allocates faster than they could be "
		        "recorded: raise the shim's buffer or sample "
		        "allocations.",
		        "%llu of %llu allocation events (%.1f%%) were dropped; "
		        "heap numbers are lower bounds.",
		        (unsigned long long)drop,
		        (unsigned long long)(drop + alloc),
		        pct(drop, drop + alloc));
}

void doctor__rule_data_quality(struct cdoc_recording *r,
                               struct cdoc_diagnoses *d)
{
	uint64_t n = doctor__samples(r);

	check_lost(r, d, n);
	if (n)
		check_unwind(r, d, n);
	check_events(r, d);
}

struct unres_ctx {
	uint64_t hit;
	struct tally mods;
};

static void unres_stack(void *ctx, const char *const *f, size_t n, uint64_t w)
{
	struct unres_ctx *u = ctx;
	size_t i, len;

	for (i = n; i-- > 0;)
		if (doctor__frame_is_unresolved(f[i], &len)) {
			u->hit += w;
			doctor__tally_add(&u->mods, f[i], len, w);
			return;
		}
}

void doctor__rule_unresolved(struct cdoc_recording *r, struct cdoc_diagnoses *d)
{
	struct cdoc_profile *p = cdoc_recording_profile(r, "cpu");
	uint64_t frames = cdoc_recording_counter(r, "unresolved_frames");
	struct unres_ctx u = {0};
	struct cdoc_buf mods = CDOC_BUF_INIT;
	uint64_t total = p ? cdoc_profile_total(p, 0) : 0;
	double share;

	if (!total)
		return;
	doctor__tally_init(&u.mods);
	doctor__walk(p, unres_stack, &u);
	doctor__tally_top(&u.mods, 3, total, &mods);
	share = pct(u.hit, total);
	if (u.hit || frames)
		cdoc_diagnoses_add(
		        d,
		        share > UNRESOLVED_WARN_PCT ? CDOC_SEV_WARNING
		                                    : CDOC_SEV_INFO,
		        "unresolved-frames", "Some frames have no symbol names",
		        "Install debug symbols for these modules (Debian: find "
		        "the package with `dpkg -S MODULE` and `apt install "
		        "PACKAGE-dbgsym` from the debug archive), build your "
		        "own code with -g and do not strip it, and for JIT "
		        "code enable a perf map (node --perf-basic-prof).",
		        "%.1f%% of CPU samples have a frame shown as "
		        "module+offset (%llu unresolved frames counted). "
		        "Modules: %s.",
		        share, (unsigned long long)frames,
		        mods.buf ? mods.buf : "none in the profile");
	cdoc_buf_release(&mods);
	doctor__tally_release(&u.mods);
}

static void add_crash(struct cdoc_diagnoses *d, const struct cdoc_rec_proc *p)
{
	int sig = WTERMSIG(p->status);
	const char *abbrev = sigabbrev_np(sig);

	cdoc_diagnoses_add(
	        d, CDOC_SEV_PROBLEM, "crashed",
	        "The program was killed by a signal",
	        "Find where it died: enable core dumps (ulimit -c unlimited) "
	        "and open the core with gdb, or rerun under gdb; for SIGSEGV "
	        "and SIGABRT build with -fsanitize=address to find the memory "
	        "error. The last stacks recorded are in the flame graph.",
	        "Process %u (%s) ended with signal %d (SIG%s: %s)%s.", p->pid,
	        p->name, sig, abbrev ? abbrev : "?", strsignal(sig),
	        WCOREDUMP(p->status) ? ", core dumped" : "");
}

void doctor__rule_crash(struct cdoc_recording *r, struct cdoc_diagnoses *d)
{
	size_t i;

	for (i = 0; i < r->nr_procs; i++) {
		const struct cdoc_rec_proc *p = &r->procs[i];

		if (!p->exited)
			continue;
		if (WIFSIGNALED(p->status))
			add_crash(d, p);
		else if (WIFEXITED(p->status) && WEXITSTATUS(p->status))
			cdoc_diagnoses_add(
			        d, CDOC_SEV_INFO, "exit-status",
			        "The program exited with an error status",
			        "Check its output: a failing run may not show "
			        "the behaviour you meant to profile.",
			        "Process %u (%s) exited with status %d.",
			        p->pid, p->name, WEXITSTATUS(p->status));
	}
}

void doctor__rule_fallback(struct cdoc_recording *r, struct cdoc_diagnoses *d)
{
	const char *why = cdoc_recording_meta(r, "fallback_reason");
	const char *ev = cdoc_recording_meta(r, "event");
	const char *req = cdoc_recording_meta(r, "event_requested");

	if ((!why || !*why) && (!ev || !req || !strcmp(ev, req)))
		return;
	cdoc_diagnoses_add(
	        d, CDOC_SEV_INFO, "event-fallback",
	        "Sampled with a software event instead of the one requested",
	        "Hardware counters need a PMU: run on bare metal or enable "
	        "PMU passthrough for the VM; see `cdoctor sysinfo`. Software "
	        "cpu-clock sampling still shows where time goes.",
	        "Requested %s, sampled %s%s%s.", req ? req : "?", ev ? ev : "?",
	        why && *why ? ": " : "", why ? why : "");
}

void doctor__rule_cut_short(struct cdoc_recording *r, struct cdoc_diagnoses *d)
{
	if (!r->cut_short)
		return;
	cdoc_diagnoses_add(
	        d, CDOC_SEV_WARNING, "cut-short", "The recording is incomplete",
	        "The run was killed or crashed while recording; the numbers "
	        "cover only the part that was written.",
	        "%s", r->cut_short);
}
