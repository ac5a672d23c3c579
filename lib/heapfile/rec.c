/*
 * rec.c - heap snapshots in a recording (.cdr), and the heap profiles
 * made from a snapshot.
 *
 * A HEAP_SNAPSHOT chunk's payload is: varint name length, the name
 * ("t=1.250s", "exit"), then the snapshot in the .heap format.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "heapfile/heapfile.h"
#include "record/record.h"

int cdoc_heap_rec_write(struct cdoc_rec_writer *w, const char *name,
                        const struct cdoc_heap_snap *s)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	int ret;

	cdoc_rec_put_bytes(&b, name, strlen(name));
	cdoc_heap_snap_encode(s, &b);
	ret = cdoc_rec_chunk(w, CDOC_REC_HEAP_SNAPSHOT, b.buf, b.len);
	cdoc_buf_release(&b);
	return ret;
}

/* The stack of @site as a recording stack, root first. */
static uint32_t rec_stack(struct cdoc_rec_writer *w,
                          const struct cdoc_heap_snap *s,
                          const struct cdoc_heap_site *site)
{
	const struct cdoc_heap_stack *st = &s->stacks[site->stack];
	uint32_t id = CDOC_REC_ROOT, j, name;

	for (j = st->nr; j-- > 0;) {
		name = s->frames[st->first + j];
		id = cdoc_rec_stack(
		        w, id,
		        cdoc_rec_string(w, cdoc_strtab_get(&s->names, name),
		                        cdoc_strtab_len(&s->names, name)));
	}
	return id;
}

static const struct {
	const char *profile;
	int kind;
} profiles[] = {
        {"alloc_bytes", CDOC_HEAP_ALLOC_BYTES},
        {"alloc_count", CDOC_HEAP_ALLOC_COUNT},
        {"leaked_bytes", CDOC_HEAP_LEAKED_BYTES},
        {"leaked_count", CDOC_HEAP_LEAKED_COUNT},
        {"live_bytes", CDOC_HEAP_LIVE_BYTES},
        {"peak_bytes", CDOC_HEAP_PEAK_BYTES},
        {"temp_count", CDOC_HEAP_TEMP_COUNT},
};

/*
 * The allocation-side counters as recording counters, so that every
 * report's data-quality section shows what tracking missed.
 */
static int rec_counters(struct cdoc_rec_writer *w,
                        const struct cdoc_heap_snap *s)
{
	const struct cdoc_heap_counters *c = &s->counters;
	uint64_t calls = 0;
	size_t i, k;
	int ret = 0;

	for (i = 0; i < s->nr_procs; i++)
		for (k = 0; k < CDOC_AFN_NR; k++)
			calls += s->procs[i].calls[k];
	ret |= cdoc_rec_counter(w, "alloc_events", calls);
	ret |= cdoc_rec_counter(w, "alloc_unrecorded", c->reentrant);
	ret |= cdoc_rec_counter(w, "alloc_send_errors", c->write_errors);
	ret |= cdoc_rec_counter(w, "alloc_unmatched_free", c->unmatched_frees);
	ret |= cdoc_rec_counter(w, "alloc_unknown_stacks", c->unknown_stacks);
	ret |= cdoc_rec_counter(w, "alloc_no_exit", c->no_exit);
	return ret;
}

int cdoc_heap_rec_profiles(struct cdoc_rec_writer *w,
                           const struct cdoc_heap_snap *s)
{
	size_t i, k;
	int ret = rec_counters(w, s);

	if (ret < 0)
		return ret;

	for (i = 0; i < s->nr_sites; i++) {
		const struct cdoc_heap_site *site = &s->sites[i];
		uint32_t stack = rec_stack(w, s, site);

		for (k = 0; k < CDOC_ARRAY_SIZE(profiles); k++) {
			uint64_t v =
			        cdoc_heap_site_value(s, site, profiles[k].kind);

			if (!v)
				continue;
			ret = cdoc_rec_sample(
			        w, cdoc_rec_str(w, profiles[k].profile),
			        s->procs[site->proc].pid, stack, v);
			if (ret < 0)
				return ret;
		}
	}
	return cdoc_rec_flush(w);
}

size_t cdoc_heap_rec_count(const struct cdoc_recording *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->nr_blobs; i++)
		n += r->blobs[i].type == CDOC_REC_HEAP_SNAPSHOT;
	return n;
}

static int decode_blob(const struct cdoc_recording *r,
                       const struct cdoc_rec_blob *b,
                       struct cdoc_heap_snap *out, char **name)
{
	struct cdoc_reader d;
	const char *nm;
	size_t len, off;
	char where[300];

	cdoc_reader_init(&d, b->data, b->len);
	nm = cdoc_reader_bytes(&d, &len);
	if (d.err)
		return cdoc_error(-CDOC_EFORMAT,
		                  "%s: offset %llu: heap snapshot: %s",
		                  r->path ? r->path : "recording",
		                  (unsigned long long)b->offset, d.err);
	off = (size_t)(d.p - d.start);
	if (name)
		*name = cdoc_strndup(nm, len);
	snprintf(where, sizeof(where), "%s: heap snapshot at offset %llu",
	         r->path ? r->path : "recording",
	         (unsigned long long)b->offset);
	return cdoc_heap_snap_decode(out, b->data + off, b->len - off, where);
}

int cdoc_heap_rec_load(const struct cdoc_recording *r, long index,
                       struct cdoc_heap_snap *out, char **name)
{
	size_t i, n = cdoc_heap_rec_count(r), k = 0;

	if (index < 0)
		index += (long)n;
	if (index < 0 || (size_t)index >= n)
		return cdoc_error(-ENOENT,
		                  "%s: no heap snapshot %ld (it has %zu;"
		                  " record with allocation tracking)",
		                  r->path ? r->path : "recording", index, n);
	for (i = 0; i < r->nr_blobs; i++) {
		if (r->blobs[i].type != CDOC_REC_HEAP_SNAPSHOT)
			continue;
		if (k++ == (size_t)index)
			return decode_blob(r, &r->blobs[i], out, name);
	}
	return -ENOENT;
}

/* The name of the HEAP_SNAPSHOT chunk @b; 0 or -1 when unreadable. */
static int blob_name(const struct cdoc_rec_blob *b, const char **name,
                     size_t *len)
{
	struct cdoc_reader d;

	cdoc_reader_init(&d, b->data, b->len);
	*name = cdoc_reader_bytes(&d, len);
	return d.err ? -1 : 0;
}

long cdoc_heap_rec_find(const struct cdoc_recording *r, const char *name)
{
	size_t i, len, k = 0;
	long found = -1;
	const char *nm;

	for (i = 0; i < r->nr_blobs; i++) {
		if (r->blobs[i].type != CDOC_REC_HEAP_SNAPSHOT)
			continue;
		if (blob_name(&r->blobs[i], &nm, &len) == 0 &&
		    len == strlen(name) && !memcmp(nm, name, len))
			found = (long)k;
		k++;
	}
	if (found < 0)
		return cdoc_error(-ENOENT,
		                  "%s: no heap snapshot called '%s' (it has "
		                  "%zu; 'cdoctor heap REC --list' names them)",
		                  r->path ? r->path : "recording", name, k);
	return found;
}
