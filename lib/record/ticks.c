/*
 * ticks.c - TICKS chunks: event-loop ticks of one thread over one
 * interval (a histogram of tick durations, totals, and the long ticks
 * with their times). docs/recording-format.md has the layout.
 */
#include "record/internal.h"

#include <string.h>

unsigned cdoc_rec_tick_bucket(uint64_t ns)
{
	uint64_t us = ns / 1000;
	unsigned b;

	if (us < 2)
		return 0;
	b = 63 - (unsigned)__builtin_clzll(us);
	return b < CDOC_TICK_BUCKETS ? b : CDOC_TICK_BUCKETS - 1;
}

int cdoc_rec_ticks(struct cdoc_rec_writer *w, const struct cdoc_rec_tickset *t)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	unsigned nb = CDOC_TICK_BUCKETS, i;
	size_t j;
	int ret;

	while (nb && !t->hist[nb - 1])
		nb--;
	cdoc_rec_put_u64(&b, t->pid);
	cdoc_rec_put_u64(&b, t->tid);
	cdoc_rec_put_u64(&b, t->time_ns);
	cdoc_rec_put_u64(&b, t->nticks);
	cdoc_rec_put_u64(&b, t->busy_ns);
	cdoc_rec_put_u64(&b, t->wait_ns);
	cdoc_rec_put_u64(&b, t->max_ns);
	cdoc_rec_put_u64(&b, nb);
	for (i = 0; i < nb; i++)
		cdoc_rec_put_u64(&b, t->hist[i]);
	cdoc_rec_put_u64(&b, t->nr_longs);
	for (j = 0; j < t->nr_longs; j++) {
		cdoc_rec_put_u64(&b, t->longs[j].start_ns);
		cdoc_rec_put_u64(&b, t->longs[j].dur_ns);
	}
	ret = cdoc_rec_chunk(w, CDOC_REC_TICKS, b.buf, b.len);
	cdoc_buf_release(&b);
	return ret;
}

static int bad(const char *name, uint64_t offset, const char *what)
{
	return cdoc_error(
	        -CDOC_EFORMAT,
	        "%s: corrupt chunk (type %u) at byte %llu: expected %s", name,
	        CDOC_REC_TICKS, (unsigned long long)offset, what);
}

/* The fixed fields and the histogram; NULL when they decode, else what
 * was expected. */
static const char *read_head(struct cdoc_reader *d, struct cdoc_rec_tickset *t)
{
	uint64_t pid = cdoc_reader_u64(d), tid = cdoc_reader_u64(d), nb,
	         sum = 0;
	unsigned i;

	t->time_ns = cdoc_reader_u64(d);
	t->nticks = cdoc_reader_u64(d);
	t->busy_ns = cdoc_reader_u64(d);
	t->wait_ns = cdoc_reader_u64(d);
	t->max_ns = cdoc_reader_u64(d);
	nb = cdoc_reader_u64(d);
	if (d->err)
		return d->err;
	if (pid > UINT32_MAX || tid > UINT32_MAX)
		return "a pid and tid below 2^32";
	if (nb > CDOC_TICK_BUCKETS)
		return "at most 24 histogram buckets";
	t->pid = (uint32_t)pid;
	t->tid = (uint32_t)tid;
	for (i = 0; i < nb; i++) {
		t->hist[i] = cdoc_reader_u64(d);
		if (t->hist[i] > UINT64_MAX - sum)
			return "histogram counts that sum to the tick count";
		sum += t->hist[i];
	}
	if (d->err)
		return d->err;
	if (sum != t->nticks)
		return "histogram counts that sum to the tick count";
	if (t->max_ns > t->busy_ns || (t->nticks && !t->max_ns && t->busy_ns))
		return "a longest tick within the busy time";
	return NULL;
}

static const char *read_longs(struct cdoc_reader *d, struct cdoc_rec_tickset *t)
{
	uint64_t n = cdoc_reader_u64(d), i;

	if (d->err)
		return d->err;
	if (n > t->nticks || n > (uint64_t)(d->end - d->p) / 2)
		return "a long-tick count within the ticks and the payload";
	t->longs = cdoc_calloc(n ? n : 1, sizeof(*t->longs));
	for (i = 0; i < n; i++) {
		struct cdoc_rec_long_tick *l = &t->longs[i];

		l->start_ns = cdoc_reader_u64(d);
		l->dur_ns = cdoc_reader_u64(d);
		if (d->err)
			return d->err;
		if (l->dur_ns > t->max_ns || l->start_ns > t->time_ns ||
		    l->dur_ns > t->time_ns - l->start_ns)
			return "long ticks that end in their interval and "
			       "last no longer than its longest tick";
		t->nr_longs++;
	}
	return NULL;
}

int record__read_ticks(struct cdoc_recording *r, const char *name,
                       uint64_t offset, struct cdoc_reader *d)
{
	struct cdoc_rec_tickset t;
	const char *err;

	memset(&t, 0, sizeof(t));
	err = read_head(d, &t);
	if (!err)
		err = read_longs(d, &t);
	if (err) {
		free(t.longs);
		return bad(name, offset, err);
	}
	CDOC_GROW(r->ticksets, r->nr_ticksets + 1, r->alloc_ticksets);
	r->ticksets[r->nr_ticksets++] = t;
	return 0;
}

void record__release_ticks(struct cdoc_recording *r)
{
	size_t i;

	for (i = 0; i < r->nr_ticksets; i++)
		free(r->ticksets[i].longs);
	free(r->ticksets);
}
