/*
 * color.c - frame colours as flamegraph.pl picks them: the same palettes,
 * the same per-name pseudo-random choice (so a function keeps its colour
 * across graphs and matches flamegraph.pl's output), --hash, and the
 * red/blue differential scale.
 */
#include "flame/internal.h"

#include <stdlib.h>
#include <string.h>

/* The next code point of @s (advancing *@i); invalid bytes as themselves. */
static uint32_t next_cp(const unsigned char *s, size_t len, size_t *i)
{
	unsigned char c = s[*i];
	uint32_t cp;
	size_t n, k;

	if (c < 0xc0 || c > 0xf4) {
		(*i)++;
		return c;
	}
	n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
	if (*i + n > len) {
		(*i)++;
		return c;
	}
	cp = c & (0x7f >> n);
	for (k = 1; k < n; k++) {
		if ((s[*i + k] & 0xc0) != 0x80) {
			(*i)++;
			return c;
		}
		cp = cp << 6 | (s[*i + k] & 0x3f);
	}
	*i += n;
	return cp;
}

/*
 * perl's srand(sum of code points); rand(1): the first drand48 value
 * after seeding, which is what flamegraph.pl's random_namehash returns.
 */
static double name_random(const char *name, size_t len)
{
	const unsigned char *s = (const unsigned char *)name;
	uint32_t sum = 0;
	uint64_t x;
	size_t i = 0;

	while (i < len)
		sum += next_cp(s, len, &i);
	x = ((uint64_t)sum << 16 | 0x330e) & 0xffffffffffffULL;
	x = (x * 0x5deece66dULL + 0xb) & 0xffffffffffffULL;
	return (double)x / 281474976710656.0;
}

/* flamegraph.pl's namehash: early characters weigh most. */
static double name_vector(const uint32_t *cp, size_t n)
{
	double vector = 0, weight = 1, max = 1;
	int mod = 10;
	size_t i;

	for (i = 0; i < n && mod <= 12; i++, mod++) {
		vector += (double)(cp[i] % mod) / (mod - 1) * weight;
		max += weight;
		weight *= 0.70;
	}
	return 1 - vector / max;
}

/*
 * --hash values, as flamegraph.pl's namehash(): v1 from the name with any
 * "module`" prefix dropped, v2 from the name reversed (where the same rule
 * drops everything after the last backtick).
 */
static void name_hash(const char *name, size_t len, double *v1, double *v2)
{
	const unsigned char *s = (const unsigned char *)name;
	uint32_t *cp = cdoc_malloc((len + 1) * sizeof(*cp)), rev[3];
	size_t i = 0, n = 0, first = SIZE_MAX, last = SIZE_MAX, k, from, to;

	while (i < len) {
		cp[n] = next_cp(s, len, &i);
		if (cp[n] == '`') {
			if (first == SIZE_MAX)
				first = n;
			last = n;
		}
		n++;
	}
	from = first != SIZE_MAX && first > 0 ? first + 1 : 0;
	*v1 = name_vector(cp + from, n - from);
	to = last != SIZE_MAX && last + 1 < n ? last : n;
	for (k = 0; k < 3 && k < to; k++)
		rev[k] = cp[to - 1 - k];
	*v2 = name_vector(rev, k);
	free(cp);
}

static int ends_with(const char *s, size_t len, const char *suf)
{
	size_t n = strlen(suf);

	return len >= n && !memcmp(s + len - n, suf, n);
}

static int contains(const char *s, size_t len, const char *what)
{
	return memmem(s, len, what, strlen(what)) != NULL;
}

static const char *java_type(const char *s, size_t len)
{
	static const char *const pkgs[] = {"java/", "javax/", "jdk/", "net/",
	                                   "org/",  "com/",   "io/",  "sun/"};
	const char *p = len && s[0] == 'L' ? s + 1 : s;
	size_t i, plen = len - (p - s);

	if (ends_with(s, len, "_[j]"))
		return "green";
	if (ends_with(s, len, "_[i]"))
		return "aqua";
	for (i = 0; i < CDOC_ARRAY_SIZE(pkgs); i++)
		if (plen >= strlen(pkgs[i]) &&
		    !memcmp(p, pkgs[i], strlen(pkgs[i])))
			return "green";
	if (contains(s, len, ":::"))
		return "green";
	if (contains(s, len, "::"))
		return "yellow";
	if (ends_with(s, len, "_[k]"))
		return "orange";
	return "red";
}

static const char *js_type(const char *s, size_t len)
{
	const char *slash = memchr(s, '/', len);

	if (ends_with(s, len, "_[j]"))
		return slash ? "green" : "aqua";
	if (contains(s, len, "::"))
		return "yellow";
	if (slash && contains(slash, len - (slash - s), ".js"))
		return "green";
	if (memchr(s, ':', len))
		return "aqua";
	if (len == 1 && s[0] == ' ')
		return "green";
	if (contains(s, len, "_[k]"))
		return "orange";
	return "red";
}

/* Multi palettes choose a plain palette per frame. */
static const char *resolve(const char *type, const char *s, size_t len)
{
	if (!strcmp(type, "java"))
		return java_type(s, len);
	if (!strcmp(type, "js"))
		return js_type(s, len);
	if (!strcmp(type, "perl")) {
		if (contains(s, len, "::"))
			return "yellow";
		if (contains(s, len, "Perl") || contains(s, len, ".pl"))
			return "green";
		return ends_with(s, len, "_[k]") ? "orange" : "red";
	}
	if (!strcmp(type, "wakeup"))
		return "aqua";
	if (!strcmp(type, "chain"))
		return contains(s, len, "_[w]") ? "aqua" : "blue";
	return type;
}

static void set(unsigned char rgb[3], int r, int g, int b)
{
	rgb[0] = r;
	rgb[1] = g;
	rgb[2] = b;
}

static int plain(const char *t, double v1, double v2, unsigned char rgb[3])
{
	if (!strcmp(t, "hot"))
		set(rgb, 205 + (int)(50 * v2), (int)(230 * v1), (int)(55 * v2));
	else if (!strcmp(t, "mem"))
		set(rgb, 0, 190 + (int)(50 * v2), (int)(210 * v1));
	else if (!strcmp(t, "io"))
		set(rgb, 80 + (int)(60 * v1), 80 + (int)(60 * v1),
		    190 + (int)(55 * v2));
	else if (!strcmp(t, "red"))
		set(rgb, 200 + (int)(55 * v1), 50 + (int)(80 * v1),
		    50 + (int)(80 * v1));
	else if (!strcmp(t, "green"))
		set(rgb, 50 + (int)(60 * v1), 200 + (int)(55 * v1),
		    50 + (int)(60 * v1));
	else if (!strcmp(t, "blue"))
		set(rgb, 80 + (int)(60 * v1), 80 + (int)(60 * v1),
		    205 + (int)(50 * v1));
	else if (!strcmp(t, "yellow"))
		set(rgb, 175 + (int)(55 * v1), 175 + (int)(55 * v1),
		    50 + (int)(20 * v1));
	else if (!strcmp(t, "purple"))
		set(rgb, 190 + (int)(65 * v1), 80 + (int)(60 * v1),
		    190 + (int)(65 * v1));
	else if (!strcmp(t, "aqua"))
		set(rgb, 50 + (int)(60 * v1), 165 + (int)(55 * v1),
		    165 + (int)(55 * v1));
	else if (!strcmp(t, "orange"))
		set(rgb, 190 + (int)(65 * v1), 90 + (int)(65 * v1), 0);
	else
		return -1;
	return 0;
}

int flame__palette_known(const char *colors)
{
	static const char *const names[] = {
	        "hot",  "mem",  "io",     "wakeup", "chain",
	        "java", "js",   "perl",   "red",    "green",
	        "blue", "aqua", "yellow", "purple", "orange"};
	size_t i;

	for (i = 0; i < CDOC_ARRAY_SIZE(names); i++)
		if (!strcmp(colors, names[i]))
			return 1;
	return 0;
}

int flame__palette_color(const char *colors, int hash, const char *name,
                         size_t len, unsigned char rgb[3])
{
	double v1, v2;

	if (len == 2 && !memcmp(name, "--", 2)) {
		set(rgb, 160, 160, 160);
		return 0;
	}
	if (len == 1 && name[0] == '-') {
		set(rgb, 200, 200, 200);
		return 0;
	}
	if (hash)
		name_hash(name, len, &v1, &v2);
	else
		v1 = v2 = name_random(name, len);
	if (plain(resolve(colors, name, len), v1, v2, rgb) < 0) {
		set(rgb, 0, 0, 0);
		return -1;
	}
	return 0;
}

int flame__palette_background(const char *colors, const char *bg,
                              const char **c1, const char **c2)
{
	static char flat[8];

	if (!bg || !*bg) {
		if (!strcmp(colors, "mem"))
			bg = "green";
		else if (!strcmp(colors, "io") || !strcmp(colors, "wakeup") ||
		         !strcmp(colors, "chain"))
			bg = "blue";
		else if (strstr("red green blue aqua yellow purple orange",
		                colors))
			bg = "grey";
		else
			bg = "yellow";
	}
	*c1 = "#eeeeee";
	if (!strcmp(bg, "yellow"))
		*c2 = "#eeeeb0";
	else if (!strcmp(bg, "blue"))
		*c2 = "#e0e0ff";
	else if (!strcmp(bg, "green"))
		*c1 = "#eef2ee", *c2 = "#e0ffe0";
	else if (!strcmp(bg, "grey"))
		*c1 = "#f8f8f8", *c2 = "#e8e8e8";
	else if (bg[0] == '#' && strlen(bg) == 7 &&
	         strspn(bg + 1, "0123456789abcdefABCDEF") == 6) {
		memcpy(flat, bg, 8);
		*c1 = *c2 = flat;
	} else
		return -1;
	return 0;
}

void flame__palette_diff(int64_t delta, int64_t maxdelta, int negate,
                         unsigned char rgb[3])
{
	double max = maxdelta > 0 ? (double)maxdelta : 1, v = (double)delta;

	if (negate)
		v = -v;
	if (v > max)
		v = max;
	if (v < -max)
		v = -max;
	set(rgb, 255, 255, 255);
	if (v > 0)
		rgb[1] = rgb[2] = (int)(210 * (max - v) / max);
	else if (v < 0)
		rgb[0] = rgb[1] = (int)(210 * (max + v) / max);
}
