/*
 * heap_run.c - `cdoctor heap run` without the CLI: start a command with the
 * allocation shim injected, read its stream while it runs, write
 * snapshots at intervals and on demand, and the final one once it has
 * exited.
 *
 * The command is started by lib/collect's launcher (cdoc_launch_*): an
 * exec failure comes back as an errno, the child exits 127, and it dies
 * with cdoctor.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collect/collect.h"
#include "heap/heap.h"
#include "heapfile/heapfile.h"

#define DRAIN_MS 5000 /* wait for the stream's end after the exit */
#define POLL_MS  50   /* how often the target's exit is checked */

extern char **environ;

/* Wait for the target (WNOHANG in @flags: only look): 1 once it has
 * ended (->status, ->exit_code set), 0 while it runs, or negative. */
static int reap(struct cdoc_heap_run_result *res, int flags)
{
	pid_t p;

	do
		p = waitpid(res->pid, &res->status, flags);
	while (p < 0 && errno == EINTR);
	if (p < 0)
		return cdoc_error(-errno, "waitpid: %s", strerror(errno));
	if (p == 0)
		return 0;
	res->exit_code = cdoc_exit_code(res->status);
	return 1;
}

/* Start @o->argv through the one launcher with the collector's
 * environment, SIGINT and SIGUSR1 back to their defaults; 0 once it has
 * exec'd. */
static int spawn(struct cdoc_heap_collector *c,
                 const struct cdoc_heap_run_opts *o,
                 struct cdoc_heap_run_result *res)
{
	struct cdoc_launch_opts lo = {.argv = o->argv};
	struct cdoc_launch l;
	sigset_t dfl;
	char **env;
	int ret;

	sigemptyset(&dfl);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGUSR1);
	lo.dfl = &dfl;
	ret = cdoc_heap_collector_env(c, o->env ? o->env : environ, &env);
	if (ret < 0)
		return ret;
	lo.env = env;
	ret = cdoc_launch_start(&l, &lo);
	cdoc_heap_env_free(env);
	if (ret < 0)
		return ret;
	res->pid = l.pid;
	cdoc_heap_collector_spawned(c);
	ret = cdoc_launch_go(&l, o->argv[0]);
	if (ret == 0)
		return 0;
	res->status = l.status;
	res->exit_code = cdoc_exit_code(l.status);
	res->exec_errno = -ret;
	return cdoc_error(ret, "%s: %s", o->argv[0], strerror(-ret));
}

/* Write a snapshot of the model as @path (@s gets it). */
static int save(struct cdoc_heap_collector *c, const char *path,
                struct cdoc_heap_snap *s)
{
	int ret = cdoc_heap_snapshot(cdoc_heap_collector_model(c), s);

	return ret < 0 ? ret : cdoc_heap_snap_save(s, path);
}

/* The next interval or on-demand snapshot as OUTPUT.N.heap. */
static int save_numbered(struct cdoc_heap_collector *c,
                         const struct cdoc_heap_run_opts *o,
                         struct cdoc_heap_run_result *res)
{
	char path[PATH_MAX];
	int n;

	n = snprintf(path, sizeof(path), "%s.%u.heap", o->output,
	             res->nr_snapshots + 1);
	if (n < 0 || (size_t)n >= sizeof(path))
		return cdoc_error(-ENAMETOOLONG, "%s: name too long",
		                  o->output);
	res->nr_snapshots++;
	return save(c, path, &res->snap);
}

/* Is a snapshot due: asked for, or the interval passed? */
static int snap_due(const struct cdoc_heap_run_opts *o, uint64_t *next)
{
	if (o->snap_now && *o->snap_now) {
		*o->snap_now = 0;
		return 1;
	}
	if (!o->interval_ms || cdoc_now_ns() < *next)
		return 0;
	*next += (uint64_t)o->interval_ms * 1000000;
	return 1;
}

/* Read the stream until the target exits, snapshots when due. */
static int watch(struct cdoc_heap_collector *c,
                 const struct cdoc_heap_run_opts *o,
                 struct cdoc_heap_run_result *res)
{
	struct pollfd pfd = {cdoc_heap_collector_fd(c), POLLIN, 0};
	uint64_t next = cdoc_now_ns() + (uint64_t)o->interval_ms * 1000000;
	int ret;

	while ((ret = reap(res, WNOHANG)) == 0) {
		poll(&pfd, 1, POLL_MS);
		ret = cdoc_heap_collector_poll(c);
		if (ret < 0 && ret != -EPIPE)
			return ret;
		if (snap_due(o, &next) && (ret = save_numbered(c, o, res)) < 0)
			return ret;
	}
	return ret < 0 ? ret : 0;
}

/* After the exit: the rest of the stream, then the final snapshot. */
static int finish(struct cdoc_heap_collector *c,
                  const struct cdoc_heap_run_opts *o,
                  struct cdoc_heap_run_result *res)
{
	if (cdoc_heap_collector_drain(c, DRAIN_MS, 0) < 0)
		res->warning = cdoc_strdup(cdoc_errmsg());
	return save(c, o->output, &res->snap);
}

int cdoc_heap_run(const struct cdoc_heap_run_opts *o,
                  struct cdoc_heap_run_result *res)
{
	struct cdoc_heap_collector *c;
	int ret;

	memset(res, 0, sizeof(*res));
	cdoc_heap_snap_init(&res->snap);
	if (!o->argv || !o->argv[0] || !o->output)
		return cdoc_error(-EINVAL, "heap run: no command or output");
	ret = cdoc_heap_collector_start(&c, &o->shim);
	if (ret < 0)
		return ret;
	ret = spawn(c, o, res);
	if (ret == 0)
		ret = watch(c, o, res);
	if (ret == 0)
		ret = finish(c, o, res);
	cdoc_heap_collector_free(c);
	return ret;
}

void cdoc_heap_run_result_release(struct cdoc_heap_run_result *res)
{
	cdoc_heap_snap_release(&res->snap);
	free(res->warning);
	res->warning = NULL;
}
