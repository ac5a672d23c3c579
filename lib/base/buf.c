/*
 * buf.c - struct cdoc_buf, a growable NUL-terminated byte buffer, and the
 * escaping helpers every renderer uses for attacker-controlled names.
 */
#include "base.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void cdoc_buf_init(struct cdoc_buf *b)
{
	b->buf = NULL;
	b->len = b->alloc = 0;
}

void cdoc_buf_release(struct cdoc_buf *b)
{
	free(b->buf);
	cdoc_buf_init(b);
}

char *cdoc_buf_detach(struct cdoc_buf *b, size_t *len)
{
	char *s;

	cdoc_buf_grow(b, 0);
	s = b->buf;
	if (len)
		*len = b->len;
	cdoc_buf_init(b);
	return s;
}

void cdoc_buf_reset(struct cdoc_buf *b)
{
	b->len = 0;
	if (b->buf)
		b->buf[0] = '\0';
}

void cdoc_buf_grow(struct cdoc_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->alloc)
		return;
	b->alloc = CDOC_MAX(need, b->alloc * 2 + 64);
	b->buf = cdoc_realloc(b->buf, b->alloc);
	b->buf[b->len] = '\0';
}

void cdoc_buf_add(struct cdoc_buf *b, const void *data, size_t len)
{
	cdoc_buf_grow(b, len);
	if (len) /* @data may be NULL for nothing (memcpy's is nonnull) */
		memcpy(b->buf + b->len, data, len);
	b->len += len;
	b->buf[b->len] = '\0';
}

void cdoc_buf_addstr(struct cdoc_buf *b, const char *s)
{
	cdoc_buf_add(b, s, strlen(s));
}

void cdoc_buf_addch(struct cdoc_buf *b, char c)
{
	cdoc_buf_grow(b, 1);
	b->buf[b->len++] = c;
	b->buf[b->len] = '\0';
}

void cdoc_buf_vaddf(struct cdoc_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	cdoc_buf_grow(b, 64);
	va_copy(cp, ap);
	n = vsnprintf(b->buf + b->len, b->alloc - b->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n >= b->alloc - b->len) {
		cdoc_buf_grow(b, n);
		vsnprintf(b->buf + b->len, b->alloc - b->len, fmt, ap);
	}
	b->len += n;
}

void cdoc_buf_addf(struct cdoc_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cdoc_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void cdoc_buf_addu64(struct cdoc_buf *b, uint64_t v)
{
	char tmp[24];
	int i = sizeof(tmp);

	do {
		tmp[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	cdoc_buf_add(b, tmp + i, sizeof(tmp) - i);
}

/* Length of the valid UTF-8 sequence at @s (1..4), or 0 when invalid. */
size_t cdoc_utf8_seq(const unsigned char *s, size_t len)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* U+FFFE and U+FFFF are not XML characters. */
	if (n == 3 && c == 0xef && s[1] == 0xbf && s[2] >= 0xbe)
		return 0;
	return n;
}

void cdoc_buf_add_xml(struct cdoc_buf *b, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, start = 0, n;

	while (i < len) {
		const char *rep;
		unsigned char c = u[i];

		switch (c) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			if (c >= 0x80) {
				n = cdoc_utf8_seq(u + i, len - i);
				if (n) {
					i += n;
					continue;
				}
				rep = "\xef\xbf\xbd"; /* U+FFFD */
			} else if (c < 0x20 && c != '\t') {
				/* XML 1.0 forbids most control characters;
				 * names never hold line breaks either. */
				rep = "?";
			} else {
				i++;
				continue;
			}
		}
		cdoc_buf_add(b, s + start, i - start);
		cdoc_buf_addstr(b, rep);
		start = ++i;
	}
	cdoc_buf_add(b, s + start, len - start);
}

void cdoc_buf_add_json(struct cdoc_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, start = 0, n;

	while (i < len) {
		unsigned char c = u[i];
		char esc[7];

		if (c >= 0x80) {
			n = cdoc_utf8_seq(u + i, len - i);
			if (n) {
				i += n;
				continue;
			}
		} else if (c >= 0x20 && c != '"' && c != '\\' && c != '<' &&
		           c != '>' && c != '&') {
			/*
			 * Besides JSON's own rules, < > & are escaped so that
			 * the text can sit inside an HTML <script> safely.
			 */
			i++;
			continue;
		}
		cdoc_buf_add(b, s + start, i - start);
		if (c >= 0x80) {
			cdoc_buf_addstr(b, "\\ufffd"); /* invalid UTF-8 */
		} else if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = c;
			cdoc_buf_add(b, esc, 2);
		} else {
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			cdoc_buf_add(b, esc, 6);
		}
		start = ++i;
	}
	cdoc_buf_add(b, s + start, len - start);
}

void cdoc_buf_add_term(struct cdoc_buf *b, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, start = 0, n;

	while (i < len) {
		unsigned char c = u[i];

		if (c >= 0x20 && c < 0x7f) {
			i++;
			continue;
		}
		n = c >= 0x80 ? cdoc_utf8_seq(u + i, len - i) : 0;
		/* Valid UTF-8 stays, but not C1 controls (U+0080-U+009F,
		 * 8-bit CSI among them). */
		if (n && !(n == 2 && c == 0xc2 && u[i + 1] < 0xa0)) {
			i += n;
			continue;
		}
		cdoc_buf_add(b, s + start, i - start);
		cdoc_buf_addch(b, '?');
		i += n ? n : 1;
		start = i;
	}
	cdoc_buf_add(b, s + start, len - start);
}

int cdoc_buf_write(const struct cdoc_buf *b, FILE *f)
{
	if (b->len && fwrite(b->buf, 1, b->len, f) != b->len)
		return -errno ? -errno : -EIO;
	return 0;
}

void cdoc_varint_put(struct cdoc_buf *b, uint64_t v)
{
	unsigned char tmp[CDOC_VARINT_MAX];
	size_t n = 0;

	while (v >= 0x80) {
		tmp[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	tmp[n++] = (unsigned char)v;
	cdoc_buf_add(b, tmp, n);
}
