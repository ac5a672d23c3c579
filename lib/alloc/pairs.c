/*
 * pairs.c - allocations held back in SOLO batches, and the pairs they
 * make when the same thread frees them before the batch is sent (see
 * struct shim_pend in internal.h and PAIRS in stream.h).
 *
 * Most allocations of ordinary code are freed soon by the thread that
 * made them: sent as an ALLOC and a FREE record each, they cost the
 * target two records to encode and the collector two to decode and
 * model. Held back, such a pair costs a table entry and one count;
 * the batch carries one PAIRS record per (stack, function, size class)
 * and ALLOC records for what is still live when it is sent.
 */
#include "alloc/internal.h"

#define PEND_N (1u << SHIM_PEND_BITS)
#define PAIR_N (1u << SHIM_PAIR_BITS)

void shim_put_alloc_rec(struct tstate *ts, int fn, uint64_t ptr, uint64_t t,
                        uint64_t size, uint32_t id)
{
	unsigned char *p = ts->buf + ts->len;

	*p++ = (unsigned char)(CDOC_AREC_ALLOC | fn);
	p = put_v(p, zigzag((int64_t)(ptr - ts->prev_ptr)));
	p = put_v(p, zigzag((int64_t)(t - ts->prev_tsc)));
	ts->tsc_before = ts->prev_tsc;
	ts->prev_tsc = t;
	ts->ptr_before = ts->prev_ptr;
	ts->prev_ptr = ptr;
	p = put_v(p, size);
	p = put_v(p, id);
	ts->len = (size_t)(p - ts->buf);
}

/* The held allocation @e is written as an ALLOC record now (the caller
 * made room). */
static void write_held(struct tstate *ts, struct shim_pend *e)
{
	shim_put_alloc_rec(ts, (int)e->fn, e->ptr, e->tsc, e->size, e->id);
	ts->held -= e->size;
	ts->npend--;
	e->ptr = 0;
}

void shim_write_pair(struct tstate *ts, struct shim_pair *c)
{
	unsigned char *p = ts->buf + ts->len;

	*p++ = (unsigned char)(CDOC_AREC_PAIRS | c->fn);
	p = put_v(p, c->id);
	p = put_v(p, c->bucket);
	p = put_v(p, c->count);
	p = put_v(p, c->bytes);
	p = put_v(p, c->temp);
	ts->len = (size_t)(p - ts->buf);
	ts->npair--;
	c->count = 0;
}

/*
 * Hold the allocation instead of writing it: 1 when held, 0 when the
 * caller must write it (a batch of several threads, mmap, no table, a
 * process exiting, or SHIM_HELD_MAX reached). Caller holds the lock.
 */
int shim_hold(struct tstate *ts, int fn, uint64_t ptr, uint64_t size,
              uint32_t id, uint64_t t)
{
	struct shim_pend *e;

	if (!ts->pend || fn == CDOC_AFN_MMAP || unlikely(shim.exiting) ||
	    size > SHIM_HELD_MAX - ts->held)
		return 0;
	/* room for the record of one it evicts; starts a batch (SOLO) */
	shim_reserve(ts, SHIM_REC_MAX);
	if (!ts->solo || !ts->pend)
		return 0;
	e = shim_pend_slot(ts, ptr);
	if (e->ptr)
		write_held(ts, e);
	shim_pend_hold(ts, e, ptr, t, size, id, fn);
	return 1;
}

/*
 * A free of @ptr: 1 when it was held (the pair is counted and nothing is
 * written), else 0. @temp: freed at once (no allocation in between).
 * Caller holds the lock, and has reserved SHIM_REC_MAX bytes (which
 * sends the batch when it is SOLO and a second thread started).
 */
int shim_pair_free(struct tstate *ts, uint64_t ptr, int temp)
{
	struct shim_pend *e;

	if (!ts->pend || !ts->npend)
		return 0;
	e = shim_pend_find(ts, ptr);
	if (!e)
		return 0;
	shim_pair_count(ts, e, temp);
	return 1;
}

/* Before a batch is sent, or a FORK or EXIT is written: its pair counts,
 * then its allocations still held, as records. */
void shim_release_held(struct tstate *ts)
{
	uint32_t i;

	ts->last_off = 0; /* the last record is no longer an ALLOC's */
	for (i = 0; ts->npair && i < PAIR_N; i++)
		if (ts->pairs[i].count) {
			shim_held_room(ts);
			shim_write_pair(ts, &ts->pairs[i]);
		}
	for (i = 0; ts->npend && i < PEND_N; i++)
		if (ts->pend[i].ptr) {
			shim_held_room(ts);
			write_held(ts, &ts->pend[i]);
		}
}
