/*
 * writer.c - appending chunks to a recording. Every chunk goes out with
 * one write(2) so that whatever is on disk is whole chunks, plus at most
 * one partial chunk when the writer is killed mid-write.
 */
#include "record/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static int write_all(struct cdoc_rec_writer *w, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(w->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cdoc_error(-errno, "%s: write failed: %s",
			                  w->path, strerror(errno));
		p += n;
		len -= n;
		w->bytes += n;
	}
	return 0;
}

/* Write @len bytes at @data as one chunk of @type. */
static int put_chunk(struct cdoc_rec_writer *w, uint32_t type, const void *data,
                     size_t len)
{
	struct cdoc_buf out = CDOC_BUF_INIT;
	unsigned char hdr[CDOC_REC_CHUNK_HDR];
	int ret;

	if (len > CDOC_REC_MAX_CHUNK)
		return cdoc_error(-E2BIG, "%s: chunk of %zu bytes too large",
		                  w->path, len);
	put_le32(hdr, type);
	put_le32(hdr + 4, len);
	put_le32(hdr + 8, crc32(0, data, len));
	cdoc_buf_grow(&out, sizeof(hdr) + len);
	cdoc_buf_add(&out, hdr, sizeof(hdr));
	cdoc_buf_add(&out, data, len);
	ret = write_all(w, out.buf, out.len);
	cdoc_buf_release(&out);
	return ret;
}

int cdoc_rec_writer_open(struct cdoc_rec_writer *w, const char *path)
{
	unsigned char hdr[CDOC_REC_HEADER_SIZE] = {0};
	int ret;

	memset(w, 0, sizeof(*w));
	cdoc_strtab_init(&w->strs);
	cdoc_strtab_init(&w->modules);
	cdoc_u64map_init(&w->stacks);
	w->nr_stacks = 1; /* the root */
	w->fd = cdoc_create_file(path, 1);
	if (w->fd < 0)
		return w->fd;
	w->path = cdoc_strdup(path);
	memcpy(hdr, CDOC_REC_MAGIC, 8);
	put_le32(hdr + 8, CDOC_REC_VERSION);
	ret = write_all(w, hdr, sizeof(hdr));
	if (ret < 0)
		cdoc_rec_writer_abandon(w);
	return ret;
}

uint32_t cdoc_rec_string(struct cdoc_rec_writer *w, const char *s, size_t len)
{
	return cdoc_strtab_intern(&w->strs, s, len);
}

uint32_t cdoc_rec_stack(struct cdoc_rec_writer *w, uint32_t parent,
                        uint32_t frame)
{
	uint64_t key = (uint64_t)parent << 32 | frame;
	uint32_t id;

	/* key 0 (root parent, frame 0) is shifted out of the empty slot. */
	key = key * 2 + 1;
	if (cdoc_u64map_get(&w->stacks, key, &id))
		return id;
	id = w->nr_stacks++;
	cdoc_u64map_put(&w->stacks, key, id);
	if (!w->pend_stacks_nr)
		w->pend_stacks_first = id;
	w->pend_stacks_nr++;
	cdoc_rec_put_u64(&w->pend_stacks, parent);
	cdoc_rec_put_u64(&w->pend_stacks, frame);
	return id;
}

static int flush_strings(struct cdoc_rec_writer *w)
{
	uint32_t id;
	int ret;

	if (w->strs_written == w->strs.nr)
		return 0;
	cdoc_buf_reset(&w->chunk);
	cdoc_rec_put_u64(&w->chunk, w->strs_written);
	cdoc_rec_put_u64(&w->chunk, w->strs.nr - w->strs_written);
	for (id = w->strs_written; id < w->strs.nr; id++)
		cdoc_rec_put_bytes(&w->chunk, cdoc_strtab_get(&w->strs, id),
		                   cdoc_strtab_len(&w->strs, id));
	ret = put_chunk(w, CDOC_REC_STRINGS, w->chunk.buf, w->chunk.len);
	if (!ret)
		w->strs_written = w->strs.nr;
	return ret;
}

static int flush_stacks(struct cdoc_rec_writer *w)
{
	int ret;

	if (!w->pend_stacks_nr)
		return 0;
	cdoc_buf_reset(&w->chunk);
	cdoc_rec_put_u64(&w->chunk, w->pend_stacks_first);
	cdoc_rec_put_u64(&w->chunk, w->pend_stacks_nr);
	cdoc_buf_add(&w->chunk, w->pend_stacks.buf, w->pend_stacks.len);
	ret = put_chunk(w, CDOC_REC_STACKS, w->chunk.buf, w->chunk.len);
	if (!ret) {
		cdoc_buf_reset(&w->pend_stacks);
		w->pend_stacks_nr = 0;
	}
	return ret;
}

/* Strings and stacks must reach the file before anything naming them. */
static int flush_defs(struct cdoc_rec_writer *w)
{
	int ret = flush_strings(w);

	return ret ? ret : flush_stacks(w);
}

static int flush_samples(struct cdoc_rec_writer *w)
{
	struct cdoc_buf hdr = CDOC_BUF_INIT;
	int ret;

	if (!w->samples_nr)
		return 0;
	ret = flush_defs(w);
	if (ret)
		return ret;
	cdoc_rec_put_u64(&hdr, w->samples_profile);
	cdoc_rec_put_u64(&hdr, w->samples_pid);
	cdoc_rec_put_u64(&hdr, w->samples_nr);
	cdoc_buf_add(&hdr, w->samples.buf, w->samples.len);
	ret = put_chunk(w, CDOC_REC_SAMPLES, hdr.buf, hdr.len);
	cdoc_buf_release(&hdr);
	cdoc_buf_reset(&w->samples);
	w->samples_nr = 0;
	return ret;
}

int cdoc_rec_sample(struct cdoc_rec_writer *w, uint32_t profile, uint32_t pid,
                    uint32_t stack, uint64_t weight)
{
	int ret = 0;

	if (w->samples_nr &&
	    (w->samples_profile != profile || w->samples_pid != pid ||
	     w->samples.len > (1u << 20)))
		ret = flush_samples(w);
	w->samples_profile = profile;
	w->samples_pid = pid;
	w->samples_nr++;
	cdoc_rec_put_u64(&w->samples, stack);
	cdoc_rec_put_u64(&w->samples, weight);
	return ret;
}

int cdoc_rec_chunk(struct cdoc_rec_writer *w, uint32_t type, const void *data,
                   size_t len)
{
	int ret = flush_defs(w);

	return ret ? ret : put_chunk(w, type, data, len);
}

static int put_scratch(struct cdoc_rec_writer *w, uint32_t type)
{
	struct cdoc_buf b = w->chunk;
	int ret;

	cdoc_buf_init(&w->chunk);
	ret = cdoc_rec_chunk(w, type, b.buf, b.len);
	cdoc_buf_release(&w->chunk);
	w->chunk = b;
	return ret;
}

int cdoc_rec_meta(struct cdoc_rec_writer *w, const char *key, const char *value)
{
	cdoc_buf_reset(&w->chunk);
	cdoc_rec_put_bytes(&w->chunk, key, strlen(key));
	cdoc_rec_put_bytes(&w->chunk, value, strlen(value));
	return put_scratch(w, CDOC_REC_META);
}

int cdoc_rec_counter(struct cdoc_rec_writer *w, const char *name,
                     uint64_t value)
{
	cdoc_buf_reset(&w->chunk);
	cdoc_rec_put_bytes(&w->chunk, name, strlen(name));
	cdoc_rec_put_u64(&w->chunk, value);
	return put_scratch(w, CDOC_REC_COUNTERS);
}

int cdoc_rec_process(struct cdoc_rec_writer *w, uint32_t pid, uint32_t ppid,
                     const char *name)
{
	cdoc_buf_reset(&w->chunk);
	cdoc_rec_put_u64(&w->chunk, pid);
	cdoc_rec_put_u64(&w->chunk, ppid);
	cdoc_rec_put_bytes(&w->chunk, name, strlen(name));
	return put_scratch(w, CDOC_REC_PROCESS);
}

int cdoc_rec_exit(struct cdoc_rec_writer *w, uint32_t pid, int status)
{
	cdoc_buf_reset(&w->chunk);
	cdoc_rec_put_u64(&w->chunk, pid);
	cdoc_rec_put_u64(&w->chunk, (uint32_t)status);
	return put_scratch(w, CDOC_REC_EXIT);
}

int cdoc_rec_metrics(struct cdoc_rec_writer *w, uint64_t time_ns,
                     const char *const *names, const double *values, size_t n)
{
	size_t i;

	cdoc_buf_reset(&w->chunk);
	cdoc_rec_put_u64(&w->chunk, time_ns);
	cdoc_rec_put_u64(&w->chunk, n);
	for (i = 0; i < n; i++) {
		cdoc_rec_put_bytes(&w->chunk, names[i], strlen(names[i]));
		cdoc_rec_put_f64(&w->chunk, values[i]);
	}
	return put_scratch(w, CDOC_REC_METRICS);
}

/* The module id of @fi's (path, build-id), writing MODULE when new. */
static int module_id(struct cdoc_rec_writer *w,
                     const struct cdoc_rec_frameinfo *fi, uint32_t *id)
{
	struct cdoc_buf key = CDOC_BUF_INIT;
	size_t before = w->modules.nr;
	int ret = 0;

	cdoc_buf_addstr(&key, fi->module);
	cdoc_buf_add(&key, "", 1);
	if (fi->build_id_len)
		cdoc_buf_add(&key, fi->build_id, fi->build_id_len);
	*id = cdoc_strtab_intern(&w->modules, key.buf, key.len);
	cdoc_buf_release(&key);
	if (w->modules.nr == before)
		return 0;
	cdoc_buf_reset(&w->chunk);
	cdoc_rec_put_u64(&w->chunk, *id);
	cdoc_rec_put_bytes(&w->chunk, fi->module, strlen(fi->module));
	cdoc_rec_put_bytes(&w->chunk, fi->build_id, fi->build_id_len);
	cdoc_rec_put_u64(&w->chunk, fi->map_start);
	cdoc_rec_put_u64(&w->chunk, fi->map_end);
	ret = put_scratch(w, CDOC_REC_MODULE);
	return ret;
}

int cdoc_rec_frameinfo(struct cdoc_rec_writer *w, uint32_t frame,
                       const struct cdoc_rec_frameinfo *fi)
{
	uint32_t mod = 0;
	int ret = 0;

	if (fi->module) {
		ret = module_id(w, fi, &mod);
		mod++;
	}
	if (ret)
		return ret;
	cdoc_buf_reset(&w->chunk);
	cdoc_rec_put_u64(&w->chunk, frame);
	cdoc_rec_put_u64(&w->chunk, mod);
	cdoc_rec_put_u64(&w->chunk, fi->address);
	cdoc_rec_put_bytes(&w->chunk, fi->file ? fi->file : "",
	                   fi->file ? strlen(fi->file) : 0);
	cdoc_rec_put_u64(&w->chunk, fi->file ? fi->line : 0);
	return put_scratch(w, CDOC_REC_FRAMEINFO);
}

int cdoc_rec_flush(struct cdoc_rec_writer *w)
{
	int ret = flush_defs(w);

	if (!ret)
		ret = flush_samples(w);
	return ret ? ret : record__flush_timed(w);
}

void cdoc_rec_writer_abandon(struct cdoc_rec_writer *w)
{
	if (w->fd >= 0)
		close(w->fd);
	free(w->path);
	cdoc_strtab_release(&w->strs);
	cdoc_strtab_release(&w->modules);
	cdoc_u64map_release(&w->stacks);
	cdoc_buf_release(&w->pend_stacks);
	cdoc_buf_release(&w->samples);
	cdoc_buf_release(&w->chunk);
	cdoc_buf_release(&w->tsamples);
	memset(w, 0, sizeof(*w));
	w->fd = -1;
}

int cdoc_rec_writer_close(struct cdoc_rec_writer *w)
{
	int ret = cdoc_rec_flush(w);

	if (!ret)
		ret = put_chunk(w, CDOC_REC_END, "", 0);
	if (!ret && fsync(w->fd) < 0 && errno != EINVAL)
		ret = cdoc_error(-errno, "%s: fsync failed: %s", w->path,
		                 strerror(errno));
	cdoc_rec_writer_abandon(w);
	return ret;
}
