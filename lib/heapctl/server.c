/*
 * server.c - the run's side of the control channel: a listening Unix
 * socket and the clients waiting on it, served without ever blocking the
 * run loop.
 *
 * The loop polls one descriptor, an epoll set holding the listening
 * socket, every client and a timerfd armed for the earliest client
 * deadline, so a connection, a request line and a timeout all wake it.
 * Each client has CDOC_HEAP_CONTROL_TIMEOUT_MS to send its line; at most
 * CDOC_HEAP_CONTROL_CLIENTS wait at once and a new one pushes out the
 * oldest, so idle connections can neither stall the run nor lock out a
 * real request. Peers of another uid are refused (SO_PEERCRED).
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "heapctl/internal.h"

#define ACCEPT_MAX  64 /* connections accepted per call */
#define BACKLOG     64
#define STALE_AGE_S 10 /* a socket younger than this is never swept */

/* struct client - a connection that has not sent its line yet. */
struct client {
	int fd;
	uint64_t deadline; /* ns (cdoc_now_ns) when it is dropped */
	size_t len;        /* bytes in line */
	char line[CDOC_HEAP_CONTROL_LINE_MAX + 2];
};

struct cdoc_heap_control {
	int fd;     /* listening socket */
	int epfd;   /* what the run loop polls */
	int tfd;    /* timerfd: the earliest client deadline */
	char *path; /* the socket's path */
	dev_t dev;  /* the socket file we bound, to unlink only it */
	ino_t ino;
	unsigned seq; /* requests without a name so far */
	struct client clients[CDOC_HEAP_CONTROL_CLIENTS];
	size_t nr; /* clients in use, oldest first */
};

/* ---- stale sockets ---- */

/*
 * Whether @path is a socket of ours that nobody listens on. One bound in
 * the last STALE_AGE_S seconds is left alone: another run may be between
 * its bind() and listen().
 */
static int is_stale_socket(const char *path)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd, stale;

	if (lstat(path, &st) < 0 || !S_ISSOCK(st.st_mode) ||
	    st.st_uid != geteuid() || time(NULL) - st.st_mtime < STALE_AGE_S ||
	    heapctl__make_addr(&sa, path) < 0)
		return 0;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return 0;
	stale = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
	        errno == ECONNREFUSED;
	close(fd);
	return stale;
}

/* A name like "1234.sock". */
static int sock_name(const char *name)
{
	size_t digits = strspn(name, "0123456789");

	return digits && !strcmp(name + digits, ".sock");
}

/* Remove the stale sockets of killed runs in @dir; how many went. */
static int sweep(const char *dir)
{
	struct cdoc_buf path = CDOC_BUF_INIT;
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (!sock_name(e->d_name))
			continue;
		cdoc_buf_reset(&path);
		cdoc_buf_addf(&path, "%s/%s", dir, e->d_name);
		if (is_stale_socket(path.buf) && unlink(path.buf) == 0)
			n++;
	}
	closedir(d);
	cdoc_buf_release(&path);
	return n;
}

/* Remove a socket of ours left at @path; refuse anything else. */
static int remove_stale(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0
		                       : cdoc_error(-errno, "%s: %s", path,
		                                    strerror(errno));
	if (!S_ISSOCK(st.st_mode) || st.st_uid != geteuid())
		return cdoc_error(-EEXIST,
		                  "%s exists and is not a socket of ours; "
		                  "remove it",
		                  path);
	if (unlink(path) < 0)
		return cdoc_error(-errno, "cannot remove stale %s: %s", path,
		                  strerror(errno));
	return 0;
}

/* ---- listening ---- */

static int watch(struct cdoc_heap_control *ctl, int fd)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};

	return epoll_ctl(ctl->epfd, EPOLL_CTL_ADD, fd, &ev);
}

static int bind_listen(struct cdoc_heap_control *ctl)
{
	struct sockaddr_un sa;
	struct stat st;
	int ret = heapctl__make_addr(&sa, ctl->path);

	if (ret < 0 || (ret = remove_stale(ctl->path)) < 0)
		return ret;
	ctl->fd =
	        socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (ctl->fd < 0)
		return cdoc_error(-errno, "socket: %s", strerror(errno));
	if (bind(ctl->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(ctl->fd, BACKLOG) < 0)
		return cdoc_error(-errno, "%s: %s", ctl->path, strerror(errno));
	if (lstat(ctl->path, &st) == 0) {
		ctl->dev = st.st_dev;
		ctl->ino = st.st_ino;
	}
	return 0;
}

static int make_poll_set(struct cdoc_heap_control *ctl)
{
	ctl->epfd = epoll_create1(EPOLL_CLOEXEC);
	ctl->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (ctl->epfd < 0 || ctl->tfd < 0 || watch(ctl, ctl->fd) < 0 ||
	    watch(ctl, ctl->tfd) < 0)
		return cdoc_error(-errno, "control socket: epoll: %s",
		                  strerror(errno));
	return 0;
}

int cdoc_heap_control_listen(struct cdoc_heap_control **out, pid_t pid)
{
	struct cdoc_heap_control *ctl = cdoc_calloc(1, sizeof(*ctl));
	char *dir;
	int ret;

	ctl->fd = ctl->epfd = ctl->tfd = -1;
	ret = cdoc_heap_control_dir(&dir, 1);
	if (ret < 0) {
		free(ctl);
		return ret;
	}
	sweep(dir);
	ctl->path = heapctl__sock_path(dir, pid);
	free(dir);
	ret = bind_listen(ctl);
	if (ret == 0)
		ret = make_poll_set(ctl);
	if (ret < 0) {
		cdoc_heap_control_free(ctl);
		return ret;
	}
	*out = ctl;
	return 0;
}

int cdoc_heap_control_fd(const struct cdoc_heap_control *ctl)
{
	return ctl->epfd;
}

const char *cdoc_heap_control_path(const struct cdoc_heap_control *ctl)
{
	return ctl->path;
}

static void drop(struct cdoc_heap_control *ctl, size_t i)
{
	close(ctl->clients[i].fd); /* also leaves the epoll set */
	memmove(&ctl->clients[i], &ctl->clients[i + 1],
	        (ctl->nr - i - 1) * sizeof(ctl->clients[0]));
	ctl->nr--;
}

void cdoc_heap_control_free(struct cdoc_heap_control *ctl)
{
	struct stat st;

	if (!ctl)
		return;
	while (ctl->nr)
		drop(ctl, ctl->nr - 1);
	if (ctl->fd >= 0) {
		close(ctl->fd);
		if (lstat(ctl->path, &st) == 0 && S_ISSOCK(st.st_mode) &&
		    st.st_dev == ctl->dev && st.st_ino == ctl->ino)
			unlink(ctl->path);
	}
	if (ctl->epfd >= 0)
		close(ctl->epfd);
	if (ctl->tfd >= 0)
		close(ctl->tfd);
	free(ctl->path);
	free(ctl);
}

/* ---- serving ---- */

/* "ok NAME PATH" or "error MESSAGE", control characters made '?';
 * sent without waiting (a client that does not read loses it). */
static void answer(int fd, int ok, const char *name, const char *what)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	ssize_t sent;
	size_t i;

	if (ok)
		cdoc_buf_addf(&b, "ok %s %s", name, what);
	else
		cdoc_buf_addf(&b, "error %s", what);
	for (i = 0; i < b.len; i++)
		if ((unsigned char)b.buf[i] < 0x20 || b.buf[i] == 0x7f)
			b.buf[i] = '?';
	cdoc_buf_addch(&b, '\n');
	/* a client that left or does not read loses its answer */
	sent = send(fd, b.buf, b.len, MSG_NOSIGNAL | MSG_DONTWAIT);
	(void)sent;
	cdoc_buf_release(&b);
}

static int same_uid(int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return 0;
	return cr.uid == geteuid();
}

/* Take in one accepted connection @fd, pushing out the oldest when full. */
static void add_client(struct cdoc_heap_control *ctl, int fd, uint64_t now)
{
	struct client *c;

	if (!same_uid(fd)) {
		answer(fd, 0, NULL, "permission denied: not the same user");
		close(fd);
		return;
	}
	if (ctl->nr == CDOC_HEAP_CONTROL_CLIENTS)
		drop(ctl, 0);
	if (watch(ctl, fd) < 0) {
		close(fd);
		return;
	}
	c = &ctl->clients[ctl->nr++];
	c->fd = fd;
	c->len = 0;
	c->deadline = now + CDOC_HEAP_CONTROL_TIMEOUT_MS * 1000000ull;
}

static void accept_all(struct cdoc_heap_control *ctl, uint64_t now)
{
	int i, fd;

	for (i = 0; i < ACCEPT_MAX; i++) {
		fd = accept4(ctl->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0)
			break;
		add_client(ctl, fd, now);
	}
}

/*
 * Read what @c has sent. 1 when its line is complete (newline removed,
 * ->len its length), 0 when more may come, -1 when it closed, failed or
 * sent a line too long.
 */
static int read_client(struct client *c)
{
	size_t room = sizeof(c->line) - 1 - c->len;
	ssize_t r = read(c->fd, c->line + c->len, room);
	char *nl;

	if (r < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (r == 0)
		return -1;
	nl = memchr(c->line + c->len, '\n', (size_t)r);
	c->len += (size_t)r;
	if (nl) {
		c->len = (size_t)(nl - c->line);
		return 1;
	}
	return c->len < sizeof(c->line) - 1 ? 0 : -1;
}

/* Answer @c's complete request line. 1 if a snapshot was taken. */
static int handle(struct cdoc_heap_control *ctl, struct client *c,
                  cdoc_heap_control_fn fn, void *arg)
{
	char name[CDOC_HEAP_CONTROL_NAME_MAX + 16];
	struct cdoc_buf where = CDOC_BUF_INIT;
	int ret = cdoc_heap_control_parse(c->line, c->len, ctl->seq + 1, name,
	                                  sizeof(name));

	if (ret < 0) {
		answer(c->fd, 0, NULL, cdoc_errmsg());
		cdoc_errclear();
		return 0;
	}
	if (ret == 1)
		ctl->seq++;
	ret = fn(arg, name, &where);
	answer(c->fd, ret == 0, name,
	       ret == 0 ? (where.buf ? where.buf : "?") : cdoc_errmsg());
	cdoc_buf_release(&where);
	cdoc_errclear();
	return ret == 0;
}

/* Arm the timer for the earliest deadline (the oldest client's). */
static void arm_timer(struct cdoc_heap_control *ctl, uint64_t now)
{
	struct itimerspec its = {{0, 0}, {0, 0}};
	uint64_t wait;

	if (ctl->nr) {
		wait = ctl->clients[0].deadline > now
		               ? ctl->clients[0].deadline - now
		               : 1;
		its.it_value.tv_sec = (time_t)(wait / 1000000000);
		its.it_value.tv_nsec = (long)(wait % 1000000000);
	}
	timerfd_settime(ctl->tfd, 0, &its, NULL);
}

int cdoc_heap_control_serve(struct cdoc_heap_control *ctl,
                            cdoc_heap_control_fn fn, void *arg)
{
	uint64_t now = cdoc_now_ns(), ticks;
	size_t i = 0;
	int r, n = 0;

	if (read(ctl->tfd, &ticks, sizeof(ticks)) < 0)
		ticks = 0; /* not expired: EAGAIN */
	accept_all(ctl, now);
	while (i < ctl->nr) {
		r = read_client(&ctl->clients[i]);
		if (r > 0)
			n += handle(ctl, &ctl->clients[i], fn, arg);
		if (r != 0 || now >= ctl->clients[i].deadline)
			drop(ctl, i);
		else
			i++;
	}
	arm_timer(ctl, now);
	return n;
}
