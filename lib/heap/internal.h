/*
 * internal.h - lib/heap's private model: processes, their live pointers,
 * stacks and call sites, as decoded from the shim's stream.
 */
#ifndef CDOC_HEAP_INTERNAL_H
#define CDOC_HEAP_INTERNAL_H

#include <stdlib.h>

#include "heap/heap.h"

#define HEAP_MAX_STACK_ID (1u << 22) /* more ids than this: corrupt input */
/* Stack ids are given out in order and defined by STACK records that may
 * come later (another thread's unsent batch): an id this far beyond twice
 * the stacks defined so far is corrupt input, not a delay. It bounds what
 * a hostile stream can make the reader allocate per byte it sends. */
#define HEAP_STACK_ID_AHEAD 65536

/* struct lmap - open-addressing map from a pointer to what it holds. */
struct lent {
	uint64_t key;   /* pointer; 0 = empty slot */
	uint64_t bytes; /* (scaled) bytes */
	uint64_t seq;   /* time stamp of the event */
	uint32_t count; /* (scaled) objects; 0 for a free */
	uint32_t stack; /* stack id */
};
struct lmap {
	struct lent *v;
	size_t nr, mask;
};

void heap__lmap_init(struct lmap *m);
void heap__lmap_release(struct lmap *m);
struct lent *heap__lmap_get(const struct lmap *m, uint64_t key);
struct lent *heap__lmap_put(struct lmap *m, uint64_t key); /* zeroed if new */
void heap__lmap_del(struct lmap *m, struct lent *e);

struct hstack {
	uint64_t *pcs; /* return addresses, leaf first; NULL = undefined */
	uint32_t nr;
};

struct hsite {
	uint64_t alloc_count, alloc_bytes;
	uint64_t live_count, live_bytes, peak_bytes;
	uint64_t temp_count;
};

struct hmapping {
	uint64_t start, end, off;
	char *path;
};

/* struct hproc - one process instance (a fork or an exec makes a new one). */
struct hproc {
	uint64_t instance, parent_instance;
	int parent; /* index in heap->procs, -1 if none */
	uint32_t pid, ppid, inherit_below, flags; /* CDOC_HPROC_* */
	uint64_t sample_rate;
	struct hstack *stacks; /* by stack id */
	size_t nr_defined;     /* STACK records read */
	size_t nr_stacks;
	struct hsite *sites; /* by stack id */
	size_t nr_sites;
	struct lmap live;      /* pointer -> latest event: allocation (count
				  > 0) or free (count 0; stack UINT32_MAX
				  while no allocation matched it) */
	struct lmap inherited; /* pointers live in the parent at fork */
	int has_inherited;     /* inherited was filled (at FORK or HELLO) */
	struct hmapping *maps;
	size_t nr_maps, alloc_maps;
	uint64_t calls[CDOC_AFN_NR], bytes[CDOC_AFN_NR], frees;
	uint64_t live_bytes, live_count, peak_bytes, peak_ns;
	uint64_t shim_counters[4]; /* last COUNTERS record */
};

/* An allocation of the batch being read (for FREEB records). */
struct hpend {
	uint64_t bytes;
	uint32_t count; /* 0: not an ALLOCB, or freed */
	uint32_t stack;
};

struct cdoc_heap {
	struct hpend *pend; /* by allocation index in the batch */
	size_t alloc_pend;
	struct hproc **procs;
	size_t nr_procs, alloc_procs;
	struct cdoc_u64map by_instance; /* instance -> index + 1 */
	uint64_t t0, now;               /* first batch time, last (relative) */
	int started;
	uint64_t live_bytes, peak_bytes, peak_ns;
	uint64_t hist[64];
	struct cdoc_heap_counters counters;
	uint64_t spent; /* memory spent on what the stream defined (stream.c) */
	cdoc_heap_ext_fn ext_fn; /* EXT records (stream.c) */
	void *ext_arg;
	struct cdoc_syms *fsyms; /* symbols of cdoc_heap_stack_frames() */
	size_t *fsyms_fed;       /* by process: 1 + mappings fed, 0 none */
	size_t nr_fsyms_fed;
};

/* model.c */
struct hproc *heap__proc(struct cdoc_heap *h, uint64_t instance, uint32_t pid);
void heap__hello(struct cdoc_heap *h, struct hproc *p, uint64_t parent,
                 uint32_t below, uint64_t rate, uint64_t flags, uint32_t ppid);
int heap__stack_def(struct hproc *p, uint32_t id, const uint64_t *pcs,
                    uint32_t nr);
const struct hstack *heap__stack(const struct cdoc_heap *h,
                                 const struct hproc *p, uint32_t id);
int heap__alloc(struct cdoc_heap *h, struct hproc *p, int fn, uint64_t ptr,
                uint64_t size, uint32_t stack, uint64_t seq);
void heap__free(struct cdoc_heap *h, struct hproc *p, uint64_t ptr, int temp,
                uint64_t seq, int solo);
int heap__temp(struct cdoc_heap *h, struct hproc *p, int fn, uint64_t size,
               uint32_t stack);
int heap__alloc_b(struct cdoc_heap *h, struct hproc *p, int fn, uint64_t size,
                  uint32_t stack, struct hpend *out);
void heap__free_b(struct cdoc_heap *h, struct hproc *p, struct hpend *e);
/* One PAIRS record (stream.h): @count allocations of size class @cls
 * (already checked) and @bytes, freed in their batch; @temp at once. */
int heap__pairs(struct cdoc_heap *h, struct hproc *p, int fn, uint32_t stack,
                unsigned cls, uint32_t count, uint64_t bytes, uint32_t temp);
void heap__fork(struct cdoc_heap *h, struct hproc *p, uint64_t child);
void heap__map(struct hproc *p, uint64_t start, uint64_t end, uint64_t off,
               const char *path, size_t len);
void heap__exit(struct cdoc_heap *h, struct hproc *p);

/* snap.c: the process whose mappings describe @p's code; feed them (or
 * /proc/PID/maps of a live process that sent none) to @syms as @key. */
struct cdoc_syms;
const struct hproc *heap__map_owner(const struct cdoc_heap *h,
                                    const struct hproc *p);
void heap__feed_maps(const struct cdoc_heap *h, struct cdoc_syms *syms,
                     const struct hproc *p, uint32_t key);

/* frames.c */
void heap__frames_free(struct cdoc_heap *h);

#endif
