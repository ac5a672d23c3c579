/*
 * report.h - rendering a loaded recording: a terminal summary, JSON, a
 * self-contained HTML page (the flame graph page of lib/flame with the
 * diagnoses above it), folded stacks of any profile, and an ncurses
 * browser of the top functions; and the text summary, folded stacks and
 * diff of heap snapshots (lib/heap).
 *
 * `cdoctor report` is a front end to these; `cdoctor run` calls
 * cdoc_report_text() and cdoc_report_html() when the run ends. Renderers
 * append to a caller-owned struct cdoc_buf and never print (except the
 * TUI, which owns the terminal while it runs). Every name from the
 * recording is escaped for its output (JSON, HTML); the text report
 * replaces control characters so a hostile name cannot drive the
 * terminal.
 */
#ifndef CDOC_REPORT_H
#define CDOC_REPORT_H

#include "base/base.h"
#include "doctor/doctor.h"
#include "heap/heap.h"
#include "record/record.h"

/*
 * struct cdoc_report_opts - what every renderer takes. Borrowed until the
 * call returns. cdoc_report_opts_init() sets the defaults.
 */
struct cdoc_report_opts {
	int colour; /* ANSI colours in the text report (caller checks the
	                terminal and NO_COLOR); default 0 */
	size_t top; /* rows of the top-function tables; default 10 */
	const struct cdoc_diagnoses *diag; /* findings to show; NULL: the
	                                      renderer runs the doctor */
	const char *title; /* HTML page title; NULL: "cdoctor: COMMAND" */
};

void cdoc_report_opts_init(struct cdoc_report_opts *o);

/*
 * The terminal summary: command, duration, event, samples, processes and
 * how they ended, resource metrics, diagnoses with recommendations, top
 * functions of the cpu profile by self and total with percentages, the
 * other profiles, and every data-quality counter (lost samples, unwind
 * failures, unresolved frames, ... shown even when 0). A recording cut
 * short gets a warning line first. Returns 0.
 */
int cdoc_report_text(struct cdoc_recording *r, const struct cdoc_report_opts *o,
                     struct cdoc_buf *out);

/*
 * Everything machine-readable as one JSON object: path, complete,
 * cut_short, meta, counters, processes, diagnoses, profiles (name, unit,
 * total, top by self and by total) and metrics. Names are JSON-escaped;
 * non-finite numbers are written as null. Returns 0.
 */
int cdoc_report_json(struct cdoc_recording *r, const struct cdoc_report_opts *o,
                     struct cdoc_buf *out);

/*
 * The JSON object that lib/flame's HTML page shows above the flame graph
 * (title, subtitle, items = diagnoses, counters, metadata); see
 * cdoc_flame_html(). @d may be NULL (no items).
 */
void cdoc_report_blob(struct cdoc_recording *r, const struct cdoc_diagnoses *d,
                      struct cdoc_buf *out);

/*
 * One self-contained HTML doctor report (no network loads): the main
 * finding on top, timelines of every metric on one time axis (bounded in
 * points), a flame graph tab per profile with weight (filtered by a
 * selected time range when the samples kept their times), the findings
 * linked to the chart and tab that prove them, run metadata and counters.
 * Returns 0 or a negative code with a message.
 */
int cdoc_report_html(struct cdoc_recording *r, const struct cdoc_report_opts *o,
                     struct cdoc_buf *out);

/*
 * Folded stacks of profile @kind ("cpu", "alloc_bytes", "leaked_bytes",
 * ...), FlameGraph-compatible. -ENOENT with a message listing the
 * recording's profiles when it has no such profile.
 */
int cdoc_report_folded(struct cdoc_recording *r, const char *kind,
                       struct cdoc_buf *out);

/* The unit of a profile's weights: "samples", "bytes", "allocations". */
const char *cdoc_report_unit(const char *profile);

/*
 * Browse the cpu profile (or @kind) in an ncurses UI on the terminal:
 * the top functions by self or total, and for the selected function its
 * callers and callees. Returns 0 when the user quits, or -ENOTTY with a
 * message when standard input or output is not a terminal, -ENOENT when
 * the profile is missing.
 */
int cdoc_report_tui(struct cdoc_recording *r, const char *kind);

/* ---- heap snapshots (lib/heap): `cdoctor heap` ---- */

/*
 * Folded stacks ("root;...;leaf N"), one line per site with a non-zero
 * value, roots first; processes become the root frame when there are
 * several. Appends to @out.
 */
void cdoc_heap_folded(const struct cdoc_heap_snap *s, int kind,
                      struct cdoc_buf *out);

/* A site's stack as "leaf < caller < caller" (at most @depth frames). */
void cdoc_heap_site_name(const struct cdoc_heap_snap *s,
                         const struct cdoc_heap_site *site, int depth,
                         struct cdoc_buf *out);

/*
 * The summary a user reads: totals per process and function, peak and
 * when, leaked at exit by call site, most allocations, most temporary
 * allocations, size histogram, the counters. @top sites per list.
 */
void cdoc_heap_report_text(const struct cdoc_heap_snap *s, int top,
                           struct cdoc_buf *out);

/* One row of a diff: a call site matched by process name and stack. */
struct cdoc_heap_growth {
	uint32_t site_a, site_b; /* indexes, CDOC_HEAP_NOSITE if absent */
	int64_t bytes, count;    /* growth of live bytes and objects */
	double share;            /* bytes / total positive growth */
};
#define CDOC_HEAP_NOSITE UINT32_MAX

/*
 * Sites ranked by growth of live bytes from @a to @b (then objects).
 * *@out (caller frees) gets *@nr rows. Returns 0.
 */
int cdoc_heap_diff(const struct cdoc_heap_snap *a,
                   const struct cdoc_heap_snap *b,
                   struct cdoc_heap_growth **out, size_t *nr);

/* The diff as text: the @top sites that grew, with their share. */
void cdoc_heap_diff_text(const struct cdoc_heap_snap *a,
                         const struct cdoc_heap_snap *b,
                         const struct cdoc_heap_growth *rows, size_t nr,
                         int top, struct cdoc_buf *out);

#endif
