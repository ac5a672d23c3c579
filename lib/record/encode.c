/*
 * encode.c - the varint payload encoding of recording chunks.
 */
#include "record/record.h"

#include <string.h>

void cdoc_rec_put_u64(struct cdoc_buf *b, uint64_t v)
{
	cdoc_varint_put(b, v);
}

void cdoc_rec_put_f64(struct cdoc_buf *b, double v)
{
	unsigned char tmp[8];
	uint64_t u;
	int i;

	memcpy(&u, &v, 8);
	for (i = 0; i < 8; i++)
		tmp[i] = u >> (8 * i);
	cdoc_buf_add(b, tmp, 8);
}

void cdoc_rec_put_bytes(struct cdoc_buf *b, const void *p, size_t len)
{
	cdoc_rec_put_u64(b, len);
	cdoc_buf_add(b, p, len);
}

void cdoc_rec_dec_init(struct cdoc_rec_dec *d, const void *data, size_t len)
{
	d->start = d->p = data;
	d->end = d->p + len;
	d->err = NULL;
}

static void fail(struct cdoc_rec_dec *d, const char *what)
{
	if (!d->err)
		d->err = what;
	d->p = d->end;
}

uint64_t cdoc_rec_get_u64(struct cdoc_rec_dec *d)
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

double cdoc_rec_get_f64(struct cdoc_rec_dec *d)
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

const char *cdoc_rec_get_bytes(struct cdoc_rec_dec *d, size_t *len)
{
	uint64_t n = cdoc_rec_get_u64(d);
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
