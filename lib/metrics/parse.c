/*
 * parse.c - reading small /proc and /sys files and the parsers of their
 * lines, shared by the samplers of lib/metrics.
 */
#include "metrics/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

ssize_t metrics__read(const char *path, char *buf, size_t size)
{
	return metrics__read_at(AT_FDCWD, path, buf, size);
}

ssize_t metrics__read_at(int dirfd, const char *path, char *buf, size_t size)
{
	ssize_t n, got = 0;
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((size_t)got < size - 1) {
		n = read(fd, buf + got, size - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	buf[got] = '\0';
	return got;
}

int metrics__parse_schedstat(const char *buf, uint64_t out[3])
{
	const char *q = buf;
	int i;

	for (i = 0; i < 3; i++) {
		char *end;

		while (*q == ' ')
			q++;
		if (*q < '0' || *q > '9')
			return -1;
		out[i] = strtoull(q, &end, 10);
		q = end;
	}
	return *q == '\n' || *q == '\0' || *q == ' ' ? 0 : -1;
}

int metrics__key_u64(const char *buf, const char *key, char sep, uint64_t *out)
{
	size_t klen = strlen(key);
	const char *q = buf;

	while ((q = strstr(q, key))) {
		if ((q == buf || q[-1] == '\n') && q[klen] == sep) {
			char *end;

			q += klen + 1;
			while (*q == ' ' || *q == '\t')
				q++;
			*out = strtoull(q, &end, 10);
			return end == q ? -1 : 0;
		}
		q += klen;
	}
	return -1;
}

enum metrics__fd_kind metrics__fd_kind(const char *link)
{
	if (!strncmp(link, "socket:[", 8))
		return METRICS_FD_SOCKET;
	if (!strncmp(link, "pipe:[", 6))
		return METRICS_FD_PIPE;
	if (link[0] == '/')
		return METRICS_FD_FILE;
	return METRICS_FD_OTHER;
}
