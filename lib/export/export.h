/*
 * export.h - a recording in the formats other tools read, sent to a
 * continuous-profiling server, or merged with other recordings.
 *
 * Formats: pprof (gzipped profile.proto, for go tool pprof, Pyroscope,
 * Parca, Grafana), speedscope's file format, Chrome DevTools .cpuprofile,
 * Chrome trace-event JSON (Perfetto) and folded stacks. docs/exports.md
 * says what each carries. Nothing here prints; errors are negative codes
 * with cdoc_errmsg() set.
 */
#ifndef CDOC_EXPORT_H
#define CDOC_EXPORT_H

#include "base/base.h"
#include "record/record.h"

enum cdoc_export_format {
	CDOC_EXPORT_PPROF,
	CDOC_EXPORT_SPEEDSCOPE,
	CDOC_EXPORT_CPUPROFILE,
	CDOC_EXPORT_TRACE,
	CDOC_EXPORT_FOLDED,
};

/* The format named @name ("pprof", ...), or -1. */
int cdoc_export_format(const char *name);

/*
 * Append recording @r to @out in @format. @kind chooses the profile:
 * for pprof a group ("cpu", "heap", "leaks", "offcpu") or any profile
 * name in the recording; for the others a profile name ("cpu" when
 * NULL). The trace format always writes everything timed. Fails with
 * -CDOC_EFORMAT and a message listing what there is when @kind is not in
 * @r.
 */
int cdoc_export(struct cdoc_recording *r, int format, const char *kind,
                struct cdoc_buf *out);

/* pprof: gzipped profile.proto of group or profile @kind. */
int cdoc_export_pprof(struct cdoc_recording *r, const char *kind,
                      struct cdoc_buf *out);
/* The same, not gzipped (for tests and for callers that compress). */
int cdoc_export_pprof_raw(struct cdoc_recording *r, const char *kind,
                          struct cdoc_buf *out);
int cdoc_export_speedscope(struct cdoc_recording *r, const char *kind,
                           struct cdoc_buf *out);
int cdoc_export_cpuprofile(struct cdoc_recording *r, const char *kind,
                           struct cdoc_buf *out);
int cdoc_export_trace(struct cdoc_recording *r, struct cdoc_buf *out);

/*
 * Merge the recordings at @paths (@n of them) into a new recording at
 * @out_path: every profile's weights summed by stack, counters summed,
 * processes listed, META of the last input (duration_ns the sum,
 * merged_from the number of inputs). Time lines are not merged (times
 * of different runs share no clock): the result has SAMPLES only.
 */
int cdoc_export_merge(const char *const *paths, size_t n, const char *out_path);

/* struct cdoc_push_opts - where and how to push (cdoc_export_push). */
struct cdoc_push_opts {
	const char *url;    /* server base URL, "http://host:4040" */
	const char *app;    /* application name; NULL: the command's name */
	const char *labels; /* "k=v,k=v" or NULL */
	long timeout_s;     /* whole request; 0 means 30 */
};

/*
 * POST every profile group of @r that has weight as pprof to a Pyroscope
 * server's /ingest API (multipart/form-data, field "profile"), one
 * request per group, with from/until from the recording's start time and
 * duration. Returns the number of profiles sent, or a negative code with
 * a message naming the URL and the HTTP status or transport error.
 */
int cdoc_export_push(struct cdoc_recording *r, const struct cdoc_push_opts *o);

/*
 * The URL of one ingest request (caller frees): o->url + "/ingest?name="
 * APP{labels} (URL-encoded) + from, until, format=pprof, spyName,
 * sampleRate. Checks that the application name and label keys and values
 * hold only [A-Za-z0-9_.-]; -EINVAL with a message otherwise.
 */
int cdoc_export_ingest_url(const struct cdoc_push_opts *o, uint64_t from_s,
                           uint64_t until_s, unsigned sample_rate, char **url);

#endif
