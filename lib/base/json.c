/*
 * json.c - a strict syntax check of JSON text (RFC 8259), for JSON that
 * users hand us to embed (cflame html --report): one value of the wanted
 * kind, valid UTF-8, nested at most CDOC_JSON_MAX_DEPTH deep. Nothing is
 * built; an error names the input and the byte offset.
 */
#include <ctype.h>
#include <string.h>

#include "base/base.h"

struct jp {
	const unsigned char *s;
	size_t len, pos;
	int depth;
	const char *what; /* the first error, NULL while none */
};

static int fail(struct jp *j, const char *what)
{
	if (!j->what)
		j->what = what;
	return -1;
}

static void ws(struct jp *j)
{
	while (j->pos < j->len &&
	       (j->s[j->pos] == ' ' || j->s[j->pos] == '\t' ||
	        j->s[j->pos] == '\n' || j->s[j->pos] == '\r'))
		j->pos++;
}

static int escape(struct jp *j)
{
	int i;

	if (j->pos >= j->len)
		return fail(j, "unterminated string");
	switch (j->s[j->pos++]) {
	case '"':
	case '\\':
	case '/':
	case 'b':
	case 'f':
	case 'n':
	case 'r':
	case 't':
		return 0;
	case 'u':
		for (i = 0; i < 4; i++, j->pos++)
			if (j->pos >= j->len || !isxdigit(j->s[j->pos]))
				return fail(j, "bad \\u escape");
		return 0;
	}
	j->pos--;
	return fail(j, "bad escape in string");
}

static int string(struct jp *j)
{
	j->pos++; /* the opening quote */
	while (j->pos < j->len) {
		unsigned char c = j->s[j->pos];
		size_t n;

		if (c == '"') {
			j->pos++;
			return 0;
		}
		if (c == '\\') {
			j->pos++;
			if (escape(j) < 0)
				return -1;
			continue;
		}
		if (c < 0x20)
			return fail(j, "control character in string");
		if (!(n = cdoc_utf8_seq(j->s + j->pos, j->len - j->pos)))
			return fail(j, "invalid UTF-8");
		j->pos += n;
	}
	return fail(j, "unterminated string");
}

static size_t digits(struct jp *j)
{
	size_t start = j->pos;

	while (j->pos < j->len && j->s[j->pos] >= '0' && j->s[j->pos] <= '9')
		j->pos++;
	return j->pos - start;
}

static int number(struct jp *j)
{
	size_t start;

	if (j->s[j->pos] == '-')
		j->pos++;
	start = j->pos;
	if (!digits(j))
		return fail(j, "bad number");
	if (j->s[start] == '0' && j->pos - start > 1)
		return fail(j, "number with a leading zero");
	if (j->pos < j->len && j->s[j->pos] == '.') {
		j->pos++;
		if (!digits(j))
			return fail(j, "bad number");
	}
	if (j->pos < j->len && (j->s[j->pos] == 'e' || j->s[j->pos] == 'E')) {
		j->pos++;
		if (j->pos < j->len &&
		    (j->s[j->pos] == '+' || j->s[j->pos] == '-'))
			j->pos++;
		if (!digits(j))
			return fail(j, "bad number");
	}
	return 0;
}

static int word(struct jp *j, const char *w)
{
	size_t n = strlen(w);

	if (j->len - j->pos < n || memcmp(j->s + j->pos, w, n))
		return fail(j, "unexpected character");
	j->pos += n;
	return 0;
}

static int value(struct jp *j);

/* An object or an array: @close ends it, members have keys in objects. */
static int compound(struct jp *j, unsigned char close)
{
	if (++j->depth > CDOC_JSON_MAX_DEPTH)
		return fail(j, "nested too deep");
	j->pos++;
	ws(j);
	if (j->pos < j->len && j->s[j->pos] == close) {
		j->pos++;
		j->depth--;
		return 0;
	}
	for (;;) {
		if (close == '}') {
			if (j->pos >= j->len || j->s[j->pos] != '"')
				return fail(j, "expected a string key");
			if (string(j) < 0)
				return -1;
			ws(j);
			if (j->pos >= j->len || j->s[j->pos++] != ':')
				return fail(j, "expected ':'");
		}
		if (value(j) < 0)
			return -1;
		ws(j);
		if (j->pos >= j->len)
			return fail(j, "unterminated object or array");
		if (j->s[j->pos] == close) {
			j->pos++;
			j->depth--;
			return 0;
		}
		if (j->s[j->pos++] != ',')
			return fail(j, "expected ',' or the end");
		ws(j);
	}
}

static int value(struct jp *j)
{
	ws(j);
	if (j->pos >= j->len)
		return fail(j, "unexpected end");
	switch (j->s[j->pos]) {
	case '{':
		return compound(j, '}');
	case '[':
		return compound(j, ']');
	case '"':
		return string(j);
	case 't':
		return word(j, "true");
	case 'f':
		return word(j, "false");
	case 'n':
		return word(j, "null");
	}
	if (j->s[j->pos] == '-' || (j->s[j->pos] >= '0' && j->s[j->pos] <= '9'))
		return number(j);
	return fail(j, "unexpected character");
}

int cdoc_json_check(const void *data, size_t len, int want_object,
                    const char *name)
{
	struct jp j = {data, len, 0, 0, NULL};

	ws(&j);
	if (want_object && (j.pos >= len || j.s[j.pos] != '{'))
		fail(&j, "not a JSON object");
	else if (value(&j) == 0) {
		ws(&j);
		if (j.pos < len)
			fail(&j, "text after the JSON value");
	}
	if (!j.what)
		return 0;
	return cdoc_error(-CDOC_EFORMAT, "%s: offset %zu: %s", name, j.pos,
	                  j.what);
}
