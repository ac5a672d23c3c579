/*
 * perfscript.h - `perf script` text to folded stacks.
 *
 * The output is byte for byte what FlameGraph's stackcollapse-perf.pl
 * prints for the same input and options: one "comm;root;...;leaf count"
 * line per distinct stack, sorted by byte order of the stack string.
 * docs/cflame-collapse.md lists the rules this follows.
 *
 * Use:
 *	struct cdoc_perfscript *ps = cdoc_perfscript_new(&opts);
 *	ret = cdoc_perfscript_add(ps, &input);   (once per input, in order)
 *	cdoc_perfscript_write(ps, &buf);
 *	cdoc_perfscript_free(ps);
 * Several inputs behave like one stream, as the perl script's `<>` does.
 */
#ifndef CDOC_PERFSCRIPT_H
#define CDOC_PERFSCRIPT_H

#include <stdint.h>

#include "base/base.h"

/* What to put in the stacks: the perl script's options of the same names. */
struct cdoc_perfscript_opts {
	unsigned pid : 1; /* comm-PID as the root frame */
	unsigned tid : 1; /* comm-PID/TID as the root frame (wins over pid) */
	unsigned kernel : 1; /* _[k] after kernel frames */
	unsigned jit : 1;    /* _[j] after frames from /tmp/perf-PID.map */
	unsigned addrs : 1;  /* [module <addr>] for frames with no symbol */
	const char *event_filter; /* keep this event only; NULL or "": the
				     first event seen (borrowed) */
	int threads; /* worker threads for one input; 0 picks by size */
};

/* What the parser saw, for messages. Filled by cdoc_perfscript_stats(). */
struct cdoc_perfscript_stats {
	uint64_t lines;        /* lines read */
	uint64_t samples;      /* stacks counted */
	uint64_t filtered;     /* sample headers dropped by the event filter */
	uint64_t unrecognized; /* lines that are neither header nor frame
				  (skipped, as the perl script warns) */
	const char *first_unrecognized; /* "file:line" of the first one, or
					   NULL; valid until _free */
	const char *event;   /* the event kept, or NULL when none was named
				  by any sample; valid until _free */
	int event_defaulted; /* 1 when the event was the first one seen */
	uint64_t stacks;     /* distinct stacks */
};

struct cdoc_perfscript;

/* A new, empty collapser; @opts is copied (event_filter is borrowed). */
struct cdoc_perfscript *
cdoc_perfscript_new(const struct cdoc_perfscript_opts *opts);

/*
 * Open @path ("-": standard input, gzip inflated) as perf script text:
 * a perf.data file or a NUL byte stops the reading at once, with the
 * file and offset in the message (cdoc_input_open_as()).
 */
int cdoc_perfscript_open(struct cdoc_input *in, const char *path);

/*
 * Parse all of @in and add its samples. State carries over from the
 * previous input, as when the perl script reads several files.
 * Returns 0, or -CDOC_EFORMAT with cdoc_errmsg() naming the file and line
 * when @in is not perf script text (binary data, a perf.data file, or
 * a first line that is no perf script line, e.g. a folded file).
 * @in is borrowed for the call only.
 */
int cdoc_perfscript_add(struct cdoc_perfscript *ps,
                        const struct cdoc_input *in);

/*
 * Append the folded stacks, sorted, to @out ("stack count\n" each).
 * Can be called more than once; the stacks stay.
 */
void cdoc_perfscript_write(const struct cdoc_perfscript *ps,
                           struct cdoc_buf *out);

/* Counters so far; the strings stay valid until cdoc_perfscript_free(). */
void cdoc_perfscript_stats(const struct cdoc_perfscript *ps,
                           struct cdoc_perfscript_stats *st);

void cdoc_perfscript_free(struct cdoc_perfscript *ps);

#endif
