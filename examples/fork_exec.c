/*
 * fork_exec.c - a parent that forks and execs a child program (by default
 * shlib_work from its own directory; or argv[2..]) and waits for it. The
 * hot function is in the child: it must be profiled through fork and exec.
 * Usage: fork_exec [SECONDS] [PROGRAM ARGS...].
 */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *secs = argc > 1 ? argv[1] : "2";
	char exe[PATH_MAX], child[PATH_MAX + 16];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int status;
	pid_t pid;

	exe[n > 0 ? n : 0] = 0;
	snprintf(child, sizeof(child), "%s/shlib_work", dirname(exe));
	pid = fork();
	if (pid == 0) {
		if (argc > 2)
			execvp(argv[2], argv + 2);
		else
			execl(child, "shlib_work", secs, (char *)NULL);
		perror("fork_exec: exec");
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
