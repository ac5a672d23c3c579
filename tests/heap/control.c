/*
 * control.c - the private control channel for on-demand heap snapshots:
 * the directory checks refuse planted directories (a symlink, a shared
 * mode, another owner), the socket refuses what is not a stale socket of
 * ours, a request round-trips through a real socket, a silent client is
 * dropped, and a client with no run names the path it tried.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
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
	cr_assert_eq(cdoc_heap_control_serve(ctl, fake_snapshot, &calls), 0);
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
