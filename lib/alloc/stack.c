/*
 * stack.c - the call stack of an allocation, and its id.
 *
 * Stacks come from libunwind's local unw_backtrace() (DWARF CFI: correct
 * for code built without frame pointers) or, with CDOC_ALLOC_UNWIND=fp,
 * from walking frame pointers inside the thread's stack bounds. Frames in
 * the shim itself are dropped. Each distinct stack is sent once: a
 * lock-free table maps the stack's 64-bit hash to a dense id; the thread
 * that inserts a hash sends the STACK record. When the table is full, a
 * stack gets a fresh id and is sent again (counted). In libunwind mode a
 * per-thread cache of validated unwinds skips unwinding and hashing for
 * repeated stacks (see "The unwind cache" below).
 */
#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <fcntl.h>
#include <link.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "alloc/internal.h"

#define TABLE_BITS 20
#define PROBES     64
#define MAXF       CDOC_ASTREAM_MAX_FRAMES
#define CACHE_BYTES                                                            \
	(sizeof(struct shim_uentry) * SHIM_UCACHE_N * SHIM_UCACHE_WAYS +       \
	 sizeof(struct shim_rentry) * SHIM_RCACHE_N +                          \
	 2 * sizeof(struct shim_lwalk))

struct slot {
	_Atomic uint64_t hash; /* 0 = empty */
	_Atomic uint32_t id;   /* 0 until the inserter has set it */
	uint32_t pad;
};

static struct slot *table;
static atomic_uint next_id = 1;

/* struct text - the executable segment that holds @addr. */
struct text {
	uintptr_t addr, lo, hi;
};

static int find_text(struct dl_phdr_info *info, size_t size, void *data)
{
	struct text *t = data;
	int i;

	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		if (t->addr >= lo && t->addr < lo + ph->p_memsz) {
			t->lo = lo;
			t->hi = lo + ph->p_memsz;
			return 1;
		}
	}
	return 0;
}

/*
 * The stack table: random probes into 16 MiB would miss the TLB on most
 * lookups (a deep program with thousands of distinct stacks pays that on
 * every allocation), and each first touch of a 4 KiB page is a page
 * fault (thousands of them for a program with thousands of stacks: 40%
 * of the sampled overhead on bench/alloc_paths). So it is aligned for
 * and asked to be in huge pages (each one touched costs 2 MiB of
 * memory). Sampling looks up few stacks: its table is one huge page
 * (2^17 slots; past that, stacks are sent inline and counted).
 */
#define HUGE         (2u << 20)
#define SAMPLED_BITS 17
static uint64_t table_mask;

/*
 * In front of it, a dense table of 2^NEAR_BITS slots (128 KiB: it stays
 * in the L2 cache, where 5000 stacks spread over the big one miss it on
 * every lookup): a stack is looked up in NEAR_PROBES slots there first.
 * Slots are only ever filled, so a stack whose probes there were all
 * taken when it was inserted went to the big table, and still does.
 */
#define NEAR_BITS   13
#define NEAR_PROBES 16
static struct slot *near;

static struct slot *table_pages(void)
{
	unsigned bits = shim.sample_rate ? SAMPLED_BITS : TABLE_BITS;
	size_t nlen = sizeof(struct slot) << NEAR_BITS;
	size_t len = nlen + (sizeof(struct slot) << bits);
	uintptr_t p = (uintptr_t)shim_pages(len + HUGE);

	if (!p)
		return NULL;
	p = (p + HUGE - 1) & ~(uintptr_t)(HUGE - 1);
	syscall(SYS_madvise, p, len, MADV_HUGEPAGE);
	table_mask = (1ull << bits) - 1;
	near = (struct slot *)p;
	return (struct slot *)(p + nlen);
}

int shim_stack_init(void)
{
	struct text self = {(uintptr_t)shim_stack_init, 0, 0};
	struct text unw = {(uintptr_t)unw_backtrace, 0, 0};

	table = table_pages();
	dl_iterate_phdr(find_text, &self);
	dl_iterate_phdr(find_text, &unw);
	shim.self_lo = self.lo;
	shim.self_hi = self.hi;
	shim.unw_lo = unw.lo;
	shim.unw_hi = unw.hi;
	shim_eh_init();
	if (!shim.use_fp)
		unw_set_caching_policy(unw_local_addr_space,
		                       UNW_CACHE_PER_THREAD);
	return table ? 0 : -1;
}

uint32_t shim_stack_next_id(void)
{
	return atomic_load(&next_id);
}

static int walk_fp(struct tstate *ts, uintptr_t *pcs, int max)
{
	uintptr_t fp = (uintptr_t)__builtin_frame_address(0);
	uintptr_t hi = ts->stack_hi;
	int n = 0;

	while (n < max && fp + 16 <= hi && !(fp & 7)) {
		uintptr_t next = ((uintptr_t *)fp)[0];
		uintptr_t ret = ((uintptr_t *)fp)[1];

		if (!ret)
			break;
		pcs[n++] = ret;
		if (next <= fp)
			break;
		fp = next;
	}
	return n;
}

/* The stack, leaf first, without the shim's frames; returns its depth. */
static int capture(struct tstate *ts, uintptr_t *pcs, int max,
                   uintptr_t **start)
{
	int n, skip = 0;

	if (shim.use_fp)
		n = walk_fp(ts, pcs, max);
	else if (shim_fd_unwinder_ok())
		n = unw_backtrace((void **)pcs, max);
	else
		n = 0;
	while (skip < n && pcs[skip] >= shim.self_lo &&
	       pcs[skip] < shim.self_hi)
		skip++;
	*start = pcs + skip;
	return n - skip;
}

/*
 * A stack's hash is folded from its outermost frame in, so that the hash
 * of a walk that ended on the last walk's frames starts from theirs
 * (struct shim_lframe .h); hash_end() adds the depth.
 */
#define HASH_SEED 0x84222325cbf29ce4ull

static inline uint64_t hash_step(uint64_t h, uintptr_t pc)
{
	h = (h ^ pc) * 0x100000001b3ull;
	return h ^ (h >> 29);
}

static inline uint64_t hash_end(uint64_t h, int n)
{
	h = (h ^ (uint64_t)n) * 0x9e3779b97f4a7c15ull;
	h ^= h >> 32;
	return h ? h : 1;
}

static uint64_t hash_pcs(const uintptr_t *pcs, int n)
{
	uint64_t h = HASH_SEED;
	int i;

	for (i = n - 1; i >= 0; i--)
		h = hash_step(h, pcs[i]);
	return hash_end(h, n);
}

static void send_stack(struct tstate *ts, uint32_t id, const uintptr_t *pcs,
                       int n)
{
	unsigned char *p = shim_reserve(ts, 24 + (size_t)n * 10);
	int i;

	*p++ = CDOC_AREC_STACK;
	p = put_v(p, id);
	p = put_v(p, (uint64_t)n);
	for (i = 0; i < n; i++)
		p = put_v(p, pcs[i]);
	shim_commit(ts, p);
}

/* The id of a slot someone else is inserting; 0 if it never appears
 * (its inserter was a thread that a fork left behind). */
static uint32_t wait_id(struct slot *s)
{
	uint32_t id;
	int i;

	for (i = 0; i < 10000; i++) {
		id = atomic_load_explicit(&s->id, memory_order_acquire);
		if (id)
			return id;
		sched_yield();
	}
	return 0;
}

static uint32_t fresh(struct tstate *ts, struct slot *s, const uintptr_t *pcs,
                      int n)
{
	uint32_t id = atomic_fetch_add(&next_id, 1);

	if (s)
		atomic_store_explicit(&s->id, id, memory_order_release);
	else
		atomic_fetch_add(&shim.stack_full, 1);
	send_stack(ts, id, pcs, n);
	return id;
}

/*
 * @n slots of @t from @h's: 1 when they decide (*@id the stack's, or 0
 * when it is new, with *@claim the slot this thread took for it), 0 when
 * they all hold other stacks.
 */
static int probe(struct slot *t, uint64_t mask, int n, uint64_t h,
                 struct slot **claim, uint32_t *id)
{
	uint64_t cur;
	int i;

	for (i = 0; i < n; i++) {
		struct slot *s = &t[(h + (uint64_t)i) & mask];

		cur = atomic_load_explicit(&s->hash, memory_order_acquire);
		if (cur == 0 &&
		    atomic_compare_exchange_strong(&s->hash, &cur, h)) {
			*claim = s;
			*id = 0;
			return 1;
		}
		if (cur != h)
			continue;
		*id = wait_id(s);
		return 1;
	}
	return 0;
}

/*
 * Stack hash @h in the tables: its id, or 0 when it is new, with *@claim
 * the slot this thread took for it (NULL when the tables are full).
 * *@cached is set when the id is the table's (sent only once, safe to
 * remember).
 */
static uint32_t table_find(uint64_t h, struct slot **claim, int *cached)
{
	uint32_t id = 0;

	*claim = NULL;
	if (table &&
	    (probe(near, (1u << NEAR_BITS) - 1, NEAR_PROBES, h, claim, &id) ||
	     probe(table, table_mask, PROBES, h, claim, &id))) {
		*cached = id || *claim;
		return id;
	}
	*cached = 0;
	return 0;
}

/* The id of a captured stack (see table_find()). */
static uint32_t table_id_h(struct tstate *ts, uint64_t h, const uintptr_t *pcs,
                           int n, int *cached)
{
	struct slot *s;
	uint32_t id = table_find(h, &s, cached);

	return id ? id : fresh(ts, s, pcs, n);
}

static uint32_t table_id(struct tstate *ts, const uintptr_t *pcs, int n,
                         int *cached)
{
	return table_id_h(ts, hash_pcs(pcs, n), pcs, n, cached);
}

/*
 * The rule walker. Each frame's caller is found by its rule (eh.c): CFA
 * = rsp or rbp + offset, the return address at CFA - 8, rbp reloaded
 * from below the CFA where it was saved. Every stack word read is
 * inside the thread's stack bounds. A frame without a rule (no FDE, a
 * DWARF expression, a signal frame) makes the whole stack libunwind's.
 *
 * What the walk read decides the stack: the return-address slots, and a
 * saved-rbp slot only when a later frame's CFA is computed from the rbp
 * loaded from it (in -O2 code without frame pointers, rbp is an ordinary
 * register whose saved copies change all the time and are never used).
 * The frames below the key (the walker's own) and the registers at its
 * start are the same on every call from the same key. So an entry of the
 * unwind cache holds those words (offsets above the key) and their
 * values, and a hit needs them all unchanged.
 */
struct fill {
	int n;
	uint32_t off[SHIM_UCACHE_WORDS];
	uintptr_t val[SHIM_UCACHE_WORDS];
};

/* The caller's registers: its pc (a return address), sp and rbp. The
 * shim keeps frame pointers (internal.h), so this frame has one. */
__attribute__((noinline)) static void here(struct shim_regs *r)
{
	uintptr_t *fp = __builtin_frame_address(0);

	r->pc = (uintptr_t)__builtin_return_address(0);
	r->sp = (uintptr_t)(fp + 2);
	r->bp = fp[0];
	__asm__ volatile("" ::: "memory");
}

static uint64_t rule_of(struct tstate *ts, uintptr_t pc)
{
	struct shim_rentry *e =
	        &ts->rcache[(pc ^ (pc >> 12)) & (SHIM_RCACHE_N - 1)];

	if (likely(e->pc == pc))
		return e->rule;
	e->rule = shim_eh_rule(pc);
	e->pc = pc;
	return e->rule;
}

/*
 * The words that the last walk read from its frame @m outwards, checked
 * from @m out: -1 when they all hold, else the first frame whose word
 * changed (no later match can be on this side of it).
 */
static int tail_changed(const struct shim_lwalk *lw, int m)
{
	const struct shim_lframe *f;
	int i;

	for (i = m; i >= 0; i--) {
		f = &lw->f[i];
		if (f->ra_at && *(const volatile uintptr_t *)f->ra_at != f->ra)
			return i;
		if (f->bp_at && *(const volatile uintptr_t *)f->bp_at != f->bpv)
			return i;
	}
	return -1;
}

/*
 * The stack from @at (else from the caller of here()), leaf first, by
 * rules: the frames
 * walked go to @pcs and @wf, and the count is returned (-1 when a frame
 * needs libunwind). The walk stops early on a frame of the earlier walk
 * @lw (pick()) in the same state whose older words all hold: *@match is
 * then its index there (the rest of the stack is its frames 0..*match),
 * else -1. Every stack word read is inside the thread's stack bounds.
 */
static int walk(struct tstate *ts, const struct shim_lwalk *lw, uintptr_t *pcs,
                struct shim_wframe *wf, int max, int *match,
                const struct shim_regs *at)
{
	uintptr_t lo = ts->uc_lo, hi = ts->uc_hi;
	struct shim_regs r;
	int n = 0, m = lw->n - 1;

	if (at)
		r = *at;
	else
		here(&r);
	*match = -1;
	while (n < max) {
		const struct shim_lframe *o;
		struct shim_wframe *w;
		uint64_t rule;
		uintptr_t cfa, d;

		while (m >= 0 && lw->f[m].sp < r.sp)
			m--;
		o = m >= 0 ? &lw->f[m] : NULL;
		if (o && o->sp == r.sp && o->pc == r.pc &&
		    (!o->need_bp || o->bp == r.bp) && n + m + 1 < max) {
			int q = tail_changed(lw, m);

			if (q < 0) {
				*match = m;
				return n;
			}
			m = q - 1;
		}
		pcs[n] = r.pc;
		w = &wf[n++];
		w->sp = r.sp;
		w->bp = r.bp;
		w->ra_at = w->bp_at = 0;
		w->flags = 0;
		rule = rule_of(ts, r.pc - 1);
		if (rule == SHIM_RULE_END)
			return n;
		if (!(rule & SHIM_RULE_OK))
			return -1;
		cfa = (rule & SHIM_RULE_CFA_RBP) ? r.bp : r.sp;
		if (rule & SHIM_RULE_CFA_RBP)
			w->flags |= SHIM_LF_CFA_RBP;
		cfa += (uint32_t)rule;
		if (cfa < r.sp + 8 || cfa < lo + 8 || cfa > hi)
			return -1;
		d = (rule >> 32) & 0xffff;
		if (d) { /* a saved rbp is inside its frame: above sp */
			if (cfa - d < r.sp || cfa - d < lo || cfa - d + 8 > hi)
				return -1;
			r.bp = *(const uintptr_t *)(cfa - d);
			w->flags |= SHIM_LF_RELOAD;
			w->bp_at = cfa - d;
			w->bpv = r.bp;
		}
		r.pc = *(const uintptr_t *)(cfa - 8);
		w->ra_at = cfa - 8;
		w->ra = r.pc;
		r.sp = cfa;
		if (!r.pc)
			return n;
	}
	return n;
}

/*
 * The last walk becomes this one: its frames 0..@m (all when @m is -1:
 * none), then the @n new ones, outermost first, with what each one's
 * outer frames need of it.
 */
static void lwalk_update(struct shim_lwalk *lw, const uintptr_t *pcs,
                         const struct shim_wframe *wf, int n, int m)
{
	int k = m, i;

	for (i = n - 1; i >= 0; i--) {
		struct shim_lframe *f = &lw->f[++k];
		uint32_t outer = k > 0 ? lw->f[k - 1].need_bp : 0;
		const struct shim_wframe *w = &wf[i];

		f->pc = pcs[i];
		f->sp = w->sp;
		f->bp = w->bp;
		f->ra_at = w->ra_at;
		f->ra = w->ra;
		f->flags = w->flags;
		f->bp_at = (w->flags & SHIM_LF_RELOAD) && outer ? w->bp_at : 0;
		f->bpv = w->bpv;
		f->need_bp = (w->flags & SHIM_LF_CFA_RBP) ||
		             (!(w->flags & SHIM_LF_RELOAD) && outer);
		f->h = hash_step(k > 0 ? lw->f[k - 1].h : HASH_SEED, pcs[i]);
	}
	lw->n = k + 1;
}

/* The unwind cache entry's words: what the walk in @lw read above @key
 * (the walker's own frames are below it). 0 when they do not fit. */
static int lwalk_fill(const struct shim_lwalk *lw, uintptr_t key,
                      struct fill *f)
{
	int i;

	/* a word per frame but the outermost, at most a few frames (the
	 * walker's) below the key: deeper stacks cannot fit */
	if (lw->n > SHIM_UCACHE_WORDS + 8)
		return 0;
	f->n = 0;
	for (i = lw->n - 1; i >= 0; i--) {
		const struct shim_lframe *o = &lw->f[i];
		uintptr_t at[2] = {o->ra_at, o->bp_at},
		          val[2] = {o->ra, o->bpv};
		int j;

		for (j = 0; j < 2; j++) {
			if (!at[j] || at[j] < key)
				continue;
			if (f->n == SHIM_UCACHE_WORDS ||
			    at[j] - key > UINT32_MAX)
				return 0;
			f->off[f->n] = (uint32_t)(at[j] - key);
			f->val[f->n++] = val[j];
		}
	}
	return 1;
}

/* The way of set @e to fill: an empty one, else the less used. */
static struct shim_uentry *victim(struct shim_uentry *e)
{
	int i, best = 0;

	for (i = 0; i < SHIM_UCACHE_WAYS; i++) {
		if (!e[i].key)
			return &e[i];
		if (e[i].used < e[best].used)
			best = i;
	}
	for (i = 0; i < SHIM_UCACHE_WAYS; i++)
		e[i].used /= 2;
	return &e[best];
}

static void fill(struct shim_uentry *e, uintptr_t key, const struct fill *f,
                 uint32_t id, const struct shim_regs *at, uint32_t need_bp)
{
	e->pc = at ? at->pc : 0;
	e->need_bp = at ? need_bp : 0;
	e->bp = at ? at->bp : 0;
	memcpy(e->off, f->off, (size_t)f->n * sizeof(f->off[0]));
	memcpy(e->val, f->val, (size_t)f->n * sizeof(f->val[0]));
	e->n = (uint16_t)f->n;
	e->id = id;
	e->used = 1;
	e->key = key;
}
/* The mapping of /proc/self/maps that holds addr, into *lo and *hi
 * (without malloc, and without pthread_getattr_np: that one holds the
 * thread's lock while it allocates, which deadlocks under ASan). */
void shim_stack_bounds(uintptr_t addr, uintptr_t *lo, uintptr_t *hi)
{
	char buf[512];
	uintptr_t v[2] = {0, 0};
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC), k = 0;
	ssize_t r, i;

	while (fd >= 0 && (r = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < r; i++) {
			char c = buf[i];

			if (c == '\n') {
				if (k >= 1 && v[0] <= addr && addr < v[1]) {
					*lo = v[0];
					*hi = v[1];
				}
				k = 0;
				v[0] = v[1] = 0;
			} else if (k < 2 && c >= '0' && c <= '9') {
				v[k] = v[k] << 4 | (uintptr_t)(c - '0');
			} else if (k < 2 && c >= 'a' && c <= 'f') {
				v[k] = v[k] << 4 | (uintptr_t)(c - 'a' + 10);
			} else if (k < 2) {
				k++;
			}
		}
	}
	if (fd >= 0)
		close(fd);
}

/* Starts this thread's caches: its stack bounds, entries and rules. */
static void cache_start(struct tstate *ts, uintptr_t key)
{
	struct rlimit rl;
	uintptr_t lo = 0, hi = 0;
	size_t u =
	        sizeof(struct shim_uentry) * SHIM_UCACHE_N * SHIM_UCACHE_WAYS;
	unsigned char *m;

	shim_stack_bounds(key, &lo, &hi);
	/* The main thread's stack grows down to its limit. */
	if (hi && ts->tid == (uint32_t)getpid() &&
	    getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < hi - 65536 && hi - rl.rlim_cur < lo)
		lo = hi - rl.rlim_cur + 65536;
	m = hi ? shim_pages(CACHE_BYTES) : NULL;
	ts->ucache = (struct shim_uentry *)m;
	ts->rcache = m ? (struct shim_rentry *)(m + u) : NULL;
	ts->lwalk = m ? (struct shim_lwalk *)(m + u +
	                                      sizeof(struct shim_rentry) *
	                                              SHIM_RCACHE_N)
	              : NULL;
	ts->ldeep = m ? ts->lwalk + 1 : NULL;
	ts->ucand = m ? ts->lwalk->cand : NULL;
	ts->rc_gen = atomic_load(&shim_eh_gen);
	ts->uc_lo = lo;
	ts->uc_hi = hi;
}

/* Called by the thread itself once it is TS_DEAD. */
void shim_stack_thread_end(struct tstate *ts)
{
	struct shim_uentry *c = ts->ucache;

	ts->ucache = NULL;
	ts->rcache = NULL;
	ts->lwalk = NULL;
	ts->ldeep = NULL;
	if (c)
		shim_unpages(c, CACHE_BYTES);
}

/* Objects were unloaded: rules and cached stacks may name old code. */
static void cache_flush(struct tstate *ts)
{
	memset(ts->ucache, 0, CACHE_BYTES);
	ts->rc_gen = atomic_load(&shim_eh_gen);
}

/* The leading frames of @pcs that are the shim's own. */
static int shim_frames(const uintptr_t *pcs, int n)
{
	int skip = 0;

	while (skip < n && pcs[skip] >= shim.self_lo &&
	       pcs[skip] < shim.self_hi)
		skip++;
	return skip;
}

/* The leaf's sp of walk @lw (0: none). */
static uintptr_t leaf_sp(const struct shim_lwalk *lw)
{
	return lw->n ? lw->f[lw->n - 1].sp : 0;
}

/*
 * The walk a new one from @at is matched against: the last walk when
 * its leaf is at or below @at (its frames cover the new stack's), else
 * the deep walk when it covers it. A program whose calls go to varying
 * depths (recursion, a loop calling handlers) so walks only what is new
 * below the last walk or the deepest recent one. After a walk, the
 * last one becomes the deep one when it is deeper (deepest()).
 */
static struct shim_lwalk *pick(struct tstate *ts, const struct shim_regs *at)
{
	struct shim_lwalk *a = ts->lwalk, *b = ts->ldeep;

	if (!at || !a->n || leaf_sp(a) <= at->sp || !b->n ||
	    leaf_sp(b) > at->sp)
		return a;
	return b;
}

static void deepest(struct tstate *ts)
{
	struct shim_lwalk *a = ts->lwalk, *b = ts->ldeep;

	if (a->n && (!b->n || leaf_sp(a) < leaf_sp(b))) {
		ts->lwalk = b;
		ts->ldeep = a;
	}
}

/*
 * An unwind cache entry is filled on the second miss in a row of its set
 * from the same place (key and pc): a stack seen once (a program with
 * more stacks than the cache has entries) is not worth copying there.
 */
static int seen_twice(struct tstate *ts, const struct shim_uentry *set,
                      uintptr_t key, const struct shim_regs *at)
{
	uint64_t tag = (key ^ (at ? at->pc : 0) * 0x9e3779b97f4a7c15ull) | 1;
	uint64_t *c = &ts->ucand[(set - ts->ucache) / SHIM_UCACHE_WAYS];

	if (*c == tag)
		return 1;
	*c = tag;
	return 0;
}

/*
 * The id of a stack walked by rules: @n new frames in @pcs, then (@m >=
 * 0) the frames @m..0 of @lw, the earlier walk it ended on. Its hash
 * continues @lw's where its frames start. The last walk becomes this one
 * (when @lw is the deep walk, only when the unwind cache is to have it),
 * and the unwind cache entry @set's victim is filled when the stack's
 * words fit.
 */
static uint32_t rules_id(struct tstate *ts, struct shim_lwalk *lw,
                         uintptr_t *pcs, const struct shim_wframe *wf, int n,
                         int m, uintptr_t key, struct shim_uentry *set,
                         const struct shim_regs *at)
{
	int total = n + m + 1, skip, cnt, i, cached;
	struct slot *claim;
	struct fill f;
	uint64_t h;
	uint32_t id;

	if (at && total > 0 && total < MAXF && lw == ts->lwalk &&
	    !shim_frames(n ? pcs : &lw->f[m].pc, 1)) {
		/* the common case: no frame of the shim's (they would be at
		 * the leaf: a build whose entry points keep a frame of their
		 * own, as under ASan), not cut short. The last walk's frames
		 * carry the hash; the stack's pcs are needed only when it is
		 * new. */
		lwalk_update(lw, pcs, wf, n, m);
		h = hash_end(total ? lw->f[total - 1].h : HASH_SEED, total);
		id = table_find(h, &claim, &cached);
		if (!id) {
			for (i = 0; i < total; i++)
				pcs[i] = lw->f[total - 1 - i].pc;
			id = fresh(ts, claim, pcs, total);
		}
		cnt = total;
		goto cache;
	}
	for (i = m; i >= 0; i--)
		pcs[n + m - i] = lw->f[i].pc;
	skip = shim_frames(pcs, total);
	cnt = total - skip;
	if (cnt > MAXF) {
		cnt = MAXF;
		h = hash_pcs(pcs + skip, cnt);
	} else if (m >= 0 && skip >= n) { /* the new frames are the shim's */
		h = hash_end(cnt ? lw->f[m - (skip - n)].h : HASH_SEED, cnt);
	} else {
		h = m >= 0 ? lw->f[m].h : HASH_SEED;
		for (i = n - 1; i >= skip; i--)
			h = hash_step(h, pcs[i]);
		h = hash_end(h, cnt);
	}
	id = table_id_h(ts, h, pcs + skip, cnt, &cached);
	if (total >= MAXF + 8) { /* cut short: no last walk */
		lw->n = 0;
		return id;
	}
	if (lw != ts->lwalk) {
		/* the deep walk is kept as it is; the last walk becomes this
		 * one only when the unwind cache is to have it (a copy) */
		if (!set || !cached || cnt >= MAXF ||
		    !seen_twice(ts, set, key, at))
			return id;
		memcpy(ts->lwalk->f, lw->f, (size_t)(m + 1) * sizeof(lw->f[0]));
		ts->lwalk->n = m + 1;
		lw = ts->lwalk;
		lwalk_update(lw, pcs, wf, n, m);
		goto fill;
	}
	lwalk_update(lw, pcs, wf, n, m);
cache:
	if (!set || !cached || cnt >= MAXF || !seen_twice(ts, set, key, at))
		goto out;
fill:
	if (lwalk_fill(lw, key, &f))
		fill(victim(set), key, &f, id, at,
		     lw->n ? lw->f[lw->n - 1].need_bp : 1);
out:
	deepest(ts);
	return id;
}

/* CDOC_UNWIND_VERIFY's counts of walks by rules (shared atomics: not
 * on the path of every allocation otherwise). */
static atomic_uint_fast64_t v_frames;

static void verify_count(int n, int m)
{
	atomic_fetch_add(&shim.unwinds, 1);
	atomic_fetch_add(&v_frames, (uint64_t)n);
	if (m >= 0)
		atomic_fetch_add(&shim.partial, 1);
}

/* The stack by rules (and into the caches), else libunwind's. */
static uint32_t unwind_id(struct tstate *ts, uintptr_t key,
                          struct shim_uentry *set, const struct shim_regs *at)
{
	uintptr_t buf[MAXF + 8], *pcs = buf;
	struct shim_wframe *wf = ts->lwalk ? ts->lwalk->scratch : NULL;
	struct shim_lwalk *lw = NULL;
	uint32_t id;
	int n = -1, m = -1, cached;

	if (set && key >= ts->uc_lo && key < ts->uc_hi) {
		lw = pick(ts, at);
		n = walk(ts, lw, buf, wf, MAXF + 8, &m, at);
	}
	if (n >= 0) {
		if (unlikely(shim.verify)) /* counted for its report only */
			verify_count(n, m);
		return rules_id(ts, lw, buf, wf, n, m, key, set, at);
	}
	if (set)
		atomic_fetch_add_explicit(&shim.fallbacks, 1,
		                          memory_order_relaxed);
	n = capture(ts, buf, MAXF + 8, &pcs);
	if (n > MAXF)
		n = MAXF;
	id = table_id(ts, pcs, n, &cached);
	return id;
}

/*
 * The id of the calling allocation's stack, sending it when new. @at:
 * where the program called the shim (the walk starts there and the
 * cache is keyed by its sp), or NULL (from here, through the shim's own
 * frames).
 */
uint32_t shim_stack_id(struct tstate *ts, const struct shim_regs *at)
{
	uintptr_t key = at ? at->sp : (uintptr_t)__builtin_frame_address(0);
	struct shim_uentry *set = NULL;
	uint32_t id;

	if (likely(ts->ucache)) {
		if (unlikely(ts->rc_gen !=
		             atomic_load_explicit(&shim_eh_gen,
		                                  memory_order_relaxed)))
			cache_flush(ts);
		set = shim_ucache_set(ts, key);
		if ((id = shim_ucache_find(ts, key, at)))
			goto out;
	} else if (!shim.use_fp && ts->state == TS_LIVE && ts->uc_calls < 16 &&
	           ++ts->uc_calls == 16) {
		cache_start(ts, key);
	}
	id = unwind_id(ts, key, ts->rcache ? set : NULL, at);
out:
	if (unlikely(shim.verify))
		shim_stack_verify(ts, id);
	return id;
}

/*
 * CDOC_UNWIND_VERIFY (tests): every stack id is checked against the one
 * of libunwind's unw_backtrace from the same point; the counts and the
 * first mismatches are written to that file at exit (stack.c).
 */
static atomic_uint_fast64_t v_checked, v_bad;
static char v_log[4096];
static atomic_size_t v_len;

static void v_add(const char *s, size_t n)
{
	size_t at = atomic_fetch_add(&v_len, n);

	if (at + n < sizeof(v_log))
		memcpy(v_log + at, s, n);
}

static void v_hex(const uintptr_t *pcs, int n)
{
	char b[20];
	int i, k;

	for (i = 0; i < n && i < 24; i++) {
		uintptr_t v = pcs[i];

		b[0] = ' ';
		for (k = 16; k >= 1; k--, v >>= 4)
			b[k] = "0123456789abcdef"[v & 15];
		v_add(b, 17);
	}
	v_add("\n", 1);
}

__attribute__((noinline)) void shim_stack_verify(struct tstate *ts, uint32_t id)
{
	uintptr_t buf[MAXF + 8], *pcs;
	int n = capture(ts, buf, MAXF + 8, &pcs), cached;

	if (n > MAXF)
		n = MAXF;
	atomic_fetch_add(&v_checked, 1);
	if (table_id(ts, pcs, n, &cached) == id)
		return;
	if (atomic_fetch_add(&v_bad, 1) < 8) {
		v_add("libunwind:", 10);
		v_hex(pcs, n);
	}
}

static char *v_num(char *p, const char *name, uint64_t v)
{
	char d[24];
	int k = 0;

	while (*name)
		*p++ = *name++;
	do
		d[k++] = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	while (k > 0)
		*p++ = d[--k];
	*p++ = ' ';
	return p;
}

void shim_stack_verify_report(void)
{
	char line[256], *p = line;
	int fd;

	if (!shim.verify)
		return;
	p = v_num(p, "pid=", (uint64_t)getpid());
	p = v_num(p, "checked=", atomic_load(&v_checked));
	p = v_num(p, "mismatched=", atomic_load(&v_bad));
	p = v_num(p, "walked=", atomic_load(&shim.unwinds));
	p = v_num(p, "fallbacks=", atomic_load(&shim.fallbacks));
	p = v_num(p, "partial=", atomic_load(&shim.partial));
	p = v_num(p, "frames=", atomic_load(&v_frames));
	p[-1] = '\n';
	fd = open(shim.verify, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)(p - line)) < 0 ||
	    write(fd, v_log,
	          CDOC_MIN_SIZE(atomic_load(&v_len), sizeof(v_log) - 1)) < 0)
		atomic_fetch_add(&shim.write_errors, 1);
	close(fd);
}
