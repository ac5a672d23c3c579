/*
 * collect.h - the collector: launch a command (or attach to a process),
 * sample it with perf events, unwind and symbolize the samples, and write
 * the recording as it goes.
 *
 * A run is four calls: cdoc_collect_new(), cdoc_collect_start() (launch or
 * attach, open the events and the recording), cdoc_collect_loop() (until
 * the target exits, the duration ends or the --on-port command finishes),
 * cdoc_collect_finish() (drain, write the last chunks, close). Other event
 * sources (an allocation stream, a metrics sampler) join the loop with
 * cdoc_collect_add_source() and write through cdoc_collect_writer().
 *
 * The recording (see docs/cdoctor-run.md for the exact contents): META
 * keys, profile "cpu" with stacks root-first (comm; user frames outermost
 * first; kernel frames "_[k]"; leaf last), counters, PROCESS/EXIT chunks,
 * and METRICS of the target. It is flushed every 250 ms, so a kill of
 * cdoctor loses at most that much.
 */
#ifndef CDOC_COLLECT_H
#define CDOC_COLLECT_H

#include <sys/types.h>

#include "base/base.h"
#include "record/record.h"

/* How user call stacks are taken. */
enum cdoc_call_graph {
	CDOC_CG_DWARF = 0, /* registers + stack copy, unwound with DWARF */
	CDOC_CG_FP = 1,    /* the kernel's frame-pointer callchain */
	CDOC_CG_AUTO = 2,  /* fp for node (JIT code has no DWARF), else dwarf */
};

/* struct cdoc_collect_opts - what to sample and how. Borrowed. */
struct cdoc_collect_opts {
	char *const *argv;   /* run: the command; NULL to attach */
	pid_t pid;           /* attach: the process */
	const char *event;   /* NULL: cpu-clock */
	unsigned freq;       /* samples per second per CPU; 0: 997 */
	int call_graph;      /* CDOC_CG_* */
	unsigned stack_size; /* dwarf stack copy in bytes; 0: 16384 */
	unsigned ring_kib;   /* ring per CPU in KiB; 0: 1024 */
	double duration;     /* seconds; 0: until the target exits */
	const char *on_port; /* shell command run once the target listens */
	const char *output;  /* recording path; NULL: cdoctor-NAME-PID.cdr */
	double grace;        /* seconds between SIGINT and SIGKILL; 0: 3 */
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
	int exit_code; /* status as a shell sees it (128+sig) */
	uint64_t duration_ns;
	struct cdoc_collect_stats stats;
	int port;             /* the port found for --on-port, or 0 */
	int on_port_status;   /* the command's wait status, or -1 */
	uint64_t self_cpu_ns; /* CPU time cdoctor itself used (user+sys) */
};
void cdoc_collect_result_release(struct cdoc_collect_result *r);

struct cdoc_collector;

/*
 * Check @opts and create a collector (nothing is started yet). 0 or a
 * negative code with a message. Copies what it needs from @opts.
 */
int cdoc_collect_new(struct cdoc_collector **out,
                     const struct cdoc_collect_opts *opts);

/*
 * Launch the command (stopped before exec) or find the process, resolve
 * the event, open one event per CPU, map the rings, open the recording,
 * then let the command exec. 0 or a negative code with a message. After a
 * failure the launched child (if any) is killed and reaped.
 */
int cdoc_collect_start(struct cdoc_collector *c);

/*
 * A line for the user when the requested event could not be used (the
 * fallback reason), or when kernel frames had to be left out; NULL when
 * all is as asked. Valid until _free.
 */
const char *cdoc_collect_notice(const struct cdoc_collector *c);

/* The target's pid (after _start). */
pid_t cdoc_collect_pid(const struct cdoc_collector *c);

/* The recording being written (after _start), for other sources. */
struct cdoc_rec_writer *cdoc_collect_writer(struct cdoc_collector *c);

/*
 * An extra event source: @on_ready runs when @fd is readable (fd < 0: no
 * fd), @on_tick at every flush (every 250 ms) and once more at the end
 * with @final set. Either may be NULL. A negative return ends the run
 * with that error. Call before _loop.
 */
typedef int (*cdoc_collect_fn)(struct cdoc_collector *c, void *arg, int final);
int cdoc_collect_add_source(struct cdoc_collector *c, int fd,
                            cdoc_collect_fn on_ready, cdoc_collect_fn on_tick,
                            void *arg);

/*
 * Sample until the target exits (run), the duration passes, the --on-port
 * command finishes, or SIGINT/SIGTERM/SIGHUP (forwarded to a launched
 * target unless the terminal sent it to both already). 0 or negative.
 */
int cdoc_collect_loop(struct cdoc_collector *c);

/*
 * Drain the rings, write the final counters, META and END, close the
 * recording and fill @res. 0 or negative.
 */
int cdoc_collect_finish(struct cdoc_collector *c,
                        struct cdoc_collect_result *res);

/* Stop everything still running (kills a launched target) and free. */
void cdoc_collect_free(struct cdoc_collector *c);

/* Counters so far (for sources that report progress). */
void cdoc_collect_get_stats(const struct cdoc_collector *c,
                            struct cdoc_collect_stats *out);

/*
 * The TCP port a process or its children listen on (from /proc/PID/fd and
 * /proc/net/tcp{,6}); 0 when none, negative on error. Lowest port wins.
 */
int cdoc_collect_listen_port(pid_t pid);

#endif
