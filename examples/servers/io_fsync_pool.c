/*
 * io_fsync_pool - a thread-pool HTTP server (THREADS=24) that appends an
 * audit record for every request and makes it durable with fdatasync
 * before answering (append_audit_record). Threads spend their time off
 * CPU waiting for the disk; the CPU is mostly idle. The log lives in
 * $AUDIT_DIR (default /var/tmp) and is removed at exit.
 * Right verdict: io-wait, culprit append_audit_record.
 */
#include "httpd.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int audit_fd = -1;

/* Writes one line and waits until it is on disk. */
__attribute__((noinline)) static int append_audit_record(const char *path,
                                                         unsigned long seq)
{
	char line[256];
	int n = snprintf(line, sizeof(line), "%lu GET %s\n", seq, path);

	if (write(audit_fd, line, n) != n)
		return -1;
	return fdatasync(audit_fd);
}

static int handle(const struct srv_req *rq, struct srv_out *out)
{
	if (append_audit_record(rq->path, rq->seq) < 0)
		return 500;
	srv_appendf(out, "%s recorded\n", rq->path);
	return 200;
}

int main(void)
{
	const char *dir = getenv("AUDIT_DIR");
	char name[4096];
	int lfd = srv_listen();

	snprintf(name, sizeof(name), "%s/io_fsync_pool.XXXXXX",
	         dir && *dir ? dir : "/var/tmp");
	audit_fd = mkstemp(name);
	if (audit_fd < 0) {
		perror(name);
		return 1;
	}
	fcntl(audit_fd, F_SETFL, O_APPEND);
	srv_run_pool(lfd, (int)srv_env("THREADS", 24), handle);
	close(audit_fd);
	unlink(name);
	return 0;
}
