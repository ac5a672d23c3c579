/*
 * loop.c - the run loop: poll the signal fd and every source's fds;
 * drain the sources every turn and flush every 200 ms; stop on target
 * exit, duration, a stop signal, or when the --on-port command is done.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect/internal.h"

extern char **environ;

#define MAX_SOURCE_FDS 1024 /* per source and turn */

int collect__flush(struct cdoc_collector *c)
{
	int ret = 0;

	for (size_t i = 0; i < c->nr_srcs && !ret; i++)
		if (c->srcs[i].ops->flush)
			ret = c->srcs[i].ops->flush(c->srcs[i].st, c);
	return ret < 0 ? ret : cdoc_rec_flush(&c->w);
}

void collect__load_mark(struct cdoc_collector *c, int end)
{
	for (size_t i = 0; i < c->nr_srcs; i++)
		if (c->srcs[i].ops->load &&
		    c->srcs[i].ops->load(c->srcs[i].st, c, end) < 0)
			cdoc_errclear();
}

void collect__signal_target(struct cdoc_collector *c, int sig)
{
	if (c->attach || c->target_done || c->pid <= 0)
		return;
	kill(c->pid, sig);
}

/* "$PORT" (not part of a longer name) in @tmpl replaced by @num. */
static void expand_port(struct cdoc_buf *cmd, const char *tmpl, const char *num)
{
	for (const char *p = tmpl; *p; p++) {
		if (!strncmp(p, "$PORT", 5) &&
		    !(p[5] == '_' || (p[5] >= 'A' && p[5] <= 'Z'))) {
			cdoc_buf_addstr(cmd, num);
			p += 4;
		} else {
			cdoc_buf_addch(cmd, *p);
		}
	}
}

/* META @key: now, in ns since the run started (the METRICS time base). */
static void load_meta(struct cdoc_collector *c, const char *key)
{
	char num[32];

	snprintf(num, sizeof(num), "%llu",
	         (unsigned long long)cdoc_collect_elapsed_ns(c));
	if (cdoc_rec_meta(&c->w, key, num) < 0)
		cdoc_errclear(); /* the flush reports write errors */
}

/* The end of the load window, once the --on-port command is reaped. */
static void check_load_end(struct cdoc_collector *c)
{
	if (c->port && c->port_cmd.done && !c->load_end_written) {
		c->load_end_written = 1;
		load_meta(c, "load_end_ns");
	}
}

static void start_port_cmd(struct cdoc_collector *c, int port)
{
	struct cdoc_buf cmd = CDOC_BUF_INIT;
	struct cdoc_env env;
	char num[16];
	char *argv[] = {"/bin/sh", "-c", NULL, NULL};
	struct cdoc_launch_opts lo = {.argv = argv, .mask = &c->oldmask};

	snprintf(num, sizeof(num), "%d", port);
	expand_port(&cmd, c->opts.on_port, num);
	argv[2] = cmd.buf;
	cdoc_env_init(&env, environ);
	cdoc_env_set(&env, "PORT", num);
	lo.env = env.v;
	c->port = port;
	if (cdoc_launch_start(&c->port_cmd, &lo) < 0 ||
	    cdoc_launch_go(&c->port_cmd, "sh") < 0) {
		cdoc_errclear();
		collect__stop(c, cdoc_now_ns());
	} else {
		load_meta(c, "load_start_ns");
		collect__load_mark(c, 0);
	}
	cdoc_env_release(&env);
	cdoc_buf_release(&cmd);
}

/* Tell the front end where the run stands (opts->progress). */
static void progress(struct cdoc_collector *c, uint64_t now)
{
	struct cdoc_collect_progress p = {0};
	struct cdoc_collect_stats st;

	if (!c->opts.progress)
		return;
	collect__cpu_stats(c->cpu, &st);
	p.elapsed_ns = now - c->t_start;
	p.samples = st.samples;
	p.cpu_pct = c->usage_cpu;
	p.rss_bytes = c->usage_rss;
	p.port_late = c->port_late;
	p.port = c->port;
	p.port_wait = c->opts.port_wait;
	p.loop_p99_ms = c->loop_p99_ms;
	c->opts.progress(c->opts.progress_arg, &p);
}

static void check_port(struct cdoc_collector *c, uint64_t now)
{
	int port;

	if (!c->opts.on_port || c->port || c->stopping || now < c->next_port)
		return;
	c->next_port = now + PORT_POLL_NS;
	port = cdoc_collect_listen_port(c->pid);
	if (port > 0) {
		start_port_cmd(c, port);
	} else if (!c->port_late &&
	           now - c->t_start >= (uint64_t)(c->opts.port_wait * 1e9)) {
		c->port_late = 1;
		progress(c, now);
	}
}

/* Milliseconds until the next thing the loop must do by itself. */
static int next_timeout(struct cdoc_collector *c, uint64_t now)
{
	uint64_t t = c->next_flush;

	if (c->deadline && !c->stopping)
		t = CDOC_MIN(t, c->deadline);
	if (c->kill_at)
		t = CDOC_MIN(t, c->kill_at);
	if (c->opts.on_port && !c->port)
		t = CDOC_MIN(t, c->next_port);
	return t <= now ? 0 : (int)((t - now) / 1000000 + 1);
}

static void timers(struct cdoc_collector *c, uint64_t now)
{
	if (c->deadline && now >= c->deadline)
		collect__stop(c, now);
	if (c->kill_at && now >= c->kill_at) {
		collect__signal_target(c, SIGKILL);
		c->kill_at = 0;
	}
	check_port(c, now);
	check_load_end(c);
}

/* struct pollset - the fds of one poll() and whose each one is. */
struct pollset {
	struct pollfd *fds;
	long *who; /* -1 signal, -2 pidfd, 0..: source index */
	size_t n, alloc_fds, alloc_who;
};

static void pollset_add(struct pollset *ps, int fd, long who)
{
	CDOC_GROW(ps->fds, ps->n + 1, ps->alloc_fds);
	CDOC_GROW(ps->who, ps->n + 1, ps->alloc_who);
	ps->fds[ps->n] = (struct pollfd){.fd = fd, .events = POLLIN};
	ps->who[ps->n++] = who;
}

/* Asked again every turn: sources open and close descriptors. */
static void pollset_build(struct cdoc_collector *c, struct pollset *ps,
                          int *tmp)
{
	ps->n = 0;
	pollset_add(ps, c->sigfd, -1);
	if (c->pidfd >= 0)
		pollset_add(ps, c->pidfd, -2);
	for (size_t i = 0; i < c->nr_srcs; i++) {
		const struct cdoc_source_ops *ops = c->srcs[i].ops;
		int n = ops->fds ? ops->fds(c->srcs[i].st, tmp, MAX_SOURCE_FDS)
		                 : 0;

		for (int k = 0; k < n; k++)
			if (tmp[k] >= 0)
				pollset_add(ps, tmp[k], (long)i);
	}
}

/* Act on what poll() reported. */
static int dispatch(struct cdoc_collector *c, struct pollset *ps)
{
	int ret = 0;

	for (size_t i = 0; i < ps->n && !ret; i++) {
		long who = ps->who[i];
		short rev = ps->fds[i].revents;
		struct source *s;

		if (!rev)
			continue;
		if (who == -1) {
			collect__on_signal(c);
			continue;
		}
		if (who == -2) {
			c->target_done = 1;
			continue;
		}
		s = &c->srcs[who];
		if (s->ops->ready)
			ret = s->ops->ready(s->st, c, ps->fds[i].fd, rev);
	}
	return ret;
}

static int drain(struct cdoc_collector *c)
{
	int ret = 0;

	for (size_t i = 0; i < c->nr_srcs && !ret; i++)
		if (c->srcs[i].ops->drain)
			ret = c->srcs[i].ops->drain(c->srcs[i].st, c);
	return ret;
}

/* One turn: wait, dispatch, flush when due, drain, timers. */
static int turn(struct cdoc_collector *c, struct pollset *ps, int *tmp)
{
	uint64_t now = cdoc_now_ns();
	int n, ret = 0;

	pollset_build(c, ps, tmp);
	n = poll(ps->fds, ps->n, next_timeout(c, now));
	if (n < 0 && errno != EINTR)
		return cdoc_error(-errno, "poll: %s", strerror(errno));
	if (n > 0)
		ret = dispatch(c, ps);
	now = cdoc_now_ns();
	if (now >= c->next_flush) {
		/* Before the drain: a long drain (first symbol loads, a burst)
		 * must not hold the metrics' reading back. */
		if (!ret)
			ret = collect__flush(c);
		c->next_flush = now + FLUSH_NS;
		if (!ret)
			progress(c, now);
	}
	if (!ret)
		ret = drain(c);
	timers(c, cdoc_now_ns());
	return ret;
}

int cdoc_collect_loop(struct cdoc_collector *c)
{
	struct pollset ps = {0};
	int *tmp = cdoc_calloc(MAX_SOURCE_FDS, sizeof(*tmp));
	int ret = 0;

	while (!c->target_done && ret >= 0)
		ret = turn(c, &ps, tmp);
	check_load_end(c);
	if (c->port && !c->load_end_written) {
		/* the target ended first: the load ends with it */
		c->load_end_written = 1;
		load_meta(c, "load_end_ns");
	}
	free(ps.fds);
	free(ps.who);
	free(tmp);
	return ret;
}
