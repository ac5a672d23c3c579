/*
 * child.h - run an example program as a real child process for the symbol
 * and unwind tests: its stdin and stdout are pipes, and it reports
 * "name 0xADDR" lines that the tests look up.
 */
#ifndef CDOC_TESTS_CHILD_H
#define CDOC_TESTS_CHILD_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct child {
	pid_t pid;
	int in;    /* write end of the child's stdin */
	FILE *out; /* the child's stdout */
};

/* Start $CDOC_EXAMPLES/@name with @argv (argv[0] included). */
static inline int child_start(struct child *c, const char *name,
                              char *const argv[])
{
	const char *dir = getenv("CDOC_EXAMPLES");
	char path[4096];
	int in[2], out[2];

	if (!dir)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (pipe(in) < 0 || pipe(out) < 0)
		return -1;
	c->pid = fork();
	if (c->pid < 0)
		return -1;
	if (!c->pid) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execv(path, argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	c->in = in[1];
	c->out = fdopen(out[0], "r");
	return 0;
}

/* Read "NAME 0xADDR" lines until @want is found; 0 when not found. */
static inline uint64_t child_addr(struct child *c, const char *want)
{
	char line[512], name[256];
	unsigned long long addr;

	while (fgets(line, sizeof(line), c->out)) {
		if (sscanf(line, "%255s %llx", name, &addr) == 2 &&
		    !strcmp(name, want))
			return addr;
	}
	return 0;
}

/* Wait for a line equal to @want ("ready"); 0 when found. */
static inline int child_wait_line(struct child *c, const char *want)
{
	char line[512];

	while (fgets(line, sizeof(line), c->out)) {
		line[strcspn(line, "\n")] = 0;
		if (!strcmp(line, want))
			return 0;
	}
	return -1;
}

static inline void child_stop(struct child *c)
{
	int status;

	close(c->in);
	fclose(c->out);
	kill(c->pid, SIGTERM);
	waitpid(c->pid, &status, 0);
}

#endif
