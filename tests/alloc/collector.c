/*
 * collector.c - the collector API against a real process: start the
 * channel, build the environment, run examples/alloc_counts with the shim
 * preloaded, poll and drain, snapshot.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "heap/heap.h"
#include "report/report.h"

extern char **environ;

static struct cdoc_heap_collector *run(const char *example, uint64_t sample)
{
	const char *shim = getenv("CDOC_SHIM"), *dir = getenv("CDOC_EXAMPLES");
	struct cdoc_heap_opts o = {shim, sample, 0, 0, NULL};
	struct cdoc_heap_collector *c;
	char path[4096], **env;
	pid_t pid;
	int st, ret;

	cr_assert(shim && dir, "CDOC_SHIM and CDOC_EXAMPLES must be set");
	snprintf(path, sizeof(path), "%s/%s", dir, example);
	cr_assert_eq(cdoc_heap_collector_start(&c, &o), 0, "%s", cdoc_errmsg());
	cdoc_heap_collector_env(c, environ, &env);
	pid = fork();
	if (pid == 0) {
		char *argv[] = {path, NULL};

		close(1);
		execve(path, argv, env);
		_exit(127);
	}
	cdoc_heap_env_free(env);
	cdoc_heap_collector_spawned(c);
	while (waitpid(pid, &st, WNOHANG) == 0) {
		struct pollfd p = {cdoc_heap_collector_fd(c), POLLIN, 0};

		poll(&p, 1, 100);
		ret = cdoc_heap_collector_poll(c);
		cr_assert(ret >= 0 || ret == -EPIPE, "%s", cdoc_errmsg());
	}
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	cr_assert_eq(cdoc_heap_collector_drain(c, 10000, 0), 0, "%s",
	             cdoc_errmsg());
	return c;
}

static uint64_t site(const struct cdoc_heap_snap *s, const char *fn, int kind)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < s->nr_sites; i++) {
		cdoc_buf_reset(&b);
		cdoc_heap_site_name(s, &s->sites[i], 1, &b);
		if (b.buf && !strcmp(b.buf, fn))
			n += cdoc_heap_site_value(s, &s->sites[i], kind);
	}
	cdoc_buf_release(&b);
	return n;
}

Test(collector, counts_a_real_process_exactly)
{
	struct cdoc_heap_collector *c = run("alloc_counts", 0);
	struct cdoc_heap_snap s;
	struct cdoc_heap_counters k;

	cdoc_heap_snap_init(&s);
	cr_assert_eq(cdoc_heap_snapshot(cdoc_heap_collector_model(c), &s), 0);
	cr_assert_eq(s.nr_procs, 1);
	cr_assert(s.procs[0].flags & CDOC_HPROC_EXITED);
	cr_assert_eq(site(&s, "leak_site", CDOC_HEAP_LEAKED_BYTES), 7000);
	cr_assert_eq(site(&s, "do_realloc_chain", CDOC_HEAP_ALLOC_COUNT), 4);
	cr_assert_eq(site(&s, "do_malloc", CDOC_HEAP_TEMP_COUNT), 10);
	cr_assert_eq(s.procs[0].calls[CDOC_AFN_POSIX_MEMALIGN], 3);
	cr_assert_eq(s.procs[0].bytes[CDOC_AFN_PVALLOC], 200);
	cdoc_heap_get_counters(cdoc_heap_collector_model(c), &k);
	cr_assert_eq(k.unmatched_frees + k.reentrant + k.write_errors, 0);
	cdoc_heap_snap_release(&s);
	cdoc_heap_collector_free(c);
}

Test(collector, sampling_scales_estimates)
{
	struct cdoc_heap_collector *c = run("alloc_checksum", 4096);
	struct cdoc_heap_snap s;
	uint64_t calls = 0;
	int i;

	cdoc_heap_snap_init(&s);
	cr_assert_eq(cdoc_heap_snapshot(cdoc_heap_collector_model(c), &s), 0);
	cr_assert_eq(s.sample_rate, 4096);
	for (i = 0; i < CDOC_AFN_NR; i++)
		calls += s.procs[0].calls[i];
	/* ~200000 loop steps allocate; the estimate is in the right range */
	cr_assert(calls > 20000 && calls < 2000000, "estimate %llu",
	          (unsigned long long)calls);
	cdoc_heap_snap_release(&s);
	cdoc_heap_collector_free(c);
}

Test(collector, env_appends_the_shim_to_ld_preload)
{
	const char *shim = getenv("CDOC_SHIM");
	struct cdoc_heap_opts o = {shim, 0, 1, 0, NULL};
	struct cdoc_heap_collector *c;
	char *base[] = {"LD_PRELOAD=/x/y.so", "HOME=/h", NULL}, **env;
	char want[4200];
	int i, seen = 0;

	cr_assert_eq(cdoc_heap_collector_start(&c, &o), 0, "%s", cdoc_errmsg());
	cdoc_heap_collector_env(c, base, &env);
	snprintf(want, sizeof(want), "LD_PRELOAD=/x/y.so:%s", shim);
	for (i = 0; env[i]; i++) {
		seen += !strcmp(env[i], want);
		seen += !strcmp(env[i], "HOME=/h");
		seen += !strcmp(env[i], "CDOC_ALLOC_MMAP=1");
		seen += !strncmp(env[i], "CDOC_ALLOC_FD=", 14);
	}
	cr_assert_eq(seen, 4);
	cdoc_heap_env_free(env);
	cdoc_heap_collector_free(c);
}
