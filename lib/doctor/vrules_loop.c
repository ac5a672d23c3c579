/*
 * vrules_loop.c - the event-loop-blocked verdict: a loop thread (one
 * that waits in epoll_wait/poll/select between pieces of work) spent a
 * large share of the window in long ticks, so every connection it
 * serves waited. What blocked it is read from the cpu and off-CPU
 * samples of that thread inside its long ticks: a handler that computes
 * for 19 ms and one that calls fsync look the same to the requests, and
 * both are a blocked loop even when the function is also hot.
 */
#include "doctor/internal.h"

#include <stdlib.h>
#include <string.h>

/* The share of the loops' time in long ticks that blocks the server:
 * at a tenth, one request in ten waits a long tick behind another. */
#define LOOP_MIN_PCT 10.0
/* At least this many long ticks (one slow start-up tick is not it). */
#define LOOP_MIN_LONG 5
/* The work of the loop threads (CPU and blocking waits) inside long
 * ticks must be this share of all their work too: on a busy machine a
 * healthy loop's short ticks are stretched by the scheduler (runnable,
 * not running), and those long ticks hold little of its work. */
#define LOOP_MIN_WORK_PCT 10.0
#define MAX_CULPRITS      3

struct blockers {
	struct vtally t;
	int vp;
	double covered;        /* sampled ns inside long ticks */
	double covered_nonnet; /* the part not in network waits */
};

static void blocker_one(struct vctx *c, void *arg, uint32_t tid, uint64_t t,
                        uint32_t node, double w)
{
	struct blockers *b = arg;
	enum vkind kind;
	uint32_t via, who;

	if (!doctor__in_long_tick(c, tid, t))
		return;
	who = doctor__culprit(c, b->vp, node, &via, &kind);
	doctor__vtally_add(&b->t, who, via, w);
	b->covered += w;
	if (b->vp != VP_NET)
		b->covered_nonnet += w;
}

/* The samples of loop threads inside their long ticks, by culprit. */
static void what_blocked(struct vctx *c, struct blockers *b)
{
	c->skip_long = 0;
	for (b->vp = VP_CPU; b->vp <= VP_OTHER; b->vp++)
		doctor__vsamples(c, b->vp, blocker_one, b);
	c->skip_long = 1;
}

/* Upper bound in ms of the bucket holding quantile @q of @hist. */
static double hist_quantile(const uint64_t *hist, size_t n, double q)
{
	uint64_t all = 0, acc = 0;
	size_t i;

	for (i = 0; i < n; i++)
		all += hist[i];
	for (i = 0; i < n && all; i++) {
		acc += hist[i];
		if (acc >= q * all)
			return (double)(2ull << i) / 1000;
	}
	return 0;
}

struct loopsum {
	uint64_t blocked, nlong, nticks, max;
	uint64_t hist[32];
	size_t active;
};

static void sum_loops(const struct vctx *c, struct loopsum *s)
{
	size_t i, k;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < c->nr_loops; i++) {
		const struct vloop *l = &c->loops[i];

		if (!l->nticks && !l->nr_longs)
			continue;
		s->active++;
		s->blocked += l->blocked_ns;
		s->nlong += l->nr_longs;
		s->nticks += l->nticks;
		s->max = CDOC_MAX(s->max, l->max_ns);
		for (k = 0; k < 32; k++)
			s->hist[k] += l->hist[k];
	}
}

static void loop_text(struct vctx *c, struct cdoc_verdict *v,
                      const struct loopsum *s, double blocked_pct, double p99)
{
	doctor__v_summary(
	        v,
	        "The event loop%s %s blocked %.0f%% of %s (%.0f%% of %s "
	        "work): %llu ticks of %.0f ms or more (p99 tick under %.1f "
	        "ms, longest %.1f ms), during which every other connection "
	        "waited",
	        s->active > 1 ? "s" : "", s->active > 1 ? "were" : "was",
	        blocked_pct, c->wrule, v->impact,
	        s->active > 1 ? "their" : "its", (unsigned long long)s->nlong,
	        c->long_tick_ns / 1e6, p99, s->max / 1e6);
	if (v->nr_culprits)
		doctor__v_summary(v, "; %.0f%% of that time in %s%s%s.",
		                  v->culprits[0].share, v->culprits[0].function,
		                  v->culprits[0].via ? " calling " : "",
		                  v->culprits[0].via ? v->culprits[0].via : "");
	else
		doctor__v_summary(v, ".");
	doctor__v_rec(v, "See what ran inside the long ticks: the cpu and "
	                 "offcpu_* tabs of `cdoctor report REC --html FILE` "
	                 "with the range of a long tick selected on the "
	                 "timeline.");
	doctor__v_rec(v, "Never block the loop: move slow work (computation, "
	                 "fsync and file I/O, DNS, locks) to a worker thread "
	                 "pool and post the result back to the loop, or split "
	                 "it into chunks that yield between ticks.");
}

/* Work of the loop threads over the window: CPU and every off-CPU
 * wait except the network (where a loop waits for work). */
static double loop_work(const struct vctx *c)
{
	double sum = 0;
	size_t i;
	int vp;

	for (i = 0; i < c->nr_thr; i++) {
		if (!c->thr[i].loop)
			continue;
		for (vp = VP_CPU; vp <= VP_OTHER; vp++)
			if (vp != VP_NET)
				sum += c->thr[i].ns[vp];
	}
	return sum;
}

void doctor__loop_measure(struct vctx *c)
{
	struct blockers b = {0};
	struct loopsum s;
	double win = doctor__v_window_s(c);

	sum_loops(c, &s);
	if (!s.active || win <= 0)
		return;
	c->loop_blocked_pct = pct(s.blocked / 1e9, win * s.active);
	if (c->loop_blocked_pct < LOOP_MIN_PCT || s.nlong < LOOP_MIN_LONG)
		return;
	what_blocked(c, &b);
	/* Without samples, the wall-clock share is all there is. */
	c->loop_share = b.covered > 0
	                        ? pct(b.covered, b.covered + loop_work(c) -
	                                                 b.covered_nonnet)
	                        : c->loop_blocked_pct;
	c->long_work_ns = b.covered;
	c->loop_blocked = c->loop_share >= LOOP_MIN_WORK_PCT;
	doctor__vtally_release(&b.t);
}

void doctor__v_loop(struct vctx *c, struct cdoc_verdict *v)
{
	struct blockers b = {0};
	struct loopsum s;
	double p99;

	sum_loops(c, &s);
	if (!s.active || doctor__v_window_s(c) <= 0)
		return;
	p99 = hist_quantile(s.hist, 32, 0.99);
	doctor__v_evidence(v, "loop_blocked_pct", c->loop_blocked_pct, "%");
	doctor__v_evidence(v, "long_ticks", (double)s.nlong, "");
	doctor__v_evidence(v, "tick_p99_ms", p99, "ms");
	doctor__v_evidence(v, "tick_max_ms", s.max / 1e6, "ms");
	doctor__v_evidence(v, "loop_work_in_long_ticks_pct", c->loop_share,
	                   "%");
	if (!c->loop_blocked)
		return;
	what_blocked(c, &b);
	v->category = CDOC_V_LOOP;
	v->impact = c->loop_share;
	doctor__v_culprits(c, v, &b.t, MAX_CULPRITS, c->loop_share);
	loop_text(c, v, &s, c->loop_blocked_pct, p99);
	doctor__vtally_release(&b.t);
}
