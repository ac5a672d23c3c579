/*
 * snapfile.c - the .heap format: one snapshot, self-contained (names
 * symbolized), in varints. Layout in docs/alloc.md. The parser is strict:
 * counts are checked against the bytes left before anything is
 * allocated, every index against what it names, and any error names the
 * byte offset.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "heapfile/heapfile.h"

#define MAGIC   "CDHEAP1\n"
#define TRAILER "END\n"
#define VERSION 1

static void put(struct cdoc_buf *b, uint64_t v)
{
	cdoc_varint_put(b, v);
}

static void put_counters(struct cdoc_buf *b, const struct cdoc_heap_snap *s)
{
	const uint64_t *c = (const uint64_t *)&s->counters;
	size_t i;

	put(b, CDOC_HEAP_NR_COUNTERS);
	for (i = 0; i < CDOC_HEAP_NR_COUNTERS; i++)
		put(b, c[i]);
	put(b, 64);
	for (i = 0; i < 64; i++)
		put(b, s->hist[i]);
}

static void put_proc(struct cdoc_buf *b, const struct cdoc_heap_proc *p)
{
	int i;

	put(b, p->pid);
	put(b, p->ppid);
	put(b, p->name);
	put(b, p->flags);
	put(b, CDOC_AFN_NR);
	for (i = 0; i < CDOC_AFN_NR; i++) {
		put(b, p->calls[i]);
		put(b, p->bytes[i]);
	}
	put(b, p->frees);
	put(b, p->live_bytes);
	put(b, p->live_count);
	put(b, p->peak_bytes);
	put(b, p->peak_ns);
}

static void put_site(struct cdoc_buf *b, const struct cdoc_heap_site *s)
{
	put(b, s->proc);
	put(b, s->stack);
	put(b, s->alloc_count);
	put(b, s->alloc_bytes);
	put(b, s->live_count);
	put(b, s->live_bytes);
	put(b, s->peak_bytes);
	put(b, s->temp_count);
}

void cdoc_heap_snap_encode(const struct cdoc_heap_snap *s, struct cdoc_buf *b)
{
	size_t i;

	cdoc_buf_add(b, MAGIC, 8);
	put(b, VERSION);
	put(b, s->time_ns);
	put(b, s->sample_rate);
	put(b, s->peak_bytes);
	put(b, s->peak_ns);
	put_counters(b, s);
	put(b, s->names.nr);
	for (i = 0; i < s->names.nr; i++) {
		put(b, cdoc_strtab_len(&s->names, (uint32_t)i));
		cdoc_buf_add(b, cdoc_strtab_get(&s->names, (uint32_t)i),
		             cdoc_strtab_len(&s->names, (uint32_t)i));
	}
	put(b, s->nr_procs);
	for (i = 0; i < s->nr_procs; i++)
		put_proc(b, &s->procs[i]);
	put(b, s->nr_frames);
	for (i = 0; i < s->nr_frames; i++)
		put(b, s->frames[i]);
	put(b, s->nr_stacks);
	for (i = 0; i < s->nr_stacks; i++) {
		put(b, s->stacks[i].first);
		put(b, s->stacks[i].nr);
	}
	put(b, s->nr_sites);
	for (i = 0; i < s->nr_sites; i++)
		put_site(b, &s->sites[i]);
	cdoc_buf_add(b, TRAILER, 4);
}

/* struct prd - the parser's cursor. */
struct prd {
	const unsigned char *d;
	size_t len, off;
	const char *name;
};

static int fail(const struct prd *r, const char *what)
{
	return cdoc_error(-CDOC_EFORMAT, "%s: offset %zu: %s", r->name, r->off,
	                  what);
}

static int get(struct prd *r, uint64_t *out)
{
	size_t left = r->len - r->off;
	size_t n = cdoc_varint_get(r->d + r->off, left, out);

	if (!n) {
		r->off += left < CDOC_VARINT_MAX ? left : CDOC_VARINT_MAX;
		return fail(r, "truncated or overlong number");
	}
	r->off += n;
	return 0;
}

static int get32(struct prd *r, uint32_t *out, uint64_t limit, const char *what)
{
	uint64_t v;
	int ret = get(r, &v);

	if (ret < 0)
		return ret;
	if (v >= limit)
		return fail(r, what);
	*out = (uint32_t)v;
	return 0;
}

/* A count of items of at least @min bytes each that must fit. */
static int get_count(struct prd *r, size_t *out, size_t min)
{
	uint64_t v;
	int ret = get(r, &v);

	if (ret < 0)
		return ret;
	if (v > (r->len - r->off) / min || v > UINT32_MAX)
		return fail(r, "count larger than the data left");
	*out = (size_t)v;
	return 0;
}

static int get_many(struct prd *r, uint64_t *v, size_t n)
{
	size_t i;
	int ret;

	for (i = 0; i < n; i++)
		if ((ret = get(r, &v[i])) < 0)
			return ret;
	return 0;
}

static int get_header(struct prd *r, struct cdoc_heap_snap *s)
{
	uint64_t v[5], n;
	int ret;

	if (r->len < 8 || memcmp(r->d, MAGIC, 8))
		return fail(r, "not a cdoctor heap snapshot (bad magic)");
	r->off = 8;
	if ((ret = get_many(r, v, 5)) < 0)
		return ret;
	if (v[0] != VERSION)
		return fail(r, "unsupported snapshot version");
	s->time_ns = v[1];
	s->sample_rate = v[2];
	s->peak_bytes = v[3];
	s->peak_ns = v[4];
	if ((ret = get(r, &n)) < 0)
		return ret;
	if (n != CDOC_HEAP_NR_COUNTERS)
		return fail(r, "wrong number of counters");
	if ((ret = get_many(r, (uint64_t *)&s->counters, n)) < 0 ||
	    (ret = get(r, &n)) < 0)
		return ret;
	if (n != 64)
		return fail(r, "wrong number of histogram buckets");
	return get_many(r, s->hist, 64);
}

static int get_names(struct prd *r, struct cdoc_heap_snap *s)
{
	size_t n, i;
	uint64_t len;
	int ret;

	if ((ret = get_count(r, &n, 1)) < 0)
		return ret;
	for (i = 0; i < n; i++) {
		if ((ret = get(r, &len)) < 0)
			return ret;
		if (len > r->len - r->off)
			return fail(r, "name runs past the end");
		if (cdoc_strtab_intern(&s->names, (const char *)r->d + r->off,
		                       (size_t)len) != i)
			return fail(r, "duplicate name");
		r->off += len;
	}
	return 0;
}

static int get_proc(struct prd *r, struct cdoc_heap_snap *s,
                    struct cdoc_heap_proc *p)
{
	uint64_t v[4], nfn, pair[2];
	size_t i;
	int ret;

	if ((ret = get_many(r, v, 4)) < 0 || (ret = get(r, &nfn)) < 0)
		return ret;
	if (v[0] > UINT32_MAX || v[1] > UINT32_MAX || v[2] >= s->names.nr)
		return fail(r, "process pid or name out of range");
	if (nfn > 64)
		return fail(r, "too many allocation functions");
	p->pid = (uint32_t)v[0];
	p->ppid = (uint32_t)v[1];
	p->name = (uint32_t)v[2];
	p->flags = (uint32_t)v[3];
	for (i = 0; i < nfn; i++) {
		if ((ret = get_many(r, pair, 2)) < 0)
			return ret;
		if (i < CDOC_AFN_NR) {
			p->calls[i] = pair[0];
			p->bytes[i] = pair[1];
		}
	}
	return get_many(r, &p->frees, 5);
}

static int get_procs_frames(struct prd *r, struct cdoc_heap_snap *s)
{
	size_t i;
	int ret;

	if ((ret = get_count(r, &s->nr_procs, 8)) < 0)
		return ret;
	s->procs = cdoc_calloc(s->nr_procs + 1, sizeof(*s->procs));
	for (i = 0; i < s->nr_procs; i++)
		if ((ret = get_proc(r, s, &s->procs[i])) < 0)
			return ret;
	if ((ret = get_count(r, &s->nr_frames, 1)) < 0)
		return ret;
	s->frames = cdoc_calloc(s->nr_frames + 1, sizeof(*s->frames));
	for (i = 0; i < s->nr_frames; i++)
		if ((ret = get32(r, &s->frames[i], s->names.nr,
		                 "frame name out of range")) < 0)
			return ret;
	return 0;
}

static int get_stacks(struct prd *r, struct cdoc_heap_snap *s)
{
	size_t i;
	int ret;

	if ((ret = get_count(r, &s->nr_stacks, 2)) < 0)
		return ret;
	s->stacks = cdoc_calloc(s->nr_stacks + 1, sizeof(*s->stacks));
	for (i = 0; i < s->nr_stacks; i++) {
		struct cdoc_heap_stack *st = &s->stacks[i];

		if ((ret = get32(r, &st->first, s->nr_frames + 1,
		                 "stack start out of range")) < 0 ||
		    (ret = get32(r, &st->nr, s->nr_frames - st->first + 1,
		                 "stack runs past the frames")) < 0)
			return ret;
	}
	return 0;
}

static int get_sites(struct prd *r, struct cdoc_heap_snap *s)
{
	size_t i;
	int ret;

	if ((ret = get_count(r, &s->nr_sites, 8)) < 0)
		return ret;
	s->sites = cdoc_calloc(s->nr_sites + 1, sizeof(*s->sites));
	for (i = 0; i < s->nr_sites; i++) {
		struct cdoc_heap_site *site = &s->sites[i];

		if ((ret = get32(r, &site->proc, s->nr_procs,
		                 "site process out of range")) < 0 ||
		    (ret = get32(r, &site->stack, s->nr_stacks,
		                 "site stack out of range")) < 0 ||
		    (ret = get_many(r, &site->alloc_count, 6)) < 0)
			return ret;
	}
	return 0;
}

int cdoc_heap_snap_decode(struct cdoc_heap_snap *out, const void *data,
                          size_t len, const char *name)
{
	struct prd r = {data, len, 0, name};
	int ret;

	cdoc_heap_snap_release(out);
	if ((ret = get_header(&r, out)) < 0 || (ret = get_names(&r, out)) < 0 ||
	    (ret = get_procs_frames(&r, out)) < 0 ||
	    (ret = get_stacks(&r, out)) < 0 || (ret = get_sites(&r, out)) < 0)
		goto err;
	if (r.len - r.off != 4 || memcmp(r.d + r.off, TRAILER, 4)) {
		ret = fail(&r, r.len - r.off < 4 ? "truncated: no end marker"
		                                 : "bad end marker");
		goto err;
	}
	return 0;
err:
	cdoc_heap_snap_release(out);
	return ret;
}

int cdoc_heap_snap_save(const struct cdoc_heap_snap *s, const char *path)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	int fd = cdoc_create_file(path, 1), ret = 0;
	size_t off = 0;

	if (fd < 0)
		return fd;
	cdoc_heap_snap_encode(s, &b);
	while (off < b.len) {
		ssize_t n = write(fd, b.buf + off, b.len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = cdoc_error(-errno, "%s: %s", path,
			                 strerror(errno));
			break;
		}
		off += (size_t)n;
	}
	if (close(fd) < 0 && !ret)
		ret = cdoc_error(-errno, "%s: %s", path, strerror(errno));
	cdoc_buf_release(&b);
	return ret;
}

int cdoc_heap_snap_load(struct cdoc_heap_snap *out, const char *path)
{
	struct cdoc_input in;
	int ret = cdoc_input_open(&in, path);

	if (ret < 0)
		return ret;
	ret = cdoc_heap_snap_decode(out, in.data, in.len, in.name);
	cdoc_input_release(&in);
	return ret;
}
