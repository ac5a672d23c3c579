/*
 * vrules_growth.c - verdict rules over growth: resident memory
 * (memory-leak) and open descriptors (fd-leak) that keep growing
 * through the window at a steady rate. Warm-up is not a leak: caches,
 * arenas and connection pools fill early and then stay flat, so the
 * second half of the window must grow too. The culprit is the call site
 * whose live bytes (heap snapshots, or what was live at exit) or live
 * descriptors (fd_open minus fd_close) grew.
 */
#include "doctor/internal.h"

#include "heapfile/heapfile.h"

#include <stdlib.h>
#include <string.h>

/* Points of a series in the window needed to judge a trend. */
#define GROW_MIN_POINTS 5
/* The second half of the window must add this share of the growth:
 * a leak grows about half in each half; warm-up adds nearly nothing
 * late. */
#define GROW_LATE_FRAC 0.25
/* Resident growth that is a leak: at least 1 MiB and 10% of the start.
 * RSS moves in pages and arena steps of 128 KiB to 1 MiB; the healthy
 * example servers stay within 0.1 MiB once warm, and 1 MiB in a few
 * seconds of load is gigabytes a day. */
#define LEAK_MIN_BYTES (1.0 * 1024 * 1024)
#define LEAK_MIN_FRAC  0.10
/* Smaller steady resident growth is a leak when the shim's live
 * allocations (alloc_count_total - free_count_total) grew steadily too,
 * by at least this many objects: a small leak under a light load. */
#define LEAK_SMALL_BYTES (256.0 * 1024)
#define LEAK_MIN_OBJECTS 1000
/* Descriptor growth that is a leak: more than any pool or cache of
 * connections a test load opens. */
#define FD_MIN_GROWTH 64
/* A leak that reached the limit stops growing: every open, socket and
 * accept then fails with EMFILE. Descriptors at this share of the soft
 * RLIMIT_NOFILE in the window, after growing by FD_MIN_GROWTH since the
 * run began, are that leak; it fails requests now, so it ranks above a
 * leak that only will. */
#define FD_LIMIT_PCT   90.0
#define FD_FULL_IMPACT 50.0
/* A leak costs no request time in the window; it ends the process
 * later. It ranks as a quarter of the window: a server measurably
 * slowed more than that gets that verdict, smaller slowdowns rank
 * below the leak. */
#define LEAK_IMPACT  25.0
#define MAX_CULPRITS 3
#define MIB          (1024.0 * 1024)

struct growth {
	double first, mid, last, t0, t1;
	size_t n;
};

/* Metric @name over the window: first, middle and last value. */
static int window_growth(struct vctx *c, const char *name, struct growth *g)
{
	double *v = NULL, *t = NULL;
	size_t i, j, alloc = 0, alloc_t = 0;

	memset(g, 0, sizeof(*g));
	for (i = 0; i < c->r->nr_metrics; i++) {
		const struct cdoc_rec_metric_sample *m = &c->r->metrics[i];

		if (m->time_ns < c->w0 || m->time_ns > c->w1)
			continue;
		for (j = 0; j < m->n; j++) {
			if (strcmp(m->names[j], name))
				continue;
			CDOC_GROW(v, g->n + 1, alloc);
			CDOC_GROW(t, g->n + 1, alloc_t);
			t[g->n] = m->time_ns / 1e9;
			v[g->n++] = m->values[j];
			break;
		}
	}
	if (g->n >= GROW_MIN_POINTS) {
		double tm = (t[0] + t[g->n - 1]) / 2;

		for (i = 0; i + 1 < g->n && t[i] < tm; i++)
			;
		g->first = v[0];
		g->mid = v[i];
		g->last = v[g->n - 1];
		g->t0 = t[0];
		g->t1 = t[g->n - 1];
	}
	free(v);
	free(t);
	return g->n >= GROW_MIN_POINTS;
}

/* The first value of metric @name in the run and its highest in the
 * window; 0 when it was never measured in the window. */
static int run_first_window_max(struct vctx *c, const char *name, double *first,
                                double *max)
{
	int have_first = 0, have_max = 0;
	size_t i, j;

	for (i = 0; i < c->r->nr_metrics; i++) {
		const struct cdoc_rec_metric_sample *m = &c->r->metrics[i];

		if (m->time_ns > c->w1)
			continue;
		for (j = 0; j < m->n; j++) {
			double x = m->values[j];

			if (strcmp(m->names[j], name))
				continue;
			if (!have_first++)
				*first = x;
			if (m->time_ns >= c->w0 && (!have_max++ || x > *max))
				*max = x;
			break;
		}
	}
	return have_first && have_max;
}

/* Live allocations over the window from the shim's counts. */
static int live_growth(struct vctx *c, struct growth *g)
{
	struct growth a, f;

	if (!window_growth(c, "alloc_count_total", &a) ||
	    !window_growth(c, "free_count_total", &f))
		return 0;
	memset(g, 0, sizeof(*g));
	g->first = a.first - f.first;
	g->mid = a.mid - f.mid;
	g->last = a.last - f.last;
	g->t0 = a.t0;
	g->t1 = a.t1;
	g->n = a.n;
	return 1;
}

/* Growth through the whole window, not only early. */
static int steady(const struct growth *g)
{
	double grow = g->last - g->first;

	return grow > 0 && g->last - g->mid >= GROW_LATE_FRAC * grow;
}

static double rate(const struct growth *g)
{
	return g->t1 > g->t0 ? (g->last - g->first) / (g->t1 - g->t0) : 0;
}

/* Live bytes by culprit of snapshot @s, with sign @sign, into @t. */
static void snap_tally(struct vctx *c, const struct cdoc_heap_snap *s,
                       double sign, struct vtally *t)
{
	size_t i, k;

	for (i = 0; i < s->nr_sites; i++) {
		const struct cdoc_heap_site *site = &s->sites[i];
		const struct cdoc_heap_stack *st = &s->stacks[site->stack];
		uint32_t who = 0;

		for (k = 0; k < st->nr && !who; k++) {
			const char *f = cdoc_strtab_get(
			        &s->names, s->frames[st->first + k]);

			if (doctor__frame_is_own(c, f))
				who = cdoc_strtab_intern(&c->names, f,
				                         strlen(f));
		}
		if (who)
			doctor__vtally_add(t, who, 0,
			                   sign * (double)site->live_bytes);
	}
}

/*
 * The two snapshots to compare: "load-start" and "load-end" (taken
 * around the --on-port load), else the first and the last taken while
 * the program ran (not "exit": a program that frees at exit, C++ static
 * destructors, has nothing left then). 0 when there are not two.
 */
static int growth_pair(const struct cdoc_recording *r, long *a, long *b)
{
	long n = (long)cdoc_heap_rec_count(r);

	*a = cdoc_heap_rec_find(r, "load-start");
	*b = cdoc_heap_rec_find(r, "load-end");
	if (*a >= 0 && *b > *a)
		return 1;
	*a = 0;
	*b = n - 1;
	if (*b > 0 && cdoc_heap_rec_find(r, "exit") == *b && *b - 1 > 0)
		(*b)--;
	return *b > 0;
}

/* Growth of live bytes by culprit between the two snapshots of
 * growth_pair(); 0 when the recording has fewer than two. */
static int heap_growth(struct vctx *c, struct vtally *t)
{
	struct cdoc_heap_snap a, b;
	long ia, ib;
	int ok;

	if (!growth_pair(c->r, &ia, &ib))
		return 0;
	cdoc_heap_snap_init(&a);
	cdoc_heap_snap_init(&b);
	ok = !cdoc_heap_rec_load(c->r, ia, &a, NULL) &&
	     !cdoc_heap_rec_load(c->r, ib, &b, NULL);
	if (ok) {
		snap_tally(c, &b, 1, t);
		snap_tally(c, &a, -1, t);
	}
	cdoc_heap_snap_release(&a);
	cdoc_heap_snap_release(&b);
	return ok;
}

/* Drop culprits that did not grow (negative or zero after the diff). */
static void positive_only(struct vtally *t)
{
	size_t i;

	t->total = 0;
	for (i = 0; i < t->alloc; i++) {
		if (t->w[i] < 0)
			t->w[i] = 0;
		t->total += t->w[i];
	}
}

static void tally_profile(struct vctx *c, void *arg, uint32_t tid, uint64_t t,
                          uint32_t node, double w)
{
	struct vtally *x = arg;
	enum vkind kind;
	uint32_t via, who;

	(void)tid;
	(void)t;
	who = doctor__culprit(c, VP_LEAKED, node, &via, &kind);
	doctor__vtally_add(x, who, via, w);
}

void doctor__v_memleak(struct vctx *c, struct cdoc_verdict *v)
{
	struct vtally t = {0};
	struct growth g, live;
	double grow;
	const char *from = "heap snapshots";
	int objs;

	if (!window_growth(c, "rss_bytes", &g))
		return;
	grow = g.last - g.first;
	doctor__v_evidence(v, "rss_growth_bytes", grow, "bytes");
	doctor__v_evidence(v, "rss_growth_rate", rate(&g), "bytes/s");
	doctor__v_evidence(v, "rss_growth_late_bytes", g.last - g.mid, "bytes");
	objs = live_growth(c, &live) && steady(&live) &&
	       live.last - live.first >= LEAK_MIN_OBJECTS;
	if (objs)
		doctor__v_evidence(v, "live_allocations_growth",
		                   live.last - live.first, "objects");
	if (!steady(&g) ||
	    !((grow >= LEAK_MIN_BYTES && grow >= LEAK_MIN_FRAC * g.first) ||
	      (objs && grow >= LEAK_SMALL_BYTES)))
		return;
	v->category = CDOC_V_MEMLEAK;
	v->impact = LEAK_IMPACT;
	if (heap_growth(c, &t))
		positive_only(&t);
	if (!t.total && c->prof[VP_LEAKED] >= 0) {
		from = "what was live at exit";
		doctor__vtally_release(&t);
		doctor__vsamples(c, VP_LEAKED, tally_profile, &t);
	}
	positive_only(&t);
	doctor__v_culprits(c, v, &t, MAX_CULPRITS, 0);
	doctor__v_summary(
	        v,
	        "Resident memory grew steadily through %s: from %.1f MiB to "
	        "%.1f MiB (%.2f MiB/s, %.1f MiB of it in the second half), "
	        "not a warm-up that levels off.",
	        c->wrule, g.first / MIB, g.last / MIB, rate(&g) / MIB,
	        (g.last - g.mid) / MIB);
	if (v->nr_culprits)
		doctor__v_summary(v, " The site that grew most (%s): %s.", from,
		                  v->culprits[0].function);
	else if (cdoc_recording_counter(c->r, "alloc_no_exit"))
		doctor__v_summary(
		        v, " No call site can be named: the program ended "
		           "without exiting (killed by the stop signal), so "
		           "the allocation records its threads still held "
		           "were never sent. A handler for SIGINT and SIGTERM "
		           "that calls exit() lets them out.");
	doctor__v_rec(v, "Rank the call sites whose live bytes grew: `cdoctor "
	                 "heap diff REC` (run with --heap-interval SEC for "
	                 "snapshots during the load), or `cdoctor heap REC` "
	                 "for what was live at exit.");
	doctor__v_rec(v, "Free what that site allocates when the request is "
	                 "done, or bound the structure that keeps it (a cache "
	                 "with a size limit, a list that is trimmed).");
	doctor__vtally_release(&t);
}

/* fd_open adds, fd_close subtracts: live descriptors by culprit. */
struct fdnet {
	struct vtally t;
	double sign;
	int vp;
};

static void fd_one(struct vctx *c, void *arg, uint32_t tid, uint64_t t,
                   uint32_t node, double w)
{
	struct fdnet *x = arg;
	enum vkind kind;
	uint32_t via, who = doctor__culprit(c, x->vp, node, &via, &kind);

	(void)tid;
	(void)t;
	doctor__vtally_add(&x->t, who, via, x->sign * w);
}

static void fd_culprits(struct vctx *c, struct fdnet *x)
{
	x->vp = VP_FDOPEN;
	x->sign = 1;
	doctor__vsamples(c, VP_FDOPEN, fd_one, x);
	x->vp = VP_FDCLOSE;
	x->sign = -1;
	doctor__vsamples(c, VP_FDCLOSE, fd_one, x);
	positive_only(&x->t);
	if (x->t.total > 0 || c->prof[VP_FDLIVE] < 0)
		return;
	x->vp = VP_FDLIVE;
	x->sign = 1;
	doctor__vsamples(c, VP_FDLIVE, fd_one, x);
}

/* Descriptors that reached the limit after growing since the start: the
 * highest use of the limit in the window, or 0. */
static double fd_exhausted(struct vctx *c, double *start, double *most)
{
	double use_first, use = 0;

	if (!run_first_window_max(c, "fds", start, most) ||
	    !run_first_window_max(c, "fds_limit_pct", &use_first, &use))
		return 0;
	return use >= FD_LIMIT_PCT && *most - *start >= FD_MIN_GROWTH ? use : 0;
}

void doctor__v_fdleak(struct vctx *c, struct cdoc_verdict *v)
{
	struct fdnet x = {0};
	struct growth g;
	double grow, full, start = 0, most = 0;

	if (!window_growth(c, "fds", &g))
		return;
	grow = g.last - g.first;
	doctor__v_evidence(v, "fds_growth", grow, "fds");
	doctor__v_evidence(v, "fds_growth_rate", rate(&g), "fds/s");
	full = fd_exhausted(c, &start, &most);
	if (full > 0)
		doctor__v_evidence(v, "fds_limit_pct", full, "%");
	if (!full && (!steady(&g) || grow < FD_MIN_GROWTH))
		return;
	v->category = CDOC_V_FDLEAK;
	v->impact = full > 0 ? FD_FULL_IMPACT : LEAK_IMPACT;
	fd_culprits(c, &x);
	doctor__v_culprits(c, v, &x.t, MAX_CULPRITS, 0);
	if (full > 0)
		doctor__v_summary(
		        v,
		        "Open file descriptors ran into the process's "
		        "limit (ulimit -n) in %s: %.0f open, %.0f%% "
		        "of the limit, up from %.0f at the start; "
		        "open, socket and accept fail with EMFILE "
		        "(\"Too many open files\") from there on.",
		        c->wrule, most, full, start);
	else
		doctor__v_summary(v,
		                  "Open file descriptors grew steadily through "
		                  "%s: from %.0f to %.0f (%.0f per second); at "
		                  "this rate the process reaches its limit "
		                  "(ulimit -n) and accept/open start failing.",
		                  c->wrule, g.first, g.last, rate(&g));
	if (x.t.total > 0 && v->nr_culprits)
		doctor__v_summary(v,
		                  " %.0f of the descriptors opened in the "
		                  "window stayed open; most were opened in "
		                  "%s%s%s.",
		                  x.t.total, v->culprits[0].function,
		                  v->culprits[0].via ? " by " : "",
		                  v->culprits[0].via ? v->culprits[0].via : "");
	doctor__v_rec(v, "See the live descriptors by opening site: `cdoctor "
	                 "report REC --folded fd_live` (open at exit) and the "
	                 "fd_open/fd_close tabs of the HTML report; `ls -l "
	                 "/proc/PID/fd` on the running server shows what they "
	                 "point to.");
	doctor__v_rec(v, "Close the descriptor on every path out of that "
	                 "function (errors and early returns included), or "
	                 "hold it in one owner that closes it.");
	doctor__vtally_release(&x.t);
}
