/*
 * launch.c - start the command stopped before exec (so the events, opened
 * with enable_on_exec, start counting exactly at exec), or list the
 * threads of a process to attach to.
 *
 * The child blocks reading the "go" pipe; the parent opens the events on
 * it and then closes the pipe. An exec failure comes back through a
 * close-on-exec pipe as an errno.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect/internal.h"

/* Child side: wait for the parent, then exec. Never returns. */
static void child(struct cdoc_collector *c, int go, int err)
{
	char byte;
	int e;

	sigprocmask(SIG_SETMASK, &c->oldmask, NULL);
	while (read(go, &byte, 1) < 0 && errno == EINTR)
		;
	close(go);
	execvp(c->argv[0], c->argv);
	e = errno;
	if (write(err, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

int collect_launch(struct cdoc_collector *c)
{
	int go[2], err[2];
	pid_t pid;

	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
		return cdoc_error(-errno, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		return cdoc_error(-errno, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(go[1]);
		close(err[0]);
		child(c, go[0], err[1]);
	}
	close(go[0]);
	close(err[1]);
	c->pid = pid;
	c->go_fd = go[1];
	c->err_fd = err[0];
	return 0;
}

/* Let the child exec; report its exec error, if any. */
int collect_release_child(struct cdoc_collector *c)
{
	int e = 0;
	ssize_t n;

	close(c->go_fd);
	c->go_fd = -1;
	do
		n = read(c->err_fd, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(c->err_fd);
	c->err_fd = -1;
	if (n == sizeof(e))
		return cdoc_error(-e, "cannot run %s: %s", c->argv[0],
		                  strerror(e));
	return 0;
}

int collect_attach_threads(struct cdoc_collector *c, pid_t **tids, size_t *nr)
{
	char path[64];
	struct dirent *d;
	size_t alloc = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)c->pid);
	dir = opendir(path);
	if (!dir)
		return cdoc_error(-errno, "process %d: %s", (int)c->pid,
		                  strerror(errno));
	*nr = 0;
	while ((d = readdir(dir))) {
		long tid = strtol(d->d_name, NULL, 10);

		if (tid <= 0)
			continue;
		CDOC_GROW(*tids, *nr + 1, alloc);
		(*tids)[(*nr)++] = (pid_t)tid;
	}
	closedir(dir);
	return 0;
}

char *collect_read_comm(pid_t pid, pid_t tid)
{
	char path[64], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)pid,
	         (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return cdoc_strdup(buf);
}
