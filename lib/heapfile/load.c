/*
 * load.c - a heap snapshot from whatever file a user names: a .heap
 * snapshot, a recording (.cdr, one of its snapshots by index or name), or
 * a raw allocation-stream dump (--dump), told apart by their first bytes;
 * and the list of the snapshots in a recording.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "heapfile/heapfile.h"
#include "record/record.h"

#define SNAP_MAGIC "CDHEAP1\n" /* the .heap format's first 8 bytes */

/* The first 8 bytes of @path (inflated when it is gzip, as every loader
 * reads it) into @magic; zeros when it has fewer, or when it is not a
 * regular file: reading a pipe or FIFO would eat bytes the loader needs
 * (a stream comes through those). */
static void read_magic(const char *path, char magic[8])
{
	struct stat st;
	gzFile f;

	memset(magic, 0, 8);
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return;
	f = gzopen(path, "rb");
	if (!f)
		return;
	if (gzread(f, magic, 8) != 8)
		magic[0] = 0;
	gzclose(f);
}

int cdoc_heap_file_kind(const char *path)
{
	char magic[8];

	read_magic(path, magic);
	if (!memcmp(magic, CDOC_REC_MAGIC, 8))
		return CDOC_HEAP_FILE_RECORDING;
	if (!memcmp(magic, SNAP_MAGIC, 8) || strcmp(path, "-") == 0)
		return CDOC_HEAP_FILE_SNAPSHOT;
	return CDOC_HEAP_FILE_STREAM;
}

int cdoc_heap_rec_load_file(struct cdoc_heap_snap *out, const char *path,
                            long index, const char *name)
{
	struct cdoc_recording r;
	long ret;

	memset(&r, 0, sizeof(r));
	ret = cdoc_recording_load(&r, path);
	if (ret == 0 && name)
		ret = index = cdoc_heap_rec_find(&r, name);
	if (ret >= 0)
		ret = cdoc_heap_rec_load(&r, index, out, NULL);
	cdoc_recording_release(&r);
	return (int)ret;
}

/* The snapshot the model of a whole stream dump ends with. */
static int load_stream(struct cdoc_heap_snap *out, const char *path)
{
	struct cdoc_heap *h;
	int ret = cdoc_heap_new(&h);

	if (ret < 0)
		return ret;
	ret = cdoc_heap_load_stream(h, path);
	if (ret == 0)
		ret = cdoc_heap_snapshot(h, out);
	cdoc_heap_free(h);
	return ret;
}

int cdoc_heap_load_any(struct cdoc_heap_snap *out, const char *path, long index,
                       const char *name)
{
	switch (cdoc_heap_file_kind(path)) {
	case CDOC_HEAP_FILE_RECORDING:
		return cdoc_heap_rec_load_file(out, path, index, name);
	case CDOC_HEAP_FILE_SNAPSHOT:
		return cdoc_heap_snap_load(out, path);
	}
	return load_stream(out, path);
}

static uint64_t live_bytes(const struct cdoc_heap_snap *s)
{
	uint64_t n = 0;

	for (size_t i = 0; i < s->nr_procs; i++)
		n += s->procs[i].live_bytes;
	return n;
}

/* Entry @i of @r into @e; 0 or negative. */
static int list_one(const struct cdoc_recording *r, size_t i,
                    struct cdoc_heap_rec_entry *e)
{
	struct cdoc_heap_snap s;
	int ret;

	cdoc_heap_snap_init(&s);
	ret = cdoc_heap_rec_load(r, (long)i, &s, &e->name);
	if (ret == 0) {
		e->time_ns = s.time_ns;
		e->live_bytes = live_bytes(&s);
	} else {
		free(e->name);
		e->name = NULL;
	}
	cdoc_heap_snap_release(&s);
	return ret;
}

int cdoc_heap_rec_list(const char *path, struct cdoc_heap_rec_entry **out,
                       size_t *nr)
{
	struct cdoc_recording r;
	size_t i, n;
	int ret;

	*out = NULL;
	*nr = 0;
	memset(&r, 0, sizeof(r));
	ret = cdoc_recording_load(&r, path);
	n = ret < 0 ? 0 : cdoc_heap_rec_count(&r);
	if (n)
		*out = cdoc_calloc(n, sizeof(**out));
	for (i = 0; i < n && ret == 0; i++) {
		ret = list_one(&r, i, &(*out)[i]);
		if (ret == 0)
			*nr = i + 1;
	}
	cdoc_recording_release(&r);
	return ret;
}

void cdoc_heap_rec_list_free(struct cdoc_heap_rec_entry *e, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(e[i].name);
	free(e);
}
