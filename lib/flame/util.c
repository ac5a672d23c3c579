/*
 * util.c - text helpers of the flame renderers: fast number formatting
 * and template expansion (escaping is lib/base's).
 */
#include "flame/internal.h"

#include "base/templates.h"

#include <errno.h>
#include <math.h>
#include <string.h>

void flame__add_fixed(struct cdoc_buf *b, double v, int decimals)
{
	static const uint64_t scale[] = {1, 10, 100, 1000};
	uint64_t m = scale[decimals], n;
	char frac[4];
	int i;

	if (!(v >= 0))
		v = 0;
	n = (uint64_t)llround(v * (double)m);
	cdoc_buf_addu64(b, n / m);
	if (!decimals)
		return;
	n %= m;
	for (i = decimals - 1; i >= 0; i--) {
		frac[i] = '0' + n % 10;
		n /= 10;
	}
	cdoc_buf_addch(b, '.');
	cdoc_buf_add(b, frac, decimals);
}

void flame__add_num(struct cdoc_buf *b, double v)
{
	if (v == floor(v)) {
		if (v < 0) {
			cdoc_buf_addch(b, '-');
			v = -v;
		}
		cdoc_buf_addu64(b, (uint64_t)v);
		return;
	}
	cdoc_buf_addf(b, "%.10g", round(v * 100) / 100);
}

void flame__add_commas(struct cdoc_buf *b, uint64_t v)
{
	char tmp[32];
	int n = 0, i;

	do {
		if (n % 4 == 3)
			tmp[n++] = ',';
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	for (i = n - 1; i >= 0; i--)
		cdoc_buf_addch(b, tmp[i]);
}

size_t flame__strip_annotation(const char *s, size_t len)
{
	if (len >= 4 && s[len - 4] == '_' && s[len - 3] == '[' &&
	    s[len - 1] == ']' && strchr("kwij", s[len - 2]) && s[len - 2])
		return len - 4;
	return len;
}

int flame__add_template(struct cdoc_buf *b, const char *name,
                        void (*fill)(struct cdoc_buf *b, const char *key,
                                     size_t keylen, void *arg),
                        void *arg)
{
	size_t len;
	const char *t = cdoc_template(name, &len), *end, *p, *k;

	if (!t)
		return cdoc_error(-ENOENT, "report template %s is missing",
		                  name);
	end = t + len;
	while (fill && (p = memmem(t, end - t, "{{", 2))) {
		k = memmem(p + 2, end - p - 2, "}}", 2);
		if (!k)
			break;
		cdoc_buf_add(b, t, p - t);
		fill(b, p + 2, k - p - 2, arg);
		t = k + 2;
	}
	cdoc_buf_add(b, t, end - t);
	return 0;
}
