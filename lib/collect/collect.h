/*
 * collect.h - the run session: launch a command (or attach to a process),
 * gather evidence about it from a set of sources, and write the recording
 * as it goes.
 *
 * A session is four calls: cdoc_collect_new(), cdoc_collect_start() (launch
 * or attach, open the sources, let the target run, open the recording),
 * cdoc_collect_loop() (until the target exits, the duration ends, the
 * --on-port command finishes or a stop signal comes), cdoc_collect_finish()
 * (last drain, the last chunks, close). cdoc_collect_free() ends what is
 * still running. The sources built in are cpu sampling (perf events), the
 * allocation shim's stream (when opts->alloc asks for it) and the procfs
 * metrics sampler; others join with cdoc_collect_add() before the start
 * (see docs/architecture.md, "The run session and evidence sources").
 *
 * The recording (see docs/cdoctor-run.md for the exact contents): META
 * keys, profile "cpu" with stacks root-first (comm; user frames outermost
 * first; kernel frames "_[k]"; leaf last), counters, PROCESS/EXIT chunks,
 * and METRICS of the target. It is flushed every 200 ms, so a kill of
 * cdoctor loses at most that much. Nothing is created on disk before the
 * target has started (exec succeeded, or the process to attach exists).
 *
 * Also here: the one launcher every command is started with
 * (cdoc_launch_*), and `cdoctor heap run` (cdoc_heap_run), a command under
 * allocation tracking alone, without a recording.
 */
#ifndef CDOC_COLLECT_H
#define CDOC_COLLECT_H

#include <signal.h>
#include <sys/types.h>

#include "base/base.h"
#include "heap/heap.h"
#include "record/record.h"

/* How user call stacks are taken. */
enum cdoc_call_graph {
	CDOC_CG_DWARF = 0, /* registers + stack copy, unwound with DWARF */
	CDOC_CG_FP = 1,    /* the kernel's frame-pointer callchain */
	CDOC_CG_AUTO = 2,  /* fp for node (JIT code has no DWARF), else dwarf */
};

/* Allocation tracking through the preload shim (opts->alloc). */
enum cdoc_alloc_mode {
	CDOC_ALLOC_NONE = 0,    /* nothing preloaded */
	CDOC_ALLOC_DEFAULT = 1, /* sampled; without the shim, a notice */
	CDOC_ALLOC_SAMPLED = 2, /* sampled, asked for: no shim is an error */
	CDOC_ALLOC_ALL = 3,     /* every allocation: no shim is an error */
};

/* The sampling rate of CDOC_ALLOC_DEFAULT (as Go's MemProfileRate). */
#define CDOC_ALLOC_DEFAULT_SAMPLE 524288

/*
 * struct cdoc_collect_progress - where a running session stands, for a
 * live status line (the library prints nothing; see opts->progress).
 */
struct cdoc_collect_progress {
	uint64_t elapsed_ns; /* since the target started */
	uint64_t samples;    /* cpu samples written so far */
	double cpu_pct;      /* target CPU (user+sys) over the last 200 ms, in
	                        % of one CPU; negative while unknown */
	double rss_bytes;    /* target resident set; negative while unknown */
	int port_late;       /* --on-port: opts->port_wait passed and the
	                        target listens on no TCP port yet */
	int port;            /* --on-port: the port found, or 0 */
	double port_wait;    /* opts->port_wait, in seconds */
	double loop_p99_ms;  /* the worst loop thread's tick p99 over the
	                        last interval it ticked in (ms); negative
	                        while no loop thread is known */
};

/* Called with the session's progress (see opts->progress). */
typedef void (*cdoc_collect_progress_fn)(void *arg,
                                         const struct cdoc_collect_progress *p);

/* struct cdoc_collect_opts - what to run and gather. Borrowed. */
struct cdoc_collect_opts {
	char *const *argv;   /* run: the command; NULL to attach */
	char *const *env;    /* run: its base environment; NULL: cdoctor's */
	pid_t pid;           /* attach: the process */
	const char *event;   /* NULL: cpu-clock */
	unsigned freq;       /* samples per second per CPU; 0: 997 */
	int call_graph;      /* CDOC_CG_* */
	unsigned stack_size; /* dwarf stack copy in bytes; 0: 16384 */
	unsigned ring_kib;   /* ring per CPU in KiB; 0: 1024 */
	double duration;     /* seconds; 0: until the target exits */
	const char *on_port; /* shell command run once the target listens */
	const char *output;  /* recording path; NULL: cdoctor-NAME-PID.cdr */
	int force;           /* replace an existing recording (and report) */
	int html;            /* a report RECORDING.html will be written:
				refuse to start when it exists (unless
				->force) */
	double grace;        /* seconds between SIGINT and SIGKILL; 0: 3 */
	double port_wait;    /* --on-port: seconds before progress says the
	                        target has not listened yet; 0: 10 */

	/* Called from cdoc_collect_loop() every 200 ms, and at once when
	 * ->port_wait passes without a port; NULL: never. */
	cdoc_collect_progress_fn progress;
	void *progress_arg;

	int alloc;             /* CDOC_ALLOC_* (run only) */
	uint64_t alloc_sample; /* bytes per sample; 0: the default */
	int alloc_mmap;        /* anonymous mmap/munmap too */
	int alloc_fp;          /* frame-pointer stacks in the shim */
	double heap_interval;  /* heap snapshot every N s; 0: at exit */
	const char *shim;      /* the shim; NULL: cdoc_collect_find_shim() */

	int no_offcpu;         /* no off-CPU source (META offcpu "off: ...") */
	unsigned offcpu_every; /* unwind one context switch in N; 0: 1 */
	uint64_t long_tick_ns; /* event-loop ticks listed one by one from
				  this long (through the shim); 0: 10 ms */
	/* node targets: the agent (docs/node.md) */
	int node_agent;              /* CDOC_NODE_AGENT_* */
	int node_async;              /* also time async waits (async_hooks) */
	int node_inlining;           /* leave V8's inlining on (off by default
	                                so culprits keep their names) */
	const char *node_agent_path; /* NULL: cdoc_collect_find_node_agent() */
};

/* struct cdoc_collect_stats - what was counted ("nothing silent"). */
struct cdoc_collect_stats {
	uint64_t samples;         /* samples written */
	uint64_t lost;            /* samples the kernel dropped */
	uint64_t unwind_failures; /* user stacks that did not unwind */
	uint64_t truncated;       /* stacks cut short (copy or depth) */
	uint64_t unresolved;      /* frames given as module+offset */
	uint64_t throttled;       /* PERF_RECORD_THROTTLE seen */
	uint64_t bad_records;     /* records that did not decode */
	uint64_t stacks;          /* distinct stacks */
	uint64_t frames;          /* distinct addresses symbolized */
};

/* struct cdoc_collect_result - the outcome, filled by _finish(). */
struct cdoc_collect_result {
	char *path;    /* the recording (owned; freed by _release) */
	int status;    /* target's wait status; -1 when unknown */
	int exit_code; /* status as a shell sees it (cdoc_exit_code) */
	uint64_t duration_ns;
	struct cdoc_collect_stats stats;
	int port;             /* the port found for --on-port, or 0 */
	int on_port_status;   /* the command's wait status, or -1 */
	uint64_t self_cpu_ns; /* CPU time cdoctor itself used (user+sys) */
};
void cdoc_collect_result_release(struct cdoc_collect_result *r);

/*
 * struct cdoc_collector - one run session (opaque): the target, the
 * signals, the recording, the timers, and the evidence sources.
 */
struct cdoc_collector;

/*
 * Check @opts and create a session (nothing is started, nothing created
 * on disk). Refuses an existing output (recording, or its report when
 * ->html) unless ->force: -EEXIST with a message. With ->alloc set to
 * SAMPLED or ALL and no shim: -ENOENT with a message. 0 or a negative
 * code with a message. Copies what it needs from @opts.
 */
int cdoc_collect_new(struct cdoc_collector **out,
                     const struct cdoc_collect_opts *opts);

/*
 * Launch the command (held before exec) or find the process, open every
 * source, let the command exec, then create the recording and start the
 * sources. 0 or a negative code with a message; a command that cannot be
 * executed gives "cannot run CMD: why" and leaves no file behind. After a
 * failure the launched child (if any) is killed and reaped.
 */
int cdoc_collect_start(struct cdoc_collector *c);

/*
 * Lines for the user, in order (the event fell back, kernel frames left
 * out, no allocation tracking, how to ask for a heap snapshot); *@nr gets
 * the count. Valid until _free. Available after _new (the shim notice)
 * and complete after _start.
 */
const char *const *cdoc_collect_notices(const struct cdoc_collector *c,
                                        size_t *nr);

/* The target's pid (after _start). */
pid_t cdoc_collect_pid(const struct cdoc_collector *c);

/* The recording being written (after _start), for sources. NULL before
 * it is open and after it is closed. */
struct cdoc_rec_writer *cdoc_collect_writer(struct cdoc_collector *c);

/* Nanoseconds since the target started (after _start). */
uint64_t cdoc_collect_elapsed_ns(const struct cdoc_collector *c);

/* Whether the session is attached to a process it did not start. */
int cdoc_collect_attached(const struct cdoc_collector *c);

/* Add a line to the notices (copied). */
void cdoc_collect_add_notice(struct cdoc_collector *c, const char *fmt, ...)
        CDOC_PRINTF(2, 3);

/* ---- evidence sources ---- */

struct cdoc_env;

/*
 * struct cdoc_source_ops - one kind of evidence. Each hook gets the
 * source's own state (@st, given to cdoc_collect_add) and the session;
 * any hook may be NULL. Hooks return 0 or a negative code with a message
 * (which ends the run), except where said. In the order they are called:
 *
 * @env:    before the launch, add to the child's environment (run only).
 * @open:   the target exists (held before exec, or found to attach), the
 *          recording does not yet: open what needs the pid (perf events).
 * @start:  the target runs and the recording is open: write the first
 *          chunks, start timers.
 * @fds:    up to @max descriptors to poll for input into @fds; returns
 *          how many. Asked again at every turn of the loop.
 * @ready:  @fd (one of those from @fds) reported @revents.
 * @drain:  every turn of the loop: read what has arrived.
 * @flush:  every 200 ms: write chunks (the recording is flushed after).
 * @finish: the target has ended (or the run was stopped): read what is
 *          left and write the last chunks.
 * @free:   release @st (also when the run failed at any step).
 * @load:   the --on-port load command has started (@end 0) or ended
 *          (@end 1, before the target is asked to stop): mark the
 *          moment in the evidence. Errors are ignored.
 */
struct cdoc_source_ops {
	const char *name;
	int (*env)(void *st, struct cdoc_collector *c, struct cdoc_env *env);
	int (*open)(void *st, struct cdoc_collector *c);
	int (*start)(void *st, struct cdoc_collector *c);
	int (*fds)(void *st, int *fds, int max);
	int (*ready)(void *st, struct cdoc_collector *c, int fd, short revents);
	int (*drain)(void *st, struct cdoc_collector *c);
	int (*flush)(void *st, struct cdoc_collector *c);
	int (*finish)(void *st, struct cdoc_collector *c);
	void (*free)(void *st);
	int (*load)(void *st, struct cdoc_collector *c, int end);
};

/*
 * Add a source (before _start). The session owns @st from here: ->free
 * releases it when the session is freed. 0 or negative.
 */
int cdoc_collect_add(struct cdoc_collector *c,
                     const struct cdoc_source_ops *ops, void *st);

/*
 * Sample until the target exits (run), the duration passes, the --on-port
 * command finishes, or a stop signal (see docs/cdoctor-run.md, Signals).
 * 0 or negative.
 */
int cdoc_collect_loop(struct cdoc_collector *c);

/*
 * Finish every source, write the final counters, META and END, close the
 * recording and fill @res. 0 or negative.
 */
int cdoc_collect_finish(struct cdoc_collector *c,
                        struct cdoc_collect_result *res);

/* Stop everything still running (kills a launched target) and free. */
void cdoc_collect_free(struct cdoc_collector *c);

/* Counters of cpu sampling so far. */
void cdoc_collect_get_stats(const struct cdoc_collector *c,
                            struct cdoc_collect_stats *out);

/*
 * The path of the HTML report for recording @rec ("REC.html"). Caller
 * frees.
 */
char *cdoc_collect_report_path(const char *rec);

/*
 * The preload shim's path: $CDOC_SHIM, else ../lib/libcdoctor-alloc.so
 * beside the running executable. Caller frees; NULL when none can be
 * named.
 */
char *cdoc_collect_find_shim(void);

/*
 * The TCP port a process or its children listen on (from /proc/PID/fd and
 * /proc/net/tcp{,6}); 0 when none, negative on error. Lowest port wins.
 */
int cdoc_collect_listen_port(pid_t pid);

/* ---- the launcher: the one way cdoctor starts a program ---- */

/*
 * struct cdoc_env - an environment being built for a child ("NAME=value"
 * strings, NULL-terminated in ->v). Owns its strings.
 */
struct cdoc_env {
	char **v;
	size_t nr, alloc;
};

/* A copy of @base (NULL: empty). Release with cdoc_env_release(). */
void cdoc_env_init(struct cdoc_env *e, char *const *base);
void cdoc_env_release(struct cdoc_env *e);
/* The value of @name, or NULL. Borrowed. */
const char *cdoc_env_get(const struct cdoc_env *e, const char *name);
/* Set @name to @value (copied), replacing any earlier value. */
void cdoc_env_set(struct cdoc_env *e, const char *name, const char *value);
/* Replace the whole list with @v (a NULL-terminated array of malloc'd
 * strings in a malloc'd array; taken over). */
void cdoc_env_take(struct cdoc_env *e, char **v);

/* struct cdoc_launch_opts - how to start a program. Borrowed. */
struct cdoc_launch_opts {
	char *const *argv;    /* PATH is searched for argv[0] */
	char *const *env;     /* its whole environment; NULL: cdoctor's */
	const sigset_t *mask; /* its signal mask; NULL: none blocked */
	const sigset_t *dfl;  /* signals set back to SIG_DFL; or NULL */
	int hold;             /* wait before exec for cdoc_launch_go() */
};

/*
 * struct cdoc_launch - a started program. ->pid is valid after _start
 * (0: none); ->done once it has been reaped, with its wait status in
 * ->status (-1 before). A caller that reaps it with its own waitpid()
 * sets both.
 */
struct cdoc_launch {
	pid_t pid;
	int status;
	int done;
	int go_fd;  /* write end of the hold pipe, or -1 */
	int err_fd; /* read end of the exec-error pipe, or -1 */
};

/*
 * Fork; the child dies with cdoctor (PR_SET_PDEATHSIG, SIGKILL; it
 * exits at once if cdoctor is already gone), takes @o's signal mask and
 * environment and execs @o->argv, at once or (->hold) after
 * cdoc_launch_go(). An exec failure comes back through a close-on-exec
 * pipe. Nothing is allocated in the child. The death signal follows the
 * calling thread: call it from the thread that outlives the child (the
 * main thread in cdoctor). 0 or negative.
 */
int cdoc_launch_start(struct cdoc_launch *l, const struct cdoc_launch_opts *o);

/*
 * Let a held child exec, and wait until it has (or failed to). 0 once
 * the program runs; when it could not be executed, it has been reaped
 * (->status: exit 127) and the result is -errno with "cannot run NAME:
 * why".
 */
int cdoc_launch_go(struct cdoc_launch *l, const char *name);

/*
 * Wait for the child (@flags: 0 or WNOHANG). 1 once it has ended
 * (->status set), 0 while it runs (WNOHANG), negative on error.
 */
int cdoc_launch_wait(struct cdoc_launch *l, int flags);

/* SIGKILL a child that has not been reaped, and reap it; close pipes. */
void cdoc_launch_kill(struct cdoc_launch *l);

/*
 * A wait status as a shell sees it: the exit code, 128+N for signal N;
 * any other status (stopped, continued, or -1: not known) gives 2, the
 * status of cdoctor's own failure.
 */
int cdoc_exit_code(int status);

/* ---- `heap run`: a command under allocation tracking, on its own ---- */

/* struct cdoc_heap_run_opts - what cdoc_heap_run() does. Borrowed. */
struct cdoc_heap_run_opts {
	struct cdoc_heap_opts shim; /* what the shim is asked to do */
	char *const *argv;          /* the command, NULL-terminated; PATH
				       is searched for argv[0] */
	char *const *env;           /* its base environment; NULL: environ */
	const char *output;         /* the final .heap file (required) */
	int force;                  /* replace an existing output; else
				       refuse before the command starts */
	unsigned interval_ms;       /* also a snapshot this often (0: no) */
	volatile sig_atomic_t *snap_now; /* if set (e.g. by a signal
					    handler), a snapshot at once;
					    cleared when taken. May be NULL */
};

/* struct cdoc_heap_run_result - how a run went. Owns ->snap, ->warning. */
struct cdoc_heap_run_result {
	struct cdoc_heap_snap snap; /* the final snapshot (as in output) */
	pid_t pid;                  /* the target; 0 when not started */
	int status;                 /* its wait status, once it has ended */
	int exit_code;              /* its exit status, 128 + N when killed
				       by signal N */
	int exec_errno;             /* it could not be executed: why (it
				       exited 127; the run failed) */
	unsigned nr_snapshots;      /* interval and on-demand snapshots
				       written: OUTPUT.1.heap ... */
	char *warning;              /* the stream did not end cleanly (a
				       process kept it open): why; or NULL */
};

/*
 * Run @o->argv with the shim (its environment from
 * cdoc_heap_collector_env; SIGINT and SIGUSR1 back to their defaults in
 * the child), read its stream until it exits, writing a snapshot as
 * "OUTPUT.N.heap" (N = 1, 2, ...) every @o->interval_ms and whenever
 * *@o->snap_now is set; then drain the stream (a process still holding
 * it open after 5 s sets ->warning) and write the final snapshot to
 * @o->output. Files are made with cdoc_create_file (a regular file of
 * ours is replaced; nothing is written through a link). Returns 0 with *@res filled, or negative with a
 * message: a command that cannot be executed gives "CMD: why", with
 * ->exec_errno and ->exit_code 127 set. After an error while the target
 * runs it is left running (->pid). @res need not be initialized; release
 * it with cdoc_heap_run_result_release() in every case. Signal
 * dispositions of the caller are not changed.
 */
int cdoc_heap_run(const struct cdoc_heap_run_opts *o,
                  struct cdoc_heap_run_result *res);
void cdoc_heap_run_result_release(struct cdoc_heap_run_result *res);

/* ---- the Node.js agent's channel (lib/collect/node_agent.c) ---- */

enum {
	CDOC_NODE_AGENT_DEFAULT = 0, /* on for node targets when found */
	CDOC_NODE_AGENT_OFF,
};

/*
 * The Node agent's path: $CDOC_NODE_AGENT, else
 * ../lib/cdoctor/cdoctor-agent.js beside the running executable. Caller
 * frees; NULL when none can be named.
 */
char *cdoc_collect_find_node_agent(void);

#define CDOC_NODE_MAX_FIELDS 64

/* One piece of a line: @len bytes at @s (not NUL-terminated). */
struct cdoc_node_span {
	const char *s;
	size_t len;
};

/*
 * struct cdoc_node_line - one line of the agent's channel, parsed
 * (docs/node.md, "The channel"). Spans point into the parsed text.
 */
struct cdoc_node_line {
	char kind;         /* 'H' hello, 'M' metrics, 'S' sample, 'X' end */
	uint32_t pid, tid; /* the process and its thread (OS ids) */
	uint64_t time_ns;  /* CLOCK_MONOTONIC */
	/* H: ppid, node's thread id, node version, title */
	uint32_t ppid, node_tid;
	struct cdoc_node_span version, title;
	/* M: names and values */
	size_t nr;
	struct cdoc_node_span names[CDOC_NODE_MAX_FIELDS];
	double values[CDOC_NODE_MAX_FIELDS];
	/* S: profile, weight, frames outermost first (->nr of them) */
	struct cdoc_node_span profile;
	uint64_t weight;
	struct cdoc_node_span frames[CDOC_NODE_MAX_FIELDS];
};

/*
 * Parse one line (@len bytes at @s, without its newline) into @l. A
 * malformed line gives -CDOC_EFORMAT with a message naming @where and
 * line @lineno and what was wrong; 0 otherwise.
 */
int cdoc_collect_node_parse(struct cdoc_node_line *l, const char *s, size_t len,
                            const char *where, unsigned long lineno);

#endif
