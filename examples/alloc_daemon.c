/*
 * alloc_daemon - a daemon-style program that takes over its descriptors:
 * it closes 3-1023 at start, opens its log (which gets fd 3), then
 * allocates and logs LINES lines, a write per line. With "dup2" it also
 * puts the log on every descriptor from 3 to 15 with dup2() and writes
 * each line through the next one in turn, so that a descriptor some
 * library holds behind the program's back would receive or lose lines.
 * With "all" it closes every descriptor above 2 (close_range) and puts
 * the log on every number from 3 up to its descriptor limit (at most
 * 4096), taking over any number a library could hold.
 * Prints how many lines were logged; exits 1 when a write failed.
 *
 * usage: alloc_daemon LOGFILE [plain|dup2|all] [LINES]
 * A tracker must never own, close or reuse the program's descriptors:
 * every line reaches LOGFILE whatever runs under the program.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define FIRST_FD 3
#define LAST_FD  15

static void close_all(int all)
{
	int fd;

	if (all) {
		close_range(3, ~0u, 0);
		return;
	}
	for (fd = 3; fd < 1024; fd++)
		close(fd);
}

/* The highest descriptor number "all" takes over. */
static int top_fd(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur > 4096)
		return 4095;
	return (int)rl.rlim_cur - 1;
}

/* The log on every descriptor from FIRST_FD to @last. */
static int spread(int log, int last)
{
	int fd;

	for (fd = FIRST_FD; fd <= last; fd++)
		if (fd != log && dup2(log, fd) != fd)
			return -1;
	return 0;
}

/* One line, built in heap memory the way a logger would. */
static int log_line(int fd, int i)
{
	char *line = malloc(64 + (size_t)(i % 7) * 100);
	char *tmp = malloc(32);
	int len, ok;

	if (!line || !tmp)
		return -1;
	snprintf(tmp, 32, "%d", i * i);
	len = snprintf(line, 64, "line %03d value %s\n", i, tmp);
	ok = write(fd, line, (size_t)len) == len;
	free(tmp);
	free(line);
	return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[2] : "plain";
	int all = !strcmp(mode, "all");
	int dup = all || !strcmp(mode, "dup2");
	int lines = argc > 3 ? atoi(argv[3]) : 100;
	int log, i, logged = 0;

	if (argc < 2 || (!dup && strcmp(mode, "plain"))) {
		fprintf(stderr, "usage: alloc_daemon LOGFILE [plain|dup2|all] "
		                "[LINES]\n");
		return 2;
	}
	close_all(all);
	log = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
	if (log < 0 || (dup && spread(log, all ? top_fd() : LAST_FD) < 0)) {
		perror(argv[1]);
		return 2;
	}
	for (i = 0; i < lines; i++) {
		int fd = dup ? FIRST_FD + i % (LAST_FD - FIRST_FD + 1) : log;

		if (log_line(fd, i) == 0)
			logged++;
	}
	printf("logged %d of %d lines (log on fd %d)\n", logged, lines, log);
	return logged == lines ? 0 : 1;
}
