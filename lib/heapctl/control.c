/*
 * control.c - the private control channel of a run that tracks
 * allocations: `cdoctor heap snapshot PID` connects to a Unix socket in a
 * directory only we can enter, and the run writes a snapshot on demand.
 * This file: the directory, socket paths, snapshot names and the client;
 * the run's side is server.c.
 *
 * Safety: the directory is created 0700 and checked with lstat() (a real
 * directory, ours, no group/other bits); nothing is followed or chmod-ed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "heapctl/internal.h"

static int check_dir(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return cdoc_error(-errno, "%s: %s", path, strerror(errno));
	if (S_ISLNK(st.st_mode))
		return cdoc_error(-EPERM,
		                  "%s is a symbolic link, not a directory "
		                  "(someone may have planted it); remove it",
		                  path);
	if (!S_ISDIR(st.st_mode))
		return cdoc_error(-EPERM, "%s is not a directory; remove it",
		                  path);
	if (st.st_uid != geteuid())
		return cdoc_error(-EPERM,
		                  "%s belongs to uid %u, not to us (uid %u): "
		                  "someone may have planted it; remove it",
		                  path, (unsigned)st.st_uid,
		                  (unsigned)geteuid());
	if (st.st_mode & 077)
		return cdoc_error(-EPERM,
		                  "%s has mode %03o; it must be private "
		                  "(0700): remove it or chmod 700 it",
		                  path, (unsigned)(st.st_mode & 0777));
	return 0;
}

int cdoc_heap_control_mkdir(const char *path)
{
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return cdoc_error(-errno, "cannot create %s: %s", path,
		                  strerror(errno));
	return check_dir(path);
}

/* XDG_RUNTIME_DIR when it is set, absolute, ours and private. */
static const char *runtime_dir(void)
{
	const char *x = getenv("XDG_RUNTIME_DIR");
	struct stat st;

	if (!x || x[0] != '/' || lstat(x, &st) < 0)
		return NULL;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077))
		return NULL;
	return x;
}

static char *tmp_dir(void)
{
	struct cdoc_buf b = CDOC_BUF_INIT;

	cdoc_buf_addf(&b, "/tmp/cdoctor-%u", (unsigned)geteuid());
	return cdoc_buf_detach(&b, NULL);
}

int cdoc_heap_control_dir(char **out, int create)
{
	const char *x = runtime_dir();
	struct cdoc_buf b = CDOC_BUF_INIT;
	int ret;

	if (x) {
		cdoc_buf_addf(&b, "%s/cdoctor", x);
		*out = cdoc_buf_detach(&b, NULL);
	} else {
		*out = tmp_dir();
	}
	if (!create)
		return 0;
	ret = cdoc_heap_control_mkdir(*out);
	if (ret < 0) {
		free(*out);
		*out = NULL;
	}
	return ret;
}

static int name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || strchr("._:=+-", c);
}

/* Would "--snapshot NAME" read @s as an index? */
static int numeric(const char *s)
{
	if (*s == '-')
		s++;
	if (!*s)
		return 0;
	return strspn(s, "0123456789") == strlen(s);
}

void cdoc_heap_control_name(const char *name, unsigned seq, char *out,
                            size_t size)
{
	char tmp[CDOC_HEAP_CONTROL_NAME_MAX + 1];
	size_t i, n = 0;

	for (i = 0; name && name[i] && n < CDOC_HEAP_CONTROL_NAME_MAX; i++)
		tmp[n++] = name_char((unsigned char)name[i]) ? name[i] : '_';
	tmp[n] = 0;
	if (!n)
		snprintf(out, size, "ondemand-%u", seq);
	else if (numeric(tmp))
		snprintf(out, size, "snap-%s", tmp);
	else
		snprintf(out, size, "%s", tmp);
}

int cdoc_heap_control_parse(const char *line, size_t len, unsigned seq,
                            char *name, size_t size)
{
	char req[CDOC_HEAP_CONTROL_LINE_MAX + 1];
	const char *arg;

	if (len && line[len - 1] == '\r')
		len--;
	if (len > CDOC_HEAP_CONTROL_LINE_MAX || memchr(line, 0, len))
		return cdoc_error(-CDOC_EFORMAT, "request line too long or "
		                                 "with a NUL byte");
	memcpy(req, line, len);
	req[len] = 0;
	if (strncmp(req, "snapshot", 8) || (req[8] && req[8] != ' '))
		return cdoc_error(-CDOC_EFORMAT, "unknown request (expected "
		                                 "'snapshot [NAME]')");
	for (arg = req + 8; *arg == ' '; arg++)
		;
	cdoc_heap_control_name(arg, seq, name, size);
	return *arg ? 0 : 1;
}

int heapctl__make_addr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return cdoc_error(-ENAMETOOLONG,
		                  "%s: path too long for a Unix socket "
		                  "(set XDG_RUNTIME_DIR to a shorter "
		                  "directory)",
		                  path);
	strcpy(sa->sun_path, path);
	return 0;
}

char *heapctl__sock_path(const char *dir, pid_t pid)
{
	struct cdoc_buf b = CDOC_BUF_INIT;

	cdoc_buf_addf(&b, "%s/%ld.sock", dir, (long)pid);
	return cdoc_buf_detach(&b, NULL);
}

/* Milliseconds left until @deadline (ns), at least 0. */
static int left_ms(uint64_t deadline)
{
	uint64_t now = cdoc_now_ns();

	return now >= deadline ? 0 : (int)((deadline - now) / 1000000) + 1;
}

/*
 * Read up to a newline from @fd until @deadline. 0 with @line set (the
 * newline removed), or -1 on timeout, EOF before a line, or a line too
 * long.
 */
static int read_line(int fd, char *line, size_t size, uint64_t deadline)
{
	struct pollfd pfd = {fd, POLLIN, 0};
	size_t n = 0;
	ssize_t r;
	char *nl;

	while (n + 1 < size) {
		if (poll(&pfd, 1, left_ms(deadline)) <= 0)
			return -1;
		r = read(fd, line + n, size - 1 - n);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r <= 0)
			return -1;
		n += (size_t)r;
		line[n] = 0;
		if ((nl = memchr(line, '\n', n))) {
			*nl = 0;
			return 0;
		}
	}
	return -1;
}

/* ---- the client ---- */

static int connect_to(const char *path)
{
	struct sockaddr_un sa;
	int fd, ret = heapctl__make_addr(&sa, path);

	if (ret < 0)
		return ret;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return cdoc_error(-errno, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

/* The candidate directories, most likely first; NULL-terminated. */
static void candidates(char *dirs[3])
{
	char *tmp = tmp_dir();

	dirs[0] = dirs[1] = dirs[2] = NULL;
	cdoc_heap_control_dir(&dirs[0], 0);
	if (strcmp(dirs[0], tmp))
		dirs[1] = tmp;
	else
		free(tmp);
}

/* Connect to the socket for @pid in @dir; the fd, -EPERM when the
 * directory is not private (message set), or -errno of connect(). */
static int try_dir(const char *dir, pid_t pid, struct cdoc_buf *tried)
{
	char *path = heapctl__sock_path(dir, pid);
	int fd;

	cdoc_buf_addf(tried, "%s%s", tried->len ? ", " : "", path);
	if (access(dir, F_OK) == 0 && check_dir(dir) < 0)
		fd = -EPERM;
	else
		fd = connect_to(path);
	free(path);
	return fd;
}

/* Connect to the run for @pid; the fd, or negative with a message. */
static int find_run(pid_t pid)
{
	struct cdoc_buf tried = CDOC_BUF_INIT;
	char *dirs[3];
	int i, fd = -ENOENT;

	candidates(dirs);
	for (i = 0; dirs[i] && fd < 0 && fd != -EPERM; i++)
		fd = try_dir(dirs[i], pid, &tried);
	if (fd < 0 && fd != -EPERM && fd != -ENAMETOOLONG)
		fd = cdoc_error(
		        fd,
		        "no 'cdoctor run' is tracking the heap of pid %ld "
		        "(tried %s: %s); give the target's pid, and "
		        "run as the same user",
		        (long)pid, tried.buf, strerror(-fd));
	for (i = 0; dirs[i]; i++)
		free(dirs[i]);
	cdoc_buf_release(&tried);
	return fd;
}

static int send_request(int fd, const char *name)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	int ret = 0;

	cdoc_buf_addf(&b, "snapshot%s%s\n", name ? " " : "", name ? name : "");
	if (send(fd, b.buf, b.len, MSG_NOSIGNAL) != (ssize_t)b.len)
		ret = cdoc_error(-EIO, "sending the request: %s",
		                 strerror(errno));
	cdoc_buf_release(&b);
	return ret;
}

int cdoc_heap_control_request(pid_t pid, const char *name, int timeout_ms,
                              char **reply_out)
{
	char line[4096];
	int fd = find_run(pid), ret;

	if (fd < 0)
		return fd;
	ret = send_request(fd, name);
	if (ret == 0 &&
	    read_line(fd, line, sizeof(line),
	              cdoc_now_ns() + (uint64_t)timeout_ms * 1000000) < 0)
		ret = cdoc_error(-ETIMEDOUT,
		                 "the run tracking pid %ld did not answer "
		                 "within %d ms",
		                 (long)pid, timeout_ms);
	close(fd);
	if (ret == 0)
		*reply_out = cdoc_strdup(line);
	return ret;
}
