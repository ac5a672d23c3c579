/*
 * input.c - whole-file input for parsers: mapped plain files, standard
 * input and other streams read in pieces, and gzip-compressed data
 * inflated with zlib piece by piece. What the input must look like (the
 * caller's struct cdoc_input_spec, and "no NUL byte" for text) is checked
 * as the bytes arrive, so an endless or wrong input fails after its first
 * bytes rather than after all of them; running out of memory is an error
 * naming the input and the offset, not an abort. Also race-free file
 * creation and the clock.
 */
#include "base.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define PIECE ((size_t)1 << 16)

int cdoc_read_fd(int fd, struct cdoc_buf *out)
{
	for (;;) {
		size_t need = out->len + PIECE + 1;
		ssize_t n;
		char *p;

		if (need > out->alloc) { /* cdoc_buf_grow() would abort */
			need = CDOC_MAX(need, out->alloc + out->alloc / 2);
			if (!(p = realloc(out->buf, need)))
				return -ENOMEM;
			out->buf = p;
			out->alloc = need;
		}
		n = read(fd, out->buf + out->len, out->alloc - out->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		out->len += n;
	}
	out->buf[out->len] = '\0';
	return 0;
}

/*
 * struct sink - the bytes read (and inflated) so far, and how far the
 * checks have looked at them. Grows without aborting.
 */
struct sink {
	const char *name;                   /* for messages */
	const struct cdoc_input_spec *spec; /* NULL: text, nothing else */
	const char *data;                   /* buf, or the mapping */
	char *buf;                          /* owned bytes; NUL-terminated */
	size_t len, alloc;                  /* bytes in data / allocated */
	size_t checked;                     /* bytes the NUL check passed */
};

static int out_of_memory(const struct sink *s)
{
	return cdoc_error(-ENOMEM,
	                  "out of memory reading %s at offset %zu (the "
	                  "input is larger than the memory available)",
	                  s->name, s->len);
}

/* Room for @extra more bytes and a NUL. */
static int sink_room(struct sink *s, size_t extra)
{
	size_t need = s->len + extra + 1, n;
	char *p;

	if (need <= s->alloc)
		return 0;
	n = CDOC_MAX(need, s->alloc + s->alloc / 2);
	p = realloc(s->buf, n);
	if (!p)
		return out_of_memory(s);
	s->buf = p;
	s->data = p;
	s->alloc = n;
	return 0;
}

static size_t line_of(const char *data, const char *at)
{
	size_t line = 1;

	while ((data = memchr(data, '\n', (size_t)(at - data))) != NULL) {
		line++;
		data++;
	}
	return line;
}

/* Run the checks over what arrived since the last call. */
static int sink_check(struct sink *s, int at_end)
{
	const struct cdoc_input_spec *spec = s->spec;
	const char *nul;
	int ret;

	if (spec && spec->check) {
		ret = spec->check(spec->state, s->name, s->data, s->len,
		                  at_end);
		if (ret < 0)
			return ret;
	}
	if (spec && spec->binary)
		return 0;
	nul = s->len > s->checked
	              ? memchr(s->data + s->checked, '\0', s->len - s->checked)
	              : NULL;
	s->checked = s->len;
	if (nul)
		return cdoc_error(-CDOC_EFORMAT,
		                  "%s:%zu: binary data (a NUL byte at offset "
		                  "%zu), not text",
		                  s->name, line_of(s->data, nul),
		                  (size_t)(nul - s->data));
	return 0;
}

/* read(2) retried on EINTR; bytes read, 0 at the end, or -errno. */
static ssize_t read_some(int fd, void *p, size_t n)
{
	ssize_t r;

	do
		r = read(fd, p, n);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

static int read_failed(const struct sink *s, ssize_t err)
{
	return cdoc_error((int)err, "%s: read failed at offset %zu: %s",
	                  s->name, s->len, strerror((int)-err));
}

/* Read @fd to its end into @s, checking each piece as it arrives. */
static int sink_read(struct sink *s, int fd)
{
	for (;;) {
		ssize_t n;
		int ret = sink_room(s, PIECE);

		if (ret < 0)
			return ret;
		n = read_some(fd, s->buf + s->len, PIECE);
		if (n < 0)
			return read_failed(s, n);
		if (n == 0)
			break;
		s->len += (size_t)n;
		s->buf[s->len] = '\0';
		if ((ret = sink_check(s, 0)) < 0)
			return ret;
	}
	return sink_check(s, 1);
}

/*
 * struct gz - inflating from a mapping (fd < 0: all input is there) or
 * from a stream, raw input in pieces.
 */
struct gz {
	z_stream zs;
	int fd;
	unsigned char *raw;       /* a piece of the stream */
	const unsigned char *map; /* fd < 0: the mapping not yet given */
	size_t map_left;          /* its bytes */
	size_t consumed;          /* compressed bytes used, for messages */
	int ended;                /* the last member is complete */
};

/* More compressed input when it ran out; 0 at its end, 1 when more. */
static int gz_fill(struct gz *g, struct sink *s)
{
	ssize_t n;

	if (g->zs.avail_in)
		return 1;
	if (g->fd < 0) { /* avail_in is 32 bits: a mapping goes in pieces */
		g->zs.next_in = (unsigned char *)g->map;
		g->zs.avail_in =
		        (unsigned)CDOC_MIN(g->map_left, (size_t)1 << 30);
		g->map += g->zs.avail_in;
		g->map_left -= g->zs.avail_in;
		return g->zs.avail_in > 0;
	}
	n = read_some(g->fd, g->raw, PIECE);
	if (n < 0)
		return read_failed(s, n);
	g->zs.next_in = g->raw;
	g->zs.avail_in = (unsigned)n;
	return n > 0;
}

/* Inflate one piece into @s. */
static int gz_step(struct gz *g, struct sink *s)
{
	unsigned before = g->zs.avail_in;
	int zret, ret = sink_room(s, PIECE);

	if (ret < 0)
		return ret;
	if (g->ended) { /* concatenated members, as gzip itself accepts */
		inflateReset(&g->zs);
		g->ended = 0;
	}
	g->zs.next_out = (unsigned char *)s->buf + s->len;
	g->zs.avail_out = (unsigned)(s->alloc - s->len - 1);
	zret = inflate(&g->zs, Z_NO_FLUSH);
	g->consumed += before - g->zs.avail_in;
	s->len = s->alloc - 1 - g->zs.avail_out;
	s->buf[s->len] = '\0';
	if (zret == Z_MEM_ERROR)
		return out_of_memory(s);
	if (zret != Z_OK && zret != Z_STREAM_END &&
	    !(zret == Z_BUF_ERROR && !g->zs.avail_in))
		return cdoc_error(-CDOC_EFORMAT,
		                  "%s: corrupt gzip data near compressed byte "
		                  "%zu",
		                  s->name, g->consumed);
	g->ended = zret == Z_STREAM_END;
	return sink_check(s, 0);
}

static int gz_run(struct gz *g, struct sink *s)
{
	int ret;

	while ((ret = gz_fill(g, s)) > 0)
		if ((ret = gz_step(g, s)) < 0)
			return ret;
	if (ret < 0)
		return ret;
	if (!g->ended)
		return cdoc_error(-CDOC_EFORMAT,
		                  "%s: truncated gzip data (it ends at "
		                  "compressed byte %zu)",
		                  s->name, g->consumed);
	return sink_check(s, 1);
}

/*
 * Inflate @first (@nfirst bytes, copied) and then the rest of @fd (or,
 * with fd < 0, only @first: a whole mapped file) into @s, which is empty.
 */
static int gunzip(struct sink *s, int fd, const void *first, size_t nfirst)
{
	struct gz g;
	int ret;

	memset(&g, 0, sizeof(g));
	g.fd = fd;
	if (inflateInit2(&g.zs, 15 + 32) != Z_OK)
		return out_of_memory(s);
	g.map = first;
	g.map_left = nfirst;
	if (fd >= 0) {
		g.raw = malloc(PIECE);
		if (!g.raw) {
			inflateEnd(&g.zs);
			return out_of_memory(s);
		}
		memcpy(g.raw, first, nfirst);
		g.zs.next_in = g.raw;
		g.zs.avail_in = (unsigned)nfirst;
		g.map_left = 0;
	}
	ret = gz_run(&g, s);
	inflateEnd(&g.zs);
	free(g.raw);
	return ret;
}

static int is_gzip(const char *data, size_t len)
{
	return len >= 2 && (unsigned char)data[0] == 0x1f &&
	       (unsigned char)data[1] == 0x8b;
}

/* A regular file: mapped, or inflated from its mapping. 1 when not
 * mappable (read it as a stream instead). */
static int sink_map(struct sink *s, int fd)
{
	struct stat st;
	void *p;
	int ret;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > SIZE_MAX)
		return 1;
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return 1;
	madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL);
	if (is_gzip(p, (size_t)st.st_size)) {
		ret = gunzip(s, -1, p, (size_t)st.st_size);
		munmap(p, (size_t)st.st_size);
		return ret < 0 ? ret : 0;
	}
	s->data = p;
	s->len = (size_t)st.st_size;
	ret = sink_check(s, 1);
	if (ret < 0) {
		munmap(p, s->len);
		s->data = NULL;
		s->len = 0;
		return ret;
	}
	return 0;
}

/* A stream: its first bytes tell whether it is gzip. */
static int sink_stream(struct sink *s, int fd)
{
	unsigned char first[2];
	size_t n = 0;
	ssize_t r = 1;
	int ret;

	while (n < 2 && (r = read_some(fd, first + n, 2 - n)) > 0)
		n += (size_t)r;
	if (r < 0)
		return read_failed(s, r);
	if (is_gzip((const char *)first, n))
		return gunzip(s, fd, first, n);
	if ((ret = sink_room(s, n)) < 0)
		return ret;
	memcpy(s->buf, first, n);
	s->len = n;
	s->buf[n] = '\0';
	if ((ret = sink_check(s, 0)) < 0)
		return ret;
	return sink_read(s, fd);
}

static int read_into(struct cdoc_input *in, int fd,
                     const struct cdoc_input_spec *spec)
{
	struct sink s = {.name = in->name, .spec = spec};
	int ret = sink_map(&s, fd);

	if (ret > 0) {
		memset(&s, 0, sizeof(s));
		s.name = in->name;
		s.spec = spec;
		ret = sink_stream(&s, fd);
	}
	if (ret < 0) {
		free(s.buf);
		return ret;
	}
	in->mapped = s.data && !s.buf;
	in->owned = s.buf;
	in->data = s.data ? s.data : "";
	in->len = s.len;
	return 0;
}

void cdoc_input_from_mem(struct cdoc_input *in, const char *name,
                         const char *data, size_t len)
{
	memset(in, 0, sizeof(*in));
	in->name = cdoc_strdup(name);
	in->data = data;
	in->len = len;
}

int cdoc_input_open_as(struct cdoc_input *in, const char *path,
                       const struct cdoc_input_spec *spec)
{
	int fd, ret;

	memset(in, 0, sizeof(*in));
	if (!strcmp(path, "-")) {
		in->name = cdoc_strdup("<stdin>");
		fd = 0;
	} else {
		in->name = cdoc_strdup(path);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			ret = -errno;
			cdoc_error(ret, "%s: cannot open: %s", path,
			           strerror(errno));
			goto err;
		}
	}
	ret = read_into(in, fd, spec);
	if (fd != 0)
		close(fd);
	if (ret < 0)
		goto err;
	cdoc_set_oom_input(in->name);
	return 0;
err:
	cdoc_input_release(in);
	return ret;
}

int cdoc_input_open(struct cdoc_input *in, const char *path)
{
	return cdoc_input_open_as(in, path, NULL);
}

void cdoc_input_release(struct cdoc_input *in)
{
	cdoc_set_oom_input(NULL);
	if (in->mapped)
		munmap((void *)in->data, in->len);
	free(in->owned);
	free(in->name);
	memset(in, 0, sizeof(*in));
}
int cdoc_create_file(const char *path, int replace)
{
	struct stat st;
	int fd;

	if (replace && lstat(path, &st) == 0) {
		/* -o /dev/null and the like: a device is written, not made. */
		if (S_ISCHR(st.st_mode)) {
			fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0)
				return cdoc_error(-errno, "%s: cannot open: %s",
				                  path, strerror(errno));
			return fd;
		}
		if (!S_ISREG(st.st_mode) || st.st_uid != geteuid())
			return cdoc_error(-EEXIST,
			                  "%s: exists and is not a regular "
			                  "file of ours; not overwriting",
			                  path);
		if (unlink(path) < 0)
			return cdoc_error(-errno, "%s: cannot replace: %s",
			                  path, strerror(errno));
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	          0644);
	if (fd < 0)
		return cdoc_error(-errno, "%s: cannot create: %s", path,
		                  strerror(errno));
	return fd;
}

uint64_t cdoc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}
