/*
 * fdsite.c - the descriptor functions the shim interposes, so that the
 * collector can keep the program's live descriptors by the call site that
 * opened them (lib/collect/fdsites.c), as it keeps live memory.
 *
 * Every wrapper calls the real function (dlsym(RTLD_NEXT), looked up on
 * first use; the raw system call while that lookup is not possible yet)
 * and returns exactly what it returned, errno included. On success it
 * appends an EXT record of kind CDOC_AEXT_FD (alloc/stream.h) to the
 * thread's batch: an OPEN names the descriptor, the call, its type, the
 * caller's stack (unwound and interned as allocation stacks are) and
 * whether it is close-on-exec; a CLOSE names the descriptor. Nothing is
 * recorded while tracking is off, inside the shim (its own descriptors,
 * lib/alloc/fd.c, and libunwind's are not the program's), or from a
 * signal handler that interrupted the shim (counted as re-entrant).
 *
 * Fork and exec: fork_prepare() writes a FORK op after the FORK record
 * (the child's table is a copy of the parent's at that point of the
 * stream); a process that starts tracking without a parent writes EXEC
 * (an exec'd image: the collector moves the descriptors of the old image
 * of the same pid, dropping the close-on-exec ones).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "alloc/internal.h"

#define EXPORT __attribute__((visibility("default")))

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* While this thread looks a real function up, nested calls (dlsym's
 * own) take the system call. */
static __thread int resolving __attribute__((tls_model("initial-exec")));

static void *resolve(const char *name)
{
	void *p;

	if (resolving)
		return NULL;
	resolving = 1;
	p = dlsym(RTLD_NEXT, name);
	resolving = 0;
	return p;
}

/* The real function @name (a pointer of that type), NULL while unknown. */
#define REAL(name)                                                             \
	(real_##name                                                           \
	         ? real_##name                                                 \
	         : (real_##name = (__typeof__(real_##name))resolve(#name)))

/* A call made by the shim itself or by libunwind (from @ra). */
static int internal(const void *ra)
{
	uintptr_t a = (uintptr_t)ra;

	return (a >= shim.self_lo && a < shim.self_hi) ||
	       (a >= shim.unw_lo && a < shim.unw_hi);
}

/* CDOC_ALLOC_FDS=0: descriptors are not tracked (allocations still
 * are); -1 until read. */
static int fds_off = -1;

static int tracking_off(void)
{
	const char *s;

	if (unlikely(fds_off < 0)) {
		s = getenv("CDOC_ALLOC_FDS");
		fds_off = s && !strcmp(s, "0");
	}
	return fds_off;
}

/* Whether an event of the program's may be recorded now. */
static int recording(const void *ra)
{
	struct tstate *ts = &shim_tls;

	if (!shim.enabled || internal(ra) || tracking_off())
		return 0;
	if (ts->busy) {
		if (!ts->internal)
			atomic_fetch_add(&shim.reentrant, 1);
		return 0;
	}
	return 1;
}

static void send_op(const unsigned char *pl, size_t len)
{
	int saved = errno;

	shim_ext(CDOC_AEXT_FD, pl, len, 0);
	errno = saved;
}

/* OPEN of @fd: the caller's stack id first (its STACK record, when new,
 * goes before the EXT record in this thread's batch). */
static __attribute__((noinline)) void put_open(int call, int type, int fd,
                                               int cloexec)
{
	struct tstate *ts = &shim_tls;
	unsigned char pl[64], *p = pl;
	uint32_t id;
	int saved = errno;

	ts->busy = 1;
	ts = shim_thread();
	shim_lock(ts);
	id = shim_stack_id(ts, NULL);
	shim_unlock(ts);
	ts->busy = 0;
	p = put_v(p, CDOC_AFD_OPEN);
	p = put_v(p, (uint64_t)fd);
	p = put_v(p, (uint64_t)call);
	p = put_v(p, (uint64_t)type);
	p = put_v(p, id);
	p = put_v(p, cloexec ? CDOC_AFD_CLOEXEC : 0);
	send_op(pl, (size_t)(p - pl));
	errno = saved;
}

static void put_close(int fd)
{
	unsigned char pl[16], *p = pl;

	p = put_v(p, CDOC_AFD_CLOSE);
	p = put_v(p, (uint64_t)fd);
	send_op(pl, (size_t)(p - pl));
}

/* The type of descriptor @fd (a dup's copy of whatever it was). */
static int type_of(int fd)
{
	struct stat st;
	int saved = errno, t = CDOC_AFD_TYPE_OTHER;

	if (fstat(fd, &st) == 0) {
		if (S_ISSOCK(st.st_mode))
			t = CDOC_AFD_TYPE_SOCKET;
		else if (S_ISFIFO(st.st_mode))
			t = CDOC_AFD_TYPE_PIPE;
		else if (st.st_ino && !S_ISLNK(st.st_mode) &&
		         (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) ||
		          S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)))
			t = CDOC_AFD_TYPE_FILE;
	}
	errno = saved;
	return t;
}

/* After a call that returned @fd (>= 0 on success), from @ra. */
#define OPENED(ra, fd, call, type, cloexec)                                    \
	do {                                                                   \
		if ((fd) >= 0 && recording(ra))                                \
			put_open(call, type, fd, cloexec);                     \
	} while (0)

static int mode_needed(int flags)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

/* ---- open and friends ---- */

static int (*real_openat)(int, const char *, int, ...);

static int do_openat(int dir, const char *path, int flags, mode_t mode,
                     const void *ra)
{
	int fd;

	if (REAL(openat))
		fd = real_openat(dir, path, flags, mode);
	else
		fd = (int)syscall(SYS_openat, dir, path, flags, mode);
	OPENED(ra, fd, CDOC_AFD_CALL_OPEN, CDOC_AFD_TYPE_FILE,
	       flags & O_CLOEXEC);
	return fd;
}

#define MODE_ARG(flags, mode)                                                  \
	do {                                                                   \
		if (mode_needed(flags)) {                                      \
			va_list ap;                                            \
			va_start(ap, flags);                                   \
			mode = va_arg(ap, mode_t);                             \
			va_end(ap);                                            \
		}                                                              \
	} while (0)

EXPORT int open(const char *path, int flags, ...)
{
	mode_t mode = 0;

	MODE_ARG(flags, mode);
	return do_openat(AT_FDCWD, path, flags, mode,
	                 __builtin_return_address(0));
}

EXPORT int open64(const char *path, int flags, ...)
{
	mode_t mode = 0;

	MODE_ARG(flags, mode);
	return do_openat(AT_FDCWD, path, flags, mode,
	                 __builtin_return_address(0));
}

EXPORT int openat(int dir, const char *path, int flags, ...)
{
	mode_t mode = 0;

	MODE_ARG(flags, mode);
	return do_openat(dir, path, flags, mode, __builtin_return_address(0));
}

EXPORT int openat64(int dir, const char *path, int flags, ...)
{
	mode_t mode = 0;

	MODE_ARG(flags, mode);
	return do_openat(dir, path, flags, mode, __builtin_return_address(0));
}

/* _FORTIFY_SOURCE's checked versions (no mode: O_CREAT is refused). */
EXPORT int __open_2(const char *path, int flags)
{
	return do_openat(AT_FDCWD, path, flags, 0, __builtin_return_address(0));
}

EXPORT int __open64_2(const char *path, int flags)
{
	return do_openat(AT_FDCWD, path, flags, 0, __builtin_return_address(0));
}

EXPORT int __openat_2(int dir, const char *path, int flags)
{
	return do_openat(dir, path, flags, 0, __builtin_return_address(0));
}

EXPORT int __openat64_2(int dir, const char *path, int flags)
{
	return do_openat(dir, path, flags, 0, __builtin_return_address(0));
}

static int (*real_creat)(const char *, mode_t);

EXPORT int creat(const char *path, mode_t mode)
{
	int fd;

	if (REAL(creat))
		fd = real_creat(path, mode);
	else
		fd = (int)syscall(SYS_creat, path, mode);
	OPENED(__builtin_return_address(0), fd, CDOC_AFD_CALL_CREAT,
	       CDOC_AFD_TYPE_FILE, 0);
	return fd;
}

EXPORT int creat64(const char *path, mode_t mode)
        __attribute__((alias("creat")));

/* ---- sockets ---- */

static int (*real_socket)(int, int, int);
static int (*real_socketpair)(int, int, int, int[2]);
static int (*real_accept)(int, struct sockaddr *, socklen_t *);
static int (*real_accept4)(int, struct sockaddr *, socklen_t *, int);

EXPORT int socket(int domain, int type, int proto)
{
	int fd;

	if (REAL(socket))
		fd = real_socket(domain, type, proto);
	else
		fd = (int)syscall(SYS_socket, domain, type, proto);
	OPENED(__builtin_return_address(0), fd, CDOC_AFD_CALL_SOCKET,
	       CDOC_AFD_TYPE_SOCKET, type & SOCK_CLOEXEC);
	return fd;
}

EXPORT int socketpair(int domain, int type, int proto, int sv[2])
{
	const void *ra = __builtin_return_address(0);
	int r;

	if (REAL(socketpair))
		r = real_socketpair(domain, type, proto, sv);
	else
		r = (int)syscall(SYS_socketpair, domain, type, proto, sv);
	if (r == 0) {
		OPENED(ra, sv[0], CDOC_AFD_CALL_SOCKETPAIR,
		       CDOC_AFD_TYPE_SOCKET, type & SOCK_CLOEXEC);
		OPENED(ra, sv[1], CDOC_AFD_CALL_SOCKETPAIR,
		       CDOC_AFD_TYPE_SOCKET, type & SOCK_CLOEXEC);
	}
	return r;
}

EXPORT int accept(int s, struct sockaddr *addr, socklen_t *len)
{
	int fd;

	if (REAL(accept))
		fd = real_accept(s, addr, len);
	else
		fd = (int)syscall(SYS_accept, s, addr, len);
	OPENED(__builtin_return_address(0), fd, CDOC_AFD_CALL_ACCEPT,
	       CDOC_AFD_TYPE_SOCKET, 0);
	return fd;
}

EXPORT int accept4(int s, struct sockaddr *addr, socklen_t *len, int flags)
{
	int fd;

	if (REAL(accept4))
		fd = real_accept4(s, addr, len, flags);
	else
		fd = (int)syscall(SYS_accept4, s, addr, len, flags);
	OPENED(__builtin_return_address(0), fd, CDOC_AFD_CALL_ACCEPT,
	       CDOC_AFD_TYPE_SOCKET, flags & SOCK_CLOEXEC);
	return fd;
}

/* ---- pipes (pipe2 is shim.c's, which hands libunwind's pipe to fd.c
 * and the program's to shim_fdsite_pipe) ---- */

static int (*real_pipe)(int[2]);

void shim_fdsite_pipe(int fds[2], int flags, const void *ra)
{
	OPENED(ra, fds[0], CDOC_AFD_CALL_PIPE, CDOC_AFD_TYPE_PIPE,
	       flags & O_CLOEXEC);
	OPENED(ra, fds[1], CDOC_AFD_CALL_PIPE, CDOC_AFD_TYPE_PIPE,
	       flags & O_CLOEXEC);
}

EXPORT int pipe(int fds[2])
{
	int r;

	if (REAL(pipe))
		r = real_pipe(fds);
	else
		r = (int)syscall(SYS_pipe2, fds, 0);
	if (r == 0)
		shim_fdsite_pipe(fds, 0, __builtin_return_address(0));
	return r;
}

/* ---- duplicates ---- */

static int (*real_dup)(int);
static int (*real_dup2)(int, int);
static int (*real_dup3)(int, int, int);
static int (*real_fcntl)(int, int, ...);
static int (*real_fcntl64)(int, int, ...);

static void duped(const void *ra, int fd, int cloexec)
{
	if (fd >= 0 && recording(ra))
		put_open(CDOC_AFD_CALL_DUP, type_of(fd), fd, cloexec);
}

EXPORT int dup(int old)
{
	int fd;

	if (REAL(dup))
		fd = real_dup(old);
	else
		fd = (int)syscall(SYS_dup, old);
	duped(__builtin_return_address(0), fd, 0);
	return fd;
}

EXPORT int dup2(int old, int new)
{
	int fd;

	if (REAL(dup2))
		fd = real_dup2(old, new);
	else
		fd = old == new ? (int)syscall(SYS_fcntl, old, F_GETFD) < 0
		                          ? -1
		                          : new
		                : (int)syscall(SYS_dup3, old, new, 0);
	if (old != new)
		duped(__builtin_return_address(0), fd, 0);
	return fd;
}

EXPORT int dup3(int old, int new, int flags)
{
	int fd;

	if (REAL(dup3))
		fd = real_dup3(old, new, flags);
	else
		fd = (int)syscall(SYS_dup3, old, new, flags);
	duped(__builtin_return_address(0), fd, flags & O_CLOEXEC);
	return fd;
}

/* What fcntl() did to the table: a duplicate, or close-on-exec set or
 * cleared. */
static void after_fcntl(const void *ra, int fd, int cmd, long arg, int r)
{
	unsigned char pl[24], *p = pl;

	if (r < 0)
		return;
	if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) {
		duped(ra, r, cmd == F_DUPFD_CLOEXEC);
	} else if (cmd == F_SETFD && recording(ra)) {
		p = put_v(p, CDOC_AFD_SETFD);
		p = put_v(p, (uint64_t)fd);
		p = put_v(p, (arg & FD_CLOEXEC) ? CDOC_AFD_CLOEXEC : 0);
		send_op(pl, (size_t)(p - pl));
	}
}

static int fcntl_raw(int fd, int cmd, void *arg)
{
	return (int)syscall(SYS_fcntl, fd, cmd, arg);
}

EXPORT int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;
	int r;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	r = REAL(fcntl) ? real_fcntl(fd, cmd, arg) : fcntl_raw(fd, cmd, arg);
	after_fcntl(__builtin_return_address(0), fd, cmd, (long)arg, r);
	return r;
}

EXPORT int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;
	int r;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	r = REAL(fcntl64) ? real_fcntl64(fd, cmd, arg)
	                  : fcntl_raw(fd, cmd, arg);
	after_fcntl(__builtin_return_address(0), fd, cmd, (long)arg, r);
	return r;
}

/* ---- other kinds ---- */

static int (*real_eventfd)(unsigned, int);
static int (*real_timerfd_create)(int, int);
static int (*real_epoll_create)(int);
static int (*real_epoll_create1)(int);
static int (*real_signalfd)(int, const sigset_t *, int);
static int (*real_memfd_create)(const char *, unsigned);

EXPORT int eventfd(unsigned init, int flags)
{
	int fd;

	if (REAL(eventfd))
		fd = real_eventfd(init, flags);
	else
		fd = (int)syscall(SYS_eventfd2, init, flags);
	OPENED(__builtin_return_address(0), fd, CDOC_AFD_CALL_EVENTFD,
	       CDOC_AFD_TYPE_OTHER, flags & EFD_CLOEXEC);
	return fd;
}

EXPORT int timerfd_create(int clock, int flags)
{
	int fd;

	if (REAL(timerfd_create))
		fd = real_timerfd_create(clock, flags);
	else
		fd = (int)syscall(SYS_timerfd_create, clock, flags);
	OPENED(__builtin_return_address(0), fd, CDOC_AFD_CALL_TIMERFD,
	       CDOC_AFD_TYPE_OTHER, flags & TFD_CLOEXEC);
	return fd;
}

EXPORT int epoll_create(int size)
{
	int fd;

	if (REAL(epoll_create))
		fd = real_epoll_create(size);
	else
		fd = size <= 0 ? (errno = EINVAL, -1)
		               : (int)syscall(SYS_epoll_create1, 0);
	OPENED(__builtin_return_address(0), fd, CDOC_AFD_CALL_EPOLL,
	       CDOC_AFD_TYPE_OTHER, 0);
	return fd;
}

EXPORT int epoll_create1(int flags)
{
	int fd;

	if (REAL(epoll_create1))
		fd = real_epoll_create1(flags);
	else
		fd = (int)syscall(SYS_epoll_create1, flags);
	OPENED(__builtin_return_address(0), fd, CDOC_AFD_CALL_EPOLL,
	       CDOC_AFD_TYPE_OTHER, flags & EPOLL_CLOEXEC);
	return fd;
}

EXPORT int signalfd(int fd, const sigset_t *mask, int flags)
{
	int r;

	if (REAL(signalfd))
		r = real_signalfd(fd, mask, flags);
	else
		r = (int)syscall(SYS_signalfd4, fd, mask, _NSIG / 8, flags);
	if (fd == -1) /* a new descriptor, not a new mask for one */
		OPENED(__builtin_return_address(0), r, CDOC_AFD_CALL_SIGNALFD,
		       CDOC_AFD_TYPE_OTHER, flags & SFD_CLOEXEC);
	return r;
}

EXPORT int memfd_create(const char *name, unsigned flags)
{
	int fd;

	if (REAL(memfd_create))
		fd = real_memfd_create(name, flags);
	else
		fd = (int)syscall(SYS_memfd_create, name, flags);
	OPENED(__builtin_return_address(0), fd, CDOC_AFD_CALL_MEMFD,
	       CDOC_AFD_TYPE_FILE, flags & MFD_CLOEXEC);
	return fd;
}

/* ---- stdio streams: libc opens and closes their descriptors itself,
 * without the interposable functions ---- */

static FILE *(*real_fopen)(const char *, const char *);
static FILE *(*real_fopen64)(const char *, const char *);
static FILE *(*real_freopen)(const char *, const char *, FILE *);
static int (*real_fclose)(FILE *);

static void stream_opened(const void *ra, FILE *f, const char *mode)
{
	if (f)
		OPENED(ra, fileno(f), CDOC_AFD_CALL_FOPEN, CDOC_AFD_TYPE_FILE,
		       mode && strchr(mode, 'e'));
}

EXPORT FILE *fopen(const char *path, const char *mode)
{
	FILE *f;

	if (!REAL(fopen)) {
		errno = ENOMEM;
		return NULL;
	}
	f = real_fopen(path, mode);
	stream_opened(__builtin_return_address(0), f, mode);
	return f;
}

EXPORT FILE *fopen64(const char *path, const char *mode)
{
	FILE *f;

	if (!REAL(fopen64)) {
		errno = ENOMEM;
		return NULL;
	}
	f = real_fopen64(path, mode);
	stream_opened(__builtin_return_address(0), f, mode);
	return f;
}

EXPORT FILE *freopen(const char *path, const char *mode, FILE *old)
{
	const void *ra = __builtin_return_address(0);
	int fd = old ? fileno(old) : -1;
	FILE *f;

	if (!REAL(freopen)) {
		errno = ENOMEM;
		return NULL;
	}
	f = real_freopen(path, mode, old);
	if (fd >= 0 && recording(ra))
		put_close(fd);
	stream_opened(ra, f, mode);
	return f;
}

EXPORT int fclose(FILE *f)
{
	const void *ra = __builtin_return_address(0);
	int fd = f ? fileno(f) : -1, r;

	if (!REAL(fclose)) {
		errno = EBADF;
		return EOF;
	}
	r = real_fclose(f);
	/* the descriptor is closed even when flushing failed */
	if (fd >= 0 && recording(ra))
		put_close(fd);
	return r;
}

/* ---- closing ---- */

static int (*real_close)(int);
static int (*real_close_range)(unsigned, unsigned, int);

EXPORT int close(int fd)
{
	const void *ra = __builtin_return_address(0);
	int r;

	if (REAL(close))
		r = real_close(fd);
	else
		r = (int)syscall(SYS_close, fd);
	/* Linux releases the number whatever close() returns, but for
	 * EBADF (it was not open) */
	if (fd >= 0 && (r == 0 || errno != EBADF) && recording(ra))
		put_close(fd);
	return r;
}

EXPORT int close_range(unsigned first, unsigned last, int flags)
{
	const void *ra = __builtin_return_address(0);
	unsigned char pl[40], *p = pl;
	int r;

	if (REAL(close_range))
		r = real_close_range(first, last, flags);
	else
		r = (int)syscall(SYS_close_range, first, last, flags);
	if (r == 0 && recording(ra)) {
		p = put_v(p, CDOC_AFD_RANGE);
		p = put_v(p, first);
		p = put_v(p, last);
		p = put_v(p,
		          (flags & CLOSE_RANGE_CLOEXEC) ? CDOC_AFD_CLOEXEC : 0);
		send_op(pl, (size_t)(p - pl));
	}
	return r;
}

/* ---- exec: the image's unsent events would be lost with it ---- */

/* Send this thread's batch before the image is replaced (other threads'
 * batches die with them; a vfork child sends its parent's thread's batch,
 * which it shares, once). A failed exec only sent it early. */
static void before_exec(void)
{
	struct tstate *ts = &shim_tls;
	int saved = errno;

	if (!shim.enabled || ts->busy || ts->state != TS_LIVE)
		return;
	ts->busy = 1;
	shim_lock(ts);
	shim_flush(ts);
	shim_unlock(ts);
	ts->busy = 0;
	errno = saved;
}

static int (*real_execve)(const char *, char *const[], char *const[]);
static int (*real_execv)(const char *, char *const[]);
static int (*real_execvp)(const char *, char *const[]);
static int (*real_execvpe)(const char *, char *const[], char *const[]);
static int (*real_fexecve)(int, char *const[], char *const[]);

#define EXEC_ENTRY(name, params, args)                                         \
	EXPORT int name params                                                 \
	{                                                                      \
		before_exec();                                                 \
		if (!REAL(name)) {                                             \
			errno = ENOSYS;                                        \
			return -1;                                             \
		}                                                              \
		return real_##name args;                                       \
	}

EXEC_ENTRY(execve, (const char *p, char *const a[], char *const e[]), (p, a, e))
EXEC_ENTRY(execv, (const char *p, char *const a[]), (p, a))
EXEC_ENTRY(execvp, (const char *p, char *const a[]), (p, a))
EXEC_ENTRY(execvpe, (const char *p, char *const a[], char *const e[]),
           (p, a, e))
EXEC_ENTRY(fexecve, (int fd, char *const a[], char *const e[]), (fd, a, e))

/* The execl family: the arguments into an array, then the v form. */
#define ARGS_TO_ARRAY(ap, n)                                                   \
	do {                                                                   \
		va_list cp;                                                    \
		va_copy(cp, ap);                                               \
		for (n = 1; va_arg(cp, char *); n++)                           \
			;                                                      \
		va_end(cp);                                                    \
	} while (0)

/* argv[0..n] of an execl call: @arg, then the n - 1 arguments after it
 * in *@ap and their NULL. */
static void args_fill(char **argv, const char *arg, va_list *ap, size_t n)
{
	argv[0] = (char *)arg;
	for (size_t i = 1; i <= n; i++)
		argv[i] = va_arg(*ap, char *);
}

EXPORT int execl(const char *path, const char *arg, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, arg);
	ARGS_TO_ARRAY(ap, n);
	{
		char *argv[n + 1];

		args_fill(argv, arg, &ap, n);
		va_end(ap);
		return execv(path, argv);
	}
}

EXPORT int execlp(const char *file, const char *arg, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, arg);
	ARGS_TO_ARRAY(ap, n);
	{
		char *argv[n + 1];

		args_fill(argv, arg, &ap, n);
		va_end(ap);
		return execvp(file, argv);
	}
}

EXPORT int execle(const char *path, const char *arg, ...)
{
	va_list ap;
	size_t n;
	char *const *envp;

	va_start(ap, arg);
	ARGS_TO_ARRAY(ap, n);
	{
		char *argv[n + 1];

		args_fill(argv, arg, &ap, n);
		envp = va_arg(ap, char *const *);
		va_end(ap);
		return execve(path, argv, envp);
	}
}

/* ---- fork and exec (called by shim.c, batch locked) ---- */

static void put_ext(struct tstate *ts, const unsigned char *pl, size_t len)
{
	unsigned char *p = shim_reserve(ts, len + 24);

	*p++ = CDOC_AREC_EXT;
	p = put_v(p, CDOC_AEXT_FD);
	p = put_v(p, len);
	memcpy(p, pl, len);
	shim_commit(ts, p + len);
}

void shim_fdsite_fork(struct tstate *ts, uint64_t child)
{
	unsigned char pl[24], *p = pl;

	p = put_v(p, CDOC_AFD_FORK);
	p = put_v(p, child);
	put_ext(ts, pl, (size_t)(p - pl));
}

void shim_fdsite_exec(struct tstate *ts)
{
	unsigned char op = CDOC_AFD_EXEC;

	put_ext(ts, &op, 1);
}
