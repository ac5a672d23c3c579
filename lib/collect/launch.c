/*
 * launch.c - the one launcher: fork, prepare the child (death signal,
 * signal mask and dispositions), optionally hold it before exec, exec
 * with the environment given, and report an exec failure through a
 * close-on-exec pipe as an errno. Also the one rule that turns a wait
 * status into an exit code.
 *
 * The child allocates nothing: everything it needs (argv, environment,
 * masks) is built by the caller before fork().
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collect/collect.h"

extern char **environ;

/* Die with the parent; 0, or -1 when the parent is gone already. */
static int die_with(pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return 0; /* not fatal: the target just outlives a kill */
	return getppid() == parent ? 0 : -1;
}

/* Child side: prepare, wait for "go", exec; else send errno. */
static void child(const struct cdoc_launch_opts *o, pid_t parent, int go,
                  int err)
{
	sigset_t none;
	char byte;
	int e;

	if (die_with(parent) < 0)
		_exit(127);
	for (int sig = 1; o->dfl && sig < NSIG; sig++)
		if (sigismember(o->dfl, sig) == 1)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, o->mask ? o->mask : &none, NULL);
	if (go >= 0) {
		while (read(go, &byte, 1) < 0 && errno == EINTR)
			;
		close(go);
	}
	execvpe(o->argv[0], o->argv, o->env ? o->env : environ);
	e = errno;
	if (write(err, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int cdoc_launch_start(struct cdoc_launch *l, const struct cdoc_launch_opts *o)
{
	int go[2] = {-1, -1}, err[2];
	pid_t parent = getpid();

	l->pid = 0;
	l->status = -1;
	l->done = 0;
	l->go_fd = l->err_fd = -1;
	if (!o->argv || !o->argv[0])
		return cdoc_error(-EINVAL, "no command to run");
	if (pipe2(err, O_CLOEXEC) < 0)
		return cdoc_error(-errno, "pipe: %s", strerror(errno));
	if (o->hold && pipe2(go, O_CLOEXEC) < 0) {
		close(err[0]);
		close(err[1]);
		return cdoc_error(-errno, "pipe: %s", strerror(errno));
	}
	l->pid = fork();
	if (l->pid == 0) {
		close(err[0]);
		if (go[1] >= 0)
			close(go[1]);
		child(o, parent, go[0], err[1]);
	}
	close(err[1]);
	if (go[0] >= 0)
		close(go[0]);
	l->go_fd = go[1];
	l->err_fd = err[0];
	if (l->pid < 0) {
		int e = errno;

		l->pid = 0;
		cdoc_launch_kill(l);
		return cdoc_error(-e, "fork: %s", strerror(e));
	}
	return 0;
}

int cdoc_launch_go(struct cdoc_launch *l, const char *name)
{
	ssize_t n;
	int e = 0;

	close_fd(&l->go_fd);
	if (l->err_fd < 0)
		return 0;
	do
		n = read(l->err_fd, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close_fd(&l->err_fd);
	if (n != sizeof(e))
		return 0;
	cdoc_launch_wait(l, 0);
	return cdoc_error(-e, "cannot run %s: %s", name, strerror(e));
}

int cdoc_launch_wait(struct cdoc_launch *l, int flags)
{
	pid_t p;

	if (l->done)
		return 1;
	if (l->pid <= 0)
		return cdoc_error(-ECHILD, "no child to wait for");
	do
		p = waitpid(l->pid, &l->status, flags);
	while (p < 0 && errno == EINTR);
	if (p < 0)
		return cdoc_error(-errno, "waitpid: %s", strerror(errno));
	if (p == 0)
		return 0;
	l->done = 1;
	return 1;
}

void cdoc_launch_kill(struct cdoc_launch *l)
{
	close_fd(&l->go_fd);
	close_fd(&l->err_fd);
	if (l->pid <= 0 || l->done)
		return;
	kill(l->pid, SIGKILL);
	cdoc_launch_wait(l, 0);
}

int cdoc_exit_code(int status)
{
	if (status >= 0 && WIFEXITED(status))
		return WEXITSTATUS(status);
	if (status >= 0 && WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 2;
}
