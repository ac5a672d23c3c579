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
#include <sys/resource.h>
#include <unistd.h>

#include "alloc/internal.h"

#define TABLE_BITS 20
#define PROBES     64
#define MAXF       CDOC_ASTREAM_MAX_FRAMES

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

int shim_stack_init(void)
{
	struct text self = {(uintptr_t)shim_stack_init, 0, 0};
	struct text unw = {(uintptr_t)unw_backtrace, 0, 0};

	table = shim_pages(sizeof(struct slot) << TABLE_BITS);
	dl_iterate_phdr(find_text, &self);
	dl_iterate_phdr(find_text, &unw);
	shim.self_lo = self.lo;
	shim.self_hi = self.hi;
	shim.unw_lo = unw.lo;
	shim.unw_hi = unw.hi;
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

static uint64_t hash_pcs(const uintptr_t *pcs, int n)
{
	uint64_t h = 0x84222325cbf29ce4ull ^ (uint64_t)n;
	int i;

	for (i = 0; i < n; i++) {
		h = (h ^ pcs[i]) * 0x100000001b3ull;
		h ^= h >> 29;
	}
	return h ? h : 1;
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

/* The id of a captured stack: *cached is set when it came from the table
 * (an id sent only once, safe to remember). */
static uint32_t table_id(struct tstate *ts, const uintptr_t *pcs, int n,
                         int *cached)
{
	uint64_t h = hash_pcs(pcs, n), cur;
	uint32_t id;
	int i;

	*cached = 0;
	for (i = 0; table && i < PROBES; i++) {
		struct slot *s =
		        &table[(h + (uint64_t)i) & ((1u << TABLE_BITS) - 1)];

		cur = atomic_load_explicit(&s->hash, memory_order_acquire);
		if (cur == 0 &&
		    atomic_compare_exchange_strong(&s->hash, &cur, h)) {
			*cached = 1;
			return fresh(ts, s, pcs, n);
		}
		if (cur != h)
			continue;
		id = wait_id(s);
		*cached = id != 0;
		if (id)
			return id;
		break;
	}
	return fresh(ts, NULL, pcs, n);
}

/*
 * The unwind cache. A hit needs the same key (the frame address of
 * shim_stack_id, so the same stack pointer at the same depth in the shim)
 * and every recorded stack word above the key unchanged: each frame's
 * return address slot and the slot its frame pointer was restored from.
 * The shim's frames below the key are the same on every call. Above it,
 * libunwind computes each frame's CFA from its stack pointer or its frame
 * pointer by the CFI of its IP, so the same words give the same frames.
 * Filling an entry costs a slow unw_step walk (about 40 plain unwinds):
 * only a key missed twice in a row is filled, and an entry whose fills do
 * not pay off waits longer and longer before the next one.
 */
struct fill {
	int ok;
	int n;
	uint32_t off[SHIM_UCACHE_WORDS];
	uintptr_t val[SHIM_UCACHE_WORDS];
};

/* Records where register reg of the cursor's frame was read from. */
static void note(struct fill *f, unw_cursor_t *c, int reg, uintptr_t key,
                 uintptr_t hi)
{
	unw_save_loc_t loc;
	uintptr_t a;
	int i;

	if (unw_get_save_loc(c, reg, &loc) < 0 || loc.type != UNW_SLT_MEMORY) {
		f->ok = 0;
		return;
	}
	a = (uintptr_t)loc.u.addr;
	if (a < key || a + sizeof(uintptr_t) > hi || (a & 7) ||
	    a - key > UINT32_MAX) {
		f->ok = 0;
		return;
	}
	for (i = 0; i < f->n; i++)
		if (f->off[i] == (uint32_t)(a - key))
			return;
	if (f->n == SHIM_UCACHE_WORDS) {
		f->ok = 0;
		return;
	}
	f->off[f->n] = (uint32_t)(a - key);
	f->val[f->n++] = *(const uintptr_t *)a;
}

/* Walks the stack with unw_step from here, recording the words read
 * above key; the IPs go to pcs. Returns the count, or -1 if the walk
 * cannot be cached (signal frame, odd save location, too deep). */
static int walk_slow(struct fill *f, uintptr_t *pcs, int max, uintptr_t key,
                     uintptr_t hi)
{
	unw_context_t uc;
	unw_cursor_t c;
	unw_word_t ip, sp;
	int n = 0, r;

	f->ok = 1;
	f->n = 0;
	if (!shim_fd_unwinder_ok() || unw_getcontext(&uc) < 0 ||
	    unw_init_local(&c, &uc) < 0)
		return -1;
	do {
		if (n == max || unw_get_reg(&c, UNW_REG_IP, &ip) < 0 ||
		    unw_get_reg(&c, UNW_REG_SP, &sp) < 0 ||
		    unw_is_signal_frame(&c) != 0)
			return -1;
		pcs[n++] = (uintptr_t)ip;
		if ((uintptr_t)sp > key) {
			note(f, &c, UNW_X86_64_RIP, key, hi);
			note(f, &c, UNW_X86_64_RBP, key, hi);
		}
		if (!f->ok)
			return -1;
		r = unw_step(&c);
	} while (r > 0);
	return r == 0 ? n : -1;
}

/* Fills entry e for key with id when a slow walk from here gives exactly
 * the stack pcs[0..n) (the plain unwind's, shim frames dropped). */
__attribute__((noinline)) static void fill(struct tstate *ts,
                                           struct shim_uentry *e, uintptr_t key,
                                           const uintptr_t *pcs, int n,
                                           uint32_t id)
{
	uintptr_t buf[MAXF + 8];
	struct fill f;
	int m = walk_slow(&f, buf, MAXF + 8, key, ts->uc_hi), skip = 0;

	while (skip < m && buf[skip] >= shim.self_lo &&
	       buf[skip] < shim.self_hi)
		skip++;
	e->key = 0;
	if (m < 0 || m - skip != n || n > MAXF || f.n == 0 ||
	    memcmp(buf + skip, pcs, (size_t)n * sizeof(*pcs)) != 0)
		return;
	memcpy(e->off, f.off, (size_t)f.n * sizeof(f.off[0]));
	memcpy(e->val, f.val, (size_t)f.n * sizeof(f.val[0]));
	e->n = (uint16_t)f.n;
	e->id = id;
	e->key = key;
}

static int valid(const struct shim_uentry *e, uintptr_t key)
{
	int i;

	for (i = 0; i < e->n; i++)
		if (*(const volatile uintptr_t *)(key + e->off[i]) != e->val[i])
			return 0;
	return 1;
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

/* Starts this thread's cache: its stack bounds and its entries. */
static void cache_start(struct tstate *ts, uintptr_t key)
{
	struct rlimit rl;
	uintptr_t lo = 0, hi = 0;

	shim_stack_bounds(key, &lo, &hi);
	/* The main thread's stack grows down to its limit. */
	if (hi && ts->tid == (uint32_t)getpid() &&
	    getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < hi - 65536 && hi - rl.rlim_cur < lo)
		lo = hi - rl.rlim_cur + 65536;
	if (hi)
		ts->ucache = shim_pages(sizeof(*ts->ucache) * SHIM_UCACHE_N);
	ts->uc_lo = lo;
	ts->uc_hi = hi;
}

/* Called by the thread itself once it is TS_DEAD. */
void shim_stack_thread_end(struct tstate *ts)
{
	struct shim_uentry *c = ts->ucache;

	ts->ucache = NULL;
	if (c)
		shim_unpages(c, sizeof(*c) * SHIM_UCACHE_N);
}

/* Whether a miss on entry e for key should fill it (and book it). */
static int want_fill(struct tstate *ts, struct shim_uentry *e, uintptr_t key)
{
	if (e->hold) {
		e->hold--;
		return 0;
	}
	if (e->seen != key) {
		e->seen = key;
		return 0;
	}
	e->seen = 0;
	if (key < ts->uc_lo || key >= ts->uc_hi)
		return 0;
	if (e->hits >= 32)
		e->fails = 0;
	else if (e->fails < 16)
		e->fails++;
	if (e->fails >= 4)
		e->hold = 256u << (e->fails - 4);
	e->hits = 0;
	return 1;
}

/* The id of the calling allocation's stack, sending it when new. */
uint32_t shim_stack_id(struct tstate *ts)
{
	uintptr_t key = (uintptr_t)__builtin_frame_address(0);
	struct shim_uentry *e = NULL;
	uintptr_t buf[MAXF + 8], *pcs;
	uint32_t id;
	int n, cached;

	if (likely(ts->ucache)) {
		e = &ts->ucache[(key >> 4) & (SHIM_UCACHE_N - 1)];
		if (e->key == key && valid(e, key)) {
			e->hits++;
#ifdef CDOC_UCACHE_CHECK /* debug: every hit must match a real unwind */
			n = capture(ts, buf, MAXF + 8, &pcs);
			if (n > MAXF)
				n = MAXF;
			if (table_id(ts, pcs, n, &cached) != e->id)
				__builtin_trap();
#endif
			return e->id;
		}
		if (!want_fill(ts, e, key))
			e = NULL;
	} else if (!shim.use_fp && ts->state == TS_LIVE && ts->uc_calls < 16 &&
	           ++ts->uc_calls == 16) {
		cache_start(ts, key);
	}
	n = capture(ts, buf, MAXF + 8, &pcs);
	if (n > MAXF)
		n = MAXF;
	id = table_id(ts, pcs, n, &cached);
	if (e && cached)
		fill(ts, e, key, pcs, n, id);
	return id;
}
