/*
 * internal.h - the collector's state, shared by the files of lib/collect.
 */
#ifndef CDOC_COLLECT_INTERNAL_H
#define CDOC_COLLECT_INTERNAL_H

#include <signal.h>

#include "collect/collect.h"
#include "perf/perf.h"
#include "symbol/symbol.h"

#define MAX_FRAMES   127
#define FLUSH_NS     200000000ull
#define PORT_POLL_NS 200000000ull

/*
 * struct blobtab - a hash table from byte-string keys to two u32 values,
 * for the address cache and the stack table. Owns its storage.
 */
struct blobtab {
	uint32_t *slots; /* entry index + 1, 0 = empty */
	size_t mask;     /* slots - 1 */
	struct blobent {
		uint64_t hash;
		uint64_t off;    /* key bytes in ->keys */
		uint32_t len;    /* key length */
		uint32_t val[2]; /* values */
	} * ents;
	size_t nr, alloc;
	struct cdoc_buf keys;
};

void blobtab_init(struct blobtab *t);
void blobtab_release(struct blobtab *t);
/* Find @key; returns the entry or NULL. */
struct blobent *blobtab_get(struct blobtab *t, const void *key, size_t len,
                            uint64_t hash);
/* Add @key (absent); returns the new entry. */
struct blobent *blobtab_add(struct blobtab *t, const void *key, size_t len,
                            uint64_t hash);

/* One extra event source (see cdoc_collect_add_source). */
struct source {
	int fd;
	cdoc_collect_fn on_ready, on_tick;
	void *arg;
};

/* One record copied out of a ring for time ordering. */
struct qrec {
	uint64_t time;
	uint64_t seq; /* arrival order: ties keep ring order */
	size_t off;   /* in ->round */
};

struct cdoc_collector {
	struct cdoc_collect_opts opts;
	char **argv;      /* copy of the command (node flags added) */
	char *output;     /* recording path */
	int attach;       /* attaching to ->pid */
	pid_t pid;        /* the target */
	int go_fd;        /* run: write end of the start pipe */
	int err_fd;       /* run: read end of the exec error pipe */
	int pidfd;        /* attach: exits when the target does */
	int sigfd;        /* signalfd for INT TERM HUP CHLD */
	sigset_t oldmask; /* mask to restore */
	int masked;       /* signals are blocked */

	struct cdoc_perf_event ev; /* the event used */
	struct perf_event_attr attr;
	int call_graph;      /* CDOC_CG_DWARF or CDOC_CG_FP */
	int kernel_excluded; /* paranoid forced exclude_kernel */
	char *notice;        /* for the user, or NULL */
	int *fds;            /* every event fd */
	size_t nr_fds, alloc_fds;
	struct cdoc_perf_ring *rings; /* one per CPU */
	int *ring_hup;                /* ring's fd reported POLLHUP */
	size_t nr_rings;
	size_t ring_pages;

	struct cdoc_buf round; /* records of this round */
	struct qrec *q;
	size_t nr_q, alloc_q;
	uint64_t seq;

	struct cdoc_syms *syms;
	struct cdoc_rec_writer w;
	int w_open;
	uint32_t prof_cpu;         /* string id of "cpu" */
	struct cdoc_u64map spaces; /* pid -> address-space id */
	uint32_t next_space;
	struct cdoc_u64map comms; /* tid -> comm string id (+1) */
	struct cdoc_u64map ppids; /* pid -> ppid */
	struct blobtab addrs;     /* (space, addr, kernel) -> frame id */
	struct blobtab stacks;    /* (space, comm, ips) -> stack id */
	uint32_t *pending_exit;   /* processes to forget next round */
	size_t nr_exit, alloc_exit;
	struct cdoc_buf fbuf; /* frame formatting scratch */

	struct cdoc_collect_stats st;
	uint64_t written[6]; /* counters last written */
	int counters_out;    /* counters were written once */
	struct source *srcs;
	size_t nr_srcs, alloc_srcs;

	uint64_t t_start, next_flush, deadline, kill_at, next_port;
	int target_done, status, stopping, interrupts;
	int we_stopped; /* duration or --on-port ended the run */
	pid_t port_pid;
	int port, port_status;
};

/* events.c */
int collect_open_events(struct cdoc_collector *c);
void collect_close_events(struct cdoc_collector *c);
int collect_enable(struct cdoc_collector *c);

/* launch.c */
int collect_launch(struct cdoc_collector *c);
int collect_release_child(struct cdoc_collector *c);
int collect_attach_threads(struct cdoc_collector *c, pid_t **tids, size_t *nr);
char *collect_read_comm(pid_t pid, pid_t tid);

/* process.c */
int collect_drain(struct cdoc_collector *c);
void collect_process_start(struct cdoc_collector *c, uint32_t pid,
                           uint32_t ppid, const char *comm);

/* loop.c */
int collect_flush(struct cdoc_collector *c, int final);
void collect_signal_target(struct cdoc_collector *c, int sig);

#endif
