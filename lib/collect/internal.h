/*
 * internal.h - the run session's state, shared by the files of
 * lib/collect that make the session (session.c, loop.c, signals, the
 * --on-port command). Evidence sources keep their own state in their own
 * files and see the session only through collect.h and the few helpers
 * at the end.
 */
#ifndef CDOC_COLLECT_INTERNAL_H
#define CDOC_COLLECT_INTERNAL_H

#include <signal.h>

#include "collect/collect.h"

#define FLUSH_NS     200000000ull
#define PORT_POLL_NS 200000000ull

/* One evidence source of the session. */
struct source {
	const struct cdoc_source_ops *ops;
	void *st; /* owned: ops->free */
};

struct cpu_src;

struct cdoc_collector {
	struct cdoc_collect_opts opts;
	char **argv;  /* copy of the command */
	char *output; /* recording path (set once the target runs) */
	int attach;   /* attaching to ->pid */
	pid_t pid;    /* the target */

	struct cdoc_launch target; /* run: the launched command */
	int pidfd;                 /* attach: readable when the target ends */
	int sigfd;                 /* signalfd for the signals we handle */
	sigset_t oldmask;          /* mask to restore (and the child's) */
	int masked;                /* signals are blocked */

	struct cdoc_rec_writer w;
	int w_open;

	struct source *srcs; /* in order: cpu, shim, metrics, added ones */
	size_t nr_srcs, alloc_srcs;
	struct cpu_src *cpu; /* the cpu source (for stats; owned by srcs) */

	char **notices; /* lines for the user */
	size_t nr_notices, alloc_notices;

	uint64_t t_start, next_flush, deadline, kill_at, next_port;
	int target_done, status, stopping, interrupts;
	int we_stopped;              /* duration or --on-port ended the run */
	struct cdoc_launch port_cmd; /* the --on-port command */
	int load_end_written;        /* META load_end_ns is written */
	int port, port_status;
	int port_late; /* ->opts.port_wait passed without a port */
	double usage_cpu, usage_rss; /* the target's, last read; -1 unknown */
	double loop_p99_ms;          /* last loop tick p99 (ms); -1 unknown */
};

/* loop.c */
/* An existing file at @path that a run would replace: an error unless
 * @force (a device such as /dev/null is written, not replaced). */
int collect__check_free(const char *path, int force);
int collect__flush(struct cdoc_collector *c);
void collect__signal_target(struct cdoc_collector *c, int sig);
/* Tell the sources that the --on-port load started (@end 0) or ended. */
void collect__load_mark(struct cdoc_collector *c, int end);

/* signals.c */
int collect__block_signals(struct cdoc_collector *c);
void collect__on_signal(struct cdoc_collector *c);
void collect__stop(struct cdoc_collector *c, uint64_t now);

/* procfs.c */
int collect__attach_threads(pid_t pid, pid_t **tids, size_t *nr);
char *collect__read_comm(pid_t pid, pid_t tid);

/* For sources. */
int collect__target_done(const struct cdoc_collector *c);
/* The target's CPU (% of one CPU) and RSS (bytes) just read, for the
 * progress; negative: unknown. */
void collect__set_usage(struct cdoc_collector *c, double cpu_pct, double rss);
/* The worst loop thread's tick p99 (ms) of the last interval, for the
 * progress callback; negative: not known. */
void collect__set_loop_p99(struct cdoc_collector *c, double ms);
/* The session's start (CLOCK_MONOTONIC ns), the zero of recorded times. */
uint64_t collect__start_ns(const struct cdoc_collector *c);

/* The built-in sources (each adds itself to @c). */
int collect__cpu_add(struct cdoc_collector *c,
                     const struct cdoc_collect_opts *o, int call_graph,
                     const char *argv0, struct cpu_src **out);
void collect__cpu_stats(const struct cpu_src *cpu,
                        struct cdoc_collect_stats *out);
int collect__metrics_add(struct cdoc_collector *c);
int collect__shim_add(struct cdoc_collector *c);
/* node_agent.c: the Node.js agent's channel (node targets, run only) */
int collect__node_add(struct cdoc_collector *c);

#endif
