/*
 * fdleak_file_pool - a thread-pool HTTP server (THREADS=24) that serves a
 * static file: serve_static_file opens it for every request, but on the
 * "not modified" path (every LEAK_EVERY-th request, 100) returns early and
 * forgets to close it. Open file descriptors grow steadily through the
 * load (the soft RLIMIT_NOFILE is raised to the hard one, as servers do;
 * when it runs out the server answers 503 and keeps going).
 * Right verdict: fd-leak, culprit serve_static_file.
 */
#include "httpd.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static char file_name[4096];
static long leak_every;

/* Answers with the file's contents, or "not modified" (leaking the fd). */
__attribute__((noinline)) static int serve_static_file(const struct srv_req *rq,
                                                       struct srv_out *out)
{
	char buf[512];
	int fd = open(file_name, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 503;
	if (rq->seq % leak_every == 0) {
		srv_appendf(out, "%s not modified\n", rq->path);
		return 200; /* the bug: fd is not closed on this path */
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	srv_appendf(out, "%s: %s", rq->path, buf);
	return 200;
}

int main(void)
{
	const char *dir = getenv("STATIC_DIR");
	struct rlimit rl;
	int fd, lfd = srv_listen();

	leak_every = srv_env("LEAK_EVERY", 100);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	snprintf(file_name, sizeof(file_name), "%s/fdleak_file_pool.XXXXXX",
	         dir && *dir ? dir : "/var/tmp");
	fd = mkstemp(file_name);
	if (fd < 0 || write(fd, "<h1>static page</h1>\n", 21) != 21) {
		perror(file_name);
		return 1;
	}
	close(fd);
	srv_run_pool(lfd, (int)srv_env("THREADS", 24), serve_static_file);
	unlink(file_name);
	return 0;
}
