/*
 * launch.c - the one launcher: the child's environment is its own, an
 * exec failure comes back as an errno with nothing left running, a
 * launched program dies with the process that launched it, and one rule
 * turns wait statuses into exit codes.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collect/collect.h"

Test(exit_code, one_rule_for_every_status)
{
	cr_expect_eq(cdoc_exit_code(3 << 8), 3);
	cr_expect_eq(cdoc_exit_code(SIGKILL), 137);
	cr_expect_eq(cdoc_exit_code(SIGSEGV | 0x80), 139); /* core dumped */
	cr_expect_eq(cdoc_exit_code(0x137f), 2);           /* stopped */
	cr_expect_eq(cdoc_exit_code(0xffff), 2);           /* continued */
	cr_expect_eq(cdoc_exit_code(-1), 2);               /* not known */
}

Test(env, set_replaces_and_base_is_copied)
{
	char *base[] = {"A=1", "B=2", NULL};
	struct cdoc_env e;

	cdoc_env_init(&e, base);
	cdoc_env_set(&e, "A", "x");
	cdoc_env_set(&e, "C", "3");
	cr_expect_str_eq(cdoc_env_get(&e, "A"), "x");
	cr_expect_str_eq(cdoc_env_get(&e, "B"), "2");
	cr_expect_str_eq(cdoc_env_get(&e, "C"), "3");
	cr_expect_null(cdoc_env_get(&e, "AB"));
	cr_expect_eq(e.nr, 3);
	cr_expect_null(e.v[3]);
	cr_expect_str_eq(base[0], "A=1");
	cdoc_env_release(&e);
}

Test(launch, environment_is_the_childs_own)
{
	char *argv[] = {"sh", "-c", "test \"$CDOC_T_VAR\" = yes", NULL};
	struct cdoc_launch_opts o = {.argv = argv};
	struct cdoc_launch l;
	struct cdoc_env e;

	cdoc_env_init(&e, NULL);
	cdoc_env_set(&e, "PATH", "/usr/bin:/bin");
	cdoc_env_set(&e, "CDOC_T_VAR", "yes");
	o.env = e.v;
	cr_assert_eq(cdoc_launch_start(&l, &o), 0, "%s", cdoc_errmsg());
	cdoc_env_release(&e);
	cr_assert_eq(cdoc_launch_go(&l, "sh"), 0, "%s", cdoc_errmsg());
	cr_assert_eq(cdoc_launch_wait(&l, 0), 1);
	cr_expect_eq(cdoc_exit_code(l.status), 0, "the child saw the variable");
	cr_expect_null(getenv("CDOC_T_VAR"), "ours is untouched");
}

Test(launch, exec_failure_is_an_errno_and_reaped)
{
	char *argv[] = {"/nonexistent/cdoc-prog", NULL};
	struct cdoc_launch_opts o = {.argv = argv, .hold = 1};
	struct cdoc_launch l;

	cr_assert_eq(cdoc_launch_start(&l, &o), 0, "%s", cdoc_errmsg());
	cr_expect_eq(cdoc_launch_go(&l, argv[0]), -ENOENT);
	cr_expect(strstr(cdoc_errmsg(), "cannot run /nonexistent/cdoc-prog"),
	          "%s", cdoc_errmsg());
	cr_expect(l.done, "reaped");
	cr_expect_eq(cdoc_exit_code(l.status), 127);
	cr_expect_eq(waitpid(l.pid, NULL, WNOHANG), -1, "nothing left");
}

/* In a child of the test: launch `sleep 60`, report its pid, die. */
static void launch_and_die(int fd)
{
	char *argv[] = {"sleep", "60", NULL};
	struct cdoc_launch_opts o = {.argv = argv};
	struct cdoc_launch l;

	if (cdoc_launch_start(&l, &o) < 0 || cdoc_launch_go(&l, "sleep") < 0)
		_exit(1);
	if (write(fd, &l.pid, sizeof(l.pid)) != sizeof(l.pid))
		_exit(1);
	_exit(0); /* as abruptly as a SIGKILL: no cleanup runs */
}

Test(launch, child_dies_with_its_launcher)
{
	int fds[2], st = 0;
	pid_t mid, target = 0;

	/* The orphan is reparented to us, so that we can reap it. */
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	cr_assert_eq(pipe(fds), 0);
	mid = fork();
	cr_assert_geq(mid, 0);
	if (mid == 0)
		launch_and_die(fds[1]);
	cr_assert_eq(read(fds[0], &target, sizeof(target)), sizeof(target));
	cr_assert_eq(waitpid(mid, NULL, 0), mid);
	for (int i = 0; i < 200; i++) { /* 20 s at most */
		if (waitpid(target, &st, WNOHANG) == target)
			break;
		usleep(100000);
		st = -1;
	}
	if (st == -1)
		kill(target, SIGKILL);
	cr_assert(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	          "the launched program outlived its launcher");
}
