/*
 * source.c - allocation tracking as an event source of the run loop:
 * the launched command inherits the shim through the environment, the
 * stream is read whenever the channel is readable, snapshots go into the
 * recording at intervals, at the end, and on demand through the run's
 * control socket (control.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "heap/internal.h"
#include "heapctl/heapctl.h"
#include "heapfile/heapfile.h"
#include "collect/collect.h"
#include "record/record.h"

extern char **environ;

static const char *const vars[] = {
        "LD_PRELOAD",        CDOC_ALLOC_ENV_FD,     CDOC_ALLOC_ENV_SAMPLE,
        CDOC_ALLOC_ENV_MMAP, CDOC_ALLOC_ENV_UNWIND, CDOC_ALLOC_ENV_ID,
};
#define NR_VARS CDOC_ARRAY_SIZE(vars)

struct cdoc_heap_source {
	struct cdoc_heap_collector *hc;
	struct cdoc_collector *c;
	char *saved[NR_VARS]; /* values before prepare; NULL when unset */
	int env_set;          /* our values are in environ */
	unsigned interval_ms;
	uint64_t start_ns, next_ns;
	int quiet_fd[2]; /* replaces the channel after its end (never
			    readable, so the loop does not spin) */
	struct cdoc_heap_control *ctl; /* on-demand snapshots; or NULL */
	char *notice;  /* why there is no control socket, or NULL */
	char mode[64]; /* how allocations are tracked, for the recording */
};

static void set_env(struct cdoc_heap_source *s, char **env)
{
	size_t i, k;

	for (k = 0; k < NR_VARS; k++) {
		const char *old = getenv(vars[k]);
		size_t n = strlen(vars[k]);

		s->saved[k] = old ? cdoc_strdup(old) : NULL;
		for (i = 0; env[i]; i++)
			if (!strncmp(env[i], vars[k], n) && env[i][n] == '=')
				setenv(vars[k], env[i] + n + 1, 1);
	}
	s->env_set = 1;
}

static void restore_env(struct cdoc_heap_source *s)
{
	size_t k;

	if (!s->env_set)
		return;
	for (k = 0; k < NR_VARS; k++) {
		if (s->saved[k])
			setenv(vars[k], s->saved[k], 1);
		else
			unsetenv(vars[k]);
		free(s->saved[k]);
		s->saved[k] = NULL;
	}
	s->env_set = 0;
}

int cdoc_heap_source_prepare(struct cdoc_heap_source **out,
                             const struct cdoc_heap_opts *opts,
                             unsigned interval_ms)
{
	struct cdoc_heap_source *s = cdoc_calloc(1, sizeof(*s));
	char **env;
	int ret = cdoc_heap_collector_start(&s->hc, opts);

	if (ret < 0) {
		free(s);
		return ret;
	}
	s->interval_ms = interval_ms;
	if (opts->sample_rate)
		snprintf(s->mode, sizeof(s->mode),
		         "sampled, one per %llu bytes",
		         (unsigned long long)opts->sample_rate);
	else
		snprintf(s->mode, sizeof(s->mode),
		         "every allocation, %s stacks",
		         opts->use_fp ? "frame-pointer" : "libunwind");
	s->quiet_fd[0] = s->quiet_fd[1] = -1;
	cdoc_heap_collector_env(s->hc, environ, &env);
	set_env(s, env);
	cdoc_heap_env_free(env);
	*out = s;
	return 0;
}

static void quieten(struct cdoc_heap_source *s)
{
	if (s->quiet_fd[0] >= 0 || pipe(s->quiet_fd) < 0)
		return;
	dup2(s->quiet_fd[0], cdoc_heap_collector_fd(s->hc));
}

/* Read what the stream holds now into the model. */
static int read_stream(struct cdoc_heap_source *s)
{
	int ret = cdoc_heap_collector_poll(s->hc);

	if (ret == -EPIPE) {
		quieten(s);
		return 0;
	}
	return ret < 0 ? ret : 0;
}

static int on_ready(struct cdoc_collector *c, void *arg, int final)
{
	return read_stream(arg);
}

static int snapshot(struct cdoc_heap_source *s, const char *name, int last)
{
	struct cdoc_rec_writer *w = cdoc_collect_writer(s->c);
	struct cdoc_heap_snap snap;
	int ret;

	if (!w)
		return 0;
	cdoc_heap_snap_init(&snap);
	ret = cdoc_heap_snapshot(cdoc_heap_collector_model(s->hc), &snap);
	if (!ret)
		ret = cdoc_heap_rec_write(w, name, &snap);
	if (!ret && last)
		ret = cdoc_heap_rec_profiles(w, &snap);
	cdoc_heap_snap_release(&snap);
	return ret;
}

static void close_control(struct cdoc_heap_source *s)
{
	cdoc_heap_control_free(s->ctl);
	s->ctl = NULL;
}

/* An on-demand snapshot: up to date with the stream, on disk at once. */
static int control_snapshot(void *arg, const char *name, struct cdoc_buf *where)
{
	struct cdoc_heap_source *s = arg;
	struct cdoc_rec_writer *w = cdoc_collect_writer(s->c);
	char cwd[4096];
	int ret;

	if (!w)
		return cdoc_error(-EINVAL, "this run has no recording");
	if ((ret = read_stream(s)) < 0 || (ret = snapshot(s, name, 0)) < 0 ||
	    (ret = cdoc_rec_flush(w)) < 0)
		return ret;
	if (w->path[0] != '/' && getcwd(cwd, sizeof(cwd)))
		cdoc_buf_addf(where, "%s/", cwd);
	cdoc_buf_addstr(where, w->path);
	return 0;
}

static int on_control(struct cdoc_collector *c, void *arg, int final)
{
	struct cdoc_heap_source *s = arg;

	if (s->ctl)
		cdoc_heap_control_serve(s->ctl, control_snapshot, s);
	return 0;
}

/* Listen for `cdoctor heap snapshot PID`; without it the run goes on
 * (the reason is kept for cdoc_heap_source_notice()). */
static int open_control(struct cdoc_heap_source *s)
{
	pid_t pid = cdoc_collect_pid(s->c);

	if (pid <= 0)
		return 0;
	if (cdoc_heap_control_listen(&s->ctl, pid) < 0) {
		struct cdoc_buf b = CDOC_BUF_INIT;

		cdoc_buf_addf(&b, "no on-demand heap snapshots: %s",
		              cdoc_errmsg());
		s->notice = cdoc_buf_detach(&b, NULL);
		cdoc_errclear();
		return 0;
	}
	return cdoc_collect_add_source(s->c, cdoc_heap_control_fd(s->ctl),
	                               on_control, NULL, s);
}

static int on_tick(struct cdoc_collector *c, void *arg, int final)
{
	struct cdoc_heap_source *s = arg;
	uint64_t now = cdoc_now_ns();
	char name[64];

	if (final) {
		close_control(s);
		/* What the stream holds. The target has ended (or a duration
		 * ended the run) and what it sent is queued already; a child
		 * it left running may hold the channel open: stop when
		 * nothing comes for 100 ms, after 2 s in any case. */
		cdoc_heap_collector_drain(s->hc, 2000, 100);
		cdoc_errclear();
		return snapshot(s, "exit", 1);
	}
	if (!s->interval_ms || now < s->next_ns)
		return 0;
	s->next_ns = now + (uint64_t)s->interval_ms * 1000000;
	snprintf(name, sizeof(name), "t=%.3fs",
	         (double)(now - s->start_ns) / 1e9);
	return snapshot(s, name, 0);
}

int cdoc_heap_source_attach(struct cdoc_heap_source *s,
                            struct cdoc_collector *c)
{
	int ret;

	restore_env(s);
	cdoc_heap_collector_spawned(s->hc);
	s->c = c;
	s->start_ns = cdoc_now_ns();
	s->next_ns = s->start_ns + (uint64_t)s->interval_ms * 1000000;
	ret = cdoc_collect_add_source(c, cdoc_heap_collector_fd(s->hc),
	                              on_ready, on_tick, s);
	if (ret >= 0 && cdoc_collect_writer(c))
		ret = cdoc_rec_meta(cdoc_collect_writer(c), "alloc_tracking",
		                    s->mode);
	return ret < 0 ? ret : open_control(s);
}

const char *cdoc_heap_source_notice(const struct cdoc_heap_source *s)
{
	return s ? s->notice : NULL;
}

const char *cdoc_heap_source_control(const struct cdoc_heap_source *s)
{
	return s && s->ctl ? cdoc_heap_control_path(s->ctl) : NULL;
}

struct cdoc_heap *cdoc_heap_source_model(struct cdoc_heap_source *s)
{
	return cdoc_heap_collector_model(s->hc);
}

void cdoc_heap_source_free(struct cdoc_heap_source *s)
{
	if (!s)
		return;
	restore_env(s);
	close_control(s);
	free(s->notice);
	cdoc_heap_collector_free(s->hc);
	if (s->quiet_fd[0] >= 0)
		close(s->quiet_fd[0]);
	if (s->quiet_fd[1] >= 0)
		close(s->quiet_fd[1]);
	free(s);
}
