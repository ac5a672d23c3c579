/*
 * stream.c - decode the shim's stream (lib/alloc/stream.h) into the model.
 *
 * Strict: a bad magic, a length past the batch limit, an unknown tag, a
 * varint that runs off its batch or a stack id out of range fails with
 * -CDOC_EFORMAT and a message naming the input and the byte offset.
 */
#include <errno.h>
#include <string.h>

#include "heap/internal.h"

#define HDR sizeof(struct cdoc_astream_hdr)

/* struct rd - a cursor over one batch's records. */
struct rd {
	const unsigned char *p, *end, *start;
	const char *name;
	uint64_t base;   /* input offset of start */
	uint32_t tid;    /* the batch's thread */
	uint64_t tsc;    /* time stamp of the previous event */
	uint64_t ptr;    /* pointer of the previous event */
	int solo;        /* after a SOLO record */
	uint32_t nalloc; /* allocation records so far */
};

static int bad(const struct rd *r, const char *what)
{
	return cdoc_error(
	        -CDOC_EFORMAT, "%s: offset %llu: %s", r->name,
	        (unsigned long long)(r->base + (uint64_t)(r->p - r->start)),
	        what);
}

static inline int get_v(struct rd *r, uint64_t *out)
{
	size_t left = (size_t)(r->end - r->p);
	size_t n = cdoc_varint_get(r->p, left, out);

	if (__builtin_expect(!n, 0)) {
		r->p += left < CDOC_VARINT_MAX ? left : CDOC_VARINT_MAX;
		return bad(r, "truncated or overlong varint");
	}
	r->p += n;
	return 0;
}

static inline int get_vs(struct rd *r, uint64_t *v, int n)
{
	int i, ret;

	for (i = 0; i < n; i++)
		if ((ret = get_v(r, &v[i])) < 0)
			return ret;
	return 0;
}

static int id32(struct rd *r, uint64_t v, uint32_t *out)
{
	if (v == 0 || v >= HEAP_MAX_STACK_ID)
		return bad(r, "stack id out of range");
	*out = (uint32_t)v;
	return 0;
}

static int rec_stack(struct rd *r, struct hproc *p)
{
	uint64_t v[2] = {0, 0}, pcs[CDOC_ASTREAM_MAX_FRAMES];
	uint32_t id = 0;
	int ret;

	if ((ret = get_vs(r, v, 2)) < 0 || (ret = id32(r, v[0], &id)) < 0)
		return ret;
	if (v[1] > CDOC_ASTREAM_MAX_FRAMES)
		return bad(r, "too many frames in a stack");
	if ((ret = get_vs(r, pcs, (int)v[1])) < 0)
		return ret;
	if (heap__stack_def(p, id, pcs, (uint32_t)v[1]) < 0)
		return bad(r, "stack id far beyond the stacks defined");
	return 0;
}

static int rec_map(struct rd *r, struct hproc *p)
{
	uint64_t v[4];
	int ret;

	if ((ret = get_vs(r, v, 4)) < 0)
		return ret;
	if (v[3] > 4096 || v[3] > (uint64_t)(r->end - r->p))
		return bad(r, "mapping path runs past its batch");
	if (v[1] < v[0])
		return bad(r, "mapping ends before it starts");
	heap__map(p, v[0], v[1], v[2], (const char *)r->p, (size_t)v[3]);
	r->p += v[3];
	return 0;
}

/* Undo the zigzag deltas of a time stamp and of a pointer. */
static uint64_t tsc(struct rd *r, uint64_t z)
{
	r->tsc += (z >> 1) ^ -(z & 1);
	return r->tsc;
}

static uint64_t ptr(struct rd *r, uint64_t z)
{
	r->ptr += (z >> 1) ^ -(z & 1);
	return r->ptr;
}

/* The next allocation record's entry in h->pend (zeroed). */
static struct hpend *next_pend(struct cdoc_heap *h, struct rd *r)
{
	struct hpend *e;

	CDOC_GROW(h->pend, (size_t)r->nalloc + 1, h->alloc_pend);
	e = &h->pend[r->nalloc++];
	memset(e, 0, sizeof(*e));
	return e;
}

static int rec_freeb(struct cdoc_heap *h, struct rd *r, struct hproc *p)
{
	uint64_t v[2];
	int ret;

	if ((ret = get_vs(r, v, 2)) < 0)
		return ret;
	if (v[1] == 0 || v[1] > r->nalloc || !h->pend[r->nalloc - v[1]].count)
		return bad(r, "free of no allocation of its batch");
	tsc(r, v[0]);
	heap__free_b(h, p, &h->pend[r->nalloc - v[1]]);
	return 0;
}

static int rec_event(struct cdoc_heap *h, struct rd *r, struct hproc *p,
                     int tag, int fn)
{
	uint64_t v[4] = {0, 0, 0, 0}, at, t;
	struct hpend *e;
	uint32_t id = 0;
	int ret;

	if (fn >= CDOC_AFN_NR)
		return bad(r, "unknown allocation function");
	switch (tag) {
	case CDOC_AREC_ALLOC:
	case CDOC_AREC_ALLOCB:
		if ((ret = get_vs(r, v, 4)) < 0 ||
		    (ret = id32(r, v[3], &id)) < 0)
			return ret;
		if ((at = ptr(r, v[0])) == 0)
			return bad(r, "allocation at a null pointer");
		t = tsc(r, v[1]);
		e = next_pend(h, r);
		ret = tag == CDOC_AREC_ALLOCB
		              ? heap__alloc_b(h, p, fn, v[2], id, e)
		              : heap__alloc(h, p, fn, at, v[2], id, t);
		return ret < 0 ? bad(r,
		                     "stack id far beyond the stacks defined")
		               : 0;
	case CDOC_AREC_TEMP:
		if ((ret = get_vs(r, v, 2)) < 0 ||
		    (ret = id32(r, v[1], &id)) < 0)
			return ret;
		next_pend(h, r);
		if (heap__temp(h, p, fn, v[0], id) < 0)
			return bad(r, "stack id far beyond the stacks defined");
		return 0;
	case CDOC_AREC_FREEB:
		return rec_freeb(h, r, p);
	default: /* FREE, FREET */
		if ((ret = get_vs(r, v, 2)) < 0)
			return ret;
		if ((at = ptr(r, v[0])) == 0)
			return bad(r, "free of a null pointer");
		heap__free(h, p, at, tag == CDOC_AREC_FREET, tsc(r, v[1]),
		           r->solo);
		return 0;
	}
}

static int rec_hello(struct cdoc_heap *h, struct rd *r, struct hproc *p)
{
	uint64_t v[5];
	int ret;

	if ((ret = get_vs(r, v, 5)) < 0)
		return ret;
	if (v[1] >= HEAP_MAX_STACK_ID)
		return bad(r, "inherited stack ids out of range");
	heap__hello(h, p, v[0], (uint32_t)v[1], v[2], v[3], (uint32_t)v[4]);
	return 0;
}

static int record(struct cdoc_heap *h, struct rd *r, struct hproc *p)
{
	int c = *r->p++, tag = c & 0xf0, fn = c & 15;

	switch (tag) {
	case CDOC_AREC_ALLOC:
	case CDOC_AREC_FREE:
	case CDOC_AREC_TEMP:
	case CDOC_AREC_FREET:
	case CDOC_AREC_ALLOCB:
	case CDOC_AREC_FREEB:
		return rec_event(h, r, p, tag, fn);
	case CDOC_AREC_STACK:
		return rec_stack(r, p);
	case CDOC_AREC_MAP:
		return rec_map(r, p);
	case CDOC_AREC_HELLO:
		return rec_hello(h, r, p);
	case CDOC_AREC_COUNTERS:
		return get_vs(r, p->shim_counters, 4);
	case CDOC_AREC_EXIT:
		heap__exit(h, p);
		return 0;
	case CDOC_AREC_SOLO:
		r->solo = 1;
		return 0;
	case CDOC_AREC_FORK: {
		uint64_t child = 0;
		int ret = get_v(r, &child);

		if (ret == 0)
			heap__fork(h, p, child);
		return ret;
	}
	}
	r->p--;
	return bad(r, "unknown record tag");
}

static int batch(struct cdoc_heap *h, const struct cdoc_astream_hdr *hd,
                 struct rd *r)
{
	struct hproc *p;
	int ret;

	if (!h->started) {
		h->started = 1;
		h->t0 = hd->time_ns;
	}
	h->now = hd->time_ns > h->t0 ? hd->time_ns - h->t0 : 0;
	p = heap__proc(h, hd->instance, hd->pid);
	r->tid = hd->tid;
	r->tsc = 0;
	r->ptr = 0;
	r->solo = 0;
	r->nalloc = 0;
	while (r->p < r->end)
		if ((ret = record(h, r, p)) < 0)
			return ret;
	h->counters.batches++;
	h->counters.bytes += HDR + hd->len;
	return 0;
}

long cdoc_heap_feed(struct cdoc_heap *h, const void *data, size_t len,
                    const char *name, uint64_t base)
{
	const unsigned char *d = data;
	size_t off = 0;
	int ret;

	while (len - off >= HDR) {
		struct cdoc_astream_hdr hd;
		struct rd r = {.p = d + off,
		               .end = d + off,
		               .start = d,
		               .name = name,
		               .base = base};

		memcpy(&hd, d + off, HDR);
		if (hd.magic != CDOC_ASTREAM_MAGIC)
			return bad(&r, "not an allocation stream batch "
			               "(bad magic)");
		if (hd.len > CDOC_ASTREAM_BATCH_MAX - HDR)
			return bad(&r, "batch longer than the limit");
		if (len - off - HDR < hd.len)
			break;
		r.p = d + off + HDR;
		r.end = r.p + hd.len;
		if ((ret = batch(h, &hd, &r)) < 0)
			return ret;
		off += HDR + hd.len;
	}
	return (long)off;
}

int cdoc_heap_load_stream(struct cdoc_heap *h, const char *path)
{
	struct cdoc_input in;
	long n;
	int ret = cdoc_input_open(&in, path);

	if (ret < 0)
		return ret;
	n = cdoc_heap_feed(h, in.data, in.len, in.name, 0);
	if (n >= 0 && (size_t)n != in.len)
		n = cdoc_error(-CDOC_EFORMAT,
		               "%s: offset %ld: truncated batch (%zu bytes "
		               "left)",
		               in.name, n, in.len - (size_t)n);
	cdoc_input_release(&in);
	if (n < 0)
		return (int)n;
	cdoc_heap_finish(h);
	return 0;
}
