/*
 * input.c - whole-file input for parsers: mapped plain files, standard
 * input, and gzip-compressed data inflated with zlib. Also race-free file
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

int cdoc_read_fd(int fd, struct cdoc_buf *out)
{
	for (;;) {
		ssize_t n;

		cdoc_buf_grow(out, 1 << 16);
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

static int is_gzip(const char *data, size_t len)
{
	return len >= 2 && (unsigned char)data[0] == 0x1f &&
	       (unsigned char)data[1] == 0x8b;
}

static int gunzip(struct cdoc_input *in)
{
	struct cdoc_buf out = CDOC_BUF_INIT;
	z_stream zs;
	int ret;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 32) != Z_OK)
		return cdoc_error(-ENOMEM, "%s: cannot start gzip", in->name);
	zs.next_in = (unsigned char *)in->data;
	zs.avail_in = in->len;
	do {
		cdoc_buf_grow(&out, CDOC_MAX(in->len * 2, (size_t)1 << 16));
		zs.next_out = (unsigned char *)out.buf + out.len;
		zs.avail_out = out.alloc - out.len - 1;
		ret = inflate(&zs, Z_NO_FLUSH);
		out.len = out.alloc - 1 - zs.avail_out;
		/* Concatenated gzip members, as gzip itself accepts. */
		if (ret == Z_STREAM_END && zs.avail_in > 0) {
			inflateReset(&zs);
			ret = Z_OK;
		}
	} while (ret == Z_OK);
	inflateEnd(&zs);
	if (ret != Z_STREAM_END) {
		cdoc_buf_release(&out);
		return cdoc_error(-CDOC_EFORMAT,
		                  "%s: corrupt or truncated gzip data near "
		                  "byte %lu",
		                  in->name, (unsigned long)zs.total_in);
	}
	if (in->mapped)
		munmap((void *)in->data, in->len);
	free(in->owned);
	in->mapped = 0;
	in->owned = cdoc_buf_detach(&out, &in->len);
	in->data = in->owned;
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

static int map_or_read(struct cdoc_input *in, int fd)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	struct stat st;
	int ret;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		void *p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);

		if (p != MAP_FAILED) {
			madvise(p, st.st_size, MADV_SEQUENTIAL);
			in->data = p;
			in->len = st.st_size;
			in->mapped = 1;
			return 0;
		}
	}
	ret = cdoc_read_fd(fd, &b);
	if (ret < 0) {
		cdoc_buf_release(&b);
		return cdoc_error(ret, "%s: read failed: %s", in->name,
		                  strerror(-ret));
	}
	in->owned = cdoc_buf_detach(&b, &in->len);
	in->data = in->owned;
	return 0;
}

int cdoc_input_open(struct cdoc_input *in, const char *path)
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
	ret = map_or_read(in, fd);
	if (fd != 0)
		close(fd);
	if (ret < 0)
		goto err;
	if (is_gzip(in->data, in->len)) {
		ret = gunzip(in);
		if (ret < 0)
			goto err;
	}
	return 0;
err:
	cdoc_input_release(in);
	return ret;
}

void cdoc_input_release(struct cdoc_input *in)
{
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
