/*
 * loop.c - the run loop: poll the rings, the signal fd and extra sources;
 * drain and flush every tick; stop on target exit, duration, Ctrl-C, or
 * when the --on-port command is done.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collect/internal.h"

static const char *const counter_names[6] = {
        "samples",          "lost_samples",      "unwind_failures",
        "truncated_stacks", "unresolved_frames", "throttle_events",
};

static int write_counters(struct cdoc_collector *c)
{
	uint64_t v[6] = {c->st.samples,         c->st.lost,
	                 c->st.unwind_failures, c->st.truncated,
	                 c->st.unresolved,      c->st.throttled};
	int ret;

	if (!memcmp(v, c->written, sizeof(v)) && c->counters_out)
		return 0;
	c->counters_out = 1;
	for (int i = 0; i < 6; i++) {
		ret = cdoc_rec_counter(&c->w, counter_names[i], v[i]);
		if (ret < 0)
			return ret;
		c->written[i] = v[i];
	}
	return 0;
}

int collect_flush(struct cdoc_collector *c, int final)
{
	int ret;

	for (size_t i = 0; i < c->nr_srcs; i++) {
		struct source *s = &c->srcs[i];

		if (s->on_tick && (ret = s->on_tick(c, s->arg, final)) < 0)
			return ret;
	}
	ret = write_counters(c);
	if (ret < 0)
		return ret;
	return cdoc_rec_flush(&c->w);
}

void collect_signal_target(struct cdoc_collector *c, int sig)
{
	if (c->attach || c->target_done || c->pid <= 0)
		return;
	kill(c->pid, sig);
}

/* Begin stopping: SIGINT to a launched target, SIGKILL after the grace. */
static void stop(struct cdoc_collector *c, uint64_t now)
{
	if (c->stopping)
		return;
	c->stopping = 1;
	c->we_stopped = 1;
	if (c->attach) {
		c->target_done = 1;
		return;
	}
	collect_signal_target(c, SIGINT);
	c->kill_at = now + (uint64_t)(c->opts.grace * 1e9);
}

static void reap(struct cdoc_collector *c)
{
	int st;
	pid_t p;

	while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
		if (p == c->pid) {
			c->status = st;
			c->target_done = 1;
		} else if (p == c->port_pid) {
			c->port_status = st;
			c->port_pid = 0;
			stop(c, cdoc_now_ns());
		}
	}
}

static void on_signal(struct cdoc_collector *c)
{
	struct signalfd_siginfo si;

	while (read(c->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			reap(c);
			continue;
		}
		c->interrupts++;
		if (c->attach) {
			c->target_done = 1;
		} else if (c->interrupts > 1) {
			collect_signal_target(c, SIGKILL);
		} else {
			/* The terminal already sent it to the whole group. */
			if (si.ssi_code != SI_KERNEL)
				collect_signal_target(c, si.ssi_signo);
			c->stopping = 1;
		}
	}
}

static void start_port_cmd(struct cdoc_collector *c, int port)
{
	struct cdoc_buf cmd = CDOC_BUF_INIT;
	char num[16];
	const char *p;
	pid_t pid;

	snprintf(num, sizeof(num), "%d", port);
	for (p = c->opts.on_port; *p; p++) {
		if (!strncmp(p, "$PORT", 5) &&
		    !(p[5] == '_' || (p[5] >= 'A' && p[5] <= 'Z'))) {
			cdoc_buf_addstr(&cmd, num);
			p += 4;
		} else {
			cdoc_buf_addch(&cmd, *p);
		}
	}
	c->port = port;
	pid = fork();
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &c->oldmask, NULL);
		setenv("PORT", num, 1);
		execl("/bin/sh", "sh", "-c", cmd.buf, (char *)NULL);
		_exit(127);
	}
	cdoc_buf_release(&cmd);
	if (pid < 0)
		stop(c, cdoc_now_ns());
	c->port_pid = pid > 0 ? pid : 0;
}

static void check_port(struct cdoc_collector *c, uint64_t now)
{
	int port;

	if (!c->opts.on_port || c->port || c->stopping || now < c->next_port)
		return;
	c->next_port = now + PORT_POLL_NS;
	port = cdoc_collect_listen_port(c->pid);
	if (port > 0)
		start_port_cmd(c, port);
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
		stop(c, now);
	if (c->kill_at && now >= c->kill_at) {
		collect_signal_target(c, SIGKILL);
		c->kill_at = 0;
	}
	check_port(c, now);
}

/* struct pollset - the fds of one poll() and what each one is. */
struct pollset {
	struct pollfd *fds;
	int *what; /* -1 signal, -2 pidfd, 0..: ring, 1000000+i: source i */
	size_t n;
};

static void pollset_add(struct pollset *ps, int fd, int what)
{
	ps->fds[ps->n].fd = fd;
	ps->fds[ps->n].events = POLLIN;
	ps->fds[ps->n].revents = 0;
	ps->what[ps->n++] = what;
}

static void pollset_build(struct cdoc_collector *c, struct pollset *ps)
{
	size_t max = 2 + c->nr_rings + c->nr_srcs;

	ps->fds = cdoc_calloc(max, sizeof(*ps->fds));
	ps->what = cdoc_calloc(max, sizeof(*ps->what));
	ps->n = 0;
	pollset_add(ps, c->sigfd, -1);
	if (c->pidfd >= 0)
		pollset_add(ps, c->pidfd, -2);
	for (size_t i = 0; i < c->nr_rings; i++)
		if (c->rings[i].page && !c->ring_hup[i])
			pollset_add(ps, c->rings[i].fd, (int)i);
	for (size_t i = 0; i < c->nr_srcs; i++)
		if (c->srcs[i].fd >= 0)
			pollset_add(ps, c->srcs[i].fd, 1000000 + (int)i);
}

static void pollset_release(struct pollset *ps)
{
	free(ps->fds);
	free(ps->what);
}

/* Act on what poll() reported; returns 1 when the poll set must change. */
static int dispatch(struct cdoc_collector *c, struct pollset *ps, int *err)
{
	int rebuild = 0;

	for (size_t i = 0; i < ps->n; i++) {
		int w = ps->what[i];
		short rev = ps->fds[i].revents;

		if (!rev)
			continue;
		if (w == -1) {
			on_signal(c);
		} else if (w == -2) {
			c->target_done = 1;
		} else if (w >= 1000000) {
			struct source *s = &c->srcs[w - 1000000];

			if (s->on_ready &&
			    (*err = s->on_ready(c, s->arg, 0)) < 0)
				return 0;
		} else if (rev & (POLLHUP | POLLERR)) {
			c->ring_hup[w] = 1;
			rebuild = 1;
		}
	}
	return rebuild;
}

int cdoc_collect_loop(struct cdoc_collector *c)
{
	struct pollset ps;
	int ret = 0;

	pollset_build(c, &ps);
	while (!c->target_done && ret >= 0) {
		uint64_t now = cdoc_now_ns();
		int n = poll(ps.fds, ps.n, next_timeout(c, now));

		if (n < 0 && errno != EINTR) {
			ret = cdoc_error(-errno, "poll: %s", strerror(errno));
			break;
		}
		if (n > 0 && dispatch(c, &ps, &ret)) {
			pollset_release(&ps);
			pollset_build(c, &ps);
		}
		collect_drain(c);
		now = cdoc_now_ns();
		timers(c, now);
		if (now >= c->next_flush) {
			if (ret >= 0)
				ret = collect_flush(c, 0);
			c->next_flush = now + FLUSH_NS;
		}
	}
	pollset_release(&ps);
	return ret;
}
