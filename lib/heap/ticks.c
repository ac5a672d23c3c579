/*
 * ticks.c - the payload of EXT TICKS records (alloc/stream.h): a
 * thread's event-loop ticks as the shim counted them, decoded strictly
 * for the collector.
 */
#include <stddef.h>
#include <string.h>

#include "heap/internal.h"

struct tdec {
	const unsigned char *p, *end;
	int err;
};

static uint64_t get(struct tdec *d)
{
	uint64_t v = 0;
	size_t n;

	if (d->err)
		return 0;
	n = cdoc_varint_get(d->p, (size_t)(d->end - d->p), &v);
	if (!n) {
		d->err = 1;
		return 0;
	}
	d->p += n;
	return v;
}

static int fail(const char *what)
{
	return cdoc_error(-CDOC_EFORMAT, "ticks: %s", what);
}

static int decode_hist(struct tdec *d, struct cdoc_heap_ticks *t)
{
	uint64_t nb = get(d), sum = 0, i;

	if (!d->err && nb > CDOC_AEXT_TICK_BUCKETS)
		return fail("more histogram buckets than there are");
	for (i = 0; i < nb && !d->err; i++) {
		t->hist[i] = get(d);
		if (t->hist[i] > UINT64_MAX - sum)
			return fail("histogram counts overflow");
		sum += t->hist[i];
	}
	if (d->err)
		return fail("fields cut off by the end of the record");
	if (sum != t->nticks)
		return fail("histogram counts do not add up to the ticks");
	if (t->max_ns > t->busy_ns)
		return fail("the longest tick is longer than all together");
	return 0;
}

static int decode_longs(struct tdec *d, struct cdoc_heap_ticks *t)
{
	uint64_t n = get(d), i;

	if (!d->err && (n > t->nticks || n > (uint64_t)(d->end - d->p) / 2))
		return fail("more long ticks than ticks or bytes");
	for (i = 0; i < n && !d->err; i++) {
		uint64_t back = get(d), dur = get(d);

		if (d->err)
			break;
		if (back > t->end_ns || dur > back || dur > t->max_ns)
			return fail("a long tick that ends after the record "
			            "or is longer than the longest");
		t->longs[i].start_ns = t->end_ns - back;
		t->longs[i].dur_ns = dur;
		t->nr_longs++;
	}
	if (d->err)
		return fail("fields cut off by the end of the record");
	return 0;
}

int cdoc_heap_ticks_decode(const void *payload, size_t len,
                           struct cdoc_heap_ticks *out)
{
	struct tdec d = {payload, (const unsigned char *)payload + len, 0};
	int ret;

	memset(out, 0, offsetof(struct cdoc_heap_ticks, longs));
	out->end_ns = get(&d);
	out->waits = get(&d);
	out->nticks = get(&d);
	out->busy_ns = get(&d);
	out->wait_ns = get(&d);
	out->max_ns = get(&d);
	if ((ret = decode_hist(&d, out)) < 0 ||
	    (ret = decode_longs(&d, out)) < 0)
		return ret;
	return 0;
}
