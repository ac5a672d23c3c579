/*
 * signals.c - what signals to cdoctor do during a session (the table is
 * in docs/cdoctor-run.md, "Signals"):
 *
 *  - SIGINT, SIGTERM, SIGHUP, SIGQUIT ask the run to stop: passed on to a
 *    launched target (unless the terminal sent it to the whole process
 *    group already), and the recording is finished once the target has
 *    ended; a second one kills the target (SIGKILL). When attached they
 *    just end the sampling (the process is never signalled).
 *  - SIGUSR1 and SIGUSR2 are the target's: passed on to a launched target,
 *    ignored when attached. cdoctor itself goes on.
 *  - SIGCHLD reaps the target and the --on-port command.
 *  - SIGKILL (and anything else fatal) cannot be caught: the launched
 *    target dies with cdoctor (PR_SET_PDEATHSIG in cdoc_launch_start), and
 *    the recording reads as cut short at its last flush.
 *
 * All of them are blocked and read from a signalfd in the loop.
 */
#include <errno.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collect/internal.h"

static const int stop_sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
static const int pass_sigs[] = {SIGUSR1, SIGUSR2};

int collect__block_signals(struct cdoc_collector *c)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < CDOC_ARRAY_SIZE(stop_sigs); i++)
		sigaddset(&set, stop_sigs[i]);
	for (size_t i = 0; i < CDOC_ARRAY_SIZE(pass_sigs); i++)
		sigaddset(&set, pass_sigs[i]);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, &c->oldmask) < 0)
		return cdoc_error(-errno, "sigprocmask: %s", strerror(errno));
	c->masked = 1;
	c->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (c->sigfd < 0)
		return cdoc_error(-errno, "signalfd: %s", strerror(errno));
	return 0;
}

/* Begin stopping: SIGINT to a launched target, SIGKILL after the grace. */
void collect__stop(struct cdoc_collector *c, uint64_t now)
{
	if (c->stopping)
		return;
	c->stopping = 1;
	c->we_stopped = 1;
	if (c->attach) {
		c->target_done = 1;
		return;
	}
	collect__signal_target(c, SIGINT);
	c->kill_at = now + (uint64_t)(c->opts.grace * 1e9);
}

static void reap(struct cdoc_collector *c)
{
	int st;
	pid_t p;

	while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
		if (p == c->target.pid && !c->target.done) {
			c->target.status = c->status = st;
			c->target.done = 1;
			c->target_done = 1;
		} else if (p == c->port_cmd.pid && !c->port_cmd.done) {
			c->port_cmd.status = c->port_status = st;
			c->port_cmd.done = 1;
			collect__load_mark(c, 1);
			collect__stop(c, cdoc_now_ns());
		}
	}
}

static int is_pass(int sig)
{
	for (size_t i = 0; i < CDOC_ARRAY_SIZE(pass_sigs); i++)
		if (pass_sigs[i] == sig)
			return 1;
	return 0;
}

/* A stop signal: pass it on once, kill at the second. */
static void on_stop_signal(struct cdoc_collector *c,
                           const struct signalfd_siginfo *si)
{
	c->interrupts++;
	if (c->attach) {
		c->target_done = 1;
	} else if (c->interrupts > 1) {
		collect__signal_target(c, SIGKILL);
	} else {
		/* The terminal already sent it to the whole group. */
		if (si->ssi_code != SI_KERNEL)
			collect__signal_target(c, (int)si->ssi_signo);
		c->stopping = 1;
	}
}

void collect__on_signal(struct cdoc_collector *c)
{
	struct signalfd_siginfo si;

	while (read(c->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			reap(c);
		else if (is_pass((int)si.ssi_signo))
			collect__signal_target(c, (int)si.ssi_signo);
		else
			on_stop_signal(c, &si);
	}
}
