/*
 * loop.c - event-loop ticks: the wait calls of an event loop (epoll_wait,
 * epoll_pwait, epoll_pwait2, poll, ppoll, select, pselect and the
 * fortified __poll_chk, __ppoll_chk), wrapped to time the work between
 * them.
 *
 * A tick is the time from a wait call returning on a thread to that
 * thread's next wait call: one turn of its loop's work. Each thread keeps
 * (in static TLS) a histogram of its ticks, their count and total, the
 * time spent inside the waits, the longest, and the long ticks (at least
 * CDOC_ALLOC_ENV_LONG_TICK ns) with their times, and sends them as an EXT
 * TICKS record (alloc/stream.h) on entry to a wait once 200 ms have
 * passed since its last one (so a thread about to sit in a wait for long
 * has sent what it had), when its list of long ticks is full, and at
 * process exit for the thread that runs the destructors.
 *
 * What the program gets is the real call's: same arguments, same return,
 * errno as the call left it; a cancellation point stays one (the real
 * function is called). The cost is two CLOCK_MONOTONIC reads (vDSO) per
 * wait. Nothing is counted while tracking is off, inside the shim's own
 * calls (its poll while a batch is sent), or in a wait made by a signal
 * handler that interrupted a wrapper on the same thread.
 */
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>

#include "alloc/internal.h"

#define EXPORT     __attribute__((visibility("default")))
#define SEND_NS    200000000ull /* a thread's ticks go out this often */
#define LOOP_LONGS 32           /* long ticks kept between sends */

/* One thread's ticks since its last TICKS record. */
struct lstate {
	int depth;       /* inside a wrapper */
	uint64_t ret_ns; /* when its last wait returned; 0: none yet */
	uint64_t in_ns;  /* when the current wait was entered */
	uint64_t sent_ns;
	uint64_t waits; /* wait calls so far */
	uint64_t nticks, busy_ns, wait_ns, max_ns;
	uint64_t hist[CDOC_AEXT_TICK_BUCKETS];
	uint32_t nlongs;
	struct {
		uint64_t start, dur;
	} longs[LOOP_LONGS];
};

static __thread struct lstate lst __attribute__((tls_model("initial-exec")));
static uint64_t long_tick_ns = CDOC_ALLOC_LONG_TICK_NS;

static int (*real_epoll_wait)(int, struct epoll_event *, int, int);
static int (*real_epoll_pwait)(int, struct epoll_event *, int, int,
                               const sigset_t *);
static int (*real_epoll_pwait2)(int, struct epoll_event *, int,
                                const struct timespec *, const sigset_t *);
static int (*real_poll)(struct pollfd *, nfds_t, int);
static int (*real_ppoll)(struct pollfd *, nfds_t, const struct timespec *,
                         const sigset_t *);
static int (*real_select)(int, fd_set *, fd_set *, fd_set *, struct timeval *);
static int (*real_pselect)(int, fd_set *, fd_set *, fd_set *,
                           const struct timespec *, const sigset_t *);
static int (*real_poll_chk)(struct pollfd *, nfds_t, int, size_t);
static int (*real_ppoll_chk)(struct pollfd *, nfds_t, const struct timespec *,
                             const sigset_t *, size_t);

/* The real function (looked up on first use when our constructor has not
 * run yet: another library's constructor waiting). */
#define REAL(name, sym)                                                        \
	(likely(real_##name) ? real_##name                                     \
	                     : (real_##name = dlsym(RTLD_NEXT, sym)))

__attribute__((constructor)) static void loop_init(void)
{
	const char *s = getenv(CDOC_ALLOC_ENV_LONG_TICK);
	char *end;
	unsigned long long v;

	REAL(epoll_wait, "epoll_wait");
	REAL(epoll_pwait, "epoll_pwait");
	REAL(epoll_pwait2, "epoll_pwait2");
	REAL(poll, "poll");
	REAL(ppoll, "ppoll");
	REAL(select, "select");
	REAL(pselect, "pselect");
	REAL(poll_chk, "__poll_chk");
	REAL(ppoll_chk, "__ppoll_chk");
	if (s && *s) {
		v = strtoull(s, &end, 10);
		if (!*end && v)
			long_tick_ns = v;
	}
}

static unsigned bucket(uint64_t ns)
{
	uint64_t us = ns / 1000;
	unsigned b;

	if (us < 2)
		return 0;
	b = 63 - (unsigned)__builtin_clzll(us);
	return b < CDOC_AEXT_TICK_BUCKETS ? b : CDOC_AEXT_TICK_BUCKETS - 1;
}

/* Send what @l holds as of @now (EXT TICKS) and start over. */
static void send_ticks(struct lstate *l, uint64_t now, int flush)
{
	unsigned char buf[CDOC_AEXT_MAX], *p = buf;
	unsigned nb = CDOC_AEXT_TICK_BUCKETS, i;

	while (nb && !l->hist[nb - 1])
		nb--;
	p = put_v(p, now);
	p = put_v(p, l->waits);
	p = put_v(p, l->nticks);
	p = put_v(p, l->busy_ns);
	p = put_v(p, l->wait_ns);
	p = put_v(p, l->max_ns);
	p = put_v(p, nb);
	for (i = 0; i < nb; i++)
		p = put_v(p, l->hist[i]);
	p = put_v(p, l->nlongs);
	for (i = 0; i < l->nlongs; i++) {
		p = put_v(p, now - l->longs[i].start);
		p = put_v(p, l->longs[i].dur);
	}
	/* fits: 33 + 24 + 32 * 2 varints of at most 10 bytes is < 1024 */
	if (shim_ext(CDOC_AEXT_TICKS, buf, (size_t)(p - buf), flush) < 0)
		return; /* inside the shim: kept for the next wait */
	l->sent_ns = now;
	l->nticks = l->busy_ns = l->wait_ns = l->max_ns = 0;
	memset(l->hist, 0, sizeof(l->hist));
	l->nlongs = 0;
}

/* The tick that ends now, at @now. */
static void end_tick(struct lstate *l, uint64_t now)
{
	uint64_t d = now - l->ret_ns;

	l->nticks++;
	l->busy_ns += d;
	l->hist[bucket(d)]++;
	if (d > l->max_ns)
		l->max_ns = d;
	if (d >= long_tick_ns && l->nlongs < LOOP_LONGS) {
		l->longs[l->nlongs].start = l->ret_ns;
		l->longs[l->nlongs].dur = d;
		l->nlongs++;
	}
}

/* Entering a wait: 1 when this call is timed (wait_end() must follow). */
static int wait_begin(struct lstate *l)
{
	uint64_t now;
	int saved;

	if (likely(!shim.enabled) || l->depth || shim_tls.busy)
		return 0;
	l->depth = 1;
	atomic_signal_fence(memory_order_seq_cst);
	saved = errno;
	now = shim_now_ns();
	if (l->ret_ns)
		end_tick(l, now);
	l->in_ns = now;
	if (!l->sent_ns) {
		l->sent_ns = now;
	} else if (l->nticks &&
	           (now - l->sent_ns >= SEND_NS || l->nlongs == LOOP_LONGS)) {
		send_ticks(l, now, 1);
		l->in_ns = shim_now_ns(); /* the send is not waiting */
	}
	errno = saved;
	return 1;
}

static void wait_end(struct lstate *l, int timed)
{
	uint64_t now;

	if (!timed)
		return;
	now = shim_now_ns(); /* the vDSO: errno untouched */
	l->wait_ns += now - l->in_ns;
	l->waits++;
	l->ret_ns = now;
	atomic_signal_fence(memory_order_seq_cst);
	l->depth = 0;
}

/* The body of every wrapper: time the real call @call. */
#define TIMED(name, sym, call)                                                 \
	do {                                                                   \
		struct lstate *l = &lst;                                       \
		int timed, r;                                                  \
		if (unlikely(!REAL(name, sym))) {                              \
			errno = ENOSYS;                                        \
			return -1;                                             \
		}                                                              \
		timed = wait_begin(l);                                         \
		r = call;                                                      \
		wait_end(l, timed);                                            \
		return r;                                                      \
	} while (0)

EXPORT int epoll_wait(int fd, struct epoll_event *ev, int max, int timeout)
{
	TIMED(epoll_wait, "epoll_wait", real_epoll_wait(fd, ev, max, timeout));
}

EXPORT int epoll_pwait(int fd, struct epoll_event *ev, int max, int timeout,
                       const sigset_t *ss)
{
	TIMED(epoll_pwait, "epoll_pwait",
	      real_epoll_pwait(fd, ev, max, timeout, ss));
}

int epoll_pwait2(int fd, struct epoll_event *ev, int max,
                 const struct timespec *timeout, const sigset_t *ss);
EXPORT int epoll_pwait2(int fd, struct epoll_event *ev, int max,
                        const struct timespec *timeout, const sigset_t *ss)
{
	TIMED(epoll_pwait2, "epoll_pwait2",
	      real_epoll_pwait2(fd, ev, max, timeout, ss));
}

EXPORT int poll(struct pollfd *fds, nfds_t n, int timeout)
{
	TIMED(poll, "poll", real_poll(fds, n, timeout));
}

EXPORT int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *timeout,
                 const sigset_t *ss)
{
	TIMED(ppoll, "ppoll", real_ppoll(fds, n, timeout, ss));
}

EXPORT int select(int n, fd_set *rd, fd_set *wr, fd_set *ex,
                  struct timeval *timeout)
{
	TIMED(select, "select", real_select(n, rd, wr, ex, timeout));
}

EXPORT int pselect(int n, fd_set *rd, fd_set *wr, fd_set *ex,
                   const struct timespec *timeout, const sigset_t *ss)
{
	TIMED(pselect, "pselect", real_pselect(n, rd, wr, ex, timeout, ss));
}

/* _FORTIFY_SOURCE builds call these when the array's size is known. */
int __poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t fdslen);
int __ppoll_chk(struct pollfd *fds, nfds_t n, const struct timespec *timeout,
                const sigset_t *ss, size_t fdslen);

EXPORT int __poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t fdslen)
{
	TIMED(poll_chk, "__poll_chk", real_poll_chk(fds, n, timeout, fdslen));
}

EXPORT int __ppoll_chk(struct pollfd *fds, nfds_t n,
                       const struct timespec *timeout, const sigset_t *ss,
                       size_t fdslen)
{
	TIMED(ppoll_chk, "__ppoll_chk",
	      real_ppoll_chk(fds, n, timeout, ss, fdslen));
}

/* A fork child starts with none of its parent's ticks (they are the
 * parent's to send); the tick in progress goes on. */
static void loop_child(void)
{
	struct lstate *l = &lst;

	l->nticks = l->busy_ns = l->wait_ns = l->max_ns = 0;
	memset(l->hist, 0, sizeof(l->hist));
	l->nlongs = 0;
	l->waits = 0;
	l->sent_ns = 0;
}

__attribute__((constructor)) static void loop_atfork(void)
{
	pthread_atfork(NULL, NULL, loop_child);
}

/* At exit (before the shim's destructor sends the last batches): the
 * ticks of the thread that exits. */
__attribute__((destructor)) static void loop_fini(void)
{
	struct lstate *l = &lst;
	int saved = errno;

	if (shim.enabled && !l->depth && l->nticks)
		send_ticks(l, shim_now_ns(), 1);
	errno = saved;
}
