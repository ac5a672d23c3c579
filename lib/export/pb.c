/*
 * pb.c - the protobuf encoding pprof needs (varint and length-delimited
 * fields), and gzip. A general protobuf library would add a generated
 * schema and a dependency for four functions.
 */
#include "export/internal.h"

#include <errno.h>
#include <zlib.h>

static void key(struct cdoc_buf *b, uint32_t field, int wire)
{
	cdoc_rec_put_u64(b, (uint64_t)field << 3 | (uint64_t)wire);
}

void export__pb_u64(struct cdoc_buf *b, uint32_t field, uint64_t v)
{
	if (!v)
		return; /* proto3: zero is the default and is not written */
	key(b, field, 0);
	cdoc_rec_put_u64(b, v);
}

void export__pb_i64(struct cdoc_buf *b, uint32_t field, int64_t v)
{
	export__pb_u64(b, field, (uint64_t)v);
}

void export__pb_bytes(struct cdoc_buf *b, uint32_t field, const void *p,
                      size_t len)
{
	key(b, field, 2);
	cdoc_rec_put_u64(b, len);
	if (len) /* an empty field may come with a NULL pointer */
		cdoc_buf_add(b, p, len);
}

void export__pb_packed(struct cdoc_buf *b, uint32_t field, const uint64_t *v,
                       size_t n)
{
	struct cdoc_buf t = CDOC_BUF_INIT;
	size_t i;

	for (i = 0; i < n; i++)
		cdoc_rec_put_u64(&t, v[i]);
	export__pb_bytes(b, field, t.buf, t.len);
	cdoc_buf_release(&t);
}

int export__gzip_buf(const void *data, size_t len, struct cdoc_buf *out)
{
	z_stream z = {0};
	int ret;

	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY))
		return cdoc_error(-ENOMEM, "gzip: cannot start zlib");
	cdoc_buf_grow(out, deflateBound(&z, len));
	z.next_in = (unsigned char *)data;
	z.avail_in = len;
	z.next_out = (unsigned char *)out->buf + out->len;
	z.avail_out = out->alloc - out->len - 1;
	ret = deflate(&z, Z_FINISH);
	if (ret == Z_STREAM_END)
		out->len += z.total_out;
	out->buf[out->len] = '\0';
	deflateEnd(&z);
	return ret == Z_STREAM_END ? 0 : cdoc_error(-EIO, "gzip: zlib failed");
}

void export__add_buf(struct cdoc_buf *out, const struct cdoc_buf *b)
{
	if (b->len)
		cdoc_buf_add(out, b->buf, b->len);
}
