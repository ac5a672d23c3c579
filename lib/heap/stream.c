/*
 * stream.c - decode the shim's stream (lib/alloc/stream.h) into the model.
 *
 * Strict: a bad magic, an empty batch or one past the length limit, an
 * unknown tag, a varint that runs off its batch or a stack id out of range
 * fails with -CDOC_EFORMAT and a message naming the input and the byte
 * offset. What a few bytes can make the model allocate without bound
 * (stack tables sized by an id, copies of a heap at each fork) is spent
 * from a budget in proportion to the bytes fed. A new process instance is
 * not: its few KiB are a fixed cost that a fork-heavy program (thousands
 * of short-lived children, a few bytes of stream each) needs.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "heap/internal.h"

#define HDR sizeof(struct cdoc_astream_hdr)

/* struct rd - a cursor over one batch's records. */
struct rd {
	const unsigned char *p, *end, *start;
	const char *name;
	uint64_t base;                     /* input offset of start */
	const struct cdoc_astream_hdr *hd; /* the batch's header */
	uint32_t tid;                      /* the batch's thread */
	uint64_t tsc;    /* time stamp of the previous event */
	uint64_t ptr;    /* pointer of the previous event */
	int solo;        /* after a SOLO record */
	uint32_t nalloc; /* allocation records so far */
	uint64_t fed;    /* stream bytes up to the end of this batch */
};

/* Memory a stream's definitions may cost per stream byte (see afford()). */
#define BUDGET_RATIO 32

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

/* @n varints without a bound check per byte: the caller made sure that
 * @n longest varints fit. 0, or -1 at an overlong one (nothing taken). */
static inline int get_vs_fast(struct rd *r, uint64_t *v, int n)
{
	const unsigned char *p = r->p;
	int i;

	for (i = 0; i < n; i++) {
		uint64_t x = *p++;
		unsigned shift = 7;

		if (__builtin_expect(x >= 0x80, 0)) {
			unsigned c;

			x &= 0x7f;
			do {
				c = *p++;
				x |= (uint64_t)(c & 0x7f) << shift;
				shift += 7;
			} while ((c & 0x80) && shift < 7 * CDOC_VARINT_MAX);
			if (c & 0x80)
				return -1;
		}
		v[i] = x;
	}
	r->p = p;
	return 0;
}

/* @n varints into @v; decoded as cdoc_varint_get() does, with its errors. */
static inline int get_vs(struct rd *r, uint64_t *v, int n)
{
	int i, ret;

	if (__builtin_expect(r->end - r->p >= (ptrdiff_t)n * CDOC_VARINT_MAX,
	                     1) &&
	    get_vs_fast(r, v, n) == 0)
		return 0;
	for (i = 0; i < n; i++)
		if ((ret = get_v(r, &v[i])) < 0)
			return ret;
	return 0;
}

/*
 * Spend @bytes from the budget: CDOC_BUDGET_BASE plus BUDGET_RATIO per
 * stream byte fed so far, this batch included.
 */
static int afford(struct cdoc_heap *h, const struct rd *r, uint64_t bytes)
{
	struct cdoc_budget b;

	cdoc_budget_init(&b, r->fed, BUDGET_RATIO);
	b.spent = h->spent;
	if (!cdoc_budget_spend(&b, bytes))
		return bad(r, "more memory than a stream of this size can "
		              "need (stack tables or fork copies out of "
		              "proportion to its bytes)");
	h->spent = b.spent;
	return 0;
}

/* Stack id @v of @p, and the growth of @p's tables it may cause. */
static int id32(struct cdoc_heap *h, struct rd *r, const struct hproc *p,
                uint64_t v, uint32_t *out)
{
	size_t n;

	if (v == 0 || v >= HEAP_MAX_STACK_ID)
		return bad(r, "stack id out of range");
	/* Ids far ahead are the model's to reject (heap__stack_def()). */
	if (v >= p->nr_sites &&
	    v <= p->inherit_below + 2 * p->nr_defined + HEAP_STACK_ID_AHEAD) {
		n = CDOC_MAX((size_t)v + 1, p->nr_sites * 2) - p->nr_sites;
		if (afford(h, r,
		           n * (sizeof(struct hsite) + sizeof(struct hstack))))
			return -CDOC_EFORMAT;
	}
	*out = (uint32_t)v;
	return 0;
}

static int rec_stack(struct cdoc_heap *h, struct rd *r, struct hproc *p)
{
	uint64_t v[2] = {0, 0}, pcs[CDOC_ASTREAM_MAX_FRAMES];
	uint32_t id = 0;
	int ret;

	if ((ret = get_vs(r, v, 2)) < 0 || (ret = id32(h, r, p, v[0], &id)) < 0)
		return ret;
	if (v[1] > CDOC_ASTREAM_MAX_FRAMES)
		return bad(r, "too many frames in a stack");
	if ((ret = afford(h, r, 32 + v[1] * sizeof(uint64_t))) < 0)
		return ret;
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

/* The next allocation record's entry in h->pend (count 0: not live). */
static inline struct hpend *next_pend(struct cdoc_heap *h, struct rd *r)
{
	struct hpend *e;

	if (__builtin_expect(r->nalloc >= h->alloc_pend, 0))
		CDOC_GROW(h->pend, (size_t)r->nalloc + 1, h->alloc_pend);
	e = &h->pend[r->nalloc++];
	e->count = 0;
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

/* Whether @bytes is @count sizes of class @cls (stream.h). */
static int class_holds(unsigned cls, uint64_t count, uint64_t bytes)
{
	uint64_t lo = cls ? 1ull << (cls - 1) : 0;
	uint64_t hi = cls == 0 ? 0 : cls >= 63 ? UINT64_MAX : (1ull << cls) - 1;
	uint64_t each = bytes / count;

	/* the mean of sizes in [lo, hi] is in it, and so is its floor */
	return each >= lo && each <= hi && (cls || bytes == 0);
}

static int rec_pairs(struct cdoc_heap *h, struct rd *r, struct hproc *p, int fn)
{
	uint64_t v[5];
	uint32_t id = 0;
	int ret;

	if (fn >= CDOC_AFN_NR || fn == CDOC_AFN_FREE || fn == CDOC_AFN_MUNMAP)
		return bad(r, "pairs of no allocation function");
	if ((ret = get_vs(r, v, 5)) < 0 || (ret = id32(h, r, p, v[0], &id)) < 0)
		return ret;
	if (p->sample_rate)
		return bad(r, "pairs record in a sampled stream");
	if (v[1] > 63 || v[2] == 0 || v[2] > UINT32_MAX || v[4] > v[2] ||
	    !class_holds((unsigned)v[1], v[2], v[3]))
		return bad(r, "pairs record with counts that do not add up");
	if (heap__pairs(h, p, fn, id, (unsigned)v[1], (uint32_t)v[2], v[3],
	                (uint32_t)v[4]) < 0)
		return bad(r, "stack id far beyond the stacks defined");
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
		    (ret = id32(h, r, p, v[3], &id)) < 0)
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
		    (ret = id32(h, r, p, v[1], &id)) < 0)
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

/*
 * A fork copies what is live here into the child. The copy counts at
 * 1/FORK_DISCOUNT: a server that forks many workers after building a
 * large heap is valid and needs those copies, while the budget still
 * bounds FORK records repeated to copy one heap without end.
 */
#define FORK_DISCOUNT 32

static int rec_fork(struct cdoc_heap *h, struct rd *r, struct hproc *p)
{
	uint64_t child = 0;
	int ret = get_v(r, &child);

	if (ret == 0)
		ret = afford(h, r,
		             p->live.nr * 2 * sizeof(struct lent) /
		                     FORK_DISCOUNT);
	if (ret == 0)
		heap__fork(h, p, child);
	return ret;
}

void cdoc_heap_set_ext(struct cdoc_heap *h, cdoc_heap_ext_fn fn, void *arg)
{
	h->ext_fn = fn;
	h->ext_arg = arg;
}

/* An EXT record: handed to the registered callback, else skipped. */
static int rec_ext(struct cdoc_heap *h, struct rd *r)
{
	const unsigned char *at = r->p - 1;
	uint64_t v[2];
	char msg[256];
	int ret;

	if ((ret = get_vs(r, v, 2)) < 0)
		return ret;
	if (v[1] > CDOC_AEXT_MAX || v[1] > (uint64_t)(r->end - r->p))
		return bad(r, "extension record runs past its batch");
	r->p += v[1];
	if (!h->ext_fn || v[0] > UINT32_MAX)
		return 0;
	ret = h->ext_fn(h->ext_arg, r->hd->pid, r->hd->tid, r->hd->instance,
	                r->hd->time_ns, (uint32_t)v[0], r->p - v[1],
	                (size_t)v[1]);
	if (ret >= 0)
		return 0;
	snprintf(msg, sizeof(msg), "extension record of kind %llu: %s",
	         (unsigned long long)v[0], cdoc_errmsg());
	r->p = at;
	return bad(r, msg);
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
		return rec_stack(h, r, p);
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
	case CDOC_AREC_FORK:
		return rec_fork(h, r, p);
	case CDOC_AREC_EXT:
		if (fn)
			break;
		return rec_ext(h, r);
	case CDOC_AREC_PAIRS:
		return rec_pairs(h, r, p, fn);
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
	r->hd = hd;
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

/* A batch header as the shim writes them (@r is at it, for messages). */
static int check_hdr(const struct rd *r, const struct cdoc_astream_hdr *hd)
{
	if (hd->magic != CDOC_ASTREAM_MAGIC)
		return bad(r, "not an allocation stream batch (bad magic)");
	if (hd->len > CDOC_ASTREAM_BATCH_MAX - HDR)
		return bad(r, "batch longer than the limit");
	if (!hd->len)
		return bad(r, "an empty batch (the shim never sends one)");
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
		if ((ret = check_hdr(&r, &hd)) < 0)
			return ret;
		if (len - off - HDR < hd.len)
			break;
		r.p = d + off + HDR;
		r.end = r.p + hd.len;
		r.fed = h->counters.bytes + HDR + hd.len;
		if ((ret = batch(h, &hd, &r)) < 0)
			return ret;
		off += HDR + hd.len;
	}
	return (long)off;
}

/* While a dump is read: each batch header, as soon as it arrives. */
static int scan_input(void *state, const char *name, const char *data,
                      size_t len, int at_end)
{
	uint64_t *next = state;
	struct rd r = {.start = (const unsigned char *)data, .name = name};
	struct cdoc_astream_hdr hd;
	int ret;

	if (at_end && !len)
		return cdoc_error(-CDOC_EFORMAT,
		                  "%s: empty file: no heap snapshot, recording "
		                  "or allocation stream in it",
		                  name);
	while (*next <= len && len - *next >= HDR) {
		r.p = r.start + *next;
		memcpy(&hd, r.p, HDR);
		if ((ret = check_hdr(&r, &hd)) < 0)
			return ret;
		*next += HDR + hd.len;
	}
	return 0;
}

int cdoc_heap_load_stream(struct cdoc_heap *h, const char *path)
{
	uint64_t next = 0;
	struct cdoc_input_spec spec = {scan_input, &next, 1};
	struct cdoc_input in;
	long n;
	int ret = cdoc_input_open_as(&in, path, &spec);

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
