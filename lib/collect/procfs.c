/*
 * procfs.c - what the session and its sources read about a process from
 * /proc: its threads (to attach to each) and a thread's name.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect/internal.h"

int collect__attach_threads(pid_t pid, pid_t **tids, size_t *nr)
{
	char path[64];
	struct dirent *d;
	size_t alloc = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return cdoc_error(-errno, "process %d: %s", (int)pid,
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

char *collect__read_comm(pid_t pid, pid_t tid)
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
