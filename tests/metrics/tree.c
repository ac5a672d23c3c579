/*
 * tree.c - tests for the process-tree sampler: forked workers are
 * measured, threads carry schedstat evidence, descriptors are counted by
 * kind; and the parsers of schedstat lines and fd links.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "metrics/internal.h"

/* Spin until killed. */
static void spin(void)
{
	volatile unsigned long x = 0;

	for (;;)
		x++;
}

/*
 * A master that forks two spinning workers, one of which forks a
 * spinning grandchild; it writes a byte on @fd when all exist, then
 * waits. Returns the master's pid.
 */
static pid_t forking_master(int *fd)
{
	int fds[2];
	pid_t pid;

	cr_assert_eq(pipe(fds), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		if (fork() == 0)
			spin();
		if (fork() == 0) {
			if (fork() == 0)
				spin();
			spin();
		}
		usleep(100000); /* the grandchild forks */
		if (write(fds[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(fds[1]);
	*fd = fds[0];
	return pid;
}

static void kill_tree(struct cdoc_metrics_sampler *s, pid_t master)
{
	for (size_t i = 0; i < s->nr_procs; i++)
		kill(s->procs[i].pid, SIGKILL);
	waitpid(master, NULL, 0);
}

Test(tree, forked_workers_are_measured)
{
	struct cdoc_metrics_sampler s;
	struct cdoc_metrics_point a, b;
	struct timespec ts = {0, 300000000};
	char c;
	int fd;
	pid_t pid = forking_master(&fd);

	cr_assert_eq(read(fd, &c, 1), 1);
	cdoc_metrics_sampler_init(&s, pid);
	cr_assert_eq(cdoc_metrics_sample(&s, &a), 0, "%s", cdoc_errmsg());
	nanosleep(&ts, NULL);
	cr_assert_eq(cdoc_metrics_sample(&s, &b), 0);
	kill_tree(&s, pid);
	cr_assert_eq(a.v[CDOC_M_PROCS], 4, "procs %.0f", a.v[CDOC_M_PROCS]);
	cr_assert_eq(b.v[CDOC_M_PROCS], 4);
	cr_assert_geq(b.v[CDOC_M_THREADS], 4);
	cr_assert_eq(s.nr_threads, 4);
	/* the master sleeps: all of the CPU is the workers' */
	cr_assert_gt(b.v[CDOC_M_CPU_USER], 0, "user %.1f",
	             b.v[CDOC_M_CPU_USER]);
	cr_assert(b.have[CDOC_M_RUNQ] && b.have[CDOC_M_BLOCKED]);
	for (size_t i = 0; i < s.nr_threads; i++)
		cr_assert_str_neq(s.threads[i].name, "");
	cdoc_metrics_sampler_release(&s);
}

Test(tree, a_new_process_counts_from_its_second_sample)
{
	struct cdoc_metrics_sampler s;
	struct cdoc_metrics_point a, b;
	pid_t child;

	cdoc_metrics_sampler_init(&s, getpid());
	cr_assert_eq(cdoc_metrics_sample(&s, &a), 0);
	cr_assert_eq(a.v[CDOC_M_PROCS], 1);
	child = fork();
	if (child == 0)
		spin();
	cr_assert_eq(cdoc_metrics_sample(&s, &b), 0);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	cr_assert_eq(b.v[CDOC_M_PROCS], 2);
	cr_assert(b.have[CDOC_M_CPU_USER]);
	cdoc_metrics_sampler_release(&s);
}

Test(tree, schedstat_times_grow_for_a_busy_thread)
{
	struct cdoc_metrics_sampler s;
	struct cdoc_metrics_point a;
	int fd;
	char c;
	pid_t pid = forking_master(&fd);

	cr_assert_eq(read(fd, &c, 1), 1);
	cdoc_metrics_sampler_init(&s, pid);
	cr_assert_eq(cdoc_metrics_sample(&s, &a), 0);
	kill_tree(&s, pid);
	for (size_t i = 0; i < s.nr_threads; i++) {
		const struct cdoc_rec_threadstat *t = &s.threads[i];

		if (t->pid == (uint32_t)pid)
			continue;
		cr_assert_gt(t->on_cpu_ns, 0, "thread %u ran", t->tid);
		cr_assert_gt(t->timeslices, 0);
	}
	cdoc_metrics_sampler_release(&s);
}

Test(tree, open_descriptors_by_kind)
{
	struct cdoc_metrics_sampler s;
	struct cdoc_metrics_point a, b;
	int files[40], sv[2], p[2], i;

	cdoc_metrics_sampler_init(&s, getpid());
	cr_assert_eq(cdoc_metrics_sample(&s, &a), 0);
	for (i = 0; i < 40; i++)
		cr_assert_geq(files[i] = open("/dev/null", O_RDONLY), 0);
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(cdoc_metrics_sample(&s, &b), 0);
	cr_assert_eq(b.v[CDOC_M_FDS_FILE] - a.v[CDOC_M_FDS_FILE], 40);
	cr_assert_eq(b.v[CDOC_M_FDS_SOCKET] - a.v[CDOC_M_FDS_SOCKET], 2);
	cr_assert_eq(b.v[CDOC_M_FDS_PIPE] - a.v[CDOC_M_FDS_PIPE], 2);
	cr_assert_eq(b.v[CDOC_M_FDS],
	             b.v[CDOC_M_FDS_FILE] + b.v[CDOC_M_FDS_SOCKET] +
	                     b.v[CDOC_M_FDS_PIPE] + b.v[CDOC_M_FDS_OTHER]);
	cr_assert_eq(s.fds_capped, 0);
	/* above the link cap, kinds are scaled to the count (which may
	 * differ by the sampler's own directory fd: this is its process) */
	s.fd_link_cap = 8;
	cr_assert_eq(cdoc_metrics_sample(&s, &a), 0);
	cr_assert_gt(s.fds_capped, 0);
	cr_assert_float_eq(a.v[CDOC_M_FDS], b.v[CDOC_M_FDS], 1.5);
	for (i = 0; i < 40; i++)
		close(files[i]);
	close(sv[0]);
	close(sv[1]);
	close(p[0]);
	close(p[1]);
	cdoc_metrics_sampler_release(&s);
}

Test(tree, machine_metrics)
{
	struct cdoc_metrics_sampler s;
	struct cdoc_metrics_point a, b;

	cdoc_metrics_sampler_init(&s, getpid());
	cr_assert_eq(cdoc_metrics_sample(&s, &a), 0);
	usleep(50000);
	cr_assert_eq(cdoc_metrics_sample(&s, &b), 0);
	cr_assert_geq(a.v[CDOC_M_MACHINE_CPUS], 1);
	cr_assert(a.have[CDOC_M_MACHINE_LOAD1]);
	cr_assert(!a.have[CDOC_M_MACHINE_BUSY], "a rate: not on the first");
	cr_assert(b.have[CDOC_M_MACHINE_BUSY]);
	cr_assert(b.v[CDOC_M_MACHINE_BUSY] >= 0 &&
	          b.v[CDOC_M_MACHINE_BUSY] <= 100);
	cdoc_metrics_sampler_release(&s);
}

Test(parse, schedstat_lines)
{
	uint64_t v[3];

	cr_assert_eq(metrics__parse_schedstat("123 456 7\n", v), 0);
	cr_assert(v[0] == 123 && v[1] == 456 && v[2] == 7);
	cr_assert_eq(metrics__parse_schedstat("18446744073709551615 0 1", v),
	             0);
	cr_assert_eq(v[0], UINT64_MAX);
	cr_assert_eq(metrics__parse_schedstat("", v), -1);
	cr_assert_eq(metrics__parse_schedstat("1 2\n", v), -1);
	cr_assert_eq(metrics__parse_schedstat("1 x 3\n", v), -1);
	cr_assert_eq(metrics__parse_schedstat("1 2 3x\n", v), -1);
}

Test(parse, fd_link_kinds)
{
	cr_assert_eq(metrics__fd_kind("socket:[12345]"), METRICS_FD_SOCKET);
	cr_assert_eq(metrics__fd_kind("pipe:[99]"), METRICS_FD_PIPE);
	cr_assert_eq(metrics__fd_kind("/tmp/x (deleted)"), METRICS_FD_FILE);
	cr_assert_eq(metrics__fd_kind("/dev/null"), METRICS_FD_FILE);
	cr_assert_eq(metrics__fd_kind("anon_inode:[eventpoll]"),
	             METRICS_FD_OTHER);
	cr_assert_eq(metrics__fd_kind("anon_inode:[eventfd]"),
	             METRICS_FD_OTHER);
	cr_assert_eq(metrics__fd_kind("net:[4026531840]"), METRICS_FD_OTHER);
	cr_assert_eq(metrics__fd_kind("socket"), METRICS_FD_OTHER);
	cr_assert_eq(metrics__fd_kind(""), METRICS_FD_OTHER);
}

Test(parse, status_and_cpu_stat_keys)
{
	uint64_t v = 0;
	const char *st = "Name:\tx\nvoluntary_ctxt_switches:\t12\n"
	                 "nonvoluntary_ctxt_switches:\t3\n";

	cr_assert_eq(metrics__key_u64(st, "voluntary_ctxt_switches", ':', &v),
	             0);
	cr_assert_eq(v, 12, "not the nonvoluntary line");
	cr_assert_eq(
	        metrics__key_u64(st, "nonvoluntary_ctxt_switches", ':', &v), 0);
	cr_assert_eq(v, 3);
	cr_assert_eq(metrics__key_u64("nr_periods 5\nnr_throttled 2\n",
	                              "nr_throttled", ' ', &v),
	             0);
	cr_assert_eq(v, 2);
	cr_assert_eq(
	        metrics__key_u64("nr_throttled x\n", "nr_throttled", ' ', &v),
	        -1);
	cr_assert_eq(metrics__key_u64("a 1\n", "nr_throttled", ' ', &v), -1);
}
