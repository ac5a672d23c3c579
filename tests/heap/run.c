/*
 * run.c - cdoc_heap_run: real commands (examples/leaky_server, /bin/sh)
 * under the shim; the final snapshot ranks the leak first, interval and
 * on-demand snapshots land in OUT.N.heap, exit codes and signals come
 * back as a shell would give them, and a command that cannot be executed
 * is an error naming it.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collect/collect.h"
#include "heap/heap.h"
#include "report/report.h"
#include "heapfile/heapfile.h"

static char dir[] = "/tmp/cdoc-heap-run-XXXXXX";
static char out[256], example[4096];

static void setup(void)
{
	const char *ex = getenv("CDOC_EXAMPLES");

	cr_assert(getenv("CDOC_SHIM") && ex,
	          "CDOC_SHIM and CDOC_EXAMPLES must be set");
	cr_assert(mkdtemp(dir));
	snprintf(out, sizeof(out), "%s/out.heap", dir);
	snprintf(example, sizeof(example), "%s/leaky_server", ex);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		cr_log_warn("could not remove %s", dir);
}

static struct cdoc_heap_run_opts opts(char **argv)
{
	struct cdoc_heap_run_opts o = {.argv = argv, .output = out};

	o.shim.shim = getenv("CDOC_SHIM");
	return o;
}

/* The site with the most leaked bytes, named to 3 frames. */
static void top_leak(const struct cdoc_heap_snap *s, struct cdoc_buf *name)
{
	const struct cdoc_heap_site *best = NULL;
	uint64_t v, most = 0;

	for (size_t i = 0; i < s->nr_sites; i++) {
		v = cdoc_heap_site_value(s, &s->sites[i],
		                         CDOC_HEAP_LEAKED_BYTES);
		if (v > most) {
			most = v;
			best = &s->sites[i];
		}
	}
	cr_assert_not_null(best, "no leaked site");
	cdoc_heap_site_name(s, best, 3, name);
}

Test(run, final_snapshot_is_written_and_ranks_the_leak_first, .init = setup,
     .fini = teardown)
{
	char *argv[] = {example, "300", "0", NULL};
	struct cdoc_heap_run_opts o = opts(argv);
	struct cdoc_heap_run_result res;
	struct cdoc_heap_snap back;
	struct cdoc_buf name = CDOC_BUF_INIT;

	cr_assert_eq(cdoc_heap_run(&o, &res), 0, "%s", cdoc_errmsg());
	cr_assert_gt(res.pid, 0);
	cr_assert_eq(res.exit_code, 0);
	cr_assert(WIFEXITED(res.status));
	cr_assert_eq(res.exec_errno, 0);
	cr_assert_eq(res.nr_snapshots, 0, "no interval, no request");
	cr_assert_null(res.warning, "%s", res.warning);
	top_leak(&res.snap, &name);
	cdoc_buf_add(&name, "", 1);
	cr_assert(strstr(name.buf, "remember_session"), "top leak: %s",
	          name.buf);
	cdoc_heap_snap_init(&back);
	cr_assert_eq(cdoc_heap_snap_load(&back, out), 0, "%s", cdoc_errmsg());
	cr_assert_eq(back.nr_sites, res.snap.nr_sites);
	cr_assert_eq(back.nr_procs, 1);
	cr_assert_eq(back.procs[0].live_bytes, res.snap.procs[0].live_bytes);
	cdoc_heap_snap_release(&back);
	cdoc_buf_release(&name);
	cdoc_heap_run_result_release(&res);
}

/* OUT.1.heap .. OUT.N.heap load, and there is no OUT.N+1.heap. */
static void check_numbered(unsigned n)
{
	struct cdoc_heap_snap s;
	char path[300];

	for (unsigned i = 1; i <= n + 1; i++) {
		snprintf(path, sizeof(path), "%s.%u.heap", out, i);
		if (i > n) {
			cr_assert_neq(access(path, F_OK), 0, "%s", path);
			break;
		}
		cdoc_heap_snap_init(&s);
		cr_assert_eq(cdoc_heap_load_any(&s, path, -1, NULL), 0, "%s",
		             cdoc_errmsg());
		cr_assert_eq(s.nr_procs, 1, "%s", path);
		cdoc_heap_snap_release(&s);
	}
}

Test(run, interval_and_on_demand_snapshots_go_to_numbered_files, .init = setup,
     .fini = teardown)
{
	/* at least 0.5 s of pauses: several 50 ms intervals */
	char *argv[] = {example, "1000", "500", NULL};
	struct cdoc_heap_run_opts o = opts(argv);
	struct cdoc_heap_run_result res;
	volatile sig_atomic_t now = 1;

	o.interval_ms = 50;
	o.snap_now = &now;
	cr_assert_eq(cdoc_heap_run(&o, &res), 0, "%s", cdoc_errmsg());
	cr_assert_eq(res.exit_code, 0);
	cr_assert_eq(now, 0, "the request was taken and cleared");
	cr_assert_geq(res.nr_snapshots, 2, "one asked for, one interval");
	check_numbered(res.nr_snapshots);
	cdoc_heap_run_result_release(&res);
}

Test(run, a_killed_target_gives_128_plus_the_signal, .init = setup,
     .fini = teardown)
{
	char *argv[] = {"sh", "-c", "kill -9 $$", NULL};
	struct cdoc_heap_run_opts o = opts(argv);
	struct cdoc_heap_run_result res;

	cr_assert_eq(cdoc_heap_run(&o, &res), 0, "%s", cdoc_errmsg());
	cr_assert(WIFSIGNALED(res.status));
	cr_assert_eq(res.exit_code, 128 + SIGKILL);
	cdoc_heap_run_result_release(&res);
}

Test(run, the_target_gets_default_sigint_when_the_caller_ignores_it,
     .init = setup, .fini = teardown)
{
	/* a shell cannot undo a SIGINT ignored on entry: it would exit 0 */
	char *argv[] = {"sh", "-c", "kill -INT $$; exit 3", NULL};
	struct cdoc_heap_run_opts o = opts(argv);
	struct cdoc_heap_run_result res;

	signal(SIGINT, SIG_IGN);
	cr_assert_eq(cdoc_heap_run(&o, &res), 0, "%s", cdoc_errmsg());
	signal(SIGINT, SIG_DFL);
	cr_assert_eq(res.exit_code, 128 + SIGINT);
	cdoc_heap_run_result_release(&res);
}

Test(run, the_exit_code_of_the_target_comes_back, .init = setup,
     .fini = teardown)
{
	char *argv[] = {"sh", "-c", "exit 7", NULL};
	struct cdoc_heap_run_opts o = opts(argv);
	struct cdoc_heap_run_result res;

	cr_assert_eq(cdoc_heap_run(&o, &res), 0, "%s", cdoc_errmsg());
	cr_assert_eq(res.exit_code, 7);
	cr_assert_eq(access(out, R_OK), 0, "the final snapshot exists");
	cdoc_heap_run_result_release(&res);
}

Test(run, a_command_that_cannot_run_is_an_error_naming_it, .init = setup,
     .fini = teardown)
{
	char cmd[300];
	char *argv[] = {cmd, NULL};
	struct cdoc_heap_run_opts o = opts(argv);
	struct cdoc_heap_run_result res;
	int ret;

	snprintf(cmd, sizeof(cmd), "%s/no-such-command", dir);
	ret = cdoc_heap_run(&o, &res);
	cr_assert_eq(ret, -ENOENT, "%d: %s", ret, cdoc_errmsg());
	cr_assert(strstr(cdoc_errmsg(), cmd), "%s", cdoc_errmsg());
	cr_assert_eq(res.exec_errno, ENOENT);
	cr_assert_eq(res.exit_code, 127, "the child exited 127");
	cr_assert_neq(access(out, F_OK), 0, "no snapshot of nothing");
	cdoc_heap_run_result_release(&res);
}

Test(run, a_missing_shim_is_an_error_naming_it, .init = setup, .fini = teardown)
{
	char *argv[] = {"true", NULL};
	struct cdoc_heap_run_opts o = opts(argv);
	struct cdoc_heap_run_result res;

	o.shim.shim = "/nonexistent/libcdoctor-alloc.so";
	cr_assert_lt(cdoc_heap_run(&o, &res), 0);
	cr_assert(strstr(cdoc_errmsg(), o.shim.shim), "%s", cdoc_errmsg());
	cr_assert_eq(res.pid, 0, "nothing started");
	cdoc_heap_run_result_release(&res);
}
