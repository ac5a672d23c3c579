/*
 * shim.c - the allocation functions cdoctor interposes with LD_PRELOAD.
 *
 * Each entry point calls the real function (found with dlsym(RTLD_NEXT))
 * and then records what happened; the program gets exactly what libc
 * gave it, with errno as libc left it. Calls made before the real
 * functions are known (dlsym itself calls calloc) are served from a static
 * bootstrap arena, whose blocks are never recorded nor given back to libc.
 * Tracking is on only when CDOC_ALLOC_FD names an open descriptor.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>
#include <x86intrin.h>

#include "alloc/internal.h"

extern char **environ;

#define EXPORT     __attribute__((visibility("default")))
#define BOOT_BYTES (256u << 10)

struct shim_globals shim = {.fd = -1};

static void *(*real_malloc)(size_t);
static void (*real_free)(void *);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static void *(*real_valloc)(size_t);
static void *(*real_pvalloc)(size_t);
static size_t (*real_usable)(void *);
static int (*real_pthread_create)(pthread_t *, const pthread_attr_t *,
                                  void *(*)(void *), void *);
static void *(*real_mmap)(void *, size_t, int, int, int, off_t);
static int (*real_munmap)(void *, size_t);

static atomic_int init_state; /* 0 not started, 1 running, 2 done */
static __thread int in_init __attribute__((tls_model("initial-exec")));
static _Alignas(64) unsigned char boot[BOOT_BYTES];
static atomic_size_t boot_used;

/* A bootstrap block: 16-byte header holding its size, then the data. */
static void *boot_alloc(size_t n)
{
	size_t need, off;

	if (n > BOOT_BYTES) { /* also keeps n + 31 from wrapping */
		errno = ENOMEM;
		return NULL;
	}
	need = (n + 31) & ~(size_t)15;
	off = atomic_fetch_add(&boot_used, need);
	if (off + need > BOOT_BYTES) {
		errno = ENOMEM;
		return NULL;
	}
	memcpy(boot + off, &n, sizeof(n));
	/* free()'s sampling test must not turn it away to libc */
	shim_filter_pin((uint64_t)(boot + off + 16));
	return boot + off + 16;
}

static inline __attribute__((always_inline)) int is_boot(const void *p)
{
	return (const unsigned char *)p >= boot &&
	       (const unsigned char *)p < boot + BOOT_BYTES;
}

static size_t boot_size(const void *p)
{
	size_t n;

	memcpy(&n, (const unsigned char *)p - 16, sizeof(n));
	return n;
}

/*
 * getenv(), or /proc/self/environ when libc's environment is not set up
 * yet: a sanitizer runtime may allocate (and so start us) from its
 * preinit code, before libc has initialised environ.
 */
static char proc_env[16384];
static size_t proc_env_len;

static const char *env_get(const char *name)
{
	const char *s = getenv(name);
	size_t n = strlen(name), off;
	int fd;
	ssize_t r;

	if (s || environ)
		return s;
	if (!proc_env_len) {
		fd = open("/proc/self/environ", O_RDONLY | O_CLOEXEC);
		while (fd >= 0 && proc_env_len < sizeof(proc_env) - 1 &&
		       (r = read(fd, proc_env + proc_env_len,
		                 sizeof(proc_env) - 1 - proc_env_len)) > 0)
			proc_env_len += (size_t)r;
		if (fd >= 0)
			close(fd);
	}
	for (off = 0; off < proc_env_len; off += strlen(proc_env + off) + 1)
		if (!strncmp(proc_env + off, name, n) &&
		    proc_env[off + n] == '=')
			return proc_env + off + n + 1;
	return NULL;
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *s = env_get(name);
	char *end;
	unsigned long long v;

	if (!s || !*s)
		return dflt;
	v = strtoull(s, &end, 10);
	return *end ? dflt : v;
}

static int env_is(const char *name, const char *want)
{
	const char *s = env_get(name);

	return s && !strcmp(s, want);
}

#define RESOLVE(name) real_##name = dlsym(RTLD_NEXT, #name)

static void resolve_all(void)
{
	RESOLVE(malloc);
	RESOLVE(free);
	RESOLVE(calloc);
	RESOLVE(realloc);
	RESOLVE(posix_memalign);
	RESOLVE(aligned_alloc);
	RESOLVE(memalign);
	RESOLVE(valloc);
	RESOLVE(pvalloc);
	real_usable = dlsym(RTLD_NEXT, "malloc_usable_size");
	RESOLVE(mmap);
	RESOLVE(munmap);
	RESOLVE(pthread_create);
}

static uint64_t new_instance(void)
{
	static atomic_uint_fast64_t made;
	uint64_t x = ((uint64_t)shim.pid << 32) ^ shim_now_ns() ^
	             (atomic_fetch_add(&made, 1) << 48);

	x ^= x >> 31;
	x *= 0x9e3779b97f4a7c15ull;
	x ^= x >> 29;
	return x ? x : 1;
}

/* A copy of an environment string that is a path (NULL when none or too
 * long): programs that set their process title (redis-server) write
 * over the environment's memory. */
static const char *keep_path(const char *s)
{
	static char copy[4096];

	if (!s || strlen(s) >= sizeof(copy))
		return NULL;
	memcpy(copy, s, strlen(s) + 1);
	return copy;
}

static void fork_prepare(void);
static void fork_parent(void);
static void fork_child(void);

static void configure(void)
{
	int fd = (int)env_u64(CDOC_ALLOC_ENV_FD, (uint64_t)-1);
	uint64_t ino = env_u64(CDOC_ALLOC_ENV_ID, 0);
	struct stat st;

	/* Only the collector's socket: after a fork and exec the number may
	 * name a file of the program's, which must never be written to; the
	 * process that exec'd had moved the socket to a high number. */
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode) ||
	    (uint64_t)st.st_ino != ino)
		fd = ino ? shim_fd_find(ino) : -1;
	if (fd < 0)
		return;
	shim.use_fp = env_is(CDOC_ALLOC_ENV_UNWIND, "fp");
	shim.track_mmap = env_is(CDOC_ALLOC_ENV_MMAP, "1");
	shim.sample_rate = env_u64(CDOC_ALLOC_ENV_SAMPLE, 0);
	shim.verify = keep_path(env_get("CDOC_UNWIND_VERIFY"));
	shim_fd_begin(); /* libunwind's pipe is made in shim_stack_init */
	if (shim_stack_init() < 0 || shim_set_init() < 0) {
		shim_fd_end();
		return;
	}
	fd = shim_fd_high(fd, 0); /* inherited by exec'd children */
	shim_fd_end();
	shim.channel_ino = ino;
	shim_threads_init();
	shim_asym_init();
	pthread_atfork(fork_prepare, fork_parent, fork_child);
	shim.fd = fd;
	shim.pid = (uint32_t)getpid();
	shim.instance = new_instance();
	shim.enabled = 1;
}

/* Tracking off from now on: every call goes straight to libc. */
void shim_disable(void)
{
	shim.enabled = 0;
	shim.fast = SHIM_FAST_PASS;
}

/* Once the real functions are known: what malloc and free decide alone. */
static void set_fast(void)
{
	if (!shim.enabled)
		shim.fast = SHIM_FAST_PASS;
	else if (shim.sample_rate)
		shim.fast = SHIM_FAST_SAMPLE;
	else
		shim.fast = SHIM_FAST_NONE;
}

/* Start tracking: read the settings, send HELLO and the mappings. */
static void start_tracking(void)
{
	struct tstate *ts;

	configure();
	if (!shim.enabled)
		return;
	shim_tls.busy++;
	ts = shim_thread();
	shim_lock(ts);
	shim_send_hello(ts, 0, 0);
	shim_fdsite_exec(ts);
	shim_send_maps(ts);
	shim_flush(ts); /* HELLO first: it says how to weigh what follows */
	shim_unlock(ts);
	shim_tls.busy--;
}

/*
 * Called by the first allocation. When libc is not initialised yet (a
 * sanitizer runtime allocating from preinit code: no environ, libunwind
 * not ready), only the real functions are looked up; tracking starts from
 * our constructor. Allocations before it are not recorded; frees of them
 * show up as unmatched.
 */
static int deferred;

static void shim_init(void)
{
	int expect = 0;

	if (!atomic_compare_exchange_strong(&init_state, &expect, 1)) {
		while (atomic_load(&init_state) != 2)
			sched_yield();
		return;
	}
	in_init = 1;
	resolve_all();
	in_init = 0;
	deferred = !environ;
	atomic_store(&init_state, 2);
	if (!deferred)
		start_tracking();
	if (!deferred)
		set_fast();
}

/* 1 when the real functions are known; 0 inside our own initialisation. */
static inline int ready(void)
{
	if (likely(atomic_load_explicit(&init_state, memory_order_acquire) ==
	           2))
		return 1;
	if (in_init)
		return 0;
	shim_init();
	return 1;
}

__attribute__((constructor)) static void shim_ctor(void)
{
	if (!ready() || !deferred)
		return;
	deferred = 0;
	start_tracking();
	set_fast();
}

/* Enter the recorder; NULL when this call must pass through. */
static inline struct tstate *enter(int *saved)
{
	struct tstate *ts = &shim_tls;

	if (unlikely(ts->busy)) {
		if (!ts->internal)
			atomic_fetch_add(&shim.reentrant, 1);
		return NULL;
	}
	*saved = errno;
	ts->busy = 1;
	return shim_thread();
}

static void fork_hello(struct tstate *ts, uint64_t parent);

static inline void leave(struct tstate *ts, int saved)
{
	if (unlikely(ts->fork_parent))
		fork_hello(ts, ts->fork_parent);
	ts->busy = 0;
	errno = saved;
}

static double ln(double x)
{
	union {
		double d;
		uint64_t u;
	} v = {x};
	int e = (int)((v.u >> 52) & 0x7ff) - 1023;
	double m, s, s2;

	v.u = (v.u & ((1ull << 52) - 1)) | (1023ull << 52);
	m = v.d;
	s = (m - 1) / (m + 1);
	s2 = s * s;
	return e * 0.6931471805599453 +
	       2 * s *
	               (1 +
	                s2 * (1.0 / 3 + s2 * (0.2 + s2 * (1.0 / 7 + s2 / 9))));
}

/* Bytes to the next sample: exponential with mean shim.sample_rate. */
static int64_t next_interval(struct tstate *ts)
{
	double u;

	ts->rng ^= ts->rng >> 12;
	ts->rng ^= ts->rng << 25;
	ts->rng ^= ts->rng >> 27;
	u = (double)(((ts->rng * 0x2545f4914f6cdd1dull) >> 11) + 1) *
	    (1.0 / 9007199254740992.0);
	return (int64_t)(-ln(u) * (double)shim.sample_rate) + 1;
}

/* Poisson sampling by bytes, as tcmalloc does. */
static int sampled(struct tstate *ts, size_t size)
{
	if (unlikely(ts->sample_left == 0))
		ts->sample_left = next_interval(ts);
	ts->sample_left -= (int64_t)size;
	if (ts->sample_left > 0)
		return 0;
	ts->sample_left = next_interval(ts);
	return 1;
}

/* An allocation event: held back in a SOLO batch (pairs.c), else an
 * ALLOC record. */
static void put_alloc(struct tstate *ts, int fn, uint64_t ptr, size_t size,
                      const struct shim_regs *at)
{
	uint32_t id = shim_stack_id(ts, at);
	uint64_t t = shim_stamp(ts);
	size_t off;

	ts->last_alloc = ptr;
	ts->last_left = ts->sample_left;
	ts->last_off = 0;
	if (!shim.sample_rate && shim_hold(ts, fn, ptr, size, id, t)) {
		if (unlikely((++ts->nev & 15) == 0))
			shim_commit_slow(ts);
		return;
	}
	shim_reserve(ts, 40);
	off = ts->len;
	shim_put_alloc_rec(ts, fn, ptr, t, size, id);
	shim_commit(ts, ts->buf + ts->len);
	if (ts->len > off) /* not sent yet */
		ts->last_off = off;
}

/*
 * Sampling: an allocation that only counts down is decided before the
 * real call, which then is a tail call (no frame of ours, nothing after
 * it). Counting down for an allocation that then fails only moves the
 * next sample a little.
 */
static inline __attribute__((always_inline)) int skip_sampled(size_t n)
{
	struct tstate *ts = &shim_tls;

	/* no test of ->busy: the shim's own calls may count down too; one
	 * that reaches zero goes the slow way, which passes it through */
	if (shim.sample_rate && ts->sample_left > (int64_t)n) {
		ts->sample_left -= (int64_t)n; /* see put_free()'s temp */
		return 1;
	}
	return 0;
}

static __attribute__((noinline)) void
record_alloc_slow(int fn, void *ptr, size_t size, const struct shim_regs *at)
{
	int saved;
	struct tstate *ts = enter(&saved);

	if (!ts)
		return;
	if (shim.sample_rate && fn != CDOC_AFN_MMAP &&
	    (!sampled(ts, size) || !shim_set_add((uint64_t)ptr)))
		goto out;
	if (fn == CDOC_AFN_MMAP && !shim_set_add((uint64_t)ptr))
		goto out;
	shim_lock(ts);
	put_alloc(ts, fn, (uint64_t)ptr, size, at);
	shim_unlock(ts);
out:
	leave(ts, saved);
}

/*
 * Full tracking's common case, decided inline without a call: a thread of
 * a single-threaded process whose batch is SOLO holds its allocations
 * back and counts the pairs they make (pairs.c). Only when the batch has
 * room for one record (a pair count it evicts), and ->busy is set first,
 * so that a signal handler's allocation passes through.
 */
static inline __attribute__((always_inline)) int solo_fast(struct tstate *ts)
{
	return ts->solo && ts->pend && !shim.multi && !shim.exiting &&
	       ts->state == TS_LIVE && !ts->fork_parent &&
	       ts->len + SHIM_REC_MAX <= ts->cap;
}

/* Every 16th event: the batch is sent when it is old enough. */
static inline __attribute__((always_inline)) void solo_tick(struct tstate *ts)
{
	int saved;

	if (likely((++ts->nev & 15) != 0))
		return;
	saved = errno;
	shim_commit_slow(ts);
	errno = saved;
}

/* Into the fast path: 0 when the thread is inside the shim already. */
static inline __attribute__((always_inline)) int solo_enter(struct tstate *ts)
{
	if (ts->busy)
		return 0;
	ts->busy = 1;
	atomic_signal_fence(memory_order_seq_cst);
	return 1;
}

/* Out of it, @done or not (the batch locked when @done). */
static inline __attribute__((always_inline)) int solo_leave(struct tstate *ts,
                                                            int done)
{
	if (done) {
		solo_tick(ts);
		shim_unlock(ts);
	}
	atomic_signal_fence(memory_order_seq_cst);
	ts->busy = 0;
	return done;
}

/* An allocation held back when its stack is in the unwind cache; 1 when
 * done, 0 when it must go the general way. */
static inline __attribute__((always_inline)) int
hold_fast(int fn, void *ptr, size_t size, const struct shim_regs *at)
{
	struct tstate *ts = &shim_tls;
	struct shim_pend *e;
	uint32_t id;

	if (!solo_enter(ts))
		return 0;
	if (!solo_fast(ts) || !ts->ucache ||
	    ts->rc_gen !=
	            atomic_load_explicit(&shim_eh_gen, memory_order_relaxed) ||
	    size > SHIM_HELD_MAX - ts->held)
		return solo_leave(ts, 0);
	e = shim_pend_slot(ts, (uint64_t)ptr);
	if (e->ptr || !(id = shim_ucache_find(ts, at->sp, at)))
		return solo_leave(ts, 0);
	if (unlikely(shim.verify)) { /* tests: the id against libunwind's */
		int saved = errno;

		shim_stack_verify(ts, id);
		errno = saved;
	}
	shim_lock(ts);
	/* ++seq: shim_stamp() of one thread */
	shim_pend_hold(ts, e, (uint64_t)ptr, ++ts->seq, size, id, fn);
	ts->last_alloc = (uint64_t)ptr;
	ts->last_off = 0;
	return solo_leave(ts, 1);
}

/* A free of a held allocation by its thread: counted as a pair; 1 when
 * done. */
static inline __attribute__((always_inline)) int pair_fast(void *ptr)
{
	struct tstate *ts = &shim_tls;
	struct shim_pend *e;

	if (!solo_enter(ts))
		return 0;
	if (!solo_fast(ts) || !ts->npend ||
	    !(e = shim_pend_find(ts, (uint64_t)ptr)))
		return solo_leave(ts, 0);
	shim_lock(ts);
	shim_pair_count(ts, e, (uint64_t)ptr == ts->last_alloc);
	if ((uint64_t)ptr == ts->last_alloc)
		ts->last_alloc = 0;
	ts->last_off = 0;
	return solo_leave(ts, 1);
}

/* @at: where the program called (SHIM_CALLER_REGS in the entry point). */
static inline __attribute__((always_inline)) void
record_alloc(int fn, void *ptr, size_t size, const struct shim_regs *at)
{
	if (fn != CDOC_AFN_MMAP) {
		/* sampling: most allocations only count down, nothing else */
		if (shim.sample_rate ? skip_sampled(size)
		                     : hold_fast(fn, ptr, size, at))
			return;
	}
	record_alloc_slow(fn, ptr, size, at);
}

static size_t v_len(const unsigned char *p)
{
	size_t n = 1;

	while (*p++ & 0x80)
		n++;
	return n;
}

/* The ALLOC record at ts->last_off becomes TEMP (drop pointer and time). */
static void make_temp(struct tstate *ts)
{
	unsigned char *rec = ts->buf + ts->last_off;
	size_t plen = v_len(rec + 1), rest;

	plen += v_len(rec + 1 + plen);
	rest = ts->len - ts->last_off - 1 - plen;
	ts->prev_tsc = ts->tsc_before;
	ts->prev_ptr = ts->ptr_before;
	rec[0] = (unsigned char)(CDOC_AREC_TEMP | (rec[0] & 15));
	memmove(rec + 1, rec + 1 + plen, rest);
	ts->len -= plen;
}

/*
 * A free: TEMP when it frees the batch's last record, an allocation of
 * this thread's just before; nothing when its allocation is held back
 * (a pair, pairs.c); else FREE (FREET when temporary).
 */
static void put_free(struct tstate *ts, int fn, uint64_t ptr, uint64_t t)
{
	unsigned char *p;
	/* sampling: an allocation since, counted down, changed sample_left */
	int temp = fn == CDOC_AFN_FREE && ptr == ts->last_alloc &&
	           ts->sample_left == ts->last_left;

	if (temp && ts->last_off) {
		make_temp(ts);
		goto done;
	}
	/* room for a FREE, or a pair count's record; a flush here writes
	 * what was held */
	p = shim_reserve(ts, SHIM_REC_MAX);
	if (fn != CDOC_AFN_MUNMAP && shim_pair_free(ts, ptr, temp)) {
		if (unlikely((++ts->nev & 15) == 0))
			shim_commit_slow(ts);
		goto done;
	}
	*p++ = (unsigned char)((temp ? CDOC_AREC_FREET : CDOC_AREC_FREE) | fn);
	p = put_v(p, zigzag((int64_t)(ptr - ts->prev_ptr)));
	p = put_v(p, zigzag((int64_t)(t - ts->prev_tsc)));
	ts->prev_ptr = ptr;
	ts->prev_tsc = t;
	shim_commit(ts, p);
done:
	if (ptr == ts->last_alloc)
		ts->last_alloc = 0;
	ts->last_off = 0;
}

/* @t: when the pointer was given back (the time stamp orders events on
 * one address across threads); 0 for now. */
static __attribute__((noinline)) void record_free_slow(int fn, void *ptr,
                                                       uint64_t t, int checked)
{
	int saved;
	struct tstate *ts;

	if ((shim.sample_rate || fn == CDOC_AFN_MUNMAP) && !checked &&
	    !shim_set_has((uint64_t)ptr))
		return;
	ts = enter(&saved);

	if (!ts)
		return;
	if ((shim.sample_rate || fn == CDOC_AFN_MUNMAP) && !checked &&
	    !shim_set_remove((uint64_t)ptr))
		goto out;
	shim_lock(ts);
	if (!t)
		t = shim_stamp(ts);
	put_free(ts, fn, (uint64_t)ptr, t);
	shim_unlock(ts);
out:
	leave(ts, saved);
}

static inline void record_free(int fn, void *ptr, uint64_t t, int checked)
{
	/* sampling: a pointer never sampled is not looked at twice */
	if ((shim.sample_rate || fn == CDOC_AFN_MUNMAP) && !checked &&
	    !shim_maybe_set((uint64_t)ptr))
		return;
	record_free_slow(fn, ptr, t, checked);
}

/*
 * malloc and free: what needs no recording (tracking off, an allocation
 * the sampler skips, a pointer never sampled) is a tail call to libc from
 * a function without a frame; the rest goes through the _slow versions.
 */
#define FAST __attribute__((optimize("omit-frame-pointer")))

/* Called by malloc as a tail call: its caller is the program's. */
static __attribute__((noinline)) void *malloc_slow(size_t n)
{
	struct shim_regs at;
	void *p;

	if (unlikely(!ready()))
		return boot_alloc(n);
	p = real_malloc(n);
	SHIM_CALLER_REGS(at);
	if (p && shim.enabled)
		record_alloc(CDOC_AFN_MALLOC, p, n, &at);
	return p;
}

EXPORT FAST void *malloc(size_t n)
{
	int fast = shim.fast;
	struct tstate *ts = &shim_tls;

	/* sampling: most allocations only count down (skip_sampled()) */
	if (likely(fast == SHIM_FAST_SAMPLE)) {
		if (likely(ts->sample_left > (int64_t)n)) {
			ts->sample_left -= (int64_t)n;
			return real_malloc(n);
		}
		return malloc_slow(n);
	}
	if (likely(fast == SHIM_FAST_PASS))
		return real_malloc(n);
	return malloc_slow(n);
}

static __attribute__((noinline)) void free_slow(void *p)
{
	if (!p || unlikely(is_boot(p)))
		return;
	if (unlikely(!ready()))
		return;
	if (shim.enabled && (shim.sample_rate || !pair_fast(p)))
		record_free(CDOC_AFN_FREE, p, 0, 0);
	real_free(p);
}

EXPORT FAST void free(void *p)
{
	int fast = shim.fast;

	/* sampling: the filters let the bootstrap arena's blocks through
	 * (boot_alloc()), so a pointer they turn away is libc's */
	if (likely(fast == SHIM_FAST_SAMPLE)) {
		if (likely(!shim_maybe_set((uint64_t)p)))
			return real_free(p);
		return free_slow(p);
	}
	if (fast == SHIM_FAST_PASS && !is_boot(p))
		return real_free(p);
	free_slow(p);
}

EXPORT void *calloc(size_t nmemb, size_t size)
{
	struct shim_regs at;
	void *p;

	if (unlikely(!ready())) {
		if (size && nmemb > SIZE_MAX / size)
			return NULL;
		return boot_alloc(nmemb * size); /* static: already zero */
	}
	if (shim.enabled && nmemb <= SIZE_MAX / (size ? size : 1) &&
	    skip_sampled(nmemb * size))
		return real_calloc(nmemb, size);
	p = real_calloc(nmemb, size);
	SHIM_CALLER_REGS(at);
	if (p && shim.enabled)
		record_alloc(CDOC_AFN_CALLOC, p, nmemb * size, &at);
	return p;
}

static void *realloc_boot(void *old, size_t n)
{
	size_t have = boot_size(old);
	void *p = malloc(n);

	if (p)
		memcpy(p, old, have < n ? have : n);
	return p;
}

/*
 * Before the real realloc frees @old, and another thread may be given its
 * address: take the time stamp now, and in sampling mode forget @old now
 * (1: it was sampled, or everything is recorded).
 */
static int realloc_enter(void *old, uint64_t *t)
{
	*t = shim.multi ? __rdtsc() : 0;
	if (!old || !shim.enabled || !shim.sample_rate)
		return 1;
	return shim_set_remove((uint64_t)old);
}

static void record_realloc(int fn, void *old, void *p, size_t n, uint64_t t,
                           int tracked, const struct shim_regs *at)
{
	if (!shim.enabled)
		return;
	if (old && !p && n) { /* failed: @old is still allocated */
		if (shim.sample_rate && tracked)
			shim_set_add((uint64_t)old);
		return;
	}
	if (old && tracked)
		record_free(fn, old, t, 1);
	if (p)
		record_alloc(fn, p, n, at);
}

EXPORT void *realloc(void *old, size_t n)
{
	struct shim_regs at;
	uint64_t t;
	void *p;
	int tracked;

	if (unlikely(!ready()))
		return old ? NULL : boot_alloc(n);
	if (unlikely(old && is_boot(old)))
		return realloc_boot(old, n);
	tracked = realloc_enter(old, &t);
	p = real_realloc(old, n);
	SHIM_CALLER_REGS(at);
	record_realloc(CDOC_AFN_REALLOC, old, p, n, t, tracked, &at);
	return p;
}

/* Done here over the real realloc: glibc's reallocarray calls realloc
 * through the PLT, which would record the call twice. */
EXPORT void *reallocarray(void *old, size_t nmemb, size_t size)
{
	struct shim_regs at;
	uint64_t t;
	void *p;
	int tracked;

	if (size && nmemb > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	if (unlikely(!ready()))
		return old ? NULL : boot_alloc(nmemb * size);
	if (unlikely(old && is_boot(old)))
		return realloc_boot(old, nmemb * size);
	tracked = realloc_enter(old, &t);
	p = real_realloc(old, nmemb * size);
	SHIM_CALLER_REGS(at);
	record_realloc(CDOC_AFN_REALLOCARRAY, old, p, nmemb * size, t, tracked,
	               &at);
	return p;
}

EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
	struct shim_regs at;
	int ret;

	if (unlikely(!ready()))
		return ENOMEM;
	ret = real_posix_memalign(out, align, n);
	SHIM_CALLER_REGS(at);
	if (ret == 0 && shim.enabled)
		record_alloc(CDOC_AFN_POSIX_MEMALIGN, *out, n, &at);
	return ret;
}

#define ALIGNED_ENTRY(name, fn, params, args, size)                            \
	EXPORT void *name params                                               \
	{                                                                      \
		struct shim_regs at;                                           \
		void *p;                                                       \
		if (unlikely(!ready()))                                        \
			return NULL;                                           \
		p = real_##name args;                                          \
		SHIM_CALLER_REGS(at);                                          \
		if (p && shim.enabled)                                         \
			record_alloc(fn, p, size, &at);                        \
		return p;                                                      \
	}

ALIGNED_ENTRY(aligned_alloc, CDOC_AFN_ALIGNED_ALLOC, (size_t al, size_t n),
              (al, n), n)
ALIGNED_ENTRY(memalign, CDOC_AFN_MEMALIGN, (size_t al, size_t n), (al, n), n)
ALIGNED_ENTRY(valloc, CDOC_AFN_VALLOC, (size_t n), (n), n)
ALIGNED_ENTRY(pvalloc, CDOC_AFN_PVALLOC, (size_t n), (n), n)

EXPORT size_t malloc_usable_size(void *p)
{
	if (p && is_boot(p))
		return boot_size(p);
	if (unlikely(!ready()) || !real_usable)
		return 0;
	return real_usable(p);
}

/* libunwind maps memory for itself while the shim unwinds: not the
 * program's, neither recorded nor counted as re-entrant. */
static int from_unwinder(const void *ret)
{
	return (uintptr_t)ret >= shim.unw_lo && (uintptr_t)ret < shim.unw_hi;
}

EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd,
                  off_t off)
{
	struct shim_regs at;
	void *p;

	if (unlikely(!ready()) || !real_mmap) {
		long r = syscall(SYS_mmap, addr, len, prot, flags, fd, off);
		return r == -1 ? MAP_FAILED : (void *)r;
	}
	p = real_mmap(addr, len, prot, flags, fd, off);
	SHIM_CALLER_REGS(at);
	if (p != MAP_FAILED && shim.enabled && shim.track_mmap &&
	    (flags & MAP_ANONYMOUS) && !(flags & MAP_SHARED) &&
	    !from_unwinder(__builtin_return_address(0)))
		record_alloc(CDOC_AFN_MMAP, p, len, &at);
	return p;
}

/* libunwind's memory-check pipe goes where the program cannot collide
 * with it (fd.c); everyone else's pipe2 is the system call, as in libc. */
EXPORT int pipe2(int fds[2], int flags)
{
	int r = (int)syscall(SYS_pipe2, fds, flags);

	if (r == 0 && from_unwinder(__builtin_return_address(0)))
		shim_fd_unwinder_pipe(fds);
	else if (r == 0)
		shim_fdsite_pipe(fds, flags, __builtin_return_address(0));
	return r;
}

EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd,
                    off_t off) __attribute__((alias("mmap")));

EXPORT int munmap(void *addr, size_t len)
{
	int ret;

	if (unlikely(!ready()) || !real_munmap)
		return (int)syscall(SYS_munmap, addr, len);
	if (shim.enabled && shim.track_mmap &&
	    !from_unwinder(__builtin_return_address(0)))
		record_free(CDOC_AFN_MUNMAP, addr, 0, 0);
	ret = real_munmap(addr, len);
	return ret;
}

/*
 * Before fork: every thread's batch is sent, then a FORK record naming the
 * child's instance, so that the reader copies the live heap the child
 * inherits at that point of the stream. A fork from a signal handler that
 * interrupted the shim (busy already) leaves the half-written batch alone.
 */
static void fork_prepare(void)
{
	struct tstate *ts = &shim_tls;
	unsigned char *p;

	shim.child_instance = 0;
	if (ts->busy++ || ts->state == TS_DEAD)
		return;
	ts = shim_thread();
	shim_flush_all();
	shim.child_instance = new_instance();
	shim_lock(ts);
	shim_flush(ts); /* what it holds back is live in the child too */
	p = shim_reserve(ts, 16);
	*p++ = CDOC_AREC_FORK;
	p = put_v(p, shim.child_instance);
	shim_commit(ts, p);
	shim_fdsite_fork(ts, shim.child_instance);
	shim_flush(ts);
	shim_unlock(ts);
}

static void fork_parent(void)
{
	shim_tls.busy--;
}

/* The child's first batch: HELLO naming its parent, sent at once. */
static void fork_hello(struct tstate *ts, uint64_t parent)
{
	ts->fork_parent = 0;
	ts->busy++;
	shim_reset_batch(ts);
	ts = shim_thread();
	shim_send_hello(ts, parent, shim_stack_next_id());
	shim_flush(ts);
	ts->busy--;
}

static void fork_child(void)
{
	struct tstate *ts = &shim_tls;
	uint64_t parent = shim.instance;
	int nested = ts->busy > 1;

	shim.pid = (uint32_t)getpid();
	shim.instance =
	        shim.child_instance ? shim.child_instance : new_instance();
	/* the counters so far are the parent's, in its COUNTERS record */
	atomic_store(&shim.reentrant, 0);
	atomic_store(&shim.sample_full, 0);
	atomic_store(&shim.stack_full, 0);
	atomic_store(&shim.write_errors, 0);
	atomic_store(&shim.fd_lost, 0);
	shim_threads_after_fork(ts);
	shim_eh_after_fork();
	if (nested) /* the interrupted record finishes first (leave()) */
		ts->fork_parent = parent;
	else
		fork_hello(ts, parent);
	ts->busy--;
}

/* At exit: send every thread's batch, the maps (for symbols of libraries
 * loaded since), the counters and EXIT. Later events go out one by one. */
__attribute__((destructor(101))) static void shim_fini(void)
{
	struct tstate *ts;

	if (!shim.enabled)
		return;
	shim_tls.busy++;
	ts = shim_thread();
	/* from now on every event is sent at once: another thread's event
	 * after its batch was taken must not wait for one that never comes */
	shim.exiting = 1;
	shim_flush_all();
	shim_lock(ts);
	shim_send_maps(ts);
	shim_send_exit(ts);
	shim_unlock(ts);
	shim_stack_verify_report();
	shim_tls.busy--;
}

/* From the first pthread_create on, events need real time stamps. */
EXPORT int pthread_create(pthread_t *t, const pthread_attr_t *attr,
                          void *(*fn)(void *), void *arg)
{
	shim.multi = 1;
	if (unlikely(!ready()) || !real_pthread_create)
		return EAGAIN;
	return real_pthread_create(t, attr, fn, arg);
}
