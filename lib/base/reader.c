/*
 * reader.c - struct cdoc_reader: bounds-checked decoding of varints, floats
 * and length-prefixed strings from one buffer. The first failure is kept
 * in ->err; every later read returns 0.
 */
#include "base/base.h"

#include <string.h>

void cdoc_reader_init(struct cdoc_reader *d, const void *data, size_t len)
{
	d->start = d->p = data;
	d->end = d->p + len;
	d->err = NULL;
}

static void fail(struct cdoc_reader *d, const char *what)
{
	if (!d->err)
		d->err = what;
	d->p = d->end;
}

uint64_t cdoc_reader_u64(struct cdoc_reader *d)
{
	uint64_t v;
	size_t left = (size_t)(d->end - d->p);
	size_t n = cdoc_varint_get(d->p, left, &v);

	if (n) {
		d->p += n;
		return v;
	}
	fail(d, left < CDOC_VARINT_MAX ? "a number, found the end of the chunk"
	                               : "a number of at most 10 bytes");
	return 0;
}

double cdoc_reader_f64(struct cdoc_reader *d)
{
	uint64_t u = 0;
	double v;
	int i;

	if (d->end - d->p < 8) {
		fail(d, "an 8-byte float, found the end of the chunk");
		return 0;
	}
	for (i = 0; i < 8; i++)
		u |= (uint64_t)d->p[i] << (8 * i);
	d->p += 8;
	memcpy(&v, &u, 8);
	return v;
}

const char *cdoc_reader_bytes(struct cdoc_reader *d, size_t *len)
{
	uint64_t n = cdoc_reader_u64(d);
	const char *s = (const char *)d->p;

	*len = 0;
	if (d->err)
		return "";
	if (n > (uint64_t)(d->end - d->p)) {
		fail(d, "a string within the chunk");
		return "";
	}
	d->p += n;
	*len = n;
	return s;
}
