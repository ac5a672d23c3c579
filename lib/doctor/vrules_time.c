/*
 * vrules_time.c - verdict rules over where the threads' time went in the
 * window: an own function that dominates the CPU (cpu-hotspot), threads
 * waiting to acquire locks (lock-contention), waiting for the disk
 * (io-wait), and CPU spent in the allocator (alloc-churn). Each measures
 * its impact as a share of the work time of the window: CPU time plus
 * the time threads waited for a lock or the disk (waiting for a request,
 * a timer or a condition variable is idle time, not work).
 */
#include "doctor/internal.h"

#include <stdlib.h>
#include <string.h>

/* An own function that takes this share of the work is a hotspot:
 * a third of the time in one place is what a profile reader would call
 * dominant, and healthy servers spread it over parsing, the kernel and
 * the allocator. */
#define HOT_MIN_PCT 30.0
/* Lock waits of this share of the work make contention the verdict:
 * above a fifth, adding threads stops adding throughput. */
#define LOCK_MIN_PCT 20.0
/* Disk waits of this share of the work: the server waits for storage
 * more than a fifth of the time it works. */
#define IO_MIN_PCT 20.0
/* The allocator's share of the work: native servers with pools or
 * tuned allocators keep it to a few percent (the healthy examples: under
 * 0.1%); a tenth of the work in malloc and free is churn. */
#define CHURN_MIN_PCT 10.0
/* Or: allocations per CPU-second of the tree (alloc_count_total) that no
 * request path needs (a million: a malloc/free pair every microsecond of
 * CPU), with at least this share of the work in the allocator. */
#define CHURN_RATE_PER_CPU_S 1e6
#define CHURN_RATE_MIN_PCT   5.0
/* Fewer cpu samples in the window, and shares mean little. */
#define MIN_CPU_SAMPLES 50
/* Culprits listed per verdict. */
#define MAX_CULPRITS 3

/* Calls that wait for work: never a downstream wait. */
static int waits_for_work(const char *via)
{
	static const char *const calls[] = {
	        "accept",       "accept4", "epoll_wait", "epoll_pwait",
	        "epoll_pwait2", "poll",    "ppoll",      "select",
	        "pselect6",     "pselect"};
	size_t i;

	for (i = 0; i < CDOC_ARRAY_SIZE(calls); i++)
		if (!strcmp(via, calls[i]))
			return 1;
	return 0;
}

struct nested {
	struct cdoc_u64map readers; /* culprit ids that wait for the net */
	struct vtally *t;
	double sum;
	int pass;
};

/* Whether a frame above the culprit of @node is one of the readers. */
static int under_reader(struct vctx *c, struct nested *x, uint32_t node,
                        uint32_t who)
{
	const struct cdoc_profile *p = &c->r->profiles[c->prof[VP_NET]].prof;
	uint32_t n, id;
	int64_t k;

	for (n = node; n && n != CDOC_NONE; n = p->nodes[n].parent) {
		const char *f = cdoc_profile_node_name(p, n);

		k = cdoc_strtab_find(&c->names, f, strlen(f));
		if (k > 0 && (uint32_t)k != who &&
		    cdoc_u64map_get(&x->readers, (uint64_t)k, &id))
			return 1;
	}
	return 0;
}

static void nested_one(struct vctx *c, void *arg, uint32_t tid, uint64_t t,
                       uint32_t node, double w)
{
	struct nested *x = arg;
	enum vkind kind;
	uint32_t via, who = doctor__culprit(c, VP_NET, node, &via, &kind);

	(void)tid;
	(void)t;
	if (!who || (via && waits_for_work(cdoc_strtab_get(&c->names, via))))
		return;
	if (!x->pass) {
		cdoc_u64map_put(&x->readers, who, 1);
		return;
	}
	if (!under_reader(c, x, node, who))
		return;
	x->sum += w;
	if (x->t)
		doctor__vtally_add(x->t, who, via, w);
}

double doctor__downstream(struct vctx *c, struct vtally *t)
{
	struct nested x = {.t = t};

	cdoc_u64map_init(&x.readers);
	doctor__vsamples(c, VP_NET, nested_one, &x);
	x.pass = 1;
	doctor__vsamples(c, VP_NET, nested_one, &x);
	cdoc_u64map_release(&x.readers);
	return x.sum;
}

static int enough_cpu(const struct vctx *c)
{
	return c->tot[VP_CPU] >= MIN_CPU_SAMPLES * c->period_ns;
}

/* The request path: threads that serve the network (NULL: all). */
static const struct cdoc_u64map *request_path(struct vctx *c,
                                              struct cdoc_u64map *tids)
{
	size_t i, n = 0;

	cdoc_u64map_init(tids);
	for (i = 0; i < c->nr_thr; i++)
		if (c->thr[i].net && c->thr[i].tid) {
			cdoc_u64map_put(tids, c->thr[i].tid, 1);
			n++;
		}
	return n ? tids : NULL;
}

void doctor__v_hotspot(struct vctx *c, struct cdoc_verdict *v)
{
	struct cdoc_u64map tids;
	struct vcpu s;
	double w, impact, cores = 0;
	uint32_t top;

	if (!enough_cpu(c))
		return;
	doctor__cpu_split(c, &s, request_path(c, &tids));
	top = doctor__vtally_top(&s.own, &w);
	impact = pct(w, c->work_ns);
	if (doctor__v_window_s(c) > 0)
		cores = c->tot[VP_CPU] / 1e9 / doctor__v_window_s(c);
	doctor__v_evidence(v, "top_function_work_pct", impact, "%");
	doctor__v_evidence(v, "top_function_cpu_pct", pct(w, c->tot[VP_CPU]),
	                   "%");
	doctor__v_evidence(v, "cpu_used", cores, "CPUs");
	doctor__v_evidence(v, "kernel_cpu_pct",
	                   pct(s.kernel_ns, c->tot[VP_CPU]), "%");
	if (top && impact >= HOT_MIN_PCT) {
		v->category = CDOC_V_HOTSPOT;
		v->impact = impact;
		s.own.total = c->tot[VP_CPU];
		doctor__v_culprits(c, v, &s.own, MAX_CULPRITS,
		                   100 * c->tot[VP_CPU] / c->work_ns);
		doctor__v_summary(
		        v,
		        "%s used %.0f%% of the CPU time in %s (the server "
		        "used %.2f CPUs; this is %.0f%% of its work time): one "
		        "function of the program's own code dominates the "
		        "request path.",
		        cdoc_strtab_get(&c->names, top), pct(w, c->tot[VP_CPU]),
		        c->wrule, cores, impact);
		doctor__v_rec(v,
		              "Open the cpu flame graph (`cdoctor report REC "
		              "--html FILE`, tab cpu, or `cdoctor report REC "
		              "--tui`) and look at what %s does: its loops "
		              "and the callees under it.",
		              cdoc_strtab_get(&c->names, top));
		doctor__v_rec(v, "Make it cheaper or call it less: cache what "
		                 "it recomputes per request, use a better "
		                 "algorithm or data structure, move work off "
		                 "the request path; compare before and after "
		                 "with `cdoctor check BASE.cdr NEW.cdr`.");
	}
	doctor__cpu_split_release(&s);
	cdoc_u64map_release(&tids);
}

/* Tally the waits of profile @vp (lock: acquiring only) by culprit. */
struct waits {
	struct vtally t;
	int locks_only;
	struct cdoc_u64map tids; /* threads that waited */
	double spin_ns;          /* on the CPU acquiring locks */
};

static void wait_one(struct vctx *c, void *arg, uint32_t tid, uint64_t t,
                     uint32_t node, double w)
{
	struct waits *x = arg;
	enum vkind kind;
	uint32_t via,
	        who = doctor__culprit(c, x->locks_only ? VP_LOCK : VP_DISK,
	                              node, &via, &kind);

	(void)t;
	if (x->locks_only && (kind == VK_COND || kind == VK_SHIM))
		return;
	doctor__vtally_add(&x->t, who, via, w);
	cdoc_u64map_put(&x->tids, tid, 1);
}

/*
 * CPU time spent acquiring locks: spinning in pthread_spin_lock (or an
 * adaptive mutex), a contended mutex's futex calls. A spinlock's waiters
 * never leave the CPU, so offcpu_lock cannot see them; a managed
 * runtime's helper threads are left out as for their off-CPU waits.
 */
static void spin_one(struct vctx *c, void *arg, uint32_t tid, uint64_t t,
                     uint32_t node, double w)
{
	struct waits *x = arg;
	enum vkind kind;
	uint32_t via, i, who = doctor__culprit(c, VP_CPU, node, &via, &kind);

	(void)t;
	if (kind != VK_LOCK)
		return;
	if (cdoc_u64map_get(&c->thr_of, tid, &i) && c->thr[i].runtime)
		return;
	doctor__vtally_add(&x->t, who, via, w);
	cdoc_u64map_put(&x->tids, tid, 1);
	x->spin_ns += w;
}

/* What the waiting threads ran on the CPU: the lock holder's work. */
static void holder_hint(struct vctx *c, struct cdoc_verdict *v,
                        const struct cdoc_u64map *tids)
{
	struct vcpu s;
	double w;
	uint32_t top;

	doctor__cpu_split(c, &s, tids);
	top = doctor__vtally_top(&s.own, &w);
	if (top && s.own.total > 0)
		doctor__v_summary(
		        v,
		        " On the CPU these threads run mostly %s (%.0f%% of "
		        "their CPU time): likely the work done while holding "
		        "the lock.",
		        cdoc_strtab_get(&c->names, top),
		        pct(w, s.own.total + s.alloc.total + s.kernel_ns));
	doctor__cpu_split_release(&s);
}

void doctor__v_lock(struct vctx *c, struct cdoc_verdict *v)
{
	struct waits x = {.locks_only = 1};
	double win = doctor__v_window_s(c), impact, lock_ns;

	cdoc_u64map_init(&x.tids);
	doctor__vsamples(c, VP_CPU, spin_one, &x);
	lock_ns = c->mutex_ns + x.spin_ns;
	impact = pct(lock_ns, c->work_ns);
	doctor__v_evidence(v, "lock_wait_work_pct", impact, "%");
	doctor__v_evidence(v, "lock_wait_s", c->mutex_ns / 1e9, "s");
	doctor__v_evidence(v, "lock_spin_s", x.spin_ns / 1e9, "s");
	if (impact < LOCK_MIN_PCT)
		goto out;
	if (c->prof[VP_LOCK] >= 0)
		doctor__vsamples(c, VP_LOCK, wait_one, &x);
	v->category = CDOC_V_LOCK;
	v->impact = impact;
	doctor__v_culprits(c, v, &x.t, MAX_CULPRITS, impact);
	doctor__v_summary(
	        v,
	        "Threads spent %.2f s acquiring locks in %s (%.0f%% of "
	        "their work time%s%.1f threads waiting on average",
	        lock_ns / 1e9, c->wrule, impact, win > 0 ? "; " : "",
	        win > 0 ? lock_ns / 1e9 / win : 0);
	if (x.spin_ns > 0)
		doctor__v_summary(v, "; %.2f s of it spinning on the CPU",
		                  x.spin_ns / 1e9);
	doctor__v_summary(v, "); most waits start in %s.",
	                  v->nr_culprits ? v->culprits[0].function
	                                 : "unknown code");
	holder_hint(c, v, &x.tids);
	doctor__v_rec(v, "See who waits where: `cdoctor report REC --folded "
	                 "offcpu_lock` or the offcpu_lock tab of the HTML "
	                 "report; the cpu tab shows what runs while the lock "
	                 "is held.");
	doctor__v_rec(v, "Hold the lock for less time (move the work out of "
	                 "the critical section, copy then release), split it "
	                 "(one lock per shard or per connection), or use "
	                 "per-thread data and merge later.");
out:
	doctor__vtally_release(&x.t);
	cdoc_u64map_release(&x.tids);
}

void doctor__v_io(struct vctx *c, struct cdoc_verdict *v)
{
	struct waits x = {.locks_only = 0};
	double io = c->tot[VP_DISK] + c->downstream_ns;
	double impact = pct(io, c->work_ns);

	doctor__v_evidence(v, "io_wait_work_pct", impact, "%");
	doctor__v_evidence(v, "disk_wait_s", c->tot[VP_DISK] / 1e9, "s");
	doctor__v_evidence(v, "downstream_wait_s", c->downstream_ns / 1e9, "s");
	if (impact < IO_MIN_PCT)
		return;
	cdoc_u64map_init(&x.tids);
	doctor__vsamples(c, VP_DISK, wait_one, &x);
	doctor__downstream(c, &x.t);
	v->category = CDOC_V_IO;
	v->impact = impact;
	doctor__v_culprits(c, v, &x.t, MAX_CULPRITS, impact);
	doctor__v_summary(v, "Threads waited ");
	if (c->tot[VP_DISK] > 0)
		doctor__v_summary(v, "%.2f s for the disk%s",
		                  c->tot[VP_DISK] / 1e9,
		                  c->downstream_ns > 0 ? " and " : "");
	if (c->downstream_ns > 0)
		doctor__v_summary(v, "%.2f s for downstream services",
		                  c->downstream_ns / 1e9);
	doctor__v_summary(
	        v,
	        " in %s (%.0f%% of their work time); most waits start in "
	        "%s%s%s.",
	        c->wrule, impact,
	        v->nr_culprits ? v->culprits[0].function : "unknown code",
	        v->nr_culprits && v->culprits[0].via ? " calling " : "",
	        v->nr_culprits && v->culprits[0].via ? v->culprits[0].via : "");
	doctor__v_rec(v, "See the waits by stack: `cdoctor report REC "
	                 "--folded offcpu_disk` (and offcpu_net for "
	                 "downstream calls), or those tabs of the HTML "
	                 "report.");
	doctor__v_rec(v, "Take the wait off the request path: batch "
	                 "fsync/fdatasync (group commit), write from a "
	                 "background thread, buffer small writes, keep read "
	                 "data in memory; for a downstream service, pool and "
	                 "reuse connections, cache its answers, call it "
	                 "asynchronously or in parallel.");
	doctor__vtally_release(&x.t);
	cdoc_u64map_release(&x.tids);
}

/* Allocations per second over the window, from alloc_count_total. */
static double alloc_rate(struct vctx *c)
{
	double first = -1, last = -1, t0 = 0, t1 = 0;
	size_t i, j;

	for (i = 0; i < c->r->nr_metrics; i++) {
		const struct cdoc_rec_metric_sample *m = &c->r->metrics[i];

		if (m->time_ns < c->w0 || m->time_ns > c->w1)
			continue;
		for (j = 0; j < m->n; j++) {
			if (strcmp(m->names[j], "alloc_count_total"))
				continue;
			if (first < 0) {
				first = m->values[j];
				t0 = m->time_ns / 1e9;
			}
			last = m->values[j];
			t1 = m->time_ns / 1e9;
		}
	}
	return t1 > t0 ? (last - first) / (t1 - t0) : -1;
}

/* Allocations per CPU-second; -1 unknown. */
static double alloc_per_cpu_s(struct vctx *c, double rate)
{
	double win = doctor__v_window_s(c), cores;

	if (rate < 0 || win <= 0 || c->tot[VP_CPU] <= 0)
		return -1;
	cores = c->tot[VP_CPU] / 1e9 / win;
	return rate / cores;
}

void doctor__v_churn(struct vctx *c, struct cdoc_verdict *v)
{
	struct vcpu s;
	double impact, rate = alloc_rate(c), per_cpu;

	if (!enough_cpu(c))
		return;
	doctor__cpu_split(c, &s, NULL);
	impact = pct(s.alloc.total, c->work_ns);
	doctor__v_evidence(v, "allocator_work_pct", impact, "%");
	if (rate >= 0)
		doctor__v_evidence(v, "allocs_per_s", rate, "1/s");
	doctor__v_evidence(v, "alloc_tracking_cpu_pct",
	                   pct(s.shim_ns, c->tot[VP_CPU]), "%");
	per_cpu = alloc_per_cpu_s(c, rate);
	if (per_cpu >= 0)
		doctor__v_evidence(v, "allocs_per_cpu_s", per_cpu, "1/s");
	if (impact >= CHURN_MIN_PCT ||
	    (impact >= CHURN_RATE_MIN_PCT && per_cpu >= CHURN_RATE_PER_CPU_S)) {
		v->category = CDOC_V_CHURN;
		v->impact = impact;
		doctor__v_culprits(c, v, &s.alloc, MAX_CULPRITS, impact);
		doctor__v_summary(
		        v,
		        "The allocator (malloc, free and their internals) took "
		        "%.0f%% of the CPU time in %s",
		        pct(s.alloc.total, c->tot[VP_CPU]), c->wrule);
		if (rate >= 0)
			doctor__v_summary(v, " at %.0f allocations per second",
			                  rate);
		doctor__v_summary(v, "; most of it is called from %s.",
		                  v->nr_culprits ? v->culprits[0].function
		                                 : "unknown code");
		doctor__v_rec(v, "See which call sites allocate most: "
		                 "`cdoctor heap REC` and the alloc_count tab "
		                 "of the HTML report; the cpu tab shows the "
		                 "allocator under its callers.");
		doctor__v_rec(v, "Allocate less per request: reuse buffers, "
		                 "reserve capacity once, keep per-connection "
		                 "scratch memory, use an arena or a free list "
		                 "for short-lived objects.");
	}
	doctor__cpu_split_release(&s);
}
