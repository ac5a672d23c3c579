/*
 * perfscript.c - fuzz the perf script collapser: the first byte picks the
 * options, the rest is the input. Checks that the output is sorted
 * "stack count" lines and that cutting the input for threads never
 * changes it (outside perl's floating-point sums, where the order of
 * additions may round differently).
 */
#include <stdlib.h>
#include <string.h>

#include "perfscript/perfscript.h"

static int collapse(const uint8_t *data, size_t size,
                    struct cdoc_perfscript_opts *o, int threads,
                    struct cdoc_buf *out)
{
	struct cdoc_perfscript *ps;
	struct cdoc_input in;
	int ret;

	o->threads = threads;
	ps = cdoc_perfscript_new(o);
	cdoc_input_from_mem(&in, "fuzz", (const char *)data, size);
	ret = cdoc_perfscript_add(ps, &in);
	/* A second input continues the stream. */
	if (ret == 0 && size > 1)
		ret = cdoc_perfscript_add(ps, &in);
	if (ret == 0)
		cdoc_perfscript_write(ps, out);
	cdoc_input_release(&in);
	cdoc_perfscript_free(ps);
	return ret;
}

/* Every line is "stack count", in strictly increasing byte order. */
static void check_lines(const struct cdoc_buf *b)
{
	const char *p = b->buf, *end = b->buf + b->len, *prev = NULL;
	size_t prev_len = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		const char *sp;
		size_t len;
		int c;

		if (!nl)
			abort();
		sp = memrchr(p, ' ', nl - p);
		if (!sp || sp + 1 == nl)
			abort();
		len = sp - p;
		if (prev) {
			c = memcmp(prev, p, CDOC_MIN(prev_len, len));
			if (c > 0 || (c == 0 && prev_len >= len))
				abort();
		}
		prev = p;
		prev_len = len;
		p = nl + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cdoc_buf one = CDOC_BUF_INIT, many = CDOC_BUF_INIT;
	struct cdoc_perfscript_opts o;
	int a, b;

	if (size < 1)
		return 0;
	memset(&o, 0, sizeof(o));
	o.pid = data[0] & 1;
	o.tid = !!(data[0] & 2);
	o.kernel = !!(data[0] & 4);
	o.jit = !!(data[0] & 8);
	o.addrs = !!(data[0] & 16);
	if (data[0] & 32)
		o.event_filter = "cycles";
	a = collapse(data + 1, size - 1, &o, 1, &one);
	b = collapse(data + 1, size - 1, &o, 3, &many);
	if (a != b)
		abort();
	if (a == 0) {
		check_lines(&one);
		if (!memmem(one.buf ? one.buf : "", one.len, "e+", 2) &&
		    !memmem(one.buf ? one.buf : "", one.len, "Inf", 3) &&
		    (one.len != many.len ||
		     (one.len && memcmp(one.buf, many.buf, one.len))))
			abort();
	}
	cdoc_buf_release(&one);
	cdoc_buf_release(&many);
	return 0;
}
