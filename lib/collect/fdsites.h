/*
 * fdsites.h - the table of live descriptors by opening site (fdsites.c),
 * private to lib/collect and its unit tests.
 *
 * The shim's FD events (EXT kind CDOC_AEXT_FD, alloc/stream.h) are applied
 * to a table: per process instance, each open descriptor's site (the
 * instance that opened it, its stack id, the call and the descriptor's
 * type) and whether it was inherited from a parent at fork (a copy of
 * the parent's descriptor, counted at the parent's site only: inherited
 * descriptors are neither opens, closes nor live in the child). Opens
 * and closes are tallied per (site, thread) until the caller takes them.
 * Memory is bounded: instances, sites and descriptor slots are capped;
 * what does not fit is counted in ->untracked.
 */
#ifndef CDOC_COLLECT_FDSITES_H
#define CDOC_COLLECT_FDSITES_H

#include "base/base.h"

#define FDTAB_MAX_FD    (1u << 20) /* descriptors at or above: untracked */
#define FDTAB_MAX_SITES (1u << 16)
#define FDTAB_MAX_INST  (1u << 16)
#define FDTAB_SLOTS     (1u << 22) /* descriptor slots of all instances */

/* A slot: site index + 1 in the low bits, and flags. 0: not open. */
#define FDTAB_INHERITED (1u << 30)
#define FDTAB_CLOEXEC   (1u << 31)
#define FDTAB_SITE_MASK (FDTAB_INHERITED - 1)

struct fdtab_inst {
	uint64_t instance;
	uint64_t parent; /* the instance it was forked from, 0 none */
	uint32_t pid;
	int gone;      /* its image was replaced by exec */
	uint32_t *fds; /* slot by descriptor number */
	uint32_t nr;   /* slots in fds */
};

struct fdtab_site {
	uint64_t instance;  /* where the stack id is defined */
	uint32_t pid;       /* of the process that opened */
	uint32_t stack;     /* stack id in that instance */
	uint8_t call, type; /* CDOC_AFD_CALL_*, CDOC_AFD_TYPE_* */
	uint32_t rec;       /* the caller's: recording stack id, 0 unknown */
};

/* Opens and closes of one site by one thread since they were taken. */
struct fdtab_tally {
	uint32_t site, pid, tid;
	uint64_t opens, closes;
};

struct fdtab {
	struct fdtab_inst *insts;
	size_t nr_insts, alloc_insts;
	struct cdoc_u64map inst_ids; /* instance -> index + 1 */
	struct fdtab_site *sites;
	size_t nr_sites, alloc_sites;
	struct cdoc_u64map site_ids; /* key of a site -> index + 1 */
	struct fdtab_tally *tallies;
	size_t nr_tallies, alloc_tallies;
	struct cdoc_u64map tally_ids; /* site, tid -> index + 1 */
	size_t slots;                 /* descriptor slots allocated */
	uint64_t opens;               /* OPEN events applied */
	uint64_t untracked;           /* opens not kept: a cap was reached */
	uint64_t unknown; /* closes of descriptors the table never had */
};

void collect__fdtab_init(struct fdtab *t);
void collect__fdtab_release(struct fdtab *t);

/*
 * Apply one FD event payload (@len bytes at @p) of thread @tid of process
 * @pid, instance @instance. 0, or -CDOC_EFORMAT with a message for a
 * malformed payload (unknown op, bad varint, value out of range).
 */
int collect__fdtab_event(struct fdtab *t, uint32_t pid, uint32_t tid,
                         uint64_t instance, const void *p, size_t len);

/* Forget the tallies (the caller wrote them). Those for which @keep
 * returns 1 stay (a site whose stack is not known yet). */
void collect__fdtab_take(struct fdtab *t,
                         int (*keep)(void *arg, const struct fdtab_tally *),
                         void *arg);

/* Live descriptors: @fn once per (site, pid) with how many of that
 * site's descriptors (not inherited) are open in process @pid now. */
void collect__fdtab_live(const struct fdtab *t,
                         void (*fn)(void *arg, uint32_t site, uint32_t pid,
                                    uint64_t n),
                         void *arg);

/* ---- the source (the shim source adds it and feeds it) ---- */

struct cdoc_collector;
struct cdoc_heap;
struct fdsites;

/* Add the source that writes fd_open, fd_close and fd_live from the FD
 * events of @heap's stream (stack ids resolve through @heap). Added
 * after the shim source, so that it finishes after the stream's end. */
int collect__fdsites_add(struct cdoc_collector *c, struct cdoc_heap *heap,
                         struct fdsites **out);

/* One FD event (EXT kind CDOC_AEXT_FD) read from the stream. 0, or
 * -CDOC_EFORMAT for a malformed payload. */
int collect__fdsites_ext(struct fdsites *f, uint32_t pid, uint32_t tid,
                         uint64_t instance, const void *payload, size_t len);

#endif
