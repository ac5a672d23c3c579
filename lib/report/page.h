/*
 * page.h - the parts of the HTML doctor report (lib/report/html.c):
 * the time series (timeline.c) and the profiles (flamedata.c) as JSON.
 */
#ifndef CDOC_REPORT_PAGE_H
#define CDOC_REPORT_PAGE_H

#include "report/internal.h"

/*
 * Append a JSON array of charts: [{id, title, unit, series: [{metric,
 * label, zero, n, t, v[, lo, hi]}]}], every metric of @r on one time axis
 * of @span seconds, at most a fixed number of points per series (min,
 * mean and max per bucket beyond that). Counters become rates per second.
 */
void report__timeline_json(const struct cdoc_recording *r, double span,
                           struct cdoc_buf *b);

/*
 * Append profile r->profiles[@prof] as a JSON object: {name, unit, total,
 * frames, names, nodes: [parent, name, ...], self: [...], and when samples
 * kept their times, timed: {span, buckets, b: [bucket, node, weight, ...]}}.
 * Narrow frames are merged into their callers, so the size is bounded.
 */
void report__profile_json(const struct cdoc_recording *r, size_t prof,
                          double span, struct cdoc_buf *b);

/*
 * Append the derived profile "blocked_loop" (unit ns): the cpu samples
 * (as ns at the recording's frequency) and off-CPU samples (a last frame
 * "[off-CPU: CLASS]") of loop threads whose time falls inside one of that
 * thread's long ticks (TICKS chunks); samples in a wait call that ends
 * ticks (epoll_wait, poll, select, ...) are the loop waiting, never
 * counted. 1 when appended, 0 when the
 * recording has no long tick or no such sample.
 */
int report__blocked_json(const struct cdoc_recording *r, double span,
                         struct cdoc_buf *b);

#endif
