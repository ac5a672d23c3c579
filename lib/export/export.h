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

/*
 * Keep in @r only the timed samples from index @first of r->tsamples on
 * (the profiles that have timed samples are rebuilt from them; the
 * others are kept when @keep_untimed, emptied otherwise), and set its
 * start_time and duration_ns META to the interval [@from_ns, @until_ns)
 * of the run. Returns the weight kept. For pushing intervals.
 */
uint64_t cdoc_export_window(struct cdoc_recording *r, size_t first,
                            uint64_t from_ns, uint64_t until_ns,
                            int keep_untimed);

/*
 * A pusher sends a recording that is being written to a Pyroscope
 * server every @interval_s seconds, from a thread of its own that only
 * reads the file at @path and does the HTTP (the run never waits on
 * it): each push holds the timed samples written since the previous one,
 * with from/until of that interval. Intervals without new samples are
 * not sent. Failures are counted, not fatal; _finish reports them.
 */
struct cdoc_pusher;
int cdoc_export_pusher_start(struct cdoc_pusher **p, const char *path,
                             const struct cdoc_push_opts *o, double interval_s);
/* Stop the thread (waits for a request in flight). Idempotent. */
void cdoc_export_pusher_stop(struct cdoc_pusher *p);
/*
 * Stop, then push the rest of the finished recording @r (the timed
 * samples not sent yet and the untimed profiles, such as heap). Sets
 * *@pushes to the profiles sent in all; -EIO with a message when any
 * push failed.
 */
int cdoc_export_pusher_finish(struct cdoc_pusher *p, struct cdoc_recording *r,
                              int *pushes);
void cdoc_export_pusher_free(struct cdoc_pusher *p);

#endif
