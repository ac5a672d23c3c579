/*
 * lines.c - recognise the two kinds of perf script lines the way
 * stackcollapse-perf.pl's regular expressions do, without a regex engine.
 *
 * A sample header is what /^(\S.+?)\s+(\d+)[/]*(\d+)*\s+/ matches (the
 * script writes the [/] as an escaped slash): a process name of two or
 * more bytes (the shortest that works), white space, "TID" or "PID/TID",
 * white space. Its event, when the line ends
 * in "[period] event:", is what /:\s*(\d+)*\s+(\S+):\s*$/ captures.
 * A frame is what /^\s*(\w+)\s*(.+) \((.*)\)/ matches: an address word,
 * the symbol, and the module inside the last " (...)".
 * Each function below works out the capture a backtracking match would
 * give; the comments say why the shortcut is the same.
 */
#include "perfscript/internal.h"

#include <string.h>

#define SP PS_SPACE
#define DW (PS_DIGIT | PS_WORD)
#define W  PS_WORD
const unsigned char cdoc_ps_class[256] = {
        ['\t'] = SP,       ['\n'] = SP, ['\v'] = SP,        ['\f'] = SP,
        ['\r'] = SP,       [' '] = SP,  ['0' ... '9'] = DW, ['A' ... 'Z'] = W,
        ['a' ... 'z'] = W, ['_'] = W,
};

static struct ps_span span(const char *s, size_t from, size_t to)
{
	struct ps_span sp = {s + from, to - from};

	return sp;
}

/*
 * After the name and its white space: "\d+", slashes, "\d*", then white
 * space. The digit runs are greedy and white space can only follow the end of a
 * run, so there is one way to match or none.
 */
static int header_ids(const char *s, size_t len, size_t p, struct ps_header *h)
{
	size_t q = p, r;

	while (q < len && ps_isdigit(s[q]))
		q++;
	if (q == p)
		return 0;
	r = q;
	while (r < len && s[r] == '/')
		r++;
	h->pid = span(s, p, q);
	p = r;
	while (r < len && ps_isdigit(s[r]))
		r++;
	if (r >= len || !ps_isspace(s[r]))
		return 0;
	h->tid = span(s, p, r);
	if (r == p)
		h->tid.s = NULL;
	return 1;
}

/*
 * The event part. The line must end (before trailing white space) in a
 * token "X:" that follows white space; before that token come white
 * space, optional digits, optional white space, and a ':'. Nothing in
 * that stretch can be a ':', so only one ':' can start the match.
 */
static void header_event(const char *s, size_t len, struct ps_header *h)
{
	size_t end = len, t, b, d, c;

	while (end > 0 && ps_isspace(s[end - 1]))
		end--;
	if (end < 2 || s[end - 1] != ':')
		return;
	t = end - 1;
	while (t > 0 && !ps_isspace(s[t - 1]))
		t--;
	if (t == 0 || t == end - 1)
		return;
	b = t;
	while (b > 0 && ps_isspace(s[b - 1]))
		b--;
	d = b;
	while (d > 0 && ps_isdigit(s[d - 1]))
		d--;
	c = d;
	while (c > 0 && ps_isspace(s[c - 1]))
		c--;
	if (c == 0 || s[c - 1] != ':')
		return;
	h->has_event = 1;
	h->period = span(s, d, b);
	h->event = span(s, t, end - 1);
}

int cdoc_ps_header(const char *s, size_t len, struct ps_header *h)
{
	size_t e, p;

	if (len < 4 || ps_isspace(s[0]))
		return 0;
	memset(h, 0, sizeof(*h));
	/* The lazy name: try each end from the second byte on. */
	for (e = 2; e < len; e++) {
		if (!ps_isspace(s[e]))
			continue;
		p = e;
		while (p < len && ps_isspace(s[p]))
			p++;
		if (header_ids(s, len, p, h)) {
			h->comm = span(s, 0, e);
			header_event(s, len, h);
			return 1;
		}
		/* Later ends inside this white space meet the same digits. */
		e = p;
	}
	return 0;
}

/* The rightmost " (" whose '(' comes before @r; or (size_t)-1. */
static size_t last_open(const char *s, size_t r)
{
	const char *q;

	while (r > 1 && (q = memrchr(s, '(', r)) != NULL) {
		size_t i = q - s;

		if (i >= 1 && s[i - 1] == ' ')
			return i - 1;
		r = i;
	}
	return (size_t)-1;
}

/*
 * The symbol (.+) is greedy, so it ends at the last " (" that has a ')'
 * after it, and the module runs to the last ')' of the line. When the
 * white space after the address leaves no byte for the symbol, the
 * match backs into the white space and then into the address word.
 */
int cdoc_ps_frame(const char *s, size_t len, struct ps_frame *f)
{
	size_t l = 0, w, s0, r, p, st;
	const char *q;

	if (len == 0)
		return 0;
	while (l < len && ps_isspace(s[l]))
		l++;
	w = l;
	while (w < len && ps_isword(s[w]))
		w++;
	if (w == l)
		return 0;
	s0 = w;
	while (s0 < len && ps_isspace(s[s0]))
		s0++;
	/* The ')' usually ends the line. */
	q = s[len - 1] == ')' ? s + len - 1 : memrchr(s, ')', len);
	if (!q)
		return 0;
	r = q - s;
	p = last_open(s, r);
	if (p == (size_t)-1 || p < l + 2)
		return 0;
	st = CDOC_MIN(s0, p - 1);
	f->pc = span(s, l, CDOC_MIN(w, st));
	f->func = span(s, st, p);
	f->mod = span(s, p + 2, r);
	return 1;
}
