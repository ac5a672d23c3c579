/*
 * record.h - the recording file (.cdr): writer and reader.
 *
 * A recording is a 16-byte file header followed by self-delimiting chunks
 * (type, payload length, CRC-32 of the payload, payload). The writer
 * appends whole chunks with write(2) as collection goes on, so a crash or
 * kill of the target or of cdoctor loses at most the chunk being written.
 * Strings and call stacks are interned: each is written once, in a STRINGS
 * or STACKS chunk that precedes its first use. docs/recording-format.md
 * describes every chunk.
 */
#ifndef CDOC_RECORD_H
#define CDOC_RECORD_H

#include "base/base.h"
#include "profile/profile.h"

#define CDOC_REC_MAGIC       "CDOCREC" /* 8 bytes with the NUL */
#define CDOC_REC_VERSION     1
#define CDOC_REC_HEADER_SIZE 16
#define CDOC_REC_CHUNK_HDR   12
#define CDOC_REC_MAX_CHUNK   (64u << 20)

/* Chunk types. Readers skip types they do not know (newer writers). */
enum cdoc_rec_chunk {
	CDOC_REC_META = 1,          /* key/value strings about the run */
	CDOC_REC_STRINGS = 2,       /* interned strings, dense ids */
	CDOC_REC_STACKS = 3,        /* interned stack nodes: parent, frame */
	CDOC_REC_SAMPLES = 4,       /* weights per stack, for one profile */
	CDOC_REC_PROCESS = 5,       /* a process seen: pid, ppid, name */
	CDOC_REC_COUNTERS = 6,      /* named running totals (lost, ...) */
	CDOC_REC_HEAP_SNAPSHOT = 7, /* a named heap snapshot (lib/heap) */
	CDOC_REC_METRICS = 8,       /* one procfs sample of the target */
	CDOC_REC_EXIT = 9,          /* a process's exit status */
	CDOC_REC_END = 10,          /* clean end of the recording */
	CDOC_REC_TSAMPLES = 11,     /* samples with time, pid and tid */
	CDOC_REC_MODULE = 12,       /* a loaded file: path, build-id, range */
	CDOC_REC_FRAMEINFO = 13,    /* a frame's module, address, file:line */
	CDOC_REC_TICKS = 14,        /* event-loop ticks of one thread */
	CDOC_REC_THREADS = 15,      /* scheduler evidence per thread */
};

/* Stack id 0 is the empty stack (the root); real stacks start at 1. */
#define CDOC_REC_ROOT 0

/*
 * struct cdoc_rec_writer - appends chunks to a recording file.
 * Not thread-safe: one collector thread owns it.
 */
struct cdoc_rec_writer {
	int fd;                      /* the file */
	char *path;                  /* for messages */
	struct cdoc_strtab strs;     /* string id == file string id */
	uint32_t strs_written;       /* ids below this are on disk */
	struct cdoc_u64map stacks;   /* (parent << 32 | frame) -> stack id */
	uint32_t nr_stacks;          /* stack ids used, including the root */
	struct cdoc_buf pend_stacks; /* encoded stack entries not written */
	uint32_t pend_stacks_first;  /* id of the first pending stack */
	uint32_t pend_stacks_nr;     /* number of pending stacks */
	struct cdoc_buf samples;     /* pending SAMPLES entries */
	uint32_t samples_profile;    /* profile string id of ->samples */
	uint32_t samples_pid;        /* pid of ->samples */
	uint32_t samples_nr;         /* entries in ->samples */
	struct cdoc_buf chunk;       /* scratch for encoding */
	uint64_t bytes;              /* bytes written so far */
	struct cdoc_buf tsamples;    /* pending TSAMPLES entries */
	uint32_t tsamples_profile;   /* profile string id of ->tsamples */
	uint32_t tsamples_nr;        /* entries in ->tsamples */
	uint64_t t_prev;             /* last entry's time (delta base) */
	uint32_t pid_prev, tid_prev; /* last entry's pid and tid */
	struct cdoc_strtab modules;  /* path NUL build-id -> module id */
};

/*
 * Create @path (refusing to follow links; an existing regular file of ours
 * is replaced) and write the file header. 0 or negative with message.
 */
int cdoc_rec_writer_open(struct cdoc_rec_writer *w, const char *path);

/* struct cdoc_rec_frameinfo - where a frame comes from (FRAMEINFO). */
struct cdoc_rec_frameinfo {
	const char *module;      /* the file's path; NULL: no module */
	const uint8_t *build_id; /* raw GNU build-id, or NULL */
	size_t build_id_len;
	uint64_t map_start, map_end; /* the mapping seen first */
	uint64_t address; /* in the module: ELF vaddr (addr2line's) */
	const char *file; /* source file, or NULL */
	unsigned line;    /* its line when file is set */
};

/*
 * Record where frame string @frame comes from: a MODULE chunk the first
 * time a (path, build-id) is seen, then one FRAMEINFO chunk. 0 or a
 * negative code.
 */
int cdoc_rec_frameinfo(struct cdoc_rec_writer *w, uint32_t frame,
                       const struct cdoc_rec_frameinfo *fi);

/* Intern a string; returns its id. Written at the next flush or chunk. */
uint32_t cdoc_rec_string(struct cdoc_rec_writer *w, const char *s, size_t len);
static inline uint32_t cdoc_rec_str(struct cdoc_rec_writer *w, const char *s)
{
	return cdoc_rec_string(w, s, __builtin_strlen(s));
}

/* Intern the stack @parent + frame @frame (a string id); returns its id. */
uint32_t cdoc_rec_stack(struct cdoc_rec_writer *w, uint32_t parent,
                        uint32_t frame);

/*
 * Add @weight to @stack in profile @profile (a string id naming the
 * profile: "cpu", "alloc_bytes", ...) for process @pid. Buffered until
 * the next flush; 0 or negative on a write error.
 */
int cdoc_rec_sample(struct cdoc_rec_writer *w, uint32_t profile, uint32_t pid,
                    uint32_t stack, uint64_t weight);

/*
 * Like cdoc_rec_sample(), for one sample that keeps its time and thread:
 * @weight on @stack in @profile, taken at @time_ns (since the run
 * started) in thread @tid of process @pid. Written as delta-coded
 * TSAMPLES chunks (about 10 bytes a sample); readers add it to the
 * profile tree as for SAMPLES and keep the time line
 * (struct cdoc_rec_tsample). 0 or negative on a write error.
 */
int cdoc_rec_sample_at(struct cdoc_rec_writer *w, uint32_t profile,
                       uint32_t pid, uint32_t tid, uint64_t time_ns,
                       uint32_t stack, uint64_t weight);

/* One META chunk with one key and value. */
int cdoc_rec_meta(struct cdoc_rec_writer *w, const char *key,
                  const char *value);

/* A COUNTERS chunk: the current total of counter @name. */
int cdoc_rec_counter(struct cdoc_rec_writer *w, const char *name,
                     uint64_t value);

/* A PROCESS chunk: @pid (child of @ppid) is called @name. */
int cdoc_rec_process(struct cdoc_rec_writer *w, uint32_t pid, uint32_t ppid,
                     const char *name);

/* An EXIT chunk: @pid ended with wait status @status, or
 * CDOC_REC_EXIT_UNKNOWN when it ended and its status went elsewhere (a
 * process below the target is reaped by its own parent). */
#define CDOC_REC_EXIT_UNKNOWN (-1)
int cdoc_rec_exit(struct cdoc_rec_writer *w, uint32_t pid, int status);

/*
 * A METRICS chunk: at @time_ns (since the run started), @n named values.
 */
int cdoc_rec_metrics(struct cdoc_rec_writer *w, uint64_t time_ns,
                     const char *const *names, const double *values, size_t n);

/*
 * struct cdoc_rec_threadstat - one thread of the process tree at one
 * metrics sample (THREADS chunk). Counts are cumulative since the thread
 * started: take differences between samples for rates.
 */
struct cdoc_rec_threadstat {
	uint32_t pid, tid;
	const char *name;    /* writer: any string (NULL: ""); reader: points
	                        into r->strs */
	uint64_t on_cpu_ns;  /* schedstat field 1: time on a CPU */
	uint64_t runq_ns;    /* schedstat field 2: time runnable, waiting */
	uint64_t timeslices; /* schedstat field 3: times it ran */
	uint64_t vol, invol; /* voluntary and involuntary context switches */
	char state;          /* R, S, D, ... from /proc (0: unknown) */
};

/* struct cdoc_rec_threadstats - every thread at @time_ns (THREADS). */
struct cdoc_rec_threadstats {
	uint64_t time_ns; /* since the run started */
	size_t n;
	struct cdoc_rec_threadstat *t; /* reader: owned */
};

/* A THREADS chunk with the threads of @s. 0 or a negative code. */
int cdoc_rec_threadstats(struct cdoc_rec_writer *w,
                         const struct cdoc_rec_threadstats *s);

/*
 * Event-loop ticks (TICKS chunks, lib/record/ticks.c). A tick is the time
 * from a wait call (epoll_wait, poll, select, ...) returning on a thread
 * to its next wait call; a long tick lasted at least META long_tick_ns.
 * One tickset covers one loop thread over one interval: what ended in
 * it. Times are ns since the run started.
 */
/* Bucket 0: < 2 us; bucket i: [2^i, 2^(i+1)) us; the last: all above. */
#define CDOC_TICK_BUCKETS 24
struct cdoc_rec_long_tick {
	uint64_t start_ns, dur_ns;
};
struct cdoc_rec_tickset {
	uint32_t pid, tid;
	uint64_t time_ns; /* end of the interval this set covers */
	uint64_t hist[CDOC_TICK_BUCKETS];
	uint64_t nticks;  /* ticks that ended in the interval */
	uint64_t busy_ns; /* sum of their durations */
	uint64_t wait_ns; /* time spent inside wait calls in the interval */
	uint64_t max_ns;  /* longest tick of the interval */
	struct cdoc_rec_long_tick *longs; /* long ticks that ended in it */
	size_t nr_longs;
};

/* The bucket of a tick of @ns nanoseconds. */
unsigned cdoc_rec_tick_bucket(uint64_t ns);

/* One TICKS chunk for @t. 0 or a negative code. */
int cdoc_rec_ticks(struct cdoc_rec_writer *w, const struct cdoc_rec_tickset *t);

/*
 * A chunk of @type whose payload is @len bytes at @data (for chunk types
 * other modules encode, such as heap snapshots). Pending strings and
 * stacks are written first, so ids in @data resolve.
 */
int cdoc_rec_chunk(struct cdoc_rec_writer *w, uint32_t type, const void *data,
                   size_t len);

/* Write pending strings, stacks and samples. */
int cdoc_rec_flush(struct cdoc_rec_writer *w);

/* Flush, write the END chunk, close. Always releases @w. */
int cdoc_rec_writer_close(struct cdoc_rec_writer *w);

/* Release without writing END (the file stays readable as cut short). */
void cdoc_rec_writer_abandon(struct cdoc_rec_writer *w);

/*
 * Varint payload encoding, shared by everyone who writes chunk payloads:
 * unsigned LEB128 numbers, doubles as 8 little-endian bytes, strings as a
 * length then bytes.
 */
void cdoc_rec_put_u64(struct cdoc_buf *b, uint64_t v);
void cdoc_rec_put_f64(struct cdoc_buf *b, double v);
void cdoc_rec_put_bytes(struct cdoc_buf *b, const void *p, size_t len);

/* Payloads are decoded with lib/base's struct cdoc_reader. */

/* A key and value from META chunks. */
struct cdoc_rec_kv {
	char *key, *value;
};

/* A process from PROCESS and EXIT chunks. */
struct cdoc_rec_proc {
	uint32_t pid, ppid;
	char *name;
	int exited; /* an EXIT chunk was seen */
	int status; /* its wait status */
};

/* A counter's last value. */
struct cdoc_rec_counter {
	char *name;
	uint64_t value;
};

/* One named profile: the samples of every process, merged. */
struct cdoc_rec_profile {
	char *name;               /* "cpu", "alloc_bytes", ... */
	struct cdoc_profile prof; /* the tree */
	uint32_t *node_of_stack;  /* file stack id -> node, memo */
	size_t node_of_stack_alloc;
};

/* One METRICS chunk. */
struct cdoc_rec_metric_sample {
	uint64_t time_ns;
	size_t n;
	char **names;   /* owned */
	double *values; /* owned */
};

/*
 * One sample of a TSAMPLES chunk, in file order. ->node is the sample's
 * node in the profile tree of r->profiles[->profile].
 */
struct cdoc_rec_tsample {
	uint64_t time_ns; /* since the run started */
	uint64_t weight;
	uint32_t pid, tid;
	uint32_t profile; /* index in r->profiles */
	uint32_t node;    /* node in that profile's tree */
};

/* A raw chunk kept for the module that understands it (heap snapshots). */
struct cdoc_rec_module {
	char *path;
	char *build_id; /* lowercase hex, "" when none */
	uint64_t start, end;
};

/* The FRAMEINFO of one frame string; module 0 is none, else index + 1. */
struct cdoc_rec_frame {
	uint32_t module;
	unsigned line; /* 0: unknown */
	uint64_t address;
	char *file; /* NULL: unknown */
};

struct cdoc_rec_blob {
	uint32_t type;
	uint64_t offset; /* of the chunk in the file */
	char *data;
	size_t len;
};

/*
 * struct cdoc_recording - everything a recording file holds, in memory.
 * Owns everything; cdoc_recording_release() frees it.
 */
struct cdoc_recording {
	char *path;
	uint32_t version;
	struct cdoc_rec_kv *meta;
	size_t nr_meta, alloc_meta;
	char **strs; /* file string id -> string */
	size_t *str_lens;
	size_t nr_strs, alloc_strs;
	uint32_t *stack_parent, *stack_frame; /* file stack id -> entry */
	size_t nr_stacks, alloc_stacks;
	struct cdoc_rec_profile *profiles;
	size_t nr_profiles, alloc_profiles;
	struct cdoc_rec_proc *procs;
	size_t nr_procs, alloc_procs;
	struct cdoc_rec_counter *counters;
	size_t nr_counters, alloc_counters;
	struct cdoc_rec_metric_sample *metrics;
	size_t nr_metrics, alloc_metrics;
	struct cdoc_rec_blob *blobs;
	size_t nr_blobs, alloc_blobs;
	struct cdoc_rec_module *modules; /* MODULE chunks, by id */
	size_t nr_modules, alloc_modules;
	struct cdoc_rec_frame *frames;     /* frame string id -> FRAMEINFO */
	size_t nr_frames, alloc_frames;    /* (zeroed up to nr_frames) */
	struct cdoc_rec_tsample *tsamples; /* samples with times, file order */
	size_t nr_tsamples, alloc_tsamples;
	struct cdoc_rec_threadstats *threadstats; /* THREADS, file order */
	size_t nr_threadstats, alloc_threadstats;
	struct cdoc_rec_tickset *ticksets; /* TICKS, file order; each owns
					      its ->longs */
	size_t nr_ticksets, alloc_ticksets;
	int complete;    /* the END chunk was read */
	char *cut_short; /* why the file ends early (NULL when complete) */
};

/*
 * Read the recording at @path (or @len bytes at @data with
 * cdoc_recording_parse; @name names it in messages). A file that is cut
 * short (a last chunk partly written, or no END chunk) loads what it has
 * and sets ->cut_short. A file that is not a recording, or has a corrupt
 * chunk, fails with -CDOC_EFORMAT and a message giving the byte offset and
 * what was expected.
 */
int cdoc_recording_load(struct cdoc_recording *r, const char *path);
int cdoc_recording_parse(struct cdoc_recording *r, const char *name,
                         const char *data, size_t len);
void cdoc_recording_release(struct cdoc_recording *r);

/* The profile named @name, or NULL. */
struct cdoc_profile *cdoc_recording_profile(struct cdoc_recording *r,
                                            const char *name);
/* The index of profile @name in r->profiles, or -1. */
int cdoc_recording_profile_index(const struct cdoc_recording *r,
                                 const char *name);
/* The META value for @key, or NULL (the last one when repeated). */
const char *cdoc_recording_meta(const struct cdoc_recording *r,
                                const char *key);
/* The counter @name, or 0. */
uint64_t cdoc_recording_counter(const struct cdoc_recording *r,
                                const char *name);

#endif
