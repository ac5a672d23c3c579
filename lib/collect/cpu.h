/*
 * cpu.h - the cpu sampling source's state, shared by its files:
 * cpu.c (the source: options, start, META, notice, counters),
 * cpu_events.c (perf events and rings), cpu_records.c (ring records to
 * the recording) and blobtab.c (its hash tables). Nothing else in
 * lib/collect reaches into it; the session sees it through
 * collect_cpu_ops and the two accessors at the end.
 */
#ifndef CDOC_COLLECT_CPU_H
#define CDOC_COLLECT_CPU_H

#include "collect/collect.h"
#include "perf/perf.h"
#include "symbol/symbol.h"

#define MAX_FRAMES 127

/*
 * struct blobtab - byte-string keys to two u32 values, for the address
 * cache and the stack table: entries in an array, found through lib/base's
 * hash index. Owns its storage.
 */
struct blobtab {
	struct cdoc_index index;
	struct blobent {
		uint64_t hash;
		uint64_t off;    /* key bytes in ->keys */
		uint32_t len;    /* key length */
		uint32_t val[2]; /* values */
	} * ents;
	size_t nr, alloc;
	struct cdoc_buf keys;
};

void collect__blobtab_init(struct blobtab *t);
void collect__blobtab_release(struct blobtab *t);
/* Find @key; returns the entry or NULL. */
struct blobent *collect__blobtab_get(struct blobtab *t, const void *key,
                                     size_t len, uint64_t hash);
/* Add @key (absent); returns the new entry. */
struct blobent *collect__blobtab_add(struct blobtab *t, const void *key,
                                     size_t len, uint64_t hash);

/* One record copied out of a ring for time ordering. */
struct qrec {
	uint64_t time;
	uint64_t seq; /* arrival order: ties keep ring order */
	size_t off;   /* in ->round */
	int offcpu;   /* from an off-CPU ring (offcpu.c) */
};

struct offcpu_src;

/* struct cpu_src - cpu sampling of the target and everything below it. */
struct cpu_src {
	/* what was asked */
	const char *event_name; /* NULL: cpu-clock */
	unsigned freq, stack_size;
	int attach;        /* events per existing thread, enabled by hand */
	pid_t pid;         /* the target */
	const char *argv0; /* run: the command's name (its first PROCESS) */

	/* the events */
	struct cdoc_perf_event ev; /* the event used */
	struct perf_event_attr attr;
	int call_graph;      /* CDOC_CG_DWARF or CDOC_CG_FP */
	int kernel_excluded; /* paranoid forced exclude_kernel */
	int *fds;            /* every event fd */
	size_t nr_fds, alloc_fds;
	struct cdoc_perf_ring *rings; /* one per CPU */
	int *ring_hup;                /* ring's fd reported POLLHUP */
	size_t nr_rings;
	size_t ring_pages;

	/* one round of records, in time order */
	struct cdoc_buf round;
	struct qrec *q;
	size_t nr_q, alloc_q;
	uint64_t seq;

	/* from addresses to the recording */
	struct cdoc_syms *syms;
	struct cdoc_rec_writer *w; /* the session's; set at start */
	uint64_t t_start;          /* the session's start, CLOCK_MONOTONIC */
	uint32_t prof_cpu;         /* string id of "cpu" */
	struct cdoc_u64map spaces; /* pid -> address-space id */
	uint32_t next_space;
	struct cdoc_u64map comms; /* tid -> comm string id (+1) */
	struct cdoc_u64map ppids; /* pid -> ppid */
	struct cdoc_u64map ended; /* pid -> 1: its EXIT is written */
	struct blobtab addrs;     /* (space, addr, kernel) -> frame id */
	struct blobtab stacks;    /* (space, comm, ips) -> stack id */
	uint32_t *pending_exit;   /* processes to forget next round */
	size_t nr_exit, alloc_exit;
	struct cdoc_buf fbuf;   /* frame formatting scratch */
	struct offcpu_src *off; /* off-CPU source, whose rings drain here */

	/* what was counted */
	struct cdoc_collect_stats st;
	uint64_t written[6]; /* counters last written */
	int counters_out;    /* counters were written once */
};

/* cpu_events.c */
int collect__cpu_open_events(struct cpu_src *c);
void collect__cpu_close_events(struct cpu_src *c);
int collect__cpu_enable(struct cpu_src *c);

/* struct chain - one sample's ips, innermost first, split by context. */
struct chain {
	uint64_t key[4 + 2 * MAX_FRAMES]; /* space, comm, nr_user, nr_kernel,
					     user ips, kernel ips */
	uint64_t *user, *kern;
	int nr_user, nr_kern;
};

/* cpu_records.c */
/* The ips of sample @s (user part unwound as the cpu source does),
 * counting unwind failures and truncations in @st. */
void collect__cpu_chain(struct cpu_src *c, const struct cdoc_perf_sample *s,
                        struct chain *ch, struct cdoc_collect_stats *st);
/* The recording's stack id of @ch, symbolized and interned once. */
uint32_t collect__cpu_intern(struct cpu_src *c, const struct chain *ch,
                             uint32_t pid, struct cdoc_collect_stats *st);
/* The recording's string id for one frame; adds 1 to @unresolved when
 * it has no name. */
uint32_t collect__cpu_frame(struct cpu_src *c, uint32_t pid, uint32_t space,
                            uint64_t addr, int kernel, int *unresolved);
int collect__cpu_drain(struct cpu_src *c);
void collect__cpu_sweep_ended(struct cpu_src *c);
void collect__cpu_process_start(struct cpu_src *c, uint32_t pid, uint32_t ppid,
                                const char *comm);

#endif
