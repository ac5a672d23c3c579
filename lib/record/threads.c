/*
 * threads.c - THREADS chunks: scheduler evidence per thread of the
 * process tree at one metrics sample.
 *
 * Payload: the sample's time (ns since the run started), the number of
 * threads, then per thread: pid, tid, name (string id), on-CPU ns,
 * run-queue wait ns, timeslices (the three fields of schedstat), the
 * voluntary and involuntary context switches (all cumulative) and the
 * state letter, all varints. docs/recording-format.md has the layout.
 */
#include "record/internal.h"

#include <stdlib.h>
#include <string.h>

int cdoc_rec_threadstats(struct cdoc_rec_writer *w,
                         const struct cdoc_rec_threadstats *s)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	size_t i;
	int ret;

	cdoc_rec_put_u64(&b, s->time_ns);
	cdoc_rec_put_u64(&b, s->n);
	for (i = 0; i < s->n; i++) {
		const struct cdoc_rec_threadstat *t = &s->t[i];

		cdoc_rec_put_u64(&b, t->pid);
		cdoc_rec_put_u64(&b, t->tid);
		cdoc_rec_put_u64(&b, cdoc_rec_str(w, t->name ? t->name : ""));
		cdoc_rec_put_u64(&b, t->on_cpu_ns);
		cdoc_rec_put_u64(&b, t->runq_ns);
		cdoc_rec_put_u64(&b, t->timeslices);
		cdoc_rec_put_u64(&b, t->vol);
		cdoc_rec_put_u64(&b, t->invol);
		cdoc_rec_put_u64(&b, (unsigned char)t->state);
	}
	ret = cdoc_rec_chunk(w, CDOC_REC_THREADS, b.buf, b.len);
	cdoc_buf_release(&b);
	return ret;
}

static int bad(const char *name, uint64_t offset, const char *what)
{
	return cdoc_error(
	        -CDOC_EFORMAT,
	        "%s: corrupt chunk (type %u) at byte %llu: expected %s", name,
	        CDOC_REC_THREADS, (unsigned long long)offset, what);
}

/* One entry into @t; 0, -1 (d->err) or -2 (a value out of range). */
static int read_one(const struct cdoc_recording *r, struct cdoc_reader *d,
                    struct cdoc_rec_threadstat *t)
{
	uint64_t pid = cdoc_reader_u64(d), tid = cdoc_reader_u64(d);
	uint64_t name = cdoc_reader_u64(d), state;

	t->on_cpu_ns = cdoc_reader_u64(d);
	t->runq_ns = cdoc_reader_u64(d);
	t->timeslices = cdoc_reader_u64(d);
	t->vol = cdoc_reader_u64(d);
	t->invol = cdoc_reader_u64(d);
	state = cdoc_reader_u64(d);
	if (d->err)
		return -1;
	if (pid > UINT32_MAX || tid > UINT32_MAX || name >= r->nr_strs ||
	    state > 127)
		return -2;
	t->pid = (uint32_t)pid;
	t->tid = (uint32_t)tid;
	t->name = r->strs[name];
	t->state = (char)state;
	return 0;
}

int record__read_threads(struct cdoc_recording *r, const char *name,
                         uint64_t offset, struct cdoc_reader *d)
{
	uint64_t time_ns = cdoc_reader_u64(d), n = cdoc_reader_u64(d), i;
	struct cdoc_rec_threadstats *s;
	int ret;

	/* an entry takes at least 9 bytes */
	if (d->err || n > (uint64_t)(d->end - d->p) / 9)
		return bad(name, offset, "a time and a thread count");
	CDOC_GROW(r->threadstats, r->nr_threadstats + 1, r->alloc_threadstats);
	s = &r->threadstats[r->nr_threadstats++];
	s->time_ns = time_ns;
	s->n = 0;
	s->t = cdoc_calloc(n ? n : 1, sizeof(*s->t));
	for (i = 0; i < n; i++) {
		ret = read_one(r, d, &s->t[i]);
		if (ret == -1)
			return bad(name, offset, d->err);
		if (ret)
			return bad(name, offset,
			           "a pid and tid below 2^32, a defined name "
			           "and a state letter");
		s->n++;
	}
	return 0;
}
