/*
 * fd.c - the shim's descriptors, kept out of the program's way.
 *
 * The program owns every descriptor number it can be given: a daemon
 * closes 3-1023 at start and opens its log on 3, dup2() puts files on
 * numbers it chooses. So the shim holds no low descriptor. The channel to
 * the collector and libunwind's memory-check pipe are moved to numbers
 * at or above the soft RLIMIT_NOFILE at start (the soft limit is raised
 * for the moment it takes, when the hard limit allows: the program can
 * then never be given those numbers), else just below the smaller of the
 * limit and 4096. Before each use they are checked to be still ours
 * (fstat: the same inode). A channel the program closed is never written
 * to again; a pipe the program closed is made again by libunwind through
 * the pipe2() below; a number the program reused keeps libunwind from
 * running, so that it never reads, writes or closes the program's file.
 * Each of these is counted (as a send error).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "alloc/internal.h"

#define SPREAD  64   /* numbers kept free below a fallback base */
#define LOW_CAP 4096 /* fallback base at most this, whatever the limit */

/* A record of getdents64 (the libc's struct dirent64 needs _GNU_SOURCE). */
struct ldirent {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

static int base = -1;     /* where new descriptors of ours go */
static int raised;        /* the soft limit is raised for now */
static rlim_t saved_soft; /* the program's soft limit */
static int unw_pipe[2] = {-1, -1};
static ino_t unw_ino; /* of libunwind's pipe, when known */

/* The base below the soft limit, for descriptors made while it is not
 * raised. */
static int fallback_base(void)
{
	struct rlimit rl;
	rlim_t soft = 1024;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		soft = rl.rlim_cur;
	if (soft > LOW_CAP)
		soft = LOW_CAP;
	if (soft <= 2 * SPREAD)
		return soft > 6 ? (int)soft / 2 : 3;
	return (int)soft - SPREAD;
}

void shim_fd_begin(void)
{
	struct rlimit rl;
	rlim_t want;

	base = fallback_base();
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_max <= rl.rlim_cur)
		return;
	want = rl.rlim_cur + SPREAD;
	saved_soft = rl.rlim_cur;
	if (want > rl.rlim_max)
		want = rl.rlim_max;
	rl.rlim_cur = want;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	raised = 1;
	base = (int)saved_soft;
}

void shim_fd_end(void)
{
	struct rlimit rl;

	if (raised && getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = saved_soft;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	raised = 0;
	base = fallback_base();
}

int shim_fd_high(int fd, int cloexec)
{
	int hi;

	if (base < 0)
		base = fallback_base();
	if (fd >= base)
		return fd;
	hi = fcntl(fd, cloexec ? F_DUPFD_CLOEXEC : F_DUPFD, base);
	if (hi < 0)
		return fd;
	close(fd); /* ours: we made it, or the collector made it for us */
	return hi;
}

static ino_t ino_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

void shim_fd_unwinder_pipe(int fds[2])
{
	fds[0] = shim_fd_high(fds[0], 1);
	fds[1] = shim_fd_high(fds[1], 1);
	unw_pipe[0] = fds[0];
	unw_pipe[1] = fds[1];
	unw_ino = ino_of(fds[0]);
}

/* 0: @fd is libunwind's pipe still (or closed: libunwind makes a new
 * one); -1: it names a file of the program's now. */
static int pipe_end_ok(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return errno == EBADF ? 1 : -1;
	return st.st_ino == unw_ino && S_ISFIFO(st.st_mode) ? 0 : -1;
}

int shim_fd_unwinder_ok(void)
{
	int a, b;

	if (unw_pipe[0] < 0)
		return 1;
	a = pipe_end_ok(unw_pipe[0]);
	b = pipe_end_ok(unw_pipe[1]);
	if (a < 0 || b < 0) {
		atomic_fetch_add(&shim.fd_lost, 1);
		return 0;
	}
	if (a > 0 || b > 0) { /* closed: libunwind's next check remakes it */
		atomic_fetch_add(&shim.fd_lost, 1);
		unw_pipe[0] = unw_pipe[1] = -1;
	}
	return 1;
}

int shim_fd_channel_ok(void)
{
	struct stat st;
	int fd = shim.fd;

	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    (uint64_t)st.st_ino == shim.channel_ino)
		return 1;
	return 0;
}

/* The descriptor of this process that is the socket @ino, or -1: after
 * exec, the channel is where the process that exec'd had moved it. */
int shim_fd_find(uint64_t ino)
{
	char buf[2048];
	int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int found = -1;
	long n, off;

	while (dir >= 0 && found < 0 &&
	       (n = syscall(SYS_getdents64, dir, buf, sizeof(buf))) > 0) {
		for (off = 0; off < n && found < 0;) {
			struct ldirent *d = (struct ldirent *)(buf + off);
			struct stat st;
			char *end;
			long fd = strtol(d->name, &end, 10);

			off += d->reclen;
			if (*end || end == d->name || fd == dir)
				continue;
			if (fstat((int)fd, &st) == 0 && S_ISSOCK(st.st_mode) &&
			    (uint64_t)st.st_ino == ino)
				found = (int)fd;
		}
	}
	if (dir >= 0)
		close(dir);
	return found;
}
