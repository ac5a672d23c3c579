/*
 * ticks.c - event-loop ticks as the shim sends them (EXT TICKS, one
 * record per thread every 200 ms or so) gathered per thread (pid, tid)
 * and written as TICKS chunks at the shim source's flush, with times made
 * relative to the run's start.
 *
 * Which threads are loops is decided here: a thread's data is held back
 * until it has made TICKS_MIN_WAITS wait calls (counted by the shim over
 * the thread's life), then written with everything it held; a thread that
 * waits only a few times in the whole run is never written. Its ticks in
 * the meantime stay in one set, whose interval then spans from the
 * thread's first tick to the write.
 */
#include <string.h>

#include "collect/ticks.h"
#include "heap/heap.h"
#include "record/record.h"

/* struct tthread - one thread's ticks not written yet. */
struct tthread {
	uint32_t pid, tid;
	uint64_t waits;     /* wait calls of the thread (over execs) */
	uint64_t last_seen; /* the shim's count in its last record */
	struct cdoc_rec_tickset set;
	size_t alloc_longs;
};

struct ticks_src {
	uint64_t t0;
	struct tthread *v;
	size_t n, alloc;
	struct cdoc_u64map idx; /* pid << 32 | tid -> index + 1 */
	uint64_t total;
	struct cdoc_heap_ticks dec; /* the record being taken */
};

struct ticks_src *collect__ticks_new(uint64_t t0)
{
	struct ticks_src *t = cdoc_calloc(1, sizeof(*t));

	t->t0 = t0;
	cdoc_u64map_init(&t->idx);
	return t;
}

void collect__ticks_free(struct ticks_src *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++)
		free(t->v[i].set.longs);
	free(t->v);
	cdoc_u64map_release(&t->idx);
	free(t);
}

uint64_t collect__ticks_total(const struct ticks_src *t)
{
	return t ? t->total : 0;
}

static struct tthread *thread_of(struct ticks_src *t, uint32_t pid,
                                 uint32_t tid)
{
	uint64_t key = (uint64_t)pid << 32 | tid;
	struct tthread *th;
	uint32_t i;

	if (cdoc_u64map_get(&t->idx, key, &i))
		return &t->v[i - 1];
	CDOC_GROW(t->v, t->n + 1, t->alloc);
	th = &t->v[t->n++];
	memset(th, 0, sizeof(*th));
	th->pid = th->set.pid = pid;
	th->tid = th->set.tid = tid;
	cdoc_u64map_put(&t->idx, key, (uint32_t)t->n);
	return th;
}

/* CLOCK_MONOTONIC @ns as time since the run started (0 before it). */
static uint64_t rel(const struct ticks_src *t, uint64_t ns)
{
	return ns > t->t0 ? ns - t->t0 : 0;
}

static void add_longs(struct ticks_src *t, struct tthread *th)
{
	struct cdoc_rec_tickset *s = &th->set;
	size_t i;

	CDOC_GROW(s->longs, s->nr_longs + t->dec.nr_longs, th->alloc_longs);
	for (i = 0; i < t->dec.nr_longs; i++) {
		struct cdoc_rec_long_tick *l = &s->longs[s->nr_longs++];

		l->start_ns = rel(t, t->dec.longs[i].start_ns);
		/* a tick that started before the run: what is inside it */
		l->dur_ns = CDOC_MIN(t->dec.longs[i].dur_ns,
		                     rel(t, t->dec.end_ns) - l->start_ns);
	}
}

int collect__ticks_take(struct ticks_src *t, uint32_t pid, uint32_t tid,
                        const void *payload, size_t len)
{
	struct cdoc_heap_ticks *d = &t->dec;
	struct tthread *th;
	unsigned i;
	int ret = cdoc_heap_ticks_decode(payload, len, d);

	if (ret < 0)
		return ret;
	th = thread_of(t, pid, tid);
	if (d->waits < th->last_seen) /* a new image (exec): counts again */
		th->waits += d->waits;
	else
		th->waits += d->waits - th->last_seen;
	th->last_seen = d->waits;
	for (i = 0; i < CDOC_AEXT_TICK_BUCKETS && i < CDOC_TICK_BUCKETS; i++)
		th->set.hist[i] += d->hist[i];
	th->set.nticks += d->nticks;
	th->set.busy_ns += d->busy_ns;
	th->set.wait_ns += d->wait_ns;
	th->set.max_ns = CDOC_MAX(th->set.max_ns, d->max_ns);
	th->set.time_ns = CDOC_MAX(th->set.time_ns, rel(t, d->end_ns));
	add_longs(t, th);
	return 0;
}

int collect__ticks_write(struct ticks_src *t, struct cdoc_rec_writer *w)
{
	size_t i;
	int ret;

	for (i = 0; i < t->n; i++) {
		struct tthread *th = &t->v[i];
		struct cdoc_rec_tickset *s = &th->set;

		if (!s->nticks || th->waits < TICKS_MIN_WAITS)
			continue;
		if ((ret = cdoc_rec_ticks(w, s)) < 0)
			return ret;
		t->total += s->nticks;
		memset(s->hist, 0, sizeof(s->hist));
		s->nticks = s->busy_ns = s->wait_ns = s->max_ns = 0;
		s->nr_longs = 0;
	}
	return 0;
}
