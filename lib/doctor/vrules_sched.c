/*
 * vrules_sched.c - verdict rules over the scheduler: more runnable
 * threads than CPUs while something off the request path takes the CPU
 * (cpu-saturation), and a cgroup CPU quota that stops the server
 * (cpu-throttled). Both read the METRICS of the process tree
 * (runq_wait_pct, cgroup_throttled_pct) over the window and the cpu
 * samples by thread.
 */
#include "doctor/internal.h"

#include <stdlib.h>
#include <string.h>

/* Run-queue wait per unit of run time of the tree. Below 0.1 is a
 * machine with room; a healthy server on a busy machine reaches 0.2-0.3
 * (its own load generator competes with it); at 0.5 its threads wait
 * one second for every two they run. */
#define SAT_RATIO 0.5
/* The share of the tree's CPU time taken by threads that never touch
 * the network (not the request path) for them to be the consumer. */
#define SAT_CONSUMER_PCT 25.0
/* A thread is listed as a consumer from this share of the CPU time. */
#define SAT_THREAD_PCT 5.0
/* The share of the window the cgroup was throttled. */
#define THROTTLE_MIN_PCT 10.0
#define MAX_CULPRITS     3

/* Threads off the request path with CPU time, into @tids; their CPU.
 * A runtime's helper threads (JIT, GC) work for the request path. */
static double consumers(struct vctx *c, struct cdoc_u64map *tids)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < c->nr_thr; i++) {
		const struct vthread *th = &c->thr[i];

		if (th->net || th->runtime || !th->tid ||
		    pct(th->ns[VP_CPU], c->tot[VP_CPU]) < SAT_THREAD_PCT)
			continue;
		cdoc_u64map_put(tids, th->tid, 1);
		sum += th->ns[VP_CPU];
	}
	return sum;
}

/* The consumers' own functions as culprits. */
static void consumer_culprits(struct vctx *c, struct cdoc_verdict *v,
                              const struct cdoc_u64map *tids, double impact)
{
	struct vcpu s;

	doctor__cpu_split(c, &s, tids);
	doctor__v_culprits(c, v, &s.own, MAX_CULPRITS, impact);
	doctor__cpu_split_release(&s);
}

void doctor__v_saturation(struct vctx *c, struct cdoc_verdict *v)
{
	double wait = doctor__v_metric_mean(c, "runq_wait_pct");
	double user = doctor__v_metric_mean(c, "cpu_user_pct");
	double sys = doctor__v_metric_mean(c, "cpu_sys_pct");
	double run = (user > 0 ? user : 0) + (sys > 0 ? sys : 0);
	double ratio = run > 0 && wait >= 0 ? wait / run : 0, other, impact;
	struct cdoc_u64map tids;

	if (wait < 0)
		return;
	doctor__v_evidence(v, "runq_wait_per_run", ratio, "");
	doctor__v_evidence(v, "runq_wait_pct", wait, "% of one CPU");
	cdoc_u64map_init(&tids);
	other = pct(consumers(c, &tids), c->tot[VP_CPU]);
	doctor__v_evidence(v, "off_request_path_cpu_pct", other, "%");
	impact = pct(wait, wait + run);
	if (ratio >= SAT_RATIO && other >= SAT_CONSUMER_PCT) {
		v->category = CDOC_V_SATURATED;
		v->impact = impact;
		consumer_culprits(c, v, &tids, impact);
		doctor__v_summary(
		        v,
		        "The CPUs were oversubscribed in %s: threads waited "
		        "%.2f s in the run queue for every second they ran "
		        "(%.0f%% of their ready time lost), and %.0f%% of the "
		        "CPU went to threads that never serve the network%s%s.",
		        c->wrule, ratio, impact, other,
		        v->nr_culprits ? ", mostly in " : "",
		        v->nr_culprits ? v->culprits[0].function : "");
		doctor__v_rec(v, "See the CPU per thread in the HTML report's "
		                 "timeline (`cdoctor report REC --html FILE`) "
		                 "and the run-queue wait chart.");
		doctor__v_rec(v,
		              "Give the request path the CPU: cap the "
		              "background threads (fewer workers than "
		              "cores, a lower priority with nice or "
		              "SCHED_IDLE), run batch work elsewhere, or add "
		              "CPUs.");
	}
	cdoc_u64map_release(&tids);
}

void doctor__v_throttled(struct vctx *c, struct cdoc_verdict *v)
{
	double thr = doctor__v_metric_mean(c, "cgroup_throttled_pct");
	double quota = doctor__v_metric_mean(c, "cgroup_quota_cpus");
	struct vcpu s;

	if (thr < 0)
		return;
	doctor__v_evidence(v, "cgroup_throttled_pct", thr, "%");
	if (quota > 0)
		doctor__v_evidence(v, "cgroup_quota_cpus", quota, "CPUs");
	if (thr < THROTTLE_MIN_PCT)
		return;
	v->category = CDOC_V_THROTTLED;
	v->impact = thr;
	doctor__cpu_split(c, &s, NULL);
	doctor__v_culprits(c, v, &s.own, MAX_CULPRITS, thr);
	doctor__cpu_split_release(&s);
	doctor__v_summary(v,
	                  "The cgroup's CPU quota (%.2f CPUs) stopped the "
	                  "server %.0f%% of the time in %s.",
	                  quota > 0 ? quota : 0, thr, c->wrule);
	doctor__v_rec(v, "Raise the quota (docker --cpus, the pod's CPU "
	                 "limit, cpu.max) or lower the work per request: the "
	                 "cpu flame graph (`cdoctor report REC --html FILE`) "
	                 "shows where the quota goes.");
	doctor__v_rec(v, "Match the thread count to the quota: more busy "
	                 "threads than quota CPUs burn the quota early in "
	                 "each period and then all wait.");
}
