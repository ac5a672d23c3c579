/* sample.c - tests for procfs sampling, on this process and a busy child. */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "metrics/metrics.h"

Test(sample, reads_rss_threads_and_faults_of_self)
{
	struct cdoc_metrics_sampler s;
	struct cdoc_metrics_point a, b;
	size_t size = 64 << 20;
	char *mem;

	cdoc_metrics_sampler_init(&s, getpid());
	cr_assert_eq(cdoc_metrics_sample(&s, &a), 0, "%s", cdoc_errmsg());
	cr_assert(a.have[CDOC_M_RSS] && a.v[CDOC_M_RSS] > 0);
	cr_assert_geq(a.v[CDOC_M_THREADS], 1);
	cr_assert(!a.have[CDOC_M_CPU_USER], "no rate on the first sample");
	mem = malloc(size);
	memset(mem, 1, size);
	cr_assert_eq(cdoc_metrics_sample(&s, &b), 0);
	cr_assert_geq(b.v[CDOC_M_RSS] - a.v[CDOC_M_RSS], size / 2,
	              "rss grew by %.0f", b.v[CDOC_M_RSS] - a.v[CDOC_M_RSS]);
	cr_assert_geq(b.v[CDOC_M_FLT_MINOR] - a.v[CDOC_M_FLT_MINOR],
	              size / 2 / 4096 / 512, "touching memory faults");
	cr_assert(b.have[CDOC_M_CPU_USER] && b.have[CDOC_M_CPU_SYS]);
	cr_assert(b.have[CDOC_M_CTX_VOL] && b.have[CDOC_M_CTX_INVOL]);
	free(mem);
	cdoc_metrics_sampler_release(&s);
}

static void *sleeper(void *arg)
{
	int *fd = arg;
	char c;

	return read(*fd, &c, 1) < 0 ? NULL : arg;
}

Test(sample, counts_threads)
{
	struct cdoc_metrics_sampler s;
	struct cdoc_metrics_point p;
	pthread_t t;
	int fds[2];

	cr_assert_eq(pipe(fds), 0);
	cr_assert_eq(pthread_create(&t, NULL, sleeper, &fds[0]), 0);
	cdoc_metrics_sampler_init(&s, getpid());
	cr_assert_eq(cdoc_metrics_sample(&s, &p), 0);
	cr_assert_geq(p.v[CDOC_M_THREADS], 2);
	cr_assert_geq(s.nr_threads, 2);
	cdoc_metrics_sampler_release(&s);
	cr_assert_eq(write(fds[1], "x", 1), 1);
	pthread_join(t, NULL);
}

/* A child that burns @secs of CPU, then says so on @fd and waits. */
static pid_t busy_child(double secs, int *fd)
{
	int fds[2];
	pid_t pid;

	cr_assert_eq(pipe(fds), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		volatile unsigned long x = 0;

		close(fds[0]);
		while ((double)clock() / CLOCKS_PER_SEC < secs)
			for (int i = 0; i < 100000; i++)
				x += i;
		if (write(fds[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(fds[1]);
	*fd = fds[0];
	return pid;
}

Test(sample, busy_child_shows_user_cpu)
{
	struct cdoc_metrics_sampler s;
	struct cdoc_metrics_point a, b;
	char c;
	int fd, st;
	pid_t pid = busy_child(0.3, &fd);

	cdoc_metrics_sampler_init(&s, pid);
	cr_assert_eq(cdoc_metrics_sample(&s, &a), 0);
	cr_assert_eq(read(fd, &c, 1), 1);
	cr_assert_eq(cdoc_metrics_sample(&s, &b), 0);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	cr_assert(b.have[CDOC_M_CPU_USER]);
	cr_assert_gt(b.v[CDOC_M_CPU_USER], 0, "user %% %.1f",
	             b.v[CDOC_M_CPU_USER]);
	cr_assert_gt(s.procs[0].utime, 0);
	cdoc_metrics_sampler_release(&s);
}

Test(sample, gone_process_is_esrch)
{
	struct cdoc_metrics_sampler s;
	struct cdoc_metrics_point p;
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	cdoc_metrics_sampler_init(&s, pid);
	cr_assert_eq(cdoc_metrics_sample(&s, &p), -ESRCH);
	cr_assert(strstr(cdoc_errmsg(), "gone"));
	cdoc_metrics_sampler_release(&s);
}

Test(sample, values_list_only_measured_metrics)
{
	struct cdoc_metrics_point p = {0};
	const char *n[CDOC_M_COUNT];
	double v[CDOC_M_COUNT];

	p.have[CDOC_M_RSS] = 1;
	p.v[CDOC_M_RSS] = 4096;
	p.have[CDOC_M_IO_WCHAR] = 1;
	p.v[CDOC_M_IO_WCHAR] = 7;
	cr_assert_eq(cdoc_metrics_values(&p, n, v), 2);
	cr_assert_str_eq(n[0], "rss_bytes");
	cr_assert_eq(v[0], 4096);
	cr_assert_str_eq(n[1], "io_wchar");
	cr_assert_eq(v[1], 7);
}
