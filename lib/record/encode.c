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
