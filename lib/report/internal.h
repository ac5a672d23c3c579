/*
 * internal.h - helpers shared by the renderers of lib/report.
 */
#ifndef CDOC_REPORT_INTERNAL_H
#define CDOC_REPORT_INTERNAL_H

#include "report/report.h"

/* The counters every report shows, even at 0 ("nothing silent"). */
extern const char *const report__quality_counters[];
extern const size_t report__nr_quality_counters;
/* Whether @name is one of report__quality_counters (shown first). */
int report__is_quality_counter(const char *name);

/*
 * The diagnoses to show: @o->diag, or the doctor's run over @r into @own
 * (initialized here; release it with cdoc_diagnoses_release()).
 */
const struct cdoc_diagnoses *report__diagnoses(struct cdoc_recording *r,
                                               const struct cdoc_report_opts *o,
                                               struct cdoc_diagnoses *own);

/*
 * The verdict to show: @o->verdict, or the doctor's on @r into @own
 * (initialized here; release it with cdoc_verdict_release()).
 */
const struct cdoc_verdict *report__verdict(struct cdoc_recording *r,
                                           const struct cdoc_report_opts *o,
                                           struct cdoc_verdict *own);

/* Append the verdict as a JSON object. */
void report__verdict_json(struct cdoc_buf *b, const struct cdoc_verdict *v);

/* Append @s with control characters replaced by '?', for terminals. */
void report__add_safe(struct cdoc_buf *b, const char *s);

/* Append a JSON string (quotes included). */
void report__json_str(struct cdoc_buf *b, const char *s);
/* Append a JSON number; null when not finite. */
void report__json_num(struct cdoc_buf *b, double v);

/* Duration of the run in seconds from meta duration_ns; -1 unknown. */
double report__duration(const struct cdoc_recording *r);

/*
 * Profiles with weight, cpu first then in file order: fills @idx (room
 * for r->nr_profiles) with indices into r->profiles; returns how many.
 */
size_t report__profiles(const struct cdoc_recording *r, size_t *idx);

/* The profile name for @kind: "alloc" -> "alloc_bytes", "leak", ... */
const char *report__profile_alias(const char *kind);

/* "exited 0", "killed by SIGSEGV", "running" for a process. */
void report__proc_status(const struct cdoc_rec_proc *p, struct cdoc_buf *b);

#endif
