/*
 * control.c - the private control channel for on-demand heap snapshots:
 * the directory checks refuse planted directories (a symlink, a shared
 * mode, another owner), the socket refuses what is not a stale socket of
 * ours, a request round-trips through a real socket, a silent client is
 * dropped, and a client with no run names the path it tried.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "heap/heap.h"
#include "heapctl/heapctl.h"

static char dir[] = "/tmp/cdoc-heap-control-XXXXXX";
static char path[64];

static void setup(void)
{
	cr_assert(mkdtemp(dir));
	/* every socket of these tests lives under our scratch directory */
	setenv("XDG_RUNTIME_DIR", dir, 1);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		cr_log_warn("could not remove %s", dir);
}

TestSuite(control, .init = setup, .fini = teardown);

static const char *sub(const char *name)
{
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

Test(control, mkdir_creates_private_directory)
{
	struct stat st;

	cr_assert_eq(cdoc_heap_control_mkdir(sub("new")), 0, "%s",
	             cdoc_errmsg());
	cr_assert_eq(lstat(path, &st), 0);
	cr_assert(S_ISDIR(st.st_mode));
	cr_assert_eq(st.st_mode & 077, 0, "mode %o", st.st_mode);
	cr_assert_eq(cdoc_heap_control_mkdir(path), 0, "again: %s",
	             cdoc_errmsg());
}

Test(control, mkdir_refuses_planted_symlink)
{
	char target[256];

	snprintf(target, sizeof(target), "%s/real", dir);
	cr_assert_eq(mkdir(target, 0700), 0);
	cr_assert_eq(symlink(target, sub("link")), 0);
	cr_assert_eq(cdoc_heap_control_mkdir(path), -EPERM);
	cr_assert(strstr(cdoc_errmsg(), "symbolic link"), "%s", cdoc_errmsg());
	cr_assert(strstr(cdoc_errmsg(), path), "names the path: %s",
	          cdoc_errmsg());
}

Test(control, mkdir_refuses_shared_mode_and_leaves_it)
{
	struct stat st;

	cr_assert_eq(mkdir(sub("open"), 0700), 0);
	cr_assert_eq(chmod(path, 0777), 0);
	cr_assert_eq(cdoc_heap_control_mkdir(path), -EPERM);
	cr_assert(strstr(cdoc_errmsg(), "777"), "%s", cdoc_errmsg());
	cr_assert_eq(lstat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0777, "not chmod-ed");
}

Test(control, mkdir_refuses_regular_file)
{
	FILE *f = fopen(sub("file"), "w");

	cr_assert(f);
	fclose(f);
	cr_assert_eq(cdoc_heap_control_mkdir(path), -EPERM);
	cr_assert(strstr(cdoc_errmsg(), "not a directory"), "%s",
	          cdoc_errmsg());
}

Test(control, mkdir_refuses_directory_of_another_user)
{
	if (geteuid() != 0)
		cr_skip_test("needs root to chown a directory to another uid");
	cr_assert_eq(mkdir(sub("theirs"), 0700), 0);
	cr_assert_eq(chown(path, 12345, 12345), 0);
	cr_assert_eq(cdoc_heap_control_mkdir(path), -EPERM);
	cr_assert(strstr(cdoc_errmsg(), "uid 12345"), "%s", cdoc_errmsg());
}

Test(control, dir_uses_private_runtime_dir)
{
	char *d;

	cr_assert_eq(cdoc_heap_control_dir(&d, 1), 0, "%s", cdoc_errmsg());
	cr_assert_str_eq(d, sub("cdoctor"));
	free(d);
}

Test(control, dir_ignores_shared_runtime_dir)
{
	char *d, want[64];

	cr_assert_eq(chmod(dir, 0777), 0);
	cr_assert_eq(cdoc_heap_control_dir(&d, 0), 0);
	snprintf(want, sizeof(want), "/tmp/cdoctor-%u", (unsigned)geteuid());
	cr_assert_str_eq(d, want);
	free(d);
	chmod(dir, 0700);
}

Test(control, names_are_sanitized)
{
	char out[CDOC_HEAP_CONTROL_NAME_MAX + 16];
	char longname[200];

	cdoc_heap_control_name("late phase/../x\033", 0, out, sizeof(out));
	cr_assert_str_eq(out, "late_phase_.._x_");
	cdoc_heap_control_name("", 3, out, sizeof(out));
	cr_assert_str_eq(out, "ondemand-3");
	cdoc_heap_control_name("-1", 0, out, sizeof(out));
	cr_assert_str_eq(out, "snap--1");
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	cdoc_heap_control_name(longname, 0, out, sizeof(out));
	cr_assert_eq(strlen(out), CDOC_HEAP_CONTROL_NAME_MAX);
}

static int fake_snapshot(void *arg, const char *name, struct cdoc_buf *where)
{
	int *calls = arg;

	(*calls)++;
	if (!strcmp(name, "bad"))
		return cdoc_error(-EIO, "disk full");
	cdoc_buf_addstr(where, "/rec/x.cdr");
	return 0;
}

/* Whether @fd is readable (or closed) within @ms. */
static int readable(int fd, int ms)
{
	struct pollfd pfd = {fd, POLLIN, 0};

	return poll(&pfd, 1, ms) > 0;
}

/* Serve @ctl until @child exits; returns the snapshots taken. */
static int serve_until_exit(struct cdoc_heap_control *ctl, pid_t child,
                            int *status)
{
	struct pollfd pfd = {cdoc_heap_control_fd(ctl), POLLIN, 0};
	int calls = 0;

	while (waitpid(child, status, WNOHANG) == 0)
		if (poll(&pfd, 1, 50) > 0)
			cdoc_heap_control_serve(ctl, fake_snapshot, &calls);
	return calls;
}

/* In a child: ask for @name, exit 0 when the reply is @want. */
static pid_t ask(pid_t pid, const char *name, const char *want)
{
	pid_t child = fork();
	char *reply = NULL;

	cr_assert_geq(child, 0);
	if (child)
		return child;
	if (cdoc_heap_control_request(pid, name, 10000, &reply) < 0) {
		fprintf(stderr, "request: %s\n", cdoc_errmsg());
		_exit(2);
	}
	if (strcmp(reply, want)) {
		fprintf(stderr, "reply '%s', want '%s'\n", reply, want);
		_exit(1);
	}
	_exit(0);
}

Test(control, request_round_trips)
{
	struct cdoc_heap_control *ctl;
	struct stat st;
	int status, calls;
	char sock[256];

	cr_assert_eq(cdoc_heap_control_listen(&ctl, 4242), 0, "%s",
	             cdoc_errmsg());
	snprintf(sock, sizeof(sock), "%s/cdoctor/4242.sock", dir);
	cr_assert_str_eq(cdoc_heap_control_path(ctl), sock);
	calls = serve_until_exit(ctl, ask(4242, "early", "ok early /rec/x.cdr"),
	                         &status);
	cr_assert_eq(calls, 1);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	calls = serve_until_exit(
	        ctl, ask(4242, NULL, "ok ondemand-1 /rec/x.cdr"), &status);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	serve_until_exit(ctl, ask(4242, "bad", "error disk full"), &status);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	cdoc_heap_control_free(ctl);
	cr_assert_eq(lstat(sock, &st), -1, "socket unlinked at the end");
}

Test(control, silent_client_is_dropped)
{
	struct cdoc_heap_control *ctl;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, calls = 0;
	uint64_t t0;
	char buf[64];

	cr_assert_eq(cdoc_heap_control_listen(&ctl, 4243), 0, "%s",
	             cdoc_errmsg());
	strcpy(sa.sun_path, cdoc_heap_control_path(ctl));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(write(fd, "snap", 4), 4, "no newline, then silence");
	t0 = cdoc_now_ns();
	/* the run serves whenever the control fd is ready (the timeout
	   makes it ready), until the client sees its connection closed */
	while (!readable(fd, 0) && cdoc_now_ns() - t0 < 10000000000ull)
		if (readable(cdoc_heap_control_fd(ctl), 50))
			cr_assert_eq(cdoc_heap_control_serve(ctl, fake_snapshot,
			                                     &calls),
			             0);
	cr_assert_lt(cdoc_now_ns() - t0, 5000000000ull, "bounded wait");
	cr_assert_eq(calls, 0);
	cr_assert_eq(read(fd, buf, sizeof(buf)), 0, "dropped");
	close(fd);
	cdoc_heap_control_free(ctl);
}

Test(control, listen_replaces_stale_socket_of_ours)
{
	struct cdoc_heap_control *ctl;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	cr_assert_eq(cdoc_heap_control_mkdir(sub("cdoctor")), 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/4244.sock", path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd); /* left behind, as by a killed run */
	cr_assert_eq(cdoc_heap_control_listen(&ctl, 4244), 0, "%s",
	             cdoc_errmsg());
	cdoc_heap_control_free(ctl);
}

Test(control, listen_refuses_other_file_at_socket_path)
{
	struct cdoc_heap_control *ctl;
	char file[300];
	FILE *f;

	cr_assert_eq(cdoc_heap_control_mkdir(sub("cdoctor")), 0);
	snprintf(file, sizeof(file), "%s/4245.sock", path);
	cr_assert((f = fopen(file, "w")));
	fclose(f);
	cr_assert_lt(cdoc_heap_control_listen(&ctl, 4245), 0);
	cr_assert(strstr(cdoc_errmsg(), "not a socket of ours"), "%s",
	          cdoc_errmsg());
	cr_assert_eq(access(file, F_OK), 0, "left alone");
}

Test(control, request_without_run_names_path)
{
	char *reply = NULL;
	char sock[256];

	snprintf(sock, sizeof(sock), "%s/cdoctor/4246.sock", dir);
	cr_assert_lt(cdoc_heap_control_request(4246, "x", 1000, &reply), 0);
	cr_assert_null(reply);
	cr_assert(strstr(cdoc_errmsg(), sock), "%s", cdoc_errmsg());
	cr_assert(strstr(cdoc_errmsg(), "pid 4246"), "%s", cdoc_errmsg());
}

/* A connection that sends nothing; all made before the run serves any. */
static int idle_client(const char *sock)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

	strcpy(sa.sun_path, sock);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0,
	             "idle connection refused: %s", strerror(errno));
	return fd;
}

/*
 * Serve @ctl until @child exits; returns the longest one serve call took
 * (ns) and the snapshots taken in *@calls.
 */
static uint64_t serve_timed(struct cdoc_heap_control *ctl, pid_t child,
                            int *status, int *calls)
{
	uint64_t t, worst = 0;

	while (waitpid(child, status, WNOHANG) == 0) {
		if (!readable(cdoc_heap_control_fd(ctl), 50))
			continue;
		t = cdoc_now_ns();
		cdoc_heap_control_serve(ctl, fake_snapshot, calls);
		t = cdoc_now_ns() - t;
		worst = t > worst ? t : worst;
	}
	return worst;
}

Test(control, idle_clients_do_not_stall_the_run)
{
	struct cdoc_heap_control *ctl;
	int idle[14], i, status, calls = 0;
	uint64_t worst, t0;
	char buf[8];

	cr_assert_eq(cdoc_heap_control_listen(&ctl, 4250), 0, "%s",
	             cdoc_errmsg());
	for (i = 0; i < 14; i++)
		idle[i] = idle_client(cdoc_heap_control_path(ctl));
	worst = serve_timed(ctl, ask(4250, "real", "ok real /rec/x.cdr"),
	                    &status, &calls);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	          "the request among 14 idle connections failed");
	cr_assert_eq(calls, 1);
	/* Serving never waits for a client: 14 idle ones held one call
	   4.2 s before. The bound is far above a call's real cost. */
	cr_assert_lt(worst, 1000000000ull, "one serve call took %llu ms",
	             (unsigned long long)(worst / 1000000));
	/* ... and they are dropped at their timeout. */
	t0 = cdoc_now_ns();
	for (i = 0; i < 14; i++) {
		while (!readable(idle[i], 0) &&
		       cdoc_now_ns() - t0 < 20000000000ull)
			if (readable(cdoc_heap_control_fd(ctl), 50))
				cdoc_heap_control_serve(ctl, fake_snapshot,
				                        &calls);
		cr_assert_eq(read(idle[i], buf, sizeof(buf)), 0,
		             "idle client %d not dropped", i);
		close(idle[i]);
	}
	cdoc_heap_control_free(ctl);
}

Test(control, more_idle_clients_than_the_limit_cannot_lock_out_a_request)
{
	struct cdoc_heap_control *ctl;
	int idle[40], i, status, calls = 0;

	cr_assert_eq(cdoc_heap_control_listen(&ctl, 4251), 0, "%s",
	             cdoc_errmsg());
	for (i = 0; i < 40; i++)
		idle[i] = idle_client(cdoc_heap_control_path(ctl));
	serve_timed(ctl, ask(4251, "real", "ok real /rec/x.cdr"), &status,
	            &calls);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	cr_assert_eq(calls, 1);
	for (i = 0; i < 40; i++)
		close(idle[i]);
	cdoc_heap_control_free(ctl);
}

/*
 * Bind a socket at @name in the control directory, listening if @live;
 * @old: dated a minute back (a run killed a while ago).
 */
static int bound_socket(const char *name, int live, int old)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timespec t[2];
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/cdoctor/%s", dir, name);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	if (live)
		cr_assert_eq(listen(fd, 1), 0);
	if (old) {
		clock_gettime(CLOCK_REALTIME, &t[0]);
		t[0].tv_sec -= 60;
		t[1] = t[0];
		cr_assert_eq(utimensat(AT_FDCWD, sa.sun_path, t,
		                       AT_SYMLINK_NOFOLLOW),
		             0);
	}
	return fd;
}

/* Whether control directory entry @name exists. */
static int exists(const char *name)
{
	char p[300];
	struct stat st;

	snprintf(p, sizeof(p), "%s/cdoctor/%s", dir, name);
	return lstat(p, &st) == 0;
}

Test(control, listen_sweeps_stale_sockets_of_killed_runs)
{
	struct cdoc_heap_control *ctl;
	char p[300];
	int live;
	FILE *f;

	cr_assert_eq(cdoc_heap_control_mkdir(sub("cdoctor")), 0);
	close(bound_socket("5001.sock", 0, 1));  /* left by a killed run */
	live = bound_socket("5002.sock", 1, 1);  /* a run still going */
	close(bound_socket("notes.sock", 0, 1)); /* not a name of ours */
	close(bound_socket("5004.sock", 0, 0));  /* a run about to listen */
	snprintf(p, sizeof(p), "%s/cdoctor/5003.sock", dir);
	f = fopen(p, "w"); /* not a socket */
	cr_assert(f);
	fclose(f);
	cr_assert_eq(cdoc_heap_control_listen(&ctl, 4252), 0, "%s",
	             cdoc_errmsg());
	cr_assert(!exists("5001.sock"), "the stale socket stayed");
	cr_assert(exists("5002.sock"), "a live run's socket was removed");
	cr_assert(exists("notes.sock"), "another name was removed");
	cr_assert(exists("5003.sock"), "a regular file was removed");
	cr_assert(exists("5004.sock"), "a socket bound just now was removed");
	close(live);
	cdoc_heap_control_free(ctl);
}
