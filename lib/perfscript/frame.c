/*
 * frame.c - the name a frame line gets in the folded stack: offsets
 * stripped, "[unknown]" replaced by the module's file name, the perl
 * script's generic and Java tidy-ups, and the _[k] _[j] _[i] suffixes.
 */
#include "perfscript/internal.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

static int span_is(const char *s, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	return len == n && !memcmp(s, lit, n);
}

static int span_has(const char *s, size_t len, const char *lit)
{
	return memmem(s, len, lit, strlen(lit)) != NULL;
}

/* s/\+0x[\da-f]+$//: the length without a trailing "+0xhex". */
static size_t strip_offset(const char *s, size_t len)
{
	size_t n = len;

	while (n > 0 &&
	       (ps_isdigit(s[n - 1]) || (s[n - 1] >= 'a' && s[n - 1] <= 'f')))
		n--;
	if (n < len && n >= 3 && !memcmp(s + n - 3, "+0x", 3))
		return n - 3;
	return len;
}

/* "[unknown]" becomes "[module]" (its file name) or "[unknown]". */
static void add_unknown(const struct ps_namectx *ctx, const struct ps_frame *f,
                        struct cdoc_buf *out)
{
	const char *m = f->mod.s, *slash;
	size_t n = f->mod.len;

	if (span_is(m, n, "[unknown]")) {
		m = "unknown";
		n = 7;
	} else if ((slash = memrchr(m, '/', n)) != NULL) {
		n -= slash + 1 - m;
		m = slash + 1;
	}
	cdoc_buf_addch(out, '[');
	cdoc_buf_add(out, m, n);
	if (ctx->opts->addrs) {
		cdoc_buf_add(out, " <", 2);
		cdoc_buf_add(out, f->pc.s, f->pc.len);
		cdoc_buf_addch(out, '>');
	}
	cdoc_buf_addch(out, ']');
}

/* A Go method name such as "net/http.(*Client).Do" keeps its parens. */
static int looks_go(const char *s, size_t len)
{
	const char *a = memmem(s, len, ".(", 2);
	size_t i;

	if (!a)
		return 0;
	for (i = len; i >= 2; i--)
		if (s[i - 2] == ')' && s[i - 1] == '.')
			return (size_t)(s + i - 2 - a) >= 2;
	return 0;
}

/* Bits of what a name holds, from one pass over it. */
#define HAS_DASH  1 /* a '-', maybe of "->" */
#define HAS_SEMI  2
#define HAS_PAREN 4
#define HAS_QUOTE 8

static int scan_tail(const char *s, size_t len)
{
	static const unsigned char cls[256] = {
	        ['-'] = HAS_DASH,  [';'] = HAS_SEMI,   ['('] = HAS_PAREN,
	        ['"'] = HAS_QUOTE, ['\''] = HAS_QUOTE,
	};
	size_t i;
	int bits = 0;

	for (i = 0; i < len; i++)
		bits |= cls[(unsigned char)s[i]];
	return bits;
}

/* Which of the bytes above @s holds; 16 at a time where SSE2 is there. */
static int scan(const char *s, size_t len)
{
#ifdef __SSE2__
	__m128i dash = _mm_set1_epi8('-'), semi = _mm_set1_epi8(';');
	__m128i paren = _mm_set1_epi8('('), dq = _mm_set1_epi8('"');
	__m128i sq = _mm_set1_epi8('\'');
	__m128i d = _mm_setzero_si128(), c = d, p = d, q = d;
	size_t i;
	int bits;

	for (i = 0; i + 16 <= len; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(s + i));

		d = _mm_or_si128(d, _mm_cmpeq_epi8(v, dash));
		c = _mm_or_si128(c, _mm_cmpeq_epi8(v, semi));
		p = _mm_or_si128(p, _mm_cmpeq_epi8(v, paren));
		q = _mm_or_si128(q, _mm_or_si128(_mm_cmpeq_epi8(v, dq),
		                                 _mm_cmpeq_epi8(v, sq)));
	}
	bits = (_mm_movemask_epi8(d) ? HAS_DASH : 0) |
	       (_mm_movemask_epi8(c) ? HAS_SEMI : 0) |
	       (_mm_movemask_epi8(p) ? HAS_PAREN : 0) |
	       (_mm_movemask_epi8(q) ? HAS_QUOTE : 0);
	return bits | scan_tail(s + i, len - i);
#else
	return scan_tail(s, len);
#endif
}

/*
 * The generic tidy-up on @s (@len bytes holding @bits, edited in place):
 * ';' -> ':', drop everything from the first '(' that does not open
 * "(anonymous namespace)" unless the name looks like Go, drop quotes.
 * Returns the new length.
 */
static size_t tidy(char *s, size_t len, int bits)
{
	char *p = s, *end = s + len;
	size_t i, j;

	if (bits & HAS_SEMI)
		while ((p = memchr(p, ';', end - p)) != NULL)
			*p++ = ':';
	if ((bits & HAS_PAREN) && !looks_go(s, len)) {
		for (i = 0; i < len; i++)
			if (s[i] == '(' &&
			    (len - i - 1 < 20 ||
			     memcmp(s + i + 1, "anonymous namespace)", 20)))
				break;
		len = i;
	}
	if (!(bits & HAS_QUOTE))
		return len;
	for (i = j = 0; i < len; i++)
		if (s[i] != '"' && s[i] != '\'')
			s[j++] = s[i];
	return j;
}

static int is_jit_map(const char *s, size_t len)
{
	const char *end = s + len, *p = s;

	while ((p = memmem(p, end - p, "/tmp/perf-", 10)) != NULL) {
		const char *d = p += 10;

		while (d < end && ps_isdigit(*d))
			d++;
		if (d > p && end - d >= 4 && !memcmp(d, ".map", 4))
			return 1;
	}
	return 0;
}

static int is_kernel_mod(const char *s, size_t len)
{
	if (!(len > 0 && s[0] == '[') &&
	    !(len >= 7 && !memcmp(s + len - 7, "vmlinux", 7)))
		return 0;
	return !span_has(s, len, "unknown");
}

static void annotate(const struct ps_namectx *ctx, const struct ps_frame *f,
                     int inlined, struct cdoc_buf *out, size_t start)
{
	const char *name = out->buf + start;
	size_t n = out->len - start;

	if (!inlined && !ctx->opts->kernel && !ctx->opts->jit)
		return;
	if (inlined) {
		if (!span_has(name, n, "_[i]"))
			cdoc_buf_add(out, "_[i]", 4);
	} else if (ctx->opts->kernel && is_kernel_mod(f->mod.s, f->mod.len)) {
		cdoc_buf_add(out, "_[k]", 4);
	} else if (ctx->opts->jit && is_jit_map(f->mod.s, f->mod.len)) {
		if (!span_has(name, n, "_[j]"))
			cdoc_buf_add(out, "_[j]", 4);
	}
}

/* The first "->" in @s, or NULL. */
static const char *find_arrow(const char *s, size_t len)
{
	const char *end = s + len, *p = s;

	while ((p = memchr(p, '-', end - p)) != NULL && p + 1 < end) {
		if (p[1] == '>')
			return p;
		p++;
	}
	return NULL;
}

/* One name of the "a->b->c" chain, appended to @out. */
static void add_name(const struct ps_namectx *ctx, const struct ps_frame *f,
                     const char *s, size_t len, int bits, int inlined,
                     struct cdoc_buf *out)
{
	size_t start = out->len;
	char *name;

	if (len == 9 && !memcmp(s, "[unknown]", 9))
		add_unknown(ctx, f, out);
	else
		cdoc_buf_add(out, s, len);
	name = out->buf + start;
	if (len == 9 && !memcmp(s, "[unknown]", 9))
		bits = scan(name, out->len - start);
	if (bits & (HAS_SEMI | HAS_PAREN | HAS_QUOTE)) {
		out->len = start + tidy(name, out->len - start, bits);
		out->buf[out->len] = '\0';
	}
	if (ctx->java && out->len > start && name[0] == 'L' &&
	    memchr(name, '/', out->len - start)) {
		memmove(name, name + 1, out->len - start - 1);
		out->buf[--out->len] = '\0';
	}
	annotate(ctx, f, inlined, out, start);
}

int cdoc_ps_frame_names(const struct ps_namectx *ctx, const struct ps_frame *f,
                        struct cdoc_buf *out)
{
	const char *s = f->func.s, *end, *arrow;
	size_t len = strip_offset(f->func.s, f->func.len);
	int nr = 0, bits;

	/* split of "" gives no names; a name in parentheses is skipped. */
	if (len == 0 || s[0] == '(')
		return 0;
	bits = scan(s, len);
	if (!(bits & HAS_DASH) || !find_arrow(s, len)) {
		add_name(ctx, f, s, len, bits, 0, out);
		return 1;
	}
	/* split /->/ drops trailing empty fields. */
	while (len >= 2 && s[len - 2] == '-' && s[len - 1] == '>')
		len -= 2;
	end = s + len;
	while (s < end) {
		arrow = find_arrow(s, end - s);
		if (!arrow)
			arrow = end;
		if (nr)
			cdoc_buf_addch(out, ';');
		add_name(ctx, f, s, arrow - s, scan(s, arrow - s), nr > 0, out);
		nr++;
		s = arrow == end ? end : arrow + 2;
	}
	return nr;
}
