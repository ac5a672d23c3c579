/*
 * verdict.c - the one answer for a recording: gather the evidence of the
 * analysis window once (time by thread and kind, loop ticks), let every
 * category rule measure its impact on the requests, and make the largest
 * the verdict; the others become secondary findings. docs/doctor.md has
 * the rules, their thresholds and why.
 */
#include "doctor/internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Without a load window: trim this share of the run from each end... */
#define WINDOW_TRIM_FRAC 0.10
/* ...but never more than this. */
#define WINDOW_TRIM_MAX_NS 1000000000ull
/* Impacts closer than this (points) are a tie, broken by precedence. */
#define TIE_PTS 5.0
/* Default sampling frequency when META has none (cdoctor run's). */
#define DEFAULT_HZ 99.0

/* The rules, in precedence order for ties: a cause that explains where
 * the time went (a blocked loop, waits) before what it looks like. */
static const vrule_fn vrules[] = {
        doctor__v_loop,       doctor__v_lock,      doctor__v_io,
        doctor__v_saturation, doctor__v_throttled, doctor__v_memleak,
        doctor__v_fdleak,     doctor__v_hotspot,   doctor__v_churn,
};

static const char *const prof_names[VP_N] = {
        "cpu",          "offcpu_lock",  "offcpu_disk", "offcpu_net",
        "offcpu_sleep", "offcpu_other", "fd_open",     "fd_close",
        "fd_live",      "leaked_bytes"};

void cdoc_verdict_init(struct cdoc_verdict *v)
{
	memset(v, 0, sizeof(*v));
}

void cdoc_verdict_release(struct cdoc_verdict *v)
{
	size_t i;

	for (i = 0; i < v->nr_culprits; i++) {
		free(v->culprits[i].function);
		free(v->culprits[i].where);
		free(v->culprits[i].via);
	}
	for (i = 0; i < v->nr_evidence; i++) {
		free(v->evidence[i].name);
		free(v->evidence[i].unit);
	}
	for (i = 0; i < v->nr_recs; i++)
		free(v->recs[i]);
	for (i = 0; i < v->nr_others; i++)
		cdoc_verdict_release(&v->others[i]);
	free(v->culprits);
	free(v->evidence);
	free(v->recs);
	free(v->others);
	free(v->summary);
	memset(v, 0, sizeof(*v));
}

static uint64_t meta_u64(const struct cdoc_recording *r, const char *key)
{
	const char *s = cdoc_recording_meta(r, key);

	return s && *s ? strtoull(s, NULL, 10) : 0;
}

/* The end of the run: duration_ns, else the last time seen. */
static uint64_t run_end(const struct cdoc_recording *r)
{
	uint64_t end = meta_u64(r, "duration_ns");
	size_t i;

	for (i = 0; !end && i < r->nr_tsamples; i++)
		end = CDOC_MAX(end, r->tsamples[i].time_ns);
	for (i = 0; i < r->nr_metrics; i++)
		end = CDOC_MAX(end, r->metrics[i].time_ns);
	return end;
}

static void pick_window(struct vctx *c)
{
	uint64_t ls = meta_u64(c->r, "load_start_ns");
	uint64_t le = meta_u64(c->r, "load_end_ns");
	uint64_t end, trim;

	if (cdoc_recording_meta(c->r, "load_start_ns") && le > ls) {
		c->w0 = ls;
		c->w1 = le;
		c->wrule = "the load window (--on-port)";
		return;
	}
	end = run_end(c->r);
	trim = CDOC_MIN((uint64_t)(end * WINDOW_TRIM_FRAC), WINDOW_TRIM_MAX_NS);
	c->w0 = trim;
	c->w1 = end > 2 * trim ? end - trim : end;
	c->wrule = end ? "the run without its first and last 10% (at most "
	                 "1 s each)"
	               : "the whole recording (it kept no times)";
	if (!end)
		c->w1 = UINT64_MAX;
}

static void index_frameinfo(struct vctx *c)
{
	size_t i, n = CDOC_MIN(c->r->nr_frames, c->r->nr_strs);

	cdoc_strtab_init(&c->fi_names);
	c->fi_idx = cdoc_calloc(n + 1, sizeof(*c->fi_idx));
	for (i = 0; i < n; i++) {
		uint32_t id;

		if (!c->r->frames[i].module && !c->r->frames[i].file)
			continue;
		id = cdoc_strtab_intern(&c->fi_names, c->r->strs[i],
		                        c->r->str_lens[i]);
		c->fi_idx[id] = (uint32_t)i;
	}
}

/* Which profiles kept times (some TSAMPLES sample is in them). */
static void find_timed(struct vctx *c)
{
	size_t i;
	int vp;

	for (i = 0; i < c->r->nr_tsamples; i++)
		for (vp = 0; vp < VP_N; vp++)
			if ((int)c->r->tsamples[i].profile == c->prof[vp])
				c->prof_timed[vp] = 1;
}

static void ctx_init(struct vctx *c, struct cdoc_recording *r)
{
	const char *hz = cdoc_recording_meta(r, "frequency");
	double f = hz ? strtod(hz, NULL) : 0;
	size_t i;

	memset(c, 0, sizeof(*c));
	c->r = r;
	c->timed = r->nr_tsamples > 0;
	c->period_ns = 1e9 / (f > 0 ? f : DEFAULT_HZ);
	for (i = 0; i < VP_N; i++) {
		c->prof[i] = cdoc_recording_profile_index(r, prof_names[i]);
		if (i >= VP_LOCK && i <= VP_OTHER && c->prof[i] >= 0)
			c->offcpu = 1;
	}
	c->long_tick_ns = meta_u64(r, "long_tick_ns");
	if (!c->long_tick_ns)
		c->long_tick_ns = 10000000;
	cdoc_u64map_init(&c->thr_of);
	cdoc_u64map_init(&c->loop_of);
	cdoc_strtab_init(&c->names);
	cdoc_strtab_intern(&c->names, "", 0);
	index_frameinfo(c);
	pick_window(c);
	find_timed(c);
}

static void ctx_release(struct vctx *c)
{
	size_t i;

	for (i = 0; i < VP_N; i++) {
		free(c->memo[i]);
		free(c->memo_via[i]);
		free(c->memo_kind[i]);
	}
	for (i = 0; i < c->nr_loops; i++)
		free(c->loops[i].longs);
	free(c->loops);
	free(c->thr);
	free(c->fi_idx);
	cdoc_u64map_release(&c->thr_of);
	cdoc_u64map_release(&c->loop_of);
	cdoc_strtab_release(&c->names);
	cdoc_strtab_release(&c->fi_names);
}

void doctor__vsamples(struct vctx *c, int vp, vsample_fn fn, void *arg)
{
	const struct cdoc_profile *p;
	double scale = vp == VP_CPU ? c->period_ns : 1;
	size_t i;

	if (c->prof[vp] < 0)
		return;
	if (c->prof_timed[vp]) {
		for (i = 0; i < c->r->nr_tsamples; i++) {
			const struct cdoc_rec_tsample *s = &c->r->tsamples[i];

			if ((int)s->profile != c->prof[vp] ||
			    s->time_ns < c->w0 || s->time_ns > c->w1)
				continue;
			if (c->skip_long &&
			    doctor__in_long_tick(c, s->tid, s->time_ns))
				continue;
			fn(c, arg, s->tid, s->time_ns, s->node,
			   s->weight * scale);
		}
		return;
	}
	p = &c->r->profiles[c->prof[vp]].prof;
	for (i = 1; i < p->nr_nodes; i++)
		if (p->nodes[i].self[0])
			fn(c, arg, 0, 0, (uint32_t)i,
			   p->nodes[i].self[0] * scale);
}

struct vthread *doctor__vthread(struct vctx *c, uint32_t tid)
{
	uint32_t i;

	if (cdoc_u64map_get(&c->thr_of, tid, &i))
		return &c->thr[i];
	CDOC_GROW(c->thr, c->nr_thr + 1, c->alloc_thr);
	memset(&c->thr[c->nr_thr], 0, sizeof(c->thr[0]));
	c->thr[c->nr_thr].tid = tid;
	cdoc_u64map_put(&c->thr_of, tid, (uint32_t)c->nr_thr);
	return &c->thr[c->nr_thr++];
}

static int net_call(const char *via)
{
	static const char *const calls[] = {
	        "accept",   "accept4",    "recv",        "recvfrom",
	        "recvmsg",  "send",       "sendto",      "sendmsg",
	        "sendfile", "epoll_wait", "epoll_pwait", "epoll_pwait2",
	        "poll",     "ppoll",      "select",      "pselect6",
	        "connect",  "shutdown",   "writev",      "readv"};
	size_t i;

	for (i = 0; i < CDOC_ARRAY_SIZE(calls); i++)
		if (!strcmp(via, calls[i]))
			return 1;
	return 0;
}

/* Root frame (the thread's name) of the stack ending in @node. */
static uint32_t comm_of(struct vctx *c, int vp, uint32_t node)
{
	const struct cdoc_profile *p = &c->r->profiles[c->prof[vp]].prof;
	uint32_t x = node < p->nr_nodes ? node : 0;
	const char *n;

	while (x && p->nodes[x].depth > 1)
		x = p->nodes[x].parent;
	if (!x)
		return 0;
	n = cdoc_profile_node_name(p, x);
	return cdoc_strtab_intern(&c->names, n, strlen(n));
}

/*
 * Does the stack ending in @node run in a managed runtime's helper thread
 * (V8's platform workers, which compile and collect garbage for the JS
 * code; the JVM's compiler and concurrent GC threads)? Their CPU is the
 * request path's cost, not an independent consumer (vrules_sched.c).
 */
static int runtime_helper(struct vctx *c, int vp, uint32_t node)
{
	static const char *const entries[] = {
	        "PlatformWorkerThread",
	        "v8::platform::WorkerThread",
	        "CompileBroker::compiler_thread_loop",
	        "ConcurrentGCThread::run",
	};
	const struct cdoc_profile *p = &c->r->profiles[c->prof[vp]].prof;
	uint32_t x = node < p->nr_nodes ? node : 0;

	for (; x; x = p->nodes[x].parent) {
		const char *n = cdoc_profile_node_name(p, x);

		for (size_t i = 0; i < CDOC_ARRAY_SIZE(entries); i++)
			if (strstr(n, entries[i]))
				return 1;
	}
	return 0;
}

static void account(struct vctx *c, void *arg, uint32_t tid, uint64_t t,
                    uint32_t node, double w)
{
	int vp = *(int *)arg;
	struct vthread *th = doctor__vthread(c, tid);
	enum vkind kind;
	uint32_t via;

	(void)t;
	doctor__culprit(c, vp, node, &via, &kind);
	th->ns[vp] += w;
	/* A runtime helper's own lock waits (V8's workers handing tasks to
	 * each other) are nothing the program's code can change, and
	 * neither are the locks of cdoctor's own tracking (the shim). */
	if (vp == VP_LOCK && kind != VK_COND && kind != VK_SHIM &&
	    !runtime_helper(c, vp, node))
		th->mutex_ns += w;
	if (vp == VP_NET ||
	    (vp == VP_CPU && via && net_call(cdoc_strtab_get(&c->names, via))))
		th->net = 1;
	if (!th->comm)
		th->comm = comm_of(c, vp, node);
	if (vp == VP_CPU && !th->runtime && runtime_helper(c, vp, node))
		th->runtime = 1;
}

/* Time by thread and kind; with @skip_long, outside long ticks. */
static void account_all(struct vctx *c, int skip_long)
{
	size_t i;
	int vp;

	for (i = 0; i < c->nr_thr; i++) {
		memset(c->thr[i].ns, 0, sizeof(c->thr[i].ns));
		c->thr[i].mutex_ns = 0;
	}
	c->skip_long = skip_long;
	for (vp = VP_CPU; vp <= VP_OTHER; vp++)
		doctor__vsamples(c, vp, account, &vp);
}

static void gather(struct vctx *c)
{
	size_t i;
	int vp;

	doctor__loops_load(c);
	for (i = 0; i < c->nr_loops; i++)
		doctor__vthread(c, c->loops[i].tid)->loop = 1;
	account_all(c, 0);
	doctor__loop_measure(c);
	/* Time inside long ticks belongs to the loop verdict. */
	if (c->loop_blocked)
		account_all(c, 1);
	for (i = 0; i < c->nr_thr; i++) {
		struct vthread *th = &c->thr[i];

		if (th->loop)
			th->net = 1;
		for (vp = 0; vp < VP_N; vp++)
			c->tot[vp] += th->ns[vp];
		c->mutex_ns += th->mutex_ns;
	}
	c->downstream_ns = doctor__downstream(c, NULL);
	c->work_ns = c->tot[VP_CPU] + c->mutex_ns + c->tot[VP_DISK] +
	             c->downstream_ns + (c->loop_blocked ? c->long_work_ns : 0);
}

double doctor__v_window_s(const struct vctx *c)
{
	if (c->w1 == UINT64_MAX)
		return 0;
	return (c->w1 - c->w0) / 1e9;
}

double doctor__v_metric_mean(struct vctx *c, const char *name)
{
	double sum = 0, all = 0;
	size_t i, j, n = 0, nall = 0;

	for (i = 0; i < c->r->nr_metrics; i++) {
		const struct cdoc_rec_metric_sample *m = &c->r->metrics[i];

		for (j = 0; j < m->n; j++) {
			if (strcmp(m->names[j], name))
				continue;
			all += m->values[j];
			nall++;
			if (m->time_ns >= c->w0 && m->time_ns <= c->w1) {
				sum += m->values[j];
				n++;
			}
			break;
		}
	}
	if (n)
		return sum / n;
	return nall ? all / nall : -1;
}

void doctor__v_evidence(struct cdoc_verdict *v, const char *name, double value,
                        const char *unit)
{
	struct cdoc_evidence *e;

	CDOC_GROW(v->evidence, v->nr_evidence + 1, v->alloc_evidence);
	e = &v->evidence[v->nr_evidence++];
	e->name = cdoc_strdup(name);
	e->value = value;
	e->unit = cdoc_strdup(unit);
}

void doctor__v_rec(struct cdoc_verdict *v, const char *fmt, ...)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	cdoc_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	CDOC_GROW(v->recs, v->nr_recs + 1, v->alloc_recs);
	v->recs[v->nr_recs++] = cdoc_buf_detach(&b, NULL);
}

void doctor__v_summary(struct cdoc_verdict *v, const char *fmt, ...)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	va_list ap;

	if (v->summary)
		cdoc_buf_addstr(&b, v->summary);
	va_start(ap, fmt);
	cdoc_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	free(v->summary);
	v->summary = cdoc_buf_detach(&b, NULL);
}

static void add_culprit(struct vctx *c, struct cdoc_verdict *v, uint32_t who,
                        uint32_t via, double share, double impact)
{
	const char *name = cdoc_strtab_get(&c->names, who);
	struct cdoc_culprit *x;
	unsigned line = 0;
	const char *file = doctor__frame_where(c, name, &line);
	struct cdoc_buf b = CDOC_BUF_INIT;

	CDOC_GROW(v->culprits, v->nr_culprits + 1, v->alloc_culprits);
	x = &v->culprits[v->nr_culprits++];
	memset(x, 0, sizeof(*x));
	x->function = cdoc_strdup(name);
	x->share = share;
	x->impact = impact;
	if (via)
		x->via = cdoc_strdup(cdoc_strtab_get(&c->names, via));
	if (file) {
		cdoc_buf_addf(&b, line ? "%s:%u" : "%s", file, line);
		x->where = cdoc_buf_detach(&b, NULL);
	}
}

/* Culprits below this share of the verdict's time are not listed. */
#define CULPRIT_MIN_SHARE 5.0

void doctor__v_culprits(struct vctx *c, struct cdoc_verdict *v,
                        const struct vtally *t, size_t max, double impact_scale)
{
	uint32_t *ids;
	size_t n = doctor__vtally_sorted(t, &ids), i;

	for (i = 0; i < n && i < max; i++) {
		double share = pct(t->w[ids[i]], t->total);

		if (i && share < CULPRIT_MIN_SHARE)
			break;
		add_culprit(c, v, ids[i], t->via[ids[i]], share,
		            share * impact_scale / 100);
	}
	free(ids);
}

static size_t prec(const char *category)
{
	/* gc-pressure first: collections are what blocks a loop that
	 * allocates fast (its long ticks are the pauses). */
	static const char *const order[] = {CDOC_V_GC,        CDOC_V_LOOP,
	                                    CDOC_V_LOCK,      CDOC_V_IO,
	                                    CDOC_V_SATURATED, CDOC_V_THROTTLED,
	                                    CDOC_V_MEMLEAK,   CDOC_V_FDLEAK,
	                                    CDOC_V_HOTSPOT,   CDOC_V_CHURN};
	size_t i;

	for (i = 0; i < CDOC_ARRAY_SIZE(order); i++)
		if (!strcmp(category, order[i]))
			return i;
	return i;
}

/* Larger impact first; within TIE_PTS, the earlier precedence. */
static int by_impact(const void *a, const void *b)
{
	const struct cdoc_verdict *x = a, *y = b;

	if (x->impact > y->impact + TIE_PTS)
		return -1;
	if (y->impact > x->impact + TIE_PTS)
		return 1;
	if (prec(x->category) != prec(y->category))
		return prec(x->category) < prec(y->category) ? -1 : 1;
	return x->impact > y->impact ? -1 : x->impact < y->impact;
}

/*
 * A hotspot whose function is also the main culprit of a finding that
 * says why it costs: the lock it holds while it works (its waiters, on
 * or off the CPU, are lock contention: "a lock holder" in docs/doctor.md)
 * or the allocator it calls (alloc-churn, whose fix is reuse instead of
 * a malloc per piece). That finding comes first, the hotspot stays
 * secondary.
 */
static void prefer_specific(struct cdoc_verdict *hit, size_t k)
{
	static const char *const specific[] = {CDOC_V_LOCK, CDOC_V_CHURN};
	struct cdoc_verdict x;
	size_t i, j;

	if (k < 2 || strcmp(hit[0].category, CDOC_V_HOTSPOT) ||
	    !hit[0].nr_culprits)
		return;
	for (j = 0; j < CDOC_ARRAY_SIZE(specific); j++)
		for (i = 1; i < k; i++) {
			if (strcmp(hit[i].category, specific[j]) ||
			    !hit[i].nr_culprits ||
			    strcmp(hit[i].culprits[0].function,
			           hit[0].culprits[0].function))
				continue;
			x = hit[i];
			memmove(hit + 1, hit, i * sizeof(*hit));
			hit[0] = x;
			return;
		}
}

/* "none": what was measured and found small. */
static void verdict_none(struct vctx *c, struct cdoc_verdict *v,
                         struct cdoc_verdict *probes, size_t n)
{
	size_t i;

	v->category = CDOC_V_NONE;
	doctor__v_summary(v, "Nothing holds the server back in %s: ", c->wrule);
	for (i = 0; i < n; i++) {
		const struct cdoc_evidence *e = probes[i].evidence;

		if (!probes[i].nr_evidence)
			continue;
		doctor__v_evidence(v, e->name, e->value, e->unit);
	}
	doctor__v_summary(
	        v, "no loop was blocked, no own function dominates the CPU, "
	           "lock and disk waits are small and memory and descriptors "
	           "do not keep growing.");
	if (!c->offcpu)
		doctor__v_summary(v, " Off-CPU time was not recorded, so waits "
		                     "could not be seen.");
	doctor__v_rec(v, "Nothing to fix for this load. To find the next "
	                 "limit, raise the load (more connections in the "
	                 "load command) and look at the cpu flame graph: "
	                 "`cdoctor report REC --html FILE` (tab cpu).");
}

/* Without off-CPU profiles, waits are invisible: say so, and how. */
static void no_offcpu_note(const struct cdoc_recording *r,
                           struct cdoc_verdict *v)
{
	const char *why = cdoc_recording_meta(r, "offcpu");

	/* META offcpu is "on" or "off: REASON"; on, yet no profiles: the
	 * window had no off-CPU samples */
	if (why && !strncmp(why, "off: ", 5))
		why += 5;
	else
		why = "no off-CPU samples";
	doctor__v_summary(v,
	                  " Off-CPU time was not recorded (%s): lock, disk "
	                  "and downstream waits could not be weighed against "
	                  "this.",
	                  why);
	doctor__v_rec(v, "Record off-CPU time to see waits: `cdoctor "
	                 "sysinfo` says what this machine allows (e.g. sudo "
	                 "sysctl kernel.perf_event_paranoid=1).");
}

/* "cdoctor report REC" -> "cdoctor report PATH": steps one can paste. */
static void name_recording(const struct cdoc_recording *r,
                           struct cdoc_verdict *v)
{
	size_t i;

	for (i = 0; r->path && i < v->nr_recs; i++) {
		struct cdoc_buf b = CDOC_BUF_INIT;
		const char *p = v->recs[i], *q;

		while ((q = strstr(p, " REC"))) {
			cdoc_buf_add(&b, p, q - p);
			cdoc_buf_addf(&b, " %s", r->path);
			p = q + 4;
		}
		cdoc_buf_addstr(&b, p);
		free(v->recs[i]);
		v->recs[i] = cdoc_buf_detach(&b, NULL);
	}
	for (i = 0; i < v->nr_others; i++)
		name_recording(r, &v->others[i]);
}

/* Move the triggered candidates (sorted) into @v and its ->others. */
static void choose(struct vctx *c, struct cdoc_verdict *v,
                   struct cdoc_verdict *cand, size_t n)
{
	struct cdoc_verdict *hit = cdoc_calloc(n + 1, sizeof(*hit));
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (cand[i].category) {
			hit[k++] = cand[i];
			cdoc_verdict_init(&cand[i]);
		}
	}
	qsort(hit, k, sizeof(*hit), by_impact);
	prefer_specific(hit, k);
	if (!k) {
		verdict_none(c, v, cand, n);
		free(hit);
		return;
	}
	*v = hit[0];
	v->others = k > 1 ? hit : NULL;
	v->nr_others = v->alloc_others = k > 1 ? k - 1 : 0;
	if (k > 1)
		memmove(hit, hit + 1, (k - 1) * sizeof(*hit));
	else
		free(hit);
}

int cdoc_doctor_verdict(struct cdoc_recording *r, struct cdoc_verdict *v)
{
	size_t n = CDOC_ARRAY_SIZE(vrules) + 1, i;
	struct cdoc_verdict *cand = cdoc_calloc(n, sizeof(*cand));
	struct vctx c;

	ctx_init(&c, r);
	gather(&c);
	for (i = 0; i < CDOC_ARRAY_SIZE(vrules); i++)
		vrules[i](&c, &cand[i]);
	if (doctor__v_node)
		doctor__v_node(&c, &cand[n - 1], cand, n - 1);
	cdoc_verdict_release(v);
	choose(&c, v, cand, n);
	if (!c.offcpu && strcmp(v->category, CDOC_V_NONE))
		no_offcpu_note(r, v);
	name_recording(r, v);
	v->window_rule = c.wrule;
	v->window_start_s = c.w0 / 1e9;
	v->window_end_s = c.w1 == UINT64_MAX ? 0 : c.w1 / 1e9;
	for (i = 0; i < v->nr_others; i++) {
		v->others[i].window_rule = c.wrule;
		v->others[i].window_start_s = v->window_start_s;
		v->others[i].window_end_s = v->window_end_s;
	}
	for (i = 0; i < n; i++)
		cdoc_verdict_release(&cand[i]);
	free(cand);
	ctx_release(&c);
	return 0;
}
