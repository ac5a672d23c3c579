/*
 * timed.c - TSAMPLES chunks: samples that keep their time and thread.
 *
 * Each entry is delta-coded against the previous entry of the same chunk
 * (the first against zero), so a sample costs about ten bytes: stack id,
 * time delta, pid delta, tid delta (signed deltas zigzag-coded) and
 * weight, all varints. docs/recording-format.md has the layout.
 */
#include "record/internal.h"

#include <string.h>

#define TSAMPLES_MAX (1u << 20) /* bytes of entries per chunk */

static uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

int record__flush_timed(struct cdoc_rec_writer *w)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	int ret;

	if (!w->tsamples_nr)
		return 0;
	cdoc_rec_put_u64(&b, w->tsamples_profile);
	cdoc_rec_put_u64(&b, w->tsamples_nr);
	cdoc_buf_add(&b, w->tsamples.buf, w->tsamples.len);
	ret = cdoc_rec_chunk(w, CDOC_REC_TSAMPLES, b.buf, b.len);
	cdoc_buf_release(&b);
	cdoc_buf_reset(&w->tsamples);
	w->tsamples_nr = 0;
	w->t_prev = 0;
	w->pid_prev = w->tid_prev = 0;
	return ret;
}

int cdoc_rec_sample_at(struct cdoc_rec_writer *w, uint32_t profile,
                       uint32_t pid, uint32_t tid, uint64_t time_ns,
                       uint32_t stack, uint64_t weight)
{
	int ret = 0;

	if (w->tsamples_nr &&
	    (w->tsamples_profile != profile || w->tsamples.len > TSAMPLES_MAX))
		ret = record__flush_timed(w);
	w->tsamples_profile = profile;
	w->tsamples_nr++;
	cdoc_rec_put_u64(&w->tsamples, stack);
	cdoc_rec_put_u64(&w->tsamples, zigzag((int64_t)(time_ns - w->t_prev)));
	cdoc_rec_put_u64(&w->tsamples,
	                 zigzag((int64_t)pid - (int64_t)w->pid_prev));
	cdoc_rec_put_u64(&w->tsamples,
	                 zigzag((int64_t)tid - (int64_t)w->tid_prev));
	cdoc_rec_put_u64(&w->tsamples, weight);
	w->t_prev = time_ns;
	w->pid_prev = pid;
	w->tid_prev = tid;
	return ret;
}

static int bad(const char *name, uint64_t offset, const char *what)
{
	return cdoc_error(
	        -CDOC_EFORMAT,
	        "%s: corrupt chunk (type %u) at byte %llu: expected %s", name,
	        CDOC_REC_TSAMPLES, (unsigned long long)offset, what);
}

/* Running state of one chunk's deltas. */
struct prev {
	uint64_t t;
	int64_t pid, tid;
};

static int read_one(struct cdoc_recording *r, struct cdoc_reader *d,
                    struct prev *pv, struct cdoc_rec_tsample *s,
                    uint64_t *stack)
{
	*stack = cdoc_reader_u64(d);
	pv->t += (uint64_t)unzigzag(cdoc_reader_u64(d));
	pv->pid += unzigzag(cdoc_reader_u64(d));
	pv->tid += unzigzag(cdoc_reader_u64(d));
	s->weight = cdoc_reader_u64(d);
	s->time_ns = pv->t;
	s->pid = (uint32_t)pv->pid;
	s->tid = (uint32_t)pv->tid;
	if (d->err)
		return -1;
	return *stack < r->nr_stacks && pv->pid >= 0 && pv->pid <= UINT32_MAX &&
	                       pv->tid >= 0 && pv->tid <= UINT32_MAX
	               ? 0
	               : -2;
}

int record__read_timed(struct cdoc_recording *r, const char *name,
                       uint64_t offset, struct cdoc_reader *d)
{
	uint64_t prof = cdoc_reader_u64(d), n = cdoc_reader_u64(d), i;
	struct cdoc_buf path = CDOC_BUF_INIT;
	struct cdoc_rec_profile *p;
	struct prev pv = {0, 0, 0};
	int ret = 0;

	if (d->err || prof >= r->nr_strs || n > (uint64_t)(d->end - d->p))
		return bad(name, offset, "a profile name and sample count");
	p = record__get_profile(r, r->strs[prof]);
	for (i = 0; i < n && !ret; i++) {
		struct cdoc_rec_tsample s;
		uint64_t stack;

		ret = read_one(r, d, &pv, &s, &stack);
		if (ret == -1)
			ret = bad(name, offset, d->err);
		else if (ret)
			ret = bad(name, offset,
			          "a defined stack id and thread");
		if (ret)
			break;
		s.profile = (uint32_t)(p - r->profiles);
		s.node = record__node_of(r, p, (uint32_t)stack, &path);
		cdoc_profile_add(&p->prof, s.node, 0, s.weight);
		CDOC_GROW(r->tsamples, r->nr_tsamples + 1, r->alloc_tsamples);
		r->tsamples[r->nr_tsamples++] = s;
	}
	cdoc_buf_release(&path);
	return ret;
}

int cdoc_recording_profile_index(const struct cdoc_recording *r,
                                 const char *name)
{
	size_t i;

	for (i = 0; i < r->nr_profiles; i++)
		if (!strcmp(r->profiles[i].name, name))
			return (int)i;
	return -1;
}
