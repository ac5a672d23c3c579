/*
 * base.h - errors, memory, growable buffers, hashing and string interning.
 *
 * Everything else in lib/ builds on these. Nothing here prints or exits:
 * errors are negative errno-style codes, and the human-readable message of
 * the last error on this thread is kept for cmd/ to show (cdoc_errmsg()).
 * The only exception is memory exhaustion, which aborts (as git's xmalloc
 * dies): a profiler that cannot allocate has nothing useful left to say.
 */
#ifndef CDOC_BASE_H
#define CDOC_BASE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CDOC_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define CDOC_MIN(a, b)     ((a) < (b) ? (a) : (b))
#define CDOC_MAX(a, b)     ((a) > (b) ? (a) : (b))

#if defined(__GNUC__)
#define CDOC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define CDOC_UNUSED       __attribute__((unused))
#else
#define CDOC_PRINTF(f, a)
#define CDOC_UNUSED
#endif

/* Error codes beyond errno: input that does not parse. */
#define CDOC_EFORMAT 10001

/*
 * cdoc_error() - remember a message for the last error and return @code.
 * Lets code write `return cdoc_error(-EINVAL, "%s:%zu: bad line", ...)`.
 * @code should be negative. The message is thread-local.
 */
int cdoc_error(int code, const char *fmt, ...) CDOC_PRINTF(2, 3);
int cdoc_verror(int code, const char *fmt, va_list ap);

/* The message of the last cdoc_error() on this thread ("" when none). */
const char *cdoc_errmsg(void);

/* Clear the last message (before a call whose failure you will report). */
void cdoc_errclear(void);

/*
 * Allocation that aborts on exhaustion, after calling the handler given to
 * cdoc_set_oom_handler() (cmd/ prints a message there and exits) with the
 * size asked for and the input being read when there is one.
 */
void cdoc_set_oom_handler(void (*fn)(size_t size, const char *input));
/* Name the input being read (cdoc_input does; NULL: none), for the above. */
void cdoc_set_oom_input(const char *name);
void *cdoc_malloc(size_t size);
void *cdoc_calloc(size_t nmemb, size_t size);
void *cdoc_realloc(void *ptr, size_t size);
char *cdoc_strdup(const char *s);
char *cdoc_strndup(const char *s, size_t n);

/*
 * CDOC_GROW(ptr, nr, alloc) - make room for @nr elements in array @ptr,
 * whose capacity is @alloc (both updated), growing geometrically.
 */
#define CDOC_GROW(ptr, nr, alloc)                                              \
	do {                                                                   \
		if ((size_t)(nr) > (size_t)(alloc)) {                          \
			size_t n_ = (size_t)(alloc)*2 + 16;                    \
			if (n_ < (size_t)(nr))                                 \
				n_ = (size_t)(nr);                             \
			(ptr) = cdoc_realloc((ptr), n_ * sizeof(*(ptr)));      \
			(alloc) = n_;                                          \
		}                                                              \
	} while (0)

/*
 * struct cdoc_buf - a growable byte buffer, always NUL-terminated.
 * Owns ->buf. cdoc_buf_release() frees it; cdoc_buf_detach() hands the
 * string to the caller, who frees it.
 */
struct cdoc_buf {
	char *buf;    /* the bytes, NUL-terminated; NULL until first write */
	size_t len;   /* bytes used, not counting the NUL */
	size_t alloc; /* bytes allocated */
};

#define CDOC_BUF_INIT                                                          \
	{                                                                      \
		NULL, 0, 0                                                     \
	}

void cdoc_buf_init(struct cdoc_buf *b);
void cdoc_buf_release(struct cdoc_buf *b);
char *cdoc_buf_detach(struct cdoc_buf *b, size_t *len);
void cdoc_buf_reset(struct cdoc_buf *b);
void cdoc_buf_grow(struct cdoc_buf *b, size_t extra);
void cdoc_buf_add(struct cdoc_buf *b, const void *data, size_t len);
void cdoc_buf_addstr(struct cdoc_buf *b, const char *s);
void cdoc_buf_addch(struct cdoc_buf *b, char c);
void cdoc_buf_addf(struct cdoc_buf *b, const char *fmt, ...) CDOC_PRINTF(2, 3);
void cdoc_buf_vaddf(struct cdoc_buf *b, const char *fmt, va_list ap);
/* Append an unsigned decimal number, faster than addf. */
void cdoc_buf_addu64(struct cdoc_buf *b, uint64_t v);
/*
 * Escaping of attacker-controlled text (symbol names, paths). All three
 * replace invalid UTF-8 (U+FFFD, or '?' for the terminal).
 * _xml: for XML/HTML text and attributes (& < > " '; control characters
 * other than tab, line breaks included, become '?').
 * _json: JSON string contents, also escaping < > & so the text can sit in
 * an HTML <script>.
 * _term: for a terminal: C0 and C1 control characters and DEL become '?',
 * so that no name can send escape sequences.
 */
void cdoc_buf_add_xml(struct cdoc_buf *b, const char *s, size_t len);
void cdoc_buf_add_json(struct cdoc_buf *b, const char *s, size_t len);
void cdoc_buf_add_term(struct cdoc_buf *b, const char *s, size_t len);

/*
 * Text input line by line: the line at *@s (before @end), without its
 * "\n" or "\r\n", is [return value, *@eol); *@s moves past it. NULL once
 * *@s reaches @end.
 */
static inline const char *cdoc_next_line(const char **s, const char *end,
                                         const char **eol)
{
	const char *line = *s, *nl;

	if (line >= end)
		return NULL;
	nl = memchr(line, '\n', (size_t)(end - line));
	*eol = nl ? nl : end;
	*s = nl ? nl + 1 : end;
	if (*eol > line && (*eol)[-1] == '\r')
		(*eol)--;
	return line;
}

/*
 * Check that @data is one JSON value (RFC 8259; an object when
 * @want_object), valid UTF-8, nested at most CDOC_JSON_MAX_DEPTH deep,
 * with only white space around it. 0, or -CDOC_EFORMAT with a message
 * naming @name and the byte offset.
 */
#define CDOC_JSON_MAX_DEPTH 256
int cdoc_json_check(const void *data, size_t len, int want_object,
                    const char *name);

/* Length of the valid UTF-8 sequence at @s (1..4), or 0 when invalid. */
size_t cdoc_utf8_seq(const unsigned char *s, size_t len);

/* Write all of @b to @f; 0 or -errno. */
int cdoc_buf_write(const struct cdoc_buf *b, FILE *f);

/* ---- varints: unsigned LEB128, 7 bits a byte, low bits first ---- */

#define CDOC_VARINT_MAX 10 /* bytes of the longest (a full uint64_t) */

/* Append @v to @b as a varint. */
void cdoc_varint_put(struct cdoc_buf *b, uint64_t v);

/*
 * Decode the varint at @p, reading at most @len bytes: the bytes it took
 * (1..CDOC_VARINT_MAX) with *@out set, or 0 when it runs past @len or
 * past CDOC_VARINT_MAX bytes. Inline: stream decoders call it per field.
 */
static inline size_t cdoc_varint_get(const unsigned char *p, size_t len,
                                     uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (__builtin_expect(len && p[0] < 0x80, 1)) {
		*out = p[0];
		return 1;
	}
	for (i = 0; i < len && i < CDOC_VARINT_MAX; i++) {
		v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			*out = v;
			return i + 1;
		}
	}
	return 0;
}

/* ---- search ---- */

/*
 * Upper bound in @nr elements of @size bytes at @base, sorted by the
 * uint64_t at byte offset @off of each: the index of the first element
 * whose key is above @key (@nr when none), which is also how many are at
 * or below it. CDOC_UPPER_BOUND(array, nr, field, key) names the field.
 */
static inline size_t cdoc_upper_bound(const void *base, size_t nr, size_t size,
                                      size_t off, uint64_t key)
{
	const char *b = base;
	size_t lo = 0, hi = nr, mid;
	uint64_t k;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		memcpy(&k, b + mid * size + off, sizeof(k));
		if (k <= key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
#define CDOC_UPPER_BOUND(array, nr, field, key)                                \
	cdoc_upper_bound((array), (nr), sizeof(*(array)),                      \
	                 offsetof(__typeof__(*(array)), field), (key))

/* 64-bit hash of bytes (fast, not cryptographic). */
uint64_t cdoc_hash(const void *data, size_t len);
static inline uint64_t cdoc_hash_u64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/*
 * struct cdoc_index - the open-addressing hash index of lib/: it finds an
 * entry of the caller's own array (by id) from the entry's 64-bit hash.
 * Each slot keeps the id and the hash's high half, so a probe touches an
 * entry only when that half matches. Linear probing; the caller says how
 * full it may get. Use:
 *
 *	cdoc_index_reserve(&x, nr, 50, 1024, hash_of, ctx); // before adding
 *	s = cdoc_index_find(&x, h, eq, &probe);
 *	if (!s->id1) { add entry nr with hash h; cdoc_index_set(s, h, nr); }
 */
struct cdoc_index_slot {
	uint32_t id1; /* entry id + 1; 0 = empty */
	uint32_t tag; /* the high 32 bits of the entry's hash */
};
struct cdoc_index {
	struct cdoc_index_slot *slots; /* NULL until the first reserve */
	size_t mask;                   /* slots - 1, a power of two */
};
typedef uint64_t (*cdoc_index_hash_fn)(const void *ctx, uint32_t id);
typedef int (*cdoc_index_eq_fn)(const void *ctx, uint32_t id);

void cdoc_index_init(struct cdoc_index *x);
void cdoc_index_release(struct cdoc_index *x);

/*
 * Rebuild @x twice as large (@min_slots, a power of two, the first time)
 * with entries 0 .. @nr-1, placed by @hash_of(@ctx, id).
 */
void cdoc_index_grow(struct cdoc_index *x, size_t nr, size_t min_slots,
                     cdoc_index_hash_fn hash_of, const void *ctx);

/*
 * Before adding entry @nr (entries 0 .. @nr-1 are in @x): grow @x when one
 * more would make it over @load_pct percent full.
 */
static inline void cdoc_index_reserve(struct cdoc_index *x, size_t nr,
                                      unsigned load_pct, size_t min_slots,
                                      cdoc_index_hash_fn hash_of,
                                      const void *ctx)
{
	if (!x->slots || (nr + 1) * 100 > (x->mask + 1) * load_pct)
		cdoc_index_grow(x, nr, min_slots, hash_of, ctx);
}

/*
 * The slot of the entry with hash @h for which @eq(@ctx, id) holds, or
 * the empty slot (->id1 == 0) where such an entry goes. @x must have been
 * reserved. Inline, so that a constant @eq is inlined at the call site.
 */
static inline struct cdoc_index_slot *
cdoc_index_find(const struct cdoc_index *x, uint64_t h, cdoc_index_eq_fn eq,
                const void *ctx)
{
	uint32_t tag = (uint32_t)(h >> 32);
	size_t j;

	for (j = h & x->mask; x->slots[j].id1; j = (j + 1) & x->mask)
		if (x->slots[j].tag == tag && eq(ctx, x->slots[j].id1 - 1))
			break;
	return &x->slots[j];
}

/* Put entry @id with hash @h into the empty slot @s from _find. */
static inline void cdoc_index_set(struct cdoc_index_slot *s, uint64_t h,
                                  uint32_t id)
{
	s->id1 = id + 1;
	s->tag = (uint32_t)(h >> 32);
}

/*
 * struct cdoc_u64map - open-addressing map from a 64-bit key to a 32-bit
 * value. Key 0 is not allowed (it marks empty slots).
 */
struct cdoc_u64map {
	uint64_t *keys; /* slot keys, 0 = empty */
	uint32_t *vals; /* slot values */
	size_t nr;      /* keys stored */
	size_t mask;    /* slots - 1; slots is a power of two */
};

void cdoc_u64map_init(struct cdoc_u64map *m);
void cdoc_u64map_release(struct cdoc_u64map *m);
/* Find @key; returns 1 and sets *val, or 0 when absent. */
int cdoc_u64map_get(const struct cdoc_u64map *m, uint64_t key, uint32_t *val);
/* Insert or overwrite @key. */
void cdoc_u64map_put(struct cdoc_u64map *m, uint64_t key, uint32_t val);

/*
 * struct cdoc_strtab - interned strings, each stored once and named by a
 * dense id (0, 1, 2, ...). Strings may contain any byte but are always
 * NUL-terminated in storage. Owns all storage; ids stay valid until
 * cdoc_strtab_release().
 */
struct cdoc_strtab {
	char **chunks; /* storage blocks */
	size_t nr_chunks, alloc_chunks;
	size_t chunk_used;       /* bytes used in the last block */
	size_t chunk_size;       /* size of the last block */
	const char **strs;       /* id -> string */
	uint32_t *lens;          /* id -> length */
	uint64_t *hashes;        /* id -> hash */
	size_t nr, alloc;        /* ids in use / allocated */
	struct cdoc_index index; /* hash -> id */
};

void cdoc_strtab_init(struct cdoc_strtab *t);
void cdoc_strtab_release(struct cdoc_strtab *t);
/* Intern @len bytes at @s (copies them); returns the id. */
uint32_t cdoc_strtab_intern(struct cdoc_strtab *t, const char *s, size_t len);
/* Look up without adding; returns the id or -1. */
int64_t cdoc_strtab_find(const struct cdoc_strtab *t, const char *s,
                         size_t len);
static inline const char *cdoc_strtab_get(const struct cdoc_strtab *t,
                                          uint32_t id)
{
	return t->strs[id];
}
static inline size_t cdoc_strtab_len(const struct cdoc_strtab *t, uint32_t id)
{
	return t->lens[id];
}

/*
 * struct cdoc_input - a whole input file in memory, for parsers.
 * Reads a path, or standard input for "-"; gzip input is inflated.
 * Plain regular files are mapped rather than copied. ->name is what error
 * messages call the file. Owns its data; cdoc_input_release() frees it.
 */
struct cdoc_input {
	const char *data; /* the bytes; data[len] is not guaranteed readable */
	size_t len;       /* number of bytes */
	char *name;       /* "path" or "<stdin>" */
	int mapped;       /* data is an mmap of len bytes */
	char *owned;      /* heap copy when not mapped */
};

/*
 * struct cdoc_input_spec - what an input must look like, checked while it
 * is read (after each piece of a stream or of inflated gzip data, once for
 * a mapped file), so that a wrong, endless or decompression-bomb input
 * fails after its first bytes instead of after all of them.
 */
struct cdoc_input_spec {
	/*
	 * Called with everything read so far (@len bytes at @data, more to
	 * come unless @at_end). Returns 0 to read on, or a negative code with
	 * a message naming @name and the offset to stop. It may keep its
	 * place in @state so as not to look at the same bytes twice.
	 */
	int (*check)(void *state, const char *name, const char *data,
	             size_t len, int at_end);
	void *state;
	int binary; /* 0: text; a NUL byte is an error as soon as it is read */
};

/*
 * Append everything readable from @fd to @out (until end of file; EINTR is
 * retried). 0 or -errno (-ENOMEM when it does not fit: no abort); no
 * message is set.
 */
int cdoc_read_fd(int fd, struct cdoc_buf *out);

/*
 * Read @path ("-": standard input) as @spec says (NULL: text with no other
 * check). 0, or a negative code with cdoc_errmsg() set: the check's
 * message, "FILE:LINE: binary data (a NUL byte at offset N)" for text, or
 * -ENOMEM "out of memory reading FILE at offset N" when the input does not
 * fit in memory (never an abort).
 */
int cdoc_input_open_as(struct cdoc_input *in, const char *path,
                       const struct cdoc_input_spec *spec);
/* Text input: cdoc_input_open_as(@in, @path, NULL). */
int cdoc_input_open(struct cdoc_input *in, const char *path);
/* Wrap bytes already in memory (borrows @data until release; unchecked). */
void cdoc_input_from_mem(struct cdoc_input *in, const char *name,
                         const char *data, size_t len);
void cdoc_input_release(struct cdoc_input *in);

/*
 * struct cdoc_budget - the memory a parser may spend on what it builds
 * from an input: CDOC_BUDGET_BASE plus @ratio bytes per input byte, so
 * that a file of many tiny entries (empty batches, a deep stack sampled in
 * many profiles) cannot cost many times its size. Parsers spend an
 * estimate of each entry's cost, per-entry overhead included, and reject
 * the input when cdoc_budget_spend() says no. Each parser picks @ratio
 * above what valid input of its format needs (docs/reliability.md).
 */
#define CDOC_BUDGET_BASE ((uint64_t)64 << 20)
struct cdoc_budget {
	uint64_t limit; /* bytes that may be spent */
	uint64_t spent; /* bytes spent so far */
};

/* A budget for @input_len bytes of input. */
static inline void cdoc_budget_init(struct cdoc_budget *b, uint64_t input_len,
                                    unsigned ratio)
{
	b->limit = CDOC_BUDGET_BASE + (uint64_t)ratio * input_len;
	b->spent = 0;
}

/* Spend @bytes; 1 while within the budget, 0 once it is exceeded. */
static inline int cdoc_budget_spend(struct cdoc_budget *b, uint64_t bytes)
{
	b->spent += bytes;
	return b->spent <= b->limit;
}

/*
 * Create @path exclusively (O_EXCL|O_NOFOLLOW, mode 0644 minus umask) so a
 * file planted by another user in a shared directory is never written
 * through. With @replace, an existing regular file we own is unlinked
 * first. Returns an fd or a negative code with cdoc_errmsg() set.
 */
int cdoc_create_file(const char *path, int replace);

/*
 * qsort() that accepts an empty array given as NULL (qsort's own contract
 * forbids NULL even for zero elements, and UBSan holds it to that).
 */
static inline void cdoc_sort(void *base, size_t nmemb, size_t size,
                             int (*cmp)(const void *, const void *))
{
	if (nmemb > 1)
		qsort(base, nmemb, size, cmp);
}

/* Monotonic time in nanoseconds. */
uint64_t cdoc_now_ns(void);

/*
 * struct cdoc_reader - bounds-checked reading of varints, 8-byte floats and
 * length-prefixed strings from one buffer (a recording chunk's payload,
 * a heap snapshot). After the
 * first failure ->err is set and every getter returns 0; check ->err once
 * at the end.
 */
struct cdoc_reader {
	const unsigned char *p;     /* next byte */
	const unsigned char *end;   /* end of the payload */
	const unsigned char *start; /* start of the payload */
	const char *err; /* what was expected, when decoding failed */
};

void cdoc_reader_init(struct cdoc_reader *d, const void *data, size_t len);
uint64_t cdoc_reader_u64(struct cdoc_reader *d);
double cdoc_reader_f64(struct cdoc_reader *d);
/* A length-prefixed byte string; *@len set; points into the payload. */
const char *cdoc_reader_bytes(struct cdoc_reader *d, size_t *len);

#endif
