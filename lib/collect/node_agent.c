/*
 * node_agent.c - the Node.js agent as an evidence source. For a node
 * target the child's environment gets NODE_OPTIONS=--require AGENT and
 * the write end of a pipe made here (CDOC_NODE_FD, checked by the agent
 * against its inode, CDOC_NODE_ID); each process and worker thread of
 * the target writes lines to it (agent/node/cdoctor-agent.js), read here
 * into METRICS chunks (node_*, per loop and over the tree) and the
 * profiles js_heap, async_wait and async_wait_count (docs/node.md).
 *
 * The line parser, cdoc_collect_node_parse(), is public for its fuzz
 * target. A malformed line is counted and named in a notice; it never
 * ends the run (the agent runs in the target, whose code we do not
 * trust to leave it alone).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect/internal.h"
#include "record/record.h"

#define LINE_MAX_BYTES (64u << 10) /* the agent writes < 4 KiB lines */
#define READ_CHUNK     (64u << 10)
#define PIPE_BYTES     (1 << 20)
#define STALE_NS       3000000000ull /* a loop not heard from: left out */
#define MAX_LOOPS      4096

/* ---- the parser ---- */

static int bad(const char *where, unsigned long lineno, const char *fmt,
               const char *what)
{
	return cdoc_error(-CDOC_EFORMAT, "%s, line %lu: %s%s", where, lineno,
	                  fmt, what ? what : "");
}

/* Split @s at tabs into @f (at most @max); the number of fields, or
 * max + 1 when there are more. */
static size_t split(const char *s, size_t len, struct cdoc_node_span *f,
                    size_t max)
{
	size_t n = 0, start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '\t')
			continue;
		if (n == max)
			return max + 1;
		f[n].s = s + start;
		f[n++].len = i - start;
		start = i + 1;
	}
	return n;
}

static int span_u64(const struct cdoc_node_span *f, uint64_t *out)
{
	uint64_t v = 0;

	if (!f->len || f->len > 20)
		return -1;
	for (size_t i = 0; i < f->len; i++) {
		unsigned d = (unsigned char)f->s[i] - '0';

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int span_u32(const struct cdoc_node_span *f, uint32_t *out)
{
	uint64_t v;

	if (span_u64(f, &v) < 0 || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* A finite, non-negative decimal number ("12", "0.25", "1e3"). */
static int span_f64(const struct cdoc_node_span *f, double *out)
{
	char buf[64], *end;

	if (!f->len || f->len >= sizeof(buf))
		return -1;
	for (size_t i = 0; i < f->len; i++)
		if (!strchr("0123456789.eE+-", f->s[i]))
			return -1;
	memcpy(buf, f->s, f->len);
	buf[f->len] = 0;
	errno = 0;
	*out = strtod(buf, &end);
	return *end || errno || !isfinite(*out) || *out < 0 ? -1 : 0;
}

static int metric_name_ok(const struct cdoc_node_span *n)
{
	if (n->len < 6 || n->len > 64 || memcmp(n->s, "node_", 5))
		return 0;
	for (size_t i = 0; i < n->len; i++)
		if (!((n->s[i] >= 'a' && n->s[i] <= 'z') ||
		      (n->s[i] >= '0' && n->s[i] <= '9') || n->s[i] == '_'))
			return 0;
	return 1;
}

static int text_ok(const struct cdoc_node_span *f, size_t max)
{
	if (f->len > max)
		return 0;
	for (size_t i = 0; i < f->len; i++)
		if ((unsigned char)f->s[i] < 0x20 || f->s[i] == 0x7f)
			return 0;
	return 1;
}

static int parse_ids(struct cdoc_node_line *l, const struct cdoc_node_span *pid,
                     const struct cdoc_node_span *tid,
                     const struct cdoc_node_span *t)
{
	if (span_u32(pid, &l->pid) < 0 || !l->pid)
		return -1;
	if (span_u32(tid, &l->tid) < 0 || !l->tid)
		return -2;
	return span_u64(t, &l->time_ns) < 0 ? -3 : 0;
}

static const char *const id_names[] = {"", "a bad pid", "a bad tid",
                                       "a bad time"};

static int parse_hello(struct cdoc_node_line *l, struct cdoc_node_span *f,
                       size_t n, const char *where, unsigned long lineno)
{
	int e;

	if (n != 8)
		return bad(where, lineno, "H takes 7 fields", NULL);
	if ((e = parse_ids(l, &f[1], &f[2], &f[4])) < 0)
		return bad(where, lineno, "H with ", id_names[-e]);
	if (span_u32(&f[3], &l->ppid) < 0 || span_u32(&f[5], &l->node_tid) < 0)
		return bad(where, lineno, "H with a bad ppid or thread id",
		           NULL);
	if (!text_ok(&f[6], 64) || !text_ok(&f[7], 1024))
		return bad(where, lineno, "H with a bad version or title",
		           NULL);
	l->version = f[6];
	l->title = f[7];
	return 0;
}

static int parse_metrics(struct cdoc_node_line *l, struct cdoc_node_span *f,
                         size_t n, const char *where, unsigned long lineno)
{
	int e;

	if (n < 5)
		return bad(where, lineno, "M without values", NULL);
	if ((e = parse_ids(l, &f[1], &f[2], &f[3])) < 0)
		return bad(where, lineno, "M with ", id_names[-e]);
	for (size_t i = 4; i < n; i++) {
		const char *eq = memchr(f[i].s, '=', f[i].len);
		struct cdoc_node_span name, val;

		if (!eq)
			return bad(where, lineno, "a metric without '='", NULL);
		name.s = f[i].s;
		name.len = (size_t)(eq - f[i].s);
		val.s = eq + 1;
		val.len = f[i].len - name.len - 1;
		if (!metric_name_ok(&name))
			return bad(where, lineno,
			           "a metric name that is not node_[a-z0-9_]+",
			           NULL);
		if (span_f64(&val, &l->values[l->nr]) < 0)
			return bad(where, lineno,
			           "a metric value that is not a "
			           "finite non-negative number",
			           NULL);
		l->names[l->nr++] = name;
	}
	return 0;
}

static int parse_sample(struct cdoc_node_line *l, struct cdoc_node_span *f,
                        size_t n, const char *where, unsigned long lineno)
{
	static const char *const profiles[] = {"js_heap", "async_wait",
	                                       "async_wait_count"};
	size_t k;
	int e;

	if (n < 7)
		return bad(where, lineno, "S without frames", NULL);
	for (k = 0; k < CDOC_ARRAY_SIZE(profiles); k++)
		if (f[1].len == strlen(profiles[k]) &&
		    !memcmp(f[1].s, profiles[k], f[1].len))
			break;
	if (k == CDOC_ARRAY_SIZE(profiles))
		return bad(where, lineno, "S for an unknown profile", NULL);
	l->profile = f[1];
	if ((e = parse_ids(l, &f[2], &f[3], &f[4])) < 0)
		return bad(where, lineno, "S with ", id_names[-e]);
	if (span_u64(&f[5], &l->weight) < 0)
		return bad(where, lineno, "S with a bad weight", NULL);
	for (size_t i = 6; i < n; i++) {
		if (!f[i].len || !text_ok(&f[i], 1024))
			return bad(where, lineno, "an empty or bad frame",
			           NULL);
		l->frames[l->nr++] = f[i];
	}
	return 0;
}

int cdoc_collect_node_parse(struct cdoc_node_line *l, const char *s, size_t len,
                            const char *where, unsigned long lineno)
{
	struct cdoc_node_span f[CDOC_NODE_MAX_FIELDS + 6];
	size_t n;
	int e;

	memset(l, 0, offsetof(struct cdoc_node_line, names));
	memset(&l->profile, 0, sizeof(l->profile));
	l->weight = 0;
	n = split(s, len, f, CDOC_ARRAY_SIZE(f));
	if (n > CDOC_ARRAY_SIZE(f))
		return bad(where, lineno, "too many fields", NULL);
	if (f[0].len != 1)
		return bad(where, lineno, "no line kind (H, M, S or X)", NULL);
	l->kind = f[0].s[0];
	switch (l->kind) {
	case 'H':
		return parse_hello(l, f, n, where, lineno);
	case 'M':
		return parse_metrics(l, f, n, where, lineno);
	case 'S':
		return parse_sample(l, f, n, where, lineno);
	case 'X':
		if (n != 4)
			return bad(where, lineno, "X takes 3 fields", NULL);
		if ((e = parse_ids(l, &f[1], &f[2], &f[3])) < 0)
			return bad(where, lineno, "X with ", id_names[-e]);
		return 0;
	}
	return bad(where, lineno, "no line kind (H, M, S or X)", NULL);
}

/* ---- the source ---- */

/* How a metric of every loop adds up over the process tree. */
enum agg { AGG_SUM, AGG_MAX };
static const struct {
	const char *name;
	enum agg agg;
} known[] = {
        {"node_loop_delay_p50_ms", AGG_MAX},
        {"node_loop_delay_p99_ms", AGG_MAX},
        {"node_loop_delay_max_ms", AGG_MAX},
        {"node_loop_delay_mean_ms", AGG_MAX},
        {"node_loop_util_pct", AGG_MAX},
        {"node_loop_cpu_pct", AGG_MAX},
        {"node_loop_runq_pct", AGG_MAX},
        {"node_http_cpu_ms", AGG_MAX},
        {"node_http_latency_mean_ms", AGG_MAX},
        {"node_http_latency_max_ms", AGG_MAX},
        {"node_http_requests", AGG_SUM},
        {"node_heap_used_bytes", AGG_SUM},
        {"node_heap_total_bytes", AGG_SUM},
        {"node_heap_limit_bytes", AGG_SUM},
        {"node_external_bytes", AGG_SUM},
        {"node_array_buffers_bytes", AGG_SUM},
        {"node_gc_pause_ms", AGG_SUM},
        {"node_gc_count", AGG_SUM},
        {"node_gc_major_ms", AGG_SUM},
        {"node_gc_minor_ms", AGG_SUM},
        {"node_gc_incremental_ms", AGG_SUM},
        {"node_gc_weakcb_ms", AGG_SUM},
        {"node_handles", AGG_SUM},
        {"node_requests", AGG_SUM},
        {"node_timers", AGG_SUM},
        {"node_agent_dropped", AGG_SUM},
        {"node_async_pending", AGG_SUM},
        {"node_heap_sampling", AGG_MAX},
};
#define NR_KNOWN CDOC_ARRAY_SIZE(known)

/* One event loop: a process's main thread or a worker thread. */
struct loop {
	uint32_t pid, tid;
	uint64_t seen_ns;      /* its last metrics (recording time) */
	uint64_t heap_first_t; /* its first js_heap snapshot (agent time) */
	uint64_t heap_last_t;  /* its latest one */
	int heap_seen;         /* a snapshot came */
	double v[NR_KNOWN];
	unsigned char have[NR_KNOWN];
	uint32_t root; /* stack of its root frame (the process's name) */
};

/* One stack of a loop's JS heap: its bytes in the first snapshot and in
 * the latest one that had it. */
struct heap_stack {
	uint32_t loop, stack;
	uint64_t first, last, last_t;
};

struct node_src {
	struct cdoc_collector *c;
	char *agent;
	int async;
	int inlining; /* leave V8's inlining on */
	int rfd, wfd; /* the pipe: ours to read, the target's to write */
	int eof;
	unsigned long ino;
	char *buf;
	size_t len, skip; /* bytes held; skipping an over-long line */
	unsigned long lineno;
	struct loop *loops;
	size_t nr_loops, alloc_loops;
	struct heap_stack *heap; /* js_heap by (loop, stack) */
	size_t nr_heap, alloc_heap;
	struct cdoc_u64map heap_idx; /* loop << 32 | stack -> heap index */
	uint64_t lines, bad_lines, hellos;
	int noticed;
};

static int node_env(void *st, struct cdoc_collector *c, struct cdoc_env *env)
{
	struct node_src *s = st;
	const char *old = cdoc_env_get(env, "NODE_OPTIONS");
	struct cdoc_buf b = CDOC_BUF_INIT;
	char num[32];

	if (old && *old)
		cdoc_buf_addf(&b, "%s ", old);
	cdoc_buf_addstr(&b, "--require \"");
	for (const char *p = s->agent; *p; p++) {
		if (*p == '"' || *p == '\\')
			cdoc_buf_addch(&b, '\\');
		cdoc_buf_addch(&b, *p);
	}
	cdoc_buf_addch(&b, '"');
	cdoc_env_set(env, "NODE_OPTIONS", b.buf);
	cdoc_buf_release(&b);
	snprintf(num, sizeof(num), "%d", s->wfd);
	cdoc_env_set(env, "CDOC_NODE_FD", num);
	snprintf(num, sizeof(num), "%lu", s->ino);
	cdoc_env_set(env, "CDOC_NODE_ID", num);
	cdoc_env_set(env, "CDOC_NODE_ASYNC", s->async ? "1" : "0");
	cdoc_env_set(env, "CDOC_NODE_INLINING", s->inlining ? "1" : "0");
	return 0;
}

static int node_start(void *st, struct cdoc_collector *c)
{
	struct node_src *s = st;
	struct cdoc_rec_writer *w = cdoc_collect_writer(c);
	int ret;

	s->c = c;
	close(s->wfd); /* the target holds it now: EOF once all are gone */
	s->wfd = -1;
	ret = cdoc_rec_meta(w, "node_agent", s->agent);
	if (!ret)
		ret = cdoc_rec_meta(w, "node_async_waits",
		                    s->async ? "on" : "off");
	return ret;
}

static int node_fds(void *st, int *fds, int max)
{
	struct node_src *s = st;

	if (s->eof || s->rfd < 0 || max < 1)
		return 0;
	fds[0] = s->rfd;
	return 1;
}

static uint64_t rec_time(struct node_src *s, uint64_t t)
{
	uint64_t start = collect__start_ns(s->c);

	return t > start ? t - start : 0;
}

static struct loop *find_loop(struct node_src *s, uint32_t pid, uint32_t tid)
{
	struct cdoc_rec_writer *w = cdoc_collect_writer(s->c);
	struct loop *l;
	char *comm;

	for (size_t i = 0; i < s->nr_loops; i++)
		if (s->loops[i].pid == pid && s->loops[i].tid == tid)
			return &s->loops[i];
	if (s->nr_loops >= MAX_LOOPS)
		return NULL;
	CDOC_GROW(s->loops, s->nr_loops + 1, s->alloc_loops);
	l = &s->loops[s->nr_loops++];
	memset(l, 0, sizeof(*l));
	l->pid = pid;
	l->tid = tid;
	comm = collect__read_comm(pid, tid);
	l->root = cdoc_rec_stack(w, CDOC_REC_ROOT,
	                         cdoc_rec_str(w, comm ? comm : "node"));
	free(comm);
	return l;
}

static int known_index(const struct cdoc_node_span *n)
{
	for (size_t k = 0; k < NR_KNOWN; k++)
		if (strlen(known[k].name) == n->len &&
		    !memcmp(known[k].name, n->s, n->len))
			return (int)k;
	return -1;
}

/* The tree's values: each known metric over the loops heard from lately. */
static int write_aggregate(struct node_src *s, uint64_t t)
{
	const char *names[NR_KNOWN];
	double values[NR_KNOWN];
	size_t n = 0;

	for (size_t k = 0; k < NR_KNOWN; k++) {
		double v = 0;
		int any = 0;

		for (size_t i = 0; i < s->nr_loops; i++) {
			const struct loop *l = &s->loops[i];

			if (!l->have[k] || l->seen_ns + STALE_NS < t)
				continue;
			v = !any                      ? l->v[k]
			    : known[k].agg == AGG_MAX ? CDOC_MAX(v, l->v[k])
			                              : v + l->v[k];
			any = 1;
		}
		if (!any)
			continue;
		names[n] = known[k].name;
		values[n++] = v;
	}
	return n ? cdoc_rec_metrics(cdoc_collect_writer(s->c), t, names, values,
	                            n)
	         : 0;
}

/* One METRICS chunk for the loop (NAME[PID] or NAME[PID:TID]), then the
 * tree's. */
static int put_metrics(struct node_src *s, const struct cdoc_node_line *m)
{
	struct loop *l = find_loop(s, m->pid, m->tid);
	uint64_t t = rec_time(s, m->time_ns);
	char *names[CDOC_NODE_MAX_FIELDS];
	int ret;

	if (!l)
		return 0;
	l->seen_ns = t;
	for (size_t i = 0; i < m->nr; i++) {
		struct cdoc_buf b = CDOC_BUF_INIT;
		int k = known_index(&m->names[i]);

		cdoc_buf_add(&b, m->names[i].s, m->names[i].len);
		if (m->tid == m->pid)
			cdoc_buf_addf(&b, "[%u]", m->pid);
		else
			cdoc_buf_addf(&b, "[%u:%u]", m->pid, m->tid);
		names[i] = cdoc_buf_detach(&b, NULL);
		if (k >= 0) {
			l->v[k] = m->values[i];
			l->have[k] = 1;
		}
	}
	ret = cdoc_rec_metrics(cdoc_collect_writer(s->c), t,
	                       (const char *const *)names, m->values, m->nr);
	for (size_t i = 0; i < m->nr; i++)
		free(names[i]);
	return ret < 0 ? ret : write_aggregate(s, t);
}

/* Keep a js_heap sample for the growth profile written at the end. */
static void track_heap(struct node_src *s, struct loop *l, uint32_t stack,
                       const struct cdoc_node_line *m)
{
	uint32_t li = (uint32_t)(l - s->loops), i;
	uint64_t key = (uint64_t)li << 32 | stack;
	struct heap_stack *h;

	if (!l->heap_seen) {
		l->heap_seen = 1;
		l->heap_first_t = m->time_ns;
	}
	if (m->time_ns > l->heap_last_t)
		l->heap_last_t = m->time_ns;
	if (!cdoc_u64map_get(&s->heap_idx, key, &i)) {
		CDOC_GROW(s->heap, s->nr_heap + 1, s->alloc_heap);
		i = (uint32_t)s->nr_heap++;
		memset(&s->heap[i], 0, sizeof(s->heap[i]));
		s->heap[i].loop = li;
		s->heap[i].stack = stack;
		cdoc_u64map_put(&s->heap_idx, key, i);
	}
	h = &s->heap[i];
	if (m->time_ns == l->heap_first_t)
		h->first += m->weight;
	if (h->last_t != m->time_ns)
		h->last = 0;
	h->last += m->weight;
	h->last_t = m->time_ns;
}

/* SAMPLES js_heap_live (each loop's latest snapshot) and js_heap_growth
 * (what each stack holds more than in the loop's first snapshot). */
static int write_heap_end(struct node_src *s, struct cdoc_rec_writer *w)
{
	uint32_t live = cdoc_rec_str(w, "js_heap_live");
	uint32_t growth = cdoc_rec_str(w, "js_heap_growth");
	int ret = 0;

	for (size_t i = 0; i < s->nr_heap && !ret; i++) {
		const struct heap_stack *h = &s->heap[i];
		const struct loop *l = &s->loops[h->loop];
		uint64_t last = h->last_t == l->heap_last_t ? h->last : 0;

		if (last)
			ret = cdoc_rec_sample(w, live, l->pid, h->stack, last);
		if (!ret && last > h->first)
			ret = cdoc_rec_sample(w, growth, l->pid, h->stack,
			                      last - h->first);
	}
	return ret;
}

static int put_sample(struct node_src *s, const struct cdoc_node_line *m)
{
	struct cdoc_rec_writer *w = cdoc_collect_writer(s->c);
	struct loop *l = find_loop(s, m->pid, m->tid);
	uint32_t stack, prof;

	if (!l || !m->weight)
		return 0;
	stack = l->root;
	for (size_t i = 0; i < m->nr; i++)
		stack = cdoc_rec_stack(
		        w, stack,
		        cdoc_rec_string(w, m->frames[i].s, m->frames[i].len));
	if (m->profile.len == 7 && !memcmp(m->profile.s, "js_heap", 7))
		track_heap(s, l, stack, m);
	prof = cdoc_rec_string(w, m->profile.s, m->profile.len);
	return cdoc_rec_sample_at(w, prof, m->pid, m->tid,
	                          rec_time(s, m->time_ns), stack, m->weight);
}

static void malformed(struct node_src *s)
{
	s->bad_lines++;
	if (!s->noticed++)
		cdoc_collect_add_notice(s->c,
		                        "warning: %s (lines like it are "
		                        "counted and skipped)",
		                        cdoc_errmsg());
	cdoc_errclear();
}

static int take_line(struct node_src *s, const char *p, size_t len)
{
	struct cdoc_node_line l;

	s->lineno++;
	if (cdoc_collect_node_parse(&l, p, len, "node agent channel",
	                            s->lineno) < 0) {
		malformed(s);
		return 0;
	}
	s->lines++;
	if (l.kind == 'H') {
		s->hellos++;
		find_loop(s, l.pid, l.tid);
		return 0;
	}
	if (l.kind == 'M')
		return put_metrics(s, &l);
	if (l.kind == 'S')
		return put_sample(s, &l);
	return 0;
}

/* Whole lines out of the buffer; an over-long one is skipped. */
static int take_lines(struct node_src *s)
{
	size_t off = 0;
	int ret = 0;

	while (!ret && off < s->len) {
		char *nl = memchr(s->buf + off, '\n', s->len - off);

		if (!nl)
			break;
		if (s->skip)
			s->skip = 0;
		else
			ret = take_line(s, s->buf + off,
			                (size_t)(nl - (s->buf + off)));
		off = (size_t)(nl - s->buf) + 1;
	}
	memmove(s->buf, s->buf + off, s->len - off);
	s->len -= off;
	if (s->len >= LINE_MAX_BYTES) {
		cdoc_error(-CDOC_EFORMAT,
		           "node agent channel, line %lu: longer than %u bytes",
		           ++s->lineno, LINE_MAX_BYTES);
		malformed(s);
		s->len = 0;
		s->skip = 1;
	}
	return ret;
}

static int read_channel(struct node_src *s)
{
	int ret;

	for (;;) {
		ssize_t n = read(s->rfd, s->buf + s->len, READ_CHUNK);

		if (n == 0) {
			s->eof = 1;
			return take_lines(s);
		}
		if (n < 0)
			return errno == EAGAIN || errno == EINTR
			               ? 0
			               : cdoc_error(-errno,
			                            "node agent channel: %s",
			                            strerror(errno));
		s->len += (size_t)n;
		if ((ret = take_lines(s)) < 0)
			return ret;
	}
}

static int node_ready(void *st, struct cdoc_collector *c, int fd, short rev)
{
	return read_channel(st);
}

static int node_finish(void *st, struct cdoc_collector *c)
{
	struct node_src *s = st;
	struct cdoc_rec_writer *w = cdoc_collect_writer(c);
	uint64_t until = cdoc_now_ns() + 500000000ull;
	int ret = 0;

	/* What the agents wrote at exit is queued; a process still running
	 * (a child left behind) keeps the pipe open: wait 500 ms at most. */
	while (!ret && !s->eof && cdoc_now_ns() < until) {
		struct pollfd p = {.fd = s->rfd, .events = POLLIN};

		if (poll(&p, 1, 100) <= 0)
			break;
		ret = read_channel(s);
	}
	if (!ret)
		ret = write_heap_end(s, w);
	if (!ret)
		ret = cdoc_rec_counter(w, "node_agent_lines", s->lines);
	if (!ret)
		ret = cdoc_rec_counter(w, "node_agent_bad_lines", s->bad_lines);
	if (!ret)
		ret = cdoc_rec_counter(w, "node_agent_loops", s->nr_loops);
	return ret;
}

static void node_free(void *st)
{
	struct node_src *s = st;

	if (s->rfd >= 0)
		close(s->rfd);
	if (s->wfd >= 0)
		close(s->wfd);
	free(s->agent);
	free(s->buf);
	free(s->loops);
	free(s->heap);
	cdoc_u64map_release(&s->heap_idx);
	free(s);
}

static const struct cdoc_source_ops node_ops = {
        .name = "node",
        .env = node_env,
        .start = node_start,
        .fds = node_fds,
        .ready = node_ready,
        .finish = node_finish,
        .free = node_free,
};

static int make_pipe(struct node_src *s)
{
	int p[2];
	struct stat st;

	if (pipe2(p, O_CLOEXEC) < 0)
		return cdoc_error(-errno, "pipe: %s", strerror(errno));
	s->rfd = p[0];
	s->wfd = p[1];
	fcntl(s->rfd, F_SETFL, O_NONBLOCK);
	/* The target's end: inherited, and never blocking the target. */
	fcntl(s->wfd, F_SETFD, 0);
	fcntl(s->wfd, F_SETFL, O_NONBLOCK);
	fcntl(s->rfd, F_SETPIPE_SZ, PIPE_BYTES);
	if (fstat(s->rfd, &st) < 0)
		return cdoc_error(-errno, "pipe: %s", strerror(errno));
	s->ino = (unsigned long)st.st_ino;
	return 0;
}

int collect__node_add(struct cdoc_collector *c)
{
	const struct cdoc_collect_opts *o = &c->opts;
	struct node_src *s;
	char *agent;
	int ret;

	if (o->node_agent == CDOC_NODE_AGENT_OFF)
		return 0;
	agent = o->node_agent_path ? cdoc_strdup(o->node_agent_path)
	                           : cdoc_collect_find_node_agent();
	if (!agent || access(agent, R_OK) < 0) {
		cdoc_collect_add_notice(
		        c,
		        "warning: no Node.js agent (event loop, "
		        "GC, JS heap): not found at %s (set "
		        "CDOC_NODE_AGENT)",
		        agent ? agent : "../lib/cdoctor/");
		free(agent);
		return 0;
	}
	s = cdoc_calloc(1, sizeof(*s));
	s->rfd = s->wfd = -1;
	cdoc_u64map_init(&s->heap_idx);
	s->agent = agent;
	s->async = o->node_async;
	s->inlining = o->node_inlining;
	s->buf = cdoc_malloc(LINE_MAX_BYTES + READ_CHUNK);
	ret = make_pipe(s);
	if (ret < 0) {
		node_free(s);
		return ret;
	}
	return cdoc_collect_add(c, &node_ops, s);
}

char *cdoc_collect_find_node_agent(void)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	char exe[4096], *slash;
	ssize_t n;

	if (getenv("CDOC_NODE_AGENT"))
		return cdoc_strdup(getenv("CDOC_NODE_AGENT"));
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = 0;
	if ((slash = strrchr(exe, '/')))
		*slash = 0;
	cdoc_buf_addf(&b, "%s/../lib/cdoctor/cdoctor-agent.js", exe);
	return cdoc_buf_detach(&b, NULL);
}
