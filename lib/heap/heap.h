/*
 * heap.h - allocation tracking, collector side: read the preload shim's
 * stream (lib/alloc/stream.h) into a live-heap model and take snapshots
 * of the heap by call site. The .heap file, snapshots in recordings and
 * loading any file are lib/heapfile (heapfile/heapfile.h); the control
 * socket is lib/heapctl (heapctl/heapctl.h); text reports, folded stacks
 * and diffs are lib/report (report/report.h).
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
 *	cdoc_heap_snapshot(...) -> cdoc_heap_snap_save() / report / folded
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

/* ---- EXT records: evidence other than allocations ---- */

/*
 * Called by cdoc_heap_feed() for every EXT record (alloc/stream.h), in
 * stream order: the batch's process (@pid, process @instance) and thread
 * (@tid), the batch's CLOCK_MONOTONIC time @time_ns (absolute, when the
 * shim sent it), the record's @kind (CDOC_AEXT_*) and its @len bytes of
 * @payload (valid during the call only). Return 0, or a negative code
 * with cdoc_error() for a payload that is malformed: the feed then fails
 * with -CDOC_EFORMAT naming the input, the record's offset and that
 * message. Kinds the callback does not know must be skipped (return 0).
 */
typedef int (*cdoc_heap_ext_fn)(void *arg, uint32_t pid, uint32_t tid,
                                uint64_t instance, uint64_t time_ns,
                                uint32_t kind, const void *payload, size_t len);

/* Register @fn (NULL: EXT records are skipped, the default). */
void cdoc_heap_set_ext(struct cdoc_heap *h, cdoc_heap_ext_fn fn, void *arg);

/*
 * The return addresses of stack @id of process instance @instance (as a
 * stack id in an EXT payload names them: the same table as allocations),
 * leaf first, at most @max into @pcs. Returns how many, 0 when the id is
 * not defined (yet: a STACK record may come after the first use), or
 * -ENOENT for an unknown instance.
 */
int cdoc_heap_stack_pcs(const struct cdoc_heap *h, uint64_t instance,
                        uint32_t id, uint64_t *pcs, size_t max);

/*
 * The same stack symbolized: its frame names ("func", "func+0x12 (lib)",
 * as heap snapshots name them), leaf first, appended to @out each ended
 * by a NUL. Returns the number of frames, 0 or -ENOENT as above. A symbol
 * table is kept in @h between calls (rebuilt when a process sends new
 * mappings); the first call for a process costs its symbols' loading.
 */
int cdoc_heap_stack_frames(struct cdoc_heap *h, uint64_t instance, uint32_t id,
                           struct cdoc_buf *out);

/* struct cdoc_heap_ticks - one EXT TICKS payload (alloc/stream.h),
 * decoded; times are CLOCK_MONOTONIC. */
struct cdoc_heap_long_tick {
	uint64_t start_ns, dur_ns;
};
struct cdoc_heap_ticks {
	uint64_t end_ns; /* when the shim wrote it */
	uint64_t waits;  /* the thread's wait calls so far */
	uint64_t nticks, busy_ns, wait_ns, max_ns;
	uint64_t hist[CDOC_AEXT_TICK_BUCKETS];
	size_t nr_longs;
	struct cdoc_heap_long_tick longs[CDOC_AEXT_MAX / 2];
};

/*
 * Decode the @len bytes at @payload of an EXT TICKS record into @out.
 * 0, or -CDOC_EFORMAT with a message saying what is wrong (the stream
 * reader adds the input and offset): fields cut off, more than
 * CDOC_AEXT_TICK_BUCKETS buckets, counts that do not add up to the ticks,
 * a long tick longer than the longest or ending after end_ns.
 */
int cdoc_heap_ticks_decode(const void *payload, size_t len,
                           struct cdoc_heap_ticks *out);

/* What the model has counted, all processes together: allocation calls,
 * bytes asked and frees (scaled estimates when sampled). */
struct cdoc_heap_totals {
	uint64_t allocs, bytes, frees;
};
void cdoc_heap_get_totals(const struct cdoc_heap *h,
                          struct cdoc_heap_totals *out);

/*
 * A descriptor event: the payload of an EXT record of kind CDOC_AEXT_FD
 * (alloc/stream.h), decoded. Fields by op: OPEN fd, call, type, stack,
 * flags; CLOSE fd; RANGE fd (the first), last, flags; SETFD fd, flags;
 * FORK child; EXEC none. flags: CDOC_AFD_CLOEXEC or 0.
 */
struct cdoc_heap_fd {
	unsigned op; /* CDOC_AFD_* */
	uint32_t fd, last;
	uint32_t call, type, stack, flags;
	uint64_t child;
};

/*
 * Decode @len bytes of @payload into @out. 0, or -CDOC_EFORMAT with a
 * message naming the byte: an unknown op, a truncated or overlong
 * varint, bytes after the last field, a value out of range (a call or
 * type beyond CDOC_AFD_*_NR, a stack id 0 or beyond the stream's
 * limit, a descriptor above INT32_MAX, a range whose end comes before its start, a fork into instance 0).
 */
int cdoc_heap_fd_decode(const void *payload, size_t len,
                        struct cdoc_heap_fd *out);

/* ---- the collector: the channel to a target ---- */

/* struct cdoc_heap_opts - what the shim is asked to do. */
struct cdoc_heap_opts {
	const char *shim;      /* path of libcdoctor-alloc.so (required) */
	uint64_t sample_rate;  /* mean bytes between samples; 0 = all */
	int track_mmap;        /* anonymous mmap/munmap too */
	int use_fp;            /* frame-pointer stacks instead of libunwind */
	const char *dump;      /* if set, also copy the raw stream there
				 (created with O_EXCL) */
	uint64_t long_tick_ns; /* event-loop ticks the shim lists one by
				  one; 0: its default (10 ms) */
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

/* ---- what a site weighs ---- */

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

/* Whether the live memory of process @proc of @s counts as leaked: it
 * exited (and was not replaced by exec). */
int cdoc_heap_proc_leaks(const struct cdoc_heap_snap *s, uint32_t proc);

/* A site's value of @kind (leaked: live bytes in an exited process). */
uint64_t cdoc_heap_site_value(const struct cdoc_heap_snap *s,
                              const struct cdoc_heap_site *site, int kind);

/* ---- recordings (lib/record) and the run loop (lib/collect) ---- */

struct cdoc_rec_writer;
struct cdoc_recording;
struct cdoc_collector;

#endif
