/*
 * internal.h - the pieces of the perf script collapser: line recognition
 * (lines.c), frame names (frame.c), the stack table (table.c). Shared by
 * lib/perfscript sources and the unit tests, not by other modules.
 */
#ifndef CDOC_PERFSCRIPT_INTERNAL_H
#define CDOC_PERFSCRIPT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "perfscript/perfscript.h"

/* A borrowed byte range of a line (not NUL-terminated). */
struct ps_span {
	const char *s;
	size_t len;
};

/*
 * A sample header line, "comm pid/tid [cpu] time: period event:".
 * ->tid.s is NULL when the line has one number (then that is the TID and
 * the PID is unknown, "?"). ->has_event is 0 when the line does not end
 * in "event:"; then ->period and ->event are empty.
 */
struct ps_header {
	struct ps_span comm, pid, tid;
	int has_event;
	struct ps_span period; /* digits, or empty */
	struct ps_span event;
};

/* A stack frame line, "  addr symbol+0xoff (module)". */
struct ps_frame {
	struct ps_span pc, func, mod;
};

/* Byte classes as perl's \s (space \t \n \v \f \r), \d and \w on bytes. */
#define PS_SPACE 1
#define PS_DIGIT 2
#define PS_WORD  4
extern const unsigned char cdoc_ps_class[256];

static inline int ps_isspace(unsigned char c)
{
	return cdoc_ps_class[c] & PS_SPACE;
}

static inline int ps_isdigit(unsigned char c)
{
	return cdoc_ps_class[c] & PS_DIGIT;
}

static inline int ps_isword(unsigned char c)
{
	return cdoc_ps_class[c] & PS_WORD;
}

/* 1 when @s (@len bytes, no newline) is a sample header; fills @h. */
int cdoc_ps_header(const char *s, size_t len, struct ps_header *h);

/* 1 when @s is a stack frame line; fills @f. */
int cdoc_ps_frame(const char *s, size_t len, struct ps_frame *f);

/* What frame naming needs besides the frame itself. */
struct ps_namectx {
	const struct cdoc_perfscript_opts *opts;
	int java; /* the process name begins with "java" */
};

/*
 * Append the names of frame @f to @out as the perl script would push them
 * on the stack (an inline chain "a->b" gives "a;b_[i]"), and return how
 * many names were appended (0 when the frame is skipped).
 */
int cdoc_ps_frame_names(const struct ps_namectx *ctx, const struct ps_frame *f,
                        struct cdoc_buf *out);

/*
 * A sample weight as perl adds it: an exact integer until a sum no longer
 * fits 64 bits, then a double (printed as perl prints numbers, "%.15g").
 */
struct ps_count {
	uint64_t n;
	double nv;
	int inexact;
};

void cdoc_ps_count_add(struct ps_count *c, const struct ps_count *v);
/* The period digits of a header as a count (empty or "0" counts 1). */
void cdoc_ps_count_parse(struct ps_count *c, const char *s, size_t len);
void cdoc_ps_count_print(const struct ps_count *c, struct cdoc_buf *out);

/* struct ps_table - distinct stack strings and their counts. */
struct ps_entry {
	uint64_t hash; /* of the key */
	uint64_t off;  /* key offset in ->keys */
	uint32_t len;  /* key length */
	struct ps_count count;
};

struct ps_table {
	struct cdoc_index index; /* key hash -> entry */
	struct ps_entry *ents;
	size_t nr, alloc;
	char *keys; /* key bytes, back to back */
	size_t keys_len, keys_alloc;
};

void cdoc_ps_table_init(struct ps_table *t);
void cdoc_ps_table_release(struct ps_table *t);
/* Add @c to the count of stack @s (copied when new). */
void cdoc_ps_table_add(struct ps_table *t, const char *s, size_t len,
                       const struct ps_count *c);
/* Add every stack of @src to @dst. */
void cdoc_ps_table_merge(struct ps_table *dst, const struct ps_table *src);
/* Append "stack count\n" lines in byte order of the stacks. */
void cdoc_ps_table_write(const struct ps_table *t, struct cdoc_buf *out);

#endif
