/*
 * collect.c - the collector through its library API: listening-port
 * discovery on a real socket, option checks, and a whole run of a real
 * program (/bin/sh spinning) whose recording is loaded back: root-first
 * stacks starting with the comm, PROCESS and EXIT chunks, META, counters;
 * the command's environment (not ours), no file for a command that
 * cannot start, and outputs that are not replaced unless forced.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collect/collect.h"

Test(port, listening_socket_of_this_process_is_found)
{
	struct sockaddr_in a = {0};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	cr_assert_geq(fd, 0);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(fd, (void *)&a, sizeof(a)), 0);
	cr_expect_eq(cdoc_collect_listen_port(getpid()), 0,
	             "bound but not listening");
	cr_assert_eq(listen(fd, 4), 0);
	cr_assert_eq(getsockname(fd, (void *)&a, &len), 0);
	cr_expect_eq(cdoc_collect_listen_port(getpid()), ntohs(a.sin_port));
	close(fd);
	cr_expect_eq(cdoc_collect_listen_port(getpid()), 0);
}

Test(opts, bad_stack_size_and_no_target_are_rejected)
{
	struct cdoc_collect_opts o = {0};
	struct cdoc_collector *c = NULL;
	char *argv[] = {"true", NULL};

	cr_expect_eq(cdoc_collect_new(&c, &o), -EINVAL);
	o.argv = argv;
	o.stack_size = 1001;
	cr_expect_eq(cdoc_collect_new(&c, &o), -EINVAL);
	cr_expect(strstr(cdoc_errmsg(), "stack-size"));
	o.stack_size = 0;
	cr_assert_eq(cdoc_collect_new(&c, &o), 0);
	cdoc_collect_free(c);
}

/* Every sample's stack starts with the comm "sh" (stacks root-first). */
static void check_recording(const char *path, int status)
{
	struct cdoc_recording r;
	struct cdoc_profile *p;
	int found_exit = 0;

	cr_assert_eq(cdoc_recording_load(&r, path), 0, "%s", cdoc_errmsg());
	cr_expect(r.complete);
	p = cdoc_recording_profile(&r, "cpu");
	cr_assert_not_null(p);
	cr_expect_gt(cdoc_profile_total(p, 0), 10);
	for (uint32_t n = p->nodes[0].first_child; n != CDOC_NONE;
	     n = p->nodes[n].next_sibling)
		cr_expect_str_eq(cdoc_profile_node_name(p, n), "sh");
	cr_expect_str_eq(cdoc_recording_meta(&r, "mode"), "run");
	cr_expect_str_eq(cdoc_recording_meta(&r, "command"),
	                 "/bin/sh -c i=0; while [ $i -lt 200000 ]; do "
	                 "i=$((i+1)); done; exit 3");
	cr_expect_not_null(cdoc_recording_meta(&r, "duration_ns"));
	cr_expect_eq(cdoc_recording_counter(&r, "samples"),
	             cdoc_profile_total(p, 0));
	for (size_t i = 0; i < r.nr_procs; i++)
		if (r.procs[i].exited && r.procs[i].status == status)
			found_exit = 1;
	cr_expect(found_exit, "no EXIT chunk with the wait status");
	cdoc_recording_release(&r);
}

Test(run, shell_loop_is_recorded_with_its_exit_status)
{
	char dir[] = "/tmp/cdoc-collect-XXXXXX", path[64];
	char *argv[] = {"/bin/sh", "-c",
	                "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; "
	                "exit 3",
	                NULL};
	struct cdoc_collect_opts o = {0};
	struct cdoc_collect_result res;
	struct cdoc_collector *c;
	int ret;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.cdr", dir);
	o.argv = argv;
	o.output = path;
	cr_assert_eq(cdoc_collect_new(&c, &o), 0);
	ret = cdoc_collect_start(c);
	if (ret == -EACCES || ret == -EPERM)
		cr_skip_test("perf events not allowed: %s", cdoc_errmsg());
	cr_assert_eq(ret, 0, "%s", cdoc_errmsg());
	cr_assert_eq(cdoc_collect_loop(c), 0, "%s", cdoc_errmsg());
	cr_assert_eq(cdoc_collect_finish(c, &res), 0, "%s", cdoc_errmsg());
	cdoc_collect_free(c);
	cr_expect_eq(res.exit_code, 3);
	cr_expect(WIFEXITED(res.status) && WEXITSTATUS(res.status) == 3);
	cr_expect_gt(res.stats.samples, 10);
	check_recording(path, res.status);
	cdoc_collect_result_release(&res);
	unlink(path);
	rmdir(dir);
}

/* Run @argv under a session writing @dir/t.cdr; returns its exit code,
 * or -1 to skip (perf events not allowed). */
static int run_session(const char *dir, char **argv)
{
	char path[128];
	struct cdoc_collect_opts o = {.argv = argv, .output = path};
	struct cdoc_collect_result res;
	struct cdoc_collector *c;
	int ret;

	snprintf(path, sizeof(path), "%s/t.cdr", dir);
	cr_assert_eq(cdoc_collect_new(&c, &o), 0, "%s", cdoc_errmsg());
	ret = cdoc_collect_start(c);
	if (ret == -EACCES || ret == -EPERM) {
		cdoc_collect_free(c);
		return -1;
	}
	cr_assert_eq(ret, 0, "%s", cdoc_errmsg());
	cr_expect_null(getenv("NODE_OPTIONS"), "cdoctor's environment changed");
	cr_assert_eq(cdoc_collect_loop(c), 0, "%s", cdoc_errmsg());
	cr_assert_eq(cdoc_collect_finish(c, &res), 0, "%s", cdoc_errmsg());
	cdoc_collect_free(c);
	ret = res.exit_code;
	cdoc_collect_result_release(&res);
	return ret;
}

Test(run, node_options_go_to_the_target_only)
{
	char dir[] = "/tmp/cdoc-collect-XXXXXX", node[96], script[160];
	char *argv[] = {node, "-c", script, NULL};

	unsetenv("NODE_OPTIONS");
	cr_assert_not_null(mkdtemp(dir));
	/* A command named like node: a shell that checks its environment. */
	snprintf(node, sizeof(node), "%s/node-check", dir);
	cr_assert_eq(symlink("/bin/sh", node), 0);
	snprintf(script, sizeof(script),
	         "case \"$NODE_OPTIONS\" in *--perf-basic-prof*) exit 0;; "
	         "esac; exit 5");
	switch (run_session(dir, argv)) {
	case -1:
		cr_skip_test("perf events not allowed: %s", cdoc_errmsg());
		break;
	default:
		cr_expect_fail("the target did not get --perf-basic-prof");
		break;
	case 0:
		break;
	}
	cr_expect_null(getenv("NODE_OPTIONS"), "cdoctor's environment changed");
	snprintf(script, sizeof(script), "rm -rf %s", dir);
	cr_expect_eq(system(script), 0);
}

Test(run, command_that_cannot_start_leaves_no_file)
{
	char dir[] = "/tmp/cdoc-collect-XXXXXX", path[64];
	char *argv[] = {"/nonexistent/cdoc-prog", NULL};
	struct cdoc_collect_opts o = {.argv = argv, .output = path};
	struct cdoc_collector *c;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.cdr", dir);
	cr_assert_eq(cdoc_collect_new(&c, &o), 0, "%s", cdoc_errmsg());
	cr_expect_eq(cdoc_collect_start(c), -ENOENT);
	cr_expect(strstr(cdoc_errmsg(), "cannot run /nonexistent/cdoc-prog"),
	          "%s", cdoc_errmsg());
	cdoc_collect_free(c);
	cr_expect_neq(access(path, F_OK), 0, "a recording was made");
	unlink(path);
	rmdir(dir);
}

Test(opts, existing_output_is_refused_unless_forced)
{
	char dir[] = "/tmp/cdoc-collect-XXXXXX", path[64], html[80];
	char *argv[] = {"/bin/true", NULL};
	struct cdoc_collect_opts o = {.argv = argv, .output = path, .html = 1};
	struct cdoc_collector *c = NULL;
	FILE *f;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.cdr", dir);
	snprintf(html, sizeof(html), "%s/t.cdr.html", dir);
	cr_assert_not_null(f = fopen(html, "w"));
	fclose(f);
	cr_expect_eq(cdoc_collect_new(&c, &o), -EEXIST, "the report exists");
	o.html = 0;
	cr_assert_eq(cdoc_collect_new(&c, &o), 0, "%s", cdoc_errmsg());
	cdoc_collect_free(c);
	cr_assert_not_null(f = fopen(path, "w"));
	fclose(f);
	cr_expect_eq(cdoc_collect_new(&c, &o), -EEXIST, "the recording exists");
	cr_expect(strstr(cdoc_errmsg(), "--force"), "%s", cdoc_errmsg());
	o.force = 1;
	cr_assert_eq(cdoc_collect_new(&c, &o), 0, "%s", cdoc_errmsg());
	cdoc_collect_free(c);
	unlink(path);
	unlink(html);
	rmdir(dir);
}
