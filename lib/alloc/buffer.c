/*
 * buffer.c - per-thread batches of the allocation stream, and sending them.
 *
 * Each thread appends records to its own buffer (no shared lock on the hot
 * path) and sends it as one batch when it is full, when 20 ms have passed
 * since its last send (checked every 16 events), at thread exit, at fork
 * and at process exit. Live threads are kept in a registry so that the
 * exit flusher can send batches of threads that are still running.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/membarrier.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "alloc/internal.h"

#define HDR            sizeof(struct cdoc_astream_hdr)
#define FLUSH_AGE_NS   20000000ull
#define MAPS_BUF_BYTES (4u << 20)

__thread struct tstate shim_tls __attribute__((tls_model("initial-exec")));
static pthread_key_t thread_key;
static pthread_mutex_t registry_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct tstate *registry;
/* Batch buffers of threads that have exited, for the next ones (a list
 * through their first word; under registry_mutex). */
static void *spare;

#define PEND_BYTES (sizeof(struct shim_pend) << SHIM_PEND_BITS)
#define PAIR_BYTES (sizeof(struct shim_pair) << SHIM_PAIR_BITS)
#define BATCH_MEM  (CDOC_ASTREAM_BATCH_MAX + PEND_BYTES + PAIR_BYTES)

/* Under registry_mutex: a batch buffer (and its table of allocations)
 * for @ts, or its small one. */
static void batch_get(struct tstate *ts)
{
	unsigned char *b = spare;

	if (b)
		memcpy(&spare, b, sizeof(spare));
	else
		b = shim_pages(BATCH_MEM);
	ts->buf = b ? b : ts->small;
	ts->cap = b ? CDOC_ASTREAM_BATCH_MAX : sizeof(ts->small);
	ts->pend = b ? (struct shim_pend *)(b + CDOC_ASTREAM_BATCH_MAX) : NULL;
	ts->pairs = b ? (struct shim_pair *)(b + CDOC_ASTREAM_BATCH_MAX +
	                                     PEND_BYTES)
	              : NULL;
	if (ts->pend)
		memset(ts->pend, 0, PEND_BYTES + PAIR_BYTES);
	ts->npend = ts->npair = 0;
	ts->held = 0;
}

/* Under registry_mutex: @ts's buffer goes back to the spares; @ts is
 * left with its small one. Its batch has been sent. */
static void batch_put(struct tstate *ts)
{
	if (ts->buf && ts->buf != ts->small) {
		memcpy(ts->buf, &spare, sizeof(spare));
		spare = ts->buf;
	}
	ts->buf = ts->small;
	ts->cap = sizeof(ts->small);
	ts->pend = NULL;
	ts->pairs = NULL;
}

uint64_t shim_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t coarse_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void shim_registry_lock(void)
{
	pthread_mutex_lock(&registry_mutex);
}

void shim_registry_unlock(void)
{
	pthread_mutex_unlock(&registry_mutex);
}

static void registry_remove(struct tstate *ts)
{
	if (ts->prev)
		ts->prev->next = ts->next;
	else if (registry == ts)
		registry = ts->next;
	if (ts->next)
		ts->next->prev = ts->prev;
	ts->next = ts->prev = NULL;
}

/* TLS destructor: send what is left; later events are sent one by one. */
static void thread_gone(void *arg)
{
	struct tstate *ts = arg;
	int saved = errno;

	ts->busy++;
	shim_registry_lock();
	registry_remove(ts);
	shim_registry_unlock();
	shim_lock(ts);
	shim_flush(ts);
	ts->state = TS_DEAD;
	shim_registry_lock();
	batch_put(ts);
	shim_registry_unlock();
	shim_unlock(ts);
	shim_stack_thread_end(ts);
	ts->busy--;
	errno = saved;
}

void shim_threads_init(void)
{
	pthread_key_create(&thread_key, thread_gone);
}

void shim_thread_start(struct tstate *ts)
{
	sigset_t all, old;

	ts->tid = (uint32_t)syscall(SYS_gettid);
	ts->len = HDR;
	ts->rng =
	        ((uint64_t)ts->tid << 32) ^ shim_now_ns() ^ 0x9e3779b97f4a7c15;
	ts->last_ns = coarse_ns();
	ts->seq = __rdtsc();
	if (shim.use_fp)
		shim_stack_bounds((uintptr_t)__builtin_frame_address(0),
		                  &ts->stack_lo, &ts->stack_hi);
	shim_registry_lock();
	if (registry)
		shim.multi = 1;
	batch_get(ts);
	ts->next = registry;
	if (registry)
		registry->prev = ts;
	registry = ts;
	shim_registry_unlock();
	/* pthread_setspecific may calloc: the shim's own call, not counted
	 * as re-entrant; signals wait, so that a handler's allocations in
	 * this window are not taken for the shim's */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	ts->internal++;
	pthread_setspecific(thread_key, ts);
	ts->internal--;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	ts->state = TS_LIVE;
}

/* The buffer lock: see internal.h (shim_lock). */
int shim_asym;

void shim_asym_init(void)
{
	shim_asym =
	        syscall(SYS_membarrier,
	                MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
}

/* shim_lock() when the buffer is being taken, or without membarrier. */
void shim_lock_slow(struct tstate *ts)
{
	if (!shim_asym) {
		while (atomic_exchange_explicit(&ts->stolen, 1,
		                                memory_order_acquire))
			sched_yield();
		return;
	}
	for (;;) {
		atomic_store_explicit(&ts->appending, 0, memory_order_release);
		while (atomic_load_explicit(&ts->stolen, memory_order_acquire))
			sched_yield();
		atomic_store_explicit(&ts->appending, 1, memory_order_relaxed);
		atomic_signal_fence(memory_order_seq_cst);
		if (likely(!atomic_load_explicit(&ts->stolen,
		                                 memory_order_relaxed)))
			return;
	}
}

/* Take another thread's buffer (at exit); shim_give() returns it. */
static void shim_take(struct tstate *t)
{
	if (!shim_asym) {
		shim_lock(t);
		return;
	}
	while (atomic_exchange(&t->stolen, 1))
		sched_yield();
	syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
	while (atomic_load_explicit(&t->appending, memory_order_acquire))
		sched_yield();
}

static void shim_give(struct tstate *t)
{
	atomic_store_explicit(&t->stolen, 0, memory_order_release);
}

static void send_all(const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t r = send(shim.fd, p, n, MSG_NOSIGNAL);

		if (r > 0) {
			p += r;
			n -= (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN) {
			struct pollfd pfd = {shim.fd, POLLOUT, 0};
			poll(&pfd, 1, -1);
			continue;
		}
		atomic_fetch_add(&shim.write_errors, 1);
		if (errno == EPIPE || errno == EBADF || errno == ECONNRESET ||
		    errno == ENOTSOCK)
			shim_disable();
		return;
	}
}

/* The program closed the channel (and may have reused its number):
 * nothing is sent from now on, and the program runs untracked. */
static void channel_lost(void)
{
	atomic_fetch_add(&shim.fd_lost, 1);
	shim_disable();
	shim.fd = -1;
}

/* An empty batch in @ts's buffer: what its records were relative to
 * (pointer and time bases) starts over. */
static void buf_restart(struct tstate *ts)
{
	ts->len = HDR;
	ts->solo = 0;
	ts->last_off = 0;
	ts->prev_tsc = 0;
	ts->prev_ptr = 0;
}

/* The same, and the allocations it held back are forgotten. */
static void batch_restart(struct tstate *ts)
{
	buf_restart(ts);
	if (ts->npend || ts->npair)
		memset(ts->pend, 0, PEND_BYTES + PAIR_BYTES);
	ts->npend = ts->npair = 0;
	ts->held = 0;
}

/* The records in @ts's buffer go out as one batch. */
static void send_batch(struct tstate *ts)
{
	struct cdoc_astream_hdr h;

	if (shim.fd < 0 || unlikely(!shim_fd_channel_ok())) {
		if (shim.fd >= 0)
			channel_lost();
		buf_restart(ts);
		return;
	}
	h.magic = CDOC_ASTREAM_MAGIC;
	h.len = (uint32_t)(ts->len - HDR);
	h.instance = shim.instance;
	h.pid = shim.pid;
	h.tid = ts->tid;
	h.time_ns = shim_now_ns();
	memcpy(ts->buf, &h, HDR);
	send_all(ts->buf, ts->len);
	buf_restart(ts);
}

/* Where the record of a held allocation or pair count goes, while they
 * are written out: when the batch is full it is sent, and the next one
 * is SOLO too (they were all made while the process had one thread). */
unsigned char *shim_held_room(struct tstate *ts)
{
	if (ts->len + SHIM_REC_MAX > ts->cap) {
		send_batch(ts);
		ts->buf[ts->len++] = CDOC_AREC_SOLO;
		ts->solo = 1;
	}
	return ts->buf + ts->len;
}

/* Send @ts's batch now (caller holds ts->lock or owns ts alone). */
void shim_flush(struct tstate *ts)
{
	if (ts->len <= HDR || shim.fd < 0)
		return;
	shim_release_held(ts);
	send_batch(ts);
	batch_restart(ts);
	ts->last_ns = coarse_ns();
}

/* shim_reserve() when the batch is full, SOLO while the process has a
 * second thread now, or empty. */
unsigned char *shim_reserve_slow(struct tstate *ts, size_t need)
{
	if (ts->len + need > ts->cap || (ts->solo && shim.multi))
		shim_flush(ts);
	if (unlikely(ts->len == HDR) && !shim.multi) {
		ts->buf[ts->len++] = CDOC_AREC_SOLO;
		ts->solo = 1;
	}
	return ts->buf + ts->len;
}

/* shim_commit() every 16th event, and for each one of a thread or
 * process that is exiting. */
void shim_commit_slow(struct tstate *ts)
{
	if (ts->state == TS_DEAD || shim.exiting)
		shim_flush(ts);
	else if ((ts->nev & 15) == 0 &&
	         coarse_ns() - ts->last_ns > FLUSH_AGE_NS)
		shim_flush(ts);
}

/* At exit: send the batches of every thread (ours included). */
void shim_flush_all(void)
{
	struct tstate *t;

	shim_registry_lock();
	for (t = registry; t; t = t->next) {
		if (t == &shim_tls)
			continue;
		shim_take(t);
		shim_flush(t);
		shim_give(t);
	}
	shim_registry_unlock();
}

/*
 * In a fork child: only this thread exists; its old batch was sent. The
 * other threads' buffers and caches are given back (their batches were
 * sent by the parent's threads, or will be: they belong to the parent).
 */
void shim_threads_after_fork(struct tstate *ts)
{
	struct tstate *t, *next;

	pthread_mutex_init(&registry_mutex, NULL);
	for (t = registry; t; t = next) {
		next = t->next;
		if (t == ts)
			continue;
		batch_put(t);
		shim_stack_thread_end(t);
	}
	registry = NULL;
	shim.multi = 0; /* one thread again: SOLO batches, counter stamps */
	if (ts->state != TS_LIVE)
		return;
	ts->next = ts->prev = NULL;
	registry = ts;
	ts->tid = (uint32_t)syscall(SYS_gettid);
	atomic_store(&ts->stolen, 0);
	atomic_store(&ts->appending, 0);
}

/* Forget the batch in @ts's buffer (a fork child's copy of its parent's
 * unsent events). */
void shim_reset_batch(struct tstate *ts)
{
	batch_restart(ts);
	ts->last_alloc = 0;
}

void shim_send_hello(struct tstate *ts, uint64_t parent, uint32_t below)
{
	unsigned char *p = shim_reserve(ts, 64);
	uint64_t flags = 0;

	if (shim.track_mmap)
		flags |= CDOC_AHELLO_MMAP;
	if (shim.use_fp)
		flags |= CDOC_AHELLO_FP;
	if (parent)
		flags |= CDOC_AHELLO_FORK_CHILD;
	*p++ = CDOC_AREC_HELLO;
	p = put_v(p, parent);
	p = put_v(p, below);
	p = put_v(p, shim.sample_rate);
	p = put_v(p, flags);
	p = put_v(p, (uint64_t)getppid());
	shim_commit(ts, p);
}

static uint64_t hex(const char **s, const char *end)
{
	uint64_t v = 0;

	for (; *s < end; (*s)++) {
		char c = **s;
		int d = c >= '0' && c <= '9'   ? c - '0'
		        : c >= 'a' && c <= 'f' ? c - 'a' + 10
		                               : -1;
		if (d < 0)
			break;
		v = v * 16 + (uint64_t)d;
	}
	return v;
}

/* One /proc/self/maps line: "lo-hi perms off dev inode   path". */
static void send_map_line(struct tstate *ts, const char *s, const char *end)
{
	uint64_t lo, hi, off;
	const char *path;
	size_t plen;
	unsigned char *p;

	lo = hex(&s, end);
	s++;
	hi = hex(&s, end);
	if (s + 5 > end || s[3] != 'x')
		return;
	s += 6;
	off = hex(&s, end);
	path = memchr(s, '/', (size_t)(end - s));
	if (!path)
		return;
	plen = CDOC_MIN_SIZE((size_t)(end - path), 1024);
	p = shim_reserve(ts, plen + 48);
	*p++ = CDOC_AREC_MAP;
	p = put_v(p, lo);
	p = put_v(p, hi);
	p = put_v(p, off);
	p = put_v(p, plen);
	memcpy(p, path, plen);
	shim_commit(ts, p + plen);
}

/* Send the executable file mappings of this process. */
void shim_send_maps(struct tstate *ts)
{
	char *buf = shim_pages(MAPS_BUF_BYTES);
	size_t len = 0;
	ssize_t r;
	int fd;
	char *s, *nl;

	if (!buf)
		return;
	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		while (len < MAPS_BUF_BYTES &&
		       (r = read(fd, buf + len, MAPS_BUF_BYTES - len)) > 0)
			len += (size_t)r;
		close(fd);
	}
	for (s = buf; s < buf + len; s = nl + 1) {
		nl = memchr(s, '\n', (size_t)(buf + len - s));
		if (!nl)
			break;
		send_map_line(ts, s, nl);
	}
	shim_unpages(buf, MAPS_BUF_BYTES);
}

void shim_send_exit(struct tstate *ts)
{
	unsigned char *p;

	shim_release_held(ts); /* before EXIT: they may be leaks */
	p = shim_reserve(ts, 64);
	*p++ = CDOC_AREC_COUNTERS;
	p = put_v(p, atomic_load(&shim.reentrant));
	p = put_v(p, atomic_load(&shim.sample_full));
	p = put_v(p, atomic_load(&shim.stack_full));
	p = put_v(p,
	          atomic_load(&shim.write_errors) + atomic_load(&shim.fd_lost));
	*p++ = CDOC_AREC_EXIT;
	shim_commit(ts, p);
	shim_flush(ts);
}

/* Our own memory comes from the kernel directly, never from an
 * interposed mmap (which may be tracking). */
void *shim_pages(size_t len)
{
	long p = syscall(SYS_mmap, NULL, len, PROT_READ | PROT_WRITE,
	                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == -1 ? NULL : (void *)p;
}

void shim_unpages(void *p, size_t len)
{
	syscall(SYS_munmap, p, len);
}
