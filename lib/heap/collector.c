/*
 * collector.c - the channel between cdoctor and the shim in its target:
 * a SOCK_SEQPACKET socketpair (one message per batch), the environment
 * that injects the shim, and reading batches into the model.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "heap/heap.h"

struct cdoc_heap_collector {
	struct cdoc_heap_opts opts; /* strings copied below */
	char *shim, *dump_path;
	int fd;       /* our end, non-blocking */
	int child_fd; /* the target's end; -1 once spawned */
	int dump_fd;  /* raw copy of the stream, or -1 */
	int ended;    /* every sender has closed */
	uint64_t off; /* stream bytes read (offsets in messages) */
	unsigned char *buf;
	struct cdoc_heap *heap;
};

int cdoc_heap_collector_start(struct cdoc_heap_collector **out,
                              const struct cdoc_heap_opts *opts)
{
	struct cdoc_heap_collector *c;
	int sv[2];

	if (!opts->shim)
		return cdoc_error(-EINVAL, "no allocation shim given");
	if (access(opts->shim, R_OK) < 0)
		return cdoc_error(-errno, "%s: %s", opts->shim,
		                  strerror(errno));
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return cdoc_error(-errno, "socketpair: %s", strerror(errno));
	c = cdoc_calloc(1, sizeof(*c));
	c->opts = *opts;
	c->shim = cdoc_strdup(opts->shim);
	c->fd = sv[0];
	c->child_fd = sv[1];
	c->dump_fd = -1;
	fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
	fcntl(c->child_fd, F_SETFD, 0); /* inherited across exec */
	/* Room for a few whole batches in flight (the kernel caps it). */
	setsockopt(c->child_fd, SOL_SOCKET, SO_SNDBUF, &(int){1 << 20},
	           sizeof(int));
	c->buf = cdoc_malloc(CDOC_ASTREAM_BATCH_MAX);
	cdoc_heap_new(&c->heap);
	if (opts->dump) {
		c->dump_fd = cdoc_create_file(opts->dump, 1);
		if (c->dump_fd < 0) {
			int ret = c->dump_fd;

			cdoc_heap_collector_free(c);
			return ret;
		}
	}
	*out = c;
	return 0;
}

static char *env_pair(const char *k, const char *v1, const char *v2)
{
	struct cdoc_buf b = CDOC_BUF_INIT;

	cdoc_buf_addf(&b, "%s=%s%s%s", k, v1 ? v1 : "", v1 && *v1 ? ":" : "",
	              v2);
	return cdoc_buf_detach(&b, NULL);
}

static int ours(const char *e)
{
	return !strncmp(e, "LD_PRELOAD=", 11) || !strncmp(e, "CDOC_ALLOC_", 11);
}

int cdoc_heap_collector_env(struct cdoc_heap_collector *c, char *const *base,
                            char ***out)
{
	size_t n = 0, i, k = 0;
	const char *preload = NULL;
	char num[32], **env;
	struct stat st;

	while (base && base[n])
		n++;
	env = cdoc_calloc(n + 12, sizeof(*env));
	for (i = 0; i < n; i++) {
		if (!strncmp(base[i], "LD_PRELOAD=", 11))
			preload = base[i] + 11;
		if (!ours(base[i]))
			env[k++] = cdoc_strdup(base[i]);
	}
	env[k++] = env_pair("LD_PRELOAD", preload, c->shim);
	snprintf(num, sizeof(num), "%d", c->child_fd);
	env[k++] = env_pair(CDOC_ALLOC_ENV_FD, NULL, num);
	if (fstat(c->child_fd, &st) == 0) {
		snprintf(num, sizeof(num), "%llu",
		         (unsigned long long)st.st_ino);
		env[k++] = env_pair(CDOC_ALLOC_ENV_ID, NULL, num);
	}
	snprintf(num, sizeof(num), "%llu",
	         (unsigned long long)c->opts.sample_rate);
	env[k++] = env_pair(CDOC_ALLOC_ENV_SAMPLE, NULL, num);
	env[k++] = env_pair(CDOC_ALLOC_ENV_MMAP, NULL,
	                    c->opts.track_mmap ? "1" : "0");
	env[k++] = env_pair(CDOC_ALLOC_ENV_UNWIND, NULL,
	                    c->opts.use_fp ? "fp" : "libunwind");
	if (c->opts.long_tick_ns) {
		snprintf(num, sizeof(num), "%llu",
		         (unsigned long long)c->opts.long_tick_ns);
		env[k++] = env_pair(CDOC_ALLOC_ENV_LONG_TICK, NULL, num);
	}
	*out = env;
	return 0;
}

void cdoc_heap_env_free(char **env)
{
	size_t i;

	for (i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}

int cdoc_heap_collector_child_fd(const struct cdoc_heap_collector *c)
{
	return c->child_fd;
}

void cdoc_heap_collector_spawned(struct cdoc_heap_collector *c)
{
	if (c->child_fd >= 0)
		close(c->child_fd);
	c->child_fd = -1;
}

int cdoc_heap_collector_fd(const struct cdoc_heap_collector *c)
{
	return c->fd;
}

struct cdoc_heap *cdoc_heap_collector_model(struct cdoc_heap_collector *c)
{
	return c->heap;
}

static int take(struct cdoc_heap_collector *c, size_t n)
{
	long used;

	if (c->dump_fd >= 0 && write(c->dump_fd, c->buf, n) != (ssize_t)n)
		return cdoc_error(-EIO, "%s: write failed", c->opts.dump);
	used = cdoc_heap_feed(c->heap, c->buf, n, "allocation stream", c->off);
	c->off += n;
	if (used < 0)
		return (int)used;
	if ((size_t)used != n)
		return cdoc_error(-CDOC_EFORMAT,
		                  "allocation stream: offset %llu: partial "
		                  "batch",
		                  (unsigned long long)(c->off - n));
	return 0;
}

int cdoc_heap_collector_poll(struct cdoc_heap_collector *c)
{
	int got = 0, ret;

	if (c->ended)
		return -EPIPE;
	for (;;) {
		ssize_t n = recv(c->fd, c->buf, CDOC_ASTREAM_BATCH_MAX,
		                 MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return got;
		if (n < 0)
			return cdoc_error(-errno, "allocation stream: %s",
			                  strerror(errno));
		if (n == 0 && c->child_fd < 0) {
			c->ended = 1;
			return got ? got : -EPIPE;
		}
		if (n == 0)
			return got;
		if ((ret = take(c, (size_t)n)) < 0)
			return ret;
		got++;
	}
}

int cdoc_heap_collector_drain(struct cdoc_heap_collector *c, int timeout_ms,
                              int idle_ms)
{
	uint64_t end = cdoc_now_ns() + (uint64_t)timeout_ms * 1000000;
	int ret = 0;

	cdoc_heap_collector_spawned(c);
	while (!c->ended) {
		struct pollfd pfd = {c->fd, POLLIN, 0};
		uint64_t now = cdoc_now_ns();
		int wait = now < end ? (int)((end - now) / 1000000) : 0;
		int idle = idle_ms > 0 && idle_ms < wait;

		ret = poll(&pfd, 1, idle ? idle_ms : wait);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret == 0 && idle)
			break;
		if (ret == 0) {
			ret = cdoc_error(-ETIMEDOUT,
			                 "allocation stream still open after "
			                 "%d ms (a tracked process is still "
			                 "running)",
			                 timeout_ms);
			break;
		}
		ret = cdoc_heap_collector_poll(c);
		if (ret == -EPIPE)
			ret = 0;
		if (ret < 0)
			break;
	}
	cdoc_heap_finish(c->heap);
	return ret < 0 ? ret : 0;
}

void cdoc_heap_collector_free(struct cdoc_heap_collector *c)
{
	if (!c)
		return;
	close(c->fd);
	if (c->child_fd >= 0)
		close(c->child_fd);
	if (c->dump_fd >= 0)
		close(c->dump_fd);
	cdoc_heap_free(c->heap);
	free(c->shim);
	free(c->buf);
	free(c);
}
