/*
 * fdev.c - the payload of an EXT record of kind CDOC_AEXT_FD (a
 * descriptor opened or closed, alloc/stream.h), decoded strictly: the
 * collector's table of live descriptors by site (lib/collect/fdsites.c)
 * applies what this accepts.
 */
#include <string.h>

#include "heap/internal.h"

static int bad(const struct cdoc_reader *d, const char *what)
{
	return cdoc_error(-CDOC_EFORMAT, "descriptor event, byte %zu: %s",
	                  (size_t)(d->p - d->start), what);
}

/* Fields of each op, in payload order. */
static const unsigned char nfields[] = {
        [CDOC_AFD_OPEN] = 5,  [CDOC_AFD_CLOSE] = 1, [CDOC_AFD_RANGE] = 3,
        [CDOC_AFD_SETFD] = 2, [CDOC_AFD_FORK] = 1,  [CDOC_AFD_EXEC] = 0,
};

static int check(const struct cdoc_reader *d, const uint64_t *v,
                 struct cdoc_heap_fd *out)
{
	switch (out->op) {
	case CDOC_AFD_OPEN:
		if (v[0] > INT32_MAX || v[1] >= CDOC_AFD_CALL_NR ||
		    v[2] >= CDOC_AFD_TYPE_NR || v[3] == 0 ||
		    v[3] >= HEAP_MAX_STACK_ID || v[4] > CDOC_AFD_CLOEXEC)
			return bad(d, "an open with a field out of range");
		out->fd = (uint32_t)v[0];
		out->call = (uint32_t)v[1];
		out->type = (uint32_t)v[2];
		out->stack = (uint32_t)v[3];
		out->flags = (uint32_t)v[4];
		return 0;
	case CDOC_AFD_CLOSE:
	case CDOC_AFD_SETFD:
		if (v[0] > INT32_MAX ||
		    (out->op == CDOC_AFD_SETFD && v[1] > CDOC_AFD_CLOEXEC))
			return bad(d, "a descriptor out of range");
		out->fd = (uint32_t)v[0];
		out->flags = out->op == CDOC_AFD_SETFD ? (uint32_t)v[1] : 0;
		return 0;
	case CDOC_AFD_RANGE:
		if (v[0] > UINT32_MAX || v[1] > UINT32_MAX || v[0] > v[1] ||
		    v[2] > CDOC_AFD_CLOEXEC)
			return bad(d, "a range out of order or out of range");
		out->fd = (uint32_t)v[0];
		out->last = (uint32_t)v[1];
		out->flags = (uint32_t)v[2];
		return 0;
	case CDOC_AFD_FORK:
		if (!v[0])
			return bad(d, "a fork into instance 0");
		out->child = v[0];
		return 0;
	}
	return 0; /* EXEC */
}

int cdoc_heap_fd_decode(const void *payload, size_t len,
                        struct cdoc_heap_fd *out)
{
	struct cdoc_reader d;
	uint64_t op, v[5];
	int i;

	memset(out, 0, sizeof(*out));
	cdoc_reader_init(&d, payload, len);
	op = cdoc_reader_u64(&d);
	if (d.err)
		return bad(&d, d.err);
	if (op == 0 || op > CDOC_AFD_EXEC)
		return bad(&d, "unknown op");
	out->op = (unsigned)op;
	for (i = 0; i < nfields[op]; i++)
		v[i] = cdoc_reader_u64(&d);
	if (d.err)
		return bad(&d, d.err);
	if (d.p != d.end)
		return bad(&d, "bytes after the last field");
	return check(&d, v, out);
}
