/*
 * heapfile.h - heap snapshots in files: the .heap format (one snapshot,
 * self-contained, in varints; layout in docs/alloc.md), snapshots as
 * HEAP_SNAPSHOT chunks of a recording (.cdr) with the heap profiles, and
 * loading a snapshot from whatever file a user names (a .heap file, a
 * recording, or a raw stream dump decoded by lib/heap).
 *
 * Every parser is strict: a corrupt or truncated input fails with
 * -CDOC_EFORMAT and a message naming the input and the byte offset.
 * Nothing here prints; errors are negative codes with cdoc_errmsg() set.
 */
#ifndef CDOC_HEAPFILE_H
#define CDOC_HEAPFILE_H

#include "base/base.h"
#include "heap/heap.h"

struct cdoc_rec_writer;
struct cdoc_recording;

/* ---- the .heap format ---- */

/* Serialize @s (appends to @out): the .heap format, docs/alloc.md. */
void cdoc_heap_snap_encode(const struct cdoc_heap_snap *s,
                           struct cdoc_buf *out);

/*
 * Parse a serialized snapshot. @name is used in messages; a corrupt or
 * truncated input fails with -CDOC_EFORMAT naming the byte offset.
 * @out must be initialized; on failure it is left empty.
 */
int cdoc_heap_snap_decode(struct cdoc_heap_snap *out, const void *data,
                          size_t len, const char *name);

/* Write to / read from a .heap file (created with cdoc_create_file). */
int cdoc_heap_snap_save(const struct cdoc_heap_snap *s, const char *path);
int cdoc_heap_snap_load(struct cdoc_heap_snap *out, const char *path);

/* ---- snapshots in a recording (lib/record) ---- */

/* Write @s as a HEAP_SNAPSHOT chunk called @name ("exit", "t=1.5s"). */
int cdoc_heap_rec_write(struct cdoc_rec_writer *w, const char *name,
                        const struct cdoc_heap_snap *s);

/*
 * Add @s to the recording's profiles "alloc_bytes", "alloc_count",
 * "leaked_bytes", "live_bytes", "peak_bytes" and "temp_count" (samples
 * by stack, root first, per pid), so reports and folded output show them.
 */
int cdoc_heap_rec_profiles(struct cdoc_rec_writer *w,
                           const struct cdoc_heap_snap *s);

/* How many heap snapshots @r holds. */
size_t cdoc_heap_rec_count(const struct cdoc_recording *r);

/*
 * Decode snapshot @index of @r (negative: from the end, -1 the last) into
 * @out (initialized). *@name, if @name is set, gets its name (caller
 * frees). 0, -ENOENT, or -CDOC_EFORMAT with the offset in the message.
 */
int cdoc_heap_rec_load(const struct cdoc_recording *r, long index,
                       struct cdoc_heap_snap *out, char **name);

/*
 * The index of the snapshot called @name in @r (the last one when several
 * have it), or -ENOENT with a message.
 */
long cdoc_heap_rec_find(const struct cdoc_recording *r, const char *name);

/* ---- loading a snapshot from any file a user names ---- */

/* What a file holds, by its first bytes (cdoc_heap_file_kind). */
enum cdoc_heap_file {
	CDOC_HEAP_FILE_STREAM,    /* anything else: a raw stream dump */
	CDOC_HEAP_FILE_SNAPSHOT,  /* a .heap snapshot (or "-": stdin) */
	CDOC_HEAP_FILE_RECORDING, /* a recording (.cdr) */
};

/*
 * The kind of @path by its first 8 bytes: a recording, a .heap snapshot
 * ("-", stdin, counts as one), else a stream dump (also when @path is
 * unreadable or short: loading it then says why). Never fails.
 */
int cdoc_heap_file_kind(const char *path);

/*
 * Decode snapshot @index of the recording @path (negative: from the end,
 * -1 the last), or, when @name is set, the last one called @name, into
 * @out (initialized). 0 or negative with a message naming @path.
 */
int cdoc_heap_rec_load_file(struct cdoc_heap_snap *out, const char *path,
                            long index, const char *name);

/*
 * Load a snapshot from whatever @path is (cdoc_heap_file_kind): a .heap
 * file, snapshot @index or @name of a recording (as above), or the end of
 * a raw stream dump (decoded, then snapshotted). @out must be
 * initialized; it is filled. 0 or negative with a message naming @path.
 */
int cdoc_heap_load_any(struct cdoc_heap_snap *out, const char *path, long index,
                       const char *name);

/* struct cdoc_heap_rec_entry - one snapshot of a recording, as listed. */
struct cdoc_heap_rec_entry {
	char *name;          /* its name ("exit", "t=0.500s"); owned */
	uint64_t time_ns;    /* its time since the first event */
	uint64_t live_bytes; /* bytes live then, all processes together */
};

/*
 * The snapshots of the recording @path, in order: *@out gets *@nr entries
 * (free with cdoc_heap_rec_list_free(), also on failure). 0, or negative
 * with a message; on failure *@out holds the entries before the bad one.
 */
int cdoc_heap_rec_list(const char *path, struct cdoc_heap_rec_entry **out,
                       size_t *nr);
void cdoc_heap_rec_list_free(struct cdoc_heap_rec_entry *e, size_t nr);

#endif
