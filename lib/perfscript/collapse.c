/*
 * collapse.c - the collapser: reads perf script text line by line (memchr
 * over the whole input, no per-line allocation), keeps the perl script's
 * per-sample state (process name, period, frames so far) and counts each
 * finished stack in a table.
 *
 * Large inputs are cut at blank lines (where a sample ends and the state
 * is empty again) and the pieces are parsed by worker threads, each with
 * its own table; the tables are merged at the end. The event kept by
 * default (the first one any header names) is found by a quick scan
 * before the workers start, so every worker applies the same filter.
 */
#include "perfscript/internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_WORKERS      8
#define BYTES_PER_WORKER (8u << 20)

/* The perl script's state between lines of one sample. */
struct sample {
	int have_pname;         /* a header was seen since the last blank */
	struct cdoc_buf pname;  /* the root frame: comm[-pid[/tid]] */
	int java;               /* pname begins with "java" */
	struct ps_count period; /* weight of the sample */
	struct cdoc_buf names;  /* frame names, one group per frame line */
	size_t *groups;         /* per group: end offset in ->names */
	size_t nr_groups, alloc_groups;
};

struct worker {
	const struct cdoc_perfscript *ps;
	const char *begin, *end; /* the lines to parse */
	struct sample st;
	struct ps_table table;
	struct cdoc_buf key; /* scratch for one stack string */
	uint64_t lines, samples, filtered, unrecognized;
	const char *first_unrecognized; /* start of that line, or NULL */
};

struct cdoc_perfscript {
	struct cdoc_perfscript_opts opts;
	char *event;         /* the event kept, NULL until known */
	int event_defaulted; /* ->event came from the input */
	int seen_line;       /* a header or frame line was seen */
	struct worker main;  /* state and table across inputs */
	char *first_unrecognized;
};

static void sample_clear(struct sample *st)
{
	st->have_pname = 0;
	st->names.len = 0;
	st->nr_groups = 0;
}

static void sample_release(struct sample *st)
{
	cdoc_buf_release(&st->pname);
	cdoc_buf_release(&st->names);
	free(st->groups);
	memset(st, 0, sizeof(*st));
}

static void worker_init(struct worker *w, const struct cdoc_perfscript *ps)
{
	memset(w, 0, sizeof(*w));
	w->ps = ps;
	cdoc_ps_table_init(&w->table);
}

static void worker_release(struct worker *w)
{
	sample_release(&w->st);
	cdoc_ps_table_release(&w->table);
	cdoc_buf_release(&w->key);
}

/* "comm", "comm-pid" or "comm-pid/tid", spaces made underscores. */
static void set_pname(struct worker *w, const struct ps_header *h)
{
	struct cdoc_buf *b = &w->st.pname;
	struct ps_span pid = h->pid, tid = h->tid;
	size_t i;

	if (!tid.s || (tid.len == 1 && tid.s[0] == '0')) {
		tid = pid;
		pid.s = "?";
		pid.len = 1;
	}
	b->len = 0;
	cdoc_buf_add(b, h->comm.s, h->comm.len);
	if (w->ps->opts.tid || w->ps->opts.pid) {
		cdoc_buf_addch(b, '-');
		cdoc_buf_add(b, pid.s, pid.len);
	}
	if (w->ps->opts.tid) {
		cdoc_buf_addch(b, '/');
		cdoc_buf_add(b, tid.s, tid.len);
	}
	for (i = 0; i < b->len; i++)
		if (b->buf[i] == ' ')
			b->buf[i] = '_';
	w->st.java = b->len >= 4 && !memcmp(b->buf, "java", 4);
}

static void on_header(struct worker *w, const struct ps_header *h)
{
	const char *ev = w->ps->event;

	if (h->has_event && ev &&
	    (strlen(ev) != h->event.len ||
	     memcmp(ev, h->event.s, h->event.len))) {
		w->filtered++;
		return;
	}
	cdoc_ps_count_parse(&w->st.period, h->period.s, h->period.len);
	set_pname(w, h);
	w->st.have_pname = 1;
}

static void on_frame(struct worker *w, const struct ps_frame *f)
{
	struct ps_namectx ctx = {&w->ps->opts, w->st.java};
	struct sample *st = &w->st;

	if (!st->have_pname)
		return;
	if (cdoc_ps_frame_names(&ctx, f, &st->names) > 0) {
		CDOC_GROW(st->groups, st->nr_groups + 1, st->alloc_groups);
		st->groups[st->nr_groups++] = st->names.len;
	}
}

/* A blank line: the stack is pname;outermost;...;innermost. */
static void on_blank(struct worker *w)
{
	struct sample *st = &w->st;
	struct cdoc_buf *k = &w->key;
	size_t i, from;

	if (!st->have_pname)
		return;
	k->len = 0;
	cdoc_buf_grow(k, st->pname.len + st->names.len + st->nr_groups + 1);
	memcpy(k->buf, st->pname.buf, st->pname.len);
	k->len = st->pname.len;
	for (i = st->nr_groups; i-- > 0;) {
		from = i ? st->groups[i - 1] : 0;
		k->buf[k->len++] = ';';
		memcpy(k->buf + k->len, st->names.buf + from,
		       st->groups[i] - from);
		k->len += st->groups[i] - from;
	}
	cdoc_ps_table_add(&w->table, k->buf, k->len, &st->period);
	w->samples++;
	sample_clear(st);
}

static void on_line(struct worker *w, const char *p, size_t len)
{
	struct ps_header h;
	struct ps_frame f;

	if (len == 0)
		on_blank(w);
	else if (p[0] == '#')
		return;
	else if (cdoc_ps_header(p, len, &h))
		on_header(w, &h);
	else if (cdoc_ps_frame(p, len, &f))
		on_frame(w, &f);
	else if (!w->unrecognized++)
		w->first_unrecognized = p;
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	const char *p = w->begin, *end = w->end, *nl;

	while (p < end) {
		nl = memchr(p, '\n', end - p);
		if (!nl)
			nl = end;
		on_line(w, p, nl - p);
		w->lines++;
		p = nl + 1;
	}
	return NULL;
}

/* A short printable excerpt of a line for messages. */
static void excerpt(char *dst, size_t size, const char *p, size_t len)
{
	size_t i, n = CDOC_MIN(len, size - 1);

	for (i = 0; i < n; i++)
		dst[i] = (p[i] >= 0x20 && p[i] < 0x7f) ? p[i] : '?';
	dst[n] = '\0';
}

static int not_perf_script(const struct cdoc_input *in, size_t line,
                           const char *p, size_t len)
{
	char ex[48];

	excerpt(ex, sizeof(ex), p, len);
	return cdoc_error(-CDOC_EFORMAT,
	                  "%s:%zu: not perf script output: expected a sample "
	                  "header (\"comm pid [cpu] time: period event:\") or "
	                  "a stack frame line, got \"%s%s\"",
	                  in->name, line, ex, len >= sizeof(ex) ? "..." : "");
}

static size_t line_of(const struct cdoc_input *in, const char *p)
{
	const char *q = in->data;
	size_t line = 1;

	while ((q = memchr(q, '\n', p - q)) != NULL) {
		line++;
		q++;
	}
	return line;
}

static int not_perf_data(const char *name, const char *data, size_t len)
{
	if (len >= 7 && !memcmp(data, "PERFILE", 7))
		return cdoc_error(-CDOC_EFORMAT,
		                  "%s:1: this is a perf.data file, not perf "
		                  "script text; convert it first: perf script "
		                  "-i FILE | cflame collapse",
		                  name);
	return 0;
}

/* While reading: a perf.data file is named as such, before its NULs. */
static int check_head(void *state, const char *name, const char *data,
                      size_t len, int at_end)
{
	int *done = state;

	if (*done || (len < 7 && !at_end))
		return 0;
	*done = 1;
	return not_perf_data(name, data, len);
}

int cdoc_perfscript_open(struct cdoc_input *in, const char *path)
{
	int done = 0;
	struct cdoc_input_spec spec = {check_head, &done, 0};

	return cdoc_input_open_as(in, path, &spec);
}

/* perf.data files and other binary data are not perf script text. */
static int check_binary(const struct cdoc_input *in)
{
	const char *nul;
	int ret = not_perf_data(in->name, in->data, in->len);

	if (ret < 0)
		return ret;
	nul = memchr(in->data, '\0', in->len);
	if (nul)
		return cdoc_error(-CDOC_EFORMAT,
		                  "%s:%zu: binary data (a NUL byte at offset "
		                  "%zu), not perf script text",
		                  in->name, line_of(in, nul),
		                  (size_t)(nul - in->data));
	return 0;
}

/*
 * Before the workers start: the input must begin like perf script
 * output, and the default event is the first one a header names.
 */
static int prescan(struct cdoc_perfscript *ps, const struct cdoc_input *in)
{
	const char *p = in->data, *end = p + in->len, *nl;
	struct ps_header h;
	struct ps_frame f;
	size_t line = 0;

	for (; p < end && (!ps->seen_line || !ps->event); p = nl + 1) {
		nl = memchr(p, '\n', end - p);
		if (!nl)
			nl = end;
		line++;
		if (nl == p || p[0] == '#')
			continue;
		if (cdoc_ps_header(p, nl - p, &h)) {
			ps->seen_line = 1;
			if (h.has_event && !ps->event) {
				ps->event =
				        cdoc_strndup(h.event.s, h.event.len);
				ps->event_defaulted = 1;
			}
		} else if (cdoc_ps_frame(p, nl - p, &f)) {
			ps->seen_line = 1;
		} else if (!ps->seen_line) {
			return not_perf_script(in, line, p, nl - p);
		}
	}
	return 0;
}

static int pick_workers(const struct cdoc_perfscript *ps, size_t len)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = ps->opts.threads;

	if (n == 0) {
		n = len / BYTES_PER_WORKER;
		if (cpus > 0 && n > (size_t)cpus)
			n = cpus;
	}
	return CDOC_MAX(CDOC_MIN(n, (size_t)MAX_WORKERS), (size_t)1);
}

/* Cut @in at blank lines into up to @n pieces; returns how many. */
static int plan_cuts(const struct cdoc_input *in, int n, const char **cuts)
{
	const char *end = in->data + in->len, *from, *q;
	int k, nr = 1;

	cuts[0] = in->data;
	for (k = 1; k < n; k++) {
		from = in->data + in->len / n * k;
		if (from < cuts[nr - 1])
			from = cuts[nr - 1];
		q = memmem(from, end - from, "\n\n", 2);
		if (!q)
			break;
		cuts[nr++] = q + 2;
	}
	cuts[nr] = end;
	return nr;
}

/* Fold worker @w (a later piece of @in) into the main worker. */
static void gather(struct cdoc_perfscript *ps, const struct cdoc_input *in,
                   struct worker *w)
{
	struct worker *m = &ps->main;

	if (w != m) {
		cdoc_ps_table_merge(&m->table, &w->table);
		m->lines += w->lines;
		m->samples += w->samples;
		m->filtered += w->filtered;
		m->unrecognized += w->unrecognized;
	}
	if (w->first_unrecognized && !ps->first_unrecognized) {
		struct cdoc_buf b = CDOC_BUF_INIT;

		cdoc_buf_addf(&b, "%s:%zu", in->name,
		              line_of(in, w->first_unrecognized));
		ps->first_unrecognized = cdoc_buf_detach(&b, NULL);
	}
	w->first_unrecognized = NULL;
}

/* Run workers on the pieces; the last piece's open sample carries on. */
static void run_pieces(struct cdoc_perfscript *ps, const struct cdoc_input *in,
                       const char **cuts, int nr)
{
	struct worker extra[MAX_WORKERS], *w;
	pthread_t tids[MAX_WORKERS];
	int started[MAX_WORKERS] = {0}, k;
	struct sample tmp;

	for (k = 1; k < nr; k++) {
		w = &extra[k];
		worker_init(w, ps);
		w->begin = cuts[k];
		w->end = cuts[k + 1];
		started[k] = !pthread_create(&tids[k], NULL, worker_run, w);
	}
	ps->main.begin = cuts[0];
	ps->main.end = cuts[1];
	worker_run(&ps->main);
	gather(ps, in, &ps->main);
	for (k = 1; k < nr; k++) {
		w = &extra[k];
		if (started[k])
			pthread_join(tids[k], NULL);
		else
			worker_run(w);
		gather(ps, in, w);
		if (k == nr - 1) {
			tmp = ps->main.st;
			ps->main.st = w->st;
			w->st = tmp;
		}
		worker_release(w);
	}
}

struct cdoc_perfscript *
cdoc_perfscript_new(const struct cdoc_perfscript_opts *opts)
{
	struct cdoc_perfscript *ps = cdoc_calloc(1, sizeof(*ps));

	ps->opts = *opts;
	if (opts->event_filter && *opts->event_filter)
		ps->event = cdoc_strdup(opts->event_filter);
	worker_init(&ps->main, ps);
	return ps;
}

int cdoc_perfscript_add(struct cdoc_perfscript *ps, const struct cdoc_input *in)
{
	const char *cuts[MAX_WORKERS + 1];
	int ret, nr;

	ret = check_binary(in);
	if (ret < 0)
		return ret;
	ret = prescan(ps, in);
	if (ret < 0)
		return ret;
	nr = plan_cuts(in, pick_workers(ps, in->len), cuts);
	run_pieces(ps, in, cuts, nr);
	return 0;
}

void cdoc_perfscript_write(const struct cdoc_perfscript *ps,
                           struct cdoc_buf *out)
{
	cdoc_ps_table_write(&ps->main.table, out);
}

void cdoc_perfscript_stats(const struct cdoc_perfscript *ps,
                           struct cdoc_perfscript_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->lines = ps->main.lines;
	st->samples = ps->main.samples;
	st->filtered = ps->main.filtered;
	st->unrecognized = ps->main.unrecognized;
	st->first_unrecognized = ps->first_unrecognized;
	st->event = ps->event;
	st->event_defaulted = ps->event_defaulted;
	st->stacks = ps->main.table.nr;
}

void cdoc_perfscript_free(struct cdoc_perfscript *ps)
{
	if (!ps)
		return;
	worker_release(&ps->main);
	free(ps->event);
	free(ps->first_unrecognized);
	free(ps);
}
