/*
 * fd_leak - a request loop that leaks descriptors: every request reads a
 * file and closes it, except one in EVERY, which goes through
 * load_settings_leaky and forgets to close its file. Meanwhile each
 * request also uses descriptors correctly: a pipe (exchange_over_pipe),
 * a socket pair (ping_over_socketpair), a stdio stream (append_log) and
 * a dup (check_dup), all closed. At the end a forked child (inheriting
 * the leaked descriptors) opens and closes a file of its own and exits.
 * Prints how many descriptors it leaked. With "exec" as the fourth
 * argument it then opens one more file close-on-exec (keep_cloexec_file)
 * and execs itself for one request: the leaked descriptors survive the
 * exec, that one does not.
 *
 * usage: fd_leak [REQUESTS [EVERY [MICROSECONDS_BETWEEN [exec]]]]
 *        (1000, 10, 0)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

static unsigned long checksum;

static void consume(int fd)
{
	char buf[64];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n > 0)
		checksum += (unsigned char)buf[n - 1];
}

/* The correct path: open, read, close. */
NOINLINE static void read_page(void)
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	consume(fd);
	close(fd);
}

/* The leak: the descriptor is never closed. */
NOINLINE static int load_settings_leaky(void)
{
	int fd = open("/proc/self/exe", O_RDONLY);

	if (fd < 0)
		return 0;
	consume(fd);
	return 1;
}

NOINLINE static void exchange_over_pipe(void)
{
	int p[2];
	char c = 'x';

	if (pipe(p) < 0)
		return;
	if (write(p[1], &c, 1) == 1 && read(p[0], &c, 1) == 1)
		checksum += (unsigned char)c;
	close(p[0]);
	close(p[1]);
}

NOINLINE static void ping_over_socketpair(void)
{
	int sv[2];
	char c = 'y';

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return;
	if (write(sv[0], &c, 1) == 1 && read(sv[1], &c, 1) == 1)
		checksum += (unsigned char)c;
	close(sv[0]);
	close(sv[1]);
}

NOINLINE static void append_log(int i)
{
	FILE *f = fopen("/dev/null", "we");

	if (!f)
		return;
	fprintf(f, "request %d\n", i);
	fclose(f);
}

NOINLINE static void check_dup(void)
{
	int fd = dup(1);

	if (fd >= 0)
		close(fd);
}

NOINLINE static int handle_request(int i, int every)
{
	int leaked = 0;

	read_page();
	if (i % every == every - 1)
		leaked = load_settings_leaky();
	exchange_over_pipe();
	ping_over_socketpair();
	append_log(i);
	check_dup();
	return leaked;
}

/* Kept open, but close-on-exec: the exec below closes it. */
NOINLINE static void keep_cloexec_file(void)
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	if (fd >= 0)
		consume(fd);
}

NOINLINE static void child_work(void)
{
	read_page();
	exit(0);
}

int main(int argc, char **argv)
{
	int requests = argc > 1 ? atoi(argv[1]) : 1000;
	int every = argc > 2 ? atoi(argv[2]) : 10;
	int pause_us = argc > 3 ? atoi(argv[3]) : 0;
	int leaked = 0, i, status;
	pid_t pid;

	if (requests < 1 || every < 1) {
		fprintf(stderr, "usage: fd_leak [REQUESTS [EVERY [US]]]\n");
		return 2;
	}
	for (i = 0; i < requests; i++) {
		leaked += handle_request(i, every);
		if (pause_us)
			usleep((useconds_t)pause_us);
	}
	pid = fork();
	if (pid == 0)
		child_work();
	if (pid > 0)
		waitpid(pid, &status, 0);
	printf("leaked %d descriptors (checksum %lu)\n", leaked, checksum);
	if (argc > 4 && !strcmp(argv[4], "exec")) {
		keep_cloexec_file();
		fflush(stdout);
		execl("/proc/self/exe", "fd_leak", "1", "1000000",
		      (char *)NULL);
		perror("fd_leak: exec");
		return 1;
	}
	return 0;
}
