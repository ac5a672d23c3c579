/*
 * rules_node.c - the Node.js verdicts, from what the Node agent recorded
 * (docs/node.md): event-loop-blocked, gc-pressure, memory-leak and
 * io-wait, each with the JS function to blame and advice a Node engineer
 * acts on, with the run's numbers. The generic rules (vrules_*.c) still
 * judge CPU hotspots and saturation from the cpu samples; this file
 * fills the one Node candidate of the verdict (doctor__v_node) with the
 * strongest Node finding.
 *
 * Traps, and how each is avoided:
 * - A loop's utilisation near 100% under unthrottled load is not a
 *   symptom: every server under wrk is busy. Blocking is the CPU one
 *   request costs the loop (node_http_cpu_ms: the loop thread's CPU time
 *   over the requests it started), which does not depend on the load or
 *   on how loaded the machine is; the loop delay (p99) says how long
 *   callbacks waited.
 * - A saturated machine delays timers too: a p99 delay whose loop thread
 *   waited for a CPU longer than it ran (node_loop_runq_pct >
 *   node_loop_cpu_pct) is the machine's unless requests cost CPU.
 * - Warm-up is not a leak: the V8 heap's lower envelope (the least used
 *   heap of each third of the window, what survives collection) must
 *   still grow in the last third.
 * - Inlining hides a callee in its caller: the agent turns V8 inlining
 *   off (docs/node.md, "Inlining"), so the leaf-most user JS frame is the
 *   function itself.
 */
#include "doctor/internal.h"

/* The rules need the verdict framework (lib/doctor/verdict.c, with
 * CDOC_V_GC); a tree without it builds this file empty. */
#ifdef CDOC_V_GC

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Event-loop delay as Node engineers read it: a p99 above 10 ms is
 * noticeable, above 100 ms an outage. */
#define DELAY_NOTICEABLE_MS 10.0
#define DELAY_OUTAGE_MS     100.0
/* CPU one request holds the loop for: at 2 ms a loop serves at most 500
 * requests a second, and every request waits behind the others. */
#define REQ_CPU_BLOCK_MS 2.0
/* gc-pressure: collections took this share of the loop's CPU (its
 * thread's cpu samples inside V8's collector plus V8's helper threads'
 * collection work, gc_cpu_pct, out of at least GC_MIN_SAMPLES samples
 * of the loop thread); without cpu samples, the GC pause time over the
 * loop's busy time (the agent's GC observer); out of GC_MIN_COUNT
 * collections at least. A healthy server or a computing one spends 2-8%
 * there (docs/node.md). */
#define GC_MIN_PCT     15.0
#define GC_MIN_SAMPLES 50
#define GC_MIN_COUNT   5
/* Heap growth that is a leak: 4 MiB and 10% of the start. */
#define LEAK_MIN_BYTES (4.0 * 1024 * 1024)
#define LEAK_MIN_FRAC  0.10
/* ... and the sampled live JS heap (js_heap) a quarter of that growth
 * (estimated sizes of the sampled allocations still alive). */
#define LEAK_JS_FRAC 0.25
/* A leak costs no request time in the window (it ends the process
 * later): ranked as the resident-memory leak rule ranks it (25), one
 * point above so that the JS heap's finding, which names the JS
 * function, comes before the resident one. */
#define LEAK_IMPACT 26.0
/* io-wait: requests take 10 ms and more, the async waits under user
 * code are at least half of it, and the loop's CPU a quarter at most. */
#define IO_MIN_LAT_MS   10.0
#define IO_MIN_WAIT     0.5
#define IO_MAX_CPU_FRAC 0.25
#define MAX_CULPRITS    3
/* cpu-hotspot: one user JS function (with what it calls in node and V8)
 * holds this share of the loop thread's CPU samples, out of at least
 * HOT_MIN_SAMPLES, while the loop is not blocked: as the generic
 * hotspot rule's threshold (vrules_time.c). */
#define HOT_MIN_PCT     30.0
#define HOT_MIN_SAMPLES 50

/* ---- metrics of one loop over the window ---- */

struct series {
	double *v;
	size_t n, alloc;
};

static void series_of(struct vctx *c, const char *name, struct series *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < c->r->nr_metrics; i++) {
		const struct cdoc_rec_metric_sample *m = &c->r->metrics[i];

		if (m->time_ns < c->w0 || m->time_ns > c->w1)
			continue;
		for (size_t j = 0; j < m->n; j++) {
			if (strcmp(m->names[j], name))
				continue;
			CDOC_GROW(s->v, s->n + 1, s->alloc);
			s->v[s->n++] = m->values[j];
			break;
		}
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median, mean or sum of metric @base of loop @loop ("" for the tree's):
 * -1 when absent. */
enum stat { MEDIAN, MEAN, SUM };
static double loop_stat(struct vctx *c, const char *base, const char *loop,
                        enum stat st)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	struct series s;
	double r = 0;

	cdoc_buf_addf(&b, *loop ? "%s[%s]" : "%s", base, loop);
	series_of(c, b.buf, &s);
	cdoc_buf_release(&b);
	if (!s.n) {
		free(s.v);
		return -1;
	}
	if (st == MEDIAN) {
		qsort(s.v, s.n, sizeof(double), cmp_double);
		r = s.v[s.n / 2];
	} else {
		for (size_t i = 0; i < s.n; i++)
			r += s.v[i];
		if (st == MEAN)
			r /= s.n;
	}
	free(s.v);
	return r;
}

/* The loops that reported (the "PID" or "PID:TID" of NAME[...]). */
struct loops {
	char **id;
	size_t n, alloc;
};

static void find_loops(struct vctx *c, struct loops *l)
{
	static const char key[] = "node_loop_util_pct[";

	memset(l, 0, sizeof(*l));
	for (size_t i = 0; i < c->r->nr_metrics; i++) {
		const struct cdoc_rec_metric_sample *m = &c->r->metrics[i];

		for (size_t j = 0; j < m->n; j++) {
			const char *s = m->names[j], *e;
			size_t k;

			if (strncmp(s, key, sizeof(key) - 1))
				continue;
			s += sizeof(key) - 1;
			if (!(e = strchr(s, ']')))
				continue;
			for (k = 0; k < l->n; k++)
				if (strlen(l->id[k]) == (size_t)(e - s) &&
				    !memcmp(l->id[k], s, e - s))
					break;
			if (k < l->n)
				continue;
			CDOC_GROW(l->id, l->n + 1, l->alloc);
			l->id[l->n++] = cdoc_strndup(s, (size_t)(e - s));
		}
	}
}

static void loops_release(struct loops *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->id[i]);
	free(l->id);
}

/* The OS thread id of loop "PID" or "PID:TID". */
static uint32_t loop_tid(const char *id)
{
	const char *colon = strchr(id, ':');

	return (uint32_t)strtoul(colon ? colon + 1 : id, NULL, 10);
}

/* ---- JS culprits ---- */

/* A user JS frame: "JS:name file:line:col" of the program, not node's
 * own modules nor the agent. */
static int user_js(const char *f)
{
	const char *sp;

	if (strncmp(f, "JS:", 3))
		return 0;
	sp = strchr(f, ' ');
	if (!sp)
		return 0;
	return strncmp(sp + 1, "node:", 5) && !strstr(sp, "cdoctor-agent.js");
}

/* The leaf-most user JS frame of @node in @p (0 when none), and the
 * frame below it that it called, in *@via. */
static uint32_t js_culprit(const struct cdoc_profile *p, uint32_t node,
                           uint32_t *via)
{
	uint32_t below = 0;

	*via = 0;
	for (; node && node != CDOC_NONE; node = p->nodes[node].parent) {
		if (user_js(cdoc_profile_node_name(p, node))) {
			*via = below;
			return node;
		}
		below = node;
	}
	return 0;
}

/* "JS:name file:line:col_[j]" -> "name" into @fn and "file:line" into
 * @where. */
static void js_names(const char *f, struct cdoc_buf *fn, struct cdoc_buf *where)
{
	const char *sp = strchr(f + 3, ' '), *end = f + strlen(f);
	const char *colon;

	if (end - f > 4 && !strcmp(end - 4, "_[j]"))
		end -= 4;
	cdoc_buf_add(fn, f + 3,
	             sp ? (size_t)(sp - f - 3) : (size_t)(end - f - 3));
	if (!fn->len)
		cdoc_buf_addstr(fn, "(anonymous)");
	if (!sp)
		return;
	colon = end;
	for (const char *q = end - 1; q > sp; q--)
		if (*q == ':') {
			colon = q;
			break;
		}
	cdoc_buf_add(where, sp + 1, (size_t)(colon - sp - 1));
}

/* The leaf-most JS frame of @node when it is a user one (0 when none
 * or node's own): the function whose code ran, with the native code it
 * called (V8's builtins, the runtime), not what node's modules did
 * under it. */
static uint32_t js_self(const struct cdoc_profile *p, uint32_t node)
{
	for (; node && node != CDOC_NONE; node = p->nodes[node].parent) {
		const char *f = cdoc_profile_node_name(p, node);

		if (!strncmp(f, "JS:", 3))
			return user_js(f) ? node : 0;
	}
	return 0;
}

/* Weights by culprit frame name (interned in ctx->names); with @self,
 * by js_self rather than js_culprit. */
struct jtally {
	struct vtally t;
	double all;
	int self;
};

static void jtally_add(struct vctx *c, struct jtally *j,
                       const struct cdoc_profile *p, uint32_t node, double w)
{
	uint32_t via = 0, id, vid = 0;
	uint32_t who = j->self ? js_self(p, node) : js_culprit(p, node, &via);
	const char *name;

	j->all += w;
	if (!who)
		return;
	name = cdoc_profile_node_name(p, who);
	id = cdoc_strtab_intern(&c->names, name, strlen(name));
	if (via) {
		name = cdoc_profile_node_name(p, via);
		vid = cdoc_strtab_intern(&c->names, name, strlen(name));
	}
	doctor__vtally_add(&j->t, id, vid, w);
}

static void add_js_culprit(struct vctx *c, struct cdoc_verdict *v, uint32_t who,
                           uint32_t via, double share, double impact)
{
	struct cdoc_buf fn = CDOC_BUF_INIT, where = CDOC_BUF_INIT;
	struct cdoc_culprit *x;

	js_names(cdoc_strtab_get(&c->names, who), &fn, &where);
	CDOC_GROW(v->culprits, v->nr_culprits + 1, v->alloc_culprits);
	x = &v->culprits[v->nr_culprits++];
	memset(x, 0, sizeof(*x));
	x->function = cdoc_buf_detach(&fn, NULL);
	x->where = where.len ? cdoc_buf_detach(&where, NULL) : NULL;
	cdoc_buf_release(&where);
	if (via) {
		const char *n = cdoc_strtab_get(&c->names, via);
		struct cdoc_buf b = CDOC_BUF_INIT;

		if (!strncmp(n, "JS:", 3)) {
			struct cdoc_buf w2 = CDOC_BUF_INIT;

			js_names(n, &b, &w2);
			cdoc_buf_release(&w2);
			x->via = cdoc_buf_detach(&b, NULL);
		} else {
			x->via = cdoc_strdup(n);
		}
	}
	x->share = share;
	x->impact = impact;
}

static void js_culprits(struct vctx *c, struct cdoc_verdict *v,
                        const struct jtally *j, double impact)
{
	uint32_t *ids;
	size_t n = doctor__vtally_sorted(&j->t, &ids);

	for (size_t i = 0; i < n && i < MAX_CULPRITS; i++) {
		double share = pct(j->t.w[ids[i]], j->all);

		if (i && share < 5)
			break;
		add_js_culprit(c, v, ids[i], j->t.via[ids[i]], share,
		               share * impact / 100);
	}
	free(ids);
}

/* CPU samples of thread @tid in the window (inside its long ticks when
 * TICKS has that loop and @in_long), by user JS culprit (js_self with
 * @self). */
static void cpu_of_thread(struct vctx *c, uint32_t tid, int in_long, int self,
                          struct jtally *j)
{
	int pi = c->prof[VP_CPU];
	const struct cdoc_profile *p;
	int longs = 0;

	memset(j, 0, sizeof(*j));
	j->self = self;
	if (pi < 0)
		return;
	p = &c->r->profiles[pi].prof;
	for (size_t i = 0; i < c->nr_loops && in_long; i++)
		longs |= c->loops[i].tid == tid && c->loops[i].nr_longs;
	for (int pass = 0; pass < 2 && !j->all; pass++) {
		for (size_t i = 0; i < c->r->nr_tsamples; i++) {
			const struct cdoc_rec_tsample *s = &c->r->tsamples[i];

			if ((int)s->profile != pi || s->tid != tid ||
			    s->time_ns < c->w0 || s->time_ns > c->w1)
				continue;
			if (!pass && longs &&
			    !doctor__in_long_tick(c, tid, s->time_ns))
				continue;
			jtally_add(c, j, p, s->node, (double)s->weight);
		}
		if (!longs)
			break;
	}
}

/* "process 4242" or "worker thread 4250 of process 4242". */
static const char *loop_label(const char *loop, char *buf, size_t len)
{
	const char *colon = strchr(loop, ':');

	if (!*loop)
		snprintf(buf, len, "the server");
	else if (colon)
		snprintf(buf, len, "worker thread %s of process %.*s",
		         colon + 1, (int)(colon - loop), loop);
	else
		snprintf(buf, len, "process %s", loop);
	return buf;
}

/* ---- the candidates ---- */

struct cand {
	struct cdoc_verdict v;
	int set;
	uint32_t tid; /* the thread of the loop the finding is about */
};

/*
 * Make @k a finding of @category at @impact, emptied for the caller to
 * fill, unless it holds one of at least that impact; a finding of
 * @replaces (the symptom this one explains; NULL: none) gives way
 * whatever its impact. 1 when @k was taken.
 */
static int claim(struct cand *k, const char *loop, const char *category,
                 double impact, const char *replaces)
{
	if (k->set && k->v.impact >= impact &&
	    (!replaces || strcmp(k->v.category, replaces)))
		return 0;
	cdoc_verdict_release(&k->v);
	cdoc_verdict_init(&k->v);
	k->set = 1;
	k->tid = loop_tid(loop);
	k->v.category = category;
	k->v.impact = impact;
	return 1;
}

static void advice_delay(struct cdoc_verdict *v, double p99)
{
	doctor__v_rec(v,
	              "Event-loop delay p99 %.0f ms: above %.0f ms users "
	              "notice it, above %.0f ms it is an outage.",
	              p99, DELAY_NOTICEABLE_MS, DELAY_OUTAGE_MS);
}

static void loop_blocked(struct vctx *c, const char *loop, struct cand *k)
{
	double p99 = loop_stat(c, "node_loop_delay_p99_ms", loop, MEDIAN);
	double req_cpu = loop_stat(c, "node_http_cpu_ms", loop, MEDIAN);
	double cpu = loop_stat(c, "node_loop_cpu_pct", loop, MEAN);
	double runq = loop_stat(c, "node_loop_runq_pct", loop, MEAN);
	struct cdoc_verdict *v = &k->v;
	struct jtally j;
	double impact;
	char lb[96];

	if (p99 < DELAY_NOTICEABLE_MS)
		return;
	if (req_cpu >= 0 ? req_cpu < REQ_CPU_BLOCK_MS
	                 : (runq >= 0 && runq > cpu))
		return;
	cpu_of_thread(c, loop_tid(loop), 1, 0, &j);
	impact = 0;
	if (j.all) {
		double w;

		doctor__vtally_top(&j.t, &w);
		impact = pct(w, j.all);
	}
	if (impact < 30)
		impact = 30; /* a blocked loop delays every request */
	/* The generic loop rule (vrules_loop.c) judges the same loop from
	 * its long ticks and names the first native frame (OpenSSL under
	 * pbkdf2Sync); this finding names the JS function a Node engineer
	 * changes, so it ranks first: a blocked loop is all the server's
	 * requests waiting. */
	for (size_t i = 0; i < c->nr_loops; i++)
		if (c->loops[i].tid == loop_tid(loop))
			impact = 100;
	if (!claim(k, loop, CDOC_V_LOOP, impact, NULL)) {
		doctor__vtally_release(&j.t);
		return;
	}
	js_culprits(c, v, &j, impact);
	doctor__v_evidence(v, "node_loop_delay_p99_ms", p99, "ms");
	if (req_cpu >= 0)
		doctor__v_evidence(v, "node_http_cpu_ms", req_cpu, "ms");
	if (cpu >= 0)
		doctor__v_evidence(v, "node_loop_cpu_pct", cpu, "%");
	doctor__v_summary(v,
	                  "The event loop of %s is blocked: callbacks waited "
	                  "%.0f ms (p99 of the loop delay)",
	                  loop_label(loop, lb, sizeof(lb)), p99);
	if (req_cpu >= 0)
		doctor__v_summary(v,
		                  ", and each request held the loop for %.1f "
		                  "ms of CPU",
		                  req_cpu);
	if (v->nr_culprits)
		doctor__v_summary(v,
		                  "; %s runs synchronously in it (%.0f%% of "
		                  "the loop's CPU).",
		                  v->culprits[0].function,
		                  v->culprits[0].share);
	else
		doctor__v_summary(v, ".");
	advice_delay(v, p99);
	doctor__v_rec(v, "Move the CPU work off the loop: a worker_threads "
	                 "pool (piscina) for computation, the async crypto "
	                 "APIs (crypto.pbkdf2, crypto.scrypt with a "
	                 "callback) instead of *Sync ones, fs.promises "
	                 "instead of readFileSync.");
	doctor__v_rec(v, "Cache or stream what every request recomputes "
	                 "(serialized JSON bodies, rendered templates); "
	                 "split long loops into chunks with setImmediate.");
	doctor__v_rec(v, "More cores: cluster or PM2 run one loop per core, "
	                 "but each request still blocks its loop for "
	                 "the same time.");
	doctor__vtally_release(&j.t);
}

static int gc_frame(const char *f)
{
	return strstr(f, "Heap::CollectGarbage") || strstr(f, "Scavenger") ||
	       strstr(f, "MarkCompactCollector") ||
	       strstr(f, "Heap::PerformGarbageCollection") ||
	       strstr(f, "ConcurrentMarking") || strstr(f, "Sweeper");
}

/* Does the stack ending in @n run in a V8 helper thread? */
static int v8_helper(const struct cdoc_profile *p, uint32_t n)
{
	for (; n && n != CDOC_NONE; n = p->nodes[n].parent) {
		const char *f = cdoc_profile_node_name(p, n);

		if (strstr(f, "PlatformWorker") || strstr(f, "WorkerThread"))
			return 1;
	}
	return 0;
}

static int in_gc(const struct cdoc_profile *p, uint32_t n)
{
	for (; n && n != CDOC_NONE; n = p->nodes[n].parent)
		if (gc_frame(cdoc_profile_node_name(p, n)))
			return 1;
	return 0;
}

/*
 * The CPU share of garbage collection for the loop on thread @tid of
 * process @pid, from the cpu samples in the window: the loop thread's
 * samples inside V8's collector plus V8's helper threads' (parallel
 * scavenging, concurrent marking, sweeping: V8 hands them more of the
 * work when it can), over the loop thread's samples plus those; -1 with
 * too few samples. CPU time, so a busy machine, which stretches pauses,
 * does not change it.
 */
static double gc_cpu_pct(struct vctx *c, uint32_t pid, uint32_t tid)
{
	int pi = c->prof[VP_CPU];
	const struct cdoc_profile *p;
	double all = 0, gc = 0, loop = 0;

	if (pi < 0)
		return -1;
	p = &c->r->profiles[pi].prof;
	for (size_t i = 0; i < c->r->nr_tsamples; i++) {
		const struct cdoc_rec_tsample *s = &c->r->tsamples[i];

		if ((int)s->profile != pi || s->pid != pid ||
		    s->time_ns < c->w0 || s->time_ns > c->w1)
			continue;
		if (s->tid == tid) {
			loop += s->weight;
			all += s->weight;
			gc += in_gc(p, s->node) ? s->weight : 0;
		} else if (in_gc(p, s->node) && v8_helper(p, s->node)) {
			all += s->weight;
			gc += s->weight;
		}
	}
	return loop < GC_MIN_SAMPLES ? -1 : pct(gc, all);
}

static void gc_pressure(struct vctx *c, const char *loop, struct cand *k)
{
	double gc = loop_stat(c, "node_gc_pause_ms", loop, SUM);
	double n = loop_stat(c, "node_gc_count", loop, SUM);
	double reqs = loop_stat(c, "node_http_requests", loop, SUM);
	double util = loop_stat(c, "node_loop_util_pct", loop, MEAN);
	double win = doctor__v_window_s(c), busy, share, impact;
	double cpu_gc = gc_cpu_pct(c, (uint32_t)strtoul(loop, NULL, 10),
	                           loop_tid(loop));
	struct cdoc_verdict *v = &k->v;
	char lb[96];

	if (gc <= 0 || n < GC_MIN_COUNT || win <= 0 || util <= 0)
		return;
	busy = util / 100 * win * 1000;
	/* CPU when sampled: pause time is wall time, and on a saturated
	 * machine V8's helpers wait for a CPU inside the pause, stretching
	 * it far more than the loop's busy time (a hotspot with 2% of its
	 * CPU in GC read 25% of pause share with two busy loops beside). */
	share = cpu_gc >= 0 ? cpu_gc : pct(gc, busy);
	if (share < GC_MIN_PCT)
		return;
	/* The loop blocked because it collects garbage: the same finding,
	 * its cause named. */
	impact = k->set && !strcmp(k->v.category, CDOC_V_LOOP)
	                 ? CDOC_MAX(share, k->v.impact)
	                 : share;
	if (!claim(k, loop, CDOC_V_GC, impact, CDOC_V_LOOP))
		return;
	if (cpu_gc >= 0)
		doctor__v_evidence(v, "node_gc_cpu_pct", cpu_gc, "%");
	doctor__v_evidence(v, "node_gc_pause_pct", pct(gc, busy), "%");
	doctor__v_evidence(v, "node_gc_count", n, "");
	if (reqs > 0)
		doctor__v_evidence(v, "node_gc_per_request", n / reqs, "");
	doctor__v_summary(v,
	                  "Garbage collection took %.0f%% of the CPU of the "
	                  "loop of %s and V8's helpers (%.0f collections, %.0f "
	                  "ms of pauses",
	                  share, loop_label(loop, lb, sizeof(lb)), n, gc);
	if (reqs > 0)
		doctor__v_summary(v, ", one every %.0f requests", reqs / n);
	doctor__v_summary(v, "): requests make short-lived garbage fast.");
	{
		struct jtally j;

		cpu_of_thread(c, loop_tid(loop), 1, 0, &j);
		js_culprits(c, v, &j, impact);
		doctor__vtally_release(&j.t);
	}
	doctor__v_rec(v, "Allocate less per request: reuse buffers and "
	                 "objects, avoid building whole arrays to filter "
	                 "or map them (iterate), stream large bodies instead "
	                 "of materializing them.");
	doctor__v_rec(v, "A larger young generation "
	                 "(--max-semi-space-size=64) makes scavenges rarer; "
	                 "measure it against the pause times.");
}

/* A loop one JS function keeps busy without blocking it: each request
 * is short, but that function takes most of the loop's CPU and caps
 * what one process serves. */
static void js_hotspot(struct vctx *c, const char *loop, struct cand *k)
{
	double p99 = loop_stat(c, "node_loop_delay_p99_ms", loop, MEDIAN);
	double req_cpu = loop_stat(c, "node_http_cpu_ms", loop, MEDIAN);
	double cpu = loop_stat(c, "node_loop_cpu_pct", loop, MEAN);
	double reqs = loop_stat(c, "node_http_requests", loop, SUM);
	double win = doctor__v_window_s(c), w, share;
	struct cdoc_verdict *v = &k->v;
	struct jtally j;
	char lb[96];

	/* A blocked loop (loop_blocked), or another finding about this
	 * loop (its GC, its leak, its waits), is the more specific one. */
	if ((p99 >= DELAY_NOTICEABLE_MS && req_cpu >= REQ_CPU_BLOCK_MS) ||
	    (k->set && k->tid == loop_tid(loop)))
		return;
	cpu_of_thread(c, loop_tid(loop), 0, 1, &j);
	doctor__vtally_top(&j.t, &w);
	share = pct(w, j.all);
	if (j.all < HOT_MIN_SAMPLES || share < HOT_MIN_PCT ||
	    !claim(k, loop, CDOC_V_HOTSPOT, share, NULL)) {
		doctor__vtally_release(&j.t);
		return;
	}
	js_culprits(c, v, &j, share);
	doctor__vtally_release(&j.t);
	doctor__v_evidence(v, "node_hot_function_cpu_pct", share, "%");
	if (cpu >= 0)
		doctor__v_evidence(v, "node_loop_cpu_pct", cpu, "%");
	if (req_cpu >= 0)
		doctor__v_evidence(v, "node_http_cpu_ms", req_cpu, "ms");
	if (p99 >= 0)
		doctor__v_evidence(v, "node_loop_delay_p99_ms", p99, "ms");
	doctor__v_summary(v, "%s takes %.0f%% of the CPU of the loop of %s",
	                  v->culprits[0].function, share,
	                  loop_label(loop, lb, sizeof(lb)));
	if (cpu >= 0)
		doctor__v_summary(v, ", which ran %.0f%% of the time", cpu);
	if (req_cpu >= 0 && reqs > 0 && win > 0)
		doctor__v_summary(v,
		                  "; each request costs the loop %.2f ms of "
		                  "CPU (%.0f requests/s)",
		                  req_cpu, reqs / win);
	doctor__v_summary(v,
	                  ". The loop is not blocked (each request is short), "
	                  "but this function bounds what one process serves.");
	doctor__v_rec(v,
	              "Make %s cheaper or call it less: cache its result "
	              "(memoize by input, or compute once when the data "
	              "changes), hoist work that does not change out of "
	              "its loops, parse and compile (JSON, RegExp, "
	              "templates) once instead of per request.",
	              v->culprits[0].function);
	doctor__v_rec(v, "See its lines: the cpu flame graph (`cdoctor report "
	                 "REC --html FILE`, tab cpu) or `node --cpu-prof`.");
	doctor__v_rec(v, "For more throughput at the same cost, run one loop "
	                 "per core (cluster, PM2) or move the function to a "
	                 "worker_threads pool (piscina).");
}

/* The lower envelope of the V8 heap: the least used heap of each third
 * of the window. */
static int heap_thirds(struct vctx *c, const char *loop, double m[3])
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	struct series s;

	cdoc_buf_addf(&b, *loop ? "%s[%s]" : "%s", "node_heap_used_bytes",
	              loop);
	series_of(c, b.buf, &s);
	cdoc_buf_release(&b);
	if (s.n < 3) {
		free(s.v);
		return -1;
	}
	for (int t = 0; t < 3; t++) {
		size_t a = s.n * t / 3, e = s.n * (t + 1) / 3;

		m[t] = s.v[a];
		for (size_t i = a; i < e; i++)
			m[t] = CDOC_MIN(m[t], s.v[i]);
	}
	free(s.v);
	return 0;
}

/* js_heap growth in the window, by user JS culprit: the last snapshot
 * in the window less the first, of thread @tid; the time of that first
 * snapshot (0: none). */
static uint64_t heap_growth(struct vctx *c, uint32_t tid, struct jtally *j)
{
	int pi = cdoc_recording_profile_index(c->r, "js_heap");
	const struct cdoc_profile *p;
	uint64_t t0 = UINT64_MAX, t1 = 0;
	struct jtally first;

	memset(j, 0, sizeof(*j));
	memset(&first, 0, sizeof(first));
	if (pi < 0)
		return 0;
	p = &c->r->profiles[pi].prof;
	for (size_t i = 0; i < c->r->nr_tsamples; i++) {
		const struct cdoc_rec_tsample *s = &c->r->tsamples[i];

		if ((int)s->profile != pi || s->tid != tid ||
		    s->time_ns < c->w0 || s->time_ns > c->w1)
			continue;
		t0 = CDOC_MIN(t0, s->time_ns);
		t1 = CDOC_MAX(t1, s->time_ns);
	}
	if (t1 <= t0)
		return 0;
	for (size_t i = 0; i < c->r->nr_tsamples; i++) {
		const struct cdoc_rec_tsample *s = &c->r->tsamples[i];

		if ((int)s->profile != pi || s->tid != tid ||
		    (s->time_ns != t0 && s->time_ns != t1))
			continue;
		jtally_add(c, s->time_ns == t1 ? j : &first, p, s->node,
		           (double)s->weight);
	}
	/* growth = last - first, at least 0 */
	j->all = 0;
	for (size_t i = 0; i < j->t.alloc; i++) {
		double f = i < first.t.alloc ? first.t.w[i] : 0;

		j->t.w[i] = CDOC_MAX(0, j->t.w[i] - f);
		j->all += j->t.w[i];
	}
	j->t.total = j->all;
	doctor__vtally_release(&first.t);
	return t0;
}

/* The V8 heap used of loop @loop read at time @t (the agent reports it
 * with each js_heap snapshot); -1 when there is none. */
static double heap_at(struct vctx *c, const char *loop, uint64_t t)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	double r = -1;

	cdoc_buf_addf(&b, "node_heap_used_bytes[%s]", loop);
	for (size_t i = 0; i < c->r->nr_metrics && r < 0; i++) {
		const struct cdoc_rec_metric_sample *m = &c->r->metrics[i];

		if (m->time_ns < t)
			continue;
		for (size_t j = 0; j < m->n; j++)
			if (!strcmp(m->names[j], b.buf)) {
				r = m->values[j];
				break;
			}
	}
	cdoc_buf_release(&b);
	return r;
}

static void memory_leak(struct vctx *c, const char *loop, struct cand *k)
{
	struct cdoc_verdict *v = &k->v;
	double m[3], grew, rate, impact, win = doctor__v_window_s(c);
	double base, span;
	uint64_t since;
	struct jtally j;
	char lb[96];

	if (heap_thirds(c, loop, m) < 0)
		return;
	grew = m[2] - m[0];
	if (grew < LEAK_MIN_BYTES || grew < LEAK_MIN_FRAC * m[0] ||
	    m[2] <= m[1])
		return;
	/* What the sampled JS heap kept must have grown too (a young
	 * generation filling between collections is not kept). */
	/* The sampler starts once the heap's floor keeps rising (the
	 * agent's auto mode): compare with the growth since then. */
	since = heap_growth(c, loop_tid(loop), &j);
	base = since ? heap_at(c, loop, since) : -1;
	span = base >= 0 && base < m[2] ? m[2] - base : grew;
	if (cdoc_recording_profile_index(c->r, "js_heap") >= 0 &&
	    j.all < LEAK_JS_FRAC * CDOC_MIN(grew, span)) {
		doctor__vtally_release(&j.t);
		return;
	}
	/* A growing heap keeps the collector busy: a gc-pressure finding
	 * of the loop is this leak's symptom, replaced by it at its rank. */
	impact = k->set && !strcmp(k->v.category, CDOC_V_GC)
	                 ? CDOC_MAX(LEAK_IMPACT, k->v.impact)
	                 : LEAK_IMPACT;
	if (!claim(k, loop, CDOC_V_MEMLEAK, impact, CDOC_V_GC)) {
		doctor__vtally_release(&j.t);
		return;
	}
	rate = win > 0 ? grew / win : 0;
	js_culprits(c, v, &j, impact);
	doctor__vtally_release(&j.t);
	doctor__v_evidence(v, "node_heap_growth_bytes", grew, "bytes");
	doctor__v_evidence(v, "node_heap_growth_rate", rate, "bytes/s");
	doctor__v_summary(v,
	                  "The JS heap of %s keeps growing: %.1f MiB more "
	                  "live after collection at the end of the window "
	                  "than at its start (%.2f MiB/s), still growing in "
	                  "its last third",
	                  loop_label(loop, lb, sizeof(lb)), grew / 1048576,
	                  rate / 1048576);
	if (v->nr_culprits)
		doctor__v_summary(v, "; %s allocated %.0f%% of the growth.",
		                  v->culprits[0].function,
		                  v->culprits[0].share);
	else
		doctor__v_summary(v, ".");
	doctor__v_rec(v, "Bound what the culprit keeps: a cache with a "
	                 "size or age limit (lru-cache) instead of a Map "
	                 "that grows with every key; delete entries when "
	                 "their request or session ends.");
	doctor__v_rec(v, "Listeners and timers hold their closures: remove "
	                 "them (removeListener, clearInterval) when done.");
	doctor__v_rec(v, "Raise --max-old-space-size only after the leak "
	                 "is fixed: it moves the crash, it does not stop it.");
}

static void io_wait(struct vctx *c, const char *loop, struct cand *k)
{
	int pi = cdoc_recording_profile_index(c->r, "async_wait");
	double lat = loop_stat(c, "node_http_latency_mean_ms", loop, MEAN);
	double reqs = loop_stat(c, "node_http_requests", loop, SUM);
	double req_cpu = loop_stat(c, "node_http_cpu_ms", loop, MEDIAN);
	uint32_t tid = loop_tid(loop);
	struct cdoc_verdict *v = &k->v;
	double per_req, impact;
	const struct cdoc_profile *p;
	struct jtally j;
	char lb[96];

	if (pi < 0 || lat < IO_MIN_LAT_MS || reqs <= 0)
		return;
	if (req_cpu >= 0 && req_cpu > IO_MAX_CPU_FRAC * lat)
		return;
	memset(&j, 0, sizeof(j));
	p = &c->r->profiles[pi].prof;
	for (size_t i = 0; i < c->r->nr_tsamples; i++) {
		const struct cdoc_rec_tsample *s = &c->r->tsamples[i];

		if ((int)s->profile != pi || s->tid != tid ||
		    s->time_ns < c->w0 || s->time_ns > c->w1)
			continue;
		jtally_add(c, &j, p, s->node, (double)s->weight);
	}
	per_req = j.t.total / reqs / 1e6;
	if (per_req < IO_MIN_WAIT * lat) {
		doctor__vtally_release(&j.t);
		return;
	}
	impact = 100 * (1 - (req_cpu > 0 ? req_cpu / lat : 0));
	if (!claim(k, loop, CDOC_V_IO, impact, NULL)) {
		doctor__vtally_release(&j.t);
		return;
	}
	j.all = j.t.total;
	js_culprits(c, v, &j, impact);
	doctor__vtally_release(&j.t);
	doctor__v_evidence(v, "node_http_latency_mean_ms", lat, "ms");
	doctor__v_evidence(v, "node_async_wait_per_request_ms", per_req, "ms");
	if (req_cpu >= 0)
		doctor__v_evidence(v, "node_http_cpu_ms", req_cpu, "ms");
	doctor__v_summary(v,
	                  "Requests to %s wait on I/O: they take %.0f ms on "
	                  "average, of which the loop computes %.1f ms; the "
	                  "rest is spent waiting for asynchronous operations",
	                  loop_label(loop, lb, sizeof(lb)), lat,
	                  req_cpu > 0 ? req_cpu : 0);
	if (v->nr_culprits)
		doctor__v_summary(v,
		                  ", most started by %s%s%s (%.0f%% of the "
		                  "wait).",
		                  v->culprits[0].function,
		                  v->culprits[0].via ? " through " : "",
		                  v->culprits[0].via ? v->culprits[0].via : "",
		                  v->culprits[0].share);
	else
		doctor__v_summary(v, ".");
	doctor__v_rec(v, "Make the downstream call cheaper to wait for: a "
	                 "keep-alive agent with a connection pool "
	                 "(new http.Agent({keepAlive: true, maxSockets})) "
	                 "instead of a new connection per request.");
	doctor__v_rec(v, "Set a timeout on every downstream call (an "
	                 "AbortSignal.timeout) so a slow service cannot hold "
	                 "requests, and cache answers that repeat.");
	doctor__v_rec(v, "Issue independent calls together (Promise.all), "
	                 "not one after another.");
}

/* Did the generic loop rule (TICKS) see long ticks on thread @tid? */
static int generic_loop(const struct vctx *c, uint32_t tid)
{
	for (size_t i = 0; i < c->nr_loops; i++)
		if (c->loops[i].tid == tid && c->loops[i].nr_longs)
			return 1;
	return 0;
}

/*
 * The generic blocked-loop finding (@g, from the long ticks) of a Node
 * loop: when the Node finding @k is about the same loop and names what
 * blocked it (the JS function, the collector, a leak filling the heap),
 * @k comes first and @g stays a secondary finding; when the Node rules
 * found nothing on the loop and @g's culprit is not the program's own
 * code (V8's collector, libuv's condition variables, OpenSSL inside the
 * node binary: a busy machine stretching a healthy loop's ticks), @g is
 * dropped.
 */
static void subsume_generic_loop(struct vctx *c, const struct loops *l,
                                 struct cand *k, struct cdoc_verdict *g)
{
	int node_loop = 0;

	if (!g || !g->category || strcmp(g->category, CDOC_V_LOOP))
		return;
	for (size_t i = 0; i < l->n; i++)
		node_loop |= generic_loop(c, loop_tid(l->id[i]));
	if (!node_loop)
		return;
	if (k->set && strcmp(k->v.category, CDOC_V_IO) &&
	    generic_loop(c, k->tid)) {
		k->v.impact = CDOC_MAX(k->v.impact, g->impact);
		g->impact = CDOC_MAX(0, CDOC_MIN(g->impact, k->v.impact - 10));
		return;
	}
	if (!g->nr_culprits ||
	    !doctor__frame_is_own(c, g->culprits[0].function)) {
		cdoc_verdict_release(g);
		cdoc_verdict_init(g);
	}
}

/* Is @g's top culprit the JS frame of @k's top culprit ("JS:fn ...")? */
static int same_js_culprit(const struct cdoc_verdict *k,
                           const struct cdoc_verdict *g)
{
	const char *f;
	size_t n;

	if (!k->nr_culprits || !g->nr_culprits)
		return 0;
	f = g->culprits[0].function;
	n = strlen(k->culprits[0].function);
	return !strncmp(f, "JS:", 3) &&
	       !strncmp(f + 3, k->culprits[0].function, n) &&
	       (f[3 + n] == ' ' || !f[3 + n]);
}

/*
 * The generic hotspot finding @g whose function is the one the Node
 * finding @k names: with a Node hotspot it is the same finding (dropped,
 * @k takes its rank: the loop's numbers and Node advice); with
 * gc-pressure or a blocked loop, @k is the more specific finding (the
 * function's CPU is its allocations and their collection, or the loop it
 * blocks): @k first, @g secondary.
 */
static void subsume_generic_hotspot(struct cand *k, struct cdoc_verdict *g)
{
	if (!k->set || !g->category || strcmp(g->category, CDOC_V_HOTSPOT) ||
	    !same_js_culprit(&k->v, g))
		return;
	k->v.impact = CDOC_MAX(k->v.impact, g->impact);
	if (!strcmp(k->v.category, CDOC_V_HOTSPOT)) {
		cdoc_verdict_release(g);
		cdoc_verdict_init(g);
	} else if (!strcmp(k->v.category, CDOC_V_GC) ||
	           !strcmp(k->v.category, CDOC_V_LOOP)) {
		g->impact = CDOC_MAX(0, CDOC_MIN(g->impact, k->v.impact - 10));
	}
}

/* Last less first reading of tree-wide metric @name in the window; 0
 * when it has fewer than two. */
static double window_rise(struct vctx *c, const char *name)
{
	struct series s;
	double r = 0;

	series_of(c, name, &s);
	if (s.n >= 2)
		r = s.v[s.n - 1] - s.v[0];
	free(s.v);
	return r;
}

static double evidence_of(const struct cdoc_verdict *g, const char *name)
{
	for (size_t i = 0; i < g->nr_evidence; i++)
		if (!strcmp(g->evidence[i].name, name))
			return g->evidence[i].value;
	return 0;
}

/*
 * The generic memory-leak finding @g (resident memory growing) of a
 * process whose Node loops' heap floor stayed flat: V8 sizing its heap
 * to the load (the young generation's semi-spaces grow to 16 MiB, code
 * space fills with optimized code) and its external memory are warm-up,
 * not a leak, on a busy machine still going on in the second half of a
 * short window. @g is dropped unless the growth beyond V8's heap and
 * external memory is a leak of its own (native memory, an addon's).
 */
static void subsume_generic_leak(struct vctx *c, const struct loops *l,
                                 struct cdoc_verdict *g)
{
	double m[3], v8;
	int measured = 0;

	if (!g->category || strcmp(g->category, CDOC_V_MEMLEAK))
		return;
	for (size_t i = 0; i < l->n; i++) {
		if (heap_thirds(c, l->id[i], m) < 0)
			continue;
		measured = 1;
		if (m[2] - m[0] >= LEAK_MIN_BYTES && m[2] > m[1])
			return; /* the JS heap grows: the Node rule's case */
	}
	if (!measured)
		return;
	/* kept when V8's heap and external memory leave growth unexplained
	 * and the site that grew is the program's own (an addon's), not
	 * V8's allocator */
	v8 = window_rise(c, "node_heap_total_bytes") +
	     window_rise(c, "node_external_bytes");
	if (evidence_of(g, "rss_growth_bytes") - CDOC_MAX(0, v8) >=
	            LEAK_MIN_BYTES &&
	    g->nr_culprits && doctor__frame_is_own(c, g->culprits[0].function))
		return;
	cdoc_verdict_release(g);
	cdoc_verdict_init(g);
}

void doctor__v_node(struct vctx *c, struct cdoc_verdict *v,
                    struct cdoc_verdict *generic, size_t nr_generic)
{
	struct cand k = {.set = 0};
	struct loops l;

	find_loops(c, &l);
	cdoc_verdict_init(&k.v);
	for (size_t i = 0; i < l.n; i++) {
		loop_blocked(c, l.id[i], &k);
		gc_pressure(c, l.id[i], &k);
		memory_leak(c, l.id[i], &k);
		io_wait(c, l.id[i], &k);
		js_hotspot(c, l.id[i], &k);
	}
	for (size_t i = 0; i < nr_generic; i++) {
		subsume_generic_loop(c, &l, &k, &generic[i]);
		subsume_generic_hotspot(&k, &generic[i]);
		subsume_generic_leak(c, &l, &generic[i]);
	}
	loops_release(&l);
	if (k.set) {
		cdoc_verdict_release(v);
		*v = k.v;
	} else {
		cdoc_verdict_release(&k.v);
	}
}

#endif /* CDOC_V_GC */
