/*
 * heap.h - allocation tracking, collector side: read the preload shim's
 * stream (lib/alloc/stream.h) into a live-heap model, take snapshots of
 * the heap by call site, save and load them (.heap files), summarise and
 * diff them.
 *
 * Flow for a run loop:
 *
 *	cdoc_heap_collector_start(&c, &opts);       // socketpair + model
 *	cdoc_heap_collector_env(c, environ, &envp); // LD_PRELOAD, CDOC_ALLOC_FD
 *	fork(); child: execve(cmd, argv, envp);     // keeps the child fd open
 *	cdoc_heap_collector_spawned(c);             // parent: close child end
 *	loop: poll(cdoc_heap_collector_fd(c)) ->
 *	      cdoc_heap_collector_poll(c);          // never blocks
 *	      cdoc_heap_snapshot(cdoc_heap_collector_model(c), &snap) // any time
 *	after the child exits: cdoc_heap_collector_drain(c, 5000, 0);
 *	cdoc_heap_snapshot(...) -> cdoc_heap_snap_write() / report / folded
 *
 * The model is pprof-like: per call site, objects and bytes allocated in
 * total (alloc_space/alloc_objects) and live now (inuse_space/objects),
 * plus what heaptrack adds: temporary allocations (freed by the same
 * thread with no allocation in between), each site's own peak of live
 * bytes, and what was live when the process exited (leaked).
 *
 * Nothing here prints; errors are negative codes with cdoc_errmsg() set.
 */
#ifndef CDOC_HEAP_H
#define CDOC_HEAP_H

#include <signal.h>
#include <sys/types.h>

#include "base/base.h"
#include "alloc/stream.h"

/* ---- the model ---- */

struct cdoc_heap; /* opaque: processes, live pointers, sites */

/* Counters shown in every report ("nothing silent"). */
struct cdoc_heap_counters {
	uint64_t batches;         /* stream batches read */
	uint64_t bytes;           /* stream bytes read */
	uint64_t reentrant;       /* events the shim could not record */
	uint64_t sample_full;     /* sampled pointers the shim forgot */
	uint64_t stack_full;      /* stacks sent more than once */
	uint64_t write_errors;    /* batches the shim failed to send */
	uint64_t unmatched_frees; /* frees of pointers never seen allocated */
	uint64_t reordered;       /* cross-thread events applied late */
	uint64_t no_exit;         /* processes that ended without EXIT */
	uint64_t unknown_stacks;  /* stack ids never defined */
};
#define CDOC_HEAP_NR_COUNTERS 10

/* A new empty model. 0 or -errno; free with cdoc_heap_free(). */
int cdoc_heap_new(struct cdoc_heap **out);
void cdoc_heap_free(struct cdoc_heap *h);

/*
 * Decode @len bytes of stream (whole batches back to back) into @h.
 * @name and @base name the input in messages ("name: offset N: ..."),
 * @base being the offset of @data in it. Returns the bytes consumed (a
 * trailing partial batch is left for the next call), or -CDOC_EFORMAT on
 * corrupt input; what came before the bad batch stays applied.
 */
long cdoc_heap_feed(struct cdoc_heap *h, const void *data, size_t len,
                    const char *name, uint64_t base);

/* Decode a whole stream dump file ("-" for stdin). 0 or negative. */
int cdoc_heap_load_stream(struct cdoc_heap *h, const char *path);

/* Mark every process of @h as ended (at the end of a stream). */
void cdoc_heap_finish(struct cdoc_heap *h);

void cdoc_heap_get_counters(const struct cdoc_heap *h,
                            struct cdoc_heap_counters *out);

/* ---- the collector: the channel to a target ---- */

/* struct cdoc_heap_opts - what the shim is asked to do. */
struct cdoc_heap_opts {
	const char *shim;     /* path of libcdoctor-alloc.so (required) */
	uint64_t sample_rate; /* mean bytes between samples; 0 = all */
	int track_mmap;       /* anonymous mmap/munmap too */
	int use_fp;           /* frame-pointer stacks instead of libunwind */
	const char *dump;     /* if set, also copy the raw stream there
				 (created with O_EXCL) */
};

struct cdoc_heap_collector;

/*
 * Create the channel (a SOCK_SEQPACKET socketpair) and an empty model.
 * @opts is copied. 0 or negative; free with cdoc_heap_collector_free().
 */
int cdoc_heap_collector_start(struct cdoc_heap_collector **out,
                              const struct cdoc_heap_opts *opts);

/*
 * Build the environment for the target: @base (e.g. environ) plus
 * LD_PRELOAD (the shim appended to any LD_PRELOAD in @base) and the
 * CDOC_ALLOC_* variables. *@out is a NULL-terminated array that the
 * caller frees with cdoc_heap_env_free(). Call before fork().
 */
int cdoc_heap_collector_env(struct cdoc_heap_collector *c, char *const *base,
                            char ***out);
void cdoc_heap_env_free(char **env);

/* The descriptor the child must keep open (not close-on-exec). */
int cdoc_heap_collector_child_fd(const struct cdoc_heap_collector *c);

/* In the parent after fork(): close the child's end, so that the end of
 * the stream is seen when the last tracked process exits. */
void cdoc_heap_collector_spawned(struct cdoc_heap_collector *c);

/* The descriptor to poll() for input (POLLIN). */
int cdoc_heap_collector_fd(const struct cdoc_heap_collector *c);

/*
 * Read every batch available now into the model without blocking.
 * Returns the batches read, 0 when none, 1 + ... ; returns -EPIPE once the
 * stream has ended (all tracked processes are gone), or a negative code.
 */
int cdoc_heap_collector_poll(struct cdoc_heap_collector *c);

/*
 * Read until the stream ends, @timeout_ms at most (a busy child that holds
 * the channel cannot keep this going), or until nothing has come for
 * @idle_ms when that is not 0; then mark the processes ended
 * (cdoc_heap_finish). 0 (ended, or idle), -ETIMEDOUT when a tracked
 * process still held the channel open at @timeout_ms (e.g. a daemon
 * child), or negative.
 */
int cdoc_heap_collector_drain(struct cdoc_heap_collector *c, int timeout_ms,
                              int idle_ms);

/* The model being filled (borrowed; valid until _free). */
struct cdoc_heap *cdoc_heap_collector_model(struct cdoc_heap_collector *c);

void cdoc_heap_collector_free(struct cdoc_heap_collector *c);

/* ---- snapshots ---- */

/* Per-process facts in a snapshot. */
struct cdoc_heap_proc {
	uint32_t pid, ppid;
	uint32_t name;               /* strtab id: the executable's path */
	uint32_t flags;              /* CDOC_HPROC_* */
	uint64_t calls[CDOC_AFN_NR]; /* allocation calls per function */
	uint64_t bytes[CDOC_AFN_NR]; /* bytes asked per function */
	uint64_t frees;              /* free calls (and realloc's frees) */
	uint64_t live_bytes, live_count;
	uint64_t peak_bytes, peak_ns;
};
#define CDOC_HPROC_EXITED 1u /* ended: its live memory is leaked */
#define CDOC_HPROC_FORKED 2u /* started by fork() of a tracked process */
#define CDOC_HPROC_EXECED 4u /* replaced by exec(): not leaked */
#define CDOC_HPROC_NOEXIT 8u /* ended without an EXIT record */

/* One call site (a process and a symbolized stack). */
struct cdoc_heap_site {
	uint32_t proc;        /* index in snap->procs */
	uint32_t stack;       /* index in snap->stacks */
	uint64_t alloc_count; /* allocations made here (alloc_objects) */
	uint64_t alloc_bytes; /* bytes asked here (alloc_space) */
	uint64_t live_count;  /* allocations live now (inuse_objects) */
	uint64_t live_bytes;  /* bytes live now (inuse_space) */
	uint64_t peak_bytes;  /* the most bytes live here at once */
	uint64_t temp_count;  /* temporary allocations */
};

/* A stack: frames[first .. first+nr), leaf first, strtab ids. */
struct cdoc_heap_stack {
	uint32_t first, nr;
};

/*
 * struct cdoc_heap_snap - the live heap by call site at one time,
 * symbolized: self-contained, serializable. Owns everything;
 * cdoc_heap_snap_release() frees it.
 */
struct cdoc_heap_snap {
	uint64_t time_ns;     /* since the first event of the stream */
	uint64_t sample_rate; /* 0: exact; else counts are estimates */
	uint64_t peak_bytes;  /* the most bytes live at once, all processes */
	uint64_t peak_ns;     /* when (since the first event) */
	uint64_t hist[64];    /* allocations by size: [i] = sizes < 2^i
				 and >= 2^(i-1) ([0]: size 0) */
	struct cdoc_heap_counters counters;
	struct cdoc_strtab names; /* frame names and process names */
	struct cdoc_heap_proc *procs;
	size_t nr_procs;
	uint32_t *frames;
	size_t nr_frames;
	struct cdoc_heap_stack *stacks;
	size_t nr_stacks;
	struct cdoc_heap_site *sites;
	size_t nr_sites;
};

void cdoc_heap_snap_init(struct cdoc_heap_snap *s);
void cdoc_heap_snap_release(struct cdoc_heap_snap *s);

/*
 * Take a snapshot of @h now: symbolize every stack (lib/symbol, with the
 * executable mappings the shim sent and /proc/PID/maps of live
 * processes), merge sites whose symbolized stacks are equal. @out must be
 * initialized; it is filled (anything in it is released first).
 */
int cdoc_heap_snapshot(struct cdoc_heap *h, struct cdoc_heap_snap *out);

/* Serialize @s (appends to @out): the .heap format, docs/alloc.md. */
void cdoc_heap_snap_encode(const struct cdoc_heap_snap *s,
                           struct cdoc_buf *out);

/*
 * Parse a serialized snapshot. @name is used in messages; a corrupt or
 * truncated input fails with -CDOC_EFORMAT naming the byte offset.
 * @out must be initialized; on failure it is left empty.
 */
int cdoc_heap_snap_decode(struct cdoc_heap_snap *out, const void *data,
                          size_t len, const char *name);

/* Write to / read from a .heap file (created with cdoc_create_file). */
int cdoc_heap_snap_save(const struct cdoc_heap_snap *s, const char *path);
int cdoc_heap_snap_load(struct cdoc_heap_snap *out, const char *path);

/* ---- reports ---- */

/* Values a folded profile can weigh sites by. */
enum cdoc_heap_kind {
	CDOC_HEAP_ALLOC_BYTES,
	CDOC_HEAP_ALLOC_COUNT,
	CDOC_HEAP_LIVE_BYTES,
	CDOC_HEAP_LIVE_COUNT,
	CDOC_HEAP_LEAKED_BYTES,
	CDOC_HEAP_PEAK_BYTES,
	CDOC_HEAP_TEMP_COUNT,
	CDOC_HEAP_LEAKED_COUNT,
};

/* Parse "alloc_bytes", "alloc_count", "live_bytes", "live_count",
 * "leaked", "peak", "temp", "leaked_count"; -1 when unknown. */
int cdoc_heap_kind_parse(const char *s);

/* A site's value of @kind (leaked: live bytes in an exited process). */
uint64_t cdoc_heap_site_value(const struct cdoc_heap_snap *s,
                              const struct cdoc_heap_site *site, int kind);

/*
 * Folded stacks ("root;...;leaf N"), one line per site with a non-zero
 * value, roots first; processes become the root frame when there are
 * several. Appends to @out.
 */
void cdoc_heap_folded(const struct cdoc_heap_snap *s, int kind,
                      struct cdoc_buf *out);

/* A site's stack as "leaf < caller < caller" (at most @depth frames). */
void cdoc_heap_site_name(const struct cdoc_heap_snap *s,
                         const struct cdoc_heap_site *site, int depth,
                         struct cdoc_buf *out);

/*
 * The summary a user reads: totals per process and function, peak and
 * when, leaked at exit by call site, most allocations, most temporary
 * allocations, size histogram, the counters. @top sites per list.
 */
void cdoc_heap_report_text(const struct cdoc_heap_snap *s, int top,
                           struct cdoc_buf *out);

/* One row of a diff: a call site matched by process name and stack. */
struct cdoc_heap_growth {
	uint32_t site_a, site_b; /* indexes, CDOC_HEAP_NOSITE if absent */
	int64_t bytes, count;    /* growth of live bytes and objects */
	double share;            /* bytes / total positive growth */
};
#define CDOC_HEAP_NOSITE UINT32_MAX

/*
 * Sites ranked by growth of live bytes from @a to @b (then objects).
 * *@out (caller frees) gets *@nr rows. Returns 0.
 */
int cdoc_heap_diff(const struct cdoc_heap_snap *a,
                   const struct cdoc_heap_snap *b,
                   struct cdoc_heap_growth **out, size_t *nr);

/* The diff as text: the @top sites that grew, with their share. */
void cdoc_heap_diff_text(const struct cdoc_heap_snap *a,
                         const struct cdoc_heap_snap *b,
                         const struct cdoc_heap_growth *rows, size_t nr,
                         int top, struct cdoc_buf *out);

/* ---- on-demand snapshots: the run's private control channel ---- */

/*
 * A run that tracks allocations listens on an AF_UNIX stream socket
 * <dir>/<target-pid>.sock in a private directory (see
 * cdoc_heap_control_dir). A client of the same uid sends one line,
 * "snapshot [NAME]\n"; the run takes a snapshot, writes it into its
 * recording and answers "ok NAME RECORDING-PATH\n" or "error MESSAGE\n".
 */
#define CDOC_HEAP_CONTROL_NAME_MAX 48 /* longest snapshot name kept */

/*
 * Make @path a private directory: create it (mode 0700) when missing,
 * then check with lstat() that it is a real directory (not a symlink)
 * owned by the effective uid with no group or other permission bits.
 * Nothing is followed or chmod-ed. 0, or -EPERM (-errno) with a message
 * saying what is wrong and that someone may have planted it.
 */
int cdoc_heap_control_mkdir(const char *path);

/*
 * The directory of control sockets: $XDG_RUNTIME_DIR/cdoctor when
 * XDG_RUNTIME_DIR is set and is a directory of ours without group or
 * other bits, else /tmp/cdoctor-<uid>. With @create it is made and
 * checked (cdoc_heap_control_mkdir). *@out: the path (caller frees).
 */
int cdoc_heap_control_dir(char **out, int create);

/*
 * Turn @name (attacker-free but user-typed) into a snapshot name: at most
 * CDOC_HEAP_CONTROL_NAME_MAX characters of [A-Za-z0-9._:=+-], others
 * become '_'; a name that reads as a number (it would be taken for an
 * index) gets "snap-" in front; empty or NULL gives "ondemand-@seq".
 * Writes into @out (at least CDOC_HEAP_CONTROL_NAME_MAX + 8 bytes).
 */
void cdoc_heap_control_name(const char *name, unsigned seq, char *out,
                            size_t size);

struct cdoc_heap_control; /* the listening side; opaque */

/*
 * Take a snapshot called @name for a control request: 0 and the
 * recording's path appended to @where, or negative with cdoc_errmsg().
 */
typedef int (*cdoc_heap_control_fn)(void *arg, const char *name,
                                    struct cdoc_buf *where);

/*
 * Listen for requests about @pid: make the directory, remove a stale
 * socket of ours at <dir>/<pid>.sock (anything else there is refused),
 * bind and listen (CLOEXEC, NONBLOCK). 0 or negative with a message.
 * Free with cdoc_heap_control_free(), which unlinks the socket.
 */
int cdoc_heap_control_listen(struct cdoc_heap_control **out, pid_t pid);

/* The listening descriptor to poll() for POLLIN. */
int cdoc_heap_control_fd(const struct cdoc_heap_control *ctl);

/* The socket's path (borrowed; valid until _free). */
const char *cdoc_heap_control_path(const struct cdoc_heap_control *ctl);

/*
 * Serve the connections waiting now: peers of another uid are refused;
 * each request line is read with a short bound (a client that has not
 * sent its line within a few hundred ms is dropped), @fn is called with
 * the sanitized name, the answer is sent without blocking. Returns the
 * snapshots taken (>= 0); a client's fault is never an error.
 */
int cdoc_heap_control_serve(struct cdoc_heap_control *ctl,
                            cdoc_heap_control_fn fn, void *arg);

/* Close the socket and unlink it (if it is still the one we bound). */
void cdoc_heap_control_free(struct cdoc_heap_control *ctl);

/*
 * Client: ask the run tracking @pid for a snapshot called @name (NULL:
 * the run picks one). Tries the directory of cdoc_heap_control_dir(),
 * then /tmp/cdoctor-<uid> when that differs. Waits at most @timeout_ms
 * for the answer. 0 with *@reply the run's answer line without its
 * newline (caller frees; it may be "error ..."), or negative with a
 * message naming the paths tried.
 */
int cdoc_heap_control_request(pid_t pid, const char *name, int timeout_ms,
                              char **reply);

/* ---- recordings (lib/record) and the run loop (lib/collect) ---- */

struct cdoc_rec_writer;
struct cdoc_recording;
struct cdoc_collector;

/* Write @s as a HEAP_SNAPSHOT chunk called @name ("exit", "t=1.5s"). */
int cdoc_heap_rec_write(struct cdoc_rec_writer *w, const char *name,
                        const struct cdoc_heap_snap *s);

/*
 * Add @s to the recording's profiles "alloc_bytes", "alloc_count",
 * "leaked_bytes", "live_bytes", "peak_bytes" and "temp_count" (samples
 * by stack, root first, per pid), so reports and folded output show them.
 */
int cdoc_heap_rec_profiles(struct cdoc_rec_writer *w,
                           const struct cdoc_heap_snap *s);

/* How many heap snapshots @r holds. */
size_t cdoc_heap_rec_count(const struct cdoc_recording *r);

/*
 * Decode snapshot @index of @r (negative: from the end, -1 the last) into
 * @out (initialized). *@name, if @name is set, gets its name (caller
 * frees). 0, -ENOENT, or -CDOC_EFORMAT with the offset in the message.
 */
int cdoc_heap_rec_load(const struct cdoc_recording *r, long index,
                       struct cdoc_heap_snap *out, char **name);

/*
 * The index of the snapshot called @name in @r (the last one when several
 * have it), or -ENOENT with a message.
 */
long cdoc_heap_rec_find(const struct cdoc_recording *r, const char *name);

/*
 * struct cdoc_heap_source - allocation tracking as a source of the run
 * loop. Use:
 *	cdoc_collect_new(&c, ...);
 *	cdoc_heap_source_prepare(&hs, &heap_opts, interval_ms);
 *	cdoc_collect_start(c);              // the launched child inherits
 *	cdoc_heap_source_attach(hs, c);     // restores env, adds the source
 *	cdoc_collect_loop(c); cdoc_collect_finish(c, &res);
 *	cdoc_heap_source_free(hs);
 * Snapshots are written into the recording every @interval_ms (0: none)
 * named "t=SECONDS", and at the end ("exit") with the heap profiles.
 */
struct cdoc_heap_source;

/*
 * Create the channel and put LD_PRELOAD and CDOC_ALLOC_* into this
 * process's environment so that the next launched command inherits them
 * (cdoc_heap_source_attach() puts the environment back). 0 or negative.
 */
int cdoc_heap_source_prepare(struct cdoc_heap_source **out,
                             const struct cdoc_heap_opts *opts,
                             unsigned interval_ms);

/* After cdoc_collect_start(): restore the environment, close the child's
 * end of the channel, and join @c's loop. 0 or negative. */
int cdoc_heap_source_attach(struct cdoc_heap_source *s,
                            struct cdoc_collector *c);

/*
 * With a launched target, attach also listens on the control socket for
 * the target's pid (cdoc_heap_control_listen), so `cdoctor heap snapshot
 * PID` writes a snapshot into the recording; the socket is closed and
 * unlinked at the end of the run (the final tick) or by _free. When it
 * cannot listen (an unsafe directory), the run goes on without it and
 * cdoc_heap_source_notice() says why (borrowed; NULL when all is well).
 * cdoc_heap_source_control() is the socket's path, or NULL.
 */
const char *cdoc_heap_source_notice(const struct cdoc_heap_source *s);
const char *cdoc_heap_source_control(const struct cdoc_heap_source *s);

/* The model (borrowed), e.g. for a last snapshot after the run. */
struct cdoc_heap *cdoc_heap_source_model(struct cdoc_heap_source *s);

/* Free; call after cdoc_collect_finish(). */
void cdoc_heap_source_free(struct cdoc_heap_source *s);

/* ---- loading a snapshot from any file a user names ---- */

/* What a file holds, by its first bytes (cdoc_heap_file_kind). */
enum cdoc_heap_file {
	CDOC_HEAP_FILE_STREAM,    /* anything else: a raw stream dump */
	CDOC_HEAP_FILE_SNAPSHOT,  /* a .heap snapshot (or "-": stdin) */
	CDOC_HEAP_FILE_RECORDING, /* a recording (.cdr) */
};

/*
 * The kind of @path by its first 8 bytes: a recording, a .heap snapshot
 * ("-", stdin, counts as one), else a stream dump (also when @path is
 * unreadable or short: loading it then says why). Never fails.
 */
int cdoc_heap_file_kind(const char *path);

/*
 * Decode snapshot @index of the recording @path (negative: from the end,
 * -1 the last), or, when @name is set, the last one called @name, into
 * @out (initialized). 0 or negative with a message naming @path.
 */
int cdoc_heap_rec_load_file(struct cdoc_heap_snap *out, const char *path,
                            long index, const char *name);

/*
 * Load a snapshot from whatever @path is (cdoc_heap_file_kind): a .heap
 * file, snapshot @index or @name of a recording (as above), or the end of
 * a raw stream dump (decoded, then snapshotted). @out must be
 * initialized; it is filled. 0 or negative with a message naming @path.
 */
int cdoc_heap_load_any(struct cdoc_heap_snap *out, const char *path, long index,
                       const char *name);

/* struct cdoc_heap_rec_entry - one snapshot of a recording, as listed. */
struct cdoc_heap_rec_entry {
	char *name;          /* its name ("exit", "t=0.500s"); owned */
	uint64_t time_ns;    /* its time since the first event */
	uint64_t live_bytes; /* bytes live then, all processes together */
};

/*
 * The snapshots of the recording @path, in order: *@out gets *@nr entries
 * (free with cdoc_heap_rec_list_free(), also on failure). 0, or negative
 * with a message; on failure *@out holds the entries before the bad one.
 */
int cdoc_heap_rec_list(const char *path, struct cdoc_heap_rec_entry **out,
                       size_t *nr);
void cdoc_heap_rec_list_free(struct cdoc_heap_rec_entry *e, size_t nr);

/* ---- `heap run`: a command under allocation tracking, on its own ---- */

/* struct cdoc_heap_run_opts - what cdoc_heap_run() does. Borrowed. */
struct cdoc_heap_run_opts {
	struct cdoc_heap_opts shim; /* what the shim is asked to do */
	char *const *argv;          /* the command, NULL-terminated; PATH
				       is searched for argv[0] */
	char *const *env;           /* its base environment; NULL: environ */
	const char *output;         /* the final .heap file (required) */
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

#endif
