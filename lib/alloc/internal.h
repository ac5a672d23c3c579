/*
 * internal.h - the preload shim's private parts, shared by its files.
 *
 * The shim is its own shared library (libcdoctor-alloc.so): it links no
 * libcdoc, allocates nothing through malloc for itself (its tables are
 * mmap'd), keeps errno as the program left it, and only exports the
 * allocation functions it interposes (hidden visibility otherwise).
 */
#ifndef CDOC_ALLOC_INTERNAL_H
#define CDOC_ALLOC_INTERNAL_H

/* Frame-pointer stacks (CDOC_ALLOC_UNWIND=fp) walk through our own frames
 * first: keep the chain intact in the shim whatever the build flags. */
#pragma GCC optimize("no-omit-frame-pointer")

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <x86intrin.h>

#include "alloc/stream.h"

#define likely(x)           __builtin_expect(!!(x), 1)
#define unlikely(x)         __builtin_expect(!!(x), 0)
#define CDOC_MIN_SIZE(a, b) ((a) < (b) ? (a) : (b))

/*
 * A per-thread cache of validated unwinds (stack.c): keyed by the frame
 * address of shim_stack_id(), an entry holds the stack words that the
 * unwind's rules read (return-address slots, and saved-rbp slots only
 * where a later frame's CFA was computed from rbp) at offsets above the
 * key, and their values; when they all still hold, the stack is the
 * same and its id is returned without unwinding. SHIM_UCACHE_N sets of
 * SHIM_UCACHE_WAYS entries.
 */
#define SHIM_UCACHE_N     64
#define SHIM_UCACHE_WAYS  2
#define SHIM_UCACHE_WORDS 30
struct shim_uentry {
	uintptr_t key; /* 0 = empty */
	uintptr_t pc;  /* where the walk started (0: in the shim) */
	uintptr_t bp;  /* rbp there, when the walk read it (need_bp) */
	uint32_t id;
	uint16_t n;    /* words to check */
	uint16_t used; /* hits since the set's last fill, saturating */
	uint32_t need_bp;
	uint32_t off[SHIM_UCACHE_WORDS];
	uintptr_t val[SHIM_UCACHE_WORDS];
};

/*
 * The thread's last walk by rules, outermost frame first (stack.c): a
 * new walk that reaches one of its frames in the same state (pc, sp, and
 * rbp where the rest of the walk reads it) stops there when every word
 * the rest of the last walk read still holds its value: the same inputs
 * give the same frames. So a deep stack costs a walk of what is new and
 * a check of one or two words per older frame.
 */
#define SHIM_LWALK_MAX (CDOC_ASTREAM_MAX_FRAMES + 8)
struct shim_lframe {
	uintptr_t pc, sp, bp; /* the walker's state at this frame */
	uintptr_t ra_at, ra;  /* the return-address slot read here (0: the
	                         outermost frame read none), its value */
	uintptr_t bp_at, bpv; /* the saved-rbp slot read here when an outer
	                         frame uses the value (else 0), its value */
	uint64_t h;           /* hash of the pcs from the outermost to here */
	uint32_t need_bp;     /* the walk from here on reads rbp */
	uint32_t flags;       /* SHIM_LF_* of this frame's rule */
};
#define SHIM_LF_CFA_RBP 1u /* the CFA is computed from rbp */
#define SHIM_LF_RELOAD  2u /* rbp is reloaded from the frame */
/* What a walk read at a frame it walked (its pc is in the pcs array). */
struct shim_wframe {
	uintptr_t sp, bp, ra_at, ra, bp_at, bpv;
	uint32_t flags;
};
struct shim_lwalk {
	int n; /* frames; 0: none */
	struct shim_lframe f[SHIM_LWALK_MAX];
	struct shim_wframe scratch[SHIM_LWALK_MAX]; /* the walk under way:
	                                   off the stack of a thread that
	                                   may have little */
	uint64_t cand[SHIM_UCACHE_N]; /* per unwind cache set: where its last
	                                 miss came from (stack.c) */
};

/* A per-thread direct-mapped cache of unwind rules by code address
 * (eh.c computes them). */
#define SHIM_RCACHE_N 4096
struct shim_rentry {
	uintptr_t pc;
	uint64_t rule;
};

/* Unwind rules (eh.c), packed in 64 bits: bits 0-31 the CFA's offset,
 * 32-47 how far below the CFA rbp was saved (0: unchanged), then flags.
 * NONE: libunwind must do this frame; END: the outermost frame. */
#define SHIM_RULE_NONE    0ull
#define SHIM_RULE_CFA_RBP (1ull << 48)
#define SHIM_RULE_OK      (1ull << 49)
#define SHIM_RULE_END     (1ull << 50)
uint64_t shim_eh_rule(uintptr_t pc);
void shim_eh_init(void);
void shim_eh_after_fork(void);
extern atomic_uint shim_eh_gen;

/*
 * The allocations of a SOLO batch are held back (pairs.c): no record is
 * written when they are made. One that the same thread frees before the
 * batch is sent is counted in a per-(stack, function, size class) pair
 * count, sent as one PAIRS record (stream.h); the others are written as
 * ALLOC records when the batch is sent, or when a collision in this
 * direct-mapped table evicts them. Only in SOLO batches: with a second
 * thread, a pointer of this table may have been freed (and given out
 * again) by another thread. Their records (at most SHIM_REC_MAX bytes
 * each) may need more than one batch when they are written out. The
 * bytes held at once are at most SHIM_HELD_MAX: what a reader's peak
 * can miss.
 */
#define SHIM_PEND_BITS 12 /* entries, in pairs of one cache line */
#define SHIM_PAIR_BITS 8
#define SHIM_REC_MAX   40
#define SHIM_HELD_MAX  (256u << 10)
struct shim_pend {     /* 32 bytes: two to a cache line */
	uint64_t ptr;  /* 0 = empty */
	uint64_t tsc;  /* its time stamp */
	uint64_t size; /* bytes asked for */
	uint32_t id;   /* its stack */
	uint8_t fn;    /* CDOC_AFN_* */
	uint8_t cls;   /* size class (stream.h) */
	uint16_t pk;   /* its pair count's entry (shim_pair_slot()) */
};
struct shim_pair {
	uint32_t id;        /* stack; count 0 = empty */
	uint8_t fn, bucket; /* CDOC_AFN_*, size class (stream.h) */
	uint16_t pad;
	uint32_t count, temp; /* pairs, and those freed at once */
	uint64_t bytes;       /* bytes they asked for */
};

/* The batch buffer of a thread that has none of its own (it is exiting,
 * or no memory could be had): big enough for any one record. */
#define SHIM_SMALL_BATCH 2048

/* Thread states. */
enum { TS_NEW = 0, TS_LIVE, TS_DEAD };

/*
 * struct tstate - one thread's recording state, in static TLS (so it stays
 * valid through the thread's TLS destructors). After our key destructor
 * ran (TS_DEAD), each event is sent at once.
 */
struct tstate {
	int state;            /* TS_* */
	int busy;             /* inside the shim: nested calls pass through */
	int internal;         /* the shim's own libc calls: not counted */
	uint32_t tid;         /* gettid() */
	atomic_int appending; /* the owner is appending (see shim_lock) */
	atomic_int stolen;    /* the exit flusher wants the buffer */
	uint32_t nev;         /* events since the last clock check */
	uint64_t last_ns;     /* coarse clock at the last send */
	uint64_t last_alloc;  /* pointer of the last allocation, 0 if none */
	size_t last_off;      /* offset of its ALLOC record when it is the
				 last record in buf, else 0 */
	uint64_t seq;         /* time stamp of the last event */
	uint64_t prev_tsc;    /* time stamp of the previous event in buf */
	uint64_t tsc_before;  /* prev_tsc before the last ALLOC record */
	uint64_t prev_ptr;    /* pointer of the previous event in buf */
	uint64_t ptr_before;  /* prev_ptr before the last ALLOC record */
	int64_t sample_left;  /* bytes until the next sample */
	int64_t last_left;    /* sample_left when last_alloc was recorded */
	uint64_t rng;         /* xorshift state for sampling */
	uintptr_t stack_lo;   /* frame-pointer walk bounds */
	uintptr_t stack_hi;
	struct shim_uentry *ucache; /* SHIM_UCACHE_N * WAYS, mmap'd with */
	struct shim_rentry *rcache; /* SHIM_RCACHE_N rules; see stack.c */
	struct shim_lwalk *lwalk;   /* the last walk, in the same pages */
	struct shim_lwalk *ldeep;   /* the deepest recent walk (stack.c) */
	uint64_t *ucand;            /* where each cache set last missed */
	unsigned rc_gen;            /* shim_eh_gen when they were filled */
	uintptr_t uc_lo;            /* the cache's stack bounds */
	uintptr_t uc_hi;
	int uc_calls;        /* allocations before the cache started */
	struct tstate *next; /* registry of live threads */
	struct tstate *prev;
	int solo;                /* the batch in buf is marked SOLO */
	uint64_t fork_parent;    /* a fork child's HELLO waits for the record
				   the fork interrupted: its parent, or 0 */
	uint32_t npend;          /* held allocations in pend */
	uint32_t npair;          /* pair counts in pairs */
	uint64_t held;           /* bytes of the held allocations */
	struct shim_pend *pend;  /* 1 << SHIM_PEND_BITS, or NULL */
	struct shim_pair *pairs; /* 1 << SHIM_PAIR_BITS, with pend */
	size_t len;              /* bytes used in buf, header included */
	size_t cap;              /* size of buf */
	unsigned char *buf;      /* the batch: CDOC_ASTREAM_BATCH_MAX bytes of
				mmap'd memory while the thread lives, else
				small */
	unsigned char small[SHIM_SMALL_BATCH];
};

/* shim.fast: what malloc and free may decide with one load. */
enum {
	SHIM_FAST_NONE = 0, /* not ready, or every call is recorded */
	SHIM_FAST_PASS,     /* tracking off: straight to libc */
	SHIM_FAST_SAMPLE    /* sampling: count down, record the few */
};

/* Process-wide settings and counters (shim.c). */
struct shim_globals {
	int fd;                  /* the channel, -1 when tracking is off */
	int enabled;             /* tracking on */
	int fast;                /* malloc and free's first test: SHIM_FAST_* */
	int exiting;             /* after our destructor: send each event */
	int use_fp;              /* frame pointers instead of libunwind */
	int track_mmap;          /* anonymous mmap/munmap */
	int multi;               /* a second thread was (or may be) started */
	uint64_t sample_rate;    /* mean bytes per sample; 0 = all */
	uint64_t instance;       /* this process instance */
	uint64_t child_instance; /* of the fork child about to start, 0 if
				    it must make its own */
	uint32_t pid;
	uintptr_t self_lo, self_hi; /* the shim's text, skipped in stacks */
	uintptr_t unw_lo, unw_hi;   /* libunwind's text: its mmap calls are
				       the shim's own */
	atomic_uint_fast64_t reentrant;
	atomic_uint_fast64_t sample_full;
	atomic_uint_fast64_t stack_full;
	atomic_uint_fast64_t write_errors;
	atomic_uint_fast64_t unwinds;   /* stacks walked by rules */
	atomic_uint_fast64_t fallbacks; /* stacks libunwind had to walk */
	atomic_uint_fast64_t partial;   /* walks ended on the last walk's
					   frames (only what was new) */
	const char *verify;             /* CDOC_UNWIND_VERIFY: report file */
	atomic_uint_fast64_t fd_lost;   /* our descriptors the program closed
					 or took (sent as send errors) */
	uint64_t channel_ino;           /* the channel's socket inode */
};

extern struct shim_globals shim;
extern __thread struct tstate shim_tls
        __attribute__((tls_model("initial-exec")));

/* buffer.c: per-thread batches. */
void shim_thread_start(struct tstate *ts);

/* This thread's state, started on first use. Caller has set ->busy. */
static inline struct tstate *shim_thread(void)
{
	struct tstate *ts = &shim_tls;

	if (unlikely(ts->state == TS_NEW))
		shim_thread_start(ts);
	return ts;
}

/*
 * The time stamp of an event: rdtsc once the process may have several
 * threads; before that, a per-thread counter (started from rdtsc) is
 * enough to order events, and much cheaper.
 */
static inline uint64_t shim_stamp(struct tstate *ts)
{
	if (shim.multi)
		ts->seq = __rdtsc();
	else
		ts->seq++;
	return ts->seq;
}

/*
 * The batch buffer's lock (buffer.c) is asymmetric: the owner appends on
 * every event, another thread takes the buffer only at exit. The owner
 * marks ->appending with a plain store and checks ->stolen with a plain
 * load; the taker sets ->stolen, then membarrier() makes every running
 * thread execute a full barrier, so either the owner sees ->stolen or
 * the taker sees ->appending (Dekker with the fence moved to the rare
 * side). Without membarrier (shim_asym 0), ->stolen is an ordinary
 * spinlock word.
 */
extern int shim_asym;
void shim_lock_slow(struct tstate *ts);

static inline __attribute__((always_inline)) void shim_lock(struct tstate *ts)
{
	if (likely(shim_asym)) {
		atomic_store_explicit(&ts->appending, 1, memory_order_relaxed);
		atomic_signal_fence(memory_order_seq_cst);
		if (likely(!atomic_load_explicit(&ts->stolen,
		                                 memory_order_relaxed)))
			return;
	}
	shim_lock_slow(ts);
}

static inline __attribute__((always_inline)) void shim_unlock(struct tstate *ts)
{
	if (!shim_asym) {
		atomic_store_explicit(&ts->stolen, 0, memory_order_release);
		return;
	}
	atomic_signal_fence(memory_order_seq_cst);
	atomic_store_explicit(&ts->appending, 0, memory_order_release);
}

/*
 * Room for @need bytes of records; sends the batch first when full, or
 * when it is marked SOLO and the process has a second thread now (the
 * event about to be written may not be ordered before that thread's).
 * Returns where to write; shim_commit() takes the end back.
 */
unsigned char *shim_reserve_slow(struct tstate *ts, size_t need);

static inline unsigned char *shim_reserve(struct tstate *ts, size_t need)
{
	if (unlikely(ts->len + need > ts->cap) ||
	    unlikely(ts->len == sizeof(struct cdoc_astream_hdr)) ||
	    unlikely(ts->solo && shim.multi))
		return shim_reserve_slow(ts, need);
	return ts->buf + ts->len;
}

/* The records up to @end are written; the batch is sent when it is 20 ms
 * old (checked every 16 events) or the thread or process is exiting. */
void shim_commit_slow(struct tstate *ts);

static inline void shim_commit(struct tstate *ts, unsigned char *end)
{
	ts->len = (size_t)(end - ts->buf);
	if (unlikely(ts->state == TS_DEAD || shim.exiting) ||
	    unlikely((++ts->nev & 15) == 0))
		shim_commit_slow(ts);
}
void shim_flush(struct tstate *ts);
void shim_flush_all(void);
void shim_send_hello(struct tstate *ts, uint64_t parent, uint32_t below);
void shim_send_maps(struct tstate *ts);
void shim_send_exit(struct tstate *ts);
void shim_threads_init(void);
void shim_asym_init(void);
void shim_threads_after_fork(struct tstate *ts);
void shim_reset_batch(struct tstate *ts);
void shim_registry_lock(void);
void shim_registry_unlock(void);
uint64_t shim_now_ns(void);
void shim_disable(void);

static inline uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

/* Multiplicative (Fibonacci) hashing of a pointer: its top bits index
 * the per-thread table of allocations and the sampling filters. */
static inline __attribute__((always_inline)) uint64_t
shim_ptr_hash(uint64_t ptr)
{
	return ptr * 0x9e3779b97f4a7c15ull;
}

/* The two entries (one cache line) where @ptr may be held. */
static inline __attribute__((always_inline)) struct shim_pend *
shim_pend_pair(struct tstate *ts, uint64_t ptr)
{
	return &ts->pend[(shim_ptr_hash(ptr) >> (64 - SHIM_PEND_BITS)) & ~1ull];
}

/* The entry that holds @ptr, or NULL. */
static inline __attribute__((always_inline)) struct shim_pend *
shim_pend_find(struct tstate *ts, uint64_t ptr)
{
	struct shim_pend *e = shim_pend_pair(ts, ptr);

	if (e[0].ptr == ptr)
		return &e[0];
	return e[1].ptr == ptr ? &e[1] : NULL;
}

/* Where to hold @ptr: an empty entry of its two, else the older one
 * (whose allocation is then written out: it may live long). */
static inline __attribute__((always_inline)) struct shim_pend *
shim_pend_slot(struct tstate *ts, uint64_t ptr)
{
	struct shim_pend *e = shim_pend_pair(ts, ptr);

	if (!e[0].ptr)
		return &e[0];
	if (!e[1].ptr)
		return &e[1];
	return e[0].tsc < e[1].tsc ? &e[0] : &e[1];
}

static inline unsigned char *put_v(unsigned char *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (unsigned char)v;
	return p;
}

/* pairs.c: allocations held back in SOLO batches (see struct shim_pend). */
int shim_hold(struct tstate *ts, int fn, uint64_t ptr, uint64_t size,
              uint32_t id, uint64_t t);
int shim_pair_free(struct tstate *ts, uint64_t ptr, int temp);
void shim_release_held(struct tstate *ts);
unsigned char *shim_held_room(struct tstate *ts);
void shim_write_pair(struct tstate *ts, struct shim_pair *c);

/* The size class of a pair count (stream.h: bits of the size). */
static inline unsigned shim_size_class(uint64_t size)
{
	unsigned b = size ? 64 - (unsigned)__builtin_clzll(size) : 0;

	return b < 64 ? b : 63;
}

/* The pair count entry of (@id, @fn, size class @b). */
static inline uint16_t shim_pair_slot(uint32_t id, unsigned fn, unsigned b)
{
	return (uint16_t)((id * 0x9e3779b1u ^ (fn << 6) ^ b) &
	                  ((1u << SHIM_PAIR_BITS) - 1));
}

/* The empty entry @e holds an allocation: its stack, function and size,
 * and where its pair would be counted (worked out now, off the path of
 * its free). shim_pair_count() undoes it. */
static inline __attribute__((always_inline)) void
shim_pend_hold(struct tstate *ts, struct shim_pend *e, uint64_t ptr, uint64_t t,
               uint64_t size, uint32_t id, int fn)
{
	ts->npend++;
	ts->held += size;
	e->ptr = ptr;
	e->tsc = t;
	e->size = size;
	e->id = id;
	e->fn = (uint8_t)fn;
	e->cls = (uint8_t)shim_size_class(size);
	e->pk = shim_pair_slot(id, (unsigned)fn, e->cls);
}

/*
 * The held allocation @e is freed by its thread (at once when @temp):
 * counted in its pair count, and no longer held. A count it collides
 * with is written first (caller has made room for SHIM_REC_MAX bytes).
 */
static inline __attribute__((always_inline)) void
shim_pair_count(struct tstate *ts, struct shim_pend *e, int temp)
{
	unsigned b = e->cls;
	struct shim_pair *c = &ts->pairs[e->pk];

	if (c->count) {
		if (unlikely(c->id != e->id || c->fn != e->fn ||
		             c->bucket != b || c->count == UINT32_MAX ||
		             c->bytes > UINT64_MAX - e->size))
			shim_write_pair(ts, c);
	}
	if (!c->count) {
		ts->npair++;
		c->id = e->id;
		c->fn = (uint8_t)e->fn;
		c->bucket = (uint8_t)b;
		c->bytes = 0;
		c->temp = 0;
	}
	c->count++;
	c->bytes += e->size;
	c->temp += (uint32_t)temp;
	ts->held -= e->size;
	ts->npend--;
	e->ptr = 0;
}
void shim_put_alloc_rec(struct tstate *ts, int fn, uint64_t ptr, uint64_t t,
                        uint64_t size, uint32_t id);

/*
 * Where a stack walk starts: the registers of the program's code that
 * called the shim (its pc, sp and rbp), so that the walk does not go
 * through the shim's own frames. SHIM_CALLER_REGS fills them in the
 * function it is written in, for its caller (the shim keeps frame
 * pointers: the saved rbp and return address are at the frame address).
 */
struct shim_regs {
	uintptr_t pc, sp, bp;
};
#define SHIM_CALLER_REGS(r)                                                    \
	do {                                                                   \
		uintptr_t *fp_ = __builtin_frame_address(0);                   \
		(r).pc = (uintptr_t)__builtin_return_address(0);               \
		(r).sp = (uintptr_t)(fp_ + 2);                                 \
		(r).bp = fp_[0];                                               \
	} while (0)

/* The unwind cache set of stacks walked from @key (stack.c). */
static inline __attribute__((always_inline)) struct shim_uentry *
shim_ucache_set(struct tstate *ts, uintptr_t key)
{
	return &ts->ucache[((key >> 4) & (SHIM_UCACHE_N - 1)) *
	                   SHIM_UCACHE_WAYS];
}

/*
 * The id of the stack walked from @key, with @at the program's registers
 * there (NULL: the walk starts in the shim, at @key), when the unwind
 * cache knows it (the words its walk read all still hold), else 0.
 * Inline for the allocation fast path (shim.c) as for shim_stack_id().
 * Caller has checked that the cache is started and not stale
 * (ts->rc_gen). Entries need rbp only when they were filled from @at.
 */
static inline __attribute__((always_inline)) uint32_t
shim_ucache_find(struct tstate *ts, uintptr_t key, const struct shim_regs *at)
{
	struct shim_uentry *e = shim_ucache_set(ts, key);
	uintptr_t pc = at ? at->pc : 0;
	int w, i;

	for (w = 0; w < SHIM_UCACHE_WAYS; w++, e++) {
		if (e->key != key || e->pc != pc ||
		    (e->need_bp && e->bp != at->bp))
			continue;
		for (i = 0; i < e->n; i++)
			if (*(const volatile uintptr_t *)(key + e->off[i]) !=
			    e->val[i])
				break;
		if (i < e->n)
			continue;
		if (e->used < UINT16_MAX)
			e->used++;
		return e->id;
	}
	return 0;
}

/* stack.c: call stacks and their ids; the stack mapping holding @addr. */
void shim_stack_bounds(uintptr_t addr, uintptr_t *lo, uintptr_t *hi);
uint32_t shim_stack_id(struct tstate *ts, const struct shim_regs *at);
void shim_stack_verify(struct tstate *ts, uint32_t id);
void shim_stack_verify_report(void);
uint32_t shim_stack_next_id(void);
int shim_stack_init(void);
void shim_stack_thread_end(struct tstate *ts);

/* track.c: pointers remembered by the shim (sampled, mmap'd). */
#define SHIM_FILTER_BITS  14
#define SHIM_FILTER1_BITS 10
extern _Atomic uint8_t shim_filter[1u << SHIM_FILTER_BITS];
extern _Atomic uint8_t shim_filter1[1u << SHIM_FILTER1_BITS];

/* The counters of @ptr in the two filters: different bits of one
 * product (shim_ptr_hash), so that they are independent. */
static inline __attribute__((always_inline)) uint32_t
shim_filter1_of(uint64_t h)
{
	return (uint32_t)(h >> (64 - SHIM_FILTER1_BITS));
}

static inline __attribute__((always_inline)) uint32_t shim_filter_of(uint64_t h)
{
	return (uint32_t)(h >> (64 - SHIM_FILTER1_BITS - SHIM_FILTER_BITS)) &
	       ((1u << SHIM_FILTER_BITS) - 1);
}

/*
 * 0 when @ptr is surely not in the set: the test on every free. The first
 * filter is small enough to stay in the L1 cache and turns most pointers
 * away while few are sampled; the second one those it lets through.
 */
static inline __attribute__((always_inline)) int shim_maybe_set(uint64_t ptr)
{
	uint64_t h = shim_ptr_hash(ptr);

	return atomic_load_explicit(&shim_filter1[shim_filter1_of(h)],
	                            memory_order_relaxed) &&
	       atomic_load_explicit(&shim_filter[shim_filter_of(h)],
	                            memory_order_relaxed);
}

int shim_set_init(void);
void shim_filter_pin(uint64_t ptr);
int shim_set_add(uint64_t ptr);
int shim_set_remove(uint64_t ptr);
int shim_set_has(uint64_t ptr);

/* fd.c: the shim's descriptors, high and checked before use. Between
 * shim_fd_begin() and shim_fd_end() (at start only) they go above the
 * program's soft limit when the hard limit allows. */
void shim_fd_begin(void);
void shim_fd_end(void);
int shim_fd_high(int fd, int cloexec);
void shim_fd_unwinder_pipe(int fds[2]);
int shim_fd_unwinder_ok(void);
int shim_fd_channel_ok(void);
int shim_fd_find(uint64_t ino);

/* ext.c: an EXT record (stream.h) into this thread's batch. 0, or -1
 * when not appended (tracking off, payload too long, inside the shim). */
int shim_ext(unsigned kind, const void *payload, size_t len, int flush);

/* fdsite.c: descriptors the program opens and closes (EXT kind FD):
 * its pipe2 calls (from shim.c), FORK and EXEC ops (batch locked). */
void shim_fdsite_pipe(int fds[2], int flags, const void *ra);
void shim_fdsite_fork(struct tstate *ts, uint64_t child);
void shim_fdsite_exec(struct tstate *ts);

/* Raw allocation without malloc: anonymous memory, zeroed. */
void *shim_pages(size_t len);
void shim_unpages(void *p, size_t len);

#endif
