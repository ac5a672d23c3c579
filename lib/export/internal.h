/*
 * internal.h - shared by the files of lib/export: a protobuf encoder,
 * frame name helpers and the merged view of several profiles.
 */
#ifndef CDOC_EXPORT_INTERNAL_H
#define CDOC_EXPORT_INTERNAL_H

#include "export/export.h"

/*
 * Protobuf encoding (pb.c). pprof needs only varint and length-delimited
 * fields, so a few functions do it; wire types 0 and 2 only.
 */
void export__pb_u64(struct cdoc_buf *b, uint32_t field, uint64_t v);
void export__pb_i64(struct cdoc_buf *b, uint32_t field, int64_t v);
void export__pb_bytes(struct cdoc_buf *b, uint32_t field, const void *p,
                      size_t len);
void export__pb_packed(struct cdoc_buf *b, uint32_t field, const uint64_t *v,
                       size_t n);

/* Append @b to @out (an empty @b may have a NULL ->buf). */
void export__add_buf(struct cdoc_buf *out, const struct cdoc_buf *b);

/* gzip @len bytes at @data onto @out (zlib). 0 or negative. */
int export__gzip_buf(const void *data, size_t len, struct cdoc_buf *out);

/* The message listing the profiles of @r, for an unknown @kind. */
int export__no_profile(const struct cdoc_recording *r, const char *kind);

/* Nanoseconds between samples, from META frequency (0 when unknown). */
uint64_t export__sample_period_ns(const struct cdoc_recording *r);

/* Seconds since the epoch of META start_time (0 when missing). */
uint64_t export__start_epoch_s(const struct cdoc_recording *r);

/* Duration from META duration_ns (0 when missing). */
uint64_t export__duration_ns(const struct cdoc_recording *r);

/* The node path from the root's child to @node: ids into @ids (caller
 * frees), returns the depth. */
size_t export__node_path(const struct cdoc_profile *p, uint32_t node,
                         uint32_t **ids);

/* JSON string with quotes, escaped. */
void export__json_str(struct cdoc_buf *b, const char *s, size_t len);

/*
 * libcurl's entry points (curl.c), opened with dlopen() on the first call
 * so that runs that never push do not load it; NULL (with no message)
 * when it cannot be loaded. Thread-safe.
 */
#include <curl/curl.h>
struct export__curl {
	__typeof__(curl_global_init) *global_init;
	__typeof__(curl_global_cleanup) *global_cleanup;
	__typeof__(curl_easy_init) *easy_init;
	__typeof__(curl_easy_cleanup) *easy_cleanup;
	__typeof__(curl_easy_setopt) *easy_setopt;
	__typeof__(curl_easy_perform) *easy_perform;
	__typeof__(curl_easy_getinfo) *easy_getinfo;
	__typeof__(curl_easy_strerror) *easy_strerror;
	__typeof__(curl_mime_init) *mime_init;
	__typeof__(curl_mime_addpart) *mime_addpart;
	__typeof__(curl_mime_name) *mime_name;
	__typeof__(curl_mime_filename) *mime_filename;
	__typeof__(curl_mime_type) *mime_type;
	__typeof__(curl_mime_data) *mime_data;
	__typeof__(curl_mime_free) *mime_free;
};
const struct export__curl *export__curl(void);

#endif

/* The samples of one thread in time order (timeline.c). */
struct tl_thread {
	uint32_t pid, tid;
	uint32_t name; /* node of the stack's first frame (thread name) */
	size_t *idx;   /* indices into r->tsamples, by time */
	size_t n, alloc;
};

/*
 * Group the timed samples of profile @prof (an index in r->profiles) by
 * thread, each in time order; threads by pid, tid. Returns the number of
 * threads (*@out allocated; free with tl_free).
 */
size_t export__tl_threads(const struct cdoc_recording *r, int prof,
                          struct tl_thread **out);
void export__tl_free(struct tl_thread *t, size_t n);

/* Called for each frame opened or closed, at @t_ns. */
typedef void (*tl_fn)(void *arg, int open, uint32_t node, uint64_t t_ns);

/*
 * Replay thread @th as nested frames: each sample lasts until the next
 * one or @period_ns, whichever is first; frames shared with the previous
 * sample stay open. Every open gets its close, in nesting order.
 */
void export__tl_walk(const struct cdoc_recording *r,
                     const struct cdoc_profile *p, const struct tl_thread *th,
                     uint64_t period_ns, tl_fn fn, void *arg);

/* Whether profile @prof (an index) has timed samples. */
int export__has_times(const struct cdoc_recording *r, int prof);

/* The sample period, or 1/99 s when the recording does not say. */
uint64_t export__period_or_default(const struct cdoc_recording *r);
