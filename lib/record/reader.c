/*
 * reader.c - loading a recording into struct cdoc_recording. Every read is
 * bounds-checked; a corrupt file fails with the offset and what was
 * expected, a file cut short keeps what it has. The header and each
 * chunk header are checked while the file is read (so an endless or
 * zero-filled input stops at once), and what the entries cost in memory
 * is spent from a budget in proportion to the file's size.
 */
#include "record/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static uint32_t get_le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * Estimated memory of one entry beyond its bytes (pointers, lengths,
 * allocator headers, geometric growth), of one string (the entry and its
 * slot in the table that finds duplicates), and of one profile node (the
 * node, its slot in the children map, growth: about 90 bytes measured).
 */
#define ENTRY_COST  48
#define STRING_COST 80
#define NODE_COST   96
/*
 * Memory a recording may cost per byte. Valid recordings need up to about
 * 50 (many distinct deep stacks shared by the four allocation profiles:
 * a profile node per stack entry and profile); 128 leaves room for that
 * while amplification by tiny entries stays bounded.
 */
#define BUDGET_RATIO 128

/* Context of the chunk being decoded, for messages. */
struct chunk_ctx {
	struct cdoc_recording *r;
	const char *name;
	uint64_t offset;
	uint32_t type;
	struct cdoc_budget *budget;   /* memory the file may still cost */
	struct cdoc_u64map *str_seen; /* string hash -> id, for duplicates */
};

static int bad(const struct chunk_ctx *c, const char *what)
{
	return cdoc_error(
	        -CDOC_EFORMAT,
	        "%s: corrupt chunk (type %u) at byte %llu: expected %s",
	        c->name, c->type, (unsigned long long)c->offset, what);
}

/* Account @bytes of memory for what this chunk adds. */
static int spend(const struct chunk_ctx *c, uint64_t bytes)
{
	if (cdoc_budget_spend(c->budget, bytes))
		return 0;
	return cdoc_error(-CDOC_EFORMAT,
	                  "%s: corrupt chunk (type %u) at byte %llu: its "
	                  "entries would take over %llu MiB, more than a "
	                  "recording of this size can need",
	                  c->name, c->type, (unsigned long long)c->offset,
	                  (unsigned long long)(c->budget->limit >> 20));
}

static int check_str(const struct chunk_ctx *c, uint64_t id)
{
	return id < c->r->nr_strs ? 0 : bad(c, "a defined string id");
}

/* Strings are interned: one already defined cannot come again. */
static int check_new_string(const struct chunk_ctx *c, const char *s,
                            size_t len)
{
	struct cdoc_recording *r = c->r;
	uint64_t key = cdoc_hash(s, len) | 1;
	uint32_t id;

	if (!cdoc_u64map_get(c->str_seen, key, &id)) {
		cdoc_u64map_put(c->str_seen, key, (uint32_t)r->nr_strs);
		return 0;
	}
	if (r->str_lens[id] == len && !memcmp(r->strs[id], s, len))
		return bad(c, "a string not defined before (each string is "
		              "written once)");
	return 0; /* a hash collision: distinct strings */
}

static int read_strings(const struct chunk_ctx *c, struct cdoc_reader *d)
{
	struct cdoc_recording *r = c->r;
	uint64_t first = cdoc_reader_u64(d), n = cdoc_reader_u64(d), i;

	if (d->err || first != r->nr_strs || n > (uint64_t)(d->end - d->p))
		return bad(c, "strings continuing the previous ids");
	if (!n)
		return bad(c, "at least one string (none is never written)");
	for (i = 0; i < n; i++) {
		size_t len;
		const char *s = cdoc_reader_bytes(d, &len);

		if (d->err)
			return bad(c, d->err);
		if (spend(c, len + STRING_COST) || check_new_string(c, s, len))
			return -CDOC_EFORMAT;
		CDOC_GROW(r->strs, r->nr_strs + 1, r->alloc_strs);
		r->str_lens = cdoc_realloc(r->str_lens,
		                           r->alloc_strs * sizeof(size_t));
		/* Not strndup: names may hold NUL bytes, and str_lens
		 * must describe the copy. */
		r->strs[r->nr_strs] = cdoc_malloc(len + 1);
		memcpy(r->strs[r->nr_strs], s, len);
		r->strs[r->nr_strs][len] = '\0';
		r->str_lens[r->nr_strs++] = len;
	}
	return 0;
}

static int read_stacks(const struct chunk_ctx *c, struct cdoc_reader *d)
{
	struct cdoc_recording *r = c->r;
	uint64_t first = cdoc_reader_u64(d), n = cdoc_reader_u64(d), i;

	if (d->err || first != r->nr_stacks || n > (uint64_t)(d->end - d->p))
		return bad(c, "stacks continuing the previous ids");
	if (!n)
		return bad(c, "at least one stack (none is never written)");
	if (spend(c, n * 2 * sizeof(uint32_t) * 2))
		return -CDOC_EFORMAT;
	for (i = 0; i < n; i++) {
		uint64_t parent = cdoc_reader_u64(d);
		uint64_t frame = cdoc_reader_u64(d);

		if (d->err)
			return bad(c, d->err);
		if (parent >= r->nr_stacks)
			return bad(c, "a parent stack defined earlier");
		if (check_str(c, frame))
			return -CDOC_EFORMAT;
		CDOC_GROW(r->stack_parent, r->nr_stacks + 1, r->alloc_stacks);
		r->stack_frame = cdoc_realloc(
		        r->stack_frame, r->alloc_stacks * sizeof(uint32_t));
		r->stack_parent[r->nr_stacks] = parent;
		r->stack_frame[r->nr_stacks++] = frame;
	}
	return 0;
}

static struct cdoc_rec_profile *get_profile(struct cdoc_recording *r,
                                            const char *name)
{
	struct cdoc_rec_profile *p;
	size_t i;

	for (i = 0; i < r->nr_profiles; i++)
		if (!strcmp(r->profiles[i].name, name))
			return &r->profiles[i];
	CDOC_GROW(r->profiles, r->nr_profiles + 1, r->alloc_profiles);
	p = &r->profiles[r->nr_profiles++];
	memset(p, 0, sizeof(*p));
	p->name = cdoc_strdup(name);
	cdoc_profile_init(&p->prof);
	return p;
}

/* Make sure the memo of @p covers every stack id read so far. */
static void grow_memo(struct cdoc_recording *r, struct cdoc_rec_profile *p)
{
	size_t old = p->node_of_stack_alloc;

	if (old >= r->nr_stacks)
		return;
	p->node_of_stack_alloc = r->alloc_stacks;
	p->node_of_stack = cdoc_realloc(p->node_of_stack,
	                                r->alloc_stacks * sizeof(uint32_t));
	memset(p->node_of_stack + old, 0xff,
	       (r->alloc_stacks - old) * sizeof(uint32_t));
	p->node_of_stack[0] = 0;
}

/*
 * The profile node of file stack @id, memoized. Walks up to the nearest
 * ancestor already known, then creates nodes back down; iterative, since a
 * hostile file may chain stacks arbitrarily deep.
 */
static uint32_t node_of(struct cdoc_recording *r, struct cdoc_rec_profile *p,
                        uint32_t id, struct cdoc_buf *path)
{
	uint32_t *ids, node, i, n = 0;

	grow_memo(r, p);
	cdoc_buf_reset(path);
	while (p->node_of_stack[id] == CDOC_NONE) {
		cdoc_buf_add(path, &id, sizeof(id));
		id = r->stack_parent[id];
	}
	node = p->node_of_stack[id];
	ids = (uint32_t *)path->buf;
	n = path->len / sizeof(uint32_t);
	for (i = n; i-- > 0;) {
		uint32_t f = r->stack_frame[ids[i]];
		uint32_t name =
		        cdoc_profile_name(&p->prof, r->strs[f], r->str_lens[f]);

		node = cdoc_profile_child(&p->prof, node, name);
		p->node_of_stack[ids[i]] = node;
	}
	return node;
}

/*
 * Spend what node_of(@id) in @p is about to allocate: the memo's growth
 * and a node for each ancestor not yet in the profile. A deep stack
 * sampled in many profiles would otherwise cost depth x profiles nodes
 * for a few bytes each.
 */
static int afford_node(const struct chunk_ctx *c, struct cdoc_rec_profile *p,
                       uint32_t id)
{
	struct cdoc_recording *r = c->r;
	size_t old = p->node_of_stack_alloc;
	uint64_t cost = 0;

	if (old < r->nr_stacks)
		cost = (r->alloc_stacks - old) * sizeof(uint32_t);
	while (id && (id >= old || p->node_of_stack[id] == CDOC_NONE)) {
		cost += NODE_COST;
		id = r->stack_parent[id];
	}
	return spend(c, cost);
}

static int read_samples(const struct chunk_ctx *c, struct cdoc_reader *d)
{
	struct cdoc_recording *r = c->r;
	uint64_t prof = cdoc_reader_u64(d), n, i;
	struct cdoc_buf path = CDOC_BUF_INIT;
	struct cdoc_rec_profile *p;
	int ret = 0;

	cdoc_reader_u64(d); /* pid: profiles merge all processes */
	n = cdoc_reader_u64(d);
	if (d->err || check_str(c, prof))
		return bad(c, "a profile name and sample count");
	if (!n)
		return bad(c, "at least one sample (none is never written)");
	if (spend(c, ENTRY_COST))
		return -CDOC_EFORMAT;
	p = get_profile(r, r->strs[prof]);
	for (i = 0; i < n && !ret; i++) {
		uint64_t stack = cdoc_reader_u64(d);
		uint64_t weight = cdoc_reader_u64(d);

		if (d->err || stack >= r->nr_stacks)
			ret = bad(c, d->err ? d->err : "a defined stack id");
		else if (!(ret = afford_node(c, p, (uint32_t)stack)))
			cdoc_profile_add(&p->prof,
			                 node_of(r, p, (uint32_t)stack, &path),
			                 0, weight);
	}
	cdoc_buf_release(&path);
	return ret;
}

static struct cdoc_rec_proc *get_proc(struct cdoc_recording *r, uint32_t pid)
{
	size_t i;

	for (i = r->nr_procs; i-- > 0;)
		if (r->procs[i].pid == pid)
			return &r->procs[i];
	CDOC_GROW(r->procs, r->nr_procs + 1, r->alloc_procs);
	memset(&r->procs[r->nr_procs], 0, sizeof(r->procs[0]));
	r->procs[r->nr_procs].pid = pid;
	r->procs[r->nr_procs].name = cdoc_strdup("");
	return &r->procs[r->nr_procs++];
}

static int read_process(const struct chunk_ctx *c, struct cdoc_reader *d)
{
	uint64_t pid = cdoc_reader_u64(d), ppid = cdoc_reader_u64(d);
	struct cdoc_rec_proc *p;
	const char *name;
	size_t len;

	name = cdoc_reader_bytes(d, &len);
	if (d->err)
		return bad(c, d->err);
	if (spend(c, len + ENTRY_COST * 2))
		return -CDOC_EFORMAT;
	p = get_proc(c->r, pid);
	p->ppid = ppid;
	free(p->name);
	p->name = cdoc_strndup(name, len);
	return 0;
}

static int read_exit(const struct chunk_ctx *c, struct cdoc_reader *d)
{
	uint64_t pid = cdoc_reader_u64(d), status = cdoc_reader_u64(d);
	struct cdoc_rec_proc *p;

	if (d->err)
		return bad(c, d->err);
	if (spend(c, ENTRY_COST * 2))
		return -CDOC_EFORMAT;
	p = get_proc(c->r, pid);
	p->exited = 1;
	p->status = (int)status;
	return 0;
}

static int read_meta(const struct chunk_ctx *c, struct cdoc_reader *d)
{
	struct cdoc_recording *r = c->r;
	size_t klen, vlen;
	const char *k = cdoc_reader_bytes(d, &klen);
	const char *v = cdoc_reader_bytes(d, &vlen);

	if (d->err)
		return bad(c, d->err);
	if (spend(c, klen + vlen + ENTRY_COST * 2))
		return -CDOC_EFORMAT;
	CDOC_GROW(r->meta, r->nr_meta + 1, r->alloc_meta);
	r->meta[r->nr_meta].key = cdoc_strndup(k, klen);
	r->meta[r->nr_meta++].value = cdoc_strndup(v, vlen);
	return 0;
}

static int read_counter(const struct chunk_ctx *c, struct cdoc_reader *d)
{
	struct cdoc_recording *r = c->r;
	size_t len, i;
	const char *name = cdoc_reader_bytes(d, &len);
	uint64_t value = cdoc_reader_u64(d);
	char *s;

	if (d->err)
		return bad(c, d->err);
	if (spend(c, len + ENTRY_COST))
		return -CDOC_EFORMAT;
	s = cdoc_strndup(name, len);
	for (i = 0; i < r->nr_counters; i++)
		if (!strcmp(r->counters[i].name, s)) {
			r->counters[i].value = value;
			free(s);
			return 0;
		}
	CDOC_GROW(r->counters, r->nr_counters + 1, r->alloc_counters);
	r->counters[r->nr_counters].name = s;
	r->counters[r->nr_counters++].value = value;
	return 0;
}

static int read_metrics(const struct chunk_ctx *c, struct cdoc_reader *d)
{
	struct cdoc_recording *r = c->r;
	struct cdoc_rec_metric_sample *m;
	uint64_t t = cdoc_reader_u64(d), n = cdoc_reader_u64(d), i;

	if (d->err || n > (uint64_t)(d->end - d->p))
		return bad(c, "a metrics count");
	if (spend(c, ENTRY_COST + n * (ENTRY_COST + 16)))
		return -CDOC_EFORMAT;
	CDOC_GROW(r->metrics, r->nr_metrics + 1, r->alloc_metrics);
	m = &r->metrics[r->nr_metrics++];
	m->time_ns = t;
	m->n = 0;
	m->names = cdoc_calloc(n, sizeof(char *));
	m->values = cdoc_calloc(n, sizeof(double));
	for (i = 0; i < n; i++) {
		size_t len;
		const char *s = cdoc_reader_bytes(d, &len);
		double v = cdoc_reader_f64(d);

		if (d->err)
			return bad(c, d->err);
		m->names[i] = cdoc_strndup(s, len);
		m->values[i] = v;
		m->n++;
	}
	return 0;
}

static int keep_blob(const struct chunk_ctx *c, const void *data, size_t len)
{
	struct cdoc_recording *r = c->r;
	struct cdoc_rec_blob *b;

	if (spend(c, len + ENTRY_COST * 2))
		return -CDOC_EFORMAT;
	CDOC_GROW(r->blobs, r->nr_blobs + 1, r->alloc_blobs);
	b = &r->blobs[r->nr_blobs++];
	b->type = c->type;
	b->offset = c->offset;
	b->data = cdoc_malloc(len + 1);
	memcpy(b->data, data, len);
	b->data[len] = '\0';
	b->len = len;
	return 0;
}

static char *hex_of(const char *p, size_t len)
{
	char *out = cdoc_malloc(2 * len + 1);
	size_t i;

	for (i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", (unsigned char)p[i]);
	out[2 * len] = '\0';
	return out;
}

static int read_module(const struct chunk_ctx *c, struct cdoc_reader *d)
{
	struct cdoc_recording *r = c->r;
	uint64_t id = cdoc_reader_u64(d);
	size_t plen, blen;
	const char *path = cdoc_reader_bytes(d, &plen);
	const char *bid = cdoc_reader_bytes(d, &blen);
	uint64_t start = cdoc_reader_u64(d), end = cdoc_reader_u64(d);
	struct cdoc_rec_module *m;

	if (d->err)
		return bad(c, d->err);
	if (id != r->nr_modules)
		return bad(c, "the next module id");
	if (blen > 64)
		return bad(c, "a build-id of at most 64 bytes");
	CDOC_GROW(r->modules, r->nr_modules + 1, r->alloc_modules);
	m = &r->modules[r->nr_modules++];
	m->path = cdoc_strndup(path, plen);
	m->build_id = hex_of(bid, blen);
	m->start = start;
	m->end = end;
	return 0;
}

static int read_frameinfo(const struct chunk_ctx *c, struct cdoc_reader *d)
{
	struct cdoc_recording *r = c->r;
	uint64_t frame = cdoc_reader_u64(d), mod = cdoc_reader_u64(d);
	uint64_t addr = cdoc_reader_u64(d);
	size_t flen;
	const char *file = cdoc_reader_bytes(d, &flen);
	uint64_t line = cdoc_reader_u64(d);
	struct cdoc_rec_frame *f;

	if (d->err)
		return bad(c, d->err);
	if (check_str(c, frame))
		return -CDOC_EFORMAT;
	if (mod > r->nr_modules)
		return bad(c, "a defined module id");
	if (line > UINT32_MAX)
		return bad(c, "a line number below 2^32");
	if (frame >= r->nr_frames) {
		CDOC_GROW(r->frames, frame + 1, r->alloc_frames);
		memset(r->frames + r->nr_frames, 0,
		       (frame + 1 - r->nr_frames) * sizeof(*r->frames));
		r->nr_frames = frame + 1;
	}
	f = &r->frames[frame];
	free(f->file);
	f->module = (uint32_t)mod;
	f->address = addr;
	f->line = (unsigned)line;
	f->file = flen ? cdoc_strndup(file, flen) : NULL;
	return 0;
}

static int read_chunk(const struct chunk_ctx *c, const void *data, size_t len)
{
	struct cdoc_reader d;

	cdoc_reader_init(&d, data, len);
	switch (c->type) {
	case CDOC_REC_META:
		return read_meta(c, &d);
	case CDOC_REC_STRINGS:
		return read_strings(c, &d);
	case CDOC_REC_STACKS:
		return read_stacks(c, &d);
	case CDOC_REC_SAMPLES:
		return read_samples(c, &d);
	case CDOC_REC_PROCESS:
		return read_process(c, &d);
	case CDOC_REC_COUNTERS:
		return read_counter(c, &d);
	case CDOC_REC_METRICS:
		return read_metrics(c, &d);
	case CDOC_REC_EXIT:
		return read_exit(c, &d);
	case CDOC_REC_TSAMPLES:
		return record__read_timed(c->r, c->name, c->offset, &d);
	case CDOC_REC_MODULE:
		return read_module(c, &d);
	case CDOC_REC_FRAMEINFO:
		return read_frameinfo(c, &d);
	case CDOC_REC_THREADS:
		if (spend(c, ENTRY_COST + len * 8))
			return -CDOC_EFORMAT;
		return record__read_threads(c->r, c->name, c->offset, &d);
	case CDOC_REC_TICKS:
		if (spend(c, ENTRY_COST * 8 + len * 16))
			return -CDOC_EFORMAT;
		return record__read_ticks(c->r, c->name, c->offset, &d);
	case CDOC_REC_END:
		c->r->complete = 1;
		return 0;
	default:
		return keep_blob(c, data, len);
	}
}

/* The file header: magic and version (into *@version). */
static int check_header(const char *name, const unsigned char *p, size_t len,
                        uint32_t *version)
{
	if (len < CDOC_REC_HEADER_SIZE || memcmp(p, CDOC_REC_MAGIC, 8))
		return cdoc_error(-CDOC_EFORMAT,
		                  "%s: not a cdoctor recording (expected "
		                  "\"CDOCREC\" at byte 0)",
		                  name);
	*version = get_le32(p + 8);
	if (*version != CDOC_REC_VERSION)
		return cdoc_error(-CDOC_EFORMAT,
		                  "%s: recording version %u, this cdoctor "
		                  "reads version %u",
		                  name, *version, CDOC_REC_VERSION);
	return 0;
}

/*
 * What a chunk header can hold: a type (0 is none: zero-filled space is
 * not a run of empty chunks), a length up to the limit, END empty.
 */
static int check_chunk_hdr(const struct chunk_ctx *c, uint32_t size)
{
	if (c->type == 0)
		return bad(c, "a chunk type (0 is none; zero bytes where a "
		              "chunk should be)");
	if (size > CDOC_REC_MAX_CHUNK)
		return bad(c, "a chunk length below 64 MiB");
	if (c->type == CDOC_REC_END && size)
		return bad(c, "an empty END chunk");
	return 0;
}

/* struct rec_scan - the check while reading: the next chunk header. */
struct rec_scan {
	uint64_t next; /* offset of the next chunk header; 0: the file's */
	int done;      /* END seen: what follows is ignored */
};

static int scan_input(void *state, const char *name, const char *data,
                      size_t len, int at_end)
{
	const unsigned char *p = (const unsigned char *)data;
	struct rec_scan *sc = state;
	uint32_t version;
	int ret;

	if (!sc->next) {
		if (len < CDOC_REC_HEADER_SIZE && !at_end)
			return 0;
		if ((ret = check_header(name, p, len, &version)) < 0)
			return ret;
		sc->next = CDOC_REC_HEADER_SIZE;
	}
	while (!sc->done && sc->next <= len &&
	       len - sc->next >= CDOC_REC_CHUNK_HDR) {
		struct chunk_ctx c = {NULL, name, sc->next, 0, NULL, NULL};
		uint32_t size = get_le32(p + sc->next + 4);

		c.type = get_le32(p + sc->next);
		if ((ret = check_chunk_hdr(&c, size)) < 0)
			return ret;
		sc->done = c.type == CDOC_REC_END;
		sc->next += CDOC_REC_CHUNK_HDR + (uint64_t)size;
	}
	return 0;
}

static void cut_short(struct cdoc_recording *r, const char *name, uint64_t off,
                      const char *why)
{
	struct cdoc_buf b = CDOC_BUF_INIT;

	cdoc_buf_addf(&b,
	              "%s: recording cut short at byte %llu (%s); "
	              "showing what was recorded before it",
	              name, (unsigned long long)off, why);
	r->cut_short = cdoc_buf_detach(&b, NULL);
}

/* Read the chunks after the header; @base carries the file-wide parts. */
static int walk_chunks(const struct chunk_ctx *base, const unsigned char *p,
                       size_t len)
{
	struct cdoc_recording *r = base->r;
	const char *name = base->name;
	size_t off = CDOC_REC_HEADER_SIZE;

	while (off < len && !r->complete) {
		struct chunk_ctx c = *base;
		uint32_t size, crc;
		int ret;

		c.offset = off;
		if (len - off < CDOC_REC_CHUNK_HDR) {
			cut_short(r, name, off, "partial chunk header");
			return 0;
		}
		c.type = get_le32(p + off);
		size = get_le32(p + off + 4);
		crc = get_le32(p + off + 8);
		if ((ret = check_chunk_hdr(&c, size)) < 0)
			return ret;
		if (len - off - CDOC_REC_CHUNK_HDR < size) {
			cut_short(r, name, off, "partial last chunk");
			return 0;
		}
		off += CDOC_REC_CHUNK_HDR;
		if (crc32(0, p + off, size) != crc)
			return bad(&c, "a payload matching its CRC-32");
		ret = read_chunk(&c, p + off, size);
		if (ret < 0)
			return ret;
		off += size;
	}
	if (!r->complete)
		cut_short(r, name, off, "no end marker: the run was killed");
	return 0;
}

static int read_chunks(struct cdoc_recording *r, const char *name,
                       const unsigned char *p, size_t len)
{
	struct cdoc_budget budget;
	struct cdoc_u64map seen;
	struct chunk_ctx base = {r, name, 0, 0, &budget, &seen};
	int ret;

	cdoc_budget_init(&budget, len, BUDGET_RATIO);
	cdoc_u64map_init(&seen);
	ret = walk_chunks(&base, p, len);
	cdoc_u64map_release(&seen);
	return ret;
}

int cdoc_recording_parse(struct cdoc_recording *r, const char *name,
                         const char *data, size_t len)
{
	const unsigned char *p = (const unsigned char *)data;
	int ret;

	memset(r, 0, sizeof(*r));
	r->path = cdoc_strdup(name);
	/* Stack 0, the root, exists before any STACKS chunk. */
	CDOC_GROW(r->stack_parent, 1, r->alloc_stacks);
	r->stack_frame = cdoc_calloc(r->alloc_stacks, sizeof(uint32_t));
	r->stack_parent[0] = 0;
	r->nr_stacks = 1;
	ret = check_header(name, p, len, &r->version);
	if (!ret)
		ret = read_chunks(r, name, p, len);
	if (ret < 0)
		cdoc_recording_release(r);
	return ret;
}

int cdoc_recording_load(struct cdoc_recording *r, const char *path)
{
	struct rec_scan scan = {0, 0};
	struct cdoc_input_spec spec = {scan_input, &scan, 1};
	struct cdoc_input in;
	int ret;

	memset(r, 0, sizeof(*r));
	ret = cdoc_input_open_as(&in, path, &spec);
	if (ret < 0)
		return ret;
	ret = cdoc_recording_parse(r, in.name, in.data, in.len);
	cdoc_input_release(&in);
	return ret;
}

static void release_arrays(struct cdoc_recording *r)
{
	size_t i;

	for (i = 0; i < r->nr_meta; i++) {
		free(r->meta[i].key);
		free(r->meta[i].value);
	}
	for (i = 0; i < r->nr_strs; i++)
		free(r->strs[i]);
	for (i = 0; i < r->nr_procs; i++)
		free(r->procs[i].name);
	for (i = 0; i < r->nr_counters; i++)
		free(r->counters[i].name);
	for (i = 0; i < r->nr_blobs; i++)
		free(r->blobs[i].data);
}

void cdoc_recording_release(struct cdoc_recording *r)
{
	size_t i, j;

	release_arrays(r);
	for (i = 0; i < r->nr_profiles; i++) {
		free(r->profiles[i].name);
		free(r->profiles[i].node_of_stack);
		cdoc_profile_release(&r->profiles[i].prof);
	}
	for (i = 0; i < r->nr_metrics; i++) {
		for (j = 0; j < r->metrics[i].n; j++)
			free(r->metrics[i].names[j]);
		free(r->metrics[i].names);
		free(r->metrics[i].values);
	}
	for (i = 0; i < r->nr_modules; i++) {
		free(r->modules[i].path);
		free(r->modules[i].build_id);
	}
	free(r->modules);
	for (i = 0; i < r->nr_frames; i++)
		free(r->frames[i].file);
	free(r->frames);
	free(r->meta);
	free(r->strs);
	free(r->str_lens);
	free(r->stack_parent);
	free(r->stack_frame);
	free(r->profiles);
	free(r->procs);
	free(r->counters);
	free(r->metrics);
	free(r->blobs);
	free(r->tsamples);
	for (i = 0; i < r->nr_threadstats; i++)
		free(r->threadstats[i].t);
	free(r->threadstats);
	record__release_ticks(r);
	free(r->cut_short);
	free(r->path);
	memset(r, 0, sizeof(*r));
}

struct cdoc_profile *cdoc_recording_profile(struct cdoc_recording *r,
                                            const char *name)
{
	size_t i;

	for (i = 0; i < r->nr_profiles; i++)
		if (!strcmp(r->profiles[i].name, name))
			return &r->profiles[i].prof;
	return NULL;
}

const char *cdoc_recording_meta(const struct cdoc_recording *r, const char *key)
{
	size_t i;

	for (i = r->nr_meta; i-- > 0;)
		if (!strcmp(r->meta[i].key, key))
			return r->meta[i].value;
	return NULL;
}

uint64_t cdoc_recording_counter(const struct cdoc_recording *r,
                                const char *name)
{
	size_t i;

	for (i = 0; i < r->nr_counters; i++)
		if (!strcmp(r->counters[i].name, name))
			return r->counters[i].value;
	return 0;
}

/* For timed.c: the profile named @name (created) and a stack's node. */
struct cdoc_rec_profile *record__get_profile(struct cdoc_recording *r,
                                             const char *name)
{
	return get_profile(r, name);
}

uint32_t record__node_of(struct cdoc_recording *r, struct cdoc_rec_profile *p,
                         uint32_t stack, struct cdoc_buf *path)
{
	return node_of(r, p, stack, path);
}
